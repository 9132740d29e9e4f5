//! The guest's initial memory, moved out of the module and into the
//! artifact file after Wasmer's compiled code (manifest: `image`).
//!
//! Left in the module as data segments, the image (about 800 KB: read-only
//! data and the booted interpreter) cost every process three copies before
//! its first invocation: Wasmer reads the section that holds it, decodes it
//! into its module metadata, and writes it into each new instance's
//! memory. Kept after the code, it is hashed with the rest of the file and
//! mapped into each instance copy-on-write by the runtime
//! (`kobako_engine`'s Wasmer backend), which then touches only the pages
//! the guest uses.

use kobako_engine::manifest::MemoryImage;
use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{DataSection, Module};
use wasmer::sys::wasmparser::{self, Parser, Payload};

use crate::layout;

/// The runtime maps the image in pages of this size; both its place in
/// the file and in memory are aligned to it.
const PAGE: u64 = 4096;

/// A module whose data segments were taken out, and what they wrote.
pub struct Detached {
    /// The module without data segments (its memory starts zeroed).
    pub module: Vec<u8>,
    /// Where the image goes in guest memory (page-aligned).
    pub address: u64,
    /// Every byte the data segments wrote, from `address` up to the end of
    /// the highest segment.
    pub image: Vec<u8>,
}

/// Takes the data segments out of `wasm`, as one image.
///
/// # Errors
/// When the module has passive data segments (code could copy them at run
/// time, so they cannot leave the module) or none at all.
pub fn detach(wasm: &[u8]) -> Result<Detached, String> {
    let segments = layout::data_segments(wasm)?;
    if segments.len() != data_segment_count(wasm)? {
        return Err("the guest has passive data segments; they cannot become an image".into());
    }
    let lowest = segments
        .iter()
        .map(|(offset, _)| *offset)
        .min()
        .ok_or("the guest has no data segments")?;
    let address = lowest - lowest % PAGE;
    let end = segments
        .iter()
        .map(|(offset, bytes)| offset + bytes.len() as u64)
        .max()
        .unwrap_or(address);
    let mut image = vec![0u8; usize::try_from(end - address).map_err(|e| e.to_string())?];
    for (offset, bytes) in segments {
        let at = usize::try_from(offset - address).map_err(|e| e.to_string())?;
        image[at..at + bytes.len()].copy_from_slice(bytes);
    }
    let mut module = Module::new();
    DropData
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| format!("cannot take the data out of the guest: {e}"))?;
    Ok(Detached {
        module: module.finish(),
        address,
        image,
    })
}

/// The artifact file: `code` (Wasmer's serialized module), zeroes up to the
/// next page, then the image and zeroes to the end of its last page (the
/// runtime maps whole pages); and where the manifest says each part lies.
pub fn append(mut code: Vec<u8>, address: u64, image: &[u8]) -> (Vec<u8>, MemoryImage) {
    let module_length = code.len() as u64;
    let file_offset = module_length.div_ceil(PAGE) * PAGE;
    code.resize(file_offset as usize, 0);
    code.extend_from_slice(image);
    code.resize(code.len().div_ceil(PAGE as usize) * PAGE as usize, 0);
    let entry = MemoryImage {
        module_length,
        file_offset,
        address,
        length: image.len() as u64,
    };
    (code, entry)
}

/// Every data segment of the module, active or passive.
fn data_segment_count(wasm: &[u8]) -> Result<usize, String> {
    let mut count = 0;
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::DataSection(reader) = payload.map_err(|e| e.to_string())? {
            count += reader.count() as usize;
        }
    }
    Ok(count)
}

/// Re-encodes a module without its data segments. Code that named one
/// (`memory.init`, `data.drop`) would no longer validate, so the compiler
/// refuses it rather than run it against missing data.
struct DropData;

impl Reencode for DropData {
    type Error = std::convert::Infallible;

    fn parse_data(
        &mut self,
        _section: &mut DataSection,
        _datum: wasmparser::Data<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        Ok(())
    }

    fn data_count(&mut self, _count: u32) -> Result<u32, reencode::Error<Self::Error>> {
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_over_a_module_without_data_is_what_the_segments_wrote() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let wasm = std::fs::read(root.join("artifacts/kobako.wasm")).unwrap();
        let detached = detach(&wasm).unwrap();

        assert!(layout::data_segments(&detached.module).unwrap().is_empty());
        assert_eq!(data_segment_count(&detached.module).unwrap(), 0);
        assert_eq!(detached.address % PAGE, 0);
        let size = detached.address as usize + detached.image.len();
        let mut placed = crate::boot_image::fresh_image(&detached.module, size)
            .unwrap()
            .image;
        assert!(
            placed.iter().all(|&b| b == 0),
            "the module still writes data"
        );
        placed[detached.address as usize..].copy_from_slice(&detached.image);
        let expected = crate::boot_image::fresh_image(&wasm, size).unwrap().image;
        assert!(placed == expected, "the image differs from the segments");

        let (file, entry) = append(vec![7; 5000], detached.address, &detached.image);
        assert_eq!((entry.module_length, entry.file_offset), (5000, 8192));
        assert!(file[5000..8192].iter().all(|&b| b == 0));
        assert!(file[8192..][..detached.image.len()] == detached.image[..]);
        assert_eq!(file.len() as u64, 8192 + entry.length.div_ceil(PAGE) * PAGE);
        assert!(file[8192 + detached.image.len()..].iter().all(|&b| b == 0));
    }
}
