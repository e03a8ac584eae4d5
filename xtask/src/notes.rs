//! Release notes: the commits since the last release, grouped by the changelog engine and rendered.

use anyhow::{Result, anyhow};

use crate::config::{Config, OtherSetting};
use crate::domain::changelog::{self, CommitInfo, GroupSpec, Options};
use crate::domain::release::commits::{self, Picks};
use crate::domain::rules::TagFormat;
use crate::domain::tag_hint;
use crate::domain::version::Version;
use crate::ops::repo::{ObjectId, ReleaseTag, Repo};

/// The unreleased history of the current branch: HEAD, the release its unreleased commits start after, and
/// those commits.
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
    let within = crate::domain::packages::prefixes(&scope.paths);
    let changed = crate::ops::git::Git::new(root)?.changed_paths(head, hide, &within)?;
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

/// The branch's unreleased commits ([`unreleased`]), keeping only the commits of the package the
/// configuration is for (all of them without `[packages]`). The branch's version is read from the
/// configuration's version files (when they cannot be read, the tags HEAD reaches decide alone).
pub fn unreleased_in(
    repo: &Repo,
    root: &std::path::Path,
    config: &Config,
    format: &TagFormat,
) -> Result<Unreleased> {
    let current = branch_version(root, config);
    let kit = options(config)?.skip_subjects;
    if config.package.is_none() {
        return unreleased(repo, format, current.as_ref(), &kit);
    }
    // A package's commits: git's path-narrowed log runs while the range is walked here.
    let (head, last) = unreleased_base(repo, format, current.as_ref())?;
    let hide = last.as_ref().map(|t| t.commit);
    let (commits, ids) = std::thread::scope(|scope| {
        let ids = scope.spawn(|| {
            package_commits(
                root,
                config,
                &head.to_string(),
                hide.map(|h| h.to_string()).as_deref(),
            )
        });
        let commits = in_range(repo, head, hide, &kit);
        let ids = ids
            .join()
            .map_err(|_| anyhow!("reading the paths of the commits failed"))
            .and_then(|r| r);
        (commits, ids)
    });
    let mut commits = commits?;
    if let Some(ids) = ids? {
        commits.retain(|c| ids.contains(&c.id));
    }
    Ok(Unreleased {
        head,
        last,
        commits,
    })
}

/// The version the configuration's files agree on, if they can be read and agree.
pub fn branch_version(root: &std::path::Path, config: &Config) -> Option<Version> {
    let files = crate::version_files::version_files(config).ok()?;
    crate::version_files::current_version(root, &files)
        .ok()
        .map(|(v, _)| v)
}

/// The branch's unreleased commits (see [`crate::domain::release::commits`]): HEAD's commits since the
/// greatest release at or below `current` (the branch's version), or the greatest release tag HEAD
/// reaches when that is higher; minus released cherry-picks and the kit's own commits (`kit`).
pub fn unreleased(
    repo: &Repo,
    format: &TagFormat,
    current: Option<&Version>,
    kit: &[regex_lite::Regex],
) -> Result<Unreleased> {
    let (head, last) = unreleased_base(repo, format, current)?;
    let commits = in_range(repo, head, last.as_ref().map(|t| t.commit), kit)?;
    Ok(Unreleased {
        head,
        last,
        commits,
    })
}

/// HEAD and the release its unreleased commits start after (see [`unreleased`]), warning when there is none.
fn unreleased_base(
    repo: &Repo,
    format: &TagFormat,
    current: Option<&Version>,
) -> Result<(ObjectId, Option<ReleaseTag>)> {
    let head = repo.head_commit()?;
    let tags = repo.release_tags(format)?;
    let last = base(repo, &tags, head, current, false)?;
    if last.is_none() {
        warn_without_release(repo, format)?;
    }
    Ok((head, last))
}

