//! The kill fuzz: `release`, `branch cut --rc` and `backport` killed (SIGKILL, at a named kill point the kit
//! passes: `XTASK_KILL_AT`, see `ops::process::kill_point`) at every step, then the matching `--abort` — some
//! of them killed again half-way through. Every run ends with the refs, HEAD, index, work tree and worktree
//! list as before, no journal, no temporary file in the work tree and nothing in the temporary directory.

use std::path::Path;

use crate::support::{Repo, State, cut_project, run};

/// Everything that must be as before: the repository's state, and its worktree list.
#[derive(Debug, PartialEq)]
struct Snapshot {
    state: State,
    worktrees: String,
}

fn snapshot(repo: &Repo) -> Snapshot {
    Snapshot {
        state: repo.state(),
        worktrees: repo.git(&["worktree", "list", "--porcelain"]),
    }
}

/// Runs the kit with the kill point armed (`point`, or `point#n` for its n-th passage in any of the kit's
/// processes) and its temporary directory in `tmp`.
fn xtask_killed(repo: &Repo, tmp: &Path, args: &[&str], point: &str) -> crate::support::Run {
    let mut command = repo.command(crate::support::xtask_bin(), args);
    command
        .env("TMPDIR", tmp)
        .env("XTASK_KILL_AT", point)
        .env("XTASK_KILL_COUNTER", tmp.join("kill-counter"));
    let out = run(command);
    let _ = std::fs::remove_file(tmp.join("kill-counter"));
    out
}

fn xtask_in(repo: &Repo, tmp: &Path, args: &[&str]) -> crate::support::Run {
    let mut command = repo.command(crate::support::xtask_bin(), args);
    command.env("TMPDIR", tmp);
    run(command)
}

#[track_caller]
fn no_leftovers(repo: &Repo, tmp: &Path, context: &str) {
    let xtask_dir = repo.path().join(".git/xtask");
    if xtask_dir.is_dir() {
        let left: Vec<_> = std::fs::read_dir(&xtask_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "{context}: left in .git/xtask: {left:?}");
    }
    let status = repo.git(&[
        "status",
        "--porcelain",
        "--untracked-files=all",
        "--ignored",
    ]);
    assert!(!status.contains(".tmp"), "{context}: {status}");
    let left: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{context}: left in TMPDIR: {left:?}");
}

/// A project at 0.1.0 with a development version after each release (`version.dev`), a changelog, a line
/// template's default and one fix since `v0.1.0`.
fn release_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '^(?<version>\\S+)' }]\n",
    );
    repo.write("VERSION", "0.1.0\n");
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [0.1.0] - 2023-01-01\n\n- first\n",
    );
    repo.commit("chore: initial");
    repo.tag("v0.1.0");
    repo.write("src.txt", "fixed\n");
    repo.commit("fix: the thing");
    repo
}

/// Kills `release patch` at `point`, checks the journal is left, then `release --abort` (killed itself at
/// `abort_point` first, when given) puts everything back.
fn release_case(point: &str, abort_point: Option<&str>) {
    let repo = release_project();
    let tmp = tempfile::TempDir::new().unwrap();
    let before = snapshot(&repo);
    let killed = xtask_killed(&repo, tmp.path(), &["release", "patch", "--yes"], point);
    let context =
        format!("release killed at {point} (abort killed at {abort_point:?})\n{killed:?}");
    assert_eq!(killed.code, -1, "{context}");
    if let Some(abort_point) = abort_point {
        let again = xtask_killed(&repo, tmp.path(), &["release", "--abort"], abort_point);
        assert_eq!(again.code, -1, "{context}\nabort: {again:?}");
    }
    xtask_in(&repo, tmp.path(), &["release", "--abort"]).ok();
    assert_eq!(snapshot(&repo), before, "{context}");
    no_leftovers(&repo, tmp.path(), &context);
}

