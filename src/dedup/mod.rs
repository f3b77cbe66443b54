//! Deduplication keys and decisions.
//!
//! Exact dedup: two documents are duplicates when their *folded* texts are
//! equal: letters lowercased, every run of non-alphanumeric characters
//! (punctuation, symbols, whitespace) replaced by one space, ends trimmed.
//! The key is xxh3-128 of that string (collision odds ~2^-64 at 2^32 docs).
//! The first document in input order is kept; later ones point at it.
//!
//! Near dedup ([`minhash`]): MinHash signatures of the survivors' texts,
//! LSH bands, verified candidate pairs, union-find clusters. The `bands`
//! and `cluster` stages (`crate::stages`) combine both with
//! [`exact_groups`], [`kept_of_reps`] and [`decisions`]: exact copies are grouped first and represented by their
//! first occurrence, representatives are clustered by MinHash, and one
//! member per cluster is kept by the configured rule. Every other member
//! points at the kept one (`exact_duplicate` when its folded text equals
//! the kept one's, else `near_duplicate` with the estimated Jaccard).
//! Deterministic: the result depends only on the candidates' order and
//! content, never on thread count.

pub mod minhash;
pub mod signature;
pub mod sigtable;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

use signature::Signature;

/// The `[dedup]` section: exact and near-duplicate dedup.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Exact dedup on a hash of the folded text. Default true.
    pub exact: bool,
    /// Near-duplicate dedup (MinHash + LSH); on by default. See
    /// [`minhash::MinHashConfig`] for each key's default.
    pub near: minhash::MinHashConfig,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            exact: true,
            near: Default::default(),
        }
    }
}

/// What dedup knows of one document that reached it: 16 bytes of key, the
/// MinHash signature (8 bytes per hash) when near dedup is on, its length
/// and (for `keep = "newest"`) its date.
pub struct Candidate {
    pub key: u128,
    pub sig: Option<Signature>,
    pub n_chars: u64,
    pub date: Option<String>,
}

/// The dedup decision for one candidate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    /// Index of the kept member of its cluster (itself if kept).
    pub kept: u32,
    /// Documents in the cluster, exact copies included.
    pub cluster_size: u32,
    /// Estimated Jaccard to the kept member (1.0 for exact copies).
    pub jaccard: f32,
    /// Same folded text as the kept member.
    pub exact: bool,
}

/// Exact groups of candidates in input order: `rep_of[i]` is the first
/// candidate with `i`'s key (`i` itself when `exact` is off), `reps` the
/// representatives in input order.
pub fn exact_groups(keys: &[u128], exact: bool) -> (Vec<u32>, Vec<u32>) {
    let n = keys.len();
    if !exact {
        let reps: Vec<u32> = (0..n as u32).collect();
        return (reps.clone(), reps);
    }
    let mut rep_of = vec![0u32; n];
    let mut reps: Vec<u32> = Vec::new();
    let mut first: HashMap<u128, u32> = HashMap::with_capacity(n);
    for (i, k) in keys.iter().enumerate() {
        let r = *first.entry(*k).or_insert_with(|| {
            reps.push(i as u32);
            i as u32
        });
        rep_of[i] = r;
    }
    (rep_of, reps)
}

/// For each representative (by position in `reps`), the candidate index of
/// the kept representative of its near cluster and the estimated Jaccard
/// to it, from MinHash assignments made with `seq` = position in `reps`.
pub fn kept_of_reps(reps: &[u32], assign: &[minhash::Assignment]) -> Vec<(u32, f32)> {
    assign
        .iter()
        .map(|a| (reps[a.kept_seq as usize], a.est_jaccard))
        .collect()
}

/// Per-candidate decisions from the exact groups and, per representative,
/// its near cluster's kept representative (see [`kept_of_reps`]; `(r, 1.0)`
/// for every representative when near dedup is off).
pub fn decisions(rep_of: &[u32], reps: &[u32], kept_rep: &[(u32, f32)]) -> Vec<Decision> {
    let n = rep_of.len();
    let mut group_size = vec![0u32; n];
    for &r in rep_of {
        group_size[r as usize] += 1;
    }
    let mut rep_index = vec![u32::MAX; n];
    for (j, &r) in reps.iter().enumerate() {
        rep_index[r as usize] = j as u32;
    }
    let mut cluster_size = vec![0u32; n];
    for (j, &r) in reps.iter().enumerate() {
        cluster_size[kept_rep[j].0 as usize] += group_size[r as usize];
    }
    (0..n)
        .map(|i| {
            let r = rep_of[i] as usize;
            let (kept, jac) = kept_rep[rep_index[r] as usize];
            let same_group = rep_of[kept as usize] == rep_of[i];
            Decision {
                kept,
                cluster_size: cluster_size[kept as usize],
                jaccard: if same_group { 1.0 } else { jac },
                exact: same_group,
            }
        })
        .collect()
}

