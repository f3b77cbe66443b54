//! Clustering by LSH bands and union-find ([`cluster`], or [`band_edges`]
//! and [`assign_edges`] for a build split into stages), in memory or with
//! band tables spilled to disk beyond the memory budget, and the choice of
//! the member kept in each cluster. Only signatures, band hashes and ids
//! are seen, never text; the result is the same whatever the thread count
//! and whether or not it spills.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::Signature;
use super::config::{KeepRule, MinHashConfig};
use crate::dedup::sigtable::SigTable;

/// What [`cluster`] needs to know about a document besides its signature.
#[derive(Clone, Debug, Default)]
pub struct DocMeta {
    /// Global input order; unique.
    pub seq: u64,
    pub n_chars: u64,
    pub date: Option<String>,
}

/// Result for one document.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Assignment {
    /// `seq` of the kept member: stable under re-runs and thread counts.
    pub cluster: u64,
    pub cluster_size: u32,
    pub kept_seq: u64,
    /// Signature Jaccard to the kept document (1.0 for the kept one).
    pub est_jaccard: f32,
}

impl Assignment {
    /// Whether this document is the one kept in its cluster.
    pub fn is_kept(&self, meta: &DocMeta) -> bool {
        self.kept_seq == meta.seq
    }
}

/// Union-find over `u32` indices; the root is always the smallest index of
/// its set, so the structure after a set of unions is order-independent.
struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize]; // path halving
            x = p;
        }
        x
    }
    /// Join the sets of `a` and `b`; true if they were apart.
    fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        match ra.cmp(&rb) {
            Ordering::Less => self.parent[rb as usize] = ra,
            Ordering::Greater => self.parent[ra as usize] = rb,
            Ordering::Equal => return false,
        }
        true
    }
}

/// Buckets with at most this many members are compared all-pairs; larger
/// ones compare every member with the first [`ANCHORS`] members and with its
/// predecessor (NeMo Curator's "anchor" documents per bucket follow the same
/// idea), which keeps the work linear in the bucket size.
const ALL_PAIRS_MAX: usize = 16;
const ANCHORS: usize = 4;

/// Hash of band `band` of a signature given as its `k` values.
fn band_hash(sig: &[u64], band: usize, rows: usize, seed: u64) -> u64 {
    let mut buf = [0u8; 8 * 32];
    let vals = &sig[band * rows..(band + 1) * rows];
    if rows <= 32 {
        for (chunk, v) in buf.chunks_exact_mut(8).zip(vals) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        xxh3_64_with_seed(&buf[..8 * rows], seed ^ band as u64)
    } else {
        let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_le_bytes()).collect();
        xxh3_64_with_seed(&bytes, seed ^ band as u64)
    }
}

/// Band hashes of the signatures in `flat` (`k` values each).
fn band_hashes(flat: &[u64], k: usize, band: usize, cfg: &MinHashConfig) -> Vec<u64> {
    flat.par_chunks_exact(k)
        .map(|s| band_hash(s, band, cfg.rows, cfg.seed))
        .collect()
}

/// Candidate pairs `(i, j)`, `i < j`, from a table of `(band_hash, index)`
/// sorted by hash then index.
fn bucket_pairs(table: &[(u64, u64)], out: &mut Vec<(u32, u32)>) {
    let mut start = 0;
    while start < table.len() {
        let mut end = start + 1;
        while end < table.len() && table[end].0 == table[start].0 {
            end += 1;
        }
        let g = &table[start..end];
        if g.len() <= ALL_PAIRS_MAX {
            for j in 1..g.len() {
                for i in 0..j {
                    out.push((g[i].1 as u32, g[j].1 as u32));
                }
            }
        } else {
            for j in 1..g.len() {
                for i in 0..j.min(ANCHORS) {
                    out.push((g[i].1 as u32, g[j].1 as u32));
                }
                if j > ANCHORS {
                    out.push((g[j - 1].1 as u32, g[j].1 as u32));
                }
            }
        }
        start = end;
    }
}

