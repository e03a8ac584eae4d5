//! `xtask verify [A..B]`: judges what a push or a pull request brings exactly as the server's pre-receive
//! hook would (commit messages, the branch name, release tags), over a range given on the command line or
//! the one the CI event names. The same judgement as the hooks (`cmd::hook`, `domain::push`), fed with a
//! range's facts instead of a hook's standard input, and the same words.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::VerifyArgs;
use crate::config::FILE_NAME;
use crate::domain::problem::Problem;
use crate::domain::push::{self, RefUpdate, Side};
use crate::domain::rules::Enforcement;
use crate::domain::server_policy;
use crate::domain::verify::{self, CiEvent, Target};
use crate::error::{AlreadyReported, UsageError};
use crate::ops::fs;
use crate::ops::push_facts::{CliObjects, Objects};
use crate::ops::repo::Repo;
use crate::ops::term;

use super::hook;

const ZERO: &str = "0000000000000000000000000000000000000000";

pub fn run(dir: &Path, args: VerifyArgs) -> Result<()> {
    let repo = Repo::discover(dir)?;
    let root = repo.root()?;
    let objects = CliObjects::new(&root)?.with_remote_branches();
    let target = match &args.range {
        Some(range) => verify::parse_range(range).map_err(UsageError)?,
        None => verify::from_ci(&ci_event(), |rev| objects.commit_of(rev).is_ok())
            .map_err(UsageError)?,
    };
    let tip = objects
        .commit_of(&target.tip)
        .map_err(|e| UsageError(format!("{e}: name a commit, branch or tag")))?;
    let base = match &target.base {
        Some(base) => Some(
            objects
                .commit_of(base)
                .map_err(|e| UsageError(format!("{e}: name a commit, branch or tag")))?,
        ),
        None => None,
    };
    // The rules of the commit the range starts from, as the server judges by the policy it pinned. For a
    // moved or deleted ref, those of the commit it was on when that is here (a release commit, normally on
    // the development branch): the commit a tag is moved to cannot bring rules that let it move.
    let was_at = target
        .change
        .as_ref()
        .filter(|c| c.old != verify::UNKNOWN)
        .and_then(|c| objects.commit_of(&c.old).ok());
    let rules_at = base.as_deref().or(was_at.as_deref()).unwrap_or(&tip);
    let text = match objects.file_at(rules_at, FILE_NAME)? {
        Some(bytes) => String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{FILE_NAME} at {} is not UTF-8", short(rules_at)))?,
        None => String::new(),
    };
    let (config, policy) = hook::usable_config(&text).with_context(|| {
        format!(
            "the {FILE_NAME} at {} (the rules the range is judged by) cannot be used",
            short(rules_at)
        )
    })?;
    let signers = match &policy.signers {
        Some(path) => objects
            .file_at(rules_at, path)?
            .map(|bytes| stage_signers(&repo, &bytes))
            .transpose()?,
        None => None,
    };

    // A deletion (of a tag, of a branch) brings no commits: the deletion alone is judged.
    let deletion = target.change.as_ref().filter(|c| push::is_zero(&c.new));
    let commits = match (&base, deletion) {
        (_, Some(_)) => Vec::new(),
        (Some(base), None) => objects.commits_listed(&[tip.as_str(), "--not", base.as_str()])?,
        (None, None) => objects.commits_listed(&["--max-count=1", tip.as_str()])?,
    };
    let branch = target
        .branch
        .clone()
        .or_else(|| local_branch(&objects, &target));
    let mut updates = Vec::new();
    if let Some(branch) = &branch {
        updates.push(RefUpdate {
            name: format!("refs/heads/{branch}"),
            old: ZERO.into(),
            new: tip.clone(),
        });
    }
    if let Some(change) = deletion {
        updates = vec![RefUpdate {
            name: change.name.clone(),
            old: change.old.clone(),
            new: change.new.clone(),
        }];
    } else {
        let mut ids: Vec<String> = commits.iter().map(|c| c.id.clone()).collect();
        ids.push(tip.clone());
        for (tag, object) in objects.tags_at(&ids)? {
            let name = format!("refs/tags/{tag}");
            // The tag the push moved is judged as the move it was; the others as new tags.
            let old = match &target.change {
                Some(change) if change.name == name => change.old.clone(),
                _ => ZERO.into(),
            };
            let new = match &target.change {
                Some(change) if change.name == name && !change.new.is_empty() => change.new.clone(),
                _ => object,
            };
            updates.push(RefUpdate { name, old, new });
        }
    }

    let judged = hook::check_updates(
        &config,
        &policy,
        &objects,
        &updates,
        Side::Server,
        signers.as_ref().map(|s| s.path.as_path()),
    );
    drop(signers);
    let mut refusals = judged?;
    let messages = server_policy::judge_new_commits(&commits, &policy.commits.types);
    match policy.commits.conventional {
        Enforcement::Deny => refusals.extend(messages),
        Enforcement::Warn => {
            for problem in &messages {
                term::warn(&problem.to_string());
            }
        }
        Enforcement::Off => {}
    }
    if let Some(bytes) = objects.file_at(&tip, FILE_NAME)?
        && let Err(e) = hook::usable_config(&String::from_utf8_lossy(&bytes))
    {
        refusals.push(Problem::new(
            "xtask.toml",
            format!("the xtask.toml at {} is invalid: {e:#}", short(&tip)),
            "fix it (`cargo xtask check` says what is wrong) and push again: every clone's hooks read \
             this file",
        ));
    }
    report(
        &target,
        branch.as_deref(),
        commits.len(),
        &updates,
        refusals,
    )
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// The CI variables, and the event file GitHub writes (a push's `before`, `after` and `deleted`, a
/// `delete` event's ref).
fn ci_event() -> CiEvent {
    let payload = std::env::var_os("GITHUB_EVENT_PATH")
        .and_then(|path| fs::read(path).ok())
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
    CiEvent::read(|name| std::env::var(name).ok(), payload.as_ref())
}

/// The tip's name as a local branch (`feature/x` in `main..feature/x`), or the current branch for `HEAD`.
fn local_branch(objects: &CliObjects, target: &Target) -> Option<String> {
    if target.tip == "HEAD" {
        return objects
            .default_branch()
            .and_then(|name| name.strip_prefix("refs/heads/").map(str::to_string));
    }
    let name = target
        .tip
        .strip_prefix("refs/heads/")
        .unwrap_or(&target.tip);
    objects
        .commit_of(&format!("refs/heads/{name}"))
        .is_ok()
        .then(|| name.to_string())
}

/// The signers file of the rules' commit, written where `git verify-tag` can read it, removed when dropped.
struct StagedSigners {
    path: PathBuf,
}

impl Drop for StagedSigners {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn stage_signers(repo: &Repo, bytes: &[u8]) -> Result<StagedSigners> {
    let dir = repo.common_dir().join("xtask");
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!(
        "verify-allowed-signers-{}",
        crate::ops::process::own_pid()
    ));
    fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(StagedSigners { path })
}

/// Prints every refusal as the hooks do (and as GitHub annotations in GitHub Actions), or what was judged.
fn report(
    target: &Target,
    branch: Option<&str>,
    commits: usize,
    updates: &[RefUpdate],
    refusals: Vec<Problem>,
) -> Result<()> {
    if let Some(change) = &target.change {
        let done = if push::is_zero(&change.new) {
            "deleted"
        } else {
            "moved"
        };
        let what = format!("{} {done}", change.name);
        return conclude(&what, refusals);
    }
    let what = format!(
        "{}{}, {} commit{}{}",
        target
            .base
            .as_deref()
            .map(|b| format!("{b}.."))
            .unwrap_or_default(),
        target.tip,
        commits,
        if commits == 1 { "" } else { "s" },
        match (
            branch,
            updates
                .iter()
                .filter(|u| u.name.starts_with("refs/tags/"))
                .count()
        ) {
            (Some(b), 0) => format!(", branch {b}"),
            (Some(b), tags) => format!(", branch {b}, {tags} tag(s)"),
            (None, 0) => String::new(),
            (None, tags) => format!(", {tags} tag(s)"),
        }
    );
    conclude(&what, refusals)
}

fn conclude(what: &str, refusals: Vec<Problem>) -> Result<()> {
    if refusals.is_empty() {
        term::step(&format!("verified {what}: nothing refused"));
        return Ok(());
    }
    let annotate = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    for problem in &refusals {
        term::error(&problem.to_string());
        if annotate {
            term::out(&verify::annotation(problem));
        }
    }
    term::error(&format!(
        "verify {what}: {} refused, as the server's pre-receive hook would",
        refusals.len()
    ));
    Err(AlreadyReported.into())
}
