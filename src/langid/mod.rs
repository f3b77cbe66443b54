//! Language identification behind one small interface.
//!
//! [`Identifier::identify`] returns a label `xxx_Scrp` (ISO 639-3 language +
//! ISO 15924 script, the FLORES / FineWeb-2 convention), a score in [0, 1]
//! and the script. Two backends:
//! - the embedded default, `whatlang` (no model file), with checks that
//!   turn its confident guesses on languages it does not know into `und`:
//!   languages it names but does not tell apart are not claimed
//!   ([`NOT_CLAIMED`]; 65 claimed), Vietnamese needs Vietnamese-only
//!   letters, and texts of 20+ words need the function words of the
//!   language named ([`function_words`]). Figures in docs/evaluation/langid.md;
//! - a fastText supervised model (`langid.model`: lid.176, GlotLID,
//!   OpenLID, `.bin` or `.ftz`), run by our own runtime in [`fasttext`].
//!   lid.176's ISO 639-1 labels are mapped to ISO 639-3 and given the
//!   script measured on the text; labels already of the form `xxx_Scrp`
//!   (GlotLID, OpenLID) are used as they are.
//!
//! [`Identifier::identify_doc`] makes the document-level decision for
//! articles (lines scored separately, aggregated by length, with the second
//! label and the share of other text).
//!
//! Guarantee: a document whose best score is below `langid.min_score`, or
//! whose language the identifier cannot name, is labelled `und_<Script>`
//! (the script is always measured from the text), never forced into a
//! language.

pub mod fasttext;
pub mod function_words;
pub mod script;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The `[langid]` section: which identifier, which languages to keep.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LangidConfig {
    /// Identify languages. Default true. When false (a corpus known to be in
    /// one language, or a benchmark isolating other steps), every document
    /// is labelled `und_<Script>` with score 0 (the script is still
    /// measured), `min_score` is not applied, `keep` must be empty, and the
    /// manifest names the backend `none`.
    pub enabled: bool,
    /// Labels (`eng_Latn`) or languages (`eng`) to keep; empty keeps all.
    pub keep: Vec<String>,
    /// Below this score a document is labelled `und_<Script>`. Default 0.
    pub min_score: f32,
    /// Optional fastText model file (`.bin` or `.ftz`).
    pub model: Option<PathBuf>,
    /// Identify the language after the filters instead of before them.
    /// Default false. True is datatrove's order (quality filters, then
    /// `LanguageFilter`): only documents the filters keep are identified,
    /// which saves the identifier's cost on every filtered-out document; a
    /// document rejected by a filter then has no language (`lang` is null
    /// in `rejected/`), and `langid.keep` applies after the filters. The
    /// filters must not depend on the language, so
    /// `filter.quality.language_table` must be false and
    /// `filter.quality.per_language` empty (a config error otherwise).
    pub after_filters: bool,
}

impl Default for LangidConfig {
    fn default() -> Self {
        LangidConfig {
            enabled: true,
            keep: Vec::new(),
            min_score: 0.0,
            model: None,
            after_filters: false,
        }
    }
}

/// The identification of one text.
#[derive(Clone, Debug, PartialEq)]
pub struct LangId {
    /// `xxx_Scrp`, e.g. `eng_Latn`, or `und_Scrp`.
    pub label: String,
    pub score: f32,
    /// ISO 15924 code of the dominant script.
    pub script: &'static str,
}

/// The document-level decision for an article (see
/// [`Identifier::identify_doc`]).
#[derive(Clone, Debug, PartialEq)]
pub struct DocLang {
    /// `xxx_Scrp` of the language with the most text, or `und_<Script>`.
    pub label: String,
    /// Length-weighted mean score of the segments with that label.
    pub score: f32,
    /// ISO 15924 code of the dominant script of the whole document.
    pub script: &'static str,
    /// True when the second label covers at least [`MIXED_MIN_SHARE`] of
    /// the scored text.
    pub mixed: bool,
    /// The label with the second most text (may be `und_<Script>`) and its
    /// length-weighted mean score, if segments disagree.
    pub second: Option<(String, f32)>,
    /// Share of the scored text (characters of the scored lines) with
    /// another label than `label`, `und_*` included.
    pub other_share: f32,
}

