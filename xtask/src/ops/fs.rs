//! File writes: a set of files replaced atomically, all or none, only inside the work tree.
//!
//! Every write goes through [`replace`]: a new temporary file beside the target (created exclusively, so a
//! planted file or link at its name is never followed), synced, given the target's mode, then renamed over
//! the target. A symbolic link inside the work tree is written through (the link stays a link); one leading
//! outside the work tree or into `.git` is refused.
//!
//! The plain reads and writes the rest of the crate needs (a version file, the release journal, the installed
//! hooks) are here too, as thin functions over the standard library's: no module outside `ops/` touches files.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};

/// The plain data of a planned write lives in the domain (dry runs and plans show it); re-exported here.
pub use crate::domain::file_change::FileChange;

/// The real file `rel` names under `root`, symbolic links followed: refused when it is outside the work tree
/// or under its `.git`. A file that does not exist yet is judged by its folder.
pub fn confined(root: &Path, rel: &str) -> Result<PathBuf> {
    let root_real = root
        .canonicalize()
        .map_err(|e| anyhow!("{}: cannot resolve the work tree: {e}", root.display()))?;
    let path = root.join(rel);
    let real = match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => path.canonicalize().map_err(|e| {
            anyhow!("{rel} is a symbolic link to a file that cannot be reached ({e}): fix or remove the link")
        })?,
        Ok(_) => path
            .canonicalize()
            .map_err(|e| anyhow!("{rel}: cannot resolve: {e}"))?,
        Err(_) => {
            // Not there yet: the nearest existing folder decides where it would be created.
            let mut existing = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let mut rest = vec![path.file_name().map(|n| n.to_os_string()).unwrap_or_default()];
            while !existing.exists() {
                match (existing.file_name(), existing.parent()) {
                    (Some(name), Some(parent)) => {
                        rest.push(name.to_os_string());
                        existing = parent.to_path_buf();
                    }
                    _ => break,
                }
            }
            let mut real = existing
                .canonicalize()
                .map_err(|e| anyhow!("{rel}: cannot resolve its folder: {e}"))?;
            for part in rest.iter().rev() {
                real.push(part);
            }
            real
        }
    };
    if !real.starts_with(&root_real) {
        bail!(
            "{rel} leads outside the work tree (to {}): the kit writes only inside the repository; \
             replace the link with the file itself",
            real.display()
        );
    }
    if real.starts_with(root_real.join(".git")) {
        bail!(
            "{rel} leads into .git (to {}): the kit never writes git's own files",
            real.display()
        );
    }
    Ok(real)
}

/// Preflight: every problem that would stop one of `changes` from being written, before anything is.
///
/// A file whose mode grants no write permission to anyone (`chmod a-w`, 0444) is refused **even for root**,
/// who could write it anyway: a read-only mode is the owner saying "do not change this", and a release is not
/// the moment to overrule it. Beyond that, `access(2)` decides (another owner's file, an immutable file, a
/// read-only file system), and the folder must take the temporary file and the rename.
pub fn check_writable(changes: &[FileChange]) -> Vec<String> {
    changes
        .iter()
        .filter_map(|change| writable_problem(&change.root, &change.rel))
        .collect()
}

/// [`check_writable`] for files named by their path in the work tree `root` (before a plan exists).
pub fn check_writable_paths(root: &Path, rels: &[String]) -> Vec<String> {
    rels.iter()
        .filter_map(|rel| writable_problem(root, rel))
        .collect()
}

/// Why `rel` cannot be written inside `root`, if it cannot.
fn writable_problem(root: &Path, rel: &str) -> Option<String> {
    let target = match confined(root, rel) {
        Ok(target) => target,
        Err(e) => return Some(format!("{e:#}")),
    };
    writable(&target).err().map(|reason| {
        format!(
            "{rel}: cannot be written ({reason}): make it writable, or leave it out of the release"
        )
    })
}

