//! The wasmtime backend, for `benchmark/compare` and the engine's tests
//! (never shipped): the same guest, driven through the same imports, wire
//! protocol and lifecycle, on wasmtime at its best settings (the pooling
//! allocator, copy-on-write memory images).
//!
//! It runs `kobako.checkpointed.wasm` from the artifacts directory: the
//! guest rewritten by `kobako-aot --write-instrumented` with the same
//! checkpoints the Wasmer artifact gets from its compiler middleware, so
//! the timeout, fuel and interrupts work alike (wasmtime's epoch
//! interruption would only duplicate them). `KOBAKO_WASMTIME=cwasm` loads
//! it precompiled instead (`kobako.cwasm` beside it, written on first use);
//! otherwise it is compiled by Cranelift when the artifact loads.

use std::path::{Path, PathBuf};

use wasmtime::{
    Caller, Config, Engine, Global, InstanceAllocationStrategy, InstancePre, Linker, Memory,
    Module, PoolingAllocationConfig, ResourceLimiter, Store, TypedFunc, Val,
};

use super::{Export, ExportsOf, GuestCx, GuestGlobal, Stop};
use crate::abi::{
    CLAIM_HEAP_IMPORT, FUEL_GLOBAL, KOBAKO_MODULE, MEMORY_EXPORT, REFUEL_IMPORT,
    SERVICE_CALL_IMPORT, STACK_LOW_GLOBAL, STACK_POINTER_GLOBAL, TAKE_REPLY_IMPORT,
    USER_CODE_END_IMPORT, USER_CODE_IMPORT,
};
use crate::caps::memory::{Heap, WASM_PAGE};
use crate::host::{self, HostEnv};
use crate::manifest::Manifest;
use crate::{wasi, Error};

/// The guest with its checkpoints, as `kobako-aot --write-instrumented`
/// writes it.
pub const CHECKPOINTED_WASM: &str = "kobako.checkpointed.wasm";

/// Its precompiled form, for `KOBAKO_WASMTIME=cwasm`.
const PRECOMPILED: &str = "kobako.cwasm";

/// Instances the pooling allocator has room for at once: the pool's idle
/// slots plus one per running invocation, with room to spare.
const POOLED_INSTANCES: u32 = 64;

/// The compiled guest, with its imports resolved once. Cloning shares it.
#[derive(Clone)]
pub(crate) struct Code {
    engine: Engine,
    pre: InstancePre<HostEnv>,
}

fn artifact_error<'a>(what: &'a str, path: &'a Path) -> impl FnOnce(wasmtime::Error) -> Error + 'a {
    move |e| Error::Artifact(format!("{what} {}: {e:#}", path.display()))
}

/// Nothing to do ahead of time: wasmtime serves benchmarks and tests, where
/// no process forks while another thread makes its first instance.
pub(crate) fn prepare_process() {}

/// The checkpointed guest's directory, to compile from in [`Code::finish`]
/// (nothing is checked or opened ahead with this backend).
pub(crate) struct Opening(PathBuf);

/// No hash is ever shared with this backend: nothing is hashed.
pub(crate) enum SharedHash {}

impl SharedHash {
    pub(crate) fn help(&self, _share: f64) {
        match *self {}
    }
}

impl Opening {
    /// Nothing to hash: no thread can help this backend's load.
    #[allow(clippy::unused_self)]
    pub(crate) fn hash(&self) -> Option<SharedHash> {
        None
    }
}

impl Code {
    /// Loading, first part: here, only where to load from.
    pub(crate) fn open(
        dir: &Path,
        _manifest: &Manifest,
        _pinned: Option<&str>,
    ) -> Result<Opening, Error> {
        Ok(Opening(dir.to_path_buf()))
    }

