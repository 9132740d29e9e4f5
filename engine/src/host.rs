//! Everything the guest can call: the WASI subset ([`crate::wasi`]) and the
//! checkpoint handler, over per-store state.

use std::time::Instant;

use wasmer::{Function, FunctionEnv, FunctionEnvMut, Imports, Memory, RuntimeError, Store};

use crate::abi::{REFUEL_IMPORT, REFUEL_MODULE};
use crate::caps::meter::Meter;
use crate::caps::output::Output;
use crate::wasi;

/// Per-store state the imports work on.
pub(crate) struct HostEnv {
    pub(crate) memory: Option<Memory>,
    pub(crate) stdout: Output,
    pub(crate) stderr: Output,
    pub(crate) meter: Meter,
    pub(crate) started: Instant,
}

impl HostEnv {
    pub(crate) fn new() -> Self {
        HostEnv {
            memory: None,
            stdout: Output::default(),
            stderr: Output::default(),
            meter: Meter::default(),
            started: Instant::now(),
        }
    }
}

pub(crate) fn imports(store: &mut Store, env: &FunctionEnv<HostEnv>) -> Imports {
    let mut imports = wasi::imports(store, env);
    imports.define(
        REFUEL_MODULE,
        REFUEL_IMPORT,
        Function::new_typed_with_env(store, env, refuel),
    );
    imports
}

/// `kobako.refuel(remaining) -> grant`, called by the checkpoints the
/// artifact compiler instrumented into the guest.
fn refuel(mut env: FunctionEnvMut<'_, HostEnv>, remaining: i64) -> Result<i64, RuntimeError> {
    match env.data_mut().meter.refuel(remaining) {
        Ok(grant) => Ok(i64::try_from(grant).unwrap_or(i64::MAX)),
        Err(fired) => Err(RuntimeError::user(Box::new(fired))),
    }
}
