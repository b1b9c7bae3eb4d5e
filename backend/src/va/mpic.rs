//! Multi-perspective issuance corroboration (R-VAL-7, BR 3.2.2.9): the primary sends each
//! [`Check`] to every remote perspective (`certdirect serve --role perspective`) at once, with a
//! deadline, and applies the BR quorum to what they saw. Requests and answers are authenticated
//! by an HMAC over the timestamp and the body with the shared `CERTDIRECT_MPIC_SECRET`.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Context;
use ring::hmac;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Check, Failure, FailureKind, Outcome, VaConfig};
use crate::config::{Config, MpicPerspective};

/// The perspective's one endpoint.
pub const PATH: &str = "/mpic/v1/validate";
pub const TIMESTAMP_HEADER: &str = "x-certdirect-mpic-timestamp";
pub const SIGNATURE_HEADER: &str = "x-certdirect-mpic-signature";
/// How far a signed timestamp may be from the receiver's clock.
pub const MAX_SKEW_SECS: i64 = 300;
/// The BR require at least this many remote perspectives from 2026-12-15 …
pub const BR_MIN_REMOTE: usize = 5;
/// … in at least this many regions.
pub const BR_MIN_REGIONS: usize = 2;

/// What one remote perspective saw of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteResult {
    pub perspective: String,
    pub region: String,
    /// Whether it saw what the primary needs (the challenge met and CAA permitting issuance).
    pub corroborated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<Value>,
}

impl RemoteResult {
    fn from_outcome(p: &MpicPerspective, outcome: Outcome) -> Self {
        RemoteResult {
            perspective: p.name.clone(),
            region: p.region.clone(),
            corroborated: outcome.result.is_ok(),
            failure: outcome.result.err(),
            records: outcome.records,
        }
    }

    fn unreachable(p: &MpicPerspective, why: impl std::fmt::Display) -> Self {
        RemoteResult {
            perspective: p.name.clone(),
            region: p.region.clone(),
            corroborated: false,
            failure: Some(Failure::new(
                FailureKind::Connection,
                format!("the perspective could not be asked: {why}"),
            )),
            records: Vec::new(),
        }
    }

    /// `name@region`, as refusals name perspectives.
    pub fn label(&self) -> String {
        format!("{}@{}", self.perspective, self.region)
    }
}

/// How many remote perspectives may disagree or fail (BR 3.2.2.9's table): with 2–5 remote
/// perspectives one, with 6 or more two. With a single remote perspective none may.
pub fn allowed_disagreements(remote: usize) -> usize {
    match remote {
        0 | 1 => 0,
        2..=5 => 1,
        _ => 2,
    }
}

