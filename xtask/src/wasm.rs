//! Builds the portal (frontend/) to WebAssembly into frontend/dist. See DESIGN.md §5.
//!
//! Steps:
//! 1. pick a Rust toolchain that can target `wasm32-unknown-unknown` (a rustup toolchain with the
//!    target's standard library installed, else Debian's `rustc-web` + `rust-web-src` with
//!    `-Zbuild-std`) and say which one;
//! 2. `cargo build -p certdirect-frontend --target wasm32-unknown-unknown` into `target/wasm`, so the
//!    wasm build never waits for the host build's lock; a release build uses the `wasm-release`
//!    profile of the root Cargo.toml (size over speed; the server's `release` is left alone);
//! 3. `wasm-split-cli` (crate `wasm_split_cli_support`, installed when missing) cuts the module at
//!    the lazy routes (`lazy_pages!` in frontend/src/app.rs) into a main module and chunks fetched
//!    on first use; the build links with `--emit-relocs` so it can;
//! 4. `wasm-bindgen --target web --keep-lld-exports` on the main module, at exactly the version
//!    Cargo.lock pins; the chunks lose their custom sections (names) in a release build;
//! 5. release only: `wasm-opt -Oz` on the main module and every chunk, with a wasm-opt that keeps
//!    wasm-bindgen's externref table intact (PATH's when recent enough, else binaryen's npm
//!    package, installed into `target/tools/binaryen`); otherwise the build goes on, unoptimised,
//!    and says so loudly;
//! 6. write `frontend/dist/`: `index.html` (no inline script or style, the server's CSP forbids
//!    both) and `assets/` with content-hashed names (the app's glue, wasm, loader and chunks refer
//!    to one another by name, so they share one `app-<hash of them all>/` directory) plus a `.gz`
//!    and a `.br` beside each file, and print every file's raw, gzip and brotli size.

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
/// The cargo profile of a release wasm build (root Cargo.toml).
const RELEASE_PROFILE: &str = "wasm-release";
/// The portal's budget for the wasm as sent (compressed), docs/performance.md "Portal weight";
/// e2e/tests/weight.spec.ts enforces it in a browser.
const WASM_BUDGET_BYTES: u64 = 300 * 1024;
/// The oldest wasm-opt run on the bundle. 108 (Debian 12's `binaryen`) was seen to break the
/// externref table; 132 (npm, [`BINARYEN_NPM`]) keeps it intact (the browser tests pass). Which
/// release in between first does has not been tested: one found on PATH between 109 and 131
/// has to be tried in a browser (e2e weight.spec.ts) before it is trusted.
const WASM_OPT_MIN_VERSION: u32 = 109;
/// binaryen's npm package, whose `wasm-opt` (compiled to wasm, run by Node) is used when the
/// machine has no recent enough one.
const BINARYEN_NPM: &str = "binaryen@132.0.0";
/// wasm-opt's features: what rustc enables by default for wasm32-unknown-unknown.
const WASM_OPT_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];
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
    let profile = if release { RELEASE_PROFILE } else { "debug" };
    let compile_started = Instant::now();
    cargo_build(root, &route, &target_dir, release)?;
    let compile_secs = compile_started.elapsed().as_secs_f64();
    let wasm_in = target_dir.join(TARGET).join(profile).join(WASM_FILE);
    if !wasm_in.is_file() {
        bail!("cargo finished but {} does not exist", wasm_in.display());
    }

    // Split the lazily loaded routes (`lazy_pages!` in frontend/src/app.rs) into chunks of
    // their own: `main` is what every page needs, the rest is fetched on first use.
    let splitter = ensure_wasm_split()?;
    let split_dir = target_dir.join("split").join(profile);
    if split_dir.exists() {
        fs::remove_dir_all(&split_dir)
            .with_context(|| format!("removing {}", split_dir.display()))?;
    }
    fs::create_dir_all(&split_dir)?;
    run(
        Command::new(&splitter).arg(&wasm_in).arg(&split_dir).args([
            "--target",
            "web",
            "--out-name",
            OUT_NAME,
        ]),
        "wasm-split-cli",
    )?;
    let split_main = split_dir.join(format!("{OUT_NAME}.wasm"));

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
        // The chunks import the main module's functions, memory and table through these.
        .arg("--keep-lld-exports")
        .arg("--out-name")
        .arg(OUT_NAME)
        .arg("--out-dir")
        .arg(&bindgen_dir)
        .arg(&split_main);
    if release {
        // Function names are 3/4 of an optimised bundle; panics still say where (the
        // message carries file and line).
        cmd.arg("--remove-name-section")
            .arg("--remove-producers-section");
    } else {
        cmd.arg("--debug");
    }
    run(&mut cmd, "wasm-bindgen")?;
    // The chunks and their loader go beside wasm-bindgen's output: the loader imports
    // `./certdirect.js` and fetches `./<chunk>.wasm` relative to itself.
    let mut chunks = 0;
    for entry in fs::read_dir(&split_dir)? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if path == split_main {
            continue;
        }
        if name.ends_with(".wasm") {
            let data = fs::read(&path)?;
            let data = if release {
                strip_custom_sections(&data)?
            } else {
                data
            };
            fs::write(bindgen_dir.join(name), data)?;
            chunks += 1;
        } else if name.ends_with(".js") {
            fs::copy(&path, bindgen_dir.join(name))?;
        }
    }
    println!("wasm: wasm-split: main module and {chunks} lazily loaded chunks");
    if release {
        let mut wasm_files: Vec<PathBuf> = fs::read_dir(&bindgen_dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        wasm_files.retain(|p| p.extension().is_some_and(|e| e == "wasm"));
        wasm_files.sort();
        optimize_all(root, &wasm_files)?;
    }

    let dist = root.join("frontend").join("dist");
    let report = write_dist(&root.join("frontend"), &bindgen_dir, &dist)?;
    println!(
        "wasm: wrote {} ({profile}; cargo {compile_secs:.1}s, total {:.1}s)",
        dist.display(),
        started.elapsed().as_secs_f64()
    );
    print!("{}", report.table());
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
        apt_install(&missing).context("installing the Debian web toolchain (are you root?)")?;
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

/// `apt-get install -y <packages>`, saying so; on failure refreshes the package lists once and
/// retries.
fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    println!("wasm: installing Debian packages: {}", packages.join(" "));
    let install = || {
        let mut cmd = Command::new("apt-get");
        cmd.args(["install", "-y"])
            .args(packages)
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
        .and_then(|()| install())?;
    }
    Ok(())
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
    // `cargo rustc`, not `build`: the arguments after `--` reach only the portal's own crate
    // (its link), so the dependencies stay built as they were.
    cmd.current_dir(root)
        .args(["rustc", "-p", PACKAGE, "--target", TARGET, "--target-dir"])
        .arg(target_dir);
    if release {
        // Size matters more than speed for a download: the root Cargo.toml's profile for this
        // build only, so the server's release profile is unchanged.
        cmd.args(["--profile", RELEASE_PROFILE]);
        // Leptos's type-erased views: every component returns an `AnyView` and every reactive
        // closure one shared type, so the view code is instantiated per output type instead
        // of once per call site. Same behaviour, far less code (docs/performance.md).
        cmd.env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
            "--cfg=erase_components",
        );
    }
    if let Route::DebianBuildStd { linker } = route {
        cmd.arg("-Zbuild-std=std,panic_abort")
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", linker);
        if release {
            // std built from source can pick its smaller implementations (formatting, sorting)
            // with the same results; the prebuilt std of the other route cannot.
            cmd.arg("-Zbuild-std-features=optimize_for_size");
        }
    }
    // wasm-split reads the linker's relocations to cut the module at the lazy routes.
    cmd.args(["--", "-Clink-arg=--emit-relocs"]);
    run(&mut cmd, "cargo rustc (wasm)")
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
// wasm-split

