//! Stages `bands` and `cluster`: near-duplicate edges per group of LSH
//! bands, then exact groups + clusters + the decision for every candidate.
//!
//! Memory: `bands` and `cluster` hold, per candidate, its 16-byte exact key
//! and, per exact-group representative, its length and date. The
//! representatives' signatures (8 bytes per hash: 960 bytes at the default
//! 120 hashes) stay in memory while they take at most half of
//! `dedup.near.memory_budget_mb`, and go to a file of fixed-size records
//! beyond it ([`SigTableBuilder`]), read back a chunk or a signature at a
//! time. `bands` adds one band table at a time (16 bytes per
//! representative), partitioned to disk beyond the budget. Never text.
//! `write` later reads the decisions in input order ([`DedupStream`]) and
//! holds one bit per candidate plus the ids of the kept candidates that
//! other candidates name.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::process::{FileStats, all_stats};
use super::{Work, chain_key, layout, write_atomic};
use crate::dedup::minhash::{self, DocMeta, Signature};
use crate::dedup::sigtable::{SigTable, SigTableBuilder};
use crate::dedup::{self, Candidate, Decision};
use crate::error::{Error, Result};

/// Appends candidates to a `.cands` file.
pub struct CandWriter {
    path: PathBuf,
    w: BufWriter<File>,
}

impl CandWriter {
    pub fn create(path: &Path) -> Result<Self> {
        let f = File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(CandWriter {
            path: path.to_path_buf(),
            w: BufWriter::with_capacity(1 << 16, f),
        })
    }

    pub fn push(&mut self, c: &Candidate, id: &str) -> Result<()> {
        let mut buf =
            Vec::with_capacity(64 + id.len() + c.sig.as_ref().map_or(0, |s| s.0.len() * 8));
        buf.extend_from_slice(&c.key.to_le_bytes());
        buf.extend_from_slice(&c.n_chars.to_le_bytes());
        match &c.date {
            Some(d) => {
                buf.extend_from_slice(&(d.len() as u32).to_le_bytes());
                buf.extend_from_slice(d.as_bytes());
            }
            None => buf.extend_from_slice(&u32::MAX.to_le_bytes()),
        }
        buf.extend_from_slice(&(id.len() as u32).to_le_bytes());
        buf.extend_from_slice(id.as_bytes());
        match &c.sig {
            Some(s) => {
                buf.extend_from_slice(&(s.0.len() as u32).to_le_bytes());
                for v in s.0.iter() {
                    buf.extend_from_slice(&v.to_le_bytes());
                }
            }
            None => buf.extend_from_slice(&0u32.to_le_bytes()),
        }
        self.w.write_all(&buf).map_err(|e| Error::io(&self.path, e))
    }

    pub fn finish(self) -> Result<()> {
        let path = self.path;
        self.w
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))?
            .sync_all()
            .map_err(|e| Error::io(&path, e))
    }
}

/// One row of a `.cands` file.
pub struct CandRow {
    pub key: u128,
    pub n_chars: u64,
    pub date: Option<String>,
    pub id: String,
    /// Present when read with signatures and near dedup was on.
    pub sig: Option<Signature>,
}

/// Reads every candidate of every file, in input order.
fn for_each_cand(
    work: &Work,
    stats: &[FileStats],
    with_sig: bool,
    mut f: impl FnMut(CandRow) -> Result<()>,
) -> Result<()> {
    for (fi, s) in stats.iter().enumerate() {
        if s.skipped.is_some() {
            continue;
        }
        let path = layout::cands(&work.dir, fi);
        let corrupt = |what: &str| Error::workdir(&path, format!("work file unreadable: {what}"));
        let mut r =
            BufReader::with_capacity(1 << 16, File::open(&path).map_err(|e| Error::io(&path, e))?);
        let mut read = |buf: &mut [u8]| r.read_exact(buf).map_err(|e| Error::io(&path, e));
        let mut raw = Vec::new();
        for _ in 0..s.candidates {
            let mut b16 = [0u8; 16];
            let mut b8 = [0u8; 8];
            let mut b4 = [0u8; 4];
            read(&mut b16)?;
            let key = u128::from_le_bytes(b16);
            read(&mut b8)?;
            let n_chars = u64::from_le_bytes(b8);
            read(&mut b4)?;
            let dl = u32::from_le_bytes(b4);
            let date = if dl == u32::MAX {
                None
            } else {
                let mut v = vec![0u8; dl as usize];
                read(&mut v)?;
                Some(String::from_utf8(v).map_err(|_| corrupt("date"))?)
            };
            read(&mut b4)?;
            let mut v = vec![0u8; u32::from_le_bytes(b4) as usize];
            read(&mut v)?;
            let id = String::from_utf8(v).map_err(|_| corrupt("id"))?;
            read(&mut b4)?;
            let k = u32::from_le_bytes(b4) as usize;
            raw.resize(k * 8, 0);
            read(&mut raw)?;
            let sig = (with_sig && k > 0).then(|| {
                Signature(
                    raw.chunks_exact(8)
                        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                        .collect(),
                )
            });
            f(CandRow {
                key,
                n_chars,
                date,
                id,
                sig,
            })?;
        }
    }
    Ok(())
}

