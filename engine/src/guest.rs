//! The guest ABI: one instance of the guest module and the exports the host
//! drives (`_initialize`, `kobako_buffer`, `kobako_eval`, the fuel global).

use kobako_wire::{Reply, Request};
use wasmer::{FunctionEnv, Global, Instance, Memory, Module, RuntimeError, Store, TypedFunction};

use crate::abi::FUEL_GLOBAL;
use crate::caps::{memory, CapFired};
use crate::host::{self, HostEnv};
use crate::wasi::ProcExit;
use crate::{Error, Limits};

/// A live guest instance inside a store.
pub(crate) struct Guest {
    memory: Memory,
    fuel: Global,
    buffer: TypedFunction<u32, u32>,
    invoke: TypedFunction<u32, u64>,
    _instance: Instance,
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
        let fuel = instance
            .exports
            .get_global(FUEL_GLOBAL)
            .map_err(protocol)?
            .clone();
        env.as_mut(store).memory = Some(memory.clone());
        env.as_mut(store).fuel = Some(fuel.clone());
        let init: TypedFunction<(), ()> = instance
            .exports
            .get_typed_function(store, "_initialize")
            .map_err(protocol)?;
        let buffer = instance
            .exports
            .get_typed_function(store, "kobako_buffer")
            .map_err(protocol)?;
        let invoke = instance
            .exports
            .get_typed_function(store, "kobako_invoke")
            .map_err(protocol)?;
        // Constructors run without caps; they are the module's own, fixed work.
        fuel.set(store, wasmer::Value::I64(i64::MAX))
            .map_err(|e| Error::Trap(e.message()))?;
        init.call(store).map_err(trap)?;
        Ok(Guest {
            memory,
            fuel,
            buffer,
            invoke,
            _instance: instance,
        })
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
        let view = self.memory.view(store);
        if ptr + len > view.data_size() {
            return Err(Error::Trap(
                "the guest's reply lies outside its memory".into(),
            ));
        }
        view.copy_range_to_vec(ptr..ptr + len)
            .map_err(|e| Error::Trap(format!("cannot read the reply: {e}")))
    }
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
