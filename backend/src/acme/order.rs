//! Orders, authorizations, challenges, finalize, certificates and revocation (RFC 8555 §7.1,
//! §7.4–7.6; R-ACME-4..7).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::{json, Value};
use shared::billing::RegistrationState;
use shared::fqdn::{self, CertType};

use super::jws::{unb64, Jwk};
use super::problem::AcmeProblem;
use super::request::AcmeRequest;
use crate::api::extract::ApiPath;
use crate::audit::AuditEntry;
use crate::billing::dates;
use crate::eab::rfc3339;
use crate::state::AppState;
use crate::store::entity::{
    acme_account, acme_authorization, acme_challenge, acme_order, acme_order_authorization,
    certificate, registration,
};

/// R-ACME-5: authorizations and their challenges live 25 days.
pub const AUTHZ_LIFETIME_DAYS: i64 = 25;
/// Orders live 7 days (never longer than their authorizations).
pub const ORDER_LIFETIME_DAYS: i64 = 7;
const MAX_IDENTIFIERS: usize = 100;
/// Seconds a client should wait before polling a resource still being worked on.
const RETRY_AFTER_SECS: u32 = 2;

fn url(state: &AppState, path: String) -> String {
    state.config.public(&format!("/acme{path}"))
}

fn problem_kind(kind: &'static str, status: StatusCode, detail: impl Into<String>) -> AcmeProblem {
    AcmeProblem {
        kind,
        status,
        detail: detail.into(),
        extra: None,
    }
}

fn with_location(mut res: Response, location: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

fn with_retry_after(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    res
}

fn internal(e: impl std::fmt::Display) -> AcmeProblem {
    AcmeProblem::internal(e)
}

async fn order_authorizations(
    db: &impl ConnectionTrait,
    order_id: i64,
) -> Result<Vec<acme_authorization::Model>, sea_orm::DbErr> {
    let ids: Vec<i64> = acme_order_authorization::Entity::find()
        .select_only()
        .column(acme_order_authorization::Column::AuthorizationId)
        .filter(acme_order_authorization::Column::OrderId.eq(order_id))
        .into_tuple()
        .all(db)
        .await?;
    acme_authorization::Entity::find()
        .filter(acme_authorization::Column::Id.is_in(ids))
        .order_by_asc(acme_authorization::Column::Id)
        .all(db)
        .await
}

/// The order's status and JSON (RFC 8555 §7.1.3), with its status derived from its authorizations.
async fn order_view(
    state: &AppState,
    order: &acme_order::Model,
) -> Result<(&'static str, Value), AcmeProblem> {
    let now = state.now();
    let authzs = order_authorizations(&state.db, order.id).await?;
    let statuses: Vec<&str> = authzs.iter().map(|a| a.status_at(now)).collect();
    let status = crate::policy::order_status(&order.status, order.expires_at <= now, &statuses);
    let mut body = json!({
        "status": status,
        "expires": rfc3339(order.expires_at),
        "identifiers": order.names().iter().map(|n| json!({ "type": "dns", "value": n })).collect::<Vec<_>>(),
        "authorizations": authzs.iter().map(|a| url(state, format!("/authz/{}", a.id))).collect::<Vec<_>>(),
        "finalize": url(state, format!("/order/{}/finalize", order.id)),
    });
    if let Some(cert) = order.certificate_id {
        body["certificate"] = json!(url(state, format!("/cert/{cert}")));
    }
    if let Some(error) = order
        .error
        .as_deref()
        .and_then(|e| serde_json::from_str::<Value>(e).ok())
    {
        body["error"] = error;
    }
    Ok((status, body))
}

async fn order_response(
    state: &AppState,
    order: &acme_order::Model,
    code: StatusCode,
) -> Result<Response, AcmeProblem> {
    let (status, body) = order_view(state, order).await?;
    let res = with_location(
        (code, axum::Json(body)).into_response(),
        &url(state, format!("/order/{}", order.id)),
    );
    Ok(if status == "processing" {
        with_retry_after(res)
    } else {
        res
    })
}

/// Checks and normalises one identifier of a newOrder: a DNS name in A-label form.
fn identifier(value: &Value) -> Result<String, (String, AcmeProblem)> {
    let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
    let name = value
        .get("value")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if kind != "dns" {
        let p = problem_kind(
            "unsupportedIdentifier",
            StatusCode::BAD_REQUEST,
            format!("identifier type {kind:?} is not supported; only \"dns\" is"),
        );
        return Err((name, p));
    }
    let lower = name.to_ascii_lowercase();
    let cert_type = if lower.starts_with("*.") {
        CertType::DvWildcard
    } else {
        CertType::Dv
    };
    let rejected =
        |detail: String| problem_kind("rejectedIdentifier", StatusCode::BAD_REQUEST, detail);
    match fqdn::normalize(&lower, cert_type) {
        Err(e) => Err((
            name.clone(),
            rejected(format!("{name} is not a name this CA issues for: {e}")),
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
                    rejected(format!(
                        "{name} must be given in A-label form: {normalized}"
                    )),
                ));
            }
            Ok(normalized)
        }
    }
}

