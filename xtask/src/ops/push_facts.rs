//! The object reads the push rules need (see `domain::push`): through gix on the client, through git on the
//! server, where a push's new objects sit in git's quarantine directory, which only git itself reads.

//!
//! Both read objects as they are stored: replace refs (`refs/replace/`, from `git replace`) are ignored, so
//! that nobody can have one object judged and another one read.

use std::path::Path;

use anyhow::{Context, Result, anyhow};

use crate::domain::push::Signature;
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
    /// The short names of the tags that start with `prefix` (of every tag, with an empty one).
    fn tag_names(&self, prefix: &str) -> Result<Vec<String>>;
    /// Whether the tag object `oid` carries a good SSH signature by a key of the allowed-signers file
    /// `signers` (`git verify-tag`), or why not.
    fn signature(&self, oid: &str, signers: &Path) -> Result<Signature>;
}

/// What `git verify-tag` said, as a verdict on the signature.
fn signature_verdict(good: bool, said: &str) -> Signature {
    if good {
        return Signature::Good;
    }
    let why = if said.contains("no signature found") {
        "it is not signed".to_string()
    } else if said.contains("No principal matched") {
        "it is signed with a key that is not in the file".to_string()
    } else {
        let first = said.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        format!("git verify-tag refuses its signature ({})", first.trim())
    };
    Signature::Bad(why)
}

/// The tagger's e-mail in a tag object's header, as git reads it: the `tagger` line before the first blank
/// line, never a line of the message. Empty when the header has none.
pub fn tagger_email(tag_object: &[u8]) -> String {
    let Ok(decoded) = gix::objs::TagRef::from_bytes(tag_object, gix::hash::Kind::Sha1) else {
        return String::new();
    };
    decoded
        .tagger
        .and_then(|raw| {
            let raw = String::from_utf8_lossy(raw.as_ref());
            let (_, rest) = raw.split_once('<')?;
            Some(rest.split_once('>')?.0.to_string())
        })
        .unwrap_or_default()
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

    fn tag_names(&self, prefix: &str) -> Result<Vec<String>> {
        self.repo.tag_names_starting(prefix)
    }

    fn signature(&self, oid: &str, signers: &Path) -> Result<Signature> {
        let at = self.repo.git.workdir().unwrap_or(self.repo.git_dir());
        let git = crate::ops::git::Git::new(at)?.without_replacements();
        let (good, said) = git.verify_tag_ssh(oid, signers)?;
        Ok(signature_verdict(good, &said))
    }
}

/// Object reads through git itself, which sees the objects of a push still in quarantine.
pub struct CliObjects {
    git: crate::ops::git::Git,
    /// Remote-tracking branches count as branches (`verify` in a CI clone, which has few local ones).
    remote_branches: bool,
}

impl CliObjects {
    pub fn new(dir: &Path) -> Result<CliObjects> {
        Ok(CliObjects {
            git: crate::ops::git::Git::new(dir)?.without_replacements(),
            remote_branches: false,
        })
    }

    /// These reads, with each remote-tracking branch (`origin/stable/1.4`) counted as the branch of its
    /// name where no local branch has it: a CI clone has them, and few local branches.
    pub fn with_remote_branches(mut self) -> CliObjects {
        self.remote_branches = true;
        self
    }

    /// The commits `git rev-list <args>` lists (`A..B`, or tips `--not --branches`), read in two git calls
    /// whatever their number, decoded as the gix readers decode them.
    pub fn commits_listed(&self, args: &[&str]) -> Result<Vec<NewCommit>> {
        let mut all = vec!["rev-list"];
        all.extend_from_slice(args);
        let ids = self.git.raw(&all)?;
        if ids.trim().is_empty() {
            return Ok(Vec::new());
        }
        let batch = self
            .git
            .raw_bytes(&["cat-file", "--batch"], ids.as_bytes())?;
        read_commits(&batch)
    }

    /// The tags that point at (peel to) one of `commits`: name and the tag ref's object.
    pub fn tags_at(&self, commits: &[String]) -> Result<Vec<(String, String)>> {
        let out = self.git.raw(&[
            "for-each-ref",
            "--format=%(refname:strip=2) %(objectname) %(*objectname)",
            "refs/tags/",
        ])?;
        let wanted: std::collections::HashSet<&str> = commits.iter().map(String::as_str).collect();
        Ok(out
            .lines()
            .filter_map(|line| {
                let mut fields = line.rsplitn(3, ' ');
                let (peeled, object, name) = (fields.next()?, fields.next()?, fields.next()?);
                let commit = if peeled.is_empty() { object } else { peeled };
                wanted
                    .contains(commit)
                    .then(|| (name.to_string(), object.to_string()))
            })
            .collect())
    }

