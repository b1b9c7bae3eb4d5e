//! The customer's certificates and ACME orders in the portal (R-CA-3, R-CA-4, R-VAL-5).

use super::doc::{
    BadPage, CsrfHeader, JsonBody, NotFound, OperatorOnly, ReadAuth, SerialPath, WriteAuth,
    PROBLEM_JSON,
};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use shared::acme::{AuthzStatus, OrderStatus};
use shared::dto::{
    AcmeOrderInfo, AuthorizationInfo, CertificateInfo, ChallengeInfo, RevokeRequest,
};
use shared::Problem;
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, ApiPath, ApiQuery, Auth, OperatorAuth};
use super::paging::{name_filter, Page, PageParams};
use crate::certs::RevokeError;
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::orders::finalize::{CERT_RESERVED, CERT_VALID};
use crate::state::AppState;
use crate::store::entity::{
    acme_authorization, acme_challenge, acme_order, acme_order_authorization, certificate,
};

/// The serials of the certificates that replaced `rows` (one query).
async fn replacements(
    state: &AppState,
    rows: &[certificate::Model],
) -> ApiResult<std::collections::HashMap<i64, String>> {
    let ids: Vec<i64> = rows.iter().filter_map(|c| c.replaced_by_id).collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(certificate::Entity::find()
        .filter(certificate::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.serial))
        .collect())
}

async fn info_of(state: &AppState, c: certificate::Model) -> ApiResult<CertificateInfo> {
    let replaced = replacements(state, std::slice::from_ref(&c)).await?;
    Ok(info(state, &c, &replaced))
}

fn info(
    state: &AppState,
    c: &certificate::Model,
    replaced: &std::collections::HashMap<i64, String>,
) -> CertificateInfo {
    let moved = match (c.renewal_start, c.renewal_end) {
        (Some(start), Some(end)) => Some(crate::renewal::Window { start, end }),
        _ => None,
    };
    let window = crate::renewal::suggested_window(
        c.not_before,
        c.not_after,
        moved,
        c.revoked_at.is_some(),
        state.now(),
    );
    let status = if c.status == CERT_VALID && c.not_after <= state.now() {
        "expired"
    } else {
        c.status.as_str()
    };
    CertificateInfo {
        serial: c.serial.clone(),
        names: c.names(),
        not_before: rfc3339(c.not_before),
        not_after: rfc3339(c.not_after),
        status: status.to_owned(),
        revoked_at: c.revoked_at.map(rfc3339),
        revocation_reason: c.revocation_reason.map(|r| r as u8),
        order_id: c.order_id,
        issued_at: rfc3339(c.created_at),
        profile: c.profile.clone(),
        replaced_by: c.replaced_by_id.and_then(|id| replaced.get(&id).cloned()),
        renewal_window_start: Some(rfc3339(window.start)),
        renewal_window_end: Some(rfc3339(window.end)),
        renewal_reason: c.renewal_reason.clone(),
    }
}

async fn own(state: &AppState, auth: &Auth, serial: &str) -> ApiResult<certificate::Model> {
    certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial.to_ascii_lowercase()))
        .filter(certificate::Column::CustomerId.eq(auth.customer.id))
        .filter(certificate::Column::Status.ne(CERT_RESERVED))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("you have no certificate with serial {serial}")))
}

/// What a certificate is now, as a list filter.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateState {
    /// Issued, not revoked, not yet expired.
    Valid,
    /// Issued, not revoked, past its `notAfter`.
    Expired,
    /// Revoked.
    Revoked,
}

/// Filters of a certificates list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CertificateFilter {
    /// Only certificates in this state.
    #[param(inline)]
    pub status: Option<CertificateState>,
    /// Only certificates with a name containing this text (as for registrations).
    #[param(
        max_length = 253,
        pattern = r"^(\*\.)?[A-Za-z0-9.-]*$",
        example = "example.jp"
    )]
    pub name: Option<String>,
}

