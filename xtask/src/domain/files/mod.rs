//! Reads the version text out of a project's files and rewrites it, changing no other byte. One module per
//! kind of file (`cargo`, `toml_key`, `json_key`, `regex_match`); this one dispatches on the locator and
//! holds what they share (errors, positions, splicing).

// Every rewrite is a splice into the original text at byte ranges found by a parser, never a
// re-serialisation: users keep comments, spacing, key order and quoting exactly as they wrote them,
// and the release diff shows nothing but the version.

use std::fmt;
use std::ops::Range;

mod cargo;
mod json_key;
mod regex_match;
mod toml_key;

pub use cargo::{
    CargoEdit, rewrite_cargo_lock, rewrite_cargo_manifest, rewrite_cargo_requirements,
};

/// Where a file keeps its version.
#[derive(Debug, Clone)]
pub enum Locator {
    /// A pattern with a named group `version`; every match must hold the same text.
    Regex(regex_lite::Regex),
    /// The key path to a string in a JSON document, e.g. `["tool", "version"]`.
    Json(Vec<String>),
    /// The key path to a string in a TOML document, e.g. `["project", "version"]`.
    Toml(Vec<String>),
    /// A Cargo manifest: `[workspace.package] version` if present, else `[package] version`.
    CargoManifest,
}

/// The version text as written in a file (without quotes, escapes resolved) and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub text: String,
    pub line: usize,
}

/// Why a version could not be read or rewritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// The pattern has no named group `version`.
    MissingVersionGroup { pattern: String },
    /// The pattern matches nowhere in the file.
    NoMatch { pattern: String },
    /// The pattern matched, but its `version` group took no part in the match.
    GroupNotMatched { pattern: String, line: usize },
    /// The pattern matches several times with different version texts.
    Disagreeing { pattern: String, found: Vec<Found> },
    /// The locator's key path has no keys.
    EmptyKeyPath,
    /// The file is not valid JSON.
    MalformedJson {
        line: usize,
        column: usize,
        message: String,
    },
    /// The file is not valid TOML.
    MalformedToml {
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// The key path leads nowhere.
    MissingKey { path: String },
    /// A key on the way holds something that cannot contain keys.
    NotATable {
        path: String,
        prefix: String,
        line: usize,
        found: &'static str,
    },
    /// The key path leads to something other than a string.
    NotAString {
        path: String,
        line: usize,
        found: &'static str,
    },
    /// `[package] version` is `version.workspace = true`.
    Inherited { line: usize },
    /// A Cargo manifest with no version in `[workspace.package]` or `[package]`.
    NoCargoVersion,
    /// A literal package version in a manifest is not the version being bumped.
    VersionsDisagree {
        line: usize,
        found: String,
        expected: String,
    },
    /// A dependency requirement on a member that cannot be rewritten mechanically.
    UnsupportedRequirement {
        line: usize,
        dependency: String,
        requirement: String,
    },
    /// The new version of a Cargo edit is not a semantic version.
    InvalidNewVersion { text: String, reason: String },
    /// The new text cannot be written with the quoting the file uses.
    Unrepresentable {
        line: usize,
        text: String,
        quoting: &'static str,
    },
}

