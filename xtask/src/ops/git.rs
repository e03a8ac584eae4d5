//! Git writes (and the reads only the command line answers well) through the `git` command, so that the
//! user's hooks, signing and configuration apply exactly as when they type the commands themselves.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, anyhow};
use xshell::{Cmd, Shell, cmd};

/// The variables with which a caller (a hook, a wrapper) points git at a repository, index or work tree.
pub const CALLER_REPOSITORY_VARIABLES: [&str; 4] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
];

/// Set once [`check_caller_environment`] has found those variables consistent with the repository `-C` or the
/// current directory names: from then on the kit's git processes (and the kit's own runs in other worktrees)
/// find the repository from their directory alone, as the kit's own reads do. Hook entry points never set it:
/// git runs them with those variables on purpose.
static ONE_REPOSITORY: AtomicBool = AtomicBool::new(false);

/// `command` without the caller's repository variables, once they were checked.
fn scrubbed(mut command: Cmd<'_>) -> Cmd<'_> {
    if ONE_REPOSITORY.load(Ordering::Relaxed) {
        for name in CALLER_REPOSITORY_VARIABLES {
            command = command.env_remove(name);
        }
    }
    command
}

/// The same, for a process started without xshell.
pub fn scrub_command(command: &mut std::process::Command) {
    if ONE_REPOSITORY.load(Ordering::Relaxed) {
        for name in CALLER_REPOSITORY_VARIABLES {
            command.env_remove(name);
        }
    }
}

/// The repository is the one `-C`/the current directory (`dir`) names. `GIT_DIR`, `GIT_WORK_TREE`,
/// `GIT_INDEX_FILE` or `GIT_COMMON_DIR` set by the caller (relative ones read from `dir`, as `git -C` reads
/// them) must name that repository's own git directory, work tree, index and common directory; any other
/// value is refused, naming the variable, before anything is read or changed. Once checked, they are left out
/// of every git process the kit starts. Outside a repository there is nothing to compare: the command says so
/// itself.
pub fn check_caller_environment(dir: &Path) -> Result<()> {
    let set: Vec<(&str, std::ffi::OsString)> = CALLER_REPOSITORY_VARIABLES
        .iter()
        .filter_map(|name| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(|v| (*name, v))
        })
        .collect();
    if !set.is_empty() {
        let sh = Shell::new()?;
        sh.change_dir(dir);
        let mut found = cmd!(
            sh,
            "git rev-parse --path-format=absolute --absolute-git-dir --git-common-dir --show-toplevel"
        )
        .quiet()
        .ignore_stderr();
        for name in CALLER_REPOSITORY_VARIABLES {
            found = found.env_remove(name);
        }
        if let Ok(text) = found.read() {
            let mut lines = text.lines().map(PathBuf::from);
            let git_dir = lines.next().unwrap_or_default();
            let common = lines.next().unwrap_or_default();
            let top = lines.next();
            let canonical = |p: &Path| crate::ops::fs::canonical_or_same(&dir.join(p));
            for (name, value) in &set {
                let expected = match *name {
                    "GIT_DIR" => Some(git_dir.clone()),
                    "GIT_COMMON_DIR" => Some(common.clone()),
                    "GIT_INDEX_FILE" => Some(git_dir.join("index")),
                    _ => top.clone(),
                };
                let agrees = expected
                    .as_deref()
                    .is_some_and(|e| canonical(Path::new(value)) == canonical(e));
                if !agrees {
                    return Err(anyhow!(
                        "{name} is set to {} (by a git hook or a wrapper script?), which is not the {} of the \
                         repository at {}, the one -C or the current directory names: the kit works on that \
                         one repository only, so nothing was read or changed; unset it (e.g. `env -u {name} \
                         cargo xtask …`) or run the kit for the repository it names",
                        Path::new(value).display(),
                        match *name {
                            "GIT_DIR" => "git directory",
                            "GIT_COMMON_DIR" => "common git directory",
                            "GIT_INDEX_FILE" => "index",
                            _ => "work tree",
                        },
                        dir.display()
                    ));
                }
            }
        }
    }
    ONE_REPOSITORY.store(true, Ordering::Relaxed);
    Ok(())
}

