//! The lock around one engine sandbox: refuses a second user instead of
//! waiting, and survives `fork`.
//!
//! A `std::sync::Mutex` held by another thread when the process forks stays
//! locked forever in the child, where that thread does not exist. This lock
//! keeps, in one atomic word, whether it is held and by which process. In a
//! child, a lock the parent's other threads held is taken over, and the
//! sandbox's interrupted state is dropped first
//! ([`EngineSandbox::recover_after_fork`]). The forking thread itself does
//! exist in the child, possibly deep inside an invocation of this very
//! sandbox: each thread remembers the locks it holds, and never takes over
//! one of its own.

use std::cell::{RefCell, UnsafeCell};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};

use kobako_engine::platform::process_id;
use kobako_engine::Sandbox as EngineSandbox;

use crate::callbacks::RubyCallbacks;

thread_local! {
    /// The locks this thread holds (their addresses). Kept by `fork` for
    /// the forking thread, as its stack is.
    static HELD: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

const HELD_BIT: u64 = 1;

/// The lock word: the holder's process id, shifted, and [`HELD_BIT`].
fn word(pid: u32, held: bool) -> u64 {
    (u64::from(pid) << 1) | u64::from(held)
}

pub struct SandboxLock {
    state: AtomicU64,
    sandbox: UnsafeCell<EngineSandbox>,
}

// SAFETY: the sandbox inside is reached only through a `Guard`, and at most
// one guard exists at a time in a process: a guard is made only by a
// compare-exchange of `state` from free to held, or from held-by-another-
// process to held-by-this-one (a fork child taking over from threads that
// do not exist in it; never from a guard of its own thread, see `HELD`).
// `EngineSandbox` is `Send`.
unsafe impl Sync for SandboxLock {}

impl SandboxLock {
    pub fn new(sandbox: EngineSandbox) -> Self {
        SandboxLock {
            state: AtomicU64::new(word(process_id(), false)),
            sandbox: UnsafeCell::new(sandbox),
        }
    }

    fn address(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// The sandbox, or `None` while it is in use in this process.
    pub fn try_lock(&self) -> Option<Guard<'_>> {
        let me = word(process_id(), true);
        let seen = self.state.load(Ordering::Acquire);
        let held = seen & HELD_BIT != 0;
        let ours = HELD.with_borrow(|held| held.contains(&self.address()));
        if held && (seen == me || ours) {
            return None;
        }
        self.state
            .compare_exchange(seen, me, Ordering::AcqRel, Ordering::Acquire)
            .ok()?;
        HELD.with_borrow_mut(|held| held.push(self.address()));
        let mut guard = Guard(self);
        if held {
            // Held by a thread of the parent process, gone in this child,
            // with the callbacks it had lent to the guest.
            guard.recover_after_fork();
            guard.set_callbacks(Box::new(RubyCallbacks));
        }
        Some(guard)
    }

    /// Frees the lock from an invocation that will never return, dropping
    /// what that invocation had of the sandbox.
    ///
    /// # Safety
    /// The invocation holding the lock can never resume: it ran on a Ruby
    /// fiber that was suspended inside a service call and has since been
    /// collected or lost its thread (the guard it holds lives on that
    /// fiber's stack and is never dropped).
    pub unsafe fn reclaim(&self) {
        if self.state.load(Ordering::Acquire) & HELD_BIT == 0 {
            return; // nothing holds it: nothing to take back
        }
        // Stands in for the abandoned guard, which is never dropped.
        let mut guard = Guard(self);
        // SAFETY: as the caller guarantees; this guard is the only way to
        // the sandbox from here on.
        unsafe { guard.abandon_invocation() };
        guard.set_callbacks(Box::new(RubyCallbacks));
        // Dropping it frees the lock and forgets this thread's entry in
        // HELD (the abandoned guard's, if that fiber ran on this thread).
    }
}

pub struct Guard<'a>(&'a SandboxLock);

impl Deref for Guard<'_> {
    type Target = EngineSandbox;

    fn deref(&self) -> &EngineSandbox {
        // SAFETY: a guard is the only way to the sandbox, and only one
        // exists at a time (see `SandboxLock`).
        unsafe { &*self.0.sandbox.get() }
    }
}

impl DerefMut for Guard<'_> {
    fn deref_mut(&mut self) -> &mut EngineSandbox {
        // SAFETY: as for `deref`; `&mut self` makes this borrow unique.
        unsafe { &mut *self.0.sandbox.get() }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        let address = self.0.address();
        HELD.with_borrow_mut(|held| held.retain(|&a| a != address));
        self.0
            .state
            .store(word(process_id(), false), Ordering::Release);
    }
}
