//! `corpusforge verify <release>`: re-read every shard and check it against
//! the manifest (see [`corpusforge::verify`]). Prints one line per failure,
//! naming the file, and exits 5 when any check fails.

use anyhow::Result;

use crate::cli::VerifyArgs;

/// Returned when at least one check failed; `main` maps it to exit code 5.
#[derive(Debug, thiserror::Error)]
#[error("{failures} verification failure(s) in {release}")]
pub struct VerifyFailed {
    pub failures: usize,
    pub release: String,
}

pub fn run(args: &VerifyArgs) -> Result<()> {
    let (done, failures) = corpusforge::verify::verify(&args.release)?;
    if failures.is_empty() {
        println!(
            "ok: {} data shards ({} rows) and {} rejected shards ({} rows) match manifest.json",
            done.data_shards, done.data_rows, done.rejected_shards, done.rejected_rows
        );
        return Ok(());
    }
    for f in &failures {
        println!("{f}");
    }
    Err(VerifyFailed {
        failures: failures.len(),
        release: args.release.display().to_string(),
    }
    .into())
}