/// The verdict of a corroborated check: the primary's own result must pass, no more remote
/// perspectives than the quorum allows may disagree (a perspective that did not answer counts as
/// disagreeing), and the perspectives that corroborate must come from at least two regions when
/// two or more are configured (BR 3.2.2.9: at least two Regional Internet Registries' service
/// regions). A refusal names every perspective that disagreed and what it saw.
pub fn decide(primary: &Result<(), Failure>, remotes: &[RemoteResult]) -> Result<(), Failure> {
    primary.clone()?;
    let disagreeing: Vec<&RemoteResult> = remotes.iter().filter(|r| !r.corroborated).collect();
    let allowed = allowed_disagreements(remotes.len());
    let named = || {
        disagreeing
            .iter()
            .map(|r| match &r.failure {
                Some(f) => format!("{}: {}", r.label(), f.detail),
                None => r.label(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let kind = || {
        disagreeing
            .iter()
            .find_map(|r| r.failure.as_ref().map(|f| f.kind))
            .unwrap_or(FailureKind::Unauthorized)
    };
    if disagreeing.len() > allowed {
        return Err(Failure::new(
            kind(),
            format!(
                "{} of {} remote validation perspectives did not corroborate the result (at most {allowed} may): {}",
                disagreeing.len(),
                remotes.len(),
                named()
            ),
        ));
    }
    let configured: BTreeSet<&str> = remotes.iter().map(|r| r.region.as_str()).collect();
    let corroborating: BTreeSet<&str> = remotes
        .iter()
        .filter(|r| r.corroborated)
        .map(|r| r.region.as_str())
        .collect();
    let needed = configured.len().min(BR_MIN_REGIONS);
    if corroborating.len() < needed {
        return Err(Failure::new(
            kind(),
            format!(
                "the remote perspectives that corroborated the result are all in {} (at least {needed} regions must agree); the others did not: {}",
                corroborating.iter().copied().collect::<Vec<_>>().join(", "),
                named()
            ),
        ));
    }
    Ok(())
}

/// Whether the configured perspectives meet BR 3.2.2.9's minimum (5 remote in 2 regions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compliance {
    Compliant,
    NotCompliant(String),
}

pub fn compliance(perspectives: &[MpicPerspective]) -> Compliance {
    let regions: BTreeSet<&str> = perspectives.iter().map(|p| p.region.as_str()).collect();
    if perspectives.len() >= BR_MIN_REMOTE && regions.len() >= BR_MIN_REGIONS {
        Compliance::Compliant
    } else {
        Compliance::NotCompliant(format!(
            "{} remote perspective(s) in {} region(s) are configured; the Baseline Requirements ask for at least {BR_MIN_REMOTE} in at least {BR_MIN_REGIONS} regions (CERTDIRECT_MPIC_PERSPECTIVES)",
            perspectives.len(),
            regions.len()
        ))
    }
}

fn key(secret: &str) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes())
}

fn message(timestamp: i64, body: &[u8]) -> Vec<u8> {
    [timestamp.to_string().as_bytes(), b".", body].concat()
}

/// The signature header's value for `body` sent at `timestamp` (seconds since the epoch).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(hmac::sign(&key(secret), &message(timestamp, body)).as_ref())
}

/// Why a signed message was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers are required")]
    Missing,
    #[error("the timestamp is more than {MAX_SKEW_SECS} seconds away from this clock")]
    Stale,
    #[error("the signature does not match (a different CERTDIRECT_MPIC_SECRET?)")]
    BadSignature,
}

/// Checks a message's timestamp and signature headers against the shared secret.
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), AuthError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(AuthError::Missing);
    };
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| AuthError::Missing)?;
    if (now - timestamp).abs() > MAX_SKEW_SECS {
        return Err(AuthError::Stale);
    }
    let signature = hex::decode(signature.trim()).map_err(|_| AuthError::BadSignature)?;
    hmac::verify(&key(secret), &message(timestamp, body), &signature)
        .map_err(|_| AuthError::BadSignature)
}

/// Seconds since the epoch by the system clock (signatures use real time on both sides, never a
/// test clock).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The primary's side: the configured perspectives and a client to ask them.
pub struct Remotes {
    perspectives: Vec<MpicPerspective>,
    secret: String,
    http: reqwest::Client,
    deadline: Duration,
}

