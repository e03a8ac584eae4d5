//! `xtask check`: the release's preflight that does not depend on the level (configuration, templates, tag names,
//! the kit's own commit messages, version files, cargo's workspace, the branch), with every problem listed.

use std::path::Path;

use anyhow::Result;

use super::Project;
use crate::domain::problem::Problem;
use crate::domain::rules::{self, Enforcement, Verdict};
use crate::notes;
use crate::ops::{cargo, fs, term};
use crate::policy::{CommitRules, Policy};
use crate::render::{MessageContext, Renderer};
use crate::version_files;

pub fn run(dir: &Path) -> Result<()> {
    let p = Project::open(dir)?;
    let mut problems: Vec<String> = Vec::new();
    let config = &p.config;
    // The rules' problems are listed after the version files'. A broken rule does not hide the checks that
    // need only the others: those sections of the rules are built by themselves then.
    let policy = Policy::from_config(config);
    let tag_format = match &policy {
        Ok(policy) => policy.tag_format().ok().cloned(),
        Err(_) => Policy::tag_format_of(config).ok().flatten(),
    };
    let allowed = match &policy {
        Ok(policy) => Some(policy.allowed_branches.clone()),
        Err(_) => Policy::allowed_branches_of(config).ok(),
    };
    let commits = match &policy {
        Ok(policy) => Some(policy.commits.clone()),
        Err(_) => CommitRules::from_config(config).ok(),
    };

    if config.packages.is_some() {
        check_packages(&p, &mut problems);
    } else if let Some(hint) = version_files::separately_versioned(&p.root, config) {
        problems.push(hint);
    } else {
        match version_files::version_files(config) {
            Ok(files) => match version_files::read_all(&p.root, &files) {
                Ok(readings) => {
                    if let Some(first) = readings.first() {
                        term::step(&format!(
                            "version files agree on {} ({} file(s))",
                            first.text,
                            readings.len()
                        ));
                    }
                }
                Err(errors) => problems.extend(errors.iter().map(|e| format!("{e:#}"))),
            },
            Err(e) => problems.push(format!("{e:#}")),
        }
        // The changelog a release writes must stay in the work tree: a symbolic link may lead out of it.
        if let Err(e) = crate::ops::fs::confined(&p.root, config.changelog_file()) {
            problems.push(format!("changelog.file: {e:#}"));
        }
        // Release asks cargo for the workspace of every Cargo version file: so does check, so that a broken
        // manifest or a missing pinned toolchain shows up here, not in the middle of a release.
        for file in version_files::version_files(config).unwrap_or_default() {
            // A missing manifest is reported above, with the other version files.
            let manifest = p.root.join(&file.path);
            if matches!(file.kind, version_files::Kind::Cargo)
                && fs::is_file(&manifest)
                && let Err(e) = cargo::workspace(&manifest)
            {
                problems.push(format!("{e:#}"));
            }
        }
        if let Some(format) = &tag_format {
            problems.extend(tag_ref_problem(format));
            release_tags(&p, format)?;
        }
    }
    if let Err(e) = &policy {
        problems.extend(e.problems.iter().cloned());
    }
    // The hooks verify release tags against this file: one that is not there refuses every release.
    if let Ok(Policy {
        signers: Some(signers),
        ..
    }) = &policy
        && !fs::is_file(p.root.join(signers))
    {
        problems.push(format!(
            "release.signers: {signers} does not exist: commit the SSH allowed-signers file there \
             (`<e-mail> namespaces=\"git\" <public key>` per maintainer), or remove the key"
        ));
    }
    // A release through review reads these only when it runs: say now what it would refuse.
    if let Some(text) = &config.release.pr_dev
        && let Err(e) = crate::domain::release::review::DevStep::parse(text)
    {
        problems.push(e);
    }
    if let Some(text) = config.forge.without_cli.as_deref()
        && !matches!(text, "fail" | "print")
    {
        problems.push(format!(
            "forge.without_cli = {text:?} is not a choice: write \"fail\" (refuse before changing anything) \
             or \"print\" (do the git part and print the rest)"
        ));
    }
    let scheme = tag_format
        .as_ref()
        .map(rules::TagFormat::scheme)
        .unwrap_or_default();
    // The message templates do not depend on the changelog template: a broken one is reported, and the
    // messages are still checked with the built-in renderer.
    let renderer = Renderer::new(&p.root, config, scheme).unwrap_or_else(|e| {
        problems.push(format!("{e:#}"));
        Renderer::builtin()
    });
    let v = crate::domain::version::Version::new(1, 2, 3);
    let context = MessageContext::new(&v, &v, "v1.2.3", "2000-01-01");
    let templates = [
        ("release.commit", Some(config.release_commit())),
        ("release.dev_commit", Some(config.dev_commit())),
        ("tag.message", Some(config.tag_message())),
        ("version.dev", config.dev_template()),
        // Only when set: a project that never releases through review need not allow the default's
        // `release/*` branches (`release --pr` refuses then, saying so).
        ("release.pr_branch", config.release.pr_branch.as_deref()),
    ];
    for (key, template) in templates {
        let Some(template) = template else {
            continue;
        };
        match renderer.message(key, template, &context) {
            Err(e) => problems.push(format!("{e:#}")),
            // The kit's own commits go through the commit-msg hook like anyone's.
            // The release pull request's branch must be one the hooks let through.
            Ok(name) if key == "release.pr_branch" => {
                if let Some(problem) = allowed.as_deref().and_then(|allowed| {
                    crate::domain::push::check_branch_name(name.trim(), allowed)
                }) {
                    problems.push(format!(
                        "release.pr_branch gives {}, which the hooks refuse ({}): {}",
                        name.trim(),
                        problem.reason,
                        problem.hint
                    ));
                }
            }
            Ok(message) if key.starts_with("release.") => {
                if let Some(commits) = &commits {
                    judge_commit_message(commits, key, &message, &mut problems)
                }
            }
            Ok(_) => {}
        }
    }
    // The same message templates again (for the changelog's filter): reported once.
    if let Err(e) = notes::options(config) {
        let text = format!("{e:#}");
        if !problems.contains(&text) {
            problems.push(text);
        }
    }
    if let (Some(allowed), Ok(head)) = (allowed, p.repo.head())
        && let Some(branch) = head.branch
    {
        match rules::check_branch(&branch, &allowed) {
            Verdict::Allowed => term::step(&format!("branch {branch} follows branches.allowed")),
            Verdict::Refused(problem) => problems.push(problem.one_line()),
        }
    }

    if problems.is_empty() {
        term::step("configuration is valid");
        return Ok(());
    }
    Err(super::refuse(None, None, problems))
}

