//! Runs a release's steps with an undo journal under the git directory, and undoes them on any failure.
//!
//! The journal is written before each step that changes something (write-ahead), so that a process killed at
//! any point leaves enough behind for `xtask release --abort` to put the repository back: HEAD and its branch,
//! the index, the files the release wrote (byte for byte), and no tag from the run. Untracked files are never
//! touched; nothing is stashed or reset hard.
//!
//! Undo acts only on what the journal proves the run made. Each object is recorded before the ref that points
//! at it is written: the tag object is made first (`git mktag`) and its id journaled, and only then is
//! `refs/tags/T` created, by compare-and-swap against "absent"; before `git commit` the journal records the
//! exact parent, tree and message the commit will have. A ref holding anything else (a tag the user re-made,
//! a commit they amended or made on top) is the user's: left alone, named, with the commands to finish by
//! hand. A signed tag is made by `git tag --sign` (git signs it), so its id is learnt only after the ref
//! exists: until then it counts as the run's only if it tags the run's commit with exactly the run's message.
//! A branch checked out in another worktree is never moved. Before undoing anything, the undo checks that HEAD
//! is on the release's branch at one of its commits and that every file still holds what the release wrote;
//! if not, it changes nothing and says what differs and which commands would finish the job by hand.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::config::check_relative_path;
use crate::domain::problem::Problem;
use crate::domain::release::steps::Step;
use crate::domain::shell;
use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;
use crate::ops::process::kill_point;

const JOURNAL: &str = "xtask/release-journal.json";

/// What must be undone, as recorded so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    /// HEAD's commit before the release.
    pub head: String,
    /// The branch HEAD was on (`refs/heads/…`); `None` for a detached HEAD.
    pub branch: Option<String>,
    /// Files the release may have written.
    pub files: Vec<JournalFile>,
    /// Commits the release made, oldest first.
    pub commits: Vec<String>,
    /// A commit under way: its message, cleaned up as git does (a kill may land between git's commit and the
    /// journal's update).
    pub pending_commit: Option<String>,
    /// The tree the commit under way records: with its parent and message, what proves a commit is the run's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_tree: Option<String>,
    /// The tag the release creates, recorded before it is created.
    pub tag: Option<JournalTag>,
    /// A release of several packages makes one tag each: the tags made before `tag`, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_tags: Vec<JournalTag>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalFile {
    /// The configured path, relative to the work tree.
    pub rel: String,
    /// The file actually written (a symbolic link's target), relative to the work tree.
    pub real: String,
    /// The text before the release; `None`: the file did not exist.
    pub before: Option<String>,
    /// The git blob id of what the release wrote (the last write, when two steps write the file).
    pub written: String,
    /// The blob ids of what earlier steps of this run wrote there: a later write that failed (and put the
    /// file back as the earlier step left it) still leaves a file the release wrote.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<String>,
    /// The folders the release created for a new file (the deepest first): removed again, when empty, once
    /// the file is gone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub made_dirs: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalTag {
    pub name: String,
    /// The tag object this run created, recorded before `refs/tags/<name>` is written; `None` until the
    /// object exists (a signed tag: until `git tag --sign` has succeeded).
    pub id: Option<String>,
    /// The tag's message as git stores it: a tag with no recorded id is the run's only if its message begins
    /// with this (and it tags a commit of the run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `git tag` failed: whatever tag of that name exists is someone else's.
    #[serde(default)]
    pub refused: bool,
}

pub fn journal_path(git_dir: &Path) -> PathBuf {
    git_dir.join(JOURNAL)
}

fn save(path: &Path, journal: &Journal) -> Result<()> {
    fs::write_journal(path, journal, "the release journal")
}

/// Reads and validates the journal: a damaged or foreign one is an error, never acted on.
pub fn load(path: &Path) -> Result<Journal> {
    let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let damaged = |reason: String| {
        anyhow!(
            "the release journal {} is damaged ({reason}): nothing was changed; inspect it, undo the release by \
             hand if needed, then delete it",
            path.display()
        )
    };
    let journal: Journal = serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))?;
    validate(&journal).map_err(damaged)?;
    Ok(journal)
}

