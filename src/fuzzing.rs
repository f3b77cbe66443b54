//! Invariant checks shared by the fuzz targets (`fuzz/`), the property tests
//! and the replay of `tests/fuzz_corpus/` under `cargo test`. Hidden, not a
//! stable API.
//!
//! Each `check_*` function takes arbitrary bytes, runs one part of the
//! library on them and panics when an invariant breaks:
//! - readers: no panic; every record of the input is exactly one `Record`
//!   (JSON Lines: one per non-blank line, carrying its line number; CSV/TSV:
//!   line numbers increase; Parquet: rows `1..=n`; text: one); a document
//!   has non-blank text within `max_doc_bytes` and an id; a reject is a
//!   read-stage reason that the format can give; the same bytes compressed
//!   read the same, and a truncated archive yields a prefix of those records
//!   and then an error, never a silently shorter file;
//! - normalize: idempotent, and the output has the shape its docs promise;
//! - clean: removes whole lines only, keeps the others in order, and
//!   cleaning the result again changes nothing;
//! - build: input = kept + rejected, every record the reader yields is
//!   counted once, read rejects are counted under their reason, and
//!   `verify` accepts the release.
//!
//! The first two bytes of a fuzz input choose options (see [`Knobs`]); the
//! rest is the file.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use arrow_array::builder::{
    BinaryBuilder, LargeStringBuilder, StringBuilder, StringDictionaryBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

use crate::clean::Rules;
use crate::config::{Config, InputConfig, LoadedConfig, NormForm};
use crate::doc::{Record, Step};
use crate::error::Error;
pub use crate::read::{Compression, Format};
use crate::read::{InputFile, detect};

/// The boilerplate rules shipped with the project, for the clean checks.
const RULES: &str = include_str!("../configs/boilerplate.toml");

/// Options read from the first two bytes of a fuzz input.
#[derive(Clone, Copy, Debug)]
pub struct Knobs {
    /// 0: plain; 1: gzip the data; 2: zstd the data; 3: declare the raw
    /// data as gzip (a file that is not what its name says).
    pub packing: u8,
    /// Cut the packed bytes at `len * cut / 256` (0: no cut).
    pub cut: u8,
    pub encoding: &'static str,
    pub max_doc_bytes: usize,
    /// CSV target: tab instead of comma. Build target: skip bad files.
    pub flag: bool,
    /// Parquet: build a file from the data instead of reading it raw.
    pub structured: bool,
}

impl Knobs {
    pub fn split(data: &[u8]) -> (Knobs, &[u8]) {
        let b0 = data.first().copied().unwrap_or(0);
        let b1 = data.get(1).copied().unwrap_or(0);
        let rest = data.get(2..).unwrap_or(&[]);
        let knobs = Knobs {
            packing: b0 & 3,
            cut: b1,
            encoding: match (b0 >> 2) & 3 {
                1 => "windows-1252",
                2 => "shift_jis",
                _ => "utf-8",
            },
            // Small enough that fuzz inputs reach the too-large paths.
            max_doc_bytes: if b0 & 0x10 != 0 { 48 } else { 1 << 20 },
            flag: b0 & 0x20 != 0,
            structured: b0 & 0x40 != 0,
        };
        (knobs, rest)
    }

    fn input_config(&self) -> InputConfig {
        InputConfig {
            encoding: self.encoding.into(),
            max_doc_bytes: self.max_doc_bytes,
            ..InputConfig::default()
        }
    }

    fn suffix(&self) -> &'static str {
        match self.packing {
            1 | 3 => ".gz",
            2 => ".zst",
            _ => "",
        }
    }

    /// The file's bytes as stored: packed as chosen, maybe cut.
    fn pack(&self, data: &[u8]) -> Vec<u8> {
        let mut out = match self.packing {
            1 => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(data).expect("write to memory");
                e.finish().expect("write to memory")
            }
            2 => zstd::encode_all(data, 1).expect("write to memory"),
            _ => data.to_vec(),
        };
        if self.cut != 0 {
            out.truncate(out.len() * self.cut as usize / 256);
        }
        out
    }
}

