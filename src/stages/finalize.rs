//! Stage `finalize`: the release folder.
//!
//! Assembles the shards of a complete `write` run in a fresh folder beside
//! `output.dir` (hard links when the work directory is on the same
//! filesystem, else copies, so the work directory stays valid for a
//! rerun), writes the manifest, the dataset card and the report, and
//! renames the folder into place. A failed or killed finalize leaves any
//! previous release untouched.

use std::path::Path;

use super::process::all_stats;
use super::write::{WriteStats, stats_path, task_dir, write_key};
use super::{Work, chain_key};
use crate::clean::Rules;
use crate::error::{Error, Result};
use crate::manifest::{self, Counts, Funnel, Manifest};
use crate::pipeline::{Summary, portable_path, publish, temp_sibling};
use crate::write::ShardInfo;

pub fn finalize_task(work: &Work) -> Result<Summary> {
    work.stage_dir("finalize")?;
    let (stats, up) = all_stats(work)?;
    let wkey = write_key(&up);
    let n = work.complete_run("write", &wkey).ok_or_else(|| {
        Error::output(
            &work.dir.join("write"),
            "stage `write` has not finished for these inputs and config (run it first)",
        )
    })?;
    let cfg = &work.loaded.config;
    let out = cfg.output.dir.clone();
    let tmp = temp_sibling(&out, "tmp")?;
    let result = assemble(work, &stats, n, &tmp).and_then(|summary| {
        publish(&tmp, &out, cfg.output.overwrite)?;
        Ok(Summary {
            release: out.clone(),
            ..summary
        })
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    let summary = result?;
    work.mark_done("finalize", 0, 1, &chain_key("finalize", [wkey.as_str()]))?;
    Ok(summary)
}

/// Link `from` to `to`, or copy it when linking is not possible.
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| Error::io(to, e))
}

fn assemble(
    work: &Work,
    stats: &[super::process::FileStats],
    n: usize,
    root: &Path,
) -> Result<Summary> {
    let cfg = &work.loaded.config;
    let mut counts = Counts::default();
    let mut funnel = Funnel::default();
    let mut languages =
        std::collections::BTreeMap::<String, std::collections::BTreeMap<String, u64>>::new();
    let mut shards: Vec<ShardInfo> = Vec::new();
    let mut rejected_shards: Vec<ShardInfo> = Vec::new();
    for t in 0..n {
        let p = stats_path(work, t, n);
        let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
        let ws: WriteStats = serde_json::from_str(&text)
            .map_err(|e| Error::output(&p, format!("work file unreadable: {e}")))?;
        counts.kept += ws.counts.kept;
        counts.rejected += ws.counts.rejected;
        for (r, k) in ws.counts.rejected_by_reason {
            *counts.rejected_by_reason.entry(r).or_insert(0) += k;
        }
        for (stage, reason, docs, chars) in ws.funnel {
            funnel.add_many(stage, &reason, docs, chars);
        }
        for (lang, per) in ws.languages {
            let e = languages.entry(lang).or_default();
            for (s, k) in per {
                *e.entry(s).or_insert(0) += k;
            }
        }
        let dir = task_dir(work, t, n);
        for s in ws.shards.iter().chain(&ws.rejected_shards) {
            link_or_copy(&dir.join(&s.path), &root.join(&s.path))?;
        }
        shards.extend(ws.shards);
        rejected_shards.extend(ws.rejected_shards);
    }
    shards.sort_by(|a, b| (&a.lang, &a.split, &a.path).cmp(&(&b.lang, &b.split, &b.path)));
    rejected_shards.sort_by(|a, b| a.path.cmp(&b.path));
    counts.input = stats.iter().map(|s| s.records).sum();
    counts.repaired_invalid_utf8 = stats.iter().map(|s| s.repaired_utf8_docs).sum();
    counts.repaired_mojibake = stats.iter().map(|s| s.mojibake_docs).sum();
    if counts.input != counts.kept + counts.rejected {
        return Err(Error::output(
            &work.dir,
            format!(
                "funnel does not add up: {} input, {} kept, {} rejected",
                counts.input, counts.kept, counts.rejected
            ),
        ));
    }

    let (rule_names, rules_meta) = if cfg.clean.rules {
        let rules = Rules::load(&cfg.clean.rules_file)?;
        let (sha, _) = crate::write::sha256_file(&cfg.clean.rules_file)?;
        (
            crate::clean::removal_names(Some(&rules)),
            Some((portable_path(&cfg.clean.rules_file), sha)),
        )
    } else {
        (crate::clean::removal_names(None), None)
    };
    let repeated = super::process::repeated_info(work)?;
    let mut removed_by_rule = vec![0u64; rule_names.len()];
    for s in stats {
        for (a, b) in removed_by_rule.iter_mut().zip(&s.removed_by_rule) {
            *a += b;
        }
    }
    let langid = match &cfg.langid.model {
        _ if !cfg.langid.enabled => manifest::LangidInfo {
            backend: "none",
            model: None,
            model_sha256: None,
        },
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
    let input_hashes: Vec<(String, u64)> =
        stats.iter().map(|s| (s.sha256.clone(), s.bytes)).collect();
    let m = Manifest::new(manifest::ManifestParts {
        loaded: &work.loaded,
        rules: rules_meta,
        langid,
        files: &work.files,
        input_hashes: &input_hashes,
        records_per_file: stats.iter().map(|s| s.records).collect(),
        skipped: stats.iter().map(|s| s.skipped.clone()).collect(),
        ignored: &work.ignored,
        counts: counts.clone(),
        funnel,
        removed_lines: rule_names.into_iter().zip(removed_by_rule).collect(),
        repeated,
        languages,
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
        stage_seconds: Vec::new(),
    })
}
