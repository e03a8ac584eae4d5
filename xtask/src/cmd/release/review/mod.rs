//! A release through review, for branches nobody pushes to directly: `release --pr` puts the release
//! commit on a branch of its own and opens (or refreshes) the pull request; `release --finish`, which CI
//! runs on every push, tags the merged release commit, pushes the tag, publishes the forge release and makes
//! the next development version as `release.pr_dev` says.
//!
//! Nothing local is touched: the commits are made from the plan's file contents without a work tree
//! (`Git::commit_on`), pushed with compare-and-swap leases, and a failed forge call takes back what the run
//! pushed, so the remote too is as it was. A `release --pr` killed half-way leaves at most a pushed branch
//! without its pull request, which `release --abort` puts back (its journal says what was pushed); a
//! finish killed after the tag's push has its forge release published by the next run.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::Project;
use crate::domain::forge::{self, Kind, Location, calls};
use crate::domain::release::review::DevStep;
use crate::domain::{push, shell};
use crate::notes;
use crate::ops::forge::ForgeCli;
use crate::ops::git::Git;
use crate::ops::term;

/// The forge the remote is on, and whether its CLI can be used.
pub(super) struct Forge {
    pub(super) kind: Kind,
    pub(super) location: Option<Location>,
    /// The CLI, when installed and logged in; `None`: the forge's part is printed for a human.
    pub(super) cli: Option<ForgeCli>,
    pub(super) draft: bool,
}

impl Forge {
    /// Reads `[forge]` and the remote's URL; with `check`, asks the CLI whether it is installed and logged
    /// in. Problems (an unusable CLI under `without_cli = "fail"`, a bad setting) go to `problems`.
    pub(super) fn detect(p: &Project, git: &Git, check: bool, problems: &mut Vec<String>) -> Forge {
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
pub(super) fn dev_step(p: &Project) -> Result<DevStep> {
    match p.config.release.pr_dev.as_deref() {
        None => Ok(DevStep::DEFAULT),
        Some(text) => DevStep::parse(text).map_err(|e| anyhow!("xtask.toml: {e}")),
    }
}

/// Whether a release pull request carries the development commit (so the plan keeps it).
pub(super) fn dev_in_request(p: &Project) -> Result<bool> {
    Ok(dev_step(p)? == DevStep::InRequest)
}

/// Problems with a branch name the kit is about to push: git's own rules and `branches.allowed` (the
/// hooks would refuse the push).
pub(super) fn branch_name_problems(
    p: &Project,
    git: &Git,
    setting: &str,
    name: &str,
) -> Result<Vec<String>> {
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
pub(super) fn remote_refs(git: &Git, remote: &str, names: &[String]) -> Result<Advertised, String> {
    git.ls_remote(remote, names).map(Advertised).map_err(|e| {
        format!("push: cannot ask {remote} about its refs ({e:#}): fix the remote and run again")
    })
}

/// The refs a remote advertised: (full name, object id).
pub(super) struct Advertised(Vec<(String, String)>);

impl Advertised {
    /// The object id `name` (a full ref name) is at on the remote, if it has it.
    pub(super) fn id(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id.clone())
    }
}

pub(super) fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// `git push` of `refspecs` with a lease per ref (`None`: the ref must not exist yet), atomically.
pub(super) fn push_leased(
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
pub(super) fn unpush(
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

/// What to do by hand when the forge's CLI cannot be used.
pub(super) fn print_by_hand(forge: &Forge, base: &str, branch: &str, title: &str, body: &str) {
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

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The pattern of release commit subjects, with the forge's ` (#12)` allowed after them.
pub(super) fn release_subject_pattern(p: &Project) -> Result<regex_lite::Regex> {
    subject_pattern_of(p.config.release_commit())
}

/// [`release_subject_pattern`] of a `release.commit` template (a package's, its name filled in).
pub(super) fn subject_pattern_of(template: &str) -> Result<regex_lite::Regex> {
    let exact = notes::subject_pattern("release.commit", template)?;
    let text = exact.as_str().trim_end_matches('$');
    regex_lite::Regex::new(&format!(r"{text}(?: \([#!]\d+\))?$"))
        .map_err(|e| anyhow!("cannot match release commits: {e}"))
}

mod finish;
mod open;

pub(super) use finish::finish;
pub(super) use open::{Request, abort_request, open_request, request_branch, shown};
