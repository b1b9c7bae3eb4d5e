use sea_orm::entity::prelude::*;
use shared::billing::{InvoiceStatus, PaymentMethod};

/// An invoice (`BILL…`) for a registration or its renewal (R-BILL-1..5).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub registration_id: i64,
    /// `new` or `renewal`.
    pub kind: String,
    pub cert_type: String,
    pub fqdn: String,
    pub period_years: i32,
    pub amount_excl_tax: i64,
    pub tax: i64,
    pub amount_incl_tax: i64,
    pub payment_method: String,
    pub status: String,
    pub issued_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    pub paid_amount: Option<i64>,
    /// `card`, `bank_transfer`, `bank_statement`.
    pub paid_via: Option<String>,
    /// The payment provider's charge id or the statement line; never card data.
    pub payment_reference: Option<String>,
    pub voided_at: Option<DateTimeUtc>,
    pub refunded_at: Option<DateTimeUtc>,
    /// Set while a card payment is with the provider (R-BILL-6): the invoice is unpaid but
    /// busy. A claim older than [`CHARGE_CLAIM_MINUTES`] is treated as abandoned.
    pub charging_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const KIND_NEW: &str = "new";
pub const KIND_RENEWAL: &str = "renewal";

/// How long a card payment's claim on an invoice holds. A process that died mid-charge leaves
/// its claim behind; after this it may be claimed again, and the provider's idempotency key
/// (the invoice number) makes the retry return the first charge instead of charging twice.
pub const CHARGE_CLAIM_MINUTES: i64 = 10;

impl Model {
    pub fn status(&self) -> InvoiceStatus {
        InvoiceStatus::parse(&self.status).unwrap_or(InvoiceStatus::Void)
    }

    /// Whether a card payment holds the invoice at `now` (R-BILL-6).
    pub fn is_claimed(&self, now: DateTimeUtc) -> bool {
        self.charging_at
            .is_some_and(|at| at > now - chrono::Duration::minutes(CHARGE_CLAIM_MINUTES))
    }

    pub fn payment_method(&self) -> PaymentMethod {
        PaymentMethod::parse(&self.payment_method).unwrap_or(PaymentMethod::BankTransfer)
    }
}
