//! Request and response bodies of the REST API v1 (SPEC.md §4).

use serde::{Deserialize, Serialize};

pub use crate::locale::Locale;

/// The schema of an agreement: a boolean whose only accepted value is `true`.
#[cfg(feature = "openapi")]
fn must_be_true() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Boolean)
        .enum_values(Some([true]))
        .description(Some("must be true"))
        .build()
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SignupRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )
    )]
    pub name: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            format = "email",
            max_length = 254,
            pattern = r#"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,16}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,3}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,4}[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"#
        )
    )]
    pub email: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 10, max_length = 128)
    )]
    pub password: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            format = "email",
            max_length = 254,
            pattern = r#"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,16}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,3}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,4}[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"#
        )
    )]
    pub billing_email: String,
    /// Language of the emails; Japanese when absent.
    #[serde(default)]
    pub locale: Option<Locale>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupResponse {
    /// The new customer ID, e.g. `C00000123`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^C\d{8,}$", example = "C00000123")
    )]
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
    #[cfg_attr(feature = "openapi", schema(required = true, min_length = 1))]
    pub token: String,
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct LoginRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, format = "email", max_length = 254)
    )]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(required = true, min_length = 1))]
    pub password: String,
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PasswordResetRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            format = "email",
            max_length = 254,
            pattern = r#"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,16}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,3}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,4}[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"#
        )
    )]
    pub email: String,
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PasswordResetConfirm {
    #[cfg_attr(feature = "openapi", schema(required = true, min_length = 1))]
    pub token: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 10, max_length = 128)
    )]
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

/// `PATCH /me`: the fields a customer may change; absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateMeRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(
            format = "email",
            max_length = 254,
            pattern = r#"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,16}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,15}){0,3}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,4}[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"#
        )
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_email: Option<String>,
    /// `ja` or `en`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Locale>))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// Customer ID (お客様ID), e.g. `C00000123`.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^C\d{8,}$", example = "C00000123")
    )]
    pub id: String,
    pub name: String,
    pub email: String,
    pub billing_email: String,
    pub locale: Locale,
    pub role: Role,
    pub email_verified: bool,
    pub acme_application: AcmeApplicationState,
    /// RFC 3339, UTC.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
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
    /// Read the ACME usage application with the EAB HMAC key, which `read` does not show
    /// (R-CUS-4): for the automation that registers ACME clients.
    Acme,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::Read, Scope::Write, Scope::Operator, Scope::Acme];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Operator => "operator",
            Scope::Acme => "acme",
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
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 64,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )
    )]
    pub name: String,
    /// `read`, `write`, `operator`, `acme`.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Vec<Scope>, min_items = 1))]
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
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
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
    /// Multi-perspective issuance corroboration (R-VAL-7): `compliant` with at least 5 remote
    /// perspectives in 2 regions, else `not-compliant`.
    pub mpic: String,
    /// How many remote validation perspectives are configured.
    pub mpic_perspectives: u32,
    /// DNSSEC validation of every validation lookup (R-VAL-8): `on`, or `off` (tests and
    /// development only).
    pub dnssec: String,
    /// `system`, or `test` when the server runs on the test clock of
    /// `CERTDIRECT_TEST_CLOCK_FILE` (browser tests only).
    #[serde(default)]
    pub clock: String,
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
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = must_be_true))]
    pub agree_terms: bool,
}

/// EAB credentials (R-EAB-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EabCredentials {
    /// The EAB key identifier.
    pub key_id: String,
    /// The HMAC key, base64url (256 bits). Null when the caller may not see it: an API token
    /// needs the `acme` scope (R-CUS-4); a portal session always sees it.
    pub hmac_key: Option<String>,
    /// Why `hmac_key` is null, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hmac_key_withheld: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub issued_at: String,
    /// 14 days after issuance; past it no new ACME account can be bound.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub expires_at: String,
    pub expired: bool,
}

/// The customer's ACME usage application and its current EAB credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcmeApplication {
    /// The application number (申請番号), e.g. `AP00000012`.
    pub application_number: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub applied_at: String,
    /// The ACME directory URL (申請先のサーバーホスト).
    pub directory_url: String,
    /// Our issuer domain names for dns-persist-01 records (R-VAL-10), as its challenges offer
    /// them; the first is the one the portal's records use.
    #[serde(default)]
    pub issuer_domain_names: Vec<String>,
    pub eab: EabCredentials,
    /// Ready-made registration commands with this EAB filled in; empty when the HMAC key is
    /// withheld.
    pub commands: Vec<crate::acme::ClientCommand>,
    /// The version of the service terms agreed to, e.g. `2026-11`.
    pub terms_version: String,
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
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

