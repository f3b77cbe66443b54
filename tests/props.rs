//! Property tests (proptest) for the invariants the fuzz targets check, on
//! generated inputs whose right reading is known:
//! - JSON Lines and CSV/TSV files generated from a list of record kinds
//!   (good, malformed, not an object, text missing/null/not a string/blank,
//!   oversized, wrong field count, blank lines): every record is exactly one
//!   `Record`, at its line, of the expected kind, and a good record's text
//!   comes back unchanged;
//! - a text file of any bytes is one record; a Parquet file of any optional
//!   strings is one record per row;
//! - a whole build over several generated files keeps input = kept +
//!   rejected, and input equals the records generated;
//! - and the `corpusforge::fuzzing` checks (no panic, normalize idempotent,
//!   clean keeps whole lines, ...) on arbitrary bytes.

use std::path::Path;

use corpusforge::config::{Config, InputConfig, LoadedConfig};
use corpusforge::doc::Record;
use corpusforge::fuzzing;
use proptest::prelude::*;

/// Text limit of the generated inputs: small, so oversized records occur.
const MAX: usize = 1000;

fn cfg() -> InputConfig {
    InputConfig {
        max_doc_bytes: MAX,
        ..InputConfig::default()
    }
}

/// One line of a generated JSON Lines file.
#[derive(Clone, Debug)]
enum JLine {
    Doc {
        text: String,
        id: bool,
    },
    /// An object that is never closed.
    Malformed(String),
    NotObject(&'static str),
    MissingText,
    NullText,
    NumberText,
    Blank(String),
}

/// What a line should read as: `None` for no record, else a document's text
/// or a reject reason.
#[derive(Debug, PartialEq)]
enum Want {
    Text(String),
    Reason(&'static str),
}

impl JLine {
    fn render(&self, i: usize) -> String {
        match self {
            JLine::Doc { text, id: true } => {
                serde_json::json!({"id": format!("id{i}"), "text": text}).to_string()
            }
            JLine::Doc { text, id: false } => serde_json::json!({"text": text}).to_string(),
            JLine::Malformed(s) => format!("{{\"text\": {s}"),
            JLine::NotObject(s) => s.to_string(),
            JLine::MissingText => "{\"title\": \"t\"}".into(),
            JLine::NullText => "{\"text\": null}".into(),
            JLine::NumberText => "{\"text\": 12.5}".into(),
            JLine::Blank(s) => s.clone(),
        }
    }

    fn want(&self) -> Option<Want> {
        Some(match self {
            JLine::Doc { text, .. } => text_want(text),
            JLine::Malformed(_) | JLine::NotObject(_) => Want::Reason("malformed_json"),
            JLine::MissingText | JLine::NullText | JLine::NumberText => {
                Want::Reason("missing_text")
            }
            JLine::Blank(_) => return None,
        })
    }
}

fn text_want(text: &str) -> Want {
    if text.trim().is_empty() {
        Want::Reason("missing_text")
    } else if text.len() > MAX {
        Want::Reason("too_large")
    } else {
        Want::Text(text.to_string())
    }
}

fn got(r: &Record) -> (Option<u64>, Want) {
    match r {
        Record::Doc(d) => (d.prov.line, Want::Text(d.text.clone())),
        Record::Bad { prov, reject, .. } => {
            let reason = match reject.reason.as_str() {
                "malformed_json" => "malformed_json",
                "malformed_csv" => "malformed_csv",
                "missing_text" => "missing_text",
                "too_large" => "too_large",
                other => panic!("unexpected reason {other}"),
            };
            (prov.line, Want::Reason(reason))
        }
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{1,60}",
        1 => "[ \t\n]{0,3}",
        1 => (1000usize..1100).prop_map(|n| "x".repeat(n)),
        1 => "(\\PC|[\n\r\t\"',;]){1,80}",
    ]
}

fn jline() -> impl Strategy<Value = JLine> {
    prop_oneof![
        6 => (text(), any::<bool>()).prop_map(|(text, id)| JLine::Doc { text, id }),
        1 => "[^\n}]{0,30}".prop_map(JLine::Malformed),
        1 => prop::sample::select(vec!["[1,2]", "\"s\"", "42", "null", "true"])
            .prop_map(JLine::NotObject),
        1 => Just(JLine::MissingText),
        1 => Just(JLine::NullText),
        1 => Just(JLine::NumberText),
        1 => "[ \t\r]{0,4}".prop_map(JLine::Blank),
    ]
}

fn jsonl_file(lines: &[JLine], crlf: bool, final_newline: bool) -> (String, Vec<(u64, Want)>) {
    let mut out = String::new();
    let mut want = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        out.push_str(&l.render(i));
        if crlf {
            out.push('\r');
        }
        if final_newline || i + 1 < lines.len() {
            out.push('\n');
        }
        if let Some(w) = l.want() {
            want.push((i as u64 + 1, w));
        }
    }
    (out, want)
}

/// One row of a generated CSV file: id, text, and whether it has a field
/// too many.
fn csv_file(rows: &[(String, String, bool)], delimiter: u8) -> (Vec<u8>, Vec<(u64, Want)>) {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record(["id", "text"]).unwrap();
    let mut want = Vec::new();
    for (id, text, extra) in rows {
        w.flush().unwrap();
        let line = w.get_ref().iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        if *extra {
            w.write_record([id.as_str(), text.as_str(), "x"]).unwrap();
            want.push((line, Want::Reason("malformed_csv")));
        } else {
            w.write_record([id.as_str(), text.as_str()]).unwrap();
            want.push((line, text_want(text)));
        }
    }
    (w.into_inner().unwrap(), want)
}

fn csv_row() -> impl Strategy<Value = (String, String, bool)> {
    ("[a-z0-9]{1,8}", text(), prop::bool::weighted(0.1))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn jsonl_every_record_is_one_record(
        lines in prop::collection::vec(jline(), 0..40),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let (file, want) = jsonl_file(&lines, crlf, final_newline);
        let (records, err) = fuzzing::read("a.jsonl", file.as_bytes(), &cfg());
        prop_assert!(err.is_none());
        let got: Vec<(u64, Want)> = records
            .iter()
            .map(|r| { let (l, w) = got(r); (l.unwrap(), w) })
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn csv_every_row_is_one_record(
        rows in prop::collection::vec(csv_row(), 0..30),
        tsv in any::<bool>(),
    ) {
        let (name, d) = if tsv { ("a.tsv", b'\t') } else { ("a.csv", b',') };
        let (file, want) = csv_file(&rows, d);
        let (records, err) = fuzzing::read(name, &file, &cfg());
        prop_assert!(err.is_none(), "{:?}", err);
        let got: Vec<(u64, Want)> = records
            .iter()
            .map(|r| { let (l, w) = got(r); (l.unwrap(), w) })
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn a_text_file_is_one_record(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let (records, err) = fuzzing::read("a.txt", &bytes, &cfg());
        prop_assert!(err.is_none());
        prop_assert_eq!(records.len(), 1);
    }

    /// Optional strings as a Parquet text column (string, large string,
    /// bytes or dictionary): one record per row, text unchanged, null and
    /// blank texts rejected at their row.
    #[test]
    fn parquet_every_row_is_one_record(
        cells in prop::collection::vec(prop::option::weighted(0.9, text()), 1..30),
        kind in 0u8..4,
    ) {
        let mut data = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                data.push(0xFF);
            }
            match c {
                Some(s) => data.extend_from_slice(s.as_bytes()),
                None => data.push(0xFE),
            }
        }
        // Knobs: structured (0x40), text column type from the low bits.
        let mut input = vec![0x40 | kind, 0];
        input.extend_from_slice(&data);
        fuzzing::check_parquet(&input);
    }

    #[test]
    fn readers_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        fuzzing::check_jsonl(&bytes);
        fuzzing::check_csv(&bytes);
        fuzzing::check_text(&bytes);
        fuzzing::check_parquet(&bytes);
    }

