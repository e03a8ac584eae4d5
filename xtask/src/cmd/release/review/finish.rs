//! `release --finish`: find the merged release commit (if the push brought one) and what it releases (the
//! project, or with `[packages]` each package whose version it set), plan the tags, forge releases and the
//! development step, print the plan (dry run) or check the remote and publish, taking back what this run
//! pushed when a later part fails.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::{
    Forge, branch_name_problems, dev_step, print_by_hand, push_leased, remote_refs, short,
    subject_pattern_of, unpush,
};
use crate::cli::{Format, ReleaseArgs};
use crate::cmd::Project;
use crate::domain::changelog;
use crate::domain::forge::calls;
use crate::domain::release::review::{self, DevStep, Finding, UnitAt};
use crate::domain::version::{self, Scheme, Version};
use crate::domain::{forge, packages, shell};
use crate::error::UsageError;
use crate::notes;
use crate::ops::forge::ForgeCli;
use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;
use crate::ops::process::kill_point;
use crate::ops::repo::{ReleaseTag, Repo};
use crate::ops::term;
use crate::render::{self, MessageContext, Renderer};
use crate::version_files;

/// What is released on its own: the project, or one of its `[packages]` (with its own files, tags and
/// changelog).
struct Unit {
    name: Option<String>,
    project: Project,
}

impl Unit {
    /// `release.commit` for this unit (a package's name filled in).
    fn release_template(&self) -> String {
        let template = self.project.config.release_commit();
        match &self.name {
            Some(name) => packages::with_package(template, name),
            None => template.to_string(),
        }
    }

    fn label(&self, spelled: &str) -> String {
        match &self.name {
            Some(name) => format!("{name} {spelled}"),
            None => spelled.to_string(),
        }
    }
}

fn units(p: &Project) -> Result<Vec<Unit>> {
    let names = p.config.package_names();
    if names.is_empty() {
        return Ok(vec![Unit {
            name: None,
            project: Project::new(Repo::open(&p.root)?, p.root.clone(), p.config.clone()),
        }]);
    }
    names
        .into_iter()
        .map(|name| {
            let config = p
                .config
                .for_package(&name)
                .ok_or_else(|| anyhow!("no package {name:?} in xtask.toml"))?;
            Ok(Unit {
                project: Project::new(Repo::open(&p.root)?, p.root.clone(), config),
                name: Some(name),
            })
        })
        .collect()
}

/// The merged release a push brought: where it is and what it releases.
struct Merged {
    /// The branch pushed to (checked out, or named by the CI on a detached HEAD).
    branch: String,
    /// The pushed tip.
    head: String,
    /// The release commit to tag, and its subject.
    commit: String,
    subject: String,
    /// What it releases: (unit index, version, the unit's release before it, the version at the tip).
    released: Vec<Released>,
}

struct Released {
    unit: usize,
    version: Version,
    base: Option<ReleaseTag>,
    tip_version: Option<Version>,
}

/// What a push brought.
enum Found {
    /// Nothing to release; the line to print, and the newest release commit's tags (to publish a forge
    /// release an interrupted finish left out).
    Nothing {
        said: String,
        newest: Vec<(usize, ReleaseTag)>,
    },
    Merged(Merged),
}

/// One tag to make and publish.
struct TagPlan {
    tag: String,
    spelled: String,
    message: String,
    notes: String,
    prerelease: bool,
}

impl TagPlan {
    /// The forge's call that publishes this tag's release with its notes.
    fn release_call(&self, forge: &Forge) -> calls::Call {
        calls::create_release(
            forge.kind,
            &self.tag,
            &self.spelled,
            &self.notes,
            self.prerelease,
            forge.draft,
        )
    }
}

/// What finishing does: the tags, the notes, the development step.
struct Plan {
    tags: Vec<TagPlan>,
    /// "1.4.0", or "core 1.4.0, cli 0.3.0".
    label: String,
    sign: bool,
    dev_step: DevStep,
    /// The next development versions (spelled, with the unit), the files they rewrite and the message.
    dev: Option<DevCommit>,
    /// With `release.pr_dev = "pr"`: the development pull request's branch.
    dev_branch: Option<String>,
}

/// The next development versions (as the message says them), the files they rewrite (path, contents)
/// and the commit's message.
struct DevCommit {
    versions: String,
    files: Vec<(String, String)>,
    message: String,
}

