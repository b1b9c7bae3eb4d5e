//! A test-side ACME client at the JWS level: real keys, real signatures, and the freedom to
//! build every malformed request the server must refuse.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use serde_json::{json, Value};

pub fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

type SignFn = Box<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

pub struct Signer {
    pub alg: &'static str,
    pub jwk: Value,
    sign: SignFn,
    /// The private key (PKCS#8 DER), where the test needs it, e.g. to build a CSR with it.
    pub pkcs8: Option<Vec<u8>>,
}

impl Signer {
    pub fn es256() -> Signer {
        Self::ec(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            "ES256",
            "P-256",
            32,
        )
    }

    pub fn es384() -> Signer {
        Self::ec(
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            "ES384",
            "P-384",
            48,
        )
    }

    fn ec(
        algo: &'static signature::EcdsaSigningAlgorithm,
        alg: &'static str,
        crv: &str,
        len: usize,
    ) -> Signer {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(algo, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(algo, pkcs8.as_ref(), &rng).unwrap();
        let public = pair.public_key().as_ref().to_vec();
        let jwk = json!({ "kty": "EC", "crv": crv, "x": b64(&public[1..1 + len]), "y": b64(&public[1 + len..]) });
        Signer {
            alg,
            jwk,
            sign: Box::new(move |m| {
                pair.sign(&SystemRandom::new(), m)
                    .unwrap()
                    .as_ref()
                    .to_vec()
            }),
            pkcs8: Some(pkcs8.as_ref().to_vec()),
        }
    }

    /// A signer for an rcgen P-256 key (e.g. a certificate's key).
    pub fn from_rcgen_p256(key: &rcgen::KeyPair) -> Signer {
        let algo = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let der = key.serialize_der();
        let pair = EcdsaKeyPair::from_pkcs8(algo, &der, &SystemRandom::new()).unwrap();
        let public = pair.public_key().as_ref().to_vec();
        let jwk = json!({ "kty": "EC", "crv": "P-256", "x": b64(&public[1..33]), "y": b64(&public[33..]) });
        Signer {
            alg: "ES256",
            jwk,
            sign: Box::new(move |m| {
                pair.sign(&SystemRandom::new(), m)
                    .unwrap()
                    .as_ref()
                    .to_vec()
            }),
            pkcs8: Some(der),
        }
    }

    pub fn ed25519() -> Signer {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let jwk = json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref()) });
        Signer {
            alg: "EdDSA",
            jwk,
            sign: Box::new(move |m| pair.sign(m).as_ref().to_vec()),
            pkcs8: None,
        }
    }

    /// RS256 with the 2048-bit test key (PKCS#1 DER) in tests/fixtures.
    pub fn rs256() -> Signer {
        let der = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/rsa2048.der"
        ))
        .unwrap();
        let pair = RsaKeyPair::from_der(&der).unwrap();
        let components = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
        let jwk = json!({ "kty": "RSA", "n": b64(&components.n), "e": b64(&components.e) });
        Signer {
            alg: "RS256",
            jwk,
            sign: Box::new(move |m| {
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(
                    &signature::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    m,
                    &mut sig,
                )
                .unwrap();
                sig
            }),
            pkcs8: None,
        }
    }

    /// A flattened JWS over `payload` with the given protected header.
    pub fn jws(&self, protected: &Value, payload: &[u8]) -> Value {
        let protected = b64(protected.to_string().as_bytes());
        let payload = b64(payload);
        let sig = (self.sign)(format!("{protected}.{payload}").as_bytes());
        json!({ "protected": protected, "payload": payload, "signature": b64(&sig) })
    }

    /// The protected header of a request identified by this key.
    pub fn jwk_header(&self, nonce: &str, url: &str) -> Value {
        json!({ "alg": self.alg, "jwk": self.jwk, "nonce": nonce, "url": url })
    }

    pub fn kid_header(&self, kid: &str, nonce: &str, url: &str) -> Value {
        json!({ "alg": self.alg, "kid": kid, "nonce": nonce, "url": url })
    }
}

