//! Several packages in one repository (`[packages]`): per-package releases, tags and changelogs, a shared
//! `X.Y`, Cargo crates with their own versions, and `release.post`.

use crate::support::{Repo, Run, two_python_packages, write_executable};

fn version_of(repo: &Repo, file: &str) -> String {
    repo.read(file)
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}

#[test]
fn a_patch_of_one_package_leaves_the_other_alone() {
    let repo = two_python_packages();
    repo.write("compiler/src.py", "x = 2\n");
    repo.commit("fix(compiler): x is two");
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    let output = repo.path().join(".git/github-output");
    repo.xtask_env(
        &["release", "-p", "compiler", "patch", "--yes"],
        &[("GITHUB_OUTPUT", output.to_str().unwrap())],
    )
    .ok()
    .says("released compiler 3.1.1 as compiler-v3.1.1");
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "packages=compiler\ntags=compiler-v3.1.1\ncompiler-version=3.1.1\ncompiler-tag=compiler-v3.1.1\n"
    );
    assert_eq!(
        repo.git(&["tag", "--list"]),
        "compiler-v3.1.0\ncompiler-v3.1.1\nruntime-v3.1.0"
    );
    assert_eq!(
        repo.git(&["show", "compiler-v3.1.1:compiler/pyproject.toml"]),
        "[project]\nname = \"compiler\"\nversion = \"3.1.1\""
    );
    let notes = repo.git(&["show", "compiler-v3.1.1:compiler/CHANGELOG.md"]);
    assert!(notes.contains("x is two"), "{notes}");
    assert!(!notes.contains("x is three"), "{notes}");
    assert_eq!(version_of(&repo, "runtime/pyproject.toml"), "3.1.0");
    assert_eq!(repo.read("runtime/CHANGELOG.md"), "# Changelog\n");
    assert_eq!(version_of(&repo, "compiler/pyproject.toml"), "3.1.2.dev0");
}

#[test]
fn a_minor_release_of_one_package_moves_every_package_under_a_shared_minor() {
    let repo = two_python_packages();
    repo.write("compiler/src.py", "x = 2\n");
    repo.commit("fix(compiler): x is two");
    repo.xtask(&["release", "-p", "compiler", "patch", "--yes"])
        .ok();
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    repo.xtask(&["release", "-p", "runtime", "auto", "--dry-run"])
        .ok()
        .says("3.1.0 → 3.2.0");
    repo.xtask(&["release", "-p", "runtime", "patch", "--yes"])
        .fails(1)
        .says("feat(runtime): x is three");
    repo.xtask(&["release", "-p", "runtime", "minor", "--yes"])
        .ok()
        .says("compiler 3.2.0 as compiler-v3.2.0")
        .says("runtime 3.2.0 as runtime-v3.2.0");
    for tag in ["compiler-v3.2.0", "runtime-v3.2.0"] {
        assert_eq!(repo.git(&["cat-file", "-t", tag]), "tag");
        assert_eq!(
            repo.git(&["rev-parse", &format!("{tag}^{{commit}}")]),
            repo.git(&["rev-parse", "HEAD~1"])
        );
    }
    let runtime = repo.git(&["show", "runtime-v3.2.0:runtime/CHANGELOG.md"]);
    assert!(runtime.contains("x is three"), "{runtime}");
    assert_eq!(version_of(&repo, "runtime/pyproject.toml"), "3.2.1.dev0");
    assert_eq!(version_of(&repo, "compiler/pyproject.toml"), "3.2.1.dev0");
    // One release commit and one dev commit for both.
    assert_eq!(
        repo.git(&["log", "--format=%s", "-2"]),
        "chore: start 3.2.1.dev0 development\nchore(release): 3.2.0"
    );
}

#[test]
fn check_refuses_packages_that_disagree_on_a_shared_minor() {
    let repo = two_python_packages();
    repo.xtask(&["check"]).ok();
    repo.write(
        "runtime/pyproject.toml",
        "[project]\nname = \"runtime\"\nversion = \"3.3.0\"\n",
    );
    repo.commit("chore: runtime by hand");
    repo.xtask(&["check"])
        .fails(1)
        .says("compiler 3.1.0")
        .says("runtime 3.3.0");
    let before = repo.state();
    repo.xtask(&["release", "-p", "compiler", "patch", "--yes"])
        .fails(1)
        .says("compiler 3.1.1, runtime 3.3.0");
    assert_eq!(repo.state(), before);
}

