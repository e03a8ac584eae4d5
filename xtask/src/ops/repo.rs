//! Git reads through gix: HEAD, tags, commits since a tag, file contents at a commit, configuration.

use std::path::{Path, PathBuf};

use crate::ops::prefetch::{ReadAhead, WithReadAhead};
use anyhow::{Context, Result, anyhow, bail};
pub use gix::ObjectId;

use crate::domain::changelog::CommitInfo;
use crate::domain::conventional;
use crate::domain::rules::TagFormat;
use crate::domain::server_policy::HeadState;
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

/// [`Repo::release_tags`] from tags read once by [`Repo::peeled_tags`].
pub fn release_tags_among(tags: &[ReleaseTag], format: &TagFormat) -> Vec<ReleaseTag> {
    tags.iter()
        .filter_map(|t| {
            Some(ReleaseTag {
                version: format.version_of(&t.name)?,
                ..t.clone()
            })
        })
        .collect()
}

/// A whole history read by [`Repo::history`]: newest first, each commit's parents as indices into
/// the lists (see [`crate::domain::changelog::history`]), and what the caller's function made of each commit.
pub struct History<T> {
    pub parents: Vec<Vec<usize>>,
    pub items: Vec<T>,
    index: gix::hashtable::HashMap<ObjectId, usize>,
    /// The parents the lists leave out (hidden, or cut by a shallow clone), sorted.
    outside: Vec<ObjectId>,
}

impl<T> History<T> {
    /// The place of commit `id` in the lists, if the history has it.
    pub fn index_of(&self, id: ObjectId) -> Option<usize> {
        self.index.get(&id).copied()
    }

    /// Whether a commit of the lists has `id` as a parent that the lists leave out: for the hidden commit
    /// of [`Repo::history_since`], whether the walked tip reaches it.
    pub fn borders_on(&self, id: ObjectId) -> bool {
        self.outside.binary_search(&id).is_ok()
    }
}

impl Repo {
    /// Finds the repository containing `dir`, as git does.
    pub fn discover(dir: &Path) -> Result<Repo> {
        Repo::discover_with(dir, Default::default())
    }

    /// [`Repo::discover`], reading objects as they are stored: replace refs (`refs/replace/`) are ignored,
    /// as with `git --no-replace-objects`. The push rules read this way, so that a replace ref cannot make
    /// the object they judge differ from the one pushed.
    pub fn discover_as_stored(dir: &Path) -> Result<Repo> {
        use gix::sec::trust::DefaultForLevel;
        let options = |level| {
            gix::open::Options::default_for_level(level)
                .cli_overrides(["core.useReplaceRefs=false"])
        };
        Repo::discover_with(
            dir,
            gix::sec::trust::Mapping {
                full: options(gix::sec::Trust::Full),
                reduced: options(gix::sec::Trust::Reduced),
            },
        )
    }

