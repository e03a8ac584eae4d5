//! After the local steps: the push (taken back when the branch is protected, or left for the user to retry
//! when it fails otherwise), the note on publishing by hand, `GITHUB_OUTPUT`, the JSON summary and the
//! `release.post` commands. One package's release and several packages' share it.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::packages::{run_post, skipped_post};
use super::show;
use crate::cli::{Format, ReleaseArgs};
use crate::domain::forge;
use crate::domain::release::steps::{self, ReleasePlan, Step};
use crate::error::AlreadyReported;
use crate::exec;
use crate::ops::git::Git;
use crate::ops::term;

/// What a finished release shows: one package's plan, or several packages' plans.
pub(super) enum Released<'a> {
    One(&'a ReleasePlan),
    Packages(&'a [(String, ReleasePlan)]),
}

impl Released<'_> {
    fn github_output(&self) -> Result<()> {
        match self {
            Released::One(release) => show::github_output(release),
            Released::Packages(plans) => show::github_output_of_packages(plans),
        }
    }

    fn summary(&self, pushed: bool) -> serde_json::Value {
        match self {
            Released::One(release) => show::summary(release, pushed),
            Released::Packages(plans) => show::summary_of_packages(plans, pushed),
        }
    }
}

/// How the release's refs are published once its local steps are done.
pub(super) struct Publishing<'a> {
    /// The release's steps: the push and the post commands among them.
    pub steps: &'a [Step],
    /// The journal of the local steps, to take them back when a protected branch refuses the push.
    pub journal: &'a exec::Journal,
    /// The branch released on; `None` on a detached HEAD.
    pub branch: Option<&'a str>,
    /// Whether a refusal as protected takes the release back (not with `--keep-journal`, nor detached).
    pub take_back: bool,
    /// The command that releases through review instead, named when the branch is protected.
    pub through_review: String,
    /// Without a push: the remote and the refspecs the user would push.
    pub remote: &'a str,
    pub refspecs: Vec<String>,
}

/// Pushes (when the release pushes), then writes what CI reads and runs `release.post`.
pub(super) fn publish(
    git: &Git,
    git_dir: &Path,
    args: &ReleaseArgs,
    publishing: Publishing<'_>,
    released: Released<'_>,
    json_printed: &mut bool,
) -> Result<()> {
    let push = steps::push(publishing.steps);
    let pushed = match push {
        Some((remote, refspecs)) => match git.push_atomic(remote, refspecs) {
            Ok(()) => {
                term::step(&format!("pushed {} to {remote}", refspecs.join(" ")));
                true
            }
            Err(e) if forge::protected_refusal(&format!("{e:#}")) && publishing.take_back => {
                term::error(&format!("{e:#}"));
                return Err(take_back_refused(
                    git,
                    git_dir,
                    publishing.journal,
                    remote,
                    publishing.branch,
                    &publishing.through_review,
                ));
            }
            Err(e) => {
                term::error(&format!("{e:#}"));
                term::note(&format!(
                    "the release is complete locally; push it with: {}",
                    show::push_command(remote, refspecs)
                ));
                skipped_post(&steps::post(publishing.steps));
                released.github_output()?;
                if args.format == Format::Json {
                    let mut object = released.summary(false);
                    object["error"] = serde_json::Value::String(format!("{e:#}"));
                    term::out(&object.to_string());
                    *json_printed = true;
                }
                return Err(AlreadyReported.into());
            }
        },
        None => {
            term::note(&crate::cmd::publish_note(
                git,
                publishing.remote,
                &show::push_command(publishing.remote, &publishing.refspecs),
            ));
            false
        }
    };
    released.github_output()?;
    if args.format == Format::Json {
        term::out(&released.summary(pushed).to_string());
        *json_printed = true;
    }
    run_post(git, &steps::post(publishing.steps))
}
/// A push refused because the branch is protected: a protected branch takes changes only through pull
/// requests, so this release can never be pushed as it is. It is taken back with its journal, and the way
/// that works (`retry`) is named.
pub(super) fn take_back_refused(
    git: &Git,
    git_dir: &Path,
    journal: &exec::Journal,
    remote: &str,
    branch: Option<&str>,
    retry: &str,
) -> anyhow::Error {
    let branch = branch.unwrap_or("the branch");
    match exec::undo_finished(git, git_dir, journal) {
        Ok(done) => anyhow!(
            "{remote} refused the push because {branch} is protected there: {}the repository is as it was \
             before the release; release through a pull request instead: `{retry}`",
            done.summary()
        ),
        Err(undo) => anyhow!(
            "{remote} refused the push because {branch} is protected there, and the local release could not \
             be taken back: {undo:#}"
        ),
    }
}

/// After a release on a detached HEAD, moves the CI's branch from the commit released from to the release's
/// last commit, by compare-and-swap (created when there is no local branch of that name). A branch that moved
/// meanwhile is left alone, with a warning: the release itself is complete.
pub(super) fn advance_ci_branch(git: &Git, branch: &str, from: &str, to: &str) {
    let name = format!("refs/heads/{branch}");
    let old = match git.ref_value(&name) {
        Ok(Some(value)) if value == from => value,
        Ok(None) => String::new(),
        Ok(Some(value)) => {
            term::warn(&format!(
                "local {branch} is at {}, not at the commit released from: left alone; the release is on the \
                 detached HEAD",
                value.get(..7).unwrap_or(&value)
            ));
            return;
        }
        Err(e) => {
            term::warn(&format!("cannot read local {branch}: {e:#}"));
            return;
        }
    };
    match git.advance_ref(&name, to, &old) {
        Ok(()) => term::step(&format!(
            "moved {branch} to {} (HEAD is detached)",
            to.get(..7).unwrap_or(to)
        )),
        Err(e) => term::warn(&format!(
            "{branch} moved meanwhile, so it was left alone ({e:#}); the release is on the detached HEAD"
        )),
    }
}

/// What the printed publish command pushes: the branch and the tag. On a detached HEAD (`detached_at` the
/// release's last commit) the commit itself goes to the branch, spelled out in full, since a bare `main` would
/// push whatever the local branch holds.
pub(super) fn publish_refspecs(
    branch: Option<&str>,
    detached_at: Option<&str>,
    tag: &str,
) -> Vec<String> {
    match (branch, detached_at) {
        (Some(b), Some(commit)) => vec![
            format!("{commit}:refs/heads/{b}"),
            format!("refs/tags/{tag}"),
        ],
        (Some(b), None) => vec![b.to_string(), tag.to_string()],
        (None, _) => vec!["HEAD".to_string(), tag.to_string()],
    }
}
