//! Git's own rules for a ref name (`git check-ref-format`), checked on what a tag format renders: gix's
//! validation (`gix-validate`), with its verdicts said in the kit's words.

use gix_validate::reference::name::Error;

/// Why git would refuse `name` as the last part of a ref (`refs/tags/<name>`), following
/// `git check-ref-format`; `None` when it is a valid name. Run on what `tag.format` renders, so that a
/// format that can never make a tag is found by `check`, not half-way through a release.
pub fn ref_name_problem(name: &str) -> Option<&'static str> {
    let error = gix_validate::reference::name_partial(name.as_bytes().into()).err()?;
    Some(match error {
        Error::Empty => "it is empty",
        Error::Reserved { .. } => "`@` alone is not a ref name",
        Error::InvalidByte { byte } => match byte.first() {
            Some(b' ') => "it contains a space",
            Some(b'\t' | b'\n' | b'\r') => "it contains whitespace",
            Some(b'~') => "it contains `~`",
            Some(b'^') => "it contains `^`",
            Some(b':') => "it contains `:`",
            Some(b'?') => "it contains `?`",
            Some(b'[') => "it contains `[`",
            Some(b'\\') => "it contains `\\`",
            _ => "it contains a control character",
        },
        Error::Asterisk => "it contains `*`",
        Error::RepeatedDot => "it contains `..`",
        Error::ReflogPortion => "it contains `@{`",
        Error::StartsWithSlash => "it starts with `/`",
        Error::EndsWithSlash => "it ends with `/`",
        Error::RepeatedSlash => "it has an empty `//` component",
        Error::EndsWithDot => "it ends with `.`",
        Error::StartsWithDot => "a `/`-separated component starts with `.`",
        Error::LockFileSuffix => "a `/`-separated component ends with `.lock`",
        // Only full ref names (`refs/…`, `HEAD`) can be all lowercase where uppercase is required.
        _ => "git refuses it as a ref name",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names() {
        let table: &[(&str, Option<&str>)] = &[
            // (name, why it is refused)
            ("v1.2.3", None),
            ("release/1.2.3-rc.1+build.5", None),
            ("xtask@1.2.3", None),
            ("v1.2.3-ünïcode", None),
            ("v1@x", None),
            ("V1.2.3", None),
            ("v1.2.3 x", Some("it contains a space")),
            ("v1.2.3..x", Some("it contains `..`")),
            ("v~1", Some("it contains `~`")),
            ("v^1", Some("it contains `^`")),
            ("v:1", Some("it contains `:`")),
            ("v?1", Some("it contains `?`")),
            ("v*1", Some("it contains `*`")),
            ("v[1", Some("it contains `[`")),
            ("v\\1", Some("it contains `\\`")),
            ("v\t1", Some("it contains whitespace")),
            ("v\n1", Some("it contains whitespace")),
            ("v\u{7}1", Some("it contains a control character")),
            ("v\u{7f}1", Some("it contains a control character")),
            ("v@{1", Some("it contains `@{`")),
            ("@", Some("`@` alone is not a ref name")),
            ("", Some("it is empty")),
            ("/v1", Some("it starts with `/`")),
            ("v1/", Some("it ends with `/`")),
            ("a//v1", Some("it has an empty `//` component")),
            ("v1.", Some("it ends with `.`")),
            (".v1", Some("a `/`-separated component starts with `.`")),
            ("a/.v1", Some("a `/`-separated component starts with `.`")),
            (
                "v1.lock",
                Some("a `/`-separated component ends with `.lock`"),
            ),
            (
                "v1.lock/x",
                Some("a `/`-separated component ends with `.lock`"),
            ),
        ];
        for (name, why) in table {
            assert_eq!(ref_name_problem(name), *why, "{name:?}");
        }
    }
}
