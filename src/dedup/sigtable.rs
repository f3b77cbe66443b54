//! The signatures LSH clustering works on, held in memory up to a byte limit
//! and in a file beyond it.
//!
//! # What it guarantees
//!
//! - **Bounded memory.** A [`SigTableBuilder`] keeps signatures in one flat
//!   `Vec<u64>` while they take at most `limit_bytes`; the first signature
//!   beyond that moves the table to a file of fixed-size records (`8 * k`
//!   little-endian bytes per document, in push order) and every later one is
//!   appended to it through a 64 KiB buffer. Reads of a file-backed table
//!   are positioned reads (`pread`) into small buffers: a signature for a
//!   Jaccard check, a chunk of [`CHUNK`] signatures for a pass over all of
//!   them. So the process holds at most `limit_bytes` of signatures,
//!   whatever the number of documents; the operating system's page cache
//!   may keep the file's pages, which it can drop under memory pressure.
//! - **Same values either way.** [`SigTable::sig`] and
//!   [`SigTable::for_each_chunk`] return the pushed values bit for bit, in
//!   memory or from the file, so clustering gives the same result (tested in
//!   `minhash`).
//! - **No stray files.** The file is removed when the table is dropped, and
//!   when building it fails.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::signature::Signature;
pub use super::signature::jaccard;

/// Signatures per chunk in [`SigTable::for_each_chunk`] (7.5 MB at 120
/// hashes).
pub const CHUNK: usize = 8192;

enum Store {
    Memory(Vec<u64>),
    File { file: File, path: PathBuf },
}

/// `len()` signatures of `k()` hashes each; see the module docs.
pub struct SigTable {
    k: usize,
    n: usize,
    store: Store,
}

impl Drop for SigTable {
    fn drop(&mut self) {
        if let Store::File { path, .. } = &self.store {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

impl SigTable {
    /// An in-memory table holding a copy of `sigs` (each must have `k`
    /// values).
    pub fn from_signatures(sigs: &[Signature], k: usize) -> io::Result<SigTable> {
        if let Some(bad) = sigs.iter().position(|s| s.0.len() != k) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "signature {bad} has {} values, expected {k}",
                    sigs[bad].0.len()
                ),
            ));
        }
        let mut flat = Vec::with_capacity(sigs.len() * k);
        for s in sigs {
            flat.extend_from_slice(&s.0);
        }
        Ok(SigTable {
            k,
            n: sigs.len(),
            store: Store::Memory(flat),
        })
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Hashes per signature.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Whether the signatures are in memory (false: in a file).
    pub fn in_memory(&self) -> bool {
        matches!(self.store, Store::Memory(_))
    }

    /// The `count` signatures from `start`, concatenated.
    fn range(&self, start: usize, count: usize) -> io::Result<Cow<'_, [u64]>> {
        assert!(start + count <= self.n, "signature range out of bounds");
        let (a, b) = (start * self.k, (start + count) * self.k);
        match &self.store {
            Store::Memory(v) => Ok(Cow::Borrowed(&v[a..b])),
            Store::File { file, path } => {
                let mut bytes = vec![0u8; (b - a) * 8];
                read_at(file, &mut bytes, a as u64 * 8)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
                Ok(Cow::Owned(
                    bytes
                        .chunks_exact(8)
                        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
                        .collect(),
                ))
            }
        }
    }

    /// Signature `i`.
    pub fn sig(&self, i: usize) -> io::Result<Cow<'_, [u64]>> {
        self.range(i, 1)
    }

    /// Signature-estimated Jaccard similarity of documents `a` and `b`
    /// ([`Signature::jaccard`]).
    pub fn jaccard(&self, a: usize, b: usize) -> io::Result<f64> {
        Ok(jaccard(&self.sig(a)?, &self.sig(b)?))
    }

    /// Calls `f(start, sigs)` for consecutive chunks of at most [`CHUNK`]
    /// signatures, in order; `sigs` holds `k()` values per signature.
    pub fn for_each_chunk(
        &self,
        mut f: impl FnMut(usize, &[u64]) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut start = 0;
        while start < self.n {
            let count = CHUNK.min(self.n - start);
            f(start, &self.range(start, count)?)?;
            start += count;
        }
        Ok(())
    }
}

/// Collects signatures into a [`SigTable`], moving to a file at `path` once
/// they exceed `limit_bytes`.
pub struct SigTableBuilder {
    k: usize,
    n: usize,
    limit_bytes: u64,
    path: PathBuf,
    mem: Vec<u64>,
    file: Option<BufWriter<File>>,
}

impl SigTableBuilder {
    pub fn new(k: usize, limit_bytes: u64, path: &Path) -> Self {
        SigTableBuilder {
            k,
            n: 0,
            limit_bytes,
            path: path.to_path_buf(),
            mem: Vec::new(),
            file: None,
        }
    }

