//! Multi-perspective issuance corroboration (R-VAL-7): remote perspectives run as separate
//! `certdirect serve --role perspective` processes, each with its own DNS server, and the
//! primary applies the BR quorum to what they saw.

use std::process::{Child, Command};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::free_port;
use crate::orders::{env_with, Env};
use crate::va_env::Dns;

const SECRET: &str = "mpic-test-secret-0123456789abcdef0123";

/// One remote perspective process with its own DNS server.
struct Perspective {
    name: String,
    port: u16,
    dns: Dns,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl Drop for Perspective {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Perspective {
    fn spec(&self) -> String {
        format!("{}@jp-test=http://127.0.0.1:{}", self.name, self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the process against the http-01 responder on `http_port`.
    async fn start(&mut self, http_port: u16) {
        let log = self._dir.path().join("perspective.log");
        let child = Command::new(env!("CARGO_BIN_EXE_certdirect"))
            .args(["serve", "--role", "perspective"])
            .env_clear()
            .env("CERTDIRECT_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("CERTDIRECT_DATA_DIR", self._dir.path())
            .env("CERTDIRECT_MPIC_SECRET", SECRET)
            .env("CERTDIRECT_VA_DNS_SERVERS", &self.dns.addr)
            .env("CERTDIRECT_VA_HTTP_PORT", http_port.to_string())
            .env("CERTDIRECT_VA_ALLOW_PRIVATE", "1")
            .env("CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS", "off")
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
            .spawn()
            .expect("starting certdirect serve --role perspective");
        self.child = Some(child);
        let http = reqwest::Client::new();
        for _ in 0..400 {
            if let Ok(res) = http
                .get(format!("http://127.0.0.1:{}/api/v1/health", self.port))
                .send()
                .await
            {
                if res.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "perspective {} did not start: {}",
            self.name,
            std::fs::read_to_string(log.with_extension("err")).unwrap_or_default()
        );
    }
}

/// The primary with `n` perspectives (processes running), each with its own DNS server.
async fn setup(n: usize) -> (Env, Vec<Perspective>) {
    setup_with(n, &[]).await
}

/// [`setup`] with extra settings for the primary.
async fn setup_with(n: usize, extra: &[(&str, &str)]) -> (Env, Vec<Perspective>) {
    let mut ps = Vec::new();
    for i in 0..n {
        ps.push(Perspective {
            name: format!("p{}", i + 1),
            port: free_port(),
            dns: Dns::start().await,
            child: None,
            _dir: tempfile::tempdir().unwrap(),
        });
    }
    let specs = ps
        .iter()
        .map(Perspective::spec)
        .collect::<Vec<_>>()
        .join(",");
    let mut settings = vec![
        ("CERTDIRECT_MPIC_PERSPECTIVES", specs.as_str()),
        ("CERTDIRECT_MPIC_SECRET", SECRET),
    ];
    settings.extend_from_slice(extra);
    let e = env_with(&settings, true).await;
    for p in &mut ps {
        p.start(e.http.port).await;
    }
    (e, ps)
}

/// Orders `name` by dns-01, publishes the record at the primary's DNS and at the perspectives
/// in `seen_by`, and returns the decided authorization.
async fn dns01(e: &Env, ps: &[Perspective], name: &str, seen_by: &[usize]) -> Value {
    e.buy(name, "dv").await;
    let order = e.new_order(&[name]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    let c = e.challenge(&authz, "dns-01").clone();
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        e.key_authorization(c["token"].as_str().unwrap()).as_bytes(),
    );
    let value = crate::jose::b64(digest.as_ref());
    let host = format!("_acme-challenge.{name}");
    e.dns.add_txt(&host, &value).await;
    for i in seen_by {
        ps[*i].dns.add_txt(&host, &value).await;
    }
    let r = e.post(c["url"].as_str().unwrap(), b"{}").await;
    assert_eq!(r.status, 200, "{}", r.body);
    e.await_authz(&authz_url).await
}

/// The perspectives recorded for `name`'s challenge, as the portal shows them.
async fn recorded(e: &Env, name: &str) -> Vec<Value> {
    let orders: Value = e.portal.get("/acme-orders").await.json().await.unwrap();
    let order = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["names"][0] == name)
        .unwrap_or_else(|| panic!("no order for {name}: {orders}"));
    order["authorizations"][0]["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "dns-01")
        .unwrap()["perspectives"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn all_perspectives_agree_and_each_answer_is_recorded() {
    let (e, ps) = setup(3).await;
    let authz = dns01(&e, &ps, "agree.example.jp", &[0, 1, 2]).await;
    assert_eq!(authz["status"], "valid", "{authz}");
    let seen = recorded(&e, "agree.example.jp").await;
    assert_eq!(seen.len(), 3, "{seen:?}");
    for (p, r) in ps.iter().zip(&seen) {
        assert_eq!(r["perspective"], p.name.as_str());
        assert_eq!(r["region"], "jp-test");
        assert_eq!(r["corroborated"], true, "{r}");
    }
    // http-01 is corroborated the same way (every perspective fetches the token itself).
    e.buy("web.example.jp", "dv").await;
    let order = e.new_order(&["web.example.jp"]).await;
    let authz = e
        .pass_http(order.body["authorizations"][0].as_str().unwrap())
        .await;
    assert_eq!(authz["status"], "valid", "{authz}");
}

#[tokio::test]
async fn one_disagreeing_perspective_of_three_is_outvoted() {
    let (e, ps) = setup(3).await;
    let authz = dns01(&e, &ps, "outvoted.example.jp", &[0, 1]).await;
    assert_eq!(authz["status"], "valid", "{authz}");
    let seen = recorded(&e, "outvoted.example.jp").await;
    assert_eq!(seen[2]["perspective"], "p3");
    assert_eq!(seen[2]["corroborated"], false, "{seen:?}");
    assert!(
        seen[2]["error_detail"]
            .as_str()
            .unwrap()
            .contains("_acme-challenge.outvoted.example.jp"),
        "{seen:?}"
    );
}

#[tokio::test]
async fn two_disagreeing_perspectives_refuse_and_are_named() {
    let (e, ps) = setup(3).await;
    let authz = dns01(&e, &ps, "refused.example.jp", &[1]).await;
    assert_eq!(authz["status"], "invalid", "{authz}");
    let error = &authz["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "dns-01")
        .unwrap()["error"];
    let detail = error["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("2 of 3 remote validation perspectives did not corroborate"),
        "{detail}"
    );
    assert!(detail.contains("p1@jp-test"), "{detail}");
    assert!(detail.contains("p3@jp-test"), "{detail}");
    assert!(!detail.contains("p2@jp-test"), "{detail}");
    assert_eq!(error["type"], "urn:ietf:params:acme:error:unauthorized");
    assert_eq!(recorded(&e, "refused.example.jp").await.len(), 3);

    // The operator console lists it among the validations with a disagreeing perspective.
    let op = crate::acme::operator(&e.app).await;
    let res = op.get("/operator/validations?only=disagreed").await;
    assert_eq!(res.status(), StatusCode::OK);
    let rows: Value = res.json().await.unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["identifier"] == "refused.example.jp")
        .unwrap_or_else(|| panic!("{rows}"));
    assert_eq!(row["status"], "invalid");
    assert!(
        row["customer_id"].as_str().unwrap().starts_with('C'),
        "{row}"
    );
    let agreed: Vec<bool> = row["perspectives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["corroborated"].as_bool().unwrap())
        .collect();
    assert_eq!(agreed, [false, true, false]);
    // A customer is refused the operator's list; a bad filter is named.
    assert_eq!(
        e.portal.get("/operator/validations").await.status(),
        StatusCode::FORBIDDEN
    );
    let bad = op.get("/operator/validations?only=sometimes").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("only"));
}

#[tokio::test]
async fn a_perspective_that_is_down_counts_as_disagreeing() {
    let (e, mut ps) = setup(3).await;
    ps[0].stop();
    // One down, the others agree: within the quorum.
    let authz = dns01(&e, &ps, "onedown.example.jp", &[0, 1, 2]).await;
    assert_eq!(authz["status"], "valid", "{authz}");
    let seen = recorded(&e, "onedown.example.jp").await;
    assert_eq!(seen[0]["corroborated"], false);
    assert!(
        seen[0]["error_detail"]
            .as_str()
            .unwrap()
            .starts_with("the perspective could not be asked"),
        "{seen:?}"
    );
    // One down and one disagreeing: refused, both named.
    let authz = dns01(&e, &ps, "downanddisagree.example.jp", &[0, 1]).await;
    assert_eq!(authz["status"], "invalid", "{authz}");
    let detail = e.challenge(&authz, "dns-01")["error"]["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("p1@jp-test: the perspective could not be asked"),
        "{detail}"
    );
    assert!(detail.contains("p3@jp-test"), "{detail}");
}

/// dns-persist-01 (R-VAL-10) is corroborated like dns-01: every perspective looks the standing
/// record up itself, judges it against the primary's issuer domain names (the perspectives'
/// own default to 127.0.0.1 here), and judges its persistUntil at the primary's time of the
/// check (the test clock, 2026-11-24T01:00Z, before the record's 2026-11-25 and after it on the
/// perspectives' own clocks).
#[tokio::test]
async fn dns_persist01_is_corroborated_at_the_primarys_time() {
    let (e, ps) = setup_with(3, &[("CERTDIRECT_CAA_IDENTITIES", "ca.certdirect.test")]).await;
    let name = "persist.example.jp";
    e.buy(name, "dv").await;
    let host = format!("_validation-persist.{name}");
    let value = format!(
        "ca.certdirect.test; accounturi={}; persistUntil=1795564800",
        e.kid
    );
    e.dns.add_txt(&host, &value).await;
    for p in &ps[..2] {
        p.dns.add_txt(&host, &value).await;
    }
    let order = e.new_order(&[name]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    let c = e.challenge(&authz, "dns-persist-01").clone();
    let r = e.post(c["url"].as_str().unwrap(), b"{}").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let authz = e.await_authz(&authz_url).await;
    assert_eq!(authz["status"], "valid", "{authz}");
    let orders: Value = e.portal.get("/acme-orders").await.json().await.unwrap();
    let seen = orders[0]["authorizations"][0]["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "dns-persist-01")
        .unwrap()["perspectives"]
        .as_array()
        .cloned()
        .unwrap();
    let agreed: Vec<bool> = seen
        .iter()
        .map(|p| p["corroborated"].as_bool().unwrap())
        .collect();
    assert_eq!(agreed, [true, true, false], "{seen:?}");
    assert!(
        seen[2]["error_detail"]
            .as_str()
            .unwrap()
            .contains("no TXT record was found at _validation-persist.persist.example.jp."),
        "{seen:?}"
    );
}

#[tokio::test]
async fn perspectives_answer_only_signed_requests() {
    let mut p = Perspective {
        name: "lonely".into(),
        port: free_port(),
        dns: Dns::start().await,
        child: None,
        _dir: tempfile::tempdir().unwrap(),
    };
    p.start(free_port()).await;
    let url = format!("http://127.0.0.1:{}/mpic/v1/validate", p.port);
    let check = json!({
        "method": "dns-01", "identifier": "x.example.jp", "wildcard": false, "token": "t",
        "key_authorization": "t.k", "account_uri": "http://127.0.0.1/acme/acct/1"
    })
    .to_string();
    let http = reqwest::Client::new();
    let unsigned = http.post(&url).body(check.clone()).send().await.unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let now = certdirect::va::mpic::unix_now();
    let forged = http
        .post(&url)
        .header(certdirect::va::mpic::TIMESTAMP_HEADER, now.to_string())
        .header(
            certdirect::va::mpic::SIGNATURE_HEADER,
            certdirect::va::mpic::sign(&"x".repeat(40), now, check.as_bytes()),
        )
        .body(check.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    let signed = http
        .post(&url)
        .header(certdirect::va::mpic::TIMESTAMP_HEADER, now.to_string())
        .header(
            certdirect::va::mpic::SIGNATURE_HEADER,
            certdirect::va::mpic::sign(SECRET, now, check.as_bytes()),
        )
        .body(check)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::OK);
    let ts = signed.headers()[certdirect::va::mpic::TIMESTAMP_HEADER]
        .to_str()
        .unwrap()
        .to_owned();
    let sig = signed.headers()[certdirect::va::mpic::SIGNATURE_HEADER]
        .to_str()
        .unwrap()
        .to_owned();
    let body = signed.bytes().await.unwrap();
    certdirect::va::mpic::verify(SECRET, Some(&ts), Some(&sig), &body, now).unwrap();
    let outcome: Value = serde_json::from_slice(&body).unwrap();
    assert!(outcome["result"]["Err"]["detail"]
        .as_str()
        .unwrap()
        .contains("_acme-challenge.x.example.jp"));
}

#[tokio::test]
async fn health_reports_fewer_than_five_perspectives_as_not_compliant() {
    let (e, _ps) = setup(3).await;
    let health: Value = e.portal.get("/health").await.json().await.unwrap();
    assert_eq!(health["mpic"], "not-compliant", "{health}");
    assert_eq!(health["mpic_perspectives"], 3, "{health}");
}
