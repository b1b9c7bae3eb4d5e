//! Operator accounts, created from the command line (`certdirect operator create`).

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set, TransactionTrait,
};
use shared::validate;

use crate::audit::AuditEntry;
use crate::store::entity::customer;

/// Why an operator could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateOperatorError {
    #[error("{0}")]
    Invalid(String),
    #[error("--email {0} is already registered")]
    Taken(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for CreateOperatorError {
    fn from(e: sea_orm::DbErr) -> Self {
        CreateOperatorError::Other(e.into())
    }
}

/// Creates a verified account with the operator role.
pub async fn create_operator(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<customer::Model, CreateOperatorError> {
    let errors: Vec<String> = [
        validate::check_email("--email", email),
        validate::check_password("--password", password, email),
        validate::check_text("--name", name, validate::NAME_MAX_CHARS),
    ]
    .into_iter()
    .flatten()
    .map(|e| format!("{} {}", e.field, e.reason))
    .collect();
    if !errors.is_empty() {
        return Err(CreateOperatorError::Invalid(errors.join("; ")));
    }
    let email = validate::normalize_email(email);
    let email_lower = email.to_lowercase();
    let hash = crate::secrets::hash_password_blocking(password.to_owned()).await?;
    let txn = db.begin().await?;
    if customer::Entity::find()
        .filter(customer::Column::EmailLower.eq(&email_lower))
        .count(&txn)
        .await?
        > 0
    {
        return Err(CreateOperatorError::Taken(email));
    }
    let row = customer::ActiveModel {
        email: Set(email.clone()),
        email_lower: Set(email_lower),
        password_hash: Set(hash),
        name: Set(name.trim().to_owned()),
        billing_email: Set(email.clone()),
        locale: Set("ja".into()),
        role: Set(customer::ROLE_OPERATOR.into()),
        email_verified_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    AuditEntry {
        actor: "cli".into(),
        customer_id: Some(row.id),
        action: "operator.create",
        subject: row.customer_id().to_string(),
        success: true,
        detail: serde_json::json!({ "email": email }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok(row)
}
