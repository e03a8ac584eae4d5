//! `xtask version`: the current version, every file's value, or what a bump would give.

use std::path::Path;

use anyhow::Result;

use super::Project;
use crate::cli::{Format, VersionArgs};
use crate::domain::version::{self, BumpRequest, Scheme, Version};
use crate::ops::term;
use crate::project;

pub fn run(dir: &Path, args: VersionArgs) -> Result<()> {
    let p = Project::open(dir)?;
    let files = project::version_files(&p.config)?;
    let next = |current: &Version| -> Result<Option<Version>> {
        let Some(level) = &args.next else {
            return Ok(None);
        };
        let pre = pre_kind(args.pre.as_deref())?;
        let request = BumpRequest::parse(level, pre).map_err(usage)?;
        Ok(Some(version::bump(current, &request)?))
    };
    if args.all {
        return all(&p, &files, args.format, &next);
    }
    let (current, readings) = project::current_version(&p.root, &files)?;
    let shown = next(&current)?.unwrap_or_else(|| current.clone());
    // The first file's spelling: a Python project asks for `2.6.0rc1`, not `2.6.0-rc.1`.
    let scheme = readings.first().map(|r| r.scheme).unwrap_or_default();
    let spelled = project::render_in_scheme(&shown, scheme)?;
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
    files: &[project::VersionFile],
    format: Format,
    next: &dyn Fn(&Version) -> Result<Option<Version>>,
) -> Result<()> {
    let (readings, problems) = match project::read_all(&p.root, files) {
        Ok(readings) => (readings, Vec::new()),
        Err(problems) => {
            // Show what could be read alongside what could not.
            let readings = files
                .iter()
                .filter_map(|f| {
                    project::read_file(&p.root, &f.path)
                        .and_then(|t| project::read_text(f, &t))
                        .ok()
                })
                .collect();
            (readings, problems)
        }
    };
    // With --next, each file's spelling of the next version (only once they agree).
    let upcoming = match readings.first() {
        Some(first) if problems.is_empty() => next(&first.parsed)?,
        _ => None,
    };
    let shown: Vec<(String, String)> = readings
        .iter()
        .map(|r| {
            let text = match &upcoming {
                Some(v) => project::render_in_scheme(v, r.scheme)
                    .unwrap_or_else(|e| format!("(cannot hold {v}: {e:#})")),
                None => r.text.clone(),
            };
            (r.path.clone(), text)
        })
        .collect();
    match format {
        Format::Text => {
            let width = shown.iter().map(|(path, _)| path.len()).max().unwrap_or(0);
            let lines: Vec<String> = shown
                .iter()
                .map(|(path, text)| format!("{path:width$}  {text}"))
                .collect();
            if !lines.is_empty() {
                term::out(&lines.join("\n"));
            }
            if problems.is_empty() && readings.len() > 1 {
                let version = &readings[0].parsed;
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
                return Err(crate::AlreadyReported.into());
            }
            return Ok(());
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(project::join_errors(problems))
    }
}

/// `--pre <kind>`, read as a usage error when it names no pre-release kind.
pub fn pre_kind(arg: Option<&str>) -> Result<Option<crate::domain::version::PreKind>> {
    arg.map(str::parse).transpose().map_err(usage)
}

pub fn usage(e: impl std::fmt::Display) -> anyhow::Error {
    crate::UsageError(e.to_string()).into()
}
