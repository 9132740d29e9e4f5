//! The Wasmer backend, which the gem ships: the ahead-of-time artifact
//! (`kobako.<triple>.wasmu`) verified and loaded on Wasmer's headless
//! engine (no compiler linked), one `Store` per instance.

mod exceptions;
mod image;
mod tunables;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmer::sys::NativeEngineExt;
use wasmer::{
    Engine, Function, FunctionEnv, FunctionEnvMut, Global, Imports, Memory, Module, Pages,
    RuntimeError, Store, Type, TypedFunction, WasmTypeList,
};

use super::{Export, ExportsOf, GuestCx, GuestGlobal, Stop};
use crate::abi::{
    CLAIM_HEAP_IMPORT, FUEL_GLOBAL, KOBAKO_MODULE, MEMORY_EXPORT, REFUEL_IMPORT,
    SERVICE_CALL_IMPORT, STACK_LOW_GLOBAL, STACK_POINTER_GLOBAL, TAKE_REPLY_IMPORT,
    USER_CODE_END_IMPORT, USER_CODE_IMPORT,
};
use crate::caps::memory::Heap;
use crate::checksum::SplitHash;
use crate::host::{self, HostEnv};
use crate::manifest::{Manifest, MemoryImage, WASMER_VERSION};
use crate::{platform, wasi, Error};

use image::ImageFile;
use tunables::CappedTunables;

/// Installs Wasmer's trap handlers (once per process; every new store asks
/// for them too) on the calling thread.
pub(crate) fn prepare_process() {
    wasmer::sys::vm::init_traps();
}

/// The compiled guest on a headless engine. Cloning shares the code.
#[derive(Clone)]
pub(crate) struct Code {
    engine: Engine,
    module: Module,
    /// The initial memory kept beside the module in the artifact file;
    /// `None` when the module carries its own data segments.
    image: Option<Arc<ImageFile>>,
}

/// This platform's artifact file once the manifest's checks passed: open
/// and mapped, its hash not yet checked ([`Code::finish`]).
pub(crate) struct Opening {
    path: PathBuf,
    blake3: String,
    image: MemoryImage,
    file: File,
    /// Of the file's bytes, mapped.
    hash: SharedHash,
}

/// The artifact file's hash in progress, which another thread can help
/// with.
pub(crate) type SharedHash = Arc<SplitHash<memmap2::Mmap>>;

impl Opening {
    /// The file's hash, for another thread to help with.
    pub(crate) fn hash(&self) -> Option<SharedHash> {
        Some(Arc::clone(&self.hash))
    }
}

impl Code {
    /// Loading this platform's artifact, first part: the manifest's checks
    /// (and the `pinned` hash's), then the file opened and mapped.
    pub(crate) fn open(
        dir: &Path,
        manifest: &Manifest,
        pinned: Option<&str>,
    ) -> Result<Opening, Error> {
        let triple = platform::host_triple();
        let entry = manifest.artifact_for(triple).ok_or_else(|| {
            Error::Artifact(format!("no artifact for {triple} in {}", dir.display()))
        })?;
        if let Some(pinned) = pinned.filter(|p| *p != entry.blake3) {
            return Err(Error::Artifact(format!(
                "{} is not the artifact this extension was built with (its manifest says \
                 {}, the extension expects {pinned}): reinstall kobako, or rebuild the \
                 extension with bin/setup",
                dir.join(&entry.file).display(),
                entry.blake3
            )));
        }
        if entry.wasmer != WASMER_VERSION {
            return Err(Error::Artifact(format!(
                "{} was compiled by Wasmer {}, this build runs Wasmer {WASMER_VERSION}",
                entry.file, entry.wasmer
            )));
        }
        if !entry.checkpoints {
            return Err(Error::Artifact(format!(
                "{} was compiled without checkpoints (kobako-aot --no-checkpoints): no timeout, \
                 fuel or interrupt could stop it; rebuild it with kobako-aot",
                entry.file
            )));
        }
        if let Some(missing) = entry
            .cpu_features
            .iter()
            .find(|f| !platform::host_has_cpu_feature(f))
        {
            return Err(Error::Artifact(format!(
                "{} needs the CPU feature {missing}, which this machine lacks",
                entry.file
            )));
        }
        let path = dir.join(&entry.file);
        let unreadable =
            |e: std::io::Error| Error::Artifact(format!("cannot read {}: {e}", path.display()));
        let file = std::fs::File::open(&path).map_err(unreadable)?;
        // SAFETY: a read-only private mapping, read only while this load
        // runs. Another process truncating the file meanwhile could fault
        // the read (SIGBUS), as it could the code Wasmer maps from the same
        // file; the artifacts directory is the gem's own (see below).
        let bytes = Arc::new(unsafe { memmap2::Mmap::map(&file) }.map_err(unreadable)?);
        Ok(Opening {
            hash: Arc::new(SplitHash::new(bytes)),
            path,
            blake3: entry.blake3.clone(),
            image: entry.image,
            file,
        })
    }

