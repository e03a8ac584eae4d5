//! A release: which commits it holds, the decision (version and preflight checks), the steps that carry
//! it out, and a release through review.

pub mod commits;
pub mod decide;
pub mod review;
pub mod steps;
