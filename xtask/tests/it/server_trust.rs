//! Rules nobody can route around (issue #29): the server's hook over a real transport (`git daemon` on
//! 127.0.0.1) refuses replace refs, a second tag for a released version, fake merges and forged taggers;
//! `release.signers` makes pre-push, pre-receive and `verify` require a release tag signed by a listed key;
//! `verify` judges a range as the server would, with the hooks' words.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::support::{self, Repo, Run};

/// A PEP 440 project (its tags are spelled `v0.2.0rc1`) whose messages must be conventional and whose
/// releases only test@example.com (the tests' identity) may tag.
const CONFIG: &str = "[version]\nfiles = [\"pyproject.toml\"]\n\n[commits]\nconventional = \"deny\"\n\n[release]\nmaintainers = [\"test@example.com\"]\n";

fn pyproject(version: &str) -> String {
    format!("[project]\nname = \"demo\"\nversion = \"{version}\"\n")
}

fn git_in(repo: &Repo, dir: &Path, args: &[&str]) -> Run {
    let mut command = repo.command("git", args);
    command.current_dir(dir);
    support::run(command)
}

/// Every ref of a bare repository, read there.
fn refs_of(repo: &Repo, bare: &Path) -> String {
    git_in(
        repo,
        bare,
        &["for-each-ref", "--format=%(refname) %(objectname)"],
    )
    .ok()
    .stdout
}

/// `git daemon` serving `base` on 127.0.0.1, pushes allowed; stopped (killed and reaped) when dropped.
struct Daemon {
    child: Child,
    port: u16,
}

impl Daemon {
    fn start(repo: &Repo, base: &Path) -> Daemon {
        // A free port: the system picks one, the listener lets it go, the daemon takes it.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = repo.command(
            "git",
            &[
                "daemon",
                "--enable=receive-pack",
                "--export-all",
                "--reuseaddr",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.display()),
                &base.display().to_string(),
            ],
        );
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let child = support::spawn(&mut command);
        let daemon = Daemon { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        daemon
    }

    fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client at 0.2.0rc1, released as `v0.2.0rc1`, and a bare server (`server.git` in its own folder)
/// holding both, with the kit's server hooks installed and the policy pinned from `main`.
fn released_server(config: &str) -> (Repo, TempDir) {
    let repo = Repo::new();
    repo.write("xtask.toml", config);
    repo.write("pyproject.toml", &pyproject("0.2.0rc1"));
    repo.commit("chore: initial import");
    repo.tag("v0.2.0rc1");
    let base = TempDir::new().unwrap();
    let bare = base.path().join("server.git");
    repo.git(&[
        "init",
        "--quiet",
        "--bare",
        "--initial-branch=main",
        bare.to_str().unwrap(),
    ]);
    repo.git(&[
        "push",
        "--quiet",
        bare.to_str().unwrap(),
        "main",
        "v0.2.0rc1",
    ]);
    repo.xtask(&["hooks", "install", "--server", bare.to_str().unwrap()])
        .ok()
        .says("pre-receive: installed");
    (repo, base)
}

