//! One module per user-visible command, and the dispatch between them.

mod bump;
mod changelog;
mod check;
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
        Command::Hooks(args) => hooks::run(&dir, args),
        Command::Hook(args) => hook::run(&dir, args),
        Command::Init(args) => init::run(&dir, args),
    }
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
