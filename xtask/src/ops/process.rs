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

/// A crash point for the kill tests: with `XTASK_KILL_AT=<name>` (or `<name>#<n>`: its `n`-th passage, counted
/// across the kit's processes in the file `XTASK_KILL_COUNTER` names), the kit kills itself with SIGKILL when
/// it gets here, as a `kill -9` at that moment would, and first the kit that started it, if any (a release
/// candidate's release inside `branch cut`). Nothing but the tests sets the variable; without it this is one
/// environment lookup.
pub fn kill_point(name: &str) {
    let Some(wanted) = std::env::var_os("XTASK_KILL_AT") else {
        return;
    };
    let wanted = wanted.to_string_lossy();
    let (point, nth) = match wanted.split_once('#') {
        Some((point, n)) => (point, n.parse::<u32>().unwrap_or(1)),
        None => (&*wanted, 1),
    };
    if point != name {
        return;
    }
    let passage = match std::env::var_os("XTASK_KILL_COUNTER") {
        Some(counter) => {
            let seen = std::fs::read_to_string(&counter)
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok())
                .unwrap_or(0)
                + 1;
            let _ = std::fs::write(&counter, seen.to_string());
            seen
        }
        None => 1,
    };
    if passage != nth {
        return;
    }
    let own = std::env::current_exe().ok();
    if let Some(parent) = parent_pid()
        && own.is_some()
        && std::fs::read_link(format!("/proc/{parent}/exe")).ok() == own
    {
        kill(parent);
    }
    kill(own_pid());
    // The signal is on its way; never go on past the point.
    std::process::abort();
}

fn kill(pid: u32) {
    let _ = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .stdin(Stdio::null())
        .status();
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
