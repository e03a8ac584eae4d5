//! One test per README claim that had none: each test's name says which claim it proves, and each looks at
//! the repository (refs, HEAD, files, the remote) rather than at the exit code alone. The README's "Which test
//! proves which claim" maps the claims to these names.

use std::path::Path;

use crate::support::{self, Repo, append_config, cargo_workspace, write_executable, xtask_bin};

const JOURNAL: &str = ".git/xtask/release-journal.json";

/// A project with a regex version file `VERSION` at 0.1.1-dev, a tracked changelog, `v0.1.0` and one `fix`
/// since; the default development version.
fn project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '(?<version>\\S+)' }]\n",
    );
    repo.write("VERSION", "0.1.1-dev\n");
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [0.1.0] - 2023-01-01\n\n- first\n",
    );
    repo.commit("chore: initial");
    repo.tag("v0.1.0");
    repo.write("src.txt", "one\n");
    repo.commit("fix: one");
    repo
}

/// Writes an executable script outside the work tree (so `repo.state()` does not see it).
fn script(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    write_executable(&path, text.as_bytes());
    path.to_str().unwrap().to_string()
}

fn remote_ref(repo: &Repo, name: &str) -> String {
    repo.git(&["ls-remote", "origin", name])
        .split('\t')
        .next()
        .unwrap_or("")
        .to_string()
}

/// The `to publish: …` command the release printed.
fn publish_command(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|l| l.split_once("to publish: ").map(|(_, c)| c.to_string()))
        .unwrap_or_else(|| panic!("no publish command in\n{stderr}"))
}

// --- Detached HEAD in CI -----------------------------------------------------------------------------

#[test]
fn detached_head_in_ci_moves_the_branch_and_the_printed_command_publishes_branch_and_tag() {
    let repo = project();
    let _remote = support::with_remote(&repo);
    let old_main = repo.git(&["rev-parse", "main"]);
    repo.git(&["checkout", "--quiet", "--detach"]);
    let run = repo
        .xtask_env(
            &["release", "patch", "--yes"],
            &[("GITHUB_REF_NAME", "main")],
        )
        .ok();
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "HEAD"]),
        "chore: start 0.1.2-dev development"
    );
    assert_eq!(repo.git(&["rev-parse", "main"]), head, "{}", run.stderr);
    assert_eq!(repo.git(&["rev-parse", "HEAD~2"]), old_main);
    let command = publish_command(&run.stderr);
    assert_eq!(
        command,
        format!("git push --atomic origin {head}:refs/heads/main refs/tags/v0.1.1")
    );
    let pushed = repo.command("sh", &["-c", &command]).output().unwrap();
    assert!(pushed.status.success(), "{pushed:?}");
    assert_eq!(remote_ref(&repo, "refs/heads/main"), head);
    assert_eq!(
        repo.git(&["ls-remote", "origin", "refs/tags/v0.1.1^{}"])
            .split('\t')
            .next()
            .unwrap(),
        repo.git(&["rev-parse", "HEAD~1"])
    );
    // A checkout with no local branch (only origin's): the release creates it at the dev commit.
    repo.write("src.txt", "two\n");
    repo.commit("fix: two");
    repo.git(&["push", "--quiet", "origin", "HEAD:refs/heads/main"]);
    repo.git(&["fetch", "--quiet", "origin"]);
    repo.git(&["checkout", "--quiet", "--detach", "origin/main"]);
    repo.git(&["branch", "--quiet", "-D", "main"]);
    repo.xtask_env(
        &["release", "patch", "--yes"],
        &[("GITHUB_REF_NAME", "main")],
    )
    .ok()
    .says("moved main to");
    assert_eq!(
        repo.git(&["rev-parse", "refs/heads/main"]),
        repo.git(&["rev-parse", "HEAD"])
    );
    // A local branch elsewhere is left alone, with a warning; the release stays on the detached HEAD.
    repo.write("src.txt", "three\n");
    repo.commit("fix: three");
    // origin's main is at HEAD (so the CI variable names HEAD's branch), the local one a commit behind.
    repo.git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    let main_elsewhere = repo.git(&["rev-parse", "main"]);
    assert_eq!(main_elsewhere, repo.git(&["rev-parse", "HEAD~1"]));
    repo.xtask_env(
        &["release", "patch", "--yes"],
        &[("GITHUB_REF_NAME", "main")],
    )
    .ok()
    .says("left alone");
    assert_eq!(repo.git(&["rev-parse", "main"]), main_elsewhere);
}

