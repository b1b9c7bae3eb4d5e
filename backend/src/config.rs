//! Configuration: an optional TOML file overridden by `CERTDIRECT_*` environment variables
//! (SPEC.md §5). Every bad value is reported with the variable (or file key) that holds it.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use url::Url;

/// Every key the configuration knows. The environment variable is `CERTDIRECT_` + the key in
/// upper case; the TOML file uses the key itself.
pub const KEYS: &[(&str, &str)] = &[
    (
        "data_dir",
        "directory for the SQLite database, the outbox and CA files (default ./data)",
    ),
    (
        "database_url",
        "sqlite://… or postgres://… (default: SQLite file certdirect.db in the data dir)",
    ),
    (
        "database_schema",
        "PostgreSQL schema to use (default: the server's search_path)",
    ),
    (
        "database_max_connections",
        "database connections per process (default 1 on SQLite, 10 on PostgreSQL)",
    ),
    ("listen", "address to listen on (default 127.0.0.1:8080)"),
    (
        "public_url",
        "base of every absolute URL handed out (default http://<listen>)",
    ),
    ("static_dir", "the built portal (default ./frontend/dist)"),
    ("tls_cert", "PEM certificate chain to serve HTTPS with"),
    ("tls_key", "PEM private key for tls_cert"),
    (
        "tls_self_signed",
        "1 = make and use a localhost certificate in the data dir",
    ),
    (
        "va_http_port",
        "port http-01 validation connects to (default 80)",
    ),
    (
        "va_dns_servers",
        "comma-separated ip:port resolvers for dns-01 and CAA (default: system)",
    ),
    (
        "va_dnssec_trust_anchors",
        "file of DS or DNSKEY records (zone-file syntax, one a line) that every validation lookup (dns-01, CAA, http-01 addresses) is DNSSEC-validated against, or off (default: the IANA root anchors)",
    ),
    (
        "acme_rate_limits",
        "ACME limits as name=max/period pairs (R-ACME-10), e.g. new_order_per_account=3000/h",
    ),
    (
        "va_timeout_secs",
        "the most one validation may take, in seconds, below the 60-second queue lease (default 30)",
    ),
    (
        "va_allow_private",
        "1 = validation may connect to loopback/private addresses (default 0)",
    ),
    (
        "smtp_url",
        "smtp[s]://user:pass@host:port; unset = emails are written to <data dir>/outbox/",
    ),
    (
        "mail_from",
        "From address of every email (default CertDirect <noreply@localhost>)",
    ),
    ("brand", "brand name in email subjects (default CertDirect)"),
    ("session_hours", "lifetime of a portal session (default 12)"),
    (
        "login_limit_per_account",
        "failed logins per account in the window before 429 (default 5)",
    ),
    (
        "login_limit_per_address",
        "failed logins per client address in the window before 429 (default 20)",
    ),
    (
        "login_limit_window_secs",
        "the rate-limit window in seconds (default 900)",
    ),
    (
        "trusted_proxies",
        "comma-separated addresses or CIDR blocks of reverse proxies whose X-Forwarded-For is believed (default: none)",
    ),
    ("log_format", "text or json (default text)"),
    ("eab_encryption_key", "32 bytes, base64: encrypts EAB HMAC keys at rest (default: <data dir>/eab-encryption.key, made on first start)"),
    ("terms_url", "the service terms (サービス約款) URL in the ACME directory (default <public url>/terms)"),
    ("products", "catalogue, type:years=yen excl. tax, comma-separated (default dv:1=10900,dv:2=21800,dv_wildcard:1=43600,dv_wildcard:2=87200)"),
    ("invoice_due_days", "days from invoice to due date (default 14)"),
    ("bank_account", "bank transfer details printed on invoices, in the portal and in emails while a transfer is awaited (default: a sample account; set it in production, the start warns while it is the sample)"),
    ("invoice_registration_number", "the issuer's qualified invoice (適格請求書) registration number, T followed by 13 digits (default: the sample T1234567890123; set it in production, the start warns while it is the sample)"),
    ("invoice_issuer_name", "the issuer's name on printable invoices and receipts (default: the brand)"),
    ("invoice_issuer_address", "the issuer's address on printable invoices and receipts (default: empty, with a warning at start)"),
    ("support_email", "address the customer center is notified at of every new inquiry and customer message (default: the address of mail_from)"),
    ("webhooks_allow_private", "1 = webhook endpoints may be loopback/private addresses and plain http:// (tests and development only; default 0, R-VAL-4)"),
    ("webhooks_retry_base_secs", "the unit of the webhook retry schedule: waits of 1, 6, 24, 120, 720, 4320 and 17280 units after failed attempts (default 5: 5 s … 24 h; 0 to 3600)"),
    ("jobs_billing_secs", "seconds between billing passes: overdue invoices, lapsed and expired registrations (default 60, at most 86400)"),
    ("jobs_housekeeping_secs", "seconds between housekeeping passes: purges, reminders, the CRL schedule (default 300, at most 86400)"),
    ("mail_lease_secs", "seconds a mail worker holds an outbox message while handing it to SMTP; the SMTP timeout is half of it, and a message whose worker died is sent again after it (default 120, at most 86400)"),
    ("mail_poll_ms", "milliseconds between a mail worker's looks at the outbox when nothing woke it (default 1000, 10 to 60000)"),
    ("shutdown_grace_secs", "seconds SIGTERM waits for requests in flight and running jobs before returning their leases and exiting (default 25, at most 86400)"),
    ("shutdown_delay_secs", "seconds after SIGTERM during which the server still accepts connections but /api/v1/health/ready answers 503, so a load balancer takes it out of rotation before it stops accepting (default 0, at most 300)"),
    ("test_clock_file", "browser tests only: a file holding an RFC 3339 instant the server's clock starts from (re-read when the file changes; missing or empty = the system clock); warned about at start and reported by /api/v1/health"),
    ("ca_root_cert", "PEM root certificate to publish (with the two below; default: made in <data dir>/ca)"),
    ("ca_intermediate_cert", "PEM intermediate certificate that signs leaves"),
    ("ca_intermediate_key", "PEM private key of the intermediate"),
    ("cert_validity_days", "leaf certificate validity in days, at most 199 (default 90)"),
    ("acme_profiles", "ACME certificate profiles (R-ACME-9) as a JSON array of {name, description (text or {en, ja}), days, products, short_lived}; in the TOML file an array of tables (default: classic = cert_validity_days, shortlived = 6 days, short-lived)"),
    ("acme_default_profile", "the profile of an order that names none (default: classic, else the first profile)"),
    ("crl_url", "CRL distribution point put in certificates (default <public url>/ca/intermediate.crl)"),
    ("ca_issuers_url", "AIA caIssuers URL put in certificates (default <public url>/ca/intermediate.der)"),
    ("caa_identities", "comma-separated issuer domain names for CAA and the directory (default: the public URL's host)"),
    ("mpic_perspectives", "remote validation perspectives, comma-separated name@region=https://host:port (R-VAL-7; default: none)"),
    ("mpic_secret", "shared secret that authenticates the primary and its perspectives (at least 32 characters)"),
    ("mpic_ca", "PEM file of extra roots trusted for https:// perspectives (besides the system roots)"),
    ("mpic_min_remote", "refuse to start with fewer remote perspectives than this (default 0)"),
];