/// `[packages]`: each package's files agree and its tag format makes valid tags; with `version.shared =
/// "minor"`, the packages agree on `X.Y`.
fn check_packages(p: &Project, problems: &mut Vec<String>) {
    let mut versions = Vec::new();
    for name in p.config.package_names() {
        let Some(config) = p.config.for_package(&name) else {
            continue;
        };
        let files = match version_files::version_files(&config) {
            Ok(files) => files,
            Err(e) => {
                problems.push(format!("{name}: {e:#}"));
                continue;
            }
        };
        match version_files::read_all(&p.root, &files) {
            Ok(readings) => {
                if let Some(first) = readings.first() {
                    term::step(&format!(
                        "{name}: version files agree on {} ({} file(s))",
                        first.text,
                        readings.len()
                    ));
                    versions.push((name.clone(), first.parsed.clone(), first.scheme));
                }
            }
            Err(errors) => problems.extend(errors.iter().map(|e| format!("{name}: {e:#}"))),
        }
        for file in &files {
            let manifest = p.root.join(&file.path);
            if matches!(file.kind, version_files::Kind::CargoCrate)
                && fs::is_file(&manifest)
                && let Err(e) = cargo::workspace(&manifest)
            {
                problems.push(format!("{name}: {e:#}"));
            }
        }
        // The package's own tag format; the rules all packages share are listed once, with the
        // configuration's.
        match Policy::tag_format_of(&config) {
            Ok(Some(format)) => {
                problems.extend(tag_ref_problem(&format).map(|e| format!("{name}: {e}")))
            }
            Ok(None) => {}
            Err(e) => problems.push(format!("{name}: {e}")),
        }
    }
    if p.config.version.shared.as_deref() == Some("minor")
        && let Some(problem) = crate::domain::packages::shared_disagreement(&versions)
    {
        problems.push(problem);
    }
}

/// The tag `format` gives a sample version, if git would refuse it as a ref name.
pub(super) fn tag_ref_problem(format: &rules::TagFormat) -> Option<String> {
    ["1.2.3", "1.2.3-rc.1"].iter().find_map(|sample| {
        let version = crate::domain::version::Version::parse(sample).ok()?;
        let tag = format.render(&version).ok()?;
        rules::ref_name_problem(&tag).map(|why| {
            format!(
                "xtask.toml: tag.format `{}` makes the tag `{tag}` for {sample}, which git refuses as a \
                 tag name: {why} (see `git check-ref-format`)",
                format.as_str()
            )
        })
    })
}

/// Judges a rendered `release.commit` or `release.dev_commit` by the commit-message rules, as the
/// commit-msg hook will: a problem under `commits.conventional = "deny"`, a warning under "warn".
pub(super) fn judge_commit_message(
    commits: &CommitRules,
    key: &str,
    message: &str,
    problems: &mut Vec<String>,
) {
    let mode = commits.conventional;
    if mode == Enforcement::Off {
        return;
    }
    if let Verdict::Refused(Problem { rule, reason, hint }) =
        rules::check_message(message, &commits.types)
    {
        let verb = if mode == Enforcement::Deny {
            "refuses"
        } else {
            "warns about"
        };
        let text = format!(
            "xtask.toml: {key} makes the commit message `{}`, which {rule} = \"{mode}\" {verb}: \
             {reason}: {hint}",
            message.lines().next().unwrap_or("")
        );
        match mode {
            Enforcement::Deny => problems.push(text),
            _ => term::warn(&text),
        }
    }
}

/// Says which release the next one follows, or warns (with a likely `tag.format`) when no tag reachable
/// from HEAD follows the format.
fn release_tags(p: &Project, format: &rules::TagFormat) -> Result<()> {
    let Some(head) = p.repo.head()?.commit else {
        return Ok(());
    };
    let tags = p.repo.release_tags(format)?;
    // The release the branch's unreleased commits start after (one definition with `changelog`).
    let current = crate::notes::branch_version(&p.root, &p.config);
    match notes::base(&p.repo, &tags, head, current.as_ref(), false)? {
        // Once, as the project spells it; the tag only when its name says more than the version.
        Some(last) => {
            let spelled = format.scheme().spell(&last.version);
            if last.name == spelled {
                term::step(&format!("last release: {spelled}"))
            } else {
                term::step(&format!("last release: {spelled} (tag {})", last.name))
            }
        }
        None => notes::warn_without_release(&p.repo, format)?,
    }
    Ok(())
}
