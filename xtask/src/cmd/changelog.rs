//! `xtask changelog`: the draft for the unreleased commits, the whole history, or a range; printed or written.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::Project;
use super::usage;
use crate::cli::{ChangelogArgs, Format};
use crate::domain::changelog::{self, Changes, Options, Prepared};
use crate::domain::release;
use crate::domain::version::{self, Version};

use crate::notes;
use crate::ops::repo::ReleaseTag;
use crate::ops::{fs, term};
use crate::render::{self, Renderer, SectionContext};

/// One section of the output: a release (or the unreleased changes) and what changed in it.
struct Section {
    version: Option<Version>,
    previous: Option<Version>,
    tag: Option<String>,
    previous_tag: Option<String>,
    date: String,
    changes: Notes,
}

/// A section's changes: grouped, or (`--all`) its prepared commits, grouped only where the section is
/// rendered, so that one release's entries at a time are unpacked.
enum Notes {
    Grouped(Changes),
    Prepared(Vec<Prepared>),
}

impl Notes {
    fn grouped(self, options: &Options) -> Changes {
        match self {
            Notes::Grouped(changes) => changes,
            Notes::Prepared(commits) => changelog::group_prepared(commits, options),
        }
    }
}

/// The sections of the output, newest first, made as they are consumed.
type Sections<'a> = Box<dyn Iterator<Item = Section> + 'a>;

/// How many sections each core renders at a time: enough to keep the cores busy, few enough that only a
/// handful of releases' notes are in memory at once.
const SECTIONS_PER_CORE: usize = 4;

