//! Reads the version text out of a project's files and rewrites it, changing no other byte.

// Every rewrite is a splice into the original text at byte ranges found by a parser, never a
// re-serialisation: users keep comments, spacing, key order and quoting exactly as they wrote them,
// and the release diff shows nothing but the version.

use std::fmt;
use std::ops::Range;

use toml_edit::{Formatted, Item, Key, Value};

/// Where a file keeps its version.
#[derive(Debug, Clone)]
pub enum Locator {
    /// A pattern with a named group `version`; every match must hold the same text.
    Regex(regex::Regex),
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

/// A version bump across the manifests and the lock file of a Cargo workspace.
#[derive(Debug, Clone, Copy)]
pub struct CargoEdit<'a> {
    /// Package names of the workspace members.
    pub members: &'a [String],
    /// The version the members have now.
    pub old: &'a str,
    /// The version they get.
    pub new: &'a str,
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
        Locator::Regex(re) => {
            let spans = regex_spans(contents, re)?;
            // `regex_spans` never returns an empty list; the fallback only keeps this total.
            let first = spans.first().ok_or_else(|| no_match(re))?;
            Ok(found_at(contents, first.clone()))
        }
        Locator::Json(path) => {
            let span = json_locate(contents, path)?;
            let line = line_of(contents, span.start);
            let text = contents
                .get(span)
                .and_then(|raw| serde_json::from_str::<String>(raw).ok())
                .ok_or_else(|| json_lost(contents, line))?;
            Ok(Found { text, line })
        }
        Locator::Toml(path) => {
            let doc = parse_toml(contents)?;
            let s = toml_locate(contents, doc.as_item(), path)?;
            Ok(Found {
                text: s.value,
                line: s.line,
            })
        }
        Locator::CargoManifest => {
            let doc = parse_toml(contents)?;
            let (workspace, package) = manifest_versions(contents, doc.as_item())?;
            match (workspace, package) {
                (Some(s), _) | (None, PackageVersion::Literal(s)) => Ok(Found {
                    text: s.value,
                    line: s.line,
                }),
                (None, PackageVersion::Inherited(line)) => Err(FileError::Inherited { line }),
                (None, PackageVersion::Missing) => Err(FileError::NoCargoVersion),
            }
        }
    }
}

