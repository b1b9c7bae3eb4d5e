use sea_orm::entity::prelude::*;

/// A customer's ACME usage application (ACME利用申請); at most one per customer (R-EAB-1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acme_applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    /// The version of the service terms the customer agreed to.
    pub terms_version: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The application number (申請番号) shown to the customer, e.g. `AP00000012`.
    pub fn number(&self) -> String {
        format!("AP{:08}", self.id)
    }
}