    /// Compiles (or loads precompiled) the checkpointed guest in the
    /// directory [`Code::open`] kept. `pinned` names a Wasmer artifact and
    /// does not apply here.
    pub(crate) fn finish(opening: Opening) -> Result<Self, Error> {
        let dir = opening.0;
        let wasm = dir.join(CHECKPOINTED_WASM);
        let engine = Engine::new(&config())
            .map_err(|e| Error::Artifact(format!("wasmtime refused its configuration: {e:#}")))?;
        let module = if std::env::var("KOBAKO_WASMTIME").as_deref() == Ok("cwasm") {
            precompiled(&engine, &wasm)?
        } else {
            let bytes = std::fs::read(&wasm)
                .map_err(|e| Error::Artifact(format!("cannot read {}: {e}", wasm.display())))?;
            Module::from_binary(&engine, &bytes).map_err(artifact_error("cannot compile", &wasm))?
        };
        let mut linker = Linker::new(&engine);
        define_imports(&mut linker).map_err(artifact_error("cannot link", &wasm))?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(artifact_error("cannot link", &wasm))?;
        Ok(Code { engine, pre })
    }
}

/// wasmtime at its best for this guest: pooled instances with
/// copy-on-write memory images (its defaults otherwise), Wasm exceptions
/// (the guest's `raise`), the native stack Wasmer gives it, and no
/// backtraces captured on traps.
fn config() -> Config {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_core_instances(POOLED_INSTANCES)
        .total_memories(POOLED_INSTANCES)
        .total_tables(POOLED_INSTANCES)
        .total_gc_heaps(POOLED_INSTANCES)
        .table_elements(1 << 16)
        .max_memory_size(4 << 30);
    let mut config = Config::new();
    config
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
        .memory_init_cow(true)
        .wasm_exceptions(true)
        .wasm_backtrace_max_frames(None)
        .max_wasm_stack(1 << 20);
    config
}

/// The guest precompiled beside `wasm`, compiled and written first when
/// missing or older than `wasm`.
fn precompiled(engine: &Engine, wasm: &Path) -> Result<Module, Error> {
    let cwasm = wasm.with_file_name(PRECOMPILED);
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    if modified(&cwasm).is_none() || modified(&cwasm) < modified(wasm) {
        write_precompiled(engine, wasm, &cwasm)?;
    }
    // SAFETY: deserializing loads native code. The file is the one
    // `write_precompiled` wrote from this directory's checkpointed guest
    // with an engine of this configuration (wasmtime checks its own header,
    // version and configuration); this backend serves benchmarks and tests,
    // never a shipped gem.
    unsafe { Module::deserialize_file(engine, &cwasm) }
        .map_err(artifact_error("cannot load", &cwasm))
}

fn write_precompiled(engine: &Engine, wasm: &Path, cwasm: &Path) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Artifact(format!("{}: {e}", cwasm.display()));
    let bytes = std::fs::read(wasm).map_err(io)?;
    let compiled = engine
        .precompile_module(&bytes)
        .map_err(artifact_error("cannot compile", wasm))?;
    let partial = cwasm.with_extension(format!("cwasm.{}", std::process::id()));
    std::fs::write(&partial, compiled).map_err(io)?;
    std::fs::rename(&partial, cwasm).map_err(io)
}

/// The instance's memory and globals as wasmtime handles.
pub(crate) type Exports = ExportsOf<Memory, Global>;

/// The exported functions the host calls.
struct Functions {
    initialize: TypedFunc<(), ()>,
    boot: TypedFunc<(), i32>,
    shutdown: TypedFunc<(), ()>,
    buffer: TypedFunc<u32, u32>,
    invoke: TypedFunc<u32, u64>,
}

/// One instance in its own store.
pub(crate) struct Instance {
    store: Store<HostEnv>,
    functions: Functions,
}

