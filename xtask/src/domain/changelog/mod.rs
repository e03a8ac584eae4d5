//! The changelog: the release notes model (commits grouped by type), the history split into releases,
//! and the changelog file a new section goes into.

pub mod file;
pub mod history;
mod model;

pub use model::*;
