//! Word, token and sentence segmentation for every script.
//!
//! Guarantees:
//! - Text in scripts that separate words with spaces (Latin, Cyrillic, Greek,
//!   Arabic, Hebrew, Devanagari, Hangul, ...) is split on Unicode word
//!   boundaries (UAX #29, `unicode-segmentation`).
//! - Maximal runs of Han, Hiragana, Katakana, Thai, Lao, Khmer and Myanmar
//!   characters are split with ICU4X's dictionary word segmenter
//!   (`icu_segmenter::WordSegmenter::new_dictionary`, compiled data, built
//!   once per process), so a Chinese article of 600 characters yields a few
//!   hundred words (UDHR zh, 600 chars: 331 words), not 1 and not 600. The
//!   dictionary model is used for Thai/Lao/Khmer/Myanmar too: ICU4X's LSTM
//!   (`new_auto`) was 60x slower on Thai (0.2 MB/s) for no gain in agreement
//!   with ICU4C.
//! - [`tokens`] returns what datatrove's spaCy-based `split_into_words`
//!   counts: words *and* punctuation tokens. On top of UAX #29 it follows
//!   spaCy's English rules that concern words: contractions (`n't 's 're 'll
//!   've 'm 'd`) and French/Italian elisions (`l' d' j' qu' n' s' c' m' t'`)
//!   are separate tokens; "Dr.", "U.S.", initials, URLs, e-mail addresses,
//!   "+87", "COVID-19", "16:00" are one token; "10km" is "10" + "km"; a run
//!   of "." or "-" is one token; "Brésil.Il" splits at the period. The
//!   quality filters use tokens; `scripts/filter_parity.py` measures the
//!   remaining difference to spaCy.
//! - [`words`] / [`count_words`] return only tokens containing a letter or a
//!   digit (what the `n_words` column reports).
//! - [`sentences`] / [`count_sentences`] use UAX #29 sentence boundaries and
//!   count only sentences that contain a letter or a digit.
//! - Every returned `&str` is a sub-slice of the input; the push-style
//!   [`for_each_token`] allocates nothing for spaced scripts.

use std::sync::OnceLock;

use icu_segmenter::WordSegmenter;
use icu_segmenter::WordSegmenterBorrowed;
use icu_segmenter::options::WordBreakInvariantOptions;
use unicode_segmentation::UnicodeSegmentation;

fn icu_segmenter() -> WordSegmenterBorrowed<'static> {
    static SEG: OnceLock<WordSegmenterBorrowed<'static>> = OnceLock::new();
    *SEG.get_or_init(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()))
}

/// True for characters of scripts written without spaces between words, which
/// need dictionary segmentation (plus the marks commonly found inside such runs).
#[inline]
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF          // Thai, Lao
        | 0x1000..=0x109F        // Myanmar
        | 0xA9E0..=0xA9FF        // Myanmar Extended-B
        | 0xAA60..=0xAA7F        // Myanmar Extended-A
        | 0x1780..=0x17FF        // Khmer
        | 0x19E0..=0x19FF        // Khmer symbols
        | 0x3005..=0x3007        // 々 〆 〇
        | 0x303B                 // 〻
        | 0x3040..=0x30FF        // Hiragana, Katakana (incl. ー)
        | 0x31F0..=0x31FF        // Katakana phonetic extensions
        | 0x3400..=0x4DBF        // CJK Extension A
        | 0x4E00..=0x9FFF        // CJK Unified Ideographs
        | 0xF900..=0xFAFF        // CJK Compatibility Ideographs
        | 0xFF66..=0xFF9F        // Halfwidth Katakana
        | 0x20000..=0x3134F      // CJK Extensions B..G
    )
}

