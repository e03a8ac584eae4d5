//! `xtask deprecations`: the ledger of `Deprecated:` footers, with the release that announced each, the first
//! version allowed to remove it and whether it is open, removable or removed; and the history the release reads.

use std::path::Path;

use anyhow::Result;

use super::Project;
use crate::cli::{DeprecationsArgs, Format};
use crate::domain::changelog::CommitInfo;
use crate::domain::changelog::history;
use crate::domain::conventional;
use crate::domain::deprecations::{self, Deprecation, Notice, Reading, Release, Window};
use crate::domain::release;
use crate::domain::rules::TagFormat;
use crate::domain::version::{self, Version};

use crate::notes;
use crate::ops::repo::{ObjectId, Repo};
use crate::ops::term;

/// The deprecation notices of HEAD's history, each with the first release containing it, and the last
/// release of the branch (the base of its unreleased commits, as `changelog` says).
pub struct Gathered {
    pub notices: Vec<Notice>,
    pub last_release: Option<Release>,
}

/// Reads HEAD's whole history once: every commit's `Deprecated:`/`Removed:` footers (merges and
/// `fixup!` commits left out, as in the changelog), and, from the releases of the branch's line and the
/// lines before it (see [`notes::line_releases`]), the first release (by version) that contains each
/// commit: a commit of the development branch released on a release line was released there.
pub fn gather(
    repo: &Repo,
    format: &TagFormat,
    head: ObjectId,
    current: Option<&Version>,
) -> Result<Gathered> {
    let line = notes::line_releases(repo, format, head, current)?;
    let mut tips = vec![head];
    tips.extend(line.tags.iter().map(|t| t.commit));
    tips.dedup();
    let gathered = gather_from(repo, line.tags, &tips, None)?;
    Ok(Gathered {
        last_release: line.base.map(|t| Release {
            tag: t.name,
            version: t.version,
        }),
        ..gathered
    })
}

/// The notices of the history from `tips` (HEAD first) without that of `hide`, each with the first of
/// `tags` containing it; the last release is the greatest of `tags` in that history.
fn gather_from(
    repo: &Repo,
    mut tags: Vec<crate::ops::repo::ReleaseTag>,
    tips: &[ObjectId],
    hide: Option<ObjectId>,
) -> Result<Gathered> {
    let history = repo.history_of(tips, hide, |c: CommitInfo| {
        if c.parent_count > 1 || conventional::is_autosquash(&c.message) {
            return None;
        }
        let (deprecated, removed) = deprecations::message_values(&c.message);
        if deprecated.is_empty() && removed.is_empty() {
            return None;
        }
        Some(Notice {
            commit: c.short_id,
            subject: conventional::subject(&c.message).to_string(),
            deprecated,
            removed,
            release: None,
        })
    })?;
    tags.retain(|t| history.index_of(t.commit).is_some());
    tags.sort_by(|a, b| version::release_cmp(&a.version, &b.version));
    let starts: Vec<Option<usize>> = tags.iter().map(|t| history.index_of(t.commit)).collect();
    let owners = history::owners(&history.parents, &starts);
    let releases: Vec<Release> = tags
        .iter()
        .map(|t| Release {
            tag: t.name.clone(),
            version: t.version.clone(),
        })
        .collect();
    // Only HEAD's own commits are this branch's notices (the other tips only date them).
    let head = tips.first().and_then(|h| history.index_of(*h));
    let reach =
        release::commits::Reach::new(&history.parents, &head.into_iter().collect::<Vec<_>>());
    let notices = history
        .items
        .into_iter()
        .zip(owners)
        .enumerate()
        .filter(|(i, _)| head.is_some_and(|h| reach.reaches(h, *i)))
        .filter_map(|(_, (notice, owner))| {
            notice.map(|mut n| {
                n.release = owner.and_then(|o| releases.get(o)).cloned();
                n
            })
        })
        .collect();
    Ok(Gathered {
        notices,
        last_release: releases.last().cloned(),
    })
}

