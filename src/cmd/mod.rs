//! One module per subcommand.

pub mod build;
pub mod dedup_params;
pub mod inspect;
pub mod langid;
pub mod verify;
