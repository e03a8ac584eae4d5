//! The release notes model: commits since the last release, filtered, deduplicated and grouped.
//!
//! # Default groups
//!
//! Keep a Changelog 1.1 titles first, in its order, then the extra sections maintainers commonly
//! keep:
//!
//! | title           | types                 |
//! |-----------------|-----------------------|
//! | Added           | `feat`                |
//! | Changed         | `change`, `refactor`  |
//! | Deprecated      | `deprecate`           |
//! | Removed         | `remove`              |
//! | Fixed           | `fix`                 |
//! | Security        | `security`            |
//! | Performance     | `perf`                |
//! | Reverted        | `revert`              |
//! | Documentation   | `docs`                |
//! | *left out*      | `style`, `test`, `ci`, `build`, `chore` ([`Options::omit_kinds`]) |
//! | Other           | non-conventional commits and every other type ([`Options::other`]) |
//!
//! Why: users read release notes for what changed for them. `refactor` goes under Changed because
//! Keep a Changelog has no better place and a refactor users notice (a reshaped API) belongs there;
//! projects whose refactors are purely internal can move it to `omit_kinds`. Formatting, tests, CI,
//! build and chores (dependency bumps included) are noise to users, as release-please and
//! semantic-release also decide, so they are left out rather than sent to Other; documentation is
//! shown because users read it. A breaking commit is always listed under [`Changes::breaking`],
//! whatever its type, so a `build!: require Rust 1.88` is not lost even though `build` is left out.
//!
//! A `Deprecated: <what>` footer adds `<what>` to the group of type `deprecate` (else the group titled
//! Deprecated), and `Removed: <what>` to that of `remove` (else Removed), besides the commit's own entry:
//! a `feat` that deprecates the option it replaces is listed under both Added and Deprecated.
//!
//! Git's own `Revert "…"` commits count as type `revert`, described by the subject they revert, so
//! they go to Reverted with a conventional `revert:` (wherever `changelog.groups` puts `revert`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

use crate::domain::conventional::{
    self, Footer, body_and_footers, cherry_pick_origins, co_authors_in, is_autosquash, pr_number,
};
use crate::domain::deprecations;

/// A commit as read from git, newest first in the lists given to [`group`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommitInfo {
    pub id: String,
    pub short_id: String,
    pub message: String,
    pub author_name: String,
    pub author_email: String,
    /// Seconds since the epoch.
    pub time: i64,
    pub parent_count: usize,
}

/// One line of the release notes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Entry {
    pub hash: String,
    pub short_hash: String,
    /// `None` for non-conventional commits.
    pub kind: Option<String>,
    pub scope: Option<String>,
    /// The conventional description, or the whole trimmed subject of a non-conventional commit. In
    /// [`Changes::breaking`], the breaking-change text instead.
    pub description: String,
    pub body: Option<String>,
    /// `None` for non-conventional commits, even with a `BREAKING CHANGE:` footer, matching
    /// [`crate::domain::bump`], which only reads conventional commits.
    pub breaking: Option<String>,
    /// Also read from non-conventional commits, with the same rules.
    pub footers: Vec<Footer>,
    pub pr: Option<u64>,
    pub author: String,
    pub author_email: String,
    pub co_authors: Vec<String>,
}

/// A titled section of the notes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Group {
    pub title: String,
    /// The configured types; empty for the Other group.
    pub kinds: Vec<String>,
    pub entries: Vec<Entry>,
}

/// The notes of one release.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Changes {
    /// Every breaking commit, newest first, with the breaking text as description.
    pub breaking: Vec<Entry>,
    /// In configured order, Other last, empty groups left out.
    pub groups: Vec<Group>,
}

/// A configured group: its title and the types it collects (compared case-insensitively).
#[derive(Debug, Clone)]
pub struct GroupSpec {
    pub title: String,
    pub kinds: Vec<String>,
}