/// Keys of all candidates, and signature + meta of each exact-group
/// representative (the first candidate with its key; every candidate when
/// exact dedup is off), in input order.
struct Reps {
    keys: Vec<u128>,
    /// xxh3-64 of each candidate's id (only when loaded with metas).
    id_hashes: Vec<u64>,
    sigs: SigTable,
    metas: Vec<DocMeta>,
}

/// Loads the representatives; their signatures go to `sig_file` beyond
/// half the memory budget.
fn load_reps(work: &Work, stats: &[FileStats], with_meta: bool, sig_file: &Path) -> Result<Reps> {
    let cfg = &work.loaded.config;
    let near = &cfg.dedup.near;
    let k = near.num_perm();
    let mut seen: HashSet<u128> = HashSet::new();
    let limit = ((near.memory_budget_mb as u64).max(1) << 20) / 2;
    let mut sigs = SigTableBuilder::new(k, limit, sig_file);
    if near.enabled {
        sigs.reserve(stats.iter().map(|s| s.candidates as usize).sum());
    }
    let (mut keys, mut id_hashes, mut metas) = (Vec::new(), Vec::new(), Vec::new());
    for_each_cand(work, stats, near.enabled, |c| {
        keys.push(c.key);
        if with_meta {
            id_hashes.push(xxhash_rust::xxh3::xxh3_64(c.id.as_bytes()));
        }
        if !near.enabled || (cfg.dedup.exact && !seen.insert(c.key)) {
            return Ok(());
        }
        let sig = c.sig.filter(|s| s.0.len() == k).ok_or_else(|| {
            Error::workdir(
                &work.dir,
                format!("candidate {} has no {k}-hash signature", c.id),
            )
        })?;
        let seq = sigs.len() as u64;
        sigs.push(&sig.0).map_err(|e| Error::io(sig_file, e))?;
        if with_meta {
            metas.push(DocMeta {
                seq,
                n_chars: c.n_chars,
                date: c.date,
            });
        }
        Ok(())
    })?;
    Ok(Reps {
        keys,
        id_hashes,
        sigs: sigs.finish().map_err(|e| Error::io(sig_file, e))?,
        metas,
    })
}

pub fn bands_key(up: &str) -> String {
    chain_key("bands", [up])
}

pub fn cluster_key(up: &str) -> String {
    chain_key("cluster", [up])
}

/// Stage `bands`, task `task` of `tasks`: the linking edges of bands
/// `task`, `task + tasks`, ...
pub fn bands_task(work: &Work, task: usize, tasks: usize) -> Result<()> {
    let dir = work.stage_dir("bands")?;
    let (stats, up) = all_stats(work)?;
    let key = bands_key(&up);
    if work.is_done("bands", task, tasks, &key) {
        return Ok(());
    }
    let near = &work.loaded.config.dedup.near;
    let mut edges = Vec::new();
    if near.enabled {
        let spill = dir.join(format!("spill-{task:05}-of-{tasks:05}"));
        let reps = load_reps(work, &stats, false, &spill.join("signatures.bin"))?;
        let mine: Vec<usize> = (task..near.bands).step_by(tasks).collect();
        edges = minhash::band_edges(&reps.sigs, &mine, near, &spill)
            .map_err(|e| Error::io(&spill, e))?;
        drop(reps);
        let _ = std::fs::remove_dir_all(&spill);
    }
    let mut bytes = Vec::with_capacity(edges.len() * 8);
    for (a, b) in edges {
        bytes.extend_from_slice(&a.to_le_bytes());
        bytes.extend_from_slice(&b.to_le_bytes());
    }
    write_atomic(&layout::edges(&work.dir, task, tasks), &bytes)?;
    work.mark_done("bands", task, tasks, &key)
}

