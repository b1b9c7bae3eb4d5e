//! Usage FQDN registration, purchase and payment (R-FQDN-1..8, R-BILL-1..5).

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::acme::{applied_customer, operator};
use crate::helpers::*;

fn order(fqdn: &str, t: &str, years: u32, method: &str) -> Value {
    json!({ "fqdn": fqdn, "type": t, "period_years": years, "payment_method": method, "agree_terms": true })
}

const CARD_OK: &str = "4242424242424242";
const CARD_DECLINED: &str = "4000000000000002";

fn card(number: &str) -> Value {
    json!({ "card_number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123" })
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

/// R-BILL-1: the default catalogue with tax.
#[tokio::test]
async fn products_show_prices_with_tax() {
    let app = spawn_app().await;
    let products: Value = app.client().get("/products").await.json().await.unwrap();
    let find = |t: &str, y: u64| {
        products
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["cert_type"] == t && p["period_years"] == y)
            .unwrap()
            .clone()
    };
    assert_eq!(find("dv", 1)["price_excl_tax"], 10_900);
    assert_eq!(find("dv", 1)["price_incl_tax"], 11_990);
    assert_eq!(find("dv_wildcard", 1)["price_incl_tax"], 47_960);
    assert_eq!(find("dv", 2)["price_incl_tax"], 23_980);
}