    /// Loading, second part: checks the opened file's hash, then
    /// deserializes it.
    pub(crate) fn finish(opening: Opening) -> Result<Self, Error> {
        let Opening {
            path,
            blake3,
            image,
            file,
            hash,
        } = opening;
        // BLAKE3 rather than SHA-256: every process pays for this before
        // its first sandbox runs, and on the project's machine BLAKE3
        // hashed the artifact about 4x faster than SHA-256 with SHA-NI;
        // its tree also lets the thread that began the load hash a share
        // (see `checksum`).
        let ok = hash.finish().to_hex().as_str() == blake3;
        if !ok {
            return Err(Error::Artifact(format!(
                "{} does not match the checksum in its manifest; refusing to load it: reinstall \
                 kobako, or restore artifacts/ from its source",
                path.display()
            )));
        }
        let mut engine = Engine::headless();
        engine.set_tunables(CappedTunables::default());
        let refused = |e: wasmer::DeserializeError| {
            Error::Artifact(format!("Wasmer refused {}: {e}", path.display()))
        };
        let image = ImageFile::new(file, Arc::clone(hash.input()), &image)?;
        let module_bytes = image.module_bytes();
        // SAFETY: deserializing loads native code. The file's BLAKE3 hash was
        // checked against the manifest just above, and the manifest says it
        // was produced by `kobako-aot` with this Wasmer version for this
        // platform; Wasmer checks its own format header too. An ELF artifact
        // is mapped from the file (Wasmer reads only the module's part of
        // it), so the file must not change while this process runs: it
        // lives in the gem's own directory, which only a party that could
        // replace the extension itself can write.
        let module = unsafe {
            if module_bytes.starts_with(b"\x7fELF") {
                Module::deserialize_from_file(&engine, &path)
            } else {
                Module::deserialize(&engine, module_bytes)
            }
        }
        .map_err(refused)?;
        refuse_kept_exceptions(&module)?;
        image.fits(initial_memory(&module)?)?;
        Ok(Code {
            engine,
            module,
            image: Some(Arc::new(image)),
        })
    }
}

#[cfg(feature = "boot-image")]
impl Code {
    /// A module compiled in this process, with the checkpoints; build time
    /// only (see `crate::image`).
    pub(crate) fn compiled(mut engine: Engine, module: Module) -> Self {
        engine.set_tunables(CappedTunables::default());
        Code {
            engine,
            module,
            image: None,
        }
    }
}

/// The bytes of memory the module's one memory starts with.
fn initial_memory(module: &Module) -> Result<u64, Error> {
    let info = module.info();
    match info.memories.values().collect::<Vec<_>>()[..] {
        [memory] if info.num_imported_memories == 0 => Ok(memory.minimum.bytes().0 as u64),
        _ => Err(Error::Artifact(
            "the guest module must define exactly one memory".into(),
        )),
    }
}

