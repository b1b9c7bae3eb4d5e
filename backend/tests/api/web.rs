//! The HTTP surface: health, OpenAPI, the portal's files, security headers.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn health_reports_the_database() {
    let app = spawn_app().await;
    let res = app.client().get("/health").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
}

/// SPEC §4: every path is in the OpenAPI document.
#[tokio::test]
async fn openapi_lists_every_path() {
    let app = spawn_app().await;
    let doc: Value = app
        .client()
        .get("/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/health", &["get"][..]),
        ("/auth/signup", &["post"]),
        ("/auth/verify", &["post"]),
        ("/auth/login", &["post"]),
        ("/auth/logout", &["post"]),
        ("/auth/password-reset", &["post"]),
        ("/auth/password-reset/confirm", &["post"]),
        ("/me", &["get", "patch"]),
        ("/tokens", &["get", "post"]),
        ("/tokens/{id}", &["delete"]),
        ("/operator/customers", &["get"]),
        ("/acme-application", &["get", "post"]),
        ("/acme-accounts", &["get"]),
        ("/acme-accounts/{id}/deactivate", &["post"]),
        ("/operator/customers/{id}/eab", &["post"]),
        ("/products", &["get"]),
        ("/fqdn/check", &["post"]),
        ("/registrations", &["get", "post"]),
        ("/registrations/{id}", &["get"]),
        ("/invoices", &["get"]),
        ("/invoices/{number}", &["get"]),
        ("/invoices/{number}/pay", &["post"]),
        ("/operator/invoices", &["get"]),
        ("/operator/invoices/{number}/confirm-payment", &["post"]),
        ("/operator/invoices/{number}/refund", &["post"]),
        ("/operator/bank-statements", &["post"]),
        ("/operator/registrations", &["get"]),
        ("/certificates", &["get"]),
        ("/certificates/{serial}", &["get"]),
        ("/certificates/{serial}/chain.pem", &["get"]),
        ("/certificates/{serial}/revoke", &["post"]),
        ("/operator/certificates/{serial}/revoke", &["post"]),
        ("/acme-orders", &["get"]),
    ] {
        let entry = paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing from the OpenAPI document"));
        for m in methods {
            assert!(entry.get(*m).is_some(), "{m} {path} missing");
        }
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn portal_routes_fall_back_to_index_html_with_security_headers() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    for path in ["/", "/mypage", "/verify-email?token=abc"] {
        let res = http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["cache-control"], "no-cache");
        assert!(res.text().await.unwrap().contains("<title>portal</title>"));
    }
    let res = http
        .get(format!("{}/assets/boot-0123456789abcdef.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let res = http
        .get(format!("{}/assets/missing.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Unknown API paths are problems, not the portal.
    let res = http
        .get(format!("{}/api/v1/nothing-here", app.base))
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::NOT_FOUND, "not-found").await;
    let res = http
        .delete(format!("{}/api/v1/health", app.base))
        .send()
        .await
        .unwrap();
    expect_problem(res, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed").await;
}

/// The build writes `.br` and `.gz` twins beside each asset: the server sends the twin the
/// request accepts, with the asset's own type, `Vary: Accept-Encoding` and the year-long cache.
/// The same holds below `assets/`: the app's glue, wasm, wasm-split loader and lazily loaded
/// chunks share one `app-<hash>/` directory.
#[tokio::test]
async fn assets_are_served_as_their_brotli_or_gzip_twin() {
    let app = spawn_app().await;
    let assets = app.data_dir.path().join("dist/assets");
    std::fs::create_dir_all(assets.join("app-0123456789abcdef")).unwrap();
    let http = reqwest::Client::new();
    for name in [
        "certdirect_bg-0123456789abcdef.wasm",
        "app-0123456789abcdef/split_3_tokens_route.wasm",
    ] {
        std::fs::write(assets.join(name), b"\0asm raw").unwrap();
        std::fs::write(assets.join(format!("{name}.gz")), b"gzip twin").unwrap();
        std::fs::write(assets.join(format!("{name}.br")), b"brotli twin").unwrap();
        for (accept, encoding, body) in [
            (Some("br"), Some("br"), &b"brotli twin"[..]),
            (Some("gzip, deflate, br, zstd"), Some("br"), b"brotli twin"),
            (Some("gzip;q=1, br;q=0.5"), Some("gzip"), b"gzip twin"),
            (Some("gzip"), Some("gzip"), b"gzip twin"),
            (Some("identity"), None, b"\0asm raw"),
            (None, None, b"\0asm raw"),
        ] {
            let mut req = http.get(format!("{}/assets/{name}", app.base));
            if let Some(accept) = accept {
                req = req.header("accept-encoding", accept);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{name} {accept:?}");
            let h = res.headers();
            assert_eq!(
                h.get("content-encoding").map(|v| v.to_str().unwrap()),
                encoding,
                "{name} {accept:?}"
            );
            assert_eq!(h["content-type"], "application/wasm", "{name} {accept:?}");
            assert_eq!(h["vary"], "accept-encoding", "{name} {accept:?}");
            assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert_eq!(&res.bytes().await.unwrap()[..], body, "{name} {accept:?}");
        }
    }

    let name = "certdirect_bg-0123456789abcdef.wasm";
    let get = |accept: Option<&'static str>| {
        let mut req = http.get(format!("{}/assets/{name}", app.base));
        if let Some(accept) = accept {
            req = req.header("accept-encoding", accept);
        }
        req.send()
    };
    // An asset with only a gzip twin is still sent compressed to a browser that offers both.
    std::fs::remove_file(assets.join(format!("{name}.br"))).unwrap();
    let res = get(Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(&res.bytes().await.unwrap()[..], b"gzip twin");
}
