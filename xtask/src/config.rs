//! `xtask.toml` → typed configuration: every key optional, defaults in accessors (the rule keys are compiled by
//! `policy`), errors with positions.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The configuration file's name, at the repository root.
pub const FILE_NAME: &str = "xtask.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub version: VersionConfig,
    #[serde(default)]
    pub changelog: ChangelogConfig,
    #[serde(default)]
    pub release: ReleaseConfig,
    #[serde(default)]
    pub tag: TagConfig,
    #[serde(default)]
    pub branches: BranchesConfig,
    #[serde(default)]
    pub commits: CommitsConfig,
    #[serde(default)]
    pub policy: PolicyConfig,
    /// `[forge]`: where pull requests and releases are made (GitHub, GitLab), for `release --pr`/`--finish`.
    #[serde(default)]
    pub forge: ForgeConfig,
    /// `[packages.<name>]`: several packages, each with its own version, tags and changelog.
    pub packages: Option<std::collections::BTreeMap<String, PackageConfig>>,
    /// Set by [`Config::for_package`]: the package this configuration is for (its Cargo manifests are then
    /// that crate's own version, not the workspace's).
    #[serde(skip)]
    pub package: Option<PackageScope>,
}

/// The package a [`Config::for_package`] configuration is for: its name and the globs of its commits.
#[derive(Debug, Clone)]
pub struct PackageScope {
    pub name: String,
    pub paths: Vec<String>,
    /// Every package's name (this one's included), in order.
    pub siblings: Vec<String>,
}

/// One package of a repository that holds several (`[packages.<name>]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageConfig {
    /// The package's version files, as `version.files`; the first is authoritative.
    pub files: Vec<FileEntry>,
    /// Globs choosing the commits that belong to the package; default: the first file's folder.
    pub paths: Option<Vec<String>>,
    /// The package's changelog; default: `CHANGELOG.md` in the first file's folder.
    pub changelog: Option<String>,
    /// The package's own tag format (`"{{ version }}"` for the crate whose tags carry no name); default:
    /// `tag.format` with `{{ package }}` filled in.
    pub tag: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionConfig {
    pub files: Option<Vec<FileEntry>>,
    pub dev: Option<DevSetting>,
    /// `"minor"`: the packages agree on `X.Y` (a minor or major release of one moves them all).
    pub shared: Option<String>,
}

