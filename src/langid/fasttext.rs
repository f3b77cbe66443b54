//! Native runtime for fastText supervised models (`.bin` and quantized `.ftz`).
//!
//! This module loads the binary model format written by fastText 0.9.x
//! (file format version 12; version 11 supervised models are accepted the way
//! fastText accepts them: without character n-grams) and reproduces
//! `fasttext predict` / Python `model.predict(text, k, threshold)`:
//!
//! * same tokenization (fastText's `Dictionary::readWord` delimiters: space,
//!   `\n`, `\r`, `\t`, `\v`, `\f`, NUL; an end-of-sentence token `</s>` is
//!   appended to every line), same word ids, same character n-grams
//!   (`<word>`, `minn..=maxn` counted in UTF-8 characters), same FNV-1a
//!   variant (bytes are sign-extended through `int8_t` before the xor), same
//!   word n-gram hashing (multiplier 116049371 on sign-extended 64-bit values),
//!   same pruned-bucket remapping (`pruneidx`) for quantized models;
//! * same arithmetic order in `f32` for the averaged hidden vector, the
//!   output scores, softmax, hierarchical softmax (Huffman tree from label
//!   counts, depth-first search with threshold and heap pruning) and the
//!   sigmoid lookup table used by one-vs-all / negative-sampling models;
//! * probabilities are what fastText prints: `exp(log(p + 1e-5))`.
//!
//! Guarantees: loading never panics on a malformed file (every size and index
//! is checked at load time and reported as [`FastTextError`], naming the file
//! when loaded from a path); `predict` is allocation-free apart from the
//! returned vector (per-thread scratch buffers are reused) and never panics.
//! Top-k labels agree with the C++ implementation and probabilities agree
//! within 1e-4 (checked by `scripts/fasttext_parity.py` against the PyPI
//! `fasttext` package on softmax, hierarchical-softmax, quantized and
//! quantized+qnorm models and on the published `lid.176.ftz`); labels whose
//! probabilities are exactly tied may come out in a different order.
//!
//! Speed without changing a result: quantized input rows are expanded once
//! at load; the input rows of each token are remembered per thread
//! (`RowMemo`: 2 MiB, one cache line per token, fetched a few tokens
//! ahead), so a repeated token costs one probe instead of a dictionary
//! probe plus hashing and looking up every character n-gram; `pruneidx` is
//! a rank bitmap (`BucketRows`, one cache line per lookup) over input rows
//! copied into bucket order at load; bucket ids are computed without a
//! division (`FastMod`). The same row vectors are still summed one by one
//! in fastText's order, so the hidden vector is bit-identical; a test
//! compares predictions bit for bit with a plain implementation (no memo,
//! the file's row order and `pruneidx` map, division) on real and random
//! text.
//!
//! The algorithms follow fastText's `src/fasttext.cc` (`loadModel`,
//! `predictLine`), `src/args.cc` (`Args::load`), `src/dictionary.cc`
//! (`load`, `readWord`, `hash`, `computeSubwords`, `getLine`, `pushHash`,
//! `addWordNgrams`), `src/densematrix.cc`, `src/quantmatrix.cc`,
//! `src/productquantizer.cc`, `src/model.cc` (`computeHidden`, `predict`) and
//! `src/loss.cc` (`SoftmaxLoss`, `HierarchicalSoftmaxLoss`,
//! `BinaryLogisticLoss`, `findKBest`, `std_log`); the code here is our own.

use std::cell::RefCell;
use std::fmt;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

/// `FASTTEXT_FILEFORMAT_MAGIC_INT32` in fastText's `fasttext.cc`.
const MAGIC: i32 = 793_712_314;
/// Newest file format version fastText writes (`FASTTEXT_VERSION`).
const MAX_VERSION: i32 = 12;
const EOS: &[u8] = b"</s>";
const LABEL_PREFIX: &str = "__label__";
/// Number of centroids per sub-quantizer (`ProductQuantizer::ksub_`, 2^8).
const KSUB: usize = 256;
const SIGMOID_TABLE_SIZE: usize = 512;
const MAX_SIGMOID: f32 = 8.0;
/// Quantized input matrices up to this many values (64 MiB of f32) are
/// expanded to dense rows at load time.
const DEQUANTIZE_MAX_FLOATS: usize = 1 << 24;
/// Word n-gram hash multiplier (`Dictionary::addWordNgrams`).
const WORD_NGRAM_MUL: u64 = 116_049_371;

/// Error loading a fastText model.
#[derive(Debug)]
pub enum FastTextError {
    /// The file could not be opened or read.
    Io {
        /// File being read, if loaded from a path.
        path: Option<PathBuf>,
        /// Underlying error.
        source: io::Error,
    },
    /// The file is readable but is not a usable fastText supervised model.
    Format {
        /// File being read, if loaded from a path.
        path: Option<PathBuf>,
        /// What is wrong.
        what: String,
    },
}

impl FastTextError {
    fn format(what: impl Into<String>) -> Self {
        FastTextError::Format {
            path: None,
            what: what.into(),
        }
    }

    fn with_path(self, p: &Path) -> Self {
        match self {
            FastTextError::Io { source, .. } => FastTextError::Io {
                path: Some(p.to_path_buf()),
                source,
            },
            FastTextError::Format { what, .. } => FastTextError::Format {
                path: Some(p.to_path_buf()),
                what,
            },
        }
    }
}

impl fmt::Display for FastTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, msg): (&Option<PathBuf>, String) = match self {
            FastTextError::Io { path, source } => (path, format!("I/O error: {source}")),
            FastTextError::Format { path, what } => (path, what.clone()),
        };
        match path {
            Some(p) => write!(f, "fastText model {}: {msg}", p.display()),
            None => write!(f, "fastText model: {msg}"),
        }
    }
}

impl std::error::Error for FastTextError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FastTextError::Io { source, .. } => Some(source),
            FastTextError::Format { .. } => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Binary reading helpers (all fastText fields are little-endian on the
// platforms it is used on).

struct In<R: Read> {
    r: R,
    pos: u64,
}

impl<R: Read> In<R> {
    fn bytes(&mut self, buf: &mut [u8], what: &str) -> Result<(), FastTextError> {
        match self.r.read_exact(buf) {
            Ok(()) => {
                self.pos += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Err(FastTextError::format(format!(
                    "truncated file: unexpected end of data at byte {} while reading {what}",
                    self.pos
                )))
            }
            Err(e) => Err(FastTextError::Io {
                path: None,
                source: e,
            }),
        }
    }
    fn u8(&mut self, what: &str) -> Result<u8, FastTextError> {
        let mut b = [0u8; 1];
        self.bytes(&mut b, what)?;
        Ok(b[0])
    }
    fn bool(&mut self, what: &str) -> Result<bool, FastTextError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(FastTextError::format(format!(
                "invalid boolean {v} for {what} at byte {}",
                self.pos - 1
            ))),
        }
    }
    fn i32(&mut self, what: &str) -> Result<i32, FastTextError> {
        let mut b = [0u8; 4];
        self.bytes(&mut b, what)?;
        Ok(i32::from_le_bytes(b))
    }
    fn i64(&mut self, what: &str) -> Result<i64, FastTextError> {
        let mut b = [0u8; 8];
        self.bytes(&mut b, what)?;
        Ok(i64::from_le_bytes(b))
    }
    fn f64(&mut self, what: &str) -> Result<f64, FastTextError> {
        let mut b = [0u8; 8];
        self.bytes(&mut b, what)?;
        Ok(f64::from_le_bytes(b))
    }
    /// NUL-terminated string (dictionary entry).
    fn cstr(&mut self, out: &mut Vec<u8>, what: &str) -> Result<(), FastTextError> {
        out.clear();
        loop {
            let c = self.u8(what)?;
            if c == 0 {
                return Ok(());
            }
            out.push(c);
        }
    }
    fn f32_vec(&mut self, n: usize, what: &str) -> Result<Vec<f32>, FastTextError> {
        // Read in chunks so that a lying header cannot make us allocate far
        // more than the data actually present.
        let mut v: Vec<f32> = Vec::with_capacity(n.min(1 << 24));
        let mut buf = vec![0u8; 1 << 16];
        let mut left = n;
        while left > 0 {
            let take = left.min(buf.len() / 4);
            self.bytes(&mut buf[..take * 4], what)?;
            v.extend(
                buf[..take * 4]
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
            left -= take;
        }
        Ok(v)
    }
    fn u8_vec(&mut self, n: usize, what: &str) -> Result<Vec<u8>, FastTextError> {
        let mut v: Vec<u8> = Vec::with_capacity(n.min(1 << 26));
        let mut buf = vec![0u8; 1 << 16];
        let mut left = n;
        while left > 0 {
            let take = left.min(buf.len());
            self.bytes(&mut buf[..take], what)?;
            v.extend_from_slice(&buf[..take]);
            left -= take;
        }
        Ok(v)
    }
}

fn to_usize(v: i64, what: &str) -> Result<usize, FastTextError> {
    usize::try_from(v).map_err(|_| FastTextError::format(format!("invalid {what}: {v}")))
}

// ---------------------------------------------------------------------------
// Hashing (fastText `Dictionary::hash`).

/// FNV-1a as fastText computes it: each byte goes through `int8_t` and is
/// sign-extended to 32 bits before the xor, so bytes >= 0x80 differ from
/// textbook FNV-1a.
#[inline]
fn fnv_step(h: u32, b: u8) -> u32 {
    (h ^ (b as i8 as i32 as u32)).wrapping_mul(16_777_619)
}

const FNV_INIT: u32 = 2_166_136_261;

#[inline]
fn ft_hash(s: &[u8]) -> u32 {
    s.iter().fold(FNV_INIT, |h, &b| fnv_step(h, b))
}

/// `a % d` for a fixed divisor `d` and any 32-bit `a`, by two
/// multiplications instead of a division (Lemire, Kaser and Kurz, "Faster
/// Remainder by Direct Computation", 2019). `m` is `2^64 / d` rounded up
/// (`floor((2^64 - 1) / d) + 1`); the low 64 bits of `m * a` are then the
/// fractional part of `a / d` with enough precision (64 bits for a 32-bit
/// `a`) that multiplying them by `d` and keeping the high 64 bits gives
/// exactly `a % d`. Checked against `%` for every `a` in the tests.
#[derive(Clone, Copy)]
struct FastMod {
    m: u64,
    d: u32,
}

impl FastMod {
    /// `d == 0` gives a value whose `rem` is 0; callers never divide by a
    /// zero bucket count.
    fn new(d: u32) -> FastMod {
        let m = if d == 0 {
            0
        } else {
            (u64::MAX / u64::from(d)).wrapping_add(1)
        };
        FastMod { m, d }
    }

    #[inline]
    fn rem(self, a: u32) -> u32 {
        let frac = self.m.wrapping_mul(u64::from(a));
        ((u128::from(frac) * u128::from(self.d)) >> 64) as u32
    }
}

#[inline]
fn is_delim(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c | 0)
}

/// Bit `i` is set when `chunk[i]` is a delimiter ([`is_delim`]).
#[inline]
fn delim_mask16(chunk: &[u8; 16]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; the load reads the
        // 16 bytes of `chunk` (unaligned load).
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
            let nul = _mm_cmpeq_epi8(v, _mm_setzero_si128());
            // \t \n \v \f \r are 9..=13: `v - 9` (wrapping) is at most 4.
            let d = _mm_sub_epi8(v, _mm_set1_epi8(9));
            let ctl = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(4)), d);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(space, nul), ctl)) as u32
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        chunk
            .iter()
            .enumerate()
            .fold(0, |m, (i, &b)| m | (u32::from(is_delim(b)) << i))
    }
}

/// First position at or after `from` whose byte is a delimiter (`delim`)
/// or not one (`!delim`); `text.len()` if there is none.
#[inline]
fn scan_delim(text: &[u8], mut from: usize, delim: bool) -> usize {
    while let Some(chunk) = text.get(from..from + 16) {
        let mut m = delim_mask16(chunk.try_into().expect("16 bytes"));
        if !delim {
            m ^= 0xffff;
        }
        if m != 0 {
            return from + m.trailing_zeros() as usize;
        }
        from += 16;
    }
    while from < text.len() && is_delim(text[from]) != delim {
        from += 1;
    }
    from
}

/// Bytes `at..at + take` of `text` (`take <= 8`, all inside `text`) as a
/// little-endian integer, zero above.
#[inline]
fn load_le(text: &[u8], at: usize, take: usize) -> u64 {
    if let Some(b) = text.get(at..at + 8) {
        let v = u64::from_le_bytes(b.try_into().expect("8 bytes"));
        if take == 8 {
            v
        } else {
            v & ((1u64 << (8 * take)) - 1)
        }
    } else {
        text[at..at + take]
            .iter()
            .rev()
            .fold(0, |v, &b| (v << 8) | u64::from(b))
    }
}

/// A cheap 64-bit hash of token `text[start..start + len]`, for
/// [`RowMemo`] only: eight bytes per multiplication instead of
/// [`ft_hash`]'s one. Its high bits depend on every byte.
#[inline]
fn memo_key(text: &[u8], start: usize, len: usize) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (len as u64).wrapping_mul(K);
    let mut at = 0;
    while at < len {
        let w = load_le(text, start + at, (len - at).min(8));
        h = (h.rotate_left(29) ^ w).wrapping_mul(K);
        at += 8;
    }
    h
}