impl Remotes {
    /// The configured perspectives, or `None` when there are none. `va_timeout` bounds each
    /// perspective's own work; the deadline adds a little for the network.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Remotes>> {
        let mpic = &config.mpic;
        if mpic.perspectives.is_empty() {
            return Ok(None);
        }
        let secret = mpic
            .secret
            .clone()
            .context("CERTDIRECT_MPIC_SECRET is required with CERTDIRECT_MPIC_PERSPECTIVES")?;
        let deadline = Duration::from_secs(config.va_timeout_secs + 5);
        let mut builder = reqwest::Client::builder()
            .timeout(deadline)
            .connect_timeout(Duration::from_secs(5))
            .no_proxy()
            .user_agent("CertDirect-MPIC/1");
        if let Some(path) = &mpic.ca {
            let pem = std::fs::read(path)
                .with_context(|| format!("reading CERTDIRECT_MPIC_CA {}", path.display()))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("CERTDIRECT_MPIC_CA {} is not PEM", path.display()))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        Ok(Some(Remotes {
            perspectives: mpic.perspectives.clone(),
            secret,
            http: builder.build().context("building the MPIC client")?,
            deadline,
        }))
    }

    pub fn perspectives(&self) -> &[MpicPerspective] {
        &self.perspectives
    }

    async fn ask(&self, p: &MpicPerspective, body: &[u8]) -> RemoteResult {
        let url = match p.url.join(PATH.trim_start_matches('/')) {
            Ok(url) => url,
            Err(e) => return RemoteResult::unreachable(p, e),
        };
        let timestamp = unix_now();
        let sent = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, sign(&self.secret, timestamp, body))
            .body(body.to_vec())
            .send();
        let res = match tokio::time::timeout(self.deadline, sent).await {
            Err(_) => {
                return RemoteResult::unreachable(
                    p,
                    format!("no answer within {} seconds", self.deadline.as_secs()),
                )
            }
            Ok(Err(e)) => return RemoteResult::unreachable(p, e),
            Ok(Ok(res)) => res,
        };
        let status = res.status();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (ts, sig) = (header(TIMESTAMP_HEADER), header(SIGNATURE_HEADER));
        let answer = match res.bytes().await {
            Ok(b) => b,
            Err(e) => return RemoteResult::unreachable(p, e),
        };
        if !status.is_success() {
            let text = String::from_utf8_lossy(&answer[..answer.len().min(300)]).into_owned();
            return RemoteResult::unreachable(p, format!("it answered {status}: {text}"));
        }
        if let Err(e) = verify(
            &self.secret,
            ts.as_deref(),
            sig.as_deref(),
            &answer,
            unix_now(),
        ) {
            return RemoteResult::unreachable(p, format!("its answer is not authentic: {e}"));
        }
        match serde_json::from_slice::<Outcome>(&answer) {
            Ok(outcome) => RemoteResult::from_outcome(p, outcome),
            Err(e) => RemoteResult::unreachable(p, format!("its answer is not an outcome: {e}")),
        }
    }

    /// Sends `check` to every perspective at once; one result per perspective, in configuration
    /// order.
    pub async fn corroborate(&self, check: &Check) -> Vec<RemoteResult> {
        let body = serde_json::to_vec(check).expect("a check serialises");
        let asks = self.perspectives.iter().map(|p| self.ask(p, &body));
        futures_util::future::join_all(asks).await
    }
}

