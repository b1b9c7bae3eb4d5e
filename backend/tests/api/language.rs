//! R-ACME-11: ACME problem details are English, or Japanese when the request's Accept-Language
//! prefers it (q-values honoured), for the problems themselves, their subproblems, and the
//! validation errors stored with challenges.

use serde_json::{json, Value};

use crate::jose::Acme;
use crate::orders::env;

/// A JWS with a made-up nonce, sent with `accept_language` (or none): badNonce's detail.
async fn bad_nonce_detail(base: &str, e: &crate::orders::Env, lang: Option<&str>) -> String {
    let acme = match lang {
        Some(l) => Acme::with_language(base, l),
        None => Acme::new(base),
    };
    let url = acme.url("/new-order");
    let jws = e
        .signer
        .jws(&e.signer.kid_header(&e.kid, "bm9ub25jZQ", &url), b"{}");
    let r = acme.post(&url, &jws).await;
    assert_eq!(r.status, 400);
    assert!(
        r.headers["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language"),
        "the answer depends on Accept-Language"
    );
    r.expect_problem("badNonce").to_owned()
}

fn is_japanese(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test]
async fn problem_details_follow_accept_language() {
    let e = env().await;
    let base = e.app.base.clone();
    let english =
        "the nonce is unknown, was already used, or has expired; fetch a new one from newNonce";
    for (lang, japanese) in [
        (None, false),
        (Some("en"), false),
        (Some("en-US,en;q=0.9"), false),
        (Some("ja"), true),
        (Some("ja-JP,ja;q=0.9,en;q=0.8"), true),
        (Some("en;q=0.5, ja"), true),
        (Some("ja;q=0.3, en"), false),
        (Some("ja;q=0"), false),
    ] {
        let detail = bad_nonce_detail(&base, &e, lang).await;
        if japanese {
            assert!(
                detail.starts_with("nonce が不明か、使用済みか、有効期限切れです"),
                "{lang:?}: {detail}"
            );
        } else {
            assert_eq!(detail, english, "{lang:?}");
        }
    }

    let ja = Acme::with_language(&base, "ja");
    // A malformed JWS.
    let r = ja
        .post_raw(
            &ja.url("/new-order"),
            "{\"protected\":\"e30\"}".into(),
            "application/jose+json",
        )
        .await;
    let detail = r.expect_problem("malformed");
    assert_eq!(detail, "JWS に \"payload\" がありません");
    // An account that does not sign its own URL.
    let url = ja.url("/new-order");
    let nonce = ja.nonce().await;
    let jws = e.signer.jws(
        &e.signer.kid_header(&e.kid, &nonce, &format!("{url}?other")),
        b"{}",
    );
    let r = ja.post(&url, &jws).await;
    let detail = r.expect_problem("unauthorized");
    assert!(detail.contains("がリクエストの URL"), "{detail}");

    // R-ACME-4 refusals, with their subproblems.
    e.buy("example.jp", "dv").await;
    let body = json!({ "identifiers": [
        { "type": "dns", "value": "nobody.jp" },
        { "type": "dns", "value": "mail.example.jp" },
    ] })
    .to_string();
    let r = ja.post_kid(&e.signer, &e.kid, &url, body.as_bytes()).await;
    let detail = r.expect_problem("rejectedIdentifier");
    assert!(
        detail.starts_with("2件の識別子を受け付けられません"),
        "{detail}"
    );
    assert!(
        detail.contains("nobody.jp を対象とする利用FQDNの登録がありません"),
        "{detail}"
    );
    assert!(
        detail.contains("mail.example.jp は example.jp の登録(dv)の対象外です"),
        "{detail}"
    );
    let subs = r.body["subproblems"].as_array().unwrap();
    assert!(
        subs.iter()
            .all(|s| is_japanese(s["detail"].as_str().unwrap())),
        "{subs:?}"
    );
    let r = e.post(&url, body.as_bytes()).await;
    assert!(r
        .expect_problem("rejectedIdentifier")
        .starts_with("2 identifier(s) refused: nobody.jp: no usage FQDN registration"));

    // A validation error, stored in English with the challenge, read in either language.
    let order = e.new_order(&["example.jp"]).await;
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    let c = e.challenge(&authz, "dns-01").clone();
    e.dns
        .add_txt("_acme-challenge.example.jp", "not-the-digest")
        .await;
    e.post(c["url"].as_str().unwrap(), b"{}").await;
    let decided = e.await_authz(&authz_url).await;
    assert_eq!(decided["status"], "invalid", "{decided}");
    let en: Value = e.get(&authz_url).await.body;
    let en_detail = e.challenge(&en, "dns-01")["error"]["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        en_detail
            .starts_with("1 TXT record(s) at _acme-challenge.example.jp. (\"not-the-digest\")"),
        "{en_detail}"
    );
    let in_ja = ja.post_kid(&e.signer, &e.kid, &authz_url, b"").await.body;
    let ja_detail = e.challenge(&in_ja, "dns-01")["error"]["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        ja_detail.starts_with(
            "_acme-challenge.example.jp. に TXT レコードが 1 件ありますが(\"not-the-digest\")、期待する値"
        ),
        "{ja_detail}"
    );
    // The order it failed, too.
    let failed = ja.post_kid(&e.signer, &e.kid, &order.location(), b"").await;
    assert_eq!(failed.body["status"], "invalid");

    // finalize too early: orderNotReady.
    let order = e.new_order(&["www.example.jp"]).await;
    let r = ja
        .post_kid(
            &e.signer,
            &e.kid,
            order.body["finalize"].as_str().unwrap(),
            br#"{"csr":"AA"}"#,
        )
        .await;
    let detail = r.expect_problem("orderNotReady");
    assert!(
        detail.starts_with("オーダーの状態は pending です"),
        "{detail}"
    );
}
