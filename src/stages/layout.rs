//! The work directory's layout: every path a stage reads or writes, and
//! the formats of the work files, in one place.
//!
//! ```text
//! <workdir>/
//!   .corpusforge-workdir          marker: the folder is corpusforge's
//!   .corpusforge-lock             lock file (crate::safety)
//!   <stage>/task-IIIII-of-NNNNN.done
//!                                 completion marker of a task (its key)
//!   lines/file-FFFFFF.{counts,key}
//!                                 line-hash counts of one input file
//!   process/file-FFFFFF.spill.zst documents of one input file (spill format)
//!   process/file-FFFFFF.cands     dedup candidates of one input file
//!   process/file-FFFFFF.json      its statistics
//!   process/repeated.json         what the repeated-line mechanism removed
//!   bands/edges-IIIII-of-NNNNN.bin
//!                                 near-duplicate edges of a group of bands
//!   cluster/duplicate_ids.bin     ids seen twice
//!   cluster/decisions.bin         keep or drop, per candidate (decisions format)
//!   write/task-IIIII-of-NNNNN/    shards of a write task, and stats.json
//! ```
//!
//! Each format that can change within one tool version has a number in
//! [`FORMATS`]; they are part of every task's key (see
//! [`super::Work::open`]), so a work directory written in another format is
//! redone, not misread.

use std::path::{Path, PathBuf};

/// The versioned work-file formats, as (name, version): part of the key.
pub const FORMATS: &[(&str, u32)] = &[
    ("spill", crate::spill::FORMAT),
    ("decisions", super::dedup::DECISIONS_FORMAT),
];

/// The completion marker of task `task` of `tasks` of a stage.
pub fn marker(dir: &Path, stage: &str, task: usize, tasks: usize) -> PathBuf {
    dir.join(stage)
        .join(format!("task-{task:05}-of-{tasks:05}.done"))
}

/// The line-hash counts of input file `fi` (stage `lines`).
pub fn line_counts(dir: &Path, fi: usize) -> PathBuf {
    dir.join("lines").join(format!("file-{fi:06}.counts"))
}

/// The key the counts of input file `fi` were made with.
pub fn line_counts_key(dir: &Path, fi: usize) -> PathBuf {
    dir.join("lines").join(format!("file-{fi:06}.key"))
}

/// The documents of input file `fi` after the per-document steps.
pub fn spill(dir: &Path, fi: usize) -> PathBuf {
    dir.join("process").join(format!("file-{fi:06}.spill.zst"))
}

/// The dedup candidates of input file `fi`.
pub fn cands(dir: &Path, fi: usize) -> PathBuf {
    dir.join("process").join(format!("file-{fi:06}.cands"))
}

/// The statistics of input file `fi` (stage `process`).
pub fn file_stats(dir: &Path, fi: usize) -> PathBuf {
    dir.join("process").join(format!("file-{fi:06}.json"))
}

/// What the repeated-line mechanism removed, over all files.
pub fn repeated_info(dir: &Path) -> PathBuf {
    dir.join("process").join("repeated.json")
}

/// The near-duplicate edges of task `task` of `tasks` of stage `bands`.
pub fn edges(dir: &Path, task: usize, tasks: usize) -> PathBuf {
    dir.join("bands")
        .join(format!("edges-{task:05}-of-{tasks:05}.bin"))
}

/// The ids seen more than once (stage `cluster`).
pub fn duplicate_ids(dir: &Path) -> PathBuf {
    dir.join("cluster").join("duplicate_ids.bin")
}

/// The keep-or-drop decision of every candidate (stage `cluster`).
pub fn decisions(dir: &Path) -> PathBuf {
    dir.join("cluster").join("decisions.bin")
}

/// The folder of task `task` of `tasks` of stage `write`.
pub fn write_task(dir: &Path, task: usize, tasks: usize) -> PathBuf {
    dir.join("write")
        .join(format!("task-{task:05}-of-{tasks:05}"))
}

/// The statistics of a write task.
pub fn write_stats(dir: &Path, task: usize, tasks: usize) -> PathBuf {
    write_task(dir, task, tasks).join("stats.json")
}
