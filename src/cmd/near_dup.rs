//! `corpusforge near-dup` (hidden): the near-duplicate stage on its own, for
//! `scripts/eval_neardup.py`. JSONL in (`{"id","text"[,"date"]}`), one
//! assignment per input line out (`{"id","cluster","cluster_size",
//! "kept_seq","est_jaccard"}`, `kept_seq` = input line index), or with
//! `--normalize` the normalized text and shingle kind of each document.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};
use rayon::prelude::*;

use corpusforge::config::Config;
use corpusforge::dedup::minhash::{self, DocMeta, MinHashConfig, ShingleKind};

use crate::cli::NearDupArgs;

#[derive(serde::Deserialize)]
struct In {
    id: serde_json::Value,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

pub fn run(args: &NearDupArgs) -> Result<()> {
    let mut cfg: MinHashConfig = match &args.config {
        Some(p) => Config::load(p)?.config.dedup.near,
        None => MinHashConfig::default(),
    };
    if let Some(b) = args.bands {
        cfg.bands = b;
    }
    if let Some(r) = args.rows {
        cfg.rows = r;
    }
    if let Some(v) = &args.verify {
        cfg.verify_min_jaccard = if v == "none" {
            None
        } else {
            Some(v.parse().context("--verify takes a number or `none`")?)
        };
    }
    let mut docs = Vec::new();
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.with_context(|| format!("stdin, line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let d: In =
            serde_json::from_str(&line).with_context(|| format!("stdin, line {}", i + 1))?;
        docs.push(d);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.normalize {
        let rows: Vec<String> = docs
            .par_iter()
            .map(|d| {
                let norm = minhash::normalize_for_shingles(d.text.as_deref().unwrap_or(""));
                let kind = match minhash::shingle_kind(&norm, &cfg) {
                    ShingleKind::Words => "words",
                    ShingleKind::Chars => "chars",
                };
                serde_json::json!({"id": d.id, "norm": norm, "kind": kind}).to_string()
            })
            .collect();
        for r in rows {
            writeln!(out, "{r}")?;
        }
        return Ok(out.flush()?);
    }
    let sigs: Vec<minhash::Signature> = docs
        .par_iter()
        .map(|d| minhash::signature(d.text.as_deref().unwrap_or(""), &cfg))
        .collect();
    let metas: Vec<DocMeta> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| DocMeta {
            seq: i as u64,
            n_chars: d.text.as_deref().map_or(0, |t| t.chars().count() as u64),
            date: d.date.clone(),
        })
        .collect();
    let spill = args.spill_dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("corpusforge-neardup-{}", std::process::id()))
    });
    let asg = minhash::cluster(&sigs, &metas, &cfg, &spill).context("clustering")?;
    for (d, a) in docs.iter().zip(&asg) {
        let row = serde_json::json!({
            "id": d.id, "cluster": a.cluster, "cluster_size": a.cluster_size,
            "kept_seq": a.kept_seq, "est_jaccard": a.est_jaccard,
        });
        writeln!(out, "{row}")?;
    }
    Ok(out.flush()?)
}
