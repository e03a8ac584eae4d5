//! `xtask release`: snapshot → checks and decision (pure) → plan → print it (dry run) or run it with undo.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Result, anyhow};

use super::Project;
use crate::cli::{Format, ReleaseArgs};
use crate::cmd::{pre_kind, usage};
use crate::domain::changelog;
use crate::domain::changelog::Changes;
use crate::domain::release::decide::{self, Choice, Decision, Settings, Snapshot};
use crate::domain::release::steps::{self, ReleasePlan};
use crate::domain::version::{self, Scheme, Version};
use crate::domain::{forge, shell};
use crate::error::{AlreadyReported, UsageError};
use crate::exec;
use crate::notes;
use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;
use crate::ops::repo::ObjectId;
use crate::ops::{prompt, term};
use crate::render::{self, MessageContext, Renderer, SectionContext};
use crate::version_files;

/// Several packages (`[packages]`): the same steps per package, in one commit with one tag each.
mod packages;
/// A release through review: `release --pr` and `release --finish`.
mod review;

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
        let object = serde_json::json!({ "pushed": false, "error": e.to_string() });
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
                problems.extend(unwritable_known_files(&p, &args)?);
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
    if args.dry_run {
        for problem in &problems {
            term::warn(problem);
        }
    } else if !problems.is_empty() {
        return report(&problems);
    }
    if args.dry_run && !args.pr {
        print_plan(&release, args.format == Format::Text, args.level.is_none());
        removable_notes(&release.decision);
        packages::print_post(&steps::post(&release.steps));
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

    let push = steps::push(&release.steps);
    let pushed = match push {
        Some((remote, refspecs)) => match git.push_atomic(remote, refspecs) {
            Ok(()) => {
                term::step(&format!("pushed {} to {remote}", refspecs.join(" ")));
                true
            }
            Err(e)
                if forge::protected_refusal(&format!("{e:#}"))
                    && !args.keep_journal
                    && !detached =>
            {
                term::error(&format!("{e:#}"));
                let level = args.level.as_deref().unwrap_or("auto");
                return Err(take_back_refused(
                    &git,
                    p.repo.git_dir(),
                    &journal,
                    remote,
                    release.branch.as_deref(),
                    &format!("cargo xtask release --pr {level}"),
                ));
            }
            Err(e) => {
                term::error(&format!("{e:#}"));
                term::note(&format!(
                    "the release is complete locally; push it with: {}",
                    push_command(remote, refspecs)
                ));
                packages::skipped_post(&steps::post(&release.steps));
                github_output(&release)?;
                if args.format == Format::Json {
                    let mut object = summary(&release, false);
                    object["error"] = serde_json::Value::String(format!("{e:#}"));
                    term::out(&object.to_string());
                    *json_printed = true;
                }
                return Err(AlreadyReported.into());
            }
        },
        None => false,
    };
    if push.is_none() {
        let refspecs = publish_refspecs(
            release.branch.as_deref(),
            detached.then_some(released_head.as_str()),
            &release.decision.tag,
        );
        term::note(&super::publish_note(
            &git,
            &release.remote,
            &push_command(&release.remote, &refspecs),
        ));
    }
    github_output(&release)?;
    if args.format == Format::Json {
        term::out(&summary(&release, pushed).to_string());
    }
    packages::run_post(&git, &steps::post(&release.steps))
}

/// A push refused because the branch is protected: a protected branch takes changes only through pull
/// requests, so this release can never be pushed as it is. It is taken back with its journal, and the way
/// that works (`retry`) is named.
fn take_back_refused(
    git: &Git,
    git_dir: &Path,
    journal: &exec::Journal,
    remote: &str,
    branch: Option<&str>,
    retry: &str,
) -> anyhow::Error {
    let branch = branch.unwrap_or("the branch");
    match exec::undo_finished(git, git_dir, journal) {
        Ok(done) => anyhow!(
            "{remote} refused the push because {branch} is protected there: {}the repository is as it was \
             before the release; release through a pull request instead: `{retry}`",
            done.summary()
        ),
        Err(undo) => anyhow!(
            "{remote} refused the push because {branch} is protected there, and the local release could not \
             be taken back: {undo:#}"
        ),
    }
}

