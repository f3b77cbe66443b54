//! The per-document steps: normalize -> clean -> langid -> filter -> dedup
//! key (langid after filter with `langid.after_filters`). ("Steps" are
//! what happens to one document; "stages" ([`crate::stages`]) are the
//! tasks of a build that read and write the work directory.)
//! [`DocSteps::process`] is a pure function of the document and the config:
//! it never looks at other documents, so any split of the input into tasks
//! gives the same per-document outcomes.

use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use crate::clean::{self, LineCounts, RepeatedLines, Rules};
use crate::config::{Config, NormalizeConfig, OnBadFile};
use crate::doc::{Document, Record, Reject, Step};
use crate::error::Result;
use crate::langid::Identifier;
use crate::read::{self, InputFile};
use crate::{dedup, filter, normalize};

/// Everything the per-document steps need, built once.
pub struct DocSteps {
    pub cfg: Config,
    pub rules: Option<Rules>,
    /// Lines repeated across documents of a source, from a counting pass
    /// over all inputs ([`count_files`], [`clean::LineCounts`]);
    /// `None` when `clean.repeated.enabled` is false.
    pub repeated: Option<RepeatedLines>,
    pub identifier: Identifier,
}

/// Normalize a document's fields in place, as every stage expects them:
/// the text by [`normalize::document_text`] (HTML to text, mojibake,
/// Unicode and whitespace), title and source as one-line fields (an HTML
/// page's `<title>` becomes the title when there is none), url and date
/// trimmed. Records the mojibake repairs in `doc.mojibake_fixed`. The
/// counting pass of repeated lines calls this too, so both see the same
/// lines and source keys.
pub fn normalize_doc(doc: &mut Document, cfg: &NormalizeConfig) {
    let dt = normalize::document_text(&doc.text, doc.html, cfg);
    let mut fixed = dt.mojibake_fixed;
    doc.text = dt.text;
    let mut field = |t: Option<&str>| {
        t.map(|t| {
            let (t, n) = normalize::field(t, cfg);
            fixed += n;
            t
        })
        .filter(|t| !t.is_empty())
    };
    doc.title = field(doc.title.as_deref()).or(dt.html_title);
    doc.source = field(doc.source.as_deref());
    doc.url = doc.url.as_deref().map(|t| t.trim().to_string());
    doc.date = doc.date.as_deref().map(|t| t.trim().to_string());
    doc.mojibake_fixed = fixed;
}

/// One spilled outcome of phase 1.
#[derive(Debug, Serialize, Deserialize)]
pub struct Spilled {
    pub doc: Document,
    pub reject: Option<Reject>,
}

impl DocSteps {
    /// The names removed lines are counted under; the third value returned
    /// by [`DocSteps::process`] indexes this list.
    pub fn removal_names(&self) -> Vec<String> {
        clean::removal_names(self.rules.as_ref())
    }

