//! TOML configuration: every knob with a documented default.
//!
//! A config file is parsed strictly (`deny_unknown_fields`: a misspelt key is
//! an error naming the key, file, line and column), then command-line
//! overrides are applied, then [`Config::validate`] checks the values.
//!
//! Relative paths written in a config file (`input.paths`, `output.dir`,
//! `clean.rules_file`, `langid.model`), and the default `output.dir`,
//! resolve against the config file's folder, as cargo resolves paths in
//! `Cargo.toml`: a config works from any current directory. Paths given on
//! the command line resolve against the current directory.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The whole configuration of a build.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub input: InputConfig,
    pub output: OutputConfig,
    pub normalize: NormalizeConfig,
    pub clean: CleanConfig,
    pub filter: FilterConfig,
    pub langid: LangidConfig,
    pub dedup: DedupConfig,
    pub split: SplitConfig,
    pub run: RunConfig,
    pub release: ReleaseConfig,
    /// Each path of the config file that [`Config::resolve_paths`] made
    /// relative to the file's folder, with the path as written: what the
    /// manifest records, so that it does not depend on the folder the
    /// build ran from. Not part of the TOML.
    #[serde(skip)]
    written: Vec<(PathBuf, PathBuf)>,
}

/// What the dataset card says about the release (`[release]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReleaseConfig {
    /// Short machine name (Hugging Face repo style). Default: the config
    /// file's name without extension (not the output folder, which the
    /// command line may change).
    pub name: Option<String>,
    /// Human-readable title of the card. Default: `name`.
    pub pretty_name: Option<String>,
    /// License identifier for the card metadata (Hugging Face uses SPDX-like
    /// ids, e.g. `cc-by-4.0`). Default `other`: the builder has not said.
    pub license: String,
    /// A paragraph for the card, under the title. Default: empty.
    pub description: String,
}

impl Default for ReleaseConfig {
    fn default() -> Self {
        ReleaseConfig {
            name: None,
            pretty_name: None,
            license: "other".into(),
            description: String::new(),
        }
    }
}

/// Where documents come from and how their fields are named.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    /// Files or folders. A folder is walked recursively; files are read by
    /// extension (`.jsonl`, `.ndjson`, `.csv`, `.tsv`, `.parquet`,
    /// `.txt`, each optionally `.gz` or `.zst`); other files are listed in the
    /// manifest as ignored.
    pub paths: Vec<PathBuf>,
    /// Field (column) names of the input records.
    pub fields: FieldMap,
    /// Records whose text is longer than this many bytes are rejected
    /// (`too_large`) rather than processed. Default 16 MiB.
    pub max_doc_bytes: usize,
    /// Text encoding of the inputs (a WHATWG label: `utf-8`, `windows-1256`,
    /// `latin1`, `shift_jis`, ...). Invalid sequences become U+FFFD and are
    /// counted. Parquet strings are always UTF-8. UTF-16 is refused (records
    /// are split at newline bytes). Default `utf-8`.
    pub encoding: String,
    /// What a file that cannot be read at all does (truncated archive, not
    /// the format its extension says, no permission): `fail` stops the
    /// build (default); `skip` leaves the file out and lists it in the
    /// manifest's `inputs` with the reason.
    pub on_bad_file: OnBadFile,
}

/// See [`InputConfig::on_bad_file`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OnBadFile {
    #[default]
    Fail,
    Skip,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            paths: Vec::new(),
            fields: FieldMap::default(),
            max_doc_bytes: 16 << 20,
            encoding: "utf-8".into(),
            on_bad_file: OnBadFile::Fail,
        }
    }
}

/// Names of the input fields mapped onto the document's fields.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMap {
    pub id: String,
    pub text: String,
    pub title: String,
    pub url: String,
    pub date: String,
    pub source: String,
    /// A field holding an HTML page. Used when a record has no (or an
    /// empty) text field: the page is turned into text by
    /// [`crate::html::to_text`] (tags stripped, script/style/navigation
    /// dropped, block elements as line breaks, every entity decoded).
    /// Default `html`; an empty string turns it off. JSON Lines and Parquet
    /// inputs only.
    pub html: String,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            id: "id".into(),
            text: "text".into(),
            title: "title".into(),
            url: "url".into(),
            date: "date".into(),
            source: "source".into(),
            html: "html".into(),
        }
    }
}

