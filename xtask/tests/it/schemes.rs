//! One version, two spellings: SemVer and PEP 440 files agree, tags follow the project's scheme,
//! pre-releases promote.

use crate::support::Repo;

/// A Cargo crate and a `pyproject.toml` that release together, at 0.2.0 and tagged `v0.2.0`.
fn mixed_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"mixed\"\nversion = \"0.2.0\"\nedition = \"2021\"\n",
    );
    repo.write("src/lib.rs", "\n");
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"mixed\"\nversion = \"0.2.0\"\n",
    );
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [\"Cargo.toml\", \"pyproject.toml\"]\n",
    );
    let output = repo
        .command("cargo", &["generate-lockfile", "--offline", "--quiet"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    repo.commit("chore: initial");
    repo.tag("v0.2.0");
    repo.write("src/lib.rs", "pub fn f() {}\n");
    repo.commit("feat: add f");
    repo
}

#[test]
fn mixed_files_agree_after_the_dev_reset_and_release_again() {
    let repo = mixed_project();
    repo.xtask(&["release", "minor", "--yes"])
        .ok()
        .says("released 0.3.0 as v0.3.0");
    assert!(repo.read("Cargo.toml").contains("version = \"0.3.1-dev\""));
    assert!(
        repo.read("pyproject.toml")
            .contains("version = \"0.3.1.dev0\"")
    );
    // Two spellings of one version: `version` answers, `--all` shows both and says they agree.
    repo.xtask(&["version"]).ok().says("0.3.1-dev");
    let all = repo.xtask(&["version", "--all"]).ok();
    assert!(
        all.stdout.contains("Cargo.toml      0.3.1-dev"),
        "{}",
        all.stdout
    );
    assert!(
        all.stdout.contains("pyproject.toml  0.3.1.dev0"),
        "{}",
        all.stdout
    );
    assert!(all.stderr.contains("agree"), "{}", all.stderr);
    // --next shows each file's spelling of the next version.
    let next = repo.xtask(&["version", "--all", "--next", "rc"]).ok();
    assert!(next.stdout.contains("0.3.1-rc.1"), "{}", next.stdout);
    assert!(next.stdout.contains("0.3.1rc1"), "{}", next.stdout);
    repo.write("src/lib.rs", "pub fn f() -> u8 { 1 }\n");
    repo.commit("fix: f returns one");
    repo.xtask(&["release", "patch", "--yes"])
        .ok()
        .says("released 0.3.1 as v0.3.1");
    assert_eq!(repo.git(&["tag", "--list", "v0.3.*"]), "v0.3.0\nv0.3.1");
    assert!(repo.read("Cargo.lock").contains("version = \"0.3.2-dev\""));
}

#[test]
fn cargo_and_python_spellings_of_a_release_candidate_agree() {
    let repo = mixed_project();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"mixed\"\nversion = \"2.4.0-rc2\"\nedition = \"2021\"\n",
    );
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"mixed\"\nversion = \"2.4.0rc2\"\n",
    );
    repo.xtask(&["version", "--all"]).ok().says("agree");
    repo.xtask(&["check"]).ok();
    // A bump writes each file in its own scheme, keeping them in step.
    repo.xtask(&["bump", "rc"]).ok().says("2.4.0-rc.3");
    assert!(repo.read("Cargo.toml").contains("version = \"2.4.0-rc.3\""));
    assert!(
        repo.read("pyproject.toml")
            .contains("version = \"2.4.0rc3\"")
    );
    // A real disagreement names the file and the spelling that would fix it.
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"mixed\"\nversion = \"2.4.0rc2\"\n",
    );
    repo.xtask(&["version"])
        .fails(1)
        .says("pyproject.toml:3: version 2.4.0rc2 disagrees with 2.4.0-rc.3")
        .says("edit it to say 2.4.0rc3");
}

#[test]
fn a_post_release_cannot_be_written_into_a_cargo_manifest() {
    let repo = mixed_project();
    let before = repo.state();
    repo.xtask(&["bump", "0.2.0.post1"])
        .fails(1)
        .says("Cargo.toml")
        .says("post-release");
    assert_eq!(repo.state(), before);
}

