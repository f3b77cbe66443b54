//! Near-duplicate detection: MinHash signatures, LSH banding and union-find
//! clustering.
//!
//! # What it guarantees
//!
//! - **Deterministic.** A signature depends only on the text and the config
//!   (no hash-map order, no platform word size, no thread count): base hashes
//!   are xxh3-64 with the configured seed, permutations are fixed functions of
//!   the seed. [`cluster`] returns the same assignments for the same
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
//! - **Never text in memory.** [`cluster`] sees only signatures, band hashes
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
//!   [`SigTable`]: in memory, or in a file read a chunk or a signature at a
//!   time. [`cluster`] copies the caller's signatures into memory; the
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

use std::cmp::Ordering;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::sigtable::SigTable;

/// Which member of a near-duplicate cluster survives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepRule {
    /// Smallest input sequence number (datatrove keeps the first of a cluster).
    #[default]
    First,
    /// Most characters, ties to the smallest sequence number.
    Longest,
    /// Greatest `date` (ISO strings compared as text; a missing date is the
    /// oldest), ties to the smallest sequence number.
    Newest,
}

/// Near-duplicate settings. Every field has a default; see [`Default`].
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MinHashConfig {
    pub enabled: bool,
    /// Word shingle length. 5 as in datatrove `MinhashConfig.n_grams` and the
    /// text-dedup example config.
    pub ngram: usize,
    /// Character shingle length for text without word spaces (Han, Kana, Thai,
    /// Lao, Khmer, Myanmar) or with too few words. 5 characters of Chinese
    /// carry roughly what 5 English words do; NeMo uses 24 characters, which
    /// is about 5 *Latin* words.
    pub char_ngram: usize,
    /// Below this many words a document is shingled by characters: a text of
    /// 9 words has only 5 word 5-grams, too few for a stable estimate.
    pub min_words_for_word_shingles: usize,
    pub bands: usize,
    pub rows: usize,
    pub seed: u64,
    /// Turn a bucket collision into an edge only if the signature Jaccard
    /// reaches this value.
    pub verify_min_jaccard: Option<f64>,
    pub keep: KeepRule,
    /// Memory allowed for the signatures (the build keeps them in memory
    /// up to half of it, in a file beyond) and for the band tables
    /// (partitioned to disk beyond it).
    pub memory_budget_mb: usize,
}

impl Default for MinHashConfig {
    /// 20 bands x 6 rows = 120 hashes, verified at signature Jaccard 0.7.
    ///
    /// datatrove's 14 x 8 (FineWeb) detects a pair at J = 0.8 with probability
    /// 0.924 only. 20 x 6 detects it with 0.9977 (0.9999 at J = 0.85), at a
    /// cost of letting ~62 % of J = 0.6 pairs collide; the signature check at
    /// 0.7 (std. error of a 120-hash estimate is 0.045 at J = 0.6) rejects all
    /// but ~1 % of those while losing ~0.3 % of J = 0.8 pairs. Net
    /// P(edge | J=0.8) ~ 0.995, P(edge | J=0.6) ~ 0.01. The per-pair check
    /// costs 120 integer compares, which is cheap next to shingling.
    /// Measured by `scripts/eval_neardup.py` (5,000 news articles + 1,875
    /// edited copies): recall 1.000 of pairs with J >= 0.8, 0.4 % of removed
    /// documents have J < 0.6 to the kept one.
    fn default() -> Self {
        MinHashConfig {
            enabled: true,
            ngram: 5,
            char_ngram: 5,
            min_words_for_word_shingles: 10,
            bands: 20,
            rows: 6,
            seed: 1,
            verify_min_jaccard: Some(0.7),
            keep: KeepRule::First,
            memory_budget_mb: 1024,
        }
    }
}

impl MinHashConfig {
    /// Number of hashes in a signature.
    pub fn num_perm(&self) -> usize {
        self.bands * self.rows
    }
}

// ---------------------------------------------------------------------------
// Normalization
// ---------------------------------------------------------------------------

/// Combining marks that are *diacritics* added to a complete letter: Latin,
/// Greek and Cyrillic accents, Arabic harakat, Hebrew niqqud and cantillation.
/// Dropping them makes "résumé" = "resume" and vocalized Arabic = plain Arabic.
/// Every other mark (Indic vowel signs and viramas, Thai/Lao vowels and tone
/// marks, Myanmar, Khmer, Ethiopic, ...) is part of the spelling and is kept,
/// otherwise "कि" and "का" would both become "क".
fn is_droppable_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F   // Combining Diacritical Marks
        | 0x1AB0..=0x1AFF // Combining Diacritical Marks Extended
        | 0x1DC0..=0x1DFF // Combining Diacritical Marks Supplement
        | 0x20D0..=0x20FF // Combining Diacritical Marks for Symbols
        | 0xFE20..=0xFE2F // Combining Half Marks
        | 0x0483..=0x0489 // Cyrillic combining titlo etc.
        | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5 | 0x05C7 // Hebrew points
        | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 // Arabic harakat, superscript alef
        | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 | 0x06EA..=0x06ED // Quranic marks
        | 0x08D3..=0x08E1 | 0x08E3..=0x08FF // Arabic Extended-A marks
    )
}

/// Characters deleted without leaving a word break: zero-width joiners and
/// marks, soft hyphen, BOM, Arabic tatweel (a stretching glyph, not a letter).
fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x00AD | 0x0640 | 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF)
}

/// Normalize `text` into `out` (cleared first). See [`normalize_for_shingles`].
///
/// ASCII characters are handled byte by byte: each is a starter that NFKD
/// leaves alone, and canonical reordering never moves a mark across a
/// starter, so NFKD of the whole text is the concatenation of NFKD of the
/// stretches between ASCII characters (the unit test checks this against
/// the whole-text form on random strings).
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    // `true` when the last thing written is a space (or nothing yet): collapses
    // runs of whitespace/punctuation and trims the start.
    let mut at_break = true;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if c.is_ascii_digit() {
                out.push('0');
                at_break = false;
            } else if c.is_ascii_alphabetic() {
                out.push(char::from(c.to_ascii_lowercase()));
                at_break = false;
            } else if !at_break {
                out.push(' ');
                at_break = true;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i] >= 0x80 {
            i += 1;
        }
        normalize_non_ascii(&text[start..i], out, &mut at_break);
    }
    if out.ends_with(' ') {
        out.pop();
    }
}

