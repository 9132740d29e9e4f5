//! `Kobako::Native::Sandbox`: one engine sandbox behind a `RefCell`, so a
//! re-entrant or concurrent use becomes a Ruby error instead of undefined
//! behaviour.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Mutex;

use kobako_engine::{Artifact, Sandbox as EngineSandbox};
use magnus::{function, method, prelude::*, Error, RString, Ruby};

use crate::{errors, value};

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
struct Sandbox(RefCell<EngineSandbox>);

impl Sandbox {
    fn new(ruby: &Ruby, artifacts_dir: String) -> Result<Self, Error> {
        let artifact = artifact(ruby, PathBuf::from(artifacts_dir))?;
        Ok(Sandbox(RefCell::new(EngineSandbox::new(&artifact))))
    }

    fn eval(ruby: &Ruby, rb_self: &Self, source: RString) -> Result<magnus::Value, Error> {
        // SAFETY: the slice is copied at once, before any Ruby code can run
        // and move or mutate the string.
        let source = unsafe { source.as_slice() }.to_vec();
        let mut sandbox = rb_self.0.try_borrow_mut().map_err(|_| busy(ruby))?;
        let result = sandbox.eval(source);
        drop(sandbox);
        match result {
            Ok(v) => value::to_ruby(ruby, v),
            Err(e) => Err(errors::raise(ruby, e)),
        }
    }

    fn stdout(ruby: &Ruby, rb_self: &Self) -> Result<RString, Error> {
        let sandbox = rb_self.0.try_borrow().map_err(|_| busy(ruby))?;
        Ok(value::output(ruby, sandbox.stdout()))
    }

    fn stderr(ruby: &Ruby, rb_self: &Self) -> Result<RString, Error> {
        let sandbox = rb_self.0.try_borrow().map_err(|_| busy(ruby))?;
        Ok(value::output(ruby, sandbox.stderr()))
    }
}

fn busy(ruby: &Ruby) -> Error {
    Error::new(
        ruby.exception_runtime_error(),
        "this Kobako::Sandbox is already running an invocation",
    )
}

pub fn init(ruby: &Ruby) -> Result<(), Error> {
    let native = ruby.define_module("Kobako")?.define_module("Native")?;
    let class = native.define_class("Sandbox", ruby.class_object())?;
    class.define_singleton_method("new", function!(Sandbox::new, 1))?;
    class.define_method("eval", method!(Sandbox::eval, 1))?;
    class.define_method("stdout", method!(Sandbox::stdout, 0))?;
    class.define_method("stderr", method!(Sandbox::stderr, 0))?;
    Ok(())
}
