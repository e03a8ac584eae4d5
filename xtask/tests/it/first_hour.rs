//! The paper cuts a new user met in the first hour (issue 30): one test per cut, named after it.

use crate::support::{Repo, append_config};

/// `VERSION.json` at 1.0.0, tagged `v1.0.0`, then a feature.
fn semver_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.commit("chore: initial");
    repo.tag("v1.0.0");
    repo.write("a.txt", "a\n");
    repo.commit("feat: a new thing");
    repo
}

/// A Python project: `pyproject.toml` at 1.0.0, PEP 440 tags without `v`, then a feature.
fn pep440_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [\"pyproject.toml\"]\n\n[tag]\nformat = \"{{ version }}\"\n",
    );
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"sdk\"\nversion = \"1.0.0\"\n",
    );
    repo.commit("chore: initial");
    repo.tag("1.0.0");
    repo.write("a.py", "a = 1\n");
    repo.commit("feat: a new thing");
    repo
}

/// `branch cut --yes` worked and `branch next --yes` was a usage error; `release auto --pre rc` was refused,
/// where commitizen's `cz bump --prerelease rc` takes the level from the commits.
#[test]
fn flags_that_work_on_one_command_work_on_its_sibling() {
    let repo = semver_project();
    let before = repo.state();
    repo.xtask(&["release", "auto", "--pre", "rc", "--dry-run", "--yes"])
        .ok()
        .says("version: 1.0.0 → 1.1.0-rc.1");
    // Without a level, a dry run plans `auto`: with `--pre rc`, `auto --pre rc`.
    repo.xtask(&["release", "--pre", "rc", "--dry-run"])
        .ok()
        .says("version: 1.0.0 → 1.1.0-rc.1");
    assert_eq!(repo.state(), before);
    let next = repo
        .xtask(&["version", "--next", "auto", "--pre", "rc"])
        .ok();
    assert_eq!(next.stdout, "1.1.0-rc.1\n");
    repo.xtask(&["release", "auto", "--pre", "rc", "--yes"])
        .ok();
    assert_eq!(repo.git(&["tag", "--list"]), "v1.0.0\nv1.1.0-rc.1");
    // The next candidate continues the line.
    repo.write("b.txt", "b\n");
    repo.commit("fix: b");
    repo.xtask(&["release", "auto", "--pre", "rc", "--yes"])
        .ok();
    assert_eq!(
        repo.git(&["tag", "--list"]),
        "v1.0.0\nv1.1.0-rc.1\nv1.1.0-rc.2"
    );

    let python = pep440_project();
    python
        .xtask(&["release", "auto", "--pre", "rc", "--dry-run", "--yes"])
        .ok()
        .says("version: 1.0.0 → 1.1.0rc1");

    repo.xtask(&["branch", "next", "--yes"])
        .ok()
        .says("created next/2");
    assert_eq!(
        repo.git(&["rev-parse", "next/2"]),
        repo.git(&["rev-parse", "HEAD"])
    );
}

/// A Python project at `2.6.0.dev0` after the release candidate `2.5.0rc1`, with a feature since.
fn python_after_a_candidate() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [\"pyproject.toml\"]\n\n[tag]\nformat = \"{{ version }}\"\n",
    );
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"sdk\"\nversion = \"2.5.0rc1\"\n",
    );
    repo.commit("chore: initial");
    repo.tag("2.5.0rc1");
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"sdk\"\nversion = \"2.6.0.dev0\"\n",
    );
    repo.commit("chore: start 2.6.0.dev0");
    repo.write("a.py", "a = 1\n");
    repo.commit("feat: a");
    repo
}

