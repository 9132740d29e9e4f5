//! The engine's callbacks, answered by Ruby.

use std::cell::{Cell, RefCell};

use kobako_engine::{CallTarget, Callbacks, ServiceCall, ServiceOutcome, ServiceReply, Value};
use magnus::error::ErrorType;
use magnus::value::{BoxValue, LazyId, ReprValue};
use magnus::{Error, Exception, RArray, Ruby, Symbol};

use crate::direct_call::{self, Direct};
use crate::{errors, gvl, names, value};

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

    /// The Ruby thread running the invocation, for [`RubyCallbacks`] to read
    /// its interrupt flag without the GVL.
    static INVOKING_THREAD: Cell<Option<rb_sys::VALUE>> = const { Cell::new(None) };

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

/// Runs `f` as an invocation of the current Ruby thread (the GVL is held
/// here): its interrupt flag is what [`RubyCallbacks`] polls.
pub fn as_current_thread<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: called with the GVL held, on a Ruby thread.
    let thread = unsafe { rb_sys::rb_thread_current() };
    let outer = INVOKING_THREAD.replace(Some(thread));
    let result = f();
    INVOKING_THREAD.set(outer);
    result
}

impl Callbacks for RubyCallbacks {
    /// Whether Ruby has a signal, `Thread#raise` or kill pending for the
    /// invoking thread. Ruby calls the unblock function for those too,
    /// except when it does not: a signal arriving after another Ruby
    /// thread came and went reaches nobody's unblock function, and a
    /// `timeout: nil` guest would never stop.
    fn interrupt_requested(&mut self) -> bool {
        INVOKING_THREAD.get().is_some_and(|thread| {
            // SAFETY: `thread` is the Ruby thread running this invocation
            // (alive while it runs); rb_thread_interrupted only reads its
            // interrupt flag, an int Ruby's signal handler and other threads
            // set atomically, so reading it without the GVL is a benign race
            // that at worst sees the flag one refuel later.
            unsafe { rb_sys::rb_thread_interrupted(thread) != 0 }
        })
    }

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
    ///
    /// Before it returns, whatever Ruby has pending for this thread (an
    /// exception another thread raised during the call, deferred by the
    /// invocation's interrupt mask) is taken here, where it can stop the
    /// guest: left pending, it would wait for the guest's next import.
    fn call_service(&mut self, call: ServiceCall) -> ServiceOutcome {
        gvl::with_gvl(|| {
            let ruby = Ruby::get().expect("the GVL is held here");
            let outcome = Self::dispatch(&ruby, call)
                .and_then(|reply| gvl::check_interrupts(&ruby).map(|()| reply));
            match outcome {
                Ok(reply) => ServiceOutcome::Reply(reply),
                Err(raised) => {
                    PENDING.with_borrow_mut(|p| *p = Some(Pending::keep(raised)));
                    ServiceOutcome::Stop
                }
            }
        })
    }
}

/// `Kobako::Dispatcher#dispatch`, interned once.
static DISPATCH: LazyId = LazyId::new("dispatch");

impl RubyCallbacks {
    fn dispatch(ruby: &Ruby, call: ServiceCall) -> Result<ServiceReply, Error> {
        let Some(dispatcher) = DISPATCHER.with_borrow(|d| *d) else {
            return Ok(ServiceReply::error(
                "NoMethodError",
                "no services are bound",
            ));
        };
        let (namespace, member) = match &call.target {
            CallTarget::Member { namespace, member } => (
                names::existing_name(ruby, namespace),
                names::existing_name(ruby, member),
            ),
            CallTarget::Handle(id) => (
                ruby.qnil().as_value(),
                ruby.integer_from_u64(*id).as_value(),
            ),
        };
        let method = names::existing_name(ruby, &call.method);
        let handles = call.args.iter().any(value::holds_handle)
            || call.kwargs.iter().any(|(_, v)| value::holds_handle(v));
        let named = direct_call::Named {
            namespace,
            member,
            method,
        };
        let call = match direct_call::answer(ruby, dispatcher, &named, call, handles) {
            Direct::Answered(reply) => return reply,
            Direct::Declined(call) => call,
        };
        let args = value::to_ruby(ruby, Value::Array(call.args))?;
        let kwargs = if call.kwargs.is_empty() {
            ruby.qnil().as_value()
        } else {
            value::kwargs_to_ruby(ruby, call.kwargs)?.as_value()
        };
        let answer: RArray = dispatcher.funcall(
            *DISPATCH,
            (namespace, member, method, args, kwargs, handles),
        )?;
        reply(ruby, answer)
    }
}

/// The reply for the dispatcher's answer: `[:ok, value]`,
/// `[:error, class_name, message]` or `[:disconnected, message]`.
pub fn reply(ruby: &Ruby, answer: RArray) -> Result<ServiceReply, Error> {
    let kind: Symbol = answer.entry(0)?;
    let text = |i: isize| answer.entry::<String>(i);
    Ok(match kind.name()?.as_ref() {
        "ok" => value_reply(ruby, answer.entry(1)?),
        "disconnected" => ServiceReply::disconnected(text(1)?),
        _ => ServiceReply::error(text(1)?, text(2)?),
    })
}

/// The reply carrying `value` (exported for the guest) to the guest.
pub fn value_reply(ruby: &Ruby, value: magnus::Value) -> ServiceReply {
    match value::from_ruby(ruby, value) {
        Ok(v) => ServiceReply::Value(v),
        // A result that cannot cross is the service's failure, reported to
        // the guest (the dispatcher's export refuses most such values
        // first).
        Err(e) => ServiceReply::error(errors::class_name(ruby, &e), e.to_string()),
    }
}

/// Takes what Ruby raised during the last interrupted invocation.
pub fn take_pending() -> Option<Error> {
    PENDING
        .with_borrow_mut(Option::take)
        .map(Pending::into_error)
}