/// Read an input held in memory; `name` gives format and compression by its
/// extension. Returns the records read and the error that ended the file.
pub fn read(name: &str, data: &[u8], cfg: &InputConfig) -> (Vec<Record>, Option<Error>) {
    let file = input_file(name, data.len() as u64);
    collect(crate::read::records_in_memory(data.to_vec(), &file, cfg))
}

/// As [`read`], from a stream of the file's bytes (not Parquet): a test can
/// feed an input far larger than it could hold.
pub fn read_stream(
    name: &str,
    stream: impl std::io::Read + Send + 'static,
    cfg: &InputConfig,
) -> (Vec<Record>, Option<Error>) {
    // The size is unknown; not 0, which would read as an empty file.
    let file = input_file(name, u64::MAX);
    collect(crate::read::records_from_reader(stream, &file, cfg))
}

fn input_file(name: &str, bytes: u64) -> InputFile {
    let (format, compression) = detect(name).expect("a known extension");
    InputFile {
        path: name.into(),
        rel: name.into(),
        format,
        compression,
        bytes,
    }
}

fn collect(records: crate::error::Result<crate::read::Records>) -> (Vec<Record>, Option<Error>) {
    let mut out = Vec::new();
    match records {
        Err(e) => (out, Some(e)),
        Ok(records) => {
            for r in records {
                match r {
                    Ok(r) => out.push(r),
                    Err(e) => return (out, Some(e)),
                }
            }
            (out, None)
        }
    }
}

/// A record as a comparable line: line, then id and text or reason and
/// detail.
fn sig(r: &Record) -> String {
    match r {
        Record::Doc(d) => format!("{:?} doc {:?} {:?}", d.prov.line, d.id, d.text),
        Record::Bad {
            prov, id, reject, ..
        } => format!(
            "{:?} bad {id:?} {} {}",
            prov.line, reject.reason, reject.detail
        ),
    }
}

/// Checks every reader's records must pass.
fn check_records(name: &str, records: &[Record], cfg: &InputConfig, reasons: &[&str]) {
    for r in records {
        match r {
            Record::Doc(d) => {
                assert_eq!(d.prov.file, name);
                assert!(!d.text.trim().is_empty(), "a document with blank text");
                assert!(
                    d.text.len() <= cfg.max_doc_bytes,
                    "a document over the limit"
                );
                assert!(!d.id.trim().is_empty(), "a document without id");
            }
            Record::Bad { prov, reject, .. } => {
                assert_eq!(prov.file, name);
                assert_eq!(reject.stage, Step::Read);
                assert!(
                    reasons.contains(&reject.reason.as_str()),
                    "unexpected reason {:?} ({})",
                    reject.reason,
                    reject.detail
                );
                assert!(!reject.detail.is_empty(), "a reject without detail");
            }
        }
    }
}

fn lines_of(records: &[Record]) -> Vec<Option<u64>> {
    records
        .iter()
        .map(|r| match r {
            Record::Doc(d) => d.prov.line,
            Record::Bad { prov, .. } => prov.line,
        })
        .collect()
}

