//! Lines repeated across many documents of one source: a site's frame
//! (bylines such as "عين اليوم – متابعات", "Follow BBC West on Facebook...",
//! SMS-service promos, localized "Prev / Up / Next" bars) that the rules
//! file cannot list because every source has its own.
//!
//! The idea is CCNet's (Wenzek et al. 2020, `cc_net/dedup.py`): hash every
//! normalized line of a shard in a first pass, then drop the lines whose
//! hash was seen more than once. CCNet drops every duplicate line, across
//! all sources, which removes whole copies of syndicated text too; here a
//! line is boilerplate only when it repeats inside one **source**, in many
//! of its documents, and is **short**:
//!
//! - the source key is the document's `source` field (normalized as the
//!   `source` column) when present, else its input file (`source_file`):
//!   a file without sources is usually one crawl of one site;
//! - a line counts once per document; only lines of at most
//!   [`RepeatedConfig::max_chars`] characters (default 200) are counted or
//!   removed. A longer paragraph repeated in several documents of one
//!   outlet is a re-published article or a quote, i.e. a duplicate for the
//!   dedup stage, not boilerplate, and removing it from every copy would
//!   damage the one copy dedup keeps. The measured frames (BBC trailers
//!   95-131 characters, bylines and promos under 60) fit under 200;
//! - a line is boilerplate for source S when it is in at least `min_docs`
//!   documents of S (default 5) and in at least `min_share` of them
//!   (default 1%), and S has at least `min_source_docs` documents (default
//!   10): below that, a count says little. Measured on the news of
//!   `../shared/corpora` (see docs/evaluation/cleaning.md): in 3 documents, sentences of
//!   re-crawled stories appear; in 5 and 1% of a source, only frames
//!   (bylines, datelines, trailers, promos). The share keeps copies of one
//!   article (syndication, re-crawls, translations that keep some lines)
//!   from counting as a frame: copies come in a handful, a frame is on a
//!   fixed share of a source's pages. A source that holds many editions of
//!   the same pages still exceeds it (the Debian handbook's 23 translations
//!   under one `source`: untranslated headings on 3 pages x 23 editions);
//!   map `input.fields.source` to a field that tells the editions apart
//!   for such a corpus;
//! - line normalization for hashing follows CCNet's `normalize_for_dedup`
//!   (lowercase, digits to 0, punctuation dropped) with punctuation taken
//!   in the Unicode sense, so "Updated 12 May" and "Updated 3 June" are one
//!   line; the hash is xxh3-64 (CCNet: the first 8 bytes of SHA-1).
//!
//! **Memory** is bounded by [`RepeatedConfig::max_tracked_lines`]: only
//! hash counts are held, never text: 16 bytes per distinct (source, line,
//! sampling level) count, about 18-36 bytes with the hash table's overhead,
//! so at most about 72-144 MB per [`LineCounts`] at the default cap of
//! 4,000,000 (a parallel count holds one per worker thread, plus the
//! merged one). When the table would exceed the
//! cap, documents are sampled by a hash of their text: a document of
//! sampling level `L` (the number of leading zero bits of that hash, so
//! `P(level >= L) = 2^-L`) is counted only while `L` is at least the
//! table's level, and raising the level by one drops the counts of about
//! half of the documents exactly (counts are kept per level). Shares of a
//! frequent line are preserved by document sampling, so boilerplate is
//! still found; the counts are then scaled by `2^level`, and at least two
//! sampled documents must hold the line. The level reached is the
//! smallest one whose table fits the cap, whatever the order of the
//! documents or how they were split between [`LineCounts`] that were then
//! merged: merge is exact and order-independent, and so are the bytes of
//! [`LineCounts::write_to`].

use std::collections::{HashMap, HashSet};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::doc::Document;
use crate::error::{Error, Result};

