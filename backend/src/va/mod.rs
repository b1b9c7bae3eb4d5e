//! The validation authority: one file per method (`http01.rs`, `dns01.rs`), each returning what it
//! fetched or looked up and whether the challenge was met, behind one address guard (R-VAL-4). No
//! database here: `orders::validation` takes jobs from the queue, calls [`validate`] and records
//! the outcome.

pub mod dns;
pub mod dns01;
pub mod guard;
pub mod http01;

use std::net::SocketAddr;

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
}

impl VaConfig {
    pub fn from_config(c: &Config) -> Self {
        VaConfig {
            timeout: std::time::Duration::from_secs(c.va_timeout_secs),
            http_port: c.va_http_port,
            dns_servers: c.va_dns_servers.clone(),
            allow_private: c.va_allow_private,
        }
    }
}

/// A failed validation: the ACME error type and a detail naming what was fetched or looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: &'static str,
    pub detail: String,
}

impl Failure {
    pub fn new(kind: &'static str, detail: impl Into<String>) -> Self {
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

/// Validates one challenge of `kind` for `identifier` (without `*.`): the validation record
/// (JSON objects naming what was fetched or looked up) and the verdict.
pub async fn validate(
    va: &VaConfig,
    kind: ChallengeType,
    identifier: &str,
    token: &str,
    key_authorization: &str,
) -> (Vec<Value>, Result<(), Failure>) {
    match kind {
        ChallengeType::Http01 => http01::validate(va, identifier, token, key_authorization).await,
        ChallengeType::Dns01 => dns01::validate(va, identifier, key_authorization).await,
    }
}
