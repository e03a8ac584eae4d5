//! Integration tests: throw-away repositories driven through the compiled binary and observed with plain git.

mod support;

mod adopt;
mod changelog;
mod check;
mod ci_versions;
mod ci_workflows;
mod claims;
mod deprecations;
mod first_hour;
mod hook_managers;
mod hooks;
mod hostile;
mod init;
mod interactive;
mod killfuzz;
mod lines;
mod matrix;
mod packages;
mod release;
mod release_contents;
mod review;
mod schemes;
mod server_trust;
mod snapshots;
mod undo;
mod verify_rules;
mod version;