/// The pool frees a store's exception objects between invocations, which
/// is sound only if the guest cannot keep an exception reference past one:
/// no global or table of exnref type.
fn refuse_kept_exceptions(module: &Module) -> Result<(), Error> {
    let info = module.info();
    let global = info.globals.values().any(|g| g.ty == Type::ExceptionRef);
    let table = info.tables.values().any(|t| t.ty == Type::ExceptionRef);
    if global || table {
        return Err(Error::Artifact(
            "the guest module keeps exception references in a global or table".into(),
        ));
    }
    Ok(())
}

/// The instance's memory and globals as Wasmer handles.
pub(crate) type Exports = ExportsOf<Memory, Global>;

/// The exported functions the host calls.
struct Functions {
    initialize: TypedFunction<(), ()>,
    boot: TypedFunction<(), i32>,
    shutdown: TypedFunction<(), ()>,
    buffer: TypedFunction<u32, u32>,
    invoke: TypedFunction<u32, u64>,
}

/// One instance in its own store.
pub(crate) struct Instance {
    store: Store,
    env: FunctionEnv<HostEnv>,
    functions: Functions,
    _instance: wasmer::Instance,
}

// SAFETY: Wasmer 7.4's `Store` is `!Send` only because of raw pointers into
// objects the store itself owns and an optional boxed `on_called` callback
// (never installed here). Nothing a store holds is tied to the thread that
// made it: Wasmer's thread-local trap and stack state is set up and torn down
// inside each call. An instance is owned by one pool slot or one invocation
// at a time and every use takes `&mut self`, so its store is only ever moved
// between threads, never shared.
unsafe impl Send for Instance {}

impl Instance {
    /// Instantiates the module in a new store, with its memory capped by
    /// `host`'s budget; runs no guest code.
    pub(crate) fn new(code: &Code, host: HostEnv) -> Result<Self, Error> {
        let mut store = Store::new(code.engine.clone());
        let budget = host.meter.memory.clone();
        let env = FunctionEnv::new(&mut store, host);
        let imports = imports(&mut store, &env);
        let instance = tunables::instantiating_with(&budget, || {
            wasmer::Instance::new(&mut store, &code.module, &imports)
                .map_err(|e| Error::Trap(format!("cannot instantiate the guest: {e}")))
        })?;
        let missing = |e: wasmer::ExportError| Error::Trap(format!("guest export missing: {e}"));
        let exported = &instance.exports;
        let global = |name: &str| exported.get_global(name).cloned().map_err(missing);
        let exports = Exports {
            memory: exported.get_memory(MEMORY_EXPORT).map_err(missing)?.clone(),
            fuel: global(FUEL_GLOBAL)?,
            stack_pointer: global(STACK_POINTER_GLOBAL)?,
            stack_low: global(STACK_LOW_GLOBAL)?,
        };
        let functions = Functions {
            initialize: function(&instance, &store, Export::Initialize.name())?,
            boot: function(&instance, &store, Export::Boot.name())?,
            shutdown: function(&instance, &store, Export::Shutdown.name())?,
            buffer: function(&instance, &store, Export::Buffer.name())?,
            invoke: function(&instance, &store, Export::Invoke.name())?,
        };
        let size = exports.memory.view(&store).data_size();
        let data = env.as_mut(&mut store);
        data.exports = Some(exports);
        data.heap = Heap::at(size);
        let mut instance = Instance {
            store,
            env,
            functions,
            _instance: instance,
        };
        if let Some(image) = &code.image {
            image.place(instance.memory())?;
        }
        Ok(instance)
    }

    /// Calls an export; its result widened to u64.
    pub(crate) fn call(&mut self, export: Export, arg: u32) -> Result<u64, Error> {
        let store = &mut self.store;
        let f = &self.functions;
        let called = match export {
            Export::Initialize => f.initialize.call(store).map(|()| 0),
            Export::Boot => f.boot.call(store).map(|status| status as u64),
            Export::Shutdown => f.shutdown.call(store).map(|()| 0),
            Export::Buffer => f.buffer.call(store, arg).map(u64::from),
            Export::Invoke => f.invoke.call(store, arg),
        };
        called.map_err(trap)
    }