/// One version file: a bare path (its kind guessed from the name) or a table saying how to find the version.
/// Deserialized by hand (see [`shapes`]): serde's untagged enums hide what is wrong inside the table.
#[derive(Debug, Clone)]
pub enum FileEntry {
    Path(String),
    Table(FileTable),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTable {
    pub path: String,
    pub regex: Option<String>,
    pub json: Option<String>,
    pub toml: Option<String>,
    pub scheme: Option<Scheme>,
}

/// How long a deprecation stays before its removal may ship.
pub use crate::domain::deprecations::Window as DeprecationWindow;

/// How a file (or the tags) writes versions.
pub use crate::domain::version::Scheme;

/// `version.dev`: a template for the next development version, or `false` for none.
#[derive(Debug, Clone)]
pub enum DevSetting {
    Enabled(bool),
    Template(String),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangelogConfig {
    pub file: Option<String>,
    pub template: Option<String>,
    pub repository_url: Option<String>,
    /// Title of the group for non-conventional commits and types in no group; `false` leaves them out.
    pub other: Option<OtherSetting>,
    pub groups: Option<Vec<GroupEntry>>,
}

/// `changelog.other`: a group title, or `false` to leave such commits out.
#[derive(Debug, Clone)]
pub enum OtherSetting {
    Enabled(bool),
    Title(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupEntry {
    pub title: String,
    pub types: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseConfig {
    pub branches: Option<Vec<String>>,
    pub maintainers: Option<Vec<String>>,
    pub pre: Option<Vec<String>>,
    pub commit: Option<String>,
    pub dev_commit: Option<String>,
    pub push: Option<bool>,
    pub remote: Option<String>,
    /// The name of a release line's branch: `stable/{{ major }}.{{ minor }}`.
    pub line_branch: Option<String>,
    /// The branch for the next major's breaking changes: `next/{{ major + 1 }}`.
    pub next_branch: Option<String>,
    /// The commit types `backport --list` offers: `["fix", "perf", "security"]`.
    pub backport_types: Option<Vec<String>>,
    /// Commands run after the release is tagged (and pushed), per released package: `cargo publish -p {{ package }}`.
    pub post: Option<Vec<String>>,
    /// An SSH allowed-signers file (as `gpg.ssh.allowedSignersFile` reads it), relative to the repository:
    /// release tags must be signed by one of its keys.
    pub signers: Option<String>,
    /// The branch `release --pr` pushes the release commit to: `release/{{ tag }}`.
    pub pr_branch: Option<String>,
    /// Where a release through review makes the next development version: "pr" (default), "in-pr", "push",
    /// "none" (see [`crate::domain::release::review::DevStep`]).
    pub pr_dev: Option<String>,
}

/// `[forge]`: the forge a release through review talks to, through its own CLI.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgeConfig {
    /// "github", "gitlab" or "none"; default: recognised from the remote's URL.
    pub kind: Option<crate::domain::forge::Kind>,
    /// Publish forge releases as drafts (a maintainer publishes them by hand).
    pub draft: Option<bool>,
    /// Without the forge's CLI (or its login): "fail" (default: refuse before changing anything) or
    /// "print" (do the git part, then print the command and the web page that do the rest by hand).
    pub without_cli: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagConfig {
    pub format: Option<String>,
    /// How new tags spell versions; default: the first version file's scheme.
    pub scheme: Option<Scheme>,
    pub message: Option<String>,
    pub sign: Option<bool>,
    /// Other tags the hooks accept beside release tags (`nightly-*`, a bot's candidate tags): patterns as
    /// `branches.allowed` writes them. Default: none.
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchesConfig {
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitsConfig {
    pub conventional: Option<String>,
    pub types: Option<Vec<String>>,
    /// The types that call for a patch release; commits of other types call for none (`docs`, `ci`…).
    /// Default: every commit calls for at least a patch.
    pub patch_types: Option<Vec<String>>,
}

/// `[policy]`: rules the release enforces over the history.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// `"two-minors"` (default), `"next-major"` or `"off"`: see [`crate::domain::deprecations::Window`].
    pub deprecation: Option<String>,
    /// `"refuse"` (default) or `"allow"`: whether refs under `refs/replace/` may be pushed.
    pub replace_refs: Option<String>,
}

/// Settings that take one of several shapes (a string or a table, a string or a boolean). serde's
/// `untagged` enums would say only "data did not match any variant"; these say what each shape is, and a
/// table's own errors (an unknown key, a wrong `scheme`) come through with their position.
mod shapes {
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

    use super::{DevSetting, FileEntry, FileTable, OtherSetting};

    impl<'de> Deserialize<'de> for FileEntry {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Shape;
            impl<'de> Visitor<'de> for Shape {
                type Value = FileEntry;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(
                        "a path such as \"Cargo.toml\", or a table such as \
                         { path = \"VERSION.json\", json = \"version\" }",
                    )
                }
                fn visit_str<E: de::Error>(self, path: &str) -> Result<FileEntry, E> {
                    Ok(FileEntry::Path(path.to_owned()))
                }
                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FileEntry, A::Error> {
                    FileTable::deserialize(de::value::MapAccessDeserializer::new(map))
                        .map(FileEntry::Table)
                }
            }
            deserializer.deserialize_any(Shape)
        }
    }

    /// A setting written as a boolean or as a string (`version.dev`, `changelog.other`): `expecting` names
    /// the string it takes.
    struct BoolOrString<T> {
        expecting: &'static str,
        from_bool: fn(bool) -> T,
        from_str: fn(String) -> T,
    }

    impl<T> Visitor<'_> for BoolOrString<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_bool<E: de::Error>(self, on: bool) -> Result<T, E> {
            Ok((self.from_bool)(on))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
            Ok((self.from_str)(text.to_owned()))
        }
    }

    impl<'de> Deserialize<'de> for DevSetting {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(BoolOrString {
                expecting: "a template string such as \"{{ major }}.{{ minor }}.{{ patch + 1 }}-dev\", \
                            or false for no development version",
                from_bool: DevSetting::Enabled,
                from_str: DevSetting::Template,
            })
        }
    }

    impl<'de> Deserialize<'de> for OtherSetting {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_any(BoolOrString {
                expecting: "a group title such as \"Other\", or false to leave such commits out",
                from_bool: OtherSetting::Enabled,
                from_str: OtherSetting::Title,
            })
        }
    }
}

