//! `manifest.json` and the dataset card `README.md` of a release.
//!
//! The manifest records what was built from what: tool version, the config
//! verbatim with its sha256, every input with size and sha256, the funnel
//! (documents removed per stage and reason, in pipeline order, adding up
//! to the input count), counts per language and split, and every shard
//! with rows, bytes and sha256. It holds no time stamp and no absolute
//! path, so rebuilding the same input with the same config gives the same
//! bytes. Maps are `BTreeMap`s: keys are written sorted.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::LoadedConfig;
use crate::doc::Step;
use crate::error::{Error, Result};
use crate::read::{Compression, Format, Ignored, InputFile};
use crate::write::{ShardInfo, hex};

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Document counts of a build.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize)]
pub struct Counts {
    pub input: u64,
    pub kept: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Documents in which invalid UTF-8 was replaced by U+FFFD (kept or not).
    pub repaired_invalid_utf8: u64,
    /// Documents in which mojibake was repaired (`normalize.fix_mojibake`;
    /// text, title or source; kept or not).
    pub repaired_mojibake: u64,
}

/// What the counting pass of repeated lines found (`clean.repeated`).
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct RepeatedInfo {
    /// (source, line) pairs judged boilerplate.
    pub lines: usize,
    /// Sources with at least one such line.
    pub sources: usize,
    /// Document sampling level of the counts: 0 = every document counted;
    /// `L` = about one in `2^L` (`clean.repeated.max_tracked_lines` was
    /// reached).
    pub sampling_level: u8,
}

impl RepeatedInfo {
    pub fn of(r: &crate::clean::RepeatedLines) -> RepeatedInfo {
        RepeatedInfo {
            lines: r.len(),
            sources: r.sources(),
            sampling_level: r.level(),
        }
    }
}

/// Removals per stage and reason: (documents, characters).
#[derive(Clone, Debug, Default)]
pub struct Funnel {
    by_stage: BTreeMap<Step, BTreeMap<String, (u64, u64)>>,
}

impl Funnel {
    /// Count one removed document of `chars` Unicode code points (of the
    /// text as written to `rejected/`).
    pub fn add(&mut self, stage: Step, reason: &str, chars: u64) {
        self.add_many(stage, reason, 1, chars);
    }

    /// Count `docs` removed documents of `chars` code points in all.
    pub fn add_many(&mut self, stage: Step, reason: &str, docs: u64, chars: u64) {
        let e = self
            .by_stage
            .entry(stage)
            .or_default()
            .entry(reason.to_string())
            .or_insert((0, 0));
        e.0 += docs;
        e.1 += chars;
    }
}

#[derive(Debug, Serialize)]
pub struct FunnelRow {
    pub stage: &'static str,
    pub reason: String,
    pub removed: u64,
    /// Characters (code points) of the removed documents' `text` as written
    /// to `rejected/` (the raw record for read errors).
    pub removed_chars: u64,
    /// Documents still in the pipeline after this row.
    pub remaining: u64,
}

#[derive(Debug, Serialize)]
pub struct InputEntry {
    /// Path relative to its input root (the `source_file` of its rows).
    pub path: String,
    pub format: &'static str,
    pub compression: &'static str,
    pub bytes: u64,
    pub sha256: String,
    pub records: u64,
    /// Why the file was left out (`input.on_bad_file = "skip"`), else null.
    pub skipped: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
    /// Version of the shard schemas ([`crate::write::SCHEMA_VERSION`]).
    pub schema: &'static str,
}

