//! The build as a fixed sequence of stages, each split into independent
//! tasks that read and write files under one work directory.
//!
//! (Being built: see `pipeline.rs` for the in-process build of today.)

use std::path::{Path, PathBuf};

/// The stages in the order they run, and whether a stage can be split into
/// more than one task.
pub const STAGES: &[(&str, bool)] = &[
    ("lines", true),
    ("process", true),
    ("bands", true),
    ("cluster", false),
    ("write", true),
    ("finalize", false),
];

/// The completion marker of task `task` of `tasks` of a stage. A task writes
/// it last, after all of its outputs were renamed into place.
pub fn marker_path(workdir: &Path, stage: &str, task: usize, tasks: usize) -> PathBuf {
    workdir
        .join(stage)
        .join(format!("task-{task:05}-of-{tasks:05}.done"))
}
