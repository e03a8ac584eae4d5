//! What `xtask init` finds in a repository for its starter `xtask.toml`: version files, tag style, changelog.
//!
//! A pure function of the repository's file list (with the contents of the few files that matter) and its
//! tag names, so every kind of project is a row in a table test.

use std::collections::BTreeMap;

use crate::domain::version::{self, Version};

/// What the detection looks at: paths (relative, `/`-separated) with their contents, and tag names.
#[derive(Debug, Default, Clone)]
pub struct Repository {
    pub files: BTreeMap<String, String>,
    pub tags: Vec<String>,
}

/// Whether `path` is a file detection may want to read (so callers need not read every file).
pub fn wanted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let depth = path.matches('/').count();
    if path.split('/').any(|s| {
        matches!(
            s,
            "node_modules" | "target" | ".git" | "venv" | ".venv" | "site-packages"
        )
    }) {
        return false;
    }
    match name {
        "Cargo.toml" => depth <= 3,
        "pyproject.toml" | "setup.cfg" => depth == 0,
        "__init__.py" => depth <= 2,
        "package.json" => depth <= 2,
        _ if depth == 0 && name.ends_with(".json") => true,
        _ => depth == 0 && changelog_name(name),
    }
}

fn changelog_name(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    matches!(stem.as_str(), "CHANGELOG" | "CHANGES" | "HISTORY" | "NEWS")
        && (name.ends_with(".md") || !name.contains('.'))
}

/// One version file found, as its `[version] files` entry says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: String,
    /// The entry in `xtask.toml` syntax: `"Cargo.toml"` or an inline table.
    pub entry: String,
    /// The version as the file writes it.
    pub version: String,
}

/// Everything detected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detected {
    /// The version files, the authoritative one first; all agree.
    pub files: Vec<Found>,
    /// Files holding a version that disagrees with the first, left out (with the reason).
    pub left_out: Vec<String>,
    /// `[tag] format`, when the existing tags say (`None`: the default `v{{ version }}`).
    pub tag_format: Option<String>,
    /// An example tag the format came from.
    pub tag_example: Option<String>,
    pub changelog: Option<String>,
    pub keep_a_changelog: bool,
}

const SETUP_CFG_REGEX: &str = r#"(?m)^version\s*=\s*["']?(?<version>[0-9][^"'\s]*)"#;
const INIT_PY_REGEX: &str = r#"__version__\s*=\s*["'](?<version>[^"']+)["']"#;

/// Looks at `repo` and says what the starter configuration should hold.
pub fn detect(repo: &Repository) -> Detected {
    let mut candidates: Vec<Found> = Vec::new();
    candidates.extend(cargo(repo));
    candidates.extend(python(repo));
    candidates.extend(javascript(repo));

    let mut detected = Detected::default();
    for found in candidates {
        match detected.files.first() {
            None => detected.files.push(found),
            Some(first) if same_version(&first.version, &found.version) => {
                detected.files.push(found)
            }
            Some(first) => detected.left_out.push(format!(
                "{} ({}: differs from {} in {})",
                found.path, found.version, first.version, first.path
            )),
        }
    }
    let current = detected.files.first().map(|f| f.version.clone());
    if let Some((format, example)) = tag_style(&repo.tags, current.as_deref()) {
        detected.tag_format = Some(format);
        detected.tag_example = Some(example);
    }
    if let Some((path, text)) = repo
        .files
        .iter()
        .filter(|(p, _)| !p.contains('/') && changelog_name(p))
        .min_by_key(|(p, _)| (!p.starts_with("CHANGELOG"), p.len()))
    {
        detected.changelog = Some(path.clone());
        detected.keep_a_changelog = text.contains("keepachangelog.com")
            || text.to_ascii_lowercase().contains("## [unreleased]");
    }
    detected
}

