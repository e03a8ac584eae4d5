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
mod version;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::ops::repo::Repo;

pub fn dispatch(cli: Cli) -> Result<()> {
    let dir = cli.dir.clone().unwrap_or_else(|| PathBuf::from("."));
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
    }
}

/// Prints every problem a command's checks found, under "cannot <what>: N problems found, nothing
/// was changed", and returns the error that ends the command without printing it again.
pub fn refuse(what: &str, problems: &[String]) -> anyhow::Error {
    crate::ops::term::error(&format!(
        "cannot {what}: {} problem{} found, nothing was changed",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    ));
    for problem in problems {
        crate::ops::term::section("-", problem);
    }
    crate::AlreadyReported.into()
}

/// A repository with a work tree and its configuration: what most commands start from.
pub struct Project {
    pub repo: Repo,
    pub root: PathBuf,
    pub config: Config,
}

impl Project {
    pub fn open(dir: &Path) -> Result<Project> {
        if !dir.is_dir() {
            return Err(crate::UsageError(format!(
                "cannot change to {}: no such directory",
                dir.display()
            ))
            .into());
        }
        let repo = Repo::discover(dir)?;
        let root = repo.root()?;
        let config = Config::load(&root)?;
        Ok(Project { repo, root, config })
    }
}
