//! The checkpoints of [`crate::checkpoints`] written into the guest's
//! `.wasm` itself, for an engine that has no Wasmer middleware (wasmtime, in
//! benchmark/compare): the same globals, exports and instructions, decided
//! by the same code, so every engine runs the same instrumented guest.

use kobako_engine::abi::{
    FUEL_GLOBAL, KOBAKO_MODULE, REFUEL_IMPORT, STACK_LOW_GLOBAL, STACK_POINTER_GLOBAL,
};
use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, GlobalSection, GlobalType, Module, ValType,
};
use wasmer::sys::wasmparser::{self, ExternalKind, FunctionBody, Parser, Payload, TypeRef};

use crate::checkpoints::{FunctionCheckpoints, Indexes};

/// `wasm` with the checkpoints and the stack mark written in.
pub fn instrument(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let indexes = indexes(wasm)?;
    let mut rewriter = Rewriter {
        indexes,
        next_function: indexes.imported_functions,
    };
    let mut module = Module::new();
    rewriter
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| format!("cannot rewrite the guest: {e}"))?;
    Ok(module.finish())
}

/// Where the refuel import and the stack pointer are, and where the two new
/// globals go: after every global the module imports or defines.
fn indexes(wasm: &[u8]) -> Result<Indexes, String> {
    let (mut refuel, mut stack_pointer) = (None, None);
    let (mut functions, mut globals) = (0u32, 0u32);
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    match import.ty {
                        TypeRef::Func(_) | TypeRef::FuncExact(_) => {
                            if import.module == KOBAKO_MODULE && import.name == REFUEL_IMPORT {
                                refuel = Some(functions);
                            }
                            functions += 1;
                        }
                        TypeRef::Global(_) => globals += 1,
                        _ => {}
                    }
                }
            }
            Payload::GlobalSection(reader) => globals += reader.count(),
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    if export.kind == ExternalKind::Global && export.name == STACK_POINTER_GLOBAL {
                        stack_pointer = Some(export.index);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Indexes {
        fuel: globals,
        stack_low: globals + 1,
        refuel: refuel
            .ok_or_else(|| format!("the guest does not import {KOBAKO_MODULE}.{REFUEL_IMPORT}"))?,
        stack_pointer: stack_pointer
            .ok_or_else(|| format!("the guest does not export {STACK_POINTER_GLOBAL}"))?,
        imported_functions: functions,
    })
}

struct Rewriter {
    indexes: Indexes,
    /// The index of the next function body the code section yields.
    next_function: u32,
}

impl Reencode for Rewriter {
    type Error = std::convert::Infallible;

    fn parse_global_section(
        &mut self,
        globals: &mut GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_global_section(self, globals, section)?;
        // As the middleware adds them: fuel 0, the stack mark u32::MAX.
        let mutable = |val_type| GlobalType {
            val_type,
            mutable: true,
            shared: false,
        };
        globals.global(mutable(ValType::I64), &ConstExpr::i64_const(0));
        globals.global(mutable(ValType::I32), &ConstExpr::i32_const(-1));
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_export_section(self, exports, section)?;
        exports.export(FUEL_GLOBAL, ExportKind::Global, self.indexes.fuel);
        exports.export(STACK_LOW_GLOBAL, ExportKind::Global, self.indexes.stack_low);
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut CodeSection,
        body: FunctionBody<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        let checkpoints = FunctionCheckpoints::new(self.indexes, self.next_function);
        self.next_function += 1;
        let mut function = self.new_function_with_parsed_locals(&body)?;
        let mut reader = body.get_operators_reader()?;
        while !reader.eof() {
            let operator = reader.read()?;
            let (before, after) = checkpoints.around(&operator);
            for op in before
                .into_iter()
                .chain(std::iter::once(operator))
                .chain(after)
            {
                function.instruction(&self.instruction(op)?);
            }
        }
        code.function(&function);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use kobako_engine::{Artifact, Error, Limits, Sandbox, Value};

    use crate::checkpoints::Checkpoints;
    use crate::{compile, Instrumentation};

    /// The shipped guest, rewritten, compiled with no middleware, into a
    /// fresh artifacts directory.
    fn rewritten_artifact() -> Artifact {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = std::env::temp_dir().join(format!("kobako-rewrite-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(root.join("artifacts/kobako.wasm"), dir.join("kobako.wasm")).unwrap();
        let triple = kobako_engine::platform::host_triple();
        compile(
            &dir,
            "cranelift",
            triple,
            Checkpoints::default(),
            Instrumentation::Rewritten,
            crate::strip::Keep::default(),
        )
        .unwrap();
        let artifact = Artifact::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        artifact
    }

    #[test]
    fn the_rewritten_guest_runs_and_its_checkpoints_stop_it() {
        let artifact = rewritten_artifact();
        let mut sandbox = Sandbox::new(&artifact);
        assert_eq!(sandbox.eval("[1, 2, 3].sum").unwrap(), Value::Int(6));

        let timeout = Limits {
            timeout: Some(Duration::from_millis(50)),
            ..Limits::default()
        };
        let mut looping = Sandbox::with_limits(&artifact, timeout);
        assert!(matches!(looping.eval("loop {}"), Err(Error::Timeout(_))));
        assert_eq!(looping.eval("1 + 1").unwrap(), Value::Int(2));

        let fuel = Limits {
            fuel: Some(10_000),
            ..Limits::default()
        };
        let mut budgeted = Sandbox::with_limits(&artifact, fuel);
        assert!(matches!(
            budgeted.eval("i = 0; i += 1 while true"),
            Err(Error::Fuel(_))
        ));
    }
}
