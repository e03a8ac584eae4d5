//! Release notes: the commits since the last release, grouped by the changelog engine and rendered.

use anyhow::{Result, anyhow};

use crate::config::{Config, OtherSetting};
use crate::domain::changelog::{self, CommitInfo, GroupSpec, Options};
use crate::domain::rules::TagFormat;
use crate::domain::tag_hint;
use crate::ops::repo::{ObjectId, ReleaseTag, Repo};

/// The unreleased history of the current line: HEAD, the last release tag reachable from it, the commits since.
pub struct Unreleased {
    pub head: ObjectId,
    pub last: Option<ReleaseTag>,
    pub commits: Vec<CommitInfo>,
}

/// For a package's configuration ([`Config::for_package`]): the ids of the commits in `head` minus `hide`
/// that touch one of its `paths`; `None` without a package (every commit counts).
pub fn package_commits(
    root: &std::path::Path,
    config: &Config,
    head: &str,
    hide: Option<&str>,
) -> Result<Option<std::collections::HashSet<String>>> {
    let Some(scope) = &config.package else {
        return Ok(None);
    };
    let changed = crate::ops::git::Git::new(root)?.changed_paths(head, hide)?;
    Ok(Some(
        changed
            .into_iter()
            .filter(|(_, files)| crate::domain::packages::belongs(&scope.paths, files))
            .map(|(id, _)| id)
            .collect(),
    ))
}

/// Keeps the commits of `commits` (in `head` minus `hide`) that belong to the configuration's package;
/// without a package, all of them.
pub fn keep_package_commits(
    root: &std::path::Path,
    config: &Config,
    head: ObjectId,
    hide: Option<ObjectId>,
    commits: &mut Vec<CommitInfo>,
) -> Result<()> {
    let hide = hide.map(|h| h.to_string());
    if let Some(ids) = package_commits(root, config, &head.to_string(), hide.as_deref())? {
        commits.retain(|c| ids.contains(&c.id));
    }
    Ok(())
}

/// Commits since the highest release tag reachable from HEAD (tags of other lines do not count).
/// [`unreleased`], keeping only the commits of the package the configuration is for (all of them without
/// `[packages]`).
pub fn unreleased_in(
    repo: &Repo,
    root: &std::path::Path,
    config: &Config,
    format: &TagFormat,
) -> Result<Unreleased> {
    let mut history = unreleased(repo, format)?;
    keep_package_commits(
        root,
        config,
        history.head,
        history.last.as_ref().map(|t| t.commit),
        &mut history.commits,
    )?;
    Ok(history)
}

pub fn unreleased(repo: &Repo, format: &TagFormat) -> Result<Unreleased> {
    let head = repo
        .head()?
        .commit
        .ok_or_else(|| anyhow!("the repository has no commits yet: commit something first"))?;
    let tags = repo.release_tags(format)?;
    let last = repo.last_release(&tags, head)?.cloned();
    if last.is_none() {
        warn_without_release(repo, format)?;
    }
    let commits = repo.commits_since(head, last.as_ref().map(|t| t.commit))?;
    let commits = without_released_picks(repo, head, commits);
    Ok(Unreleased {
        head,
        last,
        commits,
    })
}

/// Leaves out the cherry-picks (`git cherry-pick -x`) whose original HEAD contains outside `commits`: that
/// change shipped in an earlier release (a fix released on a stable line, then merged), so the notes do not
/// list it again. Only the origins the picks name are looked up, so a history without picks costs nothing.
pub fn without_released_picks(
    repo: &Repo,
    head: ObjectId,
    commits: Vec<CommitInfo>,
) -> Vec<CommitInfo> {
    let in_range: std::collections::HashSet<String> =
        commits.iter().map(|c| c.id.to_ascii_lowercase()).collect();
    let released = |origin: &str| {
        repo.resolve(origin).is_ok_and(|id| {
            !in_range.contains(&id.to_string()) && repo.is_ancestor(id, head).unwrap_or(false)
        })
    };
    commits
        .into_iter()
        .filter(|c| {
            !crate::domain::commit::cherry_pick_origins(&c.message)
                .iter()
                .any(|origin| released(origin))
        })
        .collect()
}

/// Warns that no release tag follows `format` (call it when none is reachable from HEAD), naming the
/// format and, when other tags look like releases, one of them and the `tag.format` that would match.
pub fn warn_without_release(repo: &Repo, format: &TagFormat) -> Result<()> {
    let names = repo.tag_names()?;
    // A tag that follows the format but is not reachable (another release line) needs no hint.
    let suggestion = tag_hint::suggest(names.iter().map(String::as_str), format);
    crate::ops::term::warn(&tag_hint::warning(format, suggestion.as_ref()));
    Ok(())
}

