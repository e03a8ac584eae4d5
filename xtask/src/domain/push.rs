//! The judgement of a push (pre-push on the client, pre-receive on the server): the ref updates and the facts
//! gathered about them beforehand go in, a verdict per ref comes out. No repository is read here: [`needs`]
//! says which facts each update calls for, the hook gathers exactly those, and [`judge`] decides.

use crate::domain::problem::Problem;
use crate::domain::rules::{self, Pattern, TagFormat, Verdict};
use crate::domain::version::Version;

/// One pushed ref, as git describes it to pre-push and pre-receive (all-zero ids for "none").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub name: String,
    pub old: String,
    pub new: String,
}

/// Where the push is judged: the server also guards its release branches against deletion and force-pushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// The rules a push is judged by, compiled from the configuration once.
#[derive(Debug, Clone)]
pub struct PushRules {
    /// `branches.allowed`: the names a new branch may have.
    pub allowed: Vec<Pattern>,
    /// The tag format of each package (`[packages]`), or the one format; a tag belongs to the first that
    /// reads a version from it.
    pub tag_formats: Vec<TagFormat>,
    /// `release.branches`.
    pub release_branches: Vec<Pattern>,
    /// `release.maintainers`: the e-mails allowed to tag a release (anyone when empty).
    pub maintainers: Vec<String>,
    /// `release.signers` is set: a release tag must carry a signature one of them made.
    pub signers_required: bool,
    /// `policy.replace_refs = "allow"`: refs under `refs/replace/` may be pushed.
    pub allow_replace_refs: bool,
    /// `tag.allowed`: other tags (not release tags) that may be created.
    pub other_tags: Vec<Pattern>,
}

/// The verdict on one pushed ref: allowed when nothing refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefVerdict {
    pub name: String,
    pub refusals: Vec<Problem>,
}

impl RefVerdict {
    pub fn is_allowed(&self) -> bool {
        self.refusals.is_empty()
    }
}

/// What the judgement of one update needs to know beyond its name and ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// Nothing: the name and ids decide.
    Nothing,
    /// Whether `old` is an ancestor of `new` (an existing release branch updated on the server).
    FastForward,
    /// The facts about a new release tag of the package with this index in [`PushRules::tag_formats`], for
    /// this version.
    ReleaseTag { package: usize, version: Version },
}

/// The facts gathered for one update, answering its [`Need`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    Nothing,
    FastForward(bool),
    ReleaseTag(TagFacts),
}

/// What the repository says about a new release tag. A lightweight tag is refused for that alone, so
/// nothing else is read about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagFacts {
    Lightweight,
    Annotated {
        /// The commit the tag points at (peeled).
        commit: String,
        /// The tagger's e-mail.
        tagger: String,
        /// The version the version files say at that commit, or why it cannot be read.
        version_at_commit: Result<Version, String>,
        /// A release branch for the tag's version (after the push) that contains the commit, if any.
        containing_release_branch: Option<String>,
        /// The other tags of the same package that name the same version, in any spelling
        /// (`v0.2.0rc1` and `v0.2.0-rc.1`): see [`same_version_tags`].
        same_version: Vec<String>,
        /// What `git verify-tag` said of the tag's signature (checked only with `release.signers`).
        signature: Signature,
    },
}

/// A release tag's signature against `release.signers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// `release.signers` is not set: nothing was checked.
    NotChecked,
    /// A good signature by a key of the allowed signers.
    Good,
    /// No signature, a key that is not one of the signers, or a bad signature: what git said.
    Bad(String),
}

pub fn is_zero(oid: &str) -> bool {
    !oid.is_empty() && oid.bytes().all(|b| b == b'0')
}

fn short(id: &str) -> &str {
    id.get(..7).unwrap_or(id)
}

/// A new branch's name against `branches.allowed`.
pub fn check_branch_name(branch: &str, allowed: &[Pattern]) -> Option<Problem> {
    Verdict::problem(rules::check_branch(branch, allowed))
}

