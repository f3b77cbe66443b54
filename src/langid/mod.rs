//! Language identification behind one small interface.
//!
//! [`Identifier::identify`] returns a label `xxx_Scrp` (ISO 639-3 language +
//! ISO 15924 script, the FLORES / FineWeb-2 convention), a score in [0, 1]
//! and the script. Two backends:
//! - the embedded default, `whatlang` (70 languages, no model file, ~15k
//!   docs/s per core measured on this project's machine);
//! - a fastText supervised model (`langid.model`: lid.176, GlotLID,
//!   OpenLID, `.bin` or `.ftz`), run by our own runtime in [`fasttext`].
//!   lid.176's ISO 639-1 labels are mapped to ISO 639-3 and given the
//!   script measured on the text; labels already of the form `xxx_Scrp`
//!   (GlotLID, OpenLID) are used as they are.
//!
//! Guarantee: a document whose best score is below `langid.min_score`, or
//! whose language the identifier cannot name, is labelled `und_<Script>`
//! (the script is always measured from the text), never forced into a
//! language.

pub mod fasttext;
pub mod script;

use std::path::Path;
use std::sync::Arc;

use crate::config::LangidConfig;
use crate::error::Error;

/// The identification of one text.
#[derive(Clone, Debug, PartialEq)]
pub struct LangId {
    /// `xxx_Scrp`, e.g. `eng_Latn`, or `und_Scrp`.
    pub label: String,
    pub score: f32,
    /// ISO 15924 code of the dominant script.
    pub script: &'static str,
}

#[derive(Clone, Debug)]
enum Backend {
    Whatlang,
    FastText(Arc<fasttext::FastText>),
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
            Backend::Whatlang => None,
        }
    }

    /// Identify the language and script of `text`.
    pub fn identify(&self, text: &str) -> LangId {
        self.identify_top(text, 1)
            .into_iter()
            .next()
            .unwrap_or_else(|| LangId {
                label: format!("und_{}", script::dominant_script(text)),
                score: 0.0,
                script: script::dominant_script(text),
            })
    }

    /// Up to `k` candidate labels, best first. The embedded identifier
    /// names one language only, so it returns at most one. The first entry
    /// is `und_<Script>` when the best score is below the minimum.
    pub fn identify_top(&self, text: &str, k: usize) -> Vec<LangId> {
        let script = script::dominant_script(text);
        let raw: Vec<(String, f32)> = match &self.backend {
            Backend::Whatlang => whatlang::detect(prefix(text, MAX_BYTES))
                .map(|info| {
                    vec![(
                        format!(
                            "{}_{}",
                            info.lang().code(),
                            label_script(info.lang().code(), script)
                        ),
                        info.confidence() as f32,
                    )]
                })
                .unwrap_or_default(),
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
