//! The guest ABI: one instance of the guest module and the exports the host
//! drives (`_initialize`, `kobako_boot`, `kobako_buffer`, `kobako_invoke`,
//! `kobako_shutdown`, the fuel and stack globals).

use kobako_wire::{Reply, Request};
use wasmer::{
    FunctionEnv, Global, Instance, Memory, Module, RuntimeError, Store, TypedFunction, WasmTypeList,
};

use crate::abi::{FUEL_GLOBAL, STACK_LOW_GLOBAL, STACK_POINTER_GLOBAL};
use crate::caps::memory::{self, Heap};
use crate::caps::CapFired;
use crate::host::{self, HostEnv};
use crate::wasi::ProcExit;
use crate::{Error, Limits};

/// A live guest instance inside a store.
pub(crate) struct Guest {
    pub(crate) memory: Memory,
    fuel: Global,
    pub(crate) stack_pointer: Global,
    pub(crate) stack_low: Global,
    boot: TypedFunction<(), i32>,
    shutdown: TypedFunction<(), ()>,
    buffer: TypedFunction<u32, u32>,
    invoke: TypedFunction<u32, u64>,
    _instance: Instance,
}

/// Caps for the module's own fixed work (constructors, the interpreter's
/// boot and teardown): none but what stops everything.
fn uncapped() -> Limits {
    Limits {
        timeout: None,
        fuel: None,
        memory_limit: None,
        ..Limits::default()
    }
}

impl Guest {
    /// Instantiates the module and runs its constructors.
    pub(crate) fn instantiate(
        store: &mut Store,
        module: &Module,
        env: &FunctionEnv<HostEnv>,
    ) -> Result<Self, Error> {
        let imports = host::imports(store, env);
        let budget = env.as_ref(store).meter.memory.clone();
        let instance = memory::instantiating_with(&budget, || {
            Instance::new(store, module, &imports)
                .map_err(|e| Error::Trap(format!("cannot instantiate the guest: {e}")))
        })?;
        let protocol = |e: wasmer::ExportError| Error::Trap(format!("guest export missing: {e}"));
        let memory = instance
            .exports
            .get_memory("memory")
            .map_err(protocol)?
            .clone();
        let global = |name: &str| instance.exports.get_global(name).cloned().map_err(protocol);
        let fuel = global(FUEL_GLOBAL)?;
        let stack_pointer = global(STACK_POINTER_GLOBAL)?;
        let stack_low = global(STACK_LOW_GLOBAL)?;
        let size = memory.view(store).data_size();
        let data = env.as_mut(store);
        data.memory = Some(memory.clone());
        data.fuel = Some(fuel.clone());
        data.heap = Heap::at(size);
        let init: TypedFunction<(), ()> = function(&instance, store, "_initialize")?;
        let buffer = function(&instance, store, "kobako_buffer")?;
        let invoke = function(&instance, store, "kobako_invoke")?;
        let boot = function(&instance, store, "kobako_boot")?;
        let shutdown = function(&instance, store, "kobako_shutdown")?;
        let guest = Guest {
            memory,
            fuel,
            stack_pointer,
            stack_low,
            boot,
            shutdown,
            buffer,
            invoke,
            _instance: instance,
        };
        guest.begin_fixed_work(store, env)?;
        init.call(store).map_err(trap)?;
        Ok(guest)
    }

    /// Boots the interpreter (the module's own fixed work: no caps).
    pub(crate) fn boot(&self, store: &mut Store, env: &FunctionEnv<HostEnv>) -> Result<(), Error> {
        self.begin_fixed_work(store, env)?;
        match self.boot.call(store).map_err(trap)? {
            0 => Ok(()),
            _ => Err(Error::Trap("the interpreter could not boot".into())),
        }
    }

    /// Closes the interpreter, still inside the invocation's caps: only
    /// the timeout and interrupts apply, as to the boot that went before.
    pub(crate) fn shutdown(
        &self,
        store: &mut Store,
        env: &FunctionEnv<HostEnv>,
    ) -> Result<(), Error> {
        let closed = self.shutdown.call(store);
        Self::settle(store, env, closed)
    }

