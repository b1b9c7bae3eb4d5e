//! Signed webhooks (REST API issue, item 6): a real receiver on loopback gets every event type
//! with a Standard Webhooks signature checked here independently of the server's code; failed
//! attempts are retried on the backoff schedule and listed; re-sends; the address guard
//! (R-VAL-4); another customer's endpoints are "not found" (R-CUS-2).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxStatus};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use certdirect::webhooks::delivery::run_due;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::acme::applied_customer;
use crate::helpers::*;
use crate::orders::{env_with, failed_http};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 200 once they run out.
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    /// Starts the receiver on 127.0.0.1:0; returns it and its base URL.
    async fn start() -> (Receiver, String) {
        let receiver = Receiver::default();
        let app = axum::Router::new()
            .route("/{*path}", axum::routing::post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, base)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn answer(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }
}

async fn receive(
    State(r): State<Receiver>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: String,
) -> AxStatus {
    let h = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    r.got.lock().unwrap().push(Received {
        path,
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
        body,
    });
    let status = r.answers.lock().unwrap().pop_front().unwrap_or(200);
    AxStatus::from_u16(status).unwrap()
}

/// The receiver's check, written from the Standard Webhooks specification alone: HMAC-SHA256
/// under the base64-decoded secret (after `whsec_`) of `id.timestamp.body`, base64, `v1,`.
fn signature_is_valid(secret: &str, r: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    let signed = format!("{}.{}.{}", r.id, r.timestamp, r.body);
    r.signature.split(' ').any(|entry| {
        entry
            .strip_prefix("v1,")
            .and_then(|s| STANDARD.decode(s).ok())
            .is_some_and(|sig| ring::hmac::verify(&key, signed.as_bytes(), &sig).is_ok())
    })
}

fn all_events() -> Vec<&'static str> {
    vec![
        "registration.state_changed",
        "invoice.issued",
        "invoice.paid",
        "invoice.void",
        "certificate.issued",
        "certificate.revoked",
        "certificate.expiring",
        "validation.failed",
        "eab.expiring",
    ]
}