/// Replaces the version text the locator points at with `new_text`; every other byte stays.
pub fn rewrite(contents: &str, locator: &Locator, new_text: &str) -> Result<String, FileError> {
    let edits = match locator {
        Locator::Regex(re) => regex_spans(contents, re)?
            .into_iter()
            .map(|span| (span, new_text.to_owned()))
            .collect(),
        Locator::Json(path) => {
            let span = json_locate(contents, path)?;
            // The literal includes its quotes; only what lies between them is the version.
            let inner = span.start + 1..span.end.saturating_sub(1);
            vec![(inner, escape_json(new_text))]
        }
        Locator::Toml(path) => {
            let doc = parse_toml(contents)?;
            let s = toml_locate(contents, doc.as_item(), path)?;
            vec![s.replacement(new_text)?]
        }
        Locator::CargoManifest => {
            let doc = parse_toml(contents)?;
            let (workspace, package) = manifest_versions(contents, doc.as_item())?;
            let mut literals: Vec<TomlString> = workspace.into_iter().collect();
            match package {
                PackageVersion::Literal(s) => literals.push(s),
                PackageVersion::Inherited(line) if literals.is_empty() => {
                    return Err(FileError::Inherited { line });
                }
                PackageVersion::Missing if literals.is_empty() => {
                    return Err(FileError::NoCargoVersion);
                }
                PackageVersion::Inherited(_) | PackageVersion::Missing => {}
            }
            literals
                .iter()
                .map(|s| s.replacement(new_text))
                .collect::<Result<_, _>>()?
        }
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

/// Bumps one manifest of a Cargo workspace (the root or a member); `None` when nothing changed.
///
/// Rewrites literal `[workspace.package]` and `[package]` versions (which must equal `edit.old`)
/// and the version requirement of every path dependency on a member.
pub fn rewrite_cargo_manifest(
    contents: &str,
    edit: &CargoEdit,
) -> Result<Option<String>, FileError> {
    check_new_version(edit.new)?;
    let doc = parse_toml(contents)?;
    let root = doc.as_item();
    let mut edits = Vec::new();

    let (workspace, package) = manifest_versions(contents, root)?;
    let package = match package {
        PackageVersion::Literal(s) => Some(s),
        PackageVersion::Inherited(_) | PackageVersion::Missing => None,
    };
    for s in workspace.into_iter().chain(package) {
        if s.value != edit.old {
            return Err(FileError::VersionsDisagree {
                line: s.line,
                found: s.value,
                expected: edit.old.to_owned(),
            });
        }
        edits.push(s.replacement(edit.new)?);
    }

    requirement_edits(contents, root, edit, &mut edits)?;
    finish(contents, edits)
}

/// Rewrites only the version requirements on `edit.members` in one manifest (its own version stays): a
/// crate of a workspace whose members carry their own versions, when a crate it depends on is released.
pub fn rewrite_cargo_requirements(
    contents: &str,
    edit: &CargoEdit,
) -> Result<Option<String>, FileError> {
    check_new_version(edit.new)?;
    let doc = parse_toml(contents)?;
    let mut edits = Vec::new();
    requirement_edits(contents, doc.as_item(), edit, &mut edits)?;
    finish(contents, edits)
}

/// The edits that move every path dependency's version requirement on a member to `edit.new`.
fn requirement_edits(
    contents: &str,
    root: &Item,
    edit: &CargoEdit,
    edits: &mut Vec<(Range<usize>, String)>,
) -> Result<(), FileError> {
    // A `-dev` pre-release does not satisfy `^1.2.0`: once the members are at `1.3.0-dev`, every
    // intra-workspace requirement must follow, or `cargo metadata --locked --offline` fails.
    for table in dependency_tables(root) {
        for (key, item) in table.iter() {
            let Some(dep) = item.as_table_like() else {
                // `name = "1.2"` names no path, so it comes from a registry.
                continue;
            };
            let name = dep.get("package").and_then(Item::as_str).unwrap_or(key);
            // Without `path` the dependency is a published release, whatever its name.
            if !edit.members.iter().any(|m| m == name) || !dep.contains_key("path") {
                continue;
            }
            let Some((version_key, version)) = dep.get_key_value("version") else {
                continue;
            };
            let path = [key.to_owned(), "version".to_owned()];
            let s = toml_string(contents, &path, Some(version_key), version)?;
            let unsupported = || FileError::UnsupportedRequirement {
                line: s.line,
                dependency: name.to_owned(),
                requirement: s.value.clone(),
            };
            let (prefix, suffix) = requirement_frame(&s.value).ok_or_else(unsupported)?;
            edits.push(s.replacement(&format!("{prefix}{}{suffix}", edit.new))?);
        }
    }
    Ok(())
}

/// Bumps the workspace members in a `Cargo.lock`; `None` when nothing changed.
///
/// A `[[package]]` is a member when its name is a member's, its version is `edit.old` and it has
/// no `source` (registry and git packages always have one).
pub fn rewrite_cargo_lock(contents: &str, edit: &CargoEdit) -> Result<Option<String>, FileError> {
    check_new_version(edit.new)?;
    let doc = parse_toml(contents)?;
    let Some(packages) = doc.get("package").and_then(Item::as_array_of_tables) else {
        return Ok(None);
    };
    let mut edits = Vec::new();
    let mut bumped: Vec<&str> = Vec::new();
    for package in packages.iter() {
        let Some(name) = package.get("name").and_then(Item::as_str) else {
            continue;
        };
        let Some((key, version)) = package.get_key_value("version") else {
            continue;
        };
        let is_member = edit.members.iter().any(|m| m == name);
        if !is_member || version.as_str() != Some(edit.old) || package.contains_key("source") {
            continue;
        }
        let path = ["package".to_owned(), "version".to_owned()];
        edits.push(toml_string(contents, &path, Some(key), version)?.replacement(edit.new)?);
        bumped.push(name);
    }

    // Cargo writes `"name version"` in `dependencies` only when several packages share a name (a
    // member and a registry crate, say); without a source it points at the member and must follow.
    let refs: Vec<(String, &str)> = bumped
        .iter()
        .map(|name| (format!("{name} {}", edit.old), *name))
        .collect();
    for package in packages.iter() {
        let Some(deps) = package.get("dependencies").and_then(Item::as_array) else {
            continue;
        };
        for value in deps.iter() {
            let Value::String(f) = value else { continue };
            if let Some((_, name)) = refs.iter().find(|(r, _)| r == f.value()) {
                let line = f.span().map_or(1, |r| line_of(contents, r.start));
                let s = formatted_string(contents, f, line)?;
                edits.push(s.replacement(&format!("{name} {}", edit.new))?);
            }
        }
    }

    finish(contents, edits)
}

// ---------------------------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------------------------
// Regex

fn no_match(re: &regex::Regex) -> FileError {
    FileError::NoMatch {
        pattern: re.as_str().to_owned(),
    }
}

/// The byte ranges of the `version` group in every match, checked to hold the same text.
fn regex_spans(contents: &str, re: &regex::Regex) -> Result<Vec<Range<usize>>, FileError> {
    let pattern = || re.as_str().to_owned();
    if !re.capture_names().flatten().any(|name| name == "version") {
        return Err(FileError::MissingVersionGroup { pattern: pattern() });
    }
    let mut spans = Vec::new();
    for caps in re.captures_iter(contents) {
        let Some(group) = caps.name("version") else {
            let at = caps.get(0).map_or(0, |m| m.start());
            return Err(FileError::GroupNotMatched {
                pattern: pattern(),
                line: line_of(contents, at),
            });
        };
        spans.push(group.range());
    }
    let Some(first) = spans.first() else {
        return Err(no_match(re));
    };
    let first = contents.get(first.clone()).unwrap_or_default();
    if spans
        .iter()
        .any(|s| contents.get(s.clone()).unwrap_or_default() != first)
    {
        let found = spans
            .iter()
            .map(|s| found_at(contents, s.clone()))
            .collect();
        return Err(FileError::Disagreeing {
            pattern: pattern(),
            found,
        });
    }
    Ok(spans)
}

// ---------------------------------------------------------------------------------------------
// JSON

const BOM: &str = "\u{feff}";

fn json_lost(contents: &str, line: usize) -> FileError {
    FileError::MalformedJson {
        line,
        column: column_of(contents, 0),
        message: "the scanner lost its place, which is a bug in the kit".into(),
    }
}

/// The byte range of the JSON string literal (quotes included) at the key path.
///
/// serde_json validates the document; a small scanner then walks the original text to find the
/// literal's position, which serde_json does not report. When an object repeats a key the last one
/// wins, as it does for serde_json.
fn json_locate(contents: &str, path: &[String]) -> Result<Range<usize>, FileError> {
    if path.is_empty() {
        return Err(FileError::EmptyKeyPath);
    }
    // serde_json refuses a byte order mark, which some Windows editors write.
    let (body, base) = match contents.strip_prefix(BOM) {
        Some(body) => (body, BOM.len()),
        None => (contents, 0),
    };
    if let Err(e) = serde_json::from_str::<serde_json::Value>(body) {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        // The stripped mark is one character on line 1.
        let column = e.column() + usize::from(base > 0 && e.line() == 1);
        return Err(FileError::MalformedJson {
            line: e.line(),
            column,
            message,
        });
    }
    let b = body.as_bytes();
    let lost = |pos: usize| FileError::MalformedJson {
        line: line_of(body, pos),
        column: column_of(body, pos),
        message: "the scanner lost its place, which is a bug in the kit".into(),
    };
    let mut pos = json_skip_ws(b, 0);
    for (i, key) in path.iter().enumerate() {
        if b.get(pos) != Some(&b'{') {
            return Err(FileError::NotATable {
                path: display_path(path),
                prefix: display_path(&path[..i]),
                line: line_of(body, pos),
                found: json_kind(b.get(pos)),
            });
        }
        pos = json_find_member(body, pos, key)
            .map_err(lost)?
            .ok_or_else(|| FileError::MissingKey {
                path: display_path(path),
            })?;
    }
    if b.get(pos) != Some(&b'"') {
        return Err(FileError::NotAString {
            path: display_path(path),
            line: line_of(body, pos),
            found: json_kind(b.get(pos)),
        });
    }
    let end = json_scan_string(b, pos).ok_or_else(|| lost(pos))?;
    Ok(base + pos..base + end)
}

fn json_kind(first: Option<&u8>) -> &'static str {
    match first {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(_) => "a number",
        None => "empty",
    }
}

fn json_skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The end (after the closing quote) of the string literal starting at `pos`.
fn json_scan_string(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        match b.get(i)? {
            b'"' => return Some(i + 1),
            // Whatever follows a backslash is part of the escape, a quote included.
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The end of the value starting at `pos`. Containers are skipped by counting brackets outside
/// strings, without recursion, so deep documents cannot exhaust the stack.
fn json_skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => json_scan_string(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = json_scan_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while !matches!(
                b.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                i += 1;
            }
            (i > pos).then_some(i)
        }
    }
}

/// Where the value of the last member named `key` starts in the object opening at `open`;
/// `Err` carries the position where the text stopped making sense.
fn json_find_member(body: &str, open: usize, key: &str) -> Result<Option<usize>, usize> {
    let b = body.as_bytes();
    let mut pos = open + 1;
    let mut found = None;
    loop {
        pos = json_skip_ws(b, pos);
        match b.get(pos) {
            Some(b'}') => return Ok(found),
            Some(b'"') => {}
            _ => return Err(pos),
        }
        let key_end = json_scan_string(b, pos).ok_or(pos)?;
        // Keys may be written with escapes (`"v\u0065rsion"`); compare what they mean.
        let name: String = body
            .get(pos..key_end)
            .and_then(|raw| serde_json::from_str(raw).ok())
            .ok_or(pos)?;
        pos = json_skip_ws(b, key_end);
        if b.get(pos) != Some(&b':') {
            return Err(pos);
        }
        pos = json_skip_ws(b, pos + 1);
        let value = pos;
        pos = json_skip_value(b, pos).ok_or(pos)?;
        if name == key {
            found = Some(value);
        }
        pos = json_skip_ws(b, pos);
        match b.get(pos) {
            Some(b',') => pos += 1,
            Some(b'}') => return Ok(found),
            _ => return Err(pos),
        }
    }
}

fn escape_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// TOML

fn parse_toml(contents: &str) -> Result<toml_edit::Document<&str>, FileError> {
    // `Document` (not `DocumentMut`) keeps the spans that tell where each value was written.
    toml_edit::Document::parse(contents).map_err(|e| {
        let at = e.span().map(|span| span.start);
        FileError::MalformedToml {
            line: at.map(|at| line_of(contents, at)),
            column: at.map(|at| column_of(contents, at)),
            message: e.message().trim().replace('\n', "; "),
        }
    })
}

/// The four ways TOML quotes a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Basic,
    MultiBasic,
    Literal,
    MultiLiteral,
}

