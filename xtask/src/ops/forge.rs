//! Runs the forge's own CLI (`gh`, `glab`) in the repository, as a maintainer would at the prompt: it finds
//! the repository from the remotes and reads its token (`GH_TOKEN`, `GITHUB_TOKEN`, `GITLAB_TOKEN`) or login.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Result, anyhow};

use crate::domain::forge::calls::Call;

/// The forge CLI `program`, run in `dir`.
pub struct ForgeCli {
    program: &'static str,
    dir: PathBuf,
}

impl ForgeCli {
    pub fn new(program: &'static str, dir: &Path) -> ForgeCli {
        ForgeCli {
            program,
            dir: dir.to_path_buf(),
        }
    }

    pub fn program(&self) -> &'static str {
        self.program
    }

    /// Whether the program can be started at all (it is on `PATH`).
    pub fn installed(&self) -> bool {
        Command::new(self.program)
            .arg("--version")
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    }

    /// Runs one call; its standard output, or an error carrying what the program said.
    pub fn run(&self, call: &Call) -> Result<String> {
        let mut command = Command::new(self.program);
        command
            .args(&call.args)
            .current_dir(&self.dir)
            .stdin(if call.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // The forge must see the repository the kit works on, not one a caller's git variables name.
        crate::ops::git::scrub_command(&mut command);
        let mut child = command
            .spawn()
            .map_err(|e| anyhow!("cannot run `{}`: {e}", self.program))?;
        if let (Some(text), Some(mut stdin)) = (&call.stdin, child.stdin.take()) {
            // A program that exits without reading its input is judged by its status, not by this write.
            let _ = stdin.write_all(text.as_bytes());
        }
        let output = child
            .wait_with_output()
            .map_err(|e| anyhow!("cannot run `{}`: {e}", self.program))?;
        if output.status.success() {
            return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        let said = String::from_utf8_lossy(&output.stderr);
        let said = said.trim();
        Err(anyhow!(
            "`{}` failed{}",
            self.shown(call),
            if said.is_empty() {
                format!(" ({})", output.status)
            } else {
                format!(":\n{said}")
            }
        ))
    }

    /// The call as a command line a user can run (standard input shown as `< notes`).
    pub fn shown(&self, call: &Call) -> String {
        let mut words = vec![self.program];
        words.extend(call.args.iter().map(String::as_str));
        let line = crate::domain::shell::join(&words);
        match call.stdin {
            Some(_) => format!("{line} < notes.md"),
            None => line,
        }
    }
}
