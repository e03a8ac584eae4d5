//! `xtask check` runs the release's preflight that does not depend on the level: configuration, tag names,
//! the kit's own commit messages, cargo's view of the workspace; every problem at once, nothing changed.

use crate::support::{self, Repo};

/// A repository with a JSON version file and `extra` appended to its configuration.
fn project(extra: &str) -> Repo {
    let repo = Repo::new();
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.write(
        "xtask.toml",
        &format!("[version]\nfiles = [{{ path = \"VERSION.json\", json = \"version\" }}]\n{extra}"),
    );
    repo.commit("chore: initial");
    repo
}

#[track_caller]
fn check_fails(repo: &Repo, needles: &[&str]) -> String {
    let before = repo.state();
    let run = repo.xtask(&["check"]).fails(1);
    for needle in needles {
        assert!(run.stderr.contains(needle), "{needle:?} in\n{}", run.stderr);
    }
    assert_eq!(repo.state(), before, "check must change nothing");
    run.stderr
}

#[test]
fn tag_formats_that_make_invalid_ref_names_fail() {
    for (format, why) in [
        ("v{{ version }} x", "it contains a space"),
        ("v{{ version }}..x", "it contains `..`"),
        ("v{{ version }}.lock", "ends with `.lock`"),
        ("rel:{{ version }}", "it contains `:`"),
    ] {
        let repo = project(&format!("[tag]\nformat = \"{format}\"\n"));
        check_fails(&repo, &["tag.format", format, why]);
    }
    project("[tag]\nformat = \"release/{{ version }}\"\n")
        .xtask(&["check"])
        .ok();
}

#[test]
fn release_commit_messages_are_judged_by_the_commit_rules() {
    let repo =
        project("[commits]\nconventional = \"deny\"\n[release]\ncommit = \"Bump {{ version }}\"\n");
    check_fails(
        &repo,
        &[
            "release.commit",
            "`Bump 1.2.3`",
            "commits.conventional",
            "type: ",
        ],
    );
    let repo = project(
        "[commits]\nconventional = \"deny\"\n[release]\ndev_commit = \"wip: {{ version }}\"\n",
    );
    check_fails(&repo, &["release.dev_commit", "unknown type `wip`"]);
    // Under "warn" a warning, and check passes; under "off", nothing.
    let run = project("[release]\ncommit = \"Bump {{ version }}\"\n")
        .xtask(&["check"])
        .ok();
    assert!(
        run.stderr.contains("warning: xtask.toml: release.commit"),
        "{}",
        run.stderr
    );
    let run =
        project("[commits]\nconventional = \"off\"\n[release]\ncommit = \"Bump {{ version }}\"\n")
            .xtask(&["check"])
            .ok();
    assert!(!run.stderr.contains("release.commit"), "{}", run.stderr);
}

#[test]
fn cargo_errors_are_shown_in_one_clear_line() {
    let repo = support::cargo_workspace();
    repo.xtask(&["check"]).ok();
    // A pinned toolchain that is not installed: rustup's own error, without its backtrace.
    repo.write("rust-toolchain.toml", "[toolchain]\nchannel = \"1.20.0\"\n");
    repo.commit("build: pin an old toolchain");
    let before = repo.state();
    let run = repo
        .xtask_env(
            &["check"],
            &[
                ("RUSTUP_AUTO_INSTALL", "0"),
                ("RUST_BACKTRACE", "1"),
                ("RUSTUP_TOOLCHAIN", ""),
            ],
        )
        .fails(1);
    assert_eq!(repo.state(), before);
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("cargo cannot read the workspace"))
        .unwrap_or_else(|| panic!("no cargo error in\n{}", run.stderr));
    assert!(
        line.contains("Cargo.toml") && line.contains("1.20.0"),
        "{line}"
    );
    assert!(line.contains("not installed"), "{}", run.stderr);
    assert!(!run.stderr.contains("acktrace"), "{}", run.stderr);
    // A broken manifest: cargo's error and its cause.
    std::fs::remove_file(repo.path().join("rust-toolchain.toml")).unwrap();
    repo.write("lib/Cargo.toml", "[package\nname = \"lib\"\n");
    let run = repo.xtask(&["check"]).fails(1);
    assert!(
        run.stderr.contains("cargo cannot read the workspace"),
        "{}",
        run.stderr
    );
}

#[test]
fn configuration_errors_name_the_key_path_line_value_and_allowed_values() {
    let repo = project("");
    let cases: &[(&str, &[&str])] = &[
        (
            "[version]\nfiles = [\n  { path = \"VERSION.json\", json = \"version\", scheme = \"calver\" },\n]\n",
            &[
                "xtask.toml:3:",
                "version.files[0].scheme",
                "`calver`",
                "`semver`",
                "`pep440`",
            ],
        ),
        (
            "[version]\nfiles = [\"Cargo.toml\", { path = \"VERSION.json\", jsn = \"version\" }]\n",
            &[
                "xtask.toml:2:",
                "version.files[1].jsn",
                "unknown field `jsn`",
                "`json`",
            ],
        ),
        (
            "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\ndev = 5\n",
            &["xtask.toml:3:7", "version.dev", "integer `5`", "or false"],
        ),
    ];
    for (config, needles) in cases {
        repo.write("xtask.toml", config);
        repo.commit("chore: a configuration");
        let stderr = check_fails(&repo, needles);
        assert!(!stderr.contains("untagged"), "{stderr}");
        // Every command reads the configuration the same way.
        let run = repo.xtask(&["version"]).fails(1);
        assert!(run.stderr.contains(needles[1]), "{}", run.stderr);
    }
}

/// Every broken rule is listed at once, each with its key; the checks that need only the other rules still
/// run (the branch is judged, the last release is found).
#[test]
fn every_broken_rule_is_listed_and_the_others_still_judge() {
    let repo = project(
        "[release]\nbranches = [\"main\", \"rel/{{ patch }}\"]\nline_branch = \"stable\"\n\
         [branches]\nallowed = [\"trunk\"]\n",
    );
    repo.tag("v1.0.0");
    let stderr = check_fails(
        &repo,
        &[
            "3 problems found",
            "xtask.toml: release.branches: branch pattern `rel/{{ patch }}` uses the unknown placeholder",
            "xtask.toml: release.line_branch: \"stable\" must name one branch per release line",
            "branches.allowed: ",
        ],
    );
    assert!(
        stderr.contains("last release: 1.0.0 (tag v1.0.0)"),
        "{stderr}"
    );
    // A command that reads the rules reports them all, and changes nothing.
    let before = repo.state();
    let run = repo.xtask(&["release", "patch", "--yes"]).fails(1);
    assert!(
        run.stderr.contains("release.branches: ") && run.stderr.contains("release.line_branch: "),
        "{}",
        run.stderr
    );
    assert_eq!(repo.state(), before);
}
