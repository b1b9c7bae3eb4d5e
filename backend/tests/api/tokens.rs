//! API tokens with Bearer auth (R-CUS-3).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn tokens_are_shown_once_stored_hashed_scoped_and_revocable() {
    let app = spawn_app().await;
    let (portal, id) = app.customer("reseller@example.jp").await;
    let res = portal
        .post(
            "/tokens",
            &json!({ "name": "reseller", "scopes": ["read", "write"] }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("cdt_") && token.len() > 40, "{token}");

    // Stored hashed: the secret is nowhere in the table.
    let db = &app.state.db;
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT token_hash, prefix FROM api_tokens",
        ))
        .await
        .unwrap();
    let hash: String = rows[0].try_get("", "token_hash").unwrap();
    assert_ne!(hash, token);
    assert!(!hash.contains(&token[4..]));

    // The list never shows it again.
    let list: Value = portal.get("/tokens").await.json().await.unwrap();
    assert_eq!(list[0]["name"], "reseller");
    assert_eq!(list[0]["scopes"], json!(["read", "write"]));
    assert!(!list.to_string().contains(&token));
    assert!(token.starts_with(list[0]["prefix"].as_str().unwrap()));

    let mut api = app.client();
    api.bearer = Some(token.clone());
    let me: Value = api.get("/me").await.json().await.unwrap();
    assert_eq!(me["id"], id);
    // Bearer writes need no CSRF header.
    api.send_csrf = false;
    assert_eq!(
        api.patch("/me", &json!({ "name": "API" })).await.status(),
        StatusCode::OK
    );
    // A token cannot mint tokens.
    let res = api
        .post("/tokens", &json!({ "name": "x", "scopes": ["read"] }))
        .await;
    expect_problem(res, StatusCode::FORBIDDEN, "session-required").await;
    let list: Value = portal.get("/tokens").await.json().await.unwrap();
    assert!(list[0]["last_used_at"].is_string());

    let token_id = created["id"].as_i64().unwrap();
    assert_eq!(
        portal.delete(&format!("/tokens/{token_id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    expect_problem(
        api.get("/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn read_only_tokens_cannot_write() {
    let app = spawn_app().await;
    let (portal, _) = app.customer("ro@example.jp").await;
    let created: Value = portal
        .post("/tokens", &json!({ "name": "ro", "scopes": ["read"] }))
        .await
        .json()
        .await
        .unwrap();
    let mut api = app.client();
    api.bearer = Some(created["token"].as_str().unwrap().to_owned());
    assert_eq!(api.get("/me").await.status(), StatusCode::OK);
    let p = expect_problem(
        api.patch("/me", &json!({ "name": "x" })).await,
        StatusCode::FORBIDDEN,
        "insufficient-scope",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("write"));
}

#[tokio::test]
async fn bad_token_requests_name_the_field() {
    let app = spawn_app().await;
    let (portal, _) = app.customer("bad@example.jp").await;
    let p = expect_problem(
        portal
            .post("/tokens", &json!({ "name": "", "scopes": ["admin"] }))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "name").as_deref(), Some("required"));
    assert_eq!(field_code(&p, "scopes").as_deref(), Some("unknown_scope"));
    let p = expect_problem(
        portal
            .post("/tokens", &json!({ "name": "op", "scopes": ["operator"] }))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "scopes").as_deref(), Some("operator_only"));
    expect_problem(
        portal.delete("/tokens/not-a-number").await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_eq!(app.count("api_tokens").await, 0);
    let mut garbage = app.client();
    garbage.bearer = Some("cdt_nonsense".into());
    expect_problem(
        garbage.get("/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}