#[test]
fn several_packages_need_a_choice_or_yes() {
    let repo = two_python_packages();
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("fix(runtime): x is three");
    repo.xtask(&["release", "patch"])
        .fails(2)
        .says("compiler")
        .says("runtime");
    repo.xtask(&["release", "-p", "nope", "patch"])
        .fails(2)
        .says("no package \"nope\"");
    // --yes: every package with changes, at its auto level.
    repo.xtask(&["release", "--yes"])
        .ok()
        .says("released runtime 3.1.1 as runtime-v3.1.1");
    assert_eq!(
        repo.git(&["tag", "--list", "compiler-*"]),
        "compiler-v3.1.0"
    );
    repo.xtask(&["release", "--yes", "--no-dev"])
        .fails(2)
        .says("-p compiler, -p runtime");
}

#[test]
fn a_tag_format_without_the_package_is_refused_for_several_packages() {
    let repo = two_python_packages();
    let config = repo.read("xtask.toml").replace("{{ package }}-v", "v");
    repo.write("xtask.toml", &config);
    repo.commit("chore: one tag format");
    repo.xtask(&["check"]).fails(1).says("tag.format");
}

#[test]
fn a_refused_commit_undoes_a_release_of_several_packages() {
    let repo = two_python_packages();
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    // Refuse the dev commit: the release commit and both tags exist by then.
    write_executable(
        &repo.path().join(".git/hooks/commit-msg"),
        b"#!/bin/sh\ngrep -q '^chore: start' \"$1\" && { echo 'no dev' >&2; exit 1; }\nexit 0\n",
    );
    let before = repo.state();
    repo.xtask(&["release", "-p", "runtime", "minor", "--yes"])
        .fails(1)
        .says("no dev")
        .says("the repository is as it was");
    assert_eq!(repo.state(), before);
    assert!(!repo.path().join(".git/xtask/release-journal.json").exists());
}

