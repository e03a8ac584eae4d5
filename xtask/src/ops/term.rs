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
///
/// A reader that stops early (`xtask changelog --all | head`) closes the pipe: the rest of the output is
/// dropped quietly, as `git log | head` does, and the command goes on to finish its work (a release in
/// progress must not stop half-way because nobody reads its summary).
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let mut write = || -> std::io::Result<()> {
        stdout.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            stdout.write_all(b"\n")?;
        }
        stdout.flush()
    };
    // Errors (a closed pipe, a full disk) are ignored: there is nobody left to tell.
    let _ = write();
}

/// A part of a long program output (a changelog of every release, a few sections at a time), exactly as
/// given: [`out`] ends the output. A closed pipe or a full disk is ignored, as there.
pub fn out_part(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// One line on stderr. Unlike `eprintln!`, a closed stderr (`xtask … 2>&1 | head -1`) is not a panic:
/// the line is dropped.
fn err_line(line: std::fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_fmt(line)
        .and_then(|()| stderr.write_all(b"\n"));
}

/// A finished step of a longer job.
pub fn step(text: &str) {
    err_line(format_args!("{} {text}", paint("32", "✓")));
}

/// Something the user should know that does not stop the job.
pub fn note(text: &str) {
    err_line(format_args!("{} {text}", paint("36", "·")));
}

pub fn warn(text: &str) {
    err_line(format_args!("{} {text}", paint("33", "warning:")));
}

/// An error: every line of it, the first after `error:`.
pub fn error(text: &str) {
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        err_line(format_args!("{} {first}", paint("1;31", "error:")));
    }
    for line in lines {
        err_line(format_args!("  {line}"));
    }
}

/// One item of a list under an error (every problem a check found): `- ` before its first line, the other
/// lines indented under it.
pub fn item(text: &str) {
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        err_line(format_args!("  - {first}"));
    }
    for line in lines {
        err_line(format_args!("    {line}"));
    }
}

/// A heading followed by an indented block, for plans and problem lists.
pub fn section(title: &str, body: &str) {
    err_line(format_args!("{}", paint("1", title)));
    for line in body.lines() {
        err_line(format_args!("  {line}"));
    }
}

/// A heading followed by an indented block, as program output on stdout (a dry run's plan is its data).
pub fn data_section(title: &str, body: &str) {
    let mut text = format!("{title}\n");
    for line in body.lines() {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    out(&text);
}
