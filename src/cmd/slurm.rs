//! `corpusforge slurm submit|status`: the task-based build (see
//! [`corpusforge::stages`]) as Slurm job arrays on a shared filesystem.
//!
//! `submit` writes one sbatch script per stage under `DIR/slurm/`: a job
//! array whose element `i` runs `corpusforge stage <name> --task i --tasks n`
//! in the submit directory with the config path as given (the manifest
//! records it, so the release equals `corpusforge build --config <same
//! path>`; a copy in `DIR/config.toml` guards against later edits), chained to the previous stage's array with
//! `--dependency=afterok` and `--kill-on-invalid-dep=yes` (a failed stage
//! cancels the rest instead of leaving them pending forever). It submits
//! them in order with `sbatch --parsable` and records the job ids in
//! `DIR/slurm/jobs.json`.
//!
//! The completion markers are the truth about what is done: a rerun submits
//! only the tasks without one, so a failed or cancelled element is redone
//! and nothing else. `submit` refuses a DIR that holds another config (unless
//! `--fresh`), a rerun from another directory (the config's relative paths
//! would mean other files), a task count other than the one the markers were
//! written with, and any submit while jobs recorded in DIR are still queued
//! or running: two copies of one task must never run at once.
//!
//! `status` reads the markers and Slurm's own state: `squeue` for queued and
//! running elements, `scontrol show job` for finished ones (Slurm keeps them
//! for `MinJobAge`, 300 s by default). `sacct` is not used: it needs an
//! accounting database that small clusters do not run.
//!
//! The Slurm programs can be replaced for tests or wrappers: `--sbatch` or
//! `SBATCH`, `SQUEUE`, `SCONTROL`; `CORPUSFORGE_STAGE_BIN` replaces the
//! program the jobs run (default: this executable).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use corpusforge::config::Config;
use corpusforge::stages::{STAGES, marker_path};

use crate::cli::{SlurmArgs, SlurmCommand, SlurmStatusArgs, SlurmSubmitArgs};

/// Slurm's own default `MaxArraySize`, assumed when `scontrol show config`
/// does not answer.
const DEFAULT_MAX_ARRAY_SIZE: usize = 1001;
/// The config copy the jobs read, relative to the work directory.
const CONFIG_COPY: &str = "config.toml";
/// Scripts, logs and `jobs.json`, relative to the work directory.
const SLURM_DIR: &str = "slurm";

pub fn run(args: &SlurmArgs) -> Result<()> {
    match &args.command {
        SlurmCommand::Submit(a) => submit_cli(a),
        SlurmCommand::Status(a) => status_cli(a),
    }
}

/// `slurm status` found the build unfinished; it has printed why, and `main`
/// exits with [`Unfinished::exit_code`] without another message.
#[derive(Debug, thiserror::Error)]
pub enum Unfinished {
    #[error("tasks are still queued or running")]
    Active,
    #[error("the build stopped with unfinished tasks")]
    Stopped,
}

impl Unfinished {
    pub fn exit_code(&self) -> u8 {
        match self {
            Unfinished::Active => 6,
            Unfinished::Stopped => 7,
        }
    }
}

/// One `--stage STAGE:KEY=VALUE` setting.
#[derive(Clone, Debug, PartialEq)]
pub struct StageSetting {
    pub stage: &'static str,
    pub key: StageKey,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StageKey {
    Tasks(usize),
    Cpus(u32),
    Mem(String),
    Time(String),
}

/// clap value parser of `--stage`.
pub fn parse_stage_setting(s: &str) -> Result<StageSetting, String> {
    let (stage, rest) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?}: expected STAGE:KEY=VALUE, e.g. process:tasks=8"))?;
    let (&(stage, splittable), _) = STAGES
        .iter()
        .zip(0..)
        .find(|((name, _), _)| *name == stage)
        .ok_or_else(|| format!("{stage:?} is not a stage; the stages are {}", stage_names()))?;
    let (key, value) = rest
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected STAGE:KEY=VALUE, e.g. process:tasks=8"))?;
    let key = match key {
        "tasks" => {
            let n: usize = value
                .parse()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| format!("{s:?}: tasks must be a whole number >= 1"))?;
            if n > 1 && !splittable {
                return Err(format!("{stage} always runs as a single task"));
            }
            StageKey::Tasks(n)
        }
        "cpus" => StageKey::Cpus(
            value
                .parse()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| format!("{s:?}: cpus must be a whole number >= 1"))?,
        ),
        "mem" => StageKey::Mem(slurm_value(value)?),
        "time" => StageKey::Time(slurm_value(value)?),
        _ => return Err(format!("{key:?}: the keys are tasks, cpus, mem, time")),
    };
    Ok(StageSetting { stage, key })
}

/// clap value parser of option values written into `#SBATCH` lines: one
/// word, so that it cannot end the line or add another option.
pub fn slurm_value(s: &str) -> Result<String, String> {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{s:?}: expected one word without spaces"));
    }
    Ok(s.to_string())
}

/// clap value parser of `--sbatch-arg`: one sbatch option.
pub fn sbatch_arg(s: &str) -> Result<String, String> {
    if !s.starts_with('-') || s.chars().any(|c| c.is_control()) {
        return Err(format!(
            "{s:?}: expected one sbatch option, e.g. --account=proj"
        ));
    }
    Ok(s.to_string())
}

