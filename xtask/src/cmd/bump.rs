//! `xtask bump`: rewrite every version file to a new version, or show the diff.

use std::path::Path;

use anyhow::Result;

use super::Project;
use super::version::{CiBuild, ci_version, pre_kind, usage};
use crate::cli::BumpArgs;
use crate::domain::version::{self, BumpRequest};

use crate::ops::{fs, term};
use crate::project;

pub fn run(dir: &Path, args: BumpArgs) -> Result<()> {
    let p = Project::open(dir)?.package(args.package.as_deref())?;
    let pre = pre_kind(args.pre.as_deref())?;
    let files = project::version_files(&p.config)?;
    let new = |current: &version::Version| -> Result<version::Version> {
        if args.nightly {
            return ci_version(&p, current, CiBuild::Nightly);
        }
        if args.dev {
            return ci_version(&p, current, CiBuild::Dev(args.build));
        }
        let level = args.level.as_deref().unwrap_or_default();
        let request = BumpRequest::parse(level, pre).map_err(usage)?;
        Ok(version::bump(current, &request)?)
    };
    let (current, readings) = project::current_version(&p.root, &files)?;
    let new = new(&current)?;
    // Every file must be able to spell the new version before any is written.
    let unspellable = project::unspellable(&files, &new);
    if !unspellable.is_empty() {
        return Err(anyhow::anyhow!("{}", unspellable.join("\n")));
    }
    let changes = project::changes_for(&p.root, &files, &current, &new, &[])?;
    // Shown as the first (authoritative) file spells it.
    let scheme = readings.first().map(|r| r.scheme).unwrap_or_default();
    let (current, new_text) = (
        readings.first().map(|r| r.text.clone()).unwrap_or_default(),
        project::render_in_scheme(&new, scheme)?,
    );
    let new = new_text;
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