/// The folded text used for exact-duplicate keys.
pub fn fold(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    fold_into(text, &mut out);
    String::from_utf8(out).expect("folding keeps UTF-8")
}

/// [`fold`] into `out` (cleared first), as UTF-8 bytes. ASCII bytes are
/// handled one at a time without decoding; other characters as in
/// [`fold`]'s rule (word characters lowercased, runs of the rest one space).
fn fold_into(text: &str, out: &mut Vec<u8>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut gap = false;
    let mut i = 0;
    let mut buf = [0u8; 4];
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            if b.is_ascii_alphanumeric() {
                if gap && !out.is_empty() {
                    out.push(b' ');
                }
                gap = false;
                out.push(b.to_ascii_lowercase());
            } else {
                gap = true;
            }
            continue;
        }
        let c = text[i..].chars().next().expect("i is at a char boundary");
        i += c.len_utf8();
        if is_word_char(c) {
            if gap && !out.is_empty() {
                out.push(b' ');
            }
            gap = false;
            // Byte pushes: a 2- to 4-byte memcpy call costs more.
            if is_uncased(c) {
                for &b in &bytes[i - c.len_utf8()..i] {
                    out.push(b);
                }
            } else {
                for l in c.to_lowercase() {
                    for &b in l.encode_utf8(&mut buf).as_bytes() {
                        out.push(b);
                    }
                }
            }
        } else {
            gap = true;
        }
    }
}

/// Letters, digits and combining marks: everything but whitespace,
/// punctuation and symbols. Decided by code-point ranges rather than
/// Unicode property lookups, which dominated the profile; the ranges cover
/// the punctuation and symbol blocks of the scripts we meet, and the rule is
/// the same on every machine, which is what a dedup key needs.
pub fn is_word_char(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return c.is_ascii_alphanumeric();
    }
    !(c.is_whitespace()
        || matches!(u,
            0x80..=0xBF | 0xD7 | 0xF7
            | 0x2B9..=0x2FF
            | 0x37E | 0x387
            | 0x55A..=0x55F | 0x589..=0x58A
            | 0x5BE | 0x5C0 | 0x5C3 | 0x5C6 | 0x5F3..=0x5F4
            | 0x600..=0x60F | 0x61B..=0x61F | 0x640 | 0x66A..=0x66D | 0x6D4 | 0x6DD..=0x6DE | 0x6E9
            | 0x964..=0x965 | 0x970
            | 0xE3F | 0xE4F | 0xE5A..=0xE5B
            | 0x10FB
            | 0x1360..=0x1368
            | 0x2000..=0x2BFF
            | 0x2E00..=0x2E7F
            | 0x3000..=0x3004 | 0x3008..=0x3020 | 0x3030 | 0x303D | 0x30FB
            | 0xFD3E..=0xFD3F
            | 0xFE10..=0xFE1F | 0xFE30..=0xFE6F
            | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
            | 0xFFF0..=0xFFFF
            | 0x1F000..=0x1FBFF))
}

/// Scripts without letter case (Arabic to Myanmar, kana and Han, Hangul):
/// lowercasing them is a no-op, so skip the table lookup.
pub(crate) fn is_uncased(c: char) -> bool {
    matches!(c as u32, 0x590..=0x109F | 0x3040..=0x9FFF | 0xAC00..=0xD7AF)
}