/// Merge candidate pairs into the union-find: drop pairs already connected
/// (sequential, cheap), verify the rest in parallel (a pure function of the
/// two signatures), then union. The final components do not depend on the
/// order in which pairs arrive.
fn merge_pairs(
    pairs: &mut Vec<(u32, u32)>,
    uf: &mut UnionFind,
    sigs: &SigTable,
    cfg: &MinHashConfig,
    edges: &mut Vec<(u32, u32)>,
) -> io::Result<()> {
    match cfg.verify_min_jaccard {
        None => {
            for &(a, b) in pairs.iter() {
                if uf.union(a, b) {
                    edges.push((a, b));
                }
            }
        }
        Some(t) => {
            pairs.retain(|&(a, b)| uf.find(a) != uf.find(b));
            let ok: Vec<bool> = pairs
                .par_iter()
                .map(|&(a, b)| Ok(sigs.jaccard(a as usize, b as usize)? >= t))
                .collect::<io::Result<_>>()?;
            for (&(a, b), ok) in pairs.iter().zip(ok) {
                if ok && uf.union(a, b) {
                    edges.push((a, b));
                }
            }
        }
    }
    pairs.clear();
    Ok(())
}

/// `(band_hash, index)` of every signature for one band.
fn table_for_band(
    sigs: &SigTable,
    band: usize,
    cfg: &MinHashConfig,
) -> io::Result<Vec<(u64, u64)>> {
    let mut t = Vec::with_capacity(sigs.len());
    sigs.for_each_chunk(|start, flat| {
        let hashes = band_hashes(flat, sigs.k(), band, cfg);
        t.extend(
            hashes
                .into_iter()
                .enumerate()
                .map(|(i, h)| (h, (start + i) as u64)),
        );
        Ok(())
    })?;
    Ok(t)
}

/// Cluster documents by LSH on their signatures and pick one member per
/// cluster to keep. `metas[i]` describes `sigs[i]`. `spill_dir` is used only
/// when the band tables exceed `cfg.memory_budget_mb` (files are removed
/// before returning). The signatures are copied into an in-memory
/// [`SigTable`]; the build's stages use [`band_edges`] and
/// [`assign_edges`] on a table that moves to disk beyond the budget.
pub fn cluster(
    sigs: &[Signature],
    metas: &[DocMeta],
    cfg: &MinHashConfig,
    spill_dir: &Path,
) -> io::Result<Vec<Assignment>> {
    let n = sigs.len();
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    if metas.len() != n {
        return Err(invalid(format!(
            "{} signatures but {} metas",
            n,
            metas.len()
        )));
    }
    if cfg.bands == 0 || cfg.rows == 0 {
        return Err(invalid("bands and rows must be >= 1".into()));
    }
    let table = SigTable::from_signatures(sigs, cfg.num_perm())?;
    let bands: Vec<usize> = (0..cfg.bands).collect();
    let edges = band_edges(&table, &bands, cfg, spill_dir)?;
    assign_edges(&table, metas, cfg, &edges)
}

fn check_table(sigs: &SigTable, cfg: &MinHashConfig) -> io::Result<()> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    if sigs.len() >= u32::MAX as usize {
        return Err(invalid(format!(
            "{} documents: at most 2^32-2 per clustering",
            sigs.len()
        )));
    }
    if cfg.bands == 0 || cfg.rows == 0 {
        return Err(invalid("bands and rows must be >= 1".into()));
    }
    if sigs.k() != cfg.num_perm() {
        return Err(invalid(format!(
            "signatures have {} values, expected {}",
            sigs.k(),
            cfg.num_perm()
        )));
    }
    Ok(())
}

/// The linking edges LSH finds in `bands` (a subset of `0..cfg.bands`):
/// pairs sharing a bucket in one of those bands whose signature Jaccard
/// passes `cfg.verify_min_jaccard`, reduced to a spanning forest (a pair
/// already connected by earlier edges is dropped). The connected components
/// of the union of the edges of any partition of the bands equal those of
/// all bands at once, so each partition can be a separate task.
pub fn band_edges(
    sigs: &SigTable,
    bands: &[usize],
    cfg: &MinHashConfig,
    spill_dir: &Path,
) -> io::Result<Vec<(u32, u32)>> {
    check_table(sigs, cfg)?;
    let n = sigs.len();
    let mut uf = UnionFind::new(n);
    let mut edges = Vec::new();
    if cfg.enabled && n > 1 {
        let budget = (cfg.memory_budget_mb as u64).max(1) << 20;
        let per_band = n as u64 * 16;
        let mut pairs = Vec::new();
        if per_band * bands.len() as u64 <= budget {
            // The budget would hold every band table; one at a time is
            // enough.
            for &b in bands {
                let mut t = table_for_band(sigs, b, cfg)?;
                t.par_sort_unstable();
                bucket_pairs(&t, &mut pairs);
                drop(t);
                merge_pairs(&mut pairs, &mut uf, sigs, cfg, &mut edges)?;
            }
        } else {
            spill_cluster(
                sigs, bands, cfg, spill_dir, budget, &mut uf, &mut pairs, &mut edges,
            )?;
        }
    }
    Ok(edges)
}

