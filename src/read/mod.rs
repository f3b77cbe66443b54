//! Readers: turn input files into [`Record`]s with provenance.
//!
//! Guarantees:
//! - inputs are discovered deterministically: folders are walked and files
//!   sorted by their path relative to the input root (`source_file`);
//! - the format comes from the extension (`.jsonl`/`.ndjson`,
//!   `.csv`, `.tsv`, `.parquet`, `.txt` = one article per file), optionally
//!   compressed (`.gz`, `.zst`); other files are reported as ignored;
//! - every input record becomes exactly one `Record`: a document, or a
//!   `Bad` record with file, line and reason (malformed JSON, missing text,
//!   oversized). Invalid UTF-8 is repaired (U+FFFD) and counted, not dropped;
//! - a file that cannot be read (missing, truncated archive, not the format
//!   its extension says) is an [`Error`] naming the file and line.

mod config;
mod csv;
mod fields;
mod jsonl;
mod parquet;
mod text;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::doc::{Document, Provenance, Record, Reject, Step};
use crate::error::{Error, Result};
pub use config::{FieldMap, InputConfig, OnBadFile};

/// Input record format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    Tsv,
    Parquet,
    Text,
}

/// Compression of an input file, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// One input file found under an input path.
#[derive(Clone, Debug)]
pub struct InputFile {
    /// Path to open.
    pub path: PathBuf,
    /// Path relative to the input root, `/`-separated: the `source_file`.
    pub rel: String,
    pub format: Format,
    pub compression: Compression,
    pub bytes: u64,
}

/// A file under an input folder that is not read, with the reason.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Ignored {
    pub path: String,
    pub reason: String,
}

/// Split a file name into format and compression; `None` if unknown.
pub fn detect(name: &str) -> Option<(Format, Compression)> {
    let lower = name.to_ascii_lowercase();
    let (stem, comp) = if let Some(s) = lower.strip_suffix(".gz") {
        (s, Compression::Gzip)
    } else if let Some(s) = lower.strip_suffix(".zst") {
        (s, Compression::Zstd)
    } else {
        (lower.as_str(), Compression::None)
    };
    let ext = stem.rsplit_once('.').map(|(_, e)| e)?;
    let fmt = match ext {
        // `.json` is left out on purpose: it is as often one JSON document
        // (or array) as JSON Lines, and guessing wrong turns metadata files
        // into hundreds of malformed records.
        "jsonl" | "ndjson" => Format::Jsonl,
        "csv" => Format::Csv,
        "tsv" => Format::Tsv,
        "parquet" => Format::Parquet,
        "txt" => Format::Text,
        _ => return None,
    };
    if fmt == Format::Parquet && comp != Compression::None {
        return None;
    }
    Some((fmt, comp))
}

/// Find the input files under `paths`, sorted by relative path.
///
/// Inside folders, only regular files are read: named pipes, sockets and
/// devices are listed as ignored (opening a pipe would block the build), and
/// a folder reached twice (a symbolic link loop) is walked once. A file named
/// like an input that cannot be examined (a broken symbolic link, no
/// permission) is returned as an input, so that reading it fails with its
/// path and `input.on_bad_file` decides what happens.
pub fn discover(paths: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<Ignored>)> {
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root)
            .map_err(|e| Error::input(root, None, format!("input path: {e}")))?;
        if meta.is_file() {
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some((format, compression)) = detect(&name) else {
                return Err(Error::input(
                    root,
                    None,
                    "unknown input format: expected .jsonl, .csv, .tsv, .parquet or .txt (optionally .gz or .zst)",
                ));
            };
            files.push(InputFile {
                path: root.clone(),
                rel: name,
                format,
                compression,
                bytes: meta.len(),
            });
        } else if meta.is_dir() {
            let mut found = Vec::new();
            let mut seen = std::collections::HashSet::new();
            seen.insert(dir_key(&meta));
            walk(root, root, &mut seen, &mut found)?;
            for (path, rel, entry) in found {
                let name = rel.rsplit('/').next().unwrap_or(&rel).to_string();
                let reason = match &entry {
                    Entry::Skip(reason) => Some(reason.clone()),
                    _ if name.starts_with('.') => Some("hidden file".into()),
                    _ => None,
                };
                if let Some(reason) = reason {
                    ignored.push(Ignored { path: rel, reason });
                    continue;
                }
                match detect(&name) {
                    Some((format, compression)) => files.push(InputFile {
                        path,
                        rel,
                        format,
                        compression,
                        bytes: match entry {
                            Entry::File(bytes) => bytes,
                            _ => 0,
                        },
                    }),
                    None => ignored.push(Ignored {
                        path: rel,
                        reason: match entry {
                            Entry::Unreadable(e) => format!("unknown extension ({e})"),
                            _ => "unknown extension".into(),
                        },
                    }),
                }
            }
        } else {
            return Err(Error::input(
                root,
                None,
                format!(
                    "input path is a {}, not a file or folder",
                    special_kind(&meta.file_type())
                ),
            ));
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    for w in files.windows(2) {
        if w[0].rel == w[1].rel {
            return Err(Error::input(
                &w[1].path,
                None,
                format!(
                    "two inputs have the same relative path {:?} ({} and {}); give distinct folders",
                    w[0].rel,
                    w[0].path.display(),
                    w[1].path.display()
                ),
            ));
        }
    }
    ignored.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((files, ignored))
}

