use sea_orm::entity::prelude::*;

/// One event for one endpoint: the outbox row, written in the transaction of the change it
/// announces, and the queue job a delivery worker takes with a compare-and-set lease.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub endpoint_id: i64,
    pub customer_id: i64,
    /// `webhook-id`: the same on every attempt, so receivers can drop duplicates.
    pub msg_id: String,
    pub event_type: String,
    /// The exact JSON body sent (and signed).
    pub payload: String,
    /// `pending`, `sending`, `succeeded` or `failed`.
    pub status: String,
    /// Attempts since the delivery was queued (a re-send starts again at 0).
    pub tries: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
