//! The heap's end, owned with the host.
//!
//! wasi-libc's `malloc` takes memory from `sbrk`, whose own version grows
//! the Wasm memory and derives the heap's end from the memory's size. That
//! breaks once the host restores a snapshot after every invocation: memory
//! cannot shrink, so the restored allocator would find the memory larger
//! than its heap, grow it again, and leak the pages it forgot on every
//! call. This `sbrk` replaces libc's (the linker takes the definition it
//! already has) and keeps the end in a variable, which the snapshot
//! restores with the rest of the heap. Every extension is claimed from the
//! host, which grows the memory only past pages it already has and counts
//! the claim against the invocation's memory cap either way.

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};

const WASM_PAGE: usize = 64 * 1024;

#[link(wasm_import_module = "kobako")]
extern "C" {
    /// Asks the host for the heap to end at `end` (bytes): 0 when granted
    /// (the memory then reaches at least that far), -1 when the memory cap
    /// or the address space refuses it.
    fn claim_heap(end: u32) -> i32;
}

/// Where the heap ends: 0 until first asked, then the memory's size then.
/// (An atomic only to be a safe static: the guest has one thread.)
static HEAP_END: AtomicUsize = AtomicUsize::new(0);

/// `sbrk(increment)`: the old end of the heap, moved `increment` bytes on;
/// `(void *)-1` when the claim is refused. Negative increments are refused:
/// wasi-libc's allocator never trims.
#[no_mangle]
pub extern "C" fn sbrk(increment: isize) -> *mut c_void {
    const REFUSED: *mut c_void = usize::MAX as *mut c_void;
    let mut old = HEAP_END.load(Ordering::Relaxed);
    if old == 0 {
        old = core::arch::wasm32::memory_size(0) * WASM_PAGE;
        HEAP_END.store(old, Ordering::Relaxed);
    }
    let Ok(increment) = usize::try_from(increment) else {
        return REFUSED;
    };
    if increment == 0 {
        return old as *mut c_void;
    }
    let Some(new_end) = old
        .checked_add(increment)
        .and_then(|e| u32::try_from(e).ok())
    else {
        return REFUSED;
    };
    // SAFETY: a host import taking a plain integer.
    if unsafe { claim_heap(new_end) } != 0 {
        return REFUSED;
    }
    HEAP_END.store(new_end as usize, Ordering::Relaxed);
    old as *mut c_void
}
