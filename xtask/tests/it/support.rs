//! A throw-away repository with a hermetic environment (isolated HOME and git configuration, fixed dates,
//! nothing from the caller's git, CI or editor settings), and the compiled binary.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::RwLock;

use tempfile::TempDir;

/// The binary under test.
pub fn xtask_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_xtask"))
}

/// 2024-01-01T00:00:00Z: commits are dated from here, a minute apart.
const COMMIT_EPOCH: u64 = 1_704_067_200;
/// The day of the fixtures' commits (and so of their tags).
pub const COMMIT_DAY: &str = "2024-01-01";
/// `SOURCE_DATE_EPOCH` in every run: 2024-03-15T00:00:00Z, a different day from the commits', so that a
/// test can tell which of the two a date came from.
pub const SOURCE_DATE_EPOCH: &str = "1710460800";
/// The day of `SOURCE_DATE_EPOCH`: the date a release made in a test carries.
pub const RELEASE_DAY: &str = "2024-03-15";

/// Variables the kit or git read that must not leak in from the environment the tests were started in
/// (a CI runner, a git hook, a developer's shell). Those set again by [`hermetic`] are listed too, so the
/// list says everything that is cleared.
const CLEARED: &[&str] = &[
    // CI: `release` would never prompt and would take the branch from these.
    "CI",
    "GITHUB_REF_NAME",
    "CI_COMMIT_BRANCH",
    "BUILDKITE_BRANCH",
    "CIRCLE_BRANCH",
    "BRANCH_NAME",
    "GITHUB_OUTPUT",
    // `verify` takes its range from these, and writes annotations under GitHub Actions.
    "GITHUB_ACTIONS",
    "GITHUB_BASE_REF",
    "GITHUB_HEAD_REF",
    "GITHUB_REF",
    "GITHUB_EVENT_PATH",
    "GITHUB_EVENT_NAME",
    // GitLab's, which `verify` reads when GitHub's are not set.
    "GITLAB_CI",
    "CI_COMMIT_TAG",
    "CI_COMMIT_BEFORE_SHA",
    "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    // A git hook's environment: another repository, another index.
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    // Configuration from outside the test's own files.
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
    // Identity, dates, editors, output.
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
    "GIT_EDITOR",
    "EDITOR",
    "VISUAL",
    "NO_COLOR",
    "SOURCE_DATE_EPOCH",
    "LANGUAGE",
];

/// Prefixes of variables cleared as well: every git variable (`GIT_CONFIG_KEY_<n>`, `GIT_TRACE*`,
/// `GIT_NAMESPACE`, `GIT_QUARANTINE_PATH`, …) except `GIT_EXEC_PATH`, which only says where git's own
/// programs are, and the kit's own (`XTASK_*`).
const CLEARED_PREFIXES: &[&str] = &["GIT_", "XTASK_"];

/// Makes `command` hermetic: clears every variable above, then sets an isolated HOME and global git
/// configuration under `home`, no system configuration, a fixed identity, commit dates of `seconds`, the
/// fixed `SOURCE_DATE_EPOCH`, and messages in English. Every git and binary run in the tests goes through
/// here (through [`Repo::command`] or [`Repo::env`]).
pub fn hermetic(command: &mut Command, home: &Path, seconds: u64) {
    for name in CLEARED {
        command.env_remove(name);
    }
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if CLEARED_PREFIXES.iter().any(|p| text.starts_with(p)) && text != "GIT_EXEC_PATH" {
            command.env_remove(&name);
        }
    }
    let real_home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    // cargo and rustup find their toolchain through these; HOME is replaced below.
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| real_home.join(".cargo"));
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| real_home.join(".rustup"));
    let date = format!("@{seconds} +0000");
    command
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
        .env("CARGO_HOME", cargo_home)
        .env("RUSTUP_HOME", rustup_home)
        .env("GIT_AUTHOR_NAME", "Test User")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test User")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        .env("NO_COLOR", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .env("TZ", "UTC");
}

/// Held for reading while a process is started, for writing while an executable is written.
///
/// A process started (forked) while another test thread has an executable open for writing inherits that
/// descriptor until it execs; running the executable meanwhile fails with "text file busy" (ETXTBSY) —
/// in the test, or in git running a hook the test just wrote. Descriptors are inherited only at the fork,
/// so keeping forks and writes apart prevents it.
static SPAWN_LOCK: RwLock<()> = RwLock::new(());