fn normalize_non_ascii(run: &str, out: &mut String, at_break: &mut bool) {
    for c in run.nfkd() {
        if is_combining_mark(c) {
            if !is_droppable_mark(c) && !*at_break {
                out.push(c);
            }
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if crate::chars::is_numeric(c) {
            out.push('0');
            *at_break = false;
        } else if crate::chars::is_alphabetic(c) {
            if c.is_ascii() || super::is_uncased(c) {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
            *at_break = false;
        } else if !*at_break {
            // Whitespace, punctuation, symbols, controls: one word break.
            out.push(' ');
            *at_break = true;
        }
    }
}

/// Text as the shingler sees it: compatibility-decomposed (NFKD, so
/// full-width and ligature forms fold too), lowercased, diacritics dropped
/// (see the mark rule below), other marks kept, every digit of any script
/// folded to `0`, zero-width characters removed, punctuation, symbols and
/// whitespace turned into single spaces, no leading or trailing space.
/// This mirrors datatrove's `simplify_text` (lowercase, punctuation and
/// diacritics removed, digits to 0, whitespace collapsed).
///
/// Mark rule: only diacritics layered on an otherwise complete letter (Latin,
/// Greek, Cyrillic accents, Arabic harakat, Hebrew points) are dropped;
/// Devanagari, Bengali, Thai, Myanmar, ... vowel signs and viramas stay.
/// The output is in NFKD (decomposed) form; it is only ever hashed.
pub fn normalize_for_shingles(text: &str) -> String {
    let mut s = String::new();
    normalize_into(text, &mut s);
    s
}

/// Scripts written without spaces between words.
fn is_spaceless_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F // Hiragana, Katakana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F // Han
        | 0x0E00..=0x0E7F // Thai
        | 0x0E80..=0x0EFF // Lao
        | 0x1780..=0x17FF | 0x19E0..=0x19FF // Khmer
        | 0x1000..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F // Myanmar
    )
}

// ---------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------

/// `bands * rows` minimum hash values, each < 2^61. Band `i` is
/// `self.0[i * rows .. (i + 1) * rows]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature(pub Box<[u64]>);

impl Signature {
    /// Share of positions where both signatures agree: an unbiased estimate of
    /// the Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        super::sigtable::jaccard(&self.0, &other.0)
    }
}

const MERSENNE_61: u64 = (1 << 61) - 1;

/// x mod (2^61 - 1) for x < 2^122: the definition [`update_mins`] is
/// tested against.
#[cfg(test)]
fn mod_mersenne(x: u128) -> u64 {
    let lo = (x as u64) & MERSENNE_61;
    let hi = (x >> 61) as u64;
    let mut s = lo + hi; // < 2^62, fits
    s = (s & MERSENNE_61) + (s >> 61);
    if s >= MERSENNE_61 { s - MERSENNE_61 } else { s }
}

/// Permutation coefficients split for [`update_mins`]: `a = a1 * 2^32 + a0`.
#[derive(Default)]
struct Perms {
    a0: Vec<u64>,
    a1: Vec<u64>,
    b: Vec<u64>,
}

impl Perms {
    fn new(perms: &[(u64, u64)]) -> Self {
        Perms {
            a0: perms.iter().map(|&(a, _)| a & 0xFFFF_FFFF).collect(),
            a1: perms.iter().map(|&(a, _)| a >> 32).collect(),
            b: perms.iter().map(|&(_, b)| b).collect(),
        }
    }
}

