//! Cargo manifests and `Cargo.lock`: the workspace's or package's version, and a workspace bump across
//! members' versions, path-dependency requirements and the lock file.

use super::toml_key::{
    TomlString, formatted_string, item_line, parse_toml, toml_lookup, toml_string,
};
use toml_edit::{Item, Key, Value};

use super::*;

/// A version bump across the manifests and the lock file of a Cargo workspace.
#[derive(Debug, Clone, Copy)]
pub struct CargoEdit<'a> {
    /// Package names of the workspace members.
    pub members: &'a [String],
    /// The version the members have now.
    pub old: &'a str,
    /// The version they get.
    pub new: &'a str,
}

/// Reads a manifest's version: `[workspace.package]`'s if present, else `[package]`'s.
pub(super) fn read_manifest(contents: &str) -> Result<Found, FileError> {
    let doc = parse_toml(contents)?;
    let (workspace, package) = manifest_versions(contents, doc.as_item())?;
    match (workspace, package) {
        (Some(s), _) | (None, PackageVersion::Literal(s)) => Ok(Found {
            text: s.value,
            line: s.line,
        }),
        (None, PackageVersion::Inherited(line)) => Err(FileError::Inherited { line }),
        (None, PackageVersion::Missing) => Err(FileError::NoCargoVersion),
    }
}

/// Every literal version of a manifest (`[workspace.package]` and `[package]`) becomes `new_text`.
pub(super) fn manifest_edits(
    contents: &str,
    new_text: &str,
) -> Result<Vec<(Range<usize>, String)>, FileError> {
    let doc = parse_toml(contents)?;
    let (workspace, package) = manifest_versions(contents, doc.as_item())?;
    let mut literals: Vec<TomlString> = workspace.into_iter().collect();
    match package {
        PackageVersion::Literal(s) => literals.push(s),
        PackageVersion::Inherited(line) if literals.is_empty() => {
            return Err(FileError::Inherited { line });
        }
        PackageVersion::Missing if literals.is_empty() => {
            return Err(FileError::NoCargoVersion);
        }
        PackageVersion::Inherited(_) | PackageVersion::Missing => {}
    }
    literals
        .iter()
        .map(|s| s.replacement(new_text))
        .collect::<Result<_, _>>()
}

/// Bumps one manifest of a Cargo workspace (the root or a member); `None` when nothing changed.
///
/// Rewrites literal `[workspace.package]` and `[package]` versions (which must equal `edit.old`)
/// and the version requirement of every path dependency on a member.
pub fn rewrite_cargo_manifest(
    contents: &str,
    edit: &CargoEdit,
) -> Result<Option<String>, FileError> {
    rewrite_manifest(contents, edit, true)
}

/// Rewrites only the version requirements on `edit.members` in one manifest (its own version stays): a
/// crate of a workspace whose members carry their own versions, when a crate it depends on is released.
pub fn rewrite_cargo_requirements(
    contents: &str,
    edit: &CargoEdit,
) -> Result<Option<String>, FileError> {
    rewrite_manifest(contents, edit, false)
}

/// The requirements on the released members and, with `own_version`, the manifest's own literal versions.
fn rewrite_manifest(
    contents: &str,
    edit: &CargoEdit,
    own_version: bool,
) -> Result<Option<String>, FileError> {
    check_new_version(edit.new)?;
    let doc = parse_toml(contents)?;
    let root = doc.as_item();
    let mut edits = Vec::new();
    if own_version {
        let (workspace, package) = manifest_versions(contents, root)?;
        let package = match package {
            PackageVersion::Literal(s) => Some(s),
            PackageVersion::Inherited(_) | PackageVersion::Missing => None,
        };
        for s in workspace.into_iter().chain(package) {
            if s.value != edit.old {
                return Err(FileError::VersionsDisagree {
                    line: s.line,
                    found: s.value,
                    expected: edit.old.to_owned(),
                });
            }
            edits.push(s.replacement(edit.new)?);
        }
    }
    requirement_edits(contents, root, edit, &mut edits)?;
    finish(contents, edits)
}

