use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub email: String,
    /// `email` lower-cased: the unique key, so addresses differing only in case are one account.
    pub email_lower: String,
    pub password_hash: String,
    pub name: String,
    pub billing_email: String,
    pub locale: String,
    /// `customer` or `operator`.
    pub role: String,
    pub email_verified_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn customer_id(&self) -> shared::CustomerId {
        shared::CustomerId(self.id)
    }

    pub fn is_operator(&self) -> bool {
        self.role == ROLE_OPERATOR
    }

    pub fn locale(&self) -> shared::dto::Locale {
        shared::dto::Locale::parse(&self.locale).unwrap_or_default()
    }
}

pub const ROLE_CUSTOMER: &str = "customer";
pub const ROLE_OPERATOR: &str = "operator";
