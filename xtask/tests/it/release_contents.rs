//! Which commits are in a release, on a history with two release lines: every way of asking (`changelog
//! --all`, `changelog --version`, the section a release wrote, its tag message, the unreleased draft on each
//! branch) gives exactly the commits of the definition, computed here with plain git.

use std::collections::BTreeSet;

use crate::support::Repo;

/// The kit's default release and development commit subjects.
fn is_kit_commit(subject: &str) -> bool {
    subject.starts_with("chore(release): ") || subject.starts_with("chore: start development of ")
}

/// The short hashes of the feat/fix commits of the definition for the release `x` after `prev`: git's
/// `prev..x`, minus the commits whose `-x` origin `prev` reaches, minus those a pick in `x..prev` names,
/// minus the kit's own commits.
fn expected(repo: &Repo, prev: Option<&str>, x: &str) -> BTreeSet<String> {
    let range = match prev {
        Some(prev) => format!("{prev}..{x}"),
        None => x.to_string(),
    };
    // Picks on the previous release's side, by the commits they name.
    let picked_before: BTreeSet<String> = match prev {
        Some(prev) => repo
            .git(&["log", "--format=%B", &format!("{x}..{prev}")])
            .lines()
            .filter_map(|l| l.strip_prefix("(cherry picked from commit "))
            .map(|l| l.trim_end_matches(')').to_string())
            .collect(),
        None => BTreeSet::new(),
    };
    let mut out = BTreeSet::new();
    for id in repo.git(&["rev-list", &range]).lines() {
        let subject = repo.git(&["log", "-1", "--format=%s", id]);
        let body = repo.git(&["log", "-1", "--format=%B", id]);
        let origin_released = body
            .lines()
            .filter_map(|l| l.strip_prefix("(cherry picked from commit "))
            .map(|l| l.trim_end_matches(')'))
            .any(|origin| {
                prev.is_some_and(|prev| {
                    repo.try_git(&["merge-base", "--is-ancestor", origin, prev])
                        .code
                        == 0
                })
            });
        if is_kit_commit(&subject)
            || origin_released
            || picked_before.contains(id)
            || !(subject.starts_with("feat") || subject.starts_with("fix"))
        {
            continue;
        }
        out.insert(id[..7].to_string());
    }
    out
}

/// The short hashes a changelog text lists (`- … (abc1234)`).
fn listed(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| l.starts_with("- "))
        .filter_map(|l| {
            let open = l.rfind('(')?;
            let hash = l[open + 1..].strip_suffix(')')?;
            (hash.len() == 7 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| hash.to_string())
        })
        .collect()
}

/// The section headed `## [heading]` of a changelog text, up to the next section.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text
        .find(&format!("## [{heading}]"))
        .unwrap_or_else(|| panic!("no {heading} section in:\n{text}"));
    let rest = &text[start + 3..];
    &text[start..start + 3 + rest.find("\n## ").unwrap_or(rest.len())]
}

/// A repository whose version lives in `VERSION`, nothing committed yet.
fn version_file_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '^(?<version>\\S+)' }]\n",
    );
    repo
}

/// The history of the issue: 1.3.0; cut at 1.4.0-dev with rc1 on `stable/1.4`; a fix on `main`
/// backported with `-x`; the final 1.4.0 on the line; more features on `main`; a second cut with its rc;
/// a patch 1.4.1 on the first line; one more feature on `main`, one more fix on `stable/1.4`.
fn two_lines() -> Repo {
    let repo = version_file_project();
    repo.write("VERSION", "1.3.0\n");
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.commit("feat: the first feature");
    repo.tag("v1.3.0");
    repo.write("VERSION", "1.4.0-dev\n");
    repo.commit("chore: begin 1.4.0");
    repo.write("a.txt", "a\n");
    repo.commit("feat: feature A for 1.4");
    repo.xtask(&["branch", "cut", "--rc", "--yes"]).ok();
    assert_eq!(repo.read("VERSION"), "1.5.0-dev\n");

    repo.write("f.txt", "fixed\n");
    repo.commit("fix: bug F found on main");
    let fix = repo.git(&["rev-parse", "HEAD"]);
    repo.write("b.txt", "b\n");
    repo.commit("feat: feature B for 1.5");
    repo.xtask(&["backport", &fix, "--to", "stable/1.4", "--yes"])
        .ok();

    repo.git(&["switch", "--quiet", "stable/1.4"]);
    repo.xtask(&["release", "release", "--yes"])
        .ok()
        .says("as v1.4.0");
    repo.git(&["switch", "--quiet", "main"]);
    repo.write("c.txt", "c\n");
    repo.commit("feat: feature C for 1.5");
    repo.xtask(&["branch", "cut", "--rc", "--yes"]).ok();
    assert_eq!(repo.read("VERSION"), "1.6.0-dev\n");

    repo.git(&["switch", "--quiet", "stable/1.4"]);
    repo.write("g.txt", "g\n");
    repo.commit("fix: bug G on the 1.4 line");
    repo.xtask(&["release", "patch", "--yes"])
        .ok()
        .says("as v1.4.1");
    repo.write("h.txt", "h\n");
    repo.commit("fix: bug H on the 1.4 line");
    repo.git(&["switch", "--quiet", "main"]);
    repo.write("d.txt", "d\n");
    repo.commit("feat: feature D for 1.6");
    repo
}

