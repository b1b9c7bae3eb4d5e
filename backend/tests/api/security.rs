//! Attacks from the security issue, each performed against the real server over HTTP: races
//! with many parallel requests over several rounds, secrets behind scopes, addresses the
//! validator must not reach, oversized bodies and forged client addresses. See
//! docs/security.md for the table of threats, rules and tests.

use chrono::Duration;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{json, Value};

use crate::acme::{applied_customer, operator};
use crate::helpers::*;
use crate::orders::{env_with, failed_http};

const CARD_OK: &str = "4242424242424242";
const CARD_DECLINED: &str = "4000000000000002";

fn card(number: &str) -> Value {
    json!({ "card_number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123" })
}

fn order(fqdn: &str, years: u32) -> Value {
    json!({ "fqdn": fqdn, "type": "dv", "period_years": years, "payment_method": "card", "agree_terms": true })
}

async fn register(client: &Client, body: &Value) -> Value {
    let res = client.post("/registrations", body).await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

/// Sends the same request from `n` tasks at once; returns every (status, body).
async fn parallel(client: &Client, n: usize, path: &str, body: Value) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (client, path, body) = (client.clone(), path.to_owned(), body.clone());
            tokio::spawn(async move {
                let res = client.post(&path, &body).await;
                let status = res.status();
                (status, res.json::<Value>().await.unwrap_or(Value::Null))
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

fn problem_kind(body: &Value) -> &str {
    body["type"]
        .as_str()
        .unwrap_or("")
        .trim_start_matches("urn:certdirect:problem:")
}

async fn invoice_row(app: &TestApp, number: &str) -> certdirect::store::entity::invoice::Model {
    use certdirect::store::entity::invoice;
    invoice::Entity::find()
        .filter(invoice::Column::Number.eq(number))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

/// R-BILL-6: parallel card payments of one invoice charge the card once. Each round races 30
/// payments (and, in every other round, 5 operator confirmations) on a fresh invoice: exactly
/// one wins, every other request is a 409 saying the payment is in progress or done, and the
/// provider saw one request and took one charge under the invoice number.
#[tokio::test]
async fn parallel_card_payments_charge_the_card_once() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "payer@example.jp").await;
    let op = operator(&app).await;
    for round in 0..4 {
        let created = register(&client, &order(&format!("race{round}.jp"), 1)).await;
        let number = created["invoice"]["number"].as_str().unwrap().to_owned();
        let amount = created["invoice"]["amount_incl_tax"].clone();

        // Declined cards first: the claim is given back every time, the invoice stays payable.
        let declined = parallel(
            &client,
            10,
            &format!("/invoices/{number}/pay"),
            card(CARD_DECLINED),
        )
        .await;
        for (status, body) in &declined {
            assert!(
                *status == StatusCode::PAYMENT_REQUIRED
                    || (*status == StatusCode::CONFLICT
                        && problem_kind(body) == "payment-in-progress"),
                "{status} {body}"
            );
        }
        assert!(invoice_row(&app, &number).await.charging_at.is_none());
        let declined_calls = declined
            .iter()
            .filter(|(s, _)| *s == StatusCode::PAYMENT_REQUIRED)
            .count() as u32;
        assert!(declined_calls >= 1);
        assert_eq!(app.state.payments.record(&number).requests, declined_calls);

        let pays = {
            let (client, number) = (client.clone(), number.clone());
            tokio::spawn(async move {
                parallel(
                    &client,
                    30,
                    &format!("/invoices/{number}/pay"),
                    card(CARD_OK),
                )
                .await
            })
        };
        let confirms = if round % 2 == 1 {
            parallel(
                &op,
                5,
                &format!("/operator/invoices/{number}/confirm-payment"),
                json!({ "amount": amount, "method": "card" }),
            )
            .await
        } else {
            Vec::new()
        };
        let pays = pays.await.unwrap();
        let all: Vec<&(StatusCode, Value)> = pays.iter().chain(confirms.iter()).collect();
        let won = all.iter().filter(|(s, _)| *s == StatusCode::OK).count();
        assert_eq!(won, 1, "round {round}: {all:?}");
        for (status, body) in all.iter().filter(|(s, _)| *s != StatusCode::OK) {
            assert_eq!(*status, StatusCode::CONFLICT, "round {round}: {body}");
            assert!(
                ["payment-in-progress", "already-paid"].contains(&problem_kind(body)),
                "round {round}: {body}"
            );
            assert!(body["detail"].as_str().unwrap().contains(&number), "{body}");
        }
        let row = invoice_row(&app, &number).await;
        assert_eq!(row.status, "paid");
        assert!(row.charging_at.is_none());
        let record = app.state.payments.record(&number);
        let card_won = pays.iter().any(|(s, _)| *s == StatusCode::OK);
        assert_eq!(
            record.charges,
            u32::from(card_won),
            "round {round}: {record:?}"
        );
        assert_eq!(
            record.requests - declined_calls,
            u32::from(card_won),
            "the provider was called once for the approved card (round {round}): {record:?}"
        );
        if card_won {
            assert_eq!(row.payment_reference, record.charge_id);
        }
    }
}

/// R-BILL-6: an invoice a card payment holds is unpaid but busy everywhere: the operator's
/// confirmation, the bank statement import and another card payment are refused with a 409
/// that says so, the scheduler does not void it; an abandoned claim lapses after 10 minutes.
#[tokio::test]
async fn a_claimed_invoice_is_busy_for_every_other_payment_path() {
    use certdirect::store::entity::invoice;
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "busy@example.jp").await;
    let op = operator(&app).await;
    let created = register(&client, &order("busy.jp", 1)).await;
    let number = created["invoice"]["number"].as_str().unwrap().to_owned();
    let amount = created["invoice"]["amount_incl_tax"].as_i64().unwrap();
    // Past its due date, with a card payment under way (a provider call that has not returned).
    invoice::Entity::update_many()
        .set(invoice::ActiveModel {
            charging_at: Set(Some(app.clock_now())),
            due_at: Set(app.clock_now() - Duration::minutes(1)),
            ..Default::default()
        })
        .filter(invoice::Column::Number.eq(&number))
        .exec(&app.state.db)
        .await
        .unwrap();

    let p = expect_problem(
        client
            .post(&format!("/invoices/{number}/pay"), &card(CARD_OK))
            .await,
        StatusCode::CONFLICT,
        "payment-in-progress",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("in progress"), "{p}");
    expect_problem(
        op.post(
            &format!("/operator/invoices/{number}/confirm-payment"),
            &json!({ "amount": amount, "method": "bank_transfer" }),
        )
        .await,
        StatusCode::CONFLICT,
        "payment-in-progress",
    )
    .await;
    let csv = format!("date,invoice_number,amount,payer\n2026-12-01,{number},{amount},ヤマダ\n");
    let res = op
        .http
        .post(format!("{}/api/v1/operator/bank-statements", app.base))
        .header("content-type", "text/csv")
        .header("x-csrf-token", op.cookie("csrf_token").unwrap())
        .body(csv)
        .send()
        .await
        .unwrap();
    let import: Value = res.json().await.unwrap();
    assert_eq!(
        import["rows"][0]["outcome"], "payment_in_progress",
        "{import}"
    );
    assert_eq!(import["applied"], 0);
    assert_eq!(
        certdirect::registrations::cancel_overdue(&app.state)
            .await
            .unwrap(),
        0
    );
    assert_eq!(invoice_row(&app, &number).await.status, "unpaid");

    // A claim nobody settled (the process died mid-charge) stops holding the invoice.
    app.clock.advance(Duration::minutes(11));
    assert_eq!(
        certdirect::registrations::cancel_overdue(&app.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(invoice_row(&app, &number).await.status, "void");
    assert_eq!(app.state.payments.record(&number).requests, 0);
}

/// R-FQDN-8, R-BILL-6: a registration has one open renewal invoice at a time (20 parallel
/// renewals: one invoice, 19 answers naming it), and years added and taken back at the same
/// moment all count: each of 8 rounds refunds the last renewal while the next one is paid.
#[tokio::test]
async fn renewals_open_one_at_a_time_and_concurrent_changes_all_count() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "renewer@example.jp").await;
    let op = operator(&app).await;
    let first = register(&client, &order("keep.jp", 1)).await;
    let reg_id = first["registration"]["id"].as_i64().unwrap();
    let n1 = first["invoice"]["number"].as_str().unwrap().to_owned();
    assert_eq!(
        client
            .post(&format!("/invoices/{n1}/pay"), &card(CARD_OK))
            .await
            .status(),
        StatusCode::OK
    );
    let years = || async {
        client
            .get(&format!("/registrations/{reg_id}"))
            .await
            .json::<Value>()
            .await
            .unwrap()["contract_years"]
            .as_i64()
            .unwrap()
    };

    let mut previous: Option<String> = None;
    for round in 0..8 {
        let answers = parallel(&client, 20, "/registrations", order("keep.jp", 1)).await;
        let opened: Vec<&Value> = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .map(|(_, b)| b)
            .collect();
        assert_eq!(opened.len(), 1, "round {round}: {answers:?}");
        let number = opened[0]["invoice"]["number"].as_str().unwrap().to_owned();
        assert_eq!(opened[0]["renewal"], true);
        for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
            assert_eq!(*status, StatusCode::CONFLICT, "{body}");
            assert_eq!(
                field_code(body, "fqdn").as_deref(),
                Some("renewal_pending"),
                "{body}"
            );
            assert!(body["detail"].as_str().unwrap().contains(&number), "{body}");
        }
        let before = years().await;
        // Pay this renewal while the previous one is refunded: +1 and -1 at once.
        let pay = {
            let (client, number) = (client.clone(), number.clone());
            tokio::spawn(async move {
                client
                    .post(&format!("/invoices/{number}/pay"), &card(CARD_OK))
                    .await
                    .status()
            })
        };
        let refund = match &previous {
            Some(prev) => Some(
                op.post(&format!("/operator/invoices/{prev}/refund"), &json!({}))
                    .await
                    .status(),
            ),
            None => None,
        };
        assert_eq!(pay.await.unwrap(), StatusCode::OK, "round {round}");
        let expected = match refund {
            Some(status) => {
                assert_eq!(status, StatusCode::OK, "round {round}");
                before
            }
            None => before + 1,
        };
        assert_eq!(years().await, expected, "round {round}");
        previous = Some(number);
    }
    assert_eq!(
        years().await,
        2,
        "the first year and the last renewal remain"
    );
}

