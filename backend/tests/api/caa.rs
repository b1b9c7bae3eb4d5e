//! CAA (R-VAL-6, RFC 8659 and RFC 8657) on real ACME orders, with CAA records served by a real
//! DNS server on loopback: pebble-challtestsrv, and BIND for a record with the critical flag.

use serde_json::Value;

use crate::orders::{env_with, Env};
use crate::va_env::{Bind, Signing, Zone};

/// Our issuer domain name in these tests (CERTDIRECT_CAA_IDENTITIES).
const US: &str = "ca.certdirect.test";

async fn caa_env(extra: &[(&str, &str)]) -> Env {
    let mut settings = vec![("CERTDIRECT_CAA_IDENTITIES", US)];
    settings.extend_from_slice(extra);
    env_with(&settings, true).await
}

/// Orders `name` and meets its `method` challenge; the decided authorization.
async fn decided(e: &Env, name: &str, method: &str) -> Value {
    let order = e.new_order(&[name]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let authz = order.body["authorizations"][0].as_str().unwrap();
    match method {
        "http-01" => e.pass_http(authz).await,
        _ => e.pass_dns(authz).await,
    }
}

/// The error type (after `urn:ietf:params:acme:error:`) and detail of an invalid authorization.
fn refusal(e: &Env, authz: &Value, method: &str) -> (String, String) {
    assert_eq!(authz["status"], "invalid", "{authz}");
    let c = e.challenge(authz, method);
    assert_eq!(c["status"], "invalid", "{c}");
    let kind = c["error"]["type"].as_str().unwrap();
    (
        kind.strip_prefix("urn:ietf:params:acme:error:")
            .unwrap_or(kind)
            .to_owned(),
        c["error"]["detail"].as_str().unwrap().to_owned(),
    )
}

/// `issue` naming another CA refuses with `caa`, naming the record set, where it was found and why.
#[tokio::test]
async fn caa_naming_another_ca_refuses_issuance() {
    let e = caa_env(&[]).await;
    e.buy("other.jp", "dv").await;
    e.dns
        .add_caa("other.jp", &[("issue", "other-ca.example")])
        .await;
    let authz = decided(&e, "other.jp", "http-01").await;
    let (kind, detail) = refusal(&e, &authz, "http-01");
    assert_eq!(kind, "caa", "{detail}");
    assert!(
        detail.contains("the record set at other.jp")
            && detail.contains("0 issue \"other-ca.example\" names another CA")
            && detail.contains(US),
        "{detail}"
    );
    let record = &e.challenge(&authz, "http-01")["validationRecord"];
    let caa = record
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r.get("caa").is_some())
        .unwrap_or_else(|| panic!("a CAA entry in {record}"));
    assert_eq!(caa["found_at"], "other.jp", "{caa}");
    assert_eq!(caa["records"][0], "0 issue \"other-ca.example\"", "{caa}");
}

/// RFC 8657 accounturi: a record for our CA bound to another account refuses.
#[tokio::test]
async fn caa_bound_to_another_account_refuses_issuance() {
    let e = caa_env(&[]).await;
    e.buy("bound.jp", "dv").await;
    let other = format!("{}/acme/acct/999999", e.app.base);
    e.dns
        .add_caa(
            "bound.jp",
            &[("issue", &format!("{US}; accounturi={other}"))],
        )
        .await;
    let authz = decided(&e, "bound.jp", "http-01").await;
    let (kind, detail) = refusal(&e, &authz, "http-01");
    assert_eq!(kind, "caa", "{detail}");
    assert!(
        detail.contains(&format!(
            "bound to the ACME account {other}, not to this order's account {}",
            e.kid
        )),
        "{detail}"
    );
}

/// A record naming us with this account's URL and a validationmethods list allows exactly the
/// listed methods; issuance goes through.
#[tokio::test]
async fn caa_allowing_this_account_and_method_issues() {
    let e = caa_env(&[]).await;
    e.buy("allowed.jp", "dv").await;
    let value = format!("{US}; accounturi={}; validationmethods=http-01", e.kid);
    e.dns.add_caa("allowed.jp", &[("issue", &value)]).await;
    // dns-01 is not among the allowed methods.
    let authz = decided(&e, "allowed.jp", "dns-01").await;
    let (kind, detail) = refusal(&e, &authz, "dns-01");
    assert_eq!(kind, "caa", "{detail}");
    assert!(
        detail.contains("allows only the validation methods http-01, not dns-01"),
        "{detail}"
    );
    // http-01 is, and the certificate is issued.
    let (order, _chain) = e.issue_http(&["allowed.jp"]).await;
    assert_eq!(order["status"], "valid");
}

/// A CAA lookup that fails (SERVFAIL, here at the parent on the way up) is not permission.
#[tokio::test]
async fn caa_servfail_refuses_issuance() {
    let e = caa_env(&[]).await;
    e.buy("flaky.jp", "dv").await;
    e.dns.set_servfail("flaky.jp").await;
    let authz = decided(&e, "www.flaky.jp", "http-01").await;
    let (kind, detail) = refusal(&e, &authz, "http-01");
    assert_eq!(kind, "dns", "{detail}");
    assert!(
        detail.contains("the CAA check for www.flaky.jp could not be completed, and a failed lookup is not permission")
            && detail.contains("CAA flaky.jp."),
        "{detail}"
    );
}

