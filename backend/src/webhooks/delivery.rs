//! The delivery worker: takes due deliveries from the outbox with a compare-and-set lease (as
//! the validation queue does, `queue.rs`), so several `--role worker` processes never send one
//! delivery at the same time; POSTs the signed JSON; records the attempt; schedules the next
//! one with backoff or gives up after [`MAX_ATTEMPTS`].

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use shared::dto::WebhookDeliveryStatus;
use url::Host;

use super::{resolve, signature, Target};
use crate::state::AppState;
use crate::store::entity::{webhook_attempt, webhook_delivery, webhook_endpoint};

/// Attempts of one delivery before it is `failed` (a re-send starts a new series).
pub const MAX_ATTEMPTS: i32 = 8;
/// How long one attempt may take: connecting, sending and the receiver's answer.
pub const TIMEOUT_SECS: u64 = 10;
/// How long a worker holds a delivery before another may take it over.
pub const LEASE_SECS: i64 = 60;
/// The waits after the 1st … 7th failed attempt, in units of the base
/// (`CERTDIRECT_WEBHOOKS_RETRY_BASE_SECS`, default 5): 5 s, 30 s, 2 min, 10 min, 1 h, 6 h, 24 h.
pub const BACKOFF_UNITS: [i64; (MAX_ATTEMPTS - 1) as usize] = [1, 6, 24, 120, 720, 4320, 17280];
/// How often an idle worker looks for due deliveries.
pub const IDLE_POLL_MS: u64 = 1_000;
/// The most of a receiver's answer that is read (and then dropped).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// When the next attempt is due after `tries` failed attempts, or `None` when it was the last.
pub fn next_attempt(tries: i32, base_secs: u64, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let units = *BACKOFF_UNITS.get(usize::try_from(tries.checked_sub(1)?).ok()?)?;
    Some(now + chrono::Duration::seconds(units.saturating_mul(base_secs as i64)))
}

/// Deliveries that are due, or whose worker's lease ran out.
fn claimable(now: DateTime<Utc>) -> Condition {
    use webhook_delivery::Column as D;
    Condition::any()
        .add(
            Condition::all()
                .add(D::Status.eq(WebhookDeliveryStatus::Pending.as_str()))
                .add(D::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(D::Status.eq(WebhookDeliveryStatus::Sending.as_str()))
                .add(D::LockedUntil.lt(now)),
        )
}

/// Takes one due delivery for `worker` (compare-and-set), if any.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Option<webhook_delivery::Model>, DbErr> {
    use webhook_delivery::Column as D;
    let candidates = webhook_delivery::Entity::find()
        .filter(claimable(now))
        .order_by_asc(D::NextAttemptAt)
        .order_by_asc(D::Id)
        .limit(8)
        .all(db)
        .await?;
    for d in candidates {
        let taken = webhook_delivery::Entity::update_many()
            .col_expr(
                D::Status,
                Expr::value(WebhookDeliveryStatus::Sending.as_str()),
            )
            .col_expr(D::LockedBy, Expr::value(worker))
            .col_expr(
                D::LockedUntil,
                Expr::value(now + chrono::Duration::seconds(LEASE_SECS)),
            )
            .col_expr(D::Tries, Expr::col(D::Tries).add(1))
            .filter(D::Id.eq(d.id))
            .filter(claimable(now))
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            return webhook_delivery::Entity::find_by_id(d.id).one(db).await;
        }
    }
    Ok(None)
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|c| (200..300).contains(&c))
    }

    fn failed(why: impl Into<String>) -> Self {
        Self {
            status_code: None,
            error: Some(why.into()),
        }
    }
}

/// POSTs `body` to `endpoint` with the Standard Webhooks headers, connecting only to addresses
/// the guard allows (checked now, not only at registration: DNS may have changed).
pub async fn send(
    endpoint: &webhook_endpoint::Model,
    key: &[u8],
    msg_id: &str,
    timestamp: i64,
    body: &str,
    allow_private: bool,
) -> Outcome {
    let target = match super::parse_url(&endpoint.url, allow_private) {
        Ok(t) => t,
        Err(e) => return Outcome::failed(format!("url {}", e.reason)),
    };
    let addrs = match resolve(&target, allow_private).await {
        Ok(a) => a,
        Err(e) => return Outcome::failed(e.reason),
    };
    let Target { url, host, .. } = target;
    let mut client = reqwest::Client::builder()
        .timeout(Duration::from_secs(TIMEOUT_SECS))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("CertDirect-Webhooks/", env!("CARGO_PKG_VERSION")));
    if let Host::Domain(name) = &host {
        // Pinned to the addresses just checked: no second lookup can lead elsewhere.
        client = client.resolve_to_addrs(name, &addrs);
    }
    let client = match client.build() {
        Ok(c) => c,
        Err(e) => return Outcome::failed(format!("HTTP client: {e}")),
    };
    let res = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", msg_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature::sign(key, msg_id, timestamp, body),
        )
        .body(body.to_owned())
        .send()
        .await;
    match res {
        Ok(mut res) => {
            let status = res.status().as_u16();
            // Read (a bounded part of) the answer so the connection ends cleanly; it is not kept.
            let mut read = 0;
            while let Ok(Some(chunk)) = res.chunk().await {
                read += chunk.len();
                if read > MAX_ANSWER_BYTES {
                    break;
                }
            }
            Outcome {
                status_code: Some(status),
                error: (!(200..300).contains(&status)).then(|| {
                    format!("the endpoint answered {status}; only 2xx counts as received")
                }),
            }
        }
        Err(e) if e.is_timeout() => {
            Outcome::failed(format!("no answer within {TIMEOUT_SECS} seconds"))
        }
        Err(e) => Outcome::failed(format!("could not connect: {e}")),
    }
}

