//! Sessions, CSRF, the login rate limit, and customer isolation (R-CUS-1, R-CUS-2).

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn cookie_writes_need_the_csrf_header() {
    let app = spawn_app().await;
    let (mut client, _) = app.customer("csrf@example.jp").await;
    let change = json!({ "name": "変更後" });

    client.send_csrf = false;
    let p = expect_problem(
        client.patch("/me", &change).await,
        StatusCode::FORBIDDEN,
        "csrf",
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("X-CSRF-Token"),
        "{p}"
    );

    // A header that does not match the cookie is refused too.
    let res = client
        .http
        .patch(format!("{}/api/v1/me", app.base))
        .header("X-CSRF-Token", "guessed")
        .json(&change)
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::FORBIDDEN, "csrf").await;
    let me: Value = client.get("/me").await.json().await.unwrap();
    assert_eq!(me["name"], "山田 太郎", "nothing changed");

    client.send_csrf = true;
    let res = client.patch("/me", &change).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "変更後");
}

#[tokio::test]
async fn patch_me_checks_each_field() {
    let app = spawn_app().await;
    let (client, _) = app.customer("patch@example.jp").await;
    let p = expect_problem(
        client
            .patch("/me", &json!({ "locale": "fr", "billing_email": "nope" }))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "locale").as_deref(), Some("unknown_locale"));
    assert_eq!(
        field_code(&p, "billing_email").as_deref(),
        Some("invalid_email")
    );
    let me: Value = client
        .patch("/me", &json!({ "locale": "en" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["locale"], "en");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let (client, _) = app.customer("bye@example.jp").await;
    let res = client.post("/auth/logout", &json!({})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    expect_problem(
        client.get("/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn sessions_expire() {
    let app = spawn_app().await;
    let (client, _) = app.customer("expire@example.jp").await;
    app.clock
        .advance(Duration::hours(12) + Duration::seconds(1));
    expect_problem(
        client.get("/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

/// R-CUS-1: failed logins are limited per account and answered 429 with Retry-After.
#[tokio::test]
async fn repeated_wrong_passwords_are_rate_limited_per_account() {
    let app = spawn_app().await;
    app.customer("target@example.jp").await;
    let client = app.client();
    let wrong = json!({ "email": "target@example.jp", "password": "not the password" });
    for _ in 0..5 {
        assert_eq!(
            client.post("/auth/login", &wrong).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let res = client.post("/auth/login", &wrong).await;
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    expect_problem(res, StatusCode::TOO_MANY_REQUESTS, "rate-limited").await;
    // Even the right password waits: the limit is checked before the password.
    let right = json!({ "email": "target@example.jp", "password": PASSWORD });
    expect_problem(
        client.post("/auth/login", &right).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
    )
    .await;

    app.clock.advance(Duration::seconds(retry));
    assert_eq!(
        client.post("/auth/login", &right).await.status(),
        StatusCode::OK
    );
    // A success clears the account's count.
    for _ in 0..4 {
        assert_eq!(
            client.post("/auth/login", &wrong).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        client.post("/auth/login", &right).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_rate_limited() {
    let app = spawn_app_with(&[("CERTDIRECT_LOGIN_LIMIT_PER_ADDRESS", "3")]).await;
    let client = app.client();
    for i in 0..3 {
        let res = client
            .post(
                "/auth/login",
                &json!({ "email": format!("u{i}@example.jp"), "password": "whatever123" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = client
        .post(
            "/auth/login",
            &json!({ "email": "fresh@example.jp", "password": "whatever123" }),
        )
        .await;
    expect_problem(res, StatusCode::TOO_MANY_REQUESTS, "rate-limited").await;
    assert_eq!(app.count("audit_log").await, 3, "each failure is audited");
}

/// R-CUS-2: a customer cannot touch another customer's data, and the answer leaks nothing.
#[tokio::test]
async fn customers_cannot_touch_each_others_tokens() {
    let app = spawn_app().await;
    let (alice, _) = app.customer("alice@example.jp").await;
    let (bob, _) = app.customer("bob@example.jp").await;
    let created: Value = alice
        .post("/tokens", &json!({ "name": "ci", "scopes": ["read"] }))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();

    let theirs = expect_problem(
        bob.delete(&format!("/tokens/{id}")).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let missing = expect_problem(
        bob.delete("/tokens/999999").await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_eq!(
        theirs["detail"]
            .as_str()
            .unwrap()
            .replace(&id.to_string(), "N"),
        missing["detail"].as_str().unwrap().replace("999999", "N"),
        "another customer's token looks exactly like a missing one"
    );
    let bobs: Value = bob.get("/tokens").await.json().await.unwrap();
    assert_eq!(bobs, json!([]));
    let alices: Value = alice.get("/tokens").await.json().await.unwrap();
    assert_eq!(alices.as_array().unwrap().len(), 1);

    expect_problem(
        app.client().get("/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}
