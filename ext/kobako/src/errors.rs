//! The single mapping from engine errors to Ruby exceptions. The classes
//! themselves are plain Ruby (`lib/kobako/errors.rb`), loaded before this
//! extension.

use std::panic::{catch_unwind, AssertUnwindSafe};

use kobako_engine::Error as EngineError;
use magnus::error::ErrorType;
use magnus::value::{Lazy, ReprValue};
use magnus::{prelude::*, Error, Exception, ExceptionClass, RModule, Ruby, TryConvert};

use crate::value;

/// `Kobako::<name>`, defined by lib/kobako before it is first needed.
pub fn kobako_const<T: TryConvert>(ruby: &Ruby, name: &str) -> T {
    let kobako: RModule = ruby
        .class_object()
        .const_get("Kobako")
        .expect("Kobako is defined");
    kobako
        .const_get(name)
        .unwrap_or_else(|_| panic!("Kobako::{name} is defined in lib/kobako/"))
}

fn class(ruby: &Ruby, name: &str) -> ExceptionClass {
    kobako_const(ruby, name)
}

/// Declares, from one list, a `Lazy` static per class the binding raises
/// (`Kobako::<name>`, which lib/kobako/errors.rb defines), the names to
/// check at load, and the forcing of them all.
macro_rules! error_classes {
    ($($class:ident => $name:literal),* $(,)?) => {
        $(static $class: Lazy<ExceptionClass> = Lazy::new(|ruby| class(ruby, $name));)*

        const ERROR_CLASSES: &[&str] = &[$($name),*];

        fn force_error_classes(ruby: &Ruby) {
            $(Lazy::force(&$class, ruby);)*
        }
    };
}

error_classes! {
    TRAP_ERROR => "TrapError",
    SANDBOX_ERROR => "SandboxError",
    ARTIFACT_ERROR => "ArtifactError",
    SERVICE_ERROR => "ServiceError",
    BYTECODE_ERROR => "BytecodeError",
    TIMEOUT_ERROR => "TimeoutError",
    MEMORY_LIMIT_ERROR => "MemoryLimitError",
}

static DISCONNECTED: Lazy<ExceptionClass> = Lazy::new(|ruby| {
    let service = ruby.get_inner(&SERVICE_ERROR).as_r_class();
    service
        .const_get("Disconnected")
        .expect("Kobako::ServiceError::Disconnected is defined")
});
/// Loaded after this extension, so resolved at first use, not at init.
static ERROR_TEXT: Lazy<RModule> = Lazy::new(|ruby| kobako_const(ruby, "ErrorText"));

/// The `LoadError` of an extension required without its library.
fn not_loaded_by_lib(ruby: &Ruby, what: &str) -> Error {
    Error::new(
        ruby.exception_load_error(),
        format!("{what} is not defined: require \"kobako\", not its native extension"),
    )
}

/// At load: lib/kobako.rb requires this extension first thing (so the
/// artifact starts loading at once), before it defines the error classes;
/// only `Kobako` itself must exist.
pub fn init(ruby: &Ruby) -> Result<(), Error> {
    ruby.class_object()
        .const_get::<_, RModule>("Kobako")
        .map(drop)
        .map_err(|_| not_loaded_by_lib(ruby, "Kobako"))
}

/// Before the first sandbox: a `LoadError` unless lib/kobako/errors.rb has
/// defined every class this extension raises (it was required on its own,
/// not by `require "kobako"`); then every class is resolved, so none is
/// missing later, where raising it would panic.
pub fn check_classes(ruby: &Ruby) -> Result<(), Error> {
    static CHECKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if CHECKED.load(std::sync::atomic::Ordering::Acquire) {
        return Ok(());
    }
    let kobako: RModule = ruby
        .class_object()
        .const_get("Kobako")
        .map_err(|_| not_loaded_by_lib(ruby, "Kobako"))?;
    for &name in ERROR_CLASSES {
        kobako
            .const_get::<_, ExceptionClass>(name)
            .map_err(|_| not_loaded_by_lib(ruby, &format!("Kobako::{name}")))?;
    }
    force_error_classes(ruby);
    Lazy::force(&DISCONNECTED, ruby);
    CHECKED.store(true, std::sync::atomic::Ordering::Release);
    Ok(())
}

