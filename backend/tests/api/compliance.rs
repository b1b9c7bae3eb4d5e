//! CA/Browser Forum Baseline Requirements (docs/compliance.md): leaf validity by the date of
//! issuance (R-CA-2, BR 6.3.2), authorization reuse within the BR 4.2.1 period, and the CRL
//! schedule (R-CA-5, BR 4.9.7).

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{json, Value};

use crate::helpers::*;
use crate::orders::{env, env_with, pem_blocks};

async fn fetch(app: &TestApp, path: &str) -> Vec<u8> {
    let res = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.bytes().await.unwrap().to_vec()
}

fn serial_hex(der: &[u8]) -> String {
    let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    hex::encode(cert.raw_serial())
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