/// Where git keeps the hooks of the repository at `dir`, its common git directory and whether it is bare:
/// the three lines `git rev-parse --path-format=absolute --git-path hooks --git-common-dir
/// --is-bare-repository` prints (honouring `core.hooksPath`, linked worktrees and submodules); `None` when
/// git fails there (not a repository).
pub fn hook_locations(dir: &Path) -> Result<Option<String>> {
    let sh = Shell::new()?;
    sh.change_dir(dir);
    let output = scrubbed(cmd!(
        sh,
        "git rev-parse --path-format=absolute --git-path hooks --git-common-dir --is-bare-repository"
    ))
    .quiet()
    .ignore_status()
    .output()
    .map_err(|e| anyhow!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Ok(None);
    }
    // A repository all the same: say what is wrong with it rather than "not a repository".
    match String::from_utf8(output.stdout) {
        Ok(text) => Ok(Some(text.trim_end().to_string())),
        Err(_) => Err(anyhow!(
            "{} is a git repository, but its path is not valid UTF-8, and the hooks name the kit's binary by \
             its path: move or link the repository to a UTF-8 path to install them; nothing was installed",
            dir.display()
        )),
    }
}

/// Why git refuses to work at `dir` although a repository is there, if it does: one owned by another user
/// (`safe.directory`). `None` for anything else (no repository there at all, say).
pub fn refusal(dir: &Path) -> Option<String> {
    let sh = Shell::new().ok()?;
    sh.change_dir(dir);
    let output = scrubbed(cmd!(sh, "git rev-parse --git-dir"))
        .quiet()
        .ignore_status()
        .output()
        .ok()?;
    let said = String::from_utf8_lossy(&output.stderr);
    (!output.status.success() && said.contains("dubious ownership")).then(|| {
        format!(
            "the git repository at {} belongs to another user, and git refuses to work in it (its \
             safe.directory check): if you trust it, run `git config --global --add safe.directory {}`; \
             nothing was changed",
            dir.display(),
            crate::domain::shell::quote(&fs_display(dir))
        )
    })
}

fn fs_display(dir: &Path) -> String {
    crate::ops::fs::canonical_or_same(dir)
        .to_string_lossy()
        .into_owned()
}

/// The object format of the repository at `dir` (`sha1`, `sha256`), as git says; `None` outside one.
pub fn object_format(dir: &Path) -> Option<String> {
    let sh = Shell::new().ok()?;
    sh.change_dir(dir);
    scrubbed(cmd!(sh, "git rev-parse --show-object-format"))
        .quiet()
        .ignore_stderr()
        .read()
        .ok()
        .map(|f| f.trim().to_string())
}

pub struct Git {
    sh: Shell,
    root: PathBuf,
}

