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
