//! `xtask hooks install|uninstall|status`: the hooks in git's hooks directory and the binary they run.
//!
//! One source of truth for where hooks live: `git rev-parse --git-path hooks`, which honours `core.hooksPath`,
//! linked worktrees and submodules. The binary is copied under the common git directory, so hooks keep working
//! when the build tree moves or is cleaned. On a server, the policy pre-receive judges with is stored beside
//! the binary (see [`crate::domain::server_policy`]).
//!
//! A client hook is a small native program of its own (the stub of `hooks/exec-stub.rs`, a few kilobytes,
//! with the binary's path and the hook's `sh` shim filled in) that replaces itself with the installed binary,
//! which knows the hook by its file name, when nothing else is needed: git runs it on every commit and ref
//! update, and a `sh` shim in front costs a third of a `git rev-parse`. Where the kit has no stub (anything
//! but Linux on x86-64), the hook is a copy of the binary instead. The `sh` shim stays where it does
//! something: chaining a hook that was there before, a hooks directory outside the git directory
//! (`core.hooksPath` in the work tree, where a program does not belong), and the server, whose hook must fail
//! closed with the policy beside it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::cli::HooksCommand;
use crate::config::{Config, FILE_NAME};
use crate::domain::server_policy::{self, DefaultBranch, PolicyAction, PolicyRecord, PolicySource};
use crate::kit::{CLIENT_HOOKS, SERVER_HOOKS};
use crate::ops::policy::{PolicyStore, blob_id};
use crate::ops::repo::{ObjectId, Repo};
use crate::ops::{fs, git, term};
use crate::policy::Policy;

/// Suffix of a foreign hook kept and run before ours.
const CHAINED: &str = ".xtask-chained";
/// Suffix of a foreign hook set aside by `--force`, put back by uninstall.
const REPLACED: &str = ".xtask-replaced";
/// Suffix under which pre-commit's migration mode (`pre-commit install`) keeps the hook it found, and runs
/// it before its own.
const LEGACY: &str = ".legacy";

/// Whether pre-commit took the hook `path` over in migration mode, keeping ours as `<hook>.legacy`, which it
/// runs first: then ours is installed there, not chained behind pre-commit's.
fn moved_by_pre_commit(path: &Path) -> bool {
    read_hook(path).is_some_and(|bytes| !is_ours(&bytes))
        && read_hook(&with_suffix(path, LEGACY)).is_some_and(|bytes| is_ours(&bytes))
}
/// The line in each shim that the installer fills in.
const BIN_PLACEHOLDER: &str = "@XTASK_BIN@";

fn shim_source(name: &str) -> &'static str {
    // Every hook the kit installs has its shim embedded (a unit test in `kit` checks it).
    crate::kit::embedded(&format!("hooks/{name}")).unwrap_or_default()
}

/// The shim for `name`, running the binary at `bin`.
pub fn shim(name: &str, bin: &Path) -> String {
    let quoted = format!("'{}'", bin.to_string_lossy().replace('\'', r"'\''"));
    shim_source(name)
        .replace(&format!("'{BIN_PLACEHOLDER}'"), &quoted)
        .replace(BIN_PLACEHOLDER, &quoted)
}

/// Whether a hook file is the kit's: one of its shims, or a kit binary (every kit binary carries its shims'
/// sources, placeholder included), whatever its version.
fn is_ours(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"#!") {
        let text = String::from_utf8_lossy(bytes);
        return text.contains("XTASK_BIN=") && text.contains("xtask");
    }
    let marker = BIN_PLACEHOLDER.as_bytes();
    bytes.windows(marker.len()).any(|w| w == marker)
}

/// What goes into a client hook's place.
enum HookFile {
    /// A copy of the installed binary (where the kit has no stub).
    Binary,
    /// The native stub, filled in: it starts the installed binary.
    Stub(Vec<u8>),
    Shim(String),
}

/// Where the stub's slot starts and ends (see `hooks/exec-stub.rs`).
const STUB_MARKER: &[u8] = b"@XTASK_BIN@:";
const STUB_END: &[u8] = b"@XTASK_END@";