/// `POST /fqdn/check`: the server-side twin of the portal's live preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FqdnCheckRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            pattern = r"\S",
            example = "example.jp"
        )
    )]
    pub fqdn: String,
    /// `dv` or `dv_wildcard`.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = crate::fqdn::CertType))]
    #[serde(rename = "type")]
    pub cert_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FqdnCheck {
    /// A-label form of the registered name (no `*.`), when valid.
    pub ascii: Option<String>,
    pub unicode: Option<String>,
    /// The names certificates may carry (R-FQDN-3), A-label form.
    pub coverage: Vec<String>,
    pub coverage_unicode: Vec<String>,
    pub valid: bool,
    /// Whether nobody (including you) holds a live registration of the name.
    pub available: bool,
    /// True when you already hold it: registering again is a renewal (R-FQDN-8).
    pub renewal: bool,
    pub errors: Vec<crate::problem::FieldError>,
}

/// `POST /registrations`: STEP 5–9 confirmed in one call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RegistrationRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            pattern = r"\S",
            example = "example.jp"
        )
    )]
    pub fqdn: String,
    /// `dv` or `dv_wildcard`.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = crate::fqdn::CertType))]
    #[serde(rename = "type")]
    pub cert_type: String,
    /// A period of the catalogue (1 or 2 by default).
    #[cfg_attr(feature = "openapi", schema(required = true, minimum = 1))]
    pub period_years: u32,
    /// `card` or `bank_transfer`.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = crate::billing::PaymentMethod))]
    pub payment_method: String,
    /// The service terms and the 特定商取引法 notice; must be true.
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = must_be_true))]
    pub agree_terms: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Registration {
    pub id: i64,
    /// A-label form, without `*.`.
    pub fqdn: String,
    pub fqdn_unicode: String,
    #[serde(rename = "type")]
    pub cert_type: crate::fqdn::CertType,
    pub state: crate::billing::RegistrationState,
    /// Contract years bought (first purchase plus paid renewals).
    pub contract_years: u32,
    pub coverage: Vec<String>,
    pub coverage_unicode: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// When payment was confirmed.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub registered_at: Option<String>,
    /// The first certificate must be issued by then (R-FQDN-6).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub deadline: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub activated_at: Option<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub contract_end: Option<String>,
    /// The newest invoice of this registration.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^BILL\d+$", example = "BILL0000000042")
    )]
    pub invoice_number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invoice {
    /// `BILL…`
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^BILL\d+$", example = "BILL0000000042")
    )]
    pub number: String,
    pub registration_id: i64,
    pub fqdn: String,
    #[serde(rename = "type")]
    pub cert_type: crate::fqdn::CertType,
    /// `new` or `renewal`.
    pub kind: String,
    pub period_years: u32,
    pub amount_excl_tax: i64,
    pub tax: i64,
    pub amount_incl_tax: i64,
    pub payment_method: crate::billing::PaymentMethod,
    pub status: crate::billing::InvoiceStatus,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub issued_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub due_at: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub paid_at: Option<String>,
    /// The customer ID, for operators.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^C\d{8,}$", example = "C00000123")
    )]
    pub customer_id: String,
    /// Where to send the money (`CERTDIRECT_BANK_ACCOUNT`) while a bank transfer is awaited
    /// (R-BILL-6); `None` otherwise.
    #[serde(default)]
    pub bank_account: Option<String>,
}

/// `POST /invoices/{number}/pay`. Card data is never stored or logged.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CardPayment {
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            pattern = r"^[0-9 ]{12,23}$",
            example = "4242424242424242"
        )
    )]
    pub card_number: String,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, minimum = 1, maximum = 12)
    )]
    pub exp_month: u32,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, minimum = 2000, maximum = 2100)
    )]
    pub exp_year: u32,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, pattern = r"^[0-9]{3,4}$", example = "123")
    )]
    pub cvc: String,
}

impl std::fmt::Debug for CardPayment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits: String = self
            .card_number
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let last4 = digits.get(digits.len().saturating_sub(4)..).unwrap_or("");
        f.debug_struct("CardPayment")
            .field("card_number", &format!("…{last4}"))
            .field("exp_month", &self.exp_month)
            .field("exp_year", &self.exp_year)
            .field("cvc", &"***")
            .finish()
    }
}

