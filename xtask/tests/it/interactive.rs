//! The interactive release, driven by keystrokes in a real pseudo-terminal.

use rexpect::process::wait::WaitStatus;

use crate::support::{self, Repo, xtask_bin};

const DOWN: &str = "\x1b[B";
const ESC: &str = "\x1b";
const CTRL_C: &str = "\x03";

/// How the process in the pseudo-terminal ended (after `exp_eof`).
fn exit_code(session: &rexpect::session::PtySession) -> i32 {
    match session.process.wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not an exit: {other:?}"),
    }
}

fn project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.write("VERSION.json", "{ \"version\": \"1.0.0\" }\n");
    repo.commit("chore: initial");
    repo.git(&["tag", "--annotate", "v1.0.0", "-m", "Release 1.0.0"]);
    repo.commit("feat: a new thing");
    repo
}

/// The binary in the repository's hermetic environment, with stdin left for the pseudo-terminal.
fn in_terminal(repo: &Repo, args: &[&str]) -> std::process::Command {
    let mut command = repo.command(xtask_bin(), args);
    command
        .stdin(std::process::Stdio::inherit())
        .env("TERM", "xterm");
    command
}

/// Types keys once the prompt has had a moment to switch the terminal to raw mode.
fn press(session: &mut rexpect::session::PtySession, keys: &str) {
    std::thread::sleep(std::time::Duration::from_millis(150));
    session.send(keys).unwrap();
    session.flush().unwrap();
}

#[test]
fn the_version_menu_and_confirmations_answer_to_keystrokes() {
    let repo = project();
    let mut command = in_terminal(&repo, &["release"]);
    command.env_remove("NO_COLOR");
    let mut session = support::spawn_in_terminal(command);
    session.exp_string("Release which version?").unwrap();
    // The menu starts at the `auto` suggestion (a feat: 1.1.0, which `minor` gives too), then patch, then
    // major: down twice, up once and down again picks major, which only works if every key was read.
    session.exp_string("to move, enter to select").unwrap();
    for key in ["\x1b[B", "\x1b[B", "\x1b[A", "\x1b[B"] {
        press(&mut session, key);
    }
    press(&mut session, "\r");
    session.exp_string("Edit the release notes first?").unwrap();
    session.exp_string("(y/N)").unwrap();
    press(&mut session, "n\r");
    session.exp_string("Release 2.0.0 as v2.0.0?").unwrap();
    session.exp_string("(Y/n)").unwrap();
    press(&mut session, "y\r");
    session.exp_string("released 2.0.0 as v2.0.0").unwrap();
    session.exp_eof().unwrap();
    assert_eq!(
        repo.git(&["rev-parse", "v2.0.0^{commit}"]),
        repo.git(&["rev-parse", "HEAD~1"])
    );
    assert_eq!(repo.git(&["tag", "--list"]), "v1.0.0\nv2.0.0");
    assert_eq!(
        repo.git(&["show", "v2.0.0:VERSION.json"]),
        "{ \"version\": \"2.0.0\" }"
    );
    assert_eq!(
        repo.read("VERSION.json"),
        "{ \"version\": \"2.0.1-dev\" }\n"
    );
}

#[test]
fn declining_the_confirmation_changes_nothing() {
    let repo = project();
    let before = repo.state();
    let command = in_terminal(&repo, &["release", "minor"]);
    let mut session = support::spawn_in_terminal(command);
    session.exp_string("Edit the release notes first?").unwrap();
    session.exp_string("(y/N)").unwrap();
    press(&mut session, "\r");
    session.exp_string("Release 1.1.0 as v1.1.0?").unwrap();
    session.exp_string("(Y/n)").unwrap();
    press(&mut session, "n\r");
    session
        .exp_string("cancelled: nothing was changed")
        .unwrap();
    session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 1);
    assert_eq!(repo.state(), before);
}

