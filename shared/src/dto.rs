//! Request and response bodies of the REST API v1 (SPEC.md §4).

use serde::{Deserialize, Serialize};

/// Languages of the portal and of the emails. Japanese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Ja,
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Ja => "ja",
            Locale::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ja" => Some(Locale::Ja),
            "en" => Some(Locale::En),
            _ => None,
        }
    }
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SignupRequest {
    pub name: String,
    pub email: String,
    pub password: String,
    pub billing_email: String,
    /// Language of the emails; Japanese when absent.
    #[serde(default)]
    pub locale: Option<Locale>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupResponse {
    /// The new customer ID, e.g. `C00000123`.
    pub id: String,
    pub email: String,
    /// Always true: a verification link has been sent to `email`.
    pub verification_sent: bool,
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TokenRequest {
    pub token: String,
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PasswordResetRequest {
    pub email: String,
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PasswordResetConfirm {
    pub token: String,
    pub password: String,
}

/// Who is logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Operator,
}

/// Where the customer stands with the ACME usage application (ACME利用申請).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AcmeApplicationState {
    /// Not applied yet.
    None,
    /// Applied; EAB credentials issued.
    Applied,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// Customer ID (お客様ID), e.g. `C00000123`.
    pub id: String,
    pub name: String,
    pub email: String,
    pub billing_email: String,
    pub locale: Locale,
    pub role: Role,
    pub email_verified: bool,
    pub acme_application: AcmeApplicationState,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read the customer's own data (GET requests).
    Read,
    /// Change the customer's own data (POST/DELETE requests).
    Write,
    /// Use the operator endpoints; only an operator may create such a token.
    Operator,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::Operator];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CreateTokenRequest {
    pub name: String,
    /// `read`, `write`, `operator`.
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub id: i64,
    /// The bearer token. Shown once; the server keeps only its hash.
    pub token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// The first characters of the token, to tell tokens apart.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    /// `ok` or `unreachable`.
    pub database: String,
    pub version: String,
}

/// A plain acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ack {
    pub ok: bool,
}

/// `POST /acme-application`: the customer agrees to the service terms (「同意して確定」).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AcmeApplicationRequest {
    /// Must be true.
    pub agree_terms: bool,
}

/// EAB credentials (R-EAB-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EabCredentials {
    /// The EAB key identifier.
    pub key_id: String,
    /// The HMAC key, base64url (256 bits).
    pub hmac_key: String,
    pub issued_at: String,
    /// 14 days after issuance; past it no new ACME account can be bound.
    pub expires_at: String,
    pub expired: bool,
}

/// The customer's ACME usage application and its current EAB credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcmeApplication {
    /// The application number (申請番号), e.g. `AP00000012`.
    pub application_number: String,
    pub applied_at: String,
    /// The ACME directory URL (申請先のサーバーホスト).
    pub directory_url: String,
    pub eab: EabCredentials,
    /// Ready-made registration commands with this EAB filled in.
    pub commands: Vec<crate::acme::ClientCommand>,
}

/// An ACME account bound through the customer's EAB (R-EAB-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcmeAccountInfo {
    pub id: i64,
    /// The account URL (the `kid` the client uses).
    pub url: String,
    /// `valid` or `deactivated`.
    pub status: String,
    pub contact: Vec<String>,
    /// RFC 7638 thumbprint of the account key.
    pub key_thumbprint: String,
    pub eab_key_id: String,
    pub created_at: String,
}
