//! The release plan: the decision and the ordered steps that carry it out, as plain data. A dry run prints
//! the steps, `exec::run` runs the local ones under the undo journal, and the release command runs the
//! checks before them and the push and the post-release commands after them: what is shown is what runs.

use crate::domain::file_change::FileChange;
use crate::domain::release::decide::Decision;
use crate::domain::version::{Scheme, Version};

/// One thing a release does, in the order it does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `release.pre`: a project command (tests, lints) that must pass before anything changes.
    Check {
        command: String,
    },
    /// Replace files (all or none) and stage them.
    Write(Vec<FileChange>),
    Commit {
        message: String,
    },
    /// An annotated tag, created only if absent.
    Tag {
        name: String,
        message: String,
        sign: bool,
    },
    /// `git push --atomic`, after the local steps: a refused push leaves the release in place.
    Push {
        remote: String,
        refspecs: Vec<String>,
    },
    /// `release.post`: a command run once the release is made (and pushed); `package` is the package it
    /// is for (empty without `[packages]`).
    Post {
        package: String,
        command: String,
    },
}

impl Step {
    /// Whether the step changes the local repository, so that the undo journal covers it.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Step::Write(_) | Step::Commit { .. } | Step::Tag { .. }
        )
    }

    /// One line for progress and error messages: "write VERSION", "commit \"chore(release): 1.2.0\"", "tag v1.2.0".
    pub fn describe(&self) -> String {
        match self {
            Step::Check { command } | Step::Post { command, .. } => format!("run `{command}`"),
            Step::Write(changes) => {
                let names: Vec<&str> = changes.iter().map(|c| c.rel.as_str()).collect();
                format!("write {}", names.join(", "))
            }
            Step::Commit { message } => {
                format!("commit \"{}\"", message.lines().next().unwrap_or(""))
            }
            Step::Tag { name, .. } => format!("tag {name}"),
            Step::Push { remote, refspecs } => format!("push {} to {remote}", refspecs.join(" ")),
        }
    }
}

/// The steps the undo journal covers: from the first local step to the last (the checks come before them,
/// the push and the post-release commands after).
pub fn local_steps(steps: &[Step]) -> &[Step] {
    let Some(first) = steps.iter().position(Step::is_local) else {
        return &[];
    };
    let last = steps.iter().rposition(Step::is_local).unwrap_or(first);
    &steps[first..=last]
}

/// The commands that must pass before anything changes.
pub fn checks(steps: &[Step]) -> Vec<String> {
    steps
        .iter()
        .filter_map(|step| match step {
            Step::Check { command } => Some(command.clone()),
            _ => None,
        })
        .collect()
}

/// The push, if the release pushes: the remote and the refspecs.
pub fn push(steps: &[Step]) -> Option<(&str, &[String])> {
    steps.iter().find_map(|step| match step {
        Step::Push { remote, refspecs } => Some((remote.as_str(), refspecs.as_slice())),
        _ => None,
    })
}

/// The post-release commands, each with its package (empty without `[packages]`), in order.
pub fn post(steps: &[Step]) -> Vec<(String, String)> {
    steps
        .iter()
        .filter_map(|step| match step {
            Step::Post { package, command } => Some((package.clone(), command.clone())),
            _ => None,
        })
        .collect()
}

/// Everything one release will do, as data: printed by a dry run, executed otherwise.
#[derive(Debug, Clone)]
pub struct ReleasePlan {
    pub decision: Decision,
    /// The branch released (from HEAD, or the CI's on a detached HEAD).
    pub branch: Option<String>,
    /// HEAD's commit as the checks saw it.
    pub head: String,
    /// The remote pushed to (also named by the publish command printed when the release does not push).
    pub remote: String,
    /// How the project spells versions in messages, notes and output (the tags' scheme).
    pub scheme: Scheme,
    /// The changelog file and its new section, when the release writes one (shown, and editable before
    /// anything is committed).
    pub changelog: Option<(String, String)>,
    /// The release commit's message, rendered even when there is nothing to commit (a version released as
    /// written): the JSON summary and the one commit of several packages name it.
    pub release_message: String,
    /// The next development version, when the release moves on to one.
    pub dev_version: Option<Version>,
    /// What the release does, in order: checks, the release write and commit, the tag, the development
    /// write and commit, the push, the post-release commands.
    pub steps: Vec<Step>,
}

