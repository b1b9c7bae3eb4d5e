//! `Idempotency-Key` (issue 13, SPEC.md §4; IETF httpapi draft "The Idempotency-Key HTTP Header
//! Field") for the creating POSTs. One mechanism, applied in the route table with [`idempotent`]:
//! the layer authenticates the caller, reads the body once, claims the key in the database and
//! only then runs the handler with the same bytes; the handler's answer is stored in the claim
//! row and replayed to retries.
//!
//! - Scope: customer + method + path + key. The claim is an INSERT against a unique index, so
//!   concurrent requests in one or several server processes agree on a single winner.
//! - Same key, same body, answered → the stored status, `Content-Type`, `Location` and body, with
//!   `Idempotent-Replayed: true`. Same key, other body → 422 `idempotency-key-reused`. Same key
//!   while the first request runs → 409 `idempotency-key-in-flight` with `Retry-After: 1`.
//! - A 5xx, 401, 403, 408 or 429 answer releases the key (the client may retry); other 2xx and
//!   4xx answers are kept (docs/decisions.md).
//! - Keys expire [`KEY_LIFETIME_HOURS`] after first use, by the server's clock; housekeeping
//!   deletes them and an expired key is new.
//! - The body fingerprint is HMAC-SHA256 under a key derived from the server's secret box (a
//!   card payment body must not be guessable from a database dump), and stored response bodies
//!   are sealed (they may hold an API token or an EAB HMAC key).
//!
//! Without the header nothing changes: the request goes straight to the handler.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{HeaderBuilder, Ref, RefOr, Required, Response as DocResponse};
use utoipa_axum::router::{UtoipaMethodRouter, UtoipaMethodRouterExt};

use super::doc::PROBLEM_RESPONSE;
use super::extract::{Auth, Authenticated};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::entity::idempotency_key;

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// The response header of a replay.
pub const IDEMPOTENT_REPLAYED: &str = "Idempotent-Replayed";
/// How long a key is remembered after its first use.
pub const KEY_LIFETIME_HOURS: i64 = 24;
/// The longest key.
pub const MAX_KEY_LEN: usize = 255;
/// What a key may look like: printable ASCII, no space at either end (an HTTP field value
/// cannot carry one there).
pub const KEY_PATTERN: &str = r"^[!-~]([ -~]{0,253}[!-~])?$";

/// Where the response body is sealed: the secret box binds the ciphertext to this context.
const SEAL_CONTEXT: &str = "idempotency-response-v1";
/// The label of the fingerprint key derived from the secret box.
const FINGERPRINT_LABEL: &str = "idempotency-fingerprint-v1";

/// Applies the idempotency layer to the POST of `routes` and declares it in their operations:
/// the optional `Idempotency-Key` header, the 409 and 422 problems, and `Idempotent-Replayed`
/// on the success responses. Other methods of the same path pass through untouched.
pub fn idempotent(
    state: AppState,
    routes: UtoipaMethodRouter<AppState>,
) -> UtoipaMethodRouter<AppState> {
    let (schemas, mut paths, router) =
        routes.layer(axum::middleware::from_fn_with_state(state, layer));
    for item in paths.paths.values_mut() {
        if let Some(op) = item.post.as_mut() {
            document(op);
        }
    }
    (schemas, paths, router)
}

/// Whether `value` is a valid key: 1 to 255 printable ASCII characters.
pub fn valid_key(value: &[u8]) -> bool {
    (1..=MAX_KEY_LEN).contains(&value.len())
        && value.iter().all(|b| (0x20..=0x7e).contains(b))
        && value.first() != Some(&b' ')
        && value.last() != Some(&b' ')
}

fn malformed_key(reason: &str) -> ApiError {
    ApiError::field(IDEMPOTENCY_KEY, "invalid_header", reason)
}

/// The key of the request, if it carries one.
fn key_of(req: &Request) -> Result<Option<String>, ApiError> {
    let mut values = req.headers().get_all(IDEMPOTENCY_KEY).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(malformed_key("must be sent once"));
    }
    if !valid_key(first.as_bytes()) {
        return Err(malformed_key("must be 1 to 255 printable ASCII characters"));
    }
    Ok(Some(String::from_utf8_lossy(first.as_bytes()).into_owned()))
}