/// R-CUS-4, R-CUS-1: 40 parallel wrong passwords for one account, three rounds (the window
/// passes between them): at most 5 are checked and answered 401, every other one is 429; the
/// right password during the lock-out also waits.
#[tokio::test]
async fn parallel_wrong_logins_cannot_pass_the_limit() {
    let app = spawn_app().await;
    app.customer("target@example.jp").await;
    let wrong = json!({ "email": "target@example.jp", "password": "wrong password 123" });
    for round in 0..3 {
        let answers = parallel(&app.client(), 40, "/auth/login", wrong.clone()).await;
        let unauthorized = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
            .count();
        let limited = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!(
            unauthorized, 5,
            "round {round}: {unauthorized} wrong passwords were checked"
        );
        assert_eq!(limited, 35, "round {round}: {answers:?}");
        let right = app
            .client()
            .post(
                "/auth/login",
                &json!({ "email": "target@example.jp", "password": PASSWORD }),
            )
            .await;
        expect_problem(right, StatusCode::TOO_MANY_REQUESTS, "rate-limited").await;
        app.clock.advance(Duration::minutes(16));
    }
    app.login("target@example.jp").await;
}

/// R-CUS-4: sign-up reports a taken address before hashing the password; parallel sign-ups
/// for one address create one account.
#[tokio::test]
async fn parallel_signups_for_one_address_create_one_account() {
    let app = spawn_app().await;
    let answers = parallel(
        &app.client(),
        20,
        "/auth/signup",
        signup_body("dup@example.jp"),
    )
    .await;
    let created = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert_eq!(field_code(body, "email").as_deref(), Some("taken"));
    }
}

