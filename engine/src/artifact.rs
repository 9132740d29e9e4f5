//! Loading the compiled guest: verify, then deserialize on a headless engine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmer::sys::NativeEngineExt;
use wasmer::{Engine, Module, Type};

use crate::caps::memory::CappedTunables;
use crate::lifecycle::Lifecycle;
use crate::manifest::{blake3_file, GuestFacts, Manifest, WASMER_VERSION};
use crate::pool::Pool;
use crate::{platform, Error};

/// The guest compiled for this platform, loaded and ready to instantiate.
/// Cloning is cheap and shares the loaded code.
/// Sandboxes of one artifact share its pool of booted instances.
#[derive(Clone)]
pub struct Artifact {
    engine: Engine,
    module: Module,
    guest: GuestFacts,
    lifecycle: Lifecycle,
    pool: Arc<Pool>,
}

impl Artifact {
    /// Loads the artifact for this platform from an artifacts directory
    /// (`manifest.json` plus `kobako.<triple>.wasmu`).
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
        let manifest = Manifest::read(dir)?;
        let triple = platform::host_triple();
        let entry = manifest.artifact_for(triple).ok_or_else(|| {
            Error::Artifact(format!("no artifact for {triple} in {}", dir.display()))
        })?;
        if let Some(pinned) = pinned.filter(|p| *p != entry.blake3) {
            return Err(Error::Artifact(format!(
                "{} is not the artifact this extension was built with (its manifest says \
                 {}, the extension expects {pinned}): reinstall kobako, or rebuild the \
                 extension with bin/setup",
                dir.join(&entry.file).display(),
                entry.blake3
            )));
        }
        if entry.wasmer != WASMER_VERSION {
            return Err(Error::Artifact(format!(
                "{} was compiled by Wasmer {}, this build runs Wasmer {WASMER_VERSION}",
                entry.file, entry.wasmer
            )));
        }
        if !entry.checkpoints {
            return Err(Error::Artifact(format!(
                "{} was compiled without checkpoints (kobako-aot --no-checkpoints): no timeout, \
                 fuel or interrupt could stop it; rebuild it with kobako-aot",
                entry.file
            )));
        }
        if let Some(missing) = entry
            .cpu_features
            .iter()
            .find(|f| !platform::host_has_cpu_feature(f))
        {
            return Err(Error::Artifact(format!(
                "{} needs the CPU feature {missing}, which this machine lacks",
                entry.file
            )));
        }
        let path = dir.join(&entry.file);
        let digest = blake3_file(&path)
            .map_err(|e| Error::Artifact(format!("cannot read {}: {e}", path.display())))?;
        if digest != entry.blake3 {
            return Err(Error::Artifact(format!(
                "{} does not match the checksum in its manifest; refusing to load it: reinstall \
                 kobako, or restore artifacts/ from its source",
                path.display()
            )));
        }
        let mut engine = Engine::headless();
        engine.set_tunables(CappedTunables::default());
        // SAFETY: deserializing loads native code. The file's BLAKE3 hash was
        // checked against the manifest just above, and the manifest says it
        // was produced by `kobako-aot` with this Wasmer version for this
        // platform; Wasmer checks its own format header too. An ELF artifact
        // is mapped from the file, so the file must not change while this
        // process runs: it lives in the gem's own directory, which only a
        // party that could replace the extension itself can write.
        let module = unsafe { Module::deserialize_from_file(&engine, &path) }
            .map_err(|e| Error::Artifact(format!("Wasmer refused {}: {e}", path.display())))?;
        refuse_kept_exceptions(&module)?;
        Ok(Artifact {
            engine,
            module,
            guest: manifest.guest,
            lifecycle: Lifecycle::from_env(),
            pool: Arc::default(),
        })
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

    pub(crate) fn guest(&self) -> GuestFacts {
        self.guest
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn module(&self) -> &Module {
        &self.module
    }
}

/// The pool frees a store's exception objects between invocations, which
/// is sound only if the guest cannot keep an exception reference past one:
/// no global or table of exnref type.
fn refuse_kept_exceptions(module: &Module) -> Result<(), Error> {
    let info = module.info();
    let global = info.globals.values().any(|g| g.ty == Type::ExceptionRef);
    let table = info.tables.values().any(|t| t.ty == Type::ExceptionRef);
    if global || table {
        return Err(Error::Artifact(
            "the guest module keeps exception references in a global or table".into(),
        ));
    }
    Ok(())
}

/// The `artifacts/` directory of this source tree, or `$KOBAKO_ARTIFACTS_DIR`.
pub fn default_artifacts_dir() -> PathBuf {
    std::env::var_os("KOBAKO_ARTIFACTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts"))
}