/// RFC 8659 §4.3: `issuewild` governs the wildcard and not the base name.
#[tokio::test]
async fn caa_issuewild_governs_the_wildcard_only() {
    let e = caa_env(&[]).await;
    e.buy("*.wild.jp", "dv_wildcard").await;
    e.dns
        .add_caa(
            "wild.jp",
            &[("issuewild", "other-ca.example"), ("issue", US)],
        )
        .await;
    let order = e.new_order(&["*.wild.jp", "wild.jp"]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    for a in order.body["authorizations"].as_array().unwrap() {
        let url = a.as_str().unwrap();
        let authz = e.get(url).await.body;
        if authz["wildcard"] == true {
            let decided = e.pass_dns(url).await;
            let (kind, detail) = refusal(&e, &decided, "dns-01");
            assert_eq!(kind, "caa", "{detail}");
            assert!(
                detail.contains("*.wild.jp")
                    && detail.contains("no issuewild property allows a wildcard certificate")
                    && detail.contains("0 issuewild \"other-ca.example\" names another CA"),
                "{detail}"
            );
        } else {
            let decided = e.pass_http(url).await;
            assert_eq!(
                decided["status"], "valid",
                "the base name issues: {decided}"
            );
        }
    }
    assert_eq!(e.get(&order.location()).await.body["status"], "invalid");
}

/// RFC 8659 §3: a record set on a parent applies to the child; one at the child comes first.
#[tokio::test]
async fn caa_on_a_parent_applies_to_the_child() {
    let e = caa_env(&[]).await;
    e.buy("family.jp", "dv").await;
    e.dns
        .add_caa("family.jp", &[("issue", "other-ca.example")])
        .await;
    let authz = decided(&e, "www.family.jp", "http-01").await;
    let (kind, detail) = refusal(&e, &authz, "http-01");
    assert_eq!(kind, "caa", "{detail}");
    assert!(
        detail.contains("CAA forbids issuance for www.family.jp: the record set at family.jp"),
        "{detail}"
    );
    // A set at the child itself is the relevant one.
    e.dns.add_caa("www.family.jp", &[("issue", US)]).await;
    let authz = decided(&e, "www.family.jp", "http-01").await;
    assert_eq!(authz["status"], "valid", "{authz}");
}

/// RFC 8659 §4.1: a property CertDirect does not understand, marked critical, forbids issuance.
/// (pebble-challtestsrv cannot set CAA flags; BIND serves this record.)
#[tokio::test]
async fn caa_unknown_critical_property_refuses_issuance() {
    let mut bind = Bind::prepare(&[]);
    let e = caa_env(&[("CERTDIRECT_VA_DNS_SERVERS", bind.addr.as_str())]).await;
    e.buy("critical.jp", "dv").await;
    bind.serve(&[Zone {
        name: "critical.jp".into(),
        records: vec![
            "@ A 127.0.0.1".into(),
            format!("@ CAA 0 issue \"{US}\""),
            "@ CAA 128 tbs \"unknown\"".into(),
        ],
        signing: Signing::Unsigned,
    }])
    .await;
    let authz = decided(&e, "critical.jp", "http-01").await;
    let (kind, detail) = refusal(&e, &authz, "http-01");
    assert_eq!(kind, "caa", "{detail}");
    assert!(
        detail.contains("128 tbs \"unknown\" carries the critical flag on a property CertDirect does not understand"),
        "{detail}"
    );
}

/// BR 3.2.2.8: CAA is checked within 8 hours before issuance. An authorization validated longer
/// ago is reused for a new order, but finalize checks CAA again and refuses when it changed.
#[tokio::test]
async fn caa_is_checked_again_at_finalize_when_the_validation_is_old() {
    let e = caa_env(&[]).await;
    e.buy("later.jp", "dv").await;
    let (first, _) = e.issue_http(&["later.jp"]).await;
    assert_eq!(first["status"], "valid");

    // Within 7 hours the validation is fresh: a changed CAA does not matter yet.
    e.app.clock.advance(chrono::Duration::hours(6));
    e.dns
        .add_caa("later.jp", &[("issue", "other-ca.example")])
        .await;
    let fresh = e.new_order(&["later.jp"]).await;
    assert_eq!(fresh.body["status"], "ready", "reused: {}", fresh.body);
    let (done, _) = e.finalize(&fresh.body, &["later.jp"]).await;
    assert_eq!(done.status, 200, "{}", done.body);

    // Past 7 hours the reused authorization's CAA is looked up again at finalize.
    e.app.clock.advance(chrono::Duration::hours(2));
    let old = e.new_order(&["later.jp"]).await;
    assert_eq!(old.body["status"], "ready", "reused: {}", old.body);
    let (refused, _) = e.finalize(&old.body, &["later.jp"]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.body["type"], "urn:ietf:params:acme:error:caa");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("checked again before issuance"), "{detail}");
    assert!(detail.contains("other-ca.example"), "{detail}");
    let order_url = old.location();
    let after = e.get(&order_url).await;
    assert_eq!(after.body["status"], "invalid", "{}", after.body);
    assert_eq!(
        after.body["error"]["type"],
        "urn:ietf:params:acme:error:caa"
    );

    // With CAA allowing us again, a new order (same old authorization) issues.
    e.dns.add_caa("later.jp", &[("issue", US)]).await;
    let again = e.new_order(&["later.jp"]).await;
    let (ok, _) = e.finalize(&again.body, &["later.jp"]).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
}
