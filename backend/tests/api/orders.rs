//! Orders, validation and issuance (R-ACME-4..7, R-VAL-1..5, R-VAL-9, R-CA-1..3), with a real
//! DNS server and a real HTTP responder on loopback.

use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::acme::applied_customer;
use crate::helpers::*;
use crate::jose::{b64, Acme, Reply, Signer};
use crate::va_env::{Answer, Dns, Responder};

pub struct Env {
    pub app: TestApp,
    pub dns: Dns,
    pub http: Responder,
    pub portal: Client,
    pub acme: Acme,
    pub signer: Signer,
    pub kid: String,
}

pub async fn env_with(extra: &[(&str, &str)], workers: bool) -> Env {
    env_in(tempfile::tempdir().unwrap(), extra, workers).await
}

/// [`env_with`] on a data directory prepared beforehand.
pub async fn env_in(data_dir: tempfile::TempDir, extra: &[(&str, &str)], workers: bool) -> Env {
    let dns = Dns::start().await;
    let http = Responder::start().await;
    let port = http.port.to_string();
    let mut settings = vec![
        ("CERTDIRECT_VA_DNS_SERVERS", dns.addr.as_str()),
        ("CERTDIRECT_VA_HTTP_PORT", port.as_str()),
        ("CERTDIRECT_VA_ALLOW_PRIVATE", "1"),
    ];
    settings.extend_from_slice(extra);
    let app = spawn_in(data_dir, &settings, workers).await;
    let (portal, _, a) = applied_customer(&app, "acme@example.jp").await;
    let acme = Acme::new(&app.base);
    let signer = Signer::es256();
    let (kid, hmac) = (
        a["eab"]["key_id"].as_str().unwrap(),
        a["eab"]["hmac_key"].as_str().unwrap(),
    );
    let kid = acme
        .new_account(&signer, Some((kid, hmac)))
        .await
        .location();
    Env {
        app,
        dns,
        http,
        portal,
        acme,
        signer,
        kid,
    }
}

pub async fn env() -> Env {
    env_with(&[], true).await
}

impl Env {
    /// Registers and pays for a name (STEP 5–11).
    pub async fn buy(&self, fqdn: &str, t: &str) -> Value {
        let res = self
            .portal
            .post("/registrations", &json!({ "fqdn": fqdn, "type": t, "period_years": 1, "payment_method": "card", "agree_terms": true }))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let created: Value = res.json().await.unwrap();
        let number = created["invoice"]["number"].as_str().unwrap();
        let card = json!({ "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123" });
        assert_eq!(
            self.portal
                .post(&format!("/invoices/{number}/pay"), &card)
                .await
                .status(),
            StatusCode::OK
        );
        created["registration"].clone()
    }

    pub async fn post(&self, url: &str, payload: &[u8]) -> Reply {
        self.acme
            .post_kid(&self.signer, &self.kid, url, payload)
            .await
    }

    pub async fn get(&self, url: &str) -> Reply {
        self.post(url, b"").await
    }

    pub async fn new_order(&self, names: &[&str]) -> Reply {
        let ids: Vec<Value> = names
            .iter()
            .map(|n| json!({ "type": "dns", "value": n }))
            .collect();
        self.post(
            &self.acme.url("/new-order"),
            json!({ "identifiers": ids }).to_string().as_bytes(),
        )
        .await
    }

    /// newOrder for `names` asking for `profile` (R-ACME-9).
    pub async fn new_order_with_profile(&self, names: &[&str], profile: &str) -> Reply {
        let ids: Vec<Value> = names
            .iter()
            .map(|n| json!({ "type": "dns", "value": n }))
            .collect();
        self.post(
            &self.acme.url("/new-order"),
            json!({ "identifiers": ids, "profile": profile })
                .to_string()
                .as_bytes(),
        )
        .await
    }

    pub fn key_authorization(&self, token: &str) -> String {
        let jwk = certdirect::jose::Jwk::from_json(&self.signer.jwk).unwrap();
        format!("{token}.{}", jwk.thumbprint())
    }

