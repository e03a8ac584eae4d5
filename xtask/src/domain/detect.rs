//! What `xtask init` finds in a repository for its starter `xtask.toml`: version files, packages, tag style,
//! changelog.
//!
//! A pure function of the repository's file list (with the contents of the few files that matter) and its
//! tag names, so every kind of project is a row in a table test. It reads a repository as its maintainers
//! do: the Cargo workspace's version source (one version, or crates with versions of their own → packages,
//! each with the tag style of its own tags), Python's declared version source (`[project] dynamic` with a
//! setuptools, hatch or maturin source) and conventional version files, JSON keys found by looking at the
//! files. What it cannot decide it says, with the line to add.

use std::collections::BTreeMap;

use crate::domain::version::{self, Version};

/// What the detection looks at: paths (relative, `/`-separated) with their contents, and tag names.
#[derive(Debug, Default, Clone)]
pub struct Repository {
    pub files: BTreeMap<String, String>,
    pub tags: Vec<String>,
}

/// Directories whose files never hold the project's version.
fn ignored_dir(segment: &str) -> bool {
    matches!(
        segment,
        "node_modules"
            | "target"
            | ".git"
            | "venv"
            | ".venv"
            | "site-packages"
            | "tests"
            | "test"
            | "docs"
            | "examples"
            | "vendor"
            | "third_party"
    )
}

/// Whether `path` is a file detection may want to read (so callers need not read every file). Files a
/// `pyproject.toml` or `setup.cfg` names as its version source are asked for by [`referenced_files`].
pub fn wanted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let depth = path.matches('/').count();
    if path.split('/').any(ignored_dir) {
        return false;
    }
    match name {
        "Cargo.toml" => depth <= 3,
        "pyproject.toml"
        | "setup.cfg"
        | "setup.py"
        | "uv.lock"
        | ".pre-commit-config.yaml"
        | ".cz.toml"
        | "cz.toml" => depth == 0,
        "__init__.py" | "__version__.py" | "__about__.py" | "_version.py" | "version.py" => {
            depth <= 2
        }
        "VERSION" | "VERSION.txt" => depth <= 1,
        "package.json" => depth <= 2,
        _ if depth <= 2 && name.ends_with(".json") => {
            !name.contains("lock") && !name.starts_with("tsconfig")
        }
        _ => depth == 0 && changelog_name(name),
    }
}

/// The files a `pyproject.toml` (`[tool.setuptools.dynamic]`, `[tool.hatch.version]`) or `setup.cfg`
/// (`version = attr: …` / `file: …`) names as the version's source, which [`wanted`] cannot know.
pub fn referenced_files(files: &BTreeMap<String, String>) -> Vec<String> {
    python_sources(files)
        .into_iter()
        .flat_map(|s| match s {
            Source::File(path) => vec![path],
            Source::Attr(module) => module_paths(&module),
            _ => Vec::new(),
        })
        .collect()
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

/// A crate of a workspace whose members carry versions of their own, released as a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub file: Found,
    /// Its own tag format, when its tags do not follow `tag.format` with the name filled in.
    pub tag: Option<String>,
    /// An example of its existing tags.
    pub tag_example: Option<String>,
    /// Its changelog, when it is not `CHANGELOG.md` beside its manifest.
    pub changelog: Option<String>,
}

/// Everything detected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Detected {
    /// The version files, the authoritative one first; all agree.
    pub files: Vec<Found>,
    /// The packages, when the crates of a workspace carry versions of their own (then `files` is empty).
    pub packages: Vec<Package>,
    /// Files holding a version that disagrees with the first, left out (with the reason).
    pub left_out: Vec<String>,
    /// What detection could not decide, each with the line to add.
    pub undecided: Vec<String>,
    /// `[tag] format`, when the existing tags say (`None`: the default `v{{ version }}`).
    pub tag_format: Option<String>,
    /// An example tag the format came from.
    pub tag_example: Option<String>,
    /// `[tag] scheme`, when the existing tags spell pre-releases otherwise than the first file would.
    pub tag_scheme: Option<&'static str>,
    pub changelog: Option<String>,
    pub keep_a_changelog: bool,
    /// The heading line of the changelog's sections as a template line (`## v{{ version }} ({{ date }})`),
    /// when the file uses a style the kit recognises other than Keep a Changelog's.
    pub changelog_heading: Option<String>,
    /// Whether the versions are PEP 440's (a Python project).
    pub pep440: bool,
    /// The files still hold a released version (a tag names it): the project makes no development
    /// versions between releases, so `version.dev = false`.
    pub no_dev: bool,
    /// `commits.patch_types` from commitizen's bump rules, when the project has them, and where they came
    /// from: `auto` then agrees with `cz bump` on which commits call for a release.
    pub patch_types: Option<(Vec<String>, String)>,
}

const SETUP_CFG_REGEX: &str = r#"(?m)^version\s*=\s*["']?(?<version>[0-9][^"'\s]*)"#;
const INIT_PY_REGEX: &str = r#"__version__\s*=\s*["'](?<version>[^"']+)["']"#;
const SETUP_PY_REGEX: &str = r#"\bversion\s*=\s*["'](?<version>[0-9][^"']*)["']"#;
/// A file that holds nothing but the version (`VERSION.txt`).
const WHOLE_FILE_REGEX: &str = r#"\A\s*(?<version>[0-9][^\s]*)"#;

fn is_python_project(repo: &Repository) -> bool {
    ["pyproject.toml", "setup.cfg", "setup.py"]
        .iter()
        .any(|f| repo.files.contains_key(*f))
}

