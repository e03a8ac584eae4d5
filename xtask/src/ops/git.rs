//! Git writes (and the reads only the command line answers well) through the `git` command, so that the
//! user's hooks, signing and configuration apply exactly as when they type the commands themselves.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use xshell::{Shell, cmd};

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
        let mut command = cmd!(self.sh, "git {args...}").quiet().ignore_status();
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

    pub fn tag_annotated(&self, name: &str, message: &str, sign: bool) -> Result<()> {
        let kind = if sign { "--sign" } else { "--annotate" };
        // Whitespace cleanup keeps Markdown headings (`#`), which the default cleanup would strip as comments.
        self.run(
            &["tag", kind, "--cleanup=whitespace", "--file=-", name],
            Some(message),
        )
        .map(drop)
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
        let output = std::process::Command::new("sh")
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

    /// Runs git with the given arguments (for the few one-off reads and writes the commands need).
    pub fn raw(&self, args: &[&str]) -> Result<String> {
        self.run(args, None)
    }

    /// Runs git with `input` on its standard input, returning its standard output as bytes (for
    /// `cat-file --batch`, whose objects are sized in bytes and need not be UTF-8).
    pub fn raw_bytes(&self, args: &[&str], input: &[u8]) -> Result<Vec<u8>> {
        let output = cmd!(self.sh, "git {args...}")
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
