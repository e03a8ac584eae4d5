//! How `xtask init` edits a repository to hold the kit: pure text-to-text edits and the decision, per kit
//! file, between writing it, upgrading it and keeping what the user has.
//!
//! Every edit of a user's file is format-preserving (comments, order and spacing kept) and idempotent:
//! applied to its own output it changes nothing, which is what makes re-running `init` safe.

use std::collections::BTreeMap;

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::domain::launcher;

/// The command the `cargo xtask` alias runs when the kit is the repository's xtask: the launcher, a member of
/// the project's workspace, which runs the kit's own workspace (see [`launcher`]).
pub const ALIAS: &str = launcher::ALIAS;
/// The aliases older kits wrote, replaced by [`ALIAS`]: the kit a member of the project's workspace, then
/// the kit's workspace reached from the top directory only.
pub const OLD_ALIASES: [&str; 2] = [
    "run --package xtask --profile xtask --",
    "run --manifest-path xtask/Cargo.toml --profile xtask --",
];

/// Concrete values for the fields the kit's own manifest inherits from its workspace.
pub struct PackageFacts<'a> {
    /// The kit's version, kept in `[package.metadata.xtask-kit]` for `--version` and `kit-files.json`.
    pub version: &'a str,
    pub edition: &'a str,
    pub rust_version: &'a str,
    pub license: &'a str,
}

fn parse(name: &str, text: &str) -> Result<DocumentMut, String> {
    text.parse::<DocumentMut>().map_err(|e| {
        format!(
            "{name}: not valid TOML, so it cannot be edited: {}",
            e.to_string().trim_end()
        )
    })
}

/// The kit's `Cargo.toml` as it is installed under `name`: nothing inherited from the target's workspace
/// (its `[workspace.package]` is someone else's), no version (so the project's own version files never
/// include the task runner), no tests or benchmarks (they are not shipped). `standalone`: a workspace of its
/// own, with the `[profile.xtask]` it builds with, so that the project's `cargo build`, `cargo test
/// --workspace`, `cargo metadata` and MSRV jobs never meet the kit or the Rust it needs.
pub fn installed_manifest(
    kit: &str,
    name: &str,
    facts: &PackageFacts,
    standalone: bool,
) -> Result<String, String> {
    let mut doc = parse("the kit's Cargo.toml", kit)?;
    doc.remove("workspace");
    doc.remove("profile");
    let package = doc
        .get_mut("package")
        .and_then(Item::as_table_like_mut)
        .ok_or("the kit's Cargo.toml has no [package]")?;
    package.insert("name", toml_edit::value(name));
    package.remove("version");
    package.insert("edition", toml_edit::value(facts.edition));
    package.insert("rust-version", toml_edit::value(facts.rust_version));
    package.insert("license", toml_edit::value(facts.license));
    package.insert("publish", toml_edit::value(false));
    let inherited: Vec<String> = package
        .iter()
        .filter(|(_, item)| {
            item.as_table_like()
                .is_some_and(|t| t.get("workspace").is_some())
        })
        .map(|(key, _)| key.to_string())
        .collect();
    for key in inherited {
        package.remove(&key);
    }
    let mut metadata = Table::new();
    metadata.insert("version", toml_edit::value(facts.version));
    let package = doc["package"]
        .as_table_mut()
        .ok_or("the kit's Cargo.toml: [package] is not a table")?;
    if package.get("metadata").is_none() {
        let mut table = Table::new();
        table.set_implicit(true);
        package.insert("metadata", Item::Table(table));
    }
    package["metadata"]
        .as_table_mut()
        .ok_or("the kit's Cargo.toml: package.metadata is not a table")?
        .insert("xtask-kit", Item::Table(metadata));
    doc.remove("dev-dependencies");
    doc.remove("bench");
    doc.remove("test");
    // The kit's tests need its dev-dependencies and its own repository: a target's `cargo test --workspace`
    // must not try to build them.
    let mut lib = Table::new();
    lib.insert("test", toml_edit::value(false));
    lib.insert("doctest", toml_edit::value(false));
    doc.insert("lib", Item::Table(lib));
    let mut text = doc.to_string();
    if standalone {
        text = format!("{}\n{STANDALONE}{PROFILE}", text.trim_end());
    }
    Ok(if text.starts_with(INSTALLED_HEADER) {
        text
    } else {
        format!("{INSTALLED_HEADER}{text}")
    })
}

