//! Gopher repetition filter (Rae et al. 2021, Table A1; datatrove
//! `GopherRepetitionFilter`): duplicated lines and paragraphs, the share of
//! characters in the most frequent 2- to 4-grams and in duplicated 5- to
//! 10-grams. The n-gram passes only revisit the n-grams that occur more
//! than once ([`NGrams`]); a test compares them with the direct
//! computation over all positions.

use std::collections::HashMap;

use super::config::GopherRepetitionConfig;
use super::scratch::{IdBuild, Scratch, Tok, char_len, find_duplicates, mix, py_space, reject};
use super::{FilterReject, Ov};

const TOP_SIGNALS: [&str; 11] = [
    "",
    "top_1_gram",
    "top_2_gram",
    "top_3_gram",
    "top_4_gram",
    "top_5_gram",
    "top_6_gram",
    "top_7_gram",
    "top_8_gram",
    "top_9_gram",
    "top_10_gram",
];
const DUP_SIGNALS: [&str; 11] = [
    "",
    "duplicated_1_n_grams",
    "duplicated_2_n_grams",
    "duplicated_3_n_grams",
    "duplicated_4_n_grams",
    "duplicated_5_n_grams",
    "duplicated_6_n_grams",
    "duplicated_7_n_grams",
    "duplicated_8_n_grams",
    "duplicated_9_n_grams",
    "duplicated_10_n_grams",
];

pub(super) fn gopher_repetition(
    s: &mut Scratch,
    text: &str,
    c: &GopherRepetitionConfig,
    ov: Ov<'_>,
) -> Result<(), FilterReject> {
    const F: &str = "gopher_repetition";
    if text.is_empty() {
        return reject(F, "empty", 0.0, 0.0);
    }
    let text_chars = char_len(text) as f64;
    let dup_para_frac = ov.get(|o| o.dup_para_frac).unwrap_or(c.dup_para_frac);
    let dup_para_char_frac = ov
        .get(|o| o.dup_para_char_frac)
        .unwrap_or(c.dup_para_char_frac);
    if dup_para_frac > 0.0 || dup_para_char_frac > 0.0 {
        // paragraphs: text.strip() split on \n{2,}
        let stripped = text.trim_matches(py_space);
        let paras = split_min_newlines(stripped, 2);
        let (n, dup, dup_chars) = find_duplicates(&mut s.set, paras);
        let v = dup as f64 / n as f64;
        if dup_para_frac > 0.0 && v > dup_para_frac {
            return reject(F, "dup_para_frac", v, dup_para_frac);
        }
        let v = dup_chars as f64 / text_chars;
        if dup_para_char_frac > 0.0 && v > dup_para_char_frac {
            return reject(F, "dup_para_char_frac", v, dup_para_char_frac);
        }
    }
    let dup_line_frac = ov.get(|o| o.dup_line_frac).unwrap_or(c.dup_line_frac);
    let (n, dup, dup_chars) = find_duplicates(&mut s.set, split_min_newlines(text, 1));
    let v = dup as f64 / n as f64;
    if dup_line_frac > 0.0 && v > dup_line_frac {
        return reject(F, "dup_line_frac", v, dup_line_frac);
    }
    let v = dup_chars as f64 / text_chars;
    if c.dup_line_char_frac > 0.0 && v > c.dup_line_char_frac {
        return reject(F, "dup_line_char_frac", v, c.dup_line_char_frac);
    }
    let toks = &s.toks;
    let grams = &mut s.grams;
    grams.start();
    let top = ov
        .get(|o| o.top_n_grams.as_deref())
        .unwrap_or(&c.top_n_grams);
    for &(n, thr) in top {
        if n == 0 || toks.len() < n {
            continue;
        }
        // Counter.most_common(1): highest count, ties to the earliest n-gram.
        // An n-gram seen once everywhere gives the first one, count 1.
        grams.advance(toks, n);
        let (best_count, f) = grams.most_common();
        // " ".join(...) length
        let len: usize = toks[f..f + n]
            .iter()
            .map(|t| t.chars as usize)
            .sum::<usize>()
            + n
            - 1;
        let v = (len * best_count) as f64 / text_chars;
        if v > thr {
            return reject(
                F,
                TOP_SIGNALS.get(n).copied().unwrap_or("top_n_gram"),
                v,
                thr,
            );
        }
    }
    let dupn = ov
        .get(|o| o.dup_n_grams.as_deref())
        .unwrap_or(&c.dup_n_grams);
    for &(n, thr) in dupn {
        if n == 0 {
            continue;
        }
        grams.advance(toks, n);
        let repeated = grams.greedy_repeated_chars(toks);
        let v = repeated as f64 / text_chars;
        if v > thr {
            return reject(
                F,
                DUP_SIGNALS.get(n).copied().unwrap_or("duplicated_n_grams"),
                v,
                thr,
            );
        }
    }
    Ok(())
}

