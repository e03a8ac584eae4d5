//! `version`, `bump` and `check` on real repositories.

use crate::support::{self, Repo, cargo_workspace};

#[test]
fn cargo_workspace_bumps_cleanly_keeping_comments_and_lock() {
    let repo = cargo_workspace();
    repo.xtask(&["version"]).ok().says("0.1.0");
    repo.xtask(&["version", "--next", "minor", "--pre", "rc"])
        .ok()
        .says("0.2.0-rc.1");
    let before = repo.state();
    repo.xtask(&["bump", "minor", "--dry-run"])
        .ok()
        .says("+version = \"0.2.0\" # bumped by the kit");
    assert_eq!(repo.state(), before, "a dry run changes nothing");

    repo.xtask(&["bump", "minor"]).ok();
    assert!(repo.read("Cargo.toml").contains("# The version every crate shares.\n[workspace.package]\nversion = \"0.2.0\" # bumped by the kit\n"));
    assert!(
        repo.read("lib/Cargo.toml")
            .contains("version = \"0.2.0\"   # literal")
    );
    assert!(
        repo.read("app/Cargo.toml")
            .contains("# Our own library.\nlib = { path = \"../lib\", version = \"0.2.0\" }")
    );
    let lock = repo.read("Cargo.lock");
    assert!(
        lock.contains("name = \"lib\"\nversion = \"0.2.0\""),
        "{lock}"
    );
    support::run(repo.command(
        "cargo",
        &[
            "metadata",
            "--locked",
            "--offline",
            "--format-version",
            "1",
            "--no-deps",
        ],
    ))
    .ok();

    // A dev version keeps intra-workspace requirements consistent too.
    repo.xtask(&["bump", "0.2.1-dev"]).ok();
    assert!(
        repo.read("app/Cargo.toml")
            .contains("version = \"0.2.1-dev\"")
    );
    support::run(repo.command(
        "cargo",
        &["metadata", "--locked", "--offline", "--format-version", "1"],
    ))
    .ok();
}

fn python_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        r#"[version]
files = [
  { path = "pyproject.toml", toml = "project.version", scheme = "pep440" },
  { path = "version_info.json", json = "package-version" },
  { path = "pkg/__init__.py", regex = '__version__ = "(?<version>[^"]+)"', scheme = "pep440" },
]
"#,
    );
    repo.write(
        "pyproject.toml",
        "[project]\nname = 'pkg'\nversion = '0.9.0'  # single quotes stay\n",
    );
    repo.write(
        "version_info.json",
        "{\n  \"name\": \"pkg\",\n  \"package-version\": \"0.9.0\",\n  \"other\": \"0.9.0\"\n}\n",
    );
    repo.write(
        "pkg/__init__.py",
        "\"\"\"The package.\"\"\"\n__version__ = \"0.9.0\"\n",
    );
    repo.commit("chore: initial");
    repo
}

#[test]
fn mixed_schemes_bump_to_a_release_candidate() {
    let repo = python_project();
    repo.xtask(&["bump", "major", "--pre", "rc"])
        .ok()
        .says("1.0.0rc1");
    assert_eq!(
        repo.read("pyproject.toml"),
        "[project]\nname = 'pkg'\nversion = '1.0.0rc1'  # single quotes stay\n"
    );
    assert_eq!(
        repo.read("version_info.json"),
        "{\n  \"name\": \"pkg\",\n  \"package-version\": \"1.0.0-rc.1\",\n  \"other\": \"0.9.0\"\n}\n"
    );
    assert_eq!(
        repo.read("pkg/__init__.py"),
        "\"\"\"The package.\"\"\"\n__version__ = \"1.0.0rc1\"\n"
    );
    repo.xtask(&["version", "--all"])
        .ok()
        .says("pyproject.toml     1.0.0rc1");
    // Shown as the first file (PEP 440) spells it; JSON gives both spellings.
    repo.xtask(&["version", "--format", "json"])
        .ok()
        .says("\"version\":\"1.0.0rc1\"")
        .says("\"semver\":\"1.0.0-rc.1\"");
    repo.xtask(&["bump", "rc"]).ok().says("1.0.0rc2");
    repo.xtask(&["bump", "release"]).ok().says("1.0.0");
}

