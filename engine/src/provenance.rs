//! Where a guest's error came from, decided by the host: a service failure
//! counts as one only if it carries this sandbox's own seal.
//!
//! The host seals every failure it reports to the guest (a keyed BLAKE3
//! hash under a key the guest never sees). The guest's glue keeps the
//! sealed failure on the exception it raises and reports it back if that
//! exception ends the invocation. A guest that raises its own
//! `Kobako::ServiceError`, or writes any class name or field it likes,
//! cannot make a seal, so its error stays a `SandboxError`; a real failure
//! the guest rescued and re-raised still carries the seal, and the host
//! takes its class and message from the sealed record, not from the guest.

use kobako_wire::{FailureKind, GuestError, Origin, ServiceFailure};

use crate::Error;

/// One sandbox's sealing key, and the invocation seals are good for.
pub(crate) struct SealKey {
    key: [u8; blake3::KEY_LEN],
    /// Counts invocations: a seal from an earlier one is not believed.
    invocation: u64,
}

impl SealKey {
    pub(crate) fn new() -> Self {
        let mut key = [0; blake3::KEY_LEN];
        if getrandom::fill(&mut key).is_err() {
            // No OS randomness (should not happen on Linux): derive a key
            // from what this process alone knows, still never shown to
            // the guest.
            let seed = format!(
                "{:?} {:p} {}",
                std::time::Instant::now(),
                &key,
                std::process::id()
            );
            key = *blake3::hash(seed.as_bytes()).as_bytes();
        }
        SealKey { key, invocation: 0 }
    }

    /// A new invocation starts: seals of earlier ones stop counting.
    pub(crate) fn next_invocation(&mut self) {
        self.invocation = self.invocation.wrapping_add(1);
    }

    pub(crate) fn seal(&self, failure: &mut ServiceFailure) {
        failure.seal = self.mac(failure).as_bytes().to_vec();
    }

    fn verify(&self, failure: &ServiceFailure) -> bool {
        // `Hash` compares in constant time.
        <[u8; blake3::OUT_LEN]>::try_from(failure.seal.as_slice())
            .is_ok_and(|seal| self.mac(failure) == blake3::Hash::from_bytes(seal))
    }

    fn mac(&self, failure: &ServiceFailure) -> blake3::Hash {
        let mut hasher = blake3::Hasher::new_keyed(&self.key);
        hasher.update(&self.invocation.to_le_bytes());
        hasher.update(&failure.sealed_content());
        hasher.finalize()
    }

    /// Sorts a guest's uncaught exception into the error it stands for.
    pub(crate) fn classify(&self, mut e: GuestError) -> Error {
        match std::mem::take(&mut e.origin) {
            Origin::Bytecode => Error::Bytecode(e.message),
            Origin::Service(failure) if self.verify(&failure) => {
                let failure = *failure;
                e.klass = failure.klass;
                e.message = failure.message;
                e.details.retain(|(key, _)| key != "klass");
                match failure.kind {
                    FailureKind::Error => Error::Service(e),
                    FailureKind::Disconnected => Error::Disconnected(e),
                }
            }
            Origin::Service(_) | Origin::Script => Error::Sandbox(e),
        }
    }
}