/// Start value of an n-gram hash. The hash of the n-gram at `i` is `mix`
/// folded over `toks[i..i + n]` from this seed, so the (n + k)-gram hash at
/// `i` is the n-gram hash there with k more tokens folded in.
const NGRAM_SEED: u64 = 0x243F_6A88_85A3_08D3;

/// The n-gram passes of the repetition filter, over the token n-grams that
/// occur more than once in the document.
///
/// Two equal n-grams have equal m-grams at their starts for every m < n, so
/// an n-gram can occur twice only where the m-gram at its start does. After
/// [`NGrams::advance`] to `n`, `pos` holds exactly the starts whose n-gram
/// hash occurs more than once; advancing further to a larger n only looks at
/// those starts (each with one `mix` per extra token), and a smaller n starts
/// over from every position. Outcomes equal the direct computation over all
/// positions (both compare 64-bit hashes, so only a hash collision could
/// tell them apart).
#[derive(Default)]
pub(super) struct NGrams {
    /// The n of `pos`, `hash` and `id`; 0 before the first pass of a document.
    pub(super) n: usize,
    /// Ascending start positions whose n-gram hash occurs more than once.
    pos: Vec<u32>,
    /// The n-gram hash at each of `pos`.
    hash: Vec<u64>,
    /// The n-gram at each of `pos` as a number: distinct hashes numbered in
    /// order of first occurrence.
    id: Vec<u32>,
    /// Number of each hash seen in the last pass.
    ids: HashMap<u64, u32, IdBuild>,
    /// By number: occurrences and first start position.
    pub(super) count: Vec<u32>,
    first: Vec<u32>,
    /// By number: seen by the greedy pass.
    seen: Vec<bool>,
}

impl NGrams {
    /// Forget the last document, and free the memory a huge one took.
    fn start(&mut self) {
        self.reset();
        const BIG: usize = 1 << 20;
        const KEEP: usize = 1 << 16;
        if self.count.capacity() > BIG {
            self.ids = HashMap::default();
            self.count = Vec::new();
            self.first = Vec::new();
            self.seen = Vec::new();
        }
        if self.pos.capacity() > BIG {
            self.pos.shrink_to(KEEP);
            self.hash.shrink_to(KEEP);
            self.id.shrink_to(KEEP);
        }
    }

    fn reset(&mut self) {
        self.n = 0;
        self.pos.clear();
        self.hash.clear();
        self.id.clear();
    }