/// A virtual workspace whose crates carry their own versions: `demo-cli` 1.0.0 needs `demo-core` 0.4.0.
fn cargo_crates(post: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/core\", \"crates/cli\"]\nresolver = \"2\"\n",
    );
    repo.write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"demo-core\"\nversion = \"0.4.0\"\nedition = \"2021\"\n",
    );
    repo.write("crates/core/src/lib.rs", "\n");
    repo.write(
        "crates/cli/Cargo.toml",
        "[package]\nname = \"demo-cli\"\nversion = \"1.0.0\"\nedition = \"2021\"\n\n[dependencies]\ndemo-core = { path = \"../core\", version = \"0.4.0\" }\n",
    );
    repo.write("crates/cli/src/main.rs", "fn main() {}\n");
    repo.write(
        "xtask.toml",
        &format!(
            "[tag]\nformat = \"{{{{ package }}}}-v{{{{ version }}}}\"\n\n[release]\n{post}\n\n\
             [packages.demo-core]\nfiles = [\"crates/core/Cargo.toml\"]\n\n\
             [packages.demo-cli]\nfiles = [\"crates/cli/Cargo.toml\"]\n"
        ),
    );
    let run = repo
        .command("cargo", &["generate-lockfile", "--offline", "--quiet"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    repo.commit("chore: initial");
    repo.tag("demo-core-v0.4.0");
    repo.tag("demo-cli-v1.0.0");
    repo
}

fn cargo_metadata_locked(repo: &Repo) {
    let run = repo
        .command(
            "cargo",
            &[
                "metadata",
                "--locked",
                "--offline",
                "--format-version",
                "1",
                "--no-deps",
            ],
        )
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn a_crate_release_rewrites_the_requirements_on_it_and_the_lock_file() {
    let repo = cargo_crates("");
    repo.write("crates/core/src/lib.rs", "pub fn f() {}\n");
    repo.commit("feat(core): f");
    repo.xtask(&["release", "-p", "demo-core", "auto", "--yes", "--no-dev"])
        .ok()
        .says("released demo-core 0.5.0 as demo-core-v0.5.0");
    let cli = repo.read("crates/cli/Cargo.toml");
    assert!(cli.contains("version = \"1.0.0\""), "{cli}");
    assert!(cli.contains("version = \"0.5.0\" }"), "{cli}");
    assert!(
        repo.read("crates/core/Cargo.toml")
            .contains("version = \"0.5.0\"")
    );
    let lock = repo.read("Cargo.lock");
    assert!(
        lock.contains("name = \"demo-core\"\nversion = \"0.5.0\""),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"demo-cli\"\nversion = \"1.0.0\""),
        "{lock}"
    );
    cargo_metadata_locked(&repo);
    // With the dev step too, cargo still agrees.
    repo.write("crates/core/src/lib.rs", "pub fn g() {}\n");
    repo.commit("fix(core): g");
    repo.xtask(&["release", "-p", "demo-core", "patch", "--yes"])
        .ok();
    assert!(
        repo.read("crates/cli/Cargo.toml")
            .contains("version = \"0.5.2-dev\" }")
    );
    cargo_metadata_locked(&repo);
}

#[test]
fn post_commands_run_per_package_in_dependency_order() {
    let repo = cargo_crates("post = [\"echo publish {{ package }}\"]");
    repo.write("crates/core/src/lib.rs", "pub fn f() {}\n");
    repo.write("crates/cli/src/main.rs", "fn main() { }\n");
    repo.commit("feat: both");
    repo.xtask(&[
        "release",
        "-p",
        "demo-cli",
        "-p",
        "demo-core",
        "--dry-run",
        "minor",
    ])
    .ok()
    .says("run `echo publish demo-core`\n  run `echo publish demo-cli`");
    let run: Run = repo
        .xtask(&[
            "release",
            "-p",
            "demo-cli",
            "-p",
            "demo-core",
            "minor",
            "--yes",
        ])
        .ok();
    let core = run.stderr.find("publish demo-core").expect(&run.stderr);
    let cli = run.stderr.find("publish demo-cli").expect(&run.stderr);
    assert!(core < cli, "{}", run.stderr);
    cargo_metadata_locked(&repo);
    assert!(
        repo.read("crates/cli/Cargo.toml")
            .contains("version = \"0.5.1-dev\" }")
    );
}

#[test]
fn a_failing_post_command_keeps_the_release_and_lists_what_is_left() {
    let repo =
        cargo_crates("post = [\"echo one {{ package }}\", \"false\", \"echo two {{ package }}\"]");
    repo.write("crates/core/src/lib.rs", "pub fn f() {}\n");
    repo.commit("feat(core): f");
    repo.xtask(&["release", "-p", "demo-core", "minor", "--yes"])
        .fails(1)
        .says("`false` failed")
        .says("echo one demo-core")
        .says("left to run")
        .says("echo two demo-core");
    assert_eq!(repo.git(&["cat-file", "-t", "demo-core-v0.5.0"]), "tag");
}

#[test]
fn a_workspace_of_separately_versioned_crates_is_recognised_without_configuration() {
    let repo = cargo_crates("");
    std::fs::remove_file(repo.path().join("xtask.toml")).unwrap();
    // A task runner in the workspace, without a version of its own, is not a package.
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/core\", \"crates/cli\", \"xtask\"]\nresolver = \"2\"\n",
    );
    repo.write(
        "xtask/Cargo.toml",
        "[package]\nname = \"xtask\"\nedition = \"2021\"\npublish = false\n",
    );
    repo.write("xtask/src/main.rs", "fn main() {}\n");
    repo.commit("chore: no configuration");
    let before = repo.state();
    for args in [
        &["check"][..],
        &["version"][..],
        &["release", "patch", "--yes"][..],
    ] {
        let run = repo
            .xtask(args)
            .fails(1)
            .says("the members are versioned separately")
            .says("[packages.demo-core]")
            .says("files = [\"crates/core/Cargo.toml\"]");
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(!all.contains("packages.xtask"), "{all}");
    }
    assert_eq!(repo.state(), before);
}