impl ReleasePlan {
    /// A plan with no steps yet; the `add_*` methods append them, in the order they are called.
    pub fn new(
        decision: Decision,
        branch: Option<String>,
        head: String,
        remote: String,
        scheme: Scheme,
    ) -> ReleasePlan {
        ReleasePlan {
            decision,
            branch,
            head,
            remote,
            scheme,
            changelog: None,
            release_message: String::new(),
            dev_version: None,
            steps: Vec::new(),
        }
    }

    pub fn spell(&self, v: &Version) -> String {
        self.scheme.spell(v)
    }

    /// `release.pre`'s commands.
    pub fn add_checks(&mut self, commands: &[String]) {
        self.steps
            .extend(commands.iter().map(|command| Step::Check {
                command: command.clone(),
            }));
    }

    /// The release commit and the tag. A version released as written with no changelog changes no file:
    /// there is no commit then, and the tag goes on HEAD.
    pub fn add_release(
        &mut self,
        files: Vec<FileChange>,
        message: String,
        tag_message: String,
        sign: bool,
    ) {
        if !files.is_empty() {
            self.steps.push(Step::Write(files));
            self.steps.push(Step::Commit {
                message: message.clone(),
            });
        }
        self.release_message = message;
        self.steps.push(Step::Tag {
            name: self.decision.tag.clone(),
            message: tag_message,
            sign,
        });
    }

    /// The move to the next development version, after the tag.
    pub fn add_dev(&mut self, version: Version, files: Vec<FileChange>, message: String) {
        if !files.is_empty() {
            self.steps.push(Step::Write(files));
        }
        self.steps.push(Step::Commit { message });
        self.dev_version = Some(version);
    }

    pub fn add_push(&mut self, refspecs: Vec<String>) {
        self.steps.push(Step::Push {
            remote: self.remote.clone(),
            refspecs,
        });
    }

    /// The post-release commands, each with its package.
    pub fn add_post(&mut self, commands: Vec<(String, String)>) {
        self.steps.extend(
            commands
                .into_iter()
                .map(|(package, command)| Step::Post { package, command }),
        );
    }

    /// Where the tag is: the steps before it make the release, the ones after it the development version.
    fn tag_index(&self) -> usize {
        self.steps
            .iter()
            .position(|s| matches!(s, Step::Tag { .. }))
            .unwrap_or(self.steps.len())
    }

    fn release_part(&self) -> &[Step] {
        &self.steps[..self.tag_index()]
    }

    fn dev_part(&self) -> &[Step] {
        &self.steps[self.tag_index()..]
    }

    /// The files the release commit writes (none when the tag goes on HEAD).
    pub fn release_files(&self) -> &[FileChange] {
        written(self.release_part())
    }

    /// The version files the release commit writes: its files but the changelog (shown as its section).
    pub fn version_file_changes(&self) -> impl Iterator<Item = &FileChange> {
        let changelog = self.changelog.as_ref().map(|(rel, _)| rel);
        self.release_files()
            .iter()
            .filter(move |c| Some(&c.rel) != changelog)
    }

    /// The release commit's message, if the release commits.
    pub fn release_commit(&self) -> Option<&str> {
        committed(self.release_part())
    }

    /// The tag: its name, message and whether it is signed.
    pub fn tag(&self) -> Option<(&str, &str, bool)> {
        self.steps.iter().find_map(|step| match step {
            Step::Tag {
                name,
                message,
                sign,
            } => Some((name.as_str(), message.as_str(), *sign)),
            _ => None,
        })
    }

    /// The files the development commit writes.
    pub fn dev_files(&self) -> &[FileChange] {
        written(self.dev_part())
    }

    /// The development commit's message, if the release moves on to a development version.
    pub fn dev_commit(&self) -> Option<&str> {
        committed(self.dev_part())
    }

    /// Replaces a file the release commit writes (the changelog, after the notes were edited); the file
    /// moves to the end of the write.
    pub fn replace_release_file(&mut self, change: FileChange) {
        let end = self.tag_index();
        if let Some(Step::Write(files)) = self.steps[..end]
            .iter_mut()
            .find(|s| matches!(s, Step::Write(_)))
        {
            files.retain(|c| c.rel != change.rel);
            files.push(change);
        }
    }

    /// The tag's message, to edit.
    pub fn tag_message_mut(&mut self) -> Option<&mut String> {
        self.steps.iter_mut().find_map(|step| match step {
            Step::Tag { message, .. } => Some(message),
            _ => None,
        })
    }

