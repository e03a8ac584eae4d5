//! The project's version files: which they are, what they say, and the edits a new version needs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::config::{Config, FileEntry, Scheme};
use crate::domain::files::{self, CargoEdit, Locator};
use crate::domain::version;
use crate::domain::version::pep440;
use crate::ops::cargo;
use crate::ops::fs::{self, FileChange};

/// One configured version file.
#[derive(Debug, Clone)]
pub struct VersionFile {
    /// Path relative to the repository root, with `/` separators, as configured.
    pub path: String,
    pub kind: Kind,
    pub scheme: Scheme,
}

#[derive(Debug, Clone)]
pub enum Kind {
    /// A Cargo manifest; the root of a workspace brings its members and `Cargo.lock` along.
    Cargo,
    /// A crate's own manifest in a workspace whose members carry their own versions (a package's file):
    /// its version, the requirements on it in the other manifests and its `Cargo.lock` entry.
    CargoCrate,
    Text(Locator),
}

/// What one file says.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Reading {
    pub path: String,
    pub line: usize,
    /// The version as written in the file.
    pub text: String,
    /// The version, as the kit writes it in messages (SemVer, or `X.Y.Z.postN`).
    pub version: String,
    /// The version as a value: files in different schemes agree when these are equal.
    #[serde(skip)]
    pub parsed: version::Version,
    /// The file's scheme, so a message can spell a version the way this file would.
    #[serde(skip)]
    pub scheme: Scheme,
}

/// The configured version files, in order; the first is authoritative.
pub fn version_files(config: &Config) -> Result<Vec<VersionFile>> {
    let entries = match &config.version.files {
        Some(entries) if entries.is_empty() => {
            bail!(
                "xtask.toml: version.files is empty: list at least one file, e.g. files = [\"Cargo.toml\"]"
            )
        }
        Some(entries) => entries.clone(),
        None => vec![FileEntry::Path("Cargo.toml".into())],
    };
    let files: Result<Vec<VersionFile>> = entries.iter().map(version_file).collect();
    if config.package.is_none() {
        return files;
    }
    // A package's manifest is that crate's own version.
    Ok(files?
        .into_iter()
        .map(|mut f| {
            if matches!(f.kind, Kind::Cargo) {
                f.kind = Kind::CargoCrate;
            }
            f
        })
        .collect())
}

fn version_file(entry: &FileEntry) -> Result<VersionFile> {
    let (path, kind, scheme) = match entry {
        FileEntry::Path(path) => {
            let name = path.rsplit('/').next().unwrap_or(path);
            let (kind, scheme) = match name {
                "Cargo.toml" => (Kind::Cargo, Scheme::Semver),
                "pyproject.toml" => (
                    Kind::Text(Locator::Toml(vec!["project".into(), "version".into()])),
                    Scheme::Pep440,
                ),
                "package.json" => (
                    Kind::Text(Locator::Json(vec!["version".into()])),
                    Scheme::Semver,
                ),
                _ => bail!(
                    "xtask.toml: version file {path:?}: say how to find the version in it, \
                     e.g. {{ path = {path:?}, regex = 'version = \"(?<version>[^\"]+)\"' }} (or json = \"key\", toml = \"table.key\")"
                ),
            };
            (path.clone(), kind, scheme)
        }
        FileEntry::Table(t) => {
            let kind = if let Some(pattern) = &t.regex {
                let regex = regex_lite::Regex::new(pattern).map_err(|e| {
                    anyhow!(
                        "xtask.toml: version file {:?}: invalid regex: {e} (the syntax of Rust's `regex` \
                         crate, with ASCII classes only: `[A-Za-z]` for a letter)",
                        t.path
                    )
                })?;
                if !regex.capture_names().any(|n| n == Some("version")) {
                    bail!(
                        "xtask.toml: version file {:?}: the regex needs a named group `version`, e.g. 'version = \"(?<version>[^\"]+)\"'",
                        t.path
                    );
                }
                Kind::Text(Locator::Regex(regex))
            } else if let Some(key) = &t.json {
                Kind::Text(Locator::Json(files::parse_key_path(key)))
            } else if let Some(key) = &t.toml {
                Kind::Text(Locator::Toml(files::parse_key_path(key)))
            } else {
                return version_file(&FileEntry::Path(t.path.clone())).map(|mut f| {
                    f.scheme = t.scheme.unwrap_or(f.scheme);
                    f
                });
            };
            (t.path.clone(), kind, t.scheme.unwrap_or_default())
        }
    };
    if path.is_empty()
        || Path::new(&path).is_absolute()
        || path.split(['/', '\\']).any(|s| s == "..")
    {
        bail!(
            "xtask.toml: version file {path:?}: give a path inside the repository, relative to its root"
        );
    }
    Ok(VersionFile { path, kind, scheme })
}

