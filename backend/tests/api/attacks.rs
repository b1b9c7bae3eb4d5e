//! Crafted ACME requests an outside review tried against the running server (security issue,
//! rows 4, 7–10, 17); each is refused, or answered only as RFC 8555 allows.

use serde_json::{json, Value};

use crate::jose::{b64, Signer};
use crate::orders::{csr_with_key_of, env, pem_blocks, Env};

/// Registers one more ACME account of the same customer with `signer`; returns its kid.
async fn second_account(e: &Env, signer: &Signer) -> String {
    let a: Value = e
        .portal
        .get("/acme-application")
        .await
        .json()
        .await
        .unwrap();
    let (kid, hmac) = (
        a["eab"]["key_id"].as_str().unwrap(),
        a["eab"]["hmac_key"].as_str().unwrap(),
    );
    let r = e.acme.new_account(signer, Some((kid, hmac))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.location()
}

/// R-ACME-2 (row 7): a JWS with `crit` (whatever it lists) or `b64` is malformed, not served.
#[tokio::test]
async fn crit_and_unencoded_payloads_are_refused() {
    let e = env().await;
    e.buy("crit.jp", "dv").await;
    let url = e.acme.url("/new-order");
    let payload = json!({ "identifiers": [{ "type": "dns", "value": "crit.jp" }] }).to_string();
    for extra in [
        json!({ "crit": ["b64"], "b64": false }),
        json!({ "crit": ["exp"], "exp": 1 }),
        json!({ "b64": true }),
    ] {
        let nonce = e.acme.nonce().await;
        let mut header = e.signer.kid_header(&e.kid, &nonce, &url);
        for (k, v) in extra.as_object().unwrap() {
            header[k] = v.clone();
        }
        let r = e
            .acme
            .post(&url, &e.signer.jws(&header, payload.as_bytes()))
            .await;
        let detail = r.expect_problem("malformed");
        assert!(
            detail.contains("crit") || detail.contains("b64"),
            "{detail}"
        );
    }
    assert_eq!(e.app.count("acme_orders").await, 0);
}

/// R-ACME-2 (row 8): a kid that parses to an account id but is not its URL as issued is no
/// account.
#[tokio::test]
async fn kid_must_be_the_issued_account_url() {
    let e = env().await;
    let (base, id) = e.kid.rsplit_once('/').unwrap();
    for kid in [
        format!("{base}/+{id}"),
        format!("{base}/0{id}"),
        format!("{}/", e.kid),
    ] {
        let r = e
            .acme
            .post_kid(&e.signer, &kid, &e.acme.url("/new-order"), b"{}")
            .await;
        r.expect_problem("accountDoesNotExist");
    }
}

/// R-ACME-2 (row 9): POST-as-GET has an empty payload; a challenge is answered with exactly
/// `{}`; anything else is malformed and starts nothing.
#[tokio::test]
async fn post_as_get_and_challenge_payloads_are_exact() {
    let e = env().await;
    e.buy("payload.jp", "dv").await;
    let order = e.new_order(&["payload.jp"]).await;
    let order_url = order.location();
    for payload in [&b"{}"[..], b"[]", b"null"] {
        e.post(&order_url, payload)
            .await
            .expect_problem("malformed");
    }
    assert_eq!(e.get(&order_url).await.status, 200);
    let authz_url = order.body["authorizations"][0].as_str().unwrap();
    let authz = e.get(authz_url).await.body;
    let chall = e.challenge(&authz, "http-01")["url"]
        .as_str()
        .unwrap()
        .to_owned();
    for payload in [&b"[]"[..], b"{\"a\":1}", b"\"\"", b"1"] {
        e.post(&chall, payload).await.expect_problem("malformed");
    }
    assert_eq!(
        e.app.count("validation_jobs").await,
        0,
        "nothing was queued"
    );
    assert_eq!(e.get(&chall).await.body["status"], "pending");
}

/// Row 10: an RSA CSR with an all-zero modulus is refused without a panic, and a CSR
/// whose key is the key of another ACME account of the customer is refused (R-ACME-6).
#[tokio::test]
async fn csr_keys_are_checked_safely_and_against_every_account_key() {
    let e = env().await;
    e.buy("csrkey.jp", "dv").await;
    let order = e.new_order(&["csrkey.jp"]).await;
    let decided = e
        .pass_http(order.body["authorizations"][0].as_str().unwrap())
        .await;
    assert_eq!(decided["status"], "valid");
    let mut zero = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/csr-rsa1024-example.jp.der"
    ))
    .unwrap();
    // The modulus INTEGER (02 81 81 00 …) of the fixture's 1024-bit key, zeroed in place.
    let at = zero
        .windows(4)
        .position(|w| w == [0x02, 0x81, 0x81, 0x00])
        .unwrap();
    zero[at + 4..at + 4 + 128].fill(0);
    let r = e.finalize_der(&order.body, &zero).await;
    let detail = r.expect_problem("badCSR");
    assert!(
        detail.contains("0 bits") || detail.contains("cannot be read"),
        "{detail}"
    );

    let other = Signer::es256();
    second_account(&e, &other).await;
    let r = e
        .finalize_der(&order.body, &csr_with_key_of(&other, "csrkey.jp"))
        .await;
    assert!(
        r.expect_problem("badCSR").contains("account key"),
        "{}",
        r.body
    );
    let (ok, _) = e.finalize(&order.body, &["csrkey.jp"]).await;
    assert_eq!(ok.body["status"], "valid", "{}", ok.body);
}

