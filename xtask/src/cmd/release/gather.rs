//! Gathering what a release decides on: the snapshot (version files, tags, commits, the work tree), one
//! package's or, with the facts they share read once, each of several packages'.

use anyhow::{Result, anyhow};

use crate::cmd::Project;
use crate::domain::release::decide::{Settings, Snapshot};
use crate::domain::shell;
use crate::domain::version::{self, Scheme};
use crate::notes;
use crate::ops::git::Git;
use crate::ops::repo::ObjectId;
use crate::ops::term;
use crate::version_files;

/// What every package's snapshot shares: read once per command, not once per package.
pub(super) struct Common {
    dirty: Vec<String>,
    tags: Vec<String>,
    /// Every tag, peeled ([`crate::ops::repo::Repo::peeled_tags`]): each package picks its release tags.
    peeled: Vec<crate::ops::repo::ReleaseTag>,
    /// The commit ranges (`prev..x`) the snapshots asked for, in order, each left empty in its snapshot: the
    /// caller reads them all in one walk (see `release_packages::read_commits`).
    deferred: std::cell::RefCell<Vec<(ObjectId, Option<ObjectId>)>>,
    /// Every package's tag format: a package never released is not told that its siblings' tags "look like
    /// releases named another way".
    pub(super) formats: Vec<crate::domain::rules::TagFormat>,
}

impl Common {
    pub(super) fn read(git: &Git, repo: &crate::ops::repo::Repo) -> Result<Common> {
        Ok(Common {
            dirty: git.dirty_files()?,
            tags: all_tags(git)?,
            peeled: repo.peeled_tags()?,
            deferred: Default::default(),
            formats: Vec::new(),
        })
    }

    /// The ranges asked for since the last call: a snapshot's `commits`, then, after a pre-release, its
    /// `commits_since_final` (without it, `commits_since_final` is `commits`).
    pub(super) fn take_deferred(&self) -> Vec<(ObjectId, Option<ObjectId>)> {
        std::mem::take(&mut self.deferred.borrow_mut())
    }
}

/// The commits of a release range ([`notes::in_range`]); with `common`, only noted for one walk later.
pub(super) fn commits_in(
    common: Option<&Common>,
    repo: &crate::ops::repo::Repo,
    x: ObjectId,
    prev: Option<ObjectId>,
    kit: &[regex_lite::Regex],
) -> Result<Vec<crate::domain::changelog::CommitInfo>> {
    match common {
        Some(common) => {
            common.deferred.borrow_mut().push((x, prev));
            Ok(Vec::new())
        }
        None => notes::in_range(repo, x, prev, kit),
    }
}

/// Reads everything the checks need; changes nothing (with `dry_run`, not even a shallow clone's fetch).
pub(crate) fn snapshot(
    p: &Project,
    git: &Git,
    force: bool,
    dry_run: bool,
) -> Result<(Snapshot, Settings)> {
    snapshot_with(p, git, force, dry_run, None)
}

/// [`snapshot`] with the facts every package shares already read (`None`: read them here). With them, the
/// snapshot's commits are left empty and their ranges noted in `common`, for one walk of all packages.
pub(super) fn snapshot_with(
    p: &Project,
    git: &Git,
    force: bool,
    dry_run: bool,
    common: Option<&Common>,
) -> Result<(Snapshot, Settings)> {
    let config = &p.config;
    let policy = p.policy()?;
    let tag_format = policy.tag_format()?.clone();
    let files = version_files::version_files(config)?;
    if p.repo.is_shallow() {
        deepen(p, git, dry_run)?;
    }
    let head = p.repo.head()?;
    let branch = head.branch.clone().or_else(|| ci_branch(p, head.commit));
    let current = match version_files::current_version(&p.root, &files) {
        Ok((v, _)) => Ok(v),
        Err(e) => Err(format!("{e:#}")),
    };
    // When the files disagree, the first (authoritative) file's version lets the other checks run too.
    let first_file = match (&current, files.first()) {
        (Err(_), Some(first)) => version_files::read_file(&p.root, &first.path)
            .and_then(|text| version_files::read_text(first, &text))
            .ok()
            .map(|r| r.parsed),
        _ => None,
    };
    let (last_release, last_final, commits, commits_since_final, tags) = match head.commit {
        Some(commit) => {
            // Which commits a release is about: one definition (domain::release::commits), shared with
            // `changelog` and `version --next`.
            let tags = match common {
                Some(common) => crate::ops::repo::release_tags_among(&common.peeled, &tag_format),
                None => p.repo.release_tags(&tag_format)?,
            };
            let branch_version = current.as_ref().ok().or(first_file.as_ref());
            let kit = notes::options(config)?.skip_subjects;
            let last = notes::base(&p.repo, &tags, commit, branch_version, false)?;
            if last.is_none() {
                let others = common.map_or(&[][..], |common| common.formats.as_slice());
                notes::warn_without_release_among(&p.repo, &tag_format, others)?;
            }
            let commits = commits_in(
                common,
                &p.repo,
                commit,
                last.as_ref().map(|t| t.commit),
                &kit,
            )?;
            // After a pre-release, a final release reaches back to the last final one.
            let (last_final, commits_since_final) = match &last {
                Some(tag) if !tag.version.is_final() => {
                    let last_final = notes::base(&p.repo, &tags, commit, branch_version, true)?;
                    let since = commits_in(
                        common,
                        &p.repo,
                        commit,
                        last_final.as_ref().map(|t| t.commit),
                        &kit,
                    )?;
                    (last_final, since)
                }
                _ => (last.clone(), commits.clone()),
            };
            (
                last.map(|t| (t.name, t.version)),
                last_final.map(|t| (t.name, t.version)),
                commits,
                commits_since_final,
                match common {
                    // A sibling package's tags are not this package's releases (nor its releases
                    // named another way).
                    Some(common) => common
                        .tags
                        .iter()
                        .filter(|tag| {
                            tag_format.version_of(tag).is_some()
                                || !common.formats.iter().any(|f| f.version_of(tag).is_some())
                        })
                        .cloned()
                        .collect(),
                    None => all_tags(git)?,
                },
            )
        }
        None => (None, None, Vec::new(), Vec::new(), Vec::new()),
    };
    let identity = match (p.repo.config("user.name"), p.repo.config("user.email")) {
        (Some(name), Some(email)) if !name.is_empty() && !email.is_empty() => Some((name, email)),
        _ => None,
    };
    let snapshot = Snapshot {
        head: head.commit.map(|c| c.to_string()),
        branch,
        dirty: match common {
            Some(common) => common.dirty.clone(),
            None => git.dirty_files()?,
        },
        current,
        first_file,
        last_release,
        last_final,
        tags,
        commits,
        commits_since_final,
        identity,
        deprecations: Vec::new(),
    };
    let settings = Settings {
        branches: policy.release_branches.clone(),
        maintainers: policy.maintainers.clone(),
        tag_format,
        file_schemes: files.iter().map(|f| (f.path.clone(), f.scheme)).collect(),
        line: Some(policy.line_branch.clone()),
        force,
        dry_run,
        deprecation: policy.deprecation,
        patch_types: policy.commits.patch_types.clone(),
    };
    Ok((snapshot, settings))
}

