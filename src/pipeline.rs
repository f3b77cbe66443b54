//! The build: runs the stages over all inputs and writes a release.
//!
//! Phases:
//! 1. **process** (parallel over files, and over batches of records inside
//!    a file): read -> normalize -> clean -> langid -> filter -> dedup key.
//!    Each file's outcomes are spilled, in record order, to a compressed
//!    work file; only a key (16 bytes) and the id of each surviving
//!    document stay in memory.
//! 2. **dedup** (barrier): walking the keys in input order, the first
//!    document with a key is kept, later ones point at it.
//! 3. **write** (in input order): spilled documents go to their
//!    (language, split) shards or to `rejected/`, then the manifest and the
//!    dataset card are written.
//!
//! Guarantees: input = kept + rejected, with one reason per rejected
//! document; the output depends only on the input bytes and the config,
//! not on the thread count (all merges are in input order; no hash-map
//! order, time or absolute path reaches an output file); the release is
//! built in a temporary sibling folder and renamed into place only when
//! complete, so a failed run leaves any previous release untouched.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::clean::Rules;
use crate::config::{LoadedConfig, OnBadFile};
use crate::doc::{Document, Record, Reject, Stage};
use crate::error::{Error, Result};
use crate::langid::Identifier;
use crate::manifest::{self, Counts, Manifest};
use crate::process::{Spilled, Stages};
use crate::read::{self, InputFile};
use crate::write::{DataRow, DataRows, RejectRow, RejectRows, ShardInfo, ShardSet, ShardSettings};
use crate::{dedup, split};

/// What a build produced, for the summary table.
#[derive(Debug)]
pub struct Summary {
    pub release: PathBuf,
    pub counts: Counts,
    pub shards: usize,
}

/// Per-file result of phase 1: what stays in memory per document.
struct FileOutcome {
    records: u64,
    /// Per record: whether it reached dedup.
    is_cand: Vec<bool>,
    /// Dedup candidates (key, signature, length) and their ids, in order.
    cands: Vec<dedup::Candidate>,
    ids: Vec<Box<str>>,
    removed_by_rule: Vec<u64>,
    repaired_utf8_docs: u64,
    mojibake_docs: u64,
    /// Why the file was left out (`input.on_bad_file = "skip"`).
    skipped: Option<String>,
}

impl FileOutcome {
    fn empty(n_rules: usize) -> Self {
        FileOutcome {
            records: 0,
            is_cand: Vec::new(),
            cands: Vec::new(),
            ids: Vec::new(),
            removed_by_rule: vec![0; n_rules],
            repaired_utf8_docs: 0,
            mojibake_docs: 0,
            skipped: None,
        }
    }
}

/// Options of a build that are not part of the config.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Show progress bars (they are hidden anyway when stderr is no TTY).
    pub progress: bool,
}

/// Build a release from a loaded (and overridden) config.
pub fn build(loaded: &LoadedConfig, opts: &BuildOptions) -> Result<Summary> {
    let cfg = &loaded.config;
    cfg.validate(&loaded.path)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.run.threads)
        .build()
        .map_err(|e| Error::Config {
            path: loaded.path.clone(),
            line: None,
            message: format!("cannot start {} threads: {e}", cfg.run.threads),
        })?;
    pool.install(|| build_in_pool(loaded, opts))
}

