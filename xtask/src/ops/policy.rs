//! The server policy stored in a bare repository: `<git dir>/xtask/policy.toml` (an `xtask.toml`, byte for
//! byte) and `policy-source.json` beside it (where it came from, and its hash). Read, written, removed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::domain::server_policy::PolicyRecord;
use crate::ops::fs::{self, FileChange};

/// The policy's text, an `xtask.toml`.
pub const POLICY_FILE: &str = "policy.toml";
/// Its record: source and hash.
pub const RECORD_FILE: &str = "policy-source.json";

/// Where a bare repository keeps its policy: `<git dir>/xtask`, beside the hook's binary.
pub struct PolicyStore {
    dir: PathBuf,
}

/// A stored policy whose text matches its recorded hash.
pub struct StoredPolicy {
    pub text: String,
    pub record: PolicyRecord,
}

/// The git blob id of `data`: what `git hash-object` prints for a file holding it.
pub fn blob_id(data: &[u8]) -> String {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::object::Kind::Blob, data)
        .map(|id| id.to_string())
        .unwrap_or_default()
}

impl PolicyStore {
    pub fn in_git_dir(git_dir: &Path) -> PolicyStore {
        PolicyStore {
            dir: git_dir.join("xtask"),
        }
    }

    pub fn policy_path(&self) -> PathBuf {
        self.dir.join(POLICY_FILE)
    }

    fn record_path(&self) -> PathBuf {
        self.dir.join(RECORD_FILE)
    }

    /// The stored policy; `None` when none is stored. A policy that is half there, unreadable, or whose
    /// text no longer matches the hash recorded with it is an error: the hook must not guess.
    pub fn read(&self) -> Result<Option<StoredPolicy>> {
        let read = |path: &Path| match std::fs::read(path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow!("cannot read {}: {e}", path.display())),
        };
        let (policy, record) = (self.policy_path(), self.record_path());
        let (text, record_text) = match (read(&policy)?, read(&record)?) {
            (None, None) => return Ok(None),
            (Some(text), Some(record)) => (text, record),
            (Some(_), None) => bail!(
                "{} is missing beside {}",
                record.display(),
                policy.display()
            ),
            (None, Some(_)) => bail!(
                "{} is missing beside {}",
                policy.display(),
                record.display()
            ),
        };
        let record_text = String::from_utf8_lossy(&record_text);
        let record = PolicyRecord::from_json(&record_text)
            .map_err(|e| anyhow!("{} cannot be read: {e}", record.display()))?;
        let actual = blob_id(&text);
        if actual != record.sha1 {
            bail!(
                "{} does not match the hash recorded when it was stored (sha1 {}, now {actual}): it was \
                 edited by hand, or is being replaced right now",
                policy.display(),
                record.sha1
            );
        }
        let text = String::from_utf8(text)
            .map_err(|_| anyhow!("{} is not valid UTF-8", policy.display()))?;
        Ok(Some(StoredPolicy { text, record }))
    }

    /// Stores `text` with its record, both or neither.
    pub fn write(&self, text: &str, record: &PolicyRecord) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create {}", self.dir.display()))?;
        // The files as they were, put back if only one of the two could be replaced.
        let before = |name: &str| std::fs::read_to_string(self.dir.join(name)).ok();
        fs::write_all(&[
            FileChange::new(
                &self.dir,
                POLICY_FILE,
                before(POLICY_FILE),
                text.to_string(),
            ),
            FileChange::new(
                &self.dir,
                RECORD_FILE,
                before(RECORD_FILE),
                record.to_json(),
            ),
        ])
    }

    /// Removes the stored policy; whether there was one.
    pub fn remove(&self) -> Result<bool> {
        let mut removed = false;
        for path in [self.policy_path(), self.record_path()] {
            match std::fs::remove_file(&path) {
                Ok(()) => removed = true,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::server_policy::PolicySource;

    #[test]
    fn blob_ids_are_gits() {
        // `printf '' | git hash-object --stdin` and `echo hello | git hash-object --stdin`.
        assert_eq!(blob_id(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assert_eq!(
            blob_id(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn a_stored_policy_reads_back_and_a_changed_one_is_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = PolicyStore::in_git_dir(dir.path());
        assert!(store.read().unwrap().is_none());
        let text = "[commits]\nconventional = \"deny\"\n";
        let record = PolicyRecord {
            source: PolicySource::File { path: "/p".into() },
            sha1: blob_id(text.as_bytes()),
            stored_by: "xtask".into(),
        };
        store.write(text, &record).unwrap();
        let stored = store.read().unwrap().unwrap();
        assert_eq!((stored.text.as_str(), &stored.record), (text, &record));

        std::fs::write(store.policy_path(), "[commits]\nconventional = \"off\"\n").unwrap();
        let error = store.read().err().unwrap().to_string();
        assert!(error.contains("does not match the hash"), "{error}");

        std::fs::remove_file(store.policy_path()).unwrap();
        let error = store.read().err().unwrap().to_string();
        assert!(error.contains("policy.toml is missing"), "{error}");
        assert!(store.remove().unwrap());
        assert!(!store.remove().unwrap());
        assert!(store.read().unwrap().is_none());
    }
}