#[test]
fn the_four_other_ci_branch_variables_name_the_branch_on_a_detached_head() {
    let repo = project();
    repo.git(&["checkout", "--quiet", "--detach"]);
    repo.xtask(&["release", "patch", "--yes", "--dry-run"])
        .fails(1)
        .says("HEAD is detached");
    for var in [
        "CI_COMMIT_BRANCH",
        "BUILDKITE_BRANCH",
        "CIRCLE_BRANCH",
        "BRANCH_NAME",
    ] {
        let run = repo
            .xtask_env(
                &["release", "patch", "--yes", "--dry-run"],
                &[(var, "main")],
            )
            .ok();
        assert!(run.stdout.contains("0.1.1-dev → 0.1.1"), "{var}: {run:?}");
        // A branch that is not at HEAD names nothing.
        repo.xtask_env(
            &["release", "patch", "--yes", "--dry-run"],
            &[(var, "elsewhere")],
        )
        .fails(1)
        .says("HEAD is detached");
    }
    // A real release through one of them moves that branch.
    let before = repo.git(&["rev-parse", "main"]);
    repo.xtask_env(&["release", "patch", "--yes"], &[("CIRCLE_BRANCH", "main")])
        .ok();
    assert_eq!(
        repo.git(&["rev-parse", "main"]),
        repo.git(&["rev-parse", "HEAD"])
    );
    assert_ne!(repo.git(&["rev-parse", "main"]), before);
}

// --- Preflight and output streams --------------------------------------------------------------------

#[test]
fn preflight_reports_disagreeing_files_a_disallowed_branch_and_an_existing_tag_in_one_run() {
    let repo = project();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '(?<version>\\S+)' }, { path = \"B\", regex = '(?<version>\\S+)' }]\n",
    );
    repo.write("B", "0.1.0\n");
    repo.commit("chore: a second version file");
    repo.git(&["tag", "v0.1.1"]);
    repo.git(&["checkout", "--quiet", "-b", "wip"]);
    let before = repo.state();
    let run = repo.xtask(&["release", "patch", "--yes"]).fails(1);
    for needle in [
        "B:1: version 0.1.0 disagrees with 0.1.1-dev",
        "branch wip is not a release branch",
        "the tag v0.1.1 already exists",
    ] {
        assert!(run.stderr.contains(needle), "{needle:?} in\n{}", run.stderr);
    }
    assert_eq!(run.stdout, "");
    assert_eq!(repo.state(), before);
}

#[test]
fn a_dry_run_prints_its_plan_on_stdout_and_problems_on_stderr() {
    let repo = project();
    repo.write("VERSION", "0.1.1-dev\n\n");
    let run = repo.xtask(&["release", "minor", "--dry-run", "--yes"]).ok();
    assert!(
        run.stdout.starts_with(
            "Release plan (dry run: nothing is changed)\n  version: 0.1.1-dev → 0.2.0"
        ),
        "{run:?}"
    );
    assert!(run.stdout.contains("Annotated tag v0.2.0:"), "{run:?}");
    assert!(!run.stderr.contains("Release plan"), "{run:?}");
    // Dry-run warnings: what a real release would refuse is a warning, on stderr, and the plan still prints.
    assert!(
        run.stderr.contains(
            "warning: uncommitted changes to tracked files: VERSION: commit them or set them aside first"
        ) && run.stderr.contains("(a real release would stop here)"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("uncommitted"), "{run:?}");
    // With --format json the object is the data: the only thing on stdout, the plan on stderr.
    let run = repo
        .xtask(&["release", "minor", "--dry-run", "--yes", "--format", "json"])
        .ok();
    let object: serde_json::Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {run:?}"));
    assert_eq!(object["version"], "0.2.0");
    assert!(run.stderr.contains("Release plan"), "{run:?}");
}

#[test]
fn a_dry_run_without_a_level_plans_auto_and_says_so() {
    let repo = project();
    repo.write("src.txt", "two\n");
    repo.commit("feat: two");
    let run = repo.xtask(&["release", "--dry-run"]).ok();
    assert!(
        run.stdout
            .contains("0.1.1-dev → 0.2.0 (the commits call for minor)")
            && run.stdout.contains("level: auto (no level was given"),
        "{run:?}"
    );
    let named = repo
        .xtask(&["release", "patch", "--dry-run", "--force"])
        .ok();
    assert!(!named.stdout.contains("level: auto"), "{named:?}");
}

#[test]
fn release_pre_commands_must_pass_and_their_output_goes_to_stderr() {
    let repo = project();
    append_config(
        &repo,
        "[release]\npre = [\"echo pre-output-line\", \"test -f must-exist\"]\n",
    );
    let before = repo.state();
    let run = repo
        .xtask(&["release", "patch", "--yes", "--format", "json"])
        .fails(1);
    assert!(
        run.stderr
            .contains("release.pre: `test -f must-exist` failed"),
        "{run:?}"
    );
    assert!(run.stderr.contains("pre-output-line"), "{run:?}");
    assert_eq!(repo.state(), before);
    // With both passing, stdout is exactly one JSON object.
    repo.write("must-exist", "");
    let run = repo
        .xtask(&["release", "patch", "--yes", "--format", "json"])
        .ok();
    let object: serde_json::Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}):\n{}", run.stdout));
    assert_eq!(object["tag"], "v0.1.1");
    assert!(run.stderr.contains("pre-output-line"), "{run:?}");
    assert_eq!(repo.git(&["tag", "--list", "v0.1.1"]), "v0.1.1");
}

