//! The most common service call answered without running
//! `Kobako::Dispatcher#dispatch`: a bound Proc or Method (a lambda,
//! `method(:name)`) called through its calling surface (`call`, `[]`, ...)
//! with values that hold no Handle. Ruby's dispatcher, run as Ruby code,
//! cost ~9,600 instructions a call; this path does what it does for these
//! calls and hands every other call to it untouched (before anything of the
//! call has run): a call on a Handle or on an application object, a
//! refusal, a `respond_to_guest?` to ask, a name no Symbol has, any call
//! before the floor is loaded.
//!
//! What stays Ruby's: the export of a result that is not a plain value as
//! it is (it may make Handles), and what a failure becomes
//! (`Dispatcher#failure`).

use kobako_engine::{CallTarget, ServiceCall, ServiceReply};
use magnus::error::ErrorType;
use magnus::rb_sys::AsRawValue;
use magnus::value::{LazyId, Qfalse, Qtrue, ReprValue};
use magnus::{
    prelude::*, Error, Fixnum, Float, RArray, RHash, RObject, RString, Ruby, Symbol, Value,
};

use crate::{callbacks, reflection, value};

/// Most values (positional, and the keywords Hash) this path passes; they
/// are kept on the stack, where Ruby's GC sees them.
const MAX_ARGS: usize = 16;

static SERVICES: LazyId = LazyId::new("@services");
static EXPORT: LazyId = LazyId::new("export");
static FAILURE: LazyId = LazyId::new("failure");

/// A call this path answered, or the call as it came, for Ruby's
/// dispatcher.
pub enum Direct {
    Answered(Result<ServiceReply, Error>),
    Declined(ServiceCall),
}

/// The host's values for a call's names: Symbols where Ruby has them
/// (`names::existing_name`), `nil` and the id for a Handle.
pub struct Named {
    pub namespace: Value,
    pub member: Value,
    pub method: Value,
}

/// Answers `call` for `dispatcher` when it is a plain call of a bound
/// Proc's or Method's calling surface; declines it otherwise.
pub fn answer(
    ruby: &Ruby,
    dispatcher: Value,
    named: &Named,
    call: ServiceCall,
    handles: bool,
) -> Direct {
    let Some((target, method)) = plain_call(ruby, dispatcher, named, &call, handles) else {
        return Direct::Declined(call);
    };
    Direct::Answered(invoke(ruby, dispatcher, target, method, call))
}

/// The bound object and the method to call, when the call is one for
/// this path.
fn plain_call(
    ruby: &Ruby,
    dispatcher: Value,
    named: &Named,
    call: &ServiceCall,
    handles: bool,
) -> Option<(Value, rb_sys::ID)> {
    if !matches!(call.target, CallTarget::Member { .. })
        || handles
        || call.args.len() + usize::from(!call.kwargs.is_empty()) > MAX_ARGS
    {
        return None;
    }
    let target = bound(
        dispatcher,
        Symbol::from_value(named.namespace)?,
        Symbol::from_value(named.member)?,
    )?;
    let id = reflection::plain_calling_surface(ruby, target, Symbol::from_value(named.method)?)?;
    Some((target, id))
}

/// The object bound as `namespace`::`member` (`Dispatcher#bind` keys both
/// tables by Symbol, so the lookups compare Symbols and run no Ruby).
fn bound(dispatcher: Value, namespace: Symbol, member: Symbol) -> Option<Value> {
    let services: Value = RObject::from_value(dispatcher)?.ivar_get(*SERVICES).ok()?;
    let members = RHash::from_value(RHash::from_value(services)?.get(namespace)?)?;
    members.get(member)
}

fn invoke(
    ruby: &Ruby,
    dispatcher: Value,
    target: Value,
    method: rb_sys::ID,
    call: ServiceCall,
) -> Result<ServiceReply, Error> {
    let mut argv = [ruby.qnil().as_raw(); MAX_ARGS];
    let mut count = 0;
    for arg in call.args {
        argv[count] = value::to_ruby(ruby, arg)?.as_raw();
        count += 1;
    }
    let keywords = !call.kwargs.is_empty();
    if keywords {
        argv[count] = value::kwargs_to_ruby(ruby, call.kwargs)?.as_raw();
        count += 1;
    }
    let result = reflection::call_public_raw(ruby, target, method, &argv[..count], keywords)
        .and_then(|result| export(dispatcher, result));
    match result {
        Ok(result) => Ok(callbacks::value_reply(ruby, result)),
        Err(error) => match error.error_type() {
            ErrorType::Exception(exception) => {
                let answer: RArray = dispatcher.funcall(*FAILURE, (*exception,))?;
                callbacks::reply(ruby, answer)
            }
            // A throw or a kill passes through, as from Ruby's dispatcher
            // (and the extension's own errors, which it does not make for
            // at most MAX_ARGS values).
            _ => Err(error),
        },
    }
}

/// `Dispatcher#export`, which leaves nil, true, false, a Fixnum, a Float
/// and a String as they are: asked of Ruby only for other values.
fn export(dispatcher: Value, result: Value) -> Result<Value, Error> {
    let as_is = result.is_nil()
        || Qtrue::from_value(result).is_some()
        || Qfalse::from_value(result).is_some()
        || Fixnum::from_value(result).is_some()
        || Float::from_value(result).is_some()
        || RString::from_value(result).is_some();
    if as_is {
        return Ok(result);
    }
    dispatcher.funcall(*EXPORT, (result,))
}
