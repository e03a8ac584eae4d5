//! The command line: clap definitions only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "xtask",
    version = crate::kit::VERSION,
    about = "Release automation for git repositories",
    max_term_width = 100,
    after_help = "Examples:\n  cargo xtask check\n  cargo xtask release --dry-run\n  cargo xtask release auto --yes --push"
)]
pub struct Cli {
    /// Run as if started in DIR (like `git -C`; several combine: `-C a -C b` is a/b)
    #[arg(short = 'C', value_name = "DIR", global = true, action = clap::ArgAction::Append)]
    pub dir: Vec<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the current version (from the version files)
    #[command(
        after_help = "Examples:\n  cargo xtask version --all\n  cargo xtask version --next minor --pre rc"
    )]
    Version(VersionArgs),
    /// Rewrite every version file to a new version
    #[command(
        after_help = "Examples:\n  cargo xtask bump patch --dry-run\n  cargo xtask bump 2.0.0"
    )]
    Bump(BumpArgs),
    /// Check the configuration, the version files and the current branch; list every problem
    #[command(after_help = "Example:\n  cargo xtask check")]
    Check,
    /// Draft release notes from the Conventional Commits since the last release
    #[command(
        after_help = "Examples:\n  cargo xtask changelog\n  cargo xtask changelog --write --version 1.4.0\n  cargo xtask changelog --range v1.2.0..v1.3.0"
    )]
    Changelog(ChangelogArgs),
    /// Release: bump, changelog, commit, annotated tag, next development version, push
    #[command(
        after_help = "Examples:\n  cargo xtask release --dry-run\n  cargo xtask release auto --yes --push\n  cargo xtask release --pr minor --yes\n  cargo xtask release --finish --yes"
    )]
    Release(ReleaseArgs),
    /// Cut a release line's branch (stable/X.Y) or the next major's branch
    #[command(
        subcommand,
        after_help = "Examples:\n  cargo xtask branch cut --dry-run\n  cargo xtask branch cut --rc --yes\n  cargo xtask branch next --yes"
    )]
    Branch(BranchCommand),
    /// Cherry-pick commits onto a release line without touching your checkout, or list what it lacks
    Backport(BackportArgs),
    /// List the deprecations announced by `Deprecated:` footers, with their removal windows
    #[command(
        after_help = "Examples:\n  cargo xtask deprecations\n  cargo xtask deprecations --format json"
    )]
    Deprecations(DeprecationsArgs),
    /// Install, remove or inspect the kit's git hooks
    #[command(
        subcommand,
        after_help = "Examples:\n  cargo xtask hooks install\n  cargo xtask hooks status\n  cargo xtask hooks install --server /srv/git/project.git"
    )]
    Hooks(HooksCommand),
    /// Put the kit into a repository (or beside its own xtask): crate, alias, workspace member, xtask.toml
    #[command(
        after_help = "Examples:\n  xtask init ../my-project --dry-run\n  xtask init ../my-project --yes\n  xtask init . --ci github --yes   # and the GitHub Actions workflows"
    )]
    Init(InitArgs),
    /// Judge a range of commits (a push, a pull request) exactly as the server's pre-receive hook would
    #[command(
        after_help = "Without a range, the CI event names it: GITHUB_BASE_REF and GITHUB_HEAD_REF (a pull request), or\nGITHUB_REF and the event's `before` (a push; a release tag moved or deleted is refused); on GitLab CI,\nits CI_MERGE_REQUEST_*, CI_COMMIT_BRANCH and CI_COMMIT_TAG. The rules are the xtask.toml of the range's start.\nExit status: 0 nothing refused, 1 something refused, 2 a usage error.\n\nExamples:\n  cargo xtask verify origin/main..HEAD\n  cargo xtask verify v1.2.0..stable/1.2\n  cargo xtask verify            # in GitHub Actions"
    )]
    Verify(VerifyArgs),
    /// Entry point for the installed git hooks (git calls this)
    #[command(
        hide = true,
        after_help = "Example (git runs this; you do not need to):\n  xtask hook commit-msg .git/COMMIT_EDITMSG"
    )]
    Hook(HookArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// How versions are spelled on the command line's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    /// SemVer 2.0: 1.2.0-rc.1
    Semver,
    /// PEP 440: 1.2.0rc1
    Pep440,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// With [packages] in xtask.toml: the package NAME
    #[arg(long = "package", short = 'p', value_name = "NAME")]
    pub package: Option<String>,
    /// Print every version file and its value; fail if they disagree
    #[arg(long)]
    pub all: bool,
    /// Print the version a bump would give, changing nothing (`auto`, or LEVEL or VERSION as for `bump`)
    #[arg(long, value_name = "LEVEL")]
    pub next: Option<String>,
    /// With --next: start a pre-release of that level (rc, alpha, beta, dev)
    #[arg(long, value_name = "KIND", requires = "next")]
    pub pre: Option<String>,
    /// Print the nightly build's version, X.Y.Z-rc.YYYYMMDD (date: SOURCE_DATE_EPOCH, else today, UTC)
    #[arg(long, conflicts_with_all = ["next", "all", "dev"])]
    pub nightly: bool,
    /// Print a dev build's version, X.Y.Z-dev.N (N: --build, else the commits since the last release tag)
    #[arg(long, conflicts_with_all = ["next", "all"])]
    pub dev: bool,
    /// With --dev: the build number N
    #[arg(long, value_name = "N", requires = "dev")]
    pub build: Option<u64>,
    /// Spell the version in this scheme (default: the first version file's; SemVer for --nightly and --dev)
    #[arg(long, value_enum, conflicts_with = "all")]
    pub scheme: Option<SchemeArg>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["level", "nightly", "dev"]))]
