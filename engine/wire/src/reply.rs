//! What the guest answers to an invocation.

use serde::{Deserialize, Serialize};

use crate::{ServiceFailure, Value};

/// The outcome of one invocation, as the guest reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// The invocation finished with this value.
    Value(Value),
    /// The script raised and did not rescue, or its value has no wire form.
    Error(GuestError),
    /// Compiled bytecode, the answer to [`Action::Compile`](crate::Action).
    Bytecode(#[serde(with = "crate::bytes")] Vec<u8>),
}

/// An exception that ended an invocation inside the guest.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GuestError {
    /// The exception's class name, e.g. `"ZeroDivisionError"`.
    pub klass: String,
    /// The exception's message.
    pub message: String,
    /// The guest backtrace, innermost frame first.
    pub backtrace: Vec<String>,
    /// Further facts, e.g. `available` for a missing entrypoint.
    #[serde(default)]
    pub details: Vec<(String, Value)>,
    /// Where the failure happened, as the guest's glue (never its Ruby
    /// code) recorded it.
    #[serde(default)]
    pub origin: Origin,
}

/// Where an invocation's error came from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Origin {
    /// The script itself raised (or returned a value with no wire form).
    #[default]
    Script,
    /// A service call failed and the script let that exception end the
    /// invocation; the host checks the failure's seal.
    Service(Box<ServiceFailure>),
    /// A preloaded snippet is not loadable bytecode.
    Bytecode,
}

impl GuestError {
    /// An error with a class and a message, and no backtrace or details.
    pub fn new(klass: impl Into<String>, message: impl Into<String>) -> Self {
        GuestError {
            klass: klass.into(),
            message: message.into(),
            ..GuestError::default()
        }
    }
}