/// Emits the byte span `(start, end)` of every token of `text`, in order.
///
/// Tokens are words and punctuation marks; whitespace is never a token.
pub fn for_each_token(text: &str, mut emit: impl FnMut(usize, usize)) {
    // Fast path: every unspaced-script character is >= U+0E00, i.e. encoded
    // with a lead byte >= 0xE0.
    if !text.as_bytes().iter().any(|&b| b >= 0xE0) {
        flush_run(text, 0, text.len(), false, &mut emit);
        return;
    }
    let mut run_start = 0;
    let mut run_unspaced = false;
    for (i, c) in text.char_indices() {
        let u = is_unspaced_script(c);
        if u != run_unspaced {
            if i > run_start {
                flush_run(text, run_start, i, run_unspaced, &mut emit);
            }
            run_start = i;
            run_unspaced = u;
        }
    }
    if text.len() > run_start {
        flush_run(text, run_start, text.len(), run_unspaced, &mut emit);
    }
}

fn flush_run(text: &str, s: usize, e: usize, unspaced: bool, emit: &mut impl FnMut(usize, usize)) {
    if unspaced {
        let run = &text[s..e];
        let mut prev = 0;
        for bp in icu_segmenter().segment_str(run) {
            if bp > prev {
                emit(s + prev, s + bp);
            }
            prev = bp;
        }
    } else {
        let run = &text[s..e];
        if run.contains("://") || run.contains("www.") || run.contains('@') {
            spaced_with_links(run, s, emit);
        } else {
            spaced_tokens(run, s, emit);
        }
    }
}

/// Like [`spaced_tokens`], but a URL (`http://`, `https://`, `www.`) or an
/// e-mail address is one token, as in spaCy (surrounding brackets, quotes
/// and final punctuation stay separate tokens).
fn spaced_with_links(run: &str, base: usize, emit: &mut impl FnMut(usize, usize)) {
    for chunk in run.split(char::is_whitespace) {
        let off = chunk.as_ptr() as usize - run.as_ptr() as usize;
        let core_start = chunk.len()
            - chunk
                .trim_start_matches(['(', '[', '<', '"', '\'', '\u{201c}', '\u{2018}'])
                .len();
        let core = chunk[core_start..].trim_end_matches([
            '.', ',', ';', ':', '!', '?', ')', ']', '>', '"', '\'', '\u{201d}', '\u{2019}',
        ]);
        let core_end = core_start + core.len();
        let is_url =
            core.starts_with("http://") || core.starts_with("https://") || core.starts_with("www.");
        let is_email = core.find('@').is_some_and(|at| {
            at > 0
                && core[at + 1..].contains('.')
                && core[..at]
                    .chars()
                    .all(|c| c.is_alphanumeric() || "._-+".contains(c))
        });
        if (is_url || is_email) && core.len() > 4 {
            spaced_tokens(&chunk[..core_start], base + off, emit);
            emit(base + off + core_start, base + off + core_end);
            spaced_tokens(&chunk[core_end..], base + off + core_end, emit);
        } else {
            spaced_tokens(chunk, base + off, emit);
        }
    }
}

