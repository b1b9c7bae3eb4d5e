use sea_orm::entity::prelude::*;

/// An `Idempotency-Key` claimed by a customer for one method and path (issue 13, SPEC.md §4).
/// The row is the claim; `response_status` is null while the first request is in flight.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub method: String,
    pub path: String,
    pub idem_key: String,
    /// Lower-case hex HMAC-SHA256 of the raw request body under a server key, so that a
    /// database dump cannot be searched for a card number by hashing guesses.
    pub fingerprint: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub response_status: Option<i32>,
    pub content_type: Option<String>,
    pub location: Option<String>,
    /// The response body, sealed with the server's secret box (it may hold an API token or an
    /// EAB HMAC key).
    pub body_nonce: Option<String>,
    pub body: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
