//! Git reads through gix: HEAD, tags, commits since a tag, file contents at a commit, configuration.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use gix::ObjectId;

use crate::domain::changelog::CommitInfo;
use crate::domain::rules::TagFormat;
use crate::domain::version::{self, Version};

/// An open repository.
pub struct Repo {
    pub git: gix::Repository,
}

/// Where HEAD is.
#[derive(Debug, Clone)]
pub struct Head {
    /// `None` on an unborn branch (a repository without commits).
    pub commit: Option<ObjectId>,
    /// The short branch name; `None` when detached.
    pub branch: Option<String>,
}

/// A tag that reads back into a version under `tag.format`.
#[derive(Debug, Clone)]
pub struct ReleaseTag {
    pub name: String,
    pub version: Version,
    pub commit: ObjectId,
    pub annotated: bool,
}

/// A commit with its parents, for walks over the whole history.
pub struct Node {
    pub info: CommitInfo,
    pub parents: Vec<ObjectId>,
}

impl Repo {
    /// Finds the repository containing `dir`, as git does.
    pub fn discover(dir: &Path) -> Result<Repo> {
        let git = gix::discover(dir).map_err(|_| {
            anyhow!(
                "{} is not inside a git repository: run from a work tree or pass -C <dir>",
                dir.display()
            )
        })?;
        Ok(Repo { git })
    }

    /// Opens a repository at exactly `dir` (for git hooks, which run at a known place).
    pub fn open(dir: &Path) -> Result<Repo> {
        let git = gix::open(dir)
            .with_context(|| format!("cannot open the git repository at {}", dir.display()))?;
        Ok(Repo { git })
    }

