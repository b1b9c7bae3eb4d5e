//! The client side of `cargo xtask chaos`: ACME clients that keep ordering while the servers
//! behind the load balancer are killed and restarted, plus portal (REST) traffic, each request
//! retried after a failure the way a careful client retries.
//!
//! An order is driven as a state machine from its own status: whatever request fails (a
//! connection reset, a 502/503 from the proxy, a problem document), the client notes the error,
//! waits, fetches the order again and carries on from what the server says, so a retried
//! finalize or challenge answer never needs to know whether the first attempt got through. An
//! order that ends `invalid` (e.g. an issuance interrupted by a kill) is made again for the same
//! name, up to [`ORDER_ATTEMPTS`] times.
//!
//! Every order the clients finished is written to `--finished-out` (order URL and leaf
//! certificate), for the caller to check against the database; the counts are printed as one
//! JSON line on stdout.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::Engine;
use instant_acme::{
    Account, AuthorizationStatus, ChallengeStatus, ChallengeType, ExternalAccountKey, Identifier,
    NewAccount, NewOrder, Order, OrderStatus,
};
use serde_json::json;

use crate::load::{acme_http, start_responder, Next, Publisher, Scheduler};

/// The longest one request may take before it counts as an unclean failure (no answer at all).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest one order may take, retries included: above the 60-second validation lease (a
/// job held by a killed worker waits it out), and above the time an issuance interrupted by the
/// database restart stays `processing`: it is failed by the first housekeeping pass (every 300 s
/// by default, `CERTDIRECT_JOBS_HOUSEKEEPING_SECS`) once it is 60 s old, and the client then
/// makes a new order.
const ORDER_DEADLINE: Duration = Duration::from_secs(420);
/// How long a portal request is retried before its retry counts as failed.
const PORTAL_DEADLINE: Duration = Duration::from_secs(90);
/// Orders made for one name when the previous one ended `invalid`.
const ORDER_ATTEMPTS: usize = 3;
const ERROR_SAMPLES: usize = 8;
/// The address the portal clients claim in their own `X-Forwarded-For` when they log in.
const SPOOFED_ADDRESS: &str = "203.0.113.9";

#[derive(clap::Args)]
pub struct ChaosArgs {
    /// The ACME directory URL (through the load balancer).
    #[arg(long)]
    directory: String,
    /// PEM certificate to trust for HTTPS.
    #[arg(long)]
    ca: PathBuf,
    #[arg(long)]
    eab_kid: String,
    /// EAB HMAC key, base64url.
    #[arg(long)]
    eab_hmac: String,
    /// One FQDN per line: the names the clients order.
    #[arg(long)]
    names_file: PathBuf,
    /// Concurrent ACME clients (accounts), one order in flight each.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// How long new orders are started, in seconds; the orders in flight then finish.
    #[arg(long)]
    seconds: f64,
    /// Loopback port of the http-01 responder.
    #[arg(long)]
    http_port: u16,
    /// pebble-challtestsrv management URL: when given, every other client answers dns-01.
    #[arg(long)]
    challtestsrv: Option<String>,
    /// Base URL of the portal's REST API (through the load balancer), e.g. https://localhost:8443.
    #[arg(long)]
    portal_base: String,
    #[arg(long)]
    portal_email: String,
    #[arg(long)]
    portal_password: String,
    /// Concurrent portal clients.
    #[arg(long, default_value_t = 2)]
    portal_clients: usize,
    /// Interval between polls of an order.
    #[arg(long, default_value_t = 250)]
    poll_ms: u64,
    /// Where every finished order is written, one JSON object a line.
    #[arg(long)]
    finished_out: PathBuf,
}

