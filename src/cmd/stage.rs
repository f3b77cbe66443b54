//! `corpusforge stage`: one task of one stage, for cluster executors.

use anyhow::Result;

use corpusforge::config::Config;
use corpusforge::stages::{self, Work};

use crate::cli::StageArgs;

pub fn run(args: &StageArgs) -> Result<()> {
    let mut loaded = Config::load(&args.config)?;
    if let Some(t) = args.threads {
        loaded.config.run.threads = t;
    }
    let stage = stages::StageName::parse(&args.name)?;
    let pool = stages::thread_pool(loaded.config.run.threads)?;
    let work = Work::open(loaded, &args.workdir, false)?;
    pool.install(|| stages::run_task(&work, stage, args.task, args.tasks))?;
    Ok(())
}
