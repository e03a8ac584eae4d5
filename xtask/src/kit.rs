//! The kit's own files, compiled into the binary by `build.rs`, and the facts its installed manifest needs.

// `KIT_FILES`: every file of this crate that an installed copy needs, `(path in the crate, contents)`.
include!(concat!(env!("OUT_DIR"), "/kit_files.rs"));

/// The `Cargo.lock` the kit is tested with, written beside an installed kit so that its first build
/// resolves exactly these versions (offline, when cargo's cache has them).
pub const LOCK: &str = KIT_LOCK;

/// The kit's version (an installed copy, which has no version of its own, records it in its manifest).
pub const VERSION: &str = env!("XTASK_KIT_VERSION");
/// The oldest Rust that builds the kit: gix needs 1.88.
pub const RUST_VERSION: &str = env!("CARGO_PKG_RUST_VERSION");
pub const LICENSE: &str = env!("CARGO_PKG_LICENSE");
/// Cargo tells a build script everything but the edition; the unit test below keeps this in step.
pub const EDITION: &str = "2024";

/// Client-side hooks, in the order they are reported.
pub const CLIENT_HOOKS: [&str; 3] = ["commit-msg", "reference-transaction", "pre-push"];
pub const SERVER_HOOKS: [&str; 1] = ["pre-receive"];

/// The text of one embedded file (`hooks/commit-msg`, `templates/changelog.md.j2`).
pub fn embedded(rel: &str) -> Option<&'static str> {
    KIT_FILES
        .iter()
        .find(|(path, _)| *path == rel)
        .map(|(_, text)| *text)
}

/// The kit's files for a crate installed as a binary (`with_main`) or as a library beside a user's xtask.
pub fn files(with_main: bool) -> impl Iterator<Item = (&'static str, &'static str)> {
    KIT_FILES
        .iter()
        .copied()
        .filter(move |(rel, _)| with_main || *rel != "src/main.rs")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every source file of the crate, as its path under `src/` (with `/`) and its text.
    fn source_files() -> Vec<(String, String)> {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        let mut dirs = vec![src.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in crate::ops::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if crate::ops::fs::is_dir(&path) {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path
                        .strip_prefix(&src)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    files.push((rel, crate::ops::fs::read_to_string(&path).unwrap()));
                }
            }
        }
        files
    }

    /// Effects only in `ops/`: no other module names the shell, process, git-library or file-system APIs
    /// (the grep; main.rs and lib.rs start the process and map its exit code).
    #[test]
    fn effects_stay_in_ops() {
        let mut offenders = Vec::new();
        for (rel, text) in source_files() {
            // The launcher's source is a program of its own, which `init` writes into a project.
            let launcher = rel == "domain/launcher/main.rs";
            if rel.starts_with("ops/") || rel == "main.rs" || rel == "lib.rs" || launcher {
                continue;
            }
            // Spelled in pieces so that this file does not name them itself.
            for needle in [
                ["xsh", "ell"],
                ["std::pro", "cess"],
                ["gi", "x::"],
                ["std::", "fs"],
            ] {
                if text.contains(&needle.concat()) {
                    offenders.push(format!("{rel}: {}", needle.concat()));
                }
            }
        }
        assert!(offenders.is_empty(), "effects outside ops/: {offenders:?}");
    }

    /// `Policy::from_config` is the one reader of the rule keys: no other module reads them off the
    /// configuration (`config.rs` parses and validates them).
    #[test]
    fn only_the_policy_reads_rule_keys() {
        let keys = [
            ".branches.allowed",
            ".commits.conventional",
            ".commits.types",
            ".commits.patch_types",
            ".tag.format",
            ".tag.scheme",
            ".tag.sign",
            ".tag.allowed",
            ".release.branches",
            ".release.maintainers",
            ".release.line_branch",
            ".release.next_branch",
            ".release.backport_types",
            ".release.pre",
            ".release.post",
            ".release.push",
            ".policy.deprecation",
            ".policy.replace_refs",
            ".release.signers",
        ];
        let mut offenders = Vec::new();
        for (rel, text) in source_files() {
            if ["config.rs", "policy.rs", "kit.rs"].contains(&rel.as_str()) {
                continue;
            }
            // Read off a configuration (`config.…`, `p.config.…`), not off the compiled Policy's fields.
            offenders.extend(
                keys.iter()
                    .filter(|k| text.contains(&format!("config{k}")))
                    .map(|k| format!("{rel}: config{k}")),
            );
        }
        assert!(
            offenders.is_empty(),
            "rule keys read outside Policy: {offenders:?}"
        );
    }

    /// `init` gives a project the build profile this workspace builds the kit with.
    #[test]
    fn init_writes_the_profile_this_workspace_uses() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let ours: toml::Table = crate::ops::fs::read_to_string(root)
            .unwrap()
            .parse()
            .unwrap();
        let written: toml::Table = crate::domain::adopt::PROFILE.parse().unwrap();
        assert_eq!(ours["profile"]["xtask"], written["profile"]["xtask"]);
    }

    /// The embedded list is the crate on disk: every source file, hook shim and template, with its text.
    #[test]
    fn the_embedded_files_are_the_crates_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (rel, text) in KIT_FILES {
            // `hooks/` and `templates/` are at the top of this workspace, inside an installed crate.
            let inside = dir.join(rel);
            let path = if inside.exists() {
                inside
            } else {
                dir.join("..").join(rel)
            };
            let on_disk = crate::ops::fs::read_to_string(path).unwrap();
            assert_eq!(on_disk, *text, "{rel}");
        }
        for hook in CLIENT_HOOKS.into_iter().chain(SERVER_HOOKS) {
            assert!(embedded(&format!("hooks/{hook}")).is_some(), "{hook}");
        }
        for rel in [
            "Cargo.toml",
            "build.rs",
            "src/lib.rs",
            "src/main.rs",
            "src/kit.rs",
            "src/cmd/init.rs",
            "src/domain/detect.rs",
            "hooks/commit-msg",
            "hooks/pre-receive",
            "templates/changelog.md.j2",
        ] {
            assert!(
                KIT_FILES.iter().any(|(r, _)| *r == rel),
                "{rel} is not embedded"
            );
        }
        let mut count = 0;
        let mut stack = vec![dir.join("src")];
        while let Some(d) = stack.pop() {
            for entry in crate::ops::fs::read_dir(d).unwrap().flatten() {
                if entry.path().is_dir() {
                    stack.push(entry.path());
                } else {
                    count += 1;
                }
            }
        }
        let embedded = KIT_FILES
            .iter()
            .filter(|(r, _)| r.starts_with("src/"))
            .count();
        assert_eq!(embedded, count, "every file under src/ is embedded");
        assert!(!files(false).any(|(r, _)| r == "src/main.rs"));
    }

    #[test]
    fn the_edition_is_the_workspaces() {
        // In this repository the crate inherits its edition; an installed copy states it.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for manifest in [dir.join("../Cargo.toml"), dir.join("Cargo.toml")] {
            let Ok(text) = crate::ops::fs::read_to_string(&manifest) else {
                continue;
            };
            let doc: toml::Table = text.parse().unwrap();
            for table in [
                doc.get("workspace").and_then(|w| w.get("package")),
                doc.get("package"),
            ] {
                if let Some(edition) = table
                    .and_then(|t| t.get("edition"))
                    .and_then(|e| e.as_str())
                {
                    assert_eq!(edition, EDITION, "{}", manifest.display());
                }
            }
        }
    }
}
