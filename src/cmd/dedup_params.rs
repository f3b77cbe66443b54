//! `corpusforge dedup-params`: the LSH detection curve of the configured
//! (or given) bands x rows, and a suggestion for a target threshold.

use anyhow::{Result, bail};

use corpusforge::config::Config;
use corpusforge::dedup::minhash::{self, MinHashConfig};

use crate::cli::DedupParamsArgs;

pub fn run(args: &DedupParamsArgs) -> Result<()> {
    let near: MinHashConfig = match &args.config {
        Some(p) => Config::load(p)?.config.dedup.near,
        None => MinHashConfig::default(),
    };
    let bands = args.bands.unwrap_or(near.bands);
    let rows = args.rows.unwrap_or(near.rows);
    if bands == 0 || rows == 0 {
        bail!("bands and rows must be at least 1");
    }
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!("--threshold must be in [0, 1]");
    }
    print!("{}", minhash::params_table(bands, rows));
    if let Some(v) = near.verify_min_jaccard {
        println!("candidate pairs are linked only at signature Jaccard >= {v}");
    }
    let (b, r) = minhash::suggest_bands_rows(args.threshold, args.max_hashes);
    println!(
        "suggested for threshold {} with at most {} hashes: bands={b} rows={r} (P(detect | J={}) = {:.4})",
        args.threshold,
        args.max_hashes,
        args.threshold,
        minhash::detection_probability(args.threshold, b, r)
    );
    Ok(())
}
