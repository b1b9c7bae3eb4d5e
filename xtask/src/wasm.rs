//! Builds the portal (frontend/) to WebAssembly into frontend/dist. See DESIGN.md §5.
//!
//! Steps:
//! 1. pick a Rust toolchain that can target `wasm32-unknown-unknown` (a rustup toolchain with the
//!    target's standard library installed, else Debian's `rustc-web` + `rust-web-src` with
//!    `-Zbuild-std`) and say which one;
//! 2. `cargo build -p certdirect-frontend --target wasm32-unknown-unknown` into `target/wasm`, so the
//!    wasm build never waits for the host build's lock;
//! 3. `wasm-bindgen --target web` at exactly the version Cargo.lock pins;
//! 4. write `frontend/dist/`: `index.html` (no inline script or style, the server's CSP forbids both)
//!    and `assets/` with content-hashed names plus a `.gz` beside each file.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, Context as _};
use sha2::{Digest as _, Sha256};

const TARGET: &str = "wasm32-unknown-unknown";
const PACKAGE: &str = "certdirect-frontend";
/// The `[[bin]]` name cargo gives the frontend's wasm file.
const WASM_FILE: &str = "certdirect-frontend.wasm";
/// Base name of wasm-bindgen's output (`certdirect.js`, `certdirect_bg.wasm`).
const OUT_NAME: &str = "certdirect";
/// Name of the rustup toolchain that points at Debian's `/usr` Rust (DESIGN.md §5).
const DEBIAN_TOOLCHAIN: &str = "web";
const DEBIAN_PACKAGES: [&str; 4] = ["rustc-web", "cargo-web", "rust-web-src", "rust-web-clippy"];
/// Environment variables a surrounding `cargo`/`rustup` sets that must not leak into the
/// nested wasm build (they would pin it to the host toolchain or target dir).
const SCRUBBED_ENV: [&str; 7] = [
    "RUSTUP_TOOLCHAIN",
    "RUSTC",
    "RUSTDOC",
    "CARGO",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_MAKEFLAGS",
];

/// How the wasm32 standard library is obtained.
#[derive(Debug, Clone)]
enum Route {
    /// The default rustup toolchain already has the target's prebuilt standard library.
    Prebuilt { libdir: PathBuf },
    /// Debian's Rust linked as a rustup toolchain; std is built from `rust-web-src`.
    DebianBuildStd { linker: PathBuf },
}

impl Route {
    fn describe(&self) -> String {
        match self {
            Route::Prebuilt { libdir } => {
                format!("rustup toolchain with the prebuilt {TARGET} std ({})", libdir.display())
            }
            Route::DebianBuildStd { linker } => format!(
                "Debian rustc-web as rustup toolchain '{DEBIAN_TOOLCHAIN}' with -Zbuild-std, linker {}",
                linker.display()
            ),
        }
    }
}