/// Clusters from linking edges (the union of [`band_edges`] results), and
/// the member kept in each.
pub fn assign_edges(
    sigs: &SigTable,
    metas: &[DocMeta],
    cfg: &MinHashConfig,
    edges: &[(u32, u32)],
) -> io::Result<Vec<Assignment>> {
    check_table(sigs, cfg)?;
    if metas.len() != sigs.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} signatures but {} metas", sigs.len(), metas.len()),
        ));
    }
    let mut uf = UnionFind::new(sigs.len());
    for &(a, b) in edges {
        uf.union(a, b);
    }
    assign(sigs, metas, cfg.keep, &mut uf)
}

/// Out-of-core banding: per band, route `(band_hash, index)` records into
/// `parts` files by the top bits of the hash (equal hashes land in the same
/// file), then load, sort and pair one file at a time.
#[allow(clippy::too_many_arguments)]
fn spill_cluster(
    sigs: &SigTable,
    bands: &[usize],
    cfg: &MinHashConfig,
    spill_dir: &Path,
    budget: u64,
    uf: &mut UnionFind,
    pairs: &mut Vec<(u32, u32)>,
    edges: &mut Vec<(u32, u32)>,
) -> io::Result<()> {
    let n = sigs.len() as u64;
    // Records of one partition must fit the budget; power of two for routing.
    let parts = (n * 16).div_ceil(budget).max(1).next_power_of_two();
    let shift = 64 - parts.trailing_zeros();
    let route = |h: u64| if parts == 1 { 0 } else { (h >> shift) as usize };
    std::fs::create_dir_all(spill_dir)?;
    let path = |band: usize, p: usize| -> PathBuf {
        spill_dir.join(format!("minhash-band{band:03}-part{p:05}.bin"))
    };
    for &band in bands {
        {
            let mut writers = (0..parts as usize)
                .map(|p| File::create(path(band, p)).map(|f| BufWriter::with_capacity(1 << 16, f)))
                .collect::<io::Result<Vec<_>>>()?;
            sigs.for_each_chunk(|start, flat| {
                let hashes = band_hashes(flat, sigs.k(), band, cfg);
                for (i, h) in hashes.into_iter().enumerate() {
                    let idx = (start + i) as u64;
                    let w = &mut writers[route(h)];
                    w.write_all(&h.to_le_bytes())?;
                    w.write_all(&idx.to_le_bytes())?;
                }
                Ok(())
            })?;
            for w in writers {
                w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            }
        }
        for p in 0..parts as usize {
            let file = path(band, p);
            let mut bytes = Vec::new();
            BufReader::new(File::open(&file)?).read_to_end(&mut bytes)?;
            std::fs::remove_file(&file)?;
            let mut table: Vec<(u64, u64)> = bytes
                .chunks_exact(16)
                .map(|r| {
                    let h = u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
                    let i = u64::from_le_bytes(r[8..].try_into().expect("8 bytes"));
                    (h, i)
                })
                .collect();
            drop(bytes);
            table.par_sort_unstable();
            bucket_pairs(&table, pairs);
            drop(table);
            merge_pairs(pairs, uf, sigs, cfg, edges)?;
        }
    }
    Ok(())
}

/// Better candidate to keep under `rule` (true if `a` beats `b`).
fn better(rule: KeepRule, a: &DocMeta, b: &DocMeta) -> bool {
    let by_seq = a.seq < b.seq;
    match rule {
        KeepRule::First => by_seq,
        KeepRule::Longest => match a.n_chars.cmp(&b.n_chars) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => by_seq,
        },
        KeepRule::Newest => match a.date.cmp(&b.date) {
            // None < Some(_): a missing date is the oldest.
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => by_seq,
        },
    }
}

