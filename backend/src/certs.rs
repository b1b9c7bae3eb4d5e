//! Issued certificates: revocation (R-CA-3) and the published CRL, shared by the ACME server and
//! the portal.

use base64::Engine;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde_json::json;

use crate::audit::AuditEntry;
use crate::state::AppState;
use crate::store::entity::{certificate, crl};

/// RFC 5280 reason codes a subscriber may give (RFC 8555 §7.6 leaves the rest to the CA).
pub const ACCEPTED_REASONS: [u8; 5] = [0, 1, 3, 4, 5];

/// Why a revocation was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum RevokeError {
    BadReason(u8),
    AlreadyRevoked,
    Internal(String),
}

impl From<sea_orm::DbErr> for RevokeError {
    fn from(e: sea_orm::DbErr) -> Self {
        RevokeError::Internal(e.to_string())
    }
}

/// A certificate of `customer_id` by its id; reserved rows (not yet signed) are not
/// certificates.
pub async fn of_customer(
    db: &impl sea_orm::ConnectionTrait,
    customer_id: i64,
    id: i64,
) -> Result<Option<certificate::Model>, sea_orm::DbErr> {
    certificate::Entity::find_by_id(id)
        .filter(certificate::Column::CustomerId.eq(customer_id))
        .filter(certificate::Column::Status.ne(certificate::RESERVED))
        .one(db)
        .await
}

/// A certificate this CA issued, by its serial (lower-case hex).
pub async fn by_serial(
    db: &impl sea_orm::ConnectionTrait,
    serial: &str,
) -> Result<Option<certificate::Model>, sea_orm::DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial))
        .filter(certificate::Column::Status.ne(certificate::RESERVED))
        .one(db)
        .await
}

/// Revokes `cert` with `reason`, then publishes a fresh CRL.
pub async fn revoke(
    state: &AppState,
    cert: &certificate::Model,
    reason: u8,
    actor: &str,
) -> Result<(), RevokeError> {
    if !ACCEPTED_REASONS.contains(&reason) {
        return Err(RevokeError::BadReason(reason));
    }
    let now = state.now();
    let txn = state.db.begin().await?;
    let res = certificate::Entity::update_many()
        .set(certificate::ActiveModel {
            status: Set(certificate::REVOKED.into()),
            revoked_at: Set(Some(now)),
            revocation_reason: Set(Some(i32::from(reason))),
            ..Default::default()
        })
        .filter(certificate::Column::Id.eq(cert.id))
        .filter(certificate::Column::Status.eq("valid"))
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(RevokeError::AlreadyRevoked);
    }
    AuditEntry {
        actor: actor.to_owned(),
        customer_id: Some(cert.customer_id),
        action: "certificate.revoke",
        subject: cert.serial.clone(),
        success: true,
        detail: json!({ "reason": reason }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    crate::webhooks::emit(
        &txn,
        cert.customer_id,
        shared::dto::WebhookEventType::CertificateRevoked,
        json!({
            "serial": cert.serial,
            "names": cert.names(),
            "reason": reason,
            "revoked_at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
        now,
    )
    .await?;
    txn.commit().await?;
    publish_crl(state)
        .await
        .map_err(|e| RevokeError::Internal(format!("{e:#}")))?;
    Ok(())
}

/// The latest published CRL (by number) and the number the next one gets. A row without DER is
/// a placeholder an older version left behind: never served, but its number is taken.
async fn latest_crl(
    db: &impl sea_orm::ConnectionTrait,
) -> Result<(Option<crl::Model>, i64), sea_orm::DbErr> {
    let newest = crl::Entity::find()
        .order_by_desc(crl::Column::Id)
        .one(db)
        .await?;
    let next = newest.as_ref().map_or(1, |row| row.id + 1);
    let published = match newest {
        Some(row) if !row.der.is_empty() => Some(row),
        Some(_) => {
            crl::Entity::find()
                .filter(crl::Column::Der.ne(""))
                .order_by_desc(crl::Column::Id)
                .one(db)
                .await?
        }
        None => None,
    };
    Ok((published, next))
}

/// When the latest revocation happened, if one did (by `idx_certificates_revoked_at`).
async fn last_revocation(
    db: &impl sea_orm::ConnectionTrait,
) -> Result<Option<DateTime<Utc>>, sea_orm::DbErr> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::RevokedAt.is_not_null())
        .order_by_desc(certificate::Column::RevokedAt)
        .one(db)
        .await?
        .and_then(|c| c.revoked_at))
}

/// When the first certificate was issued, if one was.
async fn first_issuance(
    db: &impl sea_orm::ConnectionTrait,
) -> Result<Option<DateTime<Utc>>, sea_orm::DbErr> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::Status.is_in([certificate::VALID, certificate::REVOKED]))
        .order_by_asc(certificate::Column::Id)
        .one(db)
        .await?
        .map(|c| c.created_at))
}

