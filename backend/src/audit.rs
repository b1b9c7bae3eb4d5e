//! The audit log: every security-relevant action, success or failure.

use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::Value;

use crate::store::entity::audit_log;

/// One audit record to write.
pub struct AuditEntry<'a> {
    pub actor: String,
    pub customer_id: Option<i64>,
    pub action: &'a str,
    pub subject: String,
    pub success: bool,
    pub detail: Value,
    pub remote_addr: Option<String>,
}

impl AuditEntry<'_> {
    /// Writes the record on `db` (a connection or the transaction of the change it records).
    pub async fn write(
        self,
        db: &impl ConnectionTrait,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), sea_orm::DbErr> {
        audit_log::ActiveModel {
            at: Set(at),
            actor: Set(self.actor),
            customer_id: Set(self.customer_id),
            action: Set(self.action.to_owned()),
            subject: Set(self.subject),
            outcome: Set(if self.success { "success" } else { "failure" }.to_owned()),
            detail: Set(self.detail.to_string()),
            remote_addr: Set(self.remote_addr),
            ..Default::default()
        }
        .insert(db)
        .await
        .map(|_| ())
    }
}