/// `[clean.repeated]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RepeatedConfig {
    /// Remove lines repeated across documents of a source. Needs a counting
    /// pass over all inputs before the documents are processed. Default
    /// true.
    pub enabled: bool,
    /// Only lines of at most this many characters are counted and removed.
    /// Default 200.
    pub max_chars: usize,
    /// A line must be in at least this many documents of its source.
    /// Default 5.
    pub min_docs: u32,
    /// ... and in at least this share of the source's documents. Default
    /// 0.01 (a source of 13,000 documents needs 130).
    pub min_share: f64,
    /// Sources with fewer documents are never cleaned by this rule.
    /// Default 10.
    pub min_source_docs: u64,
    /// Most (source, line) counts and sources held by one [`LineCounts`];
    /// beyond it documents are sampled (see the module docs). Default
    /// 4,000,000 (about 72-144 MB).
    pub max_tracked_lines: usize,
}

impl Default for RepeatedConfig {
    fn default() -> Self {
        RepeatedConfig {
            enabled: true,
            max_chars: 200,
            min_docs: 5,
            min_share: 0.01,
            min_source_docs: 10,
            max_tracked_lines: 4_000_000,
        }
    }
}

impl RepeatedConfig {
    /// Check the values; the error names the key (without the section).
    pub fn validate(&self) -> Result<(), String> {
        if self.max_chars == 0 {
            return Err("max_chars must be > 0".into());
        }
        if self.min_docs < 2 {
            return Err(format!(
                "min_docs = {} must be at least 2 (a line in one document is not repeated)",
                self.min_docs
            ));
        }
        if !(0.0..=1.0).contains(&self.min_share) {
            return Err(format!("min_share = {} is not in [0, 1]", self.min_share));
        }
        if self.max_tracked_lines < 1000 {
            return Err(format!(
                "max_tracked_lines = {} is below 1000",
                self.max_tracked_lines
            ));
        }
        Ok(())
    }
}

/// Levels are kept in the top 6 bits of a count's key.
const LEVEL_SHIFT: u32 = 58;
const HASH_MASK: u64 = (1 << LEVEL_SHIFT) - 1;
/// Seed of the document-level hash (independent of the line hashes).
const LEVEL_SEED: u64 = 0x6c69_6e65_6c65_7631;

/// The source key of a document whose fields were normalized: its
/// `source`, else its input file.
pub fn source_key(doc: &Document) -> &str {
    doc.source.as_deref().unwrap_or(&doc.prov.file)
}

fn source_hash(source: &str) -> u64 {
    xxh3_64(source.as_bytes())
}

/// The hash of a line after CCNet-style normalization (lowercase, each
/// digit to 0, punctuation and symbols dropped, words separated by one
/// space); `None` for a line with no letter or digit.
fn line_hash(line: &str, buf: &mut String) -> Option<u64> {
    buf.clear();
    let mut space = false;
    for c in line.chars() {
        if crate::chars::is_numeric(c) {
            if space && !buf.is_empty() {
                buf.push(' ');
            }
            space = false;
            buf.push('0');
        } else if crate::chars::is_alphabetic(c) || is_mark(c) {
            if space && !buf.is_empty() {
                buf.push(' ');
            }
            space = false;
            buf.extend(c.to_lowercase());
        } else {
            // Spaces, punctuation and symbols separate words.
            space = true;
        }
    }
    (!buf.is_empty()).then(|| xxh3_64(buf.as_bytes()))
}

/// Combining marks of the scripts we meet (Indic vowel signs, Arabic
/// harakat, Hebrew points, combining diacritics): part of a word.
fn is_mark(c: char) -> bool {
    let u = c as u32;
    (0x0300..=0x036F).contains(&u)
        || (0x0591..=0x05C7).contains(&u)
        || (0x0610..=0x061A).contains(&u)
        || (0x064B..=0x065F).contains(&u)
        || (0x0900..=0x0DFF).contains(&u)
        || (0x0E31..=0x0E4E).contains(&u)
}

/// The key of a (source, line) pair: 58 bits of a hash of both.
fn pair_key(src: u64, line: u64) -> u64 {
    xxh3_64_with_seed(&line.to_le_bytes(), src) & HASH_MASK
}

