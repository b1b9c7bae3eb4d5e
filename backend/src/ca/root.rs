//! What only the root key signs, kept out of `serve`: making the CA (`certdirect ca init`, with
//! the root key written outside the data directory by `--root-key-out`), the root's CRL
//! (`certdirect ca root-crl`) and a new intermediate certificate (`certdirect ca
//! sign-intermediate`). A serving process reads the root certificate and the root's CRL, never the
//! root key (docs/deployment.md, "The root key offline").

use std::path::{Path, PathBuf};

use rcgen::{Issuer, KeyPair, SerialNumber};

use super::{intermediate_params, key_id_of, root_params, CaPaths, RootUrls};

/// The root key's file name, in the data directory's `ca/` or in `--root-key-out`.
pub const ROOT_KEY_FILE: &str = "root.key";

/// Why `certdirect ca init` could not make or keep the CA.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("--root-key-out {}: {} is there already; refusing to overwrite a root key", .dir.display(), .file.display())]
    RootKeyExists { dir: PathBuf, file: PathBuf },
    #[error("{what} {}", .path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Sign(String),
}

/// Why an offline signing (`ca root-crl`, `ca sign-intermediate`) failed; each names the argument.
#[derive(Debug, thiserror::Error)]
pub enum OfflineError {
    #[error("--root-key {}: cannot read it", .path.display())]
    RootKeyUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--root-key {}: not a PEM private key ({reason})", .path.display())]
    RootKeyInvalid { path: PathBuf, reason: String },
    #[error("--root-cert {}: cannot read it", .path.display())]
    RootCertUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--root-cert {}: not a usable PEM CA certificate ({reason})", .path.display())]
    RootCertInvalid { path: PathBuf, reason: String },
    #[error("--root-key {} is not the key of the root certificate {}", .key.display(), .cert.display())]
    KeyMismatch { key: PathBuf, cert: PathBuf },
    #[error("--key {}: {reason}", .path.display())]
    IntermediateKey { path: PathBuf, reason: String },
    #[error("--out {}: {} is there already; refusing to overwrite it", .dir.display(), .file.display())]
    OutExists { dir: PathBuf, file: PathBuf },
    #[error("writing {}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("signing {what}: {reason}")]
    Sign { what: &'static str, reason: String },
}

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initialized {
    /// Whether it made a new CA (false: the existing one was kept).
    pub made: bool,
    /// Where the root key is now, when it is known (made here, or moved by `--root-key-out`).
    pub root_key: Option<PathBuf>,
}

/// Makes a root and an intermediate in `dir` unless they exist, with the root key in
/// `root_key_out` (made with owner-only permissions) or, without it, in `dir`, and the root's
/// first CRL. With an existing CA and `root_key_out`, moves a root key still in `dir` there.
pub fn init(
    dir: &Path,
    urls: &RootUrls,
    root_key_out: Option<&Path>,
) -> Result<Initialized, InitError> {
    let paths = CaPaths::in_dir(dir);
    let io = |what: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Io { what, path, source }
    };
    let key_path = match root_key_out {
        Some(out) => {
            create_private_dir(out).map_err(io("creating --root-key-out", out))?;
            let file = out.join(ROOT_KEY_FILE);
            if file.exists() {
                return Err(InitError::RootKeyExists {
                    dir: out.to_path_buf(),
                    file,
                });
            }
            file
        }
        None => paths.root_key.clone(),
    };
    if paths.intermediate_cert.exists() && paths.intermediate_key.exists() {
        if root_key_out.is_some() && paths.root_key.exists() {
            let pem = std::fs::read(&paths.root_key)
                .map_err(io("reading the root key", &paths.root_key))?;
            write_new(&key_path, &pem, true).map_err(io("writing the root key", &key_path))?;
            std::fs::remove_file(&paths.root_key)
                .map_err(io("removing the root key", &paths.root_key))?;
            return Ok(Initialized {
                made: false,
                root_key: Some(key_path),
            });
        }
        let root_key = paths.root_key.exists().then(|| paths.root_key.clone());
        return Ok(Initialized {
            made: false,
            root_key,
        });
    }
    std::fs::create_dir_all(dir).map_err(io("creating", dir))?;
    let sign = |what: &'static str| move |e: rcgen::Error| InitError::Sign(format!("{what}: {e}"));
    let now = time::OffsetDateTime::now_utc();
    let root_key = KeyPair::generate().map_err(sign("generating the root key"))?;
    let root_params = root_params(now, &root_key);
    let root = root_params
        .self_signed(&root_key)
        .map_err(sign("signing the root"))?;
    let root_issuer = Issuer::new(root_params, root_key);
    let int_key = KeyPair::generate().map_err(sign("generating the intermediate key"))?;
    let intermediate = intermediate_params(now, &int_key, urls)
        .signed_by(&int_key, &root_issuer)
        .map_err(sign("signing the intermediate"))?;
    let crl =
        root_crl(&root_issuer, root.der(), now).map_err(|e| InitError::Sign(e.to_string()))?;
    // The root key first: a CA whose root key could not be written is not made at all.
    write_new(
        &key_path,
        root_issuer.key().serialize_pem().as_bytes(),
        true,
    )
    .map_err(io("writing the root key", &key_path))?;
    for (path, data, private) in [
        (&paths.root_cert, root.pem().into_bytes(), false),
        (&paths.root_crl, crl, false),
        (
            &paths.intermediate_key,
            int_key.serialize_pem().into_bytes(),
            true,
        ),
        // Last: its presence is what says the CA exists.
        (
            &paths.intermediate_cert,
            intermediate.pem().into_bytes(),
            false,
        ),
    ] {
        write_atomic(path, &data, private).map_err(io("writing", path))?;
    }
    Ok(Initialized {
        made: true,
        root_key: Some(key_path),
    })
}

