//! The previous implementation of [`super::normalize`] and [`super::fix_mojibake`], as
//! it was before the byte-level fast paths, kept unchanged as a test
//! oracle: the tests check that the current functions give
//! byte-identical output on random strings and on the real corpora.

use unicode_normalization::{UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

use super::NormForm;
use super::compose::is_cjk_width_punct;
use super::invisibles::{is_dropped_format, is_joiner, is_letterish};
use super::mojibake::{Evidence, cp1252_byte, decode_candidate};

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
