//! Calls from the guest to host services, and their answers.

use serde::{Deserialize, Serialize};

use crate::Value;

/// A namespace of services, as `Sandbox#define(:Ns).bind(:Member, obj)`
/// registered them; the guest defines `Ns::Member` for each member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespace {
    /// The namespace's constant name.
    pub name: String,
    /// Its members' constant names.
    pub members: Vec<String>,
}

/// What a guest call is addressed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CallTarget {
    /// A bound service, `Ns::Member`.
    Member {
        /// The namespace.
        namespace: String,
        /// The member.
        member: String,
    },
    /// A Handle the host gave out during this invocation.
    Handle(u64),
}

/// One method call from the guest to the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceCall {
    /// The object called.
    pub target: CallTarget,
    /// The method's name.
    pub method: String,
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Keyword arguments, in order.
    pub kwargs: Vec<(String, Value)>,
}

/// The host's answer to a [`ServiceCall`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ServiceReply {
    /// The call's value.
    Value(Value),
    /// The call failed; the guest raises `Kobako::ServiceError`.
    Error {
        /// The host exception's class name.
        klass: String,
        /// Its message.
        message: String,
    },
    /// The target is a stale or forged Handle; the guest raises
    /// `Kobako::ServiceError::Disconnected`.
    Disconnected {
        /// What was wrong.
        message: String,
    },
}