/// `release --finish`: see the module's documentation.
pub(in crate::cmd) fn finish(p: &Project, git: &Git, args: &ReleaseArgs) -> Result<()> {
    let units = units(p)?;
    let merged = match find(p, git, &units)? {
        Found::Nothing { said, newest } => {
            let mut published = Vec::new();
            // Only a release commit's tags can miss a forge release that a finish should have made.
            let mut missing = Vec::new();
            for (unit, tag) in newest {
                let subject = git.raw(&["log", "-1", "--format=%s", &tag.commit.to_string()])?;
                if subject_pattern_of(&units[unit].release_template())?.is_match(subject.trim()) {
                    missing.push((unit, tag));
                }
            }
            if !args.dry_run && !missing.is_empty() {
                let forge = Forge::detect(p, git, true, &mut Vec::new());
                for (unit, tag) in &missing {
                    published.extend(publish_missing_release(p, &forge, &units[*unit], tag)?);
                }
            }
            if published.is_empty() {
                term::step(&said);
            }
            for line in published {
                term::step(&line);
            }
            return Ok(());
        }
        Found::Merged(merged) => merged,
    };
    let plan = plan(p, git, &units, &merged)?;
    let mut problems = Vec::new();
    let forge = Forge::detect(p, git, !args.dry_run, &mut problems);
    problems.extend(local_problems(p, git, &plan)?);
    if args.dry_run {
        for problem in &problems {
            term::warn(problem);
        }
        print_plan(p, &merged, &plan, &forge);
        return Ok(());
    }
    let remote = remote_state(p, git, &merged, &plan);
    if remote.finished_elsewhere && problems.is_empty() {
        // Another finish, started by a push close to this one, has tagged this very commit.
        term::step(&format!(
            "{} {} already on {}, at the release commit {}: another run has tagged this release and \
             publishes it; nothing left to do",
            plan.tags
                .iter()
                .map(|t| t.tag.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if plan.tags.len() == 1 { "is" } else { "are" },
            p.config.remote(),
            short(&merged.commit)
        ));
        return Ok(());
    }
    problems.extend(remote.problems);
    if !problems.is_empty() {
        return Err(crate::cmd::release::refuse_release(&problems));
    }
    let published = publish(p, git, &merged, &plan, &forge)?;
    if let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) {
        use std::io::Write as _;
        let mut file = fs::open_append(&path).map_err(|e| {
            anyhow!(
                "GITHUB_OUTPUT: cannot open {}: {e}",
                Path::new(&path).display()
            )
        })?;
        let tags: Vec<&str> = plan.tags.iter().map(|t| t.tag.as_str()).collect();
        let mut text = format!("released=true\ntags={}\n", tags.join(" "));
        if let [only] = plan.tags.as_slice() {
            text.push_str(&format!("version={}\ntag={}\n", only.spelled, only.tag));
        }
        file.write_all(text.as_bytes())?;
    }
    if args.format == Format::Json {
        let mut object = serde_json::json!({
            "tags": plan.tags.iter().map(|t| t.tag.clone()).collect::<Vec<_>>(),
            "commit": merged.commit,
            "pushed": true,
            "release": forge.cli.is_some(),
            "dev_commit": published.dev_commit,
        });
        if let [only] = plan.tags.as_slice() {
            object["version"] = serde_json::Value::String(only.spelled.clone());
            object["tag"] = serde_json::Value::String(only.tag.clone());
        }
        term::out(&object.to_string());
    }
    Ok(())
}