/// Read `data` as `name`, then packed as the knobs say: unpacked and packed
/// reads must agree, a cut archive must give a prefix and an error.
fn read_both(
    name: &str,
    data: &[u8],
    knobs: &Knobs,
    reasons: &[&str],
) -> (Vec<Record>, Option<Error>) {
    let cfg = knobs.input_config();
    let plain = read(name, data, &cfg);
    check_records(name, &plain.0, &cfg, reasons);
    if knobs.packing == 0 {
        return plain;
    }
    let packed_name = format!("{name}{}", knobs.suffix());
    let packed = if knobs.packing == 3 {
        data.to_vec()
    } else {
        knobs.pack(data)
    };
    // Read under the plain name, so that derived ids compare equal.
    let mut file = input_file(&packed_name, packed.len() as u64);
    file.rel = name.to_string();
    let (records, err) = collect(crate::read::records_in_memory(packed, &file, &cfg));
    let want: Vec<String> = plain.0.iter().map(sig).collect();
    let got: Vec<String> = records.iter().map(sig).collect();
    match knobs.packing {
        3 => {
            // Raw bytes named `.gz`: anything but a panic, and records, if
            // any, are well formed.
            let cfg = knobs.input_config();
            for r in &records {
                if let Record::Doc(d) = r {
                    assert!(!d.text.trim().is_empty());
                    assert!(d.text.len() <= cfg.max_doc_bytes);
                }
            }
        }
        _ if knobs.cut == 0 => {
            assert_eq!(got, want, "compressed input reads differently");
            assert_eq!(err.is_some(), plain.1.is_some(), "{err:?} vs {:?}", plain.1);
        }
        _ => {
            assert!(
                got.len() <= want.len() && got[..] == want[..got.len()],
                "a cut archive must yield a prefix of the records:\n{got:#?}\nvs\n{want:#?}"
            );
            // The text reader stops at the size limit, maybe before the cut.
            let stopped_early = name.ends_with(".txt") && got == want;
            assert!(
                err.is_some() || plain.1.is_some() || stopped_early,
                "a cut archive read without error ({} of {} records)",
                got.len(),
                want.len()
            );
        }
    }
    plain
}

/// JSON Lines: one record per non-blank line, in order, with its number.
pub fn check_jsonl(data: &[u8]) {
    let (knobs, body) = Knobs::split(data);
    let reasons = ["malformed_json", "missing_text", "too_large"];
    let (records, err) = read_both("f.jsonl", body, &knobs, &reasons);
    assert!(err.is_none(), "in-memory JSON Lines cannot fail: {err:?}");
    let body = match body.strip_prefix(b"\xEF\xBB\xBF") {
        Some(b) if knobs.encoding == "utf-8" => b,
        _ => body,
    };
    let want: Vec<Option<u64>> = body
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.iter().all(|b| b.is_ascii_whitespace()))
        .map(|(i, _)| Some(i as u64 + 1))
        .collect();
    assert_eq!(lines_of(&records), want, "one record per non-blank line");
}

/// CSV or TSV (`knobs.flag`): records in order of their first line.
pub fn check_csv(data: &[u8]) {
    let (knobs, body) = Knobs::split(data);
    let name = if knobs.flag { "f.tsv" } else { "f.csv" };
    let reasons = ["malformed_csv", "missing_text", "too_large"];
    let (records, _err) = read_both(name, body, &knobs, &reasons);
    let lines = lines_of(&records);
    // Line ends: LF, CRLF, or a lone CR (an upper bound: the reader does
    // not count a CR inside quotes).
    let lone_cr = body
        .windows(2)
        .filter(|w| w[0] == b'\r' && w[1] != b'\n')
        .count()
        + usize::from(body.last() == Some(&b'\r'));
    let n_lines = (body.iter().filter(|&&b| b == b'\n').count() + lone_cr) as u64 + 1;
    for w in lines.windows(2) {
        assert!(w[0] < w[1], "record lines must increase: {lines:?}");
    }
    for l in lines {
        let l = l.expect("CSV records have a line");
        assert!((2..=n_lines).contains(&l), "line {l} outside 2..={n_lines}");
    }
}

/// One article per file: exactly one record.
pub fn check_text(data: &[u8]) {
    let (knobs, body) = Knobs::split(data);
    let (records, err) = read_both("f.txt", body, &knobs, &["missing_text", "too_large"]);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(records.len(), 1, "a text file is one record");
    assert_eq!(lines_of(&records), [None]);
}

