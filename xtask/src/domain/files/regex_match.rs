//! Files whose version a regular expression finds (a named group `version`): any text format.

use super::*;

/// Reads the first match's `version` group (every match holds the same text).
pub(super) fn read(contents: &str, re: &regex_lite::Regex) -> Result<Found, FileError> {
    let spans = regex_spans(contents, re)?;
    // `regex_spans` never returns an empty list; the fallback only keeps this total.
    let first = spans.first().ok_or_else(|| no_match(re))?;
    Ok(found_at(contents, first.clone()))
}

/// Every match's `version` group becomes `new_text`.
pub(super) fn edits(
    contents: &str,
    re: &regex_lite::Regex,
    new_text: &str,
) -> Result<Vec<(Range<usize>, String)>, FileError> {
    Ok(regex_spans(contents, re)?
        .into_iter()
        .map(|span| (span, new_text.to_owned()))
        .collect())
}

fn no_match(re: &regex_lite::Regex) -> FileError {
    FileError::NoMatch {
        pattern: re.as_str().to_owned(),
    }
}

/// The byte ranges of the `version` group in every match, checked to hold the same text.
fn regex_spans(contents: &str, re: &regex_lite::Regex) -> Result<Vec<Range<usize>>, FileError> {
    let pattern = || re.as_str().to_owned();
    if !re.capture_names().flatten().any(|name| name == "version") {
        return Err(FileError::MissingVersionGroup { pattern: pattern() });
    }
    let mut spans = Vec::new();
    for caps in re.captures_iter(contents) {
        let Some(group) = caps.name("version") else {
            let at = caps.get(0).map_or(0, |m| m.start());
            return Err(FileError::GroupNotMatched {
                pattern: pattern(),
                line: line_of(contents, at),
            });
        };
        spans.push(group.range());
    }
    let Some(first) = spans.first() else {
        return Err(no_match(re));
    };
    let first = contents.get(first.clone()).unwrap_or_default();
    if spans
        .iter()
        .any(|s| contents.get(s.clone()).unwrap_or_default() != first)
    {
        let found = spans
            .iter()
            .map(|s| found_at(contents, s.clone()))
            .collect();
        return Err(FileError::Disagreeing {
            pattern: pattern(),
            found,
        });
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn regex_files() {
        let init = re(r#"__version__ = "(?<version>[^"]+)""#);
        case(INIT_PY, &init, "0.1.0", 4, "0.2.0-dev", &[4]);

        // `\S+` stops before a CR, so CRLF files keep their line endings.
        let cfg = re(r"(?m)^version = (?<version>\S+)");
        case(SETUP_CFG, &cfg, "0.1.0", 3, "0.2.0", &[3]);

        // Several matches that agree are all rewritten.
        let readme = re(r#"(?:--version |-->|kit = ")(?<version>[\d.]+)"#);
        case(README, &readme, "2.4.0", 3, "2.5.0", &[3, 5, 9]);
    }

    #[test]
    fn regex_errors() {
        error_case(
            INIT_PY,
            &re(r#"__version__ = "([^"]+)""#),
            FileError::MissingVersionGroup {
                pattern: r#"__version__ = "([^"]+)""#.into(),
            },
        );
        error_case(
            INIT_PY,
            &re(r"VERSION = (?<version>\S+)"),
            FileError::NoMatch {
                pattern: r"VERSION = (?<version>\S+)".into(),
            },
        );
        let indented = r"(?m)^\s*version = (?<version>\S+)";
        error_case(
            SETUP_CFG,
            &re(indented),
            FileError::Disagreeing {
                pattern: indented.into(),
                found: vec![
                    Found {
                        text: "0.1.0".into(),
                        line: 3,
                    },
                    Found {
                        text: "0.0.1".into(),
                        line: 7,
                    },
                ],
            },
        );
        let optional = r"(?m)^name = (?:(?<version>\d\S*)|kit-py)";
        error_case(
            SETUP_CFG,
            &re(optional),
            FileError::GroupNotMatched {
                pattern: optional.into(),
                line: 2,
            },
        );
        let message = FileError::NoMatch {
            pattern: "x".into(),
        }
        .to_string();
        assert_eq!(
            message,
            "no match for /x/: check the pattern against the file"
        );
    }
}
