//! The git hooks, end to end: `xtask hooks install|uninstall|status` in throw-away repositories, then plain
//! git commands (commit, branch, tag, fetch, push) that run the installed shims and the installed binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::support::{self, Repo, Run};

/// `git commit` refuses messages that are not Conventional Commits.
const DENY: &str = "[commits]\nconventional = \"deny\"\n";
/// A Cargo-free version file: the hooks read it at a commit.
const VERSION_JSON: &str = "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n";

/// Runs git in `dir` (a linked worktree, a nested repository) with the repository's isolated environment.
fn git_in(repo: &Repo, dir: &Path, args: &[&str]) -> Run {
    let mut command = repo.command("git", args);
    command.current_dir(dir);
    support::run(command)
}

/// A repository at version 0.1.0 with `config` as its xtask.toml, one commit, and the hooks installed.
fn project(config: &str) -> Repo {
    let repo = Repo::new();
    repo.write("xtask.toml", &format!("{VERSION_JSON}{config}"));
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    repo.xtask(&["hooks", "install"]).ok();
    repo
}

/// Where git looks for this repository's hooks.
fn hooks_dir(repo: &Repo) -> PathBuf {
    PathBuf::from(repo.git(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"]))
}

fn git_dir(repo: &Repo) -> PathBuf {
    PathBuf::from(repo.git(&["rev-parse", "--path-format=absolute", "--git-common-dir"]))
}

/// Every file under `dir` with its bytes and permission bits, for byte-for-byte comparisons.
fn snapshot(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            for (name, file) in snapshot(&path) {
                let dir_name = path.file_name().unwrap().to_string_lossy();
                files.insert(format!("{dir_name}/{name}"), file);
            }
        } else if let Ok(target) = std::fs::read_link(&path) {
            // A symbolic link, dangling or not: its target.
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let target = format!("-> {}", target.display());
            files.insert(name, (target.into_bytes(), 0));
        } else {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.insert(name, (std::fs::read(&path).unwrap(), mode));
        }
    }
    files
}

fn write_hook(path: &Path, text: &str) {
    support::write_executable(path, text.as_bytes());
}

/// The line `hooks status` prints for `name`.
#[track_caller]
fn status_line(status: &Run, name: &str) -> String {
    status
        .stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no {name} in\n{}", status.stdout))
        .to_string()
}

/// What a refused git command must leave as it was, as seen from `dir`: HEAD (the branch and the commit),
/// every ref, the index, the work tree's status, and the refs of `origin` when there is one.
fn observed(repo: &Repo, dir: &Path) -> Vec<String> {
    let queries: [&[&str]; 6] = [
        &["symbolic-ref", "--quiet", "HEAD"],
        &["rev-parse", "--verify", "--quiet", "HEAD"],
        &["for-each-ref", "--format=%(refname) %(objectname)"],
        &["ls-files", "--stage"],
        &["status", "--porcelain", "--untracked-files=all"],
        &["ls-remote", "origin"],
    ];
    queries
        .iter()
        .map(|args| {
            let run = git_in(repo, dir, args);
            format!("git {args:?} → {}\n{}", run.code, run.stdout)
        })
        .collect()
}

/// Runs git in the work tree expecting a hook to stop it: it fails (git's exit code varies by command, so
/// callers that know it check it) and HEAD, refs, index, status and the remote's refs are unchanged.
#[track_caller]
fn refuses(repo: &Repo, args: &[&str]) -> Run {
    refuses_in(repo, repo.path(), args)
}

/// [`refuses`] for git run in `dir` (a linked worktree, a nested repository).
#[track_caller]
fn refuses_in(repo: &Repo, dir: &Path, args: &[&str]) -> Run {
    let before = observed(repo, dir);
    let run = git_in(repo, dir, args);
    assert_ne!(
        run.code, 0,
        "expected git {args:?} to be refused\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert_eq!(
        observed(repo, dir),
        before,
        "git {args:?} was refused but changed the repository or its remote"
    );
    run
}

fn remote_refs(repo: &Repo) -> String {
    repo.git(&["ls-remote", "origin"])
}

#[test]
fn the_installed_copy_keeps_working_when_the_binary_that_installed_it_is_gone() {
    let repo = Repo::new();
    repo.write("xtask.toml", DENY);
    repo.commit("chore: initial import");
    let elsewhere = TempDir::new().unwrap();
    let copy = elsewhere.path().join("xtask");
    support::write_executable(&copy, &std::fs::read(support::xtask_bin()).unwrap());
    support::run(repo.command(&copy, &["hooks", "install"]))
        .ok()
        .says("commit-msg: installed");
    let status = support::run(repo.command(&copy, &["hooks", "status"])).ok();
    for name in ["commit-msg", "reference-transaction", "pre-push"] {
        assert!(
            status_line(&status, name).contains("ours, current"),
            "{status:?}"
        );
    }
    drop(elsewhere);
    assert!(!copy.exists());

    let installed = git_dir(&repo).join("xtask/bin/xtask");
    assert!(installed.is_file(), "{installed:?}");
    // Each client hook is a native program of its own (no shell in front) that starts the installed binary,
    // which knows the hook by its name: a few kilobytes, where the kit has its stub (Linux on x86-64).
    let hooks: Vec<Vec<u8>> = ["commit-msg", "reference-transaction", "pre-push"]
        .iter()
        .map(|name| std::fs::read(hooks_dir(&repo).join(name)).unwrap())
        .collect();
    for hook in &hooks {
        assert!(!hook.starts_with(b"#!"));
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
            assert!(hook.len() < 64 * 1024, "a hook of {} bytes", hook.len());
        }
    }
    refuses(&repo, &["commit", "--allow-empty", "-m", "did some stuff"])
        .fails(1)
        .says("commits.conventional");
    repo.git(&["commit", "--allow-empty", "-m", "feat(cli): add --json"]);
    refuses(&repo, &["checkout", "-b", "wip-stuff"]).says("branches.allowed");

    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        // With the installed binary removed as well, a stub hands over to its `sh` shim, which warns and
        // lets git go on (a broken install must not block work), once per commit; status says why.
        std::fs::remove_dir_all(installed.parent().unwrap()).unwrap();
        let run = repo
            .try_git(&["commit", "--allow-empty", "-m", "did more stuff"])
            .ok()
            .says("hook commit-msg skipped: the kit's binary is missing");
        assert_eq!(
            run.stderr
                .matches("hook reference-transaction skipped")
                .count(),
            1,
            "{run:?}"
        );
        let status = repo.xtask(&["hooks", "status"]).ok();
        for name in ["commit-msg", "reference-transaction", "pre-push"] {
            assert!(
                status_line(&status, name).contains("the binary is missing"),
                "{status:?}"
            );
        }
        // Installing again puts the binary back; the hooks stay as they were, and enforce again.
        repo.xtask(&["hooks", "install"])
            .ok()
            .says("commit-msg: already installed");
        assert!(installed.is_file());
        for (name, hook) in ["commit-msg", "reference-transaction", "pre-push"]
            .iter()
            .zip(&hooks)
        {
            assert_eq!(&std::fs::read(hooks_dir(&repo).join(name)).unwrap(), hook);
        }
        refuses(&repo, &["commit", "--allow-empty", "-m", "did even more"])
            .fails(1)
            .says("commits.conventional");
    }
}

/// Disk space under `dir` as `du` counts it: allocated blocks, each file once however many names it has.
fn disk_usage(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::BTreeSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if seen.insert((meta.dev(), meta.ino())) {
                total += meta.blocks() * 512;
            }
            if meta.is_dir() {
                stack.push(path);
            }
        }
    }
    total
}

