//! The ACME load: `--concurrency` clients, each with an ACME account of its own, each running one
//! full order at a time on a name it has not ordered before, so every order needs a fresh
//! validation (authorization reuse is per account). A shared scheduler also keeps two clients off
//! the same name at the same moment, so one client's dns-01 clean-up never removes another's
//! TXT record.
//!
//! The run has a warm-up, then the measured window; orders that complete inside the window count.
//! When the window closes no new order starts, and the ones in flight are awaited (up to
//! [`DRAIN`]) so their failures are still reported.
//!
//! Polling ignores `Retry-After` and uses `--poll-ms`, the same for every server, so the figures
//! show how fast a server does the work rather than how long it asks clients to wait.

use std::collections::{HashMap, VecDeque};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::routing::get;
use base64::Engine;
use instant_acme::{
    Account, AuthorizationStatus, ChallengeType, ExternalAccountKey, Identifier, NewAccount,
    NewOrder, Order, OrderStatus,
};
use serde_json::json;

use crate::Challenge;

/// How long the orders still in flight at the end of the window may take to finish.
const DRAIN: Duration = Duration::from_secs(60);
/// The longest a single order may take before it counts as failed.
const ORDER_TIMEOUT: Duration = Duration::from_secs(60);
/// How many distinct error messages are kept as samples.
const ERROR_SAMPLES: usize = 5;

#[derive(clap::Args)]
pub struct RunArgs {
    /// The ACME directory URL.
    #[arg(long)]
    directory: String,
    /// PEM certificate to trust for the server's HTTPS.
    #[arg(long)]
    ca: PathBuf,
    /// EAB key id (omit for servers that need no external account binding).
    #[arg(long, requires = "eab_hmac")]
    eab_kid: Option<String>,
    /// EAB HMAC key, base64url.
    #[arg(long, requires = "eab_kid")]
    eab_hmac: Option<String>,
    /// One FQDN per line: the names the clients order.
    #[arg(long)]
    names_file: PathBuf,
    /// Concurrent clients (ACME accounts), one order in flight each.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Length of the measured window in seconds.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Warm-up before the measured window, in seconds.
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// The challenge type to answer.
    #[arg(long, value_enum)]
    challenge: Challenge,
    /// Loopback port of the http-01 responder (the server's validation port).
    #[arg(long)]
    http_port: Option<u16>,
    /// pebble-challtestsrv management URL, for dns-01 (e.g. http://127.0.0.1:8055).
    #[arg(long)]
    challtestsrv: Option<String>,
    /// Interval between polls of an order.
    #[arg(long, default_value_t = 100)]
    poll_ms: u64,
    /// Name of the server in progress lines.
    #[arg(long, default_value = "server")]
    label: String,
}

/// Where the clients publish what the validator fetches or looks up.
#[derive(Clone)]
pub(crate) enum Publisher {
    /// Tokens served by the loopback http-01 responder.
    Http(Arc<RwLock<HashMap<String, String>>>),
    /// TXT records set through pebble-challtestsrv's management API.
    Dns { http: reqwest::Client, base: String },
}

impl Publisher {
    pub(crate) async fn publish(
        &self,
        name: &str,
        token: &str,
        key_auth: &instant_acme::KeyAuthorization,
    ) -> anyhow::Result<()> {
        match self {
            Publisher::Http(tokens) => {
                tokens
                    .write()
                    .map_err(|_| anyhow::anyhow!("the token map is poisoned"))?
                    .insert(token.to_owned(), key_auth.as_str().to_owned());
            }
            Publisher::Dns { http, base } => {
                let body = json!({ "host": txt_host(name), "value": key_auth.dns_value() });
                let res = http
                    .post(format!("{base}/set-txt"))
                    .json(&body)
                    .send()
                    .await
                    .context("pebble-challtestsrv /set-txt")?;
                if !res.status().is_success() {
                    bail!("pebble-challtestsrv /set-txt answered {}", res.status());
                }
            }
        }
        Ok(())
    }