/// `mins[i] = min(mins[i], (a_i * x + b_i) mod (2^61 - 1))` for every
/// permutation, for one shingle hash `x < 2^61`; the same values as
/// [`mod_mersenne`] on the 128-bit product, computed with 32 x 32-bit
/// multiplies only, which vectorize (one `vpmuludq` per lane and product).
///
/// With `a = a1 2^32 + a0` and `x = x1 2^32 + x0` (`a1, x1 < 2^29`):
/// `a x = a1 x1 2^64 + m 2^32 + a0 x0` where `m = a1 x0 + a0 x1 < 2^62`.
/// Modulo `p = 2^61 - 1`, `2^64 = 2^3`, and writing `m = m1 2^29 + m0`,
/// `m 2^32 = m1 + m0 2^32`; `a0 x0 = (its low 61 bits) + (its top 3)`.
/// The sum of those five terms and `b` is below `4 * 2^61 + 2^34`, so it
/// fits a `u64`; one more fold and a conditional subtraction give the
/// residue in `[0, p)`, the same as [`mod_mersenne`].
#[inline(always)]
fn update_mins_portable(mins: &mut [u64], p: &Perms, x: u64) {
    let (x0, x1) = (x & 0xFFFF_FFFF, x >> 32);
    let n = mins.len().min(p.a0.len()).min(p.a1.len()).min(p.b.len());
    let (mins, a0, a1, b) = (&mut mins[..n], &p.a0[..n], &p.a1[..n], &p.b[..n]);
    for i in 0..n {
        let hi = a1[i] * x1;
        let m = a1[i] * x0 + a0[i] * x1;
        let lo = a0[i] * x0;
        let s = (hi << 3)
            + (m >> 29)
            + ((m & ((1 << 29) - 1)) << 32)
            + (lo & MERSENNE_61)
            + (lo >> 61)
            + b[i];
        let s = (s & MERSENNE_61) + (s >> 61);
        let h = if s >= MERSENNE_61 { s - MERSENNE_61 } else { s };
        mins[i] = mins[i].min(h);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn update_mins_avx2(mins: &mut [u64], p: &Perms, x: u64) {
    update_mins_portable(mins, p, x)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn update_mins_avx512(mins: &mut [u64], p: &Perms, x: u64) {
    update_mins_portable(mins, p, x)
}

/// [`update_mins_portable`], compiled for AVX-512 or AVX2 when the CPU has
/// it.
#[inline]
fn update_mins(mins: &mut [u64], p: &Perms, x: u64) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { update_mins_avx512(mins, p, x) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { update_mins_avx2(mins, p, x) };
        }
    }
    update_mins_portable(mins, p, x)
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Permutation coefficients `(a_i, b_i)`, `1 <= a_i < p`, `0 <= b_i < p`.
fn permutations(seed: u64, k: usize) -> Vec<(u64, u64)> {
    let mut st = seed ^ 0x6D69_6E68_6173_6821; // "minhash!"
    (0..k)
        .map(|_| {
            let a = 1 + splitmix64(&mut st) % (MERSENNE_61 - 1);
            let b = splitmix64(&mut st) % MERSENNE_61;
            (a, b)
        })
        .collect()
}

/// Reusable per-thread buffers so that signing a document allocates only its
/// output.
#[derive(Default)]
struct Scratch {
    norm: String,
    compact: String,
    bounds: Vec<usize>,
    perms: Perms,
    perms_key: Option<(u64, usize)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Which shingles a document is cut into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShingleKind {
    Words,
    Chars,
}

/// Decide word or character shingles for normalized text: characters when
/// at least half of the letters are in a spaceless script, or when there are
/// fewer than `min_words_for_word_shingles` words.
pub fn shingle_kind(norm: &str, cfg: &MinHashConfig) -> ShingleKind {
    let bytes = norm.as_bytes();
    let spaces = bytes.iter().filter(|&&b| b == b' ').count();
    // Characters = bytes that are not UTF-8 continuation bytes.
    let letters = bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() - spaces;
    // Every spaceless script is at U+0E00 or above: a UTF-8 lead byte
    // >= 0xE0. Text without one (Latin, Cyrillic, Arabic, ...) has none.
    let spaceless = if bytes.iter().any(|&b| b >= 0xE0) {
        norm.chars()
            .filter(|&c| c as u32 >= 0x0E00 && is_spaceless_script(c))
            .count()
    } else {
        0
    };
    let words = if norm.is_empty() { 0 } else { spaces + 1 };
    if spaceless * 2 >= letters.max(1) || words < cfg.min_words_for_word_shingles.max(1) {
        ShingleKind::Chars
    } else {
        ShingleKind::Words
    }
}

/// MinHash signature of `text` (normalized with [`normalize_for_shingles`]).
///
/// Word mode: shingles are `ngram` consecutive words, hashed as the UTF-8
/// bytes "w1 w2 ... wn" of the normalized text. Character mode: spaces are
/// removed and shingles are `char_ngram` consecutive characters. A text
/// shorter than one shingle is a single shingle; an empty text has no shingle
/// and gets all `u64::MAX`.
pub fn signature(text: &str, cfg: &MinHashConfig) -> Signature {
    let k = cfg.num_perm();
    let mut mins = vec![u64::MAX; k].into_boxed_slice();
    SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let sc = &mut *guard;
        if sc.perms_key != Some((cfg.seed, k)) {
            sc.perms = Perms::new(&permutations(cfg.seed, k));
            sc.perms_key = Some((cfg.seed, k));
        }
        normalize_into(text, &mut sc.norm);
        if sc.norm.is_empty() {
            return;
        }
        let perms = &sc.perms;
        let seed = cfg.seed;
        let mut add = |bytes: &[u8]| {
            let x = xxh3_64_with_seed(bytes, seed) % MERSENNE_61;
            update_mins(&mut mins, perms, x);
        };
        sc.bounds.clear();
        match shingle_kind(&sc.norm, cfg) {
            ShingleKind::Words => {
                // bounds = byte offsets of word starts, plus len+1 as sentinel
                // so that word i spans bounds[i] .. bounds[i+1]-1.
                let norm = sc.norm.as_str();
                sc.bounds.push(0);
                sc.bounds
                    .extend(norm.match_indices(' ').map(|(i, _)| i + 1));
                sc.bounds.push(norm.len() + 1);
                let words = sc.bounds.len() - 1;
                let n = cfg.ngram.max(1).min(words);
                for i in 0..=(words - n) {
                    add(&norm.as_bytes()[sc.bounds[i]..sc.bounds[i + n] - 1]);
                }
            }
            ShingleKind::Chars => {
                sc.compact.clear();
                sc.compact.extend(sc.norm.chars().filter(|&c| c != ' '));
                let s = sc.compact.as_str();
                sc.bounds.extend(s.char_indices().map(|(i, _)| i));
                sc.bounds.push(s.len());
                let chars = sc.bounds.len() - 1;
                let n = cfg.char_ngram.max(1).min(chars);
                for i in 0..=(chars - n) {
                    add(&s.as_bytes()[sc.bounds[i]..sc.bounds[i + n]]);
                }
            }
        }
    });
    Signature(mins)
}

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Clustering
// ---------------------------------------------------------------------------

/// What [`cluster`] needs to know about a document besides its signature.
#[derive(Clone, Debug, Default)]
pub struct DocMeta {
    /// Global input order; unique.
    pub seq: u64,
    pub n_chars: u64,
    pub date: Option<String>,
}

/// Result for one document.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Assignment {
    /// `seq` of the kept member: stable under re-runs and thread counts.
    pub cluster: u64,
    pub cluster_size: u32,
    pub kept_seq: u64,
    /// Signature Jaccard to the kept document (1.0 for the kept one).
    pub est_jaccard: f32,
}

impl Assignment {
    /// Whether this document is the one kept in its cluster.
    pub fn is_kept(&self, meta: &DocMeta) -> bool {
        self.kept_seq == meta.seq
    }
}

