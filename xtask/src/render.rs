//! Templates (minijinja): the changelog section and the commit and tag messages.

use std::path::Path;

use anyhow::{Result, anyhow};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::config::Config;
use crate::domain::changelog::{Changes, Entry, Group};
use crate::domain::version::Version;

/// The default changelog section template, compiled into the binary.
pub const DEFAULT_CHANGELOG_TEMPLATE: &str = include_str!("../../templates/changelog.md.j2");
/// The header a new changelog file starts with.
pub const DEFAULT_CHANGELOG_HEADER: &str = include_str!("../../templates/changelog-header.md");
/// Where a repository may override the changelog template.
pub const OVERRIDE_PATH: &str = "templates/changelog.md.j2";

const CHANGELOG: &str = "changelog";

/// What a changelog template sees.
#[derive(Debug, Serialize)]
pub struct SectionContext<'a> {
    /// `None` for the unreleased section.
    pub version: Option<String>,
    pub previous: Option<String>,
    pub tag: Option<String>,
    pub previous_tag: Option<String>,
    pub date: String,
    pub repository_url: Option<String>,
    pub breaking: &'a [Entry],
    pub groups: &'a [Group],
    /// Every listed commit, newest first.
    pub commits: Vec<&'a Entry>,
}

impl<'a> SectionContext<'a> {
    pub fn new(
        changes: &'a Changes,
        version: Option<&Version>,
        previous: Option<&Version>,
        date: &str,
    ) -> Self {
        let mut commits: Vec<&Entry> = changes
            .groups
            .iter()
            .flat_map(|g| g.entries.iter())
            .collect();
        commits.dedup_by(|a, b| a.hash == b.hash);
        SectionContext {
            version: version.map(Version::to_string),
            previous: previous.map(Version::to_string),
            tag: None,
            previous_tag: None,
            date: date.to_string(),
            repository_url: None,
            breaking: &changes.breaking,
            groups: &changes.groups,
            commits,
        }
    }
}

/// What commit and tag message templates see.
#[derive(Debug, Serialize)]
pub struct MessageContext {
    pub version: String,
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: String,
    pub previous: String,
    pub tag: String,
    pub date: String,
}

impl MessageContext {
    pub fn new(version: &Version, previous: &Version, tag: &str, date: &str) -> MessageContext {
        MessageContext {
            version: version.to_string(),
            major: version.major,
            minor: version.minor,
            patch: version.patch,
            pre: version.pre.to_string(),
            previous: previous.to_string(),
            tag: tag.to_string(),
            date: date.to_string(),
        }
    }
}

pub struct Renderer {
    env: Environment<'static>,
    changelog_name: String,
}

impl Renderer {
    /// The embedded defaults, overridden by `changelog.template` or the repository's `templates/changelog.md.j2`.
    pub fn new(root: &Path, config: &Config) -> Result<Renderer> {
        let mut env = base_environment();
        let (name, source) = match &config.changelog.template {
            Some(path) => (path.clone(), read_template(root, path)?),
            None if root.join(OVERRIDE_PATH).is_file() => (
                OVERRIDE_PATH.to_string(),
                read_template(root, OVERRIDE_PATH)?,
            ),
            None => (
                "templates/changelog.md.j2 (built in)".to_string(),
                DEFAULT_CHANGELOG_TEMPLATE.to_string(),
            ),
        };
        env.add_template_owned(CHANGELOG, source)
            .map_err(|e| template_error(&name, &e))?;
        Ok(Renderer {
            env,
            changelog_name: name,
        })
    }

    /// The built-in templates only (for tests and for repositories without a work tree).
    pub fn builtin() -> Renderer {
        let mut env = base_environment();
        // The built-in template is tested to compile; a failure here is a bug in the kit, not user input.
        let _ = env.add_template_owned(CHANGELOG, DEFAULT_CHANGELOG_TEMPLATE);
        Renderer {
            env,
            changelog_name: "built-in changelog template".into(),
        }
    }

