//! The logged-in customer: `GET /me`, `PATCH /me`.

use super::doc::{CsrfHeader, JsonBody, ReadAuth, WriteAuth};
use axum::extract::State;
use axum::Json;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::json;
use shared::dto::{AcmeApplicationState, Locale, Me, Role, UpdateMeRequest};
use shared::problem::FieldError;
use shared::validate::{check_email, check_text, normalize_email, NAME_MAX_CHARS};

use super::extract::{ApiJson, Auth, ClientAddr};
use crate::audit::AuditEntry;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::entity::customer;

/// The customer as the API shows it; `applied` is whether it has made the ACME usage application.
pub fn me_dto(c: &customer::Model, applied: bool) -> Me {
    Me {
        id: c.customer_id().to_string(),
        name: c.name.clone(),
        email: c.email.clone(),
        billing_email: c.billing_email.clone(),
        locale: c.locale(),
        role: if c.is_operator() {
            Role::Operator
        } else {
            Role::Customer
        },
        email_verified: c.email_verified_at.is_some(),
        acme_application: if applied {
            AcmeApplicationState::Applied
        } else {
            AcmeApplicationState::None
        },
        created_at: c
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// The logged-in customer.
#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, body = Me), ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn get_me(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Me>> {
    Ok(Json(me_for(&state, &auth.customer).await?))
}

/// Change the name, billing email or language.
#[utoipa::path(patch, path = "/me", tag = "account", request_body = UpdateMeRequest, params(CsrfHeader),
    responses((status = 200, body = Me), JsonBody, WriteAuth), security(("session" = []), ("bearer" = ["write"])))]
pub async fn patch_me(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiJson(update): ApiJson<UpdateMeRequest>,
) -> ApiResult<Json<Me>> {
    let mut errors: Vec<FieldError> = Vec::new();
    if let Some(name) = &update.name {
        errors.extend(check_text("name", name, NAME_MAX_CHARS));
    }
    if let Some(billing) = &update.billing_email {
        errors.extend(check_email("billing_email", billing));
    }
    let locale = match update.locale.as_deref() {
        None => None,
        Some(s) => match Locale::parse(s) {
            Some(l) => Some(l),
            None => {
                errors.push(FieldError::new(
                    "locale",
                    "unknown_locale",
                    format!("{s:?} is neither \"ja\" nor \"en\""),
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = state.now();
    let mut model = auth.customer.clone().into_active_model();
    if let Some(name) = &update.name {
        model.name = Set(name.trim().to_owned());
    }
    if let Some(billing) = &update.billing_email {
        model.billing_email = Set(normalize_email(billing));
    }
    if let Some(locale) = locale {
        model.locale = Set(locale.as_str().to_owned());
    }
    model.updated_at = Set(now);
    let txn = sea_orm::TransactionTrait::begin(&state.db).await?;
    let saved = model.update(&txn).await?;
    AuditEntry {
        actor: auth.actor(),
        customer_id: Some(saved.id),
        action: "customer.update",
        subject: saved.customer_id().to_string(),
        success: true,
        detail: json!({ "name": update.name.is_some(), "billing_email": update.billing_email, "locale": update.locale }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok(Json(me_for(&state, &saved).await?))
}

/// Which of `customer_ids` have made the ACME usage application.
pub async fn applied_set(
    state: &AppState,
    customer_ids: &[i64],
) -> ApiResult<std::collections::HashSet<i64>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let ids: Vec<i64> = crate::store::entity::acme_application::Entity::find()
        .select_only()
        .column(crate::store::entity::acme_application::Column::CustomerId)
        .filter(
            crate::store::entity::acme_application::Column::CustomerId
                .is_in(customer_ids.iter().copied()),
        )
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// The customer with the state of its ACME application looked up.
pub async fn me_for(state: &AppState, c: &customer::Model) -> ApiResult<Me> {
    let applied = applied_set(state, &[c.id]).await?.contains(&c.id);
    Ok(me_dto(c, applied))
}
