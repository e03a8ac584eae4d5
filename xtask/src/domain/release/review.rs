//! A release through review: where the development version goes (`release.pr_dev`), and which commit of a
//! push is the merged release pull request's release commit, whichever way the forge merged it.
//!
//! The release commit is found by what survives every merge method: its subject (the rendered
//! `release.commit`, which is also the pull request's title, so a squash keeps it, with the forge's
//! ` (#12)` after it) and the version its files hold. A merge commit leaves the commit itself in the
//! history, a rebase a copy with a new id, a squash one commit holding the whole pull request.

use crate::domain::problem::Problem;
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

/// One thing released on its own (the project, or a package of it) as a candidate release commit holds
/// it: the version its files hold there and in the commit's first parent, whether that version has its
/// tag, and the release commit's subject rendered for that version.
#[derive(Debug, Clone, Default)]
pub struct UnitAt {
    pub version: Option<Version>,
    pub before: Option<Version>,
    pub tagged: bool,
    pub subject: Option<String>,
}

/// What `release --finish` found in a push: which units the newest release commit releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// No release pull request was merged (or its release is tagged already): nothing to do.
    Nothing,
    /// The release commit releases these units (indexes into the units given).
    Release(Vec<usize>),
    /// A release commit's subject on a commit whose files hold no version it names: the pull request was
    /// squashed with the development commit in it (or its files were changed by hand).
    Folded,
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

/// Judges the newest commit of a push whose subject looks like a release commit's (`subject`), from what
/// each unit holds there. The units whose version renders that subject lead: none, and the files do not
/// hold the release the subject names (folded); all tagged, and it is released already. Otherwise the
/// release is theirs, with every other unit whose version the commit changed to one not tagged yet (the
/// packages released together in one commit).
pub fn judge(subject: &str, units: &[UnitAt]) -> Finding {
    let leads: Vec<usize> = (0..units.len())
        .filter(|&i| {
            units[i].version.is_some()
                && units[i]
                    .subject
                    .as_deref()
                    .is_some_and(|rendered| is_release_subject(subject, rendered))
        })
        .collect();
    if leads.is_empty() {
        return Finding::Folded;
    }
    if leads.iter().all(|&i| units[i].tagged) {
        return Finding::Nothing;
    }
    let released: Vec<usize> = (0..units.len())
        .filter(|&i| {
            let unit = &units[i];
            !unit.tagged
                && unit.version.is_some()
                && (leads.contains(&i) || unit.version != unit.before)
        })
        .collect();
    Finding::Release(released)
}

/// What the remote holds of the refs a release pull request is about to write, and what the kit knows of
/// them: the facts [`judge_request_refs`] decides on.
#[derive(Debug, Clone, Default)]
pub struct RequestRefs<'a> {
    pub remote: &'a str,
    /// The release's tags, and whether the remote has each.
    pub tags: Vec<(&'a str, bool)>,
    /// The base branch, the remote's tip of it if any, and whether HEAD contains that tip.
    pub base: &'a str,
    pub base_tip: Option<&'a str>,
    pub head_contains_base: bool,
    /// The branch to push (the open pull request's, else `release.pr_branch`), and the remote's tip of it.
    pub target: &'a str,
    pub target_tip: Option<&'a str>,
    /// Whether that tip is the kit's: an open release pull request's branch, or a commit whose subject is a
    /// release commit's (a run killed after its push).
    pub target_is_kits: bool,
}

/// The lease for the push (the branch's current tip, to be replaced; `None`: it must not exist yet), or every
/// reason the pull request cannot be opened: a tag the remote has (that version is released), a base branch
/// ahead of HEAD, a branch of that name that is someone else's.
pub fn judge_request_refs(refs: &RequestRefs) -> Result<Option<String>, Vec<Problem>> {
    let remote = refs.remote;
    let mut problems = Vec::new();
    for (tag, exists) in &refs.tags {
        if *exists {
            problems.push(format!(
                "push: tag {tag} already exists on {remote}: that version is released; pick another"
            ));
        }
    }
    if let Some(tip) = refs.base_tip
        && !refs.head_contains_base
    {
        let base = refs.base;
        problems.push(format!(
            "push: {remote}'s {base} is at {}, which HEAD does not contain: run `{}` and merge or rebase \
             first, so that the release pull request holds what {base} holds",
            tip.get(..7).unwrap_or(tip),
            crate::domain::shell::join(&["git", "pull", remote, base])
        ));
    }
    if refs.target_tip.is_some() && !refs.target_is_kits {
        let target = refs.target;
        problems.push(format!(
            "push: {remote} already has a branch {target} that is not a release pull request's: delete it \
             (`{}`) or set release.pr_branch",
            crate::domain::shell::join(&["git", "push", remote, "--delete", target])
        ));
    }
    if problems.is_empty() {
        Ok(refs.target_tip.map(str::to_string))
    } else {
        Err(problems.into_iter().map(Problem::said).collect())
    }
}