impl FileError {
    /// The 1-based line of the problem, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::GroupNotMatched { line, .. }
            | Self::MalformedJson { line, .. }
            | Self::NotATable { line, .. }
            | Self::NotAString { line, .. }
            | Self::Inherited { line }
            | Self::VersionsDisagree { line, .. }
            | Self::UnsupportedRequirement { line, .. }
            | Self::Unrepresentable { line, .. } => Some(*line),
            Self::Disagreeing { found, .. } => found.first().map(|f| f.line),
            Self::MalformedToml { line, .. } => *line,
            Self::MissingVersionGroup { .. }
            | Self::NoMatch { .. }
            | Self::EmptyKeyPath
            | Self::MissingKey { .. }
            | Self::NoCargoVersion
            | Self::InvalidNewVersion { .. } => None,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingVersionGroup { pattern } => write!(
                f,
                "the pattern /{pattern}/ has no named group `version`: mark the version text with (?<version>...)"
            ),
            Self::NoMatch { pattern } => {
                write!(
                    f,
                    "no match for /{pattern}/: check the pattern against the file"
                )
            }
            Self::GroupNotMatched { pattern, line } => write!(
                f,
                "line {line}: /{pattern}/ matched but its `version` group took no part in the match: make the group mandatory"
            ),
            Self::Disagreeing { pattern, found } => {
                write!(f, "/{pattern}/ finds different versions (")?;
                for (i, one) in found.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}line {}: {}", one.line, one.text)?;
                }
                write!(f, "): make them agree or narrow the pattern")
            }
            Self::EmptyKeyPath => write!(
                f,
                "the key path is empty: name the key that holds the version, e.g. `project.version`"
            ),
            Self::MalformedJson {
                line,
                column,
                message,
            } => {
                write!(
                    f,
                    "line {line}, column {column}: malformed JSON ({message}): fix the syntax"
                )
            }
            Self::MalformedToml {
                line: Some(line),
                column: Some(column),
                message,
            } => {
                write!(
                    f,
                    "line {line}, column {column}: malformed TOML ({message}): fix the syntax"
                )
            }
            Self::MalformedToml {
                line: Some(line),
                column: None,
                message,
            } => {
                write!(f, "line {line}: malformed TOML ({message}): fix the syntax")
            }
            Self::MalformedToml {
                line: None,
                message,
                ..
            } => {
                write!(f, "malformed TOML ({message}): fix the syntax")
            }
            Self::MissingKey { path } => {
                write!(f, "no key `{path}`: check the key path or add the key")
            }
            Self::NotATable {
                path,
                prefix,
                line,
                found,
            } if prefix.is_empty() => write!(
                f,
                "line {line}: the document is {found}, so it cannot hold `{path}`: check the file and the key path"
            ),
            Self::NotATable {
                path,
                prefix,
                line,
                found,
            } => write!(
                f,
                "line {line}: `{prefix}` is {found}, so it cannot hold `{path}`: check the key path"
            ),
            Self::NotAString { path, line, found } => write!(
                f,
                "line {line}: `{path}` is {found}, not a string: write the version as a quoted string"
            ),
            Self::Inherited { line } => write!(
                f,
                "line {line}: the package version is inherited from the workspace (`version.workspace = true`): locate the version in the workspace root's [workspace.package] instead"
            ),
            Self::NoCargoVersion => write!(
                f,
                "no version in [workspace.package] or [package]: add `version = \"x.y.z\"` to [package]"
            ),
            Self::VersionsDisagree {
                line,
                found,
                expected,
            } => write!(
                f,
                "line {line}: the version is {found}, but the release expects {expected}: the versions disagree, make them agree before bumping"
            ),
            Self::UnsupportedRequirement {
                line,
                dependency,
                requirement,
            } => write!(
                f,
                "line {line}: cannot rewrite the requirement \"{requirement}\" on workspace member `{dependency}`: write it as a single version, optionally prefixed with =, ~, ^ or >="
            ),
            Self::InvalidNewVersion { text, reason } => write!(
                f,
                "`{text}` is not a semantic version ({reason}): use a version such as 1.2.3 or 1.3.0-dev"
            ),
            Self::Unrepresentable {
                line,
                text,
                quoting,
            } => write!(
                f,
                "line {line}: `{text}` cannot be written inside a {quoting}: use a version without quotes or control characters"
            ),
        }
    }
}

impl std::error::Error for FileError {}

/// Reads the version text the locator points at.
pub fn read(contents: &str, locator: &Locator) -> Result<Found, FileError> {
    match locator {
        Locator::Regex(re) => regex_match::read(contents, re),
        Locator::Json(path) => json_key::read(contents, path),
        Locator::Toml(path) => toml_key::read(contents, path),
        Locator::CargoManifest => cargo::read_manifest(contents),
    }
}

/// Replaces the version text the locator points at with `new_text`; every other byte stays.
pub fn rewrite(contents: &str, locator: &Locator, new_text: &str) -> Result<String, FileError> {
    let edits = match locator {
        Locator::Regex(re) => regex_match::edits(contents, re, new_text)?,
        Locator::Json(path) => json_key::edits(contents, path, new_text)?,
        Locator::Toml(path) => toml_key::edits(contents, path, new_text)?,
        Locator::CargoManifest => cargo::manifest_edits(contents, new_text)?,
    };
    splice(contents, edits).ok_or_else(|| FileError::MalformedToml {
        line: None,
        column: None,
        message: "the version's position fell outside the text, which is a bug in the kit".into(),
    })
}