impl Quoting {
    fn name(self) -> &'static str {
        match self {
            Self::Basic => "double-quoted string",
            Self::MultiBasic => "triple-double-quoted string",
            Self::Literal => "single-quoted literal string",
            Self::MultiLiteral => "triple-single-quoted literal string",
        }
    }

    /// `text` as it must appear between this quoting's delimiters, if it can.
    fn encode(self, text: &str) -> Option<String> {
        match self {
            Self::Basic | Self::MultiBasic => {
                let mut out = String::with_capacity(text.len());
                for c in text.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c if c.is_control() && u32::from(c) <= 0x7f => {
                            out.push_str(&format!("\\u{:04X}", u32::from(c)));
                        }
                        c => out.push(c),
                    }
                }
                Some(out)
            }
            // Literal strings have no escapes at all: a quote or a control character cannot be
            // written, and switching the quoting would change bytes the user chose.
            Self::Literal | Self::MultiLiteral => {
                let writable =
                    |c: char| c == '\t' || !(c == '\'' || (c.is_control() && u32::from(c) <= 0x7f));
                text.chars().all(writable).then(|| text.to_owned())
            }
        }
    }
}

/// A TOML string value located in the original text.
#[derive(Debug)]
struct TomlString {
    /// The bytes between the delimiters, i.e. what a rewrite replaces.
    inner: Range<usize>,
    quoting: Quoting,
    /// The value with escapes resolved.
    value: String,
    line: usize,
}

