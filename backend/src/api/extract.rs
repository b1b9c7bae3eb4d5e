//! Extractors that speak problem documents: JSON bodies and path parameters whose rejections
//! name the field, the authenticated principal (session cookie or Bearer token, with the CSRF
//! double-submit check for cookie writes), and the client address.

use std::net::IpAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::CookieJar;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::de::DeserializeOwned;
use shared::dto::Scope;

use crate::error::ApiError;
use crate::secrets::sha256_hex;
use crate::state::AppState;
use crate::store::entity::{api_token, customer, session};

pub const SESSION_COOKIE: &str = "certdirect_session";
pub const CSRF_COOKIE: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The largest JSON body the API reads.
const MAX_JSON_BYTES: usize = 64 * 1024;

/// A JSON body whose errors are problem documents naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json")
                    || mime.to_ascii_lowercase().ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "the request body must be JSON with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    body_too_large()
                } else {
                    ApiError::bad_request("malformed-body", format!("could not read the body: {e}"))
                }
            })?;
        if bytes.len() > MAX_JSON_BYTES {
            return Err(body_too_large());
        }
        parse_json(&bytes).map(ApiJson)
    }
}

pub(crate) fn body_too_large() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        format!("the JSON body must be at most {MAX_JSON_BYTES} bytes"),
    )
}

/// Deserialises `bytes`, turning serde's message into a field error where it names one.
///
/// A number with a zero fraction (`2071.0`) is an integer in JSON Schema, which the OpenAPI
/// document speaks, so it is read as one before the fields are.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request("malformed-body", format!("the body is not valid JSON: {e}"))
    })?;
    // serde reads a struct from an array too (fields by position); every API body is an object.
    if !value.is_object() {
        return Err(ApiError::field(
            "body",
            "invalid_type",
            "must be a JSON object",
        ));
    }
    integral_floats_to_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        // serde reports a missing field at the parent's path, naming the field in the message.
        if let Some(name) = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
        {
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            return ApiError::field(&field, "required", "is required");
        }
        let field = if path == "." { "body".to_owned() } else { path };
        let reason = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        ApiError::field(&field, "invalid_type", reason)
    })
}

/// Replaces every float without a fraction that an `i64` or `u64` holds exactly by that integer.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                // Below 2^53 every such float is exactly an integer.
                *value = if f < 0.0 {
                    Value::from(f as i64)
                } else {
                    Value::from(f as u64)
                };
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// Query parameters whose parse error is a 400 problem naming the parameter (R-ALL-1).
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                let field = if path == "." {
                    "query".to_owned()
                } else {
                    path
                };
                ApiError::field(&field, "invalid_parameter", message)
            })
    }
}

/// A path parameter whose parse error is a 404 problem (a bad id names no resource).
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|e| ApiError::not_found(format!("no such resource: {}", e.body_text())))
    }
}

/// The client's address, when known: the TCP peer, or, when the peer is one of
/// `CERTDIRECT_TRUSTED_PROXIES`, the right-most `X-Forwarded-For` entry that is not itself a
/// trusted proxy (R-CUS-4). Used for the per-address login limit and the audit log.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    pub fn to_audit(self) -> Option<String> {
        self.0.map(|ip| ip.to_string())
    }
}

/// The client behind `peer`, from the `X-Forwarded-For` values, trusting only `trusted` hops.
pub fn client_address(
    peer: IpAddr,
    forwarded_for: &[&str],
    trusted: &[crate::cidr::Cidr],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = crate::cidr::canonical(peer);
    if !is_trusted(peer) {
        return peer;
    }
    // Each proxy appends the address it received the request from, so the entries are read
    // from the right; the first one no trusted proxy could have written is the client. Anything
    // left of it was written by the client itself and proves nothing.
    let mut client = peer;
    let entries = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for entry in entries.into_iter().rev() {
        let Some(ip) = parse_forwarded_entry(entry) else {
            // Garbage from the hop after `client`: that hop is the last thing we know.
            return client;
        };
        client = crate::cidr::canonical(ip);
        if !is_trusted(client) {
            return client;
        }
    }
    client
}

