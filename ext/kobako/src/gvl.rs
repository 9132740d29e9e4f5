//! Running guest code without Ruby's GVL. The only raw Ruby C API in the
//! binding lives here.

use std::ffi::c_void;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use kobako_engine::InterruptHandle;
use magnus::{Error, Ruby};

struct Call<F, R> {
    work: Option<F>,
    result: Option<std::thread::Result<R>>,
}

unsafe extern "C" fn run<F: FnOnce() -> R, R>(data: *mut c_void) -> *mut c_void {
    // SAFETY: `data` is the `Call` that `without_gvl` passed, alive for the
    // whole of rb_thread_call_without_gvl and used by nothing else meanwhile.
    let call = unsafe { &mut *data.cast::<Call<F, R>>() };
    if let Some(work) = call.work.take() {
        // A panic must not unwind into Ruby's C frames.
        call.result = Some(catch_unwind(AssertUnwindSafe(work)));
    }
    std::ptr::null_mut()
}

unsafe extern "C" fn unblock(data: *mut c_void) {
    // SAFETY: `data` is the `InterruptHandle` that `without_gvl` passed,
    // which outlives the call; interrupting only sets an atomic flag, which
    // is safe from any thread (Ruby may call this from its timer thread).
    let handle = unsafe { &*data.cast::<InterruptHandle>() };
    handle.interrupt();
}

/// Runs `work` with the GVL released, so other Ruby threads run meanwhile.
/// When Ruby wants this thread back (`Thread#kill`, `Thread#raise`,
/// `Timeout.timeout`, a signal), it interrupts the guest through `handle`.
///
/// Returns `None` when Ruby had an interrupt pending before `work` could
/// start; the caller then lets Ruby handle it ([`check_interrupts`]).
///
/// This is `rb_nogvl` with two flags. `RB_NOGVL_INTR_FAIL` (what
/// `rb_thread_call_without_gvl2` passes): it never raises on its own, since
/// a raise there would longjmp over the caller's Rust frames (and leave the
/// sandbox's lock held). `RB_NOGVL_UBF_ASYNC_SAFE`: `unblock` only stores an
/// atomic, which is safe from a signal handler; without the flag Ruby
/// starts, kills and joins a helper thread on every call while this is the
/// only Ruby thread (60–110 µs of a warm `eval("nil")`).
pub fn without_gvl<F: FnOnce() -> R, R>(handle: &InterruptHandle, work: F) -> Option<R> {
    let mut call = Call {
        work: Some(work),
        result: None,
    };
    let flags = rb_sys::RB_NOGVL_INTR_FAIL | rb_sys::RB_NOGVL_UBF_ASYNC_SAFE;
    // SAFETY: `run::<F, R>` and `unblock` receive pointers to `call` and
    // `handle`, both of which live on this frame until the function returns;
    // `work` touches no Ruby object (the caller copies what it needs first);
    // `unblock` is async-signal-safe, as the flag promises.
    unsafe {
        rb_sys::rb_nogvl(
            Some(run::<F, R>),
            (&raw mut call).cast(),
            Some(unblock),
            std::ptr::from_ref(handle).cast_mut().cast(),
            flags as std::os::raw::c_int,
        );
    }
    match call.result? {
        Ok(result) => Some(result),
        Err(panic) => resume_unwind(panic),
    }
}

unsafe extern "C" fn run_with_gvl<F: FnOnce() -> R, R>(data: *mut c_void) -> *mut c_void {
    // SAFETY: as for `run`: `data` is the `Call` that `with_gvl` passed.
    unsafe { run::<F, R>(data) }
}

/// Runs `work` with the GVL re-acquired, from inside [`without_gvl`]'s
/// `work` (a guest callback that needs Ruby).
///
/// # Panics
/// Re-raises a panic of `work`.
pub fn with_gvl<F: FnOnce() -> R, R>(work: F) -> R {
    let mut call = Call {
        work: Some(work),
        result: None,
    };
    // SAFETY: this thread released the GVL in `without_gvl`, which is the
    // one context where rb_thread_call_with_gvl may be called; `call` lives
    // on this frame until it returns.
    unsafe {
        rb_sys::rb_thread_call_with_gvl(Some(run_with_gvl::<F, R>), (&raw mut call).cast());
    }
    match call
        .result
        .expect("rb_thread_call_with_gvl runs its function")
    {
        Ok(result) => result,
        Err(panic) => resume_unwind(panic),
    }
}

/// Lets Ruby act on a pending interrupt: raises it as a Ruby error (a
/// `Timeout::Error`, a kill) if there is one.
pub fn check_interrupts(_ruby: &Ruby) -> Result<(), Error> {
    magnus::rb_sys::protect(|| {
        // SAFETY: called with the GVL held, on a Ruby thread; protect turns
        // the raise it may do into an Error instead of a longjmp.
        unsafe { rb_sys::rb_thread_check_ints() };
        rb_sys::Qnil as rb_sys::VALUE
    })
    .map(|_| ())
}
