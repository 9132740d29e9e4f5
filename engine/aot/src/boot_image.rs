//! The guest with its interpreter booted at build time.
//!
//! Booting mruby with the guest's gems takes most of a millisecond, and
//! every new instance paid it: the first invocation of each process, and
//! every instance that replaces one a trap poisoned. The boot is
//! deterministic (no clock, no randomness, no host state beyond the
//! heap's end, which follows the memory's size), so it runs once here
//! instead: the guest boots on the runtime's own host
//! (`kobako_engine::image`), and its memory from the start of writable
//! data up is written back into the module as that data segment, with the
//! memory's minimum size raised to what the boot left. An instance of the
//! result starts where `_initialize` and `kobako_boot` would have left it;
//! the manifest says so (`guest.booted`) and the runtime calls neither.
//!
//! Checked before anything is written: the boot changed nothing below the
//! writable data (the shadow stack, zeroed again as every snapshot does,
//! and read-only data) and left the stack pointer where it started; the
//! guest has one data segment at the writable start for the image to
//! replace; and a fresh instance of the result holds exactly the booted
//! memory.

use std::sync::Arc;

use kobako_engine::manifest::GuestFacts;
use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{ConstExpr, DataSection, MemoryType, Module};
use wasmer::sys::wasmparser::{self, DataKind, Parser, Payload};

use crate::checkpoints::Checkpoints;
use crate::layout;

const WASM_PAGE: usize = 64 * 1024;

/// `wasm` with its booted memory image in place of its writable data.
pub fn bake(wasm: &[u8], facts: &GuestFacts) -> Result<Vec<u8>, String> {
    let booted = boot(wasm)?;
    let fresh = fresh_image(wasm, booted.memory.len())?;
    let writable_from = usize::try_from(facts.writable_from).map_err(|e| e.to_string())?;
    if booted.memory.len() % WASM_PAGE != 0 || writable_from > booted.memory.len() {
        return Err("the booted memory does not fit the guest's layout".into());
    }
    if booted.memory[..writable_from] != fresh.image[..writable_from] {
        return Err("booting the guest wrote below its writable data".into());
    }
    if u64::from(booted.stack_pointer as u32) != fresh.stack_pointer {
        return Err("the guest's boot did not return the stack pointer where it started".into());
    }
    // Zeroes at the end need no segment: fresh memory is zero.
    let end = booted
        .memory
        .iter()
        .rposition(|&byte| byte != 0)
        .map_or(writable_from, |last| (last + 1).max(writable_from));
    let mut rewriter = Rewriter {
        writable_from: facts.writable_from,
        image: &booted.memory[writable_from..end],
        pages: (booted.memory.len() / WASM_PAGE) as u64,
        replaced: 0,
    };
    let mut module = Module::new();
    rewriter
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| format!("cannot write the booted image into the guest: {e}"))?;
    if rewriter.replaced != 1 {
        return Err(format!(
            "expected one data segment at the writable start {writable_from}, found {}",
            rewriter.replaced
        ));
    }
    let baked = module.finish();
    // What instantiating the result writes is the booted memory, byte for byte.
    if fresh_image(&baked, booted.memory.len())?.image != booted.memory {
        return Err("the baked module does not start with the booted memory".into());
    }
    Ok(baked)
}

/// Boots `wasm` on Cranelift (the image does not depend on the compiler
/// that runs the boot) with the checkpoints the runtime requires.
fn boot(wasm: &[u8]) -> Result<kobako_engine::image::BootedMemory, String> {
    let (builder, _) = crate::engine_builder("cranelift", Some(Arc::new(Checkpoints::default())))?;
    let engine = wasmer::Engine::from(builder.set_features(Some(crate::guest_features())));
    let module = wasmer::Module::new(&engine, wasm)
        .map_err(|e| format!("compiling the guest to boot it: {e}"))?;
    kobako_engine::image::boot(engine, module).map_err(|e| format!("booting the guest: {e}"))
}

/// What a fresh instance of `wasm` holds before any of its code runs: its
/// active data segments over zeroes (`size` bytes), and the initial stack
/// pointer (the module's first global, as wasm-ld lays it out).
pub(crate) struct Fresh {
    pub(crate) image: Vec<u8>,
    stack_pointer: u64,
}

pub(crate) fn fresh_image(wasm: &[u8], size: usize) -> Result<Fresh, String> {
    let mut image = vec![0u8; size];
    for (offset, bytes) in layout::data_segments(wasm)? {
        let at = usize::try_from(offset).map_err(|e| e.to_string())?;
        image
            .get_mut(at..at + bytes.len())
            .ok_or("a data segment past the booted memory")?
            .copy_from_slice(bytes);
    }
    let mut stack_pointer = None;
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::GlobalSection(reader) = payload.map_err(|e| e.to_string())? {
            if let Some(global) = reader.into_iter().next() {
                let global = global.map_err(|e| e.to_string())?;
                stack_pointer = Some(layout::constant_offset(&global.init_expr)?);
            }
        }
    }
    Ok(Fresh {
        image,
        stack_pointer: stack_pointer.ok_or("the guest defines no stack pointer")?,
    })
}

struct Rewriter<'a> {
    writable_from: u64,
    image: &'a [u8],
    pages: u64,
    /// Segments replaced by the image (exactly one, checked after).
    replaced: usize,
}

impl Reencode for Rewriter<'_> {
    type Error = std::convert::Infallible;

    fn memory_type(
        &mut self,
        memory: wasmparser::MemoryType,
    ) -> Result<MemoryType, reencode::Error<Self::Error>> {
        let mut memory = reencode::utils::memory_type(self, memory);
        memory.minimum = memory.minimum.max(self.pages);
        Ok(memory)
    }

    fn parse_data(
        &mut self,
        section: &mut DataSection,
        datum: wasmparser::Data<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        if let DataKind::Active {
            memory_index: 0,
            offset_expr,
        } = &datum.kind
        {
            if layout::constant_offset(offset_expr).ok() == Some(self.writable_from) {
                self.replaced += 1;
                let offset = ConstExpr::i32_const(self.writable_from as i32);
                section.active(0, &offset, self.image.iter().copied());
                return Ok(());
            }
        }
        reencode::utils::parse_data(self, section, datum)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn shipped_guest() -> Vec<u8> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        std::fs::read(root.join("artifacts/kobako.wasm")).unwrap()
    }

    #[test]
    fn a_fresh_instance_of_the_baked_guest_holds_the_booted_memory() {
        let wasm = shipped_guest();
        let facts = layout::read(&wasm).unwrap();
        let booted = boot(&wasm).unwrap();
        let baked = bake(&wasm, &facts).unwrap();

        // What instantiating the baked module writes, over zeroed memory of
        // the size it now declares, is the booted memory byte for byte.
        let fresh = fresh_image(&baked, booted.memory.len()).unwrap();
        assert!(fresh.image == booted.memory, "the baked image differs");
        assert_eq!(fresh.stack_pointer, u64::from(booted.stack_pointer as u32));
        let minimum = Parser::new(0)
            .parse_all(&baked)
            .find_map(|payload| match payload.unwrap() {
                Payload::MemorySection(reader) => Some(reader.into_iter().next()?.unwrap().initial),
                _ => None,
            })
            .unwrap();
        assert_eq!(minimum, (booted.memory.len() / WASM_PAGE) as u64);
        // The boot is deterministic, so the artifact build stays reproducible.
        assert!(bake(&wasm, &facts).unwrap() == baked);
        // Its facts are read from the module as linked, not as baked.
        assert_eq!(
            crate::layout::read(&baked).unwrap().writable_from,
            facts.writable_from
        );
    }
}
