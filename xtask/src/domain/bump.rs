//! The version bump conventional commits call for, and the check that a chosen bump is enough.
//!
//! | commit                         | from 1.0.0 on | below 1.0.0 (`0.y.z`) |
//! |--------------------------------|---------------|-----------------------|
//! | breaking (`!` or footer)       | Major         | Minor                 |
//! | `feat`                         | Minor         | Minor                 |
//! | anything else (`fix`, `docs`…) | Patch         | Patch                 |
//!
//! Below 1.0.0 the minor number plays the part of the major one (SemVer §4 leaves 0.y.z open;
//! Cargo treats `0.y` as the compatibility boundary), so a breaking change never forces 1.0.0:
//! leaving 0.x is a deliberate decision, not something a commit message triggers. `0.0.z` is
//! treated like `0.y.z`. A pre-release such as `1.0.0-rc.1` is judged by its major number; how a
//! level applies to a pre-release is the version module's business.

use super::conventional::Conventional;

pub use super::version::Level;

/// The level one commit calls for on its own, without the pre-1.0 adjustment.
pub fn level_for(c: &Conventional) -> Level {
    if c.breaking.is_some() {
        Level::Major
    } else if c.kind == "feat" {
        Level::Minor
    } else {
        Level::Patch
    }
}

/// Below 1.0.0, Major is capped to Minor (see the module docs).
fn adjusted(level: Level, current: &super::version::Version) -> Level {
    if current.major == 0 {
        level.min(Level::Minor)
    } else {
        level
    }
}

/// The level the commits call for together, after the pre-1.0 adjustment; `None` without commits.
pub fn required_level<'a>(
    commits: impl IntoIterator<Item = &'a Conventional>,
    current: &super::version::Version,
) -> Option<Level> {
    commits
        .into_iter()
        .map(|c| adjusted(level_for(c), current))
        .max()
}

/// The commits whose own level (after the pre-1.0 adjustment) exceeds `chosen`: a `feat` in a patch
/// release, a breaking change in a non-major release from 1.0.0 on. In input order.
pub fn offending<'a, T>(
    chosen: Level,
    current: &super::version::Version,
    commits: &'a [(T, Conventional)],
) -> Vec<&'a (T, Conventional)> {
    commits
        .iter()
        .filter(|(_, c)| adjusted(level_for(c), current) > chosen)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::conventional::parse;
    use super::*;

    fn v(s: &str) -> crate::domain::version::Version {
        crate::domain::version::Version::parse(s).unwrap()
    }

    fn commits(messages: &[&str]) -> Vec<Conventional> {
        messages.iter().map(|m| parse(m).unwrap()).collect()
    }

    #[track_caller]
    fn case(current: &str, messages: &[&str], want: Option<Level>) {
        let list = commits(messages);
        assert_eq!(
            required_level(&list, &v(current)),
            want,
            "{current} {messages:?}"
        );
    }

    #[test]
    fn single_commit_levels() {
        let table: &[(&str, Level)] = &[
            ("fix: x", Level::Patch),
            ("docs: x", Level::Patch),
            ("chore(deps): x", Level::Patch),
            ("perf: x", Level::Patch),
            ("feat: x", Level::Minor),
            ("Feat(ui): x", Level::Minor),
            ("feat!: x", Level::Major),
            ("fix!: x", Level::Major),
            ("chore: x\n\nBREAKING CHANGE: y", Level::Major),
            ("refactor: x\n\nBREAKING-CHANGE: y", Level::Major),
            (
                "fix: x\n\nBreaking-Change: not the real token",
                Level::Patch,
            ),
        ];
        for (message, want) in table {
            assert_eq!(level_for(&parse(message).unwrap()), *want, "{message:?}");
        }
    }

    #[test]
    fn required_levels() {
        case("1.2.3", &[], None);
        case("0.3.2", &[], None);
        case("1.2.3", &["fix: a", "docs: b"], Some(Level::Patch));
        case("1.2.3", &["fix: a", "feat: b"], Some(Level::Minor));
        case(
            "1.2.3",
            &["fix: a", "feat!: b", "feat: c"],
            Some(Level::Major),
        );
        case(
            "1.2.3",
            &["fix: a\n\nBREAKING CHANGE: z"],
            Some(Level::Major),
        );
        case("2.0.0-rc.1", &["feat!: b"], Some(Level::Major));
        // Below 1.0.0 nothing calls for Major.
        case("0.3.2", &["fix: a"], Some(Level::Patch));
        case("0.3.2", &["feat: a"], Some(Level::Minor));
        case("0.3.2", &["feat!: a"], Some(Level::Minor));
        case("0.3.2", &["fix: a", "fix!: b"], Some(Level::Minor));
        case("0.0.1", &["fix!: b"], Some(Level::Minor));
        case("0.1.0-dev", &["feat!: b"], Some(Level::Minor));
    }

    #[test]
    fn offending_commits() {
        let list: Vec<(usize, Conventional)> = commits(&[
            "fix: a",
            "feat: b",
            "feat(api)!: c",
            "docs: d",
            "chore: e\n\nBREAKING CHANGE: f",
        ])
        .into_iter()
        .enumerate()
        .collect();
        #[track_caller]
        fn check(list: &[(usize, Conventional)], chosen: Level, current: &str, want: &[usize]) {
            let got: Vec<usize> = offending(chosen, &v(current), list)
                .into_iter()
                .map(|(i, _)| *i)
                .collect();
            assert_eq!(got, want, "{chosen:?} from {current}");
        }
        check(&list, Level::Patch, "1.4.0", &[1, 2, 4]);
        check(&list, Level::Minor, "1.4.0", &[2, 4]);
        check(&list, Level::Major, "1.4.0", &[]);
        // 0.x: breaking changes fit in a minor release.
        check(&list, Level::Patch, "0.4.0", &[1, 2, 4]);
        check(&list, Level::Minor, "0.4.0", &[]);
        check(&list, Level::Major, "0.4.0", &[]);
        let fixes: Vec<(&str, Conventional)> = vec![("h1", parse("fix: a").unwrap())];
        assert!(offending(Level::Patch, &v("1.0.0"), &fixes).is_empty());
        let none: [((), Conventional); 0] = [];
        assert!(offending(Level::Patch, &v("1.0.0"), &none).is_empty());
    }

    #[test]
    fn levels_are_ordered() {
        assert!(Level::Patch < Level::Minor && Level::Minor < Level::Major);
    }
}
