//! The server's pinned policy: where it came from, which branch is the default, and the commit-message
//! rule applied to the commits a push brings.
//!
//! The server judges every push with a copy of `xtask.toml` that the administrator stored with
//! `hooks install --server`, never with the configuration on its branches: anyone allowed to push to the
//! default branch could otherwise loosen the rules for the next push.
// These run in the server's pre-receive hook on data anyone allowed to push can choose: nothing here may
// panic, whatever the input.
#![deny(
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use serde::{Deserialize, Serialize};

use crate::domain::problem::Problem;
use crate::domain::rules::{self, Verdict};

/// Where a stored policy was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicySource {
    /// `xtask.toml` on the default branch, at this commit (absent there: the defaults).
    Branch { name: String, commit: String },
    /// A file the administrator named with `--config`.
    File { path: String },
}

impl PolicySource {
    /// `xtask.toml on main at 1a2b3c4`, `the file /srv/policy.toml`.
    pub fn describe(&self) -> String {
        match self {
            PolicySource::Branch { name, commit } => {
                format!("xtask.toml on {} at {}", rules::shown(name), short(commit))
            }
            PolicySource::File { path } => format!("the file {}", rules::shown(path)),
        }
    }
}

/// What is recorded beside the stored policy: its source, and the git blob id of its text (what
/// `git hash-object` prints for it), which the hook checks before trusting the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRecord {
    pub source: PolicySource,
    pub sha1: String,
    /// The kit that stored it (`xtask 0.1.0`), for the administrator.
    #[serde(default)]
    pub stored_by: String,
    /// The git blob id of the allowed-signers file stored with the policy, when it sets `release.signers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signers_sha1: Option<String>,
}

impl PolicyRecord {
    pub fn to_json(&self) -> String {
        // Serialising plain strings cannot fail; an empty record would only make the hook fail closed.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn from_json(text: &str) -> Result<PolicyRecord, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// HEAD of a bare repository, as read: the ref it names (`None` when detached) and the commit it
/// resolves to (`None` when that ref does not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadState {
    pub referent: Option<String>,
    pub commit: Option<String>,
}

/// The default branch of a bare repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultBranch {
    /// HEAD names this branch, at this commit.
    Found { name: String, commit: String },
    /// The repository has no branches at all yet (nothing was pushed): HEAD names this one.
    Empty { name: String },
}

/// Which branch HEAD names, or why it names none that exists, with the way to fix it. `bare` is the
/// repository as the user wrote it; `branches` are the short names of the branches that exist.
pub fn default_branch(
    bare: &str,
    head: &HeadState,
    branches: &[String],
) -> Result<DefaultBranch, String> {
    let fixes = |problem: String| {
        let suggested = ["main", "master"]
            .into_iter()
            .find(|b| branches.iter().any(|have| have == b))
            .or(branches.first().map(String::as_str))
            .unwrap_or("<branch>");
        let listed = if branches.is_empty() {
            String::new()
        } else {
            let mut names: Vec<String> =
                branches.iter().take(10).map(|b| rules::shown(b)).collect();
            if branches.len() > 10 {
                names.push(format!("and {} more", branches.len() - 10));
            }
            format!(" (its branches: {})", names.join(", "))
        };
        format!(
            "the default branch of {bare} cannot be found: {problem}{listed}.\n\
             Point HEAD at the branch the project uses, in the bare repository: \
             git -C {bare} symbolic-ref HEAD refs/heads/{}\n\
             or pin the policy from a file instead: --config FILE",
            rules::shown(suggested)
        )
    };
    match (&head.referent, &head.commit) {
        (Some(referent), commit) => {
            let Some(name) = referent.strip_prefix("refs/heads/") else {
                return Err(fixes(format!(
                    "HEAD names {}, which is not a branch",
                    rules::shown(referent)
                )));
            };
            match commit {
                Some(commit) => Ok(DefaultBranch::Found {
                    name: name.to_owned(),
                    commit: commit.clone(),
                }),
                None if branches.is_empty() => Ok(DefaultBranch::Empty {
                    name: name.to_owned(),
                }),
                None => Err(fixes(format!(
                    "HEAD names the branch {}, which does not exist",
                    rules::shown(name)
                ))),
            }
        }
        (None, Some(commit)) => Err(fixes(format!(
            "HEAD is detached at {}, not a branch",
            short(commit)
        ))),
        (None, None) => Err(fixes("HEAD cannot be read".to_owned())),
    }
}

