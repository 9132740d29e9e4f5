//! The kobako host runtime: runs untrusted Ruby in an mruby guest on Wasmer
//! (or, built with the `wasmtime` feature instead of the default `wasmer`,
//! on wasmtime, for comparing engines; see `src/backend.rs`).
//!
//! ```no_run
//! use kobako_engine::{Artifact, Sandbox, Value};
//!
//! let artifact = Artifact::load(&kobako_engine::default_artifacts_dir())?;
//! let mut sandbox = Sandbox::new(&artifact);
//! assert_eq!(sandbox.eval("1 + 2")?, Value::Int(3));
//! # Ok::<(), kobako_engine::Error>(())
//! ```
//!
//! # Core concepts
//!
//! - [`Artifact`]: the guest, compiled ahead of time for this platform
//!   (`artifacts/kobako.<triple>.wasmu`), checked against
//!   `artifacts/manifest.json` and loaded on Wasmer's headless engine. Load
//!   it once per process; it is cheap to clone and shareable across threads.
//! - [`Sandbox`]: one isolated guest. It holds no instance while idle: an
//!   invocation borrows a booted one from the artifact's pool and gives it
//!   back restored. A `Sandbox` is `Send` but used by one thread at a time
//!   (`&mut self`).
//! - An invocation ([`Sandbox::eval`]) runs in a fresh mruby state: nothing a
//!   script defines survives into the next one (see [`Lifecycle`]). Its
//!   output to `$stdout` and `$stderr` is captured per invocation
//!   ([`Sandbox::stdout`]).
//!
//! No compiler is linked here: compiling the guest is the job of the
//! build-time tool `kobako-aot`.

#![deny(missing_docs)]

pub mod abi;
mod artifact;
mod backend;
mod callbacks;
mod caps;
#[cfg(feature = "wasmer")]
mod checksum;
mod error;
mod guest;
mod guest_memory;
mod host;
#[cfg(feature = "boot-image")]
pub mod image;
mod lifecycle;
mod limits;
pub mod manifest;
pub mod platform;
mod pool;
mod provenance;
mod sandbox;
mod wasi;

pub use artifact::{default_artifacts_dir, Artifact, LoadHelp, PendingLoad};
pub use callbacks::{Callbacks, ServiceOutcome};
pub use caps::meter::InterruptHandle;
pub use error::Error;
pub use kobako_wire::{CallTarget, GuestError, ServiceCall, ServiceReply, Value};
pub use lifecycle::Lifecycle;
pub use limits::Limits;
pub use sandbox::Sandbox;

/// Does the engine's once-per-process setup (Wasmer's trap handlers) on the
/// calling thread, which the first instance would otherwise do wherever it
/// is made. Call it before starting a thread that makes instances when the
/// process may fork meanwhile: a child forked while another thread is inside
/// that setup would wait for it forever.
pub fn prepare_process() {
    backend::prepare_process();
}
