//! A release through review: where the development version goes (`release.pr_dev`), and which commit of a
//! push is the merged release pull request's release commit, whichever way the forge merged it.
//!
//! The release commit is found by what survives every merge method: its subject (the rendered
//! `release.commit`, which is also the pull request's title, so a squash keeps it, with the forge's
//! ` (#12)` after it) and the version its files hold. A merge commit leaves the commit itself in the
//! history, a rebase a copy with a new id, a squash one commit holding the whole pull request.

use crate::domain::version::Version;

/// `release.pr_dev`: where the next development version is made in a release through review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevStep {
    /// A second commit on the release pull request: one review, but the release commit must survive the
    /// merge (a merge commit or a rebase; a squash folds it away).
    InRequest,
    /// `release --finish` commits it on the branch and pushes it with the tag (branches that CI may push
    /// to).
    Push,
    /// `release --finish` opens a second pull request with it (protected branches; every merge method).
    Request,
    /// No development version.
    None,
}

impl DevStep {
    pub const DEFAULT: DevStep = DevStep::Request;

    pub fn parse(text: &str) -> Result<DevStep, String> {
        match text {
            "in-pr" => Ok(DevStep::InRequest),
            "push" => Ok(DevStep::Push),
            "pr" => Ok(DevStep::Request),
            "none" => Ok(DevStep::None),
            other => Err(format!(
                "release.pr_dev = {other:?} is not a choice: write \"pr\" (a follow-up pull request after the \
                 merge; the default), \"in-pr\" (a second commit in the release pull request), \"push\" \
                 (committed and pushed by `release --finish`) or \"none\""
            )),
        }
    }

    pub fn spelled(self) -> &'static str {
        match self {
            DevStep::InRequest => "in-pr",
            DevStep::Push => "push",
            DevStep::Request => "pr",
            DevStep::None => "none",
        }
    }
}

/// A commit of the pushed range whose subject looks like a release commit's, with the version its files
/// hold (`None` when they cannot be read there).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub subject: String,
    pub version: Option<Version>,
}

/// What `release --finish` found in a push.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// No release pull request was merged: nothing to do.
    Nothing,
    /// The release commit of `version`, to be tagged.
    Release { commit: String, version: Version },
    /// A release commit's subject on a commit whose files hold another version: the pull request was
    /// squashed with the development commit in it (or its files were changed by hand).
    Folded {
        commit: String,
        subject: String,
        holds: Option<Version>,
    },
}

/// Whether `subject` is the release commit's `rendered` subject, as made or as a forge's squash or merge
/// titles it (` (#12)`, ` (!12)` after it).
pub fn is_release_subject(subject: &str, rendered: &str) -> bool {
    match subject.strip_prefix(rendered) {
        Some("") => true,
        Some(rest) => rest.starts_with(" (#") || rest.starts_with(" (!"),
        None => false,
    }
}

/// What the newest of `candidates` (newest first) is: a release commit whose version is not released yet,
/// one released already, or one whose files disagree with its subject. `subject_for` renders
/// `release.commit`'s subject for a version, `released` says whether a version has its tag.
pub fn find_merged(
    candidates: &[Candidate],
    subject_for: impl Fn(&Version) -> Option<String>,
    released: impl Fn(&Version) -> bool,
) -> Finding {
    // Only the newest counts: an older one is released already, or was superseded by the newest.
    let Some(candidate) = candidates.first() else {
        return Finding::Nothing;
    };
    let matches = candidate
        .version
        .as_ref()
        .and_then(&subject_for)
        .is_some_and(|rendered| is_release_subject(&candidate.subject, &rendered));
    match &candidate.version {
        // Released already (a finish ran, or the version was tagged by hand).
        Some(version) if matches && released(version) => Finding::Nothing,
        Some(version) if matches => Finding::Release {
            commit: candidate.id.clone(),
            version: version.clone(),
        },
        holds => Finding::Folded {
            commit: candidate.id.clone(),
            subject: candidate.subject.clone(),
            holds: holds.clone(),
        },
    }
}

