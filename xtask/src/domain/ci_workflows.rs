//! The CI files `xtask init --ci github|gitlab` writes: verify on every pull request and push, the release
//! pull request on demand, the finish of a merged release on every push to a release branch, and a nightly
//! example. Pure text: the release branches come in (from `xtask.toml`), the files' paths and texts go out.
//!
//! Nothing a user or an event controls is ever expanded by the forge into a shell line (`${{ … }}` in a
//! `run:` is a script injection): inputs reach the scripts as environment variables, quoted there.

/// The forges whose CI files the kit writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forge {
    GitHub,
    GitLab,
}

impl Forge {
    /// `--ci github` / `--ci gitlab`.
    pub fn parse(text: &str) -> Result<Forge, String> {
        match text {
            "github" => Ok(Forge::GitHub),
            "gitlab" => Ok(Forge::GitLab),
            other => Err(format!(
                "--ci {other:?}: the kit writes CI files for \"github\" (GitHub Actions) or \"gitlab\" (GitLab CI)"
            )),
        }
    }

    /// The name `--ci` takes.
    pub fn name(self) -> &'static str {
        match self {
            Forge::GitHub => "github",
            Forge::GitLab => "gitlab",
        }
    }

    /// The paths of the files the kit writes and keeps up to date for this forge.
    pub fn paths(self) -> &'static [&'static str] {
        match self {
            Forge::GitHub => &[
                GITHUB_VERIFY,
                GITHUB_RELEASE_PR,
                GITHUB_RELEASE_FINISH,
                GITHUB_NIGHTLY,
            ],
            Forge::GitLab => &[GITLAB_JOBS],
        }
    }
}

pub const GITHUB_VERIFY: &str = ".github/workflows/xtask-verify.yml";
pub const GITHUB_RELEASE_PR: &str = ".github/workflows/xtask-release-pr.yml";
pub const GITHUB_RELEASE_FINISH: &str = ".github/workflows/xtask-release-finish.yml";
pub const GITHUB_NIGHTLY: &str = ".github/workflows/xtask-nightly.yml";
/// GitLab has one pipeline file: the kit's jobs live in a file of their own, which `.gitlab-ci.yml`
/// includes (see [`gitlab_ci_including`]).
pub const GITLAB_JOBS: &str = ".gitlab/xtask-release.yml";
pub const GITLAB_CI: &str = ".gitlab-ci.yml";

/// The levels the release pull request can be asked for (`release --pr LEVEL`).
const LEVELS: &[&str] = &[
    "auto", "patch", "minor", "major", "rc", "alpha", "beta", "release",
];
/// The pre-release kinds (`--pre KIND`); `none` for a plain release.
const PRE_KINDS: &[&str] = &["none", "rc", "alpha", "beta", "dev"];

/// The files for `forge`, paths and texts, with `release_branches` (the patterns of `release.branches`
/// and `release.line_branch`, as the kit writes them: `main`, `stable/{{ major }}.{{ minor }}`) as the
/// branches whose pushes finish a release.
pub fn files(forge: Forge, release_branches: &[String]) -> Vec<(String, String)> {
    match forge {
        Forge::GitHub => {
            let branches: String = release_branches
                .iter()
                .map(|b| format!("      - {}\n", yaml_quote(&github_glob(b))))
                .collect();
            vec![
                (GITHUB_VERIFY.into(), github_verify()),
                (GITHUB_RELEASE_PR.into(), github_release_pr()),
                (GITHUB_RELEASE_FINISH.into(), github_finish(&branches)),
                (GITHUB_NIGHTLY.into(), github_nightly()),
            ]
        }
        Forge::GitLab => vec![(
            GITLAB_JOBS.into(),
            gitlab_jobs(&gitlab_regex(release_branches)),
        )],
    }
}

