use sea_orm::entity::prelude::*;

/// A published CRL (R-CA-3); its id is the CRL number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "crls")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The DER, base64.
    #[sea_orm(column_type = "Text")]
    pub der: String,
    pub this_update: DateTimeUtc,
    pub next_update: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
