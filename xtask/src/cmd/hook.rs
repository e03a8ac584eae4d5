//! `xtask hook <name>`: the entry points git calls through the shims. Each does only the work its rules need:
//! commit-msg and reference-transaction never open the repository; pre-push reads a few objects with gix;
//! pre-receive judges with the policy stored in the bare repository, reading through git (see
//! `ops::push_facts`). The push rules themselves are pure (`domain::push`): this file gathers the facts they
//! ask for and prints the verdicts.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

use crate::cli::HookArgs;
use crate::config::Config;
use crate::domain::problem::Problem;
use crate::domain::push::{
    self, Facts, Need, PushRules, RefUpdate, Side, Signature, TagFacts, is_zero,
};
use crate::domain::rules::{self, Enforcement, TagFormat, Verdict};
use crate::domain::server_policy;
use crate::domain::version::Version;
use crate::error::{AlreadyReported, UsageError};
use crate::ops::policy::PolicyStore;
use crate::ops::process;
use crate::ops::push_facts::{CliObjects, GixObjects, Objects};
use crate::ops::repo::Repo;
use crate::ops::term;
use crate::policy::{CommitRules, Policy};
use crate::version_files;

pub fn run(dir: &Path, args: HookArgs) -> Result<()> {
    let hook_args: Vec<String> = args
        .args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match args.name.as_str() {
        "commit-msg" => commit_msg(dir, &hook_args),
        "reference-transaction" => reference_transaction(dir, &hook_args),
        "pre-push" => pre_push(dir),
        "pre-receive" => pre_receive(dir),
        other => Err(UsageError(format!(
            "unknown hook {other:?}: the kit handles commit-msg, reference-transaction, pre-push and pre-receive"
        ))
        .into()),
    }
}

/// The configuration of the work tree the hook runs in (git runs hooks at the work tree's root).
fn work_tree_config(dir: &Path) -> Result<Config> {
    Config::load(dir)
}

fn stdin_text() -> Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read the hook's standard input")?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Prints refusals (all of them) and fails the hook.
fn verdicts(refusals: Vec<Problem>) -> Result<()> {
    if refusals.is_empty() {
        return Ok(());
    }
    for problem in &refusals {
        term::error(&problem.to_string());
    }
    Err(AlreadyReported.into())
}

fn commit_msg(dir: &Path, args: &[String]) -> Result<()> {
    let file = args
        .first()
        .ok_or_else(|| UsageError("commit-msg: git passes the message file's path".into()))?;
    // Only the commit rules: a broken rule elsewhere in xtask.toml must not stop a commit (that fixes it).
    let commits = CommitRules::from_config(&work_tree_config(dir)?)?;
    let mode = commits.conventional;
    if mode == Enforcement::Off {
        return Ok(());
    }
    let bytes = crate::ops::fs::read(dir.join(file))
        .with_context(|| format!("cannot read the commit message {file}"))?;
    let message = String::from_utf8_lossy(&bytes);
    match rules::check_message(&message, &commits.types) {
        Verdict::Allowed => Ok(()),
        Verdict::Refused(problem) if mode == Enforcement::Warn => {
            term::warn(&problem.to_string());
            Ok(())
        }
        refused => verdicts(refused.problem().into_iter().collect()),
    }
}

/// Each package's configuration and tag format (`[packages]`), or the one configuration's.
fn tag_formats(config: &Config) -> Result<Vec<(Config, TagFormat)>> {
    if config.packages.is_none() {
        return Ok(Policy::tag_format_of(config)?
            .map(|format| (config.clone(), format))
            .into_iter()
            .collect());
    }
    config
        .package_names()
        .iter()
        .filter_map(|name| config.for_package(name))
        .filter_map(|package| match Policy::tag_format_of(&package) {
            Ok(format) => format.map(|format| Ok((package, format))),
            Err(e) => Some(Err(e.into())),
        })
        .collect()
}

