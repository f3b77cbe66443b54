//! The broken-file suite: each test writes one kind of damaged or odd input
//! into a temp folder, builds it, and asserts the exact outcome: the reason
//! and location (file and line or row) of each rejected record, or the error
//! message and exit code of a file that cannot be read, and that the funnel
//! adds up (input = kept + rejected, by reason, and against the shards).
//! docs/inputs.md lists the kinds.

mod util;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use arrow_array::{ArrayRef, BinaryArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};

use util::*;

/// Original sentences, distinct enough that dedup keeps each, long enough
/// for the length filter.
const ART: [&str; 12] = [
    "The city council approved a new budget on Tuesday after a long debate about schools, roads and public transport in the northern districts.",
    "Farmers in the valley began the harvest two weeks early this year because the summer was unusually warm and the rivers ran low.",
    "A small museum near the harbour reopened its doors after three years of repairs, showing old maps, fishing boats and photographs of the port.",
    "Researchers at the university published a study on sleep which found that students who read before bed remembered more of their lessons.",
    "The national railway company announced that night trains between the two largest cities will run again from the beginning of next spring.",
    "Heavy snow closed the mountain pass for most of the weekend, and drivers were asked to wait in the villages until the ploughs had cleared it.",
    "The local football club signed a young goalkeeper from the second division, hoping that he will help the team avoid relegation this season.",
    "A new library opened in the old textile factory, with reading rooms on every floor and a garden on the roof where children listen to stories.",
    "The health ministry warned that the flu season could start earlier than usual and urged older people to get vaccinated before October ends.",
    "Fishermen complained that the new rules on net sizes were written without asking them, and they plan to meet the regional minister next month.",
    "An orchestra from the capital played in the cathedral on Sunday evening, and the concert raised money for the restoration of its ancient organ.",
    "The airport will build a second runway over the next six years, although residents of nearby towns fear the noise of more frequent flights.",
];

type Row = BTreeMap<String, Option<String>>;

