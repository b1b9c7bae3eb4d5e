//! DNSSEC validation of dns-01, dns-persist-01 and CAA lookups (R-VAL-8) against BIND on loopback
//! serving a signed parent zone `dnssec.jp` (its key is the trust anchor) with three children:
//! `secure` (signed, its DS in the parent), `bogus` (signed, its DS in the parent, but records
//! altered after signing) and `insecure` (unsigned, no DS: provably insecure).

use serde_json::Value;

use crate::jose::b64;
use crate::orders::{env_with, Env};
use crate::va_env::{Bind, Signing, Zone};

const US: &str = "ca.certdirect.test";
const PARENT: &str = "dnssec.jp";

/// How the trust anchor of `dnssec.jp` is given.
enum Anchor {
    /// Its key-signing key's DS record.
    Ds,
    /// Its key-signing key's DNSKEY record (dnssec-keygen's `.key` file as it is).
    Dnskey,
    /// This text.
    Text(String),
}

/// BIND with keys for the parent and the signed children, and the app validating against the
/// parent's anchor and resolving through BIND.
async fn dnssec_env(anchor: Anchor) -> (Env, Bind) {
    let bind = Bind::prepare(&[PARENT, "secure.dnssec.jp", "bogus.dnssec.jp"]);
    let file = match anchor {
        Anchor::Ds => bind.write("anchors.ds", &bind.ds(PARENT)),
        Anchor::Dnskey => bind.ksk_file(PARENT),
        Anchor::Text(text) => bind.write("anchors.txt", &text),
    };
    let file = file.to_str().unwrap().to_owned();
    let e = env_with(
        &[
            ("CERTDIRECT_CAA_IDENTITIES", US),
            ("CERTDIRECT_VA_DNS_SERVERS", bind.addr.as_str()),
            ("CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS", file.as_str()),
        ],
        true,
    )
    .await;
    (e, bind)
}

/// The dns-01 TXT value for `authz`'s challenge.
fn txt_value(e: &Env, authz: &Value) -> String {
    let token = e.challenge(authz, "dns-01")["token"].as_str().unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, e.key_authorization(token).as_bytes());
    b64(digest.as_ref())
}

/// The zones: each child answers A 127.0.0.1, allows us by CAA and carries `txt` (by child
/// label) at `_acme-challenge`. The bogus child was signed with `"placeholder"` there, a CAA
/// record for another CA and `www A 127.0.0.2`, all changed to the right values after signing.
/// With `nsec3`, the parent and the signed child prove absence with NSEC3 rather than NSEC.
fn zones(txt: &[(&str, String)], nsec3: bool) -> Vec<Zone> {
    let signed = || {
        if nsec3 {
            Signing::SignedNsec3
        } else {
            Signing::Signed
        }
    };
    let value = |label: &str| {
        txt.iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "unused".into())
    };
    let child = |label: &str, caa: &str, txt: &str, www: &str, signing: Signing| Zone {
        name: format!("{label}.{PARENT}"),
        records: vec![
            "@ A 127.0.0.1".into(),
            format!("www A {www}"),
            format!("@ CAA 0 issue \"{caa}\""),
            format!("_acme-challenge TXT \"{txt}\""),
        ],
        signing,
    };
    vec![
        Zone {
            name: PARENT.into(),
            records: vec!["@ A 127.0.0.1".into()],
            signing: signed(),
        },
        child("secure", US, &value("secure"), "127.0.0.1", signed()),
        child(
            "bogus",
            "other-ca.example",
            "placeholder",
            "127.0.0.2",
            Signing::Tampered(vec![
                ("\"placeholder\"".into(), format!("\"{}\"", value("bogus"))),
                ("\"other-ca.example\"".into(), format!("\"{US}\"")),
                ("127.0.0.2".into(), "127.0.0.1".into()),
            ]),
        ),
        child(
            "insecure",
            US,
            &value("insecure"),
            "127.0.0.1",
            Signing::Unsigned,
        ),
    ]
}

/// Orders `name`, returning (order, its one authorization's URL and body).
async fn order(e: &Env, name: &str) -> (Value, String, Value) {
    e.buy(name, "dv").await;
    let order = e.new_order(&[name]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&url).await.body;
    (order.body, url, authz)
}

/// Responds to `method` of `authz` and waits for the verdict.
async fn respond(e: &Env, url: &str, authz: &Value, method: &str) -> Value {
    let c = e.challenge(authz, method);
    let r = e.post(c["url"].as_str().unwrap(), b"{}").await;
    assert_eq!(r.status, 200, "{}", r.body);
    e.await_authz(url).await
}

/// The validation record entries of `method`'s challenge with key `key`.
fn entry(e: &Env, authz: &Value, method: &str, key: &str) -> Value {
    let record = &e.challenge(authz, method)["validationRecord"];
    record
        .as_array()
        .unwrap_or_else(|| panic!("a validation record in {authz}"))
        .iter()
        .find(|r| r.get(key).is_some())
        .cloned()
        .unwrap_or_else(|| panic!("no {key} entry in {record}"))
}

