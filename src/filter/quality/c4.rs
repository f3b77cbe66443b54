//! C4 filter (tfds `c4_utils`, datatrove `C4QualityFilter`): lines without
//! terminal punctuation, with too few words, with policy or JavaScript text
//! are dropped and citations cut out ([`c4_clean_lines`]); a document with
//! too few sentences, a curly bracket or lorem ipsum is rejected.

use super::FilterReject;
use super::config::C4Config;
use super::gopher_quality::is_terminal;
use super::scratch::{Scratch, char_len, py_space, py_splitlines, reject};
use crate::filter::words::for_each_token;

const POLICY_SUBSTRINGS: [&str; 6] = [
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
];

/// Removes `[digits]`, `[edit]`, `[citation needed]` (C4 citation rule).
fn strip_citations(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains('[') {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let r = &rest[i..];
        let skip = if let Some(end) = r.find(']') {
            let inner = &r[1..end];
            if inner.bytes().all(|b| b.is_ascii_digit())
                || inner == "edit"
                || inner == "citation needed"
            {
                Some(end + 1)
            } else {
                None
            }
        } else {
            None
        };
        match skip {
            Some(k) => rest = &r[k..],
            None => {
                out.push('[');
                rest = &r[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[inline]
fn contains_ci(hay: &str, needle: &str) -> bool {
    // needle is lowercase ASCII; ASCII case-insensitive search
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

enum C4Line<'a> {
    Keep(std::borrow::Cow<'a, str>),
    Drop,
    RejectDoc(&'static str),
}

fn c4_line<'a>(raw: &'a str, c: &C4Config) -> C4Line<'a> {
    let line = raw.trim_matches(py_space);
    let mut n_words = 0usize;
    for w in line.split(py_space).filter(|w| !w.is_empty()) {
        n_words += 1;
        if c.max_word_length > 0 && char_len(w) > c.max_word_length {
            return C4Line::Drop;
        }
    }
    let line = if c.remove_citations {
        strip_citations(line)
    } else {
        std::borrow::Cow::Borrowed(line)
    };
    if c.filter_no_terminal_punct
        && (!line.ends_with(['.', '?', '!', '"', '\'']) || line.ends_with("..."))
    {
        return C4Line::Drop;
    }
    if n_words < c.min_words_per_line {
        return C4Line::Drop;
    }
    if c.filter_lorem_ipsum && contains_ci(&line, "lorem ipsum") {
        return C4Line::RejectDoc("lorem_ipsum");
    }
    if c.filter_javascript && contains_ci(&line, "javascript") {
        return C4Line::Drop;
    }
    if c.filter_curly_bracket && line.contains('{') {
        return C4Line::RejectDoc("curly_bracket");
    }
    if c.filter_policy && POLICY_SUBSTRINGS.iter().any(|p| contains_ci(&line, p)) {
        return C4Line::Drop;
    }
    C4Line::Keep(line)
}

/// Sentences of one C4 line, counted like spaCy's rule-based `sentencizer`
/// (which datatrove's C4 filter uses): a sentence ends at a sentence-final
/// punctuation token and the next one starts at the next token that is not
/// punctuation, whatever its case. Abbreviations and initials ("Mr.",
/// "J.", "U.S.") do not end a sentence.
fn c4_sentences(line: &str) -> usize {
    let mut st = SentenceCounter::default();
    for_each_token(line, |s, e| st.push(line, s, e));
    st.n
}

/// State of the sentencizer-style count over a stream of token spans.
#[derive(Default)]
struct SentenceCounter {
    n: usize,
    seen_end: bool,
    prev: Option<(usize, usize)>,
}

impl SentenceCounter {
    fn push(&mut self, src: &str, s: usize, e: usize) {
        let t = &src[s..e];
        let mut cs = t.chars();
        let single = cs.next().filter(|_| cs.next().is_none());
        let mut is_end = single.is_some_and(is_terminal);
        if is_end
            && t == "."
            && let Some((ps, pe)) = self.prev.filter(|p| p.1 == s)
        {
            let p = &src[ps..pe];
            let initial = p.chars().count() == 1 && p.chars().all(crate::chars::is_alphabetic);
            if initial || p.contains('.') || crate::filter::words::ABBREVIATIONS.contains(&p) {
                is_end = false;
            }
        }
        let is_punct = !t.chars().any(crate::chars::is_alphanumeric);
        if self.n == 0 {
            self.n = 1;
        }
        if is_end {
            self.seen_end = true;
        } else if self.seen_end && !is_punct {
            self.n += 1;
            self.seen_end = false;
        }
        self.prev = Some((s, e));
    }
}

pub(super) fn c4_check(s: &Scratch, text: &str, c: &C4Config) -> Result<(), FilterReject> {
    const F: &str = "c4";
    let mut sentences = 0usize;
    let mut ti = 0usize; // first document token not before the current line
    for raw in py_splitlines(text) {
        match c4_line(raw, c) {
            C4Line::Keep(l) => {
                if c.min_num_sentences == 0 {
                    continue;
                }
                if let std::borrow::Cow::Borrowed(line) = l {
                    // reuse the document's tokens that fall inside this line
                    let ls = line.as_ptr() as usize - text.as_ptr() as usize;
                    let le = ls + line.len();
                    while ti < s.toks.len() && (s.toks[ti].start as usize) < ls {
                        ti += 1;
                    }
                    let mut st = SentenceCounter::default();
                    while ti < s.toks.len() && (s.toks[ti].end as usize) <= le {
                        st.push(text, s.toks[ti].start as usize, s.toks[ti].end as usize);
                        ti += 1;
                    }
                    sentences += st.n;
                } else {
                    sentences += c4_sentences(&l);
                }
            }
            C4Line::Drop => {}
            C4Line::RejectDoc(sig) => return reject(F, sig, 1.0, 0.0),
        }
    }
    if sentences < c.min_num_sentences {
        return reject(
            F,
            "too_few_sentences",
            sentences as f64,
            c.min_num_sentences as f64,
        );
    }
    Ok(())
}

/// C4's line-level cleaning: returns the text made of the kept lines (joined
/// with "\n") and the number of lines removed. Document-level rules (lorem
/// ipsum, curly bracket, sentence count) are not applied here; use
/// [`QualityConfig::check`](super::QualityConfig::check) for those.
pub fn c4_clean_lines(text: &str, c: &C4Config) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut removed = 0usize;
    for raw in py_splitlines(text) {
        match c4_line(raw, c) {
            C4Line::Keep(l) => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&l);
            }
            C4Line::Drop | C4Line::RejectDoc(_) => removed += 1,
        }
    }
    let trimmed = out.trim_matches(py_space);
    if trimmed.len() != out.len() {
        out = trimmed.to_string();
    }
    (out, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c4_sentence_count_like_sentencizer() {
        assert_eq!(
            c4_sentences("Mr. Smith went to the U.S. on Monday. He left."),
            2
        );
        assert_eq!(c4_sentences("better schools. safer streets."), 2);
        assert_eq!(
            c4_sentences("He said: \"no!\" Then he left... and so on."),
            2
        );
        assert_eq!(c4_sentences(""), 0);
    }
}
