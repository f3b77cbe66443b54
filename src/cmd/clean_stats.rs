//! `corpusforge clean-stats`: what the clean stage removes from the inputs
//! of a config, per input folder and mechanism (rules, repeated lines,
//! header and footer navigation), without building a release. Runs the
//! same code as the build: the counting pass of repeated lines, then
//! normalization and cleaning of every document.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use rayon::prelude::*;

use corpusforge::clean::{self, Removal, Rules};
use corpusforge::config::Config;
use corpusforge::doc::Record;
use corpusforge::read;
use corpusforge::steps::normalize_doc;

use crate::cli::CleanStatsArgs;

const MECHANISMS: [&str; 4] = ["rules", "repeated_line", "header_nav", "footer_nav"];

#[derive(Default)]
struct Tally {
    docs: u64,
    lines: u64,
    /// Documents left without any line.
    emptied: u64,
    /// Per mechanism: lines removed, documents with at least one.
    removed: [(u64, u64); 4],
    /// (mechanism, line) -> times removed.
    examples: BTreeMap<(usize, String), u64>,
    /// Documents with repaired mojibake, and examples (id, before, after).
    mojibake: u64,
    mojibake_examples: Vec<(String, String, String)>,
}

impl Tally {
    fn add_counts(&mut self, o: &Tally) {
        self.docs += o.docs;
        self.lines += o.lines;
        self.emptied += o.emptied;
        self.mojibake += o.mojibake;
        for (a, b) in self.removed.iter_mut().zip(o.removed) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    fn add(&mut self, o: Tally) {
        self.add_counts(&o);
        for (k, n) in o.examples {
            *self.examples.entry(k).or_insert(0) += n;
        }
        self.mojibake_examples.extend(o.mojibake_examples);
    }
}

fn mechanism(r: Removal) -> usize {
    match r {
        Removal::Rule(_) => 0,
        Removal::RepeatedLine => 1,
        Removal::HeaderNav => 2,
        Removal::FooterNav => 3,
    }
}

pub fn run(args: &CleanStatsArgs) -> Result<()> {
    let loaded = Config::load(&args.config)?;
    let mut cfg = loaded.config;
    if !args.inputs.is_empty() {
        cfg.input.paths = args.inputs.clone();
    }
    cfg.validate(&args.config)?;
    let (files, _) = read::discover(&cfg.input.paths)?;
    let rules = if cfg.clean.rules {
        Some(Rules::from_file_or_builtin(
            cfg.clean.rules_file.as_deref(),
        )?)
    } else {
        None
    };
    let repeated = if cfg.clean.repeated.enabled {
        Some(corpusforge::steps::count_files(&files, &cfg)?.finish(&cfg.clean.repeated))
    } else {
        None
    };
    let per_file: Vec<(String, Tally)> = files
        .par_iter()
        .map(|f| -> Result<(String, Tally)> {
            let set = match f.rel.split_once('/') {
                Some((top, _)) => top.to_string(),
                None => f.rel.clone(),
            };
            let mut t = Tally::default();
            for rec in read::records(f, &cfg.input)? {
                let Record::Doc(mut doc) = rec.with_context(|| f.rel.clone())? else {
                    continue;
                };
                let raw = (args.examples > 0).then(|| doc.text.clone());
                normalize_doc(&mut doc, &cfg.normalize);
                if doc.mojibake_fixed > 0 {
                    t.mojibake += 1;
                    if let Some(mut raw) = raw {
                        if doc.html {
                            raw = corpusforge::html::to_text(&raw).text;
                        }
                        let (before, after) = first_difference(&raw, &doc.text);
                        t.mojibake_examples.push((doc.id.clone(), before, after));
                    }
                }
                let c = clean::clean(
                    &doc.text,
                    clean::repeated::source_key(&doc),
                    rules.as_ref(),
                    repeated.as_ref(),
                    &cfg.clean.nav,
                );
                t.docs += 1;
                t.lines += doc.text.split('\n').filter(|l| !l.is_empty()).count() as u64;
                if c.text.is_empty() {
                    t.emptied += 1;
                }
                let mut touched = [false; 4];
                for (r, line) in c.removed {
                    let m = mechanism(r);
                    t.removed[m].0 += 1;
                    touched[m] = true;
                    if args.examples > 0 {
                        *t.examples.entry((m, line)).or_insert(0) += 1;
                    }
                }
                for (m, hit) in touched.iter().enumerate() {
                    t.removed[m].1 += *hit as u64;
                }
            }
            Ok((set, t))
        })
        .collect::<Result<_>>()?;
    let mut sets: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for (set, t) in per_file {
        total.add_counts(&t);
        sets.entry(set).or_default().add(t);
    }
    println!(
        "| input | documents | lines | rules | repeated_line | header_nav | footer_nav | left empty |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let row = |name: &str, t: &Tally| {
        let cells: Vec<String> = t
            .removed
            .iter()
            .map(|(l, d)| format!("{l} lines / {d} docs"))
            .collect();
        println!(
            "| {name} | {} | {} | {} | {} |",
            t.docs,
            t.lines,
            cells.join(" | "),
            t.emptied
        );
    };
    for (name, t) in &sets {
        row(name, t);
    }
    row("**all**", &total);
    println!(
        "\ndocuments with mojibake repaired (normalize.fix_mojibake): {}",
        total.mojibake
    );
    if let Some(r) = &repeated {
        println!(
            "\nrepeated lines: {} (source, line) pairs in {} sources, sampling level {}",
            r.len(),
            r.sources(),
            r.level()
        );
    }
    if args.examples > 0 {
        let mut ex: Vec<&(String, String, String)> =
            sets.values().flat_map(|t| &t.mojibake_examples).collect();
        ex.sort();
        if !ex.is_empty() {
            println!("\nmojibake repaired (first difference, raw -> normalized):");
        }
        for (id, before, after) in ex.into_iter().take(args.examples) {
            println!("  {id}: {before:?} -> {after:?}");
        }
        for (m, name) in MECHANISMS.iter().enumerate() {
            for (set, t) in &sets {
                let mut ex: Vec<(&String, u64)> = t
                    .examples
                    .iter()
                    .filter(|((mm, _), _)| *mm == m)
                    .map(|((_, l), n)| (l, *n))
                    .collect();
                if ex.is_empty() {
                    continue;
                }
                ex.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                println!("\n{name} in {set} (most removed first):");
                for (l, n) in ex.into_iter().take(args.examples) {
                    let short: String = l.chars().take(100).collect();
                    println!("{n:>8}  {short}");
                }
            }
        }
    }
    Ok(())
}

/// About 30 characters around the first place where the raw and the
/// normalized text differ (whitespace folded), from each.
fn first_difference(raw: &str, norm: &str) -> (String, String) {
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (a, b) = (fold(raw), fold(norm));
    let ac: Vec<char> = a.chars().collect();
    let bc: Vec<char> = b.chars().collect();
    let i = ac.iter().zip(&bc).take_while(|(x, y)| x == y).count();
    let from = i.saturating_sub(10);
    (
        ac[from..(i + 20).min(ac.len())].iter().collect(),
        bc[from..(i + 20).min(bc.len())].iter().collect(),
    )
}