pub fn build(root: &Path, release: bool) -> anyhow::Result<()> {
    let started = Instant::now();
    let route = pick_route()?;
    println!("wasm: route: {}", route.describe());

    let target_dir = root.join("target").join("wasm");
    let profile = if release { "release" } else { "debug" };
    let compile_started = Instant::now();
    cargo_build(root, &route, &target_dir, release)?;
    let compile_secs = compile_started.elapsed().as_secs_f64();
    let wasm_in = target_dir.join(TARGET).join(profile).join(WASM_FILE);
    if !wasm_in.is_file() {
        bail!("cargo finished but {} does not exist", wasm_in.display());
    }

    let bindgen = ensure_wasm_bindgen(root)?;
    let bindgen_dir = target_dir.join("bindgen").join(profile);
    if bindgen_dir.exists() {
        fs::remove_dir_all(&bindgen_dir)
            .with_context(|| format!("removing {}", bindgen_dir.display()))?;
    }
    let mut cmd = Command::new(&bindgen);
    cmd.arg("--target")
        .arg("web")
        .arg("--no-typescript")
        .arg("--out-name")
        .arg(OUT_NAME)
        .arg("--out-dir")
        .arg(&bindgen_dir)
        .arg(&wasm_in);
    if release {
        // Function names are 3/4 of an optimised bundle; panics still say where (the
        // message carries file and line).
        cmd.arg("--remove-name-section")
            .arg("--remove-producers-section");
    } else {
        cmd.arg("--debug");
    }
    run(&mut cmd, "wasm-bindgen")?;

    let dist = root.join("frontend").join("dist");
    let report = write_dist(&root.join("frontend"), &bindgen_dir, &dist)?;
    println!(
        "wasm bundle: {} raw, {} gzip (total with js+css: {} raw, {} gzip)",
        human(report.wasm_raw),
        human(report.wasm_gz),
        human(report.total_raw),
        human(report.total_gz)
    );
    println!(
        "wasm: wrote {} ({profile}; cargo {compile_secs:.1}s, total {:.1}s)",
        dist.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `cargo clippy -p certdirect-frontend --target wasm32-unknown-unknown -- -D warnings` on the
/// same toolchain route as the build (the host clippy in `cargo xtask test` covers the tests).
pub fn clippy(root: &Path) -> anyhow::Result<()> {
    let route = pick_route()?;
    println!("wasm: route: {}", route.describe());
    let mut cmd = scrubbed(Command::new("cargo"));
    if let Route::DebianBuildStd { .. } = route {
        cmd.arg(format!("+{DEBIAN_TOOLCHAIN}"));
    }
    cmd.current_dir(root)
        .args(["clippy", "-p", PACKAGE, "--target", TARGET, "--target-dir"])
        .arg(root.join("target").join("wasm"));
    if let Route::DebianBuildStd { .. } = route {
        cmd.arg("-Zbuild-std=std,panic_abort")
            .env("RUSTC_BOOTSTRAP", "1");
    }
    cmd.args(["--", "-D", "warnings"]);
    run(&mut cmd, "cargo clippy (wasm32)")
}

// ---------------------------------------------------------------------------------------------
// Toolchain selection

fn pick_route() -> anyhow::Result<Route> {
    match prebuilt_std() {
        Ok(libdir) => return Ok(Route::Prebuilt { libdir }),
        Err(why) => println!("wasm: no prebuilt {TARGET} std in the default toolchain ({why}); trying Debian rustc-web"),
    }
    match debian_route() {
        Ok(route) => Ok(route),
        Err(why) => bail!(
            "cannot build for {TARGET}: {why:#}\n\
             Install one of:\n  \
             (a) the target's standard library: `rustup target add {TARGET}`; or\n  \
             (b) Debian's web toolchain: `apt-get install -y {}` plus a rustup `stable` toolchain \
             (for rust-lld), then rerun `cargo xtask wasm`.",
            DEBIAN_PACKAGES.join(" ")
        ),
    }
}

/// Route (a): the toolchain cargo would use here already has `libstd-*.rlib` for the target.
fn prebuilt_std() -> anyhow::Result<PathBuf> {
    let out = capture(
        scrubbed(Command::new("rustc")).args(["--print", "target-libdir", "--target", TARGET]),
        "rustc --print target-libdir",
    )?;
    let libdir = PathBuf::from(out.trim());
    let has_std = fs::read_dir(&libdir)
        .map(|entries| {
            entries.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("libstd-") && name.ends_with(".rlib")
            })
        })
        .unwrap_or(false);
    if has_std {
        Ok(libdir)
    } else {
        bail!("{} has no libstd", libdir.display())
    }
}

/// Route (b), DESIGN.md §5: Debian's Rust with the standard library's source, linked into rustup.
fn debian_route() -> anyhow::Result<Route> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| !deb_installed(p))
        .collect();
    if !missing.is_empty() {
        println!("wasm: installing Debian packages: {}", missing.join(" "));
        let install = || {
            let mut cmd = Command::new("apt-get");
            cmd.args(["install", "-y"])
                .args(&missing)
                .env("DEBIAN_FRONTEND", "noninteractive");
            run(&mut cmd, "apt-get install")
        };
        if install().is_err() {
            // Stale or empty package lists are the usual reason; refresh once and retry.
            println!("wasm: apt-get install failed; running apt-get update and retrying");
            run(
                Command::new("apt-get").args(["update", "-q"]),
                "apt-get update",
            )
            .and_then(|()| install())
            .context("installing the Debian web toolchain (are you root?)")?;
        }
    }
    let src = Path::new("/usr/lib/rustlib/src/rust/library/std");
    if !src.is_dir() {
        bail!("{} is missing (package rust-web-src)", src.display());
    }

    let toolchains = capture(
        Command::new("rustup").args(["toolchain", "list"]),
        "rustup toolchain list",
    )?;
    let linked = toolchains
        .lines()
        .any(|l| l.split_whitespace().next() == Some(DEBIAN_TOOLCHAIN));
    if !linked {
        println!("wasm: linking /usr as rustup toolchain '{DEBIAN_TOOLCHAIN}'");
        run(
            Command::new("rustup").args(["toolchain", "link", DEBIAN_TOOLCHAIN, "/usr"]),
            "rustup toolchain link",
        )?;
    }
    let version = capture(
        scrubbed(Command::new("rustc"))
            .arg(format!("+{DEBIAN_TOOLCHAIN}"))
            .arg("--version"),
        "rustc +web --version",
    )?;
    println!("wasm: {}", version.trim());

    let sysroot = capture(
        scrubbed(Command::new("rustc")).args(["+stable", "--print", "sysroot"]),
        "rustc +stable --print sysroot",
    )
    .context("rust-lld comes from the rustup stable toolchain")?;
    let linker =
        Path::new(sysroot.trim()).join("lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld");
    if !linker.is_file() {
        bail!(
            "{} is missing (rustup component of the stable toolchain)",
            linker.display()
        );
    }
    Ok(Route::DebianBuildStd { linker })
}

