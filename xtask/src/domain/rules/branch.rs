//! Branch name patterns (`branches.allowed`, `release.branches`) such as `feature/*` or
//! `stable/{{ major }}.{{ minor }}`: the common shapes decided directly, the others by a regular
//! expression (the `regex` crate, linear in the name whatever the pattern).

use std::sync::OnceLock;

use regex_lite::Regex;

use super::*;

/// Numbers captured by `{{ major }}` and `{{ minor }}` in a matching name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Numbers {
    pub major: Option<u64>,
    pub minor: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Major,
    Minor,
}

impl Slot {
    fn placeholder(self) -> &'static str {
        match self {
            Slot::Major => "{{ major }}",
            Slot::Minor => "{{ minor }}",
        }
    }

    /// The name of its capture group in the compiled expression.
    fn group(self) -> &'static str {
        match self {
            Slot::Major => "major",
            Slot::Minor => "minor",
        }
    }

    fn of(self, numbers: &mut Numbers) -> &mut Option<u64> {
        match self {
            Slot::Major => &mut numbers.major,
            Slot::Minor => &mut numbers.minor,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    /// `*`: one or more characters of one segment.
    Star,
    /// `**`: one or more whole segments.
    Segments,
    /// `{{ major }}` or `{{ minor }}`: a decimal number without leading zeros.
    Number(Slot),
}

/// A branch name pattern such as `feature/*`, `dependabot/**` or `stable/{{ major }}.{{ minor }}`.
///
/// Syntax: literal text; `*` matches one or more characters within one path segment (never `/`);
/// `**` stands alone as a whole segment and matches one or more segments (`dependabot/**` matches
/// `dependabot/cargo/serde-1.0`); `{{ major }}` and `{{ minor }}` (spaces optional) match a decimal
/// number without leading zeros and capture it. When a pattern could split a name in more than one
/// way, earlier wildcards take as much as they can.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    tokens: Vec<Token>,
    /// The length of the shortest name the pattern can match (every wildcard and number takes at least
    /// one byte): a shorter name is turned away before any matcher runs.
    shortest: usize,
    /// The general matcher, compiled on first use: the hooks mostly meet patterns that
    /// [`quick_match`] decides, and compiling costs more than a hook's whole rule. `None` when the
    /// pattern is too large for the regex engine's limits (about a megabyte): it then matches nothing.
    regex: OnceLock<Option<Regex>>,
}

/// Two patterns are the same when they are written the same: the rest is derived from the text.
impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.text == other.text
    }
}

impl Eq for Pattern {}

/// Tokens before the stars are sorted out: a run of stars is only known to be `*` or `**` once its
/// neighbours are known, and a placeholder may be one of them.
enum Raw {
    Literal(String),
    Stars(usize),
    Number(Slot),
}