impl TomlString {
    fn replacement(&self, text: &str) -> Result<(Range<usize>, String), FileError> {
        let encoded = self
            .quoting
            .encode(text)
            .ok_or_else(|| FileError::Unrepresentable {
                line: self.line,
                text: text.to_owned(),
                quoting: self.quoting.name(),
            })?;
        Ok((self.inner.clone(), encoded))
    }
}

fn toml_kind(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(Value::String(_)) => "a string",
        Item::Value(Value::Integer(_)) => "an integer",
        Item::Value(Value::Float(_)) => "a float",
        Item::Value(Value::Boolean(_)) => "a boolean",
        Item::Value(Value::Datetime(_)) => "a date-time",
        Item::Value(Value::Array(_)) => "an array",
        Item::Value(Value::InlineTable(_)) => "an inline table",
    }
}

/// The line where a key/value pair was written: the value's if known, else the key's.
fn item_line(contents: &str, key: Option<&Key>, item: &Item) -> usize {
    item.span()
        .or_else(|| key.and_then(Key::span))
        .map_or(1, |span| line_of(contents, span.start))
}

/// Follows the key path; `Ok(None)` when a key is missing.
fn toml_lookup<'d>(
    contents: &str,
    root: &'d Item,
    path: &[String],
) -> Result<Option<(Option<&'d Key>, &'d Item)>, FileError> {
    let mut key = None;
    let mut item = root;
    for (i, segment) in path.iter().enumerate() {
        let Some(table) = item.as_table_like() else {
            return Err(FileError::NotATable {
                path: display_path(path),
                prefix: display_path(&path[..i]),
                line: item_line(contents, key, item),
                found: toml_kind(item),
            });
        };
        match table.get_key_value(segment) {
            Some((k, next)) if !next.is_none() => {
                key = Some(k);
                item = next;
            }
            _ => return Ok(None),
        }
    }
    Ok(Some((key, item)))
}

/// The string at the key path, or an error saying why there is none.
fn toml_locate(contents: &str, root: &Item, path: &[String]) -> Result<TomlString, FileError> {
    if path.is_empty() {
        return Err(FileError::EmptyKeyPath);
    }
    let (key, item) = toml_lookup(contents, root, path)?.ok_or_else(|| FileError::MissingKey {
        path: display_path(path),
    })?;
    toml_string(contents, path, key, item)
}

fn toml_string(
    contents: &str,
    path: &[String],
    key: Option<&Key>,
    item: &Item,
) -> Result<TomlString, FileError> {
    let line = item_line(contents, key, item);
    match item {
        Item::Value(Value::String(f)) => formatted_string(contents, f, line),
        _ => Err(FileError::NotAString {
            path: display_path(path),
            line,
            found: toml_kind(item),
        }),
    }
}

fn formatted_string(
    contents: &str,
    f: &Formatted<String>,
    line: usize,
) -> Result<TomlString, FileError> {
    let lost = || FileError::MalformedToml {
        line: Some(line),
        column: None,
        message: "could not find where the string was written, which is a bug in the kit".into(),
    };
    let span = f.span().ok_or_else(lost)?;
    let raw = contents.get(span.clone()).ok_or_else(lost)?;
    let (quoting, delimiter) = if raw.starts_with("\"\"\"") {
        (Quoting::MultiBasic, 3)
    } else if raw.starts_with("'''") {
        (Quoting::MultiLiteral, 3)
    } else if raw.starts_with('"') {
        (Quoting::Basic, 1)
    } else if raw.starts_with('\'') {
        (Quoting::Literal, 1)
    } else {
        return Err(lost());
    };
    if raw.len() < 2 * delimiter {
        return Err(lost());
    }
    let mut start = span.start + delimiter;
    let end = span.end - delimiter;
    if matches!(quoting, Quoting::MultiBasic | Quoting::MultiLiteral) {
        // TOML drops a newline right after the opening delimiter; it is layout, not version text.
        let rest = contents.get(start..end).ok_or_else(lost)?;
        if rest.starts_with("\r\n") {
            start += 2;
        } else if rest.starts_with('\n') {
            start += 1;
        }
    }
    Ok(TomlString {
        inner: start..end,
        quoting,
        value: f.value().clone(),
        line,
    })
}

// ---------------------------------------------------------------------------------------------
// Cargo

enum PackageVersion {
    Literal(TomlString),
    Inherited(usize),
    Missing,
}

