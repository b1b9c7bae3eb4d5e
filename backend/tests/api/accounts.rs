//! Sign-up, verification, login, password reset (R-CUS-1, R-ALL-1).

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn signup_verify_login_and_me() {
    let app = spawn_app().await;
    let client = app.client();
    let res = client
        .post("/auth/signup", &signup_body("Taro@Example.JP"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_owned();
    assert!(
        id.len() == 9 && id.starts_with('C') && id[1..].bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(body["email"], "Taro@example.jp");

    // The verification email: Japanese subject by default, link under the public URL.
    let emails = app.emails().await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].0, "Taro@example.jp");
    assert_eq!(emails[0].1, "【CertDirect】メールアドレス確認のお願い");
    assert!(emails[0].2.contains("English follows"));
    let link = app
        .link_in_email("Taro@example.jp", "/verify-email?token=")
        .await;

    // Before verification the correct password is answered with "verify first".
    let res = client
        .post(
            "/auth/login",
            &json!({"email": "taro@example.jp", "password": PASSWORD}),
        )
        .await;
    expect_problem(res, StatusCode::FORBIDDEN, "email-not-verified").await;

    let token = link.split("token=").nth(1).unwrap();
    let res = client
        .post("/auth/verify", &json!({ "token": token }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The link works once.
    let res = client
        .post("/auth/verify", &json!({ "token": token }))
        .await;
    let p = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(field_code(&p, "token").as_deref(), Some("invalid_token"));

    // Login is case-insensitive on the address and sets the two cookies.
    let res = client
        .post(
            "/auth/login",
            &json!({"email": "TARO@example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let set_cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = set_cookies
        .iter()
        .find(|c| c.starts_with("certdirect_session="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(
        !session.contains("Secure"),
        "plain http must not mark cookies Secure: {session}"
    );
    let csrf = set_cookies
        .iter()
        .find(|c| c.starts_with("csrf_token="))
        .expect("csrf cookie");
    assert!(
        !csrf.contains("HttpOnly"),
        "the portal must be able to read the CSRF cookie: {csrf}"
    );
    assert!(csrf.contains("SameSite=Strict"), "{csrf}");

    let me: Value = client.get("/me").await.json().await.unwrap();
    assert_eq!(me["id"], id);
    assert_eq!(me["name"], "山田 太郎");
    assert_eq!(me["billing_email"], "billing@example.jp");
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["role"], "customer");
    assert_eq!(me["locale"], "ja");
    assert_eq!(me["acme_application"], "none");
}

#[tokio::test]
async fn secure_cookies_when_served_over_https() {
    let app = spawn_app_with(&[("CERTDIRECT_PUBLIC_URL", "https://portal.example.jp")]).await;
    let client = app.client();
    client
        .post("/auth/signup", &signup_body("a@example.jp"))
        .await;
    let token = app
        .link_in_email("a@example.jp", "/verify-email?token=")
        .await
        .replace("https://portal.example.jp/verify-email?token=", "");
    assert_eq!(
        client
            .post("/auth/verify", &json!({ "token": token }))
            .await
            .status(),
        StatusCode::OK
    );
    let res = client
        .post(
            "/auth/login",
            &json!({"email": "a@example.jp", "password": PASSWORD}),
        )
        .await;
    let cookies: Vec<_> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 2);
    assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
}

/// R-ALL-1: each bad sign-up names the field and the reason, and writes nothing.
#[tokio::test]
async fn bad_signups_name_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let client = app.client();
    let base = signup_body("ok@example.jp");
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let table = [
        (
            with("email", json!("not-an-address")),
            "email",
            "invalid_email",
        ),
        (
            with("email", json!("taro@localhost")),
            "email",
            "invalid_email",
        ),
        (with("email", json!("")), "email", "required"),
        (with("password", json!("short")), "password", "too_short"),
        (
            with("password", json!("ok@example.jp")),
            "password",
            "same_as_email",
        ),
        (
            with("billing_email", json!("billing@")),
            "billing_email",
            "invalid_email",
        ),
        (with("name", json!("   ")), "name", "required"),
        (with("name", json!("x".repeat(101))), "name", "too_long"),
        (with("email", json!(42)), "email", "invalid_type"),
    ];
    for (body, field, code) in table {
        let res = client.post("/auth/signup", &body).await;
        let p = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
        assert_eq!(field_code(&p, field).as_deref(), Some(code), "{body} → {p}");
        assert!(p["detail"].as_str().unwrap().contains(field), "{p}");
    }
    // Every missing field is reported at once.
    let p = expect_problem(
        client.post("/auth/signup", &json!({})).await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    for field in ["name", "email", "password", "billing_email"] {
        assert_eq!(field_code(&p, field).as_deref(), Some("required"), "{p}");
    }
    assert_eq!(app.count("customers").await, 0);
    assert_eq!(app.count("email_tokens").await, 0);
    assert!(app.emails().await.is_empty());
}

#[tokio::test]
async fn malformed_bodies_are_problems() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/auth/signup", app.base);
    let res = http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::BAD_REQUEST, "malformed-body").await;
    let res = http
        .post(&url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    expect_problem(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
    )
    .await;
}

#[tokio::test]
async fn duplicate_email_is_refused_whatever_its_case() {
    let app = spawn_app().await;
    let client = app.client();
    assert_eq!(
        client
            .post("/auth/signup", &signup_body("hanako@example.jp"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let res = client
        .post("/auth/signup", &signup_body("HANAKO@Example.jp"))
        .await;
    let p = expect_problem(res, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(field_code(&p, "email").as_deref(), Some("taken"));
    assert_eq!(app.count("customers").await, 1);
    assert_eq!(app.emails().await.len(), 1);
}

/// The mail outbox (docs/decisions.md, "Emails"): a mail server that cannot be reached does not
/// fail the sign-up; the email waits in the outbox, is retried with backoff, and its error is
/// kept for the operator console.
#[tokio::test]
async fn signup_succeeds_and_its_email_waits_when_smtp_is_down() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let smtp = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[("CERTDIRECT_SMTP_URL", &smtp)]).await;
    let res = app
        .client()
        .post("/auth/signup", &signup_body("x@example.jp"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(app.count("customers").await, 1);
    app.mail_settled().await;
    let db = &app.state.db;
    let row = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT status, attempts, last_error FROM mail_outbox",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "status").unwrap(), "queued");
    assert_eq!(row.try_get::<i32>("", "attempts").unwrap(), 1);
    assert!(row
        .try_get::<Option<String>>("", "last_error")
        .unwrap()
        .is_some_and(|e| e.contains("SMTP")));
}

#[tokio::test]
async fn verification_links_expire_after_a_day() {
    let app = spawn_app().await;
    let client = app.client();
    client
        .post("/auth/signup", &signup_body("late@example.jp"))
        .await;
    let token = app
        .link_in_email("late@example.jp", "/verify-email?token=")
        .await
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    app.clock
        .advance(Duration::hours(24) + Duration::seconds(1));
    let p = expect_problem(
        client
            .post("/auth/verify", &json!({ "token": token }))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "token").as_deref(), Some("invalid_token"));
    let p = expect_problem(
        client
            .post("/auth/verify", &json!({ "token": "forged" }))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "token").as_deref(), Some("invalid_token"));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.customer("jiro@example.jp").await;
    let client = app.client();
    let wrong = client
        .post(
            "/auth/login",
            &json!({"email": "jiro@example.jp", "password": "wrong password!"}),
        )
        .await;
    let a = expect_problem(wrong, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let unknown = client
        .post(
            "/auth/login",
            &json!({"email": "nobody@example.jp", "password": "wrong password!"}),
        )
        .await;
    let b = expect_problem(unknown, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(a, b);
    let p = expect_problem(
        client
            .post("/auth/login", &json!({"email": "", "password": ""}))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "email").as_deref(), Some("required"));
    assert_eq!(field_code(&p, "password").as_deref(), Some("required"));
}

#[tokio::test]
async fn password_reset_by_email_ends_old_sessions() {
    let app = spawn_app().await;
    let (old_session, _) = app.customer("reset@example.jp").await;
    let client = app.client();
    // Unknown addresses get the same answer and no email.
    let res = client
        .post(
            "/auth/password-reset",
            &json!({ "email": "nobody@example.jp" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let before = app.emails().await.len();
    let res = client
        .post(
            "/auth/password-reset",
            &json!({ "email": "reset@example.jp" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(app.emails().await.len(), before + 1);
    let link = app
        .link_in_email("reset@example.jp", "/reset-password?token=")
        .await;
    let token = link.split("token=").nth(1).unwrap();

    let p = expect_problem(
        client
            .post(
                "/auth/password-reset/confirm",
                &json!({ "token": token, "password": "short" }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "password").as_deref(), Some("too_short"));
    let res = client
        .post(
            "/auth/password-reset/confirm",
            &json!({ "token": token, "password": "a brand new secret" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = client
        .post(
            "/auth/password-reset/confirm",
            &json!({ "token": token, "password": "another new secret" }),
        )
        .await;
    expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;

    expect_problem(
        old_session.get("/me").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let old = client
        .post(
            "/auth/login",
            &json!({"email": "reset@example.jp", "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = client
        .post(
            "/auth/login",
            &json!({"email": "reset@example.jp", "password": "a brand new secret"}),
        )
        .await;
    assert_eq!(new.status(), StatusCode::OK);
}

#[tokio::test]
async fn reset_emails_are_throttled_per_account() {
    let app = spawn_app().await;
    app.customer("flood@example.jp").await;
    let before = app.emails().await.len();
    for _ in 0..5 {
        let res = app
            .client()
            .post(
                "/auth/password-reset",
                &json!({ "email": "flood@example.jp" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    assert_eq!(app.emails().await.len(), before + 3);
}

#[tokio::test]
async fn english_customers_get_english_first() {
    let app = spawn_app().await;
    let mut body = signup_body("en@example.jp");
    body["locale"] = json!("en");
    app.client().post("/auth/signup", &body).await;
    let (_, subject, text) = app.emails().await.pop().unwrap();
    assert_eq!(subject, "[CertDirect] Please confirm your email address");
    assert!(text.starts_with("Dear 山田 太郎"), "{text}");
}

#[tokio::test]
async fn emails_go_over_smtp_when_configured() {
    let sink = smtp_sink().await;
    let app = spawn_app_with(&[("CERTDIRECT_SMTP_URL", &sink.url)]).await;
    let res = app
        .client()
        .post("/auth/signup", &signup_body("smtp@example.jp"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(
        app.emails().await.is_empty(),
        "nothing in the outbox when SMTP is configured"
    );
    let messages = sink.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let msg = mail_parser::MessageParser::default()
        .parse(&messages[0])
        .unwrap();
    assert_eq!(
        msg.subject(),
        Some("【CertDirect】メールアドレス確認のお願い")
    );
    assert!(msg.body_text(0).unwrap().contains("/verify-email?token="));
}
