//! JSON Web Signatures and keys as ACME uses them (RFC 7515, RFC 7517, RFC 7638, RFC 8555 §6.2):
//! flattened JSON serialization only, ES256 / ES384 / RS256 (RSA ≥ 2048) / EdDSA (Ed25519),
//! and the HS256 MAC of External Account Binding.
//!
//! A neutral module: the ACME front end, the CA (CSR keys), the validators (key authorizations)
//! and the secret box all use it, and it knows nothing of HTTP. Signature and MAC checks are
//! `jsonwebtoken`'s (`DecodingKey` built from the JWK, its `Algorithm`s); what stays here is what
//! that crate does not do for a JWS that is not a JWT: the flattened-JSON parsing, the header
//! rules of RFC 7515 §4.1.11 (`crit`) and RFC 7797 (`b64`), and JWK checks and thumbprints.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The algorithms accepted on the outer JWS, in the order advertised.
pub const ALGORITHMS: &[&str] = &["ES256", "ES384", "RS256", "EdDSA"];
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

/// What is wrong with a JWS or a key; the ACME front end turns each kind into its problem type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoseError {
    /// The JWS or a member of it is not well formed.
    Malformed(String),
    /// The key is not one this CA accepts.
    BadPublicKey(String),
    /// The algorithm is not accepted (with this key).
    BadSignatureAlgorithm(String),
    /// Well formed, but the signature does not verify.
    BadSignature(String),
}

impl JoseError {
    pub fn detail(&self) -> &str {
        match self {
            JoseError::Malformed(d)
            | JoseError::BadPublicKey(d)
            | JoseError::BadSignatureAlgorithm(d)
            | JoseError::BadSignature(d) => d,
        }
    }

    /// The same error with `context: ` put before its detail.
    pub fn within(self, context: &str) -> JoseError {
        let wrap = |d: String| format!("{context}: {d}");
        match self {
            JoseError::Malformed(d) => JoseError::Malformed(wrap(d)),
            JoseError::BadPublicKey(d) => JoseError::BadPublicKey(wrap(d)),
            JoseError::BadSignatureAlgorithm(d) => JoseError::BadSignatureAlgorithm(wrap(d)),
            JoseError::BadSignature(d) => JoseError::BadSignature(wrap(d)),
        }
    }
}

impl std::fmt::Display for JoseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.detail())
    }
}

impl std::error::Error for JoseError {}

fn malformed(detail: impl Into<String>) -> JoseError {
    JoseError::Malformed(detail.into())
}

fn bad_key(detail: impl Into<String>) -> JoseError {
    JoseError::BadPublicKey(detail.into())
}

/// base64url without padding (RFC 7515 §2).
pub fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Decodes unpadded base64url; `field` names what was decoded in the error.
pub fn unb64(field: &str, s: &str) -> Result<Vec<u8>, JoseError> {
    // RFC 7515 base64url has no padding; reject padding and the standard alphabet alike.
    URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| malformed(format!("{field} is not valid unpadded base64url")))
}

/// A public key from a JWK (RFC 7517), reduced to what can verify signatures. Members are held
/// in their minimal encoding (leading zero octets of RSA integers removed), so two JWKs of the
/// same key compare equal and have the same thumbprint.
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
    signature_b64: String,
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

