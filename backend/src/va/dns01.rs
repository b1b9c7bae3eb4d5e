//! dns-01 (RFC 8555 §8.4, R-VAL-2): TXT at `_acme-challenge.<name>` (a wildcard's `*.` removed);
//! any one record equal to base64url(SHA-256(key authorization)) succeeds.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{dns, Failure, FailureKind, VaConfig};
use crate::jose::b64;

/// The TXT value a key authorization asks for.
pub fn expected(key_authorization: &str) -> String {
    b64(&Sha256::digest(key_authorization.as_bytes()))
}

pub async fn validate(
    va: &VaConfig,
    identifier: &str,
    key_authorization: &str,
) -> (Vec<Value>, Result<(), Failure>) {
    let name = format!("_acme-challenge.{identifier}.");
    let want = expected(key_authorization);
    match dns::txt(&va.dns_servers, &va.dnssec, &name).await {
        Err(e) => {
            let dnssec = match e {
                dns::LookupError::Bogus(_) => "bogus",
                dns::LookupError::Failed(_) => "-",
            };
            (
                vec![json!({ "hostname": name, "error": e.detail(), "dnssec": dnssec })],
                Err(Failure::new(FailureKind::Dns, e.detail())),
            )
        }
        Ok((values, security)) => {
            let record =
                vec![json!({ "hostname": name, "txt": values, "dnssec": security.as_str() })];
            if values.iter().any(|v| v == &want) {
                (record, Ok(()))
            } else if values.is_empty() {
                (
                    record,
                    Err(Failure::new(
                        FailureKind::Unauthorized,
                        format!("no TXT record was found at {name}; add one with the value {want}"),
                    )),
                )
            } else {
                let found = values
                    .iter()
                    .map(|v| format!("{v:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let detail = format!(
                    "{} TXT record(s) at {name} ({found}), none equal to the expected {want}",
                    values.len()
                );
                (
                    record,
                    Err(Failure::new(FailureKind::IncorrectResponse, detail)),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_value_is_base64url_sha256() {
        // RFC 8555 §8.4 computes the digest of "token.thumbprint".
        assert_eq!(
            expected("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }
}