/// A zone signed under the anchor (given as DS) passes dns-01 and CAA, both secure, and issues.
#[tokio::test]
async fn dnssec_signed_zone_passes_dns01_and_caa() {
    let (e, mut bind) = dnssec_env(Anchor::Ds).await;
    let (order_body, url, authz) = order(&e, "secure.dnssec.jp").await;
    bind.serve(&zones(&[("secure", txt_value(&e, &authz))], false))
        .await;
    let decided = respond(&e, &url, &authz, "dns-01").await;
    assert_eq!(decided["status"], "valid", "{decided}");
    let txt = entry(&e, &decided, "dns-01", "hostname");
    assert_eq!(txt["dnssec"], "secure", "{txt}");
    let caa = entry(&e, &decided, "dns-01", "caa");
    assert_eq!(caa["dnssec"], "secure", "{caa}");
    assert_eq!(caa["found_at"], "secure.dnssec.jp", "{caa}");
    let (done, _) = e.finalize(&order_body, &["secure.dnssec.jp"]).await;
    assert_eq!(done.body["status"], "valid", "{}", done.body);
}

/// Records altered after signing are bogus: dns-01 fails although the TXT value is the right
/// one; after an http-01 success the CAA lookup (whose answer would allow us) refuses; and
/// http-01 to a name whose A record was altered fails. Each with kind `dns` and a detail saying
/// DNSSEC validation failed and for which name. The anchor is given as the DNSKEY file
/// dnssec-keygen wrote.
#[tokio::test]
async fn dnssec_bogus_answers_fail_dns01_and_caa() {
    let (e, mut bind) = dnssec_env(Anchor::Dnskey).await;
    let (_, dns_url, dns_authz) = order(&e, "bogus.dnssec.jp").await;
    bind.serve(&zones(&[("bogus", txt_value(&e, &dns_authz))], false))
        .await;

    let decided = respond(&e, &dns_url, &dns_authz, "dns-01").await;
    assert_eq!(decided["status"], "invalid", "{decided}");
    let c = e.challenge(&decided, "dns-01");
    assert_eq!(c["error"]["type"], "urn:ietf:params:acme:error:dns", "{c}");
    let detail = c["error"]["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("DNSSEC validation failed for TXT _acme-challenge.bogus.dnssec.jp."),
        "{detail}"
    );
    assert_eq!(entry(&e, &decided, "dns-01", "hostname")["dnssec"], "bogus");

    // http-01 is met (the apex's A record is intact), then CAA is bogus.
    let order = e.new_order(&["bogus.dnssec.jp"]).await;
    let url = order.body["authorizations"][0].as_str().unwrap();
    let decided = e.pass_http(url).await;
    assert_eq!(decided["status"], "invalid", "{decided}");
    let c = e.challenge(&decided, "http-01");
    assert_eq!(c["error"]["type"], "urn:ietf:params:acme:error:dns", "{c}");
    let detail = c["error"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("the CAA check for bogus.dnssec.jp could not be completed")
            && detail.contains("DNSSEC validation failed for CAA bogus.dnssec.jp."),
        "{detail}"
    );
    assert_eq!(entry(&e, &decided, "http-01", "caa")["dnssec"], "bogus");

    // An altered A record: http-01 never connects.
    let order = e.new_order(&["www.bogus.dnssec.jp"]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let url = order.body["authorizations"][0].as_str().unwrap();
    let decided = e.pass_http(url).await;
    assert_eq!(decided["status"], "invalid", "{decided}");
    let c = e.challenge(&decided, "http-01");
    assert_eq!(c["error"]["type"], "urn:ietf:params:acme:error:dns", "{c}");
    let detail = c["error"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("DNSSEC validation failed for A www.bogus.dnssec.jp."),
        "{detail}"
    );
}

/// [`zones`] with a dns-persist-01 record at `_validation-persist` of the secure child (signed)
/// and of the bogus child (signed as a placeholder, changed to `record` after signing).
fn persist_zones(record: &str) -> Vec<Zone> {
    let mut all = zones(&[], false);
    for zone in &mut all {
        if zone.name == format!("secure.{PARENT}") {
            zone.records
                .push(format!("_validation-persist TXT \"{record}\""));
        } else if zone.name == format!("bogus.{PARENT}") {
            zone.records
                .push("_validation-persist TXT \"persist-placeholder\"".into());
            if let Signing::Tampered(changes) = &mut zone.signing {
                changes.push(("\"persist-placeholder\"".into(), format!("\"{record}\"")));
            }
        }
    }
    all
}

/// dns-persist-01's TXT lookup is DNSSEC-validated like dns-01's (R-VAL-8, R-VAL-10): the
/// signed record passes as secure; the same record altered after signing is bogus and refused
/// with `dns`, naming the lookup.
#[tokio::test]
async fn dnssec_applies_to_dns_persist01() {
    let (e, mut bind) = dnssec_env(Anchor::Ds).await;
    bind.serve(&persist_zones(&format!("{US}; accounturi={}", e.kid)))
        .await;
    let (order_body, url, authz) = order(&e, "secure.dnssec.jp").await;
    let decided = respond(&e, &url, &authz, "dns-persist-01").await;
    assert_eq!(decided["status"], "valid", "{decided}");
    let txt = entry(&e, &decided, "dns-persist-01", "hostname");
    assert_eq!(txt["hostname"], "_validation-persist.secure.dnssec.jp.");
    assert_eq!(txt["dnssec"], "secure", "{txt}");
    assert_eq!(
        entry(&e, &decided, "dns-persist-01", "caa")["dnssec"],
        "secure"
    );
    let (done, _) = e.finalize(&order_body, &["secure.dnssec.jp"]).await;
    assert_eq!(done.body["status"], "valid", "{}", done.body);

    let (_, url, authz) = order(&e, "bogus.dnssec.jp").await;
    let decided = respond(&e, &url, &authz, "dns-persist-01").await;
    assert_eq!(decided["status"], "invalid", "{decided}");
    let c = e.challenge(&decided, "dns-persist-01");
    assert_eq!(c["error"]["type"], "urn:ietf:params:acme:error:dns", "{c}");
    let detail = c["error"]["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("DNSSEC validation failed for TXT _validation-persist.bogus.dnssec.jp."),
        "{detail}"
    );
    assert_eq!(
        entry(&e, &decided, "dns-persist-01", "hostname")["dnssec"],
        "bogus"
    );
}

/// A child zone without DS in its signed parent is provably insecure: looked up as usual.
#[tokio::test]
async fn dnssec_unsigned_zone_is_looked_up_as_usual() {
    let (e, mut bind) = dnssec_env(Anchor::Ds).await;
    let (order_body, url, authz) = order(&e, "insecure.dnssec.jp").await;
    bind.serve(&zones(&[("insecure", txt_value(&e, &authz))], false))
        .await;
    let decided = respond(&e, &url, &authz, "dns-01").await;
    assert_eq!(decided["status"], "valid", "{decided}");
    assert_eq!(
        entry(&e, &decided, "dns-01", "hostname")["dnssec"],
        "insecure"
    );
    assert_eq!(entry(&e, &decided, "dns-01", "caa")["dnssec"], "insecure");
    let (done, _) = e.finalize(&order_body, &["insecure.dnssec.jp"]).await;
    assert_eq!(done.body["status"], "valid", "{}", done.body);
}

/// An anchor that matches no key of its zone makes every answer below it fail.
#[tokio::test]
async fn dnssec_anchor_matching_no_key_fails_closed() {
    // The DS of another key of the same zone.
    let other = Bind::prepare(&[PARENT]);
    let (e, mut bind) = dnssec_env(Anchor::Text(other.ds(PARENT))).await;
    let (_, url, authz) = order(&e, "secure.dnssec.jp").await;
    bind.serve(&zones(&[("secure", txt_value(&e, &authz))], false))
        .await;
    let decided = respond(&e, &url, &authz, "dns-01").await;
    let c = e.challenge(&decided, "dns-01");
    let detail = c["error"]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("DNSSEC validation failed for TXT _acme-challenge.secure.dnssec.jp.")
            && detail.contains("no DNSKEY of dnssec.jp. matches its trust anchor"),
        "{c}"
    );
}