pub fn run(dir: &Path, args: ChangelogArgs) -> Result<()> {
    let p = Project::open(dir)?.package(args.package.as_deref())?;
    let format = &p.tag_format()?;
    let options = notes::options(&p.config)?;
    if p.repo.is_shallow() {
        // The draft is built from the commits that are here; in a shallow clone that is the tip only.
        let remote = crate::domain::shell::quote(p.config.remote());
        term::warn(&format!(
            "shallow clone: the history is cut, so this changelog lists only the commits fetched so far; \
             fetch the rest with `git fetch --unshallow --tags {remote}` (in GitHub Actions: actions/checkout \
             with fetch-depth: 0)"
        ));
    }
    let today = render::release_date()?;
    let asked_version = args
        .version
        .as_deref()
        .map(|text| version::parse_requested_version(text.trim()))
        .transpose()
        .map_err(usage)?;
    let one_version = asked_version.is_some() && !args.all && args.range.is_none();

    let mut sections: Sections = if args.all {
        Box::new(all_sections(&p, format, &options, &today)?)
    } else if let Some(range) = &args.range {
        let (from, to) = range.split_once("..").ok_or_else(|| {
            usage(format!(
                "--range {range:?}: write it as A..B, e.g. v1.0.0..HEAD"
            ))
        })?;
        let to = if to.is_empty() { "HEAD" } else { to };
        let hide = if from.is_empty() {
            None
        } else {
            Some(p.repo.resolve(from)?)
        };
        let to_commit = p.repo.resolve(to)?;
        let mut commits = p.repo.commits_since(to_commit, hide)?;
        notes::keep_package_commits(&p.root, &p.config, to_commit, hide, &mut commits)?;
        // A and B name the section when they are tags: B's version heads it unless --version says otherwise.
        let from_tag = tag_name(&p, from);
        let to_tag = tag_name(&p, to);
        let version = asked_version
            .clone()
            .or_else(|| to_tag.as_deref().and_then(|t| format.version_of(t)));
        let tag = match (&asked_version, &to_tag) {
            (Some(v), _) => Some(
                format
                    .render(v)
                    .map_err(|e| anyhow!("--version {v}: {e}"))?,
            ),
            (None, tag) => tag.clone(),
        };
        // A tagged B is dated as `--all` dates its release: by its tag.
        let released = to_tag.as_deref().and_then(|name| {
            p.repo
                .release_tags(format)
                .ok()?
                .into_iter()
                .find(|t| t.name == name)
        });
        let date = match (&released, &to_tag) {
            (Some(tag), _) => render::date_of(p.repo.release_time(tag)?)?,
            (None, Some(_)) => render::date_of(p.repo.commit_info(to_commit)?.time)?,
            (None, None) => today,
        };
        Box::new(std::iter::once(Section {
            version,
            previous: from_tag.as_deref().and_then(|t| format.version_of(t)),
            tag,
            previous_tag: from_tag,
            date,
            changes: Notes::Grouped(notes::group(&commits, &options)),
        }))
    } else if let Some(released) = match &asked_version {
        Some(v) => notes::released(&p.repo, format, v, &options.skip_subjects)?,
        None => None,
    } {
        // `--version V` of a release already tagged: that release's own commits, dated by its tag.
        let time = p.repo.release_time(&released.tag)?;
        let mut commits = released.commits.clone();
        notes::keep_package_commits(
            &p.root,
            &p.config,
            released.tag.commit,
            released.previous.as_ref().map(|t| t.commit),
            &mut commits,
        )?;
        Box::new(std::iter::once(Section {
            version: Some(released.tag.version.clone()),
            previous: released.previous.as_ref().map(|t| t.version.clone()),
            tag: Some(released.tag.name.clone()),
            previous_tag: released.previous.as_ref().map(|t| t.name.clone()),
            date: render::date_of(time)?,
            changes: Notes::Grouped(notes::group(&commits, &options)),
        }))
    } else {
        let history = notes::unreleased_in(&p.repo, &p.root, &p.config, format)?;
        Box::new(std::iter::once(Section {
            tag: asked_version.as_ref().and_then(|v| format.render(v).ok()),
            version: asked_version,
            previous: history.last.as_ref().map(|t| t.version.clone()),
            previous_tag: history.last.as_ref().map(|t| t.name.clone()),
            date: today,
            changes: Notes::Grouped(notes::group(&history.commits, &options)),
        }))
    };

    if args.format == Format::Json {
        let json: Vec<_> = sections
            .map(|s| {
                let changes = s.changes.grouped(&options);
                serde_json::json!({
                    "version": s.version.as_ref().map(Version::to_string),
                    "previous": s.previous.as_ref().map(Version::to_string),
                    "tag": s.tag, "previous_tag": s.previous_tag, "date": s.date,
                    "breaking": changes.breaking, "groups": changes.groups,
                })
            })
            .collect();
        let value = if args.all {
            serde_json::Value::Array(json)
        } else {
            json.into_iter().next().unwrap_or_default()
        };
        term::out(&serde_json::to_string_pretty(&value)?);
        return Ok(());
    }

    let renderer = Renderer::new(&p.root, &p.config, format.scheme())?;
    let url = p.config.changelog.repository_url.as_deref();
    let first = sections.next();
    // The first section's version names it in the file (`--write` writes one section only).
    let key = first
        .as_ref()
        .and_then(|s| s.version.as_ref())
        .map(Version::to_string);
    // The tag of the one section asked for by `--version`, when that version is released.
    let released_tag = match one_version {
        true => first
            .as_ref()
            .and_then(|s| s.tag.clone())
            .filter(|tag| p.repo.tag_exists(tag)),
        false => None,
    };

    if args.write {
        let texts = render_all(&renderer, first.into_iter().collect(), url, &options)?;
        let rel = p.config.changelog_file().to_string();
        let existing = crate::version_files::read_optional(&p.root, &rel)?;
        if let (Some(text), Some(version), Some(tag)) = (existing.as_deref(), &key, &released_tag)
            && changelog::file::has_section(text, version)
        {
            return Err(anyhow!(
                "{rel} already has the notes of {version}, which is released (tag {tag}): they are kept as they \
                 are, hand edits included. To regenerate them from that release's commits, delete the {version} \
                 section from {rel} and run `cargo xtask changelog --write --version {version}` again \
                 (`cargo xtask changelog --version {version}` prints them without writing)"
            ));
        }
        let section = texts.first().map(String::as_str).unwrap_or("");
        // Entries written by hand under "Unreleased" are kept (a draft written before is not repeated).
        let (section, kept) = changelog::file::merge_unreleased(existing.as_deref(), section);
        if kept > 0 {
            term::note(&format!(
                "{rel}: kept {kept} hand-written line{} of its Unreleased section",
                if kept == 1 { "" } else { "s" }
            ));
        }
        let after = changelog::file::insert_section(
            existing.as_deref(),
            &render::changelog_header(crate::version_files::scheme_of(&p.config)),
            &section,
            key.as_deref(),
        );
        fs::write_all(&[fs::FileChange::new(&p.root, &rel, existing, after)])?;
        term::step(&format!(
            "{rel}: section {} written",
            key.as_deref().unwrap_or("Unreleased")
        ));
        return Ok(());
    }
    // Rendered a few sections at a time, so that only those sections' entries are unpacked; printed once all
    // are rendered (the text is far smaller than the entries), so that a template error prints nothing.
    let mut sections = first.into_iter().chain(sections);
    let per_round = cores() * SECTIONS_PER_CORE;
    let mut texts: Vec<String> = Vec::new();
    loop {
        let round: Vec<Section> = sections.by_ref().take(per_round).collect();
        if round.is_empty() {
            break;
        }
        texts.extend(render_all(&renderer, round, url, &options)?);
    }
    // The sections joined by blank lines, without a copy of the whole text.
    let last = texts.pop();
    for text in texts {
        term::out_part(&text);
        term::out_part("\n");
    }
    term::out(last.as_deref().unwrap_or(""));
    Ok(())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The tag a revision names (`v1.0.0`, `refs/tags/v1.0.0`), if it names one; `None` for `HEAD`, a branch
/// or a hash.
fn tag_name(p: &Project, revision: &str) -> Option<String> {
    let name = revision.strip_prefix("refs/tags/").unwrap_or(revision);
    (!name.is_empty() && p.repo.tag_exists(name)).then(|| name.to_string())
}

/// Renders the sections, spread over the machine's cores: for the whole history (`--all`), templates
/// cost about as much as reading it.
fn render_all(
    renderer: &Renderer,
    sections: Vec<Section>,
    url: Option<&str>,
    options: &Options,
) -> Result<Vec<String>> {
    let threads = cores();
    if threads < 2 || sections.len() < 2 {
        return sections
            .into_iter()
            .map(|s| render_one(renderer, s, url, options))
            .collect();
    }
    // Consecutive runs of sections, one per thread, so that the texts come back in order.
    let per_thread = sections.len().div_ceil(threads);
    let mut parts: Vec<Vec<Section>> = Vec::new();
    for section in sections {
        match parts.last_mut() {
            Some(part) if part.len() < per_thread => part.push(section),
            _ => parts.push(vec![section]),
        }
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    part.into_iter()
                        .map(|s| render_one(renderer, s, url, options))
                        .collect::<Result<Vec<_>>>()
                })
            })
            .collect();
        let mut texts = Vec::new();
        for worker in workers {
            let part = worker
                .join()
                .map_err(|_| anyhow!("rendering the changelog failed: a worker thread panicked"))?;
            texts.extend(part?);
        }
        Ok(texts)
    })
}

