//! `xtask release`: gather the snapshot → decide (pure, `domain::release`) → check and build the plan → show
//! it (dry run) or run it with undo. The steps live in `gather`, `checks` and `show`; this module runs them.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::Project;
use crate::cli::{Format, ReleaseArgs};
use crate::cmd::{pre_kind, usage};
use crate::domain::changelog;
use crate::domain::changelog::Changes;
use crate::domain::problem::Problem;
use crate::domain::release::decide::{self, Choice, Decision, Settings, Snapshot};
use crate::domain::release::steps::{self, ReleasePlan};
use crate::domain::version::{self, Scheme, Version};
use crate::error::UsageError;
use crate::exec;
use crate::notes;
use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;
use crate::ops::{prompt, term};
use crate::render::{self, MessageContext, Renderer, SectionContext};
use crate::version_files;

/// The checks that need the plan, and the report of their problems.
mod checks;
/// The snapshot a release decides on.
mod gather;
/// Several packages (`[packages]`): the same steps per package, in one commit with one tag each.
mod packages;
/// A release through review: `release --pr` and `release --finish`.
mod review;
/// After the local steps: the push, `GITHUB_OUTPUT`, the JSON summary, `release.post`.
mod run;
/// The plan, the JSON summary and `GITHUB_OUTPUT`.
mod show;

use checks::*;
pub(crate) use gather::snapshot;
use gather::*;
use run::{advance_ci_branch, publish_refspecs};
use show::*;

/// With `--format json` a JSON object is printed whatever happens: the summary, or `"pushed": false` and
/// `"error"` when the release stops, so a CI script always has something to parse.
pub fn run(dir: &Path, args: ReleaseArgs) -> Result<()> {
    let json = args.format == Format::Json && !args.abort;
    let mut printed = false;
    let result = release(dir, args, &mut printed);
    if json
        && !printed
        && let Err(e) = &result
    {
        let mut object = serde_json::json!({ "pushed": false, "error": e.to_string() });
        if let Some(problems) = crate::error::problems_json(e) {
            object["problems"] = problems;
        }
        term::out(&object.to_string());
    }
    result
}

