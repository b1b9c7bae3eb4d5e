//! `spawn_app()`: the real server on a loopback port 0, a fresh database per test (a SQLite
//! file in a temporary directory, or a fresh schema on the PostgreSQL named by
//! `CERTDIRECT_TEST_DATABASE_URL`), a manual clock, and the file outbox.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use certdirect::clock::ManualClock;
use certdirect::config::Config;
use certdirect::state::AppState;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub data_dir: tempfile::TempDir,
    pub env: HashMap<String, String>,
    server: tokio::task::JoinHandle<()>,
    mail_worker: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.mail_worker.abort();
    }
}

pub fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T01:00:00Z")
        .unwrap()
        .to_utc()
}

/// The database every test of this run uses, from the environment; SQLite when unset.
pub fn test_database_url() -> Option<String> {
    std::env::var("CERTDIRECT_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh PostgreSQL schema for one test.
async fn fresh_pg_schema(url: &str) -> String {
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let db = Database::connect(url)
        .await
        .expect("connecting to CERTDIRECT_TEST_DATABASE_URL");
    db.execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("creating a test schema");
    db.close().await.ok();
    schema
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the app with extra `CERTDIRECT_*` settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn(extra, true).await
}

async fn spawn(extra: &[(&str, &str)], workers: bool) -> TestApp {
    spawn_in(tempfile::tempdir().unwrap(), extra, workers).await
}

/// Starts the app on a data directory prepared beforehand (a CA made by a test, a restored
/// backup). Without `CERTDIRECT_DATABASE_URL` in `extra` the database is the one in it.
pub async fn spawn_in(
    data_dir: tempfile::TempDir,
    extra: &[(&str, &str)],
    workers: bool,
) -> TestApp {
    spawn_full(data_dir, extra, workers, true).await
}

/// The app with neither validation workers nor a mail worker: emails stay in the mail outbox
/// until a worker process (`spawn_process(&["--role", "worker"], …)`) sends them.
pub async fn spawn_app_without_mail_worker(extra: &[(&str, &str)]) -> TestApp {
    spawn_full(tempfile::tempdir().unwrap(), extra, false, false).await
}

async fn spawn_full(
    data_dir: tempfile::TempDir,
    extra: &[(&str, &str)],
    workers: bool,
    mail_worker: bool,
) -> TestApp {
    // Server-side errors show in the failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("CERTDIRECT_TEST_LOG").unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let static_dir = data_dir.path().join("dist");
    std::fs::create_dir_all(static_dir.join("assets")).unwrap();
    let keep_database = extra.iter().any(|(k, _)| *k == "CERTDIRECT_DATABASE_URL")
        || data_dir.path().join("certdirect.db").exists();
    std::fs::write(static_dir.join("index.html"), "<!doctype html><title>portal</title><script type=module src=/assets/boot-0123456789abcdef.js></script>").unwrap();
    std::fs::write(
        static_dir.join("assets/boot-0123456789abcdef.js"),
        "export {};",
    )
    .unwrap();

    let mut env: HashMap<String, String> = HashMap::new();
    env.insert(
        "CERTDIRECT_DATA_DIR".into(),
        data_dir.path().display().to_string(),
    );
    env.insert("CERTDIRECT_LISTEN".into(), addr.to_string());
    env.insert("CERTDIRECT_PUBLIC_URL".into(), base.clone());
    env.insert(
        "CERTDIRECT_STATIC_DIR".into(),
        static_dir.display().to_string(),
    );
    // pebble-challtestsrv cannot sign: DNSSEC validation is off unless a test sets anchors.
    env.insert("CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS".into(), "off".into());
    if let Some(url) = test_database_url().filter(|_| !keep_database) {
        env.insert(
            "CERTDIRECT_DATABASE_SCHEMA".into(),
            fresh_pg_schema(&url).await,
        );
        env.insert("CERTDIRECT_DATABASE_URL".into(), url);
    }
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    let config = Config::from_sources(None, &env).expect("test configuration");
    let clock = Arc::new(ManualClock::new(start_time()));
    let state = certdirect::build_state(config, clock.clone())
        .await
        .expect("building the app");
    let app = certdirect::app(state.clone());
    if workers {
        certdirect::orders::validation::spawn_workers(&state, 2);
    }
    // Emails go through the mail outbox even without the validation workers: this process's
    // mail worker writes the `.eml` files the tests read.
    let mail_worker = if mail_worker {
        certdirect::mail::outbox::spawn_worker(&state)
    } else {
        tokio::spawn(async {})
    };
    let server = tokio::spawn(async move {
        certdirect::serve(listener, app, None, std::future::pending())
            .await
            .unwrap();
    });
    TestApp {
        base,
        clock,
        state,
        data_dir,
        env,
        server,
        mail_worker,
    }
}

/// A browser-like client: keeps cookies, and sends the CSRF header on writes when it has the cookie.
/// Clones share the cookie jar (one browser, several tabs).
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    base: String,
    pub bearer: Option<String>,
    pub send_csrf: bool,
}

impl TestApp {
    pub fn client(&self) -> Client {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        Client {
            http: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .build()
                .unwrap(),
            jar,
            base: self.base.clone(),
            bearer: None,
            send_csrf: true,
        }
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use certdirect::clock::Clock;
        self.clock.now()
    }

    pub fn outbox(&self) -> PathBuf {
        self.data_dir.path().join("outbox")
    }

    /// Every email in the outbox, oldest first: (to, subject, decoded body). Waits (up to 10 s)
    /// until the mail outbox holds no email that is being sent or was never tried, so an email
    /// written by a request that has answered is there.
    pub async fn emails(&self) -> Vec<(String, String, String)> {
        self.mail_settled().await;
        read_outbox(&self.outbox())
    }

    /// Waits (up to 10 s) until no email of the mail outbox is being sent or waits for its first
    /// attempt.
    pub async fn mail_settled(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let db = &self.state.db;
            let row = db
                .query_one(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    "SELECT COUNT(*) AS n FROM mail_outbox WHERE status = 'sending' \
                     OR (status = 'queued' AND attempts = 0)",
                ))
                .await
                .unwrap()
                .unwrap();
            if row.try_get::<i64>("", "n").unwrap() == 0 || std::time::Instant::now() > deadline {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// The link in the newest email to `to` whose path starts with `path`.
    pub async fn link_in_email(&self, to: &str, path: &str) -> String {
        self.emails()
            .await
            .into_iter()
            .rev()
            .filter(|(rcpt, _, _)| rcpt == to)
            .find_map(|(_, _, body)| {
                body.split_whitespace()
                    .find(|w| w.starts_with("http") && w.contains(path))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| panic!("no email to {to} with a link to {path}"))
    }

    pub async fn count(&self, table: &str) -> i64 {
        let db = &self.state.db;
        let row = db
            .query_one(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    }

    /// A fresh client logged in as `email` (password [`PASSWORD`]).
    pub async fn login(&self, email: &str) -> Client {
        let client = self.client();
        let res = client
            .post(
                "/auth/login",
                &json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        client
    }

    /// Signs up, verifies by the emailed link, and returns a logged-in client and the customer ID.
    pub async fn customer(&self, email: &str) -> (Client, String) {
        let client = self.client();
        let res = client.post("/auth/signup", &signup_body(email)).await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let link = self.link_in_email(email, "/verify-email?token=").await;
        let token = link.split("token=").nth(1).unwrap();
        let res = client
            .post("/auth/verify", &json!({ "token": token }))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = client
            .post(
                "/auth/login",
                &json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        (client, id)
    }
}

pub fn read_outbox(dir: &Path) -> Vec<(String, String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let raw = std::fs::read(path).unwrap();
            let msg = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("a parsable email");
            let to = msg
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or_default()
                .to_owned();
            (
                to,
                msg.subject().unwrap_or_default().to_owned(),
                msg.body_text(0).unwrap_or_default().into_owned(),
            )
        })
        .collect()
}

pub fn signup_body(email: &str) -> Value {
    json!({ "name": "山田 太郎", "email": email, "password": PASSWORD, "billing_email": "billing@example.jp" })
}

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    pub async fn request(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        self.request_with(method, path, body, &[]).await
    }

    /// [`Client::request`] with extra request headers.
    pub async fn request_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self.http.request(method.clone(), self.url(path));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(token) = &self.bearer {
            req = req.bearer_auth(token);
        }
        if self.send_csrf && method != Method::GET {
            if let Some(csrf) = self.cookie("csrf_token") {
                req = req.header("X-CSRF-Token", csrf);
            }
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.request(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.request(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path, None).await
    }
}

/// Asserts a problem document of `status` whose type ends in `kind`; returns it.
pub async fn expect_problem(res: Response, status: StatusCode, kind: &str) -> Value {
    let got = res.status();
    let headers: HeaderMap = res.headers().clone();
    let body: Value = res.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    assert_eq!(
        headers["content-type"], "application/problem+json",
        "{body}"
    );
    assert_eq!(
        body["type"],
        format!("urn:certdirect:problem:{kind}"),
        "{body}"
    );
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

/// The `code` of the error for `field` in a problem body.
pub fn field_code(problem: &Value, field: &str) -> Option<String> {
    problem["errors"]
        .as_array()?
        .iter()
        .find(|e| e["field"] == field)
        .map(|e| e["code"].as_str().unwrap().to_owned())
}

/// A minimal SMTP server on loopback that accepts every message and keeps its DATA (kept as soon
/// as the final dot is read, before the answer).
pub struct SmtpSink {
    pub url: String,
    pub messages: Arc<std::sync::Mutex<Vec<Vec<u8>>>>,
}

impl SmtpSink {
    /// The `Message-ID` of every message received, in order.
    pub fn message_ids(&self) -> Vec<String> {
        self.messages
            .lock()
            .unwrap()
            .iter()
            .map(|m| {
                mail_parser::MessageParser::default()
                    .parse(m)
                    .and_then(|p| p.message_id().map(|id| format!("<{id}>")))
                    .unwrap_or_default()
            })
            .collect()
    }
}

pub async fn smtp_sink() -> SmtpSink {
    smtp_sink_holding(std::time::Duration::ZERO, 0).await
}

/// [`smtp_sink`] that holds its answer to the first `first` messages' DATA for `hold` (a slow
/// mail server), after keeping the message.
pub async fn smtp_sink_holding(hold: std::time::Duration, first: usize) -> SmtpSink {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let messages: Arc<std::sync::Mutex<Vec<Vec<u8>>>> = Arc::default();
    let store = messages.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                write.write_all(b"220 sink ESMTP\r\n").await.ok();
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        break;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await.ok();
                            let mut data = Vec::new();
                            loop {
                                line.clear();
                                lines.read_line(&mut line).await.ok();
                                if line == ".\r\n" || line.is_empty() {
                                    break;
                                }
                                data.extend_from_slice(line.as_bytes());
                            }
                            let n = {
                                let mut store = store.lock().unwrap();
                                store.push(data);
                                store.len()
                            };
                            if n <= first {
                                tokio::time::sleep(hold).await;
                            }
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.ok();
                }
            });
        }
    });
    SmtpSink { url, messages }
}