const STANDALONE: &str = "
# The kit is a workspace of its own, beside the project's: the project's builds, tests and MSRV checks never
# compile it, and it builds from its own Cargo.lock (the versions the kit was tested with). `cargo xtask`
# reaches it through the launcher in .cargo/xtask-launcher.
[workspace]
";

const INSTALLED_HEADER: &str = "# The release kit, installed by `xtask init`: run it again with a newer kit to upgrade.\n\
                                # A file you change here is kept as yours (see kit-files.json).\n";

/// The root `Cargo.toml` with `member` in the workspace (unless a glob already covers it) and, with
/// `profile`, the `[profile.xtask]` that `cargo xtask` builds with. A repository without a root manifest
/// gets a minimal workspace holding just the kit.
pub fn add_workspace_member(
    root: Option<&str>,
    member: &str,
    profile: bool,
) -> Result<String, String> {
    let mut text = match root {
        None => format!(
            "# Added by `xtask init`: a workspace for the release kit alone.\n[workspace]\nresolver = \"3\"\nmembers = [\"{member}\"]\n"
        ),
        Some(text) => {
            let mut doc = parse("Cargo.toml", text)?;
            if doc.get("workspace").is_none() {
                // A single package becomes a workspace: the root package stays a member.
                let mut workspace = Table::new();
                workspace.insert(
                    "members",
                    toml_edit::value(Value::Array([member].into_iter().collect())),
                );
                doc.insert("workspace", Item::Table(workspace));
            } else {
                let workspace = doc["workspace"]
                    .as_table_like_mut()
                    .ok_or("Cargo.toml: `workspace` is not a table")?;
                match workspace.get_mut("members") {
                    None => {
                        workspace.insert(
                            "members",
                            toml_edit::value(Value::Array([member].into_iter().collect())),
                        );
                    }
                    Some(members) => {
                        let members = members
                            .as_array_mut()
                            .ok_or("Cargo.toml: `workspace.members` is not a list")?;
                        let covered = members
                            .iter()
                            .filter_map(Value::as_str)
                            .any(|m| crate::domain::detect::glob_match(m, member));
                        if !covered {
                            push_keeping_layout(members, member);
                        }
                    }
                }
            }
            doc.to_string()
        }
    };
    if profile && !has_xtask_profile(&text) {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(PROFILE);
    }
    Ok(text)
}

/// The `[profile.xtask]` `init` adds: the one this workspace builds the kit with (a test in `kit` checks it).
pub const PROFILE: &str = "
# `cargo xtask` builds with this profile (added by `xtask init`; other builds are unaffected). It is
# tuned for a short first build: no debug info or incremental compilation, light optimisation for the
# dependencies, none for the heavy ones that run once per command, and full optimisation where time
# goes on long histories and in git hooks (the kit itself, zlib-rs and gix's object reading).
[profile.xtask]
inherits = \"dev\"
debug = false
debug-assertions = false
overflow-checks = false
strip = true
opt-level = 1
incremental = false

[profile.xtask.package.xtask]
opt-level = 2
# Said again here: a package's own settings otherwise bring back cargo's default, stripping debug info only.
strip = true
[profile.xtask.package.zlib-rs]
opt-level = 2
[profile.xtask.package.gix-pack]
opt-level = 2
[profile.xtask.package.gix-odb]
opt-level = 2
[profile.xtask.package.gix-object]
opt-level = 2
[profile.xtask.package.gix-actor]
opt-level = 2
[profile.xtask.package.gix-hash]
opt-level = 2
[profile.xtask.package.gix-revwalk]
opt-level = 2
[profile.xtask.package.gix-traverse]
opt-level = 2
[profile.xtask.package.gix-commitgraph]
opt-level = 2
[profile.xtask.package.gix-config]
opt-level = 2

[profile.xtask.package.clap_builder]
opt-level = 0
[profile.xtask.package.inquire]
opt-level = 0
[profile.xtask.package.crossterm]
opt-level = 0
[profile.xtask.package.jiff]
opt-level = 0
[profile.xtask.package.toml_edit]
opt-level = 0
[profile.xtask.package.encoding_rs]
opt-level = 0
[profile.xtask.package.gix-index]
opt-level = 0
";

