//! ACME accounts, the wire half: newAccount with External Account Binding (RFC 8555 §7.3,
//! §7.3.4; R-ACME-3), account update and deactivation (§7.3.2, §7.3.6), and key rollover (§7.3.5).
//! Payloads and the inner keyChange JWS are checked here; the decisions are `crate::accounts`'.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::account_url;
use super::problem::AcmeProblem;
use super::request::AcmeRequest;
use crate::accounts::{self, AccountError, Requester};
use crate::api::extract::{ApiPath, ClientAddr};
use crate::jose::{Jwk, Jws};
use crate::state::AppState;
use crate::store::entity::acme_account;

const MAX_CONTACTS: usize = 10;

fn account_json(state: &AppState, row: &acme_account::Model) -> Value {
    json!({
        "status": row.status,
        "contact": row.contacts(),
        "termsOfServiceAgreed": true,
        "orders": format!("{}/orders", account_url(&state.config, row.id)),
        "createdAt": crate::clock::rfc3339(row.created_at),
    })
}

fn account_response(state: &AppState, status: StatusCode, row: &acme_account::Model) -> Response {
    let mut res = (status, axum::Json(account_json(state, row))).into_response();
    if let Ok(loc) = HeaderValue::from_str(&account_url(&state.config, row.id)) {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    res
}

/// Checks `contact` (RFC 8555 §7.3): `mailto:` URIs with one valid address each.
pub fn check_contacts(value: Option<&Value>) -> Result<Vec<String>, AcmeProblem> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let items = value
        .as_array()
        .ok_or_else(|| AcmeProblem::malformed("\"contact\" must be an array of mailto: URIs"))?;
    if items.len() > MAX_CONTACTS {
        return Err(AcmeProblem::malformed(format!(
            "at most {MAX_CONTACTS} contacts are accepted"
        )));
    }
    items
        .iter()
        .map(|item| {
            let uri = item
                .as_str()
                .ok_or_else(|| AcmeProblem::malformed("each contact must be a string"))?;
            let address = uri.strip_prefix("mailto:").ok_or_else(|| {
                AcmeProblem::unsupported_contact(format!(
                    "contact {uri:?} is not a mailto: URI; only email contacts are supported"
                ))
            })?;
            if address.contains(['?', ',']) {
                return Err(AcmeProblem::invalid_contact(format!(
                    "contact {uri:?} must hold exactly one address and no header fields"
                )));
            }
            if let Some(err) = shared::validate::check_email("contact", address) {
                return Err(AcmeProblem::invalid_contact(format!(
                    "contact {uri:?} {}",
                    err.reason
                )));
            }
            Ok(format!(
                "mailto:{}",
                shared::validate::normalize_email(address)
            ))
        })
        .collect()
}

fn object(payload: Option<Value>) -> Result<serde_json::Map<String, Value>, AcmeProblem> {
    match payload {
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(AcmeProblem::malformed("the payload must be a JSON object")),
        None => Err(AcmeProblem::malformed("the payload must not be empty here")),
    }
}

/// The ACME edge of the account domain's errors.
impl From<AccountError> for AcmeProblem {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::ExternalAccountRequired(d) => AcmeProblem::external_account_required(d),
            AccountError::Malformed(d) => AcmeProblem::malformed(d),
            AccountError::Unauthorized(d) => AcmeProblem::unauthorized(d),
            AccountError::Conflict { detail, .. } => AcmeProblem::conflict(detail),
            AccountError::RateLimited(e) => AcmeProblem::rate_limited(&e),
            AccountError::Db(e) => AcmeProblem::internal(format!("database: {e}")),
            AccountError::Internal(e) => AcmeProblem::internal(e),
        }
    }
}