/// The native hook `name`: the kit's stub with the installed binary's path, the same relative to the hooks
/// directory (a moved repository keeps working) and the hook's `sh` shim (what runs when the binary cannot
/// be started) filled in. `None` where the kit has no stub, or the path is not UTF-8, or everything does not
/// fit in the slot: the hook is then a copy of the binary.
fn stub(name: &str, places: &Places) -> Option<Vec<u8>> {
    let bin = &places.bin;
    let below = fs::canonical_or_same(&places.hooks)
        .strip_prefix(fs::canonical_or_same(&places.common))
        .ok()?
        .components()
        .count();
    let relative = format!("{}xtask/bin/xtask", "../".repeat(below));
    let template = crate::kit::HOOK_STUB;
    let find = |needle: &[u8]| template.windows(needle.len()).position(|w| w == needle);
    let start = find(STUB_MARKER)? + STUB_MARKER.len();
    let end = start
        + template
            .get(start..)?
            .windows(STUB_END.len())
            .position(|w| w == STUB_END)?;
    let mut filled = Vec::new();
    filled.extend_from_slice(bin.to_str()?.as_bytes());
    filled.push(0);
    filled.extend_from_slice(relative.as_bytes());
    filled.push(0);
    filled.extend_from_slice(shim(name, bin).as_bytes());
    filled.push(0);
    // One zero at least stays between what is filled in and the end marker.
    if filled.len() >= end - start || template[start..end].iter().any(|&b| b != 0) {
        return None;
    }
    let mut bytes = template.to_vec();
    bytes[start..start + filled.len()].copy_from_slice(&filled);
    Some(bytes)
}

/// Whether a hook of ours is a native stub (of any version), not a copy of the binary: stubs are a few
/// kilobytes, the binary is megabytes.
fn is_stub(bytes: &[u8]) -> bool {
    !bytes.starts_with(b"#!") && bytes.len() < 1 << 20
}

/// Where git looks for hooks and where the binary goes, for a work tree (`dir`) or a bare repository.
struct Places {
    hooks: PathBuf,
    bin: PathBuf,
    /// The common git directory, where the binary and a server's policy live.
    common: PathBuf,
    names: &'static [&'static str],
}

fn places(dir: &Path, server: Option<&Path>) -> Result<Places> {
    let (dir, names): (&Path, &'static [&'static str]) = match server {
        Some(bare) => (bare, &SERVER_HOOKS),
        None => (dir, &CLIENT_HOOKS),
    };
    let out = git::hook_locations(dir)?.ok_or_else(|| match git::refusal(dir) {
        Some(why) => anyhow!("{why}"),
        None => anyhow!(
            "{} is not a git repository: run inside one, or pass -C <dir>",
            dir.display()
        ),
    })?;
    let mut lines = out.lines();
    let (Some(hooks), Some(common), Some(bare)) = (lines.next(), lines.next(), lines.next()) else {
        bail!("cannot ask git where hooks live in {}", dir.display());
    };
    if server.is_some() && bare != "true" {
        bail!(
            "{} is not a bare repository: --server installs the pre-receive hook on the server side",
            dir.display()
        );
    }
    Ok(Places {
        hooks: PathBuf::from(hooks),
        bin: Path::new(common).join("xtask").join("bin").join("xtask"),
        common: PathBuf::from(common),
        names,
    })
}

pub fn run(dir: &Path, command: HooksCommand) -> Result<()> {
    match command {
        HooksCommand::Install {
            force,
            server,
            config,
            update,
            global,
        } => {
            let places = places(dir, server.as_deref())?;
            if server.is_none() && !global {
                refuse_outside_hooks_path(dir, &places)?;
            }
            // Hooks that could not open the repository would refuse every commit and push.
            if let Some(format) =
                git::object_format(server.as_deref().unwrap_or(dir)).filter(|f| f != "sha1")
            {
                bail!(
                    "the git repository uses {format} object ids, which the kit does not read yet (only sha1): \
                     no hooks were installed"
                );
            }
            // Everything is checked before anything changes: the policy is planned first.
            let policy = match &server {
                Some(bare) => Some(plan_policy(bare, &places, config.as_deref(), update)?),
                None => {
                    work_tree_config_usable(dir)?;
                    None
                }
            };
            install(&places, force, policy.as_ref())
        }
        HooksCommand::Uninstall { server } => {
            uninstall(&places(dir, server.as_deref())?, server.is_some())
        }
        HooksCommand::Status { server } => {
            let places = places(dir, server.as_deref())?;
            status(&places)?;
            match &server {
                Some(bare) => policy_status(bare, &places),
                None => Ok(()),
            }
        }
    }
}