/// The sampling level of a document: leading zero bits of a hash of its
/// text (0 for half of the documents, 1 for a quarter, ...).
fn doc_level(text: &str) -> u8 {
    (xxh3_64_with_seed(text.as_bytes(), LEVEL_SEED).leading_zeros() as u8).min(63)
}

#[derive(Clone, Debug, Default, PartialEq)]
struct SourceDocs {
    /// Documents counted, by sampling level.
    by_level: Vec<u64>,
}

impl SourceDocs {
    fn total_from(&self, level: u8) -> u64 {
        self.by_level.iter().skip(level as usize).sum()
    }
}

/// Per source, the number of documents that contain each short normalized
/// line (by hash), and the number of documents. See the module docs.
#[derive(Clone, Debug)]
pub struct LineCounts {
    max_chars: usize,
    max_tracked: usize,
    /// Documents below this sampling level are not counted.
    level: u8,
    /// Sources by id: hash of the source key, documents per level.
    sources: Vec<(u64, SourceDocs)>,
    source_ids: HashMap<u64, u32>,
    /// (level << 58 | pair key) -> (documents, source id): 16 bytes.
    lines: HashMap<u64, (u32, u32)>,
}

/// The counts without ids: sources sorted by hash, lines by key, each with
/// the position of its source.
type Canonical = (Vec<(u64, Vec<u64>)>, Vec<(u64, u32, u32)>);

impl PartialEq for LineCounts {
    fn eq(&self, other: &Self) -> bool {
        self.max_chars == other.max_chars
            && self.level == other.level
            && self.canonical() == other.canonical()
    }
}

impl LineCounts {
    /// An empty table for the lines `cfg` counts.
    pub fn new(cfg: &RepeatedConfig) -> LineCounts {
        LineCounts {
            max_chars: cfg.max_chars,
            max_tracked: cfg.max_tracked_lines,
            level: 0,
            sources: Vec::new(),
            source_ids: HashMap::new(),
            lines: HashMap::new(),
        }
    }

    fn source_id(&mut self, src: u64) -> u32 {
        if let Some(&id) = self.source_ids.get(&src) {
            return id;
        }
        let id = self.sources.len() as u32;
        self.sources.push((src, SourceDocs::default()));
        self.source_ids.insert(src, id);
        id
    }

