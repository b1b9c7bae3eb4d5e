//! The JSON of ACME resources (RFC 8555 §7.1) and the headers that go with them. Pure: built
//! from what the domain layer returns, no queries.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use shared::acme::{AuthzStatus, ChallengeStatus, OrderStatus};

use crate::clock::rfc3339;
use crate::config::Config;
use crate::orders::OrderState;
use crate::store::entity::{acme_authorization, acme_challenge};

/// Seconds a client should wait before polling a resource still being worked on: derived from
/// how fast the validation workers answer (`orders::validation::RETRY_AFTER_SECS`).
pub const RETRY_AFTER_SECS: u64 = crate::orders::validation::RETRY_AFTER_SECS;

/// An absolute URL of an ACME resource.
pub fn url(config: &Config, path: &str) -> String {
    config.public(&format!("{}{path}", super::ACME_PREFIX))
}

pub fn order_url(config: &Config, id: i64) -> String {
    url(config, &format!("/order/{id}"))
}

pub fn authz_url(config: &Config, id: i64) -> String {
    url(config, &format!("/authz/{id}"))
}

fn stored_json(text: Option<&str>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str::<Value>(t).ok())
}

/// The order object (RFC 8555 §7.1.3).
pub fn order_json(config: &Config, state: &OrderState) -> Value {
    let order = &state.order;
    let mut body = json!({
        "status": state.status,
        "expires": rfc3339(order.expires_at),
        "identifiers": order.names().iter().map(|n| json!({ "type": "dns", "value": n })).collect::<Vec<_>>(),
        "authorizations": state.authorizations.iter().map(|a| authz_url(config, a.id)).collect::<Vec<_>>(),
        "finalize": url(config, &format!("/order/{}/finalize", order.id)),
    });
    if let Some(cert) = order.certificate_id {
        body["certificate"] = json!(url(config, &format!("/cert/{cert}")));
    }
    if let Some(error) = stored_json(order.error.as_deref()) {
        body["error"] = error;
    }
    if let Some(replaces) = &order.replaces {
        body["replaces"] = json!(replaces);
    }
    if let Some(profile) = &order.profile {
        body["profile"] = json!(profile);
    }
    body
}

/// The order as a response with its `Location`, and `Retry-After` while it is pending or being
/// worked on (R-ACME-10).
pub fn order_response(config: &Config, state: &OrderState, code: StatusCode) -> Response {
    let res = with_location(
        (code, axum::Json(order_json(config, state))).into_response(),
        &order_url(config, state.order.id),
    );
    if matches!(state.status, OrderStatus::Pending | OrderStatus::Processing) {
        with_retry_after(res)
    } else {
        res
    }
}

/// The authorization object (RFC 8555 §7.1.4).
pub fn authz_json(
    config: &Config,
    a: &acme_authorization::Model,
    challenges: &[acme_challenge::Model],
    now: chrono::DateTime<chrono::Utc>,
) -> Value {
    let mut body = json!({
        "identifier": { "type": "dns", "value": a.identifier },
        "status": a.status_at(now),
        "expires": rfc3339(a.expires_at_effective()),
        "challenges": challenges.iter().map(|c| challenge_json(config, c, a.account_id)).collect::<Vec<_>>(),
    });
    if a.wildcard {
        body["wildcard"] = json!(true);
    }
    body
}

/// The authorization as a response, with `Retry-After` while it is pending.
pub fn authz_response(
    config: &Config,
    a: &acme_authorization::Model,
    challenges: &[acme_challenge::Model],
    now: chrono::DateTime<chrono::Utc>,
) -> Response {
    let res = (
        StatusCode::OK,
        axum::Json(authz_json(config, a, challenges, now)),
    )
        .into_response();
    if a.status_at(now) == AuthzStatus::Pending {
        with_retry_after(res)
    } else {
        res
    }
}

/// The challenge object (RFC 8555 §8) of a challenge of `account_id`'s authorization.
pub fn challenge_json(config: &Config, c: &acme_challenge::Model, account_id: i64) -> Value {
    let mut v = json!({
        "type": c.kind,
        "url": url(config, &format!("/chall/{}", c.id)),
        "status": c.stored_status(),
    });
    if c.challenge_type() == Some(shared::acme::ChallengeType::DnsPersist01) {
        // draft-ietf-acme-dns-persist-01 §3.1, as Boulder and Pebble serve it (docs/decisions.md):
        // no token; the issuer domain names to choose from, and the account URL to name.
        v["issuer-domain-names"] = json!(shared::persist::offered_issuers(&config.caa_identities));
        v["accounturi"] = json!(crate::acme::account_url(config, account_id));
    } else {
        v["token"] = json!(c.token);
    }
    if let Some(at) = c.validated_at {
        v["validated"] = json!(rfc3339(at));
    }
    if let Some(e) = stored_json(c.error.as_deref()) {
        v["error"] = e;
    }
    if let Some(r) = stored_json(c.validation_record.as_deref()) {
        v["validationRecord"] = r;
    }
    v
}

/// The challenge as a response with `Link: rel="up"` to its authorization, and `Retry-After`
/// while it is being validated.
pub fn challenge_response(config: &Config, c: &acme_challenge::Model, account_id: i64) -> Response {
    let mut res = (
        StatusCode::OK,
        axum::Json(challenge_json(config, c, account_id)),
    )
        .into_response();
    if let Ok(up) = HeaderValue::from_str(&format!(
        "<{}>;rel=\"up\"",
        authz_url(config, c.authorization_id)
    )) {
        res.headers_mut().append(header::LINK, up);
    }
    if c.stored_status() == ChallengeStatus::Processing {
        with_retry_after(res)
    } else {
        res
    }
}

pub fn with_location(mut res: Response, location: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

pub fn with_retry_after(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    res
}
