//! The single mapping from engine errors to Ruby exceptions. The classes
//! themselves are plain Ruby (`lib/kobako/errors.rb`), loaded before this
//! extension.

use kobako_engine::Error as EngineError;
use magnus::value::{Lazy, ReprValue};
use magnus::{prelude::*, Error, Exception, ExceptionClass, RModule, Ruby};

fn class(ruby: &Ruby, name: &str) -> ExceptionClass {
    let kobako: RModule = ruby
        .class_object()
        .const_get("Kobako")
        .expect("Kobako is defined");
    kobako
        .const_get(name)
        .unwrap_or_else(|_| panic!("Kobako::{name} is defined in lib/kobako/errors.rb"))
}

static TRAP_ERROR: Lazy<ExceptionClass> = Lazy::new(|ruby| class(ruby, "TrapError"));
static SANDBOX_ERROR: Lazy<ExceptionClass> = Lazy::new(|ruby| class(ruby, "SandboxError"));
static ARTIFACT_ERROR: Lazy<ExceptionClass> = Lazy::new(|ruby| class(ruby, "ArtifactError"));
static TIMEOUT_ERROR: Lazy<ExceptionClass> = Lazy::new(|ruby| class(ruby, "TimeoutError"));
static MEMORY_LIMIT_ERROR: Lazy<ExceptionClass> = Lazy::new(|ruby| class(ruby, "MemoryLimitError"));

pub fn init(ruby: &Ruby) -> Result<(), Error> {
    // Resolve every class now, so a missing one fails at require time.
    Lazy::force(&TRAP_ERROR, ruby);
    Lazy::force(&SANDBOX_ERROR, ruby);
    Lazy::force(&ARTIFACT_ERROR, ruby);
    Lazy::force(&TIMEOUT_ERROR, ruby);
    Lazy::force(&MEMORY_LIMIT_ERROR, ruby);
    Ok(())
}

/// Converts an engine error into the Ruby exception it stands for.
pub fn raise(ruby: &Ruby, error: EngineError) -> Error {
    match error {
        EngineError::Sandbox(guest) => {
            let kwargs = ruby.hash_new();
            let set = |k: &str, v: magnus::Value| kwargs.aset(ruby.to_symbol(k), v);
            let lines = ruby.ary_from_iter(guest.backtrace.iter().map(|l| ruby.str_new(l)));
            let built = set("klass", ruby.str_new(&guest.klass).as_value())
                .and_then(|()| set("backtrace_lines", lines.as_value()))
                .and_then(|()| {
                    ruby.get_inner(&SANDBOX_ERROR)
                        .as_r_class()
                        .funcall::<_, _, Exception>(
                            "new",
                            (ruby.str_new(&guest.message), magnus::KwArgs(kwargs)),
                        )
                });
            match built {
                Ok(exception) => exception.into(),
                Err(e) => e,
            }
        }
        EngineError::Artifact(message) => Error::new(ruby.get_inner(&ARTIFACT_ERROR), message),
        EngineError::Timeout(message) => Error::new(ruby.get_inner(&TIMEOUT_ERROR), message),
        EngineError::MemoryLimit(message) => {
            Error::new(ruby.get_inner(&MEMORY_LIMIT_ERROR), message)
        }
        other => Error::new(ruby.get_inner(&TRAP_ERROR), other.to_string()),
    }
}
