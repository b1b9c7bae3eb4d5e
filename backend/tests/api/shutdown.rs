//! The graceful stop (issue "Scale-out and failure, proven" item 2), with the real binary as
//! separate processes: SIGTERM stops accepting, finishes the requests in flight, gives back the
//! validation jobs it holds; a worker killed with SIGKILL loses its lease and another worker
//! finishes the job exactly once.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;
use crate::orders::{env_with, Env};
use crate::va_env::Answer;

fn host_port(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

/// A signup whose body is half sent when SIGTERM arrives: the process stops accepting new
/// connections at once, finishes this request (201, the customer stored) and exits cleanly.
#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_and_refuses_new_connections() {
    let app = spawn_app().await;
    let mut server = app.spawn_process(&[], None).await;
    let addr = host_port(&server.base);
    let body = serde_json::to_vec(&signup_body("inflight@example.jp")).unwrap();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/signup HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.terminate();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        tokio::net::TcpStream::connect(&addr).await.is_err(),
        "a new connection after SIGTERM is refused"
    );
    stream.write_all(&body[10..]).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the answer within the grace")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let status = server
        .exited(Duration::from_secs(10))
        .await
        .expect("the process exits");
    assert!(status.success(), "{status:?}");
    assert_eq!(app.count("customers").await, 1);
}

/// With `CERTDIRECT_SHUTDOWN_DELAY_SECS`, readiness answers 503 from SIGTERM on while
/// connections are still taken, so a load balancer drops the process before it stops accepting.
#[tokio::test]
async fn readiness_answers_503_from_sigterm_on() {
    let app = spawn_app_with(&[("CERTDIRECT_SHUTDOWN_DELAY_SECS", "2")]).await;
    let mut server = app.spawn_process(&["--role", "web"], None).await;
    let http = reqwest::Client::new();
    let ready = format!("{}/api/v1/health/ready", server.base);
    let res = http.get(&ready).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let res = http.get(&ready).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["status"],
        "stopping"
    );
    // Liveness stays 200 meanwhile.
    let res = http
        .get(format!("{}/api/v1/health", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let status = server
        .exited(Duration::from_secs(10))
        .await
        .expect("the process exits after the delay");
    assert!(status.success(), "{status:?}");
    assert!(tokio::net::TcpStream::connect(host_port(&server.base))
        .await
        .is_err());
}

struct Job {
    status: String,
    attempts: i32,
    locked_by: Option<String>,
}

async fn jobs(e: &Env) -> Vec<Job> {
    let db = &e.app.state.db;
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        "SELECT status, attempts, locked_by FROM validation_jobs ORDER BY id",
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| Job {
        status: r.try_get("", "status").unwrap(),
        attempts: r.try_get("", "attempts").unwrap(),
        locked_by: r.try_get("", "locked_by").unwrap(),
    })
    .collect()
}

/// An order for `name` whose http-01 answer is slow the first time; the challenge answered.
/// Returns the order, its authorization URL and the challenge path.
async fn slow_challenge(e: &Env, name: &str) -> (serde_json::Value, String, String) {
    e.buy(name, "dv").await;
    let order = e.new_order(&[name]).await;
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    let c = e.challenge(&authz, "http-01").clone();
    let token = c["token"].as_str().unwrap().to_owned();
    let path = format!("/.well-known/acme-challenge/{token}");
    e.http.set(
        &path,
        Answer::SlowFirst(
            format!("{}\n", e.key_authorization(&token)),
            Duration::from_secs(20),
        ),
    );
    (order.body, authz_url, path)
}

async fn wait_hits(e: &Env, path: &str, n: u32) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while e.http.hits(path) < n {
        assert!(Instant::now() < deadline, "no validation request");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Worker A takes the job and is SIGKILLed while its validation waits on the slow answer;
/// worker B leaves the job alone while A's lease runs, takes it once the lease has run out (the
/// workers' test clock is moved past it), and finishes it: one validation completed, one
/// certificate.
#[tokio::test]
async fn a_worker_killed_holding_a_lease_is_finished_by_another_exactly_once() {
    let clock_dir = tempfile::tempdir().unwrap();
    let clock_file = clock_dir.path().join("clock");
    let clock_path = clock_file.display().to_string();
    let e = env_with(&[("CERTDIRECT_TEST_CLOCK_FILE", &clock_path)], false).await;
    let (order, authz_url, path) = slow_challenge(&e, "killed.jp").await;
    let mut a = e.app.spawn_process(&["--role", "worker"], None).await;
    let chall = {
        let authz = e.get(&authz_url).await.body;
        e.challenge(&authz, "http-01")["url"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    e.post(&chall, b"{}").await;
    wait_hits(&e, &path, 1).await;
    let held = jobs(&e).await;
    assert!(held[0]
        .locked_by
        .as_deref()
        .is_some_and(|w| w.starts_with(&format!("pid{}-", a.pid()))));
    let b = e.app.spawn_process(&["--role", "worker"], None).await;
    a.kill();
    // B waits for A's lease.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(e.http.hits(&path), 1);
    assert_eq!(jobs(&e).await[0].status, "running");
    // Time passes for the workers: A's lease (60 s) runs out.
    std::fs::write(
        &clock_file,
        (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc3339(),
    )
    .unwrap();
    let authz = e.await_authz(&authz_url).await;
    assert_eq!(authz["status"], "valid", "{authz}");
    assert_eq!(e.http.hits(&path), 2, "validated once more, by B only");
    let done = jobs(&e).await;
    assert_eq!(done.len(), 1);
    assert_eq!((done[0].status.as_str(), done[0].attempts), ("done", 2));
    assert!(done[0]
        .locked_by
        .as_deref()
        .is_some_and(|w| w.starts_with(&format!("pid{}-", b.pid()))));
    let (r, _) = e.finalize(&order, &["killed.jp"]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(e.app.count("certificates").await, 1);
    let db = &e.app.state.db;
    let valid = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM acme_challenges WHERE status = 'valid'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(valid, 1);
}

/// SIGTERM to a worker whose validation outlasts the grace: the job is given back (queued, the
/// start not counted) as the process exits, and another worker takes it at once — no lease to
/// wait for.
#[tokio::test]
async fn sigterm_gives_back_a_running_validation_job() {
    let e = env_with(&[("CERTDIRECT_SHUTDOWN_GRACE_SECS", "1")], false).await;
    let (_, authz_url, path) = slow_challenge(&e, "stopped.jp").await;
    let mut a = e.app.spawn_process(&["--role", "worker"], None).await;
    let authz = e.get(&authz_url).await.body;
    let chall = e.challenge(&authz, "http-01")["url"]
        .as_str()
        .unwrap()
        .to_owned();
    e.post(&chall, b"{}").await;
    wait_hits(&e, &path, 1).await;
    let _b = e.app.spawn_process(&["--role", "worker"], None).await;
    let stopped_at = Instant::now();
    a.terminate();
    let status = a
        .exited(Duration::from_secs(10))
        .await
        .expect("the worker exits after its grace");
    assert!(status.success(), "{status:?}");
    let authz = e.await_authz(&authz_url).await;
    assert_eq!(authz["status"], "valid", "{authz}");
    assert!(
        stopped_at.elapsed() < Duration::from_secs(15),
        "taken at once, not after the 60 s lease: {:?}",
        stopped_at.elapsed()
    );
    assert_eq!(e.http.hits(&path), 2);
    let done = jobs(&e).await;
    assert_eq!((done[0].status.as_str(), done[0].attempts), ("done", 1));
}
