//! `xtask init`: the kit put into throw-away repositories of each kind, then used there.
//!
//! Two tests build the installed kit with cargo, offline, in one target directory shared by them
//! (`target/init-tests`, unoptimised) so that dependencies are compiled once; the others run the binary
//! under test, which is the same code the installed crate holds.

use std::path::PathBuf;
use std::process::Command;

use crate::support::{Repo, Run};

/// The README's example of a project's own xtask embedding the kit.
fn readme_embedding_example() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme
        .find("<!-- embedding example -->")
        .expect("the README has the embedding example");
    let block = &readme[start..];
    let code = &block[block.find("```rust\n").unwrap() + "```rust\n".len()..];
    code[..code.find("```").unwrap()].to_string()
}

fn run(command: &mut Command) -> Run {
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `cargo <args>` in the repository, offline, building into the shared directory without optimisation.
fn cargo(repo: &Repo, args: &[&str]) -> Run {
    let shared: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "target", "init-tests"]
        .iter()
        .collect();
    let mut command = repo.command("cargo", args);
    command
        .env("CARGO_TARGET_DIR", shared)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_PROFILE_XTASK_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTC_WRAPPER");
    run(&mut command)
}

/// A `rustc` that says it is `release` (and compiles with the real one): an older toolchain, as cargo
/// sees it.
fn old_rustc(repo: &Repo, release: &str) -> PathBuf {
    let real = run(&mut repo.command("rustc", &["-vV"])).ok().stdout;
    let fake = real
        .lines()
        .map(|l| match l.split_once(": ") {
            Some(("release", _)) => format!("release: {release}"),
            _ if l.starts_with("rustc ") => format!("rustc {release} (051478957 2024-07-21)"),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let script = repo.home.path().join(format!("rustc-{release}"));
    std::fs::write(
        &script,
        format!("#!/bin/sh\nif [ \"$1\" = -vV ]; then printf '%s\\n' '{fake}'; exit 0; fi\nexec rustc \"$@\"\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

fn no_inherited_fields(manifest: &str) {
    assert!(!manifest.contains(".workspace"), "{manifest}");
    assert!(!manifest.contains("workspace = true"), "{manifest}");
    assert!(manifest.contains("rust-version = \"1.88\""), "{manifest}");
    assert!(manifest.contains("edition = \"2024\""), "{manifest}");
}

/// `cargo metadata`'s workspace members and default members, as JSON.
fn members(repo: &Repo) -> (serde_json::Value, serde_json::Value) {
    let run = cargo(
        repo,
        &[
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ],
    )
    .ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    (
        json["workspace_members"].clone(),
        json["workspace_default_members"].clone(),
    )
}

/// A lock file's packages as `name version` lines.
fn locked(text: &str) -> Vec<String> {
    let lock: toml::Table = text.parse().unwrap();
    lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p["name"].as_str().unwrap(),
                p["version"].as_str().unwrap()
            )
        })
        .collect()
}

/// `cargo <args>` as [`cargo`] does, from the directory `rel` of the repository.
fn cargo_in(repo: &Repo, rel: &str, args: &[&str]) -> Run {
    let shared: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "target", "init-tests"]
        .iter()
        .collect();
    let dir = repo.path().join(rel);
    std::fs::create_dir_all(&dir).unwrap();
    let mut command = repo.command("cargo", args);
    command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", shared)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_PROFILE_XTASK_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTC_WRAPPER");
    run(&mut command)
}

/// The launcher's package id in `cargo metadata`'s lists.
fn launcher_id(repo: &Repo) -> serde_json::Value {
    let root = repo.path().canonicalize().unwrap();
    format!("path+file://{}/.cargo/xtask-launcher#0.0.0", root.display()).into()
}

