//! What users see, pinned as a whole: the release's dry-run plan and progress lines, `check`'s report,
//! `version --all`, the hooks' refusals and every `--help`. The substring tests elsewhere say what must be
//! in an output; these say nothing else changed unreviewed (its layout, its wording, a line gone).
//!
//! The snapshots live in `snapshots/` beside this file. After a deliberate change, re-run with
//! `INSTA_UPDATE=always` (or `cargo insta review`) and review the diff of the `.snap` files.
//!
//! Dates are fixed by the support module (commits a minute apart from 2024-01-01, `SOURCE_DATE_EPOCH`),
//! so commit ids are the same on every run; the temporary directories' paths are replaced by `[REPO]`,
//! `[HOME]` and `[REMOTE]`.

use std::path::Path;

use clap::CommandFactory;

use crate::support::{self, Repo, Run};

/// `text` with every temporary path of `repo` (and of `remote`) replaced by a fixed name. Paths are
/// replaced both as given and canonical (`/tmp` may be a symbolic link).
fn redact(repo: &Repo, remote: Option<&Path>, text: &str) -> String {
    let mut names = vec![(repo.path().to_path_buf(), "[REPO]")];
    names.push((repo.home.path().to_path_buf(), "[HOME]"));
    if let Some(remote) = remote {
        names.push((remote.to_path_buf(), "[REMOTE]"));
    }
    let mut out = text.to_string();
    for (path, name) in names {
        for form in [path.canonicalize().unwrap_or(path.clone()), path] {
            out = out.replace(form.to_str().unwrap(), name);
        }
    }
    out
}

/// A run as a user sees it: the exit code, then stdout and stderr, each under its own heading.
fn shown(repo: &Repo, remote: Option<&Path>, run: &Run) -> String {
    redact(
        repo,
        remote,
        &format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            run.code, run.stdout, run.stderr
        ),
    )
}

/// `VERSION.json` at 1.0.0, tagged `v1.0.0`, then a feature, a fix and a breaking-free chore.
fn single_package() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n");
    repo.commit("chore: initial");
    repo.tag("v1.0.0");
    repo.write("a.txt", "a\n");
    repo.commit("feat: a new thing");
    repo.write("b.txt", "b\n");
    repo.commit("fix(parser): an old bug");
    repo
}

#[test]
fn release_dry_run_of_one_package() {
    let repo = single_package();
    let run = repo.xtask(&["release", "auto", "--dry-run"]).ok();
    insta::assert_snapshot!(shown(&repo, None, &run));
}

#[test]
fn release_dry_run_of_packages() {
    let repo = support::two_python_packages_changed();
    let run = repo.xtask(&["release", "auto", "--dry-run"]).ok();
    insta::assert_snapshot!(shown(&repo, None, &run));
}

#[test]
fn release_progress() {
    let repo = single_package();
    let run = repo.xtask(&["release", "minor", "--yes"]).ok();
    insta::assert_snapshot!(shown(&repo, None, &run));
}

#[test]
fn version_all_of_packages() {
    let repo = support::two_python_packages_changed();
    let run = repo.xtask(&["version", "--all"]).ok();
    insta::assert_snapshot!(shown(&repo, None, &run));
}

#[test]
fn check_clean() {
    let repo = single_package();
    let run = repo.xtask(&["check"]).ok();
    insta::assert_snapshot!(shown(&repo, None, &run));
}

#[test]
fn check_with_several_problems() {
    let repo = Repo::new();
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n\
         [tag]\nformat = \"v{{ version }} x\"\n\
         [commits]\nconventional = \"deny\"\n\
         [release]\ncommit = \"Bump {{ version }}\"\n\
         branches = [\"main\", \"rel/{{ patch }}\"]\nline_branch = \"stable\"\n\
         [branches]\nallowed = [\"trunk\"]\n",
    );
    repo.commit("chore: initial");
    let run = repo.xtask(&["check"]).fails(1);
    insta::assert_snapshot!(shown(&repo, None, &run));
}

/// A repository at 0.1.0 that refuses non-conventional messages, with the hooks installed and a bare
/// `origin` holding `main`.
fn hooked() -> (Repo, tempfile::TempDir) {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n\
         [commits]\nconventional = \"deny\"\n",
    );
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    repo.xtask(&["hooks", "install"]).ok();
    let remote = support::bare_remote(&repo);
    repo.git(&["push", "--quiet", "origin", "main"]);
    (repo, remote)
}

#[test]
fn commit_msg_refusal() {
    let (repo, remote) = hooked();
    let run = repo.try_git(&["commit", "--allow-empty", "-m", "Fixed the thing."]);
    assert_ne!(run.code, 0, "{run:?}");
    insta::assert_snapshot!(shown(&repo, Some(remote.path()), &run));
}

#[test]
fn pre_push_refusal_of_a_bad_tag() {
    let (repo, remote) = hooked();
    repo.git(&["tag", "-a", "v0.9.0", "-m", "Release 0.9.0"]);
    let run = repo.try_git(&["push", "origin", "v0.9.0"]);
    assert_ne!(run.code, 0, "{run:?}");
    // Only the hook's own lines: git's report of the failed push differs between git versions.
    let hook: String = run
        .stderr
        .lines()
        .filter(|l| !l.starts_with("error: failed to push") && !l.starts_with(" ! [remote"))
        .map(|l| format!("{l}\n"))
        .collect();
    let run = Run {
        code: run.code,
        stdout: run.stdout,
        stderr: hook,
    };
    insta::assert_snapshot!(shown(&repo, Some(remote.path()), &run));
}

/// Every command's `--help`, the whole tree (clap's own `help` subcommand aside), as the binary prints it.
#[test]
fn every_help() {
    fn walk(command: &clap::Command, path: &mut Vec<String>, all: &mut Vec<Vec<String>>) {
        all.push(path.clone());
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            path.push(sub.get_name().to_string());
            walk(sub, path, all);
            path.pop();
        }
    }
    let mut all = Vec::new();
    walk(&xtask::cli::Cli::command(), &mut Vec::new(), &mut all);
    assert!(all.len() > 10, "{all:?}");
    let repo = Repo::new();
    for path in all {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = repo.xtask(&args).ok();
        let name = if path.is_empty() {
            "help".to_string()
        } else {
            format!("help_{}", path.join("_").replace('-', "_"))
        };
        insta::assert_snapshot!(name, shown(&repo, None, &run), &args.join(" "));
    }
}