/// What `hooks install --server` does with the stored policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyAction {
    /// Nothing is stored yet: store the new policy.
    Store,
    /// The new policy is what is stored, from the same source: nothing to do.
    AlreadyStored,
    /// `--update`: replace the stored policy; `changed` when its text differs (not only its source).
    Replace { changed: bool },
    /// `--update` over a stored policy that cannot be used.
    ReplaceUnusable,
    /// A plain install keeps the stored policy; `differs` when the new one's text is another.
    Keep { differs: bool },
    /// `--config FILE` names a policy other than the stored one, without `--update`.
    RefuseOtherFile,
    /// The stored policy cannot be used and `--update` was not given.
    RefuseUnusable,
}

/// Decides between the stored policy (`Err` when it cannot be used) and a new one (its text and source):
/// installing again keeps what is stored unless `--update` says otherwise, and a file named explicitly
/// never silently loses to what is stored.
pub fn plan_install(
    stored: Result<Option<(&str, &PolicySource)>, ()>,
    new: (&str, &PolicySource),
    from_file: bool,
    update: bool,
) -> PolicyAction {
    match stored {
        Ok(None) => PolicyAction::Store,
        Err(()) if update => PolicyAction::ReplaceUnusable,
        Err(()) => PolicyAction::RefuseUnusable,
        Ok(Some(old)) if old == new => PolicyAction::AlreadyStored,
        Ok(Some((text, _))) if update => PolicyAction::Replace {
            changed: text != new.0,
        },
        Ok(Some((text, _))) if from_file && text != new.0 => PolicyAction::RefuseOtherFile,
        Ok(Some((text, _))) => PolicyAction::Keep {
            differs: text != new.0,
        },
    }
}

/// A commit a push brings, as the server reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCommit {
    pub id: String,
    /// The number of *distinct* parents: a commit that names the same parent twice is no merge.
    pub parent_count: usize,
    pub message: String,
}

/// How many refused commits are named one by one; the rest are counted.
const LISTED_COMMITS: usize = 20;

/// The commit-message rule (`commits.conventional = "deny"`) over the commits a push brings: one
/// problem per offending commit. Merge commits (two or more distinct parents) pass,
/// and so do the subjects git writes itself, as on the client, except a `Merge ` subject on a commit
/// that is no merge: a merge is known by its parents, never by its subject. Unlike on the client, a message without a subject is
/// refused: `git commit` never makes one, so it can only come from plumbing.
pub fn judge_new_commits(commits: &[NewCommit], types: &[String]) -> Vec<Problem> {
    let mut refusals = Vec::new();
    let mut unlisted = 0_usize;
    for commit in commits {
        if commit.parent_count > 1 {
            continue;
        }
        let has_subject = commit
            .message
            .lines()
            .any(|l| !l.trim().is_empty() && !l.starts_with('#'));
        let verdict = rules::check_commit_message(&commit.message, types, commit.parent_count);
        let Problem { rule, reason, hint } = match verdict {
            Verdict::Allowed if has_subject => continue,
            Verdict::Allowed => Problem::new(
                "commits.conventional",
                "has no subject line",
                example_hint(types),
            ),
            Verdict::Refused(problem) => problem,
        };
        if refusals.len() == LISTED_COMMITS {
            unlisted += 1;
            continue;
        }
        refusals.push(Problem::new(
            rule,
            format!("commit {}: {reason}", short(&commit.id)),
            format!(
                "{hint}\nreword it (`git rebase -i`, or `git commit --amend` for the last commit) and push again"
            ),
        ));
    }
    if unlisted > 0 {
        refusals.push(Problem::new(
            "commits.conventional",
            format!("and {unlisted} more commits whose messages break the rule"),
            "`git log --format='%h %s'` lists them",
        ));
    }
    refusals
}

