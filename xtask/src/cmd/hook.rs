//! `xtask hook <name>`: the entry points git calls through the shims. Each does only the work its rules need:
//! commit-msg and reference-transaction never open the repository; pre-push reads a few objects with gix;
//! pre-receive judges with the policy stored in the bare repository, reading through git (see `CliObjects`).

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, anyhow};

use crate::cli::HookArgs;
use crate::config::Config;
use crate::domain::rules::{self, Enforcement, Pattern, TagFormat, Verdict};
use crate::domain::server_policy::{self, NewCommit};
use crate::domain::version::Version;
use crate::error::{AlreadyReported, UsageError};
use crate::ops::policy::PolicyStore;
use crate::ops::repo::Repo;
use crate::ops::term;
use crate::project;

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

/// A refused update: the rule, the reason and a hint.
type Refusal = (String, String, String);

/// Prints refusals (all of them) and fails the hook.
fn verdicts(refusals: Vec<Refusal>) -> Result<()> {
    if refusals.is_empty() {
        return Ok(());
    }
    for (rule, reason, hint) in &refusals {
        term::error(&format!("{rule}: {reason}\n{hint}"));
    }
    Err(AlreadyReported.into())
}

fn refusal(verdict: Verdict) -> Option<Refusal> {
    match verdict {
        Verdict::Allowed => None,
        Verdict::Refused { rule, reason, hint } => Some((rule, reason, hint)),
    }
}

fn commit_msg(dir: &Path, args: &[String]) -> Result<()> {
    let file = args
        .first()
        .ok_or_else(|| UsageError("commit-msg: git passes the message file's path".into()))?;
    let config = work_tree_config(dir)?;
    let mode = match config.commits.conventional.as_deref() {
        Some("deny") => Enforcement::Deny,
        Some("off") => Enforcement::Off,
        _ => Enforcement::Warn,
    };
    if mode == Enforcement::Off {
        return Ok(());
    }
    let bytes = std::fs::read(dir.join(file))
        .with_context(|| format!("cannot read the commit message {file}"))?;
    let message = String::from_utf8_lossy(&bytes);
    let types = config
        .commits
        .types
        .clone()
        .unwrap_or_else(rules::default_types);
    match rules::check_message(&message, &types) {
        Verdict::Allowed => Ok(()),
        Verdict::Refused { rule, reason, hint } if mode == Enforcement::Warn => {
            term::warn(&format!("{rule}: {reason}\n{hint}"));
            Ok(())
        }
        refused => verdicts(refusal(refused).into_iter().collect()),
    }
}

fn is_zero(oid: &str) -> bool {
    !oid.is_empty() && oid.bytes().all(|b| b == b'0')
}

fn branch_rules(config: &Config) -> Result<Vec<Pattern>> {
    config
        .allowed_branches()
        .iter()
        .map(|p| Pattern::parse(p).map_err(|e| anyhow!("xtask.toml: branches.allowed: {e}")))
        .collect()
}

fn tag_format(config: &Config) -> Result<TagFormat> {
    crate::notes::tag_format(config)
}

/// Each package's configuration and tag format (`[packages]`), or the one configuration's.
fn tag_formats(config: &Config) -> Result<Vec<(Config, TagFormat)>> {
    if config.packages.is_none() {
        return Ok(vec![(config.clone(), tag_format(config)?)]);
    }
    config
        .package_names()
        .iter()
        .filter_map(|name| config.for_package(name))
        .map(|package| {
            let format = tag_format(&package)?;
            Ok((package, format))
        })
        .collect()
}