/// Versions were spelled in SemVer in a PEP 440 project, "last release" showed both spellings, a symbolic
/// link out of the work tree was listed twice without its setting, and `version --all` with `[packages]`
/// had misaligned columns and no agreement line. (Hook refusals that showed `stable/{{ major }}.{{ minor }}`:
/// `hooks::pre_push_checks_that_a_release_branch_contains_the_tag`.)
#[test]
fn messages_spell_versions_as_the_project_does_and_name_each_problem_once() {
    let repo = python_after_a_candidate();
    let before = repo.state();
    let run = repo
        .xtask(&["release", "2.5.0rc1", "--yes"])
        .fails(1)
        .says("2.5.0rc1 is not greater than the current version 2.6.0.dev0");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        !all.contains("2.5.0-rc.1") && !all.contains("2.6.0-dev"),
        "{all}"
    );
    assert_eq!(repo.state(), before);
    let run = repo
        .xtask(&["version", "--next", "2.5.0rc1"])
        .fails(1)
        .says("the current version 2.6.0.dev0");
    assert!(!run.stderr.contains("2.6.0-dev"), "{run:?}");
    let run = repo.xtask(&["check"]).ok().says("last release: 2.5.0rc1\n");
    assert!(!run.stderr.contains("(2.5.0rc1)"), "{run:?}");
    // The pre-push hook's refusal: "the version files … say 2.6.0.dev0", as the file does.
    repo.xtask(&["hooks", "install"]).ok();
    let bare = tempfile::TempDir::new().unwrap();
    let path = bare.path().to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", path]);
    repo.git(&["remote", "add", "origin", path]);
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.tag("2.6.0rc1");
    let run = repo.try_git(&["push", "origin", "2.6.0rc1"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("the tag 2.6.0rc1 says 2.6.0rc1 but the version files at"),
        "{run:?}"
    );
    assert!(run.stderr.contains("say 2.6.0.dev0"), "{run:?}");
    assert!(
        !run.stderr.contains("2.6.0-dev") && !run.stderr.contains("2.6.0-rc.1"),
        "{run:?}"
    );
    repo.git(&["tag", "--delete", "2.6.0rc1"]);
    repo.xtask(&["hooks", "uninstall"]).ok();

    // A version file that leads out of the work tree: one problem, naming the setting.
    let outside = repo.home.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("VERSION"), "1.0.0\n").unwrap();
    let linked = semver_project();
    std::os::unix::fs::symlink(&outside, linked.path().join("ext")).unwrap();
    linked.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"ext/VERSION\", regex = '(?<version>\\S+)' }]\n",
    );
    linked.commit("chore: the version outside");
    let before = linked.state();
    let run = linked.xtask(&["release", "patch", "--yes"]).fails(1);
    assert_eq!(
        run.stderr.matches("leads outside the work tree").count(),
        1,
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("version.files: ext/VERSION leads outside the work tree"),
        "{run:?}"
    );
    assert_eq!(linked.state(), before);

    // `version --all` with packages: one table, aligned, and a line saying the files agree.
    let packages = Repo::new();
    packages.write(
        "xtask.toml",
        "[version]\nshared = \"minor\"\n\n[tag]\nformat = \"{{ package }}-v{{ version }}\"\n\n\
         [packages.a]\nfiles = [\"a/pyproject.toml\"]\n\n\
         [packages.compiler]\nfiles = [\"compiler/pyproject.toml\", { path = \"compiler/src/VERSION\", regex = '(?<version>\\S+)' }]\n",
    );
    packages.write(
        "a/pyproject.toml",
        "[project]\nname = \"a\"\nversion = \"3.1.0\"\n",
    );
    packages.write(
        "compiler/pyproject.toml",
        "[project]\nname = \"compiler\"\nversion = \"3.1.2\"\n",
    );
    packages.write("compiler/src/VERSION", "3.1.2\n");
    packages.commit("chore: initial");
    let run = packages.xtask(&["version", "--all"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{run:?}");
    let column = |line: &str| line.rfind("3.1.").unwrap();
    assert!(
        lines.iter().all(|l| column(l) == column(lines[0])),
        "{run:?}"
    );
    assert!(
        run.stderr.contains(
            "each package's files agree (2 packages, 3 files), and the packages agree on X.Y"
        ),
        "{run:?}"
    );
}

/// `bump -p A minor` ignored `version.shared = "minor"` (then `check` failed); `branch cut` with
/// `version.dev = false` did not say the development branch kept its version, and a second cut failed with
/// "branch exists already" and no hint.
#[test]
fn bump_honours_a_shared_minor_and_branch_cut_says_what_it_kept() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nshared = \"minor\"\n\n[tag]\nformat = \"{{ package }}-v{{ version }}\"\n\n\
         [packages.compiler]\nfiles = [\"compiler/pyproject.toml\"]\n\n\
         [packages.runtime]\nfiles = [\"runtime/pyproject.toml\"]\n",
    );
    for (name, version) in [("compiler", "3.1.0"), ("runtime", "3.1.4")] {
        repo.write(
            &format!("{name}/pyproject.toml"),
            &format!("[project]\nname = \"{name}\"\nversion = \"{version}\"\n"),
        );
    }
    repo.commit("chore: initial");
    repo.xtask(&["bump", "-p", "compiler", "minor"])
        .ok()
        .says("runtime moves to 3.2.0");
    assert!(
        repo.read("compiler/pyproject.toml")
            .contains("version = \"3.2.0\"")
    );
    assert!(
        repo.read("runtime/pyproject.toml")
            .contains("version = \"3.2.0\"")
    );
    repo.xtask(&["check"]).ok();
    // A patch stays with its package.
    repo.xtask(&["bump", "-p", "runtime", "patch"]).ok();
    assert!(
        repo.read("runtime/pyproject.toml")
            .contains("version = \"3.2.1\"")
    );
    assert!(
        repo.read("compiler/pyproject.toml")
            .contains("version = \"3.2.0\"")
    );

    let lines = Repo::new();
    lines.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '^(?<version>\\S+)' }]\ndev = false\n",
    );
    lines.write("VERSION", "1.3.0\n");
    lines.commit("chore: initial");
    lines.tag("v1.3.0");
    lines.write("VERSION", "1.4.0-dev\n");
    lines.commit("chore: start 1.4.0-dev");
    lines.commit("feat: a feature");
    lines
        .xtask(&["branch", "cut", "--yes"])
        .ok()
        .says("main kept its version 1.4.0-dev (version.dev = false)")
        .says("cargo xtask bump 1.5.0-dev");
    assert_eq!(lines.read("VERSION"), "1.4.0-dev\n");
    let before = lines.state();
    lines
        .xtask(&["branch", "cut", "--yes"])
        .fails(1)
        .says("the branch stable/1.4 exists already")
        .says("main is still at 1.4.0-dev")
        .says("`cargo xtask bump 1.5.0-dev` and commit");
    assert_eq!(lines.state(), before);
}

