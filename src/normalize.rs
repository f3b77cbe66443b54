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

use unicode_normalization::char::canonical_combining_class;
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
const NFC_SKIP_BELOW: u8 = 0xCC;
/// NFKC differs already in Latin-1 (U+00A0, U+00A8, U+00B2 ... decompose):
/// only ASCII can be skipped, as `unicode_normalization` itself does.
const NFKC_SKIP_BELOW: u8 = 0x80;

/// The "safe" tables cover the code points below this: the BMP and the
/// supplementary multilingual plane (emoji, historic scripts). Characters
/// above it are looked up in `unicode_normalization` one by one.
const SAFE_END: u32 = 0x2_0000;

/// One bit per code point below [`SAFE_END`] (see [`safe_table`]).
type SafeTable = [u64; SAFE_END as usize / 64];

/// The characters below [`SAFE_END`] that are starters (canonical
/// combining class 0) with NFC_QC=Yes, one bit each.
fn nfc_safe() -> &'static SafeTable {
    static TABLE: std::sync::OnceLock<Box<SafeTable>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| safe_table(|c| is_nfc_quick(std::iter::once(c))))
}

/// As [`nfc_safe`], for NFKC_QC=Yes.
fn nfkc_safe() -> &'static SafeTable {
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
fn is_safe(safe: &SafeTable, u: u32) -> bool {
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
fn nfc_by_stretches(text: &str) -> String {
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
fn quick_check_yes(
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

/// Line breaks to `\n`, tab to space, controls and invisible format
/// characters removed; `text` itself when none occur. Only the characters
/// at the positions [`scan::strip_hit`] marks are decoded: every other
/// character is kept as it is (a unit test checks this on every `char`).
fn strip_invisibles(text: &str) -> Cow<'_, str> {
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

/// Whether the character starting at `b[i]` is whitespace
/// (`char::is_whitespace`), and its length.
#[inline]
fn whitespace_at(text: &str, i: usize) -> (bool, usize) {
    let x = text.as_bytes()[i];
    if x < 0x80 {
        (matches!(x, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '), 1)
    } else {
        let c = text[i..].chars().next().expect("a character starts here");
        (c.is_whitespace(), c.len_utf8())
    }
}

/// The end of the text run starting at `i`, where a character that is not
/// whitespace starts: the run is the longest stretch of words separated by
/// single spaces (U+0020), so that it is already folded and goes to the
/// output as it is. It ends after its last non-whitespace character.
fn run_end(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    let mut j = i;
    loop {
        // Between `j` and `p`: no whitespace but single spaces, each
        // followed by a byte that is neither a space nor the start of
        // other whitespace (a unit test checks that every whitespace
        // character but the space starts with a byte [`scan::fold_hit`]
        // marks).
        let p = scan::next_fold(b, j);
        if p < b.len() {
            let (ws, len) = whitespace_at(text, p);
            if !ws {
                // A control or non-ASCII character that is no space.
                j = p + len;
                continue;
            }
        }
        // A single space before the whitespace (or the end) that stops
        // the run belongs to that whitespace. `b[i]` is no whitespace, so
        // the run is never empty.
        debug_assert!(p > i);
        return if b[p - 1] == b' ' { p - 1 } else { p };
    }
}

/// Whitespace folded to single spaces, lines trimmed, runs of blank lines
/// to one, none at either end. Text between whitespace that needs folding
/// is copied as whole runs (see [`run_end`]); whitespace is looked at one
/// character at a time.
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
        let (ws, len) = whitespace_at(text, i);
        if ws {
            if b[i] == b'\n' {
                if !line_has_text {
                    blank_pending = !out.is_empty();
                }
                line_has_text = false;
            }
            space = b[i] != b'\n';
            i += len;
            continue;
        }
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
        let end = run_end(text, i);
        out.push_str(&text[i..end]);
        i = end;
    }
    out
}

/// Byte scans for the passes above: the position of the next byte a pass
/// has to look at. Each scan is defined by a predicate on a byte and the
/// byte after it (0 past the end), written once here for one position;
/// on x86_64 the same predicate is computed for 16 positions at once with
/// SSE2 (part of the x86_64 baseline, so no runtime detection), and a unit
/// test checks that both agree for every pair of bytes at every position of
/// a 16-byte block.
mod scan {
    /// Positions [`super::strip_invisibles`] must decode: ASCII controls
    /// (tab and CR included, LF not) and DEL, and the first byte of the
    /// non-ASCII characters it changes, told apart by their second byte:
    /// U+0080-009F and U+00AD (C2 80-9F, C2 AD), U+061C (D8 9C), U+180E
    /// (E1 A0), U+2000-207F (E2 80, E2 81: the bidi controls, invisible
    /// operators and U+2028/9 among them), U+FEC0-FEFF (EF BB) and
    /// U+FFC0-FFFF (EF BF).
    #[inline]
    pub(super) fn strip_hit(x: u8, next: u8) -> bool {
        (x < 0x20 && x != b'\n')
            || x == 0x7F
            || (x == 0xC2 && (next & 0xE0 == 0x80 || next == 0xAD))
            || (x == 0xD8 && next == 0x9C)
            || (x == 0xE1 && next == 0xA0)
            || (x == 0xE2 && next & 0xFE == 0x80)
            || (x == 0xEF && next & 0xFB == 0xBB)
    }

    /// Positions where a run of [`super::fold_whitespace`] may end: ASCII
    /// controls (LF, tab, CR, ... among them), the first of two spaces,
    /// and the first byte of the non-ASCII characters that can be
    /// whitespace, told apart by their second byte: U+0085, U+00A0 (C2 85,
    /// C2 A0), U+1680 (E1 9A), U+2000-207F (E2 80, E2 81) and U+3000-303F
    /// (E3 80).
    #[inline]
    pub(super) fn fold_hit(x: u8, next: u8) -> bool {
        x < 0x20
            || (x == b' ' && next == b' ')
            || (x == 0xC2 && (next == 0x85 || next == 0xA0))
            || (x == 0xE1 && next == 0x9A)
            || (x == 0xE2 && next & 0xFE == 0x80)
            || (x == 0xE3 && next == 0x80)
    }

    /// The first position `i >= from` where `hit(b[i], b[i + 1])` (0 past
    /// the end), or `b.len()`: the definition of the scans, and the scan
    /// of the last bytes after the 16-byte blocks.
    fn scalar(b: &[u8], from: usize, hit: impl Fn(u8, u8) -> bool) -> usize {
        (from..b.len())
            .find(|&i| hit(b[i], b.get(i + 1).copied().unwrap_or(0)))
            .unwrap_or(b.len())
    }

    /// The first position from `from` on that [`strip_hit`] marks, or
    /// `b.len()`.
    #[inline]
    pub(super) fn next_strip(b: &[u8], from: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE2 is enabled on every x86_64 target (asserted below).
        let from = match unsafe { sse2::next_strip(b, from) } {
            Ok(p) => return p,
            Err(tail) => tail,
        };
        scalar(b, from, strip_hit)
    }

    /// The first position from `from` on that [`fold_hit`] marks, or
    /// `b.len()`.
    #[inline]
    pub(super) fn next_fold(b: &[u8], from: usize) -> usize {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE2 is enabled on every x86_64 target (asserted below).
        let from = match unsafe { sse2::next_fold(b, from) } {
            Ok(p) => return p,
            Err(tail) => tail,
        };
        scalar(b, from, fold_hit)
    }

    /// The first position from `from` on whose byte is `t` or more, or
    /// `b.len()`.
    #[inline]
    pub(super) fn next_at_least(b: &[u8], from: usize, t: u8) -> usize {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE2 is enabled on every x86_64 target (asserted below).
        let from = match unsafe { sse2::next_at_least(b, from, t) } {
            Ok(p) => return p,
            Err(tail) => tail,
        };
        scalar(b, from, |x, _| x >= t)
    }

    /// The predicates above on 16 bytes at once. Each `next_*` returns
    /// `Ok(position)` of the first hit, or `Err(tail)`: no hit before
    /// `tail`, where fewer than 17 bytes (16 and the one after) are left.
    #[cfg(target_arch = "x86_64")]
    pub(super) mod sse2 {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_max_epu8, _mm_min_epu8,
            _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
        };

        // The baseline of every x86_64 target has SSE2; the callers'
        // `unsafe` blocks rely on it.
        const _: () = assert!(cfg!(target_feature = "sse2"));

        #[inline]
        #[target_feature(enable = "sse2")]
        fn load(w: &[u8]) -> __m128i {
            let lo = u64::from_le_bytes(w[..8].try_into().expect("8 bytes"));
            let hi = u64::from_le_bytes(w[8..16].try_into().expect("8 bytes"));
            _mm_set_epi64x(hi as i64, lo as i64)
        }

        #[inline]
        #[target_feature(enable = "sse2")]
        fn eq(v: __m128i, c: u8) -> __m128i {
            _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8))
        }

        /// Bytes of `v` that are `t` or more.
        #[inline]
        #[target_feature(enable = "sse2")]
        fn at_least(v: __m128i, t: u8) -> __m128i {
            _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(t as i8)), v)
        }

        /// Bytes of `v` below 0x20.
        #[inline]
        #[target_feature(enable = "sse2")]
        fn control(v: __m128i) -> __m128i {
            _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v)
        }

        /// Bytes of `v` that are `c` after masking with `m`.
        #[inline]
        #[target_feature(enable = "sse2")]
        fn masked_eq(v: __m128i, m: u8, c: u8) -> __m128i {
            eq(_mm_and_si128(v, _mm_set1_epi8(m as i8)), c)
        }

        /// Bit `k` set when [`super::strip_hit`] marks `w[k]` (`w` holds
        /// 17 bytes).
        #[inline]
        #[target_feature(enable = "sse2")]
        pub fn strip_mask(w: &[u8]) -> u32 {
            let x = load(&w[..16]);
            let n = load(&w[1..17]);
            let or = _mm_or_si128;
            let and = _mm_and_si128;
            let ascii = or(_mm_andnot_si128(eq(x, b'\n'), control(x)), eq(x, 0x7F));
            let c2 = and(eq(x, 0xC2), or(masked_eq(n, 0xE0, 0x80), eq(n, 0xAD)));
            let d8 = and(eq(x, 0xD8), eq(n, 0x9C));
            let e1 = and(eq(x, 0xE1), eq(n, 0xA0));
            let e2 = and(eq(x, 0xE2), masked_eq(n, 0xFE, 0x80));
            let ef = and(eq(x, 0xEF), masked_eq(n, 0xFB, 0xBB));
            let all = or(or(or(ascii, c2), or(d8, e1)), or(e2, ef));
            _mm_movemask_epi8(all) as u32
        }

        /// Bit `k` set when [`super::fold_hit`] marks `w[k]` (`w` holds
        /// 17 bytes).
        #[inline]
        #[target_feature(enable = "sse2")]
        pub fn fold_mask(w: &[u8]) -> u32 {
            let x = load(&w[..16]);
            let n = load(&w[1..17]);
            let or = _mm_or_si128;
            let and = _mm_and_si128;
            let ascii = or(control(x), and(eq(x, b' '), eq(n, b' ')));
            let c2 = and(eq(x, 0xC2), or(eq(n, 0x85), eq(n, 0xA0)));
            let e1 = and(eq(x, 0xE1), eq(n, 0x9A));
            let e2 = and(eq(x, 0xE2), masked_eq(n, 0xFE, 0x80));
            let e3 = and(eq(x, 0xE3), eq(n, 0x80));
            let all = or(or(ascii, c2), or(or(e1, e2), e3));
            _mm_movemask_epi8(all) as u32
        }

        #[inline]
        #[target_feature(enable = "sse2")]
        pub fn next_strip(b: &[u8], mut i: usize) -> Result<usize, usize> {
            while let Some(w) = b.get(i..i + 17) {
                let m = strip_mask(w);
                if m != 0 {
                    return Ok(i + m.trailing_zeros() as usize);
                }
                i += 16;
            }
            Err(i)
        }

        #[inline]
        #[target_feature(enable = "sse2")]
        pub fn next_fold(b: &[u8], mut i: usize) -> Result<usize, usize> {
            while let Some(w) = b.get(i..i + 17) {
                let m = fold_mask(w);
                if m != 0 {
                    return Ok(i + m.trailing_zeros() as usize);
                }
                i += 16;
            }
            Err(i)
        }

        /// As the others, but the predicate needs no next byte: stops
        /// when fewer than 16 bytes are left.
        #[inline]
        #[target_feature(enable = "sse2")]
        pub fn next_at_least(b: &[u8], mut i: usize, t: u8) -> Result<usize, usize> {
            while let Some(w) = b.get(i..i + 16) {
                let m = _mm_movemask_epi8(at_least(load(w), t)) as u32;
                if m != 0 {
                    return Ok(i + m.trailing_zeros() as usize);
                }
                i += 16;
            }
            Err(i)
        }
    }
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

    pub fn strip_invisibles(text: &str) -> String {
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

    pub fn fold_whitespace(text: &str) -> String {
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

    /// The next value of a xorshift64* generator (high bits).
    fn xorshift_star(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33
    }

    /// A deterministic pseudo-random string of `PIECES`.
    fn random_text(state: &mut u64) -> String {
        let mut next = || xorshift_star(state);
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

    /// Compare the current functions with `reference` on `text`, and
    /// the quick checks with `unicode_normalization`'s.
    fn assert_same_as_reference(text: &str) {
        for form in [NormForm::Nfc, NormForm::Nfkc] {
            assert_eq!(
                normalize(text, form),
                reference::normalize(text, form),
                "{form:?} {text:?}"
            );
        }
        let stripped = strip_invisibles(text);
        assert_eq!(stripped, reference::strip_invisibles(text), "{text:?}");
        for t in [text, &stripped] {
            assert_eq!(fold_whitespace(t), reference::fold_whitespace(t), "{t:?}");
        }
        assert_quick_checks_agree(text);
        assert_eq!(
            nfc_by_stretches(text),
            text.nfc().collect::<String>(),
            "{text:?}"
        );
        assert_eq!(
            fix_mojibake(text),
            reference::fix_mojibake(text),
            "{text:?}"
        );
    }

    /// [`quick_check_yes`] of both forms against the quick checks of
    /// `unicode_normalization` on `text`.
    fn assert_quick_checks_agree(text: &str) {
        assert_eq!(
            quick_check_yes(text, NFC_SKIP_BELOW, nfc_safe(), |c| {
                is_nfc_quick(std::iter::once(c))
            }),
            is_nfc_quick(text.chars()) == IsNormalized::Yes,
            "NFC {text:?}"
        );
        assert_eq!(
            quick_check_yes(text, NFKC_SKIP_BELOW, nfkc_safe(), |c| {
                is_nfkc_quick(std::iter::once(c))
            }),
            is_nfkc_quick(text.chars()) == IsNormalized::Yes,
            "NFKC {text:?}"
        );
    }

    /// More pieces for the long random strings: words longer than a
    /// 16-byte block, whole words of non-Latin scripts, and the
    /// neighbours (same first, or first and second, UTF-8 bytes) of the
    /// characters the byte scans look for.
    const LONG_PIECES: &[&str] = &[
        "abcdefghijklmnopqrstuvwxyz",
        "The quick brown fox jumps over the lazy dog.",
        "0123456789",
        " x ",
        " ",
        "   ",
        " \n ",
        "\n\n",
        " \u{A0}",
        "\u{A0} ",
        "Привет, мир",
        "Ελληνικά κείμενα",
        "Tiếng Việt có dấu",
        "ሰላም ለዓለም",
        "ქართული",
        "العربية الفصحى",
        "\u{061B}",
        "\u{0627}\u{064E}",
        "한국어 문장",
        "\u{1100}\u{1161}\u{11A8}",
        "中文文本，日本語。",
        "\u{3001}\u{3002}\u{3000}\u{303F}",
        "\u{2019}\u{201C}\u{201D}\u{2014}\u{2026}\u{2030}",
        "\u{2040}\u{205E}\u{205F}\u{2070}\u{207F}",
        "\u{180B}\u{1820}\u{180E}\u{1680}\u{169C}",
        "\u{00A9}\u{00AB}\u{00BB}\u{00B0}\u{00AC}\u{00AE}",
        "\u{FEC9}\u{FEFC}\u{FEFF}\u{FFC2}\u{FFFD}\u{FFFA}\u{FFF8}",
        "e\u{0301}\u{0316}",
        "a\u{0316}\u{0301}",
        "\u{05D0}\u{05B0}\u{05B4}",
        "\u{0915}\u{094D}\u{200D}\u{0937}",
        "👨\u{200D}👩\u{200D}👧",
        "\u{1F600}\u{1F3FB}",
        "\u{20000}\u{2F800}",
    ];

    /// A deterministic pseudo-random string, up to a few kilobytes, of
    /// `PIECES` and `LONG_PIECES`.
    fn long_random_text(state: &mut u64) -> String {
        let mut next = || xorshift_star(state);
        let len = next() % 200;
        (0..len)
            .map(|_| {
                let k = next() as usize;
                if k.is_multiple_of(3) {
                    PIECES[k / 3 % PIECES.len()]
                } else {
                    LONG_PIECES[k / 3 % LONG_PIECES.len()]
                }
            })
            .collect()
    }

    #[test]
    fn same_as_reference_on_long_random_strings() {
        let mut state = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            let text = long_random_text(&mut state);
            assert_same_as_reference(&text);
            // Every alignment of the text against the 16-byte blocks.
            for skip in 1..16 {
                if let Some(t) = text.get(skip..) {
                    let stripped = strip_invisibles(t);
                    assert_eq!(stripped, reference::strip_invisibles(t), "{t:?}");
                    assert_eq!(fold_whitespace(t), reference::fold_whitespace(t), "{t:?}");
                    assert_eq!(
                        fold_whitespace(&stripped),
                        reference::fold_whitespace(&stripped),
                        "{t:?}"
                    );
                    assert_quick_checks_agree(t);
                }
            }
        }
    }

    /// The predicates of `scan` single out every character their pass must
    /// look at: every character `strip_invisibles` changes, every
    /// whitespace character but the space (and the first of two spaces).
    #[test]
    fn scan_predicates_mark_every_character_that_matters() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let s: &str = c.encode_utf8(&mut buf);
            let (x, next) = (s.as_bytes()[0], s.as_bytes().get(1).copied().unwrap_or(0));
            // A character alone, then before a line feed (CR LF).
            for t in [s.to_string(), format!("{s}\n")] {
                if reference::strip_invisibles(&t) != t {
                    assert!(scan::strip_hit(x, next), "{c:?}");
                }
            }
            if c.is_whitespace() && c != ' ' {
                assert!(scan::fold_hit(x, next), "{c:?}");
            }
        }
        assert!(scan::fold_hit(b' ', b' '));
    }

    /// The SSE2 masks give, at each of the 16 positions of a block, the
    /// predicate of that position, for every pair of bytes at every
    /// position (the rest of the block is filler that marks nothing).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn scan_sse2_same_as_predicates() {
        for k in 0..16 {
            for x in 0..=255u8 {
                for next in 0..=255u8 {
                    let mut w = [b'a'; 17];
                    w[k] = x;
                    w[k + 1] = next;
                    let mut want_strip = 0;
                    let mut want_fold = 0;
                    for p in 0..16 {
                        want_strip |= u32::from(scan::strip_hit(w[p], w[p + 1])) << p;
                        want_fold |= u32::from(scan::fold_hit(w[p], w[p + 1])) << p;
                    }
                    // SAFETY: SSE2 is enabled on every x86_64 target.
                    let (got_strip, got_fold) =
                        unsafe { (scan::sse2::strip_mask(&w), scan::sse2::fold_mask(&w)) };
                    assert_eq!(got_strip, want_strip, "{k} {x:#x} {next:#x}");
                    assert_eq!(got_fold, want_fold, "{k} {x:#x} {next:#x}");
                }
            }
        }
        // The threshold scan, for every threshold and byte.
        for t in 0..=255u8 {
            for x in 0..=255u8 {
                for k in 0..20 {
                    let mut b = vec![0u8; 40];
                    b[k] = x;
                    let want = if t == 0 {
                        0
                    } else if x >= t {
                        k
                    } else {
                        b.len()
                    };
                    assert_eq!(scan::next_at_least(&b, 0, t), want, "{t} {x} {k}");
                }
            }
        }
    }

    /// The scans on whole texts: every start position of random texts.
    #[test]
    fn scans_same_as_definition() {
        let mut state = 0x0123_4567_89AB_CDEF;
        for _ in 0..2_000 {
            let text = long_random_text(&mut state);
            let b = text.as_bytes();
            for from in 0..=b.len() {
                let def = |hit: &dyn Fn(u8, u8) -> bool| {
                    (from..b.len())
                        .find(|&i| hit(b[i], b.get(i + 1).copied().unwrap_or(0)))
                        .unwrap_or(b.len())
                };
                assert_eq!(scan::next_strip(b, from), def(&scan::strip_hit));
                assert_eq!(scan::next_fold(b, from), def(&scan::fold_hit));
                for t in [0x80, 0xCC] {
                    assert_eq!(scan::next_at_least(b, from, t), def(&|x, _| x >= t));
                }
            }
        }
    }

    /// The tables of safe characters hold exactly the starters with
    /// quick-check Yes, and every character the quick check skips by its
    /// lead byte is one of them.
    #[test]
    fn safe_tables_match_unicode_normalization() {
        for c in (0..SAFE_END).filter_map(char::from_u32) {
            let u = c as usize;
            let starter = canonical_combining_class(c) == 0;
            let nfc = starter && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes;
            let nfkc = starter && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes;
            assert_eq!(nfc_safe()[u / 64] >> (u % 64) & 1 == 1, nfc, "{c:?}");
            assert_eq!(nfkc_safe()[u / 64] >> (u % 64) & 1 == 1, nfkc, "{c:?}");
            let mut buf = [0; 4];
            let lead = c.encode_utf8(&mut buf).as_bytes()[0];
            if lead < NFC_SKIP_BELOW {
                assert!(nfc, "{c:?}");
            }
            if lead < NFKC_SKIP_BELOW {
                assert!(nfkc, "{c:?}");
            }
        }
    }

    /// [`quick_check_yes`] and [`nfc_by_stretches`] against
    /// `unicode_normalization` with every `char` between neighbours of
    /// different combining classes (starters, marks of class 1, 9, 220,
    /// 230, 240), Hangul jamo and syllables, characters with NFC_QC=No or
    /// Maybe, and first characters of compositions.
    #[test]
    fn quick_check_and_nfc_same_as_unicode_normalization_on_every_char() {
        let around = [
            ("", ""),
            ("a", "\u{0301}"),
            ("\u{0301}", "\u{0316}"),
            ("\u{0316}", "\u{0345}"),
            ("\u{0334}", "\u{094D}"),
            ("\u{1100}", "\u{1161}"),
            ("\u{AC00}", "\u{11A8}"),
            ("\u{0345}", "x"),
            ("\u{0340}", ""),
            ("e", "\u{0B3E}"),
            ("\u{0B47}", "\u{0CD5}"),
            ("\u{1025}", "\u{102E}"),
            ("\u{05D0}", "\u{05B7}\u{05BC}"),
        ];
        let mut buf = String::new();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for (before, after) in around {
                buf.clear();
                buf.push_str(before);
                buf.push(c);
                buf.push_str(after);
                assert_quick_checks_agree(&buf);
                assert_eq!(
                    nfc_by_stretches(&buf),
                    buf.nfc().collect::<String>(),
                    "{buf:?}"
                );
            }
        }
    }

    /// What [`nfc_by_stretches`] relies on: a safe character decomposes
    /// to a starter that is never the second character of a composition.
    /// The second characters are taken as the last characters of the
    /// canonical decomposition of every primary composite (the second of a
    /// pair never decomposes further); Hangul jamo are among them through
    /// the syllables.
    #[test]
    fn safe_characters_never_compose_with_what_precedes() {
        let mut seconds = std::collections::HashSet::new();
        for p in (0..=0x10FFFF).filter_map(char::from_u32) {
            let d: Vec<char> = std::iter::once(p).nfd().collect();
            // Only primary composites, which NFC leaves as they are (not
            // composition exclusions such as U+0F69).
            if d.len() >= 2 && std::iter::once(p).nfc().eq([p]) {
                seconds.insert(*d.last().unwrap());
            }
        }
        assert!(seconds.contains(&'\u{0301}') && seconds.contains(&'\u{11A8}'));
        for safe in [nfc_safe(), nfkc_safe()] {
            for c in (0..SAFE_END).filter_map(char::from_u32) {
                if !is_safe(safe, c as u32) {
                    continue;
                }
                let first = std::iter::once(c).nfd().next().unwrap();
                assert_eq!(canonical_combining_class(first), 0, "{c:?}");
                assert!(!seconds.contains(&first), "{c:?}");
                assert_eq!(
                    is_nfc_quick(std::iter::once(first)),
                    IsNormalized::Yes,
                    "{c:?}"
                );
            }
        }
    }

    #[test]
    fn same_as_reference_on_random_strings() {
        let mut state = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            assert_same_as_reference(&random_text(&mut state));
        }
    }

    /// Every text of the real corpora (../shared/corpora: the text, gold
    /// text, title and HTML page turned into text of each record), and the
    /// number of files; `None` (with the reason printed) when the corpora
    /// are absent.
    fn corpus_texts() -> Option<(Vec<String>, usize)> {
        use std::io::BufRead;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
        let Ok(sets) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: {} is absent", dir.display());
            return None;
        };
        let mut files: Vec<_> = sets
            .flat_map(|set| std::fs::read_dir(set.unwrap().path()).into_iter().flatten())
            .map(|f| f.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".jsonl.gz"))
            .collect();
        files.sort();
        let mut texts = Vec::new();
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
                    texts.push(text);
                }
            }
        }
        Some((texts, files.len()))
    }

    /// Every text of the real corpora, as is and (every tenth) with its
    /// mojibake (read as Windows-1252), through `normalize`,
    /// `fix_mojibake` and each pass of `normalize`.
    #[test]
    fn same_as_reference_on_real_corpora() {
        let Some((texts, files)) = corpus_texts() else {
            return;
        };
        for (n, text) in texts.iter().enumerate() {
            assert_same_as_reference(text);
            if (n + 1) % 10 == 0 {
                let (broken, _, _) = encoding_rs::WINDOWS_1252.decode(text.as_bytes());
                assert_same_as_reference(&broken);
            }
        }
        eprintln!("{} texts of {files} files", texts.len());
        assert!(files == 0 || !texts.is_empty());
    }

    /// Time of `normalize` (NFC) and of its passes on every text of the
    /// real corpora, best of 5 rounds:
    /// `cargo test --release --lib bench_normalize -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_normalize_on_real_corpora() {
        let Some((texts, _)) = corpus_texts() else {
            return;
        };
        let bytes: usize = texts.iter().map(String::len).sum();
        let stripped: Vec<String> = texts
            .iter()
            .map(|t| strip_invisibles(t).into_owned())
            .collect();
        let time = |name: &str, f: &dyn Fn(&str) -> usize, input: &[String]| {
            let mut best = f64::MAX;
            let mut sink = 0;
            for _ in 0..5 {
                let t0 = std::time::Instant::now();
                for t in input {
                    sink += f(std::hint::black_box(t));
                }
                best = best.min(t0.elapsed().as_secs_f64());
            }
            eprintln!(
                "{name:>14}: {:7.2} ms, {:5.2} ns/byte ({sink})",
                best * 1e3,
                best * 1e9 / bytes as f64
            );
        };
        eprintln!("{} texts, {bytes} bytes", texts.len());
        time(
            "normalize NFC",
            &|t| normalize(t, NormForm::Nfc).len(),
            &texts,
        );
        time(
            "normalize NFKC",
            &|t| normalize(t, NormForm::Nfkc).len(),
            &texts,
        );
        time("strip", &|t| strip_invisibles(t).len(), &texts);
        time(
            "NFC check",
            &|t| {
                usize::from(quick_check_yes(t, NFC_SKIP_BELOW, nfc_safe(), |c| {
                    is_nfc_quick(std::iter::once(c))
                }))
            },
            &stripped,
        );
        time("fold", &|t| fold_whitespace(t).len(), &stripped);
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
