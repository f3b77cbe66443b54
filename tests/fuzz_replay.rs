//! Replays the fuzz corpus kept in `tests/fuzz_corpus/<target>/` (inputs
//! the fuzz targets found interesting, minimized, and every input that once
//! crashed) through the same checks as the targets, under plain
//! `cargo test`: no nightly toolchain or libFuzzer needed.

use std::path::Path;

use corpusforge::fuzzing;

fn replay(target: &str, check: impl Fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&data)));
        if let Err(e) = r {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{target}: {} fails: {msg}", f.display());
        }
    }
    assert!(
        !files.is_empty(),
        "{target}: no corpus in {}",
        dir.display()
    );
    files.len()
}

#[test]
fn read_jsonl() {
    replay("read_jsonl", fuzzing::check_jsonl);
}

#[test]
fn read_csv() {
    replay("read_csv", fuzzing::check_csv);
}

#[test]
fn read_text() {
    replay("read_text", fuzzing::check_text);
}

#[test]
fn read_parquet() {
    replay("read_parquet", fuzzing::check_parquet);
}

#[test]
fn normalize() {
    replay("normalize", fuzzing::check_normalize);
}

#[test]
fn clean() {
    replay("clean", fuzzing::check_clean);
}

#[test]
fn whole_build() {
    let tmp = tempfile::tempdir().unwrap();
    replay("whole_build", |d| fuzzing::check_build(d, tmp.path()));
}
