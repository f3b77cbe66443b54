//! The build as a fixed sequence of stages, each split into independent
//! tasks that read and write files under one work directory.
//!
//! | stage      | tasks | reads                          | writes (under the work dir)            |
//! |------------|-------|--------------------------------|----------------------------------------|
//! | `lines`    | n     | its input files                | `lines/` line-hash counts per file     |
//! | `process`  | n     | its input files, `lines/`      | `process/file-N.{spill.zst,cands,json}`|
//! | `bands`    | n     | `process/*.cands`              | `bands/edges-i-of-n.bin`               |
//! | `cluster`  | 1     | `process/*.cands`, `bands/`    | `cluster/decisions.bin`                |
//! | `write`    | n     | `process/`, `cluster/`         | `write/task-i-of-n/` shards + stats    |
//! | `finalize` | 1     | `process/*.json`, `write/`     | the release, in `output.dir`           |
//!
//! Task `i` of `n` of `process` and `lines` takes the input files whose index
//! is `i` mod `n`; of `bands`, the LSH bands `i` mod `n`; of `write`, the
//! output groups (one (language, split) pair, or the rejected documents)
//! whose name hashes to `i` mod `n`. Every output of a task depends only on
//! the config and the input bytes, never on `n` or the thread count, so a
//! build through tasks is byte-identical to [`build_local`] (which runs the
//! same functions in-process).
//!
//! Completion: a task writes each output under a temporary name and renames
//! it into place, then writes its marker `<stage>/task-i-of-n.done` last.
//! A marker holds a key: the sha256 of the effective config (plus the
//! rules file, the langid model, the tool version and the formats of the
//! work files, [`crate::spill::FORMAT`] and `DECISIONS_FORMAT`, listed in [`layout::FORMATS`])
//! and of everything upstream (each input
//! file's sha256 for `process`; all `process` keys for the later stages).
//! A task whose marker holds the current key is skipped, so a rerun
//! (`build --resume`, or a resubmitted Slurm array) reuses finished work
//! and redoes only what a changed config or input invalidated. Temporary
//! files never become part of a release: `finalize` assembles the release
//! in a fresh folder beside `output.dir` and renames it into place.

mod dedup;
mod finalize;
pub mod interrupt;
pub mod layout;
mod process;
mod write;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::LoadedConfig;
use crate::error::{Error, Result};
use crate::manifest::Counts;
use crate::manifest::sha256_hex;
use crate::read::{self, Ignored, InputFile};
use crate::safety;
pub(crate) use crate::util::fs::{partial_path, write_atomic};

/// A stage of a build: the work-directory tasks, in the order they run.
/// Their names (`as_str`) are what `corpusforge stage NAME`, the Slurm job
/// names and the work directory's folders use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StageName {
    Lines,
    Process,
    Bands,
    Cluster,
    Write,
    Finalize,
}

impl StageName {
    /// Every stage, in the order they run.
    pub const ALL: [StageName; 6] = [
        StageName::Lines,
        StageName::Process,
        StageName::Bands,
        StageName::Cluster,
        StageName::Write,
        StageName::Finalize,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Lines => "lines",
            StageName::Process => "process",
            StageName::Bands => "bands",
            StageName::Cluster => "cluster",
            StageName::Write => "write",
            StageName::Finalize => "finalize",
        }
    }

    /// Whether the stage can be split into more than one task.
    pub fn splittable(self) -> bool {
        !matches!(self, StageName::Cluster | StageName::Finalize)
    }

    /// The stage of this name, or a usage error listing the names.
    pub fn parse(name: &str) -> Result<StageName> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
                Error::usage(format!(
                    "unknown stage `{name}`; the stages are {}",
                    names.join(", ")
                ))
            })
    }
}

impl std::fmt::Display for StageName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The completion marker of task `task` of `tasks` of a stage. A task writes
/// it last, after all of its outputs were renamed into place.
pub fn marker_path(workdir: &Path, stage: &str, task: usize, tasks: usize) -> PathBuf {
    layout::marker(workdir, stage, task, tasks)
}