/// Union-find over `u32` indices; the root is always the smallest index of
/// its set, so the structure after a set of unions is order-independent.
struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize]; // path halving
            x = p;
        }
        x
    }
    /// Join the sets of `a` and `b`; true if they were apart.
    fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        match ra.cmp(&rb) {
            Ordering::Less => self.parent[rb as usize] = ra,
            Ordering::Greater => self.parent[ra as usize] = rb,
            Ordering::Equal => return false,
        }
        true
    }
}

/// Buckets with at most this many members are compared all-pairs; larger
/// ones compare every member with the first [`ANCHORS`] members and with its
/// predecessor (NeMo Curator's "anchor" documents per bucket follow the same
/// idea), which keeps the work linear in the bucket size.
const ALL_PAIRS_MAX: usize = 16;
const ANCHORS: usize = 4;

/// Hash of band `band` of a signature given as its `k` values.
fn band_hash(sig: &[u64], band: usize, rows: usize, seed: u64) -> u64 {
    let mut buf = [0u8; 8 * 32];
    let vals = &sig[band * rows..(band + 1) * rows];
    if rows <= 32 {
        for (chunk, v) in buf.chunks_exact_mut(8).zip(vals) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&buf[..8 * rows], seed ^ band as u64)
    } else {
        let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&bytes, seed ^ band as u64)
    }
}

/// Band hashes of the signatures in `flat` (`k` values each).
fn band_hashes(flat: &[u64], k: usize, band: usize, cfg: &MinHashConfig) -> Vec<u64> {
    flat.par_chunks_exact(k)
        .map(|s| band_hash(s, band, cfg.rows, cfg.seed))
        .collect()
}

/// Candidate pairs `(i, j)`, `i < j`, from a table of `(band_hash, index)`
/// sorted by hash then index.
fn bucket_pairs(table: &[(u64, u64)], out: &mut Vec<(u32, u32)>) {
    let mut start = 0;
    while start < table.len() {
        let mut end = start + 1;
        while end < table.len() && table[end].0 == table[start].0 {
            end += 1;
        }
        let g = &table[start..end];
        if g.len() <= ALL_PAIRS_MAX {
            for j in 1..g.len() {
                for i in 0..j {
                    out.push((g[i].1 as u32, g[j].1 as u32));
                }
            }
        } else {
            for j in 1..g.len() {
                for i in 0..j.min(ANCHORS) {
                    out.push((g[i].1 as u32, g[j].1 as u32));
                }
                if j > ANCHORS {
                    out.push((g[j - 1].1 as u32, g[j].1 as u32));
                }
            }
        }
        start = end;
    }
}

/// Merge candidate pairs into the union-find: drop pairs already connected
/// (sequential, cheap), verify the rest in parallel (a pure function of the
/// two signatures), then union. The final components do not depend on the
/// order in which pairs arrive.
fn merge_pairs(
    pairs: &mut Vec<(u32, u32)>,
    uf: &mut UnionFind,
    sigs: &SigTable,
    cfg: &MinHashConfig,
    edges: &mut Vec<(u32, u32)>,
) -> io::Result<()> {
    match cfg.verify_min_jaccard {
        None => {
            for &(a, b) in pairs.iter() {
                if uf.union(a, b) {
                    edges.push((a, b));
                }
            }
        }
        Some(t) => {
            pairs.retain(|&(a, b)| uf.find(a) != uf.find(b));
            let ok: Vec<bool> = pairs
                .par_iter()
                .map(|&(a, b)| Ok(sigs.jaccard(a as usize, b as usize)? >= t))
                .collect::<io::Result<_>>()?;
            for (&(a, b), ok) in pairs.iter().zip(ok) {
                if ok && uf.union(a, b) {
                    edges.push((a, b));
                }
            }
        }
    }
    pairs.clear();
    Ok(())
}

/// `(band_hash, index)` of every signature for one band.
fn table_for_band(
    sigs: &SigTable,
    band: usize,
    cfg: &MinHashConfig,
) -> io::Result<Vec<(u64, u64)>> {
    let mut t = Vec::with_capacity(sigs.len());
    sigs.for_each_chunk(|start, flat| {
        let hashes = band_hashes(flat, sigs.k(), band, cfg);
        t.extend(
            hashes
                .into_iter()
                .enumerate()
                .map(|(i, h)| (h, (start + i) as u64)),
        );
        Ok(())
    })?;
    Ok(t)
}

/// Cluster documents by LSH on their signatures and pick one member per
/// cluster to keep. `metas[i]` describes `sigs[i]`. `spill_dir` is used only
/// when the band tables exceed `cfg.memory_budget_mb` (files are removed
/// before returning). The signatures are copied into an in-memory
/// [`SigTable`]; the build's stages use [`band_edges`] and
/// [`assign_edges`] on a table that moves to disk beyond the budget.
pub fn cluster(
    sigs: &[Signature],
    metas: &[DocMeta],
    cfg: &MinHashConfig,
    spill_dir: &Path,
) -> io::Result<Vec<Assignment>> {
    let n = sigs.len();
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    if metas.len() != n {
        return Err(invalid(format!(
            "{} signatures but {} metas",
            n,
            metas.len()
        )));
    }
    if cfg.bands == 0 || cfg.rows == 0 {
        return Err(invalid("bands and rows must be >= 1".into()));
    }
    let table = SigTable::from_signatures(sigs, cfg.num_perm())?;
    let bands: Vec<usize> = (0..cfg.bands).collect();
    let edges = band_edges(&table, &bands, cfg, spill_dir)?;
    assign_edges(&table, metas, cfg, &edges)
}

fn check_table(sigs: &SigTable, cfg: &MinHashConfig) -> io::Result<()> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    if sigs.len() >= u32::MAX as usize {
        return Err(invalid(format!(
            "{} documents: at most 2^32-2 per clustering",
            sigs.len()
        )));
    }
    if cfg.bands == 0 || cfg.rows == 0 {
        return Err(invalid("bands and rows must be >= 1".into()));
    }
    if sigs.k() != cfg.num_perm() {
        return Err(invalid(format!(
            "signatures have {} values, expected {}",
            sigs.k(),
            cfg.num_perm()
        )));
    }
    Ok(())
}