/// A development version after a feature: `1.2.0-dev` since `v1.1.0`.
fn dev_project() -> Repo {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[version]\nfiles = [{ path = \"VERSION.json\", json = \"version\" }]\n",
    );
    repo.write("VERSION.json", "{ \"version\": \"1.1.0\" }\n");
    repo.commit("chore: initial");
    repo.git(&["tag", "--annotate", "v1.1.0", "-m", "Release 1.1.0"]);
    repo.write("VERSION.json", "{ \"version\": \"1.2.0-dev\" }\n");
    repo.commit("chore: start 1.2.0");
    repo.commit("feat: a new thing");
    repo
}

/// The "Why" of issue 30: the menu offered 1.2.0 four times, no alpha/beta/dev, no way to type a version;
/// it came before the preflight; it was offered with nothing to release; Ctrl-C exited 1; `n` at the
/// last question exited 0 and Esc 1.
#[test]
fn the_menu_offers_each_version_once_with_pre_releases_and_a_typed_version() {
    let repo = dev_project();
    let mut session = support::spawn_in_terminal(in_terminal(&repo, &["release"]));
    let (menu, _) = session.exp_regex("to move, enter to select").unwrap();
    for row in [
        "1.2.0          (auto (minor), release, patch, minor)",
        "2.0.0          (major)",
        "1.2.0-rc.1     (rc, auto --pre rc)",
        "1.2.0-beta.1   (beta, auto --pre beta)",
        "1.2.0-alpha.1  (alpha, auto --pre alpha)",
        "1.2.0-dev.1    (dev, auto --pre dev)",
    ] {
        assert_eq!(menu.matches(row).count(), 1, "{row:?} once in {menu:?}");
    }
    assert_eq!(menu.matches("(major)").count(), 1, "{menu:?}");
    assert!(menu.contains("other version"), "{menu:?}");
    // "other version…" is the seventh row.
    for _ in 0..6 {
        press(&mut session, DOWN);
    }
    press(&mut session, "\r");
    session.exp_string("Release which version?").unwrap();
    // Not a version, then one that is not greater: each refused, and asked again.
    press(&mut session, "soon\r");
    session.exp_string("`soon` is not a version").unwrap();
    for _ in 0..4 {
        press(&mut session, "\x7f");
    }
    press(&mut session, "1.1.0\r");
    session.exp_string("not greater than").unwrap();
    for _ in 0..5 {
        press(&mut session, "\x7f");
    }
    press(&mut session, "1.5.0\r");
    session.exp_string("Edit the release notes first?").unwrap();
    press(&mut session, "n\r");
    session.exp_string("Release 1.5.0 as v1.5.0?").unwrap();
    press(&mut session, "y\r");
    session.exp_string("released 1.5.0 as v1.5.0").unwrap();
    session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0);
    assert_eq!(repo.git(&["tag", "--list"]), "v1.1.0\nv1.5.0");
}

#[test]
fn ctrl_c_at_the_menu_exits_130_and_changes_nothing() {
    let repo = dev_project();
    let before = repo.state();
    let mut session = support::spawn_in_terminal(in_terminal(&repo, &["release"]));
    session.exp_string("to move, enter to select").unwrap();
    press(&mut session, CTRL_C);
    session
        .exp_string("cancelled: nothing was changed")
        .unwrap();
    session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 130);
    assert_eq!(repo.state(), before);
}

#[test]
fn esc_at_the_last_question_exits_1_as_no_does() {
    let repo = dev_project();
    let before = repo.state();
    let mut session = support::spawn_in_terminal(in_terminal(&repo, &["release", "minor"]));
    session.exp_string("Edit the release notes first?").unwrap();
    press(&mut session, "\r");
    session.exp_string("Release 1.2.0 as v1.2.0?").unwrap();
    press(&mut session, ESC);
    session
        .exp_string("cancelled: nothing was changed")
        .unwrap();
    session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 1);
    assert_eq!(repo.state(), before);
}

#[test]
fn a_dirty_tree_is_reported_before_the_menu() {
    let repo = dev_project();
    repo.write("VERSION.json", "{ \"version\": \"1.2.0-dev\" }\n\n");
    let before = repo.state();
    let mut session = support::spawn_in_terminal(in_terminal(&repo, &["release"]));
    let (output, _) = session
        .exp_regex("uncommitted changes to tracked files")
        .unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(
        !format!("{output}{rest}").contains("Release which version"),
        "{output}{rest}"
    );
    assert_eq!(exit_code(&session), 1);
    assert_eq!(repo.state(), before);
}

#[test]
fn with_nothing_to_release_there_is_no_menu() {
    let repo = project();
    repo.git(&["tag", "--annotate", "v1.1.0", "-m", "Release 1.1.0"]);
    repo.write("VERSION.json", "{ \"version\": \"1.1.0\" }\n");
    repo.git(&["commit", "--quiet", "--all", "--amend", "--no-edit"]);
    repo.git(&[
        "tag",
        "--force",
        "--annotate",
        "v1.1.0",
        "-m",
        "Release 1.1.0",
    ]);
    let before = repo.state();
    let mut session = support::spawn_in_terminal(in_terminal(&repo, &["release"]));
    let (output, _) = session.exp_regex("nothing to release").unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(
        !format!("{output}{rest}").contains("Release which version"),
        "{output}{rest}"
    );
    assert_eq!(exit_code(&session), 1);
    assert_eq!(repo.state(), before);
}

#[test]
fn with_packages_a_dirty_tree_is_reported_before_any_question() {
    let repo = Repo::new();
    repo.write(
        "xtask.toml",
        "[tag]\nformat = \"{{ package }}-v{{ version }}\"\n\n[packages.a]\nfiles = [{ path = \"a/VERSION.json\", json = \"version\" }]\n\n\
         [packages.b]\nfiles = [{ path = \"b/VERSION.json\", json = \"version\" }]\n",
    );
    for name in ["a", "b"] {
        repo.write(
            &format!("{name}/VERSION.json"),
            "{ \"version\": \"1.0.0\" }\n",
        );
    }
    repo.commit("chore: initial");
    repo.write("a/VERSION.json", "{ \"version\": \"1.0.0\" }\n\n");
    let before = repo.state();
    let mut session = support::spawn_in_terminal(in_terminal(&repo, &["release"]));
    let (output, _) = session
        .exp_regex("uncommitted changes to tracked files")
        .unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(
        !format!("{output}{rest}").contains("Release which"),
        "{output}{rest}"
    );
    assert_eq!(exit_code(&session), 1);
    assert_eq!(repo.state(), before);
}