#[inline]
fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// UAX #29 segments without whitespace, adjusted towards spaCy's English
/// tokens: runs of "." or "-" merged ("...", "--"); `16:00`, `1/2`,
/// `COVID-19` kept whole (`:` or `/` between an alphanumeric and a digit, `-`
/// between a letter and a digit; `3-0` stays split, as in spaCy); a hyphen
/// ending a word and a "." starting one stay attached (`ibe-`, `.THE`);
/// `'s`-type clitics split off; runs of `_` split into single characters.
fn spaced_tokens(seg: &str, base: usize, emit: &mut impl FnMut(usize, usize)) {
    // token not yet emitted, may still grow: (start, end, run byte b'.'/b'-' or 0)
    let mut pending: Option<(usize, usize, u8)> = None;
    let mut it = super::wordbreak::word_bound_indices(seg).peekable();
    while let Some((off, piece)) = it.next() {
        let s = base + off;
        let e = s + piece.len();
        let first = piece.chars().next().unwrap_or(' ');
        if first.is_whitespace() && piece.chars().all(char::is_whitespace) {
            if let Some(p) = pending.take() {
                emit(p.0, p.1);
            }
            continue;
        }
        let touching = pending.filter(|p| p.1 == s);
        let run = match piece {
            "." => b'.',
            "-" => b'-',
            _ => 0,
        };
        if let Some(p) = touching.filter(|p| run != 0 && p.2 == run) {
            pending = Some((p.0, e, run));
            continue;
        }
        // "Dr.", "U.S.", "A." stay one token (spaCy's abbreviation exceptions)
        if let Some(p) = touching.filter(|p| run == b'.' && p.2 == 0)
            && is_abbreviation(&seg[p.0 - base..p.1 - base])
        {
            emit(p.0, e);
            pending = None;
            continue;
        }
        let next = it.peek().copied().filter(|&(o, _)| base + o == e);
        if let Some(p) = touching.filter(|p| p.2 == 0) {
            let prev_last = seg[p.0 - base..p.1 - base].chars().next_back();
            // spaCy keeps a word-final hyphen on its word ("ibe-")
            if piece == "-"
                && next.is_none_or(|n| n.1.starts_with(char::is_whitespace))
                && prev_last.is_some_and(crate::chars::is_alphabetic)
            {
                pending = Some((p.0, e, 0));
                continue;
            }
            if prev_last.is_some_and(crate::chars::is_alphanumeric)
                && let Some((noff, np)) = next
            {
                let ne = base + noff + np.len();
                let connector = matches!(piece, ":" | "/")
                    || (piece == "-" && prev_last.is_some_and(crate::chars::is_alphabetic));
                if connector && np.starts_with(|c: char| c.is_ascii_digit()) {
                    pending = Some((p.0, ne, 0));
                    it.next();
                    continue;
                }
                if (piece == "'" || piece == "\u{2019}")
                    && ["s", "re", "ll", "ve", "m", "d"]
                        .iter()
                        .any(|x| np.eq_ignore_ascii_case(x))
                {
                    emit(p.0, p.1);
                    pending = None;
                    emit(s, ne);
                    it.next();
                    continue;
                }
            }
        }
        if let Some(p) = pending.take() {
            emit(p.0, p.1);
        }
        // a sign before a number stays on it ("+87")
        if piece == "+"
            && touching.is_none()
            && let Some((noff, np)) = next.filter(|n| n.1.starts_with(|c: char| c.is_ascii_digit()))
        {
            pending = Some((s, base + noff + np.len(), 0));
            it.next();
            continue;
        }
        // spaCy keeps a word-initial "." on its word (".THE")
        if piece == "."
            && touching.is_none()
            && let Some((noff, np)) = next.filter(|n| n.1.starts_with(char::is_alphabetic))
        {
            pending = Some((s, base + noff + np.len(), 0));
            it.next();
            continue;
        }
        if piece.len() > 1 && piece.bytes().all(|b| b == b'_') {
            for i in s..e {
                emit(i, i + 1);
            }
        } else if piece.len() > 2 && piece.contains(is_apostrophe) {
            split_clitics(piece, s, emit);
        } else if let Some(cut) = number_unit_cut(piece) {
            emit(s, s + cut);
            pending = Some((s + cut, e, 0));
        } else if let Some(dot) = missing_space_period(piece) {
            // "Brésil.Il": a period between a lowercase and an uppercase letter
            emit(s, s + dot);
            emit(s + dot, s + dot + 1);
            pending = Some((s + dot + 1, e, 0));
        } else {
            pending = Some((s, e, run));
        }
    }
    if let Some(p) = pending {
        emit(p.0, p.1);
    }
}

/// Abbreviations that keep their period (the common English ones among
/// spaCy's tokenizer exceptions); "." after them does not end a sentence.
pub const ABBREVIATIONS: [&str; 32] = [
    "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "vs", "Inc", "Ltd", "Co", "Corp", "Gen", "Gov", "Sen",
    "Rep", "Rev", "Prof", "Mt", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
    "Oct", "Nov", "Dec", "Messrs", "Adm",
];

/// A known abbreviation, a single letter (an initial), or letters joined by
/// periods ("U.S", "e.g", "Ph.D") — the word before a period that belongs to it.
fn is_abbreviation(w: &str) -> bool {
    let mut chars = w.chars();
    let single = chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none();
    single
        || ABBREVIATIONS.contains(&w)
        || (w.contains('.') && w.chars().all(|c| c == '.' || c.is_alphabetic()))
}

