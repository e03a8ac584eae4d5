//! The order in which a history walk's commits are read ahead from a pack (see `ops::prefetch`).
//!
//! A pack's commits, sorted by their place in the pack, lie in walk order (newest first from `git
//! pack-objects`, oldest first from `git fast-import`). The walk enters at one index and moves away from it; the
//! read-ahead starts at the far end and comes towards the walk, so that the two meet and neither reads a commit
//! the other has read.

/// The type number of a commit in a pack entry's first byte (bits 4–6; git's `OBJ_COMMIT`).
const PACKED_COMMIT: u8 = 1;

/// Whether a pack entry whose first byte is `first` is a commit (not a delta of one: git does not store
/// commits as deltas of each other unless asked, and a delta is simply left to the walk).
pub fn is_commit_entry(first: u8) -> bool {
    (first >> 4) & 0b111 == PACKED_COMMIT
}

/// Where the walk enters a pack of `len` commits whose `head` is not in it (the newest commits are loose or in
/// a smaller pack): at the end holding the newer commit.
pub fn entry_point(len: usize, first_is_newer: bool) -> usize {
    if first_is_newer {
        0
    } else {
        len.saturating_sub(1)
    }
}

/// The commits to read ahead, as `(distance from the walk's entry, index)`, the farthest first: those on the
/// longer side of `start`, which the walk reaches last.
pub fn far_end_first(len: usize, start: usize) -> Vec<(usize, usize)> {
    if len == 0 || start >= len {
        return Vec::new();
    }
    if start >= len / 2 {
        (0..start).map(|i| (start - i, i)).collect()
    } else {
        (start + 1..len).rev().map(|i| (i - start, i)).collect()
    }
}

/// Whether the read-ahead should stop before the commit at `distance`: the walk, `walked` commits in, is
/// within `margin` of it and will read it itself.
pub fn walk_is_near(walked: usize, distance: usize, margin: usize) -> bool {
    walked + margin >= distance
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

    /// A pack of `len` commits, the walk's entry, and the `(distance, index)` pairs to read.
    type Case = (usize, usize, &'static [(usize, usize)]);

    #[test]
    fn the_far_end_comes_first() {
        let table: &[Case] = &[
            // Oldest first in the pack (fast-import): the walk enters at the end and goes down.
            (5, 4, &[(4, 0), (3, 1), (2, 2), (1, 3)]),
            // Newest first (pack-objects): the walk enters at 0 and goes up.
            (5, 0, &[(4, 4), (3, 3), (2, 2), (1, 1)]),
            // Entering in the middle: the longer side.
            (6, 4, &[(4, 0), (3, 1), (2, 2), (1, 3)]),
            (6, 1, &[(4, 5), (3, 4), (2, 3), (1, 2)]),
            (1, 0, &[]),
            (0, 0, &[]),
            (3, 7, &[]),
        ];
        for (len, start, expected) in table {
            assert_eq!(
                far_end_first(*len, *start),
                *expected,
                "len {len}, start {start}"
            );
        }
    }

    #[test]
    fn entry_points_and_meeting() {
        assert_eq!(entry_point(10, true), 0);
        assert_eq!(entry_point(10, false), 9);
        assert_eq!(entry_point(0, false), 0);
        assert!(!walk_is_near(0, 500, 128));
        assert!(walk_is_near(372, 500, 128));
        assert!(walk_is_near(400, 500, 128));
    }
}
