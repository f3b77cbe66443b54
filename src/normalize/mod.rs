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

mod compose;
mod invisibles;
mod mojibake;
mod scan;
mod whitespace;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use compose::compose;
use invisibles::{drop_loose_joiners, strip_invisibles};
pub use mojibake::fix_mojibake;
use whitespace::fold_whitespace;

/// Unicode normalization form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NormForm {
    #[default]
    Nfc,
    Nfkc,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeConfig {
    /// `nfc` (default) or `nfkc`. Under NFKC, fullwidth CJK punctuation
    /// (U+FF01-FF65 punctuation) keeps its width.
    pub form: NormForm,
    /// Repair UTF-8 text that was decoded as Windows-1252 or Latin-1
    /// ("CafÃ©", "â€™", "Ø§Ù„"), conservatively; see
    /// [`crate::normalize::fix_mojibake`]. Documents repaired are counted in
    /// the manifest (`counts.repaired_mojibake`). Default true.
    pub fix_mojibake: bool,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            form: NormForm::Nfc,
            fix_mojibake: true,
        }
    }
}

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
/// Normalize a one-line field (title, source): as [`normalize`], then lines
/// joined with a space.
pub fn normalize_field(text: &str, form: NormForm) -> String {
    normalize(text, form).replace('\n', " ")
}