fn stage_names() -> String {
    STAGES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Slurm programs to run.
#[derive(Clone, Debug)]
pub struct Programs {
    pub sbatch: PathBuf,
    pub squeue: PathBuf,
    pub scontrol: PathBuf,
}

impl Programs {
    fn from_env(sbatch: &Path) -> Self {
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

/// `DIR/slurm/jobs.json`: what was submitted, for reruns and `status`.
#[derive(Debug, Deserialize, Serialize)]
struct JobsFile {
    /// The config path as given to the first `submit`.
    config: String,
    /// Where the jobs run (`--chdir`); the config's relative paths resolve
    /// against it.
    submit_dir: PathBuf,
    /// Tasks per stage, fixed at the first submit: the markers name it.
    stages: Vec<StageTasks>,
    submissions: Vec<Submission>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
struct StageTasks {
    stage: String,
    tasks: usize,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
struct Submission {
    /// Seconds since the Unix epoch.
    submitted_at: u64,
    jobs: Vec<Job>,
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
    fn path(workdir: &Path) -> PathBuf {
        workdir.join(SLURM_DIR).join("jobs.json")
    }

    fn read(workdir: &Path) -> Result<Option<JobsFile>> {
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

    fn write(&self, workdir: &Path) -> Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        write_atomic(&Self::path(workdir), text.as_bytes())
    }

    fn tasks(&self, stage: &str) -> usize {
        self.stages
            .iter()
            .find(|s| s.stage == stage)
            .map_or(1, |s| s.tasks)
    }

    fn job_ids(&self) -> Vec<String> {
        self.submissions
            .iter()
            .flat_map(|s| s.jobs.iter().map(|j| j.job_id.clone()))
            .collect()
    }

    /// The latest job that ran (or runs) task `task` of `stage`.
    fn owner(&self, stage: &str, task: usize) -> Option<&Job> {
        self.submissions.iter().rev().find_map(|s| {
            s.jobs.iter().find(|j| {
                j.stage == stage && parse_indices(&j.array).is_ok_and(|ix| ix.contains(&task))
            })
        })
    }
}

// ---------------------------------------------------------------- submit

fn submit_cli(args: &SlurmSubmitArgs) -> Result<()> {
    let chdir = std::env::current_dir().context("cannot read the current directory")?;
    let exe = match std::env::var_os("CORPUSFORGE_STAGE_BIN").filter(|v| !v.is_empty()) {
        Some(p) => std::path::absolute(PathBuf::from(p))?,
        None => std::env::current_exe().context("cannot locate the corpusforge executable")?,
    };
    let programs = Programs::from_env(&args.sbatch);
    let jobs = submit(args, &chdir, &exe, &programs)?;
    if jobs.is_empty() {
        println!("nothing to submit: every task has its completion marker");
        return Ok(());
    }
    for j in &jobs {
        println!(
            "{:<9} job {:<8} tasks {}{}",
            j.stage,
            j.job_id,
            j.array,
            j.after
                .as_deref()
                .map(|a| format!("  after {a}"))
                .unwrap_or_default()
        );
    }
    eprintln!(
        "submitted {} job arrays; follow them with: corpusforge slurm status {}",
        jobs.len(),
        args.workdir.display()
    );
    Ok(())
}

/// Submit the unfinished tasks of every stage; returns the submitted jobs
/// (none when every task is done). `chdir` is where the jobs run and `exe`
/// what they run.
pub fn submit(
    args: &SlurmSubmitArgs,
    chdir: &Path,
    exe: &Path,
    programs: &Programs,
) -> Result<Vec<Job>> {
    let loaded = Config::load(&args.config)?;
    loaded.config.validate(&args.config)?;
    let workdir = std::path::absolute(chdir.join(&args.workdir))?;
    sbatch_safe_path(&workdir)?;
    sbatch_safe_path(chdir)?;
    if !exe.is_file() {
        bail!("{}: the stage program does not exist", exe.display());
    }
    if args.tasks == Some(0) {
        bail!("--tasks must be at least 1");
    }

    let copy = workdir.join(CONFIG_COPY);
    let same_config = match std::fs::read(&copy) {
        Ok(held) => Some(held == loaded.text.as_bytes()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", copy.display())),
    };
    let mut record = JobsFile::read(&workdir)?;
    if let Some(r) = &record {
        let active = active_elements(programs, &r.job_ids())?;
        if !active.is_empty() {
            let mut ids: Vec<&str> = active.iter().map(|e| e.job.as_str()).collect();
            ids.sort();
            ids.dedup();
            bail!(
                "{}: jobs of an earlier submit are still queued or running ({}); \
                 wait for them (corpusforge slurm status {}) or cancel them (scancel {}) first",
                workdir.display(),
                active
                    .iter()
                    .take(5)
                    .map(|e| format!("{}_{} {}", e.job, e.index, e.state))
                    .collect::<Vec<_>>()
                    .join(", "),
                args.workdir.display(),
                ids.join(" ")
            );
        }
    }
    if args.fresh {
        discard_state(&workdir)?;
        record = None;
    } else if same_config == Some(false) {
        bail!(
            "{} holds a different config than {}: use another --workdir, or --fresh to discard \
             its stage outputs and start over",
            copy.display(),
            args.config.display()
        );
    }
    if let Some(r) = &record
        && r.submit_dir != chdir
    {
        bail!(
            "{} was submitted from {}: rerun submit there (the config's relative paths resolve \
             against it), or use --fresh",
            workdir.display(),
            r.submit_dir.display()
        );
    }

    let max_array = max_array_size(programs);
    let tasks = tasks_per_stage(args, max_array, record.as_ref())?;
    std::fs::create_dir_all(workdir.join(SLURM_DIR).join("logs"))
        .with_context(|| format!("cannot create {}", workdir.join(SLURM_DIR).display()))?;
    if same_config != Some(true) || args.fresh {
        write_atomic(&copy, loaded.text.as_bytes())?;
    }
    let mut record = record.unwrap_or_else(|| JobsFile {
        config: args.config.to_string_lossy().into_owned(),
        submit_dir: chdir.to_path_buf(),
        stages: tasks
            .iter()
            .map(|&(stage, tasks)| StageTasks {
                stage: stage.to_string(),
                tasks,
            })
            .collect(),
        submissions: Vec::new(),
    });

    let mut submission = Submission {
        submitted_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        jobs: Vec::new(),
    };
    let mut after: Option<String> = None;
    for (k, &(stage, n)) in tasks.iter().enumerate() {
        let missing: Vec<usize> = (0..n)
            .filter(|&i| !marker_path(&workdir, stage, i, n).exists())
            .collect();
        if missing.is_empty() {
            // Done: its dependents need not wait for it.
            after = None;
            continue;
        }
        let (cpus, mem, time) = resources(args, stage);
        let spec = ScriptSpec {
            stage,
            tasks: n,
            array: compress_indices(&missing),
            chdir,
            workdir: &workdir,
            exe,
            config: &record.config,
            partition: args.partition.as_deref(),
            cpus,
            mem,
            time,
            after: after.as_deref(),
            extra: &args.sbatch_args,
        };
        let script_rel = format!("{SLURM_DIR}/{}-{stage}.sbatch", k + 1);
        let script = workdir.join(&script_rel);
        write_atomic(&script, sbatch_script(&spec)?.as_bytes())?;
        let job_id = match sbatch(programs, &script, chdir) {
            Ok(id) => id,
            Err(e) => {
                // Keep what went out, so that status and a rerun know it.
                let sent: Vec<String> = submission.jobs.iter().map(|j| j.job_id.clone()).collect();
                if !sent.is_empty() {
                    record.submissions.push(submission);
                    record.write(&workdir)?;
                    return Err(e.context(format!(
                        "stage {stage} was not submitted; the earlier stages were (jobs {}): \
                         cancel them (scancel {}) or let them run, then submit again",
                        sent.join(", "),
                        sent.join(" ")
                    )));
                }
                return Err(e.context(format!("stage {stage} was not submitted")));
            }
        };
        submission.jobs.push(Job {
            stage: stage.to_string(),
            job_id: job_id.clone(),
            array: spec.array.clone(),
            after: after.clone(),
            script: script_rel,
        });
        after = Some(job_id);
    }
    let jobs = submission.jobs.clone();
    if !jobs.is_empty() {
        record.submissions.push(submission);
    }
    record.write(&workdir)?;
    Ok(jobs)
}

/// Tasks per stage: 1 for a stage that cannot be split; otherwise the
/// stage's own `--stage S:tasks=N`, else `--tasks`, else what DIR was first
/// submitted with, else 1; at most the cluster's array size limit.
fn tasks_per_stage(
    args: &SlurmSubmitArgs,
    max_array: usize,
    record: Option<&JobsFile>,
) -> Result<Vec<(&'static str, usize)>> {
    let mut out = Vec::new();
    for &(stage, splittable) in STAGES {
        let asked = args
            .stage
            .iter()
            .rev()
            .find_map(|s| match s.key {
                StageKey::Tasks(n) if s.stage == stage => Some(n),
                _ => None,
            })
            .or(args.tasks.filter(|_| splittable));
        let asked = asked.map(|n| {
            if splittable && n > max_array {
                // Array indices run from 0 to MaxArraySize - 1.
                eprintln!(
                    "note: {stage}: {n} tasks exceed the cluster's MaxArraySize ({max_array}); \
                     using {max_array}"
                );
                max_array
            } else if splittable {
                n
            } else {
                1
            }
        });
        let n = match (record, asked) {
            (Some(r), Some(n)) if n != r.tasks(stage) => bail!(
                "{stage}: the work directory was submitted with {} tasks, not {n} (the \
                 completion markers name the count): submit without --tasks, or use --fresh",
                r.tasks(stage)
            ),
            (Some(r), _) => r.tasks(stage),
            (None, Some(n)) => n,
            (None, None) => 1,
        };
        out.push((stage, n));
    }
    Ok(out)
}

/// CPUs, memory and time limit of a stage's tasks: the stage's own setting,
/// else the general one.
fn resources<'a>(
    args: &'a SlurmSubmitArgs,
    stage: &str,
) -> (Option<u32>, Option<&'a str>, Option<&'a str>) {
    let mut cpus = args.cpus_per_task;
    let mut mem = args.mem.as_deref();
    let mut time = args.time.as_deref();
    for s in args.stage.iter().filter(|s| s.stage == stage) {
        match &s.key {
            StageKey::Cpus(c) => cpus = Some(*c),
            StageKey::Mem(m) => mem = Some(m),
            StageKey::Time(t) => time = Some(t),
            StageKey::Tasks(_) => {}
        }
    }
    (cpus, mem, time)
}

/// Remove what a build through tasks leaves in the work directory: the
/// stage folders, the config copy and `slurm/`. Nothing else.
fn discard_state(workdir: &Path) -> Result<()> {
    let mut doomed: Vec<PathBuf> = STAGES.iter().map(|(s, _)| workdir.join(s)).collect();
    doomed.push(workdir.join(SLURM_DIR));
    for d in doomed {
        match std::fs::remove_dir_all(&d) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot remove {}", d.display())),
        }
    }
    let copy = workdir.join(CONFIG_COPY);
    match std::fs::remove_file(&copy) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", copy.display())),
    }
}

/// A path written into an `#SBATCH` line: sbatch splits those at spaces and
/// expands `%` patterns in `--output`/`--error`.
fn sbatch_safe_path(p: &Path) -> Result<()> {
    let s = p
        .to_str()
        .with_context(|| format!("{}: not valid UTF-8", p.display()))?;
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '%' | '"' | '\'' | '\\'))
    {
        bail!(
            "{s}: sbatch options cannot hold a path with spaces, quotes, backslashes or '%'; \
             use another folder"
        );
    }
    Ok(())
}

/// Everything one stage's sbatch script says.
struct ScriptSpec<'a> {
    stage: &'a str,
    tasks: usize,
    array: String,
    chdir: &'a Path,
    workdir: &'a Path,
    exe: &'a Path,
    /// The config path as first given to `submit`, relative to `chdir`.
    config: &'a str,
    partition: Option<&'a str>,
    cpus: Option<u32>,
    mem: Option<&'a str>,
    time: Option<&'a str>,
    after: Option<&'a str>,
    extra: &'a [String],
}

