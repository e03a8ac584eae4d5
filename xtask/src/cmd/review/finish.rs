//! `release --finish`: find the merged release commit (if the push brought one), plan the tag, the forge
//! release and the development step, print the plan (dry run) or check the remote and publish, taking back
//! what this run pushed when a later part fails.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::{
    Forge, branch_name_problems, dev_step, print_by_hand, push_leased, release_subject_pattern,
    remote_refs, short, unpush,
};
use crate::cli::{Format, ReleaseArgs};
use crate::cmd::Project;
use crate::domain::forge::calls;
use crate::domain::review::{self, Candidate, DevStep, Finding};
use crate::domain::version::{self, Scheme, Version};
use crate::domain::{changelog_file, forge, shell};
use crate::error::UsageError;
use crate::notes;
use crate::ops::forge::ForgeCli;
use crate::ops::fs;
use crate::ops::git::Git;
use crate::ops::process::kill_point;
use crate::ops::repo::ReleaseTag;
use crate::ops::term;
use crate::project;
use crate::render::{self, MessageContext, Renderer};

/// The merged release a push brought: where it is and what it releases.
struct Merged {
    /// The branch pushed to (checked out, or named by the CI on a detached HEAD).
    branch: String,
    /// The pushed tip.
    head: String,
    /// The version the tip's files hold.
    tip_version: Option<Version>,
    /// The release before it (the range's start).
    base: Option<ReleaseTag>,
    /// The release commit to tag, and its subject.
    commit: String,
    subject: String,
    version: Version,
}

/// What a push brought.
enum Found {
    /// Nothing to release; the line to print, and the newest release (to publish its forge release if an
    /// interrupted finish left it out).
    Nothing {
        said: String,
        base: Option<ReleaseTag>,
    },
    Merged(Merged),
}

/// What finishing does: the tag, the notes, the development step.
struct Plan {
    tag: String,
    spelled: String,
    tag_message: String,
    notes: String,
    sign: bool,
    dev_step: DevStep,
    scheme: Scheme,
    /// The next development version, the files it rewrites and the commit's message.
    dev: Option<DevCommit>,
    /// With `release.pr_dev = "pr"`: the development pull request's branch.
    dev_branch: Option<String>,
}

/// The next development version, the files it rewrites (path, contents) and the commit's message.
type DevCommit = (Version, Vec<(String, String)>, String);

/// `release --finish`: see the module's documentation.
pub(in crate::cmd) fn finish(p: &Project, git: &Git, args: &ReleaseArgs) -> Result<()> {
    if p.config.packages.is_some() {
        return Err(anyhow!(
            "release --finish releases one version, and xtask.toml has [packages]: release packages with \
             `cargo xtask release -p NAME --push` from a branch CI may push to"
        ));
    }
    let scheme = p.policy()?.tag_format()?.scheme();
    let merged = match find(p, git)? {
        Found::Nothing { said, base } => {
            if !args.dry_run
                && let Some(tag) = &base
                && let Some(published) = publish_missing_release(p, git, tag, scheme)?
            {
                term::step(&published);
            } else {
                term::step(&said);
            }
            return Ok(());
        }
        Found::Merged(merged) => merged,
    };
    let plan = plan(p, git, &merged)?;
    let mut problems = Vec::new();
    let forge = Forge::detect(p, git, !args.dry_run, &mut problems);
    problems.extend(local_problems(p, git, &plan)?);
    if args.dry_run {
        for problem in &problems {
            term::warn(problem);
        }
        print_plan(p, &merged, &plan, &forge, scheme);
        return Ok(());
    }
    problems.extend(remote_problems(p, git, &merged, &plan));
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
        writeln!(
            file,
            "released=true\nversion={}\ntag={}",
            plan.spelled, plan.tag
        )?;
    }
    if args.format == Format::Json {
        term::out(
            &serde_json::json!({
                "version": plan.spelled,
                "tag": plan.tag,
                "commit": merged.commit,
                "pushed": true,
                "release": forge.cli.is_some(),
                "dev_commit": published.dev_commit,
            })
            .to_string(),
        );
    }
    Ok(())
}

