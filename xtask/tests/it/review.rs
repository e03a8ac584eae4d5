//! Releasing through review: `release --pr` and `release --finish` against a local bare `origin` that
//! stands in for GitHub: its `pre-receive` refuses every direct update of `main` and `stable/*` (as branch
//! protection does), the forge's merge button is a push from a forge-side clone that the hook lets
//! through, and a stand-in `gh` on `PATH` records every call with its standard input.

use tempfile::TempDir;

use crate::support::{Repo, Run, run, write_executable};

/// The forge's protection: direct updates of protected branches are refused unless the forge itself
/// merges (`FORGE_MERGE`); release branches can be closed for a test (`REFUSE_RELEASE_BRANCHES`).
const PRE_RECEIVE: &str = r#"#!/bin/sh
zero=0000000000000000000000000000000000000000
while read old new ref; do
  case "$ref" in
    refs/heads/main|refs/heads/stable/*)
      if [ "$old" != "$zero" ] && [ -z "$FORGE_MERGE" ]; then
        echo "error: GH006: Protected branch update failed for $ref." >&2
        exit 1
      fi;;
    refs/heads/release/*)
      if [ -n "$REFUSE_RELEASE_BRANCHES" ]; then
        echo "release branches are closed" >&2
        exit 1
      fi;;
  esac
done
"#;

/// The stand-in `gh`: logs each call (and its standard input between `<<<` and `>>>`) to `calls.log`,
/// keeps the open pull requests and the releases in files, and fails the call `GH_FAIL` names.
const GH: &str = r#"#!/bin/sh
state="$(dirname "$0")"
{ printf 'gh'; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$state/calls.log"
input=""
case " $* " in
  *" --body-file - "*|*" --notes-file - "*)
    input=$(cat)
    printf '<<<\n%s\n>>>\n' "$input" >> "$state/calls.log";;
esac
if [ -n "$GH_FAIL" ] && [ "$1 $2" = "$GH_FAIL" ]; then
  echo "gh: $GH_FAIL failed (stand-in)" >&2
  exit 1
fi
case "$1 $2" in
  "pr list") cat "$state/open.json" 2>/dev/null || echo "[]";;
  "pr create")
    head=""; prev=""
    for a in "$@"; do [ "$prev" = "--head" ] && head="$a"; prev="$a"; done
    n=$(cat "$state/next" 2>/dev/null || echo 12)
    echo $((n + 1)) > "$state/next"
    case "$input" in
      *"xtask: release pull request"*)
        printf '[{"number":%s,"headRefName":"%s","url":"https://github.com/o/r/pull/%s","body":"<!-- xtask: release pull request -->"}]' "$n" "$head" "$n" > "$state/open.json";;
    esac
    echo "https://github.com/o/r/pull/$n";;
  "release view")
    grep -qx "$3" "$state/releases" 2>/dev/null || { echo "release not found" >&2; exit 1; };;
  "release create") echo "$3" >> "$state/releases";;
  "release delete")
    grep -vx "$3" "$state/releases" > "$state/releases.tmp"; mv "$state/releases.tmp" "$state/releases";;
esac
exit 0
"#;

/// The URL `origin` is known by; `url.<path>.insteadOf` sends git to the local bare repository.
const URL: &str = "https://github.com/o/r.git";

struct Hosted {
    repo: Repo,
    origin: TempDir,
    bin: TempDir,
    forge: TempDir,
}

/// A project at 0.1.0 (tagged), one feature since, on a protected `main` of a GitHub-hosted `origin`.
fn hosted(config: &str) -> Hosted {
    host(project(config), &["v0.1.0"])
}

fn project(config: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        &format!(
            "[version]\nfiles = [{{ path = \"VERSION\", regex = '(?<version>\\S+)' }}]\n{config}"
        ),
    );
    repo.write("VERSION", "0.1.0\n");
    repo.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [0.1.0] - 2023-01-01\n\n- first\n",
    );
    repo.commit("chore: initial");
    repo.tag("v0.1.0");
    repo.write("src.txt", "one\n");
    repo.commit("feat: one");
    repo
}

/// `repo` on a protected `main` of a GitHub-hosted `origin`, with `tags` pushed.
fn host(repo: Repo, tags: &[&str]) -> Hosted {
    let origin = TempDir::new().unwrap();
    let path = origin.path().to_str().unwrap().to_string();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", &path]);
    write_executable(
        &origin.path().join("hooks/pre-receive"),
        PRE_RECEIVE.as_bytes(),
    );
    repo.git(&["config", &format!("url.{path}.insteadOf"), URL]);
    repo.git(&["remote", "add", "origin", URL]);
    let mut push = vec!["push", "--quiet", "origin", "main"];
    push.extend_from_slice(tags);
    repo.git(&push);
    repo.git(&["fetch", "--quiet", "origin"]);
    let bin = TempDir::new().unwrap();
    write_executable(&bin.path().join("gh"), GH.as_bytes());
    let forge = TempDir::new().unwrap();
    let hosted = Hosted {
        repo,
        origin,
        bin,
        forge,
    };
    hosted.forge_git(&["clone", "--quiet", &path, "."]);
    hosted
}

impl Hosted {
    fn path_env(&self) -> String {
        format!(
            "{}:{}",
            self.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// The kit in the maintainer's clone, with the stand-in `gh` on `PATH`.
    fn xtask(&self, args: &[&str]) -> Run {
        self.xtask_env(args, &[])
    }

    fn xtask_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let path = self.path_env();
        let mut all = vec![("PATH", path.as_str())];
        all.extend_from_slice(env);
        self.repo.xtask_env(args, &all)
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.bin.path().join("calls.log")).unwrap_or_default()
    }

    fn clear_calls(&self) {
        let _ = std::fs::remove_file(self.bin.path().join("calls.log"));
    }

    /// git in the bare `origin`.
    fn origin(&self, args: &[&str]) -> String {
        let mut all = vec!["--git-dir", self.origin.path().to_str().unwrap()];
        all.extend_from_slice(args);
        self.repo.git(&all)
    }

    /// The maintainer's checkout, their branches and tags, and the remote's refs: what a failure must leave
    /// as it was.
    fn everything(&self) -> (Vec<String>, String, String) {
        (
            checkout(&self.repo),
            own_refs(&self.repo),
            self.origin_refs(),
        )
    }

    fn origin_refs(&self) -> String {
        self.origin(&["for-each-ref", "--format=%(refname) %(objectname)"])
    }

    fn forge_git(&self, args: &[&str]) -> String {
        let mut command = self.repo.command("git", args);
        command
            .current_dir(self.forge.path())
            .env("FORGE_MERGE", "1");
        run(command).ok().stdout.trim_end().to_string()
    }

    /// What the forge's merge button does with `branch` into `base`, by `method`; the pull request is then
    /// closed.
    fn land(&self, branch: &str, base: &str, method: &str) {
        self.forge_git(&["fetch", "--quiet", "origin"]);
        self.forge_git(&["checkout", "--quiet", "-B", base, &format!("origin/{base}")]);
        let remote_branch = format!("origin/{branch}");
        match method {
            "merge" => {
                self.forge_git(&[
                    "merge",
                    "--quiet",
                    "--no-ff",
                    &remote_branch,
                    "-m",
                    &format!("Merge pull request #12 from o/{branch}"),
                ]);
            }
            "squash" => {
                // GitHub titles a squash with the pull request's title, which is the first commit's subject.
                let first = self.forge_git(&[
                    "log",
                    "--reverse",
                    "--format=%s",
                    &format!("{base}..{remote_branch}"),
                ]);
                let first = first.lines().next().unwrap_or_default().to_string();
                self.forge_git(&["merge", "--quiet", "--squash", &remote_branch]);
                self.forge_git(&[
                    "commit",
                    "--quiet",
                    "-m",
                    &format!("{first} (#12)"),
                    "-m",
                    "* squashed commits",
                ]);
            }
            "rebase" => {
                self.forge_git(&["checkout", "--quiet", "-B", "landing", &remote_branch]);
                self.forge_git(&["rebase", "--quiet", "--force-rebase", base]);
                self.forge_git(&["checkout", "--quiet", base]);
                self.forge_git(&["merge", "--quiet", "--ff-only", "landing"]);
            }
            other => panic!("no merge method {other}"),
        }
        self.forge_git(&["push", "--quiet", "origin", base]);
        let _ = std::fs::remove_file(self.bin.path().join("open.json"));
    }

    /// A change that arrived on `main` through some other pull request.
    fn land_change(&self, file: &str, message: &str) {
        self.forge_git(&["fetch", "--quiet", "origin"]);
        self.forge_git(&["checkout", "--quiet", "-B", "main", "origin/main"]);
        std::fs::write(self.forge.path().join(file), "change\n").unwrap();
        self.forge_git(&["add", file]);
        self.forge_git(&["commit", "--quiet", "-m", message]);
        self.forge_git(&["push", "--quiet", "origin", "main"]);
    }

    /// A CI job's checkout: a fresh clone of `origin`, detached at `branch` (as actions/checkout leaves
    /// it, with every tag), knowing the branch from `GITHUB_REF_NAME` only.
    fn ci(&self, branch: &str) -> Ci {
        let repo = Repo::new();
        let path = self.origin.path().to_str().unwrap();
        repo.git(&["config", &format!("url.{path}.insteadOf"), URL]);
        repo.git(&["remote", "add", "origin", URL]);
        repo.git(&["fetch", "--quiet", "--tags", "origin"]);
        repo.git(&[
            "checkout",
            "--quiet",
            "--detach",
            &format!("origin/{branch}"),
        ]);
        Ci {
            repo,
            branch: branch.to_string(),
            path: self.path_env(),
        }
    }
}

struct Ci {
    repo: Repo,
    branch: String,
    path: String,
}

impl Ci {
    fn finish(&self, env: &[(&str, &str)]) -> Run {
        let mut all = vec![
            ("PATH", self.path.as_str()),
            ("GITHUB_REF_NAME", self.branch.as_str()),
            ("GITHUB_ACTIONS", "true"),
        ];
        all.extend_from_slice(env);
        self.repo.xtask_env(&["release", "--finish", "--yes"], &all)
    }
}

/// The maintainer's checkout: HEAD, branch, index, status and files.
fn checkout(repo: &Repo) -> Vec<String> {
    let state = repo.state();
    let mut seen = vec![state.head, state.branch, state.index, state.status];
    seen.extend(
        state
            .files
            .into_iter()
            .map(|(path, bytes)| format!("{path}: {}", String::from_utf8_lossy(&bytes))),
    );
    seen
}

/// The refs of the maintainer's clone other than remote-tracking ones (a push updates those, as git does).
fn own_refs(repo: &Repo) -> String {
    repo.git(&[
        "for-each-ref",
        "--format=%(refname) %(objectname)",
        "refs/heads",
        "refs/tags",
    ])
}

/// The text between `<<<` and `>>>` after the call that starts with `call`.
fn stdin_of(calls: &str, call: &str) -> String {
    let after = calls
        .split_once(call)
        .unwrap_or_else(|| panic!("no call {call:?} in:\n{calls}"))
        .1;
    let body = after
        .split_once("<<<\n")
        .unwrap_or_else(|| panic!("no input for {call:?} in:\n{calls}"))
        .1;
    body.split_once("\n>>>").unwrap().0.to_string()
}

/// The changelog section of `version` at `commit` of `origin`, without its heading.
fn section_at(hosted: &Hosted, commit: &str, version: &str) -> String {
    let text = hosted.origin(&["show", &format!("{commit}:CHANGELOG.md")]);
    let start = text
        .find(&format!("## [{version}]"))
        .unwrap_or_else(|| panic!("no section {version} in:\n{text}"));
    let section = &text[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 4);
    let body = section[..end].split_once('\n').unwrap().1;
    body.trim_matches('\n').to_string()
}

#[test]
fn a_push_to_a_protected_branch_takes_the_release_back_and_names_release_pr() {
    let hosted = hosted("");
    let before = (hosted.repo.state(), hosted.origin_refs());
    hosted
        .xtask(&["release", "minor", "--yes", "--push"])
        .fails(1)
        .says("GH006")
        .says("main is protected there")
        .says("the repository is as it was before the release")
        .says("cargo xtask release --pr minor");
    assert_eq!((hosted.repo.state(), hosted.origin_refs()), before);
    hosted
        .xtask(&["release", "--abort"])
        .ok()
        .says("nothing to undo");
}

#[test]
fn release_pr_opens_the_pull_request_then_refreshes_it_without_touching_the_checkout() {
    let hosted = hosted("");
    hosted
        .xtask(&["release", "--pr", "minor", "--dry-run"])
        .ok()
        .says("Release pull request plan (dry run: nothing is changed)")
        .says("push release/v0.2.0 to origin");
    assert_eq!(hosted.calls(), "", "a dry run asks no forge");

    let before = (checkout(&hosted.repo), own_refs(&hosted.repo));
    let run = hosted
        .xtask(&["release", "--pr", "minor", "--yes"])
        .ok()
        .says("pushed")
        .says("opened the pull request: https://github.com/o/r/pull/12");
    assert_eq!(
        (checkout(&hosted.repo), own_refs(&hosted.repo)),
        before,
        "the checkout, index, branches and tags are untouched: {run:?}"
    );
    // The branch: one release commit on main, with the files and the changelog.
    let main = hosted.origin(&["rev-parse", "main"]);
    let tip = hosted.origin(&["rev-parse", "release/v0.2.0"]);
    assert_eq!(hosted.origin(&["rev-parse", "release/v0.2.0~1"]), main);
    assert_eq!(
        hosted.origin(&["log", "-1", "--format=%s", &tip]),
        "chore(release): 0.2.0"
    );
    assert_eq!(hosted.origin(&["show", &format!("{tip}:VERSION")]), "0.2.0");
    assert!(
        hosted
            .origin(&["tag", "--list"])
            .lines()
            .all(|t| t == "v0.1.0")
    );
    let calls = hosted.calls();
    assert!(
        calls.contains(
            "gh pr create --base main --head release/v0.2.0 --title chore(release): 0.2.0 --body-file -"
        ),
        "{calls}"
    );
    let body = stdin_of(&calls, "gh pr create");
    assert!(
        body.starts_with(&section_at(&hosted, &tip, "0.2.0")),
        "the body starts with the notes:\n{body}"
    );
    assert!(
        body.contains("<!-- xtask: release pull request -->"),
        "{body}"
    );

    // One more change on main, then again: the same pull request, refreshed.
    hosted.land_change("two.txt", "fix: two");
    hosted.repo.git(&["pull", "--quiet", "origin", "main"]);
    hosted.clear_calls();
    hosted
        .xtask(&["release", "--pr", "minor", "--yes"])
        .ok()
        .says("(refreshed)")
        .says("refreshed the pull request: https://github.com/o/r/pull/12");
    let calls = hosted.calls();
    assert!(!calls.contains("gh pr create"), "{calls}");
    assert!(
        calls.contains("gh pr edit 12 --title chore(release): 0.2.0 --body-file -"),
        "{calls}"
    );
    assert!(stdin_of(&calls, "gh pr edit").contains("two"), "{calls}");
    let refreshed = hosted.origin(&["rev-parse", "release/v0.2.0"]);
    assert_ne!(refreshed, tip);
    assert_eq!(
        hosted.origin(&["rev-parse", "release/v0.2.0~1"]),
        hosted.origin(&["rev-parse", "main"])
    );
    let notes = hosted.origin(&["show", &format!("{refreshed}:CHANGELOG.md")]);
    assert!(
        notes.contains("- two") && notes.contains("- one"),
        "{notes}"
    );
}

/// The merge method, and where the tag must land: on the release commit the pull request made, on the
/// squash, or on the rebased copy of the release commit.
/// Two pushes to `main` close together start two finishes from the same commit: the one that pushes the tag
/// second finds it on the remote, at the release commit it was about to tag, and says the release is
/// finished instead of failing the build.
#[test]
fn a_finish_that_loses_the_race_to_another_says_the_release_is_done() {
    let hosted = hosted("");
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    hosted.land("release/v0.2.0", "main", "merge");
    let first = hosted.ci("main");
    let second = hosted.ci("main");
    first.finish(&[]).ok();
    let tag = hosted.origin(&["rev-parse", "v0.2.0"]);
    let before = second.repo.state();
    hosted.clear_calls();
    second
        .finish(&[])
        .ok()
        .says("v0.2.0 is already on origin, at the release commit")
        .says("nothing left to do");
    assert_eq!(
        hosted.origin(&["rev-parse", "v0.2.0"]),
        tag,
        "the tag stays"
    );
    assert_eq!(
        second.repo.state(),
        before,
        "the losing run changes nothing"
    );
    assert!(
        !hosted.calls().contains("release create"),
        "{}",
        hosted.calls()
    );
    // A tag of that name at another commit is still refused.
    let third = hosted.ci("main");
    third.repo.git(&["tag", "-d", "v0.2.0"]);
    hosted.origin(&["tag", "-f", "v0.2.0", "main~1"]);
    third
        .finish(&[])
        .fails(1)
        .says("tag v0.2.0 already exists on origin");
}

#[test]
fn finish_tags_the_release_commit_whatever_the_merge_method() {
    for method in ["merge", "squash", "rebase"] {
        let hosted = hosted("");
        hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
        let pr_commit = hosted.origin(&["rev-parse", "release/v0.2.0"]);
        hosted.land("release/v0.2.0", "main", method);
        let main = hosted.origin(&["rev-parse", "main"]);
        hosted.clear_calls();

        let ci = hosted.ci("main");
        let run = ci.finish(&[]).ok();
        let context = format!("{method}: {run:?}");
        let tagged = hosted.origin(&["rev-parse", "v0.2.0^{commit}"]);
        match method {
            "merge" => assert_eq!(tagged, pr_commit, "{context}"),
            "squash" => assert_eq!(tagged, main, "{context}"),
            _ => {
                assert_eq!(tagged, main, "{context}");
                assert_ne!(tagged, pr_commit, "a rebase makes new commits: {context}");
            }
        }
        assert_eq!(
            hosted.origin(&["cat-file", "-t", "v0.2.0"]),
            "tag",
            "annotated: {context}"
        );
        assert_eq!(
            hosted.origin(&["show", &format!("{tagged}:VERSION")]),
            "0.2.0",
            "{context}"
        );
        // The forge release: the changelog's section, verbatim.
        let calls = hosted.calls();
        assert!(
            calls.contains("gh release create v0.2.0 --verify-tag --title 0.2.0 --notes-file -"),
            "{calls}\n{context}"
        );
        assert!(!calls.contains("--prerelease"), "{calls}");
        assert_eq!(
            stdin_of(&calls, "gh release create"),
            section_at(&hosted, &tagged, "0.2.0"),
            "{context}"
        );
        // The development version, in a follow-up pull request (release.pr_dev's default).
        let dev = hosted.origin(&["rev-parse", "release/v0.2.0-dev"]);
        assert_eq!(
            hosted.origin(&["rev-parse", &format!("{dev}~1")]),
            main,
            "{context}"
        );
        assert_eq!(
            hosted.origin(&["show", &format!("{dev}:VERSION")]),
            "0.2.1-dev",
            "{context}"
        );
        assert!(
            calls.contains("gh pr create --base main --head release/v0.2.0-dev"),
            "{calls}"
        );
        assert_eq!(
            hosted.origin(&["rev-parse", "main"]),
            main,
            "main only moves by pull requests"
        );

        // The development pull request merged: nothing more to finish.
        hosted.land("release/v0.2.0-dev", "main", method);
        hosted.clear_calls();
        let ci = hosted.ci("main");
        ci.finish(&[])
            .ok()
            .says("nothing to finish: no release pull request was merged into main since v0.2.0");
        assert!(
            !hosted.calls().contains("release create"),
            "{}",
            hosted.calls()
        );
    }
}

#[test]
fn a_squash_that_folds_the_release_commit_away_is_refused_with_the_setting_that_fits() {
    let hosted = hosted("[release]\npr_dev = \"in-pr\"\n");
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    // The pull request holds both commits.
    assert_eq!(
        hosted.origin(&["log", "--format=%s", "main..release/v0.2.0"]),
        "chore: start 0.2.1-dev development\nchore(release): 0.2.0"
    );
    hosted.land("release/v0.2.0", "main", "squash");
    let before = hosted.origin_refs();
    hosted.clear_calls();
    hosted
        .ci("main")
        .finish(&[])
        .fails(1)
        .says("its files hold version 0.2.1-dev")
        .says("release.pr_dev = \"pr\"")
        .says("nothing was changed");
    assert_eq!(hosted.origin_refs(), before);
    assert!(!hosted.calls().contains("release create"));
}

#[test]
fn with_the_dev_commit_in_the_pull_request_a_merge_tags_the_release_commit_and_opens_nothing_more()
{
    let hosted = hosted("[release]\npr_dev = \"in-pr\"\n");
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    let release_commit = hosted.origin(&["rev-parse", "release/v0.2.0~1"]);
    hosted.land("release/v0.2.0", "main", "merge");
    hosted.clear_calls();
    hosted.ci("main").finish(&[]).ok();
    assert_eq!(
        hosted.origin(&["rev-parse", "v0.2.0^{commit}"]),
        release_commit
    );
    let calls = hosted.calls();
    assert!(calls.contains("gh release create v0.2.0"), "{calls}");
    assert!(!calls.contains("gh pr create"), "{calls}");
    assert!(
        !hosted
            .origin(&["for-each-ref", "--format=%(refname)"])
            .contains("-dev")
    );
}

#[test]
fn finish_after_an_ordinary_push_does_nothing() {
    let hosted = hosted("");
    // CI runs it on the release pull request's own branch too: not a release branch, nothing happens.
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    let before = hosted.origin_refs();
    hosted
        .ci("release/v0.2.0")
        .finish(&[])
        .ok()
        .says("nothing to finish: release/v0.2.0 is not a release branch for 0.2.0");
    assert_eq!(hosted.origin_refs(), before);
    hosted.land_change("two.txt", "fix: two");
    let before = hosted.origin_refs();
    hosted
        .ci("main")
        .finish(&[])
        .ok()
        .says("nothing to finish: no release pull request was merged into main since v0.1.0");
    assert_eq!(hosted.origin_refs(), before);
    assert!(!hosted.calls().contains("release create"));
}

#[test]
fn a_failed_release_pr_leaves_local_and_remote_refs_as_before() {
    let hosted = hosted("");
    let before = hosted.everything();
    // The forge refuses the pull request: the pushed branch is taken back.
    hosted
        .xtask_env(
            &["release", "--pr", "minor", "--yes"],
            &[("GH_FAIL", "pr create")],
        )
        .fails(1)
        .says("gh: pr create failed (stand-in)")
        .says("nothing was changed");
    assert_eq!(hosted.everything(), before);
    // The remote refuses the branch: the forge is never asked to open anything.
    hosted.clear_calls();
    hosted
        .xtask_env(
            &["release", "--pr", "minor", "--yes"],
            &[("REFUSE_RELEASE_BRANCHES", "1")],
        )
        .fails(1)
        .says("release branches are closed")
        .says("nothing was changed");
    assert!(!hosted.calls().contains("pr create"), "{}", hosted.calls());
    assert_eq!(hosted.everything(), before);
    // Without the forge's CLI, under the default `without_cli = "fail"`: refused before anything.
    let path = std::env::var("PATH").unwrap_or_default();
    hosted
        .repo
        .xtask_env(&["release", "--pr", "minor", "--yes"], &[("PATH", &path)])
        .fails(1)
        .says("`gh` is not installed")
        .says("without_cli = \"print\"");
    assert_eq!(hosted.everything(), before);
}

#[test]
fn a_killed_release_pr_is_put_back_by_abort_and_refused_until_then() {
    for point in ["pr:committed", "pr:pushed"] {
        let hosted = hosted("");
        let before = (own_refs(&hosted.repo), hosted.origin_refs());
        let run = hosted.xtask_env(
            &["release", "--pr", "minor", "--yes"],
            &[("XTASK_KILL_AT", point)],
        );
        assert_eq!(run.code, -1, "killed at {point}: {run:?}");
        assert_eq!(own_refs(&hosted.repo), before.0, "{point}");
        if point == "pr:pushed" {
            // The branch is on the remote without its pull request: refused until it is put back.
            assert_ne!(hosted.origin_refs(), before.1);
            hosted
                .xtask(&["release", "--pr", "minor", "--yes"])
                .fails(1)
                .says("an interrupted release --pr left a journal");
            hosted
                .xtask(&["release", "--abort"])
                .ok()
                .says("deleted release/v0.2.0 from origin");
        }
        assert_eq!(
            (own_refs(&hosted.repo), hosted.origin_refs()),
            before,
            "{point}"
        );
        // And then it goes through.
        hosted
            .xtask(&["release", "--pr", "minor", "--yes"])
            .ok()
            .says("opened the pull request");
    }
}

#[test]
fn a_failed_forge_release_takes_the_tag_back_and_a_second_finish_completes() {
    let hosted = hosted("");
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    hosted.land("release/v0.2.0", "main", "merge");
    let before = hosted.origin_refs();
    let ci = hosted.ci("main");
    ci.finish(&[("GH_FAIL", "release create")])
        .fails(1)
        .says("gh: release create failed (stand-in)")
        .says("what this run pushed was taken back");
    assert_eq!(
        hosted.origin_refs(),
        before,
        "no tag, no development branch"
    );
    ci.finish(&[])
        .ok()
        .says("published the GitHub release v0.2.0");
    assert!(hosted.origin(&["tag", "--list"]).contains("v0.2.0"));
    // The development pull request failing takes the release and the tag back too.
    let hosted = self::hosted("");
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    hosted.land("release/v0.2.0", "main", "merge");
    let before = hosted.origin_refs();
    hosted
        .ci("main")
        .finish(&[("GH_FAIL", "pr create")])
        .fails(1);
    assert_eq!(hosted.origin_refs(), before);
    let calls = hosted.calls();
    assert!(calls.contains("gh release delete v0.2.0 --yes"), "{calls}");
}

#[test]
fn a_finish_killed_after_the_tag_publishes_the_release_on_the_next_run() {
    let hosted = hosted("");
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    hosted.land("release/v0.2.0", "main", "merge");
    let ci = hosted.ci("main");
    let run = ci.finish(&[("XTASK_KILL_AT", "finish:pushed")]);
    assert_eq!(run.code, -1, "{run:?}");
    assert!(hosted.origin(&["tag", "--list"]).contains("v0.2.0"));
    assert!(!hosted.calls().contains("release create"));
    // The job is re-run (or the next push comes): the missing forge release is published.
    let ci = hosted.ci("main");
    ci.finish(&[])
        .ok()
        .says("published the GitHub release v0.2.0, which an interrupted finish had left out");
    assert!(hosted.calls().contains("gh release create v0.2.0"));
    ci.finish(&[]).ok().says("nothing to finish");
}

#[test]
fn on_a_line_branch_the_pull_request_and_the_finish_release_that_line_only() {
    let hosted = hosted("");
    // 0.2.0 released on main; its line branch; a fix on the line.
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    hosted.land("release/v0.2.0", "main", "merge");
    hosted.ci("main").finish(&[]).ok();
    hosted.repo.git(&["fetch", "--quiet", "--tags", "origin"]);
    hosted
        .repo
        .git(&["switch", "--quiet", "-c", "stable/0.2", "v0.2.0"]);
    hosted.repo.write("fix.txt", "fixed\n");
    hosted.repo.commit("fix: on the line");
    hosted
        .repo
        .git(&["push", "--quiet", "origin", "stable/0.2"]);
    hosted.clear_calls();
    hosted
        .xtask(&["release", "--pr", "patch", "--yes"])
        .ok()
        .says("opened the pull request");
    let calls = hosted.calls();
    assert!(
        calls.contains("gh pr list --state open --base stable/0.2"),
        "{calls}"
    );
    assert!(
        calls.contains(
            "gh pr create --base stable/0.2 --head release/v0.2.1 --title chore(release): 0.2.1"
        ),
        "{calls}"
    );
    hosted.land("release/v0.2.1", "stable/0.2", "squash");
    hosted.clear_calls();
    hosted.ci("stable/0.2").finish(&[]).ok();
    assert_eq!(
        hosted.origin(&["rev-parse", "v0.2.1^{commit}"]),
        hosted.origin(&["rev-parse", "stable/0.2"])
    );
    let calls = hosted.calls();
    assert!(calls.contains("gh release create v0.2.1"), "{calls}");
    assert!(
        calls.contains("gh pr create --base stable/0.2 --head release/v0.2.1-dev"),
        "{calls}"
    );
    // main is untouched by the line's release.
    hosted.ci("main").finish(&[]).ok().says("nothing to finish");
}

#[test]
fn without_the_cli_the_print_setting_pushes_the_branch_and_prints_the_page() {
    let hosted = hosted("[forge]\nwithout_cli = \"print\"\n");
    let path = std::env::var("PATH").unwrap_or_default();
    hosted
        .repo
        .xtask_env(&["release", "--pr", "minor", "--yes"], &[("PATH", &path)])
        .ok()
        .says("`gh` is not installed")
        .says("open the pull request at https://github.com/o/r/compare/main...release/v0.2.0?expand=1")
        .says("gh pr create --base main --head release/v0.2.0 --title 'chore(release): 0.2.0' --body-file - < notes.md");
    assert_eq!(
        hosted.origin(&["log", "-1", "--format=%s", "release/v0.2.0"]),
        "chore(release): 0.2.0"
    );
}

#[test]
fn a_release_candidate_is_a_prerelease_on_the_forge_and_keeps_its_version() {
    let hosted = hosted("");
    hosted
        .xtask(&["release", "--pr", "minor", "--pre", "rc", "--yes"])
        .ok();
    hosted.land("release/v0.2.0-rc.1", "main", "rebase");
    hosted.clear_calls();
    hosted.ci("main").finish(&[]).ok();
    let calls = hosted.calls();
    assert!(
        calls.contains("gh release create v0.2.0-rc.1 --verify-tag --title 0.2.0-rc.1 --prerelease --notes-file -"),
        "{calls}"
    );
    assert!(
        !calls.contains("gh pr create"),
        "a pre-release has no development step: {calls}"
    );
}

#[test]
fn push_mode_commits_the_development_version_where_ci_may_push() {
    let hosted = hosted("[release]\npr_dev = \"push\"\n");
    // This project's main is not protected.
    std::fs::remove_file(hosted.origin.path().join("hooks/pre-receive")).unwrap();
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    hosted.land("release/v0.2.0", "main", "squash");
    let merged = hosted.origin(&["rev-parse", "main"]);
    hosted
        .ci("main")
        .finish(&[])
        .ok()
        .says("pushed the next development version");
    assert_eq!(hosted.origin(&["rev-parse", "main~1"]), merged);
    assert_eq!(hosted.origin(&["show", "main:VERSION"]), "0.2.1-dev");
    assert_eq!(hosted.origin(&["rev-parse", "v0.2.0^{commit}"]), merged);
}

#[test]
fn release_pr_refuses_what_cannot_work_and_changes_nothing() {
    // The remote already has the tag (released from elsewhere).
    let hosted = hosted("");
    hosted
        .repo
        .git(&["tag", "--annotate", "v0.2.0", "-m", "elsewhere"]);
    hosted.repo.git(&["push", "--quiet", "origin", "v0.2.0"]);
    hosted.repo.git(&["tag", "--delete", "v0.2.0"]);
    let before = hosted.everything();
    hosted
        .xtask(&["release", "--pr", "minor", "--yes"])
        .fails(1)
        .says("tag v0.2.0 already exists on origin");
    assert_eq!(hosted.everything(), before);
    assert!(!hosted.calls().contains("pr create"));

    // A branch of that name that is not a release pull request's.
    let hosted = self::hosted("");
    hosted.repo.git(&[
        "push",
        "--quiet",
        "origin",
        "main:refs/heads/release/v0.2.0",
    ]);
    let before = hosted.origin_refs();
    hosted
        .xtask(&["release", "--pr", "minor", "--yes"])
        .fails(1)
        .says("origin already has a branch release/v0.2.0 that is not a release pull request's")
        .says("git push origin --delete release/v0.2.0");
    assert_eq!(hosted.origin_refs(), before);

    // Templates that make names git or the hooks refuse; shell syntax in a name is data.
    for (template, said) in [
        (
            "release/{{ tag }}..x",
            "git does not accept as a branch name",
        ),
        (
            "rel/$(touch${IFS}pwned)/{{ tag }}",
            "which the hooks refuse",
        ),
    ] {
        let hosted = self::hosted(&format!("[release]\npr_branch = \"{template}\"\n"));
        let before = hosted.origin_refs();
        hosted
            .xtask(&["release", "--pr", "minor", "--yes"])
            .fails(1)
            .says(said);
        assert_eq!(hosted.origin_refs(), before, "{template}");
        assert!(!hosted.repo.path().join("pwned").exists());
    }
}

#[test]
fn two_release_prs_racing_open_one_pull_request() {
    let hosted = hosted("");
    let path = hosted.path_env();
    let spawn = || {
        let mut command = hosted.repo.command(
            crate::support::xtask_bin(),
            &["release", "--pr", "minor", "--yes"],
        );
        command
            .env("PATH", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        crate::support::spawn(&mut command)
    };
    let (a, b) = (spawn(), spawn());
    let codes: Vec<i32> = [a, b]
        .into_iter()
        .map(|child| {
            child
                .wait_with_output()
                .unwrap()
                .status
                .code()
                .unwrap_or(-1)
        })
        .collect();
    assert!(codes.contains(&0), "{codes:?}");
    assert!(codes.iter().all(|c| *c == 0 || *c == 1), "{codes:?}");
    let calls = hosted.calls();
    assert!(
        calls.matches("gh pr create").count() <= 1,
        "one pull request at most:\n{calls}"
    );
    assert_eq!(
        hosted.origin(&["log", "-1", "--format=%s", "release/v0.2.0"]),
        "chore(release): 0.2.0"
    );
}

/// The stand-in `glab`: logs its calls and what it reads (`--notes-file -`); `mr list` answers with no merge
/// request.
const GLAB: &str = r#"#!/bin/sh
state="$(dirname "$0")"
{ printf 'glab'; for a in "$@"; do printf ' %s' "$a"; done; printf '\n'; } >> "$state/calls.log"
case " $* " in
  *" --notes-file - "*) printf '<<<\n%s\n>>>\n' "$(cat)" >> "$state/calls.log";;
esac
case "$1 $2" in
  "mr list") echo "[]";;
  "mr create") echo "https://gitlab.com/o/r/-/merge_requests/3";;
esac
exit 0
"#;

#[test]
fn gitlab_through_glab_and_through_push_options() {
    let hosted = hosted("[forge]\nkind = \"gitlab\"\n");
    write_executable(&hosted.bin.path().join("glab"), GLAB.as_bytes());
    hosted
        .xtask(&["release", "--pr", "minor", "--yes"])
        .ok()
        .says("opened the merge request: https://gitlab.com/o/r/-/merge_requests/3");
    let calls = hosted.calls();
    assert!(
        calls.contains("glab mr list --target-branch main --output json"),
        "{calls}"
    );
    assert!(
        calls.contains("glab mr create --yes --target-branch main --source-branch release/v0.2.0 --title chore(release): 0.2.0 --description ### Added"),
        "the notes are the description: {calls}"
    );
    hosted.land("release/v0.2.0", "main", "merge");
    hosted.ci("main").finish(&[]).ok();
    let calls = hosted.calls();
    assert!(
        calls.contains("glab release create v0.2.0 --name 0.2.0 --notes-file -"),
        "{calls}"
    );
    assert!(
        stdin_of(&calls, "glab release create").contains("### Added"),
        "the notes on standard input: {calls}"
    );

    // Without glab: the merge request comes from git's push options, which the server receives.
    let hosted = self::hosted("[forge]\nkind = \"gitlab\"\nwithout_cli = \"print\"\n");
    hosted.origin(&["config", "receive.advertisePushOptions", "true"]);
    let log = hosted.origin.path().join("push-options.log");
    write_executable(
        &hosted.origin.path().join("hooks/post-receive"),
        format!(
            "#!/bin/sh\ni=0\nwhile [ $i -lt \"${{GIT_PUSH_OPTION_COUNT:-0}}\" ]; do eval \"echo \\$GIT_PUSH_OPTION_$i\" >> '{}'; i=$((i + 1)); done\n",
            log.display()
        )
        .as_bytes(),
    );
    let path = std::env::var("PATH").unwrap_or_default();
    hosted
        .repo
        .xtask_env(&["release", "--pr", "minor", "--yes"], &[("PATH", &path)])
        .ok()
        .says("`glab` is not installed");
    let options = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        options,
        "merge_request.create\nmerge_request.target=main\nmerge_request.title=chore(release): 0.2.0\n"
    );
}

#[test]
fn release_pr_and_finish_speak_json_for_scripts() {
    let hosted = hosted("");
    let run = hosted
        .xtask(&["release", "--pr", "minor", "--yes", "--format", "json"])
        .ok();
    let object: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(object["version"], "0.2.0");
    assert_eq!(object["tags"], serde_json::json!(["v0.2.0"]));
    assert_eq!(object["branch"], "release/v0.2.0");
    assert_eq!(object["request"], "https://github.com/o/r/pull/12");
    assert_eq!(object["refreshed"], false);
    hosted.land("release/v0.2.0", "main", "merge");
    let ci = hosted.ci("main");
    let output = ci.repo.path().join("github-output");
    let run = ci
        .repo
        .xtask_env(
            &["release", "--finish", "--yes", "--format", "json"],
            &[
                ("PATH", ci.path.as_str()),
                ("GITHUB_REF_NAME", "main"),
                ("GITHUB_OUTPUT", output.to_str().unwrap()),
            ],
        )
        .ok();
    let object: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(object["tag"], "v0.2.0");
    assert_eq!(object["release"], true);
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "released=true\ntags=v0.2.0\nversion=0.2.0\ntag=v0.2.0\n"
    );
    assert_eq!(object["tags"], serde_json::json!(["v0.2.0"]));
}

/// `compiler` and `runtime` at 3.1.0 (tagged `NAME-v3.1.0`), a fix of one and a feature of the other since.
/// Unlike [`crate::support::two_python_packages`], they do not share `X.Y`: each gets the release its commits
/// call for.
fn two_packages() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[tag]\nformat = \"{{ package }}-v{{ version }}\"\n\n[packages.compiler]\nfiles = [\"compiler/pyproject.toml\"]\n\n[packages.runtime]\nfiles = [\"runtime/pyproject.toml\"]\n",
    );
    for name in ["compiler", "runtime"] {
        repo.write(
            &format!("{name}/pyproject.toml"),
            &format!("[project]\nname = \"{name}\"\nversion = \"3.1.0\"\n"),
        );
        repo.write(&format!("{name}/CHANGELOG.md"), "# Changelog\n");
        repo.write(&format!("{name}/src.py"), "x = 1\n");
    }
    repo.commit("chore: initial");
    repo.tag("compiler-v3.1.0");
    repo.tag("runtime-v3.1.0");
    repo.write("compiler/src.py", "x = 2\n");
    repo.commit("fix(compiler): x is two");
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    repo
}

#[test]
fn packages_released_together_go_through_one_pull_request_and_get_a_tag_and_release_each() {
    let repo = two_packages();
    let hosted = host(repo, &["compiler-v3.1.0", "runtime-v3.1.0"]);

    hosted
        .xtask(&["release", "--pr", "--yes"])
        .ok()
        .says("opened the pull request");
    let calls = hosted.calls();
    let body = stdin_of(&calls, "gh pr create");
    assert!(
        body.contains("## compiler 3.1.1") && body.contains("x is two"),
        "{body}"
    );
    assert!(
        body.contains("## runtime 3.2.0") && body.contains("x is three"),
        "{body}"
    );
    let branch = calls
        .lines()
        .find(|l| l.starts_with("gh pr create"))
        .and_then(|l| l.split(" --head ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_string();
    hosted.land(&branch, "main", "squash");
    hosted.clear_calls();
    hosted.ci("main").finish(&[]).ok();
    let squash = hosted.origin(&["rev-parse", "main"]);
    for tag in ["compiler-v3.1.1", "runtime-v3.2.0"] {
        assert_eq!(
            hosted.origin(&["rev-parse", &format!("{tag}^{{commit}}")]),
            squash,
            "{tag}"
        );
    }
    let calls = hosted.calls();
    assert!(
        calls.contains("gh release create compiler-v3.1.1 --verify-tag --title 3.1.1"),
        "{calls}"
    );
    assert!(
        calls.contains("gh release create runtime-v3.2.0 --verify-tag --title 3.2.0"),
        "{calls}"
    );
    assert!(
        stdin_of(&calls, "gh release create runtime-v3.2.0").contains("x is three"),
        "{calls}"
    );
    // One development pull request for both.
    assert_eq!(calls.matches("gh pr create").count(), 1, "{calls}");
    let dev = calls
        .lines()
        .find(|l| l.starts_with("gh pr create"))
        .and_then(|l| l.split(" --head ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .to_string();
    let version = |pkg: &str| hosted.origin(&["show", &format!("{dev}:{pkg}/pyproject.toml")]);
    assert!(
        version("compiler").contains("3.1.2.dev0"),
        "{}",
        version("compiler")
    );
    assert!(
        version("runtime").contains("3.2.1.dev0"),
        "{}",
        version("runtime")
    );
}

#[test]
fn check_names_release_through_review_settings_it_would_refuse() {
    let repo = project(
        "[release]\npr_dev = \"later\"\npr_branch = \"rel/x/{{ tag }}\"\n\n[forge]\nwithout_cli = \"maybe\"\n",
    );
    repo.xtask(&["check"])
        .fails(1)
        .says("release.pr_dev = \"later\" is not a choice")
        .says("forge.without_cli = \"maybe\" is not a choice")
        .says("release.pr_branch gives rel/x/v1.2.3, which the hooks refuse");
}

#[test]
fn release_pr_in_a_terminal_asks_the_version_and_before_opening() {
    let hosted = hosted("");
    let mut command = hosted
        .repo
        .command(crate::support::xtask_bin(), &["release", "--pr"]);
    command
        .stdin(std::process::Stdio::inherit())
        .env("TERM", "xterm")
        .env("PATH", hosted.path_env());
    let mut session = crate::support::spawn_in_terminal(command);
    let press = |session: &mut rexpect::session::PtySession, keys: &str| {
        std::thread::sleep(std::time::Duration::from_millis(150));
        session.send(keys).unwrap();
        session.flush().unwrap();
    };
    session.exp_string("Release which version?").unwrap();
    session.exp_string("to move, enter to select").unwrap();
    press(&mut session, "\r");
    session.exp_string("Edit the release notes first?").unwrap();
    press(&mut session, "n\r");
    session
        .exp_string("Open a pull request releasing 0.2.0 as v0.2.0?")
        .unwrap();
    press(&mut session, "y\r");
    session.exp_string("opened the pull request").unwrap();
    session.exp_eof().unwrap();
    assert_eq!(
        hosted.origin(&["log", "-1", "--format=%s", "release/v0.2.0"]),
        "chore(release): 0.2.0"
    );
}

#[test]
fn a_protected_push_of_packages_is_taken_back_too() {
    let hosted = host(two_packages(), &["compiler-v3.1.0", "runtime-v3.1.0"]);
    let before = hosted.everything();
    hosted
        .xtask(&["release", "-p", "compiler", "patch", "--yes", "--push"])
        .fails(1)
        .says("main is protected there")
        .says("cargo xtask release --pr");
    assert_eq!(hosted.everything(), before);
}

#[test]
fn finish_dry_run_prints_the_plan_and_asks_nobody() {
    let hosted = hosted("");
    hosted.xtask(&["release", "--pr", "minor", "--yes"]).ok();
    hosted.land("release/v0.2.0", "main", "merge");
    let before = hosted.origin_refs();
    hosted.clear_calls();
    let ci = hosted.ci("main");
    ci.repo
        .xtask_env(
            &["release", "--finish", "--dry-run"],
            &[("PATH", ci.path.as_str()), ("GITHUB_REF_NAME", "main")],
        )
        .ok()
        .says("Finish the release of 0.2.0 (dry run: nothing is changed)")
        .says("tag: v0.2.0 on")
        .says("GitHub release: v0.2.0")
        .says("development version 0.2.1-dev: \"chore: start 0.2.1-dev development\" in a pull request from release/v0.2.0-dev")
        .says("Release notes:");
    assert_eq!(hosted.calls(), "", "a dry run asks no forge");
    assert_eq!(hosted.origin_refs(), before);
    assert!(!ci.repo.git(&["tag", "--list"]).contains("v0.2.0"));
}