/// What [`walk`] found at a path that is not a folder.
enum Entry {
    /// A regular file of this many bytes.
    File(u64),
    /// Not to be read, with the reason.
    Skip(String),
    /// Cannot be examined (broken symbolic link, no permission).
    Unreadable(String),
}

/// Identity of a folder, to walk each folder once.
#[cfg(unix)]
fn dir_key(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn dir_key(_meta: &std::fs::Metadata) -> (u64, u64) {
    // Without inode numbers, loops are cut by the path length limit.
    (0, 0)
}

fn special_kind(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "named pipe";
        }
        if ft.is_socket() {
            return "socket";
        }
        if ft.is_block_device() || ft.is_char_device() {
            return "device";
        }
    }
    let _ = ft;
    "special file"
}

fn walk(
    root: &Path,
    dir: &Path,
    seen: &mut std::collections::HashSet<(u64, u64)>,
    out: &mut Vec<(PathBuf, String, Entry)>,
) -> Result<()> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| Error::input(dir, None, format!("cannot list folder: {e}")))?;
    for entry in rd {
        let entry =
            entry.map_err(|e| Error::input(dir, None, format!("cannot list folder: {e}")))?;
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                let what = match std::fs::symlink_metadata(&path) {
                    Ok(l) if l.file_type().is_symlink() => format!("broken symbolic link: {e}"),
                    _ => e.to_string(),
                };
                out.push((path, rel, Entry::Unreadable(what)));
                continue;
            }
        };
        if meta.is_dir() {
            if seen.insert(dir_key(&meta)) {
                walk(root, &path, seen, out)?;
            } else {
                let why = "folder already walked (a symbolic link loop, or a second link to it)";
                out.push((path, rel, Entry::Skip(why.into())));
            }
        } else if meta.is_file() {
            out.push((path, rel, Entry::File(meta.len())));
        } else {
            let why = format!("not a regular file ({})", special_kind(&meta.file_type()));
            out.push((path, rel, Entry::Skip(why)));
        }
    }
    Ok(())
}

/// Open a file and undo its compression.
pub(crate) fn open_stream(file: &InputFile) -> Result<Box<dyn Read + Send>> {
    decompress(open_file(file)?, file)
}

/// The field names of the first record of a JSON Lines file, or the
/// header of a CSV/TSV file (sorted for JSON; in column order for CSV):
/// what a "missing text" hint shows. `None` for other formats or when the
/// first record cannot be read.
pub fn field_names(file: &InputFile) -> Option<Vec<String>> {
    use std::io::BufRead;
    let stream = open_stream(file).ok()?;
    match file.format {
        Format::Jsonl => {
            let mut lines = BufReader::new(stream.take(16 << 20)).lines();
            let line = lines.find(|l| l.as_ref().map_or(true, |l| !l.trim().is_empty()))?;
            let v: serde_json::Value = serde_json::from_str(line.ok()?.trim()).ok()?;
            Some(v.as_object()?.keys().cloned().collect())
        }
        Format::Csv | Format::Tsv => {
            let delim = if file.format == Format::Tsv {
                b'\t'
            } else {
                b','
            };
            let mut r = ::csv::ReaderBuilder::new()
                .delimiter(delim)
                .from_reader(stream);
            Some(r.headers().ok()?.iter().map(str::to_string).collect())
        }
        Format::Parquet | Format::Text => None,
    }
}

/// Undo the compression of `file` on the bytes `raw` yields.
pub(crate) fn decompress(
    raw: impl Read + Send + 'static,
    file: &InputFile,
) -> Result<Box<dyn Read + Send>> {
    let f = BufReader::with_capacity(1 << 16, raw);
    Ok(match file.compression {
        Compression::None => Box::new(f),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(f)),
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::with_buffer(f)
                .map_err(|e| read_failed(file, Some(1), &e))?,
        ),
    })
}

