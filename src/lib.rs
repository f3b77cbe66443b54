//! corpusforge: turn raw article collections into a clean, deduplicated,
//! language-tagged, split dataset release of Parquet shards.
//!
//! The flow of one document: read -> normalize -> clean -> langid -> filter
//! -> dedup -> split -> write, or `rejected/` with a reason. See
//! [`pipeline::build`].

pub mod chars;
pub mod clean;
pub mod config;
pub mod dedup;
pub mod doc;
pub mod error;
pub mod filter;
#[doc(hidden)]
pub mod fuzzing;
pub mod html;
pub mod langid;
pub mod manifest;
pub mod normalize;
pub mod pipeline;
pub mod process;
pub mod read;
pub mod release;
pub mod report;
pub mod slurm;
pub mod spill;
pub mod split;
pub mod stages;
pub mod verify;
pub mod write;
