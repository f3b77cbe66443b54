//! Train / validation / test assignment.
//!
//! The split of a document is a pure function of its group key (the
//! duplicate cluster) and the seed: xxh3-64 of the key with the seed, mapped
//! to [0, 1) and cut at the configured ratios. So every member of a cluster
//! lands in the same split, the assignment does not depend on input order
//! or thread count, and changing the seed reshuffles reproducibly.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use serde::{Deserialize, Serialize};

/// The `[split]` section: seeded train / validation / test ratios.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SplitConfig {
    /// Seed of the split hash. Default 42.
    pub seed: u64,
    /// Ratios; they must add up to 1. Defaults 0.8 / 0.1 / 0.1.
    pub train: f64,
    pub validation: f64,
    pub test: f64,
}

impl Default for SplitConfig {
    fn default() -> Self {
        SplitConfig {
            seed: 42,
            train: 0.8,
            validation: 0.1,
            test: 0.1,
        }
    }
}

/// Split names, in the order they are written.
pub const SPLITS: [&str; 3] = ["train", "validation", "test"];

/// The split of a group key.
pub fn split_of(group_key: u128, cfg: &SplitConfig) -> &'static str {
    let h = xxh3_64_with_seed(&group_key.to_le_bytes(), cfg.seed);
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    if u < cfg.train {
        "train"
    } else if u < cfg.train + cfg.validation {
        "validation"
    } else if cfg.test > 0.0 {
        "test"
    } else if cfg.validation > 0.0 {
        "validation"
    } else {
        "train"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_hold_and_assignment_is_stable() {
        let cfg = SplitConfig::default();
        let mut n = [0usize; 3];
        for k in 0..100_000u128 {
            let s = split_of(k * 7919, &cfg);
            assert_eq!(s, split_of(k * 7919, &cfg));
            n[SPLITS.iter().position(|x| *x == s).unwrap()] += 1;
        }
        assert!((79_000..81_000).contains(&n[0]), "{n:?}");
        assert!((9_500..10_500).contains(&n[1]), "{n:?}");
        assert!((9_500..10_500).contains(&n[2]), "{n:?}");
    }

    #[test]
    fn seed_changes_assignment() {
        let a = SplitConfig::default();
        let b = SplitConfig {
            seed: 7,
            ..Default::default()
        };
        let differ = (0..1000u128)
            .filter(|&k| split_of(k, &a) != split_of(k, &b))
            .count();
        assert!(differ > 100);
    }
}