    pub(crate) async fn withdraw(&self, name: &str, token: &str) -> anyhow::Result<()> {
        match self {
            Publisher::Http(tokens) => {
                tokens
                    .write()
                    .map_err(|_| anyhow::anyhow!("the token map is poisoned"))?
                    .remove(token);
            }
            Publisher::Dns { http, base } => {
                let res = http
                    .post(format!("{base}/clear-txt"))
                    .json(&json!({ "host": txt_host(name) }))
                    .send()
                    .await
                    .context("pebble-challtestsrv /clear-txt")?;
                if !res.status().is_success() {
                    bail!("pebble-challtestsrv /clear-txt answered {}", res.status());
                }
            }
        }
        Ok(())
    }
}

fn txt_host(name: &str) -> String {
    format!("_acme-challenge.{name}.")
}

/// Serves `/.well-known/acme-challenge/{token}` on 127.0.0.1:`port`.
pub(crate) async fn start_responder(
    port: u16,
) -> anyhow::Result<Arc<RwLock<HashMap<String, String>>>> {
    async fn answer(
        State(tokens): State<Arc<RwLock<HashMap<String, String>>>>,
        UrlPath(token): UrlPath<String>,
    ) -> (StatusCode, String) {
        match tokens.read().ok().and_then(|t| t.get(&token).cloned()) {
            Some(key_auth) => (StatusCode::OK, key_auth),
            None => (StatusCode::NOT_FOUND, "no such token".into()),
        }
    }
    let tokens: Arc<RwLock<HashMap<String, String>>> = Arc::default();
    let app = axum::Router::new()
        .route("/.well-known/acme-challenge/{token}", get(answer))
        .with_state(tokens.clone());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("binding the http-01 responder to 127.0.0.1:{port}"))?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("http-01 responder stopped: {e}");
        }
    });
    Ok(tokens)
}

/// Hands out names so that each (client, name) pair is ordered at most once and no name is in
/// two clients' hands at the same moment.
pub(crate) struct Scheduler {
    in_use: Vec<bool>,
    /// Per client, the names it has not ordered yet, starting at a different offset each.
    remaining: Vec<VecDeque<usize>>,
}

/// What the scheduler has for a client.
pub(crate) enum Next {
    Name(usize),
    /// Every name left for this client is in another client's hands right now.
    Busy,
    /// The client has ordered every name.
    Exhausted,
}

impl Scheduler {
    pub(crate) fn new(names: usize, clients: usize) -> Self {
        let remaining = (0..clients)
            .map(|c| {
                let start = c * names / clients.max(1);
                (start..names).chain(0..start).collect()
            })
            .collect();
        Scheduler {
            in_use: vec![false; names],
            remaining,
        }
    }

    pub(crate) fn take(&mut self, client: usize) -> Next {
        let queue = &mut self.remaining[client];
        if queue.is_empty() {
            return Next::Exhausted;
        }
        match queue.iter().position(|&n| !self.in_use[n]) {
            Some(pos) => {
                let Some(name) = queue.remove(pos) else {
                    return Next::Busy;
                };
                self.in_use[name] = true;
                Next::Name(name)
            }
            None => Next::Busy,
        }
    }

    pub(crate) fn release(&mut self, name: usize) {
        self.in_use[name] = false;
    }
}

/// One finished order.
struct Outcome {
    finished: Instant,
    latency: Duration,
    /// Time spent in each [`PHASES`] step (successful orders only).
    phases: [Duration; 4],
    error: Option<String>,
}

/// The steps of an order whose mean durations the result reports.
const PHASES: [&str; 4] = ["order_ms", "validation_ms", "issuance_ms", "download_ms"];