// --- Errors ----------------------------------------------------------------------------------------

#[test]
fn a_bad_message_template_error_names_the_key_and_xtask_toml() {
    let repo = project();
    append_config(&repo, "[release]\ncommit = \"{{ version\"\n");
    let before = repo.state();
    let run = repo.xtask(&["release", "patch", "--yes"]).fails(1);
    assert!(
        run.stderr
            .contains("xtask.toml: release.commit:1: template error"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("release message template"), "{run:?}");
    assert_eq!(repo.state(), before);
}

#[test]
fn check_lists_message_template_errors_beside_a_broken_changelog_template() {
    let repo = project();
    repo.write("templates/changelog.md.j2", "line one\n{% if %}\n");
    append_config(&repo, "[release]\ncommit = \"{{ version\"\n");
    let run = repo.xtask(&["check"]).fails(1);
    assert!(
        run.stderr
            .contains("templates/changelog.md.j2:2: template error: syntax error")
            && run
                .stderr
                .contains("xtask.toml: release.commit:1: template error"),
        "{run:?}"
    );
    // Reported once, not once per place that renders it.
    assert_eq!(run.stderr.matches("release.commit:1").count(), 1, "{run:?}");
}

#[test]
fn a_repository_template_overrides_the_default_and_its_errors_name_file_and_line() {
    let repo = project();
    repo.write(
        "templates/changelog.md.j2",
        "## Our own {{ version }}\n{% for c in commits %}* {{ c.description }}\n{% endfor %}",
    );
    repo.commit("docs: our template");
    let run = repo.xtask(&["changelog", "--version", "0.1.1"]).ok();
    assert_eq!(run.stdout, "## Our own 0.1.1\n\n* one\n* our template\n");
    repo.write(
        "templates/changelog.md.j2",
        "## {{ version }}\n\n{{ no_such_value.field }}\n",
    );
    repo.commit("docs: broken template");
    let before = repo.state();
    repo.xtask(&["release", "patch", "--yes"])
        .fails(1)
        .says("templates/changelog.md.j2:3: template error: undefined value");
    assert_eq!(repo.state(), before);
}

#[test]
fn two_dash_c_options_combine_as_in_git() {
    let repo = project();
    repo.write("sub/inner/keep.txt", "");
    let parent = repo.path().parent().unwrap().to_str().unwrap().to_string();
    let name = repo
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let mut command = repo.command(
        xtask_bin(),
        &["-C", &parent, "-C", &name, "-C", "sub/inner", "version"],
    );
    command.current_dir("/");
    let out = command.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0.1.1-dev\n");
}

// --- Changelog ---------------------------------------------------------------------------------------

#[test]
fn the_default_commit_types_accept_every_type_the_default_groups_list() {
    let repo = project();
    append_config(&repo, "[commits]\nconventional = \"deny\"\n");
    for kind in ["change", "deprecate", "remove", "security"] {
        repo.write("MSG", &format!("{kind}: something the changelog wants\n"));
        let run = repo.xtask(&["hook", "commit-msg", "MSG"]);
        assert_eq!(run.code, 0, "{kind}: {run:?}");
        assert_eq!(run.stderr, "", "{kind}: no warning either");
    }
    repo.write("MSG", "wip: not a type\n");
    repo.xtask(&["hook", "commit-msg", "MSG"])
        .fails(1)
        .says("unknown type `wip`");
    repo.write("src.txt", "sec\n");
    repo.commit("security: fix the leak");
    repo.xtask(&["changelog"])
        .ok()
        .says("### Security\n\n- fix the leak");
}

#[test]
fn changelog_in_a_shallow_clone_says_the_history_is_cut_and_how_to_deepen() {
    let origin = project();
    origin.write("src.txt", "two\n");
    origin.commit("fix: two");
    let clone = Repo::new();
    std::fs::remove_dir_all(clone.path().join(".git")).unwrap();
    let url = format!("file://{}", origin.path().display());
    clone.git(&["clone", "--quiet", "--depth", "1", &url, "."]);
    let run = clone.xtask(&["changelog"]).ok();
    assert!(
        run.stderr.contains("shallow clone: the history is cut")
            && run.stderr.contains("git fetch --unshallow --tags origin"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("shallow"), "{run:?}");
    // The command it names does deepen the history: afterwards the draft has both commits.
    clone.git(&["fetch", "--quiet", "--unshallow", "--tags", "origin"]);
    let run = clone.xtask(&["changelog"]).ok();
    assert!(!run.stderr.contains("shallow"), "{run:?}");
    assert!(
        run.stdout.contains("- one") && run.stdout.contains("- two"),
        "{run:?}"
    );
}

#[test]
fn a_release_in_a_shallow_clone_fetches_the_history_back_to_the_last_release() {
    let origin = project();
    origin.write("src.txt", "two\n");
    origin.commit("fix: two");
    let clone = Repo::new();
    std::fs::remove_dir_all(clone.path().join(".git")).unwrap();
    let url = format!("file://{}", origin.path().display());
    clone.git(&["clone", "--quiet", "--depth", "1", &url, "."]);
    clone.git(&["config", "user.name", "Test User"]);
    clone.git(&["config", "user.email", "test@example.com"]);
    clone
        .xtask(&["release", "patch", "--yes", "--no-dev"])
        .ok()
        .says("shallow clone: fetching the history and tags from origin");
    let notes = clone.read("CHANGELOG.md");
    assert!(
        notes.contains("- one") && notes.contains("- two"),
        "{notes}"
    );
}

#[test]
fn changelog_range_lists_exactly_the_commits_in_a_to_b() {
    let repo = project();
    repo.write("src.txt", "two\n");
    repo.commit("fix: two");
    let two = repo.git(&["rev-parse", "HEAD"]);
    repo.write("src.txt", "three\n");
    repo.commit("feat: three");
    let run = repo
        .xtask(&["changelog", "--range", &format!("v0.1.0..{two}")])
        .ok();
    assert!(
        run.stdout.contains("- one") && run.stdout.contains("- two"),
        "{run:?}"
    );
    assert!(!run.stdout.contains("three"), "{run:?}");
}

// --- Release steps -----------------------------------------------------------------------------------

/// A gpg stand-in that signs anything (`ok`) or refuses (exit 1).
fn signer(dir: &Path, ok: bool) -> String {
    let body = if ok {
        "#!/bin/sh\ncat >/dev/null\nprintf '\\n[GNUPG:] SIG_CREATED D 1 8 00 1704067200 FAKE\\n' >&2\nprintf -- '-----BEGIN PGP SIGNATURE-----\\n\\nZmFrZQ==\\n-----END PGP SIGNATURE-----\\n'\n"
    } else {
        "#!/bin/sh\necho 'gpg: signing failed: no secret key' >&2\nexit 1\n"
    };
    script(dir, if ok { "gpg-ok" } else { "gpg-fail" }, body)
}

#[test]
fn tag_sign_signs_the_release_tag_with_the_configured_signer() {
    let repo = project();
    append_config(&repo, "[tag]\nsign = true\n");
    let tools = tempfile::TempDir::new().unwrap();
    repo.git(&["config", "gpg.program", &signer(tools.path(), true)]);
    repo.xtask(&["release", "patch", "--yes", "--dry-run"])
        .ok()
        .says("Annotated tag v0.1.1 (signed):");
    repo.xtask(&["release", "patch", "--yes"]).ok();
    let tag = repo.git(&["cat-file", "tag", "v0.1.1"]);
    assert!(tag.contains("-----BEGIN PGP SIGNATURE-----"), "{tag}");
    // A failing signer stops the release at the tag, and everything is put back.
    repo.write("src.txt", "two\n");
    repo.commit("fix: two");
    repo.git(&["config", "gpg.program", &signer(tools.path(), false)]);
    let before = repo.state();
    repo.xtask(&["release", "patch", "--yes"])
        .fails(1)
        .says("tag v0.1.2 failed")
        .says("the repository is as it was");
    assert_eq!(repo.state(), before);
    assert!(!repo.path().join(JOURNAL).exists());
}

#[test]
fn no_changelog_leaves_the_changelog_file_alone() {
    let repo = project();
    let changelog = repo.read("CHANGELOG.md");
    repo.xtask(&["release", "patch", "--yes", "--no-changelog"])
        .ok();
    assert_eq!(repo.read("CHANGELOG.md"), changelog);
    let changed = repo.git(&["show", "--name-only", "--format=", "v0.1.1^{commit}"]);
    assert_eq!(changed, "VERSION");
    // The tag message has no notes either.
    assert_eq!(
        repo.git(&["tag", "-l", "--format=%(contents)", "v0.1.1"]),
        "Release 0.1.1"
    );
}

#[test]
fn release_push_true_pushes_and_no_push_overrides_it() {
    let repo = project();
    let _remote = support::with_remote(&repo);
    append_config(&repo, "[release]\npush = true\n");
    repo.git(&["push", "--quiet", "origin", "main"]);
    let remote_main = remote_ref(&repo, "refs/heads/main");
    repo.xtask(&["release", "patch", "--yes", "--no-push"])
        .ok()
        .says("to publish: git push --atomic origin main v0.1.1");
    assert_eq!(remote_ref(&repo, "refs/heads/main"), remote_main);
    assert_eq!(remote_ref(&repo, "refs/tags/v0.1.1"), "");
    repo.write("src.txt", "two\n");
    repo.commit("fix: two");
    repo.xtask(&["release", "patch", "--yes"])
        .ok()
        .says("pushed");
    assert_eq!(
        remote_ref(&repo, "refs/heads/main"),
        repo.git(&["rev-parse", "main"])
    );
    assert_eq!(
        remote_ref(&repo, "refs/tags/v0.1.2"),
        repo.git(&["rev-parse", "refs/tags/v0.1.2"])
    );
    // The tag released with --no-push stays local.
    assert_eq!(remote_ref(&repo, "refs/tags/v0.1.1"), "");
}

#[test]
fn version_dev_false_makes_no_development_commit() {
    let repo = project();
    append_config(&repo, "[version]\n");
    repo.write(
        "xtask.toml",
        &repo
            .read("xtask.toml")
            .replace("[version]\nfiles", "[version]\ndev = false\nfiles")
            .replace("\n[version]\n", "\n"),
    );
    repo.commit("chore: no dev versions");
    repo.xtask(&["release", "patch", "--yes"]).ok();
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        repo.git(&["rev-parse", "v0.1.1^{commit}"])
    );
    assert_eq!(repo.read("VERSION"), "0.1.1\n");
}

#[test]
fn an_untracked_changelog_is_refused_not_overwritten() {
    let repo = project();
    repo.git(&["rm", "--quiet", "--cached", "CHANGELOG.md"]);
    repo.git(&[
        "commit",
        "--quiet",
        "-m",
        "chore: stop tracking the changelog",
    ]);
    repo.write("CHANGELOG.md", "my own notes, untracked\n");
    let before = repo.state();
    repo.xtask(&["release", "patch", "--yes"])
        .fails(1)
        .says("CHANGELOG.md exists but git does not track it");
    assert_eq!(repo.state(), before);
    assert_eq!(repo.read("CHANGELOG.md"), "my own notes, untracked\n");
}

#[test]
fn the_dev_reset_rewrites_path_dependency_requirements_and_cargo_lock() {
    let repo = cargo_workspace();
    repo.git(&["tag", "--annotate", "v0.1.0", "-m", "r"]);
    repo.write("lib/src/lib.rs", "pub fn f() {}\n");
    repo.commit("feat: f");
    repo.xtask(&["release", "minor", "--yes"]).ok();
    // At the release: 0.2.0 everywhere; after it: the development version everywhere.
    let released_app = repo.git(&["show", "v0.2.0:app/Cargo.toml"]);
    assert!(
        released_app.contains("lib = { path = \"../lib\", version = \"0.2.0\" }"),
        "{released_app}"
    );
    let app = repo.read("app/Cargo.toml");
    assert!(
        app.contains("lib = { path = \"../lib\", version = \"0.2.1-dev\" }\n"),
        "{app}"
    );
    assert!(
        repo.read("lib/Cargo.toml")
            .contains("version = \"0.2.1-dev\"   # literal"),
    );
    let lock = repo.read("Cargo.lock");
    assert_eq!(lock.matches("version = \"0.2.1-dev\"").count(), 2, "{lock}");
    assert!(!lock.contains("0.2.0"), "{lock}");
    assert!(
        repo.git(&["show", "v0.2.0:Cargo.lock"])
            .matches("version = \"0.2.0\"")
            .count()
            == 2
    );
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=no"]),
        ""
    );
}

