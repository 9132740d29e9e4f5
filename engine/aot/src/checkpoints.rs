//! The instrumentation that lets the host stop a running guest without
//! signals or cross-thread writes: every loop iteration and every direct
//! recursive call is a *checkpoint* that counts down a fuel global, and when
//! the fuel runs out the guest calls the host (`kobako.refuel`), which
//! decides whether to grant more (deadline not reached, budget left, no
//! interrupt) or to trap. Modelled on wasmer-middlewares' `Metering`, with
//! two changes: exhaustion calls the host instead of trapping, and the
//! counter moves only at checkpoints.
//!
//! Why those checkpoints suffice: code that runs long in Wasm either loops
//! or recurses. Loops are covered directly, and so is everything the Ruby
//! interpreter runs, since each Ruby instruction is one iteration of its
//! dispatch loop (Ruby-level calls and blocks included). Direct recursion is
//! covered at the call; deeper mutual recursion in C is bounded by the Wasm
//! stack. Function entries are deliberately not checkpoints: the interpreter
//! calls small helpers on every instruction, and counting them cost a third
//! of its speed (XOR benchmark: +34%, against +5% for loops).
//!
//! Fuel counts checkpoints, so a budget is deterministic for a given guest
//! and input.
//!
//! The same pass keeps a low-water mark of the shadow stack pointer: after
//! every write to `__stack_pointer`, a global takes the new value if it is
//! lower. The host restores the stack after an invocation from that mark up
//! (engine/src/lifecycle.rs), so the restore costs the depth a script used,
//! not the stack's whole megabyte, and no stack byte is missed.

use std::sync::Mutex;

use kobako_engine::abi::{
    FUEL_GLOBAL, KOBAKO_MODULE, REFUEL_IMPORT, STACK_LOW_GLOBAL, STACK_POINTER_GLOBAL,
};
use wasmer::sys::wasmparser::{BlockType, Operator};
use wasmer::sys::{FunctionMiddleware, MiddlewareError, MiddlewareReaderState, ModuleMiddleware};
use wasmer::{ExportIndex, GlobalInit, GlobalType, LocalFunctionIndex, Mutability, Type};
use wasmer_types::{ImportIndex, ModuleInfo};

/// The module-level half: adds and exports the fuel global, finds the
/// guest's `kobako.refuel` import.
#[derive(Debug, Default)]
pub struct Checkpoints {
    indexes: Mutex<Option<Indexes>>,
    /// Adds the global and export but no checkpoints: only for measuring
    /// what the checkpoints cost (`kobako-aot --no-checkpoints`). Such an
    /// artifact loads, but no timeout, fuel or interrupt can stop it.
    pub disabled: bool,
}

/// Where the instrumentation's globals and the refuel import are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Indexes {
    pub(crate) fuel: u32,
    pub(crate) stack_pointer: u32,
    pub(crate) stack_low: u32,
    pub(crate) refuel: u32,
    /// Imported functions come first in the function index space.
    pub(crate) imported_functions: u32,
}

impl ModuleMiddleware for Checkpoints {
    fn transform_module_info(&self, info: &mut ModuleInfo) -> Result<(), MiddlewareError> {
        let refuel = info
            .imports
            .iter()
            .find_map(|(key, index)| match index {
                ImportIndex::Function(f)
                    if key.module == KOBAKO_MODULE && key.field == REFUEL_IMPORT =>
                {
                    Some(f.as_u32())
                }
                _ => None,
            })
            .ok_or_else(|| {
                MiddlewareError::new(
                    "checkpoints",
                    format!("the guest does not import {KOBAKO_MODULE}.{REFUEL_IMPORT}"),
                )
            })?;
        let stack_pointer = match info.exports.get(STACK_POINTER_GLOBAL) {
            Some(ExportIndex::Global(g)) => g.as_u32(),
            _ => {
                return Err(MiddlewareError::new(
                    "checkpoints",
                    format!("the guest does not export {STACK_POINTER_GLOBAL}"),
                ))
            }
        };
        let fuel = info
            .globals
            .push(GlobalType::new(Type::I64, Mutability::Var));
        info.global_initializers.push(GlobalInit::I64Const(0));
        info.exports
            .insert(FUEL_GLOBAL.to_owned(), ExportIndex::Global(fuel));
        let stack_low = info
            .globals
            .push(GlobalType::new(Type::I32, Mutability::Var));
        // u32::MAX: no value seen yet (compared unsigned).
        info.global_initializers.push(GlobalInit::I32Const(-1));
        info.exports
            .insert(STACK_LOW_GLOBAL.to_owned(), ExportIndex::Global(stack_low));
        let mut indexes = self.indexes.lock().unwrap_or_else(|p| p.into_inner());
        let imported_functions = u32::try_from(info.num_imported_functions)
            .map_err(|_| MiddlewareError::new("checkpoints", "too many imports"))?;
        *indexes = Some(Indexes {
            fuel: fuel.as_u32(),
            stack_pointer,
            stack_low: stack_low.as_u32(),
            refuel,
            imported_functions,
        });
        Ok(())
    }