/// A tag name judged against every package's format: allowed when one accepts it.
fn check_tag_names(tag: &str, formats: &[(Config, TagFormat)]) -> Verdict {
    let mut first = None;
    for (_, format) in formats {
        match rules::check_tag_name(tag, format) {
            Verdict::Allowed => return Verdict::Allowed,
            refused => {
                first.get_or_insert(refused);
            }
        }
    }
    match first {
        Some(Verdict::Refused { rule, hint, .. }) if formats.len() > 1 => {
            let shown: Vec<String> = formats
                .iter()
                .map(|(_, f)| format!("`{}`", rules::shown(f.as_str())))
                .collect();
            Verdict::Refused {
                rule,
                reason: format!(
                    "tag `{}` follows no package's tag format ({})",
                    rules::shown(tag),
                    shown.join(", ")
                ),
                hint,
            }
        }
        Some(refused) => refused,
        None => Verdict::Allowed,
    }
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
fn judge_names<'n>(dir: &Path, created: &[&'n str]) -> Result<Vec<(&'n str, Refusal)>> {
    let config = work_tree_config(dir)?;
    let mut refused = Vec::new();
    for &name in created {
        let verdict = if let Some(branch) = name.strip_prefix("refs/heads/") {
            rules::check_branch(branch, &branch_rules(&config)?)
        } else {
            let tag = name.strip_prefix("refs/tags/").unwrap_or(name);
            check_tag_names(tag, &tag_formats(&config)?)
        };
        refused.extend(refusal(verdict).map(|r| (name, r)));
    }
    Ok(refused)
}

/// Which of `refused` are not new after all: the ref exists (an update by force), or, for a branch, a
/// remote-tracking branch of that name does (`git checkout <branch>` of a branch someone else named).
fn existing_names<'n>(dir: &Path, refused: &[(&'n str, Refusal)]) -> Result<Vec<&'n str>> {
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
        .or_else(parent_pid);
    let Some(args) = pid.and_then(command_line) else {
        return false;
    };
    matches!(
        git_subcommand(&args),
        Some("fetch" | "pull" | "clone" | "remote" | "receive-pack" | "submodule")
    )
}

#[cfg(unix)]
fn parent_pid() -> Option<u32> {
    Some(std::os::unix::process::parent_id())
}

#[cfg(not(unix))]
fn parent_pid() -> Option<u32> {
    None
}

/// The arguments a process was started with: `/proc` on Linux, `ps` elsewhere (split at spaces, which is
/// enough to find a git subcommand).
fn command_line(pid: u32) -> Option<Vec<String>> {
    if let Ok(bytes) = std::fs::read(format!("/proc/{pid}/cmdline")) {
        let bytes = bytes.strip_suffix(&[0]).unwrap_or(&bytes);
        return Some(
            bytes
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect(),
        );
    }
    let out = std::process::Command::new("ps")
        .args(["-o", "args=", "-p", &pid.to_string()])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    })
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

/// One pushed ref, as git describes it to pre-push and pre-receive.
struct Update {
    name: String,
    old: String,
    new: String,
}

fn pre_push(dir: &Path) -> Result<()> {
    let input = stdin_text()?;
    // `<local ref> <local oid> <remote ref> <remote oid>`
    let updates: Vec<Update> = input
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(' ').collect();
            (f.len() == 4).then(|| Update {
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
    let repo = Repo::discover(dir)?;
    let objects = GixObjects { repo: &repo };
    verdicts(check_updates(&config, &objects, &updates, Side::Client)?)
}

fn pre_receive(dir: &Path) -> Result<()> {
    let input = stdin_text()?;
    // `<old oid> <new oid> <ref>`
    let updates: Vec<Update> = input
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.splitn(3, ' ').collect();
            (f.len() == 3).then(|| Update {
                name: f[2].to_string(),
                old: f[0].to_string(),
                new: f[1].to_string(),
            })
        })
        .collect();
    let objects = CliObjects::new(dir)?;
    // The rules come from the policy the administrator stored, never from a branch anyone can push to.
    let config = stored_policy(dir)?;
    let mut refusals = check_updates(&config, &objects, &updates, Side::Server)?;
    refusals.extend(check_new_messages(&config, &objects, &updates)?);
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
                refusals.push((
                    "xtask.toml".to_string(),
                    format!(
                        "the xtask.toml pushed to {} is invalid: {e:#}",
                        default.trim_start_matches("refs/heads/")
                    ),
                    "fix it (`cargo xtask check` says what is wrong) and push again: every clone's \
                     hooks read this file"
                        .to_string(),
                ));
            }
        }
    }
    verdicts(refusals)
}

