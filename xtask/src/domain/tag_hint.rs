//! When no release tag follows `tag.format`: which existing tags look like releases in another format,
//! and the `tag.format` that would recognise them.
//!
//! A repository that tags `release-1.0` or `1.2.3` while the kit expects `v{{ version }}` would otherwise
//! get a changelog of its whole history and a "first release" without a word of why. The guess is
//! deliberately simple: a tag is a release in another format when, after a prefix without digits (`v`,
//! `release-`, `app@`, or nothing), the rest is a version with two or three numbers (`1.0`, `1.2.3`,
//! `2.0.0-rc.1`, `1.0rc1`). The prefix most such tags share wins.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::domain::rules::TagFormat;

/// Existing tags that look like releases named another way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// One of those tags (the one with the highest numbers), to show the user.
    pub example: String,
    /// The `tag.format` that would recognise them, such as `release-{{ version }}`.
    pub format: String,
    /// How many tags share that format.
    pub count: usize,
}

/// Two or three dot-separated numbers, then optionally a SemVer pre-release or build (`-rc.1`, `+b5`) or
/// a PEP 440 pre, post or dev release (`rc1`, `a2`, `.post1`, `.dev0`).
static VERSION_LIKE: LazyLock<regex_lite::Regex> = LazyLock::new(|| {
    regex_lite::Regex::new(
        r"^(\d+)\.(\d+)(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]+|(?:a|b|rc|\.post|\.dev)\d+)?$",
    )
    .expect("a valid constant pattern")
});

/// The format `tags` would follow if they are releases, when none of them follows `format`; `None` when
/// some tag follows `format` or none looks like a version.
pub fn suggest<'a>(
    tags: impl IntoIterator<Item = &'a str>,
    format: &TagFormat,
) -> Option<Suggestion> {
    // Per prefix: how many tags, and the tag with the highest numbers.
    let mut by_prefix: BTreeMap<&str, (usize, (Vec<u64>, &str))> = BTreeMap::new();
    for tag in tags {
        if format.is_release_tag(tag) {
            return None;
        }
        let Some((prefix, numbers)) = split(tag) else {
            continue;
        };
        let slot = by_prefix
            .entry(prefix)
            .or_insert((0, (numbers.clone(), tag)));
        slot.0 += 1;
        if numbers > slot.1.0 {
            slot.1 = (numbers, tag);
        }
    }
    // Most tags first; on a tie, the shorter prefix (`v` before `v-`), then the first in order.
    let (prefix, (count, (_, example))) =
        by_prefix
            .into_iter()
            .max_by(|(pa, (ca, _)), (pb, (cb, _))| {
                ca.cmp(cb).then(pb.len().cmp(&pa.len())).then(pb.cmp(pa))
            })?;
    Some(Suggestion {
        example: example.to_owned(),
        format: format!("{prefix}{{{{ version }}}}"),
        count,
    })
}

/// `release-1.0` → (`release-`, [1, 0]): the prefix before the version and the version's numbers.
fn split(tag: &str) -> Option<(&str, Vec<u64>)> {
    let start = tag.find(|c: char| c.is_ascii_digit())?;
    let (prefix, rest) = tag.split_at_checked(start)?;
    let captures = VERSION_LIKE.captures(rest)?;
    let numbers = (1..=3)
        .filter_map(|i| captures.get(i))
        .map(|m| m.as_str().parse::<u64>().ok())
        .collect::<Option<Vec<u64>>>()?;
    Some((prefix, numbers))
}

/// The warning for a history without a release tag that follows `format`.
pub fn warning(format: &TagFormat, suggestion: Option<&Suggestion>) -> String {
    let mut text = format!(
        "no tag reachable from HEAD follows tag.format `{}` (e.g. `{}`): every commit counts as unreleased",
        format.as_str(),
        format.example()
    );
    let Some(s) = suggestion else {
        return text;
    };
    let (others, verb, noun, them) = match s.count {
        1 => (String::new(), "looks", "a release", "it is"),
        n => (
            format!(" and {} other tag(s)", n - 1),
            "look",
            "releases",
            "they are",
        ),
    };
    // `v1.2` under `v{{ version }}`: the right prefix, but not a whole X.Y.Z version.
    let same = TagFormat::parse(&s.format).is_ok_and(|f| f.example() == format.example());
    if same {
        text.push_str(&format!(
            "\ntag `{}`{others} {} like {noun} in this format but without a full X.Y.Z version: name \
             releases like `{}`",
            s.example,
            verb,
            format.example()
        ));
    } else {
        text.push_str(&format!(
            "\ntag `{}`{others} {verb} like {noun} named another way: if {them} yours, set tag.format to \
             match ([tag] format = \"{}\" in xtask.toml)",
            s.example, s.format
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        // (tags, tag.format, expected (example, format, count))
        type Case<'a> = (&'a [&'a str], &'a str, Option<(&'a str, &'a str, usize)>);
        let cases: &[Case] = &[
            (
                &["release-1.0"],
                "v{{ version }}",
                Some(("release-1.0", "release-{{ version }}", 1)),
            ),
            (
                &["1.2.3"],
                "v{{ version }}",
                Some(("1.2.3", "{{ version }}", 1)),
            ),
            (
                &["release-1.0", "1.2.3", "release-1.1", "nightly"],
                "v{{ version }}",
                Some(("release-1.1", "release-{{ version }}", 2)),
            ),
            (
                &["v1.2"],
                "{{ version }}",
                Some(("v1.2", "v{{ version }}", 1)),
            ),
            (
                &["app@2.0.0-rc.1"],
                "v{{ version }}",
                Some(("app@2.0.0-rc.1", "app@{{ version }}", 1)),
            ),
            (
                &["1.0rc1", "1.0"],
                "v{{ version }}",
                Some(("1.0rc1", "{{ version }}", 2)),
            ),
            (
                &["v1.10.0", "v1.9.0"],
                "release-{{ version }}",
                Some(("v1.10.0", "v{{ version }}", 2)),
            ),
            // A tag that follows the format: nothing to suggest (its release is just not reachable).
            (&["release-1.0", "v1.0.0"], "v{{ version }}", None),
            // Nothing that looks like a version.
            (
                &["nightly", "1", "v1", "1.2.3.4", "v1.2.x", "1.0."],
                "v{{ version }}",
                None,
            ),
            (&[], "v{{ version }}", None),
        ];
        for (tags, format, want) in cases {
            let format = TagFormat::parse(format).unwrap();
            let got = suggest(tags.iter().copied(), &format);
            let want = want.map(|(example, format, count)| Suggestion {
                example: example.to_owned(),
                format: format.to_owned(),
                count,
            });
            assert_eq!(got, want, "{tags:?}");
        }
    }

    #[test]
    fn warning_names_the_format_the_tag_and_the_fix() {
        let format = TagFormat::parse("v{{ version }}").unwrap();
        let plain = warning(&format, None);
        assert!(plain.contains("tag.format `v{{ version }}`"), "{plain}");
        assert!(!plain.contains('\n'), "{plain}");
        let s = suggest(["release-1.0"], &format);
        let hinted = warning(&format, s.as_ref());
        assert!(hinted.contains("`release-1.0`"), "{hinted}");
        assert!(
            hinted.contains("format = \"release-{{ version }}\""),
            "{hinted}"
        );
        let s = suggest(["v1.2"], &format);
        let partial = warning(&format, s.as_ref());
        assert!(
            partial.contains("`v1.2`") && partial.contains("full X.Y.Z"),
            "{partial}"
        );
        assert!(!partial.contains("format = "), "{partial}");
    }
}