/// The `[release]` section with its defaults resolved.
#[derive(Debug, Serialize)]
pub struct ReleaseInfo {
    pub name: String,
    pub pretty_name: String,
    pub license: String,
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct ConfigInfo {
    pub path: String,
    pub sha256: String,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct RulesInfo {
    pub path: String,
    pub sha256: String,
}

/// Which language identifier labelled the release.
#[derive(Debug, Serialize)]
pub struct LangidInfo {
    /// `whatlang` (embedded), `fasttext`, or `none` (`langid.enabled = false`).
    pub backend: &'static str,
    /// The model file, as configured (fastText only).
    pub model: Option<String>,
    pub model_sha256: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub tool: ToolInfo,
    pub release: ReleaseInfo,
    pub config: ConfigInfo,
    pub boilerplate_rules: Option<RulesInfo>,
    pub langid: LangidInfo,
    pub input_roots: Vec<String>,
    pub inputs: Vec<InputEntry>,
    pub ignored_inputs: Vec<Ignored>,
    pub counts: Counts,
    pub funnel: Vec<FunnelRow>,
    /// Lines removed by each boilerplate rule, and by the built-in
    /// mechanisms `repeated_line`, `header_nav` and `footer_nav`.
    pub removed_lines_by_rule: BTreeMap<String, u64>,
    /// Null when `clean.repeated.enabled` is false.
    pub repeated_lines: Option<RepeatedInfo>,
    /// Kept documents per language label and split.
    pub languages: BTreeMap<String, BTreeMap<String, u64>>,
    pub splits: BTreeMap<String, u64>,
    pub shards: Vec<ShardInfo>,
    pub rejected_shards: Vec<ShardInfo>,
}

/// The pieces a manifest is made of.
pub struct ManifestParts<'a> {
    pub loaded: &'a LoadedConfig,
    pub rules: Option<(String, String)>,
    pub langid: LangidInfo,
    pub files: &'a [InputFile],
    pub input_hashes: &'a [(String, u64)],
    pub records_per_file: Vec<u64>,
    pub skipped: Vec<Option<String>>,
    pub ignored: &'a [Ignored],
    pub counts: Counts,
    pub funnel: Funnel,
    pub removed_lines: Vec<(String, u64)>,
    pub repeated: Option<RepeatedInfo>,
    pub languages: BTreeMap<String, BTreeMap<String, u64>>,
    pub shards: Vec<ShardInfo>,
    pub rejected_shards: Vec<ShardInfo>,
}

impl Manifest {
    pub fn new(p: ManifestParts<'_>) -> Manifest {
        let inputs = p
            .files
            .iter()
            .zip(p.input_hashes)
            .zip(&p.records_per_file)
            .zip(p.skipped)
            .map(|(((f, (sha, bytes)), records), skipped)| InputEntry {
                path: f.rel.clone(),
                format: match f.format {
                    Format::Jsonl => "jsonl",
                    Format::Csv => "csv",
                    Format::Tsv => "tsv",
                    Format::Parquet => "parquet",
                    Format::Text => "text",
                },
                compression: match f.compression {
                    Compression::None => "none",
                    Compression::Gzip => "gzip",
                    Compression::Zstd => "zstd",
                },
                bytes: *bytes,
                sha256: sha.clone(),
                records: *records,
                skipped,
            })
            .collect();
        let mut remaining = p.counts.input;
        let mut funnel = Vec::new();
        // Rows in the order the stages ran, so `remaining` is what each one
        // left: langid runs after the filters with `langid.after_filters`.
        let mut stages: Vec<_> = p.funnel.by_stage.iter().collect();
        if p.loaded.config.langid.after_filters {
            stages.sort_by_key(|&(&s, _)| match s {
                Step::Langid => (Step::Filter, 1),
                s => (s, 0),
            });
        }
        for (stage, reasons) in stages {
            // Within a stage, reasons in the order their checks run (the
            // filters'), then by name.
            let mut reasons: Vec<_> = reasons.iter().collect();
            reasons.sort_by_key(|(reason, _)| {
                let rank = match stage {
                    Step::Filter => crate::filter::REASON_ORDER
                        .iter()
                        .position(|r| r == reason)
                        .unwrap_or(usize::MAX),
                    _ => 0,
                };
                (rank, reason.as_str())
            });
            for (reason, (n, chars)) in reasons {
                remaining -= n;
                funnel.push(FunnelRow {
                    stage: stage.as_str(),
                    reason: reason.clone(),
                    removed: *n,
                    removed_chars: *chars,
                    remaining,
                });
            }
        }
        let mut splits = BTreeMap::new();
        for per in p.languages.values() {
            for (s, n) in per {
                *splits.entry(s.clone()).or_insert(0) += n;
            }
        }
        let mut removed_lines = BTreeMap::new();
        for (name, n) in p.removed_lines {
            *removed_lines.entry(name).or_insert(0) += n;
        }
        Manifest {
            tool: ToolInfo {
                name: "corpusforge",
                version: env!("CARGO_PKG_VERSION"),
                schema: crate::write::SCHEMA_VERSION,
            },
            release: release_info(p.loaded),
            config: ConfigInfo {
                path: crate::util::fs::portable_path(&p.loaded.path),
                sha256: sha256_hex(p.loaded.text.as_bytes()),
                text: p.loaded.text.clone(),
            },
            boilerplate_rules: p.rules.map(|(path, sha256)| RulesInfo { path, sha256 }),
            langid: p.langid,
            input_roots: p
                .loaded
                .config
                .input
                .paths
                .iter()
                .map(|x| crate::util::fs::portable_path(p.loaded.config.as_written(x)))
                .collect(),
            inputs,
            ignored_inputs: p.ignored.to_vec(),
            counts: p.counts,
            funnel,
            removed_lines_by_rule: removed_lines,
            repeated_lines: p.repeated,
            languages: p.languages,
            splits,
            shards: p.shards,
            rejected_shards: p.rejected_shards,
        }
    }