/// `/api/v1/health` says whether DNSSEC validation is on.
#[tokio::test]
async fn health_reports_dnssec() {
    let (e, _bind) = dnssec_env(Anchor::Dnskey).await;
    let health: Value = reqwest::get(format!("{}/api/v1/health", e.app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["dnssec"], "on", "{health}");
    let off = crate::helpers::spawn_app().await;
    let health: Value = reqwest::get(format!("{}/api/v1/health", off.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["dnssec"], "off", "{health}");
}

/// NSEC3 (RFC 5155): with the parent and the signed child proving absence by NSEC3, the unsigned
/// child's missing DS is still proven (so it is looked up as usual), and in the signed child the
/// proven absence of AAAA and CAA records at `www` lets http-01 and the CAA climb go on, securely.
#[tokio::test]
async fn dnssec_nsec3_denials_validate() {
    let (e, mut bind) = dnssec_env(Anchor::Ds).await;
    let (_, url, authz) = order(&e, "insecure.dnssec.jp").await;
    bind.serve(&zones(&[("insecure", txt_value(&e, &authz))], true))
        .await;
    let decided = respond(&e, &url, &authz, "dns-01").await;
    assert_eq!(decided["status"], "valid", "{decided}");
    assert_eq!(
        entry(&e, &decided, "dns-01", "hostname")["dnssec"],
        "insecure"
    );

    e.buy("secure.dnssec.jp", "dv").await;
    let order = e.new_order(&["www.secure.dnssec.jp"]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let decided = e
        .pass_http(order.body["authorizations"][0].as_str().unwrap())
        .await;
    assert_eq!(decided["status"], "valid", "{decided}");
    let caa = entry(&e, &decided, "http-01", "caa");
    assert_eq!(
        caa["looked_up"],
        serde_json::json!(["www.secure.dnssec.jp", "secure.dnssec.jp"]),
        "{caa}"
    );
    assert_eq!(caa["found_at"], "secure.dnssec.jp", "{caa}");
    assert_eq!(caa["dnssec"], "secure", "{caa}");
}
