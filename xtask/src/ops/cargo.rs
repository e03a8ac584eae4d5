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
            "{}: cargo cannot read the workspace:\n{}",
            manifest.display(),
            stderr.trim_end()
        ));
    }
    let metadata: Metadata = serde_json::from_slice(&output.stdout)
        .context("cannot understand the output of `cargo metadata`")?;
    let members: Vec<&Package> = metadata
        .packages
        .iter()
        .filter(|p| metadata.workspace_members.contains(&p.id))
        .collect();
    Ok(Workspace {
        root_manifest: metadata.workspace_root.join("Cargo.toml"),
        member_names: members.iter().map(|p| p.name.clone()).collect(),
        member_manifests: members.iter().map(|p| p.manifest_path.clone()).collect(),
    })
}