/// How long the root's CRL is valid: a year at most (BR 4.9.7). `serve` warns when less than
/// [`ROOT_CRL_RENEW_DAYS`] are left; `certdirect ca root-crl` re-signs it.
pub const ROOT_CRL_DAYS: i64 = 365;
pub const ROOT_CRL_RENEW_DAYS: i64 = 30;

/// The root's CRL (it revokes nothing), valid for [`ROOT_CRL_DAYS`]; its number is the seconds
/// since the epoch, increasing from one signing to the next without state.
fn root_crl(
    root: &Issuer<'_, KeyPair>,
    root_der: &[u8],
    now: time::OffsetDateTime,
) -> Result<Vec<u8>, OfflineError> {
    let sign = |reason: String| OfflineError::Sign {
        what: "the root's CRL",
        reason,
    };
    let params = rcgen::CertificateRevocationListParams {
        this_update: now,
        next_update: now + time::Duration::days(ROOT_CRL_DAYS),
        crl_number: SerialNumber::from(now.unix_timestamp().max(1) as u64),
        issuing_distribution_point: None,
        revoked_certs: Vec::new(),
        key_identifier_method: key_id_of(root_der).map_err(|e| sign(format!("{e:#}")))?,
    };
    Ok(params
        .signed_by(root)
        .map_err(|e| sign(e.to_string()))?
        .der()
        .to_vec())
}

/// The root certificate and key for an offline signing, checked to belong together.
struct Root {
    issuer: Issuer<'static, KeyPair>,
    der: Vec<u8>,
}

fn load_root(root_cert: &Path, root_key: &Path) -> Result<Root, OfflineError> {
    let cert_pem =
        std::fs::read_to_string(root_cert).map_err(|source| OfflineError::RootCertUnreadable {
            path: root_cert.to_path_buf(),
            source,
        })?;
    let key_pem =
        std::fs::read_to_string(root_key).map_err(|source| OfflineError::RootKeyUnreadable {
            path: root_key.to_path_buf(),
            source,
        })?;
    let key = KeyPair::from_pem(&key_pem).map_err(|e| OfflineError::RootKeyInvalid {
        path: root_key.to_path_buf(),
        reason: e.to_string(),
    })?;
    let cert_invalid = |reason: String| OfflineError::RootCertInvalid {
        path: root_cert.to_path_buf(),
        reason,
    };
    let der =
        super::pem_to_der(&cert_pem, "the root").map_err(|e| cert_invalid(format!("{e:#}")))?;
    let (_, parsed) =
        x509_parser::parse_x509_certificate(&der).map_err(|e| cert_invalid(e.to_string()))?;
    if parsed.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
        return Err(OfflineError::KeyMismatch {
            key: root_key.to_path_buf(),
            cert: root_cert.to_path_buf(),
        });
    }
    let issuer =
        Issuer::from_ca_cert_pem(&cert_pem, key).map_err(|e| cert_invalid(e.to_string()))?;
    Ok(Root { issuer, der })
}

