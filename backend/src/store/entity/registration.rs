use sea_orm::entity::prelude::*;
use shared::billing::RegistrationState;
use shared::fqdn::CertType;

/// A usage FQDN registration (利用FQDN) and its life (R-FQDN-4..8).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    /// A-label form, without `*.`.
    pub fqdn: String,
    /// `fqdn` while live, NULL otherwise (unique: one live registration per name).
    pub live_fqdn: Option<String>,
    pub cert_type: String,
    pub state: String,
    pub contract_years: i32,
    pub created_at: DateTimeUtc,
    pub registered_at: Option<DateTimeUtc>,
    pub deadline: Option<DateTimeUtc>,
    pub activated_at: Option<DateTimeUtc>,
    pub contract_end: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn state(&self) -> RegistrationState {
        RegistrationState::parse(&self.state).unwrap_or(RegistrationState::Cancelled)
    }

    pub fn cert_type(&self) -> CertType {
        CertType::parse(&self.cert_type).unwrap_or(CertType::Dv)
    }
}
