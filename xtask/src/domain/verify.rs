//! What `xtask verify` judges: the range named on the command line (`A..B`), or the one a CI event names
//! (GitHub's `GITHUB_BASE_REF`/`GITHUB_HEAD_REF` for a pull request, `GITHUB_REF` and the event's `before`
//! for a push), and the refusals written as GitHub annotations. The judgement itself is the push's
//! (`domain::push`, `domain::server_policy`): verify only feeds it another range's facts.

/// What is judged: the commits reachable from `tip` and not from `base` (only `tip` itself without a base),
/// the branch they are pushed to (its name is judged), and the tags on those commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The commit the range starts after; its `xtask.toml` holds the rules (as the server's pinned policy
    /// does), so that a change cannot loosen the rules it is judged by.
    pub base: Option<String>,
    pub tip: String,
    /// The branch the commits go to, when known (the pull request's head, the pushed branch).
    pub branch: Option<String>,
    /// A ref the event changed that was there before (a tag moved or deleted, a branch deleted): judged
    /// as the update it was, as pre-receive would have judged it.
    pub change: Option<RefChange>,
}

/// An update of an existing ref, as a CI event tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefChange {
    /// `refs/tags/v1.2.0`.
    pub name: String,
    /// Its object before; [`UNKNOWN`] when the event does not say (GitHub's `delete` event).
    pub old: String,
    /// Its object after: all zeros when deleted, empty when the event does not say (then it is the ref's
    /// object in this clone).
    pub new: String,
}

/// The old object of a deleted ref when the event does not name it: not zero, so the update reads as a
/// deletion of something that was there.
pub const UNKNOWN: &str = "unknown";
const ZERO: &str = "0000000000000000000000000000000000000000";

/// The CI variables verify reads (empty when unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiEvent {
    /// `GITHUB_BASE_REF`: the branch a pull request goes into.
    pub base_ref: String,
    /// `GITHUB_HEAD_REF`: the pull request's own branch.
    pub head_ref: String,
    /// `GITHUB_REF`: `refs/heads/main`, `refs/tags/v1.2.0`, `refs/pull/7/merge`.
    pub git_ref: String,
    /// The push event's `before` (from `GITHUB_EVENT_PATH`): the ref's object before the push.
    pub before: String,
    /// The push event's `after`: the ref's object after the push (all zeros for a deletion).
    pub after: String,
    /// The push event's `deleted`: the push deleted `git_ref`.
    pub deleted: bool,
    /// A `delete` event's ref (`GITHUB_EVENT_NAME=delete`): the tag or branch deleted, as a full name.
    pub deleted_ref: Option<String>,
}

