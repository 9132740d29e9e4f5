//! Leaves out of an ELF artifact what only a debugger or a profiler reads.
//!
//! Wasmer's LLVM back end writes DWARF for every function of an ELF
//! artifact (`.debug_*`: about 1 MB of the 3.9 MB x86_64 artifact) and a
//! symbol table naming each one (160 KB). The runtime reads neither (its
//! own frame tables and `.eh_frame` serve traps and exceptions), yet every
//! process hashes the whole file before loading it, and Wasmer's ELF reader
//! parses the symbol table twice, so the dead weight costs each cold start
//! (`cargo run --release -p kobako-engine --example load_timing`: about
//! 0.4 ms for the symbols alone here). `kobako-aot --keep-symbols` keeps
//! the symbol table, for `perf` to name guest functions.

use object::build::elf::{Builder, SectionData};

/// What to keep besides what the runtime reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Keep {
    /// The symbol table (`.symtab`, `.strtab`).
    pub(crate) symbols: bool,
}

/// `artifact` without its DWARF sections (and, unless `keep` says
/// otherwise, its symbol table); anything that is not an ELF image
/// (Cranelift's archive format) comes back unchanged.
pub(crate) fn debug_info(artifact: Vec<u8>, keep: Keep) -> Result<Vec<u8>, String> {
    if !artifact.starts_with(&object::elf::ELFMAG) {
        return Ok(artifact);
    }
    let mut builder =
        Builder::read(artifact.as_slice()).map_err(|e| format!("reading the ELF artifact: {e}"))?;
    for section in builder.sections.iter_mut() {
        let symbols = matches!(section.data, SectionData::Symbol | SectionData::String);
        if section.name.starts_with(b".debug_") || (symbols && !keep.symbols) {
            section.delete = true;
        }
    }
    if !keep.symbols {
        for symbol in builder.symbols.iter_mut() {
            symbol.delete = true;
        }
    }
    builder.delete_orphans();
    let mut stripped = Vec::with_capacity(artifact.len());
    builder
        .write(&mut stripped)
        .map_err(|e| format!("writing the stripped ELF artifact: {e}"))?;
    Ok(stripped)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use object::read::elf::ElfFile64;
    use object::{Object, ObjectSection};

    use super::*;

    fn sections(elf: &[u8]) -> Vec<(String, Vec<u8>)> {
        let file = ElfFile64::<object::Endianness>::parse(elf).unwrap();
        file.sections()
            .map(|s| (s.name().unwrap().to_owned(), s.data().unwrap().to_vec()))
            .collect()
    }

    /// The committed x86_64 artifact (LLVM, ELF) was written through
    /// `debug_info`: no DWARF and no symbol table in it, and stripping it
    /// again keeps every section's bytes.
    #[test]
    fn the_shipped_elf_artifact_carries_no_dwarf() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let artifact =
            std::fs::read(root.join("artifacts/kobako.x86_64-unknown-linux-gnu.wasmu")).unwrap();
        let before = sections(&artifact);
        assert!(before.iter().any(|(name, _)| name == ".text"));
        assert!(!before.iter().any(|(name, _)| name.starts_with(".debug_")));
        assert!(!before
            .iter()
            .any(|(name, _)| name == ".symtab" || name == ".strtab"));
        assert_eq!(
            sections(&debug_info(artifact, Keep::default()).unwrap()),
            before
        );
    }

    #[test]
    fn a_non_elf_artifact_is_left_alone() {
        let archive = b"wasmer-universal\0not an ELF".to_vec();
        assert_eq!(
            debug_info(archive.clone(), Keep::default()).unwrap(),
            archive
        );
    }
}
