//! File-system helpers of the whole crate: atomic writes (a reader sees the
//! old file, no file, or the whole new one), the temporary sibling folder a
//! release is assembled in, the final rename that publishes it, and the
//! portable form of a path that outputs may record.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::safety;

/// Write `bytes` to `path` through a temporary sibling and a rename, so a
/// reader sees the old file, no file, or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = partial_path(path);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// The temporary name an output is written under before its rename.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
}

/// A fresh folder beside `out` (same filesystem, so the final rename is
/// atomic), marked as ours ([`safety::RELEASE_MARKER`]) from the start so
/// that a later build may sweep it if this one is killed.
pub fn temp_sibling(out: &Path, tag: &str) -> Result<PathBuf> {
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
pub fn publish(tmp: &Path, out: &Path, overwrite: bool) -> Result<()> {
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