fn writable(target: &Path) -> std::result::Result<(), String> {
    let folder = target.parent().unwrap_or(Path::new("."));
    if let Ok(meta) = std::fs::metadata(target) {
        if !meta.is_file() {
            return Err("not a regular file".into());
        }
        read_only_mode(&meta)?;
        access_write(target).map_err(|e| format!("the system refuses: {e}"))?;
    }
    if folder.exists() {
        access_write(folder).map_err(|e| format!("its folder refuses new files: {e}"))?;
    }
    Ok(())
}

/// A mode with no write bit for anyone: refused on purpose, whoever runs the kit.
#[cfg(unix)]
fn read_only_mode(meta: &std::fs::Metadata) -> std::result::Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode();
    if mode & 0o222 == 0 {
        return Err(format!("its mode {:o} is read-only", mode & 0o7777));
    }
    Ok(())
}

#[cfg(not(unix))]
fn read_only_mode(meta: &std::fs::Metadata) -> std::result::Result<(), String> {
    if meta.permissions().readonly() {
        return Err("it is read-only".into());
    }
    Ok(())
}

#[cfg(unix)]
fn access_write(path: &Path) -> std::io::Result<()> {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK).map_err(std::io::Error::from)
}

#[cfg(not(unix))]
fn access_write(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Writes every change or none: each new text goes to a temporary file beside its target first, and only
/// when all are written are they renamed into place; a failed rename puts back the files already renamed.
/// The error says exactly which files were replaced and put back, and which were never changed.
pub fn write_all(changes: &[FileChange]) -> Result<()> {
    let mut targets = Vec::new();
    for change in changes {
        targets.push(confined(&change.root, &change.rel)?);
    }
    let mut staged: Vec<PathBuf> = Vec::new();
    for (change, target) in changes.iter().zip(&targets) {
        match stage(target, &change.after) {
            Ok(tmp) => staged.push(tmp),
            Err(e) => {
                remove_all(&staged);
                bail!("{}: cannot write: {e}; no file was changed", change.rel);
            }
        }
    }
    crate::ops::process::kill_point("write:temporaries");
    for (index, ((change, target), tmp)) in changes.iter().zip(&targets).zip(&staged).enumerate() {
        if let Err(e) = commit(tmp, target) {
            remove_all(&staged[index..]);
            let mut restored = Vec::new();
            let mut not_restored = Vec::new();
            for done in &changes[..index] {
                match restore(done) {
                    Ok(()) => restored.push(done.rel.as_str()),
                    Err(re) => not_restored.push(format!("{} ({re:#})", done.rel)),
                }
            }
            let untouched: Vec<&str> = changes[index..].iter().map(|c| c.rel.as_str()).collect();
            let mut message = format!("{}: cannot replace: {e}", change.rel);
            if !restored.is_empty() {
                message += &format!("; put back {} as it was", restored.join(", "));
            }
            if !not_restored.is_empty() {
                message += &format!("; COULD NOT put back {}", not_restored.join(", "));
            }
            message += &format!("; not changed: {}", untouched.join(", "));
            bail!(message);
        }
    }
    Ok(())
}

/// Removes the temporary files the kit's writes leave beside `rel` when killed half-way
/// (`.<name>.xtask-<pid>-<n>.tmp`, a name of the kit's own); says which.
pub fn remove_temporaries(root: &Path, rel: &str) -> Vec<PathBuf> {
    let Ok(target) = confined(root, rel) else {
        return Vec::new();
    };
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return Vec::new();
    };
    let prefix = format!(".{}.xtask-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| {
            let file = entry.file_name().to_string_lossy().into_owned();
            file.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(".tmp"))
                .is_some_and(|middle| {
                    middle.split('-').count() == 2
                        && middle
                            .split('-')
                            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                })
        })
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .map(|entry| entry.path())
        .collect()
}

/// Puts a file back as it was before `change`: its old text, or no file at all.
pub fn restore(change: &FileChange) -> Result<()> {
    let target = confined(&change.root, &change.rel)?;
    match &change.before {
        Some(text) => replace(&target, text),
        None => match std::fs::remove_file(&target) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        },
    }
}

