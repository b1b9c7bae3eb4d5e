//! Operations (issue "Scale-out and failure, proven"): a server whose root key is offline still
//! issues, while the offline commands sign with it.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;

use crate::orders::{env_in, pem_blocks};

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

    // The root key out of reach while the server runs.
    let away = offline.path().join("away");
    std::fs::rename(&key_dir, &away).unwrap();
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
