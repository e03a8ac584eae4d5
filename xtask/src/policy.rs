//! The configured rules, compiled once: `Policy::from_config` is the one place that reads the rule keys of
//! `[branches]`, `[tag]`, `[commits]`, `[release]` and `[policy]`; commands and hooks take a `&Policy`.

use std::fmt;

use crate::config::{
    Config, DEFAULT_BACKPORT_TYPES, DEFAULT_LINE_BRANCH, DEFAULT_NEXT_BRANCH, DEFAULT_TAG_FORMAT,
    FileEntry, signers_path_problem,
};

use crate::domain::deprecations;
use crate::domain::lines::LineTemplate;
use crate::domain::rules::{self, Enforcement, Pattern, TagFormat};
use crate::domain::version::Scheme;

/// Every rule of a configuration, compiled.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `branches.allowed` (default: [`rules::default_branches`] of the commit types).
    pub allowed_branches: Vec<Pattern>,
    /// `release.branches` (default `main`, `master`), and the line branch template: a line branch is a
    /// release branch for its own `X.Y`.
    pub release_branches: Vec<Pattern>,
    /// `release.line_branch`.
    pub line_branch: LineTemplate,
    /// `release.next_branch`: a message template, rendered when the branch is cut.
    pub next_branch: String,
    /// `tag.format` in its scheme (`tag.scheme`, else the first version file's); `None` with `[packages]`,
    /// where each package has its own (see [`Config::for_package`]).
    tag_format: Option<TagFormat>,
    /// `[commits]`.
    pub commits: CommitRules,
    /// `release.maintainers`: who may release (anyone when empty).
    pub maintainers: Vec<String>,
    /// `release.backport_types`: the commit types `backport --list` offers.
    pub backport_types: Vec<String>,
    /// `policy.deprecation`.
    pub deprecation: deprecations::Window,
    /// `release.pre`: commands that must pass before a release changes anything.
    pub pre_commands: Vec<String>,
    /// `release.post`: commands run once the release is tagged (and pushed), per released package.
    pub post_commands: Vec<String>,
    /// `release.push`: push every release, without `--push`.
    pub push: bool,
    /// `tag.sign`: sign release tags.
    pub sign_tags: bool,
    /// `release.signers`: the SSH allowed-signers file, relative to the repository, whose keys must have
    /// signed every release tag (`release` then signs its tags).
    pub signers: Option<String>,
    /// `policy.replace_refs = "allow"`: pushes to `refs/replace/` are judged like any other ref.
    pub allow_replace_refs: bool,
    /// `tag.allowed`: the tags beside release tags that the hooks accept.
    pub other_tags: Vec<Pattern>,
}

/// `[commits]`: how strictly messages must follow Conventional Commits, and the types they may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRules {
    /// `commits.conventional` (default `warn`).
    pub conventional: Enforcement,
    /// `commits.types` (default: the Conventional Commits types).
    pub types: Vec<String>,
    /// `commits.patch_types`: the types that call for a patch release (default: any commit does).
    pub patch_types: Option<Vec<String>>,
}

