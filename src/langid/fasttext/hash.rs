//! Hashing (fastText `Dictionary::hash`) and tokenization: the FNV-1a
//! variant fastText computes (bytes sign-extended before the xor), bucket
//! ids without a division ([`FastMod`]), and the split of a line into
//! tokens at fastText's delimiters, with a key per token for the row memo.

use super::EOS;
use super::memo::short_eq;

/// FNV-1a as fastText computes it: each byte goes through `int8_t` and is
/// sign-extended to 32 bits before the xor, so bytes >= 0x80 differ from
/// textbook FNV-1a.
#[inline]
pub(super) fn fnv_step(h: u32, b: u8) -> u32 {
    (h ^ (b as i8 as i32 as u32)).wrapping_mul(16_777_619)
}

pub(super) const FNV_INIT: u32 = 2_166_136_261;

#[inline]
pub(super) fn ft_hash(s: &[u8]) -> u32 {
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
pub(super) struct FastMod {
    pub(super) m: u64,
    pub(super) d: u32,
}

impl FastMod {
    /// `d == 0` gives a value whose `rem` is 0; callers never divide by a
    /// zero bucket count.
    pub(super) fn new(d: u32) -> FastMod {
        let m = if d == 0 {
            0
        } else {
            (u64::MAX / u64::from(d)).wrapping_add(1)
        };
        FastMod { m, d }
    }

    #[inline]
    pub(super) fn rem(self, a: u32) -> u32 {
        let frac = self.m.wrapping_mul(u64::from(a));
        ((u128::from(frac) * u128::from(self.d)) >> 64) as u32
    }
}

#[inline]
pub(super) fn is_delim(b: u8) -> bool {
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
/// [`RowMemo`](super::memo::RowMemo) only: eight bytes per multiplication instead of
/// [`ft_hash`]'s one. Its high bits depend on every byte.
#[inline]
pub(super) fn memo_key(text: &[u8], start: usize, len: usize) -> u64 {
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
pub(super) fn split_tokens(text: &[u8], out: &mut Vec<(usize, usize, u64)>) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
