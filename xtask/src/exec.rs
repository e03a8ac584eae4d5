//! Runs a release's steps with an undo journal under the git directory, and undoes them on any failure.
//!
//! The journal is written before each step that changes something (write-ahead), so that a process killed at
//! any point leaves enough behind for `xtask release --abort` to put the repository back: HEAD and its branch,
//! the index, the files the release wrote (byte for byte), and no tag from the run. Untracked files are never
//! touched; nothing is stashed or reset hard.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;

const JOURNAL: &str = "xtask/release-journal.json";

/// One step of a release.
#[derive(Debug, Clone)]
pub enum Action {
    /// Replace files (all or none) and stage them.
    Write(Vec<FileChange>),
    Commit {
        message: String,
    },
    Tag {
        name: String,
        message: String,
        sign: bool,
    },
}

impl Action {
    pub fn describe(&self) -> String {
        match self {
            Action::Write(changes) => {
                let names: Vec<&str> = changes.iter().map(|c| c.rel.as_str()).collect();
                format!("write {}", names.join(", "))
            }
            Action::Commit { message } => {
                format!("commit \"{}\"", message.lines().next().unwrap_or(""))
            }
            Action::Tag { name, .. } => format!("tag {name}"),
        }
    }
}

/// What must be undone, as recorded so far.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Journal {
    /// HEAD's commit before the release.
    pub head: String,
    /// Files the release may have written, with their text before (`None`: the file did not exist).
    pub files: Vec<JournalFile>,
    /// Commits the release made, oldest first.
    pub commits: Vec<String>,
    /// A commit under way: its message (a kill may land between git's commit and the journal's update).
    pub pending_commit: Option<String>,
    /// The tag the release creates, recorded before it is created.
    pub tag: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct JournalFile {
    pub rel: String,
    pub before: Option<String>,
}

pub fn journal_path(git_dir: &Path) -> PathBuf {
    git_dir.join(JOURNAL)
}

fn save(path: &Path, journal: &Journal) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(journal)?)?;
    std::fs::rename(&tmp, path).context("cannot write the release journal")?;
    Ok(())
}

pub fn load(path: &Path) -> Result<Journal> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is damaged: inspect it, then delete it", path.display()))
}

/// Runs `actions` in order. On failure everything done so far is undone and the error says which step failed.
/// `on_step` is told of each finished step (for progress lines).
pub fn run(
    git: &Git,
    git_dir: &Path,
    head: &str,
    actions: &[Action],
    mut on_step: impl FnMut(&Action),
) -> Result<Journal> {
    let path = journal_path(git_dir);
    if path.exists() {
        bail!(
            "a release is already under way (or was interrupted): run `cargo xtask release --abort` to undo it"
        );
    }
    let mut journal = Journal {
        head: head.to_string(),
        ..Journal::default()
    };
    save(&path, &journal)?;
    for action in actions {
        if let Err(error) = apply(git, &path, &mut journal, action) {
            let undo = undo(git, &path, &journal);
            return Err(match undo {
                Ok(()) => error.context(format!("{} failed; the repository is as it was before the release", action.describe())),
                Err(undo_error) => error.context(format!(
                    "{} failed, and undoing it failed too ({undo_error:#}): the journal is kept at {}; \
                     fix the cause and run `cargo xtask release --abort`",
                    action.describe(),
                    path.display()
                )),
            });
        }
        on_step(action);
    }
    std::fs::remove_file(&path).context("cannot remove the release journal")?;
    Ok(journal)
}

fn apply(git: &Git, path: &Path, journal: &mut Journal, action: &Action) -> Result<()> {
    match action {
        Action::Write(changes) => {
            for change in changes {
                if !journal.files.iter().any(|f| f.rel == change.rel) {
                    journal.files.push(JournalFile {
                        rel: change.rel.clone(),
                        before: change.before.clone(),
                    });
                }
            }
            save(path, journal)?;
            fs::write_all(changes)?;
            git.add(&changes.iter().map(|c| c.rel.clone()).collect::<Vec<_>>())
        }
        Action::Commit { message } => {
            journal.pending_commit = Some(message.clone());
            save(path, journal)?;
            let id = git.commit(message)?;
            journal.pending_commit = None;
            journal.commits.push(id);
            save(path, journal)
        }
        Action::Tag {
            name,
            message,
            sign,
        } => {
            journal.tag = Some(name.clone());
            save(path, journal)?;
            git.tag_annotated(name, message, *sign)
        }
    }
}

/// Puts the repository back as the journal says it was, then removes the journal.
pub fn undo(git: &Git, path: &Path, journal: &Journal) -> Result<()> {
    let current = git.head_id().unwrap_or_default();
    let ours = current == journal.head
        || journal.commits.contains(&current)
        || journal.pending_commit.is_some() && parent_is_known(git, &current, journal);
    if !ours {
        bail!(
            "HEAD ({}) is not a commit of the interrupted release: commits were made since; \
             move HEAD back to {} yourself (the journal at {} lists what the release wrote)",
            short(&current),
            short(&journal.head),
            path.display()
        );
    }
    if let Some(tag) = &journal.tag
        && git
            .raw(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/tags/{tag}"),
            ])
            .is_ok()
    {
        git.delete_tag(tag)?;
    }
    git.reset_index_and_head(&journal.head)?;
    let mut problems = Vec::new();
    for file in &journal.files {
        let change = FileChange::new(git.root(), &file.rel, file.before.clone(), String::new());
        if let Err(e) = fs::restore(&change) {
            problems.push(format!("{}: {e}", file.rel));
        }
    }
    if !problems.is_empty() {
        return Err(anyhow!("cannot restore {}", problems.join(", ")));
    }
    std::fs::remove_file(path).context("cannot remove the release journal")?;
    Ok(())
}

fn parent_is_known(git: &Git, commit: &str, journal: &Journal) -> bool {
    let parent = git
        .raw(&["rev-parse", "--verify", "--quiet", &format!("{commit}^")])
        .unwrap_or_default();
    let parent = parent.trim();
    parent == journal.head || journal.commits.iter().any(|c| c == parent)
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}
