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

/// Releases 0.9.0 and 1.0.0 (a `feat` reverted by git in between), a fix after.
fn two_releases() -> Repo {
    let repo = Repo::new();
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.commit("chore: initial");
    repo.tag("v0.9.0");
    repo.write("cache.txt", "cache\n");
    repo.commit("feat: add cache");
    repo.git(&["revert", "--no-edit", "HEAD"]);
    repo.commit("revert: fix: a wrong guess");
    repo.commit("feat: add export");
    repo.tag("v1.0.0");
    repo.commit("fix: after the release");
    repo
}

const TAGS_TEMPLATE: &str =
    "tag={{ tag }} previous_tag={{ previous_tag }} version={{ version }} previous={{ previous }}\n";

#[test]
fn version_and_range_name_their_tags_with_the_default_and_a_custom_template() {
    let repo = two_releases();
    // The default template: a tagged version gets its own release's commits, dated by its tag.
    let draft = repo.xtask(&["changelog", "--version", "1.0.0"]).ok().stdout;
    assert!(draft.starts_with("## [1.0.0] - 2024-01-01\n"), "{draft}");
    assert!(draft.contains("add export") && !draft.contains("after the release"));
    let json = repo
        .xtask(&["changelog", "--range", "v0.9.0..v1.0.0", "--format", "json"])
        .ok()
        .stdout;
    assert!(
        json.contains("\"tag\": \"v1.0.0\"") && json.contains("\"previous_tag\": \"v0.9.0\""),
        "{json}"
    );

    repo.write("templates/changelog.md.j2", TAGS_TEMPLATE);
    let cases: &[(&[&str], &str)] = &[
        (
            &["changelog", "--version", "1.0.0"],
            "tag=v1.0.0 previous_tag=v0.9.0 version=1.0.0 previous=0.9.0\n",
        ),
        (
            &["changelog", "--range", "v0.9.0..v1.0.0"],
            "tag=v1.0.0 previous_tag=v0.9.0 version=1.0.0 previous=0.9.0\n",
        ),
        (
            &["changelog", "--version", "1.1.0"],
            "tag=v1.1.0 previous_tag=v1.0.0 version=1.1.0 previous=1.0.0\n",
        ),
        (
            &["changelog", "--range", "v1.0.0..HEAD", "--version", "1.0.1"],
            "tag=v1.0.1 previous_tag=v1.0.0 version=1.0.1 previous=1.0.0\n",
        ),
        // Nothing to name: empty, never `none`.
        (
            &["changelog"],
            "tag= previous_tag=v1.0.0 version= previous=1.0.0\n",
        ),
        (
            &["changelog", "--range", "HEAD~1..HEAD"],
            "tag= previous_tag= version= previous=\n",
        ),
    ];
    for (args, want) in cases {
        let out = repo.xtask(args).ok().stdout;
        assert_eq!(&out, want, "{args:?}");
    }
    let all = repo.xtask(&["changelog", "--all"]).ok().stdout;
    assert!(!all.to_lowercase().contains("none"), "{all}");
}

