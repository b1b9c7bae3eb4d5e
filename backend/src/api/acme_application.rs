//! The ACME usage application (ACME利用申請), EAB credentials, and the ACME accounts bound
//! through them (R-EAB-1..4).

use super::doc::{
    BadPage, CsrfHeader, JsonBody, NotFound, OperatorOnly, ReadAuth, WriteAuth, PROBLEM_JSON,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::json;
use shared::dto::{AcmeAccountInfo, AcmeApplication, AcmeApplicationRequest};
use shared::Problem;

use super::extract::{AcmeReader, ApiJson, ApiPath, Auth, ClientAddr, OperatorAuth};
use super::paging::{Page, PageParams};
use crate::audit::AuditEntry;
use crate::clock::rfc3339;
use crate::eab;
use crate::error::{ApiError, ApiResult};
use crate::mail::templates;
use crate::state::AppState;
use crate::store::entity::{acme_account, acme_application, customer, eab_credential};
use crate::store::is_unique_violation;

fn already_applied(app: &acme_application::Model) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "already-applied",
        format!(
            "the ACME usage application can be made only once per customer; yours is {} of {}. \
             If your EAB credentials have expired, please contact the customer center.",
            app.number(),
            rfc3339(app.created_at)
        ),
    )
}

/// Writes the EAB announcement into the mail outbox; failures roll back the caller's transaction.
async fn announce(
    state: &AppState,
    txn: &impl sea_orm::ConnectionTrait,
    customer: &customer::Model,
    application: &acme_application::Model,
    eab: &eab_credential::Model,
) -> anyhow::Result<()> {
    let mail = templates::eab_issued(&templates::EabMail {
        to: templates::Recipient::customer(&state.config.brand, customer),
        application_number: &application.number(),
        key_id: &eab.key_id,
        expires: eab.expires_at,
        directory_url: &state.config.public("/acme/directory"),
        portal_url: &state.config.public("/mypage/acme"),
    });
    state.mailer.send(txn, &mail).await
}

/// Apply for ACME use: agree to the terms (「同意して確定」) and receive EAB credentials. Once per customer.
#[utoipa::path(post, path = "/acme-application", tag = "acme", request_body = AcmeApplicationRequest, params(CsrfHeader),
    responses((status = 201, body = AcmeApplication), JsonBody, WriteAuth,
              (status = 409, description = "already applied (R-EAB-1)", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["write"])))]
pub async fn apply(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiJson(req): ApiJson<AcmeApplicationRequest>,
) -> ApiResult<(StatusCode, Json<AcmeApplication>)> {
    if !req.agree_terms {
        return Err(ApiError::field(
            "agree_terms",
            "must_agree",
            "must be true: the service terms must be agreed to",
        ));
    }
    let now = state.now();
    let customer = auth.customer.clone();
    let txn = state.db.begin().await?;
    if let Some(existing) = acme_application::Entity::find()
        .filter(acme_application::Column::CustomerId.eq(customer.id))
        .one(&txn)
        .await?
    {
        return Err(already_applied(&existing));
    }
    let application = acme_application::ActiveModel {
        customer_id: Set(customer.id),
        terms_version: Set(eab::TERMS_VERSION.into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            ApiError::new(
                StatusCode::CONFLICT,
                "already-applied",
                "the ACME usage application can be made only once per customer",
            )
        } else {
            e.into()
        }
    })?;
    let (eab_row, hmac) = eab::issue(&txn, &state.secrets, customer.id, "application", now).await?;
    for (action, subject) in [
        ("acme.application", application.number()),
        ("eab.issue", eab_row.key_id.clone()),
    ] {
        AuditEntry {
            actor: auth.actor(),
            customer_id: Some(customer.id),
            action,
            subject,
            success: true,
            detail: json!({ "terms_version": eab::TERMS_VERSION, "expires_at": rfc3339(eab_row.expires_at) }),
            remote_addr: addr.to_audit(),
        }
        .write(&txn, now)
        .await?;
    }
    announce(&state, &txn, &customer, &application, &eab_row).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(eab::application_dto(
            &state,
            &customer,
            &application,
            &eab_row,
            auth.may_see_eab_key().then_some(hmac.as_slice()),
        )),
    ))
}

/// The customer's application and current EAB credentials. The HMAC key is included for a
/// portal session or a token with the `acme` scope; a `read` token sees it as null (R-CUS-4).
#[utoipa::path(get, path = "/acme-application", tag = "acme",
    responses((status = 200, body = AcmeApplication), ReadAuth, (status = 404, description = "not applied yet", body = Problem, content_type = PROBLEM_JSON)),
    security(("session" = []), ("bearer" = ["read"]), ("bearer" = ["acme"])))]
pub async fn get_application(
    State(state): State<AppState>,
    AcmeReader(auth): AcmeReader,
) -> ApiResult<Json<AcmeApplication>> {
    let application = acme_application::Entity::find()
        .filter(acme_application::Column::CustomerId.eq(auth.customer.id))
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            ApiError::not_found("you have not applied for ACME use yet (POST /acme-application)")
        })?;
    let eab_row = eab::current(&state.db, auth.customer.id)
        .await?
        .ok_or_else(|| {
            ApiError::internal(format!(
                "application {} has no EAB credentials",
                application.number()
            ))
        })?;
    // Decrypted only for a caller who may see it.
    let hmac = if auth.may_see_eab_key() {
        Some(eab::hmac_key(&state.secrets, &eab_row)?)
    } else {
        None
    };
    Ok(Json(eab::application_dto(
        &state,
        &auth.customer,
        &application,
        &eab_row,
        hmac.as_deref(),
    )))
}

