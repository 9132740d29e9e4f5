//! Build time only (feature `boot-image`, for `kobako-aot`): the guest's
//! memory right after its interpreter boots, which the artifact compiler
//! writes back into the module so that every instance starts booted
//! (manifest: `guest.booted`).
//!
//! The boot runs here, on the runtime's own host imports and boot path,
//! so the image is the state every instance reached at run time before,
//! as a snapshot keeps it (the stack the boot used zeroed).

use crate::backend::Code;
use crate::guest::Guest;
use crate::host::HostEnv;
use crate::lifecycle::Snapshot;
use crate::Error;

/// A booted guest's memory.
#[derive(Debug)]
pub struct BootedMemory {
    /// The whole linear memory, as long as the boot left it.
    pub memory: Vec<u8>,
    /// The shadow stack pointer (`__stack_pointer`) after the boot.
    pub stack_pointer: i32,
}

/// Instantiates `module` (compiled by `engine` with the checkpoints), runs
/// its constructors and boots its interpreter, and returns its memory.
///
/// # Errors
/// When the module cannot be instantiated or its boot fails or traps.
pub fn boot(engine: wasmer::Engine, module: wasmer::Module) -> Result<BootedMemory, Error> {
    let code = Code::compiled(engine, module);
    let mut guest = Guest::instantiate(&code, HostEnv::new(), false)?;
    guest.boot()?;
    let (memory, stack_pointer) = Snapshot::take(&mut guest.instance, 0).into_memory();
    Ok(BootedMemory {
        memory,
        stack_pointer,
    })
}
