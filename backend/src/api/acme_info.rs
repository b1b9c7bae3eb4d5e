//! What the ACME server offers and allows, for everyone (no login): its certificate profiles
//! (R-ACME-9) and its limits and polling interval (R-ACME-10). The portal's `/acme-limits` page,
//! the directory's `meta.website`, shows them.

use axum::extract::State;
use axum::Json;
use shared::dto::{AcmeLimits, AcmeProfileInfo, AcmeRateLimit};

use crate::ratelimit::Limit;
use crate::state::AppState;

/// The ACME certificate profiles a newOrder may name, the default one marked.
#[utoipa::path(get, path = "/acme/profiles", tag = "acme",
    responses((status = 200, body = Vec<AcmeProfileInfo>)), security(()))]
pub async fn profiles(State(state): State<AppState>) -> Json<Vec<AcmeProfileInfo>> {
    let profiles = &state.config.profiles;
    let default = &profiles.default_profile().name;
    Json(
        profiles
            .all()
            .iter()
            .map(|p| AcmeProfileInfo {
                name: p.name.clone(),
                description_ja: p.description_ja.clone(),
                description_en: p.description_en.clone(),
                validity_days: p.validity_days,
                products: p.products.clone(),
                short_lived: p.short_lived,
                default: &p.name == default,
            })
            .collect(),
    )
}

/// The configured ACME rate limits, the `Retry-After` of resources still being worked on, and
/// the lifetimes of orders and authorizations.
#[utoipa::path(get, path = "/acme/limits", tag = "acme",
    responses((status = 200, body = AcmeLimits)), security(()))]
pub async fn limits(State(state): State<AppState>) -> Json<AcmeLimits> {
    let rate_limits = state
        .config
        .acme_limits
        .0
        .iter()
        .map(|(limit, rule)| {
            let (action, per) = match limit {
                Limit::NewAccountPerAddress => ("new_account", "address"),
                Limit::NewOrderPerAccount => ("new_order", "account"),
                Limit::NewOrderPerAddress => ("new_order", "address"),
                Limit::FailedValidationPerAccount => ("failed_validation", "account"),
            };
            AcmeRateLimit {
                name: limit.name().to_owned(),
                action: action.to_owned(),
                per: per.to_owned(),
                max: rule.max,
                window_secs: rule.window_secs,
            }
        })
        .collect();
    Json(AcmeLimits {
        directory_url: crate::acme::directory_url(&state.config),
        retry_after_secs: crate::orders::validation::RETRY_AFTER_SECS,
        rate_limits,
        max_identifiers_per_order: crate::orders::MAX_IDENTIFIERS as u32,
        order_lifetime_days: crate::orders::ORDER_LIFETIME_DAYS,
        authorization_lifetime_days: crate::orders::AUTHZ_LIFETIME_DAYS,
    })
}
