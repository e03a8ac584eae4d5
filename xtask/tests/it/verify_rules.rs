//! `xtask verify` refuses each release-tag rule's violation with the words the server's pre-receive hook
//! uses for it (each case is pushed to a bare repository with the server hook too): a tag on a branch that
//! is no release branch for its version (another line's), a second tag for a version, a tagger who is not a
//! maintainer, and, from a CI event, a release tag moved or deleted. The commit-message, branch-name,
//! lightweight-tag, version and signer rules are in `server_trust`.

use tempfile::TempDir;

use crate::support::{self, Repo, Run};

/// A project at 0.1.0, released (`v0.1.0`), whose maintainer is the tests' identity, on a bare server with
/// the server hook; `main` pushed.
fn project() -> (Repo, TempDir, String) {
    let repo =
        support::conventional_json_project("\n[release]\nmaintainers = [\"test@example.com\"]\n");
    let bare = TempDir::new().unwrap();
    let path = bare.path().to_str().unwrap().to_string();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", &path]);
    repo.git(&["push", "--quiet", &path, "main", "v0.1.0"]);
    repo.xtask(&["hooks", "install", "--server", &path]).ok();
    (repo, bare, path)
}

/// `verify RANGE` and the server's hook (on `push`, client hooks skipped) both refuse with `words`; the
/// server's refs are unchanged.
#[track_caller]
fn both_refuse(repo: &Repo, server: &str, range: &str, push: &[&str], words: &str) -> Run {
    let refs = repo.git(&["--git-dir", server, "for-each-ref"]);
    let verify = repo.xtask(&["verify", range]).fails(1).says(words);
    let mut args = vec!["push", "--no-verify", server];
    args.extend_from_slice(push);
    let hook = repo.try_git(&args);
    assert_ne!(hook.code, 0, "the server accepted {push:?}");
    assert!(hook.stderr.contains(words), "pre-receive: {}", hook.stderr);
    assert_eq!(repo.git(&["--git-dir", server, "for-each-ref"]), refs);
    verify
}

fn release_commit(repo: &Repo, version: &str) {
    repo.write(
        "VERSION.json",
        &format!("{{\n  \"version\": \"{version}\"\n}}\n"),
    );
    repo.commit(&format!("chore: release {version}"));
}

#[test]
fn verify_refuses_a_tag_on_another_line_a_second_tag_and_a_tagger_who_is_no_maintainer() {
    let (repo, _bare, server) = project();
    let start = repo.git(&["rev-parse", "main"]);

    // 0.2.0 tagged on the 0.1 line's branch: no release branch for 0.2.0 contains it.
    repo.git(&["switch", "--quiet", "--create", "stable/0.1", "v0.1.0"]);
    release_commit(&repo, "0.2.0");
    repo.tag("v0.2.0");
    let commit = repo.git(&["rev-parse", "HEAD"]);
    both_refuse(
        &repo,
        &server,
        "v0.1.0..stable/0.1",
        &["stable/0.1", "v0.2.0"],
        &format!(
            "release.branches: the tag v0.2.0 is on {}, which no release branch for 0.2.0 contains",
            &commit[..7]
        ),
    );
    repo.git(&["tag", "--delete", "v0.2.0"]);
    // A patch of that line is its to release.
    release_commit(&repo, "0.1.1");
    repo.tag("v0.1.1");
    repo.xtask(&["verify", "v0.1.0..stable/0.1"])
        .ok()
        .says("branch stable/0.1, 1 tag(s): nothing refused");
    repo.git(&["switch", "--quiet", "main"]);

    // A release candidate, then a second spelling of the same version.
    release_commit(&repo, "0.2.0-rc.1");
    repo.tag("v0.2.0-rc.1");
    repo.xtask(&["verify", &format!("{start}..main")])
        .ok()
        .says("nothing refused");
    repo.git(&[
        "push",
        "--quiet",
        "--no-verify",
        &server,
        "main",
        "v0.2.0-rc.1",
    ]);
    repo.tag("v0.2.0rc1");
    both_refuse(
        &repo,
        &server,
        &format!("{start}..main"),
        &["v0.2.0rc1"],
        "tag.format: the version 0.2.0-rc.1 is already tagged as v0.2.0-rc.1: v0.2.0rc1 would be a second tag for it",
    );
    repo.git(&["tag", "--delete", "v0.2.0rc1"]);

    // A tag made by someone who is not one of release.maintainers.
    let rc1 = repo.git(&["rev-parse", "main"]);
    release_commit(&repo, "0.2.0");
    let mut tag = repo.command(
        "git",
        &["tag", "--annotate", "v0.2.0", "-m", "Release 0.2.0"],
    );
    tag.env("GIT_COMMITTER_EMAIL", "intruder@example.com");
    crate::support::run(tag).ok();
    let verify = both_refuse(
        &repo,
        &server,
        &format!("{rc1}..main"),
        &["main", "v0.2.0"],
        "release.maintainers: the tag v0.2.0 was made by intruder@example.com, who is not one of release.maintainers",
    );
    verify.says("ask one of test@example.com to tag the release");
}

