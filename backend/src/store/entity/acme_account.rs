use sea_orm::entity::prelude::*;

/// An ACME account, bound for ever to the customer whose EAB created it (R-ACME-3).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acme_accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub eab_id: i64,
    /// RFC 7638 thumbprint of the account key: unique, how a key finds its account.
    pub key_thumbprint: String,
    /// The account's public key as a JWK (JSON).
    #[sea_orm(column_type = "Text")]
    pub jwk: String,
    /// JSON array of `mailto:` URIs.
    #[sea_orm(column_type = "Text")]
    pub contact: String,
    /// `valid`, `deactivated` or `revoked`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub remote_addr: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const STATUS_VALID: &str = "valid";
pub const STATUS_DEACTIVATED: &str = "deactivated";

impl Model {
    pub fn contacts(&self) -> Vec<String> {
        serde_json::from_str(&self.contact).unwrap_or_default()
    }
}
