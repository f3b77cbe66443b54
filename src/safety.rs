//! The user's files are not ours: corpusforge deletes or replaces only
//! folders it made, never an input, and one build at a time writes an
//! output or a work directory.
//!
//! Guarantees:
//! - **Ownership.** A release folder is ours when it holds `manifest.json`
//!   and the marker [`RELEASE_MARKER`]; a work directory when it holds
//!   [`WORKDIR_MARKER`], written when corpusforge creates it. An existing
//!   output or work directory that is neither missing, empty nor ours is
//!   refused ([`check_output`], [`check_workdir`]) before anything is
//!   written, whatever `output.overwrite` says; so is an output path that is
//!   a file. Every removal of a folder goes through [`remove_owned`], which
//!   checks the marker first.
//! - **No overlap.** An output or work directory equal to, inside, or
//!   containing an input path, or one inside the other, is refused
//!   ([`check_overlap`]): a build never reads its own release or deletes
//!   its inputs.
//! - **A lock.** [`Lock`] is an OS advisory lock (`flock`), released by the
//!   kernel when the process dies, so `kill -9` leaves no stale lock. A
//!   build holds it exclusively on its output and its work directory; the
//!   tasks of a stage share the work directory's lock, so they run side by
//!   side but never beside a build. A second holder is refused at once with
//!   [`Error::Busy`] (exit 8), naming the pid of the first.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// File in every release folder corpusforge writes; with `manifest.json`
/// it marks the folder as one that a later build may replace.
pub const RELEASE_MARKER: &str = ".corpusforge-release";
/// File in every work directory corpusforge creates; it marks the folder as
/// one that corpusforge may empty or remove.
pub const WORKDIR_MARKER: &str = ".corpusforge-workdir";
/// The lock file inside a work directory.
pub const WORKDIR_LOCK: &str = ".corpusforge-lock";

const RELEASE_MARKER_TEXT: &str =
    "This folder is a dataset release written by corpusforge; a later build may replace it.\n";
const WORKDIR_MARKER_TEXT: &str =
    "This folder is a corpusforge work directory; corpusforge may empty or remove it.\n";

/// Whether `dir` is a release corpusforge wrote (marker and manifest).
pub fn is_release(dir: &Path) -> bool {
    dir.join(RELEASE_MARKER).is_file() && dir.join("manifest.json").is_file()
}

/// Whether `dir` is a work directory corpusforge created.
pub fn is_workdir(dir: &Path) -> bool {
    dir.join(WORKDIR_MARKER).is_file()
}

/// Write the release marker into a release being assembled.
pub fn mark_release(dir: &Path) -> Result<()> {
    let p = dir.join(RELEASE_MARKER);
    std::fs::write(&p, RELEASE_MARKER_TEXT).map_err(|e| Error::io(&p, e))
}

/// What is at a path corpusforge is about to write.
enum Found {
    Nothing,
    EmptyDir,
    Dir,
    NotADir,
}

fn look(path: &Path) -> Result<Found> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Found::Nothing),
        Err(e) => Err(Error::io(path, e)),
        Ok(m) if !m.is_dir() => Ok(Found::NotADir),
        Ok(_) => {
            let mut entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
            Ok(if entries.next().is_none() {
                Found::EmptyDir
            } else {
                Found::Dir
            })
        }
    }
}

/// Refuse an output path that corpusforge may not write: a file, or a
/// folder with content that is not one of its releases (or any release,
/// with `output.overwrite = false`). A missing path or an empty folder is
/// fine.
pub fn check_output(out: &Path, overwrite: bool) -> Result<()> {
    match look(out)? {
        Found::Nothing | Found::EmptyDir => Ok(()),
        Found::NotADir => Err(Error::config(
            out,
            "the output path is a file, not a folder: choose a folder for the release \
             (--output or output.dir); the file was left as it is",
        )),
        Found::Dir if is_release(out) => {
            if overwrite {
                Ok(())
            } else {
                Err(Error::config(
                    out,
                    "a release is already there and output.overwrite = false: \
                     choose another --output, or set output.overwrite = true to replace it",
                ))
            }
        }
        Found::Dir => Err(Error::config(
            out,
            format!(
                "the output folder exists and is not a corpusforge release (it has no {RELEASE_MARKER} \
                 and manifest.json), so corpusforge will not replace it: choose a new or empty \
                 folder for --output (or output.dir); nothing was written"
            ),
        )),
    }
}