/// The configuration's rule problems, all of them, each naming its key and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub problems: Vec<String>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("\n"))
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Compiles the rules of `config`; every problem is reported at once.
    pub fn from_config(config: &Config) -> Result<Policy, PolicyError> {
        let mut problems = Vec::new();

        let commits = CommitRules::from_config(config)
            .map_err(|e| problems.extend(e.problems))
            .ok();
        let tag_format = Policy::tag_format_of(config)
            .map_err(|e| problems.extend(e.problems))
            .ok()
            .flatten();

        let line_text = config
            .release
            .line_branch
            .as_deref()
            .unwrap_or(DEFAULT_LINE_BRANCH);
        let mut release_texts = config
            .release
            .branches
            .clone()
            .unwrap_or_else(|| vec!["main".into(), "master".into()]);
        let line_branch = LineTemplate::parse(line_text)
            .map_err(|e| problems.push(format!("xtask.toml: release.line_branch: {e}")))
            .ok();
        // A line branch is a release branch for its own X.Y; a broken template is reported once, as itself.
        if line_branch.is_some() && !release_texts.iter().any(|b| b == line_text) {
            release_texts.push(line_text.to_string());
        }
        let release_branches = patterns("release.branches", &release_texts, &mut problems);
        let allowed_branches = Policy::allowed_branches_of(config)
            .map_err(|e| problems.extend(e.problems))
            .unwrap_or_default();
        let other_tags = Policy::other_tags_of(config)
            .map_err(|e| problems.extend(e.problems))
            .unwrap_or_default();

        if let Some(mode) = config.policy.replace_refs.as_deref()
            && !matches!(mode, "refuse" | "allow")
        {
            problems.push(format!(
                "policy.replace_refs must be \"refuse\" or \"allow\", not {mode:?}"
            ));
        }
        if let Some(problem) = config
            .release
            .signers
            .as_deref()
            .and_then(signers_path_problem)
        {
            problems.push(format!("xtask.toml: release.signers: {problem}"));
        }
        let deprecation = match config.policy.deprecation.as_deref() {
            None => deprecations::Window::default(),
            Some(text) => deprecations::Window::parse(text).unwrap_or_else(|| {
                problems.push(format!(
                    "policy.deprecation must be \"two-minors\", \"next-major\" or \"off\", not {text:?}"
                ));
                deprecations::Window::default()
            }),
        };

        match (line_branch, commits) {
            (Some(line_branch), Some(commits)) if problems.is_empty() => Ok(Policy {
                allowed_branches,
                release_branches,
                line_branch,
                next_branch: config
                    .release
                    .next_branch
                    .clone()
                    .unwrap_or_else(|| DEFAULT_NEXT_BRANCH.to_string()),
                tag_format,
                commits,
                maintainers: config.release.maintainers.clone().unwrap_or_default(),
                backport_types: config
                    .release
                    .backport_types
                    .clone()
                    .unwrap_or_else(|| DEFAULT_BACKPORT_TYPES.map(str::to_string).to_vec()),
                deprecation,
                pre_commands: config.release.pre.clone().unwrap_or_default(),
                post_commands: config.release.post.clone().unwrap_or_default(),
                push: config.release.push.unwrap_or(false),
                sign_tags: config.tag.sign.unwrap_or(false),
                signers: config.release.signers.clone(),
                allow_replace_refs: config.policy.replace_refs.as_deref() == Some("allow"),
                other_tags,
            }),
            _ => Err(PolicyError { problems }),
        }
    }

    /// `branches.allowed` alone (default: [`rules::default_branches`] of the commit types). Like
    /// [`CommitRules::from_config`] and [`Policy::tag_format_of`], a section the hooks build by itself: they
    /// run on every git operation, and a broken rule they do not judge by must not stop one.
    pub fn allowed_branches_of(config: &Config) -> Result<Vec<Pattern>, PolicyError> {
        let texts = config
            .branches
            .allowed
            .clone()
            .unwrap_or_else(|| rules::default_branches(&commit_types(config)));
        let mut problems = Vec::new();
        let patterns = patterns("branches.allowed", &texts, &mut problems);
        match problems.is_empty() {
            true => Ok(patterns),
            false => Err(PolicyError { problems }),
        }
    }

    /// `tag.allowed` alone: the other tags (not release tags) the hooks accept.
    pub fn other_tags_of(config: &Config) -> Result<Vec<Pattern>, PolicyError> {
        let texts = config.tag.allowed.clone().unwrap_or_default();
        let mut problems = Vec::new();
        let patterns = patterns("tag.allowed", &texts, &mut problems);
        match problems.is_empty() {
            true => Ok(patterns),
            false => Err(PolicyError { problems }),
        }
    }

    /// `tag.format` alone, in its scheme; `None` with `[packages]` (each package's configuration has its
    /// own, see [`Config::for_package`]).
    pub fn tag_format_of(config: &Config) -> Result<Option<TagFormat>, PolicyError> {
        if config.packages.is_some() {
            return Ok(None);
        }
        let text = config.tag.format.as_deref().unwrap_or(DEFAULT_TAG_FORMAT);
        match TagFormat::parse(text) {
            Ok(format) => Ok(Some(format.in_scheme(tags_scheme(config)))),
            Err(e) => Err(PolicyError {
                problems: vec![format!("xtask.toml: tag.format: {e}")],
            }),
        }
    }

    /// The tag format, or why there is none: with `[packages]` every package has its own tags, and a
    /// command that reaches here without one does not handle packages (yet), and says so rather than
    /// misreading `{{ package }}`.
    pub fn tag_format(&self) -> Result<&TagFormat, PolicyError> {
        self.tag_format.as_ref().ok_or_else(|| PolicyError {
            problems: vec![
                "this repository has several packages ([packages] in xtask.toml), each with its own tags \
                 and version: this command works on a single version; use `release -p NAME`, `version -p \
                 NAME`, `bump -p NAME` or `changelog -p NAME`"
                    .to_string(),
            ],
        })
    }

    /// How versions are spelled in tags and changelog headings: the tag format's scheme (SemVer without
    /// one, with `[packages]`).
    pub fn tag_scheme(&self) -> Scheme {
        self.tag_format
            .as_ref()
            .map(TagFormat::scheme)
            .unwrap_or_default()
    }
}

