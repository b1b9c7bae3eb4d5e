//! Builds the portal (frontend/) to WebAssembly into frontend/dist. See DESIGN.md §5.

use std::path::Path;

pub fn build(_root: &Path, _release: bool) -> anyhow::Result<()> {
    anyhow::bail!("the wasm build is not written yet")
}