fn release(dir: &Path, args: ReleaseArgs, json_printed: &mut bool) -> Result<()> {
    let p = Project::open(dir)?;
    let git = Git::new(&p.root)?;
    let journal = exec::journal_path(p.repo.git_dir());
    if args.abort {
        let request = review::abort_request(&p, &git)?;
        if request && !fs::exists(&journal) {
            return Ok(());
        }
        return abort(&git, &journal);
    }
    if fs::exists(&journal) {
        return Err(anyhow!(
            "an interrupted release left a journal at {}: run `cargo xtask release --abort` to restore the repository",
            journal.display()
        ));
    }
    if args.finish {
        return review::finish(&p, &git, &args);
    }
    if p.config.packages.is_some() {
        return packages::release(&p, &git, &args, json_printed);
    }
    if !args.packages.is_empty() {
        return Err(UsageError(
            "-p names a package, but xtask.toml has no [packages]: add [packages.<name>] tables, or release without -p"
                .into(),
        )
        .into());
    }
    if let Some(hint) = version_files::separately_versioned(&p.root, &p.config) {
        return Err(anyhow!("{hint}"));
    }
    let interactive = prompt::interactive(args.yes) && !args.dry_run && args.format == Format::Text;
    let pre = pre_kind(args.pre.as_deref())?;
    let choice = match &args.level {
        Some(level) => Some(Choice::parse(level, pre).map_err(usage)?),
        None if interactive || args.dry_run => None,
        None => {
            return Err(UsageError(
                "no version given and no terminal to ask on: pass a level or version, e.g. `cargo xtask release auto --yes`"
                    .into(),
            )
            .into());
        }
    };

    let (mut snapshot, settings) = snapshot(&p, &git, args.force, args.dry_run)?;
    let choice = match choice {
        Some(choice) => choice,
        // `--pre KIND` without a level is `auto --pre KIND`, as the plan then says.
        None if args.dry_run => pre.map_or(Choice::Auto, Choice::AutoPre),
        None => {
            // Whatever does not depend on the version is checked before asking for one: a dirty tree is
            // reported before the user has chosen, and with nothing to release there is nothing to choose.
            let mut problems = decide::before_choosing(&snapshot, &settings);
            problems.extend(unwritable_known_files(&p, &args)?);
            problems.extend(super::check::tag_ref_problem(&settings.tag_format));
            if !problems.is_empty() {
                return report(&problems);
            }
            if let Some(nothing) = decide::nothing_to_release(&snapshot, &settings) {
                return Err(anyhow!("{nothing}"));
            }
            ask_version(&snapshot, &settings, snapshot_scheme(&p)?)?
        }
    };
    // Deprecation windows: the history is read only when this version removes something or opens a window.
    if let Ok(new) = decide::next_version(&snapshot, &settings, &choice) {
        snapshot.deprecations = super::deprecations::for_release(
            &p.repo,
            &settings.tag_format,
            settings.deprecation,
            snapshot.last_release.as_ref().map(|(_, v)| v),
            &new,
            &snapshot.commits,
        )?;
    }
    let decision = match decide::decide(&snapshot, &settings, &choice) {
        Ok(decision) => decision,
        Err(mut problems) => {
            // No plan without a version, but the files every release writes can be checked anyway, so
            // that every problem is reported at once.
            if !args.dry_run {
                problems.extend(
                    unwritable_known_files(&p, &args)?
                        .into_iter()
                        .map(Problem::said),
                );
            }
            return report(&problems);
        }
    };
    for warning in &decision.warnings {
        term::warn(warning);
    }

    let mut release = build(&p, &snapshot, decision, &args, &[])?;
    release.add_post(packages::single_post(&p, &release));
    // Checks that need the plan: the files can be written, and the remote will take the push.
    let mut problems = preflight(&git, &release, args.dry_run);
    // The kit's own commits meet the commit rules, as `check` says (without hooks nothing else would).
    problems.extend(message_problems(&p, &release)?);
    if !args.pr {
        // A release through review is tagged by `release --finish`, where CI signs it.
        problems.extend(signing_problem(&p)?);
    }
    warn_or_refuse(&problems, args.dry_run)?;
    if args.dry_run && !args.pr {
        print_plan(&release, args.format == Format::Text, args.level.is_none());
        removable_notes(&release.decision);
        packages::print_post(&steps::post(&release.steps), args.format == Format::Text);
        if args.format == Format::Json {
            term::out(&summary(&release, false).to_string());
        }
        return Ok(());
    }

    if !args.dry_run {
        // The last preflight check: the project's own commands (tests, lints) must pass.
        let failed = run_pre(&git, &steps::checks(&release.steps))?;
        if !failed.is_empty() {
            return report(&failed);
        }
        if interactive {
            review(&p, &mut release)?;
            prompt::proceed(&format!(
                "{} {} as {}?",
                if args.pr {
                    "Open a pull request releasing"
                } else {
                    "Release"
                },
                release.spell(&release.decision.version),
                release.decision.tag
            ))?;
        }
    }
    // Through review: the commits go to a pull request's branch, and `release --finish` tags the merge.
    if args.pr {
        *json_printed = args.format == Format::Json;
        let request = review::Request::of(&p, &release)?;
        return review::open_request(&p, &git, &request, &args);
    }

    let detached = git.head_ref()?.is_none();
    let steps = steps::local_steps(&release.steps);
    let on_step = |step: &steps::Step| term::step(&step.describe());
    let journal = if args.keep_journal {
        exec::run_kept(&git, p.repo.git_dir(), &release.head, steps, on_step)?
    } else {
        exec::run(&git, p.repo.git_dir(), &release.head, steps, on_step)?
    };
    term::step(&format!(
        "released {} as {}",
        release.spell(&release.decision.version),
        release.decision.tag
    ));
    // On a detached HEAD the commits were made there: the branch the CI named moves to them too.
    let released_head = git.head_id()?;
    if detached && let Some(branch) = &release.branch {
        advance_ci_branch(&git, branch, &release.head, &released_head);
    }
    removable_notes(&release.decision);

    let level = args.level.as_deref().unwrap_or("auto");
    let publishing = run::Publishing {
        steps: &release.steps,
        journal: &journal,
        branch: release.branch.as_deref(),
        take_back: !args.keep_journal && !detached,
        through_review: format!("cargo xtask release --pr {level}"),
        remote: &release.remote,
        refspecs: publish_refspecs(
            release.branch.as_deref(),
            detached.then_some(released_head.as_str()),
            &release.decision.tag,
        ),
    };
    run::publish(
        &git,
        p.repo.git_dir(),
        &args,
        publishing,
        run::Released::One(&release),
        json_printed,
    )
}

