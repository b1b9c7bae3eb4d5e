//! finalize's domain half (RFC 8555 §7.4, R-ACME-6, R-ACME-7, R-CA-6): CSR checks, the policy
//! again at issuance time, then two transactions around the signature:
//!
//! 1. claim the order (`pending` → `processing`, guarded) and reserve the certificate's row with
//!    its serial and validity, so the CA never signs what it has not recorded;
//! 2. sign; store the certificate in its reserved row, complete the order, activate the
//!    registrations it is the first certificate of, and audit, in one transaction.
//!
//! A lost race for the claim is `NotReady` (orderNotReady), never an internal error.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use serde_json::json;
use shared::acme::OrderStatus;
use shared::billing::RegistrationState;

use super::{store, OrderError, OrderState};
use crate::audit::AuditEntry;
use crate::billing::dates;
use crate::clock::rfc3339;
use crate::jose::Jwk;
use crate::state::AppState;
use crate::store::entity::{acme_account, acme_order, certificate, registration};

pub use crate::store::entity::certificate::{
    ABANDONED as CERT_ABANDONED, RESERVED as CERT_RESERVED, VALID as CERT_VALID,
};

/// How long an order may stay `processing` before it counts as interrupted: a finalize takes
/// milliseconds, so one this old lost its process.
pub const INTERRUPTED_AFTER_SECS: i64 = 60;

/// BR 3.2.2.8 wants CAA checked within 8 hours before issuance; an authorization validated
/// longer ago than this (an hour's margin) has its CAA checked again at finalize.
pub const CAA_RECHECK_AFTER_HOURS: i64 = 7;

/// Checks CAA again, from the primary and every remote perspective, for each authorization
/// validated more than [`CAA_RECHECK_AFTER_HOURS`] ago; a refusal fails the order.
async fn recheck_caa(
    state: &AppState,
    account: &acme_account::Model,
    current: &OrderState,
    now: DateTime<Utc>,
) -> Result<(), OrderError> {
    let stale: Vec<_> = current
        .authorizations
        .iter()
        .filter(|a| {
            a.validated_at
                .is_none_or(|at| at < now - chrono::Duration::hours(CAA_RECHECK_AFTER_HOURS))
        })
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let va = crate::va::VaConfig::from_config(&state.config);
    let account_uri = state.config.acme_account_url(account.id);
    let mut checks = Vec::new();
    for authz in &stale {
        let method = store::challenges_query(authz.id)
            .all(&state.db)
            .await?
            .into_iter()
            .find(|c| c.stored_status() == shared::acme::ChallengeStatus::Valid)
            .and_then(|c| c.challenge_type())
            .unwrap_or(shared::acme::ChallengeType::Dns01);
        checks.push(crate::va::Check {
            method,
            identifier: authz.identifier.clone(),
            wildcard: authz.wildcard,
            token: String::new(),
            key_authorization: String::new(),
            account_uri: account_uri.clone(),
            only_caa: true,
            at: Some(now),
            issuers: state.config.caa_identities.clone(),
        });
    }
    let outcomes = futures_util::future::join_all(
        checks
            .iter()
            .map(|check| crate::va::mpic::validate(&va, state.remotes.as_ref(), check)),
    )
    .await;
    let refusals: Vec<String> = checks
        .iter()
        .zip(outcomes)
        .filter_map(|(check, (outcome, _))| {
            outcome.result.err().map(|f| {
                let name = if check.wildcard {
                    format!("*.{}", check.identifier)
                } else {
                    check.identifier.clone()
                };
                format!("{name}: {}", f.detail)
            })
        })
        .collect();
    if refusals.is_empty() {
        return Ok(());
    }
    let detail = format!(
        "CAA was checked again before issuance (the validation is more than {CAA_RECHECK_AFTER_HOURS} hours old) and does not allow it: {}",
        refusals.join("; ")
    );
    store::transition_order(
        &state.db,
        current.order.id,
        OrderStatus::Pending,
        OrderStatus::Invalid,
        acme_order::ActiveModel {
            error: Set(Some(super::stored_problem("caa", &detail, 403))),
            ..Default::default()
        },
        now,
    )
    .await?;
    Err(OrderError::Caa(detail))
}