#[test]
fn reverts_go_to_reverted_naming_what_they_revert() {
    let repo = two_releases();
    let draft = repo
        .xtask(&["changelog", "--range", "v0.9.0..v1.0.0"])
        .ok()
        .stdout;
    let reverted = draft.find("### Reverted").expect("a Reverted group");
    let section = &draft[reverted..];
    assert!(section.contains("\n- feat: add cache ("), "{draft}");
    assert!(section.contains("\n- fix: a wrong guess ("), "{draft}");
    assert!(!draft.contains("Revert \""), "{draft}");
    // Configurable like every group.
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n\n[changelog]\ngroups = [{ title = \"Rolled back\", types = [\"revert\"] }]\nother = false\n",
    );
    let draft = repo
        .xtask(&["changelog", "--range", "v0.9.0..v1.0.0"])
        .ok()
        .stdout;
    assert!(
        draft.contains("### Rolled back\n") && draft.contains("\n- feat: add cache ("),
        "{draft}"
    );
}

/// A reader that stops early closes the pipe: the command ends quietly (exit 0, or killed by SIGPIPE as
/// `git log | head` is), never with a panic.
#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let repo = two_releases();
    // A template that writes about a megabyte, far more than a pipe holds.
    repo.write(
        "templates/changelog.md.j2",
        "{% for i in range(2000) %}{% for j in range(50) %}line {{ i }} {{ j }} of a long changelog\n{% endfor %}{% endfor %}",
    );
    let quiet = |status: std::process::ExitStatus, stderr: &str| {
        use std::os::unix::process::ExitStatusExt;
        assert!(
            status.code() == Some(0) || status.signal() == Some(13),
            "{status:?}\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    };
    // stdout closed: `changelog --all | head -1`.
    let mut child = repo
        .command(crate::support::xtask_bin(), &["changelog", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let output = child.wait_with_output().unwrap();
    quiet(output.status, &String::from_utf8_lossy(&output.stderr));
    // The dry run's plan is its data, on stdout: `release --dry-run | head -1`.
    let mut child = repo
        .command(
            crate::support::xtask_bin(),
            &["release", "--dry-run", "--yes", "minor"],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "Release plan (dry run: nothing is changed)\n");
    let output = child.wait_with_output().unwrap();
    quiet(output.status, &String::from_utf8_lossy(&output.stderr));
}

/// Tags in another format: every command that looks for the last release says so, and suggests the format.
#[test]
fn release_tags_in_another_format_are_explained() {
    let repo = Repo::new();
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.commit("chore: initial");
    repo.tag("release-1.0");
    repo.commit("feat: add export");
    let before = repo.state();
    for args in [
        &["changelog"][..],
        &["changelog", "--all"],
        &["release", "--dry-run", "--yes", "minor"],
        &["version", "--next", "auto"],
        &["check"],
    ] {
        let run = repo.xtask(args).ok();
        for needle in [
            "warning: no tag reachable from HEAD follows tag.format `v{{ version }}`",
            "tag `release-1.0`",
            "format = \"release-{{ version }}\"",
        ] {
            assert!(
                run.stderr.contains(needle),
                "{args:?}: {needle:?} in\n{}",
                run.stderr
            );
        }
    }
    assert_eq!(repo.xtask(&["version", "--next", "auto"]).stdout, "1.1.0\n");
    assert_eq!(repo.state(), before);
    // Without any tag, the warning names the format only; with a release tag, there is none.
    repo.git(&["tag", "--delete", "release-1.0"]);
    let run = repo.xtask(&["changelog"]).ok();
    assert!(run.stderr.contains("tag.format `v{{ version }}`") && !run.stderr.contains("release-"));
    repo.tag("v1.0.0");
    let run = repo.xtask(&["check"]).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(
        run.stderr.contains("last release: 1.0.0 (tag v1.0.0)"),
        "{}",
        run.stderr
    );
}

/// A message stored in Latin-1 (git's `encoding` header says so) reads back as UTF-8, not mojibake.
#[test]
fn messages_in_a_legacy_encoding_are_decoded() {
    let repo = Repo::new();
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.commit("chore: initial");
    repo.tag("v1.0.0");
    // "feat: gérer les données" in ISO-8859-1: é is one byte, 0xE9.
    // Outside the work tree, so that it is not committed.
    let file = repo.home.path().join("latin1-message");
    std::fs::write(&file, b"feat: g\xe9rer les donn\xe9es\n").unwrap();
    repo.git(&[
        "-c",
        "i18n.commitEncoding=ISO-8859-1",
        "commit",
        "--quiet",
        "--allow-empty",
        "-F",
        file.to_str().unwrap(),
    ]);
    assert!(
        repo.git(&["cat-file", "commit", "HEAD"])
            .contains("encoding ISO-8859-1"),
        "the commit carries the header"
    );
    let draft = repo.xtask(&["changelog"]).ok().stdout;
    assert!(draft.contains("- gérer les données ("), "{draft}");
    assert!(
        !draft.contains('\u{fffd}') && !draft.contains("Ã"),
        "{draft}"
    );
}

/// Feeds `stream` to `git fast-import` in the repository.
fn fast_import(repo: &Repo, stream: &str) {
    use std::io::Write;
    let mut command = repo.command("git", &["fast-import", "--quiet"]);
    command
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let fed = child.stdin.take().unwrap().write_all(stream.as_bytes());
    let out = child.wait_with_output().unwrap();
    assert!(
        fed.is_ok() && out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Moves every pack's objects out into loose objects.
fn unpack_all(repo: &Repo) {
    let packs = repo.path().join(".git/objects/pack");
    for entry in std::fs::read_dir(&packs).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "pack") {
            let kept = repo.home.path().join("unpacking.pack");
            std::fs::rename(&path, &kept).unwrap();
            std::fs::remove_file(path.with_extension("idx")).unwrap();
            let mut command = repo.command("git", &["unpack-objects", "-q"]);
            command.stdin(std::fs::File::open(&kept).unwrap());
            assert!(command.status().unwrap().success());
        }
    }
}

/// `changelog --all` reads a long history's far end ahead from the largest pack: whatever the pack's order
/// (oldest first as `fast-import` writes it, newest first as `repack` does), and with the newest commits
/// outside it, the changelog is the one read from loose objects.
#[test]
fn the_whole_history_reads_the_same_from_packs_in_any_order() {
    let repo = Repo::new();
    let data = |text: &str| format!("data {}\n{text}\n", text.len());
    let mut stream = format!(
        "commit refs/heads/main\nmark :1\ncommitter A <a@example.com> 1700000000 +0000\n{}\
         M 100644 inline VERSION.json\n{}M 100644 inline xtask.toml\n{}",
        data("chore: initial"),
        data("{ \"version\": \"1.0.0\" }"),
        data("[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]"),
    );
    for n in 2..=700 {
        let message = match n % 4 {
            0 => format!("feat(part{}): add feature {n}", n % 7),
            1 => format!("fix: repair case {n}\n\nMore words about {n}."),
            2 => format!("docs: explain {n}"),
            _ => format!("perf!: make {n} faster"),
        };
        stream.push_str(&format!(
            "commit refs/heads/main\nmark :{n}\ncommitter A <a@example.com> {} +0000\n{}from :{}\n",
            1_700_000_000 + n * 60,
            data(&message),
            n - 1
        ));
        if n % 150 == 0 {
            stream.push_str(&format!(
                "tag v1.{}.0\nfrom :{n}\ntagger A <a@example.com> {} +0000\n{}",
                n / 150,
                1_700_000_000 + n * 60 + 30,
                data("release")
            ));
        }
    }
    fast_import(&repo, &stream);
    repo.git(&["reset", "--hard", "--quiet", "main"]);
    // Two commits loose above the pack: the walk enters the pack at its newer end, the read-ahead at the other.
    repo.commit("fix: above the pack");
    repo.commit("feat: above the pack too");
    let oldest_first = repo.xtask(&["changelog", "--all"]).ok().stdout;
    assert!(
        oldest_first.contains("above the pack too"),
        "{oldest_first}"
    );
    assert!(oldest_first.contains("## [1.4.0]"), "{oldest_first}");
    assert!(oldest_first.contains("add feature 700"), "{oldest_first}");

    unpack_all(&repo);
    let loose = repo.xtask(&["changelog", "--all"]).ok().stdout;
    assert_eq!(oldest_first, loose);

    repo.git(&["repack", "-adq"]);
    let newest_first = repo.xtask(&["changelog", "--all"]).ok().stdout;
    assert_eq!(newest_first, loose);

    // A replaced commit (`git replace`) reads as its replacement, as git log shows it, from the pack too.
    let old = repo.git(&["rev-parse", "main~600"]);
    let original = repo.git(&["cat-file", "commit", &old]);
    let headers = original.split("\n\n").next().unwrap();
    let mut write = repo.command("git", &["hash-object", "-t", "commit", "-w", "--stdin"]);
    write
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = write.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        write!(stdin, "{headers}\n\nfeat: the replacement\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let replacement = String::from_utf8(out.stdout).unwrap().trim().to_string();
    repo.git(&["replace", &old, &replacement]);
    let replaced = repo.xtask(&["changelog", "--all"]).ok().stdout;
    assert!(replaced.contains("the replacement"), "{replaced}");
    repo.git(&["replace", "-d", &old]);

    // The newest commits loose, the rest in the pack.
    for n in 0..5 {
        repo.commit(&format!("fix: after the pack {n}"));
    }
    let mixed = repo.xtask(&["changelog", "--all"]).ok().stdout;
    unpack_all(&repo);
    assert_eq!(mixed, repo.xtask(&["changelog", "--all"]).ok().stdout);
    assert!(mixed.contains("after the pack 4"), "{mixed}");
}
