//! Stage `write`: spilled documents to Parquet shards.
//!
//! The output is divided into groups: one per (language, split) and one for
//! the rejected documents. Task `i` of `n` writes the groups whose name
//! hashes to `i` mod `n`, each in input order, into `write/task-i-of-n/`
//! (the release layout), and its share of the counts into `stats.json`.
//! Since a group is written whole by one task, its shards do not depend on
//! `n`.
//!
//! Memory: per output group, the rows of the chunk being filled (up to
//! [`CHUNK_BYTES`] of text) and the row group being filled, encoded and
//! compressed (up to [`ROW_GROUP_BYTES`] of text before compression); the
//! chunks and row groups handed to the encoder threads and not yet
//! appended; and what [`DedupStream`] holds (a bit per document that
//! reached dedup, and the ids of the kept documents that duplicates name).
//! Documents stream through.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::dedup::DedupStream;
use super::process::all_stats;
use super::{Work, chain_key, layout, write_atomic};
use crate::doc::{Reject, Step};
use crate::error::{Error, Result};
use crate::manifest::{self, Counts};
use crate::spill::SpillReader;
use crate::split;
use crate::util::progress::progress_bar;
use crate::write::{
    DataRow, DataRows, Encoder, RejectRow, RejectRows, ShardInfo, ShardSet, ShardSettings,
};

/// What one write task contributes to the manifest.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct WriteStats {
    pub counts: Counts,
    /// (stage, reason, documents, characters).
    pub funnel: Vec<(Step, String, u64, u64)>,
    pub languages: BTreeMap<String, BTreeMap<String, u64>>,
    pub shards: Vec<ShardInfo>,
    pub rejected_shards: Vec<ShardInfo>,
}

pub fn write_key(up: &str) -> String {
    chain_key("write", [up])
}

fn task_of(group: &str, tasks: usize) -> usize {
    (xxh3_64(group.as_bytes()) % tasks as u64) as usize
}

/// A row group closes once it holds this much text (or
/// `output.row_group_rows` rows).
const ROW_GROUP_BYTES: u64 = 8 << 20;

/// Rows go to the Parquet encoder in chunks of at most this many rows or
/// about this much text, so a group being filled holds its row group
/// compressed and at most one chunk of raw rows.
const CHUNK_ROWS: usize = 1024;
const CHUNK_BYTES: u64 = 1 << 20;

pub fn shard_settings(work: &Work) -> ShardSettings {
    let cfg = &work.loaded.config;
    ShardSettings {
        shard_rows: cfg.output.shard_rows,
        shard_bytes: cfg.output.shard_bytes,
        row_group_rows: cfg.output.row_group_rows,
        row_group_bytes: ROW_GROUP_BYTES,
        chunk_rows: CHUNK_ROWS,
        chunk_bytes: CHUNK_BYTES,
        // the parquet crate's default data page size
        page_bytes: 1 << 20,
        zstd_level: cfg.output.zstd_level,
        metadata: vec![
            (
                "corpusforge.version".into(),
                env!("CARGO_PKG_VERSION").into(),
            ),
            (
                "corpusforge.config_sha256".into(),
                manifest::sha256_hex(work.loaded.text.as_bytes()),
            ),
            (
                "corpusforge.schema".into(),
                crate::write::SCHEMA_VERSION.into(),
            ),
        ],
    }
}

