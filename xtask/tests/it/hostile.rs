//! Safety under hostile conditions: races with other processes and worktrees, damaged or outdated journals,
//! paths that lead outside the work tree, files that cannot be written, remotes that refuse, shallow clones and
//! runaway templates. Each test reproduces the situation in a throw-away repository and then looks at the
//! repository, the other worktree, the remote and the user's files, not only at the exit code.

use std::time::{Duration, Instant};

use crate::support::{self, Repo, append_config, regex_project, write_executable};

#[test]
fn a_runaway_template_is_stopped_with_an_error_naming_it() {
    let repo = regex_project();
    repo.write(
        "templates/loop.md.j2",
        "{% for i in range(10000) %}{% for j in range(10000) %}{{ i }}{% endfor %}{% endfor %}\n",
    );
    append_config(&repo, "[changelog]\ntemplate = \"templates/loop.md.j2\"\n");
    let before = repo.state();
    let started = Instant::now();
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("templates/loop.md.j2: template error: the template does too much work");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(repo.state(), before);
    // A message template is limited the same way.
    repo.write("xtask.toml", &repo.read("xtask.toml").replace("[changelog]\ntemplate = \"templates/loop.md.j2\"\n", "[release]\ncommit = \"{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}\"\n"));
    repo.commit("chore: loop in the message");
    repo.xtask(&["release", "minor", "--yes", "--no-changelog"])
        .fails(1)
        .says("release.commit: template error: the template does too much work");
}

/// A `git clone --depth 1` of `origin`, with the test identity.
fn shallow_clone(origin: &Repo) -> Repo {
    let clone = Repo::new();
    std::fs::remove_dir_all(clone.path().join(".git")).unwrap();
    let url = format!("file://{}", origin.path().display());
    clone.git(&["clone", "--quiet", "--depth", "1", &url, "."]);
    clone.git(&["config", "user.name", "Test User"]);
    clone.git(&["config", "user.email", "test@example.com"]);
    clone
}

#[test]
fn a_dry_run_in_a_shallow_clone_fetches_nothing_and_says_what_a_release_would() {
    let origin = regex_project();
    origin.write("src.txt", "two\n");
    origin.commit("fix: two");
    let clone = shallow_clone(&origin);
    let shallow = std::fs::read(clone.path().join(".git/shallow")).unwrap();
    let objects = clone.git(&["count-objects", "-v"]);
    let before = clone.state();
    clone
        .xtask(&["release", "minor", "--dry-run"])
        .ok()
        .says("this dry run fetches nothing")
        .says("git fetch --tags --depth=1 origin");
    assert_eq!(
        std::fs::read(clone.path().join(".git/shallow")).unwrap(),
        shallow
    );
    assert_eq!(clone.git(&["count-objects", "-v"]), objects);
    assert_eq!(clone.state(), before);
    assert_eq!(clone.git(&["tag", "--list"]), "");
}

