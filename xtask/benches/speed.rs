//! `cargo bench --bench speed`: the kit against git itself, on a repository the size of a busy project's.
//!
//! 1. Builds the binary the way `cargo xtask` runs it (`cargo build --profile xtask -p xtask`: everything
//!    optimised) and times `<target>/xtask/xtask`.
//! 2. Generates, once, `<target>/bench-repo`: 100,000 commits of Conventional Commits messages (subjects,
//!    bodies, footers, merged topic branches), 200 annotated release tags `v0.0.1`…`v0.0.200`, and a few
//!    hundred patch-level commits after the last one, with `git fast-import`, as a fresh clone has it (one
//!    pack, no commit-graph). A marker in its git directory records how it was made; when the marker is
//!    missing or stale, the repository is made again.
//! 3. Times each operation against the git command a user would compare it with, the two run in turn
//!    (git's, ours, git's, ours …, after one warm-up of each): a budget is held against the median of the
//!    pairs' ratios, so that a drift of the machine's speed touches both sides (a hook, which takes a few
//!    milliseconds, on at least 101 pairs). Every child gets an isolated HOME and global configuration, no system
//!    configuration, `NO_COLOR=1` and a fixed `SOURCE_DATE_EPOCH`) and prints a Markdown table with the
//!    budget of each. The hooks run as git runs them: the hook file `hooks install` puts in the repository
//!    (a native hook that starts the installed binary), with `xtask hook <name>` and the `sh` shims of `hooks/`
//!    (what `hooks install` writes where it chains a hook) for context. `changelog --all` is also timed on
//!    one core (`taskset -c 0`, both sides), for context. `pre-push` is timed twice: pushing the tag a real
//!    `release --yes patch` has just made (in `<target>/bench-release`, a clone sharing the objects, made
//!    anew on each run), and pushing the old `v0.0.200`, whose ancestry check must walk the 300 commits
//!    above it. Git needs that walk too, so that case is compared with git's own `merge-base --is-ancestor`
//!    of the tag instead of `rev-parse`, without a budget. The peak resident memory of every child is read
//!    from `wait4` (`ru_maxrss`, the largest of the timed runs), and `changelog --all`'s has a budget against
//!    `git log`'s. The process fails when a budget is exceeded.
//!
//! 4. Generates, once, `<target>/bench-mono`: a monorepo of 200 packages (`pkgs/pNNN/pyproject.toml` at
//!    1.0.0, tagged `pNNN-v1.0.0`) and 20,000 commits each touching one package, cached like `bench-repo`.
//!    `release -p p007 minor --dry-run --yes` and `changelog -p p007` are timed against git finding that
//!    package's commits (`git log --format=%H p007-v1.0.0..HEAD -- pkgs/p007`), and `release --yes
//!    --dry-run` (every package) against one `git log --name-only` of the same 20,000 commits.
//!
//! `BENCH_RUNS=N` sets the number of timed runs for the slow operations (fast ones do three times as many).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Total commits, merges and topic-branch commits included.
const COMMITS: usize = 100_000;
/// Annotated release tags `v0.0.1`…`v0.0.{TAGS}`.
const TAGS: usize = 200;
/// Commits after the last release tag (all patch-level, so that `release patch` is allowed).
const TAIL: usize = 300;
/// Change this when the generator changes, so that cached repositories are made again.
const GENERATOR: &str = "speed-bench repository v1";
/// The monorepo: packages `pkgs/p000`…, each a `pyproject.toml` at 1.0.0 tagged `pNNN-v1.0.0`, then
/// commits each touching one package.
const MONO_PACKAGES: usize = 200;
const MONO_COMMITS: usize = 20_000;
const MONO_GENERATOR: &str = "speed-bench monorepo v1";
/// The `SOURCE_DATE_EPOCH` every child sees (2023-11-14).
const EPOCH: &str = "1700000000";
const ZERO: &str = "0000000000000000000000000000000000000000";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("speed: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, String>;

fn run() -> Result<bool> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace above the xtask crate")?
        .to_path_buf();
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => workspace.join("target"),
    };
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(7);

    // 1. The binary, built as `cargo xtask` builds it.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let status = Command::new(&cargo)
        .args(["build", "--profile", "xtask", "-p", "xtask"])
        .current_dir(&workspace)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("`cargo build --profile xtask -p xtask` failed".into());
    }
    let xtask = target.join("xtask").join("xtask");
    if !xtask.is_file() {
        return Err(format!("no binary at {}", xtask.display()));
    }
    eprintln!(
        "speed: {} up to date ({})",
        xtask.display(),
        secs(started.elapsed())
    );

    let sandbox = Sandbox::new(&target)?;
    let repo = target.join("bench-repo");
    let started = Instant::now();
    if generate_if_needed(&sandbox, &repo)? {
        eprintln!(
            "speed: generated {} ({COMMITS} commits, {TAGS} tags) in {}",
            repo.display(),
            secs(started.elapsed())
        );
    } else {
        eprintln!("speed: using the cached {}", repo.display());
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        eprintln!("speed: load average before measuring: {}", load.trim());
    }

    let b = Bench {
        sandbox: &sandbox,
        repo: &repo,
        xtask: &xtask,
        stderr: target.join("bench-stderr.log"),
    };
    let mut rows = Vec::new();

    // (a) The whole history: git printing every message vs the kit's changelog of every release.
    let whole = b.pair(
        runs,
        (&b.git(&["log", "--format=%H%n%B"]), None),
        (&b.xtask(&["changelog", "--all"]), None),
    )?;
    let (log, all) = (whole.git, whole.ours);
    rows.push(Row::ratio(
        "`changelog --all` (100k commits, 200 releases)",
        "`git log --format=%H%n%B`",
        &whole,
        1.2,
    ));
    // Its peak memory: what the walk keeps, not the history (issue #27). Linux carries the spawning
    // process's peak over into a child's `ru_maxrss` (the child starts in its memory, until `exec`): a child
    // that does next to nothing shows how far up that reaches; a figure below it says nothing.
    let floor = b.once(&b.git(&["--version"]), None)?.2;
    if let Some(row) = Row::memory(
        "`changelog --all`, peak resident memory (`ru_maxrss`)",
        "`git log --format=%H%n%B`",
        log,
        all,
        floor,
        2.0,
    ) {
        rows.push(row);
    }
    // The same on one core: the kit renders releases in parallel, git log does not.
    let mut one_core = None;
    if Command::new("taskset")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let pinned = |program: &Path, args: &[&str]| {
            let mut command = b.command("taskset");
            command.args(["-c", "0"]).arg(program).args(args);
            command
        };
        let pinned = b.pair(
            runs,
            (&pinned(Path::new("git"), &["log", "--format=%H%n%B"]), None),
            (&pinned(b.xtask, &["changelog", "--all"]), None),
        )?;
        rows.push(Row::info(
            "`changelog --all` on one core (`taskset -c 0`, both sides)",
            "`git log --format=%H%n%B`",
            pinned.git,
            pinned.ours,
            "",
        ));
        one_core = Some((pinned.git, pinned.ours));
    }

    // (b) The hooks, run as git runs them, against the cheapest git command there is.
    let fast = runs * 3;
    // A hook takes a few milliseconds, the machine's noise as much: its budget is judged on many pairs.
    let hook_pairs = (runs * 20).max(101);
    let rev_parse = b.measure(fast, &b.git(&["rev-parse", "HEAD"]), None)?;
    let head = b.output(&b.git(&["rev-parse", "HEAD"]))?;
    let last = format!("v0.0.{TAGS}");
    let tag_oid = b.output(&b.git(&["rev-parse", &format!("refs/tags/{last}")]))?;
    let message = "feat(cli): add a --quiet flag to changelog\n\n\
        Quiet mode prints the notes only, without progress lines on stderr.\n\n\
        Refs: #4242\n";
    let message_file = repo.join(".git").join("COMMIT_EDITMSG");
    std::fs::write(&message_file, message)
        .map_err(|e| format!("cannot write {}: {e}", message_file.display()))?;
    let created = format!("{ZERO} {head} refs/heads/feature/x\n");
    let old_push = format!("refs/tags/{last} {tag_oid} refs/tags/{last} {ZERO}\n");
    // The usual push of a release tag: the one `release` has just made, at the tip of main. A clone that
    // shares the objects, released in for real, so that the generated repository stays as it is.
    let fresh = target.join("bench-release");
    let (fresh_tag, fresh_oid) = fresh_release(&sandbox, &xtask, &repo, &fresh)?;
    let fresh_push = format!("refs/tags/{fresh_tag} {fresh_oid} refs/tags/{fresh_tag} {ZERO}\n");
    let url = "https://example.com/bench.git";
    let fresh_label =
        format!("`pre-push` (1 new tag, {fresh_tag}: the release just made, at the tip)");
    let old_label =
        format!("`pre-push` (1 new tag, {last}: an old release {TAIL} commits below the tip)");
    // The hooks as `hooks install` puts them in each repository: what git runs.
    for dir in [&repo, &fresh] {
        install_hooks(&sandbox, &xtask, dir)?;
    }
    let hooks = [
        HookRun {
            name: "commit-msg",
            args: vec![".git/COMMIT_EDITMSG"],
            stdin: None,
            label: "`commit-msg <file>`",
            dir: &repo,
            walks_history: false,
            budget: 1.3,
        },
        HookRun {
            name: "reference-transaction",
            args: vec!["prepared"],
            stdin: Some(&created),
            label: "`reference-transaction prepared` (1 created branch)",
            dir: &repo,
            walks_history: false,
            budget: 1.3,
        },
        HookRun {
            name: "pre-push",
            args: vec!["origin", url],
            stdin: Some(&fresh_push),
            label: &fresh_label,
            dir: &fresh,
            walks_history: false,
            budget: 1.5,
        },
        HookRun {
            name: "pre-push",
            args: vec!["origin", url],
            stdin: Some(&old_push),
            label: &old_label,
            dir: &repo,
            walks_history: true,
            budget: 0.0,
        },
    ];
    // What the old tag costs git itself: the same ancestry check (no commit-graph in the repository).
    let ancestry_label = format!("`git merge-base --is-ancestor {last} main`");
    let ancestry = b.measure(
        fast,
        &b.git(&[
            "merge-base",
            "--is-ancestor",
            &format!("{last}^{{commit}}"),
            "main",
        ]),
        None,
    )?;
    rows.push(Row::info(
        &format!("for reference, git's own ancestry check: {ancestry_label}"),
        "`git rev-parse HEAD`",
        rev_parse,
        ancestry,
        "(git) ",
    ));
    let shims = sandbox.home.join("hooks");
    for HookRun {
        name,
        args,
        stdin,
        label,
        dir,
        walks_history,
        budget,
    } in &hooks
    {
        let b = Bench {
            repo: dir,
            ..b.clone()
        };
        let info = |label: &str, ours: Measure| {
            if *walks_history {
                Row::info(label, &ancestry_label, ancestry, ours, "")
            } else {
                Row::info(label, "`git rev-parse HEAD`", rev_parse, ours, "")
            }
        };
        let installed = dir.join(".git").join("hooks").join(name);
        let mut as_git_runs_it = b.command(&installed);
        as_git_runs_it.args(args);
        rows.push(if *walks_history {
            info(
                &format!("{label}, the installed hook"),
                b.measure(fast, &as_git_runs_it, *stdin)?,
            )
        } else {
            // Against `rev-parse` in the same repository, run in turn with the hook.
            let paired = b.pair(
                hook_pairs,
                (&b.git(&["rev-parse", "HEAD"]), None),
                (&as_git_runs_it, *stdin),
            )?;
            Row::ratio(
                &format!("{label}, the installed hook"),
                "`git rev-parse HEAD`",
                &paired,
                *budget,
            )
        });
        let mut direct = vec!["hook", *name];
        direct.extend(args);
        let ours = b.measure(fast, &b.xtask(&direct), *stdin)?;
        rows.push(info(&format!("the same, as `xtask hook {name}`"), ours));
        let shim = b.shim(&workspace, &shims, name)?;
        let mut through = b.command(&shim);
        through.args(args);
        let ours = b.measure(fast, &through, *stdin)?;
        rows.push(info("the same, through the `sh` shim", ours));
    }
    // (c) A whole release, planned and printed.
    let release = b.measure(
        runs,
        &b.xtask(&["release", "--dry-run", "--yes", "patch"]),
        None,
    )?;
    rows.push(Row::absolute(
        "`release --dry-run --yes patch`",
        release,
        Duration::from_millis(500),
    ));

    // (d) A monorepo of many packages: one package's release and changelog against git finding that
    // package's commits, and every package's release against one `git log` with paths of the same commits.
    let mono = target.join("bench-mono");
    let started = Instant::now();
    if generate_monorepo_if_needed(&sandbox, &mono)? {
        eprintln!(
            "speed: generated {} ({MONO_PACKAGES} packages, {MONO_COMMITS} commits) in {}",
            mono.display(),
            secs(started.elapsed())
        );
    }
    let m = Bench {
        repo: &mono,
        ..b.clone()
    };
    let package_log = m.git(&["log", "--format=%H", "p007-v1.0.0..HEAD", "--", "pkgs/p007"]);
    let one = m.pair(
        runs,
        (&package_log, None),
        (
            &m.xtask(&["release", "-p", "p007", "minor", "--dry-run", "--yes"]),
            None,
        ),
    )?;
    let mono_label = format!("({MONO_PACKAGES} packages, {MONO_COMMITS} commits)");
    rows.push(Row::ratio(
        &format!("`release -p p007 minor --dry-run --yes` {mono_label}"),
        "`git log --format=%H p007-v1.0.0..HEAD -- pkgs/p007`",
        &one,
        1.5,
    ));
    let one_changelog = m.pair(
        runs,
        (&package_log, None),
        (&m.xtask(&["changelog", "-p", "p007"]), None),
    )?;
    rows.push(Row::ratio(
        "`changelog -p p007` (same repository)",
        "the same `git log`",
        &one_changelog,
        1.5,
    ));
    let every = m.pair(
        runs,
        (
            &m.git(&["log", "--name-only", "--format=%H", "p000-v1.0.0..HEAD"]),
            None,
        ),
        (&m.xtask(&["release", "--yes", "--dry-run"]), None),
    )?;
    rows.push(Row::ratio(
        &format!("`release --yes --dry-run`, every package {mono_label}"),
        "`git log --name-only --format=%H p000-v1.0.0..HEAD`",
        &every,
        2.0,
    ));

    println!();
    println!("| operation | git baseline | ours | ratio | budget | result |");
    println!("|---|---|---|---|---|---|");
    let mut pass = true;
    for row in &rows {
        pass &= row.pass;
        println!("{}", row.markdown());
    }
    println!();
    println!(
        "Medians of {runs} runs ({fast} for `rev-parse` and the hooks) after one warm-up; a ratio with a \
         budget is the median of the ratios of pairs run in turn, git's then ours ({hook_pairs} pairs for a \
         hook); spread (min–max):"
    );
    let mut spread = String::new();
    let mut spreads = vec![
        ("git log", &log),
        ("changelog --all", &all),
        ("git rev-parse", &rev_parse),
        ("release --dry-run", &release),
        ("monorepo: git log -- pkgs/p007", &one.git),
        ("monorepo: release -p p007", &one.ours),
        ("monorepo: changelog -p p007", &one_changelog.ours),
        ("monorepo: git log --name-only", &every.git),
        ("monorepo: release, every package", &every.ours),
    ];
    if let Some((log1, all1)) = &one_core {
        spreads.push(("git log, one core", log1));
        spreads.push(("changelog --all, one core", all1));
    }
    for (name, m) in spreads {
        let _ = writeln!(
            spread,
            "- {name}: {} – {}{}{}",
            ms(m.min),
            ms(m.max),
            if m.bytes > 0 {
                format!(", {} KiB of output", m.bytes / 1024)
            } else {
                String::new()
            },
            m.peak_kib
                .map_or(String::new(), |k| format!(", peak memory {}", mib(k)))
        );
    }
    print!("{spread}");
    if !pass {
        eprintln!("speed: a budget was exceeded");
    }
    Ok(pass)
}

