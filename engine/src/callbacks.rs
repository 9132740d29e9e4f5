//! What the embedder hears from a running invocation.

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
}

/// The callbacks of a sandbox nobody installed any on.
#[derive(Debug, Default)]
pub(crate) struct Defaults;

impl Callbacks for Defaults {}