/// Each release and the one before it by version (the definition's `PREV`).
const RELEASES: &[(&str, Option<&str>)] = &[
    ("1.3.0", None),
    ("1.4.0-rc.1", Some("1.3.0")),
    ("1.4.0", Some("1.3.0")),
    ("1.4.1", Some("1.4.0")),
    ("1.5.0-rc.1", Some("1.4.1")),
];

#[test]
fn every_way_of_asking_gives_the_commits_of_the_definition_on_two_lines() {
    let repo = two_lines();
    let tag = |v: &str| format!("v{v}");
    let all = repo.xtask(&["changelog", "--all"]).ok().stdout;
    for (version, prev) in RELEASES {
        let want = expected(&repo, prev.map(tag).as_deref(), &tag(version));
        assert!(
            !want.is_empty() || *version == "1.3.0",
            "{version}: the fixture gives it commits"
        );
        assert_eq!(
            listed(section(&all, version)),
            want,
            "changelog --all, section {version}:\n{all}"
        );
        let one = repo.xtask(&["changelog", "--version", version]).ok().stdout;
        assert_eq!(listed(&one), want, "changelog --version {version}:\n{one}");
        if *version != "1.3.0" {
            // The section the release wrote, on the branch it was released on, and its tag message.
            let message = repo.git(&["tag", "-l", "--format=%(contents)", &tag(version)]);
            assert_eq!(
                listed(&message),
                want,
                "tag message of {version}:\n{message}"
            );
            let branch = if version.starts_with("1.4") {
                "stable/1.4"
            } else {
                "stable/1.5"
            };
            let file = repo.git(&["show", &format!("{}:CHANGELOG.md", tag(version))]);
            assert_eq!(
                listed(section(&file, version)),
                want,
                "CHANGELOG.md of {version} on {branch}:\n{file}"
            );
        }
    }
    // The final's notes cover its release candidate's: the feature cut with the rc is in both.
    let rc = listed(section(&all, "1.4.0-rc.1"));
    assert!(rc.is_subset(&listed(section(&all, "1.4.0"))), "{all}");
    // The backported fix is released in 1.4.0 (as its pick) and not listed again in 1.5.0-rc.1.
    let picked = repo.git(&["log", "-1", "--format=%h", "--grep=bug F", "main"]);
    assert!(
        !listed(section(&all, "1.5.0-rc.1")).contains(&picked),
        "{all}"
    );

    // The unreleased part of each branch.
    for (branch, prev) in [
        ("main", "v1.5.0-rc.1"),
        ("stable/1.4", "v1.4.1"),
        ("stable/1.5", "v1.5.0-rc.1"),
    ] {
        repo.git(&["switch", "--quiet", branch]);
        let draft = repo.xtask(&["changelog"]).ok().stdout;
        assert_eq!(
            listed(&draft),
            expected(&repo, Some(prev), "HEAD"),
            "changelog on {branch}:\n{draft}"
        );
        let json = repo.xtask(&["changelog", "--format", "json"]).ok().stdout;
        assert!(
            json.contains(&format!("\"previous_tag\": \"{prev}\"")),
            "{branch}: {json}"
        );
    }
    // `check` names the same release as the base of main's unreleased commits.
    repo.git(&["switch", "--quiet", "main"]);
    repo.xtask(&["check"]).says("v1.5.0-rc.1");
}

