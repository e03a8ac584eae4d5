//! What a release shows: the plan of a dry run, the JSON summary, `GITHUB_OUTPUT`, the push command.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Result, anyhow};

use crate::domain::release::decide::Decision;
use crate::domain::release::steps::{self, ReleasePlan};
use crate::domain::shell;
use crate::ops::fs;
use crate::ops::term;

/// The deprecations whose window this release opens.
pub(super) fn removable_notes(decision: &Decision) {
    for line in &decision.removable {
        term::note(&format!("may now be removed: {line}"));
    }
}

/// `git push --atomic REMOTE REFSPEC…`, quoted for the shell: names are data, whatever they contain.
pub(super) fn push_command(remote: &str, refspecs: &[String]) -> String {
    let mut words = vec!["git", "push", "--atomic", remote];
    words.extend(refspecs.iter().map(String::as_str));
    shell::join(&words)
}

/// The plan is a dry run's data: stdout, unless `--format json` makes the JSON summary the data (then the
/// plan is progress, on stderr). `implicit_auto`: no level was given, so the plan is `auto`'s (said).
/// One section of a dry run's plan: the command's output on stdout, or on stderr where stdout carries the
/// JSON summary.
pub(super) fn plan_section(to_stdout: bool, title: &str, body: &str) {
    if to_stdout {
        term::data_section(title, body)
    } else {
        term::section(title, body)
    }
}

pub(super) fn print_plan(release: &ReleasePlan, to_stdout: bool, implicit_auto: bool) {
    let emit = |title: &str, body: &str| plan_section(to_stdout, title, body);
    let d = &release.decision;
    let required = d
        .required
        .map(|l| format!(" (the commits call for {l})"))
        .unwrap_or_default();
    emit(
        "Release plan (dry run: nothing is changed)",
        &format!(
            "version: {} → {}{required}{}",
            release.spell(&d.previous),
            release.spell(&d.version),
            if implicit_auto {
                "\nlevel: auto (no level was given; a dry run without one plans `auto`)"
            } else {
                ""
            }
        ),
    );
    for command in steps::checks(&release.steps) {
        emit("Check:", &format!("run `{command}`"));
    }
    if let Some((rel, section)) = &release.changelog {
        emit(&format!("Changelog ({rel}):"), section);
    }
    let diffs: Vec<String> = release
        .version_file_changes()
        .map(fs::unified_diff)
        .collect();
    emit("Version files:", &diffs.join(""));
    match release.release_commit() {
        None => emit(
            "Release commit:",
            "none: no file changes (the version is released as written), so the tag goes on HEAD",
        ),
        Some(message) => emit("Release commit:", message),
    }
    if let Some((name, message, sign)) = release.tag() {
        emit(
            &format!(
                "Annotated tag {name}{}:",
                if sign { " (signed)" } else { "" }
            ),
            message,
        );
    }
    match (&release.dev_version, release.dev_commit()) {
        (Some(version), Some(message)) => {
            let diffs: Vec<String> = release.dev_files().iter().map(fs::unified_diff).collect();
            emit(
                &format!("Next development version: {}", release.spell(version)),
                &diffs.join(""),
            );
            emit("Development commit:", message);
        }
        _ if !d.version.is_final() => emit(
            "Next development version:",
            "none: the files keep the pre-release, so the next `rc` continues it and `release` \
             promotes it",
        ),
        _ => emit("Next development version:", "none"),
    }
    match steps::push(&release.steps) {
        Some((remote, refspecs)) => emit("Push:", &push_command(remote, refspecs)),
        None => emit("Push:", "no (pass --push or set release.push = true)"),
    }
}

pub(super) fn summary(release: &ReleasePlan, pushed: bool) -> serde_json::Value {
    let mut files: Vec<&str> = release
        .release_files()
        .iter()
        .map(|c| c.rel.as_str())
        .collect();
    files.extend(
        release
            .dev_files()
            .iter()
            .map(|c| c.rel.as_str())
            .filter(|r| !files.contains(r))
            .collect::<Vec<_>>(),
    );
    let mut commits = vec![
        release
            .release_message
            .lines()
            .next()
            .unwrap_or("")
            .to_string(),
    ];
    if let Some(message) = release.dev_commit() {
        commits.push(message.lines().next().unwrap_or("").to_string());
    }
    serde_json::json!({
        "version": release.spell(&release.decision.version),
        "previous": release.spell(&release.decision.previous),
        "tag": release.decision.tag,
        "dev_version": release.dev_version.as_ref().map(|v| release.spell(v)),
        "commits": commits,
        "files": files,
        "pushed": pushed,
    })
}

/// GitHub Actions: `version=` and `tag=` for later steps.
pub(super) fn github_output(release: &ReleasePlan) -> Result<()> {
    append_github_output(&format!(
        "version={}\ntag={}\n",
        release.spell(&release.decision.version),
        release.decision.tag
    ))
}

/// `packages=` and `tags=` (space-separated), then `<name>-version=` and `<name>-tag=` per package.
pub(super) fn github_output_of_packages(plans: &[(String, ReleasePlan)]) -> Result<()> {
    let names: Vec<&str> = plans.iter().map(|(n, _)| n.as_str()).collect();
    let tags: Vec<&str> = plans.iter().map(|(_, p)| p.decision.tag.as_str()).collect();
    let mut text = format!("packages={}\ntags={}\n", names.join(" "), tags.join(" "));
    for (name, plan) in plans {
        text.push_str(&format!(
            "{name}-version={}\n{name}-tag={}\n",
            plan.spell(&plan.decision.version),
            plan.decision.tag
        ));
    }
    append_github_output(&text)
}

/// Appends to the file `GITHUB_OUTPUT` names, when it names one (in GitHub Actions).
fn append_github_output(text: &str) -> Result<()> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    fs::open_append(&path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| {
            anyhow!(
                "GITHUB_OUTPUT: cannot write {}: {e}",
                Path::new(&path).display()
            )
        })
}

pub(super) fn summary_of_packages(
    plans: &[(String, ReleasePlan)],
    pushed: bool,
) -> serde_json::Value {
    let packages: Vec<serde_json::Value> = plans
        .iter()
        .map(|(name, plan)| {
            serde_json::json!({
                "package": name,
                "version": plan.spell(&plan.decision.version),
                "previous": plan.spell(&plan.decision.previous),
                "tag": plan.decision.tag,
                "dev_version": plan.dev_version.as_ref().map(|v| plan.spell(v)),
            })
        })
        .collect();
    serde_json::json!({ "packages": packages, "pushed": pushed })
}
