//! `xtask version`: the current version, every file's value, or what a bump would give.

use std::path::Path;

use anyhow::{Result, anyhow, bail};

use super::{Project, pre_kind, usage};
use crate::cli::{Format, SchemeArg, VersionArgs};
use crate::domain::release::decide;
use crate::domain::version::{self, BumpRequest, Scheme, Version};
use crate::ops::term;
use crate::{notes, render, version_files};

pub fn run(dir: &Path, args: VersionArgs) -> Result<()> {
    let p = Project::open(dir)?;
    if let Some(hint) = version_files::separately_versioned(&p.root, &p.config) {
        return Err(anyhow!("{hint}"));
    }
    // Several packages and no -p: every package's version (or, with --all, every package's files).
    if args.package.is_none()
        && p.config.package_names().len() > 1
        && args.next.is_none()
        && !args.nightly
        && !args.dev
    {
        return every_package(p, &args);
    }
    let p = p.package(args.package.as_deref())?;
    let files = version_files::version_files(&p.config)?;
    // Messages spell versions as the first file does (`2.6.0.dev0` in a Python project).
    let scheme = version_files::read_all(&p.root, &files)
        .ok()
        .and_then(|r| r.first().map(|r| r.scheme))
        .unwrap_or_default();
    let next = |current: &Version| -> Result<Option<Version>> {
        let Some(level) = &args.next else {
            return Ok(None);
        };
        // `auto`: the version `release auto` would release, from the same snapshot and decision; with
        // `--pre KIND`, the pre-release of that level, as `release auto --pre KIND`.
        if level.trim().eq_ignore_ascii_case("auto") {
            let pre = pre_kind(args.pre.as_deref())?;
            let choice = decide::Choice::parse("auto", pre).map_err(usage)?;
            return auto_version(&p, &choice)
                .map(Some)
                .map_err(|e| anyhow!("{}", e));
        }
        let pre = pre_kind(args.pre.as_deref())?;
        let request = BumpRequest::parse(level, pre).map_err(usage)?;
        Ok(Some(
            version::bump(current, &request)
                .map_err(|e| anyhow::anyhow!("{}", e.spelled(scheme)))?,
        ))
    };
    if args.all {
        return all(&p, &files, args.format, &next);
    }
    let (current, readings) = version_files::current_version(&p.root, &files)?;
    let build = match (args.nightly, args.dev) {
        (true, _) => Some(CiBuild::Nightly),
        (_, true) => Some(CiBuild::Dev(args.build)),
        _ => None,
    };
    let (shown, scheme) = match build {
        // CI builds are spelled in SemVer unless --scheme says otherwise.
        Some(build) => (ci_version(&p, &current, build)?, Scheme::Semver),
        // The first file's spelling: a Python project asks for `2.6.0rc1`, not `2.6.0-rc.1`.
        None => (
            next(&current)?.unwrap_or_else(|| current.clone()),
            readings.first().map(|r| r.scheme).unwrap_or_default(),
        ),
    };
    let scheme = args.scheme.map(scheme_of).unwrap_or(scheme);
    let spelled = version_files::render_in_scheme(&shown, scheme)?;
    match args.format {
        Format::Text => term::out(&spelled),
        Format::Json => term::out(
            &serde_json::json!({
                "version": spelled,
                "current": readings.first().map(|r| r.text.clone()),
                "semver": Scheme::Semver.render(&shown).ok(),
                "pep440": Scheme::Pep440.render(&shown).ok(),
            })
            .to_string(),
        ),
    }
    Ok(())
}