/// The tokens of a line as `Dictionary::readWord` reads them, as (start,
/// length, [`memo_key`]), into `out` (cleared first). A literal `</s>`
/// token ends the line: it and what follows are left out (the caller adds
/// the line's `</s>`).
fn split_tokens(text: &[u8], out: &mut Vec<(usize, usize, u64)>) {
    out.clear();
    let mut pos = 0;
    loop {
        pos = scan_delim(text, pos, false);
        if pos == text.len() {
            return;
        }
        let start = pos;
        pos = scan_delim(text, pos, true);
        if short_eq(&text[start..pos], EOS) {
            return;
        }
        out.push((start, pos - start, memo_key(text, start, pos - start)));
    }
}

// ---------------------------------------------------------------------------
// Small open-addressing maps (std HashMap's SipHash is needlessly slow here).

/// Word table: fastText hash -> entry id, linear probing. Each slot keeps
/// the entry's hash next to its id, so a probe compares bytes against the
/// word arena only when the hashes are equal.
struct WordTable {
    /// (hash, id); id `EMPTY` marks a free slot.
    slots: Vec<(u32, u32)>,
    mask: usize,
}

impl WordTable {
    const EMPTY: u32 = u32::MAX;
}

/// i32 -> i32 map for `pruneidx` (n-gram bucket -> compact row). Keys and
/// values sit side by side, so a probe touches one cache line. Only
/// non-negative keys are stored: lookups are bucket ids (`hash % bucket`),
/// never negative, so a negative key in a file could never be found.
struct IntMap {
    /// (key, value); key `EMPTY` marks a free slot.
    slots: Vec<(i32, i32)>,
    mask: usize,
}

impl IntMap {
    const EMPTY: i32 = -1;

    fn new(n: usize) -> IntMap {
        let cap = (n.max(1) * 2).next_power_of_two();
        IntMap {
            slots: vec![(Self::EMPTY, 0); cap],
            mask: cap - 1,
        }
    }
    #[inline]
    fn slot(&self, k: i32) -> usize {
        ((k as u32).wrapping_mul(0x9E37_79B1) as usize ^ ((k as u32) >> 16) as usize) & self.mask
    }
    fn insert(&mut self, k: i32, v: i32) {
        if k < 0 {
            return;
        }
        let mut i = self.slot(k);
        while self.slots[i].0 != Self::EMPTY && self.slots[i].0 != k {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = (k, v);
    }
    #[inline]
    fn get(&self, k: i32) -> Option<i32> {
        if k < 0 {
            return None;
        }
        let mut i = self.slot(k);
        loop {
            let (key, v) = self.slots[i];
            if key == k {
                return Some(v);
            }
            if key == Self::EMPTY {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }
    fn values(&self) -> impl Iterator<Item = i32> + '_ {
        self.slots
            .iter()
            .filter(|(k, _)| *k != Self::EMPTY)
            .map(|(_, v)| *v)
    }
}

/// `pruneidx` as the prediction loop reads it: bucket id -> compact n-gram
/// row. Most n-gram buckets of a pruned model are not kept (lid.176.ftz
/// keeps 42,765 of 2,000,000), so the common answer is "absent".
///
/// Up to [`RANK_MAX_BUCKETS`] buckets: a bitmap over the buckets with
/// running counts, 384 buckets per cache line ([`RankLine`]; 333 KB for
/// lid.176), answers from one line whether a bucket is kept and its rank
/// among the kept buckets (in bucket order). The loader copies the input
/// rows of the kept buckets into that order (see [`Matrix::with_rows`]), so
/// the rank is the compact row: no second table to read. Larger bucket
/// counts keep the file's hash map, whose values are the compact rows.
enum BucketRows {
    Rank(Vec<RankLine>),
    Map(IntMap),
}

/// [`RANK_LINE`] buckets of the rank bitmap of [`BucketRows`]: one cache
/// line.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct RankLine {
    bits: [u64; 6],
    /// Kept buckets before this line.
    base: u32,
    /// Kept buckets of this line before each of its six words (at most
    /// 320).
    before: [u16; 6],
}

const _: () = assert!(std::mem::size_of::<RankLine>() == 64);

/// Buckets per [`RankLine`].
const RANK_LINE: usize = 384;

/// Largest bucket count given a rank bitmap (11 MiB of lines).
const RANK_MAX_BUCKETS: usize = 1 << 26;

impl BucketRows {
    /// From the map read from the file; keys outside `0..bucket` are never
    /// looked up (bucket ids are `hash % bucket`) and are left out. For a
    /// rank bitmap, also returns the file's compact row of each kept bucket
    /// in bucket order: the rows the input matrix must list, in that order,
    /// after its word rows.
    fn new(map: IntMap, bucket: usize) -> (BucketRows, Option<Vec<usize>>) {
        if bucket > RANK_MAX_BUCKETS {
            return (BucketRows::Map(map), None);
        }
        let mut kept: Vec<(i32, i32)> = map
            .slots
            .iter()
            .copied()
            .filter(|&(k, _)| k != IntMap::EMPTY && (k as usize) < bucket)
            .collect();
        kept.sort_unstable();
        let mut lines = vec![RankLine::default(); bucket.div_ceil(RANK_LINE)];
        for &(k, _) in &kept {
            let k = k as usize;
            lines[k / RANK_LINE].bits[k % RANK_LINE / 64] |= 1 << (k % 64);
        }
        let mut base = 0u32;
        for line in &mut lines {
            line.base = base;
            let mut before = 0u16;
            for (w, &bits) in line.bits.iter().enumerate() {
                line.before[w] = before;
                before += bits.count_ones() as u16;
            }
            base += u32::from(before);
        }
        let order = kept.into_iter().map(|(_, v)| v as usize).collect();
        (BucketRows::Rank(lines), Some(order))
    }

    /// The compact row of bucket `id`, if kept.
    #[inline]
    fn get(&self, id: u32) -> Option<u32> {
        match self {
            BucketRows::Rank(lines) => {
                let id = id as usize;
                let line = lines.get(id / RANK_LINE)?;
                let (w, b) = (id % RANK_LINE / 64, id % 64);
                let bits = line.bits[w];
                if (bits >> b) & 1 == 0 {
                    return None;
                }
                let below = (bits & ((1u64 << b) - 1)).count_ones();
                Some(line.base + u32::from(line.before[w]) + below)
            }
            BucketRows::Map(m) => m.get(id as i32).map(|v| v as u32),
        }
    }
}

// ---------------------------------------------------------------------------
// Matrices (fastText `densematrix.cc`, `quantmatrix.cc`,
// `productquantizer.cc`).

/// `ProductQuantizer` with 8-bit codes.
struct Pq {
    nsubq: usize,
    dsub: usize,
    lastdsub: usize,
    centroids: Vec<f32>,
}

impl Pq {
    fn load<R: Read>(r: &mut In<R>, what: &str) -> Result<Pq, FastTextError> {
        let dim = r.i32(what)?;
        let nsubq = r.i32(what)?;
        let dsub = r.i32(what)?;
        let lastdsub = r.i32(what)?;
        if dim <= 0 || nsubq <= 0 || dsub <= 0 || lastdsub <= 0 {
            return Err(FastTextError::format(format!(
                "{what}: invalid product quantizer shape dim={dim} nsubq={nsubq} dsub={dsub} lastdsub={lastdsub}"
            )));
        }
        let (dim, nsubq, dsub, lastdsub) = (
            dim as usize,
            nsubq as usize,
            dsub as usize,
            lastdsub as usize,
        );
        if (nsubq - 1) * dsub + lastdsub != dim {
            return Err(FastTextError::format(format!(
                "{what}: product quantizer shape inconsistent: dim={dim} nsubq={nsubq} dsub={dsub} lastdsub={lastdsub}"
            )));
        }
        let centroids = r.f32_vec(dim * KSUB, what)?;
        Ok(Pq {
            nsubq,
            dsub,
            lastdsub,
            centroids,
        })
    }

    /// `ProductQuantizer::get_centroids(m, i)`.
    #[inline]
    fn centroid(&self, m: usize, i: u8) -> &[f32] {
        if m == self.nsubq - 1 {
            let s = m * KSUB * self.dsub + i as usize * self.lastdsub;
            &self.centroids[s..s + self.lastdsub]
        } else {
            let s = (m * KSUB + i as usize) * self.dsub;
            &self.centroids[s..s + self.dsub]
        }
    }
}

enum Matrix {
    Dense {
        rows: usize,
        cols: usize,
        data: Vec<f32>,
    },
    Quant {
        rows: usize,
        pq: Pq,
        codes: Vec<u8>,
        /// `qnorm`: per-row norm codes and their 1-d quantizer.
        norms: Option<(Vec<u8>, Pq)>,
    },
}

impl Matrix {
    fn load_dense<R: Read>(r: &mut In<R>, what: &str) -> Result<Matrix, FastTextError> {
        let m = to_usize(r.i64(what)?, &format!("{what} rows"))?;
        let n = to_usize(r.i64(what)?, &format!("{what} columns"))?;
        let len = m
            .checked_mul(n)
            .ok_or_else(|| FastTextError::format(format!("{what}: size {m}x{n} overflows")))?;
        let data = r.f32_vec(len, what)?;
        Ok(Matrix::Dense {
            rows: m,
            cols: n,
            data,
        })
    }

    fn load_quant<R: Read>(r: &mut In<R>, what: &str) -> Result<Matrix, FastTextError> {
        let qnorm = r.bool(what)?;
        let m = to_usize(r.i64(what)?, &format!("{what} rows"))?;
        let n = to_usize(r.i64(what)?, &format!("{what} columns"))?;
        let codesize = to_usize(r.i32(what)? as i64, &format!("{what} code size"))?;
        let codes = r.u8_vec(codesize, what)?;
        let pq = Pq::load(r, what)?;
        let dim = (pq.nsubq - 1) * pq.dsub + pq.lastdsub;
        if dim != n {
            return Err(FastTextError::format(format!(
                "{what}: quantizer dimension {dim} differs from matrix columns {n}"
            )));
        }
        if m.checked_mul(pq.nsubq) != Some(codesize) {
            return Err(FastTextError::format(format!(
                "{what}: code size {codesize} is not rows {m} x sub-quantizers {}",
                pq.nsubq
            )));
        }
        let norms = if qnorm {
            let nc = r.u8_vec(m, what)?;
            let npq = Pq::load(r, what)?;
            if npq.nsubq != 1 || npq.lastdsub != 1 {
                return Err(FastTextError::format(format!(
                    "{what}: norm quantizer must be 1-dimensional"
                )));
            }
            Some((nc, npq))
        } else {
            None
        };
        Ok(Matrix::Quant {
            rows: m,
            pq,
            codes,
            norms,
        })
    }

    /// The matrix made of rows `0..head` of this one, then the rows listed
    /// in `tail`, in that order (a row may be listed more than once). The
    /// rows are copied unchanged (codes and norm codes for a quantized
    /// matrix), so any sum over them is bit-identical. `head` and every
    /// entry of `tail` must be below `self.rows()`.
    fn with_rows(self, head: usize, tail: &[usize]) -> Matrix {
        let rows = head + tail.len();
        match self {
            Matrix::Dense { cols, data, .. } => {
                let mut out = Vec::with_capacity(rows * cols);
                out.extend_from_slice(&data[..head * cols]);
                for &r in tail {
                    out.extend_from_slice(&data[r * cols..(r + 1) * cols]);
                }
                Matrix::Dense {
                    rows,
                    cols,
                    data: out,
                }
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                let n = pq.nsubq;
                let mut out = Vec::with_capacity(rows * n);
                out.extend_from_slice(&codes[..head * n]);
                for &r in tail {
                    out.extend_from_slice(&codes[r * n..(r + 1) * n]);
                }
                let norms = norms.map(|(nc, npq)| {
                    let mut c = nc[..head].to_vec();
                    c.extend(tail.iter().map(|&r| nc[r]));
                    (c, npq)
                });
                Matrix::Quant {
                    rows,
                    pq,
                    codes: out,
                    norms,
                }
            }
        }
    }

    /// Expand a quantized matrix to dense rows when that costs at most
    /// `limit` floats. Each value is `norm * centroid` rounded to f32, i.e.
    /// exactly what `ProductQuantizer::addcode` adds, so sums over rows are
    /// bit-identical to the quantized computation.
    fn dequantized(self, limit: usize) -> Matrix {
        let (rows, cols) = (self.rows(), self.cols());
        if !matches!(self, Matrix::Quant { .. }) || rows.saturating_mul(cols) > limit {
            return self;
        }
        let Matrix::Quant {
            pq, codes, norms, ..
        } = &self
        else {
            return self;
        };
        let mut data = vec![0.0f32; rows * cols];
        for (i, row) in data.chunks_exact_mut(cols).enumerate() {
            let alpha = Self::qnorm(norms, i);
            for (m, &c) in codes[pq.nsubq * i..pq.nsubq * (i + 1)].iter().enumerate() {
                let cent = pq.centroid(m, c);
                for (d, v) in row[m * pq.dsub..m * pq.dsub + cent.len()]
                    .iter_mut()
                    .zip(cent)
                {
                    *d = alpha * *v;
                }
            }
        }
        Matrix::Dense { rows, cols, data }
    }

