use sea_orm::entity::prelude::*;
use shared::dto::InquiryStatus;

/// A customer center inquiry (`Q…`, R-SUP-1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inquiries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub subject: String,
    /// A-label form.
    pub domain: Option<String>,
    pub invoice_number: Option<String>,
    /// `open`, `answered` or `closed`.
    pub status: String,
    /// The operator (a `customers` row with the operator role) it is assigned to.
    pub assignee_id: Option<i64>,
    pub received_in_hours: bool,
    /// `YYYY-MM-DD`, Japan (R-SUP-2).
    pub answer_by: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const STATUS_OPEN: &str = "open";
pub const STATUS_ANSWERED: &str = "answered";
pub const STATUS_CLOSED: &str = "closed";

pub fn status_str(s: InquiryStatus) -> &'static str {
    match s {
        InquiryStatus::Open => STATUS_OPEN,
        InquiryStatus::Answered => STATUS_ANSWERED,
        InquiryStatus::Closed => STATUS_CLOSED,
    }
}

impl Model {
    pub fn status(&self) -> InquiryStatus {
        match self.status.as_str() {
            STATUS_OPEN => InquiryStatus::Open,
            STATUS_ANSWERED => InquiryStatus::Answered,
            _ => InquiryStatus::Closed,
        }
    }
}
