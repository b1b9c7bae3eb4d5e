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

/// A real client library (instant-acme, with its ARI support) reads the renewal window of its
/// certificate, renews it with `replaces` (which the server echoes, as instant-acme checks), and
/// the old certificate points at the new one (RFC 9773, R-ACME-8).
#[tokio::test]
async fn instant_acme_reads_renewal_info_and_renews_with_replaces() {
    use instant_acme::{
        CertificateIdentifier, ChallengeType, Identifier, NewOrder, OrderStatus, RetryPolicy,
    };
    use rustls_pki_types::CertificateDer;
    use std::time::Duration as StdDuration;

    let e = env().await;
    e.buy("library.jp", "dv").await;
    let account = crate::orders::instant_account(&e).await;
    let ids = [Identifier::Dns("library.jp".into())];
    let retry = RetryPolicy::new()
        .initial_delay(StdDuration::from_millis(100))
        .timeout(StdDuration::from_secs(20));
    let issue = |replaces: Option<CertificateIdentifier<'static>>| {
        let (account, e, ids, retry) = (&account, &e, &ids, &retry);
        async move {
            let mut request = NewOrder::new(ids);
            if let Some(id) = replaces.clone() {
                request = request.replaces(id);
            }
            let mut order = account.new_order(&request).await.unwrap();
            assert_eq!(order.state().replaces, replaces);
            let mut authorizations = order.authorizations();
            while let Some(authz) = authorizations.next().await {
                let mut authz = authz.unwrap();
                if let Some(mut challenge) = authz.challenge(ChallengeType::Http01) {
                    if challenge.status == instant_acme::ChallengeStatus::Pending {
                        let ka = challenge.key_authorization();
                        e.http.serve_token(&challenge.token, ka.as_str());
                        challenge.set_ready().await.unwrap();
                    }
                }
            }
            assert_eq!(order.poll_ready(retry).await.unwrap(), OrderStatus::Ready);
            let key = rcgen::KeyPair::generate().unwrap();
            let mut params = rcgen::CertificateParams::new(vec!["library.jp".to_string()]).unwrap();
            params.distinguished_name = rcgen::DistinguishedName::new();
            order
                .finalize_csr(params.serialize_request(&key).unwrap().der())
                .await
                .unwrap();
            order.poll_certificate(retry).await.unwrap()
        }
    };
    let first = issue(None).await;
    let leaf = CertificateDer::from(pem_blocks(&first)[0].clone());
    let id = CertificateIdentifier::try_from(&leaf).unwrap().into_owned();
    let (info, retry_after) = account.renewal_info(&id).await.unwrap();
    assert!(
        retry_after.as_secs() >= 21590 && retry_after.as_secs() <= 21600,
        "{retry_after:?}"
    );
    assert!(info.suggested_window.start < info.suggested_window.end);
    assert!(info.suggested_window.start > time::OffsetDateTime::now_utc());

    let second = issue(Some(id.clone())).await;
    let (_, old_serial) = cert_id(&first);
    let (_, new_serial) = cert_id(&second);
    let old: Value = e
        .portal
        .get(&format!("/certificates/{old_serial}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(old["replaced_by"], new_serial.as_str(), "{old}");
}

/// A client that renews without `replaces` (certbot does not send it) still links the account's
/// newest live certificate for the same names to its renewal; a certificate for other names is
/// left alone.
#[tokio::test]
async fn a_renewal_without_replaces_links_the_certificate_for_the_same_names() {
    let e = env().await;
    e.buy("plain.example.jp", "dv").await;
    let (_, first) = e.issue_http(&["plain.example.jp"]).await;
    let (_, other) = e
        .issue_http(&["plain.example.jp", "www.plain.example.jp"])
        .await;
    let (_, second) = e.issue_http(&["plain.example.jp"]).await;
    let serial = |chain: &str| cert_id(chain).1;
    let get = |s: String| {
        let portal = &e.portal;
        async move {
            portal
                .get(&format!("/certificates/{s}"))
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        get(serial(&first)).await["replaced_by"],
        serial(&second).as_str()
    );
    assert!(get(serial(&other)).await["replaced_by"].is_null());
    assert!(get(serial(&second)).await["replaced_by"].is_null());
}
