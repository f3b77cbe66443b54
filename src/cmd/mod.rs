//! One module per subcommand.

pub mod bench_read;
pub mod build;
pub mod clean_stats;
pub mod dedup_params;
pub mod filter_check;
pub mod inspect;
pub mod langid;
pub mod near_dup;
pub mod slurm;
pub mod stage;
pub mod verify;