/// A `.gitlab-ci.yml` that includes the kit's jobs: the whole file when there is none, the file with the
/// `include` added when it is a plain mapping without one; `Err` with what to add by hand otherwise.
/// `Ok(None)`: it already includes them.
pub fn gitlab_ci_including(existing: Option<&str>) -> Result<Option<String>, String> {
    let line = format!("  - local: {GITLAB_JOBS}\n");
    let Some(text) = existing else {
        return Ok(Some(format!(
            "# The project's pipeline. `xtask init --ci gitlab` added the include below: the release kit's jobs\n\
             # (verify, the release merge request, the release's finish, a nightly example) are in that file.\n\
             include:\n{line}"
        )));
    };
    if text.contains(GITLAB_JOBS) {
        return Ok(None);
    }
    let has_include = text
        .lines()
        .any(|l| l.starts_with("include:") || l.starts_with("\"include\""));
    if has_include {
        return Err(format!(
            "{GITLAB_CI} has an `include:` of its own: add `- local: {GITLAB_JOBS}` to it (the kit's jobs)"
        ));
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!(
        "\n# The release kit's jobs (added by `xtask init --ci gitlab`).\ninclude:\n{line}"
    ));
    Ok(Some(out))
}

/// A piece of one of the kit's branch patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// `{{ major }}`, `{{ minor + 1 }}`, …: a number.
    Number,
    /// `**`: any number of path segments.
    Segments,
    /// `*`: within one segment.
    Star,
    Char(char),
}

/// The pieces of a branch pattern, left to right; a `{{` that is never closed is plain text.
fn pieces(pattern: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        let (piece, after) = if let Some(after) = rest.strip_prefix("{{")
            && let Some(end) = after.find("}}")
        {
            (Piece::Number, &after[end + 2..])
        } else if let Some(after) = rest.strip_prefix("**") {
            (Piece::Segments, after)
        } else if let Some(after) = rest.strip_prefix('*') {
            (Piece::Star, after)
        } else {
            (Piece::Char(c), &rest[c.len_utf8()..])
        };
        out.push(piece);
        rest = after;
    }
    out
}

