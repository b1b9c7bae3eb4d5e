//! Signed webhooks (REST API issue, item 6): a customer's endpoints, their deliveries with every
//! attempt, re-sends and test pings. The rules are `crate::webhooks`'s; this is the HTTP side.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;
use shared::dto::{
    CreateWebhookRequest, CreatedWebhook, UpdateWebhookRequest, WebhookDelivery, WebhookEndpoint,
};
use shared::Problem;

use super::doc::{BadPage, CsrfHeader, JsonBody, NotFound, ReadAuth, WriteAuth, PROBLEM_JSON};
use super::extract::{ApiJson, ApiPath, Auth, ClientAddr};
use super::paging::{Page, PageParams};
use crate::audit::AuditEntry;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::store::entity::webhook_delivery;
use crate::webhooks::{self, delivery_dto, endpoint_dto};

/// Register a webhook endpoint. The answer carries the signing secret, once.
#[utoipa::path(post, path = "/webhooks", operation_id = "create_webhook", tag = "webhooks", request_body = CreateWebhookRequest, params(CsrfHeader),
    responses((status = 201, body = CreatedWebhook, description = "the endpoint and its signing secret, shown once (a retry with the same `Idempotency-Key` and body within 24 hours shows the same answer again)"), JsonBody, WriteAuth,
              (status = 409, description = "the customer already has the most endpoints allowed (10)", body = Problem, content_type = PROBLEM_JSON)),
    security(("session" = []), ("bearer" = ["write"])))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiJson(req): ApiJson<CreateWebhookRequest>,
) -> ApiResult<(StatusCode, Json<CreatedWebhook>)> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let (row, secret) = webhooks::create(
        &txn,
        &state.secrets,
        state.config.webhooks.allow_private,
        auth.customer.id,
        &req,
        now,
    )
    .await?;
    AuditEntry {
        actor: auth.actor(),
        customer_id: Some(auth.customer.id),
        action: "webhook.create",
        subject: format!("webhook:{}", row.id),
        success: true,
        detail: json!({ "url": row.url, "events": row.event_names() }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedWebhook {
            endpoint: endpoint_dto(&row),
            secret,
        }),
    ))
}

/// The customer's webhook endpoints (never the secrets).
#[utoipa::path(get, path = "/webhooks", operation_id = "list_webhooks", tag = "webhooks", params(PageParams),
    responses((status = 200, body = Vec<WebhookEndpoint>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn list(State(state): State<AppState>, auth: Auth, page: Page) -> ApiResult<Response> {
    let rows = webhooks::list(
        &state.db,
        auth.customer.id,
        page.before_id()?,
        page.limit + 1,
    )
    .await?;
    Ok(page.respond(rows, |e| e.id, endpoint_dto))
}

/// One webhook endpoint.
#[utoipa::path(get, path = "/webhooks/{id}", operation_id = "get_webhook", tag = "webhooks",
    params(("id" = i64, Path, description = "endpoint id")),
    responses((status = 200, body = WebhookEndpoint), ReadAuth, NotFound), security(("session" = []), ("bearer" = ["read"])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<WebhookEndpoint>> {
    let row = webhooks::find(&state.db, auth.customer.id, id).await?;
    Ok(Json(endpoint_dto(&row)))
}

/// Change an endpoint's URL (checked as at registration), description, events, or turn it
/// off and on.
#[utoipa::path(patch, path = "/webhooks/{id}", operation_id = "update_webhook", tag = "webhooks", request_body = UpdateWebhookRequest,
    params(("id" = i64, Path, description = "endpoint id"), CsrfHeader),
    responses((status = 200, body = WebhookEndpoint), JsonBody, WriteAuth, NotFound), security(("session" = []), ("bearer" = ["write"])))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateWebhookRequest>,
) -> ApiResult<Json<WebhookEndpoint>> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let row = webhooks::update(
        &txn,
        state.config.webhooks.allow_private,
        auth.customer.id,
        id,
        &req,
        now,
    )
    .await?;
    AuditEntry {
        actor: auth.actor(),
        customer_id: Some(auth.customer.id),
        action: "webhook.update",
        subject: format!("webhook:{id}"),
        success: true,
        detail: json!({ "url": row.url, "events": row.event_names(), "enabled": row.enabled }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok(Json(endpoint_dto(&row)))
}

/// Delete an endpoint: it gets nothing more; deliveries still waiting fail.
#[utoipa::path(delete, path = "/webhooks/{id}", operation_id = "delete_webhook", tag = "webhooks",
    params(("id" = i64, Path, description = "endpoint id"), CsrfHeader),
    responses((status = 204, description = "deleted"), WriteAuth, NotFound), security(("session" = []), ("bearer" = ["write"])))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let now = state.now();
    let txn = state.db.begin().await?;
    webhooks::delete(&txn, auth.customer.id, id, now).await?;
    AuditEntry {
        actor: auth.actor(),
        customer_id: Some(auth.customer.id),
        action: "webhook.delete",
        subject: format!("webhook:{id}"),
        success: true,
        detail: json!({}),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An endpoint's deliveries, newest first, each with its attempts (oldest first).
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", operation_id = "list_webhook_deliveries", tag = "webhooks",
    params(("id" = i64, Path, description = "endpoint id"), PageParams),
    responses((status = 200, body = Vec<WebhookDelivery>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth, NotFound),
    security(("session" = []), ("bearer" = ["read"])))]
pub async fn deliveries(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    page: Page,
) -> ApiResult<Response> {
    let endpoint = webhooks::find(&state.db, auth.customer.id, id).await?;
    let rows = page
        .apply(
            webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::EndpointId.eq(endpoint.id))
                .filter(webhook_delivery::Column::CustomerId.eq(auth.customer.id)),
            webhook_delivery::Column::Id,
        )?
        .all(&state.db)
        .await?;
    let attempts = webhooks::attempts_of(&state.db, &rows).await?;
    Ok(page.respond(rows, |d| d.id, |d| delivery_dto(d, &attempts)))
}

