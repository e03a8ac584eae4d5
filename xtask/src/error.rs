//! The kit's error types, which `lib.rs` maps to exit codes; commands import them from here.

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

/// The user stopped at a question: Ctrl-C (`interrupted`, exit code 130 as for any program stopped by
/// SIGINT) or Esc / "no" at a final confirmation (exit code 1). Either way nothing was changed, and the
/// message says so.
#[derive(Debug)]
pub struct Cancelled {
    pub interrupted: bool,
}

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cancelled: nothing was changed")
    }
}

impl std::error::Error for Cancelled {}

impl Cancelled {
    /// The exit code: 130 after Ctrl-C, 1 after Esc or "no".
    pub fn exit_code(&self) -> u8 {
        if self.interrupted { 130 } else { 1 }
    }
}
