use sea_orm::entity::prelude::*;

/// A redeemed ACME nonce, kept until it would have expired so that no process accepts it again
/// (the primary key makes a second redemption fail).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acme_nonces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
