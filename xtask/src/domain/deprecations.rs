//! Deprecation windows: the ledger of `Deprecated:` and `Removed:` footers over a history, and the release's
//! judgement of it (a removal before its window opens is refused).
//!
//! A `Deprecated: <what>` footer announces a deprecation; a `Removed: <what>` footer removes it. The two are
//! matched by `<what>`, exactly after trimming and case folding (`Removed: The Foo option ` matches
//! `Deprecated: the foo option`). The window is counted from the release that first contained the
//! announcement, by [`Window`].

use std::cmp::Ordering;
use std::collections::HashMap;

use super::conventional::{self, Footer};
use super::version::{self, Version};

/// `[policy] deprecation`: how long a deprecation must stay before its removal may ship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    /// Announced in `X.Y` → removable from `X.(Y+2).0` (and so in any later major). Below 1.0, `0.Y`
    /// minors count as minors: `0.3` → `0.5.0`.
    #[default]
    TwoMinors,
    /// Announced in `X.Y` → removable from `(X+1).0.0` (`0.Y` → `1.0.0`).
    NextMajor,
    /// No window: removals are never refused.
    Off,
}

impl Window {
    pub const NAMES: [&'static str; 3] = ["two-minors", "next-major", "off"];

    pub fn parse(text: &str) -> Option<Window> {
        match text {
            "two-minors" => Some(Window::TwoMinors),
            "next-major" => Some(Window::NextMajor),
            "off" => Some(Window::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Window::TwoMinors => "two-minors",
            Window::NextMajor => "next-major",
            Window::Off => "off",
        }
    }

    /// The first version allowed to remove what `announced` deprecated; `None` when the policy is off.
    pub fn window(self, announced: &Version) -> Option<Version> {
        match self {
            Window::TwoMinors => Some(Version::new(
                announced.major,
                announced.minor.saturating_add(2),
                0,
            )),
            Window::NextMajor => Some(Version::new(announced.major.saturating_add(1), 0, 0)),
            Window::Off => None,
        }
    }
}

/// A release tag and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub tag: String,
    pub version: Version,
}

/// What one commit says about deprecations, and the first release that contained it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub commit: String,
    pub subject: String,
    /// The values of its `Deprecated:` footers.
    pub deprecated: Vec<String>,
    /// The values of its `Removed:` footers.
    pub removed: Vec<String>,
    /// `None`: no release contains it yet.
    pub release: Option<Release>,
}

/// The `Deprecated:` and `Removed:` values among `footers` (tokens in any letter case, `: ` only; empty
/// values left out).
pub fn footer_values(footers: &[Footer]) -> (Vec<String>, Vec<String>) {
    let mut deprecated = Vec::new();
    let mut removed = Vec::new();
    for footer in footers {
        if footer.separator != ": " || footer.value.trim().is_empty() {
            continue;
        }
        let value = footer.value.trim().to_string();
        if footer.token.eq_ignore_ascii_case("Deprecated") {
            deprecated.push(value);
        } else if footer.token.eq_ignore_ascii_case("Removed") {
            removed.push(value);
        }
    }
    (deprecated, removed)
}

/// The `Deprecated:` and `Removed:` values of a commit message, from the same footers the changelog reads.
pub fn message_values(message: &str) -> (Vec<String>, Vec<String>) {
    let text = message.trim_start();
    let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
    footer_values(&conventional::body_and_footers(rest).1)
}

/// How `<what>` is matched: exact after trimming and case folding.
pub fn key(what: &str) -> String {
    what.trim().to_lowercase()
}

/// Where a deprecation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Its window has not opened at the last release yet (or it is not released).
    Open,
    /// The last release is at or past the first version allowed to remove it.
    Removable,
    /// A `Removed:` footer names it.
    Removed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Open => "open",
            State::Removable => "removable",
            State::Removed => "removed",
        }
    }
}

/// The commit whose `Removed:` footer names a deprecation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub commit: String,
    pub release: Option<Release>,
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deprecation {
    /// As the announcing footer wrote it.
    pub what: String,
    pub commit: String,
    pub subject: String,
    /// The release that first contained the announcement; `None` when unreleased.
    pub announced: Option<Release>,
    /// The first version allowed to remove it; `None` while unreleased (the window starts with the release
    /// that ships it) or when the policy is off.
    pub removable_from: Option<Version>,
    pub removed: Option<Removal>,
    pub state: State,
}