fn build_in_pool(loaded: &LoadedConfig, opts: &BuildOptions) -> Result<Summary> {
    let cfg = &loaded.config;
    let (files, ignored) = read::discover(&cfg.input.paths)?;
    if files.is_empty() {
        return Err(Error::input(
            &cfg.input.paths[0],
            None,
            "no input files found (expected .jsonl, .csv, .tsv, .parquet or .txt, optionally .gz/.zst)",
        ));
    }
    let (rules, rules_meta) = if cfg.clean.rules {
        let rules = Rules::load(&cfg.clean.rules_file).map_err(|e| match e {
            Error::Io { path, cause } => Error::Config {
                path: loaded.path.clone(),
                line: None,
                message: format!(
                    "clean.rules_file {}: {cause} (relative paths are resolved against the current directory)",
                    path.display()
                ),
            },
            e => e,
        })?;
        let (sha, _) = crate::write::sha256_file(&cfg.clean.rules_file)?;
        (
            Some(rules),
            Some((portable_path(&cfg.clean.rules_file), sha)),
        )
    } else {
        (None, None)
    };
    let repeated = if cfg.clean.repeated.enabled {
        let counts = crate::clean::repeated::count_files(&files, cfg)?;
        Some(counts.finish(&cfg.clean.repeated))
    } else {
        None
    };
    let stages = Stages {
        cfg: cfg.clone(),
        identifier: Identifier::new(&cfg.langid)?,
        rules,
        repeated,
    };

    let out = cfg.output.dir.clone();
    let tmp = temp_sibling(&out, "tmp")?;
    let result =
        build_into(&tmp, loaded, &stages, &files, &ignored, rules_meta, opts).and_then(|summary| {
            publish(&tmp, &out, cfg.output.overwrite)?;
            Ok(Summary {
                release: out.clone(),
                ..summary
            })
        });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn build_into(
    root: &Path,
    loaded: &LoadedConfig,
    stages: &Stages,
    files: &[InputFile],
    ignored: &[read::Ignored],
    rules_meta: Option<(String, String)>,
    opts: &BuildOptions,
) -> Result<Summary> {
    let cfg = &loaded.config;
    let work = root.join(".work");
    std::fs::create_dir_all(&work).map_err(|e| Error::io(&work, e))?;

    // Phase 1: process every file, spilling outcomes in record order.
    let total_bytes: u64 = files.iter().map(|f| f.bytes).sum();
    let bar = progress_bar(opts.progress, total_bytes, "process");
    let n_rules = stages.removal_names().len();
    let outcomes: Vec<FileOutcome> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let spill = spill_path(&work, i);
            let r = match process_file(stages, f, &spill, n_rules) {
                Err(e) if cfg.input.on_bad_file == OnBadFile::Skip => {
                    let _ = std::fs::remove_file(&spill);
                    Ok(FileOutcome {
                        skipped: Some(e.to_string()),
                        ..FileOutcome::empty(n_rules)
                    })
                }
                r => r,
            };
            bar.inc(f.bytes);
            r
        })
        .collect::<Result<_>>()?;
    bar.finish_and_clear();
    let input_hashes: Vec<(String, u64)> = files
        .par_iter()
        .map(|f| crate::write::sha256_file(&f.path))
        .collect::<Result<_>>()?;

    // Phase 2: dedup decisions over all candidates, in input order.
    let mut counts = Counts::default();
    let mut cands: Vec<dedup::Candidate> = Vec::new();
    let mut ids: Vec<Box<str>> = Vec::new();
    let mut is_cand: Vec<Vec<bool>> = Vec::with_capacity(outcomes.len());
    let mut file_stats = Vec::with_capacity(outcomes.len());
    let mut skipped = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        cands.extend(o.cands);
        ids.extend(o.ids);
        is_cand.push(o.is_cand);
        file_stats.push((o.records, o.removed_by_rule, o.repaired_utf8_docs));
        counts.repaired_mojibake += o.mojibake_docs;
        skipped.push(o.skipped);
    }
    let decisions = dedup::decide(
        &mut cands,
        cfg.dedup.exact,
        &cfg.dedup.near,
        &work.join("minhash"),
    )
    .map_err(|e| Error::io(&work.join("minhash"), e))?;
    let keys: Vec<u128> = cands.iter().map(|c| c.key).collect();
    drop(cands);

    // Phase 3: write shards in input order.
    let settings = ShardSettings {
        shard_rows: cfg.output.shard_rows,
        shard_bytes: cfg.output.shard_bytes,
        row_group_rows: cfg.output.row_group_rows,
        row_group_bytes: 8 << 20,
        zstd_level: cfg.output.zstd_level,
        metadata: vec![
            (
                "corpusforge.version".into(),
                env!("CARGO_PKG_VERSION").into(),
            ),
            (
                "corpusforge.config_sha256".into(),
                manifest::sha256_hex(loaded.text.as_bytes()),
            ),
            (
                "corpusforge.schema".into(),
                crate::write::SCHEMA_VERSION.into(),
            ),
        ],
    };
    let mut data: BTreeMap<(String, &'static str), ShardSet<DataRows>> = BTreeMap::new();
    let mut rejected: ShardSet<RejectRows> = ShardSet::new(
        root,
        "rejected/rejected".into(),
        None,
        None,
        settings.clone(),
    );
    let mut funnel = manifest::Funnel::default();
    let mut langs: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let bar = progress_bar(opts.progress, file_stats.iter().map(|f| f.0).sum(), "write");
    let mut ci = 0usize;
    for (fi, file_is_cand) in is_cand.iter().enumerate() {
        if skipped[fi].is_some() {
            continue;
        }
        let path = spill_path(&work, fi);
        let reader =
            zstd::stream::read::Decoder::new(File::open(&path).map_err(|e| Error::io(&path, e))?)
                .map_err(|e| Error::io(&path, e))?;
        let mut lines = BufReader::new(reader).lines();
        for &cand in file_is_cand {
            let line = lines
                .next()
                .ok_or_else(|| Error::output(&path, "work file ended early"))?
                .map_err(|e| Error::io(&path, e))?;
            let sp: Spilled = serde_json::from_str(&line)
                .map_err(|e| Error::output(&path, format!("work file unreadable: {e}")))?;
            let doc = &sp.doc;
            counts.input += 1;
            let line_no = doc.prov.line.map(|l| l as i64);
            let decision = cand.then(|| {
                ci += 1;
                (ci - 1, decisions[ci - 1])
            });
            let cluster = decision.map(|(_, d)| &*ids[d.kept as usize]);
            let reject = match (&sp.reject, decision) {
                (Some(r), _) => Some((r.clone(), None)),
                (None, Some((i, d))) if d.kept as usize != i => {
                    let kept = &*ids[d.kept as usize];
                    let r = if d.exact {
                        Reject::new(
                            Stage::Dedup,
                            "exact_duplicate",
                            format!("same folded text as {kept}"),
                        )
                    } else {
                        Reject::new(
                            Stage::Dedup,
                            "near_duplicate",
                            format!("estimated Jaccard {:.3} to {kept}", d.jaccard),
                        )
                    };
                    Some((r, Some((kept, d.jaccard))))
                }
                (None, _) => None,
            };
            if let Some((r, dup_of)) = reject {
                counts.rejected += 1;
                *counts
                    .rejected_by_reason
                    .entry(r.reason.clone())
                    .or_insert(0) += 1;
                funnel.add(r.stage, &r.reason, doc.text.chars().count() as u64);
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
                let (i, d) = decision.expect("a kept document went through dedup");
                debug_assert_eq!(d.kept as usize, i);
                let split = split::split_of(keys[d.kept as usize], &cfg.split);
                counts.kept += 1;
                *langs
                    .entry(doc.lang.clone())
                    .or_default()
                    .entry(split.to_string())
                    .or_insert(0) += 1;
                let set = data.entry((doc.lang.clone(), split)).or_insert_with(|| {
                    ShardSet::new(
                        root,
                        format!("data/{}/{}", doc.lang, split),
                        Some(doc.lang.clone()),
                        Some(split.to_string()),
                        settings.clone(),
                    )
                });
                let cluster = cluster.expect("a kept document has a cluster");
                let dup_count = d.cluster_size as i32;
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
                    dup_count,
                    split,
                    source_file: &doc.prov.file,
                    source_line: line_no,
                    removed_lines: cfg
                        .clean
                        .keep_removed_lines
                        .then_some(doc.removed_lines.as_slice()),
                })?;
            }
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    std::fs::remove_dir_all(&work).map_err(|e| Error::io(&work, e))?;

    let mut shards: Vec<ShardInfo> = Vec::new();
    for (_, set) in data {
        shards.extend(set.finish()?);
    }
    let rejected_shards = rejected.finish()?;

    let mut removed_by_rule = vec![0u64; n_rules];
    let mut repaired = 0;
    for (_, by_rule, rep) in &file_stats {
        for (a, b) in removed_by_rule.iter_mut().zip(by_rule) {
            *a += b;
        }
        repaired += rep;
    }
    counts.repaired_invalid_utf8 = repaired;
    let rule_names = stages.removal_names();
    let langid = match &cfg.langid.model {
        Some(path) => manifest::LangidInfo {
            backend: "fasttext",
            model: Some(portable_path(path)),
            model_sha256: Some(crate::write::sha256_file(path)?.0),
        },
        None => manifest::LangidInfo {
            backend: "whatlang",
            model: None,
            model_sha256: None,
        },
    };
    let m = Manifest::new(manifest::ManifestParts {
        loaded,
        rules: rules_meta,
        langid,
        files,
        input_hashes: &input_hashes,
        records_per_file: file_stats.iter().map(|f| f.0).collect(),
        skipped,
        ignored,
        counts: counts.clone(),
        funnel,
        removed_lines: rule_names.into_iter().zip(removed_by_rule).collect(),
        repeated: stages.repeated.as_ref().map(manifest::RepeatedInfo::of),
        languages: langs,
        shards: shards.clone(),
        rejected_shards,
    });
    m.write(root)?;
    manifest::write_card(root, &m)?;
    crate::report::write_report(root, &m)?;
    Ok(Summary {
        release: root.to_path_buf(),
        counts,
        shards: shards.len(),
    })
}