fn abort(git: &Git, journal: &Path) -> Result<()> {
    if !fs::exists(journal) {
        term::note("no interrupted release: nothing to undo");
        return Ok(());
    }
    let recorded = exec::load(journal)?;
    let done = exec::undo(git, journal, &recorded)?;
    term::step(&format!(
        "{}restored the repository to {} as before the interrupted release",
        done.summary(),
        &recorded.head[..recorded.head.len().min(7)]
    ));
    Ok(())
}

/// The interactive menu: one row per distinct version, then "other version…", which asks for a version
/// and checks it as a release would (asking again until one passes).
fn ask_version(snapshot: &Snapshot, settings: &Settings, scheme: Scheme) -> Result<Choice> {
    let current = snapshot.current.as_ref().map_err(|e| anyhow!("{e}"))?;
    // The level is judged since the last final release, as the preflight judges it.
    let rows = decide::menu(
        current,
        &snapshot.commits_since_final,
        decide::is_first_release(snapshot, current, &settings.tag_format),
        settings.patch_types.as_deref(),
    );
    let width = rows
        .iter()
        .map(|row| scheme.spell(&row.version).chars().count())
        .max()
        .unwrap_or(0);
    let mut labels: Vec<String> = rows
        .iter()
        .map(|row| {
            format!(
                "{:width$}  ({})",
                scheme.spell(&row.version),
                row.choices.join(", ")
            )
        })
        .collect();
    labels.push(OTHER_VERSION.to_string());
    let index = prompt::select(
        &format!("Release which version? (now {})", scheme.spell(current)),
        labels,
        0,
    )?;
    if let Some(row) = rows.get(index) {
        return Ok(Choice::Request(version::BumpRequest::Exact(
            row.version.clone(),
        )));
    }
    let example = scheme.spell(&version::Version::new(1, 4, 0));
    let typed = prompt::text(
        "Release which version?",
        &format!(
            "a version greater than {}, like {example}",
            scheme.spell(current)
        ),
        |text| typed_version(snapshot, settings, text).map(|_| ()),
    )?;
    typed_version(snapshot, settings, &typed)
        .map(|v| Choice::Request(version::BumpRequest::Exact(v)))
        .map_err(|why| anyhow!("{why}"))
}

/// The menu's last row, which asks for a version.
const OTHER_VERSION: &str = "other version…";

/// A typed version, if it parses and passes the release's checks; else what is wrong with it.
fn typed_version(snapshot: &Snapshot, settings: &Settings, text: &str) -> Result<Version, String> {
    let v = version::parse_requested_version(text.trim()).map_err(|e| match e {
        version::VersionError::UnknownRequest { arg } => {
            format!("`{arg}` is not a version: type one like 1.4.0 or 1.4.0-rc.1")
        }
        other => other.to_string(),
    })?;
    let choice = Choice::Request(version::BumpRequest::Exact(v.clone()));
    decide::decide(snapshot, settings, &choice)
        .map(|decision| decision.version)
        .map_err(|problems| {
            let listed: Vec<String> = problems.iter().map(ToString::to_string).collect();
            listed.join("; ").replace('\n', " ")
        })
}