/// `release` skipped two checks that `check` makes: a `tag.format` that gives names git refuses (the dry run
/// showed `v 1.0.1` without a word, the release failed at the tag and rolled back), and release commit
/// messages that break `commits.conventional = "deny"` (made anyway without hooks).
#[test]
fn release_makes_every_check_that_check_makes() {
    let repo = semver_project();
    append_config(&repo, "\n[tag]\nformat = \"v {{ version }}\"\n");
    let before = repo.state();
    repo.xtask(&["check"]).fails(1).says("tag.format");
    for args in [
        &["release", "patch", "--dry-run"][..],
        &["release", "minor", "--yes"],
    ] {
        repo.xtask(args)
            .fails(1)
            .says("makes the tag `v 1.")
            .says("git refuses as a tag name");
        assert_eq!(repo.state(), before);
    }

    let repo = semver_project();
    append_config(
        &repo,
        "\n[release]\ncommit = \"Release {{ version }}\"\n\n[commits]\nconventional = \"deny\"\n",
    );
    let before = repo.state();
    repo.xtask(&["check"]).fails(1).says("release.commit");
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("release.commit makes the commit message `Release 1.1.0`")
        .says("= \"deny\" refuses");
    assert_eq!(repo.state(), before);
    repo.xtask(&["release", "minor", "--dry-run"])
        .ok()
        .says("release.commit makes the commit message `Release 1.1.0`");
}

/// When a push failed, the `release.post` commands it skipped were not printed; `· to publish: git push …
/// origin …` was printed with no `origin`; a shallow-clone release refused after fetching said "nothing was
/// changed".
#[test]
fn a_failed_push_lists_the_skipped_post_commands_and_publishing_needs_a_remote() {
    // No remote: the note says how to add one.
    let repo = semver_project();
    let run = repo.xtask(&["release", "patch", "--yes", "--force"]).ok();
    assert!(!run.stderr.contains("to publish: git push"), "{run:?}");
    assert!(
        run.stderr.contains(
            "there is no remote named origin; add it with `git remote add origin '<URL>'`"
        ),
        "{run:?}"
    );

    // A server that refuses every push: the release stays, and the post commands are listed.
    let repo = semver_project();
    let bare = tempfile::TempDir::new().unwrap();
    let path = bare.path().to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", path]);
    repo.git(&["remote", "add", "origin", path]);
    crate::support::write_executable(
        &bare.path().join("hooks/pre-receive"),
        b"#!/bin/sh\necho refused by the server >&2\nexit 1\n",
    );
    append_config(
        &repo,
        "\n[release]\npush = true\npost = [\"echo published\", \"echo announced\"]\n",
    );
    let run = repo
        .xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("the release is complete locally")
        .says("release.post was not run; push first, then run:\n")
        .says("  echo published\n  echo announced");
    assert!(!run.stdout.contains("published"), "{run:?}");
    assert_eq!(repo.git(&["tag", "--list"]), "v1.0.0\nv1.1.0");

    // A shallow clone, deepened, then refused: it says what was fetched.
    let origin = semver_project();
    let clone = Repo::new();
    std::fs::remove_dir_all(clone.path().join(".git")).unwrap();
    let url = format!("file://{}", origin.path().display());
    clone.git(&["clone", "--quiet", "--depth", "1", &url, "."]);
    clone.git(&["config", "user.name", "Test User"]);
    clone.git(&["config", "user.email", "test@example.com"]);
    clone.write("a.txt", "changed\n");
    let run = clone.xtask(&["release", "minor", "--yes"]).fails(1);
    assert!(
        run.stderr
            .contains("nothing was changed but the fetch (fetched the tags and the history"),
        "{run:?}"
    );
    assert!(
        !run.stderr.contains("found, nothing was changed\n"),
        "{run:?}"
    );
}

