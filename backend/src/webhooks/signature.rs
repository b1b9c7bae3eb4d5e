//! The Standard Webhooks signing scheme (standardwebhooks.com, spec section "Signature scheme"):
//! a secret `whsec_` + base64 of random bytes; the signed content `{webhook-id}.{webhook-timestamp}.{body}`;
//! the signature `v1,` + base64 of its HMAC-SHA256 under the secret's bytes. Pure functions.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;
use ring::hmac;

/// What every secret starts with (the Standard Webhooks convention).
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a new secret (the specification asks for 24 to 64).
pub const SECRET_BYTES: usize = 32;

/// A fresh secret: `whsec_` and base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The key bytes of a secret (with or without its prefix), if it is base64 of 24 to 64 bytes.
pub fn decode_secret(secret: &str) -> Option<Vec<u8>> {
    let raw = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    STANDARD
        .decode(raw)
        .ok()
        .filter(|k| (24..=64).contains(&k.len()))
}

/// The `webhook-signature` value for one message.
pub fn sign(key: &[u8], msg_id: &str, timestamp: i64, body: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let content = format!("{msg_id}.{timestamp}.{body}");
    let tag = hmac::sign(&key, content.as_bytes());
    format!("v1,{}", STANDARD.encode(tag.as_ref()))
}

/// Whether `header` (space-separated `v1,…` entries) holds a valid signature of the message.
/// The receivers' side, for tests and for the documentation's example.
pub fn verify(key: &[u8], msg_id: &str, timestamp: i64, body: &str, header: &str) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let content = format!("{msg_id}.{timestamp}.{body}");
    header.split_whitespace().any(|entry| {
        entry
            .strip_prefix("v1,")
            .and_then(|sig| STANDARD.decode(sig).ok())
            .is_some_and(|sig| hmac::verify(&key, content.as_bytes(), &sig).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector published with the Standard Webhooks reference libraries.
    const VECTOR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const VECTOR_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const VECTOR_TS: i64 = 1_614_265_330;
    const VECTOR_BODY: &str = r#"{"test": 2432232314}"#;
    const VECTOR_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signs_the_published_test_vector() {
        let key = decode_secret(VECTOR_SECRET).unwrap();
        assert_eq!(sign(&key, VECTOR_ID, VECTOR_TS, VECTOR_BODY), VECTOR_SIG);
        assert!(verify(&key, VECTOR_ID, VECTOR_TS, VECTOR_BODY, VECTOR_SIG));
        // Several signatures, space-separated (key rotation): one valid entry is enough.
        assert!(verify(
            &key,
            VECTOR_ID,
            VECTOR_TS,
            VECTOR_BODY,
            &format!("v1,AAAA {VECTOR_SIG}")
        ));
    }

    #[test]
    fn changed_id_timestamp_body_or_version_does_not_verify() {
        let key = decode_secret(VECTOR_SECRET).unwrap();
        for (id, ts, body, sig) in [
            ("msg_other", VECTOR_TS, VECTOR_BODY, VECTOR_SIG),
            (VECTOR_ID, VECTOR_TS + 1, VECTOR_BODY, VECTOR_SIG),
            (VECTOR_ID, VECTOR_TS, r#"{"test": 2432232315}"#, VECTOR_SIG),
            (
                VECTOR_ID,
                VECTOR_TS,
                VECTOR_BODY,
                "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            ),
            (VECTOR_ID, VECTOR_TS, VECTOR_BODY, ""),
        ] {
            assert!(!verify(&key, id, ts, body, sig), "{id} {ts} {body} {sig}");
        }
    }

    #[test]
    fn new_secrets_have_the_standard_shape() {
        let s = new_secret();
        assert!(s.starts_with(SECRET_PREFIX), "{s}");
        assert_eq!(decode_secret(&s).unwrap().len(), SECRET_BYTES);
        assert_ne!(s, new_secret());
        for bad in ["", "whsec_", "whsec_!!!", "whsec_c2hvcnQ="] {
            assert_eq!(decode_secret(bad), None, "{bad}");
        }
    }
}
