//! The customer center over REST (R-SUP-1, R-SUP-2): office hours, the customer's inquiries and
//! the operators' console. Domain rules live in `crate::support`; this maps them to HTTP.
//! Customers call with a session (writes need `X-CSRF-Token`) or a Bearer token with `read`
//! (lists) or `write` (new inquiries and messages), as every other customer endpoint; operator
//! endpoints need the operator role and, for tokens, the `operator` scope.

use super::doc::{
    BadPage, CsrfHeader, JsonBody, NotFound, OperatorOnly, ReadAuth, WriteAuth, PROBLEM_JSON,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use shared::dto::{
    Inquiry, InquiryAssign, InquiryReply, InquiryRequest, InquiryStatus, OfficeHours,
};
use shared::Problem;
use utoipa::IntoParams;

use super::extract::{ApiJson, ApiPath, ApiQuery, Auth, ClientAddr, OperatorAuth};
use super::paging::{Page, PageParams};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::entity::inquiry;
use crate::support::{self, QueueKey, SupportError};

impl From<SupportError> for ApiError {
    fn from(e: SupportError) -> Self {
        match e {
            SupportError::Invalid(errors) => ApiError::validation(errors),
            SupportError::NotFound(id) => ApiError::not_found(format!("there is no inquiry {id}")),
            SupportError::Closed(number) => ApiError::new(
                StatusCode::CONFLICT,
                "inquiry-closed",
                format!(
                    "inquiry {number} is closed; nothing was changed. Please send a new inquiry"
                ),
            ),
            SupportError::Concurrent(number) => ApiError::new(
                StatusCode::CONFLICT,
                "concurrent-change",
                format!("inquiry {number} changed meanwhile; reload it and try again"),
            ),
            SupportError::Db(e) => e.into(),
            SupportError::Mail(e) => ApiError::internal(format!("sending an email: {e:#}")),
        }
    }
}

/// Office hours and the answer date of an inquiry sent now, by the server's clock (R-SUP-2).
#[utoipa::path(get, path = "/support/hours", tag = "support",
    responses((status = 200, body = OfficeHours)), security(()))]
pub async fn hours(State(state): State<AppState>) -> Json<OfficeHours> {
    Json(shared::support::office_hours(state.now()))
}

/// A new inquiry about a domain name (or common name) or an invoice; the customer is emailed a
/// receipt with the answer date, the customer center a notice (R-SUP-1, R-SUP-2).
#[utoipa::path(post, path = "/inquiries", operation_id = "create_inquiry", tag = "support", request_body = InquiryRequest, params(CsrfHeader),
    responses((status = 201, body = Inquiry), JsonBody, WriteAuth), security(("session" = []), ("bearer" = ["write"])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiJson(req): ApiJson<InquiryRequest>,
) -> ApiResult<(StatusCode, Json<Inquiry>)> {
    let loaded =
        support::create(&state, &auth.customer, &req, &auth.actor(), addr.to_audit()).await?;
    Ok((StatusCode::CREATED, Json(support::dto(&loaded))))
}

/// The customer's inquiries, newest first, each with its conversation.
#[utoipa::path(get, path = "/inquiries", operation_id = "list_inquiries", tag = "support", params(InquiryQuery, PageParams),
    responses((status = 200, body = Vec<Inquiry>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<InquiryQuery>,
    page: Page,
) -> ApiResult<Response> {
    let mut select =
        inquiry::Entity::find().filter(inquiry::Column::CustomerId.eq(auth.customer.id));
    if let Some(s) = q.status {
        select = select.filter(inquiry::Column::Status.eq(inquiry::status_str(s)));
    }
    let rows = page
        .apply(select, inquiry::Column::Id)?
        .all(&state.db)
        .await?;
    let loaded = support::load_many(&state.db, rows).await?;
    Ok(page.respond(loaded, |l| l.inquiry.id, support::dto))
}

fn mine(e: SupportError) -> ApiError {
    match e {
        SupportError::NotFound(id) => ApiError::not_found(format!("you have no inquiry {id}")),
        other => other.into(),
    }
}

/// One of the customer's inquiries; another customer's is not found.
#[utoipa::path(get, path = "/inquiries/{id}", operation_id = "get_inquiry", tag = "support",
    params(("id" = i64, Path, description = "inquiry id")),
    responses((status = 200, body = Inquiry), ReadAuth, NotFound), security(("session" = []), ("bearer" = ["read"])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Inquiry>> {
    let loaded = support::load(&state.db, id, Some(auth.customer.id))
        .await
        .map_err(mine)?;
    Ok(Json(support::dto(&loaded)))
}

/// The customer writes again: an answered inquiry opens again; a closed one refuses (409).
#[utoipa::path(post, path = "/inquiries/{id}/messages", tag = "support", request_body = InquiryReply,
    params(("id" = i64, Path, description = "inquiry id"), CsrfHeader),
    responses((status = 200, body = Inquiry), JsonBody, WriteAuth, NotFound,
              (status = 409, description = "the inquiry is closed", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["write"])))]
