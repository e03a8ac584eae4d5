//! `init --ci github|gitlab`: the files pass the forges' schemas (`check-jsonschema`), re-runs upgrade only
//! what the kit wrote, and each workflow's `run:` commands (GitLab: `before_script` and `script`) do what
//! they say when run against a fixture repository, in the environment the event gives them.
//!
//! How the workflows are run here: each file is parsed as YAML (yaml-rust2); the steps of every job are run
//! in order, `uses:` steps skipped (the fixture is already a full clone, as `actions/checkout` with
//! `fetch-depth: 0` makes it), each `run:` as GitHub runs it (`bash --noprofile --norc -eo pipefail FILE`),
//! with the step's `env:` (its `${{ … }}` replaced from a table the test gives; an expression not in the
//! table fails the test) and the `GITHUB_*` variables of the event. `cargo` on `PATH` is a stand-in that
//! runs the binary under test for `cargo xtask …` (what the alias would build), and `gh` one that records
//! its arguments and standard input.

use std::path::PathBuf;
use std::process::Command;

use tempfile::TempDir;
use yaml_rust2::{Yaml, YamlLoader};

use crate::support::{self, Repo, Run, write_executable, xtask_bin};

const GITHUB_FILES: [&str; 4] = [
    ".github/workflows/xtask-verify.yml",
    ".github/workflows/xtask-release-pr.yml",
    ".github/workflows/xtask-release-finish.yml",
    ".github/workflows/xtask-nightly.yml",
];
const GITLAB_JOBS: &str = ".gitlab/xtask-release.yml";

/// A project at 0.1.0 (released: `v0.1.0`) whose messages must be conventional, with the kit installed
/// by `init --ci FORGE` and committed, and pushed to a bare `origin`.
struct Project {
    repo: Repo,
    _origin: TempDir,
    origin: PathBuf,
    /// The stand-ins' folder, first on `PATH`.
    bin: PathBuf,
}

fn project(forge: &str) -> Project {
    let repo = support::conventional_json_project("");
    repo.xtask(&["init", ".", "--ci", forge, "--yes"]).ok();
    repo.commit("chore: adopt the xtask release kit");
    let origin_dir = TempDir::new().unwrap();
    let origin = origin_dir.path().join("origin.git");
    let origin_text = origin.to_str().unwrap();
    repo.git(&[
        "init",
        "--quiet",
        "--bare",
        "--initial-branch=main",
        origin_text,
    ]);
    // The forge's address, as a CI checkout has it; git is sent to the local bare repository instead.
    let url = match forge {
        "gitlab" => "https://gitlab.com/o/r.git",
        _ => "https://github.com/o/r.git",
    };
    repo.git(&["config", &format!("url.{origin_text}.insteadOf"), url]);
    repo.git(&["remote", "add", "origin", url]);
    repo.git(&["push", "--quiet", "origin", "main", "v0.1.0"]);
    repo.git(&["fetch", "--quiet", "origin"]);
    let bin = repo.home.path().join("bin");
    let xtask = xtask_bin();
    write_executable(
        &bin.join("cargo"),
        format!(
            "#!/bin/sh\n# `cargo xtask …` runs the binary under test, as the alias would after building it.\n\
             if [ \"$1\" = xtask ]; then shift; exec '{}' \"$@\"; fi\n\
             echo \"stand-in cargo: not a kit command: $*\" >&2\nexit 97\n",
            xtask.display()
        )
        .as_bytes(),
    );
    for forge_cli in ["gh", "glab"] {
        let log = repo.home.path().join(format!("{forge_cli}.log"));
        write_executable(
            &bin.join(forge_cli),
            format!(
                "#!/bin/sh\n# Records its arguments (one per line, then a blank line) and its standard input.\n\
                 {{ for a in \"$@\"; do printf '%s\\n' \"$a\"; done; echo; }} >> '{log}'\n\
                 if [ ! -t 0 ]; then cat >> '{log}.stdin'; fi\n\
                 # Listings as the real CLIs print them when there is nothing to list.\n\
                 case \"$1 $2\" in \"pr list\"|\"mr list\") echo '[]';; esac\n",
                log = log.display()
            )
            .as_bytes(),
        );
    }
    Project {
        repo,
        _origin: origin_dir,
        origin,
        bin,
    }
}

impl Project {
    /// What the stand-in `gh` (or `glab`) recorded.
    fn calls(&self, cli: &str) -> String {
        std::fs::read_to_string(self.repo.home.path().join(format!("{cli}.log")))
            .unwrap_or_default()
    }