/// Stage `cluster`: exact groups, clusters from all bands' edges, and the
/// decision for every candidate.
pub fn cluster_task(work: &Work) -> Result<()> {
    work.stage_dir("cluster")?;
    let (stats, up) = all_stats(work)?;
    let key = cluster_key(&up);
    if work.is_done("cluster", 0, 1, &key) {
        return Ok(());
    }
    let cfg = &work.loaded.config;
    let near = &cfg.dedup.near;
    let sig_file = work.dir.join("cluster").join("signatures.bin");
    let reps = load_reps(work, &stats, true, &sig_file)?;
    let (rep_of, rep_idx) = dedup::exact_groups(&reps.keys, cfg.dedup.exact);
    let mut kept_rep: Vec<(u32, f32)> = rep_idx.iter().map(|&r| (r, 1.0)).collect();
    if near.enabled && rep_idx.len() > 1 {
        let n = work.complete_run("bands", &bands_key(&up)).ok_or_else(|| {
            Error::workdir(
                &work.dir.join("bands"),
                "stage `bands` has not finished for these inputs and config (run it first)",
            )
        })?;
        let mut edges = Vec::new();
        for t in 0..n {
            let p = layout::edges(&work.dir, t, n);
            let bytes = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
            edges.extend(bytes.chunks_exact(8).map(|c| {
                (
                    u32::from_le_bytes(c[..4].try_into().expect("4 bytes")),
                    u32::from_le_bytes(c[4..].try_into().expect("4 bytes")),
                )
            }));
        }
        if reps.sigs.len() != rep_idx.len() {
            return Err(Error::workdir(
                &work.dir,
                "exact groups and signatures disagree",
            ));
        }
        let assign = minhash::assign_edges(&reps.sigs, &reps.metas, near, &edges)
            .map_err(|e| Error::io(&sig_file, e))?;
        kept_rep = dedup::kept_of_reps(&rep_idx, &assign);
    }
    let decisions = dedup::decisions(&rep_of, &rep_idx, &kept_rep);
    let mut bytes = Vec::with_capacity(decisions.len() * DECISION_BYTES);
    for (d, key) in decisions.iter().zip(&reps.keys) {
        bytes.extend_from_slice(&d.kept.to_le_bytes());
        bytes.extend_from_slice(&d.cluster_size.to_le_bytes());
        bytes.extend_from_slice(&d.jaccard.to_le_bytes());
        bytes.push(d.exact as u8);
        bytes.extend_from_slice(&key.to_le_bytes());
    }
    write_atomic(&layout::decisions(&work.dir), &bytes)?;
    // Ids must be unique among kept documents: a later kept document with
    // the id of an earlier one is rejected (`duplicate_id`).
    let mut first: HashMap<u64, u32> = HashMap::new();
    let mut dup_ids = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        if d.kept as usize != i {
            continue;
        }
        if let Some(&j) = first.get(&reps.id_hashes[i]) {
            dup_ids.extend_from_slice(&(i as u32).to_le_bytes());
            dup_ids.extend_from_slice(&j.to_le_bytes());
        } else {
            first.insert(reps.id_hashes[i], i as u32);
        }
    }
    write_atomic(&layout::duplicate_ids(&work.dir), &dup_ids)?;
    work.mark_done("cluster", 0, 1, &key)
}

/// Bytes of one record of `decisions.bin`: kept index, cluster size,
/// Jaccard to the kept candidate, exact flag, then the candidate's 16-byte
/// exact key (which `write` splits kept documents by).
const DECISION_BYTES: usize = 29;

/// The layout of `decisions.bin`, part of every work key: a work directory
/// written with another layout (1: 13-byte records without the key) is
/// redone rather than misread.
pub const DECISIONS_FORMAT: u32 = 2;

fn parse_decision(c: &[u8]) -> (Decision, u128) {
    let d = Decision {
        kept: u32::from_le_bytes(c[0..4].try_into().expect("4 bytes")),
        cluster_size: u32::from_le_bytes(c[4..8].try_into().expect("4 bytes")),
        jaccard: f32::from_le_bytes(c[8..12].try_into().expect("4 bytes")),
        exact: c[12] != 0,
    };
    (
        d,
        u128::from_le_bytes(c[13..29].try_into().expect("16 bytes")),
    )
}

/// What `write` needs from dedup, read in input order as it goes: each
/// candidate's decision and exact key, the ids of the kept candidates that
/// other candidates name (their `dup_of`), and the kept candidates whose id
/// an earlier kept candidate has.
///
/// Memory does not hold a record per candidate: one bit per candidate marks
/// the kept ones that others name, and only their ids are kept. A kept
/// candidate's id is taken from its own document as `write` passes it
/// ([`DedupStream::next`]); only when some candidate names a kept one after
/// it (`keep` other than `"first"`) are the named ids read from the
/// candidate files up front.
pub struct DedupStream {
    path: PathBuf,
    r: BufReader<File>,
    len: usize,
    next: usize,
    named: Vec<u64>,
    ids: HashMap<u32, Box<str>>,
    /// Kept candidates whose id an earlier kept candidate has (index ->
    /// that earlier index).
    duplicate_ids: HashMap<u32, u32>,
}