#[test]
fn a_rust_workspace_gains_the_kit_and_plans_its_patch_release() {
    let repo = Repo::new();
    // An MSRV-pinned workspace: the kit must stay out of its builds.
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]  # every crate of ours\nresolver = \"2\"\n\n\
         [workspace.package]\nversion = \"0.4.0\"\nedition = \"2021\"\nrust-version = \"1.74\"\n",
    );
    repo.write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"core-lib\"\nversion.workspace = true\nedition.workspace = true\n",
    );
    repo.write("crates/core/src/lib.rs", "\n");
    repo.write(
        ".cargo/config.toml",
        "[alias]\n# ours\nlint = \"clippy --all-targets\"\n",
    );
    cargo(&repo, &["generate-lockfile", "--offline"]).ok();
    repo.commit("feat: the first release");
    repo.tag("v0.4.0");
    repo.commit("fix: a bug");
    let before = members(&repo);

    repo.xtask(&["init", ".", "--yes"])
        .ok()
        .says("cargo xtask release --dry-run")
        .says("cargo xtask hooks install");
    // The project's workspace gains the launcher alone, and not as a default member: the project's own
    // builds and tests are as they were, and run on its MSRV.
    assert_eq!(
        repo.read("Cargo.toml"),
        "[workspace]\nmembers = [\"crates/*\", \".cargo/xtask-launcher\"]  # every crate of ours\nresolver = \"2\"\n\
         # What `cargo build` and `cargo test` build here, as before `xtask init` added the\n\
         # launcher of `cargo xtask` to the members.\ndefault-members = [\"crates/*\"]\n\n\
         [workspace.package]\nversion = \"0.4.0\"\nedition = \"2021\"\nrust-version = \"1.74\"\n"
    );
    let after = members(&repo);
    assert_eq!(after.1, before.1, "the default members are unchanged");
    let gained: Vec<&serde_json::Value> = after
        .0
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !before.0.as_array().unwrap().contains(m))
        .collect();
    assert_eq!(gained, [&launcher_id(&repo)], "{after:?}");
    assert_eq!(
        after.0.as_array().unwrap().len(),
        before.0.as_array().unwrap().len() + 1
    );
    // Cargo.lock holds the launcher's entry as cargo writes it: `--locked` passes, nothing is rewritten.
    let lock = repo.read("Cargo.lock");
    assert!(lock.contains("name = \"xtask-launcher\""), "{lock}");
    cargo(
        &repo,
        &["metadata", "--locked", "--offline", "--format-version", "1"],
    )
    .ok();
    assert_eq!(repo.read("Cargo.lock"), lock);
    let rustc = old_rustc(&repo, "1.74.0");
    let mut msrv = repo.command("cargo", &["test", "--workspace", "--offline", "--locked"]);
    msrv.env("RUSTC", &rustc)
        .env("CARGO_TARGET_DIR", repo.home.path().join("msrv-target"));
    let tested = run(&mut msrv).ok();
    assert!(
        !tested.stderr.contains("xtask-launcher"),
        "{}",
        tested.stderr
    );
    let kit_manifest = repo.read("xtask/Cargo.toml");
    assert!(
        kit_manifest.contains("\n[workspace]\n") && kit_manifest.contains("[profile.xtask]"),
        "{kit_manifest}"
    );
    let config = repo.read(".cargo/config.toml");
    assert!(
        config.starts_with("[alias]\n# ours\nlint = \"clippy --all-targets\"\n"),
        "{config}"
    );
    assert!(
        config.contains("xtask = \"run --quiet --package xtask-launcher --\""),
        "{config}"
    );
    assert_eq!(repo.read(".gitignore"), "/target\n/xtask/target\n");
    no_inherited_fields(&repo.read("xtask/Cargo.toml"));
    let starter = repo.read("xtask.toml");
    assert!(starter.contains("\"Cargo.toml\""), "{starter}");
    assert!(!starter.contains("xtask-launcher"), "{starter}");
    assert!(starter.contains("format = \"v{{ version }}\""), "{starter}");
    repo.commit("chore: adopt the release kit");

    cargo(&repo, &["xtask", "release", "--dry-run", "--yes"])
        .ok()
        .says("0.4.0 → 0.4.1")
        .says("Annotated tag v0.4.1");
    // `cargo xtask` from any directory: a member's source, a directory two levels below it, the kit's own
    // directory (cargo sees the kit's workspace there) and the launcher's.
    for dir in [
        "crates/core/src",
        "crates/core/src/a/b",
        "xtask/src",
        ".cargo/xtask-launcher",
    ] {
        cargo_in(&repo, dir, &["xtask", "version"])
            .ok()
            .says("0.4.0");
    }
    // A failing command's exit code comes through the launcher.
    cargo_in(
        &repo,
        "crates/core",
        &["xtask", "release", "--no-such-flag"],
    )
    .fails(2);
    // The kit built from the versions this repository tests: its lock holds no other.
    let ours = locked(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock")).unwrap(),
    );
    let theirs = locked(&repo.read("xtask/Cargo.lock"));
    let foreign: Vec<&String> = theirs
        .iter()
        .filter(|p| !ours.contains(p) && !p.starts_with("xtask "))
        .collect();
    assert!(foreign.is_empty(), "resolved afresh: {foreign:?}");
    assert!(theirs.iter().any(|p| p.starts_with("gix ")), "{theirs:?}");
    // The project's own workspace did not gain the kit's dependency tree, and its lock did not move.
    assert_eq!(members(&repo), after);
    assert_eq!(repo.read("Cargo.lock"), lock);
    // The installed copy has no version of its own, but knows the kit's.
    cargo(&repo, &["xtask", "--version"])
        .ok()
        .says(&format!("xtask {}", env!("CARGO_PKG_VERSION")));

    // The user's edit of the configuration survives a second `init`, which changes nothing at all.
    let edited = format!("{starter}\n[release]\npush = false\n");
    repo.write("xtask.toml", &edited);
    let before = repo.state();
    repo.xtask(&["init", ".", "--yes"])
        .ok()
        .says("nothing to change");
    assert_eq!(repo.state(), before);
    assert_eq!(repo.read("xtask.toml"), edited);
}

