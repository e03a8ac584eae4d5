//! The failure-injection matrix: every step of `release` (the release write, the release commit, the tag, the
//! dev write, the dev commit, the push) × three fixtures (a Cargo workspace with a path dependency and a lock
//! file; Python with `setup.cfg` and `pkg/__init__.py`; a project whose changelog does not exist yet) × the
//! failure kinds that can strike there (a refusing hook, a file that cannot be written, a failing signer, a
//! kill -9 followed by `--abort`, an index locked by another process). Each cell is its own test (run in parallel) and asserts the repository is
//! exactly as before (HEAD, branch, every ref, the index, status, every byte of the work tree), with no journal
//! or temporary file left. A failed push is the exception the README names: the local release is kept whole
//! and the remote is unchanged.

use std::path::PathBuf;

use crate::support::{self, Repo, State, cargo_workspace, write_executable};

const JOURNAL: &str = ".git/xtask/release-journal.json";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fixture {
    /// `support::cargo_workspace()` with a tracked changelog.
    Cargo,
    /// `setup.cfg` and `pkg/__init__.py` (PEP 440), a tracked changelog.
    Python,
    /// Two plain version files and no changelog: the release creates it.
    NoChangelog,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    ReleaseWrite,
    ReleaseCommit,
    Tag,
    DevWrite,
    DevCommit,
    Push,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A git hook refuses (commit-msg, reference-transaction, pre-push).
    HookRefuses,
    /// A file becomes immutable (`chattr +i`) after the checks.
    Unwritable,
    /// `tag.sign = true` with a `gpg.program` that exits 1.
    SignerFails,
    /// A hook kills the kit with SIGKILL; then `release --abort`.
    Killed,
    /// Another process holds the index (`.git/index.lock`): staging fails, and so does the undo's reset of
    /// the index, so the journal is kept until the lock is gone and `--abort` runs.
    IndexLocked,
}

/// Finds the kit among the hook's ancestors and kills it (the hook itself then fails too).
const KILL: &str = "p=$PPID\nwhile [ \"$p\" -gt 1 ]; do\n  case \"$(cat /proc/$p/comm)\" in xtask) kill -9 $p; exit 1;; esac\n  p=$(awk '{print $4}' /proc/$p/stat)\ndone\nexit 1\n";

/// The file of each fixture that is not the first one written: a write failing there has already replaced
/// another.
fn second_file(fixture: Fixture) -> &'static str {
    match fixture {
        Fixture::Cargo => "lib/Cargo.toml",
        Fixture::Python => "setup.cfg",
        Fixture::NoChangelog => "b/VERSION",
    }
}

fn build(fixture: Fixture, config: &str) -> Repo {
    let repo = match fixture {
        Fixture::Cargo => {
            let repo = cargo_workspace();
            repo.write(
                "CHANGELOG.md",
                "# Changelog\n\n## [0.1.0] - 2023-01-01\n\n- first\n",
            );
            repo.write("xtask.toml", config);
            repo
        }
        Fixture::Python => {
            let repo = Repo::new();
            repo.write(
                "xtask.toml",
                &format!(
                    "[version]\nfiles = [\n  {{ path = \"pkg/__init__.py\", regex = '__version__ = \"(?<version>[^\"]+)\"', scheme = \"pep440\" }},\n  {{ path = \"setup.cfg\", regex = '(?m)^version = (?<version>\\S+)$', scheme = \"pep440\" }},\n]\n{config}"
                ),
            );
            repo.write("pkg/__init__.py", "__version__ = \"0.1.0\"\n");
            repo.write("setup.cfg", "[metadata]\nname = pkg\nversion = 0.1.0\n");
            repo.write(
                "CHANGELOG.md",
                "# Changelog\n\nHand-written intro.\n\n## [0.1.0] - 2023-01-01\n\n- first\n",
            );
            repo
        }
        Fixture::NoChangelog => {
            let repo = Repo::new();
            repo.write(
                "xtask.toml",
                &format!(
                    "[version]\nfiles = [{{ path = \"VERSION\", regex = '(?<version>\\S+)' }}, {{ path = \"b/VERSION\", regex = '(?<version>\\S+)' }}]\n{config}"
                ),
            );
            repo.write("VERSION", "0.1.0\n");
            repo.write("b/VERSION", "0.1.0\n");
            repo
        }
    };
    repo.commit("chore: initial");
    repo.tag("v0.1.0");
    repo.write("work.txt", "fixed\n");
    repo.commit("fix: the thing");
    repo
}

