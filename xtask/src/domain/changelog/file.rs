//! Puts a new section into a changelog file's text, keeping everything else byte for byte.
//!
//! A section starts at a level-two heading (`## …`) outside code fences. The new section goes after the header
//! (everything before the first section); an "Unreleased" section at the top, or an existing section for the same
//! version, is replaced rather than kept beside it, so writing the same version twice gives one section.

/// The new file text. `existing` is `None` when the file does not exist yet; it then starts with `header`.
pub fn insert_section(
    existing: Option<&str>,
    header: &str,
    section: &str,
    version: Option<&str>,
) -> String {
    let Some(text) = existing else {
        return format!("{}\n\n{}", header.trim_end(), ensure_newline(section));
    };
    let crlf = text.contains("\r\n");
    let section = if crlf {
        ensure_newline(section).replace('\n', "\r\n")
    } else {
        ensure_newline(section)
    };
    let newline = if crlf { "\r\n" } else { "\n" };
    let headings = section_starts(text);

    // Replace the section for the same version, or an Unreleased section, wherever it stands.
    let replaced = headings.iter().enumerate().find(|(_, start)| {
        let key = heading_key(&text[**start..]);
        key.eq_ignore_ascii_case("unreleased") || version.is_some_and(|v| key == v)
    });
    if let Some((index, &start)) = replaced {
        let end = headings.get(index + 1).copied().unwrap_or(text.len());
        let mut out = String::with_capacity(text.len() + section.len());
        out.push_str(&text[..start]);
        out.push_str(&section);
        if end < text.len() {
            out.push_str(newline);
        }
        out.push_str(&text[end..]);
        return out;
    }
    match headings.first() {
        Some(&start) => format!("{}{section}{newline}{}", &text[..start], &text[start..]),
        None if text.trim().is_empty() => {
            format!("{}{newline}{newline}{section}", header.trim_end())
        }
        None => {
            let body = text.trim_end_matches(['\n', '\r']);
            format!("{body}{newline}{newline}{section}")
        }
    }
}

/// Whether `text` has a section for `version` (a level-two heading naming it, outside code fences).
pub fn has_section(text: &str, version: &str) -> bool {
    section_starts(text)
        .into_iter()
        .any(|start| heading_key(&text[start..]) == version)
}

/// The section for `version` (its heading and everything up to the next section), as the file has it.
pub fn section<'t>(text: &'t str, version: &str) -> Option<&'t str> {
    let starts = section_starts(text);
    let index = starts
        .iter()
        .position(|&start| heading_key(&text[start..]) == version)?;
    let end = starts.get(index + 1).copied().unwrap_or(text.len());
    Some(&text[starts[index]..end])
}

/// A section without its heading line: the release notes a forge release shows under its own title.
pub fn section_body(section: &str) -> &str {
    let body = section.split_once('\n').map_or("", |(_, rest)| rest);
    body.trim_matches(['\n', '\r'])
}