/// Send a finished delivery again (same `webhook-id` and body, a fresh series of attempts).
#[utoipa::path(post, path = "/webhooks/{id}/deliveries/{delivery_id}/resend", operation_id = "resend_webhook_delivery", tag = "webhooks",
    params(("id" = i64, Path, description = "endpoint id"), ("delivery_id" = i64, Path, description = "delivery id"), CsrfHeader),
    responses((status = 202, body = WebhookDelivery, description = "queued; its next attempt is due now"), WriteAuth, NotFound,
              (status = 409, description = "the delivery is still waiting for an attempt or being sent", body = Problem, content_type = PROBLEM_JSON)),
    security(("session" = []), ("bearer" = ["write"])))]
pub async fn resend(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiPath((id, delivery_id)): ApiPath<(i64, i64)>,
) -> ApiResult<(StatusCode, Json<WebhookDelivery>)> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let row = webhooks::resend(&txn, auth.customer.id, id, delivery_id, now).await?;
    AuditEntry {
        actor: auth.actor(),
        customer_id: Some(auth.customer.id),
        action: "webhook.resend",
        subject: format!("webhook_delivery:{delivery_id}"),
        success: true,
        detail: json!({ "endpoint": id, "msg_id": row.msg_id }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    let attempts = webhooks::attempts_of(&txn, std::slice::from_ref(&row)).await?;
    txn.commit().await?;
    Ok((StatusCode::ACCEPTED, Json(delivery_dto(&row, &attempts))))
}

/// Queue a `ping` event to the endpoint, whatever it subscribed to.
#[utoipa::path(post, path = "/webhooks/{id}/test", operation_id = "test_webhook", tag = "webhooks",
    params(("id" = i64, Path, description = "endpoint id"), CsrfHeader),
    responses((status = 202, body = WebhookDelivery, description = "queued; its first attempt is due now"), WriteAuth, NotFound),
    security(("session" = []), ("bearer" = ["write"])))]
pub async fn test(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<WebhookDelivery>)> {
    let now = state.now();
    let endpoint = webhooks::find(&state.db, auth.customer.id, id).await?;
    let row = webhooks::ping(&state.db, &endpoint, now).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery_dto(&row, &[]))))
}