/// Reads the push: the branch, the range since the units' last releases, and the newest commit in it whose
/// subject is a release commit's, judged by what each unit holds there (see [`review::judge`]). A release
/// commit whose files do not hold the release it names is refused here, naming the setting that fits.
fn find(p: &Project, git: &Git, units: &[Unit]) -> Result<Found> {
    let head = p.repo.head()?;
    let Some(head_id) = head.commit else {
        return Err(anyhow!(
            "the repository has no commits yet: nothing to finish"
        ));
    };
    let Some(branch) = head
        .branch
        .clone()
        .or_else(|| crate::cmd::release::ci_branch(p, head.commit))
    else {
        return Err(UsageError(
            "release --finish needs the branch that was pushed, and HEAD is detached: check it out, or \
             set GITHUB_REF_NAME (GitHub Actions sets it) to a branch at HEAD"
                .into(),
        )
        .into());
    };
    if p.repo.is_shallow() {
        return Err(anyhow!(
            "this is a shallow clone, so the release tags and commits are not all here: fetch the history \
             (`git fetch --tags --unshallow`; in GitHub Actions: actions/checkout with fetch-depth: 0)"
        ));
    }
    let head_text = head_id.to_string();
    // Each unit's last release on this branch: the range starts after all of them.
    let mut bases = Vec::new();
    let mut all_tags = Vec::new();
    for unit in units {
        let format = unit.project.policy()?.tag_format()?.clone();
        let tags = unit.project.repo.release_tags(&format)?;
        let tip = version_at(&unit.project, &head_text)?;
        bases.push(notes::base(&p.repo, &tags, head_id, tip.as_ref(), false)?);
        all_tags.push(tags);
    }
    let mut listing = vec![
        "log",
        "--topo-order",
        "--format=%H%x00%s",
        head_text.as_str(),
    ];
    let hidden: Vec<String> = bases
        .iter()
        .flatten()
        .map(|t| t.commit.to_string())
        .collect();
    if !hidden.is_empty() {
        listing.push("--not");
        listing.extend(hidden.iter().map(String::as_str));
    }
    let patterns = units
        .iter()
        .map(|unit| subject_pattern_of(&unit.release_template()))
        .collect::<Result<Vec<_>>>()?;
    let newest = git
        .raw(&listing)?
        .lines()
        .filter_map(|line| line.split_once('\0'))
        .find(|(_, subject)| patterns.iter().any(|pattern| pattern.is_match(subject)))
        .map(|(id, subject)| (id.to_string(), subject.to_string()));
    let since = match bases
        .iter()
        .flatten()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
    {
        names if names.is_empty() => "the start of the history".to_string(),
        names => names.join(", "),
    };
    let nothing = |newest: Vec<(usize, ReleaseTag)>| Found::Nothing {
        said: format!(
            "nothing to finish: no release pull request was merged into {branch} since {since}"
        ),
        newest,
    };
    let Some((commit, subject)) = newest else {
        // The newest release commit's tags, in case an interrupted finish left their forge releases out
        // (only that commit's: a monorepo's older releases are not asked about on every push).
        let mut args = vec!["rev-list", "--topo-order", "--max-count=1"];
        args.extend(hidden.iter().map(String::as_str));
        let newest_commit = if hidden.is_empty() {
            String::new()
        } else {
            git.raw(&args)?.trim().to_string()
        };
        let newest = bases
            .iter()
            .enumerate()
            .filter_map(|(i, base)| Some((i, base.clone()?)))
            .filter(|(_, base)| base.commit == newest_commit.as_str())
            .collect();
        return Ok(nothing(newest));
    };

    // What each unit holds at the commit and before it.
    let parent = git
        .raw(&["rev-parse", "--verify", "--quiet", &format!("{commit}^1")])
        .ok()
        .map(|id| id.trim().to_string());
    let date = render::release_date()?;
    let mut states = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        let format = unit.project.policy()?.tag_format()?.clone();
        let version = version_at(&unit.project, &commit)?;
        let before = match &parent {
            Some(parent) => version_at(&unit.project, parent)?,
            None => None,
        };
        let tagged = version.as_ref().is_some_and(|v| {
            format.render(v).is_ok_and(|tag| p.repo.tag_exists(&tag))
                || all_tags[i]
                    .iter()
                    .any(|t| version::same_release(&t.version, v))
        });
        let subject_for = match &version {
            Some(v) => {
                let tag = format.render(v).map_err(|e| anyhow!("{e}"))?;
                let context =
                    unit_context(unit, v, bases[i].as_ref().map(|t| &t.version), &tag, &date)?;
                let renderer = Renderer::new(&p.root, &unit.project.config, format.scheme())?;
                let rendered = renderer.message(
                    "release.commit",
                    unit.project.config.release_commit(),
                    &context,
                )?;
                Some(rendered.lines().next().unwrap_or_default().to_string())
            }
            None => None,
        };
        states.push(UnitAt {
            version,
            before,
            tagged,
            subject: subject_for,
        });
    }
    let released = match review::judge(&subject, &states) {
        Finding::Nothing => return Ok(nothing(Vec::new())),
        Finding::Folded => {
            let first = &units[0];
            let holds = states[0]
                .version
                .as_ref()
                .map(|v| {
                    first
                        .project
                        .policy()
                        .map(|policy| policy.tag_scheme().spell(v))
                })
                .transpose()?;
            let problem = review::folded_refusal(&commit, &subject, holds.as_deref(), dev_step(p)?);
            return Err(crate::cmd::release::refuse_release(&[problem]));
        }
        Finding::Release(released) => released,
    };
    // CI may run this on every push, the release pull request's own branch included: only a branch that
    // may carry these releases (release.branches, or their line's branch) is finished.
    let mut list = Vec::new();
    for i in released {
        let unit = &units[i];
        let Some(version) = states[i].version.clone() else {
            continue;
        };
        let policy = unit.project.policy()?;
        if !policy
            .release_branches
            .iter()
            .any(|pattern| pattern.matches_release(&branch, version.major, version.minor))
        {
            return Ok(Found::Nothing {
                said: format!(
                    "nothing to finish: {branch} is not a release branch for {} (release.branches)",
                    unit.label(&policy.tag_scheme().spell(&version))
                ),
                newest: Vec::new(),
            });
        }
        list.push(Released {
            unit: i,
            version,
            base: bases[i].clone(),
            tip_version: version_at(&unit.project, &head_text)?,
        });
    }
    Ok(Found::Merged(Merged {
        branch,
        head: head_text,
        commit,
        subject,
        released: list,
    }))
}