/// One broken-input case: a temp folder with `in/` and a config.
struct Case {
    tmp: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        Case {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn dir(&self) -> &Path {
        self.tmp.path()
    }

    fn input(&self) -> PathBuf {
        self.dir().join("in")
    }

    fn out(&self) -> PathBuf {
        self.dir().join("out")
    }

    /// Write `in/<rel>`; returns its path.
    fn file(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.input().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn build(&self, extra_cfg: &str, args: &[&str]) -> Output {
        std::fs::create_dir_all(self.input()).unwrap();
        let cfg = config(self.dir(), extra_cfg);
        build(&cfg, &self.input(), &self.out(), args)
    }

    /// A build that must succeed with `input` records; checks the funnel and
    /// runs `verify` on the release.
    fn ok(&self, extra_cfg: &str, args: &[&str], input: u64) -> Release {
        let o = self.build(extra_cfg, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "build failed:\n{err}");
        let r = Release::read(&self.out());
        r.funnel_adds_up(input);
        let v = run(&["verify", self.out().to_str().unwrap()]);
        assert!(
            v.status.success(),
            "verify failed:\n{}",
            String::from_utf8_lossy(&v.stdout)
        );
        r
    }

    /// A build that must fail: (exit code, stderr).
    fn fails(&self, extra_cfg: &str, args: &[&str]) -> (i32, String) {
        let o = self.build(extra_cfg, args);
        assert!(!o.status.success(), "build should fail");
        assert!(!self.out().exists(), "a failed build left a release");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
}

/// A built release, read back.
struct Release {
    m: serde_json::Value,
    kept: Vec<Row>,
    rejected: Vec<Row>,
}

impl Release {
    fn read(out: &Path) -> Self {
        let kept = if out.join("data").exists() {
            rows(out, "data")
        } else {
            Vec::new()
        };
        let rejected = if out.join("rejected").exists() {
            rows(out, "rejected")
        } else {
            Vec::new()
        };
        Release {
            m: manifest(out),
            kept,
            rejected,
        }
    }

    fn count(&self, key: &str) -> u64 {
        self.m["counts"][key].as_u64().unwrap()
    }

    /// input = kept + rejected; the reasons add up; the shards hold as many
    /// rows; the per-file record counts add up to the input.
    fn funnel_adds_up(&self, input: u64) {
        let (i, k, r) = (
            self.count("input"),
            self.count("kept"),
            self.count("rejected"),
        );
        assert_eq!(i, input, "input documents");
        assert_eq!(i, k + r, "input = kept + rejected");
        let by: u64 = self.m["counts"]["rejected_by_reason"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(by, r, "reasons add up to rejected");
        assert_eq!(self.kept.len() as u64, k, "data rows");
        assert_eq!(self.rejected.len() as u64, r, "rejected rows");
        let per_file: u64 = self.m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["skipped"].is_null())
            .map(|f| f["records"].as_u64().unwrap())
            .sum();
        assert_eq!(per_file, i, "records per input file add up");
    }

    /// The one rejected row from `file` at `line` (`None`: a whole file).
    fn at(&self, file: &str, line: Option<u64>) -> &Row {
        let line = line.map(|l| l.to_string());
        let found: Vec<&Row> = self
            .rejected
            .iter()
            .filter(|r| r["source_file"].as_deref() == Some(file) && r["source_line"] == line)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one rejected row at {file}:{line:?}; rejected: {:#?}",
            self.rejected
        );
        found[0]
    }

    /// Assert the rejection at `file`/`line`: stage `read`, `reason`, and
    /// exactly `detail`.
    fn rejects(&self, file: &str, line: Option<u64>, reason: &str, detail: &str) -> &Row {
        let r = self.at(file, line);
        assert_eq!(r["stage"].as_deref(), Some("read"), "{r:?}");
        assert_eq!(r["reason"].as_deref(), Some(reason), "{r:?}");
        assert_eq!(r["detail"].as_deref(), Some(detail), "{r:?}");
        r
    }

    fn kept_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .kept
            .iter()
            .map(|r| r["id"].as_deref().unwrap())
            .collect();
        ids.sort();
        ids
    }

    fn kept_text(&self, id: &str) -> &str {
        self.kept
            .iter()
            .find(|r| r["id"].as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{id} not kept: {:?}", self.kept_ids()))["text"]
            .as_deref()
            .unwrap()
    }

    fn input_entry(&self, path: &str) -> &serde_json::Value {
        self.m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("{path} not in inputs"))
    }
}

fn line(id: &str, text: &str) -> String {
    format!("{}\n", serde_json::json!({"id": id, "text": text}))
}

/// The exit code and the whole message of a bad input file, for
/// `--on-bad-file=fail`; then the same build with `skip` lists the file
/// with that reason and builds the rest.
fn bad_file_fails_then_skips(case: &Case, rel: &str, message: &str, rest: u64) {
    let path = case.input().join(rel);
    let (code, err) = case.fails("", &[]);
    assert_eq!(code, 3, "{err}");
    let want = format!("error: {}{message}\n", path.display());
    assert!(err.starts_with(&want), "expected\n{want}got\n{err}");
    assert!(err.contains("hint: to build without such files, run with --on-bad-file=skip"));
    let r = case.ok("", &["--on-bad-file", "skip"], rest);
    let why = r.input_entry(rel)["skipped"].as_str().unwrap().to_string();
    assert!(why.ends_with(message), "{why}");
}

// ---------------------------------------------------------------- JSON Lines

#[test]
fn jsonl_line_cut_in_half() {
    let c = Case::new();
    let cut = "{\"id\":\"j2\",\"text\":\"The city council appro";
    let eof_cut = "{\"id\":\"j4\",\"text\":\"Farmers in the val";
    c.file(
        "a.jsonl",
        format!(
            "{}{cut}\n{}{eof_cut}",
            line("j1", ART[0]),
            line("j3", ART[1])
        ),
    );
    let r = c.ok("", &[], 4);
    assert_eq!(r.kept_ids(), ["j1", "j3"]);
    let detail = |l: &str| format!("EOF while parsing a string at line 1 column {}", l.len());
    let row = r.rejects("a.jsonl", Some(2), "malformed_json", &detail(cut));
    assert_eq!(row["id"].as_deref(), Some("a.jsonl#2"), "derived id");
    assert_eq!(row["text"].as_deref(), Some(cut), "the line as read");
    r.rejects("a.jsonl", Some(4), "malformed_json", &detail(eof_cut));
}

#[test]
fn jsonl_invalid_json() {
    let c = Case::new();
    let trailing = format!("{{\"id\":\"k2\",\"text\":\"{}\"}} and more", ART[1]);
    c.file(
        "a.jsonl",
        format!(
            "{{id: \"k1\", \"text\": \"x\"}}\n{trailing}\n{{\"id\":\"k3\",\"text\":'single'}}\n{}",
            line("k4", ART[0])
        ),
    );
    let r = c.ok("", &[], 4);
    assert_eq!(r.kept_ids(), ["k4"]);
    r.rejects(
        "a.jsonl",
        Some(1),
        "malformed_json",
        "key must be a string at line 1 column 2",
    );
    let col = trailing.len() - "and more".len() + 1;
    r.rejects(
        "a.jsonl",
        Some(2),
        "malformed_json",
        &format!("trailing characters at line 1 column {col}"),
    );
    r.rejects(
        "a.jsonl",
        Some(3),
        "malformed_json",
        "expected value at line 1 column 19",
    );
}

#[test]
fn jsonl_value_that_is_not_an_object() {
    let c = Case::new();
    c.file(
        "a.jsonl",
        format!(
            "[1,2,3]\n\"a string\"\n42\nnull\ntrue\n{}",
            line("o6", ART[0])
        ),
    );
    let r = c.ok("", &[], 6);
    for (l, kind) in [
        (1, "an array"),
        (2, "a string"),
        (3, "a number"),
        (4, "null"),
        (5, "a boolean"),
    ] {
        r.rejects(
            "a.jsonl",
            Some(l),
            "malformed_json",
            &format!("expected a JSON object, found {kind}"),
        );
    }
    assert_eq!(r.kept_ids(), ["o6"]);
}

#[test]
fn jsonl_text_missing_not_a_string_null_or_empty() {
    let c = Case::new();
    c.file(
        "a.jsonl",
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            serde_json::json!({"id": "m1", "title": "no text"}),
            serde_json::json!({"id": "m2", "text": 5}),
            serde_json::json!({"id": "m3", "text": null}),
            serde_json::json!({"id": "m4", "text": "  \n "}),
            serde_json::json!({"id": "m5", "text": ["a", {"b": 1}]}),
            line("m6", ART[0]),
        ),
    );
    let r = c.ok("", &[], 6);
    for (l, detail) in [
        (1, "no field \"text\""),
        (2, "field \"text\" is not a string: 5"),
        (3, "field \"text\" is null"),
        (4, "field \"text\" is empty"),
        (5, "field \"text\" is not a string: [\"a\",{\"b\":1}]"),
    ] {
        let row = r.rejects("a.jsonl", Some(l), "missing_text", detail);
        assert_eq!(row["id"].as_deref(), Some(format!("m{l}").as_str()));
    }
    assert_eq!(r.kept_ids(), ["m6"]);
}

#[test]
fn nul_bytes() {
    let c = Case::new();
    let raw_nul = format!(
        "{{\"id\":\"n1\",\"text\":\"{}\0{}\"}}",
        &ART[0][..20],
        &ART[0][20..]
    );
    let escaped = serde_json::json!({"id": "n3", "text": format!("{}\u{0}\u{0}{}", &ART[1][..30], &ART[1][30..])});
    let mut bytes = format!("{raw_nul}\n").into_bytes();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes.extend_from_slice(format!("\n{escaped}\n").as_bytes());
    c.file("a.jsonl", bytes);
    c.file("b.txt", format!("{}\0\0{}", &ART[2][..10], &ART[2][10..]));
    let r = c.ok("", &[], 4);
    r.rejects(
        "a.jsonl",
        Some(1),
        "malformed_json",
        "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 40",
    );
    // The zeros a crash leaves at the end of a preallocated file.
    r.rejects(
        "a.jsonl",
        Some(2),
        "malformed_json",
        "expected value at line 1 column 1",
    );
    assert_eq!(r.kept_text("n3"), ART[1], "escaped NULs are removed");
    assert_eq!(
        r.kept_text("b.txt"),
        ART[2],
        "NULs in a text file are removed"
    );
}

#[test]
fn invalid_utf8_without_an_encoding() {
    let c = Case::new();
    let mut jsonl = b"{\"id\":\"u1\",\"text\":\"".to_vec();
    jsonl.extend_from_slice(&ART[0].as_bytes()[..20]);
    jsonl.extend_from_slice(b"\xff\xfe");
    jsonl.extend_from_slice(&ART[0].as_bytes()[20..]);
    jsonl.extend_from_slice(b"\"}\n");
    c.file("a.jsonl", jsonl);
    let mut csv = b"id,text\nu2,\"".to_vec();
    csv.extend_from_slice(&ART[1].as_bytes()[..10]);
    csv.push(0xC3);
    csv.extend_from_slice(&ART[1].as_bytes()[10..]);
    csv.extend_from_slice(b"\"\n");
    c.file("b.csv", csv);
    let r = c.ok("", &[], 2);
    assert_eq!(r.count("repaired_invalid_utf8"), 2);
    // Each invalid byte is one replacement character.
    assert_eq!(
        r.kept_text("u1"),
        format!("{}\u{FFFD}\u{FFFD}{}", &ART[0][..20], &ART[0][20..])
    );
    assert_eq!(
        r.kept_text("u2"),
        format!("{}\u{FFFD}{}", &ART[1][..10], &ART[1][10..])
    );
}

#[test]
fn latin1_file_with_input_encoding() {
    let c = Case::new();
    let fr = "Le conseil municipal a approuvé mardi un nouveau budget après un long débat sur les écoles, les routes et les transports publics.";
    let json = line("l1", fr);
    let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(&json);
    assert!(!bad);
    assert!(std::str::from_utf8(&bytes).is_err(), "really Latin-1");
    c.file("a.jsonl", bytes);
    let r = c.ok("[input]\nencoding = \"latin1\"\n", &[], 1);
    assert_eq!(r.kept_text("l1"), fr);
    assert_eq!(r.count("repaired_invalid_utf8"), 0);
}

#[test]
fn windows_1256_tsv_with_input_encoding() {
    let c = Case::new();
    let ar = "اجتمعت اللجنة يوم الثلاثاء لمناقشة الميزانية الجديدة لمدارس المدينة وطرقها في الأحياء الشمالية من العاصمة.";
    let (bytes, _, bad) = encoding_rs::WINDOWS_1256.encode(ar);
    assert!(!bad);
    let mut tsv = b"id\ttext\nw1\t".to_vec();
    tsv.extend_from_slice(&bytes);
    tsv.push(b'\n');
    c.file("a.tsv", tsv);
    let r = c.ok("[input]\nencoding = \"windows-1256\"\n", &[], 1);
    assert_eq!(r.kept_text("w1"), ar);
    assert_eq!(r.kept[0]["lang"].as_deref(), Some("ara_Arab"));
}

#[test]
fn byte_order_mark_at_start() {
    let c = Case::new();
    let bom = "\u{FEFF}";
    c.file("a.jsonl", format!("{bom}{}", line("b1", ART[0])));
    c.file("b.csv", format!("{bom}text,id\n\"{}\",b2\n", ART[1]));
    c.file("c.txt", format!("{bom}{}", ART[2]));
    let r = c.ok("", &[], 3);
    assert_eq!(r.kept_ids(), ["b1", "b2", "c.txt"]);
    assert_eq!(r.kept_text("c.txt"), ART[2]);
}

#[test]
fn crlf_line_endings() {
    let c = Case::new();
    let body = format!("{}\r\n{}\r\n", ART[0], ART[1]);
    c.file(
        "a.jsonl",
        format!(
            "{}\r\n\r\n{}\r\n",
            serde_json::json!({"id": "r1", "text": body}),
            serde_json::json!({"id": "r2", "text": ART[2]})
        ),
    );
    c.file(
        "b.csv",
        format!(
            "id,text\r\nr3,\"{}\r\n{}\"\r\nr4,\"{}\"\r\n",
            ART[3], ART[4], ART[5]
        ),
    );
    c.file("c.txt", format!("{}\r\n\r\n{}\r\n", ART[6], ART[7]));
    let r = c.ok("", &[], 5);
    assert_eq!(r.kept_text("r1"), format!("{}\n{}", ART[0], ART[1]));
    assert_eq!(r.kept_text("r3"), format!("{}\n{}", ART[3], ART[4]));
    assert_eq!(r.kept_text("c.txt"), format!("{}\n\n{}", ART[6], ART[7]));
    let line_of = |id: &str| {
        r.kept
            .iter()
            .find(|k| k["id"].as_deref() == Some(id))
            .unwrap()["source_line"]
            .clone()
    };
    assert_eq!(line_of("r2"), Some("3".into()));
    assert_eq!(line_of("r3"), Some("2".into()));
    assert_eq!(line_of("r4"), Some("4".into()));
}

#[test]
fn empty_files() {
    let c = Case::new();
    for f in ["a.jsonl", "b.csv", "c.tsv", "d.txt"] {
        c.file(f, "");
    }
    c.file("e.jsonl", line("e1", ART[0]));
    let r = c.ok("", &[], 2);
    r.rejects("d.txt", None, "missing_text", "the file is empty");
    for (f, n) in [
        ("a.jsonl", 0),
        ("b.csv", 0),
        ("c.tsv", 0),
        ("d.txt", 1),
        ("e.jsonl", 1),
    ] {
        assert_eq!(r.input_entry(f)["records"], n, "{f}");
    }
}

#[test]
fn files_of_only_blank_lines() {
    let c = Case::new();
    c.file("a.jsonl", "\n\n  \r\n\t\n");
    c.file("b.csv", "\n\n\r\n");
    c.file("c.txt", " \n\t\n");
    c.file("d.jsonl", format!("\n\n{}\n", line("d1", ART[0])));
    let r = c.ok("", &[], 2);
    r.rejects(
        "c.txt",
        None,
        "missing_text",
        "the file has only whitespace (4 bytes)",
    );
    let d1 = &r.kept[0];
    assert_eq!(d1["source_line"].as_deref(), Some("3"), "blank lines count");
    assert_eq!(r.input_entry("a.jsonl")["records"], 0);
    assert_eq!(r.input_entry("b.csv")["records"], 0);
}

#[test]
fn deeply_nested_json() {
    let c = Case::new();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    c.file("a.jsonl", format!("{deep}\n{}", line("d2", ART[0])));
    let r = c.ok("", &[], 2);
    r.rejects(
        "a.jsonl",
        Some(1),
        "malformed_json",
        "recursion limit exceeded at line 1 column 128",
    );
}

#[test]
fn long_line_without_newline_at_the_end() {
    let c = Case::new();
    // With max_doc_bytes = 1000 a line over 1250 bytes is not kept in memory.
    let long = format!("{{\"id\":\"x\",\"text\":\"{}\"}}", "word ".repeat(1000));
    c.file("a.jsonl", format!("{}{long}", line("x1", ART[0])));
    // A last line without a newline that fits is an ordinary record.
    c.file("b.jsonl", line("x2", ART[1]).trim_end());
    let r = c.ok("[input]\nmax_doc_bytes = 1000\n", &[], 3);
    r.rejects(
        "a.jsonl",
        Some(2),
        "too_large",
        &format!(
            "line is {} bytes (the file ends inside it), over input.max_doc_bytes = 1000",
            long.len()
        ),
    );
    assert_eq!(r.kept_ids(), ["x1", "x2"]);
}

/// A 200 MB base64 "article" on one line of a `.jsonl.gz` (it compresses
/// to a few hundred KB): rejected as `too_large` with its size, the lines
/// around it kept. That the reader holds at most `max_doc_bytes` and a
/// quarter of it is checked by allocation in `tests/memory.rs`.
#[test]
fn base64_blob_of_200_mb() {
    let c = Case::new();
    let n = 200 << 20;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(line("g1", ART[0]).as_bytes()).unwrap();
    enc.write_all(b"{\"id\":\"blob\",\"text\":\"").unwrap();
    let chunk: Vec<u8> =
        b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkrLw=="
            .iter()
            .copied()
            .cycle()
            .take(1 << 20)
            .collect();
    for _ in 0..n / chunk.len() {
        enc.write_all(&chunk).unwrap();
    }
    enc.write_all(b"\"}\n").unwrap();
    enc.write_all(line("g3", ART[1]).as_bytes()).unwrap();
    c.file("blob.jsonl.gz", enc.finish().unwrap());
    let r = c.ok("", &[], 3);
    let len = "{\"id\":\"blob\",\"text\":\"".len() + n + "\"}".len();
    let row = r.rejects(
        "blob.jsonl.gz",
        Some(2),
        "too_large",
        &format!("line is {len} bytes, over input.max_doc_bytes = 16777216"),
    );
    assert_eq!(row["text"].as_deref(), Some(""), "the blob is not copied");
    assert_eq!(r.kept_ids(), ["g1", "g3"]);
}

#[test]
fn multi_member_gzip_is_read_whole() {
    let c = Case::new();
    let mut bytes = Vec::new();
    for (i, a) in ART[..3].iter().enumerate() {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(line(&format!("z{i}"), a).as_bytes()).unwrap();
        bytes.extend(e.finish().unwrap());
    }
    c.file("a.jsonl.gz", bytes);
    let r = c.ok("", &[], 3);
    assert_eq!(r.kept_ids(), ["z0", "z1", "z2"]);
}

// ------------------------------------------------------- compressed archives

/// 2000 lines, compressed with `pack`, cut in half; returns the cut bytes
/// and the number of whole lines before the cut.
fn cut_archive(pack: fn(&[u8]) -> Vec<u8>, unpack: fn(&[u8]) -> Vec<u8>) -> (Vec<u8>, usize) {
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&line(&format!("t{i}"), &format!("{} ({i})", ART[i % 12])));
    }
    let packed = pack(text.as_bytes());
    let cut = packed[..packed.len() / 2].to_vec();
    let readable = unpack(&cut);
    let whole = readable.iter().filter(|&&b| b == b'\n').count();
    (cut, whole)
}

