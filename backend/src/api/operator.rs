//! The operator console's endpoints (`/operator/...`): operators only (role checked, and a
//! token needs the `operator` scope).

use super::doc::{BadPage, BadQuery, OperatorOnly};
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use shared::dto::{CustomerPage, ValidationInfo};
use utoipa::IntoParams;

use super::extract::{ApiQuery, OperatorAuth};
use super::me::{applied_set, me_dto};
use super::paging::{Page, PageParams};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::entity::{acme_account, acme_authorization, acme_challenge, customer};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// Part of an email address or name, or an exact customer ID (`C00000123`).
    pub q: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u64>,
    /// Rows per page, 1–200 (default 50).
    pub per_page: Option<u64>,
}

/// List customers, newest first. The one list paged by page number (the console shows the
/// total and jumps to a page); `Link: rel="next"` still points at the next page.
#[utoipa::path(get, path = "/operator/customers", tag = "operator", params(CustomerQuery),
    responses((status = 200, body = CustomerPage, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadQuery, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn list_customers(
    State(state): State<AppState>,
    _op: OperatorAuth,
    OriginalUri(uri): OriginalUri,
    ApiQuery(query): ApiQuery<CustomerQuery>,
) -> ApiResult<Response> {
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
    let mut res = Json(CustomerPage {
        customers: rows
            .iter()
            .map(|c| me_dto(c, applied.contains(&c.id)))
            .collect(),
        total,
        page,
        per_page,
    })
    .into_response();
    if page.saturating_mul(per_page) < total {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        if let Some(q) = &query.q {
            next.append_pair("q", q);
        }
        next.append_pair("page", &(page + 1).to_string());
        next.append_pair("per_page", &per_page.to_string());
        let link = format!("<{}?{}>; rel=\"next\"", uri.path(), next.finish());
        if let Ok(v) = HeaderValue::from_str(&link) {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(res)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValidationQuery {
    /// `failed` (invalid challenges), `disagreed` (at least one remote perspective disagreed) or
    /// `all` (the default).
    pub only: Option<String>,
}

/// Recently decided validations of every customer, newest first, with what each remote
/// perspective saw (R-VAL-7); paged by `limit` and `cursor` (`Link: rel="next"`).
#[utoipa::path(get, path = "/operator/validations", tag = "operator", params(ValidationQuery, PageParams),
    responses((status = 200, body = Vec<ValidationInfo>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn list_validations(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiQuery(query): ApiQuery<ValidationQuery>,
    page: Page,
) -> ApiResult<Response> {
    use shared::acme::ChallengeStatus;
    let decided = [
        ChallengeStatus::Valid.as_str(),
        ChallengeStatus::Invalid.as_str(),
    ];
    let mut select = acme_challenge::Entity::find();
    select = match query.only.as_deref().unwrap_or("all") {
        "all" => select.filter(acme_challenge::Column::Status.is_in(decided)),
        "failed" => {
            select.filter(acme_challenge::Column::Status.eq(ChallengeStatus::Invalid.as_str()))
        }
        "disagreed" => select
            .filter(acme_challenge::Column::Status.is_in(decided))
            .filter(acme_challenge::Column::Perspectives.contains("\"corroborated\":false")),
        other => {
            return Err(ApiError::field(
                "only",
                "invalid",
                format!("{other:?} is not one of all, failed, disagreed"),
            ))
        }
    };
    let rows = page
        .apply(select, acme_challenge::Column::Id)?
        .all(&state.db)
        .await?;
    let authzs = acme_authorization::Entity::find()
        .filter(acme_authorization::Column::Id.is_in(rows.iter().map(|c| c.authorization_id)))
        .all(&state.db)
        .await?;
    let accounts = acme_account::Entity::find()
        .filter(acme_account::Column::Id.is_in(authzs.iter().map(|a| a.account_id)))
        .all(&state.db)
        .await?;
    Ok(page.respond(
        rows,
        |c| c.id,
        |c| {
            let authz = authzs.iter().find(|a| a.id == c.authorization_id);
            let customer = authz
                .and_then(|a| accounts.iter().find(|acc| acc.id == a.account_id))
                .map(|acc| shared::CustomerId(acc.customer_id).to_string())
                .unwrap_or_default();
            let (error_type, error_detail) = c.error_parts();
            ValidationInfo {
                challenge_id: c.id,
                customer_id: customer,
                identifier: authz.map(|a| a.name()).unwrap_or_default(),
                kind: c.kind.clone(),
                status: c.status.clone(),
                decided_at: crate::clock::rfc3339(c.validated_at.unwrap_or(c.updated_at)),
                error_type,
                error_detail,
                perspectives: super::certificates::perspective_infos(c.perspectives.as_deref()),
            }
        },
    ))
}