impl CommitRules {
    /// `[commits]` alone: what judging a commit message needs (the rest of the policy may be broken, and
    /// `check` still judges the kit's own messages).
    pub fn from_config(config: &Config) -> Result<CommitRules, PolicyError> {
        let conventional = match config.commits.conventional.as_deref() {
            None => Enforcement::default(),
            Some(mode) => mode.parse().map_err(|_| PolicyError {
                problems: vec![format!(
                    "commits.conventional must be \"deny\", \"warn\" or \"off\", not {mode:?}"
                )],
            })?,
        };
        Ok(CommitRules {
            conventional,
            types: commit_types(config),
            patch_types: config.commits.patch_types.as_ref().map(|types| {
                types
                    .iter()
                    .map(|t| t.trim().to_ascii_lowercase())
                    .collect()
            }),
        })
    }
}

/// Why `release` cannot make a tag the hooks accept under `release.signers`, checked before it changes
/// anything: git must sign with SSH (`gpg.format = ssh`) and a key (`user.signingKey`), and that key, when
/// its public half can be read (`public_key`: `ssh-ed25519 AAAA…`), must be one of the signers file's.
pub fn signing_problem(
    signers: &str,
    signers_text: Option<&str>,
    format: Option<&str>,
    key: Option<&str>,
    public_key: Option<&str>,
) -> Option<String> {
    if !format.is_some_and(|f| f.eq_ignore_ascii_case("ssh")) {
        return Some(format!(
            "release.signers is set, so the release tag is signed with an SSH key, but git's gpg.format is {}: \
             git config gpg.format ssh",
            format.map_or("not set (openpgp)".to_string(), |f| format!("{f:?}"))
        ));
    }
    if key.is_none_or(|k| k.trim().is_empty()) {
        return Some(
            "release.signers is set, so the release tag is signed with your SSH key, but user.signingKey is \
             not set: git config user.signingKey ~/.ssh/id_ed25519.pub"
                .to_string(),
        );
    }
    let Some(signers_text) = signers_text else {
        return Some(format!(
            "release.signers: {signers} does not exist: the hooks would refuse every release tag"
        ));
    };
    // `ssh-ed25519 AAAA… comment`: the type and the key, compared with each line's.
    let key_of = |text: &str| -> Option<(String, String)> {
        let mut words = text.split_whitespace();
        while let Some(word) = words.next() {
            if word.starts_with("ssh-") || word.starts_with("ecdsa-") || word.starts_with("sk-") {
                return Some((word.to_string(), words.next()?.to_string()));
            }
        }
        None
    };
    let mine = key_of(public_key?)?;
    let listed = signers_text
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(key_of)
        .any(|theirs| theirs == mine);
    (!listed).then(|| {
        let tail = mine.1.get(mine.1.len().saturating_sub(12)..).unwrap_or(&mine.1);
        format!(
            "your signing key ({} …{tail}) is not in {signers}: the hooks would refuse the release tag; a \
             maintainer adds it there (`<e-mail> namespaces=\"git\" <public key>`), or one of them releases",
            mine.0
        )
    })
}

