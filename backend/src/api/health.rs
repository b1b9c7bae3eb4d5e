use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use shared::dto::Health;

use crate::state::AppState;

/// Liveness, database reachability, and whether validation checks DNSSEC.
#[utoipa::path(get, path = "/health", tag = "meta",
    responses((status = 200, body = Health), (status = 503, body = Health, description = "the database is unreachable")),
    security(()))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db_ok = state.db.ping().await.is_ok();
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if db_ok { "ok" } else { "degraded" }.into(),
            database: if db_ok { "ok" } else { "unreachable" }.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            mpic: match crate::va::mpic::compliance(&state.config.mpic.perspectives) {
                crate::va::mpic::Compliance::Compliant => "compliant",
                crate::va::mpic::Compliance::NotCompliant(_) => "not-compliant",
            }
            .into(),
            mpic_perspectives: state.config.mpic.perspectives.len() as u32,
            dnssec: if state.config.va_dnssec.is_off() {
                "off"
            } else {
                "on"
            }
            .into(),
            clock: if state.clock.is_test() {
                "test"
            } else {
                "system"
            }
            .into(),
        }),
    )
}

/// Readiness for a load balancer: 200 while this process takes new work, 503 from the moment it
/// is stopping (SIGTERM or Ctrl-C) or its database is unreachable. `/health` stays the liveness
/// check.
#[utoipa::path(get, path = "/health/ready", tag = "meta",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness, description = "stopping, or the database is unreachable")),
    security(()))]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let status = if state.is_stopping() {
        "stopping"
    } else if state.db.ping().await.is_err() {
        "database-unreachable"
    } else {
        "ready"
    };
    let code = if status == "ready" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(Readiness {
            ready: status == "ready",
            status: status.into(),
        }),
    )
}

/// Whether this process takes new work.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Readiness {
    pub ready: bool,
    /// `ready`, `stopping` or `database-unreachable`.
    pub status: String,
}