fn spill_path(work: &Path, i: usize) -> PathBuf {
    work.join(format!("spill-{i:06}.jsonl.zst"))
}

/// Phase 1 for one file: read in batches, process a batch in parallel,
/// spill it in order.
fn process_file(
    stages: &Stages,
    file: &InputFile,
    spill: &Path,
    n_rules: usize,
) -> Result<FileOutcome> {
    let mut records = read::records(file, &stages.cfg.input)?;
    let out = File::create(spill).map_err(|e| Error::io(spill, e))?;
    let mut enc = zstd::stream::write::Encoder::new(BufWriter::new(out), 1)
        .map_err(|e| Error::io(spill, e))?;
    let mut outcome = FileOutcome::empty(n_rules);
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
        let results: Vec<(Spilled, Option<dedup::Candidate>, Vec<usize>)> =
            std::mem::take(&mut batch)
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
        for (sp, key, hits) in results {
            outcome.records += 1;
            if sp.doc.invalid_utf8 > 0 {
                outcome.repaired_utf8_docs += 1;
            }
            if sp.doc.mojibake_fixed > 0 {
                outcome.mojibake_docs += 1;
            }
            for h in hits {
                outcome.removed_by_rule[h] += 1;
            }
            outcome.is_cand.push(key.is_some());
            if let Some(c) = key {
                outcome.cands.push(c);
                outcome.ids.push(sp.doc.id.clone().into_boxed_str());
            }
            serde_json::to_writer(&mut enc, &sp)
                .map_err(|e| Error::output(spill, e.to_string()))?;
            enc.write_all(b"\n").map_err(|e| Error::io(spill, e))?;
        }
    }
    enc.finish()
        .and_then(|mut w| w.flush())
        .map_err(|e| Error::io(spill, e))?;
    Ok(outcome)
}