/// Refuses creating a badly named branch or tag at the moment it is made. The hottest path in the kit:
/// it runs on every ref update, so it returns before reading anything when nothing is being created.
///
/// Git writes an all-zero old value both for a ref created anew and for one updated by force (`git branch
/// -f`, `git tag -f`), and an all-zero new value for a deletion (`git tag -d`): only a name that is really new
/// is judged, and only a refused one costs a look at the refs that exist. Refs that come from another
/// repository (`git fetch`, `pull`, `clone`, `remote update`, a push received) are not judged at all: their
/// names were chosen there, where the server's pre-receive hook is the judge, and refusing them would break
/// every fetch from a repository with, say, a `nightly` tag.
fn reference_transaction(dir: &Path, args: &[String]) -> Result<()> {
    if args.first().map(String::as_str) != Some("prepared") {
        return Ok(());
    }
    let input = stdin_text()?;
    let created: Vec<&str> = input
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, ' ');
            let (old, new, name) = (fields.next()?, fields.next()?, fields.next()?);
            (is_zero(old)
                && !is_zero(new)
                && (name.starts_with("refs/heads/") || name.starts_with("refs/tags/")))
            .then_some(name)
        })
        .collect();
    if created.is_empty() {
        return Ok(());
    }
    let judged = judge_names(dir, &created);
    if judged.as_ref().is_ok_and(Vec::is_empty) || refs_from_elsewhere() {
        return Ok(());
    }
    let mut refused = judged?;
    let existing = existing_names(dir, &refused)?;
    refused.retain(|(name, _)| !existing.contains(name));
    verdicts(refused.into_iter().map(|(_, r)| r).collect())
}

/// The created refs whose names break the rules, each with its refusal.
fn judge_names<'n>(dir: &Path, created: &[&'n str]) -> Result<Vec<(&'n str, Problem)>> {
    // Each name is judged by its section of the rules alone, compiled once: a broken tag format does not
    // stop a new branch.
    let config = work_tree_config(dir)?;
    let mut allowed: Option<Vec<rules::Pattern>> = None;
    let mut formats: Option<Vec<TagFormat>> = None;
    let mut other_tags: Option<Vec<rules::Pattern>> = None;
    let mut refused = Vec::new();
    for &name in created {
        let verdict = if let Some(branch) = name.strip_prefix("refs/heads/") {
            let allowed = match &mut allowed {
                Some(allowed) => allowed,
                None => allowed.insert(Policy::allowed_branches_of(&config)?),
            };
            push::check_branch_name(branch, allowed)
        } else {
            let tag = name.strip_prefix("refs/tags/").unwrap_or(name);
            let others = match &mut other_tags {
                Some(others) => others,
                None => other_tags.insert(Policy::other_tags_of(&config)?),
            };
            if others.iter().any(|p| p.matches(tag).is_some()) {
                continue;
            }
            let formats = match &mut formats {
                Some(formats) => formats,
                None => formats.insert(tag_formats(&config)?.into_iter().map(|(_, f)| f).collect()),
            };
            push::check_tag_names(tag, formats)
        };
        refused.extend(verdict.map(|problem| (name, problem)));
    }
    Ok(refused)
}

/// Which of `refused` are not new after all: the ref exists (an update by force), or, for a branch, a
/// remote-tracking branch of that name does (`git checkout <branch>` of a branch someone else named).
fn existing_names<'n>(dir: &Path, refused: &[(&'n str, Problem)]) -> Result<Vec<&'n str>> {
    let mut args = vec![
        "for-each-ref".to_string(),
        "--format=%(refname)".to_string(),
    ];
    for (name, _) in refused {
        args.push((*name).to_string());
        if let Some(branch) = name.strip_prefix("refs/heads/") {
            args.push(format!("refs/remotes/*/{branch}"));
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = crate::ops::git::Git::new(dir)?.raw(&args)?;
    let listed: Vec<&str> = out.lines().collect();
    Ok(refused
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| {
            listed.iter().any(|l| {
                *l == *name
                    || name.strip_prefix("refs/heads/").is_some_and(|branch| {
                        l.strip_prefix("refs/remotes/")
                            .and_then(|l| l.strip_suffix(branch))
                            .and_then(|remote| remote.strip_suffix('/'))
                            .is_some_and(|remote| !remote.is_empty() && !remote.contains('/'))
                    })
            })
        })
        .collect())
}

