//! PEP 440 version text for Python packages, read into and written from the kit's [`Version`].
//!
//! | PEP 440 (normal form) | the same version in SemVer   |
//! |-----------------------|------------------------------|
//! | `1.2.0`               | `1.2.0`                      |
//! | `1.2.0a1`             | `1.2.0-alpha.1`              |
//! | `1.2.0b2`             | `1.2.0-beta.2`               |
//! | `1.2.0rc1`            | `1.2.0-rc.1` (or `-rc1`)     |
//! | `1.2.0.dev3`          | `1.2.0-dev.3`                |
//! | `1.2.0.dev0`          | `1.2.0-dev.0` or `1.2.0-dev` |
//! | `1.2.0+local.7`       | `1.2.0+local.7`              |
//! | `1.0.0.post1`         | none: refused in SemVer files and tags |
//!
//! A bare SemVer kind renders with number 0 (`1.2.0-rc` is `1.2.0rc0`), and [`parse`] always
//! writes the number out, so `1.2.0.dev0` reads back as `1.2.0-dev.0` (the same version as
//! `1.2.0-dev`, see [`super`]).
//!
//! [`parse`] accepts what PEP 440 normalises to those forms: any letter case, a leading `v`,
//! surrounding whitespace, one to three release numbers (`1.2` is `1.2.0`), the spellings
//! `alpha`, `beta`, `c`, `pre` and `preview`, the separators `.`, `-` and `_` around a pre-release,
//! post or dev tag, the post spellings `post`, `rev`, `r` and the implicit `1.0-1`, and a missing
//! number meaning `0` (`1.2.0a` is `1.2.0-alpha.0`).
//!
//! Refused, because the kit's versions have no place for them: epochs (`1!2.0`), a pre-release
//! combined with a dev release (`1.0rc1.dev2`), a post-release combined with either, and more
//! than three release numbers.
//!
//! PEP 440 orders `X.Y.Z.devN` < `X.Y.ZaN` < `X.Y.ZbN` < `X.Y.ZrcN` < `X.Y.Z` < `X.Y.Z.postN`,
//! which is exactly the kit's release order ([`super::release_cmp`]).

use std::fmt;

use super::model::{BuildMetadata, PreKind, Version, pre_release, with_pre};

/// Everything that can go wrong while reading or writing PEP 440 text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pep440Error {
    /// The text does not follow the PEP 440 grammar at all.
    Invalid { text: String, reason: String },
    /// `N!` in front of the release numbers.
    Epoch { text: String },
    /// Both a pre-release (`a`, `b`, `rc`) and a dev release.
    PreAndDev { text: String },
    /// A post-release combined with a pre-release or a dev release.
    PostAndPre { text: String },
    /// More than major, minor and patch.
    TooManySegments { text: String, count: usize },
    /// A number too large for a `u64`.
    Overflow { text: String },
    /// A SemVer pre-release other than the kit's `dev`, `alpha`, `beta` and `rc`.
    NotRepresentable { version: Version },
}

impl fmt::Display for Pep440Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pep440Error::Invalid { text, reason } => write!(
                f,
                "`{text}` is not a PEP 440 version ({reason}): write it like 1.2.0, 1.2.0rc1 or \
                 1.2.0.dev3"
            ),
            Pep440Error::Epoch { text } => write!(
                f,
                "`{text}` has an epoch, which is not supported because SemVer has no equivalent: \
                 drop the `N!` prefix"
            ),
            Pep440Error::PreAndDev { text } => write!(
                f,
                "`{text}` combines a pre-release with a dev release, which is not supported \
                 because a SemVer version has a single pre-release label: use either the \
                 pre-release (like 1.0rc1) or the dev release (like 1.0.dev2)"
            ),
            Pep440Error::PostAndPre { text } => write!(
                f,
                "`{text}` combines a post-release with a pre-release or dev release, which is not \
                 supported: use one of them (like 1.0.post1 or 1.0rc1)"
            ),
            Pep440Error::TooManySegments { text, count } => write!(
                f,
                "`{text}` has {count} release numbers but at most 3 are supported \
                 (major.minor.patch, as in SemVer): drop the extra numbers"
            ),
            Pep440Error::Overflow { text } => write!(
                f,
                "`{text}` has a number larger than {max}, which a version cannot hold: use a \
                 smaller number",
                max = u64::MAX
            ),
            Pep440Error::NotRepresentable { version } => write!(
                f,
                "{version} cannot be written as a PEP 440 version: use alpha, beta, rc or dev \
                 pre-releases"
            ),
        }
    }
}

