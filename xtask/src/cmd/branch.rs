//! `xtask branch cut` and `branch next`: a release line's branch, and the next major's.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use super::Project;
use crate::cli::BranchCommand;
use crate::domain::lines;
use crate::domain::release::steps::Step;
use crate::domain::shell;
use crate::domain::version::{self, BumpRequest, PreKind, Version};
use crate::exec;
use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;
use crate::ops::process::kill_point;
use crate::ops::{prompt, spawn, term};
use crate::render::{self, MessageContext, Renderer};
use crate::version_files;

pub fn run(dir: &Path, command: BranchCommand) -> Result<()> {
    match command {
        BranchCommand::Cut { abort: true, .. } => abort(dir),
        BranchCommand::Cut {
            rc, dry_run, yes, ..
        } => cut(dir, rc, dry_run, yes),
        BranchCommand::Next { dry_run, yes } => next(dir, dry_run, yes),
    }
}

/// What `branch cut` will do, checked in full before anything changes.
struct Cut {
    head: String,
    development: String,
    line: String,
    current: Version,
    /// The next minor's development version, its file changes and commit message; `None` with
    /// `version.dev = false`.
    dev: Option<(Version, Vec<FileChange>, String)>,
    /// The release candidate to release on the line with `--rc`, and its tag.
    rc: Option<(Version, String)>,
    /// The next minor's development version (`None` if it would overflow): named in the hints.
    next_dev: Option<Version>,
}

/// What a `branch cut` under way has done, written before each step that changes something, so that a cut
/// killed half-way can be undone (`branch cut --abort`) in every window. The release candidate and the
/// development branch's commit are made with release journals of their own (see [`exec`]); each is copied in
/// here before it is removed, so that at every moment one of the two journals proves what was made.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CutJournal {
    /// `refs/heads/<line>`, created at `head`.
    line_ref: String,
    head: String,
    /// The temporary worktree the release candidate is being made in (recorded before `git worktree add`).
    worktree: Option<PathBuf>,
    /// Once the candidate is made: its tag (`refs/tags/…`) and what the tag and the line then held.
    rc_tag: Option<(String, String)>,
    line_after_rc: Option<String>,
    /// The candidate's tag name, recorded before the candidate is made, so that an abort can always name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rc_tag_name: Option<String>,
    /// The development branch's finished release journal, once its own file is about to go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dev: Option<exec::Journal>,
}

fn cut_journal_path(git_dir: &Path) -> PathBuf {
    git_dir.join("xtask").join("cut-journal.json")
}

fn save_cut(path: &Path, journal: &CutJournal) -> Result<()> {
    fs::write_journal(path, journal, "the branch cut's journal")
}

