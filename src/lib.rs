//! corpusforge: turn raw article collections into a clean, deduplicated,
//! language-tagged, split dataset release of Parquet shards.
//!
//! The flow of one document: read -> normalize -> clean -> langid -> filter
//! -> dedup -> split -> write, or `rejected/` with a reason. See
//! [`stages::build`].

pub mod chars;
pub mod clean;
pub mod config;
pub mod dedup;
pub mod doc;
pub mod error;
pub mod filter;
// Test helpers (panicking checks for the fuzz targets, property and replay
// tests), not part of the product: compiled for the unit tests and with the
// `testkit` feature (as arrow-rs does with `test_common`).
#[cfg(any(test, feature = "testkit"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod html;
pub mod langid;
pub mod manifest;
pub mod normalize;
pub mod read;
pub mod release;
pub mod report;
pub mod safety;
pub mod slurm;
pub mod spill;
pub mod split;
pub mod stages;
pub mod steps;
pub mod util;
pub mod verify;
pub mod write;
