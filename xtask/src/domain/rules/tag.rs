//! The tag format (`tag.format`), such as `v{{ version }}`: which tags are release tags, and which
//! version each names.

use super::*;

/// How release tags are named, such as `v{{ version }}`: literal text around one SemVer version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFormat {
    text: String,
    prefix: String,
    suffix: String,
    /// How new tags spell the version; tags in either scheme are read.
    scheme: Scheme,
}

impl TagFormat {
    /// Parses a format with exactly one `{{ version }}` (spaces optional), so that every tag it
    /// renders reads back into its version.
    pub fn parse(format: &str) -> Result<TagFormat, RuleError> {
        let pieces = scan(format).map_err(|error| match error {
            BraceError::Unclosed => RuleError::TagFormatUnclosedBraces {
                format: format.to_owned(),
            },
            BraceError::Stray => RuleError::TagFormatStrayBraces {
                format: format.to_owned(),
            },
        })?;
        let mut prefix = String::new();
        let mut suffix = String::new();
        let mut count = 0_usize;
        for piece in pieces {
            match piece {
                Piece::Text(text) if count == 0 => prefix.push_str(text),
                Piece::Text(text) => suffix.push_str(text),
                Piece::Placeholder("version") => count = count.saturating_add(1),
                Piece::Placeholder(name) => {
                    return Err(RuleError::TagFormatUnknownPlaceholder {
                        format: format.to_owned(),
                        name: name.to_owned(),
                    });
                }
            }
        }
        if count != 1 {
            return Err(RuleError::TagFormatVersionCount {
                format: format.to_owned(),
                count,
            });
        }
        Ok(TagFormat {
            text: format.to_owned(),
            prefix,
            suffix,
            scheme: Scheme::Semver,
        })
    }

    /// The same format, writing new tags in `scheme` (`v4.18.0rc1` in PEP 440).
    pub fn in_scheme(mut self, scheme: Scheme) -> TagFormat {
        self.scheme = scheme;
        self
    }

    /// The scheme new tags are written in.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The tag of `version`: `v{{ version }}` renders 1.2.0 as `v1.2.0`, and 1.3.0-rc.1 as
    /// `v1.3.0-rc.1` in SemVer or `v1.3.0rc1` in PEP 440; a version the scheme cannot spell is
    /// refused with the reason.
    pub fn render(&self, version: &Version) -> Result<String, String> {
        let text = self.scheme.render(version)?;
        Ok(format!("{}{text}{}", self.prefix, self.suffix))
    }

    /// The version a tag names in either scheme (a project that changed its tag style keeps its
    /// history), or `None` when the tag does not fit the format.
    pub fn version_of(&self, tag: &str) -> Option<Version> {
        let version = tag
            .strip_prefix(self.prefix.as_str())?
            .strip_suffix(self.suffix.as_str())?;
        version::parse_any(version)
    }

    /// Whether `tag` is a release tag: one that fits the format. Hooks use it to tell release tags
    /// from other tags; whether other tags are refused is the hook's decision (`check_tag_name`).
    pub fn is_release_tag(&self, tag: &str) -> bool {
        self.version_of(tag).is_some()
    }

    /// The format as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The tag of version 1.2.0, for messages.
    pub fn example(&self) -> String {
        format!("{}1.2.0{}", self.prefix, self.suffix)
    }
}

