//! `release --abort` undoes only what the journal proves the kit made: a kill forced at a named step (a git
//! hook that kills the kit), then the user's own work (a re-made tag, an amended commit, a commit on top, the
//! branch checked out in another worktree, a stale lock), then `--abort`: the user's work is kept, named, and
//! the rest undone or the commands to finish by hand given.

use crate::support::{
    Repo, Run, State, append_config, cut_project, regex_project, write_executable,
};

const JOURNAL: &str = ".git/xtask/release-journal.json";

/// Kills every `xtask` process above the hook (read before each kill, as a killed process is soon gone).
pub const KILL: &str = "p=$PPID\nwhile [ \"$p\" -gt 1 ]; do\n  next=$(awk '{print $4}' /proc/$p/stat)\n  [ \"$(cat /proc/$p/comm)\" = xtask ] && kill -9 $p\n  p=$next\ndone\nexit 1\n";

/// `name` as a hook that kills the kit at its first call.
fn kill_in_hook(repo: &Repo, name: &str) {
    write_executable(
        &repo.path().join(".git/hooks").join(name),
        format!("#!/bin/sh\n{KILL}").as_bytes(),
    );
}

/// A reference-transaction hook that kills the kit once `refs/tags/<tag>` is written (state `committed`):
/// the tag exists, the kit never ran another line.
fn kill_after_tag_written(repo: &Repo, tag: &str) {
    write_executable(
        &repo.path().join(".git/hooks/reference-transaction"),
        format!(
            "#!/bin/sh\n[ \"$1\" = committed ] || {{ cat >/dev/null; exit 0; }}\ngrep -q ' refs/tags/{tag}$' || exit 0\n{KILL}"
        )
        .as_bytes(),
    );
}

fn remove_hooks(repo: &Repo) {
    for hook in ["reference-transaction", "post-commit", "pre-commit"] {
        let _ = std::fs::remove_file(repo.path().join(".git/hooks").join(hook));
    }
}

/// Runs `release minor`, which the hook kills; the journal is left.
#[track_caller]
fn killed_release(repo: &Repo) {
    let run = repo.xtask(&["release", "minor", "--yes"]);
    assert_eq!(run.code, -1, "killed by a signal: {run:?}");
    assert!(
        repo.path().join(JOURNAL).exists(),
        "the kill leaves the journal"
    );
    remove_hooks(repo);
}

/// The state without the given refs (those the test itself made or kept).
fn without_refs(mut state: State, prefixes: &[&str]) -> State {
    state.refs = state
        .refs
        .lines()
        .filter(|l| !prefixes.iter().any(|p| l.starts_with(p)))
        .collect::<Vec<_>>()
        .join("\n");
    state
}

#[cfg(target_os = "linux")]
#[test]
fn a_tag_the_user_remade_after_a_kill_is_kept_by_abort() {
    let repo = regex_project();
    let before = repo.state();
    kill_after_tag_written(&repo, "v0.2.0");
    killed_release(&repo);
    // The user re-makes the tag on the same commit, with their own notes (tags have no reflog).
    repo.git(&["tag", "-f", "-a", "v0.2.0", "-m", "my notes"]);
    let users = repo.git(&["rev-parse", "refs/tags/v0.2.0"]);
    repo.xtask(&["release", "--abort"])
        .ok()
        .says("left tag v0.2.0 alone");
    assert_eq!(repo.git(&["rev-parse", "refs/tags/v0.2.0"]), users);
    assert_eq!(
        repo.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]),
        "my notes"
    );
    // Everything else is as before the release.
    assert_eq!(
        without_refs(repo.state(), &["refs/tags/v0.2.0 "]),
        before,
        "HEAD, branch, index and files are back"
    );
    assert!(!repo.path().join(JOURNAL).exists());

    // Untouched by the user, the kit's own tag goes.
    let repo = regex_project();
    let before = repo.state();
    kill_after_tag_written(&repo, "v0.2.0");
    killed_release(&repo);
    repo.xtask(&["release", "--abort"])
        .ok()
        .says("deleted tag v0.2.0");
    assert_eq!(repo.state(), before);
}

