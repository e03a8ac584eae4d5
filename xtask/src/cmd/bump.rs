//! `xtask bump`: rewrite every version file to a new version, or show the diff.

use std::path::Path;

use anyhow::Result;

use super::Project;
use super::version::{pre_kind, usage};
use crate::cli::BumpArgs;
use crate::domain::version::{self, BumpRequest};
use crate::ops::{fs, term};
use crate::project;

pub fn run(dir: &Path, args: BumpArgs) -> Result<()> {
    let p = Project::open(dir)?;
    let pre = pre_kind(args.pre.as_deref())?;
    let request = BumpRequest::parse(&args.level, pre).map_err(usage)?;
    let files = project::version_files(&p.config)?;
    let (current, _) = project::current_version(&p.root, &files)?;
    let new = version::bump(&current, &request)?;
    let changes = project::changes_for(&p.root, &files, &current, &new, &[])?;
    if args.dry_run {
        for change in &changes {
            term::out(&fs::unified_diff(change));
        }
        term::note(&format!(
            "dry run: {current} → {new} in {} file(s); nothing written",
            changes.len()
        ));
        return Ok(());
    }
    // Every file writable before any is written (read-only and immutable files are refused up front).
    let problems = fs::check_writable(&changes);
    if !problems.is_empty() {
        return Err(anyhow::anyhow!(
            "nothing was changed:\n{}",
            problems.join("\n")
        ));
    }
    fs::write_all(&changes)?;
    for change in &changes {
        term::step(&format!("{}: {current} → {new}", change.rel));
    }
    term::out(&new.to_string());
    Ok(())
}