impl Pattern {
    /// Parses a pattern; errors say what is wrong and what is accepted.
    pub fn parse(text: &str) -> Result<Pattern, RuleError> {
        if text.is_empty() {
            return Err(RuleError::EmptyPattern);
        }
        let pieces = scan(text).map_err(|error| match error {
            BraceError::Unclosed => RuleError::PatternUnclosedBraces {
                pattern: text.to_owned(),
            },
            BraceError::Stray => RuleError::PatternStrayBraces {
                pattern: text.to_owned(),
            },
        })?;

        let mut raw = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Placeholder(name) => {
                    let slot = match name {
                        "major" => Slot::Major,
                        "minor" => Slot::Minor,
                        _ => {
                            return Err(RuleError::PatternUnknownPlaceholder {
                                pattern: text.to_owned(),
                                name: name.to_owned(),
                            });
                        }
                    };
                    // A second capture of the same number would need a rule for disagreeing values;
                    // no real branch scheme needs one.
                    if raw
                        .iter()
                        .any(|r| matches!(r, Raw::Number(s) if *s == slot))
                    {
                        return Err(RuleError::PatternRepeatedPlaceholder {
                            pattern: text.to_owned(),
                            placeholder: slot.placeholder(),
                        });
                    }
                    raw.push(Raw::Number(slot));
                }
                Piece::Text(mut rest) => {
                    while !rest.is_empty() {
                        let after_stars = rest.trim_start_matches('*');
                        let stars = rest.len().saturating_sub(after_stars.len());
                        if stars > 0 {
                            raw.push(Raw::Stars(stars));
                            rest = after_stars;
                        } else {
                            let end = rest.find('*').unwrap_or(rest.len());
                            let (literal, after) = rest.split_at_checked(end).unwrap_or((rest, ""));
                            raw.push(Raw::Literal(literal.to_owned()));
                            rest = after;
                        }
                    }
                }
            }
        }

        let mut tokens = Vec::with_capacity(raw.len());
        for (index, item) in raw.iter().enumerate() {
            let token = match item {
                Raw::Literal(literal) => Token::Literal(literal.clone()),
                Raw::Number(slot) => Token::Number(*slot),
                Raw::Stars(1) => Token::Star,
                Raw::Stars(2) => {
                    let before = index.checked_sub(1).and_then(|i| raw.get(i));
                    let after = raw.get(index.saturating_add(1));
                    let starts_segment = match before {
                        None => true,
                        Some(Raw::Literal(literal)) => literal.ends_with('/'),
                        Some(_) => false,
                    };
                    let ends_segment = match after {
                        None => true,
                        Some(Raw::Literal(literal)) => literal.starts_with('/'),
                        Some(_) => false,
                    };
                    if !(starts_segment && ends_segment) {
                        return Err(RuleError::PatternMisplacedStars {
                            pattern: text.to_owned(),
                        });
                    }
                    Token::Segments
                }
                Raw::Stars(_) => {
                    return Err(RuleError::PatternMisplacedStars {
                        pattern: text.to_owned(),
                    });
                }
            };
            tokens.push(token);
        }

        let shortest = tokens
            .iter()
            .map(|token| match token {
                Token::Literal(literal) => literal.len(),
                Token::Star | Token::Segments | Token::Number(_) => 1,
            })
            .sum();
        Ok(Pattern {
            text: text.to_owned(),
            tokens,
            shortest,
            regex: OnceLock::new(),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether both `{{ major }}` and `{{ minor }}` appear in the pattern.
    pub fn names_major_and_minor(&self) -> bool {
        [Slot::Major, Slot::Minor]
            .iter()
            .all(|slot| self.tokens.contains(&Token::Number(*slot)))
    }

    /// Whether `name` (a short branch name, without `refs/heads/`) matches; on a match, the numbers
    /// the placeholders captured.
    pub fn matches(&self, name: &str) -> Option<Numbers> {
        if let Some(decided) = quick_match(&self.tokens, name) {
            return decided.then_some(Numbers::default());
        }
        if !self.may_match(name) {
            return None;
        }
        self.general_match(name)
    }

    /// [`Pattern::matches`] by the regular expression alone, whatever the pattern's shape.
    fn general_match(&self, name: &str) -> Option<Numbers> {
        let regex = self.regex.get_or_init(|| compile(&self.tokens)).as_ref()?;
        if !self.tokens.iter().any(|t| matches!(t, Token::Number(_))) {
            return regex.is_match(name).then_some(Numbers::default());
        }
        let captures = regex.captures(name)?;
        let mut numbers = Numbers::default();
        for slot in [Slot::Major, Slot::Minor] {
            if let Some(digits) = captures.name(slot.group()) {
                // A number too large for u64 cannot be a version number: no match.
                *slot.of(&mut numbers) = Some(digits.as_str().parse().ok()?);
            }
        }
        Some(numbers)
    }

    /// Whether `name` matches with every placeholder equal to the release's numbers, e.g. whether
    /// `stable/1.4` is the branch of release 1.4.x under `stable/{{ major }}.{{ minor }}`.
    pub fn matches_release(&self, name: &str, major: u64, minor: u64) -> bool {
        if !self.may_match(name) {
            return false;
        }
        if !self.tokens.iter().any(|t| matches!(t, Token::Number(_))) {
            return self.matches(name).is_some();
        }
        // Matching first and comparing the captures afterwards would be wrong when a pattern can
        // split a name in two ways (`*{{ major }}` on `v11` captures 1): with the numbers written
        // into the pattern, only the release's split can match. Filled in, the usual release
        // patterns are plain names (`stable/1.4`), decided without a regular expression.
        let filled = fill(&self.tokens, major, minor);
        match quick_match(&filled, name) {
            Some(decided) => decided,
            None => compile(&filled).is_some_and(|regex| regex.is_match(name)),
        }
    }

    /// The pattern as a person reads it in a message about no release in particular: the placeholders as
    /// `X` and `Y` (`stable/{{ major }}.{{ minor }}` → `stable/X.Y`), wildcards as written.
    pub fn readable(&self) -> String {
        self.spelled("*", "**", "X", "Y")
    }

    /// The pattern as a person reads it in a message about release `major.minor`: the placeholders
    /// filled in (`stable/{{ major }}.{{ minor }}` → `stable/1.4`), wildcards as written.
    pub fn for_release(&self, major: u64, minor: u64) -> String {
        self.spelled("*", "**", &major.to_string(), &minor.to_string())
    }

    /// A name this pattern accepts: `*` and `**` become `my-topic`, `{{ major }}` 1, `{{ minor }}` 4.
    pub fn example(&self) -> String {
        let (major, minor) = (EXAMPLE_MAJOR.to_string(), EXAMPLE_MINOR.to_string());
        self.spelled(TOPIC_EXAMPLE, TOPIC_EXAMPLE, &major, &minor)
    }

    /// The pattern's literals with these words in place of its wildcards and placeholders.
    fn spelled(&self, star: &str, segments: &str, major: &str, minor: &str) -> String {
        let mut text = String::new();
        for token in &self.tokens {
            text.push_str(match token {
                Token::Literal(literal) => literal,
                Token::Star => star,
                Token::Segments => segments,
                Token::Number(Slot::Major) => major,
                Token::Number(Slot::Minor) => minor,
            });
        }
        text
    }

    /// A cheap first look at the name's length and the literal ends, so that most names a pattern cannot
    /// match are turned away without walking them (or compiling a huge pattern).
    fn may_match(&self, name: &str) -> bool {
        if name.len() < self.shortest {
            return false;
        }
        let prefix_fits = match self.tokens.first() {
            Some(Token::Literal(prefix)) => name.starts_with(prefix.as_str()),
            _ => true,
        };
        let suffix_fits = match self.tokens.last() {
            Some(Token::Literal(suffix)) => name.ends_with(suffix.as_str()),
            _ => true,
        };
        prefix_fits && suffix_fits
    }
}

/// Decides the common shapes (`main`, `feature/*`, `dependabot/**`) directly: they are nearly every
/// pattern in use, and the hooks (which run on every ref update) then never compile a regular
/// expression. `None`: not one of these shapes.
fn quick_match(tokens: &[Token], name: &str) -> Option<bool> {
    let one_segment = |rest: &str| !rest.is_empty() && !rest.contains('/');
    let segments = |rest: &str| rest.split('/').all(|segment| !segment.is_empty());
    let decided = match tokens {
        [Token::Literal(literal)] => name == literal,
        [Token::Star] => one_segment(name),
        [Token::Segments] => segments(name),
        [Token::Literal(prefix), Token::Star] => {
            name.strip_prefix(prefix.as_str()).is_some_and(one_segment)
        }
        [Token::Literal(prefix), Token::Segments] => {
            name.strip_prefix(prefix.as_str()).is_some_and(segments)
        }
        _ => return None,
    };
    Some(decided)
}

/// The tokens with the release's numbers written in place of their placeholders, neighbouring
/// literals joined (so that `stable/{{ major }}.{{ minor }}` becomes the one literal `stable/1.4`).
fn fill(tokens: &[Token], major: u64, minor: u64) -> Vec<Token> {
    let mut filled: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        let text = match token {
            Token::Number(Slot::Major) => major.to_string(),
            Token::Number(Slot::Minor) => minor.to_string(),
            Token::Literal(literal) => literal.clone(),
            other => {
                filled.push(other.clone());
                continue;
            }
        };
        match filled.last_mut() {
            Some(Token::Literal(before)) => before.push_str(&text),
            _ => filled.push(Token::Literal(text)),
        }
    }
    filled
}