/// What a decoder yields before it fails.
fn read_until_error(mut r: impl Read) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = r.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

#[test]
fn truncated_gzip() {
    let c = Case::new();
    let (cut, whole) = cut_archive(
        |b| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(b).unwrap();
            e.finish().unwrap()
        },
        |b| read_until_error(flate2::read::MultiGzDecoder::new(b)),
    );
    c.file("cut.jsonl.gz", cut);
    c.file("ok.jsonl", line("ok", ART[0]));
    bad_file_fails_then_skips(
        &c,
        "cut.jsonl.gz",
        &format!(
            ", line {}: cannot decompress: gzip data ends early (incomplete deflate stream): the file is truncated; download or compress it again",
            whole + 1
        ),
        1,
    );
}

#[test]
fn truncated_zstd() {
    let c = Case::new();
    let (cut, whole) = cut_archive(
        |b| zstd::encode_all(b, 3).unwrap(),
        |b| read_until_error(zstd::stream::read::Decoder::new(b).unwrap()),
    );
    c.file("cut.jsonl.zst", cut);
    c.file("ok.jsonl", line("ok", ART[0]));
    bad_file_fails_then_skips(
        &c,
        "cut.jsonl.zst",
        &format!(
            ", line {}: cannot decompress: zstd data ends early (incomplete frame): the file is truncated; download or compress it again",
            whole + 1
        ),
        1,
    );
}

