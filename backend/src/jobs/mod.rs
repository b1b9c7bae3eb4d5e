//! Background work run by `serve --role all|worker`: periodic housekeeping now; the validation
//! queue and the billing scheduler join it.

use std::time::Duration;

use chrono::Duration as ChronoDuration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::state::AppState;
use crate::store::entity::{email_token, login_failure, session};

/// How many rows one housekeeping pass removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub email_tokens: u64,
    pub login_failures: u64,
    pub nonces: u64,
}

/// Deletes expired sessions, email tokens expired for more than a day, and login failures
/// older than the rate-limit window. Safe to run in several processes at once.
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
    let nonces = crate::acme::nonce::purge(&state.db, now).await?;
    Ok(Purged {
        sessions,
        email_tokens,
        login_failures,
        nonces,
    })
}

/// Runs housekeeping every `every` until the process stops.
pub async fn run(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        match housekeeping(&state).await {
            Ok(p) if p != Purged::default() => tracing::info!(?p, "housekeeping"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; will retry"),
        }
    }
}
