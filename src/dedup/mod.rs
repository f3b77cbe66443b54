//! Deduplication keys and decisions.
//!
//! Exact dedup: two documents are duplicates when their *folded* texts are
//! equal: letters lowercased, every run of non-alphanumeric characters
//! (punctuation, symbols, whitespace) replaced by one space, ends trimmed.
//! The key is xxh3-128 of that string (collision odds ~2^-64 at 2^32 docs).
//! The first document in input order is kept; later ones point at it.

use xxhash_rust::xxh3::xxh3_128;

/// The folded text used for exact-duplicate keys.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for c in text.chars() {
        if is_word_char(c) {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else if is_uncased(c) {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            gap = true;
        }
    }
    out
}

/// Letters, digits and combining marks: everything but whitespace,
/// punctuation and symbols. Decided by code-point ranges rather than
/// Unicode property lookups, which dominated the profile; the ranges cover
/// the punctuation and symbol blocks of the scripts we meet, and the rule is
/// the same on every machine, which is what a dedup key needs.
pub fn is_word_char(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return c.is_ascii_alphanumeric();
    }
    !(c.is_whitespace()
        || matches!(u,
            0x80..=0xBF | 0xD7 | 0xF7
            | 0x2B9..=0x2FF
            | 0x37E | 0x387
            | 0x55A..=0x55F | 0x589..=0x58A
            | 0x5BE | 0x5C0 | 0x5C3 | 0x5C6 | 0x5F3..=0x5F4
            | 0x600..=0x60F | 0x61B..=0x61F | 0x640 | 0x66A..=0x66D | 0x6D4 | 0x6DD..=0x6DE | 0x6E9
            | 0x964..=0x965 | 0x970
            | 0xE3F | 0xE4F | 0xE5A..=0xE5B
            | 0x10FB
            | 0x1360..=0x1368
            | 0x2000..=0x2BFF
            | 0x2E00..=0x2E7F
            | 0x3000..=0x3004 | 0x3008..=0x3020 | 0x3030 | 0x303D | 0x30FB
            | 0xFD3E..=0xFD3F
            | 0xFE10..=0xFE1F | 0xFE30..=0xFE6F
            | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65
            | 0xFFF0..=0xFFFF
            | 0x1F000..=0x1FBFF))
}

/// Scripts without letter case (Arabic to Myanmar, kana and Han, Hangul):
/// lowercasing them is a no-op, so skip the table lookup.
fn is_uncased(c: char) -> bool {
    matches!(c as u32, 0x590..=0x109F | 0x3040..=0x9FFF | 0xAC00..=0xD7AF)
}

/// The exact-duplicate key of a (cleaned) text.
pub fn exact_key(text: &str) -> u128 {
    xxh3_128(fold(text).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_space_and_punctuation_fold_together() {
        let a = exact_key("Hello,  World!\nSecond line.");
        assert_eq!(a, exact_key("hello world second LINE"));
        assert_eq!(a, exact_key("  Hello - World ... Second   line "));
        assert_ne!(a, exact_key("Hello World Second lines"));
        assert_eq!(fold("नमस्ते, दुनिया!"), "नमस्ते दुनिया");
    }
}
