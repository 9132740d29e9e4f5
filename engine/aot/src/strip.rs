//! Leaves out of an ELF artifact what only a debugger reads.
//!
//! Wasmer's LLVM back end writes DWARF for every function of an ELF
//! artifact (`.debug_*`: about 1 MB of the 3.9 MB x86_64 artifact). The
//! runtime never reads it (its own frame tables and `.eh_frame` serve
//! traps and exceptions), yet every process hashes the whole file before
//! loading it, so the dead weight costs each cold start. The symbol table
//! stays: it names guest functions in `perf` profiles.

use object::build::elf::Builder;

/// `artifact` without its DWARF sections; anything that is not an ELF
/// image (Cranelift's archive format) comes back unchanged.
pub(crate) fn debug_info(artifact: Vec<u8>) -> Result<Vec<u8>, String> {
    if !artifact.starts_with(&object::elf::ELFMAG) {
        return Ok(artifact);
    }
    let mut builder =
        Builder::read(artifact.as_slice()).map_err(|e| format!("reading the ELF artifact: {e}"))?;
    for section in builder.sections.iter_mut() {
        if section.name.starts_with(b".debug_") {
            section.delete = true;
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
    /// `debug_info`: no DWARF in it, and stripping it again keeps every
    /// section's bytes.
    #[test]
    fn the_shipped_elf_artifact_carries_no_dwarf() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let artifact = std::fs::read(root.join("artifacts/kobako.x86_64-unknown-linux-gnu.wasmu"))
            .unwrap();
        let before = sections(&artifact);
        assert!(before.iter().any(|(name, _)| name == ".text"));
        assert!(!before.iter().any(|(name, _)| name.starts_with(".debug_")));
        assert_eq!(sections(&debug_info(artifact).unwrap()), before);
    }

    #[test]
    fn a_non_elf_artifact_is_left_alone() {
        let archive = b"wasmer-universal\0not an ELF".to_vec();
        assert_eq!(debug_info(archive.clone()).unwrap(), archive);
    }
}
