//! Freeing the exception objects Wasmer keeps per store.
//!
//! Every Wasm `throw` allocates an exception object in the store (each
//! C-level raise and longjmp in mruby is one, ~0.9 KB with the native
//! backtrace Wasmer captures), and Wasmer keeps them all until the store
//! is dropped (wasmerio/wasmer#5718). An object can be reached only through
//! an exception reference; this module frees them all at the points where
//! no reference can exist:
//!
//! - between invocations: references live only in frames of running guest
//!   code (none runs) or in exnref globals and tables (the artifact is
//!   refused if it has any, see `Code::finish`);
//! - at every host import, if the guest's code cannot make a reference a
//!   value at all (no `catch_ref`, `catch_all_ref`, `throw_ref`, legacy
//!   `rethrow`; the manifest's `guest.keeps_exceptions`, read from the code
//!   by `kobako-aot`): then an exception exists only from its `throw` to
//!   the `catch` that takes its payload, with no guest code and so no
//!   import in between. So a script raising a million C-level errors in
//!   one invocation holds a handful of them, not a gigabyte.

use wasmer::sys::vm::{StoreObject, VMExceptionObj};
use wasmer::AsStoreMut;

/// Drops every exception object of `store`; the caller vouches that none
/// is referenced (see the module docs).
pub(crate) fn free_all(store: &mut impl AsStoreMut) {
    let thrown = VMExceptionObj::list_mut(store.objects_mut().as_sys_mut());
    if !thrown.is_empty() {
        thrown.clear();
        thrown.shrink_to(64);
    }
}