    /// Run the per-document stages. Returns the outcome, the dedup key of a
    /// survivor, and for each removed line the index of its mechanism in
    /// [`DocSteps::removal_names`].
    pub fn process(&self, mut doc: Document) -> (Spilled, Option<dedup::Candidate>, Vec<usize>) {
        normalize_doc(&mut doc, &self.cfg.normalize);
        let text = std::mem::take(&mut doc.text);
        let n_rules = self.rules.as_ref().map_or(0, |r| r.names().len());
        let cleaned = clean::clean(
            &text,
            clean::repeated::source_key(&doc),
            self.rules.as_ref(),
            self.repeated.as_ref(),
            &self.cfg.clean.nav,
        );
        let rules_hit: Vec<usize> = cleaned
            .removed
            .iter()
            .map(|(r, _)| r.index(n_rules))
            .collect();
        if cleaned.text.is_empty() {
            let detail = if text.is_empty() {
                "no text left after normalization".to_string()
            } else {
                format!("all {} lines were boilerplate", rules_hit.len())
            };
            doc.text = text;
            return (
                reject(doc, Step::Clean, "empty_after_clean", detail),
                None,
                rules_hit,
            );
        }
        if self.cfg.clean.keep_removed_lines {
            doc.removed_lines = cleaned.removed.into_iter().map(|(_, l)| l).collect();
        }
        let text = cleaned.text;
        doc.text = text;
        doc.n_chars = doc.text.chars().count() as u64;
        doc.n_words = filter::count_words(&doc.text, &self.cfg.filter);
        let after_filters = self.cfg.langid.after_filters;
        let rejected = |doc, r, rules_hit| {
            let spilled = Spilled {
                doc,
                reject: Some(r),
            };
            (spilled, None, rules_hit)
        };
        if !after_filters && let Some(r) = self.identify(&mut doc) {
            return rejected(doc, r, rules_hit);
        }
        if let Err(r) = filter::check(&doc, &self.cfg.filter) {
            return rejected(doc, r, rules_hit);
        }
        if after_filters && let Some(r) = self.identify(&mut doc) {
            return rejected(doc, r, rules_hit);
        }
        let near = &self.cfg.dedup.near;
        let cand = dedup::Candidate {
            key: dedup::exact_key(&doc.text),
            sig: near
                .enabled
                .then(|| dedup::minhash::signature(&doc.text, near)),
            n_chars: doc.n_chars,
            date: (near.enabled && near.keep == dedup::minhash::KeepRule::Newest)
                .then(|| doc.date.clone())
                .flatten(),
        };
        (Spilled { doc, reject: None }, Some(cand), rules_hit)
    }

    /// Label `doc`'s language (`lang`, `lang_score`, `script`, the second
    /// language); the rejection when `langid.keep` does not keep it.
    fn identify(&self, doc: &mut Document) -> Option<Reject> {
        let id = self.identifier.identify_doc(&doc.text);
        doc.lang = id.label;
        doc.lang_score = id.score;
        doc.script = id.script.to_string();
        doc.lang_mixed = id.mixed;
        if let Some((l2, s2)) = id.second {
            doc.lang2 = Some(l2);
            doc.lang2_score = Some(s2);
        }
        let keep = &self.cfg.langid.keep;
        if keep.is_empty() {
            return None;
        }
        let lang3 = doc.lang.split('_').next().unwrap_or("");
        if keep.iter().any(|k| k == &doc.lang || k == lang3) {
            return None;
        }
        let detail = format!(
            "{} (score {:.3}) not in langid.keep",
            doc.lang, doc.lang_score
        );
        Some(Reject::new(Step::Langid, "lang_not_kept", detail))
    }
}

pub fn reject(doc: Document, stage: Step, reason: &str, detail: String) -> Spilled {
    Spilled {
        doc,
        reject: Some(Reject::new(stage, reason, detail)),
    }
}
/// The counting pass over all inputs: [`count_file`] on every file in
/// parallel (rayon, in the current pool), merged. A file that cannot be
/// read is left out when `input.on_bad_file = "skip"` (the processing pass
/// then lists it in the manifest), else its error is returned.
pub fn count_files(files: &[InputFile], cfg: &Config) -> Result<LineCounts> {
    files
        .par_iter()
        .map(|f| match count_file(f, cfg) {
            Err(_) if cfg.input.on_bad_file == OnBadFile::Skip => {
                Ok(LineCounts::new(&cfg.clean.repeated))
            }
            r => r,
        })
        .try_reduce(
            || LineCounts::new(&cfg.clean.repeated),
            |mut a, b| {
                a.merge(b);
                Ok(a)
            },
        )
}

/// Count the lines of one input file: its records are read, normalized as
/// the per-document stages do ([`normalize_doc`]), and
/// counted under their [`clean::repeated::source_key`]. Bad records are skipped; a file
/// that cannot be read is an error.
pub fn count_file(file: &InputFile, cfg: &Config) -> Result<LineCounts> {
    let mut counts = LineCounts::new(&cfg.clean.repeated);
    for rec in read::records(file, &cfg.input)? {
        if let Record::Doc(mut doc) = rec? {
            normalize_doc(&mut doc, &cfg.normalize);
            if !doc.text.is_empty() {
                counts.add_doc(clean::repeated::source_key(&doc), &doc.text);
            }
        }
    }
    Ok(counts)
}