/// The edits that move every path dependency's version requirement on a member to `edit.new`.
fn requirement_edits(
    contents: &str,
    root: &Item,
    edit: &CargoEdit,
    edits: &mut Vec<(Range<usize>, String)>,
) -> Result<(), FileError> {
    // A `-dev` pre-release does not satisfy `^1.2.0`: once the members are at `1.3.0-dev`, every
    // intra-workspace requirement must follow, or `cargo metadata --locked --offline` fails.
    for table in dependency_tables(root) {
        for (key, item) in table.iter() {
            let Some(dep) = item.as_table_like() else {
                // `name = "1.2"` names no path, so it comes from a registry.
                continue;
            };
            let name = dep.get("package").and_then(Item::as_str).unwrap_or(key);
            // Without `path` the dependency is a published release, whatever its name.
            if !edit.members.iter().any(|m| m == name) || !dep.contains_key("path") {
                continue;
            }
            let Some((version_key, version)) = dep.get_key_value("version") else {
                continue;
            };
            let path = [key.to_owned(), "version".to_owned()];
            let s = toml_string(contents, &path, Some(version_key), version)?;
            let unsupported = || FileError::UnsupportedRequirement {
                line: s.line,
                dependency: name.to_owned(),
                requirement: s.value.clone(),
            };
            let (prefix, suffix) = requirement_frame(&s.value).ok_or_else(unsupported)?;
            edits.push(s.replacement(&format!("{prefix}{}{suffix}", edit.new))?);
        }
    }
    Ok(())
}

/// Bumps the workspace members in a `Cargo.lock`; `None` when nothing changed.
///
/// A `[[package]]` is a member when its name is a member's, its version is `edit.old` and it has
/// no `source` (registry and git packages always have one).
pub fn rewrite_cargo_lock(contents: &str, edit: &CargoEdit) -> Result<Option<String>, FileError> {
    check_new_version(edit.new)?;
    let doc = parse_toml(contents)?;
    let Some(packages) = doc.get("package").and_then(Item::as_array_of_tables) else {
        return Ok(None);
    };
    let mut edits = Vec::new();
    let mut bumped: Vec<&str> = Vec::new();
    for package in packages.iter() {
        let Some(name) = package.get("name").and_then(Item::as_str) else {
            continue;
        };
        let Some((key, version)) = package.get_key_value("version") else {
            continue;
        };
        let is_member = edit.members.iter().any(|m| m == name);
        if !is_member || version.as_str() != Some(edit.old) || package.contains_key("source") {
            continue;
        }
        let path = ["package".to_owned(), "version".to_owned()];
        edits.push(toml_string(contents, &path, Some(key), version)?.replacement(edit.new)?);
        bumped.push(name);
    }

    // Cargo writes `"name version"` in `dependencies` only when several packages share a name (a
    // member and a registry crate, say); without a source it points at the member and must follow.
    let refs: Vec<(String, &str)> = bumped
        .iter()
        .map(|name| (format!("{name} {}", edit.old), *name))
        .collect();
    for package in packages.iter() {
        let Some(deps) = package.get("dependencies").and_then(Item::as_array) else {
            continue;
        };
        for value in deps.iter() {
            let Value::String(f) = value else { continue };
            if let Some((_, name)) = refs.iter().find(|(r, _)| r == f.value()) {
                let line = f.span().map_or(1, |r| line_of(contents, r.start));
                let s = formatted_string(contents, f, line)?;
                edits.push(s.replacement(&format!("{name} {}", edit.new))?);
            }
        }
    }

    finish(contents, edits)
}

enum PackageVersion {
    Literal(TomlString),
    Inherited(usize),
    Missing,
}

/// `[workspace.package] version` and `[package] version`, whichever are written.
fn manifest_versions(
    contents: &str,
    root: &Item,
) -> Result<(Option<TomlString>, PackageVersion), FileError> {
    let workspace_path = [
        "workspace".to_owned(),
        "package".to_owned(),
        "version".to_owned(),
    ];
    let workspace = match toml_lookup(contents, root, &workspace_path)? {
        Some((key, item)) => Some(toml_string(contents, &workspace_path, key, item)?),
        None => None,
    };
    let package_path = ["package".to_owned(), "version".to_owned()];
    let package = match toml_lookup(contents, root, &package_path)? {
        None => PackageVersion::Missing,
        Some((key, item)) => match item.as_table_like() {
            // `version.workspace = true` or `version = { workspace = true }`.
            Some(table) if table.contains_key("workspace") => {
                let line = key.and_then(Key::span).map_or_else(
                    || item_line(contents, key, item),
                    |span| line_of(contents, span.start),
                );
                PackageVersion::Inherited(line)
            }
            _ => PackageVersion::Literal(toml_string(contents, &package_path, key, item)?),
        },
    };
    Ok((workspace, package))
}

