//! Which commits are in a release: the one definition that the changelog, `release`, `version --next`,
//! `check` and `deprecations` share.
//!
//! Releases are ordered by version, not by where their tags sit, because release candidates and finals
//! live on release lines (`stable/1.4`) that the development branch never reaches:
//!
//! - The release before `X` is, for a final, the greatest earlier final (so a final's notes cover its
//!   release candidates), and for a pre-release the greatest earlier release of any kind.
//! - `X`'s commits are git's `PREV..X` (what `X` has that `PREV` had not), minus the changes `PREV`'s
//!   history already released through cherry-picks (`-x` lines, in either direction), minus the kit's own
//!   release and development commits.
//! - A branch's unreleased commits are the same with HEAD for `X` and, for `PREV`, the greatest release
//!   at or below the branch's version (its line's or an earlier line's), or the greatest release tag
//!   HEAD reaches when that is higher.
//!
//! Everything here works on plain data; `notes` gathers the facts from git.

use std::collections::HashSet;

use crate::domain::version::{self, Version};

/// The release before one of version `x`, as an index into `versions` (every release tag's version):
/// for a final, the greatest final below it; for a pre-release, the greatest release below it.
pub fn previous(versions: &[&Version], x: &Version) -> Option<usize> {
    greatest(versions, |v| {
        version::is_greater(x, v) && (v.is_final() || !x.is_final())
    })
}

/// The greatest release at or below `current` (the branch's version), as an index into `versions`: where
/// the branch's unreleased commits start, before the tags HEAD reaches are looked at (see
/// [`unreleased_base`]). `finals_only` asks for the greatest final one.
pub fn at_or_below(versions: &[&Version], current: &Version, finals_only: bool) -> Option<usize> {
    greatest(versions, |v| {
        !version::is_greater(v, current) && (v.is_final() || !finals_only)
    })
}

/// The tags above `floor` (all of them without one), greatest first: the ones to ask "does HEAD reach
/// you?" before settling on `floor` as the base of the unreleased commits. The first that HEAD reaches is
/// the base instead (the files lag behind a tag of their own line).
pub fn candidates_above(
    versions: &[&Version],
    floor: Option<usize>,
    finals_only: bool,
) -> Vec<usize> {
    let floor = floor.map(|i| versions[i]);
    let mut above: Vec<usize> = (0..versions.len())
        .filter(|&i| floor.is_none_or(|f| version::is_greater(versions[i], f)))
        .filter(|&i| versions[i].is_final() || !finals_only)
        .collect();
    above.sort_by(|&a, &b| version::release_cmp(versions[b], versions[a]));
    above
}

/// The base of a branch's unreleased commits: the greatest of `floor` (from [`at_or_below`]) and the
/// first of `candidates` (from [`candidates_above`]) that HEAD reaches, as `reaches` says.
pub fn unreleased_base(
    floor: Option<usize>,
    candidates: &[usize],
    mut reaches: impl FnMut(usize) -> bool,
) -> Option<usize> {
    candidates.iter().copied().find(|&i| reaches(i)).or(floor)
}

/// The index of the greatest version among those `wanted` accepts (the first of equal ones).
fn greatest(versions: &[&Version], wanted: impl Fn(&Version) -> bool) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, v) in versions.iter().enumerate() {
        if !wanted(v) {
            continue;
        }
        if best.is_none_or(|b| version::is_greater(v, versions[b])) {
            best = Some(i);
        }
    }
    best
}

/// What `PREV`'s history says about the cherry-picks of a range `PREV..X`.
#[derive(Debug, Default, Clone)]
pub struct Picks {
    /// The commits (full ids, lowercase) that a `-x` pick in `PREV`'s history (outside `X`'s) names: their
    /// change shipped in `PREV` as that pick.
    pub picked_before: HashSet<String>,
    /// The origins named by the range's own picks that `PREV`'s history holds: the change shipped in
    /// `PREV` as the original.
    pub origins_released: HashSet<String>,
}

impl Picks {
    /// Whether the commit `id`, whose `-x` lines name `origins`, brings a change `PREV` already released.
    pub fn released(&self, id: &str, origins: &[String]) -> bool {
        self.picked_before.contains(id) || origins.iter().any(|o| self.origins_released.contains(o))
    }
}

/// Whether a commit is one of the kit's own release or development commits, by its subject and the
/// patterns the message templates give (see `notes::options`).
pub fn is_kit_commit(message: &str, kit_subjects: &[regex_lite::Regex]) -> bool {
    let subject = message.lines().next().unwrap_or("");
    kit_subjects.iter().any(|p| p.is_match(subject))
}