/// Release order with "unreleased" after every release.
fn cmp_release(a: Option<&Release>, b: Option<&Release>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => version::release_cmp(&a.version, &b.version),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Whether a release of `new` is at or past `from`: a pre-release counts as its version (`2.4.0-rc.1` may
/// remove what `2.4.0` may).
fn reaches(new: &Version, from: &Version) -> bool {
    version::release_cmp(&version::core(new), from) != Ordering::Less
}

/// The ledger over `notices` (newest first, as git lists commits): one line per deprecated `<what>`,
/// announced by its earliest release, oldest first. `last_release` is the last release on this line: a
/// deprecation whose window it reaches is removable.
pub fn ledger(
    notices: &[Notice],
    policy: Window,
    last_release: Option<&Version>,
) -> Vec<Deprecation> {
    let mut lines: Vec<Deprecation> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    // Oldest first, so that of two announcements in one release the older one is kept.
    for notice in notices.iter().rev() {
        for what in &notice.deprecated {
            let line = Deprecation {
                what: what.clone(),
                commit: notice.commit.clone(),
                subject: notice.subject.clone(),
                announced: notice.release.clone(),
                removable_from: None,
                removed: None,
                state: State::Open,
            };
            match by_key.get(&key(what)).and_then(|&i| lines.get_mut(i)) {
                Some(existing) => {
                    if cmp_release(line.announced.as_ref(), existing.announced.as_ref()).is_lt() {
                        *existing = line;
                    }
                }
                None => {
                    by_key.insert(key(what), lines.len());
                    lines.push(line);
                }
            }
        }
    }
    for notice in notices.iter().rev() {
        for what in &notice.removed {
            let Some(line) = by_key.get(&key(what)).and_then(|&i| lines.get_mut(i)) else {
                continue;
            };
            // A removal released before the announcement removed something else of that name.
            if cmp_release(notice.release.as_ref(), line.announced.as_ref()).is_lt() {
                continue;
            }
            let earlier = line
                .removed
                .as_ref()
                .is_some_and(|r| !cmp_release(notice.release.as_ref(), r.release.as_ref()).is_lt());
            if !earlier {
                line.removed = Some(Removal {
                    commit: notice.commit.clone(),
                    release: notice.release.clone(),
                });
            }
        }
    }
    for line in &mut lines {
        line.removable_from = line
            .announced
            .as_ref()
            .and_then(|r| policy.window(&r.version));
        line.state = if line.removed.is_some() {
            State::Removed
        } else if policy == Window::Off {
            State::Removable
        } else {
            match (&line.removable_from, last_release) {
                (Some(from), Some(last)) if reaches(last, from) => State::Removable,
                _ => State::Open,
            }
        };
    }
    lines.sort_by(|a, b| cmp_release(a.announced.as_ref(), b.announced.as_ref()));
    lines
}

/// What the deprecation windows say about a release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Removals before their window opens: refused unless forced.
    pub early: Vec<String>,
    /// `Removed:` footers that match no deprecation.
    pub warnings: Vec<String>,
    /// Deprecations whose window opens with this release, described.
    pub opening: Vec<String>,
}

/// Judges a release of `new` after `previous` (the last release on this line): every `Removed:` in the
/// unreleased commits of `notices` must come at or after its deprecation's window, and the deprecations
/// whose window this release opens are listed. `spell` writes a version as the project does.
pub fn judge(
    notices: &[Notice],
    policy: Window,
    new: &Version,
    previous: Option<&Version>,
    spell: &dyn Fn(&Version) -> String,
) -> Verdict {
    let mut verdict = Verdict::default();
    if policy == Window::Off {
        return verdict;
    }
    let lines = ledger(notices, policy, previous);
    let by_key: HashMap<String, &Deprecation> = lines.iter().map(|d| (key(&d.what), d)).collect();
    for notice in notices.iter().rev().filter(|n| n.release.is_none()) {
        for what in &notice.removed {
            let Some(line) = by_key.get(&key(what)) else {
                verdict.warnings.push(format!(
                    "commit {} says `Removed: {what}`, but no `Deprecated:` footer in the history names it \
                     (matched exactly after trimming and case folding): check the spelling",
                    notice.commit
                ));
                continue;
            };
            let (announced, from) = match &line.announced {
                Some(release) => (
                    format!("in {} ({})", spell(&release.version), release.tag),
                    policy.window(&release.version),
                ),
                None => (
                    format!("in this very release ({})", spell(new)),
                    policy.window(&version::core(new)),
                ),
            };
            let Some(from) = from else { continue };
            if !reaches(new, &from) {
                verdict.early.push(format!(
                    "commit {} removes \"{}\" too early: it was deprecated {announced} by commit {}, and the \
                     {} policy allows its removal from {} on, not in {}",
                    notice.commit,
                    line.what,
                    line.commit,
                    policy.as_str(),
                    spell(&from),
                    spell(new)
                ));
            }
        }
    }
    for line in &lines {
        let (Some(release), Some(from), None) =
            (&line.announced, &line.removable_from, &line.removed)
        else {
            continue;
        };
        let opened_before = previous.is_some_and(|p| reaches(p, from));
        if reaches(new, from) && !opened_before {
            verdict.opening.push(format!(
                "\"{}\" (deprecated in {} by commit {})",
                line.what,
                spell(&release.version),
                line.commit
            ));
        }
    }
    verdict
}

/// How much of the history a release must read for its deprecation check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Nothing can be refused or opened: no history is read.
    Nothing,
    /// The whole history: a `Removed:` may match a deprecation of any age.
    Everything,
    /// Only what is not in the release at this version: every window of what it and older releases
    /// announced was already open at the previous release.
    After(Version),
}

