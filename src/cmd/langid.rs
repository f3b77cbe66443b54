//! `corpusforge langid`: identify the language of each input line with the
//! same identifier `build` uses. Prints one line per input: `label<TAB>score`,
//! the document-level decision ([`Identifier::identify_doc`]: lines scored
//! separately and aggregated by length; with `--jsonl` a text's lines are
//! its paragraphs). With `--top-k 2` or more, the second label and its
//! score follow when the document's lines disagree. `--whole` identifies
//! each text as one piece (`Identifier::identify_top`). With `--model` and
//! `--raw`, prints the model's own top-k labels (no `__label__` prefix) and
//! probabilities for the whole text, as fastText's `predict` would.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};

use corpusforge::config::{Config, LangidConfig};
use corpusforge::langid::Identifier;
use corpusforge::langid::fasttext::Scratch;

use crate::cli::LangidArgs;

pub fn run(args: &LangidArgs) -> Result<()> {
    let mut cfg: LangidConfig = match &args.config {
        Some(p) => Config::load(p)?.config.langid,
        None => LangidConfig::default(),
    };
    if let Some(m) = &args.model {
        cfg.model = Some(m.clone());
    }
    let id = Identifier::new(&cfg)?;
    if args.list_languages {
        let mut out = std::io::stdout().lock();
        for (raw, ours) in id.languages() {
            if raw == ours {
                writeln!(out, "{ours}")?;
            } else {
                writeln!(out, "{raw}\t{ours}")?;
            }
        }
        return Ok(());
    }
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut scratch = Scratch::new();
    let k = args.top_k.max(1);
    for (i, line) in stdin.split(b'\n').enumerate() {
        let bytes = line.with_context(|| format!("stdin, line {}", i + 1))?;
        let line = String::from_utf8_lossy(&bytes);
        let text = if args.jsonl {
            let v: serde_json::Value = serde_json::from_str(&line)
                .with_context(|| format!("stdin, line {}: not JSON", i + 1))?;
            v.get("text")
                .and_then(|t| t.as_str())
                .with_context(|| format!("stdin, line {}: no string field \"text\"", i + 1))?
                .to_string()
        } else {
            line.into_owned()
        };
        let mut first = true;
        let mut pair = |out: &mut dyn Write, label: &str, p: f32| -> std::io::Result<()> {
            if !first {
                out.write_all(b"\t")?;
            }
            first = false;
            write!(out, "{label}\t{p:.6}")
        };
        match (args.raw, id.model()) {
            (true, Some(model)) => {
                for (li, p) in model.predict_indices(&text, k, 0.0, &mut scratch) {
                    pair(&mut out, model.label(li), p)?;
                }
            }
            _ if args.whole => {
                for r in id.identify_top(&text, k) {
                    pair(&mut out, &r.label, r.score)?;
                }
            }
            _ => {
                let doc = id.identify_doc(&text);
                pair(&mut out, &doc.label, doc.score)?;
                if k >= 2
                    && let Some((label, score)) = &doc.second
                {
                    pair(&mut out, label, *score)?;
                }
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
