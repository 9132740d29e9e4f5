//! BLAKE3 of the artifact, hashed by the thread that loads it with help
//! from the thread that started the load.
//!
//! Every process hashes the artifact (about 2.9 MB) before its first
//! sandbox can run, on the background thread `require "kobako"` starts
//! (ext/kobako/src/artifact.rs), where it took ~1 ms of the cold start's
//! critical path while Ruby's own thread, having loaded the library, sat
//! waiting for it. So the thread that starts the load hashes a share of
//! the file from its end before it goes back to Ruby, and the loading
//! thread hashes the rest from the front.
//!
//! BLAKE3 is a tree: independent subtrees hash separately and their
//! chaining values merge into the same root hash. The input is split into
//! subtrees of at most [`PIECE`] bytes along the tree's own boundaries;
//! each piece is claimed by one thread (the loader from the front, the
//! helper from the back), and the values merge back up the same tree. The
//! result is `blake3::hash`'s, byte for byte (tested below).

use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use blake3::hazmat::{
    left_subtree_len, merge_subtrees_non_root, merge_subtrees_root, ChainingValue, HasherExt, Mode,
};
use blake3::{Hash, Hasher, CHUNK_LEN};

/// The largest piece hashed as one unit.
const PIECE: usize = 256 << 10;

/// One input's hash, shared by the thread that finishes it and a helper.
pub(crate) struct SplitHash<B> {
    input: Arc<B>,
    /// Empty when the input is one piece or less: then it is hashed whole.
    pieces: Vec<Range<usize>>,
    claims: Mutex<Claims>,
    /// Signalled when the helper finishes a piece.
    helped: Condvar,
}

struct Claims {
    /// The next piece from the front, and one past the next from the back:
    /// the pieces between are unclaimed.
    front: usize,
    back: usize,
    /// Whether the helper is hashing a piece it claimed.
    helping: bool,
    values: Vec<Option<ChainingValue>>,
}

impl<B: AsRef<[u8]>> SplitHash<B> {
    pub(crate) fn new(input: Arc<B>) -> Self {
        let bytes = (*input).as_ref();
        let mut pieces = Vec::new();
        if bytes.len() > PIECE {
            split(bytes, 0, &mut pieces);
        }
        let claims = Claims {
            front: 0,
            back: pieces.len(),
            helping: false,
            values: vec![None; pieces.len()],
        };
        SplitHash {
            input,
            pieces,
            claims: Mutex::new(claims),
            helped: Condvar::new(),
        }
    }

    /// The input this hash is of.
    pub(crate) fn input(&self) -> &Arc<B> {
        &self.input
    }

    fn bytes(&self) -> &[u8] {
        (*self.input).as_ref()
    }

    fn claims(&self) -> MutexGuard<'_, Claims> {
        // A poisoned lock still holds consistent claims: every write to
        // them is a single assignment.
        self.claims.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn hash_piece(&self, index: usize) -> ChainingValue {
        let piece = self.pieces[index].clone();
        piece_cv(piece.start, &self.bytes()[piece])
    }

    /// Hashes unclaimed pieces from the back until about `share` of the
    /// input (a fraction) is done or none is left.
    pub(crate) fn help(&self, share: f64) {
        let budget = (self.bytes().len() as f64 * share) as usize;
        let mut done = 0;
        while done < budget {
            let index = {
                let mut claims = self.claims();
                if claims.front >= claims.back {
                    return;
                }
                claims.back -= 1;
                claims.helping = true;
                claims.back
            };
            // Whatever happens while hashing, the loader must not wait for
            // this piece forever.
            let release = Release(self);
            let value = self.hash_piece(index);
            self.claims().values[index] = Some(value);
            drop(release);
            done += self.pieces[index].len();
        }
    }

    /// The input's hash: hashes every piece nobody claimed, from the front,
    /// then waits for the helper's piece in progress, if any.
    pub(crate) fn finish(&self) -> Hash {
        if self.pieces.is_empty() {
            return blake3::hash(self.bytes());
        }
        loop {
            let index = {
                let mut claims = self.claims();
                if claims.front < claims.back {
                    claims.front += 1;
                    claims.front - 1
                } else {
                    while claims.helping {
                        claims = self
                            .helped
                            .wait(claims)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                    break;
                }
            };
            let value = self.hash_piece(index);
            self.claims().values[index] = Some(value);
        }
        let claims = self.claims();
        // A piece the helper gave up on (it cannot, short of a panic while
        // hashing) is hashed here.
        let mut values = claims
            .values
            .iter()
            .enumerate()
            .map(|(index, value)| value.unwrap_or_else(|| self.hash_piece(index)));
        let (_, left, right) = halves(self.bytes());
        let left = merge(left, &mut values);
        let right = merge(right, &mut values);
        merge_subtrees_root(&left, &right, Mode::Hash)
    }
}

/// Marks the helper's piece as no longer in progress, and wakes the loader.
struct Release<'a, B: AsRef<[u8]>>(&'a SplitHash<B>);

impl<B: AsRef<[u8]>> Drop for Release<'_, B> {
    fn drop(&mut self) {
        self.0.claims().helping = false;
        self.0.helped.notify_all();
    }
}

/// The pieces of the subtree `input` (starting `offset` bytes into the
/// whole), as ranges of the whole, in order: the subtree itself if small
/// enough, else those of its two children.
fn split(input: &[u8], offset: usize, pieces: &mut Vec<Range<usize>>) {
    if input.len() <= PIECE {
        pieces.push(offset..offset + input.len());
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

    fn input() -> Vec<u8> {
        // Deterministic bytes that differ at every position that matters.
        (0..7_340_033u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect()
    }

    const LENGTHS: [usize; 11] = [
        0,
        1,
        CHUNK_LEN,
        PIECE,
        PIECE + 1,
        PIECE + CHUNK_LEN,
        2 * PIECE + 1,
        1 << 20,
        2_875_392,
        3 * (1 << 20) + PIECE / 2 + 7,
        7_340_033,
    ];

    #[test]
    fn hashes_as_blake3_does_with_and_without_help() {
        let input = input();
        for len in LENGTHS {
            let expected = blake3::hash(&input[..len]);
            for share in [0.0, 0.25, 0.5, 1.0] {
                let hash = SplitHash::new(Arc::new(input[..len].to_vec()));
                hash.help(share);
                assert_eq!(hash.finish(), expected, "{len} bytes, {share} helped");
            }
        }
    }

    #[test]
    fn a_helper_on_another_thread_gives_the_same_hash() {
        let input = input();
        for len in LENGTHS {
            let hash = Arc::new(SplitHash::new(Arc::new(input[..len].to_vec())));
            let helper = {
                let hash = Arc::clone(&hash);
                std::thread::spawn(move || hash.help(0.5))
            };
            assert_eq!(hash.finish(), blake3::hash(&input[..len]), "{len} bytes");
            helper.join().unwrap();
        }
    }

    #[test]
    fn the_helper_takes_about_its_share_from_the_back() {
        let input = Arc::new(input()[..2_875_392].to_vec());
        let hash = SplitHash::new(Arc::clone(&input));
        hash.help(0.25);
        let claims = hash.claims();
        let helped: usize = hash.pieces[claims.back..]
            .iter()
            .map(ExactSizeIterator::len)
            .sum();
        assert!(claims.front == 0 && claims.back < hash.pieces.len());
        assert!(
            helped >= input.len() / 4 && helped < input.len() / 4 + PIECE,
            "{helped}"
        );
        assert!(claims.values[claims.back..].iter().all(Option::is_some));
    }
}
