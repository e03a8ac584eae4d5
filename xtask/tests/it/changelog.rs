//! The changelog draft on a real history: breaking changes first, merges and fixups left out, golden output.

use crate::support::{COMMIT_DAY, RELEASE_DAY, Repo};

fn history() -> Repo {
    let repo = Repo::new();
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\nKept verbatim.\n\n## [1.0.0] - 2023-12-01\n\n- the first release\n",
    );
    repo.commit("chore: initial");
    repo.git(&["tag", "--annotate", "v1.0.0", "-m", "Release 1.0.0"]);
    repo.commit("feat(cli): add --json (#12)");
    repo.commit("fix: handle empty input");
    repo.commit("feat!: drop the legacy API");
    repo.commit("refactor: simplify the parser\n\nBREAKING CHANGE: parse() now returns a Result");
    repo.commit("docs: explain templates");
    repo.commit("did some stuff");
    repo.git(&["checkout", "--quiet", "-b", "feature/merge"]);
    repo.commit("feat(merge): from a branch");
    repo.git(&["checkout", "--quiet", "main"]);
    repo.git(&[
        "merge",
        "--quiet",
        "--no-ff",
        "feature/merge",
        "-m",
        "Merge branch 'feature/merge'",
    ]);
    repo.commit("fixup! fix: handle empty input");
    repo
}

#[test]
fn the_draft_lists_breaking_changes_first_and_leaves_out_merges_and_fixups() {
    let repo = history();
    let draft = repo.xtask(&["changelog"]).ok().stdout;
    let expected = "## [Unreleased]

### ⚠ Breaking changes

- parse() now returns a Result (HASH)
- drop the legacy API (HASH)

### Added

- **merge:** from a branch (HASH)
- drop the legacy API (HASH)
- **cli:** add --json (#12) (HASH)

### Changed

- simplify the parser (HASH)

### Fixed

- handle empty input (HASH)

### Documentation

- explain templates (HASH)

### Other

- did some stuff (HASH)
";
    let hashes = regex_lite_replace(&draft);
    assert_eq!(hashes, expected, "{draft}");
    assert!(!draft.contains("Merge branch") && !draft.contains("fixup!"));
    let json = repo.xtask(&["changelog", "--format", "json"]).ok().stdout;
    assert!(
        json.contains("\"breaking\"") && json.contains("\"pr\": 12"),
        "{json}"
    );
}

#[test]
fn release_auto_makes_a_major_and_keeps_the_file_verbatim() {
    let repo = history();
    repo.xtask(&["release", "auto", "--yes", "--no-dev"]).ok();
    assert_eq!(repo.git(&["describe", "--exact-match"]), "v2.0.0");
    let file = repo.read("CHANGELOG.md");
    // A release is dated by SOURCE_DATE_EPOCH, not by its commits (a different day in the tests).
    assert!(
        file.starts_with(&format!(
            "# Changelog\n\nKept verbatim.\n\n## [2.0.0] - {RELEASE_DAY}\n\n### ⚠ Breaking changes\n"
        )),
        "{file}"
    );
    assert!(
        file.ends_with("\n## [1.0.0] - 2023-12-01\n\n- the first release\n"),
        "{file}"
    );
    // The whole history: one section per release, newest first, each dated by its tagged commit.
    let all = repo.xtask(&["changelog", "--all"]).ok().stdout;
    let v2 = all
        .find(&format!("## [2.0.0] - {COMMIT_DAY}"))
        .unwrap_or_else(|| panic!("{all}"));
    let v1 = all
        .find(&format!("## [1.0.0] - {COMMIT_DAY}"))
        .unwrap_or_else(|| panic!("{all}"));
    assert!(v2 < v1, "{all}");
    assert!(!all.contains(RELEASE_DAY), "{all}");
    repo.xtask(&["changelog", "--write", "--range", "v1.0.0..v2.0.0"])
        .fails(2);
}

#[test]
fn writing_a_released_versions_notes_again_keeps_them() {
    let repo = history();
    // Notes drafted ahead of the release, written twice: the second write replaces the first.
    repo.xtask(&["changelog", "--write", "--version", "2.0.0"])
        .ok();
    let drafted = repo.read("CHANGELOG.md");
    assert!(
        drafted.starts_with(&format!(
            "# Changelog\n\nKept verbatim.\n\n## [2.0.0] - {RELEASE_DAY}\n\n### ⚠ Breaking changes\n"
        )),
        "{drafted}"
    );
    assert!(drafted.contains("- drop the legacy API ("), "{drafted}");
    repo.xtask(&["changelog", "--write", "--version", "2.0.0"])
        .ok();
    assert_eq!(repo.read("CHANGELOG.md"), drafted);
    repo.commit("chore: notes for 2.0.0");

    repo.xtask(&["release", "2.0.0", "--yes", "--no-dev"]).ok();
    let released = repo.read("CHANGELOG.md");
    assert_eq!(
        released, drafted,
        "the release writes the same notes in the same place"
    );

    // Once 2.0.0 is released, writing its notes again is refused and changes nothing.
    let before = repo.state();
    repo.xtask(&["changelog", "--write", "--version", "2.0.0"])
        .fails(1)
        .says("CHANGELOG.md already has the notes of 2.0.0, which is released (tag v2.0.0)")
        .says("delete the 2.0.0 section");
    assert_eq!(repo.state(), before);
    assert_eq!(repo.read("CHANGELOG.md"), released);

    // Printed, the released version's notes come from its own commits (v1.0.0..v2.0.0), dated by its tag.
    let printed = repo.xtask(&["changelog", "--version", "2.0.0"]).ok().stdout;
    let section = |text: &str| {
        let start = text.find("## [2.0.0]").unwrap_or_else(|| panic!("{text}"));
        let end = text.find("## [1.0.0]").unwrap_or(text.len());
        regex_lite_replace(&text[start..end])
            .split_once('\n')
            .map(|(_, body)| body.trim().to_string())
            .unwrap()
    };
    assert!(
        printed.starts_with(&format!("## [2.0.0] - {COMMIT_DAY}\n")),
        "{printed}"
    );
    assert_eq!(section(&printed), section(&released));
    assert!(!printed.contains("No notable changes"), "{printed}");

    // With the section deleted, `--write` regenerates it from that range.
    let without = released.replace(
        &released[released.find("## [2.0.0]").unwrap()..released.find("## [1.0.0]").unwrap()],
        "",
    );
    repo.write("CHANGELOG.md", &without);
    repo.xtask(&["changelog", "--write", "--version", "2.0.0"])
        .ok();
    let regenerated = repo.read("CHANGELOG.md");
    assert_eq!(section(&regenerated), section(&released));
    assert!(
        regenerated.starts_with(&format!(
            "# Changelog\n\nKept verbatim.\n\n## [2.0.0] - {COMMIT_DAY}\n\n### ⚠ Breaking changes\n"
        )),
        "{regenerated}"
    );
    assert!(regenerated.ends_with("\n## [1.0.0] - 2023-12-01\n\n- the first release\n"));
}

/// Short hashes vary with the clock; replace them with HASH.
fn regex_lite_replace(text: &str) -> String {
    text.lines()
        .map(|line| match line.rfind(" (") {
            Some(i)
                if line.ends_with(')')
                    && line[i + 2..line.len() - 1]
                        .chars()
                        .all(|c| c.is_ascii_hexdigit()) =>
            {
                format!("{} (HASH)", &line[..i])
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
