use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    /// `C00000001`, `operator:C00000002`, `system`, `acme:<account id>`.
    pub actor: String,
    pub customer_id: Option<i64>,
    pub action: String,
    pub subject: String,
    /// `success` or `failure`.
    pub outcome: String,
    /// JSON object with the particulars.
    #[sea_orm(column_type = "Text")]
    pub detail: String,
    pub remote_addr: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
