//! ACME accounts: newAccount with External Account Binding (RFC 8555 §7.3, §7.3.4; R-ACME-3),
//! account update and deactivation (§7.3.2, §7.3.6), and key rollover (§7.3.5).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TransactionTrait,
};
use serde_json::{json, Value};

use super::account_url;
use super::problem::AcmeProblem;
use super::request::AcmeRequest;
use crate::api::extract::{ApiPath, ClientAddr};
use crate::audit::AuditEntry;
use crate::jose::{Jwk, Jws};
use crate::state::AppState;
use crate::store::entity::{acme_account, eab_credential};
use crate::store::is_unique_violation;

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

/// Audits one EAB use, success or failure (R-EAB-4).
async fn audit_eab(
    state: &AppState,
    db: &impl ConnectionTrait,
    kid: &str,
    customer_id: Option<i64>,
    ok: bool,
    detail: Value,
    addr: ClientAddr,
) -> Result<(), AcmeProblem> {
    AuditEntry {
        actor: "acme".into(),
        customer_id,
        action: "eab.use",
        subject: kid.chars().take(64).collect(),
        success: ok,
        detail,
        remote_addr: addr.to_audit(),
    }
    .write(db, state.now())
    .await?;
    Ok(())
}

/// Verifies the External Account Binding (RFC 8555 §7.3.4) and returns the credentials it names.
async fn check_eab(
    state: &AppState,
    req: &AcmeRequest,
    eab: Option<&Value>,
    addr: ClientAddr,
) -> Result<eab_credential::Model, AcmeProblem> {
    let eab = eab.ok_or_else(|| {
        AcmeProblem::external_account_required(
            "this CA requires External Account Binding: register with the EAB key id and HMAC key shown on your My Page",
        )
    })?;
    let inner = Jws::parse(eab.to_string().as_bytes())
        .map_err(|p| AcmeProblem::malformed(format!("externalAccountBinding: {}", p.detail())))?;
    let p = &inner.protected;
    if p.alg != "HS256" {
        return Err(AcmeProblem::malformed(format!(
            "externalAccountBinding must use alg HS256, not {:?}",
            p.alg
        )));
    }
    if p.nonce.is_some() {
        return Err(AcmeProblem::malformed(
            "externalAccountBinding must not carry a nonce",
        ));
    }
    if p.url.as_deref() != Some(req.url.as_str()) {
        return Err(AcmeProblem::malformed(format!(
            "externalAccountBinding's url must be the newAccount URL {:?}",
            req.url
        )));
    }
    let kid = p
        .kid
        .clone()
        .ok_or_else(|| AcmeProblem::malformed("externalAccountBinding has no \"kid\""))?;
    let bound: Value = serde_json::from_slice(&inner.payload).map_err(|_| {
        AcmeProblem::malformed("externalAccountBinding's payload must be the account JWK")
    })?;
    if Jwk::from_json(&bound).ok().as_ref() != Some(&req.key) {
        return Err(AcmeProblem::malformed(
            "externalAccountBinding binds a different key than the one that signed this request",
        ));
    }
    let now = state.now();
    let Some(cred) = eab_credential::Entity::find()
        .filter(eab_credential::Column::KeyId.eq(&kid))
        .one(&state.db)
        .await?
    else {
        audit_eab(
            state,
            &state.db,
            &kid,
            None,
            false,
            json!({ "reason": "unknown key id" }),
            addr,
        )
        .await?;
        return Err(AcmeProblem::unauthorized(format!(
            "the EAB key id {kid:?} is not known to this CA"
        )));
    };
    let fail = |reason: &'static str| json!({ "reason": reason });
    let hmac = crate::eab::hmac_key(&state.secrets, &cred).map_err(AcmeProblem::internal)?;
    if !inner.verify_hs256(&hmac) {
        audit_eab(
            state,
            &state.db,
            &kid,
            Some(cred.customer_id),
            false,
            fail("wrong MAC"),
            addr,
        )
        .await?;
        return Err(AcmeProblem::unauthorized(format!(
            "the externalAccountBinding MAC does not verify with the HMAC key of key id {kid:?}; copy the HMAC key from your My Page"
        )));
    }
    if cred.revoked_at.is_some() {
        audit_eab(
            state,
            &state.db,
            &kid,
            Some(cred.customer_id),
            false,
            fail("revoked"),
            addr,
        )
        .await?;
        return Err(AcmeProblem::unauthorized(format!(
            "the EAB key id {kid:?} was replaced by newer credentials; use the ones shown on your My Page"
        )));
    }
    if cred.expires_at <= now {
        audit_eab(
            state,
            &state.db,
            &kid,
            Some(cred.customer_id),
            false,
            fail("expired"),
            addr,
        )
        .await?;
        return Err(AcmeProblem::unauthorized(format!(
            "the EAB credentials {kid:?} expired at {} (valid 14 days); please contact the customer center for new ones",
            crate::clock::rfc3339(cred.expires_at)
        )));
    }
    Ok(cred)
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
    let thumbprint = req.key.thumbprint();
    if let Some(existing) = acme_account::Entity::find()
        .filter(acme_account::Column::KeyThumbprint.eq(&thumbprint))
        .one(&state.db)
        .await?
    {
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
    // R-ACME-10, R-CUS-4: counted before the binding is checked or anything is written.
    let address = addr
        .0
        .map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    if let Err(exceeded) = crate::ratelimit::hit(
        &state.db,
        &state.config.acme_limits,
        crate::ratelimit::Limit::NewAccountPerAddress,
        &address,
        state.now(),
    )
    .await?
    {
        return Err(AcmeProblem::rate_limited(&exceeded));
    }
    let cred = check_eab(&state, &req, payload.get("externalAccountBinding"), addr).await?;

    let now = state.now();
    let txn = state.db.begin().await?;
    let inserted = acme_account::ActiveModel {
        customer_id: Set(cred.customer_id),
        eab_id: Set(cred.id),
        key_thumbprint: Set(thumbprint.clone()),
        jwk: Set(req.key.canonical_json()),
        contact: Set(serde_json::to_string(&contacts).map_err(AcmeProblem::internal)?),
        status: Set(acme_account::STATUS_VALID.into()),
        created_at: Set(now),
        updated_at: Set(now),
        remote_addr: Set(addr.to_audit()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let row = match inserted {
        Ok(row) => row,
        // Two registrations with the same key raced: the other one won; answer with it.
        Err(e) if is_unique_violation(&e) => {
            drop(txn);
            let existing = acme_account::Entity::find()
                .filter(acme_account::Column::KeyThumbprint.eq(&thumbprint))
                .one(&state.db)
                .await?
                .ok_or_else(|| {
                    AcmeProblem::internal("account vanished after a unique violation")
                })?;
            return Ok(account_response(&state, StatusCode::OK, &existing));
        }
        Err(e) => return Err(e.into()),
    };
    audit_eab(
        &state,
        &txn,
        &cred.key_id,
        Some(cred.customer_id),
        true,
        json!({ "account": row.id, "contact": contacts }),
        addr,
    )
    .await?;
    txn.commit().await?;
    tracing::info!(account = row.id, customer = %shared::CustomerId(row.customer_id), "ACME account registered");
    Ok(account_response(&state, StatusCode::CREATED, &row))
}

/// Marks `row` deactivated (compare-and-set from valid).
pub async fn deactivate(
    db: &impl ConnectionTrait,
    row: &acme_account::Model,
    now: DateTime<Utc>,
) -> Result<acme_account::Model, sea_orm::DbErr> {
    acme_account::Entity::update_many()
        .set(acme_account::ActiveModel {
            status: Set(acme_account::STATUS_DEACTIVATED.into()),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(acme_account::Column::Id.eq(row.id))
        .filter(acme_account::Column::Status.eq(acme_account::STATUS_VALID))
        .exec(db)
        .await?;
    Ok(acme_account::Entity::find_by_id(row.id)
        .one(db)
        .await?
        .unwrap_or_else(|| row.clone()))
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
    let now = state.now();
    if let Some(status) = payload.get("status") {
        if status != acme_account::STATUS_DEACTIVATED {
            return Err(AcmeProblem::malformed(format!(
                "an account's status can only be changed to \"deactivated\", not {status}"
            )));
        }
        let txn = state.db.begin().await?;
        let updated = deactivate(&txn, &account, now).await?;
        AuditEntry {
            actor: format!("acme:{}", account.id),
            customer_id: Some(account.customer_id),
            action: "acme.account.deactivate",
            subject: format!("acme_account:{}", account.id),
            success: true,
            detail: json!({ "via": "acme" }),
            remote_addr: addr.to_audit(),
        }
        .write(&txn, now)
        .await?;
        txn.commit().await?;
        return Ok(account_response(&state, StatusCode::OK, &updated));
    }
    if payload.contains_key("contact") {
        let contacts = check_contacts(payload.get("contact"))?;
        let mut model = account.clone().into_active_model();
        model.contact = Set(serde_json::to_string(&contacts).map_err(AcmeProblem::internal)?);
        model.updated_at = Set(now);
        let updated = model.update(&state.db).await?;
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
    let new_thumb = new_key.thumbprint();
    let conflict = |other: &acme_account::Model| {
        let mut res =
            AcmeProblem::conflict("the new key already belongs to another account").into_response();
        if let Ok(loc) = HeaderValue::from_str(&account_url(&state.config, other.id)) {
            res.headers_mut().insert(header::LOCATION, loc);
        }
        res
    };
    if let Some(other) = acme_account::Entity::find()
        .filter(acme_account::Column::KeyThumbprint.eq(&new_thumb))
        .one(&state.db)
        .await?
    {
        return Ok(conflict(&other));
    }
    let now = state.now();
    let txn = state.db.begin().await?;
    let res = acme_account::Entity::update_many()
        .set(acme_account::ActiveModel {
            key_thumbprint: Set(new_thumb.clone()),
            jwk: Set(new_key.canonical_json()),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(acme_account::Column::Id.eq(account.id))
        .filter(acme_account::Column::KeyThumbprint.eq(&account.key_thumbprint))
        .exec(&txn)
        .await;
    match res {
        Ok(r) if r.rows_affected == 1 => {}
        Ok(_) => {
            return Err(AcmeProblem::conflict(
                "the account key changed concurrently; retry",
            ))
        }
        Err(e) if is_unique_violation(&e) => {
            return Err(AcmeProblem::conflict(
                "the new key already belongs to another account",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    AuditEntry {
        actor: format!("acme:{}", account.id),
        customer_id: Some(account.customer_id),
        action: "acme.account.key_change",
        subject: format!("acme_account:{}", account.id),
        success: true,
        detail: json!({ "old": account.key_thumbprint, "new": new_thumb }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    let updated = acme_account::Entity::find_by_id(account.id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AcmeProblem::internal("account vanished during keyChange"))?;
    Ok(account_response(&state, StatusCode::OK, &updated))
}
