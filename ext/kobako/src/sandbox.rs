//! `Kobako::Native::Sandbox`: one engine sandbox behind a mutex, so a second
//! thread using it while an invocation runs gets a clear error instead of
//! corrupting it.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use kobako_engine::{
    Artifact, Error as EngineError, InterruptHandle, Limits, Sandbox as EngineSandbox,
};
use magnus::{function, method, prelude::*, Error, RString, Ruby};

use crate::callbacks::{self, RubyCallbacks};
use crate::{errors, gvl, value};

/// The artifact is loaded once per process, by the first sandbox.
static ARTIFACT: Mutex<Option<Artifact>> = Mutex::new(None);

fn artifact(ruby: &Ruby, dir: PathBuf) -> Result<Artifact, Error> {
    let mut slot = ARTIFACT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(artifact) = slot.as_ref() {
        return Ok(artifact.clone());
    }
    let artifact = Artifact::load(&dir).map_err(|e| errors::raise(ruby, e))?;
    *slot = Some(artifact.clone());
    Ok(artifact)
}

#[magnus::wrap(class = "Kobako::Native::Sandbox", free_immediately, size)]
struct Sandbox {
    inner: Mutex<EngineSandbox>,
    interrupt: InterruptHandle,
}

/// The options `lib/kobako/sandbox.rb` has already validated.
type Options = (Option<f64>, Option<u64>, Option<u64>, usize, usize);

impl Sandbox {
    fn new(ruby: &Ruby, artifacts_dir: String, options: Options) -> Result<Self, Error> {
        let (timeout, fuel, memory_limit, stdout_limit, stderr_limit) = options;
        let limits = Limits {
            timeout: timeout.map(Duration::from_secs_f64),
            fuel,
            memory_limit,
            stdout_limit,
            stderr_limit,
        };
        let artifact = artifact(ruby, PathBuf::from(artifacts_dir))?;
        let mut sandbox = EngineSandbox::with_limits(&artifact, limits);
        sandbox.set_callbacks(Box::new(RubyCallbacks));
        let interrupt = sandbox.interrupt_handle();
        Ok(Sandbox {
            inner: Mutex::new(sandbox),
            interrupt,
        })
    }

    fn lock(&self, ruby: &Ruby) -> Result<MutexGuard<'_, EngineSandbox>, Error> {
        match self.inner.try_lock() {
            Ok(guard) => Ok(guard),
            Err(TryLockError::Poisoned(poisoned)) => Ok(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => Err(Error::new(
                ruby.exception_runtime_error(),
                "this Kobako::Sandbox is running an invocation in another thread; \
                 use one Sandbox per thread",
            )),
        }
    }

    fn eval(ruby: &Ruby, rb_self: &Self, source: RString) -> Result<magnus::Value, Error> {
        // SAFETY: the slice is copied at once, before any Ruby code can run
        // and move or mutate the string.
        let source = unsafe { source.as_slice() }.to_vec();
        let mut sandbox = rb_self.lock(ruby)?;
        let result = loop {
            match gvl::without_gvl(&rb_self.interrupt, || sandbox.eval(&source)) {
                Some(result) => break result,
                // Ruby had an interrupt pending and did not start the guest:
                // let Ruby handle it (it may raise), then start again.
                None => gvl::check_interrupts(ruby)?,
            }
        };
        drop(sandbox);
        match result {
            Ok(v) => value::to_ruby(ruby, v),
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

pub fn init(ruby: &Ruby) -> Result<(), Error> {
    let native = ruby.define_module("Kobako")?.define_module("Native")?;
    let class = native.define_class("Sandbox", ruby.class_object())?;
    class.define_singleton_method("new", function!(Sandbox::new, 2))?;
    class.define_method("eval", method!(Sandbox::eval, 1))?;
    class.define_method("stdout", method!(Sandbox::stdout, 0))?;
    class.define_method("stderr", method!(Sandbox::stderr, 0))?;
    class.define_method("stdout_truncated?", method!(Sandbox::stdout_truncated, 0))?;
    class.define_method("stderr_truncated?", method!(Sandbox::stderr_truncated, 0))?;
    Ok(())
}