/// `commits.types`, or the Conventional Commits types.
fn commit_types(config: &Config) -> Vec<String> {
    config
        .commits
        .types
        .clone()
        .unwrap_or_else(rules::default_types)
}

/// Each text as a branch pattern; a problem naming `key` for each that is not one.
fn patterns(key: &str, texts: &[String], problems: &mut Vec<String>) -> Vec<Pattern> {
    texts
        .iter()
        .filter_map(|text| {
            Pattern::parse(text)
                .map_err(|e| problems.push(format!("xtask.toml: {key}: {e}")))
                .ok()
        })
        .collect()
}

/// `tag.scheme`, else the first version file's scheme (a Python project tags `v4.18.0rc1`, a Cargo one
/// `v4.18.0-rc.1`). What a version file entry itself gets wrong is the version files' reader's to say.
fn tags_scheme(config: &Config) -> Scheme {
    if let Some(scheme) = config.tag.scheme {
        return scheme;
    }
    match config
        .version
        .files
        .as_ref()
        .and_then(|files| files.first())
    {
        None => Scheme::Semver,
        Some(FileEntry::Path(path)) => scheme_by_name(path),
        Some(FileEntry::Table(table)) => table.scheme.unwrap_or_else(|| {
            if table.regex.is_none() && table.json.is_none() && table.toml.is_none() {
                scheme_by_name(&table.path)
            } else {
                Scheme::default()
            }
        }),
    }
}

