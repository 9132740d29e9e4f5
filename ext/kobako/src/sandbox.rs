//! `Kobako::Native::Sandbox`: one engine sandbox behind a mutex, so a second
//! thread using it while an invocation runs gets a clear error instead of
//! corrupting it.

use std::path::PathBuf;
use std::time::Duration;

use kobako_engine::Value;
use kobako_engine::{Error as EngineError, InterruptHandle, Limits, Sandbox as EngineSandbox};
use magnus::{function, method, prelude::*, Error, RArray, RHash, RString, Ruby};

use crate::callbacks::{self, RubyCallbacks};
use crate::lock::{Guard, SandboxLock};
use crate::{artifact, errors, gvl, value};

#[magnus::wrap(class = "Kobako::Native::Sandbox", free_immediately, size)]
struct Sandbox {
    inner: SandboxLock,
    interrupt: InterruptHandle,
}

/// The options `lib/kobako/sandbox.rb` has already validated.
type Options = (Option<f64>, Option<u64>, Option<u64>, usize, usize);

impl Sandbox {
    fn new(ruby: &Ruby, artifacts_dir: String, options: Options) -> Result<Self, Error> {
        let (timeout, fuel, memory_limit, stdout_limit, stderr_limit) = options;
        let limits = Limits {
            // Beyond what a Duration holds is no cap at all.
            timeout: timeout.and_then(|t| Duration::try_from_secs_f64(t).ok()),
            fuel,
            memory_limit,
            stdout_limit,
            stderr_limit,
        };
        let artifact = artifact::get(ruby, &PathBuf::from(artifacts_dir))?;
        let mut sandbox = EngineSandbox::with_limits(&artifact, limits);
        sandbox.set_callbacks(Box::new(RubyCallbacks));
        let interrupt = sandbox.interrupt_handle();
        Ok(Sandbox {
            inner: SandboxLock::new(sandbox),
            interrupt,
        })
    }

