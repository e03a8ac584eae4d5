//! Deprecation windows over several releases: `Deprecated:`/`Removed:` footers in the changelog, the
//! `deprecations` ledger, and the release refusing a removal before its window opens.

use crate::support::Repo;

const OPTION: &str = "the epoch_transitions_only option";

/// A project at 2.1.0, released as `v2.1.0`, with `extra` appended to its `xtask.toml`.
fn project(extra: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        &format!("[version]\nfiles = [\"package.json\"]\n{extra}"),
    );
    repo.write("package.json", "{\n  \"version\": \"2.1.0\"\n}\n");
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.commit("chore: initial import");
    repo.tag("v2.1.0");
    repo
}

fn deprecate(repo: &Repo) {
    repo.write("src/sync.rs", "// epoch streams\n");
    repo.commit(&format!(
        "feat(sync): epoch streams\n\nThey replace the old option.\n\nDeprecated: {OPTION}\nRefs: #42"
    ));
}

fn remove(repo: &Repo) {
    repo.write("src/sync.rs", "// epoch streams only\n");
    repo.commit(&format!(
        "refactor(sync): drop the old option\n\nRemoved: {}",
        OPTION.to_uppercase()
    ));
}

fn fix(repo: &Repo, what: &str) {
    repo.write("src/fix.rs", &format!("// {what}\n"));
    repo.commit(&format!("fix: {what}"));
}

fn ledger_json(repo: &Repo) -> serde_json::Value {
    let run = repo.xtask(&["deprecations", "--format", "json"]).ok();
    serde_json::from_str(run.stdout.trim()).expect("deprecations --format json prints JSON")
}

