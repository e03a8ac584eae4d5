//! The forge a repository is hosted on (GitHub, GitLab) and the calls of its own CLI (`gh`, `glab`) that
//! a release through review makes: pull requests, forge releases, and the URLs to do either by hand.
//! Pure: the arguments are built here, `ops::forge` runs them.

use serde::Deserialize;

/// Which forge: recognised from the remote's URL, or set with `[forge] kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[serde(rename = "github")]
    GitHub,
    #[serde(rename = "gitlab")]
    GitLab,
    None,
}

impl Kind {
    /// The forge's CLI program.
    pub fn cli(self) -> Option<&'static str> {
        match self {
            Kind::GitHub => Some("gh"),
            Kind::GitLab => Some("glab"),
            Kind::None => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::GitHub => "GitHub",
            Kind::GitLab => "GitLab",
            Kind::None => "no forge",
        }
    }

    /// What the forge calls a pull request.
    pub fn request_noun(self) -> &'static str {
        match self {
            Kind::GitLab => "merge request",
            _ => "pull request",
        }
    }
}

/// Where a repository lives on its forge: `https://github.com/owner/name` is host `github.com`, path
/// `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub host: String,
    pub path: String,
}

/// The forge and location a remote URL names: `https://host/path(.git)`, `ssh://git@host/path`,
/// `git@host:path`. A host named `github.com` (or `*.github.com`, GitHub Enterprise's `github.*`) is GitHub;
/// one with `gitlab` in its name is GitLab; anything else (a path, a self-hosted server) is no forge.
pub fn recognise(url: &str) -> (Kind, Option<Location>) {
    let Some(location) = location_of(url) else {
        return (Kind::None, None);
    };
    let host = location.host.to_ascii_lowercase();
    let kind =
        if host == "github.com" || host.ends_with(".github.com") || host.starts_with("github.") {
            Kind::GitHub
        } else if host.split('.').any(|label| label.contains("gitlab")) {
            Kind::GitLab
        } else {
            Kind::None
        };
    (kind, Some(location))
}

fn location_of(url: &str) -> Option<Location> {
    let rest = if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(scheme, "https" | "http" | "ssh" | "git") {
            return None;
        }
        rest
    } else {
        // scp-like `user@host:path`; a local path has no `:` before its first `/`.
        let (before, _) = url.split_once(':')?;
        // A one-letter "host" is a Windows drive (`C:/repos/x`).
        if before.contains('/') || before.len() < 2 {
            return None;
        }
        return split_host_path(&url.replacen(':', "/", 1));
    };
    split_host_path(rest)
}

fn split_host_path(text: &str) -> Option<Location> {
    let (authority, path) = text.split_once('/')?;
    let host = authority.rsplit('@').next()?;
    // A port is not part of the web address.
    let host = host.split(':').next()?;
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    (!host.is_empty() && path.contains('/')).then(|| Location {
        host: host.to_string(),
        path: path.to_string(),
    })
}

/// The web page that opens a pull (merge) request from `head` into `base` by hand.
pub fn new_request_url(kind: Kind, location: &Location, base: &str, head: &str) -> Option<String> {
    let root = format!("https://{}/{}", location.host, location.path);
    match kind {
        Kind::GitHub => Some(format!(
            "{root}/compare/{}...{}?expand=1",
            url_part(base),
            url_part(head)
        )),
        Kind::GitLab => Some(format!(
            "{root}/-/merge_requests/new?merge_request%5Bsource_branch%5D={}&merge_request%5Btarget_branch%5D={}",
            url_part(head),
            url_part(base)
        )),
        Kind::None => None,
    }
}

/// The web page that drafts a release of `tag` by hand.
pub fn new_release_url(kind: Kind, location: &Location, tag: &str) -> Option<String> {
    let root = format!("https://{}/{}", location.host, location.path);
    match kind {
        Kind::GitHub => Some(format!("{root}/releases/new?tag={}", url_part(tag))),
        Kind::GitLab => Some(format!("{root}/-/releases/new?tag_name={}", url_part(tag))),
        Kind::None => None,
    }
}