    fn discover_with(
        dir: &Path,
        options: gix::sec::trust::Mapping<gix::open::Options>,
    ) -> Result<Repo> {
        let git = gix::ThreadSafeRepository::discover_opts(dir, Default::default(), options)
            .map(gix::Repository::from)
            .map_err(|e| {
            // Only here, on the way out: ask git whether a repository is there at all, so that one the kit
            // cannot open (an object format it does not read, say) is not called "no repository".
            match crate::ops::git::object_format(dir).as_deref() {
                Some("sha1") => anyhow!("cannot open the git repository at {}: {e}", dir.display()),
                Some(format) => anyhow!(
                    "the git repository at {} uses {format} object ids, which the kit does not read yet \
                     (only sha1): nothing was changed",
                    dir.display()
                ),
                None => match crate::ops::git::refusal(dir) {
                    Some(why) => anyhow!("{why}"),
                    None => anyhow!(
                        "{} is not inside a git repository: run from a work tree or pass -C <dir>",
                        dir.display()
                    ),
                },
            }
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

    /// The commit HEAD is at, or the error every command gives in a repository without commits.
    pub fn head_commit(&self) -> Result<ObjectId> {
        self.head()?.commit.ok_or_else(|| {
            anyhow::anyhow!("the repository has no commits yet: commit something first")
        })
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

    /// HEAD as it is written: the ref it names and the commit that ref resolves to, for telling a
    /// missing default branch from a detached HEAD (a bare repository's HEAD can name either).
    pub fn head_state(&self) -> Result<HeadState> {
        let head = self.git.head().context("cannot read HEAD")?;
        Ok(HeadState {
            referent: head.referent_name().map(|name| name.as_bstr().to_string()),
            commit: head.id().map(|id| id.to_string()),
        })
    }

    /// The local branches (short names) and their commits.
    pub fn branches(&self) -> Result<Vec<(String, ObjectId)>> {
        let mut out = Vec::new();
        let platform = self.git.references().context("cannot list references")?;
        for reference in platform
            .local_branches()
            .context("cannot list branches")?
            .flatten()
        {
            let name = reference.name().as_bstr().to_string();
            if let (Some(branch), Some(id)) = (name.strip_prefix("refs/heads/"), reference.try_id())
            {
                out.push((branch.to_string(), id.detach()));
            }
        }
        Ok(out)
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

    /// Whether the repository has replacement objects (`refs/replace/`, from `git replace`) that reads honour.
    fn has_replacements(&self) -> bool {
        std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_none()
            && self
                .git
                .references()
                .ok()
                .and_then(|refs| {
                    refs.prefixed("refs/replace/")
                        .ok()
                        .map(|mut r| r.next().is_some())
                })
                .unwrap_or(false)
    }

    /// The commits a shallow clone's history is cut at (their parents are not here); empty in a full clone.
    pub fn shallow_boundary(&self) -> Result<Vec<String>> {
        let shallow = self
            .git
            .shallow_commits()
            .context("cannot read the shallow file")?;
        Ok(shallow
            .map(|ids| ids.iter().map(ToString::to_string).collect())
            .unwrap_or_default())
    }

    /// Every tag that reads back into a version under `format`, peeled to its commit.
    pub fn release_tags(&self, format: &TagFormat) -> Result<Vec<ReleaseTag>> {
        self.tags_where(|name| format.version_of(name))
    }

    /// Every tag that points (through annotated tags) at a commit, for [`release_tags_among`]: read once
    /// when many tag formats are asked about (a release of many packages).
    pub fn peeled_tags(&self) -> Result<Vec<ReleaseTag>> {
        self.tags_where(|_| Some(Version::new(0, 0, 0)))
    }

    /// The tags whose name `version_of` reads a version from, peeled to their commits.
    fn tags_where(&self, version_of: impl Fn(&str) -> Option<Version>) -> Result<Vec<ReleaseTag>> {
        let mut tags = Vec::new();
        let platform = self.git.references().context("cannot list references")?;
        for reference in platform.tags().context("cannot list tags")? {
            let Ok(mut reference) = reference else {
                continue;
            };
            let full = reference.name().as_bstr().to_string();
            let name = full.strip_prefix("refs/tags/").unwrap_or(&full).to_string();
            let Some(version) = version_of(&name) else {
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

    /// When a release was made: its tag's date (the tagger's) for an annotated tag, else its commit's, in
    /// seconds since the epoch. Every place that dates a release asks this, so it has one date.
    pub fn release_time(&self, tag: &ReleaseTag) -> Result<i64> {
        let tagged = self
            .git
            .try_find_reference(format!("refs/tags/{}", tag.name).as_str())
            .ok()
            .flatten()
            .and_then(|r| r.try_id().map(|id| id.detach()));
        if tag.annotated
            && let Some(id) = tagged
            && let Ok(object) = self.git.find_object(id)
            && object.kind == gix::object::Kind::Tag
            && let Ok(decoded) = object.into_tag().decode().map(|t| t.tagger.map(|raw| raw.to_string()))
            // `Name <e-mail> 1700000000 +0000`: the seconds after the e-mail.
            && let Some(seconds) = decoded.as_deref().and_then(|raw| {
                let (_, after) = raw.rsplit_once('>')?;
                after.split_whitespace().next()?.parse::<i64>().ok()
            })
        {
            return Ok(seconds);
        }
        Ok(self.commit_info(tag.commit)?.time)
    }

    /// The short names of every tag (`v1.0.0`, `release-1.0`), in no particular order.
    pub fn tag_names(&self) -> Result<Vec<String>> {
        let platform = self.git.references().context("cannot list references")?;
        let mut names = Vec::new();
        for reference in platform.tags().context("cannot list tags")?.flatten() {
            let full = reference.name().as_bstr().to_string();
            names.push(full.strip_prefix("refs/tags/").unwrap_or(&full).to_string());
        }
        Ok(names)
    }

    /// The short names of the tags that start with `prefix` (every tag with an empty one): a lookup in the
    /// sorted refs, not a listing of all of them.
    pub fn tag_names_starting(&self, prefix: &str) -> Result<Vec<String>> {
        if prefix.is_empty() {
            return self.tag_names();
        }
        let platform = self.git.references().context("cannot list references")?;
        let full = format!("refs/tags/{prefix}");
        let mut names = Vec::new();
        for reference in platform
            .prefixed(full.as_str())
            .context("cannot list tags")?
            .flatten()
        {
            let name = reference.name().as_bstr().to_string();
            if let Some(short) = name.strip_prefix("refs/tags/")
                && short.starts_with(prefix)
            {
                names.push(short.to_string());
            }
        }
        Ok(names)
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
    ///
    /// Hooks ask this of a release tag and a branch tip, where the answer is almost always yes and the tag
    /// is usually near the tip. So the quick way goes first: walk back from `descendant`, newest commits
    /// first, until `ancestor` turns up or the commits get older than it. Only the commits above the tag
    /// are read, and the commit-graph is used when the repository has one. A "no" from that walk is
    /// confirmed by git's exact merge-base rule, so a commit dated before its parent (clocks that
    /// disagree) can make an answer slower, never wrong.
    pub fn is_ancestor(&self, ancestor: ObjectId, descendant: ObjectId) -> Result<bool> {
        if ancestor == descendant {
            return Ok(true);
        }
        let Ok(time) = self.git.find_commit(ancestor).and_then(|c| c.time()) else {
            return Ok(false);
        };
        // Walks by date look each commit up twice (to queue it by its date, then for its parents): a
        // small cache makes the second a copy.
        let mut git = self.git.clone();
        git.object_cache_size_if_unset(ANCESTRY_CACHE_BYTES);
        let walk = git
            .rev_walk([descendant])
            .sorting(gix::revision::walk::Sorting::ByCommitTimeCutoff {
                order: gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
                seconds: time.seconds,
            })
            .all();
        if let Ok(walk) = walk {
            for info in walk {
                match info {
                    Ok(info) if info.id == ancestor => return Ok(true),
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
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

    /// Every commit reachable from `head`, newest first, with its parents, each commit turned into a `T`
    /// by `make` on a second thread while this one goes on reading: on long histories, reading
    /// (inflating each commit) and parsing messages then cost about as much as reading alone.
    pub fn history<T: Send>(
        &self,
        head: ObjectId,
        make: impl Fn(CommitInfo) -> T + Sync,
    ) -> Result<History<T>> {
        self.history_since(head, None, make)
    }

    /// [`Repo::history`] without the commits reachable from `hide` (parents among them are left out of
    /// the lists, as in a shallow clone).
    pub fn history_since<T: Send>(
        &self,
        head: ObjectId,
        hide: Option<ObjectId>,
        make: impl Fn(CommitInfo) -> T + Sync,
    ) -> Result<History<T>> {
        self.history_of(&[head], hide, make)
    }

    /// [`Repo::history_since`] from several tips at once (HEAD first, then tags of other lines): one walk,
    /// each commit once.
    pub fn history_of<T: Send>(
        &self,
        tips: &[ObjectId],
        hide: Option<ObjectId>,
        make: impl Fn(CommitInfo) -> T + Sync,
    ) -> Result<History<T>> {
        let Some(&head) = tips.first() else {
            return Ok(History {
                parents: Vec::new(),
                items: Vec::new(),
                index: Default::default(),
                outside: Vec::new(),
            });
        };
        // HEAD's history first, in one walk that reads the pack in order (and ahead); then only the tips it
        // does not reach, with HEAD's history hidden. All tips at once would scatter the walk over the pack.
        let hidden: Vec<ObjectId> = hide.into_iter().collect();
        let (mut ids, mut parent_ids, mut items) = self.read_history(&[head], &hidden, &make)?;
        // Object ids are already uniformly distributed: gix's table hashes them by their first bytes.
        let mut index: gix::hashtable::HashMap<ObjectId, usize> = Default::default();
        index.reserve(ids.len());
        for (i, id) in ids.iter().enumerate() {
            index.insert(*id, i);
        }
        let mut others: Vec<ObjectId> = tips[1..]
            .iter()
            .filter(|t| !index.contains_key(*t))
            .copied()
            .collect();
        others.sort();
        others.dedup();
        if !others.is_empty() {
            let mut hidden = hidden;
            hidden.push(head);
            let (more_ids, more_parents, more_items) =
                self.read_history(&others, &hidden, &make)?;
            for id in more_ids {
                index.insert(id, ids.len());
                ids.push(id);
            }
            parent_ids.extend(more_parents);
            items.extend(more_items);
        }
        let mut outside: Vec<ObjectId> = Vec::new();
        let parents = parent_ids
            .iter()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| {
                        let found = index.get(p).copied();
                        if found.is_none() {
                            outside.push(*p);
                        }
                        found
                    })
                    .collect()
            })
            .collect();
        outside.sort();
        outside.dedup();
        Ok(History {
            parents,
            items,
            index,
            outside,
        })
    }

    /// One walk of [`Repo::history_of`]: the commits of `tips` without those of `hide`, in walk order, with
    /// their parents' ids and what `make` made of each.
    #[allow(clippy::type_complexity)]
    fn read_history<T: Send>(
        &self,
        tips: &[ObjectId],
        hide: &[ObjectId],
        make: &(impl Fn(CommitInfo) -> T + Sync),
    ) -> Result<(Vec<ObjectId>, Vec<Vec<ObjectId>>, Vec<T>)> {
        let Some(&head) = tips.first() else {
            return Ok((Vec::new(), Vec::new(), Vec::new()));
        };
        /// Commits travel in batches, so the threads meet a few hundred times, not once per commit.
        const BATCH: usize = 512;
        let kind = self.git.object_hash();
        let mut ids = Vec::new();
        let mut parent_ids: Vec<Vec<ObjectId>> = Vec::new();
        let ahead = ReadAhead::default();
        let items = std::thread::scope(|scope| -> Result<Vec<T>> {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<(ObjectId, Vec<u8>)>>(8);
            let maker = scope.spawn(move || -> Result<Vec<T>> {
                let mut items = Vec::new();
                for batch in receiver {
                    for (id, data) in batch {
                        let decoded = gix::objs::CommitRef::from_bytes(&data, kind)
                            .with_context(|| format!("cannot decode commit {id}"))?;
                        items.push(make(info_of(id, &decoded)?));
                    }
                }
                Ok(items)
            });
            // A whole history is long: a third thread reads its far end ahead (see `ops::prefetch`).
            // Replacement objects (`git replace`) are applied by the object database, not by a read straight
            // from the pack: with any, the walk reads everything itself.
            let reader = (hide.is_empty() && !self.has_replacements()).then(|| {
                let objects = self.git.common_dir().join("objects");
                let ahead = &ahead;
                scope.spawn(move || ahead.fill(&objects, kind, head))
            });
            // With hidden commits, gix reads the wanted side once to find where the sides meet and again to
            // walk it (as in `commits_since`): a cache turns the second reads into copies.
            let cached;
            let git = if hide.is_empty() {
                &self.git
            } else {
                let mut git = self.git.clone();
                git.object_cache_size_if_unset(HIDDEN_WALK_CACHE_BYTES);
                cached = git;
                &cached
            };
            let objects = WithReadAhead {
                objects: &git.objects,
                ahead: &ahead,
            };
            let mut batch = Vec::with_capacity(BATCH);
            let walked = walk_raw_in(objects, &self.git, tips, hide, |id, parents, data| {
                ids.push(id);
                parent_ids.push(parents.to_vec());
                batch.push((id, data.to_vec()));
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    // A closed channel means the maker stopped on an error: no use reading on.
                    sender
                        .send(full)
                        .map_err(|_| anyhow!("reading the history stopped"))?;
                }
                Ok(())
            });
            ahead.finish();
            if walked.is_ok() && !batch.is_empty() {
                let _ = sender.send(batch);
            }
            drop(sender);
            if let Some(reader) = reader {
                let _ = reader.join();
            }
            let made = maker
                .join()
                .map_err(|_| anyhow!("reading the history failed: a worker thread panicked"))?;
            // The maker's error first: when it failed, the walk only stopped because of it.
            let items = made?;
            walked?;
            Ok(items)
        })?;
        Ok((ids, parent_ids, items))
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

/// The object cache of [`Repo::is_ancestor`]'s walk: a few thousand commits.
const ANCESTRY_CACHE_BYTES: usize = 4 * 1024 * 1024;

/// The object cache of walks with a hidden commit (`A..B`): enough for the few thousand commits between
/// the two that gix reads twice.
const HIDDEN_WALK_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// Walks the history from `head`, breadth-first and newest first, in exactly the order of gix's `rev_walk`
/// (the same traversal underneath), handing each commit and its parents to `each`.
fn walk(
    git: &gix::Repository,
    head: ObjectId,
    hide: Option<ObjectId>,
    mut each: impl FnMut(CommitInfo, &[ObjectId]),
) -> Result<()> {
    let kind = git.object_hash();
    walk_raw(git, head, hide, |id, parents, data| {
        let decoded = gix::objs::CommitRef::from_bytes(data, kind)
            .with_context(|| format!("cannot decode commit {id}"))?;
        each(info_of(id, &decoded)?, parents);
        Ok(())
    })
}

/// [`walk`], handing over each commit's undecoded object data.
///
/// Reading a commit (finding it in a pack and inflating it) is most of the cost of a walk, and `rev_walk`
/// reads each commit for its parents only, so that looking its message up afterwards reads it a second
/// time. Here the traversal is used directly and each commit's data is taken from the traversal's own
/// buffer: one read per commit. The commit-graph is not used: every commit's message is needed anyway.
fn walk_raw(
    git: &gix::Repository,
    head: ObjectId,
    hide: Option<ObjectId>,
    each: impl FnMut(ObjectId, &[ObjectId], &[u8]) -> Result<()>,
) -> Result<()> {
    let hidden: Vec<ObjectId> = hide.into_iter().collect();
    walk_raw_in(&git.objects, git, &[head], &hidden, each)
}

/// [`walk_raw`] from several tips, reading the commits from `objects`.
fn walk_raw_in(
    objects: impl gix::objs::Find,
    git: &gix::Repository,
    tips: &[ObjectId],
    hide: &[ObjectId],
    mut each: impl FnMut(ObjectId, &[ObjectId], &[u8]) -> Result<()>,
) -> Result<()> {
    // As `rev_walk` does in a shallow clone: the parents of the shallow commits are not there, so the walk
    // stops at them (commits keep their parent ids).
    let skip = shallow_parents(git)?;
    let walk = gix::traverse::commit::Simple::filtered(
        tips.iter().copied(),
        objects,
        move |id: &gix::oid| skip.binary_search_by(|s| s.as_ref().cmp(id)).is_err(),
    );
    let mut walk = walk
        .hide(hide.iter().copied())
        .context("cannot walk the history")?;
    while let Some(info) = walk.next() {
        let info = info.context("cannot walk the history")?;
        each(info.id, &info.parent_ids, walk.commit_data())?;
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
    // `git -c i18n.commitEncoding=… commit` stores the message in that encoding and names it here.
    let encoding = decoded.encoding.map(|e| e.as_ref());
    let hex = id.to_string();
    Ok(CommitInfo {
        short_id: hex[..7.min(hex.len())].to_string(),
        id: hex,
        message: conventional::decode_text(decoded.message, encoding),
        author_name: conventional::decode_text(author.name, encoding),
        author_email: author.email.to_string(),
        time,
        parent_count: decoded.parents.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@x")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@x")
            .env_remove("GIT_DIR")
            .env_remove("GIT_NO_REPLACE_OBJECTS")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Replace refs change what a read returns; the push rules' reads ignore them.
    #[test]
    fn reads_as_stored_ignore_replace_refs() {
        let dir = tempfile::TempDir::new().unwrap();
        let dir = dir.path();
        git(dir, &["init", "--quiet"]);
        std::fs::write(dir.join("f"), "real\n").unwrap();
        git(dir, &["add", "f"]);
        git(dir, &["commit", "--quiet", "-m", "real"]);
        let real = git(dir, &["rev-parse", "HEAD"]);
        std::fs::write(dir.join("f"), "stand-in\n").unwrap();
        git(dir, &["commit", "--quiet", "--amend", "-am", "stand-in"]);
        let stand_in = git(dir, &["rev-parse", "HEAD"]);
        git(dir, &["replace", &real, &stand_in]);
        let id = ObjectId::from_hex(real.as_bytes()).unwrap();
        let read = |repo: Repo| String::from_utf8(repo.file_at(id, "f").unwrap().unwrap()).unwrap();
        assert_eq!(read(Repo::discover(dir).unwrap()), "stand-in\n");
        assert_eq!(read(Repo::discover_as_stored(dir).unwrap()), "real\n");
    }
}