/// What every task knows: the work directory, the config, the input files
/// (discovered the same way by every task) and the config's key.
pub struct Work {
    pub dir: PathBuf,
    pub loaded: LoadedConfig,
    pub files: Vec<InputFile>,
    pub ignored: Vec<Ignored>,
    /// sha256 of everything in the config (and the files it names) that can
    /// change an output byte.
    pub config_key: String,
    pub progress: bool,
    /// Whether this process holds the output's exclusive lock (a local
    /// build); a `finalize` task takes it itself otherwise.
    holds_output_lock: bool,
    /// The locks held while this work is open (released on drop).
    _locks: Vec<safety::Lock>,
}

#[derive(Serialize, Deserialize)]
struct Marker {
    stage: String,
    task: usize,
    tasks: usize,
    key: String,
}

/// Everything checked before a build or task writes a byte: the config's
/// values, and that the output and work folders are corpusforge's to write
/// (not an input, not inside one, not a folder of the user's; see
/// [`crate::safety`]).
pub fn preflight(loaded: &LoadedConfig, dir: &Path) -> Result<()> {
    let cfg = &loaded.config;
    cfg.validate(&loaded.path)?;
    safety::check_overlap(&cfg.input.paths, &cfg.output.dir, Some(dir))?;
    safety::check_output(&cfg.output.dir, cfg.output.overwrite)?;
    safety::check_workdir(dir)?;
    if cfg.clean.rules {
        crate::clean::rules_text(cfg.clean.rules_file.as_deref())?;
    }
    crate::langid::check_config(&cfg.langid, &cfg.filter.quality, &loaded.path)?;
    Ok(())
}

impl Work {
    /// Open the work directory for one task of a stage (`corpusforge
    /// stage`, a cluster job): check everything ([`preflight`]), create the
    /// directory with its marker, and share its lock with the other tasks
    /// (a build holding it exclusively refuses them, and they it).
    pub fn open(loaded: LoadedConfig, dir: &Path, progress: bool) -> Result<Work> {
        preflight(&loaded, dir)?;
        safety::create_workdir(dir)?;
        let lock = safety::Lock::shared(&dir.join(safety::WORKDIR_LOCK), dir)?;
        Self::open_checked(loaded, dir, progress, vec![lock], false)
    }

    /// Discover the inputs and compute the config key, once [`preflight`]
    /// passed, the directory exists and `locks` are held.
    fn open_checked(
        loaded: LoadedConfig,
        dir: &Path,
        progress: bool,
        locks: Vec<safety::Lock>,
        holds_output_lock: bool,
    ) -> Result<Work> {
        let cfg = &loaded.config;
        let (files, ignored) = read::discover(&cfg.input.paths)?;
        if files.is_empty() {
            return Err(Error::input(
                &cfg.input.paths[0],
                None,
                "no input files found (expected .jsonl, .csv, .tsv, .parquet or .txt, optionally .gz/.zst)",
            ));
        }
        // The effective config, minus what cannot change an output byte.
        let mut neutral = cfg.clone();
        neutral.run.threads = 0;
        neutral.output.dir = PathBuf::new();
        neutral.output.overwrite = false;
        neutral.output.allow_empty = false;
        let mut key_src = serde_json::to_string(&neutral).expect("config serializes");
        key_src.push_str(&loaded.text);
        key_src.push_str(env!("CARGO_PKG_VERSION"));
        // The formats of the work files, which can change within one
        // version: a work directory written in another is redone.
        for (name, version) in layout::FORMATS {
            key_src.push_str(&format!("\n{name} format {version}"));
        }
        if cfg.clean.rules
            && let Ok(text) = crate::clean::rules_text(cfg.clean.rules_file.as_deref())
        {
            key_src.push_str(&sha256_hex(text.as_bytes()));
        }
        if let Some(m) = &cfg.langid.model
            && let Ok((sha, _)) = crate::write::sha256_file(m)
        {
            key_src.push_str(&sha);
        }
        Ok(Work {
            dir: dir.to_path_buf(),
            config_key: sha256_hex(key_src.as_bytes()),
            loaded,
            files,
            ignored,
            progress,
            holds_output_lock,
            _locks: locks,
        })
    }