    fn cx(&mut self) -> FunctionEnvMut<'_, HostEnv> {
        self.env.clone().into_mut(&mut self.store)
    }
}

/// The exported function `name`, with the signature the host drives.
fn function<Args: WasmTypeList, Rets: WasmTypeList>(
    instance: &wasmer::Instance,
    store: &Store,
    name: &str,
) -> Result<TypedFunction<Args, Rets>, Error> {
    instance
        .exports
        .get_typed_function(store, name)
        .map_err(|e| Error::Trap(format!("guest export missing: {e}")))
}

fn trap(e: RuntimeError) -> Error {
    match e.downcast::<Stop>() {
        Ok(stop) => stop.into(),
        Err(e) => Error::Trap(e.message()),
    }
}

impl GuestCx for Instance {
    fn env(&mut self) -> &mut HostEnv {
        self.env.as_mut(&mut self.store)
    }

    fn env_and_memory(&mut self) -> (&mut HostEnv, &mut [u8]) {
        let memory = whole_memory(self.env.as_ref(&self.store), &self.store);
        // SAFETY: see `whole_memory`; the slice lives no longer than this
        // borrow of the instance, which owns the store.
        let memory = unsafe { memory_slice(memory) };
        (self.env.as_mut(&mut self.store), memory)
    }

    fn global(&mut self, global: GuestGlobal) -> i64 {
        self.cx().global(global)
    }

    fn set_global(&mut self, global: GuestGlobal, value: i64) {
        self.cx().set_global(global, value);
    }

    fn memory_pages(&mut self) -> u64 {
        self.cx().memory_pages()
    }

    fn grow_memory(&mut self, delta: u64) -> bool {
        self.cx().grow_memory(delta)
    }

    fn free_exceptions(&mut self) {
        exceptions::free_all(&mut self.store);
    }
}

impl GuestCx for FunctionEnvMut<'_, HostEnv> {
    fn env(&mut self) -> &mut HostEnv {
        self.data_mut()
    }

    fn env_and_memory(&mut self) -> (&mut HostEnv, &mut [u8]) {
        let (data, store) = self.data_and_store_mut();
        let memory = whole_memory(data, &store);
        // SAFETY: see `whole_memory`; the slice lives no longer than this
        // borrow of the import's context, during which only this import runs.
        let memory = unsafe { memory_slice(memory) };
        (data, memory)
    }

    fn global(&mut self, global: GuestGlobal) -> i64 {
        let Some(exports) = &self.data().exports else {
            return 0;
        };
        let global = exports.global(global).clone();
        match global.get(self) {
            wasmer::Value::I64(v) => v,
            wasmer::Value::I32(v) => v.into(),
            _ => 0,
        }
    }

    fn set_global(&mut self, global: GuestGlobal, value: i64) {
        let Some(exports) = &self.data().exports else {
            return;
        };
        let target = exports.global(global).clone();
        let value = match global {
            GuestGlobal::Fuel => wasmer::Value::I64(value),
            GuestGlobal::StackPointer | GuestGlobal::StackLow => wasmer::Value::I32(value as i32),
        };
        // Types are the module's own (checked by the artifact compiler); a
        // mismatch would leave the global as it was, and the fuel check or
        // the restore verification would then show it.
        let _ = target.set(self, value);
    }

    fn memory_pages(&mut self) -> u64 {
        match &self.data().exports {
            Some(exports) => u64::from(exports.memory.view(self).size().0),
            None => 0,
        }
    }

    fn grow_memory(&mut self, delta: u64) -> bool {
        let (Some(exports), Ok(delta)) = (&self.data().exports, u32::try_from(delta)) else {
            return false;
        };
        let memory = exports.memory.clone();
        memory.grow(self, Pages(delta)).is_ok()
    }

    fn free_exceptions(&mut self) {
        exceptions::free_all(self);
    }
}

