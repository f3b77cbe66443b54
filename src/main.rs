//! The `corpusforge` binary: parse arguments, run a command, report errors.
//!
//! Exit codes: 0 success; 1 any other failure; 2 bad usage or bad config
//! (including a refused output or work folder); 3 bad input (missing or
//! unreadable input file, wrong format); 4 output, I/O or work-directory
//! failure; 5 `verify` found the release inconsistent; 6 `slurm status`:
//! tasks are still queued or running; 7 `slurm status`: the build stopped
//! with unfinished tasks; 8 another build holds the lock on the output or
//! work directory; 9 the build kept no document (without `--allow-empty`);
//! 130 interrupted (Ctrl-C or SIGTERM). A closed stdout (e.g. piping into
//! `head`) exits 0.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;

use corpusforge::error::Error;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Build(a) => cmd::build::run(a),
        cli::Command::Stage(a) => cmd::stage::run(a),
        cli::Command::Langid(a) => cmd::langid::run(a),
        cli::Command::Verify(a) => cmd::verify::run(a),
        cli::Command::Inspect(a) => cmd::inspect::run(a),
        cli::Command::DedupParams(a) => cmd::dedup_params::run(a),
        #[cfg(feature = "dev-tools")]
        cli::Command::FilterCheck(a) => cmd::filter_check::run(a),
        cli::Command::CleanStats(a) => cmd::clean_stats::run(a),
        #[cfg(feature = "dev-tools")]
        cli::Command::NearDup(a) => cmd::near_dup::run(a),
        cli::Command::Slurm(a) => cmd::slurm::run(a),
        #[cfg(feature = "dev-tools")]
        cli::Command::BenchRead(a) => cmd::bench_read::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Not a failure to report: `slurm status` already printed why.
            if let Some(s) = err.downcast_ref::<corpusforge::slurm::Unfinished>() {
                return ExitCode::from(s.exit_code());
            }
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if let Some(Error::BadFile { .. }) = err.downcast_ref::<Error>() {
                eprintln!(
                    "  hint: to build without such files, run with --on-bad-file=skip: \
                     they are left out and listed with the reason in manifest.json (inputs[].skipped)"
                );
            }
            ExitCode::from(exit_code(&err))
        }
    }
}

fn exit_code(err: &anyhow::Error) -> u8 {
    if err.downcast_ref::<cmd::verify::VerifyFailed>().is_some() {
        return 5;
    }
    match err.downcast_ref::<Error>() {
        Some(e) => e.exit_code(),
        None => 1,
    }
}
