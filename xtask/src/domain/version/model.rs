//! The version value: its parts, the release order, pre-releases the kit knows, and bumps.
//!
//! See the parent module for the spellings and the order; the schemes read and write its text.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use std::hash::{Hash, Hasher};

pub use semver::{BuildMetadata, Prerelease};

/// One release's version: `X.Y.Z`, at most one of a pre-release or a post-release, and build
/// metadata (a PEP 440 local label). Compared as versions, not as text (see the module docs).
#[derive(Debug, Clone)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// The pre-release as spelled (`rc.1`, `rc1`, `dev`); empty for none.
    pub pre: Prerelease,
    /// A PEP 440 post-release number (`1.0.0.post1`); SemVer has no spelling for it.
    pub post: Option<u64>,
    pub build: BuildMetadata,
}

impl Version {
    /// `X.Y.Z` with nothing else.
    pub const fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version {
            major,
            minor,
            patch,
            pre: Prerelease::EMPTY,
            post: None,
            build: BuildMetadata::EMPTY,
        }
    }

    /// Parses SemVer 2.0 text (no leading `v`, no whitespace), keeping its spelling.
    pub fn parse(text: &str) -> Result<Version, semver::Error> {
        semver::Version::parse(text).map(Version::from)
    }

    /// Whether this is a final release: no pre-release (a post-release counts as final).
    pub fn is_final(&self) -> bool {
        self.pre.is_empty()
    }

    /// The normal form that equality, hashing and ordering read.
    fn key(&self) -> Key {
        Key {
            core: (self.major, self.minor, self.patch),
            pre: normal_pre(&self.pre),
            post: self.post,
            build: self
                .build
                .as_str()
                .split(['.', '-', '_'])
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
                .collect(),
        }
    }
}

impl From<semver::Version> for Version {
    fn from(v: semver::Version) -> Version {
        Version {
            major: v.major,
            minor: v.minor,
            patch: v.patch,
            pre: v.pre,
            post: None,
            build: v.build,
        }
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Version) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// Written as read: SemVer text, with a post-release as PEP 440 writes it (`1.0.0.post1`), since
/// SemVer has none. Files get their own scheme's spelling through [`render_semver`] and
/// `pep440::render` (a sibling module).
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if let Some(post) = self.post {
            write!(f, ".post{post}")?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build)?;
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = semver::Error;

    fn from_str(text: &str) -> Result<Version, semver::Error> {
        Version::parse(text)
    }
}

/// A version's normal form: what makes two spellings the same version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    core: (u64, u64, u64),
    pre: Vec<Ident>,
    post: Option<u64>,
    build: Vec<String>,
}

/// One pre-release identifier in normal form: numbers without leading zeros, known kinds in the
/// kit's lowercase words.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Ident {
    Number(String),
    Word(String),
}

/// The pre-release of `pre` in normal form: a pre-release the kit knows (in any of its spellings,
/// see [`known_pre_parts`]) becomes `[kind, N]` with a bare kind meaning `N = 0`; anything else is
/// kept identifier by identifier.
fn normal_pre(pre: &Prerelease) -> Vec<Ident> {
    if pre.is_empty() {
        return Vec::new();
    }
    if let Some((kind, digits)) = known_pre_parts(pre) {
        return vec![
            Ident::Word(kind.as_str().to_owned()),
            Ident::Number(strip_zeros(digits.unwrap_or("0"))),
        ];
    }
    pre.as_str()
        .split('.')
        .map(|id| {
            if is_numeric(id) {
                Ident::Number(strip_zeros(id))
            } else {
                Ident::Word(id.to_owned())
            }
        })
        .collect()
}

fn strip_zeros(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() { "0" } else { trimmed }.to_owned()
}

/// SemVer text for a file or tag in the SemVer scheme: the version as spelled, refused when it has
/// a post-release (SemVer has no spelling for one).
pub fn render_semver(v: &Version) -> Result<String, VersionError> {
    if v.post.is_some() {
        return Err(VersionError::NoSemverSpelling { version: v.clone() });
    }
    Ok(v.to_string())
}

/// How far a release moves: the usual SemVer levels.
///
/// The derived order (`Patch < Minor < Major`) lets callers fold commits into one level with `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Patch,
    Minor,
    Major,
}

impl Level {
    /// Every level, in the order they are listed in messages.
    pub const ALL: [Level; 3] = [Level::Major, Level::Minor, Level::Patch];

    /// The lowercase word used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Patch => "patch",
            Level::Minor => "minor",
            Level::Major => "major",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let word = text.trim();
        Level::ALL
            .into_iter()
            .find(|level| word.eq_ignore_ascii_case(level.as_str()))
            .ok_or_else(|| VersionError::UnknownLevel {
                text: text.to_owned(),
            })
    }
}

/// The pre-release kinds the kit writes and continues.
///
/// The derived order is the release order (`Dev < Alpha < Beta < Rc`), not SemVer's lexical one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PreKind {
    Dev,
    Alpha,
    Beta,
    Rc,
}

impl PreKind {
    /// Every kind, in the order they are listed in messages.
    pub const ALL: [PreKind; 4] = [PreKind::Rc, PreKind::Alpha, PreKind::Beta, PreKind::Dev];

    /// The identifier as written in a SemVer pre-release.
    pub fn as_str(self) -> &'static str {
        match self {
            PreKind::Dev => "dev",
            PreKind::Alpha => "alpha",
            PreKind::Beta => "beta",
            PreKind::Rc => "rc",
        }
    }
}

impl fmt::Display for PreKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PreKind {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let word = text.trim();
        PreKind::ALL
            .into_iter()
            .find(|kind| word.eq_ignore_ascii_case(kind.as_str()))
            .ok_or_else(|| VersionError::UnknownPreKind {
                text: text.to_owned(),
            })
    }
}

/// What the user asked the next version to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BumpRequest {
    /// `major`, `minor` or `patch`.
    Level(Level),
    /// A level combined with `--pre`: the first (or next) pre-release of that level's version.
    LevelPre(Level, PreKind),
    /// `rc`, `alpha`, `beta` or `dev` alone: the next pre-release of that kind.
    Pre(PreKind),
    /// `release`: drop the pre-release.
    Release,
    /// An explicit version such as `1.4.0` or `v1.4.0`.
    Exact(Version),
}