/// Writes `bytes` to `path` as an executable (mode 755), creating its folder. Use it for every hook script
/// and binary a test writes.
pub fn write_executable(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    let _writing = SPAWN_LOCK.write().unwrap_or_else(|e| e.into_inner());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Starts `command` without overlapping a write of an executable; retries "text file busy" for a second,
/// in case an executable was written some other way.
pub fn spawn(command: &mut Command) -> Child {
    let mut attempts = 0;
    loop {
        let started = {
            let _starting = SPAWN_LOCK.read().unwrap_or_else(|e| e.into_inner());
            command.spawn()
        };
        match started {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 50 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("cannot start {:?}: {e}", command.get_program()),
            Ok(child) => return child,
        }
    }
}

/// Runs `command` to completion with nothing on stdin, through [`spawn`].
pub fn run(mut command: Command) -> Run {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Run::from(spawn(&mut command).wait_with_output().unwrap())
}

/// Starts `command` in a pseudo-terminal (for prompts), through the same lock as [`spawn`].
pub fn spawn_in_terminal(command: Command) -> rexpect::session::PtySession {
    let _starting = SPAWN_LOCK.read().unwrap_or_else(|e| e.into_inner());
    rexpect::session::spawn_command(command, Some(20_000)).expect("a pseudo-terminal")
}

/// What a command printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn fails(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn says(self, needle: &str) -> Run {
        let all = format!("{}{}", self.stdout, self.stderr);
        assert!(
            all.contains(needle),
            "expected {needle:?} in\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Everything a failed run must leave exactly as it was.
#[derive(Debug, PartialEq, Eq)]
pub struct State {
    pub head: String,
    pub branch: String,
    pub refs: String,
    pub index: String,
    pub status: String,
    pub files: Vec<(String, Vec<u8>)>,
}

pub struct Repo {
    pub dir: TempDir,
    pub home: TempDir,
    clock: std::cell::Cell<u64>,
}

impl Repo {
    /// An empty repository on `main` with an identity and nothing global leaking in.
    pub fn new() -> Repo {
        let repo = Repo {
            dir: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
            clock: std::cell::Cell::new(COMMIT_EPOCH),
        };
        repo.git(&["init", "--quiet", "--initial-branch=main"]);
        repo.git(&["config", "user.name", "Test User"]);
        repo.git(&["config", "user.email", "test@example.com"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo.git(&["config", "tag.gpgsign", "false"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The hermetic environment (see [`hermetic`]) with this repository's HOME and clock.
    pub fn env(&self, command: &mut Command) {
        hermetic(command, self.home.path(), self.clock.get());
    }

    /// `program` with `args` in the work tree, in the hermetic environment.
    pub fn command(&self, program: impl AsRef<OsStr>, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null());
        self.env(&mut command);
        command
    }

    /// Runs git; panics with its output on failure.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        let run = self.try_git(args);
        assert_eq!(
            run.code, 0,
            "git {args:?} failed:\n{}{}",
            run.stdout, run.stderr
        );
        run.stdout.trim_end().to_string()
    }

    pub fn try_git(&self, args: &[&str]) -> Run {
        self.clock.set(self.clock.get() + 60);
        run(self.command("git", args))
    }

    /// Runs the binary with no terminal on stdin.
    pub fn xtask(&self, args: &[&str]) -> Run {
        run(self.command(xtask_bin(), args))
    }

    pub fn xtask_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(xtask_bin(), args);
        for (k, v) in env {
            command.env(k, v);
        }
        run(command)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }

    /// Dates the following commits `seconds` earlier, as a machine whose clock is behind would.
    pub fn rewind_clock(&self, seconds: u64) {
        self.clock.set(self.clock.get() - seconds);
    }

    /// Stages everything and commits with `message`, a minute after the previous commit.
    pub fn commit(&self, message: &str) {
        self.git(&["add", "--all"]);
        self.git(&["commit", "--quiet", "--allow-empty", "-m", message]);
    }

    pub fn tag(&self, name: &str) {
        self.git(&["tag", "--annotate", name, "-m", &format!("Release {name}")]);
    }

    /// HEAD, branch, every ref, the index, status and every file in the work tree (untracked included).
    pub fn state(&self) -> State {
        let mut files = Vec::new();
        collect(self.path(), self.path(), &mut files);
        files.sort();
        State {
            head: self.git(&["rev-parse", "HEAD"]),
            branch: self.try_git(&["symbolic-ref", "--quiet", "HEAD"]).stdout,
            refs: self.git(&["for-each-ref", "--format=%(refname) %(objectname)"]),
            index: self.git(&["ls-files", "--stage"]),
            status: self.git(&["status", "--porcelain", "--untracked-files=all"]),
            files,
        }
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read(&path).unwrap()));
        }
    }
}

/// A Cargo workspace at 0.1.0: an inherited version, a member with a literal version and a path dependency.
pub fn cargo_workspace() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"app\", \"lib\"]\nresolver = \"2\"\n\n# The version every crate shares.\n[workspace.package]\nversion = \"0.1.0\" # bumped by the kit\nedition = \"2021\"\n",
    );
    repo.write(
        "app/Cargo.toml",
        "[package]\nname = \"app\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\n# Our own library.\nlib = { path = \"../lib\", version = \"0.1.0\" }\n",
    );
    repo.write("app/src/main.rs", "fn main() {}\n");
    repo.write(
        "lib/Cargo.toml",
        "[package]\nname = \"lib\"\nversion = \"0.1.0\"   # literal\nedition = \"2021\"\n",
    );
    repo.write("lib/src/lib.rs", "\n");
    run(repo.command("cargo", &["generate-lockfile", "--offline", "--quiet"])).ok();
    repo.commit("chore: initial import");
    repo
}

