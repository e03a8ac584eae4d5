//! The release automation kit: a library with the `xtask` command line on top.
//!
//! Layers, each importing only from the ones below it: `cmd` (one file per command) → `config`, `project`,
//! `render`, `exec` → `ops` (effects: git, files, terminal) and `domain` (pure logic).

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod cmd;
pub mod config;
pub mod domain;
pub mod error;
pub mod exec;
pub mod kit;
pub mod notes;
pub mod ops;
pub mod policy;
pub mod render;
pub mod version_files;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use error::{AlreadyReported, Cancelled, UsageError};

/// `xtask hook <name> <git's arguments>…` exactly as the shims call it, read without clap: git runs hooks
/// on every commit and ref update, and building the whole command-line parser is a tenth of a hook's own
/// work. Anything else (help, `-C`, an unknown hook) goes through clap as usual.
///
/// Installed as a client hook itself (`hooks install` links the binary into git's hooks directory), the
/// binary is called by the hook's name, with git's arguments only.
fn hook_call(args: &[OsString]) -> Option<cli::Cli> {
    const HOOKS: [&str; 4] = [
        "commit-msg",
        "reference-transaction",
        "pre-push",
        "pre-receive",
    ];
    if let Some(name) = hook_name(args) {
        return Some(cli::Cli {
            dir: Vec::new(),
            command: cli::Command::Hook(cli::HookArgs {
                name: name.to_string(),
                args: args[1..].to_vec(),
            }),
        });
    }
    let [_, command, name, rest @ ..] = args else {
        return None;
    };
    let name = name.to_str().filter(|n| HOOKS.contains(n))?;
    (command == "hook").then(|| cli::Cli {
        dir: Vec::new(),
        command: cli::Command::Hook(cli::HookArgs {
            name: name.to_string(),
            args: rest.to_vec(),
        }),
    })
}

/// The client hook this process was started as, when git runs the binary itself from its hooks directory,
/// or pre-commit runs it as `<hook>.legacy` (pre-commit's migration mode moves the hook it finds there and
/// runs it first).
fn hook_name(args: &[OsString]) -> Option<&'static str> {
    let name = std::path::Path::new(args.first()?).file_name()?.to_str()?;
    let name = name.strip_suffix(".legacy").unwrap_or(name);
    kit::CLIENT_HOOKS.into_iter().find(|hook| name == *hook)
}

/// The kit's commands, for [`dispatch`].
const KIT_COMMANDS: [&str; 8] = [
    "version",
    "bump",
    "check",
    "changelog",
    "release",
    "hooks",
    "hook",
    "init",
];

/// The entry point for a project's own xtask that embeds the kit as a library: call it as the first line
/// of `main`. When the command line names one of the kit's commands (`release`, `version`, `bump`, `check`,
/// `changelog`, `hooks`, `hook`, `init`, optionally after `-C DIR`) it runs that command and exits the
/// process with its exit code; for any other command it returns, and `main` goes on with its own.
///
/// ```no_run
/// fn main() {
///     xtask_release::dispatch();
///     // The project's own commands, as before.
/// }
/// # mod xtask_release { pub fn dispatch() { xtask::dispatch() } }
/// ```
pub fn dispatch() {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(code) = dispatch_args(&args) {
        std::process::exit(code);
    }
}

/// [`dispatch`] for given arguments: the exit code when the kit handled the command.
pub fn dispatch_args(args: &[OsString]) -> Option<i32> {
    let command = match args.get(1).and_then(|a| a.to_str()) {
        // Run by git as one of the kit's hooks: the kit's, whatever the arguments.
        _ if hook_name(args).is_some() => Some(&args[0]),
        Some("-C") => args.get(3),
        _ => args.get(1),
    }?;
    let command = command.to_str()?;
    if !KIT_COMMANDS.contains(&command) && hook_name(args).is_none() {
        return None;
    }
    let code = run(args.iter().cloned());
    // ExitCode offers no way back to a number; the four codes the kit uses are known.
    Some(if code == ExitCode::SUCCESS {
        0
    } else if code == ExitCode::from(2) {
        2
    } else if code == ExitCode::from(130) {
        130
    } else {
        1
    })
}

/// Runs the command line; the one place where errors become exit codes.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    let parsed = match hook_call(&args) {
        Some(cli) => Ok(cli),
        None => cli::Cli::try_parse_from(args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match cmd::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<AlreadyReported>() => ExitCode::FAILURE,
        Err(e) if e.is::<Cancelled>() => {
            let code = e
                .downcast_ref::<Cancelled>()
                .map_or(1, Cancelled::exit_code);
            ops::term::note(&format!("{e:#}"));
            ExitCode::from(code)
        }
        Err(e) => {
            ops::term::error(&format!("{e:#}"));
            if e.is::<UsageError>() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    /// The shortcut reads what clap reads, and leaves everything else to clap.
    #[test]
    fn hook_calls_skip_clap_with_the_same_result() {
        for args in [
            &["xtask", "hook", "commit-msg", ".git/COMMIT_EDITMSG"][..],
            &["xtask", "hook", "reference-transaction", "prepared"],
            &["xtask", "hook", "pre-push", "origin", "https://h/r.git"],
            &["xtask", "hook", "pre-push", "-weird", "--name=x"],
            &["xtask", "hook", "pre-receive"],
        ] {
            let fast = hook_call(&os(args)).expect("a hook call");
            let slow = cli::Cli::try_parse_from(os(args)).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{args:?}");
        }
        for args in [
            &["xtask", "hook", "--help"][..],
            &["xtask", "hook", "post-commit"],
            &["xtask", "-C", "dir", "hook", "pre-push"],
            &["xtask", "hooks", "pre-push"],
            &["xtask", "hook"],
        ] {
            assert!(hook_call(&os(args)).is_none(), "{args:?}");
        }
    }

    /// Run by git as the hook itself, the binary reads git's arguments as `xtask hook <name>` would.
    #[test]
    fn the_binary_run_as_a_hook_knows_it_by_its_name() {
        for (called, same) in [
            (
                &[".git/hooks/commit-msg", ".git/COMMIT_EDITMSG"][..],
                &["xtask", "hook", "commit-msg", ".git/COMMIT_EDITMSG"][..],
            ),
            (
                &["/r/.git/hooks/reference-transaction", "prepared"],
                &["xtask", "hook", "reference-transaction", "prepared"],
            ),
            (
                &["/r/.git/hooks/pre-push", "origin", "hook"],
                &["xtask", "hook", "pre-push", "origin", "hook"],
            ),
        ] {
            let fast = hook_call(&os(called)).expect("a hook call");
            let slow = cli::Cli::try_parse_from(os(same)).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{called:?}");
        }
        // Moved aside by pre-commit's migration mode, it is still the hook.
        let legacy = hook_call(&os(&[
            "/r/.git/hooks/commit-msg.legacy",
            ".git/COMMIT_EDITMSG",
        ]))
        .expect("a hook call");
        let slow =
            cli::Cli::try_parse_from(os(&["xtask", "hook", "commit-msg", ".git/COMMIT_EDITMSG"]))
                .unwrap();
        assert_eq!(format!("{legacy:?}"), format!("{slow:?}"));
        // Only client hooks are ever the binary itself; other names are ordinary command lines.
        for args in [
            &["/r/hooks/pre-receive"][..],
            &["pre-push.tmp", "x"],
            &["xtask", "version"],
        ] {
            assert!(hook_name(&os(args)).is_none(), "{args:?}");
        }
        assert_eq!(
            dispatch_args(&os(&["/nowhere/hooks/post-commit", "x"])),
            None
        );
    }
}