/// Looks at `repo` and says what the starter configuration should hold.
pub fn detect(repo: &Repository) -> Detected {
    let mut detected = Detected::default();
    let python_project = is_python_project(repo);
    let (cargo_files, crates) = cargo(repo);
    let (python_files, python_notes, maturin) = python(repo);
    detected.undecided.extend(python_notes);
    // A Python project whose version is Python's own (not maturin's, which is Cargo's) leads.
    let mut candidates: Vec<Found> = Vec::new();
    if python_project && !maturin && !python_files.is_empty() {
        candidates.extend(python_files);
        candidates.extend(cargo_files);
    } else {
        candidates.extend(cargo_files);
        candidates.extend(python_files);
    }
    candidates.extend(javascript(repo));
    detected.pep440 = python_project;
    detected.patch_types = commitizen_patch_types(repo);

    if crates.len() > 1 {
        packages(repo, crates, &mut detected);
        // Other version files of the project are not any one crate's: say so rather than guess.
        for found in candidates {
            detected.left_out.push(format!(
                "{} ({}: the crates are versioned separately; add it to the package it belongs to)",
                found.path, found.version
            ));
        }
    } else {
        let mut seen: Vec<String> = Vec::new();
        for found in candidates {
            if seen.contains(&found.path) {
                continue;
            }
            seen.push(found.path.clone());
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
            detected.no_dev = current.as_deref().is_some_and(|c| {
                split_tag(&example).is_some_and(|(_, v)| same_version(c, &v.to_string()))
            });
            detected.tag_format = Some(format);
            detected.tag_example = Some(example);
        }
        let file_scheme_pep440 = detected
            .files
            .first()
            .is_some_and(|f| f.entry.contains("pep440") || f.entry == "\"pyproject.toml\"");
        detected.tag_scheme = match tags_scheme(&repo.tags, detected.tag_format.as_deref()) {
            Some(TagSpelling::Pep440) if !file_scheme_pep440 => Some("pep440"),
            Some(TagSpelling::Semver) if file_scheme_pep440 => Some("semver"),
            _ => None,
        };
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
        if !detected.keep_a_changelog {
            detected.changelog_heading = heading_style(text);
        }
    }
    detected
}

/// commitizen's bump rules (`[tool.commitizen]` in `pyproject.toml`, `.cz.toml` or `cz.toml`): the commit
/// types its `bump_map` makes a patch (its default: `fix`, `refactor`, `perf`). Commits of other types make
/// no release there.
fn commitizen_patch_types(repo: &Repository) -> Option<(Vec<String>, String)> {
    ["pyproject.toml", ".cz.toml", "cz.toml"]
        .iter()
        .find_map(|name| {
            let doc = repo.files.get(*name)?.parse::<toml::Table>().ok()?;
            let table = doc.get("tool")?.get("commitizen")?;
            let types = match table.get("bump_map").and_then(toml::Value::as_table) {
                Some(map) => map
                    .iter()
                    .filter(|(_, level)| level.as_str() == Some("PATCH"))
                    .map(|(kind, _)| kind.trim_end_matches('!').to_ascii_lowercase())
                    .filter(|kind| kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                    .collect(),
                None => vec![
                    "fix".to_string(),
                    "refactor".to_string(),
                    "perf".to_string(),
                ],
            };
            Some((types, format!("{name} [tool.commitizen]")))
        })
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

/// The kit's own crate, by name: never one of the project's packages.
pub fn is_kit_crate(name: &str) -> bool {
    matches!(name, "xtask" | "xtask-release" | "xtask-launcher")
}

/// A member crate with a version of its own.
#[derive(Debug, Clone)]
struct Crate {
    name: String,
    manifest: String,
    version: String,
}

/// The workspace's one version (`[workspace.package]` or the root package) as `Cargo.toml`; else the
/// members with versions of their own: all at one version, their manifests (Cargo entries, so that
/// path-dependency requirements and `Cargo.lock` follow); at several, the crates (for `[packages]`).
fn cargo(repo: &Repository) -> (Vec<Found>, Vec<Crate>) {
    let Some(root) = repo
        .files
        .get("Cargo.toml")
        .and_then(|t| t.parse::<toml::Table>().ok())
    else {
        return (Vec::new(), Vec::new());
    };
    for path in [
        ["workspace", "package", "version"].as_slice(),
        &["package", "version"],
    ] {
        if let Some(v) = toml_string(&root, path).filter(|v| is_version(v)) {
            return (
                vec![Found {
                    path: "Cargo.toml".into(),
                    entry: "\"Cargo.toml\"".into(),
                    version: v.to_string(),
                }],
                Vec::new(),
            );
        }
    }
    let list = |key: &str| -> Vec<&str> {
        root.get("workspace")
            .and_then(|w| w.get(key))
            .and_then(|m| m.as_array())
            .map(|a| a.iter().filter_map(|m| m.as_str()).collect())
            .unwrap_or_default()
    };
    let (members, excluded) = (list("members"), list("exclude"));
    let mut crates = Vec::new();
    let mut unpublished = Vec::new();
    for (path, text) in &repo.files {
        let Some(dir) = path.strip_suffix("/Cargo.toml") else {
            continue;
        };
        if !members.iter().any(|m| glob_match(m, dir))
            || excluded.iter().any(|m| glob_match(m, dir))
        {
            continue;
        }
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        let name = toml_string(&doc, &["package", "name"]).unwrap_or(dir);
        // The task runner (the kit's own crate included) is not what the project releases.
        let kit = doc
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("xtask-kit"))
            .is_some();
        if kit || is_kit_crate(name) || dir == "xtask" || dir.ends_with("/xtask") {
            continue;
        }
        let Some(v) = toml_string(&doc, &["package", "version"]).filter(|v| is_version(v)) else {
            continue;
        };
        let published = doc
            .get("package")
            .and_then(|p| p.get("publish"))
            .and_then(toml::Value::as_bool)
            != Some(false);
        let found = Crate {
            name: name.to_string(),
            manifest: path.clone(),
            version: v.to_string(),
        };
        if published {
            crates.push(found);
        } else {
            unpublished.push(found);
        }
    }
    // Crates that are never published are released only when nothing else is.
    if crates.is_empty() {
        crates = unpublished;
    }
    let one_version = crates
        .windows(2)
        .all(|w| same_version(&w[0].version, &w[1].version));
    if one_version {
        let found = crates
            .into_iter()
            .map(|c| Found {
                entry: format!("{:?}", c.manifest),
                path: c.manifest,
                version: c.version,
            })
            .collect();
        (found, Vec::new())
    } else {
        (Vec::new(), crates)
    }
}

/// Whether a tag is a plain release tag (`1.2.3`, `v1.2.3`), naming no package.
fn plain_tag(tag: &str) -> Option<Version> {
    split_tag(tag)
        .filter(|(prefix, _)| prefix.is_empty() || *prefix == "v")
        .map(|(_, v)| v)
}

/// One package per crate, each with the tag style of its own tags: `name-1.2.3` (or `name-v1.2.3`,
/// `name@1.2.3`, `name/v1.2.3`), or, for the one crate whose version the newest plain tag (`1.2.3`,
/// `v1.2.3`) names, the plain tags when they are the more.
fn packages(repo: &Repository, crates: Vec<Crate>, detected: &mut Detected) {
    let plain_tags: Vec<String> = repo
        .tags
        .iter()
        .filter(|t| plain_tag(t).is_some())
        .cloned()
        .collect();
    let latest_plain = plain_tags
        .iter()
        .filter_map(|t| plain_tag(t))
        .max_by(version::release_cmp);
    let plain = tag_style(
        &plain_tags,
        latest_plain.as_ref().map(ToString::to_string).as_deref(),
    );
    // The crate's named tags: the shape most of them follow (`{{ package }}-v{{ version }}`), how many,
    // and the newest as an example.
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    let mut own: Vec<Option<(String, usize, String)>> = Vec::new();
    for c in &crates {
        let mut by_shape: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for tag in &repo.tags {
            let Some(rest) = tag.strip_prefix(c.name.as_str()) else {
                continue;
            };
            let Some((prefix, _)) = split_tag(rest) else {
                continue;
            };
            if !matches!(prefix, "-" | "-v" | "@" | "@v" | "/" | "/v" | "_" | "_v") {
                continue;
            }
            let entry = by_shape
                .entry(format!("{{{{ package }}}}{prefix}{{{{ version }}}}"))
                .or_insert((0, tag.clone()));
            entry.0 += 1;
            entry.1 = tag.clone();
        }
        for (shape, (count, _)) in &by_shape {
            *shapes.entry(shape.clone()).or_default() += count;
        }
        own.push(
            by_shape
                .into_iter()
                .max_by_key(|(_, (count, _))| *count)
                .map(|(shape, (count, example))| (shape, count, example)),
        );
    }
    let shape = shapes
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(s, _)| s.clone())
        .unwrap_or_else(|| "{{ package }}-v{{ version }}".to_string());
    // The plain tags belong to the crate whose version the newest of them names (the main crate).
    let plain_owner = latest_plain.and_then(|latest| {
        crates
            .iter()
            .position(|c| version::parse_any(&c.version).is_some_and(|v| v == latest))
    });
    for (index, (c, own)) in crates.into_iter().zip(own).enumerate() {
        let dir = c.manifest.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let own_count = own.as_ref().map_or(0, |(_, n, _)| *n);
        let (mut tag, mut example) = (None, None);
        match (&plain, own) {
            (Some((format, plain_example)), _)
                if Some(index) == plain_owner && plain_tags.len() >= own_count =>
            {
                tag = Some(format.clone());
                example = Some(plain_example.clone());
            }
            (_, Some((own_shape, _, own_example))) => {
                if own_shape != shape {
                    tag = Some(crate::domain::packages::with_package(&own_shape, &c.name));
                }
                example = Some(own_example);
            }
            _ => {}
        }
        // The crate the plain tags name keeps the root changelog when its folder has none.
        let beside = format!("{dir}/CHANGELOG.md");
        let changelog = (Some(index) == plain_owner
            && !repo.files.contains_key(&beside)
            && repo.files.contains_key("CHANGELOG.md"))
        .then(|| "CHANGELOG.md".to_string());
        detected.packages.push(Package {
            name: c.name,
            file: Found {
                entry: format!("{:?}", c.manifest),
                path: c.manifest,
                version: c.version,
            },
            tag,
            tag_example: example,
            changelog,
        });
    }
    // Released crates whose files still hold the released version: no development versions.
    detected.no_dev = detected.packages.iter().any(|p| {
        p.tag_example
            .as_deref()
            .and_then(split_tag)
            .is_some_and(|(_, v)| same_version(&p.file.version, &v.to_string()))
    });
    detected.tag_format = Some(shape);
}