    fn begin_fixed_work(&self, store: &mut Store, env: &FunctionEnv<HostEnv>) -> Result<(), Error> {
        let grant = env.as_mut(store).meter.begin(&uncapped());
        self.fuel
            .set(
                store,
                wasmer::Value::I64(i64::try_from(grant).unwrap_or(i64::MAX)),
            )
            .map_err(|e| Error::Trap(e.message()))
    }

    /// Runs `request` under `limits` and returns the guest's reply.
    pub(crate) fn invoke(
        &self,
        store: &mut Store,
        env: &FunctionEnv<HostEnv>,
        limits: &Limits,
        request: &Request,
    ) -> Result<Reply, Error> {
        let request = kobako_wire::encode(request).map_err(|e| Error::Trap(e.to_string()))?;
        let source = request.as_slice();
        let len = u32::try_from(source.len())
            .map_err(|_| Error::Trap("request larger than 4 GiB".into()))?;
        // The request is the invocation's first allocation: its caps apply.
        let grant = env.as_mut(store).meter.begin(limits);
        let allocated = self.buffer.call(store, len);
        let ptr = Self::settle(store, env, allocated)?;
        self.memory
            .view(store)
            .write(u64::from(ptr), source)
            .map_err(|e| Error::Trap(format!("cannot write the request: {e}")))?;

        self.fuel
            .set(
                store,
                wasmer::Value::I64(i64::try_from(grant).unwrap_or(i64::MAX)),
            )
            .map_err(|e| Error::Trap(e.message()))?;
        let called = self.invoke.call(store, len);
        let packed = Self::settle(store, env, called)?;
        let bytes = self.read_reply(store, packed)?;
        kobako_wire::decode(&bytes).map_err(|e| Error::Trap(e.to_string()))
    }

    /// The outcome of a guest call. A refused memory growth is the memory
    /// cap firing, whether the call then trapped or the guest rescued its
    /// NoMemoryError and carried on.
    fn settle<T>(
        store: &Store,
        env: &FunctionEnv<HostEnv>,
        outcome: Result<T, RuntimeError>,
    ) -> Result<T, Error> {
        env.as_ref(store).meter.check_memory()?;
        outcome.map_err(trap)
    }

    /// The fuel global's current value.
    pub(crate) fn fuel_left(&self, store: &mut Store) -> i64 {
        self.fuel.get(store).i64().unwrap_or(0)
    }

    fn read_reply(&self, store: &Store, packed: u64) -> Result<Vec<u8>, Error> {
        let ptr = packed >> 32;
        let len = packed & 0xffff_ffff;
        crate::guest_memory::read(&self.memory, store, ptr, len)
            .ok_or_else(|| Error::Trap("the guest's reply lies outside its memory".into()))
    }
}

/// The exported function `name`, with the signature the host drives.
fn function<Args: WasmTypeList, Rets: WasmTypeList>(
    instance: &Instance,
    store: &Store,
    name: &str,
) -> Result<TypedFunction<Args, Rets>, Error> {
    instance
        .exports
        .get_typed_function(store, name)
        .map_err(|e| Error::Trap(format!("guest export missing: {e}")))
}

impl From<CapFired> for Error {
    fn from(fired: CapFired) -> Self {
        match fired {
            CapFired::Timeout(_) => Error::Timeout(fired.to_string()),
            CapFired::Fuel(_) => Error::Fuel(fired.to_string()),
            CapFired::Memory(_) => Error::MemoryLimit(fired.to_string()),
            CapFired::Interrupted => Error::Interrupted,
        }
    }
}

fn trap(e: RuntimeError) -> Error {
    let e = match e.downcast::<CapFired>() {
        Ok(fired) => return fired.into(),
        Err(e) => e,
    };
    match e.downcast::<ProcExit>() {
        Ok(exit) => Error::Trap(exit.to_string()),
        Err(e) => Error::Trap(e.message()),
    }
}