/// One hook, run as git runs it: arguments, standard input, and the work tree it runs at.
struct HookRun<'a> {
    name: &'a str,
    args: Vec<&'a str>,
    stdin: Option<&'a str>,
    label: &'a str,
    dir: &'a Path,
    /// Whether the hook must walk history that git's own ancestry check walks too: then that check is
    /// the baseline shown, and no budget applies (see the README's "Speed").
    walks_history: bool,
    /// The budget of the installed hook against `git rev-parse HEAD`.
    budget: f64,
}

/// One line of the table.
struct Row {
    operation: String,
    baseline: String,
    ours: String,
    ratio: String,
    budget: String,
    pass: bool,
}

impl Row {
    /// A row with a budget: the median of the pairs' ratios against it.
    fn ratio(operation: &str, baseline: &str, pair: &Pair, budget: f64) -> Row {
        let ratio = pair.ratio;
        Row {
            operation: operation.into(),
            baseline: format!("{baseline}: {}", ms(pair.git.median)),
            ours: ms(pair.ours.median),
            ratio: format!("{ratio:.2}×"),
            budget: format!("≤ {budget}×"),
            pass: ratio <= budget,
        }
    }

    /// A row for context, without a budget; `who` names whose figure `other` is when it is not ours.
    fn info(operation: &str, baseline: &str, git: Measure, other: Measure, who: &str) -> Row {
        let ratio = other.median.as_secs_f64() / git.median.as_secs_f64();
        Row {
            operation: operation.into(),
            baseline: format!("{baseline}: {}", ms(git.median)),
            ours: format!("{who}{}", ms(other.median)),
            ratio: format!("{ratio:.2}×"),
            budget: "—".into(),
            pass: true,
        }
    }