fn validate(journal: &Journal) -> std::result::Result<(), String> {
    let is_id = |s: &str| matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_id(&journal.head) {
        return Err(format!("head {:?} is not a commit id", journal.head));
    }
    if let Some(c) = journal.commits.iter().find(|c| !is_id(c)) {
        return Err(format!("commit {c:?} is not a commit id"));
    }
    if let Some(branch) = &journal.branch
        && (!branch.starts_with("refs/heads/") || branch.contains(".."))
    {
        return Err(format!("branch {branch:?} is not a branch"));
    }
    for tag in journal.tag.iter().chain(&journal.earlier_tags) {
        if tag.name.is_empty() || tag.name.starts_with('-') || tag.name.contains("..") {
            return Err(format!("tag {:?} is not a tag name", tag.name));
        }
        if let Some(id) = tag.id.as_deref().filter(|id| !is_id(id)) {
            return Err(format!("tag id {id:?} is not an object id"));
        }
    }
    for file in &journal.files {
        for path in [&file.rel, &file.real].into_iter().chain(&file.made_dirs) {
            check_relative_path(path).map_err(|reason| format!("file {path:?} {reason}"))?;
        }
        if let Some(bad) = std::iter::once(&file.written)
            .chain(&file.earlier)
            .find(|id| !is_id(id))
        {
            return Err(format!("{}: {bad:?} is not a content hash", file.rel));
        }
    }
    Ok(())
}

/// The git blob id of `text`: what `git hash-object` says, so a user can check it by hand.
pub fn content_id(text: &[u8]) -> String {
    crate::ops::policy::blob_id(text)
}

/// Runs `steps` in order: the local ones only (writes, commits, tags; see [`Step::is_local`]), which the journal
/// can undo. On failure everything done so far is undone and the error says which step failed and what was put
/// back. `on_step` is told of each finished step (for progress lines).
pub fn run(
    git: &Git,
    git_dir: &Path,
    head: &str,
    steps: &[Step],
    on_step: impl FnMut(&Step),
) -> Result<Journal> {
    let journal = run_kept(git, git_dir, head, steps, on_step)?;
    fs::remove_file(journal_path(git_dir)).context("cannot remove the release journal")?;
    Ok(journal)
}

/// [`run`], leaving the finished journal in place for a caller that has more to do before the run counts
/// as done (`branch cut` copies it into its own journal first, so that no kill leaves a gap between them).
pub fn run_kept(
    git: &Git,
    git_dir: &Path,
    head: &str,
    steps: &[Step],
    mut on_step: impl FnMut(&Step),
) -> Result<Journal> {
    if let Some(step) = steps.iter().find(|s| !s.is_local()) {
        bail!(
            "internal error: `{}` is not a step the release journal can undo: nothing was changed",
            step.describe()
        );
    }
    let path = journal_path(git_dir);
    if fs::exists(&path) {
        bail!(
            "a release is already under way (or was interrupted): run `cargo xtask release --abort` to undo it"
        );
    }
    let current = git.head_id().unwrap_or_default();
    if current != head {
        bail!(
            "HEAD moved from {} to {} after the checks (another process committed or switched branches): \
             nothing was changed; release again",
            short(head),
            short(&current)
        );
    }
    let mut journal = Journal {
        head: head.to_string(),
        branch: git.head_ref()?,
        ..Journal::default()
    };
    save(&path, &journal)?;
    kill_point("release:journal");
    for step in steps {
        if let Err(error) = apply(git, &path, &mut journal, step) {
            let undone = undo(git, &path, &journal);
            return Err(match undone {
                Ok(done) => error.context(format!(
                    "{} failed; {}the repository is as it was before the release",
                    step.describe(),
                    done.summary()
                )),
                Err(undo_error) => error.context(format!(
                    "{} failed, and undoing it failed too ({undo_error:#}): the journal is kept at {}; \
                     fix the cause and run `cargo xtask release --abort`",
                    step.describe(),
                    path.display()
                )),
            });
        }
        on_step(step);
    }
    kill_point("release:done");
    Ok(journal)
}

