//! UAX #29 word boundaries with a fast path for ASCII.
//!
//! Guarantees:
//! - [`word_bound_indices`] yields exactly the pieces of
//!   `unicode_segmentation`'s `split_word_bound_indices` (same offsets,
//!   same slices, same order) for every input; the unit tests compare the
//!   two on random strings mixing ASCII with combining marks, joiners,
//!   non-ASCII spaces, CJK, Arabic, Hebrew and emoji, `tests/tests.rs` on
//!   every text of `../shared/corpora`, and the `normalize` fuzz target
//!   (`fuzzing::check_word_bounds`) on arbitrary input.
//! - Stretches of ASCII between safe cuts are split by a direct
//!   implementation of the rules that can apply to ASCII (WB3, WB3d, WB5-
//!   WB13b); the stretches between them, which hold the non-ASCII text, go
//!   to `unicode_segmentation`.
//!
//! A safe cut is a position with ASCII whitespace on one side and an ASCII
//! character that is not whitespace on the other. No rule looks across it:
//! the rules that join across whitespace need whitespace on both sides (WB3
//! CR LF, WB3d space space) or a non-ASCII character beside it (WB3d with
//! U+3000 and the other non-ASCII spaces, WB4 with a combining mark or
//! joiner after a space, WB3c), and the rules that look two characters
//! ahead (WB6, WB7, WB7b, WB7c, WB11, WB12) never join over whitespace.
//! English news text is mostly such ASCII stretches, and the table lookups
//! of the general segmenter were the largest single cost of a build
//! (profile in BENCHMARKS.md and bench/runs/).
//!
//! Words of other scripts get the same treatment through *plain*
//! characters: those of word-break class ALetter, Hebrew_Letter, Numeric
//! or ExtendNumLet. A position with ASCII whitespace on one side and a
//! plain character on the other is a safe cut too (no rule joins
//! whitespace to a plain character, and the rules that look two characters
//! ahead or behind need a MidLetter, MidNum or quote between, never
//! whitespace or a plain character), and every two plain characters join
//! (WB5, WB8-WB10, WB13a, WB13b), so a stretch between safe cuts that holds
//! only plain characters is one piece, found without the segmenter. An
//! Arabic, Cyrillic or Amharic word between spaces is such a stretch. Which
//! characters are plain is read off `unicode_segmentation` itself, once per
//! process, by four probes per character of the Basic Multilingual Plane
//! (`plain_table`); characters above it are never plain.

use unicode_segmentation::{UWordBoundIndices, UnicodeSegmentation};

#[inline]
fn is_ascii_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Letter,
    Digit,
    Underscore,
    Other,
}

#[inline]
fn class(b: u8) -> Class {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Underscore,
        _ => Class::Other,
    }
}

/// Iterator over `(offset, piece)`; see the module docs.
pub struct WordBounds<'a> {
    text: &'a str,
    pos: usize,
    /// End of the current all-ASCII region (pieces are cut from `pos`).
    ascii_end: usize,
    /// A non-ASCII region being split by `unicode_segmentation`, with its offset.
    uni: Option<(usize, UWordBoundIndices<'a>)>,
}

/// The UAX #29 word-boundary pieces of `text` with their byte offsets.
pub fn word_bound_indices(text: &str) -> WordBounds<'_> {
    WordBounds {
        text,
        pos: 0,
        ascii_end: 0,
        uni: None,
    }
}

impl<'a> WordBounds<'a> {
    /// One piece of the ASCII region `[pos, ascii_end)`.
    fn ascii_piece(&mut self) -> (usize, &'a str) {
        let b = self.text.as_bytes();
        let (start, end) = (self.pos, self.ascii_end);
        let first = b[start];
        let mut i = start + 1;
        if first == b' ' {
            // WB3d: horizontal spaces stay together
            while i < end && b[i] == b' ' {
                i += 1;
            }
        } else if first == b'\r' {
            // WB3: CR x LF
            if i < end && b[i] == b'\n' {
                i += 1;
            }
        } else {
            let mut last = class(first);
            if last != Class::Other {
                while i < end {
                    let c = class(b[i]);
                    if c != Class::Other {
                        // WB5, WB8, WB9, WB10, WB13a, WB13b
                        last = c;
                        i += 1;
                        continue;
                    }
                    // WB6/WB7 (letter (MidLetter|MidNumLetQ) letter) and
                    // WB11/WB12 (digit (MidNum|MidNumLetQ) digit)
                    let Some(&next) = b.get(i + 1).filter(|_| i + 1 < end) else {
                        break;
                    };
                    let joins = match last {
                        Class::Letter => {
                            matches!(b[i], b':' | b'.' | b'\'') && class(next) == Class::Letter
                        }
                        Class::Digit => {
                            matches!(b[i], b',' | b';' | b'.' | b'\'')
                                && class(next) == Class::Digit
                        }
                        _ => false,
                    };
                    if !joins {
                        break;
                    }
                    last = class(next);
                    i += 2;
                }
            }
        }
        self.pos = i;
        (start, &self.text[start..i])
    }
}

