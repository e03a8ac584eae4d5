//! The checks that need the plan (the files can be written, the remote takes the push, the kit's own
//! messages meet the rules, the signing key), and the one report of their problems.

use std::path::Path;

use anyhow::Result;

use super::gather::FETCHED;
use crate::cli::ReleaseArgs;
use crate::cmd::Project;
use crate::domain::problem::Problem;
use crate::domain::release::steps::{self, ReleasePlan};
use crate::domain::shell;
use crate::ops::fs;
use crate::ops::git::Git;
use crate::ops::term;
use crate::version_files;

/// The checks that need the finished plan, all before anything changes: every file the release writes can be
/// written, and, when pushing, the remote has no such tag and its branch is not ahead of HEAD (a push that
/// would be refused after the release is made). A dry run asks no remote.
pub(super) fn preflight(git: &Git, release: &ReleasePlan, dry_run: bool) -> Vec<String> {
    let mut changes = release.release_files().to_vec();
    changes.extend(
        release
            .dev_files()
            .iter()
            .filter(|c| !release.release_files().iter().any(|r| r.rel == c.rel))
            .cloned(),
    );
    let mut problems = fs::check_writable(&changes);
    if steps::push(&release.steps).is_none() {
        return problems;
    }
    let tag = format!("refs/tags/{}", release.decision.tag);
    let branch = release.branch.as_ref().map(|b| format!("refs/heads/{b}"));
    let mut wanted = vec![tag.clone()];
    wanted.extend(branch.clone());
    if dry_run {
        term::note(&format!(
            "a release would first ask the remote: {}",
            shell::join(
                &[
                    &["git", "ls-remote", "--", release.remote.as_str()][..],
                    &wanted.iter().map(String::as_str).collect::<Vec<_>>()
                ]
                .concat()
            )
        ));
        return problems;
    }
    let remote = &release.remote;
    match git.ls_remote(remote, &wanted) {
        Err(e) => problems.push(format!(
            "push: cannot ask {remote} about its refs ({e:#}): fix the remote, or release with --no-push and push later"
        )),
        Ok(advertised) => {
            if advertised.iter().any(|(name, _)| *name == tag) {
                problems.push(format!(
                    "push: tag {} already exists on {remote}: a push would be refused; pick another version",
                    release.decision.tag
                ));
            }
            if let Some(branch) = &branch
                && let Some((_, id)) = advertised.iter().find(|(name, _)| name == branch)
                && !git.is_ancestor(id, &release.head)
            {
                problems.push(format!(
                    "push: {remote}'s {} is at {}, which HEAD does not contain (the remote is ahead or has \
                     diverged): run `{}` and merge or rebase first",
                    branch.trim_start_matches("refs/heads/"),
                    id.get(..7).unwrap_or(id),
                    shell::join(&["git", "fetch", remote.as_str()])
                ));
            }
        }
    }
    problems
}

/// The release and development commit messages that `commits.conventional = "deny"` refuses (warned about
/// under "warn"), as `check` judges them.
pub(super) fn message_problems(p: &Project, release: &ReleasePlan) -> Result<Vec<String>> {
    let policy = p.policy()?;
    let mut problems = Vec::new();
    if let Some(message) = release.release_commit() {
        crate::cmd::check::judge_commit_message(
            &policy.commits,
            "release.commit",
            message,
            &mut problems,
        );
    }
    if let Some(message) = release.dev_commit() {
        crate::cmd::check::judge_commit_message(
            &policy.commits,
            "release.dev_commit",
            message,
            &mut problems,
        );
    }
    Ok(problems)
}