/// The policy stored in the bare repository by `hooks install --server`. Without a usable one the hook
/// refuses every push (fails closed): judging by the defaults would let through what the project forbids.
fn stored_policy(dir: &Path) -> Result<Config> {
    // Git runs the hook in the bare repository and says where it is in GIT_DIR.
    let git_dir = std::env::var_os("GIT_DIR").map_or_else(|| dir.to_path_buf(), |d| dir.join(d));
    let git_dir = std::fs::canonicalize(&git_dir).unwrap_or(git_dir);
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
    usable_config(&stored.text).map_err(|e| {
        anyhow!(
            "the push is refused: the server's policy ({}, from {}) is invalid: {e:#}\n{fix}",
            store.policy_path().display(),
            stored.record.source.describe()
        )
    })
}

/// `commits.conventional = "deny"` on the server: the message of every commit the push brings onto a
/// branch, that is every commit reachable from a pushed branch and from no existing branch. Existing refs
/// outside `refs/heads/` do not count: the rules do not judge what is pushed there, so they must not be a
/// way to bring a commit in unjudged and onto a branch later.
fn check_new_messages(
    config: &Config,
    objects: &CliObjects,
    updates: &[Update],
) -> Result<Vec<Refusal>> {
    if config.commits.conventional.as_deref() != Some("deny") {
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
    let types = config
        .commits
        .types
        .clone()
        .unwrap_or_else(rules::default_types);
    Ok(server_policy::judge_new_commits(&commits, &types))
}

/// Parses an xtask.toml and everything the push rules build from it.
pub(super) fn usable_config(text: &str) -> Result<Config> {
    let config = Config::parse(text)?;
    branch_rules(&config)?;
    for (package, _) in tag_formats(&config)? {
        project::version_files(&package)?;
    }
    for pattern in config.release_branches() {
        Pattern::parse(&pattern).map_err(|e| anyhow!("xtask.toml: release.branches: {e}"))?;
    }
    project::version_files(&config)?;
    Ok(config)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Client,
    Server,
}

/// The few object reads the push rules need; gix on the client, git on the server (where new objects sit in
/// git's quarantine directory, which only git itself reads).
trait Objects {
    fn is_annotated_tag(&self, oid: &str) -> Result<bool>;
    /// The commit a tag object points at (peeled) and the tagger's e-mail.
    fn tag_target(&self, oid: &str) -> Result<(String, String)>;
    fn file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>>;
    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool>;
    /// Local branches and their commits.
    fn branches(&self) -> Result<Vec<(String, String)>>;
}

fn check_updates(
    config: &Config,
    objects: &dyn Objects,
    updates: &[Update],
    side: Side,
) -> Result<Vec<(String, String, String)>> {
    let allowed = branch_rules(config)?;
    let formats = tag_formats(config)?;
    let release_branches: Vec<Pattern> = config
        .release_branches()
        .iter()
        .map(|p| Pattern::parse(p).map_err(|e| anyhow!("xtask.toml: release.branches: {e}")))
        .collect::<Result<_>>()?;
    let maintainers = config.release.maintainers.clone().unwrap_or_default();
    let mut refusals = Vec::new();
    let mut refuse =
        |rule: &str, reason: String, hint: String| refusals.push((rule.to_string(), reason, hint));

    // Branch tips after this push: existing branches, updated by what is pushed.
    let mut tips = objects.branches()?;
    for u in updates {
        if let Some(b) = u.name.strip_prefix("refs/heads/") {
            tips.retain(|(name, _)| name != b);
            if !is_zero(&u.new) {
                tips.push((b.to_string(), u.new.clone()));
            }
        }
    }

    for u in updates {
        if let Some(branch) = u.name.strip_prefix("refs/heads/") {
            // Names are judged when a branch is created; existing branches keep working.
            if is_zero(&u.old)
                && !is_zero(&u.new)
                && let Some(r) = refusal(rules::check_branch(branch, &allowed))
            {
                refuse(&r.0, r.1, r.2);
            }
            let is_release_branch = release_branches.iter().any(|p| p.matches(branch).is_some());
            if side == Side::Server && is_release_branch && !is_zero(&u.old) {
                if is_zero(&u.new) {
                    refuse(
                        "release.branches",
                        format!("deleting the release branch {branch} is not allowed"),
                        "release branches keep the history of releases".into(),
                    );
                } else if !objects.is_ancestor(&u.old, &u.new)? {
                    refuse(
                        "release.branches",
                        format!(
                            "force-pushing the release branch {branch} would rewrite published history"
                        ),
                        "push new commits on top instead (git pull --rebase, then git push)".into(),
                    );
                }
            }
        } else if let Some(tag) = u.name.strip_prefix("refs/tags/") {
            // The package whose tag format the tag follows (the one format without packages).
            let found = formats
                .iter()
                .find_map(|(package, format)| Some((package, format.version_of(tag)?)));
            let Some((package, version)) = found else {
                if !is_zero(&u.new)
                    && let Some(r) = refusal(check_tag_names(tag, &formats))
                {
                    refuse(&r.0, r.1, r.2);
                }
                continue;
            };
            if is_zero(&u.new) {
                refuse(
                    "tag.format",
                    format!("deleting the release tag {tag} is not allowed"),
                    "a published release stays published; release a new version instead".into(),
                );
                continue;
            }
            if !is_zero(&u.old) && u.old != u.new {
                refuse(
                    "tag.format",
                    format!("moving the release tag {tag} is not allowed"),
                    "a published release stays as it was; release a new version instead".into(),
                );
                continue;
            }
            if !is_zero(&u.old) {
                continue;
            }
            check_release_tag(
                package,
                objects,
                tag,
                &u.new,
                &version,
                &tips,
                &release_branches,
                &maintainers,
                &mut refuse,
            )?;
        }
    }
    Ok(refusals)
}

#[allow(clippy::too_many_arguments)]
fn check_release_tag(
    config: &Config,
    objects: &dyn Objects,
    tag: &str,
    oid: &str,
    version: &Version,
    tips: &[(String, String)],
    release_branches: &[Pattern],
    maintainers: &[String],
    refuse: &mut dyn FnMut(&str, String, String),
) -> Result<()> {
    if !objects.is_annotated_tag(oid)? {
        refuse(
            "tag.annotated",
            format!("the release tag {tag} is lightweight"),
            format!(
                "release tags are annotated: git tag --delete {tag} && git tag --annotate {tag} -m \"Release {version}\""
            ),
        );
        return Ok(());
    }
    let (commit, tagger) = objects.tag_target(oid)?;
    match version_at(config, objects, &commit) {
        Ok(at_commit) if at_commit == *version => {}
        Ok(at_commit) => refuse(
            "tag.version",
            format!(
                "the tag {tag} says {version} but the version files at {} say {at_commit}",
                short(&commit)
            ),
            format!(
                "tag the commit whose files say {version} (e.g. the release commit made by `cargo xtask release`)"
            ),
        ),
        Err(e) => refuse(
            "tag.version",
            format!("cannot read the version at {}: {e:#}", short(&commit)),
            "check version.files in xtask.toml".into(),
        ),
    }
    let mut on_release_branch = false;
    for (branch, tip) in tips {
        if release_branches
            .iter()
            .any(|p| p.matches_release(branch, version.major, version.minor))
            && objects.is_ancestor(&commit, tip)?
        {
            on_release_branch = true;
            break;
        }
    }
    if !on_release_branch {
        let patterns: Vec<&str> = release_branches.iter().map(Pattern::as_str).collect();
        refuse(
            "release.branches",
            format!(
                "the tag {tag} is on {}, which no release branch for {version} contains",
                short(&commit)
            ),
            format!(
                "release from one of: {} (push the branch with the tag)",
                patterns.join(", ")
            ),
        );
    }
    if !maintainers.is_empty() && !maintainers.iter().any(|m| m.eq_ignore_ascii_case(&tagger)) {
        refuse(
            "release.maintainers",
            format!("the tag {tag} was made by {tagger}, who is not one of release.maintainers"),
            format!("ask one of {} to tag the release", maintainers.join(", ")),
        );
    }
    Ok(())
}

/// The version the authoritative (first) version file gives at a commit.
fn version_at(config: &Config, objects: &dyn Objects, commit: &str) -> Result<Version> {
    let files = project::version_files(config)?;
    let file = files.first().context("no version files configured")?;
    let bytes = objects
        .file_at(commit, &file.path)?
        .ok_or_else(|| anyhow!("{} does not exist there", file.path))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8 there", file.path))?;
    let reading = project::read_text(file, &text)?;
    Ok(reading.parsed)
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

struct GixObjects<'r> {
    repo: &'r Repo,
}

fn oid(hex: &str) -> Result<gix::ObjectId> {
    gix::ObjectId::from_hex(hex.as_bytes()).map_err(|_| anyhow!("{hex:?} is not an object id"))
}

impl Objects for GixObjects<'_> {
    fn is_annotated_tag(&self, id: &str) -> Result<bool> {
        let header = self
            .repo
            .git
            .find_header(oid(id)?)
            .context("cannot read the tag")?;
        Ok(header.kind() == gix::object::Kind::Tag)
    }

    fn tag_target(&self, id: &str) -> Result<(String, String)> {
        let tag = self
            .repo
            .git
            .find_tag(oid(id)?)
            .context("cannot read the tag")?;
        let tagger = tag
            .tagger()
            .ok()
            .flatten()
            .map(|t| t.email.to_string())
            .unwrap_or_default();
        let commit = self
            .repo
            .git
            .find_object(oid(id)?)?
            .peel_to_commit()
            .context("the tag does not point at a commit")?;
        Ok((commit.id.to_string(), tagger))
    }

    fn file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
        self.repo.file_at(oid(commit)?, path)
    }

    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        self.repo.is_ancestor(oid(ancestor)?, oid(descendant)?)
    }

    fn branches(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for r in self.repo.git.references()?.local_branches()?.flatten() {
            let name = r.name().as_bstr().to_string();
            if let (Some(b), Some(id)) = (name.strip_prefix("refs/heads/"), r.try_id()) {
                out.push((b.to_string(), id.to_string()));
            }
        }
        Ok(out)
    }
}

