//! The guest's initial memory, kept in the artifact file after Wasmer's
//! compiled module (manifest: `image`, written by kobako-aot's
//! `memory_image`) and mapped into every new instance's memory.
//!
//! The mapping is private and copy-on-write: an instance reads the file's
//! pages from the page cache (shared by every instance and process) and
//! gets a page of its own only where its guest writes. A fresh instance
//! thus costs one `mmap`, not a copy of the whole image, and the image is
//! not held in Wasmer's module metadata at all.

use std::fs::File;
use std::sync::Arc;

use crate::manifest::MemoryImage;
use crate::Error;

/// The unit of the mapping; the image's offsets in the file and in memory
/// are aligned to it (checked at load).
const PAGE: u64 = 4096;

/// The image of a verified artifact file, ready to be placed into
/// instances.
pub(crate) struct ImageFile {
    /// The artifact file, open for as long as instances are made.
    file: File,
    /// The whole file as it was hashed, mapped for as long as the file is
    /// open: Wasmer's part is deserialized from it, and unmapping it after
    /// the load cost that load about 0.17 ms (clearing the page table
    /// entries the hash had filled); it costs no memory of its own, its
    /// pages are the page cache's.
    bytes: Arc<memmap2::Mmap>,
    module_length: usize,
    file_offset: u64,
    address: usize,
    /// The image's length rounded up to whole pages; the file holds zeroes
    /// past the image up to there (checked at load).
    mapped_length: usize,
}

/// A misplaced image's refusal.
fn bad(why: &str) -> Error {
    Error::Artifact(format!("the artifact's memory image {why}"))
}

impl ImageFile {
    /// Checks where the manifest says the image lies against the file's
    /// verified `bytes` (the whole file, mapped), before anything is read
    /// from it by that description.
    ///
    /// # Errors
    /// [`Error::Artifact`] when the image is misaligned, overlaps the
    /// module, lies outside the file, or the file holds anything but
    /// zeroes after it.
    pub(crate) fn new(
        file: File,
        bytes: Arc<memmap2::Mmap>,
        entry: &MemoryImage,
    ) -> Result<Self, Error> {
        if !entry.file_offset.is_multiple_of(PAGE) || !entry.address.is_multiple_of(PAGE) {
            return Err(bad("is not page-aligned"));
        }
        if entry.file_offset < entry.module_length {
            return Err(bad("overlaps the compiled module"));
        }
        let mapped_length = entry.length.div_ceil(PAGE) * PAGE;
        let file_end = entry.file_offset.checked_add(mapped_length);
        if file_end.is_none_or(|end| end > bytes.len() as u64) {
            return Err(bad("lies past the end of the file"));
        }
        let (image_end, file_end) = (
            (entry.file_offset + entry.length) as usize,
            (entry.file_offset + mapped_length) as usize,
        );
        if bytes[image_end..file_end].iter().any(|&b| b != 0) {
            return Err(bad("is followed by data in its last page"));
        }
        Ok(ImageFile {
            file,
            bytes,
            module_length: entry.module_length as usize,
            file_offset: entry.file_offset,
            address: usize::try_from(entry.address)
                .map_err(|_| bad("lies outside the guest's initial memory"))?,
            mapped_length: mapped_length as usize,
        })
    }

    /// Wasmer's compiled module: the file up to the image.
    pub(crate) fn module_bytes(&self) -> &[u8] {
        &self.bytes[..self.module_length]
    }

    /// Checks that the image lies inside the `initial_memory` bytes the
    /// module's memory starts with.
    ///
    /// # Errors
    /// [`Error::Artifact`] when it does not.
    pub(crate) fn fits(&self, initial_memory: u64) -> Result<(), Error> {
        if (self.address as u64)
            .checked_add(self.mapped_length as u64)
            .is_none_or(|end| end > initial_memory)
        {
            return Err(bad("lies outside the guest's initial memory"));
        }
        Ok(())
    }

    /// Puts the image into `memory`, the zeroed memory of an instance no
    /// code has run in yet.
    ///
    /// # Errors
    /// [`Error::Trap`] when the memory is smaller than the module declared
    /// or the system refuses the mapping.
    pub(crate) fn place(&self, memory: &mut [u8]) -> Result<(), Error> {
        let target = memory
            .get_mut(self.address..self.address + self.mapped_length)
            .ok_or_else(|| Error::Trap("the guest's memory is smaller than its image".into()))?;
        self.map_over(target)
    }

    #[cfg(unix)]
    fn map_over(&self, target: &mut [u8]) -> Result<(), Error> {
        use std::os::fd::AsRawFd;

        let at = target.as_mut_ptr();
        if !(at as usize).is_multiple_of(PAGE as usize) {
            return Err(Error::Trap("guest memory is not page-aligned".into()));
        }
        let offset = libc::off_t::try_from(self.file_offset)
            .map_err(|_| Error::Trap("the memory image lies too far into its file".into()))?;
        // SAFETY: `target` is a page-aligned, whole-page range of this
        // instance's linear memory, which Wasmer mapped read-write and which
        // `&mut` says nothing else is using. MAP_FIXED replaces exactly those
        // pages with a private (copy-on-write) mapping of the same length
        // and protection, so the memory stays valid for every access Wasmer
        // and the guest make; dropping the memory unmaps its whole
        // reservation, this mapping included. The file range was hashed
        // with the artifact; like the code Wasmer maps from the same file,
        // it must not be truncated while the process runs (see `Code::finish`).
        let mapped = unsafe {
            libc::mmap(
                at.cast(),
                target.len(),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_FIXED,
                self.file.as_raw_fd(),
                offset,
            )
        };
        if mapped != at.cast() {
            return Err(Error::Trap(format!(
                "cannot map the guest's memory image: {}",
                std::io::Error::last_os_error()
            )));
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn map_over(&self, target: &mut [u8]) -> Result<(), Error> {
        let start = self.file_offset as usize;
        target.copy_from_slice(&self.bytes[start..start + target.len()]);
        Ok(())
    }
}
