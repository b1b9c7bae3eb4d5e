use sea_orm::entity::prelude::*;

/// External Account Binding credentials (R-EAB-2..4). The HMAC key is stored encrypted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "eab_credentials")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub key_id: String,
    /// AES-256-GCM ciphertext and tag of the HMAC key, base64url.
    pub hmac_ciphertext: String,
    /// The AES-GCM nonce, base64url.
    pub hmac_nonce: String,
    pub issued_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Set when an operator issues fresh credentials: the old ones stop working at once.
    pub revoked_at: Option<DateTimeUtc>,
    /// `application` or the operator who re-issued them.
    pub issued_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
