//! What a local build has done so far, for the one line printed when it is
//! interrupted (Ctrl-C, SIGTERM): the stages that finished, the one that
//! was running, the work directory, and the exact command that resumes.
//!
//! The state is process-wide (one local build per process) and only read by
//! the binary's signal handler; it never reaches an output file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Default)]
struct State {
    workdir: PathBuf,
    /// Whether the work directory was given (`--workdir`), so it is kept.
    explicit: bool,
    finished: Vec<&'static str>,
    running: Option<&'static str>,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

fn with(f: impl FnOnce(&mut State)) {
    if let Ok(mut g) = STATE.lock()
        && let Some(s) = g.as_mut()
    {
        f(s);
    }
}

/// A local build started, with its work directory.
pub(crate) fn started(workdir: &Path, explicit: bool) {
    if let Ok(mut g) = STATE.lock() {
        *g = Some(State {
            workdir: workdir.to_path_buf(),
            explicit,
            ..State::default()
        });
    }
}

pub(crate) fn stage_started(stage: &'static str) {
    with(|s| s.running = Some(stage));
}

pub(crate) fn stage_finished(stage: &'static str) {
    with(|s| {
        s.running = None;
        s.finished.push(stage);
    });
}

/// The build ended (finished or failed): nothing to report any more.
pub(crate) fn ended() {
    if let Ok(mut g) = STATE.lock() {
        *g = None;
    }
}

/// The line to print when the build is interrupted now, given the command
/// that resumes it; `None` when no local build is running (the interrupt
/// came before the work directory was set up, or after the build ended).
pub fn status_line(resume_command: &str) -> Option<String> {
    // try_lock: a signal must not wait for a thread that holds the lock.
    let g = STATE.try_lock().ok()?;
    let s = g.as_ref()?;
    let finished = if s.finished.is_empty() {
        "no stage had finished".to_string()
    } else {
        format!("finished stages: {}", s.finished.join(", "))
    };
    let running = s
        .running
        .map(|r| format!(" (interrupted in `{r}`)"))
        .unwrap_or_default();
    let kept = if s.explicit {
        ""
    } else {
        " (kept until the next build)"
    };
    Some(format!(
        "interrupted: {finished}{running}; work directory: {}{kept}; resume with: {resume_command}",
        s.workdir.display()
    ))
}