/// The crate whose `wasm-split-cli` cuts the module at Leptos's lazy routes, and its version:
/// the one that reads what `wasm_split_helpers` (Cargo.lock, via leptos) writes. It is the
/// library cargo-leptos's `--split` uses.
const WASM_SPLIT_CRATE: &str = "wasm_split_cli_support";
const WASM_SPLIT_VERSION: &str = "0.2.4";
/// Finds `wasm-split-cli` at [`WASM_SPLIT_VERSION`] (as `cargo install --list` reports it),
/// installing it with cargo when missing or different.
fn ensure_wasm_split() -> anyhow::Result<PathBuf> {
    let bin = cargo_home()?.join("bin").join("wasm-split-cli");
    let list = capture(
        scrubbed(Command::new("cargo")).args(["install", "--list"]),
        "cargo install --list",
    )?;
    let want = format!("{WASM_SPLIT_CRATE} v{WASM_SPLIT_VERSION}:");
    if bin.is_file() && list.lines().any(|l| l.trim() == want) {
        return Ok(bin);
    }
    println!(
        "wasm: installing wasm-split-cli ({WASM_SPLIT_CRATE} {WASM_SPLIT_VERSION}, cargo install)"
    );
    run(
        scrubbed(Command::new("cargo")).args([
            "install",
            "--locked",
            WASM_SPLIT_CRATE,
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
        ]),
        "cargo install wasm_split_cli_support",
    )?;
    if !bin.is_file() {
        bail!(
            "cargo install finished but {} does not exist",
            bin.display()
        );
    }
    Ok(bin)
}

