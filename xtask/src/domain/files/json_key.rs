//! JSON files (`package.json`): the string at a key path, found by a small scanner that keeps every
//! other byte.

use super::*;

/// Reads the string at a key path.
pub(super) fn read(contents: &str, path: &[String]) -> Result<Found, FileError> {
    let span = json_locate(contents, path)?;
    let line = line_of(contents, span.start);
    let text = contents
        .get(span)
        .and_then(|raw| serde_json::from_str::<String>(raw).ok())
        .ok_or_else(|| json_lost(contents, line))?;
    Ok(Found { text, line })
}

/// The string at a key path becomes `new_text`, escaped.
pub(super) fn edits(
    contents: &str,
    path: &[String],
    new_text: &str,
) -> Result<Vec<(Range<usize>, String)>, FileError> {
    let span = json_locate(contents, path)?;
    // The literal includes its quotes; only what lies between them is the version.
    let inner = span.start + 1..span.end.saturating_sub(1);
    Ok(vec![(inner, escape_quoted(new_text))])
}

const BOM: &str = "\u{feff}";

fn json_lost(contents: &str, line: usize) -> FileError {
    FileError::MalformedJson {
        line,
        column: column_of(contents, 0),
        message: "the scanner lost its place, which is a bug in the kit".into(),
    }
}

/// The byte range of the JSON string literal (quotes included) at the key path.
///
/// serde_json validates the document; a small scanner then walks the original text to find the
/// literal's position, which serde_json does not report. When an object repeats a key the last one
/// wins, as it does for serde_json.
fn json_locate(contents: &str, path: &[String]) -> Result<Range<usize>, FileError> {
    if path.is_empty() {
        return Err(FileError::EmptyKeyPath);
    }
    // serde_json refuses a byte order mark, which some Windows editors write.
    let (body, base) = match contents.strip_prefix(BOM) {
        Some(body) => (body, BOM.len()),
        None => (contents, 0),
    };
    if let Err(e) = serde_json::from_str::<serde_json::Value>(body) {
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        // The stripped mark is one character on line 1.
        let column = e.column() + usize::from(base > 0 && e.line() == 1);
        return Err(FileError::MalformedJson {
            line: e.line(),
            column,
            message,
        });
    }
    let b = body.as_bytes();
    let lost = |pos: usize| FileError::MalformedJson {
        line: line_of(body, pos),
        column: column_of(body, pos),
        message: "the scanner lost its place, which is a bug in the kit".into(),
    };
    let mut pos = json_skip_ws(b, 0);
    for (i, key) in path.iter().enumerate() {
        if b.get(pos) != Some(&b'{') {
            return Err(FileError::NotATable {
                path: display_path(path),
                prefix: display_path(&path[..i]),
                line: line_of(body, pos),
                found: json_kind(b.get(pos)),
            });
        }
        pos = json_find_member(body, pos, key)
            .map_err(lost)?
            .ok_or_else(|| FileError::MissingKey {
                path: display_path(path),
            })?;
    }
    if b.get(pos) != Some(&b'"') {
        return Err(FileError::NotAString {
            path: display_path(path),
            line: line_of(body, pos),
            found: json_kind(b.get(pos)),
        });
    }
    let end = json_scan_string(b, pos).ok_or_else(|| lost(pos))?;
    Ok(base + pos..base + end)
}

fn json_kind(first: Option<&u8>) -> &'static str {
    match first {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(_) => "a number",
        None => "empty",
    }
}