fn apply(git: &Git, path: &Path, journal: &mut Journal, step: &Step) -> Result<()> {
    match step {
        Step::Write(changes) => {
            let mut stage = Vec::new();
            for change in changes {
                let real = real_rel(git.root(), &change.rel)?;
                let written = content_id(change.after.as_bytes());
                match journal.files.iter_mut().find(|f| f.rel == change.rel) {
                    // Written before in this run: the text before the release stays the first one, and what the
                    // earlier step wrote stays ours (this write may fail and put it back).
                    Some(file) => {
                        let previous = std::mem::replace(&mut file.written, written);
                        if !file.earlier.contains(&previous) {
                            file.earlier.push(previous);
                        }
                    }
                    None => journal.files.push(JournalFile {
                        rel: change.rel.clone(),
                        real: real.clone(),
                        before: change.before.clone(),
                        written,
                        earlier: Vec::new(),
                        made_dirs: match change.before {
                            None => fs::missing_folders(git.root(), &change.rel),
                            Some(_) => Vec::new(),
                        },
                    }),
                }
                stage.push(real);
            }
            save(path, journal)?;
            kill_point("write:before");
            fs::write_all(changes)?;
            kill_point("write:written");
            git.add(&stage)?;
            kill_point("write:staged");
            Ok(())
        }
        Step::Commit { message } => {
            // The branch must be where this run left it: a commit made meanwhile by another process would
            // otherwise become the release's parent, and an undo could not tell it from ours.
            let expected = journal.commits.last().unwrap_or(&journal.head).clone();
            let current = git.head_id()?;
            if current != expected {
                bail!(
                    "HEAD moved to {} while the release ran (expected {}): another process committed",
                    short(&current),
                    short(&expected)
                );
            }
            // What the commit will be, before it exists: its parent (checked above), tree and message.
            journal.pending_commit = Some(git.stripspace(message)?);
            journal.pending_tree = Some(git.index_tree()?);
            save(path, journal)?;
            kill_point("commit:before");
            let id = git.commit(message)?;
            kill_point("commit:made");
            journal.pending_commit = None;
            journal.pending_tree = None;
            journal.commits.push(id);
            save(path, journal)?;
            kill_point("commit:journaled");
            Ok(())
        }
        Step::Tag {
            name,
            message,
            sign,
        } => {
            if let Some(made) = journal.tag.take() {
                journal.earlier_tags.push(made);
            }
            journal.tag = Some(JournalTag {
                name: name.clone(),
                id: None,
                message: Some(git.stripspace(message)?),
                refused: false,
            });
            save(path, journal)?;
            kill_point("tag:before");
            let refname = format!("refs/tags/{name}");
            let signed = *sign || git.signs_tags();
            // Unsigned: the object first, its id journaled, then the ref, created only if absent. Signed: git
            // signs only through `git tag`, which writes the ref itself; the journal has the message to judge
            // by until it learns the id. Either way the ref is created only if absent, so when that fails, a
            // tag of that name is another process's, even one on an identical commit.
            let created = if signed {
                git.tag_annotated(name, message, true)
            } else {
                let object = git.make_tag_object(name, &git.head_id()?, message)?;
                if let Some(tag) = &mut journal.tag {
                    tag.id = Some(object.clone());
                }
                save(path, journal)?;
                kill_point("tag:object");
                git.create_ref(&refname, &object, "xtask release")
            };
            if let Err(e) = created {
                if let Some(tag) = &mut journal.tag {
                    tag.refused = true;
                }
                save(path, journal)?;
                return Err(e);
            }
            kill_point("tag:made");
            if signed {
                let id = git.ref_value(&refname)?;
                if let Some(tag) = &mut journal.tag {
                    tag.id = id;
                }
            }
            save(path, journal)
        }
        // Refused by `run` before anything changes.
        other => bail!(
            "internal error: `{}` is not a step the release journal can undo",
            other.describe()
        ),
    }
}

/// The path git tracks for `rel`: the target of a symbolic link inside the work tree, or `rel` itself.
fn real_rel(root: &Path, rel: &str) -> Result<String> {
    let real = fs::confined(root, rel)?;
    let root = fs::canonicalize(root)?;
    let inside = real
        .strip_prefix(&root)
        .map_err(|_| anyhow!("{rel} leads outside the work tree"))?;
    Ok(inside.to_string_lossy().replace('\\', "/"))
}

/// What the repository looks like now, for the undo's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The branch HEAD is on, or `None` if detached.
    pub branch: Option<String>,
    pub head: String,
    /// HEAD's first parent, tree and message (to recognise a commit made just before a kill).
    pub head_parent: Option<String>,
    pub head_tree: Option<String>,
    pub head_message: Option<String>,
    /// The first parent of each commit the journal lists, in its order.
    pub parents: Vec<Option<String>>,
    /// The tag's current value, the commit it peels to and its message, if it exists.
    pub tag: Option<(String, Option<String>, Option<String>)>,
    /// The other worktrees that have the release's branch checked out.
    pub checked_out_elsewhere: Vec<PathBuf>,
    /// Each journal file's current blob id (`None`: missing), or why it cannot be read.
    pub files: Vec<std::result::Result<Option<String>, String>>,
}

/// What the undo will do, decided from the journal and what is observed.
#[derive(Debug, Default, PartialEq)]
pub struct Undo {
    /// Delete this tag, expecting this value.
    pub delete_tag: Option<(String, String)>,
    /// A tag left alone because it does not hold what this run created (said to the user).
    pub tag_left: Option<String>,
    /// Move this ref (a branch, or `HEAD` when detached) from the second value back to the first.
    pub move_ref: Option<(String, String, String)>,
    /// Index paths to reset to the old HEAD.
    pub unstage: Vec<String>,
    /// Files to put back (indexes into the journal's files).
    pub restore: Vec<usize>,
}