/// A Python project in the style of a large SDK: PEP 440 tags without `v`, at `2.6.0.dev0`.
fn pep440_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [\"pyproject.toml\"]\n\n[tag]\nformat = \"{{ version }}\"\n",
    );
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"sdk\"\nversion = \"2.5.0rc1\"\n",
    );
    repo.commit("chore: initial");
    repo.tag("2.5.0rc1");
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"sdk\"\nversion = \"2.5.0\"\n",
    );
    repo.commit("chore: 2.5.0");
    repo.tag("2.5.0");
    repo.write("a.py", "a = 1\n");
    repo.commit("fix: a is one");
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"sdk\"\nversion = \"2.5.1\"\n",
    );
    repo.commit("chore: 2.5.1");
    repo.tag("2.5.1");
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"sdk\"\nversion = \"2.6.0.dev0\"\n",
    );
    repo.commit("chore: start 2.6.0");
    repo.write("b.py", "b = 1\n");
    repo.commit("feat: add b");
    repo
}

#[test]
fn pep440_tags_are_releases_and_release_candidates_promote() {
    let repo = pep440_project();
    // The last release is 2.5.1: only the feat is unreleased.
    let draft = repo.xtask(&["changelog"]).ok();
    assert!(draft.stdout.contains("add b"), "{}", draft.stdout);
    assert!(!draft.stdout.contains("a is one"), "{}", draft.stdout);

    repo.xtask(&["version", "--next", "rc"])
        .ok()
        .says("2.6.0rc1");
    repo.xtask(&["release", "rc", "--yes"])
        .ok()
        .says("released 2.6.0rc1 as 2.6.0rc1");
    assert_eq!(repo.git(&["cat-file", "-t", "2.6.0rc1"]), "tag");
    // No dev reset past a pre-release: the file keeps it, so the next rc continues it.
    assert!(
        repo.read("pyproject.toml")
            .contains("version = \"2.6.0rc1\"")
    );

    repo.write("c.py", "c = 1\n");
    repo.commit("fix: c is one");
    // Messages spell versions as the project does.
    repo.git(&["tag", "2.6.0rc2"]);
    repo.xtask(&["release", "rc", "--yes"])
        .fails(1)
        .says("the tag 2.6.0rc2 already exists for 2.6.0rc2");
    repo.git(&["tag", "--delete", "2.6.0rc2"]);
    repo.xtask(&["release", "rc", "--yes"])
        .ok()
        .says("as 2.6.0rc2");
    assert!(
        repo.read("pyproject.toml")
            .contains("version = \"2.6.0rc2\"")
    );

    repo.xtask(&["release", "release", "--yes"])
        .ok()
        .says("as 2.6.0");
    assert_eq!(repo.git(&["cat-file", "-t", "2.6.0"]), "tag");
    assert!(
        repo.read("pyproject.toml")
            .contains("version = \"2.6.1.dev0\"")
    );
    // The final section lists everything since 2.5.1, the release candidates' changes included.
    let changelog = repo.read("CHANGELOG.md");
    let final_section = changelog
        .split("## [2.6.0]")
        .nth(1)
        .expect("a 2.6.0 section")
        .split("\n## ")
        .next()
        .unwrap();
    assert!(final_section.contains("add b"), "{changelog}");
    assert!(final_section.contains("c is one"), "{changelog}");
    assert!(!final_section.contains("a is one"), "{changelog}");
    // The release candidates' sections stay as they were.
    let rc2 = changelog
        .split("## [2.6.0rc2]")
        .nth(1)
        .expect("an rc2 section");
    assert!(
        rc2.split("\n## ").next().unwrap().contains("c is one"),
        "{changelog}"
    );
}