/// `branch cut --abort`: undoes what an interrupted cut did, newest first, each ref only while it holds
/// what the cut left there.
fn abort(dir: &Path) -> Result<()> {
    let p = Project::open(dir)?;
    let git = Git::new(&p.root)?;
    let path = cut_journal_path(p.repo.git_dir());
    if !fs::exists(&path) {
        term::note("no interrupted branch cut: nothing to undo");
        return Ok(());
    }
    let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut journal: CutJournal = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow!(
            "the branch cut's journal {} is damaged ({e}): nothing was changed; inspect it, undo the cut by hand \
             if needed, then delete it",
            path.display()
        )
    })?;
    // 1. The development branch's commit, as `release --abort` undoes it: from the release journal while it
    //    exists, else from the copy the cut took before removing it.
    let release_journal = exec::journal_path(p.repo.git_dir());
    let dev = if fs::exists(&release_journal) {
        Some(exec::load(&release_journal)?)
    } else {
        journal.dev.clone()
    };
    if let Some(recorded) = dev {
        let done = exec::undo(&git, &release_journal, &recorded).map_err(|e| {
            e.context(format!(
                "the development branch's commit could not be undone; the cut's journal {} is kept",
                path.display()
            ))
        })?;
        term::step(&format!(
            "{}the development branch is back at {}",
            done.summary(),
            short(&recorded.head)
        ));
        // Undone: a second abort must not try again.
        if journal.dev.take().is_some() {
            save_cut(&path, &journal)?;
        }
    }
    // 2. A release candidate being made: undone in its worktree (by its own journal), which then goes, even
    //    when a killed `git worktree add` left it locked.
    if let Some(worktree) = journal.worktree.clone() {
        remove_candidate_worktree(&git, &worktree, &path)?;
        journal.worktree = None;
        save_cut(&path, &journal)?;
    }
    // 3. The candidate's tag and the line branch, each only at what the cut left there.
    let mut left = Vec::new();
    let mut noted = Vec::new();
    if let Some(tag) = &journal.rc_tag_name {
        let name = format!("refs/tags/{tag}");
        let made: Vec<&str> = journal
            .rc_tag
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        match lines::ref_undo(git.ref_value(&name)?.as_deref(), &made) {
            lines::RefUndo::Gone => {}
            lines::RefUndo::Delete(now) => {
                git.delete_ref(&name, &now)?;
                term::step(&format!("deleted the candidate's tag {tag}"));
            }
            // Not the tag the cut made (or not proven to be): someone else's, named and left.
            lines::RefUndo::Moved(now) => noted.push(format!(
                "left the tag {tag} alone: it holds {}, which the cut did not make; if it should go: {}",
                short(&now),
                shell::join(&["git", "tag", "--delete", tag])
            )),
        }
    } else if let Some((tag, value)) = &journal.rc_tag {
        // A journal written before the tag's name was recorded up front.
        if let lines::RefUndo::Delete(now) =
            lines::ref_undo(git.ref_value(tag)?.as_deref(), &[value])
        {
            git.delete_ref(tag, &now)?;
            term::step(&format!("deleted {tag}"));
        }
    }
    let mut line_values = vec![journal.head.as_str()];
    line_values.extend(journal.line_after_rc.as_deref());
    match lines::ref_undo(git.ref_value(&journal.line_ref)?.as_deref(), &line_values) {
        lines::RefUndo::Gone => {}
        lines::RefUndo::Delete(now) => {
            let elsewhere = git.checked_out_elsewhere(&journal.line_ref)?;
            let here = git.head_ref()?.as_deref() == Some(journal.line_ref.as_str());
            if let Some(place) = elsewhere.first() {
                left.push(format!(
                    "{} is checked out in the worktree {}: deleting it would leave that worktree on no \
                     branch; switch it to another branch (`{}`) and run the abort again",
                    journal.line_ref,
                    place.display(),
                    shell::join(&["git", "-C", &place.to_string_lossy(), "switch", "--detach"])
                ));
            } else if here {
                left.push(format!(
                    "{} is checked out here: switch to the development branch and run the abort again",
                    journal.line_ref
                ));
            } else {
                git.delete_ref(&journal.line_ref, &now)?;
                term::step(&format!("deleted {}", journal.line_ref));
            }
        }
        lines::RefUndo::Moved(now) => left.push(format!(
            "{} now points at {} (it moved after the cut): check it, and delete it by hand if it should go",
            journal.line_ref,
            short(&now)
        )),
    }
    for note in &noted {
        term::warn(note);
    }
    if !left.is_empty() {
        bail!(
            "the branch cut is undone except for what changed since: {}; the journal {} is kept",
            left.join("; "),
            path.display()
        );
    }
    fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    term::step(&format!(
        "the interrupted cut is undone: the repository is as it was at {}{}",
        short(&journal.head),
        if noted.is_empty() {
            ""
        } else {
            " (except what is named above)"
        }
    ));
    Ok(())
}

/// Undoes a release candidate in its temporary worktree (by that worktree's own release journal), then
/// removes the worktree; a worktree that a killed `git worktree add` left locked or half made is removed
/// as well. Fails, naming what is left, when the candidate cannot be undone.
fn remove_candidate_worktree(git: &Git, worktree: &Path, cut_journal: &Path) -> Result<()> {
    let registered = git.worktree_registered(worktree)?;
    if registered && fs::exists(worktree) {
        let inner = Git::git_dir_of(worktree)
            .ok()
            .map(|dir| exec::journal_path(&dir));
        if inner.as_ref().is_some_and(fs::exists)
            && !spawn::run_in(worktree, &["release", "--abort"])?
        {
            bail!(
                "the release candidate in {} could not be undone (see above): the journal {} is kept; fix that, \
                 then run `cargo xtask branch cut --abort` again",
                worktree.display(),
                cut_journal.display()
            );
        }
    }
    if registered {
        git.worktree_remove_locked(worktree).with_context(|| {
            format!(
                "cannot remove the candidate's worktree {}: remove it with `{}`, then run `cargo xtask branch \
                 cut --abort` again",
                worktree.display(),
                Git::worktree_remove_command(worktree)
            )
        })?;
        term::step(&format!("removed the worktree {}", worktree.display()));
    } else if fs::exists(worktree) {
        // Made by `git worktree add` before it registered it: only an empty folder (or one holding just
        // the `.git` link) is the kit's to remove.
        let _ = fs::remove_file(worktree.join(".git"));
        if fs::remove_empty_dir(worktree).is_ok() {
            term::step(&format!("removed the folder {}", worktree.display()));
        } else {
            term::warn(&format!(
                "left {}: git does not know it as a worktree and it is not empty; remove it by hand if it is \
                 the kit's",
                worktree.display()
            ));
        }
    }
    Ok(())
}