#[test]
fn version_bump_and_changelog_take_a_package() {
    let repo = two_python_packages();
    repo.xtask(&["version"])
        .ok()
        .says("compiler  3.1.0\nruntime   3.1.0");
    repo.xtask(&["version", "-p", "runtime"]).ok().says("3.1.0");
    repo.xtask(&["version", "--all"])
        .ok()
        .says("compiler  compiler/pyproject.toml  3.1.0\nruntime   runtime/pyproject.toml   3.1.0");
    repo.xtask(&["version", "-p", "nope"])
        .fails(2)
        .says("compiler, runtime");
    repo.xtask(&["bump", "patch"])
        .fails(2)
        .says("-p (compiler, runtime)");
    repo.write("compiler/src.py", "x = 2\n");
    repo.commit("fix(compiler): x is two");
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    repo.xtask(&["version", "-p", "compiler", "--next", "auto"])
        .ok()
        .says("3.1.1");
    repo.xtask(&["version", "-p", "runtime", "--next", "auto"])
        .ok()
        .says("3.2.0");
    let notes = repo.xtask(&["changelog", "-p", "compiler"]).ok().stdout;
    assert!(
        notes.contains("x is two") && !notes.contains("x is three"),
        "{notes}"
    );
    let all = repo
        .xtask(&["changelog", "-p", "runtime", "--all"])
        .ok()
        .stdout;
    assert!(
        all.contains("x is three") && !all.contains("x is two"),
        "{all}"
    );
    repo.xtask(&["bump", "-p", "runtime", "3.1.5"]).ok();
    assert_eq!(version_of(&repo, "runtime/pyproject.toml"), "3.1.5");
    assert_eq!(version_of(&repo, "compiler/pyproject.toml"), "3.1.0");
}

#[test]
fn pre_push_checks_a_package_tag_against_that_package_s_files() {
    let repo = two_python_packages();
    repo.xtask(&["hooks", "install"]).ok();
    let bare = tempfile::TempDir::new().unwrap();
    let path = bare.path().to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", path]);
    repo.git(&["remote", "add", "origin", path]);
    repo.git(&["push", "--quiet", "origin", "main", "compiler-v3.1.0"]);
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("fix(runtime): x is three");
    repo.xtask(&["release", "-p", "runtime", "patch", "--yes", "--no-dev"])
        .ok();
    repo.git(&["push", "--quiet", "origin", "main", "runtime-v3.1.1"]);
    // A compiler tag on a commit whose compiler files say 3.1.0.
    repo.git(&["tag", "-a", "compiler-v3.1.1", "-m", "Release 3.1.1"]);
    let run = repo.try_git(&["push", "origin", "compiler-v3.1.1"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("tag.version"), "{}", run.stderr);
    assert!(run.stderr.contains("say 3.1.0"), "{}", run.stderr);
    // Not a tag of any package: refused when it is made.
    let run = repo.try_git(&["tag", "-a", "v9", "-m", "x"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("follows no package's tag format")
            && run.stderr.contains("`runtime-v{{ version }}`"),
        "{}",
        run.stderr
    );
    // The package's own tag is fine.
    assert!(remote_tags(&repo).contains("refs/tags/runtime-v3.1.1"));
}

fn remote_tags(repo: &Repo) -> String {
    repo.git(&["ls-remote", "--tags", "origin"])
}

#[test]
fn a_push_sends_the_branch_and_every_package_tag_at_once_then_runs_post() {
    let repo = two_python_packages();
    let config = repo.read("xtask.toml").replace(
        "[packages.compiler]",
        "[release]\npost = [\"echo post {{ package }} {{ version }} {{ tag }}\"]\n\n[packages.compiler]",
    );
    repo.write("xtask.toml", &config);
    repo.commit("chore: post");
    let remote = tempfile::TempDir::new().unwrap();
    repo.git(&["init", "--quiet", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    let run = repo
        .xtask(&["release", "-p", "runtime", "auto", "--yes", "--push"])
        .ok()
        .says("pushed refs/heads/main refs/tags/runtime-v3.2.0 refs/tags/compiler-v3.2.0");
    let runtime = run.stderr.find("\npost runtime 3.2.0 runtime-v3.2.0\n");
    let compiler = run.stderr.find("\npost compiler 3.2.0 compiler-v3.2.0\n");
    assert!(
        runtime.is_some() && compiler.is_some() && runtime < compiler,
        "{}",
        run.stderr
    );
    let tags = remote_tags(&repo);
    assert!(
        tags.contains("refs/tags/compiler-v3.2.0") && tags.contains("refs/tags/runtime-v3.2.0")
    );
}

#[test]
fn post_commands_run_after_a_release_without_packages_too() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [\"pyproject.toml\"]\n\n[release]\npost = [\"echo post {{ version }} {{ tag }}\"]\n",
    );
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"p\"\nversion = \"1.0.0\"\n",
    );
    repo.commit("chore: initial");
    repo.xtask(&["release", "patch", "--dry-run"])
        .ok()
        .says("run `echo post 1.0.1 v1.0.1`");
    // The commands' output is progress: on stderr, with stdout left to the kit's data.
    let run = repo.xtask(&["release", "patch", "--yes"]).ok();
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("post 1.0.1 v1.0.1\n"), "{}", run.stderr);
    // With --format json, stdout is the summary alone.
    let run = repo
        .xtask(&["release", "patch", "--yes", "--format", "json"])
        .ok()
        .says("post 1.0.2 v1.0.2");
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).expect(&run.stdout);
    assert_eq!(summary["tag"], "v1.0.2");
}