/// Open an input file; the error says why, naming a broken link as such.
pub(crate) fn open_file(file: &InputFile) -> Result<File> {
    File::open(&file.path).map_err(|e| {
        let link = std::fs::symlink_metadata(&file.path).is_ok_and(|m| m.file_type().is_symlink())
            && std::fs::metadata(&file.path).is_err();
        let what = if link {
            format!("cannot open: broken symbolic link ({e})")
        } else {
            format!("cannot open: {e}")
        };
        Error::bad_file(&file.path, None, what)
    })
}

/// The error for a read that failed at `line` (the first line not read):
/// for a compressed file, says the archive is truncated or corrupt.
pub(crate) fn read_failed(file: &InputFile, line: Option<u64>, e: &std::io::Error) -> Error {
    let kind = match file.compression {
        Compression::None => {
            return Error::bad_file(&file.path, line, format!("read failed: {e}"));
        }
        Compression::Gzip => "gzip",
        Compression::Zstd => "zstd",
    };
    let what = if file.bytes == 0 {
        format!("the file is empty (0 bytes), not {kind} data")
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof
        || e.to_string().contains("incomplete frame")
    {
        format!("{kind} data ends early ({e}): the file is truncated")
    } else {
        format!("{kind} data is corrupt or not {kind} at all ({e})")
    };
    Error::bad_file(
        &file.path,
        line,
        format!("cannot decompress: {what}; download or compress it again"),
    )
}

/// Drop a UTF-8 byte order mark at the start of a stream, when the input
/// encoding is UTF-8 (a BOM is not part of the first record).
pub(crate) fn skip_bom(
    mut r: Box<dyn Read + Send>,
    cfg: &InputConfig,
    file: &InputFile,
) -> Result<Box<dyn Read + Send>> {
    if input_encoding(cfg) != encoding_rs::UTF_8 {
        return Ok(r);
    }
    let mut head = Vec::with_capacity(3);
    (&mut r)
        .take(3)
        .read_to_end(&mut head)
        .map_err(|e| read_failed(file, Some(1), &e))?;
    if head == b"\xEF\xBB\xBF" {
        head.clear();
    }
    Ok(Box::new(std::io::Cursor::new(head).chain(r)))
}

fn input_encoding(cfg: &InputConfig) -> &'static encoding_rs::Encoding {
    encoding_rs::Encoding::for_label(cfg.encoding.as_bytes()).unwrap_or(encoding_rs::UTF_8)
}

/// A stream of records from one file. `Err` is fatal for the file.
pub type Records = Box<dyn Iterator<Item = Result<Record>> + Send>;

/// Open an input file as a stream of records.
pub fn records(file: &InputFile, cfg: &InputConfig) -> Result<Records> {
    match file.format {
        Format::Jsonl => jsonl::records(file, cfg),
        Format::Csv => csv::records(file, cfg, b','),
        Format::Tsv => csv::records(file, cfg, b'\t'),
        Format::Parquet => parquet::records(file, cfg),
        Format::Text => text::records(file, cfg),
    }
}

/// The records of an input held in memory (fuzz targets and tests): `raw`
/// is the file's bytes, compressed as `file` says.
#[cfg(any(test, feature = "testkit"))]
pub(crate) fn records_in_memory(
    raw: Vec<u8>,
    file: &InputFile,
    cfg: &InputConfig,
) -> Result<Records> {
    if file.format == Format::Parquet {
        let bytes: ::bytes::Bytes = raw.into();
        return parquet::from_chunks(bytes, file, cfg);
    }
    records_from_reader(std::io::Cursor::new(raw), file, cfg)
}

/// The records of a stream of a file's bytes (compressed as `file` says);
/// not for Parquet, which needs random access.
#[cfg(any(test, feature = "testkit"))]
pub(crate) fn records_from_reader(
    raw: impl Read + Send + 'static,
    file: &InputFile,
    cfg: &InputConfig,
) -> Result<Records> {
    let stream = decompress(raw, file)?;
    match file.format {
        Format::Jsonl => Ok(jsonl::from_reader(skip_bom(stream, cfg, file)?, file, cfg)),
        Format::Csv => csv::from_reader(skip_bom(stream, cfg, file)?, file, cfg, b','),
        Format::Tsv => csv::from_reader(skip_bom(stream, cfg, file)?, file, cfg, b'\t'),
        Format::Text => Ok(text::from_reader(stream, file, cfg)),
        Format::Parquet => Err(Error::bad_file(
            &file.path,
            None,
            "Parquet is read from a file, not a stream",
        )),
    }
}

