use sea_orm::entity::prelude::*;

/// An early-renewal campaign (R-ACME-8, BR 4.9.1.1): an operator moved the ARI window of the
/// selected certificates to now, for a reason, so their clients renew before `renew_by`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "renewal_campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// The selection as given (JSON), for the record.
    #[sea_orm(column_type = "Text")]
    pub selection: String,
    pub renew_by: DateTimeUtc,
    pub certificate_count: i64,
    pub customer_count: i64,
    /// The operator's customer id.
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
