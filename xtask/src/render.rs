//! Templates (minijinja): the changelog section and the commit and tag messages.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use anyhow::{Result, anyhow};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::config::Config;
use crate::domain::changelog::{Changes, Entry, Group};
use crate::domain::version::{Scheme, Version};

/// The default changelog section template, compiled into the binary.
pub const DEFAULT_CHANGELOG_TEMPLATE: &str = crate::kit::CHANGELOG_TEMPLATE;
/// The header a new changelog file starts with.
pub const DEFAULT_CHANGELOG_HEADER: &str = crate::kit::CHANGELOG_HEADER;
/// The header a new changelog starts with, for a project whose versions follow `scheme`: a PEP 440
/// project's does not claim Semantic Versioning.
pub fn changelog_header(scheme: crate::domain::version::Scheme) -> String {
    match scheme {
        crate::domain::version::Scheme::Semver => DEFAULT_CHANGELOG_HEADER.to_string(),
        crate::domain::version::Scheme::Pep440 => DEFAULT_CHANGELOG_HEADER.replace(
            "[Semantic Versioning](https://semver.org/spec/v2.0.0.html)",
            "[PEP 440](https://peps.python.org/pep-0440/) versions",
        ),
    }
}

/// Where a repository may override the changelog template.
pub const OVERRIDE_PATH: &str = "templates/changelog.md.j2";

const CHANGELOG: &str = "changelog";

/// The most work one render may do (minijinja's fuel: about one unit per instruction, and per 64 bytes
/// allocated). A template from the repository is code the maintainer runs by releasing; a loop gone wrong must
/// end with an error, not hang a CI job. The default template renders one section of 200,000 commits (with
/// `repository_url` links) within it, measured; a nested loop over 10,000 × 10,000 stops in about a second.
pub const TEMPLATE_FUEL: u64 = 10_000_000;

/// What a changelog template sees.
#[derive(Debug, Serialize)]
pub struct SectionContext {
    /// `None` for the unreleased section.
    pub version: Option<String>,
    pub previous: Option<String>,
    pub tag: Option<String>,
    pub previous_tag: Option<String>,
    pub date: String,
    pub repository_url: Option<String>,
    /// The breaking entries (see [`Changes::breaking`]).
    pub breaking: Value,
    /// The groups, each with `title`, `kinds` and `entries`.
    pub groups: Value,
    /// Every listed commit, newest first within each group, groups in order.
    pub commits: Value,
}

impl SectionContext {
    pub fn new(
        changes: Changes,
        version: Option<&Version>,
        previous: Option<&Version>,
        date: &str,
    ) -> Self {
        let notes = Arc::new(Notes::new(changes));
        SectionContext {
            version: version.map(Version::to_string),
            previous: previous.map(Version::to_string),
            tag: None,
            previous_tag: None,
            date: date.to_string(),
            repository_url: None,
            breaking: ListView::value(&notes, List::Breaking),
            groups: ListView::value(&notes, List::Groups),
            commits: ListView::value(&notes, List::Commits),
        }
    }
}

/// The changes of one section as templates see them, converted to template values field by field
/// when a template reads them. A template reads a few fields of each entry; converting every entry
/// whole up front (twice, for `commits`) was most of the rendering time of a long history.
#[derive(Debug)]
struct Notes {
    changes: Changes,
    /// `(group, entry)` of each commit in `commits`.
    commits: Vec<(usize, usize)>,
}

impl Notes {
    fn new(changes: Changes) -> Notes {
        let mut commits: Vec<(usize, usize)> = Vec::new();
        let mut last: Option<&str> = None;
        for (g, group) in changes.groups.iter().enumerate() {
            for (e, entry) in group.entries.iter().enumerate() {
                if last != Some(entry.hash.as_str()) {
                    commits.push((g, e));
                }
                last = Some(entry.hash.as_str());
            }
        }
        Notes { changes, commits }
    }