/// `$CARGO_HOME`, else `~/.cargo`: where `cargo install` puts binaries.
fn cargo_home() -> anyhow::Result<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return Ok(PathBuf::from(home));
    }
    let home =
        std::env::var_os("HOME").ok_or_else(|| anyhow!("neither CARGO_HOME nor HOME is set"))?;
    Ok(PathBuf::from(home).join(".cargo"))
}

/// A wasm module without its custom sections (names, producers, the linker's leftovers): what
/// `wasm-bindgen --remove-name-section` does for the main module, for the chunks wasm-split
/// writes. Custom sections never change what the module does.
fn strip_custom_sections(wasm: &[u8]) -> anyhow::Result<Vec<u8>> {
    const HEADER: usize = 8;
    if wasm.len() < HEADER || &wasm[..4] != b"\0asm" {
        bail!("not a wasm module");
    }
    let mut out = wasm[..HEADER].to_vec();
    let mut pos = HEADER;
    while pos < wasm.len() {
        let id = wasm[pos];
        let (size, leb_len) = read_leb_u32(&wasm[pos + 1..])?;
        let end = pos + 1 + leb_len + size as usize;
        if end > wasm.len() {
            bail!("truncated wasm section at byte {pos}");
        }
        if id != 0 {
            out.extend_from_slice(&wasm[pos..end]);
        }
        pos = end;
    }
    Ok(out)
}

/// An unsigned LEB128 number and how many bytes it took.
fn read_leb_u32(bytes: &[u8]) -> anyhow::Result<(u32, usize)> {
    let mut value: u32 = 0;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    bail!("bad LEB128 number in wasm")
}

// ---------------------------------------------------------------------------------------------
// wasm-opt

/// `wasm-opt -Oz` on every file in place, with a wasm-opt of at least
/// [`WASM_OPT_MIN_VERSION`] (installed from npm when none is found). When that is impossible, or
/// wasm-opt fails, the build goes on with the unoptimised files and says so loudly: the portal
/// still works, it is only heavier.
fn optimize_all(root: &Path, files: &[PathBuf]) -> anyhow::Result<()> {
    let wasm_opt = match ensure_wasm_opt(root) {
        Ok(bin) => bin,
        Err(why) => {
            warn_unoptimised(&format!("{why:#}"));
            return Ok(());
        }
    };
    for wasm in files {
        let out = with_suffix(wasm, ".opt");
        let before = fs::metadata(wasm)?.len();
        let started = Instant::now();
        let mut cmd = Command::new(&wasm_opt);
        cmd.arg("-Oz")
            .args(WASM_OPT_FEATURES)
            .args(["--strip-debug", "--strip-producers", "-o"])
            .arg(&out)
            .arg(wasm);
        if let Err(why) = run(&mut cmd, "wasm-opt -Oz") {
            let _ = fs::remove_file(&out);
            warn_unoptimised(&format!("{why:#}"));
            return Ok(());
        }
        println!(
            "wasm: wasm-opt -Oz {}: {} -> {} raw ({:.1}s)",
            wasm.file_name().unwrap_or_default().to_string_lossy(),
            human(before),
            human(fs::metadata(&out)?.len()),
            started.elapsed().as_secs_f64()
        );
        fs::rename(&out, wasm).with_context(|| format!("renaming to {}", wasm.display()))?;
    }
    Ok(())
}

/// `wasm-opt version 108 (version_108)` → 108.
fn wasm_opt_version(bin: &Path) -> Option<u32> {
    let out = Command::new(bin).arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    parse_wasm_opt_version(&text)
}