/// An External Account Binding (RFC 8555 §7.3.4) over `jwk`.
pub fn eab(kid: &str, hmac_b64: &str, url: &str, jwk: &Value) -> Value {
    let key = URL_SAFE_NO_PAD.decode(hmac_b64).unwrap();
    let protected = b64(json!({ "alg": "HS256", "kid": kid, "url": url })
        .to_string()
        .as_bytes());
    let payload = b64(jwk.to_string().as_bytes());
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
        format!("{protected}.{payload}").as_bytes(),
    );
    json!({ "protected": protected, "payload": payload, "signature": b64(mac.as_ref()) })
}

/// A minimal ACME transport over reqwest.
pub struct Acme {
    pub base: String,
    http: reqwest::Client,
    /// Sent as `Accept-Language` with every request when set (R-ACME-11).
    accept_language: Option<String>,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts an ACME problem of this type (`urn:ietf:params:acme:error:<kind>`).
    pub fn expect_problem(&self, kind: &str) -> &str {
        assert_eq!(
            self.body["type"],
            format!("urn:ietf:params:acme:error:{kind}"),
            "{} {}",
            self.status,
            self.body
        );
        assert_eq!(self.headers["content-type"], "application/problem+json");
        assert!(
            self.headers.contains_key("replay-nonce"),
            "errors carry a fresh nonce too"
        );
        self.body["detail"].as_str().unwrap()
    }

    pub fn location(&self) -> String {
        self.headers["location"].to_str().unwrap().to_owned()
    }
}

impl Acme {
    pub fn new(base: &str) -> Acme {
        Acme {
            base: base.to_owned(),
            http: reqwest::Client::new(),
            accept_language: None,
        }
    }

    /// The same transport sending `Accept-Language: <value>` (R-ACME-11).
    pub fn with_language(base: &str, value: &str) -> Acme {
        Acme {
            accept_language: Some(value.to_owned()),
            ..Acme::new(base)
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/acme{path}", self.base)
    }

    pub async fn nonce(&self) -> String {
        let res = self.http.head(self.url("/new-nonce")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        res.headers()["replay-nonce"].to_str().unwrap().to_owned()
    }

    pub async fn post_raw(&self, url: &str, body: String, content_type: &str) -> Reply {
        let mut req = self.http.post(url).header("content-type", content_type);
        if let Some(lang) = &self.accept_language {
            req = req.header("accept-language", lang);
        }
        let res = req.body(body).send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, url: &str, jws: &Value) -> Reply {
        self.post_raw(url, jws.to_string(), "application/jose+json")
            .await
    }

    /// newAccount signed by `signer`, with an EAB built from `(kid, hmac)` unless `eab` is None.
    pub async fn new_account(&self, signer: &Signer, eab_creds: Option<(&str, &str)>) -> Reply {
        let url = self.url("/new-account");
        let mut payload =
            json!({ "termsOfServiceAgreed": true, "contact": ["mailto:ops@example.jp"] });
        if let Some((kid, hmac)) = eab_creds {
            payload["externalAccountBinding"] = eab(kid, hmac, &url, &signer.jwk);
        }
        let nonce = self.nonce().await;
        let jws = signer.jws(
            &signer.jwk_header(&nonce, &url),
            payload.to_string().as_bytes(),
        );
        self.post(&url, &jws).await
    }

    /// A POST signed with `kid`; like real clients it retries (twice) on badNonce, which a
    /// process on another clock may cause by purging nonces it considers expired.
    pub async fn post_kid(&self, signer: &Signer, kid: &str, url: &str, payload: &[u8]) -> Reply {
        let mut attempts = 0;
        loop {
            let nonce = self.nonce().await;
            let jws = signer.jws(&signer.kid_header(kid, &nonce, url), payload);
            let reply = self.post(url, &jws).await;
            attempts += 1;
            if reply.body["type"] != "urn:ietf:params:acme:error:badNonce" || attempts == 3 {
                return reply;
            }
        }
    }
}