pub fn write_task(work: &Work, task: usize, tasks: usize) -> Result<()> {
    work.stage_dir("write")?;
    let (stats, up) = all_stats(work)?;
    let key = write_key(&up);
    if work.is_done("write", task, tasks, &key) {
        return Ok(());
    }
    let cfg = &work.loaded.config;
    let mut dd = DedupStream::open(work, &stats, &up)?;
    let root = layout::write_task(&work.dir, task, tasks);
    if root.exists() {
        std::fs::remove_dir_all(&root).map_err(|e| Error::io(&root, e))?;
    }
    std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
    let settings = shard_settings(work);
    let mine_rejected = task_of("rejected", tasks) == task;
    let mut data: BTreeMap<(String, &'static str), ShardSet<DataRows>> = BTreeMap::new();
    // Encode Parquet on background threads, one per core, when the build
    // may use more than one; this thread reads the work files meanwhile.
    let threads = rayon::current_num_threads();
    let encoder = Arc::new(Encoder::new(if threads > 1 { threads } else { 0 }));
    let mut rejected: ShardSet<RejectRows> = ShardSet::new(
        &root,
        "rejected/rejected".into(),
        None,
        None,
        settings.clone(),
    )
    .with_encoder(encoder.clone());
    let mut out = WriteStats::default();
    let mut funnel: BTreeMap<(Step, String), (u64, u64)> = BTreeMap::new();
    let bar = progress_bar(
        work.progress && task == 0,
        stats.iter().map(|s| s.records).sum(),
        "write",
    );
    for (fi, s) in stats.iter().enumerate() {
        if s.skipped.is_some() {
            continue;
        }
        let mut spill = SpillReader::open(&layout::spill(&work.dir, fi))?;
        for r in 0..s.records {
            // Row groups the encoder threads have finished go to their
            // files now rather than at their set's next flush, so memory
            // holds at most the ones still being encoded.
            if r % 64 == 0 {
                rejected.append_ready()?;
                for set in data.values_mut() {
                    set.append_ready()?;
                }
            }
            let sp = spill.read_record()?;
            bar.inc(1);
            let doc = &sp.doc;
            let line_no = doc.prov.line.map(|l| l as i64);
            let decision = match sp.reject {
                None => Some(dd.next(&doc.id)?),
                Some(_) => None,
            };
            // The cluster's name: the id of its kept document.
            let cluster = match decision {
                Some((i, d, _)) if d.kept != i => Some(dd.kept_id(d.kept)?),
                Some(_) => Some(doc.id.as_str()),
                None => None,
            };
            let reject = match (&sp.reject, decision) {
                (Some(r), _) => Some((r.clone(), None)),
                (None, Some((i, d, _))) if d.kept != i => {
                    let kept = cluster.expect("a candidate has a cluster");
                    let r = if d.exact {
                        Reject::new(
                            Step::Dedup,
                            "exact_duplicate",
                            format!("same folded text as {kept}"),
                        )
                    } else {
                        Reject::new(
                            Step::Dedup,
                            "near_duplicate",
                            format!("estimated Jaccard {:.3} to {kept}", d.jaccard),
                        )
                    };
                    Some((r, Some((kept, d.jaccard))))
                }
                (None, Some((i, _, _))) if dd.has_duplicate_id(i) => {
                    let r = Reject::new(
                        Step::Dedup,
                        "duplicate_id",
                        format!(
                            "an earlier kept document has the same id {:?} and another text",
                            doc.id
                        ),
                    );
                    Some((r, None))
                }
                (None, _) => None,
            };
            if let Some((r, dup_of)) = reject {
                if !mine_rejected {
                    continue;
                }
                out.counts.rejected += 1;
                *out.counts
                    .rejected_by_reason
                    .entry(r.reason.clone())
                    .or_insert(0) += 1;
                let e = funnel.entry((r.stage, r.reason.clone())).or_insert((0, 0));
                e.0 += 1;
                e.1 += doc.text.chars().count() as u64;
                rejected.push(&RejectRow {
                    id: &doc.id,
                    stage: r.stage.as_str(),
                    reason: &r.reason,
                    detail: &r.detail,
                    dup_of: dup_of.map(|(k, _)| k),
                    dup_cluster: dup_of.and(cluster),
                    dup_jaccard: dup_of.map(|(_, j)| j),
                    lang: (!doc.lang.is_empty()).then_some(doc.lang.as_str()),
                    source_file: &doc.prov.file,
                    source_line: line_no,
                    text: &doc.text,
                })?;
            } else {
                let (i, d, key) = decision.expect("a kept document went through dedup");
                debug_assert_eq!(d.kept, i);
                let split = split::split_of(key, &cfg.split);
                let group = format!("data/{}/{}", doc.lang, split);
                if task_of(&group, tasks) != task {
                    continue;
                }
                out.counts.kept += 1;
                *out.languages
                    .entry(doc.lang.clone())
                    .or_default()
                    .entry(split.to_string())
                    .or_insert(0) += 1;
                let set = data.entry((doc.lang.clone(), split)).or_insert_with(|| {
                    ShardSet::new(
                        &root,
                        group,
                        Some(doc.lang.clone()),
                        Some(split.to_string()),
                        settings.clone(),
                    )
                    .with_encoder(encoder.clone())
                });
                let cluster = cluster.expect("a kept document has a cluster");
                set.push(&DataRow {
                    id: &doc.id,
                    text: &doc.text,
                    title: doc.title.as_deref(),
                    url: doc.url.as_deref(),
                    date: doc.date.as_deref(),
                    source: doc.source.as_deref(),
                    lang: &doc.lang,
                    lang_score: doc.lang_score,
                    lang_mixed: doc.lang_mixed,
                    lang2: doc.lang2.as_deref(),
                    lang2_score: doc.lang2_score,
                    script: &doc.script,
                    n_chars: doc.n_chars as i64,
                    n_words: doc.n_words as i64,
                    dup_cluster: cluster,
                    dup_count: d.cluster_size as i32,
                    split,
                    source_file: &doc.prov.file,
                    source_line: line_no,
                    removed_lines: cfg
                        .clean
                        .keep_removed_lines
                        .then_some(doc.removed_lines.as_slice()),
                })?;
            }
        }
        spill.finish()?;
    }
    bar.finish_and_clear();
    if dd.read() != dd.len() {
        return Err(Error::workdir(
            &work.dir,
            format!(
                "{} documents reached dedup but {} decisions were made",
                dd.read(),
                dd.len()
            ),
        ));
    }
    for (_, set) in data {
        out.shards.extend(set.finish()?);
    }
    if mine_rejected {
        out.rejected_shards = rejected.finish()?;
    } else {
        drop(rejected);
    }
    out.funnel = funnel
        .into_iter()
        .map(|((s, r), (n, c))| (s, r, n, c))
        .collect();
    let text = serde_json::to_string(&out).expect("stats serialize") + "\n";
    write_atomic(
        &layout::write_stats(&work.dir, task, tasks),
        text.as_bytes(),
    )?;
    work.mark_done("write", task, tasks, &key)
}
