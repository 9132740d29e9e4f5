//! Bounds-checked access to guest linear memory, given as a slice by the
//! backend: addresses come from the guest and are checked here, once.

/// The `len` bytes at `ptr`, or None when any of them lies outside memory.
pub(crate) fn range(memory: &[u8], ptr: u64, len: u64) -> Option<&[u8]> {
    let (start, end) = bounds(memory.len(), ptr, len)?;
    Some(&memory[start..end])
}

/// As [`range`], writable.
pub(crate) fn range_mut(memory: &mut [u8], ptr: u64, len: u64) -> Option<&mut [u8]> {
    let (start, end) = bounds(memory.len(), ptr, len)?;
    Some(&mut memory[start..end])
}

/// Writes `bytes` at `ptr`; false when they do not fit in memory.
pub(crate) fn write(memory: &mut [u8], ptr: u64, bytes: &[u8]) -> bool {
    match range_mut(memory, ptr, bytes.len() as u64) {
        Some(place) => {
            place.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

/// The little-endian u32 at `ptr`.
pub(crate) fn read_u32(memory: &[u8], ptr: u64) -> Option<u32> {
    let word = range(memory, ptr, 4)?;
    Some(u32::from_le_bytes(word.try_into().ok()?))
}

fn bounds(size: usize, ptr: u64, len: u64) -> Option<(usize, usize)> {
    let end = ptr.checked_add(len)?;
    let (start, end) = (usize::try_from(ptr).ok()?, usize::try_from(end).ok()?);
    (end <= size).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_past_the_end_or_overflowing_are_refused() {
        let mut memory = vec![0u8; 8];
        assert_eq!(range(&memory, 4, 4), Some(&[0u8; 4][..]));
        assert_eq!(range(&memory, 5, 4), None);
        assert_eq!(range(&memory, u64::MAX, 2), None);
        assert!(write(&mut memory, 0, &7u32.to_le_bytes()));
        assert_eq!(read_u32(&memory, 0), Some(7));
        assert!(!write(&mut memory, 6, &[1, 2, 3]));
        assert_eq!(read_u32(&memory, 6), None);
    }
}