/// R-CA-3, RFC 8555 §7.6 (row 4): another account of the same customer may revoke a
/// certificate only once it holds valid authorizations for every name in it.
#[tokio::test]
async fn only_the_ordering_or_an_authorized_account_revokes() {
    let e = env().await;
    e.buy("revoke.jp", "dv").await;
    let (_, chain) = e.issue_http(&["revoke.jp"]).await;
    let leaf = pem_blocks(&chain).remove(0);
    let body = json!({ "certificate": b64(&leaf) }).to_string();
    let revoke_url = e.acme.url("/revoke-cert");

    let other = Signer::es256();
    let other_kid = second_account(&e, &other).await;
    let r = e
        .acme
        .post_kid(&other, &other_kid, &revoke_url, body.as_bytes())
        .await;
    r.expect_problem("unauthorized");

    // The other account validates the name itself; then it may revoke.
    let order = e
        .acme
        .post_kid(
            &other,
            &other_kid,
            &e.acme.url("/new-order"),
            json!({ "identifiers": [{ "type": "dns", "value": "revoke.jp" }] })
                .to_string()
                .as_bytes(),
        )
        .await;
    assert_eq!(order.status, 201, "{}", order.body);
    let authz_url = order.body["authorizations"][0].as_str().unwrap();
    let authz = e
        .acme
        .post_kid(&other, &other_kid, authz_url, b"")
        .await
        .body;
    let c = e.challenge(&authz, "http-01");
    let token = c["token"].as_str().unwrap();
    let thumb = certdirect::jose::Jwk::from_json(&other.jwk)
        .unwrap()
        .thumbprint();
    e.http.serve_token(token, &format!("{token}.{thumb}"));
    let r = e
        .acme
        .post_kid(&other, &other_kid, c["url"].as_str().unwrap(), b"{}")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let start = std::time::Instant::now();
    while e
        .acme
        .post_kid(&other, &other_kid, authz_url, b"")
        .await
        .body["status"]
        == "pending"
    {
        assert!(start.elapsed().as_secs() < 20, "validation did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let r = e
        .acme
        .post_kid(&other, &other_kid, &revoke_url, body.as_bytes())
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// RFC 8555 §7.1.2.1 (row 17): the account's orders come newest first, a page at a time with
/// `Link: rel="next"`, and invalid orders are left out.
#[tokio::test]
async fn the_orders_list_is_paged_and_leaves_out_invalid_orders() {
    let e = env().await;
    e.buy("many.jp", "dv").await;
    let mut made = Vec::new();
    for _ in 0..102 {
        let o = e.new_order(&["many.jp"]).await;
        assert_eq!(o.status, 201, "{}", o.body);
        made.push(o.location());
    }
    // The newest order's authorization is deactivated: that order is invalid now.
    let newest = e.get(made.last().unwrap()).await.body;
    let authz_url = newest["authorizations"][0].as_str().unwrap();
    let r = e.post(authz_url, br#"{"status":"deactivated"}"#).await;
    assert_eq!(r.body["status"], "deactivated", "{}", r.body);
    assert_eq!(e.get(made.last().unwrap()).await.body["status"], "invalid");

    let list_url = format!("{}/orders", e.kid);
    let first = e.get(&list_url).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let page1: Vec<String> = serde_json::from_value(first.body["orders"].clone()).unwrap();
    let next = first
        .headers
        .get_all("link")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|l| l.contains("rel=\"next\""))
        .expect("a next link");
    let next_url = next
        .trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    let second = e.get(&next_url).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let page2: Vec<String> = serde_json::from_value(second.body["orders"].clone()).unwrap();
    let listed = [page1.clone(), page2].concat();
    let mut expected: Vec<String> = made[..made.len() - 1].to_vec();
    expected.reverse();
    assert_eq!(page1.len(), 100);
    assert_eq!(
        listed, expected,
        "newest first, the invalid one left out, nothing lost"
    );
}

/// Every order's stored status and the number of certificate rows it has, by order id.
async fn order_outcomes(e: &Env) -> Vec<(i64, String, i64, Option<String>)> {
    use sea_orm::{ConnectionTrait, Statement};
    let db = &e.app.state.db;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT o.id AS id, o.status AS status, o.error AS error, \
             (SELECT COUNT(*) FROM certificates c WHERE c.order_id = o.id) AS certs \
             FROM acme_orders o ORDER BY o.id"
                .to_owned(),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get::<i64>("", "id").unwrap(),
                r.try_get::<String>("", "status").unwrap(),
                r.try_get::<i64>("", "certs").unwrap(),
                r.try_get::<Option<String>>("", "error").unwrap(),
            )
        })
        .collect()
}