    /// Count one document of `source` whose text is already normalized
    /// ([`crate::normalize::document_text`]). Each distinct short line
    /// counts once.
    pub fn add_doc(&mut self, source: &str, text: &str) {
        let level = doc_level(text);
        if level < self.level {
            return;
        }
        let src = source_hash(source);
        let id = self.source_id(src);
        let docs = &mut self.sources[id as usize].1.by_level;
        if docs.len() <= level as usize {
            docs.resize(level as usize + 1, 0);
        }
        docs[level as usize] += 1;
        let mut buf = String::new();
        let mut keys: Vec<u64> = text
            .split('\n')
            .filter(|l| !l.is_empty() && l.chars().count() <= self.max_chars)
            .filter_map(|l| line_hash(l, &mut buf))
            .map(|h| pair_key(src, h) | (level as u64) << LEVEL_SHIFT)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            let e = self.lines.entry(k).or_insert((0, id));
            e.0 = e.0.saturating_add(1);
        }
        self.shrink_to_cap();
    }

    /// Add the counts of `other` (same `max_chars`). The result does not
    /// depend on the order of merges or on how documents were split
    /// between the tables.
    pub fn merge(&mut self, other: LineCounts) {
        assert_eq!(
            self.max_chars, other.max_chars,
            "merging line counts of different clean.repeated.max_chars"
        );
        if other.level > self.level {
            self.set_level(other.level);
        }
        let level = self.level;
        let mut ids = Vec::with_capacity(other.sources.len());
        for (src, d) in other.sources {
            if d.total_from(level) == 0 {
                ids.push(None);
                continue;
            }
            let id = self.source_id(src);
            ids.push(Some(id));
            let mine = &mut self.sources[id as usize].1.by_level;
            if mine.len() < d.by_level.len() {
                mine.resize(d.by_level.len(), 0);
            }
            for (l, n) in d.by_level.into_iter().enumerate().skip(level as usize) {
                mine[l] += n;
            }
        }
        for (k, (n, id)) in other.lines {
            if key_level(k) < level {
                continue;
            }
            let id = ids[id as usize].expect("a counted line has a counted source");
            let e = self.lines.entry(k).or_insert((0, id));
            e.0 = e.0.saturating_add(n);
        }
        self.shrink_to_cap();
    }

    /// The sampling level (0: every document counted).
    pub fn level(&self) -> u8 {
        self.level
    }

    /// Distinct (source, line, level) counts held.
    pub fn tracked(&self) -> usize {
        self.lines.len()
    }

    fn size(&self) -> usize {
        self.lines.len() + self.sources.len()
    }

    fn shrink_to_cap(&mut self) {
        while self.size() > self.max_tracked && self.level < 63 {
            self.set_level(self.level + 1);
        }
    }

    /// Drop the counts of documents below `level`, and the sources left
    /// without documents (renumbering the others).
    fn set_level(&mut self, level: u8) {
        self.level = level;
        self.lines.retain(|&k, _| key_level(k) >= level);
        let mut new_ids = Vec::with_capacity(self.sources.len());
        let mut kept = Vec::with_capacity(self.sources.len());
        for (src, mut d) in std::mem::take(&mut self.sources) {
            for n in d.by_level.iter_mut().take(level as usize) {
                *n = 0;
            }
            if d.total_from(level) > 0 {
                new_ids.push(Some(kept.len() as u32));
                kept.push((src, d));
            } else {
                new_ids.push(None);
            }
        }
        for e in self.lines.values_mut() {
            e.1 = new_ids[e.1 as usize].expect("a counted line has a counted source");
        }
        self.source_ids = kept
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (*s, i as u32))
            .collect();
        self.sources = kept;
    }

    fn canonical(&self) -> Canonical {
        let mut order: Vec<u32> = (0..self.sources.len() as u32).collect();
        order.sort_unstable_by_key(|&i| self.sources[i as usize].0);
        let mut pos = vec![0u32; order.len()];
        for (p, &i) in order.iter().enumerate() {
            pos[i as usize] = p as u32;
        }
        let sources = order
            .iter()
            .map(|&i| {
                let (src, d) = &self.sources[i as usize];
                let levels = d.by_level.iter().rposition(|&n| n > 0).map_or(0, |p| p + 1);
                (*src, d.by_level[..levels].to_vec())
            })
            .collect();
        let mut lines: Vec<(u64, u32, u32)> = self
            .lines
            .iter()
            .map(|(k, (n, id))| (*k, *n, pos[*id as usize]))
            .collect();
        lines.sort_unstable();
        (sources, lines)
    }

    /// Write the counts to `path` (zstd-compressed, sources and lines
    /// sorted by hash: the same counts give the same bytes).
    pub fn write_to(&self, path: &Path) -> Result<()> {
        let f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
        let mut w = zstd::stream::write::Encoder::new(BufWriter::new(f), 3)
            .map_err(|e| Error::io(path, e))?;
        let io = |e| Error::io(path, e);
        let (sources, lines) = self.canonical();
        w.write_all(MAGIC).map_err(io)?;
        for v in [
            self.max_chars as u64,
            self.max_tracked as u64,
            self.level as u64,
            sources.len() as u64,
            lines.len() as u64,
        ] {
            w.write_all(&v.to_le_bytes()).map_err(io)?;
        }
        for (src, by_level) in sources {
            w.write_all(&src.to_le_bytes()).map_err(io)?;
            w.write_all(&(by_level.len() as u64).to_le_bytes())
                .map_err(io)?;
            for n in by_level {
                w.write_all(&n.to_le_bytes()).map_err(io)?;
            }
        }
        for (k, n, p) in lines {
            w.write_all(&k.to_le_bytes()).map_err(io)?;
            w.write_all(&n.to_le_bytes()).map_err(io)?;
            w.write_all(&p.to_le_bytes()).map_err(io)?;
        }
        w.finish()
            .and_then(|mut b| b.flush())
            .map_err(|e| Error::io(path, e))
    }

    /// Read counts written by [`LineCounts::write_to`].
    pub fn read_from(path: &Path) -> Result<LineCounts> {
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut r =
            BufReader::new(zstd::stream::read::Decoder::new(f).map_err(|e| Error::io(path, e))?);
        let bad = |m: &str| Error::input(path, None, format!("not a line-counts file: {m}"));
        let mut magic = [0u8; MAGIC.len()];
        r.read_exact(&mut magic).map_err(|_| bad("too short"))?;
        if magic != *MAGIC {
            return Err(bad("wrong header"));
        }
        let u64_ = |r: &mut BufReader<_>| -> Result<u64> {
            let mut b = [0u8; 8];
            r.read_exact(&mut b).map_err(|_| bad("truncated"))?;
            Ok(u64::from_le_bytes(b))
        };
        let u32_ = |r: &mut BufReader<_>| -> Result<u32> {
            let mut b = [0u8; 4];
            r.read_exact(&mut b).map_err(|_| bad("truncated"))?;
            Ok(u32::from_le_bytes(b))
        };
        let max_chars = u64_(&mut r)? as usize;
        let max_tracked = u64_(&mut r)? as usize;
        let level = u64_(&mut r)?;
        let n_sources = u64_(&mut r)?;
        let n_lines = u64_(&mut r)?;
        if level > 63 || n_sources > u32::MAX as u64 {
            return Err(bad("value out of range"));
        }
        let mut sources = Vec::with_capacity(n_sources.min(1 << 20) as usize);
        for _ in 0..n_sources {
            let src = u64_(&mut r)?;
            let levels = u64_(&mut r)?;
            if levels > 64 {
                return Err(bad("level out of range"));
            }
            let mut by_level = Vec::with_capacity(levels as usize);
            for _ in 0..levels {
                by_level.push(u64_(&mut r)?);
            }
            sources.push((src, SourceDocs { by_level }));
        }
        let mut lines = HashMap::with_capacity(n_lines.min(1 << 24) as usize);
        for _ in 0..n_lines {
            let k = u64_(&mut r)?;
            let n = u32_(&mut r)?;
            let p = u32_(&mut r)?;
            if p as u64 >= n_sources {
                return Err(bad("source out of range"));
            }
            lines.insert(k, (n, p));
        }
        if r.read(&mut [0u8; 1]).map_err(|e| Error::io(path, e))? != 0 {
            return Err(bad("trailing bytes"));
        }
        let source_ids = sources
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (*s, i as u32))
            .collect();
        Ok(LineCounts {
            max_chars,
            max_tracked,
            level: level as u8,
            sources,
            source_ids,
            lines,
        })
    }

    /// Decide which lines are boilerplate.
    pub fn finish(self, cfg: &RepeatedConfig) -> RepeatedLines {
        let scale = 1u64 << self.level;
        let level = self.level;
        // Counts of one pair at several levels add up.
        let mut pairs: HashMap<u64, (u64, u32)> = HashMap::new();
        for (k, (n, id)) in self.lines {
            let e = pairs.entry(k & HASH_MASK).or_insert((0, id));
            e.0 += n as u64;
        }
        let docs: Vec<u64> = self
            .sources
            .iter()
            .map(|(_, d)| d.total_from(level))
            .collect();
        let mut lines = HashSet::new();
        let mut sources = HashSet::new();
        for (k, (n, id)) in pairs {
            if is_boilerplate(n, docs[id as usize], scale, cfg) {
                lines.insert(k);
                sources.insert(id);
            }
        }
        RepeatedLines {
            max_chars: self.max_chars,
            lines,
            sources: sources.len(),
            level,
        }
    }
}

