//! A release through review, for branches nobody pushes to directly: `release --pr` puts the release
//! commit on a branch of its own and opens (or refreshes) the pull request; `release --finish`, which CI
//! runs on every push, tags the merged release commit, pushes the tag, publishes the forge release and makes
//! the next development version as `release.pr_dev` says.
//!
//! Nothing local is touched: the commits are made from the plan's file contents without a work tree
//! (`Git::commit_on`), pushed with compare-and-swap leases, and a failed forge call takes back what the run
//! pushed, so the remote too is as it was. A run killed half-way leaves at most a pushed branch without
//! its pull request, which the next `release --pr` adopts.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::Project;
use crate::cli::{Format, ReleaseArgs};
use crate::domain::forge::{self, Kind, Location, calls};
use crate::domain::release_plan::ReleasePlan;
use crate::domain::review::{self, Candidate, DevStep, Finding};
use crate::domain::version::{self, Version};
use crate::domain::{changelog_file, push, shell};
use crate::error::UsageError;
use crate::notes;
use crate::ops::forge::ForgeCli;
use crate::ops::fs;
use crate::ops::git::Git;
use crate::ops::process::kill_point;
use crate::ops::term;
use crate::project;
use crate::render::{self, MessageContext, Renderer};

/// The forge the remote is on, and whether its CLI can be used.
struct Forge {
    kind: Kind,
    location: Option<Location>,
    /// The CLI, when installed and logged in; `None`: the forge's part is printed for a human.
    cli: Option<ForgeCli>,
    draft: bool,
}

impl Forge {
    /// Reads `[forge]` and the remote's URL; with `check`, asks the CLI whether it is installed and logged
    /// in. Problems (an unusable CLI under `without_cli = "fail"`, a bad setting) go to `problems`.
    fn detect(p: &Project, git: &Git, check: bool, problems: &mut Vec<String>) -> Forge {
        let remote = p.config.remote();
        let url = git
            .raw(&["config", "--get", &format!("remote.{remote}.url")])
            .map(|u| u.trim().to_string());
        let (recognised, location) = match &url {
            Ok(url) => forge::recognise(url),
            Err(_) => {
                problems.push(format!(
                    "release.remote: there is no remote named {remote}: add it with `{}`",
                    shell::join(&["git", "remote", "add", remote, "<URL>"])
                ));
                (Kind::None, None)
            }
        };
        let kind = p.config.forge.kind.unwrap_or(recognised);
        let print = match p.config.forge.without_cli.as_deref() {
            None | Some("fail") => false,
            Some("print") => true,
            Some(other) => {
                problems.push(format!(
                    "forge.without_cli = {other:?} is not a choice: write \"fail\" (refuse before changing \
                     anything) or \"print\" (do the git part and print the rest)"
                ));
                false
            }
        };
        let mut cli = kind.cli().map(|program| ForgeCli::new(program, &p.root));
        if check && let Some(program) = &cli {
            let name = program.program();
            let unusable = if !program.installed() {
                Some(format!("`{name}` is not installed (or not on PATH)"))
            } else if let Err(e) = program.run(&calls::auth_status()) {
                Some(format!("`{name}` is not logged in ({e:#})"))
            } else {
                None
            };
            if let Some(why) = unusable {
                if print {
                    term::note(&format!(
                        "{why}: the {} part is printed for you to do by hand (forge.without_cli = \"print\")",
                        kind.name()
                    ));
                } else {
                    let token = if kind == Kind::GitLab {
                        "GITLAB_TOKEN"
                    } else {
                        "GH_TOKEN"
                    };
                    problems.push(format!(
                        "forge: {why}: install it and log in (`{name} auth login`, or set {token}), or set \
                         [forge] without_cli = \"print\" to do the {} part by hand",
                        kind.name()
                    ));
                }
                cli = None;
            }
        }
        Forge {
            kind,
            location,
            cli,
            draft: p.config.forge.draft.unwrap_or(false),
        }
    }
}

