//! Several packages in one repository: which commits belong to which package, the shared `X.Y` rule,
//! which packages a release takes, and the order their post-release commands run in.

use super::version::{self, Scheme, Version};
use crate::domain::rules::placeholders;

/// Whether a template names `{{ package }}` (spaces optional).
pub fn uses_package(template: &str) -> bool {
    placeholders(template).any(|(_, name)| name == "package")
}

/// `{{ package }}` in `template` replaced by `name`, every other placeholder kept as written: the result is
/// a package's own tag format (`"{{ package }}-v{{ version }}"` → `"compiler-v{{ version }}"`).
pub fn with_package(template: &str, name: &str) -> String {
    let mut out = String::new();
    let mut done = 0;
    for (range, placeholder) in placeholders(template) {
        if placeholder == "package" {
            out.push_str(&template[done..range.start]);
            out.push_str(name);
            done = range.end;
        }
    }
    out.push_str(&template[done..]);
    out
}

/// A `release.post` command for one package: `{{ package }}`, `{{ version }}` and `{{ tag }}` filled in,
/// anything else kept as written.
pub fn render_post(template: &str, package: &str, version: &str, tag: &str) -> String {
    let mut out = String::new();
    let mut done = 0;
    for (range, name) in placeholders(template) {
        let value = match name {
            "package" => package,
            "version" => version,
            "tag" => tag,
            _ => continue,
        };
        out.push_str(&template[done..range.start]);
        out.push_str(value);
        done = range.end;
    }
    out.push_str(&template[done..]);
    out
}

/// Whether `name` can name a package: it goes into tags, branch-free ref names and commands.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.starts_with(['-', '.']) {
        Some("starts with '-' or '.'")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        Some("may only hold letters, digits, '-', '_' and '.'")
    } else {
        None
    }
}

/// The folder of a package's first version file (`compiler/pyproject.toml` → `compiler`; `""` at the root).
pub fn folder_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The default changelog: `CHANGELOG.md` beside the first version file.
pub fn default_changelog(first_file: &str) -> String {
    match folder_of(first_file) {
        "" => "CHANGELOG.md".to_string(),
        folder => format!("{folder}/CHANGELOG.md"),
    }
}

/// The default `paths`: the first version file's folder (the whole repository for a file at the root).
pub fn default_paths(first_file: &str) -> Vec<String> {
    match folder_of(first_file) {
        "" => vec!["**".to_string()],
        folder => vec![folder.to_string()],
    }
}

/// Whether `path` (a file, `/`-separated) is matched by `glob` (see [`super::glob`] for the dialect), or
/// lies in a folder it matches: `compiler` takes `compiler/x.py`, `crates/*` takes `crates/a/src/lib.rs`.
pub fn path_matches(glob: &str, path: &str) -> bool {
    let glob = glob.trim_matches('/');
    if glob.is_empty() || glob == "**" {
        return true;
    }
    // The path itself and each folder above it, longest last: `a`, `a/b`, `a/b/c.rs`.
    path.match_indices('/')
        .map(|(at, _)| path.get(..at).unwrap_or(path))
        .chain(std::iter::once(path))
        .any(|folder_or_file| super::glob::matches(glob, folder_or_file))
}

/// Whether a commit that changed `changed` belongs to a package with these `paths`.
pub fn belongs(paths: &[String], changed: &[String]) -> bool {
    changed
        .iter()
        .any(|file| paths.iter().any(|glob| path_matches(glob, file)))
}

/// The folder (or file) every path `glob` matches lies in: its segments before the first wildcard; `None`
/// when the glob may match anywhere (`**`, `*.md`). A superset for git to narrow a history walk by, before
/// [`path_matches`] decides.
pub fn literal_prefix(glob: &str) -> Option<String> {
    let glob = glob.trim_matches('/');
    let literal: Vec<&str> = glob
        .split('/')
        .take_while(|s| !s.contains('*') && !s.contains('?'))
        .collect();
    let prefix = literal.join("/");
    (!prefix.is_empty()).then_some(prefix)
}

/// The folders (or files) a history walk can be narrowed to for packages with these `globs`
/// ([`literal_prefix`] of each, without repeats); empty, meaning the whole tree, when one glob may match
/// anywhere.
///
/// A narrowed `git log` costs more than a plain one (git diffs each commit's trees twice, once to choose the
/// commit, once to list its files) and compares every path with every folder: it pays only when it leaves
/// most of the history out. Past [`MAX_PREFIXES`] folders it is not narrowed.
pub fn prefixes<'a>(globs: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for glob in globs {
        let Some(prefix) = literal_prefix(glob) else {
            return Vec::new();
        };
        if !found.contains(&prefix) {
            found.push(prefix);
        }
    }
    if found.len() > MAX_PREFIXES {
        return Vec::new();
    }
    found
}