/// The decision for a line in `n` of the `d` sampled documents of its
/// source, at sampling scale `scale` (1 = every document counted).
fn is_boilerplate(n: u64, d: u64, scale: u64, cfg: &RepeatedConfig) -> bool {
    let (docs, count) = (d.saturating_mul(scale), n.saturating_mul(scale));
    docs >= cfg.min_source_docs
        && count >= cfg.min_docs as u64
        && n as f64 >= cfg.min_share * d as f64
        && (scale == 1 || n >= 2)
}

const MAGIC: &[u8; 24] = b"corpusforge linecounts1\n";

fn key_level(k: u64) -> u8 {
    (k >> LEVEL_SHIFT) as u8
}

/// The lines found to be boilerplate, per source (hashes only).
#[derive(Clone, Debug, Default)]
pub struct RepeatedLines {
    max_chars: usize,
    lines: HashSet<u64>,
    sources: usize,
    level: u8,
}

impl RepeatedLines {
    /// Whether `line` (of normalized text) is boilerplate in `source` (the
    /// [`source_key`] of its document).
    pub fn is_repeated(&self, source: &str, line: &str) -> bool {
        if self.lines.is_empty() || line.chars().count() > self.max_chars {
            return false;
        }
        let mut buf = String::new();
        line_hash(line, &mut buf)
            .is_some_and(|h| self.lines.contains(&pair_key(source_hash(source), h)))
    }

