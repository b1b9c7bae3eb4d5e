//! Signed webhooks (REST API issue, item 6): a customer's HTTPS endpoints, the outbox of
//! deliveries written in the transaction of the change each announces, and their attempts. No
//! HTTP framework here; `api/webhooks.rs` speaks for it. The signing scheme is Standard Webhooks
//! (`signature.rs`); the worker that sends is `delivery.rs`. Endpoint addresses pass the
//! validation address guard (R-VAL-4) when registered and again on every attempt.

pub mod delivery;
pub mod signature;

use std::net::{IpAddr, SocketAddr};

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::{Alias, BinOper, Expr, InsertStatement, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use shared::dto::{
    CreateWebhookRequest, UpdateWebhookRequest, WebhookAttempt, WebhookDelivery,
    WebhookDeliveryStatus, WebhookEndpoint, WebhookEventType,
};
use shared::problem::FieldError;
use url::{Host, Url};

use crate::secretbox::SecretBox;
use crate::store::entity::{webhook_attempt, webhook_delivery, webhook_endpoint};

/// The longest endpoint URL accepted.
pub const MAX_URL_LEN: usize = 2000;
/// The longest description accepted, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// Endpoints a customer may have at once.
pub const MAX_ENDPOINTS: u64 = 10;

/// What the webhook domain can refuse.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Refused fields, each named with a code and a reason (R-ALL-1).
    #[error("invalid fields: {0:?}")]
    Fields(Vec<FieldError>),
    #[error("{0}")]
    NotFound(String),
    /// The state forbids it (field, code, reason).
    #[error("{2}")]
    Conflict(&'static str, &'static str, String),
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Internal(String),
}

