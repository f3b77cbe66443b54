//! `corpusforge slurm submit|status`: the task-based build as Slurm job
//! arrays on a shared filesystem. The logic lives in [`corpusforge::slurm`];
//! this shell turns the arguments into its options, runs it and prints.
//!
//! The Slurm programs can be replaced for tests or wrappers: `--sbatch` or
//! `SBATCH`, `SQUEUE`, `SCONTROL`; `CORPUSFORGE_STAGE_BIN` replaces the
//! program the jobs run (default: this executable).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use corpusforge::slurm::{self, Counts, JobsFile, Programs, SubmitOptions};

use crate::cli::{SlurmArgs, SlurmCommand, SlurmStatusArgs, SlurmSubmitArgs};

pub fn run(args: &SlurmArgs) -> Result<()> {
    match &args.command {
        SlurmCommand::Submit(a) => submit(a),
        SlurmCommand::Status(a) => status(a),
    }
}

fn submit(args: &SlurmSubmitArgs) -> Result<()> {
    let chdir = std::env::current_dir().context("cannot read the current directory")?;
    let exe = match std::env::var_os("CORPUSFORGE_STAGE_BIN").filter(|v| !v.is_empty()) {
        Some(p) => std::path::absolute(PathBuf::from(p))?,
        None => std::env::current_exe().context("cannot locate the corpusforge executable")?,
    };
    let programs = Programs::from_env(&args.sbatch);
    let opts = SubmitOptions {
        config: args.config.clone(),
        workdir: args.workdir.clone(),
        tasks: args.tasks,
        partition: args.partition.clone(),
        cpus_per_task: args.cpus_per_task,
        mem: args.mem.clone(),
        time: args.time.clone(),
        stage: args.stage.clone(),
        sbatch_args: args.sbatch_args.clone(),
        fresh: args.fresh,
    };
    let jobs = slurm::submit(&opts, &chdir, &exe, &programs, &mut |note| {
        eprintln!("note: {note}")
    })?;
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

fn status(args: &SlurmStatusArgs) -> Result<()> {
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
        let reports = slurm::stage_reports(workdir, &record, &programs)?;
        let total = Counts::of_all(&reports);
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
    let (text, outcome) = slurm::render_status(workdir, &record, &reports);
    print!("{text}");
    match outcome {
        None => Ok(()),
        // main exits with its code and prints nothing more.
        Some(u) => Err(u.into()),
    }
}
