//! `xtask release` with `[packages]`: each selected package planned as a release of its own (its commits by
//! `paths`, its files, tag and changelog), then one release commit, one tag per package, one dev commit, run
//! all-or-nothing by the same journal; `release.post` afterwards, in dependency order.

use std::collections::HashMap;

use anyhow::{Result, anyhow};

use super::show;
use super::{Project, ask_version, build, preflight, print_plan, report, review, run_pre};
use crate::cli::{Format, ReleaseArgs};
use crate::cmd::{pre_kind, usage};
use crate::domain::packages;
use crate::domain::problem::Problem;
use crate::domain::release;
use crate::domain::release::decide::{self, Choice, Settings, Snapshot};
use crate::domain::release::steps::{self, ReleasePlan, Step};
use crate::domain::version::{BumpRequest, Scheme, Version};
use crate::error::{AlreadyReported, UsageError};
use crate::exec;
use crate::ops::fs::{self, FileChange};
use crate::ops::git::Git;
use crate::ops::repo::{ObjectId, Repo};
use crate::ops::{cargo, prompt, term};
use crate::{notes, version_files};

/// One package as a release sees it.
struct Package {
    name: String,
    project: Project,
    snapshot: Snapshot,
    settings: Settings,
    /// The ranges its snapshot's commits come from (`commits`, then `commits_since_final` after a
    /// pre-release), read for all packages at once by [`read_commits`].
    ranges: Vec<(ObjectId, Option<ObjectId>)>,
}