    pub fn write(&self, root: &Path) -> Result<()> {
        let path = root.join("manifest.json");
        let mut text =
            serde_json::to_string_pretty(self).map_err(|e| Error::output(&path, e.to_string()))?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
    }
}

fn release_info(loaded: &LoadedConfig) -> ReleaseInfo {
    let r = &loaded.config.release;
    // Not the output folder: `--output` must not change the release's bytes.
    let name = r.name.clone().unwrap_or_else(|| {
        loaded
            .path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "release".into())
    });
    ReleaseInfo {
        pretty_name: r.pretty_name.clone().unwrap_or_else(|| name.clone()),
        name,
        license: r.license.clone(),
        description: r.description.clone(),
    }
}

/// ISO 639-1 code of an ISO 639-3 code where one exists (Hugging Face card
/// metadata prefers it), else the 639-3 code.
fn card_language(lang3: &str) -> &str {
    const MAP: &[(&str, &str)] = &[
        ("afr", "af"),
        ("amh", "am"),
        ("ara", "ar"),
        ("arb", "ar"),
        ("aze", "az"),
        ("bel", "be"),
        ("ben", "bn"),
        ("bul", "bg"),
        ("cat", "ca"),
        ("ces", "cs"),
        ("cmn", "zh"),
        ("dan", "da"),
        ("deu", "de"),
        ("ell", "el"),
        ("eng", "en"),
        ("epo", "eo"),
        ("est", "et"),
        ("fin", "fi"),
        ("fra", "fr"),
        ("guj", "gu"),
        ("hau", "ha"),
        ("heb", "he"),
        ("hin", "hi"),
        ("hrv", "hr"),
        ("hun", "hu"),
        ("hye", "hy"),
        ("ibo", "ig"),
        ("ind", "id"),
        ("ita", "it"),
        ("jav", "jv"),
        ("jpn", "ja"),
        ("kat", "ka"),
        ("khm", "km"),
        ("kan", "kn"),
        ("kor", "ko"),
        ("lat", "la"),
        ("lav", "lv"),
        ("lin", "ln"),
        ("lit", "lt"),
        ("mal", "ml"),
        ("mar", "mr"),
        ("mkd", "mk"),
        ("mya", "my"),
        ("nep", "ne"),
        ("nld", "nl"),
        ("nob", "nb"),
        ("ori", "or"),
        ("orm", "om"),
        ("pan", "pa"),
        ("pes", "fa"),
        ("fas", "fa"),
        ("pol", "pl"),
        ("por", "pt"),
        ("ron", "ro"),
        ("run", "rn"),
        ("rus", "ru"),
        ("sin", "si"),
        ("slk", "sk"),
        ("slv", "sl"),
        ("sna", "sn"),
        ("som", "so"),
        ("spa", "es"),
        ("srp", "sr"),
        ("swa", "sw"),
        ("swh", "sw"),
        ("swe", "sv"),
        ("tam", "ta"),
        ("tel", "te"),
        ("tgl", "tl"),
        ("tha", "th"),
        ("tuk", "tk"),
        ("tur", "tr"),
        ("ukr", "uk"),
        ("urd", "ur"),
        ("uzb", "uz"),
        ("vie", "vi"),
        ("xho", "xh"),
        ("yor", "yo"),
        ("zul", "zu"),
    ];
    MAP.iter()
        .find(|(a, _)| *a == lang3)
        .map(|(_, b)| *b)
        .unwrap_or(lang3)
}

fn size_category(n: u64) -> &'static str {
    match n {
        0..1_000 => "n<1K",
        1_000..10_000 => "1K<n<10K",
        10_000..100_000 => "10K<n<100K",
        100_000..1_000_000 => "100K<n<1M",
        1_000_000..10_000_000 => "1M<n<10M",
        10_000_000..100_000_000 => "10M<n<100M",
        100_000_000..1_000_000_000 => "100M<n<1B",
        _ => "n>1B",
    }
}

/// A string as a YAML scalar: JSON's double-quoted form is valid YAML.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// A code fence longer than any run of backticks in `text`.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