fn cut(dir: &Path, rc: bool, dry_run: bool, yes: bool) -> Result<()> {
    let p = Project::open(dir)?;
    let git = Git::new(&p.root)?;
    let journal_path = cut_journal_path(p.repo.git_dir());
    if fs::exists(&journal_path) {
        bail!(
            "an interrupted branch cut left a journal at {}: run `cargo xtask branch cut --abort` to undo it",
            journal_path.display()
        );
    }
    let plan = plan_cut(&p, &git, rc, dry_run)?;
    let spell = |v: &Version| {
        p.policy()
            .and_then(|policy| Ok(policy.tag_format()?))
            .map(|f| f.scheme().spell(v))
            .unwrap_or_else(|_| v.to_string())
    };

    let mut lines = vec![format!(
        "create {} at {} ({}, version {})",
        plan.line,
        short(&plan.head),
        plan.development,
        spell(&plan.current)
    )];
    if let Some((v, tag)) = &plan.rc {
        lines.push(format!("release {} on {} (tag {tag})", spell(v), plan.line));
    }
    match &plan.dev {
        Some((v, changes, message)) => {
            lines.push(format!(
                "on {}: set the version to {} and commit \"{}\"",
                plan.development,
                spell(v),
                message.lines().next().unwrap_or("")
            ));
            for change in changes {
                lines.push(fs::unified_diff(change));
            }
        }
        None => lines.push(format!(
            "{} keeps its version (version.dev = false)",
            plan.development
        )),
    }
    if dry_run {
        term::out(&format!(
            "Branch cut (dry run: nothing is changed)\n{}",
            lines.join("\n")
        ));
        return Ok(());
    }
    if prompt::interactive(yes) {
        term::section("Branch cut:", &lines.join("\n"));
        prompt::proceed(&format!("Cut {}?", plan.line))?;
    }

    // The candidate's worktree path is chosen before anything changes (it may be refused: TMPDIR).
    let worktree = match &plan.rc {
        Some(_) => Some(spawn::temporary_worktree(&plan.line)?),
        None => None,
    };

    // 1. The line branch, at the commit the checks saw; created only if absent. The journal first.
    let line_ref = format!("refs/heads/{}", plan.line);
    let mut journal = CutJournal {
        line_ref: line_ref.clone(),
        head: plan.head.clone(),
        worktree: None,
        rc_tag: None,
        line_after_rc: None,
        rc_tag_name: plan.rc.as_ref().map(|(_, tag)| tag.clone()),
        dev: None,
    };
    save_cut(&journal_path, &journal)?;
    if let Err(e) = git.create_ref(&line_ref, &plan.head, "xtask branch cut") {
        let _ = fs::remove_file(&journal_path);
        return Err(e);
    }
    term::step(&format!("created {} at {}", plan.line, short(&plan.head)));
    kill_point("cut:line");

    // 2. The release candidate, released on the line in a worktree of its own.
    if let (Some((v, tag)), Some(worktree)) = (&plan.rc, worktree) {
        journal.worktree = Some(worktree.clone());
        save_cut(&journal_path, &journal)?;
        kill_point("cut:worktree-journaled");
        if let Err(e) = release_on_line(&git, &worktree, &plan.line, &mut journal, &journal_path) {
            let (undone, clean) = remove_created(&git, &journal);
            finish_journal(&journal_path, clean && journal.worktree.is_none());
            return Err(e.context(format!(
                "the release of {} on {} failed; {undone}",
                spell(v),
                plan.line
            )));
        }
        term::step(&format!("released {} on {} as {tag}", spell(v), plan.line));
    }

    // 3. The development branch moves on to the next minor. Its release journal is copied into the cut's
    //    before it goes, and the cut's goes last: a kill in between leaves one of them to prove the commit.
    let dev_kept = plan.dev.is_none();
    if let Some((v, changes, message)) = plan.dev {
        let steps = [Step::Write(changes), Step::Commit { message }];
        match exec::run_kept(&git, p.repo.git_dir(), &plan.head, &steps, |a| {
            term::step(&a.describe())
        }) {
            Ok(done) => {
                journal.dev = Some(done);
                save_cut(&journal_path, &journal)?;
                kill_point("cut:dev-recorded");
                fs::remove_file(exec::journal_path(p.repo.git_dir()))
                    .context("cannot remove the release journal")?;
                kill_point("cut:dev-journal-removed");
            }
            Err(e) => {
                let (undone, clean) = remove_created(&git, &journal);
                finish_journal(&journal_path, clean);
                return Err(e.context(format!(
                    "{} could not move to {}; {undone}",
                    plan.development,
                    spell(&v)
                )));
            }
        }
    }

    fs::remove_file(&journal_path)
        .with_context(|| format!("cannot remove {}", journal_path.display()))?;

    let mut refs = vec![plan.development.clone(), plan.line.clone()];
    refs.extend(plan.rc.as_ref().map(|(_, tag)| tag.clone()));
    let mut push = vec!["git".to_string(), "push".into(), "--atomic".into()];
    push.push(p.config.remote().to_string());
    push.extend(refs);
    term::step(&format!("cut {}", plan.line));
    if dev_kept {
        let example = plan
            .next_dev
            .as_ref()
            .map(|next| format!(" (e.g. `cargo xtask bump {}`)", shell::quote(&spell(next))))
            .unwrap_or_default();
        term::note(&format!(
            "{} kept its version {} (version.dev = false): move it on yourself{example} before the next \
             cut, or that cut would make {} again",
            plan.development,
            spell(&plan.current),
            plan.line
        ));
    }
    term::note(&super::publish_note(
        &git,
        p.config.remote(),
        &shell::join(&push),
    ));
    term::note(&format!(
        "release on the line from a checkout of it (`git switch {}`), and backport fixes with \
         `cargo xtask backport <commit> --to {}`",
        shell::quote(&plan.line),
        shell::quote(&plan.line)
    ));
    Ok(())
}

