//! Quality filters. Each filter has a name, and a document it removes gets a
//! [`Reject`] whose detail carries the signal's value and the threshold.
//!
//! Today: length limits on the cleaned text (`too_short`, `too_long`).

use crate::config::FilterConfig;
use crate::doc::{Document, Reject, Stage};

/// Apply the filters to a cleaned, language-tagged document.
pub fn check(doc: &Document, cfg: &FilterConfig) -> Result<(), Reject> {
    if doc.n_chars < cfg.min_chars {
        return Err(Reject::new(
            Stage::Filter,
            "too_short",
            format!(
                "min_length: n_chars = {} < min_chars = {}",
                doc.n_chars, cfg.min_chars
            ),
        ));
    }
    if doc.n_words < cfg.min_words {
        return Err(Reject::new(
            Stage::Filter,
            "too_short",
            format!(
                "min_length: n_words = {} < min_words = {}",
                doc.n_words, cfg.min_words
            ),
        ));
    }
    if cfg.max_chars > 0 && doc.n_chars > cfg.max_chars {
        return Err(Reject::new(
            Stage::Filter,
            "too_long",
            format!(
                "max_length: n_chars = {} > max_chars = {}",
                doc.n_chars, cfg.max_chars
            ),
        ));
    }
    Ok(())
}

/// Words of a text by Unicode word boundaries (UAX #29).
pub fn count_words(text: &str) -> u64 {
    use unicode_segmentation::UnicodeSegmentation;
    text.unicode_words().count() as u64
}