/// The messages' context for releasing `version` of `unit` after `previous`, spelled as it spells.
fn unit_context(
    unit: &Unit,
    version: &Version,
    previous: Option<&Version>,
    tag: &str,
    date: &str,
) -> Result<MessageContext> {
    let scheme = unit.project.policy()?.tag_scheme();
    let mut context = message_context(version, previous, tag, date, scheme);
    context.package = unit.name.clone().unwrap_or_default();
    Ok(context)
}

/// The version the first version file holds at `commit` (`None` when it cannot be read there).
fn version_at(p: &Project, commit: &str) -> Result<Option<Version>> {
    let files = version_files::version_files(&p.config)?;
    let Some(first) = files.first() else {
        return Err(anyhow!(
            "xtask.toml names no version files: nothing to finish"
        ));
    };
    let read = || -> Option<Version> {
        let id = p.repo.resolve(commit).ok()?;
        let bytes = p.repo.file_at(id, &first.path).ok()??;
        let text = String::from_utf8(bytes).ok()?;
        version_files::read_text(first, &text)
            .ok()
            .map(|r| r.parsed)
    };
    Ok(read())
}

/// The messages' context for releasing `version` after `previous`, spelled as the project spells.
fn message_context(
    version: &Version,
    previous: Option<&Version>,
    tag: &str,
    date: &str,
    scheme: Scheme,
) -> MessageContext {
    let before = previous.unwrap_or(version);
    let mut context = MessageContext::new(version, before, tag, date);
    context.version = scheme.spell(version);
    context.previous = scheme.spell(before);
    context
}

