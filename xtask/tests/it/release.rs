//! `release` end to end: the happy path, the policy, and every failure leaving the repository as it was.

use crate::support::{self, RELEASE_DAY, Repo, cargo_workspace};

/// The Python project of the release issue: `__init__.py` and `setup.cfg`, the maintainers' own messages.
fn python_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        r#"[version]
files = [
  { path = "pkg/__init__.py", regex = '__version__ = "(?<version>[^"]+)"', scheme = "pep440" },
  { path = "setup.cfg", regex = '(?m)^version = (?<version>\S+)$', scheme = "pep440" },
]
dev = "{{ major }}.{{ minor }}.{{ patch + 1 }}-dev"

[release]
commit = "Bump version to {{ version }}"
dev_commit = "Start development on version {{ major }}.{{ minor }}.{{ patch }}"

[tag]
message = "Release version {{ version }}"
"#,
    );
    repo.write("pkg/__init__.py", "__version__ = \"0.1.1.dev0\"\n");
    repo.write(
        "setup.cfg",
        "[metadata]\nname = pkg\nversion = 0.1.1.dev0\n",
    );
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\nHand-written intro.\n\n## [0.1.0] - 2023-01-01\n\n- first\n",
    );
    repo.commit("chore: initial");
    repo.git(&["tag", "--annotate", "v0.1.0", "-m", "Release version 0.1.0"]);
    repo.write("pkg/core.py", "x = 1\n");
    repo.commit("feat(core): add x (#12)");
    repo.write("pkg/core.py", "x = 2\n");
    repo.commit("fix: x is two");
    repo
}

#[test]
fn python_release_makes_exactly_two_commits_a_tag_and_a_dev_version() {
    let repo = python_project();
    repo.write("notes.txt", "untracked, never touched\n");
    let run = repo.xtask(&["release", "0.2.0", "--yes"]).ok();
    assert!(
        run.stderr.contains("released 0.2.0 as v0.2.0"),
        "{}",
        run.stderr
    );
    let log = repo.git(&["log", "--format=%s", "-3"]);
    assert_eq!(
        log,
        "Start development on version 0.2.1\nBump version to 0.2.0\nfix: x is two"
    );
    assert_eq!(repo.git(&["cat-file", "-t", "v0.2.0"]), "tag");
    assert_eq!(
        repo.git(&["rev-parse", "v0.2.0^{commit}"]),
        repo.git(&["rev-parse", "HEAD~1"])
    );
    let tag = repo.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]);
    assert!(
        tag.starts_with(&format!(
            "Release version 0.2.0\n\n## [0.2.0] - {RELEASE_DAY}"
        )),
        "{tag}"
    );
    assert!(tag.contains("- **core:** add x (#12)"), "{tag}");
    assert_eq!(
        repo.read("pkg/__init__.py"),
        "__version__ = \"0.2.1.dev0\"\n"
    );
    assert_eq!(
        repo.read("setup.cfg"),
        "[metadata]\nname = pkg\nversion = 0.2.1.dev0\n"
    );
    assert_eq!(
        repo.git(&["show", "v0.2.0:setup.cfg"]),
        "[metadata]\nname = pkg\nversion = 0.2.0"
    );
    let changelog = repo.read("CHANGELOG.md");
    assert!(
        changelog.starts_with(&format!("# Changelog\n\nHand-written intro.\n\n## [0.2.0] - {RELEASE_DAY}\n\n### Added\n\n- **core:** add x (#12)")),
        "{changelog}"
    );
    assert!(
        changelog.ends_with("## [0.1.0] - 2023-01-01\n\n- first\n"),
        "{changelog}"
    );
    assert_eq!(repo.read("notes.txt"), "untracked, never touched\n");
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=no"]),
        ""
    );
}