    pub fn challenge<'a>(&self, authz: &'a Value, kind: &str) -> &'a Value {
        authz["challenges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == kind)
            .unwrap()
    }

    /// Polls until the authorization is decided.
    pub async fn await_authz(&self, url: &str) -> Value {
        let start = Instant::now();
        loop {
            let authz = self.get(url).await.body;
            if authz["status"] != "pending" || start.elapsed() > StdDuration::from_secs(20) {
                return authz;
            }
            tokio::time::sleep(StdDuration::from_millis(50)).await;
        }
    }

    /// Answers http-01 for `authz_url` and waits for the verdict.
    pub async fn pass_http(&self, authz_url: &str) -> Value {
        let authz = self.get(authz_url).await.body;
        let c = self.challenge(&authz, "http-01");
        let token = c["token"].as_str().unwrap();
        self.http.serve_token(token, &self.key_authorization(token));
        let r = self.post(c["url"].as_str().unwrap(), b"{}").await;
        assert_eq!(r.status, 200, "{}", r.body);
        self.await_authz(authz_url).await
    }

    /// Publishes the dns-01 TXT record for `authz_url` and responds.
    pub async fn pass_dns(&self, authz_url: &str) -> Value {
        let authz = self.get(authz_url).await.body;
        let c = self.challenge(&authz, "dns-01");
        let token = c["token"].as_str().unwrap();
        let digest = ring::digest::digest(
            &ring::digest::SHA256,
            self.key_authorization(token).as_bytes(),
        );
        let digest = b64(digest.as_ref());
        self.dns
            .add_txt(
                &format!(
                    "_acme-challenge.{}",
                    authz["identifier"]["value"].as_str().unwrap()
                ),
                &digest,
            )
            .await;
        let r = self.post(c["url"].as_str().unwrap(), b"{}").await;
        assert_eq!(r.status, 200, "{}", r.body);
        self.await_authz(authz_url).await
    }

    pub async fn finalize(&self, order: &Value, names: &[&str]) -> (Reply, rcgen::KeyPair) {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        let csr = params.serialize_request(&key).unwrap();
        (self.finalize_der(order, csr.der()).await, key)
    }

    pub async fn finalize_der(&self, order: &Value, der: &[u8]) -> Reply {
        self.post(
            order["finalize"].as_str().unwrap(),
            json!({ "csr": b64(der) }).to_string().as_bytes(),
        )
        .await
    }

    /// A full http-01 issuance for `names` (registered beforehand); returns (order, PEM chain).
    pub async fn issue_http(&self, names: &[&str]) -> (Value, String) {
        let order = self.new_order(names).await;
        assert_eq!(order.status, 201, "{}", order.body);
        for authz in order.body["authorizations"].as_array().unwrap() {
            let decided = self.pass_http(authz.as_str().unwrap()).await;
            assert_eq!(decided["status"], "valid", "{decided}");
        }
        let (done, _) = self.finalize(&order.body, names).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!(done.body["status"], "valid");
        let chain = self.get(done.body["certificate"].as_str().unwrap()).await;
        assert_eq!(
            chain.headers["content-type"],
            "application/pem-certificate-chain"
        );
        (done.body, chain.body.as_str().unwrap().to_owned())
    }
}

pub fn pem_blocks(chain: &str) -> Vec<Vec<u8>> {
    use rustls_pki_types::pem::PemObject;
    rustls_pki_types::CertificateDer::pem_slice_iter(chain.as_bytes())
        .map(|c| c.unwrap().to_vec())
        .collect()
}