/// Every check of `branch cut`, all problems together.
fn plan_cut(p: &Project, git: &Git, rc: bool, dry_run: bool) -> Result<Cut> {
    let config = &p.config;
    let journal = exec::journal_path(p.repo.git_dir());
    if fs::exists(&journal) {
        bail!(
            "an interrupted release left a journal at {}: run `cargo xtask release --abort` first",
            journal.display()
        );
    }
    let policy = p.policy()?;
    let template = &policy.line_branch;
    let format = policy.tag_format()?;
    let head = p.repo.head()?;
    let mut problems = Vec::new();
    let Some(commit) = head.commit else {
        bail!("the repository has no commits yet: commit something first");
    };
    let development = match &head.branch {
        None => {
            problems.push(
                "HEAD is detached: check out the development branch to cut a line from it".into(),
            );
            String::new()
        }
        Some(b) if template.line_of(b).is_some() => {
            problems.push(format!(
                "{b} is itself a release line: cut lines from the development branch"
            ));
            b.clone()
        }
        Some(b) => b.clone(),
    };
    let dirty = git.dirty_files()?;
    if !dirty.is_empty() {
        let text = format!(
            "uncommitted changes to tracked files: {}: commit them or set them aside first",
            dirty.join(", ")
        );
        if dry_run {
            term::warn(&format!("{text} (a real cut would stop here)"));
        } else {
            problems.push(text);
        }
    }
    let files = version_files::version_files(config)?;
    let current = match version_files::current_version(&p.root, &files) {
        Ok((v, _)) => v,
        Err(e) => {
            problems.push(format!("{e:#}"));
            return Err(report(problems));
        }
    };
    let tags = p.repo.release_tags(format)?;
    let released = tags
        .iter()
        .any(|t| version::same_release(&t.version, &version::core(&current)));
    problems.extend(lines::cut_problem(&development, &current, released));
    let line = template.name(current.major, current.minor);
    let remote = config.remote();
    // The version to move the development branch to, so that its next cut makes the next line.
    let next_dev = current
        .minor
        .checked_add(1)
        .map(|minor| version::with_pre(&Version::new(current.major, minor, 0), PreKind::Dev, None));
    if p.repo.resolve(&format!("refs/heads/{line}")).is_ok() {
        let hint = match &next_dev {
            Some(next) => format!(
                ": {development} is still at {}, so a cut makes the same line again; move it on first \
                 (`cargo xtask bump {}` and commit{}), then cut",
                format.scheme().spell(&current),
                shell::quote(&format.scheme().spell(next)),
                if config.dev_template().is_none() {
                    "; with version.dev = false the cut leaves the version to you"
                } else {
                    ""
                }
            ),
            None => String::new(),
        };
        problems.push(format!(
            "the branch {line} exists already: the line of {}.{} was cut before{hint}",
            current.major, current.minor
        ));
    } else if p
        .repo
        .resolve(&format!("refs/remotes/{remote}/{line}"))
        .is_ok()
    {
        problems.push(format!(
            "{remote} has the branch {line} already: the line of {}.{} was cut elsewhere; check it out \
             with `git switch {}`",
            current.major,
            current.minor,
            shell::quote(&line)
        ));
    }
    let rc = if rc {
        match version::bump(&current, &BumpRequest::Pre(PreKind::Rc)) {
            Ok(v) if v.major == current.major && v.minor == current.minor => {
                match format.render(&v) {
                    Ok(tag) => {
                        if p.repo.tag_exists(&tag) {
                            problems.push(format!("the tag {tag} exists already"));
                        }
                        Some((v, tag))
                    }
                    Err(e) => {
                        problems.push(format!("tag.format: {e}"));
                        None
                    }
                }
            }
            Ok(v) => {
                problems.push(format!(
                    "--rc: the next release candidate of {current} would be {v}, which is not on the \
                     line {line}"
                ));
                None
            }
            Err(e) => {
                problems.push(format!("--rc: {e}"));
                None
            }
        }
    } else {
        None
    };
    let dev = match config.dev_template() {
        None => None,
        Some(_) => {
            let minor = current
                .minor
                .checked_add(1)
                .ok_or_else(|| anyhow!("{current}: the next minor would overflow"))?;
            let next =
                version::with_pre(&Version::new(current.major, minor, 0), PreKind::Dev, None);
            problems.extend(version_files::unspellable(&files, &next));
            let changes = match version_files::changes_for(&p.root, &files, &current, &next, &[]) {
                Ok(changes) => changes,
                Err(e) => {
                    problems.push(format!("{e:#}"));
                    Vec::new()
                }
            };
            let renderer = Renderer::new(&p.root, config, policy.tag_scheme())?;
            let date = render::release_date()?;
            let spelled = format.scheme().spell(&next);
            let mut context = MessageContext::new(&next, &current, "", &date);
            context.version = spelled;
            let message = renderer.message("release.dev_commit", config.dev_commit(), &context)?;
            Some((next, changes, message))
        }
    };
    if !problems.is_empty() {
        return Err(report(problems));
    }
    Ok(Cut {
        head: commit.to_string(),
        development,
        line,
        current,
        dev,
        rc,
        next_dev,
    })
}

