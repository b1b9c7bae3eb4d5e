//! The operator console's endpoints (`/operator/...`): operators only (role checked, and a
//! token needs the `operator` scope).

use axum::extract::{Query, State};
use axum::Json;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use shared::dto::CustomerPage;
use utoipa::IntoParams;

use super::extract::OperatorAuth;
use super::me::{applied_set, me_dto};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::entity::customer;

#[derive(Debug, Deserialize, IntoParams)]
pub struct CustomerQuery {
    /// Part of an email address or name, or an exact customer ID (`C00000123`).
    pub q: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Rows per page, 1–200 (default 50).
    pub per_page: Option<u64>,
}

/// List customers, newest first.
#[utoipa::path(get, path = "/operator/customers", tag = "operator", params(CustomerQuery),
    responses((status = 200, body = CustomerPage), (status = 403, body = shared::Problem)),
    security(("session" = []), ("bearer" = ["operator"])))]
pub async fn list_customers(
    State(state): State<AppState>,
    _op: OperatorAuth,
    Query(query): Query<CustomerQuery>,
) -> ApiResult<Json<CustomerPage>> {
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(50);
    if page == 0 {
        return Err(ApiError::field("page", "out_of_range", "must be 1 or more"));
    }
    if !(1..=200).contains(&per_page) {
        return Err(ApiError::field(
            "per_page",
            "out_of_range",
            "must be between 1 and 200",
        ));
    }
    let mut select = customer::Entity::find().order_by_desc(customer::Column::Id);
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let mut cond = Condition::any()
            .add(customer::Column::EmailLower.contains(q.to_lowercase()))
            .add(customer::Column::Name.contains(q));
        if let Ok(id) = q.parse::<shared::CustomerId>() {
            cond = cond.add(customer::Column::Id.eq(id.0));
        }
        select = select.filter(cond);
    }
    let paginator = select.paginate(&state.db, per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page - 1).await?;
    let applied = applied_set(&state, &rows.iter().map(|c| c.id).collect::<Vec<_>>()).await?;
    Ok(Json(CustomerPage {
        customers: rows
            .iter()
            .map(|c| me_dto(c, applied.contains(&c.id)))
            .collect(),
        total,
        page,
        per_page,
    }))
}