/// Webhook delivery settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhooksConfig {
    /// `CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE`: endpoints may be loopback or private addresses, and
    /// `http://` (tests and development; never in production).
    pub allow_private: bool,
    /// `CERTDIRECT_WEBHOOKS_RETRY_BASE_SECS`: the unit of the backoff schedule.
    pub retry_base_secs: u64,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub database_schema: Option<String>,
    /// Unset: 1 on SQLite (one writer at a time anyway), 10 on PostgreSQL.
    pub database_max_connections: Option<u32>,
    pub listen: SocketAddr,
    pub public_url: Url,
    pub static_dir: PathBuf,
    pub tls: Option<TlsConfig>,
    pub va_http_port: u16,
    pub va_timeout_secs: u64,
    pub acme_limits: crate::ratelimit::AcmeLimits,
    pub va_dns_servers: Vec<SocketAddr>,
    /// DNSSEC validation of every validation lookup (R-VAL-8).
    pub va_dnssec: crate::va::dns::Dnssec,
    pub va_allow_private: bool,
    /// Signed webhooks (REST API issue, item 6).
    pub webhooks: WebhooksConfig,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub brand: String,
    pub session_hours: i64,
    pub login_limit: LoginLimit,
    /// Peers whose `X-Forwarded-For` names the client (R-CUS-4); empty = the TCP peer is the client.
    pub trusted_proxies: Vec<crate::cidr::Cidr>,
    pub log_format: LogFormat,
    pub eab_encryption_key: Option<[u8; 32]>,
    pub terms_url: String,
    pub caa_identities: Vec<String>,
    pub mpic: MpicConfig,
    pub catalogue: crate::billing::Catalogue,
    pub invoice_due_days: u32,
    pub bank_account: String,
    /// The seller on qualified invoices (R-BILL-6).
    pub invoice_issuer: InvoiceIssuerConfig,
    /// Where new inquiries are announced (R-SUP-1).
    pub support_email: String,
    /// Seconds between billing passes.
    pub jobs_billing_secs: u64,
    /// Seconds between housekeeping passes.
    pub jobs_housekeeping_secs: u64,
    /// How long a mail worker's lease on an outbox message lasts.
    pub mail_lease_secs: u64,
    /// How often an idle mail worker looks at the outbox.
    pub mail_poll_ms: u64,
    /// How long a stopping process waits for requests and jobs in flight.
    pub shutdown_grace_secs: u64,
    /// How long a stopping server still accepts connections (readiness 503 meanwhile).
    pub shutdown_delay_secs: u64,
    /// `CERTDIRECT_TEST_CLOCK_FILE`: the server runs on [`crate::clock::FileClock`].
    pub test_clock_file: Option<PathBuf>,
    pub ca_root_cert: Option<PathBuf>,
    pub ca_intermediate_cert: Option<PathBuf>,
    pub ca_intermediate_key: Option<PathBuf>,
    pub cert_validity_days: i64,
    /// ACME certificate profiles and the default one (R-ACME-9).
    pub profiles: crate::profiles::Profiles,
    pub crl_url: String,
    pub ca_issuers_url: String,
}

/// The default of `CERTDIRECT_BANK_ACCOUNT`: a sample in the shape of real transfer details,
/// which production replaces (the start warns while it is unchanged).
pub const SAMPLE_BANK_ACCOUNT: &str = "サンプル銀行 本店営業部 普通預金 1234567 サーテイダイレクト(カ / Sample Bank, Head Office, ordinary account 1234567, CertDirect K.K.";

/// The default of `CERTDIRECT_INVOICE_REGISTRATION_NUMBER`: the National Tax Agency's sample
/// number; production sets its own (the start warns while it is unchanged).
pub const SAMPLE_REGISTRATION_NUMBER: &str = "T1234567890123";

/// The seller as qualified invoices (適格請求書) name it (R-BILL-6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceIssuerConfig {
    pub name: String,
    pub address: String,
    /// `T` followed by 13 digits.
    pub registration_number: String,
}

/// Whether `s` is a qualified invoice issuer registration number: `T` and 13 digits.
pub fn is_registration_number(s: &str) -> bool {
    s.len() == 14 && s.starts_with('T') && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// One remote perspective of multi-perspective issuance corroboration (R-VAL-7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpicPerspective {
    pub name: String,
    pub region: String,
    pub url: Url,
}

