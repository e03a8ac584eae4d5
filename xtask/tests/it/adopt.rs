//! `xtask init` on small repositories shaped like real ones (independently versioned crates, crates
//! released together, Python's declared and conventional version files, JSON keys, PEP 440 tags): the
//! starter `xtask.toml` it writes, and the release that configuration then plans and makes, checked with
//! plain git and cargo. These run the binary under test only: no build of the installed kit.

use std::process::Command;

use crate::support::{Repo, Run};

fn run(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `cargo <args>` in the repository, offline (the fixtures have no dependencies outside themselves).
fn cargo(repo: &Repo, args: &[&str]) -> Run {
    let mut command = repo.command("cargo", args);
    command
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", repo.home.path().join("target"));
    run(&mut command)
}

fn init(repo: &Repo) -> String {
    repo.xtask(&["init", ".", "--yes"]).ok();
    repo.commit("chore: adopt the release kit");
    repo.read("xtask.toml")
}

#[test]
fn independently_versioned_crates_become_packages_tagged_as_before() {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"2\"\n\n[workspace.package]\nedition = \"2021\"\n",
    );
    repo.write(
        "crates/cog/Cargo.toml",
        "[package]\nname = \"cog\"\nversion = \"7.0.0\"\nedition.workspace = true\n\n\
         [dependencies]\ncog-resolver = { path = \"../cog-resolver\", version = \"0.1.0\" }\n",
    );
    repo.write("crates/cog/src/lib.rs", "\n");
    repo.write(
        "crates/cog-resolver/Cargo.toml",
        "[package]\nname = \"cog-resolver\"\nversion = \"0.1.0\"\nedition.workspace = true\n",
    );
    repo.write("crates/cog-resolver/src/lib.rs", "\n");
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [7.0.0] - 2026-01-01\n\n- first\n",
    );
    cargo(&repo, &["generate-lockfile", "--offline"]).ok();
    repo.commit("chore(version): 7.0.0");
    for tag in ["6.5.0", "7.0.0", "cog-7.0.0", "cog-resolver-0.1.0"] {
        repo.tag(tag);
    }
    repo.write("crates/cog-resolver/src/lib.rs", "// fixed\n");
    repo.commit("fix(resolver): a cycle");
    repo.write("crates/cog/src/lib.rs", "// new\n");
    repo.commit("feat: a command");

    let config = init(&repo);
    for line in [
        "format = \"{{ package }}-{{ version }}\"",
        "[packages.cog]\nfiles = [\"crates/cog/Cargo.toml\"]   # 7.0.0\ntag = \"{{ version }}\"   # as its existing tags, e.g. 7.0.0\nchangelog = \"CHANGELOG.md\"\n",
        "[packages.cog-resolver]\nfiles = [\"crates/cog-resolver/Cargo.toml\"]   # 0.1.0\n",
    ] {
        assert!(config.contains(line), "{line}\n{config}");
    }
    assert!(!config.contains("packages.xtask"), "{config}");
    // The files hold the released versions, as after every release of theirs: no dev step. A maintainer
    // who wants one removes the line (done here, to see the requirements follow a dev version too).
    assert!(config.contains("\ndev = false\n"), "{config}");
    repo.write("xtask.toml", &config.replace("\ndev = false\n", "\n"));
    repo.commit("chore: development versions");
    repo.xtask(&["check"]).ok();

    let plan = repo.xtask(&["release", "--dry-run", "--yes"]).ok();
    for needle in [
        "7.0.0 → 7.1.0",
        "0.1.0 → 0.1.1",
        "Annotated tag 7.1.0",
        "Annotated tag cog-resolver-0.1.1",
    ] {
        assert!(plan.stdout.contains(needle), "{needle}\n{}", plan.stdout);
    }
    repo.xtask(&["release", "auto", "--yes"]).ok();
    assert_eq!(
        repo.git(&[
            "describe",
            "--tags",
            "--abbrev=0",
            "--match",
            "[0-9]*",
            "HEAD~1"
        ]),
        "7.1.0"
    );
    let tags = repo.git(&["tag", "--points-at", "HEAD~1"]);
    assert_eq!(tags, "7.1.0\ncog-resolver-0.1.1");
    // The requirement on the resolver followed it, and Cargo.lock with it, through the dev step too.
    let cog = repo.read("crates/cog/Cargo.toml");
    assert!(cog.contains("version = \"0.1.2-dev\""), "{cog}");
    cargo(
        &repo,
        &["metadata", "--locked", "--offline", "--format-version", "1"],
    )
    .ok();
    assert!(repo.read("CHANGELOG.md").contains("## [7.1.0]"));
}

