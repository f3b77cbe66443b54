//! The task-based build (see [`crate::stages`]) as Slurm job arrays on a
//! shared filesystem: what `corpusforge slurm submit|status` does.
//!
//! [`submit()`] writes one sbatch script per stage under `DIR/slurm/`
//! ([`script`]): a job array whose element `i` runs `corpusforge stage <name>
//! --task i --tasks n` in the submit directory with the config path as given
//! (the manifest records it, so the release equals `corpusforge build
//! --config <same path>`; a copy in `DIR/config.toml` guards against later
//! edits), chained to the previous stage's array with
//! `--dependency=afterok` and `--kill-on-invalid-dep=yes` (a failed stage
//! cancels the rest instead of leaving them pending forever). It submits
//! them in order with `sbatch --parsable` and records the job ids in
//! `DIR/slurm/jobs.json` ([`JobsFile`]).
//!
//! The completion markers are the truth about what is done: a rerun submits
//! only the tasks without one, so a failed or cancelled element is redone
//! and nothing else. `submit` refuses a DIR that holds another config (unless
//! `fresh`), a rerun from another directory (the config's relative paths
//! would mean other files), a task count other than the one the markers were
//! written with, and any submit while jobs recorded in DIR are still queued
//! or running: two copies of one task must never run at once.
//!
//! [`stage_reports`] reads the markers and Slurm's own state ([`queue`]):
//! `squeue` for queued and running elements, `scontrol show job` for
//! finished ones (Slurm keeps them for `MinJobAge`, 300 s by default).
//! `sacct` is not used: it needs an accounting database that small clusters
//! do not run. [`render_status`] turns them into the table `status` prints,
//! and an [`Unfinished`] outcome that the binary maps to its exit code.
//!
//! The Slurm programs can be replaced for tests or wrappers ([`Programs`]):
//! `SBATCH`, `SQUEUE`, `SCONTROL`.

pub mod jobs;
pub mod queue;
pub mod script;
pub mod status;
pub mod submit;

use anyhow::{Context, Result};

pub use jobs::{Job, JobsFile};
pub use queue::Programs;
pub use status::{Counts, StageReport, TaskState, Unfinished, render_status, stage_reports};
pub use submit::{
    StageKey, StageSetting, SubmitOptions, parse_stage_setting, sbatch_arg, slurm_value, submit,
};

/// The config copy the jobs read, relative to the work directory.
pub const CONFIG_COPY: &str = "config.toml";
/// Scripts, logs and `jobs.json`, relative to the work directory.
pub const SLURM_DIR: &str = "slurm";

/// Write a file of the work directory atomically, with the library's one
/// atomic write ([`crate::util::fs::write_atomic`]); its folder must exist.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    crate::util::fs::write_atomic(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Array indices in Slurm's syntax, ascending: `0-3,7,9-10`.
pub fn compress_indices(ix: &[usize]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < ix.len() {
        let mut j = i;
        while j + 1 < ix.len() && ix[j + 1] == ix[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            ix[i].to_string()
        } else {
            format!("{}-{}", ix[i], ix[j])
        });
        i = j + 1;
    }
    out.join(",")
}

/// Parse Slurm's array index syntax: `0-3,7`, `0-15:4`, `2-9%4` (a
/// throttle, ignored); `N/A` is no index.
pub fn parse_indices(s: &str) -> Result<Vec<usize>> {
    let s = s.split('%').next().unwrap_or("");
    if s == "N/A" || s.is_empty() {
        return Ok(Vec::new());
    }
    let num = |t: &str| {
        t.parse::<usize>()
            .with_context(|| format!("{s:?}: not an array index list"))
    };
    let mut out = Vec::new();
    for part in s.split(',') {
        let (range, step) = match part.split_once(':') {
            Some((r, st)) => (r, num(st)?.max(1)),
            None => (part, 1),
        };
        match range.split_once('-') {
            Some((a, b)) => out.extend((num(a)?..=num(b)?).step_by(step)),
            None => out.push(num(range)?),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_round_trip() {
        assert_eq!(compress_indices(&[0, 1, 2, 3]), "0-3");
        assert_eq!(compress_indices(&[0, 2, 3, 7, 9, 10]), "0,2-3,7,9-10");
        assert_eq!(compress_indices(&[5]), "5");
        assert_eq!(parse_indices("0,2-3,7,9-10").unwrap(), [0, 2, 3, 7, 9, 10]);
        assert_eq!(parse_indices("2-9%4").unwrap(), (2..=9).collect::<Vec<_>>());
        assert_eq!(parse_indices("0-15:4").unwrap(), [0, 4, 8, 12]);
        assert!(parse_indices("N/A").unwrap().is_empty());
        assert!(parse_indices("x").is_err());
    }
}