/// Signs CRL number `number` of every revoked certificate not yet expired and stores it under
/// that number, which is the row's key: when another process stored that number first (the
/// insert is the compare-and-set), this CRL is dropped unpublished and `None` comes back.
async fn try_publish(state: &AppState, number: i64) -> anyhow::Result<Option<crl::Model>> {
    let now = state.now();
    let revoked = certificate::Entity::find()
        .filter(certificate::Column::Status.eq(certificate::REVOKED))
        .filter(certificate::Column::NotAfter.gt(now))
        .all(&state.db)
        .await?;
    let entries: Vec<(String, DateTime<Utc>, u8)> = revoked
        .iter()
        .map(|c| {
            (
                c.serial.clone(),
                c.revoked_at.unwrap_or(now),
                c.revocation_reason.unwrap_or(0) as u8,
            )
        })
        .collect();
    let next = now + crate::ca::crl::NEXT_UPDATE;
    let der = state.ca.crl(number, &entries, now, next)?;
    let row = crl::ActiveModel {
        id: Set(number),
        der: Set(base64::engine::general_purpose::STANDARD.encode(der)),
        this_update: Set(now),
        next_update: Set(next),
    };
    match crl::Entity::insert(row).exec(&state.db).await {
        Ok(_) => {}
        Err(e) if crate::store::is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    Ok(crl::Entity::find_by_id(number).one(&state.db).await?)
}

/// Signs and stores a new CRL of every revoked certificate not yet expired, under the next CRL
/// number; when another process takes that number first, tries the one after (its CRL may
/// have been built before the revocation this one is for).
pub async fn publish_crl(state: &AppState) -> anyhow::Result<crl::Model> {
    for _ in 0..8 {
        let (_, number) = latest_crl(&state.db).await?;
        if let Some(row) = try_publish(state, number).await? {
            return Ok(row);
        }
    }
    anyhow::bail!("another process kept taking the next CRL number")
}

/// The housekeeping tick's CRL (R-CA-5): signs one when `ca::crl::due` says so. Safe in several
/// processes at once: they race for the same CRL number and one stores it.
pub async fn scheduled_crl(state: &AppState) -> anyhow::Result<Option<crl::Model>> {
    let (latest, number) = latest_crl(&state.db).await?;
    let first = first_issuance(&state.db).await?;
    let revoked = last_revocation(&state.db).await?;
    let latest = latest.map(|l| l.this_update);
    if crate::ca::crl::due(latest, first, revoked, state.now()).is_none() {
        return Ok(None);
    }
    try_publish(state, number).await
}

/// The CRL to serve: the latest, after the schedule's check (so a deployment whose workers are
/// down still serves a fresh one); signs the first one if none was ever published.
pub async fn current_crl(state: &AppState) -> anyhow::Result<Vec<u8>> {
    scheduled_crl(state).await?;
    let row = match latest_crl(&state.db).await?.0 {
        Some(row) => row,
        None => publish_crl(state).await?,
    };
    Ok(base64::engine::general_purpose::STANDARD.decode(row.der)?)
}

/// `GET /ca/intermediate.crl`: the current CRL (DER).
pub async fn crl_handler(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match current_crl(&state).await {
        Ok(der) => (
            [(axum::http::header::CONTENT_TYPE, "application/pkix-crl")],
            der,
        )
            .into_response(),
        Err(e) => {
            crate::error::ApiError::internal(format!("publishing the CRL: {e:#}")).into_response()
        }
    }
}

/// `GET /ca/intermediate.der`: the issuing certificate (the AIA caIssuers URL).
pub async fn intermediate_handler(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/pkix-cert")],
        state.ca.intermediate_der.clone(),
    )
        .into_response()
}

/// `GET /ca/root.der`: the root (the intermediate's AIA caIssuers URL).
pub async fn root_der_handler(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/pkix-cert")],
        state.ca.root_der.clone(),
    )
        .into_response()
}

/// `GET /ca/root.crl`: the root's CRL, which covers the intermediate (its CRL distribution
/// point); absent when the CA files come from configuration.
pub async fn root_crl_handler(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(path) = &state.ca.root_crl else {
        return crate::error::ApiError::not_found(
            "the root's CRL is published by the operator of the configured CA",
        )
        .into_response();
    };
    match tokio::fs::read(path).await {
        Ok(der) => (
            [(axum::http::header::CONTENT_TYPE, "application/pkix-crl")],
            der,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "the root's CRL cannot be read");
            crate::error::ApiError::not_found(
                "the root's CRL is not signed yet (`certdirect ca root-crl`)",
            )
            .into_response()
        }
    }
}

/// `GET /ca/root.pem`: the root to trust.
pub async fn root_handler(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
        state.ca.root_pem.clone(),
    )
        .into_response()
}

/// The CA's public files.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/intermediate.crl", axum::routing::get(crl_handler))
        .route(
            "/intermediate.der",
            axum::routing::get(intermediate_handler),
        )
        .route("/root.pem", axum::routing::get(root_handler))
        .route("/root.der", axum::routing::get(root_der_handler))
        .route("/root.crl", axum::routing::get(root_crl_handler))
}

/// The certificate a RFC 9773 certificate identifier names: ours, signed, with that serial and
/// issued under that key identifier.
pub async fn by_cert_id(
    db: &impl sea_orm::ConnectionTrait,
    id: &crate::renewal::CertId,
) -> Result<Option<certificate::Model>, sea_orm::DbErr> {
    Ok(by_serial(db, &id.serial_hex()).await?.filter(|c| {
        crate::renewal::authority_key_id(&c.leaf_pem).as_deref() == Some(&id.key_id[..])
    }))
}
