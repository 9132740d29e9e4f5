//! What the guest answers to an invocation.

use serde::{Deserialize, Serialize};

use crate::Value;

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