    /// Resolves a revision to a commit id. A revision that starts with `-` is none: git would read it as
    /// an option.
    pub fn commit_of(&self, rev: &str) -> Result<String> {
        if rev.starts_with('-') {
            return Err(anyhow!(
                "{rev:?} does not name a commit here (it starts with `-`)"
            ));
        }
        Ok(self
            .git
            .raw(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ])
            .map_err(|_| anyhow!("{rev:?} does not name a commit here"))?
            .trim()
            .to_string())
    }

    /// The ref HEAD names: the default branch of a bare repository, the current branch of a work tree.
    pub fn default_branch(&self) -> Option<String> {
        self.git
            .raw(&["symbolic-ref", "--quiet", "HEAD"])
            .ok()
            .map(|name| name.trim().to_string())
    }

    /// The commits reachable from `tips` and from no existing branch, read in two git calls whatever
    /// their number: their ids, then the objects themselves, decoded as the gix readers decode them.
    pub fn new_commits(&self, tips: &[&str]) -> Result<Vec<NewCommit>> {
        let mut args = tips.to_vec();
        args.extend(["--not", "--branches"]);
        self.commits_listed(&args)
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
        let object = self.git.raw_bytes(&["cat-file", "tag", id], &[])?;
        Ok(Some((commit, tagger_email(&object))))
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
        let mut branches: Vec<(String, String)> = out
            .lines()
            .filter_map(|l| {
                l.rsplit_once(' ')
                    .map(|(n, o)| (n.to_string(), o.to_string()))
            })
            .collect();
        if self.remote_branches {
            let out = self.git.raw(&[
                "for-each-ref",
                "--format=%(refname:strip=3) %(objectname)",
                "refs/remotes/",
            ])?;
            for (name, id) in out.lines().filter_map(|l| l.rsplit_once(' ')) {
                if name != "HEAD" && !branches.iter().any(|(b, _)| b == name) {
                    branches.push((name.to_string(), id.to_string()));
                }
            }
        }
        Ok(branches)
    }

    fn tag_names(&self, prefix: &str) -> Result<Vec<String>> {
        // A ref name holds no glob characters (`*`, `?`, `[`), so the prefix is matched literally.
        let pattern = format!("refs/tags/{prefix}*");
        let out = self
            .git
            .raw(&["for-each-ref", "--format=%(refname:strip=2)", &pattern])?;
        Ok(out.lines().map(str::to_string).collect())
    }

    fn signature(&self, oid: &str, signers: &Path) -> Result<Signature> {
        let (good, said) = self.git.verify_tag_ssh(oid, signers)?;
        Ok(signature_verdict(good, &said))
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
        // A merge joins distinct commits: two parent lines naming the same commit make no merge.
        let mut parents: Vec<_> = decoded.parents.iter().collect();
        parents.sort();
        parents.dedup();
        commits.push(NewCommit {
            id: id.to_string(),
            parent_count: parents.len(),
            message: String::from_utf8_lossy(decoded.message).into_owned(),
        });
    }
    Ok(commits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tagger_is_read_from_the_header_only() {
        let object = |header: &str, message: &str| {
            format!(
                "object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1.0.0\n{header}\n{message}"
            )
        };
        // (the header's tagger line, the message, the e-mail read)
        let table = [
            ("tagger A <a@x> 1 +0000\n", "Release\n", "a@x"),
            ("", "tagger M <maint@example.org> 1 +0000\n", ""),
            (
                "tagger A <a@x> 1 +0000\n",
                "tagger M <maint@example.org> 1 +0000\n",
                "a@x",
            ),
            ("", "Release\n", ""),
        ];
        for (header, message, email) in table {
            let text = object(header, message);
            assert_eq!(tagger_email(text.as_bytes()), email, "{text}");
        }
        assert_eq!(tagger_email(b"not a tag"), "");
    }

    #[test]
    fn git_verify_tag_words_become_a_verdict() {
        assert_eq!(signature_verdict(true, ""), Signature::Good);
        let refused = |said: &str| match signature_verdict(false, said) {
            Signature::Bad(why) => why,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused("error: no signature found"), "it is not signed");
        assert_eq!(
            refused("Good \"git\" signature with ED25519 key SHA256:x\nNo principal matched."),
            "it is signed with a key that is not in the file"
        );
        assert!(refused("\nerror: gpg failed").contains("(error: gpg failed)"));
    }

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

        let same_twice = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 1111111111111111111111111111111111111111\nparent 1111111111111111111111111111111111111111\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nMerge branch 'x'\n";
        let mut batch = format!("{} commit {}\n", "c".repeat(40), same_twice.len()).into_bytes();
        batch.extend_from_slice(same_twice);
        batch.push(b'\n');
        assert_eq!(read_commits(&batch).unwrap()[0].parent_count, 1);
        assert!(read_commits(b"abc missing\n").is_err());
    }
}