    /// `dotRow` for four consecutive dense rows at once; each row keeps its
    /// own strictly sequential f32 sum (bit-identical to `dot_row`), the
    /// interleaving only hides floating-point latency.
    #[inline]
    fn dot_rows4(data: &[f32], cols: usize, v: &[f32], i: usize) -> [f32; 4] {
        let r0 = &data[i * cols..(i + 1) * cols];
        let r1 = &data[(i + 1) * cols..(i + 2) * cols];
        let r2 = &data[(i + 2) * cols..(i + 3) * cols];
        let r3 = &data[(i + 3) * cols..(i + 4) * cols];
        let v = &v[..cols];
        let (mut d0, mut d1, mut d2, mut d3) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for j in 0..cols {
            let x = v[j];
            d0 += r0[j] * x;
            d1 += r1[j] * x;
            d2 += r2[j] * x;
            d3 += r3[j] * x;
        }
        [d0, d1, d2, d3]
    }

    /// `out[i] = dotRow(v, i)` for `i < out.len()`.
    fn dot_rows_into(&self, v: &[f32], out: &mut [f32]) {
        match self {
            Matrix::Dense { cols, data, .. } => {
                let n = out.len();
                let mut i = 0;
                while i + 4 <= n {
                    out[i..i + 4].copy_from_slice(&Self::dot_rows4(data, *cols, v, i));
                    i += 4;
                }
                for (j, o) in out.iter_mut().enumerate().skip(i) {
                    *o = self.dot_row(v, j);
                }
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                // `ProductQuantizer::mulcode` for four rows at once; each row
                // keeps its own sequential sum, so results are bit-identical.
                let n = out.len();
                let nsubq = pq.nsubq;
                let mut i = 0;
                while i + 4 <= n {
                    let mut res = [0.0f32; 4];
                    for m in 0..nsubq {
                        let xs = &v[m * pq.dsub..];
                        let c = [
                            pq.centroid(m, codes[nsubq * i + m]),
                            pq.centroid(m, codes[nsubq * (i + 1) + m]),
                            pq.centroid(m, codes[nsubq * (i + 2) + m]),
                            pq.centroid(m, codes[nsubq * (i + 3) + m]),
                        ];
                        let d = c[0].len();
                        for t in 0..d {
                            let x = xs[t];
                            res[0] += x * c[0][t];
                            res[1] += x * c[1][t];
                            res[2] += x * c[2][t];
                            res[3] += x * c[3][t];
                        }
                    }
                    for (r, (o, sum)) in out[i..i + 4].iter_mut().zip(res).enumerate() {
                        *o = sum * Self::qnorm(norms, i + r);
                    }
                    i += 4;
                }
                for (j, o) in out.iter_mut().enumerate().skip(i) {
                    *o = self.dot_row(v, j);
                }
            }
        }
    }

    fn rows(&self) -> usize {
        match self {
            Matrix::Dense { rows, .. } | Matrix::Quant { rows, .. } => *rows,
        }
    }

    fn cols(&self) -> usize {
        match self {
            Matrix::Dense { cols, .. } => *cols,
            Matrix::Quant { pq, .. } => (pq.nsubq - 1) * pq.dsub + pq.lastdsub,
        }
    }

    /// Norm of a quantized row (`QuantMatrix` with `qnorm`), 1 otherwise.
    #[inline]
    fn qnorm(norms: &Option<(Vec<u8>, Pq)>, i: usize) -> f32 {
        match norms {
            Some((nc, npq)) => npq.centroid(0, nc[i])[0],
            None => 1.0,
        }
    }

    /// `x += row(r)` for every `r` in `rows`, in order (the loop of
    /// `Model::computeHidden`). Dense rows are prefetched a few rows ahead:
    /// large models are bound by memory latency here.
    fn sum_rows(&self, rows: &[u32], x: &mut [f32]) {
        match self {
            Matrix::Dense { cols: 16, data, .. } if x.len() == 16 => {
                Self::sum_dense_rows::<16>(data, rows, x);
            }
            Matrix::Dense { cols, data, .. } => {
                const AHEAD: usize = 8;
                let cols = *cols;
                for (j, &r) in rows.iter().enumerate() {
                    if let Some(&next) = rows.get(j + AHEAD) {
                        prefetch(data, next as usize * cols);
                    }
                    let r = r as usize;
                    let row = &data[r * cols..(r + 1) * cols];
                    for (a, b) in x.iter_mut().zip(row) {
                        *a += *b;
                    }
                }
            }
            Matrix::Quant { pq, .. } => match pq.dsub {
                2 => self.sum_quant_rows::<2>(rows, x),
                4 => self.sum_quant_rows::<4>(rows, x),
                _ => {
                    for &r in rows {
                        self.add_row_to(x, r as usize);
                    }
                }
            },
        }
    }

    /// [`Matrix::sum_rows`] of a dense matrix of `D` columns (`x.len() ==
    /// D`): the running sums stay in registers instead of going through
    /// memory for every row; same additions in the same order.
    fn sum_dense_rows<const D: usize>(data: &[f32], rows: &[u32], x: &mut [f32]) {
        const AHEAD: usize = 8;
        let mut acc: [f32; D] = x.try_into().expect("D floats");
        for (j, &r) in rows.iter().enumerate() {
            if let Some(&next) = rows.get(j + AHEAD) {
                prefetch(data, next as usize * D);
            }
            let r = r as usize;
            let row: &[f32; D] = data[r * D..(r + 1) * D].try_into().expect("D floats");
            for (a, b) in acc.iter_mut().zip(row) {
                *a += *b;
            }
        }
        x.copy_from_slice(&acc);
    }

    /// `ProductQuantizer::addcode` for a compile-time sub-vector size `D`
    /// (same operations, same order, as the generic path).
    fn sum_quant_rows<const D: usize>(&self, rows: &[u32], x: &mut [f32]) {
        let Matrix::Quant {
            pq, codes, norms, ..
        } = self
        else {
            return;
        };
        let nsubq = pq.nsubq;
        let full = nsubq - 1;
        let (head, tail) = x.split_at_mut(full * D);
        for (j, &r) in rows.iter().enumerate() {
            if let Some(&next) = rows.get(j + 8) {
                prefetch(codes, next as usize * nsubq);
            }
            let r = r as usize;
            let alpha = Self::qnorm(norms, r);
            let code = &codes[nsubq * r..nsubq * (r + 1)];
            for ((m, &c), xs) in code[..full]
                .iter()
                .enumerate()
                .zip(head.chunks_exact_mut(D))
            {
                let base = (m * KSUB + c as usize) * D;
                let cent: &[f32; D] = pq.centroids[base..base + D].try_into().expect("D floats");
                for n in 0..D {
                    xs[n] += alpha * cent[n];
                }
            }
            let cent = pq.centroid(full, code[full]);
            for (a, b) in tail.iter_mut().zip(cent) {
                *a += alpha * *b;
            }
        }
    }

    /// `x += row(i)` (`addRowToVector`; `ProductQuantizer::addcode`).
    #[inline]
    fn add_row_to(&self, x: &mut [f32], i: usize) {
        match self {
            Matrix::Dense { cols, data, .. } => {
                let row = &data[i * cols..(i + 1) * cols];
                for (a, b) in x.iter_mut().zip(row) {
                    *a += *b;
                }
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                let alpha = Self::qnorm(norms, i);
                let code = &codes[pq.nsubq * i..pq.nsubq * (i + 1)];
                for (m, &c) in code.iter().enumerate() {
                    let cent = pq.centroid(m, c);
                    let xs = &mut x[m * pq.dsub..m * pq.dsub + cent.len()];
                    if norms.is_some() {
                        for (a, b) in xs.iter_mut().zip(cent) {
                            *a += alpha * *b;
                        }
                    } else {
                        // alpha == 1 exactly: 1 * b == b.
                        for (a, b) in xs.iter_mut().zip(cent) {
                            *a += *b;
                        }
                    }
                }
            }
        }
    }

    /// `dotRow(vec, i)`, summed sequentially in f32 like fastText
    /// (`DenseMatrix::dotRow`, `ProductQuantizer::mulcode`).
    #[inline]
    fn dot_row(&self, v: &[f32], i: usize) -> f32 {
        match self {
            Matrix::Dense { cols, data, .. } => {
                let row = &data[i * cols..(i + 1) * cols];
                let mut d = 0.0f32;
                for (a, b) in row.iter().zip(v) {
                    d += *a * *b;
                }
                d
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                let alpha = Self::qnorm(norms, i);
                let code = &codes[pq.nsubq * i..pq.nsubq * (i + 1)];
                let mut res = 0.0f32;
                for (m, &c) in code.iter().enumerate() {
                    let cent = pq.centroid(m, c);
                    let xs = &v[m * pq.dsub..m * pq.dsub + cent.len()];
                    for (a, b) in xs.iter().zip(cent) {
                        res += *a * *b;
                    }
                }
                res * alpha
            }
        }
    }
}

/// Hint the CPU to fetch `data[at..]` into cache (no effect on results).
#[inline(always)]
fn prefetch<T>(data: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if at < data.len() {
            let p = data[at..].as_ptr() as *const i8;
            // SAFETY: prefetching is a hint that never faults; `p` points into
            // `data`, and SSE is part of the x86_64 baseline.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p);
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (data, at);
    }
}

// ---------------------------------------------------------------------------
// Loss-specific prediction state.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LossKind {
    Hs,
    Ns,
    Softmax,
    Ova,
}

#[derive(Clone, Copy)]
struct HsNode {
    left: i32,
    right: i32,
}

enum Head {
    Softmax,
    /// One-vs-all or negative sampling: independent sigmoids through
    /// fastText's 512-entry lookup table.
    Sigmoid(Vec<f32>),
    /// Hierarchical softmax: Huffman tree over labels.
    Hs(Vec<HsNode>),
}

/// `HierarchicalSoftmaxLoss::buildTree` from `loss.cc` (label counts must be
/// in dictionary order, which fastText sorts by decreasing count).
fn build_hs_tree(counts: &[i64]) -> Vec<HsNode> {
    let osz = counts.len();
    if osz == 0 {
        return Vec::new();
    }
    let total = 2 * osz - 1;
    let mut tree = vec![
        HsNode {
            left: -1,
            right: -1
        };
        total
    ];
    let mut count: Vec<i64> = vec![1_000_000_000_000_000; total];
    count[..osz].copy_from_slice(counts);
    let mut leaf = osz as isize - 1;
    let mut node = osz;
    for i in osz..total {
        let mut mini = [0usize; 2];
        for slot in &mut mini {
            if leaf >= 0 && count[leaf as usize] < count[node] {
                *slot = leaf as usize;
                leaf -= 1;
            } else {
                *slot = node;
                node += 1;
            }
        }
        tree[i].left = mini[0] as i32;
        tree[i].right = mini[1] as i32;
        count[i] = count[mini[0]].saturating_add(count[mini[1]]);
    }
    tree
}

