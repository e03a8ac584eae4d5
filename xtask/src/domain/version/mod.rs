//! Versions as one value with per-scheme spellings, bump requests, and the release order.
//!
//! A [`Version`] is what a release *is*, whatever file or tag spells it: `2.4.0-rc2` (a Cargo
//! manifest), `2.4.0-rc.2` (the kit's SemVer spelling) and `2.4.0rc2` (PEP 440) are the same
//! version. Equality, hashing and [`release_cmp`] work on a normal form, so files written in
//! different schemes agree whenever they name one release:
//!
//! | SemVer spellings                    | PEP 440        | one version        |
//! |-------------------------------------|----------------|--------------------|
//! | `X.Y.Z-dev`, `X.Y.Z-dev.0`          | `X.Y.Z.dev0`   | dev 0 of X.Y.Z     |
//! | `X.Y.Z-dev.N`                       | `X.Y.Z.devN`   | dev N              |
//! | `X.Y.Z-alpha.N`, `-alphaN`, `-a.N`  | `X.Y.ZaN`      | alpha N            |
//! | `X.Y.Z-beta.N`, `-betaN`, `-b.N`    | `X.Y.ZbN`      | beta N             |
//! | `X.Y.Z-rc.N`, `-rcN`, `-RC.N`       | `X.Y.ZrcN`     | release candidate N|
//! | `X.Y.Z+local`                       | `X.Y.Z+local`  | a local build      |
//! | (none)                              | `X.Y.Z.postN`  | post-release N     |
//!
//! A version keeps the spelling it was read with ([`fmt::Display`] writes it back), so a file is
//! rewritten only where its version changes. Versions with no spelling in some scheme (a SemVer
//! pre-release such as `-foo.bar` in PEP 440, a post-release in SemVer) are refused when rendered
//! in that scheme ([`pep440::render`], [`render_semver`]).
//!
//! The kit writes four kinds of pre-release itself ([`PreKind`]): `X.Y.Z-dev`, `X.Y.Z-dev.N`,
//! `X.Y.Z-alpha.N`, `X.Y.Z-beta.N` and `X.Y.Z-rc.N`. `N` is any `u64`, so build numbers and date
//! stamps such as `3.0.1-rc.20241029` are continued with the same `+1` rule as `rc.1`. Any other
//! pre-release (`1.0.0-foo.3`, `1.0.0-rc.1.2`) is kept and compared, but [`bump`] only moves away
//! from it with a level, `release` or an explicit version.
//!
//! # Release order
//!
//! [`release_cmp`] is the order every bump result must increase in:
//!
//! 1. major, minor and patch compare numerically;
//! 2. for the same `X.Y.Z`: every pre-release < the final version < every post-release;
//! 3. two pre-releases of the same `X.Y.Z` compare like SemVer precedence on their normal form
//!    (identifier by identifier; numbers numerically and below words; words in ASCII order; a
//!    longer list above its own prefix), except that the word `dev` ranks just below `alpha`;
//!    post-releases compare by number;
//! 4. build metadata (a PEP 440 local label) is ignored.
//!
//! For the kit's own pre-releases this reads: `dev` < `alpha` < `beta` < `rc` < final < `post`,
//! then by number, with a bare kind (`1.2.0-dev`) equal to its `.0` (`1.2.0.dev0` in PEP 440).
//!
//! `dev` is moved because SemVer's lexical order puts it between `beta` and `rc`: a development
//! version `1.3.0-dev.4` could then not move on to `1.3.0-alpha.1` or `1.3.0-beta.1`, and the kit
//! would disagree with PEP 440 (`1.3.0.dev4` < `1.3.0a1`) about the order of the very releases it
//! publishes to PyPI. The word is re-ranked wherever it appears rather than only in the kit's own
//! pre-releases, because mixing a special case for known pre-releases with plain SemVer precedence
//! for the rest is not transitive (`dev.1` < `alpha.1` < `c` < `dev.1`).

mod model;
pub mod pep440;

pub use model::*;

/// How a file or a tag spells versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// SemVer 2.0: `1.2.0-rc.1`.
    #[default]
    Semver,
    /// PEP 440's normal form: `1.2.0rc1`.
    Pep440,
}

impl Scheme {
    /// Writes `v` the way this scheme spells it, or says why it cannot.
    pub fn render(self, v: &Version) -> Result<String, String> {
        match self {
            Scheme::Semver => render_semver(v).map_err(|e| e.to_string()),
            Scheme::Pep440 => pep440::render(v).map_err(|e| e.to_string()),
        }
    }

    /// `v` as this scheme writes it, for messages and templates; a version the scheme cannot
    /// spell (refused before anything is written) is shown as the kit writes it.
    pub fn spell(self, v: &Version) -> String {
        self.render(v).unwrap_or_else(|_| v.to_string())
    }

