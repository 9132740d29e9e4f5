//! The guest ABI: one instance of the guest module and the three exports
//! the host drives (`_initialize`, `kobako_buffer`, `kobako_eval`).

use kobako_wire::Reply;
use wasmer::{FunctionEnv, Instance, Memory, Module, RuntimeError, Store, TypedFunction};

use crate::wasi::{self, ProcExit, WasiEnv};
use crate::Error;

/// A live guest instance inside a store.
pub(crate) struct Guest {
    memory: Memory,
    buffer: TypedFunction<u32, u32>,
    eval: TypedFunction<u32, u64>,
    _instance: Instance,
}

impl Guest {
    /// Instantiates the module and runs its constructors.
    pub(crate) fn instantiate(
        store: &mut Store,
        module: &Module,
        env: &FunctionEnv<WasiEnv>,
    ) -> Result<Self, Error> {
        let imports = wasi::imports(store, env);
        let instance = Instance::new(store, module, &imports)
            .map_err(|e| Error::Trap(format!("cannot instantiate the guest: {e}")))?;
        let protocol = |e: wasmer::ExportError| Error::Trap(format!("guest export missing: {e}"));
        let memory = instance
            .exports
            .get_memory("memory")
            .map_err(protocol)?
            .clone();
        env.as_mut(store).memory = Some(memory.clone());
        let init: TypedFunction<(), ()> = instance
            .exports
            .get_typed_function(store, "_initialize")
            .map_err(protocol)?;
        let buffer = instance
            .exports
            .get_typed_function(store, "kobako_buffer")
            .map_err(protocol)?;
        let eval = instance
            .exports
            .get_typed_function(store, "kobako_eval")
            .map_err(protocol)?;
        init.call(store).map_err(trap)?;
        Ok(Guest {
            memory,
            buffer,
            eval,
            _instance: instance,
        })
    }

    /// Evaluates `source` and returns the guest's reply.
    pub(crate) fn eval(&self, store: &mut Store, source: &[u8]) -> Result<Reply, Error> {
        let len = u32::try_from(source.len())
            .map_err(|_| Error::Trap("source larger than 4 GiB".into()))?;
        let ptr = self.buffer.call(store, len).map_err(trap)?;
        self.memory
            .view(store)
            .write(u64::from(ptr), source)
            .map_err(|e| Error::Trap(format!("cannot write the request: {e}")))?;
        let packed = self.eval.call(store, len).map_err(trap)?;
        let bytes = self.read_reply(store, packed)?;
        kobako_wire::decode(&bytes).map_err(|e| Error::Trap(e.to_string()))
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

fn trap(e: RuntimeError) -> Error {
    match e.downcast::<ProcExit>() {
        Ok(exit) => Error::Trap(exit.to_string()),
        Err(e) => Error::Trap(e.message()),
    }
}