    /// Count the n-grams (`n >= 1`) and keep the starts of those that occur
    /// more than once.
    fn advance(&mut self, toks: &[Tok], n: usize) {
        debug_assert!(n >= 1);
        if n <= self.n {
            self.reset();
        }
        self.ids.clear();
        self.count.clear();
        self.first.clear();
        let (ids, count, first) = (&mut self.ids, &mut self.count, &mut self.first);
        let mut number = |h: u64, p: u32| -> u32 {
            match ids.entry(h) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    let id = *e.get();
                    count[id as usize] += 1;
                    id
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    let id = count.len() as u32;
                    e.insert(id);
                    count.push(1);
                    first.push(p);
                    id
                }
            }
        };
        if self.n == 0 {
            // every position
            if toks.len() >= n {
                let len = toks.len() - n + 1;
                for (p, w) in toks.windows(n).enumerate() {
                    let h = w.iter().fold(NGRAM_SEED, |h, t| mix(h, t.hash));
                    let id = number(h, p as u32);
                    self.pos.push(p as u32);
                    self.hash.push(h);
                    self.id.push(id);
                }
                debug_assert_eq!(self.pos.len(), len);
            }
        } else {
            // the starts of repeated m-grams, m < n, that leave room for n tokens
            let m = self.n;
            let keep = self.pos.partition_point(|&p| p as usize + n <= toks.len());
            self.pos.truncate(keep);
            self.hash.truncate(keep);
            self.id.truncate(keep);
            for k in 0..keep {
                let p = self.pos[k] as usize;
                let h = toks[p + m..p + n]
                    .iter()
                    .fold(self.hash[k], |h, t| mix(h, t.hash));
                self.hash[k] = h;
                self.id[k] = number(h, p as u32);
            }
        }
        let mut w = 0;
        for k in 0..self.pos.len() {
            if self.count[self.id[k] as usize] >= 2 {
                self.pos[w] = self.pos[k];
                self.hash[w] = self.hash[k];
                self.id[w] = self.id[k];
                w += 1;
            }
        }
        self.pos.truncate(w);
        self.hash.truncate(w);
        self.id.truncate(w);
        self.n = n;
    }

    /// Counter.most_common(1) of the last pass (over a document of at least
    /// n tokens): (count, start of its first occurrence), ties to the
    /// earliest; (1, 0) when every n-gram occurs once.
    fn most_common(&self) -> (usize, usize) {
        let mut best = (1, 0);
        // numbers are in order of first occurrence
        for (&c, &f) in self.count.iter().zip(&self.first) {
            if c as usize > best.0 {
                best = (c as usize, f as usize);
            }
        }
        best
    }

    /// datatrove `find_all_duplicate` over the n-grams of the last pass:
    /// greedy, an n-gram seen before at a visited start is a repeat and the
    /// next n tokens are skipped, else the next start is visited. Starts of
    /// n-grams that occur once are never a repeat and never equal a later
    /// n-gram, so only `pos` is walked. Returns the characters of the
    /// repeats (without spaces).
    fn greedy_repeated_chars(&mut self, toks: &[Tok]) -> usize {
        let n = self.n;
        self.seen.clear();
        self.seen.resize(self.count.len(), false);
        let mut repeated = 0usize;
        let mut next = 0usize;
        for (&p, &id) in self.pos.iter().zip(&self.id) {
            let p = p as usize;
            if p < next {
                continue;
            }
            let seen = &mut self.seen[id as usize];
            if *seen {
                repeated += toks[p..p + n]
                    .iter()
                    .map(|t| t.chars as usize)
                    .sum::<usize>();
                next = p + n;
            } else {
                *seen = true;
                next = p + 1;
            }
        }
        repeated
    }
}

/// Python `re.split("\n{k,}", text)` for k = 1 or 2.
pub(super) fn split_min_newlines(text: &str, k: usize) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let mut pos = 0usize;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut i = pos;
        while i < b.len() {
            if b[i] == b'\n' {
                let mut j = i;
                while j < b.len() && b[j] == b'\n' {
                    j += 1;
                }
                if j - i >= k {
                    let piece = &text[pos..i];
                    pos = j;
                    return Some(piece);
                }
                i = j;
            } else {
                i += 1;
            }
        }
        done = true;
        Some(&text[pos..])
    })
}

#[cfg(test)]
mod tests {
    use super::super::config::{LangOverride, QualityConfig};
    use super::super::scratch::py_splitlines;
    use super::super::testutil::py_splitlines_reference;
    use super::*;
    use std::collections::{HashMap, HashSet};