/// `certdirect ca root-crl`: signs a fresh root CRL with the root key and writes it to `out`
/// (replacing the previous one in one rename, so a serving process never reads half of it).
/// Returns its nextUpdate.
pub fn sign_root_crl(
    root_cert: &Path,
    root_key: &Path,
    out: &Path,
    now: time::OffsetDateTime,
) -> Result<time::OffsetDateTime, OfflineError> {
    let root = load_root(root_cert, root_key)?;
    let crl = root_crl(&root.issuer, &root.der, now)?;
    write_atomic(out, &crl, false).map_err(|source| OfflineError::Write {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(now + time::Duration::days(ROOT_CRL_DAYS))
}

/// The files `sign_intermediate` wrote.
#[derive(Debug, Clone)]
pub struct SignedIntermediate {
    pub cert: PathBuf,
    /// The new key, when none was given.
    pub key: Option<PathBuf>,
}

/// `certdirect ca sign-intermediate`: a new intermediate certificate signed by the root, for the
/// key in `key` (re-certifying the serving intermediate's key: its CRLs stay valid) or for a new
/// key; written as `intermediate.crt` (and `intermediate.key`) into `out_dir`, which must not
/// hold them yet.
pub fn sign_intermediate(
    root_cert: &Path,
    root_key: &Path,
    urls: &RootUrls,
    key: Option<&Path>,
    out_dir: &Path,
) -> Result<SignedIntermediate, OfflineError> {
    let root = load_root(root_cert, root_key)?;
    let int_key = match key {
        Some(path) => {
            let bad = |reason: String| OfflineError::IntermediateKey {
                path: path.to_path_buf(),
                reason,
            };
            let pem =
                std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
            KeyPair::from_pem(&pem).map_err(|e| bad(format!("not a PEM private key ({e})")))?
        }
        None => KeyPair::generate().map_err(|e| OfflineError::Sign {
            what: "a new intermediate key",
            reason: e.to_string(),
        })?,
    };
    let cert_path = out_dir.join("intermediate.crt");
    let key_path = out_dir.join("intermediate.key");
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OfflineError::Write { path, source }
    };
    std::fs::create_dir_all(out_dir).map_err(write_err(out_dir))?;
    for file in [&cert_path, &key_path] {
        if file.exists() {
            return Err(OfflineError::OutExists {
                dir: out_dir.to_path_buf(),
                file: file.clone(),
            });
        }
    }
    let now = time::OffsetDateTime::now_utc();
    let cert = intermediate_params(now, &int_key, urls)
        .signed_by(&int_key, &root.issuer)
        .map_err(|e| OfflineError::Sign {
            what: "the intermediate",
            reason: e.to_string(),
        })?;
    let new_key = if key.is_none() {
        write_new(&key_path, int_key.serialize_pem().as_bytes(), true)
            .map_err(write_err(&key_path))?;
        Some(key_path)
    } else {
        None
    };
    write_new(&cert_path, cert.pem().as_bytes(), false).map_err(write_err(&cert_path))?;
    Ok(SignedIntermediate {
        cert: cert_path,
        key: new_key,
    })
}

/// A directory readable only by its owner (made if missing).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes a file that must not exist yet (owner-only when `private`), synced to disk.
fn write_new(path: &Path, data: &[u8], private: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, if private { 0o600 } else { 0o644 });
    let mut file = options.open(path)?;
    let written = file.write_all(data).and_then(|()| file.sync_all());
    if written.is_err() {
        let _ = std::fs::remove_file(path);
    }
    written
}

