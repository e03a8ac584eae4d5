//! Safety under hostile conditions: races with other processes and worktrees, damaged or outdated journals,
//! paths that lead outside the work tree, files that cannot be written, remotes that refuse, shallow clones and
//! runaway templates. Each test reproduces the situation in a throw-away repository and then looks at the
//! repository, the other worktree, the remote and the user's files, not only at the exit code.

use std::time::{Duration, Instant};

use crate::support::Repo;

/// A project with a regex version file `VERSION`, a changelog and one `feat` since `v0.1.0`.
fn project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '(?<version>\\S+)' }]\ndev = false\n",
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

fn append_config(repo: &Repo, text: &str) {
    repo.write("xtask.toml", &(repo.read("xtask.toml") + text));
    repo.commit("chore: configure");
}

#[test]
fn a_runaway_template_is_stopped_with_an_error_naming_it() {
    let repo = project();
    repo.write(
        "templates/loop.md.j2",
        "{% for i in range(10000) %}{% for j in range(10000) %}{{ i }}{% endfor %}{% endfor %}\n",
    );
    append_config(&repo, "[changelog]\ntemplate = \"templates/loop.md.j2\"\n");
    let before = repo.state();
    let started = Instant::now();
    repo.xtask(&["release", "minor", "--yes"])
        .fails(1)
        .says("templates/loop.md.j2: template error: the template does too much work");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(repo.state(), before);
    // A message template is limited the same way.
    repo.write("xtask.toml", &repo.read("xtask.toml").replace("[changelog]\ntemplate = \"templates/loop.md.j2\"\n", "[release]\ncommit = \"{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}\"\n"));
    repo.commit("chore: loop in the message");
    repo.xtask(&["release", "minor", "--yes", "--no-changelog"])
        .fails(1)
        .says("release.commit: template error: the template does too much work");
}

/// A `git clone --depth 1` of `origin`, with the test identity.
fn shallow_clone(origin: &Repo) -> Repo {
    let clone = Repo::new();
    std::fs::remove_dir_all(clone.path().join(".git")).unwrap();
    let url = format!("file://{}", origin.path().display());
    clone.git(&["clone", "--quiet", "--depth", "1", &url, "."]);
    clone.git(&["config", "user.name", "Test User"]);
    clone.git(&["config", "user.email", "test@example.com"]);
    clone
}

#[test]
fn a_dry_run_in_a_shallow_clone_fetches_nothing_and_says_what_a_release_would() {
    let origin = project();
    origin.write("src.txt", "two\n");
    origin.commit("fix: two");
    let clone = shallow_clone(&origin);
    let shallow = std::fs::read(clone.path().join(".git/shallow")).unwrap();
    let objects = clone.git(&["count-objects", "-v"]);
    let before = clone.state();
    clone
        .xtask(&["release", "minor", "--dry-run"])
        .ok()
        .says("this dry run fetches nothing")
        .says("git fetch --tags --depth=1 origin");
    assert_eq!(
        std::fs::read(clone.path().join(".git/shallow")).unwrap(),
        shallow
    );
    assert_eq!(clone.git(&["count-objects", "-v"]), objects);
    assert_eq!(clone.state(), before);
    assert_eq!(clone.git(&["tag", "--list"]), "");
}

#[test]
fn configured_paths_outside_the_work_tree_or_in_git_are_configuration_errors() {
    let outside = tempfile::TempDir::new().unwrap();
    let absolute = outside.path().join("out.md");
    let cases = [
        "../out.md".to_string(),
        absolute.to_str().unwrap().to_string(),
        ".git/hooks/post-commit".to_string(),
    ];
    for path in cases {
        let repo = project();
        append_config(&repo, &format!("[changelog]\nfile = {path:?}\n"));
        let before = repo.state();
        for args in [
            &["check"][..],
            &["release", "minor", "--dry-run"],
            &["release", "minor", "--yes"],
        ] {
            repo.xtask(args)
                .fails(1)
                .says("changelog.file")
                .says(&format!("{path:?}"));
        }
        assert_eq!(repo.state(), before, "{path}");
        assert!(!repo.path().join(".git/hooks/post-commit").exists());
        assert!(!repo.path().parent().unwrap().join("out.md").exists());
        assert!(!absolute.exists());
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_version_file_is_written_through_inside_the_tree_and_refused_outside() {
    use std::os::unix::fs::symlink;
    let repo = project();
    std::fs::create_dir(repo.path().join("meta")).unwrap();
    std::fs::rename(
        repo.path().join("VERSION"),
        repo.path().join("meta/VERSION"),
    )
    .unwrap();
    symlink("meta/VERSION", repo.path().join("VERSION")).unwrap();
    repo.commit("chore: VERSION is a link");
    repo.xtask(&["release", "minor", "--yes"]).ok();
    let link = std::fs::symlink_metadata(repo.path().join("VERSION")).unwrap();
    assert!(link.file_type().is_symlink(), "VERSION is still a link");
    assert_eq!(repo.read("meta/VERSION"), "0.2.0\n");
    assert_eq!(repo.git(&["show", "v0.2.0:meta/VERSION"]), "0.2.0");
    assert_eq!(repo.git(&["status", "--porcelain"]), "");

    // A link leading out of the work tree: refused before anything changes, the outside file untouched.
    let outside = tempfile::TempDir::new().unwrap();
    let target = outside.path().join("VERSION");
    std::fs::write(&target, "0.2.0\n").unwrap();
    std::fs::remove_file(repo.path().join("VERSION")).unwrap();
    symlink(&target, repo.path().join("VERSION")).unwrap();
    repo.commit("chore: VERSION leads outside");
    repo.write("src.txt", "three\n");
    repo.commit("fix: three");
    let before = repo.state();
    repo.xtask(&["release", "patch", "--yes"])
        .fails(1)
        .says("VERSION leads outside the work tree");
    repo.xtask(&["check"])
        .fails(1)
        .says("VERSION leads outside the work tree");
    assert_eq!(repo.state(), before);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "0.2.0\n");
}