impl Git {
    pub fn new(root: &Path) -> Result<Git> {
        let sh = Shell::new()?;
        sh.change_dir(root);
        Ok(Git {
            sh,
            root: root.to_path_buf(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs git, returning stdout; a failure carries git's own message.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Result<String> {
        self.run_with_index(args, stdin, None)
    }

    /// [`Git::run`], with `GIT_INDEX_FILE` naming `index` when given (a temporary index of the kit's own).
    fn run_with_index(
        &self,
        args: &[&str],
        stdin: Option<&str>,
        index: Option<&Path>,
    ) -> Result<String> {
        let mut command = scrubbed(cmd!(self.sh, "git {args...}"))
            .quiet()
            .ignore_status();
        if let Some(index) = index {
            command = command.env("GIT_INDEX_FILE", index);
        }
        if let Some(input) = stdin {
            command = command.stdin(input);
        }
        let output = command
            .output()
            .map_err(|e| anyhow!("cannot run git: {e}"))?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            let stderr = String::from_utf8_lossy(&output.stderr);
            if stderr.contains("dubious ownership")
                && let Some(why) = refusal(&self.root)
            {
                return Err(anyhow!("{why}"));
            }
            let stdout = String::from_utf8_lossy(&output.stdout);
            let said = [stderr.trim(), stdout.trim()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            Err(anyhow!("`git {}` failed:\n{said}", args.join(" ")))
        }
    }

    /// Tracked files with staged or unstaged changes (untracked files are not listed).
    pub fn dirty_files(&self) -> Result<Vec<String>> {
        let out = self.run(
            &["status", "--porcelain=v1", "-z", "--untracked-files=no"],
            None,
        )?;
        Ok(out
            .split('\0')
            .filter(|e| e.len() > 3)
            .map(|e| e[3..].to_string())
            .collect())
    }

    /// Whether a path is tracked in the index.
    pub fn is_tracked(&self, rel: &str) -> Result<bool> {
        Ok(!self.run(&["ls-files", "--", rel], None)?.trim().is_empty())
    }

    pub fn add(&self, paths: &[String]) -> Result<()> {
        let mut args = vec!["add", "--"];
        args.extend(paths.iter().map(String::as_str));
        self.run(&args, None).map(drop)
    }

    /// Commits the index with `message`; the user's hooks run. Returns the new commit's id.
    pub fn commit(&self, message: &str) -> Result<String> {
        self.run(
            &["commit", "--quiet", "--file=-", "--cleanup=whitespace"],
            Some(message),
        )?;
        self.head_id()
    }

    pub fn head_id(&self) -> Result<String> {
        Ok(self
            .run(&["rev-parse", "--verify", "HEAD"], None)?
            .trim()
            .to_string())
    }

    /// With `SOURCE_DATE_EPOCH` set (it dates the release's changelog section), git's committer date for
    /// as long as the guard lives: a release's tag then carries the same date, so that `changelog
    /// --version` later prints it. A `GIT_COMMITTER_DATE` the caller set wins.
    fn dated_as_release(&self) -> Option<xshell::PushEnv<'_>> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(seconds)
                if !seconds.is_empty()
                    && seconds.bytes().all(|b| b.is_ascii_digit())
                    && std::env::var_os("GIT_COMMITTER_DATE").is_none() =>
            {
                Some(
                    self.sh
                        .push_env("GIT_COMMITTER_DATE", format!("{seconds} +0000")),
                )
            }
            _ => None,
        }
    }

    pub fn tag_annotated(&self, name: &str, message: &str, sign: bool) -> Result<()> {
        let kind = if sign { "--sign" } else { "--annotate" };
        // A release has one date (see `dated_as_release`).
        let _dated = self.dated_as_release();
        // Whitespace cleanup keeps Markdown headings (`#`), which the default cleanup would strip as comments.
        self.run(
            &["tag", kind, "--cleanup=whitespace", "--file=-", name],
            Some(message),
        )
        .map(drop)
    }

    /// A signed annotated tag `name` on `target` (git signs only through `git tag`, which writes the ref).
    pub fn tag_signed_at(&self, name: &str, target: &str, message: &str) -> Result<()> {
        let _dated = self.dated_as_release();
        self.run(
            &[
                "tag",
                "--sign",
                "--cleanup=whitespace",
                "--file=-",
                name,
                target,
            ],
            Some(message),
        )
        .map(drop)
    }

    /// Whether git would sign an annotated tag here without being asked (`tag.gpgSign`,
    /// `tag.forceSignAnnotated`).
    pub fn signs_tags(&self) -> bool {
        ["tag.gpgSign", "tag.forceSignAnnotated"].iter().any(|key| {
            self.run(&["config", "--type=bool", "--get", key], None)
                .is_ok_and(|v| v.trim() == "true")
        })
    }

    /// `text` cleaned up as `--cleanup=whitespace` does (`git stripspace`): what a commit or tag made from it
    /// holds as its message.
    pub fn stripspace(&self, text: &str) -> Result<String> {
        self.run(&["stripspace"], Some(text))
    }

    /// Writes an annotated tag object for `target` (a commit) named `name`, with the committer's identity and
    /// `message` cleaned up as `git tag --cleanup=whitespace` does, and returns its id; no ref is written, so
    /// the caller can record the id before the tag exists.
    pub fn make_tag_object(&self, name: &str, target: &str, message: &str) -> Result<String> {
        // The tagger's date is the release's (see `dated_as_release`).
        let tagger = {
            let _dated = self.dated_as_release();
            self.run(&["var", "GIT_COMMITTER_IDENT"], None)?
        };
        let body = self.stripspace(message)?;
        let object = format!(
            "object {target}\ntype commit\ntag {name}\ntagger {}\n\n{body}",
            tagger.trim_end()
        );
        Ok(self.run(&["mktag"], Some(&object))?.trim().to_string())
    }

    /// The tree the index would commit (`git write-tree`).
    pub fn index_tree(&self) -> Result<String> {
        Ok(self.run(&["write-tree"], None)?.trim().to_string())
    }

    /// The message of a commit or tag object (everything after its headers; a signed tag's signature
    /// included), or `None` when there is no such object.
    pub fn object_message(&self, id: &str) -> Option<String> {
        let kind = self.run(&["cat-file", "-t", id], None).ok()?;
        let text = self.run(&["cat-file", kind.trim(), id], None).ok()?;
        Some(
            text.split_once("\n\n")
                .map(|(_, body)| body.to_string())
                .unwrap_or_default(),
        )
    }

    /// The worktrees other than this one that have `branch` (`refs/heads/…`) checked out.
    pub fn checked_out_elsewhere(&self, branch: &str) -> Result<Vec<PathBuf>> {
        let here = crate::ops::fs::canonical_or_same(&self.root);
        Ok(self
            .checked_out_branches()?
            .into_iter()
            .filter(|(b, path)| b == branch && crate::ops::fs::canonical_or_same(path) != here)
            .map(|(_, path)| path)
            .collect())
    }

    /// The object a ref holds, or `None` if it does not exist.
    pub fn ref_value(&self, name: &str) -> Result<Option<String>> {
        let out = self.run(&["for-each-ref", "--format=%(objectname)", name], None)?;
        Ok(out.lines().next().map(str::to_string))
    }

    /// The commit a ref peels to (a tag's commit), or `None`.
    pub fn peeled(&self, name: &str) -> Option<String> {
        self.run(
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{name}^{{commit}}"),
            ],
            None,
        )
        .ok()
        .map(|s| s.trim().to_string())
    }