fn sigmoid_table() -> Vec<f32> {
    (0..=SIGMOID_TABLE_SIZE)
        .map(|i| {
            let x = (i as f32 * 2.0 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE as f32 - MAX_SIGMOID;
            (1.0f64 / (1.0f64 + (-x).exp() as f64)) as f32
        })
        .collect()
}

#[inline]
fn table_sigmoid(t: &[f32], x: f32) -> f32 {
    if x < -MAX_SIGMOID {
        0.0
    } else if x > MAX_SIGMOID {
        1.0
    } else {
        let i = ((x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE as f32 / MAX_SIGMOID / 2.0) as usize;
        t[i.min(SIGMOID_TABLE_SIZE)]
    }
}

/// `std_log` in `loss.cc`: `log(x + 1e-5)` computed in double, stored as
/// float.
#[inline]
fn std_log(x: f32) -> f32 {
    (x as f64 + 1e-5).ln() as f32
}

// ---------------------------------------------------------------------------
// Top-k heap. fastText keeps its candidates with `std::push_heap` /
// `std::pop_heap` / `std::sort_heap` and `comparePairs` (`l.first >
// r.first`), so equal scores come out in the order the C++ standard library's
// heap algorithms leave them. The functions below reproduce the classic
// sift-hole algorithms of GNU libstdc++ (what the PyPI wheels and the fastText
// binaries are built with) step by step, so ties are ordered identically.

type Cand = (f32, u32);

/// `comparePairs`.
#[inline]
fn cmp_pairs(l: Cand, r: Cand) -> bool {
    l.0 > r.0
}

/// Sift `value` up from `hole` towards `top` (libstdc++ `__push_heap`).
#[inline]
fn sift_up(h: &mut [Cand], mut hole: usize, top: usize, value: Cand) {
    while hole > top {
        let parent = (hole - 1) / 2;
        if !cmp_pairs(h[parent], value) {
            break;
        }
        h[hole] = h[parent];
        hole = parent;
    }
    h[hole] = value;
}

/// libstdc++ `__adjust_heap` on `h[..len]` with a hole at `hole`.
fn adjust_heap(h: &mut [Cand], mut hole: usize, len: usize, value: Cand) {
    let top = hole;
    let mut second = hole;
    while len >= 1 && second < (len - 1) / 2 {
        second = 2 * (second + 1);
        if cmp_pairs(h[second], h[second - 1]) {
            second -= 1;
        }
        h[hole] = h[second];
        hole = second;
    }
    if len >= 2 && len.is_multiple_of(2) && second == (len - 2) / 2 {
        second = 2 * (second + 1);
        h[hole] = h[second - 1];
        hole = second - 1;
    }
    sift_up(h, hole, top, value);
}

/// `std::push_heap` after `push_back(item)`.
fn heap_push(h: &mut Vec<Cand>, item: Cand) {
    h.push(item);
    let last = h.len() - 1;
    sift_up(h, last, 0, item);
}

/// `std::pop_heap` on `h[..len]`: moves the front to `h[len-1]`.
fn pop_heap_range(h: &mut [Cand], len: usize) {
    if len > 1 {
        let last = len - 1;
        let value = h[last];
        h[last] = h[0];
        adjust_heap(h, 0, last, value);
    }
}

/// push + (pop_heap + pop_back if more than `k`), as in `findKBest` / `dfs`.
#[inline]
fn heap_offer(h: &mut Vec<Cand>, k: usize, item: Cand) {
    heap_push(h, item);
    if h.len() > k {
        let n = h.len();
        pop_heap_range(h, n);
        h.pop();
    }
}

/// `std::sort_heap`: best (highest score) first.
fn sort_heap(h: &mut [Cand]) {
    let mut len = h.len();
    while len > 1 {
        pop_heap_range(h, len);
        len -= 1;
    }
}

// ---------------------------------------------------------------------------

/// Reusable per-call buffers for [`FastText::predict_with`].
#[derive(Default)]
pub struct Scratch {
    hidden: Vec<f32>,
    output: Vec<f32>,
    word_hashes: Vec<i32>,
    rows: Vec<u32>,
    word_buf: Vec<u8>,
    heap: Vec<(f32, u32)>,
    /// Tokens of the line: (start, length, [`memo_key`]).
    toks: Vec<(usize, usize, u64)>,
    /// Bucket ids of a token's character n-grams.
    ids: Vec<u32>,
    memo: RowMemo,
}

impl Scratch {
    /// Empty scratch space; buffers grow on first use.
    pub fn new() -> Scratch {
        Scratch::default()
    }
}

/// Memo of the input rows of tokens (a dictionary word's own row and its
/// n-gram rows, or an unknown token's character n-gram rows), per thread
/// and per model. Computing them means a dictionary probe, and for unknown
/// tokens hashing every character n-gram and looking each bucket up in
/// `pruneidx`; news text repeats most of its tokens (about 3 in 4 are found
/// here on the 32 MiB benchmark input). The rows are the same, in the same order,
/// so predictions are unchanged.
///
/// A record holds a token's bytes and its rows in one cache line, at a
/// place that depends only on the token's [`memo_key`]: the records of the
/// next tokens of a line are prefetched while the current one is handled.
/// Found by comparing the token's bytes, never by hash alone.
/// Bounded ([`RowMemo::SETS`] sets of [`RowMemo::WAYS`] records, 2 MiB): a
/// new token goes first in its set and the oldest record of the set is
/// dropped. A token whose bytes and rows do not fit in a record is not
/// kept (computed every time).
#[derive(Default)]
struct RowMemo {
    /// [`FastText::uid`] of the model the records belong to.
    model: u64,
    /// `SETS * WAYS` records, set by set, newest first within a set.
    recs: Vec<MemoRec>,
}

/// One token of [`RowMemo`]: exactly one cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct MemoRec {
    /// The token's [`ft_hash`].
    hash: u32,
    /// Token length in bytes; 0 marks a free record (tokens are never empty).
    key_len: u8,
    /// Number of rows, or [`MemoRec::SKIP`] for a token that is not used
    /// (a label).
    rows: u8,
    /// The rows (little-endian u32), then the token's bytes.
    data: [u8; MemoRec::DATA],
}

const _: () = assert!(std::mem::size_of::<MemoRec>() == 64);

impl MemoRec {
    const DATA: usize = 58;
    const SKIP: u8 = u8::MAX;
    const EMPTY: MemoRec = MemoRec {
        hash: 0,
        key_len: 0,
        rows: 0,
        data: [0; MemoRec::DATA],
    };

    #[inline]
    fn row_count(&self) -> usize {
        if self.rows == Self::SKIP {
            0
        } else {
            self.rows as usize
        }
    }

    #[inline]
    fn key(&self) -> &[u8] {
        let at = 4 * self.row_count();
        self.data.get(at..at + self.key_len as usize).unwrap_or(&[])
    }

    /// Append the rows to `out`.
    #[inline]
    fn rows_into(&self, out: &mut Vec<u32>) {
        out.extend(
            self.data[..4 * self.row_count()]
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
    }
}

/// `a == b` for short slices of the same length, inline (a call to
/// `memcmp` costs more than comparing a token of a few bytes).
#[inline]
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut ca, mut cb) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut ca).zip(&mut cb) {
        let x = u64::from_ne_bytes(x.try_into().expect("8 bytes"));
        let y = u64::from_ne_bytes(y.try_into().expect("8 bytes"));
        if x != y {
            return false;
        }
    }
    ca.remainder()
        .iter()
        .zip(cb.remainder())
        .all(|(x, y)| x == y)
}

impl RowMemo {
    /// Number of sets (a power of two).
    const SETS: usize = 1 << 14;
    /// Records per set.
    const WAYS: usize = 2;

    fn reset(&mut self, model: u64) {
        self.model = model;
        self.recs.clear();
        self.recs.resize(Self::SETS * Self::WAYS, MemoRec::EMPTY);
    }

    /// Index of the first record of the set of a token whose [`memo_key`]
    /// is `key` (its high bits).
    #[inline]
    fn set_of(key: u64) -> usize {
        (key >> (64 - Self::SETS.trailing_zeros())) as usize * Self::WAYS
    }

    /// Hint the CPU to load the set of `key`.
    #[inline]
    fn prefetch(&self, key: u64) {
        let at = Self::set_of(key);
        for w in 0..Self::WAYS {
            prefetch(&self.recs, at + w);
        }
    }

    /// The record of `tok` (`key` = its [`memo_key`]), if kept.
    #[inline]
    fn get(&self, tok: &[u8], key: u64) -> Option<&MemoRec> {
        let at = Self::set_of(key);
        self.recs
            .get(at..at + Self::WAYS)?
            .iter()
            .find(|r| r.key_len as usize == tok.len() && short_eq(r.key(), tok))
    }

    /// Keep `tok` (`key` = its [`memo_key`], `hash` = its [`ft_hash`]) with
    /// `rows` (`None`: a skipped token) if they fit in a record; the oldest
    /// record of its set is dropped.
    fn insert(&mut self, tok: &[u8], key: u64, hash: u32, rows: Option<&[u32]>) {
        let n = rows.map_or(0, <[u32]>::len);
        if tok.is_empty() || tok.len() + 4 * n > MemoRec::DATA {
            return;
        }
        let at = Self::set_of(key);
        let Some(set) = self.recs.get_mut(at..at + Self::WAYS) else {
            return;
        };
        set.copy_within(..Self::WAYS - 1, 1);
        let r = &mut set[0];
        r.hash = hash;
        r.key_len = tok.len() as u8;
        r.rows = rows.map_or(MemoRec::SKIP, |r| r.len() as u8);
        for (d, v) in r.data.chunks_exact_mut(4).zip(rows.unwrap_or(&[])) {
            d.copy_from_slice(&v.to_le_bytes());
        }
        r.data[4 * n..4 * n + tok.len()].copy_from_slice(tok);
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

/// A loaded fastText supervised model.
pub struct FastText {
    dim: usize,
    word_ngrams: usize,
    bucket: u32,
    /// `% bucket` without a division.
    bucket_mod: FastMod,
    minn: usize,
    maxn: usize,
    loss: LossKind,
    nwords: usize,
    /// All entry strings (words then labels) concatenated.
    arena: Vec<u8>,
    /// `offsets[i]..offsets[i+1]` is entry `i` in `arena`.
    offsets: Vec<usize>,
    /// Entry `i` is a label (`entry_type::label`).
    is_label: Vec<bool>,
    table: WordTable,
    /// Input rows for each word entry (the word itself then its char
    /// n-grams), as fastText's `initNgrams` precomputes them.
    sub_off: Vec<u32>,
    sub_ids: Vec<u32>,
    /// Entry id of `</s>`, if the dictionary has it.
    eos: Option<usize>,
    /// [`ft_hash`] of `</s>`.
    eos_hash: u32,
    /// `pruneidx_size_`: negative = not pruned.
    pruneidx_size: i64,
    pruneidx: BucketRows,
    labels: Vec<String>,
    input: Matrix,
    output: Matrix,
    head: Head,
    /// The file's input matrix is product-quantized (`.ftz`).
    quantized: bool,
    /// Distinct for every model loaded in this process (keys [`RowMemo`]).
    uid: u64,
}

static NEXT_UID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl fmt::Debug for FastText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FastText")
            .field("dim", &self.dim)
            .field("nwords", &self.nwords)
            .field("nlabels", &self.labels.len())
            .field("loss", &self.loss)
            .field("quantized", &self.quantized)
            .finish()
    }
}

impl FastText {
    /// Load a `.bin` or `.ftz` supervised model from a file.
    pub fn load(path: &Path) -> Result<FastText, FastTextError> {
        let f = std::fs::File::open(path).map_err(|e| FastTextError::Io {
            path: Some(path.to_path_buf()),
            source: e,
        })?;
        Self::from_reader(BufReader::with_capacity(1 << 20, f)).map_err(|e| e.with_path(path))
    }