/// STEP 12 by http-01: the certificate is right and the first issuance activates the registration.
#[tokio::test]
async fn http01_issuance_activates_the_registration() {
    let e = env().await;
    let reg = e.buy("example.jp", "dv").await;
    let (order, chain) = e.issue_http(&["example.jp", "www.example.jp"]).await;
    let certs = pem_blocks(&chain);
    assert_eq!(certs.len(), 2, "leaf and intermediate");
    let (_, leaf) = x509_parser::parse_x509_certificate(&certs[0]).unwrap();
    let (_, issuer) = x509_parser::parse_x509_certificate(&certs[1]).unwrap();
    leaf.verify_signature(Some(issuer.public_key()))
        .expect("signed by the intermediate");
    let sans: Vec<String> = leaf
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(sans, ["DNSName(example.jp)", "DNSName(www.example.jp)"]);
    assert_eq!(leaf.subject().iter_common_name().count(), 0, "SANs only");
    assert!(
        leaf.extended_key_usage()
            .unwrap()
            .unwrap()
            .value
            .server_auth
    );
    assert_eq!(leaf.raw_serial().len(), 16, "128-bit serial");
    let exts: Vec<String> = leaf
        .extensions()
        .iter()
        .map(|x| x.oid.to_id_string())
        .collect();
    assert!(
        exts.contains(&"1.3.6.1.5.5.7.1.1".to_owned()),
        "AIA: {exts:?}"
    );
    assert!(
        exts.contains(&"2.5.29.31".to_owned()),
        "CRL distribution point: {exts:?}"
    );
    let lifetime = leaf.validity().not_after.timestamp() - leaf.validity().not_before.timestamp();
    assert_eq!(
        lifetime,
        (Duration::days(90) + Duration::minutes(1)).num_seconds(),
        "90 days by default (R-CA-2)"
    );

    // R-ACME-7: the registration is active, its contract started now.
    let r: Value = e
        .portal
        .get(&format!("/registrations/{}", reg["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["state"], "active");
    assert_eq!(r["activated_at"], "2026-11-24T01:00:00Z");
    assert_eq!(r["contract_end"], "2027-11-24T01:00:00Z");

    // The account's orders list it; a new order reuses the valid authorizations (R-ACME-5).
    let list = e.get(&format!("{}/orders", e.kid)).await;
    assert_eq!(list.body["orders"].as_array().unwrap().len(), 1);
    let again = e.new_order(&["www.example.jp"]).await;
    assert_eq!(again.body["status"], "ready", "{}", again.body);
    assert!(order["authorizations"]
        .as_array()
        .unwrap()
        .contains(&again.body["authorizations"][0]));
}

/// dns-01, a wildcard with its base name, and several TXT records of which one matches.
#[tokio::test]
async fn dns01_wildcard_issuance() {
    let e = env().await;
    e.buy("*.wild.jp", "dv_wildcard").await;
    let order = e.new_order(&["*.wild.jp", "wild.jp"]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let authzs: Vec<Value> = {
        let mut v = Vec::new();
        for a in order.body["authorizations"].as_array().unwrap() {
            v.push(e.get(a.as_str().unwrap()).await.body);
        }
        v
    };
    let wildcard = authzs.iter().find(|a| a["wildcard"] == true).unwrap();
    let kinds: Vec<&str> = wildcard["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["dns-01", "dns-persist-01"],
        "http-01 is not offered for a wildcard (R-VAL-1)"
    );
    assert_eq!(wildcard["identifier"]["value"], "wild.jp");
    e.dns
        .add_txt("_acme-challenge.wild.jp", "an unrelated verification value")
        .await;
    for a in order.body["authorizations"].as_array().unwrap() {
        let decided = e.pass_dns(a.as_str().unwrap()).await;
        assert_eq!(decided["status"], "valid", "{decided}");
    }
    let (done, _) = e.finalize(&order.body, &["*.wild.jp", "wild.jp"]).await;
    assert_eq!(done.body["status"], "valid", "{}", done.body);
}

/// R-ACME-4: each refusal with its problem type and a detail saying why.
#[tokio::test]
async fn orders_outside_the_registrations_are_refused() {
    let e = env().await;
    e.buy("example.jp", "dv").await;
    let unpaid = e
        .portal
        .post("/registrations", &json!({ "fqdn": "unpaid.jp", "type": "dv", "period_years": 1, "payment_method": "bank_transfer", "agree_terms": true }))
        .await;
    assert_eq!(unpaid.status(), StatusCode::CREATED);
    e.buy("lapsing.jp", "dv").await;
    let table: &[(&str, &str)] = &[
        (
            "nobody.jp",
            "no usage FQDN registration of yours covers nobody.jp",
        ),
        ("unpaid.jp", "awaiting payment"),
        (
            "mail.example.jp",
            "not covered by the dv registration of example.jp",
        ),
        ("*.example.jp", "needs a dv_wildcard registration"),
    ];
    for (name, why) in table {
        let r = e.new_order(&[name]).await;
        let detail = r.expect_problem("rejectedIdentifier");
        assert!(detail.contains(why), "{name}: {detail}");
        let sub = &r.body["subproblems"][0];
        assert_eq!(sub["type"], "urn:ietf:params:acme:error:rejectedIdentifier");
        assert_eq!(sub["identifier"]["value"], *name);
    }
    // One good and one bad name: the whole order is refused, naming only the bad one.
    let r = e.new_order(&["example.jp", "nobody.jp"]).await;
    r.expect_problem("rejectedIdentifier");
    assert_eq!(r.body["subproblems"].as_array().unwrap().len(), 1);
    // Past its deadline a registration lapses (even before the scheduler runs).
    e.app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2027-12-01T00:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    let r = e.new_order(&["lapsing.jp"]).await;
    assert!(r.expect_problem("rejectedIdentifier").contains("lapsed"));
    let r = e
        .post(
            &e.acme.url("/new-order"),
            br#"{"identifiers":[{"type":"ip","value":"192.0.2.1"}]}"#,
        )
        .await;
    r.expect_problem("unsupportedIdentifier");
}

pub async fn failed_http(e: &Env, name: &str, setup: impl Fn(&str, &str)) -> String {
    let order = e.new_order(&[name]).await;
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    let c = e.challenge(&authz, "http-01");
    let token = c["token"].as_str().unwrap();
    setup(token, &e.key_authorization(token));
    e.post(c["url"].as_str().unwrap(), b"{}").await;
    let decided = e.await_authz(&authz_url).await;
    assert_eq!(decided["status"], "invalid", "{decided}");
    let c = e.challenge(&decided, "http-01");
    assert_eq!(c["status"], "invalid");
    c["error"]["detail"].as_str().unwrap().to_owned()
}

/// R-VAL-1, R-VAL-5, R-VAL-9: each http-01 failure is explained with what was fetched.
#[tokio::test]
async fn http01_failures_say_what_happened() {
    let e = env().await;
    for n in ["a.jp", "b.jp", "c.jp", "d.jp", "e.jp", "f.jp"] {
        e.buy(n, "dv").await;
    }
    let port = e.http.port;
    let path = |t: &str| format!("/.well-known/acme-challenge/{t}");
    let detail = failed_http(&e, "a.jp", |_, _| {}).await;
    assert!(
        detail.contains("answered 404")
            && detail.contains("http://a.jp/.well-known/acme-challenge/"),
        "{detail}"
    );
    let detail = failed_http(&e, "b.jp", |t, _| {
        e.http.set(&path(t), Answer::Body("wrong".into()))
    })
    .await;
    assert!(
        detail.contains("\"wrong\"") && detail.contains("127.0.0.1"),
        "{detail}"
    );
    let detail = failed_http(&e, "c.jp", |t, _| {
        e.http.set(
            &path(t),
            Answer::Redirect(302, format!("https://c.jp:{port}/secure")),
        )
    })
    .await;
    assert!(
        detail.contains("https") && detail.contains("not followed"),
        "{detail}"
    );
    // Ten redirects are followed; the eleventh fails.
    let detail = failed_http(&e, "d.jp", |t, ka| {
        e.http.set(&path(t), Answer::Redirect(301, "/hop/1".into()));
        for i in 1..=10 {
            e.http.set(
                &format!("/hop/{i}"),
                Answer::Redirect(307, format!("/hop/{}", i + 1)),
            );
        }
        e.http.set("/hop/11", Answer::Body(ka.into()));
    })
    .await;
    assert!(detail.contains("too many redirects"), "{detail}");
    let detail = failed_http(&e, "e.jp", |t, _| {
        e.http
            .set(&path(t), Answer::Redirect(303, "/elsewhere".into()))
    })
    .await;
    assert!(
        detail.contains("303") && detail.contains("only 301, 302, 307 and 308"),
        "{detail}"
    );

    // Exactly ten redirects succeed.
    let order = e.new_order(&["f.jp"]).await;
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    let c = e.challenge(&authz, "http-01");
    let token = c["token"].as_str().unwrap();
    e.http
        .set(&path(token), Answer::Redirect(308, "/ten/1".into()));
    for i in 1..10 {
        e.http.set(
            &format!("/ten/{i}"),
            Answer::Redirect(302, format!("http://f.jp:{port}/ten/{}", i + 1)),
        );
    }
    e.http
        .set("/ten/10", Answer::Body(e.key_authorization(token)));
    e.post(c["url"].as_str().unwrap(), b"{}").await;
    assert_eq!(e.await_authz(&authz_url).await["status"], "valid");
}

/// R-VAL-4: without CERTDIRECT_VA_ALLOW_PRIVATE, loopback is refused and named.
#[tokio::test]
async fn private_addresses_are_refused() {
    let e = env_with(&[("CERTDIRECT_VA_ALLOW_PRIVATE", "0")], true).await;
    e.buy("example.jp", "dv").await;
    let detail = failed_http(&e, "example.jp", |t, ka| e.http.serve_token(t, ka)).await;
    assert!(detail.contains("127.0.0.1 is loopback"), "{detail}");
}

/// R-VAL-1: an unreachable IPv6 address falls back to IPv4.
#[tokio::test]
async fn ipv6_failure_falls_back_to_ipv4() {
    let e = env().await;
    e.buy("dual.jp", "dv").await;
    // The responder listens on 127.0.0.1 only, so [::1] refuses the connection.
    e.dns.add_aaaa("dual.jp", &["::1"]).await;
    let order = e.new_order(&["dual.jp"]).await;
    let decided = e
        .pass_http(order.body["authorizations"][0].as_str().unwrap())
        .await;
    assert_eq!(decided["status"], "valid", "{decided}");
    let record = &e.challenge(&decided, "http-01")["validationRecord"];
    assert_eq!(record[0]["address"], "::1");
    assert_eq!(record[1]["address"], "127.0.0.1");
}

/// dns-01 with no matching record fails naming the name and what was found.
#[tokio::test]
async fn dns01_without_the_record_fails_and_can_be_retried_with_a_new_order() {
    let e = env().await;
    e.buy("nodns.jp", "dv").await;
    let order = e.new_order(&["nodns.jp"]).await;
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    e.dns
        .add_txt("_acme-challenge.nodns.jp", "stale-value")
        .await;
    e.post(
        e.challenge(&authz, "dns-01")["url"].as_str().unwrap(),
        b"{}",
    )
    .await;
    let decided = e.await_authz(&authz_url).await;
    let detail = e.challenge(&decided, "dns-01")["error"]["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("_acme-challenge.nodns.jp") && detail.contains("stale-value"),
        "{detail}"
    );
    // Fixing the record and ordering again succeeds at once: nothing was cached.
    e.dns.clear_txt("_acme-challenge.nodns.jp").await;
    let order = e.new_order(&["nodns.jp"]).await;
    let decided = e
        .pass_dns(order.body["authorizations"][0].as_str().unwrap())
        .await;
    assert_eq!(decided["status"], "valid");
}

/// R-ACME-5: a pending authorization 25 days old is invalid and its order too.
#[tokio::test]
async fn authorizations_expire_after_25_days() {
    let e = env().await;
    e.buy("slow.jp", "dv").await;
    let order = e.new_order(&["slow.jp"]).await;
    let order_url = order.location();
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    e.app.clock.advance(Duration::days(25));
    let authz = e.get(&authz_url).await.body;
    assert_eq!(authz["status"], "invalid");
    let r = e
        .post(
            e.challenge(&authz, "http-01")["url"].as_str().unwrap(),
            b"{}",
        )
        .await;
    assert!(r.expect_problem("malformed").contains("new order"));
    assert_eq!(e.get(&order_url).await.body["status"], "invalid");
}

/// R-ACME-6: CSR refusals; finalize twice issues once.
#[tokio::test]
async fn finalize_checks_the_csr_and_issues_once() {
    let e = env().await;
    e.buy("example.jp", "dv").await;
    let order = e.new_order(&["example.jp"]).await;
    // Not ready yet.
    let (r, _) = e.finalize(&order.body, &["example.jp"]).await;
    r.expect_problem("orderNotReady");
    e.pass_http(order.body["authorizations"][0].as_str().unwrap())
        .await;
    // Extra names.
    let (r, _) = e
        .finalize(&order.body, &["example.jp", "www.example.jp"])
        .await;
    assert!(r.expect_problem("badCSR").contains("www.example.jp"));
    // RSA-1024.
    let weak = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/csr-rsa1024-example.jp.der"
    ))
    .unwrap();
    let r = e.finalize_der(&order.body, &weak).await;
    assert!(r.expect_problem("badCSR").contains("1024"));
    // The account key (a CSR signed with the account's own key).
    let account_csr = account_key_csr(&e);
    let r = e.finalize_der(&order.body, &account_csr).await;
    assert!(r.expect_problem("badCSR").contains("account key"));
    // Garbage.
    let r = e.finalize_der(&order.body, b"garbage").await;
    r.expect_problem("badCSR");

    let (first, _) = e.finalize(&order.body, &["example.jp"]).await;
    assert_eq!(first.body["status"], "valid", "{}", first.body);
    let (second, _) = e.finalize(&order.body, &["example.jp"]).await;
    second.expect_problem("orderNotReady");
    assert_eq!(e.app.count("certificates").await, 1);
}

/// A CSR for example.jp whose key is the test account's key (the ES256 signer's).
fn account_key_csr(e: &Env) -> Vec<u8> {
    csr_with_key_of(&e.signer, "example.jp")
}

/// A CSR for `name` signed with (and so carrying) `signer`'s key.
pub fn csr_with_key_of(signer: &Signer, name: &str) -> Vec<u8> {
    let pkcs8 = signer
        .pkcs8
        .clone()
        .expect("the ES256 signer keeps its PKCS#8");
    let key = rcgen::KeyPair::try_from(pkcs8.as_slice()).unwrap();
    let mut params = rcgen::CertificateParams::new(vec![name.to_string()]).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.serialize_request(&key).unwrap().der().to_vec()
}

/// R-CA-3: revocation by the account key and by the certificate key, published in the CRL.
#[tokio::test]
async fn revocation_is_published_in_the_crl() {
    let e = env().await;
    e.buy("example.jp", "dv").await;
    let (_, chain) = e.issue_http(&["example.jp"]).await;
    let leaf = pem_blocks(&chain).remove(0);
    let revoke_url = e.acme.url("/revoke-cert");
    let r = e
        .post(
            &revoke_url,
            json!({ "certificate": b64(&leaf), "reason": 2 })
                .to_string()
                .as_bytes(),
        )
        .await;
    r.expect_problem("badRevocationReason");
    let r = e
        .post(
            &revoke_url,
            json!({ "certificate": b64(&leaf), "reason": 4 })
                .to_string()
                .as_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = e
        .post(
            &revoke_url,
            json!({ "certificate": b64(&leaf) }).to_string().as_bytes(),
        )
        .await;
    r.expect_problem("alreadyRevoked");

    let crl = reqwest::get(format!("{}/ca/intermediate.crl", e.app.base))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (_, parsed) = x509_parser::parse_x509_crl(&crl).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(&leaf).unwrap();
    assert!(parsed
        .iter_revoked_certificates()
        .any(|r| r.raw_serial() == cert.raw_serial()));

    // Revocation with the certificate's own key (jwk, no account).
    let (order, key) = {
        let order = e.new_order(&["example.jp"]).await;
        e.finalize(&order.body, &["example.jp"]).await
    };
    let chain = e
        .get(order.body["certificate"].as_str().unwrap())
        .await
        .body
        .as_str()
        .unwrap()
        .to_owned();
    let leaf2 = pem_blocks(&chain).remove(0);
    let cert_signer = Signer::from_rcgen_p256(&key);
    let nonce = e.acme.nonce().await;
    let jws = cert_signer.jws(
        &cert_signer.jwk_header(&nonce, &revoke_url),
        json!({ "certificate": b64(&leaf2), "reason": 1 })
            .to_string()
            .as_bytes(),
    );
    assert_eq!(e.acme.post(&revoke_url, &jws).await.status, 200);
    let crl = reqwest::get(format!("{}/ca/intermediate.crl", e.app.base))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (_, parsed) = x509_parser::parse_x509_crl(&crl).unwrap();
    assert_eq!(parsed.iter_revoked_certificates().count(), 2);
}

/// R-VAL-3: a server killed with validations queued finishes them after restart.
#[tokio::test]
async fn queued_validations_survive_a_restart() {
    // The in-process app runs no workers; the challenge is answered through a real server process
    // (web role, so nothing validates it there either), which is then killed.
    let e = env_with(&[], false).await;
    e.buy("queued.jp", "dv").await;
    let order = e.new_order(&["queued.jp"]).await;
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    let c = e.challenge(&authz, "http-01");
    let token = c["token"].as_str().unwrap();
    e.http.serve_token(token, &e.key_authorization(token));
    let server = e
        .app
        .spawn_process(&["--role", "web"], Some(&e.app.base))
        .await;
    let via_server = Acme::new(&server.base);
    let chall_path = c["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&e.app.base)
        .unwrap()
        .to_owned();
    let nonce = via_server.nonce().await;
    let jws = e.signer.jws(
        &e.signer
            .kid_header(&e.kid, &nonce, c["url"].as_str().unwrap()),
        b"{}",
    );
    let r = via_server
        .post(&format!("{}{chall_path}", server.base), &jws)
        .await;
    assert_eq!(r.body["status"], "processing", "{}", r.body);
    drop(server); // killed with the job queued
    tokio::time::sleep(StdDuration::from_millis(300)).await;
    assert_eq!(
        e.get(&authz_url).await.body["status"],
        "pending",
        "nobody validated yet"
    );
    // The restarted server (all roles) finishes the job.
    let _restarted = e.app.spawn_process(&[], None).await;
    assert_eq!(e.await_authz(&authz_url).await["status"], "valid");
}

/// R-VAL-3: two worker processes on one database never validate the same challenge twice.
#[tokio::test]
async fn two_workers_never_take_the_same_job() {
    let e = env_with(&[], false).await;
    let names: Vec<String> = (0..8).map(|i| format!("w{i}.jp")).collect();
    let mut tokens = Vec::new();
    let mut authz_urls = Vec::new();
    for n in &names {
        e.buy(n, "dv").await;
        let order = e.new_order(&[n]).await;
        let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
        let authz = e.get(&authz_url).await.body;
        let c = e.challenge(&authz, "http-01");
        let token = c["token"].as_str().unwrap().to_owned();
        e.http.serve_token(&token, &e.key_authorization(&token));
        e.post(c["url"].as_str().unwrap(), b"{}").await;
        tokens.push(token);
        authz_urls.push(authz_url);
    }
    let _a = e.app.spawn_process(&["--role", "worker"], None).await;
    let _b = e.app.spawn_process(&["--role", "worker"], None).await;
    for url in &authz_urls {
        assert_eq!(e.await_authz(url).await["status"], "valid");
    }
    for t in &tokens {
        assert_eq!(
            e.http.hits(&format!("/.well-known/acme-challenge/{t}")),
            1,
            "validated exactly once"
        );
    }
    use sea_orm::{ConnectionTrait, Statement};
    let db = &e.app.state.db;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT attempts, locked_by FROM validation_jobs",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 8);
    let workers: std::collections::HashSet<String> = rows
        .iter()
        .map(|r| r.try_get("", "locked_by").unwrap())
        .collect();
    assert!(rows
        .iter()
        .all(|r| r.try_get::<i32>("", "attempts").unwrap() == 1));
    assert!(!workers.is_empty());
}

/// R-CA-4 and R-VAL-5: the portal lists certificates and explains failed validations.
#[tokio::test]
async fn the_portal_shows_certificates_orders_and_validation_errors() {
    let e = env().await;
    e.buy("example.jp", "dv").await;
    e.buy("broken.jp", "dv").await;
    e.issue_http(&["example.jp"]).await;
    failed_http(&e, "broken.jp", |_, _| {}).await;

    let certs: Value = e.portal.get("/certificates").await.json().await.unwrap();
    assert_eq!(certs.as_array().unwrap().len(), 1);
    let serial = certs[0]["serial"].as_str().unwrap().to_owned();
    assert_eq!(certs[0]["names"], json!(["example.jp"]));
    assert_eq!(certs[0]["status"], "valid");
    let chain = e
        .portal
        .get(&format!("/certificates/{serial}/chain.pem"))
        .await;
    assert_eq!(
        chain.headers()["content-type"],
        "application/pem-certificate-chain"
    );
    assert_eq!(pem_blocks(&chain.text().await.unwrap()).len(), 2);

    let orders: Value = e.portal.get("/acme-orders").await.json().await.unwrap();
    let broken = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["names"] == json!(["broken.jp"]))
        .unwrap();
    assert_eq!(broken["status"], "invalid");
    let http = broken["authorizations"][0]["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "http-01")
        .unwrap();
    assert_eq!(
        http["error_type"],
        "urn:ietf:params:acme:error:unauthorized"
    );
    assert!(http["error_detail"].as_str().unwrap().contains("404"));
    let good = orders
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["names"] == json!(["example.jp"]))
        .unwrap();
    assert_eq!(good["certificate_serial"], serial.as_str());

    // Another customer sees none of it.
    let (other, _) = e.app.customer("other@example.jp").await;
    expect_problem(
        other.get(&format!("/certificates/{serial}")).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_eq!(
        other
            .get("/acme-orders")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        json!([])
    );

    // Revocation from the portal.
    let p = expect_problem(
        e.portal
            .post(
                &format!("/certificates/{serial}/revoke"),
                &json!({ "reason": 7 }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "reason").as_deref(), Some("unknown_reason"));
    let res = e
        .portal
        .post(
            &format!("/certificates/{serial}/revoke"),
            &json!({ "reason": 1 }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "revoked");
    expect_problem(
        e.portal
            .post(
                &format!("/certificates/{serial}/revoke"),
                &json!({ "reason": 1 }),
            )
            .await,
        StatusCode::CONFLICT,
        "already-revoked",
    )
    .await;
    let crl = reqwest::get(format!("{}/ca/intermediate.crl", e.app.base))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (_, parsed) = x509_parser::parse_x509_crl(&crl).unwrap();
    assert_eq!(parsed.iter_revoked_certificates().count(), 1);
}

/// An instant-acme account of the env's customer, registered with the EAB from the portal.
pub async fn instant_account(e: &Env) -> instant_acme::Account {
    use instant_acme::{Account, ExternalAccountKey, NewAccount};
    let a: Value = e
        .portal
        .get("/acme-application")
        .await
        .json()
        .await
        .unwrap();
    let hmac = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        a["eab"]["hmac_key"].as_str().unwrap(),
    )
    .unwrap();
    let eab = ExternalAccountKey::new(a["eab"]["key_id"].as_str().unwrap().to_owned(), &hmac);
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let (account, _) = Account::builder_with_http(Box::new(http))
        .create(
            &NewAccount {
                contact: &[],
                terms_of_service_agreed: true,
                only_return_existing: false,
            },
            a["directory_url"].as_str().unwrap().to_owned(),
            Some(&eab),
        )
        .await
        .unwrap();
    account
}

/// A real ACME client library (instant-acme) obtains a certificate by http-01 (R-ACME-1).
#[tokio::test]
async fn instant_acme_obtains_a_certificate() {
    use instant_acme::{ChallengeType, Identifier, NewOrder, OrderStatus, RetryPolicy};
    let e = env().await;
    e.buy("client.jp", "dv").await;
    let account = instant_account(&e).await;
    let ids = [
        Identifier::Dns("client.jp".into()),
        Identifier::Dns("www.client.jp".into()),
    ];
    let mut order = account.new_order(&NewOrder::new(&ids)).await.unwrap();
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz.unwrap();
        let mut challenge = authz
            .challenge(ChallengeType::Http01)
            .expect("http-01 is offered");
        let key_authorization = challenge.key_authorization();
        e.http
            .serve_token(&challenge.token, key_authorization.as_str());
        challenge.set_ready().await.unwrap();
    }
    let retry = RetryPolicy::new()
        .initial_delay(StdDuration::from_millis(100))
        .timeout(StdDuration::from_secs(20));
    assert_eq!(order.poll_ready(&retry).await.unwrap(), OrderStatus::Ready);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["client.jp".to_string(), "www.client.jp".to_string()])
            .unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    order
        .finalize_csr(params.serialize_request(&key).unwrap().der())
        .await
        .unwrap();
    let chain = order.poll_certificate(&retry).await.unwrap();
    assert_eq!(pem_blocks(&chain).len(), 2);
    let regs: Value = e.portal.get("/registrations").await.json().await.unwrap();
    assert_eq!(regs[0]["state"], "active");
    // SPEC §5: the metrics count what happened.
    let metrics = reqwest::get(format!("{}/metrics", e.app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("certdirect_validations_total{type=\"http-01\",result=\"valid\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("certdirect_validation_queue_depth 0"),
        "{metrics}"
    );
    assert!(metrics.contains(
        "certdirect_http_request_duration_seconds_count{method=\"POST\",status=\"2xx\"}"
    ));
}

/// R-CA-4: one expiry reminder per certificate, none when it was renewed.
#[tokio::test]
async fn expiry_reminders_go_out_once_and_not_after_renewal() {
    let e = env().await;
    e.buy("remind.jp", "dv").await;
    e.buy("renewed.jp", "dv").await;
    e.issue_http(&["remind.jp"]).await;
    e.issue_http(&["renewed.jp"]).await;
    assert_eq!(
        certdirect::reminders::certificate_expiries(&e.app.state)
            .await
            .unwrap(),
        0,
        "not due yet"
    );
    // 80 days later renewed.jp gets a new certificate; remind.jp does not.
    e.app.clock.advance(Duration::days(80));
    // (its 25-day authorization has expired, so it is validated again)
    e.issue_http(&["renewed.jp"]).await;
    let before = e.app.emails().await.len();
    assert_eq!(
        certdirect::reminders::certificate_expiries(&e.app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        certdirect::reminders::certificate_expiries(&e.app.state)
            .await
            .unwrap(),
        0,
        "only once"
    );
    let mails = e.app.emails().await;
    assert_eq!(mails.len(), before + 1);
    let (to, subject, body) = mails.last().unwrap();
    assert_eq!(to, "acme@example.jp");
    assert!(
        subject.contains("remind.jp") && subject.contains("有効期限"),
        "{subject}"
    );
    assert!(body.contains("certbot renew"));
}