/// Decides the undo, or lists every reason not to touch anything.
pub fn decide_undo(journal: &Journal, now: &Observed) -> std::result::Result<Undo, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut plan = Undo::default();
    if now.branch != journal.branch {
        problems.push(format!(
            "HEAD is on {}, but the release was made on {}",
            describe_branch(&now.branch),
            describe_branch(&journal.branch)
        ));
    }
    // The release's commits form one chain on top of the old HEAD; anything else means someone else's commit
    // sits between them, which moving the branch back would drop.
    let mut expected_parent = journal.head.as_str();
    for (commit, parent) in journal.commits.iter().zip(&now.parents) {
        if parent.as_deref() != Some(expected_parent) {
            problems.push(format!(
                "the release's commit {} does not follow {} (another commit came in between)",
                short(commit),
                short(expected_parent)
            ));
        }
        expected_parent = commit;
    }
    // A commit made just before a kill is the run's only if it is exactly the one the journal announced: on
    // the expected parent, with the expected tree, its message the run's (a commit-msg hook may add trailers).
    // An amended commit, or the user's own on top, is theirs.
    let expected_parent = journal.commits.last().unwrap_or(&journal.head);
    let pending_is_ours = match (&journal.pending_commit, &journal.pending_tree) {
        (Some(message), Some(tree)) => {
            now.head_parent.as_ref() == Some(expected_parent)
                && now.head_tree.as_ref() == Some(tree)
                && now
                    .head_message
                    .as_ref()
                    .is_some_and(|m| m.starts_with(message.as_str()))
        }
        _ => false,
    };
    let mut ours: Vec<&str> = journal.commits.iter().map(String::as_str).collect();
    if pending_is_ours && now.head != journal.head && !ours.contains(&now.head.as_str()) {
        ours.push(&now.head);
    }
    if now.head != journal.head && now.branch == journal.branch {
        if ours.contains(&now.head.as_str()) {
            let name = journal.branch.clone().unwrap_or_else(|| "HEAD".into());
            if now.checked_out_elsewhere.is_empty() {
                plan.move_ref = Some((name, journal.head.clone(), now.head.clone()));
            } else {
                let places: Vec<String> = now
                    .checked_out_elsewhere
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                problems.push(format!(
                    "{} is checked out in the worktree {} too: moving it back would change that worktree's \
                     branch under its files (git refuses that as well); switch that worktree to another branch, \
                     e.g. `{}`",
                    describe_branch(&journal.branch),
                    places.join(", "),
                    shell::join(&["git", "-C", &places[0], "switch", "--detach"])
                ));
            }
        } else {
            problems.push(format!(
                "HEAD is at {}, which is not a commit of the interrupted release (commits were made since, or \
                 HEAD was moved)",
                short(&now.head)
            ));
        }
    }
    if let (Some(tag), Some((value, target, body))) = (&journal.tag, &now.tag) {
        let created_here = match &tag.id {
            // Creating the ref failed: whatever tag of that name exists is another process's, even an identical
            // object (two runs on identical commits in the same second make the same tag object).
            _ if tag.refused => false,
            // The id was journaled before the ref was written: the ref is ours exactly when it holds it.
            Some(id) => id == value,
            // A signed tag, killed between `git tag` and the journal's update: ours only if it tags a commit of
            // this run with this run's message (a tag re-made by hand has the user's own).
            None => {
                target.as_deref().is_some_and(|t| ours.contains(&t))
                    && matches!((&tag.message, body), (Some(m), Some(b)) if b.starts_with(m.as_str()))
            }
        };
        if created_here {
            plan.delete_tag = Some((format!("refs/tags/{}", tag.name), value.clone()));
        } else {
            plan.tag_left = Some(tag.name.clone());
        }
    }
    for (index, (file, current)) in journal.files.iter().zip(&now.files).enumerate() {
        let before = file.before.as_ref().map(|t| content_id(t.as_bytes()));
        match current {
            Err(e) => problems.push(format!("{}: {e}", file.rel)),
            Ok(Some(current)) if *current == file.written || file.earlier.contains(current) => {
                plan.restore.push(index)
            }
            Ok(current) if *current == before => {}
            Ok(None) => problems.push(format!(
                "{} was deleted after the release wrote it",
                file.rel
            )),
            Ok(Some(_)) => problems.push(format!(
                "{} was changed after the release wrote it",
                file.rel
            )),
        }
        for path in [&file.rel, &file.real] {
            if !plan.unstage.contains(path) {
                plan.unstage.push(path.clone());
            }
        }
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems.into_iter().map(Problem::said).collect())
    }
}

