//! A problem: why the kit refuses something, as the rule that refused, what is wrong and what to do.
//!
//! Every refusal (a hook's, `verify`'s, a push rule's) and every failed check before a command changes
//! anything is one of these, and a list of them is reported one way (see `cmd::refuse`): the text a
//! person reads, and in `--format json` an array of objects with these three fields.

use std::fmt;

/// One problem. `rule` names the setting or check that refused (`branches.allowed`); it is empty for a
/// check whose one sentence says what is wrong and what to do (most preflight checks). `hint` says what
/// would be accepted; it may be empty when the reason says it already.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Problem {
    pub rule: String,
    pub reason: String,
    pub hint: String,
}

impl Problem {
    pub fn new(
        rule: impl Into<String>,
        reason: impl Into<String>,
        hint: impl Into<String>,
    ) -> Problem {
        Problem {
            rule: rule.into(),
            reason: reason.into(),
            hint: hint.into(),
        }
    }

    /// A problem told in one sentence that also says what to do.
    pub fn said(text: impl Into<String>) -> Problem {
        Problem::new("", text, "")
    }

    /// On one line: `rule: reason: hint`, as `check` lists what a hook would refuse.
    pub fn one_line(&self) -> String {
        [self.rule.as_str(), self.reason.as_str(), self.hint.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(": ")
    }
}

/// As a hook prints it: `rule: reason`, then the hint on a line of its own.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.rule.is_empty() {
            write!(f, "{}: ", self.rule)?;
        }
        f.write_str(&self.reason)?;
        if !self.hint.is_empty() {
            write!(f, "\n{}", self.hint)?;
        }
        Ok(())
    }
}

impl From<String> for Problem {
    fn from(text: String) -> Problem {
        Problem::said(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        let full = Problem::new(
            "branches.allowed",
            "`wip` is not allowed",
            "use feature/<name>",
        );
        let said = Problem::said("the working tree has changes: commit them");
        for (problem, display, one_line) in [
            (
                &full,
                "branches.allowed: `wip` is not allowed\nuse feature/<name>",
                "branches.allowed: `wip` is not allowed: use feature/<name>",
            ),
            (
                &said,
                "the working tree has changes: commit them",
                "the working tree has changes: commit them",
            ),
        ] {
            assert_eq!(problem.to_string(), display);
            assert_eq!(problem.one_line(), one_line);
        }
    }
}
