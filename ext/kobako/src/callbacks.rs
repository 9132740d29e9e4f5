//! The engine's callbacks, answered by Ruby.

use std::cell::RefCell;

use kobako_engine::Callbacks;
use magnus::{Error, Ruby};

use crate::gvl;

thread_local! {
    /// What Ruby raised while a guest on this thread was interrupted (a
    /// `Timeout::Error`, a kill): delivered when the invocation returns.
    static PENDING: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// The callbacks of every sandbox made from Ruby.
pub struct RubyCallbacks;

impl Callbacks for RubyCallbacks {
    /// Ruby woke this thread: let it run its pending interrupts. If one
    /// raises, stop the guest and deliver it; if none does (a wake-up for
    /// scheduling or a signal handled elsewhere), let the guest go on.
    fn on_interrupt(&mut self) -> bool {
        gvl::with_gvl(|| {
            let ruby = Ruby::get().expect("the GVL is held here");
            match gvl::check_interrupts(&ruby) {
                Ok(()) => false,
                Err(raised) => {
                    PENDING.with_borrow_mut(|p| *p = Some(raised));
                    true
                }
            }
        })
    }
}

/// Takes what Ruby raised during the last interrupted invocation.
pub fn take_pending() -> Option<Error> {
    PENDING.with_borrow_mut(Option::take)
}