#[test]
fn gz_that_is_not_gzip() {
    let c = Case::new();
    c.file("a.jsonl.gz", line("p", ART[0]));
    c.file("ok.jsonl", line("ok", ART[1]));
    bad_file_fails_then_skips(
        &c,
        "a.jsonl.gz",
        ", line 1: cannot decompress: gzip data is corrupt or not gzip at all (invalid gzip header); download or compress it again",
        1,
    );
}

#[test]
fn zst_that_is_not_zstd() {
    let c = Case::new();
    c.file("a.csv.zst", "id,text\n1,plain text\n");
    c.file("ok.jsonl", line("ok", ART[1]));
    bad_file_fails_then_skips(
        &c,
        "a.csv.zst",
        ", line 1: cannot decompress: zstd data is corrupt or not zstd at all (Unknown frame descriptor); download or compress it again",
        1,
    );
}

#[test]
fn empty_gz_file() {
    let c = Case::new();
    c.file("a.jsonl.gz", "");
    c.file("ok.jsonl", line("ok", ART[1]));
    bad_file_fails_then_skips(
        &c,
        "a.jsonl.gz",
        ", line 1: cannot decompress: the file is empty (0 bytes), not gzip data; download or compress it again",
        1,
    );
}

// ------------------------------------------------------------------- Parquet

