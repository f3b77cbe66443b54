//! `corpusforge build`: load the config, apply overrides, run the pipeline,
//! print the summary table. Ctrl-C or SIGTERM prints one line (what
//! finished, the work directory, the command that resumes) and exits 130.

use anyhow::Result;

use corpusforge::config::Config;
use corpusforge::stages::{self, BuildOptions};

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
    if let Some(b) = &args.on_bad_file {
        cfg.input.on_bad_file = b.parse().map_err(anyhow::Error::msg)?;
    }
    if args.keep_removed_lines {
        cfg.clean.keep_removed_lines = true;
    }
    if args.allow_empty {
        cfg.output.allow_empty = true;
    }
    on_interrupt();
    let opts = BuildOptions {
        progress: true,
        resume: args.resume,
        workdir: args.workdir.clone(),
    };
    let summary = stages::build(&loaded, &opts)?;
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

/// On Ctrl-C or SIGTERM: one line saying what finished and how to resume,
/// then exit 130. The previous release is untouched (the new one is only
/// renamed into place at the very end) and the work directory stays for
/// `--resume`.
fn on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let resume = resume_command(std::env::args());
        match corpusforge::stages::interrupt::status_line(&resume) {
            Some(line) => eprintln!("\n{line}"),
            None => eprintln!("\ninterrupted; no stage had started, so there is nothing to resume"),
        }
        std::process::exit(130);
    });
}

/// The command line that was run, with `--resume` added, quoted for a
/// POSIX shell.
fn resume_command(args: impl Iterator<Item = String>) -> String {
    let mut words: Vec<String> = args.collect();
    if !words.iter().any(|w| w == "--resume") {
        words.push("--resume".into());
    }
    words
        .iter()
        .map(|w| shell_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_word(w: &str) -> String {
    let plain = !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:=,@%+".contains(&b));
    if plain {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_command_quotes_and_adds_resume() {
        let args = ["corpusforge", "build", "-c", "my config.toml", "-o", "it's"];
        assert_eq!(
            resume_command(args.iter().map(|s| s.to_string())),
            "corpusforge build -c 'my config.toml' -o 'it'\\''s' --resume"
        );
        let again = ["corpusforge", "build", "--resume"];
        assert_eq!(
            resume_command(again.iter().map(|s| s.to_string())),
            "corpusforge build --resume"
        );
    }
}