/// Why a folded release cannot be finished, and what fits: the words of the refusal.
pub fn folded_refusal(commit: &str, subject: &str, holds: Option<&str>, dev: DevStep) -> Problem {
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
    Problem::new("", reason, hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        crate::domain::version::parse_any(text).unwrap()
    }

    #[test]
    fn a_release_pull_requests_refs_are_judged_before_anything_is_pushed() {
        let clean = RequestRefs {
            remote: "origin",
            tags: vec![("v1.4.0", false)],
            base: "main",
            base_tip: Some("aaaaaaaaa"),
            head_contains_base: true,
            target: "release/v1.4.0",
            target_tip: None,
            target_is_kits: false,
        };
        // (what differs, the lease or the problems' words)
        type Case<'a> = (
            &'a str,
            RequestRefs<'a>,
            Result<Option<&'a str>, Vec<&'a str>>,
        );
        let cases: Vec<Case> = vec![
            ("a new branch", clean.clone(), Ok(None)),
            (
                "the kit's branch, refreshed with its tip as the lease",
                RequestRefs {
                    target_tip: Some("bbbbbbbbb"),
                    target_is_kits: true,
                    ..clean.clone()
                },
                Ok(Some("bbbbbbbbb")),
            ),
            (
                "someone else's branch",
                RequestRefs {
                    target_tip: Some("bbbbbbbbb"),
                    ..clean.clone()
                },
                Err(vec![
                    "not a release pull request's",
                    "git push origin --delete release/v1.4.0",
                ]),
            ),
            (
                "a released tag and a base ahead, both said",
                RequestRefs {
                    tags: vec![("v1.4.0", true)],
                    head_contains_base: false,
                    ..clean.clone()
                },
                Err(vec![
                    "tag v1.4.0 already exists on origin",
                    "origin's main is at aaaaaaa",
                    "git pull origin main",
                ]),
            ),
            (
                "no base on the remote yet",
                RequestRefs {
                    base_tip: None,
                    head_contains_base: false,
                    ..clean.clone()
                },
                Ok(None),
            ),
        ];
        for (what, refs, expected) in cases {
            match (judge_request_refs(&refs), expected) {
                (Ok(lease), Ok(wanted)) => assert_eq!(lease.as_deref(), wanted, "{what}"),
                (Err(problems), Err(needles)) => {
                    let text = problems
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n");
                    for needle in needles {
                        assert!(text.contains(needle), "{what}: {needle:?} in {text}");
                    }
                }
                (got, wanted) => panic!("{what}: {got:?}, wanted {wanted:?}"),
            }
        }
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

    fn unit(version: &str, before: &str, tagged: bool) -> UnitAt {
        UnitAt {
            version: Some(v(version)),
            before: Some(v(before)),
            tagged,
            subject: Some(format!("chore(release): {version}")),
        }
    }

    #[test]
    fn each_merge_method_leaves_a_release_commit_or_says_why_not() {
        // (what the newest release-looking commit is, its subject, the units there, the finding)
        let cases: Vec<(&str, &str, Vec<UnitAt>, Finding)> = vec![
            (
                "merge commit: the release commit itself",
                "chore(release): 1.4.0",
                vec![unit("1.4.0", "1.4.0-dev", false)],
                Finding::Release(vec![0]),
            ),
            (
                "squash of the release commit alone",
                "chore(release): 1.4.0 (#12)",
                vec![unit("1.4.0", "1.4.0-dev", false)],
                Finding::Release(vec![0]),
            ),
            (
                "squash with the development commit in it",
                "chore(release): 1.4.0 (#12)",
                vec![unit("1.4.1-dev", "1.4.0-dev", false)],
                Finding::Folded,
            ),
            (
                "released already",
                "chore(release): 1.3.0",
                vec![unit("1.3.0", "1.3.0-dev", true)],
                Finding::Nothing,
            ),
            (
                "released as written: the files held the version already",
                "chore(release): 1.4.0",
                vec![unit("1.4.0", "1.4.0", false)],
                Finding::Release(vec![0]),
            ),
            (
                "packages released together: the subject names the first",
                "chore(release): 1.4.0",
                vec![
                    unit("1.4.0", "1.4.0-dev", false),
                    unit("0.3.0", "0.2.1-dev", false),
                    unit("2.0.0", "2.0.0", true),
                ],
                Finding::Release(vec![0, 1]),
            ),
        ];
        for (what, subject, units, expected) in cases {
            assert_eq!(judge(subject, &units), expected, "{what}");
        }
    }

    #[test]
    fn a_folded_release_names_the_setting_that_fits() {
        let Problem { reason, hint, .. } = folded_refusal(
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
