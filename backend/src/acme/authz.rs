//! Authorizations and challenges (RFC 8555 §7.5): wire parsing and responses only; the
//! decisions are `crate::orders`'.

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::problem::AcmeProblem;
use super::request::AcmeRequest;
use super::views;
use crate::api::extract::ApiPath;
use crate::orders;
use crate::state::AppState;

/// POST-as-GET of an authorization, or its deactivation (RFC 8555 §7.5.2).
pub async fn authz(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?;
    let (a, challenges) = match req.jws.payload_json()? {
        None => orders::authorization(&state, account, id).await?,
        Some(payload) => {
            if payload.get("status").and_then(Value::as_str) != Some("deactivated")
                || payload.as_object().is_none_or(|o| o.len() != 1)
            {
                return Err(AcmeProblem::malformed(
                    "an authorization can only be updated to {\"status\": \"deactivated\"}",
                ));
            }
            orders::deactivate_authorization(&state, account, id).await?
        }
    };
    Ok(views::authz_response(
        &state.config,
        &a,
        &challenges,
        state.now(),
    ))
}

/// POST-as-GET of a challenge, or the client's answer that starts its validation (RFC 8555
/// §7.5.1): the payload is empty or exactly `{}` (R-ACME-2).
pub async fn challenge(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?;
    let (c, a) =
        match req.jws.payload_json()? {
            None => orders::challenge(&state, account, id).await?,
            Some(Value::Object(o)) if o.is_empty() => {
                orders::answer_challenge(&state, account, id).await?
            }
            Some(_) => return Err(AcmeProblem::malformed(
                "a challenge is answered with the payload {} (or fetched with an empty payload)",
            )),
        };
    Ok(views::challenge_response(&state.config, &c, a.account_id))
}