/// Turns the decision into concrete steps: texts rendered, files' new contents computed.
fn build(
    p: &Project,
    snapshot: &Snapshot,
    decision: Decision,
    args: &ReleaseArgs,
    overlay: &[FileChange],
) -> Result<ReleasePlan> {
    let config = &p.config;
    let date = render::release_date()?;
    let renderer = Renderer::new(&p.root, config, p.policy()?.tag_scheme())?;
    let files = version_files::version_files(config)?;
    let scheme = snapshot_scheme(p)?;
    let spell = |v: &Version| scheme.spell(v);
    let mut context =
        MessageContext::new(&decision.version, &decision.previous, &decision.tag, &date);
    context.version = spell(&decision.version);
    context.previous = spell(&decision.previous);
    let package = config.package.as_ref().map(|s| s.name.clone());
    context.package = package.clone().unwrap_or_default();

    let mut release_files = version_files::changes_for(
        &p.root,
        &files,
        &decision.previous,
        &decision.version,
        overlay,
    )?;
    let mut changelog = None;
    if !args.no_changelog {
        let options = notes::options(config)?;
        // A final release after release candidates lists everything since the last final one.
        let (commits, since) = snapshot.range_for(&decision.version);
        let changes: Changes = notes::group(commits, &options);
        let previous = since.map(|(_, v)| v);
        let mut section_context =
            SectionContext::new(changes, Some(&decision.version), previous, &date);
        section_context.version = Some(spell(&decision.version));
        section_context.previous = previous.map(spell);
        section_context.tag = Some(decision.tag.clone());
        section_context.previous_tag = since.map(|(t, _)| t.clone());
        section_context.repository_url = config.changelog.repository_url.clone();
        let section = renderer.changelog(&section_context)?;
        let rel = config.changelog_file().to_string();
        // Entries written by hand under "Unreleased" move into the release's section (and its tag).
        let existing = version_files::read_optional(&p.root, &rel)?;
        let (section, kept) = changelog::file::merge_unreleased(existing.as_deref(), &section);
        if kept > 0 {
            term::note(&format!(
                "{rel}: {kept} hand-written line{} of its Unreleased section {} kept in the {} section",
                if kept == 1 { "" } else { "s" },
                if kept == 1 { "is" } else { "are" },
                spell(&decision.version)
            ));
        }
        release_files.push(changelog_change(
            p,
            &rel,
            &section,
            &spell(&decision.version),
        )?);
        changelog = Some((rel, section));
    }
    let release_message = renderer.message("release.commit", config.release_commit(), &context)?;
    let mut tag_message = renderer.message("tag.message", config.tag_message(), &context)?;
    if let Some((_, section)) = &changelog {
        tag_message = format!("{tag_message}\n\n{}", section.trim_end());
    }

    // A pre-release keeps its version in the files, so that the next `rc` continues it and
    // `release` promotes it; only a final release moves on to the next development version.
    // Through review, the development commit is in the pull request only with release.pr_dev = "in-pr".
    let dev_wanted =
        !args.no_dev && decision.version.is_final() && (!args.pr || review::dev_in_request(p)?);
    let dev = match config.dev_template().filter(|_| dev_wanted) {
        None => None,
        Some(template) => {
            let text = renderer.message("version.dev", template, &context)?;
            // The template may spell the version either way (`-dev` or `.dev0`).
            let version = version::parse_any(text.trim()).ok_or_else(|| {
                anyhow!(
                    "xtask.toml: version.dev gives {text:?}, which is not a version: write it like \
                     {{{{ major }}}}.{{{{ minor }}}}.{{{{ patch + 1 }}}}-dev"
                )
            })?;
            if !version::is_greater(&version, &decision.version) {
                return Err(anyhow!(
                    "xtask.toml: version.dev gives {version}, which is not greater than the release {}: fix the template",
                    decision.version
                ));
            }
            let mut dev_context =
                MessageContext::new(&version, &decision.version, &decision.tag, &date);
            dev_context.version = spell(&version);
            dev_context.previous = spell(&decision.version);
            dev_context.package = package.clone().unwrap_or_default();
            let message =
                renderer.message("release.dev_commit", config.dev_commit(), &dev_context)?;
            let files = version_files::changes_for(
                &p.root,
                &files,
                &decision.version,
                &version,
                &release_files,
            )?;
            Some((version, files, message))
        }
    };

    let policy = p.policy()?;
    let push_wanted = !args.no_push && !args.pr && (args.push || policy.push);
    let push = push_wanted.then(|| {
        let branch = match &snapshot.branch {
            Some(b) if p.repo.head().map(|h| h.branch.is_some()).unwrap_or(false) => {
                format!("refs/heads/{b}")
            }
            Some(b) => format!("HEAD:refs/heads/{b}"),
            None => "HEAD".to_string(),
        };
        vec![branch, format!("refs/tags/{}", decision.tag)]
    });
    let mut plan = ReleasePlan::new(
        decision,
        snapshot.branch.clone(),
        snapshot.head.clone().unwrap_or_default(),
        config.remote().to_string(),
        scheme,
    );
    plan.changelog = changelog;
    plan.add_checks(&policy.pre_commands);
    plan.add_release(
        release_files,
        release_message,
        tag_message,
        // With release.signers, the hooks accept only signed release tags: sign with the user's own key.
        policy.sign_tags || policy.signers.is_some(),
    );
    if let Some((version, files, message)) = dev {
        plan.add_dev(version, files, message);
    }
    if let Some(refspecs) = push {
        plan.add_push(refspecs);
    }
    Ok(plan)
}

