//! The per-document stages: normalize -> clean -> langid -> filter -> dedup
//! key. [`Stages::process`] is a pure function of the document and the
//! config: it never looks at other documents, so any split of the input
//! into tasks gives the same per-document outcomes.

use serde::{Deserialize, Serialize};

use crate::clean::Rules;
use crate::config::Config;
use crate::doc::{Document, Reject, Stage};
use crate::langid::Identifier;
use crate::{dedup, filter, normalize};

/// Everything the per-document stages need, built once.
pub struct Stages {
    pub cfg: Config,
    pub rules: Option<Rules>,
    pub identifier: Identifier,
}

/// One spilled outcome of phase 1.
#[derive(Serialize, Deserialize)]
pub struct Spilled {
    pub doc: Document,
    pub reject: Option<Reject>,
}

impl Stages {
    /// Run the per-document stages. Returns the outcome, the dedup key of a
    /// survivor, and the rules that removed lines.
    pub fn process(&self, mut doc: Document) -> (Spilled, Option<dedup::Candidate>, Vec<usize>) {
        let form = self.cfg.normalize.form;
        let text = normalize::normalize(&doc.text, form);
        doc.title = doc
            .title
            .as_deref()
            .map(|t| normalize::normalize_field(t, form))
            .filter(|t| !t.is_empty());
        doc.source = doc
            .source
            .as_deref()
            .map(|t| normalize::normalize_field(t, form))
            .filter(|t| !t.is_empty());
        doc.url = doc.url.as_deref().map(|t| t.trim().to_string());
        doc.date = doc.date.as_deref().map(|t| t.trim().to_string());
        let mut rules_hit = Vec::new();
        let text = match &self.rules {
            Some(rules) => {
                let cleaned = rules.clean(&text);
                rules_hit = cleaned.removed.iter().map(|(r, _)| *r).collect();
                if cleaned.text.is_empty() {
                    doc.text = text;
                    let n = rules_hit.len();
                    return (
                        reject(
                            doc,
                            Stage::Clean,
                            "empty_after_clean",
                            format!("all {n} lines were boilerplate"),
                        ),
                        None,
                        rules_hit,
                    );
                }
                cleaned.text
            }
            None => text,
        };
        doc.text = text;
        doc.n_chars = doc.text.chars().count() as u64;
        doc.n_words = filter::count_words(&doc.text);
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
        if !keep.is_empty() {
            let lang3 = doc.lang.split('_').next().unwrap_or("");
            if !keep.iter().any(|k| k == &doc.lang || k == lang3) {
                let detail = format!(
                    "{} (score {:.3}) not in langid.keep",
                    doc.lang, doc.lang_score
                );
                return (
                    reject(doc, Stage::Langid, "lang_not_kept", detail),
                    None,
                    rules_hit,
                );
            }
        }
        if let Err(r) = filter::check(&doc, &self.cfg.filter) {
            return (
                Spilled {
                    doc,
                    reject: Some(r),
                },
                None,
                rules_hit,
            );
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
}

pub fn reject(doc: Document, stage: Stage, reason: &str, detail: String) -> Spilled {
    Spilled {
        doc,
        reject: Some(Reject::new(stage, reason, detail)),
    }
}
