//! `Idempotency-Key` on the creating POSTs (issue 13, SPEC.md §4): a retry with the same key and
//! body acts once and replays the first answer; another body is a 422; a request still running
//! is a 409; keys belong to one customer and expire after 24 hours.

use chrono::Duration;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::acme::applied_customer;
use crate::helpers::*;

const KEY: &str = "Idempotency-Key";
const REPLAYED: &str = "Idempotent-Replayed";

fn order(fqdn: &str) -> Value {
    json!({ "fqdn": fqdn, "type": "dv", "period_years": 1, "payment_method": "card", "agree_terms": true })
}

fn card() -> Value {
    json!({ "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123" })
}

fn inquiry(subject: &str) -> Value {
    json!({ "subject": subject, "domain": "example.jp", "message": "please call back" })
}

async fn post(client: &Client, path: &str, body: &Value, key: &str) -> Response {
    client
        .request_with(Method::POST, path, Some(body), &[(KEY, key)])
        .await
}

fn replayed(res: &Response) -> Option<String> {
    res.headers()
        .get(REPLAYED)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// A retried registration makes one registration and one invoice, and the retry gets the first
/// answer back, marked as a replay.
#[tokio::test]
async fn a_retried_registration_creates_once() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "idem@example.jp").await;
    let body = order("retry.example.jp");

    let first = post(&client, "/registrations", &body, "reg-0001").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(replayed(&first), None);
    let first_type = first.headers()["content-type"].clone();
    let first_body = first.text().await.unwrap();

    let again = post(&client, "/registrations", &body, "reg-0001").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(replayed(&again).as_deref(), Some("true"));
    assert_eq!(again.headers()["content-type"], first_type);
    assert_eq!(again.text().await.unwrap(), first_body);

    assert_eq!(app.count("registrations").await, 1);
    assert_eq!(app.count("invoices").await, 1);
}

/// Two requests with the same key at the same time: one creation; the other waits its turn
/// (409 with Retry-After) or gets the replay.
#[tokio::test]
async fn concurrent_requests_with_one_key_create_once() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "race@example.jp").await;
    let body = order("race.example.jp");
    let responses = futures_util::future::join_all(
        (0..4).map(|_| post(&client, "/registrations", &body, "race-key")),
    )
    .await;
    let mut created = 0;
    for res in responses {
        match res.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert_eq!(res.headers()["retry-after"], "1");
                let p =
                    expect_problem(res, StatusCode::CONFLICT, "idempotency-key-in-flight").await;
                assert!(p["detail"].as_str().unwrap().contains(KEY), "{p}");
            }
            other => panic!("unexpected {other}: {}", res.text().await.unwrap()),
        }
    }
    assert!(created >= 1);
    assert_eq!(app.count("registrations").await, 1);
    assert_eq!(app.count("invoices").await, 1);

    // Deterministically: a claim whose answer is not stored yet is a request in flight.
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("UPDATE idempotency_keys SET response_status = NULL")
        .await
        .unwrap();
    let res = post(&client, "/registrations", &body, "race-key").await;
    assert_eq!(res.headers()["retry-after"], "1");
    let p = expect_problem(res, StatusCode::CONFLICT, "idempotency-key-in-flight").await;
    assert!(p["detail"].as_str().unwrap().contains(KEY), "{p}");
    // Another body under the in-flight key is still a reuse.
    let res = post(
        &client,
        "/registrations",
        &order("other.example.jp"),
        "race-key",
    )
    .await;
    expect_problem(
        res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    )
    .await;
    assert_eq!(app.count("registrations").await, 1);
}