/// Where a branch's unreleased commits start: the greatest release (final, with `finals_only`) at or
/// below `current`, or the greatest one HEAD reaches when that is higher. Without `current`, the greatest
/// release tag HEAD reaches.
pub fn base(
    repo: &Repo,
    tags: &[ReleaseTag],
    head: ObjectId,
    current: Option<&Version>,
    finals_only: bool,
) -> Result<Option<ReleaseTag>> {
    let versions: Vec<&Version> = tags.iter().map(|t| &t.version).collect();
    let floor = current.and_then(|c| commits::at_or_below(&versions, c, finals_only));
    let candidates = commits::candidates_above(&versions, floor, finals_only);
    let mut failure = None;
    let found = commits::unreleased_base(floor, &candidates, |i| {
        repo.is_ancestor(tags[i].commit, head).unwrap_or_else(|e| {
            failure.get_or_insert(e);
            false
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(found.map(|i| tags[i].clone()))
}

/// The releases of a branch's line and of the lines before it: its unreleased commits' base (see [`base`])
/// and every release tag at or below the branch's version (or that base, when higher), ordered by
/// version, one per version. What `changelog --all` and `deprecations` list.
pub struct LineReleases {
    pub base: Option<ReleaseTag>,
    pub tags: Vec<ReleaseTag>,
}

/// [`LineReleases`] for HEAD at `head`, the branch's version being `current`.
pub fn line_releases(
    repo: &Repo,
    format: &TagFormat,
    head: ObjectId,
    current: Option<&Version>,
) -> Result<LineReleases> {
    let every = repo.release_tags(format)?;
    let base = base(repo, &every, head, current, false)?;
    let ceiling = match (current, &base) {
        (Some(c), Some(b)) if crate::domain::version::is_greater(&b.version, c) => Some(&b.version),
        (Some(c), _) => Some(c),
        (None, b) => b.as_ref().map(|b| &b.version),
    };
    let mut tags: Vec<ReleaseTag> = every
        .iter()
        .filter(|t| ceiling.is_some_and(|c| !crate::domain::version::is_greater(&t.version, c)))
        .cloned()
        .collect();
    tags.sort_by(|a, b| crate::domain::version::release_cmp(&a.version, &b.version));
    // One release per version, even when two spellings tag it.
    tags.dedup_by(|a, b| crate::domain::version::same_release(&a.version, &b.version));
    Ok(LineReleases { base, tags })
}

/// The commits of `prev..x` that are in the release `x` (see [`crate::domain::release::commits`]):
/// git's range, minus the changes `prev`'s history released through cherry-picks (`-x` lines, either
/// way), minus the kit's own release and development commits (their subjects match `kit`).
pub fn in_range(
    repo: &Repo,
    x: ObjectId,
    prev: Option<ObjectId>,
    kit: &[regex_lite::Regex],
) -> Result<Vec<CommitInfo>> {
    let history = repo.history_since(x, prev, |c| c)?;
    // Whether `x` reaches `prev`: then `prev`'s history is within `x`'s, and holds no pick of its own.
    let within = prev.is_some_and(|p| p == x || history.borders_on(p));
    let range = history.items;
    let picks = match prev {
        Some(prev) => picks(repo, x, prev, &range, within)?,
        None => Picks::default(),
    };
    Ok(range
        .into_iter()
        .filter(|c| {
            let origins = origins_of(&c.message);
            !picks.released(&c.id.to_ascii_lowercase(), &origins)
                && !commits::is_kit_commit(&c.message, kit)
        })
        .collect())
}

/// Several release ranges of one `x` read in one walk (see [`in_ranges`]): the commits, and each range's as
/// indices into them, in the order [`in_range`] gives.
pub struct Ranges {
    pub commits: Vec<CommitInfo>,
    pub sections: Vec<Vec<usize>>,
}

/// Where one walk for the ranges `prevs[i]..x` can stop: the commit where `x` and every `prev` meet (their
/// merge base), whose history is in none of the ranges, or the one `prev` when all ranges start there;
/// `None` when a range has no `prev` (it reaches back to the first commit) or the histories do not meet.
pub fn walk_floor(
    git: &crate::ops::git::Git,
    x: ObjectId,
    prevs: &[Option<ObjectId>],
) -> Result<Option<ObjectId>> {
    let mut points = vec![x.to_string()];
    for prev in prevs {
        let Some(prev) = prev else {
            return Ok(None);
        };
        let prev = prev.to_string();
        if !points.contains(&prev) {
            points.push(prev);
        }
    }
    // One range: its own start (the walk finds out whether `x` reaches it).
    if let [_, prev] = points.as_slice() {
        return Ok(ObjectId::from_hex(prev.as_bytes()).ok());
    }
    let mut args = vec!["merge-base", "--octopus"];
    args.extend(points.iter().map(String::as_str));
    // No merge base (unrelated histories) is not an error: the walk then reads everything.
    let out = git.raw(&args).unwrap_or_default();
    Ok(ObjectId::from_hex(out.trim().as_bytes()).ok())
}

/// [`in_range`] for each of `prevs` at once, the kit's own commits kept (the caller knows its patterns):
/// one walk of `x`'s history down to `floor` ([`walk_floor`]), each range taken from it by reachability
/// ([`commits::Reach`]), instead of one walk per range. A `prev` that `x` does not reach (another
/// line's release) is walked on its own, as [`in_range`] does.
pub fn in_ranges(
    repo: &Repo,
    x: ObjectId,
    prevs: &[Option<ObjectId>],
    floor: Option<ObjectId>,
) -> Result<Ranges> {
    let history = repo.history_since(x, floor, |c| c)?;
    let tip = history.index_of(x);
    let at: Vec<Option<usize>> = prevs
        .iter()
        .map(|p| p.and_then(|p| history.index_of(p)))
        .collect();
    let mut points: Vec<usize> = at.iter().flatten().copied().collect();
    points.extend(tip);
    let reach = commits::Reach::new(&history.parents, &points);
    let pairs: Vec<(Option<usize>, Option<usize>)> = at.iter().map(|&b| (tip, b)).collect();
    let mut sections = reach.sections(&pairs);
    let origins: Vec<Vec<String>> = history
        .items
        .iter()
        .map(|c| origins_of(&c.message))
        .collect();
    let any_picks = origins.iter().any(|o| !o.is_empty());
    for (i, prev) in prevs.iter().enumerate() {
        let Some(prev) = *prev else {
            continue;
        };
        // `x` reaches `prev` when the walk holds it, or when it is the floor and the walk ends on it.
        let reached =
            at[i].is_some() || (Some(prev) == floor && (prev == x || history.borders_on(prev)));
        if !reached {
            // Another line's release: its own range and picks, as `in_range` reads them.
            let range = repo.commits_since(x, Some(prev))?;
            let picks = picks(repo, x, prev, &range, false)?;
            sections[i] = range
                .iter()
                .filter(|c| !picks.released(&c.id.to_ascii_lowercase(), &origins_of(&c.message)))
                .filter_map(|c| history.index_of(ObjectId::from_hex(c.id.as_bytes()).ok()?))
                .collect();
            continue;
        }
        if !any_picks {
            continue;
        }
        // `prev`'s history is within `x`'s: no pick of its own is outside the range, so only the range's
        // picks whose origin `prev` holds are released already.
        let section = &sections[i];
        let in_section: std::collections::HashSet<String> = section
            .iter()
            .map(|&c| history.items[c].id.to_ascii_lowercase())
            .collect();
        let mut released = Picks::default();
        for origin in section.iter().flat_map(|&c| &origins[c]) {
            if in_section.contains(origin) || released.origins_released.contains(origin) {
                continue;
            }
            if let Ok(id) = repo.resolve(origin)
                && repo.is_ancestor(id, prev)?
            {
                released.origins_released.insert(origin.clone());
            }
        }
        sections[i].retain(|&c| {
            !released.released(&history.items[c].id.to_ascii_lowercase(), &origins[c])
        });
    }
    Ok(Ranges {
        commits: history.items,
        sections,
    })
}

/// The `-x` origins a message names, lowercase.
fn origins_of(message: &str) -> Vec<String> {
    crate::domain::conventional::cherry_pick_origins(message)
        .into_iter()
        .map(str::to_ascii_lowercase)
        .collect()
}

/// What `prev`'s history says about the picks of the range `prev..x`: the commits its own picks name (read
/// from the commits `prev` has and `x` has not: usually a release line's few, none when `x` reaches `prev`,
/// as `within` says), and which origins named by the range's picks it holds. Only picks are looked at, so a
/// history without them costs one short walk.
fn picks(
    repo: &Repo,
    x: ObjectId,
    prev: ObjectId,
    range: &[CommitInfo],
    within: bool,
) -> Result<Picks> {
    let mut picks = Picks::default();
    if !within {
        for commit in repo.commits_since(prev, Some(x))? {
            picks.picked_before.extend(origins_of(&commit.message));
        }
    }
    let in_range: std::collections::HashSet<String> =
        range.iter().map(|c| c.id.to_ascii_lowercase()).collect();
    for origin in range.iter().flat_map(|c| origins_of(&c.message)) {
        if in_range.contains(&origin) {
            continue;
        }
        if let Ok(id) = repo.resolve(&origin)
            && repo.is_ancestor(id, prev)?
        {
            picks.origins_released.insert(origin);
        }
    }
    Ok(picks)
}

/// Warns that no release tag follows `format` (call it when none is reachable from HEAD), naming the
/// format and, when other tags look like releases, one of them and the `tag.format` that would match.
pub fn warn_without_release(repo: &Repo, format: &TagFormat) -> Result<()> {
    warn_without_release_among(repo, format, &[])
}

/// [`warn_without_release`] for one of several packages: the tags of the `others` formats (its siblings')
/// are theirs, not this package's named another way.
pub fn warn_without_release_among(
    repo: &Repo,
    format: &TagFormat,
    others: &[TagFormat],
) -> Result<()> {
    let mut names = repo.tag_names()?;
    names.retain(|name| {
        !others
            .iter()
            .any(|other| other.as_str() != format.as_str() && other.version_of(name).is_some())
    });
    // A tag that follows the format but is not reachable (another release line) needs no hint.
    let suggestion = tag_hint::suggest(names.iter().map(String::as_str), format);
    crate::ops::term::warn(&tag_hint::warning(format, suggestion.as_ref()));
    Ok(())
}

/// A release that has its tag: the tag, the release before it (by version: see
/// [`crate::domain::release::commits::previous`]), and its own commits.
pub struct Released {
    pub tag: ReleaseTag,
    pub previous: Option<ReleaseTag>,
    pub commits: Vec<CommitInfo>,
}

/// The release of `version` when its tag (under `format`) exists: the commits of the definition (see
/// [`in_range`]) since the release before it. `None` when no tag names that version (it is not released
/// yet).
pub fn released(
    repo: &Repo,
    format: &TagFormat,
    version: &Version,
    kit: &[regex_lite::Regex],
) -> Result<Option<Released>> {
    let tags = repo.release_tags(format)?;
    let Some(tag) = tags
        .iter()
        .find(|t| crate::domain::version::same_release(&t.version, version))
        .cloned()
    else {
        return Ok(None);
    };
    let versions: Vec<&Version> = tags.iter().map(|t| &t.version).collect();
    let previous = commits::previous(&versions, &tag.version).map(|i| tags[i].clone());
    let commits = in_range(repo, tag.commit, previous.as_ref().map(|t| t.commit), kit)?;
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
        options
            .skip_subjects
            .push(packages_pattern(key, template, &names)?);
    }
    Ok(options)
}

/// [`subject_pattern`] of `template` for any of the packages `names`: one pattern, `{{ package }}` matching
/// each name (spelled as [`subject_pattern`] spells it, digits as any number). Compiled once per process: a
/// release of 200 packages asks for the same patterns 200 times.
fn packages_pattern(key: &str, template: &str, names: &[String]) -> Result<regex_lite::Regex> {
    type Cache = std::collections::HashMap<(String, String, Vec<String>), regex_lite::Regex>;
    static CACHE: std::sync::OnceLock<std::sync::Mutex<Cache>> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let wanted = (key.to_string(), template.to_string(), names.to_vec());
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(&wanted).cloned()) {
        return Ok(found);
    }
    let pattern = match names {
        [name] => subject_pattern(key, &crate::domain::packages::with_package(template, name))?,
        _ if !crate::domain::packages::uses_package(template) => subject_pattern(key, template)?,
        _ => {
            // A character no template or name holds stands for the name while the subject is rendered.
            const NAME: &str = "\u{e000}";
            let one = subject_pattern(key, &crate::domain::packages::with_package(template, NAME))?;
            let numbers = regex_lite::Regex::new(r"\d+").expect("constant pattern");
            let mut spelled: Vec<String> = names
                .iter()
                .map(|n| {
                    numbers
                        .replace_all(&regex_lite::escape(n), r"\d+")
                        .into_owned()
                })
                .collect();
            spelled.sort();
            spelled.dedup();
            let any = format!("(?:{})", spelled.join("|"));
            regex_lite::Regex::new(&one.as_str().replace(NAME, &any))
                .map_err(|e| anyhow!("cannot match release commits: {e}"))?
        }
    };
    if let Ok(mut cache) = cache.lock() {
        cache.insert(wanted, pattern.clone());
    }
    Ok(pattern)
}

/// A pattern matching the subjects that a message template produces for any version, so that the kit's own
/// release and development commits stay out of the notes. The template is rendered with a sample version;
/// every number in it then stands for any number, and a version may carry a pre-release.
/// `key` names the template in errors.
pub fn subject_pattern(key: &str, template: &str) -> Result<regex_lite::Regex> {
    let sample = crate::domain::version::Version::new(1, 2, 3);
    let context = crate::render::MessageContext::new(&sample, &sample, "v1.2.3", "2000-01-01");
    let rendered = crate::render::Renderer::builtin().message(key, template, &context)?;
    let subject = rendered.lines().next().unwrap_or("");
    let escaped = regex_lite::escape(subject);
    let numbers = regex_lite::Regex::new(r"\d+").expect("constant pattern");
    let pattern = numbers.replace_all(&escaped, r"\d+");
    let pattern = pattern.replace(
        r"\d+\.\d+\.\d+",
        r"\d+\.\d+\.\d+(?:[-.]?[0-9A-Za-z.]+)?(?:\+[0-9A-Za-z.-]+)?",
    );
    regex_lite::Regex::new(&format!("^{pattern}$"))
        .map_err(|e| anyhow!("cannot match release commits: {e}"))
}

pub fn group(commits: &[CommitInfo], options: &Options) -> changelog::Changes {
    changelog::group(commits, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pattern_for_all_packages() {
        let names: Vec<String> = ["core", "cli-2", "p007"].map(String::from).to_vec();
        let p = packages_pattern(
            "release.commit",
            "chore(release): {{ package }} {{ version }}",
            &names,
        )
        .unwrap();
        for subject in [
            "chore(release): core 1.2.0",
            "chore(release): cli-2 0.1.0-rc.1",
            "chore(release): cli-31 0.1.0",
            "chore(release): p123 3.0.0",
        ] {
            assert!(p.is_match(subject), "{subject}");
        }
        for subject in ["chore(release): other 1.2.0", "chore(release): core stuff"] {
            assert!(!p.is_match(subject), "{subject}");
        }
        // Each name alone gives the pattern it always gave.
        let alone = packages_pattern(
            "release.commit",
            "{{ package }}: {{ version }}",
            &names[..1],
        )
        .unwrap();
        assert!(alone.is_match("core: 1.0.0") && !alone.is_match("cli-2: 1.0.0"));
        let plain = packages_pattern("release.commit", "release {{ version }}", &names).unwrap();
        assert!(plain.is_match("release 1.0.0"));
    }

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