/// Where the guest's memory is and how long, or an empty extent before the
/// instance is wired.
fn whole_memory(data: &HostEnv, store: &impl wasmer::AsStoreRef) -> (*mut u8, usize) {
    match &data.exports {
        Some(exports) => {
            let view = exports.memory.view(store);
            let len = usize::try_from(view.data_size()).expect("a 32-bit memory fits in usize");
            (view.data_ptr(), len)
        }
        None => (std::ptr::NonNull::dangling().as_ptr(), 0),
    }
}

/// The guest's memory as a slice.
///
/// # Safety
/// `extent` is the memory's current extent from [`whole_memory`], and the
/// caller holds the store mutably for as long as the slice lives: the guest
/// is single-threaded and is either not running or inside the import that
/// holds the store, and no other thread can reach the store (it belongs to
/// one instance, used by one thread at a time), so nothing can grow, move or
/// access the memory meanwhile. The host grows it only through
/// [`GuestCx::grow_memory`], which needs the same `&mut` and so ends the
/// slice's borrow first.
unsafe fn memory_slice<'a>((ptr, len): (*mut u8, usize)) -> &'a mut [u8] {
    // SAFETY: guaranteed by the caller, as documented above.
    unsafe { std::slice::from_raw_parts_mut(ptr, len) }
}

/// Every import of the guest, bound to `env`.
fn imports(store: &mut Store, env: &FunctionEnv<HostEnv>) -> Imports {
    type Cx<'a> = FunctionEnvMut<'a, HostEnv>;
    let mut imports = Imports::new();
    let mut kobako = |name: &str, function: Function| imports.define(KOBAKO_MODULE, name, function);
    kobako(
        REFUEL_IMPORT,
        Function::new_typed_with_env(store, env, |mut cx: Cx, remaining: i64| {
            host::refuel(&mut cx, remaining)
        }),
    );
    kobako(
        USER_CODE_IMPORT,
        Function::new_typed_with_env(store, env, |mut cx: Cx| host::begin_user_code(&mut cx)),
    );
    kobako(
        USER_CODE_END_IMPORT,
        Function::new_typed_with_env(store, env, |mut cx: Cx| host::end_user_code(&mut cx)),
    );
    kobako(
        SERVICE_CALL_IMPORT,
        Function::new_typed_with_env(store, env, |mut cx: Cx, ptr: i32, len: i32| {
            host::service_call(&mut cx, ptr, len)
        }),
    );
    kobako(
        TAKE_REPLY_IMPORT,
        Function::new_typed_with_env(store, env, |mut cx: Cx, ptr: i32| {
            host::take_reply(&mut cx, ptr)
        }),
    );
    kobako(
        CLAIM_HEAP_IMPORT,
        Function::new_typed_with_env(store, env, |mut cx: Cx, end: i32| {
            host::claim_heap(&mut cx, end)
        }),
    );
    let mut wasi = |name: &str, function: Function| imports.define(wasi::MODULE, name, function);
    wasi(
        "fd_write",
        Function::new_typed_with_env(
            store,
            env,
            |mut cx: Cx, fd: i32, iovs: i32, len: i32, nwritten: i32| {
                wasi::fd_write(&mut cx, fd, iovs, len, nwritten)
            },
        ),
    );
    wasi("fd_seek", Function::new_typed(store, wasi::fd_seek));
    wasi("fd_close", Function::new_typed(store, wasi::fd_close));
    wasi(
        "clock_time_get",
        Function::new_typed_with_env(
            store,
            env,
            |mut cx: Cx, clock: i32, precision: i64, out: i32| {
                wasi::clock_time_get(&mut cx, clock, precision, out)
            },
        ),
    );
    wasi(
        "environ_sizes_get",
        Function::new_typed_with_env(store, env, |mut cx: Cx, count: i32, size: i32| {
            wasi::environ_sizes_get(&mut cx, count, size)
        }),
    );
    wasi("environ_get", Function::new_typed(store, wasi::environ_get));
    wasi("proc_exit", Function::new_typed(store, wasi::proc_exit));
    imports
}
