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
