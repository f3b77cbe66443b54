//! `corpusforge verify`: check a release against its own manifest.
//!
//! Every shard (data and rejected) is re-read. Checked: sha256 and byte
//! size against the manifest; rows against the manifest; the Arrow schema
//! equals [`data_schema`] / [`rejected_schema`] and the file records
//! `corpusforge.schema` = [`SCHEMA_VERSION`]; each data row's `lang` and
//! `split` equal its shard's; no `id` appears twice across data shards; no
//! `dup_cluster` appears in two splits; the funnel adds up (input = kept +
//! rejected, the reasons add up to rejected, each funnel row's `remaining`
//! follows from the previous one, the last equals kept); the counts per
//! language and split equal the rows actually found; and every file of the
//! release is listed (except `README.md`, `manifest.json`, `report.html` and
//! the `.corpusforge-release` marker).
//!
//! Ids and clusters are remembered as 128-bit hashes (16 bytes a row), so
//! memory stays small next to the data.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;
use xxhash_rust::xxh3::xxh3_128;

use crate::error::Result;
use crate::release::{file_schema, read_manifest, scan, shard_entries};
use crate::write::{SCHEMA_VERSION, data_schema, rejected_schema, sha256_file};

/// Files a release holds besides its shards.
pub const UNLISTED_OK: [&str; 4] = [
    "README.md",
    "manifest.json",
    "report.html",
    crate::safety::RELEASE_MARKER,
];

/// What was checked, for the success message.
#[derive(Debug, Default)]
pub struct Verified {
    pub data_shards: usize,
    pub data_rows: u64,
    pub rejected_shards: usize,
    pub rejected_rows: u64,
}

