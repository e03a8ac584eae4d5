//! Release lines: the `stable/X.Y` branch of each minor release, what may be released on it, and
//! which fixes on the development branch it still lacks.

use std::collections::HashSet;

use super::changelog::CommitInfo;
use super::conventional;
use super::version::Version;
use crate::domain::rules::Pattern;

/// `release.line_branch`: a branch name with `{{ major }}` and `{{ minor }}`, such as
/// `stable/{{ major }}.{{ minor }}` or `release-v{{ major }}.{{ minor }}`.
#[derive(Debug, Clone)]
pub struct LineTemplate {
    pattern: Pattern,
}

impl LineTemplate {
    /// Reads the template; both numbers must appear and nothing may be a wildcard, so that every
    /// `X.Y` has exactly one line branch and every line branch names its `X.Y`.
    pub fn parse(text: &str) -> Result<LineTemplate, String> {
        let pattern = Pattern::parse(text).map_err(|e| e.to_string())?;
        if !pattern.names_major_and_minor() || text.contains('*') {
            return Err(format!(
                "{text:?} must name one branch per release line, with both {{{{ major }}}} and \
                 {{{{ minor }}}} and no `*`, e.g. \"stable/{{{{ major }}}}.{{{{ minor }}}}\""
            ));
        }
        Ok(LineTemplate { pattern })
    }

    pub fn as_str(&self) -> &str {
        self.pattern.as_str()
    }

    /// The `X.Y` whose line `branch` is, or `None` when it is no line branch.
    pub fn line_of(&self, branch: &str) -> Option<(u64, u64)> {
        let numbers = self.pattern.matches(branch)?;
        Some((numbers.major?, numbers.minor?))
    }

    /// The branch of the line `major.minor`.
    pub fn name(&self, major: u64, minor: u64) -> String {
        self.pattern.for_release(major, minor)
    }
}

/// Why `new` may not be released on the line `major.minor` (branch `branch`), if it may not: only
/// that line's versions are released there; minor and major releases come from the development
/// branch. Not overridable: a line that released `1.5.0` would no longer be the line of 1.4.
pub fn off_line(branch: &str, (major, minor): (u64, u64), new: &Version) -> Option<String> {
    (new.major != major || new.minor != minor).then(|| {
        format!(
            "{branch} is the release line of {major}.{minor}: only {major}.{minor}.* versions are \
             released there, not {new}: release minor and major versions from the development \
             branch (--force does not change this)"
        )
    })
}

/// Why a line cannot be cut from `development` at `current`, if it cannot: a line is cut for a minor
/// release `X.Y.0`, so the development branch must be at a pre-release of it (`1.4.0-dev`) or at an
/// unreleased `X.Y.0` (`released`: a tag names that `X.Y.Z`).
pub fn cut_problem(development: &str, current: &Version, released: bool) -> Option<String> {
    let next = format!(
        "{}.{}.0-dev",
        current.major,
        current.minor.saturating_add(1)
    );
    if current.patch != 0 {
        Some(format!(
            "{development} is at {current}: a line is cut for a minor release X.Y.0; set the next \
             minor's development version first, e.g. `cargo xtask bump {next}`"
        ))
    } else if current.is_final() && released {
        Some(format!(
            "{current} is released already: cut the line for the next minor after setting its \
             version, e.g. `cargo xtask bump {next}`"
        ))
    } else {
        None
    }
}

/// One commit the development branch has and the line lacks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub id: String,
    pub short_id: String,
    pub kind: String,
    pub subject: String,
}

/// The commits to offer for backporting, oldest first: on the development branch since the line
/// was cut (`development`, newest first), of one of `types`, and not yet on the line — neither
/// cherry-picked with `-x` (the trailers of `line`'s own commits) nor the same patch (`equivalent`:
/// the development commits whose patch the line already has, as `git cherry` tells).
pub fn backport_candidates(
    development: &[CommitInfo],
    line: &[CommitInfo],
    equivalent: &HashSet<String>,
    types: &[String],
) -> Vec<Candidate> {
    let picked: HashSet<&str> = line
        .iter()
        .flat_map(|c| conventional::cherry_pick_origins(&c.message))
        .collect();
    development
        .iter()
        .rev()
        .filter(|c| c.parent_count <= 1)
        .filter(|c| !equivalent.contains(&c.id))
        .filter(|c| !picked.iter().any(|origin| same_commit(origin, &c.id)))
        .filter_map(|c| {
            let parsed = conventional::parse(&c.message).ok()?;
            let kind = parsed.kind.to_ascii_lowercase();
            types
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&kind))
                .then(|| Candidate {
                    id: c.id.clone(),
                    short_id: c.short_id.clone(),
                    kind,
                    subject: conventional::subject(&c.message).to_string(),
                })
        })
        .collect()
}

/// A `(cherry picked from commit …)` trailer may abbreviate the id.
fn same_commit(origin: &str, id: &str) -> bool {
    origin.len() >= 7 && id.starts_with(origin)
}