/// A hooks directory outside the repository (`core.hooksPath` set globally, say) is every repository's that
/// uses it: installing there would make the kit govern, and later nag, all of them. Refused unless asked for
/// with `--global`.
fn refuse_outside_hooks_path(dir: &Path, places: &Places) -> Result<()> {
    let hooks = fs::canonical_or_same(&places.hooks);
    let common = fs::canonical_or_same(&places.common);
    let top = git::Git::new(dir)?
        .raw(&["rev-parse", "--show-toplevel"])
        .ok()
        .map(|t| fs::canonical_or_same(Path::new(t.trim())));
    let main_tree = common.parent().map(Path::to_path_buf);
    let inside = hooks.starts_with(&common)
        || top.as_deref().is_some_and(|t| hooks.starts_with(t))
        || main_tree.as_deref().is_some_and(|t| hooks.starts_with(t));
    if inside {
        return Ok(());
    }
    bail!(
        "git looks for this repository's hooks in {}, outside the repository (core.hooksPath, set for more \
         than this repository?): hooks installed there would run for every repository that uses that \
         folder. Nothing was installed. Set a hooks path of this repository's own (`git config core.hooksPath \
         .githooks`, or `git config --unset core.hooksPath`), or pass --global to install there on purpose",
        places.hooks.display()
    )
}

/// The work tree's `xtask.toml` must load, rules and version files included: hooks installed with one that
/// does not would refuse every commit.
fn work_tree_config_usable(dir: &Path) -> Result<()> {
    let Ok(repo) = Repo::discover(dir) else {
        return Ok(());
    };
    let Ok(root) = repo.root() else {
        return Ok(());
    };
    let Some(text) = crate::version_files::read_optional(&root, FILE_NAME)? else {
        return Ok(());
    };
    super::hook::usable_config(&text).map(|_| ()).map_err(|e| {
        anyhow!(
            "{e:#}\n{FILE_NAME} cannot be loaded, and hooks installed now would refuse every commit: \
             fix it (`cargo xtask check` names every problem), then install again; no hooks were installed"
        )
    })
}

/// What `install --server` does with the stored policy.
struct PolicyPlan {
    store: PolicyStore,
    /// The text and record to store; `None` keeps the stored policy as it is.
    write: Option<(String, PolicyRecord)>,
    /// The allowed-signers file stored with it (`release.signers`), written with it.
    signers: Option<String>,
    /// What happened to it, for the report.
    outcome: String,
    /// The change to the stored text, as a unified diff.
    diff: Option<String>,
    /// Something the administrator should act on.
    note: Option<String>,
}

/// The bare repository as the user wrote it, quoted for a shell, for commands printed back to them.
fn shown(bare: &Path) -> String {
    crate::domain::shell::quote(&bare.to_string_lossy())
}

/// The default branch's xtask.toml, as text (empty when it has none: the defaults).
enum DefaultPolicy {
    Found {
        name: String,
        commit: String,
        text: String,
    },
    /// Nothing was pushed yet: HEAD names this branch.
    Empty { name: String },
}

/// The default branch's xtask.toml, or why the default branch cannot be found and how to fix that.
fn default_branch_policy(repo: &Repo, bare: &Path) -> Result<Result<DefaultPolicy, String>> {
    let branches: Vec<String> = repo.branches()?.into_iter().map(|(name, _)| name).collect();
    let head = repo.head_state()?;
    let (name, commit) = match server_policy::default_branch(&shown(bare), &head, &branches) {
        Ok(DefaultBranch::Found { name, commit }) => (name, commit),
        Ok(DefaultBranch::Empty { name }) => return Ok(Ok(DefaultPolicy::Empty { name })),
        Err(problem) => return Ok(Err(problem)),
    };
    let id = ObjectId::from_hex(commit.as_bytes())
        .map_err(|_| anyhow!("HEAD of {} is not a commit id: {commit}", bare.display()))?;
    let text = match repo.file_at(id, FILE_NAME)? {
        Some(bytes) => String::from_utf8(bytes)
            .map_err(|_| anyhow!("{FILE_NAME} on {name} is not valid UTF-8: save it as UTF-8"))?,
        None => String::new(),
    };
    Ok(Ok(DefaultPolicy::Found { name, commit, text }))
}