#[test]
fn auto_picks_the_level_the_commits_call_for() {
    let repo = python_project();
    repo.xtask(&["release", "auto", "--dry-run"])
        .ok()
        .says("0.1.1.dev0 → 0.2.0")
        .says("the commits call for minor");
    repo.write("pkg/core.py", "x = 3\n");
    repo.commit("feat!: x is three");
    // Below 1.0 a breaking change calls for a minor release.
    repo.xtask(&["release", "auto", "--dry-run"])
        .ok()
        .says("→ 0.2.0");
    let ws = cargo_workspace();
    ws.git(&["tag", "--annotate", "v0.1.0", "-m", "r"]);
    ws.xtask(&["bump", "1.0.0"]).ok();
    ws.commit("chore: 1.0");
    ws.git(&["tag", "--annotate", "v1.0.0", "-m", "r"]);
    ws.commit("fix: a");
    ws.commit("fix: b\n\nBREAKING CHANGE: the footer is the only sign");
    ws.commit("did some stuff");
    ws.xtask(&["release", "auto", "--dry-run"])
        .ok()
        .says("1.0.0 → 2.0.0")
        .says("the footer is the only sign");
}

#[test]
fn json_and_github_output() {
    let repo = python_project();
    let out = repo.path().join("gh-output");
    let out_str = out.to_str().unwrap().to_string();
    let run = repo
        .xtask_env(
            &["release", "minor", "--yes", "--format", "json"],
            &[("GITHUB_OUTPUT", &out_str)],
        )
        .ok();
    assert!(
        run.stdout.contains("\"version\":\"0.2.0\"") && run.stdout.contains("\"tag\":\"v0.2.0\""),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read_to_string(out).unwrap(),
        "version=0.2.0\ntag=v0.2.0\n"
    );
}

#[track_caller]
fn refused(repo: &Repo, args: &[&str], code: i32, needles: &[&str]) {
    let before = repo.state();
    let run = repo.xtask(args).fails(code);
    for n in needles {
        assert!(run.stderr.contains(n), "{n:?} missing from\n{}", run.stderr);
    }
    assert_eq!(
        repo.state(),
        before,
        "{args:?} must leave the repository as it was"
    );
}

#[test]
fn preflight_refuses_and_reports_everything() {
    let repo = python_project();
    refused(
        &repo,
        &["release"],
        2,
        &["no version given and no terminal", "release auto --yes"],
    );
    refused(
        &repo,
        &["release", "patch", "--yes"],
        1,
        &[
            "lower than the commits call for (minor)",
            "feat(core): add x (#12)",
            "--force",
        ],
    );
    repo.write(
        "setup.cfg",
        "[metadata]\nname = pkg\nversion = 0.1.1.dev0\n# edited\n",
    );
    repo.git(&["tag", "v0.2.0"]);
    repo.git(&["checkout", "--quiet", "-b", "wip"]);
    refused(
        &repo,
        &["release", "minor", "--yes"],
        1,
        &[
            "uncommitted changes to tracked files: setup.cfg",
            "tag v0.2.0 already exists",
            "branch wip is not a release branch",
        ],
    );
    repo.git(&["checkout", "--quiet", "main"]);
    repo.git(&["checkout", "--", "setup.cfg"]);
    repo.git(&["tag", "--delete", "v0.2.0"]);
    repo.write("xtask.toml", &(repo.read("xtask.toml") + "[release]\n"));
    // A broken configuration is reported as such (and it is committed, so that no other problem could
    // account for the refusal).
    repo.commit("chore: break the configuration");
    refused(
        &repo,
        &["release", "minor", "--yes"],
        1,
        &["error: xtask.toml:14:2: duplicate key"],
    );
    let run = repo.xtask(&["release", "minor", "--yes"]).fails(1);
    assert!(!run.stderr.contains("uncommitted"), "{}", run.stderr);
}

#[test]
fn forced_patch_over_a_feat_says_so() {
    let repo = python_project();
    repo.xtask(&["release", "patch", "--yes", "--force", "--no-dev"])
        .ok()
        .says("releasing anyway because of --force");
    assert_eq!(repo.git(&["describe", "--exact-match"]), "v0.1.1");
}

#[test]
fn a_rejected_release_commit_leaves_nothing_behind() {
    let repo = python_project();
    hook(
        &repo,
        "commit-msg",
        "#!/bin/sh\necho 'commit-msg: no' >&2\nexit 1\n",
    );
    refused(
        &repo,
        &["release", "minor", "--yes"],
        1,
        &["commit-msg: no", "the repository is as it was"],
    );
    assert!(!repo.path().join(".git/xtask/release-journal.json").exists());
}