fn deb_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout).contains("install ok installed")
        })
        .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------------
// Compiling

fn cargo_build(root: &Path, route: &Route, target_dir: &Path, release: bool) -> anyhow::Result<()> {
    let mut cmd = scrubbed(Command::new("cargo"));
    if let Route::DebianBuildStd { .. } = route {
        cmd.arg(format!("+{DEBIAN_TOOLCHAIN}"));
    }
    cmd.current_dir(root)
        .args(["build", "-p", PACKAGE, "--target", TARGET, "--target-dir"])
        .arg(target_dir);
    if release {
        cmd.arg("--release");
        // Size matters more than speed for a download; these apply only to this build
        // (its own target dir), not to the server's release profile.
        cmd.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
            .env("CARGO_PROFILE_RELEASE_LTO", "true")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
            .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .env("CARGO_PROFILE_RELEASE_STRIP", "debuginfo");
    }
    if let Route::DebianBuildStd { linker } = route {
        cmd.arg("-Zbuild-std=std,panic_abort")
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", linker);
    }
    run(&mut cmd, "cargo build (wasm)")
}

/// A command without the variables an enclosing cargo/rustup invocation sets.
fn scrubbed(mut cmd: Command) -> Command {
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    cmd
}

// ---------------------------------------------------------------------------------------------
// wasm-bindgen

/// The version of the `wasm-bindgen` crate in Cargo.lock.
fn locked_version(lock: &str, crate_name: &str) -> Option<String> {
    let mut in_package = false;
    let mut name_matches = false;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[[package]]";
            name_matches = false;
            continue;
        }
        if !in_package {
            continue;
        }
        if let Some(v) = toml_string(line, "name") {
            name_matches = v == crate_name;
        } else if let Some(v) = toml_string(line, "version") {
            if name_matches {
                return Some(v.to_owned());
            }
        }
    }
    None
}

fn toml_string<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

/// Finds `wasm-bindgen` at exactly the locked version, installing it when missing or different.
fn ensure_wasm_bindgen(root: &Path) -> anyhow::Result<PathBuf> {
    let lock = fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
    let want = locked_version(&lock, "wasm-bindgen").ok_or_else(|| {
        anyhow!("Cargo.lock has no wasm-bindgen package; is the frontend a workspace member?")
    })?;

    let candidates = candidate_bindgens();
    for bin in &candidates {
        if bindgen_version(bin).as_deref() == Some(want.as_str()) {
            return Ok(bin.clone());
        }
    }
    let found: Vec<String> = candidates
        .iter()
        .map(|b| {
            format!(
                "{} ({})",
                b.display(),
                bindgen_version(b).unwrap_or_else(|| "unusable".into())
            )
        })
        .collect();
    println!(
        "wasm: installing wasm-bindgen-cli {want} (found: {})",
        if found.is_empty() {
            "none".to_owned()
        } else {
            found.join(", ")
        }
    );
    // Not --locked: one of the CLI's locked dependencies is missing from the registry mirror.
    run(
        scrubbed(Command::new("cargo")).args(["install", "wasm-bindgen-cli", "--version", &want]),
        "cargo install wasm-bindgen-cli",
    )?;
    candidate_bindgens()
        .into_iter()
        .find(|b| bindgen_version(b).as_deref() == Some(want.as_str()))
        .ok_or_else(|| anyhow!("wasm-bindgen {want} still not found after cargo install"))
}

fn candidate_bindgens() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo").join("bin"));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    for dir in dirs {
        let bin = dir.join("wasm-bindgen");
        if bin.is_file() && !out.contains(&bin) {
            out.push(bin);
        }
    }
    out
}

