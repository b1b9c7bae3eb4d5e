//! CA/Browser Forum Baseline Requirements (docs/compliance.md): leaf validity by the date of
//! issuance (R-CA-2, BR 6.3.2) and authorization reuse within the BR 4.2.1 period.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::orders::{env, env_with, pem_blocks};

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