/// Multi-perspective issuance corroboration settings (R-VAL-7).
#[derive(Debug, Clone, Default)]
pub struct MpicConfig {
    pub perspectives: Vec<MpicPerspective>,
    pub secret: Option<String>,
    pub ca: Option<PathBuf>,
    pub min_remote: usize,
}

/// Parses `name@region=URL,…` (R-VAL-7).
pub fn parse_perspectives(list: &str) -> Result<Vec<MpicPerspective>, String> {
    let word = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let mut out: Vec<MpicPerspective> = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (who, url) = item
            .split_once('=')
            .ok_or_else(|| format!("{item:?} is not name@region=URL"))?;
        let (name, region) = who
            .split_once('@')
            .ok_or_else(|| format!("{item:?} has no @region after the name"))?;
        let (name, region) = (name.trim(), region.trim());
        if !word(name) || !word(region) {
            return Err(format!(
                "{item:?}: the name and the region may hold only letters, digits, '-', '_' and '.'"
            ));
        }
        let url =
            Url::parse(url.trim()).map_err(|e| format!("{item:?}: {url:?} is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(format!(
                "{item:?}: the URL must be http:// or https:// with a host"
            ));
        }
        if out.iter().any(|p| p.name == name) {
            return Err(format!("the perspective name {name:?} is given twice"));
        }
        out.push(MpicPerspective {
            name: name.to_owned(),
            region: region.to_owned(),
            url,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsConfig {
    Files { cert: PathBuf, key: PathBuf },
    SelfSigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    pub per_account: u32,
    pub per_address: u32,
    pub window_secs: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A configuration value that could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("{source_name}: {reason}")]
    Value { source_name: String, reason: String },
}

/// One raw value and where it came from, for error messages.
struct Raw {
    value: String,
    source: String,
}

struct Sources(BTreeMap<&'static str, Raw>);

impl Sources {
    fn get(&self, key: &str) -> Option<&Raw> {
        self.0.get(key).filter(|raw| !raw.value.trim().is_empty())
    }

    fn err(&self, key: &str, reason: impl Into<String>) -> ConfigError {
        let source_name = self
            .0
            .get(key)
            .map(|raw| raw.source.clone())
            .unwrap_or_else(|| env_name(key));
        ConfigError::Value {
            source_name,
            reason: reason.into(),
        }
    }

    fn string(&self, key: &str) -> Option<String> {
        self.get(key).map(|raw| raw.value.trim().to_owned())
    }

    fn parse<T: std::str::FromStr>(
        &self,
        key: &str,
        default: T,
        what: &str,
    ) -> Result<T, ConfigError> {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => raw
                .value
                .trim()
                .parse()
                .map_err(|_| self.err(key, format!("{:?} is not {what}", raw.value))),
        }
    }

    fn flag(&self, key: &str) -> Result<bool, ConfigError> {
        match self
            .get(key)
            .map(|raw| raw.value.trim().to_ascii_lowercase())
        {
            None => Ok(false),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => Err(self.err(key, format!("{v:?} is not a boolean (use 1 or 0)"))),
        }
    }

    /// A job interval in seconds: 1 to 86400.
    fn seconds(&self, key: &str, default: i64) -> Result<u64, ConfigError> {
        let n = self.positive(key, default)?;
        if n > 86_400 {
            return Err(self.err(
                key,
                format!("must be at most 86400 seconds (a day), not {n}"),
            ));
        }
        Ok(n as u64)
    }

    fn positive(&self, key: &str, default: i64) -> Result<i64, ConfigError> {
        let n: i64 = self.parse(key, default, "a whole number")?;
        if n <= 0 {
            return Err(self.err(key, format!("must be greater than zero, not {n}")));
        }
        Ok(n)
    }

    /// A URL put in certificates (CRL distribution point, AIA caIssuers): `http://` with a host,
    /// as the BR require (7.1.2.11.2, 7.1.2.7.7); a bad value stops the start. Unset, it is
    /// `path` under the public URL, made `http://` when the public URL is https (same host; the
    /// port kept only when it is not the https default).
    fn cert_url(&self, key: &str, public: &str, path: &str) -> Result<String, ConfigError> {
        match self.string(key) {
            Some(s) => {
                let url = Url::parse(&s)
                    .map_err(|e| self.err(key, format!("{s:?} is not a URL: {e}")))?;
                if url.scheme() != "http" || url.host().is_none() {
                    return Err(self.err(
                        key,
                        format!("{s:?} must be an http:// URL with a host: the CA/Browser Forum forbid https in certificates' CRL and caIssuers URLs"),
                    ));
                }
                if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
                    return Err(self.err(key, "must not have a query, fragment or user"));
                }
                Ok(s)
            }
            None => {
                let mut url =
                    Url::parse(public).map_err(|e| self.err("public_url", e.to_string()))?;
                if url.scheme() == "https" {
                    let port = url.port();
                    url.set_scheme("http").ok();
                    url.set_port(port.filter(|p| *p != 443)).ok();
                }
                Ok(format!("{}{path}", url.as_str().trim_end_matches('/')))
            }
        }
    }
}

/// How long a validation worker holds a queued job before another may take it over
/// (`queue::LEASE_SECS`); a validation's deadline must stay below it.
pub const VALIDATION_LEASE_SECS: i64 = 60;

pub fn env_name(key: &str) -> String {
    format!("CERTDIRECT_{}", key.to_ascii_uppercase())
}

