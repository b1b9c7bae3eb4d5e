//! The customer journey through the REST API, as a reseller would script it: sign up, verify the
//! email address with the link from the outbox, log in, apply for ACME use (which issues the EAB
//! credentials), then register and pay by card for every name, several requests in flight.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use reqwest::header::{HeaderMap, HeaderValue, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::dto::{AcmeApplication, RegistrationCreated};

/// The login password of the benchmark customer.
const PASSWORD: &str = "benchmark password, long enough";
/// The built-in test payment provider's card that always succeeds.
const TEST_CARD: &str = "4242424242424242";

#[derive(clap::Args)]
pub struct SetupArgs {
    /// Base URL of the server, e.g. https://localhost:8443.
    #[arg(long)]
    base: String,
    /// PEM certificate to trust for HTTPS (the server's self-signed one).
    #[arg(long)]
    ca: PathBuf,
    /// The server's data directory (the verification email is read from its outbox/).
    #[arg(long)]
    data_dir: PathBuf,
    /// One FQDN per line; each is registered (type dv, 1 year) and paid by card.
    #[arg(long)]
    names_file: PathBuf,
    /// Registrations in flight at once.
    #[arg(long, default_value_t = 24)]
    parallel: usize,
    /// The customer's login email.
    #[arg(long, default_value = "bench@example.jp")]
    email: String,
}

/// A logged-in portal session: the session cookie plus the CSRF token sent back on writes.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    base: String,
    headers: HeaderMap,
}

impl Session {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    /// POSTs JSON with the session cookie and CSRF header; fails unless the status is `expect`.
    async fn post(&self, path: &str, body: &Value, expect: StatusCode) -> anyhow::Result<Value> {
        let res = self
            .http
            .post(self.url(path))
            .headers(self.headers.clone())
            .json(body)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        expect_status(res, expect, path).await
    }
}

/// Fails with the server's problem document unless the response has status `expect`.
async fn expect_status(
    res: reqwest::Response,
    expect: StatusCode,
    what: &str,
) -> anyhow::Result<Value> {
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    if status != expect {
        bail!("{what}: expected {expect}, got {status}: {text}");
    }
    if text.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text).with_context(|| format!("{what}: the answer is not JSON: {text}"))
}

