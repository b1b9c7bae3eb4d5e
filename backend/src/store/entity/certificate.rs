use sea_orm::entity::prelude::*;

/// A certificate row reserved before signing (R-CA-6); `valid` once stored, `revoked` later, or
/// `abandoned` when its issuance was interrupted and its order failed.
pub const RESERVED: &str = "reserved";
pub const VALID: &str = "valid";
pub const REVOKED: &str = "revoked";
pub const ABANDONED: &str = "abandoned";

/// An issued certificate (R-CA-1..4).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-case hex.
    pub serial: String,
    pub customer_id: i64,
    pub account_id: i64,
    pub order_id: i64,
    /// JSON array of the SAN names.
    #[sea_orm(column_type = "Text")]
    pub names: String,
    /// RFC 7638 thumbprint of the certificate's key, for revocation signed by that key.
    pub key_thumbprint: String,
    pub not_before: DateTimeUtc,
    pub not_after: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub leaf_pem: String,
    /// `valid` or `revoked`.
    pub status: String,
    pub revoked_at: Option<DateTimeUtc>,
    pub revocation_reason: Option<i32>,
    pub created_at: DateTimeUtc,
    /// When the expiry reminder was sent (R-CA-4).
    pub reminded_at: Option<DateTimeUtc>,
    /// The early-renewal campaign that moved this certificate's window, if any.
    pub renewal_campaign_id: Option<i64>,
    /// The certificate issued for an order that named this one in `replaces` (RFC 9773).
    pub replaced_by_id: Option<i64>,
    /// An operator's early renewal window (R-ACME-8); `None` = the default middle third.
    pub renewal_start: Option<DateTimeUtc>,
    pub renewal_end: Option<DateTimeUtc>,
    /// Why the window was moved, for the customer and the audit log.
    #[sea_orm(column_type = "Text", nullable)]
    pub renewal_reason: Option<String>,
    /// The profile the certificate was issued under (R-ACME-9); `None` before profiles.
    pub profile: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn names(&self) -> Vec<String> {
        serde_json::from_str(&self.names).unwrap_or_default()
    }
}