/// `xtask branch next`: `next/{{ major + 1 }}` at HEAD, for the breaking changes that wait.
fn next(dir: &Path, dry_run: bool, yes: bool) -> Result<()> {
    let p = Project::open(dir)?;
    let git = Git::new(&p.root)?;
    let config = &p.config;
    let head = p.repo.head()?;
    let commit = head
        .commit
        .ok_or_else(|| anyhow!("the repository has no commits yet: commit something first"))?;
    let policy = p.policy()?;
    let template = &policy.line_branch;
    match &head.branch {
        None => bail!("HEAD is detached: check out the development branch first"),
        Some(b) if template.line_of(b).is_some() => {
            bail!(
                "{b} is a release line: create the next major's branch from the development branch"
            )
        }
        Some(_) => {}
    }
    let files = version_files::version_files(config)?;
    let (current, _) = version_files::current_version(&p.root, &files)?;
    let renderer = Renderer::new(&p.root, config, policy.tag_scheme())?;
    let context = MessageContext::new(&current, &current, "", &render::release_date()?);
    let name = renderer.message("release.next_branch", &policy.next_branch, &context)?;
    if name.is_empty() {
        bail!(
            "xtask.toml: release.next_branch gives an empty name: e.g. \"next/{{{{ major + 1 }}}}\""
        );
    }
    let full = format!("refs/heads/{name}");
    if p.repo.resolve(&full).is_ok() {
        bail!("the branch {name} exists already");
    }
    if dry_run {
        term::out(&format!(
            "create {name} at {} (dry run: nothing is changed)",
            short(&commit.to_string())
        ));
        return Ok(());
    }
    if prompt::interactive(yes) {
        prompt::proceed(&format!("Create {name} at {}?", short(&commit.to_string())))?;
    }
    git.create_ref(&full, &commit.to_string(), "xtask branch next")?;
    term::step(&format!("created {name} at {}", short(&commit.to_string())));
    term::note(&super::publish_note(
        &git,
        p.config.remote(),
        &shell::join(&["git", "push", p.config.remote(), name.as_str()]),
    ));
    Ok(())
}

