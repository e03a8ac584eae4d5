//! Branch, tag and commit-message rules: a name or a message in, a verdict with a reason out. One module
//! per engine (`branch` patterns, `tag` format, `ref_name` checks, `commit` messages); this one holds what
//! they share: the verdict, the configuration errors, the `{{ … }}` scanner and how input is quoted back.
// These run inside git hooks on every commit and ref update, on names anyone can type: nothing here
// may panic, whatever the input.
#![deny(
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

use std::fmt;
use std::str::FromStr;

pub use super::problem::Problem;
use super::version::{self, Scheme, Version};

mod branch;
mod commit;
mod ref_name;
mod tag;

pub use branch::{Numbers, Pattern, check_branch, default_branches};
pub use commit::{check_commit_message, check_message, default_types};
pub use ref_name::ref_name_problem;
pub use tag::{TagFormat, check_tag_name};

/// What `*` and `**` stand for in an example name.
const TOPIC_EXAMPLE: &str = "my-topic";
/// What `{{ major }}` stands for in an example name.
const EXAMPLE_MAJOR: u64 = 1;
/// What `{{ minor }}` stands for in an example name.
const EXAMPLE_MINOR: u64 = 4;
/// The longest name or subject quoted back in a message: enough to recognise it, short enough for a
/// terminal line even when someone pushes a megabyte of branch name.
const SHOWN_LIMIT: usize = 72;

/// A problem in a rule's configuration: what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuleError {
    /// A branch pattern is the empty string.
    EmptyPattern,
    /// A branch pattern opens `{{` and never closes it.
    PatternUnclosedBraces { pattern: String },
    /// A branch pattern has `}}` without an opening `{{`.
    PatternStrayBraces { pattern: String },
    /// A branch pattern names a placeholder other than `major` and `minor`.
    PatternUnknownPlaceholder { pattern: String, name: String },
    /// A branch pattern uses the same placeholder twice.
    PatternRepeatedPlaceholder {
        pattern: String,
        placeholder: &'static str,
    },
    /// A branch pattern has `**` inside a segment, or three or more stars in a row.
    PatternMisplacedStars { pattern: String },
    /// A tag format opens `{{` and never closes it.
    TagFormatUnclosedBraces { format: String },
    /// A tag format has `}}` without an opening `{{`.
    TagFormatStrayBraces { format: String },
    /// A tag format names a placeholder other than `version`.
    TagFormatUnknownPlaceholder { format: String, name: String },
    /// A tag format has no `{{ version }}`, or more than one.
    TagFormatVersionCount { format: String, count: usize },
    /// An enforcement level other than `deny`, `warn` or `off`.
    UnknownEnforcement { value: String },
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const BRANCH_PLACEHOLDERS: &str = "`{{ major }}` and `{{ minor }}`";
        match self {
            RuleError::EmptyPattern => write!(
                f,
                "a branch pattern is empty: write a name such as `main` or a pattern such as `feature/*`"
            ),
            RuleError::PatternUnclosedBraces { pattern } => write!(
                f,
                "branch pattern `{}` opens `{{{{` without closing it with `}}}}`: the accepted \
                 placeholders are {BRANCH_PLACEHOLDERS}",
                shown(pattern)
            ),
            RuleError::PatternStrayBraces { pattern } => write!(
                f,
                "branch pattern `{}` has `}}}}` without an opening `{{{{`: the accepted placeholders \
                 are {BRANCH_PLACEHOLDERS}",
                shown(pattern)
            ),
            RuleError::PatternUnknownPlaceholder { pattern, name } => write!(
                f,
                "branch pattern `{}` uses the unknown placeholder `{{{{ {} }}}}`: the accepted \
                 placeholders are {BRANCH_PLACEHOLDERS}",
                shown(pattern),
                shown(name)
            ),
            RuleError::PatternRepeatedPlaceholder {
                pattern,
                placeholder,
            } => write!(
                f,
                "branch pattern `{}` uses `{placeholder}` more than once: keep one, a pattern \
                 captures each number once",
                shown(pattern)
            ),
            RuleError::PatternMisplacedStars { pattern } => write!(
                f,
                "branch pattern `{}` has `**` inside a path segment or more than two stars in a \
                 row: `*` matches within one segment, and `**` (one or more segments) must stand \
                 alone between slashes, as in `dependabot/**`",
                shown(pattern)
            ),
            RuleError::TagFormatUnclosedBraces { format } => write!(
                f,
                "tag format `{}` opens `{{{{` without closing it with `}}}}`: write `{{{{ version }}}}`",
                shown(format)
            ),
            RuleError::TagFormatStrayBraces { format } => write!(
                f,
                "tag format `{}` has `}}}}` without an opening `{{{{`: write `{{{{ version }}}}`",
                shown(format)
            ),
            RuleError::TagFormatUnknownPlaceholder { format, name } => write!(
                f,
                "tag format `{}` uses the unknown placeholder `{{{{ {} }}}}`: only \
                 `{{{{ version }}}}` is accepted, so that every tag reads back into a version",
                shown(format),
                shown(name)
            ),
            RuleError::TagFormatVersionCount { format, count: 0 } => write!(
                f,
                "tag format `{}` has no `{{{{ version }}}}`: tags must read back into versions, so \
                 the format needs it exactly once, as in `v{{{{ version }}}}`",
                shown(format)
            ),
            RuleError::TagFormatVersionCount { format, count } => write!(
                f,
                "tag format `{}` has `{{{{ version }}}}` {count} times: tags must read back into \
                 versions, so the format needs it exactly once, as in `v{{{{ version }}}}`",
                shown(format)
            ),
            RuleError::UnknownEnforcement { value } => write!(
                f,
                "unknown enforcement `{}`: use `deny`, `warn` or `off`",
                shown(value)
            ),
        }
    }
}