/// Whether the git command this hook runs for brings refs from another repository. Git tells the hook
/// nothing about it, so this asks the system for that command's arguments: the shim passes git's process id
/// as `XTASK_GIT_PID` (`$PPID` there). Where they cannot be read, the answer is no, and names are judged.
fn refs_from_elsewhere() -> bool {
    // `git pull` says so to the `git fetch` it runs.
    if std::env::var("GIT_REFLOG_ACTION").is_ok_and(|action| {
        matches!(
            action.split_whitespace().next(),
            Some("pull" | "fetch" | "clone")
        )
    }) {
        return true;
    }
    let pid = std::env::var("XTASK_GIT_PID")
        .ok()
        .and_then(|pid| pid.trim().parse::<u32>().ok())
        .or_else(process::parent_pid);
    let Some(args) = pid.and_then(process::command_line) else {
        return false;
    };
    matches!(
        git_subcommand(&args),
        Some("fetch" | "pull" | "clone" | "remote" | "receive-pack" | "submodule")
    )
}

/// The subcommand of a git command line: `fetch` in `git -C dir -c a=b fetch origin` or `git-fetch`.
fn git_subcommand(args: &[String]) -> Option<&str> {
    let (program, rest) = args.split_first()?;
    let program = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let program = program.strip_suffix(".exe").unwrap_or(program);
    if let Some(dashed) = program.strip_prefix("git-") {
        return Some(dashed);
    }
    if program != "git" {
        return None;
    }
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            // Global options that take the next argument as their value.
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--super-prefix"
            | "--config-env" | "--attr-source" => {
                rest.next();
            }
            option if option.starts_with('-') => {}
            subcommand => return Some(subcommand),
        }
    }
    None
}

fn pre_push(dir: &Path) -> Result<()> {
    let input = stdin_text()?;
    // `<local ref> <local oid> <remote ref> <remote oid>`
    let updates: Vec<RefUpdate> = input
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            (f.len() == 4).then(|| RefUpdate {
                name: f[2].to_string(),
                old: f[3].to_string(),
                new: f[1].to_string(),
            })
        })
        .collect();
    if updates.is_empty() {
        return Ok(());
    }
    let config = work_tree_config(dir)?;
    let policy = Policy::from_config(&config)?;
    // Objects as stored: a replace ref must not make the judged commit another one.
    let repo = Repo::discover_as_stored(dir)?;
    let objects = GixObjects::new(&repo);
    // The signers file of this checkout, where the push's own files are (git runs the hook at the root).
    let signers = policy
        .signers
        .as_ref()
        .map(|path| crate::ops::fs::canonical_or_same(&dir.join(path)));
    verdicts(check_updates(
        &config,
        &policy,
        &objects,
        &updates,
        Side::Client,
        signers.as_deref(),
    )?)
}

fn pre_receive(dir: &Path) -> Result<()> {
    let input = stdin_text()?;
    // `<old oid> <new oid> <ref>`
    let updates: Vec<RefUpdate> = input
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.splitn(3, ' ').collect();
            (f.len() == 3).then(|| RefUpdate {
                name: f[2].to_string(),
                old: f[0].to_string(),
                new: f[1].to_string(),
            })
        })
        .collect();
    let objects = CliObjects::new(dir)?;
    // The rules come from the policy the administrator stored, never from a branch anyone can push to;
    // so does the signers file.
    let (config, policy, signers) = stored_policy(dir)?;
    let mut refusals = check_updates(
        &config,
        &policy,
        &objects,
        &updates,
        Side::Server,
        signers.as_deref(),
    )?;
    refusals.extend(check_new_messages(&policy, &objects, &updates)?);
    // An xtask.toml that cannot be used, once on the default branch, would break the hooks of every
    // clone and could not be adopted as the server's policy: it does not get there.
    if let Some(default) = objects.default_branch() {
        for u in updates
            .iter()
            .filter(|u| u.name == default && !is_zero(&u.new))
        {
            let Some(bytes) = objects.file_at(&u.new, crate::config::FILE_NAME)? else {
                continue;
            };
            if let Err(e) = usable_config(&String::from_utf8_lossy(&bytes)) {
                refusals.push(Problem::new(
                    "xtask.toml",
                    format!(
                        "the xtask.toml pushed to {} is invalid: {e:#}",
                        default.trim_start_matches("refs/heads/")
                    ),
                    "fix it (`cargo xtask check` says what is wrong) and push again: every clone's \
                     hooks read this file",
                ));
            }
        }
    }
    verdicts(refusals)
}

