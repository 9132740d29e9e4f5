//! One isolated guest and its invocations.

use kobako_wire::{Action, Namespace, Reply, Request, Snippet};

use crate::callbacks::Callbacks;
use crate::caps::meter::InterruptHandle;
use crate::host::Session;
use crate::pool::Slot;
use crate::{Artifact, Error, Limits, Value};

/// An isolated mruby guest. See the crate docs for what it costs.
pub struct Sandbox {
    artifact: Artifact,
    limits: Limits,
    session: Session,
    fuel_used: u64,
    snippets: Vec<Snippet>,
    services: Vec<Namespace>,
    sealed: bool,
    /// The instance of the invocation running now, if one is.
    in_flight: Option<Box<Slot>>,
}

impl Sandbox {
    /// A sandbox running `artifact` with the default [`Limits`]. The guest is
    /// instantiated on first use.
    pub fn new(artifact: &Artifact) -> Self {
        Self::with_limits(artifact, Limits::default())
    }

    /// A sandbox running `artifact` under `limits`.
    pub fn with_limits(artifact: &Artifact, limits: Limits) -> Self {
        Sandbox {
            artifact: artifact.clone(),
            limits,
            session: Session::new(),
            fuel_used: 0,
            snippets: Vec::new(),
            services: Vec::new(),
            sealed: false,
            in_flight: None,
        }
    }

    /// The caps every invocation runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Installs the hooks the running invocations call back into.
    pub fn set_callbacks(&mut self, callbacks: Box<dyn Callbacks>) {
        self.session.callbacks = callbacks;
    }

    /// A handle that stops the running invocation from any thread; the
    /// invocation then fails with [`Error::Interrupted`].
    pub fn interrupt_handle(&self) -> InterruptHandle {
        self.session.interrupt.clone()
    }

    /// Evaluates Ruby `source` in a fresh interpreter state (with the
    /// preloaded snippets replayed) and returns the value of its last
    /// expression. The first invocation seals the sandbox.
    ///
    /// # Errors
    /// [`Error::Sandbox`] when the script raises and does not rescue, does not
    /// parse, or returns a value with no wire form; [`Error::Bytecode`] when
    /// a preloaded binary snippet is not loadable bytecode; [`Error::Timeout`],
    /// [`Error::MemoryLimit`] or [`Error::Interrupted`] when a cap stops it;
    /// [`Error::Trap`] when the guest faults. After any of them the sandbox
    /// is ready for the next invocation.
    pub fn eval(&mut self, source: impl AsRef<[u8]>) -> Result<Value, Error> {
        let source = source.as_ref().to_vec();
        self.invocation(Action::Eval { source })
    }

