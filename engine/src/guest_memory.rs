//! Raw access to guest linear memory, for the host between and inside
//! guest calls: the one place that turns a memory view into Rust slices.

use wasmer::{AsStoreMut, AsStoreRef, Memory};

/// A copy of `len` bytes at `ptr`, or None when any of them lies outside
/// the memory. (Wasmer's `copy_range_to_vec` clips the range to the memory
/// instead, and zero-fills a 40 KiB buffer on every call.)
pub(crate) fn read(
    memory: &Memory,
    store: &impl AsStoreRef,
    ptr: u64,
    len: u64,
) -> Option<Vec<u8>> {
    let view = memory.view(store);
    let end = ptr.checked_add(len)?;
    if end > view.data_size() {
        return None;
    }
    let (ptr, len) = (usize::try_from(ptr).ok()?, usize::try_from(len).ok()?);
    // SAFETY: `ptr..ptr + len` lies within the memory's current extent
    // (checked above). The guest is single-threaded and is either not
    // running or is inside the host import that called this, so nothing
    // writes, grows or moves the memory while the bytes are copied.
    let bytes = unsafe { std::slice::from_raw_parts(view.data_ptr().add(ptr), len) };
    Some(bytes.to_vec())
}

/// All of `memory` as one mutable slice, for restoring a snapshot.
pub(crate) fn bytes_mut<'a>(memory: &Memory, store: &'a mut impl AsStoreMut) -> &'a mut [u8] {
    let view = memory.view(store);
    let (ptr, len) = (view.data_ptr(), view.data_size());
    let len = usize::try_from(len).expect("a 32-bit guest memory fits in usize");
    // SAFETY: `ptr..ptr + len` is the memory's current extent. No guest code
    // runs while the host holds `store` mutably, no other thread can reach
    // this store (it belongs to one slot at a time), and the slice does not
    // outlive that borrow: nothing can grow, move or access the memory while
    // it lives.
    unsafe { std::slice::from_raw_parts_mut(ptr, len) }
}
