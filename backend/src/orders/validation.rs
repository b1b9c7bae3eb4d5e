//! The validation worker (R-VAL-3, R-VAL-5): takes a job from the durable queue, asks the
//! validation authority (`crate::va`) to check the challenge, and records what it found on the
//! challenge and its authorization, completing the job in the same transaction.

use std::time::Duration;

use sea_orm::{EntityTrait, Set, TransactionTrait};
use shared::acme::{AuthzStatus, ChallengeStatus};

use super::{store, OrderError};
use crate::state::AppState;
use crate::store::entity::{acme_account, acme_authorization, acme_challenge, validation_job};
use crate::va::{Check, Failure, FailureKind, Outcome, VaConfig};

/// Runs one claimed job and records its outcome on the challenge and its authorization.
pub async fn process(
    state: &AppState,
    va: &VaConfig,
    job: &validation_job::Model,
) -> Result<(), OrderError> {
    let now = state.now();
    let Some(challenge) = acme_challenge::Entity::find_by_id(job.challenge_id)
        .one(&state.db)
        .await?
    else {
        return Ok(crate::queue::finish(&state.db, job.id, now).await?);
    };
    let authz = acme_authorization::Entity::find_by_id(challenge.authorization_id)
        .one(&state.db)
        .await?;
    let account = match &authz {
        Some(a) => {
            acme_account::Entity::find_by_id(a.account_id)
                .one(&state.db)
                .await?
        }
        None => None,
    };
    let (Some(authz), Some(account)) = (authz, account) else {
        return Ok(crate::queue::finish(&state.db, job.id, now).await?);
    };
    if challenge.stored_status() != ChallengeStatus::Processing {
        return Ok(crate::queue::finish(&state.db, job.id, now).await?);
    }
    let (outcome, perspectives) = match (
        crate::va::key_authorization(&challenge.token, &account),
        challenge.challenge_type(),
    ) {
        _ if job.attempts > crate::queue::MAX_ATTEMPTS => (
            Outcome::failed(Failure::new(
                FailureKind::ServerInternal,
                format!(
                    "the validation was started {} times and never finished (the validator stopped each time); create a new order",
                    crate::queue::MAX_ATTEMPTS
                ),
            )),
            Vec::new(),
        ),
        (Err(e), _) => (
            Outcome::failed(Failure::new(FailureKind::ServerInternal, e)),
            Vec::new(),
        ),
        (_, None) => (
            Outcome::failed(Failure::new(
                FailureKind::Malformed,
                format!("unknown challenge type {}", challenge.kind),
            )),
            Vec::new(),
        ),
        (Ok(ka), Some(method)) => {
            let check = Check {
                method,
                identifier: authz.identifier.clone(),
                wildcard: authz.wildcard,
                token: challenge.token.clone(),
                key_authorization: ka,
                account_uri: state.config.acme_account_url(account.id),
                only_caa: false,
                at: Some(now),
                issuers: state.config.caa_identities.clone(),
            };
            crate::va::mpic::validate(va, state.remotes.as_ref(), &check).await
        }
    };
    let ok = outcome.result.is_ok();
    crate::metrics::validation(&challenge.kind, ok);
    record_validation(
        state,
        &challenge,
        &authz,
        ValidationOutcome {
            failure: outcome.result.err().map(|f| (f.kind.as_str(), f.detail)),
            record: serde_json::Value::Array(outcome.records),
            perspectives,
        },
        job.id,
    )
    .await?;
    tracing::info!(challenge = challenge.id, kind = %challenge.kind, identifier = %authz.identifier, ok, "validation");
    Ok(())
}