/// A `certdirect serve` child process, killed when dropped.
pub struct ServerProcess {
    pub base: String,
    child: std::process::Child,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: the process dies at once, holding whatever it held.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM: the graceful stop.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("running kill");
        assert!(status.success());
    }

    /// Waits up to `timeout` for the process to exit; its status, if it did.
    pub async fn exited(
        &mut self,
        timeout: std::time::Duration,
    ) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

/// A loopback port that is free for both TCP and UDP, for a process a test starts.
///
/// Chosen below Linux's ephemeral range (32768–60999): the kernel hands out ephemeral ports for
/// every outgoing connection and every bind to port 0, so a port found free there can be taken by
/// an unrelated connection before the child process binds it — under load that happened ("Address
/// already in use"). Ports 20000–31999 are never handed out that way; each test process starts at
/// its own pseudo-random offset and walks on, and the bind check skips ports another test holds.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    if NEXT.load(Ordering::Relaxed) == u32::MAX {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let seed = std::process::id().wrapping_mul(2_654_435_761) ^ nanos;
        let _ = NEXT.compare_exchange(u32::MAX, seed % SPAN, Ordering::Relaxed, Ordering::Relaxed);
    }
    for _ in 0..SPAN {
        let port = (FIRST + NEXT.fetch_add(1, Ordering::Relaxed) % SPAN) as u16;
        let tcp = std::net::TcpListener::bind(("127.0.0.1", port));
        let udp = std::net::UdpSocket::bind(("127.0.0.1", port));
        if tcp.is_ok() && udp.is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in {FIRST}..{}", FIRST + SPAN);
}

impl TestApp {
    /// Starts the real binary on this app's database and data directory, listening on its own
    /// port; `public_url` is what it hands out (the same for processes behind one load balancer).
    pub async fn spawn_process(&self, args: &[&str], public_url: Option<&str>) -> ServerProcess {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(self.data_dir.path().join(format!("process-{port}.log")))
            .unwrap();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_certdirect"))
            .arg("serve")
            .args(args)
            .env_clear()
            .envs(&self.env)
            .env("CERTDIRECT_LISTEN", format!("127.0.0.1:{port}"))
            .env("CERTDIRECT_PUBLIC_URL", public_url.unwrap_or(&base))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting certdirect serve");
        let process = ServerProcess {
            base: base.clone(),
            child,
        };
        if args.contains(&"worker") {
            // A worker serves no HTTP: wait for it to say it started.
            let log = self.data_dir.path().join(format!("process-{port}.log"));
            for _ in 0..200 {
                if std::fs::read_to_string(&log)
                    .unwrap_or_default()
                    .contains("worker started")
                {
                    return process;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!(
                "the worker process did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(res) = http.get(format!("{base}/api/v1/health")).send().await {
                if res.status().is_success() {
                    return process;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("certdirect serve on {base} did not become healthy");
    }
}