/// Lines shorter than this (in non-space characters) are not scored on
/// their own (headlines, bylines, captions: too short to be reliable).
pub const MIN_SEGMENT_CHARS: usize = 40;
/// Documents are scored on at most this many bytes of segments.
pub const MAX_DOC_BYTES: usize = 64 * 1024;
/// Share of identified text above which a second language makes a
/// document `mixed`.
pub const MIXED_MIN_SHARE: f32 = 0.2;

#[derive(Clone, Debug)]
enum Backend {
    Whatlang,
    FastText(Arc<fasttext::FastText>),
    /// `langid.enabled = false`: every text is `und_<Script>`.
    Off,
}

/// The configured identifier.
#[derive(Clone, Debug)]
pub struct Identifier {
    min_score: f32,
    backend: Backend,
}

/// Longest prefix of a document given to whatlang. Character trigram
/// statistics settle long before this; the cap bounds the cost of huge
/// documents.
const MAX_BYTES: usize = 4 * 1024;

impl Identifier {
    /// The identifier a config asks for: the fastText model when
    /// `langid.model` is set (an unreadable model is an error naming the
    /// file), else the embedded one.
    pub fn new(cfg: &LangidConfig) -> Result<Self, Error> {
        let backend = match &cfg.model {
            _ if !cfg.enabled => Backend::Off,
            Some(path) => Backend::FastText(Arc::new(load_model(path)?)),
            None => Backend::Whatlang,
        };
        Ok(Identifier {
            min_score: cfg.min_score,
            backend,
        })
    }

    /// The embedded identifier with a minimum score.
    pub fn embedded(min_score: f32) -> Self {
        Identifier {
            min_score,
            backend: Backend::Whatlang,
        }
    }

    /// The fastText model, when one is configured.
    pub fn model(&self) -> Option<&fasttext::FastText> {
        match &self.backend {
            Backend::FastText(m) => Some(m),
            Backend::Whatlang | Backend::Off => None,
        }
    }

    /// The languages this identifier can name, as (the backend's own label,
    /// our label) pairs. The embedded identifier's labels are ISO 639-3
    /// codes without a script (it measures the script on each text); a
    /// model's labels are mapped as [`model_label`] does (script `Zyyy`
    /// where the model label carries none).
    pub fn languages(&self) -> Vec<(String, String)> {
        match &self.backend {
            Backend::Whatlang => whatlang::Lang::all()
                .iter()
                .filter(|l| !NOT_CLAIMED.contains(&l.code()))
                .map(|l| (l.code().to_string(), l.code().to_string()))
                .collect(),
            Backend::FastText(m) => m
                .labels()
                .map(|l| {
                    let raw = l.strip_prefix("__label__").unwrap_or(l).to_string();
                    let ours = model_label(&raw, "Zyyy");
                    (raw, ours)
                })
                .collect(),
            Backend::Off => Vec::new(),
        }
    }

    /// False when `langid.enabled = false`.
    pub fn is_enabled(&self) -> bool {
        !matches!(self.backend, Backend::Off)
    }

    /// Identify the language and script of `text`.
    pub fn identify(&self, text: &str) -> LangId {
        self.identify_in(text, script::dominant_script(text))
    }