/// Converts an engine error into the Ruby exception it stands for.
pub fn raise(ruby: &Ruby, error: EngineError) -> Error {
    match error {
        EngineError::Service(guest) => guest_error(ruby, ruby.get_inner(&SERVICE_ERROR), guest),
        EngineError::Disconnected(guest) => guest_error(ruby, ruby.get_inner(&DISCONNECTED), guest),
        EngineError::Sandbox(guest) => guest_error(ruby, ruby.get_inner(&SANDBOX_ERROR), guest),
        EngineError::Bytecode(message) => guest_failure(
            ruby,
            ruby.get_inner(&BYTECODE_ERROR),
            &message,
            "Kobako::BytecodeError",
            &[],
            ruby.hash_new(),
        )
        .unwrap_or_else(|e| e),
        EngineError::Sealed => Error::new(
            ruby.exception_arg_error(),
            "the sandbox is sealed: define, bind and preload before the first #eval or #run",
        ),
        EngineError::Artifact(message) => Error::new(ruby.get_inner(&ARTIFACT_ERROR), message),
        EngineError::Timeout(message) => cap_error(ruby, &TIMEOUT_ERROR, &message, "timeout"),
        EngineError::Fuel(message) => cap_error(ruby, &TIMEOUT_ERROR, &message, "fuel"),
        EngineError::MemoryLimit(message) => {
            cap_error(ruby, &MEMORY_LIMIT_ERROR, &message, "memory_limit")
        }
        other => Error::new(ruby.get_inner(&TRAP_ERROR), other.to_string()),
    }
}

/// `class.new(message, cap: :cap)`: which cap fired is a field, so nobody
/// parses messages.
fn cap_error(ruby: &Ruby, class: &Lazy<ExceptionClass>, message: &str, cap: &str) -> Error {
    let kwargs = ruby.hash_new();
    kwargs
        .aset(ruby.to_symbol("cap"), ruby.to_symbol(cap))
        .and_then(|()| instantiate(ruby, ruby.get_inner(class), message, kwargs))
        .unwrap_or_else(|e| e)
}

/// `class.new(message, **kwargs)` as an Error.
fn instantiate(
    ruby: &Ruby,
    class: ExceptionClass,
    message: &str,
    kwargs: magnus::RHash,
) -> Result<Error, Error> {
    let exception: Exception = class
        .as_r_class()
        .funcall("new", (ruby.str_new(message), magnus::KwArgs(kwargs)))?;
    Ok(exception.into())
}

fn guest_error(ruby: &Ruby, class: ExceptionClass, guest: kobako_engine::GuestError) -> Error {
    let details = ruby.hash_new();
    guest
        .details
        .into_iter()
        .try_for_each(|(k, v)| details.aset(ruby.str_new(&k), value::to_ruby(ruby, v)?))
        .and_then(|()| {
            guest_failure(
                ruby,
                class,
                &guest.message,
                &guest.klass,
                &guest.backtrace,
                details,
            )
        })
        .unwrap_or_else(|e| e)
}

/// `class.new(message, klass:, backtrace_lines:, details:)` as an Error.
fn guest_failure(
    ruby: &Ruby,
    class: ExceptionClass,
    message: &str,
    klass: &str,
    backtrace: &[String],
    details: magnus::RHash,
) -> Result<Error, Error> {
    let kwargs = ruby.hash_new();
    let lines = ruby.ary_from_iter(backtrace.iter().map(|l| ruby.str_new(l)));
    kwargs.aset(ruby.to_symbol("klass"), ruby.str_new(klass))?;
    kwargs.aset(ruby.to_symbol("backtrace_lines"), lines)?;
    kwargs.aset(ruby.to_symbol("details"), details)?;
    instantiate(ruby, class, message, kwargs)
}

/// Runs the body of a method Ruby called, turning a Rust panic into a
/// `Kobako::TrapError`: a panic unwinding into Ruby would be `fatal` and
/// end the process. Every entry point of the binding goes through here.
pub fn guarded<T>(ruby: &Ruby, body: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        Err(Error::new(
            ruby.get_inner(&TRAP_ERROR),
            format!("kobako internal error (please report it): {reason}"),
        ))
    })
}

/// The class name of what `error` would raise, as `Kobako::ErrorText`
/// names it ("RangeError", never "#<Class:RangeError>").
pub fn class_name(ruby: &Ruby, error: &Error) -> String {
    let class = match error.error_type() {
        ErrorType::Error(class, _) => class.as_value(),
        ErrorType::Exception(exception) => exception.class().as_value(),
        ErrorType::Jump(_) => return "LocalJumpError".into(),
    };
    ruby.get_inner(&ERROR_TEXT)
        .funcall("class_name", (class,))
        .unwrap_or_else(|_| "Exception".into())
}
