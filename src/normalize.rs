//! Normalization: the text every later stage sees.
//!
//! Guarantees (and a unit test checks idempotence: normalizing twice changes
//! nothing more):
//! - line breaks are `\n` (`\r\n`, `\r`, U+2028, U+2029, U+0085 converted);
//! - control characters are removed (a tab becomes a space), as are
//!   invisible format characters that carry no text: zero-width space
//!   U+200B, word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, bidi marks
//!   and embeddings (U+200E/F, U+061C, U+202A-E, U+2066-9), U+180E,
//!   invisible operators U+2061-4, deprecated format characters
//!   U+206A-F, interlinear annotation marks U+FFF9-B;
//! - ZWNJ/ZWJ (U+200C/D) are kept only between two letters or marks, where
//!   they are orthography (Persian, Indic scripts, emoji sequences);
//! - Unicode NFC (or NFKC when configured). The width of CJK punctuation
//!   is left as written: NFC never changes it, and under NFKC the fullwidth
//!   punctuation of U+FF01-FF65 (`，` `！` `？` `：` `（` ...) is kept, so
//!   a Chinese or Japanese text does not end up with a mix of widths;
//! - every other whitespace character (NBSP, U+2000-200A, U+3000, ...) is a
//!   space; runs of spaces fold to one; lines are trimmed; at most one blank
//!   line separates paragraphs; no blank lines at either end.
//!
//! Before that, [`document_text`] turns an HTML page into text
//! ([`crate::html::to_text`]) and repairs mojibake ([`fix_mojibake`]) when
//! configured: UTF-8 that was decoded as Windows-1252 or Latin-1 somewhere
//! upstream ("CafÃ©" for "Café", "â€™" for "’", "Ø§Ù„" for "ال").

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

use crate::config::{NormForm, NormalizeConfig};

/// A document's text after [`document_text`].
#[derive(Debug, Default, PartialEq)]
pub struct DocText {
    /// The normalized text.
    pub text: String,
    /// The `<title>` of an HTML page (normalized), if it had one.
    pub html_title: Option<String>,
    /// Mojibake sequences repaired.
    pub mojibake_fixed: u32,
}

/// The text every later stage sees: an HTML page turned into text (when
/// `html`), mojibake repaired (when `cfg.fix_mojibake`), then
/// [`normalize`]. The counting pass of repeated lines and the per-document
/// stages both call this, so they see the same lines.
pub fn document_text(raw: &str, html: bool, cfg: &NormalizeConfig) -> DocText {
    let mut title = None;
    let page;
    let mut text = raw;
    if html {
        page = crate::html::to_text(raw);
        title = page.title.as_deref().map(|t| field(t, cfg).0);
        text = &page.text;
    }
    let mut fixed = 0;
    let repaired;
    if cfg.fix_mojibake
        && let Some((t, n)) = fix_mojibake(text)
    {
        repaired = t;
        text = &repaired;
        fixed = n;
    }
    DocText {
        text: normalize(text, cfg.form),
        html_title: title.filter(|t: &String| !t.is_empty()),
        mojibake_fixed: fixed,
    }
}

/// A one-line field (title, source) as [`normalize_field`] makes it, with
/// mojibake repaired first when configured. Returns the text and the
/// number of sequences repaired.
pub fn field(text: &str, cfg: &NormalizeConfig) -> (String, u32) {
    match cfg.fix_mojibake.then(|| fix_mojibake(text)).flatten() {
        Some((t, n)) => (normalize_field(&t, cfg.form), n),
        None => (normalize_field(text, cfg.form), 0),
    }
}

/// Normalize `text` as described in the module docs.
pub fn normalize(text: &str, form: NormForm) -> String {
    let mut normal = compose(strip_invisibles(text), form);
    // Joiners are judged on the composed text: composition can turn the
    // mark beside a joiner into a symbol ("=" + U+0338 is "≠"). Dropping
    // a joiner can let its neighbours compose in turn, so repeat until no
    // joiner is dropped (each round drops at least one).
    while let Some(fewer) = drop_loose_joiners(&normal) {
        normal = compose(Cow::Owned(fewer), form);
    }
    fold_whitespace(&normal)
}

