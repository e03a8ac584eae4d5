//! Path globs in git's wildmatch dialect (as in `.gitignore`), matched by gix's engine (`gix-glob`): one
//! dialect for a package's `paths` and for Cargo's workspace `members`.
//!
//! `*` and `?` match within one `/`-separated segment, `[abc]`, `[a-z]` and `[!a]` one character of a
//! class, `\` escapes the next character; `**` matches any number of segments (zero included) when it is
//! a segment of its own (`docs/**`, `**/*.py`, `a/**/b`).

use gix_glob::wildmatch::Mode;

/// Whether the whole of `path` (`/`-separated) matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    gix_glob::wildmatch(
        pattern.as_bytes().into(),
        path.as_bytes().into(),
        Mode::NO_MATCH_SLASH_LITERAL,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialect() {
        for (pattern, path, expected) in [
            ("crates/*", "crates/a", true),
            ("crates/*", "crates/a/b", false),
            ("crates/*", "crates", false),
            ("*", "xtask", true),
            ("*.toml", "x/Cargo.toml", false),
            ("tools/x?", "tools/xy", true),
            ("tools/x?", "tools/x/", false),
            ("crates/[ab]*", "crates/alpha", true),
            ("crates/[!ab]*", "crates/alpha", false),
            ("crates/[a-c]", "crates/b", true),
            ("lit\\*", "lit*", true),
            ("lit\\*", "lita", false),
            ("**", "a/b/c", true),
            ("**/*.py", "c.py", true),
            ("**/*.py", "a/b/c.py", true),
            ("docs/**", "docs/a/b.md", true),
            ("a/**/b", "a/b", true),
            ("a/**/b", "a/x/y/b", true),
            ("a/**/b", "a/x/y/c", false),
            ("xtask", "xtask", true),
            ("xtask", "xtask2", false),
        ] {
            assert_eq!(matches(pattern, path), expected, "{pattern} on {path}");
        }
    }

    /// Patterns anyone can write stay quick: gix's engine stops at a recursion limit instead of
    /// backtracking exponentially.
    #[test]
    fn a_pathological_pattern_ends() {
        let pattern = "*a".repeat(30) + "b";
        let path = "a".repeat(100);
        assert!(!matches(&pattern, &path));
    }
}
