//! Names shared by the guest, the artifact compiler and the runtime.

/// Module of every kobako host function the guest imports.
pub const KOBAKO_MODULE: &str = "kobako";

/// Name of that host function: `refuel(remaining: i64) -> i64`. It returns
/// the next grant of fuel, or traps when a cap has fired.
pub const REFUEL_IMPORT: &str = "refuel";

/// The exported fuel global the artifact compiler adds: checkpoints (function
/// entries and loop iterations) count it down.
pub const FUEL_GLOBAL: &str = "kobako_fuel";

/// The host function the guest calls once its interpreter has booted, right
/// before the invocation's own code: fuel and memory growth are counted from
/// there, so a budget measures the script, not the interpreter's start-up.
pub const USER_CODE_IMPORT: &str = "begin_user_code";

/// The host function the guest calls when the invocation's own code is done
/// and only its reply and the interpreter's teardown remain: fuel stops
/// counting there.
pub const USER_CODE_END_IMPORT: &str = "end_user_code";

/// The host function behind every guest call to a service or Handle:
/// `call(request_ptr, request_len) -> reply_len`.
pub const SERVICE_CALL_IMPORT: &str = "call";

/// `take_reply(ptr)`: copies the last `call`'s reply into guest memory.
pub const TAKE_REPLY_IMPORT: &str = "take_reply";

/// The exported global the artifact compiler adds for the lowest value the
/// shadow stack pointer took since the host last reset it (`u32::MAX`):
/// how much of the stack an invocation wrote, so restoring it costs what
/// was used, not the whole stack.
pub const STACK_LOW_GLOBAL: &str = "kobako_stack_low";

/// The guest's shadow stack pointer, exported by its linker.
pub const STACK_POINTER_GLOBAL: &str = "__stack_pointer";

/// `claim_heap(end) -> 0 | -1`: the guest's `sbrk` asks for its heap to end
/// at `end`; the host grows the memory if needed and applies the memory cap.
pub const CLAIM_HEAP_IMPORT: &str = "claim_heap";

/// The guest's linear memory, as its linker exports it.
pub const MEMORY_EXPORT: &str = "memory";

/// `_initialize()`, the guest module's constructors (WASI reactor).
pub const INITIALIZE_EXPORT: &str = "_initialize";

/// `kobako_boot() -> i32`: opens the interpreter; 0 on success.
pub const BOOT_EXPORT: &str = "kobako_boot";

/// `kobako_shutdown()`: closes the interpreter.
pub const SHUTDOWN_EXPORT: &str = "kobako_shutdown";

/// `kobako_buffer(len) -> ptr`: room in guest memory for a request.
pub const BUFFER_EXPORT: &str = "kobako_buffer";

/// `kobako_invoke(len) -> ptr << 32 | len`: runs the request in the buffer.
pub const INVOKE_EXPORT: &str = "kobako_invoke";