    /// Replaces the files the development commit writes (with several packages they are computed on top of
    /// every package's release); no write without files, as [`ReleasePlan::add_dev`] does.
    pub fn replace_dev_files(&mut self, files: Vec<FileChange>) {
        let start = self.tag_index();
        let write = self.steps[start..]
            .iter()
            .position(|s| matches!(s, Step::Write(_)))
            .map(|i| start + i);
        match (write, files.is_empty()) {
            (Some(i), true) => {
                self.steps.remove(i);
            }
            (Some(i), false) => self.steps[i] = Step::Write(files),
            (None, true) => {}
            (None, false) => {
                if let Some(i) = self.steps[start..]
                    .iter()
                    .position(|s| matches!(s, Step::Commit { .. }))
                {
                    self.steps.insert(start + i, Step::Write(files));
                }
            }
        }
    }
}

fn written(steps: &[Step]) -> &[FileChange] {
    steps
        .iter()
        .find_map(|step| match step {
            Step::Write(files) => Some(files.as_slice()),
            _ => None,
        })
        .unwrap_or(&[])
}

fn committed(steps: &[Step]) -> Option<&str> {
    steps.iter().find_map(|step| match step {
        Step::Commit { message } => Some(message.as_str()),
        _ => None,
    })
}

/// What a release of several packages does: the checks, one release commit for every package, a tag each,
/// one development commit, one push (the branch and every tag), the post-release commands.
pub fn combine(
    plans: &[(String, ReleasePlan)],
    release_files: &[FileChange],
    dev_files: &[FileChange],
    pre: &[String],
    post: &[(String, String)],
) -> Vec<Step> {
    let mut list: Vec<Step> = pre
        .iter()
        .map(|command| Step::Check {
            command: command.clone(),
        })
        .collect();
    if !release_files.is_empty() {
        list.push(Step::Write(release_files.to_vec()));
        list.push(Step::Commit {
            message: combined_message(
                plans
                    .iter()
                    .map(|(name, plan)| (name, &plan.release_message, &plan.decision.version)),
                plans,
            ),
        });
    }
    for (_, plan) in plans {
        if let Some((name, message, sign)) = plan.tag() {
            list.push(Step::Tag {
                name: name.to_string(),
                message: message.to_string(),
                sign,
            });
        }
    }
    let devs: Vec<(&String, String, &Version)> = plans
        .iter()
        .filter_map(|(name, plan)| {
            let message = plan.dev_commit()?.to_string();
            plan.dev_version.as_ref().map(|v| (name, message, v))
        })
        .collect();
    if !devs.is_empty() {
        if !dev_files.is_empty() {
            list.push(Step::Write(dev_files.to_vec()));
        }
        list.push(Step::Commit {
            message: combined_message(devs.iter().map(|(n, m, v)| (*n, m, *v)), plans),
        });
    }
    // One atomic push: the first package's branch, and every package's tag.
    if let Some((remote, first)) = plans.first().and_then(|(_, plan)| push(&plan.steps)) {
        let mut refspecs: Vec<String> = first
            .iter()
            .filter(|r| !r.starts_with("refs/tags/"))
            .cloned()
            .collect();
        refspecs.extend(
            plans
                .iter()
                .map(|(_, plan)| format!("refs/tags/{}", plan.decision.tag)),
        );
        list.push(Step::Push {
            remote: remote.to_string(),
            refspecs,
        });
    }
    list.extend(post.iter().map(|(package, command)| Step::Post {
        package: package.clone(),
        command: command.clone(),
    }));
    list
}