impl fmt::Display for BumpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BumpRequest::Level(level) => write!(f, "{level}"),
            BumpRequest::LevelPre(level, kind) => write!(f, "{level} --pre {kind}"),
            BumpRequest::Pre(kind) => write!(f, "{kind}"),
            BumpRequest::Release => f.write_str("release"),
            BumpRequest::Exact(version) => write!(f, "{version}"),
        }
    }
}

/// A parsed view of a pre-release the kit knows: a kind and an optional number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PreRelease {
    pub kind: PreKind,
    /// `None` for a bare kind such as `1.2.0-dev`.
    pub number: Option<u64>,
}

/// Everything that can go wrong while reading a bump request or computing the next version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionError {
    /// The bump argument is neither a known word nor a version.
    UnknownRequest { arg: String },
    /// Not one of `major`, `minor`, `patch`.
    UnknownLevel { text: String },
    /// Not one of `rc`, `alpha`, `beta`, `dev`.
    UnknownPreKind { text: String },
    /// Text that should be a SemVer version is not one; `reason` comes from the SemVer parser.
    InvalidVersion { text: String, reason: String },
    /// `--pre` was combined with something other than a level.
    PreWithoutLevel { arg: String, pre: PreKind },
    /// The computed or requested version does not move forward in release order.
    NotGreater { current: Version, new: Version },
    /// `release` on a version that has no pre-release to drop.
    AlreadyFinal { version: Version },
    /// `rc`/`alpha`/`beta`/`dev` alone on a pre-release the kit does not know how to continue.
    UnknownPreRelease { version: Version },
    /// A post-release, which SemVer cannot spell, to be written in SemVer.
    NoSemverSpelling { version: Version },
    /// A version number would not fit in a `u64`.
    Overflow {
        current: Version,
        request: BumpRequest,
    },
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::UnknownRequest { arg } => write!(
                f,
                "unknown bump `{arg}`: use major, minor, patch, rc, alpha, beta, dev, release, \
                 or a version like 1.2.3"
            ),
            VersionError::UnknownLevel { text } => {
                write!(f, "unknown level `{text}`: use major, minor or patch")
            }
            VersionError::UnknownPreKind { text } => write!(
                f,
                "unknown pre-release kind `{text}`: use rc, alpha, beta or dev"
            ),
            VersionError::InvalidVersion { text, reason } => write!(
                f,
                "`{text}` is not a valid version ({reason}): write it as MAJOR.MINOR.PATCH \
                 with an optional pre-release, like 1.2.3 or 1.3.0-rc.1"
            ),
            VersionError::PreWithoutLevel { arg, pre } => write!(
                f,
                "--pre {pre} cannot be combined with `{arg}`: use --pre with major, minor or \
                 patch, or drop it"
            ),
            VersionError::NotGreater { current, new } => write!(
                f,
                "{new} is not greater than the current version {current}: choose a higher level \
                 or version"
            ),
            VersionError::AlreadyFinal { version } => write!(
                f,
                "{version} is already a final release, so `release` has no pre-release to drop: \
                 use major, minor or patch instead"
            ),
            VersionError::UnknownPreRelease { version } => write!(
                f,
                "the pre-release of {version} is not one the kit continues (it continues dev, \
                 alpha, beta and rc with an optional number): pass an explicit version instead"
            ),
            VersionError::NoSemverSpelling { version } => write!(
                f,
                "{version} is a PEP 440 post-release, which SemVer cannot write: release the fix \
                 as a new patch version instead"
            ),
            VersionError::Overflow { current, request } => write!(
                f,
                "`{request}` on {current} would push a number past {max}: pass an explicit \
                 version instead",
                max = u64::MAX
            ),
        }
    }
}

impl std::error::Error for VersionError {}

/// Parses SemVer text such as `1.2.3` or `1.3.0-rc.1`, ignoring surrounding whitespace.
pub fn parse_version(text: &str) -> Result<Version, VersionError> {
    Version::parse(text.trim()).map_err(|error| VersionError::InvalidVersion {
        text: text.to_owned(),
        reason: error.to_string(),
    })
}

/// `X.Y.Z` of `v`, without pre-release or build metadata.
pub fn core(v: &Version) -> Version {
    Version::new(v.major, v.minor, v.patch)
}

/// Builds `X.Y.Z-kind.N` from the `X.Y.Z` of `core` (its own pre-release and build are dropped),
/// or `X.Y.Z-kind` when `number` is `None`.
pub fn with_pre(core: &Version, kind: PreKind, number: Option<u64>) -> Version {
    let text = match number {
        Some(number) => format!("{kind}.{number}"),
        None => kind.as_str().to_owned(),
    };
    Version {
        major: core.major,
        minor: core.minor,
        patch: core.patch,
        // A lowercase word, optionally followed by a decimal number without leading zeros, is
        // always a valid pre-release, so this never falls back; the fallback only spares the
        // function a panic path.
        pre: Prerelease::new(&text).unwrap_or(Prerelease::EMPTY),
        post: None,
        build: BuildMetadata::EMPTY,
    }
}

/// The pre-release of `v` if it is one the kit knows; `None` for final versions and for any other
/// identifiers (including numbers too large for a `u64`).
pub fn pre_release(v: &Version) -> Option<PreRelease> {
    let (kind, digits) = known_pre_parts(&v.pre)?;
    let number = match digits {
        Some(digits) => Some(digits.parse::<u64>().ok()?),
        None => None,
    };
    Some(PreRelease { kind, number })
}

/// Splits a pre-release the kit knows, in any spelling, into its kind and number digits, without
/// limiting the size of the number, so that callers can tell a too-large number from a foreign
/// pre-release.
///
/// Known spellings: the kind alone (`rc`), or followed by a number after a dot, a hyphen or
/// nothing (`rc.2`, `rc-2`, `rc2`); the kind in any letter case, and PEP 440's short words `a`,
/// `b` and `c` for alpha, beta and rc (`1.0.0-a.1` is `1.0.0a1`).
fn known_pre_parts(pre: &Prerelease) -> Option<(PreKind, Option<&str>)> {
    let text = pre.as_str();
    let word_end = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(word_end);
    let kind = match word.to_ascii_lowercase().as_str() {
        "dev" => PreKind::Dev,
        "alpha" | "a" => PreKind::Alpha,
        "beta" | "b" => PreKind::Beta,
        "rc" | "c" => PreKind::Rc,
        _ => return None,
    };
    if rest.is_empty() {
        return Some((kind, None));
    }
    let digits = rest.strip_prefix(['.', '-']).unwrap_or(rest);
    is_numeric(digits).then_some((kind, Some(digits)))
}

