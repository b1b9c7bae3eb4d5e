//! Early-renewal campaigns in the operator console (R-ACME-8): preview, run, list. The decisions
//! are `crate::campaigns`'; this is the REST edge.

use super::doc::{BadPage, CsrfHeader, JsonBody, OperatorOnly};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use shared::dto::{CampaignCustomer, CampaignPreview, CampaignRequest, RenewalCampaign};

use super::extract::{ApiJson, OperatorAuth};
use super::paging::{Page, PageParams};
use crate::campaigns::{self, CampaignError};
use crate::clock::rfc3339;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::entity::renewal_campaign;

impl From<CampaignError> for ApiError {
    fn from(e: CampaignError) -> Self {
        match e {
            CampaignError::Field {
                field,
                code,
                reason,
            } => ApiError::field(field, code, reason),
            CampaignError::Db(e) => ApiError::internal(e),
            CampaignError::Internal(e) => ApiError::internal(e),
        }
    }
}

fn dto(c: &renewal_campaign::Model, replaced: u64) -> RenewalCampaign {
    RenewalCampaign {
        id: c.id,
        reason: c.reason.clone(),
        renew_by: rfc3339(c.renew_by),
        certificates: c.certificate_count as u64,
        customers: c.customer_count as u64,
        replaced,
        created_at: rfc3339(c.created_at),
    }
}

/// How many certificates of whom a campaign would move, without moving them.
#[utoipa::path(post, path = "/operator/renewal-campaigns/preview", tag = "operator", request_body = CampaignRequest,
    params(CsrfHeader), responses((status = 200, body = CampaignPreview), JsonBody, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn preview(
    State(state): State<AppState>,
    _op: OperatorAuth,
    ApiJson(req): ApiJson<CampaignRequest>,
) -> ApiResult<Json<CampaignPreview>> {
    let (certificates, customers) = campaigns::preview(&state, &req.selection).await?;
    Ok(Json(CampaignPreview {
        certificates,
        customers: customers
            .into_iter()
            .map(|(c, n)| CampaignCustomer {
                customer_id: c.customer_id().to_string(),
                name: c.name,
                email: c.email,
                certificates: n,
            })
            .collect(),
    }))
}

/// Moves the selected certificates' renewal window to now, emails their customers and records
/// the campaign (audited).
#[utoipa::path(post, path = "/operator/renewal-campaigns", operation_id = "create_renewal_campaign", tag = "operator", request_body = CampaignRequest,
    params(CsrfHeader), responses((status = 201, body = RenewalCampaign), JsonBody, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn create(
    State(state): State<AppState>,
    op: OperatorAuth,
    ApiJson(req): ApiJson<CampaignRequest>,
) -> ApiResult<(StatusCode, Json<RenewalCampaign>)> {
    let campaign = campaigns::run(&state, &req, &op.0.customer).await?;
    Ok((StatusCode::CREATED, Json(dto(&campaign, 0))))
}

/// The campaigns, newest first, paged, with how many of their certificates have been replaced
/// since.
#[utoipa::path(get, path = "/operator/renewal-campaigns", operation_id = "list_renewal_campaigns", tag = "operator", params(PageParams),
    responses((status = 200, body = Vec<RenewalCampaign>, headers(("link" = String, description = "rel=\"next\": the next page, when there is one"))), BadPage, OperatorOnly), security(("session" = []), ("bearer" = ["operator"])))]
pub async fn list(
    State(state): State<AppState>,
    _op: OperatorAuth,
    page: Page,
) -> ApiResult<Response> {
    let rows = campaigns::list(&state, page.before_id()?, page.limit + 1).await?;
    Ok(page.respond(rows, |(c, _)| c.id, |(c, n)| dto(c, *n)))
}
