//! ACME accounts, the domain half (RFC 8555 §7.3; R-ACME-3, R-EAB-3, R-EAB-4): registration
//! bound through External Account Binding, contact updates, deactivation and key rollover. No
//! HTTP here: the ACME front end (`acme::account`) parses and verifies the requests and turns an
//! [`AccountError`] into a problem document; the portal deactivates accounts through here too.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
    TransactionTrait,
};
use serde_json::{json, Value};

use crate::audit::AuditEntry;
use crate::jose::{Jwk, Jws};
use crate::state::AppState;
use crate::store::entity::{acme_account, eab_credential};
use crate::store::is_unique_violation;

/// Why an account operation did not happen; the ACME front end maps each to its problem type.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    ExternalAccountRequired(String),
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Unauthorized(String),
    /// The key belongs to another account (`existing`).
    #[error("{detail}")]
    Conflict {
        detail: String,
        existing: Option<i64>,
    },
    #[error("{}", .0.detail())]
    RateLimited(crate::ratelimit::Exceeded),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Internal(String),
}

/// Who is asking: the client's address, for limits and the audit log.
#[derive(Debug, Clone, Copy, Default)]
pub struct Requester(pub Option<std::net::IpAddr>);

impl Requester {
    fn audit(self) -> Option<String> {
        self.0.map(|a| a.to_string())
    }
}

/// The account with id `id`, if any.
pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<acme_account::Model>, sea_orm::DbErr> {
    acme_account::Entity::find_by_id(id).one(db).await
}

/// The account registered for `thumbprint`, if any.
pub async fn by_key(
    db: &impl ConnectionTrait,
    thumbprint: &str,
) -> Result<Option<acme_account::Model>, sea_orm::DbErr> {
    acme_account::Entity::find()
        .filter(acme_account::Column::KeyThumbprint.eq(thumbprint))
        .one(db)
        .await
}

/// Audits one EAB use, success or failure (R-EAB-4).
async fn audit_eab(
    state: &AppState,
    db: &impl ConnectionTrait,
    kid: &str,
    customer_id: Option<i64>,
    ok: bool,
    detail: Value,
    remote: Option<String>,
) -> Result<(), AccountError> {
    AuditEntry {
        actor: "acme".into(),
        customer_id,
        action: "eab.use",
        subject: kid.chars().take(64).collect(),
        success: ok,
        detail,
        remote_addr: remote,
    }
    .write(db, state.now())
    .await?;
    Ok(())
}