/// `wasm-bindgen 0.2.130` → `0.2.130`.
fn bindgen_version(bin: &Path) -> Option<String> {
    let out = Command::new(bin).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    text.split_whitespace().nth(1).map(str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// dist/

#[derive(Debug, Default)]
struct SizeReport {
    wasm_raw: u64,
    wasm_gz: u64,
    total_raw: u64,
    total_gz: u64,
}

/// `name-<16 hex of sha256>.ext`.
fn hashed_name(stem: &str, ext: &str, content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{stem}-{hex}.{ext}")
}

fn gzip(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data)?;
    Ok(enc.finish()?)
}

/// The boot module: inline scripts are forbidden by the CSP, so this tiny file starts the app.
fn boot_module(js_name: &str, wasm_name: &str) -> String {
    format!(
        "import init from \"./{js_name}\";\n\
         init({{ module_or_path: new URL(\"./{wasm_name}\", import.meta.url) }});\n"
    )
}

/// Fills the `{{…}}` placeholders of frontend/index.html.
fn render_index(template: &str, assets: &[(&str, &str)]) -> anyhow::Result<String> {
    let mut html = template.to_owned();
    for (key, value) in assets {
        let placeholder = format!("{{{{{key}}}}}");
        if !html.contains(&placeholder) {
            bail!("frontend/index.html lacks the placeholder {placeholder}");
        }
        html = html.replace(&placeholder, value);
    }
    if let Some(pos) = html.find("{{") {
        let end = html[pos..].find("}}").map_or(html.len(), |e| pos + e + 2);
        bail!(
            "frontend/index.html has an unknown placeholder {}",
            &html[pos..end]
        );
    }
    check_csp_safe(&html)?;
    Ok(html)
}

/// The server's CSP allows no inline script or style: refuse to write a page that needs one.
fn check_csp_safe(html: &str) -> anyhow::Result<()> {
    let lower = html.to_ascii_lowercase();
    if lower.contains("<style") || lower.contains(" style=") {
        bail!("index.html must not contain inline styles (CSP style-src 'self')");
    }
    let mut rest = lower.as_str();
    while let Some(pos) = rest.find("<script") {
        let tag_end = rest[pos..].find('>').map_or(rest.len(), |e| pos + e);
        let tag = &rest[pos..tag_end];
        if !tag.contains(" src=") {
            bail!("index.html must not contain inline scripts (CSP script-src 'self')");
        }
        rest = &rest[tag_end..];
    }
    if lower.contains(" on")
        && lower
            .split_whitespace()
            .any(|w| w.starts_with("on") && w.contains('='))
    {
        bail!("index.html must not contain inline event handlers (CSP script-src 'self')");
    }
    Ok(())
}

struct Writer {
    assets: PathBuf,
    written: BTreeSet<OsString>,
    report: SizeReport,
}

impl Writer {
    /// Writes `rel` (a path under assets/) and its `.gz`, and returns the raw and gzip sizes.
    fn put(&mut self, rel: &str, data: &[u8]) -> anyhow::Result<(u64, u64)> {
        let path = self.assets.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let gz = gzip(data)?;
        write_atomic(&path, data)?;
        write_atomic(&with_gz(&path), &gz)?;
        let top = Path::new(rel)
            .components()
            .next()
            .expect("non-empty asset path");
        self.written.insert(top.as_os_str().to_owned());
        let gz_top = if Path::new(rel).components().count() == 1 {
            OsString::from(format!("{rel}.gz"))
        } else {
            top.as_os_str().to_owned()
        };
        self.written.insert(gz_top);
        self.report.total_raw += data.len() as u64;
        self.report.total_gz += gz.len() as u64;
        Ok((data.len() as u64, gz.len() as u64))
    }
}

fn with_gz(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".gz");
    PathBuf::from(s)
}