/// Runs `release <level>` on `line` in the temporary worktree `path`, which is removed afterwards. The
/// release keeps its finished journal, which is copied into the cut's (the proof of the tag and the commit it
/// made) before it is removed; on failure the release is undone in the worktree before the worktree goes.
fn release_on_line(
    git: &Git,
    path: &Path,
    line: &str,
    journal: &mut CutJournal,
    journal_path: &Path,
) -> Result<()> {
    let level = "rc";
    if let Err(e) = git.worktree_add(path, line) {
        let _ = remove_candidate_worktree(git, path, journal_path);
        return Err(e);
    }
    kill_point("cut:worktree-added");
    let released = spawn::run_in(
        path,
        &["release", level, "--yes", "--no-push", "--keep-journal"],
    );
    let inner = Git::git_dir_of(path).map(|dir| exec::journal_path(&dir));
    if !matches!(released, Ok(true)) {
        // A release that failed or was killed may have left its journal in the worktree: undone there, and
        // the worktree goes.
        let cleaned = remove_candidate_worktree(git, path, journal_path);
        if cleaned.is_ok() {
            journal.worktree = None;
        }
        return match (released, cleaned) {
            (Err(e), _) => Err(e),
            (_, Err(e)) => Err(e.context(format!(
                "`release {level}` on {line} did not succeed (see above)"
            ))),
            _ => Err(anyhow!(
                "`release {level}` on {line} did not succeed (see above)"
            )),
        };
    }
    // The candidate's proof: the tag object and the commit its own journal recorded.
    let inner = inner?;
    let recorded = exec::load(&inner)?;
    if let Some(tag) = &recorded.tag {
        journal.rc_tag = tag
            .id
            .clone()
            .map(|id| (format!("refs/tags/{}", tag.name), id));
    }
    journal.line_after_rc = recorded.commits.last().cloned();
    save_cut(journal_path, journal)?;
    kill_point("cut:rc-recorded");
    fs::remove_file(&inner).context("cannot remove the candidate's release journal")?;
    kill_point("cut:rc-journal-removed");
    git.worktree_remove_locked(path).with_context(|| {
        format!(
            "released on {line}, but the temporary worktree {} could not be removed: remove it with `{}`",
            path.display(),
            Git::worktree_remove_command(path)
        )
    })?;
    kill_point("cut:worktree-removed");
    journal.worktree = None;
    save_cut(journal_path, journal)
}

/// Deletes the refs `branch cut` created, each only if it still holds what the cut made (the journal's
/// proof); says what was done, for the error message, and whether nothing is left behind.
fn remove_created(git: &Git, journal: &CutJournal) -> (String, bool) {
    let mut left = Vec::new();
    let mut line_values = vec![journal.head.clone()];
    line_values.extend(journal.line_after_rc.clone());
    let mut made: Vec<(String, Vec<String>)> = Vec::new();
    if let Some((tag, value)) = &journal.rc_tag {
        made.push((tag.clone(), vec![value.clone()]));
    }
    made.push((journal.line_ref.clone(), line_values));
    for (name, values) in made {
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        match git
            .ref_value(&name)
            .map(|now| lines::ref_undo(now.as_deref(), &values))
        {
            Ok(lines::RefUndo::Gone) => {}
            Ok(lines::RefUndo::Delete(now)) if git.delete_ref(&name, &now).is_ok() => {}
            _ => left.push(name),
        }
    }
    if left.is_empty() {
        (
            "what the cut created was removed again: nothing is left behind".into(),
            true,
        )
    } else {
        (
            format!(
                "these could not be removed and are left for you to check: {}",
                left.join(", ")
            ),
            false,
        )
    }
}

/// After a failed cut cleaned up: the journal goes when nothing was left behind, and stays for `--abort`
/// otherwise.
fn finish_journal(path: &Path, clean: bool) {
    if clean {
        let _ = fs::remove_file(path);
    }
}

fn report(problems: Vec<String>) -> anyhow::Error {
    super::refuse(Some("cut the line"), Some("nothing was changed"), problems)
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}
