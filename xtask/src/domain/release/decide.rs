//! The release decision: every preflight check and the version choice, as a pure function of a snapshot.

use crate::domain::bump;
use crate::domain::changelog::CommitInfo;
use crate::domain::conventional;
use crate::domain::deprecations::{self, Notice};
use crate::domain::lines::{self, LineTemplate};
use crate::domain::problem::Problem;
use crate::domain::rules::{Pattern, TagFormat};
use crate::domain::version::{self, BumpRequest, Level, Scheme, Version};

/// What the release needs to know about the repository, gathered before anything changes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// HEAD's commit; `None` in a repository without commits.
    pub head: Option<String>,
    /// The branch being released (from HEAD, or from the CI's environment on a detached HEAD).
    pub branch: Option<String>,
    /// Tracked files with staged or unstaged changes.
    pub dirty: Vec<String>,
    /// The version the files agree on, or every reason they do not.
    pub current: Result<Version, String>,
    /// The first version file's version when the files disagree (or `None`): the checks that need a version
    /// (the tag, the branch, the level) still run on it, so one run reports every problem.
    pub first_file: Option<Version>,
    /// The highest release tag reachable from HEAD, with its version.
    pub last_release: Option<(String, Version)>,
    /// The highest *final* release tag reachable from HEAD: where a final release's notes and
    /// level policy start, so that promoting `2.6.0rc2` to `2.6.0` covers everything since `2.5.1`.
    pub last_final: Option<(String, Version)>,
    /// Every tag name in the repository.
    pub tags: Vec<String>,
    /// The commits since the last release, newest first.
    pub commits: Vec<CommitInfo>,
    /// The commits since the last final release, newest first (the same as `commits` when the
    /// last release is final).
    pub commits_since_final: Vec<CommitInfo>,
    /// `user.name` and `user.email`, if set.
    pub identity: Option<(String, String)>,
    /// The `Deprecated:`/`Removed:` footers of HEAD's history, each with the first release containing it
    /// (empty when the deprecation policy is off).
    pub deprecations: Vec<Notice>,
}

/// The configured rules a release must meet.
#[derive(Debug, Clone)]
pub struct Settings {
    pub branches: Vec<Pattern>,
    pub maintainers: Vec<String>,
    pub tag_format: TagFormat,
    /// `release.line_branch`: on a line branch only that line's versions are released, and `auto`
    /// means a patch.
    pub line: Option<LineTemplate>,
    /// Each version file with its scheme: a version some file cannot spell is refused up front.
    pub file_schemes: Vec<(String, version::Scheme)>,
    /// Release even if the commits call for a higher level; said in a warning.
    pub force: bool,
    /// A dry run: what only matters when the release really runs (uncommitted changes, no git identity) is a
    /// warning, so the plan can be read while work is in progress.
    pub dry_run: bool,
    /// `[policy] deprecation`: when a `Removed:` may ship.
    pub deprecation: deprecations::Window,
    /// `commits.patch_types`: the types that call for a patch (`None`: any commit does).
    pub patch_types: Option<Vec<String>>,
}

/// How the version is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The level the commits call for.
    Auto,
    /// The first (or next) pre-release of the level the commits call for (`auto --pre rc`).
    AutoPre(version::PreKind),
    Request(BumpRequest),
}

impl Choice {
    pub fn parse(
        text: &str,
        pre: Option<version::PreKind>,
    ) -> Result<Choice, version::VersionError> {
        if text.trim().eq_ignore_ascii_case("auto") {
            return Ok(match pre {
                None => Choice::Auto,
                Some(kind) => Choice::AutoPre(kind),
            });
        }
        BumpRequest::parse(text, pre).map(Choice::Request)
    }
}

/// The outcome of a successful preflight: the decision part of a
/// [`ReleasePlan`](crate::domain::release::steps::ReleasePlan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub version: Version,
    pub previous: Version,
    pub tag: String,
    /// The level the commits call for (`None` without commits).
    pub required: Option<Level>,
    /// Things the user should know (a policy overridden with --force).
    pub warnings: Vec<String>,
    /// The deprecations whose removal window opens with this release, described.
    pub removable: Vec<String>,
}

impl Snapshot {
    /// The commits a release of `new` is about, and the release they start after: since the last
    /// release for a pre-release, since the last *final* release for a final one (its notes then
    /// include every release candidate's changes).
    pub fn range_for(&self, new: &Version) -> (&[CommitInfo], Option<&(String, Version)>) {
        if new.is_final() {
            (&self.commits_since_final, self.last_final.as_ref())
        } else {
            (&self.commits, self.last_release.as_ref())
        }
    }
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot {
            head: None,
            branch: None,
            dirty: Vec::new(),
            current: Err("no version read".into()),
            first_file: None,
            last_release: None,
            last_final: None,
            tags: Vec::new(),
            commits: Vec::new(),
            commits_since_final: Vec::new(),
            identity: None,
            deprecations: Vec::new(),
        }
    }
}

/// The conventional commits among `commits`, paired with their short hash and subject.
fn conventional(commits: &[CommitInfo]) -> Vec<((String, String), conventional::Conventional)> {
    commits
        .iter()
        .filter(|c| c.parent_count <= 1 && !conventional::is_autosquash(&c.message))
        .filter_map(|c| {
            conventional::parse(&c.message).ok().map(|p| {
                (
                    (
                        c.short_id.clone(),
                        conventional::subject(&c.message).to_string(),
                    ),
                    p,
                )
            })
        })
        .collect()
}