/// Parquet: raw bytes (mostly not Parquet), or a file built from the data
/// (`knobs.structured`) and maybe damaged.
pub fn check_parquet(data: &[u8]) {
    let (knobs, body) = Knobs::split(data);
    let cfg = knobs.input_config();
    let reasons = ["missing_text", "too_large"];
    if !knobs.structured {
        let (records, _) = read("f.parquet", body, &cfg);
        check_records("f.parquet", &records, &cfg, &reasons);
        let want: Vec<Option<u64>> = (1..=records.len() as u64).map(Some).collect();
        assert_eq!(lines_of(&records), want, "rows are numbered 1..=n");
        return;
    }
    let (file, cells) = parquet_from(body, knobs.packing, knobs.encoding == "utf-8");
    let mut bytes = file.clone();
    if knobs.cut != 0 {
        let at = bytes.len() * knobs.cut as usize / 256;
        bytes[at] ^= 0x55;
    }
    let (records, err) = read("f.parquet", &bytes, &cfg);
    check_records("f.parquet", &records, &cfg, &reasons);
    let want: Vec<Option<u64>> = (1..=records.len() as u64).map(Some).collect();
    assert_eq!(lines_of(&records), want, "rows are numbered 1..=n");
    if knobs.cut == 0 {
        assert!(err.is_none(), "an intact file fails: {err:?}");
        assert_eq!(records.len(), cells.len(), "one record per row");
        for (r, cell) in records.iter().zip(&cells) {
            match (r, cell) {
                (Record::Doc(d), Some(t)) => {
                    assert_eq!(d.text, String::from_utf8_lossy(t));
                }
                (Record::Bad { reject, .. }, Some(t)) => {
                    let blank = t.iter().all(|b| b.is_ascii_whitespace())
                        || String::from_utf8_lossy(t).trim().is_empty();
                    let len = String::from_utf8_lossy(t).len();
                    assert!(blank || len > cfg.max_doc_bytes, "row rejected: {reject:?}");
                }
                (Record::Bad { reject, .. }, None) => {
                    assert_eq!(reject.reason, "missing_text");
                }
                (Record::Doc(_), None) => panic!("a null text became a document"),
            }
        }
    }
}

/// A Parquet file with `id` and `text` columns built from `data`: cells
/// separated by 0xFF, a cell starting with 0xFE is null. `kind` picks the
/// text column's type (string, large string, bytes, dictionary).
pub fn parquet_from(data: &[u8], kind: u8, utf8_only: bool) -> (Vec<u8>, Vec<Option<Vec<u8>>>) {
    let cells: Vec<Option<Vec<u8>>> = if data.is_empty() {
        Vec::new()
    } else {
        data.split(|&b| b == 0xFF)
            .map(|c| {
                if c.first() == Some(&0xFE) {
                    None
                } else if utf8_only || kind != 2 {
                    Some(String::from_utf8_lossy(c).into_owned().into_bytes())
                } else {
                    Some(c.to_vec())
                }
            })
            .collect()
    };
    let text: ArrayRef = match kind {
        1 => {
            let mut b = LargeStringBuilder::new();
            for c in &cells {
                b.append_option(c.as_deref().map(|c| String::from_utf8_lossy(c)));
            }
            Arc::new(b.finish())
        }
        2 => {
            let mut b = BinaryBuilder::new();
            for c in &cells {
                b.append_option(c.as_deref());
            }
            Arc::new(b.finish())
        }
        3 => {
            let mut b = StringDictionaryBuilder::<Int32Type>::new();
            for c in &cells {
                match c {
                    Some(c) => {
                        b.append_value(String::from_utf8_lossy(c));
                    }
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        _ => {
            let mut b = StringBuilder::new();
            for c in &cells {
                b.append_option(c.as_deref().map(|c| String::from_utf8_lossy(c)));
            }
            Arc::new(b.finish())
        }
    };
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(0..cells.len() as i64));
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("text", text.data_type().clone(), true),
    ]));
    let batch = RecordBatch::try_new(schema.clone(), vec![ids, text]).expect("valid batch");
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, schema, None).expect("writer");
    w.write(&batch).expect("write to memory");
    w.close().expect("write to memory");
    (out, cells)
}