    /// The work tree's root, canonical, or an error for a bare repository.
    pub fn root(&self) -> Result<PathBuf> {
        let dir = self
            .git
            .workdir()
            .context("this is a bare repository: run the command in a work tree (a clone with checked-out files)")?;
        Ok(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()))
    }

    pub fn git_dir(&self) -> &Path {
        self.git.git_dir()
    }

    pub fn common_dir(&self) -> &Path {
        self.git.common_dir()
    }

    pub fn head(&self) -> Result<Head> {
        let head = self.git.head().context("cannot read HEAD")?;
        let branch = head.referent_name().and_then(|name| {
            let name = name.as_bstr().to_string();
            name.strip_prefix("refs/heads/").map(str::to_string)
        });
        let commit = head.id().map(|id| id.detach());
        Ok(Head { commit, branch })
    }

    /// A configuration value, as git would resolve it (repository, global, system).
    pub fn config(&self, key: &str) -> Option<String> {
        self.git
            .config_snapshot()
            .string(key)
            .map(|v| v.to_string())
    }

    pub fn is_shallow(&self) -> bool {
        self.git.is_shallow().unwrap_or(false)
    }

    /// Every tag that reads back into a version under `format`, peeled to its commit.
    pub fn release_tags(&self, format: &TagFormat) -> Result<Vec<ReleaseTag>> {
        let mut tags = Vec::new();
        let platform = self.git.references().context("cannot list references")?;
        for reference in platform.tags().context("cannot list tags")? {
            let Ok(mut reference) = reference else {
                continue;
            };
            let full = reference.name().as_bstr().to_string();
            let name = full.strip_prefix("refs/tags/").unwrap_or(&full).to_string();
            let Some(version) = format.version_of(&name) else {
                continue;
            };
            let Some(target) = reference.try_id().map(|id| id.detach()) else {
                continue;
            };
            let annotated = self
                .git
                .find_header(target)
                .map(|h| h.kind() == gix::object::Kind::Tag)
                .unwrap_or(false);
            let Ok(commit) = reference.peel_to_commit() else {
                continue;
            };
            tags.push(ReleaseTag {
                name,
                version,
                commit: commit.id,
                annotated,
            });
        }
        Ok(tags)
    }

    /// Whether the tag `name` exists.
    pub fn tag_exists(&self, name: &str) -> bool {
        self.git
            .try_find_reference(format!("refs/tags/{name}").as_str())
            .ok()
            .flatten()
            .is_some()
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is its own ancestor).
    pub fn is_ancestor(&self, ancestor: ObjectId, descendant: ObjectId) -> Result<bool> {
        if ancestor == descendant {
            return Ok(true);
        }
        match self.git.merge_base(ancestor, descendant) {
            Ok(base) => Ok(base.map(|b| b.detach()) == Some(ancestor)),
            Err(_) => Ok(false),
        }
    }

    /// The highest-versioned release tag reachable from `head`: the last release of this line.
    /// Tags are tried from the highest version down, so the common case costs one ancestry check.
    pub fn last_release<'t>(
        &self,
        tags: &'t [ReleaseTag],
        head: ObjectId,
    ) -> Result<Option<&'t ReleaseTag>> {
        let mut sorted: Vec<&ReleaseTag> = tags.iter().collect();
        sorted.sort_by(|a, b| version::release_cmp(&b.version, &a.version));
        for tag in sorted {
            if self.is_ancestor(tag.commit, head)? {
                return Ok(Some(tag));
            }
        }
        Ok(None)
    }

    /// Commits reachable from `head` but not from `hide`, newest first.
    pub fn commits_since(&self, head: ObjectId, hide: Option<ObjectId>) -> Result<Vec<CommitInfo>> {
        // With a hidden commit, gix first reads both sides back to where they meet, then walks the wanted
        // side again: a cache turns those second reads into copies.
        let cached;
        let git = match hide {
            Some(_) => {
                let mut git = self.git.clone();
                git.object_cache_size_if_unset(HIDDEN_WALK_CACHE_BYTES);
                cached = git;
                &cached
            }
            None => &self.git,
        };
        let mut commits = Vec::new();
        walk(git, head, hide, |info, _| commits.push(info))?;
        Ok(commits)
    }

    /// Every commit reachable from `head`, newest first, with parents.
    pub fn all_commits(&self, head: ObjectId) -> Result<Vec<Node>> {
        let mut nodes = Vec::new();
        walk(&self.git, head, None, |info, parents| {
            nodes.push(Node {
                info,
                parents: parents.to_vec(),
            })
        })?;
        Ok(nodes)
    }

    pub fn commit_info(&self, id: ObjectId) -> Result<CommitInfo> {
        let commit = self
            .git
            .find_commit(id)
            .with_context(|| format!("cannot read commit {id}"))?;
        let decoded = commit
            .decode()
            .with_context(|| format!("cannot decode commit {id}"))?;
        info_of(id, &decoded)
    }

    /// A file's bytes at a commit, or `None` if the commit has no such file.
    pub fn file_at(&self, commit: ObjectId, path: &str) -> Result<Option<Vec<u8>>> {
        let commit = self
            .git
            .find_commit(commit)
            .with_context(|| format!("cannot read commit {commit}"))?;
        let tree = commit.tree().context("cannot read the commit's tree")?;
        let Some(entry) = tree
            .lookup_entry_by_path(path)
            .context("cannot read the commit's tree")?
        else {
            return Ok(None);
        };
        let object = entry
            .object()
            .with_context(|| format!("cannot read {path}"))?;
        if object.kind != gix::object::Kind::Blob {
            bail!("{path} is not a file at commit {}", commit.id);
        }
        Ok(Some(object.data.clone()))
    }

    /// Resolves a revision (`v1.0.0`, `HEAD~3`, a hash) to a commit id.
    pub fn resolve(&self, spec: &str) -> Result<ObjectId> {
        let id = self
            .git
            .rev_parse_single(spec)
            .map_err(|_| anyhow!("unknown revision {spec:?}"))?;
        let commit = id
            .object()?
            .peel_to_commit()
            .map_err(|_| anyhow!("{spec:?} does not name a commit"))?;
        Ok(commit.id)
    }
}

