//! Near-duplicate detection: MinHash signatures, LSH banding and union-find
//! clustering.
//!
//! # What it guarantees
//!
//! - **Deterministic.** A signature depends only on the text and the config
//!   (no hash-map order, no platform word size, no thread count): base hashes
//!   are xxh3-64 with the configured seed, permutations are fixed functions of
//!   the seed. [`cluster`](fn@cluster) returns the same assignments for the same
//!   signatures whatever the rayon pool size, and whether or not it spills.
//! - **One assignment per input**, in input order. Every document belongs to
//!   exactly one cluster (singletons included); exactly one member of each
//!   cluster is kept, chosen by [`KeepRule`].
//! - **Detection probability.** Two documents whose shingle sets have Jaccard
//!   similarity `s` share at least one LSH bucket with probability
//!   `1 - (1 - s^r)^b` ([`detection_probability`]). With
//!   `verify_min_jaccard = Some(t)` a bucket collision is only turned into an
//!   edge when the signature-estimated Jaccard is `>= t`, which removes most
//!   pairs below the threshold that banding alone lets through.
//! - **Never text in memory.** [`cluster`](fn@cluster) sees only signatures, band hashes
//!   and ids.
//!
//! # What it does not do
//!
//! Clusters are connected components, so chains (A~B, B~C) are merged even when
//! A and C are far apart; that is the behaviour of datatrove, text-dedup and
//! NeMo Curator as well. Empty documents (no shingle) all get the same
//! all-`u64::MAX` signature and therefore one cluster: they are exact
//! duplicates of each other.
//!
//! # Memory per document
//!
//! With `k = bands * rows` hashes:
//! - a signature: `8 * k` bytes (960 B at the default 20 x 6), in a
//!   [`SigTable`](super::sigtable::SigTable): in memory, or in a file read a chunk or a signature at a
//!   time. [`cluster`](fn@cluster) copies the caller's signatures into memory; the
//!   build's `bands` and `cluster` stages keep them in memory up to half of
//!   `memory_budget_mb` and in a file beyond (`crate::stages`);
//! - union-find parent: 4 bytes; output [`Assignment`]: 32 bytes;
//! - band tables: `(band_hash, index)` records of 16 bytes. While
//!   `n_docs * bands * 16` fits in `memory_budget_mb` they are built in memory,
//!   one band at a time (16 B per document at any moment, plus the band's
//!   candidate pairs, 8 B each). Beyond the budget every band is written to
//!   `spill_dir`, partitioned by hash range so that one partition fits the
//!   budget, and read back, sorted and paired one partition at a time; the
//!   files are deleted as they are consumed.
//!
//! So with signatures in memory, 2 M documents at the defaults need about
//! 2 M x (960 + 36 + 16) B = 2.0 GB (a synthetic 2 M-document run peaked at
//! 2.10 GB RSS); with signatures in a file, about 2 M x 52 B plus the
//! signatures' share of the budget.
//!
//! # Hashing
//!
//! Each shingle is hashed once with `xxh3_64_with_seed(bytes, seed)`; the `k`
//! permutations are then `h_i = (a_i * x + b_i) mod (2^61 - 1)` with
//! `x = h mod (2^61 - 1)` and `a_i, b_i` drawn from a SplitMix64 stream of the
//! seed. This is the classic universal family over a Mersenne prime (the same
//! family datasketch and text-dedup use); four 32 x 32-bit multiplies and a
//! shift-add reduction per permutation (vectorized with AVX-512 or AVX2
//! where the CPU has it) cost less than re-hashing the shingle bytes `k` times with
//! different xxh3 seeds, and the output depends only on exact integer
//! arithmetic, so it is identical on every machine and with or without
//! AVX2 or AVX-512. Values are < 2^61, stored in `u64`.

mod cluster;
mod config;
mod params;
mod shingle;
mod sign;

pub use super::signature::Signature;
pub use cluster::{Assignment, DocMeta, assign_edges, band_edges, cluster};
pub use config::{KeepRule, MinHashConfig};
pub use params::{detection_probability, params_table, suggest_bands_rows};
pub use shingle::{normalize_for_shingles, normalize_into};
pub use sign::{ShingleKind, shingle_kind, signature};

/// Shared by the unit tests of the submodules.
#[cfg(test)]
mod testutil {
    use super::{DocMeta, MinHashConfig};

    pub(super) fn cfg() -> MinHashConfig {
        MinHashConfig::default()
    }

    pub(super) fn meta(seq: u64, n_chars: u64, date: Option<&str>) -> DocMeta {
        DocMeta {
            seq,
            n_chars,
            date: date.map(str::to_string),
        }
    }

    pub(super) const BASE: &str = "The city council met on Tuesday to discuss the new budget for \
        public transport, which includes three new bus lines, a tram extension to the \
        northern districts and lower fares for students and pensioners. The mayor said \
        the plan would be funded by a mix of federal grants and a small increase in \
        parking fees, and that construction could begin as early as next spring.";
}