/// The tags (each message: `tag.message` and the changelog's section as the release commit wrote it), the
/// forge releases' notes (that section without its heading) and the development step.
fn plan(p: &Project, git: &Git, units: &[Unit], merged: &Merged) -> Result<Plan> {
    let date = render::release_date()?;
    let step = dev_step(p)?;
    let commit = p.repo.resolve(&merged.commit)?;
    let mut tags = Vec::new();
    let mut labels = Vec::new();
    let mut sign = git.signs_tags();
    let mut dev_files: Vec<FileChange> = Vec::new();
    let mut dev_versions = Vec::new();
    let mut dev_messages = Vec::new();
    let mut first_context = None;
    for released in &merged.released {
        let unit = &units[released.unit];
        let config = &unit.project.config;
        let policy = unit.project.policy()?;
        let format = policy.tag_format()?;
        let scheme = format.scheme();
        let renderer = Renderer::new(&p.root, config, scheme)?;
        let tag = format
            .render(&released.version)
            .map_err(|e| anyhow!("{e}"))?;
        let spelled = scheme.spell(&released.version);
        let context = unit_context(
            unit,
            &released.version,
            released.base.as_ref().map(|t| &t.version),
            &tag,
            &date,
        )?;
        let section = p
            .repo
            .file_at(commit, config.changelog_file())?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| changelog::file::section(&text, &spelled).map(str::to_string));
        let tag_head = renderer.message("tag.message", config.tag_message(), &context)?;
        let message = match &section {
            Some(section) => format!("{tag_head}\n\n{}", section.trim_end()),
            None => tag_head.clone(),
        };
        let notes = section
            .as_deref()
            .map(changelog::file::section_body)
            .filter(|body| !body.is_empty())
            .map_or(tag_head, str::to_string);
        sign |= policy.sign_tags || policy.signers.is_some();
        labels.push(unit.label(&spelled));
        // A pre-release keeps its version in the files (the next `rc` continues it).
        if matches!(step, DevStep::Push | DevStep::Request)
            && released.version.is_final()
            && let Some((next, changes, message)) = dev_commit(
                unit,
                &renderer,
                &released.version,
                &context,
                released.tip_version.as_ref(),
                &dev_files,
            )?
        {
            for change in changes {
                dev_files.retain(|c| c.rel != change.rel);
                dev_files.push(change);
            }
            dev_versions.push(unit.label(&scheme.spell(&next)));
            dev_messages.push(message);
        }
        first_context.get_or_insert(context);
        tags.push(TagPlan {
            tag,
            spelled,
            message,
            notes,
            prerelease: !released.version.is_final(),
        });
    }
    let dev = (!dev_messages.is_empty()).then(|| DevCommit {
        versions: dev_versions.join(", "),
        files: dev_files
            .iter()
            .map(|c| (c.rel.clone(), c.after.clone()))
            .collect(),
        // One commit for every package, as `release` makes it: the first message's subject, each version
        // in the body.
        message: match dev_messages.as_slice() {
            [only] => only.clone(),
            [first, ..] => format!(
                "{}\n\n{}",
                first.lines().next().unwrap_or_default(),
                dev_versions
                    .iter()
                    .map(|v| format!("- {v}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            [] => String::new(),
        },
    });
    let dev_branch = match (&dev, step, &first_context, merged.released.first()) {
        (Some(_), DevStep::Request, Some(context), Some(first)) => {
            let unit = &units[first.unit];
            let renderer = Renderer::new(
                &p.root,
                &unit.project.config,
                unit.project.policy()?.tag_scheme(),
            )?;
            let branch = renderer.message("release.pr_branch", p.config.pr_branch(), context)?;
            Some(format!("{}-dev", branch.trim()))
        }
        _ => None,
    };
    Ok(Plan {
        tags,
        label: labels.join(", "),
        sign,
        dev_step: step,
        dev,
        dev_branch,
    })
}

/// The development version after `released` of `unit`, its file changes (on top of `overlay`, the other
/// packages' changes) and message; `None` when there is none, or the branch already moved past the release.
fn dev_commit(
    unit: &Unit,
    renderer: &Renderer,
    released: &Version,
    context: &MessageContext,
    tip: Option<&Version>,
    overlay: &[FileChange],
) -> Result<Option<(Version, Vec<FileChange>, String)>> {
    let config = &unit.project.config;
    let Some(template) = config.dev_template() else {
        return Ok(None);
    };
    if tip.is_some_and(|tip| {
        !version::same_release(tip, released) && version::is_greater(tip, released)
    }) {
        return Ok(None);
    }
    let scheme = renderer.scheme();
    let text = renderer.message("version.dev", template, context)?;
    let next = version::parse_any(text.trim())
        .ok_or_else(|| anyhow!("xtask.toml: version.dev gives {text:?}, which is not a version"))?;
    let mut dev_context = message_context(&next, Some(released), "", "", scheme);
    dev_context.tag = context.tag.clone();
    dev_context.date = context.date.clone();
    dev_context.package = unit.name.clone().unwrap_or_default();
    let message = renderer.message("release.dev_commit", config.dev_commit(), &dev_context)?;
    let files = version_files::version_files(config)?;
    let current = tip.cloned().unwrap_or_else(|| released.clone());
    let changes = version_files::changes_for(&unit.project.root, &files, &current, &next, overlay)?;
    Ok(Some((next, changes, message)))
}

/// What can be known here: the development branch's name, a clean work tree for the development commit
/// (made from the files), the signers file.
fn local_problems(p: &Project, git: &Git, plan: &Plan) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    if let Some(name) = &plan.dev_branch {
        problems.extend(branch_name_problems(
            p,
            git,
            "release.pr_branch (+ \"-dev\")",
            name,
        )?);
    }
    let dirty = git.dirty_files()?;
    if plan.dev.is_some() && !dirty.is_empty() {
        problems.push(format!(
            "the work tree has uncommitted changes ({}): the development commit is made from the files; \
             commit or discard them first",
            dirty.join(", ")
        ));
    }
    if let Some(signers) = &p.policy()?.signers
        && !fs::exists(p.root.join(signers))
    {
        problems.push(format!(
            "release.signers names {signers}, which does not exist here: the tag must be signed by one of \
             its keys"
        ));
    }
    Ok(problems)
}

/// What the remote says before the push.
struct RemoteState {
    /// What it must not have yet (the tags, the development branch), and, when the development commit is
    /// pushed to the branch, that the branch is still at the pushed tip.
    problems: Vec<String>,
    /// Every tag is already there, at the release commit: another finish has done this release.
    finished_elsewhere: bool,
}

fn remote_state(p: &Project, git: &Git, merged: &Merged, plan: &Plan) -> RemoteState {
    let remote = p.config.remote();
    let branch_ref = format!("refs/heads/{}", merged.branch);
    let mut wanted: Vec<String> = Vec::new();
    for tag in &plan.tags {
        // With the commit an annotated tag points at (`^{}`), which `ls-remote` gives when asked.
        wanted.push(format!("refs/tags/{}", tag.tag));
        wanted.push(format!("refs/tags/{}^{{}}", tag.tag));
    }
    wanted.push(branch_ref.clone());
    wanted.extend(plan.dev_branch.iter().map(|b| format!("refs/heads/{b}")));
    let advertised = match remote_refs(git, remote, &wanted) {
        Ok(advertised) => advertised,
        Err(problem) => {
            return RemoteState {
                problems: vec![problem],
                finished_elsewhere: false,
            };
        }
    };
    let value = |name: &str| advertised.id(name);
    let at_release = |tag: &str| {
        value(&format!("refs/tags/{tag}^{{}}"))
            .or_else(|| value(&format!("refs/tags/{tag}")))
            .is_some_and(|commit| commit == merged.commit)
    };
    let finished_elsewhere = !plan.tags.is_empty() && plan.tags.iter().all(|t| at_release(&t.tag));
    let mut problems = Vec::new();
    for tag in &plan.tags {
        if value(&format!("refs/tags/{}", tag.tag)).is_some() {
            problems.push(format!(
                "push: tag {} already exists on {remote}: fetch it (`git fetch --tags`); if it is this \
                 release, there is nothing left to finish",
                tag.tag
            ));
        }
    }
    if let Some(name) = &plan.dev_branch
        && value(&format!("refs/heads/{name}")).is_some()
    {
        problems.push(format!(
            "push: {remote} already has a branch {name}: delete it (`{}`) and run again",
            shell::join(&["git", "push", remote, "--delete", name.as_str()])
        ));
    }
    if plan.dev_step == DevStep::Push
        && plan.dev.is_some()
        && value(&branch_ref).as_deref() != Some(merged.head.as_str())
    {
        problems.push(format!(
            "push: {remote}'s {} is not at HEAD ({}): the development commit goes on top of it; fetch and \
             run again",
            merged.branch,
            short(&merged.head)
        ));
    }
    RemoteState {
        problems,
        finished_elsewhere,
    }
}

fn print_plan(p: &Project, merged: &Merged, plan: &Plan, forge: &Forge) {
    let mut lines = vec![format!(
        "release commit: {} (\"{}\")",
        short(&merged.commit),
        merged.subject
    )];
    for tag in &plan.tags {
        lines.push(format!(
            "tag: {}{} on {}, pushed to {}",
            tag.tag,
            if plan.sign { " (signed)" } else { "" },
            short(&merged.commit),
            p.config.remote()
        ));
        lines.push(format!(
            "{} release: {}{}{}",
            forge.kind.name(),
            tag.tag,
            if tag.prerelease {
                ", marked pre-release"
            } else {
                ""
            },
            if forge.draft { ", as a draft" } else { "" }
        ));
    }
    let subject = |dev: &DevCommit| dev.message.lines().next().unwrap_or_default().to_string();
    lines.push(match (&plan.dev, &plan.dev_branch) {
        (Some(dev), Some(name)) => format!(
            "development version {}: \"{}\" in a {} from {name}",
            dev.versions,
            subject(dev),
            forge.kind.request_noun()
        ),
        (Some(dev), None) => format!(
            "development version {}: \"{}\" pushed to {}",
            dev.versions,
            subject(dev),
            merged.branch
        ),
        (None, _) => format!(
            "development version: none here (release.pr_dev = \"{}\")",
            plan.dev_step.spelled()
        ),
    });
    term::data_section(
        &format!(
            "Finish the release of {} (dry run: nothing is changed)",
            plan.label
        ),
        &lines.join("\n"),
    );
    for tag in &plan.tags {
        let title = if plan.tags.len() == 1 {
            "Release notes:".to_string()
        } else {
            format!("Release notes of {}:", tag.tag)
        };
        term::data_section(&title, &tag.notes);
    }
}

/// What [`publish`] made.
struct Published {
    dev_commit: Option<String>,
}

/// Makes the tags and the development commit (objects only, but a signed tag's ref, which git writes),
/// pushes them atomically, then publishes the forge releases and opens the development pull request. A
/// failure after the push takes back the forge releases and the pushed refs (compare-and-swap), so that a
/// second run starts again from the merge.
fn publish(
    p: &Project,
    git: &Git,
    merged: &Merged,
    plan: &Plan,
    forge: &Forge,
) -> Result<Published> {
    let remote = p.config.remote().to_string();
    let mut made: Vec<(String, String)> = Vec::new();
    let drop_local_tags = |made: &[(String, String)]| {
        if plan.sign {
            for (refname, object) in made {
                let _ = git.delete_ref(refname, object);
            }
        }
    };
    for tag in &plan.tags {
        let refname = format!("refs/tags/{}", tag.tag);
        let object = if plan.sign {
            git.tag_signed_at(&tag.tag, &merged.commit, &tag.message)
                .and_then(|()| {
                    git.ref_value(&refname)?
                        .ok_or_else(|| anyhow!("git tag made no {refname}"))
                })
        } else {
            git.make_tag_object(&tag.tag, &merged.commit, &tag.message)
        };
        match object {
            Ok(object) => made.push((refname, object)),
            Err(e) => {
                drop_local_tags(&made);
                return Err(e);
            }
        }
    }
    let dev_commit = match &plan.dev {
        Some(dev) => match git.commit_on(&merged.head, &dev.files, &dev.message) {
            Ok(id) => Some(id),
            Err(e) => {
                drop_local_tags(&made);
                return Err(e);
            }
        },
        None => None,
    };
    let mut updates: Vec<(String, String, Option<String>)> = made
        .iter()
        .map(|(refname, object)| (refname.clone(), object.clone(), None))
        .collect();
    match (&dev_commit, &plan.dev_branch) {
        (Some(id), Some(name)) => updates.push((format!("refs/heads/{name}"), id.clone(), None)),
        (Some(id), None) => updates.push((
            format!("refs/heads/{}", merged.branch),
            id.clone(),
            Some(merged.head.clone()),
        )),
        _ => {}
    }
    kill_point("finish:made");
    if let Err(e) = push_leased(git, &remote, &updates, &[]) {
        drop_local_tags(&made);
        return Err(anyhow!(
            "{e:#}\ncannot push the release to {remote}: nothing was changed"
        ));
    }
    let names: Vec<&str> = plan.tags.iter().map(|t| t.tag.as_str()).collect();
    term::step(&format!(
        "tagged {} as {} and pushed {} to {remote}",
        short(&merged.commit),
        names.join(", "),
        if names.len() == 1 { "it" } else { "them" }
    ));
    kill_point("finish:pushed");

    let mut releases_made = Vec::new();
    let dev_request = match forge_calls(merged, plan, forge, &mut releases_made) {
        Ok(url) => url,
        Err(e) => {
            term::error(&format!("{e:#}"));
            let mut manual = Vec::new();
            if let Some(cli) = &forge.cli {
                for tag in &releases_made {
                    if let Err(e) = cli.run(&calls::delete_release(tag)) {
                        manual.push(format!("{e:#}"));
                    }
                }
            }
            if let Err(e) = unpush(git, &remote, &updates) {
                manual.push(e);
            }
            drop_local_tags(&made);
            return Err(if manual.is_empty() {
                anyhow!(
                    "cannot finish the release of {}: what this run pushed was taken back, so nothing was \
                     changed; fix the cause and run `cargo xtask release --finish` again",
                    plan.label
                )
            } else {
                anyhow!(
                    "cannot finish the release of {}, and not everything could be taken back:\n{}",
                    plan.label,
                    manual.join("\n")
                )
            });
        }
    };
    // The tags are published: keep them locally too.
    if !plan.sign {
        for (refname, object) in &made {
            let _ = git.create_ref(refname, object, "xtask release --finish");
        }
    }
    if forge.cli.is_none() {
        for tag in &plan.tags {
            print_release_by_hand(forge, tag);
        }
    }
    match (&dev_commit, &plan.dev_branch, dev_request) {
        (Some(_), Some(name), Some(url)) => term::step(&format!(
            "opened the {} for the next development version ({name}): {url}",
            forge.kind.request_noun()
        )),
        (Some(_), Some(name), None) => {
            term::step(&format!("pushed the next development version as {name}"));
            let title = plan
                .dev
                .as_ref()
                .map_or("", |dev| dev.message.lines().next().unwrap_or_default());
            print_by_hand(forge, &merged.branch, name, title, &dev_body(merged, plan));
        }
        (Some(id), None, _) => term::step(&format!(
            "pushed the next development version to {remote}'s {} ({})",
            merged.branch,
            short(id)
        )),
        _ => {}
    }
    Ok(Published { dev_commit })
}

/// The forge's part: the releases, then the development pull request (its URL). `releases_made` lists the
/// tags whose release exists, for the undo.
fn forge_calls(
    merged: &Merged,
    plan: &Plan,
    forge: &Forge,
    releases_made: &mut Vec<String>,
) -> Result<Option<String>> {
    let Some(cli) = &forge.cli else {
        return Ok(None);
    };
    for tag in &plan.tags {
        cli.run(&tag.release_call(forge))?;
        releases_made.push(tag.tag.clone());
        term::step(&format!(
            "published the {} release {}",
            forge.kind.name(),
            tag.tag
        ));
    }
    kill_point("finish:released");
    let (Some(dev), Some(name)) = (&plan.dev, &plan.dev_branch) else {
        return Ok(None);
    };
    let title = dev.message.lines().next().unwrap_or_default();
    let out = cli.run(&calls::create_request(
        forge.kind,
        &merged.branch,
        name,
        title,
        &dev_body(merged, plan),
    ))?;
    Ok(Some(out.trim().to_string()))
}

/// The development pull request's text.
fn dev_body(merged: &Merged, plan: &Plan) -> String {
    let next = plan
        .dev
        .as_ref()
        .map(|dev| dev.versions.clone())
        .unwrap_or_default();
    format!(
        "Moves {} to the next development version, {next}, after the release of {}.\n",
        merged.branch, plan.label
    )
}

/// A finish interrupted between pushing the tag and publishing the forge release (a cancelled CI job)
/// leaves the newest release without its forge release: the next run publishes it, from the same notes
/// (asked only about a release commit's tag, and only when the forge's CLI can say whether it exists).
fn publish_missing_release(
    p: &Project,
    forge: &Forge,
    unit: &Unit,
    tag: &ReleaseTag,
) -> Result<Option<String>> {
    let Some(cli) = &forge.cli else {
        return Ok(None);
    };
    if cli.run(&calls::view_release(&tag.name)).is_ok() {
        return Ok(None);
    }
    let spelled = unit.project.policy()?.tag_scheme().spell(&tag.version);
    let notes = p
        .repo
        .file_at(tag.commit, unit.project.config.changelog_file())?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            changelog::file::section(&text, &spelled)
                .map(|section| changelog::file::section_body(section).to_string())
        })
        .filter(|body| !body.is_empty())
        .unwrap_or_else(|| format!("Release {spelled}"));
    cli.run(&calls::create_release(
        forge.kind,
        &tag.name,
        &spelled,
        &notes,
        !tag.version.is_final(),
        forge.draft,
    ))?;
    Ok(Some(format!(
        "published the {} release {}, which an interrupted finish had left out",
        forge.kind.name(),
        tag.name
    )))
}

fn print_release_by_hand(forge: &Forge, tag: &TagPlan) {
    let page = forge
        .location
        .as_ref()
        .and_then(|location| forge::new_release_url(forge.kind, location, &tag.tag));
    if let (Some(url), Some(program)) = (page, forge.kind.cli()) {
        let call = tag.release_call(forge);
        term::note(&format!(
            "publish the release at {url}, or run: {}",
            ForgeCli::new(program, Path::new(".")).shown(&call)
        ));
        term::section(&format!("Release notes of {}:", tag.tag), &tag.notes);
    }
}