    /// Peak resident memory against git's, when both could be read. `floor` is the peak a child doing
    /// nothing shows (the bench's own, see `run`): when git's is not well above it, neither figure is the
    /// command's own, and the row is for context only.
    fn memory(
        operation: &str,
        baseline: &str,
        git: Measure,
        ours: Measure,
        floor: Option<u64>,
        budget: f64,
    ) -> Option<Row> {
        let (git_kib, ours_kib) = (git.peak_kib?, ours.peak_kib?);
        let ratio = ours_kib as f64 / git_kib.max(1) as f64;
        let unreadable = floor.is_some_and(|floor| floor * 2 > git_kib);
        Some(Row {
            operation: operation.into(),
            baseline: format!("{baseline}: {}", mib(git_kib)),
            ours: mib(ours_kib),
            ratio: format!("{ratio:.2}×"),
            budget: match (unreadable, floor) {
                (true, Some(floor)) => format!(
                    "— (this process peaked at {} making the repository, which children inherit: run again)",
                    mib(floor)
                ),
                _ => format!("≤ {budget}×"),
            },
            pass: unreadable || ratio <= budget,
        })
    }

    fn absolute(operation: &str, ours: Measure, budget: Duration) -> Row {
        Row {
            operation: operation.into(),
            baseline: "—".into(),
            ours: ms(ours.median),
            ratio: "—".into(),
            budget: format!("≤ {} (well under 1 s)", ms(budget)),
            pass: ours.median <= budget,
        }
    }