fn render_one(
    renderer: &Renderer,
    s: Section,
    url: Option<&str>,
    options: &Options,
) -> Result<String> {
    let changes = s.changes.grouped(options);
    let mut context =
        SectionContext::new(changes, s.version.as_ref(), s.previous.as_ref(), &s.date);
    // Headings spell versions as the project's tags do (`2.6.0rc1` in a Python project).
    let scheme = renderer.scheme();
    context.version = s.version.as_ref().map(|v| scheme.spell(v));
    context.previous = s.previous.as_ref().map(|v| scheme.spell(v));
    context.tag = s.tag;
    context.previous_tag = s.previous_tag;
    context.repository_url = url.map(str::to_string);
    renderer.changelog(&context)
}

/// The whole history of this branch's line and the lines before it: one section per release tag at or
/// below the branch's version (or the last release it reaches), newest first, with the unreleased changes
/// on top. Every section holds the commits of the one definition (see
/// [`crate::domain::release::commits`]): what the release has that the release before it (by version)
/// had not, minus released cherry-picks and the kit's own commits. The history is read once, from HEAD
/// and every such tag.
fn all_sections(
    p: &Project,
    format: &crate::domain::rules::TagFormat,
    options: &Options,
    today: &str,
) -> Result<AllSections> {
    let head = p.repo.head_commit()?;
    let current = notes::branch_version(&p.root, &p.config);
    let notes::LineReleases { base, mut tags } =
        notes::line_releases(&p.repo, format, head, current.as_ref())?;
    let mut tips = vec![head];
    tips.extend(tags.iter().map(|t| t.commit));
    tips.dedup();
    let history = p
        .repo
        .history_of(&tips, None, |commit| changelog::prepare(&commit, options))?;
    // A shallow clone may not reach every tag.
    tags.retain(|t| history.index_of(t.commit).is_some());
    if tags.is_empty() {
        notes::warn_without_release(&p.repo, format)?;
    }
    let versions: Vec<&Version> = tags.iter().map(|t| &t.version).collect();
    let previous: Vec<Option<usize>> = tags
        .iter()
        .map(|t| release::commits::previous(&versions, &t.version))
        .collect();
    let at = |tag: Option<&ReleaseTag>| tag.and_then(|t| history.index_of(t.commit));
    // (tip, base) per release, oldest first, then the unreleased commits.
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = tags
        .iter()
        .zip(&previous)
        .map(|(t, prev)| (at(Some(t)), at(prev.map(|i| &tags[i]))))
        .collect();
    pairs.push((history.index_of(head), at(base.as_ref())));
    let points: Vec<usize> = pairs.iter().flat_map(|(t, b)| [*t, *b]).flatten().collect();
    let reach = release::commits::Reach::new(&history.parents, &points);
    let mut lists = reach.sections(&pairs);
    // Released cherry-picks, judged per section from the base's side of the history.
    let ids: Vec<&str> = history.items.iter().map(Prepared::id).collect();
    let origins: Vec<&[String]> = history.items.iter().map(|c| &*c.origins).collect();
    release::commits::drop_released_picks(&reach, &pairs, &mut lists, &ids, &origins, |origin| {
        gix_id(origin).and_then(|id| history.index_of(id))
    });
    // The package's sections hold only the commits that touch its paths.
    let belongs = notes::package_commits(&p.root, &p.config, &head.to_string(), None)?;
    // Most commits are in one section: moved there; one a final shares with its candidates is copied.
    let mut uses = vec![0u32; history.items.len()];
    for &i in lists.iter().flatten() {
        uses[i] += 1;
    }
    let mut plans = Vec::with_capacity(lists.len());
    // The unreleased changes head the output, unless there are none (of the package's).
    if let Some(unreleased) = lists.pop() {
        plans.push((
            SectionHead {
                version: None,
                previous: base.as_ref().map(|t| t.version.clone()),
                tag: None,
                previous_tag: base.as_ref().map(|t| t.name.clone()),
                date: today.to_string(),
            },
            unreleased,
        ));
    }
    for (index, list) in lists.into_iter().enumerate().rev() {
        let tag = &tags[index];
        let previous = previous[index].map(|i| &tags[i]);
        plans.push((
            SectionHead {
                version: Some(tag.version.clone()),
                previous: previous.map(|t| t.version.clone()),
                tag: Some(tag.name.clone()),
                previous_tag: previous.map(|t| t.name.clone()),
                date: render::date_of(p.repo.release_time(tag)?)?,
            },
            list,
        ));
    }
    Ok(AllSections {
        plans: plans.into_iter(),
        items: history.items.into_iter().map(Some).collect(),
        uses,
        belongs,
    })
}

