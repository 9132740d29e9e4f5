//! Everything the guest can call besides WASI ([`crate::wasi`]): the
//! checkpoint handler, service calls, the heap, over per-store state.
//! Written once against [`GuestCx`]; each backend registers these functions
//! under the names in [`crate::abi`].

use std::time::Instant;

use kobako_wire::{ServiceCall, ServiceReply};

use crate::backend::{Exports, GuestCx, GuestGlobal, Stop};
use crate::callbacks::{self, Callbacks, ServiceOutcome};
use crate::caps::memory::Heap;
use crate::caps::meter::{InterruptHandle, Meter};
use crate::caps::output::Output;
use crate::caps::CapFired;
use crate::guest_memory;
use crate::provenance::SealKey;

/// Per-store state the imports work on.
pub(crate) struct HostEnv {
    /// The instance's memory and globals, once it is instantiated.
    pub(crate) exports: Option<Exports>,
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
    /// (the Wasmer backend's `exceptions` module says why that is sound).
    pub(crate) free_exceptions_at_imports: bool,
}

impl HostEnv {
    pub(crate) fn new() -> Self {
        HostEnv {
            exports: None,
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

/// `kobako.call(ptr, len) -> reply_len`: a guest call to a service or a
/// Handle. The reply waits in `pending_reply` for `kobako.take_reply`.
pub(crate) fn service_call(cx: &mut impl GuestCx, ptr: i32, len: i32) -> Result<i32, Stop> {
    // Past the deadline already: do not start the service.
    checkpoint(cx, 0)?;
    let (Ok(ptr), Ok(len)) = (u64::try_from(ptr), u64::try_from(len)) else {
        return Ok(-1);
    };
    let (env, memory) = cx.env_and_memory();
    let Some(request) = guest_memory::range(memory, ptr, len) else {
        return Ok(-1);
    };
    let mut reply = match kobako_wire::decode::<ServiceCall>(request) {
        Ok(call) => match env.callbacks.call_service(call) {
            ServiceOutcome::Reply(reply) => reply,
            ServiceOutcome::Stop => return Err(CapFired::Interrupted.into()),
        },
        Err(e) => ServiceReply::error("Kobako::WireError", e.to_string()),
    };
    if let ServiceReply::Failure(failure) = &mut reply {
        env.seals.seal(failure);
    }
    let bytes = kobako_wire::encode(&reply).map_err(|e| Stop::Fault(e.to_string()))?;
    let reply_len =
        i32::try_from(bytes.len()).map_err(|_| Stop::Fault("service reply too large".into()))?;
    let work = 1 + (len + bytes.len() as u64) / BYTES_PER_CHECKPOINT;
    env.pending_reply = bytes;
    // Time spent in the service counts: past the deadline, stop here.
    checkpoint(cx, work)?;
    Ok(reply_len)
}

/// `kobako.take_reply(ptr)`: copies the pending reply into guest memory.
pub(crate) fn take_reply(cx: &mut impl GuestCx, ptr: i32) -> Result<(), Stop> {
    let (env, memory) = cx.env_and_memory();
    let reply = std::mem::take(&mut env.pending_reply);
    let written = u64::try_from(ptr).is_ok_and(|ptr| guest_memory::write(memory, ptr, &reply));
    if !written {
        return Err(Stop::Fault(
            "cannot write the service reply: outside guest memory".into(),
        ));
    }
    checkpoint(cx, reply.len() as u64 / BYTES_PER_CHECKPOINT)
}

/// `kobako.claim_heap(end) -> 0 | -1`: the guest's `sbrk` wants its heap
/// to end at `end`. A refusal by the memory cap stops the invocation here.
pub(crate) fn claim_heap(cx: &mut impl GuestCx, end: i32) -> Result<i32, Stop> {
    // The guest passes an unsigned 32-bit address.
    let end = u64::from(end as u32);
    let env = cx.env();
    let granted = match env.heap.admits(end, &env.meter.memory) {
        Some(pages) => {
            let have = cx.memory_pages();
            let grown = pages <= have || cx.grow_memory(pages - have);
            if grown {
                cx.env().heap.set_end(end);
            }
            grown
        }
        None => false,
    };
    checkpoint(cx, 0)?;
    Ok(if granted { 0 } else { -1 })
}

/// `kobako.begin_user_code()`: the guest's interpreter is up; budgets start.
pub(crate) fn begin_user_code(cx: &mut impl GuestCx) -> Result<(), Stop> {
    let env = cx.env();
    let pages = env.heap.pages();
    let grant = env.meter.begin_user_code(pages);
    set_fuel(cx, grant);
    Ok(())
}

/// `kobako.end_user_code()`: only the reply and teardown remain.
pub(crate) fn end_user_code(cx: &mut impl GuestCx) -> Result<(), Stop> {
    let remaining = cx.global(GuestGlobal::Fuel);
    let grant = cx.env().meter.end_user_code(remaining);
    set_fuel(cx, grant);
    Ok(())
}

fn set_fuel(cx: &mut impl GuestCx, grant: u64) {
    cx.set_global(GuestGlobal::Fuel, i64::try_from(grant).unwrap_or(i64::MAX));
}

/// `kobako.refuel(remaining) -> grant`, called by the checkpoints the
/// artifact compiler instrumented into the guest.
pub(crate) fn refuel(cx: &mut impl GuestCx, remaining: i64) -> Result<i64, Stop> {
    free_exceptions(cx);
    let grant = account(cx.env(), remaining, 0)?;
    Ok(i64::try_from(grant).unwrap_or(i64::MAX))
}

/// Accounts for the guest's work since its last grant (`remaining` is the
/// fuel global's value) and the host's (`host_work` checkpoints), checks
/// every cap and interrupt, and returns the next grant.
fn account(data: &mut HostEnv, remaining: i64, host_work: u64) -> Result<u64, Stop> {
    let HostEnv {
        meter, callbacks, ..
    } = data;
    if callbacks.interrupt_requested() {
        meter.interrupt_requested();
    }
    Ok(meter.refuel(remaining, host_work, || callbacks.on_interrupt())?)
}

/// Host work worth one checkpoint of fuel: this many bytes copied.
pub(crate) const BYTES_PER_CHECKPOINT: u64 = 1024;

/// What every host import does when it is about to return to the guest:
/// the caps are checked as at a refuel (deadline, interrupt, memory, fuel),
/// with `host_work` checkpoints of the host's own work counted as fuel.
/// So a guest whose every step makes the host work (output floods, service
/// calls, big values) is stopped as promptly as a tight loop.
pub(crate) fn checkpoint(cx: &mut impl GuestCx, host_work: u64) -> Result<(), Stop> {
    free_exceptions(cx);
    if cx.env().exports.is_none() {
        return Ok(());
    }
    let remaining = cx.global(GuestGlobal::Fuel);
    let grant = account(cx.env(), remaining, host_work)?;
    set_fuel(cx, grant);
    Ok(())
}

/// Guest code called the host: no exception is in flight, and if the
/// guest cannot hold one either, all are garbage (see the backend's notes
/// on exceptions).
fn free_exceptions(cx: &mut impl GuestCx) {
    if cx.env().free_exceptions_at_imports {
        cx.free_exceptions();
    }
}