impl Config {
    /// Reads the process environment and, if given, the TOML file.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_sources(file, &env)
    }

    /// Builds the configuration from a TOML file (optional) and an environment map; the
    /// environment wins.
    pub fn from_sources(
        file: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let mut raw = BTreeMap::new();
        if let Some(path) = file {
            let file_err = |reason: String| ConfigError::File {
                path: path.display().to_string(),
                reason,
            };
            let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
            let table: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| file_err(e.message().to_owned()))?;
            for (key, value) in table {
                let Some((known, _)) = KEYS.iter().find(|(k, _)| *k == key) else {
                    return Err(file_err(format!(
                        "unknown key {key:?}; known keys: {}",
                        KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                    )));
                };
                let value = match value {
                    toml::Value::String(s) => s,
                    // An array of tables (acme_profiles) is read as the JSON its variable holds.
                    toml::Value::Array(items) if items.iter().any(toml::Value::is_table) => {
                        serde_json::to_string(&items).map_err(|e| file_err(e.to_string()))?
                    }
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => if b { "1" } else { "0" }.to_owned(),
                    toml::Value::Array(items) => items
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(","),
                    other => {
                        return Err(file_err(format!(
                            "key {key:?} has an unsupported value {other}"
                        )))
                    }
                };
                raw.insert(
                    *known,
                    Raw {
                        value,
                        source: format!("{key} in {}", path.display()),
                    },
                );
            }
        }
        for (key, _) in KEYS {
            let name = env_name(key);
            if let Some(value) = env.get(&name) {
                raw.insert(
                    *key,
                    Raw {
                        value: value.clone(),
                        source: name,
                    },
                );
            }
        }
        Self::from_raw(Sources(raw))
    }

    fn from_raw(src: Sources) -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(src.string("data_dir").unwrap_or_else(|| "./data".into()));
        let database_url = match src.string("database_url") {
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://") =>
            {
                url
            }
            Some(url) => {
                return Err(src.err(
                    "database_url",
                    format!("{url:?} is neither a sqlite: nor a postgres:// URL"),
                ))
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("certdirect.db").display()
            ),
        };
        let database_schema = src.string("database_schema");
        if let Some(schema) = &database_schema {
            if !schema
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
                || schema.len() > 63
            {
                return Err(src.err(
                    "database_schema",
                    "may hold only letters, digits and _ (at most 63)",
                ));
            }
        }
        let listen: SocketAddr = src.parse(
            "listen",
            SocketAddr::from(([127, 0, 0, 1], 8080)),
            "an ip:port address such as 127.0.0.1:8080",
        )?;
        let tls = match (
            src.string("tls_cert"),
            src.string("tls_key"),
            src.flag("tls_self_signed")?,
        ) {
            (Some(cert), Some(key), _) => Some(TlsConfig::Files {
                cert: cert.into(),
                key: key.into(),
            }),
            (Some(_), None, _) => {
                return Err(src.err("tls_key", "is required when CERTDIRECT_TLS_CERT is set"))
            }
            (None, Some(_), _) => {
                return Err(src.err("tls_cert", "is required when CERTDIRECT_TLS_KEY is set"))
            }
            (None, None, true) => Some(TlsConfig::SelfSigned),
            (None, None, false) => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let public_url = match src.string("public_url") {
            Some(s) => {
                let url = Url::parse(&s)
                    .map_err(|e| src.err("public_url", format!("{s:?} is not a URL: {e}")))?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(src.err(
                        "public_url",
                        format!("{s:?} must be an http:// or https:// URL with a host"),
                    ));
                }
                if url.query().is_some() || url.fragment().is_some() {
                    return Err(src.err("public_url", "must not have a query or fragment"));
                }
                url
            }
            None => Url::parse(&format!("{scheme}://{listen}"))
                .map_err(|e| src.err("listen", e.to_string()))?,
        };
        let va_dns_servers = match src.string("va_dns_servers") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<SocketAddr>().map_err(|_| {
                        src.err("va_dns_servers", format!("{s:?} is not an ip:port address"))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let va_http_port: u16 = src.parse("va_http_port", 80, "a port number (1–65535)")?;
        if va_http_port == 0 {
            return Err(src.err("va_http_port", "must be between 1 and 65535"));
        }
        let trusted_proxies = match src.string("trusted_proxies") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<crate::cidr::Cidr>()
                        .map_err(|reason| src.err("trusted_proxies", reason))
                })
                .collect::<Result<_, _>>()?,
        };
        let smtp_url = src.string("smtp_url");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(src.err("smtp_url", "must start with smtp:// or smtps://"));
            }
        }
        let mail_from = src
            .string("mail_from")
            .unwrap_or_else(|| "CertDirect <noreply@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(src.err(
                "mail_from",
                format!("{mail_from:?} is not a mailbox such as Name <a@b.jp>"),
            ));
        }
        let log_format = match src.string("log_format").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(src.err("log_format", format!("{other:?} is neither text nor json")))
            }
        };
        let eab_encryption_key = match src.string("eab_encryption_key") {
            None => None,
            Some(text) => {
                use base64::Engine;
                let engines = [
                    base64::engine::general_purpose::STANDARD,
                    base64::engine::general_purpose::URL_SAFE_NO_PAD,
                ];
                let bytes = engines
                    .iter()
                    .find_map(|e| e.decode(text.trim()).ok())
                    .unwrap_or_default();
                let key: [u8; 32] = bytes.try_into().map_err(|_| {
                    src.err(
                        "eab_encryption_key",
                        "must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)",
                    )
                })?;
                Some(key)
            }
        };
        let terms_url = src
            .string("terms_url")
            .unwrap_or_else(|| format!("{}/terms", public_url.as_str().trim_end_matches('/')));
        let caa_identities: Vec<String> = match src.string("caa_identities") {
            Some(list) => list
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
            None => public_url
                .host_str()
                .map(|h| vec![h.to_ascii_lowercase()])
                .unwrap_or_default(),
        };
        // R-VAL-6: with no issuer domain name, no CAA record could ever allow us.
        if caa_identities.is_empty() {
            return Err(src.err(
                "caa_identities",
                "must name at least one issuer domain name",
            ));
        }
        let va_dnssec =
            crate::va::dns::Dnssec::from_setting(src.string("va_dnssec_trust_anchors").as_deref())
                .map_err(|e| src.err("va_dnssec_trust_anchors", e))?;
        let catalogue = match src.string("products") {
            None => crate::billing::Catalogue(shared::billing::default_catalogue()),
            Some(spec) => {
                crate::billing::Catalogue::parse(&spec).map_err(|e| src.err("products", e))?
            }
        };
        let invoice_due_days = src.positive("invoice_due_days", 14)?;
        if invoice_due_days > 365 {
            return Err(src.err("invoice_due_days", "must be at most 365"));
        }
        let cert_validity_days = src.positive("cert_validity_days", 90)?;
        if cert_validity_days > 199 {
            return Err(src.err(
                "cert_validity_days",
                format!("{cert_validity_days} is over 199: the CA/Browser Forum allows at most 200 days (R-CA-2)"),
            ));
        }
        let profiles = match src.string("acme_profiles") {
            None => crate::profiles::Profiles::default_list(cert_validity_days),
            Some(json) => crate::profiles::Profiles::parse(&json, cert_validity_days)
                .map_err(|e| src.err("acme_profiles", e))?,
        };
        let default_profile = src.string("acme_default_profile");
        let profiles = crate::profiles::Profiles::new(profiles, default_profile.as_deref())
            .map_err(|e| match default_profile {
                Some(_) => src.err("acme_default_profile", e),
                None => src.err("acme_profiles", e),
            })?;
        let mpic = MpicConfig {
            perspectives: match src.string("mpic_perspectives") {
                None => Vec::new(),
                Some(list) => {
                    parse_perspectives(&list).map_err(|e| src.err("mpic_perspectives", e))?
                }
            },
            secret: src.string("mpic_secret"),
            ca: src.string("mpic_ca").map(PathBuf::from),
            min_remote: src.parse("mpic_min_remote", 0usize, "a whole number")?,
        };
        if let Some(secret) = &mpic.secret {
            if secret.len() < 32 {
                return Err(src.err(
                    "mpic_secret",
                    "must be at least 32 characters (e.g. `openssl rand -hex 32`)",
                ));
            }
        } else if !mpic.perspectives.is_empty() {
            return Err(src.err(
                "mpic_secret",
                "is required when CERTDIRECT_MPIC_PERSPECTIVES is set",
            ));
        }
        if mpic.perspectives.len() < mpic.min_remote {
            return Err(src.err(
                "mpic_min_remote",
                format!(
                    "asks for at least {} remote perspectives, but CERTDIRECT_MPIC_PERSPECTIVES names {}",
                    mpic.min_remote,
                    mpic.perspectives.len()
                ),
            ));
        }
        let base = public_url.as_str().trim_end_matches('/').to_owned();
        let brand = src.string("brand").unwrap_or_else(|| "CertDirect".into());
        let registration_number = src
            .string("invoice_registration_number")
            .unwrap_or_else(|| SAMPLE_REGISTRATION_NUMBER.into());
        if !is_registration_number(&registration_number) {
            return Err(src.err(
                "invoice_registration_number",
                format!("{registration_number:?} is not a qualified invoice registration number: T followed by 13 digits, e.g. T1234567890123"),
            ));
        }
        let invoice_issuer = InvoiceIssuerConfig {
            name: src
                .string("invoice_issuer_name")
                .unwrap_or_else(|| brand.clone()),
            address: src.string("invoice_issuer_address").unwrap_or_default(),
            registration_number,
        };
        let support_email = match src.string("support_email") {
            Some(addr) => match addr.parse::<lettre::message::Mailbox>() {
                Ok(mailbox) => mailbox.email.to_string(),
                Err(_) => {
                    return Err(src.err(
                        "support_email",
                        format!("{addr:?} is not an email address such as support@example.jp"),
                    ))
                }
            },
            None => mail_from
                .parse::<lettre::message::Mailbox>()
                .map(|m| m.email.to_string())
                .map_err(|_| src.err("mail_from", "is not a mailbox"))?,
        };
        Ok(Config {
            mpic,
            ca_root_cert: src.string("ca_root_cert").map(PathBuf::from),
            ca_intermediate_cert: src.string("ca_intermediate_cert").map(PathBuf::from),
            ca_intermediate_key: src.string("ca_intermediate_key").map(PathBuf::from),
            cert_validity_days,
            profiles,
            crl_url: src.cert_url("crl_url", &base, "/ca/intermediate.crl")?,
            ca_issuers_url: src.cert_url("ca_issuers_url", &base, "/ca/intermediate.der")?,
            catalogue,
            invoice_due_days: invoice_due_days as u32,
            bank_account: src
                .string("bank_account")
                .unwrap_or_else(|| SAMPLE_BANK_ACCOUNT.into()),
            invoice_issuer,
            support_email,
            jobs_billing_secs: src.seconds("jobs_billing_secs", 60)?,
            jobs_housekeeping_secs: src.seconds("jobs_housekeeping_secs", 300)?,
            mail_lease_secs: src.seconds("mail_lease_secs", 120)?,
            mail_poll_ms: {
                let n = src.positive("mail_poll_ms", 1000)?;
                if !(10..=60_000).contains(&n) {
                    return Err(src.err("mail_poll_ms", format!("must be 10 to 60000, not {n}")));
                }
                n as u64
            },
            shutdown_grace_secs: src.seconds("shutdown_grace_secs", 25)?,
            shutdown_delay_secs: {
                let n: i64 = src.parse("shutdown_delay_secs", 0, "a whole number")?;
                if !(0..=300).contains(&n) {
                    return Err(src.err(
                        "shutdown_delay_secs",
                        format!("must be 0 to 300 seconds, not {n}"),
                    ));
                }
                n as u64
            },
            test_clock_file: src.string("test_clock_file").map(PathBuf::from),
            eab_encryption_key,
            terms_url,
            caa_identities,
            static_dir: PathBuf::from(
                src.string("static_dir")
                    .unwrap_or_else(|| "./frontend/dist".into()),
            ),
            brand,
            session_hours: src.positive("session_hours", 12)?,
            login_limit: LoginLimit {
                per_account: src.positive("login_limit_per_account", 5)? as u32,
                per_address: src.positive("login_limit_per_address", 20)? as u32,
                window_secs: src.positive("login_limit_window_secs", 900)?,
            },
            va_allow_private: src.flag("va_allow_private")?,
            webhooks: WebhooksConfig {
                allow_private: src.flag("webhooks_allow_private")?,
                retry_base_secs: {
                    let n: i64 = src.parse("webhooks_retry_base_secs", 5, "a whole number")?;
                    if !(0..=3600).contains(&n) {
                        return Err(src.err(
                            "webhooks_retry_base_secs",
                            format!("must be from 0 to 3600 seconds, not {n}"),
                        ));
                    }
                    n as u64
                },
            },
            acme_limits: match src.string("acme_rate_limits") {
                None => crate::ratelimit::AcmeLimits::default(),
                Some(spec) => crate::ratelimit::AcmeLimits::parse(&spec)
                    .map_err(|e| src.err("acme_rate_limits", e))?,
            },
            va_timeout_secs: {
                let secs = src.positive("va_timeout_secs", 30)?;
                if secs >= VALIDATION_LEASE_SECS {
                    return Err(src.err(
                        "va_timeout_secs",
                        format!(
                            "must be below the {}-second queue lease, not {secs}",
                            VALIDATION_LEASE_SECS
                        ),
                    ));
                }
                secs as u64
            },
            trusted_proxies,
            data_dir,
            database_url,
            database_schema,
            database_max_connections: match src.string("database_max_connections") {
                None => None,
                Some(_) => Some(
                    u32::try_from(src.positive("database_max_connections", 1)?)
                        .map_err(|_| src.err("database_max_connections", "is too large"))?,
                ),
            },
            listen,
            public_url,
            tls,
            va_http_port,
            va_dns_servers,
            va_dnssec,
            smtp_url,
            mail_from,
            log_format,
        })
    }

    /// What an operator should fix before production, said at every start.
    pub fn start_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.bank_account == SAMPLE_BANK_ACCOUNT {
            out.push("CERTDIRECT_BANK_ACCOUNT is the built-in sample; invoices awaiting a bank transfer print it until you set the real account".to_owned());
        }
        if self.invoice_issuer.registration_number == SAMPLE_REGISTRATION_NUMBER {
            out.push(format!("CERTDIRECT_INVOICE_REGISTRATION_NUMBER is the sample {SAMPLE_REGISTRATION_NUMBER}; qualified invoices (R-BILL-6) need your own registration number"));
        }
        if self.invoice_issuer.address.is_empty() {
            out.push("CERTDIRECT_INVOICE_ISSUER_ADDRESS is empty; printable invoices show no issuer address".to_owned());
        }
        out
    }

    /// The directory emails are written to when no SMTP server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// Whether cookies must carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.tls.is_some() || self.public_url.scheme() == "https"
    }

    /// The URL of ACME account `id` (the `kid` clients sign with, and RFC 8657's `accounturi`).
    pub fn acme_account_url(&self, id: i64) -> String {
        self.public(&format!("/acme/acct/{id}"))
    }

    /// An absolute URL under the public URL, e.g. `url("/verify-email")`.
    pub fn public(&self, path_and_query: &str) -> String {
        format!(
            "{}{}",
            self.public_url.as_str().trim_end_matches('/'),
            path_and_query
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_follow_the_spec() {
        let c = Config::from_sources(None, &HashMap::new()).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database_url, "sqlite://./data/certdirect.db?mode=rwc");
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(c.va_http_port, 80);
        assert!(!c.va_allow_private);
        assert_eq!(c.caa_identities, ["127.0.0.1"]);
        assert!(!c.va_dnssec.is_off(), "DNSSEC validation is on by default");
        assert!(c.smtp_url.is_none());
        assert!(c.tls.is_none());
        assert_eq!(c.outbox_dir(), PathBuf::from("./data/outbox"));
        assert_eq!(
            c.public("/verify-email?token=x"),
            "http://127.0.0.1:8080/verify-email?token=x"
        );
    }

    /// R-BILL-6, R-SUP-1: issuer, support address and job intervals, with their defaults and
    /// the start warnings for samples left in place.
    #[test]
    fn issuer_support_and_job_settings() {
        let c = Config::from_sources(None, &HashMap::new()).unwrap();
        assert_eq!(c.invoice_issuer.name, "CertDirect");
        assert_eq!(
            c.invoice_issuer.registration_number,
            SAMPLE_REGISTRATION_NUMBER
        );
        assert!(is_registration_number(SAMPLE_REGISTRATION_NUMBER));
        assert_eq!(c.support_email, "noreply@localhost");
        assert_eq!((c.jobs_billing_secs, c.jobs_housekeeping_secs), (60, 300));
        assert_eq!(
            c.webhooks,
            WebhooksConfig {
                allow_private: false,
                retry_base_secs: 5
            }
        );
        assert!(c.test_clock_file.is_none());
        assert!(!c.bank_account.contains("separately"));
        let warnings = c.start_warnings().join("\n");
        for var in [
            "CERTDIRECT_BANK_ACCOUNT",
            "CERTDIRECT_INVOICE_REGISTRATION_NUMBER",
            "CERTDIRECT_INVOICE_ISSUER_ADDRESS",
        ] {
            assert!(warnings.contains(var), "{warnings}");
        }
        let c = Config::from_sources(
            None,
            &env(&[
                ("CERTDIRECT_MAIL_FROM", "Shop <shop@example.jp>"),
                ("CERTDIRECT_BRAND", "Shop"),
                ("CERTDIRECT_INVOICE_REGISTRATION_NUMBER", "T8010001000001"),
                ("CERTDIRECT_INVOICE_ISSUER_ADDRESS", "東京都千代田区1-1"),
                ("CERTDIRECT_BANK_ACCOUNT", "みずほ銀行 普通 7654321"),
                ("CERTDIRECT_JOBS_BILLING_SECS", "1"),
                ("CERTDIRECT_TEST_CLOCK_FILE", "/tmp/clock"),
                ("CERTDIRECT_WEBHOOKS_ALLOW_PRIVATE", "1"),
                ("CERTDIRECT_WEBHOOKS_RETRY_BASE_SECS", "0"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.webhooks,
            WebhooksConfig {
                allow_private: true,
                retry_base_secs: 0
            }
        );
        for bad in ["-1", "3601", "soon"] {
            let err =
                Config::from_sources(None, &env(&[("CERTDIRECT_WEBHOOKS_RETRY_BASE_SECS", bad)]))
                    .unwrap_err()
                    .to_string();
            assert!(err.contains("CERTDIRECT_WEBHOOKS_RETRY_BASE_SECS"), "{err}");
        }
        assert_eq!(c.invoice_issuer.name, "Shop");
        assert_eq!(c.support_email, "shop@example.jp");
        assert_eq!(c.jobs_billing_secs, 1);
        assert_eq!(c.test_clock_file, Some(PathBuf::from("/tmp/clock")));
        assert!(c.start_warnings().is_empty(), "{:?}", c.start_warnings());
    }

    #[test]
    fn perspectives_are_name_at_region_equals_url() {
        let ok = parse_perspectives(
            "tokyo-1@ap-northeast=https://p1.example:8443, osaka@ap-northeast=http://127.0.0.1:9001",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(
            (ok[0].name.as_str(), ok[0].region.as_str()),
            ("tokyo-1", "ap-northeast")
        );
        assert_eq!(ok[1].url.as_str(), "http://127.0.0.1:9001/");
        for (bad, says) in [
            ("tokyo=https://x", "no @region"),
            ("tokyo@ap", "not name@region=URL"),
            ("tok yo@ap=https://x", "letters, digits"),
            ("a@r=ftp://x", "http:// or https://"),
            ("a@r=https://x,a@s=https://y", "given twice"),
        ] {
            let e = parse_perspectives(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
        let e = Config::from_sources(
            None,
            &env(&[("CERTDIRECT_MPIC_PERSPECTIVES", "a@r=https://x")]),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("CERTDIRECT_MPIC_SECRET"), "{e}");
        let e = Config::from_sources(
            None,
            &env(&[
                ("CERTDIRECT_MPIC_PERSPECTIVES", "a@r=https://x"),
                ("CERTDIRECT_MPIC_SECRET", &"s".repeat(32)),
                ("CERTDIRECT_MPIC_MIN_REMOTE", "5"),
            ]),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("CERTDIRECT_MPIC_MIN_REMOTE"),
            "{e}"
        );
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("certdirect.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nva_http_port = 5002\nva_allow_private = true\n",
        )
        .unwrap();
        let c = Config::from_sources(
            Some(&file),
            &env(&[("CERTDIRECT_LISTEN", "127.0.0.1:9001")]),
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9001);
        assert_eq!(c.va_http_port, 5002);
        assert!(c.va_allow_private);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let table = [
            ("CERTDIRECT_LISTEN", "localhost", "CERTDIRECT_LISTEN"),
            (
                "CERTDIRECT_VA_HTTP_PORT",
                "99999",
                "CERTDIRECT_VA_HTTP_PORT",
            ),
            (
                "CERTDIRECT_VA_DNS_SERVERS",
                "127.0.0.1:53,nonsense",
                "CERTDIRECT_VA_DNS_SERVERS",
            ),
            (
                "CERTDIRECT_DATABASE_URL",
                "mysql://x",
                "CERTDIRECT_DATABASE_URL",
            ),
            ("CERTDIRECT_PUBLIC_URL", "ftp://x", "CERTDIRECT_PUBLIC_URL"),
            (
                "CERTDIRECT_VA_ALLOW_PRIVATE",
                "maybe",
                "CERTDIRECT_VA_ALLOW_PRIVATE",
            ),
            ("CERTDIRECT_TLS_CERT", "/x.pem", "CERTDIRECT_TLS_KEY"),
            ("CERTDIRECT_SMTP_URL", "http://mail", "CERTDIRECT_SMTP_URL"),
            ("CERTDIRECT_SESSION_HOURS", "0", "CERTDIRECT_SESSION_HOURS"),
            ("CERTDIRECT_PRODUCTS", "dv:1=abc", "CERTDIRECT_PRODUCTS"),
            (
                "CERTDIRECT_CERT_VALIDITY_DAYS",
                "200",
                "CERTDIRECT_CERT_VALIDITY_DAYS",
            ),
            (
                "CERTDIRECT_EAB_ENCRYPTION_KEY",
                "c2hvcnQ=",
                "CERTDIRECT_EAB_ENCRYPTION_KEY",
            ),
            (
                "CERTDIRECT_TRUSTED_PROXIES",
                "10.0.0.1,proxy.example.jp",
                "CERTDIRECT_TRUSTED_PROXIES",
            ),
            (
                "CERTDIRECT_TRUSTED_PROXIES",
                "10.0.0.0/40",
                "CERTDIRECT_TRUSTED_PROXIES",
            ),
            (
                "CERTDIRECT_CAA_IDENTITIES",
                ",",
                "CERTDIRECT_CAA_IDENTITIES",
            ),
            (
                "CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS",
                "/nonexistent/anchors",
                "CERTDIRECT_VA_DNSSEC_TRUST_ANCHORS",
            ),
            (
                "CERTDIRECT_ACME_PROFILES",
                r#"[{"name":"x","description":"X","days":400}]"#,
                "CERTDIRECT_ACME_PROFILES",
            ),
            (
                "CERTDIRECT_ACME_DEFAULT_PROFILE",
                "weekly",
                "CERTDIRECT_ACME_DEFAULT_PROFILE",
            ),
            (
                "CERTDIRECT_INVOICE_REGISTRATION_NUMBER",
                "1234567890123",
                "CERTDIRECT_INVOICE_REGISTRATION_NUMBER",
            ),
            (
                "CERTDIRECT_INVOICE_REGISTRATION_NUMBER",
                "T12345678901",
                "CERTDIRECT_INVOICE_REGISTRATION_NUMBER",
            ),
            (
                "CERTDIRECT_SUPPORT_EMAIL",
                "not an address",
                "CERTDIRECT_SUPPORT_EMAIL",
            ),
            (
                "CERTDIRECT_JOBS_BILLING_SECS",
                "0",
                "CERTDIRECT_JOBS_BILLING_SECS",
            ),
            (
                "CERTDIRECT_JOBS_HOUSEKEEPING_SECS",
                "86401",
                "CERTDIRECT_JOBS_HOUSEKEEPING_SECS",
            ),
            (
                "CERTDIRECT_JOBS_HOUSEKEEPING_SECS",
                "5m",
                "CERTDIRECT_JOBS_HOUSEKEEPING_SECS",
            ),
        ];
        for (var, value, named) in table {
            let err = Config::from_sources(None, &env(&[(var, value)])).unwrap_err();
            assert!(err.to_string().starts_with(named), "{var}={value}: {err}");
        }
    }

    /// R-ACME-9: classic (the configured validity) and shortlived by default; in the file,
    /// profiles are an array of tables, read like the JSON of the variable.
    #[test]
    fn profiles_come_from_the_variable_or_the_file() {
        let c =
            Config::from_sources(None, &env(&[("CERTDIRECT_CERT_VALIDITY_DAYS", "60")])).unwrap();
        let names: Vec<&str> = c.profiles.all().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["classic", "shortlived"]);
        assert_eq!(c.profiles.default_profile().validity_days, 60);
        let c = Config::from_sources(
            None,
            &env(&[("CERTDIRECT_ACME_DEFAULT_PROFILE", "shortlived")]),
        )
        .unwrap();
        assert_eq!(c.profiles.default_profile().name, "shortlived");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[[acme_profiles]]\nname = \"classic\"\ndescription = { en = \"Classic\", ja = \"標準\" }\n\n[[acme_profiles]]\nname = \"dvonly\"\ndescription = \"DV only\"\ndays = 30\nproducts = [\"dv\"]\n",
        )
        .unwrap();
        let c = Config::from_sources(Some(&file), &HashMap::new()).unwrap();
        let dvonly = c.profiles.get("dvonly").unwrap();
        assert_eq!(dvonly.validity_days, 30);
        assert_eq!(dvonly.products, [shared::fqdn::CertType::Dv]);
        assert_eq!(c.profiles.get("classic").unwrap().description_ja, "標準");
        std::fs::write(&file, "[[acme_profiles]]\nname = \"x\"\n").unwrap();
        let e = Config::from_sources(Some(&file), &HashMap::new()).unwrap_err();
        assert!(e.to_string().starts_with("acme_profiles in "), "{e}");
        assert!(e.to_string().contains("description"), "{e}");
    }

    #[test]
    fn trusted_proxies_are_addresses_and_blocks() {
        let c = Config::from_sources(
            None,
            &env(&[(
                "CERTDIRECT_TRUSTED_PROXIES",
                "127.0.0.1, 10.0.0.0/8,fd00::/8",
            )]),
        )
        .unwrap();
        assert_eq!(c.trusted_proxies.len(), 3);
        assert!(c.trusted_proxies[1].contains("10.9.8.7".parse().unwrap()));
        let none = Config::from_sources(None, &HashMap::new()).unwrap();
        assert!(none.trusted_proxies.is_empty());
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "lisen = \"127.0.0.1:1\"\n").unwrap();
        let err = Config::from_sources(Some(&file), &HashMap::new()).unwrap_err();
        assert!(err.to_string().contains("unknown key \"lisen\""), "{err}");
    }

    #[test]
    fn tls_makes_the_default_public_url_https_and_cookies_secure() {
        let c = Config::from_sources(None, &env(&[("CERTDIRECT_TLS_SELF_SIGNED", "1")])).unwrap();
        assert_eq!(c.tls, Some(TlsConfig::SelfSigned));
        assert_eq!(c.public_url.scheme(), "https");
        assert!(c.secure_cookies());
    }

    #[test]
    fn certificate_urls_are_http() {
        let c = Config::from_sources(
            None,
            &env(&[("CERTDIRECT_PUBLIC_URL", "https://ca.example.jp")]),
        )
        .unwrap();
        assert_eq!(c.crl_url, "http://ca.example.jp/ca/intermediate.crl");
        assert_eq!(c.ca_issuers_url, "http://ca.example.jp/ca/intermediate.der");
        let c = Config::from_sources(
            None,
            &env(&[("CERTDIRECT_PUBLIC_URL", "https://ca.example.jp:8443/")]),
        )
        .unwrap();
        assert_eq!(c.crl_url, "http://ca.example.jp:8443/ca/intermediate.crl");
        for (key, value) in [
            (
                "CERTDIRECT_CRL_URL",
                "https://ca.example.jp/ca/intermediate.crl",
            ),
            ("CERTDIRECT_CA_ISSUERS_URL", "ftp://ca.example.jp/x.der"),
            ("CERTDIRECT_CRL_URL", "not a url"),
            ("CERTDIRECT_CRL_URL", "http://ca.example.jp/crl?x=1"),
        ] {
            let err = Config::from_sources(None, &env(&[(key, value)])).unwrap_err();
            assert!(err.to_string().contains(key), "{key}={value}: {err}");
        }
        let ok = Config::from_sources(
            None,
            &env(&[("CERTDIRECT_CRL_URL", "http://crl.example.jp/int.crl")]),
        )
        .unwrap();
        assert_eq!(ok.crl_url, "http://crl.example.jp/int.crl");
    }
}