/// Sends one claimed delivery and records the attempt and what follows it.
pub async fn process(
    state: &AppState,
    worker: &str,
    d: &webhook_delivery::Model,
) -> Result<Outcome, DbErr> {
    let started = state.now();
    let clock = Instant::now();
    let endpoint = webhook_endpoint::Entity::find_by_id(d.endpoint_id)
        .one(&state.db)
        .await?;
    let allow_private = state.config.webhooks.allow_private;
    // A deleted or disabled endpoint ends the delivery at once: no retry could reach it.
    let (outcome, hopeless) = match endpoint {
        Some(ep) if ep.deleted_at.is_some() => (Outcome::failed("the endpoint was deleted"), true),
        None => (Outcome::failed("the endpoint was deleted"), true),
        Some(ep) if !ep.enabled => (Outcome::failed("the endpoint is disabled"), true),
        Some(ep) => match super::secret_key(&state.secrets, &ep) {
            Ok(key) => (
                send(
                    &ep,
                    &key,
                    &d.msg_id,
                    started.timestamp(),
                    &d.payload,
                    allow_private,
                )
                .await,
                false,
            ),
            Err(e) => {
                tracing::error!(endpoint = ep.id, error = %e, "webhook secret unreadable");
                (
                    Outcome::failed("the endpoint's secret could not be read"),
                    false,
                )
            }
        },
    };
    let took = i64::try_from(clock.elapsed().as_millis()).unwrap_or(i64::MAX);
    let now = state.now();
    let ok = outcome.succeeded();
    let gave_up = !ok
        && (hopeless
            || next_attempt(d.tries, state.config.webhooks.retry_base_secs, now).is_none());
    let (status, next) = if ok {
        (WebhookDeliveryStatus::Succeeded, None)
    } else if gave_up {
        (WebhookDeliveryStatus::Failed, None)
    } else {
        (
            WebhookDeliveryStatus::Pending,
            next_attempt(d.tries, state.config.webhooks.retry_base_secs, now),
        )
    };
    let txn = sea_orm::TransactionTrait::begin(&state.db).await?;
    webhook_attempt::ActiveModel {
        delivery_id: Set(d.id),
        at: Set(started),
        duration_ms: Set(took),
        status_code: Set(outcome.status_code.map(i32::from)),
        error: Set(outcome
            .error
            .as_ref()
            .map(|e| e.chars().take(500).collect())),
        succeeded: Set(ok),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut changes = webhook_delivery::ActiveModel {
        status: Set(status.as_str().to_owned()),
        locked_by: Set(None),
        locked_until: Set(None),
        ..Default::default()
    };
    match next {
        Some(at) => changes.next_attempt_at = Set(at),
        None => changes.finished_at = Set(Some(now)),
    }
    // Only the holder of the lease finishes it; a worker whose lease ran out changes nothing.
    webhook_delivery::Entity::update_many()
        .set(changes)
        .filter(webhook_delivery::Column::Id.eq(d.id))
        .filter(webhook_delivery::Column::Status.eq(WebhookDeliveryStatus::Sending.as_str()))
        .filter(webhook_delivery::Column::LockedBy.eq(worker))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(outcome)
}

/// Sends every delivery due now, one after another; returns how many attempts were made.
pub async fn run_due(state: &AppState, worker: &str) -> Result<u32, DbErr> {
    let mut made = 0;
    while let Some(d) = claim(&state.db, worker, state.now()).await? {
        let outcome = process(state, worker, &d).await?;
        if !outcome.succeeded() {
            tracing::info!(delivery = d.id, tries = d.tries, error = ?outcome.error, "webhook attempt failed");
        }
        made += 1;
    }
    Ok(made)
}

/// One delivery worker: sends what is due, then waits [`IDLE_POLL_MS`].
pub async fn worker(state: AppState, name: String) {
    loop {
        if let Err(e) = run_due(&state, &name).await {
            tracing::warn!(error = %e, "webhook delivery failed; will retry");
        }
        tokio::time::sleep(Duration::from_millis(IDLE_POLL_MS)).await;
    }
}

/// Starts `count` delivery workers in this process (`serve --role all|worker`).
pub fn spawn_workers(state: &AppState, count: usize) {
    let host = std::process::id();
    for i in 0..count {
        tokio::spawn(worker(
            state.clone(),
            format!("pid{host}-wh{i}-{}", uuid::Uuid::new_v4().simple()),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_schedule() {
        let t0 = DateTime::parse_from_rfc3339("2026-12-05T00:00:00Z")
            .unwrap()
            .to_utc();
        let waits: Vec<Option<i64>> = (0..=MAX_ATTEMPTS + 1)
            .map(|tries| next_attempt(tries, 5, t0).map(|t| (t - t0).num_seconds()))
            .collect();
        assert_eq!(
            waits,
            vec![
                None,
                Some(5),
                Some(30),
                Some(120),
                Some(600),
                Some(3_600),
                Some(21_600),
                Some(86_400),
                None,
                None
            ]
        );
        // A base of 0 (tests) retries at once, still at most MAX_ATTEMPTS times.
        assert_eq!(next_attempt(1, 0, t0), Some(t0));
        assert_eq!(next_attempt(MAX_ATTEMPTS, 0, t0), None);
    }

    #[test]
    fn only_2xx_counts() {
        for (code, ok) in [
            (200, true),
            (204, true),
            (299, true),
            (301, false),
            (500, false),
        ] {
            let o = Outcome {
                status_code: Some(code),
                error: (!ok).then(|| "x".to_owned()),
            };
            assert_eq!(o.succeeded(), ok, "{code}");
        }
        assert!(!Outcome::failed("timeout").succeeded());
    }
}