impl Instance {
    /// Instantiates the module in a new store, with its memory capped by
    /// `host`'s budget; runs no guest code.
    pub(crate) fn new(code: &Code, host: HostEnv) -> Result<Self, Error> {
        let mut store = Store::new(&code.engine, host);
        store.limiter(|env| env as &mut dyn ResourceLimiter);
        let instance = code
            .pre
            .instantiate(&mut store)
            .map_err(|e| Error::Trap(format!("cannot instantiate the guest: {e:#}")))?;
        let missing = |name: &str| Error::Trap(format!("guest export missing: {name}"));
        let mut global = |name: &str| {
            instance
                .get_global(&mut store, name)
                .ok_or_else(|| missing(name))
        };
        let exports = Exports {
            fuel: global(FUEL_GLOBAL)?,
            stack_pointer: global(STACK_POINTER_GLOBAL)?,
            stack_low: global(STACK_LOW_GLOBAL)?,
            memory: instance
                .get_memory(&mut store, MEMORY_EXPORT)
                .ok_or_else(|| missing(MEMORY_EXPORT))?,
        };
        let mut function = |name: &str| {
            instance
                .get_func(&mut store, name)
                .ok_or_else(|| missing(name))
        };
        let (initialize, boot, shutdown, buffer, invoke) = (
            function(Export::Initialize.name())?,
            function(Export::Boot.name())?,
            function(Export::Shutdown.name())?,
            function(Export::Buffer.name())?,
            function(Export::Invoke.name())?,
        );
        let typed =
            |e: wasmtime::Error| Error::Trap(format!("guest export of another type: {e:#}"));
        let functions = Functions {
            initialize: initialize.typed(&store).map_err(typed)?,
            boot: boot.typed(&store).map_err(typed)?,
            shutdown: shutdown.typed(&store).map_err(typed)?,
            buffer: buffer.typed(&store).map_err(typed)?,
            invoke: invoke.typed(&store).map_err(typed)?,
        };
        let size = exports.memory.data_size(&store) as u64;
        let data = store.data_mut();
        data.exports = Some(exports);
        data.heap = Heap::at(size);
        Ok(Instance { store, functions })
    }

    /// Calls an export; its result widened to u64.
    pub(crate) fn call(&mut self, export: Export, arg: u32) -> Result<u64, Error> {
        let store = &mut self.store;
        let f = &self.functions;
        let called = match export {
            Export::Initialize => f.initialize.call(store, ()).map(|()| 0),
            Export::Boot => f.boot.call(store, ()).map(|status| status as u64),
            Export::Shutdown => f.shutdown.call(store, ()).map(|()| 0),
            Export::Buffer => f.buffer.call(store, arg).map(u64::from),
            Export::Invoke => f.invoke.call(store, arg),
        };
        called.map_err(trap)
    }
}

fn trap(e: wasmtime::Error) -> Error {
    match e.downcast::<Stop>() {
        Ok(stop) => stop.into(),
        Err(e) => match e.downcast_ref::<wasmtime::Trap>() {
            Some(trap) => Error::Trap(trap.to_string()),
            None => Error::Trap(format!("{e:#}")),
        },
    }
}

/// The memory cap: every growth, the guest's `memory.grow` and the host's
/// for `claim_heap` alike, asks the invocation's budget.
impl ResourceLimiter for HostEnv {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(self
            .meter
            .memory
            .allows((desired as u64).div_ceil(WASM_PAGE)))
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // The guest's one table is its function table, made at its size
        // and never grown; the pool bounds it anyway (`table_elements`).
        Ok(true)
    }
}

impl GuestCx for Instance {
    fn env(&mut self) -> &mut HostEnv {
        self.store.env()
    }

    fn env_and_memory(&mut self) -> (&mut HostEnv, &mut [u8]) {
        self.store.env_and_memory()
    }

    fn global(&mut self, global: GuestGlobal) -> i64 {
        self.store.global(global)
    }

    fn set_global(&mut self, global: GuestGlobal, value: i64) {
        self.store.set_global(global, value);
    }

    fn memory_pages(&mut self) -> u64 {
        self.store.memory_pages()
    }

    fn grow_memory(&mut self, delta: u64) -> bool {
        self.store.grow_memory(delta)
    }

    fn free_exceptions(&mut self) {}
}

