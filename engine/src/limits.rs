//! The per-invocation caps a sandbox enforces.

use std::time::Duration;

/// What one invocation may use. Every invocation starts with the full
/// allowance; nothing carries over from the previous one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time from invocation entry. Default 60 s; `None`: no cap.
    pub timeout: Option<Duration>,
    /// Deterministic work budget, in checkpoints (function entries and loop
    /// iterations of guest code). Default `None`: no budget.
    pub fuel: Option<u64>,
    /// Bytes of guest linear memory the invocation may grow beyond its size
    /// at entry, counted in whole 64 KiB pages. Default 1 MiB; `None`: no cap.
    pub memory_limit: Option<u64>,
    /// Bytes of `$stdout` kept; the rest is dropped. Default 1 MiB.
    pub stdout_limit: usize,
    /// Bytes of `$stderr` kept; the rest is dropped. Default 1 MiB.
    pub stderr_limit: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Some(Duration::from_secs(60)),
            fuel: None,
            memory_limit: Some(1 << 20),
            stdout_limit: 1 << 20,
            stderr_limit: 1 << 20,
        }
    }
}
