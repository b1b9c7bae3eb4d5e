//! CertDirect: a domain-validated certificate authority sold through a portal and a REST API
//! and delivered over ACME. See SPEC.md and DESIGN.md in the shared docs.

pub mod accounts;
pub mod acme;
pub mod api;
pub mod audit;
pub mod backup;
pub mod billing;
pub mod br;
pub mod ca;
pub mod campaigns;
pub mod certs;
pub mod cidr;
pub mod clock;
pub mod config;
pub mod eab;
pub mod error;
pub mod jobs;
pub mod jose;
pub mod jst;
pub mod mail;
pub mod metrics;
pub mod operators;
pub mod orders;
pub mod perspective;
pub mod policy;
pub mod profiles;
pub mod queue;
pub mod ratelimit;
pub mod registrations;
pub mod reminders;
pub mod renewal;
pub mod secretbox;
pub mod secrets;
pub mod state;
pub mod store;
pub mod support;
pub mod tls;
pub mod va;
pub mod web;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Config;
use crate::state::AppState;

/// Connects to the database, migrates it, and assembles the shared state.
pub async fn build_state(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    if config.va_dnssec.is_off() {
        tracing::warn!(
            "DNSSEC validation of validation lookups (dns-01, CAA, http-01 addresses) is off (CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS=off): for tests and development only (R-VAL-8)"
        );
    }
    for warning in config.start_warnings() {
        tracing::warn!("{warning}");
    }
    let db = store::connect(&config).await?;
    store::migrate(&db).await?;
    let mailer = mail::Mailer::new(&config)?;
    let secrets = secretbox::SecretBox::from_config(&config)?;
    let ca = ca::Ca::load(&config)?;
    let remotes = va::mpic::Remotes::from_config(&config)?;
    Ok(AppState::new(
        db, config, clock, mailer, secrets, ca, remotes,
    ))
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (api, _) = api::router(state.clone());
    Router::new()
        .nest(api::API_PREFIX, api)
        .nest(acme::ACME_PREFIX, acme::router(state.clone()))
        .nest("/ca", certs::router())
        .route("/metrics", axum::routing::get(metrics::handler))
        .merge(web::spa_router(&state.config.static_dir))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            web::MAX_REQUEST_BYTES,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::oversized_body_problem,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::security_headers,
        ))
        .layer(axum::middleware::from_fn(web::log_request))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` resolves: plain HTTP, or HTTPS when `tls` is given.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let make = app.into_make_service_with_connect_info::<tls::PeerAddr>();
    match tls {
        None => {
            axum::serve(listener, make)
                .with_graceful_shutdown(shutdown)
                .await?
        }
        Some(config) => {
            let listener = tls::TlsListener::new(listener, config)?;
            axum::serve(listener, make)
                .with_graceful_shutdown(shutdown)
                .await?
        }
    }
    Ok(())
}
