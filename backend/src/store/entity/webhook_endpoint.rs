use sea_orm::entity::prelude::*;

/// A customer's webhook endpoint (issue 6 of the REST API issue). The signing secret is sealed
/// with the server's secret box (bound to the endpoint by `webhooks::secret_context`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub customer_id: i64,
    pub url: String,
    pub description: String,
    pub secret_nonce: String,
    pub secret: String,
    /// Subscribed event types, space-separated.
    pub events: String,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Deleted endpoints keep their deliveries' history but get nothing new.
    pub deleted_at: Option<DateTimeUtc>,
}

impl Model {
    pub fn event_names(&self) -> Vec<&str> {
        self.events.split_whitespace().collect()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
