use sea_orm::entity::prelude::*;

/// Waiting for its next hand-off.
pub const QUEUED: &str = "queued";
/// Leased by a mail worker, being handed over.
pub const SENDING: &str = "sending";
/// Handed over.
pub const SENT: &str = "sent";

/// One email waiting for, or past, its hand-off to SMTP (or to the `.eml` directory): written in
/// the transaction of the change it announces, sent afterwards by a mail worker holding a
/// compare-and-set lease.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The `Message-ID` every attempt carries, so a repeated hand-off is recognisable.
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `queued`, `sending`, `sent`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub locked_by: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