async fn token(client: &Client, name: &str, scopes: &[&str]) -> Client {
    let res = client
        .post("/tokens", &json!({ "name": name, "scopes": scopes }))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    let mut bearer = client.clone();
    bearer.http = reqwest::Client::new();
    bearer.bearer = Some(body["token"].as_str().unwrap().to_owned());
    bearer.send_csrf = false;
    bearer
}

/// R-CUS-4, R-EAB-4: the EAB HMAC key is shown to a portal session and to a token with the
/// `acme` scope; a `read` (or `write`) token gets everything else with the key null, a note
/// saying why, and no ready-made commands (they would carry the key).
#[tokio::test]
async fn only_the_acme_scope_reads_the_eab_hmac_key() {
    let app = spawn_app().await;
    let (portal, _, applied) = applied_customer(&app, "scoped@example.jp").await;
    let key = applied["eab"]["hmac_key"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 43);

    let session: Value = portal.get("/acme-application").await.json().await.unwrap();
    assert_eq!(session["eab"]["hmac_key"], key.as_str());

    for scopes in [&["read"][..], &["write"], &["read", "write"]] {
        let reader = token(&portal, "reader", scopes).await;
        let res = reader.get("/acme-application").await;
        assert_eq!(res.status(), StatusCode::OK, "{scopes:?}");
        let seen: Value = res.json().await.unwrap();
        assert!(seen["eab"]["hmac_key"].is_null(), "{scopes:?}: {seen}");
        assert!(seen["eab"]["hmac_key_withheld"]
            .as_str()
            .unwrap()
            .contains("acme"));
        assert_eq!(seen["eab"]["key_id"], session["eab"]["key_id"]);
        assert_eq!(seen["application_number"], session["application_number"]);
        assert_eq!(seen["commands"], json!([]));
        assert!(
            !seen.to_string().contains(&key),
            "{scopes:?}: the key leaked: {seen}"
        );
    }

    let acme = token(&portal, "certbot provisioning", &["acme"]).await;
    let seen: Value = acme.get("/acme-application").await.json().await.unwrap();
    assert_eq!(seen["eab"]["hmac_key"], key.as_str());
    assert!(seen["eab"].get("hmac_key_withheld").is_none());
    assert!(seen["commands"].to_string().contains(&key));
    // The acme scope reads the application only: not the rest of the account.
    expect_problem(
        acme.get("/me").await,
        StatusCode::FORBIDDEN,
        "insufficient-scope",
    )
    .await;
    let listed: Value = portal.get("/tokens").await.json().await.unwrap();
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["scopes"] == json!(["acme"])));
}