/// A fresh folder beside `out` (same filesystem, so the final rename is
/// atomic).
fn temp_sibling(out: &Path, tag: &str) -> Result<PathBuf> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "release".into());
    let tmp = parent.join(format!(".{name}.{tag}-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    }
    std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
    Ok(tmp)
}

/// Move the finished release into place, replacing an old one.
fn publish(tmp: &Path, out: &Path, overwrite: bool) -> Result<()> {
    if out.exists() {
        if !overwrite {
            return Err(Error::output(
                out,
                "release folder exists and output.overwrite = false",
            ));
        }
        let old = temp_sibling(out, "old")?;
        std::fs::remove_dir(&old).map_err(|e| Error::io(&old, e))?;
        std::fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
        std::fs::rename(tmp, out).map_err(|e| Error::io(out, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(tmp, out).map_err(|e| Error::io(out, e))?;
    }
    Ok(())
}

fn progress_bar(enabled: bool, len: u64, what: &'static str) -> ProgressBar {
    let bar = if enabled {
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>8} [{bar:40}] {percent:>3}% {elapsed_precise} eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_prefix(what);
    bar
}

/// A path as written into outputs: relative paths as given, absolute ones
/// reduced to their file name (no machine paths in a release).
pub fn portable_path(p: &Path) -> String {
    if p.is_absolute() {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        p.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}
