//! The kobako guest: an mruby interpreter behind a tiny ABI.
//!
//! The host drives one instance of this module through its exports:
//! `_initialize` once per instance, `kobako_boot` to start the interpreter,
//! then per invocation `kobako_buffer(len)` to get a place for the request
//! bytes and `kobako_invoke(len)` to run them (and `kobako_shutdown` when
//! the host boots an interpreter per invocation instead of restoring one).
//! The reply is a MessagePack [`kobako_wire::Reply`] whose location comes
//! back packed as `(ptr << 32) | len`; it stays valid until the next call.
//!
//! mruby itself, and all code that touches its internals, is C (see
//! `mrbgem/src`); this crate owns the buffers and the wire encoding.

mod heap;
mod json;
mod mruby;
mod service;
mod sink;
mod tape;

use std::cell::RefCell;

use kobako_wire::{GuestError, Reply, Request};

thread_local! {
    static REQUEST: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static REPLY: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

extern "C" {
    fn __wasm_call_ctors();
}

#[link(wasm_import_module = "kobako")]
extern "C" {
    /// The host's checkpoint handler. The guest never calls it itself: the
    /// artifact compiler instruments function entries and loops to call it
    /// when their fuel runs out (engine/aot/src/checkpoints.rs).
    fn refuel(remaining: i64) -> i64;

    /// Tells the host that the interpreter is up and the invocation's own
    /// code starts: fuel and memory budgets count from here.
    pub(crate) fn begin_user_code();

    /// Tells the host that the invocation's own code is done.
    pub(crate) fn end_user_code();

    /// Sends a service call (MessagePack); returns the reply's length, or a
    /// negative number when the host could not take the request.
    #[link_name = "call"]
    fn call_host(request: *const u8, len: usize) -> i32;

    /// Copies the reply of the last `call` into `out`.
    fn take_reply(out: *mut u8);
}

/// Sends the encoded service call `request` to the host and waits for its
/// answer. `reply` is the caller's buffer, kept from call to call so that a
/// service call allocates none.
pub(crate) fn host_call(
    request: &[u8],
    reply: &mut Vec<u8>,
) -> Result<kobako_wire::ServiceReply, String> {
    // SAFETY: the pointer and length describe `request`, alive for the call.
    let len = unsafe { call_host(request.as_ptr(), request.len()) };
    let len = usize::try_from(len).map_err(|_| "the host refused the service call".to_owned())?;
    reply.clear();
    reply.resize(len, 0);
    // SAFETY: `reply` has exactly the length the host said it will write.
    unsafe { take_reply(reply.as_mut_ptr()) };
    let answer = kobako_wire::decode(reply).map_err(|e| e.to_string());
    let_go_if_large(reply);
    answer
}

/// The most a kept buffer keeps between service calls: a call that moved
/// megabytes must not hold them (against the memory cap) for the rest of
/// the invocation.
pub(crate) const KEEP_AT_MOST: usize = 64 * 1024;

/// Lets go of `buffer`'s memory when it holds more than [`KEEP_AT_MOST`]
/// bytes; otherwise empties it, keeping its capacity.
pub(crate) fn let_go_if_large<T>(buffer: &mut Vec<T>) {
    if buffer.capacity().saturating_mul(std::mem::size_of::<T>()) > KEEP_AT_MOST {
        *buffer = Vec::new();
    } else {
        buffer.clear();
    }
}

/// Keeps the `kobako.refuel` import in the module, where the artifact
/// compiler looks for it.
#[used]
static KEEP_REFUEL_IMPORT: unsafe extern "C" fn(i64) -> i64 = refuel;

/// Runs the C and Rust static constructors once per instance. Exporting it
/// also stops wasm-ld from wrapping every export in a constructor/destructor
/// pair.
#[no_mangle]
pub extern "C" fn _initialize() {
    // SAFETY: called once by the host right after instantiation, before any
    // other export, which is the contract of __wasm_call_ctors.
    unsafe { __wasm_call_ctors() }
}

/// Boots the interpreter once; the host snapshots the memory after this.
/// Returns 0, or 1 when the interpreter could not allocate its state.
#[no_mangle]
pub extern "C" fn kobako_boot() -> i32 {
    i32::from(!mruby::boot())
}

/// Closes the interpreter, for hosts that boot one per invocation.
#[no_mangle]
pub extern "C" fn kobako_shutdown() {
    mruby::shutdown();
}

/// Returns a buffer of `len` bytes for the host to write a request into.
#[no_mangle]
pub extern "C" fn kobako_buffer(len: u32) -> *mut u8 {
    REQUEST.with_borrow_mut(|buf| {
        buf.clear();
        buf.resize(len as usize, 0);
        buf.as_mut_ptr()
    })
}

/// Runs the [`kobako_wire::Request`] in the first `len` bytes of the
/// request buffer in the booted interpreter (which the host brings back to
/// its booted state afterwards) and returns the packed location of
/// the reply.
#[no_mangle]
pub extern "C" fn kobako_invoke(len: u32) -> u64 {
    let reply = REQUEST.with_borrow(|bytes| {
        let bytes = &bytes[..(len as usize).min(bytes.len())];
        match kobako_wire::decode::<Request>(bytes) {
            Ok(request) => mruby::invoke(&request),
            Err(e) => Reply::Error(GuestError::new("Kobako::WireError", e.to_string())),
        }
    });
    publish(&reply)
}

fn publish(reply: &Reply) -> u64 {
    let bytes = kobako_wire::encode(reply).unwrap_or_else(|e| {
        kobako_wire::encode(&Reply::Error(GuestError::new(
            "Kobako::WireError",
            e.to_string(),
        )))
        .unwrap_or_default()
    });
    REPLY.with_borrow_mut(|out| {
        *out = bytes;
        ((out.as_ptr() as u64) << 32) | out.len() as u64
    })
}
