//! Attacks from the security issue, each performed against the real server over HTTP: races
//! with many parallel requests over several rounds, secrets behind scopes, addresses the
//! validator must not reach, oversized bodies and forged client addresses. See
//! docs/security.md for the table of threats, rules and tests.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

/// R-ALL-1: a body over the 1 MiB limit is a 413 problem document (REST) or a 413 ACME problem
/// with a fresh nonce (ACME), never text/plain; the smaller per-route limits stay as they were.
#[tokio::test]
async fn oversized_bodies_are_answered_with_problem_documents() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let huge = vec![b'a'; 2 * 1024 * 1024];
    let post = |path: &str, content_type: &str, body: Vec<u8>| {
        http.post(format!("{}{path}", app.base))
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    for (path, content_type) in [
        ("/api/v1/auth/login", "application/json"),
        ("/api/v1/operator/bank-statements", "text/csv"),
        ("/api/v1/no-such-endpoint", "application/json"),
    ] {
        let res = post(path, content_type, huge.clone()).await.unwrap();
        let p = expect_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "body-too-large").await;
        assert!(p["detail"].as_str().unwrap().contains("1048576"), "{p}");
    }
    // Over the JSON limit, under the server's: the JSON extractor's own 413.
    let mut json_body = b"{\"email\":\"".to_vec();
    json_body.extend(vec![b'a'; 100 * 1024]);
    json_body.extend(b"\",\"password\":\"x\"}");
    let res = post("/api/v1/auth/login", "application/json", json_body)
        .await
        .unwrap();
    expect_problem(res, StatusCode::PAYLOAD_TOO_LARGE, "body-too-large").await;

    let res = post("/acme/new-account", "application/jose+json", huge.clone())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert!(res.headers().contains_key("replay-nonce"));
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["type"], "urn:ietf:params:acme:error:malformed", "{p}");
    assert_eq!(p["status"], 413);
    // Under 1 MiB, ACME's own 64 KiB limit answers as before.
    let res = post(
        "/acme/new-account",
        "application/jose+json",
        vec![b'a'; 100 * 1024],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["type"], "urn:ietf:params:acme:error:malformed", "{p}");
}
