//! `certdirect backup` and `certdirect restore`: one tar archive with a manifest, holding a
//! consistent copy of the SQLite database (`VACUUM INTO` through the server's own connection
//! settings, so it is one snapshot even while servers write), the CA files and the EAB encryption
//! key file. The archive is laid out as a data directory, so a restore is an extraction (checked
//! against the manifest's SHA-256 sums) into a new directory to start a server on.
//!
//! On PostgreSQL the database is the operator's to dump (pg_dump or base backups,
//! docs/deployment.md): `backup` refuses unless `--files-only` says that only the files are meant.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;

/// The first entry of every archive.
pub const MANIFEST: &str = "manifest.json";
/// The archive format this version writes and reads.
pub const FORMAT: u32 = 1;
/// The database's name in the archive (and in a restored data directory, where it is the default
/// `CERTDIRECT_DATABASE_URL`).
pub const DATABASE_FILE: &str = "certdirect.db";

/// What an archive holds (`manifest.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub created_at: DateTime<Utc>,
    pub certdirect_version: String,
    /// `sqlite` or `postgresql`.
    pub database_engine: String,
    /// The database file in the archive; `None` for PostgreSQL (`--files-only`).
    pub database_file: Option<String>,
    /// How the EAB encryption key is handled: in the archive, or configured and not in it.
    pub eab_encryption_key: String,
    pub files: Vec<FileEntry>,
    /// What the archive deliberately leaves out, and where to get it instead.
    pub not_included: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative to the data directory.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    /// Restored readable by the owner only (keys, the database).
    pub private: bool,
}

/// Why `certdirect backup` made no archive (nothing is left behind when it fails).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("--to {}: the file exists already; choose a new name (a backup never overwrites one)", .0.display())]
    Exists(PathBuf),
    #[error("the database is PostgreSQL ({0}): `certdirect backup` copies SQLite databases only. Dump it with pg_dump (docs/deployment.md, \"Backups\") and run `certdirect backup --files-only --to FILE` for the CA and key files")]
    PostgresNeedsFilesOnly(String),
    #[error("CERTDIRECT_DATABASE_URL {0}: not a SQLite file this can copy")]
    NotAFile(String),
    #[error("the SQLite database {} does not exist (CERTDIRECT_DATA_DIR / CERTDIRECT_DATABASE_URL)", .0.display())]
    NoDatabase(PathBuf),
    #[error("copying the database with VACUUM INTO: {0}")]
    Snapshot(String),
    #[error("the copy of the database fails SQLite's integrity check: {0}")]
    Integrity(String),
    #[error("reading {}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--to {}: writing the archive", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Why `certdirect restore` restored nothing (nothing is left behind when it fails).
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("--from {}: reading it", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--from {}: not a CertDirect backup ({reason})", .path.display())]
    NotABackup { path: PathBuf, reason: String },
    #[error("--from {}: archive format {found}, this certdirect reads format {FORMAT}", .path.display())]
    Format { path: PathBuf, found: u32 },
    #[error("--from {}: {file} {reason}; the archive is damaged", .path.display())]
    Damaged {
        path: PathBuf,
        file: String,
        reason: String,
    },
    #[error("--to {}: the directory is not empty; restore into a new or empty directory", .0.display())]
    NotEmpty(PathBuf),
    #[error("--to {}: writing it", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What `backup` did, for the command to report.
#[derive(Debug, Clone)]
pub struct BackupSummary {
    pub manifest: Manifest,
    pub archive_bytes: u64,
    /// Things the operator must do or know (printed by the command).
    pub notes: Vec<String>,
}

/// A temporary file that is removed unless kept.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The SQLite file of a `sqlite:` URL (`None` for another engine).
pub fn sqlite_path(url: &str) -> Option<Result<PathBuf, BackupError>> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Some(Err(BackupError::NotAFile(url.to_owned())));
    }
    Some(Ok(PathBuf::from(path)))
}

