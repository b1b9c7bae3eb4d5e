//! Printable invoices and receipts (R-BILL-6): the qualified invoice's facts, the bank details
//! while a transfer is awaited, the receipt once paid.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::acme::{applied_customer, operator};
use crate::helpers::*;
use crate::support::invoice_of;

const BANK: &str = "テスト銀行 本店 普通 7654321 サーテイダイレクト(カ";

/// R-BILL-6: registration number, tax per rate, bank details only while the transfer is
/// awaited (in the document, the invoice and the email), the receipt after payment.
#[tokio::test]
async fn invoice_documents_carry_the_qualified_invoice_facts() {
    let app = spawn_app_with(&[
        ("CERTDIRECT_INVOICE_REGISTRATION_NUMBER", "T8010001000001"),
        (
            "CERTDIRECT_INVOICE_ISSUER_NAME",
            "サーテイダイレクト株式会社",
        ),
        ("CERTDIRECT_INVOICE_ISSUER_ADDRESS", "東京都千代田区1-1-1"),
        ("CERTDIRECT_BANK_ACCOUNT", BANK),
    ])
    .await;
    let (client, customer_id, _) = applied_customer(&app, "print@example.jp").await;
    let number = invoice_of(&client, "print.example.jp").await;

    // The invoice email prints the transfer details and the registration number.
    let (_, _, body) = app
        .emails()
        .await
        .into_iter()
        .rev()
        .find(|(_, s, _)| s.contains("ご請求"))
        .unwrap();
    assert!(body.contains(&format!("お振込先: {BANK}")), "{body}");
    assert!(body.contains("T8010001000001"), "{body}");

    let inv: Value = client
        .get(&format!("/invoices/{number}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inv["bank_account"], BANK);
    let listed: Value = client.get("/invoices").await.json().await.unwrap();
    assert_eq!(listed[0]["bank_account"], BANK);

    let doc: Value = client
        .get(&format!("/invoices/{number}/document"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["issuer"]["registration_number"], "T8010001000001",
        "{doc}"
    );
    assert_eq!(doc["issuer"]["name"], "サーテイダイレクト株式会社");
    assert_eq!(doc["issuer"]["address"], "東京都千代田区1-1-1");
    assert_eq!(doc["customer_name"], "山田 太郎");
    assert_eq!(doc["invoice"]["customer_id"], customer_id.as_str());
    assert_eq!(
        doc["lines"][0]["description"],
        "DV証明書 print.example.jp 1年"
    );
    assert_eq!(doc["lines"][0]["tax_rate_percent"], 10);
    assert_eq!(doc["lines"][0]["amount_excl_tax"], 10_900);
    assert_eq!(
        doc["tax_totals"],
        json!([{ "rate_percent": 10, "amount_excl_tax": 10_900, "tax": 1_090 }])
    );
    assert_eq!(doc["bank_account"], BANK);
    assert_eq!(doc["receipt"], Value::Null);

    // Not another customer's; operators read any.
    let (stranger, _) = app.customer("nosy@example.jp").await;
    expect_problem(
        stranger.get(&format!("/invoices/{number}/document")).await,
        StatusCode::NOT_FOUND,
        "not-found",
    )
    .await;
    let op = operator(&app).await;
    let res = op
        .post(
            &format!("/operator/invoices/{number}/confirm-payment"),
            &json!({ "amount": 11_990, "method": "bank_transfer" }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let doc: Value = op
        .get(&format!("/operator/invoices/{number}/document"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["bank_account"], Value::Null, "{doc}");
    assert_eq!(doc["invoice"]["bank_account"], Value::Null);
    assert_eq!(doc["receipt"]["method"], "bank_transfer");
    assert_eq!(doc["receipt"]["amount_incl_tax"], 11_990);
    assert!(doc["receipt"]["paid_at"].as_str().unwrap().ends_with('Z'));
    let mine: Value = client
        .get(&format!("/invoices/{number}/document"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine, doc);
}

/// A card invoice never shows bank details.
#[tokio::test]
async fn invoice_documents_of_card_invoices_have_no_bank_details() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "card@example.jp").await;
    let res = client
        .post(
            "/registrations",
            &json!({ "fqdn": "card.example.jp", "type": "dv", "period_years": 2, "payment_method": "card", "agree_terms": true }),
        )
        .await;
    let created: Value = res.json().await.unwrap();
    let number = created["invoice"]["number"].as_str().unwrap();
    assert_eq!(created["invoice"]["bank_account"], Value::Null);
    let doc: Value = client
        .get(&format!("/invoices/{number}/document"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["bank_account"], Value::Null);
    assert_eq!(
        doc["lines"][0]["description"],
        "DV証明書 card.example.jp 2年"
    );
    let (_, _, body) = app
        .emails()
        .await
        .into_iter()
        .rev()
        .find(|(_, s, _)| s.contains("ご請求"))
        .unwrap();
    assert!(!body.contains("お振込先"), "{body}");
}
