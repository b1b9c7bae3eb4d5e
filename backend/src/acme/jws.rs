//! JSON Web Signatures as ACME uses them (RFC 8555 §6.2, RFC 7515): flattened JSON
//! serialization only, ES256 / ES384 / RS256 (RSA ≥ 2048) / EdDSA (Ed25519), `jwk` xor `kid`.
//! Parsing and verification only; the handlers decide what a verified request may do.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{self, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::problem::AcmeProblem;

/// The algorithms accepted on the outer JWS, in the order advertised.
pub const ALGORITHMS: &[&str] = &["ES256", "ES384", "RS256", "EdDSA"];
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

/// A public key from a JWK (RFC 7517), reduced to what can verify signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jwk {
    Ec { crv: String, x: String, y: String },
    Rsa { n: String, e: String },
    Okp { crv: String, x: String },
}

/// The protected header fields ACME uses.
#[derive(Debug, Clone)]
pub struct Protected {
    pub alg: String,
    pub nonce: Option<String>,
    pub url: Option<String>,
    pub jwk: Option<Jwk>,
    pub kid: Option<String>,
}

/// A parsed, not yet verified, flattened JWS.
#[derive(Debug, Clone)]
pub struct Jws {
    pub protected: Protected,
    protected_b64: String,
    payload_b64: String,
    signature: Vec<u8>,
    pub payload: Vec<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Flattened {
    protected: Option<String>,
    payload: Option<String>,
    signature: Option<String>,
    header: Option<Value>,
}

pub fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

pub fn unb64(field: &str, s: &str) -> Result<Vec<u8>, AcmeProblem> {
    // RFC 7515 base64url has no padding; reject padding and the standard alphabet alike.
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| AcmeProblem::malformed(format!("{field} is not valid unpadded base64url")))
}

impl Jws {
    /// Parses a request body that must be one flattened JWS object.
    pub fn parse(body: &[u8]) -> Result<Jws, AcmeProblem> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| AcmeProblem::malformed(format!("the body is not a JSON object: {e}")))?;
        if value.get("signatures").is_some() {
            return Err(AcmeProblem::malformed(
                "the general JWS serialization is not accepted; use the flattened one",
            ));
        }
        let flat: Flattened = serde_json::from_value(value)
            .map_err(|e| AcmeProblem::malformed(format!("the body is not a flattened JWS: {e}")))?;
        if flat.header.is_some() {
            return Err(AcmeProblem::malformed(
                "unprotected JWS headers are not accepted",
            ));
        }
        let protected_b64 = flat
            .protected
            .ok_or_else(|| AcmeProblem::malformed("the JWS has no \"protected\" header"))?;
        let payload_b64 = flat
            .payload
            .ok_or_else(|| AcmeProblem::malformed("the JWS has no \"payload\""))?;
        let signature_b64 = flat
            .signature
            .ok_or_else(|| AcmeProblem::malformed("the JWS has no \"signature\""))?;
        let header_bytes = unb64("the protected header", &protected_b64)?;
        let header: Map<String, Value> = serde_json::from_slice(&header_bytes).map_err(|e| {
            AcmeProblem::malformed(format!("the protected header is not a JSON object: {e}"))
        })?;
        let protected = parse_protected(&header)?;
        let payload = unb64("the payload", &payload_b64)?;
        let signature = unb64("the signature", &signature_b64)?;
        Ok(Jws {
            protected,
            protected_b64,
            payload_b64,
            signature,
            payload,
        })
    }

    /// The payload as JSON; `None` for the empty payload of a POST-as-GET.
    pub fn payload_json(&self) -> Result<Option<Value>, AcmeProblem> {
        if self.payload.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&self.payload)
            .map(Some)
            .map_err(|e| AcmeProblem::malformed(format!("the payload is not JSON: {e}")))
    }

    /// Verifies the signature with `key` under the header's algorithm.
    pub fn verify(&self, key: &Jwk) -> Result<(), AcmeProblem> {
        let signing_input = format!("{}.{}", self.protected_b64, self.payload_b64);
        verify_signature(
            &self.protected.alg,
            key,
            signing_input.as_bytes(),
            &self.signature,
        )
    }

    /// Verifies an HS256 MAC (External Account Binding) with `key`.
    pub fn verify_hs256(&self, key: &[u8]) -> bool {
        let signing_input = format!("{}.{}", self.protected_b64, self.payload_b64);
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
        ring::hmac::verify(&key, signing_input.as_bytes(), &self.signature).is_ok()
    }
}

fn parse_protected(header: &Map<String, Value>) -> Result<Protected, AcmeProblem> {
    let string = |name: &str| -> Result<Option<String>, AcmeProblem> {
        match header.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(AcmeProblem::malformed(format!(
                "the protected header's \"{name}\" must be a string"
            ))),
        }
    };
    let alg = string("alg")?
        .ok_or_else(|| AcmeProblem::malformed("the protected header has no \"alg\""))?;
    let jwk = header.get("jwk").map(Jwk::from_json).transpose()?;
    Ok(Protected {
        alg,
        nonce: string("nonce")?,
        url: string("url")?,
        jwk,
        kid: string("kid")?,
    })
}