    /// (source, line) pairs found to be boilerplate.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Sources with at least one boilerplate line.
    pub fn sources(&self) -> usize {
        self.sources
    }

    /// The sampling level of the counts (0: every document was counted;
    /// `L`: about one document in `2^L`).
    pub fn level(&self) -> u8 {
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> RepeatedConfig {
        RepeatedConfig {
            min_docs: 3,
            min_source_docs: 4,
            ..Default::default()
        }
    }

    /// A word made of letters only (digits fold to 0 in line hashes).
    fn word(i: usize) -> String {
        i.to_string()
            .bytes()
            .map(|d| (b'a' + d - b'0') as char)
            .collect()
    }

    fn doc(i: usize, extra: &str) -> String {
        let w = word(i);
        format!("Story {w} about the harbour and its ships.\n{extra}\nIt rained on day {i}.")
    }

    #[test]
    fn finds_frames_of_a_source_only() {
        let c = cfg();
        let mut lc = LineCounts::new(&c);
        for i in 0..6 {
            lc.add_doc(
                "Harbour Ledger",
                &doc(i, "Follow the Harbour Ledger on social media!"),
            );
        }
        // The same line in another source, too rarely to count there.
        lc.add_doc(
            "Other",
            &doc(9, "Follow the Harbour Ledger on social media!"),
        );
        let r = lc.finish(&c);
        assert!(r.is_repeated(
            "Harbour Ledger",
            "Follow the Harbour Ledger on social media!"
        ));
        // Case, digits and punctuation do not matter.
        assert!(r.is_repeated(
            "Harbour Ledger",
            "follow the harbour ledger on social media"
        ));
        assert!(!r.is_repeated("Other", "Follow the Harbour Ledger on social media!"));
        // Digits fold to 0: "It rained on day N." is one line in all six.
        assert!(r.is_repeated("Harbour Ledger", "It rained on day 7."));
        assert!(!r.is_repeated("Harbour Ledger", "Story b about the harbour and its ships."));
        assert_eq!(r.sources(), 1);
    }

    #[test]
    fn long_lines_and_small_sources_are_left_alone() {
        let c = cfg();
        let long = "A long paragraph that was syndicated word for word. ".repeat(5);
        let mut lc = LineCounts::new(&c);
        for i in 0..6 {
            lc.add_doc("Wire", &doc(i, &long));
            lc.add_doc("Tiny", &format!("Unique {}\nShared trailer line", word(i)));
        }
        // "Tiny" has 6 documents, but 3 more are needed below.
        let r = lc.clone().finish(&RepeatedConfig {
            min_source_docs: 7,
            ..c.clone()
        });
        assert!(!r.is_repeated("Tiny", "Shared trailer line"));
        let r = lc.finish(&c);
        assert!(r.is_repeated("Tiny", "Shared trailer line"));
        assert!(!r.is_repeated("Wire", long.trim()));
    }

    #[test]
    fn a_line_counts_once_per_document() {
        let c = cfg();
        let mut lc = LineCounts::new(&c);
        lc.add_doc("S", "same\nsame\nsame\nsame\nsame");
        for i in 0..5 {
            lc.add_doc("S", &format!("other {}", word(i)));
        }
        assert!(!lc.finish(&c).is_repeated("S", "same"));
    }

    #[test]
    fn share_threshold_scales_with_the_source() {
        let c = RepeatedConfig {
            min_share: 0.5,
            ..cfg()
        };
        let mut lc = LineCounts::new(&c);
        for i in 0..10 {
            let extra = if i < 4 { "Sponsored" } else { "" };
            lc.add_doc("S", &doc(i, extra));
        }
        let r = lc.finish(&c);
        assert!(!r.is_repeated("S", "Sponsored"), "4 of 10 is under half");
    }

    /// Documents of three sources with frames, split arbitrarily.
    fn corpus() -> Vec<(String, String)> {
        (0..400)
            .map(|i| {
                let src = format!("src{}", i % 3);
                let frame = format!("Frame line of {src}");
                (
                    src,
                    format!(
                        "{frame}\nBody {} alpha\nBody {} beta\n{frame} bottom",
                        word(i),
                        word(i * 7)
                    ),
                )
            })
            .collect()
    }

    fn counts_of(docs: &[(String, String)], cap: usize) -> LineCounts {
        let c = RepeatedConfig {
            max_tracked_lines: cap,
            ..cfg()
        };
        let mut lc = LineCounts::new(&c);
        lc.max_tracked = cap; // allow caps under the validated minimum
        for (s, t) in docs {
            lc.add_doc(s, t);
        }
        lc
    }

    fn bytes(lc: &LineCounts) -> Vec<u8> {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        lc.write_to(tmp.path()).unwrap();
        std::fs::read(tmp.path()).unwrap()
    }

    #[test]
    fn merge_is_order_and_split_independent_even_when_sampling() {
        let docs = corpus();
        for cap in [100_000, 300, 60] {
            let whole = counts_of(&docs, cap);
            assert_eq!(whole.level() > 0, cap < 1000, "cap {cap}");
            for parts in [2, 3, 7] {
                let mut pieces: Vec<LineCounts> = (0..parts)
                    .map(|p| {
                        let part: Vec<_> = docs
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| (i * 31 + 7) % parts == p)
                            .map(|(_, d)| d.clone())
                            .collect();
                        counts_of(&part, cap)
                    })
                    .collect();
                pieces.reverse();
                let mut merged = pieces.pop().unwrap();
                for p in pieces {
                    merged.merge(p);
                }
                assert!(merged == whole, "cap {cap}, {parts} parts");
                assert_eq!(bytes(&merged), bytes(&whole));
            }
            // Frames are still found when sampling.
            let r = whole.finish(&cfg());
            assert!(r.is_repeated("src1", "Frame line of src1"), "cap {cap}");
            assert!(!r.is_repeated("src1", "Body e alpha"), "cap {cap}");
        }
    }

    #[test]
    fn write_and_read_round_trip() {
        let lc = counts_of(&corpus(), 300);
        let tmp = tempfile::NamedTempFile::new().unwrap();
        lc.write_to(tmp.path()).unwrap();
        let back = LineCounts::read_from(tmp.path()).unwrap();
        assert!(back == lc);
        std::fs::write(tmp.path(), b"garbage").unwrap();
        assert!(LineCounts::read_from(tmp.path()).is_err());
    }

    #[test]
    fn scripts_without_spaces_and_with_marks() {
        let mut buf = String::new();
        let a = line_hash("नगर समाचार – दिल्ली", &mut buf);
        let b = line_hash("नगर समाचार दिल्ली", &mut buf);
        assert_eq!(a, b);
        assert_ne!(line_hash("नगर", &mut buf), line_hash("नगा", &mut buf));
        assert_eq!(line_hash("***", &mut buf), None);
        assert_eq!(
            line_hash("来源：新华社 2024年3月5日", &mut buf),
            line_hash("来源 新华社 2025年7月9日", &mut buf)
        );
    }
}