/// Where a Python project declares its version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A file holding the version (`[tool.setuptools.dynamic] version = { file = … }`, hatch's `path`).
    File(String),
    /// A module attribute (`{ attr = "pkg.__version__" }`, `attr: pkg.__version__`).
    Attr(String),
    /// Computed from git tags (setuptools-scm, hatch-vcs, …): named, for the note.
    Tags(String),
    /// Cargo's (maturin).
    Cargo,
}

/// The version sources `pyproject.toml` and `setup.cfg` declare.
fn python_sources(files: &BTreeMap<String, String>) -> Vec<Source> {
    let mut sources = Vec::new();
    if let Some(doc) = files
        .get("pyproject.toml")
        .and_then(|t| t.parse::<toml::Table>().ok())
    {
        let dynamic = doc
            .get("project")
            .and_then(|p| p.get("dynamic"))
            .and_then(|d| d.as_array())
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some("version")));
        let tool = |path: &[&str]| -> Option<&toml::Value> {
            let mut value = doc.get("tool")?;
            for key in path {
                value = value.get(*key)?;
            }
            Some(value)
        };
        if dynamic {
            if let Some(version) = tool(&["setuptools", "dynamic", "version"]) {
                if let Some(attr) = version.get("attr").and_then(|a| a.as_str()) {
                    sources.push(Source::Attr(attr.to_string()));
                }
                match version.get("file") {
                    Some(toml::Value::String(f)) => sources.push(Source::File(f.clone())),
                    Some(toml::Value::Array(a)) => sources.extend(
                        a.iter()
                            .filter_map(|f| f.as_str())
                            .map(|f| Source::File(f.to_string())),
                    ),
                    _ => {}
                }
            }
            if let Some(hatch) = tool(&["hatch", "version"]) {
                match (
                    hatch.get("path").and_then(|p| p.as_str()),
                    hatch.get("source").and_then(|s| s.as_str()),
                ) {
                    (Some(path), _) => sources.push(Source::File(path.to_string())),
                    (None, Some(source)) => {
                        sources.push(Source::Tags(format!("hatch's {source} source")))
                    }
                    _ => {}
                }
            }
            if tool(&["setuptools_scm"]).is_some() || tool(&["setuptools-scm"]).is_some() {
                sources.push(Source::Tags("setuptools-scm".into()));
            }
            if tool(&["poetry-dynamic-versioning"]).is_some() {
                sources.push(Source::Tags("poetry-dynamic-versioning".into()));
            }
            let maturin = tool(&["maturin"]).is_some()
                || doc
                    .get("build-system")
                    .and_then(|b| b.get("build-backend"))
                    .and_then(|b| b.as_str())
                    .is_some_and(|b| b.starts_with("maturin"));
            if maturin {
                sources.push(Source::Cargo);
            }
        }
    }
    if let Some(text) = files.get("setup.cfg") {
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if key.trim() != "version" {
                continue;
            }
            let value = value.trim();
            if let Some(attr) = value.strip_prefix("attr:") {
                sources.push(Source::Attr(attr.trim().to_string()));
            } else if let Some(file) = value.strip_prefix("file:") {
                sources.push(Source::File(file.trim().to_string()));
            }
        }
    }
    sources
}