/// `POST /operator/invoices/{number}/confirm-payment`: a bank transfer was received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ConfirmPayment {
    /// Yen received; must equal the invoice's amount including tax.
    #[cfg_attr(feature = "openapi", schema(required = true, minimum = 1))]
    pub amount: i64,
    /// `bank_transfer` (or `card` for a payment taken outside the portal).
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = crate::billing::PaymentMethod))]
    pub method: String,
}

/// One row of a bank statement import and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementRow {
    /// 1-based line number in the CSV.
    pub line: u32,
    pub invoice_number: String,
    pub amount: Option<i64>,
    /// `applied`, `already_paid`, `unknown_invoice`, `amount_mismatch`, `not_payable`, `invalid_row`.
    pub outcome: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementImport {
    pub rows: Vec<StatementRow>,
    pub applied: u32,
}

/// `POST /registrations` answer: the registration awaiting payment (or renewed) and its invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationCreated {
    pub registration: Registration,
    pub invoice: Invoice,
    /// True when this purchase renews a registration the customer already holds (R-FQDN-8).
    pub renewal: bool,
}

/// A certificate as the portal lists it (R-CA-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CertificateInfo {
    /// Lower-case hex.
    pub serial: String,
    pub names: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub not_before: String,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub not_after: String,
    /// `valid`, `revoked` or `expired`.
    pub status: String,
    pub revoked_at: Option<String>,
    pub revocation_reason: Option<u8>,
    pub order_id: i64,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub issued_at: String,
    /// The ACME profile it was issued under (R-ACME-9), e.g. `classic` or `shortlived`;
    /// `None` for certificates from before profiles.
    #[serde(default)]
    pub profile: Option<String>,
    /// The serial of the certificate that replaced this one (an order that named it in
    /// `replaces`, RFC 9773).
    #[serde(default)]
    pub replaced_by: Option<String>,
    /// When the CA suggests renewing (ACME Renewal Information, R-ACME-8).
    #[serde(default)]
    pub renewal_window_start: Option<String>,
    #[serde(default)]
    pub renewal_window_end: Option<String>,
    /// Why an operator moved the renewal window earlier, when one did.
    #[serde(default)]
    pub renewal_reason: Option<String>,
}

/// One ACME certificate profile (R-ACME-9), as `GET /acme/profiles` lists them: what a client
/// names in newOrder (certbot `--preferred-profile`, lego `--profile`, acme.sh `--cert-profile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcmeProfileInfo {
    pub name: String,
    pub description_ja: String,
    pub description_en: String,
    /// The validity asked for; the contract end and the BR maximum of the day may cut it.
    pub validity_days: i64,
    /// The registration types whose names may be issued under it.
    pub products: Vec<crate::fqdn::CertType>,
    /// BR short-lived subscriber certificates (at most 7 days; BR 1.6.1).
    pub short_lived: bool,
    /// The profile of an order that names none.
    pub default: bool,
}

/// One ACME rate limit (R-ACME-10): at most `max` of `action` per `per` in `window_secs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcmeRateLimit {
    /// The name in `CERTDIRECT_ACME_RATE_LIMITS`, e.g. `new_order_per_account`.
    pub name: String,
    /// `new_account`, `new_order` or `failed_validation`.
    pub action: String,
    /// `account` or `address`.
    pub per: String,
    pub max: u32,
    pub window_secs: i64,
}

/// `GET /acme/limits`: what the ACME server allows and how often to poll (R-ACME-10); the
/// directory's `meta.website` is the portal page that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcmeLimits {
    pub directory_url: String,
    /// The `Retry-After` (seconds) of pending and processing orders, authorizations and
    /// challenges.
    pub retry_after_secs: u64,
    pub rate_limits: Vec<AcmeRateLimit>,
    pub max_identifiers_per_order: u32,
    pub order_lifetime_days: i64,
    pub authorization_lifetime_days: i64,
}

/// `POST /certificates/{serial}/revoke`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RevokeRequest {
    /// RFC 5280 reason code: 0 unspecified, 1 keyCompromise, 3 affiliationChanged, 4 superseded,
    /// 5 cessationOfOperation.
    #[cfg_attr(feature = "openapi", schema(required = true, maximum = 5))]
    pub reason: u8,
}

