//! Anti-replay nonces (RFC 8555 §6.5), kept in the database so that any server process can
//! redeem any nonce, exactly once. Unused nonces expire after an hour and are purged, so the
//! table stays bounded however many are fetched (R-ACME-2).

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::store::entity::acme_nonce;

pub const NONCE_TTL_MINUTES: i64 = 60;

/// Makes and stores a fresh nonce.
pub async fn issue(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<String, sea_orm::DbErr> {
    let value = crate::secrets::random_token();
    acme_nonce::ActiveModel {
        value: Set(value.clone()),
        expires_at: Set(now + Duration::minutes(NONCE_TTL_MINUTES)),
    }
    .insert(db)
    .await?;
    Ok(value)
}

/// Redeems `value`: true exactly once for a nonce we issued that has not expired.
pub async fn redeem(
    db: &impl ConnectionTrait,
    value: &str,
    now: DateTime<Utc>,
) -> Result<bool, sea_orm::DbErr> {
    if value.is_empty() || value.len() > 64 {
        return Ok(false);
    }
    let res = acme_nonce::Entity::delete_many()
        .filter(acme_nonce::Column::Value.eq(value))
        .filter(acme_nonce::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Deletes expired nonces; returns how many.
pub async fn purge(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, sea_orm::DbErr> {
    Ok(acme_nonce::Entity::delete_many()
        .filter(acme_nonce::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}