#[test]
fn semver_and_pep440_tags_are_both_read() {
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"tool\"\nversion = \"1.0.0b1\"\n",
    );
    repo.write("xtask.toml", "[version]\nfiles = [\"pyproject.toml\"]\n");
    repo.commit("chore: initial");
    repo.tag("v1.0.0b1");
    repo.write("a.py", "\n");
    repo.commit("feat: a");
    // The changelog starts after the PEP 440 beta tag.
    let draft = repo.xtask(&["changelog", "--all"]).ok();
    assert!(draft.stdout.contains("1.0.0b1"), "{}", draft.stdout);
    // A released version is asked for in either spelling.
    repo.xtask(&["changelog", "--version", "1.0.0b1"])
        .ok()
        .says("## [1.0.0b1]");
    repo.xtask(&["changelog", "--version", "v1.0.0-beta.1"])
        .ok()
        .says("## [1.0.0b1]");
    repo.xtask(&["release", "release", "--yes"])
        .ok()
        .says("as v1.0.0");
    repo.write("b.py", "\n");
    repo.commit("fix: b");
    let all = repo.xtask(&["changelog", "--all"]).ok();
    assert!(all.stdout.contains("## [1.0.0]"), "{}", all.stdout);
    assert!(all.stdout.contains("## [1.0.0b1]"), "{}", all.stdout);
    // An existing tag in the other spelling of the same version is the same release.
    repo.git(&["tag", "v1.0.1-rc.1"]);
    repo.xtask(&["release", "patch", "--pre", "rc", "--yes"])
        .fails(1)
        .says("the tag v1.0.1-rc.1 already exists");
}

/// The kit's PEP 440 text is what Python's `packaging` calls normal form, and both order the same
/// versions the same way. Skipped, saying why, where Python or `packaging` is missing.
#[test]
fn pep440_rendering_and_order_agree_with_python_packaging() {
    use xtask::domain::version::{self, pep440};
    let probe = std::process::Command::new("python3")
        .args(["-c", "import packaging.version"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "skipped: python3 with the `packaging` module is not installed (pip install packaging)"
        );
        return;
    }
    let texts = [
        "0.0.1",
        "1.0.0.dev0",
        "1.0.0.dev3",
        "1.0.0a0",
        "1.0.0a1",
        "1.0.0b1",
        "1.0.0b12",
        "1.0.0rc1",
        "1.0.0rc2",
        "1.0.0",
        "1.0.0+local.7",
        "1.0.0.post1",
        "1.0.0.post2",
        "1.0.1.dev0",
        "1.0.1rc20260101",
        "1.0.1",
        // CI versions: a dev build < a nightly < the release.
        "3.1.0.dev5",
        "3.1.0rc20260101",
        "3.1.0",
        "1.10.0",
        "2.0.0rc1",
        "10.0.0",
    ];
    // Other spellings read by the kit, each with the normal form packaging gives.
    let spellings = [
        ("1.0.0-rc.1", "1.0.0rc1"),
        ("1.0.0-dev", "1.0.0.dev0"),
        ("1.0.0-alpha.2", "1.0.0a2"),
        ("1.0.0-beta.3", "1.0.0b3"),
        ("2.4.0-rc2", "2.4.0rc2"),
    ];
    let mut versions: Vec<version::Version> = texts
        .iter()
        .map(|t| pep440::parse(t).unwrap_or_else(|e| panic!("{t}: {e}")))
        .collect();
    for (text, _) in spellings {
        versions.push(version::Version::parse(text).unwrap());
    }
    let rendered: Vec<String> = versions
        .iter()
        .map(|v| pep440::render(v).unwrap())
        .collect();
    let mut sorted = versions.clone();
    sorted.sort_by(version::release_cmp);
    let kit_order: Vec<String> = sorted.iter().map(|v| pep440::render(v).unwrap()).collect();
    let script = r#"
import json, sys
from packaging.version import Version
texts = json.loads(sys.argv[1])
print(json.dumps({"normal": [str(Version(t)) for t in texts],
                  "sorted": [str(v) for v in sorted(Version(t) for t in texts)]}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, &serde_json::to_string(&rendered).unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let normal: Vec<String> = serde_json::from_value(answer["normal"].clone()).unwrap();
    assert_eq!(
        normal, rendered,
        "the kit's PEP 440 text is packaging's normal form"
    );
    for (text, want) in spellings {
        assert!(
            rendered.contains(&want.to_string()),
            "{text} renders as {want}"
        );
    }
    // packaging sorts local versions above their public one; the kit ignores local labels in
    // release order (as SemVer ignores build metadata), so compare the order without them.
    let public = |list: &[String]| -> Vec<String> {
        let mut seen = Vec::new();
        for v in list {
            let v = v.split('+').next().unwrap().to_string();
            if seen.last() != Some(&v) {
                seen.push(v);
            }
        }
        seen
    };
    let python_order: Vec<String> = serde_json::from_value(answer["sorted"].clone()).unwrap();
    assert_eq!(public(&kit_order), public(&python_order));
}