/// How many folders a history walk is narrowed to at most (see [`prefixes`]).
pub const MAX_PREFIXES: usize = 8;

/// Which packages files belong to, for many files and packages at once: a package whose `paths` are folders
/// or files (no wildcard) is found by the file's leading folders in a map, one with globs by [`path_matches`].
pub struct Owners {
    literal: std::collections::HashMap<String, Vec<usize>>,
    globbed: Vec<(usize, String)>,
}

impl Owners {
    /// `paths[i]` is package `i`'s `paths`.
    pub fn new(paths: &[Vec<String>]) -> Owners {
        let mut literal: std::collections::HashMap<String, Vec<usize>> = Default::default();
        let mut globbed = Vec::new();
        for (i, globs) in paths.iter().enumerate() {
            for glob in globs {
                let trimmed = glob.trim_matches('/');
                if trimmed.is_empty() || trimmed.contains('*') || trimmed.contains('?') {
                    globbed.push((i, glob.clone()));
                } else {
                    let owners = literal.entry(trimmed.to_string()).or_default();
                    if !owners.contains(&i) {
                        owners.push(i);
                    }
                }
            }
        }
        Owners { literal, globbed }
    }

    /// Adds to `out` the packages `file` belongs to (a package may be added twice).
    pub fn of(&self, file: &str, out: &mut Vec<usize>) {
        if !self.literal.is_empty() {
            let mut end = 0;
            loop {
                let next = file[end..].find('/').map(|i| end + i);
                let prefix = &file[..next.unwrap_or(file.len())];
                if let Some(owners) = self.literal.get(prefix) {
                    out.extend(owners);
                }
                match next {
                    Some(slash) => end = slash + 1,
                    None => break,
                }
            }
        }
        for (i, glob) in &self.globbed {
            if path_matches(glob, file) {
                out.push(*i);
            }
        }
    }
}

/// With `version.shared = "minor"`: the packages whose `X.Y` differs from the first package's, named with
/// their versions, each spelled in its package's scheme; `None` when they all agree.
pub fn shared_disagreement(versions: &[(String, Version, Scheme)]) -> Option<String> {
    let (first, rest) = versions.split_first()?;
    let same = |v: &Version| v.major == first.1.major && v.minor == first.1.minor;
    if rest.iter().all(|(_, v, _)| same(v)) {
        return None;
    }
    let listed: Vec<String> = versions
        .iter()
        .map(|(name, v, scheme)| format!("{name} {}", scheme.spell(v)))
        .collect();
    Some(format!(
        "version.shared = \"minor\": the packages must agree on X.Y, but they say {}: edit the files so they \
         share X.Y (a minor or major release of one package moves them all)",
        listed.join(", ")
    ))
}

/// Whether a release from `old` to `new` moves `X` or `Y` (under `shared = "minor"`, every package follows).
pub fn moves_minor(old: &Version, new: &Version) -> bool {
    old.major != new.major || old.minor != new.minor
}

/// The version a package at `current` takes when another package's release moves the shared `X.Y` to
/// `leader`'s: `X.Y.0` (keeping `leader`'s pre-release, so `minor --pre rc` moves them all to `X.Y.0-rc.1`);
/// `None` when the package is there already.
pub fn follow(current: &Version, leader: &Version) -> Option<Version> {
    let mut target = leader.clone();
    target.patch = 0;
    target.post = None;
    target.build = version::BuildMetadata::EMPTY;
    if current.major == target.major && current.minor == target.minor {
        return None;
    }
    version::is_greater(&target, current).then_some(target)
}

/// `release --yes` without `-p`: every package with changes since its last tag, in the given order, or an
/// error listing the packages when none has any.
pub fn changed_packages(packages: &[(String, usize)]) -> Result<Vec<String>, String> {
    let chosen: Vec<String> = packages
        .iter()
        .filter(|(_, commits)| *commits > 0)
        .map(|(name, _)| name.clone())
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "no package has changes since its last release: name the packages to release with -p ({})",
            names(packages)
        ));
    }
    Ok(chosen)
}