/// Row 16, R-CA-6: a server process killed with -9 in the middle of finalizing leaves no order
/// `processing` for ever: the next housekeeping pass (which also runs when a process starts)
/// fails the interrupted ones with `serverInternal`, every order ends `valid` or `invalid`, and
/// no order has more than one certificate.
#[tokio::test]
async fn orders_interrupted_by_a_killed_server_are_finished_or_failed() {
    let e = env().await;
    let mut ready = Vec::new();
    for i in 0..24 {
        let name = format!("kill{i}.jp");
        e.buy(&name, "dv").await;
        let order = e.new_order(&[&name]).await;
        let decided = e
            .pass_http(order.body["authorizations"][0].as_str().unwrap())
            .await;
        assert_eq!(decided["status"], "valid", "{decided}");
        ready.push((name, order.body));
    }
    let server = e
        .app
        .spawn_process(&["--role", "web"], Some(&e.app.base))
        .await;
    let via = crate::jose::Acme::new(&server.base);
    let mut requests = Vec::new();
    for (name, order) in &ready {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec![name.clone()]).unwrap();
        params.distinguished_name = rcgen::DistinguishedName::new();
        let csr = params.serialize_request(&key).unwrap();
        let url = order["finalize"].as_str().unwrap().to_owned();
        let nonce = via.nonce().await;
        let jws = e.signer.jws(
            &e.signer.kid_header(&e.kid, &nonce, &url),
            json!({ "csr": b64(csr.der()) }).to_string().as_bytes(),
        );
        let path = url.strip_prefix(&e.app.base).unwrap().to_owned();
        requests.push((format!("{}{path}", server.base), jws));
    }
    let http = reqwest::Client::new();
    let sent: Vec<_> = requests
        .into_iter()
        .map(|(url, jws)| {
            // The connection may die with the server: the outcome is read from the database.
            let send = http
                .post(url)
                .header("content-type", "application/jose+json")
                .body(jws.to_string())
                .send();
            tokio::spawn(async move { send.await.map(|r| r.status().as_u16()) })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    drop(server); // SIGKILL in the middle of the finalizes
    for s in sent {
        let _ = s.await;
    }
    let before: Vec<_> = order_outcomes(&e).await;
    let stuck = before.iter().filter(|o| o.1 == "processing").count() as u64;
    println!(
        "orders left processing by the kill: {stuck} of {}",
        before.len()
    );

    // The killed process stamped its rows with the real clock; move the test clock past both.
    let ahead = (chrono::Utc::now() - e.app.clock_now()).max(chrono::Duration::zero());
    e.app.clock.advance(ahead + chrono::Duration::minutes(2));
    let purged = certdirect::jobs::housekeeping(&e.app.state).await.unwrap();
    assert_eq!(purged.interrupted_orders, stuck);
    for (id, status, certs, error) in order_outcomes(&e).await {
        // `pending` is stored for orders whose finalize never reached the killed server: they
        // are `ready`, and the client's retry below finalizes them.
        assert!(
            ["valid", "invalid", "pending"].contains(&status.as_str()),
            "order {id} is {status}"
        );
        assert!(certs <= 1, "order {id} has {certs} certificates");
        if status == "valid" {
            assert_eq!(certs, 1, "order {id}");
        }
        if status == "invalid" {
            assert!(
                error.unwrap_or_default().contains("serverInternal"),
                "order {id}"
            );
        }
    }
    // Interrupted orders answer as invalid over ACME too, and a new order issues.
    for (name, order) in &ready {
        let url = order["finalize"]
            .as_str()
            .unwrap()
            .trim_end_matches("/finalize");
        let mut now = e.get(url).await.body;
        if now["status"] == "ready" {
            let (retried, _) = e.finalize(order, &[name.as_str()]).await;
            now = retried.body;
        }
        assert!(
            now["status"] == "valid" || now["status"] == "invalid",
            "{now}"
        );
        if now["status"] == "invalid" {
            e.issue_http(&[name.as_str()]).await;
        }
    }
}

/// Row 6 (R-VAL-3, R-VAL-5): a responder that accepts and never answers cannot hold a
/// validator past its deadline; the challenge fails saying so.
#[tokio::test]
async fn a_validation_that_hangs_fails_at_its_deadline() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port().to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = silent.accept().await {
            held.push(conn); // accepted, read from never, answered never
        }
    });
    let e = crate::orders::env_with(
        &[
            ("CERTDIRECT_VA_HTTP_PORT", port.as_str()),
            ("CERTDIRECT_VA_TIMEOUT_SECS", "2"),
        ],
        true,
    )
    .await;
    e.buy("hang.jp", "dv").await;
    let started = std::time::Instant::now();
    let detail = crate::orders::failed_http(&e, "hang.jp", |_, _| {}).await;
    assert!(
        detail.contains("did not finish within 2 seconds"),
        "{detail}"
    );
    assert!(started.elapsed().as_secs() < 15, "{:?}", started.elapsed());
}