/// The scheme of a version file the kit knows by its name: `pyproject.toml` is PEP 440.
fn scheme_by_name(path: &str) -> Scheme {
    match path.rsplit('/').next() {
        Some("pyproject.toml") => Scheme::Pep440,
        _ => Scheme::Semver,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        Policy::from_config(&Config::parse(text).unwrap()).unwrap()
    }

    fn texts(patterns: &[Pattern]) -> Vec<&str> {
        patterns.iter().map(Pattern::as_str).collect()
    }

    #[test]
    fn defaults() {
        let p = policy("");
        assert_eq!(p.commits.conventional, Enforcement::Warn);
        assert_eq!(p.commits.types, rules::default_types());
        assert_eq!(
            texts(&p.allowed_branches),
            rules::default_branches(&rules::default_types())
        );
        assert_eq!(
            texts(&p.release_branches),
            ["main", "master", "stable/{{ major }}.{{ minor }}"]
        );
        assert_eq!(p.line_branch.as_str(), DEFAULT_LINE_BRANCH);
        assert_eq!(p.next_branch, DEFAULT_NEXT_BRANCH);
        let format = p.tag_format().unwrap();
        assert_eq!(format.as_str(), "v{{ version }}");
        assert_eq!(format.scheme(), Scheme::Semver);
        assert!(p.maintainers.is_empty());
        assert_eq!(p.backport_types, ["fix", "perf", "security"]);
        assert_eq!(p.deprecation, deprecations::Window::TwoMinors);
        assert!(p.pre_commands.is_empty() && p.post_commands.is_empty());
        assert!(!p.push && !p.sign_tags);
    }

    /// Each key, set: what the policy holds.
    #[test]
    fn each_key() {
        type Check = fn(&Policy);
        let table: &[(&str, Check)] = &[
            (
                "[release]\npre = [\"cargo test\"]\npost = [\"twine upload\"]\npush = true\n",
                |p| {
                    assert_eq!(p.pre_commands, ["cargo test"]);
                    assert_eq!(p.post_commands, ["twine upload"]);
                    assert!(p.push);
                },
            ),
            ("[tag]\nsign = true\n", |p| assert!(p.sign_tags)),
            ("[commits]\nconventional = \"deny\"\n", |p| {
                assert_eq!(p.commits.conventional, Enforcement::Deny)
            }),
            ("[commits]\nconventional = \"off\"\n", |p| {
                assert_eq!(p.commits.conventional, Enforcement::Off)
            }),
            ("[commits]\ntypes = [\"feat\", \"wip\"]\n", |p| {
                assert_eq!(p.commits.types, ["feat", "wip"]);
                // The default branches follow the configured types.
                assert!(texts(&p.allowed_branches).contains(&"wip/*"));
                assert!(!texts(&p.allowed_branches).contains(&"refactor/*"));
            }),
            ("[branches]\nallowed = [\"main\", \"topic/**\"]\n", |p| {
                assert_eq!(texts(&p.allowed_branches), ["main", "topic/**"])
            }),
            ("[release]\nbranches = [\"trunk\"]\n", |p| {
                assert_eq!(
                    texts(&p.release_branches),
                    ["trunk", "stable/{{ major }}.{{ minor }}"]
                )
            }),
            (
                "[release]\nbranches = [\"trunk\", \"v{{ major }}.{{ minor }}\"]\nline_branch = \"v{{ major }}.{{ minor }}\"\n",
                |p| {
                    assert_eq!(
                        texts(&p.release_branches),
                        ["trunk", "v{{ major }}.{{ minor }}"]
                    );
                    assert_eq!(p.line_branch.as_str(), "v{{ major }}.{{ minor }}");
                },
            ),
            (
                "[release]\nline_branch = \"release/{{ major }}.{{ minor }}\"\n",
                |p| {
                    assert_eq!(
                        texts(&p.release_branches),
                        ["main", "master", "release/{{ major }}.{{ minor }}"]
                    )
                },
            ),
            (
                "[release]\nnext_branch = \"future/{{ major + 1 }}\"\n",
                |p| assert_eq!(p.next_branch, "future/{{ major + 1 }}"),
            ),
            ("[release]\nmaintainers = [\"a@example.com\"]\n", |p| {
                assert_eq!(p.maintainers, ["a@example.com"])
            }),
            ("[release]\nbackport_types = [\"fix\"]\n", |p| {
                assert_eq!(p.backport_types, ["fix"])
            }),
            ("[tag]\nformat = \"release-{{ version }}\"\n", |p| {
                assert_eq!(p.tag_format().unwrap().example(), "release-1.2.0")
            }),
            ("[tag]\nscheme = \"pep440\"\n", |p| {
                assert_eq!(p.tag_format().unwrap().scheme(), Scheme::Pep440);
                assert_eq!(p.tag_scheme(), Scheme::Pep440);
            }),
            ("[version]\nfiles = [\"pyproject.toml\"]\n", |p| {
                assert_eq!(p.tag_scheme(), Scheme::Pep440)
            }),
            (
                "[version]\nfiles = [\"py/pyproject.toml\", \"Cargo.toml\"]\n",
                |p| assert_eq!(p.tag_scheme(), Scheme::Pep440),
            ),
            (
                "[version]\nfiles = [{ path = \"pyproject.toml\" }]\n",
                |p| assert_eq!(p.tag_scheme(), Scheme::Pep440),
            ),
            (
                "[version]\nfiles = [{ path = \"pyproject.toml\", toml = \"tool.x.version\" }]\n",
                |p| assert_eq!(p.tag_scheme(), Scheme::Semver),
            ),
            (
                "[version]\nfiles = [{ path = \"v.json\", json = \"v\", scheme = \"pep440\" }]\n",
                |p| assert_eq!(p.tag_scheme(), Scheme::Pep440),
            ),
            (
                "[version]\nfiles = [\"pyproject.toml\"]\n[tag]\nscheme = \"semver\"\n",
                |p| assert_eq!(p.tag_scheme(), Scheme::Semver),
            ),
            ("[policy]\ndeprecation = \"next-major\"\n", |p| {
                assert_eq!(p.deprecation, deprecations::Window::NextMajor)
            }),
            ("[policy]\ndeprecation = \"off\"\n", |p| {
                assert_eq!(p.deprecation, deprecations::Window::Off)
            }),
            ("", |p| {
                assert_eq!(p.signers, None);
                assert!(!p.allow_replace_refs);
            }),
            ("[policy]\nreplace_refs = \"allow\"\n", |p| {
                assert!(p.allow_replace_refs)
            }),
            ("[policy]\nreplace_refs = \"refuse\"\n", |p| {
                assert!(!p.allow_replace_refs)
            }),
            ("[release]\nsigners = \".github/allowed_signers\"\n", |p| {
                assert_eq!(p.signers.as_deref(), Some(".github/allowed_signers"))
            }),
        ];
        for (text, check) in table {
            check(&policy(text));
        }
    }

    #[test]
    fn release_signs_only_with_a_listed_ssh_key() {
        let file = "a@x namespaces=\"git\" ssh-ed25519 AAAAgood a@x\n# ssh-ed25519 AAAAold\n";
        let ssh = Some("ssh");
        let key = Some("/home/a/.ssh/id.pub");
        // (gpg.format, user.signingKey, its public key, the signers file, the problem's words or "")
        type Row<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            &'a str,
        );
        let table: [Row; 8] = [
            (ssh, key, Some("ssh-ed25519 AAAAgood me"), Some(file), ""),
            (
                Some("SSH"),
                key,
                Some("ssh-ed25519 AAAAgood"),
                Some(file),
                "",
            ),
            (
                ssh,
                key,
                Some("ssh-ed25519 AAAAbad me"),
                Some(file),
                "is not in .github/s",
            ),
            (
                ssh,
                key,
                Some("ssh-ed25519 AAAAold"),
                Some(file),
                "is not in",
            ),
            // The key cannot be read: git will say so when it signs.
            (ssh, key, None, Some(file), ""),
            (
                None,
                key,
                None,
                Some(file),
                "gpg.format is not set (openpgp)",
            ),
            (
                ssh,
                Some(" "),
                None,
                Some(file),
                "user.signingKey is not set",
            ),
            (ssh, key, None, None, ".github/s does not exist"),
        ];
        for (format, key, public, signers, words) in table {
            let problem =
                signing_problem(".github/s", signers, format, key, public).unwrap_or_default();
            assert!(
                if words.is_empty() {
                    problem.is_empty()
                } else {
                    problem.contains(words)
                },
                "{format:?} {public:?}: {problem}"
            );
        }
    }

    #[test]
    fn signers_paths_stay_inside_the_repository() {
        // (path, the problem's words, or "" for none)
        let table = [
            (".github/allowed_signers", ""),
            ("allowed_signers", ""),
            ("a/b/../c", "leaves the repository"),
            ("../keys", "leaves the repository"),
            ("/etc/keys", "is absolute"),
            ("C:/keys", "is absolute"),
            ("", "the path is empty"),
            ("  ", "the path is empty"),
        ];
        for (path, words) in table {
            let problem = signers_path_problem(path).unwrap_or_default();
            assert!(
                if words.is_empty() {
                    problem.is_empty()
                } else {
                    problem.contains(words)
                },
                "{path:?}: {problem}"
            );
        }
        let config = Config::parse("[policy]\nreplace_refs = \"yes\"\n");
        let error = format!("{:#}", config.err().unwrap());
        assert!(
            error.contains("policy.replace_refs must be \"refuse\" or \"allow\""),
            "{error}"
        );
        let config = Config::parse("[release]\nsigners = \"/keys\"\n");
        let error = format!("{:#}", config.err().unwrap());
        assert!(
            error.contains("release.signers: \"/keys\" is absolute"),
            "{error}"
        );
    }

    /// The tags' scheme agrees with the version files' reader on the first file's scheme.
    #[test]
    fn the_tags_scheme_is_the_first_version_files() {
        for files in [
            "[\"Cargo.toml\"]",
            "[\"pyproject.toml\"]",
            "[\"a/package.json\"]",
            "[{ path = \"pyproject.toml\" }]",
            "[{ path = \"pyproject.toml\", scheme = \"semver\" }]",
            "[{ path = \"v.txt\", regex = '(?<version>.*)' }]",
            "[{ path = \"v.txt\", regex = '(?<version>.*)', scheme = \"pep440\" }]",
        ] {
            let config = Config::parse(&format!("[version]\nfiles = {files}\n")).unwrap();
            let first = crate::version_files::version_files(&config).unwrap()[0].scheme;
            assert_eq!(tags_scheme(&config), first, "{files}");
        }
    }

    #[test]
    fn packages_have_their_own_tag_formats() {
        let text = "[tag]\nformat = \"{{ package }}-v{{ version }}\"\n\n[packages.a]\nfiles = [\"a/pyproject.toml\"]\n\n[packages.b]\nfiles = [\"b/Cargo.toml\"]\n";
        let config = Config::parse(text).unwrap();
        let whole = Policy::from_config(&config).unwrap();
        let message = whole.tag_format().unwrap_err().to_string();
        assert!(message.contains("several packages"), "{message}");
        let a = Policy::from_config(&config.for_package("a").unwrap()).unwrap();
        let a = a.tag_format().unwrap();
        assert_eq!(
            (a.example().as_str(), a.scheme()),
            ("a-v1.2.0", Scheme::Pep440)
        );
        let b = Policy::from_config(&config.for_package("b").unwrap()).unwrap();
        assert_eq!(b.tag_format().unwrap().example(), "b-v1.2.0");
    }

    /// The sections the hooks build alone stand when another rule is broken.
    #[test]
    fn sections_stand_alone() {
        let config =
            Config::parse("[tag]\nformat = \"v\"\n[release]\nbranches = [\"\"]\n[commits]\nconventional = \"deny\"\n")
                .unwrap();
        assert_eq!(Policy::from_config(&config).unwrap_err().problems.len(), 2);
        assert_eq!(
            CommitRules::from_config(&config).unwrap().conventional,
            Enforcement::Deny
        );
        assert!(Policy::allowed_branches_of(&config).is_ok());
        let message = Policy::tag_format_of(&config).unwrap_err().to_string();
        assert!(message.starts_with("xtask.toml: tag.format: "), "{message}");
        let config = Config::parse("[branches]\nallowed = [\"a/{{ x }}\"]\n").unwrap();
        assert!(Policy::tag_format_of(&config).unwrap().is_some());
        let message = Policy::allowed_branches_of(&config)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("xtask.toml: branches.allowed: "),
            "{message}"
        );
    }

    /// Each error names its key and says what is accepted, in the words the kit has always used; every
    /// problem is reported, not only the first.
    #[test]
    fn errors() {
        let table: &[(&str, &[&str])] = &[
            (
                "[branches]\nallowed = [\"main\", \"\"]\n",
                &["xtask.toml: branches.allowed: a branch pattern is empty"],
            ),
            (
                "[release]\nbranches = [\"a/{{ patch }}\"]\n",
                &[
                    "xtask.toml: release.branches: branch pattern `a/{{ patch }}` uses the unknown placeholder",
                ],
            ),
            (
                "[release]\nline_branch = \"stable\"\n",
                &["xtask.toml: release.line_branch: "],
            ),
            (
                "[tag]\nformat = \"v{{ version }}-{{ version }}\"\n",
                &[
                    "xtask.toml: tag.format: tag format `v{{ version }}-{{ version }}` has `{{ version }}` 2 times",
                ],
            ),
            (
                "[tag]\nformat = \"v\"\n[branches]\nallowed = [\"x/***\"]\n",
                &[
                    "xtask.toml: tag.format: tag format `v` has no `{{ version }}`",
                    "\nxtask.toml: branches.allowed: branch pattern `x/***` has `**`",
                ],
            ),
        ];
        for (text, needles) in table {
            let config = Config::parse(text).unwrap();
            let message = Policy::from_config(&config).unwrap_err().to_string();
            for needle in *needles {
                assert!(message.contains(needle), "{message:?} lacks {needle:?}");
            }
        }
        // A broken line template is one problem, under its own key (it is also a release branch).
        let config =
            Config::parse("[release]\nline_branch = \"stable/{{ oops }}.{{ minor }}\"\n").unwrap();
        let problems = Policy::from_config(&config).unwrap_err().problems;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("xtask.toml: release.line_branch: "),
            "{problems:?}"
        );
        // Values `Config::parse` refuses with their line, in a configuration built another way.
        let mut config = Config::default();
        config.commits.conventional = Some("maybe".into());
        config.policy.deprecation = Some("two minors".into());
        assert_eq!(
            Policy::from_config(&config).unwrap_err().problems,
            [
                "commits.conventional must be \"deny\", \"warn\" or \"off\", not \"maybe\"",
                "policy.deprecation must be \"two-minors\", \"next-major\" or \"off\", not \"two minors\"",
            ]
        );
    }
}