fn rejected_problem(refused: Vec<(String, AcmeProblem)>) -> AcmeProblem {
    let detail = refused
        .iter()
        .map(|(n, p)| format!("{n}: {}", p.detail))
        .collect::<Vec<_>>()
        .join("; ");
    let subproblems: Vec<Value> = refused
        .iter()
        .map(|(n, p)| {
            let mut v = p.to_json();
            v["identifier"] = json!({ "type": "dns", "value": n });
            v
        })
        .collect();
    AcmeProblem {
        kind: "rejectedIdentifier",
        status: StatusCode::BAD_REQUEST,
        detail: format!("{} identifier(s) refused: {detail}", refused.len()),
        extra: Some(json!({ "subproblems": subproblems })),
    }
}

/// newOrder (RFC 8555 §7.4) under the registration policy of R-ACME-4.
pub async fn new_order(
    State(state): State<AppState>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?.clone();
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
    if refused
        .iter()
        .any(|(_, p)| p.kind == "unsupportedIdentifier")
        && refused.len() == items.len()
    {
        return Err(refused.remove(0).1);
    }
    let now = state.now();
    let regs = registration::Entity::find()
        .filter(registration::Column::CustomerId.eq(account.customer_id))
        .all(&state.db)
        .await?;
    if let Err(policy) = crate::policy::authorize_all(&names, &regs, now) {
        refused.extend(policy.into_iter().map(|r| {
            (
                r.name,
                problem_kind("rejectedIdentifier", StatusCode::BAD_REQUEST, r.detail),
            )
        }));
    }
    if !refused.is_empty() {
        return Err(rejected_problem(refused));
    }

    let txn = state.db.begin().await?;
    let order = acme_order::ActiveModel {
        account_id: Set(account.id),
        customer_id: Set(account.customer_id),
        status: Set("pending".into()),
        identifiers: Set(json!(names).to_string()),
        expires_at: Set(now + Duration::days(ORDER_LIFETIME_DAYS)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for name in &names {
        let (bare, wildcard) = match name.strip_prefix("*.") {
            Some(b) => (b.to_owned(), true),
            None => (name.clone(), false),
        };
        // R-ACME-5: a valid, unexpired authorization of this account is reused.
        let reusable = acme_authorization::Entity::find()
            .filter(acme_authorization::Column::AccountId.eq(account.id))
            .filter(acme_authorization::Column::Identifier.eq(&bare))
            .filter(acme_authorization::Column::Wildcard.eq(wildcard))
            .filter(acme_authorization::Column::Status.eq("valid"))
            .filter(acme_authorization::Column::ExpiresAt.gt(now))
            .order_by_desc(acme_authorization::Column::ExpiresAt)
            .one(&txn)
            .await?;
        let authz = match reusable {
            Some(a) => a,
            None => {
                let a = acme_authorization::ActiveModel {
                    account_id: Set(account.id),
                    identifier: Set(bare.clone()),
                    wildcard: Set(wildcard),
                    status: Set("pending".into()),
                    expires_at: Set(now + Duration::days(AUTHZ_LIFETIME_DAYS)),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                // http-01 is not offered for wildcards (R-VAL-1).
                let kinds: &[&str] = if wildcard {
                    &["dns-01"]
                } else {
                    &["http-01", "dns-01"]
                };
                for kind in kinds {
                    acme_challenge::ActiveModel {
                        authorization_id: Set(a.id),
                        kind: Set((*kind).into()),
                        token: Set(crate::secrets::random_token()),
                        status: Set("pending".into()),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    }
                    .insert(&txn)
                    .await?;
                }
                a
            }
        };
        acme_order_authorization::ActiveModel {
            order_id: Set(order.id),
            authorization_id: Set(authz.id),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    order_response(&state, &order, StatusCode::CREATED).await
}

async fn own_order(
    state: &AppState,
    account: &acme_account::Model,
    id: i64,
) -> Result<acme_order::Model, AcmeProblem> {
    acme_order::Entity::find_by_id(id)
        .filter(acme_order::Column::AccountId.eq(account.id))
        .one(&state.db)
        .await?
        .ok_or_else(|| AcmeProblem::not_found(format!("this account has no order {id}")))
}

/// POST-as-GET of an order.
pub async fn order(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let order = own_order(&state, req.account()?, id).await?;
    order_response(&state, &order, StatusCode::OK).await
}

async fn authz_view(state: &AppState, a: &acme_authorization::Model) -> Result<Value, AcmeProblem> {
    let now = state.now();
    let challenges = acme_challenge::Entity::find()
        .filter(acme_challenge::Column::AuthorizationId.eq(a.id))
        .order_by_asc(acme_challenge::Column::Id)
        .all(&state.db)
        .await?;
    let mut body = json!({
        "identifier": { "type": "dns", "value": a.identifier },
        "status": a.status_at(now),
        "expires": rfc3339(a.expires_at),
        "challenges": challenges.iter().map(|c| challenge_view(state, c)).collect::<Vec<_>>(),
    });
    if a.wildcard {
        body["wildcard"] = json!(true);
    }
    Ok(body)
}

fn challenge_view(state: &AppState, c: &acme_challenge::Model) -> Value {
    let mut v = json!({
        "type": c.kind,
        "url": url(state, format!("/chall/{}", c.id)),
        "status": c.status,
        "token": c.token,
    });
    if let Some(at) = c.validated_at {
        v["validated"] = json!(rfc3339(at));
    }
    if let Some(e) = c
        .error
        .as_deref()
        .and_then(|e| serde_json::from_str::<Value>(e).ok())
    {
        v["error"] = e;
    }
    if let Some(r) = c
        .validation_record
        .as_deref()
        .and_then(|e| serde_json::from_str::<Value>(e).ok())
    {
        v["validationRecord"] = r;
    }
    v
}

async fn own_authz(
    state: &AppState,
    account: &acme_account::Model,
    id: i64,
) -> Result<acme_authorization::Model, AcmeProblem> {
    acme_authorization::Entity::find_by_id(id)
        .filter(acme_authorization::Column::AccountId.eq(account.id))
        .one(&state.db)
        .await?
        .ok_or_else(|| AcmeProblem::not_found(format!("this account has no authorization {id}")))
}

/// POST-as-GET of an authorization, or its deactivation (RFC 8555 §7.5.2).
pub async fn authz(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let mut a = own_authz(&state, req.account()?, id).await?;
    if let Some(payload) = req.jws.payload_json()? {
        if payload.get("status").and_then(Value::as_str) != Some("deactivated") {
            return Err(AcmeProblem::malformed(
                "an authorization can only be updated to {\"status\": \"deactivated\"}",
            ));
        }
        let now = state.now();
        acme_authorization::Entity::update_many()
            .set(acme_authorization::ActiveModel {
                status: Set("deactivated".into()),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(acme_authorization::Column::Id.eq(a.id))
            .filter(acme_authorization::Column::Status.is_in(["pending", "valid"]))
            .exec(&state.db)
            .await?;
        a = own_authz(&state, req.account()?, id).await?;
    }
    Ok((StatusCode::OK, axum::Json(authz_view(&state, &a).await?)).into_response())
}

/// POST-as-GET of a challenge, or the client's signal to validate it (RFC 8555 §7.5.1): the
/// challenge becomes `processing` and a job goes on the durable queue (R-VAL-3).
pub async fn challenge(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?.clone();
    let c = acme_challenge::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| AcmeProblem::not_found(format!("there is no challenge {id}")))?;
    let a = own_authz(&state, &account, c.authorization_id)
        .await
        .map_err(|_| AcmeProblem::not_found(format!("this account has no challenge {id}")))?;
    let now = state.now();
    let respond = req.jws.payload_json()?.is_some();
    if respond && c.status == "pending" {
        if a.status_at(now) != "pending" {
            return Err(AcmeProblem::malformed(format!(
                "the authorization is {}; it expired or was decided already, so create a new order",
                a.status_at(now)
            )));
        }
        let txn = state.db.begin().await?;
        let moved = acme_challenge::Entity::update_many()
            .set(acme_challenge::ActiveModel {
                status: Set("processing".into()),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(acme_challenge::Column::Id.eq(c.id))
            .filter(acme_challenge::Column::Status.eq("pending"))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 1 {
            crate::va::enqueue(&txn, c.id, now).await?;
        }
        txn.commit().await?;
        state.va_wakeup.notify_waiters();
    }
    let c = acme_challenge::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| internal("challenge vanished"))?;
    let mut res = (StatusCode::OK, axum::Json(challenge_view(&state, &c))).into_response();
    if let Ok(up) = HeaderValue::from_str(&format!(
        "<{}>;rel=\"up\"",
        url(&state, format!("/authz/{}", a.id))
    )) {
        res.headers_mut().append(header::LINK, up);
    }
    Ok(if c.status == "processing" {
        with_retry_after(res)
    } else {
        res
    })
}

async fn fail_order(
    state: &AppState,
    order: &acme_order::Model,
    problem: &AcmeProblem,
) -> Result<(), sea_orm::DbErr> {
    acme_order::Entity::update_many()
        .set(acme_order::ActiveModel {
            status: Set("invalid".into()),
            error: Set(Some(problem.to_json().to_string())),
            updated_at: Set(state.now()),
            ..Default::default()
        })
        .filter(acme_order::Column::Id.eq(order.id))
        .exec(&state.db)
        .await
        .map(|_| ())
}

/// The latest notAfter the registrations allow: an active one's contract end, or for one
/// activated by this issuance, now plus its contract years (R-FQDN-7, R-CA-2).
fn contract_cap(regs: &[&registration::Model], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    regs.iter()
        .filter_map(|r| match r.state() {
            RegistrationState::Active => r.contract_end,
            _ => Some(dates::add_years(now, r.contract_years.max(0) as u32)),
        })
        .min()
}

/// finalize (RFC 8555 §7.4, R-ACME-6, R-ACME-7).
pub async fn finalize(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?.clone();
    let order = own_order(&state, &account, id).await?;
    let payload = req
        .jws
        .payload_json()?
        .ok_or_else(|| AcmeProblem::malformed("finalize needs {\"csr\": …}"))?;
    let csr_b64 = payload
        .get("csr")
        .and_then(Value::as_str)
        .ok_or_else(|| AcmeProblem::malformed("\"csr\" is missing"))?;
    let (status, _) = order_view(&state, &order).await?;
    if status != "ready" {
        return Err(problem_kind(
            "orderNotReady",
            StatusCode::FORBIDDEN,
            format!("the order is {status}; it can be finalized only when ready (all authorizations valid)"),
        ));
    }
    let der = unb64("csr", csr_b64)?;
    let csr = crate::ca::csr::check(&der)?;
    let mut wanted = order.names();
    wanted.sort();
    if csr.names != wanted {
        return Err(problem_kind(
            "badCSR",
            StatusCode::BAD_REQUEST,
            format!(
                "the CSR names {} but the order is for {}",
                csr.names.join(", "),
                wanted.join(", ")
            ),
        ));
    }
    let account_key = Jwk::from_json(&serde_json::from_str(&account.jwk).map_err(internal)?)?;
    if csr.key == account_key {
        return Err(problem_kind(
            "badCSR",
            StatusCode::BAD_REQUEST,
            "the CSR's key is the account key; use a separate key for the certificate",
        ));
    }
    // Exactly one finalize wins (compare-and-set); a second one finds the order processing or valid.
    let now = state.now();
    let won = acme_order::Entity::update_many()
        .set(acme_order::ActiveModel {
            status: Set("processing".into()),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(acme_order::Column::Id.eq(order.id))
        .filter(acme_order::Column::Status.eq("pending"))
        .exec(&state.db)
        .await?;
    if won.rows_affected != 1 {
        return Err(problem_kind(
            "orderNotReady",
            StatusCode::FORBIDDEN,
            "the order is already being finalized or was finalized",
        ));
    }
    match issue(&state, &account, &order, &csr, now).await {
        Ok(()) => {}
        Err(problem) => {
            fail_order(&state, &order, &problem).await?;
            return Err(problem);
        }
    }
    let order = acme_order::Entity::find_by_id(order.id)
        .one(&state.db)
        .await?
        .ok_or_else(|| internal("order vanished"))?;
    order_response(&state, &order, StatusCode::OK).await
}

/// Signs the certificate and, in one transaction, stores it, completes the order and activates
/// the registrations it covers (R-ACME-7).
async fn issue(
    state: &AppState,
    account: &acme_account::Model,
    order: &acme_order::Model,
    csr: &crate::ca::csr::CheckedCsr,
    now: DateTime<Utc>,
) -> Result<(), AcmeProblem> {
    let regs = registration::Entity::find()
        .filter(registration::Column::CustomerId.eq(account.customer_id))
        .all(&state.db)
        .await?;
    let covering = crate::policy::authorize_all(&csr.names, &regs, now).map_err(|refused| {
        rejected_problem(
            refused
                .into_iter()
                .map(|r| {
                    (
                        r.name,
                        problem_kind("rejectedIdentifier", StatusCode::BAD_REQUEST, r.detail),
                    )
                })
                .collect(),
        )
    })?;
    let cap = contract_cap(&covering, now);
    let issued = state
        .ca
        .issue(&csr.spki_der, &csr.names, now, cap)
        .map_err(|e| internal(format!("{e:#}")))?;
    let txn = state.db.begin().await?;
    let cert = certificate::ActiveModel {
        serial: Set(issued.serial.clone()),
        customer_id: Set(account.customer_id),
        account_id: Set(account.id),
        order_id: Set(order.id),
        names: Set(json!(csr.names).to_string()),
        key_thumbprint: Set(csr.key.thumbprint()),
        not_before: Set(issued.not_before),
        not_after: Set(issued.not_after),
        leaf_pem: Set(issued.leaf_pem),
        status: Set("valid".into()),
        created_at: Set(now),
        reminded_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    acme_order::Entity::update_many()
        .set(acme_order::ActiveModel {
            status: Set("valid".into()),
            certificate_id: Set(Some(cert.id)),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(acme_order::Column::Id.eq(order.id))
        .filter(acme_order::Column::Status.eq("processing"))
        .exec(&txn)
        .await?;
    let actor = format!("acme:{}", account.id);
    for reg in covering
        .iter()
        .filter(|r| r.state() == RegistrationState::Registered)
    {
        let changes = registration::ActiveModel {
            activated_at: Set(Some(now)),
            contract_end: Set(Some(dates::add_years(
                now,
                reg.contract_years.max(0) as u32,
            ))),
            ..Default::default()
        };
        let reason = format!("first certificate issued (serial {})", issued.serial);
        crate::registrations::transition(
            &txn,
            reg,
            RegistrationState::Active,
            changes,
            &actor,
            &reason,
            now,
        )
        .await
        .map_err(|e| internal(e.detail))?;
    }
    AuditEntry {
        actor,
        customer_id: Some(account.customer_id),
        action: "certificate.issue",
        subject: issued.serial.clone(),
        success: true,
        detail: json!({ "names": csr.names, "order": order.id, "not_after": rfc3339(issued.not_after) }),
        remote_addr: None,
    }
    .write(&txn, now)
    .await?;
    txn.commit().await?;
    crate::metrics::issuance();
    tracing::info!(serial = %issued.serial, names = ?csr.names, "certificate issued");
    Ok(())
}

/// Certificate download (RFC 8555 §7.4.2): the PEM chain, leaf first.
pub async fn certificate(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?;
    let cert = certificate::Entity::find_by_id(id)
        .filter(certificate::Column::CustomerId.eq(account.customer_id))
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            AcmeProblem::not_found(format!("there is no certificate {id} for this account"))
        })?;
    let mut res = (StatusCode::OK, state.ca.chain(&cert.leaf_pem)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pem-certificate-chain"),
    );
    Ok(res)
}

/// The account's orders (RFC 8555 §7.1.2.1), newest first.
pub async fn orders(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let account = req.account()?;
    if account.id != id {
        return Err(AcmeProblem::unauthorized(
            "an account may list only its own orders",
        ));
    }
    let ids: Vec<i64> = acme_order::Entity::find()
        .select_only()
        .column(acme_order::Column::Id)
        .filter(acme_order::Column::AccountId.eq(id))
        .order_by_desc(acme_order::Column::Id)
        .limit(1000)
        .into_tuple()
        .all(&state.db)
        .await?;
    let urls: Vec<String> = ids
        .iter()
        .map(|o| url(&state, format!("/order/{o}")))
        .collect();
    Ok((StatusCode::OK, axum::Json(json!({ "orders": urls }))).into_response())
}

/// revokeCert (RFC 8555 §7.6): signed by an account of the certificate's customer, or by the
/// certificate's own key.
pub async fn revoke_cert(
    State(state): State<AppState>,
    req: AcmeRequest,
) -> Result<Response, AcmeProblem> {
    let payload = req
        .jws
        .payload_json()?
        .ok_or_else(|| AcmeProblem::malformed("revokeCert needs a payload"))?;
    let der = unb64(
        "certificate",
        payload
            .get("certificate")
            .and_then(Value::as_str)
            .unwrap_or(""),
    )?;
    let reason = match payload.get("reason") {
        None => 0,
        Some(v) => v
            .as_u64()
            .and_then(|r| u8::try_from(r).ok())
            .ok_or_else(|| {
                problem_kind(
                    "badRevocationReason",
                    StatusCode::BAD_REQUEST,
                    "\"reason\" must be a CRL reason code",
                )
            })?,
    };
    let (_, parsed) = x509_parser::parse_x509_certificate(&der)
        .map_err(|_| AcmeProblem::malformed("\"certificate\" is not a DER certificate"))?;
    let serial = hex::encode(parsed.raw_serial());
    let cert = certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(&serial))
        .one(&state.db)
        .await?
        .ok_or_else(|| AcmeProblem::not_found("this CA did not issue that certificate"))?;
    let actor = match &req.account {
        Some(account) if account.customer_id == cert.customer_id => format!("acme:{}", account.id),
        Some(_) => return Err(AcmeProblem::unauthorized("this account may not revoke that certificate")),
        None if req.key.thumbprint() == cert.key_thumbprint => "certificate-key".to_owned(),
        None => return Err(AcmeProblem::unauthorized("the request is signed neither by an account of the certificate's owner nor by the certificate's key")),
    };
    match crate::certs::revoke(&state, &cert, reason, &actor).await {
        Ok(()) => Ok(StatusCode::OK.into_response()),
        Err(crate::certs::RevokeError::BadReason(r)) => Err(AcmeProblem {
            extra: None,
            ..problem_kind(
                "badRevocationReason",
                StatusCode::BAD_REQUEST,
                format!("reason {r} is not accepted; use 0 (unspecified), 1 (keyCompromise), 3 (affiliationChanged), 4 (superseded) or 5 (cessationOfOperation)"),
            )
        }),
        Err(crate::certs::RevokeError::AlreadyRevoked) => {
            Err(problem_kind("alreadyRevoked", StatusCode::BAD_REQUEST, format!("certificate {serial} is already revoked")))
        }
        Err(crate::certs::RevokeError::Internal(e)) => Err(internal(e)),
    }
}