/// The notices a release of `new` judges: none when it removes nothing and opens no window (most releases,
/// which then read no history), else the history since the last release whose windows were all open already.
/// `unreleased` are the commits the release is about.
pub fn for_release(
    repo: &Repo,
    format: &TagFormat,
    policy: Window,
    previous: Option<&Version>,
    new: &Version,
    unreleased: &[CommitInfo],
) -> Result<Vec<Notice>> {
    let Some(head) = repo.head()?.commit else {
        return Ok(Vec::new());
    };
    let removing = unreleased
        .iter()
        .any(|c| !deprecations::message_values(&c.message).1.is_empty());
    let tags = repo.release_tags(format)?;
    let versions: Vec<Version> = tags.iter().map(|t| t.version.clone()).collect();
    let hide = match deprecations::reading(policy, removing, previous, new, &versions) {
        Reading::Nothing => return Ok(Vec::new()),
        Reading::Everything => None,
        Reading::After(bound) => {
            let older: Vec<_> = tags
                .into_iter()
                .filter(|t| version::release_cmp(&t.version, &bound).is_le())
                .collect();
            repo.last_release(&older, head)?.map(|t| t.commit)
        }
    };
    let tags = repo.release_tags(format)?;
    Ok(gather_from(repo, tags, &[head], hide)?.notices)
}

pub fn run(dir: &Path, args: DeprecationsArgs) -> Result<()> {
    let p = Project::open(dir)?;
    let format = p.policy()?.tag_format()?;
    let policy = p.policy()?.deprecation;
    let head = p.repo.head_commit()?;
    if p.repo.is_shallow() {
        term::warn(
            "shallow clone: deprecations announced before its oldest commit are missing; \
             run `git fetch --tags --unshallow` for the whole ledger",
        );
    }
    let current = notes::branch_version(&p.root, &p.config);
    let gathered = gather(&p.repo, format, head, current.as_ref())?;
    let lines = deprecations::ledger(
        &gathered.notices,
        policy,
        gathered.last_release.as_ref().map(|r| &r.version),
    );
    let scheme = format.scheme();
    let spell = |v: &Version| scheme.spell(v);

    if args.format == Format::Json {
        let items: Vec<serde_json::Value> = lines
            .iter()
            .map(|d| {
                serde_json::json!({
                    "what": d.what,
                    "commit": d.commit,
                    "subject": d.subject,
                    "announced": d.announced.as_ref().map(|r| spell(&r.version)),
                    "announced_tag": d.announced.as_ref().map(|r| r.tag.clone()),
                    "removable_from": d.removable_from.as_ref().map(spell),
                    "state": d.state.as_str(),
                    "removed": d.removed.as_ref().map(|r| serde_json::json!({
                        "commit": r.commit,
                        "release": r.release.as_ref().map(|r| spell(&r.version)),
                    })),
                })
            })
            .collect();
        let object = serde_json::json!({
            "policy": policy.as_str(),
            "last_release": gathered.last_release.as_ref().map(|r| spell(&r.version)),
            "deprecations": items,
        });
        term::out(&serde_json::to_string_pretty(&object)?);
        return Ok(());
    }

    if lines.is_empty() {
        term::note("no deprecations: no commit in the history has a `Deprecated: <what>` footer");
        return Ok(());
    }
    term::out(&table(&lines, &spell));
    term::note(&format!(
        "policy: {} (xtask.toml [policy] deprecation); state as of {}",
        policy.as_str(),
        gathered
            .last_release
            .as_ref()
            .map_or("no release yet".to_string(), |r| format!(
                "the last release, {}",
                spell(&r.version)
            ))
    ));
    Ok(())
}

/// One line per deprecation, in aligned columns.
fn table(lines: &[Deprecation], spell: &dyn Fn(&Version) -> String) -> String {
    let mut rows = vec![[
        "STATE".to_string(),
        "ANNOUNCED".to_string(),
        "REMOVABLE FROM".to_string(),
        "COMMIT".to_string(),
        "WHAT".to_string(),
    ]];
    for d in lines {
        let removable = match (&d.removable_from, &d.announced) {
            (Some(from), _) => spell(from),
            (None, None) => "once released".to_string(),
            (None, Some(_)) => "any".to_string(),
        };
        let what = match &d.removed {
            Some(removal) => format!(
                "{} (removed by {} in {})",
                d.what,
                removal.commit,
                removal
                    .release
                    .as_ref()
                    .map_or("unreleased".to_string(), |r| spell(&r.version))
            ),
            None => d.what.clone(),
        };
        rows.push([
            d.state.as_str().to_string(),
            d.announced
                .as_ref()
                .map_or("unreleased".to_string(), |r| spell(&r.version)),
            removable,
            d.commit.clone(),
            what.replace('\n', " "),
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::new();
            for (cell, width) in r.iter().zip(&widths) {
                line.push_str(&format!("{cell:<width$}  "));
            }
            line.push_str(&r[4]);
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}
