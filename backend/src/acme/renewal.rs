//! renewalInfo (RFC 9773 §4.2, R-ACME-8): an unauthenticated GET of a certificate identifier
//! answers its suggested renewal window and `Retry-After`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::problem::AcmeProblem;
use crate::api::extract::ApiPath;
use crate::clock::rfc3339;
use crate::renewal::{self, CertId};
use crate::state::AppState;

/// `GET /acme/renewal-info/{certID}`.
pub async fn renewal_info(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, AcmeProblem> {
    let cert_id = CertId::parse(&id).map_err(AcmeProblem::malformed)?;
    let cert = crate::certs::by_cert_id(&state.db, &cert_id)
        .await?
        .ok_or_else(|| {
            AcmeProblem::not_found(format!("no certificate of this CA has the identifier {id}"))
        })?;
    let now = state.now();
    let moved = match (cert.renewal_start, cert.renewal_end) {
        (Some(start), Some(end)) => Some(renewal::Window { start, end }),
        _ => None,
    };
    let window = renewal::suggested_window(
        cert.not_before,
        cert.not_after,
        moved,
        cert.revoked_at.is_some(),
        now,
    );
    let mut body = json!({
        "suggestedWindow": { "start": rfc3339(window.start), "end": rfc3339(window.end) },
    });
    if moved.is_some() {
        body["explanationURL"] = json!(state.config.public("/mypage/certificates"));
    }
    Ok((
        [(header::RETRY_AFTER, renewal::RETRY_AFTER_SECS.to_string())],
        Json(body),
    )
        .into_response())
}
