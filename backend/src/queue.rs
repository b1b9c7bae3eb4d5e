//! The durable validation queue (R-VAL-3): one row per challenge to validate, taken by a worker
//! with a compare-and-set lease, so several processes share the work without doing a job twice,
//! and a job whose worker died is taken again when its lease runs out. Storage only: what a job
//! does is `orders::validation`'s.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::store::entity::validation_job;
use crate::store::is_unique_violation;

/// How long a worker holds a job before another may take it over (a validation's deadline,
/// `CERTDIRECT_VA_TIMEOUT_SECS`, is checked against it when the configuration is read).
pub const LEASE_SECS: i64 = crate::config::VALIDATION_LEASE_SECS;
/// How many times a job may be started; a job taken more often (its workers died or stalled
/// each time) fails instead of running again.
pub const MAX_ATTEMPTS: i32 = 3;

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

/// Queues a validation of `challenge_id` (once: a second call changes nothing).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    challenge_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
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
fn claimable(now: DateTime<Utc>) -> Condition {
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
    db: &impl ConnectionTrait,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Option<validation_job::Model>, DbErr> {
    let candidates = validation_job::Entity::find()
        .filter(claimable(now))
        .order_by_asc(validation_job::Column::Id)
        .limit(8)
        .all(db)
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
                Expr::value(now + Duration::seconds(LEASE_SECS)),
            )
            .col_expr(
                validation_job::Column::Attempts,
                Expr::col(validation_job::Column::Attempts).add(1),
            )
            .filter(validation_job::Column::Id.eq(job.id))
            .filter(claimable(now))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            return validation_job::Entity::find_by_id(job.id).one(db).await;
        }
    }
    Ok(None)
}

/// Marks job `job_id` done.
pub async fn finish(
    db: &impl ConnectionTrait,
    job_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
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

/// Puts back every running job whose worker's name starts with `prefix` (one process, stopping):
/// queued, lease cleared, the start not counted against [`MAX_ATTEMPTS`].
pub async fn return_leases(db: &impl ConnectionTrait, prefix: &str) -> Result<u64, DbErr> {
    Ok(validation_job::Entity::update_many()
        .col_expr(
            validation_job::Column::Status,
            Expr::value(JobStatus::Queued.as_str()),
        )
        .col_expr(
            validation_job::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            validation_job::Column::LockedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            validation_job::Column::Attempts,
            Expr::col(validation_job::Column::Attempts).sub(1),
        )
        .filter(validation_job::Column::Status.eq(JobStatus::Running.as_str()))
        .filter(validation_job::Column::LockedBy.starts_with(prefix))
        .exec(db)
        .await?
        .rows_affected)
}

/// Jobs not yet done (for the queue-depth metric).
pub async fn depth(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    validation_job::Entity::find()
        .filter(validation_job::Column::Status.ne(JobStatus::Done.as_str()))
        .count(db)
        .await
}
