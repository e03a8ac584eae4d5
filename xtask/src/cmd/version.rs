//! `xtask version`: the current version, every file's value, or what a bump would give.

use std::path::Path;

use anyhow::Result;

use super::Project;
use crate::cli::{Format, VersionArgs};
use crate::domain::plan;
use crate::domain::version::{self, BumpRequest};
use crate::notes;
use crate::ops::term;
use crate::project;

pub fn run(dir: &Path, args: VersionArgs) -> Result<()> {
    let p = Project::open(dir)?;
    let files = project::version_files(&p.config)?;
    if args.all {
        return all(&p, &files, args.format);
    }
    let (current, _) = project::current_version(&p.root, &files)?;
    let shown = match &args.next {
        // `auto`: the level the commits since the last release call for, as `release auto` picks it.
        Some(level) if level.eq_ignore_ascii_case("auto") && args.pre.is_none() => {
            let history = notes::unreleased(&p.repo, &notes::tag_format(&p.config)?)?;
            let Some(level) = plan::required_level(&history.commits, &current) else {
                let since = history
                    .last
                    .map(|t| format!(" since {}", t.name))
                    .unwrap_or_default();
                anyhow::bail!("no commits{since}: nothing to release, so `auto` names no level");
            };
            version::bump(&current, &BumpRequest::Level(level))?
        }
        Some(level) => {
            let pre = pre_kind(args.pre.as_deref())?;
            let request = BumpRequest::parse(level, pre).map_err(usage)?;
            version::bump(&current, &request)?
        }
        None => current.clone(),
    };
    match args.format {
        Format::Text => term::out(&shown.to_string()),
        Format::Json => term::out(
            &serde_json::json!({ "version": shown.to_string(), "current": current.to_string() })
                .to_string(),
        ),
    }
    Ok(())
}

fn all(p: &Project, files: &[project::VersionFile], format: Format) -> Result<()> {
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
    match format {
        Format::Text => {
            let width = readings.iter().map(|r| r.path.len()).max().unwrap_or(0);
            let lines: Vec<String> = readings
                .iter()
                .map(|r| format!("{:width$}  {}", r.path, r.text, width = width))
                .collect();
            if !lines.is_empty() {
                term::out(&lines.join("\n"));
            }
        }
        Format::Json => {
            let problems: Vec<String> = problems.iter().map(|e| format!("{e:#}")).collect();
            term::out(&serde_json::json!({ "files": readings, "agree": problems.is_empty(), "problems": problems }).to_string());
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
