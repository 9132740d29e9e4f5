//! The wire format between the kobako host and its guest.
//!
//! Every message is MessagePack, written and read with `rmp-serde`. Plain
//! MessagePack types carry the plain Ruby values (nil, booleans, integers,
//! floats, UTF-8 strings as `str`, binary strings as `bin`, arrays, maps);
//! the Ruby types MessagePack lacks travel as extension types (see
//! [`value::ext`]).
//!
//! The crate is shared: the host (`kobako-engine`) and the guest (built for
//! `wasm32-wasip1`) both depend on it, so the two sides cannot drift apart.

#![deny(missing_docs)]

pub mod bytes;
mod call_writer;
mod reply;
mod request;
mod service;
mod value;

pub use call_writer::CallWriter;
pub use reply::{GuestError, Origin, Reply};
pub use request::{Action, Request, Snippet};
pub use service::{CallTarget, FailureKind, Namespace, ServiceCall, ServiceFailure, ServiceReply};
pub use value::{ext, Value};

/// A message that could not be encoded or decoded.
#[derive(Debug)]
pub struct WireError(String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed wire message: {}", self.0)
    }
}

impl std::error::Error for WireError {}

/// Encodes `message` as MessagePack.
///
/// # Errors
/// Only if a value cannot be represented, which the types of this crate rule
/// out; kept fallible so a future variant cannot panic.
pub fn encode<T: serde::Serialize>(message: &T) -> Result<Vec<u8>, WireError> {
    rmp_serde::to_vec(message).map_err(|e| WireError(e.to_string()))
}

/// Encodes `message` as MessagePack at the end of `out`, whose capacity a
/// caller sending many messages keeps from one to the next.
///
/// # Errors
/// As [`encode`].
pub fn encode_into<T: serde::Serialize>(out: &mut Vec<u8>, message: &T) -> Result<(), WireError> {
    rmp_serde::encode::write(out, message).map_err(|e| WireError(e.to_string()))
}

/// Decodes a MessagePack message.
///
/// # Errors
/// When `bytes` is not a well-formed message of type `T`, including nesting
/// deeper than `rmp-serde`'s limit of 1024 levels.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    rmp_serde::from_slice(bytes).map_err(|e| WireError(e.to_string()))
}
