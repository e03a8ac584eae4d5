//! Conventional Commits 1.0.0 parsing of commit messages, plus recognisers for git's own subjects.
//!
//! # What counts as conventional
//!
//! The header (first non-blank line) must read `type(scope)!: description`:
//!
//! * `type` is one or more ASCII letters, digits or `-`, compared case-insensitively and stored
//!   lowercased (`Feat:` and `FEAT:` are `feat`). Any such word is a type, as the spec allows, so a
//!   kernel-style `net: fix leak` parses with type `net`, while `mm/slub: fix` does not.
//! * `(scope)` is optional; it must be closed with `)` and be non-empty once trimmed. It is stored
//!   trimmed.
//! * `!` is optional and marks a breaking change.
//! * then `:` followed by at least one space, and a non-empty description (stored trimmed, a
//!   trailing ` (#123)` kept as written: [`pr_number`] reads it).
//!
//! Choices on messy input, each covered by a test:
//!
//! * `feat:desc` (no space after the colon) is **not** conventional: the spec requires the space,
//!   and accepting it would also accept `http://…` style first lines.
//! * `feat (scope): desc` and `feat : desc` are **not** conventional: the spec puts nothing between
//!   the type and the scope or colon; the reason says so.
//! * `✨ feat: desc` (leading emoji, gitmoji style) is **not** conventional; `feat: ✨ desc` is.
//! * Leading blank lines, leading/trailing whitespace on the header, trailing whitespace on any line
//!   and CRLF line endings are tolerated: git strips most of them anyway, and editors add them.
//! * A body that starts right after the header without a blank line is accepted as if the blank line
//!   were there (git itself would fold such a line into the subject, but refusing the commit would
//!   only hide it from the release notes).
//!
//! # Body and footers
//!
//! A footer is a line `Token: value` or `Token #value`, where `Token` starts with an ASCII letter or
//! digit and continues with letters, digits, `_` or `-`, or is the literal `BREAKING CHANGE` (with
//! `: ` only). The footers start at the first footer-looking line that follows a blank line (or the
//! header) and run to the end of the message; a footer's value continues over the following lines
//! until the next footer line, as the spec says, so a multi-paragraph `BREAKING CHANGE:` keeps all
//! its paragraphs. The consequence, also per the spec, is that a body paragraph that opens with
//! `Note: …` starts the footers. Git trailers (`Signed-off-by:`, `Co-authored-by:`) are ordinary
//! footers.
//!
//! `BREAKING CHANGE` and `BREAKING-CHANGE` are recognised in uppercase only (the spec's one
//! case-sensitive rule); `Breaking-Change: x` is an ordinary footer. A line that is exactly
//! `BREAKING CHANGE:` (value on the following lines) is accepted too, because losing a breaking
//! change is the costliest mistake a release tool can make.
//!
//! The `(cherry picked from commit …)` lines that `git cherry-pick -x` appends are bookkeeping:
//! they are left out of the body and the footers (read them with [`cherry_picked_from`]).

use std::fmt;

/// One footer (git trailer) of a conventional commit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Footer {
    /// As written (`Signed-off-by`, `BREAKING CHANGE`).
    pub token: String,
    /// `": "` or `" #"`.
    pub separator: String,
    /// Trimmed; lines after the first are kept, joined with `\n`.
    pub value: String,
}

/// A commit message that follows Conventional Commits 1.0.0.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conventional {
    /// The type, lowercased (`feat`).
    pub kind: String,
    pub scope: Option<String>,
    /// `!` before the colon.
    pub bang: bool,
    /// Subject text after `: `, trimmed, with a trailing ` (#123)` kept as written.
    pub description: String,
    /// Paragraphs between the subject and the footers, without surrounding blank lines.
    pub body: Option<String>,
    pub footers: Vec<Footer>,
    /// `Some` if breaking: the `BREAKING CHANGE`/`BREAKING-CHANGE` footer value(s) if present
    /// (several joined by a blank line), else the description when `bang`.
    pub breaking: Option<String>,
}

/// Why a message is not a conventional commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotConventional {
    pub reason: String,
}

impl fmt::Display for NotConventional {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for NotConventional {}

fn not(reason: impl Into<String>) -> NotConventional {
    NotConventional {
        reason: reason.into(),
    }
}

/// Parses `message` as a Conventional Commits 1.0.0 message. Linear in the message's length.
pub fn parse(message: &str) -> Result<Conventional, NotConventional> {
    // Leading blank lines are skipped: git strips them, and a raw message may still carry them.
    let text = message.trim_start();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let header = first.trim();
    if header.is_empty() {
        return Err(not("the message is empty"));
    }
    if is_git_generated(header) {
        return Err(not(
            "the subject was written by git (merge, revert or autosquash), not as `type: description`",
        ));
    }
    let parsed = parse_header(header).map_err(|e| not(e.reason()))?;
    let (body, footers) = body_and_footers(rest);
    let breaking = breaking_text(&footers, parsed.bang, parsed.description);
    Ok(Conventional {
        kind: parsed.kind.to_ascii_lowercase(),
        scope: parsed.scope.map(str::to_owned),
        bang: parsed.bang,
        description: parsed.description.to_owned(),
        body,
        footers,
        breaking,
    })
}

struct Header<'a> {
    kind: &'a str,
    scope: Option<&'a str>,
    bang: bool,
    description: &'a str,
}