/// Percent-encodes what a branch or tag name may hold and a URL may not (`/` stays: forges take it as is).
fn url_part(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Whether a refused push says the branch is protected (GitHub's `GH006: Protected branch update failed`,
/// GitLab's "not allowed to push code to protected branches", a server hook's "… is protected"): then
/// only a pull request can bring the change.
pub fn protected_refusal(said: &str) -> bool {
    let said = said.to_ascii_lowercase();
    said.contains("protected branch") || said.contains("gh006") || said.contains(" is protected")
}

/// A line every release pull request's body ends with: how the kit finds its own open pull request again
/// (to refresh it instead of opening a second one), whatever its branch is called.
pub const MARKER: &str = "<!-- xtask: release pull request -->";

/// The body of a release pull request: the release notes, what merging does, and the marker.
pub fn request_body(notes: &str, version: &str, kind: Kind) -> String {
    let noun = kind.request_noun();
    format!(
        "{}\n\n---\nMerging this {noun} releases {version}: on the push, CI runs `cargo xtask release --finish`, \
         which tags the release commit, pushes the tag and publishes the release with these notes.\n\n{MARKER}\n",
        notes.trim_end()
    )
}

/// An open pull request, as `gh pr list --json number,headRefName,url,body` or `glab mr list -F json` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenRequest {
    pub number: u64,
    pub branch: String,
    pub url: String,
}

#[derive(Deserialize)]
struct GhRequest {
    number: u64,
    #[serde(rename = "headRefName")]
    head_ref_name: String,
    url: String,
    #[serde(default)]
    body: Option<String>,
}

#[derive(Deserialize)]
struct GlabRequest {
    iid: u64,
    source_branch: String,
    web_url: String,
    #[serde(default)]
    description: Option<String>,
}

/// The kit's own open release request among a listing (the one whose body carries [`MARKER`]); an error
/// says what the CLI printed when it is not the listing expected.
pub fn own_open_request(kind: Kind, listing: &str) -> Result<Option<OpenRequest>, String> {
    let requests: Vec<(OpenRequest, Option<String>)> = match kind {
        Kind::GitHub => serde_json::from_str::<Vec<GhRequest>>(listing)
            .map_err(|e| {
                format!("gh printed something else than the pull requests asked for ({e})")
            })?
            .into_iter()
            .map(|r| {
                (
                    OpenRequest {
                        number: r.number,
                        branch: r.head_ref_name,
                        url: r.url,
                    },
                    r.body,
                )
            })
            .collect(),
        Kind::GitLab => serde_json::from_str::<Vec<GlabRequest>>(listing)
            .map_err(|e| {
                format!("glab printed something else than the merge requests asked for ({e})")
            })?
            .into_iter()
            .map(|r| {
                (
                    OpenRequest {
                        number: r.iid,
                        branch: r.source_branch,
                        url: r.web_url,
                    },
                    r.description,
                )
            })
            .collect(),
        Kind::None => return Ok(None),
    };
    Ok(requests
        .into_iter()
        .filter(|(_, body)| body.as_deref().is_some_and(|b| b.contains(MARKER)))
        .map(|(request, _)| request)
        .min_by_key(|request| request.number))
}

/// The CLI calls. `gh` reads bodies and notes on standard input (`-` as the file), never from the command
/// line; `glab` takes them as one argument each (no shell is involved, so the text is data either way).
pub mod calls {
    use super::Kind;

    /// One run of the forge's CLI: its arguments and what goes to its standard input.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Call {
        pub args: Vec<String>,
        pub stdin: Option<String>,
    }

    fn call(words: &[&str]) -> Call {
        Call {
            args: words.iter().map(|w| w.to_string()).collect(),
            stdin: None,
        }
    }

    impl Call {
        /// `text` after `gh_flag -` on standard input for `gh`; after `glab_flag` as an argument for
        /// `glab`, whose merge request descriptions have no way in from standard input (`-` opens an
        /// editor).
        fn with_text(self, gh_flag: &str, glab_flag: &str, kind: Kind, text: &str) -> Call {
            match kind {
                Kind::GitLab => {
                    let mut call = self;
                    call.args.push(glab_flag.to_string());
                    call.args.push(text.to_string());
                    call
                }
                _ => self.with_stdin(gh_flag, text),
            }
        }

        /// `text` on standard input, after `flag -`.
        fn with_stdin(mut self, flag: &str, text: &str) -> Call {
            self.args.push(flag.to_string());
            self.args.push("-".to_string());
            self.stdin = Some(text.to_string());
            self
        }
    }

    /// Whether the CLI is logged in (or has a token in its environment).
    pub fn auth_status() -> Call {
        call(&["auth", "status"])
    }

    /// The open requests into `base`, with what [`super::own_open_request`] reads.
    pub fn list_open(kind: Kind, base: &str) -> Call {
        match kind {
            Kind::GitLab => call(&["mr", "list", "--target-branch", base, "--output", "json"]),
            _ => call(&[
                "pr",
                "list",
                "--state",
                "open",
                "--base",
                base,
                "--json",
                "number,headRefName,url,body",
            ]),
        }
    }

    /// Opens a request from `head` into `base`.
    pub fn create_request(kind: Kind, base: &str, head: &str, title: &str, body: &str) -> Call {
        match kind {
            Kind::GitLab => call(&[
                "mr",
                "create",
                "--yes",
                "--target-branch",
                base,
                "--source-branch",
                head,
                "--title",
                title,
            ]),
            _ => call(&[
                "pr", "create", "--base", base, "--head", head, "--title", title,
            ]),
        }
        .with_text("--body-file", "--description", kind, body)
    }

    /// Gives an open request a new title and body.
    pub fn edit_request(kind: Kind, number: u64, title: &str, body: &str) -> Call {
        let number = number.to_string();
        match kind {
            Kind::GitLab => call(&["mr", "update", &number, "--title", title]),
            _ => call(&["pr", "edit", &number, "--title", title]),
        }
        .with_text("--body-file", "--description", kind, body)
    }

    /// Publishes the release of a tag the forge already has, with `notes`.
    pub fn create_release(
        kind: Kind,
        tag: &str,
        title: &str,
        notes: &str,
        prerelease: bool,
        draft: bool,
    ) -> Call {
        let mut release = match kind {
            Kind::GitLab => call(&["release", "create", tag, "--name", title]),
            _ => call(&["release", "create", tag, "--verify-tag", "--title", title]),
        };
        if kind == Kind::GitHub {
            if prerelease {
                release.args.push("--prerelease".into());
            }
            if draft {
                release.args.push("--draft".into());
            }
        }
        // Both read the notes from standard input: a long section fits no argument (Linux caps one at
        // 128 KiB).
        release.with_stdin("--notes-file", notes)
    }

    /// Succeeds when the forge has a release of `tag`.
    pub fn view_release(tag: &str) -> Call {
        call(&["release", "view", tag])
    }

    /// Deletes the release of `tag` (not the tag): the undo of [`create_release`].
    pub fn delete_release(tag: &str) -> Call {
        call(&["release", "delete", tag, "--yes"])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_name_their_forge() {
        type Case<'a> = (&'a str, Kind, Option<(&'a str, &'a str)>);
        let cases: &[Case] = &[
            (
                "https://github.com/Qiskit/qiskit.git",
                Kind::GitHub,
                Some(("github.com", "Qiskit/qiskit")),
            ),
            (
                "git@github.com:instructlab/instructlab.git",
                Kind::GitHub,
                Some(("github.com", "instructlab/instructlab")),
            ),
            (
                "ssh://git@github.com:22/o/r",
                Kind::GitHub,
                Some(("github.com", "o/r")),
            ),
            (
                "https://gitlab.com/group/sub/proj.git",
                Kind::GitLab,
                Some(("gitlab.com", "group/sub/proj")),
            ),
            (
                "git@gitlab.example.org:team/proj.git",
                Kind::GitLab,
                Some(("gitlab.example.org", "team/proj")),
            ),
            (
                "https://git.example.org/team/proj.git",
                Kind::None,
                Some(("git.example.org", "team/proj")),
            ),
            ("/srv/git/proj.git", Kind::None, None),
            ("../origin.git", Kind::None, None),
            ("file:///srv/git/proj.git", Kind::None, None),
            ("C:/repos/x", Kind::None, None),
        ];
        for (url, kind, location) in cases {
            let (got_kind, got_location) = recognise(url);
            assert_eq!(got_kind, *kind, "{url}");
            assert_eq!(
                got_location.map(|l| (l.host, l.path)),
                location.map(|(h, p)| (h.to_string(), p.to_string())),
                "{url}"
            );
        }
    }

    #[test]
    fn protected_branch_refusals_are_recognised() {
        let cases = [
            (
                "remote: error: GH006: Protected branch update failed for refs/heads/main.",
                true,
            ),
            (
                "remote: GitLab: You are not allowed to push code to protected branches on this project.",
                true,
            ),
            ("remote: main is protected: merge a pull request", true),
            (
                "fatal: unable to access 'https://github.com/o/r/': Could not resolve host",
                false,
            ),
            ("! [rejected] main -> main (non-fast-forward)", false),
        ];
        for (said, expected) in cases {
            assert_eq!(protected_refusal(said), expected, "{said}");
        }
    }

    #[test]
    fn hand_made_urls_encode_names() {
        let location = Location {
            host: "github.com".into(),
            path: "o/r".into(),
        };
        assert_eq!(
            new_request_url(Kind::GitHub, &location, "main", "release/v1.4.0").as_deref(),
            Some("https://github.com/o/r/compare/main...release/v1.4.0?expand=1")
        );
        assert_eq!(
            new_request_url(Kind::GitHub, &location, "stable/1.4", "release/v1.4.1+x").as_deref(),
            Some("https://github.com/o/r/compare/stable/1.4...release/v1.4.1%2Bx?expand=1")
        );
        assert_eq!(
            new_release_url(Kind::GitLab, &location, "v1 ").as_deref(),
            Some("https://github.com/o/r/-/releases/new?tag_name=v1%20")
        );
        assert_eq!(new_request_url(Kind::None, &location, "a", "b"), None);
    }

    #[test]
    fn the_kits_own_request_is_found_by_its_marker() {
        let listing = format!(
            r#"[{{"number":7,"headRefName":"feature","url":"u7","body":"hello"}},
                {{"number":9,"headRefName":"release/v1.4.0","url":"u9","body":"notes\n{MARKER}\n"}}]"#
        );
        assert_eq!(
            own_open_request(Kind::GitHub, &listing),
            Ok(Some(OpenRequest {
                number: 9,
                branch: "release/v1.4.0".into(),
                url: "u9".into()
            }))
        );
        assert_eq!(own_open_request(Kind::GitHub, "[]"), Ok(None));
        assert!(own_open_request(Kind::GitHub, "not json").is_err());
        let gitlab = format!(
            r#"[{{"iid":3,"source_branch":"release/v2.0.0","web_url":"w3","description":"{MARKER}"}}]"#
        );
        assert_eq!(
            own_open_request(Kind::GitLab, &gitlab).map(|r| r.map(|r| r.number)),
            Ok(Some(3))
        );
    }

    #[test]
    fn calls_take_names_as_single_arguments() {
        let call =
            calls::create_request(Kind::GitHub, "main", "release/$(x)", "chore: 'q'", "notes");
        assert_eq!(call.stdin.as_deref(), Some("notes"));
        assert_eq!(
            call.args,
            vec![
                "pr",
                "create",
                "--base",
                "main",
                "--head",
                "release/$(x)",
                "--title",
                "chore: 'q'",
                "--body-file",
                "-"
            ]
        );
        let release =
            calls::create_release(Kind::GitHub, "v1.0.0-rc.1", "v1.0.0-rc.1", "n", true, true).args;
        assert!(release.contains(&"--verify-tag".to_string()));
        assert!(release.contains(&"--prerelease".to_string()));
        assert!(release.contains(&"--draft".to_string()));
        let gitlab = calls::create_release(Kind::GitLab, "v1", "v1", "the notes", true, false);
        assert_eq!(gitlab.stdin.as_deref(), Some("the notes"));
        assert!(
            gitlab
                .args
                .ends_with(&["--notes-file".to_string(), "-".to_string()])
        );
    }

    #[test]
    fn the_body_carries_notes_and_marker() {
        let body = request_body("### Features\n- x\n", "1.4.0", Kind::GitHub);
        assert!(body.starts_with("### Features\n- x\n\n---\n"));
        assert!(body.contains("releases 1.4.0"));
        assert!(body.trim_end().ends_with(MARKER));
    }
}