    /// Calls `target.call(*args, **kwargs)` in a fresh interpreter state,
    /// where `target` names a top-level constant a preloaded snippet
    /// defined. The first invocation seals the sandbox.
    ///
    /// # Errors
    /// As [`Sandbox::eval`]; a missing constant is an [`Error::Sandbox`]
    /// whose message says `undefined entrypoint` and whose details list, as
    /// `available`, the constants the snippets defined.
    pub fn run(
        &mut self,
        target: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Value, Error> {
        let target = target.to_owned();
        self.invocation(Action::Run {
            target,
            args,
            kwargs,
        })
    }

    /// Compiles `source` with the guest's own compiler and keeps it, to be
    /// replayed (in insertion order) before every invocation. `name` is the
    /// file name its backtraces show.
    ///
    /// # Errors
    /// [`Error::Sealed`] after the first invocation; [`Error::Sandbox`] for a
    /// syntax error.
    pub fn preload_code(&mut self, source: &[u8], name: &str) -> Result<(), Error> {
        self.check_unsealed()?;
        let bytecode = self.compile(source, name, true)?;
        self.snippets.push(Snippet { bytecode });
        Ok(())
    }

    /// Keeps mruby 3.2 bytecode (RITE), to be replayed before every
    /// invocation. It is validated when first loaded: bytecode the guest
    /// cannot load fails that invocation with [`Error::Bytecode`].
    ///
    /// # Errors
    /// [`Error::Sealed`] after the first invocation.
    pub fn preload_binary(&mut self, bytecode: Vec<u8>) -> Result<(), Error> {
        self.check_unsealed()?;
        self.snippets.push(Snippet { bytecode });
        Ok(())
    }

    /// Compiles `source` to mruby bytecode with the guest's own compiler,
    /// without running it; `debug` keeps line numbers for backtraces. Does
    /// not seal the sandbox.
    ///
    /// # Errors
    /// [`Error::Sandbox`] for a syntax error; the cap errors as for `eval`.
    pub fn compile(&mut self, source: &[u8], name: &str, debug: bool) -> Result<Vec<u8>, Error> {
        let action = Action::Compile {
            source: source.to_vec(),
            name: name.to_owned(),
            debug,
        };
        match self.invoke(&Request {
            services: Vec::new(),
            snippets: Vec::new(),
            action,
        })? {
            Reply::Bytecode(bytes) => Ok(bytes),
            Reply::Error(e) => Err(Error::Sandbox(e)),
            Reply::Value(_) => Err(Error::Trap(
                "the guest answered a compile with a value".into(),
            )),
        }
    }

    /// Declares `namespace::member`: the guest sees it as a constant, and
    /// its method calls reach [`Callbacks::call_service`] with a
    /// [`CallTarget::Member`](crate::CallTarget). Names are not checked here.
    ///
    /// # Errors
    /// [`Error::Sealed`] after the first invocation.
    pub fn bind(&mut self, namespace: &str, member: &str) -> Result<(), Error> {
        self.check_unsealed()?;
        let index = match self.services.iter().position(|ns| ns.name == namespace) {
            Some(index) => index,
            None => {
                let ns = Namespace {
                    name: namespace.to_owned(),
                    members: Vec::new(),
                };
                self.services.push(ns);
                self.services.len() - 1
            }
        };
        let members = &mut self.services[index].members;
        if !members.iter().any(|m| m == member) {
            members.push(member.to_owned());
        }
        Ok(())
    }

    /// Makes the sandbox usable in a child process whose fork interrupted
    /// an invocation on another thread (gone in the child): see
    /// [`Sandbox::abandon_invocation`].
    pub fn recover_after_fork(&mut self) {
        // SAFETY: in a forked child, the thread that ran the invocation in
        // flight (if any) does not exist; nothing can resume it.
        unsafe { self.abandon_invocation() }
    }

    /// Forgets the invocation in flight, which will never return: its
    /// instance and store are dropped, with the session (callbacks, output,
    /// seals) lent to them, and the sandbox starts a new session: install
    /// the callbacks again. Bindings, snippets, limits and the interrupt
    /// handle stay.
    ///
    /// # Safety
    /// Nothing may ever resume that invocation: it ran on a stack nothing
    /// will run again (a Ruby fiber suspended inside a service call and since
    /// collected, or whose thread ended; a thread a `fork` left behind). Its
    /// frames still hold borrows of this sandbox, which are never used again.
    pub unsafe fn abandon_invocation(&mut self) {
        self.in_flight = None;
        let interrupt = self.session.interrupt.clone();
        self.session = Session::new();
        self.session.interrupt = interrupt;
    }

    /// Whether the first invocation has happened (no more preloading).
    pub fn sealed(&self) -> bool {
        self.sealed
    }

    /// What the last invocation wrote to `$stdout`, up to `stdout_limit`.
    pub fn stdout(&self) -> &[u8] {
        self.session.stdout.bytes()
    }

    /// What the last invocation wrote to `$stderr`, up to `stderr_limit`.
    pub fn stderr(&self) -> &[u8] {
        self.session.stderr.bytes()
    }

    /// Whether the last invocation wrote more to `$stdout` than was kept.
    pub fn stdout_truncated(&self) -> bool {
        self.session.stdout.truncated()
    }

    /// Whether the last invocation wrote more to `$stderr` than was kept.
    pub fn stderr_truncated(&self) -> bool {
        self.session.stderr.truncated()
    }

    /// Checkpoints (loop iterations and recursive calls) the last
    /// invocation's own code passed: the unit of [`Limits::fuel`]. The same
    /// script in a fresh sandbox always uses the same amount.
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    fn check_unsealed(&self) -> Result<(), Error> {
        if self.sealed {
            return Err(Error::Sealed);
        }
        Ok(())
    }

    fn invocation(&mut self, action: Action) -> Result<Value, Error> {
        self.sealed = true;
        let request = Request {
            services: self.services.clone(),
            snippets: self.snippets.clone(),
            action,
        };
        match self.invoke(&request)? {
            Reply::Value(v) => Ok(v),
            Reply::Error(e) => Err(self.session.seals.classify(e)),
            Reply::Bytecode(_) => Err(Error::Trap("the guest answered with bytecode".into())),
        }
    }

    /// Runs one request on an instance from the artifact's pool. On any
    /// error the instance is dropped with its store (a trap can leave it
    /// mid-operation), so the next invocation gets another.
    fn invoke(&mut self, request: &Request) -> Result<Reply, Error> {
        let pool = self.artifact.pool();
        let slot = self.in_flight.insert(pool.take(&self.artifact)?);
        let (outcome, fuel_used) = slot.invoke(&mut self.session, &self.limits, request);
        self.fuel_used = fuel_used;
        let slot = self.in_flight.take();
        let reply = outcome?;
        if let Some(slot) = slot {
            pool.give(slot);
        }
        Ok(reply)
    }
}
