//! Per-call scratch buffers ([`Scratch`]) and the per-thread row memo
//! (`RowMemo`: 2 MiB, one cache line per token), which remembers the input
//! rows of each token so that a repeated token costs one probe. The memo
//! changes no result: the same rows are summed in the same order.

use std::cell::RefCell;

use super::matrix::prefetch;

/// Reusable per-call buffers for [`FastText::predict_with`](super::FastText::predict_with).
#[derive(Default)]
pub struct Scratch {
    pub(super) hidden: Vec<f32>,
    pub(super) output: Vec<f32>,
    pub(super) word_hashes: Vec<i32>,
    pub(super) rows: Vec<u32>,
    pub(super) word_buf: Vec<u8>,
    pub(super) heap: Vec<(f32, u32)>,
    /// Tokens of the line: (start, length, [`memo_key`](super::hash::memo_key)).
    pub(super) toks: Vec<(usize, usize, u64)>,
    /// Bucket ids of a token's character n-grams.
    pub(super) ids: Vec<u32>,
    pub(super) memo: RowMemo,
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
/// place that depends only on the token's [`memo_key`](super::hash::memo_key): the records of the
/// next tokens of a line are prefetched while the current one is handled.
/// Found by comparing the token's bytes, never by hash alone.
/// Bounded ([`RowMemo::SETS`] sets of [`RowMemo::WAYS`] records, 2 MiB): a
/// new token goes first in its set and the oldest record of the set is
/// dropped. A token whose bytes and rows do not fit in a record is not
/// kept (computed every time).
#[derive(Default)]
pub(super) struct RowMemo {
    /// [`FastText::uid`](super::FastText::uid) of the model the records belong to.
    pub(super) model: u64,
    /// `SETS * WAYS` records, set by set, newest first within a set.
    recs: Vec<MemoRec>,
}

/// One token of [`RowMemo`]: exactly one cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(super) struct MemoRec {
    /// The token's [`ft_hash`](super::hash::ft_hash).
    pub(super) hash: u32,
    /// Token length in bytes; 0 marks a free record (tokens are never empty).
    key_len: u8,
    /// Number of rows, or [`MemoRec::SKIP`] for a token that is not used
    /// (a label).
    pub(super) rows: u8,
    /// The rows (little-endian u32), then the token's bytes.
    data: [u8; MemoRec::DATA],
}

const _: () = assert!(std::mem::size_of::<MemoRec>() == 64);

impl MemoRec {
    const DATA: usize = 58;
    pub(super) const SKIP: u8 = u8::MAX;
    pub(super) const EMPTY: MemoRec = MemoRec {
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
    pub(super) fn rows_into(&self, out: &mut Vec<u32>) {
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
pub(super) fn short_eq(a: &[u8], b: &[u8]) -> bool {
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
    pub(super) const SETS: usize = 1 << 14;
    /// Records per set.
    pub(super) const WAYS: usize = 2;

    pub(super) fn reset(&mut self, model: u64) {
        self.model = model;
        self.recs.clear();
        self.recs.resize(Self::SETS * Self::WAYS, MemoRec::EMPTY);
    }

    /// Index of the first record of the set of a token whose [`memo_key`](super::hash::memo_key)
    /// is `key` (its high bits).
    #[inline]
    fn set_of(key: u64) -> usize {
        (key >> (64 - Self::SETS.trailing_zeros())) as usize * Self::WAYS
    }

    /// Hint the CPU to load the set of `key`.
    #[inline]
    pub(super) fn prefetch(&self, key: u64) {
        let at = Self::set_of(key);
        for w in 0..Self::WAYS {
            prefetch(&self.recs, at + w);
        }
    }

    /// The record of `tok` (`key` = its [`memo_key`](super::hash::memo_key)), if kept.
    #[inline]
    pub(super) fn get(&self, tok: &[u8], key: u64) -> Option<&MemoRec> {
        let at = Self::set_of(key);
        self.recs
            .get(at..at + Self::WAYS)?
            .iter()
            .find(|r| r.key_len as usize == tok.len() && short_eq(r.key(), tok))
    }

    /// Keep `tok` (`key` = its [`memo_key`](super::hash::memo_key), `hash` = its [`ft_hash`](super::hash::ft_hash)) with
    /// `rows` (`None`: a skipped token) if they fit in a record; the oldest
    /// record of its set is dropped.
    pub(super) fn insert(&mut self, tok: &[u8], key: u64, hash: u32, rows: Option<&[u32]>) {
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
    pub(super) static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}
