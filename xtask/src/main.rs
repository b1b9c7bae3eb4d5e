//! `cargo xtask run|test|wasm`: build orchestration for CertDirect.

mod wasm;

use std::path::{Path, PathBuf};

fn main() -> anyhow::Result<()> {
    let root = workspace_root();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("wasm") => {
            wasm::build(&root, args.iter().any(|a| a == "--release"))?;
        }
        _ => {
            eprintln!("usage: cargo xtask <run|test|wasm [--release]>");
            std::process::exit(2);
        }
    }
    Ok(())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