/// Object reads through git itself, which sees the objects of a push still in quarantine.
struct CliObjects {
    git: crate::ops::git::Git,
}

impl CliObjects {
    fn new(dir: &Path) -> Result<CliObjects> {
        Ok(CliObjects {
            git: crate::ops::git::Git::new(dir)?,
        })
    }

    /// The ref HEAD names: the default branch of a bare repository.
    fn default_branch(&self) -> Option<String> {
        self.git
            .raw(&["symbolic-ref", "--quiet", "HEAD"])
            .ok()
            .map(|name| name.trim().to_string())
    }

    /// The commits reachable from `tips` and from no existing branch, read in two git calls whatever
    /// their number: their ids, then the objects themselves, decoded as the gix readers decode them.
    fn new_commits(&self, tips: &[&str]) -> Result<Vec<NewCommit>> {
        let mut args = vec!["rev-list"];
        args.extend_from_slice(tips);
        args.extend(["--not", "--branches"]);
        let ids = self.git.raw(&args)?;
        if ids.trim().is_empty() {
            return Ok(Vec::new());
        }
        let batch = self
            .git
            .raw_bytes(&["cat-file", "--batch"], ids.as_bytes())?;
        read_commits(&batch)
    }
}

impl Objects for CliObjects {
    fn is_annotated_tag(&self, id: &str) -> Result<bool> {
        Ok(self.git.raw(&["cat-file", "-t", id])?.trim() == "tag")
    }