/// A repository moved elsewhere keeps its native hooks: each finds the binary relative to itself.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn native_hooks_keep_working_in_a_moved_repository() {
    let repo = project(DENY);
    let moved = repo.path().with_extension("moved");
    std::fs::rename(repo.path(), &moved).unwrap();
    let run = git_in(
        &repo,
        &moved,
        &["commit", "--allow-empty", "-m", "did some stuff"],
    );
    let branch = git_in(&repo, &moved, &["checkout", "-b", "wip-stuff"]);
    // Back where it was, so that the temporary directory is removed.
    std::fs::rename(&moved, repo.path()).unwrap();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("commits.conventional"), "{run:?}");
    assert!(!run.stderr.contains("binary is missing"), "{run:?}");
    assert!(branch.stderr.contains("branches.allowed"), "{branch:?}");
}

/// `hooks install` adds the binary once, and hooks of a few kilobytes (issue #27: `.git` grows by at most
/// 30 MB). The figure itself depends on the binary, which these tests run in the large debug build: the
/// README gives the one of the `xtask` profile; here the shape is checked, the binary counted once.
#[test]
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn install_adds_the_binary_once_and_hooks_of_a_few_kilobytes() {
    let repo = Repo::new();
    repo.write("xtask.toml", DENY);
    repo.commit("chore: initial import");
    let git = git_dir(&repo);
    let before = disk_usage(&git);
    repo.xtask(&["hooks", "install"]).ok();
    let grown = disk_usage(&git) - before;
    let binary = std::fs::metadata(git.join("xtask/bin/xtask"))
        .unwrap()
        .len();
    assert_eq!(
        binary,
        std::fs::metadata(support::xtask_bin()).unwrap().len()
    );
    let mut hooks = 0;
    for name in ["commit-msg", "reference-transaction", "pre-push"] {
        let len = std::fs::metadata(hooks_dir(&repo).join(name))
            .unwrap()
            .len();
        assert!(len < 64 * 1024, "{name}: {len} bytes");
        hooks += len;
    }
    // The binary, three hooks, the version file and the directories, with blocks rounded up.
    assert!(
        grown <= binary + hooks + 256 * 1024,
        ".git grew by {grown} bytes for a binary of {binary} and hooks of {hooks}"
    );
    // Installing again adds nothing.
    repo.xtask(&["hooks", "install"]).ok();
    assert_eq!(disk_usage(&git) - before, grown);
}

#[test]
fn install_refuses_a_configuration_that_cannot_be_loaded_and_installs_nothing() {
    let repo = Repo::new();
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    let pristine = snapshot(&git_dir(&repo));
    for (config, problem) in [
        ("[version\n", "xtask.toml:1"),
        (
            "[commits]\nconventional = \"always\"\n",
            "commits.conventional must be",
        ),
        (
            &format!("{VERSION_JSON}[tag]\nformat = \"release\"\n"),
            "tag.format",
        ),
        (
            "[version]\nfiles = [\"VERSION.txt\"]\n",
            "say how to find the version",
        ),
    ] {
        repo.write("xtask.toml", config);
        repo.xtask(&["hooks", "install"])
            .fails(1)
            .says(problem)
            .says("no hooks were installed");
        assert_eq!(snapshot(&git_dir(&repo)), pristine, "{config}");
    }
    // Fixed, it installs.
    repo.write("xtask.toml", VERSION_JSON);
    repo.xtask(&["hooks", "install"]).ok();
}

#[test]
fn server_install_refuses_a_configuration_that_cannot_be_loaded_and_installs_nothing() {
    // The default branch's xtask.toml cannot be parsed: nothing goes into the bare repository.
    let repo = Repo::new();
    repo.write("xtask.toml", "[version\n");
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    let bare = support::bare_remote(&repo);
    repo.git(&["push", "--quiet", "origin", "main"]);
    let server = bare_path(&bare);
    let pristine = snapshot(bare.path());
    repo.xtask(&["hooks", "install", "--server", server])
        .fails(1)
        .says("xtask.toml:1")
        .says("no hooks were installed");
    assert_eq!(snapshot(bare.path()), pristine);
    // Nor from a policy file that cannot be loaded, or whose rules are wrong.
    let policy = repo.home.path().join("policy.toml");
    for (text, problem) in [
        ("[version\n", "unclosed table"),
        (
            "[commits]\nconventional = \"always\"\n",
            "commits.conventional must be",
        ),
    ] {
        std::fs::write(&policy, format!("{VERSION_JSON}{text}")).unwrap();
        repo.xtask(&[
            "hooks",
            "install",
            "--server",
            server,
            "--config",
            policy.to_str().unwrap(),
        ])
        .fails(1)
        .says(problem)
        .says("policy.toml cannot be the server's policy")
        .says("no hooks were installed");
        assert_eq!(snapshot(bare.path()), pristine, "{text}");
    }
    // Fixed, it installs.
    std::fs::write(&policy, VERSION_JSON).unwrap();
    repo.xtask(&[
        "hooks",
        "install",
        "--server",
        server,
        "--config",
        policy.to_str().unwrap(),
    ])
    .ok()
    .says("pre-receive: installed");
}

#[test]
fn commit_msg_denies_non_conventional_messages_but_not_gits_own() {
    let repo = project(DENY);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let run = refuses(&repo, &["commit", "--allow-empty", "-m", "did some stuff"])
        .fails(1)
        .says("commits.conventional")
        .says("`did some stuff`")
        .says("feat(cli): add --json");
    assert!(run.stderr.contains("error:"), "{run:?}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);

    repo.git(&["commit", "--allow-empty", "-m", "feat(cli): add --json"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "feat(cli): add --json"
    );

    // Messages git writes itself: autosquash markers, merges, reverts.
    repo.git(&["commit", "--allow-empty", "--fixup", "HEAD"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "fixup! feat(cli): add --json"
    );
    repo.git(&["checkout", "--quiet", "-b", "feature/merge-me"]);
    repo.write("topic.txt", "topic\n");
    repo.commit("fix: on a topic");
    repo.git(&["checkout", "--quiet", "main"]);
    repo.git(&["merge", "--no-ff", "--no-edit", "feature/merge-me"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]),
        "Merge branch 'feature/merge-me'"
    );
    repo.git(&["revert", "--no-edit", "feature/merge-me"]);
    assert!(
        repo.git(&["log", "-1", "--format=%s"])
            .starts_with("Revert \"")
    );
}

#[test]
fn commit_msg_warns_by_default() {
    let repo = project("");
    let run = repo
        .try_git(&["commit", "--allow-empty", "-m", "did some stuff"])
        .ok()
        .says("warning:")
        .says("commits.conventional");
    assert!(!run.stderr.contains("error:"), "{run:?}");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]), "did some stuff");

    repo.write(
        "xtask.toml",
        &format!("{VERSION_JSON}[commits]\nconventional = \"off\"\n"),
    );
    let run = repo
        .try_git(&["commit", "--allow-empty", "-m", "more stuff"])
        .ok();
    assert!(!run.stderr.contains("commits.conventional"), "{run:?}");
}

