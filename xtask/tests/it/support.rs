//! A throw-away repository with an isolated HOME and git configuration, fixed dates, and the compiled binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// The binary under test.
pub fn xtask_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_xtask"))
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

/// 2024-01-01T00:00:00Z: commits are dated from here, a minute apart.
const EPOCH: u64 = 1_704_067_200;

impl Repo {
    /// An empty repository on `main` with an identity and nothing global leaking in.
    pub fn new() -> Repo {
        let repo = Repo {
            dir: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
            clock: std::cell::Cell::new(EPOCH),
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

    /// Environment shared by git and the binary: isolated HOME and config, fixed dates, no CI leaking in.
    pub fn env(&self, command: &mut Command) {
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
        let date = format!("@{} +0000", self.clock.get());
        command
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.path().join(".gitconfig"))
            .env("CARGO_HOME", cargo_home)
            .env("RUSTUP_HOME", rustup_home)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("SOURCE_DATE_EPOCH", "1704067200")
            .env("NO_COLOR", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("CI")
            .env_remove("GITHUB_OUTPUT")
            .env_remove("GITHUB_REF_NAME")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("EDITOR")
            .env_remove("VISUAL");
    }

    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
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
        Run::from(self.command("git", args).output().unwrap())
    }

    /// Runs the binary with no terminal on stdin.
    pub fn xtask(&self, args: &[&str]) -> Run {
        Run::from(self.command(xtask_bin(), args).output().unwrap())
    }

    pub fn xtask_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(xtask_bin(), args);
        for (k, v) in env {
            command.env(k, v);
        }
        Run::from(command.output().unwrap())
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
    let run = Run::from(
        repo.command("cargo", &["generate-lockfile", "--offline", "--quiet"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    repo.commit("chore: initial import");
    repo
}
