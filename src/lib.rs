//! escalate: route no-code support incidents through a git-tracked
//! escalation matrix, validate the matrix, and publish it.
//!
//! The library holds every capability; `main.rs` only parses arguments and
//! maps results to exit codes. Nothing here prints: commands write to the
//! streams they are given.

#![forbid(unsafe_code)]

pub mod audit;
pub mod cache;
pub mod calendar;
pub mod cli;
pub mod diff;
pub mod init;
pub mod matrix;
pub mod publish;
pub mod redact;
pub mod review;
pub mod route;
pub mod schema;
pub mod testing;
pub mod validate;