impl std::error::Error for Pep440Error {}

/// Reads PEP 440 text and returns the canonical SemVer version.
pub fn parse(text: &str) -> Result<Version, Pep440Error> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let parts = Parts::read(&lower).map_err(|reason| Pep440Error::Invalid {
        text: trimmed.to_owned(),
        reason,
    })?;
    // The grammar is checked as a whole first so that garbage such as `1.0rc1rc2` is reported as
    // invalid rather than as whichever unsupported feature its first letters resemble.
    let owned = || trimmed.to_owned();
    if parts.epoch {
        return Err(Pep440Error::Epoch { text: owned() });
    }
    if parts.pre.is_some() && parts.dev.is_some() {
        return Err(Pep440Error::PreAndDev { text: owned() });
    }
    if parts.post.is_some() && (parts.pre.is_some() || parts.dev.is_some()) {
        return Err(Pep440Error::PostAndPre { text: owned() });
    }
    if parts.release.len() > 3 {
        return Err(Pep440Error::TooManySegments {
            text: owned(),
            count: parts.release.len(),
        });
    }
    let number = |digits: &str| {
        digits
            .parse::<u64>()
            .map_err(|_| Pep440Error::Overflow { text: owned() })
    };
    let mut release = [0u64; 3];
    for (slot, digits) in release.iter_mut().zip(&parts.release) {
        *slot = number(digits)?;
    }
    let [major, minor, patch] = release;
    let core = Version::new(major, minor, patch);
    // A missing number means 0 in PEP 440, so it is written out: `1.2.0a` is `1.2.0-alpha.0`.
    let optional = |digits: Option<&str>| digits.map_or(Ok(0), number);
    let mut version = match (parts.pre, parts.dev) {
        (Some((kind, digits)), _) => with_pre(&core, kind, Some(optional(digits)?)),
        (None, Some(digits)) => with_pre(&core, PreKind::Dev, Some(optional(digits)?)),
        (None, None) => core,
    };
    if let Some(digits) = parts.post {
        version.post = Some(optional(digits)?);
    }
    if let Some(label) = parts.local {
        // PEP 440 normalises a local label's separators to `.`; SemVer build metadata holds it.
        let normal = label.replace(['-', '_'], ".");
        version.build = BuildMetadata::new(&normal).map_err(|e| Pep440Error::Invalid {
            text: owned(),
            reason: e.to_string(),
        })?;
    }
    Ok(version)
}

/// Writes a canonical SemVer version in PEP 440 normal form.
pub fn render(v: &Version) -> Result<String, Pep440Error> {
    let mut text = format!("{}.{}.{}", v.major, v.minor, v.patch);
    if !v.pre.is_empty() {
        let pre =
            pre_release(v).ok_or_else(|| Pep440Error::NotRepresentable { version: v.clone() })?;
        let number = pre.number.unwrap_or(0);
        text.push_str(&match pre.kind {
            PreKind::Dev => format!(".dev{number}"),
            PreKind::Alpha => format!("a{number}"),
            PreKind::Beta => format!("b{number}"),
            PreKind::Rc => format!("rc{number}"),
        });
    }
    if let Some(post) = v.post {
        text.push_str(&format!(".post{post}"));
    }
    if !v.build.is_empty() {
        // A local label is lowercase alphanumerics separated by dots in normal form.
        let label = v.build.as_str().to_ascii_lowercase().replace('-', ".");
        text.push('+');
        text.push_str(&label);
    }
    Ok(text)
}