fn names(packages: &[(String, usize)]) -> String {
    packages
        .iter()
        .map(|(name, _)| format!("-p {name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `names` ordered so that a package comes after the packages it depends on (`depends` gives, per package,
/// the packages it needs); otherwise the given order is kept. A cycle keeps the given order for its members.
pub fn dependency_order(names: &[String], depends: &dyn Fn(&str) -> Vec<String>) -> Vec<String> {
    let mut ordered: Vec<String> = Vec::new();
    let mut visiting: Vec<String> = Vec::new();
    fn visit(
        name: &str,
        names: &[String],
        depends: &dyn Fn(&str) -> Vec<String>,
        ordered: &mut Vec<String>,
        visiting: &mut Vec<String>,
    ) {
        if ordered.iter().any(|n| n == name) || visiting.iter().any(|n| n == name) {
            return;
        }
        visiting.push(name.to_string());
        for dep in depends(name) {
            if names.contains(&dep) {
                visit(&dep, names, depends, ordered, visiting);
            }
        }
        visiting.pop();
        ordered.push(name.to_string());
    }
    for name in names {
        visit(name, names, depends, &mut ordered, &mut visiting);
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        version::parse_any(text).unwrap()
    }

    #[test]
    fn literal_prefixes() {
        for (glob, expected) in [
            ("compiler", Some("compiler")),
            ("/compiler/", Some("compiler")),
            ("crates/core/src", Some("crates/core/src")),
            ("crates/*", Some("crates")),
            ("shared/**", Some("shared")),
            ("a/b*c/d", Some("a")),
            ("**", None),
            ("*.md", None),
            ("", None),
        ] {
            assert_eq!(literal_prefix(glob).as_deref(), expected, "{glob}");
        }
        let globs = |g: &[&str]| g.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            prefixes(&globs(&["a", "b/**", "a", "c/*.md"])),
            ["a", "b", "c"]
        );
        assert!(prefixes(&globs(&["a", "**/x"])).is_empty(), "anywhere");
        let many: Vec<String> = (0..20).map(|i| format!("pkgs/p{i:03}")).collect();
        assert!(
            prefixes(&many).is_empty(),
            "too many folders: the whole tree"
        );
        assert_eq!(prefixes(&many[..MAX_PREFIXES]).len(), MAX_PREFIXES);
        assert!(prefixes(&globs(&[])).is_empty());
    }

    /// `Owners` answers as `belongs` does, file by file and package by package.
    #[test]
    fn owners_agree_with_belongs() {
        let paths: Vec<Vec<String>> = [
            &["compiler"][..],
            &["compiler/sub", "shared/**"],
            &["crates/*"],
            &["**"],
            &["docs/*.md", "README.md"],
            &["comp"],
            &["a//b"],
        ]
        .iter()
        .map(|p| p.iter().map(|s| s.to_string()).collect())
        .collect();
        let owners = Owners::new(&paths);
        for file in [
            "compiler/x.py",
            "compiler/sub/y.py",
            "compilerx/y.py",
            "shared/a/b.c",
            "crates/core/src/lib.rs",
            "crates",
            "docs/a.md",
            "docs/sub/a.md",
            "README.md",
            "comp",
            "a/b/c",
            "top.txt",
        ] {
            let mut got = Vec::new();
            owners.of(file, &mut got);
            got.sort();
            got.dedup();
            let expected: Vec<usize> = (0..paths.len())
                .filter(|&i| belongs(&paths[i], &[file.to_string()]))
                .collect();
            assert_eq!(got, expected, "{file}");
        }
    }

    #[test]
    fn package_placeholder() {
        for (template, uses, rendered) in [
            ("{{ package }}-v{{ version }}", true, "core-v{{ version }}"),
            ("{{package}}/{{ version }}", true, "core/{{ version }}"),
            ("v{{ version }}", false, "v{{ version }}"),
            ("{{ packages }}", false, "{{ packages }}"),
            ("{{ package", false, "{{ package"),
        ] {
            assert_eq!(uses_package(template), uses, "{template}");
            assert_eq!(with_package(template, "core"), rendered, "{template}");
        }
    }

    #[test]
    fn post_commands() {
        assert_eq!(
            render_post(
                "cargo publish -p {{ package }} # {{version}} {{ tag }} {{ other }}",
                "core",
                "1.2.0",
                "core-v1.2.0"
            ),
            "cargo publish -p core # 1.2.0 core-v1.2.0 {{ other }}"
        );
    }

    #[test]
    fn names() {
        assert_eq!(name_problem("demo-core"), None);
        assert_eq!(name_problem("a_b.c"), None);
        assert!(name_problem("").is_some());
        assert!(name_problem("-p").is_some());
        assert!(name_problem("a b").is_some());
        assert!(name_problem("a/b").is_some());
    }

    #[test]
    fn defaults_from_the_first_file() {
        assert_eq!(
            default_changelog("compiler/pyproject.toml"),
            "compiler/CHANGELOG.md"
        );
        assert_eq!(default_changelog("Cargo.toml"), "CHANGELOG.md");
        assert_eq!(default_paths("crates/core/Cargo.toml"), vec!["crates/core"]);
        assert_eq!(default_paths("setup.py"), vec!["**"]);
    }

    #[test]
    fn globs() {
        for (glob, path, expected) in [
            ("compiler", "compiler/src/a.py", true),
            ("compiler", "compiler", true),
            ("compiler", "compilers/a.py", false),
            ("compiler/", "compiler/a.py", true),
            ("crates/*", "crates/core/src/lib.rs", true),
            ("crates/*/src", "crates/core/src/lib.rs", true),
            ("crates/*/src", "crates/core/tests/a.rs", false),
            ("**/*.py", "a/b/c.py", true),
            ("**/*.py", "c.py", true),
            ("**/*.py", "c.rs", false),
            ("docs/**", "docs/a/b.md", true),
            ("*.toml", "Cargo.toml", true),
            ("*.toml", "x/Cargo.toml", false),
            ("**", "anything/at/all", true),
            ("ru?time", "runtime/x", true),
        ] {
            assert_eq!(path_matches(glob, path), expected, "{glob} on {path}");
        }
        let paths = vec!["compiler".to_string()];
        assert!(belongs(
            &paths,
            &["README.md".into(), "compiler/a.py".into()]
        ));
        assert!(!belongs(&paths, &["runtime/a.py".into()]));
        assert!(!belongs(&paths, &[]));
    }

    #[test]
    fn shared_minor() {
        let (semver, pep440) = (Scheme::Semver, Scheme::Pep440);
        let agree = [
            ("a".to_string(), v("3.1.0"), semver),
            ("b".into(), v("3.1.4"), semver),
        ];
        assert_eq!(shared_disagreement(&agree), None);
        let differ = [
            ("a".to_string(), v("3.1.0"), semver),
            ("b".into(), v("3.3.0-rc.1"), pep440),
        ];
        let text = shared_disagreement(&differ).unwrap();
        assert!(
            text.contains("a 3.1.0") && text.contains("b 3.3.0rc1"),
            "{text}"
        );
        assert!(moves_minor(&v("3.1.0"), &v("3.2.0")));
        assert!(moves_minor(&v("3.1.0"), &v("4.0.0")));
        assert!(!moves_minor(&v("3.1.0"), &v("3.1.1")));
        assert_eq!(follow(&v("3.1.4"), &v("3.2.0")), Some(v("3.2.0")));
        assert_eq!(follow(&v("3.1.4"), &v("3.2.1")), Some(v("3.2.0")));
        assert_eq!(follow(&v("3.1.4"), &v("3.2.0-rc.1")), Some(v("3.2.0-rc.1")));
        assert_eq!(follow(&v("3.2.0"), &v("3.2.0")), None);
    }

    #[test]
    fn selection_with_yes() {
        let packages = [("a".to_string(), 0), ("b".to_string(), 2), ("c".into(), 1)];
        assert_eq!(changed_packages(&packages).unwrap(), vec!["b", "c"]);
        let none = [("a".to_string(), 0), ("b".to_string(), 0)];
        let error = changed_packages(&none).unwrap_err();
        assert!(error.contains("-p a, -p b"), "{error}");
    }

    #[test]
    fn dependencies_first() {
        let depends = |name: &str| match name {
            "cli" => vec!["core".to_string(), "serde".to_string()],
            "core" => vec!["util".to_string()],
            _ => vec![],
        };
        let names: Vec<String> = ["cli", "core", "util"].map(String::from).to_vec();
        assert_eq!(
            dependency_order(&names, &depends),
            vec!["util", "core", "cli"]
        );
        let names: Vec<String> = ["cli", "other"].map(String::from).to_vec();
        assert_eq!(dependency_order(&names, &depends), vec!["cli", "other"]);
        let cycle = |name: &str| match name {
            "a" => vec!["b".to_string()],
            _ => vec!["a".to_string()],
        };
        let names: Vec<String> = ["a", "b"].map(String::from).to_vec();
        assert_eq!(dependency_order(&names, &cycle), vec!["b", "a"]);
    }
}