    fn tag_target(&self, id: &str) -> Result<(String, String)> {
        let commit = self
            .git
            .raw(&["rev-parse", "--verify", &format!("{id}^{{commit}}")])?
            .trim()
            .to_string();
        let text = self.git.raw(&["cat-file", "tag", id])?;
        let tagger = text
            .lines()
            .find_map(|l| l.strip_prefix("tagger "))
            .and_then(|t| Some(t[t.find('<')? + 1..t.find('>')?].to_string()))
            .unwrap_or_default();
        Ok((commit, tagger))
    }

    fn file_at(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .git
            .raw(&["cat-file", "blob", &format!("{commit}:{path}")])
            .ok()
            .map(String::into_bytes))
    }

    fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        Ok(self
            .git
            .raw(&["merge-base", "--is-ancestor", ancestor, descendant])
            .is_ok())
    }

    fn branches(&self) -> Result<Vec<(String, String)>> {
        let out = self.git.raw(&[
            "for-each-ref",
            "--format=%(refname:strip=2) %(objectname)",
            "refs/heads/",
        ])?;
        Ok(out
            .lines()
            .filter_map(|l| {
                l.rsplit_once(' ')
                    .map(|(n, o)| (n.to_string(), o.to_string()))
            })
            .collect())
    }
}