impl CertificateFilter {
    fn apply(
        &self,
        mut select: sea_orm::Select<certificate::Entity>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ApiResult<sea_orm::Select<certificate::Entity>> {
        select = match self.status {
            None => select.filter(certificate::Column::Status.ne(CERT_RESERVED)),
            Some(CertificateState::Valid) => select
                .filter(certificate::Column::Status.eq(CERT_VALID))
                .filter(certificate::Column::NotAfter.gt(now)),
            Some(CertificateState::Expired) => select
                .filter(certificate::Column::Status.eq(CERT_VALID))
                .filter(certificate::Column::NotAfter.lte(now)),
            Some(CertificateState::Revoked) => {
                select.filter(certificate::Column::Status.eq(certificate::REVOKED))
            }
        };
        if let Some(name) = name_filter(self.name.as_deref())? {
            select = select.filter(certificate::Column::Names.contains(name));
        }
        Ok(select)
    }
}

/// The customer's certificates, newest first, paged, by status and name.
#[utoipa::path(get, path = "/certificates", operation_id = "list_certificates", tag = "certificates", params(CertificateFilter, PageParams),
    responses((status = 200, body = Vec<CertificateInfo>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<CertificateFilter>,
    page: Page,
) -> ApiResult<Response> {
    let rows = page
        .apply(
            filter.apply(
                certificate::Entity::find()
                    .filter(certificate::Column::CustomerId.eq(auth.customer.id)),
                state.now(),
            )?,
            certificate::Column::Id,
        )?
        .all(&state.db)
        .await?;
    let replaced = replacements(&state, &rows).await?;
    Ok(page.respond(rows, |c| c.id, |c| info(&state, c, &replaced)))
}

/// One certificate.
#[utoipa::path(get, path = "/certificates/{serial}", operation_id = "get_certificate", tag = "certificates", params(SerialPath),
    responses((status = 200, body = CertificateInfo), ReadAuth, NotFound), security(("session" = []), ("bearer" = ["read"])))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(serial): ApiPath<String>,
) -> ApiResult<Json<CertificateInfo>> {
    Ok(Json(
        info_of(&state, own(&state, &auth, &serial).await?).await?,
    ))
}

/// The PEM chain (leaf, then intermediate).
#[utoipa::path(get, path = "/certificates/{serial}/chain.pem", tag = "certificates", params(SerialPath),
    responses((status = 200, content_type = "application/pem-certificate-chain", body = String), ReadAuth, NotFound), security(("session" = []), ("bearer" = ["read"])))]
pub async fn chain(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(serial): ApiPath<String>,
) -> ApiResult<Response> {
    let cert = own(&state, &auth, &serial).await?;
    let mut res = (StatusCode::OK, state.ca.chain(&cert.leaf_pem)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pem-certificate-chain"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.pem\"", cert.serial)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// Revoke a certificate (R-CA-3); the CRL is re-published at once.
#[utoipa::path(post, path = "/certificates/{serial}/revoke", tag = "certificates", request_body = RevokeRequest,
    params(SerialPath, CsrfHeader),
    responses((status = 200, body = CertificateInfo), JsonBody, WriteAuth, NotFound,
              (status = 409, description = "already revoked", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["write"])))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    ApiPath(serial): ApiPath<String>,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> ApiResult<Json<CertificateInfo>> {
    let cert = own(&state, &auth, &serial).await?;
    revoke_as(&state, &cert, req.reason, &auth.actor()).await?;
    Ok(Json(
        info_of(&state, own(&state, &auth, &serial).await?).await?,
    ))
}

/// The stored answers of the remote perspectives (R-VAL-7) as the portal shows them.
pub fn perspective_infos(stored: Option<&str>) -> Vec<shared::dto::PerspectiveInfo> {
    let results: Vec<crate::va::mpic::RemoteResult> = stored
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default();
    results
        .into_iter()
        .map(|r| shared::dto::PerspectiveInfo {
            perspective: r.perspective,
            region: r.region,
            corroborated: r.corroborated,
            error_type: r
                .failure
                .as_ref()
                .map(|f| format!("urn:ietf:params:acme:error:{}", f.kind.as_str())),
            error_detail: r.failure.map(|f| f.detail),
        })
        .collect()
}

/// The customer's ACME orders with their authorizations and validation errors (R-VAL-5),
/// newest first, paged.
#[utoipa::path(get, path = "/acme-orders", tag = "certificates", params(PageParams),
    responses((status = 200, body = Vec<AcmeOrderInfo>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, ReadAuth), security(("session" = []), ("bearer" = ["read"])))]