/// Verifies the External Account Binding (RFC 8555 §7.3.4) and returns the credentials it names.
pub(crate) async fn check_eab(
    state: &AppState,
    key: &Jwk,
    url: &str,
    eab: Option<&Value>,
    remote: Option<String>,
) -> Result<eab_credential::Model, AccountError> {
    let eab = eab.ok_or_else(|| {
        AccountError::ExternalAccountRequired(String::from(
            "this CA requires External Account Binding: register with the EAB key id and HMAC key shown on your My Page",
        ))
    })?;
    let inner = Jws::parse(eab.to_string().as_bytes())
        .map_err(|p| AccountError::Malformed(format!("externalAccountBinding: {}", p.detail())))?;
    let p = &inner.protected;
    if p.alg != "HS256" {
        return Err(AccountError::Malformed(format!(
            "externalAccountBinding must use alg HS256, not {:?}",
            p.alg
        )));
    }
    if p.nonce.is_some() {
        return Err(AccountError::Malformed(
            "externalAccountBinding must not carry a nonce".into(),
        ));
    }
    if p.url.as_deref() != Some(url) {
        return Err(AccountError::Malformed(format!(
            "externalAccountBinding's url must be the newAccount URL {:?}",
            url
        )));
    }
    let kid = p
        .kid
        .clone()
        .ok_or_else(|| AccountError::Malformed("externalAccountBinding has no \"kid\"".into()))?;
    let bound: Value = serde_json::from_slice(&inner.payload).map_err(|_| {
        AccountError::Malformed("externalAccountBinding's payload must be the account JWK".into())
    })?;
    if Jwk::from_json(&bound).ok().as_ref() != Some(key) {
        return Err(AccountError::Malformed(
            "externalAccountBinding binds a different key than the one that signed this request"
                .into(),
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
            remote.clone(),
        )
        .await?;
        return Err(AccountError::Unauthorized(format!(
            "the EAB key id {kid:?} is not known to this CA"
        )));
    };
    let hmac = crate::eab::hmac_key(&state.secrets, &cred)
        .map_err(|e| AccountError::Internal(e.to_string()))?;
    let refusal = if !inner.verify_hs256(&hmac) {
        Some(("wrong MAC", format!(
            "the externalAccountBinding MAC does not verify with the HMAC key of key id {kid:?}; copy the HMAC key from your My Page"
        )))
    } else if cred.revoked_at.is_some() {
        Some(("revoked", format!(
            "the EAB key id {kid:?} was replaced by newer credentials; use the ones shown on your My Page"
        )))
    } else if cred.expires_at <= now {
        Some(("expired", format!(
            "the EAB credentials {kid:?} expired at {} (valid 14 days); please contact the customer center for new ones",
            crate::clock::rfc3339(cred.expires_at)
        )))
    } else {
        None
    };
    // Every refusal is audited with its reason (R-EAB-4); the MAC is checked before expiry or
    // revocation is disclosed.
    if let Some((reason, message)) = refusal {
        audit_eab(
            state,
            &state.db,
            &kid,
            Some(cred.customer_id),
            false,
            json!({ "reason": reason }),
            remote,
        )
        .await?;
        return Err(AccountError::Unauthorized(message));
    }
    Ok(cred)
}

/// Registers an account for `key` bound through the External Account Binding `eab` (signed for
/// the newAccount `url`), counted against the per-address limit first (R-ACME-10). Returns the
/// account and whether it is new (a racing registration of the same key returns the winner's).
pub async fn register(
    state: &AppState,
    key: &Jwk,
    url: &str,
    contacts: Vec<String>,
    eab: Option<&Value>,
    from: Requester,
) -> Result<(acme_account::Model, bool), AccountError> {
    let address = from
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
        return Err(AccountError::RateLimited(exceeded));
    }
    let cred = check_eab(state, key, url, eab, from.audit()).await?;
    let thumbprint = key.thumbprint();
    let now = state.now();
    let txn = state.db.begin().await?;
    let inserted = acme_account::ActiveModel {
        customer_id: Set(cred.customer_id),
        eab_id: Set(cred.id),
        key_thumbprint: Set(thumbprint.clone()),
        jwk: Set(key.canonical_json()),
        contact: Set(
            serde_json::to_string(&contacts).map_err(|e| AccountError::Internal(e.to_string()))?
        ),
        status: Set(acme_account::STATUS_VALID.into()),
        created_at: Set(now),
        updated_at: Set(now),
        remote_addr: Set(from.audit()),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let row = match inserted {
        Ok(row) => row,
        // Two registrations with the same key raced: the other one won; answer with it.
        Err(e) if is_unique_violation(&e) => {
            drop(txn);
            let existing = by_key(&state.db, &thumbprint).await?.ok_or_else(|| {
                AccountError::Internal("account vanished after a unique violation".into())
            })?;
            return Ok((existing, false));
        }
        Err(e) => return Err(e.into()),
    };
    audit_eab(
        state,
        &txn,
        &cred.key_id,
        Some(cred.customer_id),
        true,
        json!({ "account": row.id, "contact": contacts }),
        from.audit(),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(account = row.id, customer = %shared::CustomerId(row.customer_id), "ACME account registered");
    Ok((row, true))
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

/// The account's own deactivation over ACME (RFC 8555 §7.3.6), audited.
pub async fn deactivate_by_client(
    state: &AppState,
    account: &acme_account::Model,
    from: Requester,
) -> Result<acme_account::Model, AccountError> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let updated = deactivate(&txn, account, now).await?;
    AuditEntry {
        actor: format!("acme:{}", account.id),
        customer_id: Some(account.customer_id),
        action: "acme.account.deactivate",
        subject: format!("acme_account:{}", account.id),
        success: true,
        detail: json!({ "via": "acme" }),
        remote_addr: from.audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Replaces the account's contacts.
pub async fn update_contacts(
    state: &AppState,
    account: &acme_account::Model,
    contacts: &[String],
) -> Result<acme_account::Model, AccountError> {
    let mut model = account.clone().into_active_model();
    model.contact =
        Set(serde_json::to_string(contacts).map_err(|e| AccountError::Internal(e.to_string()))?);
    model.updated_at = Set(state.now());
    Ok(model.update(&state.db).await?)
}

/// Key rollover (RFC 8555 §7.3.5) once the front end has verified both signatures: the new key
/// must belong to no other account; the change is guarded on the old key and audited.
pub async fn change_key(
    state: &AppState,
    account: &acme_account::Model,
    new_key: &Jwk,
    from: Requester,
) -> Result<acme_account::Model, AccountError> {
    let new_thumb = new_key.thumbprint();
    let taken = |existing: Option<i64>| AccountError::Conflict {
        detail: "the new key already belongs to another account".into(),
        existing,
    };
    if let Some(other) = by_key(&state.db, &new_thumb).await? {
        return Err(taken(Some(other.id)));
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
            return Err(AccountError::Conflict {
                detail: "the account key changed concurrently; retry".into(),
                existing: None,
            })
        }
        Err(e) if is_unique_violation(&e) => return Err(taken(None)),
        Err(e) => return Err(e.into()),
    }
    AuditEntry {
        actor: format!("acme:{}", account.id),
        customer_id: Some(account.customer_id),
        action: "acme.account.key_change",
        subject: format!("acme_account:{}", account.id),
        success: true,
        detail: json!({ "old": account.key_thumbprint, "new": new_thumb }),
        remote_addr: from.audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    acme_account::Entity::find_by_id(account.id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AccountError::Internal("account vanished during keyChange".into()))
}
