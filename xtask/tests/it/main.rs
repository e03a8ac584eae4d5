//! Integration tests: throw-away repositories driven through the compiled binary and observed with plain git.

mod support;

mod changelog;
mod ci_versions;
mod hooks;
mod init;
mod interactive;
mod release;
mod schemes;
mod version;
