//! File writes: a set of files replaced atomically, all or none.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

/// One file's planned new contents. `before` is `None` for a file that does not exist yet.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileChange {
    #[serde(skip)]
    pub path: PathBuf,
    /// Path relative to the repository root, `/`-separated.
    pub rel: String,
    #[serde(skip)]
    pub before: Option<String>,
    #[serde(skip)]
    pub after: String,
}

impl FileChange {
    pub fn new(root: &Path, rel: &str, before: Option<String>, after: String) -> FileChange {
        FileChange {
            path: root.join(rel),
            rel: rel.to_string(),
            before,
            after,
        }
    }
}

/// Writes every change or none: each new text goes to a temporary file beside its target first, and only
/// when all are written are they renamed into place; a failed rename puts back the files already renamed.
pub fn write_all(changes: &[FileChange]) -> Result<()> {
    let mut staged: Vec<(PathBuf, &FileChange)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, &FileChange)]| {
        for (tmp, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for change in changes {
        let tmp = temp_path(&change.path);
        let written = (|| -> std::io::Result<()> {
            if let Some(parent) = change.path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&tmp, &change.after)?;
            // Keep the file's mode (an executable script stays executable).
            if let Ok(meta) = std::fs::metadata(&change.path) {
                std::fs::set_permissions(&tmp, meta.permissions())?;
            }
            Ok(())
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            cleanup(&staged);
            return Err(anyhow!(
                "{}: cannot write: {e}; no file was changed",
                change.rel
            ));
        }
        staged.push((tmp, change));
    }
    for (index, (tmp, change)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, &change.path) {
            for (_, done) in &staged[..index] {
                let _ = restore(done);
            }
            cleanup(&staged[index..]);
            return Err(anyhow!(
                "{}: cannot replace: {e}; no file was changed",
                change.rel
            ));
        }
    }
    Ok(())
}

/// Puts a file back as it was before `change`: its old text, or no file at all.
pub fn restore(change: &FileChange) -> Result<()> {
    match &change.before {
        Some(text) => {
            let tmp = temp_path(&change.path);
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, &change.path)?;
        }
        None => match std::fs::remove_file(&change.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        },
    }
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.xtask-{}.tmp", std::process::id()))
}

/// A unified diff of a change, for dry runs.
pub fn unified_diff(change: &FileChange) -> String {
    let before = change.before.as_deref().unwrap_or("");
    similar::TextDiff::from_lines(before, &change.after)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{}", change.rel), &format!("b/{}", change.rel))
        .to_string()
}