#[test]
fn a_refused_release_commit_of_several_packages_leaves_nothing_behind() {
    let repo = two_python_packages();
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    write_executable(
        &repo.path().join(".git/hooks/commit-msg"),
        b"#!/bin/sh\necho 'commit-msg: no' >&2\nexit 1\n",
    );
    let before = repo.state();
    repo.xtask(&["release", "-p", "runtime", "minor", "--yes"])
        .fails(1)
        .says("commit-msg: no")
        .says("the repository is as it was");
    assert_eq!(repo.state(), before);
}

#[test]
fn a_killed_release_of_several_packages_is_undone_by_abort_tags_and_all() {
    let repo = two_python_packages();
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    let before = repo.state();
    // Kill the kit while it makes the dev commit: the release commit and both tags exist by then.
    write_executable(
        &repo.path().join(".git/hooks/commit-msg"),
        b"#!/bin/sh\ngrep -q '^chore: start' \"$1\" || exit 0\np=$PPID\nwhile [ \"$p\" -gt 1 ]; do\n  case \"$(cat /proc/$p/comm)\" in xtask) kill -9 $p; exit 1;; esac\n  p=$(awk '{print $4}' /proc/$p/stat)\ndone\nexit 1\n",
    );
    let run = repo.xtask(&["release", "-p", "runtime", "minor", "--yes"]);
    assert_ne!(run.code, 0);
    std::fs::remove_file(repo.path().join(".git/hooks/commit-msg")).unwrap();
    assert_eq!(
        repo.git(&["tag", "--list", "*3.2.0"]),
        "compiler-v3.2.0\nruntime-v3.2.0",
        "the kill came after both tags"
    );
    repo.xtask(&["release", "--abort"])
        .ok()
        .says("deleted tag runtime-v3.2.0, compiler-v3.2.0");
    let mut after = repo.state();
    after.files.retain(|(p, _)| !p.starts_with(".git"));
    let mut expected = before;
    expected.files.retain(|(p, _)| !p.starts_with(".git"));
    assert_eq!(after, expected);
}

#[test]
fn a_terminal_asks_which_package() {
    let repo = two_python_packages();
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("fix(runtime): x is three");
    let mut command = std::process::Command::new(crate::support::xtask_bin());
    command.args(["release", "patch"]).current_dir(repo.path());
    repo.env(&mut command);
    command.env("TERM", "xterm");
    let mut session =
        rexpect::session::spawn_command(command, Some(20_000)).expect("a pseudo-terminal");
    let press = |session: &mut rexpect::session::PtySession, keys: &str| {
        std::thread::sleep(std::time::Duration::from_millis(150));
        session.send(keys).unwrap();
        session.flush().unwrap();
    };
    session.exp_string("Release which package?").unwrap();
    session.exp_string("to move, enter to select").unwrap();
    press(&mut session, "\x1b[B");
    press(&mut session, "\r");
    session.exp_string("Edit the release notes first?").unwrap();
    press(&mut session, "n\r");
    session
        .exp_string("Release runtime 3.1.1 as runtime-v3.1.1?")
        .unwrap();
    press(&mut session, "y\r");
    session
        .exp_string("released runtime 3.1.1 as runtime-v3.1.1")
        .unwrap();
    session.exp_eof().unwrap();
    assert_eq!(repo.git(&["tag", "--list", "*3.1.1"]), "runtime-v3.1.1");
}