/// The policy stored in the bare repository by `hooks install --server`, and the signers file stored with
/// it when the policy sets `release.signers`. Without a usable one the hook refuses every push (fails
/// closed): judging by the defaults would let through what the project forbids.
fn stored_policy(dir: &Path) -> Result<(Config, Policy, Option<PathBuf>)> {
    // Git runs the hook in the bare repository and says where it is in GIT_DIR.
    let git_dir = std::env::var_os("GIT_DIR").map_or_else(|| dir.to_path_buf(), |d| dir.join(d));
    let git_dir = crate::ops::fs::canonical_or_same(&git_dir);
    let fix = format!(
        "an administrator can store it again with `cargo xtask hooks install --server {} --update` \
         (or `--config FILE`)",
        git_dir.display()
    );
    let store = PolicyStore::in_git_dir(&git_dir);
    let stored = match store.read() {
        Ok(Some(stored)) => stored,
        Ok(None) => {
            return Err(anyhow!(
                "the push is refused: the server's policy is missing ({} does not exist), so nothing \
                 can be judged\n{fix}",
                store.policy_path().display()
            ));
        }
        Err(e) => {
            return Err(anyhow!(
                "the push is refused: the server's policy cannot be used: {e:#}\n{fix}"
            ));
        }
    };
    let (config, policy) = usable_config(&stored.text).map_err(|e| {
        anyhow!(
            "the push is refused: the server's policy ({}, from {}) is invalid: {e:#}\n{fix}",
            store.policy_path().display(),
            stored.record.source.describe()
        )
    })?;
    let signers = match &policy.signers {
        None => None,
        Some(path) => Some(store.signers(&stored.record).map_err(|e| {
            anyhow!(
                "the push is refused: the server's policy sets release.signers = {path:?}, but its stored \
                 signers file cannot be used: {e:#}\n{fix}"
            )
        })?),
    };
    Ok((config, policy, signers))
}

/// `commits.conventional = "deny"` on the server: the message of every commit the push brings onto a
/// branch, that is every commit reachable from a pushed branch and from no existing branch. Existing refs
/// outside `refs/heads/` do not count: the rules do not judge what is pushed there, so they must not be a
/// way to bring a commit in unjudged and onto a branch later.
fn check_new_messages(
    policy: &Policy,
    objects: &CliObjects,
    updates: &[RefUpdate],
) -> Result<Vec<Problem>> {
    if policy.commits.conventional != Enforcement::Deny {
        return Ok(Vec::new());
    }
    let tips: Vec<&str> = updates
        .iter()
        .filter(|u| u.name.starts_with("refs/heads/") && !is_zero(&u.new))
        .map(|u| u.new.as_str())
        .collect();
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let commits = objects.new_commits(&tips)?;
    Ok(server_policy::judge_new_commits(
        &commits,
        &policy.commits.types,
    ))
}

/// Parses an xtask.toml and everything the push rules build from it.
pub(super) fn usable_config(text: &str) -> Result<(Config, Policy)> {
    let config = Config::parse(text)?;
    let policy = Policy::from_config(&config)?;
    for (package, _) in tag_formats(&config)? {
        version_files::version_files(&package)?;
    }
    version_files::version_files(&config)?;
    Ok((config, policy))
}

/// The push rules of a configuration, compiled once, with each package's configuration (by the index of its
/// tag format) for reading the version at a tagged commit.
fn push_rules(config: &Config, policy: &Policy) -> Result<(PushRules, Vec<Config>)> {
    let (packages, tag_formats) = tag_formats(config)?.into_iter().unzip();
    let rules = PushRules {
        allowed: policy.allowed_branches.clone(),
        tag_formats,
        release_branches: policy.release_branches.clone(),
        maintainers: policy.maintainers.clone(),
        signers_required: policy.signers.is_some(),
        allow_replace_refs: policy.allow_replace_refs,
        other_tags: policy.other_tags.clone(),
    };
    Ok((rules, packages))
}

