//! CA/Browser Forum Baseline Requirements (docs/compliance.md): every certificate profile and
//! the CRLs linted by pkilint (R-CA-6), leaf validity by the date of issuance (R-CA-2, BR 6.3.2),
//! authorization reuse within the BR 4.2.1 period, and the CRL schedule (R-CA-5, BR 4.9.7).

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::orders::{env, env_with, pem_blocks, Env};

/// A pkilint program: from `CERTDIRECT_PKILINT_BIN` (the directory `cargo xtask test` installs
/// pkilint into), else from PATH. Missing pkilint fails the test: it is never skipped.
fn pkilint(program: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("CERTDIRECT_PKILINT_BIN") {
        let path = Path::new(&dir).join(program);
        assert!(
            path.exists(),
            "CERTDIRECT_PKILINT_BIN={} has no {program}; `cargo xtask test` installs pkilint there",
            path.parent().unwrap().display()
        );
        return path;
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.exists())
    });
    on_path.unwrap_or_else(|| {
        panic!(
            "{program} (pkilint, from PyPI) is not installed: `cargo xtask test` installs it into a \
             virtual environment and sets CERTDIRECT_PKILINT_BIN; to run these tests alone, \
             `cargo xtask pkilint` installs it and prints the CERTDIRECT_PKILINT_BIN to set"
        )
    })
}