/// Write the dataset card `README.md` (Hugging Face format: YAML front
/// matter with `pretty_name`, `license`, `language`, `size_categories` and
/// one config per language label plus `all`; then the counts, the funnel,
/// the config verbatim and how to rebuild and verify).
pub fn write_card(root: &Path, m: &Manifest) -> Result<()> {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "---");
    let _ = writeln!(s, "pretty_name: {}", yaml_str(&m.release.pretty_name));
    let _ = writeln!(s, "license: {}", yaml_str(&m.release.license));
    let mut langs: Vec<&str> = m
        .languages
        .keys()
        .map(|l| card_language(l.split('_').next().unwrap_or(l)))
        .filter(|l| *l != "und")
        .collect();
    langs.sort();
    langs.dedup();
    if !langs.is_empty() {
        let _ = writeln!(s, "language:");
        for l in &langs {
            let _ = writeln!(s, "- {l}");
        }
    }
    let _ = writeln!(s, "size_categories:\n- {}", size_category(m.counts.kept));
    let _ = writeln!(s, "configs:");
    let split_glob = |lang: &str, split: &str| format!("data/{lang}/{split}-*.parquet");
    let _ = writeln!(s, "- config_name: all\n  default: true\n  data_files:");
    for split in crate::split::SPLITS {
        if m.splits.get(split).copied().unwrap_or(0) > 0 {
            let _ = writeln!(s, "  - split: {split}\n    path: data/*/{split}-*.parquet");
        }
    }
    for (lang, per) in &m.languages {
        let _ = writeln!(s, "- config_name: {lang}\n  data_files:");
        for split in crate::split::SPLITS {
            if per.get(split).copied().unwrap_or(0) > 0 {
                let _ = writeln!(
                    s,
                    "  - split: {split}\n    path: {}",
                    split_glob(lang, split)
                );
            }
        }
    }
    let _ = writeln!(s, "---\n");
    let _ = writeln!(s, "# {}\n", m.release.pretty_name);
    if !m.release.description.trim().is_empty() {
        let _ = writeln!(s, "{}\n", m.release.description.trim());
    }
    let _ = writeln!(
        s,
        "Built by corpusforge {} (shard schema {}) from {} input documents: {} kept, \
         {} rejected (every rejected document is in `rejected/` with its stage and reason). \
         License: `{}`. Plots of the same numbers: `report.html`.\n",
        m.tool.version,
        m.tool.schema,
        m.counts.input,
        m.counts.kept,
        m.counts.rejected,
        m.release.license
    );
    let _ = writeln!(s, "## Loading\n");
    let first = m.languages.keys().next().map_or("all", |l| l.as_str());
    let _ = writeln!(
        s,
        "```python\nfrom datasets import load_dataset\nds = load_dataset(\"path/to/this/folder\", \"{first}\")  # or \"all\"\n\n\
         import polars as pl\ndf = pl.scan_parquet(\"data/**/*.parquet\").collect()\n\n\
         import duckdb\nduckdb.sql(\"SELECT lang, split, count(*) FROM read_parquet('data/*/*.parquet') GROUP BY ALL\")\n```\n"
    );
    let _ = writeln!(s, "## Documents per language and split\n");
    let _ = writeln!(
        s,
        "| language | train | validation | test | total |\n|---|---:|---:|---:|---:|"
    );
    for (lang, per) in &m.languages {
        let g = |k: &str| per.get(k).copied().unwrap_or(0);
        let _ = writeln!(
            s,
            "| {lang} | {} | {} | {} | {} |",
            g("train"),
            g("validation"),
            g("test"),
            per.values().sum::<u64>()
        );
    }
    let g = |k: &str| m.splits.get(k).copied().unwrap_or(0);
    let _ = writeln!(
        s,
        "| **all** | {} | {} | {} | {} |",
        g("train"),
        g("validation"),
        g("test"),
        m.counts.kept
    );
    let _ = writeln!(
        s,
        "\n## Funnel\n\nDocuments removed at each stage, in pipeline order; characters are \
         those of the text as written to `rejected/`.\n\n\
         | stage | reason | removed documents | removed characters | remaining documents |\n\
         |---|---|---:|---:|---:|"
    );
    let _ = writeln!(s, "| input | | | | {} |", m.counts.input);
    for r in &m.funnel {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            r.stage, r.reason, r.removed, r.removed_chars, r.remaining
        );
    }
    let _ = writeln!(s, "| **kept** | | | | {} |", m.counts.kept);
    let fence = fence_for(&m.config.text);
    let _ = writeln!(
        s,
        "\n## Config\n\n`{}` (sha256 `{}`), verbatim:\n\n{fence}toml\n{}{}{fence}\n",
        m.config.path,
        m.config.sha256,
        m.config.text,
        if m.config.text.ends_with('\n') {
            ""
        } else {
            "\n"
        }
    );
    let _ = writeln!(
        s,
        "## Rebuild and verify\n\n\
         `manifest.json` records the config, the sha256 of every input and of every shard. \
         With corpusforge {} and the same inputs:\n\n\
         ```sh\ncorpusforge build --config {}   # byte-identical shards and manifest\n\
         corpusforge verify <this folder>    # checksums, row counts, schema, funnel, no leakage\n```",
        m.tool.version, m.config.path
    );
    let path = root.join("README.md");
    std::fs::write(&path, s).map_err(|e| Error::io(&path, e))
}