fn sbatch_script(s: &ScriptSpec) -> Result<String> {
    let utf8 = |p: &Path| {
        p.to_str()
            .map(str::to_string)
            .with_context(|| format!("{}: not valid UTF-8", p.display()))
    };
    let workdir = utf8(s.workdir)?;
    let logs = format!("{workdir}/{SLURM_DIR}/logs/{}-%A_%a", s.stage);
    let mut out = String::new();
    let w = &mut out;
    writeln!(w, "#!/bin/bash")?;
    writeln!(
        w,
        "# corpusforge stage {:?}, {} tasks, as a Slurm job array; written by \
         `corpusforge slurm submit`.",
        s.stage, s.tasks
    )?;
    writeln!(w, "#SBATCH --job-name=corpusforge-{}", s.stage)?;
    writeln!(w, "#SBATCH --array={}", s.array)?;
    writeln!(w, "#SBATCH --chdir={}", utf8(s.chdir)?)?;
    writeln!(w, "#SBATCH --output={logs}.out")?;
    writeln!(w, "#SBATCH --error={logs}.err")?;
    if let Some(p) = s.partition {
        writeln!(w, "#SBATCH --partition={p}")?;
    }
    if let Some(c) = s.cpus {
        writeln!(w, "#SBATCH --cpus-per-task={c}")?;
    }
    if let Some(m) = s.mem {
        writeln!(w, "#SBATCH --mem={m}")?;
    }
    if let Some(t) = s.time {
        writeln!(w, "#SBATCH --time={t}")?;
    }
    if let Some(a) = s.after {
        writeln!(w, "#SBATCH --dependency=afterok:{a}")?;
    }
    writeln!(w, "#SBATCH --kill-on-invalid-dep=yes")?;
    for e in s.extra {
        writeln!(w, "#SBATCH {e}")?;
    }
    let config = sh_quote(s.config);
    let copy = sh_quote(&format!("{workdir}/{CONFIG_COPY}"));
    writeln!(w, "set -eu")?;
    // The task reads the config by the path it was submitted with: the
    // manifest records that path, so the release matches
    // `corpusforge build --config <same path>`. The copy made at submit
    // time guards against an edit in between.
    writeln!(w, "if ! cmp -s -- {config} {copy}; then")?;
    writeln!(
        w,
        "    echo \"corpusforge: {} differs from the copy made at submit time ({}); \
         submit again with --fresh\" >&2",
        s.config.replace(['"', '$', '`', '\\'], "_"),
        copy.replace(['"', '$', '`', '\\'], "_")
    )?;
    writeln!(w, "    exit 2")?;
    writeln!(w, "fi")?;
    // Threads: the CPUs Slurm gave the task (the bytes do not depend on it).
    writeln!(
        w,
        "exec {} stage {} --task \"$SLURM_ARRAY_TASK_ID\" --tasks {} --workdir {} --config {config} \
         --threads \"${{SLURM_CPUS_PER_TASK:-1}}\"",
        sh_quote(&utf8(s.exe)?),
        s.stage,
        s.tasks,
        sh_quote(&workdir),
    )?;
    Ok(out)
}

