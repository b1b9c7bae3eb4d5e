//! Every list of the REST API is paged the same way (R-ACME-12, docs/api.md "Paging"): `limit`,
//! an opaque `cursor`, the next page in `Link: rel="next"` with the request's filters kept, and
//! filters by state and name where they matter. Each list is walked here with more items than
//! one page, and the pages must join to exactly the unpaged list.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::acme::operator;
use crate::helpers::{expect_problem, field_code, Client};
use crate::jose::Signer;
use crate::orders::{env, env_with};

/// The path of a `Link: <…>; rel="next"` header, without the `/api/v1` prefix the client adds.
fn next_of(res: &reqwest::Response) -> Option<String> {
    let link = res.headers().get("link")?.to_str().unwrap();
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    let url = link.trim_start_matches('<').split('>').next().unwrap();
    Some(url.strip_prefix("/api/v1").unwrap().to_owned())
}

/// Follows `Link: rel="next"` from `first` to the end; every page has at most `limit` items and
/// every next URL keeps `keep` (the filters). Returns all items and the number of pages.
async fn walk(client: &Client, first: &str, limit: usize, keep: &[&str]) -> (Vec<Value>, usize) {
    let mut url = Some(first.to_owned());
    let (mut items, mut pages) = (Vec::new(), 0);
    while let Some(u) = url {
        let res = client.get(&u).await;
        assert_eq!(res.status(), StatusCode::OK, "{u}");
        url = next_of(&res);
        if let Some(next) = &url {
            for k in keep {
                assert!(next.contains(k), "{next} lost {k}");
            }
        }
        let page: Vec<Value> = res.json().await.unwrap();
        assert!(page.len() <= limit, "{u}: {} items", page.len());
        assert!(
            !page.is_empty() || pages == 0,
            "{u}: an empty page after a next link"
        );
        items.extend(page);
        pages += 1;
        assert!(pages < 50, "{first}: the pages never end");
    }
    (items, pages)
}

/// `client`'s whole list in one page.
async fn whole(client: &Client, path: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let res = client.get(&format!("{path}{sep}limit=500")).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert!(next_of(&res).is_none(), "{path}");
    res.json().await.unwrap()
}

fn field<'a>(items: &'a [Value], key: &str) -> Vec<&'a str> {
    items.iter().map(|i| i[key].as_str().unwrap()).collect()
}