    fn markdown(&self) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {} |",
            self.operation,
            self.baseline,
            self.ours,
            self.ratio,
            self.budget,
            match (self.pass, self.budget.starts_with('—')) {
                (_, true) => "info",
                (true, false) => "pass",
                (false, false) => "**FAIL**",
            }
        )
    }
}

#[derive(Clone, Copy)]
struct Measure {
    median: Duration,
    min: Duration,
    max: Duration,
    /// Bytes written to stdout by one run.
    bytes: usize,
    /// The largest peak resident memory of the timed runs, in KiB (`ru_maxrss` of `wait4`); `None` where it
    /// cannot be read.
    peak_kib: Option<u64>,
}

/// Git's command and ours, run in turn (A B A B …) so that a drift of the machine's speed touches both.
struct Pair {
    git: Measure,
    ours: Measure,
    /// The median of the ratios ours / git's, pair by pair.
    ratio: f64,
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// An isolated environment for every child: its own HOME, an empty global configuration, no system one.
struct Sandbox {
    home: PathBuf,
    global: PathBuf,
    path: std::ffi::OsString,
}

impl Sandbox {
    fn new(target: &Path) -> Result<Sandbox> {
        let home = target.join("bench-home");
        std::fs::create_dir_all(&home)
            .map_err(|e| format!("cannot create {}: {e}", home.display()))?;
        let global = home.join("gitconfig");
        std::fs::write(&global, "")
            .map_err(|e| format!("cannot write {}: {e}", global.display()))?;
        let path =
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into());
        Ok(Sandbox { home, global, path })
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_GLOBAL", &self.global)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .current_dir(dir);
        command
    }

    /// Runs git to completion in `dir`, failing with its stderr.
    fn git(&self, dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Result<String> {
        let mut command = self.command("git", dir);
        command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("piped");
            // A thread, so that a large input cannot deadlock against git's output.
            let input = input.to_vec();
            let writer = std::thread::spawn(move || pipe.write_all(&input));
            let output = child.wait_with_output().map_err(|e| format!("git: {e}"))?;
            writer
                .join()
                .map_err(|_| "the input writer panicked".to_string())?
                .map_err(|e| format!("cannot feed git {}: {e}", args.join(" ")))?;
            return finish(args, output);
        }
        let output = child.wait_with_output().map_err(|e| format!("git: {e}"))?;
        finish(args, output)
    }
}

fn finish(args: &[&str], output: std::process::Output) -> Result<String> {
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

#[derive(Clone)]
struct Bench<'a> {
    sandbox: &'a Sandbox,
    repo: &'a Path,
    xtask: &'a Path,
    stderr: PathBuf,
}

