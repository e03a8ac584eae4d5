//! Which commits of a pack a history walk's read-ahead takes, and in what order (see `ops::prefetch`).
//!
//! A pack's commits, sorted by their place in the pack, lie in walk order (newest first from `git
//! pack-objects`, oldest first from `git fast-import`). The walk enters at one place and moves away from it;
//! the read-ahead starts at the far end of the longer side and comes towards the walk, so that the two meet
//! and neither reads a commit the other has read. Only that side's entries are looked at: the pages of the
//! other side are the walk's, and a page both read is counted twice in the process's memory.

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

/// Puts `entries` (`(pack offset, index entry)` of one side) in the order the read-ahead reads them: the
/// far end of the pack first.
pub fn far_end_first(entries: &mut [(u64, u32)], side: Side) {
    match side {
        Side::Below => entries.sort_unstable(),
        Side::Above => entries.sort_unstable_by(|a, b| b.cmp(a)),
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
        let mut below = vec![(30, 2), (10, 0), (20, 1)];
        far_end_first(&mut below, Side::Below);
        assert_eq!(below, [(10, 0), (20, 1), (30, 2)]);
        let mut above = vec![(30, 2), (10, 0), (20, 1)];
        far_end_first(&mut above, Side::Above);
        assert_eq!(above, [(30, 2), (20, 1), (10, 0)]);
    }
}