/// Decode input bytes in the configured encoding (UTF-8 unless
/// `input.encoding` says otherwise). Returns the text and how many invalid
/// sequences were replaced by U+FFFD.
pub fn decode_text(bytes: &[u8], cfg: &InputConfig) -> (String, u32) {
    let enc = input_encoding(cfg);
    if enc == encoding_rs::UTF_8 {
        return decode_utf8(bytes);
    }
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let n = if had_errors {
        let before = bytes.len(); // only used to bound the count
        (text.matches('\u{FFFD}').count() as u32)
            .min(before as u32)
            .max(1)
    } else {
        0
    };
    (text.into_owned(), n)
}

/// Decode bytes as UTF-8, replacing invalid sequences with U+FFFD. Returns
/// the string and how many invalid sequences were replaced.
pub fn decode_utf8(bytes: &[u8]) -> (String, u32) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), 0),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + 8);
            let mut n = 0;
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                if !chunk.invalid().is_empty() {
                    out.push('\u{FFFD}');
                    n += 1;
                }
            }
            (out, n)
        }
    }
}

/// A record rejected as `too_large` without its text; `what` says how large.
pub(crate) fn too_large(prov: Provenance, what: &str, max_bytes: usize) -> Record {
    Record::Bad {
        prov,
        id: None,
        raw: String::new(),
        reject: Reject::new(
            Step::Read,
            "too_large",
            format!("{what}, over input.max_doc_bytes = {max_bytes}"),
        ),
    }
}

/// The fields of one input record, before it becomes a document.
#[derive(Default)]
pub(crate) struct RawFields {
    pub id: Option<String>,
    /// `Err(what)` when the text field is missing, null or not a string.
    pub text: Option<std::result::Result<String, String>>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    /// The HTML field (`input.fields.html`), used when there is no text.
    pub html: Option<String>,
    pub invalid_utf8: u32,
}

/// Build a record from raw fields: a document, or a `Bad` record when the
/// text is missing, empty or too large.
pub(crate) fn make_record(
    prov: Provenance,
    f: RawFields,
    fields: &FieldMap,
    max_bytes: usize,
    raw: impl FnOnce() -> String,
) -> Record {
    let nonempty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    let id = nonempty(f.id);
    let mut html = false;
    let text = match f.text {
        Some(Ok(t)) if !t.trim().is_empty() => t,
        _ if f.html.as_ref().is_some_and(|h| !h.trim().is_empty()) => {
            html = true;
            f.html.unwrap_or_default()
        }
        other => {
            let what = match other {
                None => format!("no field {:?}", fields.text),
                Some(Err(what)) => what,
                Some(Ok(_)) => format!("field {:?} is empty", fields.text),
            };
            return Record::Bad {
                prov,
                id,
                raw: raw(),
                reject: Reject::new(Step::Read, "missing_text", what),
            };
        }
    };
    if text.len() > max_bytes {
        let detail = format!(
            "text is {} bytes, over input.max_doc_bytes = {max_bytes}",
            text.len()
        );
        return Record::Bad {
            prov,
            id,
            raw: String::new(),
            reject: Reject::new(Step::Read, "too_large", detail),
        };
    }
    let id = id.unwrap_or_else(|| prov.derived_id());
    Record::Doc(Box::new(Document {
        id,
        text,
        title: nonempty(f.title),
        url: nonempty(f.url),
        date: nonempty(f.date),
        source: nonempty(f.source),
        prov,
        html,
        invalid_utf8: f.invalid_utf8,
        ..Default::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(
            detect("a.jsonl.gz"),
            Some((Format::Jsonl, Compression::Gzip))
        );
        assert_eq!(detect("a.TSV"), Some((Format::Tsv, Compression::None)));
        assert_eq!(detect("a.txt.zst"), Some((Format::Text, Compression::Zstd)));
        assert_eq!(detect("a.parquet.gz"), None);
        assert_eq!(detect("README.md"), None);
        assert_eq!(detect("meta.json"), None);
        assert_eq!(detect("noext"), None);
    }

    #[test]
    fn repairs_invalid_utf8() {
        let (s, n) = decode_utf8(b"ok \xff\xfe and \xe2\x82");
        assert_eq!(s, "ok \u{FFFD}\u{FFFD} and \u{FFFD}");
        assert_eq!(n, 3);
        assert_eq!(decode_utf8("fine".as_bytes()), ("fine".to_string(), 0));
    }
}