    /// The n-gram passes as they were before [`NGrams`]: every position,
    /// n-gram hashes folded from `n`, a map or a set per n. The rest is the
    /// same as [`gopher_repetition`].
    fn reference_gopher_repetition(
        toks: &[Tok],
        text: &str,
        c: &GopherRepetitionConfig,
        ov: Ov<'_>,
    ) -> Result<(), FilterReject> {
        const F: &str = "gopher_repetition";
        let mut set: HashSet<u64, IdBuild> = HashSet::default();
        let mut counts: HashMap<u64, (u32, u32), IdBuild> = HashMap::default();
        if text.is_empty() {
            return reject(F, "empty", 0.0, 0.0);
        }
        let text_chars = char_len(text) as f64;
        let dup_para_frac = ov.get(|o| o.dup_para_frac).unwrap_or(c.dup_para_frac);
        let dup_para_char_frac = ov
            .get(|o| o.dup_para_char_frac)
            .unwrap_or(c.dup_para_char_frac);
        if dup_para_frac > 0.0 || dup_para_char_frac > 0.0 {
            // paragraphs: text.strip() split on \n{2,}
            let stripped = text.trim_matches(py_space);
            let paras = split_min_newlines(stripped, 2);
            let (n, dup, dup_chars) = find_duplicates(&mut set, paras);
            let v = dup as f64 / n as f64;
            if dup_para_frac > 0.0 && v > dup_para_frac {
                return reject(F, "dup_para_frac", v, dup_para_frac);
            }
            let v = dup_chars as f64 / text_chars;
            if dup_para_char_frac > 0.0 && v > dup_para_char_frac {
                return reject(F, "dup_para_char_frac", v, dup_para_char_frac);
            }
        }
        let dup_line_frac = ov.get(|o| o.dup_line_frac).unwrap_or(c.dup_line_frac);
        let (n, dup, dup_chars) = find_duplicates(&mut set, split_min_newlines(text, 1));
        let v = dup as f64 / n as f64;
        if dup_line_frac > 0.0 && v > dup_line_frac {
            return reject(F, "dup_line_frac", v, dup_line_frac);
        }
        let v = dup_chars as f64 / text_chars;
        if c.dup_line_char_frac > 0.0 && v > c.dup_line_char_frac {
            return reject(F, "dup_line_char_frac", v, c.dup_line_char_frac);
        }
        let top = ov
            .get(|o| o.top_n_grams.as_deref())
            .unwrap_or(&c.top_n_grams);
        for &(n, thr) in top {
            if n == 0 || toks.len() < n {
                continue;
            }
            // Counter.most_common(1): highest count, ties to the earliest n-gram.
            counts.clear();
            let mut best_count = 0u32;
            let mut best_first = u32::MAX;
            for i in 0..=toks.len() - n {
                let h = toks[i..i + n].iter().fold(n as u64, |h, t| mix(h, t.hash));
                let e = counts.entry(h).or_insert((0, i as u32));
                e.0 += 1;
                if e.0 > best_count || (e.0 == best_count && e.1 < best_first) {
                    best_count = e.0;
                    best_first = e.1;
                }
            }
            let f = best_first as usize;
            // " ".join(...) length
            let len: usize = toks[f..f + n]
                .iter()
                .map(|t| t.chars as usize)
                .sum::<usize>()
                + n
                - 1;
            let v = (len * best_count as usize) as f64 / text_chars;
            if v > thr {
                return reject(
                    F,
                    TOP_SIGNALS.get(n).copied().unwrap_or("top_n_gram"),
                    v,
                    thr,
                );
            }
        }
        let dupn = ov
            .get(|o| o.dup_n_grams.as_deref())
            .unwrap_or(&c.dup_n_grams);
        for &(n, thr) in dupn {
            if n == 0 {
                continue;
            }
            // datatrove find_all_duplicate: greedy, skip n tokens after a repeat
            set.clear();
            let mut repeated = 0usize;
            let mut i = 0usize;
            while i + n <= toks.len() {
                let h = toks[i..i + n].iter().fold(n as u64, |h, t| mix(h, t.hash));
                if set.insert(h) {
                    i += 1;
                } else {
                    repeated += toks[i..i + n]
                        .iter()
                        .map(|t| t.chars as usize)
                        .sum::<usize>();
                    i += n;
                }
            }
            let v = repeated as f64 / text_chars;
            if v > thr {
                return reject(
                    F,
                    DUP_SIGNALS.get(n).copied().unwrap_or("duplicated_n_grams"),
                    v,
                    thr,
                );
            }
        }
        Ok(())
    }

    /// Calls the filter and the reference on the tokens of `text` (through
    /// one scratch for all calls, so that state left by a document would
    /// show), with `c` and with each n-gram size probed alone: the sizes
    /// before it in its list never reject, it always does, so its measured
    /// value is compared even where the document passes. Also checks that the scratch counts the words as
    /// [`crate::filter::words::count_words`] does (the build counts with
    /// either, depending on whether a quality filter is on).
    fn assert_same_as_reference(s: &mut Scratch, text: &str, q: &QualityConfig, lang: &str) {
        s.prepare(text);
        assert_eq!(s.words, crate::filter::words::count_words(text), "{text:?}");
        let ov = q.lang_override(lang);
        let c = &q.gopher_repetition;
        let check = |s: &mut Scratch, c: &GopherRepetitionConfig| {
            let got = gopher_repetition(s, text, c, ov);
            let want = reference_gopher_repetition(&s.toks, text, c, ov);
            // NaN never equals itself; compare the bits
            let bits = |r: &Result<(), FilterReject>| {
                r.as_ref()
                    .err()
                    .map(|r| (r.filter, r.signal, r.value.to_bits(), r.threshold.to_bits()))
            };
            assert_eq!(bits(&got), bits(&want), "{text:?}\n{c:?} {ov:?}");
        };
        check(s, c);
        // probes: the n-gram passes only, whatever the lines and paragraphs
        let mut p = GopherRepetitionConfig {
            dup_line_frac: 0.0,
            dup_para_frac: 0.0,
            dup_line_char_frac: 0.0,
            dup_para_char_frac: 0.0,
            ..c.clone()
        };
        let top = ov
            .get(|o| o.top_n_grams.clone())
            .unwrap_or_else(|| c.top_n_grams.clone());
        let dup = ov
            .get(|o| o.dup_n_grams.clone())
            .unwrap_or_else(|| c.dup_n_grams.clone());
        let ov = Ov(None, None);
        let never = |l: &[(usize, f64)]| l.iter().map(|&(n, _)| (n, f64::INFINITY)).collect();
        for j in 0..top.len() + dup.len() {
            p.top_n_grams = never(&top);
            p.dup_n_grams = never(&dup);
            if j < top.len() {
                p.top_n_grams[j].1 = -1.0;
            } else {
                p.dup_n_grams[j - top.len()].1 = -1.0;
            }
            let got = gopher_repetition(s, text, &p, ov);
            let want = reference_gopher_repetition(&s.toks, text, &p, ov);
            assert_eq!(got, want, "{text:?}\n{p:?}");
        }
    }

