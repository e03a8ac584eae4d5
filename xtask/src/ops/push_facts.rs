//! The object reads the push rules need (see `domain::push`): through gix on the client, through git on the
//! server, where a push's new objects sit in git's quarantine directory, which only git itself reads.

use std::path::Path;

use anyhow::{Context, Result, anyhow};

use crate::domain::server_policy::NewCommit;
use crate::ops::repo::Repo;

/// The few object reads the push rules need; gix on the client, git on the server (where new objects sit in
/// git's quarantine directory, which only git itself reads).
pub trait Objects {
    /// For an annotated tag, the commit it points at (peeled) and the tagger's e-mail; `None` for any other
    /// object (a lightweight tag). One read of the tag object: hooks run on every push.
    fn annotated_tag(&self, oid: &str) -> Result<Option<(String, String)>>;
    fn file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>>;
    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool>;
    /// Local branches and their commits.
    fn branches(&self) -> Result<Vec<(String, String)>>;
}

pub struct GixObjects<'r> {
    repo: &'r Repo,
}

impl<'r> GixObjects<'r> {
    pub fn new(repo: &'r Repo) -> GixObjects<'r> {
        GixObjects { repo }
    }
}

fn oid(hex: &str) -> Result<gix::ObjectId> {
    gix::ObjectId::from_hex(hex.as_bytes()).map_err(|_| anyhow!("{hex:?} is not an object id"))
}

impl Objects for GixObjects<'_> {
    fn annotated_tag(&self, id: &str) -> Result<Option<(String, String)>> {
        let object = self
            .repo
            .git
            .find_object(oid(id)?)
            .context("cannot read the tag")?;
        if object.kind != gix::object::Kind::Tag {
            return Ok(None);
        }
        let tag = object.into_tag();
        let decoded = tag.decode().context("cannot read the tag")?;
        // The e-mail between `<` and `>` of the raw header, as git writes it (decoding the signature would
        // build a Unicode table to trim the name, a tenth of the hook's time).
        let tagger = decoded
            .tagger
            .and_then(|raw| {
                let raw = String::from_utf8_lossy(raw.as_ref());
                let (_, rest) = raw.split_once('<')?;
                Some(rest.split_once('>')?.0.to_string())
            })
            .unwrap_or_default();
        // The usual tag names a commit, which then needs no read; a tag of a tag is peeled.
        let target = oid(&decoded.target.to_string())?;
        let commit = if decoded.target_kind == gix::object::Kind::Commit {
            target
        } else {
            self.repo
                .git
                .find_object(target)?
                .peel_to_commit()
                .context("the tag does not point at a commit")?
                .id
        };
        Ok(Some((commit.to_string(), tagger)))
    }

    fn file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
        self.repo.file_at(oid(commit)?, path)
    }

    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        self.repo.is_ancestor(oid(ancestor)?, oid(descendant)?)
    }

    fn branches(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for r in self.repo.git.references()?.local_branches()?.flatten() {
            let name = r.name().as_bstr().to_string();
            if let (Some(b), Some(id)) = (name.strip_prefix("refs/heads/"), r.try_id()) {
                out.push((b.to_string(), id.to_string()));
            }
        }
        Ok(out)
    }
}

/// Object reads through git itself, which sees the objects of a push still in quarantine.
pub struct CliObjects {
    git: crate::ops::git::Git,
}

impl CliObjects {
    pub fn new(dir: &Path) -> Result<CliObjects> {
        Ok(CliObjects {
            git: crate::ops::git::Git::new(dir)?,
        })
    }

    /// The ref HEAD names: the default branch of a bare repository.
    pub fn default_branch(&self) -> Option<String> {
        self.git
            .raw(&["symbolic-ref", "--quiet", "HEAD"])
            .ok()
            .map(|name| name.trim().to_string())
    }

    /// The commits reachable from `tips` and from no existing branch, read in two git calls whatever
    /// their number: their ids, then the objects themselves, decoded as the gix readers decode them.
    pub fn new_commits(&self, tips: &[&str]) -> Result<Vec<NewCommit>> {
        let mut args = vec!["rev-list"];
        args.extend_from_slice(tips);
        args.extend(["--not", "--branches"]);
        let ids = self.git.raw(&args)?;
        if ids.trim().is_empty() {
            return Ok(Vec::new());
        }
        let batch = self
            .git
            .raw_bytes(&["cat-file", "--batch"], ids.as_bytes())?;
        read_commits(&batch)
    }
}