/// Every table that lists dependencies: `[dependencies]` and friends at the top and under
/// `[target.'cfg(..)']`, and `[workspace.dependencies]`.
fn dependency_tables(root: &Item) -> Vec<&dyn toml_edit::TableLike> {
    let mut tables = dependency_kinds(root);
    if let Some(targets) = root.get("target").and_then(Item::as_table_like) {
        for (_, target) in targets.iter() {
            tables.extend(dependency_kinds(target));
        }
    }
    if let Some(deps) = root
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(Item::as_table_like)
    {
        tables.push(deps);
    }
    tables
}

fn dependency_kinds(item: &Item) -> Vec<&dyn toml_edit::TableLike> {
    // Cargo still accepts the underscore spellings, so a manifest may use them.
    const KINDS: [&str; 5] = [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ];
    KINDS
        .iter()
        .filter_map(|kind| item.get(*kind).and_then(Item::as_table_like))
        .collect()
}

/// What surrounds the version in a requirement that can follow a bump: `("=", "")` for `=1.2.0`.
///
/// Only a single comparator with `=`, `~`, `^`, `>=` or none is mechanical; `<2`, `1.*` or
/// `>=1, <2` would need a human to decide what the new bound means.
fn requirement_frame(requirement: &str) -> Option<(&str, &str)> {
    let parsed = semver::VersionReq::parse(requirement).ok()?;
    let [comparator] = parsed.comparators.as_slice() else {
        return None;
    };
    if !matches!(
        comparator.op,
        semver::Op::Exact | semver::Op::Tilde | semver::Op::Caret | semver::Op::GreaterEq
    ) {
        return None;
    }
    let start = requirement.find(|c: char| c.is_ascii_digit())?;
    let end = requirement.trim_end().len();
    Some((&requirement[..start], &requirement[end..]))
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn cargo_manifest_locator() {
        case(
            ROOT_MANIFEST,
            &Locator::CargoManifest,
            "0.1.0",
            10,
            "0.2.0",
            &[10],
        );
        case(
            MEMBER_MANIFEST,
            &Locator::CargoManifest,
            "0.1.0",
            3,
            "0.2.0",
            &[3],
        );
        // A root package inheriting from its own workspace reads the workspace version.
        let root_package = "[package]\nname = \"kit\"\nversion.workspace = true\n\n[workspace.package]\nversion = \"5.0.0\"  # here\n";
        case(
            root_package,
            &Locator::CargoManifest,
            "5.0.0",
            6,
            "5.1.0",
            &[6],
        );
        // When both are literal, read takes the workspace's and rewrite changes both.
        let both = "[workspace.package]\nversion = \"1.0.0\"\n\n[package]\nname = 'kit'\nversion = '1.0.0'\n";
        case(both, &Locator::CargoManifest, "1.0.0", 2, "1.0.1", &[2, 6]);
    }

    #[test]
    fn cargo_manifest_locator_errors() {
        error_case(
            INHERITING_MANIFEST,
            &Locator::CargoManifest,
            FileError::Inherited { line: 4 },
        );
        error_case(
            "[package]\nname = \"kit\"\nversion = { workspace = true }\n",
            &Locator::CargoManifest,
            FileError::Inherited { line: 3 },
        );
        error_case(
            "[package]\nname = \"kit\"\n",
            &Locator::CargoManifest,
            FileError::NoCargoVersion,
        );
        error_case(
            "[package]\nname = \"kit\"\nversion = 1\n",
            &Locator::CargoManifest,
            FileError::NotAString {
                path: "package.version".into(),
                line: 3,
                found: "an integer",
            },
        );
        let message = FileError::Inherited { line: 4 }.to_string();
        assert!(
            message.contains("inherited from the workspace"),
            "{message}"
        );
    }

    #[test]
    fn workspace_root_manifest() {
        // The registry crates at 0.1.0 on lines 18 and 19 keep their requirement.
        cargo_case(
            rewrite_cargo_manifest,
            ROOT_MANIFEST,
            "0.1.0",
            "0.2.0-dev",
            &[10, 16],
        );
    }

    #[test]
    fn member_manifest() {
        // Lines 5, 9 and 10 (a description, a registry crate, the published kit) and the build
        // dependency without a version stay; operators `=`, `~`, `>= ` and `^` are kept.
        cargo_case(
            rewrite_cargo_manifest,
            MEMBER_MANIFEST,
            "0.1.0",
            "0.2.0-dev",
            &[3, 8, 15, 18, 24, 26],
        );
    }

    #[test]
    fn manifests_with_nothing_to_change() {
        cargo_case(
            rewrite_cargo_manifest,
            INHERITING_MANIFEST,
            "0.1.0",
            "0.2.0",
            &[],
        );
        cargo_case(
            rewrite_cargo_manifest,
            "[workspace]\nmembers = [\"a\"]\n",
            "0.1.0",
            "0.2.0",
            &[],
        );
        // A bump to the same version changes nothing.
        cargo_case(rewrite_cargo_manifest, ROOT_MANIFEST, "0.1.0", "0.1.0", &[]);
    }

    #[test]
    fn partial_requirements_become_the_new_version() {
        let members = members();
        let edit = CargoEdit {
            members: &members,
            old: "0.1.0",
            new: "0.2.0-dev",
        };
        let text =
            "[dev_dependencies]\nkit = { path = \"../kit\", version = \"0.1\" }  # partial\n";
        let after = rewrite_cargo_manifest(text, &edit).unwrap();
        assert_eq!(
            after.as_deref(),
            Some(
                "[dev_dependencies]\nkit = { path = \"../kit\", version = \"0.2.0-dev\" }  # partial\n"
            )
        );
    }

    #[test]
    fn workspace_errors() {
        cargo_error_case(
            rewrite_cargo_manifest,
            MEMBER_MANIFEST,
            "0.0.9",
            "0.2.0",
            FileError::VersionsDisagree {
                line: 3,
                found: "0.1.0".into(),
                expected: "0.0.9".into(),
            },
        );
        for requirement in ["<0.2", "0.1.*", ">=0.1, <0.3", "*", "not a version"] {
            let text = format!(
                "[package]\nname = \"a\"\n\n[dependencies]\nkit = {{ path = \"../kit\", version = \"{requirement}\" }}\n"
            );
            cargo_error_case(
                rewrite_cargo_manifest,
                &text,
                "0.1.0",
                "0.2.0",
                FileError::UnsupportedRequirement {
                    line: 5,
                    dependency: "kit".into(),
                    requirement: requirement.into(),
                },
            );
        }
        let invalid = FileError::InvalidNewVersion {
            text: "0.2".into(),
            reason: semver::Version::parse("0.2").unwrap_err().to_string(),
        };
        cargo_error_case(
            rewrite_cargo_manifest,
            ROOT_MANIFEST,
            "0.1.0",
            "0.2",
            invalid.clone(),
        );
        cargo_error_case(rewrite_cargo_lock, CARGO_LOCK, "0.1.0", "0.2", invalid);
        let members = members();
        let edit = CargoEdit {
            members: &members,
            old: "0.1.0",
            new: "0.2.0",
        };
        let broken = rewrite_cargo_lock("[[package]\nname = \"kit\"\n", &edit).unwrap_err();
        assert!(
            matches!(broken, FileError::MalformedToml { line: Some(1), .. }),
            "{broken:?}"
        );
    }

    #[test]
    fn cargo_lock() {
        // Registry `anyhow 0.1.0` (line 7) stays; the member `kit 0.1.0`, the member `kit-cli` and
        // the reference "kit 0.1.0" (needed because a registry `kit` exists too) follow.
        cargo_case(
            rewrite_cargo_lock,
            CARGO_LOCK,
            "0.1.0",
            "0.2.0-dev",
            &[19, 26, 30],
        );
        // Nothing at the old version: nothing changes.
        cargo_case(rewrite_cargo_lock, CARGO_LOCK, "7.0.0", "7.1.0", &[]);
        cargo_case(
            rewrite_cargo_lock,
            "# empty\nversion = 4\n",
            "0.1.0",
            "0.2.0",
            &[],
        );
    }
}
