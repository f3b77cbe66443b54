//! Normalization: the text every later stage sees.
//!
//! Guarantees (and a unit test checks idempotence: normalizing twice changes
//! nothing more):
//! - line breaks are `\n` (`\r\n`, `\r`, U+2028, U+2029, U+0085 converted);
//! - control characters are removed (a tab becomes a space), as are
//!   invisible format characters that carry no text: zero-width space
//!   U+200B, word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, bidi marks
//!   and embeddings (U+200E/F, U+202A-E, U+2066-9), U+180E;
//! - ZWNJ/ZWJ (U+200C/D) are kept only between two letters or marks, where
//!   they are orthography (Persian, Indic scripts, emoji sequences);
//! - Unicode NFC (or NFKC when configured);
//! - every other whitespace character (NBSP, U+2000-200A, U+3000, ...) is a
//!   space; runs of spaces fold to one; lines are trimmed; at most one blank
//!   line separates paragraphs; no blank lines at either end.

use unicode_normalization::{UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

use crate::config::NormForm;

/// Normalize `text` as described in the module docs.
pub fn normalize(text: &str, form: NormForm) -> String {
    let mut normal = compose(strip_invisibles(text), form);
    // Joiners are judged on the composed text: composition can turn the
    // mark beside a joiner into a symbol ("=" + U+0338 is "≠"). Dropping
    // a joiner can let its neighbours compose in turn, so repeat until no
    // joiner is dropped (each round drops at least one).
    while let Some(fewer) = drop_loose_joiners(&normal) {
        normal = compose(fewer, form);
    }
    fold_whitespace(&normal)
}

fn compose(text: String, form: NormForm) -> String {
    match form {
        NormForm::Nfc => {
            if is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes {
                text
            } else {
                text.nfc().collect()
            }
        }
        NormForm::Nfkc => {
            if is_nfkc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes {
                text
            } else {
                text.nfkc().collect()
            }
        }
    }
}

/// `text` without the ZWNJ/ZWJ that do not stand between two letters or
/// marks, or `None` when every joiner stays.
fn drop_loose_joiners(text: &str) -> Option<String> {
    if !text.contains(is_joiner) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut prev: Option<char> = None;
    let mut dropped = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_joiner(c) && !(is_letterish(prev) && is_letterish(chars.peek().copied())) {
            dropped = true;
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    dropped.then_some(out)
}

/// Normalize a one-line field (title, source): as [`normalize`], then lines
/// joined with a space.
pub fn normalize_field(text: &str, form: NormForm) -> String {
    normalize(text, form).replace('\n', " ")
}

fn is_dropped_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    )
}

fn is_joiner(c: char) -> bool {
    c == '\u{200C}' || c == '\u{200D}'
}

fn is_letterish(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || is_mark(c) || (c as u32) >= 0x1F000)
}

/// Combining marks (general category M*), approximated by the ranges that
/// carry marks in the scripts we meet; used only for the joiner rule.
fn is_mark(c: char) -> bool {
    let u = c as u32;
    (0x0300..=0x036F).contains(&u)
        || (0x0483..=0x0489).contains(&u)
        || (0x0591..=0x05C7).contains(&u)
        || (0x0610..=0x061A).contains(&u)
        || (0x064B..=0x065F).contains(&u)
        || (0x0900..=0x0DFF).contains(&u)
        || (0xFE00..=0xFE0F).contains(&u)
}

fn strip_invisibles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let keep = match c {
            '\n' => Some('\n'),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    None
                } else {
                    Some('\n')
                }
            }
            '\u{2028}' | '\u{2029}' | '\u{0085}' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c if is_dropped_format(c) => None,
            c => Some(c),
        };
        if let Some(k) = keep {
            out.push(k);
        }
    }
    out
}

fn fold_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_pending = false;
    for line in text.split('\n') {
        let start = out.len();
        if !out.is_empty() {
            out.push('\n');
            if blank_pending {
                out.push('\n');
            }
        }
        let body_start = out.len();
        let mut space = false;
        for c in line.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                if space && out.len() > body_start {
                    out.push(' ');
                }
                space = false;
                out.push(c);
            }
        }
        if out.len() == body_start {
            // Empty line: undo the separator, remember a paragraph break.
            out.truncate(start);
            blank_pending = !out.is_empty();
        } else {
            blank_pending = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_whitespace_and_lines() {
        let t = "  Hello\u{00A0}\u{00A0}world \r\n\r\n\r\n\tSecond  line\u{3000}\n\n";
        assert_eq!(normalize(t, NormForm::Nfc), "Hello world\n\nSecond line");
    }

    #[test]
    fn removes_invisibles_keeps_orthographic_joiners() {
        assert_eq!(
            normalize("a\u{200B}b\u{FEFF}c\u{0007}", NormForm::Nfc),
            "abc"
        );
        // ZWNJ inside a Persian word is kept; at a word edge it is dropped.
        let fa = "می\u{200C}خواهم \u{200C}x";
        assert_eq!(normalize(fa, NormForm::Nfc), "می\u{200C}خواهم x");
    }

    #[test]
    fn nfc_and_nfkc() {
        assert_eq!(normalize("e\u{0301}", NormForm::Nfc), "\u{00E9}");
        assert_eq!(normalize("ﬁ", NormForm::Nfkc), "fi");
        assert_eq!(normalize("ﬁ", NormForm::Nfc), "ﬁ");
    }

    #[test]
    fn idempotent() {
        for t in [
            // Found by fuzzing: "=" + U+0338 composes to "≠", after which
            // the ZWNJ no longer follows a mark.
            "=\u{0338}\u{200C}C",
            "x\u{200C}=\u{200C}\u{0338}\u{200C}y",
            "  a \n\n\n b\u{200D}\u{200D}c \r\n\u{2028}d\u{00AD}e  ",
            "\u{200C}\u{200C}x\u{200C}",
            "",
            "\n\n\n",
            "ﾊﾝｶｸ　カナ",
        ] {
            for f in [NormForm::Nfc, NormForm::Nfkc] {
                let once = normalize(t, f);
                assert_eq!(normalize(&once, f), once, "{t:?}");
            }
        }
    }
}
