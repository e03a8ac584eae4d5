//! CI versions: nightly and dev-build versions, and releasing the version a file already holds.

use crate::support::Repo;

/// 2026-01-01T00:00:00Z, a different day from the fixtures' commits (2024).
const NEW_YEAR_2026: &str = "1767225600";

/// A project whose `version_info.json` holds the next version, `3.1.0`, after the release `v3.0.0`,
/// with four commits since that tag.
fn next_version_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        r#"[version]
files = [{ path = "version_info.json", json = "package-version", scheme = "pep440" }]
dev = "{{ major }}.{{ minor }}.{{ patch + 1 }}"
"#,
    );
    repo.write("version_info.json", "{\"package-version\": \"3.0.0\"}\n");
    repo.commit("chore: initial");
    repo.tag("v3.0.0");
    repo.write("version_info.json", "{\"package-version\": \"3.1.0\"}\n");
    repo.commit("chore: next version is 3.1.0");
    for (file, message) in [("a", "feat: a"), ("b", "fix: b"), ("c", "docs: c")] {
        repo.write(file, "\n");
        repo.commit(message);
    }
    repo
}

fn at(repo: &Repo, args: &[&str]) -> String {
    let run = repo
        .xtask_env(args, &[("SOURCE_DATE_EPOCH", NEW_YEAR_2026)])
        .ok();
    run.stdout.trim().to_string()
}

#[test]
fn nightly_and_dev_versions_are_printed_in_either_scheme() {
    let repo = next_version_project();
    let before = repo.state();
    assert_eq!(at(&repo, &["version", "--nightly"]), "3.1.0-rc.20260101");
    assert_eq!(
        at(&repo, &["version", "--nightly", "--scheme", "pep440"]),
        "3.1.0rc20260101"
    );
    assert_eq!(
        at(
            &repo,
            &["version", "--dev", "--build", "50", "--scheme", "pep440"]
        ),
        "3.1.0.dev50"
    );
    // Without --build, N is the number of commits since the last release tag.
    assert_eq!(
        at(&repo, &["version", "--dev", "--scheme", "pep440"]),
        "3.1.0.dev4"
    );
    let json = at(&repo, &["version", "--nightly", "--format", "json"]);
    assert!(json.contains("\"semver\":\"3.1.0-rc.20260101\""), "{json}");
    assert!(json.contains("\"pep440\":\"3.1.0rc20260101\""), "{json}");
    // A date that is no count of seconds since 1970 is refused, not turned into 1969.
    for bad in ["-5", " 1767225600", "1.5e9"] {
        repo.xtask_env(&["version", "--nightly"], &[("SOURCE_DATE_EPOCH", bad)])
            .fails(2)
            .says("is not a number of seconds since 1970");
    }
    // Nothing is written.
    assert_eq!(repo.state(), before);
}

#[test]
fn bump_stamps_a_nightly_into_the_files() {
    let repo = next_version_project();
    at(&repo, &["bump", "--nightly"]);
    assert_eq!(
        repo.read("version_info.json"),
        "{\"package-version\": \"3.1.0rc20260101\"}\n"
    );
    repo.git(&["checkout", "--", "version_info.json"]);
    at(&repo, &["bump", "--dev", "--build", "7"]);
    assert_eq!(
        repo.read("version_info.json"),
        "{\"package-version\": \"3.1.0.dev7\"}\n"
    );
}