/// `[workspace.package] version` and `[package] version`, whichever are written.
fn manifest_versions(
    contents: &str,
    root: &Item,
) -> Result<(Option<TomlString>, PackageVersion), FileError> {
    let workspace_path = [
        "workspace".to_owned(),
        "package".to_owned(),
        "version".to_owned(),
    ];
    let workspace = match toml_lookup(contents, root, &workspace_path)? {
        Some((key, item)) => Some(toml_string(contents, &workspace_path, key, item)?),
        None => None,
    };
    let package_path = ["package".to_owned(), "version".to_owned()];
    let package = match toml_lookup(contents, root, &package_path)? {
        None => PackageVersion::Missing,
        Some((key, item)) => match item.as_table_like() {
            // `version.workspace = true` or `version = { workspace = true }`.
            Some(table) if table.contains_key("workspace") => {
                let line = key.and_then(Key::span).map_or_else(
                    || item_line(contents, key, item),
                    |span| line_of(contents, span.start),
                );
                PackageVersion::Inherited(line)
            }
            _ => PackageVersion::Literal(toml_string(contents, &package_path, key, item)?),
        },
    };
    Ok((workspace, package))
}

/// Every table that lists dependencies: `[dependencies]` and friends at the top and under
/// `[target.'cfg(..)']`, and `[workspace.dependencies]`.
fn dependency_tables(root: &Item) -> Vec<&dyn toml_edit::TableLike> {
    let mut tables = dependency_kinds(root);
    if let Some(targets) = root.get("target").and_then(Item::as_table_like) {
        for (_, target) in targets.iter() {
            tables.extend(dependency_kinds(target));
        }
    }
    if let Some(deps) = root
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table_like)
    {
        tables.push(deps);
    }
    tables
}

fn dependency_kinds(item: &Item) -> Vec<&dyn toml_edit::TableLike> {
    // Cargo still accepts the underscore spellings, so a manifest may use them.
    const KINDS: [&str; 5] = [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ];
    KINDS
        .iter()
        .filter_map(|kind| item.get(*kind).and_then(Item::as_table_like))
        .collect()
}

