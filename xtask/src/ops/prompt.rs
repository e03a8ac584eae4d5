//! Questions to the user through inquire; only ever called when a person is at a terminal.

use std::io::IsTerminal;

use anyhow::{Result, anyhow};
use inquire::validator::Validation;
use inquire::{Confirm, Editor, InquireError, Select, Text};

use crate::error::Cancelled;

/// Whether the command may ask questions: a terminal on stdin, no `--yes`, and not under CI.
pub fn interactive(yes: bool) -> bool {
    !yes && std::io::stdin().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false")
}

/// Ctrl-C is an interruption (exit code 130), Esc a cancellation (exit code 1): see [`Cancelled`].
fn cancelled(e: InquireError) -> anyhow::Error {
    match e {
        InquireError::OperationInterrupted => Cancelled { interrupted: true }.into(),
        InquireError::OperationCanceled => Cancelled { interrupted: false }.into(),
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

/// The last question before a command changes anything: "yes" goes on; "no" and Esc both cancel
/// ([`Cancelled`], exit code 1), Ctrl-C interrupts (exit code 130). Nothing was changed in any case.
pub fn proceed(message: &str) -> Result<()> {
    if confirm(message, true)? {
        Ok(())
    } else {
        Err(Cancelled { interrupted: false }.into())
    }
}

/// Asks for a line of text until `validate` accepts it (its error is shown above the prompt, and the
/// question is asked again); returns the accepted answer, trimmed.
pub fn text(
    message: &str,
    help: &str,
    validate: impl Fn(&str) -> Result<(), String> + Clone,
) -> Result<String> {
    let answer = Text::new(message)
        .with_help_message(help)
        .with_validator(move |input: &str| {
            Ok(match validate(input.trim()) {
                Ok(()) => Validation::Valid,
                Err(why) => Validation::Invalid(why.into()),
            })
        })
        .prompt()
        .map_err(cancelled)?;
    Ok(answer.trim().to_string())
}

/// Opens the user's editor (`$VISUAL`/`$EDITOR`) on `text`; returns what they saved.
pub fn edit(message: &str, text: &str) -> Result<String> {
    Editor::new(message)
        .with_predefined_text(text)
        .with_file_extension(".md")
        .prompt()
        .map_err(cancelled)
}
