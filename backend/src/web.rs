//! The HTTP surface around the API: the portal's static files with client-side routing,
//! security headers on every response, and one log line per request.

use std::path::Path;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// The portal's Content Security Policy: the wasm bundle from our own origin, nothing inline.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; \
    form-action 'self'; object-src 'none'";

/// Hashed assets never change under their name: cache them for a year. That holds for the
/// files in the portal's `app-<hash>/` directory too (its glue, wasm, the wasm-split loader and
/// the lazily loaded chunks), whose directory name is the hash of them all.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `/assets/*` (subdirectories included) from `<static dir>/assets`, and every other GET answered with index.html so the
/// portal's routes work on reload. The build writes a brotli (`.br`) and a gzip (`.gz`) twin
/// beside each asset; ServeDir sends the one the request's `Accept-Encoding` prefers (br on a
/// tie), falls back to the other when a twin is missing, and keeps the asset's own
/// `Content-Type`. The answer depends on `Accept-Encoding`, so it says so in `Vary` for caches.
pub fn spa_router(static_dir: &Path) -> Router<AppState> {
    let assets = ServeDir::new(static_dir.join("assets"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service(
            "/assets",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(IMMUTABLE),
                ))
                .layer(SetResponseHeaderLayer::appending(
                    header::VARY,
                    HeaderValue::from_static("accept-encoding"),
                ))
                .service(assets),
        )
        .fallback(index_html)
}

async fn index_html(State(state): State<AppState>, method: axum::http::Method) -> Response {
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = state.config.static_dir.join("index.html");
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => ([(header::CACHE_CONTROL, "no-cache")], Html(html)).into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CACHE_CONTROL, "no-store")],
            Html(format!(
                "<!doctype html><meta charset=utf-8><title>CertDirect</title>\
                 <p>The portal has not been built: {} is missing. Run <code>cargo xtask run</code>, \
                 or set CERTDIRECT_STATIC_DIR to the built portal.</p>",
                path.display()
            )),
        )
            .into_response(),
    }
}

/// The largest request body any route reads; the ACME routes and JSON bodies have smaller
/// limits of their own (64 KiB).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// Turns the plain-text 413 of the body limit (tower-http's "length limit exceeded", or axum's
/// when a handler buffers a streamed body) into a problem document like every other error:
/// an ACME problem under `/acme`, a REST problem elsewhere.
pub async fn oversized_body_problem(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let acme = req.uri().path().starts_with(crate::acme::ACME_PREFIX);
    let res = next.run(req).await;
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(shared::problem::PROBLEM_CONTENT_TYPE));
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE || is_problem {
        return res;
    }
    if acme {
        let problem = crate::acme::problem::AcmeProblem {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            ..crate::acme::problem::AcmeProblem::malformed(format!(
                "the request body is over {MAX_REQUEST_BYTES} bytes; an ACME request is a JWS of at most 65536 bytes"
            ))
        };
        let mut res = problem.into_response();
        // As on every other ACME error, a fresh nonce lets the client retry at once.
        if let Ok(v) = HeaderValue::from_str(&state.nonces.issue(state.now())) {
            res.headers_mut().insert("replay-nonce", v);
        }
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    } else {
        crate::error::ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            format!("the request body must be at most {MAX_REQUEST_BYTES} bytes"),
        )
        .into_response()
    }
}

/// Adds the security headers to every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if state.config.tls.is_some() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// One structured log line per request: method, path, status, duration.
pub async fn log_request(req: Request<Body>, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let (res, db_statements) = crate::store::counting(next.run(req)).await;
    let status = res.status().as_u16();
    crate::metrics::request(method.as_str(), status, start.elapsed());
    if let Some(route) = route.as_deref() {
        crate::metrics::db_statements(method.as_str(), route, db_statements);
    }
    let duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(%method, path, route, status, duration_ms, db_statements, "request");
    } else {
        tracing::info!(%method, path, route, status, duration_ms, db_statements, "request");
    }
    res
}