/// The release folder and its shards.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Release folder. Written as `<dir>.tmp-*` and renamed into place.
    pub dir: PathBuf,
    /// Maximum rows per shard. Default 100,000.
    pub shard_rows: usize,
    /// Target uncompressed text bytes per shard (a shard is closed once it
    /// reaches this). Default 256 MiB.
    pub shard_bytes: u64,
    /// Rows per Parquet row group. Default 10,000.
    pub row_group_rows: usize,
    /// zstd compression level of the shards. Default 3.
    pub zstd_level: i32,
    /// Replace an existing release folder. Default true. Only a folder
    /// that corpusforge wrote (its `manifest.json` and `.corpusforge-release`
    /// marker) is ever replaced; any other existing, non-empty folder is
    /// refused whatever this says.
    pub overwrite: bool,
    /// Publish a release that keeps no document. Default false: a build
    /// that keeps nothing fails (exit 9) naming the top rejection reasons,
    /// and leaves the previous release as it was. `build --allow-empty`
    /// sets it.
    pub allow_empty: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: PathBuf::from("out/release"),
            shard_rows: 100_000,
            shard_bytes: 256 << 20,
            row_group_rows: 10_000,
            zstd_level: 3,
            overwrite: true,
            allow_empty: false,
        }
    }
}

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

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {
    /// Remove lines matched by the boilerplate rules. Default true.
    pub rules: bool,
    /// TOML file of boilerplate rules, replacing the built-in ones. Default:
    /// none, the rules built into the binary (the text of
    /// `configs/boilerplate.toml` in the source tree).
    pub rules_file: Option<PathBuf>,
    /// Lines repeated across many documents of one source; see
    /// [`crate::clean::repeated::RepeatedConfig`].
    pub repeated: crate::clean::repeated::RepeatedConfig,
    /// Navigation lines at the start and end of a document; see
    /// [`crate::clean::nav::NavConfig`].
    pub nav: crate::clean::nav::NavConfig,
    /// Keep each kept document's removed lines in the data shards'
    /// `removed_lines` column (otherwise the column is null). Default false;
    /// `corpusforge build --keep-removed-lines` sets it.
    pub keep_removed_lines: bool,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            rules: true,
            rules_file: None,
            repeated: Default::default(),
            nav: Default::default(),
            keep_removed_lines: false,
        }
    }
}

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
    /// [`crate::filter::quality::QualityConfig`] for every key's default.
    pub quality: crate::filter::quality::QualityConfig,
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

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupConfig {
    /// Exact dedup on a hash of the folded text. Default true.
    pub exact: bool,
    /// Near-duplicate dedup (MinHash + LSH); on by default. See
    /// [`crate::dedup::minhash::MinHashConfig`] for each key's default.
    pub near: crate::dedup::minhash::MinHashConfig,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            exact: true,
            near: Default::default(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SplitConfig {
    /// Seed of the split hash. Default 42.
    pub seed: u64,
    /// Ratios; they must add up to 1. Defaults 0.8 / 0.1 / 0.1.
    pub train: f64,
    pub validation: f64,
    pub test: f64,
}

impl Default for SplitConfig {
    fn default() -> Self {
        SplitConfig {
            seed: 42,
            train: 0.8,
            validation: 0.1,
            test: 0.1,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Worker threads; 0 = one per core. Default 0.
    pub threads: usize,
    /// Records read and processed together. Default 512.
    pub batch_size: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            threads: 0,
            batch_size: 512,
        }
    }
}

/// A deserializer's message with Rust type names replaced by words
/// ("expected usize" -> "expected a whole number").
pub fn plain_types(message: &str) -> String {
    let mut m = message.to_string();
    for (rust, plain) in [
        ("expected usize", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected u16", "expected a whole number"),
        ("expected u8", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected f32", "expected a number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
        ("expected a sequence", "expected a list"),
        ("expected a borrowed string", "expected a string"),
        ("expected a map", "expected a table"),
    ] {
        m = m.replace(rust, plain);
    }
    // "expected struct FieldMap" / "expected enum OnBadFile" name Rust types.
    static TYPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"expected (struct|enum) [A-Za-z0-9_]+").expect("valid regex")
    });
    TYPE.replace_all(&m, |c: &regex::Captures| match &c[1] {
        "struct" => "expected a table",
        _ => "expected one of the documented values",
    })
    .into_owned()
}

/// A config as loaded: the parsed values plus the file's exact text.
#[derive(Clone, Debug)]
pub struct LoadedConfig {
    pub config: Config,
    /// The config file verbatim (recorded in the manifest).
    pub text: String,
    /// The config file path as given.
    pub path: PathBuf,
}

impl Config {
    /// Parse a config file; errors name the file and the offending key/line.
    /// Relative paths in it resolve against the file's folder (see the
    /// module docs); a file that cannot be read is a config error.
    pub fn load(path: &Path) -> Result<LoadedConfig, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::config(
                path,
                match e.kind() {
                    std::io::ErrorKind::NotFound => "no such config file".to_string(),
                    _ => format!("cannot read the config file: {e}"),
                },
            )
        })?;
        let mut config = Self::parse(&text, path)?;
        config.resolve_paths(path.parent().unwrap_or(Path::new("")));
        Ok(LoadedConfig {
            config,
            text,
            path: path.to_path_buf(),
        })
    }

    /// Parse config text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        toml::from_str::<Config>(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            Error::Config {
                path: path.to_path_buf(),
                line,
                message: plain_types(e.message().trim()),
            }
        })
    }

    /// Make the relative paths of a config file relative to `base`, the
    /// file's folder (absolute paths stay as they are).
    pub fn resolve_paths(&mut self, base: &Path) {
        if base.as_os_str().is_empty() {
            return;
        }
        let mut written = Vec::new();
        let mut fix = |p: &mut PathBuf| {
            if p.is_relative() {
                let resolved = base.join(&*p);
                written.push((resolved.clone(), std::mem::replace(p, resolved)));
            }
        };
        self.input.paths.iter_mut().for_each(&mut fix);
        fix(&mut self.output.dir);
        if let Some(p) = self.clean.rules_file.as_mut() {
            fix(p);
        }
        if let Some(p) = self.langid.model.as_mut() {
            fix(p);
        }
        self.written = written;
    }

    /// A path of this config as its file wrote it (relative to the file's
    /// folder), or as given where it did not come from the file.
    pub fn as_written<'a>(&'a self, path: &'a Path) -> &'a Path {
        self.written
            .iter()
            .find(|(resolved, _)| resolved == path)
            .map_or(path, |(_, w)| w.as_path())
    }

    /// Check values that parse but make no sense.
    pub fn validate(&self, path: &Path) -> Result<(), Error> {
        let bad = |message: String| Error::Config {
            path: path.to_path_buf(),
            line: None,
            message,
        };
        let s = &self.split;
        for (name, r) in [
            ("split.train", s.train),
            ("split.validation", s.validation),
            ("split.test", s.test),
        ] {
            if !(0.0..=1.0).contains(&r) {
                return Err(bad(format!("{name} = {r} is not in [0, 1]")));
            }
        }
        if (s.train + s.validation + s.test - 1.0).abs() > 1e-9 {
            return Err(bad(format!(
                "split ratios add up to {}, not 1",
                s.train + s.validation + s.test
            )));
        }
        if !self.langid.enabled && !self.langid.keep.is_empty() {
            return Err(bad(
                "langid.keep needs langid.enabled = true (with identification off every document is und)"
                    .into(),
            ));
        }
        let q = &self.filter.quality;
        if self.langid.after_filters && (q.language_table || !q.per_language.is_empty()) {
            return Err(bad(
                "langid.after_filters = true needs language-independent filters: set \
                 filter.quality.language_table = false and leave filter.quality.per_language \
                 empty, or identify first (langid.after_filters = false)"
                    .into(),
            ));
        }
        if self.input.paths.is_empty() {
            return Err(bad(
                "no input: set input.paths in the config or pass --input".into(),
            ));
        }
        if self.output.shard_rows == 0 || self.output.row_group_rows == 0 {
            return Err(bad(
                "output.shard_rows and output.row_group_rows must be > 0".into(),
            ));
        }
        if !(1..=22).contains(&self.output.zstd_level) {
            return Err(bad(format!(
                "output.zstd_level = {} is not in 1..=22",
                self.output.zstd_level
            )));
        }
        match encoding_rs::Encoding::for_label(self.input.encoding.as_bytes()) {
            None => {
                return Err(bad(format!(
                    "input.encoding = {:?} is not a known encoding label (e.g. utf-8, windows-1256, latin1)",
                    self.input.encoding
                )));
            }
            Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => {
                return Err(bad(format!(
                    "input.encoding = {:?}: UTF-16 input is not supported (records are split at the byte 0x0A); \
                     convert the files to UTF-8 first, e.g. `iconv -f UTF-16 -t UTF-8`",
                    self.input.encoding
                )));
            }
            Some(e) if e == encoding_rs::REPLACEMENT => {
                return Err(bad(format!(
                    "input.encoding = {:?} is a label of the WHATWG \"replacement\" encoding, which decodes \
                     any input to one U+FFFD; convert the files to UTF-8 first",
                    self.input.encoding
                )));
            }
            Some(_) => {}
        }
        if self.run.batch_size == 0 {
            return Err(bad("run.batch_size must be > 0".into()));
        }
        self.clean
            .repeated
            .validate()
            .map_err(|m| bad(format!("clean.repeated.{m}")))?;
        self.clean
            .nav
            .validate()
            .map_err(|m| bad(format!("clean.nav.{m}")))?;
        if !(0.0..=1.0).contains(&self.langid.min_score) {
            return Err(bad(format!(
                "langid.min_score = {} is not in [0, 1]",
                self.langid.min_score
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_an_error_with_line() {
        let text = "[input]\npaths = [\"x\"]\n\n[output]\nshard_rowz = 3\n";
        let err = Config::parse(text, Path::new("c.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("c.toml"), "{msg}");
        assert!(msg.contains("line 5"), "{msg}");
        assert!(msg.contains("shard_rowz"), "{msg}");
    }

    #[test]
    fn defaults_validate_once_input_given() {
        let mut c = Config::default();
        assert!(c.validate(Path::new("c")).is_err());
        c.input.paths.push("x".into());
        c.validate(Path::new("c")).unwrap();
    }

    #[test]
    fn split_ratios_must_sum_to_one() {
        let c = Config::parse(
            "[input]\npaths=[\"x\"]\n[split]\ntrain=0.5\nvalidation=0.1\ntest=0.1\n",
            Path::new("c"),
        )
        .unwrap();
        assert!(
            c.validate(Path::new("c"))
                .unwrap_err()
                .to_string()
                .contains("add up")
        );
    }
}
