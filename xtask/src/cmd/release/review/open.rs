//! `release --pr`: the release commit on a branch of its own, pushed, and the pull request opened or
//! refreshed; the journal that lets `release --abort` put the branch back after a kill.

use anyhow::{Result, anyhow};

use super::{
    Forge, branch_name_problems, capitalised, print_by_hand, push_leased, release_subject_pattern,
    remote_refs, short, unpush,
};
use crate::cli::{Format, ReleaseArgs};
use crate::cmd::Project;
use crate::domain::changelog;
use crate::domain::forge::{self, Kind, calls};
use crate::domain::release::review;
use crate::domain::release::steps::ReleasePlan;
use crate::error::UsageError;
use crate::ops::fs;
use crate::ops::git::Git;
use crate::ops::process::kill_point;
use crate::ops::term;
use crate::render::{self, MessageContext, Renderer};

/// The release pull request's branch: `release.pr_branch` rendered for the release.
pub(in crate::cmd) fn request_branch(p: &Project, plan: &ReleasePlan) -> Result<String> {
    let date = render::release_date()?;
    let d = &plan.decision;
    let mut context = MessageContext::new(&d.version, &d.previous, &d.tag, &date);
    context.version = plan.spell(&d.version);
    context.previous = plan.spell(&d.previous);
    context.package = p
        .config
        .package
        .as_ref()
        .map(|scope| scope.name.clone())
        .unwrap_or_default();
    let renderer = Renderer::new(&p.root, &p.config, plan.scheme)?;
    let name = renderer.message("release.pr_branch", p.config.pr_branch(), &context)?;
    Ok(name.trim().to_string())
}

/// What a `release --pr` is pushing, written before the push and removed once the pull request is open:
/// a run killed in between leaves it, and `release --abort` puts the remote branch back.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct PushJournal {
    remote: String,
    refname: String,
    new: String,
    old: Option<String>,
}

fn journal_path(p: &Project) -> std::path::PathBuf {
    p.repo.git_dir().join("xtask").join("release-pr.json")
}

/// The refusal when an interrupted `release --pr` left its journal.
pub(super) fn interrupted(p: &Project) -> Option<String> {
    let path = journal_path(p);
    fs::exists(&path).then(|| {
        format!(
            "an interrupted release --pr left a journal at {}: run `cargo xtask release --abort` to put the \
             remote branch back",
            path.display()
        )
    })
}

/// `release --abort` for an interrupted `release --pr`: the branch it pushed goes back to what it was on
/// the remote (deleted if it was new), only while it still holds the commit that run pushed. Returns
/// whether there was such a journal.
pub(in crate::cmd) fn abort_request(p: &Project, git: &Git) -> Result<bool> {
    let path = journal_path(p);
    if !fs::exists(&path) {
        return Ok(false);
    }
    let bytes = fs::read(&path).map_err(|e| anyhow!("cannot read {}: {e}", path.display()))?;
    let journal: PushJournal = serde_json::from_slice(&bytes).map_err(|e| {
        anyhow!(
            "the journal {} is damaged ({e}): nothing was changed; look at the remote branch it names, then \
             delete it",
            path.display()
        )
    })?;
    let branch = journal.refname.trim_start_matches("refs/heads/");
    let advertised = remote_refs(git, &journal.remote, std::slice::from_ref(&journal.refname))
        .map_err(|e| anyhow!("{e}"))?;
    let now = advertised.id(&journal.refname);
    if now.as_deref() == Some(journal.new.as_str()) {
        unpush(
            git,
            &journal.remote,
            &[(
                journal.refname.clone(),
                journal.new.clone(),
                journal.old.clone(),
            )],
        )
        .map_err(|e| anyhow!("cannot put {branch} back on {}: {e}", journal.remote))?;
        term::step(&match &journal.old {
            Some(old) => format!("put {branch} back to {} on {}", short(old), journal.remote),
            None => format!("deleted {branch} from {}", journal.remote),
        });
    } else if now == journal.old {
        term::note(&format!(
            "{branch} on {} is as it was before the interrupted release --pr",
            journal.remote
        ));
    } else {
        term::warn(&format!(
            "{branch} on {} moved since the interrupted release --pr pushed it: left alone",
            journal.remote
        ));
    }
    fs::remove_file(&path).map_err(|e| anyhow!("cannot remove {}: {e}", path.display()))?;
    Ok(true)
}

