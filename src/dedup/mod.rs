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
        if c.is_alphanumeric() || is_mark(c) {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            for l in c.to_lowercase() {
                out.push(l);
            }
        } else {
            gap = true;
        }
    }
    out
}

/// Combining marks are part of words in many scripts (Devanagari vowel
/// signs, Arabic harakat): keep them when folding.
fn is_mark(c: char) -> bool {
    let u = c as u32;
    (0x0300..=0x036F).contains(&u)
        || (0x064B..=0x065F).contains(&u)
        || (0x0900..=0x0DFF).contains(&u)
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