/// The pieces of a PEP 440 version as written, before any support decisions.
struct Parts<'a> {
    epoch: bool,
    release: Vec<&'a str>,
    pre: Option<(PreKind, Option<&'a str>)>,
    /// `Some(number)` for a post-release; an implicit (`1.0-1`) or bare (`1.0.post`) one too.
    post: Option<Option<&'a str>>,
    dev: Option<Option<&'a str>>,
    local: Option<&'a str>,
}

/// Pre-release spellings, longest first so that `preview` is not read as `pre` plus `view`.
const PRE_TAGS: [(&str, PreKind); 8] = [
    ("preview", PreKind::Rc),
    ("alpha", PreKind::Alpha),
    ("beta", PreKind::Beta),
    ("pre", PreKind::Rc),
    ("rc", PreKind::Rc),
    ("a", PreKind::Alpha),
    ("b", PreKind::Beta),
    ("c", PreKind::Rc),
];

const POST_TAGS: [&str; 3] = ["post", "rev", "r"];

impl<'a> Parts<'a> {
    /// Follows the grammar of PEP 440's `VERSION_PATTERN` on lowercase text; the error is a short
    /// reason for the message.
    fn read(text: &'a str) -> Result<Parts<'a>, String> {
        let mut cursor = Cursor {
            rest: text.strip_prefix('v').unwrap_or(text),
        };
        if cursor.rest.is_empty() {
            return Err("it is empty".to_owned());
        }

        let mut epoch_cursor = cursor;
        let epoch = epoch_cursor.digits().is_some() && epoch_cursor.eat("!");
        if epoch {
            cursor = epoch_cursor;
        }

        let mut release = Vec::new();
        loop {
            let segment = cursor
                .digits()
                .ok_or_else(|| format!("expected a release number at `{}`", cursor.rest))?;
            release.push(segment);
            let mut next = cursor;
            if next.eat(".") && next.starts_with_digit() {
                cursor = next;
            } else {
                break;
            }
        }

        let pre = cursor.attempt(|c| {
            c.separator();
            let kind = PRE_TAGS
                .iter()
                .find_map(|(tag, kind)| c.eat(tag).then_some(*kind))?;
            Some((kind, c.tag_number()))
        });

        let post = cursor
            .attempt(|c| {
                // The implicit form `1.0-1` has its number right after the hyphen.
                c.eat("-").then_some(())?;
                c.digits().map(Some)
            })
            .or_else(|| {
                cursor.attempt(|c| {
                    c.separator();
                    POST_TAGS.iter().find(|tag| c.eat(tag))?;
                    Some(c.tag_number())
                })
            });

        let dev = cursor.attempt(|c| {
            c.separator();
            c.eat("dev").then(|| c.tag_number())
        });

        let mut local = None;
        if cursor.eat("+") {
            let label_ok = cursor
                .rest
                .split(['.', '-', '_'])
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()));
            if !label_ok {
                return Err(format!("`{}` is not a valid local label", cursor.rest));
            }
            local = Some(cursor.rest);
            cursor.rest = "";
        }

        if !cursor.rest.is_empty() {
            return Err(format!("unexpected `{}`", cursor.rest));
        }
        Ok(Parts {
            epoch,
            release,
            pre,
            post,
            dev,
            local,
        })
    }
}