/// Bit `c` set for the plain characters of the Basic Multilingual Plane
/// (see the module docs), ASCII included. A character is plain when
/// `unicode_segmentation` keeps `a c a` and `c c` whole and cuts both
/// `" c"` and `"c "`: of the word-break classes, only ALetter,
/// Hebrew_Letter, Numeric and ExtendNumLet pass all four (Extend, Format
/// and ZWJ attach to a space; MidLetter, MidNumLet and Single_Quote join
/// `a c a` but not `c c`; every other class is cut from `a`).
fn plain_table() -> &'static [u64; 1024] {
    static TABLE: std::sync::OnceLock<Box<[u64; 1024]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0u64; 1024]);
        let pieces = |s: &str| s.split_word_bounds().count();
        let mut buf = String::with_capacity(16);
        for u in 0..0x1_0000u32 {
            let Some(c) = char::from_u32(u) else {
                continue;
            };
            let mut probe = |parts: &[char]| {
                buf.clear();
                buf.extend(parts);
                pieces(&buf)
            };
            if probe(&['a', c, 'a']) == 1
                && probe(&[c, c]) == 1
                && probe(&[' ', c]) == 2
                && probe(&[c, ' ']) == 2
            {
                t[(u >> 6) as usize] |= 1 << (u & 63);
            }
        }
        t
    })
}

#[inline]
fn is_plain(table: &[u64; 1024], c: char) -> bool {
    let u = c as u32;
    u < 0x1_0000 && table[(u >> 6) as usize] & (1 << (u & 63)) != 0
}

/// The character that ends at byte `p` of `text` (`p` a char boundary > 0).
#[inline]
fn char_before(text: &str, p: usize) -> char {
    text[..p].chars().next_back().expect("p > 0")
}

/// The character that starts at byte `p` of `text` (`p` a char boundary
/// before the end).
#[inline]
fn char_at(text: &str, p: usize) -> char {
    text[p..].chars().next().expect("p < len")
}

/// A cut between `text[..p]` and `text[p..]` that no rule looks across:
/// ASCII whitespace on one side and, on the other, an ASCII character that
/// is not whitespace or a plain character (see the module docs). The ends
/// of the text are cuts too. `p` need not be a char boundary (then it is
/// not a cut).
#[inline]
fn is_safe_cut(text: &str, table: &[u64; 1024], p: usize) -> bool {
    let b = text.as_bytes();
    if p == 0 || p >= b.len() {
        return true;
    }
    let (l, r) = (b[p - 1], b[p]);
    if l < 0x80 && r < 0x80 {
        return is_ascii_ws(l) != is_ascii_ws(r);
    }
    if l < 0x80 && is_ascii_ws(l) {
        // r leads a non-ASCII character
        return is_plain(table, char_at(text, p));
    }
    if r < 0x80 && is_ascii_ws(r) {
        // l ends a non-ASCII character
        return is_plain(table, char_before(text, p));
    }
    false
}