/// `gpg.format = ssh` with a key made here: a signed tag, whose id git tells only after writing the ref.
fn sign_with_ssh(repo: &Repo) -> bool {
    let key = repo.home.path().join("id_ed25519");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
        .arg(&key)
        .output();
    if !matches!(&made, Ok(out) if out.status.success()) {
        eprintln!("skipped: ssh-keygen is not available here ({made:?})");
        return false;
    }
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    append_config(repo, "[tag]\nsign = true\n");
    true
}

#[cfg(target_os = "linux")]
#[test]
fn a_signed_tag_the_user_remade_after_a_kill_is_kept_by_abort() {
    let repo = regex_project();
    if !sign_with_ssh(&repo) {
        return;
    }
    let before = repo.state();
    kill_after_tag_written(&repo, "v0.2.0");
    killed_release(&repo);
    assert!(
        repo.git(&["cat-file", "tag", "v0.2.0"])
            .contains("BEGIN SSH SIGNATURE")
    );
    repo.git(&["tag", "-f", "-a", "v0.2.0", "-m", "my notes"]);
    repo.xtask(&["release", "--abort"])
        .ok()
        .says("left tag v0.2.0 alone");
    assert_eq!(
        repo.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]),
        "my notes"
    );
    assert_eq!(without_refs(repo.state(), &["refs/tags/v0.2.0 "]), before);

    // The kit's own signed tag (its message, on its commit) goes.
    let repo = regex_project();
    assert!(sign_with_ssh(&repo));
    let before = repo.state();
    kill_after_tag_written(&repo, "v0.2.0");
    killed_release(&repo);
    repo.xtask(&["release", "--abort"])
        .ok()
        .says("deleted tag v0.2.0");
    assert_eq!(repo.state(), before);
}

#[cfg(target_os = "linux")]
#[test]
fn a_pending_commit_the_user_amended_or_built_on_is_kept_by_abort() {
    // Killed right after git made the release commit (post-commit), before the journal learnt its id.
    for users_move in ["amend", "amend-message", "on-top", "nothing"] {
        let repo = regex_project();
        let before = repo.state();
        kill_in_hook(&repo, "post-commit");
        killed_release(&repo);
        let kits = repo.git(&["rev-parse", "HEAD"]);
        match users_move {
            "amend" => {
                repo.write("mine.txt", "mine\n");
                repo.git(&["add", "mine.txt"]);
                repo.git(&["commit", "--quiet", "--amend", "--no-edit"]);
            }
            "amend-message" => {
                repo.git(&["commit", "--quiet", "--amend", "-m", "chore: my words"]);
            }
            "on-top" => {
                repo.write("mine.txt", "mine\n");
                repo.git(&["add", "mine.txt"]);
                repo.git(&["commit", "--quiet", "-m", "feat: mine"]);
            }
            _ => {}
        }
        if users_move == "nothing" {
            repo.xtask(&["release", "--abort"])
                .ok()
                .says("moved main back");
            assert_eq!(repo.state(), before, "{users_move}");
            continue;
        }
        let theirs = repo.state();
        let head = repo.git(&["rev-parse", "HEAD"]);
        assert_ne!(head, kits);
        repo.xtask(&["release", "--abort"])
            .fails(1)
            .says("nothing was changed")
            .says(&format!(
                "HEAD is at {}, which is not a commit of the interrupted release",
                &head[..7]
            ))
            .says("finish the undo by hand");
        assert_eq!(
            repo.state(),
            theirs,
            "{users_move}: the user's commit stays"
        );
        assert!(repo.path().join(JOURNAL).exists(), "{users_move}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn abort_never_moves_a_branch_checked_out_in_another_worktree() {
    let repo = regex_project();
    let before = repo.state();
    kill_after_tag_written(&repo, "v0.2.0");
    killed_release(&repo);
    let other = tempfile::TempDir::new().unwrap();
    let wt = other.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "--quiet",
        "--force",
        wt.to_str().unwrap(),
        "main",
    ]);
    let stuck = repo.state();
    repo.xtask(&["release", "--abort"])
        .fails(1)
        .says("nothing was changed")
        .says(&format!(
            "main is checked out in the worktree {}",
            wt.display()
        ));
    assert_eq!(repo.state(), stuck);
    repo.git(&["worktree", "remove", "--force", wt.to_str().unwrap()]);
    repo.xtask(&["release", "--abort"]).ok().says("restored");
    assert_eq!(repo.state(), before);
}

