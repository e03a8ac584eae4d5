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
    let _ = append_config;
}