/// Leaves out of each section (`lists[s]`, the commits of `pairs[s]` = `(tip, base)` from
/// [`Reach::sections`]) the changes its base's history already released through cherry-picks, as
/// [`Picks`] defines them: a commit whose `-x` origin the base reaches, or one that a pick on the base's
/// side (reached by the base, not by the tip) names. `ids[i]` and `origins[i]` are commit `i`'s id and `-x`
/// origins (lowercase); `index_of` finds a commit by id.
pub fn drop_released_picks(
    reach: &Reach,
    pairs: &[(Option<usize>, Option<usize>)],
    lists: &mut [Vec<usize>],
    ids: &[&str],
    origins: &[&[String]],
    index_of: impl Fn(&str) -> Option<usize>,
) {
    let picks_in_history: Vec<usize> = (0..origins.len())
        .filter(|&i| !origins[i].is_empty())
        .collect();
    if picks_in_history.is_empty() {
        return;
    }
    for (list, (tip, base)) in lists.iter_mut().zip(pairs) {
        let Some(base) = *base else {
            continue;
        };
        let mut picks = Picks::default();
        for &i in &picks_in_history {
            if reach.reaches(base, i) && !tip.is_some_and(|t| reach.reaches(t, i)) {
                picks.picked_before.extend(origins[i].iter().cloned());
            }
        }
        for &i in list.iter() {
            for origin in origins[i] {
                if index_of(origin).is_some_and(|o| reach.reaches(base, o)) {
                    picks.origins_released.insert(origin.clone());
                }
            }
        }
        if !picks.picked_before.is_empty() || !picks.origins_released.is_empty() {
            list.retain(|&i| !picks.released(ids[i], origins[i]));
        }
    }
}

/// Which of a set of commits ("points") reach each commit of a history, for many questions about the
/// same points: see [`Reach::new`].
pub struct Reach {
    len: usize,
    words: usize,
    points: Vec<usize>,
    reached: Vec<u64>,
}

impl Reach {
    /// Marks, for each commit of the history, which of `points` reach it: each commit records them as bits,
    /// set by one pass in topological order (children before parents). `parents[i]` lists commit `i`'s
    /// parents by index (parents outside the list are absent, as in a shallow clone).
    pub fn new(parents: &[Vec<usize>], points: &[usize]) -> Reach {
        let n = parents.len();
        let points: Vec<usize> = points
            .iter()
            .copied()
            .filter(|&i| i < n)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let words = points.len().div_ceil(64).max(1);
        let mut reached = vec![0u64; n * words];
        for (bit, &i) in points.iter().enumerate() {
            reached[i * words + bit / 64] |= 1 << (bit % 64);
        }
        for i in topological(parents) {
            for &p in &parents[i] {
                if p < n && p != i {
                    for w in 0..words {
                        let from = reached[i * words + w];
                        reached[p * words + w] |= from;
                    }
                }
            }
        }
        Reach {
            len: n,
            words,
            points,
            reached,
        }
    }

    /// The sections of a whole history in one pass: for each `(tip, base)` pair (both among the points),
    /// the commits reachable from `tip` and not from `base` (`base..tip`), as indices in history order.
    /// `None` for a tip means an empty section, for a base "no release before" (everything the tip
    /// reaches). The cost is linear in the history times the number of sections / 64.
    pub fn sections(&self, pairs: &[(Option<usize>, Option<usize>)]) -> Vec<Vec<usize>> {
        // Each pair's bits, looked up once.
        let bits: Vec<(Option<usize>, Option<usize>)> = pairs
            .iter()
            .map(|(t, b)| (t.and_then(|t| self.bit(t)), b.and_then(|b| self.bit(b))))
            .collect();
        let mut out = vec![Vec::new(); pairs.len()];
        for commit in 0..self.len {
            if !self.any(commit) {
                continue;
            }
            for (s, (tip, base)) in bits.iter().enumerate() {
                if tip.is_some_and(|t| self.has(commit, t))
                    && !base.is_some_and(|b| self.has(commit, b))
                {
                    out[s].push(commit);
                }
            }
        }
        out
    }

    /// Whether `point` (one of those given to [`Reach::new`]) reaches `commit`.
    pub fn reaches(&self, point: usize, commit: usize) -> bool {
        self.bit(point).is_some_and(|bit| self.has(commit, bit))
    }

    /// The bit that stands for `point`, if it is one.
    fn bit(&self, point: usize) -> Option<usize> {
        self.points.binary_search(&point).ok()
    }