    /// The branch HEAD is on (`refs/heads/…`), or `None` when it is detached.
    pub fn head_ref(&self) -> Result<Option<String>> {
        Ok(self
            .run(&["symbolic-ref", "--quiet", "HEAD"], None)
            .ok()
            .map(|s| s.trim().to_string()))
    }

    /// Compare-and-swap: sets `name` to `new` only if it still holds `old` (`HEAD` itself is never followed to
    /// its branch here; name the branch).
    pub fn update_ref(&self, name: &str, new: &str, old: &str) -> Result<()> {
        self.run(
            &[
                "update-ref",
                "--no-deref",
                "-m",
                "xtask release: undo",
                name,
                new,
                old,
            ],
            None,
        )
        .map(drop)
    }

    /// Compare-and-swap delete: removes `name` only if it still holds `old`.
    pub fn delete_ref(&self, name: &str, old: &str) -> Result<()> {
        self.run(&["update-ref", "--no-deref", "-d", name, old], None)
            .map(drop)
    }

    /// Makes the index entries of `paths` match `commit`; HEAD, other entries and the work tree are left alone.
    pub fn reset_paths(&self, commit: &str, paths: &[String]) -> Result<()> {
        let mut args = vec!["reset", "--quiet", commit, "--"];
        args.extend(paths.iter().map(String::as_str));
        self.run(&args, None).map(drop)
    }

    /// `git ls-remote` of the given refs: `(ref, object)` pairs the remote advertises.
    pub fn ls_remote(&self, remote: &str, refs: &[String]) -> Result<Vec<(String, String)>> {
        let mut args = vec!["ls-remote", "--", remote];
        args.extend(refs.iter().map(String::as_str));
        Ok(self
            .run(&args, None)?
            .lines()
            .filter_map(|l| {
                let (id, name) = l.split_once('\t')?;
                Some((name.to_string(), id.to_string()))
            })
            .collect())
    }

    /// Whether `ancestor` is an ancestor of (or equal to) `commit`; `false` also when git does not know it.
    pub fn is_ancestor(&self, ancestor: &str, commit: &str) -> bool {
        self.run(&["merge-base", "--is-ancestor", ancestor, commit], None)
            .is_ok()
    }

    /// Runs a command with a shell, reporting its exit status. Its output is progress, not the kit's data: both
    /// its streams go to stderr, so `--format json` keeps stdout parseable.
    pub fn run_check(&self, command: &str) -> Result<bool> {
        let mut shell = std::process::Command::new("sh");
        scrub_command(&mut shell);
        let output = shell
            .arg("-c")
            .arg(command)
            .current_dir(&self.root)
            .stdout(std::process::Stdio::from(std::io::stderr()))
            .status()
            .map_err(|e| anyhow!("cannot run `{command}`: {e}"))?;
        Ok(output.success())
    }

