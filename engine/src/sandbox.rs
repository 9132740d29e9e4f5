//! One isolated guest and its invocations.

use wasmer::{FunctionEnv, Store};

use crate::guest::Guest;
use crate::wasi::WasiEnv;
use crate::{Artifact, Error, Value};

/// An isolated mruby guest. See the crate docs for what it costs.
pub struct Sandbox {
    artifact: Artifact,
    store: Store,
    env: FunctionEnv<WasiEnv>,
    guest: Option<Guest>,
}

// SAFETY: Wasmer 7.4's `Store` is `!Send` only because of raw pointers into
// objects the store itself owns and an optional boxed `on_called` callback
// (never installed here). Nothing a store holds is tied to the thread that
// made it: Wasmer's thread-local trap and stack state is set up and torn down
// inside each call. Every method of `Sandbox` takes `&mut self`, so the store
// is only ever moved between threads, never shared.
unsafe impl Send for Sandbox {}

impl Sandbox {
    /// A sandbox running `artifact`. The guest is instantiated on first use.
    pub fn new(artifact: &Artifact) -> Self {
        let mut store = Store::new(artifact.engine().clone());
        let env = FunctionEnv::new(&mut store, WasiEnv::new());
        Sandbox {
            artifact: artifact.clone(),
            store,
            env,
            guest: None,
        }
    }

    /// Evaluates Ruby `source` in a fresh interpreter state and returns the
    /// value of its last expression.
    ///
    /// # Errors
    /// [`Error::Sandbox`] when the script raises and does not rescue, does not
    /// parse, or returns a value with no wire form; [`Error::Trap`] when the
    /// guest faults (the next call then starts a new instance).
    pub fn eval(&mut self, source: impl AsRef<[u8]>) -> Result<Value, Error> {
        self.begin();
        // On a trap, invoke() has already dropped the instance (it may be
        // mid-operation), so the next call starts a new one.
        match self.invoke(source.as_ref())? {
            kobako_wire::Reply::Value(v) => Ok(v),
            kobako_wire::Reply::Error(e) => Err(Error::Sandbox(e)),
        }
    }

    /// What the last invocation wrote to `$stdout`.
    pub fn stdout(&self) -> &[u8] {
        &self.env.as_ref(&self.store).stdout
    }

    /// What the last invocation wrote to `$stderr`.
    pub fn stderr(&self) -> &[u8] {
        &self.env.as_ref(&self.store).stderr
    }

    fn begin(&mut self) {
        let env = self.env.as_mut(&mut self.store);
        env.stdout.clear();
        env.stderr.clear();
    }

    fn invoke(&mut self, source: &[u8]) -> Result<kobako_wire::Reply, Error> {
        let guest = match self.guest.take() {
            Some(guest) => guest,
            None => Guest::instantiate(&mut self.store, self.artifact.module(), &self.env)?,
        };
        let reply = guest.eval(&mut self.store, source)?;
        self.guest = Some(guest);
        Ok(reply)
    }
}