/// `hooks status` said "binary is missing" for hooks that are the binary itself and work; with the binary
/// missing, the reference-transaction shim warned three times per ref update.
#[test]
fn hooks_status_and_the_shim_warn_only_about_what_is_broken() {
    let repo = semver_project();
    repo.xtask(&["hooks", "install"]).ok();
    let bin = repo.path().join(".git/xtask/bin");
    std::fs::remove_dir_all(&bin).unwrap();
    let status = repo.xtask(&["hooks", "status"]).ok();
    // Native hooks (Linux on x86-64) start the installed binary: its absence is what is broken. Hooks that
    // are copies of the binary (elsewhere) need nothing else.
    let said = if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        "ours, but the binary is missing"
    } else {
        "ours, current"
    };
    assert_eq!(status.stdout.matches(said).count(), 3, "{status:?}");
    assert_eq!(status.stdout.matches("ours").count(), 3, "{status:?}");

    // Shims (hooks in the work tree) do need the installed binary: said once per ref update.
    repo.xtask(&["hooks", "uninstall"]).ok();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    repo.xtask(&["hooks", "install"]).ok();
    std::fs::remove_dir_all(&bin).unwrap();
    let run = repo
        .try_git(&["commit", "--allow-empty", "-m", "fix: more"])
        .ok();
    assert_eq!(
        run.stderr
            .matches("hook reference-transaction skipped")
            .count(),
        1,
        "{run:?}"
    );
    repo.xtask(&["hooks", "status"])
        .ok()
        .says("ours, but the binary is missing");
}

/// `--help` of `deprecations`, `hooks install|uninstall|status` and `branch` had no examples, though the
/// README says every command's does (the whole tree: `cli::tests::every_help_ends_with_examples`).
#[test]
fn every_help_ends_with_examples() {
    let repo = Repo::new();
    for command in [
        &["deprecations"][..],
        &["hooks", "install"],
        &["hooks", "uninstall"],
        &["hooks", "status"],
        &["branch"],
        &["branch", "next"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let run = repo.xtask(&args).ok();
        let lines: Vec<&str> = run.stdout.trim_end().lines().collect();
        let examples = lines.iter().rposition(|l| l.starts_with("Example"));
        assert!(
            examples.is_some_and(|at| lines[at + 1..].iter().all(|l| l.starts_with("  "))),
            "{command:?}:\n{}",
            run.stdout
        );
    }
}

/// The test suite left an `xtask-stable-1-4-<pid>-…` worktree in the system's temporary directory on every
/// run: a backport that does not apply cleanly keeps its worktree for the user to finish in, and kept it
/// there. It is kept under the repository's git directory now, and goes with the repository.
#[test]
fn a_conflicting_backport_keeps_its_worktree_with_the_repository_not_in_the_temp_directory() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '^(?<version>\\S+)' }]\n",
    );
    repo.write("VERSION", "1.3.0\n");
    repo.commit("chore: initial");
    repo.tag("v1.3.0");
    repo.write("VERSION", "1.4.0-dev\n");
    repo.write("feature.txt", "new\n");
    repo.commit("feat: a feature");
    repo.xtask(&["branch", "cut", "--yes"]).ok();
    repo.git(&["switch", "--quiet", "stable/1.4"]);
    repo.write("feature.txt", "line's version\n");
    repo.commit("fix: the line's own change");
    repo.git(&["switch", "--quiet", "main"]);
    repo.write("feature.txt", "main's version\n");
    repo.commit("fix: main's change");
    repo.xtask(&["backport", "HEAD", "--to", "stable/1.4", "--yes"])
        .fails(1)
        .says("does not apply cleanly");
    let list = repo.git(&["worktree", "list", "--porcelain"]);
    let kept: Vec<&str> = list
        .lines()
        .filter_map(|l| l.strip_prefix("worktree "))
        .skip(1)
        .collect();
    assert_eq!(kept.len(), 1, "{list}");
    let inside = std::path::Path::new(kept[0])
        .canonicalize()
        .unwrap()
        .starts_with(
            repo.path()
                .canonicalize()
                .unwrap()
                .join(".git/xtask/worktrees"),
        );
    assert!(inside, "{list}");
    // The way out it prints still works from there.
    repo.git(&["worktree", "remove", "--force", kept[0]]);
    assert_eq!(repo.git(&["worktree", "list"]).lines().count(), 1);
}