/// Without configuration, a virtual Cargo workspace whose members carry their own versions (no
/// `[workspace.package] version`) has no one version: the explanation, with the `[packages]` table to add.
/// `None` for anything else.
pub fn separately_versioned(root: &Path, config: &Config) -> Option<String> {
    if config.packages.is_some() || config.version.files.is_some() {
        return None;
    }
    let text = crate::ops::fs::read_to_string(root.join("Cargo.toml")).ok()?;
    let doc: toml_edit::DocumentMut = text.parse().ok()?;
    let workspace = doc.get("workspace")?;
    let shared = workspace
        .get("package")
        .and_then(|p| p.get("version"))
        .is_some();
    if shared || doc.get("package").is_some() {
        return None;
    }
    let found = cargo::workspace(&root.join("Cargo.toml")).ok()?;
    let mut table = String::from("[tag]\nformat = \"{{ package }}-v{{ version }}\"\n");
    for (name, manifest) in found.member_names.iter().zip(&found.member_manifests) {
        // The kit's own crate (no version of its own) and members without a version are not packages.
        let own_version = fs::read_to_string(manifest)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .is_some_and(|doc| {
                doc.get("package")
                    .and_then(|p| p.get("version"))
                    .is_some_and(toml::Value::is_str)
                    && doc
                        .get("package")
                        .and_then(|p| p.get("metadata"))
                        .and_then(|m| m.get("xtask-kit"))
                        .is_none()
            });
        if !own_version || crate::domain::detect::is_kit_crate(name) {
            continue;
        }
        let rel = relative(root, manifest).ok()?;
        table.push_str(&format!("\n[packages.{name}]\nfiles = [\"{rel}\"]\n"));
    }
    Some(format!(
        "Cargo.toml is a virtual workspace whose members carry their own versions (no [workspace.package] \
         version): the members are versioned separately. Add this to xtask.toml to release them as packages \
         (`release -p NAME`):\n\n{table}"
    ))
}

/// The scheme of the project's versions: its first version file's (SemVer when it cannot be told).
pub fn scheme_of(config: &Config) -> Scheme {
    version_files(config)
        .ok()
        .and_then(|files| files.first().map(|f| f.scheme))
        .unwrap_or_default()
}

/// Reads the version a file's text holds, in canonical form.
pub fn read_text(file: &VersionFile, contents: &str) -> Result<Reading> {
    let locator = match &file.kind {
        Kind::Cargo | Kind::CargoCrate => &Locator::CargoManifest,
        Kind::Text(locator) => locator,
    };
    let found = files::read(contents, locator).map_err(|e| anyhow!("{}: {e}", file.path))?;
    let version = parse_in_scheme(&found.text, file.scheme)
        .map_err(|e| anyhow!("{}:{}: {e}", file.path, found.line))?;
    Ok(Reading {
        path: file.path.clone(),
        line: found.line,
        text: found.text,
        version: version.to_string(),
        parsed: version,
        scheme: file.scheme,
    })
}

/// Parses a version as a file in `scheme` writes it.
pub fn parse_in_scheme(text: &str, scheme: Scheme) -> Result<version::Version> {
    match scheme {
        Scheme::Semver => Ok(version::parse_version(text)?),
        Scheme::Pep440 => Ok(pep440::parse(text)?),
    }
}

/// Writes a version the way a file in `scheme` wants it.
pub fn render_in_scheme(v: &version::Version, scheme: Scheme) -> Result<String> {
    match scheme {
        Scheme::Semver => Ok(version::render_semver(v)?),
        Scheme::Pep440 => Ok(pep440::render(v)?),
    }
}

/// Every file that cannot spell `v` in its scheme, each named with the reason: checked before a
/// release or bump writes anything (a post-release in a Cargo manifest, `-foo.bar` in PEP 440).
pub fn unspellable(files: &[VersionFile], v: &version::Version) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| {
            render_in_scheme(v, f.scheme).err().map(|e| {
                format!(
                    "{}: cannot hold {v} ({} scheme): {e:#}",
                    f.path,
                    f.scheme.as_str()
                )
            })
        })
        .collect()
}

