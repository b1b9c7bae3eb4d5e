//! Operator accounts from the CLI, and the role check on operator endpoints.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_certdirect"))
        .args(args)
        .env_clear()
        .envs(&app.env)
        .output()
        .expect("running certdirect")
}

#[tokio::test]
async fn cli_creates_an_operator_who_can_list_customers() {
    let app = spawn_app().await;
    let (customer, customer_id) = app.customer("shop@example.jp").await;

    let out = cli(
        &app,
        &[
            "operator",
            "create",
            "--email",
            "ops@certdirect.example",
            "--password",
            "operator password 1",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("operator C"));
    // Bad input is refused with the option named; a second create is refused.
    let out = cli(
        &app,
        &[
            "operator",
            "create",
            "--email",
            "ops@certdirect.example",
            "--password",
            "operator password 1",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--email ops@certdirect.example is already registered"));
    let out = cli(
        &app,
        &[
            "operator",
            "create",
            "--email",
            "x@certdirect.example",
            "--password",
            "short",
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--password must be at least 10 characters")
    );

    // A customer is refused.
    expect_problem(
        customer.get("/operator/customers").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let op = app.client();
    let res = op
        .post(
            "/auth/login",
            &json!({ "email": "ops@certdirect.example", "password": "operator password 1" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = op
        .get("/operator/customers?q=shop")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["customers"][0]["id"], customer_id);
    let page: Value = op
        .get(&format!("/operator/customers?q={customer_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["customers"][0]["email"], "shop@example.jp");
    let p = expect_problem(
        op.get("/operator/customers?per_page=1000").await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "per_page").as_deref(), Some("out_of_range"));

    // An operator's token needs the operator scope for operator endpoints.
    let plain: Value = op
        .post("/tokens", &json!({ "name": "r", "scopes": ["read"] }))
        .await
        .json()
        .await
        .unwrap();
    let scoped: Value = op
        .post(
            "/tokens",
            &json!({ "name": "o", "scopes": ["read", "operator"] }),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut api = app.client();
    api.bearer = Some(plain["token"].as_str().unwrap().into());
    expect_problem(
        api.get("/operator/customers").await,
        StatusCode::FORBIDDEN,
        "insufficient-scope",
    )
    .await;
    api.bearer = Some(scoped["token"].as_str().unwrap().into());
    assert_eq!(
        api.get("/operator/customers").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn cli_migrate_is_idempotent() {
    let app = spawn_app().await;
    for _ in 0..2 {
        let out = cli(&app, &["migrate"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_certdirect"))
        .arg("migrate")
        .env_clear()
        .env("CERTDIRECT_LISTEN", "nonsense")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("CERTDIRECT_LISTEN"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