/// The linking edges LSH finds in `bands` (a subset of `0..cfg.bands`):
/// pairs sharing a bucket in one of those bands whose signature Jaccard
/// passes `cfg.verify_min_jaccard`, reduced to a spanning forest (a pair
/// already connected by earlier edges is dropped). The connected components
/// of the union of the edges of any partition of the bands equal those of
/// all bands at once, so each partition can be a separate task.
pub fn band_edges(
    sigs: &SigTable,
    bands: &[usize],
    cfg: &MinHashConfig,
    spill_dir: &Path,
) -> io::Result<Vec<(u32, u32)>> {
    check_table(sigs, cfg)?;
    let n = sigs.len();
    let mut uf = UnionFind::new(n);
    let mut edges = Vec::new();
    if cfg.enabled && n > 1 {
        let budget = (cfg.memory_budget_mb as u64).max(1) << 20;
        let per_band = n as u64 * 16;
        let mut pairs = Vec::new();
        if per_band * bands.len() as u64 <= budget {
            // The budget would hold every band table; one at a time is
            // enough.
            for &b in bands {
                let mut t = table_for_band(sigs, b, cfg)?;
                t.par_sort_unstable();
                bucket_pairs(&t, &mut pairs);
                drop(t);
                merge_pairs(&mut pairs, &mut uf, sigs, cfg, &mut edges)?;
            }
        } else {
            spill_cluster(
                sigs, bands, cfg, spill_dir, budget, &mut uf, &mut pairs, &mut edges,
            )?;
        }
    }
    Ok(edges)
}

/// Clusters from linking edges (the union of [`band_edges`] results), and
/// the member kept in each.
pub fn assign_edges(
    sigs: &SigTable,
    metas: &[DocMeta],
    cfg: &MinHashConfig,
    edges: &[(u32, u32)],
) -> io::Result<Vec<Assignment>> {
    check_table(sigs, cfg)?;
    if metas.len() != sigs.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} signatures but {} metas", sigs.len(), metas.len()),
        ));
    }
    let mut uf = UnionFind::new(sigs.len());
    for &(a, b) in edges {
        uf.union(a, b);
    }
    assign(sigs, metas, cfg.keep, &mut uf)
}

/// Out-of-core banding: per band, route `(band_hash, index)` records into
/// `parts` files by the top bits of the hash (equal hashes land in the same
/// file), then load, sort and pair one file at a time.
#[allow(clippy::too_many_arguments)]
fn spill_cluster(
    sigs: &SigTable,
    bands: &[usize],
    cfg: &MinHashConfig,
    spill_dir: &Path,
    budget: u64,
    uf: &mut UnionFind,
    pairs: &mut Vec<(u32, u32)>,
    edges: &mut Vec<(u32, u32)>,
) -> io::Result<()> {
    let n = sigs.len() as u64;
    // Records of one partition must fit the budget; power of two for routing.
    let parts = (n * 16).div_ceil(budget).max(1).next_power_of_two();
    let shift = 64 - parts.trailing_zeros();
    let route = |h: u64| if parts == 1 { 0 } else { (h >> shift) as usize };
    std::fs::create_dir_all(spill_dir)?;
    let path = |band: usize, p: usize| -> PathBuf {
        spill_dir.join(format!("minhash-band{band:03}-part{p:05}.bin"))
    };
    for &band in bands {
        {
            let mut writers = (0..parts as usize)
                .map(|p| File::create(path(band, p)).map(|f| BufWriter::with_capacity(1 << 16, f)))
                .collect::<io::Result<Vec<_>>>()?;
            sigs.for_each_chunk(|start, flat| {
                let hashes = band_hashes(flat, sigs.k(), band, cfg);
                for (i, h) in hashes.into_iter().enumerate() {
                    let idx = (start + i) as u64;
                    let w = &mut writers[route(h)];
                    w.write_all(&h.to_le_bytes())?;
                    w.write_all(&idx.to_le_bytes())?;
                }
                Ok(())
            })?;
            for w in writers {
                w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            }
        }
        for p in 0..parts as usize {
            let file = path(band, p);
            let mut bytes = Vec::new();
            BufReader::new(File::open(&file)?).read_to_end(&mut bytes)?;
            std::fs::remove_file(&file)?;
            let mut table: Vec<(u64, u64)> = bytes
                .chunks_exact(16)
                .map(|r| {
                    let h = u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
                    let i = u64::from_le_bytes(r[8..].try_into().expect("8 bytes"));
                    (h, i)
                })
                .collect();
            drop(bytes);
            table.par_sort_unstable();
            bucket_pairs(&table, pairs);
            drop(table);
            merge_pairs(pairs, uf, sigs, cfg, edges)?;
        }
    }
    Ok(())
}

/// Better candidate to keep under `rule` (true if `a` beats `b`).
fn better(rule: KeepRule, a: &DocMeta, b: &DocMeta) -> bool {
    let by_seq = a.seq < b.seq;
    match rule {
        KeepRule::First => by_seq,
        KeepRule::Longest => match a.n_chars.cmp(&b.n_chars) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => by_seq,
        },
        KeepRule::Newest => match a.date.cmp(&b.date) {
            // None < Some(_): a missing date is the oldest.
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => by_seq,
        },
    }
}

