//! The compiled guest, loaded by the backend (which verifies it first), and
//! the pool of instances its sandboxes share.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::{Code, Opening, SharedHash};
use crate::lifecycle::Lifecycle;
use crate::manifest::{GuestFacts, Manifest};
use crate::pool::Pool;
use crate::Error;

/// The guest compiled for this platform, loaded and ready to instantiate.
/// Cloning is cheap and shares the loaded code.
/// Sandboxes of one artifact share its pool of booted instances.
#[derive(Clone)]
pub struct Artifact {
    code: Code,
    guest: GuestFacts,
    lifecycle: Lifecycle,
    pool: Arc<Pool>,
}

impl Artifact {
    /// Loads the artifact for this platform from an artifacts directory
    /// (`manifest.json` plus `kobako.<triple>.wasmu`; with the wasmtime
    /// backend, `kobako.checkpointed.wasm` instead, and the checks below
    /// are the Wasmer artifact's).
    ///
    /// Nothing is deserialized until the manifest names an artifact for this
    /// target triple, built by this Wasmer version, for CPU features this
    /// machine has, and the file's BLAKE3 hash matches the manifest.
    ///
    /// # Errors
    /// [`Error::Artifact`] for any of those checks, an unreadable file, or a
    /// file Wasmer refuses.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        Self::load_pinned(dir, None)
    }

    /// As [`Artifact::load`], and the artifact must be the one whose
    /// BLAKE3 hash is `pinned`: an embedder compiles in the hash of the
    /// artifact it was built with, so whoever can swap the artifact and its
    /// manifest together still cannot get it loaded.
    ///
    /// # Errors
    /// As [`Artifact::load`]; also when the manifest names another artifact.
    pub fn load_pinned(dir: &Path, pinned: Option<&str>) -> Result<Self, Error> {
        Self::begin_load_pinned(dir, pinned)?.0.finish()
    }

    /// [`Artifact::load_pinned`] in two parts, for a load that another
    /// thread finishes ([`PendingLoad::finish`]) while this one helps
    /// ([`LoadHelp::help`]): this part reads the manifest, makes its checks
    /// and opens the artifact file, and is cheap; the rest (the file's hash
    /// checked, then its code loaded) is not.
    ///
    /// # Errors
    /// As [`Artifact::load_pinned`], for the checks this part makes.
    pub fn begin_load_pinned(
        dir: &Path,
        pinned: Option<&str>,
    ) -> Result<(PendingLoad, LoadHelp), Error> {
        let manifest = Manifest::read(dir)?;
        let opening = Code::open(dir, &manifest, pinned)?;
        let help = LoadHelp(opening.hash());
        Ok((PendingLoad { manifest, opening }, help))
    }

    /// The same compiled guest under another [`Lifecycle`], with a pool of
    /// its own.
    #[must_use]
    pub fn with_lifecycle(&self, lifecycle: Lifecycle) -> Self {
        Artifact {
            lifecycle,
            pool: Arc::default(),
            ..self.clone()
        }
    }

    /// How this artifact's invocations get a fresh interpreter.
    pub fn lifecycle(&self) -> Lifecycle {
        self.lifecycle
    }

    /// How many booted instances this artifact keeps idle for its
    /// sandboxes, and how many bytes of guest memory they hold together
    /// (host memory they keep whether or not any sandbox runs).
    pub fn idle_instances(&self) -> (usize, u64) {
        self.pool.idle_memory()
    }

    /// Makes one instance ready in the pool (booted and snapshotted), so
    /// the next invocation of any of this artifact's sandboxes does not
    /// wait for it. Nothing happens if one is idle already.
    ///
    /// # Errors
    /// When the instance cannot be made, as that invocation would fail.
    pub fn warm(&self) -> Result<(), Error> {
        let slot = self.pool.take(self)?;
        self.pool.keep(slot);
        Ok(())
    }

    pub(crate) fn guest(&self) -> GuestFacts {
        self.guest
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    pub(crate) fn code(&self) -> &Code {
        &self.code
    }
}

/// An artifact whose load [`Artifact::begin_load_pinned`] began.
pub struct PendingLoad {
    manifest: Manifest,
    opening: Opening,
}

impl PendingLoad {
    /// Checks the file's hash (hashing what no [`LoadHelp`] did) and loads
    /// the artifact.
    ///
    /// # Errors
    /// As [`Artifact::load_pinned`].
    pub fn finish(self) -> Result<Artifact, Error> {
        Ok(Artifact {
            code: Code::finish(self.opening)?,
            guest: self.manifest.guest,
            lifecycle: Lifecycle::from_env(),
            pool: Arc::default(),
        })
    }
}

/// What another thread can do for a [`PendingLoad`]: hash part of the
/// artifact file (its BLAKE3 tree splits; see `checksum`).
pub struct LoadHelp(Option<SharedHash>);

impl LoadHelp {
    /// The share of the file the helper hashes. At `require "kobako"` the
    /// thread that begins the load has ~1 ms of Ruby's library left to load
    /// while the loader hashes and loads the artifact for ~2 ms, so the
    /// first `Sandbox.new` used to wait ~0.8 ms for it. Measured in fresh
    /// processes (60 alternated runs each, median require + new + eval):
    /// no share 3.44 ms, a quarter 3.19 ms (that wait 0.17 ms), 0.3 of it
    /// 3.18 ms (0.06 ms: Ruby's thread is then the one waited for).
    const SHARE: f64 = 0.25;

    /// Hashes [`LoadHelp::SHARE`] of the artifact file, from its end, on
    /// the calling thread (nothing with the wasmtime backend).
    pub fn help(&self) {
        if let Some(hash) = &self.0 {
            hash.help(Self::SHARE);
        }
    }
}

/// The `artifacts/` directory of this source tree, or `$KOBAKO_ARTIFACTS_DIR`.
pub fn default_artifacts_dir() -> PathBuf {
    std::env::var_os("KOBAKO_ARTIFACTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts"))
}
