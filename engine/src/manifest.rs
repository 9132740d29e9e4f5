//! `artifacts/manifest.json`: what was built, from what, for which machine.
//!
//! Written by the artifact compiler (`kobako-aot`), read at load time. The
//! checksums are the trust anchor: a `.wasmu` is native code, and nothing is
//! loaded whose bytes do not hash to what the manifest says.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The Wasmer version this engine links; an artifact must come from the same.
pub const WASMER_VERSION: &str = "7.4.2";

/// The manifest format this build reads and writes.
pub const MANIFEST_FORMAT: u32 = 6;

/// File name of the manifest inside the artifacts directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The contents of `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Manifest format version ([`MANIFEST_FORMAT`]).
    pub format: u32,
    /// The guest module every artifact was compiled from.
    pub wasm: FileEntry,
    /// Facts about that module the runtime relies on.
    pub guest: GuestFacts,
    /// One compiled artifact per platform.
    pub artifacts: Vec<ArtifactEntry>,
}

/// Facts about the guest module, read from it by the artifact compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestFacts {
    /// Where the writable static data starts: below it lie the shadow
    /// stack and the read-only data, above it data, bss and the heap. The
    /// host compares and restores memory from here up after an invocation
    /// (the stack separately, as far as it was used).
    pub writable_from: u64,
    /// Whether guest code can hold on to a caught exception (`catch_ref`,
    /// `catch_all_ref`, `throw_ref`, legacy `rethrow`/`delegate`). When it
    /// cannot, every exception object is dead whenever guest code calls
    /// the host, and the host frees them there.
    pub keeps_exceptions: bool,
    /// Whether the guest's initial memory already holds the booted
    /// interpreter (kobako-aot boots the guest once at build time and
    /// writes its memory back into the module, then into the artifact's
    /// [`MemoryImage`]). An instance then starts
    /// where `_initialize` and `kobako_boot` would have left it, and the
    /// host calls neither.
    pub booted: bool,
}

/// A file and its checksum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// File name, relative to the artifacts directory.
    pub file: String,
    /// Lower-case hex BLAKE3 of the file's bytes.
    pub blake3: String,
}

/// A compiled artifact (`.wasmu`) for one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtifactEntry {
    /// File name, relative to the artifacts directory.
    pub file: String,
    /// Lower-case hex BLAKE3 of the file's bytes.
    pub blake3: String,
    /// Target triple the code was compiled for, e.g. `x86_64-unknown-linux-gnu`.
    pub target: String,
    /// CPU features the code may use; the host must have all of them.
    pub cpu_features: Vec<String>,
    /// The compiler that produced it, e.g. `llvm-22.1` or `cranelift`.
    pub compiler: String,
    /// Wasmer version that compiled it ([`WASMER_VERSION`]).
    pub wasmer: String,
    /// Whether the checkpoints that enforce the timeout, fuel and
    /// interrupts were compiled in; the runtime refuses an artifact
    /// without them (`kobako-aot --no-checkpoints`, for measuring only).
    pub checkpoints: bool,
    /// Where the file keeps the guest's initial memory.
    pub image: MemoryImage,
}

/// The guest's initial memory (read-only data and the booted interpreter),
/// kept in the artifact file after Wasmer's compiled module instead of
/// inside it as data segments. Wasmer would read that data into its own
/// structures at every load and copy it into every new instance; kept
/// apart, it is hashed with the file and mapped straight into each
/// instance's memory, copy-on-write, so an instance pays only for the
/// pages its guest touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryImage {
    /// Bytes at the start of the file that are Wasmer's compiled module.
    pub module_length: u64,
    /// Where the image starts in the file (page-aligned).
    pub file_offset: u64,
    /// Where it goes in guest memory (page-aligned).
    pub address: u64,
    /// Its length; guest memory past it starts zeroed.
    pub length: u64,
}

impl Manifest {
    /// Reads the manifest of an artifacts directory.
    ///
    /// # Errors
    /// [`Error::Artifact`] when the file is missing, malformed, or of another
    /// format version.
    pub fn read(dir: &Path) -> Result<Self, Error> {
        let path = dir.join(MANIFEST_FILE);
        let text = fs::read_to_string(&path)
            .map_err(|e| Error::Artifact(format!("cannot read {}: {e}", path.display())))?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| Error::Artifact(format!("malformed {}: {e}", path.display())))?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(Error::Artifact(format!(
                "{} has format {}, this build reads format {MANIFEST_FORMAT}",
                path.display(),
                manifest.format
            )));
        }
        Ok(manifest)
    }

    /// Writes the manifest into an artifacts directory.
    ///
    /// # Errors
    /// [`Error::Artifact`] when the file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<(), Error> {
        let path = dir.join(MANIFEST_FILE);
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Artifact(format!("cannot encode the manifest: {e}")))?;
        text.push('\n');
        fs::write(&path, text)
            .map_err(|e| Error::Artifact(format!("cannot write {}: {e}", path.display())))
    }

    /// The artifact compiled for `target`, if any.
    pub fn artifact_for(&self, target: &str) -> Option<&ArtifactEntry> {
        self.artifacts.iter().find(|a| a.target == target)
    }
}

/// Lower-case hex BLAKE3 of `bytes`.
///
/// On one thread: split along BLAKE3's tree over two threads, the
/// artifact's hash took as long or longer (the work is mostly the page
/// faults of the file's first reading, which the threads take turns at),
/// measured in fresh processes with and without a busy main thread.
pub fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}
