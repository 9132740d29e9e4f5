//! The one error type of the engine.

use kobako_wire::GuestError;

/// Why an engine operation failed. Each variant is one outcome the Ruby
/// binding maps to its own exception class.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The script raised and did not rescue, its source did not parse, or
    /// its value has no wire form.
    #[error("{}: {}", .0.klass, .0.message)]
    Sandbox(GuestError),
    /// A service raised and the script did not rescue it; `klass` is the
    /// host exception's class.
    #[error("{}: {}", .0.klass, .0.message)]
    Service(GuestError),
    /// The script used a stale or forged Handle and did not rescue it.
    #[error("{}", .0.message)]
    Disconnected(GuestError),
    /// Preloaded bytecode could not be loaded: not RITE, truncated, or from
    /// another mruby version.
    #[error("{0}")]
    Bytecode(String),
    /// Preloading after the first invocation.
    #[error("the sandbox is sealed: preload before the first invocation")]
    Sealed,
    /// The invocation ran past its timeout.
    #[error("{0}")]
    Timeout(String),
    /// The invocation used up its fuel budget.
    #[error("{0}")]
    Fuel(String),
    /// The invocation tried to grow guest memory past its `memory_limit`.
    #[error("{0}")]
    MemoryLimit(String),
    /// The invocation was stopped through its
    /// [`InterruptHandle`](crate::InterruptHandle).
    #[error("the invocation was interrupted")]
    Interrupted,
    /// The guest faulted: a Wasm trap, a crash, or a protocol violation.
    #[error("guest trapped: {0}")]
    Trap(String),
    /// The compiled artifact is missing, does not match its manifest, or
    /// was built for another platform or Wasmer version.
    #[error("artifact: {0}")]
    Artifact(String),
}
