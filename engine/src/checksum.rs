//! BLAKE3 of the artifact, hashed on two threads.
//!
//! Every process hashes the artifact (about 2.9 MB) before its first
//! sandbox can run, on the background thread `require "kobako"` starts;
//! one core takes about a millisecond. BLAKE3 is a tree: independent
//! subtrees hash separately and their chaining values merge into the same
//! root hash, so this splits the input into subtrees of at most
//! [`PIECE`] bytes along the tree's own boundaries, hashes the pieces in
//! two groups of about equal size at once (one on a scoped thread), and
//! merges them back up the same tree. The result is `blake3::hash`'s,
//! byte for byte (tested below on inputs of every shape).

use blake3::hazmat::{
    left_subtree_len, merge_subtrees_non_root, merge_subtrees_root, ChainingValue, HasherExt, Mode,
};
use blake3::{Hash, Hasher, CHUNK_LEN};

/// Inputs up to this size are hashed on the calling thread alone: a
/// thread costs more than it saves.
const SERIAL_UP_TO: usize = 1 << 20;

/// The largest piece hashed as one unit.
const PIECE: usize = 256 << 10;

/// The BLAKE3 hash of `input`, as `blake3::hash` computes it.
pub(crate) fn hash(input: &[u8]) -> Hash {
    if input.len() <= SERIAL_UP_TO {
        return blake3::hash(input);
    }
    let mut pieces = Vec::new();
    split(input, 0, &mut pieces);
    let half = input.len() / 2;
    let first_group = pieces.partition_point(|&(offset, piece)| offset + piece.len() <= half);
    let (first, second) = pieces.split_at(first_group.max(1));
    let hash_all = |group: &[(usize, &[u8])]| -> Vec<ChainingValue> {
        group
            .iter()
            .map(|&(offset, piece)| piece_cv(offset, piece))
            .collect()
    };
    let values = std::thread::scope(|scope| {
        let helper = std::thread::Builder::new().spawn_scoped(scope, || hash_all(second));
        let mut values = hash_all(first);
        match helper {
            Ok(helper) => values.extend(helper.join().expect("hashing does not panic")),
            // No thread to be had: hash the rest here.
            Err(_) => values.extend(hash_all(second)),
        }
        values
    });
    let mut values = values.into_iter();
    let (left_len, left, right) = halves(input);
    let left = merge(left, &mut values);
    let right = merge(right, &mut values);
    debug_assert!(values.next().is_none() && left_len > 0);
    merge_subtrees_root(&left, &right, Mode::Hash)
}

/// The pieces of the subtree `input` (starting `offset` bytes into the
/// whole), in order: the subtree itself if small enough, else those of its
/// two children.
fn split<'a>(input: &'a [u8], offset: usize, pieces: &mut Vec<(usize, &'a [u8])>) {
    if input.len() <= PIECE {
        pieces.push((offset, input));
        return;
    }
    let (left_len, left, right) = halves(input);
    split(left, offset, pieces);
    split(right, offset + left_len, pieces);
}

/// A subtree's two children, as BLAKE3's tree divides it: the left one is
/// the largest power-of-two number of chunks that leaves the right one
/// some input.
fn halves(input: &[u8]) -> (usize, &[u8], &[u8]) {
    debug_assert!(input.len() > CHUNK_LEN);
    let left_len = left_subtree_len(input.len() as u64) as usize;
    let (left, right) = input.split_at(left_len);
    (left_len, left, right)
}

/// The chaining value of one piece, which starts `offset` bytes in.
fn piece_cv(offset: usize, piece: &[u8]) -> ChainingValue {
    Hasher::new()
        .set_input_offset(offset as u64)
        .update(piece)
        .finalize_non_root()
}

/// The chaining value of the subtree `input`, from its pieces' values in
/// the order [`split`] listed them.
fn merge(input: &[u8], values: &mut impl Iterator<Item = ChainingValue>) -> ChainingValue {
    if input.len() <= PIECE {
        return values.next().expect("one value per piece");
    }
    let (_, left, right) = halves(input);
    let left = merge(left, values);
    let right = merge(right, values);
    merge_subtrees_non_root(&left, &right, Mode::Hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_as_blake3_does() {
        // Deterministic bytes that differ at every position that matters.
        let input: Vec<u8> = (0..7_340_033u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let lengths = [
            0,
            1,
            CHUNK_LEN,
            SERIAL_UP_TO,
            SERIAL_UP_TO + 1,
            SERIAL_UP_TO + CHUNK_LEN,
            2 * SERIAL_UP_TO - 1,
            2 * SERIAL_UP_TO,
            2 * SERIAL_UP_TO + 1,
            2_875_392,
            3 * SERIAL_UP_TO + PIECE / 2 + 7,
            input.len(),
        ];
        for len in lengths {
            assert_eq!(
                hash(&input[..len]),
                blake3::hash(&input[..len]),
                "{len} bytes"
            );
        }
    }
}