/// The text of `generated` (a new section) with the hand-written entries of `existing`'s "Unreleased"
/// section merged in, and how many lines were kept: Keep a Changelog users write their entries there as
/// they go, and a release must not drop them. A line the generated section already has (a draft written
/// by `changelog --write`) is not repeated; an entry under a `### Group` heading goes under the same
/// heading of the new section (one is added when it has none); lines before any heading go first.
pub fn merge_unreleased(existing: Option<&str>, generated: &str) -> (String, usize) {
    let Some(text) = existing else {
        return (generated.to_string(), 0);
    };
    let starts = section_starts(text);
    let Some((index, &start)) = starts
        .iter()
        .enumerate()
        .find(|(_, start)| heading_key(&text[**start..]).eq_ignore_ascii_case("unreleased"))
    else {
        return (generated.to_string(), 0);
    };
    let end = starts.get(index + 1).copied().unwrap_or(text.len());
    let body = text[start..end].lines().skip(1);
    let known: std::collections::HashSet<&str> = generated.lines().map(str::trim).collect();

    // The hand-written lines by the heading they stand under (`None`: before any heading).
    let mut blocks: Vec<(Option<String>, Vec<String>)> = vec![(None, Vec::new())];
    for line in body {
        let line = line.trim_end_matches('\r');
        if let Some(title) = line.strip_prefix("### ") {
            blocks.push((Some(title.trim().to_string()), Vec::new()));
        } else if let Some((_, lines)) = blocks.last_mut()
            && (line.trim().is_empty() || !known.contains(line.trim()))
        {
            lines.push(line.to_string());
        }
    }
    let mut kept = 0;
    let mut out: Vec<String> = generated.lines().map(str::to_string).collect();
    for (title, lines) in blocks {
        // Blank lines only matter between kept lines.
        let first = lines.iter().position(|l| !l.trim().is_empty());
        let last = lines.iter().rposition(|l| !l.trim().is_empty());
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        let lines = &lines[first..=last];
        kept += lines.iter().filter(|l| !l.trim().is_empty()).count();
        match title {
            None => {
                // Right under the section's heading.
                let at = 1.min(out.len());
                let mut block = vec![String::new()];
                block.extend(lines.iter().cloned());
                out.splice(at..at, block);
            }
            Some(title) => {
                let heading = format!("### {title}");
                match out.iter().position(|l| l.trim() == heading) {
                    Some(h) => {
                        // After the group's last line, before the next heading.
                        let next = out[h + 1..]
                            .iter()
                            .position(|l| l.starts_with("## ") || l.starts_with("### "))
                            .map_or(out.len(), |i| h + 1 + i);
                        let at = out[..next]
                            .iter()
                            .rposition(|l| !l.trim().is_empty())
                            .map_or(next, |i| i + 1);
                        out.splice(at..at, lines.iter().cloned());
                    }
                    None => {
                        while out.last().is_some_and(|l| l.trim().is_empty()) {
                            out.pop();
                        }
                        out.push(String::new());
                        out.push(heading);
                        out.push(String::new());
                        out.extend(lines.iter().cloned());
                    }
                }
            }
        }
    }
    if kept == 0 {
        return (generated.to_string(), 0);
    }
    // The template's placeholder for an empty section no longer applies.
    if let Some(i) = out.iter().position(|l| l.trim() == "No notable changes.") {
        out.remove(i);
        if i < out.len() && out[i].trim().is_empty() && i > 0 && out[i - 1].trim().is_empty() {
            out.remove(i);
        }
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    let mut merged = out.join("\n");
    if generated.ends_with('\n') {
        merged.push('\n');
    }
    (merged, kept)
}

fn ensure_newline(text: &str) -> String {
    let trimmed = text.trim_end_matches(['\n', '\r']);
    format!("{trimmed}\n")
}

/// Byte offsets of the `## ` headings that start sections, skipping fenced code blocks.
fn section_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut offset = 0;
    let mut fence: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                fence = match fence {
                    Some(open) if open == marker => None,
                    None => Some(marker),
                    other => other,
                };
            }
        }
        if fence.is_none() && line.starts_with("## ") {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts
}