pub const DEFAULT_DEV: &str = "{{ major }}.{{ minor }}.{{ patch + 1 }}-dev";
pub const DEFAULT_RELEASE_COMMIT: &str = "chore(release): {{ version }}";
pub const DEFAULT_DEV_COMMIT: &str = "chore: start {{ version }} development";
pub const DEFAULT_TAG_FORMAT: &str = "v{{ version }}";
pub const DEFAULT_PR_BRANCH: &str = "release/{{ tag }}";
pub const DEFAULT_TAG_MESSAGE: &str = "Release {{ version }}";
pub const DEFAULT_CHANGELOG: &str = "CHANGELOG.md";
pub const DEFAULT_LINE_BRANCH: &str = "stable/{{ major }}.{{ minor }}";
pub const DEFAULT_NEXT_BRANCH: &str = "next/{{ major + 1 }}";
pub const DEFAULT_BACKPORT_TYPES: [&str; 3] = ["fix", "perf", "security"];

impl Config {
    /// Reads `xtask.toml` from the repository root; a missing file is the all-defaults configuration.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(FILE_NAME);
        match crate::ops::fs::read(&path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| {
                    anyhow::anyhow!("{FILE_NAME} is not valid UTF-8: save it as UTF-8")
                })?;
                Config::parse(&text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Parses the text of `xtask.toml`; errors name the file, line, column and key.
    pub fn parse(text: &str) -> Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let message = e.message().trim_end_matches('\n');
            let Some(span) = e.span() else {
                return anyhow::anyhow!("{FILE_NAME}: {message}");
            };
            let (line, column) = line_column(text, span.start);
            // serde says what is wrong; the key path says where, also inside arrays of tables.
            match key_path_at(text, span.start) {
                Some(key) => anyhow::anyhow!("{FILE_NAME}:{line}:{column}: {key}: {message}"),
                None => anyhow::anyhow!("{FILE_NAME}:{line}:{column}: {message}"),
            }
        })?;
        config.validate(text)?;
        Ok(config)
    }

    /// Checks the values serde cannot: enumerated strings, `dev = true`.
    fn validate(&self, text: &str) -> Result<()> {
        // Every problem at once, not one per run.
        let mut problems: Vec<String> = Vec::new();
        if let Some(mode) = &self.commits.conventional
            && mode.parse::<crate::domain::rules::Enforcement>().is_err()
        {
            problems.push(format!(
                "{}: commits.conventional must be \"deny\", \"warn\" or \"off\", not {mode:?}",
                locate(text, "conventional")
            ));
        }
        if let Some(policy) = &self.policy.deprecation
            && DeprecationWindow::parse(policy).is_none()
        {
            problems.push(format!(
                "{}: policy.deprecation must be \"two-minors\", \"next-major\" or \"off\", not {policy:?}",
                locate(text, "deprecation")
            ));
        }
        if let Some(mode) = &self.policy.replace_refs
            && !matches!(mode.as_str(), "refuse" | "allow")
        {
            problems.push(format!(
                "{}: policy.replace_refs must be \"refuse\" or \"allow\", not {mode:?}",
                locate(text, "replace_refs")
            ));
        }
        if let Some(signers) = &self.release.signers
            && let Some(problem) = signers_path_problem(signers)
        {
            problems.push(format!(
                "{}: release.signers: {problem}",
                locate(text, "signers")
            ));
        }
        if let Some(OtherSetting::Enabled(true)) = self.changelog.other {
            problems.push(format!(
                "{}: changelog.other takes a group title such as \"Other\", or false to leave such commits out",
                locate(text, "other")
            ));
        }
        if let Some(remote) = self.release.remote.as_deref()
            && (remote.is_empty() || remote.starts_with('-'))
        {
            problems.push(format!(
                "{}: release.remote: {remote:?} is not a remote name or URL (git would read it as an option)",
                locate(text, "remote")
            ));
        }
        let mut paths: Vec<(&str, &str)> = Vec::new();
        for entry in self.version.files.iter().flatten() {
            paths.push((
                "version.files",
                match entry {
                    FileEntry::Path(path) => path,
                    FileEntry::Table(table) => &table.path,
                },
            ));
        }
        paths.extend(
            self.changelog
                .file
                .as_deref()
                .map(|p| ("changelog.file", p)),
        );
        paths.extend(
            self.changelog
                .template
                .as_deref()
                .map(|p| ("changelog.template", p)),
        );
        for (key, path) in paths {
            if let Err(reason) = check_relative_path(path) {
                problems.push(format!(
                    "{}: {key}: {path:?} {reason}: give a path relative to the repository root, inside the \
                     work tree and not under .git",
                    locate(text, path)
                ));
            }
        }
        if let Some(shared) = self.version.shared.as_deref()
            && shared != "minor"
        {
            problems.push(format!(
                "{}: version.shared must be \"minor\" (the packages agree on X.Y), not {shared:?}",
                locate(text, "shared")
            ));
        }
        if let Err(e) = self.validate_packages(text) {
            problems.push(format!("{e:#}"));
        }
        for (index, entry) in self.version.files.iter().flatten().enumerate() {
            if let FileEntry::Table(table) = entry {
                let ways = [&table.regex, &table.json, &table.toml]
                    .iter()
                    .filter(|w| w.is_some())
                    .count();
                if ways > 1 {
                    problems.push(format!(
                        "{}: version.files[{index}]: version file {:?} sets more than one of regex, json \
                         and toml: keep one",
                        locate(text, &table.path),
                        table.path
                    ));
                }
            }
        }
        if !problems.is_empty() {
            bail!("{}", problems.join("\n"));
        }
        Ok(())
    }

    /// `[packages]`: every package's name, path and changelog checked, and `tag.format` naming the package
    /// when there are several.
    fn validate_packages(&self, text: &str) -> Result<()> {
        use crate::domain::packages;
        let Some(table) = &self.packages else {
            return Ok(());
        };
        if table.is_empty() {
            bail!(
                "{}: packages: the table is empty: add a [packages.<name>] table with files = [...], or remove it",
                locate(text, "packages")
            );
        }
        if self.version.files.is_some() {
            bail!(
                "{}: version.files and [packages] are both set: with packages, each lists its own files \
                 ([packages.<name>] files = [...]); remove version.files",
                locate(text, "files")
            );
        }
        for (name, package) in table {
            if let Some(reason) = packages::name_problem(name) {
                bail!(
                    "{}: packages.{name}: the package name {reason}",
                    locate(text, &format!("packages.{name}"))
                );
            }
            if package.files.is_empty() {
                bail!(
                    "{}: packages.{name}.files is empty: list at least one version file, e.g. files = [\"{name}/pyproject.toml\"]",
                    locate(text, &format!("packages.{name}"))
                );
            }
            let mut paths: Vec<(String, &str)> = package
                .files
                .iter()
                .enumerate()
                .map(|(index, entry)| {
                    (
                        format!("packages.{name}.files[{index}]"),
                        match entry {
                            FileEntry::Path(path) => path.as_str(),
                            FileEntry::Table(table) => table.path.as_str(),
                        },
                    )
                })
                .collect();
            paths.extend(
                package
                    .changelog
                    .as_deref()
                    .map(|p| (format!("packages.{name}.changelog"), p)),
            );
            for (key, path) in paths {
                if let Err(reason) = check_relative_path(path) {
                    bail!(
                        "{}: {key}: {path:?} {reason}: give a path relative to the repository root, inside the \
                         work tree and not under .git",
                        locate(text, path)
                    );
                }
            }
        }
        // Two packages writing one changelog would each replace the other's section for a shared version.
        let mut changelogs: Vec<(String, &str)> = Vec::new();
        for (name, package) in table {
            let first = match package.files.first() {
                Some(FileEntry::Path(path)) => path.as_str(),
                Some(FileEntry::Table(table)) => table.path.as_str(),
                None => "",
            };
            let changelog = package
                .changelog
                .clone()
                .unwrap_or_else(|| packages::default_changelog(first));
            if let Some((_, other)) = changelogs.iter().find(|(c, _)| *c == changelog) {
                bail!(
                    "{}: packages.{name}.changelog: {changelog:?} is also package {other}'s changelog: give each \
                     package its own (changelog = \"{name}/CHANGELOG.md\")",
                    locate(text, &format!("packages.{name}"))
                );
            }
            changelogs.push((changelog, name));
        }
        // Each package's tags must be its own: two packages with one tag format would share their tags.
        let untagged = table.values().filter(|p| p.tag.is_none()).count();
        let shared_format = untagged > 1 && !packages::uses_package(self.tag_format());
        let mut formats: Vec<(String, &str)> = Vec::new();
        for (name, package) in table {
            let format = package
                .tag
                .clone()
                .unwrap_or_else(|| packages::with_package(self.tag_format(), name));
            if let Some((_, other)) = formats.iter().find(|(f, _)| *f == format)
                && !shared_format
            {
                bail!(
                    "{}: packages.{name}.tag: {format:?} is also package {other}'s tag format: give each package \
                     tags of its own",
                    locate(text, &format!("packages.{name}"))
                );
            }
            formats.push((format, name));
        }
        if shared_format {
            bail!(
                "{}: tag.format: {:?} gives every package the same tags: with several packages it must name \
                 the package, e.g. format = \"{{{{ package }}}}-v{{{{ version }}}}\"",
                locate(text, "format"),
                self.tag_format()
            );
        }
        Ok(())
    }

    /// The package names, in the order `xtask.toml`'s table gives them (sorted by name).
    pub fn package_names(&self) -> Vec<String> {
        self.packages
            .iter()
            .flat_map(|t| t.keys().cloned())
            .collect()
    }

    /// The configuration one package sees: its files as `version.files`, its changelog as `changelog.file`,
    /// `tag.format` with `{{ package }}` filled in. `None` for an unknown name.
    pub fn for_package(&self, name: &str) -> Option<Config> {
        let package = self.packages.as_ref()?.get(name)?;
        let first = match package.files.first()? {
            FileEntry::Path(path) => path.clone(),
            FileEntry::Table(table) => table.path.clone(),
        };
        let mut config = self.clone();
        config.packages = None;
        config.package = Some(PackageScope {
            name: name.to_string(),
            paths: self.package_paths(name),
            siblings: self.package_names(),
        });
        config.version.files = Some(package.files.clone());
        config.changelog.file = Some(
            package
                .changelog
                .clone()
                .unwrap_or_else(|| crate::domain::packages::default_changelog(&first)),
        );
        config.tag.format = Some(
            package
                .tag
                .clone()
                .unwrap_or_else(|| crate::domain::packages::with_package(self.tag_format(), name)),
        );
        Some(config)
    }

    /// A package's `paths`: its globs, or the folder of its first version file.
    pub fn package_paths(&self, name: &str) -> Vec<String> {
        let Some(package) = self.packages.as_ref().and_then(|t| t.get(name)) else {
            return Vec::new();
        };
        if let Some(paths) = &package.paths {
            return paths.clone();
        }
        let first = match package.files.first() {
            Some(FileEntry::Path(path)) => path.as_str(),
            Some(FileEntry::Table(table)) => table.path.as_str(),
            None => "",
        };
        crate::domain::packages::default_paths(first)
    }

    pub fn dev_template(&self) -> Option<&str> {
        match &self.version.dev {
            None | Some(DevSetting::Enabled(true)) => Some(DEFAULT_DEV),
            Some(DevSetting::Enabled(false)) => None,
            Some(DevSetting::Template(t)) => Some(t),
        }
    }

    pub fn release_commit(&self) -> &str {
        self.release
            .commit
            .as_deref()
            .unwrap_or(DEFAULT_RELEASE_COMMIT)
    }

    pub fn dev_commit(&self) -> &str {
        self.release
            .dev_commit
            .as_deref()
            .unwrap_or(DEFAULT_DEV_COMMIT)
    }

    /// `tag.format` as written (the rules use [`crate::policy::Policy`]'s compiled one): a package's
    /// configuration fills in `{{ package }}`.
    fn tag_format(&self) -> &str {
        self.tag.format.as_deref().unwrap_or(DEFAULT_TAG_FORMAT)
    }

    pub fn tag_message(&self) -> &str {
        self.tag.message.as_deref().unwrap_or(DEFAULT_TAG_MESSAGE)
    }

    pub fn changelog_file(&self) -> &str {
        self.changelog.file.as_deref().unwrap_or(DEFAULT_CHANGELOG)
    }

    /// `release.pr_branch`: the template of a release pull request's branch.
    pub fn pr_branch(&self) -> &str {
        self.release
            .pr_branch
            .as_deref()
            .unwrap_or(DEFAULT_PR_BRANCH)
    }

    pub fn remote(&self) -> &str {
        self.release.remote.as_deref().unwrap_or("origin")
    }
}