/// Splits a dotted key path: `project.version` gives `["project", "version"]`.
///
/// Segments may be quoted (`tool."my.pkg".version`, or with single quotes) to hold dots; inside
/// double quotes a backslash takes the next character literally. Whitespace around unquoted
/// segments is dropped, as TOML does for dotted keys. An empty path gives no segments.
pub fn parse_key_path(path: &str) -> Vec<String> {
    let mut segments = Vec::new();
    if path.trim().is_empty() {
        return segments;
    }
    let mut current = String::new();
    // Whitespace seen after segment text; kept only if more text follows in the same segment.
    let mut pending_space = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                segments.push(std::mem::take(&mut current));
                pending_space.clear();
            }
            '"' | '\'' => {
                current.push_str(&std::mem::take(&mut pending_space));
                while let Some(q) = chars.next() {
                    match q {
                        _ if q == c => break,
                        '\\' if c == '"' => current.extend(chars.next()),
                        _ => current.push(q),
                    }
                }
            }
            _ if c.is_whitespace() => {
                if !current.is_empty() {
                    pending_space.push(c);
                }
            }
            _ => {
                current.push_str(&std::mem::take(&mut pending_space));
                current.push(c);
            }
        }
    }
    segments.push(current);
    segments
}

// Shared helpers

fn found_at(contents: &str, span: Range<usize>) -> Found {
    Found {
        line: line_of(contents, span.start),
        text: contents.get(span).unwrap_or_default().to_owned(),
    }
}