/// The deprecations whose window this release opens.
fn removable_notes(decision: &Decision) {
    for line in &decision.removable {
        term::note(&format!("may now be removed: {line}"));
    }
}

/// After a release on a detached HEAD, moves the CI's branch from the commit released from to the release's
/// last commit, by compare-and-swap (created when there is no local branch of that name). A branch that moved
/// meanwhile is left alone, with a warning: the release itself is complete.
fn advance_ci_branch(git: &Git, branch: &str, from: &str, to: &str) {
    let name = format!("refs/heads/{branch}");
    let old = match git.ref_value(&name) {
        Ok(Some(value)) if value == from => value,
        Ok(None) => String::new(),
        Ok(Some(value)) => {
            term::warn(&format!(
                "local {branch} is at {}, not at the commit released from: left alone; the release is on the \
                 detached HEAD",
                value.get(..7).unwrap_or(&value)
            ));
            return;
        }
        Err(e) => {
            term::warn(&format!("cannot read local {branch}: {e:#}"));
            return;
        }
    };
    match git.advance_ref(&name, to, &old) {
        Ok(()) => term::step(&format!(
            "moved {branch} to {} (HEAD is detached)",
            to.get(..7).unwrap_or(to)
        )),
        Err(e) => term::warn(&format!(
            "{branch} moved meanwhile, so it was left alone ({e:#}); the release is on the detached HEAD"
        )),
    }
}

/// What the printed publish command pushes: the branch and the tag. On a detached HEAD (`detached_at` the
/// release's last commit) the commit itself goes to the branch, spelled out in full, since a bare `main` would
/// push whatever the local branch holds.
fn publish_refspecs(branch: Option<&str>, detached_at: Option<&str>, tag: &str) -> Vec<String> {
    match (branch, detached_at) {
        (Some(b), Some(commit)) => vec![
            format!("{commit}:refs/heads/{b}"),
            format!("refs/tags/{tag}"),
        ],
        (Some(b), None) => vec![b.to_string(), tag.to_string()],
        (None, _) => vec!["HEAD".to_string(), tag.to_string()],
    }
}

/// `git push --atomic REMOTE REFSPEC…`, quoted for the shell: names are data, whatever they contain.
fn push_command(remote: &str, refspecs: &[String]) -> String {
    let mut words = vec!["git", "push", "--atomic", remote];
    words.extend(refspecs.iter().map(String::as_str));
    shell::join(&words)
}

/// The checks that need the finished plan, all before anything changes: every file the release writes can be
/// written, and, when pushing, the remote has no such tag and its branch is not ahead of HEAD (a push that
/// would be refused after the release is made). A dry run asks no remote.
fn preflight(git: &Git, release: &ReleasePlan, dry_run: bool) -> Vec<String> {
    let mut changes = release.release_files().to_vec();
    changes.extend(
        release
            .dev_files()
            .iter()
            .filter(|c| !release.release_files().iter().any(|r| r.rel == c.rel))
            .cloned(),
    );
    let mut problems = fs::check_writable(&changes);
    if steps::push(&release.steps).is_none() {
        return problems;
    }
    let tag = format!("refs/tags/{}", release.decision.tag);
    let branch = release.branch.as_ref().map(|b| format!("refs/heads/{b}"));
    let mut wanted = vec![tag.clone()];
    wanted.extend(branch.clone());
    if dry_run {
        term::note(&format!(
            "a release would first ask the remote: {}",
            shell::join(
                &[
                    &["git", "ls-remote", "--", release.remote.as_str()][..],
                    &wanted.iter().map(String::as_str).collect::<Vec<_>>()
                ]
                .concat()
            )
        ));
        return problems;
    }
    let remote = &release.remote;
    match git.ls_remote(remote, &wanted) {
        Err(e) => problems.push(format!(
            "push: cannot ask {remote} about its refs ({e:#}): fix the remote, or release with --no-push and push later"
        )),
        Ok(advertised) => {
            if advertised.iter().any(|(name, _)| *name == tag) {
                problems.push(format!(
                    "push: tag {} already exists on {remote}: a push would be refused; pick another version",
                    release.decision.tag
                ));
            }
            if let Some(branch) = &branch
                && let Some((_, id)) = advertised.iter().find(|(name, _)| name == branch)
                && !git.is_ancestor(id, &release.head)
            {
                problems.push(format!(
                    "push: {remote}'s {} is at {}, which HEAD does not contain (the remote is ahead or has \
                     diverged): run `{}` and merge or rebase first",
                    branch.trim_start_matches("refs/heads/"),
                    id.get(..7).unwrap_or(id),
                    shell::join(&["git", "fetch", remote.as_str()])
                ));
            }
        }
    }
    problems
}