pub(super) fn all_tags(git: &Git) -> Result<Vec<String>> {
    Ok(git
        .raw(&["tag", "--list"])?
        .lines()
        .map(str::to_string)
        .collect())
}

/// On a detached HEAD in CI, the branch named by the CI's environment, if that branch is at HEAD.
pub(super) fn ci_branch(p: &Project, head: Option<crate::ops::repo::ObjectId>) -> Option<String> {
    let head = head?;
    [
        "GITHUB_REF_NAME",
        "CI_COMMIT_BRANCH",
        "BUILDKITE_BRANCH",
        "CIRCLE_BRANCH",
        "BRANCH_NAME",
    ]
    .iter()
    .find_map(|var| {
        let name = std::env::var(var).ok().filter(|n| !n.is_empty())?;
        let at_head = [
            format!("refs/heads/{name}"),
            format!("refs/remotes/origin/{name}"),
        ]
        .iter()
        .any(|r| p.repo.resolve(r).ok() == Some(head));
        at_head.then_some(name)
    })
}

/// A shallow clone hides the history since the last release: fetch it back to the last release tag when a
/// remote answers, or say exactly what to run. A dry run changes nothing, so it fetches nothing either: it
/// says what a release would fetch, and that its plan may be missing commits.
pub(super) fn deepen(p: &Project, git: &Git, dry_run: bool) -> Result<()> {
    let remote = p.config.remote().to_string();
    let quoted = shell::quote(&remote);
    let command = format!("git fetch --tags --unshallow {quoted}");
    if dry_run {
        term::warn(&format!(
            "shallow clone: this dry run fetches nothing, so the changelog and level below may miss commits; \
             a release would run `git fetch --tags --depth=1 {quoted}` and then \
             `git fetch --shallow-exclude=<newest release tag> {quoted}` (or `{command}`)"
        ));
        return Ok(());
    }
    if git.remotes()?.contains(&remote) {
        term::note(&format!(
            "shallow clone: fetching the history and tags from {remote}"
        ));
        // Release tags first, so we can deepen only back to the newest of them.
        let _ = git.fetch(&["--tags", "--depth=1", &remote]);
        let tags = p.repo.release_tags(p.policy()?.tag_format()?)?;
        let newest = tags
            .iter()
            .max_by(|a, b| version::release_cmp(&a.version, &b.version));
        let (fetched, what) = match newest {
            Some(tag) => (
                git.fetch(&[&format!("--shallow-exclude={}", tag.name), &remote]),
                format!(
                    "the tags and the history back to {} from {remote}",
                    tag.name
                ),
            ),
            None => (
                git.fetch(&["--unshallow", &remote]),
                format!("the tags and the whole history from {remote}"),
            ),
        };
        if fetched.is_ok() {
            let _ = FETCHED.set(format!("fetched {what}, as `git fetch` would"));
            return Ok(());
        }
    }
    Err(anyhow!(
        "this is a shallow clone, so the commits since the last release are not all here and the changelog and \
         version level would be wrong: run `{command}` (in GitHub Actions: actions/checkout with fetch-depth: 0)"
    ))
}

/// How the project spells versions: the tags' scheme (`tag.scheme`, else the first file's).
pub(super) fn snapshot_scheme(p: &Project) -> Result<Scheme> {
    Ok(p.policy()?.tag_format()?.scheme())
}

/// What this run fetched into a shallow clone before its checks, if it did: a refusal after that has not
/// left the repository as it was, and says so instead of "nothing was changed".
pub(super) static FETCHED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