/// Runs a pkilint linter over `files` and returns its findings of WARNING and above as
/// (severity, validator @ node, code, message).
fn lint(program: &str, args: &[&str], files: &[String]) -> Vec<(String, String, String, String)> {
    let out = Command::new(pkilint(program))
        .arg("lint")
        .args(args)
        .args(["-s", "WARNING", "-f", "JSON"])
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{program} {args:?} {files:?} gave no JSON report ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut findings = Vec::new();
    for result in report["results"].as_array().unwrap() {
        for f in result["finding_descriptions"].as_array().unwrap() {
            findings.push((
                f["severity"].as_str().unwrap().to_owned(),
                format!(
                    "{} @ {}",
                    result["validator"].as_str().unwrap(),
                    result["node_path"].as_str().unwrap()
                ),
                f["code"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    findings
}

/// Answers dns-01 for every authorization of a new order for `names` (registered beforehand)
/// under `profile` (or the default), finalizes it with a CSR for `key` and returns (order, PEM
/// chain).
async fn issue_dns(
    e: &Env,
    names: &[&str],
    key: &rcgen::KeyPair,
    profile: Option<&str>,
) -> (Value, String) {
    let order = match profile {
        Some(p) => e.new_order_with_profile(names, p).await,
        None => e.new_order(names).await,
    };
    assert_eq!(order.status, 201, "{}", order.body);
    for authz in order.body["authorizations"].as_array().unwrap() {
        let decided = e.pass_dns(authz.as_str().unwrap()).await;
        assert_eq!(decided["status"], "valid", "{decided}");
    }
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    let csr = params.serialize_request(key).unwrap();
    let done = e.finalize_der(&order.body, csr.der()).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["status"], "valid", "{}", done.body);
    let chain = e.get(done.body["certificate"].as_str().unwrap()).await;
    (done.body, chain.body.as_str().unwrap().to_owned())
}

async fn fetch(app: &TestApp, path: &str) -> Vec<u8> {
    let res = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.bytes().await.unwrap().to_vec()
}

fn serial_hex(der: &[u8]) -> String {
    let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    hex::encode(cert.raw_serial())
}

/// R-CA-6: the root, the intermediate, a leaf of each product (DV single name, the name with its
/// `www.`, a wildcard with its base name, an IDN; P-256, RSA and P-384 keys) and of each profile
/// (`classic`, and `shortlived`: a 6-day BR short-lived subscriber certificate, which keeps its
/// CRL distribution point, for a name and for a wildcard) and both CRLs (the intermediate's with
/// a revoked entry, and the root's) pass pkilint's CA/Browser Forum TLS linters with no error,
/// and each issuer–subject pair its RFC 5280 chain linter.
#[tokio::test]
async fn every_profile_passes_pkilint() {
    // Fail before any work when pkilint is missing.
    pkilint("lint_cabf_serverauth_cert");
    pkilint("lint_crl");
    pkilint("lint_pkix_signer_signee_cert_chain");
    // Public-looking URLs in the certificates (the test server's 127.0.0.1 is an internal name,
    // which the BR forbid there); the files are fetched from the test server below.
    let e = env_with(
        &[
            (
                "CERTDIRECT_CRL_URL",
                "http://ca.example.jp/ca/intermediate.crl",
            ),
            (
                "CERTDIRECT_CA_ISSUERS_URL",
                "http://ca.example.jp/ca/intermediate.der",
            ),
        ],
        true,
    )
    .await;
    e.buy("single.jp", "dv").await;
    e.buy("example.jp", "dv").await;
    e.buy("*.wild.jp", "dv_wildcard").await;
    e.buy("xn--r8jz45g.jp", "dv").await;
    e.buy("short.jp", "dv").await;
    e.buy("*.shortwild.jp", "dv_wildcard").await;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, der: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, der).unwrap();
        path.display().to_string()
    };
    const CERT: &str = "lint_cabf_serverauth_cert";
    const CRL: &str = "lint_crl";
    const CHAIN: &str = "lint_pkix_signer_signee_cert_chain";
    // (linter, its options, files)
    let mut runs: Vec<(&str, Vec<&str>, Vec<String>)> = Vec::new();
    let root = write("root.der", &fetch(&e.app, "/ca/root.der").await);
    runs.push((CERT, vec!["-t", "ROOT-CA"], vec![root.clone()]));
    let mut intermediate = String::new();
    let mut revoked = String::new();
    // The key types a CSR may have (R-ACME-6): P-256, RSA 2048 and P-384.
    let p256 = || rcgen::KeyPair::generate().unwrap();
    let rsa = || {
        let der = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/rsa2048-leaf.pk8.der"
        ))
        .unwrap();
        let der = rustls_pki_types::PrivatePkcs8KeyDer::from(der);
        rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der, &rcgen::PKCS_RSA_SHA256).unwrap()
    };
    let p384 = || rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    for (file, names, key, profile) in [
        ("leaf-dv-single-p256.der", &["single.jp"][..], p256(), None),
        (
            "leaf-dv-www-rsa.der",
            &["example.jp", "www.example.jp"],
            rsa(),
            None,
        ),
        (
            "leaf-dv-wildcard-p256.der",
            &["*.wild.jp", "wild.jp"],
            p256(),
            None,
        ),
        ("leaf-dv-idn-p384.der", &["xn--r8jz45g.jp"], p384(), None),
        (
            "leaf-dv-shortlived-p256.der",
            &["short.jp"],
            p256(),
            Some("shortlived"),
        ),
        (
            "leaf-dv-wildcard-shortlived-rsa.der",
            &["*.shortwild.jp", "shortwild.jp"],
            rsa(),
            Some("shortlived"),
        ),
    ] {
        let (_, chain) = issue_dns(&e, names, &key, profile).await;
        if profile == Some("shortlived") {
            let (nb, na) = validity_of(&chain);
            assert!(
                certdirect::br::is_short_lived(nb, na),
                "{file}: {nb} to {na} is a BR short-lived subscriber certificate"
            );
        }
        let blocks = pem_blocks(&chain);
        if intermediate.is_empty() {
            intermediate = write("intermediate.der", &blocks[1]);
            let t = vec!["-t", "INTERNAL-UNCONSTRAINED-TLS-CA"];
            runs.push((CERT, t, vec![intermediate.clone()]));
            runs.push((CHAIN, vec![], vec![root.clone(), intermediate.clone()]));
            revoked = serial_hex(&blocks[0]);
        }
        let leaf = write(file, &blocks[0]);
        runs.push((CERT, vec!["-t", "DV-FINAL-CERTIFICATE"], vec![leaf.clone()]));
        runs.push((CHAIN, vec![], vec![intermediate.clone(), leaf]));
    }
    // A revoked entry with a reason code (keyCompromise) in the intermediate's CRL.
    let res = e
        .portal
        .post(
            &format!("/certificates/{revoked}/revoke"),
            &json!({ "reason": 1 }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let crl = fetch(&e.app, "/ca/intermediate.crl").await;
    let (_, parsed) = x509_parser::parse_x509_crl(&crl).unwrap();
    assert_eq!(parsed.iter_revoked_certificates().count(), 1);
    let crl = write("intermediate.crl", &crl);
    runs.push((CRL, vec!["-t", "CRL", "-p", "BR"], vec![crl]));
    let arl = write("root.crl", &fetch(&e.app, "/ca/root.crl").await);
    runs.push((CRL, vec!["-t", "ARL", "-p", "BR"], vec![arl]));

    let mut errors = Vec::new();
    let mut report = String::new();
    for (program, args, files) in &runs {
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                Path::new(f)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let name = names.join(" → ");
        report += &format!("{program} {} {name}:\n", args.join(" "));
        for (severity, at, code, message) in lint(program, args, files) {
            report += &format!("    {severity} {code} {message} [{at}]\n");
            if matches!(severity.as_str(), "FATAL" | "CRITICAL" | "ERROR") {
                errors.push(format!("{name}: {code}"));
            }
        }
    }
    println!("pkilint findings (WARNING and above):\n{report}");
    assert!(errors.is_empty(), "pkilint errors: {errors:#?}\n{report}");
}

fn validity_of(chain: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let leaf = pem_blocks(chain).remove(0);
    let (_, cert) = x509_parser::parse_x509_certificate(&leaf).unwrap();
    let at = |t: x509_parser::time::ASN1Time| DateTime::from_timestamp(t.timestamp(), 0).unwrap();
    (
        at(cert.validity().not_before),
        at(cert.validity().not_after),
    )
}

/// R-CA-2, BR 6.3.2: with 180 days configured, a certificate issued before 2027-03-15 is valid
/// for 180 days (under the 200-day maximum), one issued after it for one day under 100.
#[tokio::test]
async fn leaf_validity_follows_the_br_maximum_of_the_day() {
    let e = env_with(&[("CERTDIRECT_CERT_VALIDITY_DAYS", "180")], true).await;
    e.buy("before.jp", "dv").await;
    e.buy("after.jp", "dv").await;
    let (_, chain) = e.issue_http(&["before.jp"]).await;
    let (nb, na) = validity_of(&chain);
    assert_eq!(na - e.app.clock_now(), Duration::days(180));
    assert!(na - nb + Duration::seconds(1) <= Duration::days(199));

    let day = DateTime::parse_from_rfc3339("2027-03-16T09:00:00Z")
        .unwrap()
        .to_utc();
    e.app.clock.advance(day - e.app.clock_now());
    let (_, chain) = e.issue_http(&["after.jp"]).await;
    let (nb, na) = validity_of(&chain);
    assert!(
        na - nb <= Duration::days(99),
        "{nb} to {na} is over 99 days"
    );
    assert!(na - nb + Duration::seconds(1) <= Duration::days(99));
    assert!(na - nb > Duration::days(98), "{nb} to {na}: cut too far");
}

/// BR 4.2.1: from 2029-03-15 a validation is reused for 10 days, although the authorization
/// itself lives 25 days (R-ACME-5); past them a new order gets a new authorization and an order
/// still holding the old one can no longer be finalized.
#[tokio::test]
async fn authorizations_are_reused_within_the_br_period_only() {
    let e = env().await;
    let day = DateTime::parse_from_rfc3339("2029-03-20T09:00:00Z")
        .unwrap()
        .to_utc();
    e.app.clock.advance(day - e.app.clock_now());
    // The portal session of the start is long gone.
    let portal = e.app.login("acme@example.jp").await;
    let res = portal
        .post("/registrations", &json!({ "fqdn": "reuse.jp", "type": "dv", "period_years": 1, "payment_method": "card", "agree_terms": true }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let number = res.json::<Value>().await.unwrap()["invoice"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let card = json!({ "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123" });
    let res = portal.post(&format!("/invoices/{number}/pay"), &card).await;
    assert_eq!(res.status(), StatusCode::OK);

    let first = e.new_order(&["reuse.jp"]).await;
    let authz_url = first.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.pass_http(&authz_url).await;
    assert_eq!(authz["status"], "valid", "{authz}");
    let expires = DateTime::parse_from_rfc3339(authz["expires"].as_str().unwrap()).unwrap();
    assert_eq!(
        expires.to_utc() - e.app.clock_now(),
        Duration::days(10),
        "the authorization says when its validation stops counting"
    );

    // Nine days on: reused.
    e.app.clock.advance(Duration::days(9));
    let second = e.new_order(&["reuse.jp"]).await;
    assert_eq!(second.body["authorizations"][0], authz_url.as_str());
    assert_eq!(second.body["status"], "ready");

    // Eleven days on (fourteen before the authorization's own 25 days end): a new one.
    e.app.clock.advance(Duration::days(2));
    let third = e.new_order(&["reuse.jp"]).await;
    assert_ne!(third.body["authorizations"][0], authz_url.as_str());
    assert_eq!(third.body["status"], "pending");
    assert_eq!(e.get(&authz_url).await.body["status"], "expired");
    let (r, _) = e.finalize(&second.body, &["reuse.jp"]).await;
    r.expect_problem("orderNotReady");
}

/// Housekeeping ticks (every `step`) for `span` of test time.
async fn tick(app: &TestApp, span: Duration, step: Duration) {
    let end = app.clock_now() + span;
    while app.clock_now() < end {
        app.clock.advance(step);
        certdirect::certs::scheduled_crl(&app.state).await.unwrap();
    }
}

async fn crls(app: &TestApp) -> Vec<certdirect::store::entity::crl::Model> {
    use certdirect::store::entity::crl;
    crl::Entity::find()
        .order_by_asc(crl::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
}

fn crl_number(der_b64: &str) -> (u64, Vec<String>, i64) {
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD
        .decode(der_b64)
        .unwrap();
    let (_, crl) = x509_parser::parse_x509_crl(&der).unwrap();
    let number = crl.crl_number().unwrap().to_u64_digits()[0];
    let serials = crl
        .iter_revoked_certificates()
        .map(|r| hex::encode(r.raw_serial()))
        .collect();
    let span = crl.next_update().unwrap().timestamp() - crl.last_update().timestamp();
    (number, serials, span)
}

/// R-CA-5: a CRL within 24 hours of the first issuance, re-signed before it is four days old,
/// signed again at once on a revocation (portal and operator console) under the next number,
/// never more than ten days ahead; two processes ticking together sign one CRL, not two.
#[tokio::test]
async fn the_crl_follows_its_schedule() {
    let e = env().await;
    e.buy("example.jp", "dv").await;
    let app = &e.app;
    tick(app, Duration::hours(2), Duration::hours(1)).await;
    assert!(
        crls(app).await.is_empty(),
        "no CRL before the first issuance"
    );

    let issued_at = app.clock_now();
    let (_, chain) = e.issue_http(&["example.jp"]).await;
    // A second certificate on the same (reused) authorization.
    let chain2 = {
        let order = e.new_order(&["example.jp"]).await;
        let (done, _) = e.finalize(&order.body, &["example.jp"]).await;
        assert_eq!(done.body["status"], "valid", "{}", done.body);
        let url = done.body["certificate"].as_str().unwrap().to_owned();
        e.get(&url).await.body.as_str().unwrap().to_owned()
    };
    tick(app, Duration::days(1), Duration::hours(1)).await;
    let after_a_day = crls(app).await;
    assert_eq!(after_a_day.len(), 1, "one CRL in the first day");
    let first = &after_a_day[0];
    assert!(first.this_update >= issued_at);
    assert!(first.this_update - issued_at <= Duration::hours(24));

    tick(app, Duration::days(4), Duration::hours(1)).await;
    let rows = crls(app).await;
    assert!(rows.len() >= 2, "re-signed within four days");
    for pair in rows.windows(2) {
        assert!(pair[1].this_update - pair[0].this_update < Duration::days(4));
    }
    let newest = rows.last().unwrap();
    assert!(app.clock_now() - newest.this_update < Duration::days(4));

    // Two processes' ticks at the same moment sign one CRL between them.
    app.clock.advance(Duration::days(3));
    let before = crls(app).await.len();
    let (a, b) = tokio::join!(
        certdirect::certs::scheduled_crl(&app.state),
        certdirect::certs::scheduled_crl(&app.state)
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()].iter().flatten().count(),
        1,
        "exactly one tick won"
    );
    assert_eq!(crls(app).await.len(), before + 1);

    // A revocation in the portal: the next number at once, listing the serial.
    let (last_number, _, _) = crl_number(&crls(app).await.last().unwrap().der);
    let serial = serial_hex(&pem_blocks(&chain).remove(0));
    // Days have passed: the portal session of the start has ended.
    let portal = app.login("acme@example.jp").await;
    let res = portal
        .post(
            &format!("/certificates/{serial}/revoke"),
            &json!({ "reason": 4 }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let rows = crls(app).await;
    let (number, serials, span) = crl_number(&rows.last().unwrap().der);
    assert_eq!(number, last_number + 1);
    assert_eq!(serials, std::slice::from_ref(&serial));
    assert!(span <= Duration::days(10).num_seconds(), "{span} s ahead");
    assert_eq!(rows.last().unwrap().this_update, app.clock_now());

    // And in the operator console, for any customer's certificate.
    let operator = app.customer("ops@certdirect.example").await.0;
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared(
            "UPDATE customers SET role = 'operator' WHERE email_lower = 'ops@certdirect.example'",
        )
        .await
        .unwrap();
    let serial2 = serial_hex(&pem_blocks(&chain2).remove(0));
    let path = format!("/operator/certificates/{serial2}/revoke");
    assert_eq!(
        portal.post(&path, &json!({ "reason": 5 })).await.status(),
        StatusCode::FORBIDDEN,
        "customers use their own route"
    );
    let res = operator.post(&path, &json!({ "reason": 5 })).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(
        operator.post(&path, &json!({ "reason": 5 })).await.status(),
        StatusCode::CONFLICT
    );
    let (number2, mut serials, _) = crl_number(&crls(app).await.last().unwrap().der);
    assert_eq!(number2, number + 1);
    serials.sort();
    let mut both = vec![serial, serial2];
    both.sort();
    assert_eq!(serials, both);
    // The URL serves that CRL.
    let served = fetch(app, "/ca/intermediate.crl").await;
    let (_, parsed) = x509_parser::parse_x509_crl(&served).unwrap();
    assert_eq!(parsed.crl_number().unwrap().to_u64_digits()[0], number2);
    assert_eq!(
        certdirect::store::entity::crl::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap() as usize,
        crls(app).await.len()
    );
}