    fn generate_function_middleware<'a>(
        &self,
        local_index: LocalFunctionIndex,
    ) -> Box<dyn FunctionMiddleware<'a> + 'a> {
        let indexes = self.indexes.lock().unwrap_or_else(|p| p.into_inner());
        let indexes = indexes.expect("transform_module_info runs before any function");
        let this_function = indexes.imported_functions + local_index.as_u32();
        Box::new(FunctionCheckpoints {
            indexes,
            this_function,
            disabled: self.disabled,
        })
    }
}

/// The instrumentation of one function, shared by the middleware and the
/// `.wasm` rewriter ([`crate::instrument`]): what goes before and after
/// each operator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FunctionCheckpoints {
    indexes: Indexes,
    /// This function's own index, to spot direct recursion.
    this_function: u32,
    disabled: bool,
}

impl FunctionCheckpoints {
    pub(crate) fn new(indexes: Indexes, this_function: u32) -> Self {
        FunctionCheckpoints {
            indexes,
            this_function,
            disabled: false,
        }
    }

    /// `fuel -= 1; if fuel < 0 { fuel = refuel(fuel) }`
    fn checkpoint(&self) -> Vec<Operator<'static>> {
        let fuel = self.indexes.fuel;
        vec![
            Operator::GlobalGet { global_index: fuel },
            Operator::I64Const { value: 1 },
            Operator::I64Sub,
            Operator::GlobalSet { global_index: fuel },
            Operator::GlobalGet { global_index: fuel },
            Operator::I64Const { value: 0 },
            Operator::I64LtS,
            Operator::If {
                blockty: BlockType::Empty,
            },
            Operator::GlobalGet { global_index: fuel },
            Operator::Call {
                function_index: self.indexes.refuel,
            },
            Operator::GlobalSet { global_index: fuel },
            Operator::End,
        ]
    }

    /// `if sp < low (unsigned) { low = sp }`, right after a write to sp.
    fn track_stack_low(&self) -> Vec<Operator<'static>> {
        let (sp, low) = (self.indexes.stack_pointer, self.indexes.stack_low);
        vec![
            Operator::GlobalGet { global_index: sp },
            Operator::GlobalGet { global_index: low },
            Operator::I32LtU,
            Operator::If {
                blockty: BlockType::Empty,
            },
            Operator::GlobalGet { global_index: sp },
            Operator::GlobalSet { global_index: low },
            Operator::End,
        ]
    }

    /// The operators to put before and after `operator`.
    pub(crate) fn around(
        &self,
        operator: &Operator<'_>,
    ) -> (Vec<Operator<'static>>, Vec<Operator<'static>>) {
        match *operator {
            // Not a checkpoint: the restore depends on it, so it stays even
            // in an artifact built without checkpoints.
            Operator::GlobalSet { global_index } if global_index == self.indexes.stack_pointer => {
                (Vec::new(), self.track_stack_low())
            }
            _ if self.disabled => (Vec::new(), Vec::new()),
            // Inside the loop: runs on every iteration.
            Operator::Loop { .. } => (Vec::new(), self.checkpoint()),
            Operator::Call { function_index } if function_index == self.this_function => {
                (self.checkpoint(), Vec::new())
            }
            _ => (Vec::new(), Vec::new()),
        }
    }
}

impl<'a> FunctionMiddleware<'a> for FunctionCheckpoints {
    fn feed(
        &mut self,
        operator: Operator<'a>,
        state: &mut MiddlewareReaderState<'a>,
    ) -> Result<(), MiddlewareError> {
        let (before, after) = self.around(&operator);
        state.extend(&before);
        state.push_operator(operator);
        state.extend(&after);
        Ok(())
    }
}