/// How [`group`] sorts commits; see the module docs for the defaults.
#[derive(Debug, Clone)]
pub struct Options {
    /// In the order they appear in the notes. A type in several groups goes to the first.
    pub groups: Vec<GroupSpec>,
    /// Title for non-conventional commits and types in no group; `None` leaves them out. A title
    /// equal to a configured group's merges them into that group.
    pub other: Option<String>,
    /// Types in no group that are left out instead of going to `other` (their breaking changes
    /// still appear under [`Changes::breaking`]).
    pub omit_kinds: Vec<String>,
    /// Commits whose subject line matches any of these are left out entirely (e.g. the kit's own
    /// release and dev-version commits). Empty by default: the caller knows its own subjects.
    pub skip_subjects: Vec<regex_lite::Regex>,
    /// Keep merge commits (more than one parent). Default false.
    pub include_merges: bool,
    /// Keep `fixup!`/`squash!`/`amend!` commits. Default false.
    pub include_autosquash: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            groups: default_groups(),
            other: Some("Other".to_owned()),
            omit_kinds: ["style", "test", "ci", "build", "chore"]
                .map(String::from)
                .to_vec(),
            skip_subjects: Vec::new(),
            include_merges: false,
            include_autosquash: false,
        }
    }
}

/// The default groups of the table in the module docs, in order.
pub fn default_groups() -> Vec<GroupSpec> {
    let table: [(&str, &[&str]); 9] = [
        ("Added", &["feat"]),
        ("Changed", &["change", "refactor"]),
        ("Deprecated", &["deprecate"]),
        ("Removed", &["remove"]),
        ("Fixed", &["fix"]),
        ("Security", &["security"]),
        ("Performance", &["perf"]),
        ("Reverted", &["revert"]),
        ("Documentation", &["docs"]),
    ];
    table
        .iter()
        .map(|(title, kinds)| GroupSpec {
            title: (*title).to_owned(),
            kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
        })
        .collect()
}

/// What grouping needs of one commit, computed from that commit alone, so that callers may prepare
/// a long history's commits in parallel with reading it (see [`group_prepared`]).
///
/// A whole history's commits wait in memory for their sections (`changelog --all`), and an entry's dozen
/// strings cost more in allocations than in text: the id and the entry are packed in one allocation, texts
/// one after the other, each behind its length (the entry's hash left out when it is the id, and its short
/// hash when it begins the hash), and unpacked when the commit's section is grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    packed: Box<[u8]>,
    /// The hashes this commit's `git cherry-pick -x` lines name, lowercase.
    pub origins: Box<[String]>,
}

impl Prepared {
    /// Packs a commit whose full hash, lowercase, is `id`, and its line in the notes, if it has one.
    pub fn new(id: &str, entry: Option<&Entry>, origins: Vec<String>) -> Prepared {
        let mut out = Vec::with_capacity(
            id.len()
                + entry.map_or(0, |e| {
                    e.description.len()
                        + e.body.as_ref().map_or(0, String::len)
                        + e.author.len()
                        + e.author_email.len()
                        + 32
                })
                + 2,
        );
        text(&mut out, id);
        if let Some(entry) = entry {
            pack_entry(&mut out, entry, id);
        }
        Prepared {
            packed: out.into_boxed_slice(),
            origins: origins.into_boxed_slice(),
        }
    }

    /// The full hash, lowercase: what `cherry picked from` lines of later copies point at.
    pub fn id(&self) -> &str {
        let mut r = Reader(&self.packed);
        let len = usize::try_from(r.varint()).unwrap_or(usize::MAX);
        r.0.get(..len)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .unwrap_or("")
    }

    /// The commit's line in the notes; `None` when it is left out (a merge, an autosquash commit, a skipped
    /// subject).
    pub fn entry(&self) -> Option<Entry> {
        let mut r = Reader(&self.packed);
        let id = r.text();
        (!r.0.is_empty()).then(|| unpack_entry(&mut r, id))
    }
}

/// Parses and filters one commit for [`group_prepared`].
pub fn prepare(c: &CommitInfo, options: &Options) -> Prepared {
    let id = c.id.to_ascii_lowercase();
    let origins = cherry_pick_origins(&c.message)
        .into_iter()
        .map(str::to_ascii_lowercase)
        .collect();
    let entry = wanted(c, options).then(|| entry(c));
    Prepared::new(&id, entry.as_ref(), origins)
}

/// Tags of a packed text: none, the same as a text given when unpacking, or written out.
const ABSENT: u64 = 0;
const AS_GIVEN: u64 = 1;
const WRITTEN: u64 = 2;

