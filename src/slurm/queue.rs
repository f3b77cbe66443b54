//! Talking to Slurm's programs: submit a script with `sbatch --parsable`,
//! read `MaxArraySize` from `scontrol show config`, list queued and running
//! array elements with `squeue`, and what became of finished ones with
//! `scontrol -o show job`. The parsers are separate from the calls so that
//! tests feed them real outputs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::parse_indices;

/// Slurm's own default `MaxArraySize`, assumed when `scontrol show config`
/// does not answer.
const DEFAULT_MAX_ARRAY_SIZE: usize = 1001;

/// The Slurm programs to run.
#[derive(Clone, Debug)]
pub struct Programs {
    /// Submits a script, prints the job id (`--parsable`).
    pub sbatch: PathBuf,
    /// Lists queued and running array elements.
    pub squeue: PathBuf,
    /// Shows the cluster config and jobs Slurm still remembers.
    pub scontrol: PathBuf,
}

impl Programs {
    /// `sbatch` as given; `squeue` and `scontrol` from the environment
    /// variables `SQUEUE` and `SCONTROL`, else found on `PATH`.
    pub fn from_env(sbatch: &Path) -> Self {
        let var = |name: &str, default: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| default.into())
        };
        Programs {
            sbatch: sbatch.to_path_buf(),
            squeue: var("SQUEUE", "squeue"),
            scontrol: var("SCONTROL", "scontrol"),
        }
    }
}

/// Submit a script; returns the job id.
pub fn sbatch(programs: &Programs, script: &Path, chdir: &Path) -> Result<String> {
    let out = Command::new(&programs.sbatch)
        .arg("--parsable")
        .arg(script)
        .current_dir(chdir)
        .output()
        .with_context(|| {
            format!(
                "cannot run {} (is Slurm installed and on PATH?)",
                programs.sbatch.display()
            )
        })?;
    if !out.status.success() {
        bail!(
            "{} --parsable {} failed ({}): {}",
            programs.sbatch.display(),
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    // `--parsable` prints `jobid` or `jobid;cluster`.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let id = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| l.trim().split(';').next())
        .unwrap_or("");
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        bail!(
            "{} printed {:?}, not a job id",
            programs.sbatch.display(),
            stdout.trim()
        );
    }
    Ok(id.to_string())
}

/// The cluster's `MaxArraySize` (array indices must be below it), or
/// Slurm's default when `scontrol` does not say.
pub fn max_array_size(programs: &Programs, note: &mut dyn FnMut(String)) -> usize {
    let answer = Command::new(&programs.scontrol)
        .args(["show", "config"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| parse_max_array_size(&String::from_utf8_lossy(&o.stdout)));
    answer.unwrap_or_else(|| {
        note(format!(
            "`{} show config` did not give MaxArraySize; assuming Slurm's default, \
             {DEFAULT_MAX_ARRAY_SIZE}",
            programs.scontrol.display()
        ));
        DEFAULT_MAX_ARRAY_SIZE
    })
}

pub(super) fn parse_max_array_size(config: &str) -> Option<usize> {
    config.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "MaxArraySize").then(|| v.trim().parse().ok())?
    })
}

/// One array element as `squeue` or `scontrol` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    /// The array job id.
    pub job: String,
    /// The array index.
    pub index: usize,
    /// Slurm's job state, e.g. `PENDING`, `RUNNING`, `FAILED`.
    pub state: String,
    /// Slurm's reason, e.g. `Resources`, `DependencyNeverSatisfied`.
    pub reason: String,
}

/// Run a Slurm query program; its standard output, or `None` when Slurm
/// says it no longer knows the job ids (`Invalid job id`: nothing of them
/// is queued). Any other failure is an error naming the command.
fn query(program: &std::path::Path, args: &[&str]) -> Result<Option<String>> {
    let out = Command::new(program).args(args).output().with_context(|| {
        format!(
            "cannot run {} (is Slurm installed and on PATH?)",
            program.display()
        )
    })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if stderr.contains("Invalid job id") {
            return Ok(None);
        }
        bail!(
            "{} {} failed ({}): {}",
            program.display(),
            args.join(" "),
            out.status,
            stderr.trim()
        );
    }
    Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// Elements of the given array jobs that are still queued or running.