#[test]
fn a_rejected_dev_commit_after_the_tag_leaves_nothing_behind() {
    let repo = python_project();
    // Refuse only the second commit: the release commit and its tag exist by then.
    hook(
        &repo,
        "commit-msg",
        "#!/bin/sh\ngrep -q '^Start development' \"$1\" && { echo 'no dev' >&2; exit 1; }\nexit 0\n",
    );
    refused(
        &repo,
        &["release", "minor", "--yes"],
        1,
        &["no dev", "the repository is as it was"],
    );
    assert_eq!(repo.git(&["tag", "--list", "v0.2.0"]), "");
}

#[test]
fn a_killed_release_is_undone_by_abort() {
    let repo = python_project();
    let before = repo.state();
    // A pre-commit hook that finds the kit among its ancestors and kills it: the files are written and
    // staged by then, and the release commit is under way.
    hook(
        &repo,
        "pre-commit",
        "#!/bin/sh\n# Find the kit among our ancestors and kill it.\np=$PPID\nwhile [ \"$p\" -gt 1 ]; do\n  case \"$(cat /proc/$p/comm)\" in xtask) kill -9 $p; exit 1;; esac\n  p=$(awk '{print $4}' /proc/$p/stat)\ndone\nexit 1\n",
    );
    let run = repo.xtask(&["release", "minor", "--yes"]);
    assert_ne!(run.code, 0);
    std::fs::remove_file(repo.path().join(".git/hooks/pre-commit")).unwrap();
    assert!(
        repo.path().join(".git/xtask/release-journal.json").exists(),
        "the kill leaves the journal"
    );
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("release --abort");
    repo.xtask(&["release", "--abort"]).ok().says("restored");
    let mut after = repo.state();
    // The hook file was ours to add and remove; compare everything else.
    after.files.retain(|(p, _)| !p.starts_with(".git"));
    assert_eq!(after, before);
    repo.xtask(&["release", "minor", "--yes"]).ok();
}

#[test]
fn release_lines_and_detached_heads() {
    let repo = python_project();
    repo.write(
        "xtask.toml",
        &(repo.read("xtask.toml") + "\n[changelog]\nother = false\n")
            .replace("[tag]", "[tag]\n")
            .replace(
                "[release]\n",
                "[release]\nbranches = [\"main\", \"stable/{{ major }}.{{ minor }}\"]\n",
            ),
    );
    repo.commit("chore: release lines");
    repo.xtask(&["release", "minor", "--yes"]).ok();
    repo.git(&["checkout", "--quiet", "-b", "stable/0.2", "v0.2.0"]);
    repo.write("pkg/core.py", "x = 22\n");
    repo.commit("fix: backport");
    repo.git(&["checkout", "--quiet", "main"]);
    repo.xtask(&["release", "minor", "--yes", "--no-dev"]).ok();
    repo.git(&["checkout", "--quiet", "stable/0.2"]);
    // 0.2.1 is lower than 0.3.0 on main, but that tag is not on this line.
    repo.xtask(&["release", "patch", "--yes", "--no-dev"]).ok();
    assert_eq!(repo.git(&["describe", "--exact-match"]), "v0.2.1");
    let notes = repo.git(&["tag", "-l", "--format=%(contents)", "v0.2.1"]);
    assert!(
        notes.contains("backport") && !notes.contains("add x"),
        "{notes}"
    );
    // Detached HEAD: refused, unless the CI names the branch at HEAD.
    repo.write("pkg/core.py", "x = 23\n");
    repo.commit("fix: another");
    repo.git(&["checkout", "--quiet", "--detach"]);
    repo.xtask(&["release", "patch", "--yes", "--dry-run"])
        .fails(1)
        .says("HEAD is detached");
    repo.xtask_env(
        &["release", "patch", "--yes", "--dry-run"],
        &[("GITHUB_REF_NAME", "stable/0.2")],
    )
    .ok()
    .says("0.2.2");
}

