//! The only module that prints: data to stdout, progress and problems to stderr, colour only on a terminal.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};

/// Whether stderr gets colour: a terminal, and no `NO_COLOR` (https://no-color.org).
fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

fn paint(code: &str, text: &str) -> String {
    if colour() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Program output (a version, a changelog, JSON): stdout, exactly as given.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = stdout.write_all(b"\n");
    }
    let _ = stdout.flush();
}

/// A finished step of a longer job.
pub fn step(text: &str) {
    eprintln!("{} {text}", paint("32", "✓"));
}

/// Something the user should know that does not stop the job.
pub fn note(text: &str) {
    eprintln!("{} {text}", paint("36", "·"));
}

pub fn warn(text: &str) {
    eprintln!("{} {text}", paint("33", "warning:"));
}

/// An error: every line of it, the first after `error:`.
pub fn error(text: &str) {
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        eprintln!("{} {first}", paint("1;31", "error:"));
    }
    for line in lines {
        eprintln!("  {line}");
    }
}

/// A heading followed by an indented block, for plans and problem lists.
pub fn section(title: &str, body: &str) {
    eprintln!("{}", paint("1", title));
    for line in body.lines() {
        eprintln!("  {line}");
    }
}
