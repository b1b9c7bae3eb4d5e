use sea_orm::entity::prelude::*;

/// An ACME order (RFC 8555 §7.1.3).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acme_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    pub customer_id: i64,
    /// Stored for `processing`, `valid` and `invalid` (finalize's outcome); otherwise derived
    /// from the authorizations.
    pub status: String,
    /// JSON array of DNS names, as ordered.
    #[sea_orm(column_type = "Text")]
    pub identifiers: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub certificate_id: Option<i64>,
    /// The certificate this order replaces (RFC 9773 `replaces`).
    pub replaces_id: Option<i64>,
    /// The certificate identifier as the client sent it, echoed in the order object.
    #[sea_orm(column_type = "Text", nullable)]
    pub replaces: Option<String>,
    /// The profile the order was created under (R-ACME-9); `None` for orders from before
    /// profiles, which were issued as the default profile.
    pub profile: Option<String>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored status (an unknown value reads as `invalid`).
    pub fn stored_status(&self) -> shared::acme::OrderStatus {
        shared::acme::OrderStatus::parse(&self.status).unwrap_or(shared::acme::OrderStatus::Invalid)
    }

    pub fn names(&self) -> Vec<String> {
        serde_json::from_str(&self.identifiers).unwrap_or_default()
    }
}