    /// Signatures pushed so far.
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    fn err(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.path.display()))
    }

    fn write(&mut self, vals: &[u64]) -> io::Result<()> {
        let w = self.file.as_mut().expect("file-backed");
        let mut bytes = [0u8; 8 * 64];
        for part in vals.chunks(64) {
            for (c, v) in bytes.chunks_exact_mut(8).zip(part) {
                c.copy_from_slice(&v.to_le_bytes());
            }
            w.write_all(&bytes[..part.len() * 8])?;
        }
        Ok(())
    }

    /// Makes room in memory for `n` more signatures, as far as the limit
    /// allows, so a table of known size is not copied as it grows. Only
    /// address space: pages count in RSS once signatures are written.
    pub fn reserve(&mut self, n: usize) {
        if self.file.is_none() {
            let cap = (self.limit_bytes / 8) as usize;
            let want = n
                .saturating_mul(self.k)
                .min(cap.saturating_sub(self.mem.len()));
            self.mem.reserve_exact(want);
        }
    }

    /// Appends one signature of `k` values.
    pub fn push(&mut self, sig: &[u64]) -> io::Result<()> {
        if sig.len() != self.k {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "signature {} has {} values, expected {}",
                    self.n,
                    sig.len(),
                    self.k
                ),
            ));
        }
        if self.file.is_none() && ((self.n + 1) * self.k * 8) as u64 > self.limit_bytes {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| self.err(e))?;
            }
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&self.path)
                .map_err(|e| self.err(e))?;
            self.file = Some(BufWriter::with_capacity(1 << 16, f));
            let mem = std::mem::take(&mut self.mem);
            self.write(&mem).map_err(|e| self.err(e))?;
        }
        if self.file.is_some() {
            self.write(sig).map_err(|e| self.err(e))?;
        } else {
            self.mem.extend_from_slice(sig);
        }
        self.n += 1;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<SigTable> {
        let store = match self.file.take() {
            None => Store::Memory(std::mem::take(&mut self.mem)),
            Some(w) => {
                let file = w.into_inner().map_err(|e| self.err(e.into_error()))?;
                Store::File {
                    file,
                    path: std::mem::take(&mut self.path),
                }
            }
        };
        Ok(SigTable {
            k: self.k,
            n: self.n,
            store,
        })
    }
}

impl Drop for SigTableBuilder {
    fn drop(&mut self) {
        // Not finished (an error on the way): remove the partial file.
        if self.file.is_some() {
            self.file = None;
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigs(n: usize, k: usize) -> Vec<Vec<u64>> {
        (0..n)
            .map(|i| {
                (0..k)
                    .map(|j| (i * 1000 + j) as u64 * 0x9E37_79B9)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn memory_and_file_return_the_same_values() {
        let dir = tempfile::tempdir().unwrap();
        let k = 7;
        let all = sigs(20_000, k);
        let mut mem = SigTableBuilder::new(k, u64::MAX, &dir.path().join("mem.bin"));
        // Limit of 100 signatures: the first 100 go to memory, then all move.
        let path = dir.path().join("sub").join("file.bin");
        let mut file = SigTableBuilder::new(k, 100 * k as u64 * 8, &path);
        for s in &all {
            mem.push(s).unwrap();
            file.push(s).unwrap();
        }
        let (mem, file) = (mem.finish().unwrap(), file.finish().unwrap());
        assert!(mem.in_memory() && !file.in_memory());
        assert!(!dir.path().join("mem.bin").exists());
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            (all.len() * k * 8) as u64
        );
        for t in [&mem, &file] {
            assert_eq!(t.len(), all.len());
            for i in [0, 1, 99, 100, 101, 19_999] {
                assert_eq!(&*t.sig(i).unwrap(), &all[i][..]);
            }
            let mut seen = 0;
            t.for_each_chunk(|start, flat| {
                assert_eq!(start, seen);
                for (j, s) in flat.chunks_exact(k).enumerate() {
                    assert_eq!(s, &all[start + j][..]);
                }
                seen += flat.len() / k;
                Ok(())
            })
            .unwrap();
            assert_eq!(seen, all.len());
        }
        assert_eq!(file.jaccard(3, 3).unwrap(), 1.0);
        drop(file);
        assert!(!path.exists(), "file removed on drop");
    }

    #[test]
    fn wrong_length_and_unfinished_builds_are_errors_without_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.bin");
        let mut b = SigTableBuilder::new(3, 0, &path);
        b.push(&[1, 2, 3]).unwrap();
        assert!(path.exists());
        let e = b.push(&[1, 2]).unwrap_err();
        assert!(e.to_string().contains("expected 3"), "{e}");
        drop(b);
        assert!(!path.exists());
        let short = [Signature(vec![1].into_boxed_slice())];
        assert!(SigTable::from_signatures(&short, 2).is_err());
        // A directory where the file should go: the error names the path.
        std::fs::create_dir(dir.path().join("d")).unwrap();
        let mut b = SigTableBuilder::new(1, 0, &dir.path().join("d"));
        let e = b.push(&[1]).unwrap_err();
        assert!(e.to_string().contains("d"), "{e}");
    }
}
