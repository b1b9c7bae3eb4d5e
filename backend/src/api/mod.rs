//! The REST API v1 (SPEC.md §4), shared by the portal and resellers. The route table and the
//! OpenAPI document are built from the same handler annotations, so they cannot drift apart.

pub mod acme_application;
pub mod acme_info;
pub mod auth;
pub mod billing_ops;
pub mod campaigns;
pub mod certificates;
pub mod doc;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod mail;
pub mod me;
pub mod operator;
pub mod paging;
pub mod registrations;
pub mod support;
pub mod tokens;
pub mod webhooks;

use axum::extract::OriginalUri;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::state::AppState;

pub const API_PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "CertDirect REST API",
        version = "1",
        description = "Everything the CertDirect portal can do, for resellers and third parties. \
            Errors are RFC 9457 problem documents (application/problem+json) with `errors: [{field, code, reason}]` \
            for field errors. Cookie-authenticated writes carry `X-CSRF-Token` equal to the `csrf_token` cookie; \
            Bearer requests need none."
    ),
    servers((url = "/api/v1")),
    components(responses(doc::ProblemResponse), schemas(shared::Problem, shared::problem::FieldError)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "sign-up, verification, login, password reset"),
        (name = "account", description = "the logged-in customer"),
        (name = "tokens", description = "API tokens (R-CUS-3)"),
        (name = "acme", description = "ACME usage application, EAB credentials, ACME accounts (R-EAB-1..4)"),
        (name = "registrations", description = "usage FQDN registration, invoices and payment (R-FQDN-*, R-BILL-*)"),
        (name = "certificates", description = "certificates and ACME orders (R-CA-3, R-CA-4, R-VAL-5)"),
        (name = "webhooks", description = "signed webhooks: endpoints, deliveries, attempts, re-sends (Standard Webhooks)"),
        (name = "support", description = "customer center: office hours and inquiries (R-SUP-1, R-SUP-2)"),
        (name = "operator", description = "operator console"),
        (name = "meta", description = "health")
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("cdt_…")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                extract::SESSION_COOKIE,
                "portal session from POST /auth/login; writes also need the X-CSRF-Token header",
            ))),
        );
    }
}

/// The `/api/v1` router and its OpenAPI document. The creating POSTs wrapped in
/// [`idempotency::idempotent`] accept `Idempotency-Key` (issue 13).
pub fn router(state: AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let idempotent = |routes| idempotency::idempotent(state.clone(), routes);
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(health::ready))
        .routes(routes!(acme_info::profiles))
        .routes(routes!(acme_info::limits))
        .routes(routes!(auth::signup))
        .routes(routes!(auth::verify))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::password_reset))
        .routes(routes!(auth::password_reset_confirm))
        .routes(routes!(me::get_me, me::patch_me))
        .routes(idempotent(routes!(
            tokens::create_token,
            tokens::list_tokens
        )))
        .routes(routes!(tokens::revoke_token))
        .routes(routes!(operator::list_customers))
        .routes(routes!(operator::list_validations))
        .routes(routes!(mail::list))
        .routes(routes!(mail::retry))
        .routes(routes!(campaigns::preview))
        .routes(routes!(campaigns::create, campaigns::list))
        .routes(idempotent(routes!(
            acme_application::apply,
            acme_application::get_application
        )))
        .routes(routes!(acme_application::list_accounts))
        .routes(routes!(acme_application::deactivate_account))
        .routes(routes!(acme_application::operator_reissue))
        .routes(routes!(registrations::products))
        .routes(routes!(registrations::check))
        .routes(idempotent(routes!(
            registrations::create,
            registrations::list
        )))
        .routes(routes!(registrations::get))
        .routes(routes!(registrations::invoices))
        .routes(routes!(registrations::invoice))
        .routes(idempotent(routes!(registrations::pay)))
        .routes(routes!(registrations::invoice_document))
        .routes(routes!(billing_ops::invoice_document))
        .routes(routes!(support::hours))
        .routes(idempotent(routes!(support::create, support::list)))
        .routes(routes!(support::get))
        .routes(routes!(support::message))
        .routes(routes!(support::operator_list))
        .routes(routes!(support::operator_get))
        .routes(routes!(support::operator_reply))
        .routes(routes!(support::operator_assign))
        .routes(routes!(support::operator_close))
        .routes(routes!(billing_ops::invoices))
        .routes(routes!(billing_ops::all_registrations))
        .routes(routes!(billing_ops::confirm_payment))
        .routes(routes!(billing_ops::refund))
        .routes(routes!(billing_ops::bank_statement))
        .routes(routes!(certificates::list))
        .routes(routes!(certificates::get))
        .routes(routes!(certificates::chain))
        .routes(routes!(certificates::revoke))
        .routes(routes!(certificates::operator_revoke))
        .routes(routes!(certificates::orders))
        .routes(idempotent(routes!(webhooks::create, webhooks::list)))
        .routes(routes!(webhooks::get, webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::resend))
        .routes(routes!(webhooks::test))
        .split_for_parts();
    let mut doc = doc;
    doc::drop_required_defaults(&mut doc);
    let json = Json(doc.clone());
    let router = router
        .route(
            "/openapi.json",
            axum::routing::get(move || async move { json }),
        )
        .fallback(api_fallback)
        .method_not_allowed_fallback(method_not_allowed);
    (router, doc)
}

async fn api_fallback(method: Method, OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::not_found(format!("there is no API endpoint {method} {}", uri.path()))
}

async fn method_not_allowed(method: Method, OriginalUri(uri): OriginalUri) -> impl IntoResponse {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!("{} does not accept {method}", uri.path()),
    )
}
