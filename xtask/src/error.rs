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

/// The problems that stopped a command, printed already (it travels as the context of [`AlreadyReported`],
/// so the exit code is 1): `summary` (`cannot release, nothing was changed`) and the problems themselves,
/// for `--format json` (`"problems"`, an array) and for the one-line `"error"` text.
#[derive(Debug)]
pub struct Refused {
    pub summary: String,
    pub problems: Vec<crate::domain::problem::Problem>,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let listed: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        write!(f, "{}: {}", self.summary, listed.join("; "))
    }
}

/// The problems of a refusal as JSON objects (`rule`, `reason`, `hint`), if `error` is one.
pub fn problems_json(error: &anyhow::Error) -> Option<serde_json::Value> {
    let refused = error.downcast_ref::<Refused>()?;
    serde_json::to_value(&refused.problems).ok()
}