#[test]
fn reference_transaction_judges_new_branch_and_tag_names() {
    let repo = project(
        "[branches]\nallowed = [\"main\", \"feature/*\", \"stable/{{ major }}.{{ minor }}\"]\n\
         [tag]\nallowed = [\"nightly-*\"]\n",
    );
    let refs = repo.git(&["for-each-ref"]);
    let run = refuses(&repo, &["checkout", "-b", "wip-stuff"])
        .says("branches.allowed")
        .says("`wip-stuff`")
        .says("feature/my-topic")
        // The patterns as a person reads them, not their templates.
        .says("`stable/X.Y`");
    assert!(!run.stderr.contains("{{"), "{run:?}");
    assert_eq!(repo.git(&["branch", "--show-current"]), "main");
    repo.git(&["checkout", "--quiet", "-b", "feature/json"]);
    repo.git(&["switch", "--quiet", "main"]);
    refuses(&repo, &["switch", "-c", "wip-switch"]).says("branches.allowed");

    refuses(&repo, &["branch", "stable/latest"]).says("`stable/latest`");
    repo.git(&["branch", "stable/0.1"]);

    refuses(&repo, &["tag", "release-1"])
        .says("tag.format")
        .says("`release-1`")
        .says("v1.2.0")
        .says("tag.allowed");
    refuses(&repo, &["tag", "-a", "release-2", "-m", "x"]).says("tag.format");
    repo.git(&["tag", "-a", "v0.1.0", "-m", "x"]);
    // A tag that `tag.allowed` names is not a release tag, and is accepted.
    repo.git(&["tag", "nightly-20260101"]);
    let now = repo.git(&["for-each-ref", "--format=%(refname)"]);
    assert_eq!(
        now,
        "refs/heads/feature/json\nrefs/heads/main\nrefs/heads/stable/0.1\nrefs/tags/nightly-20260101\nrefs/tags/v0.1.0"
    );
    assert!(refs.contains("refs/heads/main"));
}

#[test]
fn default_branch_rules_accept_every_commit_type_as_a_prefix() {
    let repo = project("");
    for name in [
        "ci/cache",
        "refactor/parser",
        "feature/json",
        "perf/walk",
        "gh-pages",
        "mergify/bp/stable/2.6/pr-17001",
    ] {
        repo.git(&["switch", "--quiet", "-c", name]);
        repo.git(&["switch", "--quiet", "main"]);
    }
    refuses(&repo, &["switch", "-c", "wip-thing"])
        .says("`wip-thing`")
        .says("`branches.allowed` in xtask.toml")
        .says("`ci/*`");
    // The prefixes follow the configured types.
    repo.write(
        "xtask.toml",
        &format!("{VERSION_JSON}[commits]\ntypes = [\"feat\", \"ops\"]\n"),
    );
    repo.commit("chore: our own types");
    repo.git(&["branch", "ops/rotate-keys"]);
    refuses(&repo, &["branch", "ci/other"]).says("branches.allowed");
}

#[test]
fn reference_transaction_lets_existing_refs_change_and_go() {
    let repo = Repo::new();
    repo.write("xtask.toml", VERSION_JSON);
    repo.commit("chore: initial import");
    repo.commit("chore: second");
    // Refs named before the rules existed.
    repo.git(&["branch", "wip-old"]);
    repo.git(&["tag", "nightly"]);
    repo.git(&["tag", "-a", "old-release", "-m", "x"]);
    repo.xtask(&["hooks", "install"]).ok();

    repo.git(&["branch", "-f", "wip-old", "HEAD~1"]);
    repo.git(&["checkout", "--quiet", "wip-old"]);
    repo.commit("fix: on an old branch");
    repo.git(&["reset", "--quiet", "--hard", "HEAD~1"]);
    repo.git(&["checkout", "--quiet", "main"]);
    repo.git(&["tag", "-f", "nightly", "HEAD~1"]);
    repo.git(&["tag", "-d", "nightly"]);
    repo.git(&["update-ref", "-d", "refs/tags/old-release"]);
    repo.git(&["branch", "-D", "wip-old"]);
    assert_eq!(
        repo.git(&["for-each-ref", "--format=%(refname)"]),
        "refs/heads/main"
    );
}

#[test]
fn fetching_refs_named_outside_the_rules_is_not_refused() {
    let upstream = Repo::new();
    upstream.commit("chore: upstream history");
    upstream.git(&["tag", "nightly"]);
    upstream.git(&["tag", "-a", "release-1", "-m", "x"]);
    upstream.git(&["branch", "wip-upstream"]);

    let repo = project("");
    let path = upstream.path().to_str().unwrap();
    repo.git(&["remote", "add", "upstream", path]);
    repo.git(&["fetch", "--quiet", "upstream"]);
    assert!(repo.git(&["tag", "--list"]).contains("nightly"));
    assert!(repo.git(&["tag", "--list"]).contains("release-1"));

    upstream.commit("chore: more upstream history");
    upstream.git(&["tag", "-a", "release-2", "-m", "x"]);
    repo.git(&["fetch", "--quiet", "--tags", "upstream"]);
    repo.git(&["remote", "update"]);
    assert!(repo.git(&["tag", "--list"]).contains("release-2"));

    // The branch exists upstream already: checking it out is not naming a branch.
    repo.git(&["checkout", "--quiet", "wip-upstream"]);
    repo.git(&[
        "pull",
        "--quiet",
        "--no-rebase",
        "--no-edit",
        "upstream",
        "wip-upstream",
    ]);
    repo.git(&["checkout", "--quiet", "main"]);

    // A name made up here still is.
    refuses(&repo, &["branch", "wip-mine", "upstream/wip-upstream"]).says("branches.allowed");
    refuses(&repo, &["tag", "release-3"]).says("tag.format");
}

#[test]
fn pre_push_refuses_bad_release_tags() {
    let repo = project("");
    let _bare = support::bare_remote(&repo);
    repo.git(&["push", "--quiet", "origin", "main"]);

    repo.git(&["tag", "v0.1.0"]);
    refuses(&repo, &["push", "origin", "v0.1.0"])
        .fails(1)
        .says("tag.annotated")
        .says("lightweight");
    repo.git(&["tag", "-d", "v0.1.0"]);

    repo.git(&["tag", "-a", "v0.9.0", "-m", "Release 0.9.0"]);
    refuses(&repo, &["push", "origin", "v0.9.0"])
        .fails(1)
        .says("tag.version")
        .says("say 0.1.0");
    assert!(!remote_refs(&repo).contains("refs/tags/"));

    repo.git(&["tag", "-a", "v0.1.0", "-m", "Release 0.1.0"]);
    repo.git(&["push", "--quiet", "origin", "v0.1.0"]);
    assert!(remote_refs(&repo).contains("refs/tags/v0.1.0"));

    refuses(&repo, &["push", "origin", ":refs/tags/v0.1.0"])
        .fails(1)
        .says("deleting the release tag v0.1.0");
    assert!(remote_refs(&repo).contains("refs/tags/v0.1.0"));
}

#[test]
fn pre_push_checks_that_a_release_branch_contains_the_tag() {
    let repo = project("");
    let _bare = support::bare_remote(&repo);
    repo.tag("v0.1.0");
    // Commits made after the release on a machine whose clock is ten days behind: walking back from main
    // by date stops before reaching the tag, and the exact check must still find it.
    repo.rewind_clock(10 * 24 * 60 * 60);
    repo.commit("fix: one");
    repo.commit("fix: two");
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.git(&["push", "--quiet", "origin", "v0.1.0"]);
    assert!(remote_refs(&repo).contains("refs/tags/v0.1.0"));

    // A release made on a feature branch that no release branch contains.
    repo.git(&["switch", "--quiet", "-c", "feature/early"]);
    repo.write("VERSION.json", "{\n  \"version\": \"0.2.0\"\n}\n");
    repo.commit("feat: early");
    repo.tag("v0.2.0");
    let run = refuses(&repo, &["push", "origin", "v0.2.0"])
        .fails(1)
        .says("release.branches")
        .says("the tag v0.2.0 is on")
        // The patterns for this release, as a person reads them, not their templates.
        .says("stable/0.2");
    assert!(!run.stderr.contains("{{"), "{run:?}");
    assert!(!remote_refs(&repo).contains("refs/tags/v0.2.0"));
    // Once main contains it, the same tag goes through.
    repo.git(&["switch", "--quiet", "main"]);
    repo.git(&["merge", "--quiet", "--ff-only", "feature/early"]);
    repo.git(&["push", "--quiet", "origin", "main", "v0.2.0"]);
    assert!(remote_refs(&repo).contains("refs/tags/v0.2.0"));
}