fn compose(text: Cow<'_, str>, form: NormForm) -> Cow<'_, str> {
    match form {
        NormForm::Nfc => {
            if quick_check_yes(&text, NFC_SKIP_BELOW, |s| is_nfc_quick(s.chars())) {
                text
            } else {
                Cow::Owned(text.nfc().collect())
            }
        }
        NormForm::Nfkc => {
            if quick_check_yes(&text, NFKC_SKIP_BELOW, |s| is_nfkc_quick(s.chars())) {
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
const NFC_SKIP_BELOW: u8 = 0xCC;
/// NFKC differs already in Latin-1 (U+00A0, U+00A8, U+00B2 ... decompose):
/// only ASCII can be skipped, as `unicode_normalization` itself does.
const NFKC_SKIP_BELOW: u8 = 0x80;

/// Whether `quick` (`is_nfc_quick` or `is_nfkc_quick`) says Yes for
/// `text`, running it only on the stretches of characters whose lead byte
/// is `skip_below` or higher. The characters in between are starters
/// with quick-check Yes: the check sets its state back to "after a
/// starter" on them and otherwise ignores them, so checking each stretch
/// from that state gives the same answer as checking the whole text.
fn quick_check_yes(text: &str, skip_below: u8, quick: impl Fn(&str) -> IsNormalized) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&x| x >= skip_below) {
        let start = i + p;
        // The stretch ends at the next skippable lead byte (continuation
        // bytes 0x80-0xBF belong to the stretch's characters).
        let end = b[start..]
            .iter()
            .position(|&x| x < 0x80 || (0xC0..skip_below).contains(&x))
            .map_or(b.len(), |q| start + q);
        if quick(&text[start..end]) != IsNormalized::Yes {
            return false;
        }
        i = end;
    }
    true
}

/// `text` without the ZWNJ/ZWJ that do not stand between two letters or
/// marks, or `None` when every joiner stays.
fn drop_loose_joiners(text: &str) -> Option<String> {
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

/// Fullwidth punctuation that NFKC would narrow: `！` to `!`, `，` to `,`,
/// `（` to `(`, halfwidth `｡` `､` `｢` `｣` `･` to their wide forms. Kept as
/// written (letters and digits of the block are still folded).
fn is_cjk_width_punct(c: char) -> bool {
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

/// Normalize a one-line field (title, source): as [`normalize`], then lines
/// joined with a space.
pub fn normalize_field(text: &str, form: NormForm) -> String {
    normalize(text, form).replace('\n', " ")
}

/// The byte a character stands for when UTF-8 bytes were decoded as
/// Windows-1252 (or Latin-1, whose C1 controls fill cp1252's five holes).
fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if (0x80..=0xFF).contains(&u) {
        return Some(u as u8);
    }
    // The 27 printable characters cp1252 puts at 0x80-0x9F (WHATWG
    // encoding standard, index-windows-1252).
    Some(match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    })
}

/// How much a repaired character proves that the text was mojibake.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Evidence {
    /// Sequences that correct text almost never contains: two bytes giving
    /// a Latin or IPA letter or a Latin-1 sign ("Ã©" -> "é", "Ä‡" -> "ć",
    /// "É—" -> "ɗ"), three bytes giving punctuation, a currency or letterlike sign
    /// or the BOM ("â€™" -> "’", "â‚¬" -> "€"), four bytes (emoji), or any
    /// sequence directly next to another one ("Ø§Ù„" -> "ال", "ä¸­æ–‡" ->
    /// "中文").
    Strong,
    /// Any other single sequence: an accented letter followed by a
    /// no-break space and a guillemet forms one by chance in correct French
    /// ("é »" reads as "頻"), so it is repaired only along with strong
    /// evidence in the same line.
    Weak,
}

/// What the bytes `b` decode to, if they are one UTF-8 character that
/// mojibake plausibly came from, and how strong a sign of mojibake that
/// single sequence is.
fn decode_candidate(b: &[u8]) -> Option<(char, Evidence)> {
    let s = std::str::from_utf8(b).ok()?;
    let mut it = s.chars();
    let d = it.next()?;
    if it.next().is_some() {
        return None;
    }
    let u = d as u32;
    let ev = match u {
        // C1 controls, private use, noncharacters: never the original.
        0x80..=0x9F | 0xE000..=0xF8FF | 0xFDD0..=0xFDEF | 0xF0000.. => return None,
        _ if u & 0xFFFE == 0xFFFE => return None,
        // Syriac, Thaana, NKo, ...: a German "ß“" would decode to NKo.
        0x700..=0x7FF => return None,
        // Ogham, Runic, Mongolian, ...: scripts a chance triple produces.
        0x1680..=0x18AF => return None,
        0xA0..=0x2AF | 0x2000..=0x215F | 0xFEFF | 0x10000.. => Evidence::Strong,
        _ => Evidence::Weak,
    };
    Some((d, ev))
}

/// Repair UTF-8 that was decoded as Windows-1252 or Latin-1: "CafÃ©" ->
/// "Café", "donâ€™t" -> "don’t", "Ø§Ù„Ù…ØµØ¯Ø±" -> "المصدر", "ä¸­æ–‡" ->
/// "中文", done twice over ("Ã¢â‚¬â„¢") repaired twice. Returns `None`
/// when nothing was repaired, else the text and the number of sequences
/// repaired.
///
/// Conservative by construction: a sequence is a lead character (the
/// cp1252 reading of a UTF-8 lead byte, `Â`..`ô`) directly followed by the
/// right number of continuation characters (cp1252 readings of
/// 0x80-0xBF), and is replaced only when those bytes are valid UTF-8 for
/// one character that is neither a control, private use nor a rare script
/// that chance pairs produce. The sequences of a line are repaired together
/// or not at all: only when the line holds at least one sequence of strong
/// evidence (see `Evidence`) and more sequences than "orphans", the
/// cp1252 characters (accented letters, quotes, signs) outside any
/// sequence. In mojibake every non-ASCII character became part of a
/// sequence; correct text that forms a sequence by chance has its other
/// accented letters and its opening quote ("« Santé »", "„Ä“") as orphans.
/// Everything else, including correct text in any script, is left exactly
/// as it is.
pub fn fix_mojibake(text: &str) -> Option<(String, u32)> {
    let mut total = 0;
    let mut cur: Option<String> = None;
    // Text that went through the mistake twice needs two rounds.
    for _ in 0..3 {
        let src = cur.as_deref().unwrap_or(text);
        match fix_mojibake_once(src) {
            Some((t, n)) => {
                total += n;
                cur = Some(t);
            }
            None => break,
        }
    }
    cur.map(|t| (t, total))
}

/// Whether `b` holds a lead character of [`fix_mojibake`], U+00C2..U+00F4
/// (C3 82..C3 B4 in UTF-8).
fn has_mojibake_lead(b: &[u8]) -> bool {
    memchr::memchr_iter(0xC3, b).any(|p| matches!(b.get(p + 1), Some(0x82..=0xB4)))
}

fn fix_mojibake_once(text: &str) -> Option<(String, u32)> {
    // Fast path: every sequence starts with a lead character.
    if !has_mojibake_lead(text.as_bytes()) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut fixed = 0;
    for line in text.split_inclusive('\n') {
        // A line without a lead character has no sequence to repair.
        if !has_mojibake_lead(line.as_bytes()) {
            out.push_str(line);
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        // (start, end) char positions, decoded character, evidence.
        let mut cands: Vec<(usize, usize, char, Evidence)> = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let Some(lead) = cp1252_byte(chars[i]).filter(|b| (0xC2..=0xF4).contains(b)) else {
                i += 1;
                continue;
            };
            let n = match lead {
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let mut bytes = [lead, 0, 0, 0];
            let ok = i + n <= chars.len()
                && (1..n).all(|k| match cp1252_byte(chars[i + k]) {
                    Some(b @ 0x80..=0xBF) => {
                        bytes[k] = b;
                        true
                    }
                    _ => false,
                });
            match ok.then(|| decode_candidate(&bytes[..n])).flatten() {
                Some((d, ev)) => {
                    cands.push((i, i + n, d, ev));
                    i += n;
                }
                None => i += 1,
            }
        }
        // A sequence next to another one is strong evidence.
        let adjacent: Vec<bool> = (0..cands.len())
            .map(|k| {
                (k > 0 && cands[k - 1].1 == cands[k].0)
                    || (k + 1 < cands.len() && cands[k].1 == cands[k + 1].0)
            })
            .collect();
        let strong = cands
            .iter()
            .zip(&adjacent)
            .any(|(c, &adj)| c.3 == Evidence::Strong || adj);
        let mut covered = cands.iter().map(|c| (c.0, c.1)).peekable();
        let mut orphans = 0;
        for (p, &c) in chars.iter().enumerate() {
            while covered.peek().is_some_and(|&(_, end)| end <= p) {
                covered.next();
            }
            let inside = covered.peek().is_some_and(|&(start, _)| start <= p);
            if !inside && !c.is_ascii() && !c.is_whitespace() && cp1252_byte(c).is_some() {
                orphans += 1;
            }
        }
        if !strong || cands.len() <= orphans {
            out.push_str(line);
            continue;
        }
        let mut pos = 0;
        for &(start, end, d, _) in &cands {
            out.extend(&chars[pos..start]);
            out.push(d);
            pos = end;
            fixed += 1;
        }
        out.extend(&chars[pos..]);
    }
    (fixed > 0).then_some((out, fixed))
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
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2061}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

fn is_joiner(c: char) -> bool {
    c == '\u{200C}' || c == '\u{200D}'
}

fn is_letterish(c: Option<char>) -> bool {
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

/// Lead bytes of the characters [`strip_invisibles`] changes: ASCII
/// controls (tab and CR included, LF not) and DEL, and the first byte of
/// U+0080-00AD (C2), U+061C (D8), U+180E (E1), U+200B-206F (E2) and
/// U+FEFF, U+FFF9-FFFB (EF). Every other byte starts a character kept as
/// it is, or continues one.
const STRIP_LEAD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b != b'\n' as usize;
        b += 1;
    }
    t[0x7F] = true;
    t[0xC2] = true;
    t[0xD8] = true;
    t[0xE1] = true;
    t[0xE2] = true;
    t[0xEF] = true;
    t
};

/// Line breaks to `\n`, tab to space, controls and invisible format
/// characters removed; `text` itself when none occur.
fn strip_invisibles(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut changed = false;
    // `text[..copied]` is in `out` (or, while nothing changed, unchanged).
    let mut copied = 0;
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&x| STRIP_LEAD[x as usize]) {
        i += p;
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

/// Whitespace folded to single spaces, lines trimmed, runs of blank lines
/// to one, none at either end. Words (runs of non-whitespace) are copied
/// as slices; only non-ASCII characters are decoded, to ask whether they
/// are whitespace.
fn fold_whitespace(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // A blank line since the last line with text (and text before it).
    let mut blank_pending = false;
    // The current line has text in `out`.
    let mut line_has_text = false;
    // Whitespace since the last word of the current line.
    let mut space = false;
    let mut i = 0;
    while i < b.len() {
        // The word starting at `i`, if any, ends at `end`.
        let mut end = i;
        while end < b.len() {
            let x = b[end];
            if x < 0x80 {
                if matches!(x, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
                    break;
                }
                end += 1;
            } else {
                let c = text[end..].chars().next().expect("a character starts here");
                if c.is_whitespace() {
                    break;
                }
                end += c.len_utf8();
            }
        }
        if end > i {
            if line_has_text {
                if space {
                    out.push(' ');
                }
            } else {
                if !out.is_empty() {
                    out.push('\n');
                    if blank_pending {
                        out.push('\n');
                    }
                }
                line_has_text = true;
                blank_pending = false;
            }
            space = false;
            out.push_str(&text[i..end]);
            i = end;
            continue;
        }
        // Whitespace at `i`.
        if b[i] == b'\n' {
            if !line_has_text {
                blank_pending = !out.is_empty();
            }
            line_has_text = false;
            space = false;
            i += 1;
        } else {
            space = true;
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// The previous implementation of [`normalize`] and [`fix_mojibake`], as
/// it was before the byte-level fast paths, kept unchanged as a test
/// oracle: the tests below check that the current functions give
/// byte-identical output on random strings and on the real corpora.
#[cfg(test)]
mod reference {
    use unicode_normalization::{UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

    use super::{
        Evidence, cp1252_byte, decode_candidate, is_cjk_width_punct, is_dropped_format, is_joiner,
        is_letterish,
    };
    use crate::config::NormForm;

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
                    nfkc_keeping_cjk_punctuation(&text)
                }
            }
        }
    }

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

    pub fn fix_mojibake(text: &str) -> Option<(String, u32)> {
        let mut total = 0;
        let mut cur: Option<String> = None;
        // Text that went through the mistake twice needs two rounds.
        for _ in 0..3 {
            let src = cur.as_deref().unwrap_or(text);
            match fix_mojibake_once(src) {
                Some((t, n)) => {
                    total += n;
                    cur = Some(t);
                }
                None => break,
            }
        }
        cur.map(|t| (t, total))
    }

    fn fix_mojibake_once(text: &str) -> Option<(String, u32)> {
        // Fast path: every lead character is in U+00C2..U+00F4.
        if !text.chars().any(|c| ('\u{C2}'..='\u{F4}').contains(&c)) {
            return None;
        }
        let mut out = String::with_capacity(text.len());
        let mut fixed = 0;
        for line in text.split_inclusive('\n') {
            let chars: Vec<char> = line.chars().collect();
            // (start, end) char positions, decoded character, evidence.
            let mut cands: Vec<(usize, usize, char, Evidence)> = Vec::new();
            let mut i = 0;
            while i < chars.len() {
                let Some(lead) = cp1252_byte(chars[i]).filter(|b| (0xC2..=0xF4).contains(b)) else {
                    i += 1;
                    continue;
                };
                let n = match lead {
                    0xC2..=0xDF => 2,
                    0xE0..=0xEF => 3,
                    _ => 4,
                };
                let mut bytes = [lead, 0, 0, 0];
                let ok = i + n <= chars.len()
                    && (1..n).all(|k| match cp1252_byte(chars[i + k]) {
                        Some(b @ 0x80..=0xBF) => {
                            bytes[k] = b;
                            true
                        }
                        _ => false,
                    });
                match ok.then(|| decode_candidate(&bytes[..n])).flatten() {
                    Some((d, ev)) => {
                        cands.push((i, i + n, d, ev));
                        i += n;
                    }
                    None => i += 1,
                }
            }
            // A sequence next to another one is strong evidence.
            let adjacent: Vec<bool> = (0..cands.len())
                .map(|k| {
                    (k > 0 && cands[k - 1].1 == cands[k].0)
                        || (k + 1 < cands.len() && cands[k].1 == cands[k + 1].0)
                })
                .collect();
            let strong = cands
                .iter()
                .zip(&adjacent)
                .any(|(c, &adj)| c.3 == Evidence::Strong || adj);
            let mut covered = cands.iter().map(|c| (c.0, c.1)).peekable();
            let mut orphans = 0;
            for (p, &c) in chars.iter().enumerate() {
                while covered.peek().is_some_and(|&(_, end)| end <= p) {
                    covered.next();
                }
                let inside = covered.peek().is_some_and(|&(start, _)| start <= p);
                if !inside && !c.is_ascii() && !c.is_whitespace() && cp1252_byte(c).is_some() {
                    orphans += 1;
                }
            }
            if !strong || cands.len() <= orphans {
                out.push_str(line);
                continue;
            }
            let mut pos = 0;
            for &(start, end, d, _) in &cands {
                out.extend(&chars[pos..start]);
                out.push(d);
                pos = end;
                fixed += 1;
            }
            out.extend(&chars[pos..]);
        }
        (fixed > 0).then_some((out, fixed))
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces the random strings of `same_as_reference_*` are made of:
    /// every kind of character a pass of `normalize` or `fix_mojibake`
    /// treats differently.
    const PIECES: &[&str] = &[
        "a",
        "Z",
        "word",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\r",
        "\t",
        "\u{0B}",
        "\u{0C}",
        "\u{00}",
        "\u{07}",
        "\u{1F}",
        "\u{7F}",
        "\u{80}",
        "\u{85}",
        "\u{9D}",
        "\u{A0}",
        "\u{AD}",
        "\u{B2}",
        "\u{BD}",
        "\u{2028}",
        "\u{2029}",
        "\u{200B}",
        "\u{200C}",
        "\u{200D}",
        "\u{200E}",
        "\u{200F}",
        "\u{2060}",
        "\u{2062}",
        "\u{2066}",
        "\u{206A}",
        "\u{202A}",
        "\u{202F}",
        "\u{205F}",
        "\u{1680}",
        "\u{180E}",
        "\u{2000}",
        "\u{3000}",
        "\u{FEFF}",
        "\u{FFF9}",
        "\u{061C}",
        "\u{0300}",
        "\u{0301}",
        "\u{0316}",
        "\u{0327}",
        "\u{0338}",
        "\u{0340}",
        "\u{0344}",
        "\u{036F}",
        "\u{0345}",
        "\u{0374}",
        "\u{037E}",
        "\u{0387}",
        "e",
        "=",
        "é",
        "ß",
        "Å",
        "\u{212B}",
        "\u{1100}",
        "\u{1161}",
        "\u{11A8}",
        "\u{AC00}",
        "한",
        "ال",
        "\u{064B}",
        "\u{0651}",
        "ف",
        "中文",
        "日本語",
        "ｶ",
        "ﾞ",
        "\u{FF01}",
        "（",
        "，",
        "\u{FF21}",
        "\u{FF65}",
        "ﬁ",
        "①",
        "\u{0928}\u{094D}",
        "\u{0915}\u{093C}",
        "😀",
        "\u{1F468}",
        "\u{FE0F}",
        "Ã©",
        "â€™",
        "â€œ",
        "â€\u{9D}",
        "Ø§Ù„",
        "Ã¢â‚¬â„¢",
        "ä¸\u{AD}æ–‡",
        "ðŸ˜€",
        "Ã",
        "Â",
        "ô",
        "€",
        "»",
        "«",
        "„",
        "“",
        "—",
        "’",
        "Ñ",
        "Ä‡",
        "ï»¿",
        "\u{0F73}",
        "\u{0F71}\u{0F72}",
        "\u{1D15E}",
        "\u{2126}",
        "\u{0958}",
        "\u{FB1D}",
        "\u{F900}",
        "\u{2F800}",
        "\u{10FFFF}",
        "\u{E000}",
        "\u{D7A3}",
    ];

    /// A deterministic pseudo-random string of `PIECES`.
    fn random_text(state: &mut u64) -> String {
        let mut next = || {
            // xorshift64*
            *state ^= *state >> 12;
            *state ^= *state << 25;
            *state ^= *state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33
        };
        let len = next() % 40;
        // Some strings draw from a few pieces only, so that rare
        // combinations (mark after mark, joiner after joiner) occur.
        let pool = if next() % 2 == 0 {
            PIECES.len()
        } else {
            1 + (next() as usize % 8)
        };
        let offset = next() as usize;
        (0..len)
            .map(|_| PIECES[(offset + next() as usize % pool) % PIECES.len()])
            .collect()
    }

    /// Compare the current functions with `reference` on `text`.
    fn assert_same_as_reference(text: &str) {
        for form in [NormForm::Nfc, NormForm::Nfkc] {
            assert_eq!(
                normalize(text, form),
                reference::normalize(text, form),
                "{form:?} {text:?}"
            );
        }
        assert_eq!(
            fix_mojibake(text),
            reference::fix_mojibake(text),
            "{text:?}"
        );
    }

    #[test]
    fn same_as_reference_on_random_strings() {
        let mut state = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            assert_same_as_reference(&random_text(&mut state));
        }
    }

    /// Every text of the real corpora (../shared/corpora; HTML pages as
    /// text), as is and (every tenth) with its mojibake (read as
    /// Windows-1252), through `normalize` and `fix_mojibake`.
    #[test]
    fn same_as_reference_on_real_corpora() {
        use std::io::BufRead;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
        let Ok(sets) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: {} is absent", dir.display());
            return;
        };
        let mut files: Vec<_> = sets
            .flat_map(|set| std::fs::read_dir(set.unwrap().path()).into_iter().flatten())
            .map(|f| f.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".jsonl.gz"))
            .collect();
        files.sort();
        let mut n = 0;
        for path in &files {
            let f = flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap());
            for line in std::io::BufReader::new(f).lines() {
                let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
                for key in ["text", "gold_text", "title", "html"] {
                    let Some(mut text) = v[key].as_str().map(String::from) else {
                        continue;
                    };
                    if key == "html" {
                        text = crate::html::to_text(&text).text;
                    }
                    n += 1;
                    assert_same_as_reference(&text);
                    if n % 10 == 0 {
                        let (broken, _, _) = encoding_rs::WINDOWS_1252.decode(text.as_bytes());
                        assert_same_as_reference(&broken);
                    }
                }
            }
        }
        eprintln!("{n} texts of {} files", files.len());
        assert!(files.is_empty() || n > 0);
    }

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
    fn repairs_common_mojibake() {
        for (bad, good) in [
            ("CafÃ© au lait, naÃ¯ve", "Café au lait, naïve"),
            ("donâ€™t say â€œnoâ€\u{9d}", "don’t say “no”"),
            ("Ø§Ù„Ù…ØµØ¯Ø±", "المصدر"),
            ("ÐŸÑ€Ð¸Ð²ÐµÑ‚ Ð¼Ð¸Ñ€", "Привет мир"),
            ("ä¸\u{AD}æ–‡æ–°é—»", "中文新闻"),
            ("emoji ðŸ˜€", "emoji 😀"),
            // Through the mistake twice.
            ("donÃ¢â‚¬â„¢t", "don’t"),
            // A repaired line next to correct text in another script.
            ("Ù„Ø§ حرف", "لا حرف"),
            // A lone weak sequence in a line with strong evidence.
            ("Ùˆ Ã© â€“", "و é –"),
            // A BOM read as cp1252, then stripped by normalization.
            ("ï»¿Title", "\u{FEFF}Title"),
        ] {
            let (fixed, n) = fix_mojibake(bad).unwrap_or_else(|| panic!("{bad:?}"));
            assert_eq!(fixed, good);
            assert!(n > 0);
        }
    }

    #[test]
    fn leaves_correct_text_alone() {
        for ok in [
            "São Paulo, Ñandú, Œuvre, naïve, façade, Ærø",
            // German quotes after an accented capital or ß: chance pairs.
            "„Fuß“ und „Öl“ kosten mehr, sagt Ü“",
            "Ангел, сёла, Київ, ґанок",
            "المصدر: صحيفة الوادي",
            "中文新闻。日本語のニュース。",
            "Â la carte Ã",
            // French guillemets after a no-break space, Sami š, a name
            // followed by two no-break spaces (all seen in real corpora).
            "« instabilité\u{A0}», explique-t-il",
            "juvvojit náššuvnnalaš doaibmabijuid",
            "2006 Kaká\u{A0}\u{A0}Milan",
            "„Ä“ und „É“",
            "Il a dit « Santé\u{A0}»",
            "Gdańsk „Łódź“ i „Ę“",
            "",
        ] {
            assert_eq!(fix_mojibake(ok), None, "{ok:?}");
        }
    }

    #[test]
    fn mojibake_is_switchable_and_counted() {
        let on = NormalizeConfig::default();
        let off = NormalizeConfig {
            fix_mojibake: false,
            ..Default::default()
        };
        let t = document_text("Le cafÃ© est fermÃ©.", false, &on);
        assert_eq!(t.text, "Le café est fermé.");
        assert_eq!(t.mojibake_fixed, 2);
        let t = document_text("Le cafÃ© est fermÃ©.", false, &off);
        assert_eq!(t.text, "Le cafÃ© est fermÃ©.");
        assert_eq!(t.mojibake_fixed, 0);
        // C1 controls are read before they would be stripped: "ف" is D9 81.
        assert_eq!(document_text("Ø§Ù\u{81}", false, &on).text, "اف");
    }

    #[test]
    fn html_input_becomes_normalized_text() {
        let t = document_text(
            "<html><head><title>T&eacute;l&eacute;</title></head><body><p>Un&nbsp;\u{200B}texte.</p><p>CafÃ©.</p></body></html>",
            true,
            &NormalizeConfig::default(),
        );
        assert_eq!(t.text, "Un texte.\nCafé.");
        assert_eq!(t.html_title.as_deref(), Some("Télé"));
        assert_eq!(t.mojibake_fixed, 1);
    }

    #[test]
    fn cjk_punctuation_width_is_left_alone() {
        let zh = "北京（记者）报道：今天下雨！明天呢？“好”，她说。";
        let ja = "東京：雨のため、中止となりました！ ｢ｶﾀｶﾅ｣";
        assert_eq!(normalize(zh, NormForm::Nfc), zh);
        assert_eq!(normalize(ja, NormForm::Nfc), ja);
        // NFKC folds letters and digits of the fullwidth block and
        // halfwidth kana, but not the punctuation.
        assert_eq!(
            normalize("Ｆｕｌｌ１２３！（ｗｉｄｅ）", NormForm::Nfkc),
            "Full123！（wide）"
        );
        assert_eq!(normalize(zh, NormForm::Nfkc), zh);
        assert_eq!(normalize("｢ｶﾀｶﾅ｣", NormForm::Nfkc), "｢カタカナ｣");
    }

    #[test]
    fn unusual_invisibles_are_removed() {
        assert_eq!(
            normalize(
                "a\u{061C}b\u{2062}c\u{206A}d\u{FFF9}e\u{2800}f",
                NormForm::Nfc
            ),
            "abcde\u{2800}f"
        );
        assert_eq!(normalize("a\u{205F}b\u{1680}c", NormForm::Nfc), "a b c");
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
            "（全角）！？ｶﾅ",
            "CafÃ© ÐŸÑ€Ð¸",
        ] {
            for f in [NormForm::Nfc, NormForm::Nfkc] {
                let once = normalize(t, f);
                assert_eq!(normalize(&once, f), once, "{t:?}");
            }
        }
    }
}