#[cfg(target_os = "linux")]
#[test]
fn a_stale_ref_lock_stops_abort_saying_what_it_did_and_what_not() {
    let repo = regex_project();
    let before = repo.state();
    kill_after_tag_written(&repo, "v0.2.0");
    killed_release(&repo);
    let lock = repo.path().join(".git/refs/heads/main.lock");
    std::fs::write(&lock, "").unwrap();
    repo.xtask(&["release", "--abort"])
        .fails(1)
        .says("cannot move main back to")
        .says("main.lock")
        .says("already done: deleted tag v0.2.0")
        .says("the journal is kept at");
    assert!(repo.path().join(JOURNAL).exists());
    std::fs::remove_file(&lock).unwrap();
    // A stale index lock: the same, naming the index.
    let index_lock = repo.path().join(".git/index.lock");
    std::fs::write(&index_lock, "").unwrap();
    repo.xtask(&["release", "--abort"])
        .fails(1)
        .says("cannot reset the index entries")
        .says("index.lock")
        .says("already done: moved main back")
        .says("the journal is kept at");
    std::fs::remove_file(&index_lock).unwrap();
    repo.xtask(&["release", "--abort"]).ok().says("restored");
    assert_eq!(repo.state(), before);
}

/// The kit with its temporary directory in `tmp` and, when given, killed at the kill point `at`.
fn xtask_at(repo: &Repo, tmp: &std::path::Path, args: &[&str], at: Option<&str>) -> Run {
    let mut command = repo.command(crate::support::xtask_bin(), args);
    command.env("TMPDIR", tmp);
    if let Some(at) = at {
        command.env("XTASK_KILL_AT", at);
    }
    crate::support::run(command)
}

fn worktrees(repo: &Repo) -> String {
    repo.git(&["worktree", "list", "--porcelain"])
}

#[cfg(target_os = "linux")]
#[test]
fn cut_abort_never_deletes_a_line_checked_out_in_another_worktree() {
    let repo = cut_project();
    let tmp = tempfile::TempDir::new().unwrap();
    let before = repo.state();
    let listed = worktrees(&repo);
    let killed = xtask_at(
        &repo,
        tmp.path(),
        &["branch", "cut", "--yes"],
        Some("cut:line"),
    );
    assert_eq!(killed.code, -1, "{killed:?}");
    let other = tempfile::TempDir::new().unwrap();
    let wt = other.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "--quiet",
        wt.to_str().unwrap(),
        "stable/1.4",
    ]);
    let line = repo.git(&["rev-parse", "stable/1.4"]);
    xtask_at(&repo, tmp.path(), &["branch", "cut", "--abort"], None)
        .fails(1)
        .says(&format!(
            "refs/heads/stable/1.4 is checked out in the worktree {}",
            wt.display()
        ))
        .says("the journal");
    assert_eq!(repo.git(&["rev-parse", "stable/1.4"]), line);
    assert!(repo.path().join(".git/xtask/cut-journal.json").exists());
    repo.git(&["worktree", "remove", wt.to_str().unwrap()]);
    xtask_at(&repo, tmp.path(), &["branch", "cut", "--abort"], None)
        .ok()
        .says("the interrupted cut is undone");
    assert_eq!(repo.state(), before);
    assert_eq!(worktrees(&repo), listed);
}

