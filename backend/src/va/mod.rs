//! The validation authority: one file per method (`http01.rs`, `dns01.rs`, `dns_persist01.rs`)
//! and the CAA check (`caa.rs`), each returning what it fetched or looked up and whether the
//! challenge was met, behind one address guard (R-VAL-4) and one DNSSEC-validating resolver
//! (`dns.rs`, R-VAL-8). No database here: `orders::validation` takes jobs from the queue, calls
//! [`validate`] and records the outcome.

pub mod caa;
pub mod dns;
pub mod dns01;
pub mod dns_persist01;
pub mod guard;
pub mod http01;
pub mod mpic;
pub mod trust_anchors;

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::acme::ChallengeType;

use crate::config::Config;
use crate::jose::Jwk;
use crate::store::entity::acme_account;

/// What the validators need from configuration.
#[derive(Debug, Clone)]
pub struct VaConfig {
    /// The most one validation may take, all hops and lookups included (shorter than the queue
    /// lease, so a slow validation is never taken over by another worker).
    pub timeout: std::time::Duration,
    pub http_port: u16,
    pub dns_servers: Vec<SocketAddr>,
    pub allow_private: bool,
    /// Our issuer domain names for CAA (R-VAL-6), lower case, never empty.
    pub caa_identities: Vec<String>,
    /// DNSSEC validation of every validation lookup (R-VAL-8).
    pub dnssec: dns::Dnssec,
}

impl VaConfig {
    pub fn from_config(c: &Config) -> Self {
        VaConfig {
            timeout: std::time::Duration::from_secs(c.va_timeout_secs),
            http_port: c.va_http_port,
            dns_servers: c.va_dns_servers.clone(),
            allow_private: c.va_allow_private,
            caa_identities: c.caa_identities.clone(),
            dnssec: c.va_dnssec.clone(),
        }
    }
}

/// The ACME error type of a failed validation (RFC 8555 §6.7, RFC 8659 `caa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    Caa,
    Connection,
    Dns,
    IncorrectResponse,
    Malformed,
    ServerInternal,
    Unauthorized,
}

impl FailureKind {
    /// The type's name after `urn:ietf:params:acme:error:`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Caa => "caa",
            FailureKind::Connection => "connection",
            FailureKind::Dns => "dns",
            FailureKind::IncorrectResponse => "incorrectResponse",
            FailureKind::Malformed => "malformed",
            FailureKind::ServerInternal => "serverInternal",
            FailureKind::Unauthorized => "unauthorized",
        }
    }
}

/// A failed validation: the ACME error type and a detail naming what was fetched or looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub detail: String,
}

impl Failure {
    pub fn new(kind: FailureKind, detail: impl Into<String>) -> Self {
        Failure {
            kind,
            detail: detail.into(),
        }
    }
}

/// The key authorization of `token` for `account` (RFC 8555 §8.1).
pub fn key_authorization(token: &str, account: &acme_account::Model) -> Result<String, String> {
    let value: serde_json::Value = serde_json::from_str(&account.jwk).map_err(|e| e.to_string())?;
    let jwk = Jwk::from_json(&value).map_err(|p| p.to_string())?;
    Ok(format!("{token}.{}", jwk.thumbprint()))
}

/// One domain validation, as the primary performs it and as it is sent to remote perspectives
/// (R-VAL-7): the challenge and then the CAA check (R-VAL-6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub method: ChallengeType,
    /// The identifier without `*.`.
    pub identifier: String,
    /// Whether the identifier is a wildcard (`issuewild` governs its CAA check).
    pub wildcard: bool,
    pub token: String,
    pub key_authorization: String,
    /// The ACME account URL, for RFC 8657 `accounturi`.
    pub account_uri: String,
    /// Only the CAA check (BR 3.2.2.8: again at issuance when the validation is older than
    /// 8 hours), with `method` the one the authorization was validated by.
    #[serde(default)]
    pub only_caa: bool,
    /// The time of the check on the primary's clock, against which dns-persist-01's
    /// `persistUntil` is judged (perspectives judge at the same time); `None`: this process's.
    #[serde(default)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// The primary's issuer domain names (`CERTDIRECT_CAA_IDENTITIES`), so that every
    /// perspective judges CAA and dns-persist-01 records against the names the CA discloses and
    /// offered in the challenge; empty: this process's own.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issuers: Vec<String>,
}

/// What one validation found: the validation record (JSON objects naming what was fetched or
/// looked up) and the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub records: Vec<Value>,
    pub result: Result<(), Failure>,
}

impl Outcome {
    pub fn failed(failure: Failure) -> Self {
        Outcome {
            records: Vec::new(),
            result: Err(failure),
        }
    }
}

/// Performs `check` from this process's vantage point, within the configured deadline.
pub async fn validate(va: &VaConfig, check: &Check) -> Outcome {
    let with_issuers;
    let va = if check.issuers.is_empty() || check.issuers == va.caa_identities {
        va
    } else {
        with_issuers = VaConfig {
            caa_identities: check.issuers.clone(),
            ..va.clone()
        };
        &with_issuers
    };
    let run = async {
        let (records, result) = match check.method {
            _ if check.only_caa => (Vec::new(), Ok(())),
            ChallengeType::Http01 => {
                http01::validate(
                    va,
                    &check.identifier,
                    &check.token,
                    &check.key_authorization,
                )
                .await
            }
            ChallengeType::Dns01 => {
                dns01::validate(va, &check.identifier, &check.key_authorization).await
            }
            ChallengeType::DnsPersist01 => {
                dns_persist01::validate(
                    va,
                    &check.identifier,
                    check.wildcard,
                    &check.account_uri,
                    check.at.unwrap_or_else(chrono::Utc::now),
                )
                .await
            }
        };
        if result.is_err() {
            return Outcome { records, result };
        }
        // R-VAL-6: CAA is checked once the challenge has been met, with the method that met it.
        let (caa_records, result) = caa::check(
            va,
            &check.identifier,
            check.wildcard,
            &check.account_uri,
            check.method,
        )
        .await;
        let mut records = records;
        records.extend(caa_records);
        Outcome { records, result }
    };
    match tokio::time::timeout(va.timeout, run).await {
        Ok(outcome) => outcome,
        Err(_) => Outcome::failed(Failure::new(
            FailureKind::Connection,
            format!(
                "validating {} by {} did not finish within {} seconds",
                check.identifier,
                check.method,
                va.timeout.as_secs()
            ),
        )),
    }
}
