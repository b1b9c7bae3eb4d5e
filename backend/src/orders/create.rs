//! newOrder's domain half (RFC 8555 §7.4, R-ACME-4, R-ACME-5): the policy over the few
//! registrations that can cover the names, reuse of the account's valid authorizations, and the
//! order with its new authorizations and challenges written in one transaction.

use chrono::Duration;
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};
use shared::acme::{AuthzStatus, ChallengeStatus, ChallengeType, OrderStatus};

use super::{store, OrderError, OrderState, AUTHZ_LIFETIME_DAYS, ORDER_LIFETIME_DAYS};
use crate::ratelimit::{self, Limit};
use crate::renewal::CertId;
use crate::state::AppState;
use crate::store::entity::{
    acme_account, acme_authorization, acme_challenge, acme_order, acme_order_authorization,
    certificate,
};

/// Creates an order of `account` for `names` (A-labels, `*.` for wildcards, deduplicated).
/// Queries: the candidate registrations, the reusable authorizations, then one transaction.
/// What a newOrder asks for.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// The identifiers, checked and in A-label form.
    pub names: Vec<String>,
    /// RFC 9773 `replaces`: the certificate this order renews.
    pub replaces: Option<CertId>,
    /// The profile asked for (R-ACME-9); `None` = the default.
    pub profile: Option<String>,
    /// The client's address, for the per-address limit.
    pub client: Option<std::net::IpAddr>,
}

/// The certificate a newOrder's `replaces` names (RFC 9773 §5): one of this customer's, sharing
/// a name with the order, and not replaced yet nor named by another live order.
async fn replaced_certificate(
    state: &AppState,
    account: &acme_account::Model,
    names: &[String],
    id: &CertId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<certificate::Model, OrderError> {
    let cert = crate::certs::by_cert_id(&state.db, id)
        .await?
        .filter(|c| c.customer_id == account.customer_id)
        .ok_or_else(|| {
            OrderError::NotAllowed(format!(
                "replaces: {} names no certificate of yours",
                id.encode()
            ))
        })?;
    if !cert.names().iter().any(|n| names.contains(n)) {
        return Err(OrderError::NotAllowed(format!(
            "replaces: certificate {} is for {}, which this order does not name",
            cert.serial,
            cert.names().join(", ")
        )));
    }
    if let Some(by) = cert.replaced_by_id {
        return Err(OrderError::AlreadyReplaced(format!(
            "certificate {} was already replaced (by certificate #{by})",
            cert.serial
        )));
    }
    if let Some(other) = store::live_replacing_order(&state.db, cert.id, now).await? {
        return Err(OrderError::AlreadyReplaced(format!(
            "another order (#{other}) already replaces certificate {}",
            cert.serial
        )));
    }
    Ok(cert)
}

pub async fn create(
    state: &AppState,
    account: &acme_account::Model,
    request: NewOrder,
) -> Result<OrderState, OrderError> {
    let NewOrder {
        names,
        replaces,
        profile,
        client,
    } = request;
    let now = state.now();
    let regs = store::candidate_registrations(&state.db, account.customer_id, &names).await?;
    let covering =
        crate::policy::authorize_all(&names, &regs, now).map_err(OrderError::Rejected)?;
    let profile = super::profile_for(&state.config.profiles, profile.as_deref(), &covering)?;
    let replaces = match replaces {
        Some(id) => Some((
            replaced_certificate(state, account, &names, &id, now).await?,
            id,
        )),
        None => None,
    };

    let wanted = store::split_wildcards(&names);
    // R-ACME-5: valid, unexpired authorizations of this account are reused (one query).
    let reusable =
        store::reusable_authorizations_query(account.id, wanted.iter().map(|(bare, _)| *bare), now)
            .all(&state.db)
            .await?;

    let txn = state.db.begin().await?;
    // R-ACME-10: counted in the order's own transaction (no write of their own), before it.
    let limits = &state.config.acme_limits;
    let address = client.map_or_else(|| "unknown".to_owned(), |a| a.to_string());
    let subject = account.id.to_string();
    for verdict in [
        ratelimit::check(
            &txn,
            limits,
            Limit::FailedValidationPerAccount,
            &subject,
            now,
        )
        .await?,
        ratelimit::hit(&txn, limits, Limit::NewOrderPerAccount, &subject, now).await?,
        ratelimit::hit(&txn, limits, Limit::NewOrderPerAddress, &address, now).await?,
    ] {
        if let Err(exceeded) = verdict {
            // Refused orders still count against the window.
            txn.commit().await?;
            return Err(OrderError::RateLimited(exceeded));
        }
    }
    let order = acme_order::ActiveModel {
        account_id: Set(account.id),
        customer_id: Set(account.customer_id),
        status: Set(OrderStatus::Pending.as_str().to_owned()),
        identifiers: Set(serde_json::json!(names).to_string()),
        replaces_id: Set(replaces.as_ref().map(|(c, _)| c.id)),
        replaces: Set(replaces.map(|(_, id)| id.encode())),
        profile: Set(Some(profile.name.clone())),
        expires_at: Set(now + Duration::days(ORDER_LIFETIME_DAYS)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut authorizations = Vec::with_capacity(wanted.len());
    for (bare, wildcard) in wanted {
        let found = reusable
            .iter()
            .find(|a| a.identifier == bare && a.wildcard == wildcard);
        let authz = match found {
            Some(a) => a.clone(),
            None => {
                let a = acme_authorization::ActiveModel {
                    account_id: Set(account.id),
                    identifier: Set(bare.to_owned()),
                    wildcard: Set(wildcard),
                    status: Set(AuthzStatus::Pending.as_str().to_owned()),
                    expires_at: Set(now + Duration::days(AUTHZ_LIFETIME_DAYS)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                // http-01 is not offered for wildcards (R-VAL-1); dns-persist-01 is offered
                // beside dns-01 for every name (R-VAL-10).
                let kinds: &[ChallengeType] = if wildcard {
                    &[ChallengeType::Dns01, ChallengeType::DnsPersist01]
                } else {
                    &[
                        ChallengeType::Http01,
                        ChallengeType::Dns01,
                        ChallengeType::DnsPersist01,
                    ]
                };
                acme_challenge::Entity::insert_many(kinds.iter().map(|kind| {
                    acme_challenge::ActiveModel {
                        authorization_id: Set(a.id),
                        kind: Set(kind.as_str().to_owned()),
                        token: Set(crate::secrets::random_token()),
                        status: Set(ChallengeStatus::Pending.as_str().to_owned()),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                }))
                .exec(&txn)
                .await?;
                a
            }
        };
        authorizations.push(authz);
    }
    authorizations.sort_by_key(|a| a.id);
    authorizations.dedup_by_key(|a| a.id);
    acme_order_authorization::Entity::insert_many(authorizations.iter().map(|a| {
        acme_order_authorization::ActiveModel {
            order_id: Set(order.id),
            authorization_id: Set(a.id),
        }
    }))
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(OrderState::new(order, authorizations, now))
}