fn parse_wasm_opt_version(text: &str) -> Option<u32> {
    let rest = text.split("version").nth(1)?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A wasm-opt of at least [`WASM_OPT_MIN_VERSION`]: the one on PATH when it is recent enough,
/// else binaryen's npm package (pinned, [`BINARYEN_NPM`]) installed under `target/tools/`. Debian
/// 12's binaryen (108) is too old; the npm package runs wasm-opt compiled to wasm under Node.
fn ensure_wasm_opt(root: &Path) -> anyhow::Result<PathBuf> {
    let recent = |bin: &Path| wasm_opt_version(bin).is_some_and(|v| v >= WASM_OPT_MIN_VERSION);
    let on_path = PathBuf::from("wasm-opt");
    if recent(&on_path) {
        return Ok(on_path);
    }
    let prefix = root.join("target").join("tools").join("binaryen");
    let npm_bin = prefix.join("node_modules").join(".bin").join("wasm-opt");
    let pinned = BINARYEN_NPM.rsplit('@').next().unwrap_or_default();
    let installed = fs::read_to_string(prefix.join("node_modules/binaryen/package.json"))
        .ok()
        .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok())
        .is_some_and(|pkg| pkg["version"] == pinned);
    if !(installed && recent(&npm_bin)) {
        println!(
            "wasm: wasm-opt {} is older than {WASM_OPT_MIN_VERSION} or missing (Binaryen 108, \
             Debian 12's, breaks wasm-bindgen's externref table); installing {BINARYEN_NPM} from \
             npm into {}",
            wasm_opt_version(&on_path).map_or_else(|| "on PATH".to_owned(), |v| v.to_string()),
            prefix.display()
        );
        fs::create_dir_all(&prefix)?;
        run(
            Command::new("npm")
                .args([
                    "install",
                    "--no-audit",
                    "--no-fund",
                    "--no-save",
                    "--prefix",
                ])
                .arg(&prefix)
                .arg(BINARYEN_NPM),
            "npm install binaryen",
        )?;
    }
    match wasm_opt_version(&npm_bin) {
        Some(v) if v >= WASM_OPT_MIN_VERSION => Ok(npm_bin),
        v => bail!(
            "{} reports version {v:?}, not at least {WASM_OPT_MIN_VERSION}",
            npm_bin.display()
        ),
    }
}

fn warn_unoptimised(why: &str) {
    let line = "!".repeat(78);
    eprintln!(
        "{line}\nwasm: WARNING: the portal's wasm is NOT optimised by wasm-opt: {why}\n\
         wasm: it works, but may be larger than it could be (docs/performance.md, \
         \"Portal weight\").\n{line}"
    );
}

// ---------------------------------------------------------------------------------------------
// dist/

/// One written file: its name under dist/ and its raw, gzip and brotli sizes in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sizes {
    name: String,
    raw: u64,
    gz: u64,
    br: u64,
}

#[derive(Debug, Default)]
struct SizeReport {
    files: Vec<Sizes>,
}

impl SizeReport {
    /// The table printed at the end of the build: every file, the total, and the wasm against
    /// its budget (a browser that offers br downloads the brotli twin, others the gzip one).
    fn table(&self) -> String {
        let mut rows: Vec<&Sizes> = self.files.iter().collect();
        rows.sort_by(|a, b| b.raw.cmp(&a.raw).then(a.name.cmp(&b.name)));
        let width = rows
            .iter()
            .map(|r| r.name.len())
            .chain(["total".len()])
            .max()
            .unwrap_or(0);
        let mut out = format!(
            "{:<width$}  {:>10}  {:>10}  {:>10}\n",
            "file", "raw", "gzip", "brotli"
        );
        let line = |name: &str, raw: u64, gz: u64, br: u64| {
            format!(
                "{name:<width$}  {:>10}  {:>10}  {:>10}\n",
                human(raw),
                human(gz),
                human(br)
            )
        };
        for r in &rows {
            out += &line(&r.name, r.raw, r.gz, r.br);
        }
        let sum = |f: fn(&Sizes) -> u64| rows.iter().map(|r| f(r)).sum::<u64>();
        out += &line("total", sum(|r| r.raw), sum(|r| r.gz), sum(|r| r.br));
        let main_wasm = format!("/{OUT_NAME}_bg.wasm");
        let chunks: Vec<&&Sizes> = rows
            .iter()
            .filter(|r| r.name.ends_with(".wasm") && !r.name.ends_with(&main_wasm))
            .collect();
        if !chunks.is_empty() {
            out += &format!(
                "lazily loaded chunks: {} files, {} raw, {} brotli together (largest {} brotli)\n",
                chunks.len(),
                human(chunks.iter().map(|r| r.raw).sum()),
                human(chunks.iter().map(|r| r.br).sum()),
                human(chunks.iter().map(|r| r.br).max().unwrap_or(0)),
            );
        }
        if let Some(wasm) = rows
            .iter()
            .find(|r| r.name.ends_with(&main_wasm))
            .or_else(|| rows.iter().find(|r| r.name.ends_with(".wasm")))
        {
            out += &format!(
                "main wasm (all a first load of / or /login fetches) as sent: {} brotli, {} gzip; budget {} ({})\n",
                human(wasm.br),
                human(wasm.gz),
                human(WASM_BUDGET_BYTES),
                if wasm.gz.max(wasm.br) <= WASM_BUDGET_BYTES {
                    "within"
                } else if wasm.br <= WASM_BUDGET_BYTES {
                    "gzip over, brotli within"
                } else {
                    "OVER"
                }
            );
        }
        out
    }
}

