//! `submit`: write the sbatch script of every stage with unfinished tasks
//! and submit them as job arrays chained by `--dependency=afterok`, after
//! the checks that keep two copies of a task from ever running at once
//! (see [`crate::slurm`]). Also the parsers of the values that end up in
//! `#SBATCH` lines, for the command line to use.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use super::jobs::{StageTasks, Submission};
use super::queue::{Programs, active_elements, max_array_size, sbatch};
use super::script::{ScriptSpec, sbatch_safe_path, sbatch_script};
use super::{CONFIG_COPY, Job, JobsFile, SLURM_DIR, compress_indices, write_file};
use crate::config::Config;
use crate::stages::{StageName, marker_path};

/// One `--stage STAGE:KEY=VALUE` setting.
#[derive(Clone, Debug, PartialEq)]
pub struct StageSetting {
    /// A name of a [`StageName`].
    pub stage: &'static str,
    pub key: StageKey,
}

/// What a [`StageSetting`] sets, and to what.
#[derive(Clone, Debug, PartialEq)]
pub enum StageKey {
    /// Tasks of the stage (1 for a stage that cannot be split).
    Tasks(usize),
    /// CPUs per task (`--cpus-per-task`).
    Cpus(u32),
    /// Memory per task in Slurm's syntax (`--mem`).
    Mem(String),
    /// Time limit per task in Slurm's syntax (`--time`).
    Time(String),
}

/// clap value parser of `--stage`.
pub fn parse_stage_setting(s: &str) -> Result<StageSetting, String> {
    let (stage, rest) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?}: expected STAGE:KEY=VALUE, e.g. process:tasks=8"))?;
    let (stage, splittable) = StageName::ALL
        .into_iter()
        .find(|s| s.as_str() == stage)
        .map(|s| (s.as_str(), s.splittable()))
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
    StageName::ALL
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What to submit: `corpusforge slurm submit`'s options.
#[derive(Clone, Debug, Default)]
pub struct SubmitOptions {
    /// Config file, as the jobs will read it (relative to the submit
    /// directory, or absolute).
    pub config: PathBuf,
    /// Work directory, on a filesystem every node sees.
    pub workdir: PathBuf,
    /// Tasks of every stage that can be split; `None`: 1, or what the work
    /// directory was first submitted with.
    pub tasks: Option<usize>,
    /// Slurm partition; `None`: the cluster's default.
    pub partition: Option<String>,
    /// CPUs per task; `None`: Slurm's default (1).
    pub cpus_per_task: Option<u32>,
    /// Memory per task in Slurm's syntax, e.g. `4G`.
    pub mem: Option<String>,
    /// Time limit per task in Slurm's syntax, e.g. `2:00:00`.
    pub time: Option<String>,
    /// Per-stage settings; the last one of a key wins.
    pub stage: Vec<StageSetting>,
    /// Extra `#SBATCH` options for every job.
    pub sbatch_args: Vec<String>,
    /// Discard the work directory's earlier state and start over.
    pub fresh: bool,
}

