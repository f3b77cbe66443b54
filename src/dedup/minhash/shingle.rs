//! Text as the shingler sees it ([`normalize_for_shingles`]): NFKD,
//! lowercased, diacritics dropped but spelling marks kept, digits folded to
//! `0`, zero-width characters removed, punctuation and whitespace turned into
//! single spaces. The output depends only on the text; it is only ever
//! hashed.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

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
            if c.is_ascii() || crate::dedup::is_uncased(c) {
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
pub(super) fn is_spaceless_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F // Hiragana, Katakana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F // Han
        | 0x0E00..=0x0E7F // Thai
        | 0x0E80..=0x0EFF // Lao
        | 0x1780..=0x17FF | 0x19E0..=0x19FF // Khmer
        | 0x1000..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F // Myanmar
    )
}

#[cfg(test)]
mod tests {
    use super::super::testutil::BASE;
    use super::*;

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
            if crate::dedup::is_uncased(c) {
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
}
