//! ACME profiles (R-ACME-9, draft-ietf-acme-profiles): `meta.profiles` in the directory,
//! `profile` in newOrder and in the order object, `invalidProfile`, the validity and extensions
//! a profile gives the certificate, and the profile shown with the customer's certificates.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::orders::{env, env_with, pem_blocks, Env};

/// The leaf of a PEM chain: (validity in seconds, a BR short-lived subscriber certificate, has
/// a CRL distribution point).
fn leaf_facts(chain: &str) -> (i64, bool, bool) {
    let der = pem_blocks(chain).remove(0);
    let (_, leaf) = x509_parser::parse_x509_certificate(&der).unwrap();
    let at = |t: x509_parser::time::ASN1Time| {
        chrono::DateTime::from_timestamp(t.timestamp(), 0).unwrap()
    };
    let (nb, na) = (
        at(leaf.validity().not_before),
        at(leaf.validity().not_after),
    );
    let crl_dp = leaf
        .extensions()
        .iter()
        .any(|x| x.oid.to_id_string() == "2.5.29.31");
    (
        (na - nb).num_seconds(),
        certdirect::br::is_short_lived(nb, na),
        crl_dp,
    )
}

/// Passes http-01 for every authorization of `order`, finalizes it and returns (order, chain).
async fn complete(e: &Env, order: &Value, names: &[&str]) -> (Value, String) {
    for authz in order["authorizations"].as_array().unwrap() {
        let decided = e.pass_http(authz.as_str().unwrap()).await;
        assert_eq!(decided["status"], "valid", "{decided}");
    }
    let (done, _) = e.finalize(order, names).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.body["status"], "valid", "{}", done.body);
    let chain = e.get(done.body["certificate"].as_str().unwrap()).await;
    (done.body, chain.body.as_str().unwrap().to_owned())
}

