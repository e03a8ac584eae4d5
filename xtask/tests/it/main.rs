//! Integration tests: throw-away repositories driven through the compiled binary and observed with plain git.

mod support;

mod adopt;
mod changelog;
mod check;
mod ci_versions;
mod claims;
mod deprecations;
mod hooks;
mod hostile;
mod init;
mod interactive;
mod lines;
mod matrix;
mod packages;
mod release;
mod schemes;
mod version;
