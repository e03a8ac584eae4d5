//! `cargo xtask`: runs the release kit in `xtask/`, from any directory of the project.
//!
//! Installed by `xtask init`. The kit is a Cargo workspace of its own, and
//! cargo reads an alias's `--manifest-path` from the current directory; so
//! the alias runs this crate (cargo finds a member of your workspace from
//! anywhere in it), which runs `cargo run --manifest-path <kit> --profile
//! xtask -- <arguments>` with the kit's absolute path, in the same
//! directory, with the same cargo and toolchain.
// Your lints and rustfmt settings are for your code, not this file.
#![allow(warnings)]
#![allow(clippy::all)]
#![allow(clippy::pedantic)]
#![allow(clippy::nursery)]
#![allow(clippy::restriction)]

#[rustfmt::skip]
fn main() {
    use std::path::{Path, PathBuf};
    // This crate's directory: cargo sets it for the program it runs (and compiled it in).
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    // `<project>/.cargo/xtask-launcher` → `<project>/xtask/Cargo.toml`.
    let project = here.parent().and_then(Path::parent).unwrap_or(&here);
    let kit = project.join("xtask").join("Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command
        .arg("run")
        .arg("--manifest-path")
        .arg(&kit)
        .arg("--profile")
        .arg("xtask")
        .arg("--")
        .args(std::env::args_os().skip(1));
    // What `cargo run` set for this crate is not the kit's.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let ours = name.starts_with("CARGO_PKG_")
            || ["CARGO_MANIFEST_DIR", "CARGO_MANIFEST_PATH", "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME", "CARGO_PRIMARY_PACKAGE"].contains(&name.as_str());
        if ours {
            command.env_remove(&name);
        }
    }
    run(command)
}

/// Becomes cargo: its exit code, signals and terminal are the kit's.
#[cfg(unix)]
#[rustfmt::skip]
fn run(mut command: std::process::Command) {
    use std::os::unix::process::CommandExt;
    let error = command.exec();
    eprintln!("cargo xtask: cannot run cargo: {}", error);
    std::process::exit(1);
}

#[cfg(not(unix))]
#[rustfmt::skip]
fn run(mut command: std::process::Command) {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(error) => {
            eprintln!("cargo xtask: cannot run cargo: {}", error);
            std::process::exit(1);
        }
    }
}
