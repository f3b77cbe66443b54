//! Character-class checks with the same answers as the standard library's,
//! faster on the scripts a news corpus is mostly written in.
//!
//! `char::is_alphanumeric` on a non-ASCII character does two binary
//! searches of Unicode tables (alphabetic, then numeric); it showed up at
//! about 4 % of a build's CPU through the word counter. [`is_alphanumeric`]
//! answers from a few whole ranges first (and so do [`is_alphabetic`] and
//! [`is_numeric`]): blocks, or parts of blocks, where
//! every code point is a letter (Cyrillic and Arabic base letters, Hebrew,
//! Thai consonants, Devanagari, kana, CJK ideographs, Hangul syllables), or
//! none is a letter or a number (general punctuation). Everything else goes
//! to the standard library. A test compares the two on every `char`, so a
//! Unicode update of the standard library that changes one of these ranges
//! fails the test instead of changing answers silently.

/// Non-ASCII ranges where every code point is alphabetic and none is
/// numeric.
#[inline]
fn all_letters(u: u32) -> bool {
    matches!(u,
        0x00C0..=0x00D6
        | 0x00D8..=0x00F6
        | 0x00F8..=0x02AF
        | 0x0400..=0x0481
        | 0x048A..=0x052F
        | 0x05D0..=0x05EA
        | 0x0620..=0x064A
        | 0x0E01..=0x0E30
        | 0x0904..=0x0939
        | 0x3041..=0x3096
        | 0x30A1..=0x30FA
        | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7A3)
}

/// Non-ASCII ranges where no code point is alphabetic or numeric.
#[inline]
fn no_letters_or_numbers(u: u32) -> bool {
    matches!(u, 0x2000..=0x206F | 0x3000..=0x3004 | 0x3008..=0x3020 | 0xFF01..=0xFF0F)
}

/// `c.is_alphanumeric()`, the same answer for every `char`.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        c.is_ascii_alphanumeric()
    } else if all_letters(u) {
        true
    } else if no_letters_or_numbers(u) {
        false
    } else {
        c.is_alphanumeric()
    }
}

/// `c.is_alphabetic()`, the same answer for every `char`.
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        c.is_ascii_alphabetic()
    } else if all_letters(u) {
        true
    } else if no_letters_or_numbers(u) {
        false
    } else {
        c.is_alphabetic()
    }
}

/// `c.is_numeric()`, the same answer for every `char`.
#[inline]
pub fn is_numeric(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        c.is_ascii_digit()
    } else if all_letters(u) || no_letters_or_numbers(u) {
        false
    } else {
        c.is_numeric()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_answers_as_the_standard_library_for_every_char() {
        let mut bad = Vec::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let ours = (
                super::is_alphanumeric(c),
                super::is_alphabetic(c),
                super::is_numeric(c),
            );
            if ours != (c.is_alphanumeric(), c.is_alphabetic(), c.is_numeric()) {
                bad.push(format!("U+{:04X}", c as u32));
            }
        }
        assert!(bad.is_empty(), "differ at {}", bad.join(" "));
    }
}