fn describe_branch(branch: &Option<String>) -> String {
    match branch {
        Some(b) => b.strip_prefix("refs/heads/").unwrap_or(b).to_string(),
        None => "a detached HEAD".into(),
    }
}

/// What an undo did, for the messages.
#[derive(Debug, Default)]
pub struct Undone {
    pub tag_deleted: Option<String>,
    pub tag_left: Option<String>,
    pub moved: Option<(String, String)>,
    pub restored: Vec<String>,
}

impl Undone {
    /// "deleted tag v1, moved main back to abc1234, put back A, B; " (empty when nothing needed undoing).
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(tag) = &self.tag_deleted {
            parts.push(format!("deleted tag {tag}"));
        }
        if let Some((name, to)) = &self.moved {
            parts.push(format!("moved {name} back to {}", short(to)));
        }
        if !self.restored.is_empty() {
            parts.push(format!("put back {}", self.restored.join(", ")));
        }
        if let Some(tag) = &self.tag_left {
            parts.push(format!(
                "left tag {tag} alone (it is not the one this release created)"
            ));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("{}; ", parts.join(", "))
        }
    }
}

fn observe(git: &Git, journal: &Journal) -> Result<Observed> {
    let head = git.head_id()?;
    let tag = match &journal.tag {
        Some(tag) => {
            let name = format!("refs/tags/{}", tag.name);
            git.ref_value(&name)?.map(|value| {
                let message = git.object_message(&value);
                (value, git.peeled(&name), message)
            })
        }
        None => None,
    };
    let files = journal
        .files
        .iter()
        .map(|file| match fs::confined(git.root(), &file.rel) {
            Err(e) => Err(format!("{e:#}")),
            Ok(path) => match fs::read(&path) {
                Ok(bytes) => Ok(Some(content_id(&bytes))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(format!("cannot read: {e}")),
            },
        })
        .collect();
    Ok(Observed {
        branch: git.head_ref()?,
        head_parent: git.peeled(&format!("{head}^")),
        head_tree: git
            .raw(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{head}^{{tree}}"),
            ])
            .ok()
            .map(|s| s.trim().to_string()),
        head_message: git.object_message(&head),
        checked_out_elsewhere: match &journal.branch {
            Some(branch) => git.checked_out_elsewhere(branch)?,
            None => Vec::new(),
        },
        parents: journal
            .commits
            .iter()
            .map(|c| git.peeled(&format!("{c}^")))
            .collect(),
        head,
        tag,
        files,
    })
}

/// Undoes a release [`run`] finished (its journal already removed), when a later step shows it cannot stand:
/// the journal is written again first, so that a kill during the undo leaves it for `--abort`.
pub fn undo_finished(git: &Git, git_dir: &Path, journal: &Journal) -> Result<Undone> {
    let path = journal_path(git_dir);
    save(&path, journal)?;
    undo(git, &path, journal)
}