#[test]
fn configured_paths_outside_the_work_tree_or_in_git_are_configuration_errors() {
    let outside = tempfile::TempDir::new().unwrap();
    let absolute = outside.path().join("out.md");
    let cases = [
        "../out.md".to_string(),
        absolute.to_str().unwrap().to_string(),
        ".git/hooks/post-commit".to_string(),
    ];
    for path in cases {
        let repo = regex_project();
        append_config(&repo, &format!("[changelog]\nfile = {path:?}\n"));
        let before = repo.state();
        for args in [
            &["check"][..],
            &["release", "minor", "--dry-run"],
            &["release", "minor", "--yes"],
        ] {
            repo.xtask(args)
                .fails(1)
                .says("changelog.file")
                .says(&format!("{path:?}"));
        }
        assert_eq!(repo.state(), before, "{path}");
        assert!(!repo.path().join(".git/hooks/post-commit").exists());
        assert!(!repo.path().parent().unwrap().join("out.md").exists());
        assert!(!absolute.exists());
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_version_file_is_written_through_inside_the_tree_and_refused_outside() {
    use std::os::unix::fs::symlink;
    let repo = regex_project();
    std::fs::create_dir(repo.path().join("meta")).unwrap();
    std::fs::rename(
        repo.path().join("VERSION"),
        repo.path().join("meta/VERSION"),
    )
    .unwrap();
    symlink("meta/VERSION", repo.path().join("VERSION")).unwrap();
    repo.commit("chore: VERSION is a link");
    repo.xtask(&["release", "minor", "--yes"]).ok();
    let link = std::fs::symlink_metadata(repo.path().join("VERSION")).unwrap();
    assert!(link.file_type().is_symlink(), "VERSION is still a link");
    assert_eq!(repo.read("meta/VERSION"), "0.2.0\n");
    assert_eq!(repo.git(&["show", "v0.2.0:meta/VERSION"]), "0.2.0");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // A link leading out of the work tree: refused before anything changes, the outside file untouched.
    let outside = tempfile::TempDir::new().unwrap();
    let target = outside.path().join("VERSION");
    std::fs::write(&target, "0.2.0\n").unwrap();
    std::fs::remove_file(repo.path().join("VERSION")).unwrap();
    symlink(&target, repo.path().join("VERSION")).unwrap();
    repo.commit("chore: VERSION leads outside");
    repo.write("src.txt", "three\n");
    repo.commit("fix: three");
    let before = repo.state();
    repo.xtask(&["release", "patch", "--yes"])
        .fails(1)
        .says("VERSION leads outside the work tree");
    repo.xtask(&["check"])
        .fails(1)
        .says("VERSION leads outside the work tree");
    assert_eq!(repo.state(), before);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "0.2.0\n");
}

const JOURNAL: &str = ".git/xtask/release-journal.json";

#[test]
fn a_tag_another_process_created_meanwhile_is_left_as_it_was() {
    let repo = regex_project();
    // The last preflight step stands in for the other process: the tag appears after the checks passed.
    append_config(
        &repo,
        "[release]\npre = [\"git tag --annotate v0.2.0 -m 'made by someone else' HEAD~1\"]\n",
    );
    let before = repo.state();
    let run = repo.xtask(&["release", "minor", "--yes"]).fails(1);
    assert!(run.stderr.contains("tag v0.2.0 failed"), "{}", run.stderr);
    assert!(
        run.stderr.contains("left tag v0.2.0 alone"),
        "{}",
        run.stderr
    );
    let tag = repo.git(&[
        "tag",
        "-l",
        "--format=%(contents:subject) %(*objectname)",
        "v0.2.0",
    ]);
    assert_eq!(
        tag,
        format!(
            "made by someone else {}",
            repo.git(&["rev-parse", "HEAD~1"])
        )
    );
    let mut after = repo.state();
    // Everything else is as before: HEAD, branch, index, files.
    assert_eq!(after.head, before.head);
    assert_eq!(after.index, before.index);
    assert_eq!(after.files, before.files);
    assert_eq!(after.status, before.status);
    after.refs = after
        .refs
        .lines()
        .filter(|l| !l.starts_with("refs/tags/v0.2.0 "))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(after.refs, before.refs);
    assert!(!repo.path().join(JOURNAL).exists());
}

#[test]
fn a_commit_another_process_made_after_the_checks_stops_the_release_unchanged() {
    let repo = regex_project();
    append_config(
        &repo,
        "[release]\npre = [\"git commit --quiet --allow-empty -m 'chore: someone else'\"]\n",
    );
    let run = repo.xtask(&["release", "minor", "--yes"]).fails(1);
    assert!(run.stderr.contains("HEAD moved from"), "{}", run.stderr);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "chore: someone else"
    );
    assert_eq!(repo.read("VERSION"), "0.1.0\n");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.git(&["tag", "--list", "v0.2.0"]), "");
    assert!(!repo.path().join(JOURNAL).exists());
}

#[test]
fn a_release_in_a_second_worktree_never_deletes_the_first_ones_tag() {
    let repo = regex_project();
    // While the second worktree's release is between its checks and its tag, the first worktree releases the
    // same version for real (its own `release.pre` does nothing: OTHER is unset there).
    append_config(
        &repo,
        "[release]\nbranches = [\"main\", \"next\"]\npre = ['if [ -n \"$OTHER\" ]; then o=\"$OTHER\"; unset OTHER; \"$XTASK\" -C \"$o\" release minor --yes; fi']\n",
    );
    let second = tempfile::TempDir::new().unwrap();
    let wt2 = second.path().join("wt2");
    repo.git(&[
        "worktree",
        "add",
        "--quiet",
        "-b",
        "next",
        wt2.to_str().unwrap(),
    ]);
    let wt2_files = |rel: &str| std::fs::read_to_string(wt2.join(rel)).unwrap();
    let (version_before, changelog_before) = (wt2_files("VERSION"), wt2_files("CHANGELOG.md"));
    let next_before = repo.git(&["rev-parse", "refs/heads/next"]);
    let bin = crate::support::xtask_bin();
    let mut command = repo.command(
        &bin,
        &["-C", wt2.to_str().unwrap(), "release", "minor", "--yes"],
    );
    command.env("OTHER", repo.path()).env("XTASK", &bin);
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("left tag v0.2.0 alone"), "{stderr}");
    // The first worktree's release is whole: its tag on its release commit, its files released.
    assert_eq!(
        repo.git(&["rev-parse", "v0.2.0^{commit}"]),
        repo.git(&["rev-parse", "main"])
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "main"]),
        "chore(release): 0.2.0"
    );
    assert_eq!(repo.read("VERSION"), "0.2.0\n");
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=no"]),
        ""
    );
    // The second worktree is as before.
    assert_eq!(repo.git(&["rev-parse", "refs/heads/next"]), next_before);
    assert_eq!(wt2_files("VERSION"), version_before);
    assert_eq!(wt2_files("CHANGELOG.md"), changelog_before);
    let status = repo.git(&["-C", wt2.to_str().unwrap(), "status", "--porcelain"]);
    assert_eq!(status, "");
    assert!(!repo.path().join(JOURNAL).exists());
    assert!(
        !repo
            .path()
            .join(".git/worktrees/wt2/xtask/release-journal.json")
            .exists()
    );
}