pub async fn orders(State(state): State<AppState>, auth: Auth, page: Page) -> ApiResult<Response> {
    let now = state.now();
    let orders = page
        .apply(
            acme_order::Entity::find().filter(acme_order::Column::CustomerId.eq(auth.customer.id)),
            acme_order::Column::Id,
        )?
        .all(&state.db)
        .await?;
    let links = acme_order_authorization::Entity::find()
        .filter(acme_order_authorization::Column::OrderId.is_in(orders.iter().map(|o| o.id)))
        .all(&state.db)
        .await?;
    let authzs = acme_authorization::Entity::find()
        .filter(acme_authorization::Column::Id.is_in(links.iter().map(|l| l.authorization_id)))
        .all(&state.db)
        .await?;
    let challenges = acme_challenge::Entity::find()
        .filter(acme_challenge::Column::AuthorizationId.is_in(authzs.iter().map(|a| a.id)))
        .order_by_asc(acme_challenge::Column::Id)
        .all(&state.db)
        .await?;
    let cert_ids: Vec<i64> = orders.iter().filter_map(|o| o.certificate_id).collect();
    let certs = certificate::Entity::find()
        .filter(certificate::Column::Id.is_in(cert_ids))
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for o in &orders {
        let mine: Vec<&acme_authorization::Model> = links
            .iter()
            .filter(|l| l.order_id == o.id)
            .filter_map(|l| authzs.iter().find(|a| a.id == l.authorization_id))
            .collect();
        let statuses: Vec<AuthzStatus> = mine.iter().map(|a| a.status_at(now)).collect();
        out.push(AcmeOrderInfo {
            id: o.id,
            account_id: o.account_id,
            status: OrderStatus::derive(o.stored_status(), o.expires_at <= now, &statuses)
                .as_str()
                .to_owned(),
            names: o.names(),
            created_at: rfc3339(o.created_at),
            expires_at: rfc3339(o.expires_at),
            certificate_serial: o
                .certificate_id
                .and_then(|id| certs.iter().find(|c| c.id == id))
                .map(|c| c.serial.clone()),
            profile: o.profile.clone(),
            authorizations: mine
                .iter()
                .map(|a| AuthorizationInfo {
                    identifier: a.identifier.clone(),
                    wildcard: a.wildcard,
                    status: a.status_at(now).as_str().to_owned(),
                    expires_at: rfc3339(a.expires_at_effective()),
                    challenges: challenges
                        .iter()
                        .filter(|c| c.authorization_id == a.id)
                        .map(|c| {
                            let (error_type, error_detail) = c.error_parts();
                            ChallengeInfo {
                                kind: c.kind.clone(),
                                status: c.status.clone(),
                                error_type,
                                error_detail,
                                perspectives: perspective_infos(c.perspectives.as_deref()),
                            }
                        })
                        .collect(),
                })
                .collect(),
        });
    }
    Ok(page.respond(out, |o| o.id, Clone::clone))
}

/// Revoke any customer's certificate from the operator console (R-CA-3, R-CA-5, BR 4.9.1.1);
/// the CRL is re-published at once.
#[utoipa::path(post, path = "/operator/certificates/{serial}/revoke", tag = "operator", request_body = RevokeRequest,
    params(SerialPath, CsrfHeader),
    responses((status = 200, body = CertificateInfo), JsonBody, OperatorOnly, NotFound,
              (status = 409, description = "already revoked", body = Problem, content_type = PROBLEM_JSON)), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn operator_revoke(
    State(state): State<AppState>,
    op: OperatorAuth,
    ApiPath(serial): ApiPath<String>,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> ApiResult<Json<CertificateInfo>> {
    let find = || async {
        crate::certs::by_serial(&state.db, &serial.to_ascii_lowercase())
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no certificate has serial {serial}")))
    };
    let cert = find().await?;
    revoke_as(&state, &cert, req.reason, &op.0.actor()).await?;
    Ok(Json(info_of(&state, find().await?).await?))
}

/// One revocation path for the portal and the console, with the same refusals.
async fn revoke_as(
    state: &AppState,
    cert: &certificate::Model,
    reason: u8,
    actor: &str,
) -> ApiResult<()> {
    match crate::certs::revoke(state, cert, reason, actor).await {
        Ok(()) => Ok(()),
        Err(RevokeError::BadReason(r)) => Err(ApiError::field(
            "reason",
            "unknown_reason",
            format!("{r} is not accepted; use 0 (unspecified), 1 (keyCompromise), 3 (affiliationChanged), 4 (superseded) or 5 (cessationOfOperation)"),
        )),
        Err(RevokeError::AlreadyRevoked) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "already-revoked",
            format!("certificate {} is already revoked", cert.serial),
        )),
        Err(RevokeError::Internal(e)) => Err(ApiError::internal(e)),
    }
}