/// What a release pull request carries: built from one release plan ([`Request::of`]) or from the plans of
/// several packages released together.
pub(in crate::cmd) struct Request {
    /// The branch released from, which the pull request goes into (`None`: a detached HEAD).
    pub base: Option<String>,
    /// HEAD as the checks saw it: the release commit's parent.
    pub head: String,
    pub remote: String,
    /// `release.pr_branch`, rendered.
    pub branch: String,
    /// What is released: "1.4.0", or "core 1.4.0, cli 0.3.0".
    pub label: String,
    /// The tags `release --finish` will make (the remote must not have them).
    pub tags: Vec<String>,
    /// The release notes: the pull request's body.
    pub notes: String,
    pub release_files: Vec<(String, String)>,
    pub release_message: String,
    /// With `release.pr_dev = "in-pr"`: the development commit's files and message.
    pub dev: Option<(Vec<(String, String)>, String)>,
    /// What the dry run shows before the branch and the pull request (the version, changelog, files…).
    pub shown: Vec<(String, String)>,
}

impl Request {
    /// The pull request of one release plan.
    pub(in crate::cmd) fn of(p: &Project, plan: &ReleasePlan) -> Result<Request> {
        let files = |changes: &[crate::ops::fs::FileChange]| -> Vec<(String, String)> {
            changes
                .iter()
                .map(|c| (c.rel.clone(), c.after.clone()))
                .collect()
        };
        let title = plan
            .release_message
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        let notes = plan
            .changelog
            .as_ref()
            .map(|(_, section)| changelog::file::section_body(section).to_string())
            .unwrap_or(title);
        let dev = match plan.dev_commit() {
            Some(message) if !plan.dev_files().is_empty() => {
                Some((files(plan.dev_files()), message.to_string()))
            }
            _ => None,
        };
        Ok(Request {
            base: plan.branch.clone(),
            head: plan.head.clone(),
            remote: plan.remote.clone(),
            branch: request_branch(p, plan)?,
            label: plan.spell(&plan.decision.version),
            tags: vec![plan.decision.tag.clone()],
            notes,
            release_files: files(plan.release_files()),
            release_message: plan.release_message.clone(),
            dev,
            shown: shown(plan),
        })
    }

