//! The C entry points of the glue (mrbgem/src/eval.c), behind a safe API.

use std::ffi::{c_void, CString};
use std::sync::atomic::{AtomicPtr, Ordering};

use kobako_wire::{Action, GuestError, Reply, Request, Value};

use crate::sink::Sink;
use crate::tape::Tape;

#[repr(C)]
struct MrbState {
    _private: [u8; 0],
}

extern "C" {
    fn kobako_open() -> *mut MrbState;
    fn kobako_close(mrb: *mut MrbState);
    fn kobako_load_snippet(
        mrb: *mut MrbState,
        bytes: *const u8,
        len: usize,
        sink: *mut c_void,
    ) -> i32;
    fn kobako_eval_source(
        mrb: *mut MrbState,
        source: *const u8,
        len: usize,
        sink: *mut c_void,
    ) -> i32;
    fn kobako_run(
        mrb: *mut MrbState,
        name: *const u8,
        name_len: usize,
        items: *const crate::tape::TapeItem,
        count: usize,
        sink: *mut c_void,
    ) -> i32;
    fn kobako_compile(
        mrb: *mut MrbState,
        source: *const u8,
        len: usize,
        name: *const std::ffi::c_char,
        debug: i32,
        sink: *mut c_void,
        bin: *mut *mut u8,
        bin_len: *mut usize,
    ) -> i32;
    fn kobako_free(mrb: *mut MrbState, ptr: *mut c_void);
    fn kobako_define_services(
        mrb: *mut MrbState,
        items: *const crate::tape::TapeItem,
        count: usize,
        sink: *mut c_void,
    ) -> i32;
}

fn error(klass: &str, message: impl Into<String>) -> Reply {
    Reply::Error(GuestError::new(klass, message))
}

/// The booted interpreter, null while there is none. The host decides its
/// life: boot once and restore a snapshot of memory after every invocation,
/// or boot and shut down around each one (see the engine's `lifecycle`).
/// (An atomic only to be a safe static: the guest has one thread.)
static BOOTED: AtomicPtr<MrbState> = AtomicPtr::new(std::ptr::null_mut());

/// Boots the interpreter unless it is up; false when it could not allocate
/// its initial state (or, which the gem's own code never does, its boot
/// raised).
pub fn boot() -> bool {
    if !BOOTED.load(Ordering::Relaxed).is_null() {
        return true;
    }
    // SAFETY: kobako_open has no preconditions; it returns null only when
    // the interpreter could not allocate its initial state.
    let mrb = unsafe { kobako_open() };
    BOOTED.store(mrb, Ordering::Relaxed);
    !mrb.is_null()
}

/// Closes the interpreter, if it is up.
pub fn shutdown() {
    let mrb = BOOTED.swap(std::ptr::null_mut(), Ordering::Relaxed);
    if !mrb.is_null() {
        // SAFETY: the state came from kobako_open and, now unpublished, is
        // not used after this.
        unsafe { kobako_close(mrb) };
    }
}

/// Runs one request in the booted interpreter (booting it first if needed).
pub fn invoke(request: &Request) -> Reply {
    if !boot() {
        return error("NoMemoryError", "the interpreter could not start");
    }
    let mrb = BOOTED.load(Ordering::Relaxed);
    // SAFETY: a host import with no arguments and no preconditions.
    unsafe { crate::begin_user_code() };
    let mut sink = Sink::default();
    let reply = run_action(mrb, request, &mut sink);
    // SAFETY: as above.
    unsafe { crate::end_user_code() };
    reply
}

fn run_action(mrb: *mut MrbState, request: &Request, sink: &mut Sink) -> Reply {
    let sink_ptr: *mut c_void = std::ptr::from_mut(sink).cast();
    // SAFETY (every call below): `mrb` is a live state from kobako_open, the
    // pointers and lengths describe live buffers owned by `request`, `sink`
    // outlives the call, and the C side catches every Ruby exception before
    // returning, so nothing unwinds through Rust frames.
    if !request.services.is_empty() {
        let namespaces = Value::Array(
            request
                .services
                .iter()
                .map(|ns| {
                    let members = ns.members.iter().map(|m| Value::Str(m.clone())).collect();
                    Value::Array(vec![Value::Str(ns.name.clone()), Value::Array(members)])
                })
                .collect(),
        );
        let mut tape = Tape::default();
        if tape.push(&namespaces).is_err() {
            return error("ArgumentError", "too many services");
        }
        if unsafe { kobako_define_services(mrb, tape.as_ptr(), tape.len(), sink_ptr) } != 0 {
            return std::mem::take(sink).finish();
        }
    }
    for snippet in &request.snippets {
        let bytes = &snippet.bytecode;
        if unsafe { kobako_load_snippet(mrb, bytes.as_ptr(), bytes.len(), sink_ptr) } != 0 {
            return std::mem::take(sink).finish();
        }
    }
    match &request.action {
        Action::Eval { source } => {
            unsafe { kobako_eval_source(mrb, source.as_ptr(), source.len(), sink_ptr) };
            std::mem::take(sink).finish()
        }
        Action::Run {
            target,
            args,
            kwargs,
        } => {
            let args = Value::Array(args.clone());
            let kwargs = Value::Hash(
                kwargs
                    .iter()
                    .map(|(k, v)| (Value::Symbol(k.clone()), v.clone()))
                    .collect(),
            );
            let mut tape = Tape::default();
            if tape.push(&args).and_then(|()| tape.push(&kwargs)).is_err() {
                return error("ArgumentError", "an argument is larger than 4 GiB");
            }
            unsafe {
                kobako_run(
                    mrb,
                    target.as_ptr(),
                    target.len(),
                    tape.as_ptr(),
                    tape.len(),
                    sink_ptr,
                )
            };
            std::mem::take(sink).finish()
        }
        Action::Compile {
            source,
            name,
            debug,
        } => {
            let Ok(name) = CString::new(name.as_str()) else {
                return error("ArgumentError", "the name contains a NUL byte");
            };
            let mut bin: *mut u8 = std::ptr::null_mut();
            let mut bin_len = 0usize;
            let failed = unsafe {
                kobako_compile(
                    mrb,
                    source.as_ptr(),
                    source.len(),
                    name.as_ptr(),
                    i32::from(*debug),
                    sink_ptr,
                    &raw mut bin,
                    &raw mut bin_len,
                )
            };
            if failed != 0 || bin.is_null() {
                return std::mem::take(sink).finish();
            }
            // SAFETY: kobako_compile returned a buffer of `bin_len` bytes,
            // allocated by mruby, which is freed right after this copy.
            let bytes = unsafe { std::slice::from_raw_parts(bin, bin_len) }.to_vec();
            unsafe { kobako_free(mrb, bin.cast()) };
            Reply::Bytecode(bytes)
        }
    }
}
