//! The release automation kit: a library with the `xtask` command line on top.
//!
//! Layers, each importing only from the ones below it: `cmd` (one file per command) → `config`, `project`,
//! `render`, `exec` → `ops` (effects: git, files, terminal) and `domain` (pure logic).

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod cmd;
pub mod config;
pub mod domain;
pub mod exec;
pub mod notes;
pub mod ops;
pub mod project;
pub mod render;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// A mistake in how the command was called: exit code 2, like clap's own usage errors.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A failure whose explanation has already been printed (a list of problems, a hook's refusal): exit code 1.
#[derive(Debug)]
pub struct AlreadyReported;

impl std::fmt::Display for AlreadyReported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failed")
    }
}

impl std::error::Error for AlreadyReported {}

/// Runs the command line; the one place where errors become exit codes.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match cmd::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<AlreadyReported>() => ExitCode::FAILURE,
        Err(e) => {
            ops::term::error(&format!("{e:#}"));
            if e.is::<UsageError>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
