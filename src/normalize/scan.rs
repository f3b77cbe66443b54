//! Byte scans for the passes of [`super::invisibles`] and
//! [`super::whitespace`]: the position of the next byte a pass
//! has to look at. Each scan is defined by a predicate on a byte and the
//! byte after it (0 past the end), written once here for one position;
//! on x86_64 the same predicate is computed for 16 positions at once with
//! SSE2 (part of the x86_64 baseline, so no runtime detection), and a unit
//! test checks that both agree for every pair of bytes at every position of
//! a 16-byte block.

/// Positions [`super::invisibles::strip_invisibles`] must decode: ASCII controls
/// (tab and CR included, LF not) and DEL, and the first byte of the
/// non-ASCII characters it changes, told apart by their second byte:
/// U+0080-009F and U+00AD (C2 80-9F, C2 AD), U+061C (D8 9C), U+180E
/// (E1 A0), U+2000-207F (E2 80, E2 81: the bidi controls, invisible
/// operators and U+2028/9 among them), U+FEC0-FEFF (EF BB) and
/// U+FFC0-FFFF (EF BF).
#[inline]
pub(super) fn strip_hit(x: u8, next: u8) -> bool {
    (x < 0x20 && x != b'\n')
        || x == 0x7F
        || (x == 0xC2 && (next & 0xE0 == 0x80 || next == 0xAD))
        || (x == 0xD8 && next == 0x9C)
        || (x == 0xE1 && next == 0xA0)
        || (x == 0xE2 && next & 0xFE == 0x80)
        || (x == 0xEF && next & 0xFB == 0xBB)
}

/// Positions where a run of [`super::whitespace::fold_whitespace`] may end: ASCII
/// controls (LF, tab, CR, ... among them), the first of two spaces,
/// and the first byte of the non-ASCII characters that can be
/// whitespace, told apart by their second byte: U+0085, U+00A0 (C2 85,
/// C2 A0), U+1680 (E1 9A), U+2000-207F (E2 80, E2 81) and U+3000-303F
/// (E3 80).
#[inline]
pub(super) fn fold_hit(x: u8, next: u8) -> bool {
    x < 0x20
        || (x == b' ' && next == b' ')
        || (x == 0xC2 && (next == 0x85 || next == 0xA0))
        || (x == 0xE1 && next == 0x9A)
        || (x == 0xE2 && next & 0xFE == 0x80)
        || (x == 0xE3 && next == 0x80)
}

/// The first position `i >= from` where `hit(b[i], b[i + 1])` (0 past
/// the end), or `b.len()`: the definition of the scans, and the scan
/// of the last bytes after the 16-byte blocks.
fn scalar(b: &[u8], from: usize, hit: impl Fn(u8, u8) -> bool) -> usize {
    (from..b.len())
        .find(|&i| hit(b[i], b.get(i + 1).copied().unwrap_or(0)))
        .unwrap_or(b.len())
}

/// The first position from `from` on that [`strip_hit`] marks, or
/// `b.len()`.
#[inline]
pub(super) fn next_strip(b: &[u8], from: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is enabled on every x86_64 target (asserted below).
    let from = match unsafe { sse2::next_strip(b, from) } {
        Ok(p) => return p,
        Err(tail) => tail,
    };
    scalar(b, from, strip_hit)
}

/// The first position from `from` on that [`fold_hit`] marks, or
/// `b.len()`.
#[inline]
pub(super) fn next_fold(b: &[u8], from: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is enabled on every x86_64 target (asserted below).
    let from = match unsafe { sse2::next_fold(b, from) } {
        Ok(p) => return p,
        Err(tail) => tail,
    };
    scalar(b, from, fold_hit)
}

/// The first position from `from` on whose byte is `t` or more, or
/// `b.len()`.
#[inline]
pub(super) fn next_at_least(b: &[u8], from: usize, t: u8) -> usize {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is enabled on every x86_64 target (asserted below).
    let from = match unsafe { sse2::next_at_least(b, from, t) } {
        Ok(p) => return p,
        Err(tail) => tail,
    };
    scalar(b, from, |x, _| x >= t)
}

