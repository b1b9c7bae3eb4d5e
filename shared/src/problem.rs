//! Problem documents (RFC 9457) as the REST API sends them and the portal reads them.

use serde::{Deserialize, Serialize};

/// The media type every API error is sent with.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Prefix of the `type` URI of every CertDirect REST problem.
pub const PROBLEM_TYPE_PREFIX: &str = "urn:certdirect:problem:";

/// One input that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The request field, as named in the request body (`email`, `password`, …).
    pub field: String,
    /// A stable machine-readable code the portal translates (`required`, `too_short`, …).
    pub code: String,
    /// The reason in plain English.
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            code: code.to_owned(),
            reason: reason.into(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// `urn:certdirect:problem:<kind>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field errors, present when the request body had bad fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    /// The short kind after the prefix, e.g. `validation`.
    pub fn short_kind(&self) -> &str {
        self.kind
            .strip_prefix(PROBLEM_TYPE_PREFIX)
            .unwrap_or(&self.kind)
    }

    /// The first error reported for `field`, if any.
    pub fn field_error(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }
}