/// Appends `text` to the repository's `xtask.toml` and commits it.
pub fn append_config(repo: &Repo, text: &str) {
    repo.write("xtask.toml", &(repo.read("xtask.toml") + text));
    repo.commit("chore: configure");
}

/// An empty bare repository (its first branch `main`) added to `repo` as `origin`; it is removed when the
/// returned directory is dropped.
pub fn bare_remote(repo: &Repo) -> TempDir {
    let bare = TempDir::new().unwrap();
    let path = bare.path().to_str().unwrap();
    repo.git(&["init", "--quiet", "--bare", "--initial-branch=main", path]);
    repo.git(&["remote", "add", "origin", path]);
    bare
}

/// [`bare_remote`] with `main` and `v0.1.0` pushed.
pub fn with_remote(repo: &Repo) -> TempDir {
    let remote = bare_remote(repo);
    repo.git(&["push", "--quiet", "origin", "main", "v0.1.0"]);
    remote
}

/// A project with a regex version file `VERSION`, a changelog and one `feat` since `v0.1.0`;
/// no development version after a release.
pub fn regex_project() -> Repo {
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

/// A project on `main` at 1.4.0-dev, after 1.3.0: ready for `branch cut`.
pub fn cut_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION\", regex = '^(?<version>\\S+)' }]\n",
    );
    repo.write("VERSION", "1.3.0\n");
    repo.write("CHANGELOG.md", "# Changelog\n");
    repo.commit("chore: initial");
    repo.tag("v1.3.0");
    repo.write("VERSION", "1.4.0-dev\n");
    repo.commit("chore: start 1.4.0-dev");
    repo.write("feature.txt", "new\n");
    repo.commit("feat: a feature for the next minor");
    repo
}

/// `compiler` and `runtime`, a `pyproject.toml` each at 3.1.0 and tagged, sharing X.Y.
pub fn two_python_packages() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        r#"[version]
shared = "minor"

[tag]
format = "{{ package }}-v{{ version }}"

[packages.compiler]
files = ["compiler/pyproject.toml"]

[packages.runtime]
files = ["runtime/pyproject.toml"]
"#,
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
    repo
}

/// [`two_python_packages`], then a fix in `compiler` and a feature in `runtime`.
pub fn two_python_packages_changed() -> Repo {
    let repo = two_python_packages();
    repo.write("compiler/src.py", "x = 2\n");
    repo.commit("fix(compiler): x is two");
    repo.write("runtime/src.py", "x = 3\n");
    repo.commit("feat(runtime): x is three");
    repo
}

/// A project at 0.1.0 (`VERSION.json`, tagged `v0.1.0`) whose commit messages must be conventional, with
/// `extra` appended to its `xtask.toml`.
pub fn conventional_json_project(extra: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        &format!(
            "[version]\nfiles = [{{ path = \"VERSION.json\", json = \"version\" }}]\n\n[commits]\nconventional = \"deny\"\n{extra}"
        ),
    );
    repo.write("VERSION.json", "{\n  \"version\": \"0.1.0\"\n}\n");
    repo.commit("chore: initial import");
    repo.tag("v0.1.0");
    repo
}