/// The object cache of walks with a hidden commit (`A..B`): enough for the few thousand commits between
/// the two that gix reads twice.
const HIDDEN_WALK_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Walks the history from `head`, breadth-first and newest first, in exactly the order of gix's `rev_walk`
/// (the same traversal underneath), handing each commit and its parents to `each`.
///
/// Reading a commit (finding it in a pack and inflating it) is most of the cost of a walk, and `rev_walk`
/// reads each commit for its parents only, so that looking its message up afterwards reads it a second
/// time. Here the traversal is used directly and each commit is decoded from the traversal's own buffer:
/// one read per commit. The commit-graph is not used: every commit's message is needed anyway.
fn walk(
    git: &gix::Repository,
    head: ObjectId,
    hide: Option<ObjectId>,
    mut each: impl FnMut(CommitInfo, &[ObjectId]),
) -> Result<()> {
    // As `rev_walk` does in a shallow clone: the parents of the shallow commits are not there, so the walk
    // stops at them (commits keep their parent ids).
    let skip = shallow_parents(git)?;
    let walk =
        gix::traverse::commit::Simple::filtered([head], &git.objects, move |id: &gix::oid| {
            skip.binary_search_by(|s| s.as_ref().cmp(id)).is_err()
        });
    let mut walk = walk.hide(hide).context("cannot walk the history")?;
    let kind = git.object_hash();
    while let Some(info) = walk.next() {
        let info = info.context("cannot walk the history")?;
        let id = info.id;
        let decoded = gix::objs::CommitRef::from_bytes(walk.commit_data(), kind)
            .with_context(|| format!("cannot decode commit {id}"))?;
        each(info_of(id, &decoded)?, &info.parent_ids);
    }
    Ok(())
}

/// The parents of the commits a shallow clone cut its history at, sorted; empty in a complete clone.
fn shallow_parents(git: &gix::Repository) -> Result<Vec<ObjectId>> {
    let Some(shallow) = git
        .shallow_commits()
        .context("cannot read the shallow file")?
    else {
        return Ok(Vec::new());
    };
    let mut parents = Vec::new();
    for id in shallow.iter() {
        if let Ok(commit) = git.find_commit(*id) {
            parents.extend(commit.parent_ids().map(|p| p.detach()));
        }
    }
    parents.sort();
    Ok(parents)
}

fn info_of(id: ObjectId, decoded: &gix::objs::CommitRef<'_>) -> Result<CommitInfo> {
    let author = decoded
        .author()
        .with_context(|| format!("cannot read the author of commit {id}"))?;
    let time = author.time().map(|t| t.seconds).unwrap_or(0);
    let hex = id.to_string();
    Ok(CommitInfo {
        short_id: hex[..7.min(hex.len())].to_string(),
        id: hex,
        message: String::from_utf8_lossy(decoded.message).into_owned(),
        author_name: author.name.to_string(),
        author_email: author.email.to_string(),
        time,
        parent_count: decoded.parents.len(),
    })
}

/// Splits a history into release sections: each commit goes to the oldest release (by version) that contains it;
/// commits in no release are "unreleased". Each commit is visited once, so this is linear in the history.
pub fn sections<'n>(
    nodes: &'n [Node],
    tags: &[&ReleaseTag],
) -> (Vec<&'n CommitInfo>, Vec<Vec<&'n CommitInfo>>) {
    // Object ids are already uniformly distributed: gix's table hashes them by their first bytes.
    let mut index: gix::hashtable::HashMap<ObjectId, usize> = Default::default();
    index.reserve(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        if let Ok(id) = ObjectId::from_hex(n.info.id.as_bytes()) {
            index.insert(id, i);
        }
    }
    let mut owner: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut stack = Vec::new();
    for (section, tag) in tags.iter().enumerate() {
        let Some(&start) = index.get(&tag.commit) else {
            continue;
        };
        // A commit already owned was reached from an older release, and so were its ancestors.
        stack.push(start);
        while let Some(i) = stack.pop() {
            if owner[i].is_some() {
                continue;
            }
            owner[i] = Some(section);
            stack.extend(
                nodes[i]
                    .parents
                    .iter()
                    .filter_map(|p| index.get(p).copied())
                    .filter(|&p| owner[p].is_none()),
            );
        }
    }
    let mut unreleased = Vec::new();
    let mut released = vec![Vec::new(); tags.len()];
    for (i, node) in nodes.iter().enumerate() {
        match owner[i] {
            Some(section) => released[section].push(&node.info),
            None => unreleased.push(&node.info),
        }
    }
    (unreleased, released)
}