/// What heads a section: its release (none for the unreleased changes), the one before it, and its date.
struct SectionHead {
    version: Option<Version>,
    previous: Option<Version>,
    tag: Option<String>,
    previous_tag: Option<String>,
    date: String,
}

/// The sections of `--all`, each made when it is asked for: its commits are moved out of the history's
/// list (copied when another section holds them too), so that a rendered section's entries are freed.
struct AllSections {
    /// Each section's head and its commits (places in `items`), in the order they are printed.
    plans: std::vec::IntoIter<(SectionHead, Vec<usize>)>,
    items: Vec<Option<Prepared>>,
    /// How many of the sections still to come hold each commit.
    uses: Vec<u32>,
    /// With `--package`, the ids of the commits that touch the package's paths.
    belongs: Option<std::collections::HashSet<String>>,
}

impl Iterator for AllSections {
    type Item = Section;

    fn next(&mut self) -> Option<Section> {
        loop {
            let (head, list) = self.plans.next()?;
            let commits = self.take(list);
            if head.version.is_none() && commits.is_empty() {
                continue;
            }
            return Some(Section {
                version: head.version,
                previous: head.previous,
                tag: head.tag,
                previous_tag: head.previous_tag,
                date: head.date,
                changes: Notes::Prepared(commits),
            });
        }
    }
}

impl AllSections {
    /// The commits at `list`'s places, of the package when there is one.
    fn take(&mut self, list: Vec<usize>) -> Vec<Prepared> {
        let mut commits = Vec::with_capacity(list.len());
        for i in list {
            let (Some(uses), Some(slot)) = (self.uses.get_mut(i), self.items.get_mut(i)) else {
                continue;
            };
            *uses = uses.saturating_sub(1);
            let item = if *uses == 0 {
                slot.take()
            } else {
                slot.clone()
            };
            if let Some(item) =
                item.filter(|c| self.belongs.as_ref().is_none_or(|ids| ids.contains(c.id())))
            {
                commits.push(item);
            }
        }
        commits
    }
}

/// A full object id from its hex spelling (a `-x` line's), if it is one.
fn gix_id(hex: &str) -> Option<crate::ops::repo::ObjectId> {
    crate::ops::repo::ObjectId::from_hex(hex.as_bytes()).ok()
}