/// Validates `check` from the primary and, when configured, every remote perspective at the same
/// time. The outcome carries the primary's records and the verdict after the quorum.
pub async fn validate(
    va: &VaConfig,
    remotes: Option<&Remotes>,
    check: &Check,
) -> (Outcome, Vec<RemoteResult>) {
    let Some(remotes) = remotes else {
        return (super::validate(va, check).await, Vec::new());
    };
    let (primary, results) = tokio::join!(super::validate(va, check), remotes.corroborate(check));
    let result = decide(&primary.result, &results);
    (
        Outcome {
            records: primary.records,
            result,
        },
        results,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(name: &str, ok: bool) -> RemoteResult {
        RemoteResult {
            perspective: name.into(),
            region: "r".into(),
            corroborated: ok,
            failure: (!ok)
                .then(|| Failure::new(FailureKind::Unauthorized, format!("{name} saw no record"))),
            records: vec![],
        }
    }

    fn perspective(name: &str, region: &str) -> MpicPerspective {
        MpicPerspective {
            name: name.into(),
            region: region.into(),
            url: url::Url::parse("https://p.example").unwrap(),
        }
    }

    #[test]
    fn the_quorum_follows_the_br_table() {
        // (remote perspectives, how many disagree, corroborated?)
        let table = [
            (0, 0, true),
            (1, 0, true),
            (1, 1, false),
            (2, 1, true),
            (3, 0, true),
            (3, 1, true),
            (3, 2, false),
            (5, 1, true),
            (5, 2, false),
            (6, 2, true),
            (6, 3, false),
            (9, 2, true),
        ];
        for (n, bad, ok) in table {
            let remotes: Vec<RemoteResult> =
                (0..n).map(|i| remote(&format!("p{i}"), i >= bad)).collect();
            assert_eq!(
                decide(&Ok(()), &remotes).is_ok(),
                ok,
                "{n} remote, {bad} disagreeing"
            );
        }
    }

    #[test]
    fn a_refusal_names_the_perspectives_that_disagreed() {
        let remotes = [
            remote("tokyo", false),
            remote("osaka", true),
            remote("sapporo", false),
        ];
        let err = decide(&Ok(()), &remotes).unwrap_err();
        assert_eq!(err.kind, FailureKind::Unauthorized);
        assert!(err.detail.starts_with("2 of 3 remote"), "{}", err.detail);
        assert!(
            err.detail.contains("tokyo@r: tokyo saw no record"),
            "{}",
            err.detail
        );
        assert!(err.detail.contains("sapporo@r"), "{}", err.detail);
        assert!(!err.detail.contains("osaka"), "{}", err.detail);
    }

    #[test]
    fn the_agreeing_perspectives_must_span_two_regions() {
        let at = |name: &str, region: &str, ok: bool| RemoteResult {
            region: region.into(),
            ..remote(name, ok)
        };
        // Three in jp, one in us: the us one failing leaves only jp agreeing.
        let one_region_left = [
            at("a", "jp", true),
            at("b", "jp", true),
            at("c", "jp", true),
            at("d", "us", false),
        ];
        let err = decide(&Ok(()), &one_region_left).unwrap_err();
        assert!(err.detail.contains("all in jp"), "{}", err.detail);
        assert!(err.detail.contains("d@us"), "{}", err.detail);
        let both = [
            at("a", "jp", true),
            at("b", "jp", false),
            at("c", "jp", true),
            at("d", "us", true),
        ];
        assert_eq!(decide(&Ok(()), &both), Ok(()));
        // A deployment with a single region cannot meet the rule; it is reported as not
        // compliant at start and in /api/v1/health rather than refusing every validation.
        let single = [
            at("a", "jp", true),
            at("b", "jp", false),
            at("c", "jp", true),
        ];
        assert_eq!(decide(&Ok(()), &single), Ok(()));
    }

    #[test]
    fn the_primary_must_pass_itself() {
        let primary = Err(Failure::new(FailureKind::Dns, "SERVFAIL"));
        assert_eq!(
            decide(&primary, &[remote("a", true), remote("b", true)]),
            primary
        );
    }

    #[test]
    fn five_perspectives_in_two_regions_comply() {
        let two_regions: Vec<_> = (0..5)
            .map(|i| perspective(&format!("p{i}"), if i < 3 { "jp-east" } else { "jp-west" }))
            .collect();
        assert_eq!(compliance(&two_regions), Compliance::Compliant);
        let one_region: Vec<_> = (0..5)
            .map(|i| perspective(&format!("p{i}"), "jp"))
            .collect();
        assert!(matches!(
            compliance(&one_region),
            Compliance::NotCompliant(_)
        ));
        assert!(matches!(
            compliance(&two_regions[..4]),
            Compliance::NotCompliant(_)
        ));
    }

    #[test]
    fn signatures_bind_the_body_the_time_and_the_secret() {
        let secret = "s".repeat(32);
        let now = 1_800_000_000;
        let sig = sign(&secret, now, b"{}");
        let ts = now.to_string();
        assert_eq!(
            verify(&secret, Some(&ts), Some(&sig), b"{}", now + 10),
            Ok(())
        );
        assert_eq!(
            verify(&secret, Some(&ts), Some(&sig), b"{ }", now),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify(&"t".repeat(32), Some(&ts), Some(&sig), b"{}", now),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify(
                &secret,
                Some(&ts),
                Some(&sig),
                b"{}",
                now + MAX_SKEW_SECS + 1
            ),
            Err(AuthError::Stale)
        );
        assert_eq!(
            verify(&secret, None, Some(&sig), b"{}", now),
            Err(AuthError::Missing)
        );
    }
}