/// The files besides the database: (path in the archive, where it is now, private).
fn data_files(config: &Config) -> Vec<(String, PathBuf, bool)> {
    let ca = config.data_dir.join("ca");
    let mut files = Vec::new();
    match (
        &config.ca_root_cert,
        &config.ca_intermediate_cert,
        &config.ca_intermediate_key,
    ) {
        (Some(root), Some(cert), Some(key)) => {
            files.push(("ca/root.crt".to_owned(), root.clone(), false));
            files.push(("ca/intermediate.crt".to_owned(), cert.clone(), false));
            files.push(("ca/intermediate.key".to_owned(), key.clone(), true));
        }
        _ => {
            for (name, private) in [
                ("root.crt", false),
                ("root.crl", false),
                ("intermediate.crt", false),
                ("intermediate.key", true),
                (crate::ca::root::ROOT_KEY_FILE, true),
            ] {
                files.push((format!("ca/{name}"), ca.join(name), private));
            }
        }
    }
    if config.eab_encryption_key.is_none() {
        files.push((
            crate::secretbox::KEY_FILE.to_owned(),
            config.data_dir.join(crate::secretbox::KEY_FILE),
            true,
        ));
    }
    files
}

fn sha256_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
}

/// Makes the archive `to` (which must not exist) while servers may be running. `files_only`
/// leaves the database out: required on PostgreSQL, whose dump is pg_dump's.
pub async fn backup(
    config: &Config,
    to: &Path,
    files_only: bool,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<BackupSummary, BackupError> {
    if to.exists() {
        return Err(BackupError::Exists(to.to_path_buf()));
    }
    let write_err = |source| BackupError::Write {
        path: to.to_path_buf(),
        source,
    };
    let stem = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scratch = |suffix: &str| {
        Scratch(to.with_file_name(format!(".{stem}.{}.{suffix}", std::process::id())))
    };
    let mut notes = Vec::new();
    let mut not_included = vec![
        "tls/ (the self-signed HTTPS certificate, made again on start) and outbox/ (mail written to files)".to_owned(),
    ];
    let sqlite = sqlite_path(&config.database_url).transpose()?;
    let engine = if sqlite.is_some() {
        "sqlite"
    } else {
        "postgresql"
    };
    let mut entries: Vec<(String, PathBuf, bool)> = Vec::new();
    let snapshot = scratch("db");
    match (&sqlite, files_only) {
        (None, false) => {
            return Err(BackupError::PostgresNeedsFilesOnly(crate::store::redact(
                &config.database_url,
            )))
        }
        (None, true) => {
            let schema = config
                .database_schema
                .as_ref()
                .map(|s| format!(" --schema={s}"))
                .unwrap_or_default();
            not_included.push(format!(
                "the PostgreSQL database: dump it with `pg_dump --format=custom{schema} --file=FILE {}` (docs/deployment.md)",
                crate::store::redact(&config.database_url)
            ));
            notes.push(format!(
                "the database is NOT in this archive; dump it now: pg_dump --format=custom{schema} --file=certdirect-{}.dump '{}'",
                Utc::now().format("%Y%m%dT%H%M%SZ"),
                crate::store::redact(&config.database_url)
            ));
        }
        (Some(path), true) => {
            not_included.push(format!(
                "the SQLite database {} (--files-only)",
                path.display()
            ));
            notes.push("the database is NOT in this archive (--files-only)".to_owned());
        }
        (Some(path), false) => {
            if !path.exists() {
                return Err(BackupError::NoDatabase(path.clone()));
            }
            progress(&format!(
                "copying the database {} (VACUUM INTO, one consistent snapshot)",
                path.display()
            ));
            sqlite_snapshot(config, &snapshot.0).await?;
            progress("checking the copy (PRAGMA integrity_check)");
            integrity_check(&snapshot.0).await?;
            entries.push((DATABASE_FILE.to_owned(), snapshot.0.clone(), true));
        }
    }
    let eab_encryption_key = if config.eab_encryption_key.is_some() {
        notes.push("CERTDIRECT_EAB_ENCRYPTION_KEY is configured, so the EAB encryption key is NOT in this archive: keep that value with your other secrets; a restored server needs the same one to use the stored EAB credentials".to_owned());
        "not included: configured by CERTDIRECT_EAB_ENCRYPTION_KEY; a restored server needs the same value".to_owned()
    } else if config.data_dir.join(crate::secretbox::KEY_FILE).exists() {
        format!(
            "included: {} (a restored server decrypts the stored EAB credentials with it)",
            crate::secretbox::KEY_FILE
        )
    } else {
        format!(
            "none yet: {} is made on the first start, before any EAB credential",
            crate::secretbox::KEY_FILE
        )
    };
    for (name, path, private) in data_files(config) {
        if path.exists() {
            if name.ends_with(crate::ca::root::ROOT_KEY_FILE) {
                notes.push(format!("the root key {} is in the data directory and so in this archive; keep the root offline (`certdirect ca init --root-key-out DIR`) and store this archive as you would the root key", path.display()));
            }
            entries.push((name, path, private));
        } else if name.ends_with(crate::ca::root::ROOT_KEY_FILE) {
            not_included.push(
                "the root key (offline: not in the data directory; back it up at the key ceremony)"
                    .to_owned(),
            );
        } else {
            notes.push(format!(
                "{} does not exist: not in the archive",
                path.display()
            ));
        }
    }
    let mut files = Vec::new();
    for (name, path, private) in &entries {
        let (bytes, sha256) = sha256_file(path).map_err(|source| BackupError::Read {
            path: path.clone(),
            source,
        })?;
        files.push(FileEntry {
            path: name.clone(),
            bytes,
            sha256,
            private: *private,
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        created_at: Utc::now(),
        certdirect_version: env!("CARGO_PKG_VERSION").to_owned(),
        database_engine: engine.to_owned(),
        database_file: entries
            .iter()
            .any(|(n, _, _)| n == DATABASE_FILE)
            .then(|| DATABASE_FILE.to_owned()),
        eab_encryption_key,
        files,
        not_included,
    };
    progress(&format!("writing {}", to.display()));
    let partial = scratch("partial");
    write_archive(&partial.0, &manifest, &entries).map_err(write_err)?;
    std::fs::rename(&partial.0, to).map_err(write_err)?;
    std::mem::forget(partial);
    let archive_bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(BackupSummary {
        manifest,
        archive_bytes,
        notes,
    })
}

/// `VACUUM INTO` on a connection made as the server makes its own (WAL, busy timeout): a read
/// transaction, so it copies one committed state while other connections go on writing.
async fn sqlite_snapshot(config: &Config, into: &Path) -> Result<(), BackupError> {
    let snapshot = |e: String| BackupError::Snapshot(e);
    let _ = std::fs::remove_file(into);
    let mut one = config.clone();
    one.database_max_connections = Some(1);
    let db = crate::store::connect(&one)
        .await
        .map_err(|e| snapshot(format!("{e:#}")))?;
    let target = into.to_string_lossy().replace('\'', "''");
    let done = db
        .execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await
        .map_err(|e| snapshot(e.to_string()));
    db.close().await.ok();
    done.map(|_| ())
}

async fn integrity_check(file: &Path) -> Result<(), BackupError> {
    let integrity = |e: String| BackupError::Integrity(e);
    let db = Database::connect(format!("sqlite://{}?mode=ro", file.display()))
        .await
        .map_err(|e| integrity(e.to_string()))?;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await
        .map_err(|e| integrity(e.to_string()));
    db.close().await.ok();
    let verdict: String = row?
        .and_then(|r| r.try_get_by_index(0).ok())
        .unwrap_or_default();
    if verdict != "ok" {
        return Err(integrity(verdict));
    }
    Ok(())
}

fn write_archive(
    path: &Path,
    manifest: &Manifest,
    entries: &[(String, PathBuf, bool)],
) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // The archive holds private keys: readable by its owner only.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
    let mtime = manifest.created_at.timestamp().max(0) as u64;
    let header = |size: u64, private: bool| {
        let mut h = tar::Header::new_ustar();
        h.set_size(size);
        h.set_mode(if private { 0o600 } else { 0o644 });
        h.set_mtime(mtime);
        h.set_entry_type(tar::EntryType::Regular);
        h
    };
    let json = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    tar.append_data(&mut header(json.len() as u64, false), MANIFEST, &json[..])?;
    for (entry, (name, source, private)) in manifest.files.iter().zip(entries) {
        let file = std::fs::File::open(source)?;
        // Exactly the bytes that were hashed: a file that changed since fails here.
        let mut reader = file.take(entry.bytes);
        tar.append_data(&mut header(entry.bytes, *private), name, &mut reader)?;
    }
    let mut out = tar.into_inner()?;
    out.flush()?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// What `restore` did.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub manifest: Manifest,
}

/// A relative path of plain components (no `..`, no root): the only names an archive may hold.
fn safe_relative(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Restores the archive `from` into the directory `to` (new, or empty), checking every file
/// against the manifest; `to` then is a data directory (`CERTDIRECT_DATA_DIR`).
pub fn restore(
    from: &Path,
    to: &Path,
    progress: &dyn Fn(&str),
) -> Result<RestoreSummary, RestoreError> {
    let read_err = |source| RestoreError::Read {
        path: from.to_path_buf(),
        source,
    };
    let not_backup = |reason: String| RestoreError::NotABackup {
        path: from.to_path_buf(),
        reason,
    };
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RestoreError::Write { path, source }
    };
    if to.exists() {
        let mut entries = std::fs::read_dir(to).map_err(write_err(to))?;
        if entries.next().is_some() {
            return Err(RestoreError::NotEmpty(to.to_path_buf()));
        }
    }
    let file = std::fs::File::open(from).map_err(read_err)?;
    let mut archive = tar::Archive::new(std::io::BufReader::new(file));
    let mut entries = archive.entries().map_err(read_err)?;
    let manifest: Manifest = {
        let mut first = entries
            .next()
            .ok_or_else(|| not_backup("it is empty".into()))?
            .map_err(|e| not_backup(e.to_string()))?;
        let name = first
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name != MANIFEST {
            return Err(not_backup(format!(
                "its first entry is {name:?}, not {MANIFEST}"
            )));
        }
        let mut json = Vec::new();
        first.read_to_end(&mut json).map_err(read_err)?;
        serde_json::from_slice(&json).map_err(|e| not_backup(format!("{MANIFEST}: {e}")))?
    };
    if manifest.format != FORMAT {
        return Err(RestoreError::Format {
            path: from.to_path_buf(),
            found: manifest.format,
        });
    }
    let parent = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = parent.join(format!(
        ".{}.restoring.{}",
        to.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(write_err(&staging))?;
    // A data directory holds keys: its owner's only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o700))
            .map_err(write_err(&staging))?;
    }
    let extracted = extract(&mut entries, &manifest, &staging, from, progress);
    let moved = extracted.and_then(|()| {
        if to.exists() {
            std::fs::remove_dir(to).map_err(write_err(to))?;
        }
        std::fs::rename(&staging, to).map_err(write_err(to))
    });
    if moved.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    moved?;
    Ok(RestoreSummary { manifest })
}

fn extract<R: Read>(
    entries: &mut tar::Entries<'_, R>,
    manifest: &Manifest,
    staging: &Path,
    from: &Path,
    progress: &dyn Fn(&str),
) -> Result<(), RestoreError> {
    let damaged = |file: &str, reason: String| RestoreError::Damaged {
        path: from.to_path_buf(),
        file: file.to_owned(),
        reason,
    };
    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| damaged("an entry", e.to_string()))?;
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(expected) = manifest.files.iter().find(|f| f.path == name) else {
            return Err(damaged(&name, "is not in the manifest".into()));
        };
        if !safe_relative(&name) || !seen.insert(name.clone()) {
            return Err(damaged(
                &name,
                "is not a plain relative name, or is there twice".into(),
            ));
        }
        progress(&format!("restoring {name} ({} bytes)", expected.bytes));
        let target = staging.join(&name);
        let write_err = |source| RestoreError::Write {
            path: target.clone(),
            source,
        };
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(
            &mut options,
            if expected.private { 0o600 } else { 0o644 },
        );
        let mut out = options.open(&target).map_err(write_err)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = entry
                .read(&mut buf)
                .map_err(|e| damaged(&name, e.to_string()))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(write_err)?;
            total += n as u64;
        }
        out.sync_all().map_err(write_err)?;
        let sha256 = hex::encode(hasher.finalize());
        if total != expected.bytes || sha256 != expected.sha256 {
            return Err(damaged(
                &name,
                format!(
                    "has {total} bytes with SHA-256 {sha256}, the manifest says {} bytes with {}",
                    expected.bytes, expected.sha256
                ),
            ));
        }
    }
    if let Some(missing) = manifest.files.iter().find(|f| !seen.contains(&f.path)) {
        return Err(damaged(&missing.path, "is missing".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        let p = |u: &str| sqlite_path(u).map(|r| r.ok());
        assert_eq!(
            p("sqlite:///var/lib/certdirect/certdirect.db?mode=rwc"),
            Some(Some(PathBuf::from("/var/lib/certdirect/certdirect.db")))
        );
        assert_eq!(
            p("sqlite://./data/certdirect.db?mode=rwc"),
            Some(Some(PathBuf::from("./data/certdirect.db")))
        );
        assert_eq!(p("sqlite:data.db"), Some(Some(PathBuf::from("data.db"))));
        assert_eq!(p("sqlite::memory:"), Some(None));
        assert_eq!(p("postgres://postgres@127.0.0.1/x"), None);
    }

    #[test]
    fn only_plain_relative_names() {
        assert!(safe_relative("ca/root.crt"));
        assert!(safe_relative("certdirect.db"));
        for bad in ["", "/etc/passwd", "../x", "ca/../../x", "./x"] {
            assert!(!safe_relative(bad), "{bad}");
        }
    }
}
