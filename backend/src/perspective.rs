//! The remote perspective role (`certdirect serve --role perspective`, R-VAL-7): answers the
//! primary's signed validation requests with what this vantage point sees, using its own DNS
//! configuration. It keeps no database and signs nothing but its answers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::va::mpic::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::va::{Check, VaConfig};

struct Perspective {
    va: VaConfig,
    secret: String,
}

/// The perspective's routes: the validation endpoint and a health check.
pub fn router(va: VaConfig, secret: String) -> Router {
    Router::new()
        .route(mpic::PATH, post(validate))
        .route("/api/v1/health", get(health))
        .layer(DefaultBodyLimit::max(16 * 1024))
        .with_state(Arc::new(Perspective { va, secret }))
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "role": "perspective" }))
}

fn refuse(status: StatusCode, detail: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
        serde_json::json!({ "type": "about:blank", "title": status.canonical_reason(), "status": status.as_u16(), "detail": detail })
            .to_string(),
    )
        .into_response()
}

async fn validate(State(p): State<Arc<Perspective>>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(e) = mpic::verify(
        &p.secret,
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        &body,
        mpic::unix_now(),
    ) {
        tracing::warn!(error = %e, "refused an unauthenticated validation request");
        return refuse(StatusCode::UNAUTHORIZED, e.to_string());
    }
    let check: Check = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("the body is not a validation check: {e}"),
            )
        }
    };
    let outcome = crate::va::validate(&p.va, &check).await;
    tracing::info!(identifier = %check.identifier, method = %check.method, ok = outcome.result.is_ok(), "perspective validation");
    let answer = serde_json::to_vec(&outcome).expect("an outcome serialises");
    let timestamp = mpic::unix_now();
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json".to_owned(),
            ),
            (
                TIMESTAMP_HEADER.parse().expect("a header name"),
                timestamp.to_string(),
            ),
            (
                SIGNATURE_HEADER.parse().expect("a header name"),
                mpic::sign(&p.secret, timestamp, &answer),
            ),
        ],
        answer,
    )
        .into_response()
}