    pub fn stage_dir(&self, stage: &str) -> Result<PathBuf> {
        let d = self.dir.join(stage);
        std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
        Ok(d)
    }

    fn marker_key(&self, stage: &str, task: usize, tasks: usize) -> Option<String> {
        let path = marker_path(&self.dir, stage, task, tasks);
        let text = std::fs::read_to_string(path).ok()?;
        let m: Marker = serde_json::from_str(&text).ok()?;
        Some(m.key)
    }

    /// Whether task `task` of `tasks` finished with `key`.
    pub fn is_done(&self, stage: &str, task: usize, tasks: usize, key: &str) -> bool {
        self.marker_key(stage, task, tasks).as_deref() == Some(key)
    }

    /// Write the marker of a finished task (atomically).
    pub fn mark_done(&self, stage: &str, task: usize, tasks: usize, key: &str) -> Result<()> {
        let m = Marker {
            stage: stage.into(),
            task,
            tasks,
            key: key.into(),
        };
        let text = serde_json::to_string(&m).expect("marker serializes") + "\n";
        write_atomic(&marker_path(&self.dir, stage, task, tasks), text.as_bytes())
    }

    /// The task count `n` of a complete run of `stage` with `key` (every
    /// task `0..n` marked done with it), if there is one.
    pub fn complete_run(&self, stage: &str, key: &str) -> Option<usize> {
        let dir = self.dir.join(stage);
        let mut counts: Vec<usize> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let rest = name.strip_prefix("task-")?.strip_suffix(".done")?;
                let (_, n) = rest.split_once("-of-")?;
                n.parse::<usize>().ok()
            })
            .collect();
        counts.sort_unstable();
        counts.dedup();
        counts
            .into_iter()
            .find(|&n| (0..n).all(|i| self.is_done(stage, i, n, key)))
    }
}

/// sha256 over a list of keys.
pub(crate) fn chain_key<'a>(tag: &str, parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut s = String::from(tag);
    for p in parts {
        s.push('\n');
        s.push_str(p);
    }
    sha256_hex(s.as_bytes())
}

/// Run one task of one stage.
pub fn run_task(work: &Work, stage: StageName, task: usize, tasks: usize) -> Result<()> {
    let bad = Error::usage;
    if tasks == 0 || task >= tasks {
        return Err(bad(format!(
            "task {task} of {tasks}: --task must be below --tasks, and --tasks at least 1"
        )));
    }
    if !stage.splittable() && tasks != 1 {
        return Err(bad(format!(
            "stage `{stage}` runs as one task: use --task 0 --tasks 1"
        )));
    }
    match stage {
        StageName::Lines => process::lines_task(work, task, tasks),
        StageName::Process => process::process_task(work, task, tasks),
        StageName::Bands => dedup::bands_task(work, task, tasks),
        StageName::Cluster => dedup::cluster_task(work),
        StageName::Write => write::write_task(work, task, tasks),
        StageName::Finalize => finalize::finalize_task(work).map(|_| ()),
    }
}

/// What a build produced, for the summary table.
#[derive(Debug)]
pub struct Summary {
    pub release: PathBuf,
    pub counts: Counts,
    pub shards: usize,
    /// Wall and CPU seconds of each stage of a local build, in order (empty
    /// when the stages ran as separate tasks). Printed, never written into
    /// the release, which stays byte-identical from run to run.
    pub stage_seconds: Vec<StageTime>,
}

/// How long one stage of a local build took.
#[derive(Clone, Debug, Default)]
pub struct StageTime {
    pub stage: &'static str,
    pub wall_s: f64,
    /// User + system CPU of the whole process (all threads) during the stage;
    /// `None` where the platform does not report it.
    pub cpu_s: Option<f64>,
}