/// A configured path must stay inside the work tree as written (symbolic links are followed and checked when
/// the file is read or written): relative, no `..`, and nothing under `.git`, where a "version file" could be
/// a hook or the repository's own configuration.
pub fn check_relative_path(path: &str) -> std::result::Result<(), &'static str> {
    let bytes = path.as_bytes();
    if path.is_empty() {
        return Err("is empty");
    }
    if bytes[0] == b'/'
        || bytes[0] == b'\\'
        || (bytes.len() > 1 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
    {
        return Err("is absolute");
    }
    let parts = path.split(['/', '\\']);
    for part in parts {
        if part == ".." {
            return Err("leads out of the work tree (`..`)");
        }
        // Case-insensitive: on macOS and Windows `.GIT` is the same folder.
        if part.eq_ignore_ascii_case(".git") {
            return Err("is under .git");
        }
    }
    Ok(())
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The key path of the setting at byte `offset` of `text`, such as `version.files[1].scheme`: the
/// deepest key or array element whose key or value covers the offset. `None` when the text does not
/// parse or the offset is outside every setting (a syntax error names its own position).
fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let document = toml_edit::Document::parse(text).ok()?;
    let mut path = Vec::new();
    path_in_table(document.as_table(), offset, &mut path).then(|| path.concat())
}

