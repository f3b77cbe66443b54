//! The quality filters' settings: one serde struct per filter
//! ([`GopherRepetitionConfig`], [`GopherQualityConfig`], [`C4Config`],
//! [`FineWebConfig`]), per-language overrides ([`LangOverride`]) and their
//! aggregate [`QualityConfig`]. Each sub-config's `Default` holds the
//! published values, each cited at the field; [`QualityConfig::default`] is
//! corpusforge's multilingual default.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Gopher repetition filter (Rae et al. 2021, Table A1; datatrove
/// `GopherRepetitionFilter` defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GopherRepetitionConfig {
    pub enabled: bool,
    /// Duplicate line fraction, 0.30 (Table A1).
    pub dup_line_frac: f64,
    /// Duplicate paragraph fraction, 0.30 (Table A1).
    pub dup_para_frac: f64,
    /// Duplicate line character fraction, 0.20 (Table A1).
    pub dup_line_char_frac: f64,
    /// Duplicate paragraph character fraction, 0.20 (Table A1).
    pub dup_para_char_frac: f64,
    /// Top n-gram character fraction: 2→0.20, 3→0.18, 4→0.16 (Table A1).
    pub top_n_grams: Vec<(usize, f64)>,
    /// Duplicate n-gram character fraction: 5→0.15 … 10→0.10 (Table A1).
    pub dup_n_grams: Vec<(usize, f64)>,
}

impl Default for GopherRepetitionConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            dup_line_frac: 0.30,
            dup_para_frac: 0.30,
            dup_line_char_frac: 0.20,
            dup_para_char_frac: 0.20,
            top_n_grams: vec![(2, 0.20), (3, 0.18), (4, 0.16)],
            dup_n_grams: vec![
                (5, 0.15),
                (6, 0.14),
                (7, 0.13),
                (8, 0.12),
                (9, 0.11),
                (10, 0.10),
            ],
        }
    }
}

/// Gopher quality filter (Rae et al. 2021, Table A1 and §A.1.1; datatrove
/// `GopherQualityFilter` defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GopherQualityConfig {
    pub enabled: bool,
    /// Minimum number of non-symbol words, 50 (Gopher).
    pub min_doc_words: usize,
    /// Maximum number of non-symbol words, 100,000 (Gopher).
    pub max_doc_words: usize,
    /// Minimum mean word length in characters, 3 (Gopher).
    pub min_avg_word_length: f64,
    /// Maximum mean word length in characters, 10 (Gopher).
    pub max_avg_word_length: f64,
    /// Maximum `#`-to-word and ellipsis-to-word ratio, 0.1 (Gopher).
    pub max_symbol_word_ratio: f64,
    /// Maximum fraction of lines starting with a bullet (`•`, `-`), 0.9 (Gopher).
    pub max_bullet_lines_ratio: f64,
    /// Maximum fraction of lines ending with an ellipsis, 0.3 (Gopher).
    pub max_ellipsis_lines_ratio: f64,
    /// Minimum fraction of tokens containing a letter, 0.8 (Gopher; datatrove
    /// calls it `max_non_alpha_words_ratio`, FineWeb-2 keeps that name).
    pub max_non_alpha_words_ratio: f64,
    /// Minimum number of *distinct* stop words present, 2 (Gopher).
    pub min_stop_words: usize,
    /// Stop words for languages without their own list; Gopher's English
    /// list {the, be, to, of, and, that, have, with}. Matching is exact
    /// (case-sensitive), as in datatrove. Used only for `eng` in the
    /// multilingual default (see `QualityConfig::default`).
    pub stop_words: Vec<String>,
    /// Match stop words case-insensitively (so a sentence-initial "Bu" or an
    /// all-caps article counts). Off in the published setting (datatrove
    /// matches exactly), on in the multilingual default.
    pub stop_words_casefold: bool,
}

pub const GOPHER_STOP_WORDS: [&str; 8] = ["the", "be", "to", "of", "and", "that", "have", "with"];

impl Default for GopherQualityConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            min_doc_words: 50,
            max_doc_words: 100_000,
            min_avg_word_length: 3.0,
            max_avg_word_length: 10.0,
            max_symbol_word_ratio: 0.1,
            max_bullet_lines_ratio: 0.9,
            max_ellipsis_lines_ratio: 0.3,
            max_non_alpha_words_ratio: 0.8,
            min_stop_words: 2,
            stop_words: GOPHER_STOP_WORDS.iter().map(|s| s.to_string()).collect(),
            stop_words_casefold: false,
        }
    }
}

/// C4 rules (Raffel et al. 2020 §2.2; tfds `c4_utils`; datatrove
/// `C4QualityFilter` defaults). Bad-word lists are not applied here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct C4Config {
    pub enabled: bool,
    /// Strip `[1]`, `[edit]`, `[citation needed]` (datatrove `remove_citations`).
    pub remove_citations: bool,
    /// Keep only lines ending in `. ? ! " '` and not in "..." (C4). FineWeb
    /// ran C4 with this off.
    pub filter_no_terminal_punct: bool,
    /// Minimum sentences in the kept lines, 5 (C4); 0 disables.
    pub min_num_sentences: usize,
    /// Minimum whitespace-separated words per line, 3 (C4); 0 disables.
    pub min_words_per_line: usize,
    /// Drop lines with a word longer than this, 1000 chars (tfds c4_utils); 0 disables.
    pub max_word_length: usize,
    /// Drop documents containing "lorem ipsum" (C4).
    pub filter_lorem_ipsum: bool,
    /// Drop lines containing "javascript" (C4).
    pub filter_javascript: bool,
    /// Drop documents containing `{` (C4).
    pub filter_curly_bracket: bool,
    /// Drop lines with terms-of-use / privacy / cookie phrases (tfds c4_utils).
    pub filter_policy: bool,
}

