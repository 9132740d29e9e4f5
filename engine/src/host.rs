//! Everything the guest can call: the WASI subset ([`crate::wasi`]) and the
//! checkpoint handler, over per-store state.

use std::time::Instant;

use wasmer::{Function, FunctionEnv, FunctionEnvMut, Global, Imports, Memory, RuntimeError, Store};

use kobako_wire::{ServiceCall, ServiceReply};

use crate::abi::{
    CLAIM_HEAP_IMPORT, KOBAKO_MODULE, REFUEL_IMPORT, SERVICE_CALL_IMPORT, TAKE_REPLY_IMPORT,
    USER_CODE_END_IMPORT, USER_CODE_IMPORT,
};
use crate::callbacks::{self, Callbacks, ServiceOutcome};
use crate::caps::memory::Heap;
use crate::caps::meter::{InterruptHandle, Meter};
use crate::caps::output::Output;
use crate::caps::CapFired;
use crate::provenance::SealKey;
use crate::wasi;

/// Per-store state the imports work on.
pub(crate) struct HostEnv {
    pub(crate) memory: Option<Memory>,
    pub(crate) fuel: Option<Global>,
    pub(crate) stdout: Output,
    pub(crate) stderr: Output,
    pub(crate) meter: Meter,
    pub(crate) heap: Heap,
    pub(crate) callbacks: Box<dyn Callbacks>,
    /// The encoded answer to the last service call, until the guest takes it.
    pending_reply: Vec<u8>,
    /// Seals the service failures reported to the guest.
    pub(crate) seals: SealKey,
    pub(crate) started: Instant,
    /// Whether guest exceptions are freed at every import
    /// ([`crate::exceptions`]).
    pub(crate) free_exceptions_at_imports: bool,
}

impl HostEnv {
    pub(crate) fn new() -> Self {
        HostEnv {
            memory: None,
            fuel: None,
            stdout: Output::default(),
            stderr: Output::default(),
            meter: Meter::default(),
            heap: Heap::default(),
            callbacks: Box::new(callbacks::Defaults),
            pending_reply: Vec::new(),
            seals: SealKey::new(),
            started: Instant::now(),
            free_exceptions_at_imports: false,
        }
    }
}

/// What belongs to a sandbox rather than to the instance that runs its
/// invocation: lent to the instance's [`HostEnv`] for one invocation and
/// taken back after it, so instances can serve any sandbox.
pub(crate) struct Session {
    pub(crate) callbacks: Box<dyn Callbacks>,
    pub(crate) stdout: Output,
    pub(crate) stderr: Output,
    pub(crate) seals: SealKey,
    pub(crate) interrupt: InterruptHandle,
}

impl Session {
    pub(crate) fn new() -> Self {
        Session {
            callbacks: Box::new(callbacks::Defaults),
            stdout: Output::default(),
            stderr: Output::default(),
            seals: SealKey::new(),
            interrupt: InterruptHandle::default(),
        }
    }
}

impl HostEnv {
    /// Takes `session` in for an invocation (see [`HostEnv::give_back`]).
    pub(crate) fn lend(&mut self, session: &mut Session) {
        self.swap_session(session);
        self.meter.interrupt = session.interrupt.clone();
    }

    /// Hands back what [`HostEnv::lend`] took in, with the invocation's
    /// output and seals.
    pub(crate) fn give_back(&mut self, session: &mut Session) {
        self.swap_session(session);
        self.meter.interrupt = InterruptHandle::default();
        self.pending_reply = Vec::new();
    }

    fn swap_session(&mut self, session: &mut Session) {
        std::mem::swap(&mut self.callbacks, &mut session.callbacks);
        std::mem::swap(&mut self.stdout, &mut session.stdout);
        std::mem::swap(&mut self.stderr, &mut session.stderr);
        std::mem::swap(&mut self.seals, &mut session.seals);
    }
}

pub(crate) fn imports(store: &mut Store, env: &FunctionEnv<HostEnv>) -> Imports {
    let mut imports = wasi::imports(store, env);
    let kobako: [(&str, Function); 6] = [
        (
            REFUEL_IMPORT,
            Function::new_typed_with_env(store, env, refuel),
        ),
        (
            USER_CODE_IMPORT,
            Function::new_typed_with_env(store, env, begin_user_code),
        ),
        (
            USER_CODE_END_IMPORT,
            Function::new_typed_with_env(store, env, end_user_code),
        ),
        (
            SERVICE_CALL_IMPORT,
            Function::new_typed_with_env(store, env, service_call),
        ),
        (
            TAKE_REPLY_IMPORT,
            Function::new_typed_with_env(store, env, take_reply),
        ),
        (
            CLAIM_HEAP_IMPORT,
            Function::new_typed_with_env(store, env, claim_heap),
        ),
    ];
    imports.register_namespace(
        KOBAKO_MODULE,
        kobako.map(|(name, function)| (name.to_owned(), function.into())),
    );
    imports
}