/// Why a folded release cannot be finished, and what fits: the words of the refusal.
pub fn folded_refusal(
    commit: &str,
    subject: &str,
    holds: Option<&str>,
    dev: DevStep,
) -> (String, String) {
    let short = commit.get(..7).unwrap_or(commit);
    let holds = holds.map_or("no readable version".to_string(), |v| {
        format!("version {v}")
    });
    let reason = format!(
        "commit {short} (\"{subject}\") is a release pull request's merge, but its files hold {holds}: the \
         release commit did not survive the merge, so there is no commit to tag"
    );
    let hint = if dev == DevStep::InRequest {
        "a squash folds the release commit into the development commit: merge release pull requests with a \
         merge commit or by rebase, or set release.pr_dev = \"pr\" (the development version then comes in \
         a follow-up pull request) so that a squash keeps the release version; then run \
         `cargo xtask release --pr` again"
            .to_string()
    } else {
        "the merged files no longer hold the release's version: open the release again with \
         `cargo xtask release --pr`"
            .to_string()
    };
    (reason, hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        crate::domain::version::parse_any(text).unwrap()
    }

    fn candidate(id: &str, subject: &str, version: Option<&str>) -> Candidate {
        Candidate {
            id: id.into(),
            subject: subject.into(),
            version: version.map(v),
        }
    }

    fn subject(version: &Version) -> Option<String> {
        Some(format!("chore(release): {version}"))
    }

    #[test]
    fn pr_dev_choices_parse() {
        for step in [
            DevStep::InRequest,
            DevStep::Push,
            DevStep::Request,
            DevStep::None,
        ] {
            assert_eq!(DevStep::parse(step.spelled()), Ok(step));
        }
        let error = DevStep::parse("later").unwrap_err();
        assert!(error.contains("\"later\""), "{error}");
        assert!(error.contains("in-pr"), "{error}");
    }

    #[test]
    fn forge_titles_still_name_the_release() {
        let rendered = "chore(release): 1.4.0";
        let cases = [
            ("chore(release): 1.4.0", true),
            ("chore(release): 1.4.0 (#12)", true),
            ("chore(release): 1.4.0 (!3)", true),
            ("chore(release): 1.4.0-rc.1", false),
            ("chore(release): 1.4.01", false),
            ("Merge pull request #12 from o/release/v1.4.0", false),
            ("chore(release): 1.4", false),
        ];
        for (subject, expected) in cases {
            assert_eq!(is_release_subject(subject, rendered), expected, "{subject}");
        }
    }

    #[test]
    fn each_merge_method_leaves_a_release_commit_or_says_why_not() {
        let released = |version: &Version| *version == v("1.3.0");
        // (what the push holds, newest first; what finish finds)
        let cases: Vec<(&str, Vec<Candidate>, Finding)> = vec![
            ("an ordinary push", vec![], Finding::Nothing),
            (
                "merge commit: the release commit itself",
                vec![candidate("r", "chore(release): 1.4.0", Some("1.4.0"))],
                Finding::Release {
                    commit: "r".into(),
                    version: v("1.4.0"),
                },
            ),
            (
                "squash of the release commit alone",
                vec![candidate("s", "chore(release): 1.4.0 (#12)", Some("1.4.0"))],
                Finding::Release {
                    commit: "s".into(),
                    version: v("1.4.0"),
                },
            ),
            (
                "squash with the development commit in it",
                vec![candidate(
                    "s",
                    "chore(release): 1.4.0 (#12)",
                    Some("1.4.1-dev"),
                )],
                Finding::Folded {
                    commit: "s".into(),
                    subject: "chore(release): 1.4.0 (#12)".into(),
                    holds: Some(v("1.4.1-dev")),
                },
            ),
            (
                "released already",
                vec![candidate("r", "chore(release): 1.3.0", Some("1.3.0"))],
                Finding::Nothing,
            ),
            (
                "a release candidate",
                vec![candidate(
                    "r",
                    "chore(release): 2.0.0-rc.1",
                    Some("2.0.0-rc.1"),
                )],
                Finding::Release {
                    commit: "r".into(),
                    version: v("2.0.0-rc.1"),
                },
            ),
            (
                "the newest release wins",
                vec![
                    candidate("b", "chore(release): 1.5.0", Some("1.5.0")),
                    candidate("a", "chore(release): 1.4.0", Some("1.4.0")),
                ],
                Finding::Release {
                    commit: "b".into(),
                    version: v("1.5.0"),
                },
            ),
        ];
        for (what, candidates, expected) in cases {
            assert_eq!(
                find_merged(&candidates, subject, released),
                expected,
                "{what}"
            );
        }
    }

    #[test]
    fn a_folded_release_names_the_setting_that_fits() {
        let (reason, hint) = folded_refusal(
            "0123456789",
            "chore(release): 1.4.0 (#12)",
            Some("1.4.1-dev"),
            DevStep::InRequest,
        );
        assert!(reason.contains("0123456"), "{reason}");
        assert!(reason.contains("1.4.1-dev"), "{reason}");
        assert!(hint.contains("release.pr_dev = \"pr\""), "{hint}");
    }
}