/// Writes an object with `git hash-object -w` (any content, as a hostile client would) and returns its id.
fn object(repo: &Repo, kind: &str, text: &str) -> String {
    let mut command = repo.command(
        "git",
        &["hash-object", "-t", kind, "-w", "--literally", "--stdin"],
    );
    command.stdin(Stdio::piped());
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A commit object with these parents and message, on `main`'s tree.
fn raw_commit(repo: &Repo, parents: &[&str], message: &str) -> String {
    let tree = repo.git(&["rev-parse", "main^{tree}"]);
    let mut text = format!("tree {tree}\n");
    for parent in parents {
        text.push_str(&format!("parent {parent}\n"));
    }
    text.push_str("author Test User <test@example.com> 1704067200 +0000\n");
    text.push_str("committer Test User <test@example.com> 1704067200 +0000\n\n");
    text.push_str(message);
    object(repo, "commit", &text)
}

#[test]
fn the_server_over_git_daemon_refuses_every_way_around_its_rules() {
    let (repo, base) = released_server(CONFIG);
    let bare = base.path().join("server.git");
    let daemon = Daemon::start(&repo, base.path());
    let url = daemon.url("server.git");
    let main = repo.git(&["rev-parse", "main"]);

    // The transport works: a good commit goes through, judged by the hook.
    repo.write("notes.txt", "one\n");
    repo.commit("docs: a note");
    repo.git(&["push", "--quiet", "--no-verify", &url, "main"]);
    let main = {
        let pushed = repo.git(&["rev-parse", "main"]);
        assert_ne!(pushed, main);
        pushed
    };
    let before = refs_of(&repo, &bare);
    assert!(
        before.contains(&format!("refs/heads/main {main}")),
        "{before}"
    );

    let refused = |args: &[&str], words: &[&str]| {
        let mut all = vec!["push", "--no-verify", url.as_str()];
        all.extend_from_slice(args);
        let run = repo.try_git(&all);
        assert_ne!(run.code, 0, "{args:?} was accepted:\n{}", run.stderr);
        for word in words {
            assert!(
                run.stderr.contains(word),
                "{args:?}: no {word:?} in\n{}",
                run.stderr
            );
        }
        assert_eq!(refs_of(&repo, &bare), before, "{args:?} changed the server");
    };

    // refs/replace/: a non-conventional commit, and a replace ref that would make it read as a good one
    // (whose object the server has: it came on a branch, since deleted).
    let wip = raw_commit(&repo, &[&main], "wip\n");
    let good = raw_commit(&repo, &[&main], "fix: looks fine\n");
    repo.git(&[
        "push",
        "--quiet",
        "--no-verify",
        &url,
        &format!("{good}:refs/heads/fix/tmp"),
    ]);
    repo.git(&[
        "push",
        "--quiet",
        "--no-verify",
        &url,
        ":refs/heads/fix/tmp",
    ]);
    assert_eq!(refs_of(&repo, &bare), before);
    let replace = format!("{good}:refs/replace/{wip}");
    refused(
        &[&replace],
        &[
            "policy.replace_refs: pushing refs/replace/",
            "a replace ref makes git show",
        ],
    );
    // Even with a replace ref already on the server (planted by hand), the hook reads the commit itself.
    git_in(
        &repo,
        &bare,
        &["update-ref", &format!("refs/replace/{wip}"), &good],
    )
    .ok();
    let planted = refs_of(&repo, &bare);
    let push_wip = format!("{wip}:refs/heads/main");
    let run = repo.try_git(&["push", "--no-verify", &url, &push_wip]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "commits.conventional: commit {}: subject line `wip`",
            &wip[..7]
        )),
        "{}",
        run.stderr
    );
    assert_eq!(refs_of(&repo, &bare), planted);
    git_in(
        &repo,
        &bare,
        &["update-ref", "-d", &format!("refs/replace/{wip}")],
    )
    .ok();
    assert_eq!(refs_of(&repo, &bare), before);

    // A version is one value: v0.2.0rc1 is released, no other spelling of it may be tagged.
    for alias in ["v0.2.0-rc.1", "v0.2.0.rc1", "v0.2.0c1"] {
        repo.git(&["tag", "--annotate", alias, "-m", "again", "main"]);
        refused(
            &[alias],
            &[&format!(
                "tag.format: the version 0.2.0rc1 is already tagged as v0.2.0rc1: {alias} would be a second tag for it"
            )],
        );
        repo.git(&["tag", "--delete", alias]);
    }

    // A merge is known by its parents: the same parent twice, or a `Merge` subject on one parent, is none.
    let twice = raw_commit(&repo, &[&main, &main], "wip: not a merge\n");
    refused(
        &[&format!("{twice}:refs/heads/main")],
        &[&format!(
            "commit {}: subject line `wip: not a merge`",
            &twice[..7]
        )],
    );
    let subject = raw_commit(&repo, &[&main], "Merge branch 'x' (not really)\n");
    refused(
        &[&format!("{subject}:refs/heads/main")],
        &[&format!(
            "commit {}: subject line `Merge branch 'x' (not really)` does not start with a `type: ` prefix",
            &subject[..7]
        )],
    );

    // The tagger is the tag's header, not a line of its message.
    repo.write("pyproject.toml", &pyproject("0.3.0"));
    repo.commit("chore: release 0.3.0");
    repo.git(&["push", "--quiet", "--no-verify", &url, "main"]);
    let before_tag = refs_of(&repo, &bare);
    let commit = repo.git(&["rev-parse", "main"]);
    let forged = object(
        &repo,
        "tag",
        &format!(
            "object {commit}\ntype commit\ntag v0.3.0\n\ntagger Test User <test@example.com> 1704067200 +0000\nRelease 0.3.0\n"
        ),
    );
    repo.git(&["update-ref", "refs/tags/v0.3.0", &forged]);
    let run = repo.try_git(&["push", "--no-verify", &url, "v0.3.0"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "release.maintainers: the tag v0.3.0 was made by nobody (the tag has no tagger), who is not one of release.maintainers"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(refs_of(&repo, &bare), before_tag);
    // The maintainer's own tag of the same commit goes through.
    repo.git(&["tag", "--delete", "v0.3.0"]);
    repo.tag("v0.3.0");
    repo.git(&["push", "--quiet", "--no-verify", &url, "v0.3.0"]);
    assert!(refs_of(&repo, &bare).contains("refs/tags/v0.3.0"));
    drop(daemon);
}

/// Keys made for the test: `good` is in the allowed-signers file, `bad` is not.
fn keys(repo: &Repo) -> (String, String) {
    let mut paths = Vec::new();
    for name in ["good", "bad"] {
        let path = repo.home.path().join(name);
        support::run(repo.command(
            "ssh-keygen",
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                name,
                "-f",
                path.to_str().unwrap(),
            ],
        ))
        .ok();
        paths.push(path.to_str().unwrap().to_string());
    }
    (paths.remove(0), paths.remove(0))
}