/// Replaces one file through a temporary file and a rename (the one write path).
fn replace(target: &Path, text: &str) -> Result<()> {
    let tmp = stage(target, text)?;
    commit(&tmp, target).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Writes `text` to a new temporary file beside `target`, synced and with `target`'s mode; removed again if
/// anything fails.
fn stage(target: &Path, text: &str) -> Result<PathBuf> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mode = std::fs::metadata(target).ok().map(|m| m.permissions());
    let (tmp, mut file) = create_temp(target)?;
    let written = (|| -> std::io::Result<()> {
        file.write_all(text.as_bytes())?;
        // Keep the file's mode (an executable script stays executable).
        if let Some(mode) = mode {
            file.set_permissions(mode)?;
        }
        file.sync_all()
    })();
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok(tmp)
}

fn commit(tmp: &Path, target: &Path) -> Result<()> {
    std::fs::rename(tmp, target)?;
    // Make the rename itself durable; a folder that cannot be opened or synced is not worth failing for.
    if let Some(dir) = target.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A new file beside `target` that did not exist before (never an existing file or link).
fn create_temp(target: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = None;
    for attempt in 0..16 {
        let tmp = target.with_file_name(format!(
            ".{name}.xtask-{}-{attempt}.tmp",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

fn remove_all(paths: &[PathBuf]) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

/// A unified diff of a change, for dry runs.
pub fn unified_diff(change: &FileChange) -> String {
    let before = change.before.as_deref().unwrap_or("");
    diffy::DiffOptions::new()
        .set_context_len(2)
        .set_original_filename(format!("a/{}", change.rel))
        .set_modified_filename(format!("b/{}", change.rel))
        .create_patch(before, &change.after)
        .to_string()
}

// Plain reads and writes for the modules outside `ops/`: each one is the standard library's call, so the
// callers keep their own error messages; only here does the crate touch the file system.

/// A file's bytes.
pub fn read(path: impl AsRef<Path>) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// A file's text (UTF-8).
pub fn read_to_string(path: impl AsRef<Path>) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

/// The entries of a folder.
pub fn read_dir(path: impl AsRef<Path>) -> std::io::Result<std::fs::ReadDir> {
    std::fs::read_dir(path)
}

/// A file's size in bytes.
pub fn len(path: impl AsRef<Path>) -> std::io::Result<u64> {
    std::fs::metadata(path).map(|meta| meta.len())
}

/// The real path, links resolved; the path as given when it cannot be resolved.
pub fn canonical_or_same(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Writes a journal (`value` as JSON) to `path` by way of `<path>.tmp` and a rename, so that a reader sees
/// the old journal or the new one, never half of one; a failed write (a full disk) leaves no fragment.
/// `what` names the journal in the error.
pub fn write_journal(path: &Path, value: &impl serde::Serialize, what: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let written = serde_json::to_vec_pretty(value)
        .map_err(std::io::Error::other)
        .and_then(|bytes| write(&tmp, bytes))
        .and_then(|()| rename(&tmp, path));
    if let Err(e) = written {
        let _ = remove_file(&tmp);
        return Err(anyhow::Error::new(e).context(format!("cannot write {what}")));
    }
    Ok(())
}

/// Writes a file in place (for files that are the kit's own, not the user's: those go through [`write_all`]).
pub fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Opens a file for appending, creating it if needed.
pub fn open_append(path: impl AsRef<Path>) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
}

pub fn create_dir_all(path: impl AsRef<Path>) -> std::io::Result<()> {
    std::fs::create_dir_all(path)
}

pub fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> std::io::Result<()> {
    std::fs::rename(from, to)
}

pub fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> std::io::Result<u64> {
    std::fs::copy(from, to)
}

pub fn exists(path: impl AsRef<Path>) -> bool {
    path.as_ref().exists()
}

pub fn is_file(path: impl AsRef<Path>) -> bool {
    path.as_ref().is_file()
}

pub fn is_dir(path: impl AsRef<Path>) -> bool {
    path.as_ref().is_dir()
}

pub fn canonicalize(path: impl AsRef<Path>) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(path)
}

/// Whether files can be made in `dir` (created if missing): a file of this process's own is made and removed.
pub fn probe_writable_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(format!(".xtask-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

/// The folders on the way from `root` to the file `rel` that do not exist yet (relative to `root`, the
/// deepest first): those a write of `rel` would create, and an undo may remove again.
pub fn missing_folders(root: &Path, rel: &str) -> Vec<String> {
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let mut missing = Vec::new();
    for end in 1..parts.len() {
        let folder = parts[..end].join("/");
        if !lexists(root.join(&folder)) {
            missing.push(folder);
        }
    }
    missing.reverse();
    missing
}

/// Removes the folders `rels` (relative to `root`, the deepest first) that are empty; a folder that holds
/// anything (something of the user's) stays. Says which were removed.
pub fn remove_empty_folders(root: &Path, rels: &[String]) -> Vec<String> {
    rels.iter()
        .filter(|rel| std::fs::remove_dir(root.join(rel)).is_ok())
        .cloned()
        .collect()
}

/// Whether anything is at `path`, a dangling symbolic link included.
pub fn lexists(path: impl AsRef<Path>) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Whether `path` is a file anyone may execute (always true off Unix).
#[cfg(unix)]
pub fn is_executable(path: impl AsRef<Path>) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 == 0o111)
}

#[cfg(not(unix))]
pub fn is_executable(_: impl AsRef<Path>) -> bool {
    true
}

pub fn remove_file(path: impl AsRef<Path>) -> std::io::Result<()> {
    std::fs::remove_file(path)
}

pub fn remove_dir_all(path: impl AsRef<Path>) -> std::io::Result<()> {
    std::fs::remove_dir_all(path)
}

/// Removes a folder only if it is empty.
pub fn remove_empty_dir(path: impl AsRef<Path>) -> std::io::Result<()> {
    std::fs::remove_dir(path)
}

/// Makes a file executable by everyone and writable by its owner (0755); nothing to do off Unix.
#[cfg(unix)]
pub fn set_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
pub fn set_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn a_write_keeps_the_mode_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::TempDir::new().unwrap();
        let script = dir.path().join("run.sh");
        std::fs::write(&script, "v1").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o751)).unwrap();
        let change = FileChange::new(dir.path(), "run.sh", Some("v1".into()), "v2".into());
        write_all(&[change]).unwrap();
        assert_eq!(std::fs::read_to_string(&script).unwrap(), "v2");
        assert_eq!(
            std::fs::metadata(&script).unwrap().permissions().mode() & 0o777,
            0o751
        );
        assert_eq!(listing(dir.path()), ["run.sh"]);
    }

    #[test]
    fn a_failed_stage_removes_every_temporary_file_and_changes_nothing() {
        let dir = tempfile::TempDir::new().unwrap();
        std::fs::write(dir.path().join("a"), "a1").unwrap();
        // The second target's folder is a file: its temporary file cannot be created.
        std::fs::write(dir.path().join("notadir"), "").unwrap();
        let changes = [
            FileChange::new(dir.path(), "a", Some("a1".into()), "a2".into()),
            FileChange::new(dir.path(), "notadir/b", None, "b".into()),
        ];
        let e = write_all(&changes).unwrap_err().to_string();
        assert!(
            e.contains("notadir/b: cannot write") && e.contains("no file was changed"),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(dir.path().join("a")).unwrap(), "a1");
        assert_eq!(listing(dir.path()), ["a", "notadir"]);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_inside_the_work_tree() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::TempDir::new().unwrap();
        let outside = tempfile::TempDir::new().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("real"), "x").unwrap();
        symlink("real", dir.path().join("inside")).unwrap();
        symlink(outside.path(), dir.path().join("out")).unwrap();
        symlink(".git", dir.path().join("git")).unwrap();
        let root = dir.path().canonicalize().unwrap();
        assert_eq!(confined(dir.path(), "inside").unwrap(), root.join("real"));
        assert_eq!(
            confined(dir.path(), "new/file").unwrap(),
            root.join("new/file")
        );
        let e = confined(dir.path(), "out/CHANGELOG.md")
            .unwrap_err()
            .to_string();
        assert!(e.contains("leads outside the work tree"), "{e}");
        let e = confined(dir.path(), "git/config").unwrap_err().to_string();
        assert!(e.contains("leads into .git"), "{e}");
    }
}
