//! `corpusforge filter-check` (hidden): each quality filter's decision per
//! JSONL document on stdin, run independently on the document's text, so
//! `scripts/filter_parity.py` can compare them with datatrove's.

use std::io::{BufRead, Write};

use anyhow::{Context, Result, bail};

use corpusforge::filter::quality::QualityConfig;
use corpusforge::filter::words;

use crate::cli::FilterCheckArgs;

const FILTERS: [&str; 4] = ["gopher_repetition", "gopher_quality", "c4", "fineweb"];

pub fn run(args: &FilterCheckArgs) -> Result<()> {
    let cfg = match args.config.as_str() {
        "published" => QualityConfig::published(),
        "multilingual" => QualityConfig::default(),
        path => toml::from_str(&std::fs::read_to_string(path).with_context(|| path.to_string())?)
            .with_context(|| format!("{path}: not a [filter.quality] table"))?,
    };
    if args.mode != "decisions" && args.mode != "words" {
        bail!("--mode must be `decisions` or `words`");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.with_context(|| format!("stdin, line {}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("stdin, line {}: not JSON", i + 1))?;
        let text = v["text"].as_str().unwrap_or("");
        let id = v["id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| i.to_string());
        let lang = args
            .lang
            .clone()
            .unwrap_or_else(|| v["lang"].as_str().unwrap_or("").to_string());
        let o = if args.mode == "words" {
            serde_json::json!({"id": id, "n_words": words::count_words(text),
                "n_tokens": words::tokens(text).len(), "n_sentences": words::count_sentences(text)})
        } else {
            let mut o = serde_json::Map::new();
            o.insert("id".into(), id.into());
            for f in FILTERS {
                let d = match cfg.check_one(f, text, &lang) {
                    Ok(()) => serde_json::json!({"keep": true}),
                    Err(r) => serde_json::json!({"keep": false, "signal": r.signal,
                        "value": r.value, "threshold": r.threshold}),
                };
                o.insert(f.into(), d);
            }
            serde_json::Value::Object(o)
        };
        writeln!(out, "{o}")?;
    }
    out.flush()?;
    Ok(())
}
