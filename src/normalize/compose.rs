//! Unicode composition (NFC, or NFKC keeping the width of CJK
//! punctuation) with a fast path: a text whose characters are all
//! quick-check Yes starters is returned as it is, found by lead byte and a
//! bitmap of safe characters, and a text that needs work is composed
//! stretch by stretch between safe characters. The output is the same as
//! `unicode_normalization`'s (tested on every character).

use std::borrow::Cow;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

use super::NormForm;
use super::scan;

pub(super) fn compose(text: Cow<'_, str>, form: NormForm) -> Cow<'_, str> {
    match form {
        NormForm::Nfc => {
            if quick_check_yes(&text, NFC_SKIP_BELOW, nfc_safe(), |c| {
                is_nfc_quick(std::iter::once(c))
            }) {
                text
            } else {
                Cow::Owned(nfc_by_stretches(&text))
            }
        }
        NormForm::Nfkc => {
            if quick_check_yes(&text, NFKC_SKIP_BELOW, nfkc_safe(), |c| {
                is_nfkc_quick(std::iter::once(c))
            }) {
                text
            } else {
                Cow::Owned(nfkc_keeping_cjk_punctuation(&text))
            }
        }
    }
}

/// Every character below U+0300 is NFC_QC=Yes with canonical combining
/// class 0 (the first non-starter is U+0300, the first NFC_QC=No/Maybe
/// characters are U+0300 and U+0340), and a character is below U+0300
/// exactly when its UTF-8 lead byte is below 0xCC (U+0300 is CC 80).
pub(super) const NFC_SKIP_BELOW: u8 = 0xCC;
/// NFKC differs already in Latin-1 (U+00A0, U+00A8, U+00B2 ... decompose):
/// only ASCII can be skipped, as `unicode_normalization` itself does.
pub(super) const NFKC_SKIP_BELOW: u8 = 0x80;

/// The "safe" tables cover the code points below this: the BMP and the
/// supplementary multilingual plane (emoji, historic scripts). Characters
/// above it are looked up in `unicode_normalization` one by one.
pub(super) const SAFE_END: u32 = 0x2_0000;

/// One bit per code point below [`SAFE_END`] (see [`safe_table`]).
type SafeTable = [u64; SAFE_END as usize / 64];

/// The characters below [`SAFE_END`] that are starters (canonical
/// combining class 0) with NFC_QC=Yes, one bit each.
pub(super) fn nfc_safe() -> &'static SafeTable {
    static TABLE: std::sync::OnceLock<Box<SafeTable>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| safe_table(|c| is_nfc_quick(std::iter::once(c))))
}

/// As [`nfc_safe`], for NFKC_QC=Yes.
pub(super) fn nfkc_safe() -> &'static SafeTable {
    static TABLE: std::sync::OnceLock<Box<SafeTable>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| safe_table(|c| is_nfkc_quick(std::iter::once(c))))
}

/// One bit per code point below [`SAFE_END`]: set for a starter whose
/// quick check (`quick` on the character alone) is Yes. Both properties
/// are read from `unicode_normalization`, the crate whose answers
/// [`quick_check_yes`] must reproduce. About 130k lookups, once per
/// process and form.
fn safe_table(quick: impl Fn(char) -> IsNormalized) -> Box<SafeTable> {
    let mut t = Box::new([0u64; SAFE_END as usize / 64]);
    for c in (0..SAFE_END).filter_map(char::from_u32) {
        if canonical_combining_class(c) == 0 && quick(c) == IsNormalized::Yes {
            let u = c as usize;
            t[u / 64] |= 1 << (u % 64);
        }
    }
    t
}

/// Whether the code point `u` is in the table `safe` ([`nfc_safe`] or
/// [`nfkc_safe`]); false from [`SAFE_END`] on.
#[inline]
pub(super) fn is_safe(safe: &SafeTable, u: u32) -> bool {
    u < SAFE_END && safe[(u / 64) as usize] & (1 << (u % 64)) != 0
}

/// `text.nfc().collect()`, composing only the stretches that need it.
///
/// A character safe for NFC (a starter with NFC_QC=Yes, see [`nfc_safe`])
/// decomposes to a starter that no composition takes as its second
/// character (a unit test checks this for every safe character). So
/// decomposition, reordering and composition never cross the boundary in
/// front of it: the NFC of a text is the NFC of its stretches, cut before
/// each safe character, put end to end. A stretch that passes the quick
/// check is its own NFC and is copied; only the others go through
/// `unicode_normalization`, instead of the whole text.
pub(super) fn nfc_by_stretches(text: &str) -> String {
    let safe = nfc_safe();
    let mut out = String::with_capacity(text.len());
    // `text[..copied]` is in `out`.
    let mut copied = 0;
    // Start of the current stretch: a safe character, or the text's start.
    let mut start = 0;
    // Whether the current stretch fails the quick check, and if not the
    // combining class of its last character.
    let mut fails = false;
    let mut last_cc = 0;
    for (i, c) in text.char_indices() {
        if is_safe(safe, c as u32) {
            if fails {
                out.push_str(&text[copied..start]);
                out.extend(text[start..i].nfc());
                copied = i;
                fails = false;
            }
            start = i;
            last_cc = 0;
        } else if !fails {
            let cc = canonical_combining_class(c);
            fails =
                (cc != 0 && last_cc > cc) || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes;
            last_cc = cc;
        }
    }
    if fails {
        out.push_str(&text[copied..start]);
        out.extend(text[start..].nfc());
    } else {
        out.push_str(&text[copied..]);
    }
    out
}