#[test]
fn in_a_python_project_cargo_xtask_works_from_a_nested_directory() {
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"p\"\nversion = \"3.1.0\"\n",
    );
    repo.write("src/p/__init__.py", "\n");
    repo.commit("feat: first");
    repo.tag("v3.1.0");
    repo.xtask(&["init", ".", "--yes"]).ok();
    // A workspace of the launcher alone, with its lock; the kit is a workspace of its own.
    let manifest: toml::Table = repo.read("Cargo.toml").parse().unwrap();
    assert_eq!(
        manifest["workspace"]["members"].as_array().unwrap(),
        &vec![toml::Value::from(".cargo/xtask-launcher")]
    );
    assert_eq!(locked(&repo.read("Cargo.lock")), ["xtask-launcher 0.0.0"]);
    repo.commit("chore: adopt the release kit");
    let lock = repo.read("Cargo.lock");
    cargo_in(&repo, "src/p/sub/deeper", &["xtask", "version"])
        .ok()
        .says("3.1.0");
    cargo_in(&repo, "src/p", &["xtask", "release", "--dry-run", "--yes"])
        .ok()
        .says("Annotated tag v3.1.1");
    assert_eq!(repo.read("Cargo.lock"), lock, "cargo had nothing to add");
    cargo(
        &repo,
        &["metadata", "--locked", "--offline", "--format-version", "1"],
    )
    .ok();
}