    /// The document-level decision, as ungoliant makes it for OSCAR: each
    /// line (paragraph) of at least [`MIN_SEGMENT_CHARS`] non-space
    /// characters is identified on its own; the label with the most
    /// characters wins (all `und_*` segments count as one label, so a
    /// document mostly in unknown languages stays `und`), its score is the
    /// length-weighted mean of its segments' scores. A document with fewer than two such lines is
    /// identified as a whole ([`Identifier::identify`]).
    pub fn identify_doc(&self, text: &str) -> DocLang {
        // One pass per line measures its script and its length; the
        // document's script counts are the sum of its lines' (line breaks
        // are not letters).
        let mut counts = script::ScriptCounts::default();
        let mut segments: Vec<(&str, usize, &'static str)> = Vec::new();
        let mut bytes = 0usize;
        let mut full = false;
        for line in text.lines() {
            let (c, n) = script::ScriptCounts::scan(line);
            counts.add(&c);
            if full || n < MIN_SEGMENT_CHARS {
                continue;
            }
            if bytes + line.len() > MAX_DOC_BYTES && !segments.is_empty() {
                full = true;
                continue;
            }
            bytes += line.len();
            segments.push((line, n, c.dominant()));
        }
        let script = counts.dominant();
        let whole = |id: LangId| DocLang {
            label: id.label,
            score: id.score,
            script,
            mixed: false,
            second: None,
            other_share: 0.0,
        };
        if segments.len() < 2 || !self.is_enabled() {
            return whole(self.identify_in(text, script));
        }
        // label -> (characters, characters x score); every `und_*` label
        // counts as one `und`. A Vec keeps the order of first appearance, so
        // ties break the same way on every run.
        let mut tally: Vec<(String, f64, f64)> = Vec::new();
        for (line, n, line_script) in segments {
            let id = self.identify_in(line, line_script);
            let key = if id.label.starts_with("und_") {
                "und".to_string()
            } else {
                id.label
            };
            let w = n as f64;
            match tally.iter_mut().find(|t| t.0 == key) {
                Some(t) => {
                    t.1 += w;
                    t.2 += w * f64::from(id.score);
                }
                None => tally.push((key, w, w * f64::from(id.score))),
            }
        }
        let total: f64 = tally.iter().map(|t| t.1).sum();
        // Most characters first; the sort is stable, so the first seen wins ties.
        tally.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        let best = &tally[0];
        let second = tally.get(1);
        let name = |l: &str| {
            if l == "und" {
                format!("und_{script}")
            } else {
                l.to_string()
            }
        };
        DocLang {
            label: name(&best.0),
            score: (best.2 / best.1) as f32,
            script,
            mixed: second.is_some_and(|t| t.1 / total >= f64::from(MIXED_MIN_SHARE)),
            second: second.map(|t| (name(&t.0), (t.2 / t.1) as f32)),
            other_share: (1.0 - best.1 / total) as f32,
        }
    }

    /// Up to `k` candidate labels, best first. The embedded identifier
    /// names one language only, so it returns at most one. The first entry
    /// is `und_<Script>` when the best score is below the minimum.
    pub fn identify_top(&self, text: &str, k: usize) -> Vec<LangId> {
        self.identify_top_in(text, script::dominant_script(text), k)
    }

    /// [`Identifier::identify`] of a text whose dominant script is known.
    fn identify_in(&self, text: &str, script: &'static str) -> LangId {
        self.identify_top_in(text, script, 1)
            .into_iter()
            .next()
            .unwrap_or_else(|| LangId {
                label: format!("und_{script}"),
                score: 0.0,
                script,
            })
    }

    /// [`Identifier::identify_top`] of a text whose dominant script is known.
    fn identify_top_in(&self, text: &str, script: &'static str, k: usize) -> Vec<LangId> {
        let raw: Vec<(String, f32)> = match &self.backend {
            Backend::Off => Vec::new(),
            Backend::Whatlang => whatlang_guess(text, script).into_iter().collect(),
            Backend::FastText(m) => m
                .predict(text, k.max(1), 0.0)
                .into_iter()
                .map(|(l, p)| (model_label(&l, script), p))
                .collect(),
        };
        let mut out: Vec<LangId> = raw
            .into_iter()
            .take(k.max(1))
            .map(|(label, score)| LangId {
                label,
                score: score.clamp(0.0, 1.0),
                script,
            })
            .collect();
        let und = out.first().is_none_or(|best| best.score < self.min_score) || script == "Zyyy";
        if und {
            let score = out.first().map_or(0.0, |b| b.score);
            out.insert(
                0,
                LangId {
                    label: format!("und_{script}"),
                    score,
                    script,
                },
            );
            out.truncate(k.max(1));
        }
        out
    }
}

/// Languages whatlang names but the embedded identifier does not claim.
/// Measured with `scripts/eval_langid.py`: their trigram profiles absorb
/// languages whatlang does not know, with full confidence (news: Kirundi
/// -> `sna` in 1557 of 1598 articles, isiXhosa -> `zul`, Oromo and Hausa
/// -> `jav`, Somali -> `tgl`; UDHR: fewer than 1 in 10 of the paragraphs
/// called `aka`, `zul`, `jav` or `tgl` are in that language). A text
/// whatlang assigns to one of them is labelled `und_<Script>`.
pub const NOT_CLAIMED: &[&str] = &["aka", "jav", "sna", "tgl", "zul"];

/// Share of letters specific to Vietnamese (ă, đ, ơ, ư with any tone mark)
/// a text called Vietnamese must reach (texts of at least 40 letters);
/// Yoruba and Igbo, which whatlang calls Vietnamese, have none.
pub const MIN_VIETNAMESE_LETTERS: f32 = 0.01;

fn is_vietnamese_letter(c: char) -> bool {
    matches!(
        c.to_lowercase().next().unwrap_or(c),
        'ă' | 'ắ'
            | 'ằ'
            | 'ẳ'
            | 'ẵ'
            | 'ặ'
            | 'đ'
            | 'ơ'
            | 'ớ'
            | 'ờ'
            | 'ở'
            | 'ỡ'
            | 'ợ'
            | 'ư'
            | 'ứ'
            | 'ừ'
            | 'ử'
            | 'ữ'
            | 'ự'
    )
}

/// whatlang's language for `text` and its confidence, or `None` when it
/// names none or the checks above reject its answer.
fn whatlang_guess(text: &str, script: &'static str) -> Option<(String, f32)> {
    let text = prefix(text, MAX_BYTES);
    let info = whatlang::detect(text)?;
    let code = info.lang().code();
    if NOT_CLAIMED.contains(&code) {
        return None;
    }
    if code == "vie" {
        let (mut letters, mut viet) = (0u32, 0u32);
        for c in text.chars().filter(|c| c.is_alphabetic()) {
            letters += 1;
            viet += u32::from(is_vietnamese_letter(c));
        }
        if letters >= 40 && (viet as f32) < MIN_VIETNAMESE_LETTERS * letters as f32 {
            return None;
        }
    }
    if function_words::rejects(code, text) {
        return None;
    }
    Some((
        format!("{code}_{}", label_script(code, script)),
        info.confidence() as f32,
    ))
}

/// Check the language codes a config names against what the identifier can
/// produce: every `langid.keep` entry must be a language (`eng`) or label
/// (`eng_Latn`) of the configured identifier (or `und`/`und_<Script>`), and
/// every key of `filter.quality.per_language` an ISO 639-3 code with an
/// optional script. A code that can never match is a config error with a
/// suggestion (`en` -> `eng_Latn`), not a silently empty release.
pub fn check_config(
    cfg: &LangidConfig,
    quality: &crate::filter::quality::QualityConfig,
    config_path: &Path,
) -> Result<(), Error> {
    let bad = |m: String| Error::config(config_path, m);
    for key in quality.per_language.keys() {
        if !is_code_shape(key) {
            return Err(bad(format!(
                "filter.quality.per_language.{key}: not an ISO 639-3 code with an optional script \
                 (like `eng` or `eng_Latn`){}",
                suggest_code(key, &[])
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default()
            )));
        }
    }
    if cfg.keep.is_empty() || !cfg.enabled {
        return Ok(());
    }
    let id = Identifier::new(cfg)?;
    let labels: Vec<String> = id.languages().into_iter().map(|(_, ours)| ours).collect();
    let langs: std::collections::BTreeSet<&str> = labels
        .iter()
        .map(|l| l.split('_').next().unwrap_or(l))
        .collect();
    for k in &cfg.keep {
        let (lang, script) = match k.split_once('_') {
            Some((l, s)) => (l, Some(s)),
            None => (k.as_str(), None),
        };
        let script_ok = script.is_none_or(|s| {
            s.len() == 4
                && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && s.chars().skip(1).all(|c| c.is_ascii_lowercase())
        });
        if script_ok && (lang == "und" || langs.contains(lang)) {
            continue;
        }
        let which = match &cfg.model {
            Some(m) => format!("the model {}", m.display()),
            None => "the embedded identifier".to_string(),
        };
        let hint = match suggest_code(k, &labels) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => String::new(),
        };
        return Err(bad(format!(
            "langid.keep: `{k}` is not a language that {which} can name, so no document would \
             be kept{hint} (labels are ISO 639-3 + ISO 15924, like `eng_Latn`, or a bare \
             language like `eng`; `corpusforge langid --help` lists how to see them)"
        )));
    }
    Ok(())
}

