//! Background work run by `serve --role all|worker`: the billing scheduler and housekeeping;
//! the validation queue joins them.

use std::time::Duration;

use chrono::Duration as ChronoDuration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::state::AppState;
use crate::store::entity::{
    email_token, idempotency_key, login_failure, login_limit_gate, mail_outbox, session,
};

/// How many rows one housekeeping pass removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub email_tokens: u64,
    pub login_failures: u64,
    pub nonces: u64,
    /// Orders a killed process left `processing`, now failed.
    pub interrupted_orders: u64,
    /// `Idempotency-Key`s past their 24 hours (issue 13).
    pub idempotency_keys: u64,
    /// Emails of the mail outbox sent more than [`SENT_MAIL_KEPT_DAYS`] days ago.
    pub sent_mail: u64,
}

/// How long a sent email stays in the mail outbox (the console's `status=all`).
pub const SENT_MAIL_KEPT_DAYS: i64 = 30;

/// Deletes expired sessions, email tokens expired for more than a day, login failures older than
/// the rate-limit window, expired nonce records and expired `Idempotency-Key`s, and fails orders whose issuance a killed
/// process interrupted. Safe to run in several processes at once; runs at start, then on a
/// schedule.
pub async fn housekeeping(state: &AppState) -> Result<Purged, sea_orm::DbErr> {
    let now = state.now();
    let sessions = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(&state.db)
        .await?
        .rows_affected;
    let email_tokens = email_token::Entity::delete_many()
        .filter(email_token::Column::ExpiresAt.lte(now - ChronoDuration::days(1)))
        .exec(&state.db)
        .await?
        .rows_affected;
    let window = ChronoDuration::seconds(state.config.login_limit.window_secs);
    let login_failures = login_failure::Entity::delete_many()
        .filter(login_failure::Column::At.lte(now - window))
        .exec(&state.db)
        .await?
        .rows_affected;
    // A gate untouched for a whole window guards no failure any more.
    login_limit_gate::Entity::delete_many()
        .filter(login_limit_gate::Column::TouchedAt.lte(now - window))
        .exec(&state.db)
        .await?;
    let nonces = crate::acme::nonce::purge(&state.db, now).await?;
    let idempotency_keys = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::ExpiresAt.lte(now))
        .exec(&state.db)
        .await?
        .rows_affected;
    crate::ratelimit::purge(&state.db, now).await?;
    // Wall-clock, like every time of the outbox (docs/decisions.md, "Mail outbox").
    let sent_mail = mail_outbox::Entity::delete_many()
        .filter(mail_outbox::Column::Status.eq(crate::store::entity::mail_outbox::SENT))
        .filter(
            mail_outbox::Column::SentAt
                .lte(crate::mail::wall_now() - ChronoDuration::days(SENT_MAIL_KEPT_DAYS)),
        )
        .exec(&state.db)
        .await?
        .rows_affected;
    let interrupted_orders = crate::orders::finalize::fail_interrupted(state)
        .await
        .map_err(|e| match e {
            crate::orders::OrderError::Db(e) => e,
            other => sea_orm::DbErr::Custom(other.to_string()),
        })?;
    Ok(Purged {
        sessions,
        email_tokens,
        login_failures,
        nonces,
        interrupted_orders,
        idempotency_keys,
        sent_mail,
    })
}

/// What one billing pass changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BillingPass {
    pub cancelled: u32,
    pub lapsed: u32,
    pub expired: u32,
}

/// The scheduler's billing work (R-BILL-4, R-FQDN-5/6): cancel registrations whose invoice is
/// unpaid past its due date, lapse registrations past their issuance deadline, expire contracts
/// past their end. Each change is a compare-and-set, so several workers may run it at once.
pub async fn billing_pass(state: &AppState) -> Result<BillingPass, crate::error::ApiError> {
    Ok(BillingPass {
        cancelled: crate::registrations::cancel_overdue(state).await?,
        lapsed: crate::registrations::lapse_overdue(state).await?,
        expired: crate::registrations::expire_ended(state).await?,
    })
}

/// Runs the billing pass every `billing_every` and housekeeping every `housekeeping_every`
/// until the process stops.
pub async fn run(state: AppState, billing_every: Duration, housekeeping_every: Duration) {
    let mut billing = tokio::time::interval(billing_every);
    let mut housekeeping_tick = tokio::time::interval(housekeeping_every);
    loop {
        tokio::select! {
            _ = billing.tick() => match billing_pass(&state).await {
                Ok(p) if p != BillingPass::default() => tracing::info!(?p, "billing pass"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "billing pass failed; will retry"),
            },
            _ = housekeeping_tick.tick() => {
                match housekeeping(&state).await {
                    Ok(p) if p != Purged::default() => tracing::info!(?p, "housekeeping"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry"),
                }
                // R-SUP-3, R-CA-4: deadline, EAB and certificate expiry reminders, each once.
                match crate::reminders::run(&state).await {
                    Ok(s) if s == crate::reminders::Sent::default() => {}
                    Ok(s) => tracing::info!(?s, "reminders sent"),
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "sending reminders failed; will retry"),
                }
                // R-CA-5: the CRL is signed on a schedule as well as on every revocation.
                match crate::certs::scheduled_crl(&state).await {
                    Ok(Some(crl)) => tracing::info!(number = crl.id, "signed a CRL"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "signing the CRL failed; will retry"),
                }
            }
        }
    }
}