/// A release that has its tag: the tag, the release before it on the same line, and its own commits.
pub struct Released {
    pub tag: ReleaseTag,
    pub previous: Option<ReleaseTag>,
    pub commits: Vec<CommitInfo>,
}

/// The release of `version` when its tag (under `format`) exists: its commits since the highest lower
/// release tag reachable from it. `None` when no tag names that version (it is not released yet).
pub fn released(
    repo: &Repo,
    format: &TagFormat,
    version: &crate::domain::version::Version,
) -> Result<Option<Released>> {
    let tags = repo.release_tags(format)?;
    let Some(tag) = tags.iter().find(|t| t.version == *version).cloned() else {
        return Ok(None);
    };
    let lower: Vec<ReleaseTag> = tags
        .into_iter()
        .filter(|t| {
            crate::domain::version::release_cmp(&t.version, version).is_lt()
                && t.commit != tag.commit
        })
        .collect();
    let previous = repo.last_release(&lower, tag.commit)?.cloned();
    let commits = repo.commits_since(tag.commit, previous.as_ref().map(|t| t.commit))?;
    Ok(Some(Released {
        tag,
        previous,
        commits,
    }))
}

/// The changelog engine's options from the configuration.
pub fn options(config: &Config) -> Result<Options> {
    let mut options = Options::default();
    if let Some(groups) = &config.changelog.groups {
        options.groups = groups
            .iter()
            .map(|g| GroupSpec {
                title: g.title.clone(),
                kinds: g.types.clone(),
            })
            .collect();
    }
    options.other = match &config.changelog.other {
        None => options.other,
        Some(OtherSetting::Title(title)) => Some(title.clone()),
        Some(OtherSetting::Enabled(_)) => None,
    };
    // The kit's own commits, for every package: one release commit of several packages carries the first
    // package's subject, and belongs to the others too.
    let names = match &config.package {
        Some(scope) => scope.siblings.clone(),
        None => vec![String::new()],
    };
    options.skip_subjects = Vec::new();
    for (key, template) in [
        ("release.commit", config.release_commit()),
        ("release.dev_commit", config.dev_commit()),
    ] {
        for name in &names {
            options.skip_subjects.push(subject_pattern(
                key,
                &crate::domain::packages::with_package(template, name),
            )?);
        }
    }
    Ok(options)
}

/// A pattern matching the subjects that a message template produces for any version, so that the kit's own
/// release and development commits stay out of the notes. The template is rendered with a sample version;
/// every number in it then stands for any number, and a version may carry a pre-release.
/// `key` names the template in errors.
pub fn subject_pattern(key: &str, template: &str) -> Result<regex::Regex> {
    let sample = crate::domain::version::Version::new(1, 2, 3);
    let context = crate::render::MessageContext::new(&sample, &sample, "v1.2.3", "2000-01-01");
    let rendered = crate::render::Renderer::builtin().message(key, template, &context)?;
    let subject = rendered.lines().next().unwrap_or("");
    let escaped = regex::escape(subject);
    let numbers = regex::Regex::new(r"\d+").expect("constant pattern");
    let pattern = numbers.replace_all(&escaped, r"\d+");
    let pattern = pattern.replace(
        r"\d+\.\d+\.\d+",
        r"\d+\.\d+\.\d+(?:[-.]?[0-9A-Za-z.]+)?(?:\+[0-9A-Za-z.-]+)?",
    );
    regex::Regex::new(&format!("^{pattern}$"))
        .map_err(|e| anyhow!("cannot match release commits: {e}"))
}

pub fn group(commits: &[CommitInfo], options: &Options) -> changelog::Changes {
    changelog::group(commits, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_patterns_match_any_version() {
        let p = subject_pattern("release.commit", "chore(release): {{ version }}").unwrap();
        assert!(p.is_match("chore(release): 0.2.0"));
        assert!(p.is_match("chore(release): 10.20.30-rc.1"));
        assert!(!p.is_match("chore(release): stuff"));
        let p = subject_pattern(
            "release.commit",
            "Start development on version {{ major }}.{{ minor }}.{{ patch }}",
        )
        .unwrap();
        assert!(p.is_match("Start development on version 0.2.1"));
        let p =
            subject_pattern("release.commit", "chore: start {{ version }} development").unwrap();
        assert!(p.is_match("chore: start 0.2.1-dev development"));
    }
}