impl Objects for CliObjects {
    fn annotated_tag(&self, id: &str) -> Result<Option<(String, String)>> {
        if self.git.raw(&["cat-file", "-t", id])?.trim() != "tag" {
            return Ok(None);
        }
        let commit = self
            .git
            .raw(&["rev-parse", "--verify", &format!("{id}^{{commit}}")])?
            .trim()
            .to_string();
        let text = self.git.raw(&["cat-file", "tag", id])?;
        let tagger = text
            .lines()
            .find_map(|l| l.strip_prefix("tagger "))
            .and_then(|t| {
                let (_, email) = t.split_once('<')?;
                Some(email.split_once('>')?.0.to_string())
            })
            .unwrap_or_default();
        Ok(Some((commit, tagger)))
    }

    fn file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .git
            .raw(&["cat-file", "blob", &format!("{commit}:{path}")])
            .ok()
            .map(String::into_bytes))
    }

    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        Ok(self
            .git
            .raw(&["merge-base", "--is-ancestor", ancestor, descendant])
            .is_ok())
    }

    fn branches(&self) -> Result<Vec<(String, String)>> {
        let out = self.git.raw(&[
            "for-each-ref",
            "--format=%(refname:strip=2) %(objectname)",
            "refs/heads/",
        ])?;
        Ok(out
            .lines()
            .filter_map(|l| {
                l.rsplit_once(' ')
                    .map(|(n, o)| (n.to_string(), o.to_string()))
            })
            .collect())
    }
}

/// Decodes `git cat-file --batch` output (`<id> <type> <size>\n<bytes>\n`, repeated) holding commits.
fn read_commits(mut batch: &[u8]) -> Result<Vec<NewCommit>> {
    let mut commits = Vec::new();
    while !batch.is_empty() {
        let end = batch
            .iter()
            .position(|b| *b == b'\n')
            .context("cannot read git's object listing: a header line is cut short")?;
        let (header, rest) = batch.split_at(end);
        let header = String::from_utf8_lossy(header);
        let mut fields = header.split(' ');
        let (Some(id), Some(kind), Some(size)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(anyhow!("cannot read git's object listing: {header:?}"));
        };
        let size: usize = size
            .parse()
            .map_err(|_| anyhow!("cannot read git's object listing: {header:?}"))?;
        let data = rest
            .get(1..1 + size)
            .with_context(|| format!("cannot read git's object listing: {id} is cut short"))?;
        batch = rest.get(size + 2..).unwrap_or_default();
        if kind != "commit" {
            return Err(anyhow!("{id} is a {kind}, not a commit"));
        }
        let hash = gix::hash::Kind::from_hex_len(id.len()).unwrap_or(gix::hash::Kind::Sha1);
        let decoded = gix::objs::CommitRef::from_bytes(data, hash)
            .with_context(|| format!("cannot decode commit {id}"))?;
        commits.push(NewCommit {
            id: id.to_string(),
            parent_count: decoded.parents.len(),
            message: String::from_utf8_lossy(decoded.message).into_owned(),
        });
    }
    Ok(commits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_object_listings_are_read_by_size_not_by_line() {
        let first = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nwip\n\0\nfake 1\n";
        let second = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nMerge\n";
        let mut batch = Vec::new();
        for (id, data) in [("a".repeat(40), &first[..]), ("b".repeat(40), &second[..])] {
            batch.extend_from_slice(format!("{id} commit {}\n", data.len()).as_bytes());
            batch.extend_from_slice(data);
            batch.push(b'\n');
        }
        let commits = read_commits(&batch).unwrap();
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].message, "wip\n\0\nfake 1\n");
        assert_eq!(commits[0].parent_count, 0);
        assert_eq!(commits[1].parent_count, 2);
        assert!(read_commits(&batch[..batch.len() - 5]).is_err());
        assert!(read_commits(b"abc missing\n").is_err());
    }
}
