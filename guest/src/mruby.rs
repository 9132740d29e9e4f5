//! The C entry points of the glue (mrbgem/src/eval.c).

use std::ffi::c_void;

use kobako_wire::{GuestError, Reply};

use crate::sink::Sink;

#[repr(C)]
struct MrbState {
    _private: [u8; 0],
}

extern "C" {
    fn kobako_open() -> *mut MrbState;
    fn kobako_close(mrb: *mut MrbState);
    fn kobako_eval_source(mrb: *mut MrbState, source: *const u8, len: usize, sink: *mut c_void) -> i32;
}

/// Evaluates `source` in a fresh interpreter.
pub fn eval(source: &[u8]) -> Reply {
    // SAFETY: kobako_open has no preconditions; it returns null only when
    // the interpreter could not allocate its initial state.
    let mrb = unsafe { kobako_open() };
    if mrb.is_null() {
        return Reply::Error(GuestError {
            klass: "NoMemoryError".into(),
            message: "the interpreter could not start".into(),
            backtrace: Vec::new(),
        });
    }
    // SAFETY: a host import with no arguments and no preconditions.
    unsafe { crate::begin_user_code() };
    let mut sink = Sink::default();
    // SAFETY: `mrb` is a live state from kobako_open, `source` is valid for
    // `len` bytes, and `sink` outlives the call; the C side catches every
    // Ruby exception before returning, so nothing unwinds through here.
    unsafe {
        kobako_eval_source(mrb, source.as_ptr(), source.len(), (&raw mut sink).cast())
    };
    // SAFETY: a host import with no arguments and no preconditions.
    unsafe { crate::end_user_code() };
    // SAFETY: `mrb` came from kobako_open and is not used after this.
    unsafe { kobako_close(mrb) };
    sink.finish()
}
