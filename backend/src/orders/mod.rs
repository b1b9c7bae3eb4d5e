//! The ACME domain layer (the RA, in Boulder's terms): order creation under the registration
//! policy, authorization reuse, starting and recording validations, finalize and issuance with
//! registration activation. No HTTP here: the ACME front end (`crate::acme`) parses and verifies
//! requests, calls these functions, and turns an [`OrderError`] into a problem document.
//!
//! Statuses are the typed enums of `shared::acme`; every change of one is a guarded update in
//! [`store`] (the row changes only if it still has the status the change starts from), so two
//! requests or processes racing for the same order, authorization or challenge cannot both win.

pub mod challenge;
pub mod create;
pub mod finalize;
pub mod store;
pub mod validation;

use chrono::{DateTime, Utc};
use shared::acme::{AuthzStatus, OrderStatus};

use crate::policy::Refusal;
use crate::store::entity::{acme_authorization, acme_order};

pub use challenge::{answer_challenge, authorization, challenge, deactivate_authorization};
pub use create::{create, NewOrder};
pub use finalize::finalize;

/// R-ACME-5: authorizations and their challenges live 25 days.
pub const AUTHZ_LIFETIME_DAYS: i64 = 25;
/// Orders live 7 days (never longer than their authorizations).
pub const ORDER_LIFETIME_DAYS: i64 = 7;
/// The most identifiers one order may name.
pub const MAX_IDENTIFIERS: usize = 100;

/// Why an order operation did not happen. The ACME front end maps each to its problem type.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// Identifiers the registration policy refuses (R-ACME-4), each with its reason.
    #[error("{} identifier(s) refused", .0.len())]
    Rejected(Vec<Refusal>),
    /// No such resource for this account.
    #[error("{0}")]
    NotFound(String),
    /// The order is not ready to be finalized, or another request finalized it first.
    #[error("{0}")]
    NotReady(String),
    /// The CSR is unacceptable (R-ACME-6).
    #[error("{0}")]
    BadCsr(String),
    /// RFC 9773: the certificate named in `replaces` was replaced already.
    #[error("{0}")]
    AlreadyReplaced(String),
    /// CAA checked again at issuance forbids it (R-VAL-6, BR 3.2.2.8); the order is now invalid.
    #[error("{0}")]
    Caa(String),
    /// The request asks for something the resource's state does not allow.
    #[error("{0}")]
    NotAllowed(String),
    /// The order asks for a profile this server does not offer, or not for its names' products
    /// (R-ACME-9).
    #[error("{0}")]
    InvalidProfile(String),
    /// A rate limit of R-ACME-10 was reached.
    #[error("{}", .0.detail())]
    RateLimited(crate::ratelimit::Exceeded),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// A failure of ours (logged at the edge, never sent).
    #[error("{0}")]
    Internal(String),
}

/// The profile for an order whose names the registrations `covering` hold: the one `requested`
/// (or the default), which must be offered for each of their products (R-ACME-9). Used at
/// newOrder and again at finalize, where a profile removed from the configuration meanwhile
/// refuses the order.
pub fn profile_for<'a>(
    profiles: &'a crate::profiles::Profiles,
    requested: Option<&str>,
    covering: &[&crate::store::entity::registration::Model],
) -> Result<&'a crate::profiles::Profile, OrderError> {
    let products: Vec<shared::fqdn::CertType> = covering.iter().map(|r| r.cert_type()).collect();
    profiles
        .choose(requested, &products)
        .map_err(|e| OrderError::InvalidProfile(e.to_string()))
}

/// An order as a client sees it now: the stored row, its derived status and its authorizations.
#[derive(Debug, Clone)]
pub struct OrderState {
    pub order: acme_order::Model,
    pub status: OrderStatus,
    pub authorizations: Vec<acme_authorization::Model>,
}

impl OrderState {
    /// Derives the status at `now` (RFC 8555 §7.1.6).
    pub fn new(
        order: acme_order::Model,
        authorizations: Vec<acme_authorization::Model>,
        now: DateTime<Utc>,
    ) -> Self {
        let seen: Vec<AuthzStatus> = authorizations.iter().map(|a| a.status_at(now)).collect();
        let status = OrderStatus::derive(order.stored_status(), order.expires_at <= now, &seen);
        OrderState {
            order,
            status,
            authorizations,
        }
    }
}

/// The problem document stored with a failed order or challenge (RFC 8555 §7.1.3, §8), so that
/// any process can show it later.
pub fn stored_problem(kind: &str, detail: &str, status: u16) -> String {
    serde_json::json!({
        "type": format!("urn:ietf:params:acme:error:{kind}"),
        "detail": detail,
        "status": status,
    })
    .to_string()
}