/// Units that spaCy splits off a number ("10km" -> "10", "km"), plus am/pm.
const UNITS: [&str; 40] = [
    "km", "m", "cm", "mm", "dm", "nm", "ha", "yd", "in", "ft", "mi", "kg", "g", "mg", "t", "lb",
    "oz", "mph", "kmh", "hPa", "Pa", "mbar", "mb", "MB", "kb", "KB", "gb", "GB", "tb", "TB", "T",
    "G", "M", "K", "am", "pm", "ml", "bn", "kW", "MW",
];

/// Byte length of the number in a "<number><unit>" word, if it is one.
fn number_unit_cut(w: &str) -> Option<usize> {
    let b = w.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    let cut = b
        .iter()
        .position(|c| !(c.is_ascii_digit() || *c == b'.' || *c == b','))?;
    (b[cut - 1].is_ascii_digit() && UNITS.contains(&&w[cut..])).then_some(cut)
}

/// Byte offset of a "." with a lowercase letter before and an uppercase
/// letter after (a missing space between sentences; spaCy splits there).
fn missing_space_period(w: &str) -> Option<usize> {
    let mut prev: Option<char> = None;
    let mut it = w.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c == '.'
            && prev.is_some_and(char::is_lowercase)
            && it.peek().is_some_and(|&(_, n)| n.is_uppercase())
        {
            return Some(i);
        }
        prev = Some(c);
    }
    None
}

/// Splits English contraction suffixes and Romance elision prefixes, the way
/// spaCy's English/French tokenizer exceptions do for the common cases.
fn split_clitics(w: &str, s: usize, emit: &mut impl FnMut(usize, usize)) {
    // elision prefix: l' d' j' n' s' c' m' t' qu' followed by a letter
    let mut start = 0;
    let mut it = w.char_indices();
    if let (Some((_, a)), Some((i1, b))) = (it.next(), it.next()) {
        let pre_len = if matches!(
            a,
            'l' | 'L'
                | 'd'
                | 'D'
                | 'j'
                | 'J'
                | 'n'
                | 'N'
                | 's'
                | 'S'
                | 'c'
                | 'C'
                | 'm'
                | 'M'
                | 't'
                | 'T'
        ) && is_apostrophe(b)
        {
            Some(i1 + b.len_utf8())
        } else if matches!(a, 'q' | 'Q') && matches!(b, 'u' | 'U') {
            it.next()
                .filter(|&(_, c)| is_apostrophe(c))
                .map(|(i, c)| i + c.len_utf8())
        } else {
            None
        };
        if let Some(p) = pre_len
            && w[p..].chars().next().is_some_and(char::is_alphabetic)
            && w[p..].chars().count() >= 2
        {
            emit(s, s + p);
            start = p;
        }
    }
    let rest = &w[start..];
    // English suffixes; checked on the lowercase ASCII form with both apostrophes
    if let Some(cut) = contraction_cut(rest) {
        emit(s + start, s + start + cut);
        emit(s + start + cut, s + w.len());
    } else {
        emit(s + start, s + w.len());
    }
}

fn contraction_cut(w: &str) -> Option<usize> {
    // find last apostrophe
    let (ai, ac) = w.char_indices().rev().find(|&(_, c)| is_apostrophe(c))?;
    let after = &w[ai + ac.len_utf8()..];
    let lower_is = |x: &str| after.eq_ignore_ascii_case(x);
    if lower_is("t") && ai > 1 && w[..ai].ends_with(['n', 'N']) {
        // "n't": split before the n, keep at least one char in the stem
        let cut = ai - 1;
        return (cut > 0).then_some(cut);
    }
    if ai > 0
        && (lower_is("s")
            || lower_is("re")
            || lower_is("ll")
            || lower_is("ve")
            || lower_is("m")
            || lower_is("d"))
    {
        return Some(ai);
    }
    None
}

/// All tokens (words and punctuation marks) of `text`, as sub-slices.
pub fn tokens(text: &str) -> Vec<&str> {
    let mut v = Vec::new();
    for_each_token(text, |s, e| v.push(&text[s..e]));
    v
}