/// The version `release auto --dry-run` plans, from its JSON summary.
fn planned(repo: &Repo) -> String {
    let run = repo.xtask(&["release", "auto", "--dry-run", "--yes", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    json["version"].as_str().unwrap_or("").to_string()
}

#[test]
fn version_next_auto_is_the_version_release_auto_plans() {
    let repo = two_lines();
    // (what, branch, expected version)
    let cases = [
        ("main, a feature since the last candidate", "main", "1.6.0"),
        ("a line branch: a patch", "stable/1.4", "1.4.2"),
        // `auto` after a candidate promotes it: the features since the last final call for the minor.
        ("a line at its candidate", "stable/1.5", "1.5.0"),
    ];
    for (what, branch, want) in cases {
        repo.git(&["switch", "--quiet", branch]);
        let next = repo.xtask(&["version", "--next", "auto"]);
        assert_eq!(next.code, 0, "{what}: {}", next.stderr);
        assert_eq!(next.stdout.trim(), want, "{what}: version --next auto");
        assert_eq!(planned(&repo), want, "{what}: release auto --dry-run");
    }
    // After a fix on the candidate's line, and with released cherry-picks on main.
    repo.git(&["switch", "--quiet", "stable/1.5"]);
    repo.write("i.txt", "i\n");
    repo.commit("fix: bug I on the 1.5 line");
    let next = repo.xtask(&["version", "--next", "auto"]).ok().stdout;
    assert_eq!(next.trim(), planned(&repo), "after a candidate");
    repo.git(&["switch", "--quiet", "main"]);
    let fix = repo.git(&["rev-parse", "HEAD~0"]);
    repo.xtask(&["backport", &fix, "--to", "stable/1.5", "--yes"])
        .ok();
    let next = repo.xtask(&["version", "--next", "auto"]).ok().stdout;
    assert_eq!(next.trim(), planned(&repo), "with released picks");
}

#[test]
fn release_auto_right_after_a_release_has_nothing_to_release() {
    let repo = version_file_project();
    repo.write("VERSION", "0.1.0\n");
    repo.commit("feat: first");
    repo.tag("v0.1.0");
    repo.write("x.txt", "x\n");
    repo.commit("fix: a fix");
    repo.xtask(&["release", "auto", "--yes"])
        .ok()
        .says("as v0.1.1");
    let before = repo.state();
    repo.xtask(&["release", "auto", "--yes"])
        .fails(1)
        .says("nothing to release");
    assert!(repo.state() == before, "nothing changed");
    repo.xtask(&["version", "--next", "auto"])
        .fails(1)
        .says("nothing to release");
}

#[test]
fn hand_written_unreleased_entries_survive_a_release() {
    let repo = version_file_project();
    repo.write("VERSION", "0.1.0\n");
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.commit("feat: first");
    repo.tag("v0.1.0");
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [Unreleased]\n\n### Security\n\n- Rotated the signing key by hand.\n\n## [0.1.0] - 2024-01-01\n\n- first\n",
    );
    repo.write("x.txt", "x\n");
    repo.commit("feat: a feature");
    // The dry run shows the kept entry in the planned section and says so.
    repo.xtask(&["release", "auto", "--dry-run", "--yes"])
        .ok()
        .says("Rotated the signing key by hand.")
        .says("1 hand-written line of its Unreleased section is kept");
    repo.xtask(&["release", "auto", "--yes"]).ok();
    let file = repo.read("CHANGELOG.md");
    let released = section(&file, "0.2.0");
    assert!(
        released.contains("### Security\n\n- Rotated the signing key by hand."),
        "{file}"
    );
    assert!(released.contains("a feature"), "{file}");
    assert!(!file.contains("[Unreleased]"), "{file}");
    let message = repo.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]);
    assert!(
        message.contains("Rotated the signing key by hand."),
        "{message}"
    );
}

#[test]
fn a_release_has_one_date_wherever_it_is_printed() {
    let repo = version_file_project();
    repo.write("VERSION", "0.1.0\n");
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.commit("feat: first");
    repo.tag("v0.1.0");
    repo.write("x.txt", "x\n");
    repo.commit("fix: a fix");
    // 2030-01-02, far from the commits' own dates.
    let mut command = repo.command(crate::support::xtask_bin(), &["release", "patch", "--yes"]);
    command
        .env("SOURCE_DATE_EPOCH", "1893542400")
        .env_remove("GIT_COMMITTER_DATE");
    crate::support::run(command).ok();
    assert!(
        repo.read("CHANGELOG.md")
            .contains("## [0.1.1] - 2030-01-02")
    );
    for args in [
        &["changelog", "--version", "0.1.1"][..],
        &["changelog", "--all"][..],
        &["changelog", "--range", "v0.1.0..v0.1.1"][..],
    ] {
        repo.xtask(args).ok().says("## [0.1.1] - 2030-01-02");
    }
}