async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !req.headers().contains_key(IDEMPOTENCY_KEY) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    // Who the caller is decides the scope; a caller the handler would refuse gets the
    // handler's own answer.
    let auth = match Auth::from_request_parts(&mut parts, &state).await {
        Ok(auth) => auth,
        Err(_) => return next.run(Request::from_parts(parts, body)).await,
    };
    let req = Request::from_parts(parts, body);
    let key = match key_of(&req) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(req).await,
        Err(e) => return e.into_response(),
    };
    let (mut parts, body) = req.into_parts();
    let bytes = match Bytes::from_request(Request::new(body), &()).await {
        Ok(bytes) => bytes,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return super::extract::body_too_large().into_response()
        }
        Err(e) => {
            return ApiError::bad_request("malformed-body", format!("could not read the body: {e}"))
                .into_response()
        }
    };
    let scope = Scope {
        customer_id: auth.customer.id,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        key,
        fingerprint: fingerprint(&state, &bytes),
    };
    parts.extensions.insert(Authenticated(auth));
    let req = Request::from_parts(parts, Body::from(bytes));
    match claim(&state, &scope).await {
        Ok(Claim::Won(id)) => run_and_store(state, id, req, next).await,
        Ok(Claim::Replay(row)) => replay(&state, &row),
        Err(e) => e.into_response(),
    }
}

struct Scope {
    customer_id: i64,
    method: String,
    path: String,
    key: String,
    fingerprint: String,
}

enum Claim {
    /// This request holds the key (the claim row's id).
    Won(i64),
    /// An answered request with the same key and body.
    Replay(Box<idempotency_key::Model>),
}

fn fingerprint(state: &AppState, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        &state.secrets.derive_key(FINGERPRINT_LABEL),
    );
    hex::encode(ring::hmac::sign(&key, body).as_ref())
}

/// Claims the key, or says why not. An expired claim is deleted first, so it is new.
async fn claim(state: &AppState, scope: &Scope) -> Result<Claim, ApiError> {
    use idempotency_key::Column as C;
    let now = state.now();
    let same_scope = |q: sea_orm::DeleteMany<idempotency_key::Entity>| {
        q.filter(C::CustomerId.eq(scope.customer_id))
            .filter(C::Method.eq(&scope.method))
            .filter(C::Path.eq(&scope.path))
            .filter(C::IdemKey.eq(&scope.key))
    };
    // A released or expired row can vanish between the insert and the read: try again.
    for _ in 0..3 {
        same_scope(idempotency_key::Entity::delete_many())
            .filter(C::ExpiresAt.lte(now))
            .exec(&state.db)
            .await?;
        let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
            customer_id: Set(scope.customer_id),
            method: Set(scope.method.clone()),
            path: Set(scope.path.clone()),
            idem_key: Set(scope.key.clone()),
            fingerprint: Set(scope.fingerprint.clone()),
            created_at: Set(now),
            expires_at: Set(now + Duration::hours(KEY_LIFETIME_HOURS)),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([C::CustomerId, C::Method, C::Path, C::IdemKey])
                .do_nothing()
                .to_owned(),
        )
        .exec(&state.db)
        .await;
        match inserted {
            Ok(res) => return Ok(Claim::Won(res.last_insert_id)),
            Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(row) = idempotency_key::Entity::find()
            .filter(C::CustomerId.eq(scope.customer_id))
            .filter(C::Method.eq(&scope.method))
            .filter(C::Path.eq(&scope.path))
            .filter(C::IdemKey.eq(&scope.key))
            .filter(C::ExpiresAt.gt(now))
            .one(&state.db)
            .await?
        else {
            continue;
        };
        if row.fingerprint != scope.fingerprint {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                format!(
                    "this {IDEMPOTENCY_KEY} was already used for a request with another body; \
                     send a new {IDEMPOTENCY_KEY} for a new request"
                ),
            ));
        }
        if row.response_status.is_none() {
            return Err(ApiError {
                retry_after: Some(1),
                ..ApiError::new(
                    StatusCode::CONFLICT,
                    "idempotency-key-in-flight",
                    format!(
                        "a request with this {IDEMPOTENCY_KEY} is still being processed; \
                         retry it once that one has finished"
                    ),
                )
            });
        }
        return Ok(Claim::Replay(Box::new(row)));
    }
    Err(ApiError {
        retry_after: Some(1),
        ..ApiError::new(
            StatusCode::CONFLICT,
            "idempotency-key-in-flight",
            format!("the {IDEMPOTENCY_KEY} could not be claimed; retry the request"),
        )
    })
}

/// Runs the handler on its own task, so that a client that hangs up does not leave the claim
/// half-done, and stores (or, after a 5xx, releases) the claim.
async fn run_and_store(state: AppState, id: i64, req: Request, next: Next) -> Response {
    let task_state = state.clone();
    let task = tokio::spawn(async move {
        let res = next.run(req).await;
        store(&task_state, id, res).await
    });
    match task.await {
        Ok(res) => res,
        Err(e) => {
            release(&state, id).await;
            ApiError::internal(format!("the handler of an idempotent request failed: {e}"))
                .into_response()
        }
    }
}

async fn release(state: &AppState, id: i64) {
    if let Err(e) = idempotency_key::Entity::delete_by_id(id)
        .exec(&state.db)
        .await
    {
        tracing::warn!(error = %e, id, "releasing an idempotency key failed; it expires on its own");
    }
}