fn same_version(a: &str, b: &str) -> bool {
    match (version::parse_any(a), version::parse_any(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

fn is_version(text: &str) -> bool {
    version::parse_any(text).is_some()
}

fn toml_string<'d>(doc: &'d toml::Table, path: &[&str]) -> Option<&'d str> {
    let (last, tables) = path.split_last()?;
    let mut table = doc;
    for key in tables {
        table = table.get(*key)?.as_table()?;
    }
    table.get(*last)?.as_str()
}

/// The workspace's (or root package's) own version, else its members' literal versions.
fn cargo(repo: &Repository) -> Vec<Found> {
    let Some(root) = repo
        .files
        .get("Cargo.toml")
        .and_then(|t| t.parse::<toml::Table>().ok())
    else {
        return Vec::new();
    };
    for path in [
        ["workspace", "package", "version"].as_slice(),
        &["package", "version"],
    ] {
        if let Some(v) = toml_string(&root, path).filter(|v| is_version(v)) {
            return vec![Found {
                path: "Cargo.toml".into(),
                entry: "\"Cargo.toml\"".into(),
                version: v.to_string(),
            }];
        }
    }
    let members: Vec<&str> = root
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .map(|a| a.iter().filter_map(|m| m.as_str()).collect())
        .unwrap_or_default();
    let mut found = Vec::new();
    for (path, text) in &repo.files {
        let Some(dir) = path.strip_suffix("/Cargo.toml") else {
            continue;
        };
        // A task runner is not what the project releases.
        if dir == "xtask" || dir.ends_with("/xtask") || !members.iter().any(|m| glob_match(m, dir))
        {
            continue;
        }
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        if toml_string(&doc, &["package", "name"]) == Some("xtask") {
            continue;
        }
        if let Some(v) = toml_string(&doc, &["package", "version"]).filter(|v| is_version(v)) {
            // Each member is edited alone: a Cargo manifest entry would take the whole workspace along,
            // task runners and other crates at their own versions included.
            found.push(Found {
                path: path.clone(),
                entry: format!("{{ path = {path:?}, toml = \"package.version\" }}"),
                version: v.to_string(),
            });
        }
    }
    found
}

fn python(repo: &Repository) -> Vec<Found> {
    let mut found = Vec::new();
    if let Some(doc) = repo
        .files
        .get("pyproject.toml")
        .and_then(|t| t.parse::<toml::Table>().ok())
    {
        if let Some(v) = toml_string(&doc, &["project", "version"]).filter(|v| is_version(v)) {
            found.push(Found {
                path: "pyproject.toml".into(),
                entry: "\"pyproject.toml\"".into(),
                version: v.to_string(),
            });
        } else if let Some(v) =
            toml_string(&doc, &["tool", "poetry", "version"]).filter(|v| is_version(v))
        {
            found.push(Found {
                path: "pyproject.toml".into(),
                entry: "{ path = \"pyproject.toml\", toml = \"tool.poetry.version\", scheme = \"pep440\" }".into(),
                version: v.to_string(),
            });
        }
    }
    if let Some(text) = repo.files.get("setup.cfg")
        && let Some(v) = setup_cfg_version(text)
    {
        found.push(Found {
            path: "setup.cfg".into(),
            entry: format!(
                "{{ path = \"setup.cfg\", regex = {}, scheme = \"pep440\" }}",
                literal(SETUP_CFG_REGEX)
            ),
            version: v,
        });
    }
    let regex = regex::Regex::new(INIT_PY_REGEX).expect("a valid regex");
    for (path, text) in &repo.files {
        if !path.ends_with("/__init__.py") {
            continue;
        }
        if let Some(v) = regex
            .captures(text)
            .and_then(|c| c.name("version"))
            .map(|m| m.as_str())
            .filter(|v| is_version(v))
        {
            found.push(Found {
                path: path.clone(),
                entry: format!(
                    "{{ path = {path:?}, regex = {}, scheme = \"pep440\" }}",
                    literal(INIT_PY_REGEX)
                ),
                version: v.to_string(),
            });
        }
    }
    found
}

/// A TOML literal string for a regular expression: no escapes to double.
fn literal(text: &str) -> String {
    if text.contains('\'') {
        format!("'''{text}'''")
    } else {
        format!("'{text}'")
    }
}

/// `version` in the `[metadata]` section, with or without quotes; `attr:` and `file:` are not versions.
fn setup_cfg_version(text: &str) -> Option<String> {
    let mut in_metadata = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_metadata = line == "[metadata]";
            continue;
        }
        if !in_metadata {
            continue;
        }
        if let Some((key, value)) = line.split_once('=')
            && key.trim() == "version"
        {
            let value = value.trim().trim_matches(['"', '\'']);
            return is_version(value).then(|| value.to_string());
        }
    }
    None
}

