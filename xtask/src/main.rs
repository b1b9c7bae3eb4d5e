//! `cargo xtask run|test|wasm|bench`: build orchestration for CertDirect.
//!
//! - `run`: installs what is missing, builds the portal (wasm) and the server, and serves
//!   everything on the embedded SQLite default at http://127.0.0.1:8080.
//! - `test`: fmt, clippy (host and wasm), every Rust test on SQLite and again on PostgreSQL
//!   (pkilint installed for the compliance tests), and the Playwright suite in Chromium — one
//!   build shared by all stages. After the Rust tests, schemathesis fuzzes the REST API of the
//!   real server against its OpenAPI document (docs/api.md, "Contract testing").
//! - `contract`: only that schemathesis stage (builds the server when it is missing).
//! - `pkilint`: installs only pkilint (as `test` does) and prints the `CERTDIRECT_PKILINT_BIN`
//!   to run the compliance tests with alone.
//! - `bench`: the ACME load benchmark, CertDirect side by side with Pebble (see `bench.rs`).
//! - `chaos`: the failure test, HAProxy and every role on PostgreSQL while processes are killed
//!   (see `chaos.rs`); `test` runs its 60-second form.

mod bench;
mod chaos;
mod pg;
mod wasm;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context};

/// Builds the server binary with the workspace's feature set, so it shares every artifact with
/// the test build instead of compiling the dependency graph a second time.
const SERVER_BUILD: [&str; 4] = ["build", "--workspace", "--bin", "certdirect"];

/// The PostgreSQL database the test stage recreates for itself (on the server `pg` finds or
/// starts).
const PG_TEST_DB: &str = "certdirect_test";