fn is_numeric(identifier: &str) -> bool {
    !identifier.is_empty() && identifier.bytes().all(|b| b.is_ascii_digit())
}

/// Compares two versions in release order (see the module documentation).
pub fn release_cmp(a: &Version, b: &Version) -> Ordering {
    let (a, b) = (a.key(), b.key());
    a.core
        .cmp(&b.core)
        .then_with(|| cmp_pre(&a.pre, &b.pre))
        .then_with(|| a.post.cmp(&b.post))
}

/// Whether `a` and `b` are the same release (build metadata aside): `1.2.0-dev` and `1.2.0.dev0`.
pub fn same_release(a: &Version, b: &Version) -> bool {
    release_cmp(a, b) == Ordering::Equal
}

/// Whether `new` comes strictly after `current` in release order.
pub fn is_greater(new: &Version, current: &Version) -> bool {
    release_cmp(new, current) == Ordering::Greater
}

/// Pre-releases in normal form; an empty one (a final or post-release) is above all others.
fn cmp_pre(a: &[Ident], b: &[Ident]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            for (l, r) in a.iter().zip(b) {
                match cmp_identifier(l, r) {
                    Ordering::Equal => {}
                    unequal => return unequal,
                }
            }
            a.len().cmp(&b.len())
        }
    }
}

