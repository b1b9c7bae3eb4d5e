//! API tokens (R-CUS-3): created in the portal, scoped, shown once, stored hashed.

use super::doc::{BadPage, CsrfHeader, JsonBody, NotFound, ReadAuth, SessionWrite, WriteAuth};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::SecondsFormat;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::json;
use shared::dto::{CreateTokenRequest, CreatedToken, Scope, TokenInfo};
use shared::validate::check_token_request;

use super::extract::{ApiJson, ApiPath, Auth, ClientAddr, Via};
use super::paging::{Page, PageParams};
use crate::audit::AuditEntry;
use crate::error::{ApiError, ApiResult};
use crate::secrets::{random_token, sha256_hex};
use crate::state::AppState;
use crate::store::entity::api_token;

/// Every token starts with this, so secret scanners can recognise a leaked one.
pub const TOKEN_PREFIX: &str = "cdt_";

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn info(row: &api_token::Model) -> TokenInfo {
    TokenInfo {
        id: row.id,
        name: row.name.clone(),
        scopes: row.scopes(),
        prefix: row.prefix.clone(),
        created_at: rfc3339(row.created_at),
        last_used_at: row.last_used_at.map(rfc3339),
    }
}

/// Create an API token. Only from a portal session: a token cannot mint tokens.
#[utoipa::path(post, path = "/tokens", tag = "tokens", request_body = CreateTokenRequest, params(CsrfHeader),
    responses((status = 201, body = CreatedToken, description = "the token is in the body, once (a retry with the same `Idempotency-Key` and body within 24 hours shows the same answer again)"), JsonBody, SessionWrite),
    security(("session" = [])))]
pub async fn create_token(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    if matches!(auth.via, Via::Token { .. }) {
        return Err(ApiError::forbidden(
            "session-required",
            "API tokens are created in the portal while logged in, not with another API token",
        ));
    }
    let (errors, scopes) = check_token_request(&req);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if scopes.contains(&Scope::Operator) && !auth.customer.is_operator() {
        return Err(ApiError::field(
            "scopes",
            "operator_only",
            "the operator scope is only for operator accounts",
        ));
    }
    let now = state.now();
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let txn = state.db.begin().await?;
    let row = api_token::ActiveModel {
        customer_id: Set(auth.customer.id),
        name: Set(req.name.trim().to_owned()),
        token_hash: Set(sha256_hex(&token)),
        prefix: Set(token.chars().take(TOKEN_PREFIX.len() + 6).collect()),
        scopes: Set(scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    AuditEntry {
        actor: auth.actor(),
        customer_id: Some(auth.customer.id),
        action: "api_token.create",
        subject: format!("api_token:{}", row.id),
        success: true,
        detail: json!({ "name": row.name, "scopes": row.scopes }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken { id: row.id, token }),
    ))
}

/// The customer's live API tokens (never the secrets), newest first, paged.
#[utoipa::path(get, path = "/tokens", tag = "tokens", params(PageParams),
    responses((status = 200, body = Vec<TokenInfo>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn list_tokens(
    State(state): State<AppState>,
    auth: Auth,
    page: Page,
) -> ApiResult<Response> {
    let rows = page
        .apply(
            api_token::Entity::find()
                .filter(api_token::Column::CustomerId.eq(auth.customer.id))
                .filter(api_token::Column::RevokedAt.is_null()),
            api_token::Column::Id,
        )?
        .all(&state.db)
        .await?;
    Ok(page.respond(rows, |t| t.id, info))
}

/// Revoke an API token; it stops working at once.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "token id"), CsrfHeader),
    responses((status = 204, description = "revoked"), WriteAuth, NotFound), security(("session" = []), ("bearer" = ["write"])))]
pub async fn revoke_token(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let now = state.now();
    let txn = state.db.begin().await?;
    // Scoped to the caller's own tokens: another customer's id is simply "not found" (R-CUS-2).
    let res = api_token::Entity::update_many()
        .set(api_token::ActiveModel {
            revoked_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::CustomerId.eq(auth.customer.id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::not_found(format!(
            "you have no active API token with id {id}"
        )));
    }
    AuditEntry {
        actor: auth.actor(),
        customer_id: Some(auth.customer.id),
        action: "api_token.revoke",
        subject: format!("api_token:{id}"),
        success: true,
        detail: json!({}),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
