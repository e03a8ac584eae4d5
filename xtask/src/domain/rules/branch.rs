//! Branch name patterns (`branches.allowed`, `release.branches`) such as `feature/*` or
//! `stable/{{ major }}.{{ minor }}`, compiled to a small matcher that stays linear on any name.

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

/// One step of the matcher. Patterns compile to these once, at parse time, so that a hook checking
/// a name does no more than walk the name once (see `run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inst {
    /// Consume this byte.
    Byte(u8),
    /// Consume any byte but `/`.
    NotSlash,
    /// Consume `0` as a whole number.
    Zero(Slot),
    /// Consume the first digit (1-9) of a number.
    Lead(Slot),
    /// Consume a further digit of a number.
    More(Slot),
    /// Go on at both places; the first is preferred.
    Split(usize, usize),
    Jump(usize),
    Match,
}

/// A branch name pattern such as `feature/*`, `dependabot/**` or `stable/{{ major }}.{{ minor }}`.
///
/// Syntax: literal text; `*` matches one or more characters within one path segment (never `/`);
/// `**` stands alone as a whole segment and matches one or more segments (`dependabot/**` matches
/// `dependabot/cargo/serde-1.0`); `{{ major }}` and `{{ minor }}` (spaces optional) match a decimal
/// number without leading zeros and capture it. When a pattern could split a name in more than one
/// way, earlier wildcards take as much as they can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    tokens: Vec<Token>,
    program: Vec<Inst>,
}

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

        let program = compile(&tokens, None);
        Ok(Pattern {
            text: text.to_owned(),
            tokens,
            program,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `name` (a short branch name, without `refs/heads/`) matches; on a match, the numbers
    /// the placeholders captured.
    pub fn matches(&self, name: &str) -> Option<Numbers> {
        if let Some(decided) = self.quick_match(name) {
            return decided.then_some(Numbers::default());
        }
        if !self.may_match(name) {
            return None;
        }
        run(&self.program, name.as_bytes())
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
        // into the pattern, only the release's split can match. The program is a few dozen steps.
        let program = compile(
            &self.tokens,
            Some(Numbers {
                major: Some(major),
                minor: Some(minor),
            }),
        );
        run(&program, name.as_bytes()).is_some()
    }

    /// The pattern as a person reads it in a message about no release in particular: the placeholders as
    /// `X` and `Y` (`stable/{{ major }}.{{ minor }}` → `stable/X.Y`), wildcards as written.
    pub fn readable(&self) -> String {
        let mut text = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(literal) => text.push_str(literal),
                Token::Star => text.push('*'),
                Token::Segments => text.push_str("**"),
                Token::Number(Slot::Major) => text.push('X'),
                Token::Number(Slot::Minor) => text.push('Y'),
            }
        }
        text
    }

    /// The pattern as a person reads it in a message about release `major.minor`: the placeholders
    /// filled in (`stable/{{ major }}.{{ minor }}` → `stable/1.4`), wildcards as written.
    pub fn for_release(&self, major: u64, minor: u64) -> String {
        let mut text = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(literal) => text.push_str(literal),
                Token::Star => text.push('*'),
                Token::Segments => text.push_str("**"),
                Token::Number(Slot::Major) => text.push_str(&major.to_string()),
                Token::Number(Slot::Minor) => text.push_str(&minor.to_string()),
            }
        }
        text
    }

    /// A name this pattern accepts: `*` and `**` become `my-topic`, `{{ major }}` 1, `{{ minor }}` 4.
    pub fn example(&self) -> String {
        let mut example = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(literal) => example.push_str(literal),
                Token::Star | Token::Segments => example.push_str(TOPIC_EXAMPLE),
                Token::Number(Slot::Major) => example.push_str(&EXAMPLE_MAJOR.to_string()),
                Token::Number(Slot::Minor) => example.push_str(&EXAMPLE_MINOR.to_string()),
            }
        }
        example
    }

    /// Decides the common shapes (`main`, `feature/*`, `dependabot/**`) directly. The hooks run this
    /// crate unoptimised (see the `xtask` profile), where the general matcher costs microseconds
    /// per pattern; these shapes are nearly every pattern in use. `None`: not one of these shapes.
    fn quick_match(&self, name: &str) -> Option<bool> {
        let one_segment = |rest: &str| !rest.is_empty() && !rest.contains('/');
        let segments = |rest: &str| rest.split('/').all(|segment| !segment.is_empty());
        let decided = match self.tokens.as_slice() {
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

    /// A cheap first look at the literal ends, so that a long name is turned away by most patterns
    /// without walking it.
    fn may_match(&self, name: &str) -> bool {
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

/// Turns tokens into matcher steps; `fixed` writes those numbers in place of their placeholders.
fn compile(tokens: &[Token], fixed: Option<Numbers>) -> Vec<Inst> {
    let mut program = Vec::new();
    for token in tokens {
        let at = program.len();
        match token {
            Token::Literal(literal) => program.extend(literal.bytes().map(Inst::Byte)),
            // at: one byte of the segment, then loop or go on.
            Token::Star => program.extend([Inst::NotSlash, Inst::Split(at, at + 2)]),
            // at: a segment as for `*`; at+2: end here or take a slash and another segment.
            Token::Segments => program.extend([
                Inst::NotSlash,
                Inst::Split(at, at + 2),
                Inst::Split(at + 3, at + 5),
                Inst::Byte(b'/'),
                Inst::Jump(at),
            ]),
            Token::Number(slot) => {
                let value = fixed.and_then(|mut numbers| *slot.of(&mut numbers));
                match value {
                    Some(value) => program.extend(value.to_string().bytes().map(Inst::Byte)),
                    // at: either `0` alone (at+1), or a digit 1-9 (at+3) followed by any digits.
                    None => program.extend([
                        Inst::Split(at + 1, at + 3),
                        Inst::Zero(*slot),
                        Inst::Jump(at + 7),
                        Inst::Lead(*slot),
                        Inst::Split(at + 5, at + 7),
                        Inst::More(*slot),
                        Inst::Jump(at + 4),
                    ]),
                }
            }
        }
    }
    program.push(Inst::Match);
    program
}

#[derive(Debug, Clone, Copy)]
struct Thread {
    pc: usize,
    numbers: Numbers,
}

/// Runs a compiled pattern over the whole of `input` (a Pike VM). All alternatives advance together,
/// one byte at a time, so the cost is bounded by input length times program length: backtracking
/// could take exponential time on a hostile name such as a megabyte of `a` against `*a*a*a*b`.
/// Threads are kept in preference order and only the first to reach a step survives, which gives
/// the same captures a backtracking matcher with greedy wildcards would.
fn run(program: &[Inst], input: &[u8]) -> Option<Numbers> {
    let mut marks = vec![0_usize; program.len()];
    let mut stack = Vec::new();
    // Grown on demand: most steps of a long pattern are never live at the same time.
    let mut current = Vec::new();
    let mut next = Vec::new();
    let start = Thread {
        pc: 0,
        numbers: Numbers::default(),
    };
    add(program, &mut marks, 1, &mut stack, &mut current, start);
    for (generation, &byte) in (2_usize..).zip(input) {
        if current.is_empty() {
            return None;
        }
        for thread in current.drain(..) {
            let mut numbers = thread.numbers;
            let advanced = match program.get(thread.pc) {
                Some(Inst::Byte(expected)) => *expected == byte,
                Some(Inst::NotSlash) => byte != b'/',
                Some(Inst::Zero(slot)) if byte == b'0' => {
                    *slot.of(&mut numbers) = Some(0);
                    true
                }
                Some(Inst::Lead(slot)) if (b'1'..=b'9').contains(&byte) => {
                    *slot.of(&mut numbers) = Some(u64::from(byte - b'0'));
                    true
                }
                Some(Inst::More(slot)) if byte.is_ascii_digit() => {
                    let value = slot.of(&mut numbers);
                    // A number too large for u64 cannot be a version number: the thread dies.
                    *value = value
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(u64::from(byte - b'0')));
                    value.is_some()
                }
                _ => false,
            };
            if advanced {
                let thread = Thread {
                    pc: thread.pc.saturating_add(1),
                    numbers,
                };
                add(
                    program, &mut marks, generation, &mut stack, &mut next, thread,
                );
            }
        }
        std::mem::swap(&mut current, &mut next);
    }
    current
        .iter()
        .find(|thread| matches!(program.get(thread.pc), Some(Inst::Match)))
        .map(|thread| thread.numbers)
}

/// Adds `thread` to `list`, following jumps and splits to the steps that consume input. An explicit
/// stack instead of recursion, so that a pathological pattern cannot overflow the call stack.
fn add(
    program: &[Inst],
    marks: &mut [usize],
    generation: usize,
    stack: &mut Vec<usize>,
    list: &mut Vec<Thread>,
    thread: Thread,
) {
    stack.push(thread.pc);
    while let Some(pc) = stack.pop() {
        let Some(mark) = marks.get_mut(pc) else {
            continue;
        };
        if *mark == generation {
            continue;
        }
        *mark = generation;
        match program.get(pc) {
            Some(Inst::Split(first, second)) => {
                // Pushed in reverse so that the preferred branch is explored first.
                stack.push(*second);
                stack.push(*first);
            }
            Some(Inst::Jump(to)) => stack.push(*to),
            Some(_) => list.push(Thread {
                pc,
                numbers: thread.numbers,
            }),
            None => {}
        }
    }
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
        let Verdict::Refused { rule, reason, hint } = check_branch("wip-stuff", &defaults()) else {
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
        let Verdict::Refused { hint, .. } = check_branch("x", &only_main) else {
            panic!("`x` must be refused");
        };
        assert_eq!(
            hint,
            "name the branch after one of `main`, e.g. `main`, or add a pattern to `branches.allowed` in \
             xtask.toml"
        );

        let Verdict::Refused { hint, .. } = check_branch("x", &[]) else {
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
    fn reference_regex(pattern: &Pattern) -> regex::Regex {
        let mut source = String::from("^");
        for token in &pattern.tokens {
            match token {
                Token::Literal(literal) => source.push_str(&regex::escape(literal)),
                Token::Star => source.push_str("[^/]+"),
                Token::Segments => source.push_str("[^/]+(?:/[^/]+)*"),
                Token::Number(_) => source.push_str("(?:0|[1-9][0-9]*)"),
            }
        }
        source.push('$');
        regex::Regex::new(&source).unwrap()
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
                .and_then(|pattern| Some((pattern.quick_match(&name)?, pattern)));
            prop_assume!(decided.is_some());
            if let Some((decided, pattern)) = decided {
                prop_assert_eq!(decided, run(&pattern.program, name.as_bytes()).is_some());
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
