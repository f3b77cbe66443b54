//! Helpers for the integration tests: run the built binary, read shards.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// The repository root (tests run with it as the working directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `corpusforge` with arguments, from the repository root.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corpusforge"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run corpusforge")
}

/// Run and require success, returning stderr.
pub fn run_ok(args: &[&str]) -> String {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "corpusforge {args:?} failed:\n{err}");
    err
}

/// Every file below `dir`, relative path -> bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

pub fn manifest(release: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(release.join("manifest.json")).unwrap()).unwrap()
}

pub fn batches(path: &Path) -> Vec<RecordBatch> {
    let f = File::open(path).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

/// A column of all shards under `release/<sub>` as optional strings
/// (string columns) or printed values (others), in shard order.
pub fn rows(release: &Path, sub: &str) -> Vec<BTreeMap<String, Option<String>>> {
    let mut files: Vec<PathBuf> = tree(&release.join(sub))
        .keys()
        .filter(|k| k.ends_with(".parquet"))
        .map(|k| release.join(sub).join(k))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        for b in batches(&f) {
            for i in 0..b.num_rows() {
                let mut row = BTreeMap::new();
                for (field, col) in b.schema().fields().iter().zip(b.columns()) {
                    let v = if col.is_null(i) {
                        None
                    } else if let Some(s) = col.as_string_opt::<i32>() {
                        Some(s.value(i).to_string())
                    } else if let Some(s) = col.as_string_opt::<i64>() {
                        Some(s.value(i).to_string())
                    } else if let Some(a) = col.as_primitive_opt::<Int64Type>() {
                        Some(a.value(i).to_string())
                    } else if let Some(a) = col.as_primitive_opt::<Int32Type>() {
                        Some(a.value(i).to_string())
                    } else if let Some(a) = col.as_primitive_opt::<Float32Type>() {
                        Some(a.value(i).to_string())
                    } else if let Some(a) = col.as_boolean_opt() {
                        Some(a.value(i).to_string())
                    } else if let Some(l) = col.as_list_opt::<i32>() {
                        // A list of strings, as a JSON array.
                        let v = l.value(i);
                        let s = v.as_string::<i32>();
                        let items: Vec<&str> = (0..s.len()).map(|j| s.value(j)).collect();
                        Some(serde_json::to_string(&items).unwrap())
                    } else {
                        panic!("unexpected column type {}", col.data_type())
                    };
                    row.insert(field.name().clone(), v);
                }
                out.push(row);
            }
        }
    }
    out
}

/// Write a config for a temp build whose inputs and output are given.
pub fn config(dir: &Path, extra: &str) -> PathBuf {
    let rules = root().join("configs/boilerplate.toml");
    // The quality filters are off here: these inputs are one-sentence
    // documents that test other stages; the filters have their own tests.
    let text = format!(
        "[clean]\nrules_file = {:?}\n\
         [filter.quality.gopher_repetition]\nenabled = false\n\
         [filter.quality.gopher_quality]\nenabled = false\n\
         [filter.quality.fineweb]\nenabled = false\n{extra}\n",
        rules.to_string_lossy()
    );
    let p = dir.join("config.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// The arguments `build --config CFG --input INPUT --output OUT EXTRA...`.
pub fn build_args<'a>(
    cfg: &'a Path,
    input: &'a Path,
    out: &'a Path,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "build",
        "--config",
        cfg.to_str().unwrap(),
        "--input",
        input.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args
}

/// `corpusforge build --config CFG --input INPUT --output OUT EXTRA...`.
pub fn build(cfg: &Path, input: &Path, out: &Path, extra: &[&str]) -> Output {
    run(&build_args(cfg, input, out, extra))
}

/// [`build`] that must succeed; returns stderr.
pub fn build_ok(cfg: &Path, input: &Path, out: &Path, extra: &[&str]) -> String {
    let o = build(cfg, input, out, extra);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "build failed:\n{err}");
    err
}