fn parquet_bytes(columns: Vec<(&str, ArrayRef)>) -> Vec<u8> {
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let batch =
        RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect()).unwrap();
    let mut out = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

fn good_parquet() -> Vec<u8> {
    parquet_bytes(vec![
        (
            "id",
            Arc::new(StringArray::from(vec!["q1", "q2"])) as ArrayRef,
        ),
        ("text", Arc::new(StringArray::from(vec![ART[0], ART[1]]))),
    ])
}

#[test]
fn parquet_that_is_not_parquet() {
    let c = Case::new();
    c.file("a.parquet", line("p", ART[0]));
    c.file("ok.jsonl", line("ok", ART[1]));
    bad_file_fails_then_skips(
        &c,
        "a.parquet",
        ": not a readable Parquet file: Parquet error: Invalid Parquet file. Corrupt footer",
        1,
    );
}

#[test]
fn truncated_parquet() {
    let c = Case::new();
    let good = good_parquet();
    c.file("a.parquet", &good[..good.len() / 2]);
    c.file("ok.jsonl", line("ok", ART[1]));
    bad_file_fails_then_skips(
        &c,
        "a.parquet",
        ": not a readable Parquet file: Parquet error: Invalid Parquet file. Corrupt footer",
        1,
    );
}

#[test]
fn parquet_without_the_text_column() {
    let c = Case::new();
    c.file(
        "a.parquet",
        parquet_bytes(vec![
            ("id", Arc::new(StringArray::from(vec!["q1"])) as ArrayRef),
            ("body", Arc::new(StringArray::from(vec![ART[0]]))),
        ]),
    );
    c.file("ok.jsonl", line("ok", ART[1]));
    bad_file_fails_then_skips(
        &c,
        "a.parquet",
        ": no text column \"text\" (columns: id, body); set input.fields.text",
        1,
    );
}

