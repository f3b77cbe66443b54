//! `corpusforge langid`: identify the language of each input line with the
//! same identifier `build` uses; prints `label<TAB>score` per line.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};

use corpusforge::config::{Config, LangidConfig};
use corpusforge::langid::Identifier;

use crate::cli::LangidArgs;

pub fn run(args: &LangidArgs) -> Result<()> {
    let cfg: LangidConfig = match &args.config {
        Some(p) => Config::load(p)?.config.langid,
        None => LangidConfig::default(),
    };
    let id = Identifier::new(&cfg);
    let stdin = std::io::stdin().lock();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (i, line) in stdin.lines().enumerate() {
        let line = line.with_context(|| format!("stdin, line {}", i + 1))?;
        let text = if args.jsonl {
            let v: serde_json::Value = serde_json::from_str(&line)
                .with_context(|| format!("stdin, line {}: not JSON", i + 1))?;
            v.get("text")
                .and_then(|t| t.as_str())
                .with_context(|| format!("stdin, line {}: no string field \"text\"", i + 1))?
                .to_string()
        } else {
            line
        };
        let r = id.identify(&text);
        writeln!(out, "{}\t{:.4}", r.label, r.score)?;
    }
    out.flush()?;
    Ok(())
}
