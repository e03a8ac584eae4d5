//! Integration tests: throw-away repositories driven through the compiled binary and observed with plain git.

mod support;

mod changelog;
mod check;
mod ci_versions;
mod claims;
mod hooks;
mod hostile;
mod interactive;
mod matrix;
mod release;
mod schemes;
mod version;
