//! Operations (issue "Scale-out and failure, proven"): a backup taken while the server writes
//! restores to a server with the same certificates and registrations, and a server whose root
//! key is offline still issues, while the offline commands sign with it.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use certdirect::config::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::orders::{env, env_in, pem_blocks};

/// Every item of a paged list (one page of up to 500 is all a test makes).
async fn all(client: &Client, path: &str) -> Vec<Value> {
    let res = client.get(&format!("{path}?limit=500")).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json::<Vec<Value>>().await.unwrap()
}

async fn registrations(client: &Client) -> Vec<Value> {
    all(client, "/registrations").await
}

/// The `certdirect` binary with only `env` (and PATH) in its environment.
fn certdirect(env: &[(&str, &Path)], args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_certdirect"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .args(args)
        .output()
        .expect("running certdirect")
}

fn ok(out: &std::process::Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

/// A backup taken while a task keeps creating registrations through the API, after a
/// certificate was issued, restores into a new data directory on which a fresh server serves the
/// same certificates (byte for byte) and registrations. On PostgreSQL `backup` refuses without
/// `--files-only` and names pg_dump; with it the archive holds the files and no database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_write_load_restores_to_the_same_certificates_and_registrations() {
    let e = env().await;
    let config = Config::from_sources(None, &e.app.env).unwrap();
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join("certdirect.backup.tar");
    let quiet = |_: &str| {};

    if test_database_url().is_some() {
        let err = certdirect::backup::backup(&config, &archive, false, &quiet)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                certdirect::backup::BackupError::PostgresNeedsFilesOnly(_)
            ),
            "{err}"
        );
        assert!(err.to_string().contains("pg_dump"), "{err}");
        assert!(!archive.exists(), "nothing written");
        let summary = certdirect::backup::backup(&config, &archive, true, &quiet)
            .await
            .unwrap();
        assert_eq!(summary.manifest.database_engine, "postgresql");
        assert_eq!(summary.manifest.database_file, None);
        assert!(summary.notes.iter().any(|n| n.contains("pg_dump")));
        let restored = tempfile::tempdir().unwrap();
        certdirect::backup::restore(&archive, restored.path(), &quiet).unwrap();
        assert!(restored.path().join("ca/intermediate.key").exists());
        assert!(restored.path().join("eab-encryption.key").exists());
        return;
    }

    e.buy("example.jp", "dv").await;
    let (order, chain) = e.issue_http(&["example.jp", "www.example.jp"]).await;

    // The write load: registrations created one after another until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let made = Arc::new(AtomicUsize::new(0));
    let load = {
        let (portal, stop, made) = (e.portal.clone(), stop.clone(), made.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let res = portal
                    .post("/registrations", &json!({ "fqdn": format!("load{i}.example.jp"), "type": "dv", "period_years": 1, "payment_method": "bank_transfer", "agree_terms": true }))
                    .await;
                assert_eq!(
                    res.status(),
                    StatusCode::CREATED,
                    "{}",
                    res.text().await.unwrap()
                );
                made.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        })
    };
    let wait_for = |n: usize| {
        let made = made.clone();
        async move {
            for _ in 0..600 {
                if made.load(Ordering::Relaxed) >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!("the load task made fewer than {n} registrations");
        }
    };
    wait_for(5).await;
    let before = registrations(&e.portal).await.len();
    // Once the database is copied, the backup goes on only after the load has written more: the
    // writes demonstrably went on while the backup ran.
    let mark = std::sync::Mutex::new(0);
    let progress = |step: &str| {
        if step.starts_with("copying the database") {
            *mark.lock().unwrap() = made.load(Ordering::Relaxed);
        } else if step.starts_with("checking the copy") {
            let want = *mark.lock().unwrap() + 2;
            // block_in_place: the runtime moves this worker's tasks to another thread meanwhile.
            tokio::task::block_in_place(|| {
                for _ in 0..1000 {
                    if made.load(Ordering::Relaxed) >= want {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                panic!("the load stopped while the backup ran");
            });
        }
    };
    let summary = certdirect::backup::backup(&config, &archive, false, &progress)
        .await
        .unwrap();
    let after_backup = registrations(&e.portal).await.len();
    // The command too, from another process as an operator runs it, while the load goes on.
    let cli_archive = work.path().join("cli.tar");
    let cli = {
        let env: Vec<(String, String)> = e.app.env.clone().into_iter().collect();
        let to = cli_archive.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_certdirect"))
                .env_clear()
                .envs(env)
                .arg("backup")
                .arg("--to")
                .arg(&to)
                .output()
                .unwrap()
        })
    };
    let cli = cli.await.unwrap();
    let cli_text = ok(&cli);
    assert!(cli_text.contains("VACUUM INTO"), "{cli_text}");
    wait_for(made.load(Ordering::Relaxed) + 3).await;
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    assert!(
        after_backup > before,
        "the load went on while the backup ran ({before} → {after_backup})"
    );

    let m = &summary.manifest;
    assert_eq!(m.database_engine, "sqlite");
    assert_eq!(m.database_file.as_deref(), Some("certdirect.db"));
    assert!(
        m.eab_encryption_key.starts_with("included"),
        "{}",
        m.eab_encryption_key
    );
    let names: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
    for want in [
        "certdirect.db",
        "eab-encryption.key",
        "ca/root.crt",
        "ca/root.crl",
        "ca/intermediate.crt",
        "ca/intermediate.key",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    // The archive is private, and a second backup never overwrites it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    assert!(matches!(
        certdirect::backup::backup(&config, &archive, false, &quiet).await,
        Err(certdirect::backup::BackupError::Exists(_))
    ));

    // Restore into a new data directory and start a fresh server there.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored_path = restored_dir.path().to_path_buf();
    certdirect::backup::restore(&archive, &restored_path, &quiet).unwrap();
    let restored = spawn_in(restored_dir, &[], false).await;
    let portal = restored.login("acme@example.jp").await;

    // The registrations: every one the copy has is the source's, unchanged, and it has every
    // one that existed when the backup started.
    let source_regs = registrations(&e.portal).await;
    let copy_regs = registrations(&portal).await;
    assert!(
        copy_regs.len() >= before && copy_regs.len() <= after_backup,
        "{before} ≤ {} ≤ {after_backup}",
        copy_regs.len()
    );
    for reg in &copy_regs {
        assert!(source_regs.contains(reg), "{reg} is not the source's");
    }
    assert!(copy_regs
        .iter()
        .any(|r| r["fqdn"] == "example.jp" && r["state"] == "active"));

    // The certificates: the same list and the same chain, byte for byte.
    let source_certs = all(&e.portal, "/certificates").await;
    let copy_certs = all(&portal, "/certificates").await;
    assert_eq!(source_certs.len(), 1);
    assert_eq!(copy_certs, source_certs);
    let serial = copy_certs[0]["serial"].as_str().unwrap();
    let res = portal
        .get(&format!("/certificates/{serial}/chain.pem"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), chain);
    assert!(order["certificate"].as_str().unwrap().contains("/acme/"));

    // The same CA: the restored server publishes the source's intermediate.
    let http = reqwest::Client::new();
    let fetch = |base: String| {
        let http = http.clone();
        async move {
            http.get(format!("{base}/ca/intermediate.der"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        fetch(restored.base.clone()).await,
        fetch(e.app.base.clone()).await
    );
    assert_eq!(
        pem_blocks(&chain)[1],
        fetch(restored.base.clone()).await.to_vec()
    );

    // The command's archive restores with the command, to the same certificates.
    let cli_dir = tempfile::tempdir().unwrap();
    let cli_restored = cli_dir.path().join("data");
    let text = ok(&certdirect(
        &[],
        &[
            "restore",
            "--from",
            cli_archive.to_str().unwrap(),
            "--to",
            cli_restored.to_str().unwrap(),
        ],
    ));
    assert!(text.contains("CERTDIRECT_DATA_DIR="), "{text}");
    let second = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&cli_restored).unwrap() {
        let entry = entry.unwrap();
        std::fs::rename(entry.path(), second.path().join(entry.file_name())).unwrap();
    }
    let second = spawn_in(second, &[], false).await;
    let portal = second.login("acme@example.jp").await;
    assert_eq!(all(&portal, "/certificates").await, source_certs);
    let copy = registrations(&portal).await;
    assert!(copy.len() >= after_backup, "taken after the first backup");
    for reg in &copy {
        assert!(source_regs.contains(reg), "{reg} is not the source's");
    }

    // A restore never writes into a directory that is not empty, and rejects a damaged archive.
    let err = certdirect::backup::restore(&archive, &restored_path, &quiet).unwrap_err();
    assert!(
        matches!(err, certdirect::backup::RestoreError::NotEmpty(_)),
        "{err}"
    );
    let mut bytes = std::fs::read(&archive).unwrap();
    let middle = bytes.len() / 2; // inside the database, the largest entry
    bytes[middle] ^= 0xff;
    let damaged = work.path().join("damaged.tar");
    std::fs::write(&damaged, &bytes).unwrap();
    let target = work.path().join("from-damaged");
    let err = certdirect::backup::restore(&damaged, &target, &quiet).unwrap_err();
    assert!(
        matches!(err, certdirect::backup::RestoreError::Damaged { .. }),
        "{err}"
    );
    assert!(!target.exists(), "nothing left behind");
}

/// `ca init --root-key-out` leaves the root key out of the data directory; a server on that
/// directory issues while the root key is out of reach; `ca root-crl` and `ca sign-intermediate`
/// sign with the root key given, and the server publishes the new root CRL without a restart.
#[tokio::test]
async fn serve_issues_with_the_root_key_offline() {
    let data = tempfile::tempdir().unwrap();
    let offline = tempfile::tempdir().unwrap();
    let key_dir = offline.path().join("root");
    let env_data = [("CERTDIRECT_DATA_DIR", data.path())];
    let out = certdirect(
        &env_data,
        &["ca", "init", "--root-key-out", key_dir.to_str().unwrap()],
    );
    let text = ok(&out);
    assert!(text.contains("made a new CA"), "{text}");
    let root_key = key_dir.join("root.key");
    assert!(root_key.exists());
    assert!(!data.path().join("ca/root.key").exists(), "{text}");

    // The root key out of reach while the server runs: moved away, and in its place in the data
    // directory something no one can read as a key (a directory: permissions do not stop root).
    let away = offline.path().join("away");
    std::fs::rename(&key_dir, &away).unwrap();
    std::fs::create_dir(data.path().join("ca/root.key")).unwrap();
    let data_path = data.path().to_path_buf();
    let e = env_in(data, &[], true).await;
    e.buy("example.jp", "dv").await;
    let (_, chain) = e.issue_http(&["example.jp"]).await;
    let certs = pem_blocks(&chain);
    let http = reqwest::Client::new();
    let get = |path: &'static str| {
        let (http, base) = (http.clone(), e.app.base.clone());
        async move {
            let res = http.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.bytes().await.unwrap().to_vec()
        }
    };
    let root_der = get("/ca/root.der").await;
    let (_, root) = x509_parser::parse_x509_certificate(&root_der).unwrap();
    let (_, intermediate) = x509_parser::parse_x509_certificate(&certs[1]).unwrap();
    intermediate
        .verify_signature(Some(root.public_key()))
        .expect("the served intermediate is the root's");
    let first_crl = get("/ca/root.crl").await;
    let (_, crl) = x509_parser::parse_x509_crl(&first_crl).unwrap();
    crl.verify_signature(root.public_key()).unwrap();
    let first_number = crl.crl_number().unwrap().clone();

    // Offline, with the root key given back: a wrong key is refused by name …
    std::fs::rename(&away, &key_dir).unwrap();
    let env_data = [("CERTDIRECT_DATA_DIR", data_path.as_path())];
    let wrong = data_path.join("ca/intermediate.key");
    let out = certdirect(
        &env_data,
        &["ca", "root-crl", "--root-key", wrong.to_str().unwrap()],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--root-key") && stderr.contains("not the key of the root"),
        "{stderr}"
    );
    // … the right one signs the root's CRL, which the running server publishes at once.
    tokio::time::sleep(Duration::from_millis(1100)).await; // a later CRL number (seconds)
    ok(&certdirect(
        &env_data,
        &["ca", "root-crl", "--root-key", root_key.to_str().unwrap()],
    ));
    let second_crl = get("/ca/root.crl").await;
    let (_, crl) = x509_parser::parse_x509_crl(&second_crl).unwrap();
    crl.verify_signature(root.public_key()).unwrap();
    assert!(*crl.crl_number().unwrap() > first_number);

    // A new intermediate certificate for the serving key, signed by the root.
    let new_dir = offline.path().join("new-intermediate");
    let text = ok(&certdirect(
        &env_data,
        &[
            "ca",
            "sign-intermediate",
            "--root-key",
            root_key.to_str().unwrap(),
            "--key",
            data_path.join("ca/intermediate.key").to_str().unwrap(),
            "--out",
            new_dir.to_str().unwrap(),
        ],
    ));
    assert!(text.contains("signed a new intermediate"), "{text}");
    let pem = std::fs::read_to_string(new_dir.join("intermediate.crt")).unwrap();
    let der = pem_blocks(&pem).remove(0);
    let (_, renewed) = x509_parser::parse_x509_certificate(&der).unwrap();
    renewed.verify_signature(Some(root.public_key())).unwrap();
    assert_eq!(renewed.public_key().raw, intermediate.public_key().raw);
    assert!(
        !new_dir.join("intermediate.key").exists(),
        "the given key is kept"
    );
}
