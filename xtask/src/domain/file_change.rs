//! A file's planned new contents: plain data, written by `ops::fs` and shown by dry runs.

use std::path::{Path, PathBuf};

/// One file's planned new contents. `before` is `None` for a file that does not exist yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileChange {
    #[serde(skip)]
    pub path: PathBuf,
    /// Path relative to the repository root, `/`-separated.
    pub rel: String,
    #[serde(skip)]
    pub before: Option<String>,
    #[serde(skip)]
    pub after: String,
    /// The work tree's root, which every write must stay inside.
    #[serde(skip)]
    pub root: PathBuf,
}

impl FileChange {
    pub fn new(root: &Path, rel: &str, before: Option<String>, after: String) -> FileChange {
        FileChange {
            path: root.join(rel),
            rel: rel.to_string(),
            before,
            after,
            root: root.to_path_buf(),
        }
    }
}