impl<'a> Iterator for WordBounds<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((base, it)) = &mut self.uni {
                if let Some((off, piece)) = it.next() {
                    return Some((*base + off, piece));
                }
                self.uni = None;
            }
            if self.pos < self.ascii_end {
                return Some(self.ascii_piece());
            }
            let text = self.text;
            let b = text.as_bytes();
            let start = self.pos;
            if start >= b.len() {
                return None;
            }
            let table = plain_table();
            // `start` is a safe cut. The all-ASCII stretch from here ends at
            // `r`; an ASCII region runs to the last safe cut at or before it.
            let r = start
                + b[start..]
                    .iter()
                    .position(|&c| c >= 0x80)
                    .unwrap_or(b.len() - start);
            let mut q = r;
            while q > start && !is_safe_cut(text, table, q) {
                q -= 1;
            }
            if q > start {
                self.ascii_end = q;
                continue;
            }
            // A non-ASCII region: to the next safe cut after `r`.
            let mut end = r + 1;
            while !is_safe_cut(text, table, end) {
                end += 1;
            }
            self.pos = end;
            self.ascii_end = end;
            let region = &text[start..end];
            if region.chars().all(|c| is_plain(table, c)) {
                // every two plain characters join: one piece
                return Some((start, region));
            }
            self.uni = Some((start, region.split_word_bound_indices()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_reference(text: &str) {
        let ours: Vec<_> = word_bound_indices(text).collect();
        let reference: Vec<_> = text.split_word_bound_indices().collect();
        assert_eq!(ours, reference, "text {text:?}");
    }

    #[test]
    fn ascii_rules() {
        for t in [
            "",
            " ",
            "a",
            "Don't stop... It's 3.14, 1,000,000; a:b a.b 1.a a.1 x_y __ _1 1_ \r\n\r\r\n\t\x0b\x0c",
            "U.S.A. e.g. 16:00 3-0 COVID-19 a'b 1'2 a'1 ab:  cd.  ''  ..  ,,1,,2,",
            "end.",
            "a:",
            "9,",
            "   leading and trailing   ",
        ] {
            same_as_reference(t);
        }
    }

    #[test]
    fn context_across_whitespace() {
        for t in [
            " \u{301}abc",
            "x  \u{200d}\u{1F600} y",
            "a \u{200d}b",
            "\n\u{301}",
            "\r\n\u{301}x",
            "a\t\u{301}b",
            "word\u{a0}word",
            "café's naïve",
            "\u{5d0}\"\u{5d1} \u{5d0}'",
            "🇫🇷🇩🇪 x 👨\u{200d}👩",
            "中文 English 日本語。",
            "العربية 123 test",
            "Привет, мир! Это тест: а.б 1.2 ж_1 \u{301}ж ж\u{301} ж\u{200d}ж",
            "مرحبا، بالعالم؟ ١٢٣ كتب\u{64e} test",
            "한국어 텍스트 ABC한글 x.한 Tiếng Việt có dấu ế\u{301}",
            "ሰላም ለዓለም። ሰ.ላ ሰ:ላ",
            "ж\u{3000}ж ж  ж\tж\r\nж",
        ] {
            same_as_reference(t);
        }
    }

    #[test]
    fn plain_characters_are_the_letter_and_number_classes() {
        let t = plain_table();
        for c in [
            'a', 'Z', '7', '_', 'é', 'ß', 'Ж', 'ب', 'ة', '١', 'א', 'ሰ', '한', 'ế', 'ά',
        ] {
            assert!(is_plain(t, c), "{c:?} should be plain");
        }
        for c in [
            ' ', '.', ',', ':', '\'', '"', '-', '\u{a0}', '\u{301}', '\u{200d}', '\u{ad}',
            '\u{64b}', '،', '؟', '’', 'カ', 'ー', '中', '©', '\u{3000}', '😀', '🇫',
        ] {
            assert!(!is_plain(t, c), "{c:?} should not be plain");
        }
    }

    /// Every character of the Basic Multilingual Plane in the contexts the
    /// fast paths meet: between spaces, beside plain letters, ASCII
    /// punctuation and marks.
    #[test]
    fn every_bmp_character_in_context_matches_the_reference() {
        let mut s = String::new();
        for u in 0..0x1_0000u32 {
            let Some(c) = char::from_u32(u) else {
                continue;
            };
            s.clear();
            for ctx in [
                "{c}",
                " {c} ",
                "ب{c} {c}ب",
                "x {c}{c} y",
                "ж {c}. {c}\u{301} ",
                "1{c}2 \t{c}\r\n",
            ] {
                s.push_str(&ctx.replace("{c}", c.encode_utf8(&mut [0; 4])));
            }
            same_as_reference(&s);
        }
    }

    #[test]
    fn random_strings_match_the_reference() {
        const ALPHABET: &[&str] = &[
            "a",
            "Z",
            "q",
            "7",
            "0",
            "_",
            ".",
            ",",
            ";",
            ":",
            "'",
            "\"",
            "-",
            "/",
            "@",
            "!",
            " ",
            "  ",
            "\t",
            "\n",
            "\r",
            "\r\n",
            "\x0b",
            "é",
            "\u{301}",
            "\u{200d}",
            "\u{200c}",
            "\u{a0}",
            "\u{3000}",
            "’",
            "中",
            "カ",
            "ー",
            "ا",
            "١",
            "\u{5d0}",
            "😀",
            "🇫",
            "©",
            "\u{ad}",
            "\u{2060}",
            "ß",
            "Ω",
            "٫",
            "·",
            "Ж",
            "я",
            "ب",
            "ة",
            "한",
            "ế",
            "ა",
            "Ա",
            "ά",
            "ሰ",
            "\u{64b}",
            "،",
            "ـ",
            "؟",
            "\u{483}",
            "።",
            " كتب ",
            "Жук ",
            " ሰላም",
            "ẹ́",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut rnd = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (rnd() % 24) as usize;
            // mostly-ASCII strings, like real text, and dense mixed ones
            let ascii_bias = rnd() % 2 == 0;
            let mut s = String::new();
            for _ in 0..len {
                let k = if ascii_bias {
                    (rnd() % 23) as usize
                } else {
                    (rnd() % ALPHABET.len() as u64) as usize
                };
                s.push_str(ALPHABET[k]);
            }
            same_as_reference(&s);
        }
    }
}
