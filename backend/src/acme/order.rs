//! newOrder, order, finalize and the account's orders list (RFC 8555 §7.1.2.1, §7.4): wire
//! parsing and responses only; the decisions are `crate::orders`'.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use shared::fqdn::{self, CertType};

use super::problem::AcmeProblem;
use super::request::AcmeRequest;
use super::views;
use crate::api::extract::{ApiPath, ClientAddr};
use crate::jose::unb64;
use crate::orders::{self, OrderState, MAX_IDENTIFIERS};
use crate::state::AppState;

/// Checks and normalises one identifier of a newOrder: a DNS name in A-label form.
fn identifier(value: &Value) -> Result<String, (String, AcmeProblem)> {
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    let name = value
        .get("value")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if kind != "dns" {
        let p = AcmeProblem::unsupported_identifier(format!(
            "identifier type {kind:?} is not supported; only \"dns\" is"
        ));
        return Err((name, p));
    }
    let lower = name.to_ascii_lowercase();
    let cert_type = if lower.starts_with("*.") {
        CertType::DvWildcard
    } else {
        CertType::Dv
    };
    match fqdn::normalize(&lower, cert_type) {
        Err(e) => Err((
            name.clone(),
            AcmeProblem::rejected_identifier(format!(
                "{name} is not a name this CA issues for: {e}"
            )),
        )),
        Ok(n) => {
            let normalized = if n.cert_type == CertType::DvWildcard {
                format!("*.{}", n.ascii)
            } else {
                n.ascii
            };
            if normalized != lower {
                return Err((
                    name.clone(),
                    AcmeProblem::rejected_identifier(format!(
                        "{name} must be given in A-label form: {normalized}"
                    )),
                ));
            }
            Ok(normalized)
        }
    }
}

/// newOrder (RFC 8555 §7.4) under the registration policy of R-ACME-4.
pub async fn new_order(
    State(state): State<AppState>,
    addr: ClientAddr,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?;
    let payload = req
        .jws
        .payload_json()?
        .ok_or_else(|| AcmeProblem::malformed("newOrder needs a payload"))?;
    if payload.get("notBefore").is_some() || payload.get("notAfter").is_some() {
        return Err(AcmeProblem::malformed(
            "notBefore and notAfter are not supported: the CA sets the validity (at most the contract end)",
        ));
    }
    let items = payload
        .get("identifiers")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| AcmeProblem::malformed("\"identifiers\" must be a non-empty array"))?;
    if items.len() > MAX_IDENTIFIERS {
        return Err(AcmeProblem::malformed(format!(
            "at most {MAX_IDENTIFIERS} identifiers per order"
        )));
    }
    let mut names = Vec::new();
    let mut refused = Vec::new();
    for item in items {
        match identifier(item) {
            Ok(n) if !names.contains(&n) => names.push(n),
            Ok(_) => {}
            Err(r) => refused.push(r),
        }
    }
    if refused.len() == items.len()
        && refused
            .iter()
            .all(|(_, p)| p.kind == "unsupportedIdentifier")
    {
        return Err(refused.remove(0).1);
    }
    if !refused.is_empty() {
        return Err(AcmeProblem::rejected_identifiers(refused));
    }
    let replaces = match payload.get("replaces") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(
            crate::renewal::CertId::parse(id)
                .map_err(|e| AcmeProblem::malformed(format!("replaces: {e}")))?,
        ),
        Some(_) => {
            return Err(AcmeProblem::malformed(
                "replaces must be a certificate identifier string (RFC 9773 §4.1)",
            ))
        }
    };
    // draft-ietf-acme-profiles: one of the names in the directory's meta.profiles.
    let profile = match payload.get("profile") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name.clone()),
        Some(_) => {
            return Err(AcmeProblem::malformed(
                "profile must be the name of one of the directory's meta.profiles",
            ))
        }
    };
    let created = orders::create(
        &state,
        account,
        orders::NewOrder {
            names,
            replaces,
            profile,
            client: addr.0,
        },
    )
    .await?;
    Ok(views::order_response(
        &state.config,
        &created,
        StatusCode::CREATED,
    ))
}

/// POST-as-GET of an order.
pub async fn order(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    req.post_as_get()?;
    let account = req.account()?;
    let order = orders::store::own_order(&state.db, account.id, id).await?;
    let authorizations = orders::store::order_authorizations(&state.db, order.id).await?;
    let current = OrderState::new(order, authorizations, state.now());
    Ok(views::order_response(
        &state.config,
        &current,
        StatusCode::OK,
    ))
}

/// finalize (RFC 8555 §7.4, R-ACME-6, R-ACME-7).
pub async fn finalize(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?;
    let payload = req
        .jws
        .payload_json()?
        .ok_or_else(|| AcmeProblem::malformed("finalize needs {\"csr\": …}"))?;
    let csr_b64 = payload
        .get("csr")
        .and_then(Value::as_str)
        .ok_or_else(|| AcmeProblem::malformed("\"csr\" is missing"))?;
    let der = unb64("csr", csr_b64)?;
    let done = orders::finalize(&state, account, id, &der).await?;
    Ok(views::order_response(&state.config, &done, StatusCode::OK))
}

/// Orders per page of the account's orders list.
const ORDERS_PAGE: u64 = 100;

/// The account's orders (RFC 8555 §7.1.2.1): pending, ready, processing and valid ones, newest
/// first, a page at a time with `Link: <…>;rel="next"` (`?cursor=<order id>`).
pub async fn orders(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    RawQuery(query): RawQuery,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    req.post_as_get()?;
    let account = req.account()?;
    if account.id != id {
        return Err(AcmeProblem::unauthorized(
            "an account may list only its own orders",
        ));
    }
    let before = match query.as_deref() {
        None | Some("") => None,
        Some(q) => Some(
            q.strip_prefix("cursor=")
                .and_then(|c| c.parse::<i64>().ok())
                .ok_or_else(|| {
                    AcmeProblem::malformed(
                        "the orders list takes only ?cursor=<order id> from its Link header",
                    )
                })?,
        ),
    };
    let mut ids: Vec<i64> =
        orders::store::listable_orders_query(id, before, ORDERS_PAGE, state.now())
            .into_tuple()
            .all(&state.db)
            .await?;
    let more = ids.len() as u64 > ORDERS_PAGE;
    ids.truncate(ORDERS_PAGE as usize);
    let urls: Vec<String> = ids
        .iter()
        .map(|o| views::order_url(&state.config, *o))
        .collect();
    let mut res = (StatusCode::OK, axum::Json(json!({ "orders": urls }))).into_response();
    if let (true, Some(last)) = (more, ids.last()) {
        let next = format!(
            "<{}?cursor={last}>;rel=\"next\"",
            views::url(&state.config, &format!("/acct/{id}/orders"))
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&next) {
            res.headers_mut().append(axum::http::header::LINK, v);
        }
    }
    Ok(res)
}