    #[test]
    fn normalize_and_clean_invariants(text in "(\\PC|[\n\r\t\u{200B}-\u{200F}\u{00A0}\u{0301}\u{FEFF}]){0,200}") {
        fuzzing::check_normalize(text.as_bytes());
        fuzzing::check_clean(text.as_bytes());
    }
}

proptest! {
    // Whole builds are slower (tens of ms each).
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn build_keeps_input_equal_to_kept_plus_rejected(
        lines in prop::collection::vec(jline(), 0..25),
        rows in prop::collection::vec(csv_row(), 0..15),
        txt in prop::option::of(text()),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let input = tmp.path().join("in");
        std::fs::create_dir_all(&input).unwrap();
        let (jsonl, jwant) = jsonl_file(&lines, false, true);
        std::fs::write(input.join("a.jsonl"), jsonl).unwrap();
        let (csv, cwant) = csv_file(&rows, b',');
        std::fs::write(input.join("b.csv"), csv).unwrap();
        let mut expected = (jwant.len() + cwant.len()) as u64;
        if let Some(t) = &txt {
            std::fs::write(input.join("c.txt"), t).unwrap();
            expected += 1;
        }
        let counts = build(tmp.path(), &input);
        prop_assert_eq!(counts.input, expected);
        prop_assert_eq!(counts.input, counts.kept + counts.rejected);
        prop_assert_eq!(counts.rejected, counts.rejected_by_reason.values().sum::<u64>());
    }

    #[test]
    fn build_on_bytes_keeps_the_funnel(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let tmp = tempfile::tempdir().unwrap();
        fuzzing::check_build(&bytes, tmp.path());
    }
}

fn build(dir: &Path, input: &Path) -> corpusforge::manifest::Counts {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/boilerplate.toml");
    let text = format!(
        "[input]\npaths = [{:?}]\nmax_doc_bytes = {MAX}\n[output]\ndir = {:?}\nallow_empty = true\n\
         [clean]\nrules_file = {:?}\n[run]\nthreads = 2\n",
        input.to_string_lossy(),
        dir.join("out").to_string_lossy(),
        rules.to_string_lossy(),
    );
    let path = dir.join("config.toml");
    let loaded = LoadedConfig {
        config: Config::parse(&text, &path).unwrap(),
        text,
        path,
    };
    let opts = corpusforge::stages::BuildOptions::default();
    corpusforge::stages::build(&loaded, &opts).unwrap().counts
}