#[test]
fn the_version_as_written_is_released_and_nightlies_then_outrank_it() {
    let repo = next_version_project();
    let run = repo
        .xtask_env(
            &["release", "release", "--yes"],
            &[("SOURCE_DATE_EPOCH", NEW_YEAR_2026)],
        )
        .ok();
    assert!(
        run.stderr.contains("released 3.1.0 as v3.1.0"),
        "{}",
        run.stderr
    );
    assert_eq!(
        repo.git(&["show", "v3.1.0:version_info.json"]),
        "{\"package-version\": \"3.1.0\"}"
    );
    // version.dev is a final version here: the file moves on to 3.1.1 without a suffix.
    assert_eq!(
        repo.read("version_info.json"),
        "{\"package-version\": \"3.1.1\"}\n"
    );
    assert_eq!(
        at(&repo, &["version", "--nightly", "--scheme", "pep440"]),
        "3.1.1rc20260101"
    );
    // 3.1.1 is not released, so the file's version is the base; once a tag names the file's
    // version, nightlies move on to the next patch.
    repo.write("version_info.json", "{\"package-version\": \"3.1.0\"}\n");
    repo.commit("chore: back to 3.1.0");
    assert_eq!(at(&repo, &["version", "--nightly"]), "3.1.1-rc.20260101");
    // Released as written only once: the tag exists now.
    repo.xtask(&["release", "release", "--yes"])
        .fails(1)
        .says("already a final release");
}

#[test]
fn a_cargo_crate_gets_semver_ci_versions() {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"crate\"\nversion = \"0.9.0-dev\"\nedition = \"2021\"\n",
    );
    repo.write("src/lib.rs", "\n");
    repo.commit("chore: initial");
    assert_eq!(at(&repo, &["version", "--nightly"]), "0.9.0-rc.20260101");
    assert_eq!(
        at(&repo, &["version", "--dev", "--build", "3"]),
        "0.9.0-dev.3"
    );
    // No release tag yet: every commit counts.
    assert_eq!(at(&repo, &["version", "--dev"]), "0.9.0-dev.1");
    repo.xtask(&["bump", "--build", "3"]).fails(2);
    repo.xtask(&["bump"]).fails(2);
}

/// A shallow clone that does not reach the last release cannot count the commits since it: `version --dev`
/// refuses (a number too low would repeat across builds) and says how to fetch the rest; a clone deep
/// enough to hold the release counts as the full history does.
#[test]
fn a_shallow_clone_refuses_a_dev_number_it_cannot_count() {
    let origin = crate::support::Repo::new();
    origin.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    for n in 0..3 {
        origin.write("VERSION.json", &format!("{{\"version\": \"2.{n}.0\"}}\n"));
        origin.commit(&format!("feat: older {n}"));
    }
    origin.tag("v2.2.0");
    origin.write("VERSION.json", "{\"version\": \"2.3.0\"}\n");
    origin.commit("chore: next version is 2.3.0");
    for message in ["feat: a", "fix: b", "docs: c"] {
        origin.write(message, "\n");
        origin.commit(message);
    }
    let full = at(&origin, &["version", "--dev"]);
    assert_eq!(full, "2.3.0-dev.4");
    let url = format!("file://{}", origin.path().display());
    // Depth 2 stops above the release; depth 5 holds it (and the shallow cut is below it).
    for (depth, expected) in [("2", None), ("5", Some(full.as_str()))] {
        let clone = crate::support::Repo::new();
        clone.git(&["fetch", "--quiet", "--depth", depth, &url, "main"]);
        clone.git(&["reset", "--hard", "--quiet", "FETCH_HEAD"]);
        if expected.is_some() {
            clone.git(&[
                "fetch",
                "--quiet",
                &url,
                "refs/tags/v2.2.0:refs/tags/v2.2.0",
            ]);
        }
        assert_eq!(clone.git(&["rev-parse", "--is-shallow-repository"]), "true");
        let before = clone.state();
        match expected {
            None => {
                clone
                    .xtask(&["version", "--dev"])
                    .fails(1)
                    .says("shallow clone")
                    .says("git fetch --unshallow --tags")
                    .says("--build N");
                // A number given is used as it is.
                assert_eq!(
                    at(&clone, &["version", "--dev", "--build", "7"]),
                    "2.3.0-dev.7"
                );
            }
            Some(version) => assert_eq!(at(&clone, &["version", "--dev"]), version),
        }
        assert_eq!(clone.state(), before);
    }
}