    /// Whether the point of bit `bit` reaches `commit`.
    fn has(&self, commit: usize, bit: usize) -> bool {
        self.reached
            .get(commit * self.words + bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    /// Whether any point reaches `commit`.
    fn any(&self, commit: usize) -> bool {
        self.reached
            .get(commit * self.words..(commit + 1) * self.words)
            .is_some_and(|ws| ws.iter().any(|w| *w != 0))
    }
}

/// The commits in an order where each comes before its parents (Kahn's algorithm over the child counts),
/// whatever order the list was read in (dates can disagree with ancestry).
fn topological(parents: &[Vec<usize>]) -> Vec<usize> {
    let n = parents.len();
    let mut children = vec![0usize; n];
    for (i, ps) in parents.iter().enumerate() {
        for &p in ps {
            if p < n && p != i {
                children[p] += 1;
            }
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| children[i] == 0).rev().collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop() {
        order.push(i);
        for &p in &parents[i] {
            if p < n && p != i {
                children[p] -= 1;
                if children[p] == 0 {
                    ready.push(p);
                }
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        version::parse_any(text).unwrap()
    }

    #[test]
    fn previous_table() {
        let tags = [
            "1.3.0",
            "1.4.0-rc.1",
            "1.4.0",
            "1.4.1",
            "1.5.0-rc.1",
            "1.5.0-rc.2",
        ];
        let versions: Vec<Version> = tags.iter().map(|t| v(t)).collect();
        let refs: Vec<&Version> = versions.iter().collect();
        // (what, release, expected previous)
        let cases = [
            (
                "a final after its candidate reaches back to the last final",
                "1.4.0",
                Some("1.3.0"),
            ),
            (
                "a candidate follows the greatest earlier release",
                "1.4.0-rc.1",
                Some("1.3.0"),
            ),
            ("a patch on the line", "1.4.1", Some("1.4.0")),
            (
                "the next line's first candidate follows the line's last patch",
                "1.5.0-rc.1",
                Some("1.4.1"),
            ),
            (
                "a second candidate follows the first",
                "1.5.0-rc.2",
                Some("1.5.0-rc.1"),
            ),
            (
                "the next final covers both candidates",
                "1.5.0",
                Some("1.4.1"),
            ),
            ("the first release has none before it", "1.3.0", None),
            ("a version below every tag", "0.1.0", None),
        ];
        for (what, x, expected) in cases {
            let got = previous(&refs, &v(x)).map(|i| tags[i]);
            assert_eq!(got, expected, "{what}");
        }
    }

    #[test]
    fn unreleased_base_table() {
        let tags = ["1.3.0", "1.4.0-rc.1", "1.4.0", "1.4.1", "1.5.0-rc.1"];
        let versions: Vec<Version> = tags.iter().map(|t| v(t)).collect();
        let refs: Vec<&Version> = versions.iter().collect();
        // (what, the branch's version, tags HEAD reaches, finals only, expected base)
        type Case<'a> = (&'a str, &'a str, &'a [&'a str], bool, Option<&'a str>);
        let cases: &[Case] = &[
            (
                "main after the second cut",
                "1.6.0-dev",
                &["1.3.0"],
                false,
                Some("1.5.0-rc.1"),
            ),
            (
                "main, finals only",
                "1.6.0-dev",
                &["1.3.0"],
                true,
                Some("1.4.1"),
            ),
            (
                "the first line",
                "1.4.2-dev",
                &["1.3.0", "1.4.0", "1.4.1"],
                false,
                Some("1.4.1"),
            ),
            (
                "a line at its candidate",
                "1.5.0-rc.1",
                &["1.5.0-rc.1"],
                false,
                Some("1.5.0-rc.1"),
            ),
            (
                "files behind a reachable tag",
                "1.0.0",
                &["1.3.0"],
                false,
                Some("1.3.0"),
            ),
            ("before any release", "0.1.0-dev", &[], false, None),
        ];
        for (what, current, reached, finals, expected) in cases {
            let floor = at_or_below(&refs, &v(current), *finals);
            let candidates = candidates_above(&refs, floor, *finals);
            let got = unreleased_base(floor, &candidates, |i| reached.contains(&tags[i]))
                .map(|i| tags[i]);
            assert_eq!(got, *expected, "{what}");
        }
    }

    #[test]
    fn picks_released() {
        let mut picks = Picks::default();
        picks.picked_before.insert("aaa".into());
        picks.origins_released.insert("bbb".into());
        assert!(
            picks.released("aaa", &[]),
            "picked on the previous release's line"
        );
        assert!(
            picks.released("ccc", &["bbb".into()]),
            "a pick of a released commit"
        );
        assert!(
            !picks.released("ccc", &["ddd".into()]),
            "a pick of an unreleased commit"
        );
        assert!(!picks.released("ccc", &[]));
    }

    /// A history from `git log --graph`-like notation: each commit's parents as indices.
    fn graph(parents: &[&[usize]]) -> Vec<Vec<usize>> {
        parents.iter().map(|p| p.to_vec()).collect()
    }

    #[test]
    fn sections_table() {
        // Two lines: 0 main tip ← 1 ← 4 (cut point); 2 stable tip (1.4.1) ← 3 (1.4.0) ← 4; 4 ← 5 (1.3.0).
        let two_lines = graph(&[&[1], &[4], &[3], &[4], &[5], &[]]);
        // (what, parents, (tip, base) pairs, expected sections)
        type Case<'a> = (
            &'a str,
            Vec<Vec<usize>>,
            Vec<(Option<usize>, Option<usize>)>,
            Vec<Vec<usize>>,
        );
        let cases: Vec<Case> = vec![
            ("empty history", vec![], vec![(None, None)], vec![vec![]]),
            (
                "linear: each release since the one before",
                graph(&[&[1], &[2], &[3], &[]]),
                vec![(Some(3), None), (Some(1), Some(3)), (Some(0), Some(1))],
                vec![vec![3], vec![1, 2], vec![0]],
            ),
            (
                "two lines: main's unreleased excludes what the line released",
                two_lines.clone(),
                vec![(Some(0), Some(2)), (Some(3), Some(5)), (Some(2), Some(3))],
                vec![vec![0, 1], vec![3, 4], vec![2]],
            ),
            (
                "a base that is not an ancestor",
                two_lines,
                vec![(Some(2), Some(0))],
                vec![vec![2, 3]],
            ),
            (
                "a merge brings the side branch",
                // 0 merge(1, 2); 1 ← 3; 2 ← 3; 3 is the base
                graph(&[&[1, 2], &[3], &[3], &[]]),
                vec![(Some(0), Some(3))],
                vec![vec![0, 1, 2]],
            ),
            (
                "listed out of order (a child after its parent)",
                // 0 ← 2 ← 1: commit 1 is the root, listed before 2
                graph(&[&[2], &[], &[1]]),
                vec![(Some(0), Some(1))],
                vec![vec![0, 2]],
            ),
            (
                "no tip: an empty section",
                graph(&[&[]]),
                vec![(None, Some(0))],
                vec![vec![]],
            ),
        ];
        for (what, parents, pairs, expected) in cases {
            let points: Vec<usize> = pairs.iter().flat_map(|(t, b)| [*t, *b]).flatten().collect();
            let got = Reach::new(&parents, &points).sections(&pairs);
            assert_eq!(got, expected, "{what}");
        }
    }

    #[test]
    fn reach_answers_like_sections() {
        let parents = graph(&[&[1], &[4], &[3], &[4], &[5], &[]]);
        let reach = Reach::new(&parents, &[0, 2]);
        assert!(reach.reaches(0, 5) && reach.reaches(2, 5));
        assert!(reach.reaches(0, 1) && !reach.reaches(2, 1));
        assert!(!reach.reaches(0, 3) && reach.reaches(2, 3));
        assert!(!reach.reaches(7, 0), "not a point");
    }

    #[test]
    fn many_sections_on_a_long_history() {
        // 100,000 commits in a line, a release every 500: each section holds its 500 commits.
        let n = 100_000;
        let parents: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        let tips: Vec<usize> = (0..n).step_by(500).collect();
        let pairs: Vec<(Option<usize>, Option<usize>)> = tips
            .iter()
            .map(|&t| (Some(t), (t + 500 < n).then_some(t + 500)))
            .collect();
        let points: Vec<usize> = pairs.iter().flat_map(|(t, b)| [*t, *b]).flatten().collect();
        let out = Reach::new(&parents, &points).sections(&pairs);
        assert!(out.iter().all(|s| s.len() == 500));
    }

    #[test]
    fn released_picks_leave_their_sections() {
        // Two lines from 4: main 0 (F2) ← 1 (F, a fix) ← 4; the line 2 (rel) ← 3 (F', pick of F) ← 4.
        // A section main since the line's release (`2..0`) holds 0 and 1; F shipped as F', so 1 goes.
        // The line's own section (`4..2`) holds 2 and 3; 3 is a pick of an unreleased commit: it stays.
        let parents = graph(&[&[1], &[4], &[3], &[4], &[]]);
        let pairs = [(Some(0), Some(2)), (Some(2), Some(4))];
        let points: Vec<usize> = vec![0, 2, 4];
        let reach = Reach::new(&parents, &points);
        let mut lists = reach.sections(&pairs);
        assert_eq!(lists, vec![vec![0, 1], vec![2, 3]]);
        let ids = ["c0", "c1", "c2", "c3", "c4"];
        let none: Vec<String> = Vec::new();
        let picked = vec!["c1".to_string()];
        let origins: Vec<&[String]> = vec![&none, &none, &none, &picked, &none];
        let index_of = |id: &str| ids.iter().position(|i| *i == id);
        drop_released_picks(&reach, &pairs, &mut lists, &ids, &origins, index_of);
        assert_eq!(lists, vec![vec![0], vec![2, 3]]);
    }
}
