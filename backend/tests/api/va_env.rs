//! The validation test environment: real DNS servers on loopback (Debian's pebble-challtestsrv,
//! driven over its management API, and BIND's named serving zone files, signed or not) and a
//! programmable http-01 responder on loopback.

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
        // Generous: on a loaded 2-core machine the process can take seconds to come up.
        for _ in 0..400 {
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

    /// Answers CAA queries for `host` with `(tag, value)` records (flags 0).
    pub async fn add_caa(&self, host: &str, policies: &[(&str, &str)]) {
        let policies: Vec<serde_json::Value> = policies
            .iter()
            .map(|(tag, value)| json!({ "tag": tag, "value": value }))
            .collect();
        self.call(
            "/add-caa",
            json!({ "host": format!("{host}."), "policies": policies }),
        )
        .await;
    }

    /// Answers every query for `host` with SERVFAIL.
    pub async fn set_servfail(&self, host: &str) {
        self.call("/set-servfail", json!({ "host": format!("{host}.") }))
            .await;
    }
}

/// Runs a tool of BIND's, panicking with its output when it fails; its stdout.
fn bind_tool(dir: &std::path::Path, program: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} (Debian package bind9-utils) must be installed; cargo xtask test installs it ({e})")
        });
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// How a zone is served.
#[derive(Clone)]
pub enum Signing {
    Unsigned,
    /// Signed with a key-signing and a zone-signing key, NSEC proving what does not exist.
    Signed,
    /// Signed, with NSEC3 (RFC 5155, no salt) proving what does not exist.
    SignedNsec3,
    /// Signed, and then each `(from, to)` text replaced in the signed file, so the records
    /// changed no longer match their signatures.
    Tampered(Vec<(String, String)>),
}

/// A zone for [`Bind::serve`]: its name (no trailing dot) and zone-file lines relative to it
/// (`@ A 127.0.0.1`, `_acme-challenge TXT "…"`). The SOA, NS and the delegations to child zones
/// served alongside (with their DS when they are signed) are added.
pub struct Zone {
    pub name: String,
    pub records: Vec<String>,
    pub signing: Signing,
}

/// BIND's named, authoritative only, on a free loopback port, with zones written (and signed
/// with dnssec-keygen and dnssec-signzone) in a temporary directory. Keys are made first
/// ([`Bind::prepare`]), so that a test can give their anchors to the server under test before
/// the zones (which need its tokens) are written.
pub struct Bind {
    pub addr: String,
    pub port: u16,
    dir: tempfile::TempDir,
    /// zone → (key-signing key, zone-signing key) file base names.
    keys: HashMap<String, (String, String)>,
    child: Option<std::process::Child>,
}

impl Drop for Bind {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Bind {
    /// A port and a directory for named, and keys for each zone in `signed`.
    pub fn prepare(signed: &[&str]) -> Bind {
        let found = std::process::Command::new("named").arg("-v").output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "named (Debian package bind9) must be installed; cargo xtask test installs it"
        );
        let dir = tempfile::tempdir().unwrap();
        let mut keys = HashMap::new();
        for zone in signed {
            let keygen = |extra: &[&str]| {
                let mut args = vec!["-q", "-a", "ECDSAP256SHA256"];
                args.extend_from_slice(extra);
                args.push(zone);
                bind_tool(dir.path(), "dnssec-keygen", &args)
                    .trim()
                    .to_owned()
            };
            let ksk = keygen(&["-f", "KSK"]);
            let zsk = keygen(&[]);
            keys.insert(zone.to_string(), (ksk, zsk));
        }
        let port = free_port();
        Bind {
            addr: format!("127.0.0.1:{port}"),
            port,
            dir,
            keys,
            child: None,
        }
    }

    /// The key-signing key of `zone` as dnssec-keygen wrote it: comments and one DNSKEY record.
    pub fn ksk_file(&self, zone: &str) -> std::path::PathBuf {
        let (ksk, _) = &self.keys[zone];
        self.dir.path().join(format!("{ksk}.key"))
    }

    /// The DS record (SHA-256) of `zone`'s key-signing key, as dnssec-dsfromkey prints it.
    pub fn ds(&self, zone: &str) -> String {
        let key = self.ksk_file(zone);
        bind_tool(
            self.dir.path(),
            "dnssec-dsfromkey",
            &["-2", key.to_str().unwrap()],
        )
    }

