//! `xtask init PATH [--yes] [--dry-run]`: puts the kit into a repository from this binary alone.
//!
//! Everything is read and decided first (the pure parts in `domain::detect` and `domain::adopt`), shown,
//! and then written all at once or not at all. The kit's own files are recorded with their git blob ids in
//! `<crate>/kit-files.json`, so a later `init` upgrades exactly the files the kit wrote and the user has not
//! changed, and keeps everything else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::cli::InitArgs;
use crate::domain::adopt::{self, KitFile, PackageFacts};
use crate::domain::ci_workflows::{self, Forge};
use crate::domain::{detect, launcher};
use crate::error::UsageError;
use crate::kit;
use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;
use crate::ops::policy::blob_id;
use crate::ops::{prompt, term};

/// Where the record of the kit's files lives, inside the kit's crate.
const RECORD: &str = "kit-files.json";
/// The kit as a library beside a project's own `xtask`.
const LIBRARY_DIR: &str = "xtask-release";
const DISPATCH_CALL: &str = "xtask_release::dispatch();";

/// How the kit goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The kit is the repository's `xtask` crate.
    Binary,
    /// The repository has an `xtask` of its own: the kit is a library beside it.
    Library,
}

impl Mode {
    fn crate_dir(self) -> &'static str {
        match self {
            Mode::Binary => "xtask",
            Mode::Library => LIBRARY_DIR,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Record {
    kit: String,
    /// Path in the repository → git blob id of what the kit wrote there.
    files: BTreeMap<String, String>,
}

/// Everything `init` will do, decided before anything is written.
struct Adoption {
    mode: Mode,
    /// The kit's own files, new or upgraded.
    kit_changes: Vec<FileChange>,
    /// The repository's files edited or created for the kit (shown as diffs).
    edits: Vec<FileChange>,
    kept: Vec<(String, String)>,
    notes: Vec<String>,
    /// The forges whose CI files are the kit's (asked for with `--ci`, or recorded by an earlier run).
    forges: Vec<Forge>,
}

pub fn run(dir: &Path, args: InitArgs) -> Result<()> {
    let root = dir.join(&args.path);
    if !fs::is_dir(&root) {
        return Err(UsageError(format!(
            "{}: no such directory: give the path of a git repository's top directory",
            args.path.display()
        ))
        .into());
    }
    let git = Git::new(&root)?;
    let top = git.raw(&["rev-parse", "--show-toplevel"]).map_err(|_| {
        anyhow!(
            "{}: not a git repository: run `git init` there first (the kit releases git repositories)",
            args.path.display()
        )
    })?;
    let (top, here) = (canonical(Path::new(top.trim())), canonical(&root));
    if top != here {
        bail!(
            "{} is inside the repository at {}: run `xtask init {}` on its top directory",
            args.path.display(),
            top.display(),
            top.display()
        );
    }
    let forge = args
        .ci
        .as_deref()
        .map(Forge::parse)
        .transpose()
        .map_err(UsageError)?;
    let plan = plan(&root, &git, forge)?;
    show(&plan);
    // Edits go into the file as it is now, uncommitted lines included: say so, so that the user can commit
    // theirs first and keep the kit's change in a commit of its own.
    let dirty = git.dirty_files().unwrap_or_default();
    for change in plan.edits.iter().filter(|c| dirty.contains(&c.rel)) {
        term::warn(&format!(
            "{} has uncommitted changes: init's edit is made on top of them (your lines are kept); \
             commit them first to keep the kit's change apart",
            change.rel
        ));
    }
    let changes: Vec<FileChange> = plan
        .kit_changes
        .iter()
        .chain(&plan.edits)
        .cloned()
        .collect();
    if changes.is_empty() {
        term::step("the kit is installed and current: nothing to change");
        return Ok(());
    }
    if args.dry_run {
        term::note("dry run: nothing was changed");
        return Ok(());
    }
    if !args.yes {
        if !prompt::interactive(false) {
            return Err(UsageError(
                "init writes files: pass --yes to go ahead without a terminal, or --dry-run to only see the plan"
                    .into(),
            )
            .into());
        }
        prompt::proceed(&format!("Write {} files?", changes.len()))?;
    }
    fs::write_all(&changes)?;
    term::step(&format!(
        "wrote {} files ({} of the kit's in {}/)",
        changes.len(),
        plan.kit_changes.len(),
        plan.mode.crate_dir()
    ));
    next_steps(&args.path, plan.mode, &plan.forges);
    Ok(())
}

fn canonical(path: &Path) -> PathBuf {
    fs::canonical_or_same(path)
}

fn read(root: &Path, rel: &str) -> Result<Option<String>> {
    match fs::read_to_string(root.join(rel)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(anyhow!("{rel}: cannot read: {e}")),
    }
}

fn plan(root: &Path, git: &Git, forge_asked: Option<Forge>) -> Result<Adoption> {
    let mut problems: Vec<String> = Vec::new();
    let mut edit_problems: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    let mode = if fs::exists(root.join("xtask").join(RECORD)) || !fs::exists(root.join("xtask")) {
        Mode::Binary
    } else {
        Mode::Library
    };
    let crate_dir = mode.crate_dir();
    // A copy of the kit put there by hand (or the kit's own source): not a user's xtask to embed into.
    if mode == Mode::Library
        && (fs::exists(root.join("xtask/src/cmd/release/mod.rs"))
            || fs::exists(root.join("xtask/src/cmd/release.rs")))
        && fs::exists(root.join("xtask/src/exec.rs"))
    {
        bail!(
            "xtask/ already holds a copy of the kit that init did not install (there is no xtask/{RECORD}): \
             to let init manage it, move xtask/ away (keeping any change of yours), then run init again"
        );
    }
    if mode == Mode::Library
        && fs::exists(root.join(LIBRARY_DIR))
        && !fs::exists(root.join(LIBRARY_DIR).join(RECORD))
    {
        bail!(
            "{LIBRARY_DIR}/ exists and was not written by the kit, and xtask/ is your own crate: \
             move one of them away, then run init again"
        );
    }

    // The kit's own files.
    let record_rel = format!("{crate_dir}/{RECORD}");
    let record: Record = match read(root, &record_rel)? {
        Some(text) => serde_json::from_str(&text).with_context(|| {
            format!("{record_rel}: cannot understand it: delete it to start afresh")
        })?,
        None => Record::default(),
    };
    let package = match mode {
        Mode::Binary => "xtask",
        Mode::Library => LIBRARY_DIR,
    };
    let facts = PackageFacts {
        version: kit::VERSION,
        edition: kit::EDITION,
        rust_version: kit::RUST_VERSION,
        license: kit::LICENSE,
    };
    let mut wanted = Vec::new();
    for (rel, text) in kit::files(mode == Mode::Binary) {
        let text = if rel == "Cargo.toml" {
            adopt::installed_manifest(text, package, &facts, mode == Mode::Binary)
                .map_err(|e| anyhow!(e))?
        } else {
            text.to_string()
        };
        wanted.push((format!("{crate_dir}/{rel}"), text));
    }
    // The CI files: those asked for, and those an earlier run wrote (kept up to date the same way).
    let mut forges: Vec<Forge> = forge_asked.into_iter().collect();
    for recorded in [Forge::GitHub, Forge::GitLab] {
        let written_before = record
            .files
            .keys()
            .any(|rel| recorded.paths().contains(&rel.as_str()));
        if written_before && !forges.contains(&recorded) {
            forges.push(recorded);
        }
    }
    if !forges.is_empty() {
        match ci_branches(root, git) {
            Ok(branches) => {
                for forge in &forges {
                    for (rel, text) in ci_workflows::files(*forge, &branches) {
                        // A CI file the user deleted stays deleted, unless `--ci` asks for it again.
                        if Some(*forge) != forge_asked && !fs::exists(root.join(&rel)) {
                            notes.push(format!(
                                "{rel}: deleted since the kit wrote it: not written again \
                                 (`init --ci {}` writes it)",
                                forge.name()
                            ));
                            continue;
                        }
                        wanted.push((rel, text));
                    }
                }
            }
            Err(e) => problems.push(e),
        }
    }
    // The launcher `cargo xtask` runs from anywhere in the project, and the alias inside the kit's own
    // workspace (see domain::launcher).
    if mode == Mode::Binary {
        wanted.push((
            format!("{}/Cargo.toml", launcher::DIR),
            launcher::MANIFEST.to_string(),
        ));
        wanted.push((
            format!("{}/src/main.rs", launcher::DIR),
            launcher::MAIN.to_string(),
        ));
        wanted.push((
            format!("{crate_dir}/.cargo/config.toml"),
            launcher::KIT_CONFIG.to_string(),
        ));
    }
    let mut on_disk = BTreeMap::new();
    for (rel, _) in &wanted {
        if let Some(text) = read(root, rel)? {
            on_disk.insert(rel.clone(), text);
        }
    }
    let hash = |text: &str| blob_id(text.as_bytes());
    let mut kit_changes = Vec::new();
    let mut kept = Vec::new();
    let mut new_record = Record {
        kit: kit::VERSION.to_string(),
        files: BTreeMap::new(),
    };
    for decision in adopt::plan_kit_files(&wanted, &on_disk, &record.files, &hash) {
        match decision {
            KitFile::Write { rel, before, after } => {
                new_record.files.insert(rel.clone(), hash(&after));
                kit_changes.push(FileChange::new(root, &rel, before, after));
            }
            KitFile::Current { rel } => {
                let text = on_disk.get(&rel).map(String::as_str).unwrap_or_default();
                new_record.files.insert(rel, hash(text));
            }
            KitFile::Kept { rel, reason } => {
                if let Some(old) = record.files.get(&rel) {
                    new_record.files.insert(rel.clone(), old.clone());
                }
                kept.push((rel, reason));
            }
        }
    }
    for rel in record.files.keys() {
        if !new_record.files.contains_key(rel) && fs::exists(root.join(rel)) {
            notes.push(format!(
                "{rel}: the kit no longer ships this file; delete it if you have not made it yours"
            ));
        }
    }
    // The kit's own Cargo.lock, as a workspace of its own: written when missing or when the kit changes
    // version; otherwise it is cargo's (which prunes it on the first build), so it is not recorded.
    if mode == Mode::Binary {
        let lock_rel = format!("{crate_dir}/Cargo.lock");
        let now = read(root, &lock_rel)?;
        let upgrade = !record.kit.is_empty() && record.kit != kit::VERSION;
        if (now.is_none() || upgrade) && now.as_deref() != Some(kit::LOCK) {
            kit_changes.push(FileChange::new(root, &lock_rel, now, kit::LOCK.to_string()));
        }
    }
    let record_text = serde_json::to_string_pretty(&new_record)? + "\n";
    let old_record = read(root, &record_rel)?;
    // Only the list of files counts: a re-run by another build of the same kit changes nothing.
    if record.files != new_record.files || old_record.is_none() {
        kit_changes.push(FileChange::new(root, &record_rel, old_record, record_text));
    }

    // The repository's own files, edited for the kit.
    let mut edits = Vec::new();
    let mut edit =
        |rel: &str, result: std::result::Result<String, String>, before: Option<String>| {
            match result {
                Ok(after) if Some(&after) != before.as_ref() => {
                    edits.push(FileChange::new(root, rel, before, after))
                }
                Ok(_) => {}
                Err(e) => edit_problems.push(e),
            }
        };
    let cargo_toml = read(root, "Cargo.toml")?;
    match mode {
        // The kit is a workspace of its own; the project's gains the launcher only, never as a default
        // member (an older kit's member entry removed, and an `exclude` when a glob of `members` would
        // take the kit in). Its `Cargo.lock` gains the launcher's entry, as cargo would write it.
        Mode::Binary => {
            let had_manifest = cargo_toml.is_some();
            if let Some(after) = adopt::hold_the_launcher(cargo_toml.as_deref(), crate_dir)
                .map_err(|e| anyhow!(e))?
            {
                edit("Cargo.toml", Ok(after), cargo_toml);
            }
            let lock = read(root, "Cargo.lock")?;
            match &lock {
                Some(text) => {
                    if let Some(after) = launcher::lock_with_launcher(text) {
                        edit("Cargo.lock", Ok(after), lock.clone());
                    }
                }
                None if !had_manifest => edit("Cargo.lock", Ok(launcher::new_lock()), None),
                // A project that does not keep its lock: cargo writes one when it needs it.
                None => {}
            }
        }
        // The project's own xtask depends on the kit: it builds in the project's workspace.
        Mode::Library => edit(
            "Cargo.toml",
            adopt::add_workspace_member(cargo_toml.as_deref(), crate_dir, true),
            cargo_toml,
        ),
    }
    let config = read(root, ".cargo/config.toml")?;
    let alias = match mode {
        Mode::Binary => adopt::ALIAS,
        Mode::Library => "run --package xtask --",
    };
    let aliased = adopt::add_alias(config.as_deref(), alias).map(|(text, foreign)| {
        if foreign && mode == Mode::Binary {
            notes.push(format!(
                ".cargo/config.toml already has an `xtask` alias: kept; the kit's is `xtask = \"{alias}\"`"
            ));
        }
        text
    });
    edit(".cargo/config.toml", aliased, config);
    let gitignore = read(root, ".gitignore")?;
    edit(
        ".gitignore",
        Ok(adopt::ignore_target(
            gitignore.as_deref(),
            (mode == Mode::Binary).then_some("xtask/target"),
        )),
        gitignore,
    );
    if mode == Mode::Library {
        let manifest = read(root, "xtask/Cargo.toml")?;
        match manifest {
            Some(text) => edit(
                "xtask/Cargo.toml",
                adopt::add_path_dependency(&text, LIBRARY_DIR, &format!("../{LIBRARY_DIR}")),
                Some(text),
            ),
            None => problems.push(
                "xtask/ exists but has no Cargo.toml: move it away, or make it a crate, then run init again"
                    .into(),
            ),
        }
        let main = read(root, "xtask/src/main.rs")?;
        match main.as_deref().and_then(|m| adopt::add_dispatch_call(m, DISPATCH_CALL)) {
            Some(after) => edit("xtask/src/main.rs", Ok(after), main),
            None => notes.push(format!(
                "xtask/src/main.rs has no `fn main` to edit: call `{DISPATCH_CALL}` first thing in your main"
            )),
        }
    }

    if forges.contains(&Forge::GitLab) {
        let pipeline = read(root, ci_workflows::GITLAB_CI)?;
        match ci_workflows::gitlab_ci_including(pipeline.as_deref()) {
            Ok(Some(after)) => edits.push(FileChange::new(
                root,
                ci_workflows::GITLAB_CI,
                pipeline,
                after,
            )),
            Ok(None) => {}
            Err(e) => notes.push(e),
        }
    }
    problems.append(&mut edit_problems);
    // The starter configuration: written once, never rewritten.
    match read(root, "xtask.toml")? {
        Some(_) => notes.push("xtask.toml: yours, kept as it is".into()),
        None => {
            let detected = detect::detect(&survey(root, git)?);
            for left in &detected.left_out {
                notes.push(format!("version file left out of xtask.toml: {left}"));
            }
            for undecided in &detected.undecided {
                notes.push(format!("not decided: {undecided}"));
            }
            if detected.files.is_empty() && detected.packages.is_empty() {
                notes.push(
                    "no version file was found: list yours in xtask.toml's [version] files, e.g. \
                     files = [{ path = \"VERSION.txt\", regex = '(?<version>[0-9][^\\s]*)' }]"
                        .into(),
                );
            }
            // A heading style of the project's own: the kit's template, with that heading.
            if let Some(heading) = &detected.changelog_heading {
                let template = crate::render::OVERRIDE_PATH;
                match read(root, template)? {
                    Some(_) => notes.push(format!(
                        "{template}: yours, kept; the changelog's sections are headed `{heading}`"
                    )),
                    None => {
                        if let Some(text) = detect::changelog_template(
                            crate::render::DEFAULT_CHANGELOG_TEMPLATE,
                            heading,
                        ) {
                            edits.push(FileChange::new(root, template, None, text));
                        }
                    }
                }
            }
            let starter = detect::starter_config(&detected);
            // What the repository holds (names, keys) goes into the text: it must read back, or the hooks
            // and every command would refuse it.
            if let Err(e) = crate::config::Config::parse(&starter) {
                problems.push(format!(
                    "the starter xtask.toml made from this repository does not load ({e:#}): write one by \
                     hand (see the README's Configuration) and run init again"
                ));
            }
            edits.push(FileChange::new(root, "xtask.toml", None, starter));
        }
    }
    if let Some(pin) = old_toolchain(root)? {
        notes.push(format!(
            "rust-toolchain pins Rust {pin}, older than the {} the kit needs: `cargo xtask` will say so \
             (see the README's \"Adopting the kit\" for what to do)",
            kit::RUST_VERSION
        ));
    }
    if !problems.is_empty() {
        bail!("{}\nnothing was changed", problems.join("\n"));
    }
    Ok(Adoption {
        mode,
        kit_changes,
        edits,
        kept,
        notes,
        forges,
    })
}

/// The release branches the CI files finish releases on: `release.branches` and `release.line_branch` of
/// the repository's `xtask.toml`, or of the starter one `init` is about to write.
fn ci_branches(root: &Path, git: &Git) -> Result<Vec<String>, String> {
    let text = match read(root, "xtask.toml").map_err(|e| format!("{e:#}"))? {
        Some(text) => text,
        None => detect::starter_config(&detect::detect(
            &survey(root, git).map_err(|e| format!("{e:#}"))?,
        )),
    };
    let policy = crate::config::Config::parse(&text)
        .map_err(|e| format!("{e:#}"))
        .and_then(|config| {
            crate::policy::Policy::from_config(&config).map_err(|e| e.to_string())
        })
        .map_err(|e| {
            format!(
                "xtask.toml: the CI files need its release branches, but it does not load ({e}): fix it \
                 (`cargo xtask check` says what is wrong) and run init again"
            )
        })?;
    Ok(policy
        .release_branches
        .iter()
        .map(|p| p.as_str().to_string())
        .collect())
}

/// The files detection looks at, with their contents, and the tag names: the files git tracks or would
/// (untracked, not ignored), so that build output and generated version files do not count.
fn survey(root: &Path, git: &Git) -> Result<detect::Repository> {
    let mut files = BTreeMap::new();
    match git.raw(&[
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]) {
        Ok(listing) => {
            for rel in listing.split('\0').filter(|r| detect::wanted(r)) {
                if let Ok(text) = fs::read_to_string(root.join(rel)) {
                    files.insert(rel.to_string(), text);
                }
            }
        }
        Err(_) => walk(root, root, 0, &mut files),
    }
    // The files pyproject.toml or setup.cfg name as the version's source.
    for rel in detect::referenced_files(&files) {
        if rel.split('/').any(|s| s == "..") || Path::new(&rel).is_absolute() {
            continue;
        }
        if let Ok(text) = fs::read_to_string(root.join(&rel)) {
            files.insert(rel, text);
        }
    }
    let tags = git
        .raw(&["tag", "--list"])
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    Ok(detect::Repository { files, tags })
}

fn walk(root: &Path, dir: &Path, depth: usize, out: &mut BTreeMap<String, String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let name = entry.file_name().to_string_lossy().into_owned();
        if fs::is_dir(&path) {
            if depth < 3
                && !name.starts_with('.')
                && !matches!(name.as_str(), "target" | "node_modules")
            {
                walk(root, &path, depth + 1, out);
            }
        } else if detect::wanted(&rel)
            && let Ok(text) = fs::read_to_string(&path)
        {
            out.insert(rel, text);
        }
    }
}

/// A `rust-toolchain(.toml)` channel such as `1.80` or `1.80.1` older than the kit's `rust-version`.
fn old_toolchain(root: &Path) -> Result<Option<String>> {
    let text = match (
        read(root, "rust-toolchain.toml")?,
        read(root, "rust-toolchain")?,
    ) {
        (Some(t), _) | (None, Some(t)) => t,
        (None, None) => return Ok(None),
    };
    let channel = text
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| {
            t.get("toolchain")?
                .get("channel")?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| text.trim().to_string());
    let minor = |v: &str| -> Option<u32> { v.strip_prefix("1.")?.split('.').next()?.parse().ok() };
    Ok(match (minor(&channel), minor(kit::RUST_VERSION)) {
        (Some(pinned), Some(needed)) if pinned < needed => Some(channel),
        _ => None,
    })
}

fn show(plan: &Adoption) {
    let in_crate = |c: &&FileChange| c.rel.starts_with(&format!("{}/", plan.mode.crate_dir()));
    let created = plan
        .kit_changes
        .iter()
        .filter(in_crate)
        .filter(|c| c.before.is_none())
        .count();
    let upgraded: Vec<&FileChange> = plan
        .kit_changes
        .iter()
        .filter(in_crate)
        .filter(|c| c.before.is_some())
        .collect();
    if created > 0 {
        term::out(&format!(
            "create {created} of the kit's files in {}/ (the crate, its hook shims and default template)",
            plan.mode.crate_dir()
        ));
    }
    // The CI files are the repository's to read and review: shown whole, or as the upgrade's diff.
    for change in plan.kit_changes.iter().filter(|c| !in_crate(c)) {
        show_whole(change, "upgrade", " (CI)");
    }
    for change in &upgraded {
        let diff = fs::unified_diff(change);
        let added = diff
            .lines()
            .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
            .count();
        let removed = diff
            .lines()
            .filter(|l| l.starts_with('-') && !l.starts_with("---"))
            .count();
        term::out(&format!("upgrade {} (+{added} -{removed})", change.rel));
    }
    for change in &plan.edits {
        show_whole(change, "edit", "");
    }
    for (rel, reason) in &plan.kept {
        term::warn(&format!(
            "{rel}: {reason}: kept as it is, the kit's newer copy is not installed"
        ));
    }
    for note in &plan.notes {
        term::note(note);
    }
}

/// Prints a change whole, as its diff: "create" for a new file, else `changed` (`upgrade`, `edit`);
/// `note` follows the path.
fn show_whole(change: &FileChange, changed: &str, note: &str) {
    let verb = if change.before.is_some() {
        changed
    } else {
        "create"
    };
    term::out(&format!("{verb} {}{note}:", change.rel));
    term::out(&fs::unified_diff(change));
}

fn next_steps(path: &Path, mode: Mode, forges: &[Forge]) {
    let mut text = String::new();
    if path != Path::new(".") {
        text.push_str(&format!(
            "cd {}\n",
            crate::domain::shell::quote(&path.to_string_lossy())
        ));
    }
    // The first build adds the kit's dependencies to Cargo.lock: commit after it, so a release starts clean.
    text.push_str(
        "cargo xtask release --dry-run   # builds the kit (minutes, the first time) and shows the plan\n\
         git add --all && git commit -m \"chore: adopt the xtask release kit\"\n\
         cargo xtask hooks install\n",
    );
    if mode == Mode::Library {
        text.push_str("(your own commands work as before: the kit handles only its own)\n");
    }
    if !forges.is_empty() {
        text.push_str(
            "make verify binding: protect the release branches and tags (README: \"CI workflows and making verify binding\")\n",
        );
    }
    term::section("next steps:", &text);
}
