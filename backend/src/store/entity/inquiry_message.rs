use sea_orm::entity::prelude::*;

/// One message of an inquiry's conversation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inquiry_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub inquiry_id: i64,
    /// `customer` or `operator`.
    pub author: String,
    pub operator_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const AUTHOR_CUSTOMER: &str = "customer";
pub const AUTHOR_OPERATOR: &str = "operator";
