//! `xtask backport`: cherry-pick fixes onto a release line in a worktree of its own, and list the
//! fixes a line still lacks.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};

use super::Project;
use crate::cli::{BackportArgs, Format};
use crate::domain::conventional;
use crate::domain::lines::{self, Candidate};
use crate::domain::shell;
use crate::error::AlreadyReported;
use crate::ops::fs;
use crate::ops::git::Git;
use crate::ops::process::kill_point;
use crate::ops::{prompt, spawn, term};

/// A backport under way: its temporary worktree, recorded before `git worktree add`, so that a backport
/// killed at any point (or stopped by a conflict) leaves something `backport --abort` can clean up. The line
/// moves only in the last step, by one compare-and-swap, and the value it moves to is journaled first: an
/// abort moves it back only from exactly that value.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BackportJournal {
    /// `refs/heads/<line>` and its tip when the backport started.
    line_ref: String,
    old: String,
    worktree: PathBuf,
    /// The picks' last commit, recorded before the line is moved to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    new: Option<String>,
}

fn journal_path(git_dir: &Path) -> PathBuf {
    git_dir.join("xtask").join("backport-journal.json")
}

fn save(path: &Path, journal: &BackportJournal) -> Result<()> {
    fs::write_journal(path, journal, "the backport's journal")
}

/// `backport --abort`: removes the temporary worktree of an interrupted or abandoned backport (a
/// cherry-pick under way in it included), then its journal. Says where the line is.
fn abort(p: &Project, git: &Git) -> Result<()> {
    let path = journal_path(p.repo.git_dir());
    if !fs::exists(&path) {
        term::note("no interrupted backport: nothing to undo");
        return Ok(());
    }
    let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let journal: BackportJournal = serde_json::from_slice(&bytes)
        .ok()
        .filter(|j: &BackportJournal| {
            j.line_ref.starts_with("refs/heads/") && !j.line_ref.contains("..")
        })
        .ok_or_else(|| {
            anyhow!(
                "the backport's journal {} is damaged: nothing was changed; remove the worktree it names by \
                 hand if there is one (`git worktree list`), then delete the journal",
                path.display()
            )
        })?;
    remove_worktree(git, &journal.worktree)?;
    let line = journal
        .line_ref
        .strip_prefix("refs/heads/")
        .unwrap_or(&journal.line_ref);
    let mut now = git.ref_value(&journal.line_ref)?;
    // Killed after the line moved to the picks: moved back, only from exactly the journaled value, and
    // never under another worktree that has the line checked out.
    if let Some(new) = journal
        .new
        .as_deref()
        .filter(|n| now.as_deref() == Some(*n))
    {
        if let Some(place) = git.checked_out_elsewhere(&journal.line_ref)?.first() {
            return Err(anyhow!(
                "{line} is checked out in the worktree {}: moving it back would change that worktree's \
                 branch under its files; switch it to another branch (`{}`) and run `cargo xtask backport \
                 --abort` again; the journal {} is kept",
                place.display(),
                shell::join(&["git", "-C", &place.to_string_lossy(), "switch", "--detach"]),
                path.display()
            ));
        }
        git.update_ref(&journal.line_ref, &journal.old, new)?;
        term::step(&format!("moved {line} back to {}", short(&journal.old)));
        now = Some(journal.old.clone());
    }
    fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    if now.as_deref() == Some(journal.old.as_str()) {
        term::step(&format!(
            "the backport is abandoned: {line} is unchanged at {}",
            short(&journal.old)
        ));
    } else {
        term::step(&format!(
            "the backport's worktree is gone; {line} is at {} (it was at {} before the backport: the picks \
             were made before the interruption, or someone moved it)",
            now.as_deref().map_or("nothing", short),
            short(&journal.old)
        ));
    }
    Ok(())
}