/// What a validator found for one challenge.
pub struct ValidationOutcome {
    /// The ACME error type and detail of a failure; `None` when the challenge was met.
    pub failure: Option<(&'static str, String)>,
    /// What was fetched or looked up (JSON array), for `validationRecord`.
    pub record: serde_json::Value,
    /// What each remote perspective saw (R-VAL-7); empty when none were asked.
    pub perspectives: Vec<crate::va::mpic::RemoteResult>,
}

/// Records a validation's outcome on the challenge and its authorization and marks queue job
/// `job_id` done, in one transaction (each change guarded, so a late or repeated worker changes
/// nothing).
pub async fn record_validation(
    state: &AppState,
    challenge: &acme_challenge::Model,
    authz: &acme_authorization::Model,
    outcome: ValidationOutcome,
    job_id: i64,
) -> Result<(), OrderError> {
    let now = state.now();
    let ok = outcome.failure.is_none();
    let error = outcome
        .failure
        .map(|(kind, detail)| super::stored_problem(kind, &detail, 403));
    let (challenge_to, authz_to) = if ok {
        (ChallengeStatus::Valid, AuthzStatus::Valid)
    } else {
        (ChallengeStatus::Invalid, AuthzStatus::Invalid)
    };
    let problem = error.clone();
    let txn = state.db.begin().await?;
    let changed = store::transition_challenge(
        &txn,
        challenge.id,
        ChallengeStatus::Processing,
        challenge_to,
        acme_challenge::ActiveModel {
            error: Set(error),
            validation_record: Set(Some(outcome.record.to_string())),
            perspectives: Set((!outcome.perspectives.is_empty())
                .then(|| serde_json::to_string(&outcome.perspectives).expect("results serialise"))),
            validated_at: Set(ok.then_some(now)),
            ..Default::default()
        },
        now,
    )
    .await?;
    store::transition_authorization(
        &txn,
        authz.id,
        &[AuthzStatus::Pending],
        authz_to,
        acme_authorization::ActiveModel {
            validated_at: Set(ok.then_some(now)),
            ..Default::default()
        },
        now,
    )
    .await?;
    if !ok && changed {
        // R-VAL-5's problem document, for the customer's webhook endpoints too.
        if let Some(account) = acme_account::Entity::find_by_id(authz.account_id)
            .one(&txn)
            .await?
        {
            crate::webhooks::emit(
                &txn,
                account.customer_id,
                shared::dto::WebhookEventType::ValidationFailed,
                serde_json::json!({
                    "identifier": authz.identifier,
                    "challenge_type": challenge.kind,
                    "authorization_id": authz.id,
                    "challenge_id": challenge.id,
                    "problem": problem
                        .as_deref()
                        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok()),
                }),
                now,
            )
            .await?;
        }
    }
    if !ok {
        store::invalidate_orders_of(&txn, authz.id, now).await?;
        // R-ACME-10: counted for the account; newOrder refuses once the limit is reached (the
        // verdict matters there, not here).
        let _counted = crate::ratelimit::hit(
            &txn,
            &state.config.acme_limits,
            crate::ratelimit::Limit::FailedValidationPerAccount,
            &authz.account_id.to_string(),
            now,
        )
        .await?;
    }
    crate::queue::finish(&txn, job_id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// How long an idle worker waits before it looks at the queue again. A worker in the process that
/// received the challenge answer is woken at once; one in another process (`--role worker`)
/// finds the job within this.
pub const IDLE_POLL_MS: u64 = 500;

/// What one validation takes once a worker holds it, on the public internet: the DNS lookups and
/// the HTTP fetch of the primary and of the remote perspectives, which run in parallel (on
/// loopback they take milliseconds; docs/performance.md). Validations that wait on a slow server
/// run up to `CERTDIRECT_VA_TIMEOUT_SECS`, and their clients simply poll again.
pub const TYPICAL_VALIDATION_MS: u64 = 1_500;

/// The `Retry-After` of pending and processing orders, authorizations and challenges
/// (R-ACME-10): long enough for an idle worker to find the job and finish a typical validation,
/// so a client that honours it usually sees the outcome on its next poll and never polls faster
/// than the workers can answer. A finalize is done within its request, so `processing` orders
/// are brief. The one place the value is set.
pub const RETRY_AFTER_SECS: u64 = (IDLE_POLL_MS + TYPICAL_VALIDATION_MS).div_ceil(1000);

/// One validation worker: takes jobs until the queue is empty, then waits for a wake-up, a poll
/// or the stop. Once the process is stopping it takes no new job; the one it runs finishes (or,
/// past the grace, is dropped and its lease given back by [`return_leases`]).
pub async fn worker(state: AppState, name: String) {
    let va = VaConfig::from_config(&state.config);
    let mut stop = state.stopping.subscribe();
    loop {
        if *stop.borrow() {
            break;
        }
        match crate::queue::claim(&state.db, &name, state.now()).await {
            Ok(Some(job)) => {
                if let Err(e) = process(&state, &va, &job).await {
                    tracing::warn!(job = job.id, error = %e, "validation job failed; it will be retried after its lease");
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "claiming a validation job failed"),
        }
        tokio::select! {
            _ = state.va_wakeup.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(IDLE_POLL_MS)) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Starts `count` validation workers in this process; their lease names start with the
/// process's [`AppState::worker_prefix`].
pub fn spawn_workers(state: &AppState, count: usize) -> Vec<tokio::task::JoinHandle<()>> {
    (0..count)
        .map(|i| {
            tokio::spawn(worker(
                state.clone(),
                format!("{}-w{i}", state.worker_prefix),
            ))
        })
        .collect()
}

/// Gives back the validation jobs this process's workers still hold (a stop past its grace):
/// queued again with the lease cleared and the start not counted, so another worker takes them
/// at once.
pub async fn return_leases(state: &AppState) -> Result<u64, sea_orm::DbErr> {
    crate::queue::return_leases(&state.db, &state.worker_prefix).await
}