impl Bench<'_> {
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        self.sandbox.command(program, self.repo)
    }

    fn git(&self, args: &[&str]) -> Command {
        let mut command = self.command("git");
        command.args(args);
        command
    }

    fn xtask(&self, args: &[&str]) -> Command {
        let mut command = self.command(self.xtask);
        command.args(args);
        command
    }

    /// The hook's shim as `cargo xtask hooks install` writes it: the template with the binary's path filled in.
    fn shim(&self, workspace: &Path, dir: &Path, name: &str) -> Result<PathBuf> {
        let template = workspace.join("hooks").join(name);
        let text = std::fs::read_to_string(&template)
            .map_err(|e| format!("cannot read {}: {e}", template.display()))?;
        let quoted = format!(
            "'{}'",
            self.xtask.display().to_string().replace('\'', r"'\''")
        );
        let text = text.replace("@XTASK_BIN@", &quoted);
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| format!("cannot make {} executable: {e}", path.display()))?;
        }
        Ok(path)
    }

    fn output(&self, command: &Command) -> Result<String> {
        let args: Vec<String> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.sandbox.git(self.repo, &args, None)
    }

    /// One run: spawn, feed stdin, drain stdout into a sink, wait. Fails when the command fails. Returns the
    /// time, the bytes of output and the child's peak resident memory in KiB.
    fn once(
        &self,
        command: &Command,
        stdin: Option<&str>,
    ) -> Result<(Duration, usize, Option<u64>)> {
        let mut command = clone(command);
        let stderr = File::create(&self.stderr)
            .map_err(|e| format!("cannot create {}: {e}", self.stderr.display()))?;
        command
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(stderr);
        let started = Instant::now();
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", describe(&command)))?;
        if let Some(input) = stdin {
            // Far smaller than a pipe's buffer: written at once, then closed as git closes it.
            let mut pipe = child.stdin.take().expect("piped");
            pipe.write_all(input.as_bytes())
                .map_err(|e| format!("cannot feed {}: {e}", describe(&command)))?;
        }
        let mut out = child.stdout.take().expect("piped");
        let mut buffer = vec![0u8; 1 << 16];
        let mut bytes = 0;
        loop {
            match out.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => bytes += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("cannot read from {}: {e}", describe(&command))),
            }
        }
        let (status, peak_kib) = wait_with_peak(&mut child)
            .map_err(|e| format!("cannot wait for {}: {e}", describe(&command)))?;
        let elapsed = started.elapsed();
        if !status.success() {
            let said = std::fs::read_to_string(&self.stderr).unwrap_or_default();
            return Err(format!("{} failed ({status}):\n{said}", describe(&command)));
        }
        Ok((elapsed, bytes, peak_kib))
    }

    /// The median of `runs` runs after a warm-up.
    fn measure(&self, runs: usize, command: &Command, stdin: Option<&str>) -> Result<Measure> {
        let (_, bytes, _) = self.once(command, stdin)?;
        let mut times = Vec::with_capacity(runs);
        let mut peak_kib: Option<u64> = None;
        for _ in 0..runs {
            let (time, _, peak) = self.once(command, stdin)?;
            times.push(time);
            peak_kib = peak_kib.max(peak);
        }
        Ok(summary(command, times, bytes, peak_kib))
    }

    /// `runs` pairs after a warm-up of each: git's command, then ours, in turn.
    fn pair(
        &self,
        runs: usize,
        git: (&Command, Option<&str>),
        ours: (&Command, Option<&str>),
    ) -> Result<Pair> {
        let (_, git_bytes, _) = self.once(git.0, git.1)?;
        let (_, our_bytes, _) = self.once(ours.0, ours.1)?;
        let (mut git_times, mut our_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let (mut git_peak, mut our_peak): (Option<u64>, Option<u64>) = (None, None);
        for _ in 0..runs {
            let (g, _, peak) = self.once(git.0, git.1)?;
            git_peak = git_peak.max(peak);
            let (o, _, peak) = self.once(ours.0, ours.1)?;
            our_peak = our_peak.max(peak);
            ratios.push(o.as_secs_f64() / g.as_secs_f64().max(1e-9));
            git_times.push(g);
            our_times.push(o);
        }
        ratios.sort_by(f64::total_cmp);
        Ok(Pair {
            git: summary(git.0, git_times, git_bytes, git_peak),
            ours: summary(ours.0, our_times, our_bytes, our_peak),
            ratio: ratios[ratios.len() / 2],
        })
    }
}

/// The median and spread of `times`, said on stderr as they are taken.
fn summary(
    command: &Command,
    mut times: Vec<Duration>,
    bytes: usize,
    peak_kib: Option<u64>,
) -> Measure {
    times.sort();
    let measure = Measure {
        median: times[times.len() / 2],
        min: times[0],
        max: times[times.len() - 1],
        bytes,
        peak_kib,
    };
    eprintln!(
        "speed: {:<70} median {:>9}  (min {}, max {}){}",
        describe(command),
        ms(measure.median),
        ms(measure.min),
        ms(measure.max),
        peak_kib.map_or(String::new(), |k| format!(", peak {}", mib(k)))
    );
    measure
}

/// Waits for `child` and reads its peak resident memory (`ru_maxrss`, KiB on Linux) from `wait4`, which
/// reports it for that child alone (`getrusage(RUSAGE_CHILDREN)` gives the largest of all children so far).
#[cfg(unix)]
fn wait_with_peak(
    child: &mut std::process::Child,
) -> std::io::Result<(std::process::ExitStatus, Option<u64>)> {
    use std::os::unix::process::ExitStatusExt;
    let pid = libc::pid_t::try_from(child.id()).map_err(std::io::Error::other)?;
    let mut status = 0;
    // SAFETY: `rusage` is a plain C struct, for which all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: valid pointers to a status and a `rusage` that outlive the call; `pid` is our own child,
        // not waited for yet (`Child::wait` is never called on it).
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if waited == pid {
            break;
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let peak = u64::try_from(usage.ru_maxrss).ok();
    // macOS counts bytes, Linux and the BSDs KiB.
    let peak = if cfg!(target_os = "macos") {
        peak.map(|bytes| bytes / 1024)
    } else {
        peak
    };
    Ok((std::process::ExitStatus::from_raw(status), peak))
}

#[cfg(not(unix))]
fn wait_with_peak(
    child: &mut std::process::Child,
) -> std::io::Result<(std::process::ExitStatus, Option<u64>)> {
    Ok((child.wait()?, None))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// `Command` is not `Clone`: a copy with the same program, arguments, environment and directory.
fn clone(command: &Command) -> Command {
    let mut copy = Command::new(command.get_program());
    copy.args(command.get_args());
    copy.env_clear();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            copy.env(key, value);
        }
    }
    if let Some(dir) = command.get_current_dir() {
        copy.current_dir(dir);
    }
    copy
}

fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let args: Vec<String> = command
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!("{program} {}", args.join(" ")).trim().to_string()
}

