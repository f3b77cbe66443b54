//! DocSteps `lines` and `process`: the per-document work, one input file at
//! a time.
//!
//! `process` writes, per input file `N` (its index in discovery order):
//! - `process/file-N.spill.zst`: every record's outcome in record order
//!   (the document after cleaning, and its rejection if any), in the
//!   binary format of [`crate::spill`];
//! - `process/file-N.cands`: the dedup candidates (survivors of the
//!   filters): key, length, date, id and MinHash signature;
//! - `process/file-N.json`: the file's statistics and key, written last (it
//!   is the file's completion marker).
//!
//! A file whose `.json` holds the current key (config key + the file's
//! sha256) is not processed again.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Work, chain_key, layout, partial_path, write_atomic};
use crate::clean::Rules;
use crate::clean::repeated::{self, RepeatedLines};
use crate::config::OnBadFile;
use crate::doc::{Document, Record};
use crate::error::{Error, Result};
use crate::langid::Identifier;
use crate::manifest::RepeatedInfo;
use crate::read::{self, InputFile};
use crate::spill::SpillWriter;
use crate::steps::{DocSteps, Spilled};
use crate::util::progress::progress_bar;

use super::dedup::CandWriter;

/// What `process` learned about one input file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileStats {
    pub rel: String,
    pub key: String,
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
    /// Records that reached dedup (rows of the `.cands` file).
    pub candidates: u64,
    pub removed_by_rule: Vec<u64>,
    pub repaired_utf8_docs: u64,
    /// Documents whose double-encoded UTF-8 was repaired.
    #[serde(default)]
    pub mojibake_docs: u64,
    /// Why the file was left out (`input.on_bad_file = "skip"`).
    pub skipped: Option<String>,
}

/// The files of task `task` of `tasks`.
fn my_files(work: &Work, task: usize, tasks: usize) -> Vec<usize> {
    (task..work.files.len()).step_by(tasks).collect()
}

/// Stage `lines`: the counting pass for cross-document repeated lines
/// (`[clean.repeated]`): line-hash counts per input file, merged by
/// `process`. Nothing to count when that mechanism is off.
pub fn lines_task(work: &Work, task: usize, tasks: usize) -> Result<()> {
    work.stage_dir("lines")?;
    let key = chain_key("lines-task", [work.config_key.as_str()]);
    if work.is_done("lines", task, tasks, &key) {
        return Ok(());
    }
    let cfg = &work.loaded.config;
    if cfg.clean.repeated.enabled {
        let skip_bad = cfg.input.on_bad_file == OnBadFile::Skip;
        my_files(work, task, tasks)
            .par_iter()
            .map(|&fi| {
                let f = &work.files[fi];
                let sha = match hash_input(f, cfg) {
                    Ok((sha, _)) => sha,
                    Err(_) if skip_bad => "unreadable".to_string(),
                    Err(e) => return Err(e),
                };
                let fkey = chain_key("lines", [work.config_key.as_str(), &f.rel, &sha]);
                if read_lines_key(work, fi).as_deref() == Some(fkey.as_str()) {
                    return Ok(());
                }
                let counts = match crate::steps::count_file(f, cfg) {
                    Err(_) if skip_bad => repeated::LineCounts::new(&cfg.clean.repeated),
                    r => r?,
                };
                let path = layout::line_counts(&work.dir, fi);
                let tmp = partial_path(&path);
                counts.write_to(&tmp)?;
                std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
                write_atomic(
                    &layout::line_counts_key(&work.dir, fi),
                    (fkey + "\n").as_bytes(),
                )
            })
            .collect::<Result<Vec<()>>>()?;
    }
    work.mark_done("lines", task, tasks, &key)
}

fn read_lines_key(work: &Work, fi: usize) -> Option<String> {
    let text = std::fs::read_to_string(layout::line_counts_key(&work.dir, fi)).ok()?;
    Some(text.trim().to_string())
}

/// The key of the whole `lines` stage (`"off"` when repeated-line removal
/// is off): part of every `process` key, since any input file's counts can
/// change how every file of the same source is cleaned.
pub fn lines_key(work: &Work) -> Result<String> {
    if !work.loaded.config.clean.repeated.enabled {
        return Ok("off".into());
    }
    let mut keys = Vec::with_capacity(work.files.len());
    for (fi, f) in work.files.iter().enumerate() {
        keys.push(read_lines_key(work, fi).ok_or_else(|| {
            Error::workdir(
                &layout::line_counts_key(&work.dir, fi),
                format!(
                    "the lines of input {} have not been counted with this config (run stage `lines` first)",
                    f.rel
                ),
            )
        })?);
    }
    Ok(chain_key("lines-all", keys.iter().map(String::as_str)))
}

