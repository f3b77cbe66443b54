//! LSH arithmetic: the probability that a pair of documents with a given
//! Jaccard similarity shares a bucket, and the choice of bands and rows for
//! a threshold (`corpusforge dedup-params`).

/// Probability that two documents with Jaccard similarity `jaccard` share at
/// least one of `bands` buckets of `rows` rows: `1 - (1 - s^r)^b`.
pub fn detection_probability(jaccard: f64, bands: usize, rows: usize) -> f64 {
    1.0 - (1.0 - jaccard.powi(rows as i32)).powi(bands as i32)
}

/// Integral of `f` over `[lo, hi]`, composite Simpson with 200 intervals.
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    const N: usize = 200;
    let h = (hi - lo) / N as f64;
    let mut s = f(lo) + f(hi);
    for i in 1..N {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(lo + i as f64 * h);
    }
    s * h / 3.0
}

/// `(bands, rows)` with `bands * rows <= num_perm_max` minimizing
/// `0.5 * FP + 0.5 * FN`, where FP is the area under the detection curve
/// below `threshold` and FN the area above it under `1 - P`. This is the
/// criterion of text-dedup (`optimal_param`, equal weights 0.5/0.5; idea from
/// datasketch's `_optimal_param`). Ties go to fewer hashes, then more bands.
pub fn suggest_bands_rows(threshold: f64, num_perm_max: usize) -> (usize, usize) {
    let t = threshold.clamp(0.0, 1.0);
    let mut best = (1usize, num_perm_max.max(1));
    let mut best_err = f64::INFINITY;
    for b in 1..=num_perm_max.max(1) {
        for r in 1..=(num_perm_max.max(1) / b) {
            let fp = integrate(|s| detection_probability(s, b, r), 0.0, t);
            let fn_ = integrate(|s| 1.0 - detection_probability(s, b, r), t, 1.0);
            let err = 0.5 * fp + 0.5 * fn_;
            if err < best_err - 1e-12 {
                best_err = err;
                best = (b, r);
            }
        }
    }
    best
}

/// P(detect) for J = 0.50, 0.55, ..., 0.95, one line each, plus the implied
/// threshold `(1/b)^(1/r)`. Used by `corpusforge dedup-params`.
pub fn params_table(bands: usize, rows: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let thr = (1.0 / bands.max(1) as f64).powf(1.0 / rows.max(1) as f64);
    let _ = writeln!(
        s,
        "bands={bands} rows={rows} hashes={} threshold~{thr:.3}",
        bands * rows
    );
    let _ = writeln!(s, "jaccard  P(detect)");
    for i in 0..10 {
        let j = 0.5 + 0.05 * i as f64;
        let _ = writeln!(s, "{j:7.2}  {:9.4}", detection_probability(j, bands, rows));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_and_params() {
        assert!((detection_probability(0.8, 14, 8) - 0.9235).abs() < 1e-3); // datatrove docstring
        assert!(detection_probability(0.8, 20, 6) > 0.99);
        assert_eq!(detection_probability(1.0, 3, 3), 1.0);
        assert_eq!(detection_probability(0.0, 3, 3), 0.0);
        let (b, r) = suggest_bands_rows(0.7, 128);
        assert!(b * r <= 128);
        let thr = (1.0 / b as f64).powf(1.0 / r as f64);
        assert!((thr - 0.7).abs() < 0.1, "{b}x{r} thr {thr}");
        let t = params_table(20, 6);
        assert!(t.contains("0.80") && t.contains("0.9977"), "{t}");
        assert_eq!(t.lines().count(), 12);
    }
}