#[test]
fn parquet_text_column_that_is_not_a_string() {
    let c = Case::new();
    c.file(
        "a.parquet",
        parquet_bytes(vec![(
            "text",
            Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef,
        )]),
    );
    c.file("ok.jsonl", line("ok", ART[1]));
    bad_file_fails_then_skips(
        &c,
        "a.parquet",
        ": column \"text\" has type Int64, not a string column; set input.fields.text",
        1,
    );
}

/// Null texts are rejected with their row; invalid UTF-8 in a byte column
/// is repaired and counted; a dictionary-encoded column is read.
#[test]
fn parquet_nulls_invalid_utf8_and_dictionary() {
    let c = Case::new();
    let mut bad = ART[0].as_bytes()[..30].to_vec();
    bad.push(0xFF);
    bad.extend_from_slice(&ART[0].as_bytes()[30..]);
    c.file(
        "a.parquet",
        parquet_bytes(vec![
            (
                "id",
                Arc::new(Int64Array::from(vec![10, 11, 12])) as ArrayRef,
            ),
            (
                "text",
                Arc::new(BinaryArray::from(vec![
                    Some(&bad[..]),
                    None,
                    Some(ART[1].as_bytes()),
                ])),
            ),
        ]),
    );
    let dict: arrow_array::DictionaryArray<arrow_array::types::Int32Type> =
        vec![ART[2], ART[3]].into_iter().collect();
    c.file(
        "b.parquet",
        parquet_bytes(vec![
            (
                "id",
                Arc::new(StringArray::from(vec!["d1", "d2"])) as ArrayRef,
            ),
            ("text", Arc::new(dict)),
        ]),
    );
    let r = c.ok("", &[], 5);
    let row = r.rejects(
        "a.parquet",
        Some(2),
        "missing_text",
        "field \"text\" is null",
    );
    assert_eq!(row["id"].as_deref(), Some("11"));
    assert_eq!(
        r.kept_text("10"),
        format!("{}\u{FFFD}{}", &ART[0][..30], &ART[0][30..])
    );
    assert_eq!(r.count("repaired_invalid_utf8"), 1);
    assert_eq!(r.kept_text("d2"), ART[3]);
    assert_eq!(r.kept_ids(), ["10", "12", "d1", "d2"]);
}

// ------------------------------------------------------------------ CSV, TSV

#[test]
fn csv_stray_quote() {
    let c = Case::new();
    c.file(
        "a.csv",
        format!(
            "id,text\nc1,{}\nc2,\"{}\nc3,{}\nc4,{}\n",
            ART[0].replace(',', ";"),
            ART[1].replace(',', ";"),
            ART[2].replace(',', ";"),
            ART[3].replace(',', ";"),
        ),
    );
    // A quote inside an unquoted field is text.
    c.file(
        "b.csv",
        format!("id,text\nc5,He said \"yes\" {}\n", ART[4].replace(',', ";")),
    );
    let r = c.ok("", &[], 3);
    let row = r.at("a.csv", Some(3));
    assert_eq!(row["reason"].as_deref(), Some("malformed_csv"));
    let swallowed = ART[1].len() + 1 + 3 + ART[2].len() + 1 + 3 + ART[3].len() + 1;
    assert_eq!(
        row["detail"].as_deref(),
        Some(
            format!(
                "a quote opened on line 3 is never closed: the rest of the file (3 lines, {swallowed} bytes) was read as one field"
            )
            .as_str()
        )
    );
    assert_eq!(r.kept_ids(), ["c1", "c5"]);
    assert!(r.kept_text("c5").starts_with("He said \"yes\" "));
}

#[test]
fn csv_rows_with_too_many_or_too_few_fields() {
    let c = Case::new();
    assert_eq!(ART[0].matches(',').count(), 1);
    c.file(
        "a.csv",
        format!(
            "id,title,text\nf1,T,\"{}\"\nf2,T,{}\nf3,\"{}\"\nf4,T,\"{}\"\n",
            ART[1], ART[0], ART[2], ART[3]
        ),
    );
    let r = c.ok("", &[], 4);
    r.rejects(
        "a.csv",
        Some(3),
        "malformed_csv",
        "row has 4 fields, the header has 3 (an unquoted delimiter inside a field?)",
    );
    r.rejects(
        "a.csv",
        Some(4),
        "malformed_csv",
        "row has 2 fields, the header has 3 (a line break inside an unquoted field, or a cut row?)",
    );
    assert_eq!(r.kept_ids(), ["f1", "f4"]);
}

#[test]
fn csv_without_the_text_column() {
    let c = Case::new();
    c.file("a.csv", format!("id,body\n1,\"{}\"\n", ART[0]));
    c.file("ok.jsonl", line("ok", ART[1]));
    bad_file_fails_then_skips(
        &c,
        "a.csv",
        ", line 1: header has no text column \"text\" (columns: id, body); set input.fields.text",
        1,
    );
}