fn assign(
    sigs: &SigTable,
    metas: &[DocMeta],
    rule: KeepRule,
    uf: &mut UnionFind,
) -> io::Result<Vec<Assignment>> {
    let n = sigs.len();
    let roots: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
    let mut size = vec![0u32; n];
    let mut kept: Vec<u32> = (0..n as u32).collect(); // indexed by root
    for (i, &r) in roots.iter().enumerate() {
        size[r as usize] += 1;
        let cur = kept[r as usize] as usize;
        if i != cur && better(rule, &metas[i], &metas[cur]) {
            kept[r as usize] = i as u32;
        }
    }
    (0..n)
        .into_par_iter()
        .map(|i| {
            let r = roots[i] as usize;
            let kk = kept[r] as usize;
            Ok(Assignment {
                cluster: metas[kk].seq,
                cluster_size: size[r],
                kept_seq: metas[kk].seq,
                est_jaccard: if kk == i {
                    1.0
                } else {
                    sigs.jaccard(i, kk)? as f32
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::sign::signature;
    use super::super::testutil::{BASE, cfg, meta};
    use super::*;

    fn corpus() -> (Vec<String>, Vec<DocMeta>) {
        let other = "Scientists announced on Friday that a new species of frog had been \
            found in the rainforest of the eastern highlands, after a survey that lasted \
            almost two years and covered more than forty remote valleys and river basins.";
        let texts = vec![
            BASE.to_string(),                                                            // 0
            other.to_string(),                                                           // 1
            format!("{BASE} Follow us on social media."), // 2 near-dup of 0
            BASE.replace("Tuesday", "Wednesday"),         // 3 near-dup of 0
            String::new(),                                // 4
            format!("{other} Read more"),                 // 5 near-dup of 1
            String::new(),                                // 6 dup of 4
            "a completely unrelated short note about gardening tomatoes in pots".into(), // 7
        ];
        let metas = texts
            .iter()
            .enumerate()
            .map(|(i, t)| meta(100 + i as u64, t.chars().count() as u64, None))
            .collect();
        (texts, metas)
    }

    #[test]
    fn clusters_and_keep_first() {
        let (texts, metas) = corpus();
        let c = cfg();
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t, &c)).collect();
        let dir = std::env::temp_dir();
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        let cl: Vec<u64> = a.iter().map(|x| x.cluster).collect();
        assert_eq!(cl, vec![100, 101, 100, 100, 104, 101, 104, 107]);
        assert_eq!(a[0].cluster_size, 3);
        assert_eq!(a[7].cluster_size, 1);
        assert_eq!(a[0].est_jaccard, 1.0);
        assert!(a[2].est_jaccard > 0.7 && a[2].est_jaccard < 1.0);
        assert!(a[0].is_kept(&metas[0]) && !a[2].is_kept(&metas[2]));
    }

    #[test]
    fn keep_longest_and_newest() {
        let (texts, mut metas) = corpus();
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t, &cfg())).collect();
        let dir = std::env::temp_dir();
        let c = MinHashConfig {
            keep: KeepRule::Longest,
            ..cfg()
        };
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        assert_eq!(a[0].kept_seq, 102); // BASE + trailer is the longest
        assert_eq!(a[1].kept_seq, 105);
        metas[0].date = Some("2015-07-22".into());
        metas[3].date = Some("2015-08-01".into());
        metas[2].date = Some("2015-07-30".into());
        let c = MinHashConfig {
            keep: KeepRule::Newest,
            ..cfg()
        };
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        assert_eq!(a[0].kept_seq, 103);
        assert_eq!(a[0].cluster, 103);
        assert_eq!(a[1].kept_seq, 101); // no dates: smallest seq
    }

    #[test]
    fn verification_off_and_disabled() {
        let (texts, metas) = corpus();
        let sigs: Vec<Signature> = texts.iter().map(|t| signature(t, &cfg())).collect();
        let dir = std::env::temp_dir();
        let c = MinHashConfig {
            verify_min_jaccard: None,
            ..cfg()
        };
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        assert_eq!(a[2].cluster, 100);
        let c = MinHashConfig {
            enabled: false,
            ..cfg()
        };
        let a = cluster(&sigs, &metas, &c, &dir).unwrap();
        assert!(
            a.iter()
                .zip(&metas)
                .all(|(x, m)| x.cluster == m.seq && x.cluster_size == 1)
        );
    }

    #[test]
    fn spill_matches_memory_and_threads() {
        // Many documents in a few families so that buckets are large.
        let c = MinHashConfig {
            memory_budget_mb: 1,
            ..cfg()
        };
        let texts: Vec<String> = (0..70_000)
            .map(|i| {
                let fam = i % 5000;
                // Digits fold to 0, so spell numbers with letters.
                let spell = |mut x: usize| -> String {
                    let mut s = String::new();
                    loop {
                        s.push((b'a' + (x % 26) as u8) as char);
                        x /= 26;
                        if x == 0 {
                            break s;
                        }
                    }
                };
                let words: Vec<String> = (0..30)
                    .map(|w| format!("{}q{}", spell(fam), spell(w)))
                    .collect();
                let mut t = words.join(" ");
                if i % 3 == 0 {
                    t.push_str(&format!(" extra{}", spell(i)));
                }
                t
            })
            .collect();
        let metas: Vec<DocMeta> = (0..texts.len())
            .map(|i| meta(i as u64 * 2, 10, None))
            .collect();
        let sigs: Vec<Signature> = texts.par_iter().map(|t| signature(t, &c)).collect();
        // 70k docs * 20 bands * 16 B = 22 MB > 1 MB: spills, 2 partitions/band.
        let dir = tempfile::tempdir().unwrap();
        let spilled = cluster(&sigs, &metas, &c, dir.path()).unwrap();
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "spill files removed"
        );
        let mem_cfg = MinHashConfig {
            memory_budget_mb: 1024,
            ..c.clone()
        };
        let mem = cluster(&sigs, &metas, &mem_cfg, dir.path()).unwrap();
        assert_eq!(spilled, mem);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let single = one.install(|| cluster(&sigs, &metas, &c, dir.path()).unwrap());
        assert_eq!(single, mem);
        let kept = mem.iter().zip(&metas).filter(|(a, m)| a.is_kept(m)).count();
        assert_eq!(kept, 5000);
        // Bands split over tasks (as the `bands` stage does), band tables
        // spilled or not, signatures in memory or in a file: the union of
        // their edges gives the same clusters.
        let in_memory = SigTable::from_signatures(&sigs, c.num_perm()).unwrap();
        let sig_path = dir.path().join("sigs").join("signatures.bin");
        let mut b = crate::dedup::sigtable::SigTableBuilder::new(c.num_perm(), 0, &sig_path);
        for s in &sigs {
            b.push(&s.0).unwrap();
        }
        let in_file = b.finish().unwrap();
        assert!(in_memory.in_memory() && !in_file.in_memory());
        for tasks in [2, 3, 7] {
            let mut edges = Vec::new();
            for t in 0..tasks {
                let mine: Vec<usize> = (t..c.bands).step_by(tasks).collect();
                let part = if t % 2 == 0 { &c } else { &mem_cfg };
                let table = if t % 3 == 0 { &in_file } else { &in_memory };
                edges.extend(band_edges(table, &mine, part, dir.path()).unwrap());
            }
            edges.reverse();
            for table in [&in_memory, &in_file] {
                assert_eq!(
                    assign_edges(table, &metas, &c, &edges).unwrap(),
                    mem,
                    "{tasks} tasks"
                );
            }
        }
        drop(in_file);
        assert!(!sig_path.exists(), "signature file removed");
    }

    #[test]
    fn rejects_bad_input() {
        let c = cfg();
        let dir = std::env::temp_dir();
        let s = vec![signature("a b c", &c)];
        assert!(cluster(&s, &[], &c, &dir).is_err());
        let short = vec![Signature(vec![1, 2, 3].into_boxed_slice())];
        assert!(cluster(&short, &[meta(0, 1, None)], &c, &dir).is_err());
        assert!(cluster(&[], &[], &c, &dir).unwrap().is_empty());
    }
}
