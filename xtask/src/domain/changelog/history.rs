//! Splitting a history into releases: the oldest release that contains each commit.
//!
//! The history is a list of commits (newest first, as `git log` lists them) where each commit names
//! its parents by their place in the list. Working on indices keeps this free of git and lets a
//! 100,000-commit history be split in one pass.

/// For each commit, the release it first appeared in: the index into `releases` of the oldest
/// release whose tagged commit reaches it, or `None` for a commit in no release (unreleased).
///
/// `parents[i]` lists the indices of commit `i`'s parents (parents outside the list, as in a shallow
/// clone, are simply absent). `releases[r]` is the index of release `r`'s tagged commit, releases
/// ordered oldest first; `None` for a release whose commit is not in the list. Several releases may
/// tag one commit: it belongs to the first of them.
///
/// Each commit is visited once, so the cost is linear in the history.
pub fn owners(parents: &[Vec<usize>], releases: &[Option<usize>]) -> Vec<Option<usize>> {
    let mut owner: Vec<Option<usize>> = vec![None; parents.len()];
    let mut stack = Vec::new();
    for (release, start) in releases.iter().enumerate() {
        let Some(start) = *start else {
            continue;
        };
        stack.push(start);
        while let Some(i) = stack.pop() {
            // A commit already owned was reached from an older release, and so were its ancestors.
            match owner.get_mut(i) {
                Some(slot @ None) => *slot = Some(release),
                _ => continue,
            }
            if let Some(ps) = parents.get(i) {
                stack.extend(ps.iter().copied().filter(|&p| owner.get(p) == Some(&None)));
            }
        }
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A history from `git log --graph`-like notation: each commit's parents as indices.
    fn graph(parents: &[&[usize]]) -> Vec<Vec<usize>> {
        parents.iter().map(|p| p.to_vec()).collect()
    }

    #[test]
    fn owners_table() {
        // (what, parents per commit (newest first), tagged commit per release (oldest first), expected)
        type Case<'a> = (
            &'a str,
            &'a [&'a [usize]],
            &'a [Option<usize>],
            &'a [Option<usize>],
        );
        let cases: &[Case] = &[
            ("empty history", &[], &[], &[]),
            ("no releases", &[&[1], &[]], &[], &[None, None]),
            (
                "linear, one release below the tip",
                &[&[1], &[2], &[]],
                &[Some(1)],
                &[None, Some(0), Some(0)],
            ),
            (
                "linear, two releases",
                // 0 ← 1 (v2) ← 2 ← 3 (v1) ← 4
                &[&[1], &[2], &[3], &[4], &[]],
                &[Some(3), Some(1)],
                &[None, Some(1), Some(1), Some(0), Some(0)],
            ),
            (
                "two tags on one commit: the older release owns it",
                &[&[1], &[]],
                &[Some(0), Some(0)],
                &[Some(0), Some(0)],
            ),
            (
                "a merged branch belongs to the release that merged it",
                // 0 merge(1, 2); 1 ← 3; 2 ← 3 (side branch); 3 is v1; 0 is v2
                &[&[1, 2], &[3], &[3], &[]],
                &[Some(3), Some(0)],
                &[Some(1), Some(1), Some(1), Some(0)],
            ),
            (
                "a release line's tag does not own main's newer commits",
                // 0 (main tip) ← 1 ← 3; 2 (stable tip, v1.0.1) ← 3 (v1.0.0)
                &[&[1], &[3], &[3], &[]],
                &[Some(3), Some(2)],
                &[None, None, Some(1), Some(0)],
            ),
            (
                "a release whose commit is not in the list is skipped",
                &[&[1], &[]],
                &[None, Some(1)],
                &[None, Some(1)],
            ),
            (
                "parents outside the list (a shallow clone) are ignored",
                &[&[1], &[7]],
                &[Some(0)],
                &[Some(0), Some(0)],
            ),
            (
                "an out-of-range release start is ignored",
                &[&[]],
                &[Some(5)],
                &[None],
            ),
        ];
        for (what, parents, releases, expected) in cases {
            assert_eq!(&owners(&graph(parents), releases), expected, "{what}");
        }
    }

    #[test]
    fn a_long_chain_does_not_recurse() {
        let n = 200_000;
        let parents: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        let owner = owners(&parents, &[Some(n / 2)]);
        assert_eq!(owner[n / 2 - 1], None);
        assert!(owner[n / 2..].iter().all(|o| *o == Some(0)));
    }
}