/// The unread rest of the text. Every step only ever stops after an ASCII byte, so slicing
/// always lands on a character boundary.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn eat(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn digits(&mut self) -> Option<&'a str> {
        let len = self.rest.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        let (digits, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        Some(digits)
    }

    fn starts_with_digit(&self) -> bool {
        self.rest.starts_with(|c: char| c.is_ascii_digit())
    }

    fn separator(&mut self) -> bool {
        self.eat(".") || self.eat("-") || self.eat("_")
    }

    /// The optional number after a tag, with an optional separator before it. A separator with
    /// no number after it is left for the next part (`1.0a.dev1`).
    fn tag_number(&mut self) -> Option<&'a str> {
        let mut ahead = *self;
        ahead.separator();
        let digits = ahead.digits()?;
        *self = ahead;
        Some(digits)
    }

    /// Runs `step` on a copy and keeps its progress only when it succeeds.
    fn attempt<T>(&mut self, step: impl FnOnce(&mut Cursor<'a>) -> Option<T>) -> Option<T> {
        let mut ahead = *self;
        let found = step(&mut ahead)?;
        *self = ahead;
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::{is_greater, release_cmp};
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Ordering;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("test versions are valid SemVer")
    }

    /// `expected` is the SemVer text, or a fragment of the error message.
    #[track_caller]
    fn case(text: &str, expected: Result<&str, &str>) {
        super::super::assert_outcome(&format!("{text:?}"), parse(text), expected.map(v));
    }

    /// `expected` is the PEP 440 text, or a fragment of the error message.
    #[track_caller]
    fn render_case(semver: &str, expected: Result<&str, &str>) {
        super::super::assert_outcome(semver, render(&v(semver)), expected.map(str::to_string));
    }

    #[test]
    fn parses_release_numbers() {
        case("1", Ok("1.0.0"));
        case("1.2", Ok("1.2.0"));
        case("1.2.3", Ok("1.2.3"));
        case(" v1.2.3 \n", Ok("1.2.3"));
        case("V1.2.3", Ok("1.2.3"));
        case("01.002.3", Ok("1.2.3"));
        case(
            "1.2.3.4",
            Err("`1.2.3.4` has 4 release numbers but at most 3 are supported"),
        );
        case("1.2.3.4rc1", Err("`1.2.3.4rc1` has 4 release numbers"));
        case("99999999999999999999", Err("number larger than"));
    }

    #[test]
    fn parses_pre_releases() {
        case("1.2.0rc1", Ok("1.2.0-rc.1"));
        case("1.2.0RC1", Ok("1.2.0-rc.1"));
        case("1.2.0-rc.1", Ok("1.2.0-rc.1"));
        case("1.2.0_rc_1", Ok("1.2.0-rc.1"));
        case("1.2.0.rc-1", Ok("1.2.0-rc.1"));
        case("1.2.0c1", Ok("1.2.0-rc.1"));
        case("1.2.0pre1", Ok("1.2.0-rc.1"));
        case("1.2.0-preview.1", Ok("1.2.0-rc.1"));
        case("1.2.0rc", Ok("1.2.0-rc.0"));
        case("1.2rc1", Ok("1.2.0-rc.1"));
        case("1.2.0rc20241029", Ok("1.2.0-rc.20241029"));
        case("1.2.0a1", Ok("1.2.0-alpha.1"));
        case("1.2.0alpha1", Ok("1.2.0-alpha.1"));
        case("1.2.0-Alpha-1", Ok("1.2.0-alpha.1"));
        case("1.2.0a", Ok("1.2.0-alpha.0"));
        case("1.2.0b2", Ok("1.2.0-beta.2"));
        case("1.2.0.beta2", Ok("1.2.0-beta.2"));
        case("1.2.0rc99999999999999999999", Err("number larger than"));
    }

    #[test]
    fn parses_dev_releases() {
        case("1.2.0.dev3", Ok("1.2.0-dev.3"));
        case("1.2.0dev3", Ok("1.2.0-dev.3"));
        case("1.2.0-dev3", Ok("1.2.0-dev.3"));
        case("1.2.0_dev_3", Ok("1.2.0-dev.3"));
        case("1.2.0.DEV.3", Ok("1.2.0-dev.3"));
        case("1.2.0.dev0", Ok("1.2.0-dev.0"));
        case("1.2.0.dev", Ok("1.2.0-dev.0"));
        case("1.2.dev1", Ok("1.2.0-dev.1"));
    }

    #[test]
    fn refuses_what_the_kit_cannot_hold() {
        case("1!2.0", Err("`1!2.0` has an epoch, which is not supported"));
        case("1.0rc1.post1", Err("combines a post-release"));
        case("1.0.post1.dev2", Err("combines a post-release"));
        case(
            "1.0rc1.dev2",
            Err("combines a pre-release with a dev release"),
        );
        case(
            "1.0a.dev1",
            Err("combines a pre-release with a dev release"),
        );
    }

    /// Post-releases and local labels have no SemVer text to compare with, so these tables check
    /// the parsed fields and the normal form written back.
    #[test]
    fn post_releases_and_local_labels() {
        let table: [(&str, Option<u64>, &str, &str); 9] = [
            ("1.0.post1", Some(1), "", "1.0.0.post1"),
            ("1.0-1", Some(1), "", "1.0.0.post1"),
            ("1.0post", Some(0), "", "1.0.0.post0"),
            ("1.0.rev2", Some(2), "", "1.0.0.post2"),
            ("1.0-r2", Some(2), "", "1.0.0.post2"),
            ("1.0.0.POST_3", Some(3), "", "1.0.0.post3"),
            ("1.0+abc", None, "abc", "1.0.0+abc"),
            ("1.0+ubuntu-1.2", None, "ubuntu.1.2", "1.0.0+ubuntu.1.2"),
            (
                "1.0.post1+Local_7",
                Some(1),
                "local.7",
                "1.0.0.post1+local.7",
            ),
        ];
        for (text, post, build, normal) in table {
            let got = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(got.post, post, "{text}");
            assert_eq!(got.build.as_str(), build, "{text}");
            assert_eq!(render(&got).as_deref(), Ok(normal), "{text}");
        }
        // A post-release sorts after its final release and before the next pre-release.
        let post = parse("1.0.0.post1").unwrap();
        assert!(is_greater(&post, &v("1.0.0")));
        assert!(is_greater(&v("1.0.1-dev"), &post));
        assert!(is_greater(&parse("1.0.0.post2").unwrap(), &post));
    }

    #[test]
    fn refuses_invalid_text() {
        case("", Err("`` is not a PEP 440 version (it is empty)"));
        case("   ", Err("is not a PEP 440 version"));
        case("v", Err("is not a PEP 440 version"));
        case("abc", Err("`abc` is not a PEP 440 version"));
        case("1..0", Err("unexpected `..0`"));
        case("1.0.", Err("unexpected `.`"));
        case("1.0-", Err("unexpected `-`"));
        case("1.0rc1rc2", Err("unexpected"));
        case("1.0ab", Err("unexpected"));
        case("1.0+", Err("not a valid local label"));
        case("1.0+a..b", Err("not a valid local label"));
        case("!1.0", Err("is not a PEP 440 version"));
        case("1.0 rc1", Err("is not a PEP 440 version"));
        case("1.0é", Err("unexpected `é`"));
        case("1.0.0-rc.1", Ok("1.0.0-rc.1"));
    }

    #[test]
    fn renders_normal_form() {
        render_case("1.2.0", Ok("1.2.0"));
        render_case("0.0.0", Ok("0.0.0"));
        render_case("1.2.0-rc.1", Ok("1.2.0rc1"));
        render_case("1.2.0-alpha.1", Ok("1.2.0a1"));
        render_case("1.2.0-beta.2", Ok("1.2.0b2"));
        render_case("1.2.0-dev.3", Ok("1.2.0.dev3"));
        render_case("1.2.0-dev.0", Ok("1.2.0.dev0"));
        render_case("1.2.0-dev", Ok("1.2.0.dev0"));
        render_case("1.2.0-alpha", Ok("1.2.0a0"));
        render_case("1.2.0-beta", Ok("1.2.0b0"));
        render_case("1.2.0-rc", Ok("1.2.0rc0"));
        render_case("1.2.0-rc.20241029", Ok("1.2.0rc20241029"));
    }

    #[test]
    fn refuses_to_render_other_pre_releases() {
        render_case(
            "1.0.0-foo.1",
            Err(
                "1.0.0-foo.1 cannot be written as a PEP 440 version: use alpha, beta, rc or dev \
                 pre-releases",
            ),
        );
        render_case("1.0.0-rc.1.2", Err("use alpha, beta, rc or dev"));
        render_case("1.0.0-rc.99999999999999999999", Err("cannot be written"));
    }

    #[test]
    fn renders_other_spellings_of_known_pre_releases() {
        render_case("1.0.0-RC.1", Ok("1.0.0rc1"));
        render_case("2.4.0-rc2", Ok("2.4.0rc2"));
        render_case("1.0.0-a.1", Ok("1.0.0a1"));
        render_case("1.0.0-beta3", Ok("1.0.0b3"));
        render_case("1.0.0+abc", Ok("1.0.0+abc"));
        render_case("1.0.0-rc.1+Build-5", Ok("1.0.0rc1+build.5"));
    }

    fn kind() -> impl Strategy<Value = PreKind> {
        prop_oneof![
            Just(PreKind::Dev),
            Just(PreKind::Alpha),
            Just(PreKind::Beta),
            Just(PreKind::Rc),
        ]
    }

    fn number() -> impl Strategy<Value = u64> {
        prop_oneof![4 => 0u64..3, 1 => any::<u64>()]
    }

    /// Final versions and the kit's own pre-releases, with or without a number.
    fn version() -> impl Strategy<Value = Version> {
        (
            number(),
            number(),
            number(),
            proptest::option::of((kind(), proptest::option::of(number()))),
        )
            .prop_map(|(major, minor, patch, pre)| {
                let core = Version::new(major, minor, patch);
                match pre {
                    Some((kind, number)) => with_pre(&core, kind, number),
                    None => core,
                }
            })
    }

    /// PEP 440 writes a missing pre-release number as 0, so a bare SemVer kind comes back as `.0`.
    fn with_numbers_written(version: &Version) -> Version {
        match pre_release(version) {
            Some(pre) => with_pre(version, pre.kind, Some(pre.number.unwrap_or(0))),
            None => version.clone(),
        }
    }

    /// PEP 440's order, spelled out: dev releases, then a, b, rc, then the final release.
    fn pep440_key(version: &Version) -> (u64, u64, u64, u8, u64) {
        let (phase, number) = match pre_release(version) {
            Some(pre) => {
                let phase = match pre.kind {
                    PreKind::Dev => 0,
                    PreKind::Alpha => 1,
                    PreKind::Beta => 2,
                    PreKind::Rc => 3,
                };
                (phase, pre.number.unwrap_or(0))
            }
            None => (4, 0),
        };
        (version.major, version.minor, version.patch, phase, number)
    }

    proptest! {
        #[test]
        fn render_then_parse_round_trips(version in version()) {
            let text = render(&version).expect("known kinds render");
            prop_assert_eq!(parse(&text), Ok(with_numbers_written(&version)));
        }

        #[test]
        fn rendering_is_stable(version in version()) {
            let text = render(&version).expect("known kinds render");
            let again = parse(&text).and_then(|parsed| render(&parsed));
            prop_assert_eq!(again, Ok(text));
        }

        #[test]
        fn release_order_agrees_with_pep440(a in version(), b in version()) {
            let (a, b) = (with_numbers_written(&a), with_numbers_written(&b));
            prop_assert_eq!(release_cmp(&a, &b), pep440_key(&a).cmp(&pep440_key(&b)));
        }

        #[test]
        fn bare_kinds_sort_like_their_zero(a in version(), b in version()) {
            // PEP 440 cannot tell `a` from `a0`; the kit only puts the bare kind just below `.0`.
            let ordering = pep440_key(&a).cmp(&pep440_key(&b));
            if ordering != Ordering::Equal {
                prop_assert_eq!(release_cmp(&a, &b), ordering);
            }
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,20}", pep_like in "[vV0-9.!+_a-z-]{0,20}") {
            // Any input gives a version that renders to a normal form reading back the same, or one
            // of the reading errors, explained.
            for input in [&text, &pep_like] {
                match parse(input) {
                    Ok(version) => {
                        let normal = render(&version);
                        prop_assert!(normal.is_ok(), "{:?} → {} → {:?}", input, version, normal);
                        let normal = normal.unwrap_or_default();
                        prop_assert_eq!(parse(&normal), Ok(version));
                    }
                    Err(e) => {
                        let reading_error = !matches!(e, Pep440Error::NotRepresentable { .. });
                        prop_assert!(reading_error, "{:?}: {:?}", input, e);
                        prop_assert!(!e.to_string().is_empty());
                    }
                }
            }
        }
    }
}