// --- Terminals and hooks -----------------------------------------------------------------------------

fn in_terminal(repo: &Repo, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(xtask_bin());
    command.args(args).current_dir(repo.path());
    repo.env(&mut command);
    command.env("TERM", "xterm");
    command
}

fn press(session: &mut rexpect::session::PtySession, keys: &str) {
    std::thread::sleep(std::time::Duration::from_millis(150));
    session.send(keys).unwrap();
    session.flush().unwrap();
}

#[test]
fn editor_edits_the_release_notes_before_anything_is_committed() {
    let repo = project();
    let tools = tempfile::TempDir::new().unwrap();
    let editor = script(
        tools.path(),
        "editor",
        "#!/bin/sh\nprintf '## [0.1.1] - 2024-01-01\\n\\nEdited by hand.\\n' > \"$1\"\n",
    );
    let mut command = in_terminal(&repo, &["release", "patch"]);
    command.env("EDITOR", &editor);
    let mut session =
        rexpect::session::spawn_command(command, Some(20_000)).expect("a pseudo-terminal");
    session.exp_string("Edit the release notes first?").unwrap();
    press(&mut session, "y\r");
    session.exp_string("Release notes").unwrap();
    press(&mut session, "e");
    std::thread::sleep(std::time::Duration::from_millis(300));
    press(&mut session, "\r");
    session.exp_string("Release 0.1.1 as v0.1.1?").unwrap();
    press(&mut session, "y\r");
    session.exp_string("released 0.1.1 as v0.1.1").unwrap();
    session.exp_eof().unwrap();
    let changelog = repo.git(&["show", "v0.1.1:CHANGELOG.md"]);
    assert!(
        changelog.contains("## [0.1.1] - 2024-01-01\n\nEdited by hand.\n"),
        "{changelog}"
    );
    assert!(!changelog.contains("- one"), "{changelog}");
    let tag = repo.git(&["tag", "-l", "--format=%(contents)", "v0.1.1"]);
    assert!(tag.ends_with("Edited by hand."), "{tag}");
}

