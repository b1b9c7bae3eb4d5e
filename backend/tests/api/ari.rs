//! ACME Renewal Information (RFC 9773, R-ACME-8): renewalInfo in the directory, the suggested
//! window of a certificate, `replaces` in newOrder linking the new certificate to the old one, and
//! `alreadyReplaced` when a certificate is replaced twice.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::orders::{env, pem_blocks, Env};

/// The RFC 9773 certificate identifier of the leaf of `chain`.
pub fn cert_id(chain: &str) -> (String, String) {
    let leaf = &pem_blocks(chain)[0];
    let (_, cert) = x509_parser::parse_x509_certificate(leaf).unwrap();
    let serial = cert.raw_serial_as_string().replace(':', "");
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64_std(leaf)
    );
    let id = certdirect::renewal::cert_id_of(&pem, &serial).unwrap();
    (id.encode(), serial)
}

fn base64_std(der: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(der)
}

async fn renewal_info(e: &Env, id: &str) -> reqwest::Response {
    reqwest::get(e.acme.url(&format!("/renewal-info/{id}")))
        .await
        .unwrap()
}

/// The suggested window of certificate `id` now.
pub async fn window(e: &Env, id: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    let body: Value = renewal_info(e, id).await.json().await.unwrap();
    (
        at(&body["suggestedWindow"]["start"]),
        at(&body["suggestedWindow"]["end"]),
    )
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

pub async fn replace_order(e: &Env, names: &[&str], replaces: &str) -> crate::jose::Reply {
    let ids: Vec<Value> = names
        .iter()
        .map(|n| json!({ "type": "dns", "value": n }))
        .collect();
    e.post(
        &e.acme.url("/new-order"),
        json!({ "identifiers": ids, "replaces": replaces })
            .to_string()
            .as_bytes(),
    )
    .await
}

#[tokio::test]
async fn renewal_info_suggests_the_middle_third_and_replaces_links_the_certificates() {
    let e = env().await;
    let directory: Value = reqwest::get(e.acme.url("/directory"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        directory["renewalInfo"].as_str().unwrap(),
        e.acme.url("/renewal-info")
    );
    e.buy("ari.example.jp", "dv").await;
    let (_, chain) = e.issue_http(&["ari.example.jp"]).await;
    let (id, serial) = cert_id(&chain);

    let res = renewal_info(&e, &id).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["retry-after"], "21600");
    let body: Value = res.json().await.unwrap();
    let (start, end) = (
        at(&body["suggestedWindow"]["start"]),
        at(&body["suggestedWindow"]["end"]),
    );
    let leaf = &pem_blocks(&chain)[0];
    let (_, cert) = x509_parser::parse_x509_certificate(leaf).unwrap();
    let nb = DateTime::from_timestamp(cert.validity().not_before.timestamp(), 0).unwrap();
    let na = DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0).unwrap();
    let third = (na - nb) / 3;
    assert!((start - (nb + third)).num_seconds().abs() <= 1, "{body}");
    assert!((end - (na - third)).num_seconds().abs() <= 1, "{body}");

    // Unknown and malformed identifiers.
    assert_eq!(
        renewal_info(&e, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        renewal_info(&e, "not-an-id").await.status(),
        StatusCode::BAD_REQUEST
    );

    // A renewal that names it: the order echoes `replaces`, the new certificate is linked.
    let order = replace_order(&e, &["ari.example.jp"], &id).await;
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(order.body["replaces"], id.as_str());
    // A second order replacing the same certificate while the first is live is refused.
    let twice = replace_order(&e, &["ari.example.jp"], &id).await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(
        twice.body["type"],
        "urn:ietf:params:acme:error:alreadyReplaced"
    );
    let (done, _) = e.finalize(&order.body, &["ari.example.jp"]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let new_chain = e
        .get(done.body["certificate"].as_str().unwrap())
        .await
        .body
        .as_str()
        .unwrap()
        .to_owned();
    let (_, new_serial) = cert_id(&new_chain);
    let old: Value = e
        .portal
        .get(&format!("/certificates/{serial}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old["replaced_by"], new_serial.as_str(), "{old}");
    assert!(old["renewal_window_start"].is_string(), "{old}");

    // Once replaced, always replaced.
    let again = replace_order(&e, &["ari.example.jp"], &id).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again.body["detail"]
            .as_str()
            .unwrap()
            .contains("already replaced"),
        "{}",
        again.body
    );
}

#[tokio::test]
async fn replaces_must_name_a_certificate_of_the_customer_for_a_name_of_the_order() {
    let e = env().await;
    e.buy("one.example.jp", "dv").await;
    e.buy("two.example.jp", "dv").await;
    let (_, chain) = e.issue_http(&["one.example.jp"]).await;
    let (id, _) = cert_id(&chain);
    let other_names = replace_order(&e, &["two.example.jp"], &id).await;
    assert_eq!(other_names.status, 400, "{}", other_names.body);
    assert!(other_names.body["detail"]
        .as_str()
        .unwrap()
        .contains("does not name"));
    let unknown = replace_order(
        &e,
        &["one.example.jp"],
        "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
    )
    .await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let garbage = replace_order(&e, &["one.example.jp"], "x").await;
    assert_eq!(garbage.status, 400, "{}", garbage.body);
    assert!(garbage.body["detail"]
        .as_str()
        .unwrap()
        .starts_with("replaces:"));
}

#[tokio::test]
async fn a_revoked_certificate_is_due_for_renewal_at_once() {
    let e = env().await;
    e.buy("revoked.example.jp", "dv").await;
    let (_, chain) = e.issue_http(&["revoked.example.jp"]).await;
    let (id, serial) = cert_id(&chain);
    let res = e
        .portal
        .post(
            &format!("/certificates/{serial}/revoke"),
            &json!({ "reason": 4 }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = renewal_info(&e, &id).await.json().await.unwrap();
    assert!(
        at(&body["suggestedWindow"]["end"]) < e.app.clock_now(),
        "{body}"
    );
}