/// The tokens as an anchored regular expression: `*` is `[^/]+`, `**` one or more whole segments, a
/// placeholder a number without leading zeros (captured by name). Greedy repetition with the
/// leftmost-first preference of the `regex` crate: when a name can be split in several ways, earlier
/// wildcards take as much as they can. `None` past the engine's size limits.
fn compile(tokens: &[Token]) -> Option<Regex> {
    let mut source = String::from("^(?:");
    for token in tokens {
        match token {
            Token::Literal(literal) => source.push_str(&regex_lite::escape(literal)),
            Token::Star => source.push_str("[^/]+"),
            Token::Segments => source.push_str("[^/]+(?:/[^/]+)*"),
            Token::Number(slot) => {
                source.push_str(&format!("(?P<{}>0|[1-9][0-9]*)", slot.group()));
            }
        }
    }
    source.push_str(")$");
    Regex::new(&source).ok()
}

/// Allows `name` (a short branch name) if one of the `allowed` patterns matches it.
pub fn check_branch(name: &str, allowed: &[Pattern]) -> Verdict {
    if allowed
        .iter()
        .any(|pattern| pattern.matches(name).is_some())
    {
        return Verdict::Allowed;
    }
    let reason = format!(
        "branch name `{}` matches none of the allowed patterns",
        shown(name)
    );
    // The first pattern with a wildcard makes the most useful example: it is where topic work goes.
    let Some(example) = allowed
        .iter()
        .find(|p| p.tokens.iter().any(|t| !matches!(t, Token::Literal(_))))
        .or(allowed.first())
    else {
        let hint = "the list of allowed branch patterns is empty: add some, e.g. `feature/*`";
        return Verdict::refused("branches.allowed", reason, hint.to_owned());
    };
    let listed = allowed
        .iter()
        .map(|p| format!("`{}`", shown(&p.readable())))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = format!(
        "name the branch after one of {listed}, e.g. `{}`, or add a pattern to `branches.allowed` in \
         xtask.toml",
        shown(&example.example())
    );
    Verdict::refused("branches.allowed", reason, hint)
}