#[test]
fn ci_disables_prompts_even_in_a_terminal() {
    let repo = project();
    let before = repo.state();
    let mut command = in_terminal(&repo, &["release"]);
    command.env("CI", "true");
    let mut session =
        rexpect::session::spawn_command(command, Some(20_000)).expect("a pseudo-terminal");
    session
        .exp_string("no version given and no terminal to ask on")
        .unwrap();
    session.exp_eof().unwrap();
    assert_eq!(repo.state(), before);
    // The same in a terminal without CI asks.
    let mut session =
        rexpect::session::spawn_command(in_terminal(&repo, &["release"]), Some(20_000))
            .expect("a pseudo-terminal");
    session.exp_string("Release which version?").unwrap();
    press(&mut session, "\x1b");
    session.exp_eof().unwrap();
    assert_eq!(repo.state(), before);
}

#[test]
fn hook_shims_fall_back_to_cargo_xtask_when_the_installed_binary_is_gone() {
    let repo = project();
    append_config(&repo, "[commits]\nconventional = \"deny\"\n");
    // The repository is a work tree of the kit (it has the alias); `cargo` here records its call and runs the
    // kit, as `cargo xtask` would.
    repo.write(
        ".cargo/config.toml",
        "[alias]\nxtask = \"run --package xtask --\"\n",
    );
    repo.commit("chore: the xtask alias");
    // Hooks in the work tree are shims (inside the git directory they are native programs).
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    repo.xtask(&["hooks", "install"]).ok();
    std::fs::remove_file(repo.path().join(".git/xtask/bin/xtask")).unwrap();
    let tools = tempfile::TempDir::new().unwrap();
    let log = tools.path().join("cargo.log");
    script(
        tools.path(),
        "cargo",
        &format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\n[ \"$1\" = xtask ] || exit 99\nshift\nexec '{}' \"$@\"\n",
            log.display(),
            xtask_bin().display()
        ),
    );
    let path = format!(
        "{}:{}",
        tools.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let head = repo.git(&["rev-parse", "HEAD"]);
    let mut command = repo.command(
        "git",
        &["commit", "--quiet", "--allow-empty", "-m", "wip: no"],
    );
    command.env("PATH", &path);
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("falling back to cargo xtask"), "{stderr}");
    assert!(stderr.contains("unknown type `wip`"), "{stderr}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(calls.starts_with("xtask hook commit-msg "), "{calls}");
}

#[test]
fn hooks_install_in_a_submodule_uses_the_submodules_own_hooks_directory() {
    let inner = project();
    let outer = Repo::new();
    outer.write("README", "outer\n");
    outer.commit("chore: outer");
    let url = format!("file://{}", inner.path().display());
    outer.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "--quiet",
        &url,
        "sub",
    ]);
    outer.commit("chore: add the submodule");
    let sub = outer.path().join("sub");
    let mut command = outer.command(xtask_bin(), &["-C", "sub", "hooks", "install"]);
    command.current_dir(outer.path());
    let out = command.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let hooks = outer.path().join(".git/modules/sub/hooks");
    assert!(hooks.join("commit-msg").is_file());
    assert!(
        outer
            .path()
            .join(".git/modules/sub/xtask/bin/xtask")
            .is_file()
    );
    assert!(!outer.path().join(".git/hooks/commit-msg").exists());
    // And git runs it there: a non-conventional commit in the submodule is warned about.
    let mut command = outer.command(
        "git",
        &[
            "-C",
            sub.to_str().unwrap(),
            "commit",
            "--allow-empty",
            "-m",
            "did stuff",
        ],
    );
    command
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@e")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@e");
    let out = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("did stuff"), "{stderr}");
}