#[test]
fn crates_released_together_with_path_dependencies_stay_buildable() {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"cliff-core\", \"cliff\"]\n",
    );
    repo.write(
        "cliff-core/Cargo.toml",
        "[package]\nname = \"cliff-core\"\nversion = \"2.13.1\" # managed by release.sh\nedition = \"2021\"\n",
    );
    repo.write("cliff-core/src/lib.rs", "\n");
    repo.write(
        "cliff/Cargo.toml",
        "[package]\nname = \"cliff\"\nversion = \"2.13.1\" # managed by release.sh\nedition = \"2021\"\n\n\
         [dependencies.cliff-core]\nversion = \"2.13.1\" # managed by release.sh\npath = \"../cliff-core\"\n",
    );
    repo.write("cliff/src/lib.rs", "\n");
    cargo(&repo, &["generate-lockfile", "--offline"]).ok();
    repo.commit("chore(release): prepare for v2.13.1");
    repo.tag("v2.13.1");
    repo.write("cliff/src/lib.rs", "// new\n");
    repo.commit("feat: a flag");

    let config = init(&repo);
    assert!(
        config.contains(
            "  \"cliff-core/Cargo.toml\",   # 2.13.1\n  \"cliff/Cargo.toml\",   # 2.13.1\n"
        ),
        "{config}"
    );
    assert!(config.contains("format = \"v{{ version }}\""), "{config}");
    assert!(config.contains("\ndev = false\n"), "{config}");
    repo.xtask(&["release", "auto", "--yes"]).ok();
    assert_eq!(repo.git(&["describe", "--tags"]), "v2.14.0");
    let cliff = repo.read("cliff/Cargo.toml");
    assert!(
        cliff.contains("version = \"2.14.0\" # managed by release.sh\npath"),
        "{cliff}"
    );
    cargo(
        &repo,
        &["metadata", "--locked", "--offline", "--format-version", "1"],
    )
    .ok();
}

#[test]
fn a_python_version_in_a_declared_version_txt() {
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"qk\"\ndynamic = [\"version\", \"readme\"]\n\n\
         [tool.setuptools.dynamic]\nversion = { file = \"qk/VERSION.txt\" }\n",
    );
    repo.write("qk/VERSION.txt", "2.5.0rc1\n");
    repo.write("qk/__init__.py", "\n");
    repo.commit("Prepare 2.5.0rc1");
    repo.tag("2.5.0rc1");
    repo.write("qk/__init__.py", "# more\n");
    repo.commit("fix: a transpiler bug");

    let config = init(&repo);
    assert!(
        config.contains("{ path = \"qk/VERSION.txt\", regex = '\\A\\s*(?<version>[0-9][^\\s]*)', scheme = \"pep440\" }"),
        "{config}"
    );
    assert!(config.contains("format = \"{{ version }}\""), "{config}");
    // The next candidate is spelled as the tags are.
    repo.xtask(&["release", "minor", "--pre", "rc", "--dry-run", "--yes"])
        .ok()
        .says("Annotated tag 2.5.0rc2");
    let plan = repo.xtask(&["release", "--dry-run", "--yes"]).ok();
    assert!(
        plan.stdout.contains("Annotated tag 2.5.0:"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("+2.5.0\n"), "{}", plan.stdout);
}

