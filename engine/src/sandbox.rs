//! One isolated guest and its invocations.

use wasmer::{FunctionEnv, Store};

use crate::callbacks::Callbacks;
use crate::caps::meter::InterruptHandle;
use crate::guest::Guest;
use crate::host::HostEnv;
use crate::{Artifact, Error, Limits, Value};

/// An isolated mruby guest. See the crate docs for what it costs.
pub struct Sandbox {
    artifact: Artifact,
    limits: Limits,
    store: Store,
    env: FunctionEnv<HostEnv>,
    guest: Option<Guest>,
}

// SAFETY: Wasmer 7.4's `Store` is `!Send` only because of raw pointers into
// objects the store itself owns and an optional boxed `on_called` callback
// (never installed here). Nothing a store holds is tied to the thread that
// made it: Wasmer's thread-local trap and stack state is set up and torn down
// inside each call. Every method of `Sandbox` that touches the store takes
// `&mut self`, so the store is only ever moved between threads, never shared.
unsafe impl Send for Sandbox {}

impl Sandbox {
    /// A sandbox running `artifact` with the default [`Limits`]. The guest is
    /// instantiated on first use.
    pub fn new(artifact: &Artifact) -> Self {
        Self::with_limits(artifact, Limits::default())
    }

    /// A sandbox running `artifact` under `limits`.
    pub fn with_limits(artifact: &Artifact, limits: Limits) -> Self {
        let mut store = Store::new(artifact.engine().clone());
        let env = FunctionEnv::new(&mut store, HostEnv::new());
        Sandbox {
            artifact: artifact.clone(),
            limits,
            store,
            env,
            guest: None,
        }
    }

    /// The caps every invocation runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Installs the hooks the running invocations call back into.
    pub fn set_callbacks(&mut self, callbacks: Box<dyn Callbacks>) {
        self.env.as_mut(&mut self.store).callbacks = callbacks;
    }

    /// A handle that stops the running invocation from any thread; the
    /// invocation then fails with [`Error::Interrupted`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.env.as_ref(&self.store).meter.interrupt.clone()
    }

    /// Evaluates Ruby `source` in a fresh interpreter state and returns the
    /// value of its last expression.
    ///
    /// # Errors
    /// [`Error::Sandbox`] when the script raises and does not rescue, does not
    /// parse, or returns a value with no wire form; [`Error::Timeout`],
    /// [`Error::MemoryLimit`] or [`Error::Interrupted`] when a cap stops it;
    /// [`Error::Trap`] when the guest faults. After any of them the sandbox
    /// is ready for the next invocation.
    pub fn eval(&mut self, source: impl AsRef<[u8]>) -> Result<Value, Error> {
        self.begin();
        match self.invoke(source.as_ref())? {
            kobako_wire::Reply::Value(v) => Ok(v),
            kobako_wire::Reply::Error(e) => Err(Error::Sandbox(e)),
        }
    }

    /// What the last invocation wrote to `$stdout`, up to `stdout_limit`.
    pub fn stdout(&self) -> &[u8] {
        self.env.as_ref(&self.store).stdout.bytes()
    }

    /// What the last invocation wrote to `$stderr`, up to `stderr_limit`.
    pub fn stderr(&self) -> &[u8] {
        self.env.as_ref(&self.store).stderr.bytes()
    }

    /// Whether the last invocation wrote more to `$stdout` than was kept.
    pub fn stdout_truncated(&self) -> bool {
        self.env.as_ref(&self.store).stdout.truncated()
    }

    /// Whether the last invocation wrote more to `$stderr` than was kept.
    pub fn stderr_truncated(&self) -> bool {
        self.env.as_ref(&self.store).stderr.truncated()
    }

    /// Checkpoints (loop iterations and recursive calls) the last
    /// invocation passed: the unit of [`Limits::fuel`]. Deterministic for a
    /// given script.
    pub fn fuel_used(&mut self) -> u64 {
        let remaining = match &self.guest {
            Some(guest) => guest.fuel_left(&mut self.store),
            None => 0,
        };
        self.env.as_ref(&self.store).meter.used_at(remaining)
    }

    fn begin(&mut self) {
        let (stdout_limit, stderr_limit) = (self.limits.stdout_limit, self.limits.stderr_limit);
        let env = self.env.as_mut(&mut self.store);
        env.stdout.begin(stdout_limit);
        env.stderr.begin(stderr_limit);
    }

    /// Runs one invocation. On any error the instance is dropped (a trap can
    /// leave it mid-operation), so the next call starts a new one.
    fn invoke(&mut self, source: &[u8]) -> Result<kobako_wire::Reply, Error> {
        let guest = match self.guest.take() {
            Some(guest) => guest,
            None => Guest::instantiate(&mut self.store, self.artifact.module(), &self.env)?,
        };
        let reply = guest.eval(&mut self.store, &self.env, &self.limits, source)?;
        self.guest = Some(guest);
        Ok(reply)
    }
}