/// `release.pr_dev`, read.
fn dev_step(p: &Project) -> Result<DevStep> {
    match p.config.release.pr_dev.as_deref() {
        None => Ok(DevStep::DEFAULT),
        Some(text) => DevStep::parse(text).map_err(|e| anyhow!("xtask.toml: {e}")),
    }
}

/// Whether a release pull request carries the development commit (so the plan keeps it).
pub(super) fn dev_in_request(p: &Project) -> Result<bool> {
    Ok(dev_step(p)? == DevStep::InRequest)
}

/// The release pull request's branch: `release.pr_branch` rendered for the release.
fn request_branch(p: &Project, plan: &ReleasePlan) -> Result<String> {
    let date = render::release_date()?;
    let d = &plan.decision;
    let mut context = MessageContext::new(&d.version, &d.previous, &d.tag, &date);
    context.version = plan.spell(&d.version);
    context.previous = plan.spell(&d.previous);
    let renderer = Renderer::new(&p.root, &p.config, plan.scheme)?;
    let name = renderer.message("release.pr_branch", p.config.pr_branch(), &context)?;
    Ok(name.trim().to_string())
}

/// Problems with a branch name the kit is about to push: git's own rules and `branches.allowed` (the
/// hooks would refuse the push).
fn branch_name_problems(p: &Project, git: &Git, setting: &str, name: &str) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    if git.raw(&["check-ref-format", "--branch", name]).is_err() {
        problems.push(format!(
            "{setting} gives {name:?}, which git does not accept as a branch name: fix the template"
        ));
        return Ok(problems);
    }
    if let Some(refusal) = push::check_branch_name(name, &p.policy()?.allowed_branches) {
        problems.push(format!(
            "{setting} gives {name}, which the hooks refuse ({}): {}",
            refusal.reason, refusal.hint
        ));
    }
    Ok(problems)
}