/// The level the commits call for, with the pre-1.0 rule applied; `None` without commits.
/// The level `commits` call for: a breaking change or a `feat` as [`bump::required_level`] says; otherwise
/// a patch, from any commit, or with `patch_types` (`commits.patch_types`) only from a commit of one of
/// those types (`docs` and `ci` alone then call for no release, as commitizen has it).
pub fn required_level(
    commits: &[CommitInfo],
    current: &Version,
    patch_types: Option<&[String]>,
) -> Option<Level> {
    if commits.is_empty() {
        return None;
    }
    let parsed = conventional(commits);
    match patch_types {
        None => Some(
            bump::required_level(parsed.iter().map(|(_, c)| c), current).unwrap_or(Level::Patch),
        ),
        // Only breaking changes, `feat`s and the patch types count; the rest call for nothing.
        Some(types) => bump::required_level(
            parsed
                .iter()
                .map(|(_, c)| c)
                .filter(|c| types.contains(&c.kind) || bump::level_for(c) > Level::Patch),
            current,
        ),
    }
}

/// One row of the interactive menu: a version, and every choice that gives it (`auto (minor)` first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuRow {
    pub version: Version,
    pub choices: Vec<String>,
}

/// The pre-release kinds the menu offers, most common first.
const MENU_KINDS: [version::PreKind; 4] = [
    version::PreKind::Rc,
    version::PreKind::Beta,
    version::PreKind::Alpha,
    version::PreKind::Dev,
];

/// A first release: nothing is released under this tag format yet, and no tag of any format names the
/// final version the files hold, so `auto` releases it as written (a new package's 0.1.0 is 0.1.0, as
/// cargo-release and release-please have it), rather than the version after it.
/// Tags that look like releases named another way (`release-1.0`, see [`crate::domain::tag_hint`]) say the
/// project has released before: then it is no first release.
pub fn is_first_release(snapshot: &Snapshot, current: &Version, tag_format: &TagFormat) -> bool {
    let spelled = [Scheme::Semver.spell(current), Scheme::Pep440.spell(current)];
    snapshot.last_release.is_none()
        && current.is_final()
        && !snapshot
            .tags
            .iter()
            .any(|tag| spelled.iter().any(|s| tag.ends_with(s.as_str())))
        && crate::domain::tag_hint::suggest(snapshot.tags.iter().map(String::as_str), tag_format)
            .is_none()
}

/// The interactive menu: one row per distinct version the choices give (the choices that give the same one
/// named together, `auto` first), then the pre-releases (of the level the commits call for, and the
/// continuations of a current pre-release). Choices that give no version greater than `current` are left out.
/// With `first_release` (see [`is_first_release`]), `auto` offers the version as written.
pub fn menu(
    current: &Version,
    commits: &[CommitInfo],
    first_release: bool,
    patch_types: Option<&[String]>,
) -> Vec<MenuRow> {
    let auto = required_level(commits, current, patch_types);
    let mut candidates: Vec<(String, BumpRequest)> = Vec::new();
    let mut rows: Vec<MenuRow> = Vec::new();
    match auto {
        // The version as written: no bump gives it, so it is a row of its own.
        Some(_) if first_release => rows.push(MenuRow {
            version: current.clone(),
            choices: vec!["auto (first release)".into()],
        }),
        Some(level) => candidates.push((format!("auto ({level})"), BumpRequest::Level(level))),
        None => {}
    }
    if version::pre_release(current).is_some() {
        candidates.push(("release".into(), BumpRequest::Release));
    }
    for level in [Level::Patch, Level::Minor, Level::Major] {
        candidates.push((level.to_string(), BumpRequest::Level(level)));
    }
    if version::pre_release(current).is_some() {
        for kind in MENU_KINDS {
            candidates.push((kind.to_string(), BumpRequest::Pre(kind)));
        }
    }
    let pre_level = auto.unwrap_or(Level::Patch);
    let pre_label = if auto.is_some() {
        "auto".to_string()
    } else {
        pre_level.to_string()
    };
    for kind in MENU_KINDS {
        candidates.push((
            format!("{pre_label} --pre {kind}"),
            BumpRequest::LevelPre(pre_level, kind),
        ));
    }
    for (label, request) in candidates {
        let Ok(version) = version::bump(current, &request) else {
            continue;
        };
        match rows
            .iter_mut()
            .find(|row| version::same_release(&row.version, &version))
        {
            Some(row) if !row.choices.contains(&label) => row.choices.push(label),
            Some(_) => {}
            None => rows.push(MenuRow {
                version,
                choices: vec![label],
            }),
        }
    }
    rows
}

/// Why `auto` has nothing to release (no commits since the last release to go by), if so: the
/// interactive release says this instead of offering a menu.
pub fn nothing_to_release(snapshot: &Snapshot, settings: &Settings) -> Option<String> {
    let current = snapshot.current.as_ref().ok()?;
    required_level(
        &snapshot.commits_since_final,
        current,
        settings.patch_types.as_deref(),
    )
    .is_none()
    .then(|| nothing_message(snapshot, settings))
}