pub fn account_dto(
    state: &AppState,
    row: &acme_account::Model,
    eab_key_id: &str,
) -> AcmeAccountInfo {
    AcmeAccountInfo {
        id: row.id,
        url: crate::acme::account_url(&state.config, row.id),
        status: row.status.clone(),
        contact: row.contacts(),
        key_thumbprint: row.key_thumbprint.clone(),
        eab_key_id: eab_key_id.to_owned(),
        created_at: rfc3339(row.created_at),
    }
}

/// The customer's ACME accounts among `rows`, with the EAB key id each was bound with.
async fn account_dtos(
    state: &AppState,
    customer_id: i64,
    rows: &[acme_account::Model],
) -> ApiResult<Vec<AcmeAccountInfo>> {
    let eabs = eab_credential::Entity::find()
        .filter(eab_credential::Column::CustomerId.eq(customer_id))
        .filter(eab_credential::Column::Id.is_in(rows.iter().map(|r| r.eab_id)))
        .all(&state.db)
        .await?;
    let kid = |id: i64| {
        eabs.iter()
            .find(|e| e.id == id)
            .map(|e| e.key_id.clone())
            .unwrap_or_default()
    };
    Ok(rows
        .iter()
        .map(|r| account_dto(state, r, &kid(r.eab_id)))
        .collect())
}

/// The ACME accounts bound through the customer's EAB credentials (R-EAB-3), newest first, paged.
#[utoipa::path(get, path = "/acme-accounts", tag = "acme", params(PageParams),
    responses((status = 200, body = Vec<AcmeAccountInfo>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn list_accounts(
    State(state): State<AppState>,
    auth: Auth,
    page: Page,
) -> ApiResult<Response> {
    let rows = page
        .apply(
            acme_account::Entity::find()
                .filter(acme_account::Column::CustomerId.eq(auth.customer.id)),
            acme_account::Column::Id,
        )?
        .all(&state.db)
        .await?;
    let dtos = account_dtos(&state, auth.customer.id, &rows).await?;
    Ok(page.respond(dtos, |a| a.id, Clone::clone))
}

/// Deactivate one of the customer's ACME accounts; its key can no longer be used.
#[utoipa::path(post, path = "/acme-accounts/{id}/deactivate", tag = "acme",
    params(("id" = i64, Path, description = "ACME account id"), CsrfHeader),
    responses((status = 200, body = AcmeAccountInfo), WriteAuth, NotFound), security(("session" = []), ("bearer" = ["write"])))]
pub async fn deactivate_account(
    State(state): State<AppState>,
    auth: Auth,
    addr: ClientAddr,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AcmeAccountInfo>> {
    let now = state.now();
    let txn = state.db.begin().await?;
    let row = acme_account::Entity::find_by_id(id)
        .filter(acme_account::Column::CustomerId.eq(auth.customer.id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("you have no ACME account with id {id}")))?;
    let updated = crate::accounts::deactivate(&txn, &row, now).await?;
    AuditEntry {
        actor: auth.actor(),
        customer_id: Some(auth.customer.id),
        action: "acme.account.deactivate",
        subject: format!("acme_account:{id}"),
        success: true,
        detail: json!({ "via": "portal" }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    let kid = eab_credential::Entity::find_by_id(updated.eab_id)
        .one(&state.db)
        .await?
        .map(|e| e.key_id)
        .unwrap_or_default();
    Ok(Json(account_dto(&state, &updated, &kid)))
}

/// Issue fresh EAB credentials to a customer; the old ones stop working at once (R-EAB-2).
#[utoipa::path(post, path = "/operator/customers/{id}/eab", tag = "operator",
    params(("id" = String, Path, description = "customer ID", pattern = r"^C\d{8}$", example = "C00000123"), CsrfHeader),
    responses((status = 201, body = AcmeApplication), OperatorOnly, NotFound,
              (status = 409, description = "the customer has not applied for ACME use", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn operator_reissue(
    State(state): State<AppState>,
    OperatorAuth(op): OperatorAuth,
    addr: ClientAddr,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<(StatusCode, Json<AcmeApplication>)> {
    let customer_id: shared::CustomerId = id.parse().map_err(|_| {
        ApiError::not_found(format!("{id:?} is not a customer ID such as C00000123"))
    })?;
    let customer = customer::Entity::find_by_id(customer_id.0)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("there is no customer {customer_id}")))?;
    let now = state.now();
    let txn = state.db.begin().await?;
    let application = acme_application::Entity::find()
        .filter(acme_application::Column::CustomerId.eq(customer.id))
        .one(&txn)
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "not-applied",
                format!("{customer_id} has not applied for ACME use yet"),
            )
        })?;
    let revoked = eab_credential::Entity::update_many()
        .set(eab_credential::ActiveModel {
            revoked_at: Set(Some(now)),
            ..Default::default()
        })
        .filter(eab_credential::Column::CustomerId.eq(customer.id))
        .filter(eab_credential::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let (eab_row, hmac) = eab::issue(&txn, &state.secrets, customer.id, &op.actor(), now).await?;
    AuditEntry {
        actor: op.actor(),
        customer_id: Some(customer.id),
        action: "eab.reissue",
        subject: eab_row.key_id.clone(),
        success: true,
        detail: json!({ "revoked": revoked.rows_affected, "expires_at": rfc3339(eab_row.expires_at) }),
        remote_addr: addr.to_audit(),
    }
    .write(&txn, now)
    .await?;
    announce(&state, &txn, &customer, &application, &eab_row).await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(eab::application_dto(
            &state,
            &customer,
            &application,
            &eab_row,
            op.may_see_eab_key().then_some(hmac.as_slice()),
        )),
    ))
}