/// The release and development commit messages that `commits.conventional = "deny"` refuses (warned about
/// under "warn"), as `check` judges them.
fn message_problems(p: &Project, release: &ReleasePlan) -> Result<Vec<String>> {
    let policy = p.policy()?;
    let mut problems = Vec::new();
    if let Some(message) = release.release_commit() {
        super::check::judge_commit_message(
            &policy.commits,
            "release.commit",
            message,
            &mut problems,
        );
    }
    if let Some(message) = release.dev_commit() {
        super::check::judge_commit_message(
            &policy.commits,
            "release.dev_commit",
            message,
            &mut problems,
        );
    }
    Ok(problems)
}

/// With `release.signers`, whether git will sign the tag with a key the hooks accept (see
/// [`crate::policy::signing_problem`]).
fn signing_problem(p: &Project) -> Result<Option<String>> {
    let Some(signers) = p.policy()?.signers.clone() else {
        return Ok(None);
    };
    let signers_text = fs::read_to_string(p.root.join(&signers)).ok();
    let format = p.repo.config("gpg.format");
    let key = p.repo.config("user.signingKey");
    // The public half: a literal `key::…`, or the file named (`id` or `id.pub`), `~/` being the home.
    let public = key.as_deref().and_then(|key| {
        if let Some(literal) = key.strip_prefix("key::") {
            return Some(literal.to_string());
        }
        let path = match key.strip_prefix("~/") {
            Some(rest) => Path::new(&std::env::var_os("HOME")?).join(rest),
            None => p.root.join(key),
        };
        let text = fs::read_to_string(&path).ok()?;
        if text.contains("PRIVATE KEY") {
            let mut public = path.into_os_string();
            public.push(".pub");
            return fs::read_to_string(public).ok();
        }
        Some(text)
    });
    Ok(crate::policy::signing_problem(
        &signers,
        signers_text.as_deref(),
        format.as_deref(),
        key.as_deref(),
        public.as_deref(),
    ))
}

/// The configured version files and the changelog that cannot be written (see [`fs::check_writable`]).
/// Each problem names the setting that lists the file (`version.files`, `changelog.file`).
fn unwritable_known_files(p: &Project, args: &ReleaseArgs) -> Result<Vec<String>> {
    let rels: Vec<String> = version_files::version_files(&p.config)?
        .into_iter()
        .map(|f| f.path)
        .collect();
    let mut problems: Vec<String> = fs::check_writable_paths(&p.root, &rels)
        .into_iter()
        .map(|problem| format!("version.files: {problem}"))
        .collect();
    if !args.no_changelog {
        let changelog = [p.config.changelog_file().to_string()];
        problems.extend(
            fs::check_writable_paths(&p.root, &changelog)
                .into_iter()
                .map(|problem| format!("changelog.file: {problem}")),
        );
    }
    Ok(problems)
}

/// Runs `release.pre`'s commands; the problems of those that failed.
fn run_pre(git: &Git, commands: &[String]) -> Result<Vec<String>> {
    let mut failed = Vec::new();
    for command in commands {
        term::note(&format!("running `{command}`"));
        if !git.run_check(command)? {
            failed.push(format!(
                "release.pre: `{command}` failed: fix it and release again"
            ));
        }
    }
    Ok(failed)
}

/// What this run fetched into a shallow clone before its checks, if it did: a refusal after that has not
/// left the repository as it was, and says so instead of "nothing was changed".
static FETCHED: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// "nothing was changed", or what was fetched (see [`FETCHED`]).
fn what_changed() -> String {
    match FETCHED.get() {
        Some(fetched) => format!("nothing was changed but the fetch ({fetched})"),
        None => "nothing was changed".to_string(),
    }
}

