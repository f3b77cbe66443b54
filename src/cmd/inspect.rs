//! `corpusforge inspect <release>`: look inside a release without Python.
//!
//! Without options: the summary tables of the manifest (counts, funnel,
//! languages x splits). `--sample N --lang L`: N documents of language L,
//! chosen by the smallest xxh3 hashes of their ids, so the sample is
//! spread over the shards and the same on every run. `--cluster ID`: the
//! kept document of that near-duplicate cluster and every rejected
//! duplicate pointing at it, one line each, with the start of each text.

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::Value;
use xxhash_rust::xxh3::xxh3_64;

use corpusforge::error::Error;
use corpusforge::release::{read_manifest, scan, shard_entries};

use crate::cli::InspectArgs;

pub fn run(args: &InspectArgs) -> Result<()> {
    let m = read_manifest(&args.release)?;
    let mut out = std::io::stdout().lock();
    if let Some(id) = &args.cluster {
        cluster(args, &m, id, &mut out)
    } else if let (Some(n), Some(lang)) = (args.sample, &args.lang) {
        sample(args, &m, n, lang, &mut out)
    } else {
        summary(&m, &mut out)
    }
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn summary(m: &Value, out: &mut impl Write) -> Result<()> {
    let c = &m["counts"];
    writeln!(
        out,
        "{} (corpusforge {}, schema {})",
        m["release"]["pretty_name"].as_str().unwrap_or("release"),
        m["tool"]["version"].as_str().unwrap_or("?"),
        m["tool"]["schema"].as_str().unwrap_or("?")
    )?;
    writeln!(
        out,
        "documents: {} input, {} kept, {} rejected; {} data shards, {} rejected shards\n",
        u(&c["input"]),
        u(&c["kept"]),
        u(&c["rejected"]),
        shard_entries(m, "shards").len(),
        shard_entries(m, "rejected_shards").len()
    )?;
    writeln!(
        out,
        "{:<8} {:<20} {:>10} {:>12} {:>10}",
        "stage", "reason", "removed", "chars", "remaining"
    )?;
    writeln!(
        out,
        "{:<8} {:<20} {:>10} {:>12} {:>10}",
        "input",
        "",
        "",
        "",
        u(&c["input"])
    )?;
    for r in m["funnel"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "{:<8} {:<20} {:>10} {:>12} {:>10}",
            r["stage"].as_str().unwrap_or("?"),
            r["reason"].as_str().unwrap_or("?"),
            u(&r["removed"]),
            u(&r["removed_chars"]),
            u(&r["remaining"])
        )?;
    }
    writeln!(out)?;
    let splits = ["train", "validation", "test"];
    writeln!(
        out,
        "{:<12} {:>10} {:>10} {:>10} {:>10}",
        "language", splits[0], splits[1], splits[2], "total"
    )?;
    let mut totals = [0u64; 3];
    for (lang, per) in m["languages"].as_object().into_iter().flatten() {
        let v: Vec<u64> = splits.iter().map(|s| u(&per[*s])).collect();
        for (t, x) in totals.iter_mut().zip(&v) {
            *t += x;
        }
        writeln!(
            out,
            "{:<12} {:>10} {:>10} {:>10} {:>10}",
            lang,
            v[0],
            v[1],
            v[2],
            v.iter().sum::<u64>()
        )?;
    }
    writeln!(
        out,
        "{:<12} {:>10} {:>10} {:>10} {:>10}",
        "all",
        totals[0],
        totals[1],
        totals[2],
        totals.iter().sum::<u64>()
    )?;
    Ok(())
}

/// The first `n` characters of `text`, with `…` when cut.
fn head(text: &str, n: usize) -> String {
    let mut s: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        s.push('…');
    }
    s
}