impl From<WebhookError> for crate::error::ApiError {
    fn from(e: WebhookError) -> Self {
        use crate::error::ApiError;
        match e {
            WebhookError::Fields(errors) => ApiError::validation(errors),
            WebhookError::NotFound(detail) => ApiError::not_found(detail),
            WebhookError::Conflict(field, code, reason) => ApiError::conflict(field, code, reason),
            WebhookError::Db(e) => e.into(),
            WebhookError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

/// Where an endpoint URL points: checked for shape, not yet resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: Url,
    pub host: Host<String>,
    pub port: u16,
}

/// The URL rules that need no lookup: an absolute `https://` URL (plain `http://` only when
/// private addresses are allowed, i.e. for tests and development), with a host, no user
/// information or fragment, at most [`MAX_URL_LEN`] characters.
pub fn parse_url(raw: &str, allow_private: bool) -> Result<Target, FieldError> {
    let raw = raw.trim();
    let bad = |code: &str, reason: String| Err(FieldError::new("url", code, reason));
    if raw.is_empty() {
        return bad("required", "is required".into());
    }
    if raw.len() > MAX_URL_LEN {
        return bad(
            "too_long",
            format!("must be at most {MAX_URL_LEN} characters"),
        );
    }
    let url = match Url::parse(raw) {
        Ok(u) => u,
        Err(e) => return bad("invalid", format!("is not an absolute URL ({e})")),
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => {
            return bad(
                "https_required",
                "must be an https:// URL: deliveries carry your account's events".into(),
            )
        }
        other => return bad("invalid", format!("must be an https:// URL, not {other}:")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return bad(
            "invalid",
            "must not carry a user name or password; authenticate deliveries by their signature"
                .into(),
        );
    }
    if url.fragment().is_some() {
        return bad("invalid", "must not have a #fragment".into());
    }
    let Some(host) = url.host().map(|h| h.to_owned()) else {
        return bad("invalid", "has no host".into());
    };
    let port = url.port_or_known_default().unwrap_or(443);
    Ok(Target { url, host, port })
}

/// The addresses `target`'s host stands for (an IP literal is its own), each passed through
/// the validation address guard (R-VAL-4). All must pass: an endpoint that resolves to one
/// private address is refused at registration. Delivery calls this again for every attempt and
/// connects only to what it returns.
pub async fn resolve(target: &Target, allow_private: bool) -> Result<Vec<SocketAddr>, FieldError> {
    let addrs: Vec<SocketAddr> = match &target.host {
        Host::Ipv4(ip) => vec![SocketAddr::new(IpAddr::V4(*ip), target.port)],
        Host::Ipv6(ip) => vec![SocketAddr::new(IpAddr::V6(*ip), target.port)],
        Host::Domain(name) => match tokio::net::lookup_host((name.as_str(), target.port)).await {
            Ok(found) => found.collect(),
            Err(e) => {
                return Err(FieldError::new(
                    "url",
                    "unresolvable",
                    format!("{name} has no address ({e})"),
                ))
            }
        },
    };
    if addrs.is_empty() {
        return Err(FieldError::new(
            "url",
            "unresolvable",
            format!("{} has no address", target.host),
        ));
    }
    for addr in &addrs {
        if let Err(why) = crate::va::guard::check(addr.ip(), allow_private) {
            return Err(FieldError::new(
                "url",
                "address_refused",
                format!(
                    "{}: {}",
                    target.host,
                    why.replace("validation does not", "webhooks do not")
                ),
            ));
        }
    }
    Ok(addrs)
}

/// The event types of a request: at least one, each known and subscribable, no duplicates kept.
pub fn parse_events(raw: &[String]) -> Result<Vec<WebhookEventType>, FieldError> {
    if raw.is_empty() {
        return Err(FieldError::new(
            "events",
            "required",
            "must name at least one event type",
        ));
    }
    let mut out = Vec::new();
    for name in raw {
        match WebhookEventType::parse(name.trim()) {
            Some(t) if WebhookEventType::SUBSCRIBABLE.contains(&t) => {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            _ => {
                let known: Vec<&str> = WebhookEventType::SUBSCRIBABLE
                    .iter()
                    .map(|t| t.as_str())
                    .collect();
                return Err(FieldError::new(
                    "events",
                    "unknown",
                    format!("{name:?} is not an event type; use {}", known.join(", ")),
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn check_description(d: &str) -> Result<String, FieldError> {
    let d = d.trim();
    if d.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(FieldError::new(
            "description",
            "too_long",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    if d.chars().any(char::is_control) {
        return Err(FieldError::new(
            "description",
            "invalid",
            "must be one line without control characters",
        ));
    }
    Ok(d.to_owned())
}

/// How events are stored: space-separated and padded, so `LIKE '% name %'` finds one.
fn stored_events(events: &[WebhookEventType]) -> String {
    let names: Vec<&str> = events.iter().map(|t| t.as_str()).collect();
    format!(" {} ", names.join(" "))
}

/// The secret box context of a customer's endpoint secrets.
pub fn secret_context(customer_id: i64) -> String {
    format!("webhook-secret:{customer_id}")
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn endpoint_dto(row: &webhook_endpoint::Model) -> WebhookEndpoint {
    WebhookEndpoint {
        id: row.id,
        url: row.url.clone(),
        description: row.description.clone(),
        events: row
            .event_names()
            .into_iter()
            .filter_map(WebhookEventType::parse)
            .collect(),
        enabled: row.enabled,
        created_at: rfc3339(row.created_at),
    }
}

pub fn delivery_dto(
    row: &webhook_delivery::Model,
    attempts: &[webhook_attempt::Model],
) -> WebhookDelivery {
    let status =
        WebhookDeliveryStatus::parse(&row.status).unwrap_or(WebhookDeliveryStatus::Pending);
    WebhookDelivery {
        id: row.id,
        msg_id: row.msg_id.clone(),
        event_type: WebhookEventType::parse(&row.event_type).unwrap_or(WebhookEventType::Ping),
        status,
        payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
        created_at: rfc3339(row.created_at),
        next_attempt_at: (status == WebhookDeliveryStatus::Pending)
            .then(|| rfc3339(row.next_attempt_at)),
        attempts: attempts
            .iter()
            .filter(|a| a.delivery_id == row.id)
            .map(|a| WebhookAttempt {
                at: rfc3339(a.at),
                status_code: a.status_code.and_then(|c| u16::try_from(c).ok()),
                error: a.error.clone(),
                duration_ms: a.duration_ms,
                succeeded: a.succeeded,
            })
            .collect(),
    }
}

/// Registers an endpoint for `customer_id`; returns it with its secret (the only time the
/// secret leaves the server).
pub async fn create(
    db: &impl ConnectionTrait,
    secrets: &SecretBox,
    allow_private: bool,
    customer_id: i64,
    req: &CreateWebhookRequest,
    now: DateTime<Utc>,
) -> Result<(webhook_endpoint::Model, String), WebhookError> {
    let mut errors = Vec::new();
    let target = parse_url(&req.url, allow_private)
        .map_err(|e| errors.push(e))
        .ok();
    let events = parse_events(&req.events).map_err(|e| errors.push(e)).ok();
    let description = check_description(&req.description)
        .map_err(|e| errors.push(e))
        .ok();
    if let Some(target) = &target {
        if let Err(e) = resolve(target, allow_private).await {
            errors.push(e);
        }
    }
    let (Some(target), Some(events), Some(description), true) =
        (target, events, description, errors.is_empty())
    else {
        return Err(WebhookError::Fields(errors));
    };
    let live = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::CustomerId.eq(customer_id))
        .filter(webhook_endpoint::Column::DeletedAt.is_null())
        .count(db)
        .await?;
    if live >= MAX_ENDPOINTS {
        return Err(WebhookError::Conflict(
            "url",
            "too_many",
            format!("you have {live} webhook endpoints, the most allowed; delete one first"),
        ));
    }
    let secret = signature::new_secret();
    let (nonce, sealed) = secrets.seal(secret.as_bytes(), &secret_context(customer_id));
    let row = webhook_endpoint::ActiveModel {
        customer_id: Set(customer_id),
        url: Set(target.url.to_string()),
        description: Set(description),
        secret_nonce: Set(nonce),
        secret: Set(sealed),
        events: Set(stored_events(&events)),
        enabled: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row, secret))
}

/// The signing key of `endpoint`.
pub fn secret_key(
    secrets: &SecretBox,
    endpoint: &webhook_endpoint::Model,
) -> Result<Vec<u8>, WebhookError> {
    let secret = secrets
        .open(
            &endpoint.secret_nonce,
            &endpoint.secret,
            &secret_context(endpoint.customer_id),
        )
        .map_err(|e| WebhookError::Internal(format!("webhook secret {}: {e:#}", endpoint.id)))?;
    let secret = String::from_utf8(secret)
        .map_err(|_| WebhookError::Internal("webhook secret is not text".into()))?;
    signature::decode_secret(&secret)
        .ok_or_else(|| WebhookError::Internal("webhook secret is damaged".into()))
}

/// One live endpoint of the customer's, or "not found" (R-CUS-2).
pub async fn find(
    db: &impl ConnectionTrait,
    customer_id: i64,
    id: i64,
) -> Result<webhook_endpoint::Model, WebhookError> {
    webhook_endpoint::Entity::find_by_id(id)
        .filter(webhook_endpoint::Column::CustomerId.eq(customer_id))
        .filter(webhook_endpoint::Column::DeletedAt.is_null())
        .one(db)
        .await?
        .ok_or_else(|| WebhookError::NotFound(format!("you have no webhook endpoint with id {id}")))
}

/// The customer's live endpoints, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    customer_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<webhook_endpoint::Model>, WebhookError> {
    let mut select = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::CustomerId.eq(customer_id))
        .filter(webhook_endpoint::Column::DeletedAt.is_null());
    if let Some(before) = before {
        select = select.filter(webhook_endpoint::Column::Id.lt(before));
    }
    Ok(select
        .order_by_desc(webhook_endpoint::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Changes what `req` names; the URL passes the same checks as at registration.
pub async fn update(
    db: &impl ConnectionTrait,
    allow_private: bool,
    customer_id: i64,
    id: i64,
    req: &UpdateWebhookRequest,
    now: DateTime<Utc>,
) -> Result<webhook_endpoint::Model, WebhookError> {
    let current = find(db, customer_id, id).await?;
    let mut errors = Vec::new();
    let mut changes = webhook_endpoint::ActiveModel {
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(raw) = &req.url {
        match parse_url(raw, allow_private) {
            Ok(target) => match resolve(&target, allow_private).await {
                Ok(_) => changes.url = Set(target.url.to_string()),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(e),
        }
    }
    if let Some(raw) = &req.events {
        match parse_events(raw) {
            Ok(events) => changes.events = Set(stored_events(&events)),
            Err(e) => errors.push(e),
        }
    }
    if let Some(raw) = &req.description {
        match check_description(raw) {
            Ok(d) => changes.description = Set(d),
            Err(e) => errors.push(e),
        }
    }
    if let Some(enabled) = req.enabled {
        changes.enabled = Set(enabled);
    }
    if !errors.is_empty() {
        return Err(WebhookError::Fields(errors));
    }
    webhook_endpoint::Entity::update_many()
        .set(changes)
        .filter(webhook_endpoint::Column::Id.eq(current.id))
        .filter(webhook_endpoint::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    find(db, customer_id, id).await
}

/// Deletes an endpoint: it gets nothing more; waiting deliveries fail on their next attempt.
pub async fn delete(
    db: &impl ConnectionTrait,
    customer_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let res = webhook_endpoint::Entity::update_many()
        .set(webhook_endpoint::ActiveModel {
            deleted_at: Set(Some(now)),
            enabled: Set(false),
            updated_at: Set(now),
            ..Default::default()
        })
        .filter(webhook_endpoint::Column::Id.eq(id))
        .filter(webhook_endpoint::Column::CustomerId.eq(customer_id))
        .filter(webhook_endpoint::Column::DeletedAt.is_null())
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Err(WebhookError::NotFound(format!(
            "you have no webhook endpoint with id {id}"
        )));
    }
    Ok(())
}

/// The JSON body of an event: `{"type", "timestamp", "data"}` (the Standard Webhooks shape).
pub fn payload(event: WebhookEventType, data: serde_json::Value, now: DateTime<Utc>) -> String {
    serde_json::json!({
        "type": event.as_str(),
        "timestamp": rfc3339(now),
        "data": data,
    })
    .to_string()
}

fn msg_prefix() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// The outbox: queues `event` for every enabled endpoint of `customer_id` that subscribed to
/// it, in one `INSERT … SELECT` on `db` — call it with the transaction of the change the event
/// announces, so the event exists exactly when the change does. Returns how many deliveries
/// were queued.
pub async fn emit(
    db: &impl ConnectionTrait,
    customer_id: i64,
    event: WebhookEventType,
    data: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let insert = emit_statement(customer_id, event, data, now)?;
    let backend = db.get_database_backend();
    Ok(db.execute(backend.build(&insert)).await?.rows_affected())
}

/// The statement of [`emit`] (its plan is checked to use `ix_webhook_endpoints_customer`).
pub fn emit_statement(
    customer_id: i64,
    event: WebhookEventType,
    data: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<InsertStatement, DbErr> {
    use webhook_delivery::Column as D;
    use webhook_endpoint::Column as E;
    let body = payload(event, data, now);
    let select = Query::select()
        .expr(Expr::col(E::Id))
        .expr(Expr::col(E::CustomerId))
        .expr(Expr::val(format!("{}_", msg_prefix())).binary(
            BinOper::Custom("||"),
            Expr::col(E::Id).cast_as(Alias::new("TEXT")),
        ))
        .expr(Expr::val(event.as_str()))
        .expr(Expr::val(body))
        .expr(Expr::val(WebhookDeliveryStatus::Pending.as_str()))
        .expr(Expr::val(0))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .from(webhook_endpoint::Entity)
        .and_where(E::CustomerId.eq(customer_id))
        .and_where(E::Enabled.eq(true))
        .and_where(E::DeletedAt.is_null())
        .and_where(E::Events.like(format!("% {} %", event.as_str())))
        .to_owned();
    Ok(Query::insert()
        .into_table(webhook_delivery::Entity)
        .columns([
            D::EndpointId,
            D::CustomerId,
            D::MsgId,
            D::EventType,
            D::Payload,
            D::Status,
            D::Tries,
            D::NextAttemptAt,
            D::CreatedAt,
        ])
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned())
}

/// Queues a `ping` to one endpoint (whatever it subscribed to).
pub async fn ping(
    db: &impl ConnectionTrait,
    endpoint: &webhook_endpoint::Model,
    now: DateTime<Utc>,
) -> Result<webhook_delivery::Model, WebhookError> {
    let body = payload(
        WebhookEventType::Ping,
        serde_json::json!({ "endpoint_id": endpoint.id }),
        now,
    );
    Ok(webhook_delivery::ActiveModel {
        endpoint_id: Set(endpoint.id),
        customer_id: Set(endpoint.customer_id),
        msg_id: Set(format!("{}_{}", msg_prefix(), endpoint.id)),
        event_type: Set(WebhookEventType::Ping.as_str().to_owned()),
        payload: Set(body),
        status: Set(WebhookDeliveryStatus::Pending.as_str().to_owned()),
        tries: Set(0),
        next_attempt_at: Set(now),
        locked_by: Set(None),
        locked_until: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// The attempts of `deliveries`, oldest first.
pub async fn attempts_of(
    db: &impl ConnectionTrait,
    deliveries: &[webhook_delivery::Model],
) -> Result<Vec<webhook_attempt::Model>, DbErr> {
    if deliveries.is_empty() {
        return Ok(Vec::new());
    }
    webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(deliveries.iter().map(|d| d.id)))
        .order_by_asc(webhook_attempt::Column::Id)
        .all(db)
        .await
}

/// Queues a finished delivery again, with the same `webhook-id` and body and a fresh set of
/// attempts; a delivery still waiting or being sent is a conflict.
pub async fn resend(
    db: &impl ConnectionTrait,
    customer_id: i64,
    endpoint_id: i64,
    delivery_id: i64,
    now: DateTime<Utc>,
) -> Result<webhook_delivery::Model, WebhookError> {
    use webhook_delivery::Column as D;
    let not_found = || {
        WebhookError::NotFound(format!(
            "webhook endpoint {endpoint_id} has no delivery {delivery_id} of yours"
        ))
    };
    find(db, customer_id, endpoint_id).await?;
    let current = webhook_delivery::Entity::find_by_id(delivery_id)
        .filter(D::CustomerId.eq(customer_id))
        .filter(D::EndpointId.eq(endpoint_id))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let res = webhook_delivery::Entity::update_many()
        .set(webhook_delivery::ActiveModel {
            status: Set(WebhookDeliveryStatus::Pending.as_str().to_owned()),
            tries: Set(0),
            next_attempt_at: Set(now),
            locked_by: Set(None),
            locked_until: Set(None),
            finished_at: Set(None),
            ..Default::default()
        })
        .filter(D::Id.eq(current.id))
        .filter(D::Status.is_in([
            WebhookDeliveryStatus::Succeeded.as_str(),
            WebhookDeliveryStatus::Failed.as_str(),
        ]))
        .exec(db)
        .await?;
    if res.rows_affected != 1 {
        return Err(WebhookError::Conflict(
            "delivery_id",
            "already_queued",
            format!(
                "delivery {delivery_id} is still {}; it is sent without a re-send",
                current.status
            ),
        ));
    }
    webhook_delivery::Entity::find_by_id(current.id)
        .one(db)
        .await?
        .ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_are_checked_for_shape() {
        // (url, allow_private, Ok(port) or Err(code))
        let cases: &[(&str, bool, Result<u16, &str>)] = &[
            ("https://hooks.example.jp/certdirect", false, Ok(443)),
            ("https://hooks.example.jp:8443/x?y=1", false, Ok(8443)),
            ("http://127.0.0.1:9000/hook", true, Ok(9000)),
            ("http://hooks.example.jp/", false, Err("https_required")),
            ("ftp://hooks.example.jp/", true, Err("invalid")),
            ("", false, Err("required")),
            ("   ", false, Err("required")),
            ("hooks.example.jp/x", false, Err("invalid")),
            ("https://user:pw@hooks.example.jp/", false, Err("invalid")),
            ("https://hooks.example.jp/#frag", false, Err("invalid")),
        ];
        for (url, allow, want) in cases {
            let got = parse_url(url, *allow).map(|t| t.port).map_err(|e| {
                assert_eq!(e.field, "url");
                e.code
            });
            assert_eq!(
                got.as_ref().map_err(String::as_str),
                want.as_ref().map_err(|c| *c),
                "{url}"
            );
        }
        let long = format!("https://hooks.example.jp/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(parse_url(&long, false).unwrap_err().code, "too_long");
    }

    #[tokio::test]
    async fn private_addresses_are_refused_unless_allowed() {
        for url in [
            "https://10.0.0.1/hook",
            "https://192.168.1.20/hook",
            "https://127.0.0.1:8443/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest/meta-data",
        ] {
            let target = parse_url(url, false).unwrap();
            let err = resolve(&target, false).await.unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code.as_str()),
                ("url", "address_refused"),
                "{url}"
            );
            assert!(
                err.reason.contains("webhooks do not connect"),
                "{}",
                err.reason
            );
            assert!(resolve(&target, true).await.is_ok(), "{url} allowed");
        }
        let public = parse_url("https://8.8.8.8/hook", false).unwrap();
        assert_eq!(
            resolve(&public, false).await.unwrap(),
            vec!["8.8.8.8:443".parse().unwrap()]
        );
    }

    #[test]
    fn event_lists_are_checked() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_events(&s(&["invoice.paid", "certificate.issued", "invoice.paid"])).unwrap(),
            vec![
                WebhookEventType::InvoicePaid,
                WebhookEventType::CertificateIssued
            ]
        );
        assert_eq!(parse_events(&[]).unwrap_err().code, "required");
        assert_eq!(
            parse_events(&s(&["invoice.lost"])).unwrap_err().code,
            "unknown"
        );
        // `ping` is sent on request only, never subscribed to.
        assert_eq!(parse_events(&s(&["ping"])).unwrap_err().code, "unknown");
        let all: Vec<String> = WebhookEventType::SUBSCRIBABLE
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        assert_eq!(parse_events(&all).unwrap().len(), 9);
        assert_eq!(
            stored_events(&[WebhookEventType::InvoicePaid]),
            " invoice.paid "
        );
    }
}
