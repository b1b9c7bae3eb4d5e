//! Early-renewal campaigns (R-ACME-8): an operator previews and runs a campaign, the chosen
//! certificates' renewal window moves to now (RFC 9773), their customers are emailed, the run is
//! audited, and the campaign counts the certificates replaced since.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::ari::{cert_id, replace_order};
use crate::orders::env;

#[tokio::test]
async fn a_campaign_moves_the_window_emails_the_customer_and_counts_replacements() {
    let e = env().await;
    e.buy("early.example.jp", "dv").await;
    e.buy("other.example.jp", "dv").await;
    let (_, chain) = e.issue_http(&["early.example.jp"]).await;
    let (_, other_chain) = e.issue_http(&["other.example.jp"]).await;
    let (id, serial) = cert_id(&chain);
    let (other_id, _) = cert_id(&other_chain);
    let op = crate::acme::operator(&e.app).await;

    // Preview by registered name: one certificate of one customer, nothing moved yet.
    let request = json!({
        "selection": { "fqdn": "early.example.jp" },
        "reason": "鍵の生成に不備があったため / a key generation flaw",
        "renew_by": "2099-01-31",
    });
    let res = op
        .post("/operator/renewal-campaigns/preview", &request)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["certificates"], 1, "{preview}");
    assert_eq!(
        preview["customers"][0]["email"], "acme@example.jp",
        "{preview}"
    );
    let window = crate::ari::window(&e, &id).await;
    assert!(window.1 > e.app.clock_now(), "not moved by a preview");

    // Run it.
    let res = op.post("/operator/renewal-campaigns", &request).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let campaign: Value = res.json().await.unwrap();
    assert_eq!(campaign["certificates"], 1);
    assert_eq!(campaign["customers"], 1);
    assert_eq!(campaign["replaced"], 0);

    // The window is now (wholly past: renew at the next check); the other certificate is untouched.
    let (start, end) = crate::ari::window(&e, &id).await;
    assert!(start < end && end <= e.app.clock_now(), "{start} {end}");
    assert!(crate::ari::window(&e, &other_id).await.1 > e.app.clock_now());
    let info: Value = e
        .portal
        .get(&format!("/certificates/{serial}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(info["renewal_reason"]
        .as_str()
        .unwrap()
        .contains("key generation flaw"));

    // The customer is told why and by when, in both languages.
    let mail = e
        .app
        .emails()
        .await
        .into_iter()
        .find(|(to, subject, _)| to == "acme@example.jp" && subject.contains("早期更新"))
        .expect("the early-renewal email");
    assert!(mail.2.contains("鍵の生成に不備があったため"), "{}", mail.2);
    assert!(mail.2.contains("2099"), "{}", mail.2);
    assert!(mail.2.contains(&serial), "{}", mail.2);
    assert!(mail.2.contains("Please renew"), "{}", mail.2);

    // The client renews with replaces: the campaign counts it.
    let order = replace_order(&e, &["early.example.jp"], &id).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let (done, _) = e.finalize(&order.body, &["early.example.jp"]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let list: Value = op
        .get("/operator/renewal-campaigns")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], campaign["id"]);
    assert_eq!(list[0]["replaced"], 1, "{list}");

    // Audited.
    use sea_orm::EntityTrait;
    let audited: i64 = certdirect::store::entity::audit_log::Entity::find()
        .all(&e.app.state.db)
        .await
        .unwrap()
        .iter()
        .filter(|a| a.action == "renewal_campaign.run")
        .count() as i64;
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn campaign_requests_name_the_field_that_is_wrong() {
    let e = env().await;
    let op = crate::acme::operator(&e.app).await;
    for (body, field) in [
        (json!({ "selection": {}, "reason": "x" }), "selection"),
        (
            json!({ "selection": { "serials": ["xyz"] }, "reason": "x" }),
            "selection.serials",
        ),
        (
            json!({ "selection": { "customer_id": "C00000001" }, "reason": " " }),
            "reason",
        ),
        (
            json!({ "selection": { "customer_id": "C00000001" }, "reason": "x", "renew_by": "2000-01-01" }),
            "renew_by",
        ),
        // Valid, but nothing matches: refused rather than an empty campaign.
        (
            json!({ "selection": { "customer_id": "C99999999" }, "reason": "x" }),
            "selection",
        ),
    ] {
        let res = op.post("/operator/renewal-campaigns", &body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    // Customers cannot run campaigns.
    let res = e
        .portal
        .post(
            "/operator/renewal-campaigns",
            &json!({ "selection": { "fqdn": "x.jp" }, "reason": "x" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