fn sample(args: &InspectArgs, m: &Value, n: usize, lang: &str, out: &mut impl Write) -> Result<()> {
    let shards: Vec<&str> = shard_entries(m, "shards")
        .into_iter()
        .filter(|s| s["lang"].as_str() == Some(lang))
        .filter_map(|s| s["path"].as_str())
        .collect();
    if shards.is_empty() {
        let langs: Vec<&String> = m["languages"]
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        let langs: Vec<&str> = langs.iter().map(|l| l.as_str()).collect();
        return Err(Error::usage(format!(
            "language {lang:?} is not in this release; its languages are: {}",
            langs.join(", ")
        ))
        .into());
    }
    // Pass 1: the n smallest id hashes.
    let mut hashes: Vec<u64> = Vec::new();
    for rel in &shards {
        let path = args.release.join(rel);
        scan(&path, &["id"], |r| {
            hashes.push(xxh3_64(r[0].as_deref().unwrap_or_default().as_bytes()))
        })
        .with_context(|| format!("reading {rel}"))?;
    }
    hashes.sort_unstable();
    hashes.truncate(n);
    let cutoff = hashes.last().copied();
    // Pass 2: print those rows, in shard order.
    for rel in &shards {
        let path = args.release.join(rel);
        let mut rows: Vec<Vec<Option<String>>> = Vec::new();
        scan(&path, &["id", "title", "split", "n_chars", "text"], |r| {
            let h = xxh3_64(r[0].as_deref().unwrap_or_default().as_bytes());
            if cutoff.is_some_and(|c| h <= c) {
                rows.push(r.to_vec());
            }
        })
        .with_context(|| format!("reading {rel}"))?;
        for r in rows {
            let s = |i: usize| r[i].as_deref().unwrap_or("");
            writeln!(out, "== {}  [{}, {} chars]  {rel}", s(0), s(2), s(3))?;
            if !s(1).is_empty() {
                writeln!(out, "title: {}", s(1))?;
            }
            writeln!(out, "{}\n", head(s(4), args.chars))?;
        }
    }
    Ok(())
}

fn cluster(args: &InspectArgs, m: &Value, id: &str, out: &mut impl Write) -> Result<()> {
    let one_line = |t: &str| head(&t.replace('\n', " / "), args.chars.min(100));
    // (role, id, where, jaccard, text)
    let mut members: Vec<[String; 5]> = Vec::new();
    for e in shard_entries(m, "shards") {
        let Some(rel) = e["path"].as_str() else {
            continue;
        };
        scan(
            &args.release.join(rel),
            &["id", "dup_cluster", "split", "dup_count", "text"],
            |r| {
                if r[1].as_deref() == Some(id) {
                    let s = |i: usize| r[i].clone().unwrap_or_default();
                    members.push([
                        format!("kept ({} in cluster)", s(3)),
                        s(0),
                        format!("{} {}", e["lang"].as_str().unwrap_or(""), s(2)),
                        "".into(),
                        one_line(&s(4)),
                    ]);
                }
            },
        )
        .with_context(|| format!("reading {rel}"))?;
    }
    for e in shard_entries(m, "rejected_shards") {
        let Some(rel) = e["path"].as_str() else {
            continue;
        };
        scan(
            &args.release.join(rel),
            &["id", "dup_cluster", "reason", "dup_jaccard", "lang", "text"],
            |r| {
                if r[1].as_deref() == Some(id) {
                    let s = |i: usize| r[i].clone().unwrap_or_default();
                    members.push([s(2), s(0), s(4), s(3), one_line(&s(5))]);
                }
            },
        )
        .with_context(|| format!("reading {rel}"))?;
    }
    if members.is_empty() {
        return Err(Error::usage(format!(
            "no document has dup_cluster {id:?} (cluster ids are the kept document's id)"
        ))
        .into());
    }
    let w = |k: usize| {
        members
            .iter()
            .map(|r| r[k].chars().count())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (w(0).max(4), w(1).max(2), w(2).max(5));
    writeln!(
        out,
        "{:<w0$}  {:<w1$}  {:<w2$}  {:>7}  text",
        "role", "id", "where", "jaccard"
    )?;
    for r in &members {
        writeln!(
            out,
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>7}  {}",
            r[0], r[1], r[2], r[3], r[4]
        )?;
    }
    Ok(())
}