/// A pre-commit hook that kills the kit: the files are written and staged, the release commit under way.
fn kill_during_the_release_commit(repo: &Repo) {
    write_executable(
        &repo.path().join(".git/hooks/pre-commit"),
        b"#!/bin/sh\np=$PPID\nwhile [ \"$p\" -gt 1 ]; do\n  case \"$(cat /proc/$p/comm)\" in xtask) kill -9 $p; exit 1;; esac\n  p=$(awk '{print $4}' /proc/$p/stat)\ndone\nexit 1\n",
    );
    let run = repo.xtask(&["release", "minor", "--yes"]);
    assert_ne!(run.code, 0);
    std::fs::remove_file(repo.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(
        repo.path().join(JOURNAL).exists(),
        "the kill leaves the journal"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn abort_refuses_when_the_repository_moved_on_and_restores_when_it_did_not() {
    let repo = regex_project();
    let before = repo.state();
    kill_during_the_release_commit(&repo);
    // The user moves to another branch and edits a released file.
    repo.git(&["switch", "--quiet", "-c", "other"]);
    let written = repo.read("VERSION");
    assert_eq!(written, "0.2.0\n");
    repo.write("VERSION", "9.9.9\n");
    let tampered = repo.state();
    let journal = std::fs::read(repo.path().join(JOURNAL)).unwrap();
    let run = repo.xtask(&["release", "--abort"]).fails(1);
    for needle in [
        "nothing was changed",
        "HEAD is on other, but the release was made on main",
        "VERSION was changed after the release wrote it",
        "git switch main",
        "git checkout",
    ] {
        assert!(
            run.stderr.contains(needle),
            "{needle:?} missing from\n{}",
            run.stderr
        );
    }
    assert_eq!(repo.state(), tampered);
    assert_eq!(std::fs::read(repo.path().join(JOURNAL)).unwrap(), journal);

    // Put things back as the release left them: now --abort restores everything.
    repo.write("VERSION", &written);
    repo.git(&["switch", "--quiet", "main"]);
    repo.git(&["branch", "--quiet", "-D", "other"]);
    repo.xtask(&["release", "--abort"])
        .ok()
        .says("put back VERSION, CHANGELOG.md");
    let mut after = repo.state();
    after.files.retain(|(p, _)| !p.starts_with(".git"));
    assert_eq!(after, before);
    assert!(!repo.path().join(JOURNAL).exists());
    repo.xtask(&["release", "--abort"])
        .ok()
        .says("no interrupted release");
}

#[test]
fn a_damaged_journal_is_a_clear_error_and_nothing_is_touched() {
    let repo = regex_project();
    let before = repo.state();
    for text in [
        "{ not json",
        r#"{"head":"0000000000000000000000000000000000000000","branch":"refs/heads/main","files":[{"rel":"../outside","real":"../outside","before":null,"written":"0000000000000000000000000000000000000000"}],"commits":[],"pending_commit":null,"tag":null}"#,
    ] {
        repo.write(JOURNAL, text);
        repo.xtask(&["release", "--abort"])
            .fails(1)
            .says("release journal")
            .says("is damaged");
        assert_eq!(repo.read(JOURNAL), text);
        let mut after = repo.state();
        after.files.retain(|(p, _)| !p.starts_with(".git"));
        assert_eq!(after, before);
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_changelog_is_refused_in_preflight() {
    use std::os::unix::fs::PermissionsExt;
    let repo = regex_project();
    let path = repo.path().join("CHANGELOG.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = repo.state();
    // Refused even when running as root, who could write it: a read-only mode is the owner's decision.
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("CHANGELOG.md: cannot be written (its mode 444 is read-only)")
        .says("nothing was changed");
    assert_eq!(repo.state(), before);
    assert!(!repo.path().join(JOURNAL).exists());
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o444
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_changelog_is_reported_with_the_other_problems() {
    use std::os::unix::fs::PermissionsExt;
    let repo = regex_project();
    // Two more problems that stop the release before a plan exists: a branch no release is made from
    // and a tag that exists already.
    repo.git(&["switch", "--quiet", "-c", "topic"]);
    repo.git(&["tag", "v0.2.0"]);
    let path = repo.path().join("CHANGELOG.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = repo.state();
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("CHANGELOG.md: cannot be written (its mode 444 is read-only)")
        .says("branch topic is not a release branch")
        .says("the tag v0.2.0 already exists");
    assert_eq!(repo.state(), before);
    // `check` sees a changelog that is a link out of the work tree, as a release would.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink("/tmp", &path).unwrap();
    repo.xtask(&["check"])
        .fails(1)
        .says("changelog.file: CHANGELOG.md leads outside the work tree");
}

#[cfg(unix)]
#[test]
fn bump_refuses_a_read_only_version_file_before_writing_any() {
    use std::os::unix::fs::PermissionsExt;
    let repo = regex_project();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '(?<version>\\S+)' }, { path = \"b/VERSION\", regex = '(?<version>\\S+)' }]\n",
    );
    repo.write("b/VERSION", "0.1.0\n");
    repo.commit("chore: two version files");
    std::fs::set_permissions(
        repo.path().join("b/VERSION"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    let before = repo.state();
    repo.xtask(&["bump", "0.2.0"])
        .fails(1)
        .says("b/VERSION: cannot be written (its mode 444 is read-only)");
    assert_eq!(repo.state(), before);
}

/// `chattr -i` on drop, so a failed test leaves a removable folder.
struct Immutable(std::path::PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

/// Whether `chattr +i` works here (the tool exists, we may set the flag, the file system keeps it).
fn immutable_supported(dir: &std::path::Path) -> bool {
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    let set = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&probe)
        .output()
        .is_ok_and(|o| o.status.success());
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&probe)
        .status();
    let _ = std::fs::remove_file(&probe);
    set
}

#[cfg(unix)]
#[test]
fn a_write_failing_on_the_second_file_puts_back_the_first_and_says_exactly_that() {
    let probe = tempfile::TempDir::new().unwrap();
    if !immutable_supported(probe.path()) {
        eprintln!(
            "skipped: `chattr +i` is not available here (needs the tool, CAP_LINUX_IMMUTABLE and ext4-like storage)"
        );
        return;
    }
    let repo = regex_project();
    // An immutable file is refused in preflight...
    let guard = Immutable(repo.path().join("CHANGELOG.md"));
    assert!(
        std::process::Command::new("chattr")
            .arg("+i")
            .arg(&guard.0)
            .status()
            .unwrap()
            .success()
    );
    let before = repo.state();
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("CHANGELOG.md: cannot be written");
    assert_eq!(repo.state(), before);
    drop(guard);
    // ...and one that becomes immutable after the checks (the last preflight step does it) fails the write
    // of the second file: the first is put back, nothing else claimed.
    append_config(&repo, "[release]\npre = [\"chattr +i CHANGELOG.md\"]\n");
    let guard = Immutable(repo.path().join("CHANGELOG.md"));
    let before = repo.state();
    let run = repo.xtask(&["release", "minor", "--yes"]).fails(1);
    assert!(
        run.stderr.contains("CHANGELOG.md: cannot replace")
            && run
                .stderr
                .contains("put back VERSION as it was; not changed: CHANGELOG.md"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("put back VERSION, CHANGELOG.md"),
        "{}",
        run.stderr
    );
    drop(guard);
    assert_eq!(
        repo.state(),
        before,
        "no temporary file, the first file restored"
    );
    assert!(!repo.path().join(JOURNAL).exists());
}

fn remote_refs(repo: &Repo) -> String {
    repo.git(&["ls-remote", "origin"])
}

#[test]
fn push_preflight_refuses_a_tag_the_remote_has_or_a_branch_ahead_before_changing_anything() {
    let repo = regex_project();
    let _remote = support::with_remote(&repo);
    // The remote already has v0.2.0 (pushed from elsewhere).
    repo.git(&["tag", "--annotate", "v0.2.0", "-m", "elsewhere", "HEAD~1"]);
    repo.git(&["push", "--quiet", "origin", "v0.2.0"]);
    repo.git(&["tag", "--delete", "v0.2.0"]);
    let before = (repo.state(), remote_refs(&repo));
    repo.xtask(&["release", "minor", "--yes", "--push"])
        .fails(1)
        .says("tag v0.2.0 already exists on origin")
        .says("nothing was changed");
    assert_eq!((repo.state(), remote_refs(&repo)), before);
    assert!(!repo.path().join(JOURNAL).exists());
    // `--format json` prints its object even so.
    let run = repo
        .xtask(&["release", "minor", "--yes", "--push", "--format", "json"])
        .fails(1);
    let object: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(object["pushed"], false);
    assert!(
        object["error"]
            .as_str()
            .unwrap()
            .contains("tag v0.2.0 already exists on origin"),
        "{object}"
    );
    // The problems one by one, as objects: what a CI script reads instead of parsing the sentence.
    let problems = object["problems"].as_array().expect("a problems array");
    assert!(
        problems.iter().any(|p| p["reason"]
            .as_str()
            .unwrap()
            .contains("tag v0.2.0 already exists on origin")
            && p["rule"].is_string()
            && p["hint"].is_string()),
        "{object}"
    );
    assert_eq!((repo.state(), remote_refs(&repo)), before);

    // The remote's main has a commit ours does not: refused the same way, also through release.push.
    let repo = regex_project();
    let _remote = support::with_remote(&repo);
    let ahead = repo.git(&[
        "commit-tree",
        "HEAD^{tree}",
        "-p",
        "HEAD",
        "-m",
        "fix: theirs",
    ]);
    repo.git(&[
        "push",
        "--quiet",
        "origin",
        &format!("{ahead}:refs/heads/main"),
    ]);
    append_config(&repo, "[release]\npush = true\n");
    let ahead_remote = remote_refs(&repo);
    let before = repo.state();
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("origin's main is at")
        .says("which HEAD does not contain");
    assert_eq!(repo.state(), before);
    assert_eq!(remote_refs(&repo), ahead_remote);
    // An unreachable remote is refused before anything changes, too.
    repo.git(&["remote", "set-url", "origin", "/nonexistent/remote"]);
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("cannot ask origin about its refs");
    assert_eq!(repo.state(), before);
}

#[test]
fn a_refused_push_still_prints_the_json_object() {
    let repo = regex_project();
    let remote = support::with_remote(&repo);
    let hook = remote.path().join("hooks/pre-receive");
    write_executable(
        &hook,
        b"#!/bin/sh\necho 'pre-receive: closed' >&2\nexit 1\n",
    );
    let before = remote_refs(&repo);
    let run = repo
        .xtask(&["release", "minor", "--yes", "--push", "--format", "json"])
        .fails(1);
    let object: serde_json::Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {:?}\n{}", run.stdout, run.stderr));
    assert_eq!(object["pushed"], false);
    assert_eq!(object["version"], "0.2.0");
    assert!(
        object["error"]
            .as_str()
            .unwrap()
            .contains("pre-receive: closed"),
        "{object}"
    );
    assert!(
        run.stderr
            .contains("git push --atomic origin refs/heads/main refs/tags/v0.2.0")
    );
    // The release is complete locally; the remote is unchanged.
    assert_eq!(
        repo.git(&["rev-parse", "v0.2.0^{commit}"]),
        repo.git(&["rev-parse", "HEAD"])
    );
    assert_eq!(remote_refs(&repo), before);
}

#[test]
fn printed_commands_quote_a_hostile_branch_name() {
    let repo = regex_project();
    let _remote = support::with_remote(&repo);
    let branch = "feature/$(touch${IFS}pwned)";
    append_config(&repo, "[release]\nbranches = [\"main\", \"feature/*\"]\n");
    repo.git(&["switch", "--quiet", "-c", branch]);
    let run = repo.xtask(&["release", "minor", "--yes"]).ok();
    let quoted = "git push --atomic origin 'feature/$(touch${IFS}pwned)' v0.2.0";
    assert!(run.stderr.contains(quoted), "{}", run.stderr);
    // Running the printed command pushes that branch and creates no file.
    let printed = run
        .stderr
        .lines()
        .find_map(|l| l.split_once("to publish: ").map(|(_, c)| c.to_string()))
        .unwrap();
    let out = repo.command("sh", &["-c", &printed]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!repo.path().join("pwned").exists());
    assert!(remote_refs(&repo).contains(&format!("refs/heads/{branch}")));
}