/// `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_forwarded_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')
                .and_then(|e| e.strip_suffix(']'))
                .and_then(|e| e.parse().ok())
        })
}

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<crate::tls::PeerAddr>>()
            .map(|ConnectInfo(peer)| peer.0.ip())
        else {
            return Ok(ClientAddr(None));
        };
        let state = AppState::from_ref(state);
        let trusted = &state.config.trusted_proxies;
        if trusted.is_empty() {
            return Ok(ClientAddr(Some(crate::cidr::canonical(peer))));
        }
        let values: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddr(Some(client_address(peer, &values, trusted))))
    }
}

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    Session { session_id: i64 },
    Token { token_id: i64, scopes: Vec<Scope> },
}

/// An authenticated customer (or operator).
#[derive(Debug, Clone)]
pub struct Auth {
    pub customer: customer::Model,
    pub via: Via,
}

impl Auth {
    /// The actor name in the audit log.
    pub fn actor(&self) -> String {
        let id = self.customer.customer_id();
        if self.customer.is_operator() {
            format!("operator:{id}")
        } else {
            id.to_string()
        }
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl Auth {
    /// Whether this caller may see the EAB HMAC key: a portal session, or a token with the
    /// `acme` scope (R-CUS-4).
    pub fn may_see_eab_key(&self) -> bool {
        match &self.via {
            Via::Session { .. } => true,
            Via::Token { scopes, .. } => scopes.contains(&Scope::Acme),
        }
    }
}

/// The scopes a token needs for `method`: one of `read` or `write` for a read, `write` otherwise.
fn default_scopes(method: &Method) -> &'static [Scope] {
    if is_safe(method) {
        &[Scope::Read, Scope::Write]
    } else {
        &[Scope::Write]
    }
}

/// The caller, once a layer in front of the handler (the idempotency layer) has authenticated
/// the request; [`Auth`] takes it from the request's extensions instead of asking again.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Auth);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(Authenticated(auth)) = parts.extensions.get::<Authenticated>() {
            return Ok(auth.clone());
        }
        let accepted = default_scopes(&parts.method);
        authenticate(parts, state, accepted).await
    }
}

/// An authenticated caller of `GET /acme-application`: like [`Auth`], but a token with only the
/// `acme` scope is accepted too (that is what the scope is for).
pub struct AcmeReader(pub Auth);

impl FromRequestParts<AppState> for AcmeReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let accepted: &[Scope] = if is_safe(&parts.method) {
            &[Scope::Read, Scope::Write, Scope::Acme]
        } else {
            &[Scope::Write]
        };
        authenticate(parts, state, accepted).await.map(AcmeReader)
    }
}

/// The session or token of the request; a token must hold one of `accepted`.
async fn authenticate(
    parts: &mut Parts,
    state: &AppState,
    accepted: &[Scope],
) -> Result<Auth, ApiError> {
    let now = state.now();
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be `Bearer <API token>`")
            })?;
        let row = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(sha256_hex(token)))
            .filter(api_token::Column::RevokedAt.is_null())
            .one(&state.db)
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized("the API token is unknown or has been revoked")
            })?;
        let scopes = row.scopes();
        if !accepted.iter().any(|s| scopes.contains(s)) {
            let needed = accepted.first().copied().unwrap_or(Scope::Write);
            return Err(ApiError::forbidden(
                "insufficient-scope",
                format!(
                    "this API token lacks the {:?} scope this request needs",
                    needed.as_str()
                ),
            ));
        }
        api_token::Entity::update_many()
            .set(api_token::ActiveModel {
                last_used_at: Set(Some(now)),
                ..Default::default()
            })
            .filter(api_token::Column::Id.eq(row.id))
            .exec(&state.db)
            .await?;
        let customer = load_customer(state, row.customer_id).await?;
        return Ok(Auth {
            customer,
            via: Via::Token {
                token_id: row.id,
                scopes,
            },
        });
    }

    let jar = CookieJar::from_headers(&parts.headers);
    let token = jar
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or_else(|| {
            ApiError::unauthorized("log in first (no session cookie and no Bearer token)")
        })?;
    let row = session::Entity::find()
        .filter(session::Column::TokenHash.eq(sha256_hex(&token)))
        .filter(session::Column::ExpiresAt.gt(now))
        .one(&state.db)
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized("the session has expired or was ended; log in again")
        })?;
    if !is_safe(&parts.method) {
        check_csrf(&parts.headers, &jar, &row.csrf_hash)?;
    }
    let customer = load_customer(state, row.customer_id).await?;
    Ok(Auth {
        customer,
        via: Via::Session { session_id: row.id },
    })
}

