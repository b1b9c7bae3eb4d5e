use sea_orm::entity::prelude::*;

/// An unused ACME nonce; redeemed by deleting it, so any process redeems it exactly once.
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