/// Writes `entry` of the commit whose (lowercase) id is `id` after the id.
fn pack_entry(w: &mut Vec<u8>, entry: &Entry, id: &str) {
    if entry.hash == id {
        varint(w, AS_GIVEN);
    } else {
        varint(w, WRITTEN);
        text(w, &entry.hash);
    }
    if entry.hash.starts_with(entry.short_hash.as_str()) {
        varint(w, AS_GIVEN);
        varint(w, entry.short_hash.len() as u64);
    } else {
        varint(w, WRITTEN);
        text(w, &entry.short_hash);
    }
    optional(w, entry.kind.as_deref());
    optional(w, entry.scope.as_deref());
    text(w, &entry.description);
    optional(w, entry.body.as_deref());
    optional(w, entry.breaking.as_deref());
    varint(w, entry.footers.len() as u64);
    for footer in &entry.footers {
        text(w, &footer.token);
        text(w, &footer.separator);
        text(w, &footer.value);
    }
    match entry.pr {
        None => varint(w, ABSENT),
        Some(n) => {
            varint(w, WRITTEN);
            varint(w, n);
        }
    }
    text(w, &entry.author);
    text(w, &entry.author_email);
    varint(w, entry.co_authors.len() as u64);
    for name in &entry.co_authors {
        text(w, name);
    }
}

/// The entry [`pack_entry`] wrote, for the same `id`.
fn unpack_entry(r: &mut Reader<'_>, id: String) -> Entry {
    let hash = match r.varint() {
        WRITTEN => r.text(),
        _ => id,
    };
    let short_hash = match r.varint() {
        WRITTEN => r.text(),
        _ => {
            let len = usize::try_from(r.varint()).unwrap_or(usize::MAX);
            hash.get(..len).unwrap_or(&hash).to_owned()
        }
    };
    let kind = r.optional();
    let scope = r.optional();
    let description = r.text();
    let body = r.optional();
    let breaking = r.optional();
    let footers = (0..r.varint())
        .map(|_| Footer {
            token: r.text(),
            separator: r.text(),
            value: r.text(),
        })
        .collect();
    let pr = match r.varint() {
        ABSENT => None,
        _ => Some(r.varint()),
    };
    let author = r.text();
    let author_email = r.text();
    let co_authors = (0..r.varint()).map(|_| r.text()).collect();
    Entry {
        hash,
        short_hash,
        kind,
        scope,
        description,
        body,
        breaking,
        footers,
        pr,
        author,
        author_email,
        co_authors,
    }
}

/// LEB128: seven bits a byte, the low ones first, the top bit set on every byte but the last.
fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn text(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn optional(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => varint(out, ABSENT),
        Some(s) => {
            varint(out, WRITTEN);
            text(out, s);
        }
    }
}

/// Reads what [`Prepared::new`] wrote; past the end (which a packed entry never is) it reads zeros and
/// empty texts.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn varint(&mut self) -> u64 {
        let mut n = 0u64;
        let mut shift = 0;
        while let Some((&byte, rest)) = self.0.split_first() {
            self.0 = rest;
            if shift < 64 {
                n |= u64::from(byte & 0x7f) << shift;
            }
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        n
    }

    fn text(&mut self) -> String {
        let len = usize::try_from(self.varint()).unwrap_or(usize::MAX);
        let (bytes, rest) = self.0.split_at(len.min(self.0.len()));
        self.0 = rest;
        // Written from a `str`: always UTF-8.
        String::from_utf8_lossy(bytes).into_owned()
    }

    fn optional(&mut self) -> Option<String> {
        match self.varint() {
            ABSENT => None,
            _ => Some(self.text()),
        }
    }
}

/// Sorts `commits` (newest first, as `git log` lists them) into release notes. Entries keep the
/// input order within each group.
pub fn group(commits: &[CommitInfo], options: &Options) -> Changes {
    group_prepared(
        commits.iter().map(|c| prepare(c, options)).collect(),
        options,
    )
}

