//! The customer center (R-SUP-1, R-SUP-2): office hours, inquiries, the conversation with the
//! operators and its emails.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::acme::{applied_customer, operator};
use crate::helpers::*;

fn jst(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{s}+09:00"))
        .unwrap()
        .to_utc()
}

async fn created(res: reqwest::Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// The customer's invoice number after registering `fqdn` (bank transfer).
pub async fn invoice_of(client: &Client, fqdn: &str) -> String {
    let res = client
        .post(
            "/registrations",
            &json!({ "fqdn": fqdn, "type": "dv", "period_years": 1, "payment_method": "bank_transfer", "agree_terms": true }),
        )
        .await;
    created(res).await["invoice"]["number"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// R-SUP-2: a weekday at 10:00 in Japan is answered the same day; 2 January (the year-end
/// closure, a Saturday) is answered on Monday 4 January, and the receipt says it arrived
/// outside office hours. The API and the emails agree with the server's clock.
#[tokio::test]
async fn support_answer_dates_follow_office_hours() {
    let app = spawn_app().await;
    app.clock.set(jst("2026-12-01T10:00:00"));
    let (client, customer_id) = app.customer("hours@example.jp").await;

    let hours: Value = app
        .client()
        .get("/support/hours")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hours["open_now"], true, "{hours}");
    assert_eq!(hours["today"], "2026-12-01");
    assert_eq!(hours["answer_by"], "2026-12-01");
    assert_eq!(hours["time_zone"], "Asia/Tokyo");

    let q = created(
        client
            .post(
                "/inquiries",
                &json!({ "subject": "証明書が発行できません", "domain": "例え.jp", "message": "certbot がエラーになります" }),
            )
            .await,
    )
    .await;
    let number = q["number"].as_str().unwrap().to_owned();
    assert!(
        number.starts_with('Q') && number[1..].bytes().all(|b| b.is_ascii_digit()),
        "{number}"
    );
    assert_eq!(q["received_in_hours"], true);
    assert_eq!(q["answer_by"], "2026-12-01");
    assert_eq!(q["status"], "open");
    assert_eq!(q["domain"], "xn--r8jz45g.jp");
    assert_eq!(q["domain_unicode"], "例え.jp");
    assert_eq!(q["customer_id"], customer_id.as_str());
    assert_eq!(q["messages"][0]["author"], "customer");

    let emails = app.emails().await;
    let (_, subject, body) = emails
        .iter()
        .find(|(to, s, _)| to == "hours@example.jp" && s.contains(&number))
        .expect("the receipt to the customer")
        .clone();
    assert!(subject.starts_with("【CertDirect】"), "{subject}");
    assert!(body.contains("2026年12月1日(火)中に回答"), "{body}");
    // The customer center is told, at the support address (default: mail_from's).
    let (_, subject, body) = emails
        .iter()
        .find(|(to, _, _)| to == "noreply@localhost")
        .expect("the notice to the customer center")
        .clone();
    assert!(subject.contains(&number), "{subject}");
    for needle in [
        customer_id.as_str(),
        "xn--r8jz45g.jp (例え.jp)",
        "certbot がエラーになります",
    ] {
        assert!(body.contains(needle), "{needle}: {body}");
    }

    // Saturday 2 January 2027, during the year-end closure.
    app.clock.set(jst("2027-01-02T10:00:00"));
    let client = app.login("hours@example.jp").await;
    let hours: Value = app
        .client()
        .get("/support/hours")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(hours["open_now"], false);
    assert_eq!(hours["answer_by"], "2027-01-04");
    let q = created(
        client
            .post(
                "/inquiries",
                &json!({ "subject": "年始の問い合わせ", "domain": "*.example.jp", "message": "よろしくお願いします" }),
            )
            .await,
    )
    .await;
    assert_eq!(q["received_in_hours"], false);
    assert_eq!(q["answer_by"], "2027-01-04");
    assert_eq!(q["domain"], "*.example.jp");
    let number = q["number"].as_str().unwrap();
    let (_, _, body) = app
        .emails()
        .await
        .into_iter()
        .rev()
        .find(|(to, s, _)| to == "hours@example.jp" && s.contains(number))
        .unwrap();
    assert!(body.contains("営業時間外"), "{body}");
    assert!(body.contains("2027年1月4日(月) 以降"), "{body}");
    assert!(body.contains("on or after Mon 4 Jan 2027"), "{body}");

    // Newest first.
    let list: Value = client.get("/inquiries").await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["number"], number);
}

/// R-SUP-1, R-ALL-1: every bad field is named with its reason, another customer's invoice
/// reads like a missing one, and nothing is written.
#[tokio::test]
async fn support_inquiry_field_errors_name_the_field() {
    let app = spawn_app().await;
    let (other, _, _) = applied_customer(&app, "other@example.jp").await;
    let others_invoice = invoice_of(&other, "other.example.jp").await;
    let (client, _, _) = applied_customer(&app, "asker@example.jp").await;
    let own_invoice = invoice_of(&client, "asker.example.jp").await;
    let emails_before = app.emails().await.len();

    let cases = [
        (
            json!({ "domain": "example.jp", "message": "m" }),
            vec![("subject", "required")],
        ),
        (
            json!({ "subject": "s", "message": "m" }),
            vec![
                ("domain", "domain_or_invoice_required"),
                ("invoice_number", "domain_or_invoice_required"),
            ],
        ),
        (
            json!({ "subject": "s", "invoice_number": others_invoice, "message": "m" }),
            vec![("invoice_number", "unknown_invoice")],
        ),
        (
            json!({ "subject": "s", "invoice_number": "BILL9999999999", "message": "m" }),
            vec![("invoice_number", "unknown_invoice")],
        ),
        (
            json!({ "subject": "s", "domain": "exa mple.jp", "message": "m" }),
            vec![("domain", "invalid_character")],
        ),
        (
            json!({ "subject": "s", "domain": "co.jp", "message": "" }),
            vec![("domain", "public_suffix"), ("message", "required")],
        ),
    ];
    for (body, fields) in cases {
        let p = expect_problem(
            client.post("/inquiries", &body).await,
            StatusCode::BAD_REQUEST,
            "validation",
        )
        .await;
        for (field, code) in &fields {
            assert_eq!(field_code(&p, field).as_deref(), Some(*code), "{body}: {p}");
        }
        assert_eq!(p["errors"].as_array().unwrap().len(), fields.len(), "{p}");
    }
    // Someone else's invoice and a missing one get the same words.
    let reason = |p: &Value| p["errors"][0]["reason"].as_str().unwrap().to_owned();
    let a = expect_problem(
        client
            .post(
                "/inquiries",
                &json!({ "subject": "s", "invoice_number": others_invoice, "message": "m" }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(
        reason(&a),
        format!("{others_invoice} is not one of your invoices")
    );
    assert_eq!(app.count("inquiries").await, 0);
    assert_eq!(app.count("inquiry_messages").await, 0);
    assert_eq!(
        app.emails().await.len(),
        emails_before,
        "no email for a refused inquiry"
    );

    // The own invoice is accepted, lower case too.
    let q = created(
        client
            .post(
                "/inquiries",
                &json!({ "subject": "請求書について", "invoice_number": own_invoice.to_lowercase(), "message": "領収書が必要です" }),
            )
            .await,
    )
    .await;
    assert_eq!(q["invoice_number"], own_invoice.as_str());
    assert_eq!(q["domain"], Value::Null);
}

/// R-SUP-1, R-CUS-2: the conversation — the operator answers (the customer is emailed in its
/// language), the customer writes back (it opens again), the operator closes it (the customer
/// can no longer write); other customers see nothing of it.
#[tokio::test]
async fn support_conversation_between_customer_and_operator() {
    let app = spawn_app().await;
    let (client, customer_id, _) = applied_customer(&app, "talk@example.jp").await;
    let res = client.patch("/me", &json!({ "locale": "en" })).await;
    assert_eq!(res.status(), StatusCode::OK);
    let invoice = invoice_of(&client, "talk.example.jp").await;
    let q = created(
        client
            .post(
                "/inquiries",
                &json!({ "subject": "Transfer sent", "domain": "talk.example.jp", "invoice_number": invoice, "message": "I paid yesterday." }),
            )
            .await,
    )
    .await;
    let id = q["id"].as_i64().unwrap();
    let number = q["number"].as_str().unwrap().to_owned();
    // The English receipt comes first for an English-speaking customer.
    let (_, subject, _) = app
        .emails()
        .await
        .into_iter()
        .find(|(to, s, _)| to == "talk@example.jp" && s.contains(&number))
        .unwrap();
    assert_eq!(
        subject,
        format!("[CertDirect] We received your inquiry {number}")
    );

    // Other customers: 404, and the operator console is not theirs.
    let (stranger, _) = app.customer("stranger@example.jp").await;
    expect_problem(
        stranger.get(&format!("/inquiries/{id}")).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    expect_problem(
        stranger
            .post(
                &format!("/inquiries/{id}/messages"),
                &json!({ "message": "hi" }),
            )
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_eq!(
        stranger
            .get("/inquiries")
            .await
            .json::<Value>()
            .await
            .unwrap(),
        json!([])
    );
    expect_problem(
        client.get("/operator/inquiries").await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let op = operator(&app).await;
    let open: Value = op
        .get("/operator/inquiries?status=open")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open[0]["number"], number.as_str());
    expect_problem(
        op.get("/operator/inquiries?status=pending").await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    let p = expect_problem(
        op.post(
            &format!("/operator/inquiries/{id}/assign"),
            &json!({ "operator_email": "nobody@certdirect.example" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(
        field_code(&p, "operator_email").as_deref(),
        Some("unknown_operator")
    );
    let assigned: Value = op
        .post(&format!("/operator/inquiries/{id}/assign"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(assigned["assignee"], "ops@certdirect.example");

    let res = op
        .post(
            &format!("/operator/inquiries/{id}/reply"),
            &json!({ "message": "We received your transfer.\nThank you." }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let answered: Value = res.json().await.unwrap();
    assert_eq!(answered["status"], "answered");
    assert_eq!(answered["messages"][1]["author"], "operator");
    let (_, subject, body) = app.emails().await.pop().unwrap();
    assert_eq!(
        subject,
        format!("[CertDirect] Answer to your inquiry {number}")
    );
    assert!(body.starts_with("Dear "), "{body}");
    let lines: Vec<&str> = body.lines().map(str::trim_end).collect();
    let at = lines
        .iter()
        .position(|l| *l == "> We received your transfer.")
        .expect("the reply quoted");
    assert_eq!(lines[at + 1], "> Thank you.", "{body}");
    assert!(body.contains("Domain name: talk.example.jp"), "{body}");
    assert!(body.contains(&format!("Invoice: {invoice}")), "{body}");
    assert!(
        body.contains(&format!("{}/support/{id}", app.base)),
        "{body}"
    );
    assert!(body.contains("---- 日本語 ----"), "{body}");

    // The customer writes back: open again, and the customer center hears of it.
    let again: Value = client
        .post(
            &format!("/inquiries/{id}/messages"),
            &json!({ "message": "Thanks!" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["status"], "open");
    assert_eq!(again["messages"].as_array().unwrap().len(), 3);
    let (to, subject, body) = app.emails().await.pop().unwrap();
    assert_eq!(to, "noreply@localhost");
    assert!(
        subject.contains(&number) && body.contains(&customer_id),
        "{subject}"
    );
    expect_problem(
        client
            .post(
                &format!("/inquiries/{id}/messages"),
                &json!({ "message": " " }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;

    let closed: Value = op
        .post(&format!("/operator/inquiries/{id}/close"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(closed["status"], "closed");
    let p = expect_problem(
        client
            .post(
                &format!("/inquiries/{id}/messages"),
                &json!({ "message": "One more" }),
            )
            .await,
        StatusCode::CONFLICT,
        "inquiry-closed",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains(&number), "{p}");
    expect_problem(
        op.post(
            &format!("/operator/inquiries/{id}/reply"),
            &json!({ "message": "x" }),
        )
        .await,
        StatusCode::CONFLICT,
        "inquiry-closed",
    )
    .await;
    let mine: Value = client
        .get(&format!("/inquiries/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "closed");
    assert_eq!(mine["messages"].as_array().unwrap().len(), 3);
    // Open ones come first in the console.
    let second = created(
        client
            .post(
                "/inquiries",
                &json!({ "subject": "Another", "domain": "talk.example.jp", "message": "?" }),
            )
            .await,
    )
    .await;
    let all: Value = op.get("/operator/inquiries").await.json().await.unwrap();
    assert_eq!(all[0]["id"], second["id"]);
    assert_eq!(all[1]["id"], id);
    assert_eq!(
        op.get(&format!("/operator/inquiries/{id}"))
            .await
            .json::<Value>()
            .await
            .unwrap()["status"],
        "closed"
    );
}

/// The test clock of the browser tests: a `serve` process started with
/// CERTDIRECT_TEST_CLOCK_FILE tells the time from the file, says so in /health, and follows the
/// file when it changes.
#[tokio::test]
async fn support_hours_follow_the_test_clock_file_of_a_process() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clock");
    std::fs::write(&file, "2027-01-02T10:00:00+09:00").unwrap();
    let app = spawn_app_with(&[("CERTDIRECT_TEST_CLOCK_FILE", file.to_str().unwrap())]).await;
    let process = app.spawn_process(&["--role", "web"], None).await;
    let http = reqwest::Client::new();
    let get = |path: &'static str| {
        let http = http.clone();
        let url = format!("{}/api/v1{path}", process.base);
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(get("/health").await["clock"], "test");
    let hours = get("/support/hours").await;
    assert_eq!(hours["today"], "2027-01-02", "{hours}");
    assert_eq!(hours["answer_by"], "2027-01-04");
    assert_eq!(hours["open_now"], false);
    std::fs::write(&file, "2027-01-04T10:30:00+09:00\n").unwrap();
    let hours = get("/support/hours").await;
    assert_eq!(hours["today"], "2027-01-04", "{hours}");
    assert_eq!(hours["open_now"], true);
}