/// A validation problem as the portal explains it (R-VAL-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChallengeInfo {
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    /// `urn:ietf:params:acme:error:…`
    pub error_type: Option<String>,
    /// What was fetched or looked up and what came back.
    pub error_detail: Option<String>,
    /// What each remote validation perspective saw (R-VAL-7); empty when none were asked.
    #[serde(default)]
    pub perspectives: Vec<PerspectiveInfo>,
}

/// `GET /operator/validations`: one decided challenge with what every perspective saw (R-VAL-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValidationInfo {
    pub challenge_id: i64,
    /// The customer (`C…`) whose ACME account asked.
    pub customer_id: String,
    /// The name validated (`*.` for a wildcard).
    pub identifier: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `valid` or `invalid`.
    pub status: String,
    pub decided_at: String,
    pub error_type: Option<String>,
    pub error_detail: Option<String>,
    pub perspectives: Vec<PerspectiveInfo>,
}

/// One remote validation perspective's answer for a challenge (R-VAL-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PerspectiveInfo {
    pub perspective: String,
    pub region: String,
    /// Whether it saw the challenge met and CAA permitting issuance.
    pub corroborated: bool,
    /// `urn:ietf:params:acme:error:…` of what it saw instead.
    pub error_type: Option<String>,
    pub error_detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizationInfo {
    pub identifier: String,
    pub wildcard: bool,
    pub status: String,
    pub expires_at: String,
    pub challenges: Vec<ChallengeInfo>,
}

/// A recent ACME order of one of the customer's accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcmeOrderInfo {
    pub id: i64,
    pub account_id: i64,
    pub status: String,
    pub names: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    pub certificate_serial: Option<String>,
    /// The ACME profile the order was created under (R-ACME-9).
    #[serde(default)]
    pub profile: Option<String>,
    pub authorizations: Vec<AuthorizationInfo>,
}

/// `GET /operator/customers`: one page of customers, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerPage {
    pub customers: Vec<Me>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Which certificates an early-renewal campaign moves (R-ACME-8); every given criterion must
/// hold. Only valid, unexpired certificates not yet replaced are ever selected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CampaignSelection {
    /// Serial numbers (hex, any case, `:` allowed).
    pub serials: Vec<String>,
    /// One customer (`C00000123`).
    pub customer_id: Option<String>,
    /// A registered name: certificates naming it, its `www.` or its wildcard.
    pub fqdn: Option<String>,
    /// Issued on or after this day (`YYYY-MM-DD`, Japan time).
    pub issued_from: Option<String>,
    /// Issued on or before this day (`YYYY-MM-DD`, Japan time).
    pub issued_to: Option<String>,
}

/// `POST /operator/renewal-campaigns` (and `/preview`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignRequest {
    pub selection: CampaignSelection,
    /// Why the certificates must be renewed early; sent to the customers.
    pub reason: String,
    /// The day by which they must be renewed (`YYYY-MM-DD`, Japan time; default in 5 days).
    #[serde(default)]
    pub renew_by: Option<String>,
}

/// How many certificates of one customer a campaign selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignCustomer {
    pub customer_id: String,
    pub name: String,
    pub email: String,
    pub certificates: u64,
}

/// What a campaign would move, before it is run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignPreview {
    pub certificates: u64,
    pub customers: Vec<CampaignCustomer>,
}

/// An early-renewal campaign and how many of its certificates have been replaced since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenewalCampaign {
    pub id: i64,
    pub reason: String,
    pub renew_by: String,
    pub certificates: u64,
    pub customers: u64,
    pub replaced: u64,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

// ---------------------------------------------------------------------------------------------
// Customer center (R-SUP-1, R-SUP-2)

/// `POST /inquiries`: the customer names the domain (or common name) or the invoice number it is
/// about (at least one of the two), a subject and the message. Missing fields read as empty so
/// that every problem is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct InquiryRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        )
    )]
    pub subject: String,
    /// A domain name or common name (Unicode or A-label; stored as the A-label form).
    pub domain: Option<String>,
    /// `BILL…`; must be one of the customer's own invoices.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^BILL\d+$", example = "BILL0000000042")
    )]
    pub invoice_number: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 5000, pattern = r"\S")
    )]
    pub message: String,
}

/// Where an inquiry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InquiryStatus {
    /// Waiting for the customer center.
    Open,
    /// The customer center replied; the customer may write again (which reopens it).
    Answered,
    /// Closed by an operator.
    Closed,
}

/// Who wrote a message of an inquiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InquiryAuthor {
    Customer,
    Operator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InquiryMessage {
    pub author: InquiryAuthor,
    pub body: String,
    /// RFC 3339, UTC.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
}