/// [`group`] over commits already [`prepare`]d, newest first.
pub fn group_prepared(commits: Vec<Prepared>, options: &Options) -> Changes {
    let change_of = changes(&commits);
    let mut seen = HashSet::new();

    let mut groups: Vec<Group> = options
        .groups
        .iter()
        .map(|g| Group {
            title: g.title.clone(),
            kinds: g.kinds.clone(),
            entries: Vec::new(),
        })
        .collect();
    let other = options.other.as_ref().map(|title| {
        groups
            .iter()
            .position(|g| &g.title == title)
            .unwrap_or_else(|| {
                groups.push(Group {
                    title: title.clone(),
                    kinds: Vec::new(),
                    entries: Vec::new(),
                });
                groups.len() - 1
            })
    });

    // `Deprecated:` and `Removed:` footers feed these groups (found by type, else by title).
    let footer_group = |kind: &str, title: &str| {
        options
            .groups
            .iter()
            .position(|g| g.kinds.iter().any(|k| k.eq_ignore_ascii_case(kind)))
            .or_else(|| {
                options
                    .groups
                    .iter()
                    .position(|g| g.title.eq_ignore_ascii_case(title))
            })
    };
    let deprecated_group = footer_group("deprecate", "Deprecated");
    let removed_group = footer_group("remove", "Removed");

    let mut breaking = Vec::new();
    for (i, c) in commits.into_iter().enumerate() {
        let Some(entry) = c.entry() else {
            continue;
        };
        // The first wanted commit of each change is its newest copy; later cherry-picks are dropped.
        if !seen.insert(change_of.get(i).copied().unwrap_or(i)) {
            continue;
        }
        if let Some(text) = &entry.breaking {
            breaking.push(Entry {
                description: text.clone(),
                ..entry.clone()
            });
        }
        let target = match &entry.kind {
            Some(kind) => options
                .groups
                .iter()
                .position(|g| g.kinds.iter().any(|k| k.eq_ignore_ascii_case(kind)))
                .or_else(|| {
                    let omitted = options
                        .omit_kinds
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(kind));
                    if omitted { None } else { other }
                }),
            None => other,
        };
        let (deprecated, removed) = deprecations::footer_values(&entry.footers);
        let mut footer_entries = Vec::new();
        for (group, whats) in [(deprecated_group, deprecated), (removed_group, removed)] {
            for what in whats {
                // A `deprecate: x` commit that also says `Deprecated: x` is listed once.
                if group == target
                    && deprecations::key(&what) == deprecations::key(&entry.description)
                {
                    continue;
                }
                let footer_entry = Entry {
                    description: what,
                    body: None,
                    breaking: None,
                    ..entry.clone()
                };
                footer_entries.push((group, footer_entry));
            }
        }
        if let Some(g) = target.and_then(|t| groups.get_mut(t)) {
            g.entries.push(entry);
        }
        for (group, footer_entry) in footer_entries {
            if let Some(g) = group.and_then(|t| groups.get_mut(t)) {
                g.entries.push(footer_entry);
            }
        }
    }
    groups.retain(|g| !g.entries.is_empty());
    Changes { breaking, groups }
}

fn wanted(c: &CommitInfo, options: &Options) -> bool {
    if c.parent_count > 1 && !options.include_merges {
        return false;
    }
    if is_autosquash(&c.message) && !options.include_autosquash {
        return false;
    }
    let subject = conventional::subject(&c.message);
    !options.skip_subjects.iter().any(|re| re.is_match(subject))
}

fn entry(c: &CommitInfo) -> Entry {
    let (kind, scope, description, body, breaking, footers) = match conventional::parse(&c.message)
    {
        Ok(conv) => (
            Some(conv.kind),
            conv.scope,
            conv.description,
            conv.body,
            conv.breaking,
            conv.footers,
        ),
        Err(_) if conventional::reverted_subject(&c.message).is_some() => {
            let reverted = conventional::reverted_subject(&c.message).unwrap_or_default();
            let rest = c
                .message
                .trim_start()
                .split_once('\n')
                .map_or("", |(_, r)| r);
            let (body, footers) = body_and_footers(rest);
            let kind = Some("revert".to_owned());
            (kind, None, reverted.to_owned(), body, None, footers)
        }
        Err(_) => {
            let text = c.message.trim_start();
            let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
            let (body, footers) = body_and_footers(rest);
            (None, None, first.trim().to_owned(), body, None, footers)
        }
    };
    Entry {
        hash: c.id.clone(),
        short_hash: c.short_id.clone(),
        pr: pr_number(&description),
        co_authors: co_authors_in(&footers),
        kind,
        scope,
        description,
        body,
        breaking,
        footers,
        author: c.author_name.clone(),
        author_email: c.author_email.clone(),
    }
}