#[test]
fn an_existing_xtask_keeps_its_commands_and_gains_the_kits() {
    let example = readme_embedding_example();
    // The project's xtask as it was: the README's example without the kit's two lines.
    let own_main: String = example
        .lines()
        .filter(|l| {
            !l.contains("xtask_release::dispatch") && !l.contains("The release kit's commands")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(own_main, example);
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"xtask\", \"lib\"]\nresolver = \"2\"\n",
    );
    repo.write(
        "lib/Cargo.toml",
        "[package]\nname = \"lib\"\nversion = \"2.3.1\"\nedition = \"2021\"\n",
    );
    repo.write("lib/src/lib.rs", "\n");
    repo.write(
        "xtask/Cargo.toml",
        "[package]\nname = \"xtask\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n",
    );
    repo.write("xtask/src/main.rs", &own_main);
    repo.write(
        ".cargo/config.toml",
        "[alias]\nxtask = \"run --package xtask --\"\n",
    );
    repo.commit("feat: lib");
    repo.tag("v2.3.1");
    repo.commit("feat: a new function");

    let shown = repo.xtask(&["init", ".", "--dry-run"]).ok();
    assert!(
        shown.stdout.contains("+    xtask_release::dispatch();"),
        "{}",
        shown.stdout
    );
    repo.xtask(&["init", ".", "--yes"]).ok();
    assert_eq!(
        repo.read("xtask/src/main.rs"),
        example,
        "the README's example is what init makes"
    );
    assert!(
        repo.read("xtask/Cargo.toml")
            .contains("xtask-release = { path = \"../xtask-release\" }")
    );
    assert_eq!(
        repo.read(".cargo/config.toml"),
        "[alias]\nxtask = \"run --package xtask --\"\n"
    );
    no_inherited_fields(&repo.read("xtask-release/Cargo.toml"));
    // The kit builds in the project's workspace here (its xtask depends on it), with the kit's profile.
    assert!(repo.read("Cargo.toml").contains("[profile.xtask]"));
    assert!(
        !repo
            .read("xtask-release/Cargo.toml")
            .contains("[workspace]")
    );
    assert!(!repo.path().join("xtask-release/src/main.rs").exists());
    assert!(
        repo.read("xtask.toml")
            .contains("  \"lib/Cargo.toml\",   # 2.3.1"),
        "a member's manifest is a Cargo entry: {}",
        repo.read("xtask.toml")
    );
    repo.commit("chore: adopt the release kit");

    cargo(&repo, &["xtask", "codegen"])
        .ok()
        .says("codegen: done");
    cargo(&repo, &["xtask", "release", "--dry-run", "--yes"])
        .ok()
        .says("2.3.1 → 2.4.0")
        .says("lib/Cargo.toml")
        .says("Annotated tag v2.4.0");
}

#[test]
fn a_python_project_keeps_its_hooks_folder_and_its_tag_style() {
    let repo = Repo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"p\"\nversion = \"0.7.1\"\n",
    );
    repo.write("CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n");
    repo.write("hooks/README", "Our own hooks.\n");
    repo.commit("feat: first");
    repo.tag("0.7.1");
    repo.commit("fix: second");

    repo.xtask(&["init", ".", "--yes"]).ok();
    assert_eq!(repo.read("hooks/README"), "Our own hooks.\n");
    assert_eq!(
        std::fs::read_dir(repo.path().join("hooks"))
            .unwrap()
            .count(),
        1
    );
    assert_eq!(repo.read(".gitignore"), "/target\n/xtask/target\n");
    assert!(repo.path().join("xtask/hooks/commit-msg").exists());
    assert!(repo.path().join("xtask/templates/changelog.md.j2").exists());
    no_inherited_fields(&repo.read("xtask/Cargo.toml"));
    let starter = repo.read("xtask.toml");
    assert!(starter.contains("\"pyproject.toml\""), "{starter}");
    assert!(starter.contains("file = \"CHANGELOG.md\""), "{starter}");
    repo.commit("chore: adopt the release kit");

    let plan = repo.xtask(&["release", "--dry-run", "--yes"]).ok();
    assert!(
        plan.stdout.contains("Annotated tag 0.7.2:"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("+version = \"0.7.2\""),
        "{}",
        plan.stdout
    );

    // Re-running with an older kit's file (recorded as the kit's) upgrades it; a file the user changed is
    // kept, with a warning; nothing else moves.
    let record: serde_json::Value =
        serde_json::from_str(&repo.read("xtask/kit-files.json")).unwrap();
    assert!(record["files"]["xtask/src/lib.rs"].is_string());
    let kit_lib = repo.read("xtask/src/lib.rs");
    let older = "//! an older kit\n";
    repo.write("xtask/src/lib.rs", older);
    let mut record = record;
    record["files"]["xtask/src/lib.rs"] = repo.git(&["hash-object", "xtask/src/lib.rs"]).into();
    repo.write(
        "xtask/kit-files.json",
        &serde_json::to_string_pretty(&record).unwrap(),
    );
    repo.write("xtask/build.rs", "// mine now\n");
    repo.commit("chore: an older kit, and a local change");
    repo.xtask(&["init", ".", "--yes"])
        .ok()
        .says("upgrade xtask/src/lib.rs")
        .says("xtask/build.rs: changed since the kit wrote it: kept");
    assert_eq!(repo.read("xtask/src/lib.rs"), kit_lib);
    assert_eq!(repo.read("xtask/build.rs"), "// mine now\n");
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        " M xtask/kit-files.json\n M xtask/src/lib.rs"
    );
}