impl Jws {
    /// Parses a request body that must be one flattened JWS object.
    pub fn parse(body: &[u8]) -> Result<Jws, JoseError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| malformed(format!("the body is not a JSON object: {e}")))?;
        Self::from_value(value)
    }

    /// The same as [`Jws::parse`] for a JWS already read as JSON (the EAB inside a payload).
    pub fn from_value(value: Value) -> Result<Jws, JoseError> {
        if value.get("signatures").is_some() {
            return Err(malformed(
                "the general JWS serialization is not accepted; use the flattened one",
            ));
        }
        let flat: Flattened = serde_json::from_value(value)
            .map_err(|e| malformed(format!("the body is not a flattened JWS: {e}")))?;
        if flat.header.is_some() {
            return Err(malformed("unprotected JWS headers are not accepted"));
        }
        let protected_b64 = flat
            .protected
            .ok_or_else(|| malformed("the JWS has no \"protected\" header"))?;
        let payload_b64 = flat
            .payload
            .ok_or_else(|| malformed("the JWS has no \"payload\""))?;
        let signature_b64 = flat
            .signature
            .ok_or_else(|| malformed("the JWS has no \"signature\""))?;
        let header_bytes = unb64("the protected header", &protected_b64)?;
        let header: Map<String, Value> = serde_json::from_slice(&header_bytes)
            .map_err(|e| malformed(format!("the protected header is not a JSON object: {e}")))?;
        let protected = parse_protected(&header)?;
        let payload = unb64("the payload", &payload_b64)?;
        unb64("the signature", &signature_b64)?;
        Ok(Jws {
            protected,
            protected_b64,
            payload_b64,
            signature_b64,
            payload,
        })
    }

    /// The payload as JSON; `None` for the empty payload of a POST-as-GET.
    pub fn payload_json(&self) -> Result<Option<Value>, JoseError> {
        if self.payload.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&self.payload)
            .map(Some)
            .map_err(|e| malformed(format!("the payload is not JSON: {e}")))
    }

    fn signing_input(&self) -> String {
        format!("{}.{}", self.protected_b64, self.payload_b64)
    }

    /// Verifies the signature with `key` under the header's algorithm.
    pub fn verify(&self, key: &Jwk) -> Result<(), JoseError> {
        let (algorithm, decoding) = key.decoding_key(&self.protected.alg)?;
        let ok = jsonwebtoken::crypto::verify(
            &self.signature_b64,
            self.signing_input().as_bytes(),
            &decoding,
            algorithm,
        )
        .unwrap_or(false);
        if ok {
            Ok(())
        } else {
            Err(JoseError::BadSignature(
                "the JWS signature does not verify with the key".into(),
            ))
        }
    }

    /// Verifies an HS256 MAC (External Account Binding) with `key`.
    pub fn verify_hs256(&self, key: &[u8]) -> bool {
        jsonwebtoken::crypto::verify(
            &self.signature_b64,
            self.signing_input().as_bytes(),
            &DecodingKey::from_secret(key),
            Algorithm::HS256,
        )
        .unwrap_or(false)
    }
}

fn parse_protected(header: &Map<String, Value>) -> Result<Protected, JoseError> {
    let string = |name: &str| -> Result<Option<String>, JoseError> {
        match header.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(malformed(format!(
                "the protected header's \"{name}\" must be a string"
            ))),
        }
    };
    // RFC 7515 §4.1.11: a recipient must refuse a JWS whose critical extensions it does not
    // understand, and this server understands none; RFC 7797's unencoded payload is refused
    // outright, whatever `crit` says (R-ACME-2).
    if header.contains_key("crit") {
        return Err(malformed(
            "the protected header lists \"crit\" extensions; this server supports none",
        ));
    }
    if header.contains_key("b64") {
        return Err(malformed(
            "the protected header has \"b64\"; unencoded payloads (RFC 7797) are not accepted",
        ));
    }
    let alg = string("alg")?.ok_or_else(|| malformed("the protected header has no \"alg\""))?;
    let jwk = header.get("jwk").map(Jwk::from_json).transpose()?;
    Ok(Protected {
        alg,
        nonce: string("nonce")?,
        url: string("url")?,
        jwk,
        kid: string("kid")?,
    })
}