/// State the clients share.
struct Shared {
    names: Vec<String>,
    scheduler: Mutex<Scheduler>,
    outcomes: Mutex<Vec<Outcome>>,
    publisher: Publisher,
    challenge: Challenge,
    poll: Duration,
    /// No order starts after this instant.
    stop: Instant,
}

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let names = crate::read_names(&args.names_file)?;
    let clients = args.concurrency.max(1);
    let publisher = match args.challenge {
        Challenge::Http01 => {
            let port = args
                .http_port
                .context("--http-port is needed for http-01")?;
            Publisher::Http(start_responder(port).await?)
        }
        Challenge::Dns01 => Publisher::Dns {
            http: reqwest::Client::new(),
            base: args
                .challtestsrv
                .clone()
                .context("--challtestsrv is needed for dns-01")?
                .trim_end_matches('/')
                .to_owned(),
        },
    };
    let new_nonce = new_nonce_url(&args).await?;
    let accounts = create_accounts(&args, clients).await?;

    let begin = Instant::now();
    let measure_start = begin + Duration::from_secs_f64(args.warmup.max(0.0));
    let measure_end = measure_start + Duration::from_secs_f64(args.seconds.max(0.1));
    let shared = Arc::new(Shared {
        scheduler: Mutex::new(Scheduler::new(names.len(), clients)),
        names,
        outcomes: Mutex::new(Vec::new()),
        publisher,
        challenge: args.challenge,
        poll: Duration::from_millis(args.poll_ms.max(1)),
        stop: measure_end,
    });
    let mut tasks = tokio::task::JoinSet::new();
    for (index, account) in accounts.into_iter().enumerate() {
        tasks.spawn(client(index, account, shared.clone()));
    }
    let progress = tokio::spawn(progress(
        shared.clone(),
        args.label.clone(),
        args.challenge,
        begin,
        measure_start,
        measure_end,
        clients,
    ));

    tokio::time::sleep_until(measure_start.into()).await;
    println!("{}", json!({ "event": "measure_start" }));
    tokio::time::sleep_until(measure_end.into()).await;
    println!("{}", json!({ "event": "measure_end" }));

    let mut exhausted = 0;
    let mut unfinished = 0;
    let drained = tokio::time::timeout(DRAIN, async {
        while let Some(joined) = tasks.join_next().await {
            if let Ok(true) = joined {
                exhausted += 1;
            }
        }
    })
    .await;
    if drained.is_err() {
        unfinished = tasks.len();
        tasks.abort_all();
    }
    progress.abort();
    if std::io::stderr().is_terminal() {
        eprintln!();
    }

    let outcomes = shared
        .outcomes
        .lock()
        .map_err(|_| anyhow::anyhow!("a client panicked"))?;
    let in_window = |o: &&Outcome| o.finished >= measure_start && o.finished <= measure_end;
    let mut latencies: Vec<f64> = outcomes
        .iter()
        .filter(in_window)
        .filter(|o| o.error.is_none())
        .map(|o| o.latency.as_secs_f64() * 1000.0)
        .collect();
    latencies.sort_by(f64::total_cmp);
    let errors_in_window = outcomes
        .iter()
        .filter(in_window)
        .filter(|o| o.error.is_some())
        .count();
    let mut samples: Vec<String> = Vec::new();
    for message in outcomes.iter().filter_map(|o| o.error.as_ref()) {
        if samples.len() < ERROR_SAMPLES && !samples.contains(message) {
            samples.push(message.clone());
        }
    }
    let window = (measure_end - measure_start).as_secs_f64();
    let mean = crate::mean(&latencies);
    let mut phases = serde_json::Map::new();
    for (i, phase) in PHASES.iter().enumerate() {
        let times: Vec<f64> = outcomes
            .iter()
            .filter(in_window)
            .filter(|o| o.error.is_none())
            .map(|o| o.phases[i].as_secs_f64() * 1000.0)
            .collect();
        phases.insert((*phase).into(), json!(crate::mean(&times)));
    }
    println!(
        "{}",
        json!({
            "event": "result",
            "server": args.label,
            "challenge": args.challenge.as_str(),
            "clients": clients,
            "window_secs": window,
            "orders": latencies.len(),
            "orders_per_sec": latencies.len() as f64 / window,
            "p50_ms": crate::percentile(&latencies, 50.0),
            "p99_ms": crate::percentile(&latencies, 99.0),
            "mean_ms": mean,
            "phases_mean": phases,
            "errors": errors_in_window,
            "orders_total": outcomes.iter().filter(|o| o.error.is_none()).count(),
            "errors_total": outcomes.iter().filter(|o| o.error.is_some()).count(),
            "error_samples": samples,
            "unfinished": unfinished,
            "exhausted_clients": exhausted,
            "new_nonce_url": new_nonce,
        })
    );
    Ok(())
}

