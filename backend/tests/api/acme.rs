//! The ACME usage application, EAB credentials and the ACME account protocol
//! (R-EAB-1..4, R-ACME-1..3).

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::jose::{b64, eab, Acme, Signer};

/// A logged-in customer who has applied; returns (client, customer ID, application JSON).
pub async fn applied_customer(app: &TestApp, email: &str) -> (Client, String, Value) {
    let (client, id) = app.customer(email).await;
    let res = client
        .post("/acme-application", &json!({ "agree_terms": true }))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let application: Value = res.json().await.unwrap();
    (client, id, application)
}

fn creds(application: &Value) -> (String, String) {
    (
        application["eab"]["key_id"].as_str().unwrap().to_owned(),
        application["eab"]["hmac_key"].as_str().unwrap().to_owned(),
    )
}

/// R-EAB-1..2: the application works once, shows the EAB with its 14-day expiry, and is announced by email.
#[tokio::test]
async fn applying_once_issues_eab_credentials() {
    let app = spawn_app().await;
    let (client, id) = app.customer("apply@example.jp").await;
    let before: Value = client.get("/me").await.json().await.unwrap();
    assert_eq!(before["acme_application"], "none");
    expect_problem(
        client.get("/acme-application").await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;

    let p = expect_problem(
        client
            .post("/acme-application", &json!({ "agree_terms": false }))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "agree_terms").as_deref(), Some("must_agree"));
    assert_eq!(app.count("acme_applications").await, 0);

    let res = client
        .post("/acme-application", &json!({ "agree_terms": true }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let a: Value = res.json().await.unwrap();
    assert!(a["application_number"].as_str().unwrap().starts_with("AP"));
    assert_eq!(a["directory_url"], format!("{}/acme/directory", app.base));
    let hmac = a["eab"]["hmac_key"].as_str().unwrap();
    let raw =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, hmac).unwrap();
    assert_eq!(raw.len(), 32, "256 bits of HMAC key");
    let issued =
        chrono::DateTime::parse_from_rfc3339(a["eab"]["issued_at"].as_str().unwrap()).unwrap();
    let expires =
        chrono::DateTime::parse_from_rfc3339(a["eab"]["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(expires - issued, Duration::days(14));
    assert_eq!(a["eab"]["expired"], false);
    let commands: Vec<&str> = a["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands.len(), 3);
    assert!(commands
        .iter()
        .all(|c| c.contains(hmac) && c.contains(a["eab"]["key_id"].as_str().unwrap())));

    // R-EAB-1: a second application is refused with a clear message and changes nothing.
    let p = expect_problem(
        client
            .post("/acme-application", &json!({ "agree_terms": true }))
            .await,
        StatusCode::CONFLICT,
        "already-applied",
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(a["application_number"].as_str().unwrap()),
        "{p}"
    );
    assert_eq!(app.count("eab_credentials").await, 1);

    let shown: Value = client.get("/acme-application").await.json().await.unwrap();
    assert_eq!(shown, a);
    let me: Value = client.get("/me").await.json().await.unwrap();
    assert_eq!(me["acme_application"], "applied");

    let (_, subject, body) = app.emails().await.pop().unwrap();
    assert_eq!(subject, "【CertDirect】EAB(認証情報)発行のお知らせ");
    assert!(body.contains(a["eab"]["key_id"].as_str().unwrap()));
    assert!(!body.contains(hmac), "the HMAC key is not emailed");
    assert!(body.contains(&a["application_number"].as_str().unwrap().to_string()));

    // After 14 days the portal says so.
    app.clock.advance(Duration::days(14));
    let client = app.login("apply@example.jp").await;
    let shown: Value = client.get("/acme-application").await.json().await.unwrap();
    assert_eq!(shown["eab"]["expired"], true);
    let _ = id;
}

/// R-EAB-4: the HMAC key is not in the database in clear.
#[tokio::test]
async fn hmac_keys_are_encrypted_at_rest() {
    let app = spawn_app().await;
    let (_, _, a) = applied_customer(&app, "enc@example.jp").await;
    let (kid, hmac) = creds(&a);
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT * FROM eab_credentials",
        ))
        .await
        .unwrap();
    let ciphertext: String = rows[0].try_get("", "hmac_ciphertext").unwrap();
    let raw =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &hmac).unwrap();
    for form in [
        hmac.clone(),
        hex_lower(&raw),
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &raw),
    ] {
        assert!(!ciphertext.contains(&form));
    }
    let key_id: String = rows[0].try_get("", "key_id").unwrap();
    assert_eq!(key_id, kid);
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn directory_and_nonces_follow_rfc_8555() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let res = http
        .get(format!("{}/acme/directory", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let dir: Value = res.json().await.unwrap();
    for key in [
        "newNonce",
        "newAccount",
        "newOrder",
        "revokeCert",
        "keyChange",
    ] {
        assert!(dir[key].as_str().unwrap().starts_with(&app.base), "{key}");
    }
    assert_eq!(dir["meta"]["externalAccountRequired"], true);
    assert!(dir["meta"]["termsOfService"].is_string());
    assert!(dir["meta"]["website"].is_string());
    assert!(dir["meta"]["caaIdentities"].is_array());

    let head = http
        .head(format!("{}/acme/new-nonce", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    let get = http
        .get(format!("{}/acme/new-nonce", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 204);
    let (a, b) = (
        &head.headers()["replay-nonce"],
        &get.headers()["replay-nonce"],
    );
    assert_ne!(a, b);
    assert_eq!(get.headers()["cache-control"], "no-store");
    assert_eq!(
        get.headers()["link"],
        format!("<{}/acme/directory>;rel=\"index\"", app.base)
    );

    // R-ACME-12: issuing nonces writes nothing.
    assert_eq!(app.count("acme_nonces").await, 0);
    // R-ACME-2: a redeemed nonce is recorded, refused a second time, and purged once it would
    // have expired; an hour-old nonce is refused however it was kept.
    let acme = Acme::new(&app.base);
    let signer = Signer::es256();
    let new_account = acme.url("/new-account");
    let nonce = acme.nonce().await;
    let first = acme
        .post(
            &new_account,
            &signer.jws(&signer.jwk_header(&nonce, &new_account), b"{}"),
        )
        .await;
    assert_ne!(
        first.body["type"], "urn:ietf:params:acme:error:badNonce",
        "{}",
        first.body
    );
    assert_eq!(app.count("acme_nonces").await, 1);
    let again = acme
        .post(
            &new_account,
            &signer.jws(&signer.jwk_header(&nonce, &new_account), b"{}"),
        )
        .await;
    assert_eq!(again.body["type"], "urn:ietf:params:acme:error:badNonce");
    let old = acme.nonce().await;
    app.clock.advance(Duration::minutes(61));
    let purged = certdirect::jobs::housekeeping(&app.state).await.unwrap();
    assert_eq!(purged.nonces, 1);
    assert_eq!(app.count("acme_nonces").await, 0);
    let stale = acme
        .post(
            &new_account,
            &signer.jws(&signer.jwk_header(&old, &new_account), b"{}"),
        )
        .await;
    assert_eq!(stale.body["type"], "urn:ietf:params:acme:error:badNonce");
    assert_eq!(app.count("acme_nonces").await, 0);
}

/// Every accepted algorithm registers an account; a repeated newAccount returns the same one.
#[tokio::test]
async fn accounts_register_with_every_accepted_algorithm() {
    let app = spawn_app().await;
    let (portal, _, a) = applied_customer(&app, "algos@example.jp").await;
    let (kid, hmac) = creds(&a);
    let acme = Acme::new(&app.base);
    let mut urls = Vec::new();
    for signer in [
        Signer::es256(),
        Signer::es384(),
        Signer::rs256(),
        Signer::ed25519(),
    ] {
        let r = acme.new_account(&signer, Some((&kid, &hmac))).await;
        assert_eq!(r.status, 201, "{}: {}", signer.alg, r.body);
        assert_eq!(r.body["status"], "valid");
        assert_eq!(r.body["contact"], json!(["mailto:ops@example.jp"]));
        assert!(r.body["orders"].as_str().unwrap().ends_with("/orders"));
        assert!(r.headers.contains_key("replay-nonce"));
        let url = r.location();
        // Again with the same key: 200 and the same account, no EAB needed.
        let again = acme.new_account(&signer, None).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.location(), url);
        // onlyReturnExisting finds it.
        let nonce = acme.nonce().await;
        let new_account = acme.url("/new-account");
        let jws = signer.jws(
            &signer.jwk_header(&nonce, &new_account),
            br#"{"onlyReturnExisting":true}"#,
        );
        assert_eq!(acme.post(&new_account, &jws).await.location(), url);
        urls.push(url);
    }
    // R-EAB-3: one key id binds several accounts, all listed in the portal (newest first, as
    // every list).
    urls.reverse();
    let listed: Value = portal.get("/acme-accounts").await.json().await.unwrap();
    let listed_urls: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed_urls,
        urls.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["eab_key_id"] == kid.as_str()));
}

/// The bad-request table of issue 3: each answered with its exact problem type.
#[tokio::test]
async fn bad_requests_get_their_exact_problem_types() {
    let app = spawn_app().await;
    let (_, _, a) = applied_customer(&app, "bad@example.jp").await;
    let (kid, hmac) = creds(&a);
    let acme = Acme::new(&app.base);
    let new_account = acme.url("/new-account");
    let signer = Signer::es256();
    let payload = |eab_value: Value| {
        json!({ "termsOfServiceAgreed": true, "externalAccountBinding": eab_value })
            .to_string()
            .into_bytes()
    };

    // Wrong MAC: an HMAC key that is not this kid's.
    let wrong = b64(&[7u8; 32]);
    let r = acme.new_account(&signer, Some((&kid, &wrong))).await;
    assert!(r.expect_problem("unauthorized").contains("MAC"));
    // Unknown kid.
    let r = acme
        .new_account(&signer, Some(("no-such-kid", &hmac)))
        .await;
    assert!(r.expect_problem("unauthorized").contains("not known"));
    // EAB over a different key than the one signing.
    let other = Signer::es256();
    let nonce = acme.nonce().await;
    let jws = signer.jws(
        &signer.jwk_header(&nonce, &new_account),
        &payload(eab(&kid, &hmac, &new_account, &other.jwk)),
    );
    acme.post(&new_account, &jws)
        .await
        .expect_problem("malformed");
    // No EAB at all.
    let r = acme.new_account(&signer, None).await;
    r.expect_problem("externalAccountRequired");
    // onlyReturnExisting for an unknown key.
    let nonce = acme.nonce().await;
    let jws = signer.jws(
        &signer.jwk_header(&nonce, &new_account),
        br#"{"onlyReturnExisting":true}"#,
    );
    acme.post(&new_account, &jws)
        .await
        .expect_problem("accountDoesNotExist");

    // Reused nonce.
    let nonce = acme.nonce().await;
    let jws = signer.jws(
        &signer.jwk_header(&nonce, &new_account),
        &payload(eab(&kid, &hmac, &new_account, &signer.jwk)),
    );
    assert_eq!(acme.post(&new_account, &jws).await.status, 201);
    let r = acme.post(&new_account, &jws).await;
    r.expect_problem("badNonce");
    assert_eq!(r.status, 400);
    // Forged nonce.
    let jws = signer.jws(&signer.jwk_header("forged-nonce", &new_account), b"{}");
    acme.post(&new_account, &jws)
        .await
        .expect_problem("badNonce");
    // url mismatch.
    let nonce = acme.nonce().await;
    let jws = signer.jws(&signer.jwk_header(&nonce, &acme.url("/key-change")), b"{}");
    assert!(acme
        .post(&new_account, &jws)
        .await
        .expect_problem("unauthorized")
        .contains("does not match"));
    // alg none and HS256 on the outer JWS.
    for alg in ["none", "HS256"] {
        let nonce = acme.nonce().await;
        let mut header = signer.jwk_header(&nonce, &new_account);
        header["alg"] = alg.into();
        let jws = signer.jws(&header, b"{}");
        let r = acme.post(&new_account, &jws).await;
        r.expect_problem("badSignatureAlgorithm");
        assert!(r.body["algorithms"]
            .as_array()
            .unwrap()
            .contains(&json!("ES256")));
    }
    // Both jwk and kid.
    let nonce = acme.nonce().await;
    let mut header = signer.jwk_header(&nonce, &new_account);
    header["kid"] = format!("{}/acme/acct/1", app.base).into();
    acme.post(&new_account, &signer.jws(&header, b"{}"))
        .await
        .expect_problem("malformed");
    // RSA-1024 key.
    let nonce = acme.nonce().await;
    let n1024 = b64(&[[0xc5u8].as_slice(), &[0x3b; 127]].concat());
    let header = json!({ "alg": "RS256", "jwk": { "kty": "RSA", "n": n1024, "e": "AQAB" }, "nonce": nonce, "url": new_account });
    let r = acme.post(&new_account, &signer.jws(&header, b"{}")).await;
    assert!(r.expect_problem("badPublicKey").contains("2048"));
    // Wrong content type.
    let nonce = acme.nonce().await;
    let jws = signer.jws(&signer.jwk_header(&nonce, &new_account), b"{}");
    let r = acme
        .post_raw(&new_account, jws.to_string(), "application/json")
        .await;
    r.expect_problem("malformed");
    assert_eq!(r.status, 415);
    // Malformed base64url.
    let nonce = acme.nonce().await;
    let mut jws = signer.jws(&signer.jwk_header(&nonce, &new_account), b"{}");
    jws["payload"] = "not base64url!".into();
    acme.post(&new_account, &jws)
        .await
        .expect_problem("malformed");
    // Not signed by the key it names.
    let nonce = acme.nonce().await;
    let jws = other.jws(
        &signer.jwk_header(&nonce, &new_account),
        &payload(eab(&kid, &hmac, &new_account, &signer.jwk)),
    );
    acme.post(&new_account, &jws)
        .await
        .expect_problem("malformed");
    // Terms not agreed.
    let fresh = Signer::es256();
    let nonce = acme.nonce().await;
    let body = json!({ "externalAccountBinding": eab(&kid, &hmac, &new_account, &fresh.jwk) });
    let jws = fresh.jws(
        &fresh.jwk_header(&nonce, &new_account),
        body.to_string().as_bytes(),
    );
    assert!(acme
        .post(&new_account, &jws)
        .await
        .expect_problem("malformed")
        .contains("termsOfServiceAgreed"));
    // Contacts must be mailto with a valid address.
    for (contact, kind) in [
        ("tel:+81312345678", "unsupportedContact"),
        ("mailto:not-an-address", "invalidContact"),
    ] {
        let nonce = acme.nonce().await;
        let body = json!({ "termsOfServiceAgreed": true, "contact": [contact],
                           "externalAccountBinding": eab(&kid, &hmac, &new_account, &fresh.jwk) });
        let jws = fresh.jws(
            &fresh.jwk_header(&nonce, &new_account),
            body.to_string().as_bytes(),
        );
        acme.post(&new_account, &jws).await.expect_problem(kind);
    }

    // R-EAB-4: every EAB use is audited, failures too.
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT outcome FROM audit_log WHERE action = 'eab.use' ORDER BY id",
        ))
        .await
        .unwrap();
    let outcomes: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("", "outcome").unwrap())
        .collect();
    assert_eq!(outcomes, ["failure", "failure", "success"]);
}

