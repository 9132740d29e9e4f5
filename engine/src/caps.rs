//! Enforcement of [`Limits`](crate::Limits) inside a running invocation.
//!
//! - time, fuel and interrupts: [`meter`], driven by the checkpoints the
//!   artifact compiler instruments into the guest;
//! - memory: [`memory`], a Tunables wrapper whose memories refuse to grow
//!   past the invocation's budget;
//! - output: [`output`], buffers that clip at their limit.

#![warn(clippy::cast_possible_truncation)]

pub(crate) mod memory;
pub(crate) mod meter;
pub(crate) mod output;

/// A cap that stopped an invocation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CapFired {
    #[error("timeout: the invocation ran past its {0:?} timeout")]
    Timeout(std::time::Duration),
    #[error("timeout (fuel): the invocation used up its budget of {0} checkpoints")]
    Fuel(u64),
    #[error("memory_limit: the invocation tried to grow guest memory past its limit of {0} bytes")]
    Memory(u64),
    #[error("interrupted by the host")]
    Interrupted,
}