/// `xxx` or `xxx_Scrp` with a lower-case ISO 639-3 code.
fn is_code_shape(code: &str) -> bool {
    let (lang, script) = match code.split_once('_') {
        Some((l, s)) => (l, Some(s)),
        None => (code, None),
    };
    lang.len() == 3
        && lang.chars().all(|c| c.is_ascii_lowercase())
        && script.is_none_or(|s| s.len() == 4 && s.chars().all(|c| c.is_ascii_alphabetic()))
}

/// A label close to a code that names nothing: ISO 639-1 mapped to 639-3
/// (`en` -> `eng`, or `eng_Latn` when `labels` has it), or the label whose
/// language matches the code's case-folded language part.
fn suggest_code(code: &str, labels: &[String]) -> Option<String> {
    let base = code
        .split(['_', '-'])
        .next()
        .unwrap_or(code)
        .to_ascii_lowercase();
    let lang3 = match base.len() {
        2 => iso639_1_to_3(&base)?.to_string(),
        3 => base,
        _ => return None,
    };
    let mut with_script: Vec<&String> = labels
        .iter()
        .filter(|l| l.split('_').next() == Some(lang3.as_str()) && l.contains('_'))
        .collect();
    with_script.sort();
    match with_script.first() {
        Some(l) if !l.ends_with("_Zyyy") => Some((*l).clone()),
        _ if labels.is_empty() || labels.iter().any(|l| l.split('_').next() == Some(&lang3)) => {
            Some(lang3)
        }
        _ => None,
    }
}

