//! The seam between the host logic and the Wasm engine that runs the guest.
//!
//! Everything kobako decides (the imports in [`crate::host`] and
//! [`crate::wasi`], the caps, the wire protocol, the invocation lifecycle)
//! is written once against [`GuestCx`]. A backend supplies the rest: loading
//! the compiled guest ([`Code`]), one instance in its own store
//! ([`Instance`]), and the glue that registers the imports.
//!
//! - `wasmer` (the default, and what the gem ships): Wasmer's headless
//!   engine loading the ahead-of-time artifact (`kobako.<triple>.wasmu`).
//! - `wasmtime` (cargo feature, for `benchmark/compare` and the engine's
//!   tests; never shipped): the same guest on wasmtime, JIT-compiled from
//!   the `.wasm` the artifact compiler rewrote with the same checkpoints,
//!   or loaded precompiled (`.cwasm`).
//!
//! One backend is compiled in: the choice is a cargo feature, so a shipped
//! extension links one engine only.

#[cfg(all(feature = "wasmer", feature = "wasmtime"))]
compile_error!("kobako-engine: enable one backend, `wasmer` or `wasmtime`, not both");
#[cfg(not(any(feature = "wasmer", feature = "wasmtime")))]
compile_error!("kobako-engine: enable a backend, `wasmer` (default) or `wasmtime`");

#[cfg(feature = "wasmer")]
mod wasmer;
#[cfg(feature = "wasmer")]
pub(crate) use self::wasmer::{prepare_process, Code, Exports, Instance, Opening, SharedHash};

#[cfg(feature = "wasmtime")]
mod wasmtime;
#[cfg(feature = "wasmtime")]
pub(crate) use self::wasmtime::{prepare_process, Code, Exports, Instance, Opening, SharedHash};

use crate::abi;
use crate::caps::CapFired;
use crate::host::HostEnv;
use crate::Error;

/// Why a host import stops the guest: the backend turns it into its
/// engine's trap, and back into an [`Error`] when the call returns.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Stop {
    /// A cap fired or the invocation was interrupted.
    #[error("{0}")]
    Cap(#[from] CapFired),
    /// The guest called `proc_exit`.
    #[error("the guest called proc_exit({0})")]
    Exit(i32),
    /// The guest broke the protocol in a way it cannot be answered.
    #[error("{0}")]
    Fault(String),
}

impl From<Stop> for Error {
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Cap(fired) => fired.into(),
            Stop::Exit(_) | Stop::Fault(_) => Error::Trap(stop.to_string()),
        }
    }
}

/// The guest globals the host reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GuestGlobal {
    /// The fuel count the checkpoints decrement (i64).
    Fuel,
    /// The shadow stack pointer (i32).
    StackPointer,
    /// The lowest the stack pointer reached since the host reset it (i32).
    StackLow,
}

/// The instance's memory and the globals the host reads and writes, in a
/// backend's own handle types; kept in the [`HostEnv`] so imports reach
/// them.
#[derive(Clone, Copy)]
pub(crate) struct ExportsOf<Memory, Global> {
    pub(crate) memory: Memory,
    pub(crate) fuel: Global,
    pub(crate) stack_pointer: Global,
    pub(crate) stack_low: Global,
}

impl<Memory, Global> ExportsOf<Memory, Global> {
    /// The handle of `global`.
    pub(crate) fn global(&self, global: GuestGlobal) -> &Global {
        match global {
            GuestGlobal::Fuel => &self.fuel,
            GuestGlobal::StackPointer => &self.stack_pointer,
            GuestGlobal::StackLow => &self.stack_low,
        }
    }
}

/// The guest's exports the host drives, with their results widened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Export {
    /// `_initialize()`: the module's constructors.
    Initialize,
    /// `kobako_boot() -> i32`: opens the interpreter; 0 on success.
    Boot,
    /// `kobako_shutdown()`: closes it.
    Shutdown,
    /// `kobako_buffer(len) -> ptr`: room for a request.
    Buffer,
    /// `kobako_invoke(len) -> ptr << 32 | len`: runs the request.
    Invoke,
}

impl Export {
    /// The name the guest exports it under.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Export::Initialize => abi::INITIALIZE_EXPORT,
            Export::Boot => abi::BOOT_EXPORT,
            Export::Shutdown => abi::SHUTDOWN_EXPORT,
            Export::Buffer => abi::BUFFER_EXPORT,
            Export::Invoke => abi::INVOKE_EXPORT,
        }
    }
}

/// A guest instance as the host logic sees it: from inside an import
/// (the backend's caller context) or between calls (the instance itself).
pub(crate) trait GuestCx {
    /// The per-store host state.
    fn env(&mut self) -> &mut HostEnv;

    /// The host state and the guest's whole linear memory at once.
    fn env_and_memory(&mut self) -> (&mut HostEnv, &mut [u8]);

    /// A global's value (i32 globals sign-extended).
    fn global(&mut self, global: GuestGlobal) -> i64;

    /// Sets a global (i32 globals take the low 32 bits).
    fn set_global(&mut self, global: GuestGlobal, value: i64);

    /// The memory's size in Wasm pages.
    fn memory_pages(&mut self) -> u64;

    /// Grows the memory by `delta` pages; false when the engine or the
    /// memory cap refuses.
    fn grow_memory(&mut self, delta: u64) -> bool;

    /// Frees the exception objects the engine keeps for thrown exceptions,
    /// where it keeps them; the caller vouches none is referenced (the
    /// Wasmer backend's `exceptions` module says when that holds).
    fn free_exceptions(&mut self);

    /// The guest's memory.
    fn memory(&mut self) -> &mut [u8] {
        self.env_and_memory().1
    }
}