/// `name-<16 hex of sha256>.ext`.
fn hashed_name(stem: &str, ext: &str, content: &[u8]) -> String {
    format!("{stem}-{}.{ext}", hex16(&Sha256::digest(content)))
}

/// The first 8 bytes of a digest as 16 hex digits.
fn hex16(digest: &[u8]) -> String {
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn gzip(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data)?;
    Ok(enc.finish()?)
}

/// Brotli at quality 11 (the best) with a 4 MiB window (`lgwin` 22, the format's default).
fn brotli(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut enc = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, 11, 22);
    enc.write_all(data)?;
    enc.flush()?;
    Ok(enc.into_inner())
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
    /// Writes `rel` (a path under assets/) with its `.gz` and `.br` twins.
    fn put(&mut self, rel: &str, data: &[u8]) -> anyhow::Result<()> {
        let path = self.assets.join(rel);
        let sizes = write_with_twins(&path, &format!("assets/{rel}"), data)?;
        self.report.files.push(sizes);
        let top = Path::new(rel)
            .components()
            .next()
            .expect("non-empty asset path");
        self.written.insert(top.as_os_str().to_owned());
        if Path::new(rel).components().count() == 1 {
            for twin in [".gz", ".br"] {
                self.written.insert(OsString::from(format!("{rel}{twin}")));
            }
        }
        Ok(())
    }
}