/// Finalizes order `id` of `account` with the DER CSR `csr_der`; returns the order afterwards.
pub async fn finalize(
    state: &AppState,
    account: &acme_account::Model,
    id: i64,
    csr_der: &[u8],
) -> Result<OrderState, OrderError> {
    let now = state.now();
    let order = store::own_order(&state.db, account.id, id).await?;
    let authorizations = store::order_authorizations(&state.db, order.id).await?;
    let current = OrderState::new(order, authorizations, now);
    if current.status != OrderStatus::Ready {
        return Err(OrderError::NotReady(format!(
            "the order is {}; it can be finalized only when ready (all authorizations valid)",
            current.status
        )));
    }
    let csr = crate::ca::csr::check(csr_der).map_err(|e| OrderError::BadCsr(e.0))?;
    let mut wanted = current.order.names();
    wanted.sort();
    if csr.names != wanted {
        return Err(OrderError::BadCsr(format!(
            "the CSR names {} but the order is for {}",
            csr.names.join(", "),
            wanted.join(", ")
        )));
    }
    let account_key = serde_json::from_str(&account.jwk)
        .map_err(|e| OrderError::Internal(format!("stored account key: {e}")))
        .and_then(|v| {
            Jwk::from_json(&v).map_err(|e| OrderError::Internal(format!("stored account key: {e}")))
        })?;
    if csr.key == account_key
        || store::is_account_key_of_customer(&state.db, account.customer_id, &csr.key.thumbprint())
            .await?
    {
        return Err(OrderError::BadCsr(
            "the CSR's key is the account key of one of your ACME accounts; use a separate key for the certificate".into(),
        ));
    }
    let regs = store::candidate_registrations(&state.db, account.customer_id, &csr.names).await?;
    let covering: Vec<registration::Model> = crate::policy::authorize_all(&csr.names, &regs, now)
        .map_err(OrderError::Rejected)?
        .into_iter()
        .cloned()
        .collect();
    let profile = super::profile_for(
        &state.config.profiles,
        current.order.profile.as_deref(),
        &covering.iter().collect::<Vec<_>>(),
    )?;
    recheck_caa(state, account, &current, now).await?;
    let plan = state.ca.plan(now, profile, contract_cap(&covering, now));

    // 1. Claim the order and reserve the certificate (R-CA-6).
    let txn = state.db.begin().await?;
    let won = store::transition_order(
        &txn,
        current.order.id,
        OrderStatus::Pending,
        OrderStatus::Processing,
        <acme_order::ActiveModel as Default>::default(),
        now,
    )
    .await?;
    if !won {
        return Err(OrderError::NotReady(
            "the order is already being finalized or was finalized".into(),
        ));
    }
    let reserved = certificate::ActiveModel {
        serial: Set(plan.serial_hex.clone()),
        customer_id: Set(account.customer_id),
        account_id: Set(account.id),
        order_id: Set(current.order.id),
        names: Set(json!(csr.names).to_string()),
        key_thumbprint: Set(csr.key.thumbprint()),
        not_before: Set(plan.not_before),
        not_after: Set(plan.not_after),
        leaf_pem: Set(String::new()),
        status: Set(CERT_RESERVED.to_owned()),
        created_at: Set(now),
        reminded_at: Set(None),
        profile: Set(Some(plan.profile.clone())),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;

    // 2. Sign, then store everything the issuance changes at once (R-ACME-7).
    let pem = match state.ca.sign(&plan, &csr.spki_der, &csr.names) {
        Ok(pem) => pem,
        Err(e) => {
            tracing::error!(order = current.order.id, error = %format!("{e:#}"), "issuance failed");
            let detail = "the certificate could not be issued; create a new order";
            fail_processing(state, current.order.id, detail, now).await?;
            return Err(OrderError::Internal(format!("signing: {e:#}")));
        }
    };
    let txn = state.db.begin().await?;
    certificate::Entity::update_many()
        .set(certificate::ActiveModel {
            leaf_pem: Set(pem),
            status: Set(CERT_VALID.to_owned()),
            ..Default::default()
        })
        .filter(certificate::Column::Id.eq(reserved.id))
        .filter(certificate::Column::Status.eq(CERT_RESERVED))
        .exec(&txn)
        .await?;
    // RFC 9773: the certificate this order replaces now points at its replacement. A client
    // that does not send `replaces` (certbot, for one) renews the account's newest live
    // certificate for exactly the same names: that one is linked instead.
    let replaced = match current.order.replaces_id {
        Some(id) => sea_orm::Condition::all().add(certificate::Column::Id.eq(id)),
        None => sea_orm::Condition::all().add(
            certificate::Column::Id.in_subquery(
                sea_orm::QuerySelect::query(
                    &mut certificate::Entity::find()
                        .select_only()
                        .column(certificate::Column::Id)
                        .filter(certificate::Column::AccountId.eq(account.id))
                        .filter(certificate::Column::Names.eq(json!(csr.names).to_string()))
                        .filter(certificate::Column::Status.eq(CERT_VALID))
                        .filter(certificate::Column::ReplacedById.is_null())
                        .filter(certificate::Column::NotAfter.gt(now))
                        .filter(certificate::Column::Id.ne(reserved.id))
                        .order_by_desc(certificate::Column::Id)
                        .limit(1),
                )
                .to_owned(),
            ),
        ),
    };
    certificate::Entity::update_many()
        .set(certificate::ActiveModel {
            replaced_by_id: Set(Some(reserved.id)),
            ..Default::default()
        })
        .filter(replaced)
        .filter(certificate::Column::ReplacedById.is_null())
        .exec(&txn)
        .await?;
    let completed = store::transition_order(
        &txn,
        current.order.id,
        OrderStatus::Processing,
        OrderStatus::Valid,
        acme_order::ActiveModel {
            certificate_id: Set(Some(reserved.id)),
            ..Default::default()
        },
        now,
    )
    .await?;
    if !completed {
        return Err(OrderError::Internal(format!(
            "order {} left processing while its certificate was signed",
            current.order.id
        )));
    }
    let actor = format!("acme:{}", account.id);
    for stale in covering
        .iter()
        .filter(|r| r.state() == RegistrationState::Registered)
    {
        // Touching the row first takes its lock (PostgreSQL) or the database's (SQLite), so the
        // read below sees a renewal paid since the policy read it: its years count in the end.
        registration::Entity::update_many()
            .col_expr(registration::Column::UpdatedAt, Expr::value(now))
            .filter(registration::Column::Id.eq(stale.id))
            .exec(&txn)
            .await?;
        let reg = &registration::Entity::find_by_id(stale.id)
            .one(&txn)
            .await?
            .ok_or_else(|| OrderError::Internal(format!("registration {} vanished", stale.id)))?;
        let changes = registration::ActiveModel {
            activated_at: Set(Some(now)),
            contract_end: Set(Some(dates::add_years(
                now,
                reg.contract_years.max(0) as u32,
            ))),
            ..Default::default()
        };
        let reason = format!("first certificate issued (serial {})", plan.serial_hex);
        crate::registrations::transition(
            &txn,
            reg,
            RegistrationState::Active,
            changes,
            &actor,
            &reason,
            now,
        )
        .await
        .map_err(|e| OrderError::Internal(e.detail))?;
    }
    AuditEntry {
        actor,
        customer_id: Some(account.customer_id),
        action: "certificate.issue",
        subject: plan.serial_hex.clone(),
        success: true,
        detail: json!({ "names": csr.names, "order": current.order.id, "not_after": rfc3339(plan.not_after), "profile": plan.profile }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    crate::webhooks::emit(
        &txn,
        account.customer_id,
        shared::dto::WebhookEventType::CertificateIssued,
        json!({ "serial": plan.serial_hex, "names": csr.names, "not_after": rfc3339(plan.not_after), "profile": plan.profile, "order_id": current.order.id }),
        now,
    )
    .await?;
    txn.commit().await?;
    crate::metrics::issuance();
    tracing::info!(serial = %plan.serial_hex, names = ?csr.names, "certificate issued");

    let mut order = current.order;
    order.status = OrderStatus::Valid.as_str().to_owned();
    order.certificate_id = Some(reserved.id);
    order.updated_at = now;
    Ok(OrderState::new(order, current.authorizations, now))
}

/// Makes a processing order `invalid` with a `serverInternal` problem saying `detail`, and its
/// reserved certificate row `abandoned` (the serial stays recorded, never shown), in one
/// transaction; false if the order was no longer processing.
async fn fail_processing(
    state: &AppState,
    order_id: i64,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<bool, OrderError> {
    let txn = state.db.begin().await?;
    let moved = store::transition_order(
        &txn,
        order_id,
        OrderStatus::Processing,
        OrderStatus::Invalid,
        acme_order::ActiveModel {
            error: Set(Some(super::stored_problem("serverInternal", detail, 500))),
            ..Default::default()
        },
        now,
    )
    .await?;
    if moved {
        certificate::Entity::update_many()
            .set(certificate::ActiveModel {
                status: Set(CERT_ABANDONED.to_owned()),
                ..Default::default()
            })
            .filter(certificate::Column::OrderId.eq(order_id))
            .filter(certificate::Column::Status.eq(CERT_RESERVED))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(moved)
}

/// The latest notAfter the registrations allow: an active one's contract end, or for one
/// activated by this issuance, now plus its contract years (R-FQDN-7, R-CA-2).
fn contract_cap(regs: &[registration::Model], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    regs.iter()
        .filter_map(|r| match r.state() {
            RegistrationState::Active => r.contract_end,
            _ => Some(dates::add_years(now, r.contract_years.max(0) as u32)),
        })
        .min()
}

/// Fails the orders a killed process left `processing` (R-CA-6): each becomes `invalid` with a
/// `serverInternal` problem, and its reserved certificate row `abandoned` (its serial stays
/// recorded, never reused, never shown). Run at start and by housekeeping; guarded, so several
/// processes may run it at once. Returns how many orders it failed.
pub async fn fail_interrupted(state: &AppState) -> Result<u64, OrderError> {
    let now = state.now();
    let stuck = acme_order::Entity::find()
        .filter(acme_order::Column::Status.eq(OrderStatus::Processing.as_str()))
        .filter(
            acme_order::Column::UpdatedAt
                .lt(now - chrono::Duration::seconds(INTERRUPTED_AFTER_SECS)),
        )
        .all(&state.db)
        .await?;
    let mut failed = 0;
    for order in stuck {
        let detail = "the server stopped while issuing this certificate; create a new order";
        if fail_processing(state, order.id, detail, now).await? {
            failed += 1;
            tracing::warn!(order = order.id, "an interrupted issuance was failed");
        }
    }
    Ok(failed)
}