#[test]
fn tsv_with_embedded_newlines() {
    let c = Case::new();
    c.file(
        "a.tsv",
        format!(
            "id\ttext\nt1\t\"{}\n{}\"\nt2\t{}\nt3\t{}\n{}\nt4\t{}\n",
            ART[0], ART[1], ART[2], ART[3], ART[4], ART[5]
        ),
    );
    let r = c.ok("", &[], 5);
    assert_eq!(r.kept_text("t1"), format!("{}\n{}", ART[0], ART[1]));
    let line_of = |id: &str| {
        r.kept
            .iter()
            .find(|k| k["id"].as_deref() == Some(id))
            .unwrap()["source_line"]
            .clone()
    };
    assert_eq!(line_of("t1"), Some("2".into()));
    assert_eq!(line_of("t2"), Some("4".into()));
    assert_eq!(line_of("t4"), Some("7".into()));
    // An unquoted line break splits a row in two: the first half looks like
    // a whole row (t3 keeps the first line only), the rest is reported.
    assert_eq!(r.kept_text("t3"), ART[3]);
    r.rejects(
        "a.tsv",
        Some(6),
        "malformed_csv",
        "row has 1 field, the header has 2 (a line break inside an unquoted field, or a cut row?)",
    );
}

#[test]
fn text_file_over_the_limit_is_not_read() {
    let c = Case::new();
    c.file("big.txt", "word ".repeat(400));
    c.file("ok.txt", ART[0]);
    let r = c.ok("[input]\nmax_doc_bytes = 1000\n", &[], 2);
    r.rejects(
        "big.txt",
        None,
        "too_large",
        "file is 2000 bytes, over input.max_doc_bytes = 1000",
    );
}

#[test]
fn utf16_file() {
    let c = Case::new();
    let mut bytes = vec![0xFF, 0xFE];
    for u in line("u16", ART[0]).encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    c.file("a.jsonl", &bytes);
    // Read as UTF-8 it is not JSON: reported, not guessed at. The byte
    // after the 0x0A of the line end is a second "line". Nothing is kept,
    // so the release needs --allow-empty.
    let r = c.ok("", &["--allow-empty"], 2);
    for l in [1, 2] {
        r.rejects(
            "a.jsonl",
            Some(l),
            "malformed_json",
            "expected value at line 1 column 1",
        );
    }
    // And UTF-16 is refused as an encoding: lines are split at byte 0x0A.
    let c = Case::new();
    c.file("a.jsonl", &bytes);
    let (code, err) = c.fails("[input]\nencoding = \"utf-16le\"\n", &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("input.encoding = \"utf-16le\": UTF-16 input is not supported"),
        "{err}"
    );
}

// ------------------------------------------------------- files and folders

/// Run as root (the usual case in containers), reading ignores the mode
/// bits; the build then runs as `nobody` through `setpriv`.
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// `corpusforge build` as a user for whom the mode bits count, or `None`
/// (with the reason printed) when that cannot be arranged. The child gets
/// what it needs in the case's own world-readable folder (a copy of the
/// binary, a config with the built-in rules), so the test passes wherever
/// the checkout is, a 0700 home included.
fn build_unprivileged(c: &Case, extra: &[&str]) -> Option<Output> {
    use std::os::unix::fs::PermissionsExt;
    let cfg = config(c.dir(), "");
    let (input, out) = (c.input(), c.out());
    let args = build_args(&cfg, &input, &out, extra);
    if !is_root() {
        return Some(run(&args));
    }
    if Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: running as root and `setpriv` is missing, so no read can be denied");
        return None;
    }
    // `nobody` must be able to enter the temp folder, run the binary, read
    // the config and write the release.
    std::fs::set_permissions(c.dir(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let bin = c.dir().join("corpusforge");
    std::fs::copy(env!("CARGO_BIN_EXE_corpusforge"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = std::fs::read_to_string(&cfg).unwrap();
    let own: String = text
        .lines()
        .filter(|l| !l.starts_with("rules_file"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&cfg, own).unwrap();
    let as_nobody = || {
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .current_dir(c.dir());
        cmd
    };
    if !as_nobody()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!(
            "skipped: user nobody cannot reach {} (a folder above it is closed to others; \
             set TMPDIR to an open folder to run this test)",
            c.dir().display()
        );
        return None;
    }
    Some(as_nobody().args(args).output().unwrap())
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let c = Case::new();
    let p = c.file("secret.jsonl", line("s", ART[0]));
    c.file("ok.jsonl", line("ok", ART[1]));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let Some(o) = build_unprivileged(&c, &[]) else {
        return;
    };
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    let want = format!(
        "error: {}: cannot open: Permission denied (os error 13)\n",
        p.display()
    );
    assert!(err.starts_with(&want), "expected\n{want}got\n{err}");
    assert!(!c.out().exists());
}

#[test]
fn unreadable_file_is_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let c = Case::new();
    let p = c.file("secret.jsonl", line("s", ART[0]));
    c.file("ok.jsonl", line("ok", ART[1]));
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let Some(o) = build_unprivileged(&c, &["--on-bad-file", "skip"]) else {
        return;
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = Release::read(&c.out());
    r.funnel_adds_up(1);
    let why = r.input_entry("secret.jsonl")["skipped"].as_str().unwrap();
    assert!(
        why.ends_with(": cannot open: Permission denied (os error 13)"),
        "{why}"
    );
}

#[test]
fn broken_symbolic_link() {
    let c = Case::new();
    c.file("ok.jsonl", line("ok", ART[1]));
    let link = c.input().join("gone.jsonl");
    std::os::unix::fs::symlink(c.dir().join("no-such-file.jsonl"), &link).unwrap();
    let (code, err) = c.fails("", &[]);
    assert_eq!(code, 3, "{err}");
    let want = format!(
        "error: {}: cannot open: broken symbolic link (No such file or directory (os error 2))\n",
        link.display()
    );
    assert!(err.starts_with(&want), "expected\n{want}got\n{err}");
}

#[test]
fn folder_named_like_a_file() {
    let c = Case::new();
    c.file("x.jsonl/inner.jsonl", line("in1", ART[0]));
    std::fs::create_dir_all(c.input().join("empty.csv")).unwrap();
    let r = c.ok("", &[], 1);
    let row = &r.kept[0];
    assert_eq!(row["source_file"].as_deref(), Some("x.jsonl/inner.jsonl"));
    assert_eq!(r.m["inputs"].as_array().unwrap().len(), 1);
    // Given as the input itself, such a folder is walked too.
    let out = c.dir().join("out2");
    build_ok(&config(c.dir(), ""), &c.input().join("x.jsonl"), &out, &[]);
    assert_eq!(manifest(&out)["counts"]["kept"], 1);
}

/// Wait for a build at most `secs` seconds (a named pipe would block it).
fn build_within(c: &Case, secs: u64) -> Output {
    let cfg = config(c.dir(), "");
    let child = Command::new(env!("CARGO_BIN_EXE_corpusforge"))
        .args(["build", "--config", cfg.to_str().unwrap(), "--input"])
        .arg(c.input())
        .arg("--output")
        .arg(c.out())
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(o) => o.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("build still running after {secs} s");
        }
    }
}

#[test]
fn named_pipe_is_not_opened() {
    let c = Case::new();
    c.file("ok.jsonl", line("ok", ART[0]));
    let fifo = c.input().join("pipe.jsonl");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo failed");
        return;
    }
    let o = build_within(&c, 60);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = Release::read(&c.out());
    r.funnel_adds_up(1);
    let ignored = &r.m["ignored_inputs"];
    assert_eq!(
        ignored,
        &serde_json::json!([{"path": "pipe.jsonl", "reason": "not a regular file (named pipe)"}])
    );
}