/// Kills `branch cut --rc` (or the release candidate's release inside it) at `point`, then `branch cut
/// --abort`.
fn cut_case(point: &str) {
    let repo = cut_project();
    let tmp = tempfile::TempDir::new().unwrap();
    let before = snapshot(&repo);
    let killed = xtask_killed(
        &repo,
        tmp.path(),
        &["branch", "cut", "--rc", "--yes"],
        point,
    );
    let context = format!("branch cut --rc killed at {point}\n{killed:?}");
    assert_eq!(killed.code, -1, "{context}");
    xtask_in(&repo, tmp.path(), &["branch", "cut", "--abort"])
        .ok()
        .says("the interrupted cut is undone");
    assert_eq!(snapshot(&repo), before, "{context}");
    no_leftovers(&repo, tmp.path(), &context);
    // And the cut then goes through.
    xtask_in(&repo, tmp.path(), &["branch", "cut", "--rc", "--yes"])
        .ok()
        .says("cut stable/1.4");
}

/// Kills `backport <fix> --to stable/1.4` at `point`, then `backport --abort`.
fn backport_case(point: &str) {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '^(?<version>\\S+)' }]\n",
    );
    repo.write("VERSION", "1.4.0\n");
    repo.commit("chore: initial");
    repo.tag("v1.4.0");
    repo.git(&["branch", "stable/1.4"]);
    repo.write("VERSION", "1.5.0-dev\n");
    repo.commit("chore: start 1.5.0-dev");
    repo.write("fix.txt", "fixed\n");
    repo.commit("fix: a fix for the line");
    let tmp = tempfile::TempDir::new().unwrap();
    let before = snapshot(&repo);
    let killed = xtask_killed(
        &repo,
        tmp.path(),
        &["backport", "HEAD", "--to", "stable/1.4", "--yes"],
        point,
    );
    let context = format!("backport killed at {point}\n{killed:?}");
    assert_eq!(killed.code, -1, "{context}");
    xtask_in(
        &repo,
        tmp.path(),
        &["backport", "HEAD", "--to", "stable/1.4", "--yes"],
    )
    .fails(1)
    .says("backport --abort");
    xtask_in(&repo, tmp.path(), &["backport", "--abort"]).ok();
    assert_eq!(snapshot(&repo), before, "{context}");
    no_leftovers(&repo, tmp.path(), &context);
}

macro_rules! kills {
    ($case:ident { $($name:ident: $($arg:expr),+;)* }) => {
        $(
            #[cfg(target_os = "linux")]
            #[test]
            fn $name() {
                $case($($arg),+);
            }
        )*
    };
}

// `release patch` with a development version: write, commit, tag, write, commit.
kills!(release_case {
    release_at_journal: "release:journal", None;
    release_before_write: "write:before", None;
    release_with_temporaries_written: "write:temporaries", None;
    release_after_write: "write:written", None;
    release_after_stage: "write:staged", None;
    release_before_commit: "commit:before", None;
    release_after_commit: "commit:made", None;
    release_commit_journaled: "commit:journaled", None;
    release_before_tag: "tag:before", None;
    release_tag_object_made: "tag:object", None;
    release_tag_made: "tag:made", None;
    release_before_dev_write: "write:before#2", None;
    release_after_dev_write: "write:written#2", None;
    release_after_dev_commit: "commit:made#2", None;
    release_done: "release:done", None;
    abort_killed_after_deleting_the_tag: "release:done", Some("undo:tag");
    abort_killed_after_moving_the_branch: "release:done", Some("undo:moved");
    abort_killed_after_the_index: "commit:made#2", Some("undo:index");
});

// `branch cut --rc`: the line, the candidate's worktree and release (the inner release's points are its
// first passages), the candidate's proof, the development commit (second passages), the journals' hand-over.
kills!(cut_case {
    cut_after_the_line: "cut:line";
    cut_worktree_journaled: "cut:worktree-journaled";
    cut_worktree_added: "cut:worktree-added";
    cut_candidate_temporaries: "write:temporaries";
    cut_candidate_commit_made: "commit:made";
    cut_candidate_tag_object: "tag:object";
    cut_candidate_tag_made: "tag:made";
    cut_candidate_done: "release:done";
    cut_candidate_recorded: "cut:rc-recorded";
    cut_candidate_journal_removed: "cut:rc-journal-removed";
    cut_candidate_worktree_removed: "cut:worktree-removed";
    cut_dev_commit_made: "commit:made#2";
    cut_dev_done: "release:done#2";
    cut_dev_recorded: "cut:dev-recorded";
    cut_dev_journal_removed: "cut:dev-journal-removed";
});

kills!(backport_case {
    backport_worktree_added: "backport:worktree";
    backport_picked: "backport:picked";
    backport_line_moved: "backport:moved";
});
