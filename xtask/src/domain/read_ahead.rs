//! Which commits of a pack a history walk's read-ahead takes, and in what order (see `ops::prefetch`).
//!
//! A pack's commits, sorted by their place in the pack, lie in walk order (newest first from `git
//! pack-objects`, oldest first from `git fast-import`). The walk enters at one place and moves away from it;
//! the read-ahead starts at the far end of the longer side and comes towards the walk, so that the two meet
//! and neither reads a commit the other has read. Only that side's entries are looked at: the pages of the
//! other side are the walk's, and a page both read is counted twice in the process's memory. For the same
//! reason the read-ahead reads the ids of its commits from the index file ([`id_position`]) rather than
//! through its map of it, whose pages of ids the object database has read through its own.

/// The type number of a commit in a pack entry's first byte (bits 4–6; git's `OBJ_COMMIT`).
const PACKED_COMMIT: u8 = 1;

/// Whether a pack entry whose first byte is `first` is a commit (not a delta of one: git does not store
/// commits as deltas of each other unless asked, and a delta is simply left to the walk).
pub fn is_commit_entry(first: u8) -> bool {
    (first >> 4) & 0b111 == PACKED_COMMIT
}

/// A side of the pack, by offset, from the place where the walk enters it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The entries before the walk's entry point (lower offsets), read from the start of the pack upwards.
    Below,
    /// The entries after it, read from the end of the pack downwards.
    Above,
}

/// The side the read-ahead takes when the walk enters at an entry with `below` entries before it and `above`
/// after it: the longer one, which the walk reaches last.
pub fn far_side(below: usize, above: usize) -> Side {
    if below >= above {
        Side::Below
    } else {
        Side::Above
    }
}

/// The side the read-ahead takes when the walk's first commit is not in the pack (the newest commits are
/// loose or in a smaller pack): the walk enters at the end holding the newer commit, and the read-ahead
/// starts from the other.
pub fn far_side_of_newer_end(first_is_newer: bool) -> Side {
    if first_is_newer {
        Side::Above
    } else {
        Side::Below
    }
}

/// Where the object id of entry `index` lies in a pack index file (`.idx`) of `version` 1 or 2, for ids of
/// `hash_len` bytes: version 2 has an 8-byte header, the 256 fan-out counts, then the ids; version 1 the
/// counts, then a 4-byte offset before each id.
pub fn id_position(version: u32, index: u32, hash_len: usize) -> u64 {
    let (fan_out, index, hash_len) = (256 * 4, u64::from(index), hash_len as u64);
    if version == 1 {
        fan_out + index * (4 + hash_len) + 4
    } else {
        8 + fan_out + index * hash_len
    }
}

/// Bits of a [`key`] that hold the index entry.
const INDEX_BITS: u32 = 24;

/// One number for a pack entry's offset and its place in the index, ordered by offset: the read-ahead sorts
/// a whole side of a pack, eight bytes an entry. `None` for a pack too large for it (a terabyte, or more than
/// 16 million objects), which is then not read ahead.
pub fn key(offset: u64, index: u32) -> Option<u64> {
    (offset < 1 << (64 - INDEX_BITS) && index < 1 << INDEX_BITS)
        .then_some(offset << INDEX_BITS | u64::from(index))
}

/// The offset and index entry of a [`key`].
pub fn unkey(key: u64) -> (u64, u32) {
    (key >> INDEX_BITS, (key & ((1 << INDEX_BITS) - 1)) as u32)
}

/// Puts `keys` (of one side) in the order the read-ahead reads them: the far end of the pack first.
pub fn far_end_first(keys: &mut [u64], side: Side) {
    match side {
        Side::Below => keys.sort_unstable(),
        Side::Above => keys.sort_unstable_by(|a, b| b.cmp(a)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_entries_by_their_first_byte() {
        // Type in bits 4–6, the size's low bits below, the continuation bit on top.
        for (byte, commit) in [
            (0b0001_0101, true),
            (0b1001_1111, true),
            (0b0010_0000, false), // tree
            (0b0011_0000, false), // blob
            (0b0100_0000, false), // tag
            (0b0110_0000, false), // offset delta
            (0b0111_0000, false), // reference delta
        ] {
            assert_eq!(is_commit_entry(byte), commit, "{byte:08b}");
        }
    }

    #[test]
    fn the_longer_side_is_read_ahead() {
        let table: &[(usize, usize, Side)] = &[
            // Oldest first in the pack (fast-import): the walk enters at the end and goes down.
            (4, 0, Side::Below),
            // Newest first (pack-objects): the walk enters at the start and goes up.
            (0, 4, Side::Above),
            // Entering in the middle: the longer side; a tie goes below.
            (4, 1, Side::Below),
            (1, 4, Side::Above),
            (2, 2, Side::Below),
            (0, 0, Side::Below),
        ];
        for (below, above, side) in table {
            assert_eq!(
                far_side(*below, *above),
                *side,
                "{below} below, {above} above"
            );
        }
        assert_eq!(far_side_of_newer_end(true), Side::Above);
        assert_eq!(far_side_of_newer_end(false), Side::Below);
    }

    #[test]
    fn the_far_end_comes_first() {
        let keys = |pairs: &[(u64, u32)]| -> Vec<u64> {
            pairs.iter().map(|&(o, i)| key(o, i).unwrap()).collect()
        };
        let mut below = keys(&[(30, 2), (10, 7), (20, 1)]);
        far_end_first(&mut below, Side::Below);
        assert_eq!(below, keys(&[(10, 7), (20, 1), (30, 2)]));
        let mut above = keys(&[(30, 2), (10, 7), (20, 1)]);
        far_end_first(&mut above, Side::Above);
        assert_eq!(above, keys(&[(30, 2), (20, 1), (10, 7)]));
    }

    #[test]
    fn ids_in_index_files() {
        for (version, index, hash_len, at) in [
            (2, 0, 20, 1032),
            (2, 3, 20, 1092),
            (2, 3, 32, 1128),
            (1, 0, 20, 1028),
            (1, 2, 20, 1076),
        ] {
            assert_eq!(
                id_position(version, index, hash_len),
                at,
                "v{version} #{index}"
            );
        }
    }

    #[test]
    fn keys_hold_offset_and_index() {
        for (offset, index) in [
            (0, 0),
            (12, 5),
            ((1 << 40) - 1, (1 << 24) - 1),
            (1 << 32, 397_112),
        ] {
            assert_eq!(unkey(key(offset, index).unwrap()), (offset, index));
        }
        assert_eq!(key(1 << 40, 0), None);
        assert_eq!(key(0, 1 << 24), None);
    }
}