/// An inquiry with its whole conversation, oldest message first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inquiry {
    pub id: i64,
    /// `Q` followed by digits, quoted in emails.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^Q\d+$", example = "Q00000007")
    )]
    pub number: String,
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^C\d{8,}$", example = "C00000123")
    )]
    pub customer_id: String,
    pub subject: String,
    /// A-label form.
    pub domain: Option<String>,
    pub domain_unicode: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = r"^BILL\d+$", example = "BILL0000000042")
    )]
    pub invoice_number: Option<String>,
    pub status: InquiryStatus,
    /// RFC 3339, UTC.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// Whether it arrived within office hours (R-SUP-2).
    pub received_in_hours: bool,
    /// The business day (Japan, `YYYY-MM-DD`) by which the answer is promised.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub answer_by: String,
    /// The operator it is assigned to (their email), for the console.
    pub assignee: Option<String>,
    pub messages: Vec<InquiryMessage>,
}

/// `POST /inquiries/{id}/messages` (customer) and `POST /operator/inquiries/{id}/reply`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct InquiryReply {
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, max_length = 5000, pattern = r"\S")
    )]
    pub message: String,
}

/// `POST /operator/inquiries/{id}/assign`: to the operator with this email, or to the caller when
/// absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct InquiryAssign {
    #[cfg_attr(feature = "openapi", schema(format = "email"))]
    pub operator_email: Option<String>,
}

/// `GET /support/hours` (no login): office hours as of the server's clock (R-SUP-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeHours {
    /// Whether the customer center is open right now.
    pub open_now: bool,
    /// `9:00`
    pub opens: String,
    /// `18:00`
    pub closes: String,
    /// `Asia/Tokyo`
    pub time_zone: String,
    /// The business day (`YYYY-MM-DD`) an inquiry sent now is answered by: today when open,
    /// otherwise the next business day.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub answer_by: String,
    /// Today's date in Japan (`YYYY-MM-DD`) by the server's clock.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub today: String,
}

// ---------------------------------------------------------------------------------------------
// Printable invoices and receipts (R-BILL-6)

/// The seller as a qualified invoice (適格請求書) names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceIssuer {
    pub name: String,
    pub address: String,
    /// `T` followed by 13 digits (`CERTDIRECT_INVOICE_REGISTRATION_NUMBER`).
    pub registration_number: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceLine {
    /// e.g. `DV 証明書 example.jp (1年)`, in the customer's language.
    pub description: String,
    pub quantity: u32,
    pub unit_price_excl_tax: i64,
    pub amount_excl_tax: i64,
    pub tax_rate_percent: u32,
}

/// Totals per tax rate, as a qualified invoice must show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaxRateTotal {
    pub rate_percent: u32,
    pub amount_excl_tax: i64,
    pub tax: i64,
}

/// The receipt part, once the invoice is paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiptInfo {
    /// RFC 3339, UTC.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub paid_at: String,
    pub method: crate::billing::PaymentMethod,
    pub amount_incl_tax: i64,
}

/// `GET /invoices/{number}/document`: everything the printable A4 invoice and receipt show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvoiceDocument {
    pub invoice: Invoice,
    pub issuer: InvoiceIssuer,
    /// The addressee: the customer's name and ID.
    pub customer_name: String,
    pub lines: Vec<InvoiceLine>,
    pub tax_totals: Vec<TaxRateTotal>,
    /// Where to send the money while a bank transfer is awaited; `None` otherwise.
    pub bank_account: Option<String>,
    /// Present once paid.
    pub receipt: Option<ReceiptInfo>,
}

/// What a webhook endpoint can subscribe to (`ping` is only sent by `POST /webhooks/{id}/test`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WebhookEventType {
    /// A usage FQDN registration changed state (applied, registered, active, cancelled, …).
    #[serde(rename = "registration.state_changed")]
    RegistrationStateChanged,
    #[serde(rename = "invoice.issued")]
    InvoiceIssued,
    #[serde(rename = "invoice.paid")]
    InvoicePaid,
    /// Unpaid past its due date (R-BILL-4).
    #[serde(rename = "invoice.void")]
    InvoiceVoid,
    #[serde(rename = "certificate.issued")]
    CertificateIssued,
    #[serde(rename = "certificate.revoked")]
    CertificateRevoked,
    /// The certificate expires within 14 days and was not renewed (R-CA-4).
    #[serde(rename = "certificate.expiring")]
    CertificateExpiring,
    /// A challenge failed; `data.problem` says what was fetched or looked up (R-VAL-5).
    #[serde(rename = "validation.failed")]
    ValidationFailed,
    /// An unused EAB credential expires soon (R-SUP-3).
    #[serde(rename = "eab.expiring")]
    EabExpiring,
    /// A test message.
    #[serde(rename = "ping")]
    Ping,
}