/// A client with hooks (bypassed with --no-verify) and a server whose pre-receive hook and stored policy
/// were installed from `config` (after the version file) on its default branch.
fn server_with(config: &str) -> (Repo, TempDir) {
    let repo = Repo::new();
    repo.write("xtask.toml", &format!("{VERSION_JSON}{config}"));
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    repo.xtask(&["hooks", "install"]).ok();
    let bare = support::bare_remote(&repo);
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.xtask(&["hooks", "install", "--server", bare_path(&bare)])
        .ok()
        .says("pre-receive: installed")
        .says("policy: stored, from xtask.toml on main at");
    (repo, bare)
}

fn server() -> (Repo, TempDir) {
    server_with("")
}

fn bare_path(bare: &TempDir) -> &str {
    bare.path().to_str().unwrap()
}

/// Every ref of the bare repository, read there rather than through the remote.
fn bare_refs(repo: &Repo, bare: &TempDir) -> String {
    git_in(
        repo,
        bare.path(),
        &["for-each-ref", "--format=%(refname) %(objectname)"],
    )
    .ok()
    .stdout
}

#[test]
fn pre_receive_refuses_what_the_client_did_not_check() {
    let (repo, bare) = server();
    let status = repo.xtask(&["hooks", "status", "--server", bare.path().to_str().unwrap()]);
    assert!(status_line(&status.ok(), "pre-receive").contains("ours, current"));

    refuses(
        &repo,
        &["push", "--no-verify", "origin", "HEAD:refs/heads/wip-stuff"],
    )
    .fails(1)
    .says("pre-receive hook declined")
    .says("branches.allowed");

    repo.git(&["tag", "-a", "v0.9.0", "-m", "Release 0.9.0"]);
    refuses(&repo, &["push", "--no-verify", "origin", "v0.9.0"])
        .fails(1)
        .says("tag.version");
    repo.git(&["tag", "v0.2.0"]);
    refuses(&repo, &["push", "--no-verify", "origin", "v0.2.0"])
        .fails(1)
        .says("tag.annotated");

    repo.git(&["tag", "-a", "v0.1.0", "-m", "Release 0.1.0"]);
    repo.git(&["push", "--quiet", "--no-verify", "origin", "v0.1.0"]);
    refuses(
        &repo,
        &["push", "--no-verify", "origin", ":refs/tags/v0.1.0"],
    )
    .fails(1)
    .says("deleting the release tag v0.1.0");

    repo.commit("feat: published");
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.git(&[
        "commit",
        "--quiet",
        "--amend",
        "--allow-empty",
        "-m",
        "feat: rewritten",
    ]);
    refuses(&repo, &["push", "--no-verify", "--force", "origin", "main"])
        .fails(1)
        .says("force-pushing the release branch main");

    let refs = remote_refs(&repo);
    assert!(!refs.contains("wip-stuff") && !refs.contains("v0.9.0") && !refs.contains("v0.2.0"));
    assert!(refs.contains("refs/tags/v0.1.0"));
    let main = repo.git(&["ls-remote", "origin", "refs/heads/main"]);
    assert!(
        main.starts_with(&repo.git(&["rev-parse", "HEAD@{1}"])),
        "{main}"
    );
}

#[test]
fn pre_receive_judges_with_the_stored_policy_never_with_a_pushed_xtask_toml() {
    let (repo, bare) = server_with(DENY);
    let server = bare_path(&bare);
    // Anyone allowed to push to main loosens the rules there; the push itself follows the stored ones.
    repo.write(
        "xtask.toml",
        &format!(
            "{VERSION_JSON}[commits]\nconventional = \"off\"\n[branches]\nallowed = [\"**\"]\n"
        ),
    );
    repo.commit("chore: loosen the rules");
    repo.git(&["push", "--quiet", "origin", "main"]);

    // The next pushes are still judged by the stored policy.
    let before = bare_refs(&repo, &bare);
    repo.try_git(&[
        "push",
        "--no-verify",
        "origin",
        "HEAD:refs/heads/bad_branch",
    ])
    .fails(1)
    .says("branches.allowed")
    .says("`bad_branch`");
    repo.git(&[
        "commit",
        "--quiet",
        "--no-verify",
        "--allow-empty",
        "-m",
        "wip",
    ]);
    repo.try_git(&["push", "--no-verify", "origin", "main"])
        .fails(1)
        .says("commits.conventional")
        .says("subject line `wip`");
    assert_eq!(bare_refs(&repo, &bare), before);

    // The administrator sees the difference, and adopts the new rules on purpose.
    let status = repo.xtask(&["hooks", "status", "--server", server]).ok();
    let line = status_line(&status, "default");
    assert!(
        line.contains("differs from the stored policy") && line.contains("--update"),
        "{line}"
    );
    assert!(status_line(&status, "policy").contains("xtask.toml on main at"));
    repo.xtask(&["hooks", "install", "--server", server])
        .ok()
        .says("policy: kept")
        .says("differs from the stored policy");
    repo.xtask(&["hooks", "install", "--server", server, "--update"])
        .ok()
        .says("-conventional = \"deny\"")
        .says("+conventional = \"off\"")
        .says("policy: updated");
    let status = repo.xtask(&["hooks", "status", "--server", server]).ok();
    assert!(status_line(&status, "default").contains("is the stored policy"));
    repo.git(&[
        "push",
        "--quiet",
        "--no-verify",
        "origin",
        "main",
        "HEAD:refs/heads/bad_branch",
    ]);

    // An xtask.toml that no clone could use stays off the default branch.
    let before = bare_refs(&repo, &bare);
    repo.write("xtask.toml", "[branches]\nallowed = [\"feature/***\"]\n");
    repo.commit("chore: break the rules");
    refuses(&repo, &["push", "--no-verify", "origin", "main"])
        .fails(1)
        .says("the xtask.toml pushed to main is invalid");
    assert_eq!(bare_refs(&repo, &bare), before);
}