/// The files a module attribute (`pkg.sub.__version__`) may be in: `pkg/sub.py`, `pkg/sub/__init__.py`,
/// also under `src/`.
fn module_paths(attr: &str) -> Vec<String> {
    let Some((module, _)) = attr.rsplit_once('.') else {
        return Vec::new();
    };
    let base = module.replace('.', "/");
    ["", "src/"]
        .iter()
        .flat_map(|root| {
            [
                format!("{root}{base}.py"),
                format!("{root}{base}/__init__.py"),
            ]
        })
        .collect()
}

/// A Python file's `__version__`, as a version file entry.
fn python_variable(path: &str, text: &str) -> Option<Found> {
    let regex = regex_lite::Regex::new(INIT_PY_REGEX).expect("a valid regex");
    let v = regex
        .captures(text)
        .and_then(|c| c.name("version"))
        .map(|m| m.as_str())
        .filter(|v| is_version(v))?;
    Some(Found {
        path: path.to_string(),
        entry: format!(
            "{{ path = {path:?}, regex = {}, scheme = \"pep440\" }}",
            literal(INIT_PY_REGEX)
        ),
        version: v.to_string(),
    })
}

/// A file holding only the version (`VERSION.txt`).
fn whole_file(path: &str, text: &str, scheme: &str) -> Option<Found> {
    let v = text.trim();
    if !is_version(v) || v.contains(char::is_whitespace) {
        return None;
    }
    Some(Found {
        path: path.to_string(),
        entry: format!(
            "{{ path = {path:?}, regex = {}, scheme = \"{scheme}\" }}",
            literal(WHOLE_FILE_REGEX)
        ),
        version: v.to_string(),
    })
}

