//! ACME problem documents (RFC 8555 §6.7): `urn:ietf:params:acme:error:<kind>` with a detail a
//! person can act on.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub const ACME_ERROR_PREFIX: &str = "urn:ietf:params:acme:error:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcmeProblem {
    pub kind: &'static str,
    pub status: StatusCode,
    pub detail: String,
    /// Extra members, e.g. `algorithms` for badSignatureAlgorithm, `subproblems`.
    pub extra: Option<Value>,
    /// Seconds for `Retry-After` (rateLimited).
    pub retry_after: Option<u64>,
}

macro_rules! kinds {
    ($($fn_name:ident => $kind:literal, $status:ident;)*) => {
        impl AcmeProblem {
            $(
                pub fn $fn_name(detail: impl Into<String>) -> Self {
                    Self { kind: $kind, status: StatusCode::$status, detail: detail.into(), extra: None, retry_after: None }
                }
            )*
        }
    };
}

// Every ACME problem type this server sends has exactly one constructor here (RFC 8555 §6.7).
kinds! {
    malformed => "malformed", BAD_REQUEST;
    bad_csr => "badCSR", BAD_REQUEST;
    bad_revocation_reason => "badRevocationReason", BAD_REQUEST;
    already_revoked => "alreadyRevoked", BAD_REQUEST;
    rejected_identifier => "rejectedIdentifier", BAD_REQUEST;
    unsupported_identifier => "unsupportedIdentifier", BAD_REQUEST;
    order_not_ready => "orderNotReady", FORBIDDEN;
    rate_limited_kind => "rateLimited", TOO_MANY_REQUESTS;
    bad_nonce => "badNonce", BAD_REQUEST;
    bad_public_key => "badPublicKey", BAD_REQUEST;
    unauthorized => "unauthorized", FORBIDDEN;
    account_does_not_exist => "accountDoesNotExist", BAD_REQUEST;
    external_account_required => "externalAccountRequired", BAD_REQUEST;
    invalid_contact => "invalidContact", BAD_REQUEST;
    unsupported_contact => "unsupportedContact", BAD_REQUEST;
    user_action_required => "userActionRequired", FORBIDDEN;
    conflict => "conflict", CONFLICT;
    not_found => "malformed", NOT_FOUND;
    caa => "caa", FORBIDDEN;
    already_replaced => "alreadyReplaced", CONFLICT;
    invalid_profile => "invalidProfile", BAD_REQUEST;
    server_internal => "serverInternal", INTERNAL_SERVER_ERROR;
}

impl AcmeProblem {
    pub fn bad_signature_algorithm(detail: impl Into<String>) -> Self {
        Self {
            kind: "badSignatureAlgorithm",
            status: StatusCode::BAD_REQUEST,
            detail: detail.into(),
            extra: Some(json!({ "algorithms": crate::jose::ALGORITHMS })),
            retry_after: None,
        }
    }

    /// 415 for a body that is not `application/jose+json` (RFC 8555 §6.2).
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ..Self::malformed(detail)
        }
    }

    /// A failure of ours: logged, sent without its cause.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "ACME internal error");
        Self::server_internal("the server could not complete the request; please retry later")
    }

    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "type": format!("{ACME_ERROR_PREFIX}{}", self.kind),
            "detail": self.detail,
            "status": self.status.as_u16(),
        });
        if let (Some(Value::Object(extra)), Some(obj)) = (&self.extra, body.as_object_mut()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        body
    }
}

impl std::fmt::Display for AcmeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.detail)
    }
}

impl From<crate::jose::JoseError> for AcmeProblem {
    fn from(e: crate::jose::JoseError) -> Self {
        use crate::jose::JoseError;
        match e {
            JoseError::Malformed(d) | JoseError::BadSignature(d) => AcmeProblem::malformed(d),
            JoseError::BadPublicKey(d) => AcmeProblem::bad_public_key(d),
            JoseError::BadSignatureAlgorithm(d) => AcmeProblem::bad_signature_algorithm(d),
        }
    }
}

impl AcmeProblem {
    /// `rateLimited` with the seconds until the limit's window ends, sent as `Retry-After`
    /// (R-ACME-10).
    pub fn rate_limited(exceeded: &crate::ratelimit::Exceeded) -> Self {
        AcmeProblem {
            retry_after: u64::try_from(exceeded.retry_after_secs).ok(),
            ..Self::rate_limited_kind(exceeded.detail())
        }
    }

    /// `rejectedIdentifier` for several identifiers, each as a subproblem (RFC 8555 §6.7.1).
    pub fn rejected_identifiers(refused: Vec<(String, AcmeProblem)>) -> Self {
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
            extra: Some(json!({ "subproblems": subproblems })),
            ..AcmeProblem::rejected_identifier(format!(
                "{} identifier(s) refused: {detail}",
                refused.len()
            ))
        }
    }
}

/// The ACME edge of the domain layer's errors: each kind has its problem type.
impl From<crate::orders::OrderError> for AcmeProblem {
    fn from(e: crate::orders::OrderError) -> Self {
        use crate::orders::OrderError;
        match e {
            OrderError::Rejected(refused) => AcmeProblem::rejected_identifiers(
                refused
                    .into_iter()
                    .map(|r| (r.name, AcmeProblem::rejected_identifier(r.detail)))
                    .collect(),
            ),
            OrderError::NotFound(d) => AcmeProblem::not_found(d),
            OrderError::NotReady(d) => AcmeProblem::order_not_ready(d),
            OrderError::BadCsr(d) => AcmeProblem::bad_csr(d),
            OrderError::NotAllowed(d) => AcmeProblem::malformed(d),
            OrderError::Caa(d) => AcmeProblem::caa(d),
            OrderError::AlreadyReplaced(d) => AcmeProblem::already_replaced(d),
            OrderError::InvalidProfile(d) => AcmeProblem::invalid_profile(d),
            OrderError::RateLimited(e) => AcmeProblem::rate_limited(&e),
            OrderError::Db(e) => AcmeProblem::internal(format!("database: {e}")),
            OrderError::Internal(e) => AcmeProblem::internal(e),
        }
    }
}

impl From<sea_orm::DbErr> for AcmeProblem {
    fn from(e: sea_orm::DbErr) -> Self {
        AcmeProblem::internal(format!("database: {e}"))
    }
}

impl From<sea_orm::TransactionError<AcmeProblem>> for AcmeProblem {
    fn from(e: sea_orm::TransactionError<AcmeProblem>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(p) => p,
        }
    }
}

impl IntoResponse for AcmeProblem {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.to_json().to_string()).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(shared::problem::PROBLEM_CONTENT_TYPE),
        );
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
