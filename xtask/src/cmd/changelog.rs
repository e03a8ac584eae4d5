//! `xtask changelog`: the draft for the unreleased commits, the whole history, or a range; printed or written.

use std::path::Path;

use anyhow::{Result, anyhow};

use super::Project;
use super::version::usage;
use crate::cli::{ChangelogArgs, Format};
use crate::domain::changelog::Changes;
use crate::domain::changelog_file;
use crate::domain::version::{self, Version};
use crate::notes;
use crate::ops::repo::{self, ReleaseTag};
use crate::ops::{fs, term};
use crate::render::{self, Renderer, SectionContext};

/// One section of the output: a release (or the unreleased changes) and what changed in it.
struct Section {
    version: Option<Version>,
    previous: Option<Version>,
    tag: Option<String>,
    previous_tag: Option<String>,
    date: String,
    changes: Changes,
}

pub fn run(dir: &Path, args: ChangelogArgs) -> Result<()> {
    let p = Project::open(dir)?;
    let format = notes::tag_format(&p.config)?;
    let options = notes::options(&p.config)?;
    let today = render::release_date()?;
    let asked_version = args
        .version
        .as_deref()
        .map(version::parse_version)
        .transpose()
        .map_err(usage)?;

    let sections = if args.all {
        all_sections(&p, &format, &options, &today)?
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
        let commits = p.repo.commits_since(p.repo.resolve(to)?, hide)?;
        vec![Section {
            version: asked_version,
            previous: None,
            tag: None,
            previous_tag: None,
            date: today,
            changes: notes::group(&commits, &options),
        }]
    } else {
        let history = notes::unreleased(&p.repo, &format)?;
        vec![Section {
            tag: asked_version.as_ref().map(|v| format.render(v)),
            version: asked_version,
            previous: history.last.as_ref().map(|t| t.version.clone()),
            previous_tag: history.last.as_ref().map(|t| t.name.clone()),
            date: today,
            changes: notes::group(&history.commits, &options),
        }]
    };

    if args.format == Format::Json {
        let json: Vec<_> = sections
            .iter()
            .map(|s| {
                serde_json::json!({
                    "version": s.version.as_ref().map(Version::to_string),
                    "previous": s.previous.as_ref().map(Version::to_string),
                    "tag": s.tag, "previous_tag": s.previous_tag, "date": s.date,
                    "breaking": s.changes.breaking, "groups": s.changes.groups,
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

    let renderer = Renderer::new(&p.root, &p.config)?;
    let mut texts = Vec::new();
    for s in &sections {
        let mut context =
            SectionContext::new(&s.changes, s.version.as_ref(), s.previous.as_ref(), &s.date);
        context.tag = s.tag.clone();
        context.previous_tag = s.previous_tag.clone();
        context.repository_url = p.config.changelog.repository_url.clone();
        texts.push(renderer.changelog(&context)?);
    }

    if args.write {
        let rel = p.config.changelog_file().to_string();
        let existing = crate::project::read_optional(&p.root, &rel)?;
        let section = texts.first().map(String::as_str).unwrap_or("");
        let key = sections
            .first()
            .and_then(|s| s.version.as_ref())
            .map(Version::to_string);
        let after = changelog_file::insert_section(
            existing.as_deref(),
            render::DEFAULT_CHANGELOG_HEADER,
            section,
            key.as_deref(),
        );
        fs::write_all(&[fs::FileChange::new(&p.root, &rel, existing, after)])?;
        term::step(&format!(
            "{rel}: section {} written",
            key.as_deref().unwrap_or("Unreleased")
        ));
        return Ok(());
    }
    term::out(&texts.join("\n"));
    Ok(())
}

/// One section per release tag reachable from HEAD, newest first, with the unreleased changes on top.
fn all_sections(
    p: &Project,
    format: &crate::domain::rules::TagFormat,
    options: &crate::domain::changelog::Options,
    today: &str,
) -> Result<Vec<Section>> {
    let head = p
        .repo
        .head()?
        .commit
        .ok_or_else(|| anyhow!("the repository has no commits yet: commit something first"))?;
    let nodes = p.repo.all_commits(head)?;
    let mut tags: Vec<ReleaseTag> = p.repo.release_tags(format)?;
    let known: std::collections::HashSet<String> =
        nodes.iter().map(|n| n.info.id.clone()).collect();
    tags.retain(|t| known.contains(&t.commit.to_string()));
    tags.sort_by(|a, b| version::release_cmp(&a.version, &b.version));
    // Two tags on one commit: the commit belongs to the first release that contains it.
    let ordered: Vec<&ReleaseTag> = tags.iter().collect();
    let (unreleased, released) = repo::sections(&nodes, &ordered);
    let mut sections = Vec::new();
    if !unreleased.is_empty() {
        let commits: Vec<_> = unreleased.into_iter().cloned().collect();
        sections.push(Section {
            version: None,
            previous: tags.last().map(|t| t.version.clone()),
            tag: None,
            previous_tag: tags.last().map(|t| t.name.clone()),
            date: today.to_string(),
            changes: notes::group(&commits, options),
        });
    }
    for (index, commits) in released.iter().enumerate().rev() {
        let tag = &tags[index];
        let previous = index.checked_sub(1).map(|i| &tags[i]);
        let commits: Vec<_> = commits.iter().map(|c| (*c).clone()).collect();
        let time = p.repo.commit_info(tag.commit)?.time;
        sections.push(Section {
            version: Some(tag.version.clone()),
            previous: previous.map(|t| t.version.clone()),
            tag: Some(tag.name.clone()),
            previous_tag: previous.map(|t| t.name.clone()),
            date: render::date_of(time)?,
            changes: notes::group(&commits, options),
        });
    }
    Ok(sections)
}
