//! What the host asks of the guest.

use serde::{Deserialize, Serialize};

use crate::Value;

/// One invocation: replay the preloaded snippets into a fresh interpreter,
/// then do the action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The bound services, defined in the guest before the snippets run.
    #[serde(default)]
    pub services: Vec<crate::Namespace>,
    /// Preloaded snippets, in insertion order.
    pub snippets: Vec<Snippet>,
    /// What to do once they are loaded.
    pub action: Action,
}

/// A preloaded snippet: mruby bytecode (RITE), compiled from source by the
/// guest itself or supplied as a binary by the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snippet {
    /// Bytecode as `mrb_dump_irep` writes it.
    #[serde(with = "crate::bytes")]
    pub bytecode: Vec<u8>,
}

/// The work of one invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// Evaluate Ruby source; reply with its value.
    Eval {
        /// The source; it need not be UTF-8.
        #[serde(with = "crate::bytes")]
        source: Vec<u8>,
    },
    /// Call `Target.call(*args, **kwargs)` on a top-level constant.
    Run {
        /// The constant's name.
        target: String,
        /// Positional arguments.
        args: Vec<Value>,
        /// Keyword arguments, in order.
        kwargs: Vec<(String, Value)>,
    },
    /// Compile source to bytecode without running it; reply with the bytes.
    Compile {
        /// The source.
        #[serde(with = "crate::bytes")]
        source: Vec<u8>,
        /// File name recorded in the debug info and backtraces.
        name: String,
        /// Keep debug info (line numbers for backtraces).
        debug: bool,
    },
}