/// A branch pattern of the kit as a GitHub Actions branch filter: `{{ major }}` and `{{ minor }}` are
/// numbers (no `/`), so `*`; `*` and `**` mean the same in both; the filter's other special characters
/// are escaped.
pub fn github_glob(pattern: &str) -> String {
    let mut out = String::new();
    for piece in pieces(pattern) {
        match piece {
            Piece::Number | Piece::Star => out.push('*'),
            Piece::Segments => out.push_str("**"),
            Piece::Char(c) => {
                if matches!(c, '?' | '+' | '[' | ']' | '!' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    out
}

/// The kit's branch patterns as one anchored regular expression for GitLab's `=~` (RE2, between
/// slashes): `{{ major }}` a number, `*` one segment, `**` any number of them.
pub fn gitlab_regex(patterns: &[String]) -> String {
    let one = |pattern: &str| {
        let mut out = String::new();
        for piece in pieces(pattern) {
            match piece {
                Piece::Number => out.push_str("[0-9]+"),
                Piece::Segments => out.push_str(".+"),
                Piece::Star => out.push_str("[^/]*"),
                Piece::Char('/') => out.push_str("\\/"),
                Piece::Char(c) if c.is_ascii_alphanumeric() || c == '_' || c == '-' => out.push(c),
                Piece::Char(c) => {
                    out.push('\\');
                    out.push(c);
                }
            }
        }
        out
    };
    let alternatives: Vec<String> = patterns.iter().map(|p| one(p)).collect();
    format!("/^({})$/", alternatives.join("|"))
}

/// A YAML single-quoted scalar: nothing in it is special but the quote, doubled.
fn yaml_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

const HEADER: &str = "# Written by `xtask init --ci`. `init` upgrades this file as long as you leave it as it is; once you\n\
                      # change it, it is yours and `init` keeps it (see the kit's kit-files.json).\n";

/// Checkout with the whole history and the tags: verify and release read them.
const CHECKOUT: &str = "      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
";

/// The release jobs' checkout: pushes with `XTASK_RELEASE_TOKEN` when the repository has that secret (a
/// fine-grained token or an app's), since what `GITHUB_TOKEN` pushes or opens starts no workflow: the release
/// pull request would wait forever for its required `verify` check.
const RELEASE_CHECKOUT: &str = "      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
          token: ${{ secrets.XTASK_RELEASE_TOKEN || secrets.GITHUB_TOKEN }}
";

/// The identity of the commits and tags CI makes. With `release.maintainers` (or `release.signers`), list
/// this e-mail there, or the hooks and `verify` refuse CI's release tags.
const IDENTITY: &str = "      - name: Git identity of the commits and tags CI makes (list it in release.maintainers if you use that)
        run: |
          git config user.name 'github-actions[bot]'
          git config user.email '41898282+github-actions[bot]@users.noreply.github.com'
";

fn github_verify() -> String {
    format!(
        "{HEADER}#
# Judges what each pull request and push brings exactly as the kit's pre-receive hook would: commit
# messages, the branch's name, release tags (annotated, version = files, right line, maintainer), and no
# release tag moved or deleted. Make it binding: branch protection with this job as a required status
# check (see the README: \"CI workflows and making verify binding\").
name: xtask verify
on:
  pull_request:
  push:
  delete:
permissions:
  contents: read
jobs:
  verify:
    name: verify
    runs-on: ubuntu-latest
    steps:
{CHECKOUT}      - name: Judge the commits, branch and tags as the server's hook would
        run: cargo xtask verify
"
    )
}

fn github_release_pr() -> String {
    let options = |list: &[&str]| -> String {
        list.iter()
            .map(|o| format!("          - {o}\n"))
            .collect::<String>()
    };
    format!(
        "{HEADER}#
# Run it from the Actions tab (on the development branch or a release line's branch): it makes the branch
# with the release commit (version files, changelog), pushes it and opens the release pull request, or
# refreshes the one that is open. Merging it releases: xtask-release-finish.yml tags and publishes.
name: xtask release pull request
on:
  workflow_dispatch:
    inputs:
      level:
        description: What to release (auto reads the commits since the last release)
        type: choice
        default: auto
        options:
{}      pre:
        description: Start a pre-release of that level (with patch, minor or major)
        type: choice
        default: none
        options:
{}permissions:
  contents: write
  pull-requests: write
# One release step at a time per branch: a pull request is never made while a finish runs.
concurrency:
  group: xtask-release-${{{{ github.ref }}}}
  cancel-in-progress: false
jobs:
  release-pr:
    runs-on: ubuntu-latest
    steps:
{RELEASE_CHECKOUT}{IDENTITY}      - name: Open or refresh the release pull request
        env:
          GH_TOKEN: ${{{{ secrets.XTASK_RELEASE_TOKEN || secrets.GITHUB_TOKEN }}}}
          # The inputs reach the script as variables, never as text pasted into it.
          LEVEL: ${{{{ inputs.level }}}}
          PRE: ${{{{ inputs.pre }}}}
        run: |
          set -- --pr \"$LEVEL\" --yes
          if [ \"$PRE\" != none ]; then set -- \"$@\" --pre \"$PRE\"; fi
          cargo xtask release \"$@\"
",
        options(LEVELS),
        options(PRE_KINDS),
    )
}

fn github_finish(branches: &str) -> String {
    format!(
        "{HEADER}#
# On every push to a release branch: when the push merged a release pull request, tags the release on the
# right commit, pushes the tag, creates the GitHub release with that version's notes and does the
# development-version step; on any other push it does nothing and says so. The branches are xtask.toml's
# release.branches and release.line_branch: run `xtask init --ci github` again after changing them.
name: xtask release finish
on:
  push:
    branches:
{branches}permissions:
  contents: write
  pull-requests: write
# Two finishes never race: one at a time per branch, none cancelled halfway.
concurrency:
  group: xtask-release-${{{{ github.ref }}}}
  cancel-in-progress: false
jobs:
  finish:
    runs-on: ubuntu-latest
    steps:
{RELEASE_CHECKOUT}{IDENTITY}      - name: Tag and publish a merged release (nothing to do on other pushes)
        env:
          GH_TOKEN: ${{{{ secrets.XTASK_RELEASE_TOKEN || secrets.GITHUB_TOKEN }}}}
        run: cargo xtask release --finish --yes
"
    )
}

fn github_nightly() -> String {
    format!(
        "{HEADER}#
# An example nightly build: the version X.Y.Z-rc.YYYYMMDD sorts above the last release and below the next.
# Replace the last step with your own build and publish.
name: xtask nightly
on:
  schedule:
    - cron: '17 3 * * *'
  workflow_dispatch:
permissions:
  contents: read
jobs:
  nightly:
    runs-on: ubuntu-latest
    steps:
{CHECKOUT}      - name: Stamp the nightly version into the version files
        run: |
          version=$(cargo xtask version --nightly)
          cargo xtask bump --nightly
          echo \"NIGHTLY_VERSION=$version\" >> \"$GITHUB_ENV\"
      - name: Build (your build and publish go here)
        run: echo \"building nightly $NIGHTLY_VERSION\"
"
    )
}

fn gitlab_jobs(branches: &str) -> String {
    let mr_rule = yaml_quote(&format!(
        "$CI_PIPELINE_SOURCE == \"web\" && $CI_COMMIT_BRANCH =~ {branches}"
    ));
    let finish_rule = yaml_quote(&format!(
        "$CI_PIPELINE_SOURCE == \"push\" && $CI_COMMIT_BRANCH =~ {branches}"
    ));
    format!(
        "{HEADER}#
# The release kit's jobs, included by .gitlab-ci.yml. Set up once (see the README's \"CI workflows and
# making verify binding\"): a project access token with the api and write_repository scopes, as the masked
# CI/CD variable XTASK_RELEASE_TOKEN (git pushes the release with it, glab opens merge requests and
# releases). Nothing from a merge request's author reaches a shell line unquoted: the shell expands the
# variables, inside quotes.

# The form of \"Run pipeline\" offers these two.
variables:
  LEVEL:
    value: auto
    description: What `xtask-release-mr` releases (auto reads the commits since the last release)
    options:
{}  PRE:
    value: none
    description: Start a pre-release of that level (with patch, minor or major)
    options:
{}
.xtask:
  image: rust:1
  variables:
    # verify and release read the whole history and the tags.
    GIT_DEPTH: \"0\"
  before_script:
    - git config user.name \"$GITLAB_USER_NAME\"
    - git config user.email \"$GITLAB_USER_EMAIL\"

.xtask-push-access:
  before_script:
    - git config user.name \"$GITLAB_USER_NAME\"
    - git config user.email \"$GITLAB_USER_EMAIL\"
    - test -n \"$XTASK_RELEASE_TOKEN\" || {{ echo 'set the CI/CD variable XTASK_RELEASE_TOKEN (a project access token)'; exit 1; }}
    - export GITLAB_TOKEN=\"$XTASK_RELEASE_TOKEN\"
    - git remote set-url origin \"https://oauth2:${{XTASK_RELEASE_TOKEN}}@${{CI_SERVER_HOST}}/${{CI_PROJECT_PATH}}.git\"
    - command -v glab >/dev/null || {{ apt-get update -qq && apt-get install -y -qq glab; }} || echo 'glab is missing, so the kit prints the commands to run by hand'

# Judges what each merge request and push brings exactly as the kit's pre-receive hook would.
xtask-verify:
  extends: .xtask
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"
    - if: $CI_PIPELINE_SOURCE == \"push\"
  script:
    - |
      if [ -n \"$CI_MERGE_REQUEST_TARGET_BRANCH_NAME\" ]; then
        git fetch --quiet origin \"+refs/heads/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME:refs/remotes/origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME\"
      fi
    - cargo xtask verify

# Run a pipeline (Build > Pipelines > Run pipeline) on the development or a line branch, with LEVEL and PRE:
# makes the release branch and opens (or refreshes) the release merge request.
xtask-release-mr:
  extends: [.xtask, .xtask-push-access]
  stage: deploy
  resource_group: xtask-release-$CI_COMMIT_REF_NAME
  rules:
    - if: {mr_rule}
  script:
    - set -- --pr \"$LEVEL\" --yes
    - if [ \"$PRE\" != none ]; then set -- \"$@\" --pre \"$PRE\"; fi
    - cargo xtask release \"$@\"

# On every push to a release branch: tags and publishes a merged release; nothing on other pushes.
xtask-release-finish:
  extends: [.xtask, .xtask-push-access]
  stage: deploy
  # One finish at a time per branch (GitLab queues the next; none is cancelled halfway).
  resource_group: xtask-release-$CI_COMMIT_REF_NAME
  rules:
    - if: {finish_rule}
  script:
    - cargo xtask release --finish --yes

# An example nightly build (a pipeline schedule): X.Y.Z-rc.YYYYMMDD sorts above the last release and below
# the next. Replace the echo with your own build and publish.
xtask-nightly:
  extends: .xtask
  stage: build
  rules:
    - if: $CI_PIPELINE_SOURCE == \"schedule\"
  script:
    - version=$(cargo xtask version --nightly)
    - cargo xtask bump --nightly
    - echo \"building nightly $version\"
",
        LEVELS
            .iter()
            .map(|o| format!("      - {o}\n"))
            .collect::<String>(),
        PRE_KINDS
            .iter()
            .map(|o| format!("      - {o}\n"))
            .collect::<String>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kit_patterns_as_github_filters() {
        let table = [
            ("main", "main"),
            ("stable/{{ major }}.{{ minor }}", "stable/*.*"),
            ("release-v{{major}}.{{minor}}", "release-v*.*"),
            ("release/**", "release/**"),
            ("hot+fix?", "hot\\+fix\\?"),
            ("a/***", "a/***"),
            ("v{{ major", "v{{ major"),
        ];
        for (pattern, glob) in table {
            assert_eq!(github_glob(pattern), glob, "{pattern}");
        }
    }

    #[test]
    fn kit_patterns_as_one_gitlab_regex() {
        let patterns = [
            "main",
            "master",
            "stable/{{ major }}.{{ minor }}",
            "rel/**",
            "x*",
            "v{{ major",
        ]
        .map(String::from);
        assert_eq!(
            gitlab_regex(&patterns),
            "/^(main|master|stable\\/[0-9]+\\.[0-9]+|rel\\/.+|x[^/]*|v\\{\\{\\ major)$/"
        );
    }

    #[test]
    fn the_finish_runs_on_the_release_branches_and_nothing_reaches_a_shell_line_unquoted() {
        let branches = ["main", "it's/{{ major }}.{{ minor }}"].map(String::from);
        let github = files(Forge::GitHub, &branches);
        let gitlab = files(Forge::GitLab, &branches);
        let paths: Vec<&str> = github.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, Forge::GitHub.paths());
        let finish = &github[2].1;
        assert!(finish.contains("    branches:\n      - 'main'\n      - 'it''s/*.*'\n"));
        for (path, text) in github.iter().chain(&gitlab) {
            assert!(text.starts_with("# Written by `xtask init --ci`"), "{path}");
            // `${{ }}` only as the value of a variable or the concurrency group, never in a script.
            for line in text.lines().filter(|l| l.contains("${{")) {
                let key = line.trim_start().split(':').next().unwrap_or_default();
                assert!(
                    ["GH_TOKEN", "LEVEL", "PRE", "group", "token"].contains(&key),
                    "{path}: {line}"
                );
            }
        }
        assert!(gitlab[0].1.contains(
            "    - if: '$CI_PIPELINE_SOURCE == \"push\" && $CI_COMMIT_BRANCH =~ /^(main|it\\''s\\/[0-9]+\\.[0-9]+)$/'\n"
        ));
    }

    #[test]
    fn the_forge_is_named() {
        assert_eq!(Forge::parse("github"), Ok(Forge::GitHub));
        assert_eq!(Forge::parse("gitlab"), Ok(Forge::GitLab));
        assert!(Forge::parse("jenkins").unwrap_err().contains("\"github\""));
        for forge in [Forge::GitHub, Forge::GitLab] {
            assert_eq!(Forge::parse(forge.name()), Ok(forge));
        }
    }

    #[test]
    fn gitlab_ci_gains_the_include_once() {
        let fresh = gitlab_ci_including(None).unwrap().unwrap();
        assert!(fresh.ends_with("include:\n  - local: .gitlab/xtask-release.yml\n"));
        assert_eq!(gitlab_ci_including(Some(&fresh)), Ok(None));
        let own = "stages: [build]\nbuild:\n  script: make";
        let edited = gitlab_ci_including(Some(own)).unwrap().unwrap();
        assert!(edited.starts_with("stages: [build]\nbuild:\n  script: make\n\n# The release kit"));
        assert_eq!(gitlab_ci_including(Some(&edited)), Ok(None));
        let included = "include:\n  - template: Security/SAST.gitlab-ci.yml\n";
        assert!(
            gitlab_ci_including(Some(included))
                .unwrap_err()
                .contains("add `- local: .gitlab/xtask-release.yml`")
        );
    }
}