/// Normalization is idempotent and gives the documented shape.
pub fn check_normalize(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    check_word_bounds(&text);
    for form in [NormForm::Nfc, NormForm::Nfkc] {
        let once = crate::normalize::normalize(&text, form);
        let twice = crate::normalize::normalize(&once, form);
        assert_eq!(twice, once, "normalize is not idempotent ({form:?})");
        assert!(
            !once.chars().any(|c| c != '\n' && c.is_control()),
            "control character left: {once:?}"
        );
        for line in once.split('\n') {
            assert_eq!(line.trim(), line, "line not trimmed: {once:?}");
            assert!(
                !line.chars().any(|c| c.is_whitespace() && c != ' '),
                "whitespace other than a space: {once:?}"
            );
            assert!(!line.contains("  "), "double space: {once:?}");
        }
        assert!(
            !once.contains("\n\n\n"),
            "more than one blank line: {once:?}"
        );
        assert_eq!(once.trim(), once, "blank at either end: {once:?}");
        if form == NormForm::Nfc {
            assert!(unicode_normalization::is_nfc(&once), "not NFC: {once:?}");
        }
        let field = crate::normalize::normalize_field(&text, form);
        assert!(!field.contains('\n'), "a field keeps a line break");
    }
}

/// The ASCII fast path of word boundaries yields exactly the pieces of
/// the general UAX #29 segmenter (`crate::filter::wordbreak`).
pub fn check_word_bounds(text: &str) {
    use unicode_segmentation::UnicodeSegmentation;
    let ours: Vec<_> = crate::filter::wordbreak::word_bound_indices(text).collect();
    let reference: Vec<_> = text.split_word_bound_indices().collect();
    assert_eq!(ours, reference, "word boundaries differ: {text:?}");
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| Rules::parse(RULES, Path::new("boilerplate.toml")).expect("shipped rules"))
}

/// Cleaning removes whole lines only, keeps the others in order, leaves
/// normalized text normalized, and is idempotent.
pub fn check_clean(data: &[u8]) {
    let text = crate::normalize::normalize(&String::from_utf8_lossy(data), NormForm::Nfc);
    let rules = rules();
    let cleaned = rules.clean(&text);
    let lines: Vec<&str> = text.split('\n').filter(|l| !l.is_empty()).collect();
    let kept: Vec<&str> = cleaned.text.split('\n').filter(|l| !l.is_empty()).collect();
    let (mut k, mut r) = (0, 0);
    for line in &lines {
        if r < cleaned.removed.len() && cleaned.removed[r].1 == *line {
            assert_eq!(
                Some(crate::clean::Removal::Rule(
                    rules
                        .matching_rule(line)
                        .expect("a removed line matches a rule")
                )),
                Some(cleaned.removed[r].0)
            );
            r += 1;
        } else {
            assert_eq!(kept.get(k), Some(line), "kept lines out of order");
            assert_eq!(rules.matching_rule(line), None, "a matching line was kept");
            k += 1;
        }
    }
    assert_eq!((k, r), (kept.len(), cleaned.removed.len()), "lines lost");
    assert_eq!(
        crate::normalize::normalize(&cleaned.text, NormForm::Nfc),
        cleaned.text,
        "cleaning left text that is not normalized"
    );
    let again = rules.clean(&cleaned.text);
    assert_eq!(again.text, cleaned.text, "clean is not idempotent");
    assert!(again.removed.is_empty());
}

