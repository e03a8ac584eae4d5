//! TOML files (`pyproject.toml`): the string at a key path, located through `toml_edit`'s spans and
//! rewritten in the quoting it was written with.

use toml_edit::{Formatted, Item, Key, Value};

use super::*;

/// Reads the string at a key path.
pub(super) fn read(contents: &str, path: &[String]) -> Result<Found, FileError> {
    let doc = parse_toml(contents)?;
    let s = toml_locate(contents, doc.as_item(), path)?;
    Ok(Found {
        text: s.value,
        line: s.line,
    })
}

/// The string at a key path becomes `new_text`, in the quoting it was written with.
pub(super) fn edits(
    contents: &str,
    path: &[String],
    new_text: &str,
) -> Result<Vec<(Range<usize>, String)>, FileError> {
    let doc = parse_toml(contents)?;
    let s = toml_locate(contents, doc.as_item(), path)?;
    Ok(vec![s.replacement(new_text)?])
}

pub(super) fn parse_toml(contents: &str) -> Result<toml_edit::Document<&str>, FileError> {
    // `Document` (not `DocumentMut`) keeps the spans that tell where each value was written.
    toml_edit::Document::parse(contents).map_err(|e| {
        let at = e.span().map(|span| span.start);
        FileError::MalformedToml {
            line: at.map(|at| line_of(contents, at)),
            column: at.map(|at| column_of(contents, at)),
            message: e.message().trim().replace('\n', "; "),
        }
    })
}

/// The four ways TOML quotes a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Basic,
    MultiBasic,
    Literal,
    MultiLiteral,
}

impl Quoting {
    fn name(self) -> &'static str {
        match self {
            Self::Basic => "double-quoted string",
            Self::MultiBasic => "triple-double-quoted string",
            Self::Literal => "single-quoted literal string",
            Self::MultiLiteral => "triple-single-quoted literal string",
        }
    }

    /// `text` as it must appear between this quoting's delimiters, if it can.
    fn encode(self, text: &str) -> Option<String> {
        match self {
            Self::Basic | Self::MultiBasic => Some(escape_quoted(text)),
            // Literal strings have no escapes at all: a quote or a control character cannot be
            // written, and switching the quoting would change bytes the user chose.
            Self::Literal | Self::MultiLiteral => {
                let writable =
                    |c: char| c == '\t' || !(c == '\'' || (c.is_control() && u32::from(c) <= 0x7f));
                text.chars().all(writable).then(|| text.to_owned())
            }
        }
    }
}

/// A TOML string value located in the original text.
#[derive(Debug)]
pub(super) struct TomlString {
    /// The bytes between the delimiters, i.e. what a rewrite replaces.
    inner: Range<usize>,
    quoting: Quoting,
    /// The value with escapes resolved.
    pub(super) value: String,
    pub(super) line: usize,
}

impl TomlString {
    pub(super) fn replacement(&self, text: &str) -> Result<(Range<usize>, String), FileError> {
        let encoded = self
            .quoting
            .encode(text)
            .ok_or_else(|| FileError::Unrepresentable {
                line: self.line,
                text: text.to_owned(),
                quoting: self.quoting.name(),
            })?;
        Ok((self.inner.clone(), encoded))
    }
}

fn toml_kind(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(Value::String(_)) => "a string",
        Item::Value(Value::Integer(_)) => "an integer",
        Item::Value(Value::Float(_)) => "a float",
        Item::Value(Value::Boolean(_)) => "a boolean",
        Item::Value(Value::Datetime(_)) => "a date-time",
        Item::Value(Value::Array(_)) => "an array",
        Item::Value(Value::InlineTable(_)) => "an inline table",
    }
}

/// The line where a key/value pair was written: the value's if known, else the key's.
pub(super) fn item_line(contents: &str, key: Option<&Key>, item: &Item) -> usize {
    item.span()
        .or_else(|| key.and_then(Key::span))
        .map_or(1, |span| line_of(contents, span.start))
}

/// Follows the key path; `Ok(None)` when a key is missing.
pub(super) fn toml_lookup<'d>(
    contents: &str,
    root: &'d Item,
    path: &[String],
) -> Result<Option<(Option<&'d Key>, &'d Item)>, FileError> {
    let mut key = None;
    let mut item = root;
    for (i, segment) in path.iter().enumerate() {
        let Some(table) = item.as_table_like() else {
            return Err(FileError::NotATable {
                path: display_path(path),
                prefix: display_path(&path[..i]),
                line: item_line(contents, key, item),
                found: toml_kind(item),
            });
        };
        match table.get_key_value(segment) {
            Some((k, next)) if !next.is_none() => {
                key = Some(k);
                item = next;
            }
            _ => return Ok(None),
        }
    }
    Ok(Some((key, item)))
}

/// The string at the key path, or an error saying why there is none.
fn toml_locate(contents: &str, root: &Item, path: &[String]) -> Result<TomlString, FileError> {
    if path.is_empty() {
        return Err(FileError::EmptyKeyPath);
    }
    let (key, item) = toml_lookup(contents, root, path)?.ok_or_else(|| FileError::MissingKey {
        path: display_path(path),
    })?;
    toml_string(contents, path, key, item)
}

pub(super) fn toml_string(
    contents: &str,
    path: &[String],
    key: Option<&Key>,
    item: &Item,
) -> Result<TomlString, FileError> {
    let line = item_line(contents, key, item);
    match item {
        Item::Value(Value::String(f)) => formatted_string(contents, f, line),
        _ => Err(FileError::NotAString {
            path: display_path(path),
            line,
            found: toml_kind(item),
        }),
    }
}

