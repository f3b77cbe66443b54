//! `DIR/slurm/jobs.json`: the job arrays submitted for one work directory,
//! the task count of each stage fixed at the first submit, and the config
//! path and directory the jobs run with. A rerun reads it to refuse a
//! mismatched submit; `status` reads it to know which job owns which task.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{SLURM_DIR, parse_indices, write_file};

/// `DIR/slurm/jobs.json`: what was submitted, for reruns and `status`.
#[derive(Debug, Deserialize, Serialize)]
pub struct JobsFile {
    /// The config path as given to the first `submit`.
    pub config: String,
    /// Where the jobs run (`--chdir`); the config path resolves against it
    /// (and the config's own relative paths against the config's folder).
    pub submit_dir: PathBuf,
    /// Tasks per stage, fixed at the first submit: the markers name it.
    pub stages: Vec<StageTasks>,
    /// Every submit that sent jobs, oldest first.
    pub submissions: Vec<Submission>,
}

/// How many tasks a stage was split into.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StageTasks {
    pub stage: String,
    pub tasks: usize,
}

/// The job arrays one `submit` sent, in stage order.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Submission {
    /// Seconds since the Unix epoch.
    pub submitted_at: u64,
    pub jobs: Vec<Job>,
}

/// One submitted job array.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Job {
    pub stage: String,
    pub job_id: String,
    /// The array indices, Slurm's syntax (`0-3,7`).
    pub array: String,
    /// The job it waits for (`afterok`), if any.
    pub after: Option<String>,
    /// The sbatch script, relative to the work directory.
    pub script: String,
}

impl JobsFile {
    /// Where the jobs file of `workdir` is.
    pub fn path(workdir: &Path) -> PathBuf {
        workdir.join(SLURM_DIR).join("jobs.json")
    }

    /// Read the jobs file of `workdir`; `None` when nothing was submitted.
    pub fn read(workdir: &Path) -> Result<Option<JobsFile>> {
        let path = Self::path(workdir);
        match std::fs::read(&path) {
            Ok(bytes) => {
                Ok(Some(serde_json::from_slice(&bytes).with_context(|| {
                    format!("{}: not a jobs file", path.display())
                })?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Write the jobs file of `workdir` (atomically; `DIR/slurm/` must exist).
    pub fn write(&self, workdir: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        write_file(&Self::path(workdir), text.as_bytes())
    }

    /// Tasks of `stage` (1 for a stage it does not list).
    pub fn tasks(&self, stage: &str) -> usize {
        self.stages
            .iter()
            .find(|s| s.stage == stage)
            .map_or(1, |s| s.tasks)
    }

    /// Every job id ever submitted for this work directory.
    pub fn job_ids(&self) -> Vec<String> {
        self.submissions
            .iter()
            .flat_map(|s| s.jobs.iter().map(|j| j.job_id.clone()))
            .collect()
    }

    /// The latest job that ran (or runs) task `task` of `stage`.
    pub fn owner(&self, stage: &str, task: usize) -> Option<&Job> {
        self.submissions.iter().rev().find_map(|s| {
            s.jobs.iter().find(|j| {
                j.stage == stage && parse_indices(&j.array).is_ok_and(|ix| ix.contains(&task))
            })
        })
    }
}