#[test]
fn a_cherry_picked_fix_is_listed_once_where_it_first_shipped() {
    let repo = project();
    append_config(
        &repo,
        "[release]\nbranches = [\"main\", \"stable/*\"]\n[changelog]\nfile = \"NOTES.md\"\n",
    );
    repo.xtask(&["release", "patch", "--yes", "--no-dev"]).ok();
    // The fix is made on the stable line and released there as 0.1.2...
    repo.git(&["checkout", "--quiet", "-b", "stable/0.1"]);
    repo.write("fix.txt", "fixed\n");
    repo.commit("fix: off by one");
    let original = repo.git(&["rev-parse", "HEAD"]);
    repo.xtask(&["release", "patch", "--yes", "--no-dev"]).ok();
    // ...picked into main with -x, and the stable line merged into main later.
    repo.git(&["checkout", "--quiet", "main"]);
    repo.write("feature.txt", "new\n");
    repo.commit("feat: something new");
    repo.git(&["cherry-pick", "-x", "--strategy-option=theirs", &original]);
    repo.git(&[
        "merge",
        "--quiet",
        "--no-edit",
        "--strategy=ours",
        "stable/0.1",
    ]);
    let draft = repo.xtask(&["changelog"]).ok().stdout;
    assert!(draft.contains("something new"), "{draft}");
    assert!(!draft.contains("off by one"), "listed again:\n{draft}");
    let all = repo.xtask(&["changelog", "--all"]).ok().stdout;
    assert_eq!(all.matches("off by one").count(), 1, "{all}");
    let (unreleased, released) = all.split_once("## [0.1.2]").unwrap();
    assert!(!unreleased.contains("off by one"), "{all}");
    assert!(released.contains("off by one"), "{all}");
    // The release's own notes leave it out too.
    repo.xtask(&["release", "minor", "--yes", "--no-dev"]).ok();
    let notes = repo.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]);
    assert!(
        notes.contains("something new") && !notes.contains("off by one"),
        "{notes}"
    );
}