/// True when the token contains a letter or a digit.
#[inline]
pub fn is_wordlike(tok: &str) -> bool {
    tok.chars().any(crate::chars::is_alphanumeric)
}

/// The words of `text` (tokens containing a letter or digit), as sub-slices.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    tokens(text).into_iter().filter(|t| is_wordlike(t))
}

/// Number of words of `text`; allocation-free for spaced scripts.
pub fn count_words(text: &str) -> usize {
    let mut n = 0;
    for_each_token(text, |s, e| n += usize::from(is_wordlike(&text[s..e])));
    n
}

/// UAX #29 sentences that contain a letter or digit (trailing space included).
pub fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.unicode_sentences()
}

/// Number of UAX #29 sentences containing a letter or digit.
pub fn count_sentences(text: &str) -> usize {
    text.unicode_sentences().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_tokens_like_spacy() {
        let t = tokens("Don't stop... It's the UN's well-known plan, isn't it?");
        assert_eq!(
            t,
            [
                "Do", "n't", "stop", "...", "It", "'s", "the", "UN", "'s", "well", "-", "known",
                "plan", ",", "is", "n't", "it", "?"
            ]
        );
        assert_eq!(
            tokens(
                "Radio 1's 3-0 at 16:00, 1980s-era and/or COVID-19 -- x____y __ ibe- .THE 10km 9.7mm 5pm 1980s Brésil.Il U.S."
            ),
            [
                "Radio", "1", "'s", "3", "-", "0", "at", "16:00", ",", "1980s", "-", "era", "and",
                "/", "or", "COVID-19", "--", "x____y", "_", "_", "ibe-", ".THE", "10", "km", "9.7",
                "mm", "5", "pm", "1980s", "Brésil", ".", "Il", "U.S."
            ]
        );
        assert_eq!(count_words("Don't stop... It's fine."), 6); // "n't" and "'s" count, as in spaCy
    }

    #[test]
    fn links_and_abbreviations() {
        assert_eq!(
            tokens(
                "Mail (news@bbc.co.uk) or see https://bbc.co.uk/news. Dr. Who, +87 and A. Smith"
            ),
            [
                "Mail",
                "(",
                "news@bbc.co.uk",
                ")",
                "or",
                "see",
                "https://bbc.co.uk/news",
                ".",
                "Dr.",
                "Who",
                ",",
                "+87",
                "and",
                "A.",
                "Smith"
            ]
        );
    }

    #[test]
    fn french_elision() {
        assert_eq!(
            tokens("l'homme qu'il aujourd'hui"),
            ["l'", "homme", "qu'", "il", "aujourd'hui"]
        );
    }

    #[test]
    fn chinese_is_segmented_into_words() {
        let t: Vec<_> = words("我今天早上去市场买了面包和蔬菜。").collect();
        assert!(t.len() >= 8 && t.len() <= 12, "{t:?}");
        assert!(t.contains(&"今天"));
        let long = "中华人民共和国是一个位于东亚的国家，首都是北京。".repeat(25);
        let n = count_words(&long);
        let chars = long.chars().count();
        assert!(
            n > chars / 4 && n < chars * 3 / 4,
            "{n} words for {chars} chars"
        );
    }

    #[test]
    fn thai_and_japanese() {
        assert!(count_words("ทุกสองสัปดาห์") >= 2);
        let ja: Vec<_> = words("こんにちは世界、2024年です。").collect();
        assert!(ja.contains(&"2024"), "{ja:?}");
        assert!(ja.len() >= 4, "{ja:?}");
    }

    #[test]
    fn mixed_scripts_keep_offsets() {
        let text = "Hello 世界 world";
        for_each_token(text, |s, e| {
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e))
        });
        assert_eq!(tokens(text).first(), Some(&"Hello"));
        assert_eq!(tokens(text).last(), Some(&"world"));
    }

    #[test]
    fn sentence_counts() {
        assert_eq!(count_sentences("One here. Two there! Three?"), 3);
        assert_eq!(count_sentences("第一句。第二句！"), 2);
        assert_eq!(count_sentences("   "), 0);
    }
}
