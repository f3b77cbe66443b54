//! `corpusforge bench-read` (hidden): the read stage alone, for
//! `scripts/bench.sh`. Discovers the config's inputs and reads and parses
//! every record with the build's own readers ([`read::discover`],
//! [`read::records`]), files in parallel on `--threads` threads, and prints
//! one JSON object: files, records, documents, bad records, text bytes and
//! seconds. No normalization, no filtering, no output: the counterpart of
//! datatrove's `JsonlReader` on its own. With `--langid`, each document is
//! also identified as the build identifies it ([`Identifier::identify_doc`]
//! with the config's `[langid]`): the counterpart of `JsonlReader ->
//! LanguageFilter`.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

use corpusforge::config::Config;
use corpusforge::doc::Record;
use corpusforge::langid::Identifier;
use corpusforge::read;

use crate::cli::BenchReadArgs;

#[derive(Default)]
struct Tally {
    records: u64,
    documents: u64,
    bad: u64,
    text_bytes: u64,
    /// Documents per language label (with `--langid`).
    labels: BTreeMap<String, u64>,
}

impl Tally {
    fn merge(mut self, other: Tally) -> Tally {
        self.records += other.records;
        self.documents += other.documents;
        self.bad += other.bad;
        self.text_bytes += other.text_bytes;
        for (k, v) in other.labels {
            *self.labels.entry(k).or_default() += v;
        }
        self
    }
}

pub fn run(args: &BenchReadArgs) -> Result<()> {
    let mut cfg = Config::load(&args.config)?.config;
    if !args.inputs.is_empty() {
        cfg.input.paths = args.inputs.clone();
    }
    let threads = args.threads.unwrap_or(cfg.run.threads);
    let identifier = if args.langid {
        Some(Identifier::new(&cfg.langid)?)
    } else {
        None
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .with_context(|| format!("cannot start {threads} threads"))?;
    let start = Instant::now();
    let (files, _ignored) = read::discover(&cfg.input.paths)?;
    let tally = pool.install(|| {
        files
            .par_iter()
            .map(|file| -> Result<Tally> {
                let mut t = Tally::default();
                for rec in read::records(file, &cfg.input)? {
                    t.records += 1;
                    match rec? {
                        Record::Doc(doc) => {
                            t.documents += 1;
                            t.text_bytes += doc.text.len() as u64;
                            if let Some(id) = &identifier {
                                let d = id.identify_doc(&doc.text);
                                *t.labels.entry(d.label).or_default() += 1;
                            }
                        }
                        Record::Bad { .. } => t.bad += 1,
                    }
                }
                Ok(t)
            })
            .try_reduce(Tally::default, |a, b| Ok(a.merge(b)))
    })?;
    let seconds = start.elapsed().as_secs_f64();
    let out = serde_json::json!({
        "files": files.len(),
        "threads": pool.current_num_threads(),
        "records": tally.records,
        "documents": tally.documents,
        "bad": tally.bad,
        "text_bytes": tally.text_bytes,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "documents_per_s": (tally.documents as f64 / seconds).round(),
        "labels": tally.labels,
    });
    println!("{out}");
    Ok(())
}
