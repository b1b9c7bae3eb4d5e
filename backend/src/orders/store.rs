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

/// The account's valid, unexpired authorizations for the bare names `identifiers` (R-ACME-5)
/// whose validation is recent enough to back a certificate issued now (BR 4.2.1,
/// `br::reuse_cutoff`): the index on (account, identifier) finds them, the rest filters.
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
        .filter(acme_authorization::Column::ValidatedAt.gt(crate::br::reuse_cutoff(now)))
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

/// Each name as an authorization identifies it: the name without `*.`, and whether it was a
/// wildcard.
pub fn split_wildcards(names: &[String]) -> Vec<(&str, bool)> {
    names
        .iter()
        .map(|n| match n.strip_prefix("*.") {
            Some(bare) => (bare, true),
            None => (n.as_str(), false),
        })
        .collect()
}

/// Whether `account_id` holds valid, unexpired authorizations for every one of `names`, validated
/// within the BR 4.2.1 reuse period (RFC 8555 §7.6: such an account may revoke a certificate for
/// them). One query.
pub async fn holds_authorizations_for(
    db: &impl ConnectionTrait,
    account_id: i64,
    names: &[String],
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let wanted = split_wildcards(names);
    let held = reusable_authorizations_query(account_id, wanted.iter().map(|(b, _)| *b), now)
        .all(db)
        .await?;
    Ok(wanted.iter().all(|(bare, wildcard)| {
        held.iter()
            .any(|a| a.identifier == *bare && a.wildcard == *wildcard)
    }))
}

/// Whether `thumbprint` is the key of any ACME account of `customer_id` (R-ACME-6: a
/// certificate key must not be an account key of the customer). One indexed query.
pub async fn is_account_key_of_customer(
    db: &impl ConnectionTrait,
    customer_id: i64,
    thumbprint: &str,
) -> Result<bool, DbErr> {
    use crate::store::entity::acme_account;
    Ok(acme_account::Entity::find()
        .filter(acme_account::Column::KeyThumbprint.eq(thumbprint))
        .filter(acme_account::Column::CustomerId.eq(customer_id))
        .one(db)
        .await?
        .is_some())
}

/// Orders an account may list (RFC 8555 §7.1.2.1): not invalid, newest first, `limit` plus one
/// (to know whether there is a next page), older than `before` when paging on.
pub fn listable_orders_query(
    account_id: i64,
    before: Option<i64>,
    limit: u64,
    now: DateTime<Utc>,
) -> Select<acme_order::Entity> {
    let mut q = account_order_ids_query(account_id, limit + 1)
        .filter(acme_order::Column::Status.ne(OrderStatus::Invalid.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(acme_order::Column::Status.ne(OrderStatus::Pending.as_str()))
                .add(acme_order::Column::ExpiresAt.gt(now)),
        );
    if let Some(before) = before {
        q = q.filter(acme_order::Column::Id.lt(before));
    }
    q
}

/// Marks the pending orders that use authorization `authorization_id` `invalid` (it failed or was
/// deactivated, so they can never become ready), so the account's orders list can leave them out
/// by their stored status (RFC 8555 §7.1.2.1).
pub async fn invalidate_orders_of(
    db: &impl ConnectionTrait,
    authorization_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let linked = Query::select()
        .column(acme_order_authorization::Column::OrderId)
        .from(acme_order_authorization::Entity)
        .and_where(acme_order_authorization::Column::AuthorizationId.eq(authorization_id))
        .to_owned();
    acme_order::Entity::update_many()
        .set(acme_order::ActiveModel {
            status: Set(OrderStatus::Invalid.as_str().to_owned()),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(acme_order::Column::Status.eq(OrderStatus::Pending.as_str()))
        .filter(acme_order::Column::Id.in_subquery(linked))
        .exec(db)
        .await
        .map(|_| ())
}

/// The id of a live order (not invalid, not expired while pending) that replaces certificate
/// `certificate_id` (RFC 9773), if any.
pub async fn live_replacing_order(
    db: &impl ConnectionTrait,
    certificate_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, OrderError> {
    use sea_orm::Condition;
    let found = acme_order::Entity::find()
        .filter(acme_order::Column::ReplacesId.eq(certificate_id))
        .filter(acme_order::Column::Status.ne(OrderStatus::Invalid.as_str()))
        .filter(
            Condition::any()
                .add(acme_order::Column::Status.ne(OrderStatus::Pending.as_str()))
                .add(acme_order::Column::ExpiresAt.gt(now)),
        )
        .one(db)
        .await?;
    Ok(found.map(|o| o.id))
}
