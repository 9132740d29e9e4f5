//! How every invocation starts from a fresh interpreter: the seam between
//! the two strategies, and the snapshot the fast one restores.
//!
//! - [`Lifecycle::Restore`] (the default): an instance boots its
//!   interpreter once; the host then takes a [`Snapshot`] of its memory and
//!   globals and, after every invocation, puts back exactly what changed.
//! - [`Lifecycle::Reboot`]: the interpreter is opened and closed around
//!   every invocation, as before the snapshot existed. It stays for
//!   comparison (`KOBAKO_LIFECYCLE=reboot`, `benchmark/lifecycle`).
//!
//! What a restore covers, and why that is all of it:
//! - the shadow stack, from the lowest point the stack pointer reached
//!   (the artifact compiler tracks it, see engine/aot/src/checkpoints.rs) up
//!   to its top; dead stack is kept zeroed, so the restore is a fill;
//! - writable static data, bss and heap: compared page by page with the
//!   snapshot and copied back where they differ (from the layout the
//!   manifest records up to the memory's size at the snapshot);
//! - memory past that size (grown by an invocation): zeroed up to the
//!   highest heap end the host granted, since Wasm memory cannot shrink;
//!   the heap's end itself goes back, so the pages are reused, not leaked;
//! - the globals: the stack pointer, the stack mark (the fuel global is set
//!   per invocation).
//!
//! Read-only data and code are never written by the guest's C and Rust.
//! `KOBAKO_VERIFY_RESTORE=1` checks every byte of memory and every global
//! against a full copy after each restore and aborts the process on the
//! first difference; `bin/test` runs the whole suite that way.

use std::sync::OnceLock;

use crate::backend::{GuestCx, GuestGlobal};
use crate::caps::memory::Heap;

/// How invocations get a fresh interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lifecycle {
    /// Boot once per instance, restore a snapshot after every invocation.
    #[default]
    Restore,
    /// Open and close the interpreter around every invocation.
    Reboot,
}

impl Lifecycle {
    /// The strategy `$KOBAKO_LIFECYCLE` names (`restore` or `reboot`);
    /// [`Lifecycle::Restore`] when unset or anything else.
    pub fn from_env() -> Self {
        match std::env::var("KOBAKO_LIFECYCLE").as_deref() {
            Ok("reboot") => Lifecycle::Reboot,
            _ => Lifecycle::Restore,
        }
    }
}

/// The unit compared and copied back.
const PAGE: usize = 4096;

/// The stack mark's value when nothing has moved the stack since a reset.
const NO_STACK_MARK: i32 = -1;

/// An instance's booted state, and what it takes to get back to it.
pub(crate) struct Snapshot {
    writable_from: usize,
    /// The memory's size when the snapshot was taken.
    size: usize,
    /// Memory from `writable_from` to `size`.
    data: Vec<u8>,
    stack_top: i32,
    heap: Heap,
    /// The whole memory, kept only to verify restores.
    whole: Option<Vec<u8>>,
}

fn verifying() -> bool {
    static VERIFY: OnceLock<bool> = OnceLock::new();
    *VERIFY.get_or_init(|| std::env::var_os("KOBAKO_VERIFY_RESTORE").is_some_and(|v| v != "0"))
}

/// Where the stack was written: `[low, top)`, both as addresses.
fn used_stack(guest: &mut impl GuestCx, top: i32) -> (usize, usize) {
    let low = guest.global(GuestGlobal::StackLow) as u32;
    let top = top as u32;
    (low.min(top) as usize, top as usize)
}

impl Snapshot {
    /// Takes the state of a freshly booted instance. Dead stack is zeroed
    /// first, so every later restore of the stack is a fill.
    pub(crate) fn take(guest: &mut impl GuestCx, writable_from: u64) -> Self {
        let stack_top = guest.global(GuestGlobal::StackPointer) as i32;
        let (low, top) = used_stack(guest, stack_top);
        guest.set_global(GuestGlobal::StackLow, NO_STACK_MARK.into());
        let heap = {
            let heap = &mut guest.env().heap;
            heap.high = heap.end;
            *heap
        };
        let bytes = guest.memory();
        let size = bytes.len();
        bytes[low.min(size)..top.min(size)].fill(0);
        let writable_from = usize::try_from(writable_from).unwrap_or(size).min(size);
        Snapshot {
            writable_from,
            size,
            data: bytes[writable_from..].to_vec(),
            stack_top,
            heap,
            whole: verifying().then(|| bytes.to_vec()),
        }
    }

    /// The memory kept (from `writable_from` up) and the stack pointer.
    #[cfg(feature = "boot-image")]
    pub(crate) fn into_memory(self) -> (Vec<u8>, i32) {
        (self.data, self.stack_top)
    }

    /// Puts the instance back into the snapshot's state after an
    /// invocation that returned normally.
    pub(crate) fn restore(&self, guest: &mut impl GuestCx) {
        let (low, top) = used_stack(guest, self.stack_top);
        guest.set_global(GuestGlobal::StackLow, NO_STACK_MARK.into());
        guest.set_global(GuestGlobal::StackPointer, self.stack_top.into());
        let grown_to = std::mem::replace(&mut guest.env().heap, self.heap).high;
        let bytes = guest.memory();
        bytes[low..top].fill(0);
        let window = &mut bytes[self.writable_from..self.size];
        for (live, saved) in window.chunks_mut(PAGE).zip(self.data.chunks(PAGE)) {
            if live != saved {
                live.copy_from_slice(saved);
            }
        }
        let grown_to = usize::try_from(grown_to)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        if grown_to > self.size {
            bytes[self.size..grown_to].fill(0);
        }
        if let Some(whole) = &self.whole {
            self.verify(guest, whole);
        }
    }

    /// The `KOBAKO_VERIFY_RESTORE` check: a difference is a bug in the
    /// restore that could leak one invocation's data into the next, so it
    /// stops the process rather than let a test pass.
    fn verify(&self, guest: &mut impl GuestCx, whole: &[u8]) {
        let stack_pointer = guest.global(GuestGlobal::StackPointer) as i32;
        let stack_low = guest.global(GuestGlobal::StackLow) as i32;
        let bytes = guest.memory();
        let kept = whole.len().min(bytes.len());
        let same = bytes[..kept] == whole[..kept] && bytes[kept..].iter().all(|&b| b == 0);
        let differs = (!same).then(|| {
            bytes
                .iter()
                .zip(whole.iter().chain(std::iter::repeat(&0)))
                .position(|(live, saved)| live != saved)
                .unwrap_or(kept)
        });
        if let Some(offset) = differs {
            eprintln!(
                "kobako: KOBAKO_VERIFY_RESTORE: guest memory differs from the snapshot at \
                 offset {offset} ({} bytes now, {} at the snapshot)",
                bytes.len(),
                whole.len()
            );
            std::process::abort();
        }
        if stack_pointer != self.stack_top || stack_low != NO_STACK_MARK {
            eprintln!(
                "kobako: KOBAKO_VERIFY_RESTORE: guest globals differ from the snapshot \
                 (stack pointer {stack_pointer}, mark {stack_low})"
            );
            std::process::abort();
        }
    }
}
