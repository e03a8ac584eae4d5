//! Release lines: cutting `stable/X.Y`, release candidates and releases on it, backports, and the
//! rules that keep a line to its own patches.

use crate::support::Repo;

/// A project whose `VERSION` file says `1.4.0-dev` after the release `v1.3.0`, with a feature since.
fn project(line_branch: Option<&str>, released: &str, dev: &str) -> Repo {
    let repo = Repo::new();
    let mut config =
        String::from("[version]\nfiles = [{ path = \"VERSION\", regex = '^(?<version>\\S+)' }]\n");
    if let Some(template) = line_branch {
        config.push_str(&format!("\n[release]\nline_branch = \"{template}\"\n"));
    }
    repo.write("xtask.toml", &config);
    repo.write("VERSION", &format!("{released}\n"));
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.commit("chore: initial");
    repo.tag(&format!("v{released}"));
    repo.write("VERSION", &format!("{dev}\n"));
    repo.commit(&format!("chore: start {dev}"));
    repo.write("feature.txt", "new\n");
    repo.commit("feat: a feature for the next minor");
    repo
}

fn section<'a>(changelog: &'a str, version: &str) -> &'a str {
    changelog
        .split(&format!("## [{version}]"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {version} section in:\n{changelog}"))
        .split("\n## ")
        .next()
        .unwrap()
}

#[test]
fn stable_branches_with_release_candidates_backports_and_patch_only_rules() {
    let repo = project(None, "1.3.0", "1.4.0-dev");
    let cut_at = repo.git(&["rev-parse", "HEAD"]);
    repo.xtask(&["branch", "cut", "--yes"])
        .ok()
        .says("cut stable/1.4");
    assert_eq!(repo.git(&["rev-parse", "stable/1.4"]), cut_at);
    assert_eq!(repo.read("VERSION"), "1.5.0-dev\n");
    assert_eq!(repo.git(&["symbolic-ref", "--short", "HEAD"]), "main");

    // On the line: a release candidate, a fix, then the final release.
    repo.git(&["switch", "--quiet", "stable/1.4"]);
    repo.xtask(&["release", "rc", "--yes"])
        .ok()
        .says("as v1.4.0-rc.1");
    assert_eq!(repo.read("VERSION"), "1.4.0-rc.1\n");
    repo.write("fix.txt", "fixed\n");
    repo.commit("fix: a fix on the line");
    repo.xtask(&["release", "release", "--yes"])
        .ok()
        .says("as v1.4.0");
    assert_eq!(
        repo.git(&[
            "branch",
            "--contains",
            "v1.4.0",
            "--format=%(refname:short)"
        ]),
        "stable/1.4"
    );
    let notes = repo.read("CHANGELOG.md");
    let final_notes = section(&notes, "1.4.0");
    assert!(
        final_notes.contains("a feature for the next minor"),
        "{notes}"
    );
    assert!(final_notes.contains("a fix on the line"), "{notes}");
    assert_eq!(repo.read("VERSION"), "1.4.1-dev\n");

    // A fix on main is offered for backporting, and backported without touching main's checkout.
    repo.git(&["switch", "--quiet", "main"]);
    repo.write("bug.txt", "fixed on main\n");
    repo.commit("fix: a bug found on main");
    let fix = repo.git(&["rev-parse", "HEAD"]);
    repo.write("docs.txt", "\n");
    repo.commit("docs: not offered");
    let listed = repo.xtask(&["backport", "--list", "stable/1.4"]).ok();
    assert!(
        listed.stdout.contains("a bug found on main"),
        "{}",
        listed.stdout
    );
    assert!(!listed.stdout.contains("not offered"), "{}", listed.stdout);
    assert!(!listed.stdout.contains("a feature"), "{}", listed.stdout);
    let json = repo
        .xtask(&["backport", "--list", "stable/1.4", "--format", "json"])
        .ok();
    assert!(json.stdout.contains(&fix), "{}", json.stdout);

    repo.write("docs.txt", "uncommitted edit\n");
    repo.write("scratch.txt", "untracked\n");
    let before = repo.state();
    repo.xtask(&["backport", &fix[..10], "--to", "stable/1.4", "--yes"])
        .ok()
        .says("backported 1 commit(s) to stable/1.4");
    let after = repo.state();
    assert_eq!(after.head, before.head);
    assert_eq!(after.index, before.index);
    assert_eq!(after.files, before.files);
    assert_eq!(after.status, before.status);
    let picked = repo.git(&["log", "-1", "--format=%B", "stable/1.4"]);
    assert!(
        picked.contains(&format!("(cherry picked from commit {fix})")),
        "{picked}"
    );
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
    let again = repo.xtask(&["backport", "--list", "stable/1.4"]).ok();
    assert!(
        !again.stdout.contains("a bug found on main"),
        "{}",
        again.stdout
    );

    // A patch release on the line; a feature there is refused for a patch, a minor refused outright.
    repo.git(&["checkout", "--quiet", "--", "docs.txt"]);
    repo.git(&["switch", "--quiet", "stable/1.4"]);
    repo.xtask(&["release", "patch", "--yes"])
        .ok()
        .says("as v1.4.1");
    repo.write("feature2.txt", "\n");
    repo.commit("feat: a feature on the line");
    let line_state = repo.state();
    repo.xtask(&["release", "patch", "--yes"])
        .fails(1)
        .says("a feature on the line");
    repo.xtask(&["release", "minor", "--yes", "--force"])
        .fails(1)
        .says("stable/1.4 is the release line of 1.4");
    assert_eq!(repo.state(), line_state);

    // The next major's branch.
    repo.git(&["switch", "--quiet", "main"]);
    repo.xtask(&["branch", "next"]).ok().says("created next/2");
    assert_eq!(
        repo.git(&["rev-parse", "next/2"]),
        repo.git(&["rev-parse", "main"])
    );
}

#[test]
fn a_pre_one_project_with_its_own_line_names() {
    let repo = project(
        Some("release-v{{ major }}.{{ minor }}"),
        "0.2.0",
        "0.3.0-dev",
    );
    repo.xtask(&["branch", "cut", "--yes"])
        .ok()
        .says("cut release-v0.3");
    assert_eq!(repo.read("VERSION"), "0.4.0-dev\n");
    repo.git(&["switch", "--quiet", "release-v0.3"]);
    repo.xtask(&["release", "release", "--yes"])
        .ok()
        .says("as v0.3.0");
    repo.write("fix.txt", "\n");
    repo.commit("fix: on the line");
    repo.xtask(&["release", "auto", "--yes"])
        .ok()
        .says("as v0.3.1");
    repo.git(&["switch", "--quiet", "main"]);
    assert_eq!(repo.read("VERSION"), "0.4.0-dev\n");
}

#[test]
fn cut_with_rc_releases_on_the_line_without_switching() {
    let repo = project(None, "1.3.0", "1.4.0-dev");
    repo.xtask(&["branch", "cut", "--rc", "--yes"])
        .ok()
        .says("as v1.4.0-rc.1");
    assert_eq!(repo.git(&["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(repo.read("VERSION"), "1.5.0-dev\n");
    assert_eq!(repo.git(&["show", "stable/1.4:VERSION"]), "1.4.0-rc.1");
    assert_eq!(
        repo.git(&["rev-parse", "v1.4.0-rc.1^{commit}"]),
        repo.git(&["rev-parse", "stable/1.4"])
    );
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
}

#[test]
fn a_refused_cut_leaves_no_branch_behind() {
    let repo = project(None, "1.3.0", "1.4.0-dev");
    // The user's commit-msg hook refuses the development commit.
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(
        hooks.join("commit-msg"),
        "#!/bin/sh\necho 'no commits today' >&2\nexit 1\n",
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x", hooks.join("commit-msg").to_str().unwrap()])
        .status()
        .unwrap();
    let before = repo.state();
    repo.xtask(&["branch", "cut", "--rc", "--yes"])
        .fails(1)
        .says("nothing is left behind");
    assert_eq!(repo.state(), before);
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
    // Refused up front: a line that exists, a development branch that is not at X.Y.0.
    repo.git(&["branch", "stable/1.4"]);
    repo.xtask(&["branch", "cut", "--yes"])
        .fails(1)
        .says("the branch stable/1.4 exists already");
}

#[test]
fn a_conflicting_backport_leaves_the_line_unchanged_and_says_how_to_finish() {
    let repo = project(None, "1.3.0", "1.4.0-dev");
    repo.xtask(&["branch", "cut", "--yes"]).ok();
    repo.git(&["switch", "--quiet", "stable/1.4"]);
    repo.write("feature.txt", "line's version\n");
    repo.commit("fix: the line's own change");
    repo.git(&["switch", "--quiet", "main"]);
    repo.write("feature.txt", "main's version\n");
    repo.commit("fix: main's change");
    let line_before = repo.git(&["rev-parse", "stable/1.4"]);
    let run = repo
        .xtask(&["backport", "HEAD", "--to", "stable/1.4", "--yes"])
        .fails(1)
        .says("does not apply cleanly to stable/1.4")
        .says("git cherry-pick --continue")
        .says("git update-ref refs/heads/stable/1.4 HEAD");
    assert_eq!(repo.git(&["rev-parse", "stable/1.4"]), line_before);
    // The worktree is kept for the user to finish in, at the path printed.
    assert_eq!(
        repo.git(&["worktree", "list"]).lines().count(),
        2,
        "{}",
        run.stderr
    );
    repo.xtask(&["backport", "no-such-commit", "--to", "stable/1.4"])
        .fails(1)
        .says("no-such-commit is not a commit")
        .says("an interrupted backport left a journal")
        .says("backport --abort");
    // Giving up removes the worktree and the journal; the line stays as it was.
    repo.xtask(&["backport", "--abort"])
        .ok()
        .says("stable/1.4 is unchanged");
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
    assert_eq!(repo.git(&["rev-parse", "stable/1.4"]), line_before);
    assert!(
        !repo
            .path()
            .join(".git/xtask/backport-journal.json")
            .exists()
    );
    repo.xtask(&["backport", "--abort"])
        .ok()
        .says("nothing to undo");
}

#[test]
fn pre_push_accepts_a_line_release_tag_only_on_its_own_line() {
    let repo = project(None, "1.3.0", "1.4.0-dev");
    let bare = tempfile::TempDir::new().unwrap();
    let path = bare.path().to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", path]);
    repo.git(&["remote", "add", "origin", path]);
    repo.xtask(&["hooks", "install"]).ok();
    repo.xtask(&["branch", "cut", "--yes"]).ok();
    repo.git(&["push", "--quiet", "origin", "main", "stable/1.4", "v1.3.0"]);
    repo.git(&["switch", "--quiet", "stable/1.4"]);
    repo.xtask(&["release", "release", "--yes"]).ok();
    repo.git(&["push", "--quiet", "origin", "stable/1.4", "v1.4.0"]);
    // A 1.5.0 tag made on the 1.4 line (by hand, past the kit) is refused at push time.
    repo.write("VERSION", "1.5.0\n");
    repo.commit("chore: 1.5.0 on the wrong branch");
    repo.git(&["tag", "--annotate", "v1.5.0", "-m", "Release 1.5.0"]);
    let refused = repo.try_git(&["push", "origin", "stable/1.4", "v1.5.0"]);
    assert_ne!(refused.code, 0, "{}", refused.stderr);
    assert!(refused.stderr.contains("v1.5.0"), "{}", refused.stderr);
    let remote_tags = repo.git(&["ls-remote", "--tags", "origin"]);
    assert!(!remote_tags.contains("v1.5.0"), "{remote_tags}");
}

/// A commit-msg hook that, when the message contains `needle`, kills every `xtask` process above it (the
/// cut, and the release it runs in a worktree): a crash at that point. Each parent is read before the kill,
/// as a killed process is soon gone.
fn kill_at(repo: &Repo, needle: &str) {
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let script = format!(
        "#!/bin/sh\ngrep -q '{needle}' \"$1\" || exit 0\np=$PPID\nwhile [ \"$p\" -gt 1 ]; do\n  \
         next=$(awk '{{print $4}}' /proc/$p/stat)\n  [ \"$(cat /proc/$p/comm)\" = xtask ] && kill -9 $p\n  \
         p=$next\ndone\nexit 1\n"
    );
    crate::support::write_executable(&hooks.join("commit-msg"), script.as_bytes());
}

/// A cut killed at any step leaves a journal: the next cut refuses and says so, and `branch cut --abort`
/// puts everything back (HEAD, refs, index, files; no worktree, no tag, no line branch).
#[test]
fn an_interrupted_cut_is_undone_by_abort() {
    // Killed at the development commit (after the line and its release candidate were made), and killed
    // inside the release candidate's own release.
    for (needle, rc) in [("1.5.0", true), ("1.5.0", false), ("1.4.0-rc.1", true)] {
        let repo = project(None, "1.3.0", "1.4.0-dev");
        kill_at(&repo, needle);
        let before = repo.state();
        let mut args = vec!["branch", "cut", "--yes"];
        if rc {
            args.push("--rc");
        }
        let run = repo.xtask(&args);
        assert_ne!(run.code, 0, "{needle}: {run:?}");
        assert_ne!(
            repo.state(),
            before,
            "{needle}: the kill left something to undo"
        );
        repo.xtask(&["branch", "cut", "--yes"])
            .fails(1)
            .says("run `cargo xtask branch cut --abort`");
        repo.xtask(&["branch", "cut", "--abort"])
            .ok()
            .says("the interrupted cut is undone");
        assert_eq!(repo.state(), before, "{needle} (rc: {rc})");
        assert!(
            repo.try_git(&["rev-parse", "--verify", "--quiet", "stable/1.4"])
                .code
                != 0
        );
        assert!(
            repo.git(&["tag", "--list", "v1.4.0*"]).is_empty(),
            "{needle}"
        );
        assert_eq!(
            repo.git(&["worktree", "list"]).lines().count(),
            1,
            "{needle}"
        );
        assert!(!repo.path().join(".git/xtask/cut-journal.json").exists());
        // Nothing left to undo, and the cut now goes through (without the hook).
        repo.xtask(&["branch", "cut", "--abort"])
            .ok()
            .says("nothing to undo");
        std::fs::remove_file(repo.path().join(".git/hooks/commit-msg")).unwrap();
        repo.xtask(&["branch", "cut", "--yes"])
            .ok()
            .says("cut stable/1.4");
    }
}

/// `branch cut --abort` never deletes a ref that moved after the cut: it says which, keeps its journal, and
/// finishes once the user has dealt with it.
#[test]
fn abort_leaves_a_line_that_moved_since_the_cut() {
    let repo = project(None, "1.3.0", "1.4.0-dev");
    kill_at(&repo, "1.5.0");
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert_ne!(repo.xtask(&["branch", "cut", "--yes"]).code, 0);
    // Someone moves the new line before the abort.
    repo.git(&["branch", "--force", "stable/1.4", "HEAD~1"]);
    repo.xtask(&["branch", "cut", "--abort"])
        .fails(1)
        .says("refs/heads/stable/1.4 now points at")
        .says("the journal");
    // The development commit is undone all the same; the moved line stays.
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(
        repo.git(&["rev-parse", "stable/1.4"]),
        repo.git(&["rev-parse", "HEAD~1"])
    );
    assert!(repo.path().join(".git/xtask/cut-journal.json").exists());
    repo.git(&["branch", "--delete", "--force", "stable/1.4"]);
    repo.xtask(&["branch", "cut", "--abort"])
        .ok()
        .says("the interrupted cut is undone");
    assert!(!repo.path().join(".git/xtask/cut-journal.json").exists());
}