/// Options of a build that are not part of the config.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Show progress bars (they are hidden anyway when stderr is no TTY).
    pub progress: bool,
    /// Reuse the finished tasks of an interrupted build (`--resume`).
    pub resume: bool,
    /// Work directory; by default `.<release name>.work` beside the release.
    pub workdir: Option<PathBuf>,
}

/// Build a release from a loaded (and overridden) config on a thread pool
/// of `run.threads` threads: every stage in-process ([`build_local`]).
pub fn build(loaded: &LoadedConfig, opts: &BuildOptions) -> Result<Summary> {
    let pool = thread_pool(loaded.config.run.threads)?;
    pool.install(|| build_local(loaded.clone(), opts))
}

/// A rayon pool of `threads` threads (0: one per core).
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::System {
            message: format!("cannot start {threads} threads: {e}"),
        })
}

/// The default work directory of a local build: a hidden sibling of the
/// release folder (same filesystem, so finalize can hard-link shards).
pub fn default_workdir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "release".into());
    out.with_file_name(format!(".{name}.work"))
}

/// Run every stage in-process, one task per stage (each task uses all
/// threads of the current rayon pool). Before anything is written, the
/// config and the folders are checked ([`preflight`]); the build then holds
/// the exclusive locks of its output and its work directory until it ends.
pub fn build_local(loaded: LoadedConfig, opts: &BuildOptions) -> Result<Summary> {
    let out = loaded.config.output.dir.clone();
    let explicit = opts.workdir.is_some();
    let dir = opts
        .workdir
        .clone()
        .unwrap_or_else(|| default_workdir(&out));
    preflight(&loaded, &dir)?;
    let out_lock = safety::Lock::exclusive(&safety::output_lock_path(&out), &out)?;
    // The work directory's lock file lives inside it: take the lock before
    // emptying a previous build's directory, so that a build or task still
    // using it is refused rather than disturbed.
    if safety::is_workdir(&dir) && !opts.resume {
        let probe = safety::Lock::exclusive(&dir.join(safety::WORKDIR_LOCK), &dir)?;
        drop(probe);
        safety::remove_owned(&dir)?;
    }
    safety::create_workdir(&dir)?;
    let dir_lock = safety::Lock::exclusive(&dir.join(safety::WORKDIR_LOCK), &dir)?;
    interrupt::started(&dir, explicit);
    let work = Work::open_checked(loaded, &dir, opts.progress, vec![out_lock, dir_lock], true)?;
    let mut times = Vec::new();
    let mut timed = |stage: &'static str, f: &mut dyn FnMut() -> Result<()>| {
        let (t0, c0) = (
            std::time::Instant::now(),
            crate::util::cpu::process_cpu_seconds(),
        );
        interrupt::stage_started(stage);
        let r = f();
        if r.is_ok() {
            interrupt::stage_finished(stage);
        }
        times.push(StageTime {
            stage,
            wall_s: t0.elapsed().as_secs_f64(),
            cpu_s: c0
                .zip(crate::util::cpu::process_cpu_seconds())
                .map(|(a, b)| b - a),
        });
        r
    };
    let result = (|| {
        for stage in StageName::ALL
            .into_iter()
            .filter(|s| *s != StageName::Finalize)
        {
            timed(stage.as_str(), &mut || run_task(&work, stage, 0, 1))?;
        }
        let mut summary = None;
        timed("finalize", &mut || {
            summary = Some(finalize::finalize_task(&work)?);
            Ok(())
        })?;
        Ok(summary.expect("finalize returned a summary"))
    })()
    .map(|s: Summary| Summary {
        stage_seconds: times,
        ..s
    });
    interrupt::ended();
    match &result {
        Ok(_) if !explicit => {
            safety::remove_owned(&dir)?;
        }
        Err(_) if !explicit && !opts.resume => {
            let _ = safety::remove_owned(&dir);
        }
        _ => {}
    }
    drop(work);
    result
}
