//! The lock around one engine sandbox: refuses a second user instead of
//! waiting, and survives `fork`.
//!
//! A `std::sync::Mutex` held by another thread when the process forks stays
//! locked forever in the child, where that thread does not exist. This lock
//! records the process that took it; in a child, a lock taken by the parent
//! is taken over, and the sandbox's interrupted state is dropped first
//! ([`EngineSandbox::recover_after_fork`]). Whether the forking thread
//! itself is inside an invocation of this sandbox is decided before the
//! native code is reached (`Kobako::Sandbox`'s own lock, which Ruby keeps
//! across fork for the forking thread and releases for the others).

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use kobako_engine::Sandbox as EngineSandbox;

pub struct SandboxLock {
    busy: AtomicBool,
    /// The process whose thread holds the lock.
    holder: AtomicU32,
    sandbox: UnsafeCell<EngineSandbox>,
}

// SAFETY: the sandbox inside is reached only through a `Guard`, and at most
// one guard exists at a time in a process: `busy` is taken by a
// compare-exchange, and a take-over after fork by a compare-exchange on
// `holder`, which only one thread of the child can win. `EngineSandbox` is
// `Send`.
unsafe impl Sync for SandboxLock {}

impl SandboxLock {
    pub fn new(sandbox: EngineSandbox) -> Self {
        SandboxLock {
            busy: AtomicBool::new(false),
            holder: AtomicU32::new(0),
            sandbox: UnsafeCell::new(sandbox),
        }
    }

    /// The sandbox, or `None` while another thread of this process uses it.
    pub fn try_lock(&self) -> Option<Guard<'_>> {
        let me = std::process::id();
        if self
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            self.holder.store(me, Ordering::Release);
            return Some(Guard(self));
        }
        let holder = self.holder.load(Ordering::Acquire);
        if holder == me
            || self
                .holder
                .compare_exchange(holder, me, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            return None;
        }
        // The holder was a thread of the parent process, gone in this child.
        let guard = Guard(self);
        // SAFETY: this thread won the take-over, so no other guard exists
        // in this process.
        unsafe { &mut *self.sandbox.get() }.recover_after_fork();
        Some(guard)
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
        self.0.busy.store(false, Ordering::Release);
    }
}