/// The summary of the repeated lines that `process` removed (None when the
/// mechanism is off).
pub fn repeated_info(work: &Work) -> Result<Option<RepeatedInfo>> {
    if !work.loaded.config.clean.repeated.enabled {
        return Ok(None);
    }
    let path = layout::repeated_info(&work.dir);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::workdir(&path, format!("work file unreadable: {e}")))
}

/// The merged counts of the `lines` stage, judged: the repeated lines to
/// remove (None when the mechanism is off).
pub fn load_repeated(work: &Work) -> Result<Option<RepeatedLines>> {
    let cfg = &work.loaded.config;
    if !cfg.clean.repeated.enabled {
        return Ok(None);
    }
    lines_key(work)?;
    let mut all = repeated::LineCounts::new(&cfg.clean.repeated);
    for fi in 0..work.files.len() {
        all.merge(repeated::LineCounts::read_from(&layout::line_counts(
            &work.dir, fi,
        ))?);
    }
    Ok(Some(all.finish(&cfg.clean.repeated)))
}

/// The key of task markers of `process` (each file has its own key too).
fn task_key(work: &Work) -> String {
    chain_key("process-task", [work.config_key.as_str()])
}

pub fn process_task(work: &Work, task: usize, tasks: usize) -> Result<()> {
    work.stage_dir("process")?;
    let cfg = &work.loaded.config;
    let rules = if cfg.clean.rules {
        Some(Rules::from_file_or_builtin(
            cfg.clean.rules_file.as_deref(),
        )?)
    } else {
        None
    };
    let lkey = lines_key(work)?;
    let stages = DocSteps {
        cfg: cfg.clone(),
        identifier: Identifier::new(&cfg.langid)?,
        rules,
        repeated: load_repeated(work)?,
    };
    if let Some(r) = &stages.repeated {
        // What finalize reports in the manifest, so it need not merge the
        // counts again (every task writes the same bytes).
        let info = serde_json::to_string(&RepeatedInfo::of(r)).expect("info serializes") + "\n";
        write_atomic(&layout::repeated_info(&work.dir), info.as_bytes())?;
    }
    let n_rules = stages.removal_names().len();
    let mine = my_files(work, task, tasks);
    let total: u64 = mine.iter().map(|&fi| work.files[fi].bytes).sum();
    let bar = progress_bar(work.progress, total, "process");
    mine.par_iter()
        .map(|&fi| {
            let r = process_one(work, &stages, fi, n_rules, &lkey);
            bar.inc(work.files[fi].bytes);
            r
        })
        .collect::<Result<Vec<()>>>()?;
    bar.finish_and_clear();
    work.mark_done("process", task, tasks, &task_key(work))
}

/// Process file `fi` unless its stats already hold the current key.
fn process_one(
    work: &Work,
    stages: &DocSteps,
    fi: usize,
    n_rules: usize,
    lkey: &str,
) -> Result<()> {
    let f = &work.files[fi];
    let skip_bad = work.loaded.config.input.on_bad_file == OnBadFile::Skip;
    let (sha, bytes) = match hash_input(f, &work.loaded.config) {
        Ok(h) => h,
        Err(e) if skip_bad => {
            let stats = FileStats {
                key: chain_key(
                    "process",
                    [work.config_key.as_str(), &f.rel, "unreadable", lkey],
                ),
                removed_by_rule: vec![0; n_rules],
                skipped: Some(e.with_name(&f.rel)),
                ..FileStats::new(f)
            };
            return write_stats(work, fi, &stats);
        }
        Err(e) => return Err(e),
    };
    let key = chain_key("process", [work.config_key.as_str(), &f.rel, &sha, lkey]);
    if let Some(old) = read_stats(work, fi)
        && old.key == key
        && (old.skipped.is_some()
            || (layout::spill(&work.dir, fi).exists() && layout::cands(&work.dir, fi).exists()))
    {
        return Ok(());
    }
    let spill = layout::spill(&work.dir, fi);
    let cands = layout::cands(&work.dir, fi);
    let (spill_tmp, cands_tmp) = (partial_path(&spill), partial_path(&cands));
    let mut stats = match process_file(stages, f, &spill_tmp, &cands_tmp, n_rules) {
        Err(e) if skip_bad => {
            let _ = std::fs::remove_file(&spill_tmp);
            let _ = std::fs::remove_file(&cands_tmp);
            FileStats {
                removed_by_rule: vec![0; n_rules],
                skipped: Some(e.with_name(&f.rel)),
                ..FileStats::new(f)
            }
        }
        Err(e) => {
            let _ = std::fs::remove_file(&spill_tmp);
            let _ = std::fs::remove_file(&cands_tmp);
            return Err(e);
        }
        Ok(s) => {
            std::fs::rename(&spill_tmp, &spill).map_err(|e| Error::io(&spill, e))?;
            std::fs::rename(&cands_tmp, &cands).map_err(|e| Error::io(&cands, e))?;
            s
        }
    };
    stats.key = key;
    stats.sha256 = sha;
    stats.bytes = bytes;
    write_stats(work, fi, &stats)
}

