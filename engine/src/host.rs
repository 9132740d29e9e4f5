//! Everything the guest can call: the WASI subset ([`crate::wasi`]) and the
//! checkpoint handler, over per-store state.

use std::time::Instant;

use wasmer::{Function, FunctionEnv, FunctionEnvMut, Global, Imports, Memory, RuntimeError, Store};

use crate::abi::{REFUEL_IMPORT, REFUEL_MODULE, USER_CODE_END_IMPORT, USER_CODE_IMPORT};
use crate::callbacks::{self, Callbacks};
use crate::caps::meter::Meter;
use crate::caps::output::Output;
use crate::wasi;

/// Per-store state the imports work on.
pub(crate) struct HostEnv {
    pub(crate) memory: Option<Memory>,
    pub(crate) fuel: Option<Global>,
    pub(crate) stdout: Output,
    pub(crate) stderr: Output,
    pub(crate) meter: Meter,
    pub(crate) callbacks: Box<dyn Callbacks>,
    pub(crate) started: Instant,
}

impl HostEnv {
    pub(crate) fn new() -> Self {
        HostEnv {
            memory: None,
            fuel: None,
            stdout: Output::default(),
            stderr: Output::default(),
            meter: Meter::default(),
            callbacks: Box::new(callbacks::Defaults),
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
    imports.define(
        REFUEL_MODULE,
        USER_CODE_IMPORT,
        Function::new_typed_with_env(store, env, begin_user_code),
    );
    imports.define(
        REFUEL_MODULE,
        USER_CODE_END_IMPORT,
        Function::new_typed_with_env(store, env, end_user_code),
    );
    imports
}

/// `kobako.begin_user_code()`: the guest's interpreter is up; budgets start.
fn begin_user_code(mut env: FunctionEnvMut<'_, HostEnv>) -> Result<(), RuntimeError> {
    let (data, mut store) = env.data_and_store_mut();
    let pages = data
        .memory
        .as_ref()
        .map_or(0, |m| u64::from(m.view(&store).size().0));
    let grant = data.meter.begin_user_code(pages);
    set_fuel(data.fuel.as_ref(), &mut store, grant)
}

/// `kobako.end_user_code()`: only the reply and teardown remain.
fn end_user_code(mut env: FunctionEnvMut<'_, HostEnv>) -> Result<(), RuntimeError> {
    let (data, mut store) = env.data_and_store_mut();
    let Some(fuel) = &data.fuel else {
        return Ok(());
    };
    let remaining = fuel.get(&mut store).i64().unwrap_or(0);
    let grant = data.meter.end_user_code(remaining);
    set_fuel(Some(fuel), &mut store, grant)
}

fn set_fuel(
    fuel: Option<&Global>,
    store: &mut impl wasmer::AsStoreMut,
    grant: u64,
) -> Result<(), RuntimeError> {
    match fuel {
        Some(fuel) => fuel.set(
            store,
            wasmer::Value::I64(i64::try_from(grant).unwrap_or(i64::MAX)),
        ),
        None => Ok(()),
    }
}

/// `kobako.refuel(remaining) -> grant`, called by the checkpoints the
/// artifact compiler instrumented into the guest.
fn refuel(mut env: FunctionEnvMut<'_, HostEnv>, remaining: i64) -> Result<i64, RuntimeError> {
    let HostEnv {
        meter, callbacks, ..
    } = env.data_mut();
    match meter.refuel(remaining, || callbacks.on_interrupt()) {
        Ok(grant) => Ok(i64::try_from(grant).unwrap_or(i64::MAX)),
        Err(fired) => Err(RuntimeError::user(Box::new(fired))),
    }
}
