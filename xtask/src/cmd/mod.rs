//! One module per user-visible command, and the dispatch between them.

mod backport;
mod branch;
mod bump;
mod changelog;
mod check;
mod deprecations;
mod hook;
mod hooks;
mod init;
mod release;
mod verify;
mod version;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::domain::problem::Problem;
use crate::ops::fs;
use crate::ops::repo::Repo;
use crate::policy::Policy;

pub fn dispatch(cli: Cli) -> Result<()> {
    let dir = start_dir(&cli.dir);
    // Git runs the hooks with GIT_DIR and the like on purpose; every other command works on the repository
    // `-C`/the current directory names, and refuses variables that name another.
    if !matches!(cli.command, Command::Hook(_)) {
        crate::ops::git::check_caller_environment(&dir)?;
    }
    match cli.command {
        Command::Version(args) => version::run(&dir, args),
        Command::Bump(args) => bump::run(&dir, args),
        Command::Check => check::run(&dir),
        Command::Changelog(args) => changelog::run(&dir, args),
        Command::Release(args) => release::run(&dir, args),
        Command::Branch(args) => branch::run(&dir, args),
        Command::Backport(args) => backport::run(&dir, args),
        Command::Deprecations(args) => deprecations::run(&dir, args),
        Command::Hooks(args) => hooks::run(&dir, args),
        Command::Hook(args) => hook::run(&dir, args),
        Command::Init(args) => init::run(&dir, args),
        Command::Verify(args) => verify::run(&dir, args),
    }
}

/// The note that says how to publish what a command made locally: the `git push` command when the remote
/// exists; without it, how to add one first (a `git push origin …` that cannot work helps nobody).
pub fn publish_note(git: &crate::ops::git::Git, remote: &str, push: &str) -> String {
    let known = git.remotes().map(|r| r.iter().any(|name| name == remote));
    match known {
        Ok(false) => format!(
            "to publish: there is no remote named {remote}; add it with `{}`, then run `{push}`",
            crate::domain::shell::join(&["git", "remote", "add", remote, "<URL>"])
        ),
        _ => format!("to publish: {push}"),
    }
}

/// Prints every problem a command's checks found, under "cannot <what>: N problems found, <changed>" ("N
/// problems found" for `check`, which changes nothing anyway), and returns the error that ends the command
/// without printing them again; the problems travel along for `--format json`.
pub fn refuse<P: Into<Problem>>(
    what: Option<&str>,
    changed: Option<&str>,
    problems: impl IntoIterator<Item = P>,
) -> anyhow::Error {
    let problems: Vec<Problem> = problems.into_iter().map(Into::into).collect();
    let count = format!(
        "{} problem{} found",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    let heading = match (what, changed) {
        (Some(what), Some(changed)) => format!("cannot {what}: {count}, {changed}"),
        (Some(what), None) => format!("cannot {what}: {count}"),
        (None, _) => count,
    };
    crate::ops::term::error(&heading);
    for problem in &problems {
        crate::ops::term::item(&problem.to_string());
    }
    let summary = match (what, changed) {
        (Some(what), Some(changed)) => format!("cannot {what}, {changed}"),
        (Some(what), None) => format!("cannot {what}"),
        (None, _) => "problems found".to_string(),
    };
    anyhow::Error::new(crate::error::AlreadyReported)
        .context(crate::error::Refused { summary, problems })
}

/// The directory several `-C` options name, combined as git combines them: each one relative to the one before
/// (`-C a -C b` is `a/b`), an absolute one starting afresh.
fn start_dir(options: &[PathBuf]) -> PathBuf {
    options
        .iter()
        .fold(PathBuf::from("."), |dir, next| dir.join(next))
}

/// A repository with a work tree and its configuration: what most commands start from.
pub struct Project {
    pub repo: Repo,
    pub root: PathBuf,
    pub config: Config,
    /// The configuration's rules, compiled when first asked for ([`Project::policy`]), then kept.
    policy: std::cell::OnceCell<Policy>,
}

impl Project {
    pub fn open(dir: &Path) -> Result<Project> {
        if !fs::is_dir(dir) {
            return Err(crate::error::UsageError(format!(
                "cannot change to {}: no such directory",
                dir.display()
            ))
            .into());
        }
        let repo = Repo::discover(dir)?;
        let root = repo.root()?;
        let config = Config::load(&root)?;
        Ok(Project::new(repo, root, config))
    }

    pub fn new(repo: Repo, root: PathBuf, config: Config) -> Project {
        Project {
            repo,
            root,
            config,
            policy: std::cell::OnceCell::new(),
        }
    }

    /// The rules of this project's configuration (a package's own, for a package's project), compiled once:
    /// the first command step that needs a rule reports the configuration's problems.
    pub fn policy(&self) -> Result<&Policy> {
        if let Some(policy) = self.policy.get() {
            return Ok(policy);
        }
        let policy = Policy::from_config(&self.config)?;
        Ok(self.policy.get_or_init(|| policy))
    }

    /// The tag format alone, for the commands that judge nothing else (`changelog`, `version`): a broken
    /// branch rule, which they do not use, does not stop them. Read by [`Policy`] all the same.
    pub fn tag_format(&self) -> Result<crate::domain::rules::TagFormat> {
        if let Some(policy) = self.policy.get() {
            return Ok(policy.tag_format()?.clone());
        }
        match Policy::tag_format_of(&self.config)? {
            Some(format) => Ok(format),
            // Several packages: the whole policy says so.
            None => Ok(self.policy()?.tag_format()?.clone()),
        }
    }

    /// With `[packages]`: the project as package `name` sees it (its files, tags, changelog and commits);
    /// without `-p`, the only package, or a usage error listing them. `-p` without `[packages]` is a usage
    /// error too; with neither, the project as it is.
    pub fn package(self, name: Option<&str>) -> Result<Project> {
        let names = self.config.package_names();
        let name = match (name, names.as_slice()) {
            (None, []) => return Ok(self),
            (Some(name), []) => {
                return Err(crate::error::UsageError(format!(
                    "-p {name}: xtask.toml has no [packages]: add [packages.<name>] tables, or leave out -p"
                ))
                .into());
            }
            (None, [only]) => only.clone(),
            (None, _) => {
                return Err(crate::error::UsageError(format!(
                    "this repository has several packages: name one with -p ({})",
                    names.join(", ")
                ))
                .into());
            }
            (Some(name), _) => name.to_string(),
        };
        let config = self.config.for_package(&name).ok_or_else(|| {
            crate::error::UsageError(format!(
                "no package {name:?}: xtask.toml has {}",
                names.join(", ")
            ))
        })?;
        Ok(Project::new(self.repo, self.root, config))
    }
}

/// `--pre KIND`, parsed (a usage error names the kinds).
pub fn pre_kind(arg: Option<&str>) -> Result<Option<crate::domain::version::PreKind>> {
    arg.map(str::parse).transpose().map_err(usage)
}

/// A problem with what the command line says: exit 2.
pub fn usage(e: impl std::fmt::Display) -> anyhow::Error {
    crate::error::UsageError(e.to_string()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_c_options_combine_as_in_git() {
        let dirs = |list: &[&str]| start_dir(&list.iter().map(PathBuf::from).collect::<Vec<_>>());
        assert_eq!(dirs(&[]), PathBuf::from("."));
        assert_eq!(dirs(&["a", "b"]), PathBuf::from("./a/b"));
        assert_eq!(dirs(&["a", "/abs", "c"]), PathBuf::from("/abs/c"));
    }
}