/// Two entries for one file (two places in `setup.cfg`, a third entry naming the first place again): every
/// place is bumped, in one change of the file.
#[test]
fn two_entries_for_one_file_bump_both_places() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        r#"[version]
files = [
  { path = "setup.cfg", regex = '(?m)^version = (?<version>\S+)$', scheme = "pep440" },
  { path = "setup.cfg", regex = 'current_version = (?<version>\S+)', scheme = "pep440" },
  { path = "setup.cfg", regex = '(?m)^version = (?<version>\S+)$', scheme = "pep440" },
]
dev = false
"#,
    );
    repo.write(
        "setup.cfg",
        "[metadata]\nversion = 0.9.0\n\n[bumpversion]\ncurrent_version = 0.9.0\n",
    );
    repo.commit("chore: initial");
    repo.xtask(&["bump", "minor", "--dry-run"])
        .ok()
        .says("+version = 0.10.0")
        .says("+current_version = 0.10.0");
    repo.xtask(&["bump", "minor"]).ok();
    assert_eq!(
        repo.read("setup.cfg"),
        "[metadata]\nversion = 0.10.0\n\n[bumpversion]\ncurrent_version = 0.10.0\n"
    );
    repo.xtask(&["version", "--all"])
        .ok()
        .says("agree on 0.10.0");
    repo.tag("v0.10.0");
    repo.write("a.txt", "a\n");
    repo.commit("fix: a");
    repo.xtask(&["release", "patch", "--yes"]).ok();
    assert_eq!(
        repo.read("setup.cfg"),
        "[metadata]\nversion = 0.10.1\n\n[bumpversion]\ncurrent_version = 0.10.1\n"
    );
}

#[track_caller]
fn refused_untouched(repo: &Repo, args: &[&str], code: i32, needle: &str) {
    let before = repo.state();
    repo.xtask(args).fails(code).says(needle);
    assert_eq!(repo.state(), before, "{args:?} must change nothing");
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let repo = python_project();
    refused_untouched(&repo, &["bump", "sideways"], 2, "major, minor, patch");
    refused_untouched(
        &repo,
        &["bump", "0.8.0"],
        1,
        "not greater than the current version 0.9.0",
    );
    // Files that disagree: reported with the file and line, nothing written.
    repo.write("pkg/__init__.py", "__version__ = \"0.8.0\"\n");
    refused_untouched(
        &repo,
        &["bump", "patch"],
        1,
        "pkg/__init__.py:1: version 0.8.0 disagrees",
    );
    repo.xtask(&["version", "--all"]).fails(1).says("disagrees");
    repo.xtask(&["check"]).fails(1).says("disagrees");
    // An unparsable version, a missing file, non-UTF-8 and malformed JSON.
    repo.write("pkg/__init__.py", "__version__ = \"banana\"\n");
    refused_untouched(&repo, &["bump", "patch"], 1, "pkg/__init__.py:1");
    std::fs::remove_file(repo.path().join("pkg/__init__.py")).unwrap();
    refused_untouched(
        &repo,
        &["bump", "patch"],
        1,
        "pkg/__init__.py: file not found",
    );
    std::fs::write(
        repo.path().join("pkg/__init__.py"),
        b"__version__ = \"0.9.0\"\n\xff\n",
    )
    .unwrap();
    refused_untouched(&repo, &["bump", "patch"], 1, "not valid UTF-8");
    repo.write("pkg/__init__.py", "__version__ = \"0.9.0\"\n");
    repo.write("version_info.json", "{ \"package-version\": \"0.9.0\", }\n");
    refused_untouched(&repo, &["bump", "patch"], 1, "version_info.json");
    repo.write("version_info.json", "{ \"package-version\": \"0.9.0\" }\n");
    // Configuration errors name the file, line and key.
    repo.write("xtask.toml", "[version]\nfilez = []\n");
    refused_untouched(
        &repo,
        &["version"],
        1,
        "xtask.toml:2:1: version.filez: unknown field `filez`",
    );
    // A Unicode class, which the pattern engine does not have: said, with what to write instead.
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"pkg/__init__.py\", regex = '\\p{L}+ = \"(?<version>[^\"]+)\"' }]\n",
    );
    refused_untouched(
        &repo,
        &["version"],
        1,
        "invalid regex: Unicode character classes are not supported (the syntax of Rust's `regex` crate, \
         with ASCII classes only: `[A-Za-z]` for a letter)",
    );
}

#[test]
fn works_from_a_subdirectory_and_with_dash_c() {
    let repo = cargo_workspace();
    let xtask_in = |dir: &std::path::Path, args: &[&str]| {
        let mut command = repo.command(support::xtask_bin(), args);
        command.current_dir(dir);
        support::run(command)
    };
    let run = xtask_in(&repo.path().join("app/src"), &["version"]).ok();
    assert_eq!(run.stdout.trim(), "0.1.0");
    let elsewhere = tempfile::TempDir::new().unwrap();
    let dash_c = ["-C", repo.path().to_str().unwrap(), "version"];
    let run = xtask_in(elsewhere.path(), &dash_c).ok();
    assert_eq!(run.stdout.trim(), "0.1.0");
    xtask_in(elsewhere.path(), &["version"])
        .fails(1)
        .says("not inside a git repository");
}