/// Drops leading zero octets: the minimal big-endian form of an unsigned integer.
fn minimal(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

impl Jwk {
    pub fn from_json(value: &Value) -> Result<Jwk, JoseError> {
        let obj = value
            .as_object()
            .ok_or_else(|| malformed("\"jwk\" must be a JSON object"))?;
        let field = |name: &str| -> Result<String, JoseError> {
            obj.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| bad_key(format!("the JWK has no \"{name}\" string")))
        };
        if obj.contains_key("d") || obj.contains_key("k") {
            return Err(bad_key(
                "the JWK holds private key material; send only the public key",
            ));
        }
        match field("kty")?.as_str() {
            "EC" => Ok(Jwk::Ec {
                crv: field("crv")?,
                x: field("x")?,
                y: field("y")?,
            }),
            "RSA" => Ok(Jwk::rsa(
                &unb64("the JWK's n", &field("n")?)?,
                &unb64("the JWK's e", &field("e")?)?,
            )),
            "OKP" => Ok(Jwk::Okp {
                crv: field("crv")?,
                x: field("x")?,
            }),
            other => Err(bad_key(format!(
                "key type {other:?} is not supported; use EC, RSA or OKP"
            ))),
        }
    }

    /// An RSA key from its modulus and exponent, in minimal form.
    pub fn rsa(n: &[u8], e: &[u8]) -> Jwk {
        Jwk::Rsa {
            n: b64(minimal(n)),
            e: b64(minimal(e)),
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
    pub fn check(&self) -> Result<(), JoseError> {
        match self {
            Jwk::Ec { crv, x, y } => {
                let len = match crv.as_str() {
                    "P-256" => 32,
                    "P-384" => 48,
                    other => {
                        return Err(bad_key(format!(
                            "EC curve {other:?} is not supported; use P-256 or P-384"
                        )))
                    }
                };
                if unb64("the JWK's x", x)?.len() != len || unb64("the JWK's y", y)?.len() != len {
                    return Err(bad_key(format!(
                        "the {crv} JWK's coordinates must be {len} bytes"
                    )));
                }
                Ok(())
            }
            Jwk::Rsa { n, e } => {
                let bits = rsa_bits(&unb64("the JWK's n", n)?);
                if bits < RSA_MIN_BITS {
                    return Err(bad_key(format!(
                        "the RSA key has {bits} bits; at least {RSA_MIN_BITS} are required"
                    )));
                }
                if bits > RSA_MAX_BITS {
                    return Err(bad_key(format!(
                        "the RSA key has {bits} bits; at most {RSA_MAX_BITS} are accepted"
                    )));
                }
                let e = unb64("the JWK's e", e)?;
                if e.len() > 4
                    || e.first() == Some(&0)
                    || e.last().is_none_or(|b| b & 1 == 0)
                    || e == [1]
                {
                    return Err(bad_key("the RSA public exponent is not acceptable"));
                }
                Ok(())
            }
            Jwk::Okp { crv, x } => {
                if crv != "Ed25519" {
                    return Err(bad_key(format!(
                        "OKP curve {crv:?} is not supported; use Ed25519"
                    )));
                }
                if unb64("the JWK's x", x)?.len() != 32 {
                    return Err(bad_key("an Ed25519 JWK's x must be 32 bytes"));
                }
                Ok(())
            }
        }
    }

    /// The `jsonwebtoken` key and algorithm that verify `alg` signatures of this key, after
    /// the key's own checks; a key of another type or curve than `alg` names is refused.
    fn decoding_key(&self, alg: &str) -> Result<(Algorithm, DecodingKey), JoseError> {
        self.check()?;
        let built = match (alg, self) {
            ("ES256", Jwk::Ec { crv, x, y }) if crv == "P-256" => {
                DecodingKey::from_ec_components(x, y).map(|k| (Algorithm::ES256, k))
            }
            ("ES384", Jwk::Ec { crv, x, y }) if crv == "P-384" => {
                DecodingKey::from_ec_components(x, y).map(|k| (Algorithm::ES384, k))
            }
            ("RS256", Jwk::Rsa { n, e }) => {
                DecodingKey::from_rsa_components(n, e).map(|k| (Algorithm::RS256, k))
            }
            ("EdDSA", Jwk::Okp { crv, x }) if crv == "Ed25519" => {
                DecodingKey::from_ed_components(x).map(|k| (Algorithm::EdDSA, k))
            }
            _ => {
                return Err(JoseError::BadSignatureAlgorithm(format!(
                    "alg {alg:?} is not accepted with this key; accepted: {}",
                    ALGORITHMS.join(", ")
                )))
            }
        };
        built.map_err(|e| bad_key(format!("the JWK cannot be used: {e}")))
    }
}

/// The size in bits of a big-endian unsigned integer (0 for zero), without overflow for any input.
pub fn rsa_bits(n: &[u8]) -> usize {
    let trimmed = minimal(n);
    match trimmed.first() {
        None => 0,
        Some(first) => (trimmed.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

/// Whether `alg` is one the outer JWS may use (before looking at the key).
pub fn check_algorithm(alg: &str) -> Result<(), JoseError> {
    if ALGORITHMS.contains(&alg) {
        Ok(())
    } else {
        Err(JoseError::BadSignatureAlgorithm(format!(
            "alg {alg:?} is not accepted; accepted: {}",
            ALGORITHMS.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_jws(header: &str) -> String {
        serde_json::json!({ "protected": b64(header.as_bytes()), "payload": "", "signature": "AAAA" })
            .to_string()
    }

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
            assert!(
                matches!(Jws::parse(bad.as_bytes()), Err(JoseError::Malformed(_))),
                "{bad}"
            );
        }
    }

    /// R-ACME-2: `crit` (with anything in it) and `b64` are refused as malformed.
    #[test]
    fn crit_and_unencoded_payloads_are_refused() {
        for header in [
            r#"{"alg":"ES256","nonce":"n","url":"u","kid":"k","crit":["b64"],"b64":false}"#,
            r#"{"alg":"ES256","nonce":"n","url":"u","kid":"k","crit":["exp"],"exp":1}"#,
            r#"{"alg":"ES256","nonce":"n","url":"u","kid":"k","b64":true}"#,
            r#"{"alg":"ES256","nonce":"n","url":"u","kid":"k","crit":[]}"#,
        ] {
            let err = Jws::parse(header_jws(header).as_bytes()).unwrap_err();
            assert!(matches!(err, JoseError::Malformed(_)), "{header}: {err:?}");
        }
    }

    #[test]
    fn only_the_four_algorithms_are_accepted() {
        for alg in ALGORITHMS {
            assert!(check_algorithm(alg).is_ok());
        }
        for alg in ["none", "HS256", "RS512", "ES512", ""] {
            assert!(
                matches!(
                    check_algorithm(alg),
                    Err(JoseError::BadSignatureAlgorithm(_))
                ),
                "{alg}"
            );
        }
    }

    #[test]
    fn rsa_keys_under_2048_bits_are_refused() {
        // A 1024-bit modulus (top bit set) with e = 65537.
        let key = Jwk::rsa(&[[0xc0u8].as_slice(), &[0x11; 127]].concat(), &[1, 0, 1]);
        let err = key.check().unwrap_err();
        assert!(matches!(err, JoseError::BadPublicKey(_)));
        assert!(err.detail().contains("1024 bits"), "{err}");
        let n2048 = [[0x80u8].as_slice(), &[0x11; 255]].concat();
        assert!(Jwk::rsa(&n2048, &[1, 0, 1]).check().is_ok());
    }

    /// An all-zero or empty modulus counts as zero bits instead of underflowing.
    #[test]
    fn rsa_bit_counts_never_underflow() {
        for (n, bits) in [
            (vec![], 0),
            (vec![0u8; 256], 0),
            (vec![0, 0, 1], 1),
            (vec![0x80], 8),
            (vec![0x01, 0x00], 9),
        ] {
            assert_eq!(rsa_bits(&n), bits, "{n:?}");
        }
        let zero = Jwk::rsa(&[0u8; 256], &[1, 0, 1]);
        assert!(matches!(zero.check(), Err(JoseError::BadPublicKey(_))));
    }

    /// Leading zero octets do not make another key: the JWK is normalised.
    #[test]
    fn rsa_members_are_normalised() {
        let n = [[0x80u8].as_slice(), &[0x11; 255]].concat();
        let padded = serde_json::json!({
            "kty": "RSA",
            "n": b64(&[[0u8].as_slice(), &n].concat()),
            "e": b64(&[0, 1, 0, 1]),
        });
        let key = Jwk::from_json(&padded).unwrap();
        assert_eq!(key, Jwk::rsa(&n, &[1, 0, 1]));
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
        assert!(matches!(err, JoseError::BadPublicKey(_)));
        let err =
            Jwk::from_json(&serde_json::json!({"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}))
                .unwrap_err();
        assert!(err.detail().contains("private"));
        let err = Jwk::Ec {
            crv: "P-521".into(),
            x: "a".into(),
            y: "b".into(),
        }
        .check()
        .unwrap_err();
        assert!(matches!(err, JoseError::BadPublicKey(_)));
        let short = Jwk::Ec {
            crv: "P-256".into(),
            x: b64(&[1; 31]),
            y: b64(&[1; 32]),
        };
        assert!(matches!(short.check(), Err(JoseError::BadPublicKey(_))));
    }

    /// Signatures made with ring verify through jsonwebtoken; a changed payload does not.
    #[test]
    fn signatures_verify_and_tampering_is_caught() {
        use ring::rand::SystemRandom;
        use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let point = pair.public_key().as_ref();
        let key = Jwk::Ec {
            crv: "P-256".into(),
            x: b64(&point[1..33]),
            y: b64(&point[33..]),
        };
        let protected = b64(br#"{"alg":"ES256","nonce":"n","url":"u","kid":"k"}"#);
        let sign = |payload: &str| {
            let input = format!("{protected}.{payload}");
            b64(pair.sign(&rng, input.as_bytes()).unwrap().as_ref())
        };
        let payload = b64(b"{}");
        let jws = |payload: &str, signature: &str| {
            Jws::parse(
                serde_json::json!({ "protected": protected, "payload": payload, "signature": signature })
                    .to_string()
                    .as_bytes(),
            )
            .unwrap()
        };
        assert!(jws(&payload, &sign(&payload)).verify(&key).is_ok());
        let err = jws(&b64(b"[]"), &sign(&payload)).verify(&key).unwrap_err();
        assert!(matches!(err, JoseError::BadSignature(_)));
        let other = Jwk::Okp {
            crv: "Ed25519".into(),
            x: b64(&[7; 32]),
        };
        assert!(matches!(
            jws(&payload, &sign(&payload)).verify(&other),
            Err(JoseError::BadSignatureAlgorithm(_))
        ));
    }
}
