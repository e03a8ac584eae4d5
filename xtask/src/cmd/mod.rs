//! One module per user-visible command, and the dispatch between them.

mod bump;
mod changelog;
mod check;
mod hook;
mod hooks;
mod release;
mod version;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::ops::repo::Repo;

pub fn dispatch(cli: Cli) -> Result<()> {
    let dir = start_dir(&cli.dir);
    match cli.command {
        Command::Version(args) => version::run(&dir, args),
        Command::Bump(args) => bump::run(&dir, args),
        Command::Check => check::run(&dir),
        Command::Changelog(args) => changelog::run(&dir, args),
        Command::Release(args) => release::run(&dir, args),
        Command::Hooks(args) => hooks::run(&dir, args),
        Command::Hook(args) => hook::run(&dir, args),
    }
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