/// Counters shared by every client.
#[derive(Default)]
struct Stats {
    orders_started: AtomicU64,
    orders_finished: AtomicU64,
    /// Orders that ended `invalid` and were made again for the same name.
    orders_remade: AtomicU64,
    /// Orders in which at least one failed request was retried.
    orders_with_retries: AtomicU64,
    orders_invalid: AtomicU64,
    /// Names whose orders did not finish even after the retries (or within the deadline).
    orders_given_up: AtomicU64,
    acme_requests_failed: AtomicU64,
    acme_requests_retried: AtomicU64,
    /// Failed requests (ACME and portal) with a 5xx status or the proxy's error page.
    responses_5xx: AtomicU64,
    /// Requests that got no answer within [`REQUEST_TIMEOUT`].
    unclean: AtomicU64,
    portal_ok: AtomicU64,
    portal_failed: AtomicU64,
    portal_retry_failed: AtomicU64,
    kinds: Mutex<BTreeMap<String, u64>>,
    samples: Mutex<Vec<String>>,
}

impl Stats {
    fn error(&self, what: &str, kind: String, detail: String) {
        if kind.starts_with("5xx") {
            self.responses_5xx.fetch_add(1, Relaxed);
        }
        if kind == "timeout" {
            self.unclean.fetch_add(1, Relaxed);
        }
        if let Ok(mut k) = self.kinds.lock() {
            *k.entry(format!("{what}: {kind}")).or_default() += 1;
        }
        if let Ok(mut s) = self.samples.lock() {
            if s.len() < ERROR_SAMPLES {
                s.push(format!("{what}: {detail}"));
            }
        }
    }
}

/// What kind of failure an instant-acme error is.
fn classify(e: &instant_acme::Error) -> String {
    match e {
        instant_acme::Error::Api(p) => {
            let status = p.status.unwrap_or(0);
            let kind = p
                .r#type
                .as_deref()
                .unwrap_or("")
                .trim_start_matches("urn:ietf:params:acme:error:");
            if status >= 500 {
                format!("5xx problem {status} {kind}")
            } else {
                format!("problem {status} {kind}")
            }
        }
        // A body that is no problem document: the proxy's own error page (502/503/504).
        instant_acme::Error::Json(_) => "5xx proxy error page".into(),
        instant_acme::Error::Hyper(_) | instant_acme::Error::Other(_) => "connection".into(),
        other => format!("other: {other}"),
    }
}

/// One request with the [`REQUEST_TIMEOUT`]; a failure is counted and `None` returned.
async fn attempt<T>(
    stats: &Stats,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, instant_acme::Error>>,
) -> Option<T> {
    match tokio::time::timeout(REQUEST_TIMEOUT, fut).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            stats.acme_requests_failed.fetch_add(1, Relaxed);
            stats.error(what, classify(&e), e.to_string());
            None
        }
        Err(_) => {
            stats.acme_requests_failed.fetch_add(1, Relaxed);
            stats.error(what, "timeout".into(), "no answer".into());
            None
        }
    }
}

struct Shared {
    names: Vec<String>,
    scheduler: Mutex<Scheduler>,
    publisher_http: Publisher,
    publisher_dns: Option<Publisher>,
    stats: Stats,
    poll: Duration,
    stop: Instant,
    finished: Mutex<std::fs::File>,
}