    /// Load a model from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<FastText, FastTextError> {
        Self::from_reader(bytes)
    }

    /// Load a model from any reader (reads exactly the model, no more).
    pub fn from_reader<R: Read>(r: R) -> Result<FastText, FastTextError> {
        Self::read_model(r, true)
    }

    /// [`FastText::from_reader`]; `bucket_order` false keeps the file's
    /// input row order and `pruneidx` hash map (the plain layout the tests
    /// compare against).
    fn read_model<R: Read>(r: R, bucket_order: bool) -> Result<FastText, FastTextError> {
        let mut r = In { r, pos: 0 };
        // --- header (fasttext.cc checkModel)
        let magic = r.i32("magic number")?;
        if magic != MAGIC {
            return Err(FastTextError::format(format!(
                "not a fastText model (magic number {magic}, expected {MAGIC})"
            )));
        }
        let version = r.i32("version")?;
        if !(0..=MAX_VERSION).contains(&version) {
            return Err(FastTextError::format(format!(
                "unsupported fastText file format version {version} (this runtime reads up to {MAX_VERSION})"
            )));
        }
        // --- args (args.cc Args::load)
        let dim = r.i32("args.dim")?;
        let _ws = r.i32("args.ws")?;
        let _epoch = r.i32("args.epoch")?;
        let _min_count = r.i32("args.minCount")?;
        let _neg = r.i32("args.neg")?;
        let word_ngrams = r.i32("args.wordNgrams")?;
        let loss = r.i32("args.loss")?;
        let model = r.i32("args.model")?;
        let bucket = r.i32("args.bucket")?;
        let minn = r.i32("args.minn")?;
        let mut maxn = r.i32("args.maxn")?;
        let _lr_update_rate = r.i32("args.lrUpdateRate")?;
        let _t = r.f64("args.t")?;
        if model != 3 {
            return Err(FastTextError::format(format!(
                "not a supervised model (args.model = {model}; only supervised classifiers can predict labels)"
            )));
        }
        if version == 11 {
            // fasttext.cc: old supervised models do not use char n-grams.
            maxn = 0;
        }
        let loss = match loss {
            1 => LossKind::Hs,
            2 => LossKind::Ns,
            3 => LossKind::Softmax,
            4 => LossKind::Ova,
            v => {
                return Err(FastTextError::format(format!(
                    "unknown loss function id {v}"
                )));
            }
        };
        if dim <= 0 || bucket < 0 || minn < 0 || maxn < 0 {
            return Err(FastTextError::format(format!(
                "invalid arguments: dim={dim} bucket={bucket} minn={minn} maxn={maxn}"
            )));
        }
        let dim = dim as usize;
        // --- dictionary (dictionary.cc Dictionary::load)
        let size = r.i32("dictionary size")?;
        let nwords = r.i32("dictionary nwords")?;
        let nlabels = r.i32("dictionary nlabels")?;
        let _ntokens = r.i64("dictionary ntokens")?;
        let pruneidx_size = r.i64("dictionary pruneidx size")?;
        if size < 0 || nwords < 0 || nlabels < 0 || nwords.checked_add(nlabels) != Some(size) {
            return Err(FastTextError::format(format!(
                "invalid dictionary sizes: size={size} nwords={nwords} nlabels={nlabels}"
            )));
        }
        if nlabels == 0 {
            return Err(FastTextError::format("dictionary has no labels"));
        }
        let (size, nwords, nlabels) = (size as usize, nwords as usize, nlabels as usize);
        let mut arena = Vec::new();
        let mut offsets = Vec::with_capacity(size.min(1 << 20) + 1);
        offsets.push(0);
        let mut is_label = Vec::with_capacity(size.min(1 << 20));
        let mut label_counts = Vec::with_capacity(nlabels.min(1 << 16));
        let mut labels = Vec::with_capacity(nlabels.min(1 << 16));
        let mut word = Vec::new();
        for i in 0..size {
            r.cstr(&mut word, "dictionary entry")?;
            let count = r.i64("dictionary entry count")?;
            let ty = r.u8("dictionary entry type")?;
            let label = match ty {
                0 => false,
                1 => true,
                v => {
                    return Err(FastTextError::format(format!(
                        "dictionary entry {i} has invalid type {v}"
                    )));
                }
            };
            if label != (i >= nwords) {
                return Err(FastTextError::format(format!(
                    "dictionary entry {i} is a {} but words must precede labels",
                    if label { "label" } else { "word" }
                )));
            }
            if label {
                label_counts.push(count);
                let s = String::from_utf8_lossy(&word);
                labels.push(s.strip_prefix(LABEL_PREFIX).unwrap_or(&s).to_string());
            }
            arena.extend_from_slice(&word);
            offsets.push(arena.len());
            is_label.push(label);
        }
        // Pairs are collected first so that a corrupt size cannot make us
        // allocate more than the data present.
        let mut pairs = Vec::new();
        for _ in 0..pruneidx_size.max(0) {
            let a = r.i32("pruneidx key")?;
            let b = r.i32("pruneidx value")?;
            if b < 0 {
                return Err(FastTextError::format(format!(
                    "negative pruneidx value {b}"
                )));
            }
            pairs.push((a, b));
        }
        let mut pruneidx = IntMap::new(pairs.len());
        for (a, b) in pairs {
            pruneidx.insert(a, b);
        }
        // --- input matrix
        let quant_input = r.bool("quant_input flag")?;
        let input = if quant_input {
            Matrix::load_quant(&mut r, "input matrix")?
        } else {
            Matrix::load_dense(&mut r, "input matrix")?
        };
        if !quant_input && pruneidx_size >= 0 {
            return Err(FastTextError::format(
                "invalid model: pruned dictionary with a non-quantized input matrix",
            ));
        }
        let qout = r.bool("qout flag")?;
        let output = if quant_input && qout {
            Matrix::load_quant(&mut r, "output matrix")?
        } else {
            Matrix::load_dense(&mut r, "output matrix")?
        };
        // --- shape checks, so that predict can never index out of bounds
        if input.cols() != dim || output.cols() != dim {
            return Err(FastTextError::format(format!(
                "matrix widths (input {}, output {}) differ from dim {dim}",
                input.cols(),
                output.cols()
            )));
        }
        let max_ngram_row: usize = if pruneidx_size < 0 {
            nwords + bucket as usize
        } else {
            nwords + pruneidx.values().map(|v| v as usize + 1).max().unwrap_or(0)
        };
        if input.rows() < max_ngram_row {
            return Err(FastTextError::format(format!(
                "input matrix has {} rows, need at least {max_ngram_row} (nwords {nwords} + buckets)",
                input.rows()
            )));
        }
        if output.rows() < nlabels {
            return Err(FastTextError::format(format!(
                "output matrix has {} rows, fewer than the {nlabels} labels",
                output.rows()
            )));
        }
        // Dense rows make the hot loop (adding input rows) several times
        // faster; results are bit-identical (see `dequantized`).
        let mut input = input.dequantized(DEQUANTIZE_MAX_FLOATS);
        // A rank bitmap numbers the kept buckets in bucket order: put their
        // rows in that order (copies of the same rows, see `BucketRows`).
        let pruneidx = if pruneidx_size > 0 && bucket_order {
            let (rows, order) = BucketRows::new(pruneidx, bucket as usize);
            if let Some(order) = order {
                let ngram_rows: Vec<usize> = order.iter().map(|&v| nwords + v).collect();
                input = input.with_rows(nwords, &ngram_rows);
            }
            rows
        } else if pruneidx_size > 0 {
            BucketRows::Map(pruneidx)
        } else {
            BucketRows::Map(IntMap::new(0))
        };
        let head = match loss {
            LossKind::Softmax => Head::Softmax,
            LossKind::Ns | LossKind::Ova => Head::Sigmoid(sigmoid_table()),
            LossKind::Hs => Head::Hs(build_hs_tree(&label_counts)),
        };

        let mut table = WordTable {
            slots: vec![(0, WordTable::EMPTY); (size.max(1) * 2).next_power_of_two()],
            mask: 0,
        };
        table.mask = table.slots.len() - 1;

        let mut ft = FastText {
            dim,
            word_ngrams: word_ngrams.max(0) as usize,
            bucket: bucket as u32,
            bucket_mod: FastMod::new(bucket as u32),
            minn: minn as usize,
            maxn: maxn as usize,
            loss,
            nwords,
            arena,
            offsets,
            is_label,
            table,
            eos: None,
            eos_hash: ft_hash(EOS),
            sub_off: Vec::with_capacity(nwords + 1),
            sub_ids: Vec::new(),
            pruneidx_size,
            pruneidx,
            labels,
            input,
            output,
            head,
            quantized: quant_input,
            uid: NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        for i in 0..size {
            let h = ft_hash(ft.entry(i));
            let mut s = h as usize & ft.table.mask;
            while ft.table.slots[s].1 != WordTable::EMPTY {
                if ft.entry(ft.table.slots[s].1 as usize) == ft.entry(i) {
                    return Err(FastTextError::format(format!(
                        "duplicate dictionary entry {:?}",
                        String::from_utf8_lossy(ft.entry(i))
                    )));
                }
                s = (s + 1) & ft.table.mask;
            }
            ft.table.slots[s] = (h, i as u32);
        }
        ft.eos = ft.find(EOS, ft.eos_hash);
        // dictionary.cc initNgrams: each word's rows = itself + char n-grams.
        let mut ids = Vec::new();
        let mut buf = Vec::new();
        let mut scratch = Vec::new();
        ft.sub_off.push(0);
        for i in 0..nwords {
            ids.clear();
            ids.push(i as u32);
            if ft.entry(i) != EOS {
                buf.clear();
                buf.push(b'<');
                buf.extend_from_slice(&ft.arena[ft.offsets[i]..ft.offsets[i + 1]]);
                buf.push(b'>');
                ft.char_ngram_rows(&buf, &mut scratch, &mut ids);
            }
            ft.sub_ids.extend_from_slice(&ids);
            let end = u32::try_from(ft.sub_ids.len())
                .map_err(|_| FastTextError::format("too many subword entries"))?;
            ft.sub_off.push(end);
        }
        Ok(ft)
    }

    #[inline]
    fn entry(&self, i: usize) -> &[u8] {
        &self.arena[self.offsets[i]..self.offsets[i + 1]]
    }

    /// `Dictionary::getId`.
    #[inline]
    fn find(&self, w: &[u8], h: u32) -> Option<usize> {
        let mut s = h as usize & self.table.mask;
        loop {
            let (sh, id) = self.table.slots[s];
            if id == WordTable::EMPTY {
                return None;
            }
            if sh == h && self.entry(id as usize) == w {
                return Some(id as usize);
            }
            s = (s + 1) & self.table.mask;
        }
    }

    /// `Dictionary::pushHash`: bucket id -> input row, if any.
    #[inline]
    fn bucket_row(&self, id: u32) -> Option<u32> {
        if self.pruneidx_size == 0 {
            None
        } else if self.pruneidx_size > 0 {
            self.pruneidx.get(id).map(|v| self.nwords as u32 + v)
        } else {
            Some(self.nwords as u32 + id)
        }
    }

    /// `Dictionary::computeSubwords` over `<word>` `w`: the bucket ids of
    /// its n-grams of `minn..=maxn` UTF-8 characters (lone `<`/`>`
    /// excluded), in order, into `ids` (cleared first).
    #[inline]
    fn char_ngram_ids(&self, w: &[u8], ids: &mut Vec<u32>) {
        ids.clear();
        if self.maxn == 0 || self.bucket == 0 {
            return;
        }
        let len = w.len();
        for i in 0..len {
            if (w[i] & 0xC0) == 0x80 {
                continue;
            }
            let mut h = FNV_INIT;
            let mut j = i;
            let mut n = 1;
            while j < len && n <= self.maxn {
                h = fnv_step(h, w[j]);
                j += 1;
                while j < len && (w[j] & 0xC0) == 0x80 {
                    h = fnv_step(h, w[j]);
                    j += 1;
                }
                if n >= self.minn && !(n == 1 && (i == 0 || j == len)) {
                    ids.push(self.bucket_mod.rem(h));
                }
                n += 1;
            }
        }
    }

    /// The input rows of the character n-grams of `<word>` `w`, in
    /// fastText's order, appended to `rows` (`ids`: scratch space).
    #[inline]
    fn char_ngram_rows(&self, w: &[u8], ids: &mut Vec<u32>, rows: &mut Vec<u32>) {
        self.char_ngram_ids(w, ids);
        rows.extend(ids.iter().filter_map(|&id| self.bucket_row(id)));
    }

    /// Append the input rows of `tok` (not `</s>`; `key` = its
    /// [`memo_key`]) to `s.rows`, as `Dictionary::getLine` finds them: a
    /// word's own row and n-gram rows, an unknown token's character n-gram
    /// rows. Returns the token's [`ft_hash`], or `None` for a token that is
    /// skipped (a label, or any `__label__` token). Served from the memo
    /// when the token was seen before (the memo must belong to this model:
    /// see [`FastText::line_rows`]).
    #[inline]
    fn push_token_rows(&self, tok: &[u8], key: u64, s: &mut Scratch) -> Option<u32> {
        if let Some(e) = s.memo.get(tok, key) {
            if e.rows == MemoRec::SKIP {
                return None;
            }
            e.rows_into(&mut s.rows);
            return Some(e.hash);
        }
        let h = ft_hash(tok);
        let start = s.rows.len();
        let used = match self.find(tok, h) {
            Some(wid) if self.is_label[wid] => false,
            Some(wid) => {
                let a = self.sub_off[wid] as usize;
                let b = self.sub_off[wid + 1] as usize;
                s.rows.extend_from_slice(&self.sub_ids[a..b]);
                true
            }
            None if tok.starts_with(LABEL_PREFIX.as_bytes()) => false,
            None => {
                s.word_buf.clear();
                s.word_buf.push(b'<');
                s.word_buf.extend_from_slice(tok);
                s.word_buf.push(b'>');
                self.char_ngram_rows(&s.word_buf, &mut s.ids, &mut s.rows);
                true
            }
        };
        s.memo.insert(tok, key, h, used.then(|| &s.rows[start..]));
        used.then_some(h)
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Labels in model order, without the `__label__` prefix.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.labels.iter().map(String::as_str)
    }

    /// Whether the input matrix is product-quantized (`.ftz`).
    pub fn is_quantized(&self) -> bool {
        self.quantized
    }

    /// Top-`k` labels (without `__label__`) with probability >= `threshold`,
    /// best first, exactly as fastText's `predict` for one line; `k == 0`
    /// means all labels. Newlines in `text` are treated as spaces.
    pub fn predict(&self, text: &str, k: usize, threshold: f32) -> Vec<(String, f32)> {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => self.predict_with(text, k, threshold, &mut s),
            Err(_) => self.predict_with(text, k, threshold, &mut Scratch::new()),
        })
    }

    /// [`FastText::predict`] with caller-provided scratch buffers.
    pub fn predict_with(
        &self,
        text: &str,
        k: usize,
        threshold: f32,
        s: &mut Scratch,
    ) -> Vec<(String, f32)> {
        self.predict_ids(text.as_bytes(), k, threshold, s);
        s.heap
            .iter()
            .map(|&(score, i)| (self.labels[i as usize].clone(), score.exp()))
            .collect()
    }

    /// Like [`FastText::predict`] but returns label indices (into
    /// [`FastText::labels`]) instead of owned strings.
    pub fn predict_indices(
        &self,
        text: &str,
        k: usize,
        threshold: f32,
        s: &mut Scratch,
    ) -> Vec<(usize, f32)> {
        self.predict_ids(text.as_bytes(), k, threshold, s);
        s.heap
            .iter()
            .map(|&(score, i)| (i as usize, score.exp()))
            .collect()
    }

    /// Label string (without prefix) for an index from `predict_indices`.
    pub fn label(&self, i: usize) -> &str {
        &self.labels[i]
    }

    /// Fills `s.heap` with (log-prob, label) sorted best first.
    fn predict_ids(&self, text: &[u8], k: usize, threshold: f32, s: &mut Scratch) {
        self.line_rows(text, s);
        self.score_rows(k, threshold, s);
    }

    /// `Dictionary::getLine` and `addWordNgrams`: the input rows of one line,
    /// in fastText's order, into `s.rows`.
    fn line_rows(&self, text: &[u8], s: &mut Scratch) {
        /// Tokens between a memo prefetch and its use.
        const AHEAD: usize = 6;
        s.word_hashes.clear();
        s.rows.clear();
        if s.memo.model != self.uid {
            s.memo.reset(self.uid);
        }
        let mut toks = std::mem::take(&mut s.toks);
        split_tokens(text, &mut toks);
        for t in toks.iter().take(AHEAD) {
            s.memo.prefetch(t.2);
        }
        for (i, &(start, len, key)) in toks.iter().enumerate() {
            if let Some(next) = toks.get(i + AHEAD) {
                s.memo.prefetch(next.2);
            }
            if let Some(h) = self.push_token_rows(&text[start..start + len], key, s) {
                s.word_hashes.push(h as i32);
            }
        }
        s.toks = toks;
        // The line's "</s>": its own row if the dictionary has it (as a
        // word), nothing else; skipped if it is a label.
        match self.eos {
            Some(wid) if self.is_label[wid] => {}
            Some(wid) => {
                let a = self.sub_off[wid] as usize;
                let b = self.sub_off[wid + 1] as usize;
                s.rows.extend_from_slice(&self.sub_ids[a..b]);
                s.word_hashes.push(self.eos_hash as i32);
            }
            None => s.word_hashes.push(self.eos_hash as i32),
        }
        // Dictionary::addWordNgrams (values sign-extended from int32).
        if self.bucket > 0 {
            let hs = &s.word_hashes;
            for i in 0..hs.len() {
                let mut h = hs[i] as i64 as u64;
                let end = hs.len().min(i + self.word_ngrams);
                for &hj in &hs[i + 1..end.max(i + 1)] {
                    h = h
                        .wrapping_mul(WORD_NGRAM_MUL)
                        .wrapping_add(hj as i64 as u64);
                    if let Some(row) = self.bucket_row((h % self.bucket as u64) as u32) {
                        s.rows.push(row);
                    }
                }
            }
        }
    }

    /// The prediction from `s.rows` (`Model::computeHidden`, then the
    /// loss's `predict`): fills `s.heap` with (log-prob, label), best first.
    fn score_rows(&self, k: usize, threshold: f32, s: &mut Scratch) {
        s.heap.clear();
        s.hidden.clear();
        s.hidden.resize(self.dim, 0.0);
        let count = s.rows.len();
        if count == 0 {
            // FastText::predict returns nothing for an empty input.
            return;
        }
        // Model::computeHidden: sum the rows in order, then scale.
        self.input.sum_rows(&s.rows, &mut s.hidden);
        // Model::computeHidden: multiply by the float reciprocal.
        let inv = (1.0f64 / count as f64) as f32;
        for x in s.hidden.iter_mut() {
            *x *= inv;
        }
        self.predict_hidden(k, threshold, s);
    }

    /// The loss's `predict` on `s.hidden`: fills `s.heap` (empty) with
    /// (log-prob, label), best first.
    fn predict_hidden(&self, k: usize, threshold: f32, s: &mut Scratch) {
        let nlabels = self.labels.len();
        let k = if k == 0 { nlabels } else { k };
        match &self.head {
            Head::Hs(tree) => {
                let log_thr = std_log(threshold);
                self.dfs(
                    tree,
                    k,
                    log_thr,
                    2 * nlabels - 2,
                    0.0,
                    &s.hidden,
                    &mut s.heap,
                );
            }
            Head::Softmax | Head::Sigmoid(_) => {
                s.output.clear();
                s.output.resize(nlabels, 0.0);
                self.output.dot_rows_into(&s.hidden, &mut s.output);
                if let Head::Sigmoid(t) = &self.head {
                    for o in s.output.iter_mut() {
                        *o = table_sigmoid(t, *o);
                    }
                } else {
                    // SoftmaxLoss::computeOutput
                    let mut max = s.output[0];
                    for &o in s.output.iter() {
                        max = if o > max { o } else { max };
                    }
                    let mut z = 0.0f32;
                    for o in s.output.iter_mut() {
                        *o = ((*o - max) as f64).exp() as f32;
                        z += *o;
                    }
                    for o in s.output.iter_mut() {
                        *o /= z;
                    }
                }
                // Loss::findKBest
                for (i, &p) in s.output.iter().enumerate() {
                    if p < threshold {
                        continue;
                    }
                    let lp = std_log(p);
                    if s.heap.len() == k && lp < s.heap[0].0 {
                        continue;
                    }
                    heap_offer(&mut s.heap, k, (lp, i as u32));
                }
            }
        }
        sort_heap(&mut s.heap);
    }

    /// `HierarchicalSoftmaxLoss::dfs`.
    #[allow(clippy::too_many_arguments)]
    fn dfs(
        &self,
        tree: &[HsNode],
        k: usize,
        log_thr: f32,
        node: usize,
        score: f32,
        hidden: &[f32],
        heap: &mut Vec<(f32, u32)>,
    ) {
        // NaN scores compare false in C++ too, so they are never pruned here.
        if score < log_thr {
            return;
        }
        if heap.len() == k && score < heap[0].0 {
            return;
        }
        let nd = tree[node];
        if nd.left == -1 && nd.right == -1 {
            heap_offer(heap, k, (score, node as u32));
            return;
        }
        let osz = self.labels.len();
        let f = self.output.dot_row(hidden, node - osz);
        let f = (1.0f64 / (1.0f32 + (-f).exp()) as f64) as f32;
        let l = std_log((1.0f64 - f as f64) as f32);
        self.dfs(tree, k, log_thr, nd.left as usize, score + l, hidden, heap);
        self.dfs(
            tree,
            k,
            log_thr,
            nd.right as usize,
            score + std_log(f),
            hidden,
            heap,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Serializes a tiny model in fastText's binary format.
    struct ModelBuilder {
        dim: usize,
        words: Vec<&'static str>,
        labels: Vec<(&'static str, i64)>,
        loss: i32,
        bucket: i32,
        minn: i32,
        maxn: i32,
        word_ngrams: i32,
    }

    fn push_i32(b: &mut Vec<u8>, v: i32) {
        b.extend_from_slice(&v.to_le_bytes());
    }
    fn push_i64(b: &mut Vec<u8>, v: i64) {
        b.extend_from_slice(&v.to_le_bytes());
    }

    impl ModelBuilder {
        fn header(&self, b: &mut Vec<u8>) {
            push_i32(b, MAGIC);
            push_i32(b, 12);
            for v in [
                self.dim as i32,
                5,
                5,
                1,
                5,
                self.word_ngrams,
                self.loss,
                3,
                self.bucket,
                self.minn,
                self.maxn,
                100,
            ] {
                push_i32(b, v);
            }
            b.extend_from_slice(&1e-4f64.to_le_bytes());
        }
        fn dict(&self, b: &mut Vec<u8>, pruneidx: Option<&[(i32, i32)]>) {
            push_i32(b, (self.words.len() + self.labels.len()) as i32);
            push_i32(b, self.words.len() as i32);
            push_i32(b, self.labels.len() as i32);
            push_i64(b, 100);
            push_i64(b, pruneidx.map(|p| p.len() as i64).unwrap_or(-1));
            for w in &self.words {
                b.extend_from_slice(w.as_bytes());
                b.push(0);
                push_i64(b, 10);
                b.push(0);
            }
            for (l, c) in &self.labels {
                b.extend_from_slice(l.as_bytes());
                b.push(0);
                push_i64(b, *c);
                b.push(1);
            }
            for (k, v) in pruneidx.unwrap_or(&[]) {
                push_i32(b, *k);
                push_i32(b, *v);
            }
        }
        fn dense(b: &mut Vec<u8>, rows: usize, cols: usize, f: impl Fn(usize, usize) -> f32) {
            push_i64(b, rows as i64);
            push_i64(b, cols as i64);
            for i in 0..rows {
                for j in 0..cols {
                    b.extend_from_slice(&f(i, j).to_le_bytes());
                }
            }
        }
        fn build_dense(
            &self,
            inp: impl Fn(usize, usize) -> f32,
            out: impl Fn(usize, usize) -> f32,
        ) -> Vec<u8> {
            let mut b = Vec::new();
            self.header(&mut b);
            self.dict(&mut b, None);
            b.push(0);
            Self::dense(
                &mut b,
                self.words.len() + self.bucket as usize,
                self.dim,
                inp,
            );
            b.push(0);
            Self::dense(&mut b, self.labels.len(), self.dim, out);
            b
        }
    }

    fn base() -> ModelBuilder {
        ModelBuilder {
            dim: 2,
            words: vec!["</s>", "hello", "world"],
            labels: vec![("__label__en", 5), ("__label__fr", 3), ("__label__de", 1)],
            loss: 3,
            bucket: 0,
            minn: 0,
            maxn: 0,
            word_ngrams: 1,
        }
    }

    #[test]
    fn hash_sign_extends_bytes() {
        // Textbook FNV-1a of "a" is 0xe40c292c; ASCII is unaffected.
        assert_eq!(ft_hash(b"a"), 0xe40c_292c);
        // A byte >= 0x80 is xor-ed as 0xffffff80 | b, not as b.
        let textbook = (FNV_INIT ^ 0xc3).wrapping_mul(16_777_619);
        let ft = (FNV_INIT ^ 0xffff_ffc3).wrapping_mul(16_777_619);
        assert_eq!(ft_hash(&[0xc3]), ft);
        assert_ne!(ft, textbook);
    }

    #[test]
    fn softmax_prediction_by_hand() {
        let m = base();
        // words: </s>=(0,0) hello=(1,0) world=(0,1)
        let bytes = m.build_dense(
            |i, j| match (i, j) {
                (1, 0) | (2, 1) => 1.0,
                _ => 0.0,
            },
            |i, j| match (i, j) {
                (0, 0) => 3.0,
                (1, 1) => 3.0,
                _ => 0.0,
            },
        );
        let ft = FastText::from_bytes(&bytes).unwrap();
        assert_eq!(ft.labels().collect::<Vec<_>>(), ["en", "fr", "de"]);
        assert_eq!(ft.dim(), 2);
        // "hello" + </s>: hidden = (0.5, 0); scores (1.5, 0, 0).
        let p = ft.predict("hello", 3, 0.0);
        let e = 1.5f64.exp();
        let z = e + 2.0;
        assert_eq!(p[0].0, "en");
        assert!((p[0].1 as f64 - (e / z + 1e-5)).abs() < 1e-6);
        assert!((p[1].1 as f64 - (1.0 / z + 1e-5)).abs() < 1e-6);
        // Labels in text and unknown "__label__x" tokens are ignored; tabs and
        // newlines are delimiters.
        let q = ft.predict("__label__fr\tworld\n__label__zz", 1, 0.0);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].0, "fr");
        // Threshold filters.
        assert!(ft.predict("hello", 3, 0.9).is_empty());
        // k == 0: all labels.
        assert_eq!(ft.predict("world", 0, 0.0).len(), 3);
    }

    #[test]
    fn hierarchical_softmax_sums_to_one() {
        let mut m = base();
        m.loss = 1;
        let bytes = m.build_dense(
            |i, j| (i * 2 + j) as f32 * 0.1,
            |i, j| (i as f32 - j as f32) * 0.3,
        );
        let ft = FastText::from_bytes(&bytes).unwrap();
        let p = ft.predict("hello world", 0, 0.0);
        assert_eq!(p.len(), 3);
        let total: f32 = p.iter().map(|x| x.1).sum();
        assert!((total - 1.0).abs() < 1e-3, "{total}");
        assert!(p.windows(2).all(|w| w[0].1 >= w[1].1));
    }

    #[test]
    fn huffman_tree_matches_fasttext_shape() {
        // counts 5,3,1: first merge leaves 2 (1) and 1 (3) -> node 3 (4),
        // then leaf 0 (5) vs node 3 (4): node 3 then leaf 0 -> root 4.
        let t = build_hs_tree(&[5, 3, 1]);
        assert_eq!((t[3].left, t[3].right), (2, 1));
        assert_eq!((t[4].left, t[4].right), (3, 0));
    }

    #[test]
    fn char_ngrams_count_utf8_characters() {
        let mut m = base();
        m.bucket = 1000;
        m.minn = 2;
        m.maxn = 3;
        let bytes = m.build_dense(|_, _| 0.0, |_, _| 0.0);
        let ft = FastText::from_bytes(&bytes).unwrap();
        let mut got = Vec::new();
        ft.char_ngram_rows("<éa>".as_bytes(), &mut Vec::new(), &mut got);
        let got: Vec<u32> = got.iter().map(|r| r - 3).collect();
        // n-grams: <é <éa éa éa> a>  (5 of them, in this order)
        let want: Vec<u32> = ["<é", "<éa", "éa", "éa>", "a>"]
            .iter()
            .map(|s| ft_hash(s.as_bytes()) % 1000)
            .collect();
        assert_eq!(got, want);
        // Words of the dictionary carry their own id first, </s> nothing else.
        assert_eq!(
            &ft.sub_ids[ft.sub_off[0] as usize..ft.sub_off[1] as usize],
            &[0]
        );
        // "<hello>": six 2-grams and five 3-grams.
        assert_eq!(ft.sub_off[2] - ft.sub_off[1], 1 + 6 + 5);
    }

    #[test]
    fn quantized_model_loads_and_predicts() {
        let m = base();
        let mut b = Vec::new();
        m.header(&mut b);
        // pruned dictionary with no buckets kept
        m.dict(&mut b, Some(&[]));
        b.push(1); // quant input
        b.push(1); // qnorm
        push_i64(&mut b, 3);
        push_i64(&mut b, 2);
        push_i32(&mut b, 3); // codesize = rows * nsubq(1)
        b.extend_from_slice(&[0, 1, 2]);
        for v in [2, 1, 2, 2] {
            push_i32(&mut b, v); // dim nsubq dsub lastdsub
        }
        for c in 0..KSUB {
            b.extend_from_slice(&(c as f32).to_le_bytes());
            b.extend_from_slice(&(-(c as f32)).to_le_bytes());
        }
        b.extend_from_slice(&[1, 1, 1]); // norm codes
        for v in [1, 1, 1, 1] {
            push_i32(&mut b, v);
        }
        for c in 0..KSUB {
            b.extend_from_slice(&(c as f32 * 0.5).to_le_bytes());
        }
        b.push(0); // qout = false
        ModelBuilder::dense(&mut b, 3, 2, |i, j| if i == j { 1.0 } else { 0.0 });
        let ft = FastText::from_bytes(&b).unwrap();
        assert!(ft.is_quantized());

        // "hello" -> rows 1 (code 1: (1,-1)*0.5) and </s> row 0 (code 0: 0).
        // hidden = (0.25, -0.25); scores (0.25, -0.25, 0).
        let p = ft.predict("hello", 1, 0.0);
        let z = 0.25f64.exp() + (-0.25f64).exp() + 1.0;
        assert_eq!(p[0].0, "en");
        assert!((p[0].1 as f64 - (0.25f64.exp() / z + 1e-5)).abs() < 1e-6);
    }

    /// Serialized `QuantMatrix` with pseudo-random codes and centroids.
    fn quant_bytes(rows: usize, dim: usize, dsub: usize, qnorm: bool) -> Vec<u8> {
        let nsubq = dim.div_ceil(dsub);
        let lastdsub = dim - (nsubq - 1) * dsub;
        let mut seed = 12345u32;
        let mut rnd = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            seed >> 8
        };
        let mut b = vec![qnorm as u8];
        push_i64(&mut b, rows as i64);
        push_i64(&mut b, dim as i64);
        push_i32(&mut b, (rows * nsubq) as i32);
        for _ in 0..rows * nsubq {
            b.push(rnd() as u8);
        }
        for v in [dim, nsubq, dsub, lastdsub] {
            push_i32(&mut b, v as i32);
        }
        for _ in 0..dim * KSUB {
            b.extend_from_slice(&((rnd() % 2000) as f32 / 777.0 - 1.3).to_le_bytes());
        }
        if qnorm {
            for _ in 0..rows {
                b.push(rnd() as u8);
            }
            for v in [1, 1, 1, 1] {
                push_i32(&mut b, v);
            }
            for _ in 0..KSUB {
                b.extend_from_slice(&((rnd() % 1000) as f32 / 333.0).to_le_bytes());
            }
        }
        b
    }

    #[test]
    fn quantized_fast_paths_are_bit_identical() {
        for (dim, dsub, qnorm) in [(8, 2, false), (7, 2, true), (9, 4, true), (5, 3, false)] {
            let bytes = quant_bytes(11, dim, dsub, qnorm);
            let load = || {
                Matrix::load_quant(
                    &mut In {
                        r: &bytes[..],
                        pos: 0,
                    },
                    "t",
                )
                .unwrap()
            };
            let q = load();
            let d = load().dequantized(usize::MAX);
            assert!(matches!(d, Matrix::Dense { .. }));
            let rows = [0u32, 3, 10, 3, 7, 1, 9, 2, 5, 4, 6, 8];
            let mut reference = vec![0.25f32; dim];
            for &r in &rows {
                q.add_row_to(&mut reference, r as usize);
            }
            let (mut fast, mut dense) = (vec![0.25f32; dim], vec![0.25f32; dim]);
            q.sum_rows(&rows, &mut fast);
            d.sum_rows(&rows, &mut dense);
            assert_eq!(reference, fast, "dim {dim} dsub {dsub}");
            assert_eq!(reference, dense, "dim {dim} dsub {dsub}");
            let v: Vec<f32> = (0..dim).map(|i| i as f32 * 0.3 - 1.0).collect();
            let mut out = vec![0.0f32; 11];
            q.dot_rows_into(&v, &mut out);
            let one: Vec<f32> = (0..11).map(|i| q.dot_row(&v, i)).collect();
            assert_eq!(out, one);
            let mut dout = vec![0.0f32; 11];
            d.dot_rows_into(&v, &mut dout);
            let done: Vec<f32> = (0..11).map(|i| d.dot_row(&v, i)).collect();
            assert_eq!(dout, done);
        }
    }

    #[test]
    fn ties_follow_libstdcxx_heap_order() {
        // Equal scores: the order must be what std::push_heap/pop_heap/
        // sort_heap (libstdc++) produce, which is not index order.
        let mut h = Vec::new();
        for i in 0..10u32 {
            heap_offer(&mut h, 3, (-11.5, i));
        }
        sort_heap(&mut h);
        let got: Vec<u32> = h.iter().map(|c| c.1).collect();
        // Reference values printed by the same loop compiled with g++/libstdc++.
        assert_eq!(got, [9, 1, 8]);
        let mut h = Vec::new();
        let sc = [
            1.0f32, 1.0, 2.0, 1.0, 2.0, 0.5, 1.0, 2.0, 1.0, 1.0, 1.0, 3.0,
        ];
        for (i, x) in sc.iter().enumerate() {
            heap_offer(&mut h, 5, (*x, i as u32));
        }
        sort_heap(&mut h);
        assert_eq!(h.iter().map(|c| c.1).collect::<Vec<_>>(), [11, 7, 4, 2, 3]);
        // Distinct scores always come out best first.
        let mut h = Vec::new();
        for (i, sc) in [0.1f32, -3.0, 2.0, 0.5, -0.2, 1.5].iter().enumerate() {
            heap_offer(&mut h, 4, (*sc, i as u32));
        }
        sort_heap(&mut h);
        assert_eq!(h.iter().map(|c| c.1).collect::<Vec<_>>(), [2, 5, 3, 0]);
    }

    #[test]
    fn corrupt_models_never_panic() {
        let mut m = base();
        m.bucket = 7;
        m.minn = 1;
        m.maxn = 3;
        m.word_ngrams = 2;
        let good = m.build_dense(|i, j| (i + j) as f32 * 0.1, |i, j| (i * j) as f32 * 0.2);
        assert!(FastText::from_bytes(&good).is_ok());
        for pos in 0..good.len() {
            for v in [0x00u8, 0x7f, 0x80, 0xff] {
                let mut b = good.clone();
                b[pos] = v;
                if let Ok(ft) = FastText::from_bytes(&b) {
                    let _ = ft.predict("hello wörld x __label__en </s> y", 0, 0.0);
                    let _ = ft.predict("", 2, 0.5);
                }
            }
        }
    }

    /// `predict` written plainly, the way fastText reads a line: tokens
    /// split byte by byte, `ft_hash` of each, a dictionary probe, the
    /// character n-grams of `<token>` recomputed every time with `%`, the
    /// rows added one by one with `add_row_to`. No memo, no prefetching.
    /// `ft` must be loaded with `bucket_order` false, so `bucket_row` reads
    /// the file's `pruneidx` map and rows are in the file's order. Fills
    /// `s.heap` and `s.hidden`.
    fn reference_predict(ft: &FastText, text: &[u8], k: usize, threshold: f32, s: &mut Scratch) {
        assert!(!matches!(ft.pruneidx, BucketRows::Rank(_)));
        let ngrams = |w: &[u8], rows: &mut Vec<u32>| {
            if ft.maxn == 0 || ft.bucket == 0 {
                return;
            }
            let cont = |b: u8| (b & 0xC0) == 0x80;
            for i in 0..w.len() {
                if cont(w[i]) {
                    continue;
                }
                let mut h = FNV_INIT;
                let (mut j, mut n) = (i, 1);
                while j < w.len() && n <= ft.maxn {
                    h = fnv_step(h, w[j]);
                    j += 1;
                    while j < w.len() && cont(w[j]) {
                        h = fnv_step(h, w[j]);
                        j += 1;
                    }
                    if n >= ft.minn
                        && !(n == 1 && (i == 0 || j == w.len()))
                        && let Some(row) = ft.bucket_row(h % ft.bucket)
                    {
                        rows.push(row);
                    }
                    n += 1;
                }
            }
        };
        let mut rows = Vec::new();
        let mut hashes: Vec<i32> = Vec::new();
        let mut pos = 0;
        loop {
            while pos < text.len() && is_delim(text[pos]) {
                pos += 1;
            }
            let start = pos;
            while pos < text.len() && !is_delim(text[pos]) {
                pos += 1;
            }
            let tok = if start < pos { &text[start..pos] } else { EOS };
            let eos = tok == EOS;
            let h = ft_hash(tok);
            match ft.find(tok, h) {
                Some(wid) if ft.is_label[wid] => {
                    if eos {
                        break;
                    }
                    continue;
                }
                Some(wid) => {
                    rows.push(wid as u32);
                    if !eos {
                        ngrams(&[b"<", tok, b">"].concat(), &mut rows);
                    }
                }
                None if eos => {}
                None if tok.starts_with(LABEL_PREFIX.as_bytes()) => continue,
                None => ngrams(&[b"<", tok, b">"].concat(), &mut rows),
            }
            hashes.push(h as i32);
            if eos {
                break;
            }
        }
        if ft.bucket > 0 {
            for i in 0..hashes.len() {
                let mut h = hashes[i] as i64 as u64;
                for &hj in hashes.iter().take(i + ft.word_ngrams).skip(i + 1) {
                    h = h
                        .wrapping_mul(WORD_NGRAM_MUL)
                        .wrapping_add(hj as i64 as u64);
                    if let Some(row) = ft.bucket_row((h % u64::from(ft.bucket)) as u32) {
                        rows.push(row);
                    }
                }
            }
        }
        s.heap.clear();
        s.hidden.clear();
        s.hidden.resize(ft.dim, 0.0);
        if rows.is_empty() {
            return;
        }
        for &r in &rows {
            ft.input.add_row_to(&mut s.hidden, r as usize);
        }
        let inv = (1.0f64 / rows.len() as f64) as f32;
        for x in s.hidden.iter_mut() {
            *x *= inv;
        }
        ft.predict_hidden(k, threshold, s);
    }

    /// Bits of what `predict_ids` left in `s`: the hidden vector and the
    /// (log-probability, label) list.
    fn result_bits(s: &Scratch) -> (Vec<u32>, Vec<(u32, u32)>) {
        (
            s.hidden.iter().map(|x| x.to_bits()).collect(),
            s.heap.iter().map(|&(p, l)| (p.to_bits(), l)).collect(),
        )
    }

    /// Compares the fast path (one scratch for all texts, so the memo
    /// fills, replaces records and serves repeats) with
    /// [`reference_predict`] on every text, bit for bit. Returns how many
    /// texts were compared.
    fn assert_same_as_reference<'a>(
        bytes: &[u8],
        what: &str,
        texts: impl Iterator<Item = &'a str>,
    ) -> usize {
        let fast = FastText::from_bytes(bytes).unwrap();
        let plain = FastText::read_model(bytes, false).unwrap();
        let (mut s, mut r) = (Scratch::new(), Scratch::new());
        let mut n = 0;
        for (i, t) in texts.enumerate() {
            let (k, thr) = match i % 13 {
                0 => (0, 0.0),
                5 => (3, 0.2),
                9 => (2, 0.0),
                _ => (1, 0.0),
            };
            fast.predict_ids(t.as_bytes(), k, thr, &mut s);
            reference_predict(&plain, t.as_bytes(), k, thr, &mut r);
            assert_eq!(result_bits(&s), result_bits(&r), "{what}: text {i} {t:?}");
            n += 1;
        }
        n
    }

    /// Random text: words from several scripts, labels, literal `</s>`,
    /// tokens too long for a memo record, every delimiter, repeats.
    fn random_texts(seed: u64, count: usize) -> Vec<String> {
        let mut state = seed;
        let mut rnd = move |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % n
        };
        const PIECES: [&str; 24] = [
            "the",
            "and",
            "hello",
            "world",
            "ab",
            "é",
            "ß",
            "ñu",
            "в",
            "мир",
            "ال",
            "عربية",
            "ة",
            "中",
            "文字",
            "😀",
            "a\u{301}",
            "x",
            "7",
            ".",
            "-",
            "__label__",
            "</s>",
            "ü",
        ];
        const DELIMS: [&str; 8] = [" ", " ", " ", "\n", "\t", "\r", "\u{b}\u{c}", "\0"];
        let vocab: Vec<String> = (0..300)
            .map(|_| {
                let most = if rnd(20) == 0 { 40 } else { 5 };
                let len = 1 + rnd(most);
                (0..len).map(|_| PIECES[rnd(PIECES.len())]).collect()
            })
            .collect();
        (0..count)
            .map(|_| {
                let mut t = String::new();
                for _ in 0..rnd(60) {
                    if rnd(3) == 0 {
                        t.push_str(DELIMS[rnd(DELIMS.len())]);
                    }
                    match rnd(40) {
                        0 => t.push_str("</s>"),
                        1 => t.push_str("__label__en"),
                        2 => t.push_str(&"long".repeat(5 + rnd(30))),
                        _ => t.push_str(&vocab[rnd(vocab.len())]),
                    }
                    t.push_str(DELIMS[rnd(DELIMS.len())]);
                }
                t
            })
            .collect()
    }

    /// A pruned, quantized model (like lid.176.ftz) with word bigrams: the
    /// `pruneidx` values are out of order, two buckets share a row, some
    /// keys are out of range.
    fn pruned_model(loss: i32) -> Vec<u8> {
        let mut m = base();
        m.words = vec!["</s>", "hello", "world", "the", "ال", "é"];
        m.loss = loss;
        m.bucket = 997;
        m.minn = 1;
        m.maxn = 4;
        m.word_ngrams = 2;
        m.dim = 6;
        let mut pairs = Vec::new();
        let mut seed = 99u32;
        for v in 0..140 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            pairs.push(((seed >> 8) as i32 % 1100 - 50, (v * 37) % 140));
        }
        pairs.push((5, 3));
        pairs.push((6, 3));
        let mut b = Vec::new();
        m.header(&mut b);
        m.dict(&mut b, Some(&pairs));
        b.push(1); // quantized input
        b.extend_from_slice(&quant_bytes(m.words.len() + 140, m.dim, 2, true));
        b.push(0); // dense output
        ModelBuilder::dense(&mut b, m.labels.len(), m.dim, |i, j| {
            ((i * 7 + j * 3) % 11) as f32 * 0.21 - 1.0
        });
        b
    }

    #[test]
    fn predict_equals_reference_on_synthetic_models() {
        let texts = random_texts(1, 3000);
        for loss in [1, 2, 3, 4] {
            let bytes = pruned_model(loss);
            let n = assert_same_as_reference(
                &bytes,
                &format!("pruned loss {loss}"),
                texts.iter().map(String::as_str),
            );
            assert_eq!(n, texts.len());
        }
        // Not pruned, dense, no character n-grams beyond the buckets.
        let mut m = base();
        m.bucket = 211;
        m.minn = 2;
        m.maxn = 3;
        m.word_ngrams = 3;
        let bytes = m.build_dense(
            |i, j| ((i * 13 + j * 5) % 17) as f32 * 0.07 - 0.5,
            |i, j| ((i * 3 + j) % 5) as f32 * 0.4 - 0.8,
        );
        assert_same_as_reference(&bytes, "dense", texts.iter().map(String::as_str));
    }

    /// lid.176.ftz where `scripts/bench.sh`, `scripts/fasttext_parity.py`
    /// or `scripts/eval_langid.py` put it, and the models the parity script
    /// trained (softmax, hierarchical softmax, one-vs-all; `.bin`, `.ftz`).
    fn real_models() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found: Vec<PathBuf> = [
            "target/bench/lid.176.ftz",
            ".cache/fasttext-parity/lid.176.ftz",
            ".cache/eval-langid/lid.176.ftz",
        ]
        .iter()
        .map(|p| root.join(p))
        .filter(|p| p.is_file())
        .take(1)
        .collect();
        if let Ok(dir) = std::fs::read_dir(root.join(".cache/fasttext-parity")) {
            let mut trained: Vec<PathBuf> = dir
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p.file_name().unwrap_or_default().to_string_lossy();
                    (name.ends_with(".bin") || name.ends_with(".ftz")) && !name.starts_with("lid.")
                })
                .collect();
            trained.sort();
            found.extend(trained);
        }
        found
    }

    /// Lines of the real corpora (../shared/corpora): every line of every
    /// `text`, at most `per_file` lines per file, plus every 50th text
    /// whole (newlines are delimiters).
    fn corpus_lines(per_file: usize) -> Option<Vec<String>> {
        use std::io::BufRead;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
        let sets = std::fs::read_dir(&dir).ok()?;
        let mut files: Vec<PathBuf> = sets
            .filter_map(|set| std::fs::read_dir(set.ok()?.path()).ok())
            .flatten()
            .filter_map(|f| f.ok().map(|f| f.path()))
            .filter(|p| p.to_string_lossy().ends_with(".jsonl.gz"))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for path in &files {
            let f = flate2::read::MultiGzDecoder::new(std::fs::File::open(path).ok()?);
            let mut taken = 0;
            for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
                let v: serde_json::Value = serde_json::from_str(&line.ok()?).ok()?;
                let Some(text) = v["text"].as_str() else {
                    continue;
                };
                if i % 50 == 0 {
                    out.push(text.to_string());
                }
                for l in text.lines() {
                    out.push(l.to_string());
                    taken += 1;
                }
                if taken >= per_file {
                    break;
                }
            }
        }
        Some(out)
    }

    #[test]
    fn predict_equals_reference_on_real_models_and_text() {
        let models = real_models();
        if models.is_empty() {
            eprintln!(
                "skipped: no lid.176.ftz in target/bench/ or .cache/ (scripts/bench.sh or \
                 scripts/fasttext_parity.py fetch it)"
            );
            return;
        }
        let mut texts = random_texts(2, 20_000);
        match corpus_lines(25_000) {
            Some(lines) => texts.extend(lines),
            None => eprintln!("no ../shared/corpora: random text only"),
        }
        for path in &models {
            let bytes = std::fs::read(path).unwrap();
            let n = assert_same_as_reference(
                &bytes,
                &path.display().to_string(),
                texts.iter().map(String::as_str),
            );
            eprintln!("{}: {n} texts bit-identical", path.display());
        }
    }

    #[test]
    fn fast_mod_equals_remainder() {
        // Every dividend for lid.176's bucket count.
        let f = FastMod::new(2_000_000);
        let bad = (0..=u32::MAX)
            .filter(|&a| f.rem(a) != a % 2_000_000)
            .count();
        assert_eq!(bad, 0);
        // Other divisors on edge and pseudo-random dividends.
        let mut x = 0x1234_5678_9abc_def0u64;
        for d in [
            1u32,
            2,
            3,
            7,
            10,
            97,
            1 << 20,
            2_000_003,
            10_000_000,
            1 << 31,
            u32::MAX - 1,
            u32::MAX,
        ] {
            let f = FastMod::new(d);
            for a in [0, 1, d - 1, d, d.wrapping_add(1), u32::MAX - 1, u32::MAX] {
                assert_eq!(f.rem(a), a % d, "{a} % {d}");
            }
            for _ in 0..200_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let a = x as u32;
                assert_eq!(f.rem(a), a % d, "{a} % {d}");
            }
        }
    }

    #[test]
    fn split_tokens_equals_byte_loop() {
        // Every byte value in every position of a 16-byte block.
        for b in 0..=255u8 {
            for at in 0..16 {
                let mut chunk = [b'a'; 16];
                chunk[at] = b;
                assert_eq!(
                    delim_mask16(&chunk),
                    u32::from(is_delim(b)) << at,
                    "{b:#x} at {at}"
                );
            }
        }
        let mut state = 5u64;
        let mut rnd = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            ((state >> 33) % n) as usize
        };
        let alphabet: &[&[u8]] = &[
            b" ",
            b"\n",
            b"\r",
            b"\t",
            b"\x0b",
            b"\x0c",
            b"\0",
            b"\x1f",
            b"!",
            b"a",
            b"bc",
            "é".as_bytes(),
            b"\xff",
            b"</s>",
            b"</s",
            b"<",
            b"xyzxyzxyzxyz",
        ];
        let mut toks = Vec::new();
        for _ in 0..20_000 {
            let text: Vec<u8> = (0..rnd(80))
                .flat_map(|_| alphabet[rnd(17)].to_vec())
                .collect();
            let mut want = Vec::new();
            let mut pos = 0;
            while pos < text.len() {
                if is_delim(text[pos]) {
                    pos += 1;
                    continue;
                }
                let start = pos;
                while pos < text.len() && !is_delim(text[pos]) {
                    pos += 1;
                }
                if &text[start..pos] == EOS {
                    break;
                }
                want.push((start, pos - start));
            }
            split_tokens(&text, &mut toks);
            let got: Vec<(usize, usize)> = toks.iter().map(|t| (t.0, t.1)).collect();
            assert_eq!(got, want, "{text:?}");
            // The key reads whole words past the token where it can and
            // masks them: same key as the token on its own.
            for &(start, len, key) in &toks {
                let alone = text[start..start + len].to_vec();
                assert_eq!(key, memo_key(&alone, 0, len));
            }
        }
    }

    #[test]
    fn row_memo_changes_no_prediction() {
        let mut m = base();
        m.bucket = 97;
        m.minn = 1;
        m.maxn = 3;
        m.word_ngrams = 2;
        let bytes = m.build_dense(
            |i, j| ((i * 7 + j * 3) % 11) as f32 * 0.05 - 0.2,
            |i, j| ((i * 5 + j) % 7) as f32 * 0.1 - 0.3,
        );
        let ft = FastText::from_bytes(&bytes).unwrap();
        let other = FastText::from_bytes(&bytes).unwrap();
        let texts: Vec<String> = (0..300)
            .map(|i| {
                format!(
                    "hello wörld tok{} __label__en x{} hello {} world",
                    i % 17,
                    i % 5,
                    "ab".repeat(i % 40)
                )
            })
            .collect();
        let mut reused = Scratch::new();
        for t in &texts {
            let fresh = ft.predict_with(t, 0, 0.0, &mut Scratch::new());
            assert_eq!(ft.predict_with(t, 0, 0.0, &mut reused), fresh, "{t}");
            // Another model with the same scratch starts its own memo.
            assert_eq!(other.predict_with(t, 0, 0.0, &mut reused), fresh, "{t}");
        }
        // More distinct tokens than the memo keeps: records are replaced,
        // same results.
        let mut reused = Scratch::new();
        let many: String = (0..2 * RowMemo::SETS * RowMemo::WAYS)
            .map(|i| format!("w{i} "))
            .collect();
        let fresh = ft.predict_with(&many, 3, 0.0, &mut Scratch::new());
        assert_eq!(ft.predict_with(&many, 3, 0.0, &mut reused), fresh);
        assert_eq!(ft.predict_with(&many, 3, 0.0, &mut reused), fresh);
        // Tokens too long for a record are computed every time.
        let long = format!("{} {}", "x".repeat(200), "é".repeat(40));
        let fresh = ft.predict_with(&long, 3, 0.0, &mut Scratch::new());
        assert_eq!(ft.predict_with(&long, 3, 0.0, &mut reused), fresh);
        assert_eq!(ft.predict_with(&long, 3, 0.0, &mut reused), fresh);
    }

    #[test]
    fn bucket_rows_rank_equals_map() {
        let bucket = 5000usize;
        let mut map = IntMap::new(2000);
        let mut seed = 7u32;
        for _ in 0..900 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let k = (seed >> 8) as i32 % 5400 - 200; // some out of range, some repeated
            map.insert(k, (seed >> 4) as i32 & 0xffff);
        }
        // A full line and a half (every bucket kept), and the last bucket.
        for k in 1100..1700 {
            map.insert(k, k * 3);
        }
        map.insert(bucket as i32 - 1, 77);
        let want: Vec<Option<i32>> = (0..bucket as u32 + 500)
            .map(|id| map.get(id as i32).filter(|_| (id as usize) < bucket))
            .collect();
        let (rows, order) = BucketRows::new(map, bucket);
        assert!(matches!(rows, BucketRows::Rank(_)));
        let order = order.unwrap();
        // The rank indexes the file's rows listed in bucket order.
        let got: Vec<Option<i32>> = (0..bucket as u32 + 500)
            .map(|id| rows.get(id).map(|r| order[r as usize] as i32))
            .collect();
        assert_eq!(got, want);
        assert_eq!(order.len(), want.iter().filter(|v| v.is_some()).count());
        assert!(order.len() > 1000);
    }

    #[test]
    fn literal_eos_ends_the_line() {
        let m = base();
        let bytes = m.build_dense(
            |i, j| if i == j + 1 { 1.0 } else { 0.0 },
            |i, j| if i == j { 2.0 } else { 0.0 },
        );
        let ft = FastText::from_bytes(&bytes).unwrap();
        // fastText stops reading at the first "</s>": what follows is ignored.
        assert_eq!(
            ft.predict("hello </s> world world", 3, 0.0),
            ft.predict("hello", 3, 0.0)
        );
    }

    #[test]
    fn model_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<FastText>();
    }

    #[test]
    fn errors_are_descriptive() {
        let e = FastText::from_bytes(b"nope").unwrap_err().to_string();
        assert!(e.contains("not a fastText model"), "{e}");
        let m = base();
        let bytes = m.build_dense(|_, _| 0.0, |_, _| 0.0);
        for cut in [3, 20, 70, bytes.len() - 1] {
            let e = FastText::from_bytes(&bytes[..cut]).unwrap_err().to_string();
            assert!(e.contains("truncated"), "{cut}: {e}");
        }
        let e = FastText::load(Path::new("/nonexistent/model.ftz"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/model.ftz"), "{e}");
    }
}