#[test]
fn push_is_atomic_and_a_failed_push_keeps_the_release() {
    let repo = python_project();
    let remote = tempfile::TempDir::new().unwrap();
    repo.git(&["init", "--quiet", "--bare", remote.path().to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.xtask(&["release", "minor", "--yes", "--push"])
        .ok()
        .says("pushed");
    // Both the branch (up to the dev commit) and the tag arrived, exactly as they are here.
    let pushed = repo.git(&["ls-remote", "origin", "refs/heads/main", "refs/tags/v0.2.0"]);
    assert_eq!(
        pushed,
        format!(
            "{}\trefs/heads/main\n{}\trefs/tags/v0.2.0",
            repo.git(&["rev-parse", "refs/heads/main"]),
            repo.git(&["rev-parse", "refs/tags/v0.2.0"]),
        )
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "main"]),
        "Start development on version 0.2.1"
    );
    let remote_before = repo.git(&["ls-remote", remote.path().to_str().unwrap()]);
    repo.write("pkg/core.py", "x = 9\n");
    repo.commit("fix: nine");
    // The remote refuses the push (after the preflight's look at it passed): the release stays, with the
    // command to retry.
    support::write_executable(
        &remote.path().join("hooks/pre-receive"),
        b"#!/bin/sh\nexit 1\n",
    );
    repo.xtask(&["release", "patch", "--yes", "--push"])
        .fails(1)
        .says("git push --atomic origin refs/heads/main refs/tags/v0.2.1");
    assert_eq!(repo.git(&["tag", "--list", "v0.2.1"]), "v0.2.1");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "v0.2.1"]),
        "Bump version to 0.2.1"
    );
    assert_eq!(
        repo.git(&["ls-remote", remote.path().to_str().unwrap()]),
        remote_before
    );
}

/// Writes the repository's own `name` hook, as a maintainer might have.
fn hook(repo: &Repo, name: &str, script: &str) {
    support::write_executable(
        &repo.path().join(".git/hooks").join(name),
        script.as_bytes(),
    );
}

#[test]
fn a_first_release_is_the_version_the_files_hold() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\ndev = false\n",
    );
    repo.write("VERSION.json", "{ \"version\": \"0.1.0\" }\n");
    repo.commit("chore: initial");
    repo.write("a.txt", "a\n");
    repo.commit("feat: a first feature");
    repo.xtask(&["version", "--next", "auto"])
        .ok()
        .says("0.1.0");
    repo.xtask(&["release", "auto", "--yes"])
        .ok()
        .says("released 0.1.0 as v0.1.0");
    assert_eq!(repo.git(&["tag", "--list"]), "v0.1.0");
    assert_eq!(repo.read("VERSION.json"), "{ \"version\": \"0.1.0\" }\n");
    assert!(repo.read("CHANGELOG.md").contains("## [0.1.0]"));
    // From then on, `auto` moves on as always.
    repo.write("b.txt", "b\n");
    repo.commit("fix: b");
    repo.xtask(&["version", "--next", "auto"])
        .ok()
        .says("0.1.1");
}

#[test]
fn with_patch_types_docs_and_ci_alone_call_for_no_release() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\ndev = false\n\n[commits]\npatch_types = [\"fix\", \"perf\", \"refactor\"]\n",
    );
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.commit("chore: initial");
    repo.tag("v1.0.0");
    repo.write("docs.md", "a\n");
    repo.commit("docs: explain");
    repo.write("ci.yml", "a\n");
    repo.commit("build(deps): bump a dependency");
    let before = repo.state();
    repo.xtask(&["version", "--next", "auto"])
        .fails(1)
        .says("nothing to release");
    repo.xtask(&["release", "auto", "--yes"])
        .fails(1)
        .says("nothing to release");
    assert_eq!(repo.state(), before);
    // A fix calls for a patch again; an explicit level always releases.
    repo.write("a.txt", "a\n");
    repo.commit("fix: a");
    repo.xtask(&["version", "--next", "auto"])
        .ok()
        .says("1.0.1");
}