/// R-ACME-12: the customer's lists — registrations, invoices, certificates, ACME orders,
/// tokens, inquiries — come in pages that join to the whole list, newest first, with filters
/// by state and name carried into every next page.
#[tokio::test]
async fn every_customer_list_pages_and_filters() {
    let e = env_with(&[("CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE", "1")], true).await;
    // Three webhook endpoints (nothing listens on port 9: their deliveries stay queued, listed).
    let mut hooks = Vec::new();
    for n in 1..=3 {
        let res = e
            .portal
            .post(
                "/webhooks",
                &json!({ "url": format!("http://127.0.0.1:9/hook{n}"), "events": ["invoice.issued"], "description": "" }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        hooks.push(
            res.json::<Value>().await.unwrap()["endpoint"]["id"]
                .as_i64()
                .unwrap(),
        );
    }
    for name in ["a-shop.jp", "b-shop.jp", "c-blog.jp", "例え.jp"] {
        e.buy(name, "dv").await;
    }
    // One more, unpaid (bank transfer).
    crate::support::invoice_of(&e.portal, "d-shop.jp").await;
    e.issue_http(&["a-shop.jp"]).await;
    e.issue_http(&["b-shop.jp"]).await;
    // Two more ACME accounts bound with the same EAB credentials (R-EAB-3).
    let application: Value = e
        .portal
        .get("/acme-application")
        .await
        .json()
        .await
        .unwrap();
    let eab = &application["eab"];
    for _ in 0..2 {
        e.acme
            .new_account(
                &Signer::es256(),
                Some((
                    eab["key_id"].as_str().unwrap(),
                    eab["hmac_key"].as_str().unwrap(),
                )),
            )
            .await;
    }
    for n in 1..=3 {
        let res = e
            .portal
            .post(
                "/tokens",
                &json!({ "name": format!("token {n}"), "scopes": ["read"] }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = e
            .portal
            .post(
                "/inquiries",
                &json!({ "subject": format!("question {n}"), "domain": "a-shop.jp", "message": "How do I renew?" }),
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
    }

    for (path, limit, expected) in [
        ("/registrations", 2, 5),
        ("/invoices", 2, 5),
        ("/certificates", 1, 2),
        ("/acme-orders", 1, 2),
        ("/tokens", 2, 3),
        ("/inquiries", 2, 3),
        ("/acme-accounts", 2, 3),
        ("/webhooks", 2, 3),
    ] {
        let all = whole(&e.portal, path).await;
        assert_eq!(all.len(), expected, "{path}: {all:?}");
        let (paged, pages) = walk(&e.portal, &format!("{path}?limit={limit}"), limit, &[]).await;
        assert_eq!(paged, all, "{path}: the pages join to the whole list");
        assert_eq!(pages, expected.div_ceil(limit), "{path}");
        let ids: Vec<i64> = all
            .iter()
            .map(|i| i["id"].as_i64().unwrap_or_default())
            .collect();
        if ids.iter().all(|id| *id > 0) {
            assert!(
                ids.windows(2).all(|w| w[0] > w[1]),
                "{path}: newest first {ids:?}"
            );
        }
    }

    let deliveries = format!("/webhooks/{}/deliveries", hooks[0]);
    let all = whole(&e.portal, &deliveries).await;
    assert_eq!(all.len(), 5, "one invoice.issued per registration: {all:?}");
    let (paged, _) = walk(&e.portal, &format!("{deliveries}?limit=2"), 2, &[]).await;
    assert_eq!(paged.len(), 5);

    // Filters, walked one item a page so that the next links must carry them.
    let (active, _) = walk(
        &e.portal,
        "/registrations?state=active&limit=1",
        1,
        &["state=active"],
    )
    .await;
    assert_eq!(field(&active, "fqdn"), ["b-shop.jp", "a-shop.jp"]);
    let (shops, _) = walk(
        &e.portal,
        "/registrations?name=SHOP&limit=1",
        1,
        &["name=SHOP"],
    )
    .await;
    assert_eq!(
        field(&shops, "fqdn"),
        ["d-shop.jp", "b-shop.jp", "a-shop.jp"]
    );
    let (idn, _) = walk(
        &e.portal,
        "/registrations?name=%E4%BE%8B%E3%81%88.jp",
        1,
        &[],
    )
    .await;
    assert_eq!(
        field(&idn, "fqdn"),
        ["xn--r8jz45g.jp"],
        "a Japanese name finds its A-label"
    );
    let (both, _) = walk(
        &e.portal,
        "/registrations?state=awaiting_payment&name=shop&limit=1",
        1,
        &["state=awaiting_payment", "name=shop"],
    )
    .await;
    assert_eq!(field(&both, "fqdn"), ["d-shop.jp"]);
    let (unpaid, _) = walk(&e.portal, "/invoices?status=unpaid&limit=1", 1, &[]).await;
    assert_eq!(unpaid.len(), 1);
    let (paid, _) = walk(
        &e.portal,
        "/invoices?status=paid&limit=1",
        1,
        &["status=paid"],
    )
    .await;
    assert_eq!(paid.len(), 4);
    let (certs, _) = walk(&e.portal, "/certificates?name=a-shop&status=valid", 1, &[]).await;
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0]["names"], json!(["a-shop.jp"]));
    let (revoked, _) = walk(&e.portal, "/certificates?status=revoked", 1, &[]).await;
    assert!(revoked.is_empty());
    let (open, _) = walk(
        &e.portal,
        "/inquiries?status=open&limit=2",
        2,
        &["status=open"],
    )
    .await;
    assert_eq!(open.len(), 3);
    let (closed, _) = walk(&e.portal, "/inquiries?status=closed", 2, &[]).await;
    assert!(closed.is_empty());

    // A bad filter is refused naming it; so are a bad limit and a cursor of nothing.
    for (query, name) in [
        ("/registrations?state=paid", "state"),
        ("/registrations?name=50%25", "name"),
        ("/registrations?name=a_b", "name"),
        ("/invoices?status=open", "status"),
        ("/certificates?status=expiring", "status"),
        ("/inquiries?status=done", "status"),
        ("/tokens?limit=0", "limit"),
        ("/acme-orders?cursor=xyz", "cursor"),
        ("/acme-accounts?limit=501", "limit"),
    ] {
        let p = expect_problem(
            e.portal.get(query).await,
            StatusCode::BAD_REQUEST,
            "validation",
        )
        .await;
        assert!(field_code(&p, name).is_some(), "{query}: {p}");
    }
}

/// The operator console's lists page the same way: every customer's registrations and invoices
/// with their filters, the inquiry queue in its own order (open first, each oldest first) across
/// pages, campaigns, and the customer list's page numbers with a next link.
#[tokio::test]
async fn operator_lists_page_and_filter() {
    let e = env().await;
    for name in ["op-a.jp", "op-b.jp", "op-c.jp"] {
        e.buy(name, "dv").await;
    }
    crate::support::invoice_of(&e.portal, "op-d.jp").await;
    let mut inquiry_ids = Vec::new();
    for n in 1..=4 {
        let res = e
            .portal
            .post(
                "/inquiries",
                &json!({ "subject": format!("question {n}"), "domain": "op-a.jp", "message": "Where is my invoice?" }),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        inquiry_ids.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    let op = operator(&e.app).await;
    // The second inquiry is answered: the queue shows the three open ones first.
    let res = op
        .post(
            &format!("/operator/inquiries/{}/reply", inquiry_ids[1]),
            &json!({ "message": "It is in your portal." }),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let (regs, pages) = walk(
        &op,
        "/operator/registrations?name=op-&limit=1",
        1,
        &["name=op-"],
    )
    .await;
    assert_eq!(
        field(&regs, "fqdn"),
        ["op-d.jp", "op-c.jp", "op-b.jp", "op-a.jp"]
    );
    assert_eq!(pages, 4);
    let (regs, _) = walk(
        &op,
        "/operator/registrations?state=registered&limit=2",
        2,
        &["state=registered"],
    )
    .await;
    assert_eq!(field(&regs, "fqdn"), ["op-c.jp", "op-b.jp", "op-a.jp"]);
    let (paid, _) = walk(
        &op,
        "/operator/invoices?status=paid&limit=2",
        2,
        &["status=paid"],
    )
    .await;
    assert_eq!(paid.len(), 3);
    let all_invoices = whole(&op, "/operator/invoices").await;
    let (invoices, _) = walk(&op, "/operator/invoices?limit=3", 3, &[]).await;
    assert_eq!(invoices, all_invoices);

    let (queue, pages) = walk(&op, "/operator/inquiries?limit=1", 1, &[]).await;
    assert_eq!(pages, 4);
    let order: Vec<i64> = queue.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(
        order,
        [
            inquiry_ids[0],
            inquiry_ids[2],
            inquiry_ids[3],
            inquiry_ids[1]
        ],
        "open first, oldest first; then answered"
    );
    let (open, _) = walk(
        &op,
        "/operator/inquiries?status=open&limit=2",
        2,
        &["status=open"],
    )
    .await;
    assert_eq!(open.len(), 3);
    let p = expect_problem(
        op.get("/operator/inquiries?cursor=aWQ6Mw").await,
        StatusCode::BAD_REQUEST,
        "validation",
    )
    .await;
    assert!(
        field_code(&p, "cursor").is_some(),
        "an id cursor is not a queue cursor: {p}"
    );

    let (campaigns, _) = walk(&op, "/operator/renewal-campaigns?limit=1", 1, &[]).await;
    assert!(campaigns.is_empty());

    // Customers: page numbers with a total, and the next page in the Link header too.
    let first = op.get("/operator/customers?per_page=1").await;
    let next = next_of(&first).expect("a second page of customers");
    assert!(
        next.contains("page=2") && next.contains("per_page=1"),
        "{next}"
    );
    let body: Value = first.json().await.unwrap();
    assert!(body["total"].as_u64().unwrap() >= 2, "{body}");
    let last = op
        .get(&format!(
            "/operator/customers?per_page=1&page={}",
            body["total"]
        ))
        .await;
    assert!(next_of(&last).is_none());
}