    /// Runs `script` as a step: bash as GitHub runs it, the stand-ins first on PATH, `env` set.
    fn run_script(&self, script: &str, env: &[(String, String)]) -> Run {
        let file = self.repo.home.path().join("step.sh");
        std::fs::write(&file, script).unwrap();
        let mut command = self.repo.command(
            "bash",
            &[
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                file.to_str().unwrap(),
            ],
        );
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.bin.clone()];
        paths.extend(std::env::split_paths(&path));
        command.env("PATH", std::env::join_paths(paths).unwrap());
        for (k, v) in env {
            command.env(k, v);
        }
        support::run(command)
    }

    /// Runs every `run:` of the workflow's jobs in order, stopping at the first failure; the runs' output
    /// together and the last exit code.
    fn run_workflow(&self, rel: &str, event: &[(&str, &str)], expressions: &[(&str, &str)]) -> Run {
        let text = self.repo.read(rel);
        let mut all = Run {
            code: 0,
            stdout: String::new(),
            stderr: String::new(),
        };
        // What earlier steps wrote to `$GITHUB_ENV` (`KEY=VALUE` lines), set for the later ones.
        let github_env = event
            .iter()
            .find(|(k, _)| *k == "GITHUB_ENV")
            .map(|(_, v)| PathBuf::from(v));
        for step in github_steps(&text) {
            let mut env: Vec<(String, String)> = event
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            if let Some(file) = &github_env {
                let written = std::fs::read_to_string(file).unwrap_or_default();
                env.extend(written.lines().filter_map(|l| {
                    let (k, v) = l.split_once('=')?;
                    Some((k.to_string(), v.to_string()))
                }));
            }
            for (key, value) in &step.env {
                env.push((key.clone(), evaluate(value, expressions)));
            }
            let run = self.run_script(&step.run, &env);
            all.code = run.code;
            all.stdout += &run.stdout;
            all.stderr += &run.stderr;
            if run.code != 0 {
                break;
            }
        }
        all
    }
}

/// One `run:` step of a GitHub workflow.
struct Step {
    env: Vec<(String, String)>,
    run: String,
}

/// The `run:` steps of every job, in order (`uses:` steps have none).
fn github_steps(text: &str) -> Vec<Step> {
    let docs = YamlLoader::load_from_str(text).expect("the workflow is YAML");
    let workflow = &docs[0];
    let jobs = workflow["jobs"].as_hash().expect("jobs");
    let mut steps = Vec::new();
    for (_, job) in jobs {
        for step in job["steps"].as_vec().expect("steps") {
            let Some(run) = step["run"].as_str() else {
                assert!(
                    step["uses"].as_str().is_some(),
                    "a step without run or uses"
                );
                continue;
            };
            let env = step["env"]
                .as_hash()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().unwrap().to_string(),
                                v.as_str().unwrap().to_string(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            steps.push(Step {
                env,
                run: run.to_string(),
            });
        }
    }
    steps
}

/// `${{ expr }}` in an `env:` value, replaced from `table`; any other expression fails the test.
fn evaluate(value: &str, table: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("an unclosed expression") + start;
        let expr = rest[start + 3..end].trim();
        let (_, found) = table
            .iter()
            .find(|(e, _)| *e == expr)
            .unwrap_or_else(|| panic!("the test gives no value for ${{{{ {expr} }}}}"));
        out.push_str(found);
        rest = &rest[end + 2..];
    }
    out + rest
}

