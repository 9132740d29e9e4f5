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
    /// The call failed; the guest raises `Kobako::ServiceError` (or its
    /// `Disconnected` subclass) carrying this failure.
    Failure(ServiceFailure),
}

impl ServiceReply {
    /// The service raised `klass` with `message`.
    pub fn error(klass: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceReply::Failure(ServiceFailure {
            kind: FailureKind::Error,
            klass: klass.into(),
            message: message.into(),
            seal: Vec::new(),
        })
    }

    /// The call addressed a stale or forged Handle.
    pub fn disconnected(message: impl Into<String>) -> Self {
        ServiceReply::Failure(ServiceFailure {
            kind: FailureKind::Disconnected,
            klass: "Kobako::ServiceError::Disconnected".into(),
            message: message.into(),
            seal: Vec::new(),
        })
    }
}

/// A failure the host reported to the guest. The guest's glue keeps it,
/// sealed, on the exception it raises, and reports it back if that
/// exception ends the invocation: the host believes it only if the seal is
/// its own, so a guest cannot pass off its own exception as a service's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceFailure {
    /// Which error the guest raises.
    pub kind: FailureKind,
    /// The host exception's class name.
    pub klass: String,
    /// Its message.
    pub message: String,
    /// The host's seal over the fields above (empty until the host seals).
    #[serde(with = "crate::bytes", default)]
    pub seal: Vec<u8>,
}

impl ServiceFailure {
    /// The bytes the seal covers: every field but the seal, unambiguously.
    pub fn sealed_content(&self) -> Vec<u8> {
        let kind: u8 = match self.kind {
            FailureKind::Error => 1,
            FailureKind::Disconnected => 2,
        };
        let mut content = Vec::with_capacity(17 + self.klass.len() + self.message.len());
        content.push(kind);
        for field in [&self.klass, &self.message] {
            content.extend_from_slice(&(field.len() as u64).to_le_bytes());
            content.extend_from_slice(field.as_bytes());
        }
        content
    }
}

/// The two ways a service call fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    /// The service raised: `Kobako::ServiceError`.
    Error,
    /// A stale or forged Handle: `Kobako::ServiceError::Disconnected`.
    Disconnected,
}
