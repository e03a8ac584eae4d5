//! `xtask branch cut` and `branch next`: a release line's branch, and the next major's.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use super::Project;
use crate::cli::BranchCommand;
use crate::domain::lines;
use crate::domain::release_plan::Step;
use crate::domain::shell;
use crate::domain::version::{self, BumpRequest, PreKind, Version};
use crate::exec;
use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;
use crate::ops::{prompt, spawn, term};
use crate::project;
use crate::render::{self, MessageContext, Renderer};

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
/// killed half-way can be undone (`branch cut --abort`). The development branch's commit has the release
/// journal of its own (see [`exec`]).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CutJournal {
    /// `refs/heads/<line>`, created at `head`.
    line_ref: String,
    head: String,
    /// The temporary worktree the release candidate is being made in.
    worktree: Option<PathBuf>,
    /// Once the candidate is made: its tag (`refs/tags/…`) and what the tag and the line then held.
    rc_tag: Option<(String, String)>,
    line_after_rc: Option<String>,
}

fn cut_journal_path(git_dir: &Path) -> PathBuf {
    git_dir.join("xtask").join("cut-journal.json")
}

fn save_cut(path: &Path, journal: &CutJournal) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    fs::write(&tmp, serde_json::to_vec_pretty(journal)?)?;
    fs::rename(&tmp, path).context("cannot write the branch cut's journal")
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
    let journal: CutJournal = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow!(
            "the branch cut's journal {} is damaged ({e}): nothing was changed; inspect it, undo the cut by hand \
             if needed, then delete it",
            path.display()
        )
    })?;
    // 1. The development branch's commit, as `release --abort` undoes it.
    let release_journal = exec::journal_path(p.repo.git_dir());
    if fs::exists(&release_journal) {
        let recorded = exec::load(&release_journal)?;
        let done = exec::undo(&git, &release_journal, &recorded)?;
        term::step(&format!(
            "{}the development branch is back at {}",
            done.summary(),
            short(&recorded.head)
        ));
    }
    // 2. A release candidate being made: undone in its worktree, which then goes.
    if let Some(worktree) = journal.worktree.as_deref().filter(|w| fs::exists(w)) {
        if !spawn::run_in(worktree, &["release", "--abort"])? {
            bail!(
                "the release candidate in {} could not be undone (see above): the journal is kept; fix that, \
                 then run `cargo xtask branch cut --abort` again",
                worktree.display()
            );
        }
        git.worktree_remove(worktree)?;
        term::step(&format!("removed the worktree {}", worktree.display()));
    }
    // 3. The candidate's tag and the line branch, each only at what the cut left there.
    let mut left = Vec::new();
    let mut undo_ref = |name: &str, made: &[&str]| -> Result<()> {
        match lines::ref_undo(git.ref_value(name)?.as_deref(), made) {
            lines::RefUndo::Gone => {}
            lines::RefUndo::Delete(now) => {
                git.delete_ref(name, &now)?;
                term::step(&format!("deleted {name}"));
            }
            lines::RefUndo::Moved(now) => left.push(format!(
                "{name} now points at {} (it moved after the cut): check it, and delete it by hand if it should go",
                short(&now)
            )),
        }
        Ok(())
    };
    if let Some((tag, value)) = &journal.rc_tag {
        undo_ref(tag, &[value])?;
    }
    let mut line_values = vec![journal.head.as_str()];
    line_values.extend(journal.line_after_rc.as_deref());
    undo_ref(&journal.line_ref, &line_values)?;
    if !left.is_empty() {
        bail!(
            "the branch cut is undone except for what changed since: {}; the journal {} is kept",
            left.join("; "),
            path.display()
        );
    }
    fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    term::step(&format!(
        "the interrupted cut is undone: the repository is as it was at {}",
        short(&journal.head)
    ));
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

    // 1. The line branch, at the commit the checks saw; created only if absent. The journal first.
    let line_ref = format!("refs/heads/{}", plan.line);
    let mut journal = CutJournal {
        line_ref: line_ref.clone(),
        head: plan.head.clone(),
        worktree: None,
        rc_tag: None,
        line_after_rc: None,
    };
    save_cut(&journal_path, &journal)?;
    if let Err(e) = git.create_ref(&line_ref, &plan.head, "xtask branch cut") {
        let _ = fs::remove_file(&journal_path);
        return Err(e);
    }
    term::step(&format!("created {} at {}", plan.line, short(&plan.head)));

    // 2. The release candidate, released on the line in a worktree of its own.
    if let Some((v, tag)) = &plan.rc {
        let worktree = spawn::temporary_worktree(&plan.line)?;
        journal.worktree = Some(worktree.clone());
        save_cut(&journal_path, &journal)?;
        if let Err(e) = release_on_line(&git, &worktree, &plan.line, "rc") {
            let (undone, clean) = remove_created(&git, &line_ref, None);
            finish_journal(&journal_path, clean);
            return Err(e.context(format!(
                "the release of {} on {} failed; {undone}",
                spell(v),
                plan.line
            )));
        }
        let tag_ref = format!("refs/tags/{tag}");
        journal.worktree = None;
        journal.rc_tag = git.ref_value(&tag_ref)?.map(|value| (tag_ref, value));
        journal.line_after_rc = git.ref_value(&line_ref)?;
        save_cut(&journal_path, &journal)?;
        term::step(&format!("released {} on {} as {tag}", spell(v), plan.line));
    }

    // 3. The development branch moves on to the next minor.
    let dev_kept = plan.dev.is_none();
    if let Some((v, changes, message)) = plan.dev {
        let steps = [Step::Write(changes), Step::Commit { message }];
        if let Err(e) = exec::run(&git, p.repo.git_dir(), &plan.head, &steps, |a| {
            term::step(&a.describe())
        }) {
            let tag = plan.rc.as_ref().map(|(_, t)| format!("refs/tags/{t}"));
            let (undone, clean) = remove_created(&git, &line_ref, tag.as_deref());
            finish_journal(&journal_path, clean);
            return Err(e.context(format!(
                "{} could not move to {}; {undone}",
                plan.development,
                spell(&v)
            )));
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
    let files = project::version_files(config)?;
    let current = match project::current_version(&p.root, &files) {
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
            problems.extend(project::unspellable(&files, &next));
            let changes = match project::changes_for(&p.root, &files, &current, &next, &[]) {
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
    let files = project::version_files(config)?;
    let (current, _) = project::current_version(&p.root, &files)?;
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

/// Runs `release <level>` on `line` in a temporary worktree, which is removed afterwards.
fn release_on_line(git: &Git, path: &Path, line: &str, level: &str) -> Result<()> {
    git.worktree_add(path, line)?;
    let released = spawn::run_in(path, &["release", level, "--yes", "--no-push"]);
    if !matches!(released, Ok(true)) {
        // A release that was killed left its journal in the worktree: undo it there before the worktree goes.
        let _ = spawn::run_in(path, &["release", "--abort"]);
    }
    let removed = git.worktree_remove(path);
    match (released, removed) {
        (Ok(true), Ok(())) => Ok(()),
        (Ok(false), _) => Err(anyhow!("`release {level}` on {line} did not succeed (see above)")),
        (Err(e), _) => Err(e),
        (Ok(true), Err(e)) => Err(e.context(format!(
            "released on {line}, but the temporary worktree {} could not be removed: remove it with \
             `git worktree remove --force {}`",
            path.display(),
            shell::quote(&path.to_string_lossy())
        ))),
    }
}

/// Deletes the refs `branch cut` created, each only if it still holds what the cut made; says
/// what was done, for the error message, and whether nothing is left behind.
fn remove_created(git: &Git, line_ref: &str, tag_ref: Option<&str>) -> (String, bool) {
    let mut left = Vec::new();
    for name in tag_ref.into_iter().chain([line_ref]) {
        let removed = git
            .ref_value(name)
            .ok()
            .flatten()
            .map(|value| git.delete_ref(name, &value));
        if !matches!(removed, Some(Ok(()))) {
            left.push(name.to_string());
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
    super::refuse("cut the line", &problems)
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}