/// Quote for a POSIX shell.
fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Submit a script; returns the job id.
fn sbatch(programs: &Programs, script: &Path, chdir: &Path) -> Result<String> {
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
fn max_array_size(programs: &Programs) -> usize {
    let answer = Command::new(&programs.scontrol)
        .args(["show", "config"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| parse_max_array_size(&String::from_utf8_lossy(&o.stdout)));
    answer.unwrap_or_else(|| {
        eprintln!(
            "note: `{} show config` did not give MaxArraySize; assuming Slurm's default, \
             {DEFAULT_MAX_ARRAY_SIZE}",
            programs.scontrol.display()
        );
        DEFAULT_MAX_ARRAY_SIZE
    })
}

fn parse_max_array_size(config: &str) -> Option<usize> {
    config.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == "MaxArraySize").then(|| v.trim().parse().ok())?
    })
}

/// Array indices in Slurm's syntax, ascending: `0-3,7,9-10`.
fn compress_indices(ix: &[usize]) -> String {
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
fn parse_indices(s: &str) -> Result<Vec<usize>> {
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

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}tmp-{}",
        path.extension()
            .map(|e| format!("{}.", e.to_string_lossy()))
            .unwrap_or_default(),
        std::process::id()
    ));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

// ---------------------------------------------------------------- Slurm state

/// One array element as `squeue` or `scontrol` reports it.
#[derive(Clone, Debug, PartialEq)]
struct Element {
    job: String,
    index: usize,
    state: String,
    reason: String,
}