/// Puts the repository back as the journal says it was, then removes the journal. Checks first: if anything
/// is not as the release left it, nothing is changed and the error lists what differs and the commands that
/// would finish the undo by hand.
pub fn undo(git: &Git, path: &Path, journal: &Journal) -> Result<Undone> {
    let now = observe(git, journal)?;
    let plan = decide_undo(journal, &now).map_err(|problems| {
        anyhow!(
            "cannot undo the release safely, so nothing was changed:\n  - {}\n\
             Put things back as the release left them and run `cargo xtask release --abort` again, or finish the \
             undo by hand with:\n{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n  - "),
            manual_commands(journal, path)
        )
    })?;
    let mut done = Undone {
        tag_left: plan.tag_left.clone(),
        ..Undone::default()
    };
    // Each step's failure says what was done already and that the journal stays for another `--abort`.
    let stopped = |done: &Undone, what: String| {
        let already = done.summary();
        let already = if already.is_empty() {
            "nothing was undone yet".to_string()
        } else {
            format!("already done: {}", already.trim_end_matches("; "))
        };
        format!(
            "{what}; {already}; the journal is kept at {}: fix the cause and run `cargo xtask release --abort` \
             again",
            path.display()
        )
    };
    if let Some((name, value)) = &plan.delete_tag {
        git.delete_ref(name, value).with_context(|| {
            stopped(
                &done,
                format!("cannot delete {name} (it was left as it is)"),
            )
        })?;
        done.tag_deleted = name.strip_prefix("refs/tags/").map(str::to_string);
        kill_point("undo:tag");
    }
    // The other packages' tags: each deleted only while it still holds the tag object this run made.
    for tag in journal.earlier_tags.iter().rev() {
        let name = format!("refs/tags/{}", tag.name);
        match (&tag.id, git.ref_value(&name)?) {
            (Some(id), Some(value)) if *id == value => {
                git.delete_ref(&name, id).with_context(|| {
                    stopped(
                        &done,
                        format!("cannot delete {name} (it was left as it is)"),
                    )
                })?;
                done.tag_deleted = Some(match done.tag_deleted.take() {
                    Some(deleted) => format!("{}, {deleted}", tag.name),
                    None => tag.name.clone(),
                });
            }
            (_, Some(_)) => {
                done.tag_left = Some(match done.tag_left.take() {
                    Some(left) => format!("{}, {left}", tag.name),
                    None => tag.name.clone(),
                });
            }
            (_, None) => {}
        }
    }
    if let Some((name, to, from)) = &plan.move_ref {
        git.update_ref(name, to, from).with_context(|| {
            stopped(
                &done,
                format!(
                    "cannot move {} back to {} (it was left at {})",
                    describe_branch(&journal.branch),
                    short(to),
                    short(from)
                ),
            )
        })?;
        done.moved = Some((describe_branch(&journal.branch), to.clone()));
        kill_point("undo:moved");
    }
    if !plan.unstage.is_empty() {
        git.reset_paths(&journal.head, &plan.unstage)
            .with_context(|| {
                stopped(
                    &done,
                    format!(
                        "cannot reset the index entries of {}",
                        plan.unstage.join(", ")
                    ),
                )
            })?;
        kill_point("undo:index");
    }
    let mut problems = Vec::new();
    for &index in &plan.restore {
        let file = &journal.files[index];
        let change = FileChange::new(git.root(), &file.rel, file.before.clone(), String::new());
        match fs::restore(&change) {
            Ok(()) => done.restored.push(file.rel.clone()),
            Err(e) => problems.push(format!("{}: {e:#}", file.rel)),
        }
    }
    // A kill in the middle of a write leaves the kit's temporary files beside the files: they go.
    for file in &journal.files {
        fs::remove_temporaries(git.root(), &file.rel);
    }
    // The folders made for files that are gone again: removed when empty (a folder holding anything stays).
    for file in journal.files.iter().filter(|f| f.before.is_none()) {
        if !file.made_dirs.is_empty()
            && fs::confined(git.root(), &file.rel).is_ok_and(|path| !fs::lexists(path))
        {
            fs::remove_empty_folders(git.root(), &file.made_dirs);
        }
    }
    if !problems.is_empty() {
        return Err(anyhow!(stopped(
            &done,
            format!("cannot put back {}", problems.join(", "))
        )));
    }
    // A journal kept elsewhere (`branch cut` keeps a copy in its own) may already be gone.
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(anyhow!(e).context("cannot remove the release journal"));
        }
        _ => {}
    }
    Ok(done)
}