/// Reads the push: the branch, the range since the branch's last release, and the newest commit in it
/// whose subject is a release commit's (see [`review::find_merged`]). A release commit whose files do not
/// hold its version is refused here, naming the setting that fits.
fn find(p: &Project, git: &Git) -> Result<Found> {
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
    let policy = p.policy()?;
    let tag_format = policy.tag_format()?.clone();
    let scheme = tag_format.scheme();
    let head_text = head_id.to_string();
    let tip_version = version_at(p, &head_text)?;
    let tags = p.repo.release_tags(&tag_format)?;
    let base = notes::base(&p.repo, &tags, head_id, tip_version.as_ref(), false)?;

    let mut listing = vec!["log", "--topo-order", "--format=%H%x00%s", &head_text];
    let base_commit = base.as_ref().map(|t| t.commit.to_string());
    if let Some(base) = &base_commit {
        listing.extend(["--not", base.as_str()]);
    }
    let pattern = release_subject_pattern(p)?;
    let mut candidates = Vec::new();
    for (id, subject) in git
        .raw(&listing)?
        .lines()
        .filter_map(|line| line.split_once('\0'))
        .filter(|(_, subject)| pattern.is_match(subject))
    {
        candidates.push(Candidate {
            id: id.to_string(),
            subject: subject.to_string(),
            version: version_at(p, id)?,
        });
    }
    let renderer = Renderer::new(&p.root, &p.config, scheme)?;
    let date = render::release_date()?;
    let previous = base.as_ref().map(|t| &t.version);
    let finding = review::find_merged(
        &candidates,
        |v| {
            let tag = tag_format.render(v).ok()?;
            let context = message_context(v, previous, &tag, &date, scheme);
            renderer
                .message("release.commit", p.config.release_commit(), &context)
                .ok()
                .map(|m| m.lines().next().unwrap_or_default().to_string())
        },
        |v| {
            tag_format
                .render(v)
                .is_ok_and(|tag| p.repo.tag_exists(&tag))
                || tags.iter().any(|t| version::same_release(&t.version, v))
        },
    );
    let since = base
        .as_ref()
        .map_or("the start of the history".to_string(), |t| t.name.clone());
    let (commit, version) = match finding {
        Finding::Nothing => {
            return Ok(Found::Nothing {
                said: format!(
                    "nothing to finish: no release pull request was merged into {branch} since {since}"
                ),
                base,
            });
        }
        Finding::Folded {
            commit,
            subject,
            holds,
        } => {
            let holds = holds.map(|v| scheme.spell(&v));
            let (reason, hint) =
                review::folded_refusal(&commit, &subject, holds.as_deref(), dev_step(p)?);
            return Err(crate::cmd::release::refuse_release(&[format!(
                "{reason}\n{hint}"
            )]));
        }
        Finding::Release { commit, version } => (commit, version),
    };
    // CI may run this on every push, the release pull request's own branch included: only a branch that
    // may carry this release (release.branches, or its line's branch) is finished.
    if !policy
        .release_branches
        .iter()
        .any(|pattern| pattern.matches_release(&branch, version.major, version.minor))
    {
        return Ok(Found::Nothing {
            said: format!(
                "nothing to finish: {branch} is not a release branch for {} (release.branches)",
                scheme.spell(&version)
            ),
            base: None,
        });
    }
    let subject = candidates
        .iter()
        .find(|c| c.id == commit)
        .map(|c| c.subject.clone())
        .unwrap_or_default();
    Ok(Found::Merged(Merged {
        branch,
        head: head_text,
        tip_version,
        base,
        commit,
        subject,
        version,
    }))
}