pub(super) fn formatted_string(
    contents: &str,
    f: &Formatted<String>,
    line: usize,
) -> Result<TomlString, FileError> {
    let lost = || FileError::MalformedToml {
        line: Some(line),
        column: None,
        message: "could not find where the string was written, which is a bug in the kit".into(),
    };
    let span = f.span().ok_or_else(lost)?;
    let raw = contents.get(span.clone()).ok_or_else(lost)?;
    let (quoting, delimiter) = if raw.starts_with("\"\"\"") {
        (Quoting::MultiBasic, 3)
    } else if raw.starts_with("'''") {
        (Quoting::MultiLiteral, 3)
    } else if raw.starts_with('"') {
        (Quoting::Basic, 1)
    } else if raw.starts_with('\'') {
        (Quoting::Literal, 1)
    } else {
        return Err(lost());
    };
    if raw.len() < 2 * delimiter {
        return Err(lost());
    }
    let mut start = span.start + delimiter;
    let end = span.end - delimiter;
    if matches!(quoting, Quoting::MultiBasic | Quoting::MultiLiteral) {
        // TOML drops a newline right after the opening delimiter; it is layout, not version text.
        let rest = contents.get(start..end).ok_or_else(lost)?;
        if rest.starts_with("\r\n") {
            start += 2;
        } else if rest.starts_with('\n') {
            start += 1;
        }
    }
    Ok(TomlString {
        inner: start..end,
        quoting,
        value: f.value().clone(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::super::{read, rewrite};
    use super::*;

    #[test]
    fn toml_files() {
        // Single quotes stay single quotes, and the aligned spacing and comment stay too.
        case(
            PYPROJECT,
            &Locator::Toml(key("project.version")),
            "1.0.0",
            8,
            "1.1.0",
            &[8],
        );
        case(
            PYPROJECT,
            &Locator::Toml(key("tool.'kit.release'.version")),
            "1.0.0",
            15,
            "1.1.0",
            &[15],
        );

        let inline = "# inline tables and dotted keys\ntool = { kit = { version = \"2.0.0\" }, other = \"2.0.0\" }\nrelease.version = \"2.0.0\"  # dotted\n";
        case(
            inline,
            &Locator::Toml(key("tool.kit.version")),
            "2.0.0",
            2,
            "2.0.1",
            &[2],
        );
        case(
            inline,
            &Locator::Toml(key("release.version")),
            "2.0.0",
            3,
            "2.0.1",
            &[3],
        );

        // Multi-line strings: the newline after the delimiter is layout and stays.
        let multi = "[a]\nv = \"\"\"\n3.0.0\"\"\"\nw = '''4.0.0'''\n";
        case(multi, &Locator::Toml(key("a.v")), "3.0.0", 2, "3.1.0", &[3]);
        case(multi, &Locator::Toml(key("a.w")), "4.0.0", 4, "4.1.0", &[4]);

        let bom = "\u{feff}version = \"0.9.0\"\n";
        case(
            bom,
            &Locator::Toml(key("version")),
            "0.9.0",
            1,
            "1.0.0",
            &[1],
        );
    }

    #[test]
    fn toml_basic_strings_are_escaped() {
        let text = "version = \"1.0.0\" # c\n";
        let after = rewrite(text, &Locator::Toml(key("version")), "1\"0\\0").unwrap();
        assert_eq!(after, "version = \"1\\\"0\\\\0\" # c\n");
        assert_eq!(
            read(&after, &Locator::Toml(key("version"))).unwrap().text,
            "1\"0\\0"
        );
    }

    #[test]
    fn toml_errors() {
        let path = Locator::Toml(key("project.version"));
        for text in variants("# broken header\n[project\nversion = \"1.0.0\"\n") {
            let error = read(&text, &path).unwrap_err();
            assert!(
                matches!(
                    error,
                    FileError::MalformedToml {
                        line: Some(2),
                        column: Some(9),
                        ..
                    }
                ),
                "{error:?}"
            );
            assert_eq!(rewrite(&text, &path, "2.0.0"), Err(error.clone()));
            assert_message_style(&error);
        }
        error_case(
            "[project]\nname = \"x\"\nversion = 1.0 # not quoted\n",
            &path,
            FileError::NotAString {
                path: "project.version".into(),
                line: 3,
                found: "a float",
            },
        );
        error_case(
            "[project]\nname = \"x\"\n\n[project.version]\nmajor = 1\n",
            &path,
            FileError::NotAString {
                path: "project.version".into(),
                line: 4,
                found: "a table",
            },
        );
        error_case(
            "[project]\nname = \"x\"\ndynamic = [\"version\"]\n",
            &path,
            FileError::MissingKey {
                path: "project.version".into(),
            },
        );
        error_case(
            "# one line\nproject = \"x\"\n",
            &path,
            FileError::NotATable {
                path: "project.version".into(),
                prefix: "project".into(),
                line: 2,
                found: "a string",
            },
        );
        error_case(PYPROJECT, &Locator::Toml(vec![]), FileError::EmptyKeyPath);
        // A literal string cannot hold a quote, and re-quoting would change the user's bytes.
        for text in variants(PYPROJECT) {
            assert_eq!(
                rewrite(&text, &path, "1.0'1"),
                Err(FileError::Unrepresentable {
                    line: 8,
                    text: "1.0'1".into(),
                    quoting: "single-quoted literal string",
                })
            );
        }
        assert_message_style(&FileError::Unrepresentable {
            line: 8,
            text: "x".into(),
            quoting: "q",
        });
    }
}