#[test]
fn release_signers_make_maintainers_proven_by_signature() {
    let repo = Repo::new();
    let (good, bad) = keys(&repo);
    let public = std::fs::read_to_string(format!("{good}.pub")).unwrap();
    repo.write(
        ".github/allowed_signers",
        &format!("test@example.com namespaces=\"git\" {public}"),
    );
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n\n[release]\nsigners = \".github/allowed_signers\"\n",
    );
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", &good]);
    repo.xtask(&["hooks", "install"]).ok();
    let base = TempDir::new().unwrap();
    let bare = base.path().join("server.git");
    let bare = bare.to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", bare]);
    repo.git(&["remote", "add", "origin", bare]);
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.xtask(&["hooks", "install", "--server", bare])
        .ok()
        .says("policy: stored");
    // The server keeps its own copy of the signers file, pinned with the policy.
    assert!(
        base.path()
            .join("server.git/xtask/allowed-signers")
            .exists()
    );
    repo.xtask(&["hooks", "status", "--server", bare])
        .ok()
        .says("release.signers        stored in ");

    let start = repo.git(&["rev-parse", "main"]);
    repo.write("VERSION.json", "{\n  \"version\": \"0.2.0\"\n}\n");
    repo.commit("chore: release 0.2.0");
    repo.git(&["push", "--quiet", "origin", "main"]);
    let before = refs_of(&repo, Path::new(bare));
    let range = format!("{start}..main");

    let check_refused = |why: &str| {
        let words = format!(
            "release.signers: the tag v0.2.0 is not signed by one of release.signers: {why}"
        );
        let client = repo.try_git(&["push", "origin", "v0.2.0"]);
        assert_ne!(client.code, 0);
        assert!(
            client.stderr.contains(&words),
            "pre-push: {}",
            client.stderr
        );
        // Refused by the client's own hook, before the server saw anything.
        assert!(!client.stderr.contains("remote:"), "{}", client.stderr);
        let server = repo.try_git(&["push", "--no-verify", "origin", "v0.2.0"]);
        assert_ne!(server.code, 0);
        assert!(
            server.stderr.contains(&words),
            "pre-receive: {}",
            server.stderr
        );
        assert!(
            server.stderr.contains("remote: error: "),
            "{}",
            server.stderr
        );
        assert_eq!(refs_of(&repo, Path::new(bare)), before);
        repo.xtask(&["verify", &range]).fails(1).says(&words);
    };
    // Unsigned, though by the right e-mail.
    repo.git(&["tag", "--annotate", "v0.2.0", "-m", "Release 0.2.0"]);
    check_refused("it is not signed");
    repo.git(&["tag", "--delete", "v0.2.0"]);
    // Signed, by a key that is not in the file.
    repo.git(&[
        "-c",
        &format!("user.signingkey={bad}"),
        "tag",
        "--sign",
        "v0.2.0",
        "-m",
        "Release 0.2.0",
    ]);
    check_refused("it is signed with a key that is not in the file");
    repo.git(&["tag", "--delete", "v0.2.0"]);

    // `release` refuses, before changing anything, to sign with a key the hooks would refuse.
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["config", "user.signingkey", &bad]);
    repo.xtask(&["release", "0.3.0", "--yes"])
        .fails(1)
        .says("is not in .github/allowed_signers: the hooks would refuse the release tag");
    repo.git(&["config", "gpg.format", "openpgp"]);
    repo.xtask(&["release", "0.3.0", "--yes"])
        .fails(1)
        .says("but git's gpg.format is \"openpgp\": git config gpg.format ssh");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert!(
        repo.try_git(&["rev-parse", "--verify", "--quiet", "v0.3.0"])
            .code
            != 0
    );
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", &format!("{good}.pub")]);
    // `release` signs its tag with the user's own key; pre-push, pre-receive and verify accept it.
    repo.xtask(&["release", "0.3.0", "--yes"]).ok();
    assert!(
        repo.git(&["cat-file", "tag", "v0.3.0"])
            .contains("BEGIN SSH SIGNATURE")
    );
    repo.xtask(&["verify", &format!("{start}..main")])
        .ok()
        .says("nothing refused");
    repo.git(&["push", "--quiet", "origin", "main", "v0.3.0"]);
    assert!(refs_of(&repo, Path::new(bare)).contains("refs/tags/v0.3.0"));
}