/// A hook whose `body` runs at its `nth` call only (counted in a file under `.git`); other calls pass.
fn hook_at(repo: &Repo, name: &str, nth: u32, body: &str) {
    let path = repo.path().join(".git/hooks").join(name);
    let counter = repo.path().join(format!(".git/{name}.calls"));
    write_executable(
        &path,
        format!(
            "#!/bin/sh\nn=$(( $(cat '{c}' 2>/dev/null || echo 0) + 1 ))\necho $n > '{c}'\n[ \"$n\" -eq {nth} ] || exit 0\n{body}",
            c = counter.display()
        )
        .as_bytes(),
    );
}

/// A reference-transaction hook running `body` when a release tag is about to be created.
fn on_tag_creation(repo: &Repo, body: &str) {
    let path = repo.path().join(".git/hooks/reference-transaction");
    write_executable(
        &path,
        format!(
            "#!/bin/sh\n[ \"$1\" = prepared ] || {{ cat >/dev/null; exit 0; }}\nif grep -q '^0\\{{40\\}} [0-9a-f]* refs/tags/'; then\n{body}\nfi\nexit 0\n"
        )
        .as_bytes(),
    );
}

/// `chattr -i` on drop, so a failing test leaves a removable folder.
struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .status();
    }
}

/// Whether `chattr +i` works here; `None` with the reason when it does not.
fn chattr_unavailable() -> Option<String> {
    let dir = tempfile::TempDir::new().unwrap();
    let probe = dir.path().join("probe");
    std::fs::write(&probe, "x").unwrap();
    let set = std::process::Command::new("chattr")
        .arg("+i")
        .arg(&probe)
        .output();
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&probe)
        .status();
    match set {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(format!(
            "`chattr +i` refused here ({}): needs CAP_LINUX_IMMUTABLE and ext4-like storage",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Some(format!("`chattr` cannot run here: {e}")),
    }
}

/// The work tree and `.git/xtask` hold no temporary file of the kit, and there is no journal.
#[track_caller]
fn no_leftovers(repo: &Repo) {
    assert!(!repo.path().join(JOURNAL).exists(), "the journal is left");
    let xtask_dir = repo.path().join(".git/xtask");
    if xtask_dir.is_dir() {
        let left: Vec<_> = std::fs::read_dir(&xtask_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().contains("journal"))
            .collect();
        assert!(left.is_empty(), "left in .git/xtask: {left:?}");
    }
    let status = repo.git(&[
        "status",
        "--porcelain",
        "--untracked-files=all",
        "--ignored",
    ]);
    assert!(
        !status.contains(".tmp"),
        "a temporary file is left:\n{status}"
    );
}

fn case(fixture: Fixture, step: Step, kind: Kind) {
    if kind == Kind::Unwritable
        && let Some(reason) = chattr_unavailable()
    {
        eprintln!("skipped {fixture:?} × {step:?} × {kind:?}: {reason}");
        return;
    }
    let second = second_file(fixture);
    let config = match (step, kind) {
        (Step::Tag, Kind::SignerFails) => "[tag]\nsign = true\n".to_string(),
        // The last preflight step makes the second file immutable: the checks passed, the write fails.
        (Step::ReleaseWrite, Kind::Unwritable) => {
            format!("[release]\npre = [\"chattr +i {second}\"]\n")
        }
        (Step::ReleaseWrite, Kind::IndexLocked) => {
            "[release]\npre = [\"touch .git/index.lock\"]\n".to_string()
        }
        _ => String::new(),
    };
    let repo = build(fixture, &config);
    let tools = tempfile::TempDir::new().unwrap();
    let _guard = Immutable(repo.path().join(second));
    let remote = (step == Step::Push).then(|| support::with_remote(&repo));
    match (step, kind) {
        (Step::ReleaseCommit, Kind::HookRefuses) => hook_at(
            &repo,
            "commit-msg",
            1,
            "echo 'commit-msg: no' >&2\nexit 1\n",
        ),
        (Step::DevCommit, Kind::HookRefuses) => hook_at(
            &repo,
            "commit-msg",
            2,
            "echo 'commit-msg: no' >&2\nexit 1\n",
        ),
        (Step::ReleaseCommit, Kind::Killed) => hook_at(&repo, "pre-commit", 1, KILL),
        (Step::DevCommit, Kind::Killed) => hook_at(&repo, "pre-commit", 2, KILL),
        (Step::Tag, Kind::HookRefuses) => {
            on_tag_creation(&repo, "echo 'no tags today' >&2\nexit 1")
        }
        (Step::Tag, Kind::Killed) => on_tag_creation(&repo, KILL),
        (Step::Tag, Kind::SignerFails) => {
            let gpg = tools.path().join("gpg");
            write_executable(
                &gpg,
                b"#!/bin/sh\necho 'gpg: signing failed: broken signer' >&2\nexit 1\n",
            );
            repo.git(&["config", "gpg.program", gpg.to_str().unwrap()]);
        }
        (Step::ReleaseWrite, Kind::Unwritable | Kind::IndexLocked) => {}
        (Step::DevWrite, Kind::IndexLocked) => {
            hook_at(&repo, "post-commit", 1, "touch .git/index.lock\n")
        }
        // After the release commit, the second file becomes immutable: the dev write fails, and so does the
        // undo's attempt to put that file back.
        (Step::DevWrite, Kind::Unwritable) => {
            hook_at(&repo, "post-commit", 1, &format!("chattr +i {second}\n"))
        }
        (Step::Push, Kind::HookRefuses) => {
            hook_at(&repo, "pre-push", 1, "echo 'pre-push: no' >&2\nexit 1\n")
        }
        (Step::Push, Kind::Killed) => hook_at(&repo, "pre-push", 1, KILL),
        other => panic!("not a cell of the matrix: {other:?}"),
    }
    let remote_before = remote.as_ref().map(|_| repo.git(&["ls-remote", "origin"]));
    let before = repo.state();
    let mut args = vec!["release", "patch", "--yes"];
    if step == Step::Push {
        args.push("--push");
    }
    let run = repo.xtask(&args);
    assert_ne!(
        run.code, 0,
        "the injected failure must fail the release: {run:?}"
    );
    let context = format!("{fixture:?} × {step:?} × {kind:?}\n{run:?}");

    match (step, kind) {
        (Step::Push, _) => {
            // The release is complete locally; the remote has nothing of it.
            let subject = repo.git(&["log", "-1", "--format=%s"]);
            assert!(
                subject.starts_with("chore: start 0.1.2"),
                "{subject}\n{context}"
            );
            assert_eq!(
                repo.git(&["rev-parse", "v0.1.1^{commit}"]),
                repo.git(&["rev-parse", "HEAD~1"]),
                "{context}"
            );
            assert_eq!(
                Some(repo.git(&["ls-remote", "origin"])),
                remote_before,
                "{context}"
            );
            if kind == Kind::HookRefuses {
                assert!(
                    run.stderr
                        .contains("the release is complete locally; push it with"),
                    "{context}"
                );
            }
            std::fs::remove_file(repo.path().join(".git/hooks/pre-push")).unwrap();
            repo.xtask(&["release", "--abort"])
                .ok()
                .says("no interrupted release");
            no_leftovers(&repo);
        }
        (_, Kind::Killed) => {
            assert_eq!(run.code, -1, "killed by a signal: {context}");
            assert!(repo.path().join(JOURNAL).exists(), "{context}");
            for hook in ["pre-commit", "reference-transaction"] {
                let _ = std::fs::remove_file(repo.path().join(".git/hooks").join(hook));
            }
            repo.xtask(&["release", "patch", "--yes"])
                .fails(1)
                .says("release --abort");
            repo.xtask(&["release", "--abort"]).ok().says("restored");
            assert_same(&repo, &before, &context);
            no_leftovers(&repo);
        }
        (_, Kind::IndexLocked) => {
            assert!(
                run.stderr.contains("index.lock")
                    && run.stderr.contains("undoing it failed too")
                    && run.stderr.contains("the journal is kept at"),
                "{context}"
            );
            assert!(repo.path().join(JOURNAL).exists(), "{context}");
            std::fs::remove_file(repo.path().join(".git/index.lock")).unwrap();
            repo.xtask(&["release", "--abort"]).ok().says("restored");
            assert_same(&repo, &before, &context);
            no_leftovers(&repo);
        }
        (Step::DevWrite, Kind::Unwritable) => {
            assert!(
                run.stderr.contains("undoing it failed too")
                    && run.stderr.contains("the journal is kept at"),
                "{context}"
            );
            assert!(repo.path().join(JOURNAL).exists(), "{context}");
            // Once the file can be written again, --abort finishes the undo.
            drop(Immutable(repo.path().join(second)));
            repo.xtask(&["release", "--abort"]).ok().says("restored");
            assert_same(&repo, &before, &context);
            no_leftovers(&repo);
        }
        _ => {
            assert_eq!(run.code, 1, "{context}");
            assert!(
                run.stderr
                    .contains("the repository is as it was before the release"),
                "{context}"
            );
            drop(Immutable(repo.path().join(second)));
            assert_same(&repo, &before, &context);
            no_leftovers(&repo);
        }
    }
}

#[track_caller]
fn assert_same(repo: &Repo, before: &State, context: &str) {
    let after = repo.state();
    assert_eq!(&after, before, "{context}");
}

macro_rules! matrix {
    ($($name:ident: $fixture:ident, $step:ident, $kind:ident;)*) => {
        $(
            #[cfg(target_os = "linux")]
            #[test]
            fn $name() {
                case(Fixture::$fixture, Step::$step, Kind::$kind);
            }
        )*
    };
}

matrix! {
    cargo_release_write_unwritable: Cargo, ReleaseWrite, Unwritable;
    cargo_release_write_index_locked: Cargo, ReleaseWrite, IndexLocked;
    cargo_release_commit_refused: Cargo, ReleaseCommit, HookRefuses;
    cargo_release_commit_killed: Cargo, ReleaseCommit, Killed;
    cargo_tag_refused: Cargo, Tag, HookRefuses;
    cargo_tag_signer_fails: Cargo, Tag, SignerFails;
    cargo_tag_killed: Cargo, Tag, Killed;
    cargo_dev_write_unwritable: Cargo, DevWrite, Unwritable;
    cargo_dev_write_index_locked: Cargo, DevWrite, IndexLocked;
    cargo_dev_commit_refused: Cargo, DevCommit, HookRefuses;
    cargo_dev_commit_killed: Cargo, DevCommit, Killed;
    cargo_push_refused: Cargo, Push, HookRefuses;
    cargo_push_killed: Cargo, Push, Killed;

    python_release_write_unwritable: Python, ReleaseWrite, Unwritable;
    python_release_write_index_locked: Python, ReleaseWrite, IndexLocked;
    python_release_commit_refused: Python, ReleaseCommit, HookRefuses;
    python_release_commit_killed: Python, ReleaseCommit, Killed;
    python_tag_refused: Python, Tag, HookRefuses;
    python_tag_signer_fails: Python, Tag, SignerFails;
    python_tag_killed: Python, Tag, Killed;
    python_dev_write_unwritable: Python, DevWrite, Unwritable;
    python_dev_write_index_locked: Python, DevWrite, IndexLocked;
    python_dev_commit_refused: Python, DevCommit, HookRefuses;
    python_dev_commit_killed: Python, DevCommit, Killed;
    python_push_refused: Python, Push, HookRefuses;
    python_push_killed: Python, Push, Killed;

    no_changelog_release_write_unwritable: NoChangelog, ReleaseWrite, Unwritable;
    no_changelog_release_write_index_locked: NoChangelog, ReleaseWrite, IndexLocked;
    no_changelog_release_commit_refused: NoChangelog, ReleaseCommit, HookRefuses;
    no_changelog_release_commit_killed: NoChangelog, ReleaseCommit, Killed;
    no_changelog_tag_refused: NoChangelog, Tag, HookRefuses;
    no_changelog_tag_signer_fails: NoChangelog, Tag, SignerFails;
    no_changelog_tag_killed: NoChangelog, Tag, Killed;
    no_changelog_dev_write_unwritable: NoChangelog, DevWrite, Unwritable;
    no_changelog_dev_write_index_locked: NoChangelog, DevWrite, IndexLocked;
    no_changelog_dev_commit_refused: NoChangelog, DevCommit, HookRefuses;
    no_changelog_dev_commit_killed: NoChangelog, DevCommit, Killed;
    no_changelog_push_refused: NoChangelog, Push, HookRefuses;
    no_changelog_push_killed: NoChangelog, Push, Killed;
}