    fn title(&self) -> String {
        self.release_message
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

/// The dry run's view of one plan: the version, the changelog, the files, the commits.
pub(in crate::cmd) fn shown(plan: &ReleasePlan) -> Vec<(String, String)> {
    let d = &plan.decision;
    let mut shown = vec![(
        "Release pull request plan (dry run: nothing is changed)".to_string(),
        format!(
            "version: {} → {}{}",
            plan.spell(&d.previous),
            plan.spell(&d.version),
            d.required
                .map(|l| format!(" (the commits call for {l})"))
                .unwrap_or_default()
        ),
    )];
    if let Some((rel, section)) = &plan.changelog {
        shown.push((format!("Changelog ({rel}):"), section.clone()));
    }
    let diffs: Vec<String> = plan.version_file_changes().map(fs::unified_diff).collect();
    shown.push(("Version files:".to_string(), diffs.join("")));
    shown.push((
        "Release commit:".to_string(),
        plan.release_commit()
            .unwrap_or(&plan.release_message)
            .to_string(),
    ));
    shown.push(match (&plan.dev_version, plan.dev_commit()) {
        (Some(version), Some(message)) => (
            format!(
                "Development commit ({}, in the pull request: release.pr_dev = \"in-pr\"):",
                plan.spell(version)
            ),
            message.to_string(),
        ),
        _ => (
            "Development commit:".to_string(),
            "none in the pull request (release.pr_dev decides what `release --finish` does)"
                .to_string(),
        ),
    });
    shown
}

/// `release --pr`, once the release is decided and checked as a release's: the dry run prints what
/// `request` carries; otherwise the branch is made and pushed and the pull request opened or refreshed.
pub(in crate::cmd) fn open_request(
    p: &Project,
    git: &Git,
    request: &Request,
    args: &ReleaseArgs,
) -> Result<()> {
    let mut problems: Vec<String> = interrupted(p).into_iter().collect();
    let forge = Forge::detect(p, git, !args.dry_run, &mut problems);
    let Some(base) = request.base.clone() else {
        return Err(UsageError(
            "release --pr opens a pull request into the current branch, and HEAD is detached: check out the \
             development or line branch (in CI, GITHUB_REF_NAME names it)"
                .into(),
        )
        .into());
    };
    let branch = request.branch.clone();
    problems.extend(branch_name_problems(p, git, "release.pr_branch", &branch)?);
    // The pull request's branch is force-pushed when refreshed: never a branch releases are made on.
    if branch == base
        || p.policy()?
            .release_branches
            .iter()
            .any(|pattern| pattern.matches(&branch).is_some())
    {
        problems.push(format!(
            "release.pr_branch gives {branch}, which is a release branch (release.branches): the pull \
             request's branch is force-pushed when refreshed, so it must be a branch of its own, such as \
             release/{{{{ tag }}}}"
        ));
    }
    let title = request.title();
    let body = forge::request_body(&request.notes, &request.label, forge.kind);
    if request.release_files.is_empty() {
        problems.push(format!(
            "the files already hold {} and there is no changelog to write, so a release pull request would \
             be empty: release it directly with `cargo xtask release`",
            request.label
        ));
    }

    if args.dry_run {
        for problem in &problems {
            term::warn(problem);
        }
        print_request_plan(request, &forge, &base, &title, &body, args);
        return Ok(());
    }

    // What the remote and the forge have: the tag must be new, the base must not be ahead of HEAD, and an
    // open release pull request (or a branch a killed run pushed) is refreshed rather than doubled.
    let remote = request.remote.clone();
    let open = match &forge.cli {
        Some(cli) => match cli
            .run(&calls::list_open(forge.kind, &base))
            .map_err(|e| format!("{e:#}"))
            .and_then(|listing| forge::own_open_request(forge.kind, &listing))
        {
            Ok(open) => open,
            Err(e) => {
                problems.push(format!(
                    "forge: cannot list the open {}s into {base}: {e}",
                    forge.kind.request_noun()
                ));
                None
            }
        },
        None => None,
    };
    let target = open
        .as_ref()
        .map_or(branch.clone(), |request| request.branch.clone());
    let tag_refs: Vec<String> = request
        .tags
        .iter()
        .map(|t| format!("refs/tags/{t}"))
        .collect();
    let base_ref = format!("refs/heads/{base}");
    let target_ref = format!("refs/heads/{target}");
    let mut wanted = tag_refs.clone();
    wanted.extend([base_ref.clone(), target_ref.clone()]);
    let mut old = None;
    match remote_refs(git, &remote, &wanted) {
        Err(problem) => problems.push(problem),
        Ok(advertised) => {
            let value = |name: &str| advertised.id(name);
            let base_tip = value(&base_ref);
            let target_tip = value(&target_ref);
            let refs = review::RequestRefs {
                remote: &remote,
                tags: request
                    .tags
                    .iter()
                    .zip(&tag_refs)
                    .map(|(tag, refname)| (tag.as_str(), value(refname).is_some()))
                    .collect(),
                base: &base,
                base_tip: base_tip.as_deref(),
                head_contains_base: base_tip
                    .as_deref()
                    .is_some_and(|tip| git.is_ancestor(tip, &request.head)),
                target: &target,
                target_tip: target_tip.as_deref(),
                target_is_kits: open.is_some()
                    || target_tip
                        .as_deref()
                        .is_some_and(|tip| made_by_kit(p, git, tip)),
            };
            match review::judge_request_refs(&refs) {
                Ok(lease) => old = lease,
                Err(found) => problems.extend(found.iter().map(ToString::to_string)),
            }
        }
    }
    if !problems.is_empty() {
        return Err(crate::cmd::release::refuse_release(&problems));
    }

    // The commits, made without a work tree: nothing local changes.
    let release_commit = git.commit_on(
        &request.head,
        &request.release_files,
        &request.release_message,
    )?;
    let tip = match &request.dev {
        Some((files, message)) => git.commit_on(&release_commit, files, message)?,
        None => release_commit.clone(),
    };
    kill_point("pr:committed");
    // The old tip must be here to be restored if the forge refuses.
    if let Some(old) = &old
        && git
            .raw(&["cat-file", "-e", &format!("{old}^{{commit}}")])
            .is_err()
    {
        git.fetch(&["--no-write-fetch-head", &remote, &target_ref])
            .map_err(|e| anyhow!("cannot fetch {remote}'s {target} before replacing it: {e:#}"))?;
    }
    let updates = vec![(target_ref.clone(), tip.clone(), old.clone())];
    let journal = journal_path(p);
    fs::write_journal(
        &journal,
        &PushJournal {
            remote: remote.clone(),
            refname: target_ref.clone(),
            new: tip.clone(),
            old: old.clone(),
        },
        "the release --pr journal",
    )?;
    let forget = || {
        let _ = fs::remove_file(&journal);
    };
    let push_options = match (&forge.cli, forge.kind) {
        // Without glab, GitLab opens the merge request from push options (no newlines allowed in them).
        (None, Kind::GitLab) => vec![
            "-o".to_string(),
            "merge_request.create".to_string(),
            "-o".to_string(),
            format!("merge_request.target={base}"),
            "-o".to_string(),
            format!("merge_request.title={title}"),
        ],
        _ => Vec::new(),
    };
    if let Err(e) = push_leased(git, &remote, &updates, &push_options) {
        forget();
        return Err(anyhow!(
            "{e:#}\ncannot push {target} to {remote}: nothing was changed (the commits made for it are on no branch)"
        ));
    }
    term::step(&format!(
        "pushed {} to {remote} as {target}{}",
        short(&tip),
        if old.is_some() { " (refreshed)" } else { "" }
    ));
    kill_point("pr:pushed");

    let url = match &forge.cli {
        Some(cli) => {
            let call = match &open {
                Some(request) => calls::edit_request(forge.kind, request.number, &title, &body),
                None => calls::create_request(forge.kind, &base, &target, &title, &body),
            };
            match cli.run(&call) {
                Ok(out) => Some(match &open {
                    Some(request) => request.url.clone(),
                    None => out
                        .lines()
                        .rev()
                        .find(|l| l.contains("://"))
                        .unwrap_or(out.trim())
                        .trim()
                        .to_string(),
                }),
                Err(e) => {
                    let undone = unpush(git, &remote, &updates);
                    if undone.is_ok() {
                        forget();
                    }
                    term::error(&format!("{e:#}"));
                    return Err(match undone {
                        Ok(()) => anyhow!(
                            "cannot {} the {}: {target} was put back on {remote} as it was, so nothing was changed",
                            if open.is_some() { "refresh" } else { "open" },
                            forge.kind.request_noun()
                        ),
                        Err(manual) => anyhow!(
                            "cannot open the {}, and {target} could not be put back on {remote}: {manual}",
                            forge.kind.request_noun()
                        ),
                    });
                }
            }
        }
        None => None,
    };
    forget();
    let noun = forge.kind.request_noun();
    match (&url, &open) {
        (Some(url), Some(_)) => term::step(&format!("refreshed the {noun}: {url}")),
        (Some(url), None) => term::step(&format!("opened the {noun}: {url}")),
        (None, _) => print_by_hand(&forge, &base, &target, &title, &body),
    }
    term::note(&format!(
        "once it is merged, `cargo xtask release --finish` (CI runs it on the push) tags {} and publishes it",
        request.tags.join(", ")
    ));
    if args.format == Format::Json {
        term::out(
            &serde_json::json!({
                "version": request.label,
                "tags": request.tags,
                "branch": target,
                "base": base,
                "commit": tip,
                "request": url,
                "refreshed": old.is_some(),
            })
            .to_string(),
        );
    }
    Ok(())
}

/// Whether a branch tip the remote has is a release pull request's the kit made (a run killed between its
/// push and the pull request): a commit here whose subject is a release commit's.
fn made_by_kit(p: &Project, git: &Git, id: &str) -> bool {
    let Ok(pattern) = release_subject_pattern(p) else {
        return false;
    };
    let mut messages = git
        .raw(&["log", "-2", "--format=%s", id])
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    messages.retain(|s| pattern.is_match(s));
    !messages.is_empty()
}

fn print_request_plan(
    request: &Request,
    forge: &Forge,
    base: &str,
    title: &str,
    body: &str,
    args: &ReleaseArgs,
) {
    let to_stdout = args.format == Format::Text;
    let emit = |title: &str, body: &str| {
        if to_stdout {
            term::data_section(title, body)
        } else {
            term::section(title, body)
        }
    };
    for (title, body) in &request.shown {
        emit(title, body);
    }
    let noun = forge.kind.request_noun();
    let branch = &request.branch;
    emit(
        &format!("Branch and {noun}:"),
        &format!(
            "push {branch} to {} (a release would first ask it about {branch} and {}, and refresh the \
             open release {noun} instead of opening a second one)\n{} {noun} into {base}: \"{title}\"",
            request.remote,
            request.tags.join(", "),
            forge.kind.name()
        ),
    );
    emit(&format!("{} text:", capitalised(noun)), body);
    emit(
        "After the merge:",
        &format!(
            "`cargo xtask release --finish` tags the release commit {}, pushes the tag and publishes the \
             release",
            request.tags.join(", ")
        ),
    );
}
