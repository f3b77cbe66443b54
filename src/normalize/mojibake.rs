//! Mojibake repair ([`fix_mojibake`]): UTF-8 that was decoded as
//! Windows-1252 or Latin-1 somewhere upstream ("CafÃ©" for "Café", "â€™"
//! for "’", "Ø§Ù„" for "ال") is decoded back, sequence by sequence, when
//! the evidence says it is mojibake and not text written that way.

/// The byte a character stands for when UTF-8 bytes were decoded as
/// Windows-1252 (or Latin-1, whose C1 controls fill cp1252's five holes).
pub(super) fn cp1252_byte(c: char) -> Option<u8> {
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
pub(super) enum Evidence {
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
pub(super) fn decode_candidate(b: &[u8]) -> Option<(char, Evidence)> {
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