/// STEP 5–11 by card: invoice email, payment, completion email, deadline (R-FQDN-6).
#[tokio::test]
async fn card_purchase_registers_the_fqdn_with_its_deadline() {
    let app = spawn_app().await;
    let (client, customer_id, _) = applied_customer(&app, "buyer@example.jp").await;
    let created = register(&client, &order("例え.jp", "dv", 1, "card")).await;
    let reg = &created["registration"];
    let inv = &created["invoice"];
    assert_eq!(reg["fqdn"], "xn--r8jz45g.jp");
    assert_eq!(reg["fqdn_unicode"], "例え.jp");
    assert_eq!(reg["state"], "awaiting_payment");
    assert_eq!(
        reg["coverage"],
        json!(["xn--r8jz45g.jp", "www.xn--r8jz45g.jp"])
    );
    assert_eq!(created["renewal"], false);
    let number = inv["number"].as_str().unwrap().to_owned();
    assert!(
        number.starts_with("BILL") && number[4..].bytes().all(|b| b.is_ascii_digit()),
        "{number}"
    );
    assert_eq!(inv["amount_incl_tax"], 11_990);
    assert_eq!(inv["tax"], 1_090);
    assert_eq!(inv["status"], "unpaid");
    // Due 14 days after the invoice, at the end of that day in Japan.
    assert_eq!(inv["due_at"], "2026-12-08T14:59:59Z");

    // STEP 10 email to the billing address.
    let (to, subject, body) = app.emails().await.pop().unwrap();
    assert_eq!(to, "billing@example.jp");
    assert_eq!(
        subject,
        "【CertDirect】サーバー証明書(ACME)利用FQDN情報登録申請受理及びご請求のご連絡"
    );
    assert!(
        body.contains(&number) && body.contains("¥11,990") && body.contains("2026年12月8日 23:59"),
        "{body}"
    );

    // A declined card leaves the invoice unpaid.
    let p = expect_problem(
        client
            .post(&format!("/invoices/{number}/pay"), &card(CARD_DECLINED))
            .await,
        StatusCode::PAYMENT_REQUIRED,
        "card-declined",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("stays unpaid"));
    let still: Value = client
        .get(&format!("/invoices/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "unpaid");

    let res = client
        .post(&format!("/invoices/{number}/pay"), &card(CARD_OK))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "paid");
    let reg: Value = client
        .get(&format!("/registrations/{}", reg["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reg["state"], "registered");
    assert_eq!(reg["invoice_number"], number.as_str());
    // Registered 2026-11-24 (Japan) → deadline 2027-11-30T23:59:59+09:00.
    assert_eq!(reg["deadline"], "2027-11-30T14:59:59Z");
    assert_eq!(
        reg["contract_end"],
        Value::Null,
        "the contract starts with the first issuance"
    );

    // STEP 11 email with the deadline.
    let (to, subject, body) = app.emails().await.pop().unwrap();
    assert_eq!(to, "billing@example.jp");
    assert_eq!(
        subject,
        "【CertDirect】サーバー証明書(ACME)利用FQDN情報登録完了のご連絡"
    );
    assert!(body.contains("2027年11月30日 23:59"), "{body}");

    // R-BILL-5: paying twice changes nothing and says why.
    let p = expect_problem(
        client
            .post(&format!("/invoices/{number}/pay"), &card(CARD_OK))
            .await,
        StatusCode::CONFLICT,
        "already-paid",
    )
    .await;
    assert!(p["detail"]
        .as_str()
        .unwrap()
        .contains("nothing was changed"));
    let _ = customer_id;
}

/// Bank transfer confirmed by an operator; wrong amounts change nothing.
#[tokio::test]
async fn bank_transfer_confirmed_by_an_operator() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "bank@example.jp").await;
    let created = register(
        &client,
        &order("*.example.jp", "dv_wildcard", 2, "bank_transfer"),
    )
    .await;
    assert_eq!(
        created["registration"]["coverage"],
        json!(["*.example.jp", "example.jp"])
    );
    let number = created["invoice"]["number"].as_str().unwrap().to_owned();
    assert_eq!(created["invoice"]["amount_incl_tax"], 95_920);
    let op = operator(&app).await;
    let unpaid: Value = op
        .get("/operator/invoices?status=unpaid")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unpaid.as_array().unwrap().len(), 1);

    // The customer cannot confirm its own transfer.
    let url = format!("/operator/invoices/{number}/confirm-payment");
    expect_problem(
        client
            .post(
                &url,
                &json!({ "amount": 95_920, "method": "bank_transfer" }),
            )
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let p = expect_problem(
        op.post(
            &url,
            &json!({ "amount": 95_000, "method": "bank_transfer" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "amount").as_deref(), Some("amount_mismatch"));
    let reg: Value = client.get("/registrations").await.json().await.unwrap();
    assert_eq!(reg[0]["state"], "awaiting_payment", "nothing changed");
    expect_problem(
        op.post(&url, &json!({ "amount": 95_920, "method": "cash" }))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;

    let res = op
        .post(
            &url,
            &json!({ "amount": 95_920, "method": "bank_transfer" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let reg: Value = client.get("/registrations").await.json().await.unwrap();
    assert_eq!(reg[0]["state"], "registered");
    assert_eq!(reg[0]["contract_years"], 2);
    expect_problem(
        op.post(
            &url,
            &json!({ "amount": 95_920, "method": "bank_transfer" }),
        )
        .await,
        StatusCode::CONFLICT,
        "already-paid",
    )
    .await;
    expect_problem(
        op.post(
            "/operator/invoices/BILL9999999999/confirm-payment",
            &json!({ "amount": 1, "method": "bank_transfer" }),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
}

/// R-BILL-3: bank statement import, each row matched on number and amount, nothing applied twice.
#[tokio::test]
async fn bank_statement_import_reports_every_row() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "csv@example.jp").await;
    let a = register(&client, &order("a-shop.jp", "dv", 1, "bank_transfer")).await["invoice"]
        ["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = register(&client, &order("b-shop.jp", "dv", 1, "bank_transfer")).await["invoice"]
        ["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let op = operator(&app).await;
    let csv = format!(
        "date,invoice_number,amount,payer\n2026-11-25,{a},\"¥11,990\",ヤマダ タロウ\n2026-11-25,{b},11000,ヤマダ\n\
         2026-11-25,BILL0000009999,11990,ダレカ\n2026-11-26,{a},11990,ヤマダ\n2026-11-26,,100,x\n"
    );
    let post = |body: String| {
        let http = op.http.clone();
        let url = format!("{}/api/v1/operator/bank-statements", app.base);
        let csrf = op.cookie("csrf_token").unwrap();
        async move {
            http.post(url)
                .header("content-type", "text/csv")
                .header("X-CSRF-Token", csrf)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = post(csv.clone()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let result: Value = res.json().await.unwrap();
    let outcomes: Vec<&str> = result["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "applied",
            "amount_mismatch",
            "unknown_invoice",
            "duplicate_in_file",
            "invalid_row"
        ]
    );
    assert_eq!(result["applied"], 1);
    assert_eq!(result["rows"][1]["line"], 3);
    // Importing the same file again applies nothing.
    let again: Value = post(csv).await.json().await.unwrap();
    assert_eq!(again["applied"], 0);
    assert_eq!(again["rows"][0]["outcome"], "already_paid");
    let regs: Value = client.get("/registrations").await.json().await.unwrap();
    let states: Vec<&str> = regs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["awaiting_payment", "registered"]);
    let p = expect_problem(
        post("invoice,sum\nx,1\n".into()).await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "body").as_deref(), Some("missing_columns"));
}

/// R-ALL-1: each bad registration names its field and changes nothing.
#[tokio::test]
async fn bad_registrations_change_nothing() {
    let app = spawn_app().await;
    let (early, _) = app.customer("early@example.jp").await;
    let p = expect_problem(
        early
            .post("/registrations", &order("example.jp", "dv", 1, "card"))
            .await,
        StatusCode::CONFLICT,
        "acme-application-required",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("ACME"));

    let (client, _, _) = applied_customer(&app, "bad-reg@example.jp").await;
    let reasons = [
        ("", "required"),
        ("example..jp", "empty_label"),
        (&format!("{}.jp", "a".repeat(64)), "label_too_long"),
        (
            &format!("{}.jp", vec!["a".repeat(60); 5].join(".")),
            "name_too_long",
        ),
        ("-bad.jp", "bad_hyphen"),
        ("192.0.2.1", "ip_address"),
        ("localhost", "single_label"),
        ("co.jp", "public_suffix"),
        ("www.*.example.jp", "misplaced_wildcard"),
        ("*.example.jp", "wildcard_needs_type"),
    ];
    for (fqdn, code) in reasons {
        let p = expect_problem(
            client
                .post("/registrations", &order(fqdn, "dv", 1, "card"))
                .await,
            StatusCode::BAD_REQUEST,
            "validation",
        )
        .await;
        assert_eq!(field_code(&p, "fqdn").as_deref(), Some(code), "{fqdn}: {p}");
    }
    let mut no_terms = order("example.jp", "dv", 1, "card");
    no_terms["agree_terms"] = json!(false);
    let p = expect_problem(
        client.post("/registrations", &no_terms).await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "agree_terms").as_deref(), Some("must_agree"));
    let p = expect_problem(
        client
            .post("/registrations", &order("example.jp", "dv", 3, "card"))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(
        field_code(&p, "period_years").as_deref(),
        Some("unknown_period")
    );
    assert!(p["errors"][0]["reason"].as_str().unwrap().contains("1, 2"));
    let p = expect_problem(
        client
            .post("/registrations", &order("example.jp", "ov", 1, "cash"))
            .await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert_eq!(field_code(&p, "type").as_deref(), Some("unknown_type"));
    assert_eq!(
        field_code(&p, "payment_method").as_deref(),
        Some("unknown_payment_method")
    );
    assert_eq!(app.count("registrations").await, 0);
    assert_eq!(app.count("invoices").await, 0);
}

/// R-FQDN-4: one live registration per name; another customer is refused without being named.
#[tokio::test]
async fn a_name_held_by_another_customer_is_refused_anonymously() {
    let app = spawn_app().await;
    let (holder, holder_id, _) = applied_customer(&app, "holder@example.jp").await;
    register(&holder, &order("shop.example.jp", "dv", 1, "card")).await;
    let (other, _, _) = applied_customer(&app, "other@example.jp").await;
    let res = other
        .post(
            "/registrations",
            &order("SHOP.example.jp.", "dv", 1, "card"),
        )
        .await;
    let p = expect_problem(res, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(field_code(&p, "fqdn").as_deref(), Some("taken"));
    let text = p.to_string();
    assert!(
        !text.contains(&holder_id) && !text.contains("holder@"),
        "{text}"
    );
    let check: Value = other
        .post(
            "/fqdn/check",
            &json!({ "fqdn": "shop.example.jp", "type": "dv" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(check["available"], false);
    assert_eq!(check["errors"][0]["code"], "taken");
    assert_eq!(app.count("registrations").await, 1);
    // The holder waiting for payment gets a clear message instead.
    let p = expect_problem(
        holder
            .post("/registrations", &order("shop.example.jp", "dv", 1, "card"))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(field_code(&p, "fqdn").as_deref(), Some("awaiting_payment"));
}

#[tokio::test]
async fn fqdn_check_is_the_server_twin_of_the_preview() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "check@example.jp").await;
    let check: Value = client
        .post("/fqdn/check", &json!({ "fqdn": "例え.jp", "type": "dv" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(check["ascii"], "xn--r8jz45g.jp");
    assert_eq!(check["coverage_unicode"], json!(["例え.jp", "www.例え.jp"]));
    assert_eq!(check["valid"], true);
    assert_eq!(check["available"], true);
    let bad: Value = client
        .post("/fqdn/check", &json!({ "fqdn": "co.jp", "type": "dv" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bad["valid"], false);
    assert_eq!(bad["errors"][0]["code"], "public_suffix");
}

/// R-BILL-4 and R-FQDN-6: the scheduler cancels unpaid registrations and lapses unissued ones.
#[tokio::test]
async fn due_dates_cancel_and_deadlines_lapse() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "late@example.jp").await;
    register(&client, &order("unpaid.jp", "dv", 1, "bank_transfer")).await;
    let paid = register(&client, &order("paid.jp", "dv", 1, "card")).await;
    let number = paid["invoice"]["number"].as_str().unwrap();
    assert_eq!(
        client
            .post(&format!("/invoices/{number}/pay"), &card(CARD_OK))
            .await
            .status(),
        StatusCode::OK
    );

    // Due 2026-12-08 23:59:59 JST: a second before, nothing happens; a second after, cancelled.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-12-08T23:59:58+09:00")
            .unwrap()
            .to_utc(),
    );
    assert_eq!(
        certdirect::jobs::billing_pass(&app.state).await.unwrap(),
        Default::default()
    );
    app.clock.advance(Duration::seconds(2));
    let pass = certdirect::jobs::billing_pass(&app.state).await.unwrap();
    assert_eq!((pass.cancelled, pass.lapsed), (1, 0));
    let client = app.login("late@example.jp").await;
    let regs: Value = client.get("/registrations").await.json().await.unwrap();
    let state_of = |fqdn: &str| {
        regs.as_array()
            .unwrap()
            .iter()
            .find(|r| r["fqdn"] == fqdn)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state_of("unpaid.jp"), "cancelled");
    assert_eq!(state_of("paid.jp"), "registered");
    let invoices: Value = client.get("/invoices").await.json().await.unwrap();
    assert!(invoices
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["status"] == "void"));
    let (_, subject, _) = app.emails().await.pop().unwrap();
    assert!(subject.contains("キャンセル"), "{subject}");
    // The cancelled name is free again.
    let (someone, _, _) = applied_customer(&app, "next@example.jp").await;
    register(&someone, &order("unpaid.jp", "dv", 1, "card")).await;

    // Past the issuance deadline without a certificate: lapsed, and no refund.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2027-12-01T00:00:00+09:00")
            .unwrap()
            .to_utc(),
    );
    let pass = certdirect::jobs::billing_pass(&app.state).await.unwrap();
    assert_eq!(pass.lapsed, 1);
    let client = app.login("late@example.jp").await;
    let regs: Value = client.get("/registrations").await.json().await.unwrap();
    assert_eq!(
        regs.as_array()
            .unwrap()
            .iter()
            .find(|r| r["fqdn"] == "paid.jp")
            .unwrap()["state"],
        "lapsed"
    );

    // Every transition is timestamped.
    use sea_orm::{ConnectionTrait, Statement};
    let db = &app.state.db;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT to_state FROM registration_events ORDER BY id",
        ))
        .await
        .unwrap();
    let states: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("", "to_state").unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "awaiting_payment",
            "awaiting_payment",
            "registered",
            "cancelled",
            "awaiting_payment",
            "cancelled",
            "lapsed"
        ]
    );
}

/// R-FQDN-8: buying a held name again renews it; R-BILL-5: refunds before issuance.
#[tokio::test]
async fn renewal_and_refund() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "renew@example.jp").await;
    let first = register(&client, &order("renew.jp", "dv", 1, "card")).await;
    let n1 = first["invoice"]["number"].as_str().unwrap().to_owned();
    client
        .post(&format!("/invoices/{n1}/pay"), &card(CARD_OK))
        .await;
    let p = expect_problem(
        client
            .post(
                "/registrations",
                &order("*.renew.jp", "dv_wildcard", 1, "card"),
            )
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(field_code(&p, "type").as_deref(), Some("type_mismatch"));
    let second = register(&client, &order("renew.jp", "dv", 2, "card")).await;
    assert_eq!(second["renewal"], true);
    assert_eq!(second["registration"]["id"], first["registration"]["id"]);
    assert_eq!(second["invoice"]["kind"], "renewal");
    assert_eq!(
        second["invoice"]["amount_incl_tax"], 23_980,
        "renewal costs the same as a first purchase"
    );
    let n2 = second["invoice"]["number"].as_str().unwrap().to_owned();
    assert!(n2 > n1, "invoice numbers are sequential");
    client
        .post(&format!("/invoices/{n2}/pay"), &card(CARD_OK))
        .await;
    let reg: Value = client
        .get(&format!("/registrations/{}", first["registration"]["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reg["contract_years"], 3);
    assert_eq!(reg["state"], "registered");

    let op = operator(&app).await;
    let res = op
        .post(&format!("/operator/invoices/{n2}/refund"), &json!({}))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let reg: Value = client
        .get(&format!("/registrations/{}", first["registration"]["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reg["contract_years"], 1);
    let res = op
        .post(&format!("/operator/invoices/{n1}/refund"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let reg: Value = client
        .get(&format!("/registrations/{}", first["registration"]["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reg["state"], "cancelled");
    expect_problem(
        op.post(&format!("/operator/invoices/{n1}/refund"), &json!({}))
            .await,
        StatusCode::CONFLICT,
        "not-refundable",
    )
    .await;
}

/// R-CUS-2: another customer's invoices and registrations are simply not found.
#[tokio::test]
async fn invoices_and_registrations_are_private() {
    let app = spawn_app().await;
    let (a, _, _) = applied_customer(&app, "a@example.jp").await;
    let created = register(&a, &order("private.jp", "dv", 1, "card")).await;
    let number = created["invoice"]["number"].as_str().unwrap();
    let (b, _) = app.customer("b@example.jp").await;
    expect_problem(
        b.get(&format!("/invoices/{number}")).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    expect_problem(
        b.post(&format!("/invoices/{number}/pay"), &card(CARD_OK))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    expect_problem(
        b.get(&format!("/registrations/{}", created["registration"]["id"]))
            .await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    assert_eq!(
        b.get("/invoices").await.json::<Value>().await.unwrap(),
        json!([])
    );
}