    pub fn changelog(&self, context: &SectionContext) -> Result<String> {
        let template = self
            .env
            .get_template(CHANGELOG)
            .map_err(|e| template_error(&self.changelog_name, &e))?;
        let text = template
            .render(Value::from(Serde(context)))
            .map_err(|e| template_error(&self.changelog_name, &e))?;
        Ok(tidy(&text))
    }

    /// Renders a one-off message template such as `release.commit`; `key` names it in errors.
    pub fn message(&self, key: &str, source: &str, context: &MessageContext) -> Result<String> {
        self.env
            .render_named_str(key, source, Value::from(Serde(context)))
            .map(|s| s.trim().to_string())
            .map_err(|e| template_error(key, &e))
    }
}

fn base_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.add_filter("pr_links", pr_links);
    env
}

/// Turns `(#123)` into a link to the pull request when the repository's URL is known.
fn pr_links(text: String, url: Option<String>) -> String {
    let Some(url) = url.filter(|u| !u.is_empty()) else {
        return text;
    };
    let url = url.trim_end_matches('/');
    let re = regex::Regex::new(r"\(#(\d+)\)").expect("a valid constant pattern");
    re.replace_all(&text, |c: &regex::Captures| {
        format!("([#{n}]({url}/pull/{n}))", n = &c[1])
    })
    .into_owned()
}

fn read_template(root: &Path, rel: &str) -> Result<String> {
    std::fs::read_to_string(root.join(rel))
        .map_err(|e| anyhow!("{rel}: cannot read the template: {e}"))
}

fn template_error(name: &str, e: &minijinja::Error) -> anyhow::Error {
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    match e.line() {
        Some(line) => anyhow!("{name}:{line}: template error: {}{detail}", e.kind()),
        None => anyhow!("{name}: template error: {}{detail}", e.kind()),
    }
}

/// Collapses runs of blank lines, puts one blank line around headings and ends with one newline, so that
/// templates need not fuss over whitespace.
fn tidy(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    let mut after_heading = false;
    for line in text.trim().lines().map(str::trim_end) {
        let heading = line.starts_with('#');
        let last_blank = lines.last().is_none_or(|l| l.is_empty());
        if line.is_empty() {
            if !last_blank {
                lines.push("");
            }
        } else {
            if (heading || after_heading) && !last_blank {
                lines.push("");
            }
            lines.push(line);
        }
        if !line.is_empty() {
            after_heading = heading;
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Today's date (UTC) as YYYY-MM-DD, or the date of `SOURCE_DATE_EPOCH` when set (reproducible builds).
pub fn release_date() -> Result<String> {
    let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.is_empty() => text.trim().parse::<i64>().map_err(|_| {
            crate::UsageError(format!(
                "SOURCE_DATE_EPOCH={text:?} is not a number of seconds since 1970: fix or unset it"
            ))
        })?,
        _ => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    };
    date_of(seconds)
}

pub fn date_of(seconds: i64) -> Result<String> {
    let date = time::OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|_| anyhow!("{seconds} is out of range for a date"))?
        .date();
    Ok(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_of(0).unwrap(), "1970-01-01");
        assert_eq!(date_of(1_700_000_000).unwrap(), "2023-11-14");
    }

    #[test]
    fn pr_links_only_with_url() {
        assert_eq!(pr_links("add x (#12)".into(), None), "add x (#12)");
        assert_eq!(
            pr_links("add x (#12)".into(), Some("https://h/o/r/".into())),
            "add x ([#12](https://h/o/r/pull/12))"
        );
    }

    #[test]
    fn message_errors_name_the_key_and_line() {
        let r = Renderer::builtin();
        let v = Version::new(1, 2, 3);
        let ctx = MessageContext::new(&v, &Version::new(1, 2, 2), "v1.2.3", "2024-01-01");
        assert_eq!(
            r.message("release.commit", "Bump version to {{ version }}", &ctx)
                .unwrap(),
            "Bump version to 1.2.3"
        );
        assert_eq!(
            r.message(
                "version.dev",
                "{{ major }}.{{ minor }}.{{ patch + 1 }}-dev",
                &ctx
            )
            .unwrap(),
            "1.2.4-dev"
        );
        let e = r
            .message("release.commit", "{{ verson }}", &ctx)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("release.commit:1: template error"), "{e}");
    }
}
