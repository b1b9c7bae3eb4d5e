use sea_orm::entity::prelude::*;
use shared::acme::AuthzStatus;

/// An ACME authorization for one identifier (RFC 8555 §7.1.4); expires 25 days after creation (R-ACME-5).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acme_authorizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// The name without `*.`.
    pub identifier: String,
    pub wildcard: bool,
    /// `pending`, `valid`, `invalid`, `deactivated`.
    pub status: String,
    pub expires_at: DateTimeUtc,
    pub validated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored status (an unknown value reads as `invalid`).
    pub fn stored_status(&self) -> AuthzStatus {
        AuthzStatus::parse(&self.status).unwrap_or(AuthzStatus::Invalid)
    }

    /// The status as a client sees it now (R-ACME-5): a pending authorization past its expiry is
    /// `invalid`, a valid one `expired`.
    pub fn status_at(&self, now: DateTimeUtc) -> AuthzStatus {
        self.stored_status()
            .seen(self.expires_at_effective() <= now)
    }

    /// When the authorization stops counting: 25 days after creation (R-ACME-5), or earlier for
    /// a valid one when its validation grows older than the BR 4.2.1 reuse period
    /// (`br::reuse_deadline`), so no order is finalized on a validation too old to reuse.
    pub fn expires_at_effective(&self) -> DateTimeUtc {
        match (self.stored_status(), self.validated_at) {
            (AuthzStatus::Valid, Some(at)) => self.expires_at.min(crate::br::reuse_deadline(at)),
            _ => self.expires_at,
        }
    }

    /// The name as it appears in orders and certificates.
    pub fn name(&self) -> String {
        if self.wildcard {
            format!("*.{}", self.identifier)
        } else {
            self.identifier.clone()
        }
    }
}