fn has_xtask_profile(text: &str) -> bool {
    text.parse::<DocumentMut>()
        .ok()
        .is_some_and(|doc| doc.get("profile").and_then(|p| p.get("xtask")).is_some())
}

/// Removes `item` from a list; a comment in the text before it (one after the previous entry, on that
/// entry's line) stays where it was.
fn remove_keeping_comments(array: &mut toml_edit::Array, item: &str) {
    loop {
        let found = array.iter().position(|v| v.as_str() == Some(item));
        let Some(index) = found else {
            return;
        };
        let prefix = array
            .get(index)
            .and_then(|v| v.decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or("")
            .to_string();
        array.remove(index);
        let Some(end) = prefix.rfind('\n').filter(|_| prefix.contains('#')) else {
            continue;
        };
        let comment = &prefix[..end];
        match array.get_mut(index) {
            Some(next) => {
                let rest = next
                    .decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("")
                    .to_string();
                next.decor_mut().set_prefix(format!("{comment}{rest}"));
            }
            None => {
                let rest = array.trailing().as_str().unwrap_or("").to_string();
                array.set_trailing(format!("{comment}{rest}"));
            }
        }
    }
}

/// Appends to a list the way it is laid out: one per line when it is, inline otherwise.
fn push_keeping_layout(array: &mut toml_edit::Array, item: &str) {
    let multiline = array
        .iter()
        .next()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .is_some_and(|p| p.contains('\n'));
    if multiline {
        let prefix = array
            .iter()
            .last()
            .and_then(|v| v.decor().prefix())
            .and_then(|p| p.as_str())
            .unwrap_or("\n    ")
            .to_string();
        // A comment after the last entry (`"b",  # the b crate`) is the list's trailing text: it stays on
        // that entry's line, and the new entry goes on a line of its own after it.
        let trailing = array.trailing().as_str().unwrap_or("").to_string();
        let prefix = if trailing.contains('#') {
            array.set_trailing("\n");
            format!("{}{prefix}", trailing.trim_end())
        } else {
            prefix
        };
        array.push_formatted(Value::from(item).decorated(prefix, ""));
        array.set_trailing_comma(true);
    } else {
        array.push(item);
    }
}

/// `.cargo/config.toml` with the `cargo xtask` alias; any alias and other key already there are kept.
/// Returns the text and whether an `xtask` alias of someone else's was found (and kept).
pub fn add_alias(config: Option<&str>, alias: &str) -> Result<(String, bool), String> {
    let text = config.unwrap_or("");
    let doc = parse(".cargo/config.toml", text)?;
    if let Some(existing) = doc.get("alias").and_then(|a| a.get("xtask")) {
        // An older kit's alias is the kit's to upgrade.
        if let Some(old) = OLD_ALIASES
            .iter()
            .find(|old| existing.as_str() == Some(**old))
            && alias == ALIAS
        {
            return Ok((
                text.replacen(&format!("\"{old}\""), &format!("\"{ALIAS}\""), 1),
                false,
            ));
        }
        let same = existing.as_str() == Some(alias);
        return Ok((text.to_string(), !same));
    }
    let comment = "# `cargo xtask …` runs the release kit (added by `xtask init`).\n";
    if doc.get("alias").is_some_and(|a| a.is_table()) {
        let mut doc = doc;
        let table = doc["alias"]
            .as_table_mut()
            .ok_or(".cargo/config.toml: `alias` is not a table")?;
        table.insert("xtask", toml_edit::value(alias));
        if let Some(mut key) = table.key_mut("xtask") {
            key.leaf_decor_mut().set_prefix(comment);
        }
        return Ok((doc.to_string(), false));
    }
    if doc.get("alias").is_some() {
        return Err(".cargo/config.toml: `alias` is not a table: add `xtask = \"run --package xtask --\"` to it by hand".into());
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(&format!("[alias]\n{comment}xtask = \"{alias}\"\n"));
    Ok((out, false))
}

/// `.gitignore` with cargo's build directory (and the kit's, `kit_target`, when it builds as a workspace of
/// its own) ignored, unless a line already does.
pub fn ignore_target(gitignore: Option<&str>, kit_target: Option<&str>) -> String {
    let text = gitignore.unwrap_or("");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let anywhere = lines
        .iter()
        .any(|l| matches!(*l, "target" | "target/" | "**/target" | "**/target/"));
    let mut wanted = vec!["/target".to_string()];
    wanted.extend(kit_target.map(|t| format!("/{t}")));
    let mut out = text.to_string();
    for line in wanted {
        let ignored = anywhere
            || lines.contains(&line.as_str())
            || lines.contains(&format!("{line}/").as_str());
        if ignored {
            continue;
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The root `Cargo.toml` for the kit as a workspace of its own in `dir`, reached through the launcher: the
/// launcher a member of the project's workspace (one is made when there is none: a virtual workspace of the
/// launcher alone where there is no root manifest, `[workspace]` added to a single package), never a
/// default member (a virtual workspace without `default-members` gets its current `members` as
/// `default-members`), and the kit's crate kept out (an older kit's `members` entry for it removed,
/// `exclude` gaining it when a glob in `members` covers it). `None`: nothing to change.
pub fn hold_the_launcher(root: Option<&str>, dir: &str) -> Result<Option<String>, String> {
    let Some(text) = root else {
        return Ok(Some(format!(
            "# Added by `xtask init`: `cargo xtask` runs the release kit through this launcher crate\n\
             # (the kit itself, in {dir}/, is a workspace of its own).\n\
             [workspace]\nresolver = \"2\"\nmembers = [\"{}\"]\n",
            launcher::DIR
        )));
    };
    let mut doc = parse("Cargo.toml", text)?;
    if doc.get("workspace").is_none() {
        // A single package becomes a workspace: the root package stays its only default member.
        let mut workspace = Table::new();
        workspace.decor_mut().set_prefix(
            "\n# Added by `xtask init`: the launcher `cargo xtask` runs (see .cargo/xtask-launcher).\n",
        );
        workspace.insert(
            "members",
            toml_edit::value(Value::Array([launcher::DIR].into_iter().collect())),
        );
        doc.insert("workspace", Item::Table(workspace));
        return Ok(Some(doc.to_string()));
    }
    let is_package = doc.get("package").is_some();
    let workspace = doc["workspace"]
        .as_table_like_mut()
        .ok_or("Cargo.toml: `workspace` is not a table")?;
    let mut covered = false;
    let mut launcher_covered = false;
    let mut before: Option<toml_edit::Array> = None;
    match workspace.get_mut("members") {
        Some(members) => {
            let members = members
                .as_array_mut()
                .ok_or("Cargo.toml: `workspace.members` is not a list")?;
            remove_keeping_comments(members, dir);
            let listed =
                |glob: &dyn Fn(&str) -> bool| members.iter().filter_map(Value::as_str).any(glob);
            covered = listed(&|m| crate::domain::detect::glob_match(m, dir));
            launcher_covered = listed(&|m| crate::domain::detect::glob_match(m, launcher::DIR));
            let mut kept = members.clone();
            kept.retain(|m| m.as_str() != Some(launcher::DIR));
            before = Some(kept);
            if !launcher_covered {
                push_keeping_layout(members, launcher::DIR);
            }
        }
        None => {
            workspace.insert(
                "members",
                toml_edit::value(Value::Array([launcher::DIR].into_iter().collect())),
            );
        }
    }
    // In a virtual workspace every member is a default member unless `default-members` says otherwise:
    // saying it keeps `cargo build` and `cargo test` at the top exactly as they were.
    if !is_package
        && workspace.get("default-members").is_none()
        && let Some(mut members) = before
        && !launcher_covered
    {
        members.decor_mut().clear();
        members.set_trailing("");
        members.set_trailing_comma(false);
        for value in members.iter_mut() {
            value.decor_mut().clear();
        }
        members.fmt();
        workspace.insert("default-members", toml_edit::value(members));
        if let Some(mut key) = workspace.key_mut("default-members") {
            key.leaf_decor_mut().set_prefix(
                "# What `cargo build` and `cargo test` build here, as before `xtask init` added the\n\
                 # launcher of `cargo xtask` to the members.\n",
            );
        }
    }
    let excluded = workspace
        .get("exclude")
        .and_then(Item::as_array)
        .is_some_and(|a| a.iter().any(|e| e.as_str() == Some(dir)));
    if covered && !excluded {
        match workspace.get_mut("exclude") {
            Some(exclude) => push_keeping_layout(
                exclude
                    .as_array_mut()
                    .ok_or("Cargo.toml: `workspace.exclude` is not a list")?,
                dir,
            ),
            None => {
                workspace.insert(
                    "exclude",
                    toml_edit::value(Value::Array([dir].into_iter().collect())),
                );
            }
        }
    }
    let out = doc.to_string();
    Ok((out != text).then_some(out))
}

/// A manifest with a path dependency on the kit's library (kept as it is when already there).
pub fn add_path_dependency(manifest: &str, name: &str, path: &str) -> Result<String, String> {
    let mut doc = parse("xtask/Cargo.toml", manifest)?;
    if doc.get("dependencies").is_none() {
        doc.insert("dependencies", Item::Table(Table::new()));
    }
    let deps = doc["dependencies"]
        .as_table_like_mut()
        .ok_or("xtask/Cargo.toml: `dependencies` is not a table")?;
    if deps.get(name).is_none() {
        let mut dep = toml_edit::InlineTable::new();
        dep.insert("path", Value::from(path));
        deps.insert(name, toml_edit::value(dep));
    }
    Ok(doc.to_string())
}

/// `main.rs` with `call` as the first statement of `fn main`; `None` when there is no `fn main` to edit.
/// Already there: unchanged.
pub fn add_dispatch_call(main_rs: &str, call: &str) -> Option<String> {
    if main_rs.contains(call) {
        return Some(main_rs.to_string());
    }
    let start = main_rs.find("fn main(")?;
    let brace = start + main_rs[start..].find('{')?;
    let after = &main_rs[brace + 1..];
    // The statement goes on its own line, indented like the line that follows (or four spaces).
    let indent = after
        .lines()
        .nth(1)
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .filter(|i| !i.is_empty())
        .unwrap_or("    ");
    let comment = "// The release kit's commands (release, version, hooks, …); returns for every other command.";
    Some(format!(
        "{}\n{indent}{comment}\n{indent}{call}{}",
        &main_rs[..brace + 1],
        after
    ))
}

/// What happens to one of the kit's own files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KitFile {
    /// Written: new, or an upgrade of the kit's own unmodified copy (`before` is what is there now).
    Write {
        rel: String,
        before: Option<String>,
        after: String,
    },
    /// Already as the kit would write it.
    Current { rel: String },
    /// A file the kit did not write, or one the user changed since: kept as it is.
    Kept { rel: String, reason: String },
}

/// Decides, per kit file, from what is on disk and what the kit recorded writing (`recorded`: path → hash).
pub fn plan_kit_files(
    wanted: &[(String, String)],
    on_disk: &BTreeMap<String, String>,
    recorded: &BTreeMap<String, String>,
    hash: &dyn Fn(&str) -> String,
) -> Vec<KitFile> {
    wanted
        .iter()
        .map(|(rel, after)| match on_disk.get(rel) {
            None => KitFile::Write {
                rel: rel.clone(),
                before: None,
                after: after.clone(),
            },
            Some(now) if now == after => KitFile::Current { rel: rel.clone() },
            Some(now) => match recorded.get(rel) {
                Some(h) if *h == hash(now) => KitFile::Write {
                    rel: rel.clone(),
                    before: Some(now.clone()),
                    after: after.clone(),
                },
                Some(_) => KitFile::Kept {
                    rel: rel.clone(),
                    reason: "changed since the kit wrote it".into(),
                },
                None => KitFile::Kept {
                    rel: rel.clone(),
                    reason: "not written by the kit".into(),
                },
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACTS: PackageFacts = PackageFacts {
        version: "1.2.0",
        edition: "2024",
        rust_version: "1.88",
        license: "MIT OR Apache-2.0",
    };

    #[test]
    fn the_installed_manifest_inherits_nothing() {
        let kit = "[package]\nname = \"xtask\"\nversion.workspace = true\nedition.workspace = true\n\
                   license.workspace = true\nrust-version.workspace = true\npublish = false\n\n\
                   [dependencies]\nanyhow = \"1\"\n\n[dev-dependencies]\ntempfile = \"3\"\n\n[[bench]]\nname = \"speed\"\nharness = false\n";
        let out = installed_manifest(kit, "xtask-release", &FACTS, false).unwrap();
        assert!(!out.contains("workspace"), "{out}");
        let parsed: toml::Table = out.parse().unwrap();
        assert!(parsed["package"].get("version").is_none(), "{out}");
        assert!(out.contains("rust-version = \"1.88\""), "{out}");
        assert!(out.contains("edition = \"2024\""), "{out}");
        assert!(out.contains("name = \"xtask-release\""), "{out}");
        assert!(
            out.contains("anyhow = \"1\"") && !out.contains("tempfile") && !out.contains("bench"),
            "{out}"
        );
        assert_eq!(
            installed_manifest(&out, "xtask-release", &FACTS, false).unwrap(),
            out
        );
        // As the repository's xtask: a workspace of its own, with the profile it builds with.
        let alone = installed_manifest(kit, "xtask", &FACTS, true).unwrap();
        let parsed: toml::Table = alone.parse().unwrap();
        assert!(parsed["workspace"].as_table().is_some(), "{alone}");
        assert_eq!(
            parsed["profile"]["xtask"]["opt-level"].as_integer(),
            Some(1)
        );
        assert!(!alone.contains(".workspace"), "{alone}");
        assert_eq!(
            installed_manifest(&alone, "xtask", &FACTS, true).unwrap(),
            alone
        );
    }

    #[test]
    fn the_kit_stays_out_of_the_projects_workspace_and_its_launcher_in() {
        let l = launcher::DIR;
        let default = "# What `cargo build` and `cargo test` build here, as before `xtask init` added the\n\
                       # launcher of `cargo xtask` to the members.\n";
        let cases: Vec<(&str, String)> = vec![
            // A single package: a workspace with the launcher; the package stays the default member.
            (
                "[package]\nname = \"one\"\n",
                format!(
                    "[package]\nname = \"one\"\n\n# Added by `xtask init`: the launcher `cargo xtask` runs \
                     (see .cargo/xtask-launcher).\n[workspace]\nmembers = [\"{l}\"]\n"
                ),
            ),
            // A virtual workspace: the launcher joins, the default members stay as they were.
            (
                "[workspace]\nmembers = [\"crates/*\"]  # ours\n",
                format!(
                    "[workspace]\nmembers = [\"crates/*\", \"{l}\"]  # ours\n{default}default-members = [\"crates/*\"]\n"
                ),
            ),
            // Its own default members, or a root package: only the member.
            (
                "[workspace]\nmembers = [\"a\"]\ndefault-members = [\"a\"]\n",
                format!("[workspace]\nmembers = [\"a\", \"{l}\"]\ndefault-members = [\"a\"]\n"),
            ),
            (
                "[package]\nname = \"one\"\n[workspace]\nmembers = [\"a\"]\n",
                format!("[package]\nname = \"one\"\n[workspace]\nmembers = [\"a\", \"{l}\"]\n"),
            ),
            // An older kit's member entry goes.
            (
                "[package]\nname = \"one\"\n[workspace]\nmembers = [\"a\", \"xtask\"]\n",
                format!("[package]\nname = \"one\"\n[workspace]\nmembers = [\"a\", \"{l}\"]\n"),
            ),
            // A glob that would take the kit in: excluded.
            (
                "[package]\nname = \"one\"\n[workspace]\nmembers = [\"*\"]\n",
                format!(
                    "[package]\nname = \"one\"\n[workspace]\nmembers = [\"*\", \"{l}\"]\nexclude = [\"xtask\"]\n"
                ),
            ),
            (
                "[package]\nname = \"one\"\n[workspace]\nmembers = [\"*\"]\nexclude = [\"fuzz\"]\n",
                format!(
                    "[package]\nname = \"one\"\n[workspace]\nmembers = [\"*\", \"{l}\"]\nexclude = [\"fuzz\", \"xtask\"]\n"
                ),
            ),
            // An older kit's entry after a commented one: the comment stays on its line.
            (
                "[workspace]\nmembers = [\n    \"a\",  # the a crate\n    \"xtask\",\n]\ndefault-members = [\"a\"]\n",
                format!(
                    "[workspace]\nmembers = [\n    \"a\",  # the a crate\n    \"{l}\",\n]\ndefault-members = [\"a\"]\n"
                ),
            ),
            // A list one per line, a comment after its last entry: the comment stays on that line.
            (
                "[workspace]\nmembers = [\n    \"a\",\n    \"b\",  # the b crate\n]\ndefault-members = [\"a\"]\n",
                format!(
                    "[workspace]\nmembers = [\n    \"a\",\n    \"b\",  # the b crate\n    \"{l}\",\n]\ndefault-members = [\"a\"]\n"
                ),
            ),
        ];
        for (before, after) in &cases {
            let out = hold_the_launcher(Some(before), "xtask").unwrap();
            assert_eq!(out.as_deref(), Some(after.as_str()), "{before}");
            assert_eq!(
                hold_the_launcher(Some(after), "xtask").unwrap(),
                None,
                "{after}"
            );
            after.parse::<toml::Table>().unwrap();
        }
        // No root manifest: a workspace of the launcher alone.
        let fresh = hold_the_launcher(None, "xtask").unwrap().unwrap();
        let doc: toml::Table = fresh.parse().unwrap();
        assert_eq!(doc["workspace"]["members"].as_array().unwrap().len(), 1);
        assert_eq!(hold_the_launcher(Some(&fresh), "xtask").unwrap(), None);
        assert!(hold_the_launcher(Some("[workspace"), "xtask").is_err());
    }

    #[test]
    fn members_are_added_keeping_comments_and_globs() {
        let cases: &[(&str, &str)] = &[
            (
                "[workspace]\nmembers = [\"crates/*\"]  # our crates\n",
                "[workspace]\nmembers = [\"crates/*\", \"xtask\"]  # our crates\n",
            ),
            (
                "[workspace]\nmembers = [\"*\"]\n",
                "[workspace]\nmembers = [\"*\"]\n",
            ),
            (
                "[workspace]\nmembers = [\n    \"a\",\n    \"b\",\n]\n",
                "[workspace]\nmembers = [\n    \"a\",\n    \"b\",\n    \"xtask\",\n]\n",
            ),
            (
                "# hi\n[workspace]\nresolver = \"2\"\n",
                "# hi\n[workspace]\nresolver = \"2\"\nmembers = [\"xtask\"]\n",
            ),
            (
                "[package]\nname = \"one\"\n",
                "[package]\nname = \"one\"\n\n[workspace]\nmembers = [\"xtask\"]\n",
            ),
        ];
        for (before, after) in cases {
            let out = add_workspace_member(Some(before), "xtask", false).unwrap();
            assert_eq!(out, *after, "{before}");
            assert_eq!(
                add_workspace_member(Some(&out), "xtask", false).unwrap(),
                out
            );
        }
        let fresh = add_workspace_member(None, "xtask", true).unwrap();
        let doc: toml::Table = fresh.parse().unwrap();
        assert_eq!(doc["workspace"]["members"].as_array().unwrap().len(), 1);
        assert_eq!(doc["profile"]["xtask"]["opt-level"].as_integer(), Some(1));
        assert_eq!(
            doc["profile"]["xtask"]["package"]["xtask"]["opt-level"].as_integer(),
            Some(2)
        );
        assert_eq!(
            add_workspace_member(Some(&fresh), "xtask", true).unwrap(),
            fresh
        );
        assert!(add_workspace_member(Some("[workspace"), "xtask", true).is_err());
    }

    #[test]
    fn an_older_kits_alias_is_upgraded() {
        for old in OLD_ALIASES {
            let old = format!("[alias]\nlint = \"clippy\"\nxtask = \"{old}\"\n");
            let (out, foreign) = add_alias(Some(&old), ALIAS).unwrap();
            assert!(!foreign);
            assert_eq!(
                out,
                format!("[alias]\nlint = \"clippy\"\nxtask = \"{ALIAS}\"\n")
            );
            assert_eq!(add_alias(Some(&out), ALIAS).unwrap(), (out.clone(), false));
        }
    }

    #[test]
    fn the_alias_joins_the_users_configuration() {
        let (out, foreign) = add_alias(
            Some("[alias]\n# ours\nlint = \"clippy\"\n\n[build]\njobs = 2\n"),
            ALIAS,
        )
        .unwrap();
        assert!(!foreign);
        assert!(
            out.starts_with("[alias]\n# ours\nlint = \"clippy\"\n"),
            "{out}"
        );
        assert!(out.contains(&format!("xtask = \"{ALIAS}\"")), "{out}");
        assert!(out.contains("[build]\njobs = 2"), "{out}");
        assert_eq!(add_alias(Some(&out), ALIAS).unwrap(), (out.clone(), false));
        let (fresh, _) = add_alias(None, ALIAS).unwrap();
        assert!(fresh.parse::<toml::Table>().unwrap()["alias"]["xtask"].as_str() == Some(ALIAS));
        let theirs = "[alias]\nxtask = \"run -p xtask --\"\n";
        assert_eq!(
            add_alias(Some(theirs), ALIAS).unwrap(),
            (theirs.to_string(), true)
        );
        let (plain, _) = add_alias(Some("[build]\njobs = 2"), ALIAS).unwrap();
        assert!(
            plain.starts_with("[build]\njobs = 2\n\n[alias]\n"),
            "{plain}"
        );
    }

    #[test]
    fn target_is_ignored_once() {
        assert_eq!(ignore_target(None, None), "/target\n");
        assert_eq!(ignore_target(Some("*.pyc"), None), "*.pyc\n/target\n");
        assert_eq!(ignore_target(Some("target/\n"), None), "target/\n");
        let kit = Some("xtask/target");
        assert_eq!(ignore_target(None, kit), "/target\n/xtask/target\n");
        assert_eq!(
            ignore_target(Some("/target/\n"), kit),
            "/target/\n/xtask/target\n"
        );
        assert_eq!(ignore_target(Some("target\n"), kit), "target\n");
        let once = ignore_target(Some("*.pyc\n"), kit);
        assert_eq!(ignore_target(Some(&once), kit), once);
    }

    #[test]
    fn the_users_main_calls_the_kit_first() {
        let main = "use std::env;\n\nfn main() -> anyhow::Result<()> {\n    let task = env::args().nth(1);\n    Ok(())\n}\n";
        let out = add_dispatch_call(main, "xtask_release::dispatch();").unwrap();
        assert!(
            out.contains("fn main() -> anyhow::Result<()> {\n    // The release kit"),
            "{out}"
        );
        assert!(
            out.contains("\n    xtask_release::dispatch();\n    let task"),
            "{out}"
        );
        assert_eq!(
            add_dispatch_call(&out, "xtask_release::dispatch();").unwrap(),
            out
        );
        assert!(add_dispatch_call("pub fn other() {}", "x();").is_none());
        let dep = add_path_dependency(
            "[package]\nname = \"xtask\"\n",
            "xtask-release",
            "../xtask-release",
        )
        .unwrap();
        assert!(
            dep.contains("[dependencies]\nxtask-release = { path = \"../xtask-release\" }"),
            "{dep}"
        );
        assert_eq!(
            add_path_dependency(&dep, "xtask-release", "../xtask-release").unwrap(),
            dep
        );
    }

    #[test]
    fn kit_files_are_upgraded_only_when_the_kit_wrote_them() {
        let hash = |s: &str| format!("h{}", s.len());
        let wanted: Vec<(String, String)> = ["new", "same", "ours", "edited", "theirs"]
            .iter()
            .map(|n| (n.to_string(), "v2".to_string()))
            .collect();
        let on_disk: BTreeMap<String, String> = [
            ("same", "v2"),
            ("ours", "v1"),
            ("edited", "v1 edited"),
            ("theirs", "x"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let recorded: BTreeMap<String, String> = [("ours", "h2"), ("edited", "h2")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let plan = plan_kit_files(&wanted, &on_disk, &recorded, &hash);
        let kinds: Vec<&str> = plan
            .iter()
            .map(|p| match p {
                KitFile::Write { before: None, .. } => "create",
                KitFile::Write { .. } => "upgrade",
                KitFile::Current { .. } => "current",
                KitFile::Kept { .. } => "kept",
            })
            .collect();
        assert_eq!(kinds, ["create", "current", "upgrade", "kept", "kept"]);
    }
}