/// Submit the unfinished tasks of every stage; returns the submitted jobs
/// (none when every task is done). `chdir` is where the jobs run and `exe`
/// what they run; `note` receives remarks for the user (a task count cut to
/// the cluster's limit, a limit assumed).
pub fn submit(
    opts: &SubmitOptions,
    chdir: &Path,
    exe: &Path,
    programs: &Programs,
    note: &mut dyn FnMut(String),
) -> Result<Vec<Job>> {
    let loaded = Config::load(&opts.config)?;
    let workdir = std::path::absolute(chdir.join(&opts.workdir))?;
    // The rules of a local build: the config's values, and a work directory
    // and output that are corpusforge's to write (see crate::safety).
    crate::stages::preflight(&loaded, &workdir)?;
    sbatch_safe_path(&workdir)?;
    sbatch_safe_path(chdir)?;
    if !exe.is_file() {
        bail!("{}: the stage program does not exist", exe.display());
    }
    if opts.tasks == Some(0) {
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
                opts.workdir.display(),
                ids.join(" ")
            );
        }
    }
    if opts.fresh {
        discard_state(&workdir)?;
        record = None;
    } else if same_config == Some(false) {
        bail!(
            "{} holds a different config than {}: use another --workdir, or --fresh to discard \
             its stage outputs and start over",
            copy.display(),
            opts.config.display()
        );
    }
    if let Some(r) = &record
        && r.submit_dir != chdir
    {
        bail!(
            "{} was submitted from {}: rerun submit there (the jobs read the config by the path given, \
             from that folder), or use --fresh",
            workdir.display(),
            r.submit_dir.display()
        );
    }

    let max_array = max_array_size(programs, note);
    let tasks = tasks_per_stage(opts, max_array, record.as_ref(), note)?;
    crate::safety::create_workdir(&workdir)?;
    let _lock =
        crate::safety::Lock::exclusive(&workdir.join(crate::safety::WORKDIR_LOCK), &workdir)?;
    std::fs::create_dir_all(workdir.join(SLURM_DIR).join("logs"))
        .with_context(|| format!("cannot create {}", workdir.join(SLURM_DIR).display()))?;
    if same_config != Some(true) || opts.fresh {
        write_file(&copy, loaded.text.as_bytes())?;
    }
    let mut record = record.unwrap_or_else(|| JobsFile {
        config: opts.config.to_string_lossy().into_owned(),
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
        let (cpus, mem, time) = resources(opts, stage);
        let spec = ScriptSpec {
            stage,
            tasks: n,
            array: compress_indices(&missing),
            chdir,
            workdir: &workdir,
            exe,
            config: &record.config,
            partition: opts.partition.as_deref(),
            cpus,
            mem,
            time,
            after: after.as_deref(),
            extra: &opts.sbatch_args,
        };
        let script_rel = format!("{SLURM_DIR}/{}-{stage}.sbatch", k + 1);
        let script = workdir.join(&script_rel);
        write_file(&script, sbatch_script(&spec)?.as_bytes())?;
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
    opts: &SubmitOptions,
    max_array: usize,
    record: Option<&JobsFile>,
    note: &mut dyn FnMut(String),
) -> Result<Vec<(&'static str, usize)>> {
    let mut out = Vec::new();
    for (stage, splittable) in StageName::ALL.map(|s| (s.as_str(), s.splittable())) {
        let asked = opts
            .stage
            .iter()
            .rev()
            .find_map(|s| match s.key {
                StageKey::Tasks(n) if s.stage == stage => Some(n),
                _ => None,
            })
            .or(opts.tasks.filter(|_| splittable));
        let asked = asked.map(|n| {
            if splittable && n > max_array {
                // Array indices run from 0 to MaxArraySize - 1.
                note(format!(
                    "{stage}: {n} tasks exceed the cluster's MaxArraySize ({max_array}); \
                     using {max_array}"
                ));
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
    opts: &'a SubmitOptions,
    stage: &str,
) -> (Option<u32>, Option<&'a str>, Option<&'a str>) {
    let mut cpus = opts.cpus_per_task;
    let mut mem = opts.mem.as_deref();
    let mut time = opts.time.as_deref();
    for s in opts.stage.iter().filter(|s| s.stage == stage) {
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
    let mut doomed: Vec<PathBuf> = StageName::ALL
        .iter()
        .map(|s| workdir.join(s.as_str()))
        .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

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

        fn args(&self, tasks: Option<usize>) -> SubmitOptions {
            SubmitOptions {
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
            }
        }

        fn submit(&self, args: &SubmitOptions) -> Result<Vec<Job>> {
            let d = self.dir.path();
            submit(
                args,
                &d.join("run"),
                &d.join("stage"),
                &self.programs,
                &mut |_| {},
            )
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
        for (stage, splittable) in StageName::ALL.map(|s| (s.as_str(), s.splittable())) {
            let n = if splittable { 6 } else { 1 };
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
        let err = submit(&args, d, &d.join("stage"), &fake.programs, &mut |_| {})
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
}