pub struct BumpArgs {
    /// With [packages] in xtask.toml: the package NAME
    #[arg(long = "package", short = 'p', value_name = "NAME")]
    pub package: Option<String>,
    /// major, minor, patch, rc, alpha, beta, dev, release, or an explicit version such as 1.4.0
    pub level: Option<String>,
    /// Start a pre-release of the level (rc, alpha, beta, dev): `minor --pre rc` makes 1.2.0 → 1.3.0-rc.1
    #[arg(long, value_name = "KIND", requires = "level")]
    pub pre: Option<String>,
    /// Write the nightly build's version, X.Y.Z-rc.YYYYMMDD, into every file (for CI, before building)
    #[arg(long, conflicts_with_all = ["level", "dev"])]
    pub nightly: bool,
    /// Write a dev build's version, X.Y.Z-dev.N, into every file (for CI, before building)
    #[arg(long, conflicts_with = "level")]
    pub dev: bool,
    /// With --dev: the build number N (default: the commits since the last release tag)
    #[arg(long, value_name = "N", requires = "dev")]
    pub build: Option<u64>,
    /// Print a unified diff of the changes instead of writing them
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ChangelogArgs {
    /// With [packages] in xtask.toml: the package NAME
    #[arg(long = "package", short = 'p', value_name = "NAME")]
    pub package: Option<String>,
    /// Write the section into the changelog file instead of printing it
    #[arg(long, conflicts_with_all = ["all", "range"])]
    pub write: bool,
    /// The whole history: one section per release tag, newest first
    #[arg(long, conflicts_with = "range")]
    pub all: bool,
    /// Only the commits in A..B (as `git log A..B`)
    #[arg(long, value_name = "A..B")]
    pub range: Option<String>,
    /// Head the section with this version instead of "Unreleased"
    #[arg(long = "version", value_name = "VERSION")]
    pub version: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DeprecationsArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// auto, major, minor, patch, rc, alpha, beta, dev, release, or an explicit version; asked for when omitted
    pub level: Option<String>,
    /// Release this package ([packages.<name>] in xtask.toml); repeatable
    #[arg(long = "package", short = 'p', value_name = "NAME")]
    pub packages: Vec<String>,
    /// Start a pre-release of the level (rc, alpha, beta, dev)
    #[arg(long, value_name = "KIND")]
    pub pre: Option<String>,
    /// Answer every question with its default; never prompt
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the whole plan and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Push the branch and the tag (`git push --atomic`) after releasing
    #[arg(long)]
    pub push: bool,
    /// Do not push, even if release.push is set
    #[arg(long, conflicts_with = "push")]
    pub no_push: bool,
    /// Skip the next development version
    #[arg(long)]
    pub no_dev: bool,
    /// Skip the changelog
    #[arg(long)]
    pub no_changelog: bool,
    /// Release even if the commits call for a higher level than the one chosen, or remove a deprecation
    /// before its window opens
    #[arg(long)]
    pub force: bool,
    /// Release through review: push the release commit to a branch (release.pr_branch) and open a pull
    /// request, or refresh the open one; your checkout and branches are not touched
    #[arg(long, conflicts_with_all = ["push", "no_push", "finish"])]
    pub pr: bool,
    /// After a release pull request was merged (CI runs this on every push): tag its release commit, push
    /// the tag, publish the forge release, make the next development version (release.pr_dev); on any
    /// other push, do nothing
    #[arg(long, conflicts_with_all = ["level", "pre", "push", "no_push", "no_changelog", "force", "packages"])]
    pub finish: bool,
    /// Undo an interrupted release, restoring the repository as it was
    #[arg(long, conflicts_with_all = ["level", "dry_run", "push", "pr", "finish"])]
    pub abort: bool,
    /// Leave the finished journal in place (for `branch cut`, which records it before the run counts as
    /// done)
    #[arg(long, hide = true)]
    pub keep_journal: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository to put the kit into (its work tree's top directory)
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Write without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show what would be written and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Also write the CI files for this forge: verify, the release pull request, its finish, a nightly
    /// (re-runs keep upgrading them while you leave them unchanged)
    #[arg(long, value_name = "FORGE", value_parser = ["github", "gitlab"])]
    pub ci: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum BranchCommand {
    /// Create the release line's branch for the version on the development branch (1.4.0-dev →
    /// stable/1.4) and move the development branch to the next minor's dev version (1.5.0-dev)
    #[command(
        after_help = "Example:\n  cargo xtask branch cut --rc --yes   # stable/1.4, v1.4.0-rc.1 on it, main at 1.5.0-dev"
    )]
    Cut {
        /// Also release X.Y.0-rc.1 on the new branch (without switching your checkout)
        #[arg(long)]
        rc: bool,
        /// Undo a cut that was interrupted (killed): its development commit, release candidate and branch
        #[arg(long, conflicts_with_all = ["rc", "dry_run"])]
        abort: bool,
        /// Print what would be done and change nothing
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Create the branch for the next major's breaking changes (release.next_branch, next/2 on 1.x)
    #[command(
        after_help = "Examples:\n  cargo xtask branch next --dry-run\n  cargo xtask branch next --yes   # next/2 at HEAD"
    )]
    Next {
        /// Print what would be done and change nothing
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Args)]
#[command(
    group = clap::ArgGroup::new("what").required(true).args(["commits", "list", "abort"]),
    after_help = "Examples:\n  cargo xtask backport --list stable/1.4\n  cargo xtask backport 1a2b3c4 --to stable/1.4 --yes"
)]
pub struct BackportArgs {
    /// The commits to cherry-pick (with -x), in this order
    #[arg(requires = "to")]
    pub commits: Vec<String>,
    /// The release line's branch to put them on
    #[arg(long, value_name = "LINE")]
    pub to: Option<String>,
    /// List the fixes on the current branch since LINE was cut that LINE does not have yet
    #[arg(long, value_name = "LINE", conflicts_with_all = ["commits", "to"])]
    pub list: Option<String>,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Give up an interrupted or conflicting backport: remove its temporary worktree (the line is never
    /// moved by it)
    #[arg(long, conflicts_with_all = ["commits", "to", "list"])]
    pub abort: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Install the hooks where git looks for them (core.hooksPath honoured)
    #[command(
        after_help = "Examples:\n  cargo xtask hooks install\n  cargo xtask hooks install --force\n  cargo xtask hooks install --server /srv/git/project.git --update"
    )]
    Install {
        /// Replace foreign hooks instead of chaining them
        #[arg(long)]
        force: bool,
        /// Install the server-side pre-receive hook into this bare repository, with its policy
        #[arg(long, value_name = "BARE_REPO")]
        server: Option<PathBuf>,
        /// With --server: store the policy from this file instead of the default branch's xtask.toml
        #[arg(long, value_name = "FILE", requires = "server")]
        config: Option<PathBuf>,
        /// With --server: replace the stored policy (from the default branch, or --config FILE), showing what changed
        #[arg(long, requires = "server")]
        update: bool,
        /// Install into a hooks directory outside this repository (a global `core.hooksPath`), which every
        /// repository using it then runs
        #[arg(long, conflicts_with = "server")]
        global: bool,
    },
    /// Remove the kit's hooks, restoring any hook they had chained
    #[command(
        after_help = "Examples:\n  cargo xtask hooks uninstall\n  cargo xtask hooks uninstall --server /srv/git/project.git"
    )]
    Uninstall {
        /// Remove the server-side hook from this bare repository
        #[arg(long, value_name = "BARE_REPO")]
        server: Option<PathBuf>,
    },
    /// Say, per hook: ours and current, ours but stale, foreign, or missing; and the server's policy
    #[command(
        after_help = "Examples:\n  cargo xtask hooks status\n  cargo xtask hooks status --server /srv/git/project.git"
    )]
    Status {
        #[arg(long, value_name = "BARE_REPO")]
        server: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The commits to judge, A..B (after A, up to B); default: the CI event's
    pub range: Option<String>,
}

#[derive(Debug, Args)]
pub struct HookArgs {
    /// commit-msg, reference-transaction, pre-push or pre-receive
    pub name: String,
    /// The arguments git passed to the hook
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every command's `--help`, the hidden `hook` and each subcommand's included, ends with examples.
    #[test]
    fn every_help_ends_with_examples() {
        fn walk(command: &mut clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", command.get_name());
            let help = command.render_long_help().to_string();
            let tail: Vec<&str> = help
                .trim_end()
                .lines()
                .rev()
                .take_while(|l| l.starts_with("  "))
                .collect();
            let heading = help.trim_end().lines().rev().nth(tail.len());
            if tail.is_empty() || !heading.is_some_and(|h| h.starts_with("Example")) {
                missing.push(path.clone());
            }
            // clap's own `help` subcommand prints the help of the others.
            for sub in command
                .get_subcommands_mut()
                .filter(|s| s.get_name() != "help")
            {
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&mut Cli::command(), "", &mut missing);
        assert!(
            missing.is_empty(),
            "no examples at the end of --help: {missing:?}"
        );
    }
}
