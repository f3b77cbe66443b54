//! Native runtime for fastText supervised models (`.bin` and quantized `.ftz`).
//!
//! This module loads the binary model format written by fastText 0.9.x
//! (file format version 12; version 11 supervised models are accepted the way
//! fastText accepts them: without character n-grams) and reproduces
//! `fasttext predict` / Python `model.predict(text, k, threshold)`:
//!
//! * same tokenization (fastText's `Dictionary::readWord` delimiters: space,
//!   `\n`, `\r`, `\t`, `\v`, `\f`, NUL; an end-of-sentence token `</s>` is
//!   appended to every line), same word ids, same character n-grams
//!   (`<word>`, `minn..=maxn` counted in UTF-8 characters), same FNV-1a
//!   variant (bytes are sign-extended through `int8_t` before the xor), same
//!   word n-gram hashing (multiplier 116049371 on sign-extended 64-bit values),
//!   same pruned-bucket remapping (`pruneidx`) for quantized models;
//! * same arithmetic order in `f32` for the averaged hidden vector, the
//!   output scores, softmax, hierarchical softmax (Huffman tree from label
//!   counts, depth-first search with threshold and heap pruning) and the
//!   sigmoid lookup table used by one-vs-all / negative-sampling models;
//! * probabilities are what fastText prints: `exp(log(p + 1e-5))`.
//!
//! Guarantees: loading never panics on a malformed file (every size and index
//! is checked at load time and reported as [`FastTextError`], naming the file
//! when loaded from a path); `predict` is allocation-free apart from the
//! returned vector (per-thread scratch buffers are reused) and never panics.
//! Top-k labels agree with the C++ implementation and probabilities agree
//! within 1e-4 (checked by `scripts/fasttext_parity.py` against the PyPI
//! `fasttext` package on softmax, hierarchical-softmax, quantized and
//! quantized+qnorm models and on the published `lid.176.ftz`); labels whose
//! probabilities are exactly tied may come out in a different order.
//!
//! Speed without changing a result: quantized input rows are expanded once
//! at load; the input rows of each token are remembered per thread
//! (`RowMemo`: 2 MiB, one cache line per token, fetched a few tokens
//! ahead), so a repeated token costs one probe instead of a dictionary
//! probe plus hashing and looking up every character n-gram; `pruneidx` is
//! a rank bitmap (`BucketRows`, one cache line per lookup) over input rows
//! copied into bucket order at load; bucket ids are computed without a
//! division (`FastMod`). The same row vectors are still summed one by one
//! in fastText's order, so the hidden vector is bit-identical; a test
//! compares predictions bit for bit with a plain implementation (no memo,
//! the file's row order and `pruneidx` map, division) on real and random
//! text.
//!
//! The algorithms follow fastText's `src/fasttext.cc` (`loadModel`,
//! `predictLine`), `src/args.cc` (`Args::load`), `src/dictionary.cc`
//! (`load`, `readWord`, `hash`, `computeSubwords`, `getLine`, `pushHash`,
//! `addWordNgrams`), `src/densematrix.cc`, `src/quantmatrix.cc`,
//! `src/productquantizer.cc`, `src/model.cc` (`computeHidden`, `predict`) and
//! `src/loss.cc` (`SoftmaxLoss`, `HierarchicalSoftmaxLoss`,
//! `BinaryLogisticLoss`, `findKBest`, `std_log`); the code here is our own.

mod dict;
mod hash;
mod loss;
mod matrix;
mod memo;
mod model;
mod reader;

#[cfg(test)]
mod tests;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub use memo::Scratch;
pub use model::FastText;

/// `FASTTEXT_FILEFORMAT_MAGIC_INT32` in fastText's `fasttext.cc`.
const MAGIC: i32 = 793_712_314;
/// Newest file format version fastText writes (`FASTTEXT_VERSION`).
const MAX_VERSION: i32 = 12;
const EOS: &[u8] = b"</s>";
const LABEL_PREFIX: &str = "__label__";
/// Number of centroids per sub-quantizer (`ProductQuantizer::ksub_`, 2^8).
const KSUB: usize = 256;
const SIGMOID_TABLE_SIZE: usize = 512;
const MAX_SIGMOID: f32 = 8.0;
/// Quantized input matrices up to this many values (64 MiB of f32) are
/// expanded to dense rows at load time.
const DEQUANTIZE_MAX_FLOATS: usize = 1 << 24;
/// Word n-gram hash multiplier (`Dictionary::addWordNgrams`).
const WORD_NGRAM_MUL: u64 = 116_049_371;

/// Error loading a fastText model.
#[derive(Debug)]
pub enum FastTextError {
    /// The file could not be opened or read.
    Io {
        /// File being read, if loaded from a path.
        path: Option<PathBuf>,
        /// Underlying error.
        source: io::Error,
    },
    /// The file is readable but is not a usable fastText supervised model.
    Format {
        /// File being read, if loaded from a path.
        path: Option<PathBuf>,
        /// What is wrong.
        what: String,
    },
}

impl FastTextError {
    fn format(what: impl Into<String>) -> Self {
        FastTextError::Format {
            path: None,
            what: what.into(),
        }
    }

    fn with_path(self, p: &Path) -> Self {
        match self {
            FastTextError::Io { source, .. } => FastTextError::Io {
                path: Some(p.to_path_buf()),
                source,
            },
            FastTextError::Format { what, .. } => FastTextError::Format {
                path: Some(p.to_path_buf()),
                what,
            },
        }
    }
}

impl fmt::Display for FastTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, msg): (&Option<PathBuf>, String) = match self {
            FastTextError::Io { path, source } => (path, format!("I/O error: {source}")),
            FastTextError::Format { path, what } => (path, what.clone()),
        };
        match path {
            Some(p) => write!(f, "fastText model {}: {msg}", p.display()),
            None => write!(f, "fastText model: {msg}"),
        }
    }
}

impl std::error::Error for FastTextError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FastTextError::Io { source, .. } => Some(source),
            FastTextError::Format { .. } => None,
        }
    }
}
