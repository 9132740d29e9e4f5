//! The engine's callbacks, answered by Ruby.

use std::cell::RefCell;

use kobako_engine::{CallTarget, Callbacks, ServiceCall, ServiceOutcome, ServiceReply, Value};
use magnus::error::ErrorType;
use magnus::value::{BoxValue, ReprValue};
use magnus::{Error, Exception, RArray, Ruby, Symbol};

use crate::{errors, gvl, value};

/// What Ruby raised while a guest was running, kept until the invocation
/// returns. The exception object is registered with Ruby's GC while kept:
/// other threads run (and collect) while the guest runs without the GVL,
/// and a thread-local is nothing the GC knows of.
enum Pending {
    Exception(BoxValue<Exception>),
    /// A `throw`, a kill: Ruby itself keeps what they carry.
    Other(Error),
}

impl Pending {
    fn keep(error: Error) -> Self {
        match error.error_type() {
            ErrorType::Exception(exception) => Pending::Exception(BoxValue::new(*exception)),
            _ => Pending::Other(error),
        }
    }

    fn into_error(self) -> Error {
        match self {
            Pending::Exception(exception) => Error::from(*exception),
            Pending::Other(error) => error,
        }
    }
}

thread_local! {
    /// What Ruby raised while a guest on this thread was interrupted (a
    /// `Timeout::Error`, a kill) or a service call had to stop it:
    /// delivered when the invocation returns.
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };

    /// The running invocation's `Kobako::Dispatcher`. It is also on the
    /// stack of the Ruby frame that started the invocation, so it is alive
    /// and pinned for as long as it is set here.
    static DISPATCHER: RefCell<Option<magnus::Value>> = const { RefCell::new(None) };
}

/// Runs `f` with `dispatcher` answering the guest's service calls. A service
/// may run another sandbox on this thread; the outer dispatcher comes back
/// when the inner invocation ends.
pub fn with_dispatcher<T>(dispatcher: magnus::Value, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<magnus::Value>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DISPATCHER.with_borrow_mut(|d| *d = self.0.take());
        }
    }
    let _restore = Restore(DISPATCHER.with_borrow_mut(|d| d.replace(dispatcher)));
    f()
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
                    PENDING.with_borrow_mut(|p| *p = Some(Pending::keep(raised)));
                    true
                }
            }
        })
    }

    /// A guest call to a service or Handle, answered by the sandbox's
    /// `Kobako::Dispatcher` with the GVL re-acquired. Whatever the dispatcher
    /// raises (an Interrupt, a HandleTableExhausted) stops the invocation and
    /// is raised on the host afterwards; the guest never sees it.
    fn call_service(&mut self, call: ServiceCall) -> ServiceOutcome {
        gvl::with_gvl(|| {
            let ruby = Ruby::get().expect("the GVL is held here");
            match Self::dispatch(&ruby, call) {
                Ok(reply) => ServiceOutcome::Reply(reply),
                Err(raised) => {
                    PENDING.with_borrow_mut(|p| *p = Some(Pending::keep(raised)));
                    ServiceOutcome::Stop
                }
            }
        })
    }
}

impl RubyCallbacks {
    fn dispatch(ruby: &Ruby, call: ServiceCall) -> Result<ServiceReply, Error> {
        let Some(dispatcher) = DISPATCHER.with_borrow(|d| *d) else {
            return Ok(ServiceReply::error(
                "NoMethodError",
                "no services are bound",
            ));
        };
        let (namespace, member) = match call.target {
            CallTarget::Member { namespace, member } => (
                ruby.str_new(&namespace).as_value(),
                ruby.str_new(&member).as_value(),
            ),
            CallTarget::Handle(id) => {
                (ruby.qnil().as_value(), ruby.integer_from_u64(id).as_value())
            }
        };
        let args = value::to_ruby(ruby, Value::Array(call.args))?;
        let kwargs = ruby.hash_new();
        for (k, v) in call.kwargs {
            kwargs.aset(ruby.to_symbol(&k), value::to_ruby(ruby, v)?)?;
        }
        let answer: RArray = dispatcher.funcall(
            "dispatch",
            (namespace, member, ruby.str_new(&call.method), args, kwargs),
        )?;
        let kind: Symbol = answer.entry(0)?;
        let text = |i: isize| answer.entry::<String>(i);
        Ok(match kind.name()?.as_ref() {
            "ok" => match value::from_ruby(ruby, answer.entry(1)?) {
                Ok(v) => ServiceReply::Value(v),
                // A result that cannot cross is the service's failure,
                // reported to the guest (the dispatcher's export refuses
                // most such values first).
                Err(e) => ServiceReply::error(errors::class_name(ruby, &e), e.to_string()),
            },
            "disconnected" => ServiceReply::disconnected(text(1)?),
            _ => ServiceReply::error(text(1)?, text(2)?),
        })
    }
}

/// Takes what Ruby raised during the last interrupted invocation.
pub fn take_pending() -> Option<Error> {
    PENDING
        .with_borrow_mut(Option::take)
        .map(Pending::into_error)
}