/// What a section heading names: `## [1.2.0] - 2024-01-01` → `1.2.0`; `## v1.2.0` → `1.2.0`; `## Unreleased` → `Unreleased`.
fn heading_key(section: &str) -> &str {
    let line = section.lines().next().unwrap_or("");
    let title = line.trim_start_matches('#').trim();
    let title = title.strip_prefix('[').unwrap_or(title);
    let end = title.find([']', ' ', '\t', '(']).unwrap_or(title.len());
    let key = &title[..end];
    key.strip_prefix('v')
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "# Changelog\n\nAll notable changes.\n";

    #[track_caller]
    fn case(existing: Option<&str>, section: &str, version: Option<&str>, expected: &str) {
        assert_eq!(insert_section(existing, HEADER, section, version), expected);
    }

    #[test]
    fn table() {
        let new = "## [1.1.0] - 2024-02-01\n\n### Added\n\n- b\n";
        // A new file gets the header.
        case(None, new, Some("1.1.0"), &format!("{HEADER}\n{new}"));
        // After the header, before older sections; everything else verbatim.
        let old = "# Changelog\n\nintro *kept*  \n\n## [1.0.0] - 2024-01-01\n\n- a\n\n[1.0.0]: https://x\n";
        case(
            Some(old),
            new,
            Some("1.1.0"),
            &format!(
                "# Changelog\n\nintro *kept*  \n\n{new}\n## [1.0.0] - 2024-01-01\n\n- a\n\n[1.0.0]: https://x\n"
            ),
        );
        // An Unreleased section is replaced.
        let with_unreleased = "# C\n\n## [Unreleased]\n\n- wip\n\n## [1.0.0]\n\n- a\n";
        case(
            Some(with_unreleased),
            new,
            Some("1.1.0"),
            &format!("# C\n\n{new}\n## [1.0.0]\n\n- a\n"),
        );
        // The same version twice: replaced, not duplicated.
        let twice = insert_section(Some(old), HEADER, new, Some("1.1.0"));
        let changed = "## [1.1.0] - 2024-02-02\n\n### Fixed\n\n- c\n";
        let again = insert_section(Some(&twice), HEADER, changed, Some("1.1.0"));
        assert_eq!(again.matches("## [1.1.0]").count(), 1);
        assert!(again.contains("- c") && !again.contains("- b") && again.contains("## [1.0.0]"));
        // Headings inside code fences are not sections.
        let fenced = "# C\n\n```\n## not a section\n```\n";
        case(
            Some(fenced),
            new,
            None,
            &format!("# C\n\n```\n## not a section\n```\n\n{new}"),
        );
        // CRLF files stay CRLF.
        let crlf = "# C\r\n\r\n## [1.0.0]\r\n\r\n- a\r\n";
        case(
            Some(crlf),
            "## [1.1.0]\n\n- b\n",
            None,
            "# C\r\n\r\n## [1.1.0]\r\n\r\n- b\r\n\r\n## [1.0.0]\r\n\r\n- a\r\n",
        );
        // An empty file gets the header.
        case(
            Some(""),
            new,
            None,
            &format!("{}\n\n{new}", HEADER.trim_end()),
        );
    }

    #[test]
    fn sections_are_found_by_version() {
        let text = "# C\n\n```\n## [3.0.0]\n```\n\n## [2.0.0] - 2024-01-01\n\n- a\n\n## v1.0.0\n";
        assert!(has_section(text, "2.0.0"));
        assert!(has_section(text, "1.0.0"));
        assert!(!has_section(text, "3.0.0"), "inside a code fence");
        assert!(!has_section(text, "2.0"));
        assert!(!has_section("", "2.0.0"));
    }

    #[test]
    fn a_section_is_cut_out_by_version() {
        let text = "# C\n\n## [1.1.0] - 2024-02-01\n\n### Added\n\n- b\n\n## [1.0.0]\n\n- a\n";
        assert_eq!(
            section(text, "1.1.0"),
            Some("## [1.1.0] - 2024-02-01\n\n### Added\n\n- b\n\n")
        );
        assert_eq!(section(text, "1.0.0"), Some("## [1.0.0]\n\n- a\n"));
        assert_eq!(section(text, "2.0.0"), None);
        assert_eq!(
            section_body(section(text, "1.1.0").unwrap()),
            "### Added\n\n- b"
        );
        assert_eq!(section_body("## [1.0.0]"), "");
    }

    #[test]
    fn heading_keys() {
        assert_eq!(heading_key("## [1.2.0] - 2024"), "1.2.0");
        assert_eq!(heading_key("## v1.2.0 (2024)"), "1.2.0");
        assert_eq!(heading_key("## Unreleased"), "Unreleased");
        assert_eq!(heading_key("## very"), "very");
    }

    #[test]
    fn merge_unreleased_table() {
        let generated = "## [1.1.0] - 2024-02-01\n\n### Added\n\n- b (abc1234)\n";
        // (what, existing file, expected section, lines kept)
        let cases: &[(&str, Option<&str>, &str, usize)] = &[
            ("no file", None, generated, 0),
            (
                "no Unreleased section",
                Some("# C\n\n## [1.0.0]\n\n- a\n"),
                generated,
                0,
            ),
            (
                "an entry under a heading the section has",
                Some("# C\n\n## [Unreleased]\n\n### Added\n\n- by hand\n\n## [1.0.0]\n"),
                "## [1.1.0] - 2024-02-01\n\n### Added\n\n- b (abc1234)\n- by hand\n",
                1,
            ),
            (
                "a heading the section lacks",
                Some("## [Unreleased]\n### Security\n- fixed CVE-1\n- and CVE-2\n"),
                "## [1.1.0] - 2024-02-01\n\n### Added\n\n- b (abc1234)\n\n### Security\n\n- fixed CVE-1\n- and CVE-2\n",
                2,
            ),
            (
                "text before any heading goes first",
                Some("## Unreleased\n\nA big release.\n"),
                "## [1.1.0] - 2024-02-01\n\nA big release.\n\n### Added\n\n- b (abc1234)\n",
                1,
            ),
            (
                "a generated draft is not repeated",
                Some("## [Unreleased]\n\n### Added\n\n- b (abc1234)\n"),
                generated,
                0,
            ),
        ];
        for (what, existing, expected, kept) in cases {
            let (merged, n) = merge_unreleased(*existing, generated);
            assert_eq!((merged.as_str(), n), (*expected, *kept), "{what}");
        }
        let empty = "## [1.1.0] - 2024-02-01\n\nNo notable changes.\n";
        let (merged, n) = merge_unreleased(Some("## [Unreleased]\n\n- by hand\n"), empty);
        assert_eq!(
            (merged.as_str(), n),
            ("## [1.1.0] - 2024-02-01\n\n- by hand\n", 1),
            "the placeholder goes"
        );
    }
}