/// Removes the kit's temporary worktree at `path` (a locked one too), if git still has it.
fn remove_worktree(git: &Git, path: &Path) -> Result<()> {
    if git.worktree_registered(path)? {
        git.worktree_remove_locked(path).with_context(|| {
            format!(
                "cannot remove the backport's worktree {}: remove it with `{}`",
                path.display(),
                Git::worktree_remove_command(path)
            )
        })?;
        term::step(&format!("removed the worktree {}", path.display()));
    } else if fs::exists(path) {
        let _ = fs::remove_file(path.join(".git"));
        let _ = fs::remove_empty_dir(path);
    }
    // The folder that holds kept worktrees (`.git/xtask/worktrees`) goes too once it is empty.
    if let Some(parent) = path.parent()
        && parent.file_name().is_some_and(|n| n == "worktrees")
    {
        let _ = fs::remove_empty_dir(parent);
    }
    Ok(())
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

pub fn run(dir: &Path, args: BackportArgs) -> Result<()> {
    let p = Project::open(dir)?;
    let git = Git::new(&p.root)?;
    if args.abort {
        return abort(&p, &git);
    }
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
    let journal_path = journal_path(p.repo.git_dir());
    // Every problem first, all together.
    let mut problems = Vec::new();
    if fs::exists(&journal_path) {
        problems.push(format!(
            "an interrupted backport left a journal at {}: finish it by hand in its worktree, or give it up \
             with `cargo xtask backport --abort`",
            journal_path.display()
        ));
    }
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
        return Err(super::refuse(
            Some("backport"),
            Some("nothing was changed"),
            problems,
        ));
    }
    let Some(old) = old else {
        return Err(AlreadyReported.into());
    };
    let listed: Vec<String> = picks
        .iter()
        .map(|c| format!("{} {}", c.short_id, conventional::subject(&c.message)))
        .collect();
    if prompt::interactive(yes) {
        term::section(&format!("Backport to {line}:"), &listed.join("\n"));
        prompt::proceed(&format!("Cherry-pick these onto {line}?"))?;
    }

    // In a worktree of its own, detached at the line's tip: the user's checkout is never touched,
    // and the line moves only once every pick succeeded (compare-and-swap against its old tip).
    let path = spawn::kept_worktree(p.repo.git_dir(), line)?;
    let journal = BackportJournal {
        line_ref: full.clone(),
        old: old.clone(),
        worktree: path.clone(),
        new: None,
    };
    save(&journal_path, &journal)?;
    // From here on the worktree goes on every path but the two that keep it for the user to finish by hand
    // (a conflict, a line that moved meanwhile), where the journal stays for `backport --abort`.
    let give_up = |e: anyhow::Error| -> anyhow::Error {
        match remove_worktree(git, &path) {
            Ok(()) => {
                let _ = fs::remove_file(&journal_path);
                e.context(format!("{line} is unchanged; nothing is left behind"))
            }
            Err(removal) => e.context(format!(
                "{line} is unchanged, but {removal:#}; then run `cargo xtask backport --abort`"
            )),
        }
    };
    if let Err(e) = git.worktree_add_detached(&path, &old) {
        return Err(give_up(e));
    }
    kill_point("backport:worktree");
    let inside = match Git::new(&path) {
        Ok(inside) => inside,
        Err(e) => return Err(give_up(e)),
    };
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
            steps
                .push("cd - && cargo xtask backport --abort    # removes the worktree".to_string());
            term::error(&format!(
                "{} {} does not apply cleanly to {line}: {line} is unchanged",
                pick.short_id,
                conventional::subject(&pick.message)
            ));
            term::section("To finish by hand:", &steps.join("\n"));
            term::section("Or give up:", "cargo xtask backport --abort");
            return Err(e.context(format!("the worktree is kept at {}", path.display())));
        }
        kill_point("backport:picked");
        term::step(&format!(
            "picked {} {}",
            pick.short_id,
            conventional::subject(&pick.message)
        ));
    }
    let new = match inside.head_id() {
        Ok(new) => new,
        Err(e) => return Err(give_up(e)),
    };
    let journal = BackportJournal {
        new: Some(new.clone()),
        ..journal
    };
    save(&journal_path, &journal)?;
    if let Err(e) = git.update_ref(&full, &new, &old) {
        return Err(e.context(format!(
            "{line} moved while the picks were made, so it was left as it is; the picks are kept at \
             {new} in the worktree {} (`cargo xtask backport --abort` removes it)",
            path.display()
        )));
    }
    kill_point("backport:moved");
    remove_worktree(git, &path).map_err(|e| {
        e.context(format!(
            "{line} has the picks; then run `cargo xtask backport --abort` to drop the journal"
        ))
    })?;
    fs::remove_file(&journal_path)
        .with_context(|| format!("cannot remove {}", journal_path.display()))?;
    term::step(&format!("backported {} commit(s) to {line}", picks.len()));
    term::note(&super::publish_note(
        git,
        p.config.remote(),
        &shell::join(&["git", "push", p.config.remote(), line]),
    ));
    Ok(())
}