/// Gathers the facts the push rules need about `updates` and judges them. `signers` is the allowed-signers
/// file release tags are verified against when the policy sets `release.signers`.
pub(super) fn check_updates(
    config: &Config,
    policy: &Policy,
    objects: &dyn Objects,
    updates: &[RefUpdate],
    side: Side,
    signers: Option<&Path>,
) -> Result<Vec<Problem>> {
    let (rules, packages) = push_rules(config, policy)?;
    let needs = push::needs(&rules, updates, side);
    // Branch tips, read only when a release tag needs them.
    let tips = if needs.iter().any(|n| matches!(n, Need::ReleaseTag { .. })) {
        push::tips_after(objects.branches()?, updates)
    } else {
        Vec::new()
    };
    let mut facts = Vec::with_capacity(needs.len());
    for (i, (u, need)) in updates.iter().zip(&needs).enumerate() {
        facts.push(match need {
            Need::Nothing => Facts::Nothing,
            Need::FastForward => Facts::FastForward(objects.is_ancestor(&u.old, &u.new)?),
            Need::ReleaseTag {
                package: index,
                version,
            } => {
                let package = packages
                    .get(*index)
                    .context("a tag format without its package")?;
                // The tags that exist (those that may spell the same version), and the ones this push
                // creates before this one.
                let tag = u.name.strip_prefix("refs/tags/").unwrap_or(&u.name);
                let tags = objects.tag_names(&push::alias_prefix(&rules, *index, version, tag))?;
                let mut known: Vec<&str> = tags.iter().map(String::as_str).collect();
                known.extend(
                    updates
                        .iter()
                        .take(i)
                        .filter(|e| is_zero(&e.old) && !is_zero(&e.new))
                        .filter_map(|e| e.name.strip_prefix("refs/tags/")),
                );
                let same_version = push::same_version_tags(&rules, *index, version, tag, &known);
                Facts::ReleaseTag(release_tag_facts(
                    &rules,
                    package,
                    objects,
                    &u.new,
                    version,
                    &tips,
                    same_version,
                    signers,
                )?)
            }
        });
    }
    Ok(push::judge(&rules, updates, &facts, side)
        .into_iter()
        .flat_map(|v| v.refusals)
        .collect())
}

/// What the repository says about a new release tag: only whether it is annotated when it is not.
#[allow(clippy::too_many_arguments)]
fn release_tag_facts(
    rules: &PushRules,
    config: &Config,
    objects: &dyn Objects,
    oid: &str,
    version: &Version,
    tips: &[(String, String)],
    same_version: Vec<String>,
    signers: Option<&Path>,
) -> Result<TagFacts> {
    let Some((commit, tagger)) = objects.annotated_tag(oid)? else {
        return Ok(TagFacts::Lightweight);
    };
    let version_at_commit = version_at(config, objects, &commit).map_err(|e| format!("{e:#}"));
    let mut containing_release_branch = None;
    for (branch, tip) in push::release_branches_for(rules, tips, version) {
        if objects.is_ancestor(&commit, tip)? {
            containing_release_branch = Some(branch.clone());
            break;
        }
    }
    // Signatures are checked on release tags only, and only when the policy names signers.
    let signature = match signers {
        _ if !rules.signers_required => Signature::NotChecked,
        Some(file) if crate::ops::fs::is_file(file) => objects.signature(oid, file)?,
        Some(file) => Signature::Bad(format!(
            "the signers file {} does not exist",
            file.display()
        )),
        None => Signature::Bad("no signers file was found to check it against".into()),
    };
    Ok(TagFacts::Annotated {
        commit,
        tagger,
        version_at_commit,
        containing_release_branch,
        same_version,
        signature,
    })
}

/// The version the authoritative (first) version file gives at a commit.
fn version_at(config: &Config, objects: &dyn Objects, commit: &str) -> Result<Version> {
    let files = version_files::version_files(config)?;
    let file = files.first().context("no version files configured")?;
    let bytes = objects
        .file_at(commit, &file.path)?
        .ok_or_else(|| anyhow!("{} does not exist there", file.path))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8 there", file.path))?;
    let reading = version_files::read_text(file, &text)?;
    Ok(reading.parsed)
}