fn javascript(repo: &Repository) -> Vec<Found> {
    let mut found = Vec::new();
    for (path, text) in &repo.files {
        let name = path.rsplit('/').next().unwrap_or(path);
        let is_package = name == "package.json";
        // Other JSON files count only at the top level and when they say nothing but versions' kind.
        if !is_package && (path.contains('/') || !name.ends_with(".json") || name.contains("lock"))
        {
            continue;
        }
        let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
            continue;
        };
        let Some(v) = json
            .get("version")
            .and_then(|v| v.as_str())
            .filter(|v| is_version(v))
        else {
            continue;
        };
        let entry = if path == "package.json" {
            "\"package.json\"".to_string()
        } else {
            format!("{{ path = {path:?}, json = \"version\" }}")
        };
        found.push(Found {
            path: path.clone(),
            entry,
            version: v.to_string(),
        });
    }
    // The root package first, then nested packages, then other JSON files.
    found.sort_by_key(|f| (f.path != "package.json", !f.path.ends_with("package.json")));
    found
}

/// The tag format most of the release tags follow (the ones naming the current version count first),
/// with an example tag.
pub fn tag_style(tags: &[String], current: Option<&str>) -> Option<(String, String)> {
    let mut counts: BTreeMap<String, (usize, bool, String)> = BTreeMap::new();
    for tag in tags {
        let Some((prefix, version)) = split_tag(tag) else {
            continue;
        };
        let format = format!("{prefix}{{{{ version }}}}");
        let entry = counts.entry(format).or_insert((0, false, tag.clone()));
        entry.0 += 1;
        if current.is_some_and(|c| same_version(c, &version.to_string())) {
            entry.1 = true;
            entry.2 = tag.clone();
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, (count, current, _))| (*current, *count))
        .map(|(format, (_, _, example))| (format, example))
}

/// A tag split into a prefix and a version: `v1.2.3`, `1.2.3`, `web-v1.2.3`, `2.0.0rc1`.
fn split_tag(tag: &str) -> Option<(&str, Version)> {
    tag.char_indices()
        .filter(|(i, c)| {
            c.is_ascii_digit()
                && (*i == 0 || !tag[..*i].ends_with(|p: char| p.is_ascii_digit() || p == '.'))
        })
        .find_map(|(i, _)| version::parse_any(&tag[i..]).map(|v| (&tag[..i], v)))
}

/// Cargo's member globs: `*` matches within one path segment, `?` one character.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, s)| segment_match(p.as_bytes(), s.as_bytes()))
}