pub fn active_elements(programs: &Programs, job_ids: &[String]) -> Result<Vec<Element>> {
    if job_ids.is_empty() {
        return Ok(Vec::new());
    }
    // -r: one line per array element, pending ones too; %F array job id,
    // %K array index, %T state, %r reason.
    let ids = job_ids.join(",");
    let Some(stdout) = query(
        &programs.squeue,
        &["-h", "-r", "-o", "%F %K %T %r", "-j", &ids],
    )?
    else {
        return Ok(Vec::new());
    };
    Ok(parse_squeue(&stdout))
}

pub(super) fn parse_squeue(text: &str) -> Vec<Element> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let (Some(job), Some(ix), Some(state)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let reason = f.collect::<Vec<_>>().join(" ");
        for index in parse_indices(ix).unwrap_or_default() {
            out.push(Element {
                job: job.to_string(),
                index,
                state: state.to_string(),
                reason: reason.clone(),
            });
        }
    }
    out
}

/// Every element Slurm still remembers of an array job (`scontrol -o show
/// job`); none once it forgot the job.
pub fn job_elements(programs: &Programs, job_id: &str) -> Result<Vec<Element>> {
    let Some(stdout) = query(&programs.scontrol, &["-o", "show", "job", job_id])? else {
        return Ok(Vec::new());
    };
    Ok(parse_scontrol_jobs(&stdout))
}

pub(super) fn parse_scontrol_jobs(text: &str) -> Vec<Element> {
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: HashMap<&str, &str> = line
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .collect();
        let job = fields
            .get("ArrayJobId")
            .or_else(|| fields.get("JobId"))
            .copied();
        let (Some(job), Some(state)) = (job, fields.get("JobState")) else {
            continue;
        };
        let indices = match fields.get("ArrayTaskId") {
            Some(ix) => parse_indices(ix).unwrap_or_default(),
            None => vec![0],
        };
        for index in indices {
            out.push(Element {
                job: job.to_string(),
                index,
                state: state.to_string(),
                reason: fields.get("Reason").copied().unwrap_or("None").to_string(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slurm_outputs_parse() {
        let config = "Configuration data as of 2026-01-01T00:00:00\n\
                      MaxArraySize            = 1001\nMaxJobCount = 10000\n";
        assert_eq!(parse_max_array_size(config), Some(1001));
        assert_eq!(parse_max_array_size("MaxJobCount = 3\n"), None);

        let squeue = "1 2 PENDING Resources\n1 3 PENDING Resources\n2 0 PENDING Dependency\n\
                      1 0 RUNNING None\n";
        let e = parse_squeue(squeue);
        assert_eq!(e.len(), 4);
        assert_eq!(
            e[2],
            Element {
                job: "2".into(),
                index: 0,
                state: "PENDING".into(),
                reason: "Dependency".into()
            }
        );

        // Real `scontrol -o show job` lines, shortened: a pending remainder
        // of an array is one record with a range of indices.
        let scontrol = "JobId=1 ArrayJobId=1 ArrayTaskId=2-3 JobName=j UserId=root(0) \
                        JobState=PENDING Reason=Resources Dependency=(null)\n\
                        JobId=4 ArrayJobId=1 ArrayTaskId=1 JobName=j JobState=FAILED \
                        Reason=NonZeroExitCode ExitCode=3:0\n\
                        JobId=2 ArrayJobId=2 ArrayTaskId=0 JobState=CANCELLED \
                        Reason=DependencyNeverSatisfied\n";
        let e = parse_scontrol_jobs(scontrol);
        assert_eq!(e.len(), 4);
        assert_eq!((e[0].index, e[1].index), (2, 3));
    }
}