/// The allowed-signers file a policy's `release.signers` names, to store beside it: on the default branch
/// at the policy's commit, or beside the policy file given with `--config`. `None` when it names none.
fn policy_signers(repo: &Repo, text: &str, source: &PolicySource) -> Result<Option<String>> {
    let Ok(config) = Config::parse(text) else {
        // An invalid policy is refused with its own words when it is checked.
        return Ok(None);
    };
    let Ok(policy) = Policy::from_config(&config) else {
        return Ok(None);
    };
    let Some(path) = policy.signers else {
        return Ok(None);
    };
    let bytes = match source {
        PolicySource::Branch { name, commit } => {
            let id = ObjectId::from_hex(commit.as_bytes())
                .map_err(|_| anyhow!("{commit} is not a commit id"))?;
            repo.file_at(id, &path)?.ok_or_else(|| {
                anyhow!(
                    "the policy sets release.signers = {path:?}, but {name} has no such file at {commit}: \
                     commit the allowed-signers file, push it, and install again"
                )
            })?
        }
        PolicySource::File { path: file } => {
            let beside = Path::new(file)
                .parent()
                .unwrap_or(Path::new("."))
                .join(&path);
            fs::read(&beside).with_context(|| {
                format!(
                    "the policy sets release.signers = {path:?}, read beside the policy file: cannot read {}",
                    beside.display()
                )
            })?
        }
    };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| anyhow!("the release.signers file {path} is not valid UTF-8"))
}