pub(super) fn release(
    p: &Project,
    git: &Git,
    args: &ReleaseArgs,
    json_printed: &mut bool,
) -> Result<()> {
    let names = p.config.package_names();
    let unknown: Vec<&String> = args
        .packages
        .iter()
        .filter(|n| !names.contains(n))
        .collect();
    if !unknown.is_empty() {
        return Err(UsageError(format!(
            "no package {}: xtask.toml has {}",
            unknown
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            names.join(", ")
        ))
        .into());
    }
    let interactive = prompt::interactive(args.yes) && !args.dry_run && args.format == Format::Text;
    let pre = pre_kind(args.pre.as_deref())?;
    let choice = match &args.level {
        Some(level) => Some(Choice::parse(level, pre).map_err(usage)?),
        None if interactive || args.dry_run || args.yes => None,
        None => {
            return Err(UsageError(
                "no version given and no terminal to ask on: pass a level or version, e.g. `cargo xtask release -p NAME auto --yes`"
                    .into(),
            )
            .into());
        }
    };

    // Every package the release needs, read once: the named ones (all of them when none is named, or when
    // a shared X.Y may move the others), each with only the commits that touch its paths.
    let shared = p.config.version.shared.as_deref() == Some("minor");
    let needed: Vec<&String> = names
        .iter()
        .filter(|n| args.packages.is_empty() || shared || args.packages.contains(n))
        .collect();
    let mut common = super::Common::read(git, &p.repo)?;
    common.formats = names
        .iter()
        .filter_map(|name| p.config.for_package(name))
        .filter_map(|config| crate::policy::Policy::tag_format_of(&config).ok().flatten())
        .collect();
    let mut all = Vec::new();
    for name in needed {
        all.push(read_package(p, git, name, args, &common)?);
    }
    read_commits(p, git, &mut all)?;

    // Asking comes after the checks that do not depend on the versions (a dirty tree, no identity), as in a
    // release of one package: nobody chooses only to be told the tree is dirty.
    if interactive && choice.is_none() {
        let mut problems = Vec::new();
        for pkg in &all {
            for problem in decide::before_choosing(&pkg.snapshot, &pkg.settings) {
                if !problems.contains(&problem) {
                    problems.push(problem);
                }
            }
        }
        if !problems.is_empty() {
            return report(&problems);
        }
    }

    let selected: Vec<String> = if !args.packages.is_empty() {
        names
            .iter()
            .filter(|n| args.packages.contains(n))
            .cloned()
            .collect()
    } else if names.len() == 1 {
        names.clone()
    } else {
        let counts: Vec<(String, usize)> = all
            .iter()
            .map(|pkg| Ok((pkg.name.clone(), own_changes(pkg)?)))
            .collect::<Result<_>>()?;
        if interactive {
            ask_packages(&counts)?
        } else if args.yes || args.dry_run {
            packages::changed_packages(&counts).map_err(UsageError)?
        } else {
            return Err(UsageError(format!(
                "several packages and no terminal to ask on: name them with -p ({}), or pass --yes to release \
                 every package with changes since its last release",
                names.join(", ")
            ))
            .into());
        }
    };

    // Each selected package's decision; with a shared X.Y, a release that moves it moves every package.
    let mut choices: Vec<(String, Choice)> = Vec::new();
    for name in &selected {
        let choice = match &choice {
            Some(choice) => choice.clone(),
            None if interactive => {
                let pkg = find(&all, name);
                if let Some(nothing) = decide::nothing_to_release(&pkg.snapshot, &pkg.settings) {
                    return Err(anyhow!("{name}: {nothing}"));
                }
                term::note(&format!("package {name}"));
                ask_version(
                    &pkg.snapshot,
                    &pkg.settings,
                    pkg.settings.tag_format.scheme(),
                )?
            }
            None => pre.map_or(Choice::Auto, Choice::AutoPre),
        };
        choices.push((name.clone(), choice));
    }
    let mut decisions = decide_all(&all, &choices);
    if p.config.version.shared.as_deref() == Some("minor")
        && let Ok(decided) = &decisions
    {
        let leader = decided
            .iter()
            .filter(|(_, d)| packages::moves_minor(&d.previous, &d.version))
            .map(|(_, d)| d.version.clone())
            .max_by(crate::domain::version::release_cmp);
        if let Some(leader) = leader {
            let mut followed = Vec::new();
            for pkg in &all {
                let Ok(current) = &pkg.snapshot.current else {
                    continue;
                };
                let chosen = decided.iter().find(|(n, _)| *n == pkg.name);
                if chosen.is_some_and(|(_, d)| !packages::moves_minor(&leader, &d.version)) {
                    followed.push((pkg.name.clone(), choice_of(&choices, &pkg.name)));
                } else if let Some(target) = packages::follow(current, &leader) {
                    followed.push((
                        pkg.name.clone(),
                        Choice::Request(BumpRequest::Exact(target)),
                    ));
                }
            }
            // The packages asked for first (the release commit's subject names the first), then the
            // ones that follow them.
            let (mut order, others): (Vec<String>, Vec<String>) = names
                .iter()
                .filter(|n| followed.iter().any(|(f, _)| f == *n))
                .cloned()
                .partition(|n| selected.contains(n));
            order.extend(others);
            choices = order
                .iter()
                .filter_map(|n| followed.iter().find(|(f, _)| f == n).cloned())
                .collect();
            for (name, _) in &choices {
                if !selected.contains(name) {
                    // Spelled as that package spells its versions (`3.2.0rc1` in a Python package).
                    let spelled = all
                        .iter()
                        .find(|pkg| pkg.name == *name)
                        .map(|pkg| pkg.settings.tag_format.scheme().spell(&leader))
                        .unwrap_or_else(|| leader.to_string());
                    term::note(&format!(
                        "version.shared = \"minor\": {name} moves to {spelled} with the others"
                    ));
                }
            }
            decisions = decide_all(&all, &choices);
        }
    }
    // With a shared X.Y, the packages must agree after the release too (a hand edit `check` refuses).
    let shared_problem = (p.config.version.shared.as_deref() == Some("minor"))
        .then(|| {
            let after: Vec<(String, Version, Scheme)> = all
                .iter()
                .filter_map(|pkg| {
                    let decided = decisions.as_ref().ok().and_then(|d| {
                        d.iter()
                            .find(|(n, _)| *n == pkg.name)
                            .map(|(_, d)| d.version.clone())
                    });
                    Some((
                        pkg.name.clone(),
                        decided.or_else(|| pkg.snapshot.current.clone().ok())?,
                        pkg.settings.tag_format.scheme(),
                    ))
                })
                .collect();
            packages::shared_disagreement(&after)
        })
        .flatten();
    let decided = match (decisions, shared_problem) {
        (Ok(decided), None) => decided,
        (Ok(_), Some(problem)) => return report(&[problem]),
        (Err(mut problems), problem) => {
            problems.extend(problem.map(Problem::said));
            return report(&problems);
        }
    };
    for (name, decision) in &decided {
        for warning in &decision.warnings {
            term::warn(&format!("{name}: {warning}"));
        }
    }

    // The plans, each computed on top of the ones before it (a crate's release rewrites the requirements
    // on it in the next crate's manifest and in the shared lock file).
    let mut plans: Vec<(String, ReleasePlan)> = Vec::new();
    let mut release_files: Vec<FileChange> = Vec::new();
    for (name, decision) in decided {
        let pkg = find(&all, &name);
        let plan = build(&pkg.project, &pkg.snapshot, decision, args, &release_files)?;
        merge(&mut release_files, plan.release_files());
        plans.push((name, plan));
    }
    // The development versions, on top of every release.
    let mut dev_files: Vec<FileChange> = Vec::new();
    for (name, plan) in &mut plans {
        let Some(dev_version) = plan.dev_version.clone() else {
            continue;
        };
        let pkg = find(&all, name);
        let mut state = release_files.clone();
        merge(&mut state, &dev_files);
        let files = version_files::version_files(&pkg.project.config)?;
        let changes = version_files::changes_for(
            &p.root,
            &files,
            &plan.decision.version,
            &dev_version,
            &state,
        )?;
        merge(&mut dev_files, &changes);
        plan.replace_dev_files(changes);
    }

    let mut problems = Vec::new();
    for (_, plan) in &plans {
        for problem in preflight(git, plan, args.dry_run) {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    let pre_commands = p.policy()?.pre_commands.clone();
    let post = post_commands(p, &plans)?;
    let mut steps = steps::combine(&plans, &release_files, &dev_files, &pre_commands, &post);
    // The kit's own commits meet the commit rules, as `check` says: the release commit, then the dev one.
    let rules = p.policy()?.commits.clone();
    let commits = steps.iter().filter_map(|step| match step {
        Step::Commit { message } => Some(message),
        _ => None,
    });
    for (message, key) in commits.zip(["release.commit", "release.dev_commit"]) {
        let mut found = Vec::new();
        super::super::check::judge_commit_message(&rules, key, message, &mut found);
        for problem in found {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    // With release.signers the hooks accept only signed tags: the key is checked before anything changes,
    // as for one package (a release through review is tagged by `release --finish`, in CI).
    if !args.pr
        && let Some(problem) = super::signing_problem(p)?
        && !problems.contains(&problem)
    {
        problems.push(problem);
    }
    super::warn_or_refuse(&problems, args.dry_run)?;
    if args.dry_run && !args.pr {
        let to_stdout = args.format == Format::Text;
        for (name, plan) in &plans {
            show::plan_section(to_stdout, &format!("Package {name}"), "");
            print_plan(plan, to_stdout, args.level.is_none());
        }
        if plans.len() > 1 {
            // What the plans above amount to: one commit for all, a tag each.
            let together: Vec<String> = steps::local_steps(&steps)
                .iter()
                .map(|step| match step {
                    Step::Commit { message } => format!("commit:\n{message}"),
                    other => other.describe(),
                })
                .collect();
            show::plan_section(to_stdout, "Together, all or nothing:", &together.join("\n"));
        }
        print_post(&steps::post(&steps), to_stdout);
        if args.format == Format::Json {
            term::out(&show::summary_of_packages(&plans, false).to_string());
        }
        return Ok(());
    }

    if !args.dry_run {
        let failed = run_pre(git, &steps::checks(&steps))?;
        if !failed.is_empty() {
            return report(&failed);
        }
        if interactive {
            for (name, plan) in &mut plans {
                let pkg = find(&all, name);
                review(&pkg.project, plan)?;
                // An edited changelog replaces the planned one.
                if let Some(changed) = plan.release_files().iter().find(|c| {
                    plan.changelog
                        .as_ref()
                        .is_some_and(|(rel, _)| *rel == c.rel)
                }) {
                    merge(&mut release_files, std::slice::from_ref(changed));
                }
            }
            prompt::proceed(&format!(
                "{} {}?",
                if args.pr {
                    "Open a pull request releasing"
                } else {
                    "Release"
                },
                describe(&plans)
            ))?;
            steps = steps::combine(&plans, &release_files, &dev_files, &pre_commands, &post);
        }
    }
    // Through review: one pull request for every package, and `release --finish` tags the merge.
    if args.pr {
        *json_printed = args.format == Format::Json;
        let request = pull_request(&all, &plans, &release_files, &steps)?;
        return super::review::open_request(p, git, &request, args);
    }

    let head = plans
        .first()
        .map(|(_, plan)| plan.head.clone())
        .unwrap_or_default();
    let journal = exec::run(
        git,
        p.repo.git_dir(),
        &head,
        steps::local_steps(&steps),
        |step| term::step(&step.describe()),
    )?;
    term::step(&format!("released {}", describe(&plans)));

    let first = &plans
        .first()
        .ok_or_else(|| anyhow!("nothing to release"))?
        .1;
    let branch = first.branch.as_deref().unwrap_or("HEAD");
    let mut refspecs = vec![branch.to_string()];
    refspecs.extend(plans.iter().map(|(_, plan)| plan.decision.tag.clone()));
    let publishing = super::run::Publishing {
        steps: &steps,
        journal: &journal,
        branch: first.branch.as_deref(),
        // As for one package: a protected branch never takes this push, so the release goes.
        take_back: first.branch.is_some() && git.head_ref()?.is_some(),
        through_review: "cargo xtask release --pr".to_string(),
        remote: &first.remote,
        refspecs,
    };
    super::run::publish(
        git,
        p.repo.git_dir(),
        args,
        publishing,
        super::run::Released::Packages(&plans),
        json_printed,
    )
}

/// The release pull request of several packages: one release commit (and, with `release.pr_dev = "in-pr"`,
/// one development commit), every package's notes under its name, every tag for `release --finish`.
fn pull_request(
    all: &[Package],
    plans: &[(String, ReleasePlan)],
    release_files: &[FileChange],
    steps: &[Step],
) -> Result<super::review::Request> {
    let (first_name, first) = plans.first().ok_or_else(|| anyhow!("nothing to release"))?;
    let mut messages = steps.iter().filter_map(|step| match step {
        Step::Commit { message } => Some(message.clone()),
        _ => None,
    });
    let release_message = messages
        .next()
        .unwrap_or_else(|| first.release_message.clone());
    let dev = messages.next().map(|message| {
        let mut files: Vec<(String, String)> = Vec::new();
        for (_, plan) in plans {
            for change in plan.dev_files() {
                files.retain(|(rel, _)| *rel != change.rel);
                files.push((change.rel.clone(), change.after.clone()));
            }
        }
        (files, message)
    });
    let mut notes = Vec::new();
    let mut shown = Vec::new();
    for (name, plan) in plans {
        let body = plan
            .changelog
            .as_ref()
            .map(|(_, section)| crate::domain::changelog::file::section_body(section).to_string())
            .unwrap_or_default();
        notes.push(format!(
            "## {name} {}\n\n{body}",
            plan.spell(&plan.decision.version)
        ));
        shown.push((format!("Package {name}"), String::new()));
        shown.extend(super::review::shown(plan));
    }
    let first_pkg = find(all, first_name);
    Ok(super::review::Request {
        base: first.branch.clone(),
        head: first.head.clone(),
        remote: first.remote.clone(),
        branch: super::review::request_branch(&first_pkg.project, first)?,
        label: plans
            .iter()
            .map(|(name, plan)| format!("{name} {}", plan.spell(&plan.decision.version)))
            .collect::<Vec<_>>()
            .join(", "),
        tags: plans
            .iter()
            .map(|(_, plan)| plan.decision.tag.clone())
            .collect(),
        notes: notes.join("\n\n"),
        release_files: release_files
            .iter()
            .map(|c| (c.rel.clone(), c.after.clone()))
            .collect(),
        release_message,
        dev,
        shown,
    })
}

/// A package's snapshot and settings (all the commits since its last release: see [`keep_own_commits`]).
fn read_package(
    p: &Project,
    git: &Git,
    name: &str,
    args: &ReleaseArgs,
    common: &super::Common,
) -> Result<Package> {
    let config = p
        .config
        .for_package(name)
        .ok_or_else(|| anyhow!("no package {name:?} in xtask.toml"))?;
    let project = Project::new(Repo::open(&p.root)?, p.root.clone(), config);
    let (snapshot, settings) =
        super::snapshot_with(&project, git, args.force, args.dry_run, Some(common))?;
    Ok(Package {
        name: name.to_string(),
        project,
        snapshot,
        settings,
        ranges: common.take_deferred(),
    })
}

/// Fills each package's commits: those of its ranges that touch its `paths`, minus the kit's own commits.
/// One walk of the history for all packages, down to where every range starts ([`notes::in_ranges`]), and,
/// meanwhile, one `git log --name-only` of the same commits narrowed to the packages' folders: the paths
/// each commit touches, split by package. Not a walk per package.
fn read_commits(p: &Project, git: &Git, all: &mut [Package]) -> Result<()> {
    let Some(x) = all.iter().flat_map(|pkg| &pkg.ranges).map(|r| r.0).next() else {
        return Ok(());
    };
    let mut prevs: Vec<Option<ObjectId>> = Vec::new();
    for (_, prev) in all.iter().flat_map(|pkg| &pkg.ranges) {
        if !prevs.contains(prev) {
            prevs.push(*prev);
        }
    }
    let paths: Vec<Vec<String>> = all
        .iter()
        .map(|pkg| p.config.package_paths(&pkg.name))
        .collect();
    let within = packages::prefixes(paths.iter().flatten());
    let floor = notes::walk_floor(git, x, &prevs)?;
    let root = p.root.clone();
    let (ranges, changed) = std::thread::scope(|scope| {
        let paths_read = scope.spawn(|| -> Result<_> {
            Git::new(&root)?.changed_paths(
                &x.to_string(),
                floor.map(|f| f.to_string()).as_deref(),
                &within,
            )
        });
        let ranges = notes::in_ranges(&p.repo, x, &prevs, floor);
        let changed = paths_read
            .join()
            .map_err(|_| anyhow!("reading the paths of the commits failed"))
            .and_then(|r| r);
        (ranges, changed)
    });
    let (ranges, changed) = (ranges?, changed?);
    // Which packages each commit belongs to, worked out once per commit.
    let owners = packages::Owners::new(&paths);
    let mut belongs: Vec<Vec<usize>> = vec![Vec::new(); ranges.commits.len()];
    for (i, commit) in ranges.commits.iter().enumerate() {
        let Some(files) = changed.get(&commit.id) else {
            continue;
        };
        for file in files {
            owners.of(file, &mut belongs[i]);
        }
        belongs[i].sort_unstable();
        belongs[i].dedup();
    }
    for (k, pkg) in all.iter_mut().enumerate() {
        let kit = notes::options(&pkg.project.config)?.skip_subjects;
        let mut lists = Vec::new();
        for (_, prev) in &pkg.ranges {
            let section = prevs
                .iter()
                .position(|p| p == prev)
                .and_then(|s| ranges.sections.get(s))
                .map(Vec::as_slice)
                .unwrap_or_default();
            lists.push(
                section
                    .iter()
                    .filter(|&&i| belongs[i].binary_search(&k).is_ok())
                    .map(|&i| &ranges.commits[i])
                    .filter(|c| !release::commits::is_kit_commit(&c.message, &kit))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
        let mut lists = lists.into_iter();
        if let Some(commits) = lists.next() {
            pkg.snapshot.commits_since_final = lists.next().unwrap_or_else(|| commits.clone());
            pkg.snapshot.commits = commits;
        }
    }
    Ok(())
}

/// The commits since a package's last release, the kit's own release and development commits left out.
fn own_changes(pkg: &Package) -> Result<usize> {
    let skip = crate::notes::options(&pkg.project.config)?.skip_subjects;
    Ok(pkg
        .snapshot
        .commits
        .iter()
        .filter(|c| {
            let subject = c.message.lines().next().unwrap_or("");
            !skip.iter().any(|pattern| pattern.is_match(subject))
        })
        .count())
}

fn find<'a>(all: &'a [Package], name: &str) -> &'a Package {
    all.iter()
        .find(|pkg| pkg.name == name)
        .expect("names come from the configuration")
}

fn choice_of(choices: &[(String, Choice)], name: &str) -> Choice {
    choices
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c.clone())
        .unwrap_or(Choice::Auto)
}

/// Every package's decision, or every problem: one said once when all packages share it (uncommitted
/// changes), otherwise under the package's name.
fn decide_all(
    all: &[Package],
    choices: &[(String, Choice)],
) -> std::result::Result<Vec<(String, decide::Decision)>, Vec<Problem>> {
    let mut decided = Vec::new();
    let mut found: Vec<(String, Problem)> = Vec::new();
    for (name, choice) in choices {
        let pkg = find(all, name);
        match decide::decide(&pkg.snapshot, &pkg.settings, choice) {
            Ok(decision) => decided.push((name.clone(), decision)),
            Err(problems) => found.extend(problems.into_iter().map(|p| (name.clone(), p))),
        }
    }
    if found.is_empty() {
        return Ok(decided);
    }
    let failing: Vec<&String> = choices.iter().map(|(n, _)| n).collect();
    let mut problems: Vec<Problem> = Vec::new();
    for (name, problem) in &found {
        let everywhere = failing
            .iter()
            .all(|n| found.iter().any(|(f, p)| f == *n && p == problem));
        let text = if everywhere && failing.len() > 1 {
            problem.clone()
        } else {
            Problem {
                reason: format!("{name}: {}", problem.reason),
                ..problem.clone()
            }
        };
        if !problems.contains(&text) {
            problems.push(text);
        }
    }
    Err(problems)
}

/// Adds `changes` on top of `into`: a file changed twice keeps its first `before` and its last `after`.
fn merge(into: &mut Vec<FileChange>, changes: &[FileChange]) {
    for change in changes {
        match into.iter_mut().find(|c| c.rel == change.rel) {
            Some(existing) => existing.after = change.after.clone(),
            None => into.push(change.clone()),
        }
    }
}

/// "compiler 3.1.1 as compiler-v3.1.1, runtime 3.2.0 as runtime-v3.2.0".
fn describe(plans: &[(String, ReleasePlan)]) -> String {
    plans
        .iter()
        .map(|(name, plan)| {
            format!(
                "{name} {} as {}",
                plan.spell(&plan.decision.version),
                plan.decision.tag
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which packages to release, asked in a terminal.
fn ask_packages(counts: &[(String, usize)]) -> Result<Vec<String>> {
    let mut options: Vec<String> = counts
        .iter()
        .map(|(name, n)| format!("{name}  ({n} commits since its last release)"))
        .collect();
    options.push("every package with changes".to_string());
    let index = prompt::select("Release which package?", options, 0)?;
    match counts.get(index) {
        Some((name, _)) => Ok(vec![name.clone()]),
        None => packages::changed_packages(counts).map_err(|e| UsageError(e).into()),
    }
}

/// `release.post`, rendered per released package, in dependency order for Cargo packages.
fn post_commands(p: &Project, plans: &[(String, ReleasePlan)]) -> Result<Vec<(String, String)>> {
    let templates = p.policy()?.post_commands.clone();
    if templates.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<String> = plans.iter().map(|(n, _)| n.clone()).collect();
    let depends = crate_dependencies(p, &names);
    let ordered = packages::dependency_order(&names, &|name: &str| {
        depends.get(name).cloned().unwrap_or_default()
    });
    let mut commands = Vec::new();
    for name in ordered {
        let Some((_, plan)) = plans.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        for template in &templates {
            commands.push((
                name.clone(),
                packages::render_post(
                    template,
                    &name,
                    &plan.spell(&plan.decision.version),
                    &plan.decision.tag,
                ),
            ));
        }
    }
    Ok(commands)
}

/// For each package whose first file is a Cargo manifest, the packages whose crates it depends on.
fn crate_dependencies(p: &Project, names: &[String]) -> HashMap<String, Vec<String>> {
    let mut crates: HashMap<String, String> = HashMap::new();
    let mut manifests = Vec::new();
    for name in names {
        let Some(config) = p.config.for_package(name) else {
            continue;
        };
        let Ok(files) = version_files::version_files(&config) else {
            continue;
        };
        if let Some(file) = files
            .iter()
            .find(|f| matches!(f.kind, version_files::Kind::CargoCrate))
        {
            manifests.push((name.clone(), p.root.join(&file.path)));
        }
    }
    let Some((_, first)) = manifests.first() else {
        return HashMap::new();
    };
    let Ok(graph) = cargo::dependency_graph(first) else {
        return HashMap::new();
    };
    for (name, manifest) in &manifests {
        let own = fs::canonicalize(manifest).unwrap_or(manifest.clone());
        if let Some((crate_name, _)) = graph.iter().find(|(_, (path, _))| *path == own) {
            crates.insert(crate_name.clone(), name.clone());
        }
    }
    let mut depends = HashMap::new();
    for (crate_name, (_, deps)) in &graph {
        let Some(package) = crates.get(crate_name) else {
            continue;
        };
        depends.insert(
            package.clone(),
            deps.iter().filter_map(|d| crates.get(d).cloned()).collect(),
        );
    }
    depends
}

/// `release.post` for a release without `[packages]`: each command once, `{{ package }}` empty.
pub(super) fn single_post(p: &Project, release: &ReleasePlan) -> Vec<(String, String)> {
    let version = release.spell(&release.decision.version);
    p.config
        .release
        .post
        .iter()
        .flatten()
        .map(|template| {
            (
                String::new(),
                packages::render_post(template, "", &version, &release.decision.tag),
            )
        })
        .collect()
}

/// A dry run's list of the post-release commands.
pub(super) fn print_post(post: &[(String, String)], to_stdout: bool) {
    if post.is_empty() {
        return;
    }
    show::plan_section(
        to_stdout,
        "After the release (release.post):",
        &post
            .iter()
            .map(|(_, c)| format!("run `{c}`"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
}

/// After a failed push: the `release.post` commands that were not run, to run by hand once pushed.
pub(super) fn skipped_post(post: &[(String, String)]) {
    if post.is_empty() {
        return;
    }
    let left: Vec<String> = post.iter().map(|(_, c)| format!("  {c}")).collect();
    term::note(&format!(
        "release.post was not run; push first, then run:\n{}",
        left.join("\n")
    ));
}

/// Runs the post-release commands; on a failure the release stays, and the commands left are printed.
pub(super) fn run_post(git: &Git, post: &[(String, String)]) -> Result<()> {
    for (index, (_, command)) in post.iter().enumerate() {
        term::note(&format!("running `{command}`"));
        // Their output is progress, not the kit's data: it goes to stderr (see `Git::run_check`).
        if !git.run_check(command)? {
            term::error(&format!(
                "release.post: `{command}` failed; the release itself is complete and stays"
            ));
            let ran: Vec<String> = post[..index]
                .iter()
                .map(|(_, c)| format!("  {c}"))
                .collect();
            if !ran.is_empty() {
                term::note(&format!("ran:\n{}", ran.join("\n")));
            }
            let left: Vec<String> = post[index..]
                .iter()
                .map(|(_, c)| format!("  {c}"))
                .collect();
            term::note(&format!(
                "left to run, after fixing the cause:\n{}",
                left.join("\n")
            ));
            return Err(AlreadyReported.into());
        }
    }
    Ok(())
}
