//! dns-persist-01 (R-VAL-10; draft-ietf-acme-dns-persist, BR 3.2.2.4.22): the standing
//! `_validation-persist` TXT record on pebble-challtestsrv, answered by instant-acme and by the raw
//! JWS client, and each refusal with a detail saying which record failed and why.

use std::time::Duration as StdDuration;

use serde_json::{json, Value};

use crate::orders::{env_with, pem_blocks, Env};

/// Our issuer domain names in these tests (CERTDIRECT_CAA_IDENTITIES).
const ISSUER: &str = "ca.certdirect.test";
const ISSUER2: &str = "ca2.certdirect.test";

async fn env() -> Env {
    env_with(
        &[(
            "CERTDIRECT_CAA_IDENTITIES",
            "ca.certdirect.test,ca2.certdirect.test",
        )],
        true,
    )
    .await
}

/// The types of the challenges of `authz`, in order.
fn kinds(authz: &Value) -> Vec<String> {
    authz["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap().to_owned())
        .collect()
}

/// Orders `names` (registered beforehand), answers dns-persist-01 on every authorization and
/// returns the order and the decided authorizations.
async fn answer_persist(e: &Env, names: &[&str]) -> (Value, Vec<Value>) {
    let order = e.new_order(names).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let mut decided = Vec::new();
    for url in order.body["authorizations"].as_array().unwrap() {
        let url = url.as_str().unwrap();
        let authz = e.get(url).await.body;
        let c = e.challenge(&authz, "dns-persist-01");
        let r = e.post(c["url"].as_str().unwrap(), b"{}").await;
        assert_eq!(r.status, 200, "{}", r.body);
        decided.push(e.await_authz(url).await);
    }
    (order.body, decided)
}

/// The error of the dns-persist-01 challenge of a decided authorization.
fn persist_error(e: &Env, authz: &Value) -> (String, String) {
    let c = e.challenge(authz, "dns-persist-01");
    assert_eq!(c["status"], "invalid", "{authz}");
    (
        c["error"]["type"].as_str().unwrap().to_owned(),
        c["error"]["detail"].as_str().unwrap().to_owned(),
    )
}

/// The challenge object (draft §3.1, as Boulder and Pebble serve it) and the types offered: all
/// three for a name, dns-01 and dns-persist-01 for a wildcard (R-VAL-1).
#[tokio::test]
async fn dns_persist01_is_offered_beside_http01_and_dns01() {
    let e = env().await;
    e.buy("*.offer.jp", "dv_wildcard").await;
    let order = e.new_order(&["*.offer.jp", "offer.jp"]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let mut seen = Vec::new();
    for url in order.body["authorizations"].as_array().unwrap() {
        seen.push(e.get(url.as_str().unwrap()).await.body);
    }
    let wildcard = seen.iter().find(|a| a["wildcard"] == true).unwrap();
    let plain = seen.iter().find(|a| a["wildcard"] != true).unwrap();
    assert_eq!(kinds(wildcard), ["dns-01", "dns-persist-01"]);
    assert_eq!(kinds(plain), ["http-01", "dns-01", "dns-persist-01"]);
    let c = e.challenge(plain, "dns-persist-01");
    assert_eq!(c["status"], "pending");
    assert_eq!(c["issuer-domain-names"], json!([ISSUER, ISSUER2]));
    assert_eq!(c["accounturi"], e.kid.as_str());
    assert!(c.get("token").is_none(), "no token: {c}");
    // The challenge resource itself says the same.
    let fetched = e.get(c["url"].as_str().unwrap()).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["accounturi"], e.kid.as_str());
    assert_eq!(
        fetched.body["issuer-domain-names"],
        json!([ISSUER, ISSUER2])
    );
    // The other challenges keep their tokens.
    assert!(e.challenge(plain, "dns-01")["token"].is_string());
    // The portal has what it needs to show the record: our issuer domain names (here) and the
    // account URLs (the ACME accounts list).
    let app: Value = e
        .portal
        .get("/acme-application")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(app["issuer_domain_names"], json!([ISSUER, ISSUER2]));
    let accounts: Value = e.portal.get("/acme-accounts").await.json().await.unwrap();
    assert_eq!(accounts[0]["url"], e.kid.as_str());
}

/// The issue's "Done when": a real client library (instant-acme) answers dns-persist-01 after
/// the standing record is published and gets a certificate for a wildcard and its base name
/// from one `policy=wildcard` record.
#[tokio::test]
async fn instant_acme_gets_a_wildcard_certificate_by_dns_persist01() {
    use instant_acme::{ChallengeType, Identifier, NewOrder, OrderStatus, RetryPolicy};
    let e = env().await;
    e.buy("*.persist.jp", "dv_wildcard").await;
    let account = crate::orders::instant_account(&e).await;
    // Published once, before any order: the record names the account URL.
    e.dns
        .add_txt(
            "_validation-persist.persist.jp",
            &format!("{ISSUER}; accounturi={}; policy=wildcard", account.id()),
        )
        .await;
    let ids = [
        Identifier::Dns("*.persist.jp".into()),
        Identifier::Dns("persist.jp".into()),
    ];
    let mut order = account.new_order(&NewOrder::new(&ids)).await.unwrap();
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz.unwrap();
        let mut challenge = authz
            .challenge(ChallengeType::Unknown("dns-persist-01".into()))
            .expect("dns-persist-01 is offered");
        challenge.set_ready().await.unwrap();
    }
    let retry = RetryPolicy::new()
        .initial_delay(StdDuration::from_millis(100))
        .timeout(StdDuration::from_secs(20));
    assert_eq!(order.poll_ready(&retry).await.unwrap(), OrderStatus::Ready);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(vec!["*.persist.jp".to_string(), "persist.jp".to_string()])
            .unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    order
        .finalize_csr(params.serialize_request(&key).unwrap().der())
        .await
        .unwrap();
    let chain = order.poll_certificate(&retry).await.unwrap();
    let certs = pem_blocks(&chain);
    let (_, leaf) = x509_parser::parse_x509_certificate(&certs[0]).unwrap();
    let sans: Vec<String> = leaf
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(sans, ["DNSName(*.persist.jp)", "DNSName(persist.jp)"]);
    // The validation record names what was looked up and the record that matched.
    let orders: Value = e.portal.get("/acme-orders").await.json().await.unwrap();
    let c = orders[0]["authorizations"][0]["challenges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "dns-persist-01")
        .unwrap()
        .clone();
    assert_eq!(c["status"], "valid", "{c}");
}

/// With the raw client: a record naming the second issuer domain name, among unrelated TXT
/// records and another CA's, with a persistUntil still ahead on the server's clock, validates;
/// the CAA `validationmethods` must then name dns-persist-01.
#[tokio::test]
async fn dns_persist01_issues_with_any_one_allowing_record() {
    let e = env().await;
    e.buy("any.jp", "dv").await;
    // 2026-11-25T00:00:00Z: after the test clock (2026-11-24T01:00Z), before the real date.
    let until = 1_795_564_800;
    for value in [
        "v=spf1 -all".to_owned(),
        format!("other-ca.example; accounturi={}", e.kid),
        format!("{ISSUER2}; accounturi={}; persistUntil={until}", e.kid),
    ] {
        e.dns.add_txt("_validation-persist.any.jp", &value).await;
    }
    e.dns
        .add_caa(
            "any.jp",
            &[(
                "issue",
                "ca2.certdirect.test; validationmethods=dns-persist-01",
            )],
        )
        .await;
    let (order, decided) = answer_persist(&e, &["any.jp"]).await;
    assert_eq!(decided[0]["status"], "valid", "{}", decided[0]);
    let c = e.challenge(&decided[0], "dns-persist-01");
    let record = &c["validationRecord"][0];
    assert_eq!(record["hostname"], "_validation-persist.any.jp.");
    assert_eq!(
        record["matched"],
        format!("{ISSUER2}; accounturi={}; persistUntil={until}", e.kid)
    );
    assert_eq!(record["dnssec"], "off");
    let (done, _) = e.finalize(&order, &["any.jp"]).await;
    assert_eq!(done.body["status"], "valid", "{}", done.body);
}

/// Each refusal names the record and why: another CA, another account, an expired
/// persistUntil, a wildcard without policy=wildcard, no record at all; and CAA's
/// `validationmethods` without dns-persist-01.
#[tokio::test]
async fn dns_persist01_refusals_say_which_record_and_why() {
    let e = env().await;
    let other_account = e.kid.replace("/acct/", "/acct/9");
    let cases: Vec<(&str, &str, String, &str, &str)> = vec![
        (
            "otherca.jp",
            "dv",
            format!("other-ca.example; accounturi={}", e.kid),
            "unauthorized",
            "another CA: other-ca.example (ours: ca.certdirect.test, ca2.certdirect.test)",
        ),
        (
            "otheracct.jp",
            "dv",
            format!("{ISSUER}; accounturi={other_account}"),
            "unauthorized",
            "another account: ",
        ),
        (
            "expired.jp",
            "dv",
            // 2026-11-01T00:00:00Z, before the test clock.
            format!("{ISSUER}; accounturi={}; persistUntil=1793491200", e.kid),
            "unauthorized",
            "expired persistUntil 1793491200 (2026-11-01T00:00:00Z), before the time of this check (2026-11-24T01:00:00Z)",
        ),
        (
            "*.nopolicy.jp",
            "dv_wildcard",
            format!("{ISSUER}; accounturi={}", e.kid),
            "unauthorized",
            "no policy=wildcard, which a wildcard certificate (*.nopolicy.jp) needs",
        ),
        (
            "malformed.jp",
            "dv",
            format!("{ISSUER}; accounturi={}; persistUntil=tomorrow", e.kid),
            "malformed",
            "malformed: persistUntil=tomorrow is not a base-10 UNIX timestamp",
        ),
    ];
    for (name, kind, value, problem, why) in &cases {
        e.buy(name, kind).await;
        let bare = name.trim_start_matches("*.");
        e.dns
            .add_txt(&format!("_validation-persist.{bare}"), value)
            .await;
        let (_, decided) = answer_persist(&e, &[name]).await;
        let authz = decided
            .iter()
            .find(|a| a["status"] == "invalid")
            .unwrap_or_else(|| panic!("{name}: {decided:?}"));
        let (kind, detail) = persist_error(&e, authz);
        assert_eq!(
            kind,
            format!("urn:ietf:params:acme:error:{problem}"),
            "{name}: {detail}"
        );
        assert!(detail.contains(why), "{name}: {detail}");
        assert!(
            detail.contains(&format!("_validation-persist.{bare}.")),
            "{name}: {detail}"
        );
        assert!(
            detail.contains(value.as_str()),
            "{name}: the record is quoted: {detail}"
        );
    }
    // The account in the refusal is the one the record named.
    e.buy("named.jp", "dv").await;
    e.dns
        .add_txt(
            "_validation-persist.named.jp",
            &format!("{ISSUER}; accounturi={other_account}"),
        )
        .await;
    let (_, decided) = answer_persist(&e, &["named.jp"]).await;
    let (_, detail) = persist_error(&e, &decided[0]);
    assert!(
        detail.contains(&format!(
            "another account: {other_account} (this order's account is {})",
            e.kid
        )),
        "{detail}"
    );
    // No record at all: the detail says what to publish.
    e.buy("none.jp", "dv").await;
    let (_, decided) = answer_persist(&e, &["none.jp"]).await;
    let (_, detail) = persist_error(&e, &decided[0]);
    assert_eq!(
        detail,
        format!(
            "no TXT record was found at _validation-persist.none.jp.; add one with the value \"{ISSUER}; accounturi={}\"",
            e.kid
        )
    );
    // A good record, but CAA allows only dns-01: refused by CAA (R-VAL-6, RFC 8657).
    e.buy("caa.jp", "dv").await;
    e.dns
        .add_txt(
            "_validation-persist.caa.jp",
            &format!("{ISSUER}; accounturi={}", e.kid),
        )
        .await;
    e.dns
        .add_caa(
            "caa.jp",
            &[("issue", "ca.certdirect.test; validationmethods=dns-01")],
        )
        .await;
    let (_, decided) = answer_persist(&e, &["caa.jp"]).await;
    let (kind, detail) = persist_error(&e, &decided[0]);
    assert_eq!(kind, "urn:ietf:params:acme:error:caa");
    assert!(
        detail.contains("allows only the validation methods dns-01, not dns-persist-01"),
        "{detail}"
    );
}

/// The record is judged afresh at each validation (draft §4.2): removing it or letting
/// persistUntil pass stops new validations; a valid authorization keeps its own lifetime.
#[tokio::test]
async fn a_removed_or_expired_record_stops_new_validations() {
    let e = env().await;
    e.buy("keep.jp", "dv").await;
    e.buy("www.gone.jp", "dv").await;
    // 2026-12-01T00:00:00Z.
    let value = format!("{ISSUER}; accounturi={}; persistUntil=1796083200", e.kid);
    e.dns.add_txt("_validation-persist.keep.jp", &value).await;
    e.dns
        .add_txt("_validation-persist.www.gone.jp", &value)
        .await;
    let (_, decided) = answer_persist(&e, &["keep.jp"]).await;
    assert_eq!(decided[0]["status"], "valid", "{}", decided[0]);
    // Removed: a new authorization fails.
    e.dns.clear_txt("_validation-persist.www.gone.jp").await;
    let (_, decided) = answer_persist(&e, &["www.gone.jp"]).await;
    let (_, detail) = persist_error(&e, &decided[0]);
    assert!(
        detail.starts_with("no TXT record was found at _validation-persist.www.gone.jp."),
        "{detail}"
    );
    // Past persistUntil: the valid authorization is still reused (its 25 days, R-ACME-5)...
    e.app.clock.advance(chrono::Duration::days(8));
    let again = e.new_order(&["keep.jp"]).await;
    assert_eq!(again.body["status"], "ready", "{}", again.body);
    // ...but once deactivated, a new validation of the same record is refused.
    let authz_url = again.body["authorizations"][0].as_str().unwrap().to_owned();
    let r = e.post(&authz_url, br#"{"status":"deactivated"}"#).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (_, decided) = answer_persist(&e, &["keep.jp"]).await;
    let (_, detail) = persist_error(&e, &decided[0]);
    assert!(
        detail.contains("expired persistUntil 1796083200 (2026-12-01T00:00:00Z)"),
        "{detail}"
    );
}