/// A GitLab job's `before_script` (its own, or that of the last template it `extends` that has one) and
/// `script`, as one shell script (GitLab runs them in one shell, stopping at the first failure).
fn gitlab_job_script(text: &str, job: &str) -> String {
    let docs = YamlLoader::load_from_str(text).expect("the pipeline is YAML");
    let pipeline = &docs[0];
    let lines = |node: &Yaml| -> Option<Vec<String>> {
        node.as_vec().map(|v| {
            v.iter()
                .map(|l| l.as_str().expect("a script line").to_string())
                .collect()
        })
    };
    let the_job = &pipeline[job];
    assert!(!the_job.is_badvalue(), "no job {job}");
    let templates: Vec<&str> = match &the_job["extends"] {
        Yaml::String(one) => vec![one.as_str()],
        Yaml::Array(many) => many.iter().filter_map(Yaml::as_str).collect(),
        _ => Vec::new(),
    };
    let before = lines(&the_job["before_script"])
        .or_else(|| {
            templates
                .iter()
                .rev()
                .find_map(|t| lines(&pipeline[*t]["before_script"]))
        })
        .unwrap_or_default();
    let script = lines(&the_job["script"]).expect("script");
    before
        .into_iter()
        .chain(script)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The schema checker from PyPI, or `None` (with the reason) when it is not installed.
fn schema_checker() -> Result<Vec<String>, String> {
    let works = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works("check-jsonschema", &[]) {
        return Ok(vec!["check-jsonschema".into()]);
    }
    if works("python3", &["-m", "check_jsonschema"]) {
        return Ok(vec![
            "python3".into(),
            "-m".into(),
            "check_jsonschema".into(),
        ]);
    }
    Err(
        "check-jsonschema (PyPI) is not installed: `python3 -m pip install check-jsonschema` \
         (.ci/run does), or set XTASK_SKIP_SCHEMA_CHECK=1 to skip this check knowingly"
            .into(),
    )
}

fn check_schema(schema: &str, files: &[PathBuf]) {
    let checker = match schema_checker() {
        Ok(checker) => checker,
        Err(why) if std::env::var_os("XTASK_SKIP_SCHEMA_CHECK").is_some() => {
            eprintln!("skipped: {why}");
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let out = Command::new(&checker[0])
        .args(&checker[1..])
        .args(["--builtin-schema", schema])
        .args(files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{schema}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn init_ci_files_pass_the_forges_schemas() {
    let repo = Repo::new();
    repo.write("VERSION", "0.1.0\n");
    repo.commit("chore: initial import");
    let dry = repo
        .xtask(&["init", ".", "--ci", "github", "--dry-run"])
        .ok()
        .says("create .github/workflows/xtask-verify.yml (CI)");
    assert!(!repo.path().join(".github").exists(), "{}", dry.stdout);
    repo.xtask(&["init", ".", "--ci", "github", "--yes"])
        .ok()
        .says("README: \"CI workflows and making verify binding\"");
    let github: Vec<PathBuf> = GITHUB_FILES.iter().map(|f| repo.path().join(f)).collect();
    check_schema("vendor.github-workflows", &github);
    repo.xtask(&["init", ".", "--ci", "gitlab", "--yes"])
        .ok()
        .says("create .gitlab-ci.yml:");
    check_schema(
        "vendor.gitlab-ci",
        &[
            repo.path().join(GITLAB_JOBS),
            repo.path().join(".gitlab-ci.yml"),
        ],
    );
    // Both are the kit's now: a re-run without --ci keeps them, current.
    let again = repo.xtask(&["init", ".", "--yes"]).ok();
    assert!(
        !again.stdout.contains("no longer ships"),
        "{}",
        again.stdout
    );
    again.says("nothing to change");
}

#[test]
fn init_ci_reruns_upgrade_only_the_files_the_kit_wrote() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [\"VERSION\"]\n\n[release]\nbranches = [\"develop\"]\nline_branch = \"release-{{ major }}.{{ minor }}\"\n",
    );
    repo.write("VERSION", "0.1.0\n");
    repo.commit("chore: initial import");
    repo.xtask(&["init", ".", "--ci", "github", "--yes"]).ok();
    let finish = repo.read(".github/workflows/xtask-release-finish.yml");
    assert!(
        finish.contains("    branches:\n      - 'develop'\n      - 'release-*.*'\n"),
        "{finish}"
    );
    // The user makes the nightly theirs; the release branches change.
    let nightly = ".github/workflows/xtask-nightly.yml";
    let theirs = repo.read(nightly).replace("17 3 * * *", "0 1 * * *");
    repo.write(nightly, &theirs);
    repo.write(
        "xtask.toml",
        &repo.read("xtask.toml").replace("\"develop\"", "\"trunk\""),
    );
    let run = repo
        .xtask(&["init", ".", "--yes"])
        .ok()
        .says("upgrade .github/workflows/xtask-release-finish.yml")
        .says(&format!(
            "{nightly}: changed since the kit wrote it: kept as it is"
        ));
    assert!(!run.stdout.contains("no longer ships"), "{}", run.stdout);
    assert_eq!(repo.read(nightly), theirs);
    assert!(
        repo.read(".github/workflows/xtask-release-finish.yml")
            .contains("      - 'trunk'\n      - 'release-*.*'\n")
    );
    // A workflow the user deleted stays deleted; `--ci` asks for it again.
    std::fs::remove_file(repo.path().join(nightly)).unwrap();
    repo.xtask(&["init", ".", "--yes"]).ok().says(&format!(
        "{nightly}: deleted since the kit wrote it: not written again (`init --ci github` writes it)"
    ));
    assert!(!repo.path().join(nightly).exists());
    repo.xtask(&["init", ".", "--ci", "github", "--yes"])
        .ok()
        .says(&format!("create {nightly} (CI)"));
    assert!(repo.path().join(nightly).exists());

    // A workflow of the user's own at the kit's path is never overwritten.
    let other = Repo::new();
    other.write("VERSION", "0.1.0\n");
    other.write(".github/workflows/xtask-verify.yml", "name: mine\n");
    other.write(
        ".gitlab-ci.yml",
        "include:\n  - template: Jobs/SAST.gitlab-ci.yml\n",
    );
    other.commit("chore: initial import");
    other
        .xtask(&["init", ".", "--ci", "github", "--yes"])
        .ok()
        .says(".github/workflows/xtask-verify.yml: not written by the kit: kept as it is");
    assert_eq!(
        other.read(".github/workflows/xtask-verify.yml"),
        "name: mine\n"
    );
    // A pipeline with an include of its own: the kit's jobs are written, the include is the user's to add.
    other
        .xtask(&["init", ".", "--ci", "gitlab", "--yes"])
        .ok()
        .says("add `- local: .gitlab/xtask-release.yml` to it");
    assert_eq!(
        other.read(".gitlab-ci.yml"),
        "include:\n  - template: Jobs/SAST.gitlab-ci.yml\n"
    );
    assert!(other.path().join(GITLAB_JOBS).exists());

    // An unknown forge, or a broken xtask.toml: refused, nothing written.
    let before = other.state();
    other
        .xtask(&["init", ".", "--ci", "jenkins", "--yes"])
        .fails(2)
        .says("[possible values: github, gitlab]");
    assert_eq!(other.state(), before);
    repo.write("xtask.toml", "[release]\nline_branch = \"stable\"\n");
    let before = repo.state();
    repo.xtask(&["init", ".", "--ci", "github", "--yes"])
        .fails(1)
        .says("the CI files need its release branches, but it does not load")
        .says("nothing was changed");
    assert_eq!(repo.state(), before);
}

/// The GitHub variables of a pull request from `head` into `main`.
fn pull_request(head: &str) -> Vec<(&'static str, String)> {
    vec![
        ("GITHUB_ACTIONS", "true".into()),
        ("CI", "true".into()),
        ("GITHUB_EVENT_NAME", "pull_request".into()),
        ("GITHUB_BASE_REF", "main".into()),
        ("GITHUB_HEAD_REF", head.into()),
        ("GITHUB_REF", "refs/pull/1/merge".into()),
    ]
}

fn pairs<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn github_verify_and_nightly_workflows_run_against_a_fixture() {
    let p = project("github");
    let repo = &p.repo;
    let verify = ".github/workflows/xtask-verify.yml";
    // A pull request with a conventional commit on a well-named branch.
    repo.git(&["switch", "--quiet", "--create", "feature/x"]);
    repo.write("a.txt", "a\n");
    repo.commit("feat: a");
    // actions/checkout gives the pull request's merge commit (refs/pull/1/merge), detached.
    let head = repo.git(&["rev-parse", "HEAD"]);
    let base = repo.git(&["rev-parse", "main"]);
    repo.git(&["checkout", "--quiet", "--detach", "main"]);
    repo.git(&[
        "merge",
        "--no-ff",
        "--quiet",
        "-m",
        &format!("Merge {head} into {base}"),
        &head,
    ]);
    p.run_workflow(verify, &pairs(&pull_request("feature/x")), &[])
        .ok()
        .says("verified origin/main..HEAD, 2 commits, branch feature/x: nothing refused");
    // One that breaks the rules: refused with the hooks' words, as annotations too.
    repo.git(&["switch", "--quiet", "--create", "wip-stuff", "main"]);
    repo.commit("wip");
    let refused = p
        .run_workflow(verify, &pairs(&pull_request("wip-stuff")), &[])
        .fails(1)
        .says("commits.conventional: commit ")
        .says("branches.allowed: ");
    assert!(
        refused
            .stdout
            .lines()
            .any(|l| l.starts_with("::error ::commits.conventional: commit ")),
        "{}",
        refused.stdout
    );
    // A push to main: the event's `before` up to HEAD.
    repo.git(&["switch", "--quiet", "main"]);
    let before = repo.git(&["rev-parse", "HEAD"]);
    repo.write("b.txt", "b\n");
    repo.commit("fix: b");
    let event = repo.home.path().join("push.json");
    std::fs::write(
        &event,
        format!(
            "{{\"before\": \"{before}\", \"after\": \"{}\"}}",
            repo.git(&["rev-parse", "HEAD"])
        ),
    )
    .unwrap();
    p.run_workflow(
        verify,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ],
        &[],
    )
    .ok()
    .says(&format!(
        "verified {before}..HEAD, 1 commit, branch main: nothing refused"
    ));

    // The nightly: stamps the version files and hands the version to the next steps.
    let github_env = repo.home.path().join("github_env");
    std::fs::write(&github_env, "").unwrap();
    let nightly = format!("0.1.1-rc.{}", support::RELEASE_DAY.replace('-', ""));
    p.run_workflow(
        ".github/workflows/xtask-nightly.yml",
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_NAME", "schedule"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_ENV", github_env.to_str().unwrap()),
        ],
        &[],
    )
    .ok()
    .says(&format!("building nightly {nightly}"));
    assert_eq!(
        std::fs::read_to_string(&github_env).unwrap(),
        format!("NIGHTLY_VERSION={nightly}\n")
    );
    assert!(repo.read("VERSION.json").contains(&nightly));
    // Nothing reached a forge CLI.
    assert_eq!(p.calls("gh"), "");
}

#[test]
fn gitlab_verify_and_nightly_jobs_run_against_a_fixture() {
    let p = project("gitlab");
    let repo = &p.repo;
    let text = repo.read(GITLAB_JOBS);
    let gitlab = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        [
            ("GITLAB_CI", "true"),
            ("CI", "true"),
            ("GITLAB_USER_NAME", "Maintainer O'Hara"),
            ("GITLAB_USER_EMAIL", "m@example.com"),
        ]
        .iter()
        .chain(pairs)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    // A merge request pipeline, on its own clone: the target branch is fetched by the job.
    repo.git(&["switch", "--quiet", "--create", "feature/x"]);
    repo.write("a.txt", "a\n");
    repo.commit("feat: a");
    repo.git(&["update-ref", "-d", "refs/remotes/origin/main"]);
    let verify = gitlab_job_script(&text, "xtask-verify");
    let mr = [
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature/x"),
    ];
    p.run_script(&verify, &gitlab(&mr))
        .ok()
        .says("verified origin/main..HEAD, 1 commit, branch feature/x: nothing refused");
    assert_eq!(repo.git(&["config", "user.name"]), "Maintainer O'Hara");
    repo.git(&["switch", "--quiet", "--create", "wip-stuff", "main"]);
    repo.commit("wip");
    let bad_mr = [
        ("CI_PIPELINE_SOURCE", "merge_request_event"),
        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "wip-stuff"),
    ];
    p.run_script(&verify, &gitlab(&bad_mr))
        .fails(1)
        .says("commits.conventional: commit ")
        .says("branches.allowed: ");
    // A push of a release tag.
    repo.git(&["switch", "--quiet", "main"]);
    p.run_script(
        &verify,
        &gitlab(&[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_TAG", "v0.1.0")]),
    )
    .ok()
    .says("verified refs/tags/v0.1.0, 1 commit, 1 tag(s): nothing refused");

    let nightly = format!("0.1.1-rc.{}", support::RELEASE_DAY.replace('-', ""));
    p.run_script(
        &gitlab_job_script(&text, "xtask-nightly"),
        &gitlab(&[("CI_PIPELINE_SOURCE", "schedule")]),
    )
    .ok()
    .says(&format!("building nightly {nightly}"));
    assert!(repo.read("VERSION.json").contains(&nightly));
    assert_eq!(p.calls("glab"), "");
}

/// The release pull request and its finish, as the workflows run them (the commands come with the lead's
/// `release --pr`/`--finish`).
#[test]
fn github_release_workflows_run_against_a_fixture() {
    let p = project("github");
    let repo = &p.repo;
    repo.write("a.txt", "a\n");
    repo.commit("feat: a");
    repo.git(&["push", "--quiet", "origin", "main"]);
    let secrets = [
        (
            "secrets.XTASK_RELEASE_TOKEN || secrets.GITHUB_TOKEN",
            "test-token",
        ),
        ("inputs.level", "minor"),
        ("inputs.pre", "none"),
        ("github.ref", "refs/heads/main"),
    ];
    let dispatch = [
        ("GITHUB_ACTIONS", "true"),
        ("CI", "true"),
        ("GITHUB_EVENT_NAME", "workflow_dispatch"),
        ("GITHUB_REF", "refs/heads/main"),
        ("GITHUB_REF_NAME", "main"),
    ];
    p.run_workflow(
        ".github/workflows/xtask-release-pr.yml",
        &dispatch,
        &secrets,
    )
    .ok();
    let calls = p.calls("gh");
    assert!(calls.contains("pr\ncreate\n"), "{calls}");
    let origin = |args: &[&str]| {
        let mut all = vec!["--git-dir", p.origin.to_str().unwrap()];
        all.extend_from_slice(args);
        repo.git(&all)
    };
    let branch = origin(&["for-each-ref", "--format=%(refname)", "refs/heads/release/"]);
    assert_eq!(branch, "refs/heads/release/v0.2.0");
    // The pull request is merged (a merge commit), and CI runs the finish on the push to main.
    repo.git(&["fetch", "--quiet", "origin"]);
    repo.git(&["switch", "--quiet", "main"]);
    repo.git(&[
        "merge",
        "--no-ff",
        "--quiet",
        "-m",
        "Merge pull request #1 from release/v0.2.0",
        "origin/release/v0.2.0",
    ]);
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.git(&["checkout", "--quiet", "--detach", "main"]);
    let push = [
        ("GITHUB_ACTIONS", "true"),
        ("CI", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_REF", "refs/heads/main"),
        ("GITHUB_REF_NAME", "main"),
    ];
    p.run_workflow(
        ".github/workflows/xtask-release-finish.yml",
        &push,
        &secrets,
    )
    .ok();
    assert!(
        origin(&["tag", "--list", "v0.2.0"]).contains("v0.2.0"),
        "the finish pushed the tag"
    );
    assert!(
        p.calls("gh").contains("release\ncreate\nv0.2.0\n"),
        "{}",
        p.calls("gh")
    );
    // Run again on the same push: nothing to do.
    p.run_workflow(
        ".github/workflows/xtask-release-finish.yml",
        &push,
        &secrets,
    )
    .ok();
}

#[test]
fn gitlab_release_jobs_run_against_a_fixture() {
    let p = project("gitlab");
    let repo = &p.repo;
    let text = repo.read(GITLAB_JOBS);
    repo.write("a.txt", "a\n");
    repo.commit("feat: a");
    repo.git(&["push", "--quiet", "origin", "main"]);
    // The jobs push through the token's URL: point that at the fixture's origin instead.
    let script = |job: &str| {
        gitlab_job_script(&text, job).replace(
            "git remote set-url origin \"https://oauth2:${XTASK_RELEASE_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git\"",
            "true",
        )
    };
    let vars = |source: &str| -> Vec<(String, String)> {
        [
            ("GITLAB_CI", "true"),
            ("CI", "true"),
            ("CI_PIPELINE_SOURCE", source),
            ("CI_COMMIT_BRANCH", "main"),
            ("CI_COMMIT_REF_NAME", "main"),
            ("GITLAB_USER_NAME", "Maintainer"),
            ("GITLAB_USER_EMAIL", "m@example.com"),
            ("XTASK_RELEASE_TOKEN", "test-token"),
            ("LEVEL", "minor"),
            ("PRE", "none"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    p.run_script(&script("xtask-release-mr"), &vars("web")).ok();
    // The merge request is opened by `glab`, or by git push options: the branch is there either way.
    let origin = p.origin.to_str().unwrap();
    assert_eq!(
        repo.git(&[
            "--git-dir",
            origin,
            "for-each-ref",
            "--format=%(refname)",
            "refs/heads/release/"
        ]),
        "refs/heads/release/v0.2.0"
    );
    repo.git(&["fetch", "--quiet", "origin"]);
    repo.git(&[
        "merge",
        "--no-ff",
        "--quiet",
        "-m",
        "Merge branch 'release/v0.2.0' into 'main'",
        "origin/release/v0.2.0",
    ]);
    repo.git(&["push", "--quiet", "origin", "main"]);
    repo.git(&["checkout", "--quiet", "--detach", "main"]);
    p.run_script(&script("xtask-release-finish"), &vars("push"))
        .ok();
    assert!(
        repo.git(&["--git-dir", origin, "tag", "--list", "v0.2.0"])
            .contains("v0.2.0")
    );
    assert!(
        p.calls("glab").contains("release\ncreate\nv0.2.0\n"),
        "{}",
        p.calls("glab")
    );
}