/// Elements of the given array jobs that are still queued or running.
fn active_elements(programs: &Programs, job_ids: &[String]) -> Result<Vec<Element>> {
    if job_ids.is_empty() {
        return Ok(Vec::new());
    }
    // -r: one line per array element, pending ones too; %F array job id,
    // %K array index, %T state, %r reason.
    let out = Command::new(&programs.squeue)
        .args(["-h", "-r", "-o", "%F %K %T %r", "-j"])
        .arg(job_ids.join(","))
        .output()
        .with_context(|| {
            format!(
                "cannot run {} (is Slurm installed and on PATH?)",
                programs.squeue.display()
            )
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        // Every id is gone from the controller's memory: nothing is queued.
        if stderr.contains("Invalid job id") {
            return Ok(Vec::new());
        }
        bail!(
            "{} failed ({}): {}",
            programs.squeue.display(),
            out.status,
            stderr.trim()
        );
    }
    Ok(parse_squeue(&String::from_utf8_lossy(&out.stdout)))
}

fn parse_squeue(text: &str) -> Vec<Element> {
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
fn job_elements(programs: &Programs, job_id: &str) -> Result<Vec<Element>> {
    let out = Command::new(&programs.scontrol)
        .args(["-o", "show", "job", job_id])
        .output()
        .with_context(|| {
            format!(
                "cannot run {} (is Slurm installed and on PATH?)",
                programs.scontrol.display()
            )
        })?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if stderr.contains("Invalid job id") {
            return Ok(Vec::new());
        }
        bail!(
            "{} -o show job {job_id} failed ({}): {}",
            programs.scontrol.display(),
            out.status,
            stderr.trim()
        );
    }
    Ok(parse_scontrol_jobs(&String::from_utf8_lossy(&out.stdout)))
}

fn parse_scontrol_jobs(text: &str) -> Vec<Element> {
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

// ---------------------------------------------------------------- status

/// Where one task stands.
#[derive(Clone, Debug, PartialEq)]
enum TaskState {
    /// Its completion marker exists.
    Done,
    Running,
    Pending {
        reason: String,
    },
    /// Ended without a marker: failed, cancelled, timed out, out of memory.
    Failed {
        job: String,
        state: String,
    },
    /// Ended, but Slurm no longer remembers how; no marker.
    Lost {
        job: String,
    },
    /// Cancelled before it started because a stage before it failed.
    Skipped {
        job: String,
    },
    /// Never submitted (a submit stopped half-way).
    NotSubmitted,
}

struct StageReport {
    stage: String,
    tasks: Vec<TaskState>,
}

fn stage_reports(
    workdir: &Path,
    record: &JobsFile,
    programs: &Programs,
) -> Result<Vec<StageReport>> {
    // Slurm first, markers second: a task that ends in between is then
    // seen as running and done (done wins), never as gone without a marker.
    let owners: Vec<Vec<Option<&Job>>> = record
        .stages
        .iter()
        .map(|s| (0..s.tasks).map(|i| record.owner(&s.stage, i)).collect())
        .collect();
    let mut wanted: Vec<String> = owners
        .iter()
        .flatten()
        .flatten()
        .map(|j| j.job_id.clone())
        .collect();
    wanted.sort();
    wanted.dedup();
    let mut known: HashMap<(String, usize), Element> = HashMap::new();
    for e in active_elements(programs, &wanted)? {
        known.insert((e.job.clone(), e.index), e);
    }
    let mut asked = Vec::new();
    for (s, stage_owners) in record.stages.iter().zip(&owners) {
        for (i, owner) in stage_owners.iter().enumerate() {
            let Some(job) = owner else { continue };
            let key = (job.job_id.clone(), i);
            if known.contains_key(&key) || asked.contains(&job.job_id) {
                continue;
            }
            // Not queued any more: ask what became of it.
            if marker_path(workdir, &s.stage, i, s.tasks).exists() {
                continue;
            }
            asked.push(job.job_id.clone());
            for e in job_elements(programs, &job.job_id)? {
                known.entry((e.job.clone(), e.index)).or_insert(e);
            }
        }
    }

    let mut reports = Vec::new();
    for (s, stage_owners) in record.stages.iter().zip(&owners) {
        let tasks = stage_owners
            .iter()
            .enumerate()
            .map(|(i, owner)| {
                if marker_path(workdir, &s.stage, i, s.tasks).exists() {
                    return TaskState::Done;
                }
                let Some(job) = owner else {
                    return TaskState::NotSubmitted;
                };
                let Some(e) = known.get(&(job.job_id.clone(), i)) else {
                    return TaskState::Lost {
                        job: job.job_id.clone(),
                    };
                };
                classify(e)
            })
            .collect();
        reports.push(StageReport {
            stage: s.stage.clone(),
            tasks,
        });
    }
    Ok(reports)
}

fn classify(e: &Element) -> TaskState {
    match e.state.as_str() {
        "PENDING" | "REQUEUED" | "REQUEUE_HOLD" | "REQUEUE_FED" | "SUSPENDED" => {
            TaskState::Pending {
                reason: e.reason.clone(),
            }
        }
        "RUNNING" | "CONFIGURING" | "COMPLETING" | "RESIZING" | "SIGNALING" | "STAGE_OUT" => {
            TaskState::Running
        }
        "CANCELLED" if e.reason == "DependencyNeverSatisfied" => {
            TaskState::Skipped { job: e.job.clone() }
        }
        // COMPLETED without a marker counts as failed too: the stage exits 0
        // only after writing it, so the marker went missing since.
        state => TaskState::Failed {
            job: e.job.clone(),
            state: state.to_string(),
        },
    }
}

#[derive(Default, Debug, PartialEq)]
struct Counts {
    done: usize,
    running: usize,
    pending: usize,
    failed: usize,
    not_run: usize,
}

impl Counts {
    fn of(tasks: &[TaskState]) -> Counts {
        let mut c = Counts::default();
        for t in tasks {
            match t {
                TaskState::Done => c.done += 1,
                TaskState::Running => c.running += 1,
                TaskState::Pending { .. } => c.pending += 1,
                TaskState::Failed { .. } | TaskState::Lost { .. } => c.failed += 1,
                TaskState::Skipped { .. } | TaskState::NotSubmitted => c.not_run += 1,
            }
        }
        c
    }

    fn add(&mut self, o: &Counts) {
        self.done += o.done;
        self.running += o.running;
        self.pending += o.pending;
        self.failed += o.failed;
        self.not_run += o.not_run;
    }

    fn total(&self) -> usize {
        self.done + self.running + self.pending + self.failed + self.not_run
    }
}

fn status_cli(args: &SlurmStatusArgs) -> Result<()> {
    let workdir = &args.workdir;
    let Some(record) = JobsFile::read(workdir)? else {
        bail!(
            "{}: not found; nothing was submitted with this work directory",
            JobsFile::path(workdir).display()
        );
    };
    let programs = Programs::from_env(Path::new(
        &std::env::var_os("SBATCH").unwrap_or_else(|| "sbatch".into()),
    ));
    let mut last = String::new();
    let reports = loop {
        let reports = stage_reports(workdir, &record, &programs)?;
        let mut total = Counts::default();
        reports
            .iter()
            .for_each(|r| total.add(&Counts::of(&r.tasks)));
        if !args.wait || total.running + total.pending == 0 {
            break reports;
        }
        let line = format!(
            "{}/{} tasks done, {} running, {} pending, {} failed",
            total.done,
            total.total(),
            total.running,
            total.pending,
            total.failed
        );
        if line != last {
            eprintln!("slurm status: {line}");
            last = line;
        }
        std::thread::sleep(Duration::from_secs_f64(args.interval.max(0.1)));
    };
    let (text, outcome) = render_status(workdir, &record, &reports);
    print!("{text}");
    match outcome {
        None => Ok(()),
        Some(u) => Err(u.into()),
    }
}

/// The status table, details and summary; `None` when every task is done.
fn render_status(
    workdir: &Path,
    record: &JobsFile,
    reports: &[StageReport],
) -> (String, Option<Unfinished>) {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "{:<10} {:>6} {:>6} {:>8} {:>8} {:>7} {:>8}",
        "stage", "tasks", "done", "running", "pending", "failed", "not run"
    );
    let mut total = Counts::default();
    for r in reports {
        let c = Counts::of(&r.tasks);
        let _ = writeln!(
            w,
            "{:<10} {:>6} {:>6} {:>8} {:>8} {:>7} {:>8}",
            r.stage,
            r.tasks.len(),
            c.done,
            c.running,
            c.pending,
            c.failed,
            c.not_run
        );
        total.add(&c);
    }
    let _ = writeln!(
        w,
        "{:<10} {:>6} {:>6} {:>8} {:>8} {:>7} {:>8}",
        "total",
        total.total(),
        total.done,
        total.running,
        total.pending,
        total.failed,
        total.not_run
    );

    for r in reports {
        let mut reasons: Vec<(String, usize)> = Vec::new();
        for (i, t) in r.tasks.iter().enumerate() {
            let log = |job: &str| {
                workdir
                    .join(SLURM_DIR)
                    .join("logs")
                    .join(format!("{}-{job}_{i}.err", r.stage))
            };
            match t {
                TaskState::Failed { job, state } => {
                    let _ = writeln!(
                        w,
                        "failed: {} task {i}: {state} (job {job}_{i}); log {}",
                        r.stage,
                        log(job).display()
                    );
                }
                TaskState::Lost { job } => {
                    let _ = writeln!(
                        w,
                        "failed: {} task {i}: ended without its completion marker (job {job}_{i}, \
                         no longer known to Slurm); log {}",
                        r.stage,
                        log(job).display()
                    );
                }
                TaskState::Pending { reason } => {
                    match reasons.iter_mut().find(|(x, _)| x == reason) {
                        Some((_, n)) => *n += 1,
                        None => reasons.push((reason.clone(), 1)),
                    }
                }
                _ => {}
            }
        }
        for (reason, n) in reasons {
            let _ = writeln!(w, "pending: {} {n} task(s): {reason}", r.stage);
        }
    }

    let rerun = format!(
        "corpusforge slurm submit --config {} --workdir {}",
        record.config,
        workdir.display()
    );
    let outcome = if total.done == total.total() {
        // output.dir of the config copy, as the jobs resolved it.
        let release = Config::load(&workdir.join(CONFIG_COPY))
            .map(|l| {
                format!(
                    " in {}",
                    record.submit_dir.join(l.config.output.dir).display()
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            w,
            "done: all {} tasks finished; the release is{release}",
            total.total()
        );
        None
    } else if total.running + total.pending > 0 {
        let _ = writeln!(
            w,
            "in progress: {} of {} tasks done, {} running, {} pending{}",
            total.done,
            total.total(),
            total.running,
            total.pending,
            if total.failed > 0 {
                format!(
                    "; {} failed: once nothing runs, resubmit with `{rerun}`",
                    total.failed
                )
            } else {
                String::new()
            }
        );
        Some(Unfinished::Active)
    } else {
        let _ = writeln!(
            w,
            "stopped: {} of {} tasks done, {} failed, {} not run; resubmit the unfinished \
             tasks from {} with:\n  {rerun}",
            total.done,
            total.total(),
            total.failed,
            total.not_run,
            record.submit_dir.display()
        );
        Some(Unfinished::Stopped)
    };
    (out, outcome)
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

    #[test]
    fn stage_settings_parse_and_refuse() {
        assert_eq!(
            parse_stage_setting("process:tasks=8").unwrap(),
            StageSetting {
                stage: "process",
                key: StageKey::Tasks(8)
            }
        );
        assert_eq!(
            parse_stage_setting("cluster:mem=16G").unwrap().key,
            StageKey::Mem("16G".into())
        );
        assert!(
            parse_stage_setting("cluster:tasks=2")
                .unwrap_err()
                .contains("single task")
        );
        assert!(parse_stage_setting("cluster:tasks=1").is_ok());
        assert!(
            parse_stage_setting("dedup:tasks=2")
                .unwrap_err()
                .contains("not a stage")
        );
        assert!(parse_stage_setting("write:mem=4G --x").is_err());
        assert!(parse_stage_setting("write:threads=4").is_err());
        assert!(parse_stage_setting("write:tasks=0").is_err());
        assert!(sbatch_arg("--account=x").is_ok());
        assert!(sbatch_arg("account").is_err());
    }

    #[test]
    fn script_of_a_stage() {
        let extra = vec!["--account=proj".to_string()];
        let spec = ScriptSpec {
            stage: "process",
            tasks: 8,
            array: "0-2,5".into(),
            chdir: Path::new("/data/run"),
            workdir: Path::new("/data/run/work"),
            exe: Path::new("/opt/cf bin/corpusforge"),
            config: "configs/x.toml",
            partition: Some("short"),
            cpus: Some(4),
            mem: Some("8G"),
            time: Some("1:00:00"),
            after: Some("41"),
            extra: &extra,
        };
        let text = sbatch_script(&spec).unwrap();
        let expected = "\
#!/bin/bash
# corpusforge stage \"process\", 8 tasks, as a Slurm job array; written by `corpusforge slurm submit`.
#SBATCH --job-name=corpusforge-process
#SBATCH --array=0-2,5
#SBATCH --chdir=/data/run
#SBATCH --output=/data/run/work/slurm/logs/process-%A_%a.out
#SBATCH --error=/data/run/work/slurm/logs/process-%A_%a.err
#SBATCH --partition=short
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=1:00:00
#SBATCH --dependency=afterok:41
#SBATCH --kill-on-invalid-dep=yes
#SBATCH --account=proj
set -eu
if ! cmp -s -- configs/x.toml /data/run/work/config.toml; then
    echo \"corpusforge: configs/x.toml differs from the copy made at submit time (/data/run/work/config.toml); submit again with --fresh\" >&2
    exit 2
fi
exec '/opt/cf bin/corpusforge' stage process --task \"$SLURM_ARRAY_TASK_ID\" --tasks 8 --workdir /data/run/work --config configs/x.toml --threads \"${SLURM_CPUS_PER_TASK:-1}\"
";
        assert_eq!(text, expected);

        // The first stage: no dependency, no optional resources.
        let first = ScriptSpec {
            stage: "lines",
            after: None,
            partition: None,
            cpus: None,
            mem: None,
            time: None,
            extra: &[],
            ..spec
        };
        let text = sbatch_script(&first).unwrap();
        assert!(!text.contains("--dependency"), "{text}");
        assert!(!text.contains("--mem"), "{text}");
        assert!(
            text.contains("#SBATCH --kill-on-invalid-dep=yes\n"),
            "{text}"
        );
        assert!(text.contains(" stage lines --task "), "{text}");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        assert!(sbatch_safe_path(Path::new("/a/b-c_d.e")).is_ok());
        assert!(sbatch_safe_path(Path::new("/a b")).is_err());
        assert!(sbatch_safe_path(Path::new("/a%b")).is_err());
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("/a/b"), "/a/b");
    }

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
        assert_eq!(
            classify(&e[0]),
            TaskState::Pending {
                reason: "Resources".into()
            }
        );
        assert_eq!(
            classify(&e[2]),
            TaskState::Failed {
                job: "1".into(),
                state: "FAILED".into()
            }
        );
        assert_eq!(classify(&e[3]), TaskState::Skipped { job: "2".into() });
    }

    /// A fake Slurm: `sbatch` records each script and prints increasing job
    /// ids, `squeue` knows no job, `scontrol` has MaxArraySize = 6.
    struct FakeSlurm {
        dir: tempfile::TempDir,
        programs: Programs,
    }

    impl FakeSlurm {
        fn new() -> FakeSlurm {
            use std::os::unix::fs::PermissionsExt;
            let dir = tempfile::tempdir().unwrap();
            let d = dir.path();
            let write = |name: &str, body: &str| {
                let p = d.join(name);
                std::fs::write(&p, format!("#!/bin/sh\n{body}")).unwrap();
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
                p
            };
            let sbatch = write(
                "sbatch",
                &format!(
                    "n=$(cat {0}/next 2>/dev/null || echo 100)\n\
                     echo $((n + 1)) > {0}/next\n\
                     cp \"$2\" {0}/submitted-$n\n\
                     echo \"$n;cluster\"\n",
                    d.display()
                ),
            );
            let squeue = write("squeue", "exit 0\n");
            let scontrol = write(
                "scontrol",
                "[ \"$1\" = show ] && echo 'MaxArraySize = 6'\nexit 0\n",
            );
            write("stage", "exit 0\n");
            std::fs::write(d.join("c.toml"), "[input]\npaths = [\"in\"]\n").unwrap();
            std::fs::create_dir(d.join("run")).unwrap();
            FakeSlurm {
                programs: Programs {
                    sbatch,
                    squeue,
                    scontrol,
                },
                dir,
            }
        }

        fn args(&self, tasks: Option<usize>) -> SlurmSubmitArgs {
            SlurmSubmitArgs {
                config: self.dir.path().join("c.toml"),
                workdir: "work".into(),
                tasks,
                partition: None,
                cpus_per_task: None,
                mem: Some("2G".into()),
                time: None,
                stage: vec![parse_stage_setting("cluster:mem=9G").unwrap()],
                sbatch_args: vec![],
                fresh: false,
                sbatch: self.programs.sbatch.clone(),
            }
        }

        fn submit(&self, args: &SlurmSubmitArgs) -> Result<Vec<Job>> {
            let d = self.dir.path();
            submit(args, &d.join("run"), &d.join("stage"), &self.programs)
        }

        fn script(&self, job: &str) -> String {
            std::fs::read_to_string(self.dir.path().join(format!("submitted-{job}"))).unwrap()
        }

        fn workdir(&self) -> PathBuf {
            self.dir.path().join("run/work")
        }

        fn mark(&self, stage: &str, task: usize, tasks: usize) {
            let m = marker_path(&self.workdir(), stage, task, tasks);
            std::fs::create_dir_all(m.parent().unwrap()).unwrap();
            std::fs::write(m, "").unwrap();
        }
    }

    #[test]
    fn submit_chains_stages_and_resubmits_only_unfinished_tasks() {
        let fake = FakeSlurm::new();
        // 8 tasks asked, the cluster allows 6.
        let jobs = fake.submit(&fake.args(Some(8))).unwrap();
        let got: Vec<(&str, &str, &str, Option<&str>)> = jobs
            .iter()
            .map(|j| {
                (
                    j.stage.as_str(),
                    j.job_id.as_str(),
                    j.array.as_str(),
                    j.after.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("lines", "100", "0-5", None),
                ("process", "101", "0-5", Some("100")),
                ("bands", "102", "0-5", Some("101")),
                ("cluster", "103", "0", Some("102")),
                ("write", "104", "0-5", Some("103")),
                ("finalize", "105", "0", Some("104")),
            ]
        );
        let process = fake.script("101");
        assert!(
            process.contains("#SBATCH --dependency=afterok:100\n"),
            "{process}"
        );
        assert!(process.contains("#SBATCH --mem=2G\n"), "{process}");
        assert!(process.contains(" --tasks 6 --workdir "), "{process}");
        assert!(process.contains(&format!(
            "#SBATCH --chdir={}\n",
            fake.dir.path().join("run").display()
        )));
        assert!(fake.script("103").contains("#SBATCH --mem=9G\n"));
        assert!(!fake.script("100").contains("--dependency"));
        let copy = std::fs::read(fake.workdir().join("config.toml")).unwrap();
        assert_eq!(copy, std::fs::read(fake.dir.path().join("c.toml")).unwrap());

        // lines done; process lost task 3; the rest untouched.
        for i in 0..6 {
            fake.mark("lines", i, 6);
            if i != 3 {
                fake.mark("process", i, 6);
            }
        }
        let again = fake.submit(&fake.args(None)).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> = again
            .iter()
            .map(|j| (j.stage.as_str(), j.array.as_str(), j.after.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("process", "3", None),
                ("bands", "0-5", Some("106")),
                ("cluster", "0", Some("107")),
                ("write", "0-5", Some("108")),
                ("finalize", "0", Some("109")),
            ]
        );
        assert!(!fake.script("106").contains("--dependency"));

        let record = JobsFile::read(&fake.workdir()).unwrap().unwrap();
        assert_eq!(record.submissions.len(), 2);
        assert_eq!(record.owner("process", 3).unwrap().job_id, "106");
        assert_eq!(record.owner("process", 2).unwrap().job_id, "101");

        // Another task count than the markers were written with.
        let err = fake.submit(&fake.args(Some(4))).unwrap_err().to_string();
        assert!(err.contains("submitted with 6 tasks"), "{err}");

        // Everything done: nothing to submit.
        for (stage, splittable) in STAGES {
            let n = if *splittable { 6 } else { 1 };
            for i in 0..n {
                fake.mark(stage, i, n);
            }
        }
        assert!(fake.submit(&fake.args(None)).unwrap().is_empty());
    }

    #[test]
    fn submit_refuses_another_config_unless_fresh() {
        let fake = FakeSlurm::new();
        fake.submit(&fake.args(Some(2))).unwrap();
        fake.mark("lines", 0, 2);
        std::fs::write(
            fake.dir.path().join("c.toml"),
            "[input]\npaths = [\"other\"]\n",
        )
        .unwrap();
        let err = fake.submit(&fake.args(Some(2))).unwrap_err().to_string();
        assert!(err.contains("holds a different config"), "{err}");

        let mut fresh = fake.args(Some(3));
        fresh.fresh = true;
        let jobs = fake.submit(&fresh).unwrap();
        assert_eq!(jobs[0].array, "0-2");
        assert!(!fake.workdir().join("lines").exists());
        let copy = std::fs::read_to_string(fake.workdir().join("config.toml")).unwrap();
        assert!(copy.contains("other"));
    }

    #[test]
    fn submit_refuses_another_submit_directory() {
        let fake = FakeSlurm::new();
        let mut args = fake.args(Some(2));
        args.workdir = fake.workdir();
        fake.submit(&args).unwrap();
        let d = fake.dir.path();
        let err = submit(&args, d, &d.join("stage"), &fake.programs)
            .unwrap_err()
            .to_string();
        assert!(err.contains("was submitted from"), "{err}");
    }

    #[test]
    fn submit_refuses_while_jobs_are_queued() {
        use std::os::unix::fs::PermissionsExt;
        let mut fake = FakeSlurm::new();
        fake.submit(&fake.args(Some(2))).unwrap();
        let squeue = fake.dir.path().join("squeue-busy");
        std::fs::write(&squeue, "#!/bin/sh\necho '101 1 RUNNING None'\n").unwrap();
        std::fs::set_permissions(&squeue, std::fs::Permissions::from_mode(0o755)).unwrap();
        fake.programs.squeue = squeue;
        let err = fake.submit(&fake.args(None)).unwrap_err().to_string();
        assert!(
            err.contains("still queued or running (101_1 RUNNING)"),
            "{err}"
        );
    }

    #[test]
    fn status_counts_and_summarizes() {
        let record = JobsFile {
            config: "configs/x.toml".into(),
            submit_dir: "/data/run".into(),
            stages: vec![
                StageTasks {
                    stage: "lines".into(),
                    tasks: 2,
                },
                StageTasks {
                    stage: "process".into(),
                    tasks: 2,
                },
            ],
            submissions: vec![],
        };
        let reports = vec![
            StageReport {
                stage: "lines".into(),
                tasks: vec![
                    TaskState::Done,
                    TaskState::Failed {
                        job: "7".into(),
                        state: "CANCELLED".into(),
                    },
                ],
            },
            StageReport {
                stage: "process".into(),
                tasks: vec![
                    TaskState::Skipped { job: "8".into() },
                    TaskState::Skipped { job: "8".into() },
                ],
            },
        ];
        let (text, outcome) = render_status(Path::new("work"), &record, &reports);
        assert!(matches!(outcome, Some(Unfinished::Stopped)), "{text}");
        assert!(
            text.contains(
                "failed: lines task 1: CANCELLED (job 7_1); log work/slurm/logs/lines-7_1.err"
            ),
            "{text}"
        );
        assert!(
            text.contains("stopped: 1 of 4 tasks done, 1 failed, 2 not run"),
            "{text}"
        );
        assert!(
            text.contains("corpusforge slurm submit --config configs/x.toml --workdir work"),
            "{text}"
        );

        let running = vec![StageReport {
            stage: "lines".into(),
            tasks: vec![
                TaskState::Running,
                TaskState::Pending {
                    reason: "Resources".into(),
                },
            ],
        }];
        let (text, outcome) = render_status(Path::new("work"), &record, &running);
        assert!(matches!(outcome, Some(Unfinished::Active)), "{text}");
        assert!(
            text.contains("pending: lines 1 task(s): Resources"),
            "{text}"
        );

        let done = vec![StageReport {
            stage: "lines".into(),
            tasks: vec![TaskState::Done],
        }];
        let (text, outcome) = render_status(Path::new("work"), &record, &done);
        assert!(outcome.is_none(), "{text}");
        assert!(text.starts_with("stage "), "{text}");
    }
}
