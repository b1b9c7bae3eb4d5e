use sea_orm::entity::prelude::*;

/// A reminder email that was sent (R-SUP-3); the unique (kind, subject_id, threshold) key is the
/// claim that makes it once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminders_sent")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub subject_id: i64,
    /// Days before the date the reminder is about.
    pub threshold: i32,
    pub sent_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