enum HeaderError {
    NoPrefix,
    EmptyType,
    SpaceAfterType(String),
    ScopeNotClosed,
    EmptyScope,
    NoColon(String),
    NoSpaceAfterColon(String),
    EmptyDescription(String),
}

impl HeaderError {
    fn reason(&self) -> String {
        match self {
            Self::NoPrefix => "the subject has no `type:` prefix".to_owned(),
            Self::EmptyType => "the type is empty".to_owned(),
            Self::SpaceAfterType(kind) => format!(
                "a space follows the type `{kind}`: write `{kind}(scope): …` or `{kind}: …` without it"
            ),
            Self::ScopeNotClosed => "the scope is not closed with `)`".to_owned(),
            Self::EmptyScope => "the scope is empty".to_owned(),
            Self::NoColon(head) => format!("expected `:` after `{head}`"),
            Self::NoSpaceAfterColon(head) => {
                format!("a space is needed after `{head}` before the description")
            }
            Self::EmptyDescription(head) => format!("the description after `{head}` is empty"),
        }
    }
}

fn is_type_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Splits at the first char that fails `keep`; never panics because `find` yields a char boundary.
fn split_while(s: &str, keep: impl Fn(char) -> bool) -> (&str, &str) {
    let end = s.find(|c: char| !keep(c)).unwrap_or(s.len());
    s.split_at_checked(end).unwrap_or((s, ""))
}

fn parse_header(header: &str) -> Result<Header<'_>, HeaderError> {
    let (kind, rest) = split_while(header, is_type_char);
    if kind.is_empty() {
        return Err(if rest.starts_with(['(', '!', ':']) {
            HeaderError::EmptyType
        } else {
            HeaderError::NoPrefix
        });
    }
    match after_type(kind, rest) {
        Ok(h) => Ok(h),
        Err(HeaderError::NoPrefix) => {
            // `feat (api): x` or `fix : y`: name the stray space rather than saying "no prefix",
            // but only when the rest would have been a valid header, so `Update (docs) page`
            // still reads as plain prose.
            let trimmed = rest.trim_start();
            if trimmed.len() < rest.len() && trimmed.starts_with(['(', '!', ':']) {
                let fixed = after_type(kind, trimmed);
                if !matches!(fixed, Err(HeaderError::NoPrefix | HeaderError::NoColon(_))) {
                    return Err(HeaderError::SpaceAfterType(kind.to_owned()));
                }
            }
            Err(HeaderError::NoPrefix)
        }
        Err(e) => Err(e),
    }
}

/// Parses what follows the type: `(scope)`, `!`, `: ` and the description.
fn after_type<'a>(kind: &'a str, rest: &'a str) -> Result<Header<'a>, HeaderError> {
    let mut rest = rest;
    let mut scope = None;
    if let Some(open) = rest.strip_prefix('(') {
        let (inside, after) = open.split_once(')').ok_or(HeaderError::ScopeNotClosed)?;
        let inside = inside.trim();
        if inside.is_empty() {
            return Err(HeaderError::EmptyScope);
        }
        scope = Some(inside);
        rest = after;
    }
    let bang = match rest.strip_prefix('!') {
        Some(after) => {
            rest = after;
            true
        }
        None => false,
    };
    // The reasons quote the header as parsed so far, rebuilt rather than sliced out.
    let head = || {
        let scope = scope.map(|s| format!("({s})")).unwrap_or_default();
        format!("{kind}{scope}{}", if bang { "!" } else { "" })
    };
    let Some(after_colon) = rest.strip_prefix(':') else {
        return Err(if scope.is_none() && !bang {
            HeaderError::NoPrefix
        } else {
            HeaderError::NoColon(head())
        });
    };
    let description = after_colon.trim();
    if description.is_empty() {
        return Err(HeaderError::EmptyDescription(format!("{}:", head())));
    }
    if !after_colon.starts_with(' ') {
        return Err(HeaderError::NoSpaceAfterColon(format!("{}:", head())));
    }
    Ok(Header {
        kind,
        scope,
        bang,
        description,
    })
}

fn is_breaking_token(token: &str) -> bool {
    token == "BREAKING CHANGE" || token == "BREAKING-CHANGE"
}

fn breaking_text(footers: &[Footer], bang: bool, description: &str) -> Option<String> {
    let mut found = false;
    let mut text = String::new();
    for f in footers
        .iter()
        .filter(|f| f.separator == ": " && is_breaking_token(&f.token))
    {
        found = true;
        if !f.value.is_empty() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&f.value);
        }
    }
    if found && !text.is_empty() {
        Some(text)
    } else if found || bang {
        Some(description.to_owned())
    } else {
        None
    }
}