/// A tag name judged against every package's format: allowed when one accepts it.
pub fn check_tag_names(tag: &str, formats: &[TagFormat]) -> Option<Problem> {
    let mut first = None;
    for format in formats {
        match rules::check_tag_name(tag, format) {
            Verdict::Allowed => return None,
            refused => {
                first.get_or_insert(refused);
            }
        }
    }
    match first {
        Some(Verdict::Refused(Problem { rule, hint, .. })) if formats.len() > 1 => {
            let shown: Vec<String> = formats
                .iter()
                .map(|f| format!("`{}`", rules::shown(f.as_str())))
                .collect();
            Some(Problem {
                rule,
                reason: format!(
                    "tag `{}` follows no package's tag format ({})",
                    rules::shown(tag),
                    shown.join(", ")
                ),
                hint,
            })
        }
        Some(refused) => Verdict::problem(refused),
        None => None,
    }
}

/// The package a tag belongs to (its index in the formats) and the version it names, if it is a release tag.
fn release_tag(rules: &PushRules, tag: &str) -> Option<(usize, Version)> {
    rules
        .tag_formats
        .iter()
        .enumerate()
        .find_map(|(i, format)| Some((i, format.version_of(tag)?)))
}

fn is_release_branch(rules: &PushRules, branch: &str) -> bool {
    rules
        .release_branches
        .iter()
        .any(|p| p.matches(branch).is_some())
}

/// The tags among `known` (existing tags, and the tags this push creates before this one) that name
/// `version` under the format of the package with index `package`, other than `tag` itself: a version is
/// one value, whatever its spelling, and has one tag.
pub fn same_version_tags(
    rules: &PushRules,
    package: usize,
    version: &Version,
    tag: &str,
    known: &[&str],
) -> Vec<String> {
    let Some(format) = rules.tag_formats.get(package) else {
        return Vec::new();
    };
    let mut same: Vec<String> = known
        .iter()
        .filter(|other| **other != tag && format.version_of(other).as_ref() == Some(version))
        .map(|other| other.to_string())
        .collect();
    same.sort();
    same.dedup();
    same
}

/// The start every other spelling of `tag`'s version shares, for reading only those tags (a hook reads
/// no more than it must): the tag of the version's `X.Y.Z` under the package's format when `tag` starts
/// with it (`v0.2.0` for `v0.2.0rc1`: numbers have no leading zeros, so every spelling of `0.2.0rc1` starts
/// so), else the empty string (every tag).
pub fn alias_prefix(rules: &PushRules, package: usize, version: &Version, tag: &str) -> String {
    rules
        .tag_formats
        .get(package)
        .and_then(|format| format.render(&crate::domain::version::core(version)).ok())
        .filter(|prefix| tag.starts_with(prefix.as_str()))
        .unwrap_or_default()
}

/// Which facts each update's judgement needs, in the order of `updates`: only a new release tag and, on the
/// server, an update of an existing release branch need the repository.
pub fn needs(rules: &PushRules, updates: &[RefUpdate], side: Side) -> Vec<Need> {
    updates
        .iter()
        .map(|u| {
            if let Some(branch) = u.name.strip_prefix("refs/heads/") {
                if side == Side::Server
                    && !is_zero(&u.old)
                    && !is_zero(&u.new)
                    && is_release_branch(rules, branch)
                {
                    return Need::FastForward;
                }
            } else if let Some(tag) = u.name.strip_prefix("refs/tags/")
                && is_zero(&u.old)
                && !is_zero(&u.new)
                && let Some((package, version)) = release_tag(rules, tag)
            {
                return Need::ReleaseTag { package, version };
            }
            Need::Nothing
        })
        .collect()
}

/// The branches and their commits after the push: the existing ones, updated by what is pushed.
pub fn tips_after(existing: Vec<(String, String)>, updates: &[RefUpdate]) -> Vec<(String, String)> {
    let mut tips = existing;
    for u in updates {
        if let Some(b) = u.name.strip_prefix("refs/heads/") {
            tips.retain(|(name, _)| name != b);
            if !is_zero(&u.new) {
                tips.push((b.to_string(), u.new.clone()));
            }
        }
    }
    tips
}