/// 1-based line of a byte offset; CRLF files count the same since each line ends in `\n`.
fn line_of(contents: &str, offset: usize) -> usize {
    let end = offset.min(contents.len());
    contents.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// 1-based column (in characters) of a byte offset.
fn column_of(contents: &str, offset: usize) -> usize {
    let end = offset.min(contents.len());
    let start = contents.as_bytes()[..end]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    contents
        .get(start..end)
        .map_or(end - start, |s| s.chars().count())
        + 1
}

/// Replaces the given byte ranges; `None` if a range is out of bounds, overlaps another or splits a
/// character, so a bug can never produce a half-edited file.
fn splice(contents: &str, mut edits: Vec<(Range<usize>, String)>) -> Option<String> {
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(contents.len());
    let mut done = 0;
    for (range, text) in edits {
        out.push_str(contents.get(done..range.start)?);
        contents.get(range.clone())?;
        out.push_str(&text);
        done = range.end;
    }
    out.push_str(contents.get(done..)?);
    Some(out)
}

/// Applies Cargo edits and reports `None` when the file would come out the same.
fn finish(contents: &str, edits: Vec<(Range<usize>, String)>) -> Result<Option<String>, FileError> {
    let out = splice(contents, edits).ok_or_else(|| FileError::MalformedToml {
        line: None,
        column: None,
        message: "the version's position fell outside the text, which is a bug in the kit".into(),
    })?;
    Ok((out != contents).then_some(out))
}

fn check_new_version(new: &str) -> Result<(), FileError> {
    // Cargo rejects manifests and lock files whose versions are not semantic versions; catching it
    // here keeps a half-bumped workspace from ever being written.
    semver::Version::parse(new)
        .map(|_| ())
        .map_err(|e| FileError::InvalidNewVersion {
            text: new.to_owned(),
            reason: e.to_string(),
        })
}

/// `text` as it goes between the double quotes of a JSON string or a TOML basic string: the two spell
/// escapes the same way (`\"`, `\\`, `\n`, `\r`, `\t`, else `\uXXXX` for a control character).
fn escape_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // TOML also forbids DEL unescaped; JSON allows its escape.
            c if c.is_ascii_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Shows a key path the way a user would type it, quoting segments that are not bare keys.
fn display_path(path: &[String]) -> String {
    path.iter()
        .map(|segment| {
            let bare = !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if bare {
                segment.clone()
            } else {
                format!("\"{}\"", segment.replace('\\', "\\\\").replace('"', "\\\""))
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::toml_key::parse_toml;
    use super::*;
    use proptest::prelude::*;

    // ---------------------------------------------------------------------------------------
    // Fixtures. Written with LF and a trailing newline; `variants` derives CRLF and
    // no-trailing-newline copies so every case runs against all four.

    pub(super) const INIT_PY: &str = r#""""Python bindings for the kit."""

# The version below is bumped by `cargo xtask release`; 0.0.9 was the last beta.
__version__ = "0.1.0"
__all__ = ["run"]  # version "0.1.0" is mentioned here but not matched
"#;

    // Indented `version` under [options] must not match `^version`.
    pub(super) const SETUP_CFG: &str = r#"[metadata]
name = kit-py
version = 0.1.0
description = Release kit bindings (version = 0.1.0 in docs)

[options]
  version = 0.0.1
python_requires = >=3.9
"#;

    pub(super) const README: &str = r#"# kit

Install with `cargo install kit --version 2.4.0`.

<!-- kit-version -->2.4.0<!-- /kit-version -->
Changelog: see 2.3.0 below.

```toml
kit = "2.4.0" # pinned
```
"#;

    pub(super) const PACKAGE_JSON: &str = r#"{
  "name": "kit-vscode",
  "version": "0.3.1",
  "description": "Ünïcödé ✓ before the key, so offsets are bytes, not chars",
  "engines": { "vscode": "^1.80.0" },
  "tool" : {
    "note": "say \"0.3.1\" here \\ and \"version\": \"0.3.1\"",
    "history": [ { "version": "0.3.1" }, "0.3.1", 0.31, true, null, [ "]", "}" ] ],
    "version"   :   "0.3.1"  ,
    "nested": {"version": "9.9.9"}
  },
  "dependencies": {
    "left-pad": "0.3.1"
  }
}
"#;

    pub(super) const PYPROJECT: &str = r#"# Build metadata for the Python bindings.
[build-system]
requires = ["maturin>=1.0,<2.0"]
build-backend = 'maturin'

[project]
name = 'kit-py'
version   =  '1.0.0'    # keep in step with Cargo.toml
description = "Bindings, first released as 1.0.0"
dependencies = [
  'requests >= 1.0.0',   # same text, different meaning
]

[tool.'kit.release']
version = "1.0.0"
"#;

    pub(super) const ROOT_MANIFEST: &str = r#"# The release kit's own workspace.
[workspace]
resolver = "3"
members = [
    "crates/kit",    # the library
    "crates/kit-cli",
]

[workspace.package]
version = "0.1.0" # the kit's version
edition   =   "2024"
license = 'MIT OR Apache-2.0'

[workspace.dependencies]
# Members: path plus version so that `cargo publish` works.
kit = { path = "crates/kit", version = "0.1.0" }
# crates.io crates that happen to share the version: must not change.
tiny-bitflags = "0.1.0"
other-lib = { version = "0.1.0", default-features = false }

[profile.release]
lto = true   # smaller binaries
"#;

    pub(super) const MEMBER_MANIFEST: &str = r#"[package]
name = "kit-cli"
version = "0.1.0"          # bumped by `cargo xtask release`
edition.workspace = true
description = "Command line for the kit, version 0.1.0"

[dependencies]
kit = { path = "../kit", version = "=0.1.0", features = ["cli"] }   # exact: lockstep releases
anyhow = "0.1.0"  # registry crate, same version string by coincidence
kit-old = { package = "kit", version = "0.1.0" }   # the published kit, no path

[dependencies.kit-macros]
# A member written as a sub-table.
path = "../kit-macros"
version = '0.1.0'

[dev-dependencies]
kit-test = { package = "kit-testing", path = "../kit-testing", version = "~0.1.0" }

[build-dependencies]
kit-build = { path = "../kit-build" }   # no version: nothing to do

[target.'cfg(windows)'.dependencies]
kit = { path = "../kit", version = ">= 0.1.0" }
kit-macros.path = "../kit-macros"
kit-macros.version = "^0.1.0"
"#;

    pub(super) const INHERITING_MANIFEST: &str = r#"[package]
name = "kit"
# The version lives in the workspace root.
version.workspace = true
edition.workspace = true

[dependencies]
serde = { version = "1", features = ["derive"] }
"#;

    pub(super) const CARGO_LOCK: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "anyhow"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

[[package]]
name = "kit"
version = "0.0.9"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

[[package]]
name = "kit"
version = "0.1.0"
dependencies = [
 "anyhow",
]

[[package]]
name = "kit-cli"
version = "0.1.0"
dependencies = [
 "anyhow",
 "kit 0.0.9",
 "kit 0.1.0",
]
"#;

    pub(super) fn members() -> Vec<String> {
        ["kit", "kit-cli", "kit-macros", "kit-testing", "kit-build"]
            .map(String::from)
            .to_vec()
    }

    pub(super) fn key(path: &str) -> Vec<String> {
        parse_key_path(path)
    }

    pub(super) fn re(pattern: &str) -> Locator {
        Locator::Regex(regex_lite::Regex::new(pattern).unwrap())
    }

    /// LF and CRLF, each with and without the trailing newline.
    pub(super) fn variants(text: &str) -> Vec<String> {
        assert!(text.ends_with('\n'), "fixtures end with a newline");
        let crlf = text.replace('\n', "\r\n");
        vec![
            text.to_owned(),
            text.trim_end_matches('\n').to_owned(),
            crlf.trim_end_matches(['\r', '\n']).to_owned(),
            crlf,
        ]
    }

    /// The files have the same lines except `changed` (1-based), and on each of those exactly
    /// one occurrence of `old` became `new`: line endings, comments and spacing are untouched.
    #[track_caller]
    pub(super) fn assert_only_version_changed(
        before: &str,
        after: &str,
        old: &str,
        new: &str,
        changed: &[usize],
    ) {
        let b: Vec<&str> = before.split_inclusive('\n').collect();
        let a: Vec<&str> = after.split_inclusive('\n').collect();
        assert_eq!(a.len(), b.len(), "line count changed:\n{after}");
        let mut seen = Vec::new();
        for (i, (x, y)) in b.iter().zip(&a).enumerate() {
            if x == y {
                continue;
            }
            seen.push(i + 1);
            let one_replacement = x
                .match_indices(old)
                .any(|(at, _)| format!("{}{new}{}", &x[..at], &x[at + old.len()..]) == *y);
            assert!(
                one_replacement,
                "line {}: {x:?} -> {y:?} changes more than the version",
                i + 1
            );
        }
        assert_eq!(seen, changed, "changed lines");
    }

    /// Reads `old` at `line`, rewrites it to `new` and checks that only the version text moved.
    #[track_caller]
    pub(super) fn case(
        contents: &str,
        locator: &Locator,
        old: &str,
        line: usize,
        new: &str,
        changed: &[usize],
    ) {
        for text in variants(contents) {
            let found = read(&text, locator);
            assert_eq!(
                found,
                Ok(Found {
                    text: old.to_owned(),
                    line
                }),
                "read {text:?}"
            );
            let after = rewrite(&text, locator, new).unwrap_or_else(|e| panic!("rewrite: {e}"));
            assert_only_version_changed(&text, &after, old, new, changed);
            assert_eq!(
                read(&after, locator).map(|f| f.text),
                Ok(new.to_owned()),
                "read back"
            );
        }
    }

    /// Both `read` and `rewrite` fail with `expected` on every variant of the file, and the
    /// message follows the house style.
    #[track_caller]
    pub(super) fn error_case(contents: &str, locator: &Locator, expected: FileError) {
        for text in variants(contents) {
            assert_eq!(read(&text, locator), Err(expected.clone()), "read {text:?}");
            assert_eq!(
                rewrite(&text, locator, "9.9.9"),
                Err(expected.clone()),
                "rewrite {text:?}"
            );
        }
        assert_message_style(&expected);
    }

    #[track_caller]
    pub(super) fn assert_message_style(error: &FileError) {
        let message = error.to_string();
        assert!(!message.ends_with('.'), "trailing period: {message}");
        assert!(message.contains(": "), "says what to do: {message}");
        if let Some(line) = error.line() {
            assert!(
                message.contains(&format!("line {line}")),
                "names the line: {message}"
            );
        }
    }

    #[track_caller]
    pub(super) fn cargo_case(
        rewrite_fn: fn(&str, &CargoEdit) -> Result<Option<String>, FileError>,
        contents: &str,
        old: &str,
        new: &str,
        changed: &[usize],
    ) {
        let members = members();
        let edit = CargoEdit {
            members: &members,
            old,
            new,
        };
        for text in variants(contents) {
            let after = rewrite_fn(&text, &edit).unwrap_or_else(|e| panic!("rewrite: {e}"));
            match after {
                None => assert!(changed.is_empty(), "expected changes on lines {changed:?}"),
                Some(after) => {
                    assert_only_version_changed(&text, &after, old, new, changed);
                    // A second run finds nothing at `old` any more.
                    let again = CargoEdit {
                        members: &members,
                        old: new,
                        new,
                    };
                    assert_eq!(rewrite_fn(&after, &again), Ok(None), "idempotent");
                }
            }
        }
    }

    #[track_caller]
    pub(super) fn cargo_error_case(
        rewrite_fn: fn(&str, &CargoEdit) -> Result<Option<String>, FileError>,
        contents: &str,
        old: &str,
        new: &str,
        expected: FileError,
    ) {
        let members = members();
        let edit = CargoEdit {
            members: &members,
            old,
            new,
        };
        for text in variants(contents) {
            assert_eq!(rewrite_fn(&text, &edit), Err(expected.clone()), "{text:?}");
        }
        assert_message_style(&expected);
    }

    /// One escaping serves JSON strings and TOML basic strings: each reads back what was escaped.
    #[test]
    fn escaped_text_reads_back_in_json_and_toml() {
        for text in [
            "1.2.0",
            "a\"b\\c",
            "tab\tnew\nline\r",
            "\u{1}\u{1f}\u{7f}",
            "é ✓",
        ] {
            let escaped = escape_quoted(text);
            let json: String = serde_json::from_str(&format!("\"{escaped}\"")).unwrap();
            assert_eq!(json, text, "JSON {escaped}");
            let toml: toml::Table = format!("k = \"{escaped}\"").parse().unwrap();
            assert_eq!(toml["k"].as_str(), Some(text), "TOML {escaped}");
        }
        assert_eq!(escape_quoted("\u{1}\u{7f}"), "\\u0001\\u007F");
    }

    // ---------------------------------------------------------------------------------------
    // Key paths

    #[test]
    fn key_paths() {
        #[track_caller]
        fn case(path: &str, expected: &[&str]) {
            assert_eq!(parse_key_path(path), expected, "{path:?}");
        }
        case("project.version", &["project", "version"]);
        case("package-version", &["package-version"]);
        case(r#"tool."my.pkg".version"#, &["tool", "my.pkg", "version"]);
        case(
            "tool.'kit.release'.version",
            &["tool", "kit.release", "version"],
        );
        case(" tool . version ", &["tool", "version"]);
        case(r#""a \"quoted\" key".v"#, &[r#"a "quoted" key"#, "v"]);
        case(r#""back\\slash""#, &[r"back\slash"]);
        case("'no \\escapes'", &[r"no \escapes"]);
        case(r#""".v"#, &["", "v"]);
        case("a..b", &["a", "", "b"]);
        case("spaced key.v", &["spaced key", "v"]);
        case(r#""unterminated.v"#, &["unterminated.v"]);
        case("", &[]);
        case("   ", &[]);
    }

    // ---------------------------------------------------------------------------------------
    // Properties

    fn any_locator() -> impl Strategy<Value = Locator> {
        prop_oneof![
            Just(re(r"(?m)^version = (?<version>\S+)")),
            Just(re(r"(?<version>\d*)")),
            Just(Locator::Json(key("tool.version"))),
            Just(Locator::Toml(key("tool.version"))),
            Just(Locator::CargoManifest),
        ]
    }

    /// What must hold for any text: a version read names a real line; a file that cannot be read
    /// cannot be rewritten; writing back the version read (a pattern's text) changes no byte; a Cargo
    /// rewrite that changes something writes the new version and leaves valid TOML; errors explain.
    fn read_and_rewrite_agree(
        text: &str,
        locator: &Locator,
        new: &str,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let found = read(text, locator);
        match &found {
            Ok(found) => {
                let lines = text.split('\n').count();
                prop_assert!(
                    (1..=lines).contains(&found.line),
                    "line {} of {}",
                    found.line,
                    lines
                );
                if let Locator::Regex(_) = locator {
                    prop_assert!(text.contains(&found.text));
                    prop_assert_eq!(rewrite(text, locator, &found.text), Ok(text.to_owned()));
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        match rewrite(text, locator, new) {
            Ok(_) => prop_assert!(found.is_ok(), "rewrote what could not be read: {:?}", found),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let members = members();
        let edit = CargoEdit {
            members: &members,
            old: "0.1.0",
            new: "0.2.0",
        };
        for result in [
            rewrite_cargo_manifest(text, &edit),
            rewrite_cargo_lock(text, &edit),
        ] {
            match result {
                Ok(Some(after)) => {
                    prop_assert_ne!(&after, text);
                    prop_assert!(after.contains(edit.new));
                    prop_assert!(parse_toml(&after).is_ok(), "{}", after);
                }
                Ok(None) => {}
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn never_panics(text in "(?s).{0,200}", locator in any_locator(), new in ".{0,10}") {
            read_and_rewrite_agree(&text, &locator, &new)?;
        }

        #[test]
        fn never_panics_on_near_valid_files(
            base in prop_oneof![Just(PACKAGE_JSON), Just(PYPROJECT), Just(MEMBER_MANIFEST), Just(CARGO_LOCK)],
            cut in 0usize..2000,
            insert in ".{0,3}",
            locator in any_locator(),
        ) {
            let mut text = base.to_owned();
            let mut at = cut.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, &insert);
            read_and_rewrite_agree(&text, &locator, "1.0.0")?;
        }

        #[test]
        fn json_rewrite_changes_only_the_value(new in "\\PC{0,12}|[\"\\\\\\x00-\\x1f]{0,4}") {
            let path = key("tool.version");
            let after = rewrite(PACKAGE_JSON, &Locator::Json(path), &new).unwrap();
            let mut expected: serde_json::Value = serde_json::from_str(PACKAGE_JSON).unwrap();
            expected["tool"]["version"] = serde_json::Value::String(new.clone());
            let actual: serde_json::Value = serde_json::from_str(&after).unwrap();
            prop_assert_eq!(actual, expected);
        }

        #[test]
        fn toml_rewrite_changes_only_the_value(new in "\\PC{0,12}|[\"\\\\\\x00-\\x1f\\x7f]{0,4}") {
            let text = "[tool]\nversion = \"1.0.0\" # c\nother = \"1.0.0\"\n";
            let locator = Locator::Toml(key("tool.version"));
            let after = rewrite(text, &locator, &new).unwrap();
            prop_assert_eq!(read(&after, &locator).map(|f| f.text), Ok(new.clone()));
            let doc: toml_edit::DocumentMut = after.parse().unwrap();
            prop_assert_eq!(doc["tool"]["other"].as_str(), Some("1.0.0"));
            prop_assert!(after.ends_with("\" # c\nother = \"1.0.0\"\n"));
        }

        #[test]
        fn versions_round_trip(
            major in 0u32..100, minor in 0u32..100, patch in 0u32..100,
            pre in proptest::option::of("[a-z]{1,5}(\\.[0-9]{1,2})?"),
            locator in prop_oneof![
                Just(Locator::Toml(key("project.version"))),
                Just(Locator::Json(key("tool.version"))),
                Just(re(r#"__version__ = "(?<version>[^"]+)""#)),
            ],
        ) {
            let new = match pre {
                Some(pre) => format!("{major}.{minor}.{patch}-{pre}"),
                None => format!("{major}.{minor}.{patch}"),
            };
            let (text, old) = match &locator {
                Locator::Toml(_) => (PYPROJECT, "1.0.0"),
                Locator::Json(_) => (PACKAGE_JSON, "0.3.1"),
                _ => (INIT_PY, "0.1.0"),
            };
            let after = rewrite(text, &locator, &new).unwrap();
            prop_assert_eq!(read(&after, &locator).map(|f| f.text), Ok(new.clone()));
            prop_assert_eq!(after.replacen(&new, old, 1).len(), text.len());
        }
    }
}