#[test]
fn pre_receive_checks_the_messages_of_the_commits_a_push_brings() {
    // A commit the server already has was judged when it came; only new commits are judged.
    let (repo, bare) = server();
    let server = bare_path(&bare);
    repo.git(&["commit", "--quiet", "--allow-empty", "-m", "old habits"]);
    repo.git(&["push", "--quiet", "origin", "main"]);
    let policy = repo.home.path().join("policy.toml");
    std::fs::write(&policy, format!("{VERSION_JSON}{DENY}")).unwrap();
    repo.xtask(&[
        "hooks",
        "install",
        "--server",
        server,
        "--config",
        policy.to_str().unwrap(),
    ])
    .fails(1)
    .says("a different policy is already stored")
    .says("--update");
    repo.xtask(&[
        "hooks",
        "install",
        "--server",
        server,
        "--config",
        policy.to_str().unwrap(),
        "--update",
    ])
    .ok()
    .says("+[commits]")
    .says("policy: updated");
    let status = repo.xtask(&["hooks", "status", "--server", server]).ok();
    assert!(
        status_line(&status, "policy").contains("the file "),
        "{status:?}"
    );
    repo.git(&[
        "push",
        "--quiet",
        "--no-verify",
        "origin",
        "HEAD:refs/heads/feature/old",
    ]);

    let before = bare_refs(&repo, &bare);
    repo.git(&[
        "commit",
        "--quiet",
        "--no-verify",
        "--allow-empty",
        "-m",
        "feat: fine",
    ]);
    repo.git(&[
        "commit",
        "--quiet",
        "--no-verify",
        "--allow-empty",
        "-m",
        "wip",
    ]);
    let wip = repo.git(&["rev-parse", "--short=7", "HEAD"]);
    repo.try_git(&["push", "--no-verify", "origin", "main"])
        .fails(1)
        .says("pre-receive hook declined")
        .says(&format!(
            "commits.conventional: commit {wip}: subject line `wip`"
        ))
        .says("e.g. `feat(cli): add --json`");
    // The same commits on a new branch: refused all the same.
    repo.try_git(&[
        "push",
        "--no-verify",
        "origin",
        "HEAD:refs/heads/feature/new",
    ])
    .fails(1)
    .says(&format!("commit {wip}"));
    assert_eq!(bare_refs(&repo, &bare), before);

    // A ref the rules do not judge does not carry a commit past them onto a branch.
    repo.git(&[
        "push",
        "--quiet",
        "--no-verify",
        "origin",
        "HEAD:refs/parked/wip",
    ]);
    let before = bare_refs(&repo, &bare);
    repo.try_git(&["push", "--no-verify", "origin", "main"])
        .fails(1)
        .says(&format!("commit {wip}"));
    assert_eq!(bare_refs(&repo, &bare), before);

    repo.git(&[
        "commit",
        "--quiet",
        "--amend",
        "--no-verify",
        "--allow-empty",
        "-m",
        "fix: x",
    ]);
    repo.git(&["push", "--quiet", "--no-verify", "origin", "main"]);

    // A merge commit passes whatever its message, and so do git's own messages.
    repo.git(&["switch", "--quiet", "-c", "feature/side"]);
    repo.git(&["commit", "--quiet", "--allow-empty", "-m", "feat: side"]);
    repo.git(&["switch", "--quiet", "main"]);
    repo.write("notes.txt", "a change to revert\n");
    repo.commit("fix: main");
    repo.git(&[
        "merge",
        "--quiet",
        "--no-ff",
        "--no-verify",
        "-m",
        "merged the side work",
        "feature/side",
    ]);
    repo.git(&["revert", "--no-edit", "HEAD~1"]);
    repo.git(&["push", "--quiet", "--no-verify", "origin", "main"]);
    assert_eq!(
        git_in(&repo, bare.path(), &["rev-parse", "main"])
            .ok()
            .stdout,
        repo.git(&["rev-parse", "HEAD"]) + "\n"
    );
}

#[test]
fn install_refuses_a_head_naming_a_missing_branch_and_a_policy_file_works_there() {
    let repo = Repo::new();
    repo.write("xtask.toml", &format!("{VERSION_JSON}{DENY}"));
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    let bare = support::bare_remote(&repo);
    let server = bare_path(&bare);
    repo.git(&["push", "--quiet", "origin", "main"]);
    git_in(
        &repo,
        bare.path(),
        &["symbolic-ref", "HEAD", "refs/heads/master"],
    )
    .ok();
    let pristine = snapshot(bare.path());

    repo.xtask(&["hooks", "install", "--server", server])
        .fails(1)
        .says("HEAD names the branch master, which does not exist")
        .says("(its branches: main)")
        .says("symbolic-ref HEAD refs/heads/main")
        .says("--config FILE");
    assert_eq!(
        snapshot(bare.path()),
        pristine,
        "a failed install changes nothing"
    );
    repo.xtask(&["hooks", "status", "--server", server])
        .fails(1)
        .says("pre-receive            missing")
        .says("HEAD names the branch master");

    let policy = repo.home.path().join("policy.toml");
    std::fs::write(&policy, "[commits]\nconventional = \"always\"\n").unwrap();
    repo.xtask(&[
        "hooks",
        "install",
        "--server",
        server,
        "--config",
        policy.to_str().unwrap(),
    ])
    .fails(1)
    .says("cannot be the server's policy")
    .says("commits.conventional must be");
    assert_eq!(
        snapshot(bare.path()),
        pristine,
        "a failed install changes nothing"
    );

    std::fs::write(&policy, format!("{VERSION_JSON}{DENY}")).unwrap();
    repo.xtask(&[
        "hooks",
        "install",
        "--server",
        server,
        "--config",
        policy.to_str().unwrap(),
    ])
    .ok()
    .says("policy: stored, from the file ");
    let before = bare_refs(&repo, &bare);
    repo.git(&[
        "commit",
        "--quiet",
        "--no-verify",
        "--allow-empty",
        "-m",
        "wip",
    ]);
    repo.try_git(&["push", "--no-verify", "origin", "main"])
        .fails(1)
        .says("commits.conventional");
    assert_eq!(bare_refs(&repo, &bare), before);

    // Installing again from the same file changes nothing.
    let installed = snapshot(bare.path());
    repo.xtask(&[
        "hooks",
        "install",
        "--server",
        server,
        "--config",
        policy.to_str().unwrap(),
    ])
    .ok()
    .says("policy: already stored");
    assert_eq!(snapshot(bare.path()), installed);
}

#[test]
fn an_empty_bare_repository_takes_its_policy_from_a_file_or_after_the_first_push() {
    let repo = Repo::new();
    repo.write("xtask.toml", &format!("{VERSION_JSON}{DENY}"));
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    let bare = support::bare_remote(&repo);
    let server = bare_path(&bare);
    let pristine = snapshot(bare.path());
    repo.xtask(&["hooks", "install", "--server", server])
        .fails(1)
        .says("has no branches yet (HEAD names main)")
        .says("Push the default branch first")
        .says("--config FILE");
    assert_eq!(snapshot(bare.path()), pristine);

    let policy = repo.home.path().join("policy.toml");
    std::fs::write(&policy, format!("{VERSION_JSON}{DENY}")).unwrap();
    repo.xtask(&[
        "hooks",
        "install",
        "--server",
        server,
        "--config",
        policy.to_str().unwrap(),
    ])
    .ok();
    let status = repo.xtask(&["hooks", "status", "--server", server]).ok();
    assert!(status_line(&status, "default").contains("main: no commits yet"));
    // The first push is judged too, every commit of it.
    repo.git(&[
        "commit",
        "--quiet",
        "--no-verify",
        "--allow-empty",
        "-m",
        "wip",
    ]);
    repo.try_git(&["push", "--no-verify", "origin", "main"])
        .fails(1)
        .says("subject line `wip`");
    assert_eq!(bare_refs(&repo, &bare), "");
    repo.git(&["reset", "--quiet", "--soft", "HEAD~1"]);
    repo.git(&["push", "--quiet", "--no-verify", "origin", "main"]);
    let status = repo.xtask(&["hooks", "status", "--server", server]).ok();
    assert!(status_line(&status, "default").contains("is the stored policy"));
}