/// Row 6: at most two addresses of each family are tried per hop (IPv6 first), so a name with
/// many dead addresses costs a validator little.
#[tokio::test]
async fn at_most_two_addresses_per_family_are_tried() {
    let e = env().await;
    e.buy("many-addresses.jp", "dv").await;
    e.dns
        .add_aaaa("many-addresses.jp", &["::1", "::2", "::3", "::4", "::5"])
        .await;
    let order = e.new_order(&["many-addresses.jp"]).await;
    let decided = e
        .pass_http(order.body["authorizations"][0].as_str().unwrap())
        .await;
    assert_eq!(decided["status"], "valid", "{decided}");
    let record = e.challenge(&decided, "http-01")["validationRecord"]
        .as_array()
        .unwrap()
        .clone();
    let v6 = record
        .iter()
        .filter(|h| h["address"].as_str().is_some_and(|a| a.contains(':')))
        .count();
    assert_eq!(v6, 2, "{record:?}");
    // The hops come first; the CAA check's entry follows them.
    let last_hop = record.iter().rfind(|h| h.get("url").is_some()).unwrap();
    assert_eq!(last_hop["address"], "127.0.0.1");
}

/// Row 6 (R-VAL-3): a job whose workers keep dying is started at most three times; the next
/// worker to take it fails the challenge instead of running it a fourth time.
#[tokio::test]
async fn a_job_started_too_often_fails_instead_of_running_again() {
    let e = crate::orders::env_with(&[], false).await;
    e.buy("dying.jp", "dv").await;
    let order = e.new_order(&["dying.jp"]).await;
    let authz_url = order.body["authorizations"][0].as_str().unwrap().to_owned();
    let authz = e.get(&authz_url).await.body;
    let c = e.challenge(&authz, "http-01");
    let token = c["token"].as_str().unwrap();
    e.http.serve_token(token, &e.key_authorization(token));
    assert_eq!(e.post(c["url"].as_str().unwrap(), b"{}").await.status, 200);
    let db = &e.app.state.db;
    // Three workers take the job and die with it (their leases run out).
    for _ in 0..certdirect::queue::MAX_ATTEMPTS {
        let job = certdirect::queue::claim(db, "doomed", e.app.clock_now())
            .await
            .unwrap()
            .expect("the job is claimable");
        assert!(job.attempts <= certdirect::queue::MAX_ATTEMPTS);
        e.app
            .clock
            .advance(chrono::Duration::seconds(certdirect::queue::LEASE_SECS + 1));
    }
    let job = certdirect::queue::claim(db, "fourth", e.app.clock_now())
        .await
        .unwrap()
        .expect("the lease ran out");
    let va = certdirect::va::VaConfig::from_config(&e.app.state.config);
    certdirect::orders::validation::process(&e.app.state, &va, &job)
        .await
        .unwrap();
    let decided = e.get(&authz_url).await.body;
    assert_eq!(decided["status"], "invalid", "{decided}");
    let detail = e.challenge(&decided, "http-01")["error"]["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("started 3 times"), "{detail}");
    assert_eq!(certdirect::queue::depth(db).await.unwrap(), 0);
}

/// R-ACME-10 (row 15): newOrder past the per-account limit is `rateLimited` (429) with
/// `Retry-After`; so is newAccount past the per-address limit; the window ends and it passes.
#[tokio::test]
async fn acme_rate_limits_answer_rate_limited_with_retry_after() {
    let e = crate::orders::env_with(
        &[(
            "CERTDIRECT_ACME_RATE_LIMITS",
            "new_order_per_account=3/h,new_account_per_address=2/h",
        )],
        true,
    )
    .await;
    e.buy("limited.jp", "dv").await;
    for _ in 0..3 {
        assert_eq!(e.new_order(&["limited.jp"]).await.status, 201);
    }
    let refused = e.new_order(&["limited.jp"]).await;
    assert_eq!(refused.status, 429);
    let detail = refused.expect_problem("rateLimited");
    assert!(detail.contains("new orders of this account"), "{detail}");
    let retry: i64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");

    // The test's account took one new account from this address; one more passes, then not.
    let a: Value = e
        .portal
        .get("/acme-application")
        .await
        .json()
        .await
        .unwrap();
    let creds = (
        a["eab"]["key_id"].as_str().unwrap(),
        a["eab"]["hmac_key"].as_str().unwrap(),
    );
    assert_eq!(
        e.acme
            .new_account(&Signer::es256(), Some(creds))
            .await
            .status,
        201
    );
    let r = e.acme.new_account(&Signer::es256(), Some(creds)).await;
    r.expect_problem("rateLimited");
    assert!(r.headers.contains_key("retry-after"));

    e.app.clock.advance(chrono::Duration::seconds(retry + 1));
    assert_eq!(
        e.new_order(&["limited.jp"]).await.status,
        201,
        "a new window"
    );
}
