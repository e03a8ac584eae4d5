//! The interactive release, driven by keystrokes in a real pseudo-terminal.

use crate::support::{self, Repo, xtask_bin};

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
    // The menu starts at the `auto` suggestion (a feat: 1.1.0), then patch, minor, major: down three times,
    // up once and down again picks major, which only works if every key was read.
    session.exp_string("to move, enter to select").unwrap();
    for key in ["\x1b[B", "\x1b[B", "\x1b[B", "\x1b[A", "\x1b[B"] {
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
    session.exp_string("cancelled").unwrap();
    session.exp_eof().unwrap();
    assert_eq!(repo.state(), before);
}