/// The one line of the ledger about `OPTION`, as (announced, removable from, state).
fn ledger_line(repo: &Repo) -> (serde_json::Value, serde_json::Value, String) {
    let json = ledger_json(repo);
    let items = json["deprecations"].as_array().expect("an array").clone();
    assert_eq!(items.len(), 1, "{json}");
    let item = &items[0];
    assert_eq!(item["what"], OPTION, "{json}");
    (
        item["announced"].clone(),
        item["removable_from"].clone(),
        item["state"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_deprecation_is_listed_released_and_its_window_opens_two_minors_later() {
    let repo = project("");
    deprecate(&repo);
    // Before its release: unreleased, no window yet.
    repo.xtask(&["deprecations"])
        .ok()
        .says("open")
        .says("unreleased")
        .says("once released")
        .says(OPTION);
    assert_eq!(
        ledger_line(&repo),
        (
            serde_json::Value::Null,
            serde_json::Value::Null,
            "open".into()
        )
    );

    let run = repo.xtask(&["release", "minor", "--yes"]).ok();
    assert!(!run.stderr.contains("may now be removed"), "{}", run.stderr);
    let changelog = repo.read("CHANGELOG.md");
    assert!(
        changelog.contains(&format!(
            "### Added\n\n- **sync:** epoch streams ({short})\n\n### Deprecated\n\n- **sync:** {OPTION} ({short})\n",
            short = repo.git(&["rev-parse", "--short=7", "v2.2.0^{commit}~1"])
        )),
        "{changelog}"
    );

    // Announced in 2.2.0, removable from 2.4.0.
    let run = repo.xtask(&["deprecations"]).ok();
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains(OPTION))
        .unwrap_or_default()
        .to_string();
    for needle in ["open", "2.2.0", "2.4.0"] {
        assert!(line.contains(needle), "{line:?} lacks {needle}");
    }
    assert_eq!(
        ledger_line(&repo),
        ("2.2.0".into(), "2.4.0".into(), "open".into())
    );
    let json = ledger_json(&repo);
    assert_eq!(json["policy"], "two-minors");
    assert_eq!(json["deprecations"][0]["announced_tag"], "v2.2.0");
    assert_eq!(
        json["deprecations"][0]["subject"],
        "feat(sync): epoch streams"
    );

    // 2.3.0 says nothing of it.
    fix(&repo, "one");
    let run = repo.xtask(&["release", "minor", "--yes"]).ok();
    assert!(
        !run.stderr.contains("may now be removed") && !run.stderr.contains(OPTION),
        "{}",
        run.stderr
    );
    assert_eq!(
        ledger_line(&repo),
        ("2.2.0".into(), "2.4.0".into(), "open".into())
    );

    // 2.4.0 opens the window: its dry run and the release say so, once.
    fix(&repo, "two");
    repo.xtask(&["release", "minor", "--dry-run"])
        .ok()
        .says(&format!(
            "may now be removed: \"{OPTION}\" (deprecated in 2.2.0"
        ));
    repo.xtask(&["release", "minor", "--yes"])
        .ok()
        .says("released 2.4.0 as v2.4.0")
        .says(&format!(
            "may now be removed: \"{OPTION}\" (deprecated in 2.2.0"
        ));
    assert_eq!(
        ledger_line(&repo),
        ("2.2.0".into(), "2.4.0".into(), "removable".into())
    );
    fix(&repo, "three");
    let run = repo.xtask(&["release", "patch", "--yes"]).ok();
    assert!(!run.stderr.contains("may now be removed"), "{}", run.stderr);

    // Removed (spelled in another case) in 2.4.2: the ledger says so, and so does the changelog.
    remove(&repo);
    let run = repo.xtask(&["release", "patch", "--yes"]).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(
        ledger_line(&repo),
        ("2.2.0".into(), "2.4.0".into(), "removed".into())
    );
    assert_eq!(
        ledger_json(&repo)["deprecations"][0]["removed"]["release"],
        "2.4.2"
    );
    let section = repo.git(&["show", "v2.4.2:CHANGELOG.md"]);
    assert!(
        section.contains(&format!(
            "### Removed\n\n- **sync:** {}",
            OPTION.to_uppercase()
        )),
        "{section}"
    );
}

#[test]
fn a_removal_before_its_window_is_refused_changing_nothing_unless_forced() {
    let repo = project("");
    deprecate(&repo);
    repo.xtask(&["release", "minor", "--yes"]).ok();
    remove(&repo);
    let before = repo.state();

    for args in [
        &["release", "minor", "--yes"][..],
        &["release", "minor", "--dry-run"],
        &["release", "2.3.5", "--yes"],
    ] {
        let run = repo.xtask(args).fails(1);
        for needle in [
            OPTION,
            "too early",
            "deprecated in 2.2.0 (v2.2.0)",
            "from 2.4.0 on",
            "--force",
        ] {
            assert!(
                run.stderr.contains(needle),
                "{args:?}: {needle:?} in\n{}",
                run.stderr
            );
        }
        assert_eq!(repo.state(), before, "{args:?} changed the repository");
    }
    // A later major is past the window.
    repo.xtask(&["release", "major", "--dry-run"]).ok();
    repo.xtask(&["release", "2.4.0", "--dry-run"]).ok();
    assert_eq!(repo.state(), before);

    repo.xtask(&["release", "minor", "--force", "--yes"])
        .ok()
        .says("too early")
        .says("anyway because of --force")
        .says("released 2.3.0 as v2.3.0");
    assert_eq!(repo.git(&["tag", "--list", "v2.3.0"]), "v2.3.0");
    assert_eq!(
        ledger_line(&repo),
        ("2.2.0".into(), "2.4.0".into(), "removed".into())
    );
}

#[test]
fn next_major_counts_from_the_next_major_and_off_checks_nothing() {
    let repo = project("\n[policy]\ndeprecation = \"next-major\"\n");
    deprecate(&repo);
    repo.xtask(&["release", "minor", "--yes"]).ok();
    assert_eq!(
        ledger_line(&repo),
        ("2.2.0".into(), "3.0.0".into(), "open".into())
    );
    repo.xtask(&["deprecations"])
        .ok()
        .says("3.0.0")
        .says("next-major");
    remove(&repo);
    let before = repo.state();
    repo.xtask(&["release", "2.4.0", "--yes"])
        .fails(1)
        .says("the next-major policy allows its removal from 3.0.0 on, not in 2.4.0");
    assert_eq!(repo.state(), before);
    repo.xtask(&["release", "major", "--dry-run"]).ok();

    // Off: the same removal passes.
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [\"package.json\"]\n\n[policy]\ndeprecation = \"off\"\n",
    );
    repo.commit("chore: no deprecation windows");
    let run = repo.xtask(&["release", "minor", "--dry-run"]).ok();
    assert!(!run.stderr.contains("too early"), "{}", run.stderr);
    assert_eq!(ledger_json(&repo)["policy"], "off");

    // A value the kit does not know is an error naming the key, and changes nothing.
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [\"package.json\"]\n\n[policy]\ndeprecation = \"never\"\n",
    );
    repo.commit("chore: a typo");
    let before = repo.state();
    repo.xtask(&["deprecations"]).fails(1).says(
        "policy.deprecation must be \"two-minors\", \"next-major\" or \"off\", not \"never\"",
    );
    repo.xtask(&["release", "minor", "--yes"]).fails(1);
    assert_eq!(repo.state(), before);
}

#[test]
fn a_removal_nobody_announced_is_a_warning() {
    let repo = project("");
    repo.write("src/a.rs", "\n");
    repo.commit("refactor: tidy\n\nRemoved: the --turbo flag");
    repo.xtask(&["release", "minor", "--dry-run"])
        .ok()
        .says("`Removed: the --turbo flag`, but no `Deprecated:` footer in the history names it");
    repo.xtask(&["release", "minor", "--yes"])
        .ok()
        .says("no `Deprecated:` footer")
        .says("released 2.2.0 as v2.2.0");
    let run = repo.xtask(&["deprecations"]).ok();
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no deprecations"), "{}", run.stderr);
    let json = ledger_json(&repo);
    assert_eq!(json["deprecations"], serde_json::json!([]));
}

#[test]
fn the_window_counts_from_the_first_release_that_shipped_it() {
    // Deprecated on main after 2.2.0 and released in 2.3.0; a later commit re-announcing it changes nothing.
    let repo = project("");
    fix(&repo, "one");
    repo.xtask(&["release", "minor", "--yes"]).ok();
    deprecate(&repo);
    repo.xtask(&["release", "minor", "--yes"]).ok();
    repo.write("src/again.rs", "\n");
    repo.commit(&format!(
        "docs: remind\n\nDeprecated: {}",
        OPTION.to_uppercase()
    ));
    assert_eq!(
        ledger_line(&repo),
        ("2.3.0".into(), "2.5.0".into(), "open".into())
    );
    repo.xtask(&["release", "minor", "--yes"]).ok();
    remove(&repo);
    repo.xtask(&["release", "patch", "--dry-run"])
        .fails(1)
        .says("from 2.5.0 on, not in 2.4.1");
    repo.xtask(&["release", "minor", "--dry-run"]).ok();
}