/// Writes `path` and its `.gz` and `.br` twins; `name` is what the size table calls it.
fn write_with_twins(path: &Path, name: &str, data: &[u8]) -> anyhow::Result<Sizes> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let gz = gzip(data)?;
    let br = brotli(data)?;
    write_atomic(path, data)?;
    write_atomic(&with_suffix(path, ".gz"), &gz)?;
    write_atomic(&with_suffix(path, ".br"), &br)?;
    Ok(Sizes {
        name: name.to_owned(),
        raw: data.len() as u64,
        gz: gz.len() as u64,
        br: br.len() as u64,
    })
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

    // wasm-bindgen's glue, the wasm-split loader and the chunks import and fetch one another by
    // relative names that are written into them: they keep those names and share one directory
    // named by the hash of them all, so each name is still tied to one content.
    let mut app_files = Vec::new();
    let mut app_hash = Sha256::new();
    for file in walk(bindgen_dir)? {
        let rel = file
            .strip_prefix(bindgen_dir)
            .expect("walked below bindgen dir");
        let rel = rel
            .to_str()
            .ok_or_else(|| anyhow!("non-UTF-8 path {}", rel.display()))?
            .to_owned();
        let data = fs::read(&file)?;
        app_hash.update((rel.len() as u64).to_le_bytes());
        app_hash.update(rel.as_bytes());
        app_hash.update((data.len() as u64).to_le_bytes());
        app_hash.update(&data);
        app_files.push((rel, data));
    }
    let app_dir = format!("app-{}", hex16(&app_hash.finalize()));
    let mut main_found = false;
    for (rel, data) in &app_files {
        main_found |= *rel == format!("{OUT_NAME}_bg.wasm");
        w.put(&format!("{app_dir}/{rel}"), data)?;
    }
    if !main_found {
        bail!("wasm-bindgen wrote no {OUT_NAME}_bg.wasm");
    }
    let js_name = format!("{app_dir}/{OUT_NAME}.js");
    let wasm_name = format!("{app_dir}/{OUT_NAME}_bg.wasm");

    let boot = boot_module(&js_name, &wasm_name);
    let boot_name = hashed_name("boot", "js", boot.as_bytes());
    w.put(&boot_name, boot.as_bytes())?;

    let css = fs::read(frontend.join("style.css")).context("reading frontend/style.css")?;
    let css_name = hashed_name("style", "css", &css);
    w.put(&css_name, &css)?;

    // The few rules the loading screen needs before the wasm arrives (index.html).
    let splash = fs::read(frontend.join("boot.css")).context("reading frontend/boot.css")?;
    let splash_name = hashed_name("boot", "css", &splash);
    w.put(&splash_name, &splash)?;

    let icon = fs::read(frontend.join("favicon.svg")).context("reading frontend/favicon.svg")?;
    let icon_name = hashed_name("favicon", "svg", &icon);
    w.put(&icon_name, &icon)?;

    let template =
        fs::read_to_string(frontend.join("index.html")).context("reading frontend/index.html")?;
    let html = render_index(
        &template,
        &[
            ("style", &format!("/assets/{css_name}")),
            ("splash", &format!("/assets/{splash_name}")),
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
    let index = write_with_twins(&dist.join("index.html"), "index.html", html.as_bytes())?;
    w.report.files.push(index);
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
        let boot = boot_module("app-0123/certdirect.js", "app-0123/certdirect_bg.wasm");
        assert!(boot.contains("from \"./app-0123/certdirect.js\""));
        assert!(boot.contains("\"./app-0123/certdirect_bg.wasm\""));
    }

    #[test]
    fn reads_wasm_opts_version() {
        assert_eq!(parse_wasm_opt_version("wasm-opt version 108\n"), Some(108));
        assert_eq!(
            parse_wasm_opt_version("wasm-opt version 123 (version_123)"),
            Some(123)
        );
        assert_eq!(parse_wasm_opt_version("nonsense"), None);
    }

    #[test]
    fn brotli_round_trips() {
        use std::io::Read as _;
        let data = b"hello hello hello hello".repeat(10);
        let br = brotli(&data).unwrap();
        assert!(br.len() < data.len());
        let mut out = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn the_size_table_lists_every_file_and_the_wasm_budget() {
        let report = SizeReport {
            files: vec![
                Sizes {
                    name: "index.html".into(),
                    raw: 900,
                    gz: 500,
                    br: 400,
                },
                Sizes {
                    name: "assets/app-0123/certdirect_bg.wasm".into(),
                    raw: 1_000_000,
                    gz: 320 * 1024,
                    br: 280 * 1024,
                },
                Sizes {
                    name: "assets/app-0123/split_1_tokens.wasm".into(),
                    raw: 2000,
                    gz: 1000,
                    br: 900,
                },
            ],
        };
        let table = report.table();
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].contains("raw") && lines[0].contains("brotli"),
            "{table}"
        );
        assert!(
            lines[1].starts_with("assets/app-0123/certdirect_bg.wasm"),
            "{table}"
        );
        assert!(lines[2].starts_with("assets/app-0123/split_1"), "{table}");
        assert!(lines[3].starts_with("index.html"), "{table}");
        assert!(lines[4].starts_with("total"), "{table}");
        assert!(table.contains("lazily loaded chunks: 1 files"), "{table}");
        assert!(table.contains("gzip over, brotli within"), "{table}");
    }

    #[test]
    fn strips_only_custom_sections() {
        // header, type section (id 1, 4 bytes), custom "name" section (id 0), function section
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]);
        wasm.extend_from_slice(&[0, 6, 4, b'n', b'a', b'm', b'e', 9]);
        wasm.extend_from_slice(&[3, 2, 1, 0]);
        let stripped = strip_custom_sections(&wasm).unwrap();
        let mut want = b"\0asm\x01\0\0\0".to_vec();
        want.extend_from_slice(&[1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0]);
        assert_eq!(stripped, want);
        assert!(strip_custom_sections(b"nope").is_err());
        assert!(strip_custom_sections(&wasm[..wasm.len() - 1]).is_err());
        assert_eq!(read_leb_u32(&[0xe5, 0x8e, 0x26]).unwrap(), (624_485, 3));
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
