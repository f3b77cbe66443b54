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
    /// Run one task of one stage of a build (lines, process, bands,
    /// cluster, write, finalize) in a work directory; what a cluster job
    /// runs. Stages must run in that order; tasks of a stage are
    /// independent.
    Stage(StageArgs),
    /// Identify the language of each line (or JSON object) on stdin.
    Langid(LangidArgs),
    /// Check a release against its manifest: checksums, sizes, rows,
    /// schemas, funnel arithmetic, no id twice, no cluster in two splits,
    /// no unlisted file. Exits 5 when a check fails.
    Verify(VerifyArgs),
    /// Print a release's summary tables, a sample of documents of one
    /// language, or every member of a near-duplicate cluster.
    Inspect(InspectArgs),
    /// Run the build as Slurm array jobs (one job array per stage) on a
    /// shared filesystem, and follow it.
    Slurm(SlurmArgs),
    /// Print the near-duplicate detection curve of a bands x rows setting,
    /// and the setting suggested for a target Jaccard threshold.
    DedupParams(DedupParamsArgs),
    /// Count what the clean stage removes from a config's inputs, per input
    /// folder and mechanism (rules, repeated lines, header and footer
    /// navigation), without building a release.
    CleanStats(CleanStatsArgs),
    /// Run each quality filter on JSONL documents from stdin and print its
    /// decision per document (for scripts/filter_parity.py).
    #[cfg(feature = "dev-tools")]
    #[command(hide = true)]
    FilterCheck(FilterCheckArgs),
    /// Cluster JSONL documents (`{"id","text"[,"date"]}`) from stdin by
    /// MinHash + LSH and print one assignment per line (for
    /// scripts/eval_neardup.py).
    #[cfg(feature = "dev-tools")]
    #[command(hide = true)]
    NearDup(NearDupArgs),
    /// Read and parse every input record (optionally identify its
    /// language) and print counts as JSON: the read stage of
    /// scripts/bench.sh.
    #[cfg(feature = "dev-tools")]
    #[command(hide = true)]
    BenchRead(BenchReadArgs),
}

#[cfg(feature = "dev-tools")]
#[derive(Debug, Args)]
pub struct BenchReadArgs {
    /// Config whose [input] (and, with --langid, [langid]) to use.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Input file or folder; replaces the config's input.paths (repeatable).
    #[arg(long = "input", short)]
    pub inputs: Vec<PathBuf>,
    /// Worker threads (0 = one per core); overrides run.threads.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// Also identify each document's language as the build does.
    #[arg(long)]
    pub langid: bool,
}

#[derive(Debug, Args)]
pub struct SlurmArgs {
    #[command(subcommand)]
    pub command: SlurmCommand,
}

#[derive(Debug, Subcommand)]
pub enum SlurmCommand {
    /// Submit the build's stages as job arrays chained by
    /// `--dependency=afterok`; rerun it to resubmit only the tasks without
    /// a completion marker.
    Submit(SlurmSubmitArgs),
    /// Show, per stage, how many tasks are done, running, pending and
    /// failed. Exits 0 when every task is done, 6 while tasks are queued or
    /// running, 7 when the build stopped unfinished (resubmit).
    Status(SlurmStatusArgs),
}

#[derive(Debug, Args)]
pub struct SlurmSubmitArgs {
    /// Config file (TOML). The jobs run in the current directory and read
    /// it by this path, so relative paths resolve as for `build`; a copy in
    /// DIR/config.toml makes the jobs refuse to run if it is edited later.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Work directory on a filesystem every node sees: stage outputs,
    /// markers, sbatch scripts, logs and slurm/jobs.json.
    #[arg(long, value_name = "DIR")]
    pub workdir: PathBuf,
    /// Tasks of every stage that can be split (lines, process, bands,
    /// write); at most the cluster's MaxArraySize. Default 1, or what DIR
    /// was first submitted with.
    #[arg(long, value_name = "N")]
    pub tasks: Option<usize>,
    /// Slurm partition (else the cluster's default).
    #[arg(long, value_parser = corpusforge::slurm::slurm_value)]
    pub partition: Option<String>,
    /// CPUs per task (Slurm's default: 1); the stage uses as many threads.
    #[arg(long, value_name = "K")]
    pub cpus_per_task: Option<u32>,
    /// Memory per task in Slurm's syntax, e.g. 4G (else the cluster's
    /// default).
    #[arg(long, value_name = "M", value_parser = corpusforge::slurm::slurm_value)]
    pub mem: Option<String>,
    /// Time limit per task in Slurm's syntax, e.g. 2:00:00.
    #[arg(long, value_name = "T", value_parser = corpusforge::slurm::slurm_value)]
    pub time: Option<String>,
    /// One stage's own setting, e.g. `process:tasks=64`, `cluster:mem=16G`,
    /// `write:time=1:00:00`; keys: tasks, cpus, mem, time (repeatable).
    #[arg(long = "stage", value_name = "STAGE:KEY=VALUE",
          value_parser = corpusforge::slurm::parse_stage_setting)]
    pub stage: Vec<corpusforge::slurm::StageSetting>,
    /// An extra `#SBATCH` option for every job, e.g. `--account=proj`
    /// (repeatable).
    #[arg(long = "sbatch-arg", value_name = "OPTION", allow_hyphen_values = true,
          value_parser = corpusforge::slurm::sbatch_arg)]
    pub sbatch_args: Vec<String>,
    /// Discard DIR's earlier state (stage outputs, markers, scripts,
    /// config) and start over, e.g. after changing the config.
    #[arg(long)]
    pub fresh: bool,
    /// The sbatch program.
    #[arg(long, env = "SBATCH", default_value = "sbatch")]
    pub sbatch: PathBuf,
}