pub async fn run(args: SetupArgs) -> anyhow::Result<()> {
    let names = crate::read_names(&args.names_file)?;
    let http = crate::https_client(&args.ca)?;
    let started = Instant::now();
    let session = sign_up(&http, &args).await?;
    let application: AcmeApplication = serde_json::from_value(
        session
            .post(
                "/acme-application",
                &json!({ "agree_terms": true }),
                StatusCode::CREATED,
            )
            .await?,
    )
    .context("reading the ACME application")?;
    eprintln!(
        "customer {} applied for ACME (application {}, EAB key id {})",
        args.email, application.application_number, application.eab.key_id
    );

    register_all(&session, names, args.parallel.max(1)).await?;
    println!(
        "{}",
        json!({
            "event": "setup",
            "directory_url": application.directory_url,
            "eab_kid": application.eab.key_id,
            "eab_hmac": application.eab.hmac_key,
            "seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}

/// Signs up, verifies the address with the emailed link and logs in.
async fn sign_up(http: &reqwest::Client, args: &SetupArgs) -> anyhow::Result<Session> {
    let url = |path: &str| format!("{}/api/v1{path}", args.base);
    let res = http
        .post(url("/auth/signup"))
        .json(&json!({
            "email": args.email,
            "password": PASSWORD,
            "billing_email": args.email,
            "name": "Benchmark",
        }))
        .send()
        .await
        .context("POST /auth/signup")?;
    expect_status(res, StatusCode::CREATED, "sign-up").await?;

    let token = verification_token(&args.data_dir.join("outbox"), &args.email).await?;
    let res = http
        .post(url("/auth/verify"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .context("POST /auth/verify")?;
    expect_status(res, StatusCode::OK, "email verification").await?;

    let res = http
        .post(url("/auth/login"))
        .json(&json!({ "email": args.email, "password": PASSWORD }))
        .send()
        .await
        .context("POST /auth/login")?;
    let cookies: Vec<String> = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect();
    expect_status(res, StatusCode::OK, "login").await?;
    let csrf = cookies
        .iter()
        .find_map(|c| c.strip_prefix("csrf_token="))
        .context("the login set no csrf_token cookie")?
        .to_owned();
    let mut headers = HeaderMap::new();
    headers.insert(
        COOKIE,
        HeaderValue::from_str(&cookies.join("; ")).context("the session cookies")?,
    );
    headers.insert(
        "x-csrf-token",
        HeaderValue::from_str(&csrf).context("the CSRF token")?,
    );
    Ok(Session {
        http: http.clone(),
        base: args.base.clone(),
        headers,
    })
}

/// Waits (up to 10 s) for the verification email to `to` and returns the token of its link.
async fn verification_token(outbox: &Path, to: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(token) = find_token(outbox, to)? {
            return Ok(token);
        }
        if Instant::now() > deadline {
            bail!(
                "no verification email to {to} appeared in {}",
                outbox.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn find_token(outbox: &Path, to: &str) -> anyhow::Result<Option<String>> {
    let Ok(entries) = std::fs::read_dir(outbox) else {
        return Ok(None);
    };
    for entry in entries {
        let path = entry.context("reading the outbox")?.path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let Some(message) = mail_parser::MessageParser::default().parse(&raw) else {
            continue;
        };
        let addressed = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .is_some_and(|a| a.eq_ignore_ascii_case(to));
        if !addressed {
            continue;
        }
        let body = message.body_text(0).unwrap_or_default();
        let token = body
            .split_whitespace()
            .filter(|w| w.contains("/verify-email?token="))
            .find_map(|w| w.split("token=").nth(1))
            .map(|t| {
                t.trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
            });
        if let Some(token) = token {
            return Ok(Some(token.to_owned()));
        }
    }
    Ok(None)
}

/// Registers and pays for every name, `parallel` at a time, with a progress line.
async fn register_all(
    session: &Session,
    names: Vec<String>,
    parallel: usize,
) -> anyhow::Result<()> {
    let total = names.len();
    let queue = Arc::new(std::sync::Mutex::new(names.into_iter()));
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..parallel.min(total) {
        let (session, queue, done) = (session.clone(), queue.clone(), done.clone());
        workers.spawn(async move {
            loop {
                let next = match queue.lock() {
                    Ok(mut names) => names.next(),
                    Err(_) => bail!("a registration worker panicked"),
                };
                let Some(name) = next else {
                    return Ok(());
                };
                register(&session, &name).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let progress = {
        let done = done.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let n = done.load(Ordering::Relaxed);
                eprintln!(
                    "  registered and paid {n}/{total} names ({:.1}/s)",
                    n as f64 / started.elapsed().as_secs_f64()
                );
            }
        })
    };
    let mut result = Ok(());
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                result = Err(e);
                workers.abort_all();
            }
            Err(e) if e.is_cancelled() => {}
            Err(e) => {
                result = Err(e).context("a registration worker failed");
                workers.abort_all();
            }
        }
    }
    progress.abort();
    result?;
    eprintln!(
        "  registered and paid {total} names in {:.1}s ({:.1}/s)",
        started.elapsed().as_secs_f64(),
        total as f64 / started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// One name: the registration (STEP 5–9 in one call) and its card payment.
async fn register(session: &Session, name: &str) -> anyhow::Result<()> {
    let created: RegistrationCreated = serde_json::from_value(
        session
            .post(
                "/registrations",
                &json!({ "fqdn": name, "type": "dv", "period_years": 1,
                         "payment_method": "card", "agree_terms": true }),
                StatusCode::CREATED,
            )
            .await
            .with_context(|| format!("registering {name}"))?,
    )
    .with_context(|| format!("reading the registration of {name}"))?;
    let number = &created.invoice.number;
    session
        .post(
            &format!("/invoices/{number}/pay"),
            &json!({ "card_number": TEST_CARD, "exp_month": 12, "exp_year": 2099, "cvc": "123" }),
            StatusCode::OK,
        )
        .await
        .with_context(|| format!("paying invoice {number} for {name}"))?;
    Ok(())
}
