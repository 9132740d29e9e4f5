//! Names shared by the guest, the artifact compiler and the runtime.

/// Module of the host function the guest calls when its fuel runs out.
pub const REFUEL_MODULE: &str = "kobako";

/// Name of that host function: `refuel(remaining: i64) -> i64`. It returns
/// the next grant of fuel, or traps when a cap has fired.
pub const REFUEL_IMPORT: &str = "refuel";

/// The exported fuel global the artifact compiler adds: checkpoints (function
/// entries and loop iterations) count it down.
pub const FUEL_GLOBAL: &str = "kobako_fuel";