/// The changelog file with the new section; refuses to write over an untracked file the user owns.
fn changelog_change(p: &Project, rel: &str, section: &str, version: &str) -> Result<FileChange> {
    let existing = version_files::read_optional(&p.root, rel)?;
    if existing.is_some() && !Git::new(&p.root)?.is_tracked(rel)? {
        return Err(anyhow!(
            "{rel} exists but git does not track it: commit it (or remove it) so the release can update it"
        ));
    }
    let after = changelog::file::insert_section(
        existing.as_deref(),
        &render::changelog_header(version_files::scheme_of(&p.config)),
        section,
        Some(version),
    );
    Ok(FileChange::new(&p.root, rel, existing, after))
}

/// Lets the maintainer edit the release notes before anything is committed.
fn review(p: &Project, release: &mut ReleasePlan) -> Result<()> {
    let Some((rel, section)) = release.changelog.clone() else {
        return Ok(());
    };
    term::section(
        &format!(
            "Release notes for {}:",
            release.spell(&release.decision.version)
        ),
        &section,
    );
    if !prompt::confirm("Edit the release notes first?", false)? {
        return Ok(());
    }
    let edited = prompt::edit("Release notes", &section)?;
    let change = changelog_change(p, &rel, &edited, &release.spell(&release.decision.version))?;
    release.replace_release_file(change);
    if let Some(message) = release.tag_message_mut() {
        let head = message.split("\n\n").next().unwrap_or("").to_string();
        *message = format!("{head}\n\n{}", edited.trim_end());
    }
    release.changelog = Some((rel, edited));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_publish_command_pushes_branch_and_tag() {
        // (branch, detached at, expected command)
        let cases: &[(Option<&str>, Option<&str>, &str)] = &[
            (Some("main"), None, "git push --atomic origin main v1.0.1"),
            (
                Some("main"),
                Some("abc123"),
                "git push --atomic origin abc123:refs/heads/main refs/tags/v1.0.1",
            ),
            (
                Some("feature/$(x)"),
                Some("abc123"),
                "git push --atomic origin 'abc123:refs/heads/feature/$(x)' refs/tags/v1.0.1",
            ),
            (None, None, "git push --atomic origin HEAD v1.0.1"),
        ];
        for (branch, detached, expected) in cases {
            let refspecs = publish_refspecs(*branch, *detached, "v1.0.1");
            assert_eq!(push_command("origin", &refspecs), *expected);
        }
    }
}
