//! What the embedder hears from a running invocation.

use kobako_wire::{ServiceCall, ServiceReply};

/// Hooks an embedder installs on a [`Sandbox`](crate::Sandbox) with
/// [`Sandbox::set_callbacks`](crate::Sandbox::set_callbacks). They run on the
/// thread that runs the guest, in the middle of the invocation.
pub trait Callbacks: Send {
    /// The invocation's [`InterruptHandle`](crate::InterruptHandle) fired.
    /// Return `true` to stop it ([`Error::Interrupted`](crate::Error)), or
    /// `false` to let the guest go on: an embedder whose interrupts can be
    /// spurious (Ruby wakes a thread for more reasons than stopping it)
    /// decides here. The default stops.
    fn on_interrupt(&mut self) -> bool {
        true
    }

    /// Polled at every refuel (every few hundred microseconds of guest
    /// work): whether the embedder has an interrupt pending that it may not
    /// have signalled through the [`InterruptHandle`](crate::InterruptHandle).
    /// When it says so, [`Callbacks::on_interrupt`] is asked (at most every
    /// 5 ms). It runs without any lock the embedder may need: keep it to a
    /// read. The default knows of none.
    fn interrupt_requested(&mut self) -> bool {
        false
    }

    /// The guest called a bound service or a Handle. The default knows of
    /// no services.
    fn call_service(&mut self, call: ServiceCall) -> ServiceOutcome {
        ServiceOutcome::Reply(ServiceReply::error(
            "NoMethodError",
            format!("undefined method '{}' (no services are bound)", call.method),
        ))
    }
}

/// How a service call ends.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceOutcome {
    /// Answer the guest.
    Reply(ServiceReply),
    /// Stop the invocation ([`Error::Interrupted`](crate::Error)): the host
    /// hit something the guest must not see or rescue.
    Stop,
}

/// The callbacks of a sandbox nobody installed any on.
#[derive(Debug, Default)]
pub(crate) struct Defaults;

impl Callbacks for Defaults {}
