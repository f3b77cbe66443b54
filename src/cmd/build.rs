//! `corpusforge build`: load the config, apply overrides, run the pipeline,
//! print the summary table.

use anyhow::Result;

use corpusforge::config::Config;
use corpusforge::pipeline::{self, BuildOptions};

use crate::cli::BuildArgs;

pub fn run(args: &BuildArgs) -> Result<()> {
    let mut loaded = Config::load(&args.config)?;
    let cfg = &mut loaded.config;
    if !args.inputs.is_empty() {
        cfg.input.paths = args.inputs.clone();
    }
    if let Some(o) = &args.output {
        cfg.output.dir = o.clone();
    }
    if let Some(t) = args.threads {
        cfg.run.threads = t;
    }
    if let Some(b) = args.on_bad_file {
        cfg.input.on_bad_file = b;
    }
    if args.keep_removed_lines {
        cfg.clean.keep_removed_lines = true;
    }
    let opts = BuildOptions {
        progress: true,
        resume: args.resume,
        workdir: args.workdir.clone(),
    };
    let summary = pipeline::build(&loaded, &opts)?;
    if !args.quiet {
        let c = &summary.counts;
        eprintln!("{:<28} {:>10}", "input documents", c.input);
        for (reason, n) in &c.rejected_by_reason {
            eprintln!("  {:<26} {:>10}", format!("- {reason}"), n);
        }
        eprintln!("{:<28} {:>10}", "kept", c.kept);
        eprintln!(
            "{:<28} {:>10}",
            "repaired invalid UTF-8", c.repaired_invalid_utf8
        );
        eprintln!("{:<28} {:>10}", "repaired mojibake", c.repaired_mojibake);
        eprintln!(
            "wrote {} data shards to {}",
            summary.shards,
            summary.release.display()
        );
        if !summary.stage_seconds.is_empty() {
            let parts: Vec<String> = summary
                .stage_seconds
                .iter()
                .map(|t| match t.cpu_s {
                    Some(c) => format!("{} {:.2}/{:.2}", t.stage, t.wall_s, c),
                    None => format!("{} {:.2}/-", t.stage, t.wall_s),
                })
                .collect();
            eprintln!("stage seconds (wall/CPU): {}", parts.join(", "));
        }
    }
    Ok(())
}
