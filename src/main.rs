//! The `corpusforge` binary: parse arguments, run a command, report errors.
//!
//! Exit codes: 0 success; 1 any other failure; 2 bad usage or bad config;
//! 3 bad input (missing or unreadable input file, wrong format); 4 output or
//! I/O failure; 5 `verify` found the release inconsistent. A closed stdout (e.g. piping into `head`) exits 0.

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
        cli::Command::FilterCheck(a) => cmd::filter_check::run(a),
        cli::Command::NearDup(a) => cmd::near_dup::run(a),
        cli::Command::BenchRead(a) => cmd::bench_read::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(io) = err.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
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
        Some(Error::Config { .. }) => 2,
        Some(Error::Input { .. }) => 3,
        Some(Error::Io { .. }) | Some(Error::Output { .. }) => 4,
        None => 1,
    }
}