/// Python's version files: `pyproject.toml`'s own version, the declared dynamic source, then the
/// conventional files (`setup.cfg`, `__version__.py`, `__about__.py`, `__init__.py`, `VERSION.txt`). Also
/// what could not be decided, and whether the version is Cargo's (maturin).
fn python(repo: &Repository) -> (Vec<Found>, Vec<String>, bool) {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    let mut maturin = false;
    let python_project = is_python_project(repo);
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
    for source in python_sources(&repo.files) {
        match source {
            Source::File(path) => match repo.files.get(&path) {
                Some(text) => match python_variable(&path, text)
                    .or_else(|| whole_file(&path, text, "pep440"))
                {
                    Some(f) => found.push(f),
                    None => notes.push(format!(
                        "{path} is the declared version source, but holds no version detection can read: \
                         add {{ path = {path:?}, regex = '<a regex with a (?<version>…) group>', scheme = \
                         \"pep440\" }} to [version] files"
                    )),
                },
                None => notes.push(format!(
                    "{path} is the declared version source but is not in the repository"
                )),
            },
            Source::Attr(attr) => {
                let hit = module_paths(&attr)
                    .into_iter()
                    .find_map(|p| repo.files.get(&p).and_then(|t| python_variable(&p, t)));
                match hit {
                    Some(f) => found.push(f),
                    None => notes.push(format!(
                        "the version is the attribute {attr}, whose file was not found: add {{ path = \
                         \"<its file>\", regex = {}, scheme = \"pep440\" }} to [version] files",
                        literal(INIT_PY_REGEX)
                    )),
                }
            }
            Source::Tags(tool) => notes.push(format!(
                "the version comes from git tags ({tool}): the kit writes versions into files, so keep \
                 one, e.g. a VERSION.txt holding the version and {{ path = \"VERSION.txt\", regex = {}, \
                 scheme = \"pep440\" }} in [version] files",
                literal(WHOLE_FILE_REGEX)
            )),
            Source::Cargo => maturin = true,
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
    // `setup(version="1.2.3")` written out in setup.py.
    if let Some(text) = repo.files.get("setup.py") {
        let regex = regex_lite::Regex::new(SETUP_PY_REGEX).expect("a valid regex");
        if let Some(v) = regex
            .captures(text)
            .and_then(|c| c.name("version"))
            .map(|m| m.as_str())
            .filter(|v| is_version(v))
        {
            found.push(Found {
                path: "setup.py".into(),
                entry: format!(
                    "{{ path = \"setup.py\", regex = {}, scheme = \"pep440\" }}",
                    literal(SETUP_PY_REGEX)
                ),
                version: v.to_string(),
            });
        }
    }
    // The conventional files, the dedicated ones first.
    for name in [
        "__version__.py",
        "__about__.py",
        "_version.py",
        "version.py",
        "__init__.py",
    ] {
        for (path, text) in &repo.files {
            if (path == name || path.ends_with(&format!("/{name}")))
                && let Some(f) = python_variable(path, text)
            {
                found.push(f);
            }
        }
    }
    for (path, text) in &repo.files {
        let name = path.rsplit('/').next().unwrap_or(path);
        if matches!(name, "VERSION" | "VERSION.txt") {
            let scheme = if python_project { "pep440" } else { "semver" };
            found.extend(whole_file(path, text, scheme));
        }
    }
    found.extend(own_pins(repo));
    let mut seen = Vec::new();
    found.retain(|f| {
        let new = !seen.contains(&f.path);
        seen.push(f.path.clone());
        new
    });
    (found, notes, maturin)
}

/// The project's own version where tools pin it: its editable entry in `uv.lock`, and the `rev:` of its
/// own hook in `.pre-commit-config.yaml` (a project that ships pre-commit hooks).
fn own_pins(repo: &Repository) -> Vec<Found> {
    let Some(name) = repo
        .files
        .get("pyproject.toml")
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|doc| toml_string(&doc, &["project", "name"]).map(str::to_string))
    else {
        return Vec::new();
    };
    let name = regex_lite::escape(&name);
    let patterns = [
        (
            "uv.lock",
            format!(r#"(?m)^name = "{name}"\nversion = "(?<version>[^"]+)""#),
        ),
        (
            ".pre-commit-config.yaml",
            format!(
                r#"(?m)^\s*-\s*repo:\s*\S*/{name}(?:\.git)?\s*\n\s*rev:\s*["']?v?(?<version>[0-9][^\s"'#]*)"#
            ),
        ),
    ];
    let mut found = Vec::new();
    for (path, pattern) in patterns {
        let (Some(text), Ok(regex)) = (repo.files.get(path), regex_lite::Regex::new(&pattern))
        else {
            continue;
        };
        let Some(v) = regex
            .captures(text)
            .and_then(|c| c.name("version"))
            .map(|m| m.as_str().to_string())
            .filter(|v| is_version(v))
        else {
            continue;
        };
        found.push(Found {
            path: path.to_string(),
            entry: format!(
                "{{ path = {path:?}, regex = {}, scheme = \"pep440\" }}",
                literal(&pattern)
            ),
            version: v,
        });
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

/// `package.json` files, and other JSON files whose top level holds a version under a key that says so
/// (`version`, `package-version`, `packageVersion`): the key as the file spells it.
fn javascript(repo: &Repository) -> Vec<Found> {
    let mut found = Vec::new();
    for (path, text) in &repo.files {
        let name = path.rsplit('/').next().unwrap_or(path);
        if !name.ends_with(".json") || name.contains("lock") || name.starts_with("tsconfig") {
            continue;
        }
        let Ok(serde_json::Value::Object(json)) = serde_json::from_str::<serde_json::Value>(text)
        else {
            continue;
        };
        let holds_version = |k: &str| json.get(k).and_then(|v| v.as_str()).is_some_and(is_version);
        let key = if holds_version("version") {
            Some("version")
        } else if name == "package.json" {
            None
        } else {
            json.keys().map(String::as_str).find(|k| {
                let lower = k.to_ascii_lowercase();
                lower.ends_with("version")
                    && !lower.contains("schema")
                    && !k.contains(['.', '"', '\\', '[', ']'])
                    && holds_version(k)
            })
        };
        let Some(key) = key else {
            continue;
        };
        let Some(v) = json.get(key).and_then(|v| v.as_str()) else {
            continue;
        };
        let mut entry = if path == "package.json" {
            "\"package.json\"".to_string()
        } else {
            format!("{{ path = {path:?}, json = \"{key}\" }}")
        };
        // The package's own platform packages pinned at its version (`"web-linux-x64": "1.2.3"` in
        // `optionalDependencies`) are released with it: one regex finds the version and the pins (one
        // entry per file, so that the edits are made together).
        if key == "version"
            && let Some(name) = json.get("name").and_then(|n| n.as_str())
            && let Some(serde_json::Value::Object(optional)) = json.get("optionalDependencies")
        {
            let prefix = format!("{name}-");
            let pinned = optional
                .iter()
                .filter(|(k, _)| k.starts_with(&prefix))
                .collect::<Vec<_>>();
            if !pinned.is_empty() && pinned.iter().all(|(_, value)| value.as_str() == Some(v)) {
                let pattern = format!(
                    r#""(?:version|{}[^"]*)": "(?<version>[^"]+)""#,
                    regex_lite::escape(&prefix)
                );
                entry = format!("{{ path = {path:?}, regex = {} }}", literal(&pattern));
            }
        }
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

/// How the existing tags spell pre-releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagSpelling {
    /// `1.0.0rc1`, `2.6.0.dev0`.
    Pep440,
    /// `1.0.0-rc.1`.
    Semver,
}

/// The spelling of the pre-release tags that follow `format`, if there are any (the more common wins).
fn tags_scheme(tags: &[String], format: Option<&str>) -> Option<TagSpelling> {
    let prefix = format
        .and_then(|f| f.strip_suffix("{{ version }}"))
        .unwrap_or("v");
    let (mut pep, mut semver) = (0, 0);
    for tag in tags {
        let Some((p, v)) = split_tag(tag) else {
            continue;
        };
        if p != prefix || v.pre.is_empty() {
            continue;
        }
        let core = tag[p.len()..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        if core.starts_with('-') {
            semver += 1;
        } else {
            pep += 1;
        }
    }
    match (pep, semver) {
        (0, 0) => None,
        (p, s) if p >= s => Some(TagSpelling::Pep440),
        _ => Some(TagSpelling::Semver),
    }
}

/// The heading line of a changelog's version sections as a template line, when the style is one the kit
/// can write: `## v4.13.9 (2026-02-25)`, `## 1.2.3 (2026-02-25)`, `## [1.2.3] (2026-02-25)`,
/// `## 1.2.3 - 2026-02-25`, `## v1.2.3`. Links and other decorations: `None`.
fn heading_style(text: &str) -> Option<String> {
    let regex = regex_lite::Regex::new(
        r"(?m)^## (?<open>\[?)(?<v>v?)(?<version>[0-9][^\s\]]*)(?<close>\]?)(?<tail>.*)$",
    )
    .expect("a valid regex");
    let caps = regex.captures(text)?;
    if !is_version(&caps["version"]) || caps["open"].len() != caps["close"].len() {
        return None;
    }
    let date = regex_lite::Regex::new(r"^(?<before> \(| - | )\d{4}-\d{2}-\d{2}(?<after>\)?)\s*$")
        .expect("a valid regex");
    let tail = &caps["tail"];
    let tail = if tail.trim().is_empty() {
        String::new()
    } else if let Some(d) = date.captures(tail) {
        format!("{}{{{{ date }}}}{}", &d["before"], &d["after"])
    } else {
        return None;
    };
    Some(format!(
        "## {}{}{{{{ version }}}}{}{tail}",
        &caps["open"], &caps["v"], &caps["close"]
    ))
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
        } else if !entry.1
            && split_tag(&entry.2).is_some_and(|(_, shown)| {
                version::release_cmp(&version, &shown) == std::cmp::Ordering::Greater
            })
        {
            // The newest tag is the example, when none names the current version.
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

/// Whether a Cargo workspace member (`crates/a`) matches a `members` or `exclude` glob (`crates/*`), in the
/// dialect of [`super::glob`] (Cargo's `glob` crate agrees on `*`, `?`, `[…]` and `**`).
pub fn glob_match(pattern: &str, path: &str) -> bool {
    super::glob::matches(pattern.trim_end_matches('/'), path)
}

/// A package name as a TOML key: bare when it can be.
fn key(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

/// The changelog template `init` writes for a heading style other than Keep a Changelog's: the kit's
/// default template with its heading line replaced.
pub fn changelog_template(default_template: &str, heading: &str) -> Option<String> {
    let line = default_template
        .lines()
        .find(|l| l.starts_with("## {% if version %}"))?;
    let replaced = format!(
        "## {{% if version %}}{}{{% else %}}Unreleased{{% endif %}}",
        &heading[3..]
    );
    Some(default_template.replacen(line, &replaced, 1))
}

/// The starter `xtask.toml` for what was found, with comments saying where each value came from.
pub fn starter_config(d: &Detected) -> String {
    let mut out = String::from(
        "# Written by `cargo xtask init` from what it found in this repository; edit freely\n\
         # (the README's Configuration section lists every key). `init` never rewrites this file.\n\n",
    );
    out.push_str("[version]\n");
    if d.packages.is_empty() {
        if d.files.is_empty() {
            out.push_str(
                "# No version file was found: list yours, e.g. \"Cargo.toml\", \"pyproject.toml\", \"package.json\",\n\
                 # or { path = \"VERSION.txt\", regex = '(?<version>[0-9][^\\s]*)' }.\n# files = []\n",
            );
        } else {
            out.push_str("# The first file is authoritative; all must agree.\nfiles = [\n");
            for f in &d.files {
                out.push_str(&format!("  {},   # {}\n", f.entry, f.version));
            }
            out.push_str("]\n");
        }
    } else {
        out.push_str(
            "# The workspace's crates carry versions of their own: each is a package (`release -p NAME`).\n",
        );
    }
    if d.no_dev {
        out.push_str(
            "# The files hold the last released version between releases (a tag names it): no development\n\
             # version after a release.\ndev = false\n",
        );
    }
    for left in &d.left_out {
        out.push_str(&format!("# Left out: {left}.\n"));
    }
    for note in &d.undecided {
        out.push_str(&format!("# Not decided: {note}.\n"));
    }
    if let Some(file) = &d.changelog {
        // With packages, each has its own changelog (below).
        if d.packages.is_empty() {
            out.push_str(&format!("\n[changelog]\nfile = {file:?}\n"));
        } else {
            out.push_str(&format!("\n# The changelog {file:?}:\n"));
        }
        match (&d.changelog_heading, d.keep_a_changelog) {
            (_, true) => {}
            (Some(heading), false) => out.push_str(&format!(
                "# Its sections are headed `{heading}`: new ones are written so, by \
                 templates/changelog.md.j2.\n"
            )),
            (None, false) => out.push_str(
                "# Its headings are not in a style the kit writes: new sections go after its first lines, \
                 headed `## [X.Y.Z] - date`;\n# point `file` at another file to keep this one to yourself.\n",
            ),
        }
    }
    if let Some((types, source)) = &d.patch_types {
        let list: Vec<String> = types.iter().map(|t| format!("{t:?}")).collect();
        out.push_str(&format!(
            "\n[commits]\n# As the bump rules of {source}: commits of other types (docs, ci…) call for no \
             release.\npatch_types = [{}]\n",
            list.join(", ")
        ));
    }
    out.push_str("\n[tag]\n");
    match (&d.tag_format, &d.tag_example, d.packages.is_empty()) {
        (Some(format), Some(example), _) => out.push_str(&format!(
            "format = {format:?}   # as the existing tags, e.g. {example}\n"
        )),
        (Some(format), None, false) => {
            let example = d
                .packages
                .iter()
                .find(|p| p.tag.is_none())
                .and_then(|p| p.tag_example.as_deref());
            match example {
                Some(example) => out.push_str(&format!(
                    "format = {format:?}   # as the existing tags, e.g. {example}\n"
                )),
                None => out.push_str(&format!(
                    "format = {format:?}   # no package tags yet: the default\n"
                )),
            }
        }
        _ => out.push_str("format = \"v{{ version }}\"   # no release tags yet: the default\n"),
    }
    if let Some(scheme) = d.tag_scheme {
        out.push_str(&format!(
            "scheme = \"{scheme}\"   # the existing tags spell pre-releases so\n"
        ));
    }
    for p in &d.packages {
        out.push_str(&format!(
            "\n[packages.{}]\nfiles = [{}]   # {}\n",
            key(&p.name),
            p.file.entry,
            p.file.version
        ));
        if let Some(tag) = &p.tag {
            match &p.tag_example {
                Some(example) => out.push_str(&format!(
                    "tag = {tag:?}   # as its existing tags, e.g. {example}\n"
                )),
                None => out.push_str(&format!("tag = {tag:?}\n")),
            }
        }
        if let Some(changelog) = &p.changelog {
            out.push_str(&format!("changelog = {changelog:?}\n"));
        }
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
    fn commitizens_bump_rules_become_patch_types() {
        let pyproject =
            |tool: &str| format!("[project]\nname = \"p\"\nversion = \"1.0.0\"\n\n{tool}");
        // (tool table, expected patch types)
        let cases: &[(&str, Option<&[&str]>)] = &[
            ("", None),
            (
                "[tool.commitizen]\nname = \"cz_conventional_commits\"\n",
                Some(&["fix", "refactor", "perf"]),
            ),
            (
                "[tool.commitizen]\nbump_map = { \"BREAKING CHANGE\" = \"MAJOR\", feat = \"MINOR\", fix = \"PATCH\", hotfix = \"PATCH\" }\n",
                Some(&["fix", "hotfix"]),
            ),
        ];
        for (tool, expected) in cases {
            let d = detect(&repo(&[("pyproject.toml", &pyproject(tool))], &["v1.0.0"]));
            assert_eq!(
                d.patch_types
                    .as_ref()
                    .map(|(t, _)| t.iter().map(String::as_str).collect::<Vec<_>>()),
                expected.map(<[&str]>::to_vec),
                "{tool}"
            );
            let config = starter_config(&d);
            assert_eq!(
                config.contains("patch_types = ["),
                expected.is_some(),
                "{config}"
            );
            // What init writes is a configuration the kit reads.
            crate::config::Config::parse(&config).unwrap();
        }
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
    fn reads_a_repository_as_its_maintainers_do() {
        type Files<'a> = &'a [(&'a str, &'a str)];
        // (files, tags, the version files expected)
        let cases: &[(Files, &[&str], &[&str])] = &[
            // Crates released together at one version: their manifests, as Cargo entries.
            (
                &[
                    ("Cargo.toml", "[workspace]\nmembers = [\"core\", \"cli\"]\n"),
                    (
                        "core/Cargo.toml",
                        "[package]\nname = \"cliff-core\"\nversion = \"2.13.1\"\n",
                    ),
                    (
                        "cli/Cargo.toml",
                        "[package]\nname = \"cliff\"\nversion = \"2.13.1\"\n[dependencies]\ncliff-core = { path = \"../core\", version = \"2.13.1\" }\n",
                    ),
                ],
                &["v2.13.1"],
                &["cli/Cargo.toml", "core/Cargo.toml"],
            ),
            // The Python version in a package's VERSION.txt, declared in pyproject.toml; Cargo's agrees.
            (
                &[
                    (
                        "pyproject.toml",
                        "[project]\nname = \"qiskit\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = { file = \"qiskit/VERSION.txt\" }\n",
                    ),
                    ("qiskit/VERSION.txt", "2.6.0.dev0\n"),
                    (
                        "Cargo.toml",
                        "[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"2.6.0-dev.0\"\n",
                    ),
                ],
                &["2.5.0", "2.5.0rc1"],
                &["qiskit/VERSION.txt", "Cargo.toml"],
            ),
            // An attribute as the source; the conventional __version__.py.
            (
                &[
                    (
                        "pyproject.toml",
                        "[project]\nname = \"cz\"\ndynamic = [\"version\"]\n[tool.setuptools.dynamic]\nversion = { attr = \"cz.__version__.__version__\" }\n",
                    ),
                    ("cz/__version__.py", "__version__ = \"4.17.0\"\n"),
                ],
                &[],
                &["cz/__version__.py"],
            ),
            (
                &[
                    (
                        "pyproject.toml",
                        "[project]\nname = \"cz\"\nversion = \"4.17.0\"\n",
                    ),
                    ("cz/__version__.py", "__version__ = \"4.17.0\"\n"),
                    (
                        "uv.lock",
                        "version = 1\n\n[[package]]\nname = \"click\"\nversion = \"8.0.0\"\n\n[[package]]\nname = \"cz\"\nversion = \"4.17.0\"\nsource = { editable = \".\" }\n",
                    ),
                    (
                        ".pre-commit-config.yaml",
                        "repos:\n  - repo: https://github.com/x/black\n    rev: 24.1.0\n  - repo: https://github.com/cz-tools/cz\n    rev: v4.17.0 # automatically updated\n    hooks:\n      - id: cz\n",
                    ),
                ],
                &[],
                &[
                    "pyproject.toml",
                    "cz/__version__.py",
                    "uv.lock",
                    ".pre-commit-config.yaml",
                ],
            ),
            // Hatch's path, under src/.
            (
                &[
                    (
                        "pyproject.toml",
                        "[project]\nname = \"fts\"\ndynamic = [\"version\"]\n[tool.hatch.version]\npath = \"src/fts/__about__.py\"\n",
                    ),
                    ("src/fts/__about__.py", "__version__ = \"2.5.0.dev0\"\n"),
                ],
                &[],
                &["src/fts/__about__.py"],
            ),
            // Found by convention alone.
            (
                &[
                    ("setup.py", "setup()\n"),
                    ("src/fts/__about__.py", "__version__ = \"1.0.0\"\n"),
                ],
                &[],
                &["src/fts/__about__.py"],
            ),
            (
                &[("setup.py", "setup()\n"), ("VERSION", "0.3.1\n")],
                &[],
                &["VERSION"],
            ),
            (
                &[(
                    "setup.py",
                    "setup(\n    name=\"old\",\n    version=\"1.4.2\",\n)\n",
                )],
                &[],
                &["setup.py"],
            ),
            // npm: the package's own platform packages pinned at its version.
            (
                &[(
                    "npm/web/package.json",
                    "{\"name\": \"web\", \"version\": \"2.1.0\", \"optionalDependencies\": {\"web-linux-x64\": \"2.1.0\", \"web-darwin-arm64\": \"2.1.0\", \"other\": \"1.0.0\"}}",
                )],
                &[],
                &["npm/web/package.json"],
            ),
            // maturin: Cargo's version is the Python package's.
            (
                &[
                    (
                        "pyproject.toml",
                        "[build-system]\nbuild-backend = \"maturin\"\n[project]\nname = \"m\"\ndynamic = [\"version\"]\n",
                    ),
                    (
                        "Cargo.toml",
                        "[package]\nname = \"m\"\nversion = \"0.9.0\"\n",
                    ),
                ],
                &[],
                &["Cargo.toml"],
            ),
            // A JSON key that names a version.
            (
                &[(
                    "runtime/version_info.json",
                    "{\"package-suffix\": \"\", \"package-version\": \"3.1.0\", \"iree-revision\": \"x\"}",
                )],
                &[],
                &["runtime/version_info.json"],
            ),
        ];
        for (files, tags, expected) in cases {
            let detected = detect(&repo(files, tags));
            assert_eq!(paths(&detected), *expected, "{files:?}");
            let text = starter_config(&detected);
            crate::config::Config::parse(&text).unwrap_or_else(|e| panic!("{e:#}\n{text}"));
        }
        let d = detect(&repo(
            &[(
                "runtime/version_info.json",
                "{\"package-version\": \"3.1.0\"}",
            )],
            &[],
        ));
        assert_eq!(
            d.files[0].entry,
            "{ path = \"runtime/version_info.json\", json = \"package-version\" }"
        );
        let d = detect(&repo(
            &[(
                "pyproject.toml",
                "[project]\nname = \"s\"\ndynamic = [\"version\"]\n[tool.setuptools_scm]\n",
            )],
            &[],
        ));
        assert!(
            d.undecided[0].contains("setuptools-scm"),
            "{:?}",
            d.undecided
        );
    }

    #[test]
    fn crates_with_versions_of_their_own_are_packages_with_their_tags() {
        let d = detect(&repo(
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"crates/*\", \"xtask\"]\n",
                ),
                ("CHANGELOG.md", "# Changelog\n\n## 7.0.0 - 2026-01-01\n"),
                (
                    "crates/cog/Cargo.toml",
                    "[package]\nname = \"cog\"\nversion = \"7.0.0\"\n",
                ),
                (
                    "crates/cog-resolver/Cargo.toml",
                    "[package]\nname = \"cog-resolver\"\nversion = \"0.1.0\"\n",
                ),
                (
                    "crates/internal/Cargo.toml",
                    "[package]\nname = \"internal\"\nversion = \"0.0.1\"\npublish = false\n",
                ),
                (
                    "xtask/Cargo.toml",
                    "[package]\nname = \"xtask\"\npublish = false\n[package.metadata.xtask-kit]\nversion = \"1.0.0\"\n",
                ),
            ],
            &[
                "6.5.0",
                "7.0.0",
                "cog-6.5.0",
                "cog-7.0.0",
                "cog-resolver-0.1.0",
            ],
        ));
        assert!(d.files.is_empty());
        let names: Vec<&str> = d.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["cog-resolver", "cog"]);
        assert_eq!(d.tag_format.as_deref(), Some("{{ package }}-{{ version }}"));
        let cog = &d.packages[1];
        assert_eq!(cog.tag.as_deref(), Some("{{ version }}"));
        assert_eq!(cog.changelog.as_deref(), Some("CHANGELOG.md"));
        assert_eq!(d.packages[0].tag, None);
        let text = starter_config(&d);
        let config =
            crate::config::Config::parse(&text).unwrap_or_else(|e| panic!("{e:#}\n{text}"));
        assert_eq!(
            config.for_package("cog").unwrap().tag.format.as_deref(),
            Some("{{ version }}")
        );
        assert_eq!(
            config
                .for_package("cog-resolver")
                .unwrap()
                .tag
                .format
                .as_deref(),
            Some("cog-resolver-{{ version }}")
        );
        assert!(!text.contains("packages.xtask"), "{text}");
        assert!(text.contains("e.g. 7.0.0"), "{text}");
        // Without tags: the default named format, every crate alike.
        let d = detect(&repo(
            &[
                ("Cargo.toml", "[workspace]\nmembers = [\"a\", \"b\"]\n"),
                (
                    "a/Cargo.toml",
                    "[package]\nname = \"a\"\nversion = \"1.0.0\"\n",
                ),
                (
                    "b/Cargo.toml",
                    "[package]\nname = \"b\"\nversion = \"0.2.0\"\n",
                ),
            ],
            &[],
        ));
        assert_eq!(
            d.tag_format.as_deref(),
            Some("{{ package }}-v{{ version }}")
        );
        assert!(d.packages.iter().all(|p| p.tag.is_none()));
        crate::config::Config::parse(&starter_config(&d)).unwrap();
    }

    #[test]
    fn the_tags_spelling_of_pre_releases_is_carried_over() {
        let d = detect(&repo(
            &[(
                "Cargo.toml",
                "[package]\nname = \"x\"\nversion = \"1.0.0\"\n",
            )],
            &["1.0.0rc1", "1.0.0"],
        ));
        assert_eq!(d.tag_format.as_deref(), Some("{{ version }}"));
        assert_eq!(d.tag_scheme, Some("pep440"));
        let text = starter_config(&d);
        assert!(text.contains("scheme = \"pep440\""), "{text}");
        let d = detect(&repo(
            &[(
                "Cargo.toml",
                "[package]\nname = \"x\"\nversion = \"1.0.0\"\n",
            )],
            &["v1.0.0-rc.1", "v1.0.0"],
        ));
        assert_eq!(d.tag_scheme, None);
        let d = detect(&repo(
            &[("pyproject.toml", "[project]\nversion = \"1.0.0\"\n")],
            &["v1.0.0-rc.1"],
        ));
        assert_eq!(d.tag_scheme, Some("semver"));
    }

    #[test]
    fn the_changelog_heading_style_is_read() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "## v4.13.9 (2026-02-25)\n\n### Fix\n",
                Some("## v{{ version }} ({{ date }})"),
            ),
            (
                "# Changes\n\n## 1.2.3 - 2026-02-25\n",
                Some("## {{ version }} - {{ date }}"),
            ),
            (
                "## [1.2.3] (2026-02-25)\n",
                Some("## [{{ version }}] ({{ date }})"),
            ),
            ("## v1.2.3\n", Some("## v{{ version }}")),
            ("## [2.13.1](https://x/compare/a..b) - 2026-04-26\n", None),
            ("Version 1.2 (2026)\n", None),
        ];
        for (text, expected) in cases {
            assert_eq!(heading_style(text).as_deref(), *expected, "{text}");
        }
        let template = changelog_template(
            crate::render::DEFAULT_CHANGELOG_TEMPLATE,
            "## v{{ version }} ({{ date }})",
        )
        .unwrap();
        assert!(
            template.contains(
                "## {% if version %}v{{ version }} ({{ date }}){% else %}Unreleased{% endif %}"
            ),
            "{template}"
        );
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