fn covers(span: Option<std::ops::Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|s| s.contains(&offset))
}

/// A `.`-joined key segment.
fn segment(path: &[String], key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    };
    if path.is_empty() {
        key
    } else {
        format!(".{key}")
    }
}

fn path_in_table(table: &toml_edit::Table, offset: usize, path: &mut Vec<String>) -> bool {
    for (key, item) in table.iter() {
        let key_span = table.key(key).and_then(toml_edit::Key::span);
        path.push(segment(path, key));
        let found = match item {
            toml_edit::Item::Table(inner) => {
                path_in_table(inner, offset, path) || covers(inner.span(), offset)
            }
            toml_edit::Item::ArrayOfTables(tables) => tables.iter().enumerate().any(|(i, t)| {
                path.push(format!("[{i}]"));
                let found = path_in_table(t, offset, path) || covers(t.span(), offset);
                if !found {
                    path.pop();
                }
                found
            }),
            toml_edit::Item::Value(value) => {
                covers(key_span.clone(), offset) || path_in_value(value, offset, path)
            }
            toml_edit::Item::None => false,
        };
        if found {
            return true;
        }
        path.pop();
    }
    false
}

fn path_in_value(value: &toml_edit::Value, offset: usize, path: &mut Vec<String>) -> bool {
    if !covers(value.span(), offset) {
        return false;
    }
    match value {
        toml_edit::Value::Array(array) => {
            for (i, element) in array.iter().enumerate() {
                path.push(format!("[{i}]"));
                if path_in_value(element, offset, path) {
                    return true;
                }
                path.pop();
            }
        }
        toml_edit::Value::InlineTable(table) => {
            for (key, element) in table.iter() {
                let key_span = table.key(key).and_then(toml_edit::Key::span);
                path.push(segment(path, key));
                if covers(key_span, offset) || path_in_value(element, offset, path) {
                    return true;
                }
                path.pop();
            }
        }
        _ => {}
    }
    true
}