/// The branches (of `tips`, in their order) that are release branches for `version`: a release tag must be
/// on one of them. The hook asks, in this order, whether each contains the tagged commit.
pub fn release_branches_for<'t>(
    rules: &PushRules,
    tips: &'t [(String, String)],
    version: &Version,
) -> Vec<&'t (String, String)> {
    tips.iter()
        .filter(|(branch, _)| {
            rules
                .release_branches
                .iter()
                .any(|p| p.matches_release(branch, version.major, version.minor))
        })
        .collect()
}

/// Judges every update with the facts gathered for it (`facts[i]` answers `needs(..)[i]`; a missing or
/// mismatched fact is judged as if the repository had said nothing in favour of the update).
pub fn judge(
    rules: &PushRules,
    updates: &[RefUpdate],
    facts: &[Facts],
    side: Side,
) -> Vec<RefVerdict> {
    updates
        .iter()
        .enumerate()
        .map(|(i, u)| RefVerdict {
            name: u.name.clone(),
            refusals: judge_one(rules, u, facts.get(i).unwrap_or(&Facts::Nothing), side),
        })
        .collect()
}

fn judge_one(rules: &PushRules, u: &RefUpdate, facts: &Facts, side: Side) -> Vec<Problem> {
    let mut refusals = Vec::new();
    if u.name.starts_with("refs/replace/") {
        // A replace ref changes what an object reads as, for every reader that honours them: the rules
        // below would judge one commit and git would show another. Deleting one only undoes that.
        if !is_zero(&u.new) && !rules.allow_replace_refs {
            refusals.push(Problem::new(
                "policy.replace_refs",
                format!(
                    "pushing {} is not allowed: a replace ref makes git show one object in place of another",
                    u.name
                ),
                "push the commits themselves instead; a project that really uses `git replace` sets \
                 policy.replace_refs = \"allow\" in xtask.toml"
                    ,
            ));
        }
    } else if let Some(branch) = u.name.strip_prefix("refs/heads/") {
        // Names are judged when a branch is created; existing branches keep working.
        if is_zero(&u.old)
            && !is_zero(&u.new)
            && let Some(r) = check_branch_name(branch, &rules.allowed)
        {
            refusals.push(r);
        }
        if side == Side::Server && is_release_branch(rules, branch) && !is_zero(&u.old) {
            if is_zero(&u.new) {
                refusals.push(Problem::new(
                    "release.branches",
                    format!("deleting the release branch {branch} is not allowed"),
                    "release branches keep the history of releases",
                ));
            } else if !matches!(facts, Facts::FastForward(true)) {
                refusals.push(Problem::new(
                    "release.branches",
                    format!(
                        "force-pushing the release branch {branch} would rewrite published history"
                    ),
                    "push new commits on top instead (git pull --rebase, then git push)",
                ));
            }
        }
    } else if let Some(tag) = u.name.strip_prefix("refs/tags/") {
        let Some((package, version)) = release_tag(rules, tag) else {
            if !is_zero(&u.new)
                && !rules.other_tags.iter().any(|p| p.matches(tag).is_some())
                && let Some(r) = check_tag_names(tag, &rules.tag_formats)
            {
                refusals.push(r);
            }
            return refusals;
        };
        if is_zero(&u.new) {
            refusals.push(Problem::new(
                "tag.format",
                format!("deleting the release tag {tag} is not allowed"),
                "a published release stays published; release a new version instead",
            ));
        } else if !is_zero(&u.old) && u.old != u.new {
            refusals.push(Problem::new(
                "tag.format",
                format!("moving the release tag {tag} is not allowed"),
                "a published release stays as it was; release a new version instead",
            ));
        } else if is_zero(&u.old) {
            let facts = match facts {
                Facts::ReleaseTag(facts) => facts,
                _ => &TagFacts::Lightweight,
            };
            let scheme = rules.tag_formats[package].scheme();
            judge_release_tag(rules, tag, &version, scheme, facts, &mut refusals);
        }
    }
    refusals
}

