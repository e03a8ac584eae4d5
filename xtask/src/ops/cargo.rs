//! Asks cargo which packages make up the workspace (`cargo metadata`), so globs and exclusions are cargo's own.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use serde::Deserialize;
use xshell::{Shell, cmd};

#[derive(Debug)]
pub struct Workspace {
    pub root_manifest: PathBuf,
    pub member_names: Vec<String>,
    pub member_manifests: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    workspace_members: Vec<String>,
    workspace_root: PathBuf,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    id: String,
    manifest_path: PathBuf,
    #[serde(default)]
    dependencies: Vec<Dependency>,
    /// `[package.metadata]`: the kit marks its own crates (`xtask-kit`), which are never the project's.
    #[serde(default)]
    metadata: serde_json::Value,
}

impl Package {
    fn is_kit(&self) -> bool {
        self.metadata.get("xtask-kit").is_some()
    }
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
    /// Set for a path dependency (a workspace member, or a crate beside it).
    path: Option<PathBuf>,
}

/// Each member crate of the workspace `manifest` belongs to: its manifest (canonical) and the crates it
/// depends on by path. Offline, without resolving anything.
pub fn dependency_graph(
    manifest: &Path,
) -> Result<std::collections::HashMap<String, (PathBuf, Vec<String>)>> {
    let metadata = metadata(manifest)?;
    Ok(metadata
        .packages
        .iter()
        .filter(|p| metadata.workspace_members.contains(&p.id) && !p.is_kit())
        .map(|p| {
            let path = p
                .manifest_path
                .canonicalize()
                .unwrap_or(p.manifest_path.clone());
            let deps = p
                .dependencies
                .iter()
                .filter(|d| d.path.is_some())
                .map(|d| d.name.clone())
                .collect();
            (p.name.clone(), (path, deps))
        })
        .collect())
}

/// The workspace that `manifest` belongs to. Offline and without resolving dependencies: it only reads manifests.
pub fn workspace(manifest: &Path) -> Result<Workspace> {
    if !manifest.exists() {
        let name = manifest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Err(anyhow!(
            "{name}: file not found: create it or fix version.files in xtask.toml"
        ));
    }
    let metadata = metadata(manifest)?;
    let members: Vec<&Package> = metadata
        .packages
        .iter()
        // The kit's launcher (a member, so that `cargo xtask` works anywhere) is not the project's.
        .filter(|p| metadata.workspace_members.contains(&p.id) && !p.is_kit())
        .collect();
    Ok(Workspace {
        root_manifest: metadata.workspace_root.join("Cargo.toml"),
        member_names: members.iter().map(|p| p.name.clone()).collect(),
        member_manifests: members.iter().map(|p| p.manifest_path.clone()).collect(),
    })
}

/// `cargo metadata --no-deps` for the workspace of `manifest`.
fn metadata(manifest: &Path) -> Result<Metadata> {
    let sh = Shell::new()?;
    let output = cmd!(
        sh,
        "cargo metadata --format-version 1 --no-deps --offline --manifest-path {manifest}"
    )
    .quiet()
    .ignore_status()
    .output()
    .context("cannot run `cargo metadata`: is cargo installed and on PATH?")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(anyhow!(
            "{}: cargo cannot read the workspace: {}",
            manifest.display(),
            first_meaningful_lines(&stderr)
        ));
    }
    serde_json::from_slice(&output.stdout)
        .context("cannot understand the output of `cargo metadata`")
}

/// What a failed tool (cargo, or rustup in front of it) said, as one line: its first `error:` (or git's
/// `fatal:`) line, the first line under `Caused by:`, and a `help:` line, without the progress lines
/// (`info:`, `warning:`) and backtraces (`Stack backtrace:` and everything after it) around them. A
/// `rust-toolchain.toml` naming a toolchain that is not installed then reads as that, in one line.
pub fn first_meaningful_lines(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .take_while(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            !(l.starts_with("stack backtrace:") || l.starts_with("backtrace:"))
        })
        .map(str::trim_end)
        .collect();
    let strip = |line: &str, prefix: &str| {
        line.trim_start()
            .strip_prefix(prefix)
            .map(|rest| rest.trim().to_string())
    };
    let error = lines
        .iter()
        .find_map(|l| strip(l, "error:").or_else(|| strip(l, "fatal:")));
    let Some(mut text) = error else {
        // Nothing labelled: the first line that says anything.
        return lines
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty() && !l.starts_with("info:") && !l.starts_with("warning:"))
            .unwrap_or("it printed nothing")
            .to_string();
    };
    if let Some(at) = lines.iter().position(|l| l.trim() == "Caused by:")
        && let Some(cause) = lines[at + 1..]
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
    {
        text = format!("{text}: {cause}");
    }
    if let Some(help) = lines.iter().find_map(|l| strip(l, "help:")) {
        text = format!("{text} ({help})");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_meaningful_lines_table() {
        let table: &[(&str, &str)] = &[
            (
                "error: toolchain '1.60.0-x86_64-unknown-linux-gnu' is not installed\nhelp: run `rustup toolchain install` to install it\n\nStack backtrace:\n   0: anyhow::error::<impl>::from\n   1: rustup::config::Cfg::local_toolchain\n",
                "toolchain '1.60.0-x86_64-unknown-linux-gnu' is not installed (run `rustup toolchain install` to install it)",
            ),
            (
                "info: syncing channel updates for '1.60.0'\ninfo: latest update on 2022-04-07\nerror: could not download file\n",
                "could not download file",
            ),
            (
                "error: failed to parse manifest at `/r/Cargo.toml`\n\nCaused by:\n  TOML parse error at line 1, column 9\n    |\n",
                "failed to parse manifest at `/r/Cargo.toml`: TOML parse error at line 1, column 9",
            ),
            ("fatal: not a git repository\n", "not a git repository"),
            (
                "warning: unused\nsomething odd happened\n",
                "something odd happened",
            ),
            ("", "it printed nothing"),
        ];
        for (stderr, want) in table {
            assert_eq!(first_meaningful_lines(stderr), *want, "{stderr:?}");
        }
    }
}
