//! Time, fuel and interrupts, checked whenever the guest runs out of fuel.
//!
//! The guest counts checkpoints down from a grant; at zero it calls
//! `kobako.refuel(remaining)`, which lands in [`Meter::refuel`]. Grants are
//! small ([`SLICE`]), so the host looks at the clock and the interrupt flag
//! every few hundred microseconds of guest work and never needs to reach
//! into a running instance from another thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::memory::MemoryBudget;
use super::CapFired;
use crate::Limits;

/// Checkpoints per grant: about 0.1–0.3 ms of interpreter work, which keeps
/// the timeout's lag far under 10 ms while the host call stays rare.
pub(crate) const SLICE: u64 = 10_000;

/// Stops a running invocation from any thread: the guest traps at its next
/// refuel, within a fraction of a millisecond.
#[derive(Debug, Clone, Default)]
pub struct InterruptHandle(Arc<AtomicBool>);

impl InterruptHandle {
    /// Asks the running invocation, if any, to stop.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn take(&self) -> bool {
        self.0.swap(false, Ordering::AcqRel)
    }

    fn clear(&self) {
        self.0.store(false, Ordering::Release);
    }
}

#[derive(Debug, Default)]
pub(crate) struct Meter {
    timeout: Option<Duration>,
    deadline: Option<Instant>,
    budget: Option<u64>,
    used: u64,
    last_grant: u64,
    /// Fuel and memory budgets apply from the start of user code on; the
    /// interpreter's boot is only bound by the timeout and interrupts.
    booting: bool,
    memory_limit: Option<u64>,
    /// When an interrupt the embedder reports as pending may next count.
    next_poll: Option<Instant>,
    pub(crate) interrupt: InterruptHandle,
    pub(crate) memory: Arc<MemoryBudget>,
}

/// How often an interrupt the embedder reports as pending (but nobody
/// signalled) may stop the guest to ask the embedder.
const POLL_INTERVAL: Duration = Duration::from_millis(5);

impl Meter {
    /// Starts an invocation's accounting; returns the first grant.
    pub(crate) fn begin(&mut self, limits: &Limits) -> u64 {
        self.timeout = limits.timeout;
        // A deadline past what the clock can represent is no deadline.
        self.deadline = limits.timeout.and_then(|t| Instant::now().checked_add(t));
        self.budget = limits.fuel;
        self.memory_limit = limits.memory_limit;
        self.used = 0;
        self.booting = true;
        self.next_poll = None;
        self.interrupt.clear();
        self.memory.begin(0, None);
        self.grant()
    }

    /// The interpreter has booted and the invocation's own code starts:
    /// fuel and memory growth count from here. Returns the new value of the
    /// fuel global.
    pub(crate) fn begin_user_code(&mut self, memory_pages: u64) -> u64 {
        self.booting = false;
        self.used = 0;
        self.memory.begin(memory_pages, self.memory_limit);
        self.grant()
    }

    /// The guest's fuel ran out (`remaining` is at or below zero): account
    /// for what it used, then grant more or say which cap fired.
    /// An interrupt goes to `on_interrupt` first, which says whether to stop
    /// (an interrupt can be spurious: Ruby wakes blocked threads for more
    /// reasons than stopping them).
    ///
    /// Host imports come here too, with the work they did for the guest
    /// as `host_work` checkpoints (counted toward fuel like its own).
    pub(crate) fn refuel(
        &mut self,
        remaining: i64,
        host_work: u64,
        on_interrupt: impl FnOnce() -> bool,
    ) -> Result<u64, CapFired> {
        self.used = self.used_at(remaining);
        if !self.booting {
            self.used = self.used.saturating_add(host_work);
        }
        if self.interrupt.take() && on_interrupt() {
            return Err(CapFired::Interrupted);
        }
        self.check()?;
        Ok(self.grant())
    }

    /// The embedder has an interrupt pending that may not have been
    /// signalled through the [`InterruptHandle`] (Ruby does not always call
    /// its unblock function, e.g. for a signal once another thread has come
    /// and gone). It counts as one at most every [`POLL_INTERVAL`], since
    /// answering it is the costly part.
    pub(crate) fn interrupt_requested(&mut self) {
        let now = Instant::now();
        if self.next_poll.is_none_or(|due| now >= due) {
            self.next_poll = Some(now + POLL_INTERVAL);
            self.interrupt.interrupt();
        }
    }

    /// The invocation's own code is done: stop counting fuel (the teardown
    /// that follows is the interpreter's). `remaining` is the fuel global's
    /// value; returns its new value.
    pub(crate) fn end_user_code(&mut self, remaining: i64) -> u64 {
        self.used = self.used_at(remaining);
        self.booting = true;
        self.grant()
    }

