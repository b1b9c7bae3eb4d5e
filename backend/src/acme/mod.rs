//! The ACME server front end (RFC 8555): the only place that knows HTTP for ACME. Handlers
//! get verified requests from [`request::AcmeRequest`]; one middleware adds the headers every
//! ACME response carries (`Replay-Nonce`, `Link: rel="index"`, `Cache-Control: no-store`).

pub mod account;
pub mod authz;
pub mod cert;
pub mod lang;
pub mod nonce;
pub mod order;
pub mod problem;
pub mod problem_ja;
pub mod renewal;
pub mod request;
pub mod views;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::config::Config;
use crate::state::AppState;
use problem::AcmeProblem;

pub const ACME_PREFIX: &str = "/acme";

pub fn directory_url(config: &Config) -> String {
    config.public("/acme/directory")
}

pub fn account_url(config: &Config, id: i64) -> String {
    config.acme_account_url(id)
}

/// The account id in an account URL of this server, only if `url` is byte for byte the URL
/// this server hands out for that account (no `+1`, no `01`; R-ACME-2).
pub fn account_id_from_url(config: &Config, url: &str) -> Option<i64> {
    let prefix = config.public("/acme/acct/");
    let id: i64 = url
        .strip_prefix(&prefix)?
        .parse()
        .ok()
        .filter(|id| *id > 0)?;
    (account_url(config, id) == url).then_some(id)
}

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/directory", get(directory))
        .route("/new-nonce", get(new_nonce).head(new_nonce))
        .route("/new-account", post(account::new_account))
        .route("/acct/{id}", post(account::account))
        .route("/key-change", post(account::key_change))
        .route("/acct/{id}/orders", post(order::orders))
        .route("/new-order", post(order::new_order))
        .route("/order/{id}", post(order::order))
        .route("/order/{id}/finalize", post(order::finalize))
        .route("/authz/{id}", post(authz::authz))
        .route("/chall/{id}", post(authz::challenge))
        .route("/cert/{id}", post(cert::certificate))
        .route("/revoke-cert", post(cert::revoke_cert))
        .route("/renewal-info/{id}", get(renewal::renewal_info))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state, acme_headers))
}

/// The portal page that documents this ACME server's limits, polling interval and profiles
/// (R-ACME-10): the directory's `meta.website`.
pub const LIMITS_PAGE: &str = "/acme-limits";

/// The directory (RFC 8555 §7.1.1). `meta.profiles` maps each profile to its description
/// (draft-ietf-acme-profiles §3), in Japanese when the request prefers it (R-ACME-11).
async fn directory(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Json<serde_json::Value> {
    let c = &state.config;
    let locale = lang::of(&headers);
    let profiles: serde_json::Map<String, serde_json::Value> = c
        .profiles
        .all()
        .iter()
        .map(|p| (p.name.clone(), json!(p.description(locale))))
        .collect();
    Json(json!({
        "newNonce": c.public("/acme/new-nonce"),
        "newAccount": c.public("/acme/new-account"),
        "newOrder": c.public("/acme/new-order"),
        "revokeCert": c.public("/acme/revoke-cert"),
        "keyChange": c.public("/acme/key-change"),
        "renewalInfo": c.public("/acme/renewal-info"),
        "meta": {
            "termsOfService": c.terms_url,
            "website": c.public(LIMITS_PAGE),
            "caaIdentities": c.caa_identities,
            "externalAccountRequired": true,
            "profiles": profiles,
        }
    }))
}

/// newNonce: 200 for HEAD, 204 for GET (RFC 8555 §7.2); the nonce is added by the middleware.
async fn new_nonce(method: Method) -> StatusCode {
    if method == Method::HEAD {
        StatusCode::OK
    } else {
        StatusCode::NO_CONTENT
    }
}

async fn not_found(method: Method, uri: axum::extract::OriginalUri) -> AcmeProblem {
    AcmeProblem::not_found(format!("there is no ACME resource {method} {}", uri.path()))
}

/// The most of an ACME answer's JSON that is read back to translate it; ACME resources are a few
/// KiB (an order lists at most 100 authorizations).
const MAX_TRANSLATED_BODY: usize = 1024 * 1024;

/// An answer with its problem documents in Japanese (R-ACME-11): its own problem, subproblems,
/// and the `error` of challenges and orders (`problem_ja`). Other answers pass unchanged.
async fn in_japanese(res: Response) -> Response {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            let media = ct.split(';').next().unwrap_or("").trim();
            media.eq_ignore_ascii_case("application/json")
                || media.eq_ignore_ascii_case(shared::problem::PROBLEM_CONTENT_TYPE)
        });
    if !is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_TRANSLATED_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return AcmeProblem::internal(format!("reading an answer to translate: {e}"))
                .into_response()
        }
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut value) => {
            problem_ja::translate_json(&mut value);
            axum::body::Body::from(value.to_string())
        }
        Err(_) => axum::body::Body::from(bytes),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// Adds the headers every ACME response carries. Every response but the directory's gets a
/// fresh nonce, errors included, so a client can retry after badNonce at once. Problem details
/// are English unless the request prefers Japanese (R-ACME-11).
async fn acme_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_directory = req.uri().path().ends_with("/directory");
    let locale = lang::of(req.headers());
    let mut res = next.run(req).await;
    if locale == shared::dto::Locale::Ja {
        res = in_japanese(res).await;
    }
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    if let Ok(link) =
        HeaderValue::from_str(&format!("<{}>;rel=\"index\"", directory_url(&state.config)))
    {
        h.append(header::LINK, link);
    }
    if !is_directory {
        if let Ok(v) = HeaderValue::from_str(&state.nonces.issue(state.now())) {
            h.insert("replay-nonce", v);
        }
    }
    res
}