fn nothing_message(snapshot: &Snapshot, settings: &Settings) -> String {
    let since = snapshot
        .last_release
        .as_ref()
        .map(|(t, _)| format!(" since {t}"))
        .unwrap_or_default();
    match &settings.patch_types {
        // There are commits, but none of a type that calls for a release.
        Some(types) if !snapshot.commits_since_final.is_empty() => format!(
            "no commit{since} calls for a release (commits.patch_types: {}; a feat or a breaking change): \
             nothing to release; pass a level or version to release anyway",
            types.join(", ")
        ),
        _ => format!(
            "no changes{since}: nothing to release (the kit's own release and development commits do not \
             count; pass a level or version to release anyway)"
        ),
    }
}

/// The problems that do not depend on the version chosen (no commits, uncommitted changes, no identity, not
/// a maintainer, unreadable version files): the interactive release reports them before its menu.
pub fn before_choosing(snapshot: &Snapshot, settings: &Settings) -> Vec<String> {
    let (mut problems, _) = common_problems(snapshot, settings);
    if let Err(reason) = &snapshot.current {
        problems.push(reason.clone());
    }
    problems
}

/// [`before_choosing`]'s checks but the version files: (problems, warnings). A dry run only warns about what
/// matters when the release really runs.
fn common_problems(snapshot: &Snapshot, settings: &Settings) -> (Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    if snapshot.head.is_none() {
        problems.push("the repository has no commits yet: commit something first".to_string());
    }
    let mut execution_problems = Vec::new();
    if !snapshot.dirty.is_empty() {
        let shown: Vec<&str> = snapshot.dirty.iter().take(10).map(String::as_str).collect();
        let more = snapshot.dirty.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        execution_problems.push(format!(
            "uncommitted changes to tracked files: {}{more}: commit them or set them aside first (untracked files are fine)",
            shown.join(", ")
        ));
    }
    match &snapshot.identity {
        None => execution_problems.push(
            "no git identity: set one with `git config user.name \"Your Name\"` and `git config user.email you@example.com`"
                .to_string(),
        ),
        Some((_, email)) => {
            if !settings.maintainers.is_empty() && !settings.maintainers.iter().any(|m| m.eq_ignore_ascii_case(email)) {
                problems.push(format!(
                    "{email} is not one of release.maintainers ({}): only maintainers release",
                    settings.maintainers.join(", ")
                ));
            }
        }
    }
    if settings.dry_run {
        warnings.extend(
            execution_problems
                .into_iter()
                .map(|p| format!("{p} (a real release would stop here)")),
        );
    } else {
        problems.extend(execution_problems);
    }
    (problems, warnings)
}

/// The level a release from `base` to `new` amounts to; `None` for a step within one release's
/// pre-releases (1.3.0-rc.1 → 1.3.0-rc.2 → 1.3.0), where the policy was applied when the line began.
fn level_between(base: &Version, new: &Version) -> Option<Level> {
    let (b, n) = (version::core(base), version::core(new));
    if n.major != b.major {
        Some(Level::Major)
    } else if n.minor != b.minor {
        Some(Level::Minor)
    } else if n.patch != b.patch {
        Some(Level::Patch)
    } else {
        None
    }
}