fn segment_match(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            segment_match(&pattern[1..], text)
                || (!text.is_empty() && segment_match(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => segment_match(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => segment_match(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// The starter `xtask.toml` for what was found, with comments saying where each value came from.
pub fn starter_config(d: &Detected) -> String {
    let mut out = String::from(
        "# Written by `cargo xtask init` from what it found in this repository; edit freely\n\
         # (the README's Configuration section lists every key). `init` never rewrites this file.\n\n[version]\n",
    );
    if d.files.is_empty() {
        out.push_str(
            "# No version file was found: list yours, e.g. \"Cargo.toml\", \"pyproject.toml\", \"package.json\",\n\
             # or { path = \"VERSION.txt\", regex = '(?<version>.+)' }.\nfiles = []\n",
        );
    } else {
        out.push_str("# The first file is authoritative; all must agree.\nfiles = [\n");
        for f in &d.files {
            out.push_str(&format!("  {},   # {}\n", f.entry, f.version));
        }
        out.push_str("]\n");
    }
    for left in &d.left_out {
        out.push_str(&format!("# Left out: {left}.\n"));
    }
    if let Some(file) = &d.changelog {
        out.push_str(&format!("\n[changelog]\nfile = {file:?}\n"));
        if !d.keep_a_changelog {
            out.push_str(
                "# This file does not look like Keep a Changelog: new sections go after its first lines.\n",
            );
        }
    }
    out.push_str("\n[tag]\n");
    match (&d.tag_format, &d.tag_example) {
        (Some(format), Some(example)) => out.push_str(&format!(
            "format = {format:?}   # as the existing tags, e.g. {example}\n"
        )),
        _ => out.push_str("format = \"v{{ version }}\"   # no release tags yet: the default\n"),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(files: &[(&str, &str)], tags: &[&str]) -> Repository {
        Repository {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn paths(d: &Detected) -> Vec<&str> {
        d.files.iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn finds_the_version_files_of_each_kind_of_project() {
        type Files<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Files, &[&str])] = &[
            // A workspace version.
            (
                &[
                    (
                        "Cargo.toml",
                        "[workspace]\nmembers = [\"crates/*\"]  # c\n[workspace.package]\nversion = \"0.4.0\"\n",
                    ),
                    (
                        "crates/a/Cargo.toml",
                        "[package]\nname = \"a\"\nversion.workspace = true\n",
                    ),
                ],
                &["Cargo.toml"],
            ),
            // A root package.
            (
                &[(
                    "Cargo.toml",
                    "[package]\nname = \"x\"\nversion = \"1.0.0\"\n",
                )],
                &["Cargo.toml"],
            ),
            // Members' own versions; the task runner is left out.
            (
                &[
                    (
                        "Cargo.toml",
                        "[workspace]\nmembers = [\"xtask\", \"lib\"]\n",
                    ),
                    (
                        "lib/Cargo.toml",
                        "[package]\nname = \"lib\"\nversion = \"2.3.1\"\n",
                    ),
                    (
                        "xtask/Cargo.toml",
                        "[package]\nname = \"xtask\"\nversion = \"0.1.0\"\n",
                    ),
                    (
                        "other/Cargo.toml",
                        "[package]\nname = \"other\"\nversion = \"2.3.1\"\n",
                    ),
                ],
                &["lib/Cargo.toml"],
            ),
            (
                &[(
                    "pyproject.toml",
                    "[project]\nname = \"p\"\nversion = \"0.7.1\"\n",
                )],
                &["pyproject.toml"],
            ),
            (
                &[(
                    "pyproject.toml",
                    "[project]\nname = \"p\"\ndynamic = [\"version\"]\n",
                )],
                &[],
            ),
            (
                &[("pyproject.toml", "[tool.poetry]\nversion = \"2.0.0rc1\"\n")],
                &["pyproject.toml"],
            ),
            (
                &[
                    (
                        "setup.cfg",
                        "[metadata]\nname = fast-llm\nversion = 0.2.0\n",
                    ),
                    ("fast_llm/__init__.py", "__version__ = \"0.2.0\"\n"),
                ],
                &["setup.cfg", "fast_llm/__init__.py"],
            ),
            (
                &[("setup.cfg", "[metadata]\nversion = \"1.2.3\"\n")],
                &["setup.cfg"],
            ),
            (
                &[("setup.cfg", "[metadata]\nversion = attr: pkg.__version__\n")],
                &[],
            ),
            (&[("setup.cfg", "[options]\nversion = 1.2.3\n")], &[]),
            (
                &[("src/pkg/__init__.py", "__version__ = '1.0.0.dev0'\n")],
                &["src/pkg/__init__.py"],
            ),
            (
                &[(
                    "package.json",
                    "{\"name\": \"web\", \"version\": \"1.2.3\"}",
                )],
                &["package.json"],
            ),
            (
                &[
                    ("version.json", "{\"version\": \"3.1.0\"}"),
                    ("tsconfig.json", "{}"),
                ],
                &["version.json"],
            ),
            // Disagreeing files: the first kind wins, the other is left out.
            (
                &[
                    ("pyproject.toml", "[project]\nversion = \"0.7.1\"\n"),
                    ("package.json", "{\"version\": \"3.0.0\"}"),
                ],
                &["pyproject.toml"],
            ),
            (&[("README.md", "version = 1.0.0")], &[]),
        ];
        for (files, expected) in cases {
            let detected = detect(&repo(files, &[]));
            assert_eq!(paths(&detected), *expected, "{files:?}");
        }
    }

    #[test]
    fn reads_the_tag_style_from_existing_tags() {
        let cases: &[(&[&str], Option<&str>, Option<&str>)] = &[
            (&["v1.2.3", "v1.2.2"], None, Some("v{{ version }}")),
            (&["0.7.0", "0.7.1"], Some("0.7.1"), Some("{{ version }}")),
            (
                &["web-v1.2.3", "api-v0.1.0"],
                Some("1.2.3"),
                Some("web-v{{ version }}"),
            ),
            (&["2.0.0rc1"], None, Some("{{ version }}")),
            (
                &["release-1.0.0", "v0.9.0", "v0.8.0"],
                None,
                Some("v{{ version }}"),
            ),
            (&["nightly", "v1.2"], None, None),
            (&[], None, None),
        ];
        for (tags, current, expected) in cases {
            let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
            assert_eq!(
                tag_style(&tags, *current).map(|(f, _)| f).as_deref(),
                *expected,
                "{tags:?}"
            );
        }
    }

    #[test]
    fn finds_the_changelog_and_whether_it_keeps_a_changelog() {
        let d = detect(&repo(
            &[
                ("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n"),
                ("docs/NEWS.md", ""),
            ],
            &[],
        ));
        assert_eq!(d.changelog.as_deref(), Some("CHANGELOG.md"));
        assert!(d.keep_a_changelog);
        let d = detect(&repo(&[("HISTORY.md", "1.0 - first\n")], &[]));
        assert_eq!(d.changelog.as_deref(), Some("HISTORY.md"));
        assert!(!d.keep_a_changelog);
    }

    #[test]
    fn member_globs_match_as_cargo_does() {
        assert!(glob_match("crates/*", "crates/a"));
        assert!(!glob_match("crates/*", "crates/a/b"));
        assert!(glob_match("xtask", "xtask"));
        assert!(glob_match("*", "xtask"));
        assert!(glob_match("tools/x?", "tools/xy"));
        assert!(!glob_match("crates/*", "xtask"));
    }

    #[test]
    fn the_starter_configuration_parses_and_says_what_was_found() {
        let d = detect(&repo(
            &[
                ("setup.cfg", "[metadata]\nversion = 0.2.0\n"),
                ("fast_llm/__init__.py", "__version__ = \"0.2.0\"\n"),
                ("CHANGES.md", "x"),
            ],
            &["0.2.0"],
        ));
        let text = starter_config(&d);
        let config: toml::Table = text.parse().expect(&text);
        assert_eq!(config["tag"]["format"].as_str(), Some("{{ version }}"));
        assert_eq!(config["changelog"]["file"].as_str(), Some("CHANGES.md"));
        assert_eq!(config["version"]["files"].as_array().map(Vec::len), Some(2));
        let empty = starter_config(&detect(&repo(&[], &[])));
        assert!(empty.parse::<toml::Table>().is_ok(), "{empty}");
    }
}
