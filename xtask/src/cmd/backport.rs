//! `xtask backport`: cherry-pick fixes onto a release line in a worktree of its own, and list the
//! fixes a line still lacks.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Result, anyhow};

use super::Project;
use crate::cli::{BackportArgs, Format};
use crate::domain::lines::{self, Candidate};
use crate::domain::{commit, shell};
use crate::error::AlreadyReported;
use crate::ops::git::Git;
use crate::ops::{prompt, spawn, term};

pub fn run(dir: &Path, args: BackportArgs) -> Result<()> {
    let p = Project::open(dir)?;
    let git = Git::new(&p.root)?;
    match (&args.list, &args.to) {
        (Some(line), _) => list(&p, &git, line, args.format),
        (None, Some(line)) => backport(&p, &git, &args.commits, line, args.yes),
        (None, None) => Err(crate::error::UsageError(
            "say what to do: `backport <commit>… --to <line>` or `backport --list <line>`".into(),
        )
        .into()),
    }
}

/// The line's branch tip, or an error naming the branch.
fn line_tip(git: &Git, line: &str) -> Result<String> {
    git.ref_value(&format!("refs/heads/{line}"))?
        .ok_or_else(|| {
            anyhow!("there is no branch {line}: name an existing release line (e.g. stable/1.4)")
        })
}

/// What the current branch has since `line` was cut that `line` does not: the fixes to offer.
fn candidates(p: &Project, git: &Git, line: &str) -> Result<Vec<Candidate>> {
    let tip = line_tip(git, line)?;
    let head = p
        .repo
        .head()?
        .commit
        .ok_or_else(|| anyhow!("the repository has no commits yet"))?
        .to_string();
    let base = git.merge_base(&head, &tip)?.ok_or_else(|| {
        anyhow!("{line} shares no history with HEAD: it is not a line cut from this branch")
    })?;
    let resolve = |id: &str| p.repo.resolve(id);
    let development = p
        .repo
        .commits_since(resolve(&head)?, Some(resolve(&base)?))?;
    let on_line = p
        .repo
        .commits_since(resolve(&tip)?, Some(resolve(&base)?))?;
    // Patch ids are git's to compute (`git cherry`); the `-x` trailers are read from the line.
    let equivalent: HashSet<String> = git
        .equivalent_patches(&tip, &head, &base)?
        .into_iter()
        .collect();
    Ok(lines::backport_candidates(
        &development,
        &on_line,
        &equivalent,
        &p.policy()?.backport_types,
    ))
}

fn list(p: &Project, git: &Git, line: &str, format: Format) -> Result<()> {
    let found = candidates(p, git, line)?;
    match format {
        Format::Json => term::out(&serde_json::to_string(&found)?),
        Format::Text if found.is_empty() => term::note(&format!(
            "{line} has every {} commit of this branch",
            p.policy()?.backport_types.join("/")
        )),
        Format::Text => {
            let rows: Vec<String> = found
                .iter()
                .map(|c| format!("{} {}", c.short_id, c.subject))
                .collect();
            term::out(&rows.join("\n"));
            // The command for all of them while it stays readable; the form otherwise.
            let ids: Vec<&str> = found.iter().map(|c| c.short_id.as_str()).collect();
            let commits = if ids.len() <= 10 {
                ids.join(" ")
            } else {
                "<commit>…".to_string()
            };
            term::note(&format!(
                "{} to backport; backport with: cargo xtask backport {commits} --to {}",
                ids.len(),
                shell::quote(line)
            ));
        }
    }
    Ok(())
}

fn backport(p: &Project, git: &Git, commits: &[String], line: &str, yes: bool) -> Result<()> {
    // Every problem first, all together.
    let mut problems = Vec::new();
    let old = match line_tip(git, line) {
        Ok(tip) => Some(tip),
        Err(e) => {
            problems.push(format!("{e:#}"));
            None
        }
    };
    let full = format!("refs/heads/{line}");
    if let Some((_, path)) = git
        .checked_out_branches()?
        .into_iter()
        .find(|(branch, _)| *branch == full)
    {
        problems.push(format!(
            "{line} is checked out in {}: backport there with `git -C {} cherry-pick -x …`, or switch \
             that worktree to another branch",
            path.display(),
            shell::quote(&path.to_string_lossy())
        ));
    }
    let mut picks = Vec::new();
    for spec in commits {
        match p.repo.resolve(&format!("{spec}^{{commit}}")) {
            Ok(id) => match p.repo.commit_info(id) {
                Ok(info) if info.parent_count > 1 => problems.push(format!(
                    "{spec} is a merge commit: backport the commits it merged instead"
                )),
                Ok(info) => picks.push(info),
                Err(e) => problems.push(format!("{spec}: {e:#}")),
            },
            Err(_) => problems.push(format!("{spec} is not a commit in this repository")),
        }
    }
    if !problems.is_empty() {
        return Err(super::refuse("backport", &problems));
    }
    let Some(old) = old else {
        return Err(AlreadyReported.into());
    };
    let listed: Vec<String> = picks
        .iter()
        .map(|c| format!("{} {}", c.short_id, commit::subject(&c.message)))
        .collect();
    if prompt::interactive(yes) {
        term::section(&format!("Backport to {line}:"), &listed.join("\n"));
        prompt::proceed(&format!("Cherry-pick these onto {line}?"))?;
    }

    // In a worktree of its own, detached at the line's tip: the user's checkout is never touched,
    // and the line moves only once every pick succeeded (compare-and-swap against its old tip).
    let path = spawn::kept_worktree(p.repo.git_dir(), line)?;
    git.worktree_add_detached(&path, &old)?;
    let inside = Git::new(&path)?;
    for (index, pick) in picks.iter().enumerate() {
        if let Err(e) = inside.cherry_pick(&pick.id) {
            let rest: Vec<&str> = picks[index + 1..]
                .iter()
                .map(|c| c.short_id.as_str())
                .collect();
            let at = shell::quote(&path.to_string_lossy());
            let mut steps = vec![
                format!("cd {at}"),
                "# resolve the conflicts, `git add` the files, then:".to_string(),
                "git cherry-pick --continue".to_string(),
            ];
            if !rest.is_empty() {
                steps.push(format!("git cherry-pick -x {}", rest.join(" ")));
            }
            steps.push(format!("git update-ref {} HEAD {old}", shell::quote(&full)));
            steps.push(format!("cd - && git worktree remove {at}"));
            term::error(&format!(
                "{} {} does not apply cleanly to {line}: {line} is unchanged",
                pick.short_id,
                commit::subject(&pick.message)
            ));
            term::section("To finish by hand:", &steps.join("\n"));
            term::section(
                "Or give up:",
                &format!("git -C {at} cherry-pick --abort; git worktree remove --force {at}"),
            );
            return Err(e.context(format!("the worktree is kept at {}", path.display())));
        }
        term::step(&format!(
            "picked {} {}",
            pick.short_id,
            commit::subject(&pick.message)
        ));
    }
    let new = inside.head_id()?;
    if let Err(e) = git.update_ref(&full, &new, &old) {
        return Err(e.context(format!(
            "{line} moved while the picks were made, so it was left as it is; the picks are kept at \
             {new} in the worktree {}",
            path.display()
        )));
    }
    git.worktree_remove(&path)?;
    term::step(&format!("backported {} commit(s) to {line}", picks.len()));
    term::note(&super::publish_note(
        git,
        p.config.remote(),
        &shell::join(&["git", "push", p.config.remote(), line]),
    ));
    Ok(())
}