#[test]
fn pre_receive_fails_closed_without_its_binary_or_a_usable_policy() {
    let (repo, bare) = server();
    let server = bare_path(&bare);
    let before = bare_refs(&repo, &bare);
    repo.git(&["commit", "--quiet", "--allow-empty", "-m", "feat: fine"]);
    let refused = |needle: &str| {
        repo.try_git(&["push", "--no-verify", "origin", "main"])
            .fails(1)
            .says("pre-receive hook declined")
            .says(needle);
        assert_eq!(bare_refs(&repo, &bare), before);
    };

    let binary = bare.path().join("xtask/bin/xtask");
    std::fs::remove_file(&binary).unwrap();
    refused("the kit's binary is missing");
    let status = repo.xtask(&["hooks", "status", "--server", server]).ok();
    assert!(status_line(&status, "pre-receive").contains("the binary is missing"));
    repo.xtask(&["hooks", "install", "--server", server]).ok();

    let policy = bare.path().join("xtask/policy.toml");
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, format!("{text}[branches]\nallowed = [\"**\"]\n")).unwrap();
    refused("does not match the hash recorded when it was stored");
    std::fs::remove_file(&policy).unwrap();
    refused("policy.toml is missing beside");
    std::fs::remove_file(bare.path().join("xtask/policy-source.json")).unwrap();
    refused("the server's policy is missing");
    let status = repo.xtask(&["hooks", "status", "--server", server]).ok();
    assert!(status_line(&status, "policy").contains("missing: pre-receive refuses every push"));

    repo.xtask(&["hooks", "install", "--server", server])
        .ok()
        .says("policy: stored");
    repo.git(&["push", "--quiet", "--no-verify", "origin", "main"]);
}

#[test]
fn pre_receive_refuses_moving_a_release_tag() {
    let (repo, bare) = server();
    repo.tag("v0.1.0");
    repo.git(&["push", "--quiet", "--no-verify", "origin", "main", "v0.1.0"]);
    let before = bare_refs(&repo, &bare);
    repo.git(&["commit", "--quiet", "--allow-empty", "-m", "fix: later"]);
    repo.git(&[
        "tag",
        "--force",
        "--annotate",
        "v0.1.0",
        "-m",
        "Release 0.1.0 again",
    ]);
    repo.try_git(&["push", "--no-verify", "--force", "origin", "v0.1.0"])
        .fails(1)
        .says("tag.format")
        .says("moving the release tag v0.1.0 is not allowed");
    assert_eq!(bare_refs(&repo, &bare), before);
}

#[test]
fn pre_receive_checks_who_made_a_release_tag() {
    let (repo, bare) = server_with("[release]\nmaintainers = [\"boss@example.com\"]\n");
    let before = bare_refs(&repo, &bare);
    repo.tag("v0.1.0");
    repo.try_git(&["push", "--no-verify", "origin", "v0.1.0"])
        .fails(1)
        .says("release.maintainers")
        .says("made by test@example.com, who is not one of release.maintainers")
        .says("boss@example.com");
    assert_eq!(bare_refs(&repo, &bare), before);
    repo.git(&["tag", "--delete", "v0.1.0"]);
    // The test environment fixes the identity through GIT_COMMITTER_*, which outranks `-c user.email`.
    let tagged = repo
        .command(
            "git",
            &["tag", "--annotate", "v0.1.0", "-m", "Release 0.1.0"],
        )
        .env("GIT_COMMITTER_EMAIL", "boss@example.com")
        .output()
        .unwrap();
    assert!(tagged.status.success(), "{tagged:?}");
    repo.git(&["push", "--quiet", "--no-verify", "origin", "v0.1.0"]);
    assert!(bare_refs(&repo, &bare).contains("refs/tags/v0.1.0"));
}

#[test]
fn uninstall_server_removes_the_hook_its_binary_and_its_policy() {
    let repo = Repo::new();
    repo.write("xtask.toml", VERSION_JSON);
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    let bare = support::bare_remote(&repo);
    let server = bare_path(&bare);
    repo.git(&["push", "--quiet", "origin", "main"]);
    let hooks = bare.path().join("hooks");
    write_hook(
        &hooks.join("pre-receive"),
        "#!/bin/sh\ncat >> foreign.log\n",
    );
    let pristine = snapshot(&hooks);

    repo.xtask(&["hooks", "install", "--server", server])
        .ok()
        .says("the existing hook is kept and runs first");
    repo.try_git(&["push", "--no-verify", "origin", "HEAD:refs/heads/wip-stuff"])
        .fails(1)
        .says("branches.allowed");
    assert!(
        std::fs::read_to_string(bare.path().join("foreign.log"))
            .unwrap()
            .contains("refs/heads/wip-stuff")
    );

    repo.xtask(&["hooks", "uninstall", "--server", server])
        .ok()
        .says("pre-receive: removed; the previous hook is restored")
        .says("policy: removed");
    assert_eq!(snapshot(&hooks), pristine);
    assert!(!bare.path().join("xtask").exists());
    let status = repo.xtask(&["hooks", "status", "--server", server]).ok();
    assert!(status_line(&status, "pre-receive").contains("foreign"));
    assert!(status_line(&status, "policy").contains("missing"));
    repo.git(&[
        "push",
        "--quiet",
        "--no-verify",
        "origin",
        "HEAD:refs/heads/wip-stuff",
    ]);
}

#[test]
fn a_foreign_hook_is_chained_reported_and_restored() {
    let repo = Repo::new();
    repo.write("xtask.toml", DENY);
    repo.commit("chore: initial import");
    let hooks = hooks_dir(&repo);
    let foreign = "#!/bin/sh\n# another tool's hook\necho \"foreign saw $(head -n1 \"$1\")\" >> .git/foreign.log\n";
    write_hook(&hooks.join("commit-msg"), foreign);
    let pristine = snapshot(&hooks);

    repo.xtask(&["hooks", "install"])
        .ok()
        .says("the existing hook is kept and runs first");
    let installed = snapshot(&hooks);
    assert_eq!(
        installed["commit-msg.xtask-chained"], pristine["commit-msg"],
        "the foreign hook is kept as it was"
    );
    let binary = snapshot(&git_dir(&repo).join("xtask"));
    repo.xtask(&["hooks", "install"])
        .ok()
        .says("already installed");
    assert_eq!(
        snapshot(&hooks),
        installed,
        "a second install changes nothing"
    );
    assert_eq!(snapshot(&git_dir(&repo).join("xtask")), binary);

    let status = repo.xtask(&["hooks", "status"]).ok();
    let line = status_line(&status, "commit-msg");
    assert!(
        line.contains("ours, current") && line.contains("chains"),
        "{line}"
    );
    assert!(status_line(&status, "pre-push").contains("ours, current"));

    // Both run, the foreign one first; ours still refuses.
    repo.git(&["commit", "--allow-empty", "-m", "feat: chained"]);
    refuses(&repo, &["commit", "--allow-empty", "-m", "did some stuff"])
        .fails(1)
        .says("commits.conventional");
    assert_eq!(
        repo.read(".git/foreign.log"),
        "foreign saw feat: chained\nforeign saw did some stuff\n"
    );

    // The foreign hook's refusal stands.
    let refusing = "#!/bin/sh\necho 'foreign says no' >&2\nexit 3\n";
    write_hook(&hooks.join("commit-msg.xtask-chained"), refusing);
    refuses(
        &repo,
        &["commit", "--allow-empty", "-m", "feat: fine by us"],
    )
    .fails(1)
    .says("foreign says no");
    write_hook(&hooks.join("commit-msg.xtask-chained"), foreign);

    // Stale, missing and foreign hooks are reported as such.
    // The shim chaining a foreign hook stays a shim; the others are the binary itself.
    assert!(
        std::fs::read_to_string(hooks.join("commit-msg"))
            .unwrap()
            .starts_with("#!/bin/sh")
    );
    let mut edited = std::fs::read(hooks.join("reference-transaction")).unwrap();
    edited.extend_from_slice(b"# edited\n");
    std::fs::write(hooks.join("reference-transaction"), edited).unwrap();
    std::fs::remove_file(hooks.join("pre-push")).unwrap();
    let status = repo.xtask(&["hooks", "status"]).ok();
    assert!(status_line(&status, "reference-transaction").contains("stale"));
    assert!(status_line(&status, "pre-push").contains("missing"));

    repo.xtask(&["hooks", "uninstall"])
        .ok()
        .says("the previous hook is restored");
    assert_eq!(
        snapshot(&hooks),
        pristine,
        "uninstall restores the hooks byte for byte"
    );
    assert!(!git_dir(&repo).join("xtask").exists());
    let status = repo.xtask(&["hooks", "status"]).ok();
    assert!(status_line(&status, "commit-msg").contains("foreign"));
    assert!(status_line(&status, "reference-transaction").contains("missing"));
}

