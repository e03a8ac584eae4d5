//! Git's own rules for a ref name (`git check-ref-format`), checked on what a tag format renders.

/// Why git would refuse `name` as the last part of a ref (`refs/tags/<name>`), following
/// `git check-ref-format`; `None` when it is a valid name. Run on what `tag.format` renders, so that a
/// format that can never make a tag is found by `check`, not half-way through a release.
pub fn ref_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name == "@" {
        return Some("`@` alone is not a ref name");
    }
    if let Some(c) = name.chars().find(|c| c.is_ascii_control()) {
        return Some(if c == '\t' || c == '\n' {
            "it contains whitespace"
        } else {
            "it contains a control character"
        });
    }
    let forbidden: [(&str, &'static str); 10] = [
        (" ", "it contains a space"),
        ("~", "it contains `~`"),
        ("^", "it contains `^`"),
        (":", "it contains `:`"),
        ("?", "it contains `?`"),
        ("*", "it contains `*`"),
        ("[", "it contains `[`"),
        ("\\", "it contains `\\`"),
        ("..", "it contains `..`"),
        ("@{", "it contains `@{`"),
    ];
    if let Some((_, why)) = forbidden.iter().find(|(bad, _)| name.contains(bad)) {
        return Some(why);
    }
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Some("it starts or ends with `/` or has an empty `//` component");
    }
    if name.ends_with('.') {
        return Some("it ends with `.`");
    }
    for component in name.split('/') {
        if component.starts_with('.') {
            return Some("a `/`-separated component starts with `.`");
        }
        if component.ends_with(".lock") {
            return Some("a `/`-separated component ends with `.lock`");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ref_names() {
        let table: &[(&str, bool)] = &[
            // (name, valid)
            ("v1.2.3", true),
            ("release/1.2.3-rc.1+build.5", true),
            ("xtask@1.2.3", true),
            ("v1.2.3-ünïcode", true),
            ("v1.2.3 x", false),
            ("v1.2.3..x", false),
            ("v~1", false),
            ("v^1", false),
            ("v:1", false),
            ("v?1", false),
            ("v*1", false),
            ("v[1", false),
            ("v\\1", false),
            ("v\t1", false),
            ("v\u{7f}1", false),
            ("v@{1", false),
            ("@", false),
            ("", false),
            ("/v1", false),
            ("v1/", false),
            ("a//v1", false),
            ("v1.", false),
            (".v1", false),
            ("a/.v1", false),
            ("v1.lock", false),
            ("v1.lock/x", false),
            ("v1@x", true),
        ];
        for (name, valid) in table {
            assert_eq!(
                ref_name_problem(name).is_none(),
                *valid,
                "{name:?}: {:?}",
                ref_name_problem(name)
            );
        }
    }
}