/// The exact-duplicate key of a (cleaned) text.
pub fn exact_key(text: &str) -> u128 {
    thread_local! {
        static FOLDED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    FOLDED.with(|f| {
        let mut f = f.borrow_mut();
        fold_into(text, &mut f);
        let key = xxh3_128(&f);
        // keep memory bounded after a huge document
        if f.capacity() > 1 << 22 {
            *f = Vec::new();
        }
        key
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The folding rule character by character, as before the ASCII fast
    /// path.
    fn reference_fold(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut gap = false;
        for c in text.chars() {
            if is_word_char(c) {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.extend(c.to_lowercase());
            } else {
                gap = true;
            }
        }
        out
    }

    #[test]
    fn fold_matches_the_reference_on_random_text() {
        let pieces = [
            "a",
            "Z",
            "9",
            " ",
            "\n",
            ".",
            "-",
            "É",
            "é",
            "İ",
            "ß",
            "Ω",
            "ж",
            "Ж",
            "ا",
            "中",
            "\u{3000}",
            "\u{00A0}",
            "\u{2014}",
            "\u{0301}",
            "\u{1F600}",
            "ǅ",
            "ﬁ",
            "'",
            "",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..50_000 {
            let n = (next() % 40) as usize;
            let text: String = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            assert_eq!(fold(&text), reference_fold(&text), "{text:?}");
            assert_eq!(exact_key(&text), xxh3_128(reference_fold(&text).as_bytes()));
        }
    }
    use minhash::{DocMeta, MinHashConfig};
    use std::path::Path;

    /// The stages' dedup in one call (exact groups, MinHash clusters over
    /// the representatives, decisions), for these tests.
    /// Decide, for candidates in input order, which are kept and which are
    /// duplicates of which. Signatures are consumed (dropped) on the way.
    fn decide(
        cands: &mut [Candidate],
        exact: bool,
        near: &MinHashConfig,
        spill_dir: &Path,
    ) -> std::io::Result<Vec<Decision>> {
        let keys: Vec<u128> = cands.iter().map(|c| c.key).collect();
        let (rep_of, reps) = exact_groups(&keys, exact);
        // Near clusters over representatives: kept representative + Jaccard.
        let mut kept_rep: Vec<(u32, f32)> = reps.iter().map(|&r| (r, 1.0)).collect();
        if near.enabled && reps.len() > 1 {
            let mut sigs = Vec::with_capacity(reps.len());
            let mut metas = Vec::with_capacity(reps.len());
            for (j, &r) in reps.iter().enumerate() {
                let c = &mut cands[r as usize];
                let sig = c.sig.take().ok_or_else(|| {
                    std::io::Error::other("near dedup is on but a candidate has no signature")
                })?;
                sigs.push(sig);
                metas.push(DocMeta {
                    seq: j as u64,
                    n_chars: c.n_chars,
                    date: c.date.take(),
                });
            }
            let assign = minhash::cluster(&sigs, &metas, near, spill_dir)?;
            drop(sigs);
            kept_rep = kept_of_reps(&reps, &assign);
        }
        for c in cands.iter_mut() {
            c.sig = None;
        }
        Ok(decisions(&rep_of, &reps, &kept_rep))
    }

    fn cands(texts: &[&str], near: &MinHashConfig) -> Vec<Candidate> {
        texts
            .iter()
            .map(|t| Candidate {
                key: exact_key(t),
                sig: Some(minhash::signature(t, near)),
                n_chars: t.chars().count() as u64,
                date: None,
            })
            .collect()
    }

    #[test]
    fn exact_and_near_copies_point_at_the_first() {
        let base = "The city council approved a new budget on Tuesday after a long debate about schools roads and public transport in the northern districts of the town while residents waited outside for the result of the vote";
        let near_copy = format!("{base} and cheered");
        let other = "A completely different article about the weather in the mountains where snow fell for three days and roads were closed to all traffic until the army arrived with heavy machines to clear them";
        let texts = [base, other, &base.to_uppercase(), near_copy.as_str()];
        let cfg = MinHashConfig::default();
        let dir = tempfile::tempdir().unwrap();
        let d = decide(&mut cands(&texts, &cfg), true, &cfg, dir.path()).unwrap();
        assert_eq!(d[0].kept, 0);
        assert_eq!(d[0].cluster_size, 3);
        assert_eq!(d[1].kept, 1);
        assert_eq!(d[1].cluster_size, 1);
        assert_eq!((d[2].kept, d[2].exact, d[2].jaccard), (0, true, 1.0));
        assert_eq!((d[3].kept, d[3].exact), (0, false));
        assert!(d[3].jaccard > 0.7 && d[3].jaccard < 1.0, "{}", d[3].jaccard);
        // Without near dedup the near copy stands alone.
        let off = MinHashConfig {
            enabled: false,
            ..cfg.clone()
        };
        let d = decide(&mut cands(&texts, &off), true, &off, dir.path()).unwrap();
        assert_eq!(d[3].kept, 3);
        assert_eq!(d[0].cluster_size, 2);
    }

    #[test]
    fn case_space_and_punctuation_fold_together() {
        let a = exact_key("Hello,  World!\nSecond line.");
        assert_eq!(a, exact_key("hello world second LINE"));
        assert_eq!(a, exact_key("  Hello - World ... Second   line "));
        assert_ne!(a, exact_key("Hello World Second lines"));
        assert_eq!(fold("नमस्ते, दुनिया!"), "नमस्ते दुनिया");
    }
}