#[test]
fn install_force_replaces_a_foreign_hook_and_uninstall_restores_it() {
    let repo = Repo::new();
    repo.write("xtask.toml", DENY);
    repo.commit("chore: initial import");
    let hooks = hooks_dir(&repo);
    write_hook(
        &hooks.join("commit-msg"),
        "#!/bin/sh\necho ran >> .git/foreign.log\n",
    );
    let pristine = snapshot(&hooks);

    repo.xtask(&["hooks", "install", "--force"])
        .ok()
        .says("replaced");
    repo.git(&["commit", "--allow-empty", "-m", "feat: replaced"]);
    assert!(
        !repo.path().join(".git/foreign.log").exists(),
        "the replaced hook does not run"
    );
    refuses(&repo, &["commit", "--allow-empty", "-m", "did some stuff"]).fails(1);
    let status = repo.xtask(&["hooks", "status"]).ok();
    assert!(!status_line(&status, "commit-msg").contains("chains"));

    repo.xtask(&["hooks", "uninstall"]).ok();
    assert_eq!(snapshot(&hooks), pristine);
}

#[test]
fn core_hooks_path_set_by_another_tool_is_where_hooks_go() {
    let repo = Repo::new();
    repo.write("xtask.toml", DENY);
    repo.write("sub/file", "x\n");
    repo.commit("chore: initial import");
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    let default_hooks = snapshot(&repo.path().join(".git/hooks"));

    // From a subdirectory, as a user might: the relative path is the work tree's.
    let mut install = repo.command(support::xtask_bin(), &["hooks", "install"]);
    install.current_dir(repo.path().join("sub"));
    support::run(install).ok();
    assert_eq!(repo.git(&["config", "core.hooksPath"]), ".githooks");
    // In the work tree, the hooks are small `sh` shims: a copy of the binary does not belong there.
    for name in ["commit-msg", "reference-transaction", "pre-push"] {
        let hook = std::fs::read_to_string(repo.path().join(".githooks").join(name)).unwrap();
        assert!(hook.starts_with("#!/bin/sh"), "{name}: {hook}");
    }
    assert_eq!(snapshot(&repo.path().join(".git/hooks")), default_hooks);
    refuses(&repo, &["commit", "--allow-empty", "-m", "did some stuff"])
        .fails(1)
        .says("commits.conventional");
    refuses(&repo, &["branch", "wip-stuff"]).says("branches.allowed");
    let status = repo.xtask(&["hooks", "status"]).ok();
    assert!(status_line(&status, "commit-msg").contains("ours, current"));

    // A broken install (the binary removed) warns through the shim and does not block work.
    let installed = git_dir(&repo).join("xtask/bin");
    std::fs::remove_dir_all(&installed).unwrap();
    let run = repo
        .try_git(&["commit", "--allow-empty", "-m", "did more stuff"])
        .ok()
        .says("the kit's binary is missing");
    // Once per ref update, although git runs the hook for each state of the transaction.
    assert_eq!(
        run.stderr
            .matches("hook reference-transaction skipped")
            .count(),
        1,
        "{run:?}"
    );
    repo.xtask(&["hooks", "status"])
        .ok()
        .says("binary is missing");

    repo.xtask(&["hooks", "uninstall"]).ok();
    assert_eq!(repo.git(&["config", "core.hooksPath"]), ".githooks");
    assert!(!repo.path().join(".githooks/commit-msg").exists());
}

#[test]
fn linked_worktrees_use_the_same_hooks() {
    let repo = Repo::new();
    repo.write("xtask.toml", DENY);
    repo.commit("chore: initial import");
    let trees = TempDir::new().unwrap();
    let wt = trees.path().join("wt");
    repo.git(&[
        "worktree",
        "add",
        "--quiet",
        "-b",
        "feature/wt",
        wt.to_str().unwrap(),
    ]);

    // Installed from the linked worktree, into the hooks every worktree shares.
    let mut install = repo.command(support::xtask_bin(), &["hooks", "install"]);
    install.current_dir(&wt);
    support::run(install).ok();
    assert!(repo.path().join(".git/hooks/commit-msg").is_file());
    assert!(repo.path().join(".git/xtask/bin/xtask").is_file());

    refuses_in(
        &repo,
        &wt,
        &["commit", "--allow-empty", "-m", "did some stuff"],
    )
    .fails(1)
    .says("commits.conventional");
    git_in(
        &repo,
        &wt,
        &["commit", "--allow-empty", "-m", "feat: in a worktree"],
    )
    .ok();
    refuses_in(&repo, &wt, &["checkout", "-b", "wip-in-wt"]).says("branches.allowed");
    refuses(&repo, &["commit", "--allow-empty", "-m", "did some stuff"])
        .fails(1)
        .says("commits.conventional");
    let bad = trees.path().join("bad");
    refuses(
        &repo,
        &["worktree", "add", "-b", "wip-wt", bad.to_str().unwrap()],
    )
    .says("branches.allowed");
    assert!(
        repo.try_git(&["rev-parse", "--verify", "--quiet", "wip-wt"])
            .code
            != 0
    );
    let status = repo.xtask(&["hooks", "status"]).ok();
    assert!(status_line(&status, "commit-msg").contains("ours, current"));
}

#[test]
fn hostile_names_and_messages_are_data_not_code() {
    let repo = Repo::new();
    // The repository's own path ends up in the shims: quote it too.
    let nested = repo.path().join("it's \"$(touch pwned)\" `touch pwned` ü");
    std::fs::create_dir_all(&nested).unwrap();
    let git = |args: &[&str]| git_in(&repo, &nested, args);
    git(&["init", "--quiet", "--initial-branch=main"]).ok();
    git(&["config", "user.name", "Test User"]).ok();
    git(&["config", "user.email", "test@example.com"]).ok();
    std::fs::write(nested.join("xtask.toml"), DENY).unwrap();
    git(&["add", "xtask.toml"]).ok();
    let mut install = repo.command(support::xtask_bin(), &["hooks", "install"]);
    install.current_dir(&nested);
    support::run(install).ok();

    git(&[
        "commit",
        "-m",
        "feat: $(touch pwned) `touch pwned` \"'; touch pwned",
    ])
    .ok();
    refuses_in(
        &repo,
        &nested,
        &[
            "commit",
            "--allow-empty",
            "-m",
            "$(touch pwned) `touch pwned`",
        ],
    )
    .fails(1)
    .says("`$(touch pwned) `touch pwned``");
    refuses_in(
        &repo,
        &nested,
        &["commit", "--allow-empty", "-m", "feat\u{202e}: ü"],
    )
    .fails(1)
    .says("\\u{202e}");

    let allowed = "feature/it's-\"$(touch${IFS}pwned)\"-`touch${IFS}pwned`;-ü";
    git(&["checkout", "--quiet", "-b", allowed]).ok();
    assert_eq!(
        git(&["branch", "--show-current"]).ok().stdout.trim_end(),
        allowed
    );
    let refused = "wip-'\"$(touch${IFS}pwned)`touch${IFS}pwned`\u{202e}-ü";
    refuses_in(&repo, &nested, &["branch", refused])
        .says("branches.allowed")
        .says("wip-'\"$(touch${IFS}pwned)`touch${IFS}pwned`\\u{202e}-ü");
    refuses_in(&repo, &nested, &["tag", "$(touch${IFS}pwned)"]).says("tag.format");

    for dir in [
        repo.path(),
        nested.as_path(),
        &nested.join(".git"),
        &nested.join(".git/hooks"),
    ] {
        assert!(!dir.join("pwned").exists(), "something ran in {dir:?}");
    }
    assert!(!repo.home.path().join("pwned").exists());
}

