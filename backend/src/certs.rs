//! Issued certificates: revocation (R-CA-3) and the published CRL, shared by the ACME server and
//! the portal.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;

use crate::audit::AuditEntry;
use crate::state::AppState;
use crate::store::entity::{certificate, crl};

/// Expiry reminders go out this many days before notAfter (R-CA-4).
pub const REMINDER_DAYS: i64 = 14;

/// Emails one reminder per certificate that expires within [`REMINDER_DAYS`], unless a newer
/// valid certificate of the same customer covers the same names (it was renewed). Returns how
/// many were sent. Safe to run in several processes: each reminder is claimed by compare-and-set.
pub async fn send_expiry_reminders(state: &AppState) -> anyhow::Result<u32> {
    let now = state.now();
    let due = certificate::Entity::find()
        .filter(certificate::Column::Status.eq("valid"))
        .filter(certificate::Column::RemindedAt.is_null())
        .filter(certificate::Column::NotAfter.gt(now))
        .filter(certificate::Column::NotAfter.lte(now + Duration::days(REMINDER_DAYS)))
        .all(&state.db)
        .await?;
    let mut sent = 0;
    for cert in due {
        let mut names = cert.names();
        names.sort();
        let newer = certificate::Entity::find()
            .filter(certificate::Column::CustomerId.eq(cert.customer_id))
            .filter(certificate::Column::Status.eq("valid"))
            .filter(certificate::Column::NotAfter.gt(cert.not_after))
            .all(&state.db)
            .await?
            .into_iter()
            .any(|c| {
                let mut n = c.names();
                n.sort();
                n == names
            });
        let txn = state.db.begin().await?;
        let claimed = certificate::Entity::update_many()
            .set(certificate::ActiveModel {
                reminded_at: Set(Some(now)),
                ..Default::default()
            })
            .filter(certificate::Column::Id.eq(cert.id))
            .filter(certificate::Column::RemindedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        if !newer {
            let Some(customer) =
                crate::store::entity::customer::Entity::find_by_id(cert.customer_id)
                    .one(&txn)
                    .await?
            else {
                continue;
            };
            let names_text = names.join(", ");
            let mail = crate::mail::templates::expiry_reminder(&crate::mail::templates::Reminder {
                to: crate::mail::templates::Recipient::customer(&state.config.brand, &customer),
                names: &names_text,
                serial: &cert.serial,
                expires: cert.not_after,
            });
            state.mailer.send(&mail).await?;
            sent += 1;
        }
        txn.commit().await?;
    }
    Ok(sent)
}

/// How long a published CRL is valid; it is re-signed on every revocation and well before this.
pub const CRL_VALIDITY_DAYS: i64 = 7;

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
        .filter(certificate::Column::Status.ne(crate::orders::finalize::CERT_RESERVED))
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
        .filter(certificate::Column::Status.ne(crate::orders::finalize::CERT_RESERVED))
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
            status: Set("revoked".into()),
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
    txn.commit().await?;
    publish_crl(state)
        .await
        .map_err(|e| RevokeError::Internal(format!("{e:#}")))?;
    Ok(())
}

/// Signs and stores a new CRL of every revoked certificate not yet expired.
pub async fn publish_crl(state: &AppState) -> anyhow::Result<crl::Model> {
    let now = state.now();
    let revoked = certificate::Entity::find()
        .filter(certificate::Column::Status.eq("revoked"))
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
    let next = now + Duration::days(CRL_VALIDITY_DAYS);
    // The row id is the CRL number: insert a placeholder, sign with its id, then store the DER.
    let row = crl::ActiveModel {
        der: Set(String::new()),
        this_update: Set(now),
        next_update: Set(next),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    let der = state.ca.crl(row.id, &entries, now, next)?;
    let mut model: crl::ActiveModel = row.into();
    model.der = Set(base64::engine::general_purpose::STANDARD.encode(der));
    Ok(model.update(&state.db).await?)
}

/// The newest CRL, publishing one if none exists or the newest is within a day of its next update.
pub async fn current_crl(state: &AppState) -> anyhow::Result<Vec<u8>> {
    let latest = crl::Entity::find()
        .filter(crl::Column::Der.ne(""))
        .order_by_desc(crl::Column::Id)
        .one(&state.db)
        .await?;
    let row = match latest {
        Some(row) if row.next_update - Duration::days(1) > state.now() => row,
        _ => publish_crl(state).await?,
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