fn cmp_identifier(a: &Ident, b: &Ident) -> Ordering {
    match (a, b) {
        // Length first compares numbers of any size numerically (leading zeros are stripped);
        // the text decides between equal lengths and keeps the order consistent with equality.
        (Ident::Number(a), Ident::Number(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (Ident::Number(_), Ident::Word(_)) => Ordering::Less,
        (Ident::Word(_), Ident::Number(_)) => Ordering::Greater,
        (Ident::Word(a), Ident::Word(b)) => word_key(a).cmp(&word_key(b)),
    }
}

/// Places `dev` just below `alpha` and leaves every other word in ASCII order.
fn word_key(word: &str) -> (&str, bool) {
    if word == PreKind::Dev.as_str() {
        (PreKind::Alpha.as_str(), false)
    } else {
        (word, true)
    }
}

/// Computes the next version for `request`, which must be strictly greater than `current` in
/// release order.
pub fn bump(current: &Version, request: &BumpRequest) -> Result<Version, VersionError> {
    let overflow = || VersionError::Overflow {
        current: current.clone(),
        request: request.clone(),
    };
    let next = match request {
        BumpRequest::Level(level) => level_core(current, *level).ok_or_else(overflow)?,
        BumpRequest::LevelPre(level, kind) => {
            let target = level_core(current, *level).ok_or_else(overflow)?;
            let continued = if core(current) == target {
                next_of_kind(current, *kind).map_err(|Overflowed| overflow())?
            } else {
                None
            };
            with_pre(&target, *kind, Some(continued.unwrap_or(1)))
        }
        BumpRequest::Pre(kind) => {
            if current.pre.is_empty() {
                let target = next_patch(current).ok_or_else(overflow)?;
                with_pre(&target, *kind, Some(1))
            } else if known_pre_parts(&current.pre).is_some() {
                let continued = next_of_kind(current, *kind).map_err(|Overflowed| overflow())?;
                with_pre(current, *kind, Some(continued.unwrap_or(1)))
            } else {
                return Err(VersionError::UnknownPreRelease {
                    version: current.clone(),
                });
            }
        }
        BumpRequest::Release => {
            if current.pre.is_empty() {
                return Err(VersionError::AlreadyFinal {
                    version: current.clone(),
                });
            }
            core(current)
        }
        BumpRequest::Exact(version) => version.clone(),
    };
    if is_greater(&next, current) {
        Ok(next)
    } else {
        Err(VersionError::NotGreater {
            current: current.clone(),
            new: next,
        })
    }
}

/// The version CI builds are stamped from: the files' `X.Y.Z` with any pre-release dropped
/// (`3.1.0`, `3.1.0-dev`, `3.1.0.dev0` → `3.1.0`), or, when that version is already released
/// (its tag exists), the next patch, so that a nightly always sorts above the last release.
/// `None` when the next patch would overflow.
pub fn ci_base(current: &Version, released: bool) -> Option<Version> {
    let base = core(current);
    if released {
        next_patch(&base)
    } else {
        Some(base)
    }
}

/// A nightly build's version: `X.Y.Z-rc.YYYYMMDD` (`X.Y.ZrcYYYYMMDD` in PEP 440), above every
/// dev build and below the release of the same `X.Y.Z`.
pub fn nightly(base: &Version, yyyymmdd: u64) -> Version {
    with_pre(base, PreKind::Rc, Some(yyyymmdd))
}

/// A dev build's version: `X.Y.Z-dev.N` (`X.Y.Z.devN` in PEP 440).
pub fn dev_build(base: &Version, build: u64) -> Version {
    with_pre(base, PreKind::Dev, Some(build))
}

/// `YYYY-MM-DD` as the number `YYYYMMDD` a nightly carries; `None` for any other text.
pub fn date_number(date: &str) -> Option<u64> {
    let digits: String = date.chars().filter(|c| *c != '-').collect();
    (digits.len() == 8 && date.len() == 10)
        .then_some(())
        .and_then(|()| digits.parse().ok())
}

/// The `X.Y.Z` a level leads to; `None` on overflow.
///
/// On a pre-release the level first finalises it when the pre-release already belongs to that
/// level's version (as npm and cargo-release do): `1.3.0-rc.1` is on its way to the minor release
/// `1.3.0`, so `minor` means "release it", not `1.4.0`.
fn level_core(current: &Version, level: Level) -> Option<Version> {
    let Version {
        major,
        minor,
        patch,
        ..
    } = *current;
    let pre = !current.pre.is_empty();
    Some(match level {
        Level::Patch if pre => Version::new(major, minor, patch),
        Level::Patch => Version::new(major, minor, patch.checked_add(1)?),
        Level::Minor if pre && patch == 0 => Version::new(major, minor, 0),
        Level::Minor => Version::new(major, minor.checked_add(1)?, 0),
        Level::Major if pre && minor == 0 && patch == 0 => Version::new(major, 0, 0),
        Level::Major => Version::new(major.checked_add(1)?, 0, 0),
    })
}

fn next_patch(current: &Version) -> Option<Version> {
    Some(Version::new(
        current.major,
        current.minor,
        current.patch.checked_add(1)?,
    ))
}

/// A pre-release number that would not fit in a `u64`.
struct Overflowed;

/// The number that continues the pre-release of `current` when it is `kind` or `kind.N` (a bare
/// kind counts as `.0`, so `dev` continues as `dev.1`); `None` when it is anything else.
///
/// Works on the raw digits rather than [`pre_release`] so that a number already beyond `u64` is
/// reported as an overflow instead of being silently restarted at `.1`.
fn next_of_kind(current: &Version, kind: PreKind) -> Result<Option<u64>, Overflowed> {
    match known_pre_parts(&current.pre) {
        Some((found, digits)) if found == kind => {
            let number = match digits {
                Some(digits) => digits.parse::<u64>().map_err(|_| Overflowed)?,
                None => 0,
            };
            number.checked_add(1).map(Some).ok_or(Overflowed)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("test versions are valid SemVer")
    }

    /// Parses a request written as on the command line, e.g. `minor --pre rc`.
    fn request(text: &str) -> BumpRequest {
        let (arg, pre) = match text.split_once(" --pre ") {
            Some((arg, kind)) => (arg, Some(kind.parse().expect("test kinds are valid"))),
            None => (text, None),
        };
        BumpRequest::parse(arg, pre).expect("test requests are valid")
    }

    mod ci_versions {
        use super::*;

        #[test]
        fn base_drops_the_pre_release_unless_released() {
            let table = [
                ("3.1.0", false, "3.1.0"),
                ("3.1.0-dev", false, "3.1.0"),
                ("3.1.0-dev.7", false, "3.1.0"),
                ("3.1.0-rc.2", false, "3.1.0"),
                ("3.0.0", true, "3.0.1"),
                ("3.0.0-rc.1", true, "3.0.1"),
                ("0.9.0-dev", false, "0.9.0"),
            ];
            for (current, released, want) in table {
                assert_eq!(ci_base(&v(current), released), Some(v(want)), "{current}");
            }
            let max = Version::new(1, 1, u64::MAX);
            assert_eq!(ci_base(&max, true), None);
        }

        #[test]
        fn nightly_and_dev_builds_order_between_dev_and_release() {
            let base = v("3.1.0");
            let night = nightly(&base, 20_260_101);
            let dev = dev_build(&base, 5);
            assert_eq!(night, v("3.1.0-rc.20260101"));
            assert_eq!(dev, v("3.1.0-dev.5"));
            assert!(is_greater(&night, &dev));
            assert!(is_greater(&base, &night));
            assert!(is_greater(&nightly(&base, 20_260_102), &night));
            assert!(is_greater(&dev_build(&base, 10), &dev));
            // After 3.0.0 is released, the nightlies of 3.0.1 outrank it.
            let after = ci_base(&v("3.0.0"), true).unwrap();
            assert!(is_greater(&nightly(&after, 20_260_101), &v("3.0.0")));
        }

        #[test]
        fn dates() {
            assert_eq!(date_number("2026-01-01"), Some(20_260_101));
            assert_eq!(date_number("20260101"), None);
            assert_eq!(date_number("2026-1-01"), None);
            assert_eq!(date_number("abcd-ef-gh"), None);
        }
    }

    mod bumping {
        use super::*;

        /// `expected` is the new version, or a fragment of the error message.
        #[track_caller]
        fn case(current: &str, req: &str, expected: Result<&str, &str>) {
            crate::domain::version::assert_outcome(
                &format!("{current} {req}"),
                bump(&v(current), &request(req)),
                expected.map(v),
            );
        }

        #[test]
        fn levels_on_final_versions() {
            case("1.2.3", "major", Ok("2.0.0"));
            case("1.2.3", "minor", Ok("1.3.0"));
            case("1.2.3", "patch", Ok("1.2.4"));
            case("0.3.2", "major", Ok("1.0.0"));
            case("0.3.2", "minor", Ok("0.4.0"));
            case("0.3.2", "patch", Ok("0.3.3"));
            case("0.0.0", "patch", Ok("0.0.1"));
            case("1.2.3+build.5", "patch", Ok("1.2.4"));
            case("1.2.3+build.5", "major", Ok("2.0.0"));
        }

        #[test]
        fn levels_finalise_their_own_pre_releases() {
            case("0.2.1-dev", "patch", Ok("0.2.1"));
            case("1.3.0-rc.1", "minor", Ok("1.3.0"));
            case("1.2.1-dev", "minor", Ok("1.3.0"));
            case("2.0.0-beta.1", "major", Ok("2.0.0"));
            case("2.1.0-rc.1", "major", Ok("3.0.0"));
            case("2.0.1-rc.1", "major", Ok("3.0.0"));
            case("1.3.0-rc.1", "patch", Ok("1.3.0"));
            case("1.3.0-rc.1", "major", Ok("2.0.0"));
            case("1.0.0-rc.1", "major", Ok("1.0.0"));
            case("0.1.0-alpha.1", "major", Ok("1.0.0"));
            case("1.3.0-rc.1+build.7", "minor", Ok("1.3.0"));
            // Foreign pre-releases are finalised by the same rules.
            case("1.0.0-foo.3", "patch", Ok("1.0.0"));
            case("1.0.0-rc.1.2", "minor", Ok("1.0.0"));
            case("1.0.1-foo", "minor", Ok("1.1.0"));
        }

        #[test]
        fn levels_with_pre() {
            case("1.2.0", "minor --pre rc", Ok("1.3.0-rc.1"));
            case("1.2.0", "major --pre alpha", Ok("2.0.0-alpha.1"));
            case("1.2.0", "patch --pre beta", Ok("1.2.1-beta.1"));
            case("1.2.0", "patch --pre dev", Ok("1.2.1-dev.1"));
            case("1.3.0-rc.1", "minor --pre rc", Ok("1.3.0-rc.2"));
            case("1.3.0-rc", "minor --pre rc", Ok("1.3.0-rc.1"));
            case("1.2.1-dev", "patch --pre dev", Ok("1.2.1-dev.1"));
            case("1.2.1-dev.3", "patch --pre dev", Ok("1.2.1-dev.4"));
            case("1.3.0-alpha.2", "minor --pre beta", Ok("1.3.0-beta.1"));
            case("1.3.0-dev.9", "minor --pre alpha", Ok("1.3.0-alpha.1"));
            case("1.2.1-dev.3", "minor --pre dev", Ok("1.3.0-dev.1"));
            case("1.3.0-rc.2", "major --pre rc", Ok("2.0.0-rc.1"));
            case("2.0.0-rc.2", "major --pre rc", Ok("2.0.0-rc.3"));
            case("1.0.0-foo.3", "patch --pre rc", Ok("1.0.0-rc.1"));
            case(
                "1.3.0-rc.1",
                "minor --pre alpha",
                Err("1.3.0-alpha.1 is not greater than the current version 1.3.0-rc.1"),
            );
            case("1.3.0-beta.1", "minor --pre dev", Err("is not greater"));
        }

        #[test]
        fn pre_kind_alone() {
            case("1.3.0-rc.1", "rc", Ok("1.3.0-rc.2"));
            case("1.3.0-rc", "rc", Ok("1.3.0-rc.1"));
            case("1.3.0-dev", "dev", Ok("1.3.0-dev.1"));
            case("1.3.0-dev.0", "dev", Ok("1.3.0-dev.1"));
            case("1.3.0-alpha.2", "beta", Ok("1.3.0-beta.1"));
            case("0.2.1-dev", "rc", Ok("0.2.1-rc.1"));
            case("1.3.0-dev.4", "alpha", Ok("1.3.0-alpha.1"));
            case("1.2.0", "rc", Ok("1.2.1-rc.1"));
            case("1.2.0", "dev", Ok("1.2.1-dev.1"));
            case("1.2.0+build", "alpha", Ok("1.2.1-alpha.1"));
            case("1.3.0-rc.1+build", "rc", Ok("1.3.0-rc.2"));
            case("3.0.1-rc.20241029", "rc", Ok("3.0.1-rc.20241030"));
            case("3.0.1-dev.50", "dev", Ok("3.0.1-dev.51"));
            case("3.0.1-dev.50", "rc", Ok("3.0.1-rc.1"));
            case(
                "1.3.0-rc.1",
                "alpha",
                Err("1.3.0-alpha.1 is not greater than the current version 1.3.0-rc.1"),
            );
            case("1.3.0-beta.1", "dev", Err("is not greater"));
            case("1.0.0-foo.3", "rc", Err("not one the kit continues"));
            case("1.0.0-rc.1.2", "rc", Err("pass an explicit version"));
            // Other spellings of the kit's kinds continue in the kit's spelling.
            case("1.0.0-RC.1", "rc", Ok("1.0.0-rc.2"));
            case("2.4.0-rc2", "rc", Ok("2.4.0-rc.3"));
        }

        #[test]
        fn release() {
            case("1.3.0-rc.2", "release", Ok("1.3.0"));
            case("0.2.1-dev", "release", Ok("0.2.1"));
            case("1.0.0-foo.3", "release", Ok("1.0.0"));
            case("1.3.0-rc.1+build", "release", Ok("1.3.0"));
            case("1.3.0", "release", Err("1.3.0 is already a final release"));
            case("1.3.0+build", "release", Err("already a final release"));
        }

        #[test]
        fn exact() {
            case("1.3.0", "1.4.0", Ok("1.4.0"));
            case("1.3.0", "v1.4.0", Ok("1.4.0"));
            case("1.3.0", "2.0.0-rc.1", Ok("2.0.0-rc.1"));
            case("1.3.0-rc.1", "1.3.0", Ok("1.3.0"));
            case("1.3.0", "1.4.0+build", Ok("1.4.0+build"));
            case(
                "1.3.0",
                "1.2.0",
                Err(
                    "1.2.0 is not greater than the current version 1.3.0: choose a higher level \
                     or version",
                ),
            );
            case("1.3.0", "1.3.0", Err("is not greater"));
            // Build metadata does not make a version newer.
            case("1.3.0", "1.3.0+build", Err("is not greater"));
            case("1.3.0", "1.3.0-rc.9", Err("is not greater"));
        }

        #[test]
        fn overflow_is_an_error() {
            let max = u64::MAX;
            case(
                &format!("1.2.{max}"),
                "patch",
                Err("would push a number past"),
            );
            case(&format!("1.{max}.0"), "minor", Err("`minor` on"));
            case(
                &format!("{max}.0.0"),
                "major",
                Err("pass an explicit version"),
            );
            case(&format!("1.2.{max}"), "rc", Err("would push a number past"));
            case(&format!("1.2.{max}"), "minor --pre rc", Ok("1.3.0-rc.1"));
            case(&format!("1.{max}.1-rc.1"), "minor", Err("would push"));
            case(
                &format!("1.{max}.0-rc.1"),
                "minor",
                Ok(&format!("1.{max}.0")),
            );
            case(&format!("1.0.0-rc.{max}"), "rc", Err("would push"));
            case(
                &format!("1.0.0-rc.{max}"),
                "minor --pre rc",
                Err("would push"),
            );
            case(&format!("1.0.0-rc.{max}"), "release", Ok("1.0.0"));
            case("1.0.0-rc.99999999999999999999", "rc", Err("would push"));
            case(
                "1.0.0-rc.99999999999999999999",
                "minor --pre rc",
                Err("would push"),
            );
            case(
                "1.0.0-rc.99999999999999999999",
                "beta",
                Err("is not greater"),
            );
            case(
                "1.0.0-alpha.99999999999999999999",
                "beta",
                Ok("1.0.0-beta.1"),
            );
            case("1.0.0-rc.99999999999999999999", "patch", Ok("1.0.0"));
        }
    }

    mod parsing {
        use super::*;

        #[track_caller]
        fn case(arg: &str, pre: Option<PreKind>, expected: Result<BumpRequest, &str>) {
            crate::domain::version::assert_outcome(
                &format!("{arg:?} {pre:?}"),
                BumpRequest::parse(arg, pre),
                expected,
            );
        }

        #[test]
        fn requests() {
            use BumpRequest::*;
            case("major", None, Ok(Level(super::Level::Major)));
            case("MINOR", None, Ok(Level(super::Level::Minor)));
            case(" patch ", None, Ok(Level(super::Level::Patch)));
            let rc = Some(PreKind::Rc);
            case("minor", rc, Ok(LevelPre(super::Level::Minor, PreKind::Rc)));
            case("rc", None, Ok(Pre(PreKind::Rc)));
            case("Alpha", None, Ok(Pre(PreKind::Alpha)));
            case("beta", None, Ok(Pre(PreKind::Beta)));
            case("dev", None, Ok(Pre(PreKind::Dev)));
            case("release", None, Ok(Release));
            case("Release", None, Ok(Release));
            case("1.4.0", None, Ok(Exact(v("1.4.0"))));
            case("v1.4.0", None, Ok(Exact(v("1.4.0"))));
            case("V2.0.0-rc.1", None, Ok(Exact(v("2.0.0-rc.1"))));
        }

        #[test]
        fn errors() {
            let list = "use major, minor, patch, rc, alpha, beta, dev, release, or a version like \
                        1.2.3";
            case("majr", None, Err(list));
            case("", None, Err("unknown bump ``"));
            case("v", None, Err("unknown bump `v`"));
            case("1.4", None, Err("`1.4` is not a valid version"));
            case("v1.4.0.1", None, Err("`v1.4.0.1` is not a valid version"));
            case("99999999999999999999.0.0", None, Err("not a valid version"));
            let rc = Some(PreKind::Rc);
            case(
                "rc",
                rc,
                Err("--pre rc cannot be combined with `rc`: use --pre with major, minor or patch"),
            );
            case("release", rc, Err("cannot be combined with `release`"));
            case("1.4.0", rc, Err("cannot be combined with `1.4.0`"));
            case("majr", rc, Err(list));
        }

        #[track_caller]
        fn kind_case(text: &str, expected: Result<PreKind, &str>) {
            match (text.parse::<PreKind>(), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{text:?}"),
                (Err(err), Err(fragment)) => assert!(err.to_string().contains(fragment)),
                (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
            }
        }

        #[test]
        fn pre_kinds() {
            kind_case("rc", Ok(PreKind::Rc));
            kind_case("RC", Ok(PreKind::Rc));
            kind_case("alpha", Ok(PreKind::Alpha));
            kind_case("Beta", Ok(PreKind::Beta));
            kind_case("dev", Ok(PreKind::Dev));
            kind_case(
                "gamma",
                Err("unknown pre-release kind `gamma`: use rc, alpha, beta or dev"),
            );
            kind_case("a", Err("use rc, alpha, beta or dev"));
        }

        #[track_caller]
        fn level_case(text: &str, expected: Result<super::Level, &str>) {
            match (text.parse::<super::Level>(), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{text:?}"),
                (Err(err), Err(fragment)) => assert!(err.to_string().contains(fragment)),
                (got, want) => panic!("{text:?}: got {got:?}, want {want:?}"),
            }
        }

        #[test]
        fn levels() {
            level_case("major", Ok(Level::Major));
            level_case("Minor", Ok(Level::Minor));
            level_case("PATCH", Ok(Level::Patch));
            level_case("rc", Err("unknown level `rc`: use major, minor or patch"));
        }

        #[test]
        fn level_order_lets_max_pick_the_biggest() {
            let levels = [Level::Patch, Level::Major, Level::Minor];
            assert_eq!(levels.into_iter().max(), Some(Level::Major));
            assert!(Level::Patch < Level::Minor);
        }

        #[test]
        fn display() {
            assert_eq!(Level::Major.to_string(), "major");
            assert_eq!(PreKind::Dev.to_string(), "dev");
            assert_eq!(PreKind::Alpha.to_string(), "alpha");
            assert_eq!(PreKind::Beta.to_string(), "beta");
            assert_eq!(PreKind::Rc.to_string(), "rc");
            assert_eq!(request("patch").to_string(), "patch");
            assert_eq!(request("minor --pre rc").to_string(), "minor --pre rc");
            assert_eq!(request("dev").to_string(), "dev");
            assert_eq!(request("release").to_string(), "release");
            assert_eq!(request("v1.4.0-rc.1").to_string(), "1.4.0-rc.1");
        }

        #[track_caller]
        fn version_case(text: &str, expected: Result<&str, &str>) {
            crate::domain::version::assert_outcome(
                &format!("{text:?}"),
                parse_version(text),
                expected.map(v),
            );
        }

        #[test]
        fn versions() {
            version_case("1.2.3", Ok("1.2.3"));
            version_case(" 1.2.3\n", Ok("1.2.3"));
            version_case("1.3.0-rc.1+build.5", Ok("1.3.0-rc.1+build.5"));
            version_case("1.2", Err("`1.2` is not a valid version ("));
            version_case("v1.2.3", Err("write it as MAJOR.MINOR.PATCH"));
            version_case("", Err("`` is not a valid version"));
            version_case("1.2.3-01", Err("not a valid version"));
        }
    }

    mod pre_releases {
        use super::*;

        #[track_caller]
        fn case(text: &str, expected: Option<(PreKind, Option<u64>)>) {
            let expected = expected.map(|(kind, number)| PreRelease { kind, number });
            assert_eq!(pre_release(&v(text)), expected, "{text}");
        }

        #[test]
        fn parsed_view() {
            use PreKind::*;
            case("1.0.0", None);
            case("1.0.0+build", None);
            case("1.0.0-rc", Some((Rc, None)));
            case("1.0.0-rc.1", Some((Rc, Some(1))));
            case("1.0.0-rc.1+build", Some((Rc, Some(1))));
            case("1.0.0-alpha.0", Some((Alpha, Some(0))));
            case("1.0.0-beta.7", Some((Beta, Some(7))));
            case("1.2.0-dev", Some((Dev, None)));
            case("3.0.1-rc.20241029", Some((Rc, Some(20_241_029))));
            case("3.0.1-dev.50", Some((Dev, Some(50))));
            case("1.0.0-rc.18446744073709551615", Some((Rc, Some(u64::MAX))));
            case("1.0.0-rc.18446744073709551616", None);
            case("1.0.0-foo.3", None);
            case("1.0.0-rc.1.2", None);
            case("1.0.0-rc.x", None);
            case("1.0.0-RC.1", Some((Rc, Some(1))));
            case("1.0.0-1", None);
            case("1.0.0-rc1", Some((Rc, Some(1))));
            case("1.0.0-rc-1", Some((Rc, Some(1))));
            case("1.0.0-a.2", Some((Alpha, Some(2))));
            case("1.0.0-b", Some((Beta, None)));
            case("1.0.0-c.3", Some((Rc, Some(3))));
            case("1.0.0-release", None);
            case("1.0.0-rcx", None);
        }

        #[test]
        fn building() {
            assert_eq!(with_pre(&v("1.2.0"), PreKind::Dev, None), v("1.2.0-dev"));
            assert_eq!(with_pre(&v("1.2.0"), PreKind::Rc, Some(3)), v("1.2.0-rc.3"));
            assert_eq!(
                with_pre(&v("1.2.0-beta.1+build"), PreKind::Alpha, Some(0)),
                v("1.2.0-alpha.0")
            );
            assert_eq!(core(&v("1.2.3-rc.1+build")), v("1.2.3"));
        }
    }

    mod order {
        use super::*;

        #[track_caller]
        fn case(a: &str, expected: Ordering, b: &str) {
            assert_eq!(release_cmp(&v(a), &v(b)), expected, "{a} vs {b}");
            assert_eq!(release_cmp(&v(b), &v(a)), expected.reverse(), "{b} vs {a}");
            assert_eq!(is_greater(&v(a), &v(b)), expected == Ordering::Greater);
        }

        #[test]
        fn release_order() {
            use Ordering::*;
            case("1.0.0", Less, "2.0.0");
            case("1.10.0", Greater, "1.9.0");
            case("1.0.10", Greater, "1.0.9");
            case("1.0.0", Greater, "1.0.0-rc.9");
            case("1.0.0-rc.1", Less, "1.0.1-dev");
            case("1.0.0-dev.9", Less, "1.0.0-alpha.1");
            case("1.0.0-dev", Less, "1.0.0-alpha");
            case("1.0.0-alpha.9", Less, "1.0.0-beta.1");
            case("1.0.0-beta.9", Less, "1.0.0-rc.1");
            case("1.0.0-dev.9", Less, "1.0.0-rc.1");
            case("1.0.0-rc.2", Less, "1.0.0-rc.10");
            case("3.0.1-rc.9", Less, "3.0.1-rc.20241029");
            // One version, several spellings.
            case("1.0.0-dev", Equal, "1.0.0-dev.0");
            case("2.4.0-rc2", Equal, "2.4.0-rc.2");
            case("2.4.0-RC.2", Equal, "2.4.0-rc.2");
            case("2.4.0-alpha1", Equal, "2.4.0-a.1");
            case("1.0.0-dev.0", Less, "1.0.0-dev.1");
            case("1.0.0-rc", Less, "1.0.0-rc.1");
            case("1.0.0-rc.1", Equal, "1.0.0-rc.1");
            case("1.0.0+a", Equal, "1.0.0+b");
            case("1.0.0-rc.1+a", Equal, "1.0.0-rc.1");
            // Foreign pre-releases fall back to SemVer precedence.
            case("1.0.0-rc.1", Less, "1.0.0-rc.1.2");
            case("1.0.0-rc.1.2", Less, "1.0.0-rc.2");
            case("1.0.0-bar", Less, "1.0.0-foo.3");
            case("1.0.0-1", Less, "1.0.0-alpha");
            case("1.0.0-1", Less, "1.0.0-dev");
            case("1.0.0-foo.3", Less, "1.0.0");
            case("1.0.0-rc.99999999999999999999", Greater, "1.0.0-rc.9");
            // `dev` sits just below `alpha` even next to foreign words, which keeps the order
            // transitive.
            case("1.0.0-dev.1", Less, "1.0.0-alpha.1");
            case("1.0.0-alpha.1", Less, "1.0.0-c");
            case("1.0.0-dev.1", Less, "1.0.0-c");
            case("1.0.0-aaa", Less, "1.0.0-dev");
        }
    }

    mod properties {
        use super::*;

        fn kind() -> impl Strategy<Value = PreKind> {
            prop_oneof![
                Just(PreKind::Dev),
                Just(PreKind::Alpha),
                Just(PreKind::Beta),
                Just(PreKind::Rc),
            ]
        }

        /// Mostly small numbers so that equal cores and kinds meet often; some extremes for
        /// overflow.
        fn number() -> impl Strategy<Value = u64> {
            prop_oneof![
                8 => 0u64..3,
                1 => Just(u64::MAX),
                1 => any::<u64>(),
            ]
        }

        fn level() -> impl Strategy<Value = Level> {
            prop_oneof![Just(Level::Patch), Just(Level::Minor), Just(Level::Major)]
        }

        /// Final versions and versions with a pre-release the kit knows.
        fn known_version() -> impl Strategy<Value = Version> {
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

        /// Any version without build metadata, including foreign pre-releases.
        fn any_version() -> impl Strategy<Value = Version> {
            let identifier = prop_oneof![
                Just("dev"),
                Just("alpha"),
                Just("beta"),
                Just("rc"),
                Just("a"),
                Just("c"),
                Just("foo"),
                Just("alpha1"),
                Just("0"),
                Just("1"),
                Just("10"),
            ];
            (
                0u64..2,
                0u64..2,
                0u64..2,
                proptest::collection::vec(identifier, 0..4),
            )
                .prop_map(|(major, minor, patch, identifiers)| {
                    let mut version = Version::new(major, minor, patch);
                    version.pre = Prerelease::new(&identifiers.join("."))
                        .expect("pool identifiers are valid");
                    version
                })
        }

        fn request() -> impl Strategy<Value = BumpRequest> {
            prop_oneof![
                level().prop_map(BumpRequest::Level),
                (level(), kind()).prop_map(|(level, kind)| BumpRequest::LevelPre(level, kind)),
                kind().prop_map(BumpRequest::Pre),
                Just(BumpRequest::Release),
                known_version().prop_map(BumpRequest::Exact),
            ]
        }

        /// The order spelled out for the kit's own pre-releases.
        /// Core, then final above pre-release, then kind, then number (a bare kind is `.0`).
        type KnownKey = (u64, u64, u64, bool, Option<(PreKind, u64)>);

        fn known_key(version: &Version) -> KnownKey {
            let pre = pre_release(version).map(|pre| (pre.kind, pre.number.unwrap_or(0)));
            (
                version.major,
                version.minor,
                version.patch,
                pre.is_none(),
                pre,
            )
        }

        proptest! {
            #[test]
            fn bump_only_moves_forward(current in known_version(), request in request()) {
                // A bump either moves forward or says why it cannot, and the reason holds.
                let extreme = [current.major, current.minor, current.patch].contains(&u64::MAX)
                    || pre_release(&current).and_then(|p| p.number) == Some(u64::MAX);
                match bump(&current, &request) {
                    Ok(next) => prop_assert_eq!(release_cmp(&next, &current), Ordering::Greater),
                    Err(VersionError::NotGreater { current: reported, new }) => {
                        prop_assert_eq!(&reported, &current);
                        prop_assert_ne!(release_cmp(&new, &current), Ordering::Greater);
                        // Levels and `release` always move forward when they do not overflow.
                        let forward_by_design =
                            matches!(request, BumpRequest::Level(_) | BumpRequest::Release);
                        prop_assert!(!forward_by_design, "{} on {} gave {}", request, current, new);
                    }
                    Err(VersionError::AlreadyFinal { version }) => {
                        prop_assert_eq!(&request, &BumpRequest::Release);
                        prop_assert!(version.pre.is_empty());
                    }
                    Err(VersionError::Overflow { .. }) => prop_assert!(extreme, "{}", current),
                    Err(other) => prop_assert!(false, "unexpected error on {}: {}", current, other),
                }
            }

            #[test]
            fn level_bumps_succeed_below_the_limits(
                current in known_version(),
                level in level(),
            ) {
                let small = current.major < u64::MAX
                    && current.minor < u64::MAX
                    && current.patch < u64::MAX;
                prop_assume!(small);
                prop_assert!(bump(&current, &BumpRequest::Level(level)).is_ok());
            }

            #[test]
            fn order_is_antisymmetric_and_consistent_with_equality(
                a in any_version(),
                b in any_version(),
            ) {
                let forward = release_cmp(&a, &b);
                prop_assert_eq!(forward, release_cmp(&b, &a).reverse());
                prop_assert_eq!(forward == Ordering::Equal, a == b);
            }

            #[test]
            fn order_is_transitive(a in any_version(), b in any_version(), c in any_version()) {
                let mut sorted = [a, b, c];
                sorted.sort_by(release_cmp);
                let [a, b, c] = sorted;
                prop_assert_ne!(release_cmp(&a, &b), Ordering::Greater);
                prop_assert_ne!(release_cmp(&b, &c), Ordering::Greater);
                prop_assert_ne!(release_cmp(&a, &c), Ordering::Greater);
            }

            #[test]
            fn order_is_transitive_on_known_versions(
                a in known_version(),
                b in known_version(),
                c in known_version(),
            ) {
                if release_cmp(&a, &b) != Ordering::Greater
                    && release_cmp(&b, &c) != Ordering::Greater
                {
                    prop_assert_ne!(release_cmp(&a, &c), Ordering::Greater);
                }
                prop_assert_eq!(release_cmp(&a, &b) == Ordering::Equal, a == b);
            }

            #[test]
            fn known_pre_releases_rank_by_kind_then_number(
                a in known_version(),
                b in known_version(),
            ) {
                prop_assert_eq!(release_cmp(&a, &b), known_key(&a).cmp(&known_key(&b)));
            }

            #[test]
            fn without_dev_the_order_is_semver_precedence(
                a in any_version(),
                b in any_version(),
            ) {
                let has_dev = |v: &Version| v.pre.as_str().split('.').any(|id| id == "dev");
                // Known kinds in other spellings (`rc1`, `a.1`) are normalised first; the table
                // tests cover them.
                let plain = |v: &Version| known_pre_parts(&v.pre).is_none();
                prop_assume!(!has_dev(&a) && !has_dev(&b) && plain(&a) && plain(&b));
                let semver = |v: &Version| semver::Version {
                    major: v.major,
                    minor: v.minor,
                    patch: v.patch,
                    pre: v.pre.clone(),
                    build: v.build.clone(),
                };
                prop_assert_eq!(release_cmp(&a, &b), semver(&a).cmp_precedence(&semver(&b)));
            }

            #[test]
            fn build_metadata_is_ignored(a in known_version(), build in "[a-z0-9]{1,8}") {
                let mut with_build = a.clone();
                with_build.build = BuildMetadata::new(&build).expect("valid build metadata");
                prop_assert_eq!(release_cmp(&a, &with_build), Ordering::Equal);
            }

            #[test]
            fn pre_release_reads_what_with_pre_writes(
                version in known_version(),
                kind in kind(),
                number in proptest::option::of(number()),
            ) {
                let built = with_pre(&version, kind, number);
                prop_assert_eq!(pre_release(&built), Some(PreRelease { kind, number }));
                prop_assert_eq!(core(&built), core(&version));
                prop_assert_eq!(parse_version(&built.to_string()), Ok(built));
            }

            #[test]
            fn parsing_never_panics(arg in "\\PC{0,16}", version_like in "[vV0-9.a-z+-]{0,16}") {
                // Whatever the input: a value that reads back the same, or an error that names the input.
                for text in [&arg, &version_like] {
                    match BumpRequest::parse(text, None) {
                        Ok(request) => prop_assert_eq!(super::request(&request.to_string()), request),
                        Err(e) => prop_assert!(e.to_string().contains(text.trim()), "{}", e),
                    }
                    match BumpRequest::parse(text, Some(PreKind::Rc)) {
                        Ok(BumpRequest::LevelPre(_, kind)) => prop_assert_eq!(kind, PreKind::Rc),
                        Ok(other) => prop_assert!(false, "--pre rc gave {}", other),
                        Err(e) => prop_assert!(!e.to_string().is_empty()),
                    }
                    match parse_version(text) {
                        Ok(version) => prop_assert_eq!(parse_version(&version.to_string()), Ok(version)),
                        Err(e) => prop_assert!(!e.to_string().is_empty()),
                    }
                }
                if let Ok(request) = BumpRequest::parse(&version_like, None) {
                    let current = Version::new(1, 2, 3);
                    match bump(&current, &request) {
                        Ok(next) => prop_assert_eq!(release_cmp(&next, &current), Ordering::Greater),
                        Err(e) => prop_assert!(!e.to_string().is_empty()),
                    }
                }
            }

            #[test]
            fn request_display_parses_back(request in request()) {
                let text = request.to_string();
                prop_assert_eq!(super::request(&text), request);
            }
        }
    }
}