/// A smudge filter on `VERSION` that kills the kit and the git processes between (the `git worktree add`
/// and the `git reset --hard` it runs): `git worktree add` dies with its worktree still locked.
#[cfg(target_os = "linux")]
#[test]
fn cut_abort_removes_a_worktree_a_killed_git_worktree_add_left_locked() {
    let repo = cut_project();
    let script = repo.home.path().join("trap.sh");
    write_executable(
        &script,
        // Every process up to the kit is found first and all are killed at once: a `git worktree add`
        // that outlived its `git reset` would clean up after itself.
        b"#!/bin/sh\ncat >/dev/null\nchain=\"\"\np=$PPID\nwhile [ \"$p\" -gt 1 ]; do\n  chain=\"$p $chain\"\n  [ \"$(cat /proc/$p/comm)\" = xtask ] && { kill -9 $chain; exit 1; }\n  p=$(awk '{print $4}' /proc/$p/stat)\ndone\nexit 1\n",
    );
    repo.write(".gitattributes", "VERSION filter=trap\n");
    repo.commit("chore: a filter");
    let tmp = tempfile::TempDir::new().unwrap();
    let before = repo.state();
    let listed = worktrees(&repo);
    repo.git(&["config", "filter.trap.smudge", script.to_str().unwrap()]);
    let killed = xtask_at(&repo, tmp.path(), &["branch", "cut", "--rc", "--yes"], None);
    assert_eq!(killed.code, -1, "{killed:?}");
    let locked = std::fs::read_dir(repo.path().join(".git/worktrees"))
        .unwrap()
        .any(|e| e.unwrap().path().join("locked").exists());
    assert!(
        locked,
        "the killed `git worktree add` left its worktree locked"
    );
    repo.git(&["config", "--unset", "filter.trap.smudge"]);
    xtask_at(&repo, tmp.path(), &["branch", "cut", "--abort"], None)
        .ok()
        .says("removed the worktree")
        .says("the interrupted cut is undone");
    assert_eq!(repo.state(), before);
    assert_eq!(worktrees(&repo), listed);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[cfg(target_os = "linux")]
#[test]
fn cut_abort_names_a_candidate_tag_the_user_remade_and_finishes() {
    let repo = cut_project();
    let tmp = tempfile::TempDir::new().unwrap();
    let before = repo.state();
    let killed = xtask_at(
        &repo,
        tmp.path(),
        &["branch", "cut", "--rc", "--yes"],
        Some("tag:made"),
    );
    assert_eq!(killed.code, -1, "{killed:?}");
    repo.git(&[
        "tag",
        "-f",
        "-a",
        "v1.4.0-rc.1",
        "-m",
        "my candidate",
        "stable/1.4",
    ]);
    let users = repo.git(&["rev-parse", "refs/tags/v1.4.0-rc.1"]);
    xtask_at(&repo, tmp.path(), &["branch", "cut", "--abort"], None)
        .ok()
        .says("left tag v1.4.0-rc.1 alone")
        .says("the interrupted cut is undone");
    assert_eq!(repo.git(&["rev-parse", "refs/tags/v1.4.0-rc.1"]), users);
    assert_eq!(
        without_refs(repo.state(), &["refs/tags/v1.4.0-rc.1 "]),
        before
    );
    assert!(!repo.path().join(".git/xtask/cut-journal.json").exists());
    // Killed after the candidate's proof was handed over: the cut's own abort names the tag.
    let repo = cut_project();
    let killed = xtask_at(
        &repo,
        tmp.path(),
        &["branch", "cut", "--rc", "--yes"],
        Some("cut:worktree-removed"),
    );
    assert_eq!(killed.code, -1, "{killed:?}");
    repo.git(&[
        "tag",
        "-f",
        "-a",
        "v1.4.0-rc.1",
        "-m",
        "my candidate",
        "stable/1.4",
    ]);
    xtask_at(&repo, tmp.path(), &["branch", "cut", "--abort"], None)
        .ok()
        .says("left the tag v1.4.0-rc.1 alone")
        .says("git tag --delete v1.4.0-rc.1")
        .says("the interrupted cut is undone");
}

#[cfg(target_os = "linux")]
#[test]
fn a_temporary_directory_that_is_not_utf8_is_refused_before_the_cut_changes_anything() {
    use std::os::unix::ffi::OsStrExt;
    let repo = cut_project();
    let base = tempfile::TempDir::new().unwrap();
    let odd = base.path().join(std::ffi::OsStr::from_bytes(b"tmp-\xff"));
    std::fs::create_dir(&odd).unwrap();
    let before = repo.state();
    let mut command = repo.command(
        crate::support::xtask_bin(),
        &["branch", "cut", "--rc", "--yes"],
    );
    command.env("TMPDIR", &odd);
    crate::support::run(command)
        .fails(1)
        .says("is not valid UTF-8")
        .says("nothing was changed");
    assert_eq!(repo.state(), before);
    assert!(!repo.path().join(".git/xtask/cut-journal.json").exists());
    assert_eq!(std::fs::read_dir(&odd).unwrap().count(), 0);
}

/// `GIT_DIR` and the like, exported by a hook or a wrapper, never send the kit's writes to another
/// repository: naming another repository, they are refused before anything is read or changed; naming the
/// repository `-C` names, they change nothing.
#[test]
fn git_variables_naming_another_repository_are_refused() {
    let a = regex_project();
    let b = regex_project();
    let (a_before, b_before) = (a.state(), b.state());
    let a_dir = a.path().to_str().unwrap();
    let b_git = b.path().join(".git");
    let b_git = b_git.to_str().unwrap();
    let b_index = b.path().join(".git/index");
    for (name, value) in [
        ("GIT_DIR", b_git),
        ("GIT_COMMON_DIR", b_git),
        ("GIT_WORK_TREE", b.path().to_str().unwrap()),
        ("GIT_INDEX_FILE", b_index.to_str().unwrap()),
    ] {
        b.xtask_env(
            &["-C", a_dir, "release", "minor", "--yes"],
            &[(name, value)],
        )
        .fails(1)
        .says(&format!("{name} is set to {value}"))
        .says("nothing was read or changed")
        .says(&format!("env -u {name}"));
        assert_eq!(a.state(), a_before, "{name}");
        assert_eq!(b.state(), b_before, "{name}");
    }
    // The repository's own values (relative ones read from -C's directory, as `git -C` reads them) are fine.
    let a_git = a.path().join(".git");
    a.xtask_env(
        &["-C", a_dir, "release", "minor", "--yes"],
        &[
            ("GIT_DIR", ".git"),
            ("GIT_WORK_TREE", a_dir),
            ("GIT_COMMON_DIR", a_git.to_str().unwrap()),
        ],
    )
    .ok()
    .says("released 0.2.0");
    assert_eq!(
        a.git(&["rev-parse", "v0.2.0^{commit}"]),
        a.git(&["rev-parse", "HEAD"])
    );
    assert_eq!(b.state(), b_before);
}

/// A changelog file in folders that do not exist yet: a refused release, and a killed one after `--abort`,
/// leave none of the folders made for it (a folder that holds something of the user's stays).
#[cfg(target_os = "linux")]
#[test]
fn folders_made_for_a_new_changelog_file_go_with_it() {
    for killed in [false, true] {
        let repo = regex_project();
        append_config(&repo, "[changelog]\nfile = \"docs/notes/CHANGES.md\"\n");
        let before = repo.state();
        if killed {
            kill_in_hook(&repo, "pre-commit");
            killed_release(&repo);
            assert!(repo.path().join("docs/notes/CHANGES.md").exists());
            repo.xtask(&["release", "--abort"]).ok().says("restored");
        } else {
            write_executable(
                &repo.path().join(".git/hooks/commit-msg"),
                b"#!/bin/sh\necho 'commit-msg: no' >&2\nexit 1\n",
            );
            repo.xtask(&["release", "minor", "--yes"])
                .fails(1)
                .says("the repository is as it was before the release");
            std::fs::remove_file(repo.path().join(".git/hooks/commit-msg")).unwrap();
        }
        assert!(!repo.path().join("docs").exists(), "killed: {killed}");
        assert_eq!(repo.state(), before, "killed: {killed}");
    }
    // A folder the user had already stays, with what is in it.
    let repo = regex_project();
    repo.write("docs/mine.txt", "mine\n");
    append_config(&repo, "[changelog]\nfile = \"docs/notes/CHANGES.md\"\n");
    kill_in_hook(&repo, "pre-commit");
    killed_release(&repo);
    repo.xtask(&["release", "--abort"]).ok();
    assert!(!repo.path().join("docs/notes").exists());
    assert_eq!(repo.read("docs/mine.txt"), "mine\n");
}

/// "The binary is missing" only when it is: a binary that is there but not executable is named as such.
#[cfg(unix)]
#[test]
fn hooks_status_tells_a_missing_binary_from_one_that_is_not_executable() {
    use std::os::unix::fs::PermissionsExt;
    let repo = regex_project();
    repo.git(&["config", "core.hooksPath", "githooks"]);
    repo.xtask(&["hooks", "install"]).ok();
    let bin = repo.path().join(".git/xtask/bin/xtask");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o644)).unwrap();
    let status = repo.xtask(&["hooks", "status"]).ok();
    assert!(
        status.stdout.contains("is not executable") && !status.stdout.contains("missing"),
        "{status:?}"
    );
    std::fs::remove_file(&bin).unwrap();
    repo.xtask(&["hooks", "status"])
        .ok()
        .says("ours, but the binary is missing");
}

