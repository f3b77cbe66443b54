//! MinHash signatures ([`signature`]): each shingle is hashed once with
//! xxh3-64 and the seed, then put through `k` permutations
//! `(a_i * x + b_i) mod (2^61 - 1)`, computed with 32 x 32-bit multiplies
//! (vectorized with AVX-512 or AVX2 where the CPU has it). The values depend
//! only on exact integer arithmetic, so a signature is identical on every
//! machine, with or without AVX2 or AVX-512.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::Signature;
use super::config::MinHashConfig;
use super::shingle::{is_spaceless_script, normalize_into};

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

/// MinHash signature of `text` (normalized with [`normalize_for_shingles`](super::normalize_for_shingles)).
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

#[cfg(test)]
mod tests {
    use super::super::shingle::normalize_for_shingles;
    use super::super::testutil::{BASE, cfg};
    use super::*;

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
}