pub async fn run(args: ChaosArgs) -> anyhow::Result<()> {
    let names = crate::read_names(&args.names_file)?;
    let clients = args.concurrency.max(1);
    let publisher_http = Publisher::Http(start_responder(args.http_port).await?);
    let publisher_dns = args.challtestsrv.as_ref().map(|base| Publisher::Dns {
        http: reqwest::Client::new(),
        base: base.trim_end_matches('/').to_owned(),
    });
    let hmac = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(args.eab_hmac.trim_end_matches('='))
        .context("--eab-hmac is not base64url")?;
    let eab = ExternalAccountKey::new(args.eab_kid.clone(), &hmac);
    let mut accounts = Vec::new();
    for _ in 0..clients {
        let (account, _) = Account::builder_with_http(acme_http(&args.ca)?)
            .create(
                &NewAccount {
                    contact: &[],
                    terms_of_service_agreed: true,
                    only_return_existing: false,
                },
                args.directory.clone(),
                Some(&eab),
            )
            .await
            .context("creating an ACME account")?;
        accounts.push(account);
    }
    let finished = std::fs::File::create(&args.finished_out)
        .with_context(|| format!("creating {}", args.finished_out.display()))?;
    let begin = Instant::now();
    let shared = Arc::new(Shared {
        scheduler: Mutex::new(Scheduler::new(names.len(), clients)),
        names,
        publisher_http,
        publisher_dns,
        stats: Stats::default(),
        poll: Duration::from_millis(args.poll_ms),
        stop: begin + Duration::from_secs_f64(args.seconds),
        finished: Mutex::new(finished),
    });
    println!("{}", json!({ "event": "load_start" }));
    let _ = std::io::stdout().flush();

    let portal = crate::https_client(&args.ca)?;
    let mut tasks = tokio::task::JoinSet::new();
    for (i, account) in accounts.into_iter().enumerate() {
        tasks.spawn(client(i, account, shared.clone()));
    }
    for _ in 0..args.portal_clients {
        let (shared, http) = (shared.clone(), portal.clone());
        let (base, email, password) = (
            args.portal_base.clone(),
            args.portal_email.clone(),
            args.portal_password.clone(),
        );
        tasks.spawn(async move { portal_client(shared, http, base, email, password).await });
    }
    let progress = tokio::spawn(progress(shared.clone(), begin));
    while tasks.join_next().await.is_some() {}
    progress.abort();

    let s = &shared.stats;
    let get = |c: &AtomicU64| c.load(Relaxed);
    let result = json!({
        "event": "result",
        "seconds": begin.elapsed().as_secs_f64(),
        "orders_started": get(&s.orders_started),
        "orders_finished": get(&s.orders_finished),
        "orders_remade": get(&s.orders_remade),
        "orders_with_retries": get(&s.orders_with_retries),
        "orders_invalid": get(&s.orders_invalid),
        "orders_given_up": get(&s.orders_given_up),
        "acme_requests_failed": get(&s.acme_requests_failed),
        "acme_requests_retried": get(&s.acme_requests_retried),
        "responses_5xx": get(&s.responses_5xx),
        "unclean": get(&s.unclean),
        "portal_ok": get(&s.portal_ok),
        "portal_failed": get(&s.portal_failed),
        "portal_retry_failed": get(&s.portal_retry_failed),
        "error_kinds": *s.kinds.lock().map_err(|_| anyhow::anyhow!("poisoned"))?,
        "error_samples": *s.samples.lock().map_err(|_| anyhow::anyhow!("poisoned"))?,
    });
    println!("{result}");
    Ok(())
}

