//! The queries of the ACME domain: few, by index, each a fixed number of round trips however
//! large the customer (R-ACME-12), and guarded status changes (compare-and-set).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    Set,
};
use shared::acme::{AuthzStatus, ChallengeStatus, OrderStatus};

use super::OrderError;
use crate::store::entity::{
    acme_authorization, acme_challenge, acme_order, acme_order_authorization, registration,
};

/// The customer's registrations that can cover or explain `names`: one indexed query on
/// (customer, fqdn) over a handful of candidate names (`policy::candidate_fqdns`).
pub async fn candidate_registrations(
    db: &impl ConnectionTrait,
    customer_id: i64,
    names: &[String],
) -> Result<Vec<registration::Model>, DbErr> {
    candidate_registrations_query(customer_id, names)
        .all(db)
        .await
}

/// The query of [`candidate_registrations`] (its plan is tested to use
/// `idx_registrations_customer_fqdn`).
pub fn candidate_registrations_query(
    customer_id: i64,
    names: &[String],
) -> Select<registration::Entity> {
    registration::Entity::find()
        .filter(registration::Column::CustomerId.eq(customer_id))
        .filter(registration::Column::Fqdn.is_in(crate::policy::candidate_fqdns(names)))
}

/// The account's valid, unexpired authorizations for the bare names `identifiers` (R-ACME-5).
pub fn reusable_authorizations_query<'a>(
    account_id: i64,
    identifiers: impl IntoIterator<Item = &'a str>,
    now: DateTime<Utc>,
) -> Select<acme_authorization::Entity> {
    acme_authorization::Entity::find()
        .filter(acme_authorization::Column::AccountId.eq(account_id))
        .filter(acme_authorization::Column::Identifier.is_in(identifiers))
        .filter(acme_authorization::Column::Status.eq(AuthzStatus::Valid.as_str()))
        .filter(acme_authorization::Column::ExpiresAt.gt(now))
        .order_by_desc(acme_authorization::Column::ExpiresAt)
}

/// The ids of an account's orders, newest first, at most `limit` (RFC 8555 §7.1.2.1).
pub fn account_order_ids_query(account_id: i64, limit: u64) -> Select<acme_order::Entity> {
    acme_order::Entity::find()
        .select_only()
        .column(acme_order::Column::Id)
        .filter(acme_order::Column::AccountId.eq(account_id))
        .order_by_desc(acme_order::Column::Id)
        .limit(limit)
}

/// An order of `account_id`, or `NotFound`.
pub async fn own_order(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<acme_order::Model, OrderError> {
    acme_order::Entity::find_by_id(id)
        .filter(acme_order::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or_else(|| OrderError::NotFound(format!("this account has no order {id}")))
}

/// The order's authorizations in one query (a subquery on the link table).
pub async fn order_authorizations(
    db: &impl ConnectionTrait,
    order_id: i64,
) -> Result<Vec<acme_authorization::Model>, DbErr> {
    order_authorizations_query(order_id).all(db).await
}

/// The query of [`order_authorizations`].
pub fn order_authorizations_query(order_id: i64) -> Select<acme_authorization::Entity> {
    let linked = Query::select()
        .column(acme_order_authorization::Column::AuthorizationId)
        .from(acme_order_authorization::Entity)
        .and_where(acme_order_authorization::Column::OrderId.eq(order_id))
        .to_owned();
    acme_authorization::Entity::find()
        .filter(acme_authorization::Column::Id.in_subquery(linked))
        .order_by_asc(acme_authorization::Column::Id)
}

/// An authorization of `account_id`, or `NotFound`.
pub async fn own_authorization(
    db: &impl ConnectionTrait,
    account_id: i64,
    id: i64,
) -> Result<acme_authorization::Model, OrderError> {
    acme_authorization::Entity::find_by_id(id)
        .filter(acme_authorization::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or_else(|| OrderError::NotFound(format!("this account has no authorization {id}")))
}

/// The challenges of an authorization, in the order they were offered.
pub async fn challenges_of(
    db: &impl ConnectionTrait,
    authorization_id: i64,
) -> Result<Vec<acme_challenge::Model>, DbErr> {
    challenges_query(authorization_id).all(db).await
}

/// The query of [`challenges_of`].
pub fn challenges_query(authorization_id: i64) -> Select<acme_challenge::Entity> {
    acme_challenge::Entity::find()
        .filter(acme_challenge::Column::AuthorizationId.eq(authorization_id))
        .order_by_asc(acme_challenge::Column::Id)
}

fn refuse<S: std::fmt::Display>(what: &str, from: S, to: S) -> OrderError {
    OrderError::Internal(format!("{what} cannot go from {from} to {to}"))
}

/// Moves order `id` from `from` to `to` (with `changes`) if it is still `from`; false if another
/// request changed it first.
pub async fn transition_order(
    db: &impl ConnectionTrait,
    id: i64,
    from: OrderStatus,
    to: OrderStatus,
    mut changes: acme_order::ActiveModel,
    now: DateTime<Utc>,
) -> Result<bool, OrderError> {
    if !from.can_become(to) {
        return Err(refuse("an order", from, to));
    }
    changes.status = Set(to.as_str().to_owned());
    changes.updated_at = Set(now);
    let res = acme_order::Entity::update_many()
        .set(changes)
        .filter(acme_order::Column::Id.eq(id))
        .filter(acme_order::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Moves authorization `id` to `to` from any of `from`; false if it was in none of them.
pub async fn transition_authorization(
    db: &impl ConnectionTrait,
    id: i64,
    from: &[AuthzStatus],
    to: AuthzStatus,
    mut changes: acme_authorization::ActiveModel,
    now: DateTime<Utc>,
) -> Result<bool, OrderError> {
    if let Some(bad) = from.iter().find(|f| !f.can_become(to)) {
        return Err(refuse("an authorization", *bad, to));
    }
    changes.status = Set(to.as_str().to_owned());
    changes.updated_at = Set(now);
    let res = acme_authorization::Entity::update_many()
        .set(changes)
        .filter(acme_authorization::Column::Id.eq(id))
        .filter(acme_authorization::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Moves challenge `id` from `from` to `to` (with `changes`) if it is still `from`.
pub async fn transition_challenge(
    db: &impl ConnectionTrait,
    id: i64,
    from: ChallengeStatus,
    to: ChallengeStatus,
    mut changes: acme_challenge::ActiveModel,
    now: DateTime<Utc>,
) -> Result<bool, OrderError> {
    if !from.can_become(to) {
        return Err(refuse("a challenge", from, to));
    }
    changes.status = Set(to.as_str().to_owned());
    changes.updated_at = Set(now);
    let res = acme_challenge::Entity::update_many()
        .set(changes)
        .filter(acme_challenge::Column::Id.eq(id))
        .filter(acme_challenge::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