/// Load a fastText model; errors name the file.
pub fn load_model(path: &Path) -> Result<fasttext::FastText, Error> {
    fasttext::FastText::load(path).map_err(|e| Error::Config {
        path: path.to_path_buf(),
        line: None,
        message: format!("langid.model: {e}"),
    })
}

/// Our label for a model's label: `xxx_Scrp` labels as they are; ISO 639-1
/// (lid.176) mapped to ISO 639-3; then the text's script appended.
pub fn model_label(label: &str, script: &'static str) -> String {
    if let Some((lang, scr)) = label.split_once('_')
        && lang.len() == 3
        && scr.len() == 4
    {
        return label.to_string();
    }
    let base = label
        .split(['-', '_'])
        .next()
        .unwrap_or(label)
        .to_ascii_lowercase();
    let lang3 = if base.len() == 2 {
        iso639_1_to_3(&base).unwrap_or("und")
    } else if base.len() == 3 {
        base.as_str()
    } else {
        "und"
    };
    format!("{lang3}_{}", label_script(lang3, script))
}

/// The script written in a label: the measured one, except that Chinese is
/// `Hani` even when a stray kana appears, and Japanese is `Jpan`.
fn label_script(lang: &str, script: &'static str) -> &'static str {
    match (lang, script) {
        ("cmn" | "zho" | "yue" | "wuu", "Jpan") => "Hani",
        ("jpn", "Hani") => "Jpan",
        _ => script,
    }
}

/// ISO 639-1 to ISO 639-3 (individual language where the 639-1 code is a
/// macrolanguage that news text nearly always means, e.g. `zh` -> `cmn`;
/// else the macrolanguage code, e.g. `ar` -> `ara`). Also lid.176's `sh`.
pub fn iso639_1_to_3(code: &str) -> Option<&'static str> {
    const MAP: &[(&str, &str)] = &[
        ("aa", "aar"),
        ("ab", "abk"),
        ("af", "afr"),
        ("ak", "aka"),
        ("am", "amh"),
        ("an", "arg"),
        ("ar", "ara"),
        ("as", "asm"),
        ("av", "ava"),
        ("ay", "aym"),
        ("az", "aze"),
        ("ba", "bak"),
        ("be", "bel"),
        ("bg", "bul"),
        ("bh", "bih"),
        ("bi", "bis"),
        ("bm", "bam"),
        ("bn", "ben"),
        ("bo", "bod"),
        ("br", "bre"),
        ("bs", "bos"),
        ("ca", "cat"),
        ("ce", "che"),
        ("ch", "cha"),
        ("co", "cos"),
        ("cr", "cre"),
        ("cs", "ces"),
        ("cu", "chu"),
        ("cv", "chv"),
        ("cy", "cym"),
        ("da", "dan"),
        ("de", "deu"),
        ("dv", "div"),
        ("dz", "dzo"),
        ("ee", "ewe"),
        ("el", "ell"),
        ("en", "eng"),
        ("eo", "epo"),
        ("es", "spa"),
        ("et", "est"),
        ("eu", "eus"),
        ("fa", "fas"),
        ("ff", "ful"),
        ("fi", "fin"),
        ("fj", "fij"),
        ("fo", "fao"),
        ("fr", "fra"),
        ("fy", "fry"),
        ("ga", "gle"),
        ("gd", "gla"),
        ("gl", "glg"),
        ("gn", "grn"),
        ("gu", "guj"),
        ("gv", "glv"),
        ("ha", "hau"),
        ("he", "heb"),
        ("hi", "hin"),
        ("ho", "hmo"),
        ("hr", "hrv"),
        ("ht", "hat"),
        ("hu", "hun"),
        ("hy", "hye"),
        ("hz", "her"),
        ("ia", "ina"),
        ("id", "ind"),
        ("ie", "ile"),
        ("ig", "ibo"),
        ("ii", "iii"),
        ("ik", "ipk"),
        ("io", "ido"),
        ("is", "isl"),
        ("it", "ita"),
        ("iu", "iku"),
        ("ja", "jpn"),
        ("jv", "jav"),
        ("ka", "kat"),
        ("kg", "kon"),
        ("ki", "kik"),
        ("kj", "kua"),
        ("kk", "kaz"),
        ("kl", "kal"),
        ("km", "khm"),
        ("kn", "kan"),
        ("ko", "kor"),
        ("kr", "kau"),
        ("ks", "kas"),
        ("ku", "kur"),
        ("kv", "kom"),
        ("kw", "cor"),
        ("ky", "kir"),
        ("la", "lat"),
        ("lb", "ltz"),
        ("lg", "lug"),
        ("li", "lim"),
        ("ln", "lin"),
        ("lo", "lao"),
        ("lt", "lit"),
        ("lu", "lub"),
        ("lv", "lav"),
        ("mg", "mlg"),
        ("mh", "mah"),
        ("mi", "mri"),
        ("mk", "mkd"),
        ("ml", "mal"),
        ("mn", "mon"),
        ("mr", "mar"),
        ("ms", "msa"),
        ("mt", "mlt"),
        ("my", "mya"),
        ("na", "nau"),
        ("nb", "nob"),
        ("nd", "nde"),
        ("ne", "nep"),
        ("ng", "ndo"),
        ("nl", "nld"),
        ("nn", "nno"),
        ("no", "nor"),
        ("nr", "nbl"),
        ("nv", "nav"),
        ("ny", "nya"),
        ("oc", "oci"),
        ("oj", "oji"),
        ("om", "orm"),
        ("or", "ori"),
        ("os", "oss"),
        ("pa", "pan"),
        ("pi", "pli"),
        ("pl", "pol"),
        ("ps", "pus"),
        ("pt", "por"),
        ("qu", "que"),
        ("rm", "roh"),
        ("rn", "run"),
        ("ro", "ron"),
        ("ru", "rus"),
        ("rw", "kin"),
        ("sa", "san"),
        ("sc", "srd"),
        ("sd", "snd"),
        ("se", "sme"),
        ("sg", "sag"),
        ("sh", "hbs"),
        ("si", "sin"),
        ("sk", "slk"),
        ("sl", "slv"),
        ("sm", "smo"),
        ("sn", "sna"),
        ("so", "som"),
        ("sq", "sqi"),
        ("sr", "srp"),
        ("ss", "ssw"),
        ("st", "sot"),
        ("su", "sun"),
        ("sv", "swe"),
        ("sw", "swa"),
        ("ta", "tam"),
        ("te", "tel"),
        ("tg", "tgk"),
        ("th", "tha"),
        ("ti", "tir"),
        ("tk", "tuk"),
        ("tl", "tgl"),
        ("tn", "tsn"),
        ("to", "ton"),
        ("tr", "tur"),
        ("ts", "tso"),
        ("tt", "tat"),
        ("tw", "twi"),
        ("ty", "tah"),
        ("ug", "uig"),
        ("uk", "ukr"),
        ("ur", "urd"),
        ("uz", "uzb"),
        ("ve", "ven"),
        ("vi", "vie"),
        ("vo", "vol"),
        ("wa", "wln"),
        ("wo", "wol"),
        ("xh", "xho"),
        ("yi", "yid"),
        ("yo", "yor"),
        ("za", "zha"),
        ("zh", "cmn"),
        ("zu", "zul"),
    ];
    MAP.iter().find(|(a, _)| *a == code).map(|(_, b)| *b)
}

fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_have_language_and_script() {
        let id = Identifier::embedded(0.0);
        let r = id.identify(
            "The committee met on Tuesday to discuss the new budget for the city schools and roads.",
        );
        assert_eq!(r.label, "eng_Latn");
        assert!(r.score > 0.5 && r.score <= 1.0);
        let r = id
            .identify("اجتمعت اللجنة يوم الثلاثاء لمناقشة الميزانية الجديدة لمدارس المدينة وطرقها.");
        assert_eq!(r.label, "ara_Arab");
    }

    #[test]
    fn below_min_score_is_und_with_script() {
        let r = Identifier::embedded(1.0).identify("Ok then.");
        assert!(r.label.starts_with("und_"), "{r:?}");
        let r = Identifier::embedded(0.0).identify("12345 !!!");
        assert_eq!(r.label, "und_Zyyy");
    }

    const EN: &str = "The city council approved the new budget on Tuesday after a long debate about the cost of repairing the roads and schools.";
    const FR: &str = "Le conseil municipal a approuvé mardi le nouveau budget après un long débat sur le coût de la réparation des routes et des écoles.";

    #[test]
    fn document_decision_weighs_lines_by_length() {
        let id = Identifier::embedded(0.0);
        let text = format!("Short title\n{EN}\n{EN} {EN} {EN}\n{FR}\n{EN}");
        let d = id.identify_doc(&text);
        assert_eq!(d.label, "eng_Latn", "{d:?}");
        assert_eq!(d.second.as_ref().map(|s| s.0.as_str()), Some("fra_Latn"));
        assert!(d.other_share > 0.1 && d.other_share < 0.3, "{d:?}");
        assert!(!d.mixed, "{d:?}");
        let text = format!("{FR}\n{EN}\n{FR}");
        let d = id.identify_doc(&text);
        assert_eq!(d.label, "fra_Latn", "{d:?}");
        assert!(d.mixed, "{d:?}");
        // one line: the whole-text decision
        let d = id.identify_doc(EN);
        assert_eq!(
            (d.label.as_str(), d.mixed, d.second),
            ("eng_Latn", false, None)
        );
        assert_eq!(d.score, id.identify(EN).score);
    }

    #[test]
    fn embedded_rejects_what_it_does_not_know() {
        let id = Identifier::embedded(0.0);
        assert!(
            id.languages()
                .iter()
                .all(|(l, _)| !NOT_CLAIMED.contains(&l.as_str()))
        );
        assert!(id.languages().iter().any(|(l, _)| l == "eng"));
        // English-lexified creole: English trigrams, few English function words.
        let pidgin = "Di goment don talk say dem go build new road for di area wey people dey complain about since last year. \
            Di minister tell reporters for Abuja say di work go start next month and e go finish before di rainy season, \
            but some residents say dem no believe am because dem don hear dis kain promise before.";
        assert!(
            id.identify(pidgin).label.starts_with("und_"),
            "{:?}",
            id.identify(pidgin)
        );
        assert_eq!(id.identify(&format!("{EN} {EN}")).label, "eng_Latn");
    }

    #[test]
    fn model_labels_map_to_iso639_3_and_script() {
        assert_eq!(model_label("ar", "Arab"), "ara_Arab");
        assert_eq!(model_label("zh", "Jpan"), "cmn_Hani");
        assert_eq!(model_label("ja", "Hani"), "jpn_Jpan");
        assert_eq!(model_label("arb_Arab", "Latn"), "arb_Arab");
        assert_eq!(model_label("ceb", "Latn"), "ceb_Latn");
        assert_eq!(model_label("xx", "Latn"), "und_Latn");
    }
}