fn all(
    p: &Project,
    files: &[version_files::VersionFile],
    format: Format,
    next: &dyn Fn(&Version) -> Result<Option<Version>>,
) -> Result<()> {
    let (readings, problems) = readings_of(p, files);
    // With --next, each file's spelling of the next version (only once they agree).
    let upcoming = match readings.first() {
        Some(first) if problems.is_empty() => next(&first.parsed)?,
        _ => None,
    };
    let shown: Vec<(String, String)> = readings
        .iter()
        .map(|r| {
            let text = match &upcoming {
                Some(v) => version_files::render_in_scheme(v, r.scheme)
                    .unwrap_or_else(|e| format!("(cannot hold {v}: {e:#})")),
                None => r.text.clone(),
            };
            (r.path.clone(), text)
        })
        .collect();
    match format {
        Format::Text => {
            print_columns(shown.iter().map(|(path, text)| [path.as_str(), text]));
            if problems.is_empty() && readings.len() > 1 {
                // As the first (authoritative) file spells it.
                let version = &readings[0].text;
                term::note(&format!(
                    "all {} files agree on {version}{}",
                    readings.len(),
                    if upcoming.is_some() { " now" } else { "" }
                ));
            }
        }
        Format::Json => {
            let problems: Vec<String> = problems.iter().map(|e| format!("{e:#}")).collect();
            let files: Vec<serde_json::Value> = readings
                .iter()
                .zip(&shown)
                .map(|(r, (_, text))| {
                    let mut value = serde_json::json!(r);
                    if upcoming.is_some() {
                        value["next"] = serde_json::json!(text);
                    }
                    value
                })
                .collect();
            term::out(&serde_json::json!({ "files": files, "agree": problems.is_empty(), "problems": problems }).to_string());
            if !problems.is_empty() {
                return Err(crate::error::AlreadyReported.into());
            }
            return Ok(());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(version_files::join_errors(problems))
    }
}

/// Every file's reading, and the problems: what could be read is shown alongside what could not.
fn readings_of(
    p: &Project,
    files: &[version_files::VersionFile],
) -> (Vec<version_files::Reading>, Vec<anyhow::Error>) {
    match version_files::read_all(&p.root, files) {
        Ok(readings) => (readings, Vec::new()),
        Err(problems) => {
            let readings = files
                .iter()
                .filter_map(|f| {
                    version_files::read_file(&p.root, &f.path)
                        .and_then(|t| version_files::read_text(f, &t))
                        .ok()
                })
                .collect();
            (readings, problems)
        }
    }
}

/// `version --all` with several packages: one table (package, file, version) in aligned columns, then a
/// line saying whether each package's files agree.
fn all_packages_table(p: &Project, names: &[String]) -> Result<()> {
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut problems = Vec::new();
    let mut files_read = 0;
    let mut firsts = Vec::new();
    for name in names {
        let config = p
            .config
            .for_package(name)
            .ok_or_else(|| anyhow!("no package {name}"))?;
        let files = version_files::version_files(&config)?;
        let (readings, trouble) = readings_of(p, &files);
        files_read += readings.len();
        if let Some(first) = readings.first() {
            firsts.push((name.clone(), first.parsed.clone(), first.scheme));
        }
        for r in &readings {
            rows.push([name.clone(), r.path.clone(), r.text.clone()]);
        }
        problems.extend(trouble.iter().map(|e| format!("{name}: {e:#}")));
    }
    print_columns(rows.iter().map(|row| row.each_ref().map(String::as_str)));
    if p.config.version.shared.as_deref() == Some("minor")
        && let Some(problem) = crate::domain::packages::shared_disagreement(&firsts)
    {
        problems.push(problem);
    }
    if problems.is_empty() {
        let shared = if p.config.version.shared.as_deref() == Some("minor") {
            ", and the packages agree on X.Y (version.shared = \"minor\")"
        } else {
            ""
        };
        term::note(&format!(
            "each package's files agree ({} packages, {files_read} files){shared}",
            names.len()
        ));
        Ok(())
    } else {
        Err(anyhow!("{}", problems.join("\n")))
    }
}

/// `version` with several packages and no `-p`: one line per package (`compiler  3.1.0`), or with `--all`
/// every package's files; fails when a package's files disagree.
fn every_package(p: Project, args: &VersionArgs) -> Result<()> {
    let names = p.config.package_names();
    if args.all && args.format == Format::Text {
        return all_packages_table(&p, &names);
    }
    let mut lines = Vec::new();
    let mut json = serde_json::Map::new();
    let mut problems = Vec::new();
    for name in &names {
        let package = Project::new(
            crate::ops::repo::Repo::open(&p.root)?,
            p.root.clone(),
            p.config
                .for_package(name)
                .ok_or_else(|| anyhow!("no package {name}"))?,
        );
        let files = version_files::version_files(&package.config)?;
        if args.all {
            if let Err(e) = all(&package, &files, args.format, &|_| Ok(None)) {
                problems.push(format!("{name}: {e:#}"));
            }
            continue;
        }
        match version_files::current_version(&p.root, &files) {
            Ok((current, readings)) => {
                let scheme = args
                    .scheme
                    .map(scheme_of)
                    .unwrap_or_else(|| readings.first().map(|r| r.scheme).unwrap_or_default());
                let spelled = version_files::render_in_scheme(&current, scheme)?;
                lines.push((name.clone(), spelled.clone()));
                json.insert(name.clone(), serde_json::Value::String(spelled));
            }
            Err(e) => problems.push(format!("{name}: {e:#}")),
        }
    }
    if !args.all {
        match args.format {
            Format::Text => print_columns(lines.iter().map(|(name, v)| [name.as_str(), v])),
            Format::Json => term::out(&serde_json::Value::Object(json).to_string()),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(anyhow!("{}", problems.join("\n")))
    }
}

/// Which CI build a version is for.
#[derive(Debug, Clone, Copy)]
pub enum CiBuild {
    /// `X.Y.Z-rc.YYYYMMDD`.
    Nightly,
    /// `X.Y.Z-dev.N`, N given or the number of commits since the last release tag.
    Dev(Option<u64>),
}

/// The version of a nightly or dev build of `current` (see [`version::ci_base`]).
pub fn ci_version(p: &Project, current: &Version, build: CiBuild) -> Result<Version> {
    let format = &p.tag_format()?;
    let tags = p.repo.release_tags(format)?;
    let released = tags
        .iter()
        .any(|t| version::same_release(&t.version, &version::core(current)));
    let base = version::ci_base(current, released)
        .ok_or_else(|| anyhow!("{current}: the next patch number would overflow"))?;
    Ok(match build {
        CiBuild::Nightly => {
            let date = render::release_date()?;
            let number = version::date_number(&date)
                .ok_or_else(|| anyhow!("the date {date} cannot stamp a nightly version"))?;
            version::nightly(&base, number)
        }
        CiBuild::Dev(Some(number)) => version::dev_build(&base, number),
        CiBuild::Dev(None) => {
            let head = p.repo.head()?.commit.ok_or_else(|| {
                anyhow!("the repository has no commits yet: commit something, or pass --build N")
            })?;
            let last = p.repo.last_release(&tags, head)?;
            let since = p.repo.commits_since(head, last.map(|t| t.commit))?;
            // In a shallow clone the count stops where the history is cut: a wrong number, and the same one
            // for later builds. Refuse rather than publish it.
            let boundary = p.repo.shallow_boundary()?;
            if !boundary.is_empty()
                && (last.is_none() || since.iter().any(|c| boundary.contains(&c.id)))
            {
                let remote = crate::domain::shell::quote(p.config.remote());
                bail!(
                    "shallow clone: the commits since the last release are not all here, so the dev number \
                     would be too low: fetch them with `git fetch --unshallow --tags {remote}` (in GitHub \
                     Actions: actions/checkout with fetch-depth: 0), or pass --build N"
                );
            }
            version::dev_build(&base, since.len() as u64)
        }
    })
}

/// The version `release auto` would release here: its snapshot (the commits of the one definition, the
/// package's only with `-p`) and its decision, so that the two never disagree (on a line branch `auto` is
/// a patch).
fn auto_version(p: &Project, choice: &decide::Choice) -> Result<Version> {
    let git = crate::ops::git::Git::new(&p.root)?;
    let (mut snapshot, settings) = super::release::snapshot(p, &git, false, true)?;
    if let Some(head) = p.repo.head()?.commit {
        let hide = |tag: &Option<(String, Version)>| -> Result<Option<crate::ops::repo::ObjectId>> {
            tag.as_ref()
                .map(|(name, _)| p.repo.resolve(name))
                .transpose()
        };
        let last = hide(&snapshot.last_release)?;
        notes::keep_package_commits(&p.root, &p.config, head, last, &mut snapshot.commits)?;
        let last_final = hide(&snapshot.last_final)?;
        notes::keep_package_commits(
            &p.root,
            &p.config,
            head,
            last_final,
            &mut snapshot.commits_since_final,
        )?;
    }
    decide::next_version(&snapshot, &settings, choice).map_err(|reason| anyhow!("{reason}"))
}

pub fn scheme_of(arg: SchemeArg) -> Scheme {
    match arg {
        SchemeArg::Semver => Scheme::Semver,
        SchemeArg::Pep440 => Scheme::Pep440,
    }
}

/// Prints rows as aligned columns two spaces apart (the last column is not padded); nothing for no rows.
fn print_columns<'a, const N: usize>(rows: impl Iterator<Item = [&'a str; N]>) {
    let rows: Vec<[&str; N]> = rows.collect();
    if rows.is_empty() {
        return;
    }
    let mut widths = [0; N];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            let mut line = String::new();
            for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
                if i + 1 == N {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!("{cell:width$}  "));
                }
            }
            line
        })
        .collect();
    term::out(&lines.join("\n"));
}