/// For each commit, an id of the change it carries: commits linked by `git cherry-pick -x` lines
/// (to each other, or to the same origin outside the list) share one. Union-find, so chains of
/// picks of picks collapse too; prefix lookups go through a sorted map to stay O(n log n).
fn changes(commits: &[Prepared]) -> Vec<usize> {
    // Most histories have no cherry-picks: then every commit is its own change.
    if commits.iter().all(|c| c.origins.is_empty()) {
        return (0..commits.len()).collect();
    }
    let mut by_id = BTreeMap::new();
    for (i, c) in commits.iter().enumerate() {
        // Shorter ids would match nearly anything as prefixes; real ids are never that short.
        if c.id().len() >= 4 {
            by_id.entry(c.id()).or_insert(i);
        }
    }
    let mut parent: Vec<usize> = (0..commits.len()).collect();
    let mut outside: HashMap<&str, usize> = HashMap::new();
    for (i, c) in commits.iter().enumerate() {
        for origin in c.origins.iter() {
            let node = match lookup(&by_id, origin) {
                Some(j) => j,
                None => *outside.entry(origin).or_insert_with(|| {
                    parent.push(parent.len());
                    parent.len() - 1
                }),
            };
            union(&mut parent, i, node);
        }
    }
    (0..commits.len()).map(|i| find(&mut parent, i)).collect()
}