/// newAccount (RFC 8555 §7.3).
pub async fn new_account(
    State(state): State<AppState>,
    addr: ClientAddr,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    if req.account.is_some() {
        return Err(AcmeProblem::malformed(
            "newAccount must be signed with \"jwk\", not \"kid\"",
        ));
    }
    let payload = object(req.jws.payload_json()?)?;
    if let Some(existing) = accounts::by_key(&state.db, &req.key.thumbprint()).await? {
        if existing.status != acme_account::STATUS_VALID {
            return Err(AcmeProblem::unauthorized(format!(
                "the account for this key is {}; register with a new key",
                existing.status
            )));
        }
        return Ok(account_response(&state, StatusCode::OK, &existing));
    }
    if payload.get("onlyReturnExisting").and_then(Value::as_bool) == Some(true) {
        return Err(AcmeProblem::account_does_not_exist(
            "no account exists for this key",
        ));
    }
    if payload.get("termsOfServiceAgreed").and_then(Value::as_bool) != Some(true) {
        return Err(AcmeProblem::malformed(format!(
            "termsOfServiceAgreed must be true: agree to the terms of service at {}",
            state.config.terms_url
        )));
    }
    let contacts = check_contacts(payload.get("contact"))?;
    let (row, created) = accounts::register(
        &state,
        &req.key,
        &req.url,
        contacts,
        payload.get("externalAccountBinding"),
        Requester(addr.0),
    )
    .await?;
    let code = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(account_response(&state, code, &row))
}

/// POST to an account URL: POST-as-GET, contact update, or deactivation.
pub async fn account(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?.clone();
    if account.id != id {
        return Err(AcmeProblem::unauthorized(
            "the request's kid is not this account's URL",
        ));
    }
    let Some(payload) = req.jws.payload_json()? else {
        return Ok(account_response(&state, StatusCode::OK, &account));
    };
    let payload = object(Some(payload))?;
    if let Some(status) = payload.get("status") {
        if status != acme_account::STATUS_DEACTIVATED {
            return Err(AcmeProblem::malformed(format!(
                "an account's status can only be changed to \"deactivated\", not {status}"
            )));
        }
        let updated = accounts::deactivate_by_client(&state, &account, Requester(addr.0)).await?;
        return Ok(account_response(&state, StatusCode::OK, &updated));
    }
    if payload.contains_key("contact") {
        let contacts = check_contacts(payload.get("contact"))?;
        let updated = accounts::update_contacts(&state, &account, &contacts).await?;
        return Ok(account_response(&state, StatusCode::OK, &updated));
    }
    Ok(account_response(&state, StatusCode::OK, &account))
}

/// keyChange (RFC 8555 §7.3.5): the outer JWS is signed by the old key, the inner by the new.
pub async fn key_change(
    State(state): State<AppState>,
    addr: ClientAddr,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?.clone();
    let inner = Jws::parse(&req.jws.payload)
        .map_err(|p| AcmeProblem::malformed(format!("the inner JWS: {}", p.detail())))?;
    crate::jose::check_algorithm(&inner.protected.alg)?;
    let new_key = match (&inner.protected.jwk, &inner.protected.kid) {
        (Some(jwk), None) => jwk.clone(),
        _ => {
            return Err(AcmeProblem::malformed(
                "the inner JWS must carry the new key as \"jwk\" and no \"kid\"",
            ))
        }
    };
    new_key.check()?;
    inner.verify(&new_key)?;
    if inner.protected.url.as_deref() != Some(req.url.as_str()) {
        return Err(AcmeProblem::malformed(
            "the inner JWS's url must equal the outer JWS's url",
        ));
    }
    let body = object(inner.payload_json()?)?;
    let kid = account_url(&state.config, account.id);
    if body.get("account").and_then(Value::as_str) != Some(kid.as_str()) {
        return Err(AcmeProblem::unauthorized(
            "the inner payload's \"account\" is not the account that signed the request",
        ));
    }
    let old = body.get("oldKey").map(Jwk::from_json).transpose()?;
    if old.as_ref() != Some(&req.key) {
        return Err(AcmeProblem::unauthorized(
            "the inner payload's \"oldKey\" is not the account's current key",
        ));
    }
    match accounts::change_key(&state, &account, &new_key, Requester(addr.0)).await {
        Ok(updated) => Ok(account_response(&state, StatusCode::OK, &updated)),
        Err(AccountError::Conflict {
            detail,
            existing: Some(other),
        }) => {
            let mut res = AcmeProblem::conflict(detail).into_response();
            if let Ok(loc) = HeaderValue::from_str(&account_url(&state.config, other)) {
                res.headers_mut().insert(header::LOCATION, loc);
            }
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