/// Verify the release at `root`. `Ok((_, failures))`: an empty list means
/// every check held; each failure is one line naming the file. `Err` only
/// when the folder itself cannot be read.
pub fn verify(root: &Path) -> Result<(Verified, Vec<String>)> {
    let mut fail: Vec<String> = Vec::new();
    let mut done = Verified::default();
    let m = match read_manifest(root) {
        Ok(m) => m,
        Err(crate::error::Error::Io { cause, .. })
            if cause.kind() == std::io::ErrorKind::NotFound && !root.is_dir() =>
        {
            return Err(crate::error::Error::io(root, cause));
        }
        Err(e) => {
            fail.push(format!("manifest.json: {}", strip_path(&e.to_string())));
            return Ok((done, fail));
        }
    };

    let mut listed: BTreeSet<String> = BTreeSet::new();
    // Shard paths, indexed by the u32 the maps below hold.
    let mut seen_shards: Vec<String> = Vec::new();
    // id hash -> shard; cluster hash -> (split, shard).
    let mut ids: HashMap<u128, u32> = HashMap::new();
    let mut clusters: HashMap<u128, (u8, u32)> = HashMap::new();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    // (lang, split) -> rows found in the files.
    let mut found: BTreeMap<(String, String), u64> = BTreeMap::new();

    for (key, is_data) in [("shards", true), ("rejected_shards", false)] {
        if !m[key].is_array() {
            fail.push(format!("manifest.json: `{key}` missing or not a list"));
        }
        for entry in shard_entries(&m, key) {
            let Some(rel) = entry["path"].as_str() else {
                fail.push(format!("manifest.json: an entry of `{key}` has no path"));
                continue;
            };
            listed.insert(rel.to_string());
            if Path::new(rel).is_absolute() || rel.split('/').any(|c| c == "..") {
                fail.push(format!("{rel}: shard path is not inside the release"));
                continue;
            }
            let path = root.join(rel);
            if !path.is_file() {
                fail.push(format!("{rel}: listed in manifest.json but missing"));
                continue;
            }
            let (sha, bytes) = sha256_file(&path)?;
            if entry["sha256"].as_str() != Some(sha.as_str()) {
                fail.push(format!(
                    "{rel}: sha256 mismatch (manifest {}, file {sha})",
                    entry["sha256"].as_str().unwrap_or("none")
                ));
            }
            if entry["bytes"].as_u64() != Some(bytes) {
                fail.push(format!(
                    "{rel}: size mismatch (manifest {}, file {bytes} bytes)",
                    entry["bytes"]
                ));
            }
            let (schema, kv) = match file_schema(&path) {
                Ok(x) => x,
                Err(e) => {
                    fail.push(format!("{rel}: {}", strip_path(&e.to_string())));
                    continue;
                }
            };
            let want = if is_data {
                data_schema()
            } else {
                rejected_schema()
            };
            if schema.fields() != want.fields() {
                fail.push(format!(
                    "{rel}: schema differs from the {} schema",
                    if is_data { "data" } else { "rejected" }
                ));
                continue;
            }
            let version = kv.iter().find(|(k, _)| k == "corpusforge.schema");
            if version.map(|(_, v)| v.as_str()) != Some(SCHEMA_VERSION) {
                fail.push(format!(
                    "{rel}: key-value metadata corpusforge.schema is {}, expected {SCHEMA_VERSION}",
                    version.map_or("missing".to_string(), |(_, v)| format!("{v:?}"))
                ));
            }
            let rows = if is_data {
                let lang = entry["lang"].as_str().unwrap_or_default().to_string();
                let split = entry["split"].as_str().unwrap_or_default().to_string();
                let mut bad_lang = 0u64;
                let mut bad_split = 0u64;
                let mut row_fail: Vec<String> = Vec::new();
                let me = seen_shards.len() as u32;
                seen_shards.push(rel.to_string());
                let split_no = |s: &str| {
                    crate::split::SPLITS
                        .iter()
                        .position(|x| *x == s)
                        .map_or(u8::MAX, |i| i as u8)
                };
                let scanned = scan(&path, &["id", "lang", "split", "dup_cluster"], |r| {
                    let id = r[0].as_deref().unwrap_or_default();
                    if r[1].as_deref() != Some(lang.as_str()) {
                        bad_lang += 1;
                    }
                    let row_split = r[2].as_deref().unwrap_or_default();
                    if row_split != split {
                        bad_split += 1;
                    }
                    if let Some(prev) = ids.insert(xxh3_128(id.as_bytes()), me) {
                        row_fail.push(format!(
                            "{rel}: id {id:?} also in {}",
                            seen_shards[prev as usize]
                        ));
                    }
                    let cluster = r[3].as_deref().unwrap_or_default();
                    let here = split_no(row_split);
                    let e = clusters
                        .entry(xxh3_128(cluster.as_bytes()))
                        .or_insert((here, me));
                    if e.0 != here {
                        row_fail.push(format!(
                            "{rel}: dup_cluster {cluster:?} is in split {row_split} here and in {} ({})",
                            crate::split::SPLITS.get(e.0 as usize).unwrap_or(&"?"),
                            seen_shards[e.1 as usize]
                        ));
                    }
                });
                fail.extend(row_fail);
                match scanned {
                    Ok(n) => {
                        if bad_lang > 0 {
                            fail.push(format!("{rel}: {bad_lang} rows whose lang is not {lang}"));
                        }
                        if bad_split > 0 {
                            fail.push(format!(
                                "{rel}: {bad_split} rows whose split is not {split}"
                            ));
                        }
                        *found.entry((lang, split)).or_insert(0) += n;
                        done.data_shards += 1;
                        done.data_rows += n;
                        n
                    }
                    Err(e) => {
                        fail.push(format!("{rel}: {}", strip_path(&e.to_string())));
                        continue;
                    }
                }
            } else {
                let tally = scan(&path, &["reason"], |r| {
                    *reasons.entry(r[0].clone().unwrap_or_default()).or_insert(0) += 1;
                });
                match tally {
                    Ok(n) => {
                        done.rejected_shards += 1;
                        done.rejected_rows += n;
                        n
                    }
                    Err(e) => {
                        fail.push(format!("{rel}: {}", strip_path(&e.to_string())));
                        continue;
                    }
                }
            };
            if entry["rows"].as_u64() != Some(rows) {
                fail.push(format!(
                    "{rel}: row count mismatch (manifest {}, file {rows})",
                    entry["rows"]
                ));
            }
        }
    }

    check_counts(&m, &found, &done, &mut fail);
    let stated: BTreeMap<String, u64> = m["counts"]["rejected_by_reason"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
        .collect();
    let all: BTreeSet<&String> = stated.keys().chain(reasons.keys()).collect();
    for reason in all {
        let (s, f) = (
            stated.get(reason).copied().unwrap_or(0),
            reasons.get(reason).copied().unwrap_or(0),
        );
        if s != f {
            fail.push(format!(
                "manifest.json: counts.rejected_by_reason.{reason} is {s}, the rejected shards hold {f} rows with that reason"
            ));
        }
    }

    // Every file in the release must be listed.
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    for rel in files {
        if !listed.contains(&rel) && !UNLISTED_OK.contains(&rel.as_str()) {
            fail.push(format!("{rel}: not listed in manifest.json"));
        }
    }
    Ok((done, fail))
}

/// Funnel arithmetic and per-language counts against what was found.
fn check_counts(
    m: &Value,
    found: &BTreeMap<(String, String), u64>,
    done: &Verified,
    fail: &mut Vec<String>,
) {
    let mf = |msg: String| format!("manifest.json: {msg}");
    let c = &m["counts"];
    let get = |k: &str| c[k].as_u64();
    let (Some(input), Some(kept), Some(rejected)) = (get("input"), get("kept"), get("rejected"))
    else {
        fail.push(mf(
            "counts.input, counts.kept or counts.rejected missing".into()
        ));
        return;
    };
    if input != kept + rejected {
        fail.push(mf(format!(
            "counts.input ({input}) != counts.kept ({kept}) + counts.rejected ({rejected})"
        )));
    }
    let by_reason: u64 = c["rejected_by_reason"]
        .as_object()
        .map_or(0, |o| o.values().filter_map(Value::as_u64).sum());
    if by_reason != rejected {
        fail.push(mf(format!(
            "counts.rejected_by_reason adds up to {by_reason}, counts.rejected is {rejected}"
        )));
    }
    let mut remaining = input;
    let mut funnel_removed: BTreeMap<String, u64> = BTreeMap::new();
    for (i, row) in m["funnel"].as_array().into_iter().flatten().enumerate() {
        let removed = row["removed"].as_u64().unwrap_or(0);
        *funnel_removed
            .entry(row["reason"].as_str().unwrap_or_default().to_string())
            .or_insert(0) += removed;
        remaining = remaining.saturating_sub(removed);
        if row["remaining"].as_u64() != Some(remaining) {
            fail.push(mf(format!(
                "funnel row {i} ({}/{}): remaining is {}, expected {remaining}",
                row["stage"].as_str().unwrap_or("?"),
                row["reason"].as_str().unwrap_or("?"),
                row["remaining"]
            )));
        }
    }
    if remaining != kept {
        fail.push(mf(format!(
            "funnel ends at {remaining} documents, counts.kept is {kept}"
        )));
    }
    for (reason, n) in c["rejected_by_reason"].as_object().into_iter().flatten() {
        let f = funnel_removed.get(reason).copied().unwrap_or(0);
        if n.as_u64() != Some(f) {
            fail.push(mf(format!(
                "counts.rejected_by_reason.{reason} is {n}, the funnel removes {f}"
            )));
        }
    }
    if done.data_rows != kept {
        fail.push(mf(format!(
            "counts.kept is {kept}, the data shards hold {} rows",
            done.data_rows
        )));
    }
    if done.rejected_rows != rejected {
        fail.push(mf(format!(
            "counts.rejected is {rejected}, the rejected shards hold {} rows",
            done.rejected_rows
        )));
    }
    // languages: label -> split -> documents, against the rows found.
    let mut stated: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (lang, per) in m["languages"].as_object().into_iter().flatten() {
        for (split, n) in per.as_object().into_iter().flatten() {
            stated.insert((lang.clone(), split.clone()), n.as_u64().unwrap_or(0));
        }
    }
    let keys: BTreeSet<&(String, String)> = stated.keys().chain(found.keys()).collect();
    for k in keys {
        let s = stated.get(k).copied().unwrap_or(0);
        let f = found.get(k).copied().unwrap_or(0);
        if s != f {
            fail.push(mf(format!(
                "languages.{}.{} is {s}, the shards hold {f} rows",
                k.0, k.1
            )));
        }
    }
    let mut per_split: BTreeMap<&str, u64> = BTreeMap::new();
    for ((_, split), n) in found {
        *per_split.entry(split).or_insert(0) += n;
    }
    for (split, n) in m["splits"].as_object().into_iter().flatten() {
        let f = per_split.get(split.as_str()).copied().unwrap_or(0);
        if n.as_u64() != Some(f) {
            fail.push(mf(format!(
                "splits.{split} is {n}, the shards hold {f} rows"
            )));
        }
    }
}

/// Every file below `dir`, as a `/`-separated path relative to `base`.
fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let rd = std::fs::read_dir(dir).map_err(|e| crate::error::Error::io(dir, e))?;
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(base, &p, out)?;
        } else {
            let rel = p.strip_prefix(base).unwrap_or(&p);
            out.push(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
    Ok(())
}

/// Error messages start with the (absolute) path; failure lines name the
/// file relative to the release instead.
fn strip_path(msg: &str) -> String {
    match msg.split_once(": ") {
        Some((_, rest)) => rest.to_string(),
        None => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::{DataRow, DataRows, ShardSet, ShardSettings};

    fn settings() -> ShardSettings {
        ShardSettings {
            shard_rows: 100,
            shard_bytes: 1 << 20,
            row_group_rows: 100,
            row_group_bytes: 1 << 20,
            chunk_rows: 30,
            chunk_bytes: 1 << 20,
            page_bytes: 1 << 20,
            zstd_level: 3,
            metadata: vec![("corpusforge.schema".into(), SCHEMA_VERSION.into())],
        }
    }

    fn row<'a>(id: &'a str, cluster: &'a str, split: &'a str) -> DataRow<'a> {
        DataRow {
            id,
            text: "some text",
            title: None,
            url: None,
            date: None,
            source: None,
            lang: "eng_Latn",
            lang_score: 1.0,
            lang_mixed: false,
            lang2: None,
            lang2_score: None,
            script: "Latn",
            n_chars: 9,
            n_words: 2,
            dup_cluster: cluster,
            dup_count: 1,
            split,
            source_file: "a.jsonl",
            source_line: Some(1),
            removed_lines: None,
        }
    }

    /// A cluster in two splits is the only failure of an otherwise
    /// consistent release, and names both shards.
    #[test]
    fn cluster_in_two_splits_is_a_failure() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let mut shards = Vec::new();
        for (split, id) in [("train", "a"), ("test", "b")] {
            let mut set: ShardSet<DataRows> = ShardSet::new(
                root,
                format!("data/eng_Latn/{split}"),
                Some("eng_Latn".into()),
                Some(split.into()),
                settings(),
            );
            set.push(&row(id, "c1", split)).unwrap();
            shards.extend(set.finish().unwrap());
        }
        let m = serde_json::json!({
            "counts": {"input": 2, "kept": 2, "rejected": 0, "rejected_by_reason": {}},
            "funnel": [],
            "languages": {"eng_Latn": {"train": 1, "test": 1}},
            "splits": {"train": 1, "test": 1},
            "shards": shards,
            "rejected_shards": [],
        });
        std::fs::write(root.join("manifest.json"), m.to_string()).unwrap();
        let (_, fail) = verify(root).unwrap();
        assert_eq!(
            fail,
            vec![
                "data/eng_Latn/test-00000-of-00001.parquet: dup_cluster \"c1\" is in split test \
                 here and in train (data/eng_Latn/train-00000-of-00001.parquet)"
                    .to_string()
            ]
        );
    }
}