fn write_atomic(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let tmp = with_suffix(path, ".tmp");
    fs::write(&tmp, data).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn write_dist(frontend: &Path, bindgen_dir: &Path, dist: &Path) -> anyhow::Result<SizeReport> {
    let assets = dist.join("assets");
    fs::create_dir_all(&assets).with_context(|| format!("creating {}", assets.display()))?;
    let mut w = Writer {
        assets: assets.clone(),
        written: BTreeSet::new(),
        report: SizeReport::default(),
    };

    // wasm-bindgen's glue imports its snippets relative to itself: keep them beside it.
    let snippets = bindgen_dir.join("snippets");
    if snippets.is_dir() {
        for file in walk(&snippets)? {
            let rel = file
                .strip_prefix(bindgen_dir)
                .expect("walked below bindgen dir");
            let rel = rel
                .to_str()
                .ok_or_else(|| anyhow!("non-UTF-8 snippet path {}", rel.display()))?;
            w.put(rel, &fs::read(&file)?)?;
        }
    }

    let wasm = fs::read(bindgen_dir.join(format!("{OUT_NAME}_bg.wasm")))
        .context("reading wasm-bindgen's wasm")?;
    let wasm_name = hashed_name(&format!("{OUT_NAME}_bg"), "wasm", &wasm);
    let (wasm_raw, wasm_gz) = w.put(&wasm_name, &wasm)?;
    w.report.wasm_raw = wasm_raw;
    w.report.wasm_gz = wasm_gz;

    let js = fs::read(bindgen_dir.join(format!("{OUT_NAME}.js")))
        .context("reading wasm-bindgen's js")?;
    let js_name = hashed_name(OUT_NAME, "js", &js);
    w.put(&js_name, &js)?;

    let boot = boot_module(&js_name, &wasm_name);
    let boot_name = hashed_name("boot", "js", boot.as_bytes());
    w.put(&boot_name, boot.as_bytes())?;

    let css = fs::read(frontend.join("style.css")).context("reading frontend/style.css")?;
    let css_name = hashed_name("style", "css", &css);
    w.put(&css_name, &css)?;

    let icon = fs::read(frontend.join("favicon.svg")).context("reading frontend/favicon.svg")?;
    let icon_name = hashed_name("favicon", "svg", &icon);
    w.put(&icon_name, &icon)?;

    let template =
        fs::read_to_string(frontend.join("index.html")).context("reading frontend/index.html")?;
    let html = render_index(
        &template,
        &[
            ("style", &format!("/assets/{css_name}")),
            ("boot", &format!("/assets/{boot_name}")),
            ("glue", &format!("/assets/{js_name}")),
            ("wasm", &format!("/assets/{wasm_name}")),
            ("favicon", &format!("/assets/{icon_name}")),
        ],
    )?;

    // Remove assets of earlier builds, then publish the new index last.
    for entry in fs::read_dir(&assets)? {
        let entry = entry?;
        if !w.written.contains(&entry.file_name()) {
            let path = entry.path();
            if path.is_dir() {
                fs::remove_dir_all(&path)?;
            } else {
                fs::remove_file(&path)?;
            }
        }
    }
    let index = dist.join("index.html");
    write_atomic(&index, html.as_bytes())?;
    write_atomic(&with_gz(&index), &gzip(html.as_bytes())?)?;
    Ok(w.report)
}

fn walk(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("starting {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

fn capture(cmd: &mut Command, what: &str) -> anyhow::Result<String> {
    let out = cmd.output().with_context(|| format!("starting {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn human(bytes: u64) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    if b >= KIB * KIB {
        format!("{:.2} MiB", b / (KIB * KIB))
    } else if b >= KIB {
        format!("{:.0} KiB", b / KIB)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_locked_version_of_one_crate() {
        let lock = r#"
version = 4

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.1"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "leptos"), None);
    }

    #[test]
    fn hashed_names_change_with_content() {
        let a = hashed_name("style", "css", b"a");
        let b = hashed_name("style", "css", b"b");
        assert_ne!(a, b);
        assert!(a.starts_with("style-") && a.ends_with(".css"));
        assert_eq!(a.len(), "style-".len() + 16 + ".css".len());
    }

    #[test]
    fn index_placeholders_are_all_filled_and_csp_safe() {
        let t = r#"<link rel="stylesheet" href="{{style}}"><script type="module" src="{{boot}}"></script>"#;
        let html = render_index(t, &[("style", "/a.css"), ("boot", "/b.js")]).unwrap();
        assert!(html.contains("/a.css") && html.contains("/b.js"));
        assert!(
            render_index(t, &[("style", "/a.css")]).is_err(),
            "unfilled placeholder"
        );
        assert!(render_index("<script>alert(1)</script>", &[]).is_err());
        assert!(render_index("<div style=\"color:red\"></div>", &[]).is_err());
        assert!(render_index("<button onclick=\"x()\"></button>", &[]).is_err());
    }

    #[test]
    fn boot_module_imports_the_hashed_glue() {
        let boot = boot_module("certdirect-0123.js", "certdirect_bg-4567.wasm");
        assert!(boot.contains("from \"./certdirect-0123.js\""));
        assert!(boot.contains("\"./certdirect_bg-4567.wasm\""));
    }

    #[test]
    fn gzip_round_trips() {
        use std::io::Read as _;
        let data = b"hello hello hello hello".repeat(10);
        let gz = gzip(&data).unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
    }
}