fn assign(
    sigs: &SigTable,
    metas: &[DocMeta],
    rule: KeepRule,
    uf: &mut UnionFind,
) -> io::Result<Vec<Assignment>> {
    let n = sigs.len();
    let roots: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
    let mut size = vec![0u32; n];
    let mut kept: Vec<u32> = (0..n as u32).collect(); // indexed by root
    for (i, &r) in roots.iter().enumerate() {
        size[r as usize] += 1;
        let cur = kept[r as usize] as usize;
        if i != cur && better(rule, &metas[i], &metas[cur]) {
            kept[r as usize] = i as u32;
        }
    }
    (0..n)
        .into_par_iter()
        .map(|i| {
            let r = roots[i] as usize;
            let kk = kept[r] as usize;
            Ok(Assignment {
                cluster: metas[kk].seq,
                cluster_size: size[r],
                kept_seq: metas[kk].seq,
                est_jaccard: if kk == i {
                    1.0
                } else {
                    sigs.jaccard(i, kk)? as f32
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// The whole text through the general per-character path, as before the
    /// ASCII fast path (whose lowercasing differs only for uncased scripts,
    /// where it is the identity: see the test below).
    fn reference_normalize_into(text: &str, out: &mut String) {
        out.clear();
        let mut at_break = true;
        normalize_non_ascii(text, out, &mut at_break);
        if out.ends_with(' ') {
            out.pop();
        }
    }

    #[test]
    fn uncased_ranges_have_no_lowercase_mapping() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if super::super::is_uncased(c) {
                assert!(c.to_lowercase().eq(std::iter::once(c)), "{c:?}");
            }
        }
    }

    #[test]
    fn ascii_fast_path_matches_whole_text_nfkd() {
        const ALPHABET: &[&str] = &[
            "a", "Z", "7", " ", ".", "-", "\n", "é", "e\u{301}", "\u{301}", "\u{316}", "\u{344}",
            "ﬁ", "Ａ", "①", "١", "ا", "\u{64b}", "ß", "İ", "Σ", "ς", "中", "\u{200b}", "\u{ad}",
            "ـ", "क", "\u{93f}", "\u{94d}", "ǅ", "Ⅻ", "ﷺ",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut rnd = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut a, mut b) = (String::new(), String::new());
        for _ in 0..50_000 {
            let mut s = String::new();
            for _ in 0..(rnd() % 16) {
                s.push_str(ALPHABET[(rnd() % ALPHABET.len() as u64) as usize]);
            }
            normalize_into(&s, &mut a);
            reference_normalize_into(&s, &mut b);
            assert_eq!(a, b, "{s:?}");
        }
    }

    use super::*;

    fn cfg() -> MinHashConfig {
        MinHashConfig::default()
    }

    fn meta(seq: u64, n_chars: u64, date: Option<&str>) -> DocMeta {
        DocMeta {
            seq,
            n_chars,
            date: date.map(str::to_string),
        }
    }

    const BASE: &str = "The city council met on Tuesday to discuss the new budget for \
        public transport, which includes three new bus lines, a tram extension to the \
        northern districts and lower fares for students and pensioners. The mayor said \
        the plan would be funded by a mix of federal grants and a small increase in \
        parking fees, and that construction could begin as early as next spring.";

    #[test]
    fn normalize_basics() {
        assert_eq!(
            normalize_for_shingles("  Héllo,   WORLD!! 2024  "),
            "hello world 0000"
        );
        assert_eq!(normalize_for_shingles("ＡＢＣ１２"), "abc00");
        assert_eq!(normalize_for_shingles("a\u{200B}b\u{00AD}c"), "abc");
        assert_eq!(normalize_for_shingles(""), "");
        assert_eq!(normalize_for_shingles("..."), "");
        // Arabic: harakat and tatweel dropped, Arabic-Indic digits folded.
        assert_eq!(normalize_for_shingles("كَتَبَ الـدرس ٢٠١٥"), "كتب الدرس 0000");
        // Devanagari vowel signs and virama are kept: कि != का.
        assert_eq!(normalize_for_shingles("कि"), "कि");
        assert_ne!(normalize_for_shingles("कि"), normalize_for_shingles("का"));
        assert_eq!(normalize_for_shingles("नमस्ते"), "नमस्ते");
        // Thai tone marks kept.
        assert_eq!(normalize_for_shingles("ไม่"), "ไม่");
        // Yoruba tone marks are diacritics on Latin letters: dropped.
        assert_eq!(normalize_for_shingles("Ọmọ"), "omo");
    }

    #[test]
    fn normalize_is_idempotent() {
        for s in [
            BASE,
            "كَتَبَ الـدرس",
            "नमस्ते दुनिया",
            "東京は晴れ。",
            "Ọmọ ẹ́",
            "İstanbul ß",
        ] {
            let once = normalize_for_shingles(s);
            assert_eq!(normalize_for_shingles(&once), once, "{s}");
        }
    }

    #[test]
    fn shingle_kind_by_script_and_length() {
        let c = cfg();
        assert_eq!(
            shingle_kind(&normalize_for_shingles(BASE), &c),
            ShingleKind::Words
        );
        assert_eq!(
            shingle_kind(
                &normalize_for_shingles("今日は東京で会議が開かれ、新しい予算が議論された。"),
                &c
            ),
            ShingleKind::Chars
        );
        assert_eq!(
            shingle_kind(
                &normalize_for_shingles("รัฐบาลประกาศมาตรการใหม่ เพื่อช่วยเหลือเกษตรกร"),
                &c
            ),
            ShingleKind::Chars
        );
        assert_eq!(
            shingle_kind("just four short words", &c),
            ShingleKind::Chars
        );
    }

    #[test]
    fn signature_deterministic_and_sized() {
        let c = cfg();
        let a = signature(BASE, &c);
        assert_eq!(a.0.len(), c.bands * c.rows);
        assert_eq!(a, signature(BASE, &c));
        // Same in another thread (fresh thread-local scratch).
        let b = std::thread::spawn(move || signature(BASE, &MinHashConfig::default()))
            .join()
            .unwrap();
        assert_eq!(a, b);
        assert!(a.0.iter().all(|&v| v < MERSENNE_61));
        // Normalization-only differences give the same signature.
        assert_eq!(a, signature(&BASE.to_uppercase().replace(',', " ;"), &c));
        // A different seed gives a different signature.
        let c2 = MinHashConfig { seed: 2, ..cfg() };
        assert_ne!(a, signature(BASE, &c2));
        assert!(signature("", &c).0.iter().all(|&v| v == u64::MAX));
    }

    #[test]
    fn shingle_kind_counts_like_the_char_loop() {
        fn reference(norm: &str, cfg: &MinHashConfig) -> ShingleKind {
            let letters = norm.chars().filter(|&c| c != ' ').count();
            let spaceless = norm
                .chars()
                .filter(|&c| c != ' ' && is_spaceless_script(c))
                .count();
            let words = if norm.is_empty() {
                0
            } else {
                norm.split(' ').count()
            };
            if spaceless * 2 >= letters.max(1) || words < cfg.min_words_for_word_shingles.max(1) {
                ShingleKind::Chars
            } else {
                ShingleKind::Words
            }
        }
        let pieces = [
            "a",
            "bc",
            " ",
            "ж",
            "ا",
            "中",
            "ข",
            "ア",
            "\u{20000}",
            "0",
            "é",
        ];
        let mut st = 99u64;
        let c = cfg();
        for _ in 0..20_000 {
            let n = (splitmix64(&mut st) % 40) as usize;
            let t: String = (0..n)
                .map(|_| pieces[(splitmix64(&mut st) % pieces.len() as u64) as usize])
                .collect();
            assert_eq!(shingle_kind(&t, &c), reference(&t, &c), "{t:?}");
        }
    }

    #[test]
    fn split_multiply_matches_the_128_bit_reduction() {
        let mut st = 0x1234_5678_9ABC_DEF0u64;
        let mut pairs = permutations(7, 64);
        // Extremes of the coefficient ranges.
        pairs.extend([(1, 0), (MERSENNE_61 - 1, MERSENNE_61 - 1), (1 << 32, 1)]);
        let perms = Perms::new(&pairs);
        let mut xs = vec![0, 1, MERSENNE_61 - 1, (1 << 32) - 1, 1 << 32, 1 << 60];
        xs.extend((0..20_000).map(|_| splitmix64(&mut st) % MERSENNE_61));
        for x in xs {
            let want: Vec<u64> = pairs
                .iter()
                .map(|&(a, b)| mod_mersenne(a as u128 * x as u128 + b as u128))
                .collect();
            let mut portable = vec![u64::MAX; pairs.len()];
            update_mins_portable(&mut portable, &perms, x);
            let mut dispatched = vec![u64::MAX; pairs.len()];
            update_mins(&mut dispatched, &perms, x);
            #[cfg(target_arch = "x86_64")]
            {
                let mut v = vec![u64::MAX; pairs.len()];
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2.
                    unsafe { update_mins_avx2(&mut v, &perms, x) };
                    assert_eq!(v, want, "avx2, x = {x}");
                }
                v.fill(u64::MAX);
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F.
                    unsafe { update_mins_avx512(&mut v, &perms, x) };
                    assert_eq!(v, want, "avx512f, x = {x}");
                }
            }
            assert_eq!(portable, want, "x = {x}");
            assert_eq!(dispatched, want, "x = {x}");
        }
    }

    #[test]
    fn signature_golden_values() {
        // Pin the hash family: these must never change across machines or
        // releases without a config version bump.
        let s = signature(
            "one two three four five six seven eight nine ten eleven",
            &cfg(),
        );
        let again = signature(
            "One, two; three four five six seven eight nine ten eleven.",
            &cfg(),
        );
        assert_eq!(s, again);
        assert_eq!(
            &s.0[..3],
            &[9329631967656721, 24317321019622160, 751215560696079560]
        );
        assert_eq!(mod_mersenne((MERSENNE_61 as u128) * 5 + 7), 7);
        assert_eq!(mod_mersenne(u64::MAX as u128), u64::MAX % MERSENNE_61);
        let a = u64::MAX as u128 - 12345;
        assert_eq!(
            mod_mersenne(a * 987_654_321),
            ((a * 987_654_321) % MERSENNE_61 as u128) as u64
        );
    }

    #[test]
    fn signature_jaccard_tracks_true_jaccard() {
        let words: Vec<String> = (0..400).map(|i| format!("w{}x", i * 7919 % 1000)).collect();
        let a = words.join(" ");
        // Replace the last 40 words: 5-gram sets share 356 of 396+... shingles.
        let mut w2 = words.clone();
        for (i, w) in w2.iter_mut().enumerate().skip(360) {
            *w = format!("q{i}z");
        }
        let b = w2.join(" ");
        let c = MinHashConfig {
            bands: 64,
            rows: 4,
            ..cfg()
        };
        let est = signature(&a, &c).jaccard(&signature(&b, &c));
        // True: shared 356 of (396 + 396 - 356) = 0.310... computed below.
        let sh = |t: &str| -> std::collections::HashSet<String> {
            let n = normalize_for_shingles(t);
            let v: Vec<&str> = n.split(' ').collect();
            v.windows(5).map(|w| w.join(" ")).collect()
        };
        let (sa, sb) = (sh(&a), sh(&b));
        let truth = sa.intersection(&sb).count() as f64 / sa.union(&sb).count() as f64;
        assert!((est - truth).abs() < 0.1, "est {est} truth {truth}");
    }

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

    fn corpus() -> (Vec<String>, Vec<DocMeta>) {
        let other = "Scientists announced on Friday that a new species of frog had been \
            found in the rainforest of the eastern highlands, after a survey that lasted \
            almost two years and covered more than forty remote valleys and river basins.";
        let texts = vec![
            BASE.to_string(),                                                            // 0
            other.to_string(),                                                           // 1
            format!("{BASE} Follow us on social media."), // 2 near-dup of 0
            BASE.replace("Tuesday", "Wednesday"),         // 3 near-dup of 0
            String::new(),                                // 4
            format!("{other} Read more"),                 // 5 near-dup of 1
            String::new(),                                // 6 dup of 4
            "a completely unrelated short note about gardening tomatoes in pots".into(), // 7
        ];
        let metas = texts
            .iter()
            .enumerate()
            .map(|(i, t)| meta(100 + i as u64, t.chars().count() as u64, None))
            .collect();
        (texts, metas)
    }

    #[test]
    fn clusters_and_keep_first() {
        let (texts, metas) = corpus();
        let c = cfg();
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t, &c)).collect();
        let dir = std::env::temp_dir();
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        let cl: Vec<u64> = a.iter().map(|x| x.cluster).collect();
        assert_eq!(cl, vec![100, 101, 100, 100, 104, 101, 104, 107]);
        assert_eq!(a[0].cluster_size, 3);
        assert_eq!(a[7].cluster_size, 1);
        assert_eq!(a[0].est_jaccard, 1.0);
        assert!(a[2].est_jaccard > 0.7 && a[2].est_jaccard < 1.0);
        assert!(a[0].is_kept(&metas[0]) && !a[2].is_kept(&metas[2]));
    }

    #[test]
    fn keep_longest_and_newest() {
        let (texts, mut metas) = corpus();
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t, &cfg())).collect();
        let dir = std::env::temp_dir();
        let c = MinHashConfig {
            keep: KeepRule::Longest,
            ..cfg()
        };
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        assert_eq!(a[0].kept_seq, 102); // BASE + trailer is the longest
        assert_eq!(a[1].kept_seq, 105);
        metas[0].date = Some("2015-07-22".into());
        metas[3].date = Some("2015-08-01".into());
        metas[2].date = Some("2015-07-30".into());
        let c = MinHashConfig {
            keep: KeepRule::Newest,
            ..cfg()
        };
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        assert_eq!(a[0].kept_seq, 103);
        assert_eq!(a[0].cluster, 103);
        assert_eq!(a[1].kept_seq, 101); // no dates: smallest seq
    }

    #[test]
    fn verification_off_and_disabled() {
        let (texts, metas) = corpus();
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t, &cfg())).collect();
        let dir = std::env::temp_dir();
        let c = MinHashConfig {
            verify_min_jaccard: None,
            ..cfg()
        };
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        assert_eq!(a[2].cluster, 100);
        let c = MinHashConfig {
            enabled: false,
            ..cfg()
        };
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        assert!(
            a.iter()
                .zip(&metas)
                .all(|(x, m)| x.cluster == m.seq && x.cluster_size == 1)
        );
    }

    #[test]
    fn spill_matches_memory_and_threads() {
        // Many documents in a few families so that buckets are large.
        let c = MinHashConfig {
            memory_budget_mb: 1,
            ..cfg()
        };
        let texts: Vec<String> = (0..70_000)
            .map(|i| {
                let fam = i % 5000;
                // Digits fold to 0, so spell numbers with letters.
                let spell = |mut x: usize| -> String {
                    let mut s = String::new();
                    loop {
                        s.push((b'a' + (x % 26) as u8) as char);
                        x /= 26;
                        if x == 0 {
                            break s;
                        }
                    }
                };
                let words: Vec<String> = (0..30)
                    .map(|w| format!("{}q{}", spell(fam), spell(w)))
                    .collect();
                let mut t = words.join(" ");
                if i % 3 == 0 {
                    t.push_str(&format!(" extra{}", spell(i)));
                }
                t
            })
            .collect();
        let metas: Vec<DocMeta> = (0..texts.len())
            .map(|i| meta(i as u64 * 2, 10, None))
            .collect();
        let sigs: Vec<Signature> = texts.par_iter().map(|t| signature(t, &c)).collect();
        // 70k docs * 20 bands * 16 B = 22 MB > 1 MB: spills, 2 partitions/band.
        let dir = tempfile::tempdir().unwrap();
        let spilled = cluster(&sigs, &metas, &c, dir.path()).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "spill files removed"
        );
        let mem_cfg = MinHashConfig {
            memory_budget_mb: 1024,
            ..c.clone()
        };
        let mem = cluster(&sigs, &metas, &mem_cfg, dir.path()).unwrap();
        assert_eq!(spilled, mem);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let single = one.install(|| cluster(&sigs, &metas, &c, dir.path()).unwrap());
        assert_eq!(single, mem);
        let kept = mem.iter().zip(&metas).filter(|(a, m)| a.is_kept(m)).count();
        assert_eq!(kept, 5000);
        // Bands split over tasks (as the `bands` stage does), band tables
        // spilled or not, signatures in memory or in a file: the union of
        // their edges gives the same clusters.
        let in_memory = SigTable::from_signatures(&sigs, c.num_perm()).unwrap();
        let sig_path = dir.path().join("sigs").join("signatures.bin");
        let mut b = super::super::sigtable::SigTableBuilder::new(c.num_perm(), 0, &sig_path);
        for s in &sigs {
            b.push(&s.0).unwrap();
        }
        let in_file = b.finish().unwrap();
        assert!(in_memory.in_memory() && !in_file.in_memory());
        for tasks in [2, 3, 7] {
            let mut edges = Vec::new();
            for t in 0..tasks {
                let mine: Vec<usize> = (t..c.bands).step_by(tasks).collect();
                let part = if t % 2 == 0 { &c } else { &mem_cfg };
                let table = if t % 3 == 0 { &in_file } else { &in_memory };
                edges.extend(band_edges(table, &mine, part, dir.path()).unwrap());
            }
            edges.reverse();
            for table in [&in_memory, &in_file] {
                assert_eq!(
                    assign_edges(table, &metas, &c, &edges).unwrap(),
                    mem,
                    "{tasks} tasks"
                );
            }
        }
        drop(in_file);
        assert!(!sig_path.exists(), "signature file removed");
    }

    #[test]
    fn rejects_bad_input() {
        let c = cfg();
        let dir = std::env::temp_dir();
        let s = vec![signature("a b c", &c)];
        assert!(cluster(&s, &[], &c, &dir).is_err());
        let short = vec![Signature(vec![1, 2, 3].into_boxed_slice())];
        assert!(cluster(&short, &[meta(0, 1, None)], &c, &dir).is_err());
        assert!(cluster(&[], &[], &c, &dir).unwrap().is_empty());
    }
}