#[derive(Debug, Args)]
pub struct SlurmStatusArgs {
    /// Work directory given to `corpusforge slurm submit`.
    #[arg(value_name = "DIR")]
    pub workdir: PathBuf,
    /// Poll until no task is queued or running, then print the summary.
    #[arg(long)]
    pub wait: bool,
    /// Seconds between polls with --wait.
    #[arg(long, default_value_t = 10.0, value_name = "SECS")]
    pub interval: f64,
}

#[cfg(feature = "dev-tools")]
#[derive(Debug, Args)]
pub struct NearDupArgs {
    /// Config whose [dedup.near] section to use (else the defaults).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    #[arg(long)]
    pub bands: Option<usize>,
    #[arg(long)]
    pub rows: Option<usize>,
    /// Minimum signature Jaccard of a linked pair, or `none`.
    #[arg(long)]
    pub verify: Option<String>,
    /// Folder for band partitions when they exceed the memory budget.
    #[arg(long)]
    pub spill_dir: Option<PathBuf>,
    /// Print `{"id","norm","kind"}`: the text the shingler sees.
    #[arg(long)]
    pub normalize: bool,
}

#[derive(Debug, Args)]
pub struct CleanStatsArgs {
    /// Config file (TOML).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Input file or folder; replaces the config's input.paths (repeatable).
    #[arg(long = "input", short)]
    pub inputs: Vec<PathBuf>,
    /// Also print the N lines each mechanism removed most often, per input
    /// folder.
    #[arg(long, default_value_t = 0)]
    pub examples: usize,
}

#[cfg(feature = "dev-tools")]
#[derive(Debug, Args)]
pub struct FilterCheckArgs {
    /// `published` (datatrove's English values), `multilingual` (our
    /// default) or a TOML file holding a [filter.quality] table's content.
    #[arg(long, default_value = "published")]
    pub config: String,
    /// Language for every document (else each object's `lang`).
    #[arg(long)]
    pub lang: Option<String>,
    /// `decisions` (per-filter keep/drop) or `words` (word, token and
    /// sentence counts).
    #[arg(long, default_value = "decisions")]
    pub mode: String,
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
    /// What an unreadable input file does: stop the build, or be left out
    /// and listed in the manifest; overrides input.on_bad_file.
    #[arg(long, value_parser = ["fail", "skip"])]
    pub on_bad_file: Option<String>,
    /// Keep the lines the clean stage removed from each kept document in
    /// the data shards' `removed_lines` column (for audit); sets
    /// clean.keep_removed_lines.
    #[arg(long)]
    pub keep_removed_lines: bool,
    /// Print no summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Reuse the finished tasks of an interrupted build found in the work
    /// directory (those whose config and input checksums still match);
    /// also keeps the work directory when the build fails.
    #[arg(long)]
    pub resume: bool,
    /// Work directory for intermediate files (default: `.<release>.work`
    /// beside the release folder; removed after a successful build unless
    /// given here). It must be new, empty, or one corpusforge made.
    #[arg(long)]
    pub workdir: Option<PathBuf>,
    /// Publish the release even when no document is kept (otherwise such a
    /// build fails with exit code 9 and leaves the previous release);
    /// sets output.allow_empty.
    #[arg(long)]
    pub allow_empty: bool,
}

#[derive(Debug, Args)]
pub struct StageArgs {
    /// Stage name: lines, process, bands, cluster, write or finalize.
    pub name: String,
    /// This task's index, 0-based.
    #[arg(long, default_value_t = 0)]
    pub task: usize,
    /// Tasks of this stage (cluster and finalize: 1).
    #[arg(long, default_value_t = 1)]
    pub tasks: usize,
    /// Work directory shared by every task of the build.
    #[arg(long)]
    pub workdir: PathBuf,
    /// Config file (TOML); the same for every task.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Worker threads (0 = one per core); overrides run.threads.
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
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

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Release folder (the one holding manifest.json).
    pub release: PathBuf,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Release folder (the one holding manifest.json).
    pub release: PathBuf,
    /// Print N documents of the language given with --lang (a
    /// deterministic sample spread over the language's shards).
    #[arg(long, value_name = "N", requires = "lang")]
    pub sample: Option<usize>,
    /// Language label for --sample, e.g. eng_Latn.
    #[arg(long, requires = "sample")]
    pub lang: Option<String>,
    /// Print every member of the near-duplicate cluster with this id (the
    /// kept document's id): the kept row and the rejected duplicates.
    #[arg(long, value_name = "ID", conflicts_with = "sample")]
    pub cluster: Option<String>,
    /// Characters of text to show per document.
    #[arg(long, default_value_t = 300)]
    pub chars: usize,
}
