//! Reminder emails (R-SUP-3): each sent once in the customer's language, however often and from
//! however many processes the pass runs.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use certdirect::store::entity::{acme_account, eab_credential, registration};

use crate::acme::applied_customer;
use crate::helpers::*;

fn customer_row_id(customer_id: &str) -> i64 {
    customer_id.trim_start_matches('C').parse().unwrap()
}

fn reminders_to<'a>(
    emails: &'a [(String, String, String)],
    to: &str,
    needle: &str,
) -> Vec<&'a (String, String, String)> {
    emails
        .iter()
        .filter(|(rcpt, subject, _)| rcpt == to && subject.contains(needle))
        .collect()
}

/// R-SUP-3: a registration still `registered` is reminded 60, 30 and 7 days before its
/// deadline, each once; a worker that was down past two thresholds sends only the nearer one.
#[tokio::test]
async fn reminders_before_the_deadline_are_sent_once_each() {
    let app = spawn_app().await;
    let (client, _, _) = applied_customer(&app, "late@example.jp").await;
    let res = client
        .patch("/me", &serde_json::json!({ "locale": "en" }))
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let res = client
        .post(
            "/registrations",
            &json!({ "fqdn": "late.example.jp", "type": "dv", "period_years": 1, "payment_method": "card", "agree_terms": true }),
        )
        .await;
    let created: serde_json::Value = res.json().await.unwrap();
    let number = created["invoice"]["number"].as_str().unwrap();
    let res = client
        .post(
            &format!("/invoices/{number}/pay"),
            &json!({ "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123" }),
        )
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let reg = registration::Entity::find_by_id(created["registration"]["id"].as_i64().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let deadline: DateTime<Utc> = reg.deadline.unwrap();
    let state = &app.state;
    let deadlines = || certdirect::reminders::registration_deadlines(state);

    // 61 days before: nothing yet.
    app.clock.set(deadline - Duration::days(61));
    assert_eq!(deadlines().await.unwrap(), 0);
    // The worker was down through the 60-day mark: at 29 days only the 30-day reminder goes.
    app.clock.set(deadline - Duration::days(29));
    assert_eq!(deadlines().await.unwrap(), 1);
    assert_eq!(
        deadlines().await.unwrap(),
        0,
        "the pass runs twice, the email goes once"
    );
    let emails = app.emails().await;
    let sent = reminders_to(&emails, "late@example.jp", "days left");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].1.contains("30 days left"), "{}", sent[0].1);
    assert!(
        sent[0].2.starts_with("Dear "),
        "English first: {}",
        sent[0].2
    );
    assert!(sent[0].2.contains("2027-11-30 23:59 JST"), "{}", sent[0].2);
    // Later passes never send the 60-day one.
    app.clock.set(deadline - Duration::days(20));
    assert_eq!(deadlines().await.unwrap(), 0);

    // Two processes at once at the 7-day mark: one email.
    app.clock.set(deadline - Duration::days(6));
    let (a, b) = tokio::join!(deadlines(), deadlines());
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(
        certdirect::reminders::run(state).await.unwrap().deadlines,
        0
    );
    let emails = app.emails().await;
    let sent = reminders_to(&emails, "late@example.jp", "days left");
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent[1].1.contains("7 days left"), "{}", sent[1].1);
    assert_eq!(app.count("reminders_sent").await, 2);

    // Past the deadline: nothing more.
    app.clock.set(deadline + Duration::hours(1));
    assert_eq!(deadlines().await.unwrap(), 0);
}

/// R-SUP-3: EAB credentials about to expire (3 days) with no ACME account bound are reminded
/// once; a customer whose EAB has bound an account is not.
#[tokio::test]
async fn reminders_for_unbound_eab_only_once_even_concurrently() {
    let app = spawn_app().await;
    let (_, unbound_id, _) = applied_customer(&app, "unbound@example.jp").await;
    let (_, bound_id, _) = applied_customer(&app, "bound@example.jp").await;
    let db = &app.state.db;
    let eab_of = |id: i64| async move {
        eab_credential::Entity::find()
            .filter(eab_credential::Column::CustomerId.eq(id))
            .one(db)
            .await
            .unwrap()
            .unwrap()
    };
    let bound_eab = eab_of(customer_row_id(&bound_id)).await;
    let unbound_eab = eab_of(customer_row_id(&unbound_id)).await;
    let now = app.clock_now();
    acme_account::ActiveModel {
        customer_id: Set(customer_row_id(&bound_id)),
        eab_id: Set(bound_eab.id),
        key_thumbprint: Set("reminder-test-thumbprint".into()),
        jwk: Set("{}".into()),
        contact: Set("[]".into()),
        status: Set(acme_account::STATUS_VALID.into()),
        created_at: Set(now),
        updated_at: Set(now),
        remote_addr: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();

    let state = &app.state;
    let eab = || certdirect::reminders::eab_expiries(state);
    // Four days before expiry: too early.
    app.clock.set(unbound_eab.expires_at - Duration::days(4));
    assert_eq!(eab().await.unwrap(), 0);
    // Within three days: two passes at once send one email, to the unbound customer only.
    app.clock.set(unbound_eab.expires_at - Duration::days(2));
    let (a, b) = tokio::join!(eab(), eab());
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(eab().await.unwrap(), 0);
    let emails = app.emails().await;
    let sent = reminders_to(&emails, "unbound@example.jp", "EAB");
    let reminders: Vec<_> = sent
        .iter()
        .filter(|(_, s, _)| s.contains("有効期限"))
        .collect();
    assert_eq!(reminders.len(), 1, "{sent:?}");
    assert!(
        reminders[0].2.contains(&unbound_eab.key_id),
        "{}",
        reminders[0].2
    );
    assert!(
        reminders_to(&emails, "bound@example.jp", "有効期限").is_empty(),
        "an EAB with an account bound is not reminded"
    );
    // Expired: nothing.
    app.clock.set(unbound_eab.expires_at + Duration::hours(1));
    assert_eq!(eab().await.unwrap(), 0);
}