    /// xorshift64*
    fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// An n-gram size list: mostly ascending from 1 to 11, sometimes
    /// shuffled, with sizes left out or repeated, and thresholds from
    /// "always rejects" to "never rejects".
    fn random_sizes(st: &mut u64) -> Vec<(usize, f64)> {
        let mut v: Vec<(usize, f64)> = Vec::new();
        for n in 0..=11 {
            if !next(st).is_multiple_of(3) {
                let thr = match next(st) % 4 {
                    0 => 0.0,
                    1 => (next(st) % 1000) as f64 / 1000.0,
                    2 => 0.1,
                    _ => 2.0,
                };
                v.push((n, thr));
            }
        }
        if next(st).is_multiple_of(3) {
            for i in (1..v.len()).rev() {
                v.swap(i, (next(st) % (i as u64 + 1)) as usize);
            }
        }
        if next(st).is_multiple_of(5) && !v.is_empty() {
            let x = v[(next(st) % v.len() as u64) as usize];
            v.push(x);
        }
        v
    }

    /// Token sequences from a small vocabulary (so that n-grams repeat a
    /// lot), 0 to 2,000 tokens, with line and paragraph breaks, under random
    /// n-gram size lists, global or per language.
    #[test]
    fn gopher_repetition_same_as_reference_on_random_tokens() {
        const VOCAB: [&str; 12] = [
            "a", "bb", "the", "ccc", ",", ".", "é", "中文", "ddd", "x1", "ñandú", "?",
        ];
        let mut st = 0x9E37_79B9_7F4A_7C15u64;
        let mut s = Scratch::default();
        for round in 0..3000 {
            let vocab = 1 + (next(&mut st) % VOCAB.len() as u64) as usize;
            let len = (next(&mut st) % 2001) as usize;
            let mut text = String::new();
            for _ in 0..len {
                text.push_str(VOCAB[(next(&mut st) % vocab as u64) as usize]);
                text.push_str(match next(&mut st) % 40 {
                    0 => "\n",
                    1 => "\n\n",
                    _ => " ",
                });
            }
            let mut q = QualityConfig::default();
            let (top, dup) = (random_sizes(&mut st), random_sizes(&mut st));
            match round % 3 {
                0 => {
                    q.gopher_repetition.top_n_grams = top;
                    q.gopher_repetition.dup_n_grams = dup;
                }
                1 => {
                    let o = LangOverride {
                        top_n_grams: Some(top),
                        dup_n_grams: Some(dup),
                        ..Default::default()
                    };
                    q.per_language.insert("xyz".into(), o);
                }
                _ => {}
            }
            assert_same_as_reference(&mut s, &text, &q, "xyz");
        }
    }

    /// Every text of the real corpora (../shared/corpora; HTML pages as
    /// text) under the default config in the record's language.
    #[test]
    fn gopher_repetition_same_as_reference_on_real_corpora() {
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
        let q = QualityConfig::default();
        let mut s = Scratch::default();
        let mut n = 0;
        for path in &files {
            let f = flate2::read::MultiGzDecoder::new(std::fs::File::open(path).unwrap());
            for line in std::io::BufReader::new(f).lines() {
                let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
                let lang = v["lang"].as_str().unwrap_or("");
                for key in ["text", "gold_text", "html"] {
                    let Some(mut text) = v[key].as_str().map(String::from) else {
                        continue;
                    };
                    if key == "html" {
                        text = crate::html::to_text(&text).text;
                    }
                    n += 1;
                    assert_same_as_reference(&mut s, &text, &q, lang);
                    assert!(py_splitlines(&text).eq(py_splitlines_reference(&text)));
                }
            }
        }
        eprintln!("{n} texts of {} files", files.len());
        assert!(files.is_empty() || n > 0);
    }
}