/// A whole build on one input file made from `data` (format chosen by the
/// second byte) in `work`, a folder the caller owns: input = kept +
/// rejected, each record the reader yields is counted, read rejects are
/// counted by reason, and `verify` accepts the release. With `knobs.flag`,
/// unreadable files are skipped; otherwise they fail the build.
pub fn check_build(data: &[u8], work: &Path) {
    let (mut knobs, body) = Knobs::split(data);
    // The second byte picks the format here; files are not cut.
    let (ext, reasons): (&str, &[&str]) = match knobs.cut % 5 {
        0 => ("jsonl", &["malformed_json", "missing_text", "too_large"]),
        1 => ("csv", &["malformed_csv", "missing_text", "too_large"]),
        2 => ("tsv", &["malformed_csv", "missing_text", "too_large"]),
        3 => ("txt", &["missing_text", "too_large"]),
        _ => ("parquet", &["missing_text", "too_large"]),
    };
    knobs.cut = 0;
    let (name, bytes) = if ext == "parquet" {
        let bytes = if knobs.structured {
            parquet_from(body, knobs.packing, true).0
        } else {
            body.to_vec()
        };
        ("a.parquet".to_string(), bytes)
    } else {
        let name = format!("a.{ext}{}", knobs.suffix());
        let bytes = if knobs.packing == 3 {
            body.to_vec()
        } else {
            knobs.pack(body)
        };
        (name, bytes)
    };
    let cfg = knobs.input_config();
    let (records, read_err) = read(&name, &bytes, &cfg);
    check_records(&name, &records, &cfg, reasons);

    let input = work.join("in");
    let out = work.join("out");
    for d in [&input, &out] {
        if d.exists() {
            std::fs::remove_dir_all(d).expect("clean the work folder");
        }
    }
    std::fs::create_dir_all(&input).expect("create the input folder");
    std::fs::write(input.join(&name), &bytes).expect("write the input");
    let rules = work.join("rules.toml");
    if !rules.exists() {
        std::fs::write(&rules, RULES).expect("write the rules");
    }
    let text = format!(
        "[input]\npaths = [{:?}]\nmax_doc_bytes = {}\nencoding = {:?}\non_bad_file = {:?}\n\
         [output]\ndir = {:?}\nallow_empty = true\n[clean]\nrules_file = {:?}\n[run]\nthreads = 1\n",
        input.to_string_lossy(),
        cfg.max_doc_bytes,
        cfg.encoding,
        if knobs.flag { "skip" } else { "fail" },
        out.to_string_lossy(),
        rules.to_string_lossy(),
    );
    let path = work.join("config.toml");
    let loaded = LoadedConfig {
        config: Config::parse(&text, &path).expect("a valid config"),
        text,
        path,
    };
    let opts = crate::stages::BuildOptions::default();
    let result = crate::stages::build(&loaded, &opts);
    let summary = match (result, &read_err) {
        (Err(e), Some(_)) => {
            assert!(!knobs.flag, "a bad file was not skipped: {e}");
            assert!(matches!(e, Error::BadFile { .. }), "{e}");
            assert!(!out.exists(), "a failed build left a release");
            return;
        }
        (Err(e), None) => panic!("the reader read the file, the build failed: {e}"),
        (Ok(s), err) => {
            assert!(
                err.is_none() || knobs.flag,
                "build passed a bad file: {err:?}"
            );
            s
        }
    };
    let c = &summary.counts;
    assert_eq!(c.input, c.kept + c.rejected, "input = kept + rejected");
    assert_eq!(c.rejected, c.rejected_by_reason.values().sum::<u64>());
    let expected = if read_err.is_some() {
        0
    } else {
        records.len() as u64
    };
    assert_eq!(c.input, expected, "every record is counted once");
    if read_err.is_none() {
        let mut by_reason = std::collections::BTreeMap::<&str, u64>::new();
        for r in &records {
            if let Record::Bad { reject, .. } = r {
                *by_reason.entry(reject.reason.as_str()).or_default() += 1;
            }
        }
        for (reason, n) in by_reason {
            assert_eq!(c.rejected_by_reason.get(reason), Some(&n), "{reason}");
        }
    }
    let (_, failures) = crate::verify::verify(&out).expect("the release is readable");
    // Two documents with the same id (the input's own ids) are both kept
    // today; verify rightly reports it. Other failures are bugs.
    let mut ids = std::collections::HashSet::new();
    let dup_ids = records
        .iter()
        .filter_map(|r| match r {
            Record::Doc(d) => Some(d.id.clone()),
            _ => None,
        })
        .any(|id| !ids.insert(id));
    let failures: Vec<&String> = failures
        .iter()
        .filter(|f| !(dup_ids && (f.contains(": id ") || f.contains("dup_cluster"))))
        .collect();
    assert!(failures.is_empty(), "verify: {failures:#?}");
}