fn report(problems: &[String]) -> Result<()> {
    Err(refuse_release(problems))
}

/// Prints "cannot release: N problems found, nothing was changed" and the problems; the error that ends the
/// command without printing them again.
pub(super) fn refuse_release(problems: &[String]) -> anyhow::Error {
    let problems = &dedup(problems.to_vec())[..];
    let noun = if problems.len() == 1 {
        "problem"
    } else {
        "problems"
    };
    let changed = what_changed();
    term::error(&format!(
        "cannot release: {} {noun} found, {changed}",
        problems.len()
    ));
    for problem in problems {
        term::item(problem);
    }
    // Printed already; the text travels along for `--format json`.
    anyhow::Error::new(AlreadyReported).context(format!(
        "cannot release, {changed}: {}",
        problems.join("; ")
    ))
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

/// What every package's snapshot shares: read once per command, not once per package.
pub(super) struct Common {
    dirty: Vec<String>,
    tags: Vec<String>,
    /// Every tag, peeled ([`crate::ops::repo::Repo::peeled_tags`]): each package picks its release tags.
    peeled: Vec<crate::ops::repo::ReleaseTag>,
    /// The commit ranges (`prev..x`) the snapshots asked for, in order, each left empty in its snapshot: the
    /// caller reads them all in one walk (see `release_packages::read_commits`).
    deferred: std::cell::RefCell<Vec<(ObjectId, Option<ObjectId>)>>,
    /// Every package's tag format: a package never released is not told that its siblings' tags "look like
    /// releases named another way".
    pub(super) formats: Vec<crate::domain::rules::TagFormat>,
}

impl Common {
    pub(super) fn read(git: &Git, repo: &crate::ops::repo::Repo) -> Result<Common> {
        Ok(Common {
            dirty: git.dirty_files()?,
            tags: all_tags(git)?,
            peeled: repo.peeled_tags()?,
            deferred: Default::default(),
            formats: Vec::new(),
        })
    }

    /// The ranges asked for since the last call: a snapshot's `commits`, then, after a pre-release, its
    /// `commits_since_final` (without it, `commits_since_final` is `commits`).
    pub(super) fn take_deferred(&self) -> Vec<(ObjectId, Option<ObjectId>)> {
        std::mem::take(&mut self.deferred.borrow_mut())
    }
}

/// The commits of a release range ([`notes::in_range`]); with `common`, only noted for one walk later.
fn commits_in(
    common: Option<&Common>,
    repo: &crate::ops::repo::Repo,
    x: ObjectId,
    prev: Option<ObjectId>,
    kit: &[regex::Regex],
) -> Result<Vec<crate::domain::changelog::CommitInfo>> {
    match common {
        Some(common) => {
            common.deferred.borrow_mut().push((x, prev));
            Ok(Vec::new())
        }
        None => notes::in_range(repo, x, prev, kit),
    }
}

/// Reads everything the checks need; changes nothing (with `dry_run`, not even a shallow clone's fetch).
pub(super) fn snapshot(
    p: &Project,
    git: &Git,
    force: bool,
    dry_run: bool,
) -> Result<(Snapshot, Settings)> {
    snapshot_with(p, git, force, dry_run, None)
}

/// [`snapshot`] with the facts every package shares already read (`None`: read them here). With them, the
/// snapshot's commits are left empty and their ranges noted in `common`, for one walk of all packages.
pub(super) fn snapshot_with(
    p: &Project,
    git: &Git,
    force: bool,
    dry_run: bool,
    common: Option<&Common>,
) -> Result<(Snapshot, Settings)> {
    let config = &p.config;
    let policy = p.policy()?;
    let tag_format = policy.tag_format()?.clone();
    let files = version_files::version_files(config)?;
    if p.repo.is_shallow() {
        deepen(p, git, dry_run)?;
    }
    let head = p.repo.head()?;
    let branch = head.branch.clone().or_else(|| ci_branch(p, head.commit));
    let current = match version_files::current_version(&p.root, &files) {
        Ok((v, _)) => Ok(v),
        Err(e) => Err(format!("{e:#}")),
    };
    // When the files disagree, the first (authoritative) file's version lets the other checks run too.
    let first_file = match (&current, files.first()) {
        (Err(_), Some(first)) => version_files::read_file(&p.root, &first.path)
            .and_then(|text| version_files::read_text(first, &text))
            .ok()
            .map(|r| r.parsed),
        _ => None,
    };
    let (last_release, last_final, commits, commits_since_final, tags) = match head.commit {
        Some(commit) => {
            // Which commits a release is about: one definition (domain::release::commits), shared with
            // `changelog` and `version --next`.
            let tags = match common {
                Some(common) => crate::ops::repo::release_tags_among(&common.peeled, &tag_format),
                None => p.repo.release_tags(&tag_format)?,
            };
            let branch_version = current.as_ref().ok().or(first_file.as_ref());
            let kit = notes::options(config)?.skip_subjects;
            let last = notes::base(&p.repo, &tags, commit, branch_version, false)?;
            if last.is_none() {
                let others = common.map_or(&[][..], |common| common.formats.as_slice());
                notes::warn_without_release_among(&p.repo, &tag_format, others)?;
            }
            let commits = commits_in(
                common,
                &p.repo,
                commit,
                last.as_ref().map(|t| t.commit),
                &kit,
            )?;
            // After a pre-release, a final release reaches back to the last final one.
            let (last_final, commits_since_final) = match &last {
                Some(tag) if !tag.version.is_final() => {
                    let last_final = notes::base(&p.repo, &tags, commit, branch_version, true)?;
                    let since = commits_in(
                        common,
                        &p.repo,
                        commit,
                        last_final.as_ref().map(|t| t.commit),
                        &kit,
                    )?;
                    (last_final, since)
                }
                _ => (last.clone(), commits.clone()),
            };
            (
                last.map(|t| (t.name, t.version)),
                last_final.map(|t| (t.name, t.version)),
                commits,
                commits_since_final,
                match common {
                    // A sibling package's tags are not this package's releases (nor its releases
                    // named another way).
                    Some(common) => common
                        .tags
                        .iter()
                        .filter(|tag| {
                            tag_format.version_of(tag).is_some()
                                || !common.formats.iter().any(|f| f.version_of(tag).is_some())
                        })
                        .cloned()
                        .collect(),
                    None => all_tags(git)?,
                },
            )
        }
        None => (None, None, Vec::new(), Vec::new(), Vec::new()),
    };
    let identity = match (p.repo.config("user.name"), p.repo.config("user.email")) {
        (Some(name), Some(email)) if !name.is_empty() && !email.is_empty() => Some((name, email)),
        _ => None,
    };
    let snapshot = Snapshot {
        head: head.commit.map(|c| c.to_string()),
        branch,
        dirty: match common {
            Some(common) => common.dirty.clone(),
            None => git.dirty_files()?,
        },
        current,
        first_file,
        last_release,
        last_final,
        tags,
        commits,
        commits_since_final,
        identity,
        deprecations: Vec::new(),
    };
    let settings = Settings {
        branches: policy.release_branches.clone(),
        maintainers: policy.maintainers.clone(),
        tag_format,
        file_schemes: files.iter().map(|f| (f.path.clone(), f.scheme)).collect(),
        line: Some(policy.line_branch.clone()),
        force,
        dry_run,
        deprecation: policy.deprecation,
        patch_types: policy.commits.patch_types.clone(),
    };
    Ok((snapshot, settings))
}

fn all_tags(git: &Git) -> Result<Vec<String>> {
    Ok(git
        .raw(&["tag", "--list"])?
        .lines()
        .map(str::to_string)
        .collect())
}

/// On a detached HEAD in CI, the branch named by the CI's environment, if that branch is at HEAD.
pub(super) fn ci_branch(p: &Project, head: Option<crate::ops::repo::ObjectId>) -> Option<String> {
    let head = head?;
    [
        "GITHUB_REF_NAME",
        "CI_COMMIT_BRANCH",
        "BUILDKITE_BRANCH",
        "CIRCLE_BRANCH",
        "BRANCH_NAME",
    ]
    .iter()
    .find_map(|var| {
        let name = std::env::var(var).ok().filter(|n| !n.is_empty())?;
        let at_head = [
            format!("refs/heads/{name}"),
            format!("refs/remotes/origin/{name}"),
        ]
        .iter()
        .any(|r| p.repo.resolve(r).ok() == Some(head));
        at_head.then_some(name)
    })
}

/// A shallow clone hides the history since the last release: fetch it back to the last release tag when a
/// remote answers, or say exactly what to run. A dry run changes nothing, so it fetches nothing either: it
/// says what a release would fetch, and that its plan may be missing commits.
fn deepen(p: &Project, git: &Git, dry_run: bool) -> Result<()> {
    let remote = p.config.remote().to_string();
    let quoted = shell::quote(&remote);
    let command = format!("git fetch --tags --unshallow {quoted}");
    if dry_run {
        term::warn(&format!(
            "shallow clone: this dry run fetches nothing, so the changelog and level below may miss commits; \
             a release would run `git fetch --tags --depth=1 {quoted}` and then \
             `git fetch --shallow-exclude=<newest release tag> {quoted}` (or `{command}`)"
        ));
        return Ok(());
    }
    if git.remotes()?.contains(&remote) {
        term::note(&format!(
            "shallow clone: fetching the history and tags from {remote}"
        ));
        // Release tags first, so we can deepen only back to the newest of them.
        let _ = git.fetch(&["--tags", "--depth=1", &remote]);
        let tags = p.repo.release_tags(p.policy()?.tag_format()?)?;
        let newest = tags
            .iter()
            .max_by(|a, b| version::release_cmp(&a.version, &b.version));
        let (fetched, what) = match newest {
            Some(tag) => (
                git.fetch(&[&format!("--shallow-exclude={}", tag.name), &remote]),
                format!(
                    "the tags and the history back to {} from {remote}",
                    tag.name
                ),
            ),
            None => (
                git.fetch(&["--unshallow", &remote]),
                format!("the tags and the whole history from {remote}"),
            ),
        };
        if fetched.is_ok() {
            let _ = FETCHED.set(format!("fetched {what}, as `git fetch` would"));
            return Ok(());
        }
    }
    Err(anyhow!(
        "this is a shallow clone, so the commits since the last release are not all here and the changelog and \
         version level would be wrong: run `{command}` (in GitHub Actions: actions/checkout with fetch-depth: 0)"
    ))
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
        .map_err(|problems| problems.join("; ").replace('\n', " "))
}

/// `problems` without repetitions, in their first order: two checks may find the same thing (a version
/// file that leads out of the work tree can be neither read nor written), and one problem may list
/// several lines of which another is one.
fn dedup(problems: Vec<String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for problem in problems {
        let known = seen
            .iter()
            .any(|p| *p == problem || p.lines().any(|line| line == problem));
        if !known {
            seen.push(problem);
        }
    }
    seen
}

/// How the project spells versions: the tags' scheme (`tag.scheme`, else the first file's).
fn snapshot_scheme(p: &Project) -> Result<Scheme> {
    Ok(p.policy()?.tag_format()?.scheme())
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

/// The plan is a dry run's data: stdout, unless `--format json` makes the JSON summary the data (then the
/// plan is progress, on stderr). `implicit_auto`: no level was given, so the plan is `auto`'s (said).
fn print_plan(release: &ReleasePlan, to_stdout: bool, implicit_auto: bool) {
    let emit = |title: &str, body: &str| {
        if to_stdout {
            term::data_section(title, body)
        } else {
            term::section(title, body)
        }
    };
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
        .release_files()
        .iter()
        .filter(|c| Some(&c.rel) != release.changelog.as_ref().map(|c| &c.0))
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

fn summary(release: &ReleasePlan, pushed: bool) -> serde_json::Value {
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
fn github_output(release: &ReleasePlan) -> Result<()> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut file = fs::open_append(&path).map_err(|e| {
        anyhow!(
            "GITHUB_OUTPUT: cannot open {}: {e}",
            Path::new(&path).display()
        )
    })?;
    writeln!(
        file,
        "version={}\ntag={}",
        release.spell(&release.decision.version),
        release.decision.tag
    )?;
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