/// sha256 and size of an input file. When it cannot be read, the error is
/// the reader's (a bad input, naming the file and what is wrong), not a
/// bare I/O error.
fn hash_input(f: &InputFile, cfg: &crate::config::Config) -> Result<(String, u64)> {
    crate::write::sha256_file(&f.path).map_err(|e| match read::records(f, &cfg.input) {
        Err(reader) => reader,
        Ok(_) => e,
    })
}

impl FileStats {
    fn new(f: &InputFile) -> Self {
        FileStats {
            rel: f.rel.clone(),
            key: String::new(),
            sha256: String::new(),
            bytes: f.bytes,
            records: 0,
            candidates: 0,
            removed_by_rule: Vec::new(),
            repaired_utf8_docs: 0,
            mojibake_docs: 0,
            skipped: None,
        }
    }
}

fn write_stats(work: &Work, fi: usize, stats: &FileStats) -> Result<()> {
    let text = serde_json::to_string(stats).expect("stats serialize") + "\n";
    write_atomic(&layout::file_stats(&work.dir, fi), text.as_bytes())
}

fn read_stats(work: &Work, fi: usize) -> Option<FileStats> {
    let text = std::fs::read_to_string(layout::file_stats(&work.dir, fi)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Every file's stats, checked to be from this config and these inputs'
/// names, and the key that summarizes them (the upstream key of the later
/// stages).
pub fn all_stats(work: &Work) -> Result<(Vec<FileStats>, String)> {
    let lkey = lines_key(work)?;
    let mut all = Vec::with_capacity(work.files.len());
    for (fi, f) in work.files.iter().enumerate() {
        let path = layout::file_stats(&work.dir, fi);
        let stale = || {
            Error::workdir(
                &path,
                format!(
                    "input {} has not been processed with this config (run stage `process` first)",
                    f.rel
                ),
            )
        };
        let s = read_stats(work, fi).ok_or_else(stale)?;
        let expect_prefix = chain_key(
            "process",
            [work.config_key.as_str(), &f.rel, &s.sha256, &lkey],
        );
        let unreadable = chain_key(
            "process",
            [work.config_key.as_str(), &f.rel, "unreadable", &lkey],
        );
        if s.rel != f.rel || (s.key != expect_prefix && s.key != unreadable) {
            return Err(stale());
        }
        all.push(s);
    }
    let key = chain_key("upstream", all.iter().map(|s| s.key.as_str()));
    Ok((all, key))
}

/// Read, process and spill one file, batch by batch (each batch in
/// parallel, spilled in record order).
fn process_file(
    stages: &DocSteps,
    file: &InputFile,
    spill: &std::path::Path,
    cands_out: &std::path::Path,
    n_rules: usize,
) -> Result<FileStats> {
    let mut records = read::records(file, &stages.cfg.input)?;
    let mut sw = SpillWriter::create(spill)?;
    let mut cw = CandWriter::create(cands_out)?;
    let mut stats = FileStats {
        removed_by_rule: vec![0; n_rules],
        ..FileStats::new(file)
    };
    let batch_size = stages.cfg.run.batch_size;
    let mut batch: Vec<Record> = Vec::with_capacity(batch_size);
    loop {
        batch.clear();
        for rec in records.by_ref().take(batch_size) {
            batch.push(rec?);
        }
        if batch.is_empty() {
            break;
        }
        let results: Vec<_> = std::mem::take(&mut batch)
            .into_par_iter()
            .map(|rec| match rec {
                Record::Doc(doc) => stages.process(*doc),
                Record::Bad {
                    prov,
                    id,
                    raw,
                    reject,
                } => {
                    let doc = Document {
                        id: id.unwrap_or_else(|| prov.derived_id()),
                        text: raw,
                        prov,
                        ..Default::default()
                    };
                    (
                        Spilled {
                            doc,
                            reject: Some(reject),
                        },
                        None,
                        Vec::new(),
                    )
                }
            })
            .collect();
        for (sp, cand, hits) in results {
            stats.records += 1;
            if sp.doc.invalid_utf8 > 0 {
                stats.repaired_utf8_docs += 1;
            }
            if sp.doc.mojibake_fixed > 0 {
                stats.mojibake_docs += 1;
            }
            for h in hits {
                stats.removed_by_rule[h] += 1;
            }
            if let Some(c) = cand {
                stats.candidates += 1;
                cw.push(&c, &sp.doc.id)?;
            }
            sw.push(&sp)?;
        }
    }
    sw.finish()?;
    cw.finish()?;
    Ok(stats)
}
