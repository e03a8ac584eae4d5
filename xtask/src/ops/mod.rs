//! Effects, kept thin: git reads (gix) and writes (git CLI), files, cargo, prompts, the terminal.

pub mod cargo;
pub mod forge;
pub mod fs;
pub mod git;
pub mod policy;
pub mod prefetch;
pub mod process;
pub mod prompt;
pub mod push_facts;
pub mod repo;
pub mod spawn;
pub mod term;