fn json_skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// The end (after the closing quote) of the string literal starting at `pos`.
fn json_scan_string(b: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    loop {
        match b.get(i)? {
            b'"' => return Some(i + 1),
            // Whatever follows a backslash is part of the escape, a quote included.
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

/// The end of the value starting at `pos`. Containers are skipped by counting brackets outside
/// strings, without recursion, so deep documents cannot exhaust the stack.
fn json_skip_value(b: &[u8], pos: usize) -> Option<usize> {
    match b.get(pos)? {
        b'"' => json_scan_string(b, pos),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = json_scan_string(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = pos;
            while !matches!(
                b.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                i += 1;
            }
            (i > pos).then_some(i)
        }
    }
}

/// Where the value of the last member named `key` starts in the object opening at `open`;
/// `Err` carries the position where the text stopped making sense.
fn json_find_member(body: &str, open: usize, key: &str) -> Result<Option<usize>, usize> {
    let b = body.as_bytes();
    let mut pos = open + 1;
    let mut found = None;
    loop {
        pos = json_skip_ws(b, pos);
        match b.get(pos) {
            Some(b'}') => return Ok(found),
            Some(b'"') => {}
            _ => return Err(pos),
        }
        let key_end = json_scan_string(b, pos).ok_or(pos)?;
        // Keys may be written with escapes (`"v\u0065rsion"`); compare what they mean.
        let name: String = body
            .get(pos..key_end)
            .and_then(|raw| serde_json::from_str(raw).ok())
            .ok_or(pos)?;
        pos = json_skip_ws(b, key_end);
        if b.get(pos) != Some(&b':') {
            return Err(pos);
        }
        pos = json_skip_ws(b, pos + 1);
        let value = pos;
        pos = json_skip_value(b, pos).ok_or(pos)?;
        if name == key {
            found = Some(value);
        }
        pos = json_skip_ws(b, pos);
        match b.get(pos) {
            Some(b',') => pos += 1,
            Some(b'}') => return Ok(found),
            _ => return Err(pos),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::{read, rewrite};
    use super::*;

    #[test]
    fn json_files() {
        // The same string sits in a note, an array, a nested object and a dependency: only the
        // value at the key path changes.
        case(
            PACKAGE_JSON,
            &Locator::Json(key("tool.version")),
            "0.3.1",
            9,
            "0.4.0-dev",
            &[9],
        );
        case(
            PACKAGE_JSON,
            &Locator::Json(key("version")),
            "0.3.1",
            3,
            "0.4.0",
            &[3],
        );
        case(
            PACKAGE_JSON,
            &Locator::Json(key("tool.nested.version")),
            "9.9.9",
            10,
            "10.0.0",
            &[10],
        );

        let compact = "{\"a\":{\"b\":[1,{\"c\":\"x\"}],\"v\":\"1.0\"},\"v\":\"2.0\"}\n";
        case(compact, &Locator::Json(key("a.v")), "1.0", 1, "1.1", &[1]);

        // serde_json keeps the last of repeated keys; so does the scanner.
        let repeated = "{\n  \"version\": \"1.0.0\",\n  \"version\": \"2.0.0\"\n}\n";
        case(
            repeated,
            &Locator::Json(key("version")),
            "2.0.0",
            3,
            "2.1.0",
            &[3],
        );

        // Keys are compared by meaning, escapes resolved.
        let escaped_key = "{ \"v\\u0065rsion\": \"3.0.0\" }\n";
        case(
            escaped_key,
            &Locator::Json(key("version")),
            "3.0.0",
            1,
            "3.0.1",
            &[1],
        );

        let bom = "\u{feff}{\n  \"version\": \"1.2.3\"\n}\n";
        case(
            bom,
            &Locator::Json(key("version")),
            "1.2.3",
            2,
            "1.2.4",
            &[2],
        );
    }

    #[test]
    fn json_new_text_is_escaped() {
        let text = "{ \"version\": \"1.0.0\" }";
        let after = rewrite(text, &Locator::Json(key("version")), "1\"0\\0").unwrap();
        assert_eq!(after, r#"{ "version": "1\"0\\0" }"#);
        let back = read(&after, &Locator::Json(key("version"))).unwrap();
        assert_eq!(back.text, "1\"0\\0");
    }

    #[test]
    fn json_errors() {
        let path = Locator::Json(key("tool.version"));
        error_case(
            "{\n  \"version\": \"1.0.0\",\n}\n",
            &path,
            FileError::MalformedJson {
                line: 3,
                column: 1,
                message: "trailing comma".into(),
            },
        );
        error_case(
            "{\n  \"tool\": { \"version\": 1.0 }\n}\n",
            &path,
            FileError::NotAString {
                path: "tool.version".into(),
                line: 2,
                found: "a number",
            },
        );
        error_case(
            "{\n  \"tool\": {\n    \"version\": {\"major\": 1}\n  }\n}\n",
            &path,
            FileError::NotAString {
                path: "tool.version".into(),
                line: 3,
                found: "an object",
            },
        );
        error_case(
            "{\n  \"tool\": {\n    \"name\": \"kit\"\n  }\n}\n",
            &path,
            FileError::MissingKey {
                path: "tool.version".into(),
            },
        );
        error_case(
            "{\n  \"tool\": \"kit\"\n}\n",
            &path,
            FileError::NotATable {
                path: "tool.version".into(),
                prefix: "tool".into(),
                line: 2,
                found: "a string",
            },
        );
        error_case(
            "\n[ { \"tool\": {} } ]\n",
            &path,
            FileError::NotATable {
                path: "tool.version".into(),
                prefix: String::new(),
                line: 2,
                found: "an array",
            },
        );
        error_case(
            PACKAGE_JSON,
            &Locator::Json(vec![]),
            FileError::EmptyKeyPath,
        );
        let quoted = Locator::Json(key(r#"tool."kit.version""#));
        error_case(
            PACKAGE_JSON,
            &quoted,
            FileError::MissingKey {
                path: r#"tool."kit.version""#.into(),
            },
        );
    }
}