/// What surrounds the version in a requirement that can follow a bump: `("=", "")` for `=1.2.0`.
///
/// Only a single comparator with `=`, `~`, `^`, `>=` or none is mechanical; `<2`, `1.*` or
/// `>=1, <2` would need a human to decide what the new bound means.
fn requirement_frame(requirement: &str) -> Option<(&str, &str)> {
    let parsed = semver::VersionReq::parse(requirement).ok()?;
    let [comparator] = parsed.comparators.as_slice() else {
        return None;
    };
    if !matches!(
        comparator.op,
        semver::Op::Exact | semver::Op::Tilde | semver::Op::Caret | semver::Op::GreaterEq
    ) {
        return None;
    }
    let start = requirement.find(|c: char| c.is_ascii_digit())?;
    let end = requirement.trim_end().len();
    Some((&requirement[..start], &requirement[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // ---------------------------------------------------------------------------------------
    // Fixtures. Written with LF and a trailing newline; `variants` derives CRLF and
    // no-trailing-newline copies so every case runs against all four.

    const INIT_PY: &str = r#""""Python bindings for the kit."""

# The version below is bumped by `cargo xtask release`; 0.0.9 was the last beta.
__version__ = "0.1.0"
__all__ = ["run"]  # version "0.1.0" is mentioned here but not matched
"#;

    // Indented `version` under [options] must not match `^version`.
    const SETUP_CFG: &str = r#"[metadata]
name = kit-py
version = 0.1.0
description = Release kit bindings (version = 0.1.0 in docs)

[options]
  version = 0.0.1
python_requires = >=3.9
"#;

    const README: &str = r#"# kit

Install with `cargo install kit --version 2.4.0`.

<!-- kit-version -->2.4.0<!-- /kit-version -->
Changelog: see 2.3.0 below.

```toml
kit = "2.4.0" # pinned
```
"#;

    const PACKAGE_JSON: &str = r#"{
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

    const PYPROJECT: &str = r#"# Build metadata for the Python bindings.
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

    const ROOT_MANIFEST: &str = r#"# The release kit's own workspace.
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

    const MEMBER_MANIFEST: &str = r#"[package]
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

    const INHERITING_MANIFEST: &str = r#"[package]
name = "kit"
# The version lives in the workspace root.
version.workspace = true
edition.workspace = true

[dependencies]
serde = { version = "1", features = ["derive"] }
"#;

    const CARGO_LOCK: &str = r#"# This file is automatically @generated by Cargo.
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

    fn members() -> Vec<String> {
        ["kit", "kit-cli", "kit-macros", "kit-testing", "kit-build"]
            .map(String::from)
            .to_vec()
    }

    fn key(path: &str) -> Vec<String> {
        parse_key_path(path)
    }

    fn re(pattern: &str) -> Locator {
        Locator::Regex(regex::Regex::new(pattern).unwrap())
    }

    /// LF and CRLF, each with and without the trailing newline.
    fn variants(text: &str) -> Vec<String> {
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
    fn assert_only_version_changed(
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
    fn case(
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
    fn error_case(contents: &str, locator: &Locator, expected: FileError) {
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
    fn assert_message_style(error: &FileError) {
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
    fn cargo_case(
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
    fn cargo_error_case(
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
    // Regex

    #[test]
    fn regex_files() {
        let init = re(r#"__version__ = "(?<version>[^"]+)""#);
        case(INIT_PY, &init, "0.1.0", 4, "0.2.0-dev", &[4]);

        // `\S+` stops before a CR, so CRLF files keep their line endings.
        let cfg = re(r"(?m)^version = (?<version>\S+)");
        case(SETUP_CFG, &cfg, "0.1.0", 3, "0.2.0", &[3]);

        // Several matches that agree are all rewritten.
        let readme = re(r#"(?:--version |-->|kit = ")(?<version>[\d.]+)"#);
        case(README, &readme, "2.4.0", 3, "2.5.0", &[3, 5, 9]);
    }

    #[test]
    fn regex_errors() {
        error_case(
            INIT_PY,
            &re(r#"__version__ = "([^"]+)""#),
            FileError::MissingVersionGroup {
                pattern: r#"__version__ = "([^"]+)""#.into(),
            },
        );
        error_case(
            INIT_PY,
            &re(r"VERSION = (?<version>\S+)"),
            FileError::NoMatch {
                pattern: r"VERSION = (?<version>\S+)".into(),
            },
        );
        let indented = r"(?m)^\s*version = (?<version>\S+)";
        error_case(
            SETUP_CFG,
            &re(indented),
            FileError::Disagreeing {
                pattern: indented.into(),
                found: vec![
                    Found {
                        text: "0.1.0".into(),
                        line: 3,
                    },
                    Found {
                        text: "0.0.1".into(),
                        line: 7,
                    },
                ],
            },
        );
        let optional = r"(?m)^name = (?:(?<version>\d\S*)|kit-py)";
        error_case(
            SETUP_CFG,
            &re(optional),
            FileError::GroupNotMatched {
                pattern: optional.into(),
                line: 2,
            },
        );
        let message = FileError::NoMatch {
            pattern: "x".into(),
        }
        .to_string();
        assert_eq!(
            message,
            "no match for /x/: check the pattern against the file"
        );
    }

    // ---------------------------------------------------------------------------------------
    // JSON

    #[test]
    fn json_files() {
        // The same string sits in a note, an array, a nested object and a dependency: only the
        // value at the key path changes.
        case(
            PACKAGE_JSON,
            &Locator::Json(key("tool.version")),
            "0.3.1",
            9,
            "0.4.0-dev",
            &[9],
        );
        case(
            PACKAGE_JSON,
            &Locator::Json(key("version")),
            "0.3.1",
            3,
            "0.4.0",
            &[3],
        );
        case(
            PACKAGE_JSON,
            &Locator::Json(key("tool.nested.version")),
            "9.9.9",
            10,
            "10.0.0",
            &[10],
        );

        let compact = "{\"a\":{\"b\":[1,{\"c\":\"x\"}],\"v\":\"1.0\"},\"v\":\"2.0\"}\n";
        case(compact, &Locator::Json(key("a.v")), "1.0", 1, "1.1", &[1]);

        // serde_json keeps the last of repeated keys; so does the scanner.
        let repeated = "{\n  \"version\": \"1.0.0\",\n  \"version\": \"2.0.0\"\n}\n";
        case(
            repeated,
            &Locator::Json(key("version")),
            "2.0.0",
            3,
            "2.1.0",
            &[3],
        );

        // Keys are compared by meaning, escapes resolved.
        let escaped_key = "{ \"v\\u0065rsion\": \"3.0.0\" }\n";
        case(
            escaped_key,
            &Locator::Json(key("version")),
            "3.0.0",
            1,
            "3.0.1",
            &[1],
        );

        let bom = "\u{feff}{\n  \"version\": \"1.2.3\"\n}\n";
        case(
            bom,
            &Locator::Json(key("version")),
            "1.2.3",
            2,
            "1.2.4",
            &[2],
        );
    }

    #[test]
    fn json_new_text_is_escaped() {
        let text = "{ \"version\": \"1.0.0\" }";
        let after = rewrite(text, &Locator::Json(key("version")), "1\"0\\0").unwrap();
        assert_eq!(after, r#"{ "version": "1\"0\\0" }"#);
        let back = read(&after, &Locator::Json(key("version"))).unwrap();
        assert_eq!(back.text, "1\"0\\0");
    }

    #[test]
    fn json_errors() {
        let path = Locator::Json(key("tool.version"));
        error_case(
            "{\n  \"version\": \"1.0.0\",\n}\n",
            &path,
            FileError::MalformedJson {
                line: 3,
                column: 1,
                message: "trailing comma".into(),
            },
        );
        error_case(
            "{\n  \"tool\": { \"version\": 1.0 }\n}\n",
            &path,
            FileError::NotAString {
                path: "tool.version".into(),
                line: 2,
                found: "a number",
            },
        );
        error_case(
            "{\n  \"tool\": {\n    \"version\": {\"major\": 1}\n  }\n}\n",
            &path,
            FileError::NotAString {
                path: "tool.version".into(),
                line: 3,
                found: "an object",
            },
        );
        error_case(
            "{\n  \"tool\": {\n    \"name\": \"kit\"\n  }\n}\n",
            &path,
            FileError::MissingKey {
                path: "tool.version".into(),
            },
        );
        error_case(
            "{\n  \"tool\": \"kit\"\n}\n",
            &path,
            FileError::NotATable {
                path: "tool.version".into(),
                prefix: "tool".into(),
                line: 2,
                found: "a string",
            },
        );
        error_case(
            "\n[ { \"tool\": {} } ]\n",
            &path,
            FileError::NotATable {
                path: "tool.version".into(),
                prefix: String::new(),
                line: 2,
                found: "an array",
            },
        );
        error_case(
            PACKAGE_JSON,
            &Locator::Json(vec![]),
            FileError::EmptyKeyPath,
        );
        let quoted = Locator::Json(key(r#"tool."kit.version""#));
        error_case(
            PACKAGE_JSON,
            &quoted,
            FileError::MissingKey {
                path: r#"tool."kit.version""#.into(),
            },
        );
    }

    // ---------------------------------------------------------------------------------------
    // TOML

    #[test]
    fn toml_files() {
        // Single quotes stay single quotes, and the aligned spacing and comment stay too.
        case(
            PYPROJECT,
            &Locator::Toml(key("project.version")),
            "1.0.0",
            8,
            "1.1.0",
            &[8],
        );
        case(
            PYPROJECT,
            &Locator::Toml(key("tool.'kit.release'.version")),
            "1.0.0",
            15,
            "1.1.0",
            &[15],
        );

        let inline = "# inline tables and dotted keys\ntool = { kit = { version = \"2.0.0\" }, other = \"2.0.0\" }\nrelease.version = \"2.0.0\"  # dotted\n";
        case(
            inline,
            &Locator::Toml(key("tool.kit.version")),
            "2.0.0",
            2,
            "2.0.1",
            &[2],
        );
        case(
            inline,
            &Locator::Toml(key("release.version")),
            "2.0.0",
            3,
            "2.0.1",
            &[3],
        );

        // Multi-line strings: the newline after the delimiter is layout and stays.
        let multi = "[a]\nv = \"\"\"\n3.0.0\"\"\"\nw = '''4.0.0'''\n";
        case(multi, &Locator::Toml(key("a.v")), "3.0.0", 2, "3.1.0", &[3]);
        case(multi, &Locator::Toml(key("a.w")), "4.0.0", 4, "4.1.0", &[4]);

        let bom = "\u{feff}version = \"0.9.0\"\n";
        case(
            bom,
            &Locator::Toml(key("version")),
            "0.9.0",
            1,
            "1.0.0",
            &[1],
        );
    }

    #[test]
    fn toml_basic_strings_are_escaped() {
        let text = "version = \"1.0.0\" # c\n";
        let after = rewrite(text, &Locator::Toml(key("version")), "1\"0\\0").unwrap();
        assert_eq!(after, "version = \"1\\\"0\\\\0\" # c\n");
        assert_eq!(
            read(&after, &Locator::Toml(key("version"))).unwrap().text,
            "1\"0\\0"
        );
    }

    #[test]
    fn toml_errors() {
        let path = Locator::Toml(key("project.version"));
        for text in variants("# broken header\n[project\nversion = \"1.0.0\"\n") {
            let error = read(&text, &path).unwrap_err();
            assert!(
                matches!(
                    error,
                    FileError::MalformedToml {
                        line: Some(2),
                        column: Some(9),
                        ..
                    }
                ),
                "{error:?}"
            );
            assert_eq!(rewrite(&text, &path, "2.0.0"), Err(error.clone()));
            assert_message_style(&error);
        }
        error_case(
            "[project]\nname = \"x\"\nversion = 1.0 # not quoted\n",
            &path,
            FileError::NotAString {
                path: "project.version".into(),
                line: 3,
                found: "a float",
            },
        );
        error_case(
            "[project]\nname = \"x\"\n\n[project.version]\nmajor = 1\n",
            &path,
            FileError::NotAString {
                path: "project.version".into(),
                line: 4,
                found: "a table",
            },
        );
        error_case(
            "[project]\nname = \"x\"\ndynamic = [\"version\"]\n",
            &path,
            FileError::MissingKey {
                path: "project.version".into(),
            },
        );
        error_case(
            "# one line\nproject = \"x\"\n",
            &path,
            FileError::NotATable {
                path: "project.version".into(),
                prefix: "project".into(),
                line: 2,
                found: "a string",
            },
        );
        error_case(PYPROJECT, &Locator::Toml(vec![]), FileError::EmptyKeyPath);
        // A literal string cannot hold a quote, and re-quoting would change the user's bytes.
        for text in variants(PYPROJECT) {
            assert_eq!(
                rewrite(&text, &path, "1.0'1"),
                Err(FileError::Unrepresentable {
                    line: 8,
                    text: "1.0'1".into(),
                    quoting: "single-quoted literal string",
                })
            );
        }
        assert_message_style(&FileError::Unrepresentable {
            line: 8,
            text: "x".into(),
            quoting: "q",
        });
    }

    // ---------------------------------------------------------------------------------------
    // Cargo manifests through the locator

    #[test]
    fn cargo_manifest_locator() {
        case(
            ROOT_MANIFEST,
            &Locator::CargoManifest,
            "0.1.0",
            10,
            "0.2.0",
            &[10],
        );
        case(
            MEMBER_MANIFEST,
            &Locator::CargoManifest,
            "0.1.0",
            3,
            "0.2.0",
            &[3],
        );
        // A root package inheriting from its own workspace reads the workspace version.
        let root_package = "[package]\nname = \"kit\"\nversion.workspace = true\n\n[workspace.package]\nversion = \"5.0.0\"  # here\n";
        case(
            root_package,
            &Locator::CargoManifest,
            "5.0.0",
            6,
            "5.1.0",
            &[6],
        );
        // When both are literal, read takes the workspace's and rewrite changes both.
        let both = "[workspace.package]\nversion = \"1.0.0\"\n\n[package]\nname = 'kit'\nversion = '1.0.0'\n";
        case(both, &Locator::CargoManifest, "1.0.0", 2, "1.0.1", &[2, 6]);
    }

    #[test]
    fn cargo_manifest_locator_errors() {
        error_case(
            INHERITING_MANIFEST,
            &Locator::CargoManifest,
            FileError::Inherited { line: 4 },
        );
        error_case(
            "[package]\nname = \"kit\"\nversion = { workspace = true }\n",
            &Locator::CargoManifest,
            FileError::Inherited { line: 3 },
        );
        error_case(
            "[package]\nname = \"kit\"\n",
            &Locator::CargoManifest,
            FileError::NoCargoVersion,
        );
        error_case(
            "[package]\nname = \"kit\"\nversion = 1\n",
            &Locator::CargoManifest,
            FileError::NotAString {
                path: "package.version".into(),
                line: 3,
                found: "an integer",
            },
        );
        let message = FileError::Inherited { line: 4 }.to_string();
        assert!(
            message.contains("inherited from the workspace"),
            "{message}"
        );
    }

    // ---------------------------------------------------------------------------------------
    // Workspace bumps

    #[test]
    fn workspace_root_manifest() {
        // The registry crates at 0.1.0 on lines 18 and 19 keep their requirement.
        cargo_case(
            rewrite_cargo_manifest,
            ROOT_MANIFEST,
            "0.1.0",
            "0.2.0-dev",
            &[10, 16],
        );
    }

    #[test]
    fn member_manifest() {
        // Lines 5, 9 and 10 (a description, a registry crate, the published kit) and the build
        // dependency without a version stay; operators `=`, `~`, `>= ` and `^` are kept.
        cargo_case(
            rewrite_cargo_manifest,
            MEMBER_MANIFEST,
            "0.1.0",
            "0.2.0-dev",
            &[3, 8, 15, 18, 24, 26],
        );
    }

    #[test]
    fn manifests_with_nothing_to_change() {
        cargo_case(
            rewrite_cargo_manifest,
            INHERITING_MANIFEST,
            "0.1.0",
            "0.2.0",
            &[],
        );
        cargo_case(
            rewrite_cargo_manifest,
            "[workspace]\nmembers = [\"a\"]\n",
            "0.1.0",
            "0.2.0",
            &[],
        );
        // A bump to the same version changes nothing.
        cargo_case(rewrite_cargo_manifest, ROOT_MANIFEST, "0.1.0", "0.1.0", &[]);
    }

    #[test]
    fn partial_requirements_become_the_new_version() {
        let members = members();
        let edit = CargoEdit {
            members: &members,
            old: "0.1.0",
            new: "0.2.0-dev",
        };
        let text =
            "[dev_dependencies]\nkit = { path = \"../kit\", version = \"0.1\" }  # partial\n";
        let after = rewrite_cargo_manifest(text, &edit).unwrap();
        assert_eq!(
            after.as_deref(),
            Some(
                "[dev_dependencies]\nkit = { path = \"../kit\", version = \"0.2.0-dev\" }  # partial\n"
            )
        );
    }

    #[test]
    fn workspace_errors() {
        cargo_error_case(
            rewrite_cargo_manifest,
            MEMBER_MANIFEST,
            "0.0.9",
            "0.2.0",
            FileError::VersionsDisagree {
                line: 3,
                found: "0.1.0".into(),
                expected: "0.0.9".into(),
            },
        );
        for requirement in ["<0.2", "0.1.*", ">=0.1, <0.3", "*", "not a version"] {
            let text = format!(
                "[package]\nname = \"a\"\n\n[dependencies]\nkit = {{ path = \"../kit\", version = \"{requirement}\" }}\n"
            );
            cargo_error_case(
                rewrite_cargo_manifest,
                &text,
                "0.1.0",
                "0.2.0",
                FileError::UnsupportedRequirement {
                    line: 5,
                    dependency: "kit".into(),
                    requirement: requirement.into(),
                },
            );
        }
        let invalid = FileError::InvalidNewVersion {
            text: "0.2".into(),
            reason: semver::Version::parse("0.2").unwrap_err().to_string(),
        };
        cargo_error_case(
            rewrite_cargo_manifest,
            ROOT_MANIFEST,
            "0.1.0",
            "0.2",
            invalid.clone(),
        );
        cargo_error_case(rewrite_cargo_lock, CARGO_LOCK, "0.1.0", "0.2", invalid);
        let members = members();
        let edit = CargoEdit {
            members: &members,
            old: "0.1.0",
            new: "0.2.0",
        };
        let broken = rewrite_cargo_lock("[[package]\nname = \"kit\"\n", &edit).unwrap_err();
        assert!(
            matches!(broken, FileError::MalformedToml { line: Some(1), .. }),
            "{broken:?}"
        );
    }

    #[test]
    fn cargo_lock() {
        // Registry `anyhow 0.1.0` (line 7) stays; the member `kit 0.1.0`, the member `kit-cli` and
        // the reference "kit 0.1.0" (needed because a registry `kit` exists too) follow.
        cargo_case(
            rewrite_cargo_lock,
            CARGO_LOCK,
            "0.1.0",
            "0.2.0-dev",
            &[19, 26, 30],
        );
        // Nothing at the old version: nothing changes.
        cargo_case(rewrite_cargo_lock, CARGO_LOCK, "7.0.0", "7.1.0", &[]);
        cargo_case(
            rewrite_cargo_lock,
            "# empty\nversion = 4\n",
            "0.1.0",
            "0.2.0",
            &[],
        );
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
