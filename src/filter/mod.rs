//! Quality filters. Each filter has a name, and a document it removes gets a
//! [`Reject`] whose reason is the filter's name and whose detail carries the
//! signal, its value and the threshold it crossed (the ledger).
//!
//! Order (one funnel row per filter): `min_length` / `max_length` on the
//! cleaned text, then the quality filters of [`quality`]: Gopher repetition,
//! Gopher quality, C4 (off by default), FineWeb, with per-language
//! thresholds. Word counts come from [`words`] (UAX #29, dictionary
//! segmentation for Chinese, Japanese, Thai, Lao, Khmer, Myanmar).

pub mod quality;
pub mod wordbreak;
pub mod words;

use serde::{Deserialize, Serialize};

use crate::doc::{Document, Reject, Step};

/// The `[filter]` section: length limits and the quality filters.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FilterConfig {
    /// Minimum characters of cleaned text. Default 100 (CCNet drops
    /// paragraphs under 300 chars, `min_len=300`; a news brief of 100-300
    /// characters is still an article, so we keep it lower).
    pub min_chars: u64,
    /// Minimum words of cleaned text. Default 0 (off).
    pub min_words: u64,
    /// Maximum characters of cleaned text. Default 0 (no limit).
    pub max_chars: u64,
    /// Gopher, C4 and FineWeb filters with per-language thresholds; see
    /// [`quality::QualityConfig`] for every key's default.
    pub quality: quality::QualityConfig,
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            min_chars: 100,
            min_words: 0,
            max_chars: 0,
            quality: Default::default(),
        }
    }
}

/// The reasons of this stage in the order their checks run ([`check`],
/// then [`quality::QualityConfig::check`]): the funnel lists them so, so
/// that each row's `remaining` is what that check left.
pub const REASON_ORDER: &[&str] = &[
    "too_short",
    "too_long",
    "gopher_repetition",
    "gopher_quality",
    "c4",
    "fineweb",
];

/// Apply the filters to a cleaned, language-tagged document.
pub fn check(doc: &Document, cfg: &FilterConfig) -> Result<(), Reject> {
    if doc.n_chars < cfg.min_chars {
        return Err(Reject::new(
            Step::Filter,
            "too_short",
            format!(
                "min_length: n_chars = {} < min_chars = {}",
                doc.n_chars, cfg.min_chars
            ),
        ));
    }
    if doc.n_words < cfg.min_words {
        return Err(Reject::new(
            Step::Filter,
            "too_short",
            format!(
                "min_length: n_words = {} < min_words = {}",
                doc.n_words, cfg.min_words
            ),
        ));
    }
    if cfg.max_chars > 0 && doc.n_chars > cfg.max_chars {
        return Err(Reject::new(
            Step::Filter,
            "too_long",
            format!(
                "max_length: n_chars = {} > max_chars = {}",
                doc.n_chars, cfg.max_chars
            ),
        ));
    }
    // `und` has no per-language values and no stop-word list, so only the
    // language-neutral checks apply to it.
    let lang = doc.lang.split('_').next().unwrap_or("und");
    cfg.quality.check(&doc.text, lang).map_err(|r| {
        Reject::new(
            Step::Filter,
            r.filter,
            format!(
                "{}: {} = {:.4}, threshold {}",
                r.filter, r.signal, r.value, r.threshold
            ),
        )
    })
}

/// Words of a text (see [`words::count_words`]). When a quality filter is
/// on, the text is tokenized into the filters' thread-local scratch so that
/// [`check`] of the same text reuses the tokens; else the words are only
/// counted (the same number).
pub fn count_words(text: &str, cfg: &FilterConfig) -> u64 {
    if cfg.quality.any_enabled() {
        quality::count_words(text) as u64
    } else {
        words::count_words(text) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_count_is_the_same_with_quality_filters_off() {
        let mut off = FilterConfig::default();
        let q = &mut off.quality;
        q.gopher_repetition.enabled = false;
        q.gopher_quality.enabled = false;
        q.c4.enabled = false;
        q.fineweb.enabled = false;
        assert!(!off.quality.any_enabled());
        let on = FilterConfig::default();
        assert!(on.quality.any_enabled());
        let repeated = "Buy now and save big on shoes today.\n".repeat(20);
        for t in [
            "",
            "Don't stop... It's fine.",
            "中文 and English 1,000 ภาษาไทย",
            repeated.as_str(),
        ] {
            let n = words::count_words(t) as u64;
            assert_eq!(count_words(t, &on), n, "{t:?}");
            assert_eq!(count_words(t, &off), n, "{t:?}");
            // with every filter off nothing is rejected
            assert_eq!(off.quality.check(t, "eng"), Ok(()));
        }
        assert!(on.quality.check(&repeated, "eng").is_err());
    }
}
