//! Near-duplicate settings: which member of a cluster survives
//! ([`KeepRule`]) and the shingle, LSH and memory parameters
//! ([`MinHashConfig`]). Every field has a default.

/// Which member of a near-duplicate cluster survives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeepRule {
    /// Smallest input sequence number (datatrove keeps the first of a cluster).
    #[default]
    First,
    /// Most characters, ties to the smallest sequence number.
    Longest,
    /// Greatest `date` (ISO strings compared as text; a missing date is the
    /// oldest), ties to the smallest sequence number.
    Newest,
}

/// Near-duplicate settings. Every field has a default; see [`Default`].
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MinHashConfig {
    pub enabled: bool,
    /// Word shingle length. 5 as in datatrove `MinhashConfig.n_grams` and the
    /// text-dedup example config.
    pub ngram: usize,
    /// Character shingle length for text without word spaces (Han, Kana, Thai,
    /// Lao, Khmer, Myanmar) or with too few words. 5 characters of Chinese
    /// carry roughly what 5 English words do; NeMo uses 24 characters, which
    /// is about 5 *Latin* words.
    pub char_ngram: usize,
    /// Below this many words a document is shingled by characters: a text of
    /// 9 words has only 5 word 5-grams, too few for a stable estimate.
    pub min_words_for_word_shingles: usize,
    pub bands: usize,
    pub rows: usize,
    pub seed: u64,
    /// Turn a bucket collision into an edge only if the signature Jaccard
    /// reaches this value.
    pub verify_min_jaccard: Option<f64>,
    pub keep: KeepRule,
    /// Memory allowed for the signatures (the build keeps them in memory
    /// up to half of it, in a file beyond) and for the band tables
    /// (partitioned to disk beyond it).
    pub memory_budget_mb: usize,
}

impl Default for MinHashConfig {
    /// 20 bands x 6 rows = 120 hashes, verified at signature Jaccard 0.7.
    ///
    /// datatrove's 14 x 8 (FineWeb) detects a pair at J = 0.8 with probability
    /// 0.924 only. 20 x 6 detects it with 0.9977 (0.9999 at J = 0.85), at a
    /// cost of letting ~62 % of J = 0.6 pairs collide; the signature check at
    /// 0.7 (std. error of a 120-hash estimate is 0.045 at J = 0.6) rejects all
    /// but ~1 % of those while losing ~0.3 % of J = 0.8 pairs. Net
    /// P(edge | J=0.8) ~ 0.995, P(edge | J=0.6) ~ 0.01. The per-pair check
    /// costs 120 integer compares, which is cheap next to shingling.
    /// Measured by `scripts/eval_neardup.py` (5,000 news articles + 1,875
    /// edited copies): recall 1.000 of pairs with J >= 0.8, 0.4 % of removed
    /// documents have J < 0.6 to the kept one.
    fn default() -> Self {
        MinHashConfig {
            enabled: true,
            ngram: 5,
            char_ngram: 5,
            min_words_for_word_shingles: 10,
            bands: 20,
            rows: 6,
            seed: 1,
            verify_min_jaccard: Some(0.7),
            keep: KeepRule::First,
            memory_budget_mb: 1024,
        }
    }
}

impl MinHashConfig {
    /// Number of hashes in a signature.
    pub fn num_perm(&self) -> usize {
        self.bands * self.rows
    }
}
