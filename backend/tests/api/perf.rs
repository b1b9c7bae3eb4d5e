//! The ACME path's cost does not grow with the customer (R-ACME-12): a fixed number of
//! statements per request whatever the portfolio, and every hot query served by an index.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryTrait, Statement};

use crate::helpers::TestApp;
use crate::orders::env;

/// The most statements one request of each ACME route may run (docs/architecture.md).
const BUDGET: &[(&str, f64)] = &[
    ("/acme/new-order", 11.0),
    ("/acme/authz/{id}", 4.0),
    ("/acme/chall/{id}", 6.0),
    ("/acme/order/{id}/finalize", 20.0),
    ("/acme/cert/{id}", 3.0),
];

/// (route → (sum, count)) of `certdirect_db_statements_per_request` from `/metrics`.
async fn statement_stats(app: &TestApp) -> BTreeMap<String, (f64, f64)> {
    let text = reqwest::get(format!("{}/metrics", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut out: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for line in text.lines() {
        for (suffix, sum) in [("_sum{", true), ("_count{", false)] {
            let Some(rest) =
                line.strip_prefix(&format!("certdirect_db_statements_per_request{suffix}"))
            else {
                continue;
            };
            let route = rest
                .split("route=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap();
            let value: f64 = rest.rsplit(' ').next().unwrap().parse().unwrap();
            let e = out.entry(route.to_owned()).or_default();
            if sum {
                e.0 += value;
            } else {
                e.1 += value;
            }
        }
    }
    out
}

/// Statements per request of each route between two snapshots.
fn per_request(
    before: &BTreeMap<String, (f64, f64)>,
    after: &BTreeMap<String, (f64, f64)>,
) -> BTreeMap<String, f64> {
    after
        .iter()
        .filter_map(|(route, (sum, count))| {
            let (s0, c0) = before.get(route).copied().unwrap_or_default();
            (count - c0 > 0.0).then(|| (route.clone(), (sum - s0) / (count - c0)))
        })
        .collect()
}

/// R-ACME-12: a full http-01 order costs the same statements per request for a customer with
/// 2 names and for one with 150 more, and stays within the documented budget.
#[tokio::test]
async fn acme_requests_cost_the_same_for_any_portfolio() {
    let e = env().await;
    e.buy("first.jp", "dv").await;
    let before = statement_stats(&e.app).await;
    e.issue_http(&["first.jp"]).await;
    let small = per_request(&before, &statement_stats(&e.app).await);
    for i in 0..150 {
        e.buy(&format!("portfolio{i}.jp"), "dv").await;
    }
    e.buy("last.jp", "dv").await;
    let before = statement_stats(&e.app).await;
    e.issue_http(&["last.jp"]).await;
    let large = per_request(&before, &statement_stats(&e.app).await);
    println!("route: statements per request with 1 name / with 152 names");
    for (route, budget) in BUDGET {
        let (s, l) = (small[*route], large[*route]);
        println!("{route}: {s:.1} / {l:.1} (budget {budget})");
        assert_eq!(s, l, "{route} costs more for a larger customer");
        assert!(
            l <= *budget,
            "{route} runs {l} statements, over its budget {budget}"
        );
    }
}

/// The plan of `stmt`: SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's EXPLAIN with sequential
/// scans discouraged (tiny test tables would otherwise always be scanned).
async fn plan(db: &DatabaseConnection, stmt: Statement) -> String {
    let values = stmt.values.map(|v| v.0).unwrap_or_default();
    match db.get_database_backend() {
        DbBackend::Postgres => {
            use sea_orm::TransactionTrait;
            let txn = db.begin().await.unwrap();
            txn.execute_unprepared("SET LOCAL enable_seqscan = off")
                .await
                .unwrap();
            let rows = txn
                .query_all(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    format!("EXPLAIN {}", stmt.sql),
                    values,
                ))
                .await
                .unwrap();
            rows.iter()
                .map(|r| r.try_get::<String>("", "QUERY PLAN").unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        }
        backend => {
            let rows = db
                .query_all(Statement::from_sql_and_values(
                    backend,
                    format!("EXPLAIN QUERY PLAN {}", stmt.sql),
                    values,
                ))
                .await
                .unwrap();
            rows.iter()
                .map(|r| r.try_get::<String>("", "detail").unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

/// R-ACME-12: every query on the ACME hot path is answered from an index, on SQLite and on
/// PostgreSQL, never by scanning a table.
#[tokio::test]
async fn hot_path_queries_use_their_indexes() {
    use certdirect::orders::store;
    let app = crate::helpers::spawn_app().await;
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let now = chrono::Utc::now();
    let names = vec!["www.shop.example.jp".to_owned(), "*.example.jp".to_owned()];
    let cases: Vec<(&str, Statement, &str)> = vec![
        (
            "candidate registrations",
            store::candidate_registrations_query(1, &names).build(backend),
            "idx_registrations_customer_fqdn",
        ),
        (
            "reusable authorizations",
            store::reusable_authorizations_query(1, ["example.jp"], now).build(backend),
            "idx_acme_authorizations_account_identifier",
        ),
        (
            "an order's authorizations",
            store::order_authorizations_query(1).build(backend),
            "acme_order_authorizations",
        ),
        (
            "an authorization's challenges",
            store::challenges_query(1).build(backend),
            "idx_acme_challenges_authorization",
        ),
        (
            "an account's orders",
            store::account_order_ids_query(1, 1000).build(backend),
            "idx_acme_orders_account",
        ),
        (
            "the webhook outbox of an event",
            backend.build(
                &certdirect::webhooks::emit_statement(
                    1,
                    shared::dto::WebhookEventType::CertificateIssued,
                    serde_json::json!({}),
                    now,
                )
                .unwrap(),
            ),
            "ix_webhook_endpoints_customer",
        ),
    ];
    for (what, stmt, index) in cases {
        let sql = stmt.sql.clone();
        let plan = plan(db, stmt).await;
        println!("{what}:\n{plan}\n");
        assert!(
            plan.contains(index),
            "{what} does not use {index}: {sql}\n{plan}"
        );
        let scans = match backend {
            DbBackend::Postgres => plan.contains("Seq Scan"),
            _ => plan.lines().any(|l| l.trim_start().starts_with("SCAN ")),
        };
        assert!(!scans, "{what} scans a table: {sql}\n{plan}");
    }
}

/// R-ACME-12: the portal's lists come a page at a time, newest first, with the next page in
/// `Link: rel="next"`; a bad `limit` or `cursor` is refused naming the field.
#[tokio::test]
async fn lists_are_paged_with_a_next_link() {
    let e = env().await;
    for name in ["page-a.jp", "page-b.jp", "page-c.jp"] {
        e.buy(name, "dv").await;
    }
    for path in ["/registrations", "/invoices"] {
        let first = e.portal.get(&format!("{path}?limit=2")).await;
        assert_eq!(first.status(), 200);
        let link = first.headers()["link"].to_str().unwrap().to_owned();
        assert!(link.ends_with("; rel=\"next\""), "{link}");
        let items: Vec<serde_json::Value> = first.json().await.unwrap();
        assert_eq!(items.len(), 2);
        let next = link
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap()
            .strip_prefix("/api/v1")
            .unwrap()
            .to_owned();
        let second = e.portal.get(&next).await;
        assert!(second.headers().get("link").is_none());
        let rest: Vec<serde_json::Value> = second.json().await.unwrap();
        assert_eq!(rest.len(), 1);
        let all: Vec<serde_json::Value> = e.portal.get(path).await.json().await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(
            [items, rest].concat(),
            all,
            "{path}: pages join to the whole, newest first"
        );
    }
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("cursor=xyz", "cursor"),
    ] {
        let p = crate::helpers::expect_problem(
            e.portal.get(&format!("/registrations?{query}")).await,
            reqwest::StatusCode::BAD_REQUEST,
            "validation",
        )
        .await;
        assert!(
            crate::helpers::field_code(&p, field).is_some(),
            "{query}: {p}"
        );
    }
}
