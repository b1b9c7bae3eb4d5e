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
/// The graceful stop, once [`AppState::stopping`] is set: waits up to
/// `CERTDIRECT_SHUTDOWN_GRACE_SECS` for the HTTP server (no longer accepting) to finish the
/// requests in flight and for the workers to finish the job or email in hand; past the grace
/// they are dropped. Then every validation job and outbox message this process still holds is
/// given back, so another worker takes it at once rather than after its lease.
pub async fn drain(
    state: &AppState,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    workers: Vec<tokio::task::JoinHandle<()>>,
) {
    // With a server, the grace runs after `CERTDIRECT_SHUTDOWN_DELAY_SECS` (still accepting).
    let delay = if server.is_some() {
        state.config.shutdown_delay_secs
    } else {
        0
    };
    let grace = std::time::Duration::from_secs(state.config.shutdown_grace_secs + delay);
    tracing::info!(grace_secs = grace.as_secs(), "draining");
    let aborts: Vec<_> = workers.iter().map(|w| w.abort_handle()).collect();
    let server_abort = server.as_ref().map(|s| s.abort_handle());
    let all = async {
        if let Some(server) = server {
            match server.await {
                Ok(Err(e)) => {
                    tracing::warn!(error = %format!("{e:#}"), "the HTTP server ended with an error")
                }
                Err(e) => tracing::warn!(error = %e, "the HTTP server task failed"),
                Ok(Ok(())) => {}
            }
        }
        for w in workers {
            let _ = w.await;
        }
    };
    if tokio::time::timeout(grace, all).await.is_err() {
        tracing::warn!("the grace ran out; dropping the requests and jobs still running");
        for a in aborts {
            a.abort();
        }
        if let Some(a) = server_abort {
            a.abort();
        }
    }
    match orders::validation::return_leases(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "validation jobs given back"),
        Err(e) => {
            tracing::warn!(error = %e, "giving back validation jobs failed; their leases will run out")
        }
    }
    match mail::outbox::return_leases(&state.db, &state.worker_prefix).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(emails = n, "emails given back"),
        Err(e) => {
            tracing::warn!(error = %e, "giving back emails failed; their leases will run out")
        }
    }
    tracing::info!("stopped");
}

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