#[test]
fn message_templates_may_name_the_package() {
    let repo = two_python_packages();
    let config = repo.read("xtask.toml").replace(
        "[tag]\n",
        "[release]\ncommit = \"chore(release): {{ package }} {{ version }}\"\ndev_commit = \"chore: start {{ package }} {{ version }}\"\n\n[tag]\nmessage = \"Release {{ package }} {{ version }}\"\n",
    );
    repo.write("xtask.toml", &config);
    repo.commit("chore: messages");
    repo.xtask(&["check"]).ok();
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    repo.xtask(&["release", "-p", "runtime", "minor", "--yes"])
        .ok();
    assert_eq!(
        repo.git(&["log", "--format=%s", "-2"]),
        "chore: start runtime 3.2.1.dev0\nchore(release): runtime 3.2.0"
    );
    let tag = repo.git(&[
        "tag",
        "-l",
        "--format=%(contents:subject)",
        "compiler-v3.2.0",
    ]);
    assert_eq!(tag, "Release compiler 3.2.0");
    // The kit's own commits are no changes of either package: nothing to release.
    repo.xtask(&["release", "--yes"])
        .fails(2)
        .says("no package has changes");
    let notes = repo.xtask(&["changelog", "-p", "compiler"]).ok().stdout;
    assert!(!notes.contains("start"), "{notes}");
}

#[test]
fn commands_without_package_support_say_so() {
    let repo = two_python_packages();
    let before = repo.state();
    repo.xtask(&["branch", "cut", "--yes"])
        .fails(1)
        .says("this repository has several packages");
    assert_eq!(repo.state(), before);
}

#[test]
fn a_package_may_be_a_whole_workspace_with_one_shared_version() {
    let repo = crate::support::cargo_workspace();
    repo.write(
        "xtask.toml",
        "[tag]\nformat = \"{{ package }}-v{{ version }}\"\n\n[packages.rust]\nfiles = [\"Cargo.toml\"]\npaths = [\"app\", \"lib\", \"Cargo.toml\"]\nchangelog = \"CHANGELOG.md\"\n\n[packages.py]\nfiles = [\"py/pyproject.toml\"]\n",
    );
    repo.write(
        "py/pyproject.toml",
        "[project]\nname = \"py\"\nversion = \"2.0.0\"\n",
    );
    repo.commit("chore: two packages");
    repo.write("lib/src/lib.rs", "pub fn f() {}\n");
    repo.commit("fix(lib): f");
    // Never released, `auto` would release 0.1.0 as written: a patch rewrites every manifest.
    repo.xtask(&["release", "-p", "rust", "patch", "--yes", "--no-dev"])
        .ok()
        .says("released rust 0.1.1 as rust-v0.1.1");
    assert!(repo.read("Cargo.toml").contains("version = \"0.1.1\""));
    assert!(repo.read("lib/Cargo.toml").contains("version = \"0.1.1\""));
    assert!(
        repo.read("app/Cargo.toml")
            .contains("version = \"0.1.1\" }")
    );
    assert_eq!(version_of(&repo, "py/pyproject.toml"), "2.0.0");
    cargo_metadata_locked(&repo);
}

#[test]
fn a_release_of_packages_checks_the_signing_key_before_changing_anything() {
    let repo = two_python_packages();
    repo.write(
        ".github/allowed_signers",
        "test@example.com ssh-ed25519 AAAA\n",
    );
    repo.write(
        "xtask.toml",
        &(repo.read("xtask.toml") + "\n[release]\nsigners = \".github/allowed_signers\"\n"),
    );
    repo.commit("chore: sign releases");
    repo.write("compiler/src.py", "x = 2\n");
    repo.commit("fix(compiler): x is two");
    let before = repo.state();
    repo.xtask(&["release", "-p", "compiler", "patch", "--yes"])
        .fails(1)
        .says("release.signers is set, so the release tag is signed with an SSH key")
        .says("nothing was changed");
    let after = repo.state();
    assert_eq!(
        (after.head, after.refs, after.files),
        (before.head, before.refs, before.files)
    );
}