/// Allows `tag` if it fits `format`.
pub fn check_tag_name(tag: &str, format: &TagFormat) -> Verdict {
    if format.is_release_tag(tag) {
        return Verdict::Allowed;
    }
    Verdict::refused(
        "tag.format",
        format!(
            "tag `{}` does not follow the tag format `{}`",
            shown(tag),
            shown(format.as_str())
        ),
        format!(
            "e.g. `{}`; a tag that is not a release (`nightly-*`) needs a pattern in `tag.allowed` in xtask.toml",
            shown(&format.example())
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_formats() {
        #[track_caller]
        fn case(format: &str, version: &str, tag: &str) {
            let format = TagFormat::parse(format).unwrap();
            let version = Version::parse(version).unwrap();
            assert_eq!(format.render(&version).unwrap(), tag);
            assert_eq!(format.version_of(tag), Some(version));
            assert!(format.is_release_tag(tag));
            assert_eq!(check_tag_name(tag, &format), Verdict::Allowed);
        }
        case("v{{ version }}", "1.2.0", "v1.2.0");
        case("v{{version}}", "1.2.0-rc.1+build.5", "v1.2.0-rc.1+build.5");
        case("{{ version }}", "0.0.1", "0.0.1");
        case(
            "release-{{ version }}-final",
            "1.0.0-beta-2",
            "release-1.0.0-beta-2-final",
        );
        case("xtask@{{ version }}", "3.0.0", "xtask@3.0.0");
    }

    #[test]
    fn tags_that_do_not_fit() {
        #[track_caller]
        fn case(format: &str, tag: &str) {
            let format = TagFormat::parse(format).unwrap();
            assert_eq!(format.version_of(tag), None, "`{tag}`");
            assert!(!format.is_release_tag(tag));
            let Verdict::Refused(Problem { rule, .. }) = check_tag_name(tag, &format) else {
                panic!("`{tag}` must be refused");
            };
            assert_eq!(rule, "tag.format");
        }
        case("v{{ version }}", "release-1");
        case("v{{ version }}", "v1.2");
        case("v{{ version }}", "v01.2.0");
        case("v{{ version }}", "1.2.0");
        case("v{{ version }}", "vv1.2.0");
        case("v{{ version }}", "v");
        case("v{{ version }}", "");
        case("v{{ version }}-x", "v1.2.0");
        case("{{ version }}v", "v");
    }

    #[test]
    fn tag_refusal_text() {
        let format = TagFormat::parse("v{{ version }}").unwrap();
        assert_eq!(format.as_str(), "v{{ version }}");
        assert_eq!(format.example(), "v1.2.0");
        assert_eq!(
            check_tag_name("release-1", &format),
            Verdict::Refused(Problem::new(
                "tag.format",
                "tag `release-1` does not follow the tag format `v{{ version }}`",
                "e.g. `v1.2.0`; a tag that is not a release (`nightly-*`) needs a pattern in \
                 `tag.allowed` in xtask.toml",
            ))
        );
    }

    #[test]
    fn tag_format_errors() {
        #[track_caller]
        fn case(format: &str, expected: RuleError, message_has: &str) {
            let error = TagFormat::parse(format).unwrap_err();
            assert_eq!(error, expected, "`{format}`");
            let message = error.to_string();
            assert!(
                message.contains(message_has),
                "`{message}` lacks `{message_has}`"
            );
        }
        let s = |s: &str| s.to_owned();
        case(
            "v1",
            RuleError::TagFormatVersionCount {
                format: s("v1"),
                count: 0,
            },
            "tags must read back into versions",
        );
        case(
            "",
            RuleError::TagFormatVersionCount {
                format: s(""),
                count: 0,
            },
            "exactly once",
        );
        case(
            "{{ version }}-{{version}}",
            RuleError::TagFormatVersionCount {
                format: s("{{ version }}-{{version}}"),
                count: 2,
            },
            "2 times",
        );
        case(
            "v{{ major }}",
            RuleError::TagFormatUnknownPlaceholder {
                format: s("v{{ major }}"),
                name: s("major"),
            },
            "only `{{ version }}` is accepted",
        );
        case(
            "v{{ version",
            RuleError::TagFormatUnclosedBraces {
                format: s("v{{ version"),
            },
            "without closing",
        );
        case(
            "v{ version }}",
            RuleError::TagFormatStrayBraces {
                format: s("v{ version }}"),
            },
            "without an opening",
        );
    }
}