#[test]
fn symbolic_link_loop() {
    let c = Case::new();
    c.file("sub/a.jsonl", line("l1", ART[0]));
    std::os::unix::fs::symlink("..", c.input().join("sub/up")).unwrap();
    let r = c.ok("", &[], 1);
    assert_eq!(
        r.m["ignored_inputs"],
        serde_json::json!([{
            "path": "sub/up",
            "reason": "folder already walked (a symbolic link loop, or a second link to it)"
        }])
    );
}

#[test]
fn hidden_and_unknown_files_are_listed_as_ignored() {
    let c = Case::new();
    c.file("ok.jsonl", line("ok", ART[0]));
    c.file(".partial.jsonl", line("h", ART[1]));
    c.file("notes.md", "# notes");
    c.file("meta.json", "{}");
    let r = c.ok("", &[], 1);
    assert_eq!(
        r.m["ignored_inputs"],
        serde_json::json!([
            {"path": ".partial.jsonl", "reason": "hidden file"},
            {"path": "meta.json", "reason": "unknown extension"},
            {"path": "notes.md", "reason": "unknown extension"},
        ])
    );
}

#[test]
fn duplicate_ids_with_the_same_text() {
    let c = Case::new();
    c.file(
        "a.jsonl",
        format!("{}{}", line("d1", ART[0]), line("d1", ART[0])),
    );
    c.file("b.csv", format!("id,text\nd1,\"{}\"\n", ART[0]));
    let r = c.ok("", &[], 3);
    assert_eq!(r.kept_ids(), ["d1"]);
    for (file, l) in [("a.jsonl", 2), ("b.csv", 2)] {
        let row = r.at(file, Some(l));
        assert_eq!(row["stage"].as_deref(), Some("dedup"));
        assert_eq!(row["reason"].as_deref(), Some("exact_duplicate"));
        assert_eq!(row["detail"].as_deref(), Some("same folded text as d1"));
        assert_eq!(row["dup_of"].as_deref(), Some("d1"));
    }
}

/// Two different documents with one id: the later one is rejected
/// (`duplicate_id`), since ids of a release are unique.
#[test]
fn duplicate_ids_with_different_texts() {
    let c = Case::new();
    c.file(
        "a.jsonl",
        format!("{}{}", line("d1", ART[0]), line("d1", ART[1])),
    );
    let r = c.ok("", &[], 2);
    assert_eq!(r.kept_ids(), ["d1"]);
    let row = r.at("a.jsonl", Some(2));
    assert_eq!(row["reason"].as_deref(), Some("duplicate_id"));
}

/// A CSV field over the limit: just over, measured on the decoded text;
/// far over, rejected before it is decoded (not copied again).
#[test]
fn csv_text_field_over_the_limit() {
    let c = Case::new();
    let (near, far) = ("word ".repeat(220), "word ".repeat(400));
    c.file(
        "a.csv",
        format!("id,text\nv1,{near}\nv2,{far}\nv3,\"{}\"\n", ART[0]),
    );
    let r = c.ok("[input]\nmax_doc_bytes = 1000\n", &[], 3);
    r.rejects(
        "a.csv",
        Some(2),
        "too_large",
        "text is 1100 bytes, over input.max_doc_bytes = 1000",
    );
    r.rejects(
        "a.csv",
        Some(3),
        "too_large",
        "field \"text\" is 2000 bytes, over input.max_doc_bytes = 1000",
    );
    assert_eq!(r.kept_ids(), ["v3"]);
}
