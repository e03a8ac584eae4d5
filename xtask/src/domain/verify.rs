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
}

/// The CI variables verify reads (empty when unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiEvent {
    /// `GITHUB_BASE_REF`: the branch a pull request goes into.
    pub base_ref: String,
    /// `GITHUB_HEAD_REF`: the pull request's own branch.
    pub head_ref: String,
    /// `GITHUB_REF`: `refs/heads/main`, `refs/tags/v1.2.0`, `refs/pull/7/merge`.
    pub git_ref: String,
    /// The push event's `before` (from `GITHUB_EVENT_PATH`): the branch's commit before the push.
    pub before: String,
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
    })
}

/// The range a CI event names, or why there is none. `base_exists` says whether a revision resolves here
/// (`origin/main`, an id), so that the pull request's base is found as the checkout fetched it.
pub fn from_ci(event: &CiEvent, base_exists: impl Fn(&str) -> bool) -> Result<Target, String> {
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
        });
    }
    if event.git_ref.starts_with("refs/tags/") {
        return Ok(Target {
            base: None,
            tip: event.git_ref.clone(),
            branch: None,
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
pub fn annotation(rule: &str, reason: &str, hint: &str) -> String {
    let text = format!("{rule}: {reason}\n{hint}");
    let escaped = text
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

    #[test]
    fn annotations_are_one_line() {
        assert_eq!(
            annotation("tag.format", "50% of v1\r\nmoved", "say so"),
            "::error ::tag.format: 50%25 of v1%0D%0Amoved%0Asay so"
        );
    }
}
