//! Pure logic: no git, no file system, no terminal. Everything here is a function of plain data.

pub mod adopt;
pub mod bump;
pub mod changelog;
pub mod ci_workflows;
pub mod conventional;
pub mod deprecations;
pub mod detect;
pub mod file_change;
pub mod files;
pub mod forge;
pub mod glob;
pub mod launcher;
pub mod lines;
pub mod packages;
pub mod problem;
pub mod push;
pub mod read_ahead;
pub mod release;
pub mod rules;
pub mod server_policy;
pub mod shell;
pub mod tag_hint;
pub mod verify;
pub mod version;

#[cfg(test)]
pub(crate) mod scaling;