/// With `release.signers`, whether git will sign the tag with a key the hooks accept (see
/// [`crate::policy::signing_problem`]).
pub(super) fn signing_problem(p: &Project) -> Result<Option<String>> {
    let Some(signers) = p.policy()?.signers.clone() else {
        return Ok(None);
    };
    let signers_text = fs::read_to_string(p.root.join(&signers)).ok();
    let format = p.repo.config("gpg.format");
    let key = p.repo.config("user.signingKey");
    // The public half: a literal `key::…`, or the file named (`id` or `id.pub`), `~/` being the home.
    let public = key.as_deref().and_then(|key| {
        if let Some(literal) = key.strip_prefix("key::") {
            return Some(literal.to_string());
        }
        let path = match key.strip_prefix("~/") {
            Some(rest) => Path::new(&std::env::var_os("HOME")?).join(rest),
            None => p.root.join(key),
        };
        let text = fs::read_to_string(&path).ok()?;
        if text.contains("PRIVATE KEY") {
            let mut public = path.into_os_string();
            public.push(".pub");
            return fs::read_to_string(public).ok();
        }
        Some(text)
    });
    Ok(crate::policy::signing_problem(
        &signers,
        signers_text.as_deref(),
        format.as_deref(),
        key.as_deref(),
        public.as_deref(),
    ))
}

/// The configured version files and the changelog that cannot be written (see [`fs::check_writable`]).
/// Each problem names the setting that lists the file (`version.files`, `changelog.file`).
pub(super) fn unwritable_known_files(p: &Project, args: &ReleaseArgs) -> Result<Vec<String>> {
    let rels: Vec<String> = version_files::version_files(&p.config)?
        .into_iter()
        .map(|f| f.path)
        .collect();
    let mut problems: Vec<String> = fs::check_writable_paths(&p.root, &rels)
        .into_iter()
        .map(|problem| format!("version.files: {problem}"))
        .collect();
    if !args.no_changelog {
        let changelog = [p.config.changelog_file().to_string()];
        problems.extend(
            fs::check_writable_paths(&p.root, &changelog)
                .into_iter()
                .map(|problem| format!("changelog.file: {problem}")),
        );
    }
    Ok(problems)
}

/// Runs `release.pre`'s commands; the problems of those that failed.
pub(super) fn run_pre(git: &Git, commands: &[String]) -> Result<Vec<String>> {
    let mut failed = Vec::new();
    for command in commands {
        term::note(&format!("running `{command}`"));
        if !git.run_check(command)? {
            failed.push(format!(
                "release.pre: `{command}` failed: fix it and release again"
            ));
        }
    }
    Ok(failed)
}

/// "nothing was changed", or what was fetched (see [`FETCHED`]).
pub(super) fn what_changed() -> String {
    match FETCHED.get() {
        Some(fetched) => format!("nothing was changed but the fetch ({fetched})"),
        None => "nothing was changed".to_string(),
    }
}

/// The plan's problems: warnings in a dry run (which shows the plan anyway), else the end of the release.
pub(super) fn warn_or_refuse(problems: &[String], dry_run: bool) -> Result<()> {
    if dry_run {
        for problem in problems {
            term::warn(problem);
        }
        Ok(())
    } else if problems.is_empty() {
        Ok(())
    } else {
        report(problems)
    }
}

pub(super) fn report<P: Into<Problem> + Clone>(problems: &[P]) -> Result<()> {
    Err(refuse_release(problems))
}

/// Prints "cannot release: N problems found, nothing was changed" and the problems; the error that ends the
/// command without printing them again.
pub(super) fn refuse_release<P: Into<Problem> + Clone>(problems: &[P]) -> anyhow::Error {
    let problems = dedup(problems.iter().cloned().map(Into::into).collect());
    crate::cmd::refuse(Some("release"), Some(&what_changed()), problems)
}

/// `problems` without repetitions, in their first order: two checks may find the same thing (a version
/// file that leads out of the work tree can be neither read nor written), and one problem may list
/// several lines of which another is one.
pub(super) fn dedup(problems: Vec<Problem>) -> Vec<Problem> {
    let mut seen: Vec<Problem> = Vec::new();
    for problem in problems {
        let known = seen.iter().any(|p| {
            *p == problem
                || p.to_string()
                    .lines()
                    .any(|line| line == problem.to_string())
        });
        if !known {
            seen.push(problem);
        }
    }
    seen
}