impl DedupStream {
    pub fn open(work: &Work, stats: &[FileStats], up: &str) -> Result<DedupStream> {
        if !work.is_done("cluster", 0, 1, &cluster_key(up)) {
            return Err(Error::workdir(
                &work.dir.join("cluster"),
                "stage `cluster` has not finished for these inputs and config (run it first)",
            ));
        }
        let len: usize = stats
            .iter()
            .filter(|s| s.skipped.is_none())
            .map(|s| s.candidates as usize)
            .sum();
        let path = layout::decisions(&work.dir);
        let open = || -> Result<BufReader<File>> {
            let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
            Ok(BufReader::with_capacity(1 << 16, f))
        };
        let bytes = std::fs::metadata(&path)
            .map_err(|e| Error::io(&path, e))?
            .len();
        if bytes != (len * DECISION_BYTES) as u64 {
            return Err(Error::workdir(
                &path,
                format!(
                    "{bytes} bytes, not the {len} decisions of {DECISION_BYTES} bytes expected \
                     (damaged, or written by another version: remove the work directory's `cluster` folder and run again)"
                ),
            ));
        }
        // Which kept candidates do others name, and does any come after one
        // that names it?
        let mut named = vec![0u64; len.div_ceil(64)];
        let mut forward = false;
        let mut r = open()?;
        let mut rec = [0u8; DECISION_BYTES];
        for i in 0..len {
            r.read_exact(&mut rec).map_err(|e| Error::io(&path, e))?;
            let (d, _) = parse_decision(&rec);
            let k = d.kept as usize;
            if k >= len {
                return Err(Error::workdir(
                    &path,
                    format!("decision {i} names candidate {k} of {len}"),
                ));
            }
            if k != i {
                named[k / 64] |= 1 << (k % 64);
                forward |= k > i;
            }
        }
        let mut ids = HashMap::new();
        if forward {
            let mut i = 0usize;
            for_each_cand(work, stats, false, |c| {
                if named[i / 64] >> (i % 64) & 1 == 1 {
                    ids.insert(i as u32, c.id.into_boxed_str());
                }
                i += 1;
                Ok(())
            })?;
        }
        let p = layout::duplicate_ids(&work.dir);
        let dup = std::fs::read(&p).map_err(|e| Error::io(&p, e))?;
        let duplicate_ids = dup
            .chunks_exact(8)
            .map(|c| {
                (
                    u32::from_le_bytes(c[..4].try_into().expect("4 bytes")),
                    u32::from_le_bytes(c[4..].try_into().expect("4 bytes")),
                )
            })
            .collect();
        Ok(DedupStream {
            r: open()?,
            path,
            len,
            next: 0,
            named,
            ids,
            duplicate_ids,
        })
    }

    /// Candidates (documents that reached dedup).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Candidates read so far.
    pub fn read(&self) -> usize {
        self.next
    }

    /// The next candidate's index, decision and exact key; `id` is that
    /// candidate's id, kept if other candidates name it.
    pub fn next(&mut self, id: &str) -> Result<(u32, Decision, u128)> {
        let i = self.next;
        if i == self.len {
            return Err(Error::workdir(
                &self.path,
                format!("more than {} documents reached dedup", self.len),
            ));
        }
        let mut rec = [0u8; DECISION_BYTES];
        self.r
            .read_exact(&mut rec)
            .map_err(|e| Error::io(&self.path, e))?;
        self.next += 1;
        if self.named[i / 64] >> (i % 64) & 1 == 1 {
            self.ids.entry(i as u32).or_insert_with(|| id.into());
        }
        let (d, key) = parse_decision(&rec);
        Ok((i as u32, d, key))
    }

    /// The id of kept candidate `kept`, which another candidate names.
    pub fn kept_id(&self, kept: u32) -> Result<&str> {
        self.ids.get(&kept).map(|s| &**s).ok_or_else(|| {
            Error::workdir(
                &self.path,
                format!("candidate {kept} is named as kept but its id is unknown"),
            )
        })
    }

    /// Whether kept candidate `i` has the id of an earlier kept candidate.
    pub fn has_duplicate_id(&self, i: u32) -> bool {
        self.duplicate_ids.contains_key(&i)
    }
}