/// Replaces `path` with `data` in one rename (a temporary file beside it first), so a reader sees
/// the old file or the new one, never half of one.
pub(crate) fn write_atomic(path: &Path, data: &[u8], private: bool) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_file(&tmp);
    write_new(&tmp, data, private)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> RootUrls {
        RootUrls::beside(
            "http://ca.example/ca/intermediate.crl",
            "http://ca.example/ca/intermediate.der",
        )
        .unwrap()
    }

    #[test]
    fn init_with_the_root_key_elsewhere_then_offline_signing() {
        let data = tempfile::tempdir().unwrap();
        let offline = tempfile::tempdir().unwrap();
        let ca = data.path().join("ca");
        let out = offline.path().join("root");
        let done = init(&ca, &urls(), Some(&out)).unwrap();
        assert!(done.made);
        assert_eq!(done.root_key, Some(out.join(ROOT_KEY_FILE)));
        let paths = CaPaths::in_dir(&ca);
        assert!(
            !paths.root_key.exists(),
            "no root key in the data directory"
        );
        for p in [
            &paths.root_cert,
            &paths.root_crl,
            &paths.intermediate_cert,
            &paths.intermediate_key,
        ] {
            assert!(p.exists(), "{}", p.display());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&out), 0o700);
            assert_eq!(mode(&out.join(ROOT_KEY_FILE)), 0o600);
            assert_eq!(mode(&paths.intermediate_key), 0o600);
        }
        // Again: the CA is kept, and a second --root-key-out never overwrites a root key.
        assert!(!init(&ca, &urls(), None).unwrap().made);
        assert!(matches!(
            init(&ca, &urls(), Some(&out)),
            Err(InitError::RootKeyExists { .. })
        ));

        // The root's CRL, re-signed offline: a later number, signed by the root.
        let root_key = out.join(ROOT_KEY_FILE);
        let before = std::fs::read(&paths.root_crl).unwrap();
        let later = time::OffsetDateTime::now_utc() + time::Duration::days(300);
        let next = sign_root_crl(&paths.root_cert, &root_key, &paths.root_crl, later).unwrap();
        assert_eq!(next, later + time::Duration::days(ROOT_CRL_DAYS));
        let after = std::fs::read(&paths.root_crl).unwrap();
        let root_der =
            super::super::pem_to_der(&std::fs::read_to_string(&paths.root_cert).unwrap(), "root")
                .unwrap();
        let (_, root) = x509_parser::parse_x509_certificate(&root_der).unwrap();
        let (_, old) = x509_parser::parse_x509_crl(&before).unwrap();
        let (_, new) = x509_parser::parse_x509_crl(&after).unwrap();
        new.verify_signature(root.public_key()).unwrap();
        assert!(new.crl_number().unwrap() > old.crl_number().unwrap());

        // A new intermediate for the serving intermediate's key, and one with a new key.
        let same = sign_intermediate(
            &paths.root_cert,
            &root_key,
            &urls(),
            Some(&paths.intermediate_key),
            &offline.path().join("same"),
        )
        .unwrap();
        assert!(same.key.is_none());
        let fresh = sign_intermediate(
            &paths.root_cert,
            &root_key,
            &urls(),
            None,
            &offline.path().join("fresh"),
        )
        .unwrap();
        assert!(fresh.key.as_ref().unwrap().exists());
        for signed in [&same, &fresh] {
            let der = super::super::pem_to_der(
                &std::fs::read_to_string(&signed.cert).unwrap(),
                "intermediate",
            )
            .unwrap();
            let (_, cert) = x509_parser::parse_x509_certificate(&der).unwrap();
            cert.verify_signature(Some(root.public_key())).unwrap();
        }
        let old_int = super::super::pem_to_der(
            &std::fs::read_to_string(&paths.intermediate_cert).unwrap(),
            "intermediate",
        )
        .unwrap();
        let same_der =
            super::super::pem_to_der(&std::fs::read_to_string(&same.cert).unwrap(), "i").unwrap();
        let (_, a) = x509_parser::parse_x509_certificate(&old_int).unwrap();
        let (_, b) = x509_parser::parse_x509_certificate(&same_der).unwrap();
        assert_eq!(a.public_key().raw, b.public_key().raw, "the same key");
        assert!(matches!(
            sign_intermediate(
                &paths.root_cert,
                &root_key,
                &urls(),
                None,
                &offline.path().join("fresh")
            ),
            Err(OfflineError::OutExists { .. })
        ));
    }

    #[test]
    fn root_key_out_moves_the_root_key_of_an_existing_ca() {
        let data = tempfile::tempdir().unwrap();
        let offline = tempfile::tempdir().unwrap();
        let ca = data.path().join("ca");
        let made = init(&ca, &urls(), None).unwrap();
        let paths = CaPaths::in_dir(&ca);
        assert_eq!(made.root_key, Some(paths.root_key.clone()));
        let pem = std::fs::read(&paths.root_key).unwrap();
        let out = offline.path().join("root");
        let moved = init(&ca, &urls(), Some(&out)).unwrap();
        assert!(!moved.made);
        assert_eq!(moved.root_key, Some(out.join(ROOT_KEY_FILE)));
        assert_eq!(std::fs::read(out.join(ROOT_KEY_FILE)).unwrap(), pem);
        assert!(!paths.root_key.exists());
        assert_eq!(init(&ca, &urls(), None).unwrap().root_key, None);
    }

    #[test]
    fn offline_signing_names_what_is_wrong() {
        let data = tempfile::tempdir().unwrap();
        let ca = data.path().join("ca");
        init(&ca, &urls(), None).unwrap();
        let paths = CaPaths::in_dir(&ca);
        let now = time::OffsetDateTime::now_utc();
        let out = data.path().join("x.crl");
        let missing = data.path().join("missing.key");
        let err = sign_root_crl(&paths.root_cert, &missing, &out, now).unwrap_err();
        assert!(
            matches!(err, OfflineError::RootKeyUnreadable { .. }),
            "{err}"
        );
        assert!(err.to_string().starts_with("--root-key "), "{err}");
        // The intermediate's key is a key, but not the root's.
        let err = sign_root_crl(&paths.root_cert, &paths.intermediate_key, &out, now).unwrap_err();
        assert!(matches!(err, OfflineError::KeyMismatch { .. }), "{err}");
        let err = sign_root_crl(&paths.root_cert, &paths.root_cert, &out, now).unwrap_err();
        assert!(matches!(err, OfflineError::RootKeyInvalid { .. }), "{err}");
        let err = sign_root_crl(&paths.root_key, &paths.root_key, &out, now).unwrap_err();
        assert!(matches!(err, OfflineError::RootCertInvalid { .. }), "{err}");
        assert!(!out.exists(), "nothing written");
    }
}