/// Refuse a work directory that corpusforge may not use: a file, or a
/// folder with content that corpusforge did not create.
pub fn check_workdir(dir: &Path) -> Result<()> {
    match look(dir)? {
        Found::Nothing | Found::EmptyDir => Ok(()),
        Found::Dir if is_workdir(dir) => Ok(()),
        Found::NotADir => Err(Error::config(
            dir,
            "the work directory path is a file: choose a new or empty folder for --workdir",
        )),
        Found::Dir => Err(Error::config(
            dir,
            format!(
                "the work directory exists and was not made by corpusforge (it has no \
                 {WORKDIR_MARKER}), so corpusforge will not write into it or empty it: choose \
                 a new or empty folder for --workdir; nothing was written"
            ),
        )),
    }
}

/// Create a work directory (after [`check_workdir`]) and mark it as ours.
pub fn create_workdir(dir: &Path) -> Result<()> {
    check_workdir(dir)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let marker = dir.join(WORKDIR_MARKER);
    if !marker.is_file() {
        std::fs::write(&marker, WORKDIR_MARKER_TEXT).map_err(|e| Error::io(&marker, e))?;
    }
    Ok(())
}

/// Remove a folder corpusforge made: a work directory or a release (each
/// recognised by its marker). Anything else is an error and stays.
pub fn remove_owned(dir: &Path) -> Result<()> {
    if !(is_workdir(dir) || is_release(dir)) {
        return Err(Error::output(
            dir,
            "not removed: it carries no corpusforge marker, so it is not ours to delete",
        ));
    }
    std::fs::remove_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// `path` made absolute and free of `.`/`..` and symlinks as far as it
/// exists; the rest (not created yet) is appended lexically.
fn resolve(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    // Longest existing prefix, canonicalized; then the remaining components.
    let mut existing = abs.clone();
    let mut rest: Vec<PathBuf> = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                push_lexical(&mut out, part);
            }
            return out;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(PathBuf::from(name));
                existing = parent.to_path_buf();
            }
            _ => {
                // `..` at the end or nothing exists: fold lexically.
                let mut out = PathBuf::new();
                for c in abs.components() {
                    push_lexical(&mut out, Path::new(c.as_os_str()));
                }
                return out;
            }
        }
    }
}

fn push_lexical(out: &mut PathBuf, part: &Path) {
    for c in part.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
}

/// Refuse an output or work directory that is, contains or lies inside an
/// input path, and an output and work directory inside one another.
pub fn check_overlap(inputs: &[PathBuf], out: &Path, workdir: Option<&Path>) -> Result<()> {
    let out_r = resolve(out);
    let work_r = workdir.map(resolve);
    for input in inputs {
        let in_r = resolve(input);
        let mut places = vec![("output folder", out, &out_r)];
        if let (Some(w), Some(wr)) = (workdir, work_r.as_ref()) {
            places.push(("work directory", w, wr));
        }
        for (what, given, r) in places {
            let relation = if *r == in_r {
                Some("is the input path")
            } else if r.starts_with(&in_r) {
                Some("is inside the input path")
            } else if in_r.starts_with(r) {
                Some("contains the input path")
            } else {
                None
            };
            if let Some(rel) = relation {
                return Err(Error::config(
                    given,
                    format!(
                        "the {what} {rel} {}: a build must not read its own output or \
                         replace its inputs; choose a folder outside every input",
                        input.display()
                    ),
                ));
            }
        }
    }
    if let (Some(w), Some(wr)) = (workdir, work_r.as_ref())
        && (*wr == out_r || wr.starts_with(&out_r) || out_r.starts_with(wr))
    {
        return Err(Error::config(
            w,
            format!(
                "the work directory and the output folder {} must be apart (neither inside \
                 the other): the release replaces its folder and the work directory is removed",
                out.display()
            ),
        ));
    }
    Ok(())
}

/// The lock file of a release folder: a hidden sibling, so that it outlives
/// the rename that puts a new release in place.
pub fn output_lock_path(out: &Path) -> PathBuf {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "release".into());
    parent.join(format!(".{name}.lock"))
}

/// An advisory lock held until dropped. An exclusive lock's file holds the
/// holder's pid and is removed on drop.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
    exclusive: bool,
}

impl Lock {
    /// Take the exclusive lock at `lock_path` for writing `what`, or fail at
    /// once with [`Error::Busy`].
    pub fn exclusive(lock_path: &Path, what: &Path) -> Result<Lock> {
        Self::take(lock_path, what, true)
    }

    /// Take a shared lock (stage tasks of one build run side by side).
    pub fn shared(lock_path: &Path, what: &Path) -> Result<Lock> {
        Self::take(lock_path, what, false)
    }