/// R-VAL-4: http-01 never connects to an address that is, or wraps, a loopback, private or
/// special-purpose one; the challenge is invalid and the detail names the refused address.
#[tokio::test]
async fn validation_refuses_addresses_that_wrap_special_ones() {
    let e = env_with(&[("CERTDIRECT_VA_ALLOW_PRIVATE", "0")], true).await;
    let aaaa = [
        (
            "compat.jp",
            "::7f00:1",
            "IPv4-compatible (::/96) and carries 127.0.0.1",
        ),
        ("sitelocal.jp", "fec0::1", "site-local"),
        (
            "sixtofour.jp",
            "2002:7f00:1::1",
            "6to4 (2002::/16) and carries 127.0.0.1",
        ),
        (
            "teredo.jp",
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "Teredo (2001::/32) and carries 127.0.0.1",
        ),
        ("nat64.jp", "64:ff9b::a9fe:a9fe", "carries 169.254.169.254"),
        // (IPv4-mapped AAAA records cannot be served by the test DNS server, which takes them
        // for IPv4; the unit table in va/guard.rs covers them.)
    ];
    let tokens = std::sync::Mutex::new(Vec::new());
    let serve = |t: &str, ka: &str| {
        tokens.lock().unwrap().push(t.to_owned());
        e.http.serve_token(t, ka)
    };
    for (name, address, why) in aaaa {
        e.buy(name, "dv").await;
        e.dns.add_aaaa(name, &[address]).await;
        let detail = failed_http(&e, name, serve).await;
        assert!(
            detail.contains(&format!("the address {address} is ")),
            "{detail}"
        );
        assert!(detail.contains(why), "{detail}");
    }
    let a = [
        ("cgnat.jp", "100.64.1.1", "100.64.0.0/10"),
        ("benchmark.jp", "198.18.0.1", "198.18.0.0/15"),
        ("as112.jp", "192.175.48.1", "192.175.48.0/24"),
    ];
    for (name, address, block) in a {
        e.buy(name, "dv").await;
        e.dns.add_a(name, &[address]).await;
        let detail = failed_http(&e, name, serve).await;
        assert!(
            detail.contains(&format!("the address {address} is")),
            "{detail}"
        );
        assert!(detail.contains(block), "{detail}");
    }
    // Nothing was fetched: every address was refused before connecting.
    for token in tokens.lock().unwrap().iter() {
        assert_eq!(
            e.http.hits(&format!("/.well-known/acme-challenge/{token}")),
            0
        );
    }
}

