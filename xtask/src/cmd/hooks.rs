//! `xtask hooks install|uninstall|status`: the shims in git's hooks directory and the binary they run.
//!
//! One source of truth for where hooks live: `git rev-parse --git-path hooks`, which honours `core.hooksPath`,
//! linked worktrees and submodules. The binary is copied under the common git directory, so hooks keep working
//! when the build tree moves or is cleaned.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use xshell::{Shell, cmd};

use crate::cli::HooksCommand;
use crate::ops::term;

/// Client-side hooks, in the order they are reported.
pub const CLIENT_HOOKS: [&str; 3] = ["commit-msg", "reference-transaction", "pre-push"];
pub const SERVER_HOOKS: [&str; 1] = ["pre-receive"];
/// Suffix of a foreign hook kept and run before ours.
const CHAINED: &str = ".xtask-chained";
/// Suffix of a foreign hook set aside by `--force`, put back by uninstall.
const REPLACED: &str = ".xtask-replaced";
/// The line in each shim that the installer fills in.
const BIN_PLACEHOLDER: &str = "@XTASK_BIN@";

fn shim_source(name: &str) -> &'static str {
    match name {
        "commit-msg" => include_str!("../../../hooks/commit-msg"),
        "reference-transaction" => include_str!("../../../hooks/reference-transaction"),
        "pre-push" => include_str!("../../../hooks/pre-push"),
        _ => include_str!("../../../hooks/pre-receive"),
    }
}

/// The shim for `name`, running the binary at `bin`.
pub fn shim(name: &str, bin: &Path) -> String {
    let quoted = format!("'{}'", bin.to_string_lossy().replace('\'', r"'\''"));
    shim_source(name)
        .replace(&format!("'{BIN_PLACEHOLDER}'"), &quoted)
        .replace(BIN_PLACEHOLDER, &quoted)
}

fn is_ours(text: &str) -> bool {
    text.contains("XTASK_BIN=") && text.contains("xtask")
}

/// Where git looks for hooks and where the binary goes, for a work tree (`dir`) or a bare repository.
struct Places {
    hooks: PathBuf,
    bin: PathBuf,
    names: &'static [&'static str],
}

fn places(dir: &Path, server: Option<&Path>) -> Result<Places> {
    let (dir, names): (&Path, &'static [&'static str]) = match server {
        Some(bare) => (bare, &SERVER_HOOKS),
        None => (dir, &CLIENT_HOOKS),
    };
    let sh = Shell::new()?;
    sh.change_dir(dir);
    let out = cmd!(sh, "git rev-parse --path-format=absolute --git-path hooks --git-common-dir --is-bare-repository")
        .quiet()
        .ignore_stderr()
        .read()
        .map_err(|_| anyhow!("{} is not a git repository: run inside one, or pass -C <dir>", dir.display()))?;
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
        names,
    })
}

pub fn run(dir: &Path, command: HooksCommand) -> Result<()> {
    match command {
        HooksCommand::Install { force, server } => install(&places(dir, server.as_deref())?, force),
        HooksCommand::Uninstall { server } => uninstall(&places(dir, server.as_deref())?),
        HooksCommand::Status { server } => status(&places(dir, server.as_deref())?),
    }
}

fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn install(places: &Places, force: bool) -> Result<()> {
    // Check every hook before changing any.
    for name in places.names {
        let path = places.hooks.join(name);
        if let Some(text) = read_text(&path)
            && !is_ours(&text)
            && !force
            && with_suffix(&path, CHAINED).exists()
        {
            bail!(
                "{} is a foreign hook and {} exists already: merge or remove one of them, or pass --force",
                path.display(),
                with_suffix(&path, CHAINED).display()
            );
        }
    }
    install_binary(&places.bin)?;
    std::fs::create_dir_all(&places.hooks)
        .with_context(|| format!("cannot create {}", places.hooks.display()))?;
    for name in places.names {
        let path = places.hooks.join(name);
        let wanted = shim(name, &places.bin);
        let outcome = match read_text(&path) {
            Some(text) if text == wanted => "already installed".to_string(),
            Some(text) if is_ours(&text) => {
                write_executable(&path, &wanted)?;
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
                std::fs::rename(&path, &aside)
                    .with_context(|| format!("cannot move {} aside", path.display()))?;
                write_executable(&path, &wanted)?;
                what.to_string()
            }
            None => {
                write_executable(&path, &wanted)?;
                "installed".to_string()
            }
        };
        term::step(&format!("{name}: {outcome}"));
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
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = with_suffix(bin, ".tmp");
    // `copy` lets the system clone or copy in the kernel: the binary is large in a debug build.
    std::fs::copy(&exe, &tmp)
        .with_context(|| format!("cannot copy {} to {}", exe.display(), tmp.display()))?;
    set_executable(&tmp)?;
    std::fs::rename(&tmp, bin).with_context(|| format!("cannot install {}", bin.display()))?;
    std::fs::write(
        dir.join("version"),
        format!("xtask {}\n", env!("CARGO_PKG_VERSION")),
    )?;
    Ok(())
}

/// Whether two files hold the same bytes (sizes first: reading a large binary twice is the slow part).
fn same_file_contents(a: &Path, b: &Path) -> bool {
    let (Ok(meta_a), Ok(meta_b)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    meta_a.len() == meta_b.len()
        && matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    set_executable(path)
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("cannot make {} executable", path.display()))
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> Result<()> {
    Ok(())
}

fn uninstall(places: &Places) -> Result<()> {
    for name in places.names {
        let path = places.hooks.join(name);
        let outcome = match read_text(&path) {
            Some(text) if is_ours(&text) => {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                let mut outcome = "removed".to_string();
                for suffix in [CHAINED, REPLACED] {
                    let aside = with_suffix(&path, suffix);
                    if aside.exists() {
                        std::fs::rename(&aside, &path)
                            .with_context(|| format!("cannot restore {}", path.display()))?;
                        outcome = "removed; the previous hook is restored".to_string();
                    }
                }
                outcome
            }
            Some(_) => "not ours: left alone".to_string(),
            None => "not installed".to_string(),
        };
        term::step(&format!("{name}: {outcome}"));
    }
    if let Some(dir) = places.bin.parent()
        && dir.exists()
    {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
        // `<git dir>/xtask` holds nothing else: leave no empty directory behind.
        if let Some(parent) = dir.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
    Ok(())
}

fn status(places: &Places) -> Result<()> {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|e| std::fs::read(e).ok());
    let installed = std::fs::read(&places.bin).ok();
    let binary_current = installed.is_some() && installed == exe;
    let mut lines = Vec::new();
    for name in places.names {
        let path = places.hooks.join(name);
        let state = match read_text(&path) {
            None => "missing".to_string(),
            Some(text) if !is_ours(&text) => "foreign".to_string(),
            Some(text) if text == shim(name, &places.bin) && binary_current => {
                "ours, current".to_string()
            }
            Some(_) if installed.is_none() => {
                "ours, but the binary is missing (run `cargo xtask hooks install`)".to_string()
            }
            Some(_) => "ours, but stale: an older binary or shim (run `cargo xtask hooks install`)"
                .to_string(),
        };
        let chained = if with_suffix(&path, CHAINED).exists() {
            " (chains a previous hook)"
        } else {
            ""
        };
        lines.push(format!("{name:22} {state}{chained}"));
    }
    term::out(&lines.join("\n"));
    Ok(())
}
