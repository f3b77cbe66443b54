//! FineWeb filter (datatrove `FineWebQualityFilter`, with FineWeb-2's
//! per-language adjustments from the built-in table): share of lines ending
//! in punctuation, of short lines, of characters in duplicated lines, and
//! of newlines per word.

use super::config::FineWebConfig;
use super::gopher_quality::is_terminal;
use super::scratch::{Scratch, char_len, find_duplicates, py_space, reject};
use super::{FilterReject, Ov};

/// Closing quotation marks and brackets.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | ')'
            | ']'
            | '}'
            | '»'
            | '”'
            | '’'
            | '›'
            | '」'
            | '』'
            | '）'
            | '】'
            | '〕'
            | '〉'
            | '》'
    )
}

pub(super) fn fineweb(
    s: &mut Scratch,
    text: &str,
    c: &FineWebConfig,
    ov: Ov<'_>,
) -> Result<(), FilterReject> {
    const F: &str = "fineweb";
    let nonempty = || {
        text.split('\n')
            .filter(|l| !l.trim_matches(py_space).is_empty())
    };
    let (mut n, mut punct, mut short) = (0usize, 0usize, 0usize);
    for l in nonempty() {
        let l = if c.trim_line_ends {
            // Closing quotes and brackets after the final mark (`...!"`,
            // `...。」`) do not hide it.
            l.trim_end_matches(|ch: char| py_space(ch) || is_closing(ch))
        } else {
            l
        };
        n += 1;
        punct += usize::from(l.chars().next_back().is_some_and(is_terminal));
        short += usize::from(char_len(l) <= c.short_line_length);
    }
    if n == 0 {
        return reject(F, "empty", 0.0, 0.0);
    }
    let thr = ov.get(|o| o.line_punct_thr).unwrap_or(c.line_punct_thr);
    let v = punct as f64 / n as f64;
    if v < thr && !(v == 0.0 && c.line_punct_exclude_zero) {
        return reject(F, "line_punct_ratio", v, thr);
    }
    let thr = ov.get(|o| o.short_line_thr).unwrap_or(c.short_line_thr);
    let v = short as f64 / n as f64;
    if v > thr {
        return reject(F, "short_line_ratio", v, thr);
    }
    let thr = ov
        .get(|o| o.char_duplicates_ratio)
        .unwrap_or(c.char_duplicates_ratio);
    let (_, _, dup_chars) = find_duplicates(&mut s.set, nonempty());
    let denom = (char_len(text) - text.bytes().filter(|&b| b == b'\n').count()) as f64;
    let v = dup_chars as f64 / denom;
    if v > thr {
        return reject(F, "char_dup_ratio", v, thr);
    }
    let thr = ov.get(|o| o.new_line_ratio).unwrap_or(c.new_line_ratio);
    let newlines = text.bytes().filter(|&b| b == b'\n').count();
    let v = if s.toks.is_empty() {
        f64::INFINITY
    } else {
        newlines as f64 / s.toks.len() as f64
    };
    if v > thr {
        return reject(F, "list_ratio", v, thr);
    }
    Ok(())
}
