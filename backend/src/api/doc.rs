//! The reusable parts of the OpenAPI document: the one `Problem` response component (RFC 9457,
//! `application/problem+json`), the error sets each kind of operation can answer, and the
//! `X-CSRF-Token` header of cookie-authenticated writes. Handler annotations name these instead
//! of spelling every error out, so every operation lists every status it can return with the
//! same media type and schema (SPEC.md §4).
//!
//! Which set an operation takes follows from its extractors (`extract.rs`):
//! - `ApiJson<T>` → [`JsonBody`] (400, 413, 415);
//! - `Auth` on a GET → [`ReadAuth`], on any other method → [`WriteAuth`] (401, 403);
//! - `OperatorAuth` → [`OperatorOnly`] (401, 403);
//! - `ApiPath<T>` → [`NotFound`] (404: an id that does not parse names no resource either);
//! - `Page` → [`BadPage`] (400 for `limit`, `cursor` or a list's filter read with `ApiQuery`).
//!
//! Anything else an operation can answer (402, 409, 429, …) is listed in its own annotation with
//! [`PROBLEM_JSON`] and `shared::Problem`.

use std::collections::BTreeMap;

use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, ToResponse};

/// The media type of every error, for `content_type = PROBLEM_JSON` in annotations.
pub const PROBLEM_JSON: &str = shared::problem::PROBLEM_CONTENT_TYPE;

/// The name of the response component every error set refers to.
pub const PROBLEM_RESPONSE: &str = "Problem";

/// `#/components/responses/Problem`: an RFC 9457 problem document.
pub struct ProblemResponse;

impl<'r> ToResponse<'r> for ProblemResponse {
    fn response() -> (&'r str, RefOr<Response>) {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build();
        (
            PROBLEM_RESPONSE,
            ResponseBuilder::new()
                .description(
                    "An RFC 9457 problem document. `type` is `urn:certdirect:problem:<kind>`; \
                     field errors name each refused field in `errors[{field, code, reason}]`.",
                )
                .content(PROBLEM_JSON, content)
                .build()
                .into(),
        )
    }
}

/// A reference to the `Problem` response with the meaning of `status` for this operation.
fn problem(description: &str) -> RefOr<Response> {
    let mut reference = Ref::from_response_name(PROBLEM_RESPONSE);
    reference.description = description.to_owned();
    RefOr::Ref(reference)
}

/// Declares an error set: a unit type whose [`IntoResponses`] lists problem responses.
macro_rules! problem_set {
    ($(#[$meta:meta])* $name:ident { $($status:literal => $description:expr),+ $(,)? }) => {
        $(#[$meta])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([$(($status.to_string(), problem($description))),+])
            }
        }
    };
}

const UNAUTHORIZED: &str = "no session cookie and no Bearer token, or the session has expired \
     or the API token is unknown or revoked";

problem_set!(
    /// What reading a JSON body can answer (`ApiJson`).
    JsonBody {
        "400" => "the body is not valid JSON, or fields are missing or wrong: `errors` names \
                  every refused field with a code and a reason (R-ALL-1)",
        "413" => "the body is over 64 KiB",
        "415" => "the body is not sent as `Content-Type: application/json`",
    }
);

problem_set!(
    /// A customer read: the session cookie, or a token with `read` (or `write`).
    ReadAuth {
        "401" => UNAUTHORIZED,
        "403" => "the API token has neither the `read` nor the `write` scope",
    }
);

problem_set!(
    /// A customer write: the session cookie with `X-CSRF-Token`, or a token with `write`.
    WriteAuth {
        "401" => UNAUTHORIZED,
        "403" => "the X-CSRF-Token header is missing or does not match the csrf_token cookie \
                  (session), or the API token lacks the `write` scope",
    }
);

problem_set!(
    /// A session-only operation (API tokens are managed in the portal, R-CUS-3).
    SessionWrite {
        "401" => UNAUTHORIZED,
        "403" => "the request came with an API token (tokens are created in the portal, \
                  R-CUS-3), or the X-CSRF-Token header is missing or does not match the \
                  csrf_token cookie",
    }
);

problem_set!(
    /// An operator endpoint: the role, and for tokens the `operator` scope.
    OperatorOnly {
        "401" => UNAUTHORIZED,
        "403" => "the caller is not an operator, the API token lacks the `operator` scope, or \
                  (session writes) the X-CSRF-Token header is missing or wrong",
    }
);

problem_set!(
    /// A path parameter that names nothing the caller may see (R-CUS-2: never a hint that it
    /// exists for someone else); an id that does not parse is the same 404.
    NotFound {
        "404" => "no such resource for this customer",
    }
);

problem_set!(
    /// Keyset paging parameters (`Page`) and the list's filters.
    BadPage {
        "400" => "`limit` is not a whole number from 1 to 500, `cursor` is not one this \
                  server handed out, or a filter has a value the list does not know; \
                  `errors` names the parameter",
    }
);

/// The double-submit header of cookie-authenticated writes (SPEC.md §4). Bearer requests need
/// none; the server ignores it for them.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct CsrfHeader {
    /// The value of the `csrf_token` cookie; required when authenticating with the session
    /// cookie, ignored with a Bearer token.
    #[param(rename = "X-CSRF-Token", value_type = String, required = false)]
    x_csrf_token: Option<String>,
}

problem_set!(
    /// Query parameters read with `ApiQuery`.
    BadQuery {
        "400" => "a query parameter has the wrong type or value; `errors` names it",
    }
);

/// `{number}`: an invoice number.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct InvoiceNumber {
    /// The invoice number, `BILL` and digits (e.g. `BILL00000042`).
    #[param(pattern = r"^BILL\d+$", example = "BILL00000042")]
    number: String,
}

/// `{serial}`: a certificate serial number.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct SerialPath {
    /// The serial number in hex (any case).
    #[param(pattern = r"^[0-9A-Fa-f]+$", example = "4f1a0c9e2b7d")]
    serial: String,
}

/// Removes `default` from every required property of the document's schemas. The request DTOs
/// read missing fields as empty (`#[serde(default)]`) so that a missing field is reported like
/// any other field error, and utoipa writes that empty value as the property's `default` — for
/// an enum-typed field an empty string that is not one of its values. A default means nothing
/// for a property that must be sent, and generated clients refuse the invalid ones.
pub fn drop_required_defaults(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::Object(object)) = schema else {
            continue;
        };
        for name in &object.required {
            match object.properties.get_mut(name) {
                Some(RefOr::T(Schema::Object(p))) => p.default = None,
                Some(RefOr::T(Schema::OneOf(p))) => p.default = None,
                Some(RefOr::T(Schema::AllOf(p))) => p.default = None,
                Some(RefOr::T(Schema::AnyOf(p))) => p.default = None,
                Some(RefOr::T(Schema::Array(p))) => p.default = None,
                _ => {}
            }
        }
    }
}
