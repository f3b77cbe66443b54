//! Gopher quality filter (Rae et al. 2021; datatrove `GopherQualityFilter`):
//! word count, mean word length, symbol-to-word ratio, bullet and ellipsis
//! lines, share of words with a letter, and stop words (per language from
//! the built-in table or the config). Punctuation and terminal punctuation
//! are datatrove 0.10.1's sets.

use super::config::GopherQualityConfig;
use super::scratch::{Scratch, Tok, py_space, py_splitlines, reject};
use super::{FilterReject, Ov};

/// datatrove `PUNCTUATION_SET` (ASCII part): ASCII punctuation plus control
/// characters except \t, \n.
#[inline]
pub(super) fn is_dt_punct(c: char) -> bool {
    let u = c as u32;
    if u < 0x80 {
        return c.is_ascii_punctuation() || (u < 0x20 && u != 9 && u != 10) || u == 0x7f;
    }
    if (0x80..0xA0).contains(&u) {
        return true;
    }
    // non-ASCII members of datatrove's PUNCTUATION plus its TERMINAL_PUNCTUATION
    DT_PUNCT_NON_ASCII.binary_search(&c).is_ok() || DT_TERMINAL.binary_search(&c).is_ok()
}

/// Non-ASCII characters (>= U+00A0) of datatrove 0.10.1 `utils/text.py::PUNCTUATION`, sorted.
const DT_PUNCT_NON_ASCII: [char; 34] = [
    '«', '´', '»', '–', '—', '’', '“', '”', '„', '…', '∶', '━', '►', '、', '。', '〈', '〉', '《',
    '》', '「', '」', '【', '】', '！', '％', '（', '）', '，', '．', '１', '：', '；', '？', '～',
];

/// datatrove 0.10.1 `TERMINAL_PUNCTUATION` (sentence-final marks of many scripts), sorted by code point.
pub(super) const DT_TERMINAL: [char; 159] = [
    '!',
    '.',
    '?',
    '։',
    '؝',
    '؞',
    '؟',
    '۔',
    '܀',
    '܁',
    '܂',
    '߹',
    '࠷',
    '࠹',
    '࠽',
    '࠾',
    '।',
    '॥',
    '၊',
    '။',
    '።',
    '፧',
    '፨',
    '᙮',
    '᜵',
    '᜶',
    '។',
    '៕',
    '៖',
    '៙',
    '៚',
    '᠃',
    '᠉',
    '᥄',
    '᥅',
    '᪨',
    '᪩',
    '᪪',
    '᪫',
    '᭚',
    '᭛',
    '᭞',
    '᭟',
    '᭽',
    '᭾',
    '᰻',
    '᰼',
    '᱾',
    '᱿',
    '‼',
    '‽',
    '⁇',
    '⁈',
    '⁉',
    '⸮',
    '⸼',
    '⹓',
    '⹔',
    '。',
    '꓿',
    '꘎',
    '꘏',
    '꛳',
    '꛷',
    '꡶',
    '꡷',
    '꣎',
    '꣏',
    '꤯',
    '꧈',
    '꧉',
    '꩝',
    '꩞',
    '꩟',
    '꫰',
    '꫱',
    '꯫',
    '﹒',
    '﹖',
    '﹗',
    '！',
    '．',
    '？',
    '｡',
    '\u{10A56}',
    '\u{10A57}',
    '\u{10F55}',
    '\u{10F56}',
    '\u{10F57}',
    '\u{10F58}',
    '\u{10F59}',
    '\u{10F86}',
    '\u{10F87}',
    '\u{10F88}',
    '\u{10F89}',
    '\u{11047}',
    '\u{11048}',
    '\u{110BE}',
    '\u{110BF}',
    '\u{110C0}',
    '\u{110C1}',
    '\u{11141}',
    '\u{11142}',
    '\u{11143}',
    '\u{111C5}',
    '\u{111C6}',
    '\u{111CD}',
    '\u{111DE}',
    '\u{111DF}',
    '\u{11238}',
    '\u{11239}',
    '\u{1123B}',
    '\u{1123C}',
    '\u{112A9}',
    '\u{1144B}',
    '\u{1144C}',
    '\u{115C2}',
    '\u{115C3}',
    '\u{115C9}',
    '\u{115CA}',
    '\u{115CB}',
    '\u{115CC}',
    '\u{115CD}',
    '\u{115CE}',
    '\u{115CF}',
    '\u{115D0}',
    '\u{115D1}',
    '\u{115D2}',
    '\u{115D3}',
    '\u{115D4}',
    '\u{115D5}',
    '\u{115D6}',
    '\u{115D7}',
    '\u{11641}',
    '\u{11642}',
    '\u{1173C}',
    '\u{1173D}',
    '\u{1173E}',
    '\u{11944}',
    '\u{11946}',
    '\u{11A42}',
    '\u{11A43}',
    '\u{11A9B}',
    '\u{11A9C}',
    '\u{11C41}',
    '\u{11C42}',
    '\u{11EF7}',
    '\u{11EF8}',
    '\u{11F43}',
    '\u{11F44}',
    '\u{16A6E}',
    '\u{16A6F}',
    '\u{16AF5}',
    '\u{16B37}',
    '\u{16B38}',
    '\u{16B44}',
    '\u{16E98}',
    '\u{1BC9F}',
    '\u{1DA88}',
];

#[inline]
pub(super) fn is_terminal(c: char) -> bool {
    DT_TERMINAL.binary_search(&c).is_ok()
}