/// Reads a file of the work tree as UTF-8 text, with errors that say which file.
pub fn read_file(root: &Path, rel: &str) -> Result<String> {
    // Symbolic links are followed only inside the work tree. The setting is named, so the user knows
    // which entry of xtask.toml leads there.
    let path = crate::ops::fs::confined(root, rel).map_err(|e| anyhow!("version.files: {e:#}"))?;
    let bytes = crate::ops::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            anyhow!("{rel}: file not found: create it or fix version.files in xtask.toml")
        }
        _ => anyhow!("{rel}: cannot read: {e}"),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        anyhow!("{rel}:{line}: not valid UTF-8: version files must be UTF-8 text")
    })
}

/// A file's text, or `None` if it does not exist (a changelog about to be created).
pub fn read_optional(root: &Path, rel: &str) -> Result<Option<String>> {
    match crate::ops::fs::read(crate::ops::fs::confined(root, rel)?) {
        Ok(bytes) => {
            Ok(Some(String::from_utf8(bytes).map_err(|_| {
                anyhow!("{rel}: not valid UTF-8: cannot update it")
            })?))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!("{rel}: cannot read: {e}")),
    }
}

/// Every file's reading, or every problem found (all of them, not just the first).
pub fn read_all(
    root: &Path,
    files: &[VersionFile],
) -> std::result::Result<Vec<Reading>, Vec<anyhow::Error>> {
    let mut readings = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match read_file(root, &file.path).and_then(|text| read_text(file, &text)) {
            Ok(r) => readings.push(r),
            Err(e) => problems.push(e),
        }
    }
    if let Some(first) = readings.first() {
        for r in &readings[1..] {
            // Versions, not texts: `0.3.1-dev` in Cargo.toml agrees with `0.3.1.dev0` in Python.
            if r.parsed != first.parsed {
                let fix = match render_in_scheme(&first.parsed, r.scheme) {
                    Ok(spelled) => format!("edit it to say {spelled}"),
                    Err(e) => format!("this file cannot hold that version: {e:#}"),
                };
                problems.push(anyhow!(
                    "{}:{}: version {} disagrees with {} in {} (the first file is authoritative): \
                     {fix}",
                    r.path,
                    r.line,
                    r.text,
                    first.text,
                    first.path,
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(readings)
    } else {
        Err(problems)
    }
}

/// The current version: every file read and in agreement.
pub fn current_version(
    root: &Path,
    files: &[VersionFile],
) -> Result<(version::Version, Vec<Reading>)> {
    let readings = read_all(root, files).map_err(join_errors)?;
    let first = readings.first().context("no version files configured")?;
    let current = first.parsed.clone();
    Ok((current, readings))
}

/// Folds several problems into one error, one per line.
pub fn join_errors(problems: Vec<anyhow::Error>) -> anyhow::Error {
    let lines: Vec<String> = problems.iter().map(|p| format!("{p:#}")).collect();
    anyhow!("{}", lines.join("\n"))
}

/// The edits that set every version file to `new`; nothing is written here.
/// `overlay` holds changes planned but not yet written (the release step's, when planning the dev step): a
/// file's text is taken from there when present.
pub fn changes_for(
    root: &Path,
    files: &[VersionFile],
    old: &version::Version,
    new: &version::Version,
    overlay: &[FileChange],
) -> Result<Vec<FileChange>> {
    let read = |rel: &str| match overlay.iter().find(|c| c.rel == rel) {
        Some(change) => Ok(change.after.clone()),
        None => read_file(root, rel),
    };
    let bump = Bump {
        root,
        old,
        new,
        read: &read,
    };
    let mut changes: Vec<FileChange> = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        // Another entry already changes this file (another place in it, `version = ` and
        // `current_version = ` of one `setup.cfg`): this entry's edit goes on top of that change.
        if let (Kind::Text(locator), Some(planned)) =
            (&file.kind, changes.iter_mut().find(|c| c.rel == file.path))
        {
            match bump.text_edit(file, locator, &planned.after) {
                Ok(after) => planned.after = after,
                Err(e) => problems.push(e),
            }
            continue;
        }
        let result = match &file.kind {
            Kind::Cargo => bump.cargo_changes(file),
            Kind::CargoCrate => bump.crate_changes(file),
            Kind::Text(locator) => bump
                .text_change(file, locator)
                .map(|c| c.into_iter().collect()),
        };
        match result {
            Ok(found) => {
                for change in found {
                    // Two entries may name the same file (a manifest listed and also a workspace member).
                    if !changes.iter().any(|c| c.rel == change.rel) {
                        changes.push(change);
                    }
                }
            }
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(changes)
    } else {
        Err(join_errors(problems))
    }
}

/// The file's reading, which must be `old`: a plan is made from the version the files agreed on.
fn holding(file: &VersionFile, contents: &str, old: &version::Version) -> Result<Reading> {
    let reading = read_text(file, contents)?;
    if reading.parsed != *old {
        bail!(
            "{}:{}: holds {} but the current version is {old}",
            file.path,
            reading.line,
            reading.text
        );
    }
    Ok(reading)
}

/// One bump of the version files, from `old` to `new`; `read` gives a file's text (a planned change's, when
/// there is one).
struct Bump<'a> {
    root: &'a Path,
    old: &'a version::Version,
    new: &'a version::Version,
    read: &'a dyn Fn(&str) -> Result<String>,
}

/// A Cargo manifest's part in a bump: the workspace it belongs to, and the versions as Cargo writes them.
struct CargoBump {
    manifest: PathBuf,
    workspace: cargo::Workspace,
    /// The old version as this file spells it (`2.4.0-rc2`, say, while the authoritative Python file says
    /// `2.4.0rc2`): edits match that text.
    old: String,
    new: String,
}

impl Bump<'_> {
    /// `text` with this entry's place set to the new version; a place an earlier entry of the same file
    /// has already set (two entries for one place) stays as it is.
    fn text_edit(&self, file: &VersionFile, locator: &Locator, text: &str) -> Result<String> {
        if read_text(file, text).is_ok_and(|reading| reading.parsed == *self.new) {
            return Ok(text.to_string());
        }
        holding(file, text, self.old)?;
        self.set_place(file, locator, text)
    }

    fn text_change(&self, file: &VersionFile, locator: &Locator) -> Result<Option<FileChange>> {
        let before = (self.read)(&file.path)?;
        holding(file, &before, self.old)?;
        let after = self.set_place(file, locator, &before)?;
        Ok((after != before).then(|| FileChange::new(self.root, &file.path, Some(before), after)))
    }

    /// `text` with the place `locator` finds set to the new version, as the file's scheme spells it.
    fn set_place(&self, file: &VersionFile, locator: &Locator, text: &str) -> Result<String> {
        let new =
            render_in_scheme(self.new, file.scheme).map_err(|e| anyhow!("{}: {e}", file.path))?;
        files::rewrite(text, locator, &new).map_err(|e| anyhow!("{}: {e}", file.path))
    }

    /// The manifest `file` (whose text is `text`) holding the old version, and its workspace.
    fn cargo_bump(&self, file: &VersionFile, text: &str) -> Result<CargoBump> {
        let reading = holding(file, text, self.old)?;
        let new = render_in_scheme(self.new, Scheme::Semver)
            .map_err(|e| anyhow!("{}: {e:#}", file.path))?;
        let manifest = self.root.join(&file.path);
        let workspace = cargo::workspace(&manifest)?;
        Ok(CargoBump {
            manifest,
            workspace,
            old: reading.text,
            new,
        })
    }

    /// A Cargo manifest: the workspace's manifests (root and members) and `Cargo.lock`.
    fn cargo_changes(&self, file: &VersionFile) -> Result<Vec<FileChange>> {
        let cargo = self.cargo_bump(file, &(self.read)(&file.path)?)?;
        let old = &cargo.old;
        // A member's manifest (not the workspace root) is the crates at its version, released together;
        // the other members (a task runner, crates at versions of their own) keep theirs, and only their
        // requirements on the released crates follow.
        let is_root = fs::canonicalize(&cargo.manifest).ok()
            == fs::canonicalize(&cargo.workspace.root_manifest).ok();
        let own_version = |path: &Path| -> Option<String> {
            let text = (self.read)(&relative(self.root, path).ok()?).ok()?;
            let doc: toml::Table = text.parse().ok()?;
            doc.get("package")?
                .get("version")?
                .as_str()
                .map(str::to_string)
        };
        let together: Vec<String> = if is_root {
            cargo.workspace.member_names.clone()
        } else {
            cargo
                .workspace
                .member_names
                .iter()
                .zip(&cargo.workspace.member_manifests)
                .filter(|(_, m)| own_version(m).as_deref() == Some(old.as_str()))
                .map(|(name, _)| name.clone())
                .collect()
        };
        // A manifest of a crate at a version of its own keeps it: only its requirements follow.
        let released = |path: &Path| is_root || own_version(path).is_none_or(|v| v == *old);
        self.workspace_changes(&cargo, &together, &released)
    }

    /// One crate's own manifest: its version, the requirements on it in the workspace's other manifests and
    /// its `Cargo.lock` entry (the other members keep their versions).
    fn crate_changes(&self, file: &VersionFile) -> Result<Vec<FileChange>> {
        let text = (self.read)(&file.path)?;
        // A workspace root with `[workspace.package] version` is that shared version, as without packages.
        let shared = text
            .parse::<toml_edit::DocumentMut>()
            .ok()
            .and_then(|doc| {
                doc.get("workspace")
                    .and_then(|w| w.get("package"))
                    .and_then(|p| p.get("version"))
                    .map(|_| ())
            })
            .is_some();
        if shared {
            return self.cargo_changes(file);
        }
        let cargo = self.cargo_bump(file, &text)?;
        let own = fs::canonicalize(&cargo.manifest).unwrap_or(cargo.manifest.clone());
        let name = cargo
            .workspace
            .member_manifests
            .iter()
            .position(|m| fs::canonicalize(m).ok().as_ref() == Some(&own))
            .and_then(|i| cargo.workspace.member_names.get(i))
            .cloned()
            .ok_or_else(|| {
                anyhow!(
                    "{}: not a member of the Cargo workspace at {}: add it to [workspace] members",
                    file.path,
                    cargo.workspace.root_manifest.display()
                )
            })?;
        let is_own = |path: &Path| fs::canonicalize(path).ok().as_ref() == Some(&own);
        self.workspace_changes(&cargo, &[name], &is_own)
    }

    /// The edit releasing `members` applied to every manifest of the workspace (its version where
    /// `released` says the manifest's crate is released, its requirements on the released crates
    /// everywhere) and to `Cargo.lock`.
    fn workspace_changes(
        &self,
        cargo: &CargoBump,
        members: &[String],
        released: &dyn Fn(&Path) -> bool,
    ) -> Result<Vec<FileChange>> {
        let edit = CargoEdit {
            members,
            old: &cargo.old,
            new: &cargo.new,
        };
        let workspace = &cargo.workspace;
        let mut changes = Vec::new();
        let mut manifests: Vec<PathBuf> = vec![workspace.root_manifest.clone()];
        manifests.extend(workspace.member_manifests.iter().cloned());
        manifests.dedup();
        for path in manifests {
            let rel = relative(self.root, &path)?;
            let before = (self.read)(&rel)?;
            let after = if released(&path) {
                files::rewrite_cargo_manifest(&before, &edit)
            } else {
                files::rewrite_cargo_requirements(&before, &edit)
            }
            .map_err(|e| anyhow!("{rel}: {e}"))?;
            if let Some(after) = after {
                changes.push(FileChange::new(self.root, &rel, Some(before), after));
            }
        }
        changes.extend(self.lock_change(workspace, &edit)?);
        Ok(changes)
    }

    /// The workspace's `Cargo.lock` with the edit applied, if it has one and the edit changes it.
    fn lock_change(
        &self,
        workspace: &cargo::Workspace,
        edit: &CargoEdit,
    ) -> Result<Option<FileChange>> {
        let lock = workspace.root_manifest.with_file_name("Cargo.lock");
        if !fs::exists(&lock) {
            return Ok(None);
        }
        let rel = relative(self.root, &lock)?;
        let before = (self.read)(&rel)?;
        Ok(files::rewrite_cargo_lock(&before, edit)
            .map_err(|e| anyhow!("{rel}: {e}"))?
            .map(|after| FileChange::new(self.root, &rel, Some(before), after)))
    }
}

fn relative(root: &Path, path: &Path) -> Result<String> {
    let rel = path.strip_prefix(root).map_err(|_| {
        anyhow!(
            "{} is outside the repository {}",
            path.display(),
            root.display()
        )
    })?;
    Ok(rel.to_string_lossy().replace('\\', "/"))
}