/// R-EAB-2: past 14 days no account can be bound; an operator re-issue kills the old key at once.
#[tokio::test]
async fn expired_and_reissued_eab_credentials() {
    let app = spawn_app().await;
    let (_, customer_id, a) = applied_customer(&app, "expiry@example.jp").await;
    let (old_kid, old_hmac) = creds(&a);
    let acme = Acme::new(&app.base);
    let early = Signer::es256();
    assert_eq!(
        acme.new_account(&early, Some((&old_kid, &old_hmac)))
            .await
            .status,
        201
    );

    app.clock.advance(Duration::days(14) + Duration::seconds(1));
    let r = acme
        .new_account(&Signer::es256(), Some((&old_kid, &old_hmac)))
        .await;
    assert!(r.expect_problem("unauthorized").contains("customer center"));

    // A customer cannot re-issue; an operator can.
    let portal = app.login("expiry@example.jp").await;
    expect_problem(
        portal
            .post(
                &format!("/operator/customers/{customer_id}/eab"),
                &json!({}),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let op = operator(&app).await;
    let res = op
        .post(
            &format!("/operator/customers/{customer_id}/eab"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let fresh: Value = res.json().await.unwrap();
    let (new_kid, new_hmac) = creds(&fresh);
    assert_ne!(new_kid, old_kid);
    assert_eq!(fresh["application_number"], a["application_number"]);
    expect_problem(
        op.post("/operator/customers/C99999999/eab", &json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;

    // The old credentials stop working at once, even before they would have expired.
    app.clock.advance(-Duration::days(7));
    let r = acme
        .new_account(&Signer::es256(), Some((&old_kid, &old_hmac)))
        .await;
    assert!(r.expect_problem("unauthorized").contains("replaced"));
    assert_eq!(
        acme.new_account(&Signer::es256(), Some((&new_kid, &new_hmac)))
            .await
            .status,
        201
    );
    // The account bound earlier keeps working.
    assert_eq!(acme.new_account(&early, None).await.status, 200);
    let shown: Value = portal.get("/acme-application").await.json().await.unwrap();
    assert_eq!(shown["eab"]["key_id"], new_kid.as_str());
    assert_eq!(
        app.emails()
            .await
            .iter()
            .filter(|(_, s, _)| s.contains("EAB"))
            .count(),
        2
    );
}

/// Another customer's EAB that an operator revoked is refused; and it never binds to the wrong customer.
#[tokio::test]
async fn another_customers_revoked_eab_is_refused() {
    let app = spawn_app().await;
    let (_, victim_id, a) = applied_customer(&app, "victim@example.jp").await;
    let (kid, hmac) = creds(&a);
    let op = operator(&app).await;
    assert_eq!(
        op.post(&format!("/operator/customers/{victim_id}/eab"), &json!({}))
            .await
            .status(),
        StatusCode::CREATED
    );
    let (attacker, _, _) = applied_customer(&app, "attacker@example.jp").await;
    let r = Acme::new(&app.base)
        .new_account(&Signer::es256(), Some((&kid, &hmac)))
        .await;
    r.expect_problem("unauthorized");
    let listed: Value = attacker.get("/acme-accounts").await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}

/// R-EAB-3: deactivation from the portal; then a request signed with the key is unauthorized.
#[tokio::test]
async fn portal_deactivation_locks_the_account_out() {
    let app = spawn_app().await;
    let (portal, _, a) = applied_customer(&app, "deact@example.jp").await;
    let (kid, hmac) = creds(&a);
    let acme = Acme::new(&app.base);
    let signer = Signer::ed25519();
    let url = acme
        .new_account(&signer, Some((&kid, &hmac)))
        .await
        .location();
    let listed: Value = portal.get("/acme-accounts").await.json().await.unwrap();
    let id = listed[0]["id"].as_i64().unwrap();

    let (other, _) = app.customer("other@example.jp").await;
    expect_problem(
        other
            .post(&format!("/acme-accounts/{id}/deactivate"), &json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;

    let res = portal
        .post(&format!("/acme-accounts/{id}/deactivate"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "deactivated");
    let r = acme.post_kid(&signer, &url, &url, b"").await;
    assert!(r.expect_problem("unauthorized").contains("deactivated"));
    acme.new_account(&signer, Some((&kid, &hmac)))
        .await
        .expect_problem("unauthorized");
}

/// Account update, keyChange and deactivation over ACME.
#[tokio::test]
async fn account_update_key_change_and_deactivation() {
    let app = spawn_app().await;
    let (_, _, a) = applied_customer(&app, "rollover@example.jp").await;
    let (kid, hmac) = creds(&a);
    let acme = Acme::new(&app.base);
    let old = Signer::es256();
    let url = acme.new_account(&old, Some((&kid, &hmac))).await.location();

    let r = acme
        .post_kid(
            &old,
            &url,
            &url,
            br#"{"contact":["mailto:new@example.jp"]}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["contact"], json!(["mailto:new@example.jp"]));
    // POST-as-GET.
    let r = acme.post_kid(&old, &url, &url, b"").await;
    assert_eq!(r.body["contact"], json!(["mailto:new@example.jp"]));
    // The kid must be this account's URL.
    let r = acme
        .post_kid(&old, &format!("{}/acme/acct/999", app.base), &url, b"")
        .await;
    r.expect_problem("accountDoesNotExist");

    // keyChange to a new key.
    let new = Signer::es256();
    let key_change = acme.url("/key-change");
    let inner = new.jws(
        &json!({ "alg": new.alg, "jwk": new.jwk, "url": key_change }),
        json!({ "account": url, "oldKey": old.jwk })
            .to_string()
            .as_bytes(),
    );
    let r = acme
        .post_kid(&old, &url, &key_change, inner.to_string().as_bytes())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    acme.post_kid(&old, &url, &url, b"")
        .await
        .expect_problem("malformed");
    assert_eq!(acme.post_kid(&new, &url, &url, b"").await.status, 200);
    // Rolling onto a key that another account holds is a conflict naming that account.
    let taken = Signer::es256();
    let taken_url = acme
        .new_account(&taken, Some((&kid, &hmac)))
        .await
        .location();
    let inner = taken.jws(
        &json!({ "alg": taken.alg, "jwk": taken.jwk, "url": key_change }),
        json!({ "account": url, "oldKey": new.jwk })
            .to_string()
            .as_bytes(),
    );
    let r = acme
        .post_kid(&new, &url, &key_change, inner.to_string().as_bytes())
        .await;
    r.expect_problem("conflict");
    assert_eq!(r.location(), taken_url);

    let r = acme
        .post_kid(&new, &url, &url, br#"{"status":"deactivated"}"#)
        .await;
    assert_eq!(r.body["status"], "deactivated");
    acme.post_kid(&new, &url, &url, b"")
        .await
        .expect_problem("unauthorized");
}

/// A real ACME client library registers with the EAB and manages its account.
#[tokio::test]
async fn instant_acme_registers_with_eab() {
    use instant_acme::{Account, ExternalAccountKey, NewAccount};
    let app = spawn_app().await;
    let (portal, _, a) = applied_customer(&app, "client@example.jp").await;
    let (kid, hmac) = creds(&a);
    let key =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &hmac).unwrap();
    let eab_key = ExternalAccountKey::new(kid.clone(), &key);
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let (account, _credentials) = Account::builder_with_http(Box::new(http))
        .create(
            &NewAccount {
                contact: &["mailto:admin@example.jp"],
                terms_of_service_agreed: true,
                only_return_existing: false,
            },
            a["directory_url"].as_str().unwrap().to_owned(),
            Some(&eab_key),
        )
        .await
        .expect("instant-acme registers");
    let listed: Value = portal.get("/acme-accounts").await.json().await.unwrap();
    assert_eq!(listed[0]["url"], account.id());
    assert_eq!(listed[0]["contact"], json!(["mailto:admin@example.jp"]));
    account
        .update_contacts(&["mailto:other@example.jp"])
        .await
        .expect("contact update");
    let listed: Value = portal.get("/acme-accounts").await.json().await.unwrap();
    assert_eq!(listed[0]["contact"], json!(["mailto:other@example.jp"]));
    account.deactivate().await.expect("deactivation");
    let listed: Value = portal.get("/acme-accounts").await.json().await.unwrap();
    assert_eq!(listed[0]["status"], "deactivated");
}

/// An operator account, logged in.
pub async fn operator(app: &TestApp) -> Client {
    certdirect::operators::create_operator(
        &app.state.db,
        "ops@certdirect.example",
        "operator password 1",
        "Ops",
        app.clock_now(),
    )
    .await
    .unwrap();
    let op = app.client();
    let res = op
        .post(
            "/auth/login",
            &json!({ "email": "ops@certdirect.example", "password": "operator password 1" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    op
}

/// R-ACME-2: two server processes on one database; a nonce from one is accepted once by the other.
#[tokio::test]
async fn a_nonce_from_one_process_is_redeemed_once_by_another() {
    let app = spawn_app().await;
    let (_, _, a) = applied_customer(&app, "two@example.jp").await;
    let (kid, hmac) = creds(&a);
    // Behind one load balancer both processes hand out the same public URL.
    let first = app.spawn_process(&["--role", "web"], Some(&app.base)).await;
    let second = app.spawn_process(&["--role", "web"], Some(&app.base)).await;
    let (from, to) = (Acme::new(&first.base), Acme::new(&second.base));
    let nonce = from.nonce().await;
    let signer = Signer::es256();
    let url = format!("{}/acme/new-account", app.base);
    let payload = json!({ "termsOfServiceAgreed": true, "externalAccountBinding": eab(&kid, &hmac, &url, &signer.jwk) });
    let jws = signer.jws(
        &signer.jwk_header(&nonce, &url),
        payload.to_string().as_bytes(),
    );
    let r = to
        .post(&format!("{}/acme/new-account", second.base), &jws)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let again = from
        .post(&format!("{}/acme/new-account", first.base), &jws)
        .await;
    again.expect_problem("badNonce");
}