/// Whether an answer is about this attempt rather than the request: a failure of ours (5xx), a
/// caller who may not do this (401, 403) or a "not now" (408, 429). Such answers release the key
/// instead of being replayed.
fn releases_the_key(status: StatusCode) -> bool {
    status.is_server_error()
        || matches!(
            status,
            StatusCode::UNAUTHORIZED
                | StatusCode::FORBIDDEN
                | StatusCode::REQUEST_TIMEOUT
                | StatusCode::TOO_MANY_REQUESTS
        )
}

async fn store(state: &AppState, id: i64, res: Response) -> Response {
    if releases_the_key(res.status()) {
        release(state, id).await;
        return res;
    }
    let (parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            release(state, id).await;
            return ApiError::internal(format!("reading a response to store it: {e}"))
                .into_response();
        }
    };
    let text_header = |name: HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (nonce, sealed) = state.secrets.seal(&bytes, SEAL_CONTEXT);
    let update = idempotency_key::ActiveModel {
        id: Set(id),
        response_status: Set(Some(i32::from(parts.status.as_u16()))),
        content_type: Set(text_header(header::CONTENT_TYPE)),
        location: Set(text_header(header::LOCATION)),
        body_nonce: Set(Some(nonce)),
        body: Set(Some(sealed)),
        ..Default::default()
    }
    .update(&state.db)
    .await;
    if let Err(e) = update {
        // The change is made; a retry keeps getting 409 until the key expires rather than
        // making it twice.
        tracing::error!(error = %e, id, "storing an idempotent response failed");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(state: &AppState, row: &idempotency_key::Model) -> Response {
    let body = match (&row.body_nonce, &row.body) {
        (Some(nonce), Some(body)) => state.secrets.open(nonce, body, SEAL_CONTEXT),
        _ => Ok(Vec::new()),
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            return ApiError::internal(format!("opening a stored idempotent response: {e:#}"))
                .into_response()
        }
    };
    let status = row
        .response_status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = (status, body).into_response();
    let headers = res.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    for (name, value) in [
        (header::CONTENT_TYPE, &row.content_type),
        (header::LOCATION, &row.location),
    ] {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(name, value);
        }
    }
    headers.insert(
        HeaderName::from_static("idempotent-replayed"),
        HeaderValue::from_static("true"),
    );
    res
}

/// Declares the mechanism in one operation of the OpenAPI document.
fn document(op: &mut Operation) {
    let key_schema = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_KEY_LEN))
        .pattern(Some(KEY_PATTERN))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(
        ParameterBuilder::new()
            .name(IDEMPOTENCY_KEY)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(format!(
                "A client-chosen key (1 to {MAX_KEY_LEN} printable ASCII characters, e.g. a \
                 UUID) that makes retrying this request safe: for {KEY_LIFETIME_HOURS} hours, \
                 the same key with the same body returns the first answer again (with \
                 `{IDEMPOTENT_REPLAYED}: true`) instead of acting twice. Scoped to the caller, \
                 the method and the path. Optional."
            )))
            .schema(Some(key_schema))
            .build(),
    );
    let responses = &mut op.responses.responses;
    for (status, response) in responses.iter_mut() {
        if let (true, RefOr::T(response)) = (status.starts_with('2'), response) {
            response.headers.insert(
                IDEMPOTENT_REPLAYED.to_owned(),
                HeaderBuilder::new()
                    .schema(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .enum_values(Some(["true"])),
                    )
                    .description(Some(format!(
                        "`true` when this is the stored answer to an earlier request with the \
                         same `{IDEMPOTENCY_KEY}` and body"
                    )))
                    .build(),
            );
        }
    }
    const IN_FLIGHT: &str = "a request with the same `Idempotency-Key` is still being processed \
        (`idempotency-key-in-flight`, `Retry-After: 1`)";
    match responses.get_mut("409") {
        Some(RefOr::T(response)) => append(response, IN_FLIGHT),
        Some(RefOr::Ref(reference)) => {
            reference.description = format!("{}; or {IN_FLIGHT}", reference.description);
        }
        None => {
            responses.insert("409".to_owned(), problem(IN_FLIGHT));
        }
    }
    responses.insert(
        "422".to_owned(),
        problem(
            "the `Idempotency-Key` was already used with another request body \
             (`idempotency-key-reused`)",
        ),
    );
}

fn append(response: &mut DocResponse, text: &str) {
    response.description = format!("{}; or {text}", response.description);
}

fn problem(description: &str) -> RefOr<DocResponse> {
    let mut reference = Ref::from_response_name(PROBLEM_RESPONSE);
    reference.description = description.to_owned();
    RefOr::Ref(reference)
}
