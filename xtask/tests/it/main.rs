//! Integration tests: throw-away repositories driven through the compiled binary and observed with plain git.

mod support;

mod changelog;
mod hooks;
mod hostile;
mod interactive;
mod release;
mod version;
