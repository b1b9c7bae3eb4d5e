//! Authorizations and challenges (RFC 8555 §7.5): reading them, deactivation, and the client's
//! answer that starts a validation on the durable queue (R-VAL-3).

use sea_orm::{EntityTrait, TransactionTrait};
use shared::acme::{AuthzStatus, ChallengeStatus};

use super::{store, OrderError};
use crate::state::AppState;
use crate::store::entity::{acme_account, acme_authorization, acme_challenge};

/// An authorization of `account` with its challenges.
pub async fn authorization(
    state: &AppState,
    account: &acme_account::Model,
    id: i64,
) -> Result<(acme_authorization::Model, Vec<acme_challenge::Model>), OrderError> {
    let authz = store::own_authorization(&state.db, account.id, id).await?;
    let challenges = store::challenges_of(&state.db, authz.id).await?;
    Ok((authz, challenges))
}

/// Deactivates a pending or valid authorization of `account` (RFC 8555 §7.5.2); returns it with
/// its challenges as they are afterwards.
pub async fn deactivate_authorization(
    state: &AppState,
    account: &acme_account::Model,
    id: i64,
) -> Result<(acme_authorization::Model, Vec<acme_challenge::Model>), OrderError> {
    let mut authz = store::own_authorization(&state.db, account.id, id).await?;
    let now = state.now();
    let txn = state.db.begin().await?;
    let moved = store::transition_authorization(
        &txn,
        authz.id,
        &[AuthzStatus::Pending, AuthzStatus::Valid],
        AuthzStatus::Deactivated,
        <acme_authorization::ActiveModel as Default>::default(),
        now,
    )
    .await?;
    if moved {
        store::invalidate_orders_of(&txn, authz.id, now).await?;
    }
    txn.commit().await?;
    if moved {
        authz.status = AuthzStatus::Deactivated.as_str().to_owned();
        authz.updated_at = now;
    } else if authz.stored_status() != AuthzStatus::Deactivated {
        return Err(OrderError::NotAllowed(format!(
            "the authorization is {}; only a pending or valid one can be deactivated",
            authz.status_at(now)
        )));
    }
    let challenges = store::challenges_of(&state.db, authz.id).await?;
    Ok((authz, challenges))
}

/// A challenge of `account` with its authorization.
pub async fn challenge(
    state: &AppState,
    account: &acme_account::Model,
    id: i64,
) -> Result<(acme_challenge::Model, acme_authorization::Model), OrderError> {
    let missing = || OrderError::NotFound(format!("this account has no challenge {id}"));
    let c = acme_challenge::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(missing)?;
    let a = store::own_authorization(&state.db, account.id, c.authorization_id)
        .await
        .map_err(|_| missing())?;
    Ok((c, a))
}

/// The client's answer to a challenge (RFC 8555 §7.5.1): a pending challenge of a pending
/// authorization becomes `processing` and its validation is queued, in one transaction; an
/// answer to a challenge already being or having been validated changes nothing.
pub async fn answer_challenge(
    state: &AppState,
    account: &acme_account::Model,
    id: i64,
) -> Result<(acme_challenge::Model, acme_authorization::Model), OrderError> {
    let (mut c, a) = challenge(state, account, id).await?;
    if c.stored_status() != ChallengeStatus::Pending {
        return Ok((c, a));
    }
    let now = state.now();
    let seen = a.status_at(now);
    if seen != AuthzStatus::Pending {
        return Err(OrderError::NotAllowed(format!(
            "the authorization is {seen}; it expired or was decided already, so create a new order"
        )));
    }
    let txn = state.db.begin().await?;
    let moved = store::transition_challenge(
        &txn,
        c.id,
        ChallengeStatus::Pending,
        ChallengeStatus::Processing,
        <acme_challenge::ActiveModel as Default>::default(),
        now,
    )
    .await?;
    if moved {
        crate::queue::enqueue(&txn, c.id, now).await?;
    }
    txn.commit().await?;
    if moved {
        state.va_wakeup.notify_one();
        c.status = ChallengeStatus::Processing.as_str().to_owned();
        c.updated_at = now;
    } else if let Some(current) = acme_challenge::Entity::find_by_id(c.id)
        .one(&state.db)
        .await?
    {
        c = current;
    }
    Ok((c, a))
}