    fn lock(&self, ruby: &Ruby) -> Result<Guard<'_>, Error> {
        self.inner.try_lock().ok_or_else(|| {
            Error::new(
                ruby.exception_runtime_error(),
                "this Kobako::Sandbox is running an invocation in another thread; \
                 use one Sandbox per thread",
            )
        })
    }

    /// Runs `work` on the engine sandbox without the GVL, delivering Ruby
    /// interrupts that arrive meanwhile.
    fn invoke<T>(
        ruby: &Ruby,
        rb_self: &Self,
        mut work: impl FnMut(&mut EngineSandbox) -> Result<T, EngineError>,
    ) -> Result<T, Error> {
        let mut sandbox = rb_self.lock(ruby)?;
        let result = loop {
            let ran = callbacks::as_current_thread(|| {
                gvl::without_gvl(&rb_self.interrupt, || work(&mut sandbox))
            });
            match ran {
                Some(result) => break result,
                // Ruby had an interrupt pending and did not start the guest:
                // let Ruby handle it (it may raise), then start again.
                None => gvl::check_interrupts(ruby)?,
            }
        };
        drop(sandbox);
        match result {
            Ok(v) => Ok(v),
            Err(EngineError::Interrupted) => {
                // Ruby stopped the guest to deliver an interrupt: deliver it.
                if let Some(raised) = callbacks::take_pending() {
                    return Err(raised);
                }
                gvl::check_interrupts(ruby)?;
                Err(errors::raise(ruby, EngineError::Interrupted))
            }
            Err(e) => Err(errors::raise(ruby, e)),
        }
    }

    fn eval(
        ruby: &Ruby,
        rb_self: &Self,
        source: RString,
        dispatcher: magnus::Value,
    ) -> Result<magnus::Value, Error> {
        let source = bytes_of(source);
        let value = callbacks::with_dispatcher(dispatcher, || {
            Self::invoke(ruby, rb_self, |sandbox| sandbox.eval(&source))
        })?;
        value::to_ruby(ruby, value)
    }

    fn bind(ruby: &Ruby, rb_self: &Self, namespace: String, member: String) -> Result<(), Error> {
        let mut sandbox = rb_self.lock(ruby)?;
        sandbox
            .bind(&namespace, &member)
            .map_err(|e| errors::raise(ruby, e))
    }

    fn run(
        ruby: &Ruby,
        rb_self: &Self,
        target: String,
        args: RArray,
        kwargs: RHash,
        dispatcher: magnus::Value,
    ) -> Result<magnus::Value, Error> {
        let Value::Array(args) = value::from_ruby(ruby, args.as_value())? else {
            unreachable!("an RArray converts to an Array");
        };
        let Value::Hash(pairs) = value::from_ruby(ruby, kwargs.as_value())? else {
            unreachable!("an RHash converts to a Hash");
        };
        let kwargs = pairs
            .into_iter()
            .map(|(k, v)| match k {
                Value::Symbol(name) => Ok((name, v)),
                _ => Err(Error::new(
                    ruby.exception_arg_error(),
                    "kwargs keys must be Symbols",
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let value = callbacks::with_dispatcher(dispatcher, || {
            Self::invoke(ruby, rb_self, |sandbox| {
                sandbox.run(&target, args.clone(), kwargs.clone())
            })
        })?;
        value::to_ruby(ruby, value)
    }

    fn preload_code(ruby: &Ruby, rb_self: &Self, code: RString, name: String) -> Result<(), Error> {
        let code = bytes_of(code);
        Self::invoke(ruby, rb_self, |sandbox| sandbox.preload_code(&code, &name))
    }

    fn preload_binary(ruby: &Ruby, rb_self: &Self, binary: RString) -> Result<(), Error> {
        let binary = bytes_of(binary);
        Self::invoke(ruby, rb_self, |sandbox| {
            sandbox.preload_binary(binary.clone())
        })
    }

    fn compile(
        ruby: &Ruby,
        rb_self: &Self,
        source: RString,
        name: String,
        debug: bool,
    ) -> Result<RString, Error> {
        let source = bytes_of(source);
        let bytecode = Self::invoke(ruby, rb_self, |sandbox| {
            sandbox.compile(&source, &name, debug)
        })?;
        Ok(ruby.str_from_slice(&bytecode))
    }

    /// Frees the sandbox from an invocation whose fiber, suspended inside a
    /// service call, can never resume: Ruby collected it or its thread ended
    /// (`Kobako::Sandbox#claim` calls this only then). Its instance is
    /// dropped and the sandbox is usable again.
    fn reclaim_abandoned(_ruby: &Ruby, rb_self: &Self) -> Result<(), Error> {
        // SAFETY: nothing can resume that invocation (the caller's
        // contract, above).
        unsafe { rb_self.inner.reclaim() };
        Ok(())
    }

    fn stdout(ruby: &Ruby, rb_self: &Self) -> Result<RString, Error> {
        Ok(value::output(ruby, rb_self.lock(ruby)?.stdout()))
    }

    fn stderr(ruby: &Ruby, rb_self: &Self) -> Result<RString, Error> {
        Ok(value::output(ruby, rb_self.lock(ruby)?.stderr()))
    }

    fn stdout_truncated(ruby: &Ruby, rb_self: &Self) -> Result<bool, Error> {
        Ok(rb_self.lock(ruby)?.stdout_truncated())
    }

    fn stderr_truncated(ruby: &Ruby, rb_self: &Self) -> Result<bool, Error> {
        Ok(rb_self.lock(ruby)?.stderr_truncated())
    }
}

/// Entry points Ruby calls: each forwards to the method of the same name
/// under [`errors::guarded`], so no panic ever unwinds into Ruby.
mod entry {
    use super::{errors, Error, RArray, RHash, RString, Ruby, Sandbox};

    macro_rules! guarded {
        ($($name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
            pub fn $name(ruby: &Ruby, rb_self: &Sandbox, $($arg: $ty),*) -> Result<$ret, Error> {
                errors::guarded(ruby, || Sandbox::$name(ruby, rb_self, $($arg),*))
            }
        )*};
    }

    guarded! {
        eval(source: RString, dispatcher: magnus::Value) -> magnus::Value;
        run(target: String, args: RArray, kwargs: RHash, dispatcher: magnus::Value) -> magnus::Value;
        bind(namespace: String, member: String) -> ();
        preload_code(code: RString, name: String) -> ();
        preload_binary(binary: RString) -> ();
        compile(source: RString, name: String, debug: bool) -> RString;
        reclaim_abandoned() -> ();
        stdout() -> RString;
        stderr() -> RString;
        stdout_truncated() -> bool;
        stderr_truncated() -> bool;
    }

    /// Called before lib/kobako/errors.rb loads, so it raises nothing: if
    /// the background load cannot start, the first sandbox loads the
    /// artifact itself.
    pub fn prepare(artifacts_dir: String) {
        let started = std::panic::catch_unwind(|| crate::artifact::prepare(artifacts_dir));
        drop(started);
    }

    pub fn new(
        ruby: &Ruby,
        artifacts_dir: String,
        options: super::Options,
    ) -> Result<Sandbox, Error> {
        errors::check_classes(ruby)?;
        errors::guarded(ruby, || Sandbox::new(ruby, artifacts_dir, options))
    }
}

pub fn init(ruby: &Ruby) -> Result<(), Error> {
    let native = ruby.define_module("Kobako")?.define_module("Native")?;
    native.define_singleton_method("prepare", function!(entry::prepare, 1))?;
    let class = native.define_class("Sandbox", ruby.class_object())?;
    class.define_singleton_method("new", function!(entry::new, 2))?;
    class.define_method("eval", method!(entry::eval, 2))?;
    class.define_method("run", method!(entry::run, 4))?;
    class.define_method("bind", method!(entry::bind, 2))?;
    class.define_method("preload_code", method!(entry::preload_code, 2))?;
    class.define_method("preload_binary", method!(entry::preload_binary, 1))?;
    class.define_method("compile", method!(entry::compile, 3))?;
    class.define_method("reclaim_abandoned", method!(entry::reclaim_abandoned, 0))?;
    class.define_method("stdout", method!(entry::stdout, 0))?;
    class.define_method("stderr", method!(entry::stderr, 0))?;
    class.define_method("stdout_truncated?", method!(entry::stdout_truncated, 0))?;
    class.define_method("stderr_truncated?", method!(entry::stderr_truncated, 0))?;
    Ok(())
}

/// A copy of a Ruby String's bytes, made before the guest runs.
fn bytes_of(string: RString) -> Vec<u8> {
    // SAFETY: the slice is copied at once, before any Ruby code can run and
    // move or mutate the string.
    unsafe { string.as_slice() }.to_vec()
}