/// Installs the kit's hooks in `dir` as a user would (`xtask hooks install`).
fn install_hooks(sandbox: &Sandbox, xtask: &Path, dir: &Path) -> Result<()> {
    let output = sandbox
        .command(xtask, dir)
        .args(["hooks", "install"])
        .output()
        .map_err(|e| format!("cannot run xtask: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`xtask hooks install` failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

/// Clones the generated repository (sharing its objects) into `dir` and releases a patch there for real, as a
/// user would before pushing; returns the new tag and its object id.
fn fresh_release(
    sandbox: &Sandbox,
    xtask: &Path,
    repo: &Path,
    dir: &Path,
) -> Result<(String, String)> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    let parent = dir.parent().ok_or("no parent directory")?;
    let (from, to) = (repo.to_string_lossy(), dir.to_string_lossy());
    sandbox.git(
        parent,
        &[
            "clone", "--quiet", "--shared", "--branch", "main", &from, &to,
        ],
        None,
    )?;
    for (key, value) in [
        ("user.name", "Bench Maintainer"),
        ("user.email", "maintainer@example.com"),
        ("gc.auto", "0"),
    ] {
        sandbox.git(dir, &["config", key, value], None)?;
    }
    let started = Instant::now();
    let output = sandbox
        .command(xtask, dir)
        .args(["release", "--yes", "patch"])
        .output()
        .map_err(|e| format!("cannot run xtask: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`xtask release --yes patch` failed in {}:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    eprintln!(
        "speed: released a patch in a clone ({}) in {}",
        dir.display(),
        ms(started.elapsed())
    );
    let tag = sandbox.git(dir, &["describe", "--tags", "--exact-match", "HEAD"], None)?;
    let oid = sandbox.git(dir, &["rev-parse", &format!("refs/tags/{tag}")], None)?;
    Ok((tag, oid))
}

// ---------------------------------------------------------------------------------------------------------
// The synthetic repository.

/// The marker's content: what was generated, so that a change of parameters makes the repository again.
fn marker_text() -> String {
    format!("{GENERATOR}\ncommits={COMMITS}\ntags={TAGS}\ntail={TAIL}\n")
}

/// Makes the repository unless a complete one with the same parameters is there. Returns whether it made it.
fn generate_if_needed(sandbox: &Sandbox, repo: &Path) -> Result<bool> {
    // The topic branch only served to make merges; the history keeps them.
    generate(
        sandbox,
        repo,
        &marker_text(),
        history,
        &[&["update-ref", "-d", "refs/heads/topic"]],
    )
}

/// Makes the monorepo unless a complete one with the same parameters is there. Returns whether it made it.
fn generate_monorepo_if_needed(sandbox: &Sandbox, repo: &Path) -> Result<bool> {
    let text = format!("{MONO_GENERATOR}\npackages={MONO_PACKAGES}\ncommits={MONO_COMMITS}\n");
    // Tags packed.
    generate(
        sandbox,
        repo,
        &text,
        monorepo_history,
        &[&["pack-refs", "--all"]],
    )
}

/// Imports `stream()` into a new repository at `repo`, runs `after`, then leaves the work tree and index as
/// after a clone, unless `repo` holds a complete one whose marker says `marker_text`.
fn generate(
    sandbox: &Sandbox,
    repo: &Path,
    marker_text: &str,
    stream: fn() -> Vec<u8>,
    after: &[&[&str]],
) -> Result<bool> {
    let marker = repo.join(".git").join("bench-generated");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(marker_text) {
        return Ok(false);
    }
    if repo.exists() {
        std::fs::remove_dir_all(repo)
            .map_err(|e| format!("cannot remove {}: {e}", repo.display()))?;
    }
    std::fs::create_dir_all(repo).map_err(|e| format!("cannot create {}: {e}", repo.display()))?;
    let git = |args: &[&str]| sandbox.git(repo, args, None);
    git(&["init", "--quiet", "--initial-branch=main"])?;
    for (key, value) in [
        ("user.name", "Bench Maintainer"),
        ("user.email", "maintainer@example.com"),
        ("commit.gpgSign", "false"),
        ("tag.gpgSign", "false"),
        // No automatic gc in the middle of a measurement.
        ("gc.auto", "0"),
    ] {
        git(&["config", key, value])?;
    }
    sandbox.git(repo, &["fast-import", "--quiet", "--done"], Some(&stream()))?;
    for args in after {
        git(args)?;
    }
    git(&["reset", "--hard", "--quiet", "main"])?;
    std::fs::write(&marker, marker_text)
        .map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    Ok(true)
}

/// The monorepo as a fast-import stream: one commit laying out every package, its tags, then commits of
/// Conventional Commits subjects each touching one package chosen at random.
fn monorepo_history() -> Vec<u8> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut stream = Stream {
        out: Vec::new(),
        marks: 0,
        time: 1_600_000_000,
    };
    let author = ("Bench Author", "author@example.com", "+0000");
    let mut config = String::from("[tag]\nformat = \"{{ package }}-v{{ version }}\"\n");
    let mut files = Vec::new();
    for i in 0..MONO_PACKAGES {
        let _ = write!(
            config,
            "\n[packages.p{i:03}]\nfiles = [\"pkgs/p{i:03}/pyproject.toml\"]\n"
        );
        files.push((
            format!("pkgs/p{i:03}/pyproject.toml"),
            format!("[project]\nname = \"p{i:03}\"\nversion = \"1.0.0\"\n"),
        ));
        files.push((format!("pkgs/p{i:03}/src/mod.py"), "x = 0\n".to_string()));
    }
    files.push(("xtask.toml".to_string(), config));
    let root = stream.commit(
        "refs/heads/main",
        author,
        "chore: lay out the packages\n",
        None,
        None,
        &files,
    );
    for i in 0..MONO_PACKAGES {
        let _ = write!(
            stream.out,
            "tag p{i:03}-v1.0.0\nfrom :{root}\ntagger Bench Maintainer <maintainer@example.com> {} +0000\n",
            stream.time
        );
        stream.data(format!("p{i:03} 1.0.0\n").as_bytes());
    }
    let kinds = [
        "feat", "fix", "fix", "docs", "refactor", "perf", "test", "chore",
    ];
    let mut last = root;
    for n in 0..MONO_COMMITS {
        let package = rng.below(MONO_PACKAGES);
        let kind = rng.pick(&kinds);
        let message = format!(
            "{kind}(p{package:03}): change {n} of p{package:03}\n\nWhy change {n} was needed, in a sentence.\n"
        );
        last = stream.commit(
            "refs/heads/main",
            author,
            &message,
            Some(last),
            None,
            &[(
                format!("pkgs/p{package:03}/src/mod.py"),
                format!("x = {n}\n"),
            )],
        );
    }
    stream.out.extend_from_slice(b"done\n");
    stream.out
}

/// A small deterministic generator (xorshift64*), so that every machine measures the same history.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const AUTHORS: &[(&str, &str, &str)] = &[
    ("Ada Lovelace", "ada@example.com", "+0000"),
    ("Grace Hopper", "grace@example.org", "-0500"),
    ("Linus Torvalds", "linus@example.net", "-0800"),
    ("Margaret Hamilton", "margaret@example.com", "-0400"),
    ("Ken Thompson", "ken@example.org", "-0700"),
    ("Barbara Liskov", "barbara@example.edu", "-0500"),
    ("Donald Knuth", "knuth@example.edu", "-0800"),
    ("Frances Allen", "fran@example.com", "-0500"),
    ("Niklaus Wirth", "wirth@example.ch", "+0100"),
    ("Edsger Dijkstra", "ewd@example.nl", "+0200"),
    ("Yukihiro Matsumoto", "matz@example.jp", "+0900"),
    ("Guido van Rossum", "guido@example.nl", "+0100"),
];

const SCOPES: &[&str] = &[
    "cli",
    "config",
    "changelog",
    "hooks",
    "release",
    "version",
    "git",
    "render",
    "parser",
    "deps",
    "api",
    "docs",
    "ci",
    "tests",
    "core",
    "io",
];

const MODULES: &[&str] = &[
    "cli",
    "config",
    "changelog",
    "hooks",
    "release",
    "version",
    "git",
    "render",
    "parser",
    "api",
    "core",
    "io",
    "fs",
    "term",
    "prompt",
    "plan",
    "rules",
    "bump",
    "files",
    "notes",
    "exec",
    "cache",
    "net",
    "auth",
    "log",
    "error",
    "util",
    "model",
    "store",
    "index",
];

const THINGS: &[&str] = &[
    "empty tag messages",
    "shallow clones",
    "the release plan",
    "annotated tags",
    "version files in subdirectories",
    "the changelog template",
    "pre-release versions",
    "merge commits",
    "non-UTF-8 commit messages",
    "detached HEAD in CI",
    "the --dry-run output",
    "Windows line endings",
    "JSON version files",
    "PEP 440 versions",
    "the commit-msg hook",
    "branch name rules",
    "the push refspecs",
    "signed tags",
    "the progress output",
    "error messages for missing files",
    "the configuration loader",
    "large repositories",
    "the git identity check",
    "the undo journal",
    "breaking change footers",
    "scoped commits",
    "the TOML writer",
    "remote URLs with ports",
    "the unreleased section",
    "date formatting",
];

const SENTENCES: &[&str] = &[
    "The previous behaviour surprised users who ran the command from a subdirectory.",
    "This keeps the common path free of allocations.",
    "We now read the value once and pass it down instead of looking it up again.",
    "The old code assumed that every tag was annotated, which is not true for imported history.",
    "Tests cover the empty, single and many-element cases.",
    "No change in behaviour for existing configurations.",
    "The error now names the file and the line, and says what to do about it.",
    "This was found while releasing from a fresh clone in CI.",
    "Measured on a repository with a long history, the difference is noticeable.",
    "A follow-up will remove the deprecated option entirely.",
    "The documentation explains the trade-off and links to the discussion.",
    "Edge cases around pre-releases are handled the same way as final versions.",
    "Windows paths are normalised before they are compared.",
    "The fallback is kept for repositories created by older versions.",
    "Nothing is written unless every check passes first.",
];

/// A Conventional Commits message, or now and then a message that is not one.
fn message(rng: &mut Rng, patch_only: bool, pr: &mut usize) -> String {
    if rng.chance(3) {
        let subject = rng.pick(&[
            "Update README",
            "WIP",
            "Fix typo in docs",
            "Merge remote-tracking branch 'origin/main'",
            "Address review comments",
            "Bump dependencies",
        ]);
        return format!("{subject}\n");
    }
    let kinds: &[(&str, usize)] = if patch_only {
        &[
            ("fix", 45),
            ("docs", 15),
            ("refactor", 10),
            ("perf", 5),
            ("test", 10),
            ("build", 4),
            ("ci", 4),
            ("chore", 7),
        ]
    } else {
        &[
            ("feat", 25),
            ("fix", 30),
            ("docs", 8),
            ("refactor", 8),
            ("perf", 3),
            ("test", 7),
            ("build", 3),
            ("ci", 3),
            ("chore", 8),
            ("style", 2),
            ("revert", 1),
        ]
    };
    let total: usize = kinds.iter().map(|(_, w)| w).sum();
    let mut roll = rng.below(total);
    let kind = kinds
        .iter()
        .find(|(_, w)| {
            if roll < *w {
                true
            } else {
                roll -= w;
                false
            }
        })
        .map(|(k, _)| *k)
        .unwrap_or("fix");
    let verb = match kind {
        "feat" => rng.pick(&["add", "support", "allow", "introduce", "show", "accept"]),
        "fix" => rng.pick(&[
            "handle",
            "avoid crashing on",
            "correct",
            "respect",
            "stop ignoring",
            "fix",
        ]),
        "docs" => rng.pick(&["document", "explain", "clarify", "describe"]),
        "refactor" => rng.pick(&["simplify", "split", "extract", "rename", "untangle"]),
        "perf" => rng.pick(&["speed up", "cache", "avoid copying", "stream"]),
        "test" => rng.pick(&[
            "cover",
            "add tests for",
            "test",
            "add a regression test for",
        ]),
        "build" | "ci" => rng.pick(&[
            "update the pipeline for",
            "pin the toolchain for",
            "cache builds of",
        ]),
        "style" => rng.pick(&["format", "reorder imports in", "tidy"]),
        _ => rng.pick(&["update", "clean up", "bump dependencies of", "tidy"]),
    };
    let breaking = !patch_only && matches!(kind, "feat" | "refactor") && rng.chance(2);
    let bang = if breaking && rng.chance(50) { "!" } else { "" };
    let scope = if rng.chance(60) {
        format!("({})", rng.pick(SCOPES))
    } else {
        String::new()
    };
    let thing = rng.pick(THINGS);
    let mut text = if kind == "revert" {
        format!("revert: feat{scope}: {verb} {thing}\n")
    } else {
        format!("{kind}{scope}{bang}: {verb} {thing}")
    };
    if kind != "revert" {
        if rng.chance(20) {
            *pr += 1;
            let _ = write!(text, " (#{pr})");
        }
        text.push('\n');
    }
    if kind == "revert" || rng.chance(35) {
        for _ in 0..1 + rng.below(3) {
            text.push('\n');
            let sentences = 1 + rng.below(4);
            let paragraph: Vec<&str> = (0..sentences).map(|_| rng.pick(SENTENCES)).collect();
            text.push_str(&wrap(&paragraph.join(" "), 72));
        }
        if kind == "revert" {
            text.push_str("\nThis reverts an earlier commit that broke the release on Windows.\n");
        }
    }
    let mut footers = Vec::new();
    if breaking && bang.is_empty() {
        footers.push(format!(
            "BREAKING CHANGE: {thing} now behave differently; see the migration notes"
        ));
    }
    if rng.chance(12) {
        footers.push(format!("Refs: #{}", 100 + rng.below(9000)));
    }
    if rng.chance(6) {
        let (name, email, _) = AUTHORS[rng.below(AUTHORS.len())];
        footers.push(format!("Reviewed-by: {name} <{email}>"));
    }
    if rng.chance(4) {
        let (name, email, _) = AUTHORS[rng.below(AUTHORS.len())];
        footers.push(format!("Co-authored-by: {name} <{email}>"));
    }
    if !footers.is_empty() {
        text.push('\n');
        for footer in footers {
            text.push_str(&footer);
            text.push('\n');
        }
    }
    text
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out.push('\n');
    out
}

/// Writes a `git fast-import` stream.
struct Stream {
    out: Vec<u8>,
    marks: usize,
    time: u64,
}

impl Stream {
    fn data(&mut self, bytes: &[u8]) {
        let _ = writeln!(self.out, "data {}", bytes.len());
        self.out.extend_from_slice(bytes);
        self.out.push(b'\n');
    }

    /// A commit on `branch`; returns its mark.
    fn commit(
        &mut self,
        branch: &str,
        author: (&str, &str, &str),
        message: &str,
        from: Option<usize>,
        merge: Option<usize>,
        files: &[(String, String)],
    ) -> usize {
        self.marks += 1;
        self.time += 600;
        let (name, email, zone) = author;
        let _ = write!(
            self.out,
            "commit {branch}\nmark :{}\nauthor {name} <{email}> {} {zone}\ncommitter {name} <{email}> {} {zone}\n",
            self.marks, self.time, self.time
        );
        self.data(message.as_bytes());
        if let Some(from) = from {
            let _ = writeln!(self.out, "from :{from}");
        }
        if let Some(merge) = merge {
            let _ = writeln!(self.out, "merge :{merge}");
        }
        for (path, content) in files {
            let _ = writeln!(self.out, "M 100644 inline {path}");
            self.data(content.as_bytes());
        }
        self.marks
    }
}

fn version_json(version: &str) -> String {
    format!("{{\n  \"name\": \"bench\",\n  \"version\": \"{version}\"\n}}\n")
}

/// The whole history as a fast-import stream.
fn history() -> Vec<u8> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = Stream {
        out: Vec::with_capacity(64 << 20),
        marks: 0,
        time: 1_500_000_000,
    };
    let maintainer = ("Bench Maintainer", "maintainer@example.com", "+0000");
    let config =
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\ndev = false\n";
    let mut files = vec![
        ("xtask.toml".to_string(), config.to_string()),
        ("VERSION.json".to_string(), version_json("0.0.0")),
        (
            "README.md".to_string(),
            "# bench\n\nA synthetic project for the speed benchmark.\n".to_string(),
        ),
    ];
    for module in MODULES {
        files.push((format!("src/{module}.rs"), format!("//! {module}\n")));
    }
    let mut main = s.commit(
        "refs/heads/main",
        maintainer,
        "chore: initial commit\n",
        None,
        None,
        &files,
    );
    let mut written = 1;
    let mut released = 0;
    let mut pr = 0;
    // Release k is the commit numbered release_at(k), tagged v0.0.k.
    let release_at = |k: usize| k * (COMMITS - TAIL) / TAGS;
    let change = |rng: &mut Rng, n: usize, message: &str| -> Vec<(String, String)> {
        let module = if message.starts_with("docs") {
            format!("docs/{}.md", rng.pick(MODULES))
        } else {
            format!("src/{}.rs", rng.pick(MODULES))
        };
        let content = format!("// revision {n}\n{}", message.lines().next().unwrap_or(""));
        vec![(module, content)]
    };
    while written < COMMITS {
        if released < TAGS && written + 1 == release_at(released + 1) {
            released += 1;
            let version = format!("0.0.{released}");
            main = s.commit(
                "refs/heads/main",
                maintainer,
                &format!("chore(release): {version}\n"),
                None,
                None,
                &[("VERSION.json".to_string(), version_json(&version))],
            );
            written += 1;
            let _ = write!(
                s.out,
                "tag v{version}\nfrom :{main}\ntagger {} <{}> {} +0000\n",
                maintainer.0, maintainer.1, s.time
            );
            s.data(format!("Release {version}\n").as_bytes());
            continue;
        }
        let patch_only = released == TAGS;
        let limit = if released < TAGS {
            release_at(released + 1) - 1
        } else {
            COMMITS
        };
        let topic = 2 + rng.below(3);
        if rng.chance(1) && written + topic < limit {
            // A topic branch of a few commits, merged with a merge commit.
            let mut tip = main;
            for i in 0..topic {
                let author = AUTHORS[rng.below(AUTHORS.len())];
                let text = message(&mut rng, patch_only, &mut pr);
                let changes = change(&mut rng, written, &text);
                tip = s.commit(
                    "refs/heads/topic",
                    author,
                    &text,
                    (i == 0).then_some(main),
                    None,
                    &changes,
                );
                written += 1;
            }
            pr += 1;
            let author = AUTHORS[rng.below(AUTHORS.len())];
            let text = format!(
                "Merge pull request #{pr} from {}/topic-{pr}\n",
                author.1.split('@').next().unwrap_or("someone")
            );
            main = s.commit("refs/heads/main", author, &text, Some(main), Some(tip), &[]);
            written += 1;
            continue;
        }
        let author = AUTHORS[rng.below(AUTHORS.len())];
        let text = message(&mut rng, patch_only, &mut pr);
        let changes = change(&mut rng, written, &text);
        main = s.commit("refs/heads/main", author, &text, None, None, &changes);
        written += 1;
    }
    s.out.extend_from_slice(b"done\n");
    s.out
}
