//! Invisible characters: control and format characters that carry no text
//! are removed ([`strip_invisibles`]: zero-width space, word joiner, BOM,
//! soft hyphen, bidi marks and embeddings, ...; a tab becomes a space, line
//! breaks become `\n`), and ZWNJ/ZWJ are kept only between two letters or
//! marks, where they are orthography ([`drop_loose_joiners`]).

use std::borrow::Cow;

use super::scan;

/// `text` without the ZWNJ/ZWJ that do not stand between two letters or
/// marks, or `None` when every joiner stays.
pub(super) fn drop_loose_joiners(text: &str) -> Option<String> {
    // ZWNJ and ZWJ are E2 80 8C and E2 80 8D.
    if !memchr::memmem::find_iter(text.as_bytes(), b"\xE2\x80")
        .any(|p| matches!(text.as_bytes().get(p + 2), Some(0x8C | 0x8D)))
    {
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
pub(super) fn is_dropped_format(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2061}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

pub(super) fn is_joiner(c: char) -> bool {
    c == '\u{200C}' || c == '\u{200D}'
}

pub(super) fn is_letterish(c: Option<char>) -> bool {
    c.is_some_and(|c| crate::chars::is_alphanumeric(c) || is_mark(c) || (c as u32) >= 0x1F000)
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

/// Line breaks to `\n`, tab to space, controls and invisible format
/// characters removed; `text` itself when none occur. Only the characters
/// at the positions [`scan::strip_hit`] marks are decoded: every other
/// character is kept as it is (a unit test checks this on every `char`).
pub(super) fn strip_invisibles(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut changed = false;
    // `text[..copied]` is in `out` (or, while nothing changed, unchanged).
    let mut copied = 0;
    let mut i = 0;
    loop {
        i = scan::next_strip(b, i);
        if i == b.len() {
            break;
        }
        // Hits are ASCII bytes or lead bytes, so `i` starts a character.
        let c = text[i..].chars().next().expect("a character starts here");
        let keep = match c {
            '\r' => (b.get(i + 1) != Some(&b'\n')).then_some('\n'),
            '\u{2028}' | '\u{2029}' | '\u{0085}' => Some('\n'),
            '\t' => Some(' '),
            c if c.is_control() => None,
            c if is_dropped_format(c) => None,
            c => Some(c),
        };
        if keep != Some(c) {
            if !changed {
                out.reserve(text.len());
                changed = true;
            }
            out.push_str(&text[copied..i]);
            if let Some(k) = keep {
                out.push(k);
            }
            copied = i + c.len_utf8();
        }
        i += c.len_utf8();
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}
