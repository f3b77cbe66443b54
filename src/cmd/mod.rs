//! One module per subcommand.

#[cfg(feature = "dev-tools")]
pub mod bench_read;
pub mod build;
pub mod clean_stats;
pub mod dedup_params;
#[cfg(feature = "dev-tools")]
pub mod filter_check;
pub mod inspect;
pub mod langid;
#[cfg(feature = "dev-tools")]
pub mod near_dup;
pub mod slurm;
pub mod stage;
pub mod verify;