/// `xtask.toml:LINE` of the first line mentioning `needle`, for errors found after parsing.
/// The first line that holds `needle` outside a comment.
fn locate(text: &str, needle: &str) -> String {
    let code = |line: &str| line.split('#').next().unwrap_or("").contains(needle);
    match text.lines().position(code) {
        Some(index) => format!("{FILE_NAME}:{}", index + 1),
        None => FILE_NAME.to_string(),
    }
}

/// What is wrong with a `release.signers` path, if anything: it names a file inside the repository, by a
/// relative path without `..`, so that every clone and the server read the same file.
pub fn signers_path_problem(path: &str) -> Option<String> {
    if path.trim().is_empty() {
        return Some(
            "the path is empty: name the allowed-signers file, e.g. \".github/allowed_signers\""
                .into(),
        );
    }
    if path.starts_with('/') || path.starts_with('\\') || path.get(1..2) == Some(":") {
        return Some(format!(
            "{path:?} is absolute: give the file's path relative to the repository's root"
        ));
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return Some(format!(
            "{path:?} leaves the repository: the file must be inside it"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_are_checked() {
        let two = "[tag]\nformat = \"{{ package }}-v{{ version }}\"\n\n[packages.a]\nfiles = [\"a/pyproject.toml\"]\n\n[packages.b]\nfiles = [\"b/pyproject.toml\"]\n";
        let c = Config::parse(two).unwrap();
        assert_eq!(c.package_names(), vec!["a", "b"]);
        let a = c.for_package("a").unwrap();
        assert_eq!(a.tag_format(), "a-v{{ version }}");
        assert_eq!(a.changelog_file(), "a/CHANGELOG.md");
        assert_eq!(c.package_paths("b"), vec!["b"]);
        assert!(c.for_package("c").is_none());
        error(&two.replace("{{ package }}-", ""), "tag.format");
        error(
            &two.replace("[packages.b]", "[packages.\"b c\"]"),
            "packages.b c: the package name may only hold",
        );
        error(
            &two.replace("files = [\"b/pyproject.toml\"]", "files = []"),
            "packages.b.files is empty",
        );
        error(
            &two.replace(
                "\"b/pyproject.toml\"]",
                "\"b/pyproject.toml\"]\nchangelog = \"a/CHANGELOG.md\"",
            ),
            "also package a's changelog",
        );
        error(
            &two.replace("\"b/pyproject.toml\"", "\"../b/pyproject.toml\""),
            "packages.b.files[0]",
        );
        error(
            &format!("[version]\nfiles = [\"x.toml\"]\n{two}"),
            "version.files and [packages] are both set",
        );
        error(
            &format!("[version]\nshared = \"major\"\n{two}"),
            "version.shared must be",
        );
        // A package's own tag format: the one the plain tags name keeps them.
        let own = two.replace(
            "[packages.a]\nfiles = [\"a/pyproject.toml\"]",
            "[packages.a]\nfiles = [\"a/pyproject.toml\"]\ntag = \"{{ version }}\"",
        );
        let c = Config::parse(&own).unwrap();
        assert_eq!(c.for_package("a").unwrap().tag_format(), "{{ version }}");
        assert_eq!(c.for_package("b").unwrap().tag_format(), "b-v{{ version }}");
        // One package with a tag of its own and one on a format without the name: their tags differ.
        Config::parse(&own.replace("{{ package }}-", "")).unwrap();
        error(
            &own.replace(
                "[packages.b]\nfiles = [\"b/pyproject.toml\"]",
                "[packages.b]\nfiles = [\"b/pyproject.toml\"]\ntag = \"{{ version }}\"",
            ),
            "is also package a's tag format",
        );
    }

    #[track_caller]
    fn error(text: &str, expected: &str) {
        let message = format!("{:#}", Config::parse(text).unwrap_err());
        assert!(
            message.contains(expected),
            "{message:?} does not contain {expected:?}"
        );
    }

    /// Every value problem at once, each at its own line (a comment naming the key is not that line).
    #[test]
    fn value_problems_are_all_reported_at_their_lines() {
        let text = "# we use conventional commits\n[commits]\nconventional = \"strict\"\n\n[policy]\ndeprecation = \"sometimes\"\n\n[version]\nshared = \"major\"\n";
        error(text, "xtask.toml:3: commits.conventional must be");
        error(text, "xtask.toml:6: policy.deprecation must be");
        error(text, "xtask.toml:9: version.shared must be");
    }

    #[test]
    fn empty_is_all_defaults() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.tag_format(), "v{{ version }}");
        assert_eq!(c.dev_template(), Some(DEFAULT_DEV));
    }

    #[test]
    fn full_example_parses() {
        let c = Config::parse(
            r#"
[version]
files = [
  "Cargo.toml",
  { path = "pkg/__init__.py", regex = '__version__ = "(?<version>[^"]+)"', scheme = "pep440" },
  { path = "version_info.json", json = "package-version" },
  { path = "pyproject.toml", toml = "project.version", scheme = "pep440" },
]
dev = false
[release]
commit = "Bump version to {{ version }}"
[changelog]
other = false
"#,
        )
        .unwrap();
        assert_eq!(c.version.files.as_ref().unwrap().len(), 4);
        assert_eq!(c.dev_template(), None);
        assert_eq!(c.release_commit(), "Bump version to {{ version }}");
    }

    /// Inside entries that take several shapes too: the key path, line and column, the value and what is
    /// allowed.
    #[test]
    fn errors_inside_file_entries_name_the_key_path() {
        let table: &[(&str, &[&str])] = &[
            (
                "[version]\nfiles = [\"Cargo.toml\", { path = \"a\", scheme = \"calver\" }]\n",
                &[
                    "xtask.toml:2:47: version.files[1].scheme:",
                    "unknown variant `calver`, expected `semver` or `pep440`",
                ],
            ),
            (
                "[version]\nfiles = [\n  \"Cargo.toml\",\n  { path = \"a\", pth = \"x\" },\n]\n",
                &[
                    "xtask.toml:4:17: version.files[1].pth:",
                    "unknown field `pth`, expected one of `path`, `regex`, `json`, `toml`, `scheme`",
                ],
            ),
            (
                "[version]\nfiles = [{ scheme = \"semver\" }]\n",
                &["version.files[0]:", "missing field `path`"],
            ),
            (
                "[version]\nfiles = [{ path = \"a\", json = 1 }]\n",
                &[
                    "version.files[0].json:",
                    "invalid type: integer `1`, expected a string",
                ],
            ),
            (
                "[version]\nfiles = [5]\n",
                &[
                    "xtask.toml:2:10: version.files[0]:",
                    "integer `5`",
                    "a path such as",
                ],
            ),
            (
                "[version]\ndev = 5\n",
                &[
                    "xtask.toml:2:7: version.dev:",
                    "invalid type: integer `5`",
                    "a template string",
                    "or false",
                ],
            ),
            (
                "[[version.files]]\npath = \"a\"\n\n[[version.files]]\npath = \"b\"\nscheme = \"calver\"\n",
                &[
                    "xtask.toml:6:10: version.files[1].scheme:",
                    "`calver`",
                    "`pep440`",
                ],
            ),
            (
                "[changelog]\nother = 3\n",
                &["changelog.other:", "a group title"],
            ),
            (
                "[changelog]\ngroups = [{ title = \"A\", types = [\"feat\", 2] }]\n",
                &["changelog.groups[0].types[1]:", "integer `2`"],
            ),
            (
                "[\"odd key\"]\nx = 1\n",
                &["\"odd key\":", "unknown field `odd key`"],
            ),
        ];
        for (text, needles) in table {
            let message = format!("{:#}", Config::parse(text).unwrap_err());
            for needle in *needles {
                assert!(
                    message.contains(needle),
                    "{message:?} does not contain {needle:?}"
                );
            }
            assert!(!message.contains("untagged"), "{message}");
        }
    }

    #[test]
    fn errors_name_line_column_and_key() {
        error(
            "[version]\nfilez = []\n",
            "xtask.toml:2:1: version.filez: unknown field `filez`",
        );
        error(
            "[tag]\nsign = \"yes\"\n",
            "xtask.toml:2:8: tag.sign: invalid type: string \"yes\", expected a boolean",
        );
        error(
            "[commits]\nconventional = \"maybe\"\n",
            "xtask.toml:2: commits.conventional must be \"deny\", \"warn\" or \"off\", not \"maybe\"",
        );
        error("[release\n", "xtask.toml:1:");
        error(
            "[policy]\ndeprecation = \"two minors\"\n",
            "xtask.toml:2: policy.deprecation must be \"two-minors\", \"next-major\" or \"off\", not \"two minors\"",
        );
        error(
            "[policy]\ndeprecations = \"off\"\n",
            "xtask.toml:2:1: policy.deprecations: unknown field `deprecations`",
        );
        error(
            "[changelog]\nother = true\n",
            "changelog.other takes a group title",
        );
        error(
            "[version]\nfiles = [{ path = \"a\", json = \"v\", toml = \"v\" }]\n",
            "version.files[0]: version file \"a\" sets more than one of regex, json and toml",
        );
        error(
            "[changelog]\nfile = \"../out.md\"\n",
            "xtask.toml:2: changelog.file: \"../out.md\" leads out of the work tree",
        );
        error(
            "[changelog]\ntemplate = \"/etc/passwd\"\n",
            "xtask.toml:2: changelog.template: \"/etc/passwd\" is absolute",
        );
        error(
            "[version]\nfiles = [{ path = \".git/hooks/post-commit\", regex = '(?<version>.*)' }]\n",
            "version.files: \".git/hooks/post-commit\" is under .git",
        );
    }

    #[test]
    fn a_remote_is_not_an_option() {
        error(
            "[release]\nremote = \"--receive-pack=touch x\"\n",
            "xtask.toml:2: release.remote: \"--receive-pack=touch x\" is not a remote name or URL",
        );
    }

    #[test]
    fn configured_paths_stay_in_the_work_tree() {
        for ok in [
            "CHANGELOG.md",
            "docs/CHANGES.md",
            "./x",
            "a/.github/x",
            "x.git",
        ] {
            assert_eq!(check_relative_path(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "/abs",
            "\\\\server\\x",
            "C:x",
            "../x",
            "a/../../x",
            ".git/config",
            "sub/.GIT/x",
            "a\\..\\b",
        ] {
            assert!(check_relative_path(bad).is_err(), "{bad}");
        }
    }
}
