//! The release automation kit: a library with the `xtask` command line on top.

pub mod domain;
