//! What every handler and worker shares.

use std::ops::Deref;
use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::clock::Clock;
use crate::config::Config;
use crate::mail::Mailer;
use crate::secretbox::SecretBox;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: DatabaseConnection,
    pub config: Config,
    pub clock: Arc<dyn Clock>,
    pub mailer: Mailer,
    /// Encrypts EAB HMAC keys at rest.
    pub secrets: SecretBox,
    /// The signing CA, loaded once.
    pub ca: crate::ca::Ca,
    /// Issues and checks ACME nonces (a key derived from `secrets`, so every process agrees).
    pub nonces: crate::acme::nonce::NonceKeys,
    /// Wakes this process's validation workers when a job is queued.
    pub va_wakeup: tokio::sync::Notify,
    /// The card payment provider (R-BILL-3, R-BILL-6): the built-in test provider.
    pub payments: crate::billing::payment::TestCardProvider,
    /// The remote validation perspectives (R-VAL-7), when configured.
    pub remotes: Option<crate::va::mpic::Remotes>,
    /// True once the process is stopping (SIGTERM): job loops take no new work and
    /// `/api/v1/health/ready` answers 503.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// Starts the name of every lease this process's workers take (`pid<pid>-<random>`), so the
    /// leases it still holds when it stops can be given back.
    pub worker_prefix: String,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        clock: Arc<dyn Clock>,
        mailer: Mailer,
        secrets: SecretBox,
        ca: crate::ca::Ca,
        remotes: Option<crate::va::mpic::Remotes>,
    ) -> Self {
        let nonces = crate::acme::nonce::NonceKeys::new(&secrets.derive_key("acme-nonce-v1"));
        Self(Arc::new(Inner {
            nonces,
            db,
            config,
            clock,
            mailer,
            secrets,
            ca,
            va_wakeup: tokio::sync::Notify::new(),
            payments: Default::default(),
            remotes,
            stopping: tokio::sync::watch::Sender::new(false),
            worker_prefix: format!(
                "pid{}-{}",
                std::process::id(),
                &uuid::Uuid::new_v4().simple().to_string()[..12]
            ),
        }))
    }

    /// Whether the process is stopping.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

impl Deref for AppState {
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
