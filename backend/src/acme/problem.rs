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
}

macro_rules! kinds {
    ($($fn_name:ident => $kind:literal, $status:ident;)*) => {
        impl AcmeProblem {
            $(
                pub fn $fn_name(detail: impl Into<String>) -> Self {
                    Self { kind: $kind, status: StatusCode::$status, detail: detail.into(), extra: None }
                }
            )*
        }
    };
}

kinds! {
    malformed => "malformed", BAD_REQUEST;
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
    server_internal => "serverInternal", INTERNAL_SERVER_ERROR;
}

impl AcmeProblem {
    pub fn bad_signature_algorithm(detail: impl Into<String>) -> Self {
        Self {
            kind: "badSignatureAlgorithm",
            status: StatusCode::BAD_REQUEST,
            detail: detail.into(),
            extra: Some(json!({ "algorithms": super::jws::ALGORITHMS })),
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
        res
    }
}