/// The code point of the character whose lead byte (0xC0 or above) is at
/// `b[i]`, and its length. `b` must be valid UTF-8.
#[inline(always)]
fn decode_at(b: &[u8], i: usize) -> (u32, usize) {
    let x = u32::from(b[i]);
    let cont = |k: usize| u32::from(b[i + k] & 0x3F);
    if x < 0xE0 {
        (((x & 0x1F) << 6) | cont(1), 2)
    } else if x < 0xF0 {
        (((x & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((x & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    }
}

/// Whether `unicode_normalization`'s quick check of one form
/// (`is_nfc_quick` or `is_nfkc_quick`) says Yes for `text`, given the
/// form's lead-byte threshold (`skip_below`), its table of safe characters
/// (`safe`) and its quick check of a single character (`quick`). Same
/// answer as the crate's for every text (tests compare the two on every
/// `char` in several contexts, on random strings and on the corpora).
///
/// The crate's check walks the characters keeping the combining class of
/// the previous one: it answers No when a non-starter follows a character
/// of higher class, and No or Maybe when a character's own quick-check
/// property is not Yes. A safe character (a starter with property Yes)
/// can trigger neither, and it resets the remembered class to 0. So the
/// answer is Yes exactly when every unsafe character has property Yes and
/// is not a non-starter following one of higher class; this function tests
/// just that. It skips the bytes below `skip_below` (starts of characters
/// that are all safe, and the continuation bytes between them) 16 at a
/// time, answers the other characters from the table, and asks
/// `unicode_normalization` only about the unsafe ones (marks, Hangul
/// jamo, compatibility characters, ...).
#[inline(never)]
pub(super) fn quick_check_yes(
    text: &str,
    skip_below: u8,
    safe: &SafeTable,
    quick: impl Fn(char) -> IsNormalized,
) -> bool {
    debug_assert!(skip_below >= 0x80);
    let b = text.as_bytes();
    let mut i = 0;
    loop {
        // `i` is at the start of a character (skip_below >= 0x80, so the
        // first byte found is a lead byte of 0xC2 or more).
        i = scan::next_at_least(b, i, skip_below);
        if i >= b.len() {
            return true;
        }
        // Whatever came before is safe (or nothing): class 0.
        let mut last_cc = 0;
        // Characters one by one from here, back to the block scan after
        // two ASCII bytes in a row (so that the single spaces between the
        // words of a non-Latin script do not restart the scan).
        while i < b.len() {
            let x = b[i];
            if x < 0x80 {
                last_cc = 0;
                i += 1;
                if b.get(i).is_some_and(|&y| y < 0x80) {
                    break;
                }
                continue;
            }
            // Two bytes (Cyrillic, Greek, Hebrew, Arabic, ...): the lead's
            // five low bits pick the table word, the second byte's six
            // low bits the bit.
            if x < 0xE0
                && let Some(&next) = b.get(i + 1)
                && safe[usize::from(x & 0x1F)] & (1 << (next & 0x3F)) != 0
            {
                last_cc = 0;
                i += 2;
                continue;
            }
            let (u, len) = decode_at(b, i);
            if is_safe(safe, u) {
                last_cc = 0;
            } else {
                let c = char::from_u32(u).expect("decoded from a str");
                let cc = canonical_combining_class(c);
                if cc != 0 && last_cc > cc {
                    return false;
                }
                if quick(c) != IsNormalized::Yes {
                    return false;
                }
                last_cc = cc;
            }
            i += len;
        }
    }
}
/// Fullwidth punctuation that NFKC would narrow: `！` to `!`, `，` to `,`,
/// `（` to `(`, halfwidth `｡` `､` `｢` `｣` `･` to their wide forms. Kept as
/// written (letters and digits of the block are still folded).
pub(super) fn is_cjk_width_punct(c: char) -> bool {
    matches!(c,
        '\u{FF01}'..='\u{FF0F}'
            | '\u{FF1A}'..='\u{FF20}'
            | '\u{FF3B}'..='\u{FF40}'
            | '\u{FF5B}'..='\u{FF65}')
}

/// NFKC of every run between kept punctuation marks. The marks are
/// starters, so normalizing the runs separately equals normalizing the
/// whole text except for the marks themselves.
fn nfkc_keeping_cjk_punctuation(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(is_cjk_width_punct) {
        match piece.chars().next_back() {
            Some(mark) if is_cjk_width_punct(mark) => {
                out.extend(piece[..piece.len() - mark.len_utf8()].nfkc());
                out.push(mark);
            }
            _ => out.extend(piece.nfkc()),
        }
    }
    out
}
