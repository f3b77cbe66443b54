//! The one `Document` type that flows through every stage, and `Reject`,
//! the record of why a document left the pipeline.
//!
//! Guarantees: every document carries its provenance (input file relative to
//! its input root, and the 1-based line or row it came from), so any output
//! row can be traced back to its source; a document without an id gets one
//! derived from that provenance, so ids are stable across runs.

use serde::{Deserialize, Serialize};

/// Where a document came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Path of the input file relative to the input root, with `/` separators.
    pub file: String,
    /// 1-based line (JSONL, CSV/TSV record start) or row (Parquet); `None`
    /// for one-article-per-file text inputs.
    pub line: Option<u64>,
}

impl Provenance {
    /// The stable id of a document that has none: `file` for a whole-file
    /// document, `file#line` for a record.
    pub fn derived_id(&self) -> String {
        match self.line {
            Some(l) => format!("{}#{}", self.file, l),
            None => self.file.clone(),
        }
    }
}

/// One article, as read and then transformed by the stages.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub text: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    pub prov: Provenance,
    /// Set by langid: `xxx_Scrp` label, score in `[0, 1]`, ISO 15924 script.
    pub lang: String,
    pub lang_score: f32,
    /// A second language covers a large share of the text.
    pub lang_mixed: bool,
    /// The label with the second most text, and its score.
    pub lang2: Option<String>,
    pub lang2_score: Option<f32>,
    pub script: String,
    pub n_chars: u64,
    pub n_words: u64,
    /// Invalid UTF-8 sequences replaced by U+FFFD when the record was read.
    pub invalid_utf8: u32,
    /// `text` is an HTML page (read from `input.fields.html`); normalize
    /// turns it into text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub html: bool,
    /// Mojibake sequences repaired by normalize (`normalize.fix_mojibake`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mojibake_fixed: u32,
    /// Lines the clean stage removed, in document order; filled only with
    /// `clean.keep_removed_lines`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_lines: Vec<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The per-document step at which a document was rejected (written as the
/// `stage` of a rejected row and of a funnel row; the names are part of the
/// release format). Not to be confused with the work-directory stages of a
/// build, [`crate::stages::StageName`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Read,
    Clean,
    Langid,
    Filter,
    Dedup,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Read => "read",
            Step::Clean => "clean",
            Step::Filter => "filter",
            Step::Langid => "langid",
            Step::Dedup => "dedup",
        }
    }
}

/// Why a document was dropped: a stable reason code plus free-text detail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reject {
    pub stage: Step,
    /// Stable, machine-readable code, e.g. `malformed_json`, `too_short`.
    pub reason: String,
    /// Human-readable detail: parser message, signal value and threshold.
    pub detail: String,
}

impl Reject {
    pub fn new(stage: Step, reason: impl Into<String>, detail: impl Into<String>) -> Self {
        Reject {
            stage,
            reason: reason.into(),
            detail: detail.into(),
        }
    }
}

/// What a reader yields for one input record: a document, or a record that
/// could not become one (kept with its provenance so it can be reported).
#[derive(Debug)]
pub enum Record {
    Doc(Box<Document>),
    Bad {
        prov: Provenance,
        id: Option<String>,
        raw: String,
        reject: Reject,
    },
}
