//! Other processes: the process that started this one, and the arguments a process was started with.

use std::process::{Command, Stdio};

/// This process's id (temporary file names of its own).
pub fn own_pid() -> u32 {
    std::process::id()
}

/// The process id of this process's parent.
#[cfg(unix)]
pub fn parent_pid() -> Option<u32> {
    Some(std::os::unix::process::parent_id())
}

#[cfg(not(unix))]
pub fn parent_pid() -> Option<u32> {
    None
}

/// The arguments a process was started with: `/proc` on Linux, `ps` elsewhere (split at spaces, which is
/// enough to find a git subcommand).
pub fn command_line(pid: u32) -> Option<Vec<String>> {
    if let Ok(bytes) = std::fs::read(format!("/proc/{pid}/cmdline")) {
        let bytes = bytes.strip_suffix(&[0]).unwrap_or(&bytes);
        return Some(
            bytes
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect(),
        );
    }
    let out = Command::new("ps")
        .args(["-o", "args=", "-p", &pid.to_string()])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `sh` reads back from a quoted word is the word itself.
    #[test]
    fn the_shell_reads_back_the_word() {
        for word in [
            "feature/$(touch${IFS}x)",
            "it's",
            "a\"b",
            "$HOME",
            "\\n",
            "x\ny",
        ] {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", crate::domain::shell::quote(word)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout), word);
        }
    }
}
