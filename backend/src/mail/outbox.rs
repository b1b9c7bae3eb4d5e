//! The mail outbox's storage and its worker. A message is taken with a compare-and-set lease (as
//! `queue.rs` takes validation jobs), handed over outside any transaction, then marked sent by an
//! update guarded by the lease. Guarantee (docs/decisions.md, "Emails"): a message is handed over
//! by at most one worker at a time, and at least once; it is handed over again only when the
//! outcome of an earlier hand-off is unknown (its worker died, or was stopped past its grace,
//! between the hand-off and the mark), always with the same `Message-ID`.
//!
//! Leases and retry times are wall-clock (they are about processes and mail servers, not about
//! business dates), so a test clock does not hold a message back.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::wall_now;
use crate::state::AppState;
use crate::store::entity::mail_outbox;

pub use crate::store::entity::mail_outbox::{QUEUED, SENDING, SENT};

/// A message not sent after this many attempts is shown to operators as failing.
pub const FAILING_AFTER: i32 = 3;
/// The first retry waits this long; each further one twice as long, up to [`MAX_BACKOFF_SECS`].
pub const FIRST_BACKOFF_SECS: i64 = 30;
pub const MAX_BACKOFF_SECS: i64 = 3600;

/// How long to wait after the `attempts`-th failed attempt.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exp = attempts.clamp(1, 16) as u32 - 1;
    chrono::Duration::seconds((FIRST_BACKOFF_SECS << exp).min(MAX_BACKOFF_SECS))
}

/// Messages a worker may take now: waiting and due (never tried counts as due), or being sent
/// by a worker whose lease ran out.
fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(mail_outbox::Column::Status.eq(QUEUED))
                .add(mail_outbox::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(mail_outbox::Column::Status.eq(SENDING))
                .add(mail_outbox::Column::LeaseUntil.lt(now)),
        )
}

/// Takes one due message for `worker` (compare-and-set), if any.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    lease: Duration,
) -> Result<Option<mail_outbox::Model>, DbErr> {
    let now = wall_now();
    let candidates = mail_outbox::Entity::find()
        .filter(claimable(now))
        .order_by_asc(mail_outbox::Column::Id)
        .limit(8)
        .all(db)
        .await?;
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(120));
    for msg in candidates {
        let taken = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::Status, Expr::value(SENDING))
            .col_expr(mail_outbox::Column::LockedBy, Expr::value(worker))
            .col_expr(mail_outbox::Column::LeaseUntil, Expr::value(until))
            .col_expr(
                mail_outbox::Column::Attempts,
                Expr::col(mail_outbox::Column::Attempts).add(1),
            )
            .filter(mail_outbox::Column::Id.eq(msg.id))
            .filter(claimable(now))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            return mail_outbox::Entity::find_by_id(msg.id).one(db).await;
        }
    }
    Ok(None)
}

/// Marks `msg` sent, if `worker` still holds it; false when its lease was lost meanwhile.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    msg: &mail_outbox::Model,
    worker: &str,
) -> Result<bool, DbErr> {
    let done = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(SENT))
        .col_expr(mail_outbox::Column::SentAt, Expr::value(wall_now()))
        .col_expr(
            mail_outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            mail_outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(mail_outbox::Column::Id.eq(msg.id))
        .filter(mail_outbox::Column::Status.eq(SENDING))
        .filter(mail_outbox::Column::LockedBy.eq(worker))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Puts `msg` back to wait for its next attempt after a failed hand-off.
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    msg: &mail_outbox::Model,
    worker: &str,
    error: &str,
) -> Result<(), DbErr> {
    let error: String = error.chars().take(2000).collect();
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(QUEUED))
        .col_expr(
            mail_outbox::Column::NextAttemptAt,
            Expr::value(wall_now() + backoff(msg.attempts)),
        )
        .col_expr(
            mail_outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(mail_outbox::Column::LastError, Expr::value(Some(error)))
        .filter(mail_outbox::Column::Id.eq(msg.id))
        .filter(mail_outbox::Column::Status.eq(SENDING))
        .filter(mail_outbox::Column::LockedBy.eq(worker))
        .exec(db)
        .await
        .map(|_| ())
}

/// Gives back every message a worker whose name starts with `prefix` (this process) still
/// holds, due at once, so another worker takes it without waiting for the lease (graceful stop).
pub async fn return_leases(db: &impl ConnectionTrait, prefix: &str) -> Result<u64, DbErr> {
    Ok(mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Status, Expr::value(QUEUED))
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(wall_now()))
        .col_expr(
            mail_outbox::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(mail_outbox::Column::Status.eq(SENDING))
        .filter(mail_outbox::Column::LockedBy.starts_with(prefix))
        .exec(db)
        .await?
        .rows_affected)
}

/// Makes a waiting message due now (the operator's "retry now"); false when it is not waiting.
pub async fn retry_now(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(wall_now()))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::Status.eq(QUEUED))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// The condition of a message that keeps failing: not sent after [`FAILING_AFTER`] attempts.
pub fn failing() -> Condition {
    Condition::all()
        .add(mail_outbox::Column::Status.ne(SENT))
        .add(mail_outbox::Column::Attempts.gte(FAILING_AFTER))
}

/// Messages that keep failing (the operator console's list).
pub async fn failing_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    mail_outbox::Entity::find()
        .filter(failing())
        .count(db)
        .await
}

/// Messages not yet sent (the outbox depth).
pub async fn pending(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    mail_outbox::Entity::find()
        .filter(mail_outbox::Column::Status.ne(SENT))
        .count(db)
        .await
}

/// One mail worker: takes due messages one at a time, hands each over outside any transaction,
/// records the outcome; idle, it waits for a wake-up, a poll, or the stop. After a wake-up it
/// looks again every 25 ms for two seconds (the writer wakes it before its commit).
pub async fn worker(state: AppState, name: String) {
    let mut stop = state.stopping.subscribe();
    let mut burst_until: Option<Instant> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        match claim(&state.db, &name, state.mailer.lease).await {
            Ok(Some(msg)) => {
                let outcome = state.mailer.deliver(&msg).await;
                let recorded = match &outcome {
                    Ok(()) => match mark_sent(&state.db, &msg, &name).await {
                        Ok(true) => Ok(()),
                        Ok(false) => {
                            tracing::warn!(
                                id = msg.id,
                                "an email was sent after its lease ran out"
                            );
                            Ok(())
                        }
                        Err(e) => Err(e),
                    },
                    Err(e) => {
                        tracing::warn!(id = msg.id, attempts = msg.attempts, error = %format!("{e:#}"),
                            "sending an email failed; it will be retried");
                        mark_failed(&state.db, &msg, &name, &format!("{e:#}")).await
                    }
                };
                if let Err(e) = recorded {
                    tracing::warn!(id = msg.id, error = %e, "recording an email's outcome failed; its lease will run out");
                }
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "claiming an email failed"),
        }
        let idle = match burst_until {
            Some(t) if Instant::now() < t => Duration::from_millis(25),
            _ => state.mailer.poll,
        };
        tokio::select! {
            _ = state.mailer.wakeup.notified() => {
                burst_until = Some(Instant::now() + Duration::from_secs(2));
            }
            _ = tokio::time::sleep(idle) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Starts this process's mail worker.
pub fn spawn_worker(state: &AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(worker(
        state.clone(),
        format!("{}-mail", state.worker_prefix),
    ))
}
