//! Command-line interface (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Build multilingual corpus releases: dedupe, clean, language-tag and split
/// article collections into Parquet shards with a manifest.
#[derive(Debug, Parser)]
#[command(name = "corpusforge", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a release from the inputs named in a config.
    Build(BuildArgs),
    /// Identify the language of each line (or JSON object) on stdin.
    Langid(LangidArgs),
    /// Print the near-duplicate detection curve of a bands x rows setting,
    /// and the setting suggested for a target Jaccard threshold.
    DedupParams(DedupParamsArgs),
}

#[derive(Debug, Args)]
pub struct DedupParamsArgs {
    /// Config whose [dedup.near] bands and rows to show.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Bands (overrides the config).
    #[arg(long)]
    pub bands: Option<usize>,
    /// Rows per band (overrides the config).
    #[arg(long)]
    pub rows: Option<usize>,
    /// Target Jaccard threshold for the suggestion.
    #[arg(long, default_value_t = 0.8)]
    pub threshold: f64,
    /// Most hashes the suggestion may use.
    #[arg(long, default_value_t = 128)]
    pub max_hashes: usize,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Config file (TOML), e.g. configs/default.toml.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Input file or folder; replaces the config's input.paths (repeatable).
    #[arg(long = "input", short)]
    pub inputs: Vec<PathBuf>,
    /// Release folder; overrides output.dir.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Worker threads (0 = one per core); overrides run.threads.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Keep the lines removed by the cleaner, for audit.
    #[arg(long)]
    pub keep_removed_lines: bool,
    /// Print no summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct LangidArgs {
    /// Config whose [langid] section to use.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// fastText model (.bin or .ftz); overrides langid.model.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Read one JSON object per line and identify its `text` field.
    #[arg(long)]
    pub jsonl: bool,
    /// Print up to N labels with their scores, tab-separated: the
    /// document's label, then the label of most of the rest of its text
    /// (with --raw: the model's N best labels).
    #[arg(long, default_value_t = 1)]
    pub top_k: usize,
    /// With --model: print the model's own labels and probabilities for
    /// the whole text as one line, exactly as fastText's `predict` does.
    #[arg(long, requires = "model")]
    pub raw: bool,
    /// Identify each text as a whole (the first 4 KiB for the embedded
    /// identifier) instead of by lines aggregated by length.
    #[arg(long, conflicts_with = "raw")]
    pub whole: bool,
    /// Print the languages the identifier can name and exit: one line per
    /// language; with a model, `model label<TAB>our label`.
    #[arg(long)]
    pub list_languages: bool,
}