impl WebhookEventType {
    /// Every type an endpoint may subscribe to.
    pub const SUBSCRIBABLE: [WebhookEventType; 9] = [
        WebhookEventType::RegistrationStateChanged,
        WebhookEventType::InvoiceIssued,
        WebhookEventType::InvoicePaid,
        WebhookEventType::InvoiceVoid,
        WebhookEventType::CertificateIssued,
        WebhookEventType::CertificateRevoked,
        WebhookEventType::CertificateExpiring,
        WebhookEventType::ValidationFailed,
        WebhookEventType::EabExpiring,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEventType::RegistrationStateChanged => "registration.state_changed",
            WebhookEventType::InvoiceIssued => "invoice.issued",
            WebhookEventType::InvoicePaid => "invoice.paid",
            WebhookEventType::InvoiceVoid => "invoice.void",
            WebhookEventType::CertificateIssued => "certificate.issued",
            WebhookEventType::CertificateRevoked => "certificate.revoked",
            WebhookEventType::CertificateExpiring => "certificate.expiring",
            WebhookEventType::ValidationFailed => "validation.failed",
            WebhookEventType::EabExpiring => "eab.expiring",
            WebhookEventType::Ping => "ping",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::SUBSCRIBABLE
            .into_iter()
            .chain([WebhookEventType::Ping])
            .find(|t| t.as_str() == s)
    }
}

/// Missing fields read as empty, so that every missing field is reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CreateWebhookRequest {
    /// `https://` URL the events are POSTed to; its addresses must be public (R-VAL-4).
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 2000,
            pattern = r"^https?://[^\s#]+$"
        )
    )]
    pub url: String,
    /// A note for the customer's own use.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub description: String,
    /// Event types, at least one.
    #[cfg_attr(feature = "openapi", schema(required = true, value_type = Vec<WebhookEventType>, min_items = 1))]
    pub events: Vec<String>,
}

/// Fields left out stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct UpdateWebhookRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 2000, pattern = r"^https?://[^\s#]+$")
    )]
    pub url: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<WebhookEventType>>, min_items = 1))]
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    pub description: String,
    pub events: Vec<WebhookEventType>,
    pub enabled: bool,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhook {
    pub endpoint: WebhookEndpoint,
    /// The signing secret, `whsec_` and base64 (Standard Webhooks). Shown once.
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// An attempt is under way.
    Sending,
    Succeeded,
    /// Every attempt failed; `POST …/resend` queues it again.
    Failed,
}

impl WebhookDeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookDeliveryStatus::Pending => "pending",
            WebhookDeliveryStatus::Sending => "sending",
            WebhookDeliveryStatus::Succeeded => "succeeded",
            WebhookDeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            WebhookDeliveryStatus::Pending,
            WebhookDeliveryStatus::Sending,
            WebhookDeliveryStatus::Succeeded,
            WebhookDeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAttempt {
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    /// Why the attempt did not count, when it did not.
    pub error: Option<String>,
    pub duration_ms: i64,
    pub succeeded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: i64,
    /// The `webhook-id` header: the same on every attempt.
    pub msg_id: String,
    pub event_type: WebhookEventType,
    pub status: WebhookDeliveryStatus,
    /// The JSON body sent.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// When the next attempt is due (pending deliveries).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub next_attempt_at: Option<String>,
    /// Oldest first.
    pub attempts: Vec<WebhookAttempt>,
}

/// `GET /operator/mail`: one email of the mail outbox (docs/decisions.md, "Emails").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    pub id: i64,
    /// The `Message-ID` every hand-off of this email carries.
    pub message_id: String,
    pub to: String,
    pub subject: String,
    /// `queued`, `sending` or `sent`.
    pub status: String,
    /// Hand-offs started so far.
    pub attempts: i32,
    /// The error of the last failed hand-off.
    pub last_error: Option<String>,
    /// RFC 3339: when the next attempt is due (queued messages).
    pub next_attempt_at: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339, once sent.
    pub sent_at: Option<String>,
}