impl std::error::Error for RuleError {}

/// The outcome of a rule: allowed, or refused with what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// The setting that refused (`branches.allowed`), what is wrong with this input, what would be
    /// accepted.
    Refused(Problem),
}

impl Verdict {
    fn refused(rule: &str, reason: String, hint: String) -> Verdict {
        Verdict::Refused(Problem::new(rule, reason, hint))
    }

    /// The problem, if refused.
    pub fn problem(self) -> Option<Problem> {
        match self {
            Verdict::Allowed => None,
            Verdict::Refused(problem) => Some(problem),
        }
    }
}

/// How strictly a rule is applied: refuse, only warn, or skip it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Enforcement {
    Deny,
    #[default]
    Warn,
    Off,
}

impl Enforcement {
    /// The word the configuration uses for this level.
    pub fn as_str(self) -> &'static str {
        match self {
            Enforcement::Deny => "deny",
            Enforcement::Warn => "warn",
            Enforcement::Off => "off",
        }
    }
}

impl FromStr for Enforcement {
    type Err = RuleError;

    /// Parses `deny`, `warn` or `off`, exactly as written in the configuration.
    fn from_str(text: &str) -> Result<Enforcement, RuleError> {
        match text {
            "deny" => Ok(Enforcement::Deny),
            "warn" => Ok(Enforcement::Warn),
            "off" => Ok(Enforcement::Off),
            _ => Err(RuleError::UnknownEnforcement {
                value: text.to_owned(),
            }),
        }
    }
}

impl fmt::Display for Enforcement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text around `{{ … }}` placeholders, shared by branch patterns and tag formats so both read braces
/// the same way.
enum Piece<'a> {
    Text(&'a str),
    /// The trimmed name inside the braces.
    Placeholder(&'a str),
}

enum BraceError {
    Unclosed,
    Stray,
}

/// Each `{{ name }}` in `text` with its byte range and its trimmed name; a `{{` with no `}}` after it ends
/// the list. The one scanner of the kit's own placeholders (branch patterns, tag formats, line branches,
/// package templates, `release.post`); message and changelog templates are minijinja's.
pub fn placeholders(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + text.get(at..)?.find("{{")?;
        let inside = start + 2;
        let end = inside + text.get(inside..)?.find("}}")?;
        at = end + 2;
        Some((start..at, text.get(inside..end)?.trim()))
    })
}

