use sea_orm::entity::prelude::*;

/// One timestamped state transition of a registration (R-FQDN-5).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub registration_id: i64,
    pub from_state: Option<String>,
    pub to_state: String,
    pub at: DateTimeUtc,
    pub actor: String,
    pub reason: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
