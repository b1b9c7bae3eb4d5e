//! Encryption at rest for secrets the server must be able to read back, such as EAB HMAC keys
//! (R-EAB-4): AES-256-GCM with a key from configuration, so a database dump alone reveals nothing.

use std::path::Path;

use anyhow::{bail, Context};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use crate::config::Config;
use crate::jose::{b64, unb64};

pub struct SecretBox {
    key: LessSafeKey,
    /// For keys derived from this one (HMAC-SHA256 with a label), e.g. the ACME nonce key.
    derive: ring::hmac::Key,
}

/// The key file made in the data directory when no key is configured.
pub const KEY_FILE: &str = "eab-encryption.key";

impl SecretBox {
    pub fn new(key: &[u8; 32]) -> Self {
        let unbound = UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte AES-256 key");
        Self {
            key: LessSafeKey::new(unbound),
            derive: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key),
        }
    }

    /// A 32-byte key for another purpose, the same in every process that shares this key and
    /// unrelated to it for anyone without it (HMAC-SHA256 of `label`).
    pub fn derive_key(&self, label: &str) -> [u8; 32] {
        let tag = ring::hmac::sign(&self.derive, label.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// The configured key (`CERTDIRECT_EAB_ENCRYPTION_KEY`), or the key file in the data
    /// directory, made on first start with owner-only permissions.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        if let Some(key) = &config.eab_encryption_key {
            return Ok(Self::new(key));
        }
        let path = config.data_dir.join(KEY_FILE);
        let key = load_or_create_key(&path)?;
        Ok(Self::new(&key))
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. the EAB key id); returns (nonce, ciphertext).
    pub fn seal(&self, plaintext: &[u8], context: &str) -> (String, String) {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system random generator");
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .expect("AES-GCM sealing of a short message");
        (b64(&nonce), b64(&buf))
    }

    /// Decrypts what `seal` made for the same `context`.
    pub fn open(&self, nonce: &str, ciphertext: &str, context: &str) -> anyhow::Result<Vec<u8>> {
        let nonce: [u8; NONCE_LEN] = unb64("nonce", nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .context("the stored nonce is damaged")?;
        let mut buf = unb64("ciphertext", ciphertext)
            .ok()
            .context("the stored ciphertext is damaged")?;
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .map_err(|_| {
                anyhow::anyhow!(
                    "cannot decrypt: the encryption key differs from the one that sealed it"
                )
            })?;
        Ok(plain.to_vec())
    }
}

fn load_or_create_key(path: &Path) -> anyhow::Result<[u8; 32]> {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = engine
                .decode(text.trim())
                .with_context(|| format!("{} is not base64", path.display()))?;
            match bytes.try_into() {
                Ok(key) => Ok(key),
                Err(_) => bail!("{} must hold 32 bytes in base64", path.display()),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            SystemRandom::new()
                .fill(&mut key)
                .map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            write_private(path, engine.encode(key).as_bytes())?;
            tracing::warn!(
                path = %path.display(),
                "made a new EAB encryption key; back it up, and give every server process the same key \
                 (CERTDIRECT_EAB_ENCRYPTION_KEY) when several share one database"
            );
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn write_private(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(data)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_bound_to_its_context() {
        let sb = SecretBox::new(&[7u8; 32]);
        let (nonce, ct) = sb.seal(b"hmac key bytes", "kid-1");
        assert!(!ct.contains("hmac"));
        assert_eq!(sb.open(&nonce, &ct, "kid-1").unwrap(), b"hmac key bytes");
        assert!(
            sb.open(&nonce, &ct, "kid-2").is_err(),
            "moved to another row"
        );
        assert!(
            SecretBox::new(&[8u8; 32])
                .open(&nonce, &ct, "kid-1")
                .is_err(),
            "another key"
        );
        let (nonce2, _) = sb.seal(b"hmac key bytes", "kid-1");
        assert_ne!(nonce, nonce2);
    }

    #[test]
    fn a_key_file_is_made_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let a = load_or_create_key(&path).unwrap();
        let b = load_or_create_key(&path).unwrap();
        assert_eq!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}