fn main() -> anyhow::Result<()> {
    let root = workspace_root();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    match args.first().map(String::as_str) {
        Some("run") => run(&root),
        Some("test") => test(&root, flag("--skip-e2e")),
        Some("wasm") => wasm::build(&root, !flag("--dev")),
        Some("pkilint") => {
            let bin = ensure_pkilint(&root)?;
            println!("CERTDIRECT_PKILINT_BIN={}", bin.display());
            Ok(())
        }
        Some("contract") => contract(&root),
        Some("reseller") => reseller(&root),
        Some("bench") => bench::bench(&root, &args[1..]),
        Some("chaos") => chaos::chaos(&root, &args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\
                 \n  run              build the portal and the server, serve on SQLite at http://127.0.0.1:8080\
                 \n  test             fmt, clippy, Rust tests on SQLite and PostgreSQL, Playwright e2e\
                 \n  test --skip-e2e  the same without the browser suite\
                 \n  wasm [--dev]     build only the portal into frontend/dist (release unless --dev)\
                 \n  contract         schemathesis against the real server's OpenAPI document\
                 \n  reseller         a Python client generated from the OpenAPI document runs a reseller's flow\
                 \n  pkilint          install pkilint for the compliance tests; prints CERTDIRECT_PKILINT_BIN\n{}\n{}",
                bench::USAGE,
                chaos::USAGE
            );
            std::process::exit(2);
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Prints a stage banner.
pub fn stage(name: &str) {
    println!("\n==> {name}");
}

/// Runs a command, echoing it, failing on a non-zero exit.
pub fn sh(cmd: &mut Command) -> anyhow::Result<()> {
    println!("$ {}", display(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("starting {}", display(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(cmd));
    }
    Ok(())
}

fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Debian packages that are missing (idempotent), saying which.
pub fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !Command::new("dpkg-query")
                .args(["-W", "-f=${Status}", p])
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("installing Debian packages: {}", missing.join(" "));
    let sudo = if have("sudo") && !is_root() {
        vec!["sudo"]
    } else {
        vec![]
    };
    let apt = |args: &[&str]| {
        let mut argv: Vec<&str> = sudo.clone();
        argv.push("apt-get");
        argv.extend_from_slice(args);
        let mut cmd = Command::new(argv[0]);
        cmd.args(&argv[1..])
            .env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    sh(apt(&["update", "-qq"]).arg("-o=Dpkg::Use-Pty=0"))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    sh(&mut install)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(root: &Path) -> anyhow::Result<()> {
    stage("building the portal (WebAssembly)");
    wasm::build(root, true)?;
    stage("building the server");
    sh(cargo().current_dir(root).args(SERVER_BUILD))?;
    let bin = root.join("target/debug/certdirect");
    stage("migrating the database and serving");
    let mut serve = Command::new(&bin);
    serve.current_dir(root).arg("serve");
    if std::env::var_os("CERTDIRECT_STATIC_DIR").is_none() {
        serve.env("CERTDIRECT_STATIC_DIR", root.join("frontend/dist"));
    }
    println!("Open http://127.0.0.1:8080 (or CERTDIRECT_PUBLIC_URL) once it says it is serving; Ctrl-C stops it.");
    sh(&mut serve)
}

fn test(root: &Path, skip_e2e: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut timings: Vec<(String, f64)> = Vec::new();
    let mut timed = |name: &str, f: &mut dyn FnMut() -> anyhow::Result<()>| -> anyhow::Result<()> {
        stage(name);
        let t = Instant::now();
        f()?;
        timings.push((name.to_owned(), t.elapsed().as_secs_f64()));
        Ok(())
    };

    timed("formatting (cargo fmt --check)", &mut || {
        sh(cargo().current_dir(root).args(["fmt", "--all", "--check"]))
    })?;
    timed("clippy, host, whole workspace", &mut || {
        sh(cargo().current_dir(root).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    timed("clippy, frontend for wasm32", &mut || wasm::clippy(root))?;
    timed("portal build (WebAssembly)", &mut || {
        wasm::build(root, true)
    })?;
    let nextest = ensure_nextest()?;
    // The validation tests resolve names through real DNS servers on loopback: pebble-challtestsrv,
    // and BIND (named, dnssec-keygen, dnssec-signzone) serving signed zones for CAA and DNSSEC.
    apt_install(&["pebble", "bind9", "bind9-utils"])?;
    // The compliance tests lint every certificate profile and the CRLs with pkilint (R-CA-6).
    let pkilint = ensure_pkilint(root)?;
    let haproxy = haproxy_for_tests(root)?;
    timed("Rust tests on SQLite (whole workspace)", &mut || {
        sh(cargo()
            .current_dir(root)
            .env("CERTDIRECT_PKILINT_BIN", &pkilint)
            .envs(haproxy.iter().map(|h| ("CERTDIRECT_HAPROXY_BIN", h)))
            .args(nextest_args(nextest, &["--workspace"])))
    })?;
    timed("Rust tests on PostgreSQL (backend)", &mut || {
        let (_postgres, url) = postgres_test_database()?;
        println!("CERTDIRECT_TEST_DATABASE_URL={url}");
        sh(cargo()
            .current_dir(root)
            .env("CERTDIRECT_TEST_DATABASE_URL", &url)
            .env("CERTDIRECT_PKILINT_BIN", &pkilint)
            .envs(haproxy.iter().map(|h| ("CERTDIRECT_HAPROXY_BIN", h)))
            .args(nextest_args(
                nextest,
                &["--workspace", "-E", "package(certdirect)"],
            )))
    })?;
    // Scale-out and failure: HAProxy, 2 web, 2 worker and 3 perspective processes from the
    // deploy/ files on a throwaway PostgreSQL, kills and a database restart under load.
    timed("failure test (cargo xtask chaos --secs 60)", &mut || {
        sh(cargo().current_dir(root).args([
            "run",
            "--quiet",
            "--package",
            "xtask",
            "--",
            "chaos",
            "--secs",
            "60",
        ]))
    })?;
    // The REST API against its own OpenAPI document, with the debug binary the tests built.
    timed("REST API contract (schemathesis)", &mut || contract(root))?;
    timed("reseller flow with a generated Python client", &mut || {
        reseller(root)
    })?;
    timed("fuzz targets build (cargo fuzz, nightly)", &mut || {
        fuzz_build(root)
    })?;
    // A benchmark is not a test: the smoke only shows that `cargo xtask bench` runs, against
    // CertDirect and Pebble, with the debug binary the test stages built; no thresholds.
    timed("benchmark smoke (cargo xtask bench --smoke)", &mut || {
        sh(cargo().current_dir(root).args([
            "run",
            "--quiet",
            "--package",
            "xtask",
            "--",
            "bench",
            "--smoke",
        ]))
    })?;
    if skip_e2e {
        println!("\n(--skip-e2e: the Playwright suite was not run)");
    } else {
        timed("Playwright e2e in Chromium", &mut || e2e(root))?;
    }
    println!(
        "\n==> all stages passed in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    for (name, secs) in &timings {
        println!("    {secs:>7.1}s  {name}");
    }
    Ok(())
}

/// Builds the cargo-fuzz targets in `fuzz/` (outside the workspace) when a nightly toolchain is
/// installed, installing cargo-fuzz if needed; says so and skips otherwise. Running them is
/// `cargo +nightly fuzz run <target>` (docs/security.md has the runs and their figures).
fn fuzz_build(root: &Path) -> anyhow::Result<()> {
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !nightly {
        println!("no nightly toolchain (rustup toolchain list): the fuzz targets are not built");
        return Ok(());
    }
    let has_fuzz = Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_fuzz {
        println!("cargo-fuzz is missing: installing it (cargo install cargo-fuzz --locked)");
        sh(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    sh(Command::new("cargo")
        .current_dir(root.join("fuzz"))
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN")
        .args(["+nightly", "fuzz", "build", "-O"]))
}

/// Whether cargo-nextest is there (installing it if cargo can).
fn ensure_nextest() -> anyhow::Result<bool> {
    let ok = |c: &mut Command| c.output().is_ok_and(|o| o.status.success());
    if ok(cargo().args(["nextest", "--version"])) {
        return Ok(true);
    }
    println!("cargo-nextest is missing: installing it (cargo install cargo-nextest --locked)");
    if sh(cargo().args(["install", "cargo-nextest", "--locked"])).is_ok() {
        return Ok(true);
    }
    println!("cargo-nextest could not be installed: falling back to cargo test");
    Ok(false)
}

fn nextest_args(nextest: bool, scope: &[&str]) -> Vec<String> {
    if !nextest {
        // cargo test has no filter expressions: run the whole workspace.
        return ["test", "--no-fail-fast", "--workspace"]
            .map(String::from)
            .to_vec();
    }
    let mut args: Vec<String> = vec!["nextest".into(), "run".into(), "--no-fail-fast".into()];
    args.extend(scope.iter().map(|s| s.to_string()));
    args
}

/// HAProxy for the tests that put several servers behind a load balancer, installed from apt
/// (like PostgreSQL) when a test under `backend/tests` asks for it by `CERTDIRECT_HAPROXY_BIN`;
/// returns its path then.
fn haproxy_for_tests(root: &Path) -> anyhow::Result<Option<PathBuf>> {
    fn mentions(dir: &Path, needle: &str) -> bool {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                let p = e.path();
                if p.is_dir() {
                    mentions(&p, needle)
                } else {
                    p.extension().is_some_and(|x| x == "rs")
                        && std::fs::read_to_string(&p).is_ok_and(|t| t.contains(needle))
                }
            })
    }
    if !mentions(&root.join("backend/tests"), "CERTDIRECT_HAPROXY_BIN") {
        return Ok(None);
    }
    if !have("haproxy") {
        println!("a test needs HAProxy: installing it (apt: haproxy)");
        apt_install(&["haproxy"])?;
    }
    let out = Command::new("sh")
        .args(["-c", "command -v haproxy"])
        .output()
        .context("looking for haproxy")?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    println!(
        "HAProxy for the tests: CERTDIRECT_HAPROXY_BIN={}",
        path.display()
    );
    Ok(Some(path))
}

/// Makes sure PostgreSQL answers and recreates the test database; returns the server (keep it
/// until the tests are done: a throwaway cluster stops when it is dropped) and the database URL.
fn postgres_test_database() -> anyhow::Result<(pg::Postgres, String)> {
    let pg = pg::ensure_postgres()?;
    if pg.is_throwaway() {
        println!("(the PostgreSQL test stage runs on that throwaway cluster)");
    }
    let url = pg.url.clone();
    for sql in [
        format!("DROP DATABASE IF EXISTS {PG_TEST_DB} WITH (FORCE)"),
        format!("CREATE DATABASE {PG_TEST_DB}"),
    ] {
        sh(Command::new("psql").args([url.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-c", &sql]))?;
    }
    let mut test_url = url::Url::parse(&url).context("CERTDIRECT_TEST_PG_ADMIN_URL")?;
    test_url.set_path(PG_TEST_DB);
    Ok((pg, test_url.to_string()))
}

/// Makes the Python virtual environment `venv` unless it exists (installing Debian's
/// python3-venv first when `python3 -m venv` is missing).
fn ensure_venv(venv: &Path) -> anyhow::Result<()> {
    if venv.join("bin/pip").exists() {
        return Ok(());
    }
    if !Command::new("python3")
        .args(["-m", "venv", "--help"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        apt_install(&["python3-venv"])?;
    }
    sh(Command::new("python3").arg("-m").arg("venv").arg(venv))
}

/// The certbot of the e2e virtual environment (from PyPI), installed when missing.
fn ensure_certbot(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = root.join("e2e/.venv");
    let certbot = venv.join("bin/certbot");
    if certbot.exists() {
        return Ok(certbot);
    }
    ensure_venv(&venv)?;
    println!("installing certbot from PyPI into {}", venv.display());
    sh(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "certbot",
    ]))?;
    Ok(certbot)
}

/// The pkilint release the compliance tests lint with (R-CA-6). Pinned so that a new release's
/// new findings arrive as a deliberate bump, not as a surprise in an unrelated change.
const PKILINT_VERSION: &str = "0.13.3";

/// pkilint (the CA/Browser Forum certificate and CRL linters, from PyPI) in its own virtual
/// environment `.venv-pkilint`, at [`PKILINT_VERSION`]; returns the directory of its programs,
/// which the test stages pass to the backend's compliance tests as `CERTDIRECT_PKILINT_BIN`.
fn ensure_pkilint(root: &Path) -> anyhow::Result<PathBuf> {
    ensure_pinned(
        root,
        ".venv-pkilint",
        "pkilint",
        PKILINT_VERSION,
        "lint_crl",
    )
}

/// A PyPI tool pinned at `version` in its own virtual environment `<root>/<venv>`, installed or
/// moved to that version when it is not there yet (saying which); `program` is one of its
/// programs, whose presence shows the install finished. Returns the venv's `bin` directory.
fn ensure_pinned(
    root: &Path,
    venv: &str,
    package: &str,
    version: &str,
    program: &str,
) -> anyhow::Result<PathBuf> {
    let venv = root.join(venv);
    let bin = venv.join("bin");
    let installed = Command::new(bin.join("pip"))
        .args(["show", "--disable-pip-version-check", package])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Version: ").map(str::to_owned))
        });
    if installed.as_deref() == Some(version) && bin.join(program).exists() {
        println!("{package} {version} is installed in {}", venv.display());
        return Ok(bin);
    }
    ensure_venv(&venv)?;
    println!(
        "installing {package} {version} from PyPI into {} (was: {})",
        venv.display(),
        installed.as_deref().unwrap_or("not installed")
    );
    sh(Command::new(bin.join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("{package}=={version}"),
    ]))?;
    Ok(bin)
}

/// The schemathesis release of the contract stage. Pinned for the same reason as pkilint: a new
/// release's new checks arrive as a deliberate bump.
const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// schemathesis (from PyPI) in its own virtual environment `.venv-schemathesis`, at
/// [`SCHEMATHESIS_VERSION`]; returns the venv's Python.
fn ensure_schemathesis(root: &Path) -> anyhow::Result<PathBuf> {
    let bin = ensure_pinned(
        root,
        ".venv-schemathesis",
        "schemathesis",
        SCHEMATHESIS_VERSION,
        "st",
    )?;
    Ok(bin.join("python"))
}

/// The debug server binary the test stages built (`CARGO_TARGET_DIR` honoured), built when
/// missing.
fn server_binary(root: &Path) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"));
    let bin = target.join("debug/certdirect");
    if !bin.exists() {
        sh(cargo().current_dir(root).args(SERVER_BUILD))?;
    }
    Ok(bin)
}

/// schemathesis against the real `certdirect serve` on a free loopback port with a fresh data
/// directory: every operation but DELETE and /operator/*, all checks, all phases (stateful
/// included), a bounded number of examples. `e2e/schemathesis/run.py` makes the customer and the
/// API token first; `CERTDIRECT_ST_EXAMPLES` changes the examples per operation.
fn contract(root: &Path) -> anyhow::Result<()> {
    let python = ensure_schemathesis(root)?;
    let bin = server_binary(root)?;
    let report = root.join("target/schemathesis");
    sh(Command::new(python)
        .arg(root.join("e2e/schemathesis/run.py"))
        .arg("--bin")
        .arg(&bin)
        .arg("--report-dir")
        .arg(&report))
    .context("schemathesis found contract failures (see above; docs/api.md, \"Contract testing\")")
}

/// The openapi-python-client release the reseller flow generates its client with. Pinned: a
/// new generator release may type the document differently, which is a deliberate bump.
const OPENAPI_PYTHON_CLIENT_VERSION: &str = "0.29.1";

/// The reseller flow (issue 13): a Python client generated from the served OpenAPI document
/// drives a reseller's integration against the real server, with the debug binary.
fn reseller(root: &Path) -> anyhow::Result<()> {
    let bin_dir = ensure_pinned(
        root,
        ".venv-reseller",
        "openapi-python-client",
        OPENAPI_PYTHON_CLIENT_VERSION,
        "openapi-python-client",
    )?;
    let bin = server_binary(root)?;
    sh(Command::new(bin_dir.join("python"))
        .arg(root.join("e2e/reseller/flow.py"))
        .arg("--bin")
        .arg(&bin)
        .arg("--out")
        .arg(root.join("target/reseller-client")))
    .context("the generated client's reseller flow failed (see above; docs/api.md, \"Generated clients\")")
}

/// Installs the e2e dependencies and runs Playwright against the real binary in Chromium.
fn e2e(root: &Path) -> anyhow::Result<()> {
    apt_install(&["chromium", "lego"])?;
    let certbot = ensure_certbot(root)?;
    // The test stages built target/debug/certdirect already (with the test build's feature set);
    // building it again here would compile part of the dependency graph a second time.
    let bin = root.join("target/debug/certdirect");
    if !bin.exists() {
        sh(cargo().current_dir(root).args(SERVER_BUILD))?;
    }
    let dir = root.join("e2e");
    let stamp = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified()? >= l.modified()?,
        _ => false,
    };
    if !fresh {
        println!("installing the e2e npm packages (npm ci)");
        sh(Command::new("npm")
            .current_dir(&dir)
            .args(["ci", "--no-audit", "--no-fund"]))?;
    }
    sh(Command::new("npx")
        .current_dir(&dir)
        .env("CERTDIRECT_BIN", &bin)
        .env("CERTBOT_BIN", &certbot)
        .env("LEGO_BIN", "/usr/bin/lego")
        .args(["playwright", "test"]))
}
