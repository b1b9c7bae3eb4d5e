//! The validation test environment: a real DNS server on loopback (Debian's pebble-challtestsrv,
//! driven over its management API) and a programmable http-01 responder on loopback.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::helpers::free_port;

/// pebble-challtestsrv answering DNS on 127.0.0.1:<port>; every A query gets 127.0.0.1 unless
/// told otherwise, and there is no AAAA unless added.
pub struct Dns {
    pub addr: String,
    management: String,
    child: std::process::Child,
    http: reqwest::Client,
}

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Dns {
    pub async fn start() -> Dns {
        let (dns_port, mgmt_port) = (free_port(), free_port());
        let child = std::process::Command::new("pebble-challtestsrv")
            .args(["-http01", "", "-https01", "", "-tlsalpn01", "", "-defaultIPv6", "", "-defaultIPv4", "127.0.0.1"])
            .arg("-dns01")
            .arg(format!("127.0.0.1:{dns_port}"))
            .arg("-management")
            .arg(format!("127.0.0.1:{mgmt_port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("pebble-challtestsrv (Debian package pebble) must be installed; cargo xtask test installs it");
        let dns = Dns {
            addr: format!("127.0.0.1:{dns_port}"),
            management: format!("http://127.0.0.1:{mgmt_port}"),
            child,
            http: reqwest::Client::new(),
        };
        for _ in 0..100 {
            if dns
                .http
                .post(format!("{}/clear-txt", dns.management))
                .json(&json!({"host": "x."}))
                .send()
                .await
                .is_ok()
            {
                return dns;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("pebble-challtestsrv did not start");
    }

    async fn call(&self, path: &str, body: serde_json::Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.management))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success(),
            "challtestsrv {path}: {}",
            res.status()
        );
    }

    /// Adds a TXT record (several may exist at one name).
    pub async fn add_txt(&self, host: &str, value: &str) {
        self.call(
            "/set-txt",
            json!({ "host": format!("{host}."), "value": value }),
        )
        .await;
    }

    pub async fn clear_txt(&self, host: &str) {
        self.call("/clear-txt", json!({ "host": format!("{host}.") }))
            .await;
    }

    /// Answers A queries for `host` with `addresses` instead of the default 127.0.0.1.
    pub async fn add_a(&self, host: &str, addresses: &[&str]) {
        self.call(
            "/add-a",
            json!({ "host": format!("{host}."), "addresses": addresses }),
        )
        .await;
    }

    pub async fn add_aaaa(&self, host: &str, addresses: &[&str]) {
        self.call(
            "/add-aaaa",
            json!({ "host": format!("{host}."), "addresses": addresses }),
        )
        .await;
    }
}

/// What the responder answers for one path.
#[derive(Clone)]
pub enum Answer {
    Body(String),
    Redirect(u16, String),
}

/// An HTTP server on 127.0.0.1 answering programmed paths.
pub struct Responder {
    pub port: u16,
    answers: Arc<Mutex<HashMap<String, Answer>>>,
    hits: Arc<Mutex<HashMap<String, u32>>>,
}

type Shared = (
    Arc<Mutex<HashMap<String, Answer>>>,
    Arc<Mutex<HashMap<String, u32>>>,
);

async fn answer(State((map, hits)): State<Shared>, Path(path): Path<String>) -> Response {
    let path = format!("/{path}");
    *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    let found = map.lock().unwrap().get(&path).cloned();
    match found {
        Some(Answer::Body(b)) => (StatusCode::OK, b).into_response(),
        Some(Answer::Redirect(code, to)) => (
            StatusCode::from_u16(code).unwrap(),
            [(header::LOCATION, to)],
            "",
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

impl Responder {
    pub async fn start() -> Responder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let answers: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let hits: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let app = axum::Router::new()
            .route("/{*path}", axum::routing::get(answer))
            .with_state((answers.clone(), hits.clone()));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Responder {
            port,
            answers,
            hits,
        }
    }

    /// How many requests `path` received.
    pub fn hits(&self, path: &str) -> u32 {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    pub fn set(&self, path: &str, answer: Answer) {
        self.answers.lock().unwrap().insert(path.to_owned(), answer);
    }

    /// Answers the http-01 token with its key authorization.
    pub fn serve_token(&self, token: &str, key_authorization: &str) {
        self.set(
            &format!("/.well-known/acme-challenge/{token}"),
            Answer::Body(format!("{key_authorization}\n")),
        );
    }
}