    /// Writes `text` to a file in the directory; its path.
    pub fn write(&self, name: &str, text: &str) -> std::path::PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn zone_text(&self, zone: &Zone, all: &[Zone]) -> String {
        let name = &zone.name;
        let mut text = format!(
            "$TTL 300\n@ SOA ns.{name}. hostmaster.{name}. 1 3600 600 86400 300\n@ NS ns.{name}.\nns A 127.0.0.1\n"
        );
        for line in &zone.records {
            text.push_str(line);
            text.push('\n');
        }
        // Delegations to the zones served here whose closest served parent this is.
        for child in all {
            let Some(label) = child.name.strip_suffix(&format!(".{name}")) else {
                continue;
            };
            let closer = all.iter().any(|z| {
                z.name != *name
                    && z.name != child.name
                    && child.name.ends_with(&format!(".{}", z.name))
                    && z.name.ends_with(&format!(".{name}"))
            });
            if closer {
                continue;
            }
            text.push_str(&format!(
                "{label} NS ns.{}.\nns.{label} A 127.0.0.1\n",
                child.name
            ));
            if !matches!(child.signing, Signing::Unsigned) {
                text.push_str(&self.ds(&child.name));
            }
        }
        if !matches!(zone.signing, Signing::Unsigned) {
            let (ksk, zsk) = &self.keys[name.as_str()];
            for key in [ksk, zsk] {
                text.push_str(
                    &std::fs::read_to_string(self.dir.path().join(format!("{key}.key"))).unwrap(),
                );
            }
        }
        text
    }

    /// Writes and signs `zones` and starts named serving them; returns once it runs.
    pub async fn serve(&mut self, zones: &[Zone]) {
        let dir = self.dir.path().to_owned();
        let mut conf = format!(
            "options {{ directory \"{d}\"; pid-file \"{d}/named.pid\"; session-keyfile \"{d}/session.key\"; managed-keys-directory \"{d}\"; listen-on port {p} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }}; recursion no; dnssec-validation no; notify no; }};\n",
            d = dir.display(),
            p = self.port
        );
        for zone in zones {
            let file = format!("{}.zone", zone.name);
            std::fs::write(dir.join(&file), self.zone_text(zone, zones)).unwrap();
            let served = match &zone.signing {
                Signing::Unsigned => file,
                signing => {
                    let signed = format!("{file}.signed");
                    let mut args = vec!["-q", "-o", &zone.name, "-f", &signed];
                    if matches!(signing, Signing::SignedNsec3) {
                        args.extend(["-3", "-"]);
                    }
                    args.push(&file);
                    bind_tool(&dir, "dnssec-signzone", &args);
                    if matches!(signing, Signing::SignedNsec3) {
                        let text = std::fs::read_to_string(dir.join(&signed)).unwrap();
                        assert!(text.contains("NSEC3PARAM"), "{signed} has no NSEC3 chain");
                    }
                    if let Signing::Tampered(changes) = signing {
                        let mut text = std::fs::read_to_string(dir.join(&signed)).unwrap();
                        for (from, to) in changes {
                            assert!(text.contains(from.as_str()), "{from} is not in {signed}");
                            text = text.replace(from.as_str(), to);
                        }
                        std::fs::write(dir.join(&signed), text).unwrap();
                    }
                    signed
                }
            };
            conf.push_str(&format!(
                "zone \"{}\" {{ type primary; file \"{}/{served}\"; }};\n",
                zone.name,
                dir.display()
            ));
        }
        std::fs::write(dir.join("named.conf"), conf).unwrap();
        let log = dir.join("named.log");
        let child = std::process::Command::new("named")
            .args(["-g", "-c"])
            .arg(dir.join("named.conf"))
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("named (Debian package bind9) must be installed; cargo xtask test installs it");
        self.child = Some(child);
        for _ in 0..200 {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.lines().any(|l| l.ends_with(" running")) {
                for zone in zones {
                    let loaded = format!("zone {}/IN: loaded serial", zone.name);
                    assert!(
                        text.contains(&loaded),
                        "named did not load {}: {text}",
                        zone.name
                    );
                }
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("named exited ({status}): {text}");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "named did not start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
}

/// What the responder answers for one path.
#[derive(Clone)]
pub enum Answer {
    Body(String),
    /// The body, the first request for the path answered only after the delay.
    SlowFirst(String, std::time::Duration),
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
    let hit = {
        let mut hits = hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    let found = map.lock().unwrap().get(&path).cloned();
    match found {
        Some(Answer::Body(b)) => (StatusCode::OK, b).into_response(),
        Some(Answer::SlowFirst(b, delay)) => {
            if hit == 1 {
                tokio::time::sleep(delay).await;
            }
            (StatusCode::OK, b).into_response()
        }
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