/// Reads `newNonce` from the directory.
async fn new_nonce_url(args: &RunArgs) -> anyhow::Result<String> {
    let http = crate::https_client(&args.ca)?;
    let directory: serde_json::Value = http
        .get(&args.directory)
        .send()
        .await
        .with_context(|| format!("GET {}", args.directory))?
        .error_for_status()
        .with_context(|| format!("GET {}", args.directory))?
        .json()
        .await
        .context("the directory is not JSON")?;
    directory["newNonce"]
        .as_str()
        .map(str::to_owned)
        .context("the directory has no newNonce")
}

/// Creates one ACME account per client (not measured), eight at a time.
async fn create_accounts(args: &RunArgs, clients: usize) -> anyhow::Result<Vec<Account>> {
    let hmac = match &args.eab_hmac {
        Some(b64) => Some(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(b64.trim_end_matches('='))
                .context("--eab-hmac is not base64url")?,
        ),
        None => None,
    };
    let eab = Arc::new(match (&args.eab_kid, hmac) {
        (Some(kid), Some(key)) => Some(ExternalAccountKey::new(kid.clone(), &key)),
        _ => None,
    });
    let started = Instant::now();
    let mut accounts = Vec::with_capacity(clients);
    while accounts.len() < clients {
        let mut batch = tokio::task::JoinSet::new();
        for _ in 0..(clients - accounts.len()).min(8) {
            let (ca, directory, eab) = (args.ca.clone(), args.directory.clone(), eab.clone());
            batch.spawn(async move {
                let http = acme_http(&ca)?;
                let (account, _) = Account::builder_with_http(http)
                    .create(
                        &NewAccount {
                            contact: &[],
                            terms_of_service_agreed: true,
                            only_return_existing: false,
                        },
                        directory,
                        eab.as_ref().as_ref(),
                    )
                    .await
                    .context("creating an ACME account")?;
                anyhow::Ok(account)
            });
        }
        while let Some(made) = batch.join_next().await {
            accounts.push(made.context("an account task failed")??);
        }
    }
    eprintln!(
        "[{}] {} ACME accounts created in {:.1}s",
        args.label,
        clients,
        started.elapsed().as_secs_f64()
    );
    Ok(accounts)
}

/// The HTTP client of one ACME account: HTTP/1.1 keep-alive over TLS trusting `ca`, with
/// TCP_NODELAY (as browsers and most ACME clients set it; without it small requests can wait for
/// delayed ACKs) and the same settings for every server measured.
pub(crate) fn acme_http(ca: &std::path::Path) -> anyhow::Result<Box<dyn instant_acme::HttpClient>> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(ca)
        .with_context(|| format!("reading {}", ca.display()))?
    {
        roots
            .add(cert.with_context(|| format!("parsing {}", ca.display()))?)
            .with_context(|| format!("trusting {}", ca.display()))?;
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .context("TLS protocol versions")?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let mut tcp = hyper_util::client::legacy::connect::HttpConnector::new();
    tcp.set_nodelay(true);
    tcp.enforce_http(false);
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_only()
        .enable_http1()
        .wrap_connector(tcp);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(https);
    Ok(Box::new(client))
}

