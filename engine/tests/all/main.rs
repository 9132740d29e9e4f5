//! The engine's integration tests, one binary (each extra test binary links
//! the engine again). They load the committed artifact from `artifacts/`,
//! or with the wasmtime backend the checkpointed guest from
//! `$KOBAKO_ARTIFACTS_DIR` (`bin/test` writes it there), and all but the
//! checks of the Wasmer artifact itself run against both backends.

#[cfg(feature = "wasmer")]
mod artifact;
mod caps;
mod eval;
mod lifecycle;
mod output;
mod preload;
mod services;
#[cfg(feature = "wasmtime")]
mod wasmtime;

use std::sync::OnceLock;

use kobako_engine::{default_artifacts_dir, Artifact, Sandbox};

/// The artifact, loaded once for the whole test binary.
pub fn artifact() -> &'static Artifact {
    static ARTIFACT: OnceLock<Artifact> = OnceLock::new();
    ARTIFACT.get_or_init(|| Artifact::load(&default_artifacts_dir()).expect("artifact loads"))
}

pub fn sandbox() -> Sandbox {
    Sandbox::new(artifact())
}