fn judge_release_tag(
    rules: &PushRules,
    tag: &str,
    version: &Version,
    scheme: crate::domain::version::Scheme,
    facts: &TagFacts,
    refusals: &mut Vec<Problem>,
) {
    // Versions as the project spells them (`2.5.0rc1` in a Python project), not always SemVer's way.
    let numbers = (version.major, version.minor);
    let spelled = scheme.spell(version);
    let version = &spelled;
    let TagFacts::Annotated {
        commit,
        tagger,
        version_at_commit,
        containing_release_branch,
        same_version,
        signature,
    } = facts
    else {
        refusals.push(Problem::new(
            "tag.annotated",
            format!("the release tag {tag} is lightweight"),
            format!(
                "release tags are annotated: git tag --delete {tag} && git tag --annotate {tag} -m \"Release {version}\""
            ),
        ));
        return;
    };
    match version_at_commit {
        Ok(at_commit) if scheme.spell(at_commit) == *version => {}
        Ok(at_commit) => refusals.push(Problem::new(
            "tag.version",
            format!(
                "the tag {tag} says {version} but the version files at {} say {}",
                short(commit),
                scheme.spell(at_commit)
            ),
            format!(
                "tag the commit whose files say {version} (e.g. the release commit made by `cargo xtask release`)"
            ),
        )),
        Err(e) => refusals.push(Problem::new(
            "tag.version",
            format!("cannot read the version at {}: {e}", short(commit)),
            "check version.files in xtask.toml",
        )),
    }
    if containing_release_branch.is_none() {
        // The patterns for this release (`stable/1.5`), not their templates.
        let patterns: Vec<String> = rules
            .release_branches
            .iter()
            .map(|p| p.for_release(numbers.0, numbers.1))
            .collect();
        refusals.push(Problem::new(
            "release.branches",
            format!(
                "the tag {tag} is on {}, which no release branch for {version} contains",
                short(commit)
            ),
            format!(
                "release from one of: {} (push the branch with the tag)",
                patterns.join(", ")
            ),
        ));
    }
    if !same_version.is_empty() {
        refusals.push(Problem::new(
            "tag.format",
            format!(
                "the version {version} is already tagged as {}: {tag} would be a second tag for it",
                same_version.join(", ")
            ),
            "a version is one value, whatever its spelling: release a new version instead",
        ));
    }
    let maintainers = &rules.maintainers;
    if !maintainers.is_empty() && !maintainers.iter().any(|m| m.eq_ignore_ascii_case(tagger)) {
        let tagger = if tagger.is_empty() {
            "nobody (the tag has no tagger)"
        } else {
            tagger
        };
        refusals.push(Problem::new(
            "release.maintainers",
            format!("the tag {tag} was made by {tagger}, who is not one of release.maintainers"),
            format!("ask one of {} to tag the release", maintainers.join(", ")),
        ));
    }
    if rules.signers_required && *signature != Signature::Good {
        let why = match signature {
            Signature::Bad(why) => why.as_str(),
            _ => "its signature was not checked",
        };
        refusals.push(Problem::new(
            "release.signers",
            format!("the tag {tag} is not signed by one of release.signers: {why}"),
            format!(
                "a maintainer whose key is in the release.signers file signs it: git tag --delete {tag} && \
                 git tag --sign {tag} -m \"Release {version}\" (or `cargo xtask release`, which signs when \
                 release.signers is set)"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZERO: &str = "0000000000000000000000000000000000000000";
    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccc";

    fn rules(formats: &[&str], maintainers: &[&str]) -> PushRules {
        PushRules {
            allowed: ["main", "stable/{{ major }}.{{ minor }}", "feature/*"]
                .iter()
                .map(|p| Pattern::parse(p).unwrap())
                .collect(),
            tag_formats: formats
                .iter()
                .map(|f| TagFormat::parse(f).unwrap())
                .collect(),
            release_branches: ["main", "stable/{{ major }}.{{ minor }}"]
                .iter()
                .map(|p| Pattern::parse(p).unwrap())
                .collect(),
            maintainers: maintainers.iter().map(|m| m.to_string()).collect(),
            signers_required: false,
            allow_replace_refs: false,
            other_tags: vec![Pattern::parse("nightly-*").unwrap()],
        }
    }

    fn update(name: &str, old: &str, new: &str) -> RefUpdate {
        RefUpdate {
            name: name.to_string(),
            old: old.to_string(),
            new: new.to_string(),
        }
    }

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn annotated(version_at: Result<&str, &str>, branch: Option<&str>, tagger: &str) -> Facts {
        Facts::ReleaseTag(TagFacts::Annotated {
            commit: C.to_string(),
            tagger: tagger.to_string(),
            version_at_commit: version_at.map(v).map_err(str::to_string),
            containing_release_branch: branch.map(str::to_string),
            same_version: Vec::new(),
            signature: Signature::NotChecked,
        })
    }

    fn with(facts: Facts, same_version: &[&str], signature: Signature) -> Facts {
        let Facts::ReleaseTag(TagFacts::Annotated {
            commit,
            tagger,
            version_at_commit,
            containing_release_branch,
            ..
        }) = facts
        else {
            return facts;
        };
        Facts::ReleaseTag(TagFacts::Annotated {
            commit,
            tagger,
            version_at_commit,
            containing_release_branch,
            same_version: same_version.iter().map(|t| t.to_string()).collect(),
            signature,
        })
    }

    /// The rules each refusal names, for one update judged with one set of facts.
    fn refused(rules: &PushRules, u: RefUpdate, facts: Facts, side: Side) -> Vec<String> {
        let verdicts = judge(rules, &[u], &[facts], side);
        assert_eq!(verdicts.len(), 1);
        verdicts[0]
            .refusals
            .iter()
            .map(|r| r.rule.clone())
            .collect()
    }

    /// What a case is, the rules, the update, the facts gathered, the side, the rules that refuse it.
    type Row<'a> = (&'a str, &'a PushRules, RefUpdate, Facts, Side, Vec<&'a str>);

    #[test]
    fn every_push_rule_in_a_table() {
        let one = rules(&["v{{ version }}"], &[]);
        let kept = rules(&["v{{ version }}"], &["rel@example.com"]);
        let two = rules(&["app-v{{ version }}", "lib-v{{ version }}"], &[]);
        let signed = PushRules {
            signers_required: true,
            ..one.clone()
        };
        let replacing = PushRules {
            allow_replace_refs: true,
            ..one.clone()
        };
        let ok = || annotated(Ok("1.4.0"), Some("stable/1.4"), "rel@example.com");
        use Side::{Client, Server};
        let table: Vec<Row> = vec![
            // Branch names: judged when created, on both sides.
            (
                "allowed new branch",
                &one,
                update("refs/heads/feature/x", ZERO, A),
                Facts::Nothing,
                Client,
                vec![],
            ),
            (
                "badly named new branch",
                &one,
                update("refs/heads/wip", ZERO, A),
                Facts::Nothing,
                Client,
                vec!["branches.allowed"],
            ),
            (
                "badly named existing branch",
                &one,
                update("refs/heads/wip", A, B),
                Facts::Nothing,
                Client,
                vec![],
            ),
            (
                "deleting a badly named branch",
                &one,
                update("refs/heads/wip", A, ZERO),
                Facts::Nothing,
                Server,
                vec![],
            ),
            // Release branches on the server: no deletion, no force-push.
            (
                "fast-forward of a release branch",
                &one,
                update("refs/heads/stable/1.4", A, B),
                Facts::FastForward(true),
                Server,
                vec![],
            ),
            (
                "force-push of a release branch",
                &one,
                update("refs/heads/stable/1.4", A, B),
                Facts::FastForward(false),
                Server,
                vec!["release.branches"],
            ),
            (
                "force-push judged on the client",
                &one,
                update("refs/heads/main", A, B),
                Facts::Nothing,
                Client,
                vec![],
            ),
            (
                "deleting a release branch",
                &one,
                update("refs/heads/main", A, ZERO),
                Facts::Nothing,
                Server,
                vec!["release.branches"],
            ),
            (
                "deleting another branch",
                &one,
                update("refs/heads/feature/x", A, ZERO),
                Facts::Nothing,
                Server,
                vec![],
            ),
            // Tag format.
            (
                "a tag outside the format",
                &one,
                update("refs/tags/nightly", ZERO, A),
                Facts::Nothing,
                Client,
                vec!["tag.format"],
            ),
            (
                "a tag that tag.allowed names",
                &one,
                update("refs/tags/nightly-20260101", ZERO, A),
                Facts::Nothing,
                Client,
                vec![],
            ),
            (
                "deleting a tag outside the format",
                &one,
                update("refs/tags/nightly", A, ZERO),
                Facts::Nothing,
                Client,
                vec![],
            ),
            // Release tags.
            (
                "a good release tag",
                &one,
                update("refs/tags/v1.4.0", ZERO, A),
                ok(),
                Client,
                vec![],
            ),
            (
                "a lightweight release tag",
                &one,
                update("refs/tags/v1.4.0", ZERO, A),
                Facts::ReleaseTag(TagFacts::Lightweight),
                Client,
                vec!["tag.annotated"],
            ),
            (
                "version files disagree",
                &one,
                update("refs/tags/v1.4.0", ZERO, A),
                annotated(Ok("1.3.0"), Some("stable/1.4"), "x@y"),
                Client,
                vec!["tag.version"],
            ),
            (
                "version unreadable",
                &one,
                update("refs/tags/v1.4.0", ZERO, A),
                annotated(Err("no file"), Some("main"), "x@y"),
                Server,
                vec!["tag.version"],
            ),
            (
                "on no release branch",
                &one,
                update("refs/tags/v1.4.0", ZERO, A),
                annotated(Ok("1.4.0"), None, "x@y"),
                Client,
                vec!["release.branches"],
            ),
            (
                "everything wrong but the annotation",
                &kept,
                update("refs/tags/v1.4.0", ZERO, A),
                annotated(Ok("2.0.0"), None, "x@y"),
                Server,
                vec!["tag.version", "release.branches", "release.maintainers"],
            ),
            (
                "a maintainer tags, any case",
                &kept,
                update("refs/tags/v1.4.0", ZERO, A),
                annotated(Ok("1.4.0"), Some("main"), "REL@example.com"),
                Server,
                vec![],
            ),
            (
                "someone else tags",
                &kept,
                update("refs/tags/v1.4.0", ZERO, A),
                annotated(Ok("1.4.0"), Some("main"), "x@y"),
                Server,
                vec!["release.maintainers"],
            ),
            (
                "deleting a release tag",
                &one,
                update("refs/tags/v1.4.0", A, ZERO),
                Facts::Nothing,
                Client,
                vec!["tag.format"],
            ),
            (
                "moving a release tag",
                &one,
                update("refs/tags/v1.4.0", A, B),
                Facts::Nothing,
                Server,
                vec!["tag.format"],
            ),
            (
                "pushing a release tag again",
                &one,
                update("refs/tags/v1.4.0", A, A),
                Facts::Nothing,
                Client,
                vec![],
            ),
            // Replace refs: refused unless the policy allows them; deleting one undoes it.
            (
                "pushing a replace ref",
                &one,
                update(&format!("refs/replace/{A}"), ZERO, B),
                Facts::Nothing,
                Server,
                vec!["policy.replace_refs"],
            ),
            (
                "moving a replace ref",
                &one,
                update(&format!("refs/replace/{A}"), C, B),
                Facts::Nothing,
                Client,
                vec!["policy.replace_refs"],
            ),
            (
                "deleting a replace ref",
                &one,
                update(&format!("refs/replace/{A}"), B, ZERO),
                Facts::Nothing,
                Server,
                vec![],
            ),
            (
                "a replace ref the policy allows",
                &replacing,
                update(&format!("refs/replace/{A}"), ZERO, B),
                Facts::Nothing,
                Server,
                vec![],
            ),
            // A version is one value: a second tag for it, in any spelling, is refused.
            (
                "a second tag for a released version",
                &one,
                update("refs/tags/v1.4.0", ZERO, A),
                with(ok(), &["v1.4.0.0"], Signature::NotChecked),
                Server,
                vec!["tag.format"],
            ),
            // The tagger: a tag without one is nobody's.
            (
                "a tag without a tagger",
                &kept,
                update("refs/tags/v1.4.0", ZERO, A),
                annotated(Ok("1.4.0"), Some("main"), ""),
                Server,
                vec!["release.maintainers"],
            ),
            // Signers: with release.signers, only a good signature by one of them passes.
            (
                "a release tag signed by a signer",
                &signed,
                update("refs/tags/v1.4.0", ZERO, A),
                with(ok(), &[], Signature::Good),
                Client,
                vec![],
            ),
            (
                "an unsigned release tag",
                &signed,
                update("refs/tags/v1.4.0", ZERO, A),
                with(ok(), &[], Signature::Bad("no signature".into())),
                Server,
                vec!["release.signers"],
            ),
            (
                "a signature nobody checked",
                &signed,
                update("refs/tags/v1.4.0", ZERO, A),
                ok(),
                Server,
                vec!["release.signers"],
            ),
            (
                "signers not required",
                &one,
                update("refs/tags/v1.4.0", ZERO, A),
                with(ok(), &[], Signature::Bad("no signature".into())),
                Server,
                vec![],
            ),
            // Packages: a tag belongs to the package whose format reads it.
            (
                "a package's release tag",
                &two,
                update("refs/tags/lib-v1.4.0", ZERO, A),
                ok(),
                Client,
                vec![],
            ),
            (
                "a tag of no package",
                &two,
                update("refs/tags/v1.4.0", ZERO, A),
                Facts::Nothing,
                Client,
                vec!["tag.format"],
            ),
        ];
        for (what, rules, u, facts, side, expected) in table {
            assert_eq!(refused(rules, u, facts, side), expected, "{what}");
        }
    }

    #[test]
    fn only_new_release_tags_and_server_release_branch_updates_need_the_repository() {
        let two = rules(&["app-v{{ version }}", "lib-v{{ version }}"], &[]);
        let updates = [
            update("refs/heads/main", A, B),
            update("refs/heads/feature/x", A, B),
            update("refs/heads/main", ZERO, B),
            update("refs/tags/lib-v1.4.0", ZERO, A),
            update("refs/tags/lib-v1.4.0", A, B),
            update("refs/tags/nightly", ZERO, A),
        ];
        let release = Need::ReleaseTag {
            package: 1,
            version: v("1.4.0"),
        };
        assert_eq!(
            needs(&two, &updates, Side::Server),
            [
                Need::FastForward,
                Need::Nothing,
                Need::Nothing,
                release.clone(),
                Need::Nothing,
                Need::Nothing
            ]
        );
        assert_eq!(
            needs(&two, &updates, Side::Client),
            [
                Need::Nothing,
                Need::Nothing,
                Need::Nothing,
                release,
                Need::Nothing,
                Need::Nothing
            ]
        );
    }

    #[test]
    fn a_version_has_one_tag_whatever_its_spelling() {
        let pep = PushRules {
            tag_formats: vec![
                TagFormat::parse("v{{ version }}")
                    .unwrap()
                    .in_scheme(crate::domain::version::Scheme::Pep440),
            ],
            ..rules(&["v{{ version }}"], &[])
        };
        let rc = v("0.2.0-rc.1");
        // (the new tag, the tags known, the ones that already name its version)
        let table: [(&str, &[&str], &[&str]); 6] = [
            ("v0.2.0-rc.1", &["v0.2.0rc1", "v0.1.0"], &["v0.2.0rc1"]),
            ("v0.2.0.rc1", &["v0.2.0rc1"], &["v0.2.0rc1"]),
            (
                "v0.2.0c1",
                &["v0.2.0rc1", "v0.2.0-rc.1"],
                &["v0.2.0-rc.1", "v0.2.0rc1"],
            ),
            ("v0.2.0rc1", &["v0.2.0rc1", "v0.2.0rc2", "nightly"], &[]),
            ("v0.2.0rc1", &["v0.2.0", "v0.2.0.post1", "v0.2.0rc10"], &[]),
            ("v0.2.0rc1", &[], &[]),
        ];
        for (tag, known, expected) in table {
            let version = pep.tag_formats[0].version_of(tag).unwrap();
            assert_eq!(version, rc, "{tag}");
            assert_eq!(
                same_version_tags(&pep, 0, &version, tag, known),
                expected,
                "{tag} with {known:?}"
            );
        }
        // Another package's tags are another package's versions.
        let two = rules(&["app-v{{ version }}", "lib-v{{ version }}"], &[]);
        assert!(same_version_tags(&two, 1, &v("1.0.0"), "lib-v1.0.0", &["app-v1.0.0"]).is_empty());
        assert_eq!(
            same_version_tags(&two, 1, &v("1.0.0"), "lib-v1.0.0", &["lib-v1.0"]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn release_lines_pick_the_branches_of_the_tags_minor() {
        let one = rules(&["v{{ version }}"], &[]);
        let tips = tips_after(
            vec![
                ("stable/1.3".into(), A.into()),
                ("stable/1.4".into(), A.into()),
                ("feature/x".into(), A.into()),
                ("gone".into(), A.into()),
            ],
            &[
                update("refs/heads/stable/1.4", A, B),
                update("refs/heads/gone", A, ZERO),
                update("refs/heads/main", ZERO, C),
            ],
        );
        let names = |version: &str| -> Vec<String> {
            release_branches_for(&one, &tips, &v(version))
                .iter()
                .map(|(b, tip)| format!("{b}@{}", &tip[..1]))
                .collect()
        };
        assert_eq!(names("1.4.2"), ["stable/1.4@b", "main@c"]);
        assert_eq!(names("1.3.0"), ["stable/1.3@a", "main@c"]);
        assert_eq!(names("2.0.0"), ["main@c"]);
    }

    #[test]
    fn refusals_say_what_the_hooks_always_said() {
        let kept = rules(&["v{{ version }}"], &["rel@example.com"]);
        let verdicts = judge(
            &kept,
            &[
                update("refs/tags/v1.4.0", ZERO, A),
                update("refs/tags/v1.5.0", ZERO, A),
                update("refs/tags/v1.4.0", A, ZERO),
                update("refs/heads/main", A, B),
            ],
            &[
                Facts::ReleaseTag(TagFacts::Lightweight),
                annotated(Ok("1.4.0"), None, "x@y"),
                Facts::Nothing,
                Facts::FastForward(false),
            ],
            Side::Server,
        );
        let texts: Vec<String> = verdicts
            .iter()
            .flat_map(|v| &v.refusals)
            .map(|r| format!("{}: {}\n{}", r.rule, r.reason, r.hint))
            .collect();
        assert_eq!(
            texts,
            [
                "tag.annotated: the release tag v1.4.0 is lightweight\nrelease tags are annotated: git tag --delete v1.4.0 && git tag --annotate v1.4.0 -m \"Release 1.4.0\"",
                "tag.version: the tag v1.5.0 says 1.5.0 but the version files at ccccccc say 1.4.0\ntag the commit whose files say 1.5.0 (e.g. the release commit made by `cargo xtask release`)",
                "release.branches: the tag v1.5.0 is on ccccccc, which no release branch for 1.5.0 contains\nrelease from one of: main, stable/1.5 (push the branch with the tag)",
                "release.maintainers: the tag v1.5.0 was made by x@y, who is not one of release.maintainers\nask one of rel@example.com to tag the release",
                "tag.format: deleting the release tag v1.4.0 is not allowed\na published release stays published; release a new version instead",
                "release.branches: force-pushing the release branch main would rewrite published history\npush new commits on top instead (git pull --rebase, then git push)",
            ]
        );
        assert!(!verdicts[0].is_allowed());
    }

    #[test]
    fn alias_prefix_table() {
        let r = rules(&["v{{ version }}", "{{ version }}-final"], &[]);
        // (what, package, version, tag, expected prefix)
        let cases = [
            ("a PEP 440 candidate", 0, "0.2.0rc1", "v0.2.0rc1", "v0.2.0"),
            (
                "a SemVer candidate",
                0,
                "0.2.0-rc.1",
                "v0.2.0-rc.1",
                "v0.2.0",
            ),
            ("a final", 0, "1.4.0", "v1.4.0", "v1.4.0"),
            (
                "the version not at the end: every tag",
                1,
                "1.0.0-rc.1",
                "1.0.0-rc.1-final",
                "",
            ),
            ("no such package: every tag", 7, "1.0.0", "v1.0.0", ""),
        ];
        for (what, package, version, tag, expected) in cases {
            let version = crate::domain::version::parse_any(version).unwrap();
            assert_eq!(alias_prefix(&r, package, &version, tag), expected, "{what}");
        }
    }
}