    pub fn push_atomic(&self, remote: &str, refspecs: &[String]) -> Result<()> {
        let mut args = vec!["push", "--atomic", remote];
        args.extend(refspecs.iter().map(String::as_str));
        self.run(&args, None).map(drop)
    }

    pub fn fetch(&self, args: &[&str]) -> Result<()> {
        let mut all = vec!["fetch", "--quiet"];
        all.extend_from_slice(args);
        self.run(&all, None).map(drop)
    }

    pub fn remotes(&self) -> Result<Vec<String>> {
        Ok(self
            .run(&["remote"], None)?
            .lines()
            .map(str::to_string)
            .collect())
    }

    /// Creates `name` (a full ref) at `at` only if it does not exist yet (compare-and-swap against
    /// "absent"), through `update-ref`, so the user's reference-transaction hook judges it.
    pub fn create_ref(&self, name: &str, at: &str, reason: &str) -> Result<()> {
        self.run(
            &["update-ref", "--no-deref", "-m", reason, name, at, ""],
            None,
        )
        .map(drop)
    }

    /// The best common ancestor of `a` and `b`, or `None` when they share no history.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>> {
        Ok(self
            .run(&["merge-base", a, b], None)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()))
    }

    /// The commits in `limit..head` whose patch `upstream` already has (`git cherry`, which
    /// compares patch ids): the full ids of those marked `-`.
    pub fn equivalent_patches(
        &self,
        upstream: &str,
        head: &str,
        limit: &str,
    ) -> Result<Vec<String>> {
        Ok(self
            .run(&["cherry", upstream, head, limit], None)?
            .lines()
            .filter_map(|line| line.strip_prefix("- "))
            .map(|id| id.trim().to_string())
            .collect())
    }

    /// A new linked worktree at `path` with `rev` checked out detached; the user's own checkout
    /// is not touched.
    pub fn worktree_add_detached(&self, path: &Path, rev: &str) -> Result<()> {
        let path = path.to_string_lossy();
        self.run(
            &["worktree", "add", "--quiet", "--detach", "--", &path, rev],
            None,
        )
        .map(drop)
    }

    /// A new linked worktree at `path` with `branch` checked out (it must not be checked out
    /// anywhere else); commits made there move the branch.
    pub fn worktree_add(&self, path: &Path, branch: &str) -> Result<()> {
        let path = path.to_string_lossy();
        self.run(&["worktree", "add", "--quiet", "--", &path, branch], None)
            .map(drop)
    }

    /// Removes a linked worktree the kit made, even one left locked by a `git worktree add` that was killed
    /// half-way (`--force` twice; only for the kit's own temporary worktrees).
    pub fn worktree_remove_locked(&self, path: &Path) -> Result<()> {
        let path = path.to_string_lossy();
        self.run(
            &["worktree", "remove", "--force", "--force", "--", &path],
            None,
        )
        .map(drop)
    }

    /// [`Git::worktree_remove_locked`] as a command the user can run, for the messages that ask them to.
    pub fn worktree_remove_command(path: &Path) -> String {
        crate::domain::shell::join(&[
            "git",
            "worktree",
            "remove",
            "--force",
            "--force",
            &path.to_string_lossy(),
        ])
    }

    /// Whether git has a worktree registered at `path` (compared after resolving links).
    pub fn worktree_registered(&self, path: &Path) -> Result<bool> {
        let wanted = crate::ops::fs::canonical_or_same(path);
        let out = self.run(&["worktree", "list", "--porcelain"], None)?;
        Ok(out
            .lines()
            .filter_map(|l| l.strip_prefix("worktree "))
            .any(|p| crate::ops::fs::canonical_or_same(Path::new(p)) == wanted))
    }

    /// The git directory of the work tree at `dir` (a linked worktree's own, under `.git/worktrees/`).
    pub fn git_dir_of(dir: &Path) -> Result<PathBuf> {
        let git = Git::new(dir)?;
        Ok(PathBuf::from(
            git.run(&["rev-parse", "--absolute-git-dir"], None)?.trim(),
        ))
    }

    /// The branches checked out in any worktree (`refs/heads/…`), with the worktree's path.
    pub fn checked_out_branches(&self) -> Result<Vec<(String, PathBuf)>> {
        let out = self.run(&["worktree", "list", "--porcelain"], None)?;
        let mut found = Vec::new();
        let mut path = None;
        for line in out.lines() {
            if let Some(p) = line.strip_prefix("worktree ") {
                path = Some(PathBuf::from(p));
            } else if let (Some(branch), Some(p)) = (line.strip_prefix("branch "), &path) {
                found.push((branch.to_string(), p.clone()));
            }
        }
        Ok(found)
    }

    /// `git cherry-pick -x` of one commit in this work tree; the error carries git's message.
    pub fn cherry_pick(&self, commit: &str) -> Result<()> {
        self.run(
            &["cherry-pick", "-x", "--allow-empty-message", commit],
            None,
        )
        .map(drop)
    }

    /// The files each commit reachable from `head` but not from `hide` changed, by full commit id (one
    /// `git log --name-only`; renames count as both paths; merge commits list none). With `within` (folders
    /// or files), only the commits that change something there, and only those files: git narrows the
    /// walk by path, which is much cheaper than listing every file of every commit.
    pub fn changed_paths(
        &self,
        head: &str,
        hide: Option<&str>,
        within: &[String],
    ) -> Result<std::collections::HashMap<String, Vec<String>>> {
        let exclude = hide.map(|h| format!("^{h}"));
        // `log.follow` would turn a single path into `--follow`, which follows one file's renames.
        let mut args = vec![
            "-c",
            "log.follow=false",
            "log",
            "--no-renames",
            "--name-only",
            "-z",
            "--format=%x01%H",
            head,
        ];
        args.extend(exclude.as_deref());
        // Every commit that changes a path, not only those git's default simplification keeps.
        if !within.is_empty() {
            args.push("--full-history");
        }
        args.push("--");
        let literal: Vec<String> = within.iter().map(|p| format!(":(literal){p}")).collect();
        args.extend(literal.iter().map(String::as_str));
        let output = self.raw_bytes(&args, b"")?;
        let mut changed = std::collections::HashMap::new();
        let mut current: Option<String> = None;
        for token in output.split(|b| *b == 0) {
            let token = String::from_utf8_lossy(token);
            let token = token.trim_start_matches('\n');
            if let Some(id) = token.strip_prefix('\u{1}') {
                current = Some(id.to_string());
                changed.entry(id.to_string()).or_insert_with(Vec::new);
            } else if let Some(id) = &current
                && !token.is_empty()
            {
                changed
                    .entry(id.clone())
                    .or_insert_with(Vec::new)
                    .push(token.to_string());
            }
        }
        Ok(changed)
    }

    /// Runs git with the given arguments (for the few one-off reads and writes the commands need).
    pub fn raw(&self, args: &[&str]) -> Result<String> {
        self.run(args, None)
    }

    /// Runs git with `input` on its standard input, returning its standard output as bytes (for
    /// `cat-file --batch`, whose objects are sized in bytes and need not be UTF-8).
    pub fn raw_bytes(&self, args: &[&str], input: &[u8]) -> Result<Vec<u8>> {
        let output = scrubbed(cmd!(self.sh, "git {args...}"))
            .quiet()
            .ignore_status()
            .stdin(input)
            .output()
            .map_err(|e| anyhow!("cannot run git: {e}"))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(anyhow!(
                "`git {}` failed:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }
}

impl Git {
    /// Compare-and-swap for a release's branch: sets `name` to `new` only if it still holds `old`, or, with
    /// `old` empty, only if it does not exist yet.
    pub fn advance_ref(&self, name: &str, new: &str, old: &str) -> Result<()> {
        self.run(
            &[
                "update-ref",
                "--no-deref",
                "-m",
                "xtask release",
                name,
                new,
                old,
            ],
            None,
        )
        .map(drop)
    }
}

/// Commits made without a work tree: a release through review builds its branch's commits from the
/// release plan's file contents, so the user's checkout, index and branches are never touched and there is
/// nothing local to undo.
impl Git {
    /// A new commit whose parent is `parent` and whose tree is `parent`'s with `files` (path relative to the
    /// work tree, new contents) written; no ref moves. The contents go through git's filters as `git add`
    /// would send them (`--path`), a file keeps its mode, and the commit is signed when `commit.gpgSign`
    /// asks for it. Hooks do not run (no `git commit`): the kit judges its own messages before.
    pub fn commit_on(
        &self,
        parent: &str,
        files: &[(String, String)],
        message: &str,
    ) -> Result<String> {
        let git_dir = PathBuf::from(self.run(&["rev-parse", "--absolute-git-dir"], None)?.trim());
        let scratch = git_dir.join("xtask");
        crate::ops::fs::create_dir_all(&scratch)
            .map_err(|e| anyhow!("cannot create {}: {e}", scratch.display()))?;
        let index = scratch.join(format!("index-{}", crate::ops::process::own_pid()));
        let result = self.commit_with_index(&index, parent, files, message);
        let _ = crate::ops::fs::remove_file(&index);
        result
    }

    fn commit_with_index(
        &self,
        index: &Path,
        parent: &str,
        files: &[(String, String)],
        message: &str,
    ) -> Result<String> {
        let with_index =
            |args: &[&str], stdin: Option<&str>| self.run_with_index(args, stdin, Some(index));
        with_index(&["read-tree", parent], None)?;
        let mut entries = String::new();
        for (rel, contents) in files {
            let listed = self.run(&["ls-tree", "-z", parent, "--", rel], None)?;
            let mode = listed
                .split('\0')
                .find(|entry| entry.split_once('\t').is_some_and(|(_, path)| path == rel))
                .and_then(|entry| entry.split(' ').next())
                .unwrap_or("100644")
                .to_string();
            let path = format!("--path={rel}");
            let blob = self.run(&["hash-object", "-w", "--stdin", &path], Some(contents))?;
            entries.push_str(&format!("{mode} {}\t{rel}\n", blob.trim()));
        }
        with_index(&["update-index", "--index-info"], Some(&entries))?;
        let tree = with_index(&["write-tree"], None)?;
        let sign = self
            .run(&["config", "--type=bool", "--get", "commit.gpgSign"], None)
            .is_ok_and(|v| v.trim() == "true");
        let mut args = vec!["commit-tree", tree.trim(), "-p", parent, "-F", "-"];
        if sign {
            args.push("-S");
        }
        let cleaned = self.stripspace(message)?;
        Ok(self.run(&args, Some(&cleaned))?.trim().to_string())
    }

    /// `git push` with the given options (`--atomic`, `--force-with-lease=…`, `-o …`) and refspecs.
    pub fn push(&self, remote: &str, options: &[String], refspecs: &[String]) -> Result<()> {
        let mut args = vec!["push"];
        args.extend(options.iter().map(String::as_str));
        args.push(remote);
        args.extend(refspecs.iter().map(String::as_str));
        self.run(&args, None).map(drop)
    }
}

/// The reads that judge what others pushed (`ops::push_facts`): objects as they are stored, and signatures.
impl Git {
    /// This git, reading objects as they are stored: `refs/replace/` is ignored, as with
    /// `git --no-replace-objects`, so that a replace ref cannot make a judged object read as another.
    pub fn without_replacements(self) -> Git {
        self.sh.set_var("GIT_NO_REPLACE_OBJECTS", "1");
        self
    }

    /// `git verify-tag` of the tag object `id` against an SSH allowed-signers file: whether git calls the
    /// signature good and made by a key of the file, and what git said. Only SSH signatures count: GPG is
    /// switched off for this call (`gpg.program=false`), so a key in someone's GPG keyring proves nothing.
    pub fn verify_tag_ssh(&self, id: &str, signers: &Path) -> Result<(bool, String)> {
        let signers = format!("gpg.ssh.allowedSignersFile={}", signers.display());
        let args = [
            "-c",
            "gpg.format=ssh",
            "-c",
            "gpg.ssh.program=ssh-keygen",
            "-c",
            "gpg.program=false",
            "-c",
            "gpg.openpgp.program=false",
            "-c",
            "gpg.x509.program=false",
            "-c",
            &signers,
            "verify-tag",
            "--raw",
            id,
        ];
        let output = cmd!(self.sh, "git {args...}")
            .quiet()
            .ignore_status()
            .output()
            .map_err(|e| anyhow!("cannot run git: {e}"))?;
        let said = format!(
            "{}\n{}",
            String::from_utf8_lossy(&output.stderr).trim(),
            String::from_utf8_lossy(&output.stdout).trim()
        );
        Ok((output.status.success(), said.trim().to_string()))
    }
}