    fn entry(&self, place: Place) -> Option<&Entry> {
        match place {
            Place::Breaking(e) => self.changes.breaking.get(e),
            Place::Grouped(g, e) => self.changes.groups.get(g)?.entries.get(e),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Place {
    Breaking(usize),
    Grouped(usize, usize),
}

#[derive(Debug, Clone, Copy)]
enum List {
    Breaking,
    Groups,
    Entries(usize),
    Commits,
}

/// A list of a section's template context: `breaking`, `groups`, a group's `entries`, or `commits`.
#[derive(Debug)]
struct ListView(Arc<Notes>, List);

impl ListView {
    fn value(notes: &Arc<Notes>, list: List) -> Value {
        Value::from_object(ListView(Arc::clone(notes), list))
    }

    fn len(&self) -> usize {
        let changes = &self.0.changes;
        match self.1 {
            List::Breaking => changes.breaking.len(),
            List::Groups => changes.groups.len(),
            List::Entries(g) => changes.groups.get(g).map_or(0, |g| g.entries.len()),
            List::Commits => self.0.commits.len(),
        }
    }
}

impl Object for ListView {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let i = key.as_usize().filter(|&i| i < self.len())?;
        let notes = Arc::clone(&self.0);
        Some(match self.1 {
            List::Breaking => Value::from_object(EntryView(notes, Place::Breaking(i))),
            List::Groups => Value::from_object(GroupView(notes, i)),
            List::Entries(g) => Value::from_object(EntryView(notes, Place::Grouped(g, i))),
            List::Commits => {
                let (g, e) = *self.0.commits.get(i)?;
                Value::from_object(EntryView(notes, Place::Grouped(g, e)))
            }
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.len())
    }
}

/// The fields of a group, as [`Group`] serializes.
const GROUP_FIELDS: &[&str] = &["title", "kinds", "entries"];

#[derive(Debug)]
struct GroupView(Arc<Notes>, usize);

impl Object for GroupView {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let group: &Group = self.0.changes.groups.get(self.1)?;
        Some(match key.as_str()? {
            "title" => Value::from(group.title.as_str()),
            "kinds" => Value::from(Serde(&group.kinds)),
            "entries" => ListView::value(&self.0, List::Entries(self.1)),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(GROUP_FIELDS)
    }
}

/// The fields of an entry, as [`Entry`] serializes (a test keeps the two in step).
const ENTRY_FIELDS: &[&str] = &[
    "hash",
    "short_hash",
    "kind",
    "scope",
    "description",
    "body",
    "breaking",
    "footers",
    "pr",
    "author",
    "author_email",
    "co_authors",
];

#[derive(Debug)]
struct EntryView(Arc<Notes>, Place);

impl Object for EntryView {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        entry_field(self.0.entry(self.1)?, key.as_str()?)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(ENTRY_FIELDS)
    }
}

fn entry_field(entry: &Entry, key: &str) -> Option<Value> {
    let text = |s: &Option<String>| Value::from(s.as_deref());
    Some(match key {
        "hash" => Value::from(entry.hash.as_str()),
        "short_hash" => Value::from(entry.short_hash.as_str()),
        "kind" => text(&entry.kind),
        "scope" => text(&entry.scope),
        "description" => Value::from(entry.description.as_str()),
        "body" => text(&entry.body),
        "breaking" => text(&entry.breaking),
        "footers" => Value::from(Serde(&entry.footers)),
        "pr" => Value::from(entry.pr),
        "author" => Value::from(entry.author.as_str()),
        "author_email" => Value::from(entry.author_email.as_str()),
        "co_authors" => Value::from(Serde(&entry.co_authors)),
        _ => return None,
    })
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
    /// With `[packages]`, the package released; empty otherwise.
    pub package: String,
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
            package: String::new(),
        }
    }
}

pub struct Renderer {
    env: Environment<'static>,
    changelog_name: String,
    /// How section headings spell versions: the tags' scheme.
    scheme: Scheme,
}

impl Renderer {
    /// The embedded defaults, overridden by `changelog.template` or the repository's `templates/changelog.md.j2`;
    /// section headings spell versions in `scheme`, the tags' ([`crate::policy::Policy::tag_scheme`]).
    pub fn new(root: &Path, config: &Config, scheme: Scheme) -> Result<Renderer> {
        let mut env = base_environment();
        let (name, source) = match &config.changelog.template {
            Some(path) => (path.clone(), read_template(root, path)?),
            None if crate::ops::fs::is_file(root.join(OVERRIDE_PATH)) => (
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
            scheme,
        })
    }