async fn certificate_profile(e: &Env, chain: &str) -> Value {
    let der = pem_blocks(chain).remove(0);
    let (_, leaf) = x509_parser::parse_x509_certificate(&der).unwrap();
    let serial = hex::encode(leaf.raw_serial());
    let res = e.portal.get(&format!("/certificates/{serial}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["profile"].clone()
}

/// The directory lists the profiles, in Japanese when asked; an order names one (or gets the
/// default), echoes it, and its certificate has the profile's validity: 6 days for `shortlived`
/// (a BR short-lived subscriber certificate), 90 days for `classic`, both with the CRL
/// distribution point. The portal's certificate list says which.
#[tokio::test]
async fn orders_choose_a_profile_and_certificates_follow_it() {
    let e = env().await;
    let http = reqwest::Client::new();
    let dir: Value = http
        .get(format!("{}/acme/directory", e.app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let profiles = dir["meta"]["profiles"].as_object().unwrap();
    assert_eq!(
        profiles.keys().collect::<Vec<_>>(),
        ["classic", "shortlived"]
    );
    assert!(profiles["shortlived"].as_str().unwrap().contains("6-day"));
    let ja: Value = http
        .get(format!("{}/acme/directory", e.app.base))
        .header("accept-language", "ja-JP,ja;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        ja["meta"]["profiles"]["shortlived"]
            .as_str()
            .unwrap()
            .contains("有効期間6日"),
        "{ja}"
    );

    e.buy("example.jp", "dv").await;
    let order = e
        .new_order_with_profile(&["example.jp"], "shortlived")
        .await;
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(order.body["profile"], "shortlived");
    let (done, chain) = complete(&e, &order.body, &["example.jp"]).await;
    assert_eq!(done["profile"], "shortlived", "the order keeps echoing it");
    let (seconds, short_lived, crl_dp) = leaf_facts(&chain);
    assert_eq!(
        seconds,
        (Duration::days(6) + Duration::minutes(1)).num_seconds()
    );
    assert!(short_lived, "a BR short-lived subscriber certificate");
    assert!(crl_dp, "kept for the Microsoft Root Program (3.A.5)");
    assert_eq!(certificate_profile(&e, &chain).await, "shortlived");

    // No profile named: the default, echoed.
    let order = e.new_order(&["www.example.jp"]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(order.body["profile"], "classic");
    let (_, chain) = complete(&e, &order.body, &["www.example.jp"]).await;
    let (seconds, short_lived, crl_dp) = leaf_facts(&chain);
    assert_eq!(
        seconds,
        (Duration::days(90) + Duration::minutes(1)).num_seconds()
    );
    assert!(!short_lived && crl_dp);
    assert_eq!(certificate_profile(&e, &chain).await, "classic");
    let list: Vec<Value> = e.portal.get("/certificates").await.json().await.unwrap();
    let mut shown: Vec<&str> = list
        .iter()
        .map(|c| c["profile"].as_str().unwrap())
        .collect();
    shown.sort();
    assert_eq!(shown, ["classic", "shortlived"]);
    // And the portal's order list.
    let orders: Vec<Value> = e.portal.get("/acme-orders").await.json().await.unwrap();
    let mut shown: Vec<&str> = orders
        .iter()
        .map(|o| o["profile"].as_str().unwrap())
        .collect();
    shown.sort();
    assert_eq!(shown, ["classic", "shortlived"]);
}

/// `invalidProfile` (400) for a profile the server does not have, and for one not offered for
/// the product of the names, with a detail saying which; a profile that is not a string is
/// malformed. Profiles come from CERTDIRECT_ACME_PROFILES.
#[tokio::test]
async fn unknown_or_unsuitable_profiles_are_invalid() {
    let e = env_with(
        &[(
            "CERTDIRECT_ACME_PROFILES",
            r#"[{"name":"classic","description":"Classic"},
                {"name":"dvonly","description":{"en":"DV only","ja":"DVのみ"},"days":30,"products":["dv"]}]"#,
        )],
        true,
    )
    .await;
    e.buy("*.wild.jp", "dv_wildcard").await;
    e.buy("plain.jp", "dv").await;
    let r = e.new_order_with_profile(&["plain.jp"], "weekly").await;
    assert_eq!(r.status, 400);
    let detail = r.expect_problem("invalidProfile");
    assert!(
        detail.contains("no profile \"weekly\"") && detail.contains("classic, dvonly"),
        "{detail}"
    );
    let r = e
        .new_order_with_profile(&["*.wild.jp", "wild.jp"], "dvonly")
        .await;
    assert_eq!(r.status, 400);
    let detail = r.expect_problem("invalidProfile");
    assert!(
        detail.contains("\"dvonly\" is not offered for dv_wildcard names")
            && detail.contains("use classic"),
        "{detail}"
    );
    let r = e
        .post(
            &e.acme.url("/new-order"),
            br#"{"identifiers":[{"type":"dns","value":"plain.jp"}],"profile":7}"#,
        )
        .await;
    r.expect_problem("malformed");
    // The configured profile works for what it is for, with its own validity.
    let order = e.new_order_with_profile(&["plain.jp"], "dvonly").await;
    assert_eq!(order.status, 201, "{}", order.body);
    let (_, chain) = complete(&e, &order.body, &["plain.jp"]).await;
    let (seconds, _, _) = leaf_facts(&chain);
    assert_eq!(
        seconds,
        (Duration::days(30) + Duration::minutes(1)).num_seconds()
    );
}

/// The public profile list the portal shows, with the default marked.
#[tokio::test]
async fn the_api_lists_the_profiles() {
    let app = spawn_app().await;
    let res = app.client().get("/acme/profiles").await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Vec<Value> = res.json().await.unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["name"], "classic");
    assert_eq!(list[0]["default"], true);
    assert_eq!(list[0]["validity_days"], 90);
    assert_eq!(list[1]["name"], "shortlived");
    assert_eq!(list[1]["validity_days"], 6);
    assert_eq!(list[1]["short_lived"], true);
    assert_eq!(
        list[1]["products"],
        serde_json::json!(["dv", "dv_wildcard"])
    );
    assert!(list[1]["description_ja"].as_str().unwrap().contains("6日"));
}