    fn take(lock_path: &Path, what: &Path, exclusive: bool) -> Result<Lock> {
        if let Some(parent) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        // The file may be removed by its holder between our open and our
        // lock; then we hold a lock on a file nobody else can find, so
        // check that the path still names the locked file, else retry.
        for _ in 0..100 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(lock_path)
                .map_err(|e| Error::io(lock_path, e))?;
            let got = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match got {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(Error::Busy {
                        path: what.to_path_buf(),
                        pid: text.trim().parse().ok(),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(lock_path, e)),
            }
            if !same_file(&file, lock_path) {
                continue;
            }
            if exclusive {
                file.set_len(0).map_err(|e| Error::io(lock_path, e))?;
                writeln!(file, "{}", std::process::id()).map_err(|e| Error::io(lock_path, e))?;
            }
            return Ok(Lock {
                file,
                path: lock_path.to_path_buf(),
                exclusive,
            });
        }
        Err(Error::Busy {
            path: what.to_path_buf(),
            pid: None,
        })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove the file while still holding the lock; a process that
        // opened it meanwhile sees the path gone and retries.
        if self.exclusive && same_file(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_checks() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("rel");
        check_output(&out, true).unwrap();
        std::fs::create_dir(&out).unwrap();
        check_output(&out, true).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let e = check_output(&out, true).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("not a corpusforge release"), "{e}");
        std::fs::write(out.join("manifest.json"), "{}").unwrap();
        assert!(
            check_output(&out, true).is_err(),
            "a manifest alone is not enough"
        );
        mark_release(&out).unwrap();
        check_output(&out, true).unwrap();
        assert!(check_output(&out, false).is_err());
        let file = t.path().join("afile.txt");
        std::fs::write(&file, "x").unwrap();
        assert!(
            check_output(&file, true)
                .unwrap_err()
                .to_string()
                .contains("is a file")
        );
    }

    #[test]
    fn workdir_checks_and_removal() {
        let t = tempfile::tempdir().unwrap();
        let w = t.path().join("scratch");
        std::fs::create_dir(&w).unwrap();
        std::fs::write(w.join("keep.txt"), "mine").unwrap();
        assert!(check_workdir(&w).is_err());
        assert!(create_workdir(&w).is_err());
        assert!(remove_owned(&w).is_err());
        assert_eq!(std::fs::read(w.join("keep.txt")).unwrap(), b"mine");
        let w2 = t.path().join("w2");
        create_workdir(&w2).unwrap();
        assert!(is_workdir(&w2));
        create_workdir(&w2).unwrap();
        remove_owned(&w2).unwrap();
        assert!(!w2.exists());
    }

    #[test]
    fn overlap_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let input = t.path().join("in");
        std::fs::create_dir(&input).unwrap();
        let ins = [input.clone()];
        assert!(check_overlap(&ins, &input, None).is_err());
        assert!(check_overlap(&ins, &input.join("out"), None).is_err());
        assert!(check_overlap(&ins, t.path(), None).is_err());
        assert!(check_overlap(&ins, &t.path().join("in/../in/x"), None).is_err());
        check_overlap(&ins, &t.path().join("rel"), None).unwrap();
        check_overlap(&ins, &t.path().join("inside"), None).unwrap();
        let rel = t.path().join("rel");
        assert!(check_overlap(&ins, &rel, Some(&input)).is_err());
        assert!(check_overlap(&ins, &rel, Some(&rel.join("w"))).is_err());
        assert!(check_overlap(&ins, &rel, Some(t.path())).is_err());
        check_overlap(&ins, &rel, Some(&t.path().join(".rel.work"))).unwrap();
    }

    #[test]
    fn a_second_lock_is_refused_with_the_pid() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join(".rel.lock");
        let out = t.path().join("rel");
        let a = Lock::exclusive(&p, &out).unwrap();
        let e = Lock::exclusive(&p, &out).unwrap_err();
        assert_eq!(e.exit_code(), 8);
        let pid = std::process::id();
        assert!(
            e.to_string().contains(&format!("(pid {pid}) is writing")),
            "{e}"
        );
        assert!(Lock::shared(&p, &out).is_err());
        drop(a);
        assert!(!p.exists(), "an exclusive lock removes its file");
        let s1 = Lock::shared(&p, &out).unwrap();
        let _s2 = Lock::shared(&p, &out).unwrap();
        assert!(Lock::exclusive(&p, &out).is_err());
        drop(s1);
    }
}