/// A repository owned by another user is not "not a git repository": the kit says what it is and how to
/// trust it (needs root to give the repository away; skipped otherwise).
#[cfg(target_os = "linux")]
#[test]
fn a_repository_of_another_user_is_named_as_such() {
    let repo = regex_project();
    let given = std::process::Command::new("chown")
        .args(["-R", "nobody"])
        .arg(repo.path())
        .output();
    if !matches!(&given, Ok(out) if out.status.success()) {
        eprintln!("skipped: cannot give the repository to another user here");
        return;
    }
    for args in [&["hooks", "install"][..], &["release", "minor", "--yes"]] {
        let run = repo.xtask(args).fails(1);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            all.contains("belongs to another user") && all.contains("safe.directory"),
            "{args:?}: {all}"
        );
        assert!(!all.contains("not a git repository"), "{args:?}: {all}");
    }
    let _ = std::process::Command::new("chown")
        .args(["-R", &own_uid()])
        .arg(repo.path())
        .status();
}

/// This process's user id, from `id -u` (to give the repository back for its removal).
fn own_uid() -> String {
    String::from_utf8(
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string()
}

/// A repository whose path is not UTF-8 is not "not a git repository": `hooks install`, which cannot name
/// the binary by such a path, says what the matter is.
#[cfg(target_os = "linux")]
#[test]
fn a_repository_at_a_path_that_is_not_utf8_is_named_as_a_repository() {
    use std::os::unix::ffi::OsStrExt;
    let repo = regex_project();
    let odd = repo.path().join(std::ffi::OsStr::from_bytes(b"sub-\xff"));
    std::fs::create_dir(&odd).unwrap();
    let mut init = repo.command("git", &["init", "--quiet", "--initial-branch=main"]);
    init.current_dir(&odd);
    crate::support::run(init).ok();
    let mut install = repo.command(crate::support::xtask_bin(), &["hooks", "install"]);
    install.current_dir(&odd);
    let run = crate::support::run(install).fails(1);
    assert!(
        run.stderr
            .contains("is a git repository, but its path is not valid UTF-8")
            && !run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );
    assert!(!odd.join(".git/xtask").exists());
}

/// A journal that cannot be written (a full disk: the temporary file leads to `/dev/full`) stops the
/// release before anything changes, and leaves no `release-journal.json.tmp` behind.
#[cfg(target_os = "linux")]
#[test]
fn a_journal_write_on_a_full_disk_leaves_no_fragment() {
    let repo = regex_project();
    let before = repo.state();
    let tmp = repo.path().join(".git/xtask/release-journal.json.tmp");
    std::fs::create_dir_all(tmp.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/full", &tmp).unwrap();
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("cannot write the release journal")
        .says("No space left on device");
    assert!(
        std::fs::symlink_metadata(&tmp).is_err(),
        "the fragment is gone"
    );
    assert!(!repo.path().join(JOURNAL).exists());
    assert_eq!(repo.state(), before);
}
