//! What can go wrong with an API call, decoded from `application/problem+json` (RFC 9457).

use std::fmt;

use shared::problem::{FieldError, Problem, PROBLEM_CONTENT_TYPE};

/// An API call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error status; its problem document (or one made up from the
    /// status when the body was not a problem document).
    Problem {
        problem: Problem,
        /// From the `Retry-After` header (seconds) of a 429 or 503.
        retry_after_secs: Option<u64>,
    },
    /// No answer: the network failed or the request could not be sent.
    Network(String),
    /// A success status whose body did not match the contract.
    Decode(String),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Problem { problem, .. } => {
                write!(f, "{} {}", problem.status, problem.title)?;
                if !problem.detail.is_empty() {
                    write!(f, ": {}", problem.detail)?;
                }
                Ok(())
            }
            ApiError::Network(why) => write!(f, "network error: {why}"),
            ApiError::Decode(why) => write!(f, "unexpected response: {why}"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.problem().map(|p| p.status)
    }

    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ApiError::Problem { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// Field errors of a refused request body (empty for other errors).
    pub fn field_errors(&self) -> &[FieldError] {
        self.problem().map_or(&[], |p| p.errors.as_slice())
    }

    /// Whether the problem `type` ends with `suffix` (e.g. `email-not-verified`), whatever prefix
    /// the server uses.
    pub fn kind_ends_with(&self, suffix: &str) -> bool {
        self.problem().is_some_and(|p| p.kind.ends_with(suffix))
    }

    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::Problem {
                retry_after_secs, ..
            } => *retry_after_secs,
            _ => None,
        }
    }
}

/// Builds the error for a non-success response from its parts (kept free of browser types so it
/// is tested on the host).
pub fn from_response(
    status: u16,
    content_type: Option<&str>,
    body: &str,
    retry_after: Option<&str>,
) -> ApiError {
    let is_json = content_type.is_some_and(|ct| {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        mime == PROBLEM_CONTENT_TYPE || mime == "application/json"
    });
    let parsed = if is_json {
        serde_json::from_str::<Problem>(body).ok()
    } else {
        None
    };
    let problem = parsed.unwrap_or_else(|| Problem {
        kind: "about:blank".to_owned(),
        title: reason_phrase(status).to_owned(),
        status,
        detail: String::new(),
        errors: Vec::new(),
    });
    ApiError::Problem {
        problem,
        retry_after_secs: retry_after.and_then(parse_retry_after),
    }
}

/// `Retry-After` as delay-seconds (the form the API sends). An HTTP date is not understood here
/// and gives `None`, which the portal words as "in a while".
pub fn parse_retry_after(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok()
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_problem_document_with_field_errors() {
        let body = r#"{"type":"urn:certdirect:problem:validation","title":"Invalid input","status":422,
            "detail":"1 field is invalid","errors":[{"field":"password","code":"too_short","reason":"must be at least 10 characters"}]}"#;
        let err = from_response(
            422,
            Some("application/problem+json; charset=utf-8"),
            body,
            None,
        );
        assert_eq!(err.status(), Some(422));
        assert_eq!(err.field_errors().len(), 1);
        assert_eq!(err.field_errors()[0].code, "too_short");
        assert!(err.kind_ends_with("validation"));
        assert_eq!(err.to_string(), "422 Invalid input: 1 field is invalid");
    }

    #[test]
    fn a_problem_without_errors_has_no_field_errors() {
        let body = r#"{"type":"urn:certdirect:problem:email-not-verified","title":"Email not verified","status":403,"detail":"verify first"}"#;
        let err = from_response(403, Some("application/problem+json"), body, None);
        assert!(err.field_errors().is_empty());
        assert!(err.kind_ends_with("email-not-verified"));
    }

    #[test]
    fn a_non_problem_body_still_gives_the_status() {
        let err = from_response(502, Some("text/html"), "<html>bad gateway</html>", None);
        assert_eq!(err.status(), Some(502));
        assert_eq!(err.problem().map(|p| p.title.as_str()), Some("Bad Gateway"));
        let err = from_response(500, Some("application/problem+json"), "not json", None);
        assert_eq!(err.status(), Some(500));
    }

    #[test]
    fn reads_retry_after_seconds() {
        let body = r#"{"type":"urn:certdirect:problem:rate-limited","title":"Too many","status":429,"detail":""}"#;
        let err = from_response(429, Some("application/problem+json"), body, Some(" 120 "));
        assert_eq!(err.retry_after_secs(), Some(120));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
        assert_eq!(ApiError::Network("offline".into()).retry_after_secs(), None);
    }

    #[test]
    fn is_a_std_error() {
        fn takes_error(_: &dyn std::error::Error) {}
        takes_error(&ApiError::Decode("x".into()));
    }
}