/// Decodes `git cat-file --batch` output (`<id> <type> <size>\n<bytes>\n`, repeated) holding commits.
fn read_commits(mut batch: &[u8]) -> Result<Vec<NewCommit>> {
    let mut commits = Vec::new();
    while !batch.is_empty() {
        let end = batch
            .iter()
            .position(|b| *b == b'\n')
            .context("cannot read git's object listing: a header line is cut short")?;
        let (header, rest) = batch.split_at(end);
        let header = String::from_utf8_lossy(header);
        let mut fields = header.split(' ');
        let (Some(id), Some(kind), Some(size)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(anyhow!("cannot read git's object listing: {header:?}"));
        };
        let size: usize = size
            .parse()
            .map_err(|_| anyhow!("cannot read git's object listing: {header:?}"))?;
        let data = rest
            .get(1..1 + size)
            .with_context(|| format!("cannot read git's object listing: {id} is cut short"))?;
        batch = rest.get(size + 2..).unwrap_or_default();
        if kind != "commit" {
            return Err(anyhow!("{id} is a {kind}, not a commit"));
        }
        let hash = gix::hash::Kind::from_hex_len(id.len()).unwrap_or(gix::hash::Kind::Sha1);
        let decoded = gix::objs::CommitRef::from_bytes(data, hash)
            .with_context(|| format!("cannot decode commit {id}"))?;
        commits.push(NewCommit {
            id: id.to_string(),
            parent_count: decoded.parents.len(),
            message: String::from_utf8_lossy(decoded.message).into_owned(),
        });
    }
    Ok(commits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_object_listings_are_read_by_size_not_by_line() {
        let first = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nwip\n\0\nfake 1\n";
        let second = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 1111111111111111111111111111111111111111\nparent 2222222222222222222222222222222222222222\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nMerge\n";
        let mut batch = Vec::new();
        for (id, data) in [("a".repeat(40), &first[..]), ("b".repeat(40), &second[..])] {
            batch.extend_from_slice(format!("{id} commit {}\n", data.len()).as_bytes());
            batch.extend_from_slice(data);
            batch.push(b'\n');
        }
        let commits = read_commits(&batch).unwrap();
        assert_eq!(commits.len(), 2);
        assert_eq!(commits[0].message, "wip\n\0\nfake 1\n");
        assert_eq!(commits[0].parent_count, 0);
        assert_eq!(commits[1].parent_count, 2);
        assert!(read_commits(&batch[..batch.len() - 5]).is_err());
        assert!(read_commits(b"abc missing\n").is_err());
    }
}