/// Recognises a footer line; `None` for anything else. The value may be empty only for a bare
/// `BREAKING CHANGE:` line, whose value comes from the following lines.
fn footer_line(line: &str) -> Option<(&str, &'static str, &str)> {
    for token in ["BREAKING CHANGE", "BREAKING-CHANGE"] {
        if line.strip_prefix(token) == Some(":") {
            return Some((token, ": ", ""));
        }
    }
    if let Some(value) = line.strip_prefix("BREAKING CHANGE: ") {
        return Some(("BREAKING CHANGE", ": ", value.trim()));
    }
    if !line.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (token, rest) = split_while(line, |c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let (separator, value) = if let Some(v) = rest.strip_prefix(": ") {
        (": ", v)
    } else if let Some(v) = rest.strip_prefix(" #") {
        (" #", v)
    } else {
        return None;
    };
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    Some((token, separator, value))
}

fn cherry_pick_line(line: &str) -> Option<&str> {
    let hash = line
        .trim()
        .strip_prefix("(cherry picked from commit ")?
        .strip_suffix(')')?;
    let plausible = (4..=64).contains(&hash.len()) && hash.chars().all(|c| c.is_ascii_hexdigit());
    plausible.then_some(hash)
}

/// Splits what follows the header into body and footers. Shared with the changelog so that a
/// non-conventional commit's trailers (`Co-authored-by:`) are read the same way.
pub(crate) fn body_and_footers(rest: &str) -> (Option<String>, Vec<Footer>) {
    // `trim_end` per line normalises CRLF (and stray trailing spaces) without a copy of the text.
    let lines: Vec<&str> = rest
        .split('\n')
        .map(str::trim_end)
        .filter(|l| cherry_pick_line(l).is_none())
        .collect();
    let mut start = lines.len();
    let mut after_blank = true; // the header counts as a paragraph end: see the module docs
    for (i, line) in lines.iter().enumerate() {
        if after_blank && footer_line(line).is_some() {
            start = i;
            break;
        }
        after_blank = line.is_empty();
    }
    let (body_lines, footer_lines) = lines.split_at_checked(start).unwrap_or((&lines, &[]));
    (join_trimmed(body_lines), footers(footer_lines))
}

/// Joins lines with `\n`, leaving out leading and trailing blank lines; `None` when nothing is left.
fn join_trimmed(lines: &[&str]) -> Option<String> {
    let first = lines.iter().position(|l| !l.is_empty())?;
    let last = lines.iter().rposition(|l| !l.is_empty())?;
    let kept = lines.get(first..=last)?;
    Some(kept.join("\n"))
}

fn footers(lines: &[&str]) -> Vec<Footer> {
    let mut out = Vec::new();
    // (token, separator, value lines) of the footer being read
    let mut current: Option<(&str, &str, Vec<&str>)> = None;
    let mut finish = |current: Option<(&str, &str, Vec<&str>)>| {
        if let Some((token, separator, value)) = current {
            out.push(Footer {
                token: token.to_owned(),
                separator: separator.to_owned(),
                value: join_trimmed(&value).unwrap_or_default().trim().to_owned(),
            });
        }
    };
    for line in lines {
        if let Some((token, separator, value)) = footer_line(line) {
            finish(current.take());
            current = Some((token, separator, vec![value]));
        } else if let Some((_, _, value)) = current.as_mut() {
            value.push(line);
        }
    }
    finish(current);
    out
}

/// The pull-request number at the end of a subject: `… (#123)`, `… #123`, or the first of
/// `… (#123, #124)`.
pub fn pr_number(description: &str) -> Option<u64> {
    let text = description.trim_end();
    if let Some(inner) = text.strip_suffix(')') {
        let (_, list) = inner.rsplit_once('(')?;
        // Every item must be `#digits`, so `(see #12)` or `(v1.2)` are not taken for PR numbers.
        let mut first = None;
        for item in list.split(',') {
            let n = hash_number(item.trim())?;
            first = first.or(Some(n));
        }
        return first;
    }
    hash_number(text.rsplit(char::is_whitespace).next()?)
}

fn hash_number(item: &str) -> Option<u64> {
    let digits = item.strip_prefix('#')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A commit's text (message, author name) as UTF-8, decoded from the encoding its `encoding` header
/// names (`git -c i18n.commitEncoding=ISO-8859-1 commit` writes Latin-1 bytes and says so). Without a
/// header, or with UTF-8 or a label nobody knows, the bytes are read as UTF-8, invalid sequences
/// replaced, as `git log` shows them. Labels follow the WHATWG Encoding Standard, where `ISO-8859-1`
/// means windows-1252: the same characters, plus the printable ones Latin-1 leaves as controls.
pub fn decode_text(bytes: &[u8], encoding: Option<&[u8]>) -> String {
    let named = encoding
        .map(|label| label.trim_ascii())
        .and_then(encoding_rs::Encoding::for_label);
    match named {
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            let (text, _) = encoding.decode_without_bom_handling(bytes);
            text.into_owned()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The first line of `message`, without its line ending.
pub fn subject(message: &str) -> &str {
    let line = message.split_once('\n').map_or(message, |(first, _)| first);
    line.strip_suffix('\r').unwrap_or(line)
}

/// Subjects git (or a forge, for `Merge pull request`) writes itself: merges, reverts and autosquash
/// markers. Only git's exact forms count, so a human's `Merge sort rewrite` is not taken for one.
pub fn is_git_generated(message: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "Merge branch ",
        "Merge branches ",
        "Merge remote-tracking branch ",
        "Merge remote branch ",
        "Merge tag ",
        "Merge tags ",
        "Merge commit ",
        "Merge pull request #",
        "Merge ", // only for `git merge <hash>`, which writes `Merge <hash>`: checked below
        "Revert \"",
        "Reapply \"",
    ];
    let s = subject(message).trim_start();
    if is_autosquash(message) {
        return true;
    }
    PREFIXES.iter().any(|p| match s.strip_prefix(p) {
        Some(after) if *p == "Merge " => {
            let word = after.split(' ').next().unwrap_or("");
            word.len() >= 7 && word.chars().all(|c| c.is_ascii_hexdigit())
        }
        Some(_) => true,
        None => false,
    })
}

/// The subject a `git revert` commit reverts: `Revert "feat: add cache"` → `feat: add cache`. Only git's
/// exact form counts (the quotes around the whole rest of the subject); `None` for anything else.
pub fn reverted_subject(message: &str) -> Option<&str> {
    let s = subject(message).trim();
    let inner = s.strip_prefix("Revert \"")?.strip_suffix('"')?;
    (!inner.trim().is_empty()).then_some(inner)
}

/// `fixup! `, `squash! ` and `amend! ` subjects, which `git rebase --autosquash` folds away.
pub fn is_autosquash(message: &str) -> bool {
    let s = subject(message).trim_start();
    ["fixup! ", "squash! ", "amend! "]
        .iter()
        .any(|p| s.starts_with(p))
}

/// The hash in the `(cherry picked from commit <hex>)` line `git cherry-pick -x` appends; the last
/// such line when a pick was picked again, since that names the commit it was taken from directly.
pub fn cherry_picked_from(message: &str) -> Option<&str> {
    cherry_pick_origins(message).last().copied()
}

/// Every `(cherry picked from commit <hex>)` hash in `message`, oldest pick first.
pub fn cherry_pick_origins(message: &str) -> Vec<&str> {
    message.split('\n').filter_map(cherry_pick_line).collect()
}

/// Values of the `Co-authored-by` footers (token compared case-insensitively).
pub fn co_authors(c: &Conventional) -> Vec<String> {
    co_authors_in(&c.footers)
}

pub(crate) fn co_authors_in(footers: &[Footer]) -> Vec<String> {
    footers
        .iter()
        .filter(|f| f.separator == ": " && f.token.eq_ignore_ascii_case("co-authored-by"))
        .map(|f| f.value.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scaling::assert_linear;
    use proptest::prelude::*;

    fn c(kind: &str, scope: Option<&str>, description: &str) -> Conventional {
        Conventional {
            kind: kind.into(),
            scope: scope.map(Into::into),
            bang: false,
            description: description.into(),
            body: None,
            footers: vec![],
            breaking: None,
        }
    }

    fn f(token: &str, separator: &str, value: &str) -> Footer {
        Footer {
            token: token.into(),
            separator: separator.into(),
            value: value.into(),
        }
    }

    /// `Err(s)`: not conventional, with `s` somewhere in the reason.
    #[track_caller]
    fn case(message: &str, expected: Result<Conventional, &str>) {
        let got = parse(message);
        match (&got, &expected) {
            (Ok(g), Ok(e)) => assert_eq!(g, e, "message: {message:?}"),
            (Err(g), Err(e)) => assert!(
                g.reason.contains(e),
                "message: {message:?}\nreason {:?} lacks {e:?}",
                g.reason
            ),
            _ => panic!("message: {message:?}\n got {got:?}\nwant {expected:?}"),
        }
    }

    #[test]
    fn headers() {
        case("feat: add a thing", Ok(c("feat", None, "add a thing")));
        case(
            "fix(parser): handle CRLF",
            Ok(c("fix", Some("parser"), "handle CRLF")),
        );
        // Types are case-insensitive and stored lowercased.
        case("Feat: capitalised", Ok(c("feat", None, "capitalised")));
        case("FIX(API): shouting", Ok(c("fix", Some("API"), "shouting")));
        case(
            "feat-ui: hyphenated type",
            Ok(c("feat-ui", None, "hyphenated type")),
        );
        // Kernel style subsystem prefixes are types as far as the spec goes.
        case(
            "net: fix a leak in tcp",
            Ok(c("net", None, "fix a leak in tcp")),
        );
        case("mm/slub: fix a leak", Err("no `type:` prefix"));
        // Squash-merge suffix kept as written.
        case(
            "feat(cli): add --dry-run (#123)",
            Ok(c("feat", Some("cli"), "add --dry-run (#123)")),
        );
        // Surrounding whitespace, several spaces after the colon, trailing spaces.
        case("  docs:   fix typo   ", Ok(c("docs", None, "fix typo")));
        case(
            "\n\nchore: leading blank lines",
            Ok(c("chore", None, "leading blank lines")),
        );
        // Scope is trimmed and may hold anything but `)`.
        case(
            "feat( api ): spaced scope",
            Ok(c("feat", Some("api"), "spaced scope")),
        );
        case(
            "feat(🚀): emoji scope",
            Ok(c("feat", Some("🚀"), "emoji scope")),
        );
        case(
            "feat(a,b/c): list scope",
            Ok(c("feat", Some("a,b/c"), "list scope")),
        );
        case(
            "feat: ✨ emoji description",
            Ok(c("feat", None, "✨ emoji description")),
        );
        case(
            "revert: let us never again speak of the noodle incident",
            Ok(c(
                "revert",
                None,
                "let us never again speak of the noodle incident",
            )),
        );
    }

    #[test]
    fn not_conventional() {
        case("", Err("empty"));
        case(" \r\n \n", Err("the message is empty"));
        case("Update README.md", Err("the subject has no `type:` prefix"));
        case("✨ feat: gitmoji first", Err("no `type:` prefix"));
        case(":sparkles: gitmoji code", Err("the type is empty"));
        case("(api): no type", Err("the type is empty"));
        case(": nothing", Err("the type is empty"));
        case("feat:", Err("the description after `feat:` is empty"));
        case(
            "feat(api)!:   ",
            Err("the description after `feat(api)!:` is empty"),
        );
        // The spec requires a space after the colon.
        case("feat:no space", Err("a space is needed after `feat:`"));
        case("feat(api)!:x", Err("a space is needed after `feat(api)!:`"));
        // A space between the type and the rest of the header is not allowed.
        case(
            "feat (scope): spaced",
            Err("a space follows the type `feat`"),
        );
        case("fix : spaced colon", Err("a space follows the type `fix`"));
        case(
            "feat !: spaced bang",
            Err("a space follows the type `feat`"),
        );
        case("Update (docs) page", Err("no `type:` prefix"));
        case(
            "feat(api: unclosed",
            Err("the scope is not closed with `)`"),
        );
        case("feat(: unclosed", Err("the scope is not closed with `)`"));
        case("feat(): empty scope", Err("the scope is empty"));
        case("feat(  ): blank scope", Err("the scope is empty"));
        case("feat!(api): bang first", Err("expected `:` after `feat!`"));
        case("feat(a(b)): nested", Err("expected `:` after `feat(a(b)`"));
        case(
            "feat(api) missing colon",
            Err("expected `:` after `feat(api)`"),
        );
        case("feat_x: underscore", Err("no `type:` prefix"));
        case("http://example.com", Err("a space is needed"));
        // A subject broken over two lines: the description is on the first line only.
        case(
            "feat(api):\nadd things",
            Err("the description after `feat(api):` is empty"),
        );
        // Git's own subjects get a reason of their own.
        case("Merge branch 'main' into feature", Err("written by git"));
        case(
            "Merge pull request #42 from user/branch",
            Err("written by git"),
        );
        case(
            "Revert \"feat: add x\"\n\nThis reverts commit 1234567.",
            Err("written by git"),
        );
        case("fixup! feat: add x", Err("written by git"));
        case("squash! fix: y", Err("written by git"));
        case("amend! fix: y", Err("written by git"));
    }

    #[test]
    fn bodies_and_footers() {
        case(
            "fix: prevent racing of requests\r\n\r\nIntroduce a request id and a reference to latest request. Dismiss\r\nincoming responses other than from latest request.\r\n\r\nRemove timeouts which were used to mitigate the racing issue but are\r\nobsolete now.\r\n\r\nReviewed-by: Z\r\nRefs: #123\r\n",
            Ok(Conventional {
                body: Some("Introduce a request id and a reference to latest request. Dismiss\nincoming responses other than from latest request.\n\nRemove timeouts which were used to mitigate the racing issue but are\nobsolete now.".into()),
                footers: vec![f("Reviewed-by", ": ", "Z"), f("Refs", ": ", "#123")],
                ..c("fix", None, "prevent racing of requests")
            }),
        );
        // No blank line before the body: accepted as if it were there. Trailing spaces dropped.
        case(
            "feat: squashed   \nfirst line of body  \n\nSigned-off-by: A <a@example.com>  ",
            Ok(Conventional {
                body: Some("first line of body".into()),
                footers: vec![f("Signed-off-by", ": ", "A <a@example.com>")],
                ..c("feat", None, "squashed")
            }),
        );
        // Trailers right under the header.
        case(
            "docs: typo\nCloses #7",
            Ok(Conventional {
                footers: vec![f("Closes", " #", "7")],
                ..c("docs", None, "typo")
            }),
        );
        // A footer-looking line inside a paragraph (not after a blank line) stays body.
        case(
            "fix: x\n\nWe tried\nNote: this is body\n\nFixes #1",
            Ok(Conventional {
                body: Some("We tried\nNote: this is body".into()),
                footers: vec![f("Fixes", " #", "1")],
                ..c("fix", None, "x")
            }),
        );
        // Indentation inside the body is kept; indented footer-like lines are not footers.
        case(
            "refactor: y\n\n    code: block\n  - item: z",
            Ok(Conventional {
                body: Some("    code: block\n  - item: z".into()),
                ..c("refactor", None, "y")
            }),
        );
        // GitHub squash merge with co-authors.
        let squash = "feat(ui): dark mode (#88)\n\n* add toggle\n\n* fix contrast\n\n---------\n\nCo-authored-by: Jane Doe <jane@example.com>\nco-authored-by: Bob <bob@example.com>\n";
        let parsed = parse(squash).unwrap();
        assert_eq!(
            parsed.body.as_deref(),
            Some("* add toggle\n\n* fix contrast\n\n---------")
        );
        assert_eq!(
            co_authors(&parsed),
            ["Jane Doe <jane@example.com>", "Bob <bob@example.com>"]
        );
        assert_eq!(pr_number(&parsed.description), Some(88));
        // Dependabot.
        case(
            "build(deps): bump serde from 1.0.1 to 1.0.2\n\nBumps [serde](https://github.com/serde-rs/serde) from 1.0.1 to 1.0.2.\n- [Release notes](https://github.com/serde-rs/serde/releases)\n\n---\nupdated-dependencies:\n- dependency-name: serde\n  dependency-type: direct:production\n  update-type: version-update:semver-patch\n...\n\nSigned-off-by: dependabot[bot] <support@github.com>",
            Ok(Conventional {
                body: Some("Bumps [serde](https://github.com/serde-rs/serde) from 1.0.1 to 1.0.2.\n- [Release notes](https://github.com/serde-rs/serde/releases)\n\n---\nupdated-dependencies:\n- dependency-name: serde\n  dependency-type: direct:production\n  update-type: version-update:semver-patch\n...".into()),
                footers: vec![f("Signed-off-by", ": ", "dependabot[bot] <support@github.com>")],
                ..c("build", Some("deps"), "bump serde from 1.0.1 to 1.0.2")
            }),
        );
        // Conventional revert: just a type.
        case(
            "revert: let us never again speak of the noodle incident\n\nRefs: 676104e, a215868",
            Ok(Conventional {
                footers: vec![f("Refs", ": ", "676104e, a215868")],
                ..c(
                    "revert",
                    None,
                    "let us never again speak of the noodle incident",
                )
            }),
        );
        // `git cherry-pick -x` lines are left out, even when glued to the trailers.
        case(
            "fix: z\n\nbody\n\nSigned-off-by: A <a@b>\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)",
            Ok(Conventional {
                body: Some("body".into()),
                footers: vec![f("Signed-off-by", ": ", "A <a@b>")],
                ..c("fix", None, "z")
            }),
        );
    }

    #[test]
    fn breaking_changes() {
        case(
            "feat!: send an email on ship",
            Ok(Conventional {
                bang: true,
                breaking: Some("send an email on ship".into()),
                ..c("feat", None, "send an email on ship")
            }),
        );
        case(
            "feat(api)!: drop v1\n\nBREAKING CHANGE: v1 endpoints are gone",
            Ok(Conventional {
                bang: true,
                footers: vec![f("BREAKING CHANGE", ": ", "v1 endpoints are gone")],
                breaking: Some("v1 endpoints are gone".into()),
                ..c("feat", Some("api"), "drop v1")
            }),
        );
        // Footer-only breaking change, multi-line and multi-paragraph value.
        case(
            "feat: allow provided config object to extend other configs\n\nBREAKING CHANGE: `extends` key in config file is now used\nfor extending other config files\n\nMigrate by renaming.\nRefs: #9",
            Ok(Conventional {
                footers: vec![
                    f("BREAKING CHANGE", ": ", "`extends` key in config file is now used\nfor extending other config files\n\nMigrate by renaming."),
                    f("Refs", ": ", "#9"),
                ],
                breaking: Some("`extends` key in config file is now used\nfor extending other config files\n\nMigrate by renaming.".into()),
                ..c("feat", None, "allow provided config object to extend other configs")
            }),
        );
        case(
            "chore: drop Node 6\n\nBREAKING-CHANGE: use JavaScript features not available in Node 6.",
            Ok(Conventional {
                footers: vec![f(
                    "BREAKING-CHANGE",
                    ": ",
                    "use JavaScript features not available in Node 6.",
                )],
                breaking: Some("use JavaScript features not available in Node 6.".into()),
                ..c("chore", None, "drop Node 6")
            }),
        );
        // Bare `BREAKING CHANGE:` with the text below it.
        case(
            "fix: y\n\nBREAKING CHANGE:\n  the config moved",
            Ok(Conventional {
                footers: vec![f("BREAKING CHANGE", ": ", "the config moved")],
                breaking: Some("the config moved".into()),
                ..c("fix", None, "y")
            }),
        );
        // Case-sensitive per the spec: these are ordinary footers / body.
        case(
            "fix: y\n\nBreaking-Change: lowercase",
            Ok(Conventional {
                footers: vec![f("Breaking-Change", ": ", "lowercase")],
                ..c("fix", None, "y")
            }),
        );
        case(
            "fix: y\n\nbreaking change: lowercase",
            Ok(Conventional {
                body: Some("breaking change: lowercase".into()),
                ..c("fix", None, "y")
            }),
        );
        // Two breaking footers are both kept.
        let two = parse("feat: z\n\nBREAKING CHANGE: one\nBREAKING-CHANGE: two").unwrap();
        assert_eq!(two.breaking.as_deref(), Some("one\n\ntwo"));
    }

    #[test]
    fn pr_numbers() {
        let table: &[(&str, Option<u64>)] = &[
            ("add x (#123)", Some(123)),
            ("add x (#123)  ", Some(123)),
            ("add x #45", Some(45)),
            ("#45", Some(45)),
            ("add x (#123, #124)", Some(123)),
            ("add x (see #12)", None),
            ("add x (v1.2)", None),
            ("add x owner/repo#12", None),
            ("add x #", None),
            ("add x (#)", None),
            ("add x (#99999999999999999999999)", None),
            ("add x", None),
            ("", None),
            (")", None),
            ("é #7", Some(7)),
            ("add\u{3000}#8", Some(8)),
        ];
        for (description, want) in table {
            assert_eq!(pr_number(description), *want, "{description:?}");
        }
    }

    #[test]
    fn git_subjects() {
        let table: &[(&str, bool, bool)] = &[
            // (message, is_git_generated, is_autosquash)
            ("Merge branch 'main' into topic", true, false),
            ("Merge branches 'a' and 'b'", true, false),
            ("Merge remote-tracking branch 'origin/main'", true, false),
            ("Merge tag 'v1.0.0'", true, false),
            ("Merge commit 'abc1234'", true, false),
            ("Merge 0123456789abcdef into main", true, false),
            ("Merge pull request #1 from a/b\r\n\r\nbody", true, false),
            ("Merge sort rewrite", false, false),
            ("Revert \"feat: x\"", true, false),
            ("Reapply \"feat: x\"", true, false),
            ("revert: x", false, false),
            ("fixup! feat: x", true, true),
            ("squash! feat: x", true, true),
            ("amend! feat: x", true, true),
            ("fixup!feat", false, false),
            ("feat: mention fixup! inside", false, false),
            ("", false, false),
        ];
        for (message, generated, autosquash) in table {
            assert_eq!(is_git_generated(message), *generated, "{message:?}");
            assert_eq!(is_autosquash(message), *autosquash, "{message:?}");
        }
    }

    #[test]
    fn decoding() {
        // (bytes, the encoding header, the text)
        type Case<'a> = (&'a [u8], Option<&'a [u8]>, &'a str);
        let table: &[Case] = &[
            (b"fix: caf\xe9", Some(b"ISO-8859-1"), "fix: café"),
            (b"fix: caf\xe9", Some(b"iso-8859-1 "), "fix: café"),
            (b"fix: \x80", Some(b"latin1"), "fix: €"),
            (b"fix: caf\xc3\xa9", None, "fix: café"),
            (b"fix: caf\xc3\xa9", Some(b"UTF-8"), "fix: café"),
            (b"fix: caf\xe9", None, "fix: caf\u{fffd}"),
            (
                b"fix: caf\xe9",
                Some(b"no-such-encoding"),
                "fix: caf\u{fffd}",
            ),
            (b"fix: \x82\xa0", Some(b"Shift_JIS"), "fix: あ"),
            (b"", Some(b"ISO-8859-1"), ""),
        ];
        for (bytes, encoding, want) in table {
            assert_eq!(
                decode_text(bytes, *encoding),
                *want,
                "{bytes:?} {encoding:?}"
            );
        }
    }

    #[test]
    fn reverted_subjects() {
        let table: &[(&str, Option<&str>)] = &[
            (
                "Revert \"feat: add cache\"\n\nThis reverts commit 1234567.",
                Some("feat: add cache"),
            ),
            ("Revert \"Revert \"fix: x\"\"", Some("Revert \"fix: x\"")),
            ("Revert \"fix: x\"\r\n", Some("fix: x")),
            ("Revert \"\"", None),
            ("Revert \"unterminated", None),
            ("Revert the cache", None),
            ("revert: feat: add cache", None),
            ("Reapply \"feat: x\"", None),
        ];
        for (message, want) in table {
            assert_eq!(reverted_subject(message), *want, "{message:?}");
        }
    }

    #[test]
    fn subjects_and_cherry_picks() {
        assert_eq!(subject("feat: x\r\n\r\nbody"), "feat: x");
        assert_eq!(subject("one line"), "one line");
        assert_eq!(subject(""), "");
        assert_eq!(subject("\nsecond"), "");
        let full = "0123456789abcdef0123456789abcdef01234567";
        let msg = format!("fix: x\n\n(cherry picked from commit {full})\n");
        assert_eq!(cherry_picked_from(&msg), Some(full));
        let crlf = format!("fix: x\r\n\r\n(cherry picked from commit {full})\r\n");
        assert_eq!(cherry_picked_from(&crlf), Some(full));
        let twice = format!(
            "fix: x\n\n(cherry picked from commit {full})\n(cherry picked from commit abcdef1)"
        );
        assert_eq!(cherry_picked_from(&twice), Some("abcdef1"));
        assert_eq!(cherry_pick_origins(&twice), [full, "abcdef1"]);
        assert_eq!(
            cherry_picked_from("fix: x\n\n(cherry picked from commit nothex)"),
            None
        );
        assert_eq!(cherry_picked_from("fix: x"), None);
    }

    #[test]
    fn huge_messages_are_linear() {
        // The answers on megabyte inputs, then the cost: 10 times the input, about 10 times the work.
        let long = "a".repeat(1 << 20);
        assert!(parse(&format!("feat: {long}")).is_ok());
        assert!(parse(&long).is_err());
        assert!(parse(&format!("feat({long}: x")).is_err());
        assert!(parse(&"(".repeat(1 << 20)).is_err());
        let footers = "Token: v\n".repeat(100_000);
        let parsed = parse(&format!("feat: x\n\n{footers}")).unwrap();
        assert_eq!(parsed.footers.len(), 100_000);
        let body = "line\n".repeat(200_000);
        let parsed = parse(&format!("fix: y\n\n{body}\nBREAKING CHANGE: {long}")).unwrap();
        assert_eq!(parsed.breaking.map(|b| b.len()), Some(1 << 20));
        assert_eq!(pr_number(&"(#1, ".repeat(100_000)), None);
        assert!(!is_git_generated(&long));
        assert_eq!(cherry_picked_from(&"\n".repeat(1 << 20)), None);

        let n = 1 << 14;
        let a = |n: usize| "a".repeat(n);
        assert_linear(
            "a long description",
            n,
            |n| format!("feat: {}", a(n)),
            |m| {
                let _ = parse(m);
            },
        );
        assert_linear("a long non-conventional subject", n, a, |m| {
            let _ = parse(m);
        });
        assert_linear(
            "an unclosed scope",
            n,
            |n| format!("feat({}: x", a(n)),
            |m| {
                let _ = parse(m);
            },
        );
        assert_linear(
            "parentheses",
            n,
            |n| "(".repeat(n),
            |m| {
                let _ = parse(m);
            },
        );
        assert_linear(
            "many footers",
            n / 8,
            |n| format!("feat: x\n\n{}", "Token: v\n".repeat(n)),
            |m| {
                let _ = parse(m);
            },
        );
        assert_linear(
            "a long body and breaking footer",
            n / 5,
            |n| {
                format!(
                    "fix: y\n\n{}\nBREAKING CHANGE: {}",
                    "line\n".repeat(n),
                    a(5 * n)
                )
            },
            |m| {
                let _ = parse(m);
            },
        );
        assert_linear(
            "a long reference list",
            n / 5,
            |n| "(#1, ".repeat(n),
            |m| {
                let _ = pr_number(m);
            },
        );
        assert_linear("git's own subjects", n, a, |m| {
            let _ = is_git_generated(m);
        });
        assert_linear(
            "blank lines",
            n,
            |n| "\n".repeat(n),
            |m| {
                let _ = cherry_picked_from(m);
            },
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            match parse(&s) {
                Ok(c) => prop_assert!(!c.kind.is_empty() && !c.description.is_empty()),
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
            if let Some(number) = pr_number(&s) {
                let reference = regex_lite::Regex::new(&format!("#0*{number}(?:[^0-9]|$)")).expect("a number");
                prop_assert!(reference.is_match(&s), "{:?} in {:?}", number, s);
            }
            let line = subject(&s);
            prop_assert!(s.starts_with(line) && !line.contains('\n') && !line.ends_with('\r'));
            if is_git_generated(&s) {
                prop_assert!(parse(&s).is_err());
            }
            if let Some(origin) = cherry_picked_from(&s) {
                prop_assert!(!origin.is_empty() && origin.chars().all(|c| c.is_ascii_hexdigit()));
                let line = format!("(cherry picked from commit {origin}");
                prop_assert!(s.contains(&line));
            }
        }

        #[test]
        fn parse_holds_its_invariants(s in "[a-zA-Z!():# \r\n\t-]{0,40}(: [a-z #()0-9]{0,10})?(\n[A-Za-z: #\r-]{0,20}){0,6}") {
            let header = s.trim_start().split('\n').next().unwrap_or("").trim();
            // The simplest conventional subjects, recognised independently: they must parse.
            let simple = regex_lite::Regex::new(r"^[A-Za-z][A-Za-z0-9-]*!?: \S").expect("constant pattern");
            let parsed = parse(&s);
            if simple.is_match(header) {
                prop_assert!(parsed.is_ok(), "{:?}: {:?}", s, parsed);
            }
            if let Err(e) = &parsed {
                prop_assert!(!e.reason.is_empty());
            }
            if let Ok(c) = parsed {
                prop_assert!(header.to_ascii_lowercase().starts_with(&c.kind), "{:?}", header);
                prop_assert!(header.contains(": "), "{:?}", header);
                prop_assert!(!c.kind.is_empty());
                prop_assert_eq!(c.kind.to_ascii_lowercase(), c.kind.clone());
                prop_assert!(!c.description.is_empty());
                prop_assert_eq!(c.description.trim(), c.description.as_str());
                let breaking_footer = c.footers.iter().any(|f| f.separator == ": " && is_breaking_token(&f.token));
                prop_assert_eq!(c.breaking.is_some(), c.bang || breaking_footer);
                for footer in &c.footers {
                    prop_assert!(!footer.value.ends_with(char::is_whitespace));
                }
            }
            if let Some(number) = pr_number(&s) {
                let reference = regex_lite::Regex::new(&format!("#0*{number}(?:[^0-9]|$)")).expect("a number");
                prop_assert!(reference.is_match(&s));
            }
        }
    }
}