#[test]
fn setup_cfg_and_init_py_are_both_found_and_a_dry_run_changes_nothing() {
    let repo = Repo::new();
    repo.write(
        "setup.cfg",
        "[metadata]\nname = fast-llm\nversion = 0.2.0\n",
    );
    repo.write("fast_llm/__init__.py", "__version__ = \"0.2.0\"\n");
    repo.commit("feat: first");
    let before = repo.state();
    let run = repo.xtask(&["init", ".", "--dry-run"]).ok();
    assert!(
        run.stdout.contains("+  { path = \"setup.cfg\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+  { path = \"fast_llm/__init__.py\""),
        "{}",
        run.stdout
    );
    assert_eq!(repo.state(), before);
    // A file init edits that has uncommitted changes is named before anything is written.
    repo.write(".gitignore", "*.pyc\n");
    repo.commit("chore: ignore bytecode");
    repo.write(".gitignore", "*.pyc\n__pycache__/\n");
    let before = repo.state();
    repo.xtask(&["init", ".", "--dry-run"])
        .ok()
        .says(".gitignore has uncommitted changes");
    assert_eq!(repo.state(), before);
    // Without a terminal and without --yes, nothing is written either.
    repo.xtask(&["init", "."]).fails(2).says("--yes");
    assert_eq!(repo.state(), before);
    repo.xtask(&["init", "fast_llm"])
        .fails(1)
        .says("inside the repository");
    assert_eq!(repo.state(), before);
    // What the starter configuration says is read as it was detected.
    repo.xtask(&["init", ".", "--yes"]).ok();
    let all = repo.xtask(&["version", "--all"]).ok().stdout;
    assert!(
        all.contains("setup.cfg") && all.contains("fast_llm/__init__.py"),
        "{all}"
    );
    assert_eq!(all.matches("0.2.0").count(), 2, "{all}");
}

#[test]
fn a_package_json_with_named_tags_keeps_its_tag_names() {
    let repo = Repo::new();
    repo.write(
        "package.json",
        "{\n  \"name\": \"web\",\n  \"version\": \"1.2.3\"\n}\n",
    );
    repo.commit("feat: first");
    repo.tag("web-v1.2.3");
    repo.commit("fix: second");
    repo.xtask(&["init", ".", "--yes"]).ok();
    repo.commit("chore: adopt the release kit");
    repo.xtask(&["release", "--dry-run", "--yes"])
        .ok()
        .says("Annotated tag web-v1.2.4");
}

#[test]
fn a_toolchain_too_old_for_the_kit_gets_cargos_one_line() {
    // `init` warns about a pin it can see (no cargo runs here: rustup would try to download 1.80).
    let pinned = Repo::new();
    pinned.write("rust-toolchain.toml", "[toolchain]\nchannel = \"1.80\"\n");
    pinned
        .xtask(&["init", ".", "--dry-run"])
        .ok()
        .says("pins Rust 1.80, older than the 1.88 the kit needs");

    let repo = Repo::new();
    repo.xtask(&["init", ".", "--yes"]).ok();
    // A rustc that says it is 1.80: cargo refuses before compiling anything.
    let script = old_rustc(&repo, "1.80.0");
    let mut command = repo.command("cargo", &["xtask", "version"]);
    command
        .env("RUSTC", &script)
        .env("CARGO_NET_OFFLINE", "true");
    let failed = run(&mut command).fails(101);
    assert!(
        failed.stderr.contains("requires rustc 1.88"),
        "{}",
        failed.stderr
    );
    assert!(!failed.stderr.contains("backtrace"), "{}", failed.stderr);
}

#[test]
fn every_command_shows_an_example_in_its_help() {
    let repo = Repo::new();
    for command in [
        "version",
        "bump",
        "check",
        "changelog",
        "release",
        "hooks",
        "init",
    ] {
        let help = repo.xtask(&[command, "--help"]).ok();
        assert!(
            help.stdout.contains("Example"),
            "{command}: {}",
            help.stdout
        );
    }
}

#[test]
fn a_copy_of_the_kit_made_by_hand_is_not_taken_for_a_users_xtask() {
    let repo = Repo::new();
    repo.write("xtask/Cargo.toml", "[package]\nname = \"xtask\"\n");
    repo.write("xtask/src/cmd/release.rs", "\n");
    repo.write("xtask/src/exec.rs", "\n");
    repo.commit("chore: the kit, copied by hand");
    let before = repo.state();
    repo.xtask(&["init", ".", "--yes"])
        .fails(1)
        .says("xtask/ already holds a copy of the kit that init did not install");
    assert_eq!(repo.state(), before);
}

#[test]
fn in_a_terminal_init_asks_before_writing() {
    let repo = Repo::new();
    repo.write("package.json", "{ \"version\": \"1.0.0\" }\n");
    repo.commit("feat: first");
    let before = repo.state();
    let ask = |answer: &str| {
        let mut command = Command::new(crate::support::xtask_bin());
        command.args(["init", "."]).current_dir(repo.path());
        repo.env(&mut command);
        command.env("TERM", "xterm");
        let mut session =
            rexpect::session::spawn_command(command, Some(20_000)).expect("a pseudo-terminal");
        session.exp_string("files?").unwrap();
        session.exp_string("(Y/n)").unwrap();
        // Give the prompt a moment to switch the terminal to raw mode.
        std::thread::sleep(std::time::Duration::from_millis(150));
        session.send(answer).unwrap();
        session.flush().unwrap();
        session.exp_eof().unwrap()
    };
    assert!(ask("n\r").contains("nothing was changed"));
    assert_eq!(repo.state(), before);
    assert!(ask("y\r").contains("next steps"));
    assert!(repo.read("xtask.toml").contains("\"package.json\""));
}