pub async fn message(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<InquiryReply>,
) -> ApiResult<Json<Inquiry>> {
    let loaded = support::customer_message(&state, &auth.customer, id, &req.message, &auth.actor())
        .await
        .map_err(mine)?;
    Ok(Json(support::dto(&loaded)))
}

/// Filters of an inquiries list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InquiryQuery {
    /// Only inquiries in this state; all when absent.
    #[param(inline)]
    pub status: Option<InquiryStatus>,
}

/// Every customer's inquiries: open first, then answered, then closed, each oldest first;
/// paged.
#[utoipa::path(get, path = "/operator/inquiries", tag = "operator", params(InquiryQuery, PageParams),
    responses((status = 200, body = Vec<Inquiry>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn operator_list(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiQuery(q): ApiQuery<InquiryQuery>,
    page: Page,
) -> ApiResult<Response> {
    let after = page.key(QueueKey::parse)?;
    let loaded = support::operator_list(&state.db, q.status, after, page.limit + 1).await?;
    Ok(page.respond_keyed(loaded, |l| QueueKey::of(&l.inquiry).to_text(), support::dto))
}

/// Any customer's inquiry.
#[utoipa::path(get, path = "/operator/inquiries/{id}", tag = "operator",
    params(("id" = i64, Path, description = "inquiry id")),
    responses((status = 200, body = Inquiry), OperatorOnly, NotFound), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn operator_get(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Inquiry>> {
    Ok(Json(support::dto(
        &support::load(&state.db, id, None).await?,
    )))
}

/// Answer an inquiry: it becomes `answered` (and the replying operator's, if it was nobody's);
/// the customer is emailed the reply in its language with a link to the inquiry.
#[utoipa::path(post, path = "/operator/inquiries/{id}/reply", tag = "operator", request_body = InquiryReply,
    params(("id" = i64, Path, description = "inquiry id"), CsrfHeader),
    responses((status = 200, body = Inquiry), JsonBody, OperatorOnly, NotFound,
              (status = 409, description = "the inquiry is closed", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn operator_reply(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<InquiryReply>,
) -> ApiResult<Json<Inquiry>> {
    let loaded = support::reply(&state, &op.customer, id, &req.message, &op.actor()).await?;
    Ok(Json(support::dto(&loaded)))
}

/// Assign an inquiry to the operator with `operator_email`, or to the caller.
#[utoipa::path(post, path = "/operator/inquiries/{id}/assign", tag = "operator", request_body = InquiryAssign,
    params(("id" = i64, Path, description = "inquiry id"), CsrfHeader),
    responses((status = 200, body = Inquiry), JsonBody, OperatorOnly, NotFound), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn operator_assign(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<InquiryAssign>,
) -> ApiResult<Json<Inquiry>> {
    let loaded = support::assign(
        &state,
        &op.customer,
        id,
        req.operator_email.as_deref(),
        &op.actor(),
    )
    .await?;
    Ok(Json(support::dto(&loaded)))
}

/// Close an inquiry; the customer can no longer write to it.
#[utoipa::path(post, path = "/operator/inquiries/{id}/close", tag = "operator",
    params(("id" = i64, Path, description = "inquiry id"), CsrfHeader),
    responses((status = 200, body = Inquiry), OperatorOnly, NotFound,
              (status = 409, description = "already closed", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn operator_close(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Inquiry>> {
    Ok(Json(support::dto(
        &support::close(&state, id, &op.actor()).await?,
    )))
}
