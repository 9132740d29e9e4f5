//! Booted guest instances, shared by every sandbox of an artifact.
//!
//! A sandbox holds no instance while idle: each invocation takes a
//! [`Slot`] from its artifact's [`Pool`] (or makes one), lends it the
//! sandbox's [`Session`], and gives it back restored to its snapshot. A
//! slot that trapped is dropped with its own store, so nothing of a
//! poisoned instance stays alive; so is one that served [`RENEW_AFTER`]
//! invocations, so nothing Wasmer keeps per store can pile up.
//! The exception objects an invocation threw are freed after it, where
//! the backend keeps them.

use std::sync::{Mutex, MutexGuard};

use kobako_wire::{Reply, Request};

use crate::backend::GuestCx;
use crate::guest::Guest;
use crate::host::{HostEnv, Session};
use crate::lifecycle::{Lifecycle, Snapshot};
use crate::{Artifact, Error, Limits};

/// Idle slots kept per artifact; more are dropped when given back. Each
/// holds its instance's memory (about 1.7 MiB), so this bounds what idle
/// sandboxes cost however many there are.
const MAX_IDLE: usize = 4;

/// Invocations after which a slot is replaced by a freshly booted one.
const RENEW_AFTER: u32 = 4096;

/// One guest instance in its own store, booted per the artifact's
/// [`Lifecycle`]. `Send` as its backend's instance is: a slot is owned by
/// one pool or one invocation at a time and every use takes `&mut self`.
pub(crate) struct Slot {
    guest: Guest,
    snapshot: Option<Snapshot>,
    invocations: u32,
}

impl Slot {
    /// A new instance in a new store; under [`Lifecycle::Restore`] its
    /// interpreter is booted (unless the module comes booted) and
    /// snapshotted.
    pub(crate) fn new(artifact: &Artifact) -> Result<Self, Error> {
        let facts = artifact.guest();
        let mut host = HostEnv::new();
        host.free_exceptions_at_imports = !facts.keeps_exceptions;
        let mut guest = Guest::instantiate(artifact.code(), host, facts.booted)?;
        let snapshot = match artifact.lifecycle() {
            Lifecycle::Restore => {
                if !facts.booted {
                    guest.boot()?;
                }
                Some(Snapshot::take(&mut guest.instance, facts.writable_from))
            }
            Lifecycle::Reboot => None,
        };
        Ok(Slot {
            guest,
            snapshot,
            invocations: 0,
        })
    }

    /// Runs `request` for the sandbox whose `session` is lent for it.
    /// Returns the reply and the fuel the invocation's own code used. On
    /// an error the slot must be dropped: a trap can leave the instance
    /// mid-operation.
    pub(crate) fn invoke(
        &mut self,
        session: &mut Session,
        limits: &Limits,
        request: &Request,
    ) -> (Result<Reply, Error>, u64) {
        self.invocations += 1;
        let env = self.guest.instance.env();
        env.lend(session);
        env.stdout.begin(limits.stdout_limit);
        env.stderr.begin(limits.stderr_limit);
        env.seals.next_invocation();
        let mut outcome = self.guest.invoke(limits, request);
        let fuel_left = self.guest.fuel_left();
        let fuel_used = self.guest.instance.env().meter.used_at(fuel_left);
        if outcome.is_ok() && self.snapshot.is_none() {
            if let Err(e) = self.guest.shutdown() {
                outcome = Err(e);
            }
        }
        self.guest.instance.env().give_back(session);
        (outcome, fuel_used)
    }

    fn memory_size(&mut self) -> u64 {
        self.guest.instance.memory().len() as u64
    }

    /// Back to the booted state after an invocation that returned, for the
    /// next one; `false` when the slot should be replaced instead.
    fn reset(&mut self) -> bool {
        if self.invocations >= RENEW_AFTER {
            return false;
        }
        if let Some(snapshot) = &self.snapshot {
            snapshot.restore(&mut self.guest.instance);
        }
        self.guest.instance.free_exceptions();
        true
    }
}

/// The idle slots of one artifact, in the process that made the pool.
pub(crate) struct Pool {
    /// After a `fork` the child must not touch the lock (another thread may
    /// have held it at the time, forever in the child) nor share slots with
    /// the parent's history: it makes its own slots, unpooled.
    pid: u32,
    // Boxed: a slot moves between this list and the `in_flight` field of the
    // sandbox running it; boxed once, those moves are pointer moves, and an
    // idle sandbox holds a pointer's worth, not a slot.
    #[allow(clippy::vec_box)]
    idle: Mutex<Vec<Box<Slot>>>,
}

impl Default for Pool {
    fn default() -> Self {
        Pool {
            pid: crate::platform::process_id(),
            idle: Mutex::new(Vec::new()),
        }
    }
}

impl Pool {
    #[allow(clippy::vec_box)] // see `idle`
    fn idle(&self) -> Option<MutexGuard<'_, Vec<Box<Slot>>>> {
        (crate::platform::process_id() == self.pid)
            .then(|| self.idle.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// An idle slot, or a new one.
    pub(crate) fn take(&self, artifact: &Artifact) -> Result<Box<Slot>, Error> {
        match self.idle().and_then(|mut idle| idle.pop()) {
            Some(slot) => Ok(slot),
            None => Slot::new(artifact).map(Box::new),
        }
    }

    /// Restores `slot` and keeps it for the next invocation, or drops it
    /// (renewal due, pool full, or a forked child).
    pub(crate) fn give(&self, mut slot: Box<Slot>) {
        if slot.reset() {
            self.keep(slot);
        }
    }

    /// Keeps a slot that is in its booted state, if there is room.
    pub(crate) fn keep(&self, slot: Box<Slot>) {
        if let Some(mut idle) = self.idle() {
            if idle.len() < MAX_IDLE {
                idle.push(slot);
            }
        }
    }

    /// Idle slots, and the bytes of guest memory they hold together.
    pub(crate) fn idle_memory(&self) -> (usize, u64) {
        self.idle().map_or((0, 0), |mut idle| {
            (
                idle.len(),
                idle.iter_mut().map(|slot| slot.memory_size()).sum(),
            )
        })
    }
}
