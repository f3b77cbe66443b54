//! Errors of the library. A bad *record* is never an error (it becomes a
//! [`crate::doc::Reject`]); a bad *file*, config or output location is, and
//! each variant names the path (and line where one is known).

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {cause}{}", path.display(), io_hint(cause))]
    Io {
        path: PathBuf,
        // Not a `source`: the message already includes it, and callers
        // print one line per cause.
        cause: std::io::Error,
    },
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Config {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    Input {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },
    /// An input file that cannot be read at all (cannot be opened, a
    /// truncated or corrupt archive, not the format its extension says, no
    /// text column). With `input.on_bad_file = "skip"` the build leaves the
    /// file out and lists it in the manifest instead of failing.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(", line {l}")).unwrap_or_default())]
    BadFile {
        path: PathBuf,
        line: Option<u64>,
        message: String,
    },
    #[error("{}: {message}", path.display())]
    Output { path: PathBuf, message: String },
    /// A command used wrongly: an unknown stage or task number, a language
    /// or cluster that is not in the release (exit 2, like a bad config).
    #[error("{message}")]
    Usage { message: String },
    /// A work directory whose files are missing, stale or damaged (exit 4).
    #[error("{}: {message}", path.display())]
    WorkDir { path: PathBuf, message: String },
    /// Another corpusforge process holds the lock on a release or work
    /// directory (exit 8).
    #[error("another corpusforge {} is writing {}", match pid { Some(p) => format!("build (pid {p})"), None => "build".to_string() }, path.display())]
    Busy { path: PathBuf, pid: Option<u32> },
    /// The system refused a resource the build needs (threads).
    #[error("{message}")]
    System { message: String },
    /// The build kept no document, and `--allow-empty` was not given; the
    /// previous release (if any) is untouched (exit 9).
    #[error("{message}")]
    Empty { message: String },
}

impl Error {
    pub fn io(path: &Path, cause: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            cause,
        }
    }

    pub fn input(path: &Path, line: Option<u64>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub fn bad_file(path: &Path, line: Option<u64>, message: impl Into<String>) -> Self {
        Error::BadFile {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
        }
    }

    pub fn workdir(path: &Path, message: impl Into<String>) -> Self {
        Error::WorkDir {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub fn config(path: &Path, message: impl Into<String>) -> Self {
        Error::Config {
            path: path.to_path_buf(),
            line: None,
            message: message.into(),
        }
    }

    /// The process exit code of this error, as documented in
    /// `docs/exit-codes.md`: 1 a refused system resource, 2 config or
    /// usage, 3 input, 4 output, I/O or work directory, 8 locked by another
    /// build, 9 nothing kept.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config { .. } | Error::Usage { .. } => 2,
            Error::Input { .. } | Error::BadFile { .. } => 3,
            Error::Io { .. } | Error::Output { .. } | Error::WorkDir { .. } => 4,
            Error::Busy { .. } => 8,
            Error::Empty { .. } => 9,
            Error::System { .. } => 1,
        }
    }

    pub fn output(path: &Path, message: impl Into<String>) -> Self {
        Error::Output {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

impl Error {
    /// The message with `name` in place of the path, e.g. the input's path
    /// relative to its root: what a release may record (the manifest's
    /// `inputs[].skipped`) without an absolute path of the machine.
    pub fn with_name(&self, name: &str) -> String {
        let at = |line: Option<u64>| line.map(|l| format!(", line {l}")).unwrap_or_default();
        match self {
            Error::Io { cause, .. } => format!("{name}: {cause}{}", io_hint(cause)),
            Error::Config { line, message, .. } => {
                format!("{name}{}: {message}", at(line.map(|l| l as u64)))
            }
            Error::Input { line, message, .. } | Error::BadFile { line, message, .. } => {
                format!("{name}{}: {message}", at(*line))
            }
            Error::Output { message, .. } | Error::WorkDir { message, .. } => {
                format!("{name}: {message}")
            }
            Error::Usage { message } | Error::Empty { message } | Error::System { message } => {
                message.clone()
            }
            Error::Busy { pid, .. } => match pid {
                Some(p) => format!("another corpusforge build (pid {p}) is writing {name}"),
                None => format!("another corpusforge build is writing {name}"),
            },
        }
    }
}

/// What to do about an I/O error whose cause is outside the program (a full
/// disk, a read-only mount, a size limit), or nothing.
fn io_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::StorageFull => {
            " (the disk is full: free some space, or write the release to another \
             file system with --output)"
        }
        K::QuotaExceeded => {
            " (the disk quota is used up: free some space, or use --output elsewhere)"
        }
        K::FileTooLarge => {
            " (a file size limit was reached: raise `ulimit -f`, or lower \
             output.shard_bytes if the file system limits file size)"
        }
        K::ReadOnlyFilesystem => {
            " (the file system is read-only: write the release to a writable folder with --output)"
        }
        K::PermissionDenied => " (no permission: check the owner and mode of this path)",
        _ => "",
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_name_replaces_the_path_only() {
        let e = Error::bad_file(
            Path::new("/abs/in/a.jsonl.gz"),
            Some(7),
            "cannot decompress",
        );
        assert_eq!(
            e.to_string(),
            "/abs/in/a.jsonl.gz, line 7: cannot decompress"
        );
        assert_eq!(
            e.with_name("a.jsonl.gz"),
            "a.jsonl.gz, line 7: cannot decompress"
        );
        let io = Error::io(
            Path::new("/abs/out/x"),
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        assert!(io.with_name("x").starts_with("x: "));
        assert!(io.to_string().contains("the disk is full"), "{io}");
    }
}