    /// Checkpoints the invocation's own code passed: up to now while it
    /// runs (given the fuel global's value), in total once it has ended.
    pub(crate) fn used_at(&self, remaining: i64) -> u64 {
        if self.booting {
            return self.used;
        }
        let spent = i128::from(self.last_grant) - i128::from(remaining);
        self.used.saturating_add(u64::try_from(spent).unwrap_or(0))
    }

    /// Whether the memory cap fired during this invocation.
    pub(crate) fn check_memory(&self) -> Result<(), CapFired> {
        match self.memory.exceeded() {
            Some(limit) => Err(CapFired::Memory(limit)),
            None => Ok(()),
        }
    }

    /// The cap that has fired, if any, checked in order of precedence.
    pub(crate) fn check(&self) -> Result<(), CapFired> {
        self.check_memory()?;
        if let (Some(deadline), Some(timeout)) = (self.deadline, self.timeout) {
            if Instant::now() >= deadline {
                return Err(CapFired::Timeout(timeout));
            }
        }
        if let (Some(budget), false) = (self.budget, self.booting) {
            if self.used > budget {
                return Err(CapFired::Fuel(budget));
            }
        }
        Ok(())
    }

    fn grant(&mut self) -> u64 {
        let grant = match (self.budget, self.booting) {
            (Some(budget), false) => SLICE.min(budget.saturating_sub(self.used)),
            _ => SLICE,
        };
        self.last_grant = grant;
        grant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(fuel: Option<u64>, timeout: Option<Duration>) -> Limits {
        Limits {
            fuel,
            timeout,
            ..Limits::default()
        }
    }

    /// Simulates the instrumented guest: each checkpoint takes one unit of
    /// fuel and calls refuel when the count goes below zero.
    fn run(meter: &mut Meter, checkpoints: u64, grant: u64) -> Result<(), CapFired> {
        let mut fuel = i64::try_from(grant).unwrap();
        for _ in 0..checkpoints {
            fuel -= 1;
            if fuel < 0 {
                fuel = i64::try_from(meter.refuel(fuel, 0, || true)?).unwrap();
            }
        }
        Ok(())
    }

    #[test]
    fn a_fuel_budget_allows_exactly_that_many_checkpoints() {
        for budget in [0, 1, 5, SLICE - 1, SLICE, SLICE + 1, 3 * SLICE + 7] {
            let mut meter = Meter::default();
            let boot = meter.begin(&limits(Some(budget), None));
            assert_eq!(
                run(&mut meter, 3 * SLICE, boot),
                Ok(()),
                "the boot is not counted"
            );
            let first = meter.begin_user_code(1);
            assert_eq!(run(&mut meter, budget, first), Ok(()), "budget {budget}");
            let mut meter = Meter::default();
            meter.begin(&limits(Some(budget), None));
            let first = meter.begin_user_code(1);
            assert_eq!(
                run(&mut meter, budget + 1, first),
                Err(CapFired::Fuel(budget))
            );
        }
    }

    #[test]
    fn no_budget_never_runs_out() {
        let mut meter = Meter::default();
        let first = meter.begin(&limits(None, None));
        assert_eq!(run(&mut meter, 10 * SLICE, first), Ok(()));
    }

    #[test]
    fn a_passed_deadline_fires_at_the_next_refuel() {
        let mut meter = Meter::default();
        let first = meter.begin(&limits(None, Some(Duration::ZERO)));
        assert_eq!(
            run(&mut meter, first + 1, first),
            Err(CapFired::Timeout(Duration::ZERO))
        );
    }

    #[test]
    fn an_interrupt_fires_once_and_a_new_invocation_clears_it() {
        let mut meter = Meter::default();
        let first = meter.begin(&limits(None, None));
        meter.interrupt.interrupt();
        assert_eq!(
            run(&mut meter, first + 1, first),
            Err(CapFired::Interrupted)
        );
        meter.interrupt.interrupt();
        let first = meter.begin(&limits(None, None));
        assert_eq!(run(&mut meter, first + 1, first), Ok(()));
    }

    #[test]
    fn a_spurious_interrupt_lets_the_guest_go_on() {
        let mut meter = Meter::default();
        meter.begin(&limits(None, None));
        meter.interrupt.interrupt();
        assert_eq!(meter.refuel(-1, 0, || false), Ok(SLICE));
        assert_eq!(
            meter.refuel(-1, 0, || true),
            Ok(SLICE),
            "the interrupt was taken"
        );
    }
}