/// The same key with another body is refused, naming the header; nothing is created.
#[tokio::test]
async fn a_key_reused_with_another_body_is_refused() {
    let app = spawn_app().await;
    let (client, _) = app.customer("reuse@example.jp").await;
    let res = post(&client, "/inquiries", &inquiry("first"), "k-1").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p = expect_problem(
        post(&client, "/inquiries", &inquiry("second"), "k-1").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-reused",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains(KEY), "{p}");
    assert_eq!(app.count("inquiries").await, 1);
    // The same key on another path is another key.
    let res = post(
        &client,
        "/acme-application",
        &json!({ "agree_terms": true }),
        "k-1",
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

/// Keys belong to the customer: the same key from someone else is theirs.
#[tokio::test]
async fn keys_of_different_customers_do_not_collide() {
    let app = spawn_app().await;
    let (alice, _) = app.customer("alice@example.jp").await;
    let (bob, _) = app.customer("bob@example.jp").await;
    let body = inquiry("same words");
    let a = post(&alice, "/inquiries", &body, "shared").await;
    let b = post(&bob, "/inquiries", &body, "shared").await;
    assert_eq!(a.status(), StatusCode::CREATED);
    assert_eq!(b.status(), StatusCode::CREATED);
    assert_eq!(replayed(&b), None);
    let a: Value = a.json().await.unwrap();
    let b: Value = b.json().await.unwrap();
    assert_ne!(a["id"], b["id"]);
    assert_eq!(app.count("inquiries").await, 2);
}

/// 24 hours after first use a key is forgotten: housekeeping deletes it and it acts anew.
#[tokio::test]
async fn keys_expire_after_24_hours() {
    let app = spawn_app().await;
    // A day outlives the portal session: a reseller's API token makes the requests.
    let (portal, _) = app.customer("expiry@example.jp").await;
    let token: Value = portal
        .post(
            "/tokens",
            &json!({ "name": "reseller", "scopes": ["write"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut client = app.client();
    client.bearer = Some(token["token"].as_str().unwrap().to_owned());
    let body = inquiry("daily");
    let first = post(&client, "/inquiries", &body, "daily-key").await;
    assert_eq!(first.status(), StatusCode::CREATED);

    app.clock.advance(Duration::hours(23));
    let res = post(&client, "/inquiries", &body, "daily-key").await;
    assert_eq!(replayed(&res).as_deref(), Some("true"));
    certdirect::jobs::housekeeping(&app.state).await.unwrap();
    assert_eq!(app.count("idempotency_keys").await, 1);

    app.clock.advance(Duration::hours(1));
    let purged = certdirect::jobs::housekeeping(&app.state).await.unwrap();
    assert_eq!(purged.idempotency_keys, 1);
    assert_eq!(app.count("idempotency_keys").await, 0);
    let res = post(&client, "/inquiries", &body, "daily-key").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(replayed(&res), None);
    assert_eq!(app.count("inquiries").await, 2);

    // An expired key that housekeeping has not reached yet is new as well.
    app.clock.advance(Duration::hours(25));
    let res = post(&client, "/inquiries", &body, "daily-key").await;
    assert_eq!(replayed(&res), None);
    assert_eq!(app.count("inquiries").await, 3);
}

/// A retried card payment charges once and answers the same both times.
#[tokio::test]
async fn a_retried_card_payment_charges_once() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "pay@example.jp").await;
    let res = client
        .post("/registrations", &order("pay.example.jp"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let reg: Value = res.json().await.unwrap();
    let number = reg["invoice"]["number"].as_str().unwrap().to_owned();
    let path = format!("/invoices/{number}/pay");

    let first = post(&client, &path, &card(), "pay-once").await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "paid");
    let again = post(&client, &path, &card(), "pay-once").await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(replayed(&again).as_deref(), Some("true"));
    assert_eq!(again.json::<Value>().await.unwrap(), first);

    let record = app.state.payments.record(&number);
    assert_eq!((record.requests, record.charges), (1, 1));
}

/// A refusal is an answer too: it is kept and replayed (docs/decisions.md), so a retry of a
/// request refused for its state stays refused with the same words.
#[tokio::test]
async fn a_client_error_is_replayed() {
    let app = spawn_app().await;
    let (client, _) = app.customer("refused@example.jp").await;
    let body = order("early.example.jp");
    let first = post(&client, "/registrations", &body, "early").await;
    assert_eq!(first.status(), StatusCode::CONFLICT);
    let first = first.text().await.unwrap();
    let res = client
        .post("/acme-application", &json!({ "agree_terms": true }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let again = post(&client, "/registrations", &body, "early").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(replayed(&again).as_deref(), Some("true"));
    assert_eq!(again.text().await.unwrap(), first);
    // A new key is a new request.
    let res = post(&client, "/registrations", &body, "early-2").await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

/// A key that is empty, too long or not printable ASCII is a 400 naming the header.
#[tokio::test]
async fn a_malformed_key_is_refused_naming_the_header() {
    let app = spawn_app().await;
    let (client, _) = app.customer("bad-key@example.jp").await;
    let long = "x".repeat(256);
    for key in ["", long.as_str(), "tab\there"] {
        let res = client
            .request_with(
                Method::POST,
                "/inquiries",
                Some(&inquiry("hello")),
                &[(KEY, key)],
            )
            .await;
        let p = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
        assert_eq!(
            field_code(&p, KEY).as_deref(),
            Some("invalid_header"),
            "{p}"
        );
        assert!(p["detail"].as_str().unwrap().contains(KEY), "{p}");
    }
    // Non-ASCII bytes.
    let res = client
        .http
        .post(format!("{}/api/v1/inquiries", app.base))
        .header("X-CSRF-Token", client.cookie("csrf_token").unwrap())
        .header(
            KEY,
            reqwest::header::HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap(),
        )
        .json(&inquiry("hello"))
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    // The longest key is fine.
    let longest = "y".repeat(255);
    let res = post(&client, "/inquiries", &inquiry("hello"), &longest).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(app.count("inquiries").await, 1);
}

/// Without the header every request acts: two identical requests make two inquiries, and no key
/// is stored.
#[tokio::test]
async fn without_a_key_nothing_changes() {
    let app = spawn_app().await;
    let (client, _) = app.customer("plain@example.jp").await;
    for _ in 0..2 {
        let res = client.post("/inquiries", &inquiry("twice")).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(replayed(&res), None);
    }
    assert_eq!(app.count("inquiries").await, 2);
    assert_eq!(app.count("idempotency_keys").await, 0);
}

/// An unauthenticated request with a key gets the usual 401 and claims nothing; a refused
/// caller leaves the key free; a token creation retried with a key shows the same token again.
#[tokio::test]
async fn tokens_and_unauthenticated_requests() {
    let app = spawn_app().await;
    let anonymous = app.client();
    let res = post(&anonymous, "/inquiries", &inquiry("hi"), "anon").await;
    expect_problem(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(app.count("idempotency_keys").await, 0);

    let (client, _) = app.customer("tokens@example.jp").await;
    // A refusal of the caller (403: tokens are made in the portal) is not kept: the key stays
    // free, so another body under it is refused for the caller again, not as a reuse.
    let token: Value = client
        .post(
            "/tokens",
            &json!({ "name": "reseller", "scopes": ["write"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut reseller = app.client();
    reseller.bearer = Some(token["token"].as_str().unwrap().to_owned());
    for name in ["one", "two"] {
        let body = json!({ "name": name, "scopes": ["read"] });
        let res = post(&reseller, "/tokens", &body, "tok").await;
        expect_problem(res, StatusCode::FORBIDDEN, "session-required").await;
    }
    assert_eq!(app.count("idempotency_keys").await, 0);

    let body = json!({ "name": "ci", "scopes": ["read"] });
    let first: Value = post(&client, "/tokens", &body, "tok")
        .await
        .json()
        .await
        .unwrap();
    let again = post(&client, "/tokens", &body, "tok").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(app.count("api_tokens").await, 2);
}