#[test]
fn a_pushed_signers_file_does_not_change_the_servers() {
    let repo = Repo::new();
    let (good, bad) = keys(&repo);
    let public = std::fs::read_to_string(format!("{good}.pub")).unwrap();
    repo.write(
        ".github/allowed_signers",
        &format!("test@example.com namespaces=\"git\" {public}"),
    );
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n\n[release]\nsigners = \".github/allowed_signers\"\n",
    );
    repo.write("VERSION.json", "{\n  \"version\": \"0.2.0\"\n}\n");
    repo.commit("chore: initial import");
    let base = TempDir::new().unwrap();
    let bare = base.path().join("server.git");
    let bare = bare.to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", bare]);
    repo.git(&["push", "--quiet", bare, "main"]);
    repo.xtask(&["hooks", "install", "--server", bare]).ok();
    // The attacker's key, committed as a signer and pushed: the server keeps judging by its own copy.
    let attacker = std::fs::read_to_string(format!("{bad}.pub")).unwrap();
    repo.write(
        ".github/allowed_signers",
        &format!("test@example.com namespaces=\"git\" {attacker}"),
    );
    repo.commit("chore: trust me");
    repo.git(&["push", "--quiet", bare, "main"]);
    repo.git(&[
        "-c",
        "gpg.format=ssh",
        "-c",
        &format!("user.signingkey={bad}"),
        "tag",
        "--sign",
        "v0.2.0",
        "-m",
        "Release 0.2.0",
        "main~1",
    ]);
    let run = repo.try_git(&["push", bare, "v0.2.0"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("release.signers: the tag v0.2.0 is not signed by one of release.signers"),
        "{}",
        run.stderr
    );
    // A signers file edited on the server by hand no longer matches its record: every push is refused.
    std::fs::write(
        base.path().join("server.git/xtask/allowed-signers"),
        attacker,
    )
    .unwrap();
    let run = repo.try_git(&["push", bare, "v0.2.0"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("its stored signers file cannot be used")
            && run.stderr.contains("does not match the hash recorded"),
        "{}",
        run.stderr
    );
    repo.xtask(&["hooks", "status", "--server", bare])
        .says("release.signers        unusable, pre-receive refuses every push");
}

/// A repository whose messages must be conventional, with a release at 0.1.0, a bare `origin` and the
/// client's hooks; `main` is at `start` afterwards.
fn verify_project() -> (Repo, TempDir, String) {
    let repo = support::conventional_json_project("");
    let bare = TempDir::new().unwrap();
    let path = bare.path().to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", path]);
    repo.git(&["push", "--quiet", path, "main", "v0.1.0"]);
    repo.xtask(&["hooks", "install", "--server", path]).ok();
    let start = repo.git(&["rev-parse", "main"]);
    (repo, bare, start)
}

#[test]
fn verify_judges_a_range_as_the_server_does_with_its_words() {
    let (repo, bare, start) = verify_project();
    let server = bare.path().to_str().unwrap();
    // A clean range.
    repo.git(&["switch", "--quiet", "--create", "feature/x"]);
    repo.write("a.txt", "a\n");
    repo.commit("feat: a");
    repo.xtask(&["verify", "main..feature/x"])
        .ok()
        .says("verified main..feature/x, 1 commit, branch feature/x: nothing refused");

    // Each rule's violation, refused by verify with the words the server's hook uses.
    let same_words = |range: &str, push: &[&str], words: &str| {
        let verify = repo.xtask(&["verify", range]).fails(1).says(words);
        let mut args = vec!["push", "--no-verify", server];
        args.extend_from_slice(push);
        let hook = repo.try_git(&args);
        assert_ne!(hook.code, 0, "the server accepted {push:?}");
        assert!(hook.stderr.contains(words), "pre-receive: {}", hook.stderr);
        verify
    };
    repo.git(&["switch", "--quiet", "--create", "wip-stuff", &start]);
    repo.commit("wip");
    let wip = repo.git(&["rev-parse", "HEAD"]);
    same_words(
        "main..wip-stuff",
        &["wip-stuff"],
        &format!(
            "commits.conventional: commit {}: subject line `wip` does not start",
            &wip[..7]
        ),
    );
    same_words("main..wip-stuff", &["wip-stuff"], "branches.allowed: ");
    // A fake merge.
    let tree = repo.git(&["rev-parse", "main^{tree}"]);
    let fake = repo.git(&["commit-tree", &tree, "-p", &start, "-m", "Merge branch 'x'"]);
    repo.git(&["branch", "fix/fake", &fake]);
    same_words(
        "main..fix/fake",
        &["fix/fake"],
        &format!("commit {}: subject line `Merge branch 'x'`", &fake[..7]),
    );
    // A lightweight release tag, and a tag whose version the files do not say.
    repo.git(&["switch", "--quiet", "main"]);
    repo.commit("fix: one");
    repo.git(&["tag", "v0.1.1"]);
    same_words(
        "v0.1.0..main",
        &["main", "v0.1.1"],
        "tag.annotated: the release tag v0.1.1 is lightweight",
    );
    repo.git(&["tag", "--delete", "v0.1.1"]);
    repo.tag("v0.1.1");
    let run = same_words(
        "v0.1.0..main",
        &["main", "v0.1.1"],
        "tag.version: the tag v0.1.1 says 0.1.1 but the version files at",
    );
    // In GitHub Actions, every refusal is an annotation too.
    let annotated = repo.xtask_env(&["verify", "v0.1.0..main"], &[("GITHUB_ACTIONS", "true")]);
    assert_eq!(annotated.code, 1);
    assert!(
        annotated
            .stdout
            .lines()
            .any(|l| l.starts_with("::error ::tag.version: the tag v0.1.1 says 0.1.1")),
        "{}",
        annotated.stdout
    );
    assert!(!run.stdout.contains("::error"), "{}", run.stdout);

    // Usage errors: exit 2, and nothing to judge outside CI without a range.
    repo.xtask(&["verify", "HEAD"])
        .fails(2)
        .says("is not a range");
    repo.xtask(&["verify", "nope..HEAD"])
        .fails(2)
        .says("\"nope\" does not name a commit");
    repo.xtask_env(&["verify"], &[("GITHUB_ACTIONS", "")])
        .fails(2)
        .says("name the range to verify");
    // A pull request's event names the range: its base branch up to HEAD, its branch by name.
    repo.git(&["switch", "--quiet", "feature/x"]);
    repo.xtask_env(
        &["verify"],
        &[
            ("GITHUB_BASE_REF", "main"),
            ("GITHUB_HEAD_REF", "feature/x"),
        ],
    )
    .ok()
    .says("branch feature/x: nothing refused");
    repo.xtask_env(
        &["verify"],
        &[
            ("GITHUB_BASE_REF", "main"),
            ("GITHUB_HEAD_REF", "wip-stuff"),
        ],
    )
    .fails(1)
    .says("branches.allowed: ");
    // HEAD's branch is the branch judged; an option is no revision.
    repo.git(&["switch", "--quiet", "wip-stuff"]);
    repo.xtask(&["verify", "main..HEAD"])
        .fails(1)
        .says("branches.allowed: ");
    repo.xtask(&["verify", "--", "--all..HEAD"])
        .fails(2)
        .says("starts with `-`");

    // A push event: the event's `before` up to HEAD, on GITHUB_REF's branch.
    repo.git(&["switch", "--quiet", "main"]);
    let event = repo.home.path().join("event.json");
    std::fs::write(&event, format!("{{\"before\": \"{start}\"}}")).unwrap();
    let event = event.to_str().unwrap();
    repo.xtask_env(
        &["verify"],
        &[
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_EVENT_PATH", event),
        ],
    )
    .fails(1)
    .says(&format!(
        "verify {start}..HEAD, 1 commit, branch main, 1 tag(s): 1 refused"
    ))
    .says("tag.version: the tag v0.1.1 says 0.1.1");
    // A tag push: the tag itself.
    repo.xtask_env(&["verify"], &[("GITHUB_REF", "refs/tags/v0.1.1")])
        .fails(1)
        .says("verify refs/tags/v0.1.1, 1 commit, 1 tag(s): 1 refused")
        .says("tag.version: the tag v0.1.1 says 0.1.1");
    repo.xtask_env(&["verify"], &[("GITHUB_REF", "refs/tags/v0.1.0")])
        .ok()
        .says("nothing refused");
}

#[test]
fn verify_help_ends_with_examples() {
    let repo = Repo::new();
    let help = repo.xtask(&["verify", "--help"]).ok();
    assert!(
        help.stdout
            .trim_end()
            .ends_with("cargo xtask verify            # in GitHub Actions"),
        "{}",
        help.stdout
    );
}

#[test]
fn a_replace_ref_does_not_fool_pre_push_or_verify() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    let start = repo.git(&["rev-parse", "main"]);
    repo.xtask(&["hooks", "install"]).ok();
    let bare = TempDir::new().unwrap();
    let path = bare.path().to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", path]);
    repo.git(&["remote", "add", "origin", path]);
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.xtask(&["hooks", "install", "--server", path]).ok();

    // The commit to tag says 0.1.0; a replacement that says 0.2.0 stands in for it locally.
    repo.write("notes.txt", "no version change\n");
    repo.commit("chore: release 0.2.0");
    let real = repo.git(&["rev-parse", "main"]);
    repo.git(&["switch", "--quiet", "--create", "fix/stand-in", &start]);
    repo.write("VERSION.json", "{\n  \"version\": \"0.2.0\"\n}\n");
    repo.commit("chore: release 0.2.0");
    let stand_in = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["switch", "--quiet", "main"]);
    repo.git(&["replace", &real, &stand_in]);
    // git itself now shows the stand-in's files at the real commit.
    assert!(
        repo.git(&["show", &format!("{real}:VERSION.json")])
            .contains("0.2.0")
    );
    repo.tag("v0.2.0");

    let words = format!(
        "tag.version: the tag v0.2.0 says 0.2.0 but the version files at {} say 0.1.0",
        &real[..7]
    );
    let before = refs_of(&repo, bare.path());
    let client = repo.try_git(&["push", "origin", "main", "v0.2.0"]);
    assert_ne!(client.code, 0);
    assert!(
        client.stderr.contains(&words),
        "pre-push: {}",
        client.stderr
    );
    // Refused by the client's own hook, before the server saw anything.
    assert!(!client.stderr.contains("remote:"), "{}", client.stderr);
    let server = repo.try_git(&["push", "--no-verify", "origin", "main", "v0.2.0"]);
    assert_ne!(server.code, 0);
    assert!(
        server.stderr.contains(&words),
        "pre-receive: {}",
        server.stderr
    );
    assert!(
        server.stderr.contains("remote: error: "),
        "{}",
        server.stderr
    );
    repo.xtask(&["verify", &format!("{start}..main")])
        .fails(1)
        .says(&words);
    // Nor can the replacement itself be pushed.
    let replace = format!("refs/replace/{real}");
    let run = repo.try_git(&["push", "--no-verify", "origin", &replace]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("policy.replace_refs: pushing refs/replace/"),
        "{}",
        run.stderr
    );
    assert_eq!(refs_of(&repo, bare.path()), before);
}

#[test]
fn check_names_a_missing_signers_file() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n\n[release]\nsigners = \"keys/allowed_signers\"\n",
    );
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    repo.xtask(&["check"])
        .fails(1)
        .says("release.signers: keys/allowed_signers does not exist");
    repo.write("keys/allowed_signers", "");
    repo.xtask(&["check"]).ok();
    // A path outside the repository is no signers file.
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n\n[release]\nsigners = \"../allowed_signers\"\n",
    );
    repo.xtask(&["check"])
        .fails(1)
        .says("release.signers: \"../allowed_signers\" leaves the repository");
}