/// The same view from a store (between calls) and from an import's caller.
macro_rules! guest_cx_for {
    ($ty:ty) => {
        impl GuestCx for $ty {
            fn env(&mut self) -> &mut HostEnv {
                self.data_mut()
            }

            fn env_and_memory(&mut self) -> (&mut HostEnv, &mut [u8]) {
                match self.data().exports {
                    Some(exports) => {
                        let (memory, env) = exports.memory.data_and_store_mut(self);
                        (env, memory)
                    }
                    None => (self.data_mut(), &mut []),
                }
            }

            fn global(&mut self, global: GuestGlobal) -> i64 {
                let Some(exports) = self.data().exports else {
                    return 0;
                };
                match exports.global(global).get(&mut *self) {
                    Val::I64(v) => v,
                    Val::I32(v) => v.into(),
                    _ => 0,
                }
            }

            fn set_global(&mut self, global: GuestGlobal, value: i64) {
                let Some(exports) = self.data().exports else {
                    return;
                };
                let value = match global {
                    GuestGlobal::Fuel => Val::I64(value),
                    GuestGlobal::StackPointer | GuestGlobal::StackLow => Val::I32(value as i32),
                };
                // As with Wasmer: the types are the module's own, and a
                // mismatch would show in the fuel check or the restore.
                let _ = exports.global(global).set(&mut *self, value);
            }

            fn memory_pages(&mut self) -> u64 {
                self.data()
                    .exports
                    .map_or(0, |exports| exports.memory.size(&*self))
            }

            fn grow_memory(&mut self, delta: u64) -> bool {
                self.data()
                    .exports
                    .is_some_and(|exports| exports.memory.grow(&mut *self, delta).is_ok())
            }

            /// wasmtime keeps thrown exceptions in the store's GC heap and
            /// collects them itself.
            fn free_exceptions(&mut self) {}
        }
    };
}

guest_cx_for!(Store<HostEnv>);
guest_cx_for!(Caller<'_, HostEnv>);

/// Every import of the guest.
fn define_imports(linker: &mut Linker<HostEnv>) -> wasmtime::Result<()> {
    type Cx<'a> = Caller<'a, HostEnv>;
    let stop = wasmtime::Error::new;
    linker
        .func_wrap(
            KOBAKO_MODULE,
            REFUEL_IMPORT,
            move |mut cx: Cx, remaining: i64| host::refuel(&mut cx, remaining).map_err(stop),
        )?
        .func_wrap(KOBAKO_MODULE, USER_CODE_IMPORT, move |mut cx: Cx| {
            host::begin_user_code(&mut cx).map_err(stop)
        })?
        .func_wrap(KOBAKO_MODULE, USER_CODE_END_IMPORT, move |mut cx: Cx| {
            host::end_user_code(&mut cx).map_err(stop)
        })?
        .func_wrap(
            KOBAKO_MODULE,
            SERVICE_CALL_IMPORT,
            move |mut cx: Cx, ptr: i32, len: i32| {
                host::service_call(&mut cx, ptr, len).map_err(stop)
            },
        )?
        .func_wrap(
            KOBAKO_MODULE,
            TAKE_REPLY_IMPORT,
            move |mut cx: Cx, ptr: i32| host::take_reply(&mut cx, ptr).map_err(stop),
        )?
        .func_wrap(
            KOBAKO_MODULE,
            CLAIM_HEAP_IMPORT,
            move |mut cx: Cx, end: i32| host::claim_heap(&mut cx, end).map_err(stop),
        )?
        .func_wrap(
            wasi::MODULE,
            "fd_write",
            move |mut cx: Cx, fd: i32, iovs: i32, len: i32, nwritten: i32| {
                wasi::fd_write(&mut cx, fd, iovs, len, nwritten).map_err(stop)
            },
        )?
        .func_wrap(wasi::MODULE, "fd_seek", wasi::fd_seek)?
        .func_wrap(wasi::MODULE, "fd_close", wasi::fd_close)?
        .func_wrap(
            wasi::MODULE,
            "clock_time_get",
            move |mut cx: Cx, clock: i32, precision: i64, out: i32| {
                wasi::clock_time_get(&mut cx, clock, precision, out).map_err(stop)
            },
        )?
        .func_wrap(
            wasi::MODULE,
            "environ_sizes_get",
            |mut cx: Cx, count: i32, size: i32| wasi::environ_sizes_get(&mut cx, count, size),
        )?
        .func_wrap(wasi::MODULE, "environ_get", wasi::environ_get)?
        .func_wrap(wasi::MODULE, "proc_exit", move |code: i32| {
            wasi::proc_exit(code).map_err(stop)
        })?;
    Ok(())
}