impl CiEvent {
    /// The event as the CI's variables (`var`) and GitHub's event file (`payload`, from
    /// `GITHUB_EVENT_PATH`) tell it. GitLab's variables stand in when GitHub's are not set: the merge
    /// request's target and source branch, the pushed branch (with `CI_COMMIT_BEFORE_SHA`) or tag.
    pub fn read(
        var: impl Fn(&str) -> Option<String>,
        payload: Option<&serde_json::Value>,
    ) -> CiEvent {
        let text = |name: &str| var(name).unwrap_or_default();
        let field = |key: &str| {
            payload
                .and_then(|p| p.get(key)?.as_str())
                .unwrap_or_default()
                .to_string()
        };
        if text("GITHUB_ACTIONS") != "true" && text("GITLAB_CI") == "true" {
            let (git_ref, before) = match (var("CI_COMMIT_TAG"), var("CI_COMMIT_BRANCH")) {
                (Some(tag), _) if !tag.is_empty() => (format!("refs/tags/{tag}"), String::new()),
                (_, Some(branch)) if !branch.is_empty() => {
                    (format!("refs/heads/{branch}"), text("CI_COMMIT_BEFORE_SHA"))
                }
                _ => (String::new(), String::new()),
            };
            return CiEvent {
                base_ref: text("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
                head_ref: text("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"),
                git_ref,
                before,
                ..CiEvent::default()
            };
        }
        let deleted_ref = (text("GITHUB_EVENT_NAME") == "delete")
            .then(|| match field("ref_type").as_str() {
                "tag" => Some(format!("refs/tags/{}", field("ref"))),
                "branch" => Some(format!("refs/heads/{}", field("ref"))),
                _ => None,
            })
            .flatten()
            .filter(|name| !name.ends_with('/'));
        CiEvent {
            base_ref: text("GITHUB_BASE_REF"),
            head_ref: text("GITHUB_HEAD_REF"),
            git_ref: text("GITHUB_REF"),
            before: field("before"),
            after: field("after"),
            deleted: payload
                .and_then(|p| p.get("deleted")?.as_bool())
                .unwrap_or(false),
            deleted_ref,
        }
    }
}

/// The range `A..B` (`A..` means `A..HEAD`), with the branch unknown.
pub fn parse_range(range: &str) -> Result<Target, String> {
    if range.contains("...") {
        return Err(format!(
            "{range:?} is a symmetric range: name the commits a push brings as A..B (after A, up to B)"
        ));
    }
    let Some((base, tip)) = range.split_once("..") else {
        return Err(format!(
            "{range:?} is not a range: name one as A..B, e.g. origin/main..HEAD"
        ));
    };
    if base.is_empty() {
        return Err(format!(
            "{range:?} has no start: name one as A..B, e.g. origin/main..HEAD"
        ));
    }
    Ok(Target {
        base: Some(base.to_string()),
        tip: if tip.is_empty() { "HEAD" } else { tip }.to_string(),
        branch: None,
        change: None,
    })
}

/// The range a CI event names, or why there is none. `base_exists` says whether a revision resolves here
/// (`origin/main`, an id), so that the pull request's base is found as the checkout fetched it.
pub fn from_ci(event: &CiEvent, base_exists: impl Fn(&str) -> bool) -> Result<Target, String> {
    let zero = |id: &str| !id.is_empty() && id.bytes().all(|b| b == b'0');
    // A deletion brings no commits: only the deletion itself is judged.
    let deleted = match &event.deleted_ref {
        Some(name) => Some(name.clone()),
        None if event.deleted || zero(&event.after) => {
            (!event.git_ref.is_empty()).then(|| event.git_ref.clone())
        }
        None => None,
    };
    if let Some(name) = deleted {
        let old = if event.before.is_empty() || zero(&event.before) {
            UNKNOWN.to_string()
        } else {
            event.before.clone()
        };
        return Ok(Target {
            base: None,
            tip: "HEAD".into(),
            branch: None,
            change: Some(RefChange {
                name,
                old,
                new: ZERO.into(),
            }),
        });
    }
    if !event.base_ref.is_empty() {
        let remote = format!("origin/{}", event.base_ref);
        let base = [remote.as_str(), event.base_ref.as_str()]
            .into_iter()
            .find(|rev| base_exists(rev))
            .ok_or_else(|| {
                format!(
                    "the pull request's base branch {} is not in this clone: fetch it (actions/checkout \
                     with fetch-depth: 0), or name the range: xtask verify origin/{}..HEAD",
                    event.base_ref, event.base_ref
                )
            })?;
        return Ok(Target {
            base: Some(base.to_string()),
            tip: "HEAD".into(),
            branch: (!event.head_ref.is_empty()).then(|| event.head_ref.clone()),
            change: None,
        });
    }
    let before = (!event.before.is_empty()
        && !event.before.bytes().all(|b| b == b'0')
        && base_exists(&event.before))
    .then(|| event.before.clone());
    if let Some(branch) = event.git_ref.strip_prefix("refs/heads/") {
        return Ok(Target {
            base: before,
            tip: "HEAD".into(),
            branch: Some(branch.to_string()),
            change: None,
        });
    }
    if event.git_ref.starts_with("refs/tags/") {
        // A tag that was there before the push (`before` not zero) and now names another object: moved.
        let moved = (!event.before.is_empty()
            && !zero(&event.before)
            && event.before != event.after)
            .then(|| RefChange {
                name: event.git_ref.clone(),
                old: event.before.clone(),
                new: event.after.clone(),
            });
        return Ok(Target {
            base: None,
            tip: event.git_ref.clone(),
            branch: None,
            change: moved,
        });
    }
    Err(
        "name the range to verify (A..B, e.g. origin/main..HEAD), or run in CI, where GITHUB_BASE_REF \
         (a pull request) or GITHUB_REF (a push) names it"
            .to_string(),
    )
}

/// A refusal as a GitHub Actions error annotation (`::error ::…`), on one line: `%`, CR and LF are
/// escaped as the workflow commands require.
pub fn annotation(problem: &super::problem::Problem) -> String {
    let escaped = problem
        .to_string()
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    format!("::error ::{escaped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(base: Option<&str>, tip: &str, branch: Option<&str>) -> Target {
        Target {
            base: base.map(str::to_string),
            tip: tip.to_string(),
            branch: branch.map(str::to_string),
            change: None,
        }
    }

    #[test]
    fn ranges_on_the_command_line() {
        // (range, what it names, or the error's words)
        let table: [(&str, Result<Target, &str>); 7] = [
            ("main..HEAD", Ok(target(Some("main"), "HEAD", None))),
            (
                "v1.0.0..feature/x",
                Ok(target(Some("v1.0.0"), "feature/x", None)),
            ),
            (
                "origin/main..",
                Ok(target(Some("origin/main"), "HEAD", None)),
            ),
            ("..HEAD", Err("has no start")),
            ("main...HEAD", Err("is a symmetric range")),
            ("HEAD", Err("is not a range")),
            ("", Err("is not a range")),
        ];
        for (range, expected) in table {
            match (parse_range(range), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{range}"),
                (Err(got), Err(words)) => assert!(got.contains(words), "{range}: {got}"),
                (got, want) => panic!("{range}: {got:?}, wanted {want:?}"),
            }
        }
    }

    #[test]
    fn ranges_of_ci_events() {
        let pr = CiEvent {
            base_ref: "main".into(),
            head_ref: "feature/x".into(),
            git_ref: "refs/pull/7/merge".into(),
            ..CiEvent::default()
        };
        let push = CiEvent {
            git_ref: "refs/heads/main".into(),
            before: "a".repeat(40),
            ..CiEvent::default()
        };
        let new_branch = CiEvent {
            before: "0".repeat(40),
            ..push.clone()
        };
        let tag = CiEvent {
            git_ref: "refs/tags/v1.2.0".into(),
            ..CiEvent::default()
        };
        let everything = |_: &str| true;
        let only_local = |rev: &str| !rev.starts_with("origin/");
        let nothing = |_: &str| false;
        assert_eq!(
            from_ci(&pr, everything),
            Ok(target(Some("origin/main"), "HEAD", Some("feature/x")))
        );
        assert_eq!(
            from_ci(&pr, only_local),
            Ok(target(Some("main"), "HEAD", Some("feature/x")))
        );
        assert!(
            from_ci(&pr, nothing)
                .unwrap_err()
                .contains("fetch-depth: 0")
        );
        assert_eq!(
            from_ci(&push, everything),
            Ok(target(Some(&"a".repeat(40)), "HEAD", Some("main")))
        );
        // A commit the shallow clone does not have, or a new branch: the tip alone.
        assert_eq!(
            from_ci(&push, nothing),
            Ok(target(None, "HEAD", Some("main")))
        );
        assert_eq!(
            from_ci(&new_branch, everything),
            Ok(target(None, "HEAD", Some("main")))
        );
        assert_eq!(
            from_ci(&tag, everything),
            Ok(target(None, "refs/tags/v1.2.0", None))
        );
        assert!(
            from_ci(&CiEvent::default(), everything)
                .unwrap_err()
                .contains("name the range to verify")
        );
    }

    fn change(name: &str, old: &str, new: &str) -> Option<RefChange> {
        Some(RefChange {
            name: name.into(),
            old: old.into(),
            new: new.into(),
        })
    }

    #[test]
    fn moved_and_deleted_refs_of_ci_events() {
        let (a, b) = ("a".repeat(40), "b".repeat(40));
        let tag_push = |before: &str, after: &str, deleted: bool| CiEvent {
            git_ref: "refs/tags/v1.2.0".into(),
            before: before.into(),
            after: after.into(),
            deleted,
            ..CiEvent::default()
        };
        let judged = |event: &CiEvent| from_ci(event, |_| true).unwrap();
        // (event, the change judged)
        let table = [
            // A new tag: nothing was there.
            (tag_push(ZERO, &b, false), None),
            (tag_push("", "", false), None),
            // Pushed again as it was.
            (tag_push(&a, &a, false), None),
            // Moved: another object than before.
            (tag_push(&a, &b, false), change("refs/tags/v1.2.0", &a, &b)),
            // Deleted: `deleted`, or an all-zero `after`.
            (
                tag_push(&a, ZERO, true),
                change("refs/tags/v1.2.0", &a, ZERO),
            ),
            (
                tag_push(&a, ZERO, false),
                change("refs/tags/v1.2.0", &a, ZERO),
            ),
            // GitHub's `delete` event names the ref, not its object.
            (
                CiEvent {
                    git_ref: "refs/heads/main".into(),
                    deleted_ref: Some("refs/tags/v1.2.0".into()),
                    ..CiEvent::default()
                },
                change("refs/tags/v1.2.0", UNKNOWN, ZERO),
            ),
        ];
        for (event, expected) in table {
            let target = judged(&event);
            assert_eq!(target.change, expected, "{event:?}");
            if expected.as_ref().is_some_and(|c| c.new == ZERO) {
                assert_eq!((target.base, target.tip.as_str()), (None, "HEAD"));
            }
        }
    }

    #[test]
    fn events_read_from_github_and_gitlab_variables() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let payload = serde_json::json!({"before": "a", "after": "b", "deleted": true});
        let github = CiEvent::read(
            vars(&[("GITHUB_ACTIONS", "true"), ("GITHUB_REF", "refs/tags/v1")]),
            Some(&payload),
        );
        assert_eq!(
            github,
            CiEvent {
                git_ref: "refs/tags/v1".into(),
                before: "a".into(),
                after: "b".into(),
                deleted: true,
                ..CiEvent::default()
            }
        );
        let delete = serde_json::json!({"ref": "v1", "ref_type": "tag"});
        let event = CiEvent::read(vars(&[("GITHUB_EVENT_NAME", "delete")]), Some(&delete));
        assert_eq!(event.deleted_ref.as_deref(), Some("refs/tags/v1"));
        let gitlab_mr = CiEvent::read(
            vars(&[
                ("GITLAB_CI", "true"),
                ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
                ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feat/x"),
                (
                    "CI_COMMIT_BEFORE_SHA",
                    "0000000000000000000000000000000000000000",
                ),
            ]),
            None,
        );
        assert_eq!(
            (gitlab_mr.base_ref.as_str(), gitlab_mr.head_ref.as_str()),
            ("main", "feat/x")
        );
        let gitlab_push = CiEvent::read(
            vars(&[
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_BRANCH", "main"),
                ("CI_COMMIT_BEFORE_SHA", "c"),
            ]),
            None,
        );
        assert_eq!(
            (gitlab_push.git_ref.as_str(), gitlab_push.before.as_str()),
            ("refs/heads/main", "c")
        );
        let gitlab_tag = CiEvent::read(
            vars(&[
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_TAG", "v1"),
                ("CI_COMMIT_BEFORE_SHA", "c"),
            ]),
            None,
        );
        assert_eq!(
            (gitlab_tag.git_ref.as_str(), gitlab_tag.before.as_str()),
            ("refs/tags/v1", "")
        );
    }

    #[test]
    fn annotations_are_one_line() {
        assert_eq!(
            annotation(&crate::domain::problem::Problem::new(
                "tag.format",
                "50% of v1\r\nmoved",
                "say so"
            )),
            "::error ::tag.format: 50%25 of v1%0D%0Amoved%0Asay so"
        );
    }
}
