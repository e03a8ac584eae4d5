//! Questions to the user through inquire; only ever called when a person is at a terminal.

use std::io::IsTerminal;

use anyhow::{Result, anyhow};
use inquire::{Confirm, Editor, InquireError, Select};

/// Whether the command may ask questions: a terminal on stdin, no `--yes`, and not under CI.
pub fn interactive(yes: bool) -> bool {
    !yes && std::io::stdin().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false")
}

fn cancelled(e: InquireError) -> anyhow::Error {
    match e {
        InquireError::OperationCanceled | InquireError::OperationInterrupted => {
            anyhow!("cancelled: nothing was changed")
        }
        other => anyhow!("cannot ask: {other}"),
    }
}

/// Picks one of `options`; returns its index.
pub fn select(message: &str, options: Vec<String>, default: usize) -> Result<usize> {
    let count = options.len();
    let chosen = Select::new(message, options.clone())
        .with_starting_cursor(default.min(count.saturating_sub(1)))
        .with_page_size(12)
        .prompt()
        .map_err(cancelled)?;
    Ok(options.iter().position(|o| *o == chosen).unwrap_or(default))
}

pub fn confirm(message: &str, default: bool) -> Result<bool> {
    Confirm::new(message)
        .with_default(default)
        .prompt()
        .map_err(cancelled)
}

/// Opens the user's editor (`$VISUAL`/`$EDITOR`) on `text`; returns what they saved.
pub fn edit(message: &str, text: &str) -> Result<String> {
    Editor::new(message)
        .with_predefined_text(text)
        .with_file_extension(".md")
        .prompt()
        .map_err(cancelled)
}
