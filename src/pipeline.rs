//! The local build: runs every stage of [`crate::stages`] in-process on a
//! thread pool of `run.threads` threads, and the helpers shared by the
//! stages (temporary release folders, the final rename, progress bars).
//!
//! Guarantees: input = kept + rejected, with one reason per rejected
//! document; the output depends only on the input bytes and the config,
//! not on the thread count or the number of tasks per stage (all merges
//! are in input order; no hash-map order, time or absolute path reaches an
//! output file); the release is built in a temporary sibling folder and
//! renamed into place only when complete, so a failed run leaves any
//! previous release untouched.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::LoadedConfig;
use crate::error::{Error, Result};
use crate::manifest::Counts;
use crate::safety;

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

/// User + system CPU seconds used so far by this process (all threads).
pub fn process_cpu_seconds() -> Option<f64> {
    #[cfg(unix)]
    {
        let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is valid.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) };
        if rc != 0 {
            return None;
        }
        // SAFETY: initialized by the successful call above.
        let ru = unsafe { ru.assume_init() };
        let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        Some(t(ru.ru_utime) + t(ru.ru_stime))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Options of a build that are not part of the config.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Show progress bars (they are hidden anyway when stderr is no TTY).
    pub progress: bool,
    /// Reuse the finished tasks of an interrupted build (`--resume`).
    pub resume: bool,
    /// Work directory (default: `.<release>.work` beside the release).
    pub workdir: Option<PathBuf>,
}

/// Build a release from a loaded (and overridden) config. The config is
/// validated, and the output and work folders checked
/// ([`crate::safety`]), before anything is written.
pub fn build(loaded: &LoadedConfig, opts: &BuildOptions) -> Result<Summary> {
    let cfg = &loaded.config;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.run.threads)
        .build()
        .map_err(|e| Error::Config {
            path: loaded.path.clone(),
            line: None,
            message: format!("cannot start {} threads: {e}", cfg.run.threads),
        })?;
    let local = crate::stages::LocalOptions {
        progress: opts.progress,
        resume: opts.resume,
        workdir: opts.workdir.clone(),
    };
    pool.install(|| crate::stages::build_local(loaded.clone(), &local))
}

/// A fresh folder beside `out` (same filesystem, so the final rename is
/// atomic), marked as ours ([`safety::RELEASE_MARKER`]) from the start so
/// that a later build may sweep it if this one is killed.
pub(crate) fn temp_sibling(out: &Path, tag: &str) -> Result<PathBuf> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "release".into());
    sweep_stale(parent, &format!(".{name}.{tag}-"));
    let tmp = parent.join(format!(".{name}.{tag}-{}", std::process::id()));
    if tmp.exists() {
        safety::remove_owned(&tmp)?;
    }
    std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
    safety::mark_release(&tmp)?;
    Ok(tmp)
}

/// Remove folders `<prefix><pid>` in `parent` left by builds that were
/// killed (their process is gone) and that carry our marker. Linux only (it
/// asks `/proc`); elsewhere they stay, hidden, and are never part of a
/// release.
fn sweep_stale(parent: &Path, prefix: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = safety::remove_owned(&e.path());
        }
    }
}

/// Move the finished release into place, replacing an old one: only a
/// release of ours ([`safety::is_release`]) or an empty folder is ever
/// replaced (checked again here, under the build's lock).
pub(crate) fn publish(tmp: &Path, out: &Path, overwrite: bool) -> Result<()> {
    safety::check_output(out, overwrite)?;
    if out.is_dir() && !safety::is_release(out) {
        // Empty (check_output allows nothing else): remove_dir fails on
        // anything that appeared since.
        std::fs::remove_dir(out).map_err(|e| Error::io(out, e))?;
    }
    if out.exists() {
        let old = temp_sibling(out, "old")?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        std::fs::rename(tmp, out).map_err(|e| Error::io(out, e))?;
        safety::remove_owned(&old)?;
    } else {
        std::fs::rename(tmp, out).map_err(|e| Error::io(out, e))?;
    }
    Ok(())
}

pub(crate) fn progress_bar(enabled: bool, len: u64, what: &'static str) -> ProgressBar {
    let bar = if enabled {
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>8} [{bar:40}] {percent:>3}% {elapsed_precise} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(what);
    bar
}

/// A path as written into outputs: relative paths as given, absolute ones
/// reduced to their file name (no machine paths in a release).
pub fn portable_path(p: &Path) -> String {
    if p.is_absolute() {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        p.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}