/// The hint the client gives for a subject without a type, for a message with no subject at all.
fn example_hint(types: &[String]) -> String {
    match rules::check_message("no type", types) {
        Verdict::Refused(Problem { hint, .. }) => hint,
        Verdict::Allowed => String::new(),
    }
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(referent: Option<&str>, commit: Option<&str>) -> HeadState {
        HeadState {
            referent: referent.map(str::to_owned),
            commit: commit.map(str::to_owned),
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_default_branch_is_found_or_the_error_says_how_to_fix_it() {
        assert_eq!(
            default_branch(
                "/srv/r.git",
                &head(Some("refs/heads/main"), Some("abc")),
                &names(&["main"])
            ),
            Ok(DefaultBranch::Found {
                name: "main".into(),
                commit: "abc".into()
            })
        );
        assert_eq!(
            default_branch("/srv/r.git", &head(Some("refs/heads/main"), None), &[]),
            Ok(DefaultBranch::Empty {
                name: "main".into()
            })
        );
        let missing = default_branch(
            "/srv/r.git",
            &head(Some("refs/heads/master"), None),
            &names(&["dev", "main"]),
        )
        .unwrap_err();
        for needle in [
            "HEAD names the branch master, which does not exist",
            "(its branches: dev, main)",
            "git -C /srv/r.git symbolic-ref HEAD refs/heads/main",
            "--config FILE",
        ] {
            assert!(missing.contains(needle), "{needle:?} in {missing}");
        }
        let other = default_branch(
            "r.git",
            &head(Some("refs/heads/master"), None),
            &names(&["trunk"]),
        )
        .unwrap_err();
        assert!(other.contains("refs/heads/trunk"), "{other}");
        let detached = default_branch("r.git", &head(None, Some("0123456789")), &names(&["main"]))
            .unwrap_err();
        assert!(
            detached.contains("HEAD is detached at 0123456"),
            "{detached}"
        );
        let tag = default_branch(
            "r.git",
            &head(Some("refs/tags/v1"), Some("1")),
            &names(&["main"]),
        )
        .unwrap_err();
        assert!(tag.contains("not a branch"), "{tag}");
    }

    #[test]
    fn records_read_back_and_describe_their_source() {
        let record = PolicyRecord {
            source: PolicySource::Branch {
                name: "main".into(),
                commit: "0123456789abcdef".into(),
            },
            sha1: "e69de29".into(),
            stored_by: "xtask 0.1.0".into(),
            signers_sha1: None,
        };
        assert_eq!(
            PolicyRecord::from_json(&record.to_json()),
            Ok(record.clone())
        );
        assert!(!record.to_json().contains("signers_sha1"));
        let with_signers = PolicyRecord {
            signers_sha1: Some("abc".into()),
            ..record.clone()
        };
        assert_eq!(
            PolicyRecord::from_json(&with_signers.to_json()),
            Ok(with_signers)
        );
        assert_eq!(record.source.describe(), "xtask.toml on main at 0123456");
        let file = PolicySource::File {
            path: "/etc/x\u{1b}.toml".into(),
        };
        assert_eq!(file.describe(), "the file /etc/x\\u{1b}.toml");
        assert!(PolicyRecord::from_json("{").is_err());
        assert!(PolicyRecord::from_json("{\"sha1\": \"x\"}").is_err());
    }

    #[test]
    fn installing_again_keeps_the_stored_policy_unless_told_otherwise() {
        use PolicyAction::*;
        let main = PolicySource::Branch {
            name: "main".into(),
            commit: "1".into(),
        };
        let moved = PolicySource::Branch {
            name: "main".into(),
            commit: "2".into(),
        };
        let file = PolicySource::File { path: "/p".into() };
        let (a, b) = ("[commits]\nconventional = \"deny\"\n", "");
        // (stored, new, from a file, --update) → action
        type Stored<'a> = Result<Option<(&'a str, &'a PolicySource)>, ()>;
        type Case<'a> = (
            Stored<'a>,
            (&'a str, &'a PolicySource),
            bool,
            bool,
            PolicyAction,
        );
        let table: [Case; 13] = [
            (Ok(None), (a, &main), false, false, Store),
            (Ok(None), (a, &file), true, true, Store),
            (Err(()), (a, &main), false, false, RefuseUnusable),
            (Err(()), (a, &main), false, true, ReplaceUnusable),
            (
                Ok(Some((a, &main))),
                (a, &main),
                false,
                false,
                AlreadyStored,
            ),
            (Ok(Some((a, &main))), (a, &main), false, true, AlreadyStored),
            (
                Ok(Some((a, &main))),
                (a, &moved),
                false,
                false,
                Keep { differs: false },
            ),
            (
                Ok(Some((a, &main))),
                (b, &moved),
                false,
                false,
                Keep { differs: true },
            ),
            (
                Ok(Some((a, &main))),
                (a, &moved),
                false,
                true,
                Replace { changed: false },
            ),
            (
                Ok(Some((a, &main))),
                (b, &moved),
                false,
                true,
                Replace { changed: true },
            ),
            (
                Ok(Some((a, &main))),
                (b, &file),
                true,
                false,
                RefuseOtherFile,
            ),
            (
                Ok(Some((a, &main))),
                (a, &file),
                true,
                false,
                Keep { differs: false },
            ),
            (
                Ok(Some((a, &main))),
                (b, &file),
                true,
                true,
                Replace { changed: true },
            ),
        ];
        for (stored, new, from_file, update, expected) in table {
            assert_eq!(
                plan_install(stored, new, from_file, update),
                expected,
                "{stored:?} {new:?} file={from_file} update={update}"
            );
        }
    }

    fn commit(id: &str, parents: usize, message: &str) -> NewCommit {
        NewCommit {
            id: id.into(),
            parent_count: parents,
            message: message.into(),
        }
    }

    #[test]
    fn new_commits_are_judged_like_the_client_judges_them() {
        let types = rules::default_types();
        let commits = [
            commit("1111111aaaa", 1, "fix: x\n"),
            commit("2222222bbbb", 1, "wip\n"),
            commit("3333333cccc", 2, "wip merge\n"),
            commit("4444444dddd", 1, "Merge branch 'x'\n"),
            commit("5555555eeee", 1, "Revert \"feat: y\"\n"),
            commit("6666666ffff", 1, "fixup! fix: x\n"),
            commit("7777777aaaa", 0, "feat(cli)!: first\n\nbody\n"),
            commit("8888888bbbb", 1, ""),
            commit("9999999cccc", 1, "\0wip"),
        ];
        let refused = judge_new_commits(&commits, &types);
        let reasons: Vec<&str> = refused.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(
            reasons[0].starts_with("commit 2222222: subject line `wip`"),
            "{reasons:?}"
        );
        // One parent: no merge, whatever its subject says.
        assert!(
            reasons[1].starts_with("commit 4444444: subject line `Merge branch 'x'`"),
            "{reasons:?}"
        );
        assert_eq!(reasons[2], "commit 8888888: has no subject line");
        assert!(
            reasons[3].starts_with("commit 9999999: subject line `\\u{0}wip`"),
            "{reasons:?}"
        );
        for Problem { rule, hint, .. } in &refused {
            assert_eq!(rule, "commits.conventional");
            assert!(hint.contains("e.g. `feat(cli): add --json`"), "{hint}");
            assert!(hint.contains("git rebase -i"), "{hint}");
        }
    }

    #[test]
    fn many_refused_commits_are_counted_after_the_first_ones() {
        let commits: Vec<NewCommit> = (0..25)
            .map(|i| commit(&format!("{i:07}"), 1, "wip"))
            .collect();
        let refused = judge_new_commits(&commits, &rules::default_types());
        assert_eq!(refused.len(), LISTED_COMMITS + 1);
        assert_eq!(
            refused.last().map(|r| r.reason.as_str()),
            Some("and 5 more commits whose messages break the rule")
        );
    }
}