/// The commands that would finish the undo by hand, each word quoted for the shell.
fn manual_commands(journal: &Journal, path: &Path) -> String {
    let mut lines = Vec::new();
    if let Some(branch) = &journal.branch {
        lines.push(shell::join(&[
            "git",
            "switch",
            describe_branch(&journal.branch).as_str(),
        ]));
        if let Some(last) = journal.commits.last() {
            lines.push(format!(
                "{}    # only if {} is still at {}",
                shell::join(&["git", "update-ref", branch.as_str(), &journal.head, last]),
                describe_branch(&journal.branch),
                short(last)
            ));
        }
    }
    for tag in journal
        .earlier_tags
        .iter()
        .chain(&journal.tag)
        .filter(|t| !t.refused)
    {
        let name = format!("refs/tags/{}", tag.name);
        match &tag.id {
            Some(id) => lines.push(shell::join(&["git", "update-ref", "-d", &name, id])),
            None => lines.push(format!(
                "{}    # only if it tags a commit of the release",
                shell::join(&["git", "tag", "--delete", &tag.name])
            )),
        }
    }
    let files: Vec<&str> = journal.files.iter().map(|f| f.real.as_str()).collect();
    if !files.is_empty() {
        let mut reset = vec!["git", "reset", "--quiet", journal.head.as_str(), "--"];
        reset.extend(&files);
        lines.push(shell::join(&reset));
        let existed: Vec<&str> = journal
            .files
            .iter()
            .filter(|f| f.before.is_some())
            .map(|f| f.real.as_str())
            .collect();
        if !existed.is_empty() {
            let mut checkout = vec!["git", "checkout", journal.head.as_str(), "--"];
            checkout.extend(&existed);
            lines.push(format!(
                "{}    # overwrites those files",
                shell::join(&checkout)
            ));
        }
        for file in journal.files.iter().filter(|f| f.before.is_none()) {
            lines.push(format!(
                "{}    # the release created it",
                shell::join(&["rm", "--", file.real.as_str()])
            ));
        }
    }
    lines.push(shell::join(&["rm", "--", &path.to_string_lossy()]));
    lines
        .iter()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccc";
    const T: &str = "dddddddddddddddddddddddddddddddddddddddd";
    const X: &str = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

    fn journal() -> Journal {
        Journal {
            head: A.into(),
            branch: Some("refs/heads/main".into()),
            files: vec![JournalFile {
                rel: "VERSION".into(),
                real: "VERSION".into(),
                before: Some("1\n".into()),
                written: content_id(b"2\n"),
                earlier: Vec::new(),
                made_dirs: Vec::new(),
            }],
            commits: vec![B.into()],
            pending_commit: None,
            pending_tree: None,
            tag: Some(JournalTag {
                name: "v2".into(),
                id: Some(T.into()),
                message: Some("Release v2\n".into()),
                refused: false,
            }),
            earlier_tags: Vec::new(),
        }
    }

    fn observed() -> Observed {
        Observed {
            branch: Some("refs/heads/main".into()),
            head: B.into(),
            head_parent: Some(A.into()),
            head_tree: Some(C.into()),
            head_message: Some("chore(release): 2\n".into()),
            parents: vec![Some(A.into())],
            tag: Some((T.into(), Some(B.into()), Some("Release v2\n".into()))),
            checked_out_elsewhere: Vec::new(),
            files: vec![Ok(Some(content_id(b"2\n")))],
        }
    }

    #[test]
    fn an_untouched_release_is_undone_completely() {
        let plan = decide_undo(&journal(), &observed()).unwrap();
        assert_eq!(plan.delete_tag, Some(("refs/tags/v2".into(), T.into())));
        assert_eq!(
            plan.move_ref,
            Some(("refs/heads/main".into(), A.into(), B.into()))
        );
        assert_eq!(plan.restore, vec![0]);
    }

    #[test]
    fn a_tag_that_is_not_ours_is_left_alone() {
        let mut now = observed();
        now.tag = Some((X.into(), Some(C.into()), Some("Release v2\n".into())));
        let plan = decide_undo(&journal(), &now).unwrap();
        assert_eq!(plan.delete_tag, None);
        assert_eq!(plan.tag_left, Some("v2".into()));
        // The id is journaled before the ref exists: a tag re-made on the run's own commit is the user's.
        now.tag = Some((X.into(), Some(B.into()), Some("Release v2\n".into())));
        assert_eq!(decide_undo(&journal(), &now).unwrap().delete_tag, None);
        // A signed tag, killed before the journal learnt its id: ours only if it tags a commit of the run
        // with the run's message (a signature may follow it).
        let mut j = journal();
        j.tag = Some(JournalTag {
            name: "v2".into(),
            id: None,
            message: Some("Release v2\n".into()),
            refused: false,
        });
        now.tag = Some((X.into(), Some(C.into()), Some("Release v2\n".into())));
        assert_eq!(decide_undo(&j, &now).unwrap().delete_tag, None);
        now.tag = Some((X.into(), Some(B.into()), Some("my notes\n".into())));
        assert_eq!(decide_undo(&j, &now).unwrap().delete_tag, None);
        now.tag = Some((
            X.into(),
            Some(B.into()),
            Some("Release v2\n-----BEGIN SSH SIGNATURE-----\n".into()),
        ));
        assert_eq!(
            decide_undo(&j, &now).unwrap().delete_tag,
            Some(("refs/tags/v2".into(), X.into()))
        );
        // `git tag` refused: another process's tag, even on an identical commit.
        if let Some(tag) = &mut j.tag {
            tag.refused = true;
        }
        assert_eq!(decide_undo(&j, &now).unwrap().delete_tag, None);
    }

    #[test]
    fn anything_changed_since_refuses_and_says_what() {
        let mut now = observed();
        now.branch = Some("refs/heads/other".into());
        now.files = vec![Ok(Some(content_id(b"edited\n")))];
        let problems = decide_undo(&journal(), &now).unwrap_err();
        assert!(
            problems[0]
                .reason
                .contains("HEAD is on other, but the release was made on main")
        );
        assert!(
            problems[1]
                .reason
                .contains("VERSION was changed after the release wrote it")
        );
        let mut now = observed();
        now.head = C.into();
        now.head_parent = Some(B.into());
        let problems = decide_undo(&journal(), &now).unwrap_err();
        assert!(
            problems[0]
                .reason
                .contains("not a commit of the interrupted release")
        );
        // A foreign commit under the release's commit: moving the branch back would drop it.
        let mut now = observed();
        now.parents = vec![Some(X.into())];
        let problems = decide_undo(&journal(), &now).unwrap_err();
        assert!(
            problems[0].reason.contains("does not follow"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_commit_made_just_before_a_kill_is_recognised() {
        let mut j = journal();
        j.commits.clear();
        j.tag = None;
        j.pending_commit = Some("chore(release): 2\n".into());
        j.pending_tree = Some(C.into());
        let mut now = observed();
        now.parents.clear();
        let plan = decide_undo(&j, &now).unwrap();
        assert_eq!(
            plan.move_ref,
            Some(("refs/heads/main".into(), A.into(), B.into()))
        );
        // A commit-msg hook's trailer does not make it someone else's.
        now.head_message = Some("chore(release): 2\n\nChange-Id: I123\n".into());
        assert!(decide_undo(&j, &now).unwrap().move_ref.is_some());
    }

    #[test]
    fn a_pending_commit_amended_or_built_on_is_the_users() {
        let mut j = journal();
        j.commits.clear();
        j.tag = None;
        j.pending_commit = Some("chore(release): 2\n".into());
        j.pending_tree = Some(C.into());
        let mut now = observed();
        now.parents.clear();
        // Amended: another tree, or another message.
        now.head_tree = Some(X.into());
        assert!(decide_undo(&j, &now).is_err());
        now.head_tree = Some(C.into());
        now.head_message = Some("my own words\n".into());
        assert!(decide_undo(&j, &now).is_err());
        // A commit of the user's on top of the release commit: its parent is not the expected one.
        let mut now = observed();
        now.parents.clear();
        now.head = X.into();
        now.head_parent = Some(B.into());
        let problems = decide_undo(&j, &now).unwrap_err();
        assert!(
            problems[0]
                .reason
                .contains("not a commit of the interrupted release")
        );
        // A journal from before the tree was recorded proves nothing.
        j.pending_tree = None;
        assert!(decide_undo(&j, &observed()).is_err());
    }

    #[test]
    fn a_branch_checked_out_in_another_worktree_is_not_moved() {
        let mut now = observed();
        now.checked_out_elsewhere = vec![PathBuf::from("/elsewhere/wt")];
        let problems = decide_undo(&journal(), &now).unwrap_err();
        assert!(
            problems[0]
                .reason
                .contains("main is checked out in the worktree /elsewhere/wt"),
            "{problems:?}"
        );
    }

    #[test]
    fn files_already_as_before_are_not_touched() {
        let mut now = observed();
        now.files = vec![Ok(Some(content_id(b"1\n")))];
        assert!(decide_undo(&journal(), &now).unwrap().restore.is_empty());
    }

    #[test]
    fn a_file_left_as_an_earlier_step_wrote_it_is_still_ours() {
        let mut j = journal();
        j.files[0].earlier = vec![content_id(b"2\n")];
        j.files[0].written = content_id(b"3-dev\n");
        // The dev write failed and put the file back as the release step wrote it.
        assert_eq!(decide_undo(&j, &observed()).unwrap().restore, vec![0]);
        let mut now = observed();
        now.files = vec![Ok(Some(content_id(b"someone else's\n")))];
        assert!(decide_undo(&j, &now).is_err());
    }

    #[test]
    fn a_damaged_journal_is_refused() {
        let mut j = journal();
        j.files[0].rel = "../../etc/passwd".into();
        assert!(
            validate(&j)
                .unwrap_err()
                .contains("leads out of the work tree")
        );
        let mut j = journal();
        j.files[0].real = ".git/hooks/pre-commit".into();
        assert!(validate(&j).unwrap_err().contains("under .git"));
        let mut j = journal();
        j.head = "HEAD~3".into();
        assert!(validate(&j).is_err());
        assert!(validate(&journal()).is_ok());
        let mut j = journal();
        j.earlier_tags.push(JournalTag {
            name: "--delete".into(),
            id: Some(T.into()),
            message: None,
            refused: false,
        });
        assert!(validate(&j).unwrap_err().contains("not a tag name"));
    }

    #[test]
    fn every_tag_of_a_release_of_several_packages_is_in_the_manual_undo() {
        let mut j = journal();
        j.earlier_tags.push(JournalTag {
            name: "core-v2".into(),
            id: Some(X.into()),
            message: None,
            refused: false,
        });
        let text = manual_commands(&j, Path::new("/r/.git/xtask/release-journal.json"));
        assert!(
            text.contains(&format!("git update-ref -d refs/tags/core-v2 {X}")),
            "{text}"
        );
        assert!(
            text.contains(&format!("git update-ref -d refs/tags/v2 {T}")),
            "{text}"
        );
        // Older journals (one tag) still load: the list is optional and left out when empty.
        let json = serde_json::to_string(&journal()).unwrap();
        assert!(!json.contains("earlier_tags"), "{json}");
    }
}
