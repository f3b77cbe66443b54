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

// Each component owns the config of its section; this module collects them
// into [`Config`], loads and validates it. The re-exports keep the paths
// `corpusforge::config::X` working.
pub use crate::clean::CleanConfig;
pub use crate::dedup::DedupConfig;
pub use crate::filter::FilterConfig;
pub use crate::langid::LangidConfig;
pub use crate::normalize::{NormForm, NormalizeConfig};
pub use crate::read::{FieldMap, InputConfig, OnBadFile};
pub use crate::split::SplitConfig;

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