/// The version the first version file holds at `commit` (`None` when it cannot be read there).
fn version_at(p: &Project, commit: &str) -> Result<Option<Version>> {
    let files = project::version_files(&p.config)?;
    let Some(first) = files.first() else {
        return Err(anyhow!(
            "xtask.toml names no version files: nothing to finish"
        ));
    };
    let read = || -> Option<Version> {
        let id = p.repo.resolve(commit).ok()?;
        let bytes = p.repo.file_at(id, &first.path).ok()??;
        let text = String::from_utf8(bytes).ok()?;
        project::read_text(first, &text).ok().map(|r| r.parsed)
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

/// The tag (its message: `tag.message` and the changelog's section as the release commit wrote it), the
/// forge release's notes (that section without its heading) and the development step.
fn plan(p: &Project, git: &Git, merged: &Merged) -> Result<Plan> {
    let policy = p.policy()?;
    let tag_format = policy.tag_format()?;
    let scheme = tag_format.scheme();
    let renderer = Renderer::new(&p.root, &p.config, scheme)?;
    let date = render::release_date()?;
    let released = &merged.version;
    let tag = tag_format.render(released).map_err(|e| anyhow!("{e}"))?;
    let spelled = scheme.spell(released);
    let context = message_context(
        released,
        merged.base.as_ref().map(|t| &t.version),
        &tag,
        &date,
        scheme,
    );
    let section = p
        .repo
        .file_at(p.repo.resolve(&merged.commit)?, p.config.changelog_file())?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| changelog_file::section(&text, &spelled).map(str::to_string));
    let tag_head = renderer.message("tag.message", p.config.tag_message(), &context)?;
    let tag_message = match &section {
        Some(section) => format!("{tag_head}\n\n{}", section.trim_end()),
        None => tag_head.clone(),
    };
    let notes = section
        .as_deref()
        .map(changelog_file::section_body)
        .filter(|body| !body.is_empty())
        .map_or(tag_head, str::to_string);
    let step = dev_step(p)?;
    // A pre-release keeps its version in the files (the next `rc` continues it).
    let dev = match step {
        DevStep::Push | DevStep::Request if released.is_final() => dev_commit(
            p,
            &renderer,
            released,
            &tag,
            &date,
            merged.tip_version.as_ref(),
        )?,
        _ => None,
    };
    let dev_branch = match (&dev, step) {
        (Some(_), DevStep::Request) => {
            let branch = renderer.message("release.pr_branch", p.config.pr_branch(), &context)?;
            Some(format!("{}-dev", branch.trim()))
        }
        _ => None,
    };
    Ok(Plan {
        tag,
        spelled,
        tag_message,
        notes,
        sign: policy.sign_tags || policy.signers.is_some() || git.signs_tags(),
        dev_step: step,
        scheme,
        dev,
        dev_branch,
    })
}

/// The development commit after `released`; `None` when there is no development version, or the branch
/// already moved past the release.
fn dev_commit(
    p: &Project,
    renderer: &Renderer,
    released: &Version,
    tag: &str,
    date: &str,
    tip: Option<&Version>,
) -> Result<Option<DevCommit>> {
    let Some(template) = p.config.dev_template() else {
        return Ok(None);
    };
    if tip.is_some_and(|tip| {
        !version::same_release(tip, released) && version::is_greater(tip, released)
    }) {
        return Ok(None);
    }
    let scheme = renderer.scheme();
    let context = message_context(released, Some(released), tag, date, scheme);
    let text = renderer.message("version.dev", template, &context)?;
    let next = version::parse_any(text.trim())
        .ok_or_else(|| anyhow!("xtask.toml: version.dev gives {text:?}, which is not a version"))?;
    let dev_context = message_context(&next, Some(released), tag, date, scheme);
    let message = renderer.message("release.dev_commit", p.config.dev_commit(), &dev_context)?;
    let files = project::version_files(&p.config)?;
    let current = tip.cloned().unwrap_or_else(|| released.clone());
    let changes = project::changes_for(&p.root, &files, &current, &next, &[])?;
    Ok(Some((
        next,
        changes.into_iter().map(|c| (c.rel, c.after)).collect(),
        message,
    )))
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

/// What the remote must not have yet (the tag, the development branch), and, when the development commit
/// is pushed to the branch, that the branch is still at the pushed tip.
fn remote_problems(p: &Project, git: &Git, merged: &Merged, plan: &Plan) -> Vec<String> {
    let remote = p.config.remote();
    let tag_ref = format!("refs/tags/{}", plan.tag);
    let branch_ref = format!("refs/heads/{}", merged.branch);
    let mut wanted = vec![tag_ref.clone(), branch_ref.clone()];
    wanted.extend(plan.dev_branch.iter().map(|b| format!("refs/heads/{b}")));
    let advertised = match remote_refs(git, remote, &wanted) {
        Ok(advertised) => advertised,
        Err(problem) => return vec![problem],
    };
    let value = |name: &str| {
        advertised
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id.clone())
    };
    let mut problems = Vec::new();
    if value(&tag_ref).is_some() {
        problems.push(format!(
            "push: tag {} already exists on {remote}: fetch it (`git fetch --tags`); if it is this release, \
             there is nothing left to finish",
            plan.tag
        ));
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
    problems
}

fn print_plan(p: &Project, merged: &Merged, plan: &Plan, forge: &Forge, scheme: Scheme) {
    let mut lines = vec![format!(
        "release commit: {} (\"{}\")",
        short(&merged.commit),
        merged.subject
    )];
    lines.push(format!(
        "tag: {}{} on {}, pushed to {}",
        plan.tag,
        if plan.sign { " (signed)" } else { "" },
        short(&merged.commit),
        p.config.remote()
    ));
    lines.push(format!(
        "{} release: {}{}{}",
        forge.kind.name(),
        plan.tag,
        if merged.version.is_final() {
            ""
        } else {
            ", marked pre-release"
        },
        if forge.draft { ", as a draft" } else { "" }
    ));
    lines.push(match (&plan.dev, &plan.dev_branch) {
        (Some((v, _, message)), Some(name)) => format!(
            "development version {}: \"{}\" in a {} from {name}",
            scheme.spell(v),
            message.lines().next().unwrap_or_default(),
            forge.kind.request_noun()
        ),
        (Some((v, _, message)), None) => format!(
            "development version {}: \"{}\" pushed to {}",
            scheme.spell(v),
            message.lines().next().unwrap_or_default(),
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
            plan.spelled
        ),
        &lines.join("\n"),
    );
    term::data_section("Release notes:", &plan.notes);
}

/// What [`publish`] made.
struct Published {
    dev_commit: Option<String>,
}

/// Makes the tag and the development commit (objects only, but a signed tag's ref, which git writes),
/// pushes them atomically, then publishes the forge release and opens the development pull request. A
/// failure after the push takes back the forge release and the pushed refs (compare-and-swap), so that a
/// second run starts again from the merge.
fn publish(
    p: &Project,
    git: &Git,
    merged: &Merged,
    plan: &Plan,
    forge: &Forge,
) -> Result<Published> {
    let remote = p.config.remote().to_string();
    let tag_ref = format!("refs/tags/{}", plan.tag);
    let tag_object = if plan.sign {
        git.tag_signed_at(&plan.tag, &merged.commit, &plan.tag_message)?;
        git.ref_value(&tag_ref)?
            .ok_or_else(|| anyhow!("git tag made no {tag_ref}"))?
    } else {
        git.make_tag_object(&plan.tag, &merged.commit, &plan.tag_message)?
    };
    let drop_local_tag = || {
        if plan.sign {
            let _ = git.delete_ref(&tag_ref, &tag_object);
        }
    };
    let dev_commit = match &plan.dev {
        Some((_, files, message)) => match git.commit_on(&merged.head, files, message) {
            Ok(id) => Some(id),
            Err(e) => {
                drop_local_tag();
                return Err(e);
            }
        },
        None => None,
    };
    let mut updates = vec![(tag_ref.clone(), tag_object.clone(), None)];
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
        drop_local_tag();
        return Err(anyhow!(
            "{e:#}\ncannot push the release to {remote}: nothing was changed"
        ));
    }
    term::step(&format!(
        "tagged {} as {} and pushed it to {remote}",
        short(&merged.commit),
        plan.tag
    ));
    kill_point("finish:pushed");

    let mut release_made = false;
    let forge_part = forge_calls(merged, plan, forge, &mut release_made);
    let dev_request = match forge_part {
        Ok(url) => url,
        Err(e) => {
            term::error(&format!("{e:#}"));
            let mut manual = Vec::new();
            if release_made
                && let Some(cli) = &forge.cli
                && let Err(e) = cli.run(&calls::delete_release(&plan.tag))
            {
                manual.push(format!("{e:#}"));
            }
            if let Err(e) = unpush(git, &remote, &updates) {
                manual.push(e);
            }
            drop_local_tag();
            return Err(if manual.is_empty() {
                anyhow!(
                    "cannot finish the release of {}: what this run pushed was taken back, so nothing was \
                     changed; fix the cause and run `cargo xtask release --finish` again",
                    plan.spelled
                )
            } else {
                anyhow!(
                    "cannot finish the release of {}, and not everything could be taken back:\n{}",
                    plan.spelled,
                    manual.join("\n")
                )
            });
        }
    };
    // The tag is published: keep it locally too.
    if !plan.sign {
        let _ = git.create_ref(&tag_ref, &tag_object, "xtask release --finish");
    }
    if forge.cli.is_none() {
        print_release_by_hand(forge, plan, !merged.version.is_final());
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
                .map_or("", |(_, _, m)| m.lines().next().unwrap_or_default());
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

/// The forge's part: the release, then the development pull request (its URL). `release_made` says
/// whether the release exists, for the undo.
fn forge_calls(
    merged: &Merged,
    plan: &Plan,
    forge: &Forge,
    release_made: &mut bool,
) -> Result<Option<String>> {
    let Some(cli) = &forge.cli else {
        return Ok(None);
    };
    cli.run(&calls::create_release(
        forge.kind,
        &plan.tag,
        &plan.spelled,
        &plan.notes,
        !merged.version.is_final(),
        forge.draft,
    ))?;
    *release_made = true;
    term::step(&format!(
        "published the {} release {}",
        forge.kind.name(),
        plan.tag
    ));
    kill_point("finish:released");
    let (Some((_, _, message)), Some(name)) = (&plan.dev, &plan.dev_branch) else {
        return Ok(None);
    };
    let title = message.lines().next().unwrap_or_default();
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
        .map(|(v, _, _)| plan.scheme.spell(v))
        .unwrap_or_default();
    format!(
        "Moves {} to the next development version, {next}, after the release of {}.\n",
        merged.branch, plan.spelled
    )
}

/// A finish interrupted between pushing the tag and publishing the forge release (a cancelled CI job)
/// leaves the newest release without its forge release: the next run publishes it, from the same notes.
/// Only a release commit's tag counts, and only when the forge's CLI can say whether the release exists.
fn publish_missing_release(
    p: &Project,
    git: &Git,
    tag: &ReleaseTag,
    scheme: Scheme,
) -> Result<Option<String>> {
    let subject = git.raw(&["log", "-1", "--format=%s", &tag.commit.to_string()])?;
    if !release_subject_pattern(p)?.is_match(subject.trim()) {
        return Ok(None);
    }
    let forge = Forge::detect(p, git, true, &mut Vec::new());
    let Some(cli) = &forge.cli else {
        return Ok(None);
    };
    if cli.run(&calls::view_release(&tag.name)).is_ok() {
        return Ok(None);
    }
    let spelled = scheme.spell(&tag.version);
    let notes = p
        .repo
        .file_at(tag.commit, p.config.changelog_file())?
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            changelog_file::section(&text, &spelled)
                .map(|section| changelog_file::section_body(section).to_string())
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

fn print_release_by_hand(forge: &Forge, plan: &Plan, prerelease: bool) {
    let page = forge
        .location
        .as_ref()
        .and_then(|location| forge::new_release_url(forge.kind, location, &plan.tag));
    if let (Some(url), Some(program)) = (page, forge.kind.cli()) {
        let call = calls::create_release(
            forge.kind,
            &plan.tag,
            &plan.spelled,
            &plan.notes,
            prerelease,
            forge.draft,
        );
        term::note(&format!(
            "publish the release at {url}, or run: {}",
            ForgeCli::new(program, Path::new(".")).shown(&call)
        ));
        term::section("Release notes:", &plan.notes);
    }
}