pub(super) fn gopher_quality(
    no_table: bool,
    s: &Scratch,
    text: &str,
    c: &GopherQualityConfig,
    ov: Ov<'_>,
    lang: &str,
) -> Result<(), FilterReject> {
    const F: &str = "gopher_quality";
    let toks = &s.toks;
    let n_words = toks.len();
    let mut n_nonsym = 0usize;
    let mut nonsym_chars = 0usize;
    let mut n_alpha = 0usize;
    for t in toks {
        let w = &text[t.start as usize..t.end as usize];
        let mut nonsym = false;
        let mut alpha = false;
        for ch in w.chars() {
            if !nonsym && !is_dt_punct(ch) {
                nonsym = true;
            }
            if !alpha && crate::chars::is_alphabetic(ch) {
                alpha = true;
            }
            if nonsym && alpha {
                break;
            }
        }
        if nonsym {
            n_nonsym += 1;
            nonsym_chars += t.chars as usize;
        }
        n_alpha += usize::from(alpha);
    }
    let min_doc_words = ov.get(|o| o.min_doc_words).unwrap_or(c.min_doc_words);
    if min_doc_words > 0 && n_nonsym < min_doc_words {
        return reject(F, "gopher_short_doc", n_nonsym as f64, min_doc_words as f64);
    }
    if c.max_doc_words > 0 && n_nonsym > c.max_doc_words {
        return reject(
            F,
            "gopher_long_doc",
            n_nonsym as f64,
            c.max_doc_words as f64,
        );
    }
    let avg = if n_nonsym == 0 {
        f64::NAN
    } else {
        nonsym_chars as f64 / n_nonsym as f64
    };
    let min_avg = ov
        .get(|o| o.min_avg_word_length)
        .unwrap_or(c.min_avg_word_length);
    let max_avg = ov
        .get(|o| o.max_avg_word_length)
        .unwrap_or(c.max_avg_word_length);
    if min_avg > 0.0 && avg < min_avg {
        return reject(F, "gopher_below_avg_threshold", avg, min_avg);
    }
    if max_avg > 0.0 && avg > max_avg {
        return reject(F, "gopher_above_avg_threshold", avg, max_avg);
    }
    let nw = n_words.max(1) as f64;
    if c.max_symbol_word_ratio > 0.0 {
        let v = text.bytes().filter(|&b| b == b'#').count() as f64 / nw;
        if v > c.max_symbol_word_ratio {
            return reject(F, "gopher_too_many_hashes", v, c.max_symbol_word_ratio);
        }
        let v = (text.matches("...").count() + text.matches('…').count()) as f64 / nw;
        if v > c.max_symbol_word_ratio {
            return reject(F, "gopher_too_many_ellipsis", v, c.max_symbol_word_ratio);
        }
    }
    if c.max_bullet_lines_ratio > 0.0 || c.max_ellipsis_lines_ratio > 0.0 {
        let (mut n, mut bullets, mut ell) = (0usize, 0usize, 0usize);
        for l in py_splitlines(text) {
            n += 1;
            let ls = l.trim_start_matches(py_space);
            bullets += usize::from(ls.starts_with('•') || ls.starts_with('-'));
            let rs = l.trim_end_matches(py_space);
            ell += usize::from(rs.ends_with("...") || rs.ends_with('…'));
        }
        let n = n.max(1) as f64;
        let v = bullets as f64 / n;
        if c.max_bullet_lines_ratio > 0.0 && v > c.max_bullet_lines_ratio {
            return reject(F, "gopher_too_many_bullets", v, c.max_bullet_lines_ratio);
        }
        let v = ell as f64 / n;
        if c.max_ellipsis_lines_ratio > 0.0 && v > c.max_ellipsis_lines_ratio {
            return reject(
                F,
                "gopher_too_many_end_ellipsis",
                v,
                c.max_ellipsis_lines_ratio,
            );
        }
    }
    let alpha_thr = ov
        .get(|o| o.max_non_alpha_words_ratio)
        .unwrap_or(c.max_non_alpha_words_ratio);
    let v = n_alpha as f64 / nw;
    if alpha_thr > 0.0 && v < alpha_thr {
        return reject(F, "gopher_below_alpha_threshold", v, alpha_thr);
    }
    let min_stop = ov.get(|o| o.min_stop_words).unwrap_or(c.min_stop_words);
    let list: Option<&[String]> = match ov.get(|o| o.stop_words.as_deref()) {
        Some(l) => Some(l),
        // the global list applies to English, to documents without a language,
        // and to every document when no language table is configured (the
        // published setting); other languages without a list skip the check
        None if no_table || lang.is_empty() || lang.starts_with("eng") => Some(&c.stop_words),
        None => None,
    };
    if let Some(list) = list
        && min_stop > 0
    {
        let found = count_distinct_stop_words(text, toks, list, min_stop, c.stop_words_casefold);
        if found < min_stop {
            return reject(F, "gopher_enough_stop_words", found as f64, min_stop as f64);
        }
    }
    Ok(())
}

/// Number of distinct entries of `list` occurring as tokens (stops at `enough`).
fn count_distinct_stop_words(
    text: &str,
    toks: &[Tok],
    list: &[String],
    enough: usize,
    casefold: bool,
) -> usize {
    let mut seen = 0u64; // bitmask over the first 64 entries
    let mut found = 0usize;
    for t in toks {
        let w = &text[t.start as usize..t.end as usize];
        if w.len() > 24 {
            continue;
        }
        for (i, sw) in list.iter().enumerate().take(64) {
            let equal = sw.len() == w.len()
                && (sw == w || (casefold && w.chars().flat_map(char::to_lowercase).eq(sw.chars())));
            if equal && seen & (1 << i) == 0 {
                seen |= 1 << i;
                found += 1;
                if found >= enough {
                    return found;
                }
            }
        }
    }
    found
}