    /// Reads a version as this scheme writes it.
    pub fn parse(self, text: &str) -> Result<Version, String> {
        match self {
            Scheme::Semver => parse_version(text).map_err(|e| e.to_string()),
            Scheme::Pep440 => pep440::parse(text).map_err(|e| e.to_string()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Semver => "semver",
            Scheme::Pep440 => "pep440",
        }
    }
}

/// Reads a version in either scheme: SemVer first, then PEP 440 (`2.5.0rc1`, `1.0.0.post1`).
/// The text must start with a digit: prefixes such as `v` belong to the tag format, not here.
/// Like SemVer, both must give all three numbers (`1.2` is not taken for `1.2.0`), so a tag such
/// as `v1.2` is not mistaken for a release.
pub fn parse_any(text: &str) -> Option<Version> {
    if !starts_with_three_numbers(text) {
        return None;
    }
    Version::parse(text)
        .ok()
        .or_else(|| pep440::parse(text).ok())
}

/// `N.N.N` at the start of `text`, with nothing before it.
#[allow(clippy::string_slice)] // Only ever cut after ASCII digits and dots.
fn starts_with_three_numbers(text: &str) -> bool {
    let mut rest = text;
    for index in 0..3 {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        // No leading zeros (`01.2.0`): SemVer forbids them, and a tag with them is no release.
        if digits == 0 || (digits > 1 && rest.starts_with('0')) {
            return false;
        }
        rest = &rest[digits..];
        if index < 2 {
            match rest.strip_prefix('.') {
                Some(after) => rest = after,
                None => return false,
            }
        }
    }
    // A fourth number (`1.2.3.4`) is not a version of ours either.
    !(rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit()))
}

impl BumpRequest {
    /// Reads the bump argument of the command line, with the kind given by `--pre` if any.
    ///
    /// Words are case-insensitive and surrounding whitespace is ignored; an explicit version may
    /// start with `v`, as tags usually do.
    pub fn parse(arg: &str, pre: Option<PreKind>) -> Result<BumpRequest, VersionError> {
        let word = arg.trim();
        if let Ok(level) = word.parse::<Level>() {
            return Ok(match pre {
                Some(kind) => BumpRequest::LevelPre(level, kind),
                None => BumpRequest::Level(level),
            });
        }
        let request = if let Ok(kind) = word.parse::<PreKind>() {
            BumpRequest::Pre(kind)
        } else if word.eq_ignore_ascii_case("release") {
            BumpRequest::Release
        } else {
            BumpRequest::Exact(parse_requested_version(word)?)
        };
        match pre {
            Some(kind) => Err(VersionError::PreWithoutLevel {
                arg: word.to_owned(),
                pre: kind,
            }),
            None => Ok(request),
        }
    }
}

/// Parses the explicit-version form of a bump argument.
///
/// Also for `changelog --version`: SemVer or PEP 440 (`2.6.0rc1`), with an optional leading `v`.
pub fn parse_requested_version(word: &str) -> Result<Version, VersionError> {
    let bare = word.strip_prefix(['v', 'V']).unwrap_or(word);
    // Only text that starts like a version gets a version error; anything else is far more
    // likely a mistyped word, and the list of accepted words helps more than a parser message.
    if !bare.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(VersionError::UnknownRequest {
            arg: word.to_owned(),
        });
    }
    // SemVer first; then PEP 440, so `2.6.0rc1` can be asked for as a Python project spells it.
    Version::parse(bare).or_else(|error| {
        parse_any(bare).ok_or_else(|| VersionError::InvalidVersion {
            text: word.to_owned(),
            reason: error.to_string(),
        })
    })
}

impl VersionError {
    /// The message with its versions spelled in `scheme` (`2.5.0rc1 is not greater than the current version
    /// 2.6.0.dev0` in a PEP 440 project), as every message to the user spells them.
    pub fn spelled(&self, scheme: Scheme) -> String {
        let spell = |v: &Version| scheme.spell(v);
        match self {
            VersionError::NotGreater { current, new } => format!(
                "{} is not greater than the current version {}: choose a higher level or version",
                spell(new),
                spell(current)
            ),
            VersionError::AlreadyFinal { version } => format!(
                "{} is already a final release, so `release` has no pre-release to drop: use major, minor \
                 or patch instead",
                spell(version)
            ),
            VersionError::UnknownPreRelease { version } => format!(
                "the pre-release of {} is not one the kit continues (it continues dev, alpha, beta and rc \
                 with an optional number): pass an explicit version instead",
                spell(version)
            ),
            other => other.to_string(),
        }
    }
}

/// The tables of this module's tests: `got` must be `want`'s value, or an error whose message contains
/// `want`'s fragment; `context` names the row.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_outcome<T, E>(context: &str, got: Result<T, E>, want: Result<T, &str>)
where
    T: PartialEq + std::fmt::Debug,
    E: std::fmt::Display + std::fmt::Debug,
{
    match (got, want) {
        (Ok(got), Ok(want)) => assert_eq!(got, want, "{context}"),
        (Err(err), Err(fragment)) => {
            let message = err.to_string();
            assert!(
                message.contains(fragment),
                "{context}: `{message}` lacks `{fragment}`"
            );
        }
        (got, want) => panic!("{context}: got {got:?}, want {want:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (current, request, scheme, message): versions in messages are spelled as the project does.
    #[test]
    fn errors_spell_versions_in_the_project_s_scheme() {
        for (current, asked, scheme, expected) in [
            (
                "2.6.0-dev",
                "2.5.0rc1",
                Scheme::Pep440,
                "2.5.0rc1 is not greater than the current version 2.6.0.dev0",
            ),
            (
                "2.6.0-dev",
                "2.5.0rc1",
                Scheme::Semver,
                "2.5.0-rc.1 is not greater than the current version 2.6.0-dev",
            ),
            (
                "2.6.0",
                "release",
                Scheme::Pep440,
                "2.6.0 is already a final release",
            ),
        ] {
            let current = Version::parse(current).unwrap();
            let error = bump(&current, &BumpRequest::parse(asked, None).unwrap()).unwrap_err();
            assert!(
                error.spelled(scheme).starts_with(expected),
                "{}",
                error.spelled(scheme)
            );
        }
    }
}