/// `text` as literal pieces and placeholders; braces that open or close nothing are an error.
fn scan(text: &str) -> Result<Vec<Piece<'_>>, BraceError> {
    let mut pieces = Vec::new();
    let mut done = 0;
    let text_piece = |from: usize, to: usize| -> Result<Option<Piece<'_>>, BraceError> {
        let between = text.get(from..to).unwrap_or_default();
        if between.contains("}}") {
            return Err(BraceError::Stray);
        }
        Ok((!between.is_empty()).then_some(Piece::Text(between)))
    };
    for (range, name) in placeholders(text) {
        pieces.extend(text_piece(done, range.start)?);
        pieces.push(Piece::Placeholder(name));
        done = range.end;
    }
    let rest = text.get(done..).unwrap_or_default();
    if let Some((before, _)) = rest.split_once("{{") {
        return Err(if before.contains("}}") {
            BraceError::Stray
        } else {
            BraceError::Unclosed
        });
    }
    pieces.extend(text_piece(done, text.len())?);
    Ok(pieces)
}

/// `text` as it may be quoted in a message: control characters (and the bidirectional overrides
/// that can make a terminal show something else than what is there) escaped, and cut to
/// `SHOWN_LIMIT` characters with `…`, since names and subjects come from anyone.
pub fn shown(text: &str) -> String {
    let mut out = String::new();
    let mut count = 0_usize;
    for c in text.chars() {
        let hidden =
            c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        let piece: String = if hidden {
            c.escape_unicode().collect()
        } else {
            c.to_string()
        };
        let piece = match c {
            '\n' => "\\n".to_owned(),
            '\r' => "\\r".to_owned(),
            '\t' => "\\t".to_owned(),
            _ => piece,
        };
        for e in piece.chars() {
            if count == SHOWN_LIMIT {
                out.pop();
                out.push('…');
                return out;
            }
            out.push(e);
            count = count.saturating_add(1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scaling::assert_linear;
    use proptest::prelude::*;

    use super::branch::tests::{defaults, pattern};

    const MB: usize = 1 << 20;
    #[test]
    fn enforcement() {
        #[track_caller]
        fn case(text: &str, expected: Option<Enforcement>) {
            assert_eq!(text.parse::<Enforcement>().ok(), expected, "`{text}`");
            if let Some(level) = expected {
                assert_eq!(level.to_string(), text);
            }
        }
        case("deny", Some(Enforcement::Deny));
        case("warn", Some(Enforcement::Warn));
        case("off", Some(Enforcement::Off));
        case("Deny", None);
        case("", None);
        case(" warn", None);
        assert_eq!(Enforcement::default(), Enforcement::Warn);
        let message = "strict".parse::<Enforcement>().unwrap_err().to_string();
        assert_eq!(
            message,
            "unknown enforcement `strict`: use `deny`, `warn` or `off`"
        );
    }

    #[test]
    fn shown_escapes_and_truncates() {
        #[track_caller]
        fn case(text: &str, expected: &str) {
            assert_eq!(shown(text), expected);
        }
        case("plain", "plain");
        case("a\tb\rc", "a\\tb\\rc");
        case("\u{1b}[31mred", "\\u{1b}[31mred");
        case("\u{202e}evil", "\\u{202e}evil");
        case("ünï ✓", "ünï ✓");
        case(&"x".repeat(72), &"x".repeat(72));
        case(&"x".repeat(73), &format!("{}…", "x".repeat(71)));
        case(&"é".repeat(100), &format!("{}…", "é".repeat(71)));
        assert_eq!(shown(&"\n".repeat(MB)).chars().count(), SHOWN_LIMIT);
    }

    #[test]
    fn hostile_subjects_are_quoted_safely() {
        let message = "wip: $(rm -rf /) `x` 'q' \"d\" \u{1b}[2J\u{7}";
        let Verdict::Refused(Problem { reason, .. }) = check_message(message, &default_types())
        else {
            panic!("must be refused");
        };
        assert!(!reason.chars().any(char::is_control), "{reason:?}");
        assert!(reason.contains("$(rm -rf /)"), "{reason}");

        let long = format!("wip: {}", "y".repeat(MB));
        let Verdict::Refused(Problem { reason, .. }) = check_message(&long, &default_types())
        else {
            panic!("must be refused");
        };
        assert!(
            reason.contains(&format!("`wip: {}…`", "y".repeat(66))),
            "{reason}"
        );
        assert!(reason.len() < 400);
    }

    #[test]
    fn hostile_names() {
        let patterns = defaults();
        let names = [
            "feature/with space".to_owned(),
            "feature/'quote'\"".to_owned(),
            "feature/$(touch pwned)".to_owned(),
            "feature/line\nbreak".to_owned(),
            "feature/\u{0}nul".to_owned(),
            "feature/🦀".to_owned(),
            "a".repeat(MB),
            format!("feature/{}", "a".repeat(MB)),
            format!("feature/{}/", "a".repeat(MB)),
            format!("dependabot/{}", "a/".repeat(MB / 2)),
            format!("dependabot/{}x", "a/".repeat(MB / 2)),
            "/".repeat(MB),
            "9".repeat(MB),
            "é".repeat(MB / 2),
        ];
        let verdicts: Vec<Verdict> = names
            .iter()
            .map(|name| check_branch(name, &patterns))
            .collect();
        let allowed: Vec<bool> = verdicts.iter().map(|v| *v == Verdict::Allowed).collect();
        // Spaces, quotes, newlines and NULs are git's to refuse; our patterns only look at segments.
        assert_eq!(
            allowed,
            [
                true, true, true, true, true, true, false, true, false, false, true, false, false,
                false
            ]
        );
        for verdict in verdicts {
            if let Verdict::Refused(Problem { reason, hint, .. }) = verdict {
                assert!(reason.len() < 400 && hint.len() < 1000);
                assert!(!reason.chars().any(char::is_control), "{reason:?}");
            }
        }

        let stable = pattern("stable/{{ major }}.{{ minor }}");
        assert_eq!(
            stable.matches(&format!("stable/{}.1", "1".repeat(MB))),
            None
        );
        assert!(!stable.matches_release(&format!("stable/{}.1", "1".repeat(MB)), 1, 1));
        assert_eq!(
            stable.matches(&format!("stable/0.{}", "0".repeat(MB))),
            None
        );
    }

    #[test]
    fn hostile_patterns_stay_linear() {
        // Backtracking would take exponential time here; the matcher walks the name once. The
        // patterns end in a wildcard so that the cheap literal-suffix look does not decide first.
        let nasty = pattern("x*a*a*a*a*b*");
        assert_eq!(nasty.matches(&format!("x{}", "a".repeat(MB))), None);
        assert!(
            nasty
                .matches(&format!("x{}bc", "a".repeat(MB / 16)))
                .is_some()
        );
        let deep = pattern("**/a/**/a/**/b/**");
        assert_eq!(deep.matches(&format!("{}c", "a/".repeat(MB / 2))), None);
        // A pattern of a megabyte (the configuration's to keep sane: cost is name times pattern
        // length) parses and matches short names.
        let long = pattern(&"*-".repeat(MB / 2));
        assert_eq!(long.matches("a-b-"), None);
        assert!(long.matches(&"a-".repeat(100)).is_none());
        assert_eq!(
            Pattern::parse(&"*".repeat(MB)),
            Err(RuleError::PatternMisplacedStars {
                pattern: "*".repeat(MB)
            })
        );

        // The cost: 10 times the name (or the pattern), about 10 times the work.
        let n = MB / 256;
        assert_linear(
            "stars against a long name",
            n,
            |n| format!("x{}", "a".repeat(n)),
            |name| {
                let _ = nasty.matches(name);
            },
        );
        assert_linear(
            "stars against a matching name",
            n,
            |n| format!("x{}bc", "a".repeat(n)),
            |name| {
                let _ = nasty.matches(name);
            },
        );
        assert_linear(
            "segments against a deep name",
            n / 2,
            |n| format!("{}c", "a/".repeat(n)),
            |name| {
                let _ = deep.matches(name);
            },
        );
        assert_linear(
            "a long pattern",
            n / 2,
            |n| "*-".repeat(n),
            |text| {
                let _ = Pattern::parse(text).map(|p| p.matches(&"a-".repeat(100)));
            },
        );
        assert_linear(
            "misplaced stars",
            n,
            |n| "*".repeat(n),
            |text| {
                let _ = Pattern::parse(text);
            },
        );
    }

    #[test]
    fn hostile_tags_and_formats() {
        let format = TagFormat::parse("v{{ version }}").unwrap();
        for tag in [
            format!("v{}", "1".repeat(MB)),
            format!("v1.2.3-{}", "a.".repeat(MB / 2)),
            format!("v1.2.3-{}", "a".repeat(MB)),
            "v1.2.3\n".to_owned(),
            "v$(reboot)".to_owned(),
            "v".repeat(MB),
        ] {
            if let Verdict::Refused(Problem { reason, .. }) = check_tag_name(&tag, &format) {
                assert!(reason.len() < 400, "{}", reason.len());
                assert!(!reason.chars().any(char::is_control), "{reason:?}");
            }
        }
        assert!(TagFormat::parse(&"{{".repeat(MB)).is_err());
        assert!(TagFormat::parse(&"}}".repeat(MB)).is_err());
        assert!(Pattern::parse(&format!("{{{{ {} }}}}", "z".repeat(MB))).is_err());
        let message = Pattern::parse(&format!("{{{{ {} }}}}", "z".repeat(MB)))
            .unwrap_err()
            .to_string();
        assert!(message.len() < 600, "{}", message.len());
    }

    #[test]
    fn hostile_messages() {
        // (message, allowed): nothing but blank or comment lines has no subject to judge; a valid
        // subject passes whatever its description holds; the rest is refused with a short, printable
        // reason.
        for (message, allowed) in [
            ("\n".repeat(MB), true),
            ("#".repeat(MB), true),
            ("# x\n".repeat(MB / 4), true),
            ("(".repeat(MB), false),
            (format!("feat({}: x", "a".repeat(MB)), false),
            (format!("feat: {}", "\u{0}".repeat(MB)), true),
            ("\r".repeat(MB), true),
            ("é:".repeat(MB / 2), false),
        ] {
            let start: String = message.chars().take(8).collect();
            match check_message(&message, &default_types()) {
                Verdict::Allowed => assert!(allowed, "{start:?} allowed"),
                Verdict::Refused(Problem { rule, reason, .. }) => {
                    assert!(!allowed, "{start:?} refused: {reason}");
                    assert_eq!(rule, "commits.conventional");
                    assert!(reason.len() < 400, "{}", reason.len());
                    assert!(!reason.chars().any(char::is_control), "{reason:?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn any_name_is_checked_without_panic(name in any::<String>()) {
            // Every verdict on any name: allowed, or refused by the right rule with a short, printable
            // reason and a hint.
            let refused_well = |verdict: Verdict, expected_rule: &str| -> Result<(), TestCaseError> {
                if let Verdict::Refused(Problem { rule, reason, hint }) = verdict {
                    prop_assert_eq!(rule.as_str(), expected_rule);
                    prop_assert!(!reason.is_empty() && !hint.is_empty());
                    prop_assert!(reason.len() < 400 + 4 * name.len().min(100), "{}", reason.len());
                    prop_assert!(!reason.chars().any(char::is_control), "{:?}", reason);
                }
                Ok(())
            };
            refused_well(check_branch(&name, &defaults()), "branches.allowed")?;
            let format = TagFormat::parse("v{{ version }}").unwrap();
            let tag = check_tag_name(&name, &format);
            if tag == Verdict::Allowed {
                prop_assert!(format.version_of(&name).is_some(), "{:?}", name);
            }
            refused_well(tag, "tag.format")?;
            refused_well(check_message(&name, &default_types()), "commits.conventional")?;
            if TagFormat::parse(&name).is_ok() {
                prop_assert!(name.contains("version"), "{:?}", name);
            }
            match name.parse::<Enforcement>() {
                Ok(_) => prop_assert!(["deny", "warn", "off"].contains(&name.as_str())),
                Err(e) => prop_assert!(e.to_string().contains(&name)),
            }
        }

        #[test]
        fn tags_read_back_into_versions(
            prefix in "[a-z@/._-]{0,6}",
            suffix in "[a-z@/._+-]{0,6}",
            major in any::<u64>(),
            minor in any::<u64>(),
            patch in any::<u64>(),
            pre in "|[a-z]{1,5}(\\.[1-9][0-9]{0,3})?",
        ) {
            let format = TagFormat::parse(&format!("{prefix}{{{{ version }}}}{suffix}")).unwrap();
            let mut version = Version::new(major, minor, patch);
            version.pre = semver::Prerelease::new(&pre).unwrap();
            let tag = format.render(&version).unwrap();
            prop_assert_eq!(format.version_of(&tag), Some(version));
            prop_assert_eq!(check_tag_name(&tag, &format), Verdict::Allowed);
        }
    }
}
