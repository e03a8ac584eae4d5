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

    pub fn delete_tag(&self, name: &str) -> Result<()> {
        self.run(&["tag", "--delete", name], None).map(drop)
    }

    /// Moves HEAD (and its branch) back to `commit` and makes the index match it; the work tree is not touched.
    pub fn reset_index_and_head(&self, commit: &str) -> Result<()> {
        self.run(&["reset", "--quiet", "--mixed", commit, "--"], None)
            .map(drop)
    }

    /// Runs a command with a shell, reporting its exit status; its output goes to the terminal.
    pub fn run_check(&self, command: &str) -> Result<bool> {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(&self.root)
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