impl Default for C4Config {
    fn default() -> Self {
        Self {
            enabled: true,
            remove_citations: true,
            filter_no_terminal_punct: true,
            min_num_sentences: 5,
            min_words_per_line: 3,
            max_word_length: 1000,
            filter_lorem_ipsum: true,
            filter_javascript: true,
            filter_curly_bracket: true,
            filter_policy: true,
        }
    }
}

/// FineWeb quality filter (Penedo et al. 2024; datatrove `FineWebQualityFilter` defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FineWebConfig {
    pub enabled: bool,
    /// Minimum fraction of non-empty lines ending in terminal punctuation, 0.12
    /// (`line_punct_thr`); 0 disables.
    pub line_punct_thr: f64,
    /// Do not reject when *no* line ends in punctuation (`line_punct_exclude_zero`, false).
    pub line_punct_exclude_zero: bool,
    /// Maximum fraction of lines of at most `short_line_length` chars, 0.67
    /// (`short_line_thr`); 1.0 disables (FineWeb-2 removed this rule).
    pub short_line_thr: f64,
    /// Short line length in characters, 30 (`short_line_length`).
    pub short_line_length: usize,
    /// Maximum fraction of characters in duplicated lines, 0.01
    /// (`char_duplicates_ratio`; FineWeb-2 uses 0.1).
    pub char_duplicates_ratio: f64,
    /// Maximum newlines per token, 0.3 (`new_line_ratio`).
    pub new_line_ratio: f64,
    /// Ignore trailing whitespace and closing quotes/brackets when testing a
    /// line's last character and length. datatrove does not (false, for
    /// parity); the multilingual default does, so `end. ` and `end!"` count
    /// as ending in punctuation.
    pub trim_line_ends: bool,
}

impl Default for FineWebConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            line_punct_thr: 0.12,
            line_punct_exclude_zero: false,
            short_line_thr: 0.67,
            short_line_length: 30,
            char_duplicates_ratio: 0.01,
            new_line_ratio: 0.3,
            trim_line_ends: false,
        }
    }
}

/// Per-language overrides; every field left out keeps the global value.
/// Field names follow FineWeb-2's `configs/<lang>.yml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LangOverride {
    pub dup_line_frac: Option<f64>,
    pub dup_para_frac: Option<f64>,
    pub dup_para_char_frac: Option<f64>,
    pub top_n_grams: Option<Vec<(usize, f64)>>,
    pub dup_n_grams: Option<Vec<(usize, f64)>>,
    pub min_doc_words: Option<usize>,
    pub min_avg_word_length: Option<f64>,
    pub max_avg_word_length: Option<f64>,
    pub max_non_alpha_words_ratio: Option<f64>,
    pub min_stop_words: Option<usize>,
    pub stop_words: Option<Vec<String>>,
    pub line_punct_thr: Option<f64>,
    pub short_line_thr: Option<f64>,
    pub char_duplicates_ratio: Option<f64>,
    pub new_line_ratio: Option<f64>,
}

/// All quality filters plus the per-language table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QualityConfig {
    pub gopher_repetition: GopherRepetitionConfig,
    pub gopher_quality: GopherQualityConfig,
    pub c4: C4Config,
    pub fineweb: FineWebConfig,
    /// Use the built-in per-language table ([`fineweb2_languages`](super::fineweb2_languages)).
    pub language_table: bool,
    /// Your own per-language overrides, keyed by ISO 639-3 (`deu`) or
    /// `lang_Script` (`deu_Latn`). Each field set here wins over the
    /// built-in table's field for that language; fields left out fall back
    /// to the table, then to the global value. A language with no stop-word
    /// list (here or in the table) skips the stop-word rule, except `eng`.
    pub per_language: HashMap<String, LangOverride>,
}

impl Default for QualityConfig {
    fn default() -> Self {
        Self {
            gopher_repetition: GopherRepetitionConfig::default(),
            gopher_quality: GopherQualityConfig {
                stop_words_casefold: true,
                ..GopherQualityConfig::default()
            },
            // FineWeb-2 README: C4 filters "degrade performance in this multilingual setting".
            c4: C4Config {
                enabled: false,
                ..C4Config::default()
            },
            // FineWeb-2 README: short_line_thr removed, char_dup_ratio 0.01 -> 0.1.
            fineweb: FineWebConfig {
                short_line_thr: 1.0,
                char_duplicates_ratio: 0.1,
                trim_line_ends: true,
                ..FineWebConfig::default()
            },
            language_table: true,
            per_language: HashMap::new(),
        }
    }
}
