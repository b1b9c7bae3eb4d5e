//! R-ACME-10: `Retry-After` on every order, authorization and challenge still pending or being
//! worked on and on `rateLimited`; the limits, from configuration, published at
//! `GET /api/v1/acme/limits` and documented by the portal page the directory's `meta.website`
//! names.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::orders::env_with;

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    headers
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap())
}

/// Without workers a validation stays queued, so every state can be looked at: the pending
/// order, its pending authorization, the challenge being processed and the order meanwhile all
/// carry the workers' Retry-After; the third order of a limit of two is `rateLimited` with the
/// seconds left in its window; once validated, the ready order and the valid authorization
/// carry none.
#[tokio::test]
async fn retry_after_on_everything_still_being_worked_on() {
    let e = env_with(
        &[("CERTDIRECT_ACME_RATE_LIMITS", "new_order_per_account=2/h")],
        false,
    )
    .await;
    let poll = certdirect::acme::views::RETRY_AFTER_SECS;
    assert_eq!(poll, 2, "an idle worker's poll and a typical validation");
    e.buy("example.jp", "dv").await;

    let order = e.new_order(&["example.jp"]).await;
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(order.body["status"], "pending");
    assert_eq!(retry_after(&order.headers), Some(poll), "pending order");

    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await;
    assert_eq!(authz.body["status"], "pending");
    assert_eq!(
        retry_after(&authz.headers),
        Some(poll),
        "pending authorization"
    );

    let c = e.challenge(&authz.body, "http-01").clone();
    let token = c["token"].as_str().unwrap();
    e.http.serve_token(token, &e.key_authorization(token));
    let answered = e.post(c["url"].as_str().unwrap(), b"{}").await;
    assert_eq!(answered.body["status"], "processing", "{}", answered.body);
    assert_eq!(
        retry_after(&answered.headers),
        Some(poll),
        "processing challenge"
    );
    let again = e.get(c["url"].as_str().unwrap()).await;
    assert_eq!(again.body["status"], "processing");
    assert_eq!(retry_after(&again.headers), Some(poll));
    let polled = e.get(order.location().as_str()).await;
    assert_eq!(polled.body["status"], "pending");
    assert_eq!(
        retry_after(&polled.headers),
        Some(poll),
        "the order, polled"
    );

    // The limit: two orders an hour.
    let second = e.new_order(&["www.example.jp"]).await;
    assert_eq!(second.status, 201, "{}", second.body);
    let refused = e.new_order(&["www.example.jp"]).await;
    assert_eq!(refused.status, 429);
    refused.expect_problem("rateLimited");
    let secs = retry_after(&refused.headers).expect("rateLimited carries Retry-After");
    assert!((1..=3600).contains(&secs), "{secs}");

    // A worker (another process, on the real clock) decides; nothing is being worked on any more.
    let _worker = e.app.spawn_process(&["--role", "worker"], None).await;
    assert_eq!(e.await_authz(&authz_url).await["status"], "valid");
    let ready = e.get(order.location().as_str()).await;
    assert_eq!(ready.body["status"], "ready");
    assert_eq!(
        retry_after(&ready.headers),
        None,
        "a ready order is not polled"
    );
    let valid = e.get(&authz_url).await;
    assert_eq!(retry_after(&valid.headers), None);
}

/// The limits as configured, the polling interval and the lifetimes, public and in the OpenAPI
/// document; the directory's website is the portal page that shows them.
#[tokio::test]
async fn the_limits_are_published_and_linked_from_the_directory() {
    let app =
        spawn_app_with(&[("CERTDIRECT_ACME_RATE_LIMITS", "new_order_per_account=50/m")]).await;
    let res = app.client().get("/acme/limits").await;
    assert_eq!(res.status(), StatusCode::OK);
    let limits: Value = res.json().await.unwrap();
    assert_eq!(limits["retry_after_secs"], 2);
    assert_eq!(limits["max_identifiers_per_order"], 100);
    assert_eq!(limits["order_lifetime_days"], 7);
    assert_eq!(limits["authorization_lifetime_days"], 25);
    assert_eq!(
        limits["directory_url"],
        format!("{}/acme/directory", app.base)
    );
    let rules = limits["rate_limits"].as_array().unwrap();
    let per_account = rules
        .iter()
        .find(|r| r["name"] == "new_order_per_account")
        .unwrap();
    assert_eq!(per_account["max"], 50);
    assert_eq!(per_account["window_secs"], 60);
    assert_eq!(per_account["action"], "new_order");
    assert_eq!(per_account["per"], "account");
    let failed = rules
        .iter()
        .find(|r| r["name"] == "failed_validation_per_account")
        .unwrap();
    assert_eq!(failed["max"], 60, "the defaults of the others");

    let doc: Value = app
        .client()
        .get("/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/acme/limits"]["get"].is_object());
    assert!(doc["paths"]["/acme/profiles"]["get"].is_object());

    let dir: Value = reqwest::get(format!("{}/acme/directory", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dir["meta"]["website"], format!("{}/acme-limits", app.base));
    // The page is the portal's (the SPA serves every such path).
    let page = reqwest::get(dir["meta"]["website"].as_str().unwrap())
        .await
        .unwrap();
    assert_ne!(page.status(), StatusCode::NOT_FOUND);
}
