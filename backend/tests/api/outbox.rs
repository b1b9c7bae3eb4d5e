//! The mail outbox (docs/decisions.md, "Emails"; issue "Scale-out and failure, proven" item 6):
//! a slow mail server holds no portal write, and a mail worker killed mid-send loses no email.
//! What is guaranteed is at-least-once hand-off with never two at the same time: a message whose
//! worker died after handing it over and before marking it sent is handed over once more, with
//! the same `Message-ID`, after its lease — and only then.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::*;

struct Row {
    status: String,
    attempts: i32,
    message_id: String,
    locked_by: Option<String>,
}

async fn outbox_rows(app: &TestApp) -> Vec<Row> {
    let db = &app.state.db;
    db.query_all(Statement::from_string(
        db.get_database_backend(),
        "SELECT status, attempts, message_id, locked_by FROM mail_outbox ORDER BY id",
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| Row {
        status: r.try_get("", "status").unwrap(),
        attempts: r.try_get("", "attempts").unwrap(),
        message_id: r.try_get("", "message_id").unwrap(),
        locked_by: r.try_get("", "locked_by").unwrap(),
    })
    .collect()
}

async fn wait_for(what: &str, timeout: Duration, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The mail server holds its answer for 10 seconds; meanwhile sign-ups and a password reset
/// (writes that each queue an email) answer at once, and every email goes out afterwards, each
/// exactly once.
#[tokio::test]
async fn portal_writes_go_on_while_the_mail_server_holds_its_answer() {
    let hold = Duration::from_secs(10);
    let sink = smtp_sink_holding(hold, 1).await;
    let app = spawn_app_with(&[("CERTDIRECT_SMTP_URL", &sink.url)]).await;
    let res = app
        .client()
        .post("/auth/signup", &signup_body("first@example.jp"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The mail worker has handed the message over; the server holds its answer.
    wait_for(
        "the first message at the sink",
        Duration::from_secs(5),
        async || sink.messages.lock().unwrap().len() == 1,
    )
    .await;
    let held_since = Instant::now();
    for i in 0..3 {
        let t = Instant::now();
        let res = app
            .client()
            .post("/auth/signup", &signup_body(&format!("next{i}@example.jp")))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert!(t.elapsed() < hold / 4, "{:?}", t.elapsed());
    }
    let t = Instant::now();
    let res = app
        .client()
        .post(
            "/auth/password-reset",
            &json!({ "email": "first@example.jp" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert!(t.elapsed() < hold / 4, "{:?}", t.elapsed());
    // All of it while the mail server still held the first answer: the first email is still
    // being handed over.
    let rows = outbox_rows(&app).await;
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0].status, "sending");
    assert!(held_since.elapsed() < hold, "{:?}", held_since.elapsed());
    assert_eq!(
        sink.messages.lock().unwrap().len(),
        1,
        "one hand-off at a time"
    );
    // After the hold every email goes out, each once.
    wait_for("every email sent", Duration::from_secs(20), async || {
        outbox_rows(&app).await.iter().all(|r| r.status == "sent")
    })
    .await;
    let rows = outbox_rows(&app).await;
    assert!(rows.iter().all(|r| r.attempts == 1));
    let mut sent = sink.message_ids();
    sent.sort();
    let mut stored: Vec<String> = rows.iter().map(|r| r.message_id.clone()).collect();
    stored.sort();
    assert_eq!(sent, stored);
}

/// Two worker processes; the one handing an email over is killed (SIGKILL) while the mail server
/// holds its answer, and restarted. Neither live worker touches the email while the dead
/// worker's lease runs; then one of them hands it over once more: the sink holds two copies with one `Message-ID` (the documented
/// at-least-once), the outbox one sent message after two attempts, and nothing else.
#[tokio::test]
async fn a_mail_worker_killed_mid_send_loses_no_email() {
    let sink = smtp_sink_holding(Duration::from_secs(10), 1).await;
    let app = spawn_app_without_mail_worker(&[
        ("CERTDIRECT_SMTP_URL", &sink.url),
        ("CERTDIRECT_MAIL_LEASE_SECS", "6"),
        ("CERTDIRECT_MAIL_POLL_MS", "50"),
    ])
    .await;
    let res = app
        .client()
        .post("/auth/signup", &signup_body("killed@example.jp"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let mut a = app.spawn_process(&["--role", "worker"], None).await;
    let mut b = app.spawn_process(&["--role", "worker"], None).await;
    wait_for(
        "the message at the sink",
        Duration::from_secs(10),
        async || sink.messages.lock().unwrap().len() == 1,
    )
    .await;
    let holder = outbox_rows(&app).await[0].locked_by.clone().unwrap();
    let (dead, survivor) = if holder.starts_with(&format!("pid{}-", a.pid())) {
        (&mut a, &b)
    } else {
        assert!(holder.starts_with(&format!("pid{}-", b.pid())), "{holder}");
        (&mut b, &a)
    };
    dead.kill();
    // The killed worker is restarted at once: now two live workers, and both leave the message
    // alone while the dead worker's lease runs.
    let restarted = app.spawn_process(&["--role", "worker"], None).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.messages.lock().unwrap().len(), 1);
    let rows = outbox_rows(&app).await;
    assert_eq!((rows[0].status.as_str(), rows[0].attempts), ("sending", 1));
    wait_for("the email sent", Duration::from_secs(20), async || {
        outbox_rows(&app).await[0].status == "sent"
    })
    .await;
    let rows = outbox_rows(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].attempts, 2);
    let sender = rows[0].locked_by.clone().unwrap();
    assert!(
        [survivor.pid(), restarted.pid()]
            .iter()
            .any(|pid| sender.starts_with(&format!("pid{pid}-"))),
        "{sender}"
    );
    // Two hand-offs of one message, recognisable as one.
    assert_eq!(
        sink.message_ids(),
        vec![rows[0].message_id.clone(), rows[0].message_id.clone()]
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sink.messages.lock().unwrap().len(), 2, "and no third");
}

/// The email is part of the change's transaction: rolled back, it is never sent.
#[tokio::test]
async fn a_rolled_back_change_sends_no_email() {
    use sea_orm::TransactionTrait;
    let app = spawn_app().await;
    let txn = app.state.db.begin().await.unwrap();
    app.state
        .mailer
        .send(
            &txn,
            &certdirect::mail::Email {
                to: "never@example.jp".into(),
                subject: "never".into(),
                body: "never".into(),
            },
        )
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.emails().await.is_empty());
    assert_eq!(app.count("mail_outbox").await, 0);
}

/// The console lists the emails that keep failing; "retry now" makes one due at once.
#[tokio::test]
async fn operators_see_failing_emails_and_retry_them() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let smtp = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[("CERTDIRECT_SMTP_URL", &smtp)]).await;
    let res = app
        .client()
        .post("/auth/signup", &signup_body("bounce@example.jp"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let op = crate::acme::operator(&app).await;
    // Three failed attempts (each retried at once by the operator) make it failing.
    for attempt in 1..=3 {
        wait_for("an attempt", Duration::from_secs(10), async || {
            let rows = outbox_rows(&app).await;
            rows[0].status == "queued" && rows[0].attempts == attempt
        })
        .await;
        let list = op.get("/operator/mail?status=pending").await;
        assert_eq!(list.status(), StatusCode::OK);
        let list: serde_json::Value = list.json().await.unwrap();
        let id = list[0]["id"].as_i64().unwrap();
        if attempt < 3 {
            let failing: serde_json::Value = op.get("/operator/mail").await.json().await.unwrap();
            assert_eq!(failing, json!([]), "not failing after {attempt}");
            let res = op
                .post(&format!("/operator/mail/{id}/retry"), &json!({}))
                .await;
            assert_eq!(res.status(), StatusCode::ACCEPTED);
        }
    }
    let failing: serde_json::Value = op
        .get("/operator/mail?status=failing")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(failing.as_array().unwrap().len(), 1, "{failing}");
    assert_eq!(failing[0]["to"], "bounce@example.jp");
    assert_eq!(failing[0]["attempts"], 3);
    assert!(failing[0]["last_error"].as_str().unwrap().contains("SMTP"));
    let metrics = app
        .client()
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("certdirect_mail_outbox_pending 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("certdirect_mail_outbox_failing 1"),
        "{metrics}"
    );
    // Without an operator's session, nothing.
    assert_eq!(
        app.client().get("/operator/mail").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A bad filter names itself.
    let res = op.get("/operator/mail?status=nope").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
