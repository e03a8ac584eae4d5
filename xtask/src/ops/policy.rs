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
/// The allowed-signers file the policy's `release.signers` names, as it was when the policy was stored.
pub const SIGNERS_FILE: &str = "allowed-signers";

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

    pub fn signers_path(&self) -> PathBuf {
        self.dir.join(SIGNERS_FILE)
    }

    /// The stored signers file, checked against the hash in `record`: the path to verify tags against.
    pub fn signers(&self, record: &PolicyRecord) -> Result<PathBuf> {
        let path = self.signers_path();
        let expected = record
            .signers_sha1
            .as_deref()
            .ok_or_else(|| anyhow!("no signers file was stored with the policy"))?;
        let bytes =
            std::fs::read(&path).map_err(|e| anyhow!("cannot read {}: {e}", path.display()))?;
        let actual = blob_id(&bytes);
        if actual != expected {
            bail!(
                "{} does not match the hash recorded when it was stored (sha1 {expected}, now {actual})",
                path.display()
            );
        }
        Ok(path)
    }

    /// The stored signers file's text, if there is one (for comparing with a new policy's).
    pub fn signers_text(&self) -> Option<String> {
        std::fs::read_to_string(self.signers_path()).ok()
    }

    /// Stores the signers file that goes with the policy about to be written, or removes a stale one.
    /// Written before the policy's record: until the record names its hash, the hook refuses it.
    pub fn write_signers(&self, signers: Option<&str>) -> Result<()> {
        let path = self.signers_path();
        match signers {
            Some(text) => {
                std::fs::create_dir_all(&self.dir)
                    .with_context(|| format!("cannot create {}", self.dir.display()))?;
                let before = std::fs::read_to_string(&path).ok();
                fs::write_all(&[FileChange::new(
                    &self.dir,
                    SIGNERS_FILE,
                    before,
                    text.to_string(),
                )])
            }
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(e).with_context(|| format!("cannot remove {}", path.display()))
                }
                _ => Ok(()),
            },
        }
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
        for path in [self.policy_path(), self.record_path(), self.signers_path()] {
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
            signers_sha1: None,
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

        // A signers file is trusted only with the hash its record names.
        let signers = "maint@example.org ssh-ed25519 AAAA\n";
        store.write_signers(Some(signers)).unwrap();
        let signed = PolicyRecord {
            signers_sha1: Some(blob_id(signers.as_bytes())),
            ..record.clone()
        };
        store.write(text, &signed).unwrap();
        let stored = store.read().unwrap().unwrap();
        assert_eq!(store.signers(&stored.record).unwrap(), store.signers_path());
        let error = store.signers(&record).err().unwrap().to_string();
        assert!(error.contains("no signers file was stored"), "{error}");
        std::fs::write(store.signers_path(), "someone ssh-ed25519 BBBB\n").unwrap();
        let error = store.signers(&stored.record).err().unwrap().to_string();
        assert!(error.contains("does not match the hash"), "{error}");
        store.write_signers(None).unwrap();
        assert!(!store.signers_path().exists());
        assert!(store.remove().unwrap());
        assert!(store.read().unwrap().is_none());
    }
}