/// Every preflight check that needs no effects, all failures together; on success the release decision.
pub fn decide(
    snapshot: &Snapshot,
    settings: &Settings,
    choice: &Choice,
) -> Result<Decision, Vec<Problem>> {
    let said = |texts: Vec<String>| texts.into_iter().map(Problem::said).collect::<Vec<_>>();
    let (mut problems, mut warnings) = common_problems(snapshot, settings);

    let current = match &snapshot.current {
        Ok(current) => Some(current.clone()),
        Err(reason) => {
            problems.push(reason.clone());
            None
        }
    };
    let on_line = on_line(snapshot, settings);
    // Disagreeing files still leave the first file's version to judge the rest by: every problem at once.
    let basis = current.clone().or_else(|| snapshot.first_file.clone());
    let mut decided = None;
    if let Some(current) = &basis {
        match choose(snapshot, current, choice, settings, on_line.is_some()) {
            Ok((new, required)) => decided = Some((new, required)),
            Err(reason) => problems.push(reason),
        }
    }

    if let (Some(current), Some((new, required))) = (&basis, &decided) {
        // Messages spell versions as the project does (`2.6.1rc1` in a Python project).
        let spell = |v: &Version| settings.tag_format.scheme().spell(v);
        let shown = spell(new);
        // A tag already made for this version (spelled in either scheme: the same release).
        let tag = settings.tag_format.render(new);
        let existing = tag.as_ref().ok().and_then(|tag| {
            snapshot.tags.iter().find(|t| {
                *t == tag
                    || settings
                        .tag_format
                        .version_of(t)
                        .is_some_and(|v| version::same_release(&v, new))
            })
        });
        if let Some((tag, last)) = &snapshot.last_release
            && !version::is_greater(new, last)
            // The same version again: "the tag already exists" says it all.
            && !(existing.is_some() && version::same_release(new, last))
        {
            problems.push(format!(
                "{shown} is not greater than {}, the last release on this line (tag {tag}): choose a higher version",
                spell(last)
            ));
        }
        if let Some(existing) = existing {
            problems.push(format!("the tag {existing} already exists for {shown}: choose another version, or delete the tag if it was a mistake"));
        }
        // A name git refuses would fail at the tag, half-way through the release: refused here, as `check`
        // refuses the format.
        if let Ok(tag) = &tag
            && let Some(why) = crate::domain::rules::ref_name_problem(tag)
        {
            problems.push(format!(
                "tag.format `{}` makes the tag `{tag}` for {shown}, which git refuses as a tag name: {why} \
                 (see `git check-ref-format`): fix tag.format in xtask.toml",
                settings.tag_format.as_str()
            ));
        }
        if let Err(reason) = tag {
            problems.push(format!(
                "tag.format: the tag for {new} cannot be written in the {} scheme: {reason}",
                settings.tag_format.scheme().as_str()
            ));
        }
        match on_line.and_then(|(branch, line)| lines::off_line(branch, line, new)) {
            Some(problem) => problems.push(problem),
            None => check_branch(snapshot, settings, new, &mut problems),
        }
        for (path, scheme) in &settings.file_schemes {
            if let Err(reason) = scheme.render(new) {
                problems.push(format!(
                    "{path} cannot hold {new} ({} scheme): {reason}",
                    scheme.as_str()
                ));
            }
        }

        // Policy: the level must not be lower than the commits since the last final release call
        // for (a release candidate and its promotion answer to the same rule).
        let base = snapshot
            .last_final
            .as_ref()
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| version::core(current));
        if let (Some(chosen), Some(_)) = (level_between(&base, new), required) {
            let parsed = conventional(&snapshot.commits_since_final);
            let offending = bump::offending(chosen, current, &parsed);
            if !offending.is_empty() {
                let list: Vec<String> = offending
                    .iter()
                    .map(|((hash, subject), _)| format!("{hash} {subject}"))
                    .collect();
                let needed = offending
                    .iter()
                    .map(|(_, c)| bump::level_for(c))
                    .max()
                    .map(|l| {
                        if current.major == 0 && l == Level::Major {
                            Level::Minor
                        } else {
                            l
                        }
                    })
                    .unwrap_or(Level::Patch);
                let text = format!(
                    "a {chosen} release of {shown} is lower than the commits call for ({needed}):\n{}",
                    list.iter()
                        .map(|l| format!("  {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
                if settings.force {
                    warnings.push(format!("{text}\nreleasing anyway because of --force"));
                } else {
                    // On a line only patches are released, so a higher level is no way out there.
                    let way_out = match on_line {
                        Some((branch, _)) => format!(
                            "{branch} releases patches only: leave these commits to the development \
                             branch (revert them here), or pass --force to release them in a patch anyway"
                        ),
                        None => format!(
                            "choose `{needed}` (or `auto`), or pass --force to release anyway"
                        ),
                    };
                    problems.push(format!("{text}\n{way_out}"));
                }
            }
        }
    }

    let mut removable = Vec::new();
    if let Some((new, _)) = &decided {
        let scheme = settings.tag_format.scheme();
        let verdict = deprecations::judge(
            &snapshot.deprecations,
            settings.deprecation,
            new,
            snapshot.last_release.as_ref().map(|(_, v)| v),
            &|v| scheme.spell(v),
        );
        for early in verdict.early {
            if settings.force {
                warnings.push(format!("{early}\nremoving it anyway because of --force"));
            } else {
                problems.push(format!(
                    "{early}\nleave that commit out of this release, or pass --force to release anyway"
                ));
            }
        }
        warnings.extend(verdict.warnings);
        removable = verdict.opening;
    }

    if !problems.is_empty() {
        return Err(said(problems));
    }
    let (Some(current), Some((version, required))) = (current, decided) else {
        return Err(vec![Problem::said("no version could be chosen")]);
    };
    let tag = settings
        .tag_format
        .render(&version)
        .map_err(|reason| vec![Problem::said(reason)])?;
    Ok(Decision {
        version,
        previous: current,
        tag,
        required,
        warnings,
        removable,
    })
}

/// The version `choice` gives, or why it gives none (the other checks are [`decide`]'s): for gathering
/// what only some releases need to know, and for `version --next`, which must name the version
/// `release` would.
pub fn next_version(
    snapshot: &Snapshot,
    settings: &Settings,
    choice: &Choice,
) -> Result<Version, String> {
    let current = snapshot.current.as_ref()?;
    let line = on_line(snapshot, settings).is_some();
    choose(snapshot, current, choice, settings, line).map(|(v, _)| v)
}

/// The release line the branch is, if it is one: the branch and its `X.Y`.
fn on_line<'s>(snapshot: &'s Snapshot, settings: &Settings) -> Option<(&'s str, (u64, u64))> {
    let template = settings.line.as_ref()?;
    let branch = snapshot.branch.as_deref()?;
    Some((branch, template.line_of(branch)?))
}

/// Whether some tag names `v`, in either spelling.
fn released(snapshot: &Snapshot, tag_format: &TagFormat, v: &Version) -> bool {
    snapshot.tags.iter().any(|tag| {
        tag_format
            .version_of(tag)
            .is_some_and(|tagged| version::same_release(&tagged, v))
    })
}

fn choose(
    snapshot: &Snapshot,
    current: &Version,
    choice: &Choice,
    settings: &Settings,
    on_line: bool,
) -> Result<(Version, Option<Level>), String> {
    let tag_format = &settings.tag_format;
    // The level a release line calls for is judged from its last final release, so that a release
    // candidate and its promotion are held to the same rule.
    let required = required_level(
        &snapshot.commits_since_final,
        current,
        settings.patch_types.as_deref(),
    );
    if matches!(choice, Choice::Auto)
        && is_first_release(snapshot, current, tag_format)
        && required.is_some()
    {
        return Ok((current.clone(), required));
    }
    let request = match choice {
        // A line branch releases patches only: `auto` there is a patch, and the level policy then
        // names any feature or breaking change that would need more.
        Choice::Auto if on_line && required.is_some() => BumpRequest::Level(Level::Patch),
        Choice::Auto => match required {
            Some(level) => BumpRequest::Level(level),
            None => {
                return Err(nothing_message(snapshot, settings));
            }
        },
        Choice::AutoPre(kind) if on_line && required.is_some() => {
            BumpRequest::LevelPre(Level::Patch, *kind)
        }
        Choice::AutoPre(kind) => match required {
            Some(level) => BumpRequest::LevelPre(level, *kind),
            None => return Err(nothing_message(snapshot, settings)),
        },
        Choice::Request(request) => request.clone(),
    };
    // Releasing the version as written: a file that already holds the unreleased final `X.Y.Z`
    // (a project whose files carry the next version) releases it as it is.
    let as_written = match &request {
        BumpRequest::Release => true,
        BumpRequest::Exact(v) => version::same_release(v, current),
        _ => false,
    };
    if as_written && current.is_final() && !released(snapshot, tag_format, current) {
        return Ok((current.clone(), required));
    }
    version::bump(current, &request)
        .map(|v| (v, required))
        .map_err(|e| e.spelled(tag_format.scheme()))
}

fn check_branch(
    snapshot: &Snapshot,
    settings: &Settings,
    new: &Version,
    problems: &mut Vec<String>,
) {
    // As a person reads them (`stable/X.Y`), not their templates.
    let patterns: Vec<String> = settings.branches.iter().map(Pattern::readable).collect();
    match &snapshot.branch {
        None => problems.push(format!(
            "HEAD is detached: check out a release branch ({}); in CI, set the branch in GITHUB_REF_NAME",
            patterns.join(", ")
        )),
        Some(branch) => {
            if !settings.branches.iter().any(|p| p.matches_release(branch, new.major, new.minor)) {
                let examples: Vec<String> = settings.branches.iter().map(|p| example_for(p, new)).collect();
                problems.push(format!(
                    "branch {branch} is not a release branch for {}: release.branches allows {} (here: {})",
                    settings.tag_format.scheme().spell(new),
                    patterns.join(", "),
                    examples.join(", ")
                ));
            }
        }
    }
}

fn example_for(pattern: &Pattern, v: &Version) -> String {
    pattern
        .as_str()
        .replace("{{ major }}", &v.major.to_string())
        .replace("{{major}}", &v.major.to_string())
        .replace("{{ minor }}", &v.minor.to_string())
        .replace("{{minor}}", &v.minor.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(id: &str, message: &str) -> CommitInfo {
        CommitInfo {
            id: id.repeat(40 / id.len().max(1)),
            short_id: id.into(),
            message: message.into(),
            author_name: "A".into(),
            author_email: "a@x".into(),
            time: 0,
            parent_count: 1,
        }
    }

    fn snapshot(current: &str, commits: &[(&str, &str)]) -> Snapshot {
        Snapshot {
            head: Some("h".repeat(40)),
            branch: Some("main".into()),
            current: Ok(Version::parse(current).unwrap()),
            last_release: Some((format!("v{current}"), Version::parse(current).unwrap())),
            last_final: Some((format!("v{current}"), Version::parse(current).unwrap())),
            tags: vec![format!("v{current}")],
            commits: commits.iter().map(|(id, m)| commit(id, m)).collect(),
            commits_since_final: commits.iter().map(|(id, m)| commit(id, m)).collect(),
            identity: Some(("A".into(), "a@x".into())),
            ..Snapshot::default()
        }
    }

    fn settings() -> Settings {
        Settings {
            branches: vec![
                Pattern::parse("main").unwrap(),
                Pattern::parse("stable/{{ major }}.{{ minor }}").unwrap(),
            ],
            maintainers: vec![],
            tag_format: TagFormat::parse("v{{ version }}").unwrap(),
            file_schemes: vec![("Cargo.toml".into(), version::Scheme::Semver)],
            line: Some(LineTemplate::parse("stable/{{ major }}.{{ minor }}").unwrap()),
            force: false,
            dry_run: false,
            deprecation: deprecations::Window::TwoMinors,
            patch_types: None,
        }
    }

    #[track_caller]
    fn ok(s: &Snapshot, choice: &str, expected: &str) {
        let d = decide(s, &settings(), &Choice::parse(choice, None).unwrap()).unwrap();
        assert_eq!(d.version.to_string(), expected);
    }

    #[track_caller]
    fn refused(s: &Snapshot, set: &Settings, choice: &str, needles: &[&str]) {
        let problems = decide(s, set, &Choice::parse(choice, None).unwrap())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        for n in needles {
            assert!(problems.contains(n), "{problems:?} lacks {n:?}");
        }
    }

    /// (current, commits, expected rows as "version: choices")
    #[test]
    fn the_menu_offers_each_version_once() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);
        let cases: &[Case] = &[
            (
                "1.2.0-dev",
                &[("a1", "feat: x")],
                &[
                    "1.2.0: auto (minor), release, patch, minor",
                    "2.0.0: major",
                    "1.2.0-rc.1: rc, auto --pre rc",
                    "1.2.0-beta.1: beta, auto --pre beta",
                    "1.2.0-alpha.1: alpha, auto --pre alpha",
                    "1.2.0-dev.1: dev, auto --pre dev",
                ],
            ),
            (
                "1.0.0",
                &[("a1", "fix: x")],
                &[
                    "1.0.1: auto (patch), patch",
                    "1.1.0: minor",
                    "2.0.0: major",
                    "1.0.1-rc.1: auto --pre rc",
                    "1.0.1-beta.1: auto --pre beta",
                    "1.0.1-alpha.1: auto --pre alpha",
                    "1.0.1-dev.1: auto --pre dev",
                ],
            ),
            (
                "1.1.0-rc.1",
                &[("a1", "feat: x")],
                &[
                    "1.1.0: auto (minor), release, patch, minor",
                    "2.0.0: major",
                    "1.1.0-rc.2: rc, auto --pre rc",
                ],
            ),
            (
                "1.0.0",
                &[],
                &[
                    "1.0.1: patch",
                    "1.1.0: minor",
                    "2.0.0: major",
                    "1.0.1-rc.1: patch --pre rc",
                    "1.0.1-beta.1: patch --pre beta",
                    "1.0.1-alpha.1: patch --pre alpha",
                    "1.0.1-dev.1: patch --pre dev",
                ],
            ),
        ];
        for (current, commits, expected) in cases {
            let commits: Vec<CommitInfo> = commits.iter().map(|(id, m)| commit(id, m)).collect();
            let rows: Vec<String> = menu(&Version::parse(current).unwrap(), &commits, false, None)
                .iter()
                .map(|row| format!("{}: {}", row.version, row.choices.join(", ")))
                .collect();
            assert_eq!(rows, *expected, "{current}");
        }
    }

    #[test]
    fn patch_types_decide_which_commits_call_for_a_release() {
        let types = ["fix".to_string(), "perf".to_string()];
        let v = Version::parse("1.2.0").unwrap();
        // (commits, level without patch_types, level with fix and perf only)
        let cases: &[(&[&str], Option<Level>, Option<Level>)] = &[
            (&["docs: a", "ci: b"], Some(Level::Patch), None),
            (
                &["docs: a", "fix: b"],
                Some(Level::Patch),
                Some(Level::Patch),
            ),
            (&["perf: a"], Some(Level::Patch), Some(Level::Patch)),
            (
                &["docs: a", "feat: b"],
                Some(Level::Minor),
                Some(Level::Minor),
            ),
            (&["docs!: a"], Some(Level::Major), Some(Level::Major)),
            (&["not conventional"], Some(Level::Patch), None),
            (&[], None, None),
        ];
        for (messages, all, only) in cases {
            let commits: Vec<CommitInfo> = messages
                .iter()
                .enumerate()
                .map(|(i, m)| commit(&format!("c{i}"), m))
                .collect();
            assert_eq!(required_level(&commits, &v, None), *all, "{messages:?}");
            assert_eq!(
                required_level(&commits, &v, Some(&types)),
                *only,
                "{messages:?}"
            );
        }
        // `auto` then has nothing to release, and says so; an explicit level still releases.
        let docs = snapshot("1.2.0", &[("a1", "docs: a")]);
        let only_fixes = Settings {
            patch_types: Some(types.to_vec()),
            ..settings()
        };
        assert!(nothing_to_release(&docs, &only_fixes).is_some());
        assert!(decide(&docs, &only_fixes, &Choice::parse("auto", None).unwrap()).is_err());
        let patch = decide(&docs, &only_fixes, &Choice::parse("patch", None).unwrap()).unwrap();
        assert_eq!(patch.version.to_string(), "1.2.1");
    }

    #[test]
    fn a_first_release_is_the_version_as_written() {
        // No release yet, and no tag of any format names 0.1.0: `auto` releases 0.1.0 itself.
        let mut first = snapshot("0.1.0", &[("a1", "feat: x")]);
        first.last_release = None;
        first.last_final = None;
        first.tags = vec!["nightly".into()];
        ok(&first, "auto", "0.1.0");
        ok(&first, "minor", "0.2.0");
        let rows = menu(
            &Version::parse("0.1.0").unwrap(),
            &first.commits,
            true,
            None,
        );
        assert_eq!(rows[0].version.to_string(), "0.1.0");
        assert_eq!(rows[0].choices[0], "auto (first release)");
        // Tags that look like releases named another way: released before, so `auto` moves on.
        let mut hinted = first.clone();
        hinted.tags = vec!["release-0.0".into(), "release-0.1".into()];
        ok(&hinted, "auto", "0.2.0");
        // A tag of another format naming 0.1.0: released already, so `auto` moves on.
        let mut named = first.clone();
        named.tags = vec!["release-0.1.0".into()];
        ok(&named, "auto", "0.2.0");
        // A pre-release in the files: `auto` finalises it, as always.
        let mut pre = snapshot("0.1.0-dev", &[("a1", "fix: x")]);
        pre.last_release = None;
        pre.last_final = None;
        pre.tags = vec![];
        ok(&pre, "auto", "0.1.0");
    }

    #[test]
    fn before_choosing_reports_what_no_version_can_fix() {
        let clean = snapshot("1.0.0", &[("a1", "feat: y")]);
        assert!(before_choosing(&clean, &settings()).is_empty());
        let mut dirty = clean.clone();
        dirty.dirty = vec!["VERSION".into()];
        dirty.identity = None;
        dirty.current = Err("VERSION: file not found".into());
        let problems = before_choosing(&dirty, &settings()).join("\n");
        for needle in ["uncommitted changes", "no git identity", "file not found"] {
            assert!(problems.contains(needle), "{problems}");
        }
        assert!(nothing_to_release(&clean, &settings()).is_none());
    }

    #[test]
    fn auto_with_pre_starts_a_pre_release_of_the_level_the_commits_call_for() {
        let rc = Some(version::PreKind::Rc);
        let s = snapshot("1.0.0", &[("a1", "feat: y")]);
        let d = decide(&s, &settings(), &Choice::parse("auto", rc).unwrap()).unwrap();
        assert_eq!(d.version.to_string(), "1.1.0-rc.1");
        let s = snapshot("1.1.0-rc.1", &[("a1", "fix: y")]);
        let mut s2 = s.clone();
        s2.last_final = Some(("v1.0.0".into(), Version::parse("1.0.0").unwrap()));
        s2.commits_since_final.push(commit("b2", "feat: z"));
        let d = decide(&s2, &settings(), &Choice::parse("auto", rc).unwrap()).unwrap();
        assert_eq!(d.version.to_string(), "1.1.0-rc.2");
        let empty = snapshot("1.0.0", &[]);
        assert!(
            nothing_to_release(&empty, &settings())
                .unwrap()
                .contains("nothing to release")
        );
        assert!(decide(&empty, &settings(), &Choice::parse("auto", rc).unwrap()).is_err());
    }

    #[test]
    fn auto_levels() {
        let commits = [
            ("a1", "feat(cli): add x (#12)"),
            ("b2", "fix: y"),
            ("c3", "feat!: z"),
            ("d4", "docs: d"),
        ];
        ok(&snapshot("1.0.0", &commits), "auto", "2.0.0");
        ok(
            &snapshot("0.3.2", &[("a1", "feat!: drop")]),
            "auto",
            "0.4.0",
        );
        ok(
            &snapshot("1.0.0", &[("a1", "fix: y"), ("b2", "did stuff")]),
            "auto",
            "1.0.1",
        );
        ok(&snapshot("1.0.0", &[("a1", "feat: y")]), "auto", "1.1.0");
        ok(
            &snapshot("1.0.0", &[("a1", "fix: y\n\nBREAKING CHANGE: gone")]),
            "auto",
            "2.0.0",
        );
    }

    #[test]
    fn policy() {
        let s = snapshot("1.2.0", &[("a1", "feat: y"), ("b2", "fix: z")]);
        refused(
            &s,
            &settings(),
            "patch",
            &[
                "lower than the commits call for (minor)",
                "a1 feat: y",
                "--force",
            ],
        );
        let mut forced = settings();
        forced.force = true;
        let d = decide(&s, &forced, &Choice::parse("patch", None).unwrap()).unwrap();
        assert_eq!(d.version.to_string(), "1.2.1");
        assert!(d.warnings[0].contains("--force"));
        let s = snapshot("1.2.0", &[("a1", "feat!: y")]);
        refused(&s, &settings(), "minor", &["(major)", "a1 feat!: y"]);
        // Below 1.0 a breaking change needs only a minor release.
        ok(&snapshot("0.2.0", &[("a1", "feat!: y")]), "minor", "0.3.0");
        // Continuing pre-releases of one version is not re-judged.
        let mut s = snapshot("1.3.0-rc.1", &[("a1", "feat: y")]);
        s.last_release = Some(("v1.2.0".into(), Version::new(1, 2, 0)));
        ok(&s, "rc", "1.3.0-rc.2");
    }

    /// Releasing a version whose tag exists (the files say 1.0.1, tagged already) is one problem, not also
    /// "1.0.1 is not greater than 1.0.1".
    #[test]
    fn an_existing_tag_is_one_problem() {
        let mut s = snapshot("1.0.0", &[("a1", "fix: y")]);
        s.tags.push("v1.0.1".into());
        s.last_release = Some(("v1.0.1".into(), Version::parse("1.0.1").unwrap()));
        let problems = decide(&s, &settings(), &Choice::parse("1.0.1", None).unwrap()).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].reason.contains("tag v1.0.1 already exists"),
            "{problems:?}"
        );
        // An older version is still "not greater".
        refused(&s, &settings(), "1.0.0", &["not greater"]);
    }

    #[test]
    fn preflight_reports_everything_at_once() {
        let mut s = snapshot("1.0.0", &[("a1", "fix: y")]);
        s.dirty = vec!["src/lib.rs".into()];
        s.branch = Some("wip".into());
        s.identity = None;
        s.tags.push("v1.0.1".into());
        refused(
            &s,
            &settings(),
            "patch",
            &[
                "uncommitted changes",
                "no git identity",
                "branch wip",
                "tag v1.0.1 already exists",
            ],
        );
        let mut set = settings();
        set.maintainers = vec!["boss@x".into()];
        let s = snapshot("1.0.0", &[("a1", "fix: y")]);
        refused(
            &s,
            &set,
            "patch",
            &["a@x is not one of release.maintainers"],
        );
        refused(
            &snapshot("1.0.0", &[]),
            &settings(),
            "auto",
            &["nothing to release"],
        );
        refused(
            &snapshot("1.0.0", &[]),
            &settings(),
            "0.9.0",
            &["not greater"],
        );
    }

    #[test]
    fn deprecation_windows() {
        let notice =
            |commit: &str, release: Option<&str>, deprecated: &[&str], removed: &[&str]| Notice {
                commit: commit.into(),
                subject: "s".into(),
                deprecated: deprecated.iter().map(|s| s.to_string()).collect(),
                removed: removed.iter().map(|s| s.to_string()).collect(),
                release: release.map(|v| deprecations::Release {
                    tag: format!("v{v}"),
                    version: Version::parse(v).unwrap(),
                }),
            };
        let mut s = snapshot("2.3.0", &[("f6", "fix: y")]);
        s.deprecations = vec![
            notice("f6", None, &[], &["The option ", "unknown"]),
            notice("b2", Some("2.2.0"), &["the option"], &[]),
        ];
        refused(
            &s,
            &settings(),
            "patch",
            &[
                "removes \"the option\" too early",
                "2.2.0 (v2.2.0)",
                "from 2.4.0 on",
                "--force",
            ],
        );
        let d = decide(&s, &settings(), &Choice::parse("2.4.0", None).unwrap()).unwrap();
        assert!(
            d.warnings.iter().any(|w| w.contains("unknown")),
            "{:?}",
            d.warnings
        );
        let mut forced = settings();
        forced.force = true;
        let d = decide(&s, &forced, &Choice::parse("patch", None).unwrap()).unwrap();
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("anyway because of --force")),
            "{:?}",
            d.warnings
        );
        // Without the removal, 2.4.0 opens the window and says so.
        s.deprecations.remove(0);
        let d = decide(&s, &settings(), &Choice::parse("minor", None).unwrap()).unwrap();
        assert_eq!(d.removable.len(), 1, "{:?}", d.removable);
        let mut off = settings();
        off.deprecation = deprecations::Window::Off;
        let d = decide(&s, &off, &Choice::parse("minor", None).unwrap()).unwrap();
        assert!(d.removable.is_empty());
    }

    #[test]
    fn disagreeing_files_do_not_hide_the_other_problems() {
        let mut s = snapshot("1.0.0", &[("a1", "fix: y")]);
        s.current = Err("setup.cfg:3: version 1.0.1 disagrees with 1.0.0".into());
        s.first_file = Some(Version::new(1, 0, 0));
        s.branch = Some("wip".into());
        s.tags.push("v1.0.1".into());
        refused(
            &s,
            &settings(),
            "patch",
            &["disagrees", "branch wip", "tag v1.0.1 already exists"],
        );
    }

    #[test]
    fn release_lines() {
        // A patch on stable/1.4 after 1.5.0 exists elsewhere: only tags reachable from HEAD count.
        let mut s = snapshot("1.4.0", &[("a1", "fix: backport")]);
        s.branch = Some("stable/1.4".into());
        s.tags.push("v1.5.0".into());
        ok(&s, "patch", "1.4.1");
        s.branch = Some("stable/1.3".into());
        refused(
            &s,
            &settings(),
            "patch",
            &["stable/1.3 is the release line of 1.3", "not 1.4.1"],
        );
    }

    #[test]
    fn a_line_releases_its_own_patches_only() {
        let mut s = snapshot(
            "1.4.1-dev",
            &[("b2", "fix: a fix"), ("a1", "feat: a feature")],
        );
        s.branch = Some("stable/1.4".into());
        s.last_release = Some(("v1.4.0".into(), Version::parse("1.4.0").unwrap()));
        s.last_final = s.last_release.clone();
        // `auto` on a line is a patch, so the feature is named rather than a minor released.
        refused(
            &s,
            &settings(),
            "auto",
            &[
                "a patch release of 1.4.1",
                "a1 feat: a feature",
                "stable/1.4 releases patches only",
            ],
        );
        refused(
            &s,
            &settings(),
            "minor",
            &["stable/1.4 is the release line of 1.4"],
        );
        refused(&s, &settings(), "major", &["only 1.4.* versions"]);
        // --force lets the feature through as a patch, but never a minor.
        let forced = Settings {
            force: true,
            ..settings()
        };
        let d = decide(&s, &forced, &Choice::parse("patch", None).unwrap()).unwrap();
        assert_eq!(d.version.to_string(), "1.4.1");
        refused(&s, &forced, "minor", &["--force does not change this"]);
        // Release candidates of the line's X.Y.0 are released on it.
        let mut rc = snapshot("1.4.0-dev", &[("c3", "feat: c")]);
        rc.branch = Some("stable/1.4".into());
        rc.last_release = Some(("v1.3.0".into(), Version::parse("1.3.0").unwrap()));
        rc.last_final = rc.last_release.clone();
        ok(&rc, "rc", "1.4.0-rc.1");
    }
}