/// The double-submit check of a cookie-authenticated write (SPEC.md §4): the `X-CSRF-Token`
/// header equals the `csrf_token` cookie, and both are the session's.
pub fn check_csrf(
    headers: &axum::http::HeaderMap,
    jar: &CookieJar,
    csrf_hash: &str,
) -> Result<(), ApiError> {
    let header = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let cookie = jar.get(CSRF_COOKIE).map(|c| c.value()).unwrap_or("");
    if header.is_empty() {
        return Err(ApiError::forbidden(
            "csrf",
            "the X-CSRF-Token header is missing; send the value of the csrf_token cookie",
        ));
    }
    if header != cookie || sha256_hex(header) != csrf_hash {
        return Err(ApiError::forbidden(
            "csrf",
            "the X-CSRF-Token header does not match this session's csrf_token cookie",
        ));
    }
    Ok(())
}

async fn load_customer(state: &AppState, id: i64) -> Result<customer::Model, ApiError> {
    customer::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the account no longer exists"))
}

/// An authenticated operator: the role is checked, and a token needs the `operator` scope.
pub struct OperatorAuth(pub Auth);

impl FromRequestParts<AppState> for OperatorAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let auth = Auth::from_request_parts(parts, state).await?;
        if !auth.customer.is_operator() {
            return Err(ApiError::forbidden(
                "forbidden",
                "this endpoint is for CertDirect operators only",
            ));
        }
        if let Via::Token { scopes, .. } = &auth.via {
            if !scopes.contains(&Scope::Operator) {
                return Err(ApiError::forbidden(
                    "insufficient-scope",
                    "this API token lacks the \"operator\" scope this request needs",
                ));
            }
        }
        Ok(OperatorAuth(auth))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cidr::Cidr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let trusted: Vec<Cidr> = vec!["127.0.0.1".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
        let table: [(&str, &[&str], &str); 9] = [
            // An untrusted peer is the client, whatever it claims.
            ("198.51.100.9", &["203.0.113.1"], "198.51.100.9"),
            // A trusted peer without the header is the client.
            ("127.0.0.1", &[], "127.0.0.1"),
            ("127.0.0.1", &["203.0.113.1"], "203.0.113.1"),
            // The right-most untrusted entry wins; a spoofed left part is ignored.
            (
                "127.0.0.1",
                &["6.6.6.6, 203.0.113.1, 10.1.1.1"],
                "203.0.113.1",
            ),
            ("127.0.0.1", &["6.6.6.6", "203.0.113.1"], "203.0.113.1"),
            // Every hop trusted: the left-most one.
            ("127.0.0.1", &["10.2.2.2, 10.1.1.1"], "10.2.2.2"),
            // Garbage stops the walk at the last hop we believe.
            (
                "127.0.0.1",
                &["203.0.113.1, nonsense, 10.1.1.1"],
                "10.1.1.1",
            ),
            ("127.0.0.1", &["[2001:db8::7]:443"], "2001:db8::7"),
            ("::ffff:127.0.0.1", &["203.0.113.1:5000"], "203.0.113.1"),
        ];
        for (peer, xff, want) in table {
            assert_eq!(
                client_address(ip(peer), xff, &trusted),
                ip(want),
                "{peer} {xff:?}"
            );
        }
    }
}