/// What undoing an interrupted `branch cut` does with one ref it made: the ref as it is `now`, the values the
/// cut left on it (`made`).
#[derive(Debug, PartialEq, Eq)]
pub enum RefUndo {
    /// Gone already: nothing to do.
    Gone,
    /// Still what the cut left: delete it (compare-and-swap on this value).
    Delete(String),
    /// Moved since (someone committed or tagged): left alone, for the user to judge.
    Moved(String),
}

pub fn ref_undo(now: Option<&str>, made: &[&str]) -> RefUndo {
    match now {
        None => RefUndo::Gone,
        Some(value) if made.contains(&value) => RefUndo::Delete(value.to_string()),
        Some(value) => RefUndo::Moved(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template() -> LineTemplate {
        LineTemplate::parse("stable/{{ major }}.{{ minor }}").unwrap()
    }

    #[test]
    fn templates_name_and_recognise_lines() {
        let t = template();
        assert_eq!(t.name(1, 4), "stable/1.4");
        assert_eq!(t.line_of("stable/1.4"), Some((1, 4)));
        assert_eq!(t.line_of("stable/10.20"), Some((10, 20)));
        assert_eq!(t.line_of("stable/1"), None);
        assert_eq!(t.line_of("main"), None);
        assert_eq!(t.line_of("stable/1.4.1"), None);
        let pre_one = LineTemplate::parse("release-v{{major}}.{{ minor }}").unwrap();
        assert_eq!(pre_one.name(0, 3), "release-v0.3");
        assert_eq!(pre_one.line_of("release-v0.3"), Some((0, 3)));
        for bad in [
            "stable/{{ major }}",
            "stable/*",
            "main",
            "stable/{{ minor }}",
        ] {
            assert!(LineTemplate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_the_lines_own_versions_are_released_there() {
        let v = |s: &str| Version::parse(s).unwrap();
        let table = [
            ("1.4.0-rc.1", true),
            ("1.4.0", true),
            ("1.4.7", true),
            ("1.5.0", false),
            ("2.0.0", false),
            ("1.3.9", false),
        ];
        for (version, allowed) in table {
            let problem = off_line("stable/1.4", (1, 4), &v(version));
            assert_eq!(problem.is_none(), allowed, "{version}: {problem:?}");
        }
        let message = off_line("stable/1.4", (1, 4), &v("1.5.0")).unwrap();
        assert!(
            message.contains("stable/1.4 is the release line of 1.4"),
            "{message}"
        );
    }

    #[test]
    fn a_line_is_cut_for_an_unreleased_minor() {
        let v = |s: &str| Version::parse(s).unwrap();
        let table: [(&str, bool, Option<&str>); 6] = [
            ("1.4.0-dev", false, None),
            ("1.4.0-rc.1", true, None),
            ("1.4.0", false, None),
            ("1.4.0", true, Some("1.4.0 is released already")),
            ("1.3.1-dev", false, Some("main is at 1.3.1-dev")),
            ("1.3.2", true, Some("bump 1.4.0-dev")),
        ];
        for (current, released, want) in table {
            let got = cut_problem("main", &v(current), released);
            match (got, want) {
                (None, None) => {}
                (Some(got), Some(want)) => assert!(got.contains(want), "{current}: {got}"),
                (got, want) => panic!("{current}: got {got:?}, want {want:?}"),
            }
        }
    }

    fn commit(id: &str, message: &str) -> CommitInfo {
        CommitInfo {
            id: id.repeat(40 / id.len()),
            short_id: id.to_string(),
            message: message.into(),
            author_name: "A".into(),
            author_email: "a@x".into(),
            time: 0,
            parent_count: 1,
        }
    }

    #[test]
    fn candidates_skip_what_the_line_has() {
        let development = vec![
            commit("eeee", "fix: e already picked"),
            commit("dddd", "docs: d"),
            commit("cccc", "fix: c same patch"),
            commit("bbbb", "perf: b faster"),
            commit("aaaa", "feat: a new"),
            commit("9999", "fix(io)!: breaking fix"),
        ];
        let line = vec![commit(
            "1111",
            &format!(
                "fix: e already picked\n\n(cherry picked from commit {})",
                "eeee".repeat(10)
            ),
        )];
        let equivalent: HashSet<String> = ["cccc".repeat(10)].into_iter().collect();
        let types = vec!["fix".to_string(), "perf".to_string()];
        let got: Vec<String> = backport_candidates(&development, &line, &equivalent, &types)
            .into_iter()
            .map(|c| c.short_id)
            .collect();
        assert_eq!(got, ["9999", "bbbb"]);
    }

    #[test]
    fn an_interrupted_cut_deletes_only_what_it_left() {
        let made = ["aaa", "bbb"];
        assert_eq!(ref_undo(None, &made), RefUndo::Gone);
        assert_eq!(ref_undo(Some("aaa"), &made), RefUndo::Delete("aaa".into()));
        assert_eq!(ref_undo(Some("bbb"), &made), RefUndo::Delete("bbb".into()));
        assert_eq!(ref_undo(Some("ccc"), &made), RefUndo::Moved("ccc".into()));
        assert_eq!(ref_undo(Some("aaa"), &[]), RefUndo::Moved("aaa".into()));
    }
}