/// The first package's message subject (so the kit still knows its own commits), with every package and
/// its version in the body.
fn combined_message<'a>(
    messages: impl Iterator<Item = (&'a String, &'a String, &'a Version)>,
    plans: &[(String, ReleasePlan)],
) -> String {
    let messages: Vec<_> = messages.collect();
    let subject = messages
        .first()
        .map(|(_, m, _)| m.lines().next().unwrap_or("").to_string())
        .unwrap_or_default();
    if messages.len() == 1 {
        return messages[0].1.clone();
    }
    let scheme = plans.first().map(|(_, p)| p.scheme).unwrap_or_default();
    let body: Vec<String> = messages
        .iter()
        .map(|(name, _, v)| format!("- {name} {}", scheme.spell(v)))
        .collect();
    format!("{subject}\n\n{}", body.join("\n"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// An empty plan releasing `version` (after 1.1.0) as `tag` from `main`, pushing to `origin`.
    fn new_plan(version: &str, tag: &str) -> ReleasePlan {
        let decision = Decision {
            version: Version::parse(version).unwrap(),
            previous: Version::parse("1.1.0").unwrap(),
            tag: tag.into(),
            required: None,
            warnings: Vec::new(),
            removable: Vec::new(),
        };
        ReleasePlan::new(
            decision,
            Some("main".into()),
            "a".repeat(40),
            "origin".into(),
            Scheme::Semver,
        )
    }

    fn change(rel: &str, before: &str, after: &str) -> FileChange {
        FileChange::new(Path::new("/r"), rel, Some(before.into()), after.into())
    }

    /// The plan as the release command builds it: checks, release, dev, push, post (each when there).
    fn plan(
        version: &str,
        pre: &[&str],
        dev: bool,
        push: bool,
        post: &[&str],
        files: bool,
    ) -> ReleasePlan {
        let tag = format!("v{version}");
        let mut plan = new_plan(version, &tag);
        let pre: Vec<String> = pre.iter().map(|s| s.to_string()).collect();
        plan.add_checks(&pre);
        let release_files = if files {
            vec![
                change("Cargo.toml", "1.1.0", version),
                change("CHANGELOG.md", "", "## 1.2.0"),
            ]
        } else {
            Vec::new()
        };
        plan.add_release(
            release_files,
            format!("chore(release): {version}"),
            format!("Release {version}"),
            false,
        );
        if dev {
            plan.add_dev(
                Version::parse("1.2.1-dev").unwrap(),
                vec![change("Cargo.toml", version, "1.2.1-dev")],
                "chore: start 1.2.1-dev".into(),
            );
        }
        if push {
            plan.add_push(vec!["refs/heads/main".into(), format!("refs/tags/{tag}")]);
        }
        plan.add_post(
            post.iter()
                .map(|c| (String::new(), c.to_string()))
                .collect(),
        );
        plan
    }

    fn described(steps: &[Step]) -> Vec<String> {
        steps.iter().map(Step::describe).collect()
    }

    #[test]
    fn the_steps_of_typical_releases_in_order() {
        // (plan, expected steps)
        let cases: Vec<(ReleasePlan, &[&str])> = vec![
            // A final release: release commit, tag, development version.
            (
                plan("1.2.0", &[], true, false, &[], true),
                &[
                    "write Cargo.toml, CHANGELOG.md",
                    "commit \"chore(release): 1.2.0\"",
                    "tag v1.2.0",
                    "write Cargo.toml",
                    "commit \"chore: start 1.2.1-dev\"",
                ],
            ),
            // A pre-release keeps its version in the files: no development commit.
            (
                plan("1.2.0-rc.1", &[], false, false, &[], true),
                &[
                    "write Cargo.toml, CHANGELOG.md",
                    "commit \"chore(release): 1.2.0-rc.1\"",
                    "tag v1.2.0-rc.1",
                ],
            ),
            // Pushed after the local steps.
            (
                plan("1.2.0", &[], true, true, &[], true),
                &[
                    "write Cargo.toml, CHANGELOG.md",
                    "commit \"chore(release): 1.2.0\"",
                    "tag v1.2.0",
                    "write Cargo.toml",
                    "commit \"chore: start 1.2.1-dev\"",
                    "push refs/heads/main refs/tags/v1.2.0 to origin",
                ],
            ),
            // The checks first, the post-release commands last (after the push).
            (
                plan(
                    "1.2.0",
                    &["cargo test", "cargo clippy"],
                    false,
                    true,
                    &["cargo publish"],
                    true,
                ),
                &[
                    "run `cargo test`",
                    "run `cargo clippy`",
                    "write Cargo.toml, CHANGELOG.md",
                    "commit \"chore(release): 1.2.0\"",
                    "tag v1.2.0",
                    "push refs/heads/main refs/tags/v1.2.0 to origin",
                    "run `cargo publish`",
                ],
            ),
            // Released as written without a changelog: no commit, the tag goes on HEAD.
            (
                plan("1.2.0", &[], false, false, &[], false),
                &["tag v1.2.0"],
            ),
        ];
        for (plan, expected) in cases {
            assert_eq!(described(&plan.steps), *expected);
        }
    }

    #[test]
    fn the_views_read_the_steps() {
        let p = plan(
            "1.2.0",
            &["make check"],
            true,
            true,
            &["make publish"],
            true,
        );
        assert_eq!(checks(&p.steps), ["make check"]);
        assert_eq!(p.release_files().len(), 2);
        assert_eq!(p.release_commit(), Some("chore(release): 1.2.0"));
        assert_eq!(p.tag(), Some(("v1.2.0", "Release 1.2.0", false)));
        assert_eq!(p.dev_files().len(), 1);
        assert_eq!(p.dev_commit(), Some("chore: start 1.2.1-dev"));
        assert_eq!(p.dev_version, Some(Version::parse("1.2.1-dev").unwrap()));
        let (remote, refspecs) = push(&p.steps).unwrap();
        assert_eq!((remote, refspecs.len()), ("origin", 2));
        assert_eq!(post(&p.steps), [(String::new(), "make publish".into())]);
        // The journal covers exactly the writes, commits and the tag.
        let local = local_steps(&p.steps);
        assert_eq!(local.len(), 5);
        assert!(local.iter().all(Step::is_local));
        // A plan without dev, push or post has none of them.
        let p = plan("1.2.0-rc.1", &[], false, false, &[], false);
        assert_eq!(p.release_commit(), None);
        assert!(p.release_files().is_empty());
        assert_eq!(p.dev_commit(), None);
        assert!(push(&p.steps).is_none());
        assert!(local_steps(&[]).is_empty());
        // The release message is known even without a commit.
        assert_eq!(p.release_message, "chore(release): 1.2.0-rc.1");
    }

    #[test]
    fn several_packages_make_one_commit_a_tag_each_and_one_push() {
        let package = |name: &str, version: &str, dev: bool| {
            let tag = format!("{name}-v{version}");
            let mut plan = new_plan(version, &tag);
            plan.add_release(
                vec![change(&format!("{name}/Cargo.toml"), "1.1.0", version)],
                format!("chore(release): {version}"),
                format!("{name} {version}"),
                false,
            );
            if dev {
                plan.add_dev(
                    Version::parse("9.9.9-dev").unwrap(),
                    Vec::new(),
                    format!("chore: {name} dev"),
                );
            }
            plan.add_push(vec!["refs/heads/main".into(), format!("refs/tags/{tag}")]);
            (name.to_string(), plan)
        };
        let plans = vec![
            package("core", "1.2.0", true),
            package("cli", "2.0.0", false),
        ];
        let files = vec![change("core/Cargo.toml", "1.1.0", "1.2.0")];
        let dev = vec![change("core/Cargo.toml", "1.2.0", "9.9.9-dev")];
        let steps = combine(
            &plans,
            &files,
            &dev,
            &["make check".into()],
            &[("core".into(), "publish core".into())],
        );
        assert_eq!(
            described(&steps),
            [
                "run `make check`",
                "write core/Cargo.toml",
                "commit \"chore(release): 1.2.0\"",
                "tag core-v1.2.0",
                "tag cli-v2.0.0",
                "write core/Cargo.toml",
                "commit \"chore: core dev\"",
                "push refs/heads/main refs/tags/core-v1.2.0 refs/tags/cli-v2.0.0 to origin",
                "run `publish core`",
            ]
        );
        // The release commit names every package; one development version is committed as it is.
        assert_eq!(
            steps[2],
            Step::Commit {
                message: "chore(release): 1.2.0\n\n- core 1.2.0\n- cli 2.0.0".into()
            }
        );
        assert_eq!(local_steps(&steps).len(), 6);
    }

    #[test]
    fn edits_change_the_steps_that_run() {
        let mut p = plan("1.2.0", &[], true, false, &[], true);
        p.replace_release_file(change("CHANGELOG.md", "", "## 1.2.0 edited"));
        assert_eq!(p.release_files()[1].after, "## 1.2.0 edited");
        assert_eq!(p.release_files().len(), 2);
        if let Some(message) = p.tag_message_mut() {
            message.push_str(" edited");
        }
        assert_eq!(p.tag().map(|t| t.1), Some("Release 1.2.0 edited"));
        // Development files replaced, dropped (no write without files) and put back before the commit.
        p.replace_dev_files(vec![change("a", "1", "2"), change("b", "1", "2")]);
        assert_eq!(p.dev_files().len(), 2);
        p.replace_dev_files(Vec::new());
        assert_eq!(
            described(&p.steps)[2..],
            ["tag v1.2.0", "commit \"chore: start 1.2.1-dev\""]
        );
        p.replace_dev_files(vec![change("a", "1", "2")]);
        assert_eq!(
            described(&p.steps)[2..],
            ["tag v1.2.0", "write a", "commit \"chore: start 1.2.1-dev\""]
        );
    }
}