#[test]
fn chained_hooks_reading_standard_input_and_ours_both_see_all_of_it() {
    let repo = Repo::new();
    repo.write("xtask.toml", VERSION_JSON);
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    let _bare = support::bare_remote(&repo);
    let hooks = hooks_dir(&repo);
    for name in ["pre-push", "reference-transaction"] {
        write_hook(
            &hooks.join(name),
            &format!("#!/bin/sh\necho \"$1\" >> .git/{name}.log\ncat >> .git/{name}.log\n"),
        );
    }
    repo.xtask(&["hooks", "install"]).ok();

    refuses(&repo, &["tag", "release-1"]).says("tag.format");
    assert!(
        repo.read(".git/reference-transaction.log")
            .contains("refs/tags/release-1")
    );
    repo.git(&["tag", "v0.1.0"]);
    refuses(&repo, &["push", "origin", "main", "v0.1.0"])
        .fails(1)
        .says("tag.annotated");
    let log = repo.read(".git/pre-push.log");
    assert!(log.starts_with("origin\n"), "{log}");
    assert!(
        log.contains("refs/heads/main") && log.contains("refs/tags/v0.1.0"),
        "{log}"
    );
    repo.git(&["push", "--quiet", "origin", "main"]);
}

/// Each client hook is a file of its own: rewriting one in place (as a tool or `>` does), or `chmod -x` on
/// one, leaves the others and the installed binary alone; install repairs the one that changed; a hook
/// chained after the install turns that hook into a shim without touching anything else.
#[test]
fn each_binary_hook_is_a_file_of_its_own() {
    use std::os::unix::fs::PermissionsExt;
    let repo = project(DENY);
    let hooks = hooks_dir(&repo);
    let installed = git_dir(&repo).join("xtask/bin/xtask");
    let binary = std::fs::read(&installed).unwrap();
    let pre_push_hook = std::fs::read(hooks.join("pre-push")).unwrap();
    let ref_tx_hook = std::fs::read(hooks.join("reference-transaction")).unwrap();
    // Written in place, through whatever the file shares.
    std::fs::write(hooks.join("commit-msg"), "#!/bin/sh\necho mine\n").unwrap();
    assert_eq!(std::fs::read(&installed).unwrap(), binary);
    assert_eq!(
        std::fs::read(hooks.join("pre-push")).unwrap(),
        pre_push_hook
    );
    refuses(&repo, &["checkout", "-b", "wip-stuff"]).says("branches.allowed");
    // Not executable: reported, and repaired by install.
    let pre_push = hooks.join("pre-push");
    std::fs::set_permissions(&pre_push, std::fs::Permissions::from_mode(0o644)).unwrap();
    let status = repo.xtask(&["hooks", "status"]).ok();
    assert!(
        status_line(&status, "pre-push").contains("not executable"),
        "{status:?}"
    );
    assert!(status_line(&status, "reference-transaction").contains("ours, current"));
    repo.xtask(&["hooks", "install"])
        .ok()
        .says("pre-push: updated")
        .says("reference-transaction: already installed");
    assert_eq!(
        std::fs::metadata(&pre_push).unwrap().permissions().mode() & 0o111,
        0o111
    );
    // The foreign commit-msg was chained; a chained hook appearing later turns pre-push into a shim.
    std::fs::write(hooks.join("pre-push.xtask-chained"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(
        hooks.join("pre-push.xtask-chained"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    repo.xtask(&["hooks", "install"])
        .ok()
        .says("pre-push: updated");
    assert!(
        std::fs::read_to_string(&pre_push)
            .unwrap()
            .starts_with("#!/bin/sh")
    );
    assert_eq!(std::fs::read(&installed).unwrap(), binary);
    assert_eq!(
        std::fs::read(hooks.join("reference-transaction")).unwrap(),
        ref_tx_hook
    );
    refuses(&repo, &["checkout", "-b", "wip-more"]).says("branches.allowed");
    let leftovers: Vec<String> = std::fs::read_dir(&hooks)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("xtask-new"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Hooks set aside are never lost: a second --force refuses while one is kept aside, uninstall restores the
/// most recent and names the older one, and a foreign hook that is a dangling symbolic link is set aside
/// and restored like any other.
#[test]
fn hooks_set_aside_are_never_overwritten() {
    let repo = Repo::new();
    repo.write("xtask.toml", DENY);
    repo.commit("chore: initial import");
    let hooks = hooks_dir(&repo);
    std::fs::create_dir_all(&hooks).unwrap();
    write_hook(&hooks.join("commit-msg"), "#!/bin/sh\n# first\nexit 0\n");
    std::os::unix::fs::symlink("/nowhere/hook", hooks.join("pre-push")).unwrap();
    repo.xtask(&["hooks", "install", "--force"]).ok();
    assert!(
        hooks
            .join("pre-push.xtask-replaced")
            .symlink_metadata()
            .is_ok()
    );
    // Another foreign hook over ours, then --force again: refused, nothing changed.
    write_hook(&hooks.join("commit-msg"), "#!/bin/sh\n# second\nexit 0\n");
    let before = snapshot(&hooks);
    repo.xtask(&["hooks", "install", "--force"])
        .fails(1)
        .says("commit-msg.xtask-replaced exists already");
    assert_eq!(snapshot(&hooks), before);
    // Without --force it is chained; uninstall restores it and keeps the first one aside.
    repo.xtask(&["hooks", "install"]).ok();
    // A file an interrupted install left behind goes with the uninstall.
    write_hook(&hooks.join("pre-push.xtask-new-4242"), "half a hook");
    repo.xtask(&["hooks", "uninstall"])
        .ok()
        .says("an older hook stays at");
    assert!(!hooks.join("pre-push.xtask-new-4242").exists());
    assert!(repo.read(".git/hooks/commit-msg").contains("# second"));
    assert!(
        repo.read(".git/hooks/commit-msg.xtask-replaced")
            .contains("# first")
    );
    assert_eq!(
        std::fs::read_link(hooks.join("pre-push")).unwrap(),
        std::path::Path::new("/nowhere/hook")
    );
}

/// A repository with SHA-256 object ids, which the kit does not read: commands say so (not "no repository"),
/// and no hooks are installed that would refuse every commit.
#[test]
fn a_sha256_repository_is_named_as_such_and_gets_no_hooks() {
    let repo = Repo::new();
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    repo.git(&[
        "init",
        "--quiet",
        "--object-format=sha256",
        "--initial-branch=main",
    ]);
    repo.git(&["commit", "--quiet", "--allow-empty", "-m", "feat: first"]);
    repo.xtask(&["version"])
        .fails(1)
        .says("uses sha256 object ids");
    repo.xtask(&["hooks", "install"])
        .fails(1)
        .says("no hooks were installed");
    assert!(!hooks_dir(&repo).join("commit-msg").exists());
}