impl Jwk {
    pub fn from_json(value: &Value) -> Result<Jwk, AcmeProblem> {
        let obj = value
            .as_object()
            .ok_or_else(|| AcmeProblem::malformed("\"jwk\" must be a JSON object"))?;
        let field = |name: &str| -> Result<String, AcmeProblem> {
            obj.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    AcmeProblem::bad_public_key(format!("the JWK has no \"{name}\" string"))
                })
        };
        if obj.contains_key("d") || obj.contains_key("k") {
            return Err(AcmeProblem::bad_public_key(
                "the JWK holds private key material; send only the public key",
            ));
        }
        match field("kty")?.as_str() {
            "EC" => Ok(Jwk::Ec {
                crv: field("crv")?,
                x: field("x")?,
                y: field("y")?,
            }),
            "RSA" => Ok(Jwk::Rsa {
                n: field("n")?,
                e: field("e")?,
            }),
            "OKP" => Ok(Jwk::Okp {
                crv: field("crv")?,
                x: field("x")?,
            }),
            other => Err(AcmeProblem::bad_public_key(format!(
                "key type {other:?} is not supported; use EC, RSA or OKP"
            ))),
        }
    }

    /// The canonical JSON of RFC 7638 (required members only, sorted, no spaces).
    pub fn canonical_json(&self) -> String {
        match self {
            Jwk::Ec { crv, x, y } => format!(r#"{{"crv":"{crv}","kty":"EC","x":"{x}","y":"{y}"}}"#),
            Jwk::Rsa { n, e } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
            Jwk::Okp { crv, x } => format!(r#"{{"crv":"{crv}","kty":"OKP","x":"{x}"}}"#),
        }
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url: the key's identity.
    pub fn thumbprint(&self) -> String {
        b64(&Sha256::digest(self.canonical_json().as_bytes()))
    }

    /// The key as a JSON object.
    pub fn to_json(&self) -> Value {
        serde_json::from_str(&self.canonical_json()).unwrap_or(Value::Null)
    }

    /// Checks the key is one the CA accepts (curve, RSA size and exponent, coordinate lengths).
    pub fn check(&self) -> Result<(), AcmeProblem> {
        match self {
            Jwk::Ec { crv, x, y } => {
                let len = match crv.as_str() {
                    "P-256" => 32,
                    "P-384" => 48,
                    other => {
                        return Err(AcmeProblem::bad_public_key(format!(
                            "EC curve {other:?} is not supported; use P-256 or P-384"
                        )))
                    }
                };
                if unb64("the JWK's x", x)?.len() != len || unb64("the JWK's y", y)?.len() != len {
                    return Err(AcmeProblem::bad_public_key(format!(
                        "the {crv} JWK's coordinates must be {len} bytes"
                    )));
                }
                Ok(())
            }
            Jwk::Rsa { n, e } => {
                let bits = rsa_bits(&unb64("the JWK's n", n)?);
                if bits < RSA_MIN_BITS {
                    return Err(AcmeProblem::bad_public_key(format!(
                        "the RSA key has {bits} bits; at least {RSA_MIN_BITS} are required"
                    )));
                }
                if bits > RSA_MAX_BITS {
                    return Err(AcmeProblem::bad_public_key(format!(
                        "the RSA key has {bits} bits; at most {RSA_MAX_BITS} are accepted"
                    )));
                }
                let e = unb64("the JWK's e", e)?;
                if e.len() > 4
                    || e.first() == Some(&0)
                    || e.last().is_none_or(|b| b & 1 == 0)
                    || e == [1]
                {
                    return Err(AcmeProblem::bad_public_key(
                        "the RSA public exponent is not acceptable",
                    ));
                }
                Ok(())
            }
            Jwk::Okp { crv, x } => {
                if crv != "Ed25519" {
                    return Err(AcmeProblem::bad_public_key(format!(
                        "OKP curve {crv:?} is not supported; use Ed25519"
                    )));
                }
                if unb64("the JWK's x", x)?.len() != 32 {
                    return Err(AcmeProblem::bad_public_key(
                        "an Ed25519 JWK's x must be 32 bytes",
                    ));
                }
                Ok(())
            }
        }
    }
}

fn rsa_bits(n: &[u8]) -> usize {
    let trimmed: &[u8] = {
        let start = n.iter().position(|b| *b != 0).unwrap_or(n.len());
        &n[start..]
    };
    match trimmed.first() {
        None => 0,
        Some(first) => trimmed.len() * 8 - first.leading_zeros() as usize,
    }
}

fn verify_signature(alg: &str, key: &Jwk, message: &[u8], sig: &[u8]) -> Result<(), AcmeProblem> {
    key.check()?;
    let bad_alg = || {
        AcmeProblem::bad_signature_algorithm(format!(
            "alg {alg:?} is not accepted with this key; accepted: {}",
            ALGORITHMS.join(", ")
        ))
    };
    let ok = match (alg, key) {
        ("ES256", Jwk::Ec { crv, x, y }) if crv == "P-256" => {
            let point = [vec![4u8], unb64("x", x)?, unb64("y", y)?].concat();
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(message, sig)
                .is_ok()
        }
        ("ES384", Jwk::Ec { crv, x, y }) if crv == "P-384" => {
            let point = [vec![4u8], unb64("x", x)?, unb64("y", y)?].concat();
            UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, point)
                .verify(message, sig)
                .is_ok()
        }
        ("RS256", Jwk::Rsa { n, e }) => signature::RsaPublicKeyComponents {
            n: unb64("n", n)?,
            e: unb64("e", e)?,
        }
        .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
        .is_ok(),
        ("EdDSA", Jwk::Okp { crv, x }) if crv == "Ed25519" => {
            UnparsedPublicKey::new(&signature::ED25519, unb64("x", x)?)
                .verify(message, sig)
                .is_ok()
        }
        _ => return Err(bad_alg()),
    };
    if ok {
        Ok(())
    } else {
        Err(AcmeProblem::malformed(
            "the JWS signature does not verify with the key",
        ))
    }
}

/// Whether `alg` is one the outer JWS may use (before looking at the key).
pub fn check_algorithm(alg: &str) -> Result<(), AcmeProblem> {
    if ALGORITHMS.contains(&alg) {
        Ok(())
    } else {
        Err(AcmeProblem::bad_signature_algorithm(format!(
            "alg {alg:?} is not accepted; accepted: {}",
            ALGORITHMS.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_flattened_serialization_is_accepted() {
        let header = b64(br#"{"alg":"ES256","nonce":"n","url":"u","kid":"k"}"#);
        let good = serde_json::json!({ "protected": header, "payload": "", "signature": "AAAA" });
        assert!(Jws::parse(good.to_string().as_bytes()).is_ok());
        let compact = format!("{header}..AAAA");
        let general = serde_json::json!({ "payload": "", "signatures": [{ "protected": header, "signature": "AAAA" }] });
        let mut unprotected = good.clone();
        unprotected["header"] = serde_json::json!({ "kid": "x" });
        let mut padded = good.clone();
        padded["signature"] = "AAAA=".into();
        let mut not_b64 = good.clone();
        not_b64["protected"] = "eyJ!".into();
        for bad in [
            compact,
            general.to_string(),
            unprotected.to_string(),
            padded.to_string(),
            not_b64.to_string(),
        ] {
            assert_eq!(
                Jws::parse(bad.as_bytes()).unwrap_err().kind,
                "malformed",
                "{bad}"
            );
        }
    }

    #[test]
    fn only_the_four_algorithms_are_accepted() {
        for alg in ALGORITHMS {
            assert!(check_algorithm(alg).is_ok());
        }
        for alg in ["none", "HS256", "RS512", "ES512", ""] {
            let err = check_algorithm(alg).unwrap_err();
            assert_eq!(err.kind, "badSignatureAlgorithm", "{alg}");
            assert_eq!(err.to_json()["algorithms"], serde_json::json!(ALGORITHMS));
        }
    }

    #[test]
    fn rsa_keys_under_2048_bits_are_refused() {
        // A 1024-bit modulus (top bit set) with e = 65537.
        let n = b64(&[[0xc0u8].as_slice(), &[0x11; 127]].concat());
        let key = Jwk::Rsa {
            n,
            e: b64(&[1, 0, 1]),
        };
        let err = key.check().unwrap_err();
        assert_eq!(err.kind, "badPublicKey");
        assert!(err.detail.contains("1024 bits"), "{}", err.detail);
        let n2048 = b64(&[[0x80u8].as_slice(), &[0x11; 255]].concat());
        assert!(Jwk::Rsa {
            n: n2048,
            e: b64(&[1, 0, 1])
        }
        .check()
        .is_ok());
    }

    #[test]
    fn thumbprint_matches_rfc_7638_example() {
        // RFC 7638 §3.1.
        let key = Jwk::Rsa {
            n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".into(),
            e: "AQAB".into(),
        };
        assert_eq!(
            key.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn private_keys_and_unsupported_curves_are_refused() {
        let err = Jwk::from_json(&serde_json::json!({"kty":"oct","k":"abc"})).unwrap_err();
        assert_eq!(err.kind, "badPublicKey");
        let err =
            Jwk::from_json(&serde_json::json!({"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}))
                .unwrap_err();
        assert!(err.detail.contains("private"));
        let err = Jwk::Ec {
            crv: "P-521".into(),
            x: "a".into(),
            y: "b".into(),
        }
        .check()
        .unwrap_err();
        assert_eq!(err.kind, "badPublicKey");
        let short = Jwk::Ec {
            crv: "P-256".into(),
            x: b64(&[1; 31]),
            y: b64(&[1; 32]),
        };
        assert_eq!(short.check().unwrap_err().kind, "badPublicKey");
    }
}