/// The commit whose id starts with `origin` (an abbreviated hash), or that `origin` starts with
/// (when the list holds abbreviated ids).
fn lookup(by_id: &BTreeMap<&str, usize>, origin: &str) -> Option<usize> {
    let longer = by_id
        .range::<&str, _>((Bound::Included(origin), Bound::Unbounded))
        .next()
        .filter(|(id, _)| id.starts_with(origin));
    let shorter = by_id
        .range::<&str, _>((Bound::Unbounded, Bound::Included(origin)))
        .next_back()
        .filter(|(id, _)| origin.starts_with(**id));
    longer.or(shorter).map(|(_, &i)| i)
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while let Some(&p) = parent.get(i) {
        if p == i {
            break;
        }
        // Path halving keeps the trees flat.
        let grand = parent.get(p).copied().unwrap_or(p);
        if let Some(slot) = parent.get_mut(i) {
            *slot = grand;
        }
        i = grand;
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    // The smaller root wins, so a change's id is its newest commit when that is in the list.
    let (keep, drop) = if ra <= rb { (ra, rb) } else { (rb, ra) };
    if let Some(slot) = parent.get_mut(drop) {
        *slot = keep;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(n: usize) -> String {
        format!("{n:040x}")
    }

    fn ci(n: usize, message: &str) -> CommitInfo {
        CommitInfo {
            id: hex(n),
            short_id: hex(n).chars().skip(33).collect(),
            message: message.to_owned(),
            author_name: format!("Author {n}"),
            author_email: format!("a{n}@example.com"),
            time: 1_700_000_000 - n as i64,
            parent_count: 1,
        }
    }

    /// Newest first, as git log lists them. Numbers double as ids.
    fn history() -> Vec<CommitInfo> {
        let mut merge = ci(1, "Merge pull request #12 from someone/topic");
        merge.parent_count = 2;
        vec![
            ci(0, "chore(release): 1.3.0"),
            merge,
            ci(2, "fixup! feat: add export"),
            ci(
                3,
                &format!(
                    "fix(cli): handle empty input (#40)\n\n(cherry picked from commit {})",
                    hex(7)
                ),
            ),
            ci(4, "feat(api)!: drop v1 endpoints (#39)"),
            ci(5, "docs: explain the config file"),
            ci(
                6,
                "refactor: extract the parser\n\nBREAKING CHANGE: `Parser::new` takes options",
            ),
            ci(7, "fix(cli): handle empty input (#40)"),
            ci(
                8,
                "Revert \"feat: add import\"\n\nThis reverts commit 1234567.",
            ),
            ci(9, "Update README"),
            ci(10, "chore(deps): bump serde from 1.0.1 to 1.0.2"),
            ci(
                11,
                "feat: add export\r\n\r\nCo-authored-by: Jane Doe <jane@example.com>\r\n",
            ),
            ci(12, "test: more cases"),
            ci(
                13,
                "fix: off by one\n\n(cherry picked from commit deadbeef00)",
            ),
            ci(
                14,
                "fix: off by one\n\n(cherry picked from commit deadbeef00)",
            ),
            ci(15, "perf: faster walk"),
            ci(16, "build!: require Rust 1.88"),
            ci(17, "Style: Whitespace"),
            ci(18, "wip: half done"),
        ]
    }

    fn skip_release() -> Vec<regex_lite::Regex> {
        vec![regex_lite::Regex::new(r"^chore\(release\): ").unwrap()]
    }

    /// `breaking`: (id number, breaking text); `groups`: (title, id numbers).
    #[track_caller]
    fn case(options: &Options, breaking: &[(usize, &str)], groups: &[(&str, &[usize])]) {
        let changes = group(&history(), options);
        let got_breaking: Vec<(String, &str)> = changes
            .breaking
            .iter()
            .map(|e| (e.hash.clone(), e.description.as_str()))
            .collect();
        let want_breaking: Vec<(String, &str)> =
            breaking.iter().map(|(n, d)| (hex(*n), *d)).collect();
        assert_eq!(got_breaking, want_breaking);
        let got: Vec<(&str, Vec<String>)> = changes
            .groups
            .iter()
            .map(|g| {
                (
                    g.title.as_str(),
                    g.entries.iter().map(|e| e.hash.clone()).collect(),
                )
            })
            .collect();
        let want: Vec<(&str, Vec<String>)> = groups
            .iter()
            .map(|(t, ns)| (*t, ns.iter().map(|n| hex(*n)).collect()))
            .collect();
        assert_eq!(got, want);
    }

    const BREAKING: &[(usize, &str)] = &[
        (4, "drop v1 endpoints (#39)"),
        (6, "`Parser::new` takes options"),
        (16, "require Rust 1.88"),
    ];

    #[test]
    fn default_grouping() {
        let options = Options {
            skip_subjects: skip_release(),
            ..Options::default()
        };
        case(
            &options,
            BREAKING,
            &[
                ("Added", &[4, 11]),
                ("Changed", &[6]),
                ("Fixed", &[3, 13]),
                ("Performance", &[15]),
                ("Reverted", &[8]),
                ("Documentation", &[5]),
                ("Other", &[9, 18]),
            ],
        );
    }

    #[test]
    fn variations() {
        // Non-conventional and unknown types left out altogether.
        let no_other = Options {
            other: None,
            skip_subjects: skip_release(),
            ..Options::default()
        };
        case(
            &no_other,
            BREAKING,
            &[
                ("Added", &[4, 11]),
                ("Changed", &[6]),
                ("Fixed", &[3, 13]),
                ("Performance", &[15]),
                ("Reverted", &[8]),
                ("Documentation", &[5]),
            ],
        );
        // Without skip patterns the release commit is a chore, which is omitted anyway; without
        // omitted kinds it and the others go to Other. Merges and fixups are opt-in.
        let everything = Options {
            omit_kinds: vec![],
            include_merges: true,
            include_autosquash: true,
            other: Some("Misc".into()),
            ..Options::default()
        };
        case(
            &everything,
            BREAKING,
            &[
                ("Added", &[4, 11]),
                ("Changed", &[6]),
                ("Fixed", &[3, 13]),
                ("Performance", &[15]),
                ("Reverted", &[8]),
                ("Documentation", &[5]),
                ("Misc", &[0, 1, 2, 9, 10, 12, 16, 17, 18]),
            ],
        );
        // `other` named like a configured group merges into it; custom groups keep their order.
        let custom = Options {
            groups: vec![
                GroupSpec {
                    title: "Fixes".into(),
                    kinds: vec!["FIX".into()],
                },
                GroupSpec {
                    title: "Features".into(),
                    kinds: vec!["feat".into(), "perf".into()],
                },
            ],
            other: Some("Features".into()),
            omit_kinds: vec!["docs".into(), "refactor".into(), "style".into()],
            skip_subjects: vec![regex_lite::Regex::new("^(chore|test|build|wip)").unwrap()],
            ..Options::default()
        };
        case(
            &custom,
            &[
                (4, "drop v1 endpoints (#39)"),
                (6, "`Parser::new` takes options"),
            ],
            &[("Fixes", &[3, 13]), ("Features", &[4, 8, 9, 11, 15])],
        );
        // Nothing in, nothing out.
        let empty = group(&[], &Options::default());
        assert!(empty.breaking.is_empty() && empty.groups.is_empty());
    }

    /// A prepared commit gives back its id and entry exactly, whatever they hold.
    #[test]
    fn prepared_commits_keep_their_entries_exactly() {
        let id = hex(0xabc);
        let plain = Entry {
            hash: id.clone(),
            short_hash: id[..7].to_owned(),
            kind: None,
            scope: None,
            description: "Update README".into(),
            body: None,
            breaking: None,
            footers: vec![],
            pr: None,
            author: "A".into(),
            author_email: "a@example.com".into(),
            co_authors: vec![],
        };
        let odd = Entry {
            hash: "ABC".into(),
            short_hash: "not a prefix".into(),
            kind: Some(String::new()),
            scope: Some("ünïcode".into()),
            description: "x".repeat(300),
            body: Some("a\n\n\u{0}b\r\n".into()),
            breaking: Some(String::new()),
            footers: vec![
                Footer {
                    token: "Refs".into(),
                    separator: ": ".into(),
                    value: "#3".into(),
                },
                Footer {
                    token: "BREAKING CHANGE".into(),
                    separator: " #".into(),
                    value: "two\nlines".into(),
                },
            ],
            pr: Some(u64::MAX),
            author: String::new(),
            author_email: String::new(),
            co_authors: vec!["B <b@example.com>".into(), String::new()],
        };
        let short = Entry {
            short_hash: String::new(),
            pr: Some(0),
            ..plain.clone()
        };
        for entry in [plain, odd, short] {
            let prepared = Prepared::new(&id, Some(&entry), vec![]);
            assert_eq!(prepared.id(), id);
            assert_eq!(
                format!("{:?}", prepared.entry()),
                format!("{:?}", Some(entry))
            );
        }
        let left_out = Prepared::new("", None, vec!["1234abc".into()]);
        assert_eq!(left_out.id(), "");
        assert!(left_out.entry().is_none());
        assert_eq!(&*left_out.origins, ["1234abc"]);
    }

    #[test]
    fn entry_fields() {
        let changes = group(&history(), &Options::default());
        let all: Vec<&Entry> = changes.groups.iter().flat_map(|g| &g.entries).collect();
        let by = |n: usize| {
            all.iter()
                .find(|e| e.hash == hex(n))
                .copied()
                .unwrap_or_else(|| panic!("no entry {n}"))
        };
        let fix = by(3);
        assert_eq!(fix.kind.as_deref(), Some("fix"));
        assert_eq!(fix.scope.as_deref(), Some("cli"));
        assert_eq!(fix.description, "handle empty input (#40)");
        assert_eq!(fix.pr, Some(40));
        assert_eq!(fix.body, None);
        assert_eq!(fix.short_hash, "0000003");
        assert_eq!(fix.author, "Author 3");
        assert_eq!(fix.author_email, "a3@example.com");
        let feat = by(11);
        assert_eq!(feat.co_authors, ["Jane Doe <jane@example.com>"]);
        assert_eq!(feat.breaking, None);
        // The group entry keeps its description; the breaking entry carries the breaking text.
        let api = by(4);
        assert_eq!(api.description, "drop v1 endpoints (#39)");
        assert_eq!(api.breaking.as_deref(), Some("drop v1 endpoints (#39)"));
        let refactor = by(6);
        assert_eq!(refactor.description, "extract the parser");
        assert_eq!(
            changes.breaking.get(1).map(|e| e.kind.as_deref()),
            Some(Some("refactor"))
        );
        // Git's own revert is a `revert`, named by what it reverts.
        let revert = by(8);
        assert_eq!(revert.kind.as_deref(), Some("revert"));
        assert_eq!(revert.description, "feat: add import");
        assert_eq!(revert.body.as_deref(), Some("This reverts commit 1234567."));
        // The serialised form is what templates see.
        let json = serde_json::to_value(&changes).unwrap();
        assert_eq!(json["groups"][0]["title"], "Added");
        assert_eq!(json["breaking"][0]["pr"], 39);
    }

    /// `Deprecated:` and `Removed:` footers feed their groups, beside the commit's own entry.
    #[test]
    fn deprecation_footers_feed_their_groups() {
        let commits = [
            ci(
                1,
                "feat(sync): epoch streams\n\nDeprecated: the epoch_transitions_only option\nDeprecated: the --poll flag",
            ),
            ci(2, "chore: drop the old engine\n\nremoved: The old engine"),
            ci(3, "deprecate: the sync API\n\nDeprecated: the sync API"),
            ci(4, "Tidy up\n\nRemoved: x\nRemoved #5"),
        ];
        let titles = |options: &Options| -> Vec<(String, Vec<String>)> {
            group(&commits, options)
                .groups
                .iter()
                .map(|g| {
                    (
                        g.title.clone(),
                        g.entries.iter().map(|e| e.description.clone()).collect(),
                    )
                })
                .collect()
        };
        let owned = |rows: &[(&str, &[&str])]| -> Vec<(String, Vec<String>)> {
            rows.iter()
                .map(|(t, ds)| (t.to_string(), ds.iter().map(|d| d.to_string()).collect()))
                .collect()
        };
        assert_eq!(
            titles(&Options::default()),
            owned(&[
                ("Added", &["epoch streams"]),
                (
                    "Deprecated",
                    &[
                        "the epoch_transitions_only option",
                        "the --poll flag",
                        "the sync API"
                    ]
                ),
                ("Removed", &["The old engine", "x"]),
                ("Other", &["Tidy up"]),
            ])
        );
        // Configured groups are found by type, else by title; without either, the footers are not listed.
        let custom = Options {
            groups: vec![
                GroupSpec {
                    title: "Features".into(),
                    kinds: vec!["feat".into()],
                },
                GroupSpec {
                    title: "Going away".into(),
                    kinds: vec!["deprecate".into()],
                },
            ],
            other: None,
            ..Options::default()
        };
        assert_eq!(
            titles(&custom),
            owned(&[
                ("Features", &["epoch streams"]),
                (
                    "Going away",
                    &[
                        "the epoch_transitions_only option",
                        "the --poll flag",
                        "the sync API"
                    ]
                ),
            ])
        );
        let footer = group(&commits, &Options::default()).groups[1].entries[0].clone();
        assert_eq!(footer.hash, hex(1));
        assert_eq!(footer.scope.as_deref(), Some("sync"));
    }

    #[test]
    fn cherry_pick_dedup() {
        const ORIGIN: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
        let with_id = |id: &str, message: &str| CommitInfo {
            id: id.to_owned(),
            ..ci(0, message)
        };
        let pick = |id: &str, origin: &str| {
            with_id(
                id,
                &format!("fix: same\n\n(cherry picked from commit {origin})"),
            )
        };
        let original = || with_id(ORIGIN, "fix: same");
        let ids = |commits: &[CommitInfo]| -> Vec<String> {
            group(commits, &Options::default())
                .groups
                .iter()
                .flat_map(|g| g.entries.iter().map(|e| e.hash.clone()))
                .collect()
        };
        let p1 = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";
        let p2 = "e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2";
        // The pick is newer than its origin: only the pick stays.
        assert_eq!(ids(&[pick(p1, ORIGIN), original()]), [p1]);
        // The origin is newer (picked the other way round): only the origin stays.
        assert_eq!(ids(&[original(), pick(p1, ORIGIN)]), [ORIGIN]);
        // Abbreviated origin, in uppercase too.
        assert_eq!(ids(&[pick(p1, "A1B2C3D"), original()]), [p1]);
        // Abbreviated ids in the list, full origin.
        assert_eq!(
            ids(&[pick(p1, ORIGIN), with_id("a1b2c3d", "fix: same")]),
            [p1]
        );
        // Two picks of an origin outside the list: the newest stays.
        assert_eq!(ids(&[pick(p1, "abcdef1"), pick(p2, "abcdef1")]), [p1]);
        // A pick of a pick: all three are one change.
        let twice = format!(
            "fix: same\n\n(cherry picked from commit {ORIGIN})\n(cherry picked from commit {p2})"
        );
        assert_eq!(
            ids(&[with_id(p1, &twice), pick(p2, ORIGIN), original()]),
            [p1]
        );
        // Unrelated commits with the same text are not merged.
        assert_eq!(
            ids(&[with_id(p1, "fix: same"), with_id(p2, "fix: same")]),
            [p1, p2]
        );
        // When the newest copy is filtered out, the older one stands in for it.
        let options = Options {
            skip_subjects: vec![regex_lite::Regex::new("^fix: same$").unwrap()],
            ..Options::default()
        };
        let older = with_id(ORIGIN, "fix: kept");
        let kept = group(&[pick(p1, ORIGIN), older], &options);
        assert_eq!(kept.groups.len(), 1);
        // Degenerate ids do not match everything.
        let blank = pick("", "abcd");
        let short = with_id("ab", "fix: b");
        assert_eq!(ids(&[blank, short]).len(), 2);
    }
}