#[test]
fn the_next_steps_quote_a_hostile_path_and_a_current_kit_prints_none() {
    let outer = Repo::new();
    let name = "we'ird $(touch x)";
    let inner = outer.path().join(name);
    std::fs::create_dir_all(&inner).unwrap();
    outer.git(&[
        "-C",
        inner.to_str().unwrap(),
        "init",
        "--quiet",
        "--initial-branch=main",
    ]);
    std::fs::write(
        inner.join("pyproject.toml"),
        "[project]\nname = \"p\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let run = outer.xtask(&["init", name, "--yes"]).ok();
    assert!(
        run.stderr.contains(r"cd 'we'\''ird $(touch x)'"),
        "{}",
        run.stderr
    );
    assert!(!outer.path().join("x").exists() && !inner.join("x").exists());
    // Nothing left to do: no next steps asking to commit what is already there.
    let again = outer.xtask(&["init", name, "--yes"]).ok();
    assert!(
        again.stderr.contains("nothing to change"),
        "{}",
        again.stderr
    );
    assert!(!again.stderr.contains("git commit"), "{}", again.stderr);
}

#[test]
fn an_install_by_the_previous_kit_gains_the_launcher_on_the_next_init() {
    let repo = Repo::new();
    let root = "[workspace]\nmembers = [\n    \"crates/*\",  # our crates\n    \"xtask\",\n]\n";
    repo.write("Cargo.toml", root);
    repo.write(
        "crates/a/Cargo.toml",
        "[package]\nname = \"a\"\nversion = \"1.0.0\"\nedition = \"2021\"\n",
    );
    repo.write("crates/a/src/lib.rs", "\n");
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.xtask(&["init", ".", "--yes"]).ok();
    // As the previous kit left it: no launcher, the kit reached from the top directory only, and (older
    // still) the kit a member of the project's workspace.
    let mut record: serde_json::Value =
        serde_json::from_str(&repo.read("xtask/kit-files.json")).unwrap();
    for rel in [
        ".cargo/xtask-launcher/Cargo.toml",
        ".cargo/xtask-launcher/src/main.rs",
        "xtask/.cargo/config.toml",
    ] {
        std::fs::remove_file(repo.path().join(rel)).unwrap();
        record["files"].as_object_mut().unwrap().remove(rel);
    }
    repo.write(
        "xtask/kit-files.json",
        &serde_json::to_string_pretty(&record).unwrap(),
    );
    repo.write("Cargo.toml", root);
    repo.write(
        ".cargo/config.toml",
        "[alias]\nxtask = \"run --manifest-path xtask/Cargo.toml --profile xtask --\"\n",
    );
    repo.commit("chore: the previous kit");

    repo.xtask(&["init", ".", "--yes"]).ok();
    assert_eq!(
        repo.read(".cargo/config.toml"),
        "[alias]\nxtask = \"run --quiet --package xtask-launcher --\"\n"
    );
    // The old member entry goes, its neighbour's comment stays on its line, the launcher joins.
    let manifest = repo.read("Cargo.toml");
    assert!(
        manifest.starts_with(
            "[workspace]\nmembers = [\n    \"crates/*\",  # our crates\n    \".cargo/xtask-launcher\",\n]\n"
        ),
        "{manifest}"
    );
    assert!(
        manifest.contains("default-members = [\"crates/*\"]"),
        "{manifest}"
    );
    assert!(
        repo.path()
            .join(".cargo/xtask-launcher/src/main.rs")
            .is_file()
    );
    assert!(repo.path().join("xtask/.cargo/config.toml").is_file());
    let record = repo.read("xtask/kit-files.json");
    assert!(
        record.contains(".cargo/xtask-launcher/src/main.rs"),
        "{record}"
    );
    // And a third run changes nothing.
    repo.commit("chore: the kit, upgraded");
    let before = repo.state();
    repo.xtask(&["init", ".", "--yes"])
        .ok()
        .says("nothing to change");
    assert_eq!(repo.state(), before);
}
