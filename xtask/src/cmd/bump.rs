//! `xtask bump`: rewrite every version file to a new version, or show the diff.

use std::path::Path;

use anyhow::Result;

use super::Project;
use super::version::{CiBuild, ci_version};
use super::{pre_kind, usage};
use crate::cli::BumpArgs;
use crate::domain::packages;
use crate::domain::version::{self, BumpRequest};

use crate::ops::{fs, term};
use crate::version_files;

pub fn run(dir: &Path, args: BumpArgs) -> Result<()> {
    let whole = Project::open(dir)?;
    let shared_minor = whole.config.version.shared.as_deref() == Some("minor");
    let all_config = whole.config.clone();
    let p = whole.package(args.package.as_deref())?;
    let pre = pre_kind(args.pre.as_deref())?;
    let files = version_files::version_files(&p.config)?;
    let new = |current: &version::Version| -> Result<version::Version> {
        if args.nightly {
            return ci_version(&p, current, CiBuild::Nightly);
        }
        if args.dev {
            return ci_version(&p, current, CiBuild::Dev(args.build));
        }
        let level = args.level.as_deref().unwrap_or_default();
        let request = BumpRequest::parse(level, pre).map_err(usage)?;
        let scheme = version_files::read_all(&p.root, &files)
            .ok()
            .and_then(|r| r.first().map(|r| r.scheme))
            .unwrap_or_default();
        version::bump(current, &request).map_err(|e| anyhow::anyhow!("{}", e.spelled(scheme)))
    };
    let (current, readings) = version_files::current_version(&p.root, &files)?;
    let new = new(&current)?;
    // `version.shared = "minor"`: a bump that moves X.Y moves every other package to X.Y.0, as a release
    // does, so that `check` still passes afterwards.
    let mut followers: Vec<(
        String,
        Vec<version_files::VersionFile>,
        version::Version,
        version::Version,
    )> = Vec::new();
    if shared_minor && !args.nightly && !args.dev && args.package.is_some() {
        for name in all_config.package_names() {
            if Some(name.as_str()) == args.package.as_deref() {
                continue;
            }
            let Some(config) = all_config.for_package(&name) else {
                continue;
            };
            let their_files = version_files::version_files(&config)?;
            let (theirs, _) = version_files::current_version(&p.root, &their_files)
                .map_err(|e| anyhow::anyhow!("{name}: {e:#}"))?;
            if packages::moves_minor(&current, &new)
                && let Some(target) = packages::follow(&theirs, &new)
            {
                followers.push((name, their_files, theirs, target));
            }
        }
    }
    // Every file must be able to spell the new version before any is written.
    let unspellable = version_files::unspellable(&files, &new);
    if !unspellable.is_empty() {
        return Err(anyhow::anyhow!("{}", unspellable.join("\n")));
    }
    let mut changes = version_files::changes_for(&p.root, &files, &current, &new, &[])?;
    let own: Vec<String> = changes.iter().map(|c| c.rel.clone()).collect();
    for (name, their_files, theirs, target) in &followers {
        let unspellable = version_files::unspellable(their_files, target);
        if !unspellable.is_empty() {
            return Err(anyhow::anyhow!("{name}: {}", unspellable.join("\n")));
        }
        // A file both packages write (a shared `Cargo.lock`) is one change, with both edits.
        for change in version_files::changes_for(&p.root, their_files, theirs, target, &changes)? {
            match changes.iter_mut().find(|c| c.rel == change.rel) {
                Some(known) => known.after = change.after,
                None => changes.push(change),
            }
        }
    }
    // Shown as the first (authoritative) file spells it.
    let scheme = readings.first().map(|r| r.scheme).unwrap_or_default();
    let (current, new_text) = (
        readings.first().map(|r| r.text.clone()).unwrap_or_default(),
        version_files::render_in_scheme(&new, scheme)?,
    );
    let new = new_text;
    if args.dry_run {
        for (name, _, _, target) in &followers {
            term::note(&format!(
                "version.shared = \"minor\": {name} moves to {} with it",
                scheme.spell(target)
            ));
        }
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
    for change in changes.iter().filter(|c| own.contains(&c.rel)) {
        term::step(&format!("{}: {current} → {new}", change.rel));
    }
    for (name, _, _, target) in &followers {
        term::step(&format!(
            "version.shared = \"minor\": {name} moves to {} with it",
            scheme.spell(target)
        ));
    }
    term::out(&new.to_string());
    Ok(())
}
