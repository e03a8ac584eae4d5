//! Branch, tag and commit-message rules: a name or a message in, a verdict with a reason out.
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

use super::version::{self, Scheme, Version};

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
    /// `rule` names the setting that refused (`branches.allowed`), `reason` says what is wrong with
    /// this input, `hint` says what would be accepted.
    Refused {
        rule: String,
        reason: String,
        hint: String,
    },
}

impl Verdict {
    fn refused(rule: &str, reason: String, hint: String) -> Verdict {
        Verdict::Refused {
            rule: rule.to_owned(),
            reason,
            hint,
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

// ---------------------------------------------------------------------------------------------
// Branch name patterns
// ---------------------------------------------------------------------------------------------

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

fn scan(text: &str) -> Result<Vec<Piece<'_>>, BraceError> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("{{") {
        if before.contains("}}") {
            return Err(BraceError::Stray);
        }
        let Some((inside, after)) = after.split_once("}}") else {
            return Err(BraceError::Unclosed);
        };
        if !before.is_empty() {
            pieces.push(Piece::Text(before));
        }
        pieces.push(Piece::Placeholder(inside.trim()));
        rest = after;
    }
    if rest.contains("}}") {
        return Err(BraceError::Stray);
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
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
        .map(|p| format!("`{}`", shown(p.as_str())))
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
/// `**` for the bots, whose branch names have several segments (`dependabot/cargo/serde-1.0`). A type
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

// ---------------------------------------------------------------------------------------------
// Tag format
// ---------------------------------------------------------------------------------------------

/// How release tags are named, such as `v{{ version }}`: literal text around one SemVer version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFormat {
    text: String,
    prefix: String,
    suffix: String,
    /// How new tags spell the version; tags in either scheme are read.
    scheme: Scheme,
}

impl TagFormat {
    /// Parses a format with exactly one `{{ version }}` (spaces optional), so that every tag it
    /// renders reads back into its version.
    pub fn parse(format: &str) -> Result<TagFormat, RuleError> {
        let pieces = scan(format).map_err(|error| match error {
            BraceError::Unclosed => RuleError::TagFormatUnclosedBraces {
                format: format.to_owned(),
            },
            BraceError::Stray => RuleError::TagFormatStrayBraces {
                format: format.to_owned(),
            },
        })?;
        let mut prefix = String::new();
        let mut suffix = String::new();
        let mut count = 0_usize;
        for piece in pieces {
            match piece {
                Piece::Text(text) if count == 0 => prefix.push_str(text),
                Piece::Text(text) => suffix.push_str(text),
                Piece::Placeholder("version") => count = count.saturating_add(1),
                Piece::Placeholder(name) => {
                    return Err(RuleError::TagFormatUnknownPlaceholder {
                        format: format.to_owned(),
                        name: name.to_owned(),
                    });
                }
            }
        }
        if count != 1 {
            return Err(RuleError::TagFormatVersionCount {
                format: format.to_owned(),
                count,
            });
        }
        Ok(TagFormat {
            text: format.to_owned(),
            prefix,
            suffix,
            scheme: Scheme::Semver,
        })
    }

    /// The same format, writing new tags in `scheme` (`v4.18.0rc1` in PEP 440).
    pub fn in_scheme(mut self, scheme: Scheme) -> TagFormat {
        self.scheme = scheme;
        self
    }

    /// The scheme new tags are written in.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The tag of `version`: `v{{ version }}` renders 1.2.0 as `v1.2.0`, and 1.3.0-rc.1 as
    /// `v1.3.0-rc.1` in SemVer or `v1.3.0rc1` in PEP 440; a version the scheme cannot spell is
    /// refused with the reason.
    pub fn render(&self, version: &Version) -> Result<String, String> {
        let text = self.scheme.render(version)?;
        Ok(format!("{}{text}{}", self.prefix, self.suffix))
    }

    /// The version a tag names in either scheme (a project that changed its tag style keeps its
    /// history), or `None` when the tag does not fit the format.
    pub fn version_of(&self, tag: &str) -> Option<Version> {
        let version = tag
            .strip_prefix(self.prefix.as_str())?
            .strip_suffix(self.suffix.as_str())?;
        version::parse_any(version)
    }

    /// Whether `tag` is a release tag: one that fits the format. Hooks use it to tell release tags
    /// from other tags; whether other tags are refused is the hook's decision (`check_tag_name`).
    pub fn is_release_tag(&self, tag: &str) -> bool {
        self.version_of(tag).is_some()
    }

    /// The format as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The tag of version 1.2.0, for messages.
    pub fn example(&self) -> String {
        format!("{}1.2.0{}", self.prefix, self.suffix)
    }
}

/// Why git would refuse `name` as the last part of a ref (`refs/tags/<name>`), following
/// `git check-ref-format`; `None` when it is a valid name. Run on what `tag.format` renders, so that a
/// format that can never make a tag is found by `check`, not half-way through a release.
pub fn ref_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name == "@" {
        return Some("`@` alone is not a ref name");
    }
    if let Some(c) = name.chars().find(|c| c.is_ascii_control()) {
        return Some(if c == '\t' || c == '\n' {
            "it contains whitespace"
        } else {
            "it contains a control character"
        });
    }
    let forbidden: [(&str, &'static str); 10] = [
        (" ", "it contains a space"),
        ("~", "it contains `~`"),
        ("^", "it contains `^`"),
        (":", "it contains `:`"),
        ("?", "it contains `?`"),
        ("*", "it contains `*`"),
        ("[", "it contains `[`"),
        ("\\", "it contains `\\`"),
        ("..", "it contains `..`"),
        ("@{", "it contains `@{`"),
    ];
    if let Some((_, why)) = forbidden.iter().find(|(bad, _)| name.contains(bad)) {
        return Some(why);
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Some("it starts or ends with `/` or has an empty `//` component");
    }
    if name.ends_with('.') {
        return Some("it ends with `.`");
    }
    for component in name.split('/') {
        if component.starts_with('.') {
            return Some("a `/`-separated component starts with `.`");
        }
        if component.ends_with(".lock") {
            return Some("a `/`-separated component ends with `.lock`");
        }
    }
    None
}

/// Allows `tag` if it fits `format`.
pub fn check_tag_name(tag: &str, format: &TagFormat) -> Verdict {
    if format.is_release_tag(tag) {
        return Verdict::Allowed;
    }
    Verdict::refused(
        "tag.format",
        format!(
            "tag `{}` does not follow the tag format `{}`",
            shown(tag),
            shown(format.as_str())
        ),
        format!("e.g. `{}`", shown(&format.example())),
    )
}

// ---------------------------------------------------------------------------------------------
// Commit messages
// ---------------------------------------------------------------------------------------------

/// Subjects git writes itself (merges, reverts, autosquash markers): they always pass, since
/// refusing them would only get in the way of git's own commands.
const GIT_SUBJECTS: [&str; 5] = ["Merge ", "Revert \"", "fixup! ", "squash! ", "amend! "];

/// What `git commit --verbose` puts above the diff; git drops everything from here on.
const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// The commit types allowed when the configuration names none: every type the default changelog groups
/// list (`change`, `deprecate`, `remove`, `security` included), so the hook never warns on a commit the
/// changelog wants, and the usual housekeeping types.
pub fn default_types() -> Vec<String> {
    [
        "feat",
        "fix",
        "docs",
        "refactor",
        "perf",
        "test",
        "build",
        "ci",
        "chore",
        "revert",
        "style",
        "change",
        "deprecate",
        "remove",
        "security",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

/// What is wrong with a subject line.
enum Problem<'a> {
    MissingPrefix,
    LeadingSpace,
    UnknownType(&'a str),
    UnclosedScope,
    EmptyScope,
    MissingColon,
    MissingSpace,
    EmptyDescription,
}

/// Checks that the subject line follows Conventional Commits: `type(scope)!: description`, with
/// `type` one of `types` (any case) and the scope and `!` optional.
///
/// A deliberately small check, not a parser: it only needs the subject. Comment lines (`#`) and
/// leading blank lines are skipped as git skips them; an empty message is allowed, because git
/// refuses it anyway and says so better.
pub fn check_message(message: &str, types: &[String]) -> Verdict {
    let Some(subject) = subject_line(message) else {
        return Verdict::Allowed;
    };
    if GIT_SUBJECTS.iter().any(|start| subject.starts_with(start)) {
        return Verdict::Allowed;
    }
    let Err(problem) = check_subject(subject, types) else {
        return Verdict::Allowed;
    };
    let what = match problem {
        Problem::MissingPrefix => "does not start with a `type: ` prefix".to_owned(),
        Problem::LeadingSpace => "starts with whitespace before the type".to_owned(),
        Problem::UnknownType(kind) if types.is_empty() => format!(
            "uses the type `{}`, but no commit types are allowed (the list is empty)",
            shown(kind)
        ),
        Problem::UnknownType(kind) => format!(
            "uses the unknown type `{}` (allowed types: {})",
            shown(kind),
            types
                .iter()
                .map(|t| shown(t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Problem::UnclosedScope => {
            "opens a scope with `(` but does not close it with `)`".to_owned()
        }
        Problem::EmptyScope => "has an empty scope `()`".to_owned(),
        Problem::MissingColon => "needs a `:` right after the type, scope and `!`".to_owned(),
        Problem::MissingSpace => "needs a space after the colon".to_owned(),
        Problem::EmptyDescription => "has an empty description".to_owned(),
    };
    let reason = format!("subject line `{}` {what}", shown(subject));
    // The example uses a type the user may actually write, `feat` when it is allowed.
    let example_type = types
        .iter()
        .find(|t| t.eq_ignore_ascii_case("feat"))
        .or(types.first())
        .map_or("feat", String::as_str);
    let hint = format!(
        "write the subject as `type(scope)!: description`, e.g. `{}(cli): add --json`; the scope \
         and `!` are optional",
        shown(example_type)
    );
    Verdict::refused("commits.conventional", reason, hint)
}

/// The first line git would keep as the subject, without trailing whitespace.
fn subject_line(message: &str) -> Option<&str> {
    for line in message.lines() {
        if line == SCISSORS {
            return None;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        return Some(line.trim_end());
    }
    None
}

fn check_subject<'a>(subject: &'a str, types: &[String]) -> Result<(), Problem<'a>> {
    if subject.starts_with(char::is_whitespace) {
        return Err(Problem::LeadingSpace);
    }
    let end = subject
        .find(['(', '!', ':'])
        .ok_or(Problem::MissingPrefix)?;
    let (kind, rest) = subject
        .split_at_checked(end)
        .ok_or(Problem::MissingPrefix)?;
    // Whitespace before the first `:` means prose such as `Update docs: typo`, not a misspelt type.
    if kind.is_empty() || kind.contains(char::is_whitespace) {
        return Err(Problem::MissingPrefix);
    }
    if !types.iter().any(|t| t.eq_ignore_ascii_case(kind)) {
        return Err(Problem::UnknownType(kind));
    }
    let rest = match rest.strip_prefix('(') {
        Some(scoped) => {
            let (scope, after) = scoped.split_once(')').ok_or(Problem::UnclosedScope)?;
            if scope.trim().is_empty() {
                return Err(Problem::EmptyScope);
            }
            after
        }
        None => rest,
    };
    let rest = rest.strip_prefix('!').unwrap_or(rest);
    let description = rest.strip_prefix(':').ok_or(Problem::MissingColon)?;
    if description.trim().is_empty() {
        return Err(Problem::EmptyDescription);
    }
    if !description.starts_with(' ') {
        return Err(Problem::MissingSpace);
    }
    Ok(())
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
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use crate::domain::scaling::assert_linear;
    use proptest::prelude::*;

    fn pattern(text: &str) -> Pattern {
        Pattern::parse(text).unwrap_or_else(|e| panic!("`{text}` should parse: {e}"))
    }

    fn defaults() -> Vec<Pattern> {
        default_branches(&default_types())
            .iter()
            .map(|p| pattern(p))
            .collect()
    }

    const MB: usize = 1 << 20;

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
        // 16 names, then a prefix per type not already there (feat, fix, docs and chore are).
        assert_eq!(defaults().len(), 16 + 11);
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
        // (types, the patterns after the 16 names: each type once, none already there, none unusable)
        let table: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (&["ci", "Refactor"], &["ci/*", "refactor/*"]),
            (&["feat", "fix"], &[]),
            (&["a/b", "x*", "{{", "two words", ""], &[]),
            (&["ops", "ops"], &["ops/*"]),
        ];
        for (kinds, extra) in table {
            let got = default_branches(&types(kinds));
            assert_eq!(&got[16..], *extra, "{kinds:?}");
            for text in &got {
                Pattern::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            }
        }
    }

    #[test]
    fn ref_names() {
        let table: &[(&str, bool)] = &[
            // (name, valid)
            ("v1.2.3", true),
            ("release/1.2.3-rc.1+build.5", true),
            ("xtask@1.2.3", true),
            ("v1.2.3-ünïcode", true),
            ("v1.2.3 x", false),
            ("v1.2.3..x", false),
            ("v~1", false),
            ("v^1", false),
            ("v:1", false),
            ("v?1", false),
            ("v*1", false),
            ("v[1", false),
            ("v\\1", false),
            ("v\t1", false),
            ("v\u{7f}1", false),
            ("v@{1", false),
            ("@", false),
            ("", false),
            ("/v1", false),
            ("v1/", false),
            ("a//v1", false),
            ("v1.", false),
            (".v1", false),
            ("a/.v1", false),
            ("v1.lock", false),
            ("v1.lock/x", false),
            ("v1@x", true),
        ];
        for (name, valid) in table {
            assert_eq!(
                ref_name_problem(name).is_none(),
                *valid,
                "{name:?}: {:?}",
                ref_name_problem(name)
            );
        }
    }

    #[test]
    fn tag_formats() {
        #[track_caller]
        fn case(format: &str, version: &str, tag: &str) {
            let format = TagFormat::parse(format).unwrap();
            let version = Version::parse(version).unwrap();
            assert_eq!(format.render(&version).unwrap(), tag);
            assert_eq!(format.version_of(tag), Some(version));
            assert!(format.is_release_tag(tag));
            assert_eq!(check_tag_name(tag, &format), Verdict::Allowed);
        }
        case("v{{ version }}", "1.2.0", "v1.2.0");
        case("v{{version}}", "1.2.0-rc.1+build.5", "v1.2.0-rc.1+build.5");
        case("{{ version }}", "0.0.1", "0.0.1");
        case(
            "release-{{ version }}-final",
            "1.0.0-beta-2",
            "release-1.0.0-beta-2-final",
        );
        case("xtask@{{ version }}", "3.0.0", "xtask@3.0.0");
    }

    #[test]
    fn tags_that_do_not_fit() {
        #[track_caller]
        fn case(format: &str, tag: &str) {
            let format = TagFormat::parse(format).unwrap();
            assert_eq!(format.version_of(tag), None, "`{tag}`");
            assert!(!format.is_release_tag(tag));
            let Verdict::Refused { rule, .. } = check_tag_name(tag, &format) else {
                panic!("`{tag}` must be refused");
            };
            assert_eq!(rule, "tag.format");
        }
        case("v{{ version }}", "release-1");
        case("v{{ version }}", "v1.2");
        case("v{{ version }}", "v01.2.0");
        case("v{{ version }}", "1.2.0");
        case("v{{ version }}", "vv1.2.0");
        case("v{{ version }}", "v");
        case("v{{ version }}", "");
        case("v{{ version }}-x", "v1.2.0");
        case("{{ version }}v", "v");
    }

    #[test]
    fn tag_refusal_text() {
        let format = TagFormat::parse("v{{ version }}").unwrap();
        assert_eq!(format.as_str(), "v{{ version }}");
        assert_eq!(format.example(), "v1.2.0");
        assert_eq!(
            check_tag_name("release-1", &format),
            Verdict::Refused {
                rule: "tag.format".to_owned(),
                reason: "tag `release-1` does not follow the tag format `v{{ version }}`"
                    .to_owned(),
                hint: "e.g. `v1.2.0`".to_owned(),
            }
        );
    }

    #[test]
    fn tag_format_errors() {
        #[track_caller]
        fn case(format: &str, expected: RuleError, message_has: &str) {
            let error = TagFormat::parse(format).unwrap_err();
            assert_eq!(error, expected, "`{format}`");
            let message = error.to_string();
            assert!(
                message.contains(message_has),
                "`{message}` lacks `{message_has}`"
            );
        }
        let s = |s: &str| s.to_owned();
        case(
            "v1",
            RuleError::TagFormatVersionCount {
                format: s("v1"),
                count: 0,
            },
            "tags must read back into versions",
        );
        case(
            "",
            RuleError::TagFormatVersionCount {
                format: s(""),
                count: 0,
            },
            "exactly once",
        );
        case(
            "{{ version }}-{{version}}",
            RuleError::TagFormatVersionCount {
                format: s("{{ version }}-{{version}}"),
                count: 2,
            },
            "2 times",
        );
        case(
            "v{{ major }}",
            RuleError::TagFormatUnknownPlaceholder {
                format: s("v{{ major }}"),
                name: s("major"),
            },
            "only `{{ version }}` is accepted",
        );
        case(
            "v{{ version",
            RuleError::TagFormatUnclosedBraces {
                format: s("v{{ version"),
            },
            "without closing",
        );
        case(
            "v{ version }}",
            RuleError::TagFormatStrayBraces {
                format: s("v{ version }}"),
            },
            "without an opening",
        );
    }

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
    fn messages() {
        #[track_caller]
        fn case(message: &str, expected: Result<(), &str>) {
            let verdict = check_message(message, &default_types());
            match (verdict, expected) {
                (Verdict::Allowed, Ok(())) => {}
                (Verdict::Refused { rule, reason, .. }, Err(part)) => {
                    assert_eq!(rule, "commits.conventional");
                    assert!(reason.contains(part), "`{reason}` lacks `{part}`");
                }
                (verdict, expected) => panic!("`{message}`: {verdict:?}, expected {expected:?}"),
            }
        }
        case("feat: add it", Ok(()));
        case("feat(cli): add --json", Ok(()));
        case("feat(cli)!: drop --xml", Ok(()));
        case("feat!: drop --xml", Ok(()));
        case("FEAT: shouting is fine", Ok(()));
        case("Fix: capitalised", Ok(()));
        case("fix:  two spaces", Ok(()));
        case("feat: subject\n\nbody: anything\nwip: too", Ok(()));
        case("feat: crlf\r\n\r\nbody\r\n", Ok(()));
        case("# comment\n\n  \nfeat: after comments", Ok(()));
        case("#feat: not this\nfix: this", Ok(()));
        case("", Ok(()));
        case("\n\n# only comments\n", Ok(()));
        case(&format!("{SCISSORS}\ndiff --git a/x b/x\n"), Ok(()));
        case(&format!("fix: kept\n{SCISSORS}\nwip: ignored\n"), Ok(()));
        case("Merge branch 'main' into feature/x", Ok(()));
        case("Revert \"feat: add it\"", Ok(()));
        case("fixup! feat: add it", Ok(()));
        case("squash! feat: add it", Ok(()));
        case("amend! feat: add it", Ok(()));

        case(
            "wip: stuff",
            Err(
                "subject line `wip: stuff` uses the unknown type `wip` (allowed types: feat, fix, docs, refactor, perf, test, build, ci, chore, revert, style, change, deprecate, remove, security)",
            ),
        );
        case("feature(x): y", Err("unknown type `feature`"));
        case(
            "Add the parser",
            Err("subject line `Add the parser` does not start with a `type: ` prefix"),
        );
        case(
            "Update docs: typo",
            Err("does not start with a `type: ` prefix"),
        );
        case(": nothing", Err("does not start with a `type: ` prefix"));
        case(
            "(cli): no type",
            Err("does not start with a `type: ` prefix"),
        );
        case(" feat: indented", Err("starts with whitespace"));
        case(
            "feat:",
            Err("subject line `feat:` has an empty description"),
        );
        case("feat:   ", Err("has an empty description"));
        case("feat(cli): ", Err("has an empty description"));
        case("feat:no space", Err("needs a space after the colon"));
        case("feat(): x", Err("has an empty scope `()`"));
        case("feat( ): x", Err("has an empty scope `()`"));
        case("feat(cli: x", Err("does not close it"));
        case("feat(cli) x", Err("needs a `:`"));
        case("feat!! x", Err("needs a `:`"));
        case("feat x", Err("does not start with a `type: ` prefix"));
        case("Merge: not git's", Err("unknown type `Merge`"));
        // `revert` is a type of its own, in any case.
        case("Revert: not git's", Ok(()));
    }

    #[test]
    fn message_refusal_text() {
        let Verdict::Refused { hint, .. } = check_message("wip", &default_types()) else {
            panic!("`wip` must be refused");
        };
        assert_eq!(
            hint,
            "write the subject as `type(scope)!: description`, e.g. `feat(cli): add --json`; the \
             scope and `!` are optional"
        );
        let Verdict::Refused { hint, .. } = check_message("wip", &["fix".to_owned()]) else {
            panic!("`wip` must be refused");
        };
        assert!(hint.contains("`fix(cli): add --json`"), "{hint}");
        let Verdict::Refused { reason, .. } = check_message("feat: x", &[]) else {
            panic!("no type is allowed by an empty list");
        };
        assert!(reason.contains("the list is empty"), "{reason}");
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
        let Verdict::Refused { reason, .. } = check_message(message, &default_types()) else {
            panic!("must be refused");
        };
        assert!(!reason.chars().any(char::is_control), "{reason:?}");
        assert!(reason.contains("$(rm -rf /)"), "{reason}");

        let long = format!("wip: {}", "y".repeat(MB));
        let Verdict::Refused { reason, .. } = check_message(&long, &default_types()) else {
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
            if let Verdict::Refused { reason, hint, .. } = verdict {
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
            if let Verdict::Refused { reason, .. } = check_tag_name(&tag, &format) {
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
                Verdict::Refused { rule, reason, .. } => {
                    assert!(!allowed, "{start:?} refused: {reason}");
                    assert_eq!(rule, "commits.conventional");
                    assert!(reason.len() < 400, "{}", reason.len());
                    assert!(!reason.chars().any(char::is_control), "{reason:?}");
                }
            }
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

        #[test]
        fn any_name_is_checked_without_panic(name in any::<String>()) {
            // Every verdict on any name: allowed, or refused by the right rule with a short, printable
            // reason and a hint.
            let refused_well = |verdict: Verdict, expected_rule: &str| -> Result<(), TestCaseError> {
                if let Verdict::Refused { rule, reason, hint } = verdict {
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