/// The branch patterns allowed when the configuration names none: the usual long-lived and topic names,
/// then `<type>/*` for every Conventional Commits type in `types` (the configured `commits.types`, or
/// [`default_types`]), so that `ci/cache` or `refactor/parser` names a branch as its commits are named.
/// `**` for the bots, whose branch names have several segments (`dependabot/cargo/serde-1.0`,
/// `mergify/bp/stable/2.6/pr-17001`), and the names hosting itself uses (`gh-pages`). A type
/// that could not be a pattern's first segment (a `/`, `*`, `{` or space in it) is skipped.
pub fn default_branches(types: &[String]) -> Vec<String> {
    let mut patterns: Vec<String> = [
        "main",
        "master",
        "develop",
        "feature/*",
        "feat/*",
        "fix/*",
        "bugfix/*",
        "hotfix/*",
        "release/*",
        "release-*",
        "stable/*",
        "next/*",
        "chore/*",
        "docs/*",
        "dependabot/**",
        "renovate/**",
        // What hosting and bots create: GitHub Pages and merge queues, backport and update bots.
        "gh-pages",
        "gh-readonly-queue/**",
        "mergify/**",
        "pre-commit-ci-update-config",
        "release-please--*",
        "changeset-release/**",
        "backport/**",
        "backport-*",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    for kind in types {
        let kind = kind.to_ascii_lowercase();
        let plain = !kind.is_empty()
            && kind
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        let pattern = format!("{kind}/*");
        if plain && !patterns.contains(&pattern) {
            patterns.push(pattern);
        }
    }
    patterns
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A pattern the test knows is valid (shared with the rules' cross-cutting tests in `mod.rs`).
    pub(in crate::domain::rules) fn pattern(text: &str) -> Pattern {
        Pattern::parse(text).unwrap_or_else(|e| panic!("`{text}` should parse: {e}"))
    }

    /// (pattern, release 1.5's reading of it)
    #[test]
    fn a_pattern_reads_as_the_names_of_a_release() {
        for (text, expected) in [
            ("main", "main"),
            ("stable/{{ major }}.{{ minor }}", "stable/1.5"),
            ("release-{{major}}", "release-1"),
            ("hotfix/*", "hotfix/*"),
            ("dependabot/**", "dependabot/**"),
        ] {
            assert_eq!(pattern(text).for_release(1, 5), expected, "{text}");
        }
        assert_eq!(
            pattern("stable/{{ major }}.{{ minor }}").readable(),
            "stable/X.Y"
        );
    }

    pub(in crate::domain::rules) fn defaults() -> Vec<Pattern> {
        default_branches(&default_types())
            .iter()
            .map(|p| pattern(p))
            .collect()
    }

    #[test]
    fn pattern_matches() {
        #[track_caller]
        fn case(text: &str, name: &str, expected: Option<(Option<u64>, Option<u64>)>) {
            let expected = expected.map(|(major, minor)| Numbers { major, minor });
            assert_eq!(
                pattern(text).matches(name),
                expected,
                "`{text}` on `{name}`"
            );
        }
        let none = Some((None, None));
        case("main", "main", none);
        case("main", "mainx", None);
        case("main", "Main", None);
        case(
            "stable/{{ major }}.{{ minor }}",
            "stable/0.1",
            Some((Some(0), Some(1))),
        );
        case(
            "stable/{{major}}.{{minor}}",
            "stable/12.30",
            Some((Some(12), Some(30))),
        );
        case("stable/{{ major }}.{{ minor }}", "stable/latest", None);
        case("stable/{{ major }}.{{ minor }}", "stable/1.2.3", None);
        case("stable/{{ major }}.{{ minor }}", "stable/01.2", None);
        case("stable/{{ major }}.{{ minor }}", "stable/1.02", None);
        case("stable/{{ major }}.{{ minor }}", "stable/1.", None);
        case(
            "stable/{{ major }}",
            "stable/18446744073709551615",
            Some((Some(u64::MAX), None)),
        );
        case("stable/{{ major }}", "stable/18446744073709551616", None);
        case("feature/*", "feature/json", none);
        case("feature/*", "feature/a/b", None);
        case("feature/*", "feature/", None);
        case("feature/*", "feature", None);
        case("feature/*", "feature/ünïcode ✓", none);
        case("release-*", "release-1.2", none);
        case("*", "anything", none);
        case("*", "a/b", None);
        case("*-*", "a-b-c", none);
        case("*-*", "a-", None);
        case("dependabot/**", "dependabot/cargo/serde-1.0", none);
        case("dependabot/**", "dependabot/x", none);
        case("dependabot/**", "dependabot/", None);
        case("dependabot/**", "dependabot/a//b", None);
        case("dependabot/**", "dependabot/a/", None);
        case("dependabot/**", "dependabot", None);
        case("**/fix", "a/b/fix", none);
        case("**/fix", "/fix", None);
        case("**", "a/b", none);
        case("v{{ major }}-*", "v3-x", Some((Some(3), None)));
        // Greedy wildcards: the star keeps as much as it can.
        case("*{{ major }}", "v12", Some((Some(2), None)));
        case("{{ major }}{{ minor }}", "14", Some((Some(1), Some(4))));
        case("{{ major }}0", "10", Some((Some(1), None)));
        case("{{ major }}", "0", Some((Some(0), None)));
        case("{{ major }}", "00", None);
        case("{{ major }}", "", None);
    }

    #[test]
    fn pattern_matches_release() {
        #[track_caller]
        fn case(text: &str, name: &str, major: u64, minor: u64, expected: bool) {
            let result = pattern(text).matches_release(name, major, minor);
            assert_eq!(result, expected, "`{text}` on `{name}` for {major}.{minor}");
        }
        case("stable/{{ major }}.{{ minor }}", "stable/1.4", 1, 4, true);
        case("stable/{{ major }}.{{ minor }}", "stable/1.4", 1, 5, false);
        case("stable/{{ major }}.{{ minor }}", "stable/1.4", 2, 4, false);
        case("stable/{{ major }}.{{ minor }}", "stable/01.4", 1, 4, false);
        case("stable/{{ major }}.x", "stable/1.x", 1, 99, true);
        case("release/*", "release/anything", 7, 7, true);
        case("release/*", "hotfix/anything", 7, 7, false);
        // The release's split is found even where plain matching would capture another one.
        case("*{{ major }}", "v11", 11, 0, true);
        case("*{{ major }}", "v11", 1, 0, true);
        case("*{{ major }}", "v11", 2, 0, false);
        case("{{ major }}", "0", 0, 0, true);
        case("{{ major }}", "18446744073709551615", u64::MAX, 0, true);
    }

    #[test]
    fn pattern_examples() {
        #[track_caller]
        fn case(text: &str, expected: &str) {
            let pattern = pattern(text);
            assert_eq!(pattern.example(), expected);
            assert!(
                pattern.matches(expected).is_some(),
                "example of `{text}` must match"
            );
            assert!(pattern.matches_release(expected, EXAMPLE_MAJOR, EXAMPLE_MINOR));
        }
        case("main", "main");
        case("feature/*", "feature/my-topic");
        case("dependabot/**", "dependabot/my-topic");
        case("stable/{{ major }}.{{ minor }}", "stable/1.4");
        case("{{ major }}{{ minor }}", "14");
    }

    #[test]
    fn pattern_errors() {
        #[track_caller]
        fn case(text: &str, expected: RuleError, message_has: &str) {
            let error = Pattern::parse(text).unwrap_err();
            assert_eq!(error, expected, "`{text}`");
            let message = error.to_string();
            assert!(
                message.contains(message_has),
                "`{message}` lacks `{message_has}`"
            );
        }
        let p = |s: &str| s.to_owned();
        case("", RuleError::EmptyPattern, "`feature/*`");
        case(
            "stable/{{ version }}",
            RuleError::PatternUnknownPlaceholder {
                pattern: p("stable/{{ version }}"),
                name: p("version"),
            },
            "unknown placeholder `{{ version }}`: the accepted placeholders are `{{ major }}` and `{{ minor }}`",
        );
        case(
            "x{{}}",
            RuleError::PatternUnknownPlaceholder {
                pattern: p("x{{}}"),
                name: p(""),
            },
            "`{{ major }}` and `{{ minor }}`",
        );
        case(
            "stable/{{ major",
            RuleError::PatternUnclosedBraces {
                pattern: p("stable/{{ major"),
            },
            "without closing it",
        );
        case(
            "stable/major }}",
            RuleError::PatternStrayBraces {
                pattern: p("stable/major }}"),
            },
            "without an opening",
        );
        case(
            "{{major}}.{{ major }}",
            RuleError::PatternRepeatedPlaceholder {
                pattern: p("{{major}}.{{ major }}"),
                placeholder: "{{ major }}",
            },
            "more than once",
        );
        for text in [
            "a**",
            "**b",
            "a/**b",
            "***",
            "x/***/y",
            "{{ major }}**",
            "**{{ minor }}",
        ] {
            case(
                text,
                RuleError::PatternMisplacedStars { pattern: p(text) },
                "`dependabot/**`",
            );
        }
    }

    #[test]
    fn branches() {
        #[track_caller]
        fn case(name: &str, allowed: bool) {
            let verdict = check_branch(name, &defaults());
            assert_eq!(
                verdict == Verdict::Allowed,
                allowed,
                "`{name}`: {verdict:?}"
            );
        }
        for name in [
            "main",
            "master",
            "develop",
            "feature/json",
            "fix/crash",
            "release/1.2",
            "release-1.2",
            "stable/1",
            "dependabot/cargo/serde-1.0",
            "renovate/serde",
            // Every Conventional Commits type names a topic.
            "ci/cache",
            "refactor/parser",
            "perf/walk",
            "test/fuzz",
            "build/profile",
            "style/fmt",
            "revert/cache",
        ] {
            case(name, true);
        }
        for name in [
            "wip-stuff",
            "feature/a/b",
            "feature/",
            "mainline",
            "dependabot",
            "HEAD",
            "ci",
            "ci/a/b",
        ] {
            case(name, false);
        }
    }

    #[test]
    fn branch_refusal_text() {
        let Verdict::Refused(Problem { rule, reason, hint }) =
            check_branch("wip-stuff", &defaults())
        else {
            panic!("`wip-stuff` must be refused");
        };
        assert_eq!(rule, "branches.allowed");
        assert_eq!(
            reason,
            "branch name `wip-stuff` matches none of the allowed patterns"
        );
        assert!(
            hint.starts_with("name the branch after one of `main`, `master`,"),
            "{hint}"
        );
        assert!(hint.contains("`dependabot/**`"), "{hint}");
        assert!(
            hint.ends_with(
                "e.g. `feature/my-topic`, or add a pattern to `branches.allowed` in xtask.toml"
            ),
            "{hint}"
        );

        let only_main = [pattern("main")];
        let Verdict::Refused(Problem { hint, .. }) = check_branch("x", &only_main) else {
            panic!("`x` must be refused");
        };
        assert_eq!(
            hint,
            "name the branch after one of `main`, e.g. `main`, or add a pattern to `branches.allowed` in \
             xtask.toml"
        );

        let Verdict::Refused(Problem { hint, .. }) = check_branch("x", &[]) else {
            panic!("nothing is allowed by an empty list");
        };
        assert!(hint.contains("empty"), "{hint}");
    }

    #[test]
    fn defaults_parse() {
        // 24 names, then a prefix per type not already there (feat, fix, docs and chore are).
        assert_eq!(defaults().len(), 24 + 11);
        assert_eq!(default_types().len(), 15);
    }

    #[test]
    fn the_default_types_cover_every_default_changelog_group() {
        let types = default_types();
        for group in crate::domain::changelog::default_groups() {
            for kind in &group.kinds {
                assert!(
                    types.contains(kind),
                    "{kind} ({}) is not a default type",
                    group.title
                );
            }
        }
    }

    #[test]
    fn default_branches_follow_the_configured_types() {
        let types = |list: &[&str]| list.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>();
        // (types, the patterns after the 24 names: each type once, none already there, none unusable)
        let table: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (&["ci", "Refactor"], &["ci/*", "refactor/*"]),
            (&["feat", "fix"], &[]),
            (&["a/b", "x*", "{{", "two words", ""], &[]),
            (&["ops", "ops"], &["ops/*"]),
        ];
        for (kinds, extra) in table {
            let got = default_branches(&types(kinds));
            assert_eq!(&got[24..], *extra, "{kinds:?}");
            for text in &got {
                Pattern::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            }
        }
    }

    /// The branches hosting and bots create are allowed by default.
    #[test]
    fn the_defaults_accept_what_hosting_and_bots_create() {
        for name in [
            "gh-pages",
            "gh-readonly-queue/main/pr-12-0123abcd",
            "mergify/bp/stable/2.6/pr-17001",
            "mergify/merge-queue/abc",
            "dependabot/cargo/serde-1.0.200",
            "renovate/lock-file-maintenance",
            "pre-commit-ci-update-config",
            "release-please--branches--main",
            "changeset-release/main",
            "backport/123-to-stable",
            "backport-123-to-1.x",
        ] {
            assert_eq!(check_branch(name, &defaults()), Verdict::Allowed, "{name}");
        }
    }

    /// The same pattern as a regular expression, to check the matcher against an independent one.
    fn reference_regex(pattern: &Pattern) -> regex_lite::Regex {
        let mut source = String::from("^");
        for token in &pattern.tokens {
            match token {
                Token::Literal(literal) => source.push_str(&regex_lite::escape(literal)),
                Token::Star => source.push_str("[^/]+"),
                Token::Segments => source.push_str("[^/]+(?:/[^/]+)*"),
                Token::Number(_) => source.push_str("(?:0|[1-9][0-9]*)"),
            }
        }
        source.push('$');
        regex_lite::Regex::new(&source).unwrap()
    }

    proptest! {
        #[test]
        fn any_pattern_text_parses_or_fails_cleanly(text in any::<String>()) {
            if let Ok(pattern) = Pattern::parse(&text) {
                prop_assert_eq!(pattern.as_str(), text.as_str());
                let example = pattern.example();
                prop_assert!(pattern.matches(&example).is_some(), "{:?} on {:?}", text, example);
                prop_assert!(pattern.matches_release(&example, EXAMPLE_MAJOR, EXAMPLE_MINOR));
            } else {
                let message = Pattern::parse(&text).unwrap_err().to_string();
                prop_assert!(!message.is_empty());
            }
        }

        #[test]
        fn matcher_agrees_with_regex(
            text in "[a1./*-]{0,4}(\\{\\{ ?(major|minor) ?\\}\\})?[a0./*-]{0,4}",
            name in "[a01./-]{0,15}",
        ) {
            // Only valid patterns say anything here; too many invalid ones fail the test.
            let parsed = Pattern::parse(&text);
            prop_assume!(parsed.is_ok());
            if let Ok(pattern) = parsed {
                let found = pattern.matches(&name);
                prop_assert_eq!(found.is_some(), reference_regex(&pattern).is_match(&name));
                if let Some(numbers) = found {
                    let major = numbers.major.unwrap_or(EXAMPLE_MAJOR);
                    let minor = numbers.minor.unwrap_or(EXAMPLE_MINOR);
                    prop_assert!(pattern.matches_release(&name, major, minor));
                }
            }
        }

        #[test]
        fn shortcuts_agree_with_the_matcher(
            text in "[a/]{0,3}\\*{0,2}",
            name in "[a/]{0,6}",
        ) {
            // Only cases a shortcut decides say anything here; too many others fail the test.
            let decided = Pattern::parse(&text)
                .ok()
                .and_then(|pattern| Some((quick_match(&pattern.tokens, &name)?, pattern)));
            prop_assume!(decided.is_some());
            if let Some((decided, pattern)) = decided {
                prop_assert_eq!(decided, pattern.general_match(&name).is_some());
            }
        }

        #[test]
        fn example_of_structured_patterns_matches(
            text in "([a-z]{1,3}|\\*|\\{\\{major\\}\\}|\\{\\{ minor \\}\\}|/\\*\\*/|[.-]){1,6}",
        ) {
            let parsed = Pattern::parse(&text);
            prop_assume!(parsed.is_ok());
            if let Ok(pattern) = parsed {
                let example = pattern.example();
                prop_assert!(pattern.matches_release(&example, EXAMPLE_MAJOR, EXAMPLE_MINOR), "{:?}", example);
            }
        }
    }
}
