//! The validation authority: http-01 and dns-01 checks run by workers fed from a durable queue in
//! the database (R-VAL-3). A job is taken with a compare-and-set lease, so several processes share
//! the work without doing a job twice, and a job whose worker died is taken again after its lease.

pub mod dns;
pub mod dns01;
pub mod guard;
pub mod http01;

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Duration as ChronoDuration;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use shared::acme::{ChallengeStatus, ChallengeType};

use crate::config::Config;
use crate::jose::Jwk;
use crate::orders::challenge::ValidationOutcome;
use crate::state::AppState;
use crate::store::entity::{acme_account, acme_authorization, acme_challenge, validation_job};
use crate::store::is_unique_violation;

/// A queue job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
        }
    }
}

/// How long a worker holds a job before another may take it over.
pub const LEASE_SECS: i64 = 60;

/// What the validators need from configuration.
#[derive(Debug, Clone)]
pub struct VaConfig {
    pub http_port: u16,
    pub dns_servers: Vec<SocketAddr>,
    pub allow_private: bool,
}

impl VaConfig {
    pub fn from_config(c: &Config) -> Self {
        VaConfig {
            http_port: c.va_http_port,
            dns_servers: c.va_dns_servers.clone(),
            allow_private: c.va_allow_private,
        }
    }
}

/// A failed validation: the ACME error type and a detail naming what was fetched or looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: &'static str,
    pub detail: String,
}

impl Failure {
    pub fn new(kind: &'static str, detail: impl Into<String>) -> Self {
        Failure {
            kind,
            detail: detail.into(),
        }
    }
}

/// Queues a validation of `challenge_id` (once: a second call changes nothing).
pub async fn enqueue(
    db: &impl sea_orm::ConnectionTrait,
    challenge_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::ActiveModelTrait;
    let job = validation_job::ActiveModel {
        challenge_id: Set(challenge_id),
        status: Set(JobStatus::Queued.as_str().to_owned()),
        attempts: Set(0),
        created_at: Set(now),
        ..Default::default()
    };
    match job.insert(db).await {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Jobs that are waiting, or whose worker's lease ran out.
fn claimable(now: chrono::DateTime<chrono::Utc>) -> Condition {
    Condition::any()
        .add(validation_job::Column::Status.eq(JobStatus::Queued.as_str()))
        .add(
            Condition::all()
                .add(validation_job::Column::Status.eq(JobStatus::Running.as_str()))
                .add(validation_job::Column::LockedUntil.lt(now)),
        )
}

/// Takes one job for `worker` (compare-and-set), if any is waiting.
pub async fn claim(
    state: &AppState,
    worker: &str,
) -> Result<Option<validation_job::Model>, sea_orm::DbErr> {
    let now = state.now();
    let candidates = validation_job::Entity::find()
        .filter(claimable(now))
        .order_by_asc(validation_job::Column::Id)
        .limit(8)
        .all(&state.db)
        .await?;
    for job in candidates {
        let taken = validation_job::Entity::update_many()
            .col_expr(
                validation_job::Column::Status,
                Expr::value(JobStatus::Running.as_str()),
            )
            .col_expr(validation_job::Column::LockedBy, Expr::value(worker))
            .col_expr(
                validation_job::Column::LockedUntil,
                Expr::value(now + ChronoDuration::seconds(LEASE_SECS)),
            )
            .col_expr(
                validation_job::Column::Attempts,
                Expr::col(validation_job::Column::Attempts).add(1),
            )
            .filter(validation_job::Column::Id.eq(job.id))
            .filter(claimable(now))
            .exec(&state.db)
            .await?;
        if taken.rows_affected == 1 {
            return validation_job::Entity::find_by_id(job.id)
                .one(&state.db)
                .await;
        }
    }
    Ok(None)
}

/// The key authorization of `token` for `account` (RFC 8555 §8.1).
pub fn key_authorization(token: &str, account: &acme_account::Model) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(&account.jwk).map_err(|e| e.to_string())?;
    let jwk = Jwk::from_json(&value).map_err(|p| p.to_string())?;
    Ok(format!("{token}.{}", jwk.thumbprint()))
}

/// Runs one claimed job and records its outcome on the challenge and its authorization.
pub async fn process(
    state: &AppState,
    va: &VaConfig,
    job: &validation_job::Model,
) -> Result<(), crate::orders::OrderError> {
    let now = state.now();
    let Some(challenge) = acme_challenge::Entity::find_by_id(job.challenge_id)
        .one(&state.db)
        .await?
    else {
        return Ok(finish(&state.db, job.id, now).await?);
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
        return Ok(finish(&state.db, job.id, now).await?);
    };
    if challenge.stored_status() != ChallengeStatus::Processing {
        return Ok(finish(&state.db, job.id, now).await?);
    }
    let (record, outcome) = match key_authorization(&challenge.token, &account) {
        Err(e) => (vec![], Err(Failure::new("serverInternal", e))),
        Ok(ka) => match challenge.challenge_type() {
            Some(ChallengeType::Http01) => {
                http01::validate(va, &authz.identifier, &challenge.token, &ka).await
            }
            Some(ChallengeType::Dns01) => dns01::validate(va, &authz.identifier, &ka).await,
            None => (
                vec![],
                Err(Failure::new(
                    "malformed",
                    format!("unknown challenge type {}", challenge.kind),
                )),
            ),
        },
    };
    let ok = outcome.is_ok();
    crate::metrics::validation(&challenge.kind, ok);
    crate::orders::challenge::record_validation(
        state,
        &challenge,
        &authz,
        ValidationOutcome {
            failure: outcome.err().map(|f| (f.kind, f.detail)),
            record: serde_json::Value::Array(record),
        },
        job.id,
    )
    .await?;
    tracing::info!(challenge = challenge.id, kind = %challenge.kind, identifier = %authz.identifier, ok, "validation");
    Ok(())
}

/// Marks queue job `job_id` done.
pub async fn finish(
    db: &impl sea_orm::ConnectionTrait,
    job_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sea_orm::DbErr> {
    validation_job::Entity::update_many()
        .set(validation_job::ActiveModel {
            status: Set(JobStatus::Done.as_str().to_owned()),
            finished_at: Set(Some(now)),
            locked_until: Set(None),
            ..Default::default()
        })
        .filter(validation_job::Column::Id.eq(job_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Jobs not yet done (for the queue-depth metric and the portal).
pub async fn queue_depth(state: &AppState) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::PaginatorTrait;
    validation_job::Entity::find()
        .filter(validation_job::Column::Status.ne(JobStatus::Done.as_str()))
        .count(&state.db)
        .await
}

/// One validation worker: takes jobs until the queue is empty, then waits for a wake-up or a poll.
pub async fn worker(state: AppState, name: String) {
    let va = VaConfig::from_config(&state.config);
    loop {
        match claim(&state, &name).await {
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
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

/// Starts `count` validation workers in this process.
pub fn spawn_workers(state: &AppState, count: usize) {
    let host = std::process::id();
    for i in 0..count {
        tokio::spawn(worker(
            state.clone(),
            format!("pid{host}-w{i}-{}", uuid::Uuid::new_v4().simple()),
        ));
    }
}