/// What a release of `new` after `previous` must read, given whether the commits it releases carry a
/// `Removed:` footer (`removing`) and the versions of the release tags. Most releases open no window (a
/// patch release never does under either policy) and remove nothing, so they read no history at all.
pub fn reading(
    policy: Window,
    removing: bool,
    previous: Option<&Version>,
    new: &Version,
    releases: &[Version],
) -> Reading {
    if policy == Window::Off {
        return Reading::Nothing;
    }
    if removing {
        return Reading::Everything;
    }
    let opened = |v: &Version| {
        policy
            .window(v)
            .is_some_and(|from| previous.is_some_and(|p| reaches(p, &from)))
    };
    let opens_now = releases
        .iter()
        .any(|v| !opened(v) && policy.window(v).is_some_and(|from| reaches(new, &from)));
    if !opens_now {
        return Reading::Nothing;
    }
    releases
        .iter()
        .filter(|v| opened(v))
        .max_by(|a, b| version::release_cmp(a, b))
        .map_or(Reading::Everything, |v| Reading::After(v.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn release(text: &str) -> Option<Release> {
        Some(Release {
            tag: format!("v{text}"),
            version: v(text),
        })
    }

    fn notice(commit: &str, at: Option<&str>, deprecated: &[&str], removed: &[&str]) -> Notice {
        Notice {
            commit: commit.into(),
            subject: format!("subject of {commit}"),
            deprecated: deprecated.iter().map(|s| s.to_string()).collect(),
            removed: removed.iter().map(|s| s.to_string()).collect(),
            release: at.and_then(release),
        }
    }

    fn spell(v: &Version) -> String {
        v.to_string()
    }

    #[test]
    fn windows_per_policy() {
        // (policy, announced in, first version allowed to remove)
        let table: &[(Window, &str, Option<&str>)] = &[
            (Window::TwoMinors, "2.2.0", Some("2.4.0")),
            (Window::TwoMinors, "2.2.3", Some("2.4.0")),
            (Window::TwoMinors, "2.9.0", Some("2.11.0")),
            (Window::TwoMinors, "2.2.0-rc.1", Some("2.4.0")),
            (Window::TwoMinors, "0.3.1", Some("0.5.0")),
            (Window::TwoMinors, "0.0.4", Some("0.2.0")),
            (Window::NextMajor, "2.2.0", Some("3.0.0")),
            (Window::NextMajor, "0.3.0", Some("1.0.0")),
            (Window::Off, "2.2.0", None),
        ];
        for (policy, announced, expected) in table {
            assert_eq!(
                policy.window(&v(announced)),
                expected.map(v),
                "{policy:?} {announced}"
            );
        }
    }

    #[test]
    fn policies_parse_by_name() {
        for name in Window::NAMES {
            assert_eq!(Window::parse(name).map(Window::as_str), Some(name));
        }
        assert_eq!(Window::parse("two minors"), None);
        assert_eq!(Window::default(), Window::TwoMinors);
    }

    #[test]
    fn footers_are_read_in_any_case_from_any_commit() {
        let message = "feat: new engine\n\nbody\n\nDeprecated: the old engine\ndeprecated: the --fast flag\nRemoved: x\nRefs: #1\nDeprecated #7\n";
        assert_eq!(
            message_values(message),
            (
                vec!["the old engine".to_string(), "the --fast flag".to_string()],
                vec!["x".to_string()]
            )
        );
        // Not conventional, still read; a subject alone has no footers.
        assert_eq!(
            message_values("Tidy up\n\nRemoved: y").1,
            vec!["y".to_string()]
        );
        assert_eq!(message_values("Deprecated: z"), (vec![], vec![]));
    }

    /// (what, last release, ledger as (what, announced, removable from, state, removed by))
    #[test]
    fn ledger_table() {
        type Row<'a> = (
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
            State,
            Option<&'a str>,
        );
        let history = [
            notice("e5", None, &["the --fast flag"], &[]),
            notice("d4", Some("2.4.0"), &[], &[" The Old Engine "]),
            notice("c3", Some("2.3.0"), &["the old engine"], &[]),
            notice("b2", Some("2.2.0"), &["the old engine", "Option A"], &[]),
            notice("a1", Some("2.1.0"), &[], &["option a"]),
        ];
        let cases: &[(&str, Window, Option<&str>, &[Row])] = &[
            (
                "at 2.4.0: the engine was removed in 2.4.0, option A may go, the flag is unreleased",
                Window::TwoMinors,
                Some("2.4.0"),
                &[
                    (
                        "the old engine",
                        Some("2.2.0"),
                        Some("2.4.0"),
                        State::Removed,
                        Some("d4"),
                    ),
                    (
                        "Option A",
                        Some("2.2.0"),
                        Some("2.4.0"),
                        State::Removable,
                        None,
                    ),
                    ("the --fast flag", None, None, State::Open, None),
                ],
            ),
            (
                "one release before the window: open",
                Window::TwoMinors,
                Some("2.3.9"),
                &[
                    (
                        "the old engine",
                        Some("2.2.0"),
                        Some("2.4.0"),
                        State::Removed,
                        Some("d4"),
                    ),
                    ("Option A", Some("2.2.0"), Some("2.4.0"), State::Open, None),
                    ("the --fast flag", None, None, State::Open, None),
                ],
            ),
            (
                "a pre-release of the window's version counts",
                Window::TwoMinors,
                Some("2.4.0-rc.1"),
                &[
                    (
                        "the old engine",
                        Some("2.2.0"),
                        Some("2.4.0"),
                        State::Removed,
                        Some("d4"),
                    ),
                    (
                        "Option A",
                        Some("2.2.0"),
                        Some("2.4.0"),
                        State::Removable,
                        None,
                    ),
                    ("the --fast flag", None, None, State::Open, None),
                ],
            ),
            (
                "next-major",
                Window::NextMajor,
                Some("2.9.0"),
                &[
                    (
                        "the old engine",
                        Some("2.2.0"),
                        Some("3.0.0"),
                        State::Removed,
                        Some("d4"),
                    ),
                    ("Option A", Some("2.2.0"), Some("3.0.0"), State::Open, None),
                    ("the --fast flag", None, None, State::Open, None),
                ],
            ),
            (
                "off: everything not removed is removable",
                Window::Off,
                Some("2.2.0"),
                &[
                    (
                        "the old engine",
                        Some("2.2.0"),
                        None,
                        State::Removed,
                        Some("d4"),
                    ),
                    ("Option A", Some("2.2.0"), None, State::Removable, None),
                    ("the --fast flag", None, None, State::Removable, None),
                ],
            ),
        ];
        for (what, policy, last, expected) in cases {
            let lines = ledger(&history, *policy, last.map(v).as_ref());
            let got: Vec<String> = lines
                .iter()
                .map(|d| {
                    format!(
                        "{:?}",
                        (
                            d.what.as_str(),
                            d.announced.as_ref().map(|r| r.tag.trim_start_matches('v')),
                            d.removable_from.as_ref().map(Version::to_string),
                            d.state,
                            d.removed.as_ref().map(|r| r.commit.as_str()),
                        )
                    )
                })
                .collect();
            let expected: Vec<String> = expected
                .iter()
                .map(|(w, a, r, s, by)| format!("{:?}", (w, a, r.map(String::from), s, by)))
                .collect();
            assert_eq!(got, expected, "{what}");
        }
    }

    #[test]
    fn the_announcing_commit_is_the_oldest() {
        let history = [
            notice("b2", None, &["x"], &[]),
            notice("a1", None, &["X"], &[]),
        ];
        let lines = ledger(&history, Window::TwoMinors, None);
        assert_eq!(lines.len(), 1);
        assert_eq!(
            (lines[0].what.as_str(), lines[0].commit.as_str()),
            ("X", "a1")
        );
    }

    /// (what, policy, new version, previous release, early removals (needles), warnings, opening)
    #[test]
    fn judge_table() {
        let history = [
            notice(
                "f6",
                None,
                &[],
                &["the epoch_transitions_only option", "nothing known"],
            ),
            notice("c3", Some("2.3.0"), &["the sync API"], &[]),
            notice(
                "b2",
                Some("2.2.0"),
                &["the epoch_transitions_only option"],
                &[],
            ),
            notice("a1", Some("2.1.0"), &[], &[]),
        ];
        type Case<'a> = (
            &'a str,
            Window,
            &'a str,
            &'a str,
            &'a [&'a str],
            usize,
            &'a [&'a str],
        );
        let cases: &[Case] = &[
            (
                "2.3.1: too early, naming where it was announced and 2.4.0",
                Window::TwoMinors,
                "2.3.1",
                "2.3.0",
                &[
                    "b2",
                    "the epoch_transitions_only option",
                    "2.2.0 (v2.2.0)",
                    "from 2.4.0 on",
                    "not in 2.3.1",
                ],
                1,
                &[],
            ),
            (
                "2.4.0-rc.1 is in the window",
                Window::TwoMinors,
                "2.4.0-rc.1",
                "2.3.0",
                &[],
                1,
                &[],
            ),
            (
                "2.4.0: allowed; the sync API's window is not open",
                Window::TwoMinors,
                "2.4.0",
                "2.3.0",
                &[],
                1,
                &[],
            ),
            (
                "2.5.0 opens the sync API's window",
                Window::TwoMinors,
                "2.5.0",
                "2.3.0",
                &[],
                1,
                &["\"the sync API\" (deprecated in 2.3.0 by commit c3)"],
            ),
            (
                "3.0.0 is a later major",
                Window::TwoMinors,
                "3.0.0",
                "2.3.0",
                &[],
                1,
                &["the sync API"],
            ),
            (
                "next-major: 2.9.0 is too early",
                Window::NextMajor,
                "2.9.0",
                "2.3.0",
                &["from 3.0.0 on", "next-major"],
                1,
                &[],
            ),
            (
                "off: nothing is judged",
                Window::Off,
                "2.3.1",
                "2.3.0",
                &[],
                0,
                &[],
            ),
        ];
        for (what, policy, new, previous, early, warnings, opening) in cases {
            let verdict = judge(&history, *policy, &v(new), Some(&v(previous)), &spell);
            let text = verdict.early.join("\n");
            assert_eq!(verdict.early.is_empty(), early.is_empty(), "{what}: {text}");
            for needle in *early {
                assert!(text.contains(needle), "{what}: {text:?} lacks {needle:?}");
            }
            assert_eq!(
                verdict.warnings.len(),
                *warnings,
                "{what}: {:?}",
                verdict.warnings
            );
            let opened = verdict.opening.join("\n");
            assert_eq!(verdict.opening.len(), opening.len(), "{what}: {opened}");
            for needle in *opening {
                assert!(
                    opened.contains(needle),
                    "{what}: {opened:?} lacks {needle:?}"
                );
            }
        }
    }

    #[test]
    fn windows_open_once() {
        let history = [notice("b2", Some("2.2.0"), &["x"], &[])];
        let judge_at = |new: &str, previous: &str| {
            judge(
                &history,
                Window::TwoMinors,
                &v(new),
                Some(&v(previous)),
                &spell,
            )
            .opening
        };
        assert!(judge_at("2.3.0", "2.2.0").is_empty());
        assert_eq!(judge_at("2.4.0", "2.3.0").len(), 1);
        assert_eq!(judge_at("2.4.0-rc.1", "2.3.0").len(), 1);
        // Promoting the release candidate does not say it again.
        assert!(judge_at("2.4.0", "2.4.0-rc.1").is_empty());
        assert!(judge_at("2.4.1", "2.4.0").is_empty());
        // A jump past the window opens it too.
        assert_eq!(judge_at("3.0.0", "2.2.0").len(), 1);
    }

    #[test]
    fn reading_table() {
        let releases: Vec<Version> = ["1.9.0", "2.0.0", "2.1.0", "2.1.1", "2.2.0", "2.3.0"]
            .iter()
            .map(|t| v(t))
            .collect();
        // (what, policy, removing, previous, new, expected)
        let cases: &[(&str, Window, bool, &str, &str, Reading)] = &[
            (
                "a patch opens nothing",
                Window::TwoMinors,
                false,
                "2.3.0",
                "2.3.1",
                Reading::Nothing,
            ),
            (
                "2.4.0 opens 2.2's window: read after 2.1.1",
                Window::TwoMinors,
                false,
                "2.3.0",
                "2.4.0",
                Reading::After(v("2.1.1")),
            ),
            (
                "a release candidate of 2.4.0 too",
                Window::TwoMinors,
                false,
                "2.3.0",
                "2.4.0-rc.1",
                Reading::After(v("2.1.1")),
            ),
            (
                "its promotion opens nothing new",
                Window::TwoMinors,
                false,
                "2.4.0-rc.1",
                "2.4.0",
                Reading::Nothing,
            ),
            (
                "a removal reads everything",
                Window::TwoMinors,
                true,
                "2.3.0",
                "2.3.1",
                Reading::Everything,
            ),
            (
                "off reads nothing",
                Window::Off,
                true,
                "2.3.0",
                "3.0.0",
                Reading::Nothing,
            ),
            (
                "next-major: 3.0.0 opens every 2.x window",
                Window::NextMajor,
                false,
                "2.3.0",
                "3.0.0",
                Reading::After(v("1.9.0")),
            ),
            (
                "next-major: a minor opens nothing",
                Window::NextMajor,
                false,
                "2.3.0",
                "2.4.0",
                Reading::Nothing,
            ),
        ];
        for (what, policy, removing, previous, new, expected) in cases {
            assert_eq!(
                &reading(*policy, *removing, Some(&v(previous)), &v(new), &releases),
                expected,
                "{what}"
            );
        }
        // Nothing released before: everything that may open is read.
        assert_eq!(
            reading(Window::TwoMinors, false, None, &v("2.4.0"), &releases),
            Reading::Everything
        );
        assert_eq!(
            reading(Window::TwoMinors, false, None, &v("0.1.0"), &[]),
            Reading::Nothing
        );
    }

    #[test]
    fn removing_in_the_release_that_deprecates_is_early() {
        let history = [
            notice("b2", None, &[], &["x"]),
            notice("a1", None, &["x"], &[]),
        ];
        let verdict = judge(
            &history,
            Window::TwoMinors,
            &v("0.3.0"),
            Some(&v("0.2.0")),
            &spell,
        );
        assert_eq!(verdict.early.len(), 1);
        assert!(
            verdict.early[0].contains("in this very release (0.3.0)"),
            "{:?}",
            verdict.early
        );
        assert!(
            verdict.early[0].contains("from 0.5.0 on"),
            "{:?}",
            verdict.early
        );
        // Pre-1.0 minors count as minors.
        let history = [
            notice("b2", None, &[], &["x"]),
            notice("a1", Some("0.3.0"), &["x"], &[]),
        ];
        assert!(
            !judge(
                &history,
                Window::TwoMinors,
                &v("0.4.0"),
                Some(&v("0.3.0")),
                &spell
            )
            .early
            .is_empty()
        );
        assert!(
            judge(
                &history,
                Window::TwoMinors,
                &v("0.5.0"),
                Some(&v("0.4.0")),
                &spell
            )
            .early
            .is_empty()
        );
    }
}
