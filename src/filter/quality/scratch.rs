//! Per-thread scratch buffers shared by the filters (the document's tokens,
//! tokenized once per text and reused by every filter and by
//! [`count_words`]) and small helpers that reproduce Python's `len`,
//! `str.splitlines` and whitespace rules, as datatrove sees text.

use std::cell::RefCell;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use xxhash_rust::xxh3::xxh3_64;

use super::FilterReject;
use super::gopher_repetition::NGrams;
use crate::filter::words::for_each_token;

/// Identity hasher for keys that already are 64-bit hashes.
#[derive(Default)]
pub(super) struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
pub(super) type IdBuild = BuildHasherDefault<IdHasher>;

pub(super) struct Tok {
    pub(super) start: u32,
    pub(super) end: u32,
    pub(super) chars: u32,
    pub(super) hash: u64,
}

#[derive(Default)]
pub(super) struct Scratch {
    /// Address, length and xxh3 of the text `toks` belong to: the build
    /// counts words ([`count_words`]) and then filters the same text, and
    /// tokenizes it only once.
    key: Option<(usize, usize, u64)>,
    /// Tokens containing a letter or digit.
    pub(super) words: usize,
    pub(super) toks: Vec<Tok>,
    pub(super) set: HashSet<u64, IdBuild>,
    pub(super) grams: NGrams,
}

thread_local! {
    pub(super) static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Scratch {
    pub(super) fn prepare(&mut self, text: &str) {
        let key = (text.as_ptr() as usize, text.len(), xxh3_64(text.as_bytes()));
        if self.key == Some(key) {
            return;
        }
        self.toks.clear();
        let toks = &mut self.toks;
        let mut words = 0;
        for_each_token(text, |s, e| {
            let t = &text[s..e];
            words += usize::from(crate::filter::words::is_wordlike(t));
            toks.push(Tok {
                start: s as u32,
                end: e as u32,
                chars: char_len(t) as u32,
                hash: xxh3_64(t.as_bytes()),
            });
        });
        // keep memory bounded after a huge document
        if self.toks.capacity() > 1 << 20 && self.toks.len() < 1 << 16 {
            self.toks.shrink_to(1 << 16);
        }
        self.words = words;
        self.key = Some(key);
    }
}

/// Number of words of `text` ([`crate::filter::words::count_words`]), tokenizing it
/// into this thread's scratch so that a following [`QualityConfig::check`](super::QualityConfig::check)
/// of the same text does not tokenize it again.
pub fn count_words(text: &str) -> usize {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        s.prepare(text);
        s.words
    })
}

#[inline]
pub(super) fn char_len(s: &str) -> usize {
    // count non-continuation bytes
    s.as_bytes().iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Python `str.isspace`.
#[inline]
pub(super) fn py_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{1c}'..='\u{1f}')
}

/// Bytes that may start a line break of [`py_splitlines`]: the ASCII
/// breaks, and the lead bytes of U+0085 (C2 85) and U+2028/U+2029 (E2 80
/// A8/A9).
const SPLIT_LEAD: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(
            i as u8,
            b'\n' | b'\r' | 0x0b | 0x0c | 0x1c | 0x1d | 0x1e | 0xC2 | 0xE2
        );
        i += 1;
    }
    t
};

/// Python `str.splitlines()` (no keepends). Scans bytes and decodes only
/// at the few lead bytes that may start a break.
pub(super) fn py_splitlines(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos >= b.len() {
            return None;
        }
        let start = pos;
        let mut i = start;
        while i < b.len() {
            let x = b[i];
            if !SPLIT_LEAD[x as usize] {
                i += 1;
                continue;
            }
            let brk = match x {
                b'\r' if b.get(i + 1) == Some(&b'\n') => 2,
                0xC2 if b.get(i + 1) == Some(&0x85) => 2,
                0xE2 if b.get(i + 1) == Some(&0x80)
                    && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) =>
                {
                    3
                }
                0xC2 | 0xE2 => {
                    i += 1;
                    continue;
                }
                _ => 1,
            };
            pos = i + brk;
            return Some(&text[start..i]);
        }
        pos = b.len();
        Some(&text[start..])
    })
}

/// Fold `hash` into an n-gram hash.
#[inline]
pub(super) fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(23) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// datatrove `find_duplicates`: (duplicate elements, chars in duplicates).
pub(super) fn find_duplicates<'a>(
    set: &mut HashSet<u64, IdBuild>,
    items: impl Iterator<Item = &'a str>,
) -> (usize, usize, usize) {
    set.clear();
    let (mut n, mut dup, mut dup_chars) = (0, 0, 0);
    for it in items {
        n += 1;
        if !set.insert(xxh3_64(it.as_bytes())) {
            dup += 1;
            dup_chars += char_len(it);
        }
    }
    (n, dup, dup_chars)
}

pub(super) fn reject(
    filter: &'static str,
    signal: &'static str,
    value: f64,
    threshold: f64,
) -> Result<(), FilterReject> {
    Err(FilterReject {
        filter,
        signal,
        value,
        threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::py_splitlines_reference;
    use super::*;

    #[test]
    fn splitlines_matches_the_character_loop() {
        const PIECES: &[&str] = &[
            "a", "xyz ", "\n", "\r", "\r\n", "\u{b}", "\u{c}", "\u{1c}", "\u{1d}", "\u{1e}",
            "\u{1f}", "\u{85}", "\u{2028}", "\u{2029}", "\u{202a}", "\u{2027}", "\u{a0}", "é",
            "\u{c5}", "\u{2030}", "—", "€", "\u{84}", "\u{86}", "日", "😀",
        ];
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut lines = 0;
        for _ in 0..20_000 {
            let mut t = String::new();
            for _ in 0..next() % 12 {
                t.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            lines += py_splitlines(&t).count();
            let ours: Vec<_> = py_splitlines(&t).collect();
            let reference: Vec<_> = py_splitlines_reference(&t).collect();
            assert_eq!(ours, reference, "{t:?}");
        }
        assert!(lines > 20_000, "{lines} lines");
    }
}