#[test]
fn version_py_and_about_py_are_found_where_python_projects_keep_them() {
    // commitizen's shape: pyproject's version and the package's __version__.py, tagged v…, with a
    // changelog headed `## v4.13.9 (2026-02-25)`.
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"cz\"\nversion = \"4.17.0\"\n",
    );
    repo.write("cz/__version__.py", "__version__ = \"4.17.0\"\n");
    repo.write(
        "CHANGELOG.md",
        "## v4.17.0 (2026-02-25)\n\n### Fix\n\n- a fix\n",
    );
    repo.write(
        "uv.lock",
        "version = 1\n\n[[package]]\nname = \"cz\"\nversion = \"4.17.0\"\nsource = { editable = \".\" }\n",
    );
    repo.write(
        ".pre-commit-config.yaml",
        "repos:\n  - repo: https://github.com/cz-tools/cz\n    rev: v4.17.0 # automatically updated by cz\n    hooks:\n      - id: cz\n",
    );
    repo.commit("bump: version 4.16.5 → 4.17.0");
    repo.tag("v4.17.0");
    repo.write("cz/cli.py", "\n");
    repo.commit("fix(cli): an option");

    let config = init(&repo);
    assert!(
        config.contains("  \"pyproject.toml\",   # 4.17.0\n  { path = \"cz/__version__.py\""),
        "{config}"
    );
    assert!(
        repo.read("templates/changelog.md.j2")
            .contains("v{{ version }} ({{ date }})")
    );
    repo.xtask(&["release", "auto", "--yes"]).ok();
    assert_eq!(repo.git(&["describe", "--tags", "--abbrev=0"]), "v4.17.1");
    assert_eq!(
        repo.git(&["show", "v4.17.1:cz/__version__.py"]),
        "__version__ = \"4.17.1\""
    );
    let changelog = repo.read("CHANGELOG.md");
    assert!(changelog.starts_with("## v4.17.1 ("), "{changelog}");
    assert!(
        repo.read("uv.lock")
            .contains("name = \"cz\"\nversion = \"4.17.1\"")
    );
    assert!(
        repo.read(".pre-commit-config.yaml")
            .contains("rev: v4.17.1 # automatically")
    );
    assert!(changelog.contains("## v4.17.0 (2026-02-25)"), "{changelog}");

    // Fine-Tuning Scheduler's shape: hatch reads src/<pkg>/__about__.py.
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"fts\"\ndynamic = [\"version\"]\n\n[tool.hatch.version]\npath = \"src/fts/__about__.py\"\n",
    );
    repo.write("src/fts/__about__.py", "__version__ = \"2.5.0\"\n");
    repo.commit("feat: first");
    repo.tag("v2.5.0");
    repo.write("src/fts/x.py", "\n");
    repo.commit("feat: more");
    let config = init(&repo);
    assert!(
        config.contains("{ path = \"src/fts/__about__.py\""),
        "{config}"
    );
    repo.xtask(&["release", "--dry-run", "--yes"])
        .ok()
        .says("src/fts/__about__.py")
        .says("Annotated tag v2.6.0");
    // A new changelog in a PEP 440 project does not claim Semantic Versioning.
    repo.xtask(&["release", "auto", "--yes"]).ok();
    let changelog = repo.read("CHANGELOG.md");
    assert!(!changelog.contains("Semantic Versioning"), "{changelog}");
    assert!(changelog.contains("PEP 440"), "{changelog}");
}

#[test]
fn maturin_json_keys_and_pep440_tags_are_read_from_the_files() {
    // maturin: the Python package's version is Cargo's.
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[build-system]\nrequires = [\"maturin>=1\"]\nbuild-backend = \"maturin\"\n\n[project]\nname = \"m\"\ndynamic = [\"version\"]\n",
    );
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"m\"\nversion = \"0.9.0\"\nedition = \"2021\"\n",
    );
    repo.write("src/lib.rs", "\n");
    repo.commit("feat: first");
    repo.tag("v0.9.0");
    let config = init(&repo);
    assert!(
        config.contains("files = [\n  \"Cargo.toml\",   # 0.9.0\n]"),
        "{config}"
    );

    // A JSON file whose key names the version.
    let repo = Repo::new();
    repo.write(
        "runtime/version_info.json",
        "{\n  \"package-suffix\": \"\",\n  \"package-version\": \"3.1.0\",\n  \"iree-revision\": \"abc\"\n}\n",
    );
    repo.commit("feat: first");
    repo.tag("v3.1.0");
    repo.commit("fix: second");
    let config = init(&repo);
    assert!(
        config.contains("{ path = \"runtime/version_info.json\", json = \"package-version\" }"),
        "{config}"
    );
    repo.xtask(&["release", "--dry-run", "--yes"])
        .ok()
        .says("+  \"package-version\": \"3.1.1\",")
        .says("Annotated tag v3.1.1");

    // A Cargo project tagged the PEP 440 way keeps that spelling for its next candidate.
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"r\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    repo.write("src/lib.rs", "\n");
    repo.commit("feat: first");
    repo.tag("1.0.0rc1");
    repo.tag("1.0.0");
    repo.write("src/lib.rs", "// more\n");
    repo.commit("feat: second");
    let config = init(&repo);
    assert!(config.contains("scheme = \"pep440\""), "{config}");
    repo.xtask(&["release", "minor", "--pre", "rc", "--dry-run", "--yes"])
        .ok()
        .says("Annotated tag 1.1.0rc1")
        .says("+version = \"1.1.0-rc.1\"");
}

#[test]
fn what_detection_cannot_decide_it_says_with_the_line_to_add() {
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"s\"\ndynamic = [\"version\"]\n\n[tool.setuptools_scm]\n",
    );
    repo.commit("feat: first");
    let run = repo.xtask(&["init", ".", "--yes"]).ok();
    assert!(run.stderr.contains("setuptools-scm"), "{}", run.stderr);
    assert!(run.stderr.contains("VERSION.txt"), "{}", run.stderr);
    let config = repo.read("xtask.toml");
    assert!(
        config.contains("# Not decided: the version comes from git tags"),
        "{config}"
    );
    // The starter configuration loads (the hooks can be installed), and says what is missing.
    repo.xtask(&["hooks", "install"]).ok();
}