/// One walk for every package (#27): packages released at different commits, a merged topic branch, a commit
/// touching two packages. Each package's section of `release --yes --dry-run` lists exactly the subjects
/// `git log <its tag>..HEAD -- <its folder>` lists, as `changelog -p` (which reads one package) does.
#[test]
fn every_package_s_commits_come_from_one_walk_as_git_log_finds_them() {
    let repo = Repo::new();
    let mut config = String::from("[tag]\nformat = \"{{ package }}-v{{ version }}\"\n");
    for name in ["a", "b", "c"] {
        config.push_str(&format!(
            "\n[packages.{name}]\nfiles = [\"{name}/pyproject.toml\"]\n"
        ));
        repo.write(
            &format!("{name}/pyproject.toml"),
            &format!("[project]\nname = \"{name}\"\nversion = \"1.0.0\"\n"),
        );
        repo.write(&format!("{name}/src.py"), "x = 0\n");
    }
    repo.write("xtask.toml", &config);
    repo.commit("chore: initial");
    for name in ["a", "b", "c"] {
        repo.tag(&format!("{name}-v1.0.0"));
    }
    repo.write("a/src.py", "x = 1\n");
    repo.commit("feat(a): first a");
    repo.write("b/src.py", "x = 1\n");
    repo.commit("fix(b): first b");
    // b released on its own, later than the others.
    repo.write(
        "b/pyproject.toml",
        "[project]\nname = \"b\"\nversion = \"1.0.1\"\n",
    );
    repo.commit("chore(release): b 1.0.1");
    repo.tag("b-v1.0.1");
    repo.git(&["checkout", "--quiet", "-b", "topic"]);
    repo.write("c/src.py", "x = 1\n");
    repo.commit("feat(c): on a topic");
    repo.git(&["checkout", "--quiet", "main"]);
    repo.write("a/src.py", "x = 2\n");
    repo.commit("fix(a): on main");
    repo.git(&["merge", "--quiet", "--no-ff", "topic", "-m", "Merge topic"]);
    repo.write("a/src.py", "x = 3\n");
    repo.write("c/src.py", "x = 3\n");
    repo.commit("refactor: a and c together");
    repo.write("b/src.py", "x = 2\n");
    repo.commit("feat(b): second b");

    let out = repo.xtask(&["release", "--yes", "--dry-run"]).ok().stdout;
    for (name, tag) in [("a", "a-v1.0.0"), ("b", "b-v1.0.1"), ("c", "c-v1.0.0")] {
        let section: String = out
            .split("Changelog (")
            .find(|s| s.starts_with(&format!("{name}/CHANGELOG.md")))
            .unwrap_or_else(|| panic!("no section for {name}:\n{out}"))
            .to_string();
        let expected = repo.git(&[
            "log",
            "--no-merges",
            "--format=%s",
            &format!("{tag}..HEAD"),
            "--",
            name,
        ]);
        let changelog = repo.xtask(&["changelog", "-p", name]).ok().stdout;
        for subject in [
            "first a",
            "first b",
            "on a topic",
            "on main",
            "a and c together",
            "second b",
        ] {
            let wanted = expected.lines().any(|l| l.ends_with(subject));
            assert_eq!(
                section.contains(subject),
                wanted,
                "{name}: {subject}\n{section}"
            );
            assert_eq!(
                changelog.contains(subject),
                wanted,
                "{name}: {subject}\n{changelog}"
            );
        }
    }
}

/// A package never released beside one that was (cocogitto's resolver beside cocogitto): its first release
/// is the version its file holds, and its sibling's tags are not "its releases named another way".
#[test]
fn a_never_released_package_beside_a_released_one_releases_its_version_as_written() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[packages.app]\nfiles = [\"app/pyproject.toml\"]\ntag = \"{{ version }}\"\n\n[packages.resolver]\nfiles = [\"resolver/pyproject.toml\"]\n",
    );
    for (name, version) in [("app", "6.5.0"), ("resolver", "0.1.0")] {
        repo.write(
            &format!("{name}/pyproject.toml"),
            &format!("[project]\nname = \"{name}\"\nversion = \"{version}\"\n"),
        );
        repo.write(&format!("{name}/src.py"), "x = 1\n");
    }
    repo.commit("chore: initial");
    repo.tag("6.5.0");
    repo.write("resolver/src.py", "x = 2\n");
    repo.commit("feat(resolver): resolve");
    let run = repo
        .xtask(&["release", "-p", "resolver", "auto", "--dry-run"])
        .ok()
        .says("0.1.0 → 0.1.0");
    assert!(!run.stderr.contains("look like releases"), "{}", run.stderr);
}
