//! The kit running itself in another work tree (a temporary worktree of a release line).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Result, anyhow};

/// Runs this same binary as `xtask -C <dir> <args>`; its output goes to our stderr, so that our
/// stdout keeps only our own data. Returns whether it succeeded.
pub fn run_in(dir: &Path, args: &[&str]) -> Result<bool> {
    let exe =
        std::env::current_exe().map_err(|e| anyhow!("cannot find the kit's own binary: {e}"))?;
    let mut command = Command::new(exe);
    crate::ops::git::scrub_command(&mut command);
    let status = command
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| anyhow!("cannot run the kit in {}: {e}", dir.display()))?;
    Ok(status.success())
}

/// A path for a temporary worktree that does not exist yet, outside the repository (so nothing in
/// the user's work tree or `.git` is touched), named after `purpose`. For a worktree that is always removed
/// again; one that may be left for the user is [`kept_worktree`]'s.
pub fn temporary_worktree(purpose: &str) -> Result<PathBuf> {
    let base = std::env::temp_dir();
    // git and the kit pass paths as text: a path that is not UTF-8 would name another directory to git.
    if base.to_str().is_none() {
        return Err(anyhow!(
            "the temporary directory {} (TMPDIR) is not valid UTF-8, so git could not be given a worktree \
             there: set TMPDIR to a UTF-8 path; nothing was changed",
            base.display()
        ));
    }
    free_path(&base, purpose)
}

/// A path for a worktree that may be left for the user to finish in (a backport that does not apply
/// cleanly): under the repository's git directory (`.git/xtask/worktrees/`), never in the work tree. In the
/// system's temporary directory it would outlive the repository (and be cleaned away under git's feet); here
/// it goes with the repository, and `git worktree list` still shows it.
pub fn kept_worktree(git_dir: &Path, purpose: &str) -> Result<PathBuf> {
    let base = git_dir.join("xtask").join("worktrees");
    if base.to_str().is_none() {
        return Err(anyhow!(
            "the git directory {} is not valid UTF-8, so git could not be given a worktree there; nothing \
             was changed",
            git_dir.display()
        ));
    }
    free_path(&base, purpose)
}

fn free_path(base: &Path, purpose: &str) -> Result<PathBuf> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let safe: String = purpose
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    for attempt in 0..100u32 {
        let path = base.join(format!(
            "xtask-{safe}-{}-{stamp}-{attempt}",
            std::process::id()
        ));
        if !path.exists() {
            return Ok(path);
        }
    }
    Err(anyhow!(
        "cannot find a free temporary directory in {}",
        base.display()
    ))
}