/// One client: orders names until the window closes or it has ordered every name. Returns
/// whether it ran out of names.
async fn client(index: usize, account: Account, shared: Arc<Shared>) -> bool {
    loop {
        if Instant::now() >= shared.stop {
            return false;
        }
        let next = match shared.scheduler.lock() {
            Ok(mut s) => s.take(index),
            Err(_) => return false,
        };
        let name_index = match next {
            Next::Name(n) => n,
            Next::Busy => {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
            Next::Exhausted => return true,
        };
        let name = &shared.names[name_index];
        let started = Instant::now();
        let result = tokio::time::timeout(ORDER_TIMEOUT, one_order(&account, name, &shared)).await;
        let (phases, error) = match result {
            Ok(Ok(phases)) => (phases, None),
            Ok(Err(e)) => (Default::default(), Some(format!("{name}: {e:#}"))),
            Err(_) => (
                Default::default(),
                Some(format!(
                    "{name}: the order took longer than {ORDER_TIMEOUT:?}"
                )),
            ),
        };
        if let Ok(mut s) = shared.scheduler.lock() {
            s.release(name_index);
        }
        let failed = error.is_some();
        if let Ok(mut outcomes) = shared.outcomes.lock() {
            outcomes.push(Outcome {
                finished: Instant::now(),
                latency: started.elapsed(),
                phases,
                error,
            });
        }
        if failed {
            // A server that fails at once must not turn the clients into a busy loop.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A full order for `name`: newOrder, authorization, challenge, poll, finalize, poll, download.
/// Returns the time each of the [`PHASES`] took.
async fn one_order(
    account: &Account,
    name: &str,
    shared: &Shared,
) -> anyhow::Result<[Duration; 4]> {
    let mut lap = Lap::new();
    let ids = [Identifier::Dns(name.to_owned())];
    let mut order = account
        .new_order(&NewOrder::new(&ids))
        .await
        .context("newOrder")?;
    let mut published: Vec<String> = Vec::new();
    let answered = answer_challenges(&mut order, name, shared, &mut published).await;
    let ordered = lap.next();
    let validated = match answered {
        Ok(()) => poll_until(&mut order, shared.poll, |s| {
            matches!(s, OrderStatus::Ready | OrderStatus::Invalid)
        })
        .await
        .context("waiting for validation"),
        Err(e) => Err(e),
    };
    for token in &published {
        if let Err(e) = shared.publisher.withdraw(name, token).await {
            eprintln!("withdrawing the challenge response for {name}: {e:#}");
        }
    }
    if validated? != OrderStatus::Ready {
        bail!("validation failed: {}", invalid_reason(&mut order).await);
    }
    let validation = lap.next();

    let key = rcgen::KeyPair::generate().context("making a certificate key")?;
    let mut params =
        rcgen::CertificateParams::new(vec![name.to_owned()]).context("CSR parameters")?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    let csr = params.serialize_request(&key).context("making the CSR")?;
    order.finalize_csr(csr.der()).await.context("finalize")?;
    let status = poll_until(&mut order, shared.poll, |s| {
        matches!(s, OrderStatus::Valid | OrderStatus::Invalid)
    })
    .await
    .context("waiting for issuance")?;
    if status != OrderStatus::Valid {
        bail!("issuance failed: {}", invalid_reason(&mut order).await);
    }
    let issuance = lap.next();
    let chain = order
        .certificate()
        .await
        .context("downloading the certificate")?
        .context("the order is valid but has no certificate")?;
    if !chain.contains("-----BEGIN CERTIFICATE-----") {
        bail!("the certificate download is not a PEM chain");
    }
    Ok([ordered, validation, issuance, lap.next()])
}

/// A stopwatch that hands out the time since its last lap.
struct Lap(Instant);

impl Lap {
    fn new() -> Self {
        Lap(Instant::now())
    }

    fn next(&mut self) -> Duration {
        let now = Instant::now();
        let lap = now - self.0;
        self.0 = now;
        lap
    }
}

/// Publishes the response to every pending authorization's challenge and tells the server.
async fn answer_challenges(
    order: &mut Order,
    name: &str,
    shared: &Shared,
    published: &mut Vec<String>,
) -> anyhow::Result<()> {
    let kind = match shared.challenge {
        Challenge::Http01 => ChallengeType::Http01,
        Challenge::Dns01 => ChallengeType::Dns01,
    };
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz.context("fetching the authorization")?;
        match authz.status {
            AuthorizationStatus::Pending => {}
            AuthorizationStatus::Valid => {
                bail!("the server reused a valid authorization: not a fresh validation")
            }
            other => bail!("the new authorization is {other:?}"),
        }
        let mut challenge = authz
            .challenge(kind.clone())
            .with_context(|| format!("no {} challenge offered", shared.challenge.as_str()))?;
        let key_auth = challenge.key_authorization();
        let token = challenge.token.clone();
        shared.publisher.publish(name, &token, &key_auth).await?;
        published.push(token);
        challenge
            .set_ready()
            .await
            .context("answering the challenge")?;
    }
    Ok(())
}

/// Polls the order every `every` until `done(status)`.
async fn poll_until(
    order: &mut Order,
    every: Duration,
    done: impl Fn(OrderStatus) -> bool,
) -> anyhow::Result<OrderStatus> {
    loop {
        let status = order.state().status;
        if done(status) {
            return Ok(status);
        }
        tokio::time::sleep(every).await;
        order.refresh().await.context("polling the order")?;
    }
}

/// Why an order is invalid: its problem, or its challenges' problems.
async fn invalid_reason(order: &mut Order) -> String {
    if let Some(problem) = &order.state().error {
        return problem.to_string();
    }
    let mut reasons = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        match authz {
            Ok(mut authz) => match authz.refresh().await {
                Ok(state) => reasons.extend(
                    state
                        .challenges
                        .iter()
                        .filter_map(|c| c.error.as_ref())
                        .map(|p| p.to_string()),
                ),
                Err(e) => reasons.push(format!("fetching the authorization: {e}")),
            },
            Err(e) => reasons.push(format!("fetching the authorization: {e}")),
        }
    }
    if reasons.is_empty() {
        "the order is invalid and says no more".into()
    } else {
        reasons.join("; ")
    }
}

/// Prints a progress line every second (in place on a terminal, every 5 s otherwise).
async fn progress(
    shared: Arc<Shared>,
    label: String,
    challenge: Challenge,
    begin: Instant,
    measure_start: Instant,
    measure_end: Instant,
    clients: usize,
) {
    let terminal = std::io::stderr().is_terminal();
    let mut tick = 0u64;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        tick += 1;
        if !terminal && !tick.is_multiple_of(5) {
            continue;
        }
        let now = Instant::now();
        let (ok, failed, in_window) = match shared.outcomes.lock() {
            Ok(o) => (
                o.iter().filter(|o| o.error.is_none()).count(),
                o.iter().filter(|o| o.error.is_some()).count(),
                o.iter()
                    .filter(|o| o.error.is_none() && o.finished >= measure_start)
                    .count(),
            ),
            Err(_) => return,
        };
        let phase = if now < measure_start {
            format!(
                "warm-up {:.0}/{:.0}s",
                (now - begin).as_secs_f64(),
                (measure_start - begin).as_secs_f64()
            )
        } else if now < measure_end {
            let elapsed = (now - measure_start).as_secs_f64();
            format!(
                "measuring {:.0}/{:.0}s, {:.1} orders/s",
                elapsed,
                (measure_end - measure_start).as_secs_f64(),
                in_window as f64 / elapsed.max(0.001)
            )
        } else {
            "draining the orders in flight".to_owned()
        };
        let line = format!(
            "[{label} {} x{clients}] {phase} | {ok} orders done, {failed} failed",
            challenge.as_str()
        );
        if terminal {
            eprint!("\r\x1b[2K{line}");
        } else {
            eprintln!("{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_orders_each_name_once_and_never_two_at_a_time() {
        let mut s = Scheduler::new(3, 2);
        let Next::Name(a) = s.take(0) else {
            panic!("client 0 gets a name")
        };
        let Next::Name(b) = s.take(1) else {
            panic!("client 1 gets a name")
        };
        assert_ne!(a, b);
        s.release(a);
        s.release(b);
        let mut seen = vec![a];
        while let Next::Name(n) = s.take(0) {
            assert!(!seen.contains(&n));
            seen.push(n);
            s.release(n);
        }
        assert_eq!(seen.len(), 3);
        assert!(matches!(s.take(0), Next::Exhausted));
        let Next::Name(c) = s.take(1) else {
            panic!("client 1 still has names")
        };
        // While client 1 holds c, client 0 (exhausted) gets nothing and a fresh scheduler's
        // client would be told the name is busy.
        let mut t = Scheduler::new(1, 2);
        let Next::Name(only) = t.take(0) else {
            panic!("one name")
        };
        assert!(matches!(t.take(1), Next::Busy));
        t.release(only);
        assert!(matches!(t.take(1), Next::Name(0)));
        s.release(c);
    }
}