/// `kobako.call(ptr, len) -> reply_len`: a guest call to a service or a
/// Handle. The reply waits in `pending_reply` for `kobako.take_reply`.
fn service_call(
    mut env: FunctionEnvMut<'_, HostEnv>,
    ptr: i32,
    len: i32,
) -> Result<i32, RuntimeError> {
    // Past the deadline already: do not start the service.
    checkpoint(&mut env, 0)?;
    let request = {
        let (data, store) = env.data_and_store_mut();
        let Some(memory) = data.memory.as_ref() else {
            return Ok(-1);
        };
        let (Ok(ptr), Ok(len)) = (u64::try_from(ptr), u64::try_from(len)) else {
            return Ok(-1);
        };
        match crate::guest_memory::read(memory, &store, ptr, len) {
            Some(bytes) => bytes,
            None => return Ok(-1),
        }
    };
    let mut reply = match kobako_wire::decode::<ServiceCall>(&request) {
        Ok(call) => match env.data_mut().callbacks.call_service(call) {
            ServiceOutcome::Reply(reply) => reply,
            ServiceOutcome::Stop => {
                return Err(RuntimeError::user(Box::new(CapFired::Interrupted)))
            }
        },
        Err(e) => ServiceReply::error("Kobako::WireError", e.to_string()),
    };
    if let ServiceReply::Failure(failure) = &mut reply {
        env.data().seals.seal(failure);
    }
    let bytes = kobako_wire::encode(&reply).map_err(|e| RuntimeError::new(e.to_string()))?;
    let len =
        i32::try_from(bytes.len()).map_err(|_| RuntimeError::new("service reply too large"))?;
    let work = 1 + (request.len() + bytes.len()) as u64 / BYTES_PER_CHECKPOINT;
    env.data_mut().pending_reply = bytes;
    // Time spent in the service counts: past the deadline, stop here.
    checkpoint(&mut env, work)?;
    Ok(len)
}

/// `kobako.take_reply(ptr)`: copies the pending reply into guest memory.
fn take_reply(mut env: FunctionEnvMut<'_, HostEnv>, ptr: i32) -> Result<(), RuntimeError> {
    let copied = {
        let (data, store) = env.data_and_store_mut();
        let reply = std::mem::take(&mut data.pending_reply);
        let memory = data
            .memory
            .as_ref()
            .ok_or_else(|| RuntimeError::new("no guest memory"))?;
        let ptr = u64::try_from(ptr).map_err(|_| RuntimeError::new("negative reply address"))?;
        memory
            .view(&store)
            .write(ptr, &reply)
            .map_err(|e| RuntimeError::new(format!("cannot write the service reply: {e}")))?;
        reply.len() as u64
    };
    checkpoint(&mut env, copied / BYTES_PER_CHECKPOINT)
}

/// `kobako.claim_heap(end) -> 0 | -1`: the guest's `sbrk` wants its heap
/// to end at `end`. A refusal by the memory cap stops the invocation here.
fn claim_heap(mut env: FunctionEnvMut<'_, HostEnv>, end: i32) -> Result<i32, RuntimeError> {
    let granted = {
        let (data, mut store) = env.data_and_store_mut();
        let HostEnv {
            memory,
            heap,
            meter,
            ..
        } = data;
        match memory {
            // The guest passes an unsigned 32-bit address.
            Some(memory) => heap.claim(u64::from(end as u32), &meter.memory, memory, &mut store),
            None => false,
        }
    };
    checkpoint(&mut env, 0)?;
    Ok(if granted { 0 } else { -1 })
}

/// `kobako.begin_user_code()`: the guest's interpreter is up; budgets start.
fn begin_user_code(mut env: FunctionEnvMut<'_, HostEnv>) -> Result<(), RuntimeError> {
    let (data, mut store) = env.data_and_store_mut();
    let pages = data.heap.pages();
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
    free_exceptions(&mut env);
    let grant = account(env.data_mut(), remaining, 0)?;
    Ok(i64::try_from(grant).unwrap_or(i64::MAX))
}

/// Accounts for the guest's work since its last grant (`remaining` is the
/// fuel global's value) and the host's (`host_work` checkpoints), checks
/// every cap and interrupt, and returns the next grant.
fn account(data: &mut HostEnv, remaining: i64, host_work: u64) -> Result<u64, RuntimeError> {
    let HostEnv {
        meter, callbacks, ..
    } = data;
    if callbacks.interrupt_requested() {
        meter.interrupt_requested();
    }
    meter
        .refuel(remaining, host_work, || callbacks.on_interrupt())
        .map_err(|fired| RuntimeError::user(Box::new(fired)))
}

/// Host work worth one checkpoint of fuel: this many bytes copied.
pub(crate) const BYTES_PER_CHECKPOINT: u64 = 1024;

/// What every host import does when it is about to return to the guest:
/// the caps are checked as at a refuel (deadline, interrupt, memory, fuel),
/// with `host_work` checkpoints of the host's own work counted as fuel.
/// So a guest whose every step makes the host work (output floods, service
/// calls, big values) is stopped as promptly as a tight loop.
pub(crate) fn checkpoint(
    env: &mut FunctionEnvMut<'_, HostEnv>,
    host_work: u64,
) -> Result<(), RuntimeError> {
    free_exceptions(env);
    let (data, mut store) = env.data_and_store_mut();
    let Some(fuel) = data.fuel.clone() else {
        return Ok(());
    };
    let remaining = fuel.get(&mut store).i64().unwrap_or(0);
    let grant = account(data, remaining, host_work)?;
    set_fuel(Some(&fuel), &mut store, grant)
}

/// Guest code called the host: no exception is in flight, and if the
/// guest cannot hold one either, all are garbage ([`crate::exceptions`]).
fn free_exceptions(env: &mut FunctionEnvMut<'_, HostEnv>) {
    if env.data().free_exceptions_at_imports {
        crate::exceptions::free_all(env);
    }
}