/// One ACME client: orders names until the load window closes.
async fn client(index: usize, account: Account, shared: Arc<Shared>) {
    let (challenge, publisher) = match (&shared.publisher_dns, index % 2) {
        (Some(dns), 1) => (ChallengeType::Dns01, dns.clone()),
        _ => (ChallengeType::Http01, shared.publisher_http.clone()),
    };
    loop {
        if Instant::now() >= shared.stop {
            return;
        }
        let next = match shared.scheduler.lock() {
            Ok(mut s) => s.take(index),
            Err(_) => return,
        };
        let name_index = match next {
            Next::Name(n) => n,
            Next::Busy => {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
            Next::Exhausted => return,
        };
        let name = shared.names[name_index].clone();
        let mut done = false;
        for attempt_no in 0..ORDER_ATTEMPTS {
            if attempt_no > 0 {
                shared.stats.orders_remade.fetch_add(1, Relaxed);
            }
            match one_order(&account, &name, &challenge, &publisher, &shared).await {
                End::Finished => {
                    done = true;
                    break;
                }
                End::Invalid(reason) => {
                    shared.stats.orders_invalid.fetch_add(1, Relaxed);
                    shared
                        .stats
                        .error("order", "invalid".into(), format!("{name}: {reason}"));
                }
                End::GaveUp => break,
            }
        }
        if !done {
            shared.stats.orders_given_up.fetch_add(1, Relaxed);
        }
        if let Ok(mut s) = shared.scheduler.lock() {
            s.release(name_index);
        }
    }
}

enum End {
    Finished,
    Invalid(String),
    /// The deadline passed (after errors, or with the server never getting there).
    GaveUp,
}

/// One order for `name`, driven from its status until it is valid and downloaded or invalid.
async fn one_order(
    account: &Account,
    name: &str,
    challenge: &ChallengeType,
    publisher: &Publisher,
    shared: &Shared,
) -> End {
    let stats = &shared.stats;
    let deadline = Instant::now() + ORDER_DEADLINE;
    let ids = [Identifier::Dns(name.to_owned())];
    let new_order = NewOrder::new(&ids);
    let mut order = loop {
        if let Some(o) = attempt(stats, "newOrder", account.new_order(&new_order)).await {
            break o;
        }
        if Instant::now() > deadline {
            return End::GaveUp;
        }
        stats.acme_requests_retried.fetch_add(1, Relaxed);
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    stats.orders_started.fetch_add(1, Relaxed);
    let mut retried = false;
    let mut published = Vec::new();
    let key = rcgen::KeyPair::generate().expect("a P-256 key");
    let end = loop {
        if Instant::now() > deadline {
            break End::GaveUp;
        }
        let ok = match order.state().status {
            OrderStatus::Pending => {
                answer(
                    &mut order,
                    name,
                    challenge,
                    publisher,
                    shared,
                    &mut published,
                )
                .await
            }
            OrderStatus::Ready => {
                let mut params =
                    rcgen::CertificateParams::new(vec![name.to_owned()]).expect("CSR parameters");
                params.distinguished_name = rcgen::DistinguishedName::new();
                let csr = params.serialize_request(&key).expect("a CSR");
                attempt(stats, "finalize", order.finalize_csr(csr.der()))
                    .await
                    .is_some()
            }
            OrderStatus::Processing => true,
            OrderStatus::Valid => match attempt(stats, "certificate", order.certificate()).await {
                Some(Some(chain)) => {
                    record_finished(shared, order.url(), &chain);
                    break End::Finished;
                }
                Some(None) => true,
                None => false,
            },
            OrderStatus::Invalid => {
                let reason = order
                    .state()
                    .error
                    .as_ref()
                    .map_or("no problem given".into(), |p| p.to_string());
                break End::Invalid(reason);
            }
        };
        if !ok {
            stats.acme_requests_retried.fetch_add(1, Relaxed);
            retried = true;
        }
        tokio::time::sleep(if ok {
            shared.poll
        } else {
            Duration::from_millis(500)
        })
        .await;
        if attempt(stats, "order poll", order.refresh())
            .await
            .is_none()
        {
            stats.acme_requests_retried.fetch_add(1, Relaxed);
            retried = true;
        }
    };
    for token in &published {
        if let Err(e) = publisher.withdraw(name, token).await {
            eprintln!("withdrawing the challenge response for {name}: {e:#}");
        }
    }
    if matches!(end, End::Finished) {
        stats.orders_finished.fetch_add(1, Relaxed);
    }
    if retried {
        stats.orders_with_retries.fetch_add(1, Relaxed);
    }
    end
}

/// Answers every pending challenge of a pending order (a challenge already answered is left
/// alone). Returns false when a request failed.
async fn answer(
    order: &mut Order,
    name: &str,
    kind: &ChallengeType,
    publisher: &Publisher,
    shared: &Shared,
    published: &mut Vec<String>,
) -> bool {
    let stats = &shared.stats;
    let mut authorizations = order.authorizations();
    loop {
        let next = match tokio::time::timeout(REQUEST_TIMEOUT, authorizations.next()).await {
            Ok(None) => return true,
            Ok(Some(Ok(a))) => a,
            Ok(Some(Err(e))) => {
                stats.acme_requests_failed.fetch_add(1, Relaxed);
                stats.error("authorization", classify(&e), e.to_string());
                return false;
            }
            Err(_) => {
                stats.acme_requests_failed.fetch_add(1, Relaxed);
                stats.error("authorization", "timeout".into(), "no answer".into());
                return false;
            }
        };
        let mut authz = next;
        if authz.status != AuthorizationStatus::Pending {
            continue;
        }
        let Some(mut challenge) = authz.challenge(kind.clone()) else {
            stats.error("authorization", "no such challenge".into(), name.into());
            return false;
        };
        if challenge.status != ChallengeStatus::Pending {
            continue;
        }
        let key_auth = challenge.key_authorization();
        let token = challenge.token.clone();
        if let Err(e) = publisher.publish(name, &token, &key_auth).await {
            stats.error("publish", "responder".into(), format!("{e:#}"));
            return false;
        }
        if !published.contains(&token) {
            published.push(token);
        }
        if attempt(stats, "challenge", challenge.set_ready())
            .await
            .is_none()
        {
            return false;
        }
    }
}

fn record_finished(shared: &Shared, url: &str, chain: &str) {
    let leaf: String = chain
        .split("-----END CERTIFICATE-----")
        .next()
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let line = json!({ "order": url, "leaf": leaf });
    if let Ok(mut f) = shared.finished.lock() {
        let _ = writeln!(f, "{line}");
    }
}

/// Portal traffic: logs in, then reads the account, its registrations and the health answer in
/// a loop, each request retried until it succeeds (or [`PORTAL_DEADLINE`] passes).
async fn portal_client(
    shared: Arc<Shared>,
    http: reqwest::Client,
    base: String,
    email: String,
    password: String,
) {
    let stats = &shared.stats;
    let mut cookie: Option<String> = None;
    let paths = ["/api/v1/health", "/api/v1/me", "/api/v1/registrations"];
    let mut i = 0usize;
    while Instant::now() < shared.stop {
        let started = Instant::now();
        let ok = loop {
            let res = match &cookie {
                None => {
                    // A client claiming another address: the load balancer must not pass
                    // that on (the caller checks the login's audit entry).
                    http.post(format!("{base}/api/v1/auth/login"))
                        .header("x-forwarded-for", SPOOFED_ADDRESS)
                        .json(&json!({ "email": email, "password": password }))
                        .send()
                        .await
                }
                Some(c) => {
                    http.get(format!("{base}{}", paths[i % paths.len()]))
                        .header("cookie", c)
                        .send()
                        .await
                }
            };
            let what = if cookie.is_none() {
                "portal login"
            } else {
                "portal read"
            };
            match res {
                Ok(r) if r.status().is_success() => {
                    if cookie.is_none() {
                        let jar: Vec<String> = r
                            .headers()
                            .get_all("set-cookie")
                            .iter()
                            .filter_map(|v| v.to_str().ok())
                            .filter_map(|v| v.split(';').next())
                            .map(str::to_owned)
                            .collect();
                        cookie = Some(jar.join("; "));
                    }
                    let _ = r.bytes().await;
                    break true;
                }
                Ok(r) => {
                    let status = r.status().as_u16();
                    let kind = if status >= 500 {
                        format!("5xx {status}")
                    } else {
                        format!("{status}")
                    };
                    stats.error(what, kind, format!("HTTP {status}"));
                }
                Err(e) if e.is_timeout() => stats.error(what, "timeout".into(), e.to_string()),
                Err(e) => stats.error(what, "connection".into(), e.to_string()),
            }
            stats.portal_failed.fetch_add(1, Relaxed);
            if started.elapsed() > PORTAL_DEADLINE {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        if ok {
            stats.portal_ok.fetch_add(1, Relaxed);
        } else {
            stats.portal_retry_failed.fetch_add(1, Relaxed);
        }
        i += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn progress(shared: Arc<Shared>, begin: Instant) {
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let s = &shared.stats;
        eprintln!(
            "[chaos {:.0}s] orders started {}, finished {}, invalid {}; ACME requests failed {}; portal ok {}, failed {}",
            begin.elapsed().as_secs_f64(),
            s.orders_started.load(Relaxed),
            s.orders_finished.load(Relaxed),
            s.orders_invalid.load(Relaxed),
            s.acme_requests_failed.load(Relaxed),
            s.portal_ok.load(Relaxed),
            s.portal_failed.load(Relaxed),
        );
    }
}