/// The predicates above on 16 bytes at once. Each `next_*` returns
/// `Ok(position)` of the first hit, or `Err(tail)`: no hit before
/// `tail`, where fewer than 17 bytes (16 and the one after) are left.
#[cfg(target_arch = "x86_64")]
pub(super) mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_max_epu8, _mm_min_epu8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };

    // The baseline of every x86_64 target has SSE2; the callers'
    // `unsafe` blocks rely on it.
    const _: () = assert!(cfg!(target_feature = "sse2"));

    #[inline]
    #[target_feature(enable = "sse2")]
    fn load(w: &[u8]) -> __m128i {
        let lo = u64::from_le_bytes(w[..8].try_into().expect("8 bytes"));
        let hi = u64::from_le_bytes(w[8..16].try_into().expect("8 bytes"));
        _mm_set_epi64x(hi as i64, lo as i64)
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn eq(v: __m128i, c: u8) -> __m128i {
        _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))
    }

    /// Bytes of `v` that are `t` or more.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn at_least(v: __m128i, t: u8) -> __m128i {
        _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(t as i8)), v)
    }

    /// Bytes of `v` below 0x20.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn control(v: __m128i) -> __m128i {
        _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v)
    }

    /// Bytes of `v` that are `c` after masking with `m`.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn masked_eq(v: __m128i, m: u8, c: u8) -> __m128i {
        eq(_mm_and_si128(v, _mm_set1_epi8(m as i8)), c)
    }

    /// Bit `k` set when [`super::strip_hit`] marks `w[k]` (`w` holds
    /// 17 bytes).
    #[inline]
    #[target_feature(enable = "sse2")]
    pub fn strip_mask(w: &[u8]) -> u32 {
        let x = load(&w[..16]);
        let n = load(&w[1..17]);
        let or = _mm_or_si128;
        let and = _mm_and_si128;
        let ascii = or(_mm_andnot_si128(eq(x, b'\n'), control(x)), eq(x, 0x7F));
        let c2 = and(eq(x, 0xC2), or(masked_eq(n, 0xE0, 0x80), eq(n, 0xAD)));
        let d8 = and(eq(x, 0xD8), eq(n, 0x9C));
        let e1 = and(eq(x, 0xE1), eq(n, 0xA0));
        let e2 = and(eq(x, 0xE2), masked_eq(n, 0xFE, 0x80));
        let ef = and(eq(x, 0xEF), masked_eq(n, 0xFB, 0xBB));
        let all = or(or(or(ascii, c2), or(d8, e1)), or(e2, ef));
        _mm_movemask_epi8(all) as u32
    }

    /// Bit `k` set when [`super::fold_hit`] marks `w[k]` (`w` holds
    /// 17 bytes).
    #[inline]
    #[target_feature(enable = "sse2")]
    pub fn fold_mask(w: &[u8]) -> u32 {
        let x = load(&w[..16]);
        let n = load(&w[1..17]);
        let or = _mm_or_si128;
        let and = _mm_and_si128;
        let ascii = or(control(x), and(eq(x, b' '), eq(n, b' ')));
        let c2 = and(eq(x, 0xC2), or(eq(n, 0x85), eq(n, 0xA0)));
        let e1 = and(eq(x, 0xE1), eq(n, 0x9A));
        let e2 = and(eq(x, 0xE2), masked_eq(n, 0xFE, 0x80));
        let e3 = and(eq(x, 0xE3), eq(n, 0x80));
        let all = or(or(ascii, c2), or(or(e1, e2), e3));
        _mm_movemask_epi8(all) as u32
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    pub fn next_strip(b: &[u8], mut i: usize) -> Result<usize, usize> {
        while let Some(w) = b.get(i..i + 17) {
            let m = strip_mask(w);
            if m != 0 {
                return Ok(i + m.trailing_zeros() as usize);
            }
            i += 16;
        }
        Err(i)
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    pub fn next_fold(b: &[u8], mut i: usize) -> Result<usize, usize> {
        while let Some(w) = b.get(i..i + 17) {
            let m = fold_mask(w);
            if m != 0 {
                return Ok(i + m.trailing_zeros() as usize);
            }
            i += 16;
        }
        Err(i)
    }

    /// As the others, but the predicate needs no next byte: stops
    /// when fewer than 16 bytes are left.
    #[inline]
    #[target_feature(enable = "sse2")]
    pub fn next_at_least(b: &[u8], mut i: usize, t: u8) -> Result<usize, usize> {
        while let Some(w) = b.get(i..i + 16) {
            let m = _mm_movemask_epi8(at_least(load(w), t)) as u32;
            if m != 0 {
                return Ok(i + m.trailing_zeros() as usize);
            }
            i += 16;
        }
        Err(i)
    }
}