#[test]
fn verify_refuses_a_moved_or_deleted_release_tag_from_the_ci_event() {
    let (repo, _bare, server) = project();
    let event = |json: &str| {
        let path = repo.home.path().join("event.json");
        std::fs::write(&path, json).unwrap();
        path.to_str().unwrap().to_string()
    };
    let old = repo.git(&["rev-parse", "refs/tags/v0.1.0"]);
    let zero = "0".repeat(40);

    // A new tag pushed: judged as new (accepted here: v0.1.0 is as the rules want it).
    let new_tag = event(&format!(
        "{{\"ref\": \"refs/tags/v0.1.0\", \"before\": \"{zero}\", \"after\": \"{old}\", \"created\": true}}"
    ));
    repo.xtask_env(
        &["verify"],
        &[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/tags/v0.1.0"),
            ("GITHUB_EVENT_PATH", &new_tag),
        ],
    )
    .ok()
    .says("verified refs/tags/v0.1.0, 1 commit, 1 tag(s): nothing refused");

    // Moved to another commit (as `git tag -f` then `git push -f` would).
    repo.commit("fix: later");
    repo.git(&["push", "--quiet", "--no-verify", &server, "main"]);
    repo.git(&[
        "tag",
        "--force",
        "--annotate",
        "v0.1.0",
        "-m",
        "Release v0.1.0 again",
    ]);
    let new = repo.git(&["rev-parse", "refs/tags/v0.1.0"]);
    let moved = event(&format!(
        "{{\"ref\": \"refs/tags/v0.1.0\", \"before\": \"{old}\", \"after\": \"{new}\", \"forced\": true}}"
    ));
    let words = "tag.format: moving the release tag v0.1.0 is not allowed";
    let run = repo
        .xtask_env(
            &["verify"],
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "push"),
                ("GITHUB_REF", "refs/tags/v0.1.0"),
                ("GITHUB_EVENT_PATH", &moved),
            ],
        )
        .fails(1)
        .says(words)
        .says("a published release stays as it was; release a new version instead")
        .says("verify refs/tags/v0.1.0 moved: 1 refused");
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(&format!("::error ::{words}"))),
        "{}",
        run.stdout
    );
    let hook = repo.try_git(&["push", "--force", "--no-verify", &server, "v0.1.0"]);
    assert_ne!(hook.code, 0);
    assert!(hook.stderr.contains(words), "{}", hook.stderr);
    // Moved onto a commit whose xtask.toml says v0.1.0 is no release tag: judged by the rules of the
    // commit it was on.
    repo.git(&["switch", "--quiet", "--create", "fix/loose"]);
    repo.write(
        "xtask.toml",
        &(repo.read("xtask.toml") + "\n[tag]\nformat = \"release-{{ version }}\"\n"),
    );
    repo.commit("chore: another tag format");
    repo.git(&[
        "tag",
        "--force",
        "--annotate",
        "v0.1.0",
        "-m",
        "Release v0.1.0 elsewhere",
    ]);
    let elsewhere = repo.git(&["rev-parse", "refs/tags/v0.1.0"]);
    let loose = event(&format!(
        "{{\"ref\": \"refs/tags/v0.1.0\", \"before\": \"{old}\", \"after\": \"{elsewhere}\"}}"
    ));
    repo.xtask_env(
        &["verify"],
        &[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/tags/v0.1.0"),
            ("GITHUB_EVENT_PATH", &loose),
        ],
    )
    .fails(1)
    .says(words);
    repo.git(&["switch", "--quiet", "main"]);

    // Deleted: the push event says so, or GitHub's `delete` event names it.
    let words = "tag.format: deleting the release tag v0.1.0 is not allowed";
    let deleted = event(&format!(
        "{{\"ref\": \"refs/tags/v0.1.0\", \"before\": \"{old}\", \"after\": \"{zero}\", \"deleted\": true}}"
    ));
    repo.xtask_env(
        &["verify"],
        &[
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/tags/v0.1.0"),
            ("GITHUB_EVENT_PATH", &deleted),
        ],
    )
    .fails(1)
    .says(words)
    .says("verify refs/tags/v0.1.0 deleted: 1 refused");
    let delete_event = event("{\"ref\": \"v0.1.0\", \"ref_type\": \"tag\"}");
    repo.xtask_env(
        &["verify"],
        &[
            ("GITHUB_EVENT_NAME", "delete"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_EVENT_PATH", &delete_event),
        ],
    )
    .fails(1)
    .says(words);
    let hook = repo.try_git(&["push", "--no-verify", &server, ":refs/tags/v0.1.0"]);
    assert_ne!(hook.code, 0);
    assert!(hook.stderr.contains(words), "{}", hook.stderr);
    // Deleting a tag that is no release tag is no one's business.
    let other = event("{\"ref\": \"docs-preview\", \"ref_type\": \"tag\"}");
    repo.xtask_env(
        &["verify"],
        &[
            ("GITHUB_EVENT_NAME", "delete"),
            ("GITHUB_EVENT_PATH", &other),
        ],
    )
    .ok()
    .says("verified refs/tags/docs-preview deleted: nothing refused");
}