/// Registers an endpoint; returns (id, secret).
async fn register(client: &Client, url: &str, events: &[&str]) -> (i64, String) {
    let res = client
        .post(
            "/webhooks",
            &json!({ "url": url, "events": events, "description": "test receiver" }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let created: Value = res.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    assert_eq!(STANDARD.decode(&secret[6..]).unwrap().len(), 32);
    (created["endpoint"]["id"].as_i64().unwrap(), secret)
}

async fn deliver(app: &TestApp) -> u32 {
    run_due(&app.state, "test-worker").await.unwrap()
}

async fn deliveries(client: &Client, id: i64) -> Vec<Value> {
    let res = client.get(&format!("/webhooks/{id}/deliveries")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Vec<Value>>().await.unwrap()
}

/// Every event type reaches the receiver on loopback, signed so that a receiver can verify it
/// with nothing but the secret it was shown once.
#[tokio::test]
async fn every_event_arrives_signed() {
    let e = env_with(&[("CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE", "1")], true).await;
    let app = &e.app;
    let (receiver, base) = Receiver::start().await;
    let (id, secret) = register(&e.portal, &format!("{base}/main"), &all_events()).await;
    // A second customer with an unused EAB credential, for eab.expiring.
    let (other, _, _) = applied_customer(app, "eab-owner@example.jp").await;
    let (_, other_secret) = register(&other, &format!("{base}/other"), &["eab.expiring"]).await;
    // The secret is shown once: never in a read, and not stored in clear.
    let shown = e
        .portal
        .get(&format!("/webhooks/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !shown.contains("secret") && !shown.contains(&secret[6..]),
        "{shown}"
    );
    let listed = e.portal.get("/webhooks").await.text().await.unwrap();
    assert!(!listed.contains(&secret[6..]), "{listed}");

    // registration.state_changed, invoice.issued, invoice.paid
    e.buy("shop.example.jp", "dv").await;
    // certificate.issued (and the registration becomes active)
    let (order, _) = e.issue_http(&["shop.example.jp"]).await;
    // validation.failed, with the problem (a name of its own: shop.example.jp's authorization
    // would be reused)
    e.buy("fail.example.jp", "dv").await;
    failed_http(&e, "fail.example.jp", |_, _| {}).await;
    // invoice.void: a bank transfer never paid
    let res = e
        .portal
        .post("/registrations", &json!({ "fqdn": "void.example.jp", "type": "dv", "period_years": 1, "payment_method": "bank_transfer", "agree_terms": true }))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    deliver(app).await;
    // eab.expiring: the other customer's credential has 2 days left.
    app.clock.advance(Duration::days(12));
    certdirect::reminders::run(&app.state).await.unwrap();
    app.clock.advance(Duration::days(3));
    certdirect::jobs::billing_pass(&app.state).await.unwrap();
    deliver(app).await;
    // certificate.expiring: 10 days before notAfter.
    let portal = app.login("acme@example.jp").await;
    let certs: Vec<Value> = portal.get("/certificates").await.json().await.unwrap();
    let serial = certs[0]["serial"].as_str().unwrap().to_owned();
    let not_after = chrono::DateTime::parse_from_rfc3339(certs[0]["not_after"].as_str().unwrap())
        .unwrap()
        .to_utc();
    app.clock.set(not_after - Duration::days(10));
    certdirect::reminders::run(&app.state).await.unwrap();
    // certificate.revoked
    let portal = app.login("acme@example.jp").await;
    let res = portal
        .post(
            &format!("/certificates/{serial}/revoke"),
            &json!({ "reason": 0 }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    deliver(app).await;
    assert_eq!(deliver(app).await, 0, "nothing left to send");

    let got = receiver.got();
    let mut types = BTreeSet::new();
    for r in &got {
        let (own, foreign) = if r.path == "main" {
            (&secret, &other_secret)
        } else {
            (&other_secret, &secret)
        };
        assert!(signature_is_valid(own, r), "bad signature: {r:?}");
        assert!(r.id.starts_with("msg_"), "{r:?}");
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert!(
            body["timestamp"].is_string() && body["data"].is_object(),
            "{body}"
        );
        r.timestamp.parse::<i64>().unwrap();
        // Checked with another endpoint's secret it does not verify.
        assert!(!signature_is_valid(foreign, r));
        types.insert(body["type"].as_str().unwrap().to_owned());
    }
    let want: BTreeSet<String> = all_events().into_iter().map(str::to_owned).collect();
    assert_eq!(types, want);
    let bodies: Vec<Value> = got
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let of = |t: &str| {
        bodies
            .iter()
            .filter(|b| b["type"] == t)
            .cloned()
            .collect::<Vec<_>>()
    };
    let states: Vec<String> = of("registration.state_changed")
        .iter()
        .map(|b| {
            format!(
                "{}:{}",
                b["data"]["fqdn"].as_str().unwrap(),
                b["data"]["to"].as_str().unwrap()
            )
        })
        .collect();
    for s in [
        "shop.example.jp:awaiting_payment",
        "shop.example.jp:registered",
        "shop.example.jp:active",
        "void.example.jp:awaiting_payment",
        "void.example.jp:cancelled",
    ] {
        assert!(states.contains(&s.to_owned()), "{s} not in {states:?}");
    }
    assert_eq!(of("invoice.issued").len(), 3);
    assert_eq!(of("invoice.paid")[0]["data"]["invoice"]["status"], "paid");
    assert_eq!(of("invoice.void")[0]["data"]["invoice"]["status"], "void");
    assert_eq!(
        of("certificate.issued")[0]["data"]["serial"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        serial.to_lowercase()
    );
    let order_id = of("certificate.issued")[0]["data"]["order_id"]
        .as_i64()
        .unwrap();
    assert!(
        order["finalize"]
            .as_str()
            .unwrap()
            .contains(&format!("/{order_id}/")),
        "{order}"
    );
    assert_eq!(of("certificate.revoked")[0]["data"]["reason"], 0);
    let failed = &of("validation.failed")[0]["data"];
    assert_eq!(failed["identifier"], "fail.example.jp");
    assert!(
        failed["problem"]["detail"]
            .as_str()
            .unwrap()
            .contains("fail.example.jp"),
        "{failed}"
    );
    assert!(of("eab.expiring")[0]["data"]["key_id"].is_string());
    // Every delivery is listed as succeeded with its one attempt.
    for d in deliveries(&portal, id).await {
        assert_eq!(d["status"], "succeeded", "{d}");
        assert_eq!(d["attempts"].as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d["attempts"][0]["status_code"], 200);
    }
}

/// 500, 500, then 200: the third attempt succeeds after the first two waits of the backoff
/// schedule (5 s and 30 s), and all three are listed.
#[tokio::test]
async fn failed_attempts_are_retried_with_backoff_and_listed() {
    let app = spawn_app_with(&[("CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE", "1")]).await;
    let (client, _) = app.customer("retry@example.jp").await;
    let (receiver, base) = Receiver::start().await;
    let (id, secret) = register(&client, &format!("{base}/hook"), &["invoice.paid"]).await;
    receiver.answer(&[500, 500]);
    let res = client
        .post(&format!("/webhooks/{id}/test"), &json!({}))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::ACCEPTED,
        "{}",
        res.text().await.unwrap()
    );
    let ping: Value = res.json().await.unwrap();
    assert_eq!(ping["status"], "pending");

    assert_eq!(deliver(&app).await, 1);
    assert_eq!(deliver(&app).await, 0, "the retry waits 5 seconds");
    app.clock.advance(Duration::seconds(4));
    assert_eq!(deliver(&app).await, 0);
    app.clock.advance(Duration::seconds(1));
    assert_eq!(deliver(&app).await, 1);
    app.clock.advance(Duration::seconds(29));
    assert_eq!(deliver(&app).await, 0, "the next retry waits 30 seconds");
    let listed = deliveries(&client, id).await;
    assert_eq!(listed[0]["status"], "pending");
    assert_eq!(listed[0]["attempts"].as_array().unwrap().len(), 2);
    app.clock.advance(Duration::seconds(1));
    assert_eq!(deliver(&app).await, 1);

    let got = receiver.got();
    assert_eq!(got.len(), 3);
    // Every attempt carries the same webhook-id and body, each validly signed.
    assert!(got
        .iter()
        .all(|r| r.id == got[0].id && r.body == got[0].body));
    assert!(got.iter().all(|r| signature_is_valid(&secret, r)));
    let listed = deliveries(&client, id).await;
    assert_eq!(listed.len(), 1);
    let d = &listed[0];
    assert_eq!(d["status"], "succeeded", "{d}");
    assert_eq!(d["event_type"], "ping");
    assert_eq!(d["msg_id"].as_str().unwrap(), got[0].id);
    let codes: Vec<i64> = d["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 200]);
    assert_eq!(d["attempts"][0]["succeeded"], false);
    assert!(d["attempts"][0]["error"].as_str().unwrap().contains("500"));
    assert_eq!(d["attempts"][2]["succeeded"], true);
}

/// After eight failed attempts a delivery is `failed`; a re-send sends the same message again
/// (same webhook-id), and a delivery still waiting cannot be re-sent.
#[tokio::test]
async fn gives_up_after_eight_attempts_and_resends() {
    let app = spawn_app_with(&[
        ("CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE", "1"),
        ("CERTDIRECT_WEBHOOKS_RETRY_BASE_SECS", "0"),
    ])
    .await;
    let (client, _) = app.customer("resend@example.jp").await;
    let (receiver, base) = Receiver::start().await;
    let (id, secret) = register(&client, &format!("{base}/hook"), &["invoice.paid"]).await;
    receiver.answer(&[503; 8]);
    let ping: Value = client
        .post(&format!("/webhooks/{id}/test"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let delivery = ping["id"].as_i64().unwrap();
    let resend = format!("/webhooks/{id}/deliveries/{delivery}/resend");
    expect_problem(
        client.post(&resend, &json!({})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(deliver(&app).await, 8);
    let d = &deliveries(&client, id).await[0];
    assert_eq!(d["status"], "failed", "{d}");
    assert_eq!(d["attempts"].as_array().unwrap().len(), 8);

    let res = client.post(&resend, &json!({})).await;
    assert_eq!(
        res.status(),
        StatusCode::ACCEPTED,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(deliver(&app).await, 1);
    let got = receiver.got();
    assert_eq!(got.len(), 9);
    assert_eq!(got[8].id, got[0].id);
    assert!(signature_is_valid(&secret, &got[8]));
    let d = &deliveries(&client, id).await[0];
    assert_eq!(d["status"], "succeeded");
    assert_eq!(d["attempts"].as_array().unwrap().len(), 9);
    // A disabled endpoint gets nothing: its waiting deliveries fail without a request.
    let res = client
        .patch(&format!("/webhooks/{id}"), &json!({ "enabled": false }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        client.post(&resend, &json!({})).await.status(),
        StatusCode::ACCEPTED
    );
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(receiver.got().len(), 9);
    let d = &deliveries(&client, id).await[0];
    assert_eq!(d["status"], "failed");
    assert!(
        d["attempts"][9]["error"]
            .as_str()
            .unwrap()
            .contains("disabled"),
        "{d}"
    );
}

/// R-VAL-4: without CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE, loopback, private and link-local
/// endpoints are refused with a field error naming the address, and so is plain http.
#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let app = spawn_app().await;
    let (client, _) = app.customer("guard@example.jp").await;
    for (url, code) in [
        ("https://10.0.0.1/hook", "address_refused"),
        ("https://192.168.10.20/hook", "address_refused"),
        ("https://127.0.0.1:8443/hook", "address_refused"),
        ("https://[::1]/hook", "address_refused"),
        ("https://169.254.169.254/latest", "address_refused"),
        ("https://localhost/hook", "address_refused"),
        ("http://203.0.113.10/hook", "https_required"),
        ("not a url", "invalid"),
    ] {
        let res = client
            .post(
                "/webhooks",
                &json!({ "url": url, "events": ["invoice.paid"] }),
            )
            .await;
        let problem = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
        assert_eq!(
            field_code(&problem, "url").as_deref(),
            Some(code),
            "{url}: {problem}"
        );
        if code == "address_refused" {
            let reason = problem["errors"][0]["reason"].as_str().unwrap();
            assert!(reason.contains("the address"), "{reason}");
        }
    }
    // Every refused field at once.
    let res = client
        .post("/webhooks", &json!({ "url": "https://10.0.0.1/", "events": ["nope"], "description": "x".repeat(201) }))
        .await;
    let problem = expect_problem(res, StatusCode::BAD_REQUEST, "validation").await;
    assert_eq!(field_code(&problem, "events").as_deref(), Some("unknown"));
    assert_eq!(
        field_code(&problem, "description").as_deref(),
        Some("too_long")
    );
    assert_eq!(
        field_code(&problem, "url").as_deref(),
        Some("address_refused")
    );
    assert_eq!(app.count("webhook_endpoints").await, 0);
}

/// R-CUS-2: another customer's endpoints and deliveries are "not found", whatever the method.
#[tokio::test]
async fn another_customer_cannot_see_or_resend() {
    let app = spawn_app_with(&[("CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE", "1")]).await;
    let (owner, _) = app.customer("owner@example.jp").await;
    let (stranger, _) = app.customer("stranger@example.jp").await;
    let (_receiver, base) = Receiver::start().await;
    let (id, _) = register(&owner, &format!("{base}/hook"), &["invoice.paid"]).await;
    let ping: Value = owner
        .post(&format!("/webhooks/{id}/test"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    deliver(&app).await;
    let delivery = ping["id"].as_i64().unwrap();
    for res in [
        stranger.get(&format!("/webhooks/{id}")).await,
        stranger.get(&format!("/webhooks/{id}/deliveries")).await,
        stranger
            .post(
                &format!("/webhooks/{id}/deliveries/{delivery}/resend"),
                &json!({}),
            )
            .await,
        stranger
            .post(&format!("/webhooks/{id}/test"), &json!({}))
            .await,
        stranger
            .patch(&format!("/webhooks/{id}"), &json!({ "enabled": false }))
            .await,
        stranger.delete(&format!("/webhooks/{id}")).await,
    ] {
        expect_problem(res, StatusCode::NOT_FOUND, "not-found").await;
    }
    let listed: Vec<Value> = stranger.get("/webhooks").await.json().await.unwrap();
    assert!(listed.is_empty());
    // The owner still has it, unchanged; a read-only token sees it but cannot re-send.
    let mine: Value = owner
        .get(&format!("/webhooks/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["enabled"], true);
    assert_eq!(
        owner.delete(&format!("/webhooks/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    expect_problem(
        owner.get(&format!("/webhooks/{id}")).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}

/// Two workers draining the same outbox never send one delivery twice.
#[tokio::test]
async fn two_workers_never_send_a_delivery_twice() {
    let app = spawn_app_with(&[("CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE", "1")]).await;
    let (client, _) = app.customer("race@example.jp").await;
    let (receiver, base) = Receiver::start().await;
    let (id, _) = register(&client, &format!("{base}/hook"), &["invoice.paid"]).await;
    for _ in 0..20 {
        assert_eq!(
            client
                .post(&format!("/webhooks/{id}/test"), &json!({}))
                .await
                .status(),
            StatusCode::ACCEPTED
        );
    }
    let (a, b) = tokio::join!(
        run_due(&app.state, "worker-a"),
        run_due(&app.state, "worker-b")
    );
    assert_eq!(a.unwrap() + b.unwrap(), 20);
    let mut seen: HashMap<String, u32> = HashMap::new();
    for r in receiver.got() {
        *seen.entry(r.id).or_default() += 1;
    }
    assert_eq!(seen.len(), 20);
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
}
