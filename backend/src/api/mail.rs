//! The operator console's view of the mail outbox (docs/decisions.md, "Emails"): the messages
//! that keep failing, and "retry now".

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use shared::dto::OutboxMessage;
use shared::Problem;
use utoipa::IntoParams;

use super::doc::{BadPage, CsrfHeader, NotFound, OperatorOnly, PROBLEM_JSON};
use super::extract::{ApiPath, ApiQuery, OperatorAuth};
use super::paging::{Page, PageParams};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::mail::outbox;
use crate::state::AppState;
use crate::store::entity::mail_outbox;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MailQuery {
    /// `failing` (not sent after 3 attempts; the default), `pending` (not sent yet) or `all`.
    pub status: Option<String>,
}

pub fn dto(m: &mail_outbox::Model) -> OutboxMessage {
    OutboxMessage {
        id: m.id,
        message_id: m.message_id.clone(),
        to: m.recipient.clone(),
        subject: m.subject.clone(),
        status: m.status.clone(),
        attempts: m.attempts,
        last_error: m.last_error.clone(),
        next_attempt_at: rfc3339(m.next_attempt_at),
        created_at: rfc3339(m.created_at),
        sent_at: m.sent_at.map(rfc3339),
    }
}

/// Emails of the mail outbox, newest first: by default those that keep failing (not sent after
/// 3 attempts); paged by `limit` and `cursor` (`Link: rel="next"`).
#[utoipa::path(get, path = "/operator/mail", tag = "operator", params(MailQuery, PageParams),
    responses((status = 200, body = Vec<OutboxMessage>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn list(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiQuery(query): ApiQuery<MailQuery>,
    page: Page,
) -> ApiResult<Response> {
    let select = mail_outbox::Entity::find();
    let select = match query.status.as_deref().unwrap_or("failing") {
        "failing" => select.filter(outbox::failing()),
        "pending" => select.filter(mail_outbox::Column::Status.ne(outbox::SENT)),
        "all" => select,
        other => {
            return Err(ApiError::field(
                "status",
                "invalid",
                format!("{other:?} is not one of failing, pending, all"),
            ))
        }
    };
    let rows = page
        .apply(select, mail_outbox::Column::Id)?
        .all(&state.db)
        .await?;
    Ok(page.respond(rows, |m| m.id, dto))
}

/// Retry now: a waiting email becomes due at once (its attempts are kept).
#[utoipa::path(post, path = "/operator/mail/{id}/retry", tag = "operator",
    params(("id" = i64, Path, description = "outbox message id"), CsrfHeader),
    responses((status = 202, body = OutboxMessage), OperatorOnly, NotFound,
              (status = 409, description = "the email is being sent or was sent", body = Problem, content_type = PROBLEM_JSON)),
    security(("session" = []), ("bearer" = ["operator"])))]
pub async fn retry(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, Json<OutboxMessage>)> {
    let retried = outbox::retry_now(&state.db, id).await?;
    let row = mail_outbox::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("no such email in the outbox"))?;
    if !retried {
        return Err(ApiError::conflict(
            "id",
            "not_waiting",
            format!("the email is {}, not waiting for a retry", row.status),
        ));
    }
    state.mailer.wakeup.notify_one();
    Ok((StatusCode::ACCEPTED, Json(dto(&row))))
}