/// R-CUS-4: a password reset ends every session of the customer and every other reset link in
/// the same transaction, and the email says so and lists the API tokens still active.
/// Parallel confirmations with one link: one succeeds.
#[tokio::test]
async fn a_password_reset_ends_sessions_and_other_links() {
    let app = spawn_app().await;
    let email = "reset@example.jp";
    let (first, _) = app.customer(email).await;
    let second = app.login(email).await;
    token(&first, "deploy-bot", &["read"]).await;
    for _ in 0..2 {
        let res = app
            .client()
            .post("/auth/password-reset", &json!({ "email": email }))
            .await;
        assert_eq!(res.status(), StatusCode::ACCEPTED);
    }
    let links: Vec<String> = app
        .emails()
        .await
        .into_iter()
        .filter(|(to, _, _)| to == email)
        .filter_map(|(_, _, body)| {
            body.split_whitespace()
                .find(|w| w.contains("/reset-password?token="))
                .map(|w| w.split("token=").nth(1).unwrap().to_owned())
        })
        .collect();
    assert_eq!(links.len(), 2);
    let new_password = "a brand new passphrase";

    // Ten tabs confirm the first link at once: exactly one sets the password.
    let answers = parallel(
        &app.client(),
        10,
        "/auth/password-reset/confirm",
        json!({ "token": links[0], "password": new_password }),
    )
    .await;
    assert_eq!(
        answers.iter().filter(|(s, _)| *s == StatusCode::OK).count(),
        1,
        "{answers:?}"
    );
    for (_, body) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(
            field_code(body, "token").as_deref(),
            Some("invalid_token"),
            "{body}"
        );
    }
    for client in [&first, &second] {
        expect_problem(
            client.get("/me").await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    let p = expect_problem(
        app.client()
            .post(
                "/auth/password-reset/confirm",
                &json!({ "token": links[1], "password": "yet another passphrase" }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "token").as_deref(), Some("invalid_token"));

    let (_, subject, body) = app
        .emails()
        .await
        .into_iter()
        .rfind(|(to, _, _)| to == email)
        .unwrap();
    assert_eq!(subject, "【CertDirect】パスワード変更のお知らせ");
    assert!(body.contains("すべてのセッションを終了"), "{body}");
    assert!(
        body.contains("Every session that was logged in has been ended"),
        "{body}"
    );
    assert!(body.contains("deploy-bot"), "{body}");
    assert!(
        body.contains("2026年11月24日"),
        "the token's creation date: {body}"
    );

    let res = app
        .client()
        .post(
            "/auth/login",
            &json!({ "email": email, "password": new_password }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

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

async fn wrong_login_from(app: &TestApp, forwarded_for: &str, email: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({ "email": email, "password": "wrong password 123" }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn login_audit_addresses(app: &TestApp) -> Vec<String> {
    let db = &app.state.db;
    db.query_all(sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT remote_addr FROM audit_log WHERE action = 'customer.login' ORDER BY id".to_owned(),
    ))
    .await
    .unwrap()
    .iter()
    .map(|row| {
        row.try_get::<Option<String>>("", "remote_addr")
            .unwrap()
            .unwrap_or_default()
    })
    .collect()
}

/// R-CUS-4: behind a trusted proxy (the loopback peer listed in CERTDIRECT_TRUSTED_PROXIES)
/// the per-address login limit and the audit log use the right-most untrusted X-Forwarded-For
/// entry, so two clients have separate limits and a spoofed left part changes nothing; from a
/// peer that is not trusted the header is ignored.
#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let limits = [
        ("CERTDIRECT_LOGIN_LIMIT_PER_ADDRESS", "3"),
        ("CERTDIRECT_LOGIN_LIMIT_PER_ACCOUNT", "100"),
    ];
    let trusted = [
        limits[0],
        limits[1],
        ("CERTDIRECT_TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/8"),
    ];
    let app = spawn_app_with(&trusted).await;
    for i in 0..3 {
        // The client forges a left part; our proxies (10.0.0.5, then the loopback peer) append.
        let xff = format!("6.6.6.{i}, 203.0.113.1, 10.0.0.5");
        assert_eq!(
            wrong_login_from(&app, &xff, &format!("a{i}@example.jp")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        wrong_login_from(&app, "9.9.9.9, 203.0.113.1", "a9@example.jp").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    for i in 0..3 {
        assert_eq!(
            wrong_login_from(&app, "203.0.113.2", &format!("b{i}@example.jp")).await,
            StatusCode::UNAUTHORIZED,
            "another client behind the proxy has its own limit"
        );
    }
    assert_eq!(
        wrong_login_from(&app, "203.0.113.2", "b9@example.jp").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let audited = login_audit_addresses(&app).await;
    assert_eq!(audited[..3], ["203.0.113.1"; 3]);
    assert_eq!(audited[3..], ["203.0.113.2"; 3]);

    let direct = spawn_app_with(&limits).await;
    for i in 0..3 {
        let xff = format!("203.0.113.{i}");
        assert_eq!(
            wrong_login_from(&direct, &xff, &format!("c{i}@example.jp")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        wrong_login_from(&direct, "203.0.113.99", "c9@example.jp").await,
        StatusCode::TOO_MANY_REQUESTS,
        "an untrusted peer's X-Forwarded-For is ignored"
    );
    assert_eq!(login_audit_addresses(&direct).await, ["127.0.0.1"; 3]);
}