fn plan_policy(
    bare: &Path,
    places: &Places,
    config: Option<&Path>,
    update: bool,
) -> Result<PolicyPlan> {
    let repo = Repo::open(&places.common)?;
    let store = PolicyStore::in_git_dir(&places.common);
    let (text, source) = match config {
        Some(file) => {
            let bytes = fs::read(file)
                .with_context(|| format!("cannot read the policy file {}", file.display()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow!("{} is not valid UTF-8: save it as UTF-8", file.display()))?;
            let path = fs::canonical_or_same(file);
            (
                text,
                PolicySource::File {
                    path: path.display().to_string(),
                },
            )
        }
        None => match default_branch_policy(&repo, bare)?.map_err(|problem| anyhow!(problem))? {
            DefaultPolicy::Found { name, commit, text } => {
                (text, PolicySource::Branch { name, commit })
            }
            DefaultPolicy::Empty { name } => bail!(
                "{} has no branches yet (HEAD names {name}), so there is no {FILE_NAME} to take the \
                 policy from.\nPush the default branch first and install then, or pin the policy from \
                 a file: --config FILE",
                shown(bare)
            ),
        },
    };
    // A policy that cannot be loaded is refused even when the stored one is kept: it is what the
    // administrator pointed at, and the next `--update` would store it.
    super::hook::usable_config(&text).map_err(|e| {
        anyhow!(
            "{e:#}\n{} cannot be the server's policy: fix it, then install again; no hooks were installed",
            source.describe()
        )
    })?;
    let signers = policy_signers(&repo, &text, &source)?;
    let record = PolicyRecord {
        sha1: blob_id(text.as_bytes()),
        source,
        stored_by: format!("xtask {}", crate::kit::VERSION),
        signers_sha1: signers.as_ref().map(|s| blob_id(s.as_bytes())),
    };
    let update_hint = format!(
        "cargo xtask hooks install --server {} --update",
        shown(bare)
    );
    let stored = store.read();
    // The signers file is part of the policy: a changed one is a changed policy.
    let with_signers = |text: &str, signers: Option<String>| match signers {
        Some(signers) => format!("{text}\0{signers}"),
        None => text.to_string(),
    };
    let new_key = with_signers(&text, signers.clone());
    let old_key = match &stored {
        Ok(Some(old)) => Some(with_signers(
            &old.text,
            old.record
                .signers_sha1
                .as_ref()
                .and_then(|_| store.signers_text()),
        )),
        _ => None,
    };
    let action = server_policy::plan_install(
        match (&stored, &old_key) {
            (Ok(Some(old)), Some(key)) => Ok(Some((key.as_str(), &old.record.source))),
            (Err(_), _) => Err(()),
            _ => Ok(None),
        },
        (&new_key, &record.source),
        config.is_some(),
        update,
    );
    let new = record.source.describe();
    let old = match &stored {
        Ok(Some(old)) => old.record.source.describe(),
        _ => String::new(),
    };
    let (outcome, note) = match action {
        PolicyAction::Store => (format!("stored, from {new}"), None),
        PolicyAction::AlreadyStored => (format!("already stored, from {new}"), None),
        PolicyAction::Replace { changed: true } => (format!("updated: was {old}, now {new}"), None),
        PolicyAction::Replace { changed: false } => {
            (format!("unchanged text, now recorded as {new}"), None)
        }
        PolicyAction::ReplaceUnusable => (format!("replaced an unusable one, from {new}"), None),
        PolicyAction::Keep { differs } => (
            format!("kept, from {old}"),
            differs.then(|| {
                format!("{new} differs from the stored policy: adopt it with `{update_hint}`")
            }),
        ),
        PolicyAction::RefuseOtherFile => {
            bail!(
                "a different policy is already stored ({old}): pass --update to replace it with {new}"
            )
        }
        PolicyAction::RefuseUnusable => {
            let problem = stored.err().map(|e| format!("{e:#}")).unwrap_or_default();
            bail!(
                "the stored policy cannot be used: {problem}\nreplace it: {update_hint} (or --config FILE)"
            )
        }
    };
    let diff = match (&stored, action) {
        (Ok(Some(old)), PolicyAction::Replace { changed: true }) => {
            Some(fs::unified_diff(&fs::FileChange::new(
                &places.common,
                "xtask/policy.toml",
                Some(old.text.clone()),
                text.clone(),
            )))
        }
        _ => None,
    };
    let write = match action {
        PolicyAction::Store | PolicyAction::Replace { .. } | PolicyAction::ReplaceUnusable => {
            super::hook::usable_config(&text).with_context(|| {
                format!("{new} cannot be the server's policy: fix it, then install again")
            })?;
            Some((text, record))
        }
        _ => None,
    };
    Ok(PolicyPlan {
        store,
        write,
        signers,
        outcome,
        diff,
        note,
    })
}

/// The hook file's bytes; a dangling symbolic link reads as an empty (foreign) hook, so that it is set aside
/// and restored like any other, never overwritten.
fn read_hook(path: &Path) -> Option<Vec<u8>> {
    match fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(_) if fs::lexists(path) => Some(Vec::new()),
        Err(_) => None,
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether client hooks may be native programs (a stub, or the binary itself): on Unix, in a hooks directory
/// inside the git directory. Each hook is a file of its own: a hard or symbolic link would let a tool that
/// rewrites one hook in place (or `chmod -x` on one) change the others and the installed binary with it.
fn binary_hooks(places: &Places) -> bool {
    cfg!(unix)
        && places.names == CLIENT_HOOKS
        && fs::canonical_or_same(&places.hooks).starts_with(fs::canonical_or_same(&places.common))
}

/// The hook file `name` should be, given whether a previous hook is chained in front of it.
fn wanted_hook(places: &Places, name: &str, chains: bool) -> HookFile {
    if binary_hooks(places) && !chains {
        stub(name, places).map_or(HookFile::Binary, HookFile::Stub)
    } else {
        HookFile::Shim(shim(name, &places.bin))
    }
}

/// Puts `wanted` at `path` as a new file renamed into place: git never runs half a hook, and nothing is
/// written through the old file (whatever else shares it).
fn write_hook(places: &Places, path: &Path, wanted: &HookFile) -> Result<()> {
    let tmp = with_suffix(
        path,
        &format!(".xtask-new-{}", crate::ops::process::own_pid()),
    );
    let written = match wanted {
        HookFile::Shim(text) => fs::write(&tmp, text),
        HookFile::Stub(bytes) => fs::write(&tmp, bytes),
        HookFile::Binary => fs::copy(&places.bin, &tmp).map(drop),
    };
    let placed = written
        .with_context(|| format!("cannot write {}", tmp.display()))
        .and_then(|()| set_executable(&tmp))
        .and_then(|()| {
            fs::rename(&tmp, path).with_context(|| format!("cannot install {}", path.display()))
        });
    if placed.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    placed
}

/// Whether the hook at `path`, holding `bytes`, is `wanted` exactly, executable included.
fn is_current(path: &Path, bytes: &[u8], wanted: &HookFile, binary: Option<&[u8]>) -> bool {
    let same = match wanted {
        HookFile::Shim(text) => bytes == text.as_bytes(),
        HookFile::Stub(stub) => bytes == stub.as_slice(),
        HookFile::Binary => binary == Some(bytes),
    };
    same && fs::is_executable(path)
}

fn install(places: &Places, force: bool, policy: Option<&PolicyPlan>) -> Result<()> {
    // Check every hook before changing any.
    for name in places.names {
        let path = places.hooks.join(name);
        let foreign =
            read_hook(&path).is_some_and(|bytes| !is_ours(&bytes)) && !moved_by_pre_commit(&path);
        // A hook set aside earlier is never overwritten by another.
        let aside = with_suffix(&path, if force { REPLACED } else { CHAINED });
        if foreign && fs::lexists(&aside) {
            bail!(
                "{} is a foreign hook and {} exists already: merge or remove one of them{}",
                path.display(),
                aside.display(),
                if force { "" } else { ", or pass --force" }
            );
        }
    }
    // Both directories must take new files before anything is written: no binary left without hooks.
    let bin_dir = places.bin.parent().unwrap_or(&places.common);
    for dir in [places.hooks.as_path(), bin_dir] {
        fs::probe_writable_dir(dir).with_context(|| {
            format!(
                "cannot write in {}: nothing was installed; make it writable and run the install again",
                dir.display()
            )
        })?;
    }
    // The policy before the hook: a freshly installed hook always finds one.
    if let Some(plan) = policy {
        if let Some((text, record)) = &plan.write {
            plan.store.write_signers(plan.signers.as_deref())?;
            plan.store.write(text, record)?;
        }
        if let Some(diff) = &plan.diff {
            term::section("policy changes:", diff);
        }
        term::step(&format!("policy: {}", plan.outcome));
        if let Some(note) = &plan.note {
            term::warn(note);
        }
    }
    install_binary(&places.bin)?;
    fs::create_dir_all(&places.hooks)
        .with_context(|| format!("cannot create {}", places.hooks.display()))?;
    let binary = fs::read(&places.bin).ok();
    for name in places.names {
        let mut path = places.hooks.join(name);
        if moved_by_pre_commit(&path) {
            path = with_suffix(&path, LEGACY);
        }
        let existing = read_hook(&path);
        // A previous hook is chained when one is kept beside ours, or when one is here now and stays.
        let chains = fs::lexists(with_suffix(&path, CHAINED))
            || existing.as_deref().is_some_and(|b| !is_ours(b) && !force);
        let wanted = wanted_hook(places, name, chains);
        let current = existing
            .as_deref()
            .is_some_and(|bytes| is_current(&path, bytes, &wanted, binary.as_deref()));
        let outcome = match existing {
            Some(_) if current => "already installed".to_string(),
            Some(bytes) if is_ours(&bytes) => {
                write_hook(places, &path, &wanted)?;
                "updated".to_string()
            }
            Some(_) => {
                let (suffix, what) = if force {
                    (REPLACED, "replaced (kept aside for uninstall)")
                } else {
                    (
                        CHAINED,
                        "installed; the existing hook is kept and runs first",
                    )
                };
                let aside = with_suffix(&path, suffix);
                fs::rename(&path, &aside)
                    .with_context(|| format!("cannot move {} aside", path.display()))?;
                write_hook(places, &path, &wanted)?;
                what.to_string()
            }
            None => {
                write_hook(places, &path, &wanted)?;
                "installed".to_string()
            }
        };
        if path.extension().is_some_and(|e| e == "legacy") {
            term::step(&format!(
                "{name}: {outcome} as {name}{LEGACY}, which pre-commit's {name} hook runs first"
            ));
        } else {
            term::step(&format!("{name}: {outcome}"));
        }
    }
    term::note(&format!(
        "hooks in {}; binary at {}",
        places.hooks.display(),
        places.bin.display()
    ));
    Ok(())
}

/// Copies the running binary under the git directory, unless an identical copy is there.
fn install_binary(bin: &Path) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the running binary to install")?;
    if same_file_contents(&exe, bin) {
        return Ok(());
    }
    let dir = bin.parent().context("the binary's path has no directory")?;
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // A name of this process's own: two installs at once must not write the same file.
    let tmp = with_suffix(bin, &format!(".tmp-{}", crate::ops::process::own_pid()));
    // `copy` lets the system clone or copy in the kernel: the binary is large in a debug build.
    fs::copy(&exe, &tmp)
        .with_context(|| format!("cannot copy {} to {}", exe.display(), tmp.display()))?;
    set_executable(&tmp)?;
    fs::rename(&tmp, bin).with_context(|| format!("cannot install {}", bin.display()))?;
    fs::write(
        dir.join("version"),
        format!("xtask {}\n", crate::kit::VERSION),
    )?;
    Ok(())
}

/// Whether two files hold the same bytes (sizes first: reading a large binary twice is the slow part).
fn same_file_contents(a: &Path, b: &Path) -> bool {
    let (Ok(len_a), Ok(len_b)) = (fs::len(a), fs::len(b)) else {
        return false;
    };
    len_a == len_b && matches!((fs::read(a), fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn set_executable(path: &Path) -> Result<()> {
    fs::set_executable(path).with_context(|| format!("cannot make {} executable", path.display()))
}

fn uninstall(places: &Places, server: bool) -> Result<()> {
    // Files an interrupted install left (`<hook>.xtask-new-<pid>`): the kit's own names, nobody else's.
    if let Ok(entries) = fs::read_dir(&places.hooks) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if places
                .names
                .iter()
                .any(|hook| name.starts_with(&format!("{hook}.xtask-new")))
            {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    for name in places.names {
        let mut path = places.hooks.join(name);
        if moved_by_pre_commit(&path) {
            path = with_suffix(&path, LEGACY);
        }
        let outcome = match read_hook(&path) {
            Some(bytes) if is_ours(&bytes) => {
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                let mut outcome = "removed".to_string();
                let mut restored = false;
                // The hook chained last is the one that was there most recently; one set aside earlier by
                // --force then stays where it is, named in the report, never overwritten.
                for suffix in [CHAINED, REPLACED] {
                    let aside = with_suffix(&path, suffix);
                    if !fs::lexists(&aside) {
                        continue;
                    }
                    if restored {
                        outcome.push_str(&format!(
                            "; an older hook stays at {} (restore it by hand if you want it back)",
                            aside.display()
                        ));
                        continue;
                    }
                    fs::rename(&aside, &path)
                        .with_context(|| format!("cannot restore {}", path.display()))?;
                    outcome = "removed; the previous hook is restored".to_string();
                    restored = true;
                }
                outcome
            }
            Some(_) => "not ours: left alone".to_string(),
            None => "not installed".to_string(),
        };
        term::step(&format!("{name}: {outcome}"));
    }
    if server {
        let removed = PolicyStore::in_git_dir(&places.common).remove()?;
        term::step(if removed {
            "policy: removed"
        } else {
            "policy: none stored"
        });
    }
    if let Some(dir) = places.bin.parent()
        && fs::exists(dir)
    {
        fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
        // `<git dir>/xtask` holds nothing else: leave no empty directory behind.
        if let Some(parent) = dir.parent() {
            let _ = fs::remove_empty_dir(parent);
        }
    }
    Ok(())
}

fn status(places: &Places) -> Result<()> {
    let exe = std::env::current_exe().ok().and_then(|e| fs::read(e).ok());
    let installed = fs::read(&places.bin).ok();
    let binary_current = installed.is_some() && installed == exe;
    let mut lines = Vec::new();
    for name in places.names {
        let mut path = places.hooks.join(name);
        let by_pre_commit = moved_by_pre_commit(&path);
        if by_pre_commit {
            path = with_suffix(&path, LEGACY);
        }
        // A shim or a stub runs the installed binary.
        let runs_bin = |bytes: &[u8]| {
            bytes == shim(name, &places.bin).as_bytes()
                || stub(name, places).is_some_and(|s| s == bytes)
        };
        let state = match read_hook(&path) {
            None => "missing".to_string(),
            Some(bytes) if !is_ours(&bytes) => "foreign".to_string(),
            Some(_) if !fs::is_executable(&path) => {
                "ours, but not executable: git skips it (run `cargo xtask hooks install`)".to_string()
            }
            // A shim runs the binary: one that is there but not executable makes the hook fail.
            Some(bytes)
                if runs_bin(&bytes)
                    && fs::lexists(&places.bin)
                    && !fs::is_executable(&places.bin) =>
            {
                format!(
                    "ours, but the binary {} is not executable: the hook fails (run `cargo xtask hooks \
                     install`, or `chmod +x` it)",
                    places.bin.display()
                )
            }
            Some(bytes) if runs_bin(&bytes) && binary_current => {
                "ours, current".to_string()
            }
            // The binary itself as the hook: current when it is the installed, current binary.
            Some(bytes) if binary_current && installed.as_deref() == Some(bytes.as_slice()) => {
                "ours, current".to_string()
            }
            // A copy of the binary needs no other file: it works with the installed copy gone.
            Some(bytes) if !bytes.starts_with(b"#!") && !is_stub(&bytes) => {
                if exe.as_deref() == Some(bytes.as_slice()) {
                    "ours, current".to_string()
                } else {
                    "ours, but stale: another version of the binary (run `cargo xtask hooks install`)"
                        .to_string()
                }
            }
            // Missing, present but not executable, present but unreadable: three different repairs.
            Some(_) if !fs::lexists(&places.bin) => {
                "ours, but the binary is missing (run `cargo xtask hooks install`)".to_string()
            }
            Some(_) if !fs::is_executable(&places.bin) => format!(
                "ours, but the binary {} is not executable: the hook fails (run `cargo xtask hooks install`, \
                 or `chmod +x` it)",
                places.bin.display()
            ),
            Some(_) if installed.is_none() => format!(
                "ours, but the binary {} cannot be read (run `cargo xtask hooks install`)",
                places.bin.display()
            ),
            Some(_) => {
                "ours, but stale: another version of the binary or shim (run `cargo xtask hooks install`)"
                    .to_string()
            }
        };
        let chained = if by_pre_commit {
            format!(" (as {name}{LEGACY}, run first by pre-commit's hook)")
        } else if fs::lexists(with_suffix(&path, CHAINED)) {
            " (chains a previous hook)".to_string()
        } else {
            String::new()
        };
        lines.push(format!("{name:22} {state}{chained}"));
    }
    term::out(&lines.join("\n"));
    Ok(())
}

/// `status --server`: the stored policy, and whether the default branch's xtask.toml still matches it.
fn policy_status(bare: &Path, places: &Places) -> Result<()> {
    let store = PolicyStore::in_git_dir(&places.common);
    let install_hint = format!("cargo xtask hooks install --server {}", shown(bare));
    let stored = store.read();
    let mut lines = vec![match &stored {
        Ok(Some(stored)) => {
            let defaults = if stored.text.trim().is_empty() {
                " (empty: the defaults)"
            } else {
                ""
            };
            format!(
                "{:22} {}{defaults}, sha1 {}, stored in {}",
                "policy",
                stored.record.source.describe(),
                stored.record.sha1.get(..12).unwrap_or(&stored.record.sha1),
                store.policy_path().display()
            )
        }
        Ok(None) => format!(
            "{:22} missing: pre-receive refuses every push (store one with `{install_hint}`)",
            "policy"
        ),
        Err(e) => format!(
            "{:22} unusable, pre-receive refuses every push: {e:#} (replace it with `{install_hint} --update`)",
            "policy"
        ),
    }];
    // The release.signers file stored with the policy, which pre-receive verifies release tags against.
    if let Ok(Some(stored)) = &stored
        && stored.record.signers_sha1.is_some()
    {
        lines.push(match store.signers(&stored.record) {
            Ok(path) => format!("{:22} stored in {}", "release.signers", path.display()),
            Err(e) => format!(
                "{:22} unusable, pre-receive refuses every push: {e:#} (replace it with `{install_hint} --update`)",
                "release.signers"
            ),
        });
    }
    let repo = Repo::open(&places.common)?;
    let problem = match default_branch_policy(&repo, bare)? {
        Ok(DefaultPolicy::Found { name, commit, text }) => {
            let at = format!("{name} at {}", commit.get(..7).unwrap_or(&commit));
            let verdict = match &stored {
                Ok(Some(stored)) if stored.text == text => {
                    format!("its {FILE_NAME} is the stored policy")
                }
                Ok(Some(_)) => format!(
                    "its {FILE_NAME} differs from the stored policy (adopt it with `{install_hint} --update`)"
                ),
                _ => format!("its {FILE_NAME} has sha1 {}", blob_id(text.as_bytes())),
            };
            lines.push(format!("{:22} {at}: {verdict}", "default branch"));
            None
        }
        Ok(DefaultPolicy::Empty { name }) => {
            lines.push(format!("{:22} {name}: no commits yet", "default branch"));
            None
        }
        Err(problem) => {
            lines.push(format!(
                "{:22} cannot be found (see below)",
                "default branch"
            ));
            Some(problem)
        }
    };
    term::out(&lines.join("\n"));
    match problem {
        Some(problem) => Err(anyhow!(problem)),
        None => Ok(()),
    }
}
