//! Stage `finalize`: the release folder.
//!
//! Assembles the shards of a complete `write` run in a fresh folder beside
//! `output.dir` (hard links when the work directory is on the same
//! filesystem, else copies, so the work directory stays valid for a
//! rerun), writes the manifest, the dataset card and the report, and
//! renames the folder into place. A failed or killed finalize leaves any
//! previous release untouched.

use std::path::Path;

use super::Summary;
use super::process::all_stats;
use super::write::{WriteStats, write_key};
use super::{Work, chain_key, layout};
use crate::clean::Rules;
use crate::error::{Error, Result};
use crate::manifest::{self, Counts, Funnel, Manifest};
use crate::safety;
use crate::util::fs::{portable_path, publish, temp_sibling};
use crate::write::ShardInfo;

pub fn finalize_task(work: &Work) -> Result<Summary> {
    work.stage_dir("finalize")?;
    let (stats, up) = all_stats(work)?;
    let wkey = write_key(&up);
    let n = work.complete_run("write", &wkey).ok_or_else(|| {
        Error::workdir(
            &work.dir.join("write"),
            "stage `write` has not finished for these inputs and config (run it first)",
        )
    })?;
    let cfg = &work.loaded.config;
    let out = cfg.output.dir.clone();
    // A local build holds the output's lock already; a `finalize` task
    // (a cluster job) takes it for the publish.
    let _lock = if work.holds_output_lock {
        None
    } else {
        Some(safety::Lock::exclusive(
            &safety::output_lock_path(&out),
            &out,
        )?)
    };
    safety::check_output(&out, cfg.output.overwrite)?;
    let tmp = temp_sibling(&out, "tmp")?;
    let result = assemble(work, &stats, n, &tmp).and_then(|summary| {
        if summary.counts.kept == 0 && !cfg.output.allow_empty {
            return Err(nothing_kept(work, &summary.counts));
        }
        publish(&tmp, &out, cfg.output.overwrite)?;
        Ok(Summary {
            release: out.clone(),
            ..summary
        })
    });
    if result.is_err() {
        let _ = safety::remove_owned(&tmp);
    }
    let summary = result?;
    work.mark_done("finalize", 0, 1, &chain_key("finalize", [wkey.as_str()]))?;
    Ok(summary)
}

/// The error of a build that kept no document: how many were rejected, the
/// top reasons, and a hint for the commonest mistakes (a wrong text field,
/// a `langid.keep` that matches nothing).
fn nothing_kept(work: &Work, counts: &Counts) -> Error {
    let cfg = &work.loaded.config;
    if counts.input == 0 {
        return Error::Empty {
            message: format!(
                "the inputs hold no document ({} files read); nothing was published. \
                 Pass --allow-empty to publish an empty release anyway",
                work.files.len()
            ),
        };
    }
    let mut reasons: Vec<(&String, &u64)> = counts.rejected_by_reason.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top: Vec<String> = reasons
        .iter()
        .take(3)
        .map(|(r, n)| format!("{r} {}", thousands(**n)))
        .collect();
    let hint = match reasons.first().map(|(r, _)| r.as_str()) {
        Some("missing_text") => {
            let fields = work.files.iter().find_map(crate::read::field_names);
            match fields {
                Some(f) => format!(
                    "the records have fields: {}; is input.fields.text ({:?}) right?",
                    f.join(", "),
                    cfg.input.fields.text
                ),
                None => format!(
                    "is input.fields.text ({:?}) the name of the text field?",
                    cfg.input.fields.text
                ),
            }
        }
        Some("lang_not_kept") => format!(
            "langid.keep = {:?} kept none of them; `corpusforge inspect` of a build without \
             langid.keep shows the labels the identifier gives",
            cfg.langid.keep
        ),
        _ => "the rejected documents and their reasons are in the work directory's \
              write/ shards; --allow-empty publishes the release with them in rejected/"
            .to_string(),
    };
    Error::Empty {
        message: format!(
            "all {} documents were rejected: {}; {hint}. Nothing was published{}",
            thousands(counts.input),
            top.join("; "),
            if cfg.output.dir.exists() {
                " and the previous release is as it was"
            } else {
                ""
            }
        ),
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        let p = layout::write_stats(&work.dir, t, n);
        let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
        let ws: WriteStats = serde_json::from_str(&text)
            .map_err(|e| Error::workdir(&p, format!("work file unreadable: {e}")))?;
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
        let dir = layout::write_task(&work.dir, t, n);
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
        return Err(Error::workdir(
            &work.dir,
            format!(
                "funnel does not add up: {} input, {} kept, {} rejected",
                counts.input, counts.kept, counts.rejected
            ),
        ));
    }

    let (rule_names, rules_meta) = if cfg.clean.rules {
        let rules = Rules::from_file_or_builtin(cfg.clean.rules_file.as_deref())?;
        let text = crate::clean::rules_text(cfg.clean.rules_file.as_deref())?;
        let name = match &cfg.clean.rules_file {
            Some(p) => portable_path(cfg.as_written(p)),
            None => crate::clean::BUILTIN_RULES_NAME.to_string(),
        };
        (
            crate::clean::removal_names(Some(&rules)),
            Some((name, crate::manifest::sha256_hex(text.as_bytes()))),
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
            model: Some(portable_path(cfg.as_written(path))),
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