/// What the remote holds of the refs a run is about to write.
fn remote_refs(git: &Git, remote: &str, names: &[String]) -> Result<Vec<(String, String)>, String> {
    git.ls_remote(remote, names).map_err(|e| {
        format!("push: cannot ask {remote} about its refs ({e:#}): fix the remote and run again")
    })
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// `git push` of `refspecs` with a lease per ref (`None`: the ref must not exist yet), atomically.
fn push_leased(
    git: &Git,
    remote: &str,
    updates: &[(String, String, Option<String>)],
    extra: &[String],
) -> Result<()> {
    let mut options = vec!["--atomic".to_string()];
    options.extend(extra.iter().cloned());
    let mut refspecs = Vec::new();
    for (refname, new, old) in updates {
        options.push(format!(
            "--force-with-lease={refname}:{}",
            old.as_deref().unwrap_or("")
        ));
        refspecs.push(format!("{new}:{refname}"));
    }
    git.push(remote, &options, &refspecs)
}

/// Takes back what [`push_leased`] pushed: each ref back to its old value (deleted when it had none), only
/// where it still holds what was pushed. Returns the command to run by hand when that fails.
fn unpush(
    git: &Git,
    remote: &str,
    updates: &[(String, String, Option<String>)],
) -> Result<(), String> {
    let mut options = vec!["--atomic".to_string()];
    let mut refspecs = Vec::new();
    for (refname, new, old) in updates {
        options.push(format!("--force-with-lease={refname}:{new}"));
        refspecs.push(match old {
            Some(old) => format!("{old}:{refname}"),
            None => format!(":{refname}"),
        });
    }
    git.push(remote, &options, &refspecs).map_err(|e| {
        let mut words = vec!["git".to_string(), "push".to_string()];
        words.extend(options.iter().cloned());
        words.push(remote.to_string());
        words.extend(refspecs.iter().cloned());
        format!("{e:#}\nundo it by hand: {}", shell::join(&words))
    })
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
pub(super) fn abort_request(p: &Project, git: &Git) -> Result<bool> {
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
    let now = advertised.first().map(|(_, id)| id.clone());
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

// ---------------------------------------------------------------------------------------------------------
// release --pr

/// `release --pr`, once `plan` is decided and checked as a release's: the dry run prints it; otherwise the
/// branch is made and pushed and the pull request opened or refreshed.
pub(super) fn open_request(
    p: &Project,
    git: &Git,
    plan: &ReleasePlan,
    args: &ReleaseArgs,
) -> Result<()> {
    let mut problems: Vec<String> = interrupted(p).into_iter().collect();
    let forge = Forge::detect(p, git, !args.dry_run, &mut problems);
    let Some(base) = plan.branch.clone() else {
        return Err(UsageError(
            "release --pr opens a pull request into the current branch, and HEAD is detached: check out the \
             development or line branch (in CI, GITHUB_REF_NAME names it)"
                .into(),
        )
        .into());
    };
    let branch = request_branch(p, plan)?;
    problems.extend(branch_name_problems(p, git, "release.pr_branch", &branch)?);
    let title = plan
        .release_message
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let notes = plan
        .changelog
        .as_ref()
        .map(|(_, section)| changelog_file::section_body(section).to_string())
        .unwrap_or_else(|| title.clone());
    let body = forge::request_body(&notes, &plan.spell(&plan.decision.version), forge.kind);
    let mut files: Vec<(String, String)> = plan
        .release_files()
        .iter()
        .map(|c| (c.rel.clone(), c.after.clone()))
        .collect();
    let dev_files: Vec<(String, String)> = plan
        .dev_files()
        .iter()
        .map(|c| (c.rel.clone(), c.after.clone()))
        .collect();
    if files.is_empty() {
        problems.push(format!(
            "the files already hold {} and there is no changelog to write, so a release pull request would \
             be empty: release it directly with `cargo xtask release`",
            plan.spell(&plan.decision.version)
        ));
    }

    if args.dry_run {
        for problem in &problems {
            term::warn(problem);
        }
        print_request_plan(plan, &forge, &base, &branch, &title, &body, args);
        return Ok(());
    }

    // What the remote and the forge have: the tag must be new, the base must not be ahead of HEAD, and an
    // open release pull request (or a branch a killed run pushed) is refreshed rather than doubled.
    let remote = plan.remote.clone();
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
    let tag_ref = format!("refs/tags/{}", plan.decision.tag);
    let base_ref = format!("refs/heads/{base}");
    let target_ref = format!("refs/heads/{target}");
    let mut old = None;
    match remote_refs(
        git,
        &remote,
        &[tag_ref.clone(), base_ref.clone(), target_ref.clone()],
    ) {
        Err(problem) => problems.push(problem),
        Ok(advertised) => {
            let value = |name: &str| {
                advertised
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, id)| id.clone())
            };
            if value(&tag_ref).is_some() {
                problems.push(format!(
                    "push: tag {} already exists on {remote}: that version is released; pick another",
                    plan.decision.tag
                ));
            }
            if let Some(id) = value(&base_ref)
                && !git.is_ancestor(&id, &plan.head)
            {
                problems.push(format!(
                    "push: {remote}'s {base} is at {}, which HEAD does not contain: run `{}` and merge or \
                     rebase first, so that the release pull request holds what {base} holds",
                    short(&id),
                    shell::join(&["git", "pull", remote.as_str(), base.as_str()])
                ));
            }
            if let Some(id) = value(&target_ref) {
                let ours = open.is_some() || made_by_kit(p, git, &id);
                if ours {
                    old = Some(id);
                } else {
                    problems.push(format!(
                        "push: {remote} already has a branch {target} that is not a release pull request's: \
                         delete it (`{}`) or set release.pr_branch",
                        shell::join(&["git", "push", remote.as_str(), "--delete", target.as_str()])
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(super::release::refuse_release(&problems));
    }

    // The commits, made without a work tree: nothing local changes.
    let release_commit = git.commit_on(&plan.head, &files, &plan.release_message)?;
    let tip = match (plan.dev_commit(), dev_files.is_empty()) {
        (Some(message), false) => git.commit_on(&release_commit, &dev_files, message)?,
        _ => release_commit.clone(),
    };
    files.clear();
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

    let request = match &forge.cli {
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
    match (&request, &open) {
        (Some(url), Some(_)) => term::step(&format!("refreshed the {noun}: {url}")),
        (Some(url), None) => term::step(&format!("opened the {noun}: {url}")),
        (None, _) => print_by_hand(&forge, &base, &target, &title, &body),
    }
    term::note(&format!(
        "once it is merged, `cargo xtask release --finish` (CI runs it on the push) tags {} and publishes it",
        plan.decision.tag
    ));
    if args.format == Format::Json {
        term::out(
            &serde_json::json!({
                "version": plan.spell(&plan.decision.version),
                "tag": plan.decision.tag,
                "branch": target,
                "base": base,
                "commit": tip,
                "request": request,
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

/// What to do by hand when the forge's CLI cannot be used.
fn print_by_hand(forge: &Forge, base: &str, branch: &str, title: &str, body: &str) {
    let noun = forge.kind.request_noun();
    let page = forge
        .location
        .as_ref()
        .and_then(|location| forge::new_request_url(forge.kind, location, base, branch));
    match (forge.kind, page) {
        (Kind::None, _) | (_, None) => term::note(&format!(
            "no forge to open the {noun} on: ask for {branch} to be merged into {base}"
        )),
        (_, Some(url)) => {
            let call = calls::create_request(forge.kind, base, branch, title, body);
            term::note(&format!("open the {noun} at {url}"));
            if let Some(program) = forge.kind.cli() {
                let shown = ForgeCli::new(program, Path::new(".")).shown(&call);
                term::note(&format!(
                    "or run: {shown}, with the notes below as notes.md"
                ));
            }
        }
    }
    term::section(&format!("{} text:", capitalised(noun)), body);
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn print_request_plan(
    plan: &ReleasePlan,
    forge: &Forge,
    base: &str,
    branch: &str,
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
    let d = &plan.decision;
    emit(
        "Release pull request plan (dry run: nothing is changed)",
        &format!(
            "version: {} → {}{}",
            plan.spell(&d.previous),
            plan.spell(&d.version),
            d.required
                .map(|l| format!(" (the commits call for {l})"))
                .unwrap_or_default()
        ),
    );
    if let Some((rel, section)) = &plan.changelog {
        emit(&format!("Changelog ({rel}):"), section);
    }
    let diffs: Vec<String> = plan
        .release_files()
        .iter()
        .filter(|c| Some(&c.rel) != plan.changelog.as_ref().map(|c| &c.0))
        .map(fs::unified_diff)
        .collect();
    emit("Version files:", &diffs.join(""));
    emit(
        "Release commit:",
        plan.release_commit().unwrap_or(&plan.release_message),
    );
    match (&plan.dev_version, plan.dev_commit()) {
        (Some(version), Some(message)) => emit(
            &format!(
                "Development commit ({}, in the pull request: release.pr_dev = \"in-pr\"):",
                plan.spell(version)
            ),
            message,
        ),
        _ => emit(
            "Development commit:",
            "none in the pull request (release.pr_dev decides what `release --finish` does)",
        ),
    }
    let noun = forge.kind.request_noun();
    emit(
        &format!("Branch and {noun}:"),
        &format!(
            "push {branch} to {} (a release would first ask it about {branch} and {}, and refresh the \
             open release {noun} instead of opening a second one)\n{} {noun} into {base}: \"{title}\"",
            plan.remote,
            d.tag,
            forge.kind.name()
        ),
    );
    emit(&format!("{} text:", capitalised(noun)), body);
    emit(
        "After the merge:",
        &format!(
            "`cargo xtask release --finish` tags the release commit {}, pushes the tag and publishes the \
             release",
            d.tag
        ),
    );
}

// ---------------------------------------------------------------------------------------------------------
// release --finish

/// The pattern of release commit subjects, with the forge's ` (#12)` allowed after them.
fn release_subject_pattern(p: &Project) -> Result<regex::Regex> {
    let exact = notes::subject_pattern("release.commit", p.config.release_commit())?;
    let text = exact.as_str().trim_end_matches('$');
    regex::Regex::new(&format!(r"{text}(?: \([#!]\d+\))?$"))
        .map_err(|e| anyhow!("cannot match release commits: {e}"))
}

/// `release --finish`: see the module's documentation.
pub(super) fn finish(p: &Project, git: &Git, args: &ReleaseArgs) -> Result<()> {
    if p.config.packages.is_some() {
        return Err(anyhow!(
            "release --finish releases one version, and xtask.toml has [packages]: release packages with \
             `cargo xtask release -p NAME --push` from a branch CI may push to"
        ));
    }
    let head = p.repo.head()?;
    let Some(head_id) = head.commit else {
        return Err(anyhow!(
            "the repository has no commits yet: nothing to finish"
        ));
    };
    let Some(branch) = head
        .branch
        .clone()
        .or_else(|| super::release::ci_branch(p, head.commit))
    else {
        return Err(UsageError(
            "release --finish needs the branch that was pushed, and HEAD is detached: check it out, or \
             set GITHUB_REF_NAME (GitHub Actions sets it) to a branch at HEAD"
                .into(),
        )
        .into());
    };
    let policy = p.policy()?;
    let tag_format = policy.tag_format()?.clone();
    if p.repo.is_shallow() {
        return Err(anyhow!(
            "this is a shallow clone, so the release tags and commits are not all here: fetch the history \
             (`git fetch --tags --unshallow`; in GitHub Actions: actions/checkout with fetch-depth: 0)"
        ));
    }
    let files = project::version_files(&p.config)?;
    let Some(first) = files.first() else {
        return Err(anyhow!(
            "xtask.toml names no version files: nothing to finish"
        ));
    };
    let version_at = |commit: &str| -> Option<Version> {
        let id = p.repo.resolve(commit).ok()?;
        let bytes = p.repo.file_at(id, &first.path).ok()??;
        let text = String::from_utf8(bytes).ok()?;
        project::read_text(first, &text).ok().map(|r| r.parsed)
    };
    let head_text = head_id.to_string();
    let tip_version = version_at(&head_text);
    let tags = p.repo.release_tags(&tag_format)?;
    let base = notes::base(&p.repo, &tags, head_id, tip_version.as_ref(), false)?;
    let mut listing = vec![
        "log".to_string(),
        "--topo-order".to_string(),
        "--format=%H%x00%s".to_string(),
        head_text.clone(),
    ];
    if let Some(base) = &base {
        listing.push("--not".to_string());
        listing.push(base.commit.to_string());
    }
    let listing: Vec<&str> = listing.iter().map(String::as_str).collect();
    let pattern = release_subject_pattern(p)?;
    let candidates: Vec<Candidate> = git
        .raw(&listing)?
        .lines()
        .filter_map(|line| line.split_once('\0'))
        .filter(|(_, subject)| pattern.is_match(subject))
        .map(|(id, subject)| Candidate {
            id: id.to_string(),
            subject: subject.to_string(),
            version: version_at(id),
        })
        .collect();
    let date = render::release_date()?;
    let renderer = Renderer::new(&p.root, &p.config, tag_format.scheme())?;
    let scheme = tag_format.scheme();
    let previous = base.as_ref().map(|t| t.version.clone());
    let context_for = |v: &Version, tag: &str| {
        let before = previous.clone().unwrap_or_else(|| v.clone());
        let mut context = MessageContext::new(v, &before, tag, &date);
        context.version = scheme.spell(v);
        context.previous = scheme.spell(&before);
        context
    };
    let finding = review::find_merged(
        &candidates,
        |v| {
            let tag = tag_format.render(v).ok()?;
            renderer
                .message(
                    "release.commit",
                    p.config.release_commit(),
                    &context_for(v, &tag),
                )
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
    let dev = dev_step(p)?;
    let (commit, released) = match finding {
        Finding::Nothing => {
            if !args.dry_run
                && let Some(tag) = &base
                && let Some(published) = publish_missing_release(p, git, tag, &pattern, &scheme)?
            {
                term::step(&published);
                return Ok(());
            }
            term::step(&format!(
                "nothing to finish: no release pull request was merged into {branch} since {since}"
            ));
            return Ok(());
        }
        Finding::Folded {
            commit,
            subject,
            holds,
        } => {
            let holds = holds.map(|v| scheme.spell(&v));
            let (reason, hint) = review::folded_refusal(&commit, &subject, holds.as_deref(), dev);
            return Err(super::release::refuse_release(&[format!(
                "{reason}\n{hint}"
            )]));
        }
        Finding::Release { commit, version } => (commit, version),
    };
    let tag = tag_format.render(&released).map_err(|e| anyhow!("{e}"))?;
    let spelled = scheme.spell(&released);
    let context = context_for(&released, &tag);

    // The notes: the changelog file's section for the version, as the release commit wrote it.
    let changelog_rel = p.config.changelog_file().to_string();
    let section = p
        .repo
        .file_at(p.repo.resolve(&commit)?, &changelog_rel)?
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
        .map_or(tag_head.clone(), str::to_string);

    // The development version, where release.pr_dev puts it after the merge.
    let dev_plan = match dev {
        DevStep::Push | DevStep::Request if released.is_final() => {
            dev_commit_plan(p, &renderer, &released, &tag, &date, tip_version.as_ref())?
        }
        _ => None,
    };
    let dev_branch = match (&dev_plan, dev) {
        (Some(_), DevStep::Request) => {
            Some(format!("{}-dev", pr_branch_for(p, &renderer, &context)?))
        }
        _ => None,
    };

    let mut problems = Vec::new();
    let forge = Forge::detect(p, git, !args.dry_run, &mut problems);
    if let Some(name) = &dev_branch {
        problems.extend(branch_name_problems(
            p,
            git,
            "release.pr_branch (+ \"-dev\")",
            name,
        )?);
    }
    let dirty = git.dirty_files()?;
    if dev_plan.is_some() && !dirty.is_empty() {
        problems.push(format!(
            "the work tree has uncommitted changes ({}): the development commit is made from the files; \
             commit or discard them first",
            dirty.join(", ")
        ));
    }
    let sign = policy.sign_tags || policy.signers.is_some() || git.signs_tags();

    if args.dry_run {
        for problem in &problems {
            term::warn(problem);
        }
        let mut lines = vec![format!(
            "release commit: {} (\"{}\")",
            short(&commit),
            candidates
                .iter()
                .find(|c| c.id == commit)
                .map_or("", |c| c.subject.as_str())
        )];
        lines.push(format!(
            "tag: {tag}{} on {}, pushed to {}",
            if sign { " (signed)" } else { "" },
            short(&commit),
            p.config.remote()
        ));
        lines.push(format!(
            "{} release: {tag}{}{}",
            forge.kind.name(),
            if released.is_final() {
                ""
            } else {
                ", marked pre-release"
            },
            if forge.draft { ", as a draft" } else { "" }
        ));
        match (&dev_plan, &dev_branch) {
            (Some((v, _, message)), Some(name)) => lines.push(format!(
                "development version {}: \"{}\" in a {} from {name}",
                scheme.spell(v),
                message.lines().next().unwrap_or_default(),
                forge.kind.request_noun()
            )),
            (Some((v, _, message)), None) => lines.push(format!(
                "development version {}: \"{}\" pushed to {branch}",
                scheme.spell(v),
                message.lines().next().unwrap_or_default()
            )),
            (None, _) => lines.push(format!(
                "development version: none here (release.pr_dev = \"{}\")",
                dev.spelled()
            )),
        }
        term::data_section(
            &format!("Finish the release of {spelled} (dry run: nothing is changed)"),
            &lines.join("\n"),
        );
        term::data_section("Release notes:", &notes);
        return Ok(());
    }

    let remote = p.config.remote().to_string();
    let tag_ref = format!("refs/tags/{tag}");
    let branch_ref = format!("refs/heads/{branch}");
    let mut wanted = vec![tag_ref.clone(), branch_ref.clone()];
    wanted.extend(dev_branch.iter().map(|b| format!("refs/heads/{b}")));
    match remote_refs(git, &remote, &wanted) {
        Err(problem) => problems.push(problem),
        Ok(advertised) => {
            let value = |name: &str| {
                advertised
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, id)| id.clone())
            };
            if value(&tag_ref).is_some() {
                problems.push(format!(
                    "push: tag {tag} already exists on {remote}: fetch it (`git fetch --tags`); if it is this \
                     release, there is nothing left to finish"
                ));
            }
            if let Some(name) = &dev_branch
                && value(&format!("refs/heads/{name}")).is_some()
            {
                problems.push(format!(
                    "push: {remote} already has a branch {name}: delete it (`{}`) and run again",
                    shell::join(&["git", "push", remote.as_str(), "--delete", name.as_str()])
                ));
            }
            if dev == DevStep::Push
                && dev_plan.is_some()
                && value(&branch_ref).as_deref() != Some(head_text.as_str())
            {
                problems.push(format!(
                    "push: {remote}'s {branch} is not at HEAD ({}): the development commit goes on top of \
                     it; fetch and run again",
                    short(&head_text)
                ));
            }
        }
    }
    if let Some(signers) = &policy.signers
        && !fs::exists(p.root.join(signers))
    {
        problems.push(format!(
            "release.signers names {signers}, which does not exist here: the tag must be signed by one of \
             its keys"
        ));
    }
    if !problems.is_empty() {
        return Err(super::release::refuse_release(&problems));
    }

    // Local objects first (no ref moves, except the signed tag's, which git writes itself).
    let tag_object = if sign {
        git.tag_signed_at(&tag, &commit, &tag_message)?;
        git.ref_value(&tag_ref)?
            .ok_or_else(|| anyhow!("git tag made no {tag_ref}"))?
    } else {
        git.make_tag_object(&tag, &commit, &tag_message)?
    };
    let drop_local_tag = || {
        if sign {
            let _ = git.delete_ref(&tag_ref, &tag_object);
        }
    };
    let dev_commit = match &dev_plan {
        Some((_, files, message)) => match git.commit_on(&head_text, files, message) {
            Ok(id) => Some(id),
            Err(e) => {
                drop_local_tag();
                return Err(e);
            }
        },
        None => None,
    };
    let mut updates = vec![(tag_ref.clone(), tag_object.clone(), None)];
    match (&dev_commit, &dev_branch) {
        (Some(id), Some(name)) => updates.push((format!("refs/heads/{name}"), id.clone(), None)),
        (Some(id), None) => {
            updates.push((branch_ref.clone(), id.clone(), Some(head_text.clone())));
        }
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
        "tagged {} as {tag} and pushed it to {remote}",
        short(&commit)
    ));
    kill_point("finish:pushed");

    // The forge's part: the release, then the development pull request. A failure takes back what this
    // run published, so that the next run finds the merge unreleased and starts again.
    let mut release_made = false;
    let failure = (|| -> Result<Option<String>> {
        let Some(cli) = &forge.cli else {
            return Ok(None);
        };
        cli.run(&calls::create_release(
            forge.kind,
            &tag,
            &spelled,
            &notes,
            !released.is_final(),
            forge.draft,
        ))?;
        release_made = true;
        term::step(&format!(
            "published the {} release {tag}",
            forge.kind.name()
        ));
        kill_point("finish:released");
        if let (Some((v, _, message)), Some(name)) = (&dev_plan, &dev_branch) {
            let title = message.lines().next().unwrap_or_default();
            let body = format!(
                "Moves {branch} to the next development version, {}, after the release of {spelled}.\n",
                scheme.spell(v)
            );
            let out = cli.run(&calls::create_request(
                forge.kind, &branch, name, title, &body,
            ))?;
            return Ok(Some(out.trim().to_string()));
        }
        Ok(None)
    })();
    let dev_request = match failure {
        Ok(url) => url,
        Err(e) => {
            term::error(&format!("{e:#}"));
            let mut manual = Vec::new();
            if release_made
                && let Some(cli) = &forge.cli
                && let Err(e) = cli.run(&calls::delete_release(&tag))
            {
                manual.push(format!("{e:#}"));
            }
            if let Err(e) = unpush(git, &remote, &updates) {
                manual.push(e);
            }
            drop_local_tag();
            return Err(if manual.is_empty() {
                anyhow!(
                    "cannot finish the release of {spelled}: what this run pushed was taken back, so nothing \
                     was changed; fix the cause and run `cargo xtask release --finish` again"
                )
            } else {
                anyhow!(
                    "cannot finish the release of {spelled}, and not everything could be taken back:\n{}",
                    manual.join("\n")
                )
            });
        }
    };
    // The tag is published: keep it locally too.
    if !sign {
        let _ = git.create_ref(&tag_ref, &tag_object, "xtask release --finish");
    }
    if forge.cli.is_none() {
        print_release_by_hand(&forge, &tag, &notes, !released.is_final());
    }
    match (&dev_commit, &dev_branch, dev_request) {
        (Some(_), Some(name), Some(url)) => term::step(&format!(
            "opened the {} for the next development version ({name}): {url}",
            forge.kind.request_noun()
        )),
        (Some(_), Some(name), None) => {
            term::step(&format!("pushed the next development version as {name}"));
            print_by_hand(
                &forge,
                &branch,
                name,
                dev_plan
                    .as_ref()
                    .map_or("", |(_, _, m)| m.lines().next().unwrap_or_default()),
                "Next development version.",
            );
        }
        (Some(id), None, _) => term::step(&format!(
            "pushed the next development version to {remote}'s {branch} ({})",
            short(id)
        )),
        _ => {}
    }
    if let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) {
        use std::io::Write as _;
        let mut file = fs::open_append(&path).map_err(|e| {
            anyhow!(
                "GITHUB_OUTPUT: cannot open {}: {e}",
                Path::new(&path).display()
            )
        })?;
        writeln!(file, "released=true\nversion={spelled}\ntag={tag}")?;
    }
    if args.format == Format::Json {
        term::out(
            &serde_json::json!({
                "version": spelled,
                "tag": tag,
                "commit": commit,
                "pushed": true,
                "release": forge.cli.is_some(),
                "dev_commit": dev_commit,
            })
            .to_string(),
        );
    }
    Ok(())
}

/// A finish interrupted between pushing the tag and publishing the forge release (a cancelled CI job)
/// leaves the newest release without its forge release: the next run publishes it, from the same notes.
/// Only a release commit's tag counts, and only when the forge's CLI can say whether the release exists.
fn publish_missing_release(
    p: &Project,
    git: &Git,
    tag: &crate::ops::repo::ReleaseTag,
    pattern: &regex::Regex,
    scheme: &version::Scheme,
) -> Result<Option<String>> {
    let subject = git.raw(&["log", "-1", "--format=%s", &tag.commit.to_string()])?;
    if !pattern.is_match(subject.trim()) {
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

/// `release.pr_branch` for the released version (the development pull request's branch adds `-dev`).
fn pr_branch_for(p: &Project, renderer: &Renderer, context: &MessageContext) -> Result<String> {
    Ok(renderer
        .message("release.pr_branch", p.config.pr_branch(), context)?
        .trim()
        .to_string())
}

/// The next development version, the files it rewrites (path, contents) and the commit's message.
type DevCommit = (Version, Vec<(String, String)>, String);

/// The development commit after `released`: the version, its files and message; `None` when there is no
/// development version, or the branch already moved past the release.
fn dev_commit_plan(
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
    let mut context = MessageContext::new(released, released, tag, date);
    context.version = scheme.spell(released);
    context.previous = scheme.spell(released);
    let text = renderer.message("version.dev", template, &context)?;
    let next = version::parse_any(text.trim())
        .ok_or_else(|| anyhow!("xtask.toml: version.dev gives {text:?}, which is not a version"))?;
    let mut dev_context = MessageContext::new(&next, released, tag, date);
    dev_context.version = scheme.spell(&next);
    dev_context.previous = scheme.spell(released);
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

fn print_release_by_hand(forge: &Forge, tag: &str, notes: &str, prerelease: bool) {
    let page = forge
        .location
        .as_ref()
        .and_then(|location| forge::new_release_url(forge.kind, location, tag));
    if let (Some(url), Some(program)) = (page, forge.kind.cli()) {
        let call = calls::create_release(forge.kind, tag, tag, notes, prerelease, forge.draft);
        term::note(&format!(
            "publish the release at {url}, or run: {}",
            ForgeCli::new(program, Path::new(".")).shown(&call)
        ));
        term::section("Release notes:", notes);
    }
}