    /// How section headings spell versions.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The built-in templates only (for tests and for repositories without a work tree).
    pub fn builtin() -> Renderer {
        let mut env = base_environment();
        // The built-in template is tested to compile; a failure here is a bug in the kit, not user input.
        let _ = env.add_template_owned(CHANGELOG, DEFAULT_CHANGELOG_TEMPLATE);
        Renderer {
            env,
            changelog_name: "built-in changelog template".into(),
            scheme: Scheme::Semver,
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

    /// Renders a one-off message template such as `release.commit`; errors name the key and `xtask.toml`.
    pub fn message(&self, key: &str, source: &str, context: &MessageContext) -> Result<String> {
        self.env
            .render_named_str(key, source, Value::from(Serde(context)))
            .map(|s| s.trim().to_string())
            .map_err(|e| template_error(&format!("xtask.toml: {key}"), &e))
    }
}

fn base_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    if let Ok(syntax) = SyntaxConfig::builder()
        .trim_blocks(true)
        .keep_trailing_newline(true)
        .build()
    {
        env.set_syntax(syntax);
    }
    env.add_filter("pr_links", pr_links);
    // A missing value (`{{ tag }}` of the unreleased section, `{{ previous }}` of a first release) prints
    // as nothing rather than as `none`; `{% if tag %}` still tells it apart.
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    env
}

/// Turns `(#123)` into a link to the pull request when the repository's URL is known.
fn pr_links(text: String, url: Option<String>) -> String {
    let Some(url) = url.filter(|u| !u.is_empty()) else {
        return text;
    };
    let url = url.trim_end_matches('/');
    // Compiled once: the filter runs for every line of the notes.
    static PR: LazyLock<regex_lite::Regex> =
        LazyLock::new(|| regex_lite::Regex::new(r"\(#(\d+)\)").expect("a valid constant pattern"));
    PR.replace_all(&text, |c: &regex_lite::Captures| {
        format!("([#{n}]({url}/pull/{n}))", n = &c[1])
    })
    .into_owned()
}

fn read_template(root: &Path, rel: &str) -> Result<String> {
    crate::ops::fs::read_to_string(crate::ops::fs::confined(root, rel)?)
        .map_err(|e| anyhow!("{rel}: cannot read the template: {e}"))
}

fn template_error(name: &str, e: &minijinja::Error) -> anyhow::Error {
    if e.kind() == minijinja::ErrorKind::OutOfFuel {
        return anyhow!(
            "{name}: template error: the template does too much work (over {TEMPLATE_FUEL} steps): \
             look for a loop that runs too long"
        );
    }
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
        // The reproducible-builds convention: a non-negative decimal integer, nothing else.
        Ok(text) if !text.is_empty() => text
            .parse::<i64>()
            .ok()
            .filter(|seconds| *seconds >= 0 && text.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                crate::error::UsageError(format!(
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
    let date = jiff::Timestamp::from_second(seconds)
        .map_err(|_| anyhow!("{seconds} is out of range for a date"))?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    Ok(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month(),
        date.day()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_entry() -> Entry {
        Entry {
            hash: "0123456789abcdef0123456789abcdef01234567".into(),
            short_hash: "0123456".into(),
            kind: Some("feat".into()),
            scope: None,
            description: "add --json (#12)".into(),
            body: Some("Body.".into()),
            breaking: Some("output changed".into()),
            footers: vec![crate::domain::conventional::Footer {
                token: "Refs".into(),
                separator: ": ".into(),
                value: "#3".into(),
            }],
            pr: Some(12),
            author: "A U Thor".into(),
            author_email: "a@example.com".into(),
            co_authors: vec!["B <b@example.com>".into()],
        }
    }

    #[test]
    fn entry_views_show_what_entries_serialize() {
        let entry = sample_entry();
        let whole = Value::from(Serde(&entry));
        let keys: Vec<String> = whole
            .try_iter()
            .unwrap()
            .map(|k| k.as_str().unwrap().to_string())
            .collect();
        assert_eq!(keys, ENTRY_FIELDS, "ENTRY_FIELDS follows Entry's fields");
        for key in ENTRY_FIELDS {
            assert_eq!(
                entry_field(&entry, key),
                Some(whole.get_attr(key).unwrap()),
                "{key}"
            );
        }
        let group = Value::from(Serde(Group {
            title: "Added".into(),
            kinds: vec!["feat".into()],
            entries: vec![],
        }));
        let keys: Vec<String> = group
            .try_iter()
            .unwrap()
            .map(|k| k.as_str().unwrap().to_string())
            .collect();
        assert_eq!(keys, GROUP_FIELDS);
    }

    #[test]
    fn templates_see_the_section_as_plain_values() {
        let changes = Changes {
            breaking: vec![sample_entry()],
            groups: vec![Group {
                title: "Added".into(),
                kinds: vec!["feat".into()],
                entries: vec![sample_entry()],
            }],
        };
        let context = SectionContext::new(changes, None, None, "2024-01-01");
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(TEMPLATE_FUEL));
        let ctx = Value::from(Serde(&context));
        let out = env
            .render_str(
                "{{ breaking | length }} {{ breaking[0].breaking }}; \
                 {% for g in groups %}{{ g.title }}={{ g.kinds | join(',') }}:\
                 {% for e in g.entries %}{{ e.kind }}/{{ e.scope }}/{{ e.pr }}/{{ e.footers[0].value }}{% endfor %}{% endfor %}; \
                 {{ commits | map(attribute='short_hash') | join }}",
                ctx.clone(),
            )
            .unwrap();
        assert_eq!(out, "1 output changed; Added=feat:feat/None/12/#3; 0123456");
        let every_field = "{% for k, v in e | items %}{{ k }}={{ v }};{% endfor %}";
        let viewed = env
            .render_str(every_field, minijinja::context! { e => ctx.get_attr("commits").unwrap().get_item_by_index(0).unwrap() })
            .unwrap();
        let whole = env
            .render_str(
                every_field,
                minijinja::context! { e => Value::from(Serde(sample_entry())) },
            )
            .unwrap();
        assert_eq!(viewed, whole);
        assert!(whole.contains("pr=12;"), "{whole}");
        let empty = SectionContext::new(
            Changes {
                breaking: vec![],
                groups: vec![],
            },
            None,
            None,
            "2024-01-01",
        );
        assert_eq!(
            env.render_str(
                "{% if breaking %}x{% endif %}{% if not groups %}none{% endif %}",
                Value::from(Serde(&empty))
            )
            .unwrap(),
            "none"
        );
    }

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
        assert!(
            e.starts_with("xtask.toml: release.commit:1: template error"),
            "{e}"
        );
    }
}
