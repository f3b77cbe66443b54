//! Matrices (fastText `densematrix.cc`, `quantmatrix.cc`,
//! `productquantizer.cc`): dense rows, quantized rows decoded by the
//! product quantizer (expanded to dense rows at load when small enough),
//! and the sums and dot products prediction needs, in fastText's order of
//! `f32` operations.

use std::io::Read;

use super::reader::{In, to_usize};
use super::{FastTextError, KSUB};

/// `ProductQuantizer` with 8-bit codes.
pub(super) struct Pq {
    nsubq: usize,
    dsub: usize,
    lastdsub: usize,
    centroids: Vec<f32>,
}

impl Pq {
    fn load<R: Read>(r: &mut In<R>, what: &str) -> Result<Pq, FastTextError> {
        let dim = r.i32(what)?;
        let nsubq = r.i32(what)?;
        let dsub = r.i32(what)?;
        let lastdsub = r.i32(what)?;
        if dim <= 0 || nsubq <= 0 || dsub <= 0 || lastdsub <= 0 {
            return Err(FastTextError::format(format!(
                "{what}: invalid product quantizer shape dim={dim} nsubq={nsubq} dsub={dsub} lastdsub={lastdsub}"
            )));
        }
        let (dim, nsubq, dsub, lastdsub) = (
            dim as usize,
            nsubq as usize,
            dsub as usize,
            lastdsub as usize,
        );
        if (nsubq - 1) * dsub + lastdsub != dim {
            return Err(FastTextError::format(format!(
                "{what}: product quantizer shape inconsistent: dim={dim} nsubq={nsubq} dsub={dsub} lastdsub={lastdsub}"
            )));
        }
        let centroids = r.f32_vec(dim * KSUB, what)?;
        Ok(Pq {
            nsubq,
            dsub,
            lastdsub,
            centroids,
        })
    }

    /// `ProductQuantizer::get_centroids(m, i)`.
    #[inline]
    fn centroid(&self, m: usize, i: u8) -> &[f32] {
        if m == self.nsubq - 1 {
            let s = m * KSUB * self.dsub + i as usize * self.lastdsub;
            &self.centroids[s..s + self.lastdsub]
        } else {
            let s = (m * KSUB + i as usize) * self.dsub;
            &self.centroids[s..s + self.dsub]
        }
    }
}

pub(super) enum Matrix {
    Dense {
        rows: usize,
        cols: usize,
        data: Vec<f32>,
    },
    Quant {
        rows: usize,
        pq: Pq,
        codes: Vec<u8>,
        /// `qnorm`: per-row norm codes and their 1-d quantizer.
        norms: Option<(Vec<u8>, Pq)>,
    },
}

impl Matrix {
    pub(super) fn load_dense<R: Read>(r: &mut In<R>, what: &str) -> Result<Matrix, FastTextError> {
        let m = to_usize(r.i64(what)?, &format!("{what} rows"))?;
        let n = to_usize(r.i64(what)?, &format!("{what} columns"))?;
        let len = m
            .checked_mul(n)
            .ok_or_else(|| FastTextError::format(format!("{what}: size {m}x{n} overflows")))?;
        let data = r.f32_vec(len, what)?;
        Ok(Matrix::Dense {
            rows: m,
            cols: n,
            data,
        })
    }

    pub(super) fn load_quant<R: Read>(r: &mut In<R>, what: &str) -> Result<Matrix, FastTextError> {
        let qnorm = r.bool(what)?;
        let m = to_usize(r.i64(what)?, &format!("{what} rows"))?;
        let n = to_usize(r.i64(what)?, &format!("{what} columns"))?;
        let codesize = to_usize(r.i32(what)? as i64, &format!("{what} code size"))?;
        let codes = r.u8_vec(codesize, what)?;
        let pq = Pq::load(r, what)?;
        let dim = (pq.nsubq - 1) * pq.dsub + pq.lastdsub;
        if dim != n {
            return Err(FastTextError::format(format!(
                "{what}: quantizer dimension {dim} differs from matrix columns {n}"
            )));
        }
        if m.checked_mul(pq.nsubq) != Some(codesize) {
            return Err(FastTextError::format(format!(
                "{what}: code size {codesize} is not rows {m} x sub-quantizers {}",
                pq.nsubq
            )));
        }
        let norms = if qnorm {
            let nc = r.u8_vec(m, what)?;
            let npq = Pq::load(r, what)?;
            if npq.nsubq != 1 || npq.lastdsub != 1 {
                return Err(FastTextError::format(format!(
                    "{what}: norm quantizer must be 1-dimensional"
                )));
            }
            Some((nc, npq))
        } else {
            None
        };
        Ok(Matrix::Quant {
            rows: m,
            pq,
            codes,
            norms,
        })
    }

    /// The matrix made of rows `0..head` of this one, then the rows listed
    /// in `tail`, in that order (a row may be listed more than once). The
    /// rows are copied unchanged (codes and norm codes for a quantized
    /// matrix), so any sum over them is bit-identical. `head` and every
    /// entry of `tail` must be below `self.rows()`.
    pub(super) fn with_rows(self, head: usize, tail: &[usize]) -> Matrix {
        let rows = head + tail.len();
        match self {
            Matrix::Dense { cols, data, .. } => {
                let mut out = Vec::with_capacity(rows * cols);
                out.extend_from_slice(&data[..head * cols]);
                for &r in tail {
                    out.extend_from_slice(&data[r * cols..(r + 1) * cols]);
                }
                Matrix::Dense {
                    rows,
                    cols,
                    data: out,
                }
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                let n = pq.nsubq;
                let mut out = Vec::with_capacity(rows * n);
                out.extend_from_slice(&codes[..head * n]);
                for &r in tail {
                    out.extend_from_slice(&codes[r * n..(r + 1) * n]);
                }
                let norms = norms.map(|(nc, npq)| {
                    let mut c = nc[..head].to_vec();
                    c.extend(tail.iter().map(|&r| nc[r]));
                    (c, npq)
                });
                Matrix::Quant {
                    rows,
                    pq,
                    codes: out,
                    norms,
                }
            }
        }
    }

    /// Expand a quantized matrix to dense rows when that costs at most
    /// `limit` floats. Each value is `norm * centroid` rounded to f32, i.e.
    /// exactly what `ProductQuantizer::addcode` adds, so sums over rows are
    /// bit-identical to the quantized computation.
    pub(super) fn dequantized(self, limit: usize) -> Matrix {
        let (rows, cols) = (self.rows(), self.cols());
        if !matches!(self, Matrix::Quant { .. }) || rows.saturating_mul(cols) > limit {
            return self;
        }
        let Matrix::Quant {
            pq, codes, norms, ..
        } = &self
        else {
            return self;
        };
        let mut data = vec![0.0f32; rows * cols];
        for (i, row) in data.chunks_exact_mut(cols).enumerate() {
            let alpha = Self::qnorm(norms, i);
            for (m, &c) in codes[pq.nsubq * i..pq.nsubq * (i + 1)].iter().enumerate() {
                let cent = pq.centroid(m, c);
                for (d, v) in row[m * pq.dsub..m * pq.dsub + cent.len()]
                    .iter_mut()
                    .zip(cent)
                {
                    *d = alpha * *v;
                }
            }
        }
        Matrix::Dense { rows, cols, data }
    }

    /// `dotRow` for four consecutive dense rows at once; each row keeps its
    /// own strictly sequential f32 sum (bit-identical to `dot_row`), the
    /// interleaving only hides floating-point latency.
    #[inline]
    fn dot_rows4(data: &[f32], cols: usize, v: &[f32], i: usize) -> [f32; 4] {
        let r0 = &data[i * cols..(i + 1) * cols];
        let r1 = &data[(i + 1) * cols..(i + 2) * cols];
        let r2 = &data[(i + 2) * cols..(i + 3) * cols];
        let r3 = &data[(i + 3) * cols..(i + 4) * cols];
        let v = &v[..cols];
        let (mut d0, mut d1, mut d2, mut d3) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
        for j in 0..cols {
            let x = v[j];
            d0 += r0[j] * x;
            d1 += r1[j] * x;
            d2 += r2[j] * x;
            d3 += r3[j] * x;
        }
        [d0, d1, d2, d3]
    }

    /// `out[i] = dotRow(v, i)` for `i < out.len()`.
    pub(super) fn dot_rows_into(&self, v: &[f32], out: &mut [f32]) {
        match self {
            Matrix::Dense { cols, data, .. } => {
                let n = out.len();
                let mut i = 0;
                while i + 4 <= n {
                    out[i..i + 4].copy_from_slice(&Self::dot_rows4(data, *cols, v, i));
                    i += 4;
                }
                for (j, o) in out.iter_mut().enumerate().skip(i) {
                    *o = self.dot_row(v, j);
                }
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                // `ProductQuantizer::mulcode` for four rows at once; each row
                // keeps its own sequential sum, so results are bit-identical.
                let n = out.len();
                let nsubq = pq.nsubq;
                let mut i = 0;
                while i + 4 <= n {
                    let mut res = [0.0f32; 4];
                    for m in 0..nsubq {
                        let xs = &v[m * pq.dsub..];
                        let c = [
                            pq.centroid(m, codes[nsubq * i + m]),
                            pq.centroid(m, codes[nsubq * (i + 1) + m]),
                            pq.centroid(m, codes[nsubq * (i + 2) + m]),
                            pq.centroid(m, codes[nsubq * (i + 3) + m]),
                        ];
                        let d = c[0].len();
                        for t in 0..d {
                            let x = xs[t];
                            res[0] += x * c[0][t];
                            res[1] += x * c[1][t];
                            res[2] += x * c[2][t];
                            res[3] += x * c[3][t];
                        }
                    }
                    for (r, (o, sum)) in out[i..i + 4].iter_mut().zip(res).enumerate() {
                        *o = sum * Self::qnorm(norms, i + r);
                    }
                    i += 4;
                }
                for (j, o) in out.iter_mut().enumerate().skip(i) {
                    *o = self.dot_row(v, j);
                }
            }
        }
    }

    pub(super) fn rows(&self) -> usize {
        match self {
            Matrix::Dense { rows, .. } | Matrix::Quant { rows, .. } => *rows,
        }
    }

    pub(super) fn cols(&self) -> usize {
        match self {
            Matrix::Dense { cols, .. } => *cols,
            Matrix::Quant { pq, .. } => (pq.nsubq - 1) * pq.dsub + pq.lastdsub,
        }
    }

    /// Norm of a quantized row (`QuantMatrix` with `qnorm`), 1 otherwise.
    #[inline]
    fn qnorm(norms: &Option<(Vec<u8>, Pq)>, i: usize) -> f32 {
        match norms {
            Some((nc, npq)) => npq.centroid(0, nc[i])[0],
            None => 1.0,
        }
    }

    /// `x += row(r)` for every `r` in `rows`, in order (the loop of
    /// `Model::computeHidden`). Dense rows are prefetched a few rows ahead:
    /// large models are bound by memory latency here.
    pub(super) fn sum_rows(&self, rows: &[u32], x: &mut [f32]) {
        match self {
            Matrix::Dense { cols: 16, data, .. } if x.len() == 16 => {
                Self::sum_dense_rows::<16>(data, rows, x);
            }
            Matrix::Dense { cols, data, .. } => {
                const AHEAD: usize = 8;
                let cols = *cols;
                for (j, &r) in rows.iter().enumerate() {
                    if let Some(&next) = rows.get(j + AHEAD) {
                        prefetch(data, next as usize * cols);
                    }
                    let r = r as usize;
                    let row = &data[r * cols..(r + 1) * cols];
                    for (a, b) in x.iter_mut().zip(row) {
                        *a += *b;
                    }
                }
            }
            Matrix::Quant { pq, .. } => match pq.dsub {
                2 => self.sum_quant_rows::<2>(rows, x),
                4 => self.sum_quant_rows::<4>(rows, x),
                _ => {
                    for &r in rows {
                        self.add_row_to(x, r as usize);
                    }
                }
            },
        }
    }

    /// [`Matrix::sum_rows`] of a dense matrix of `D` columns (`x.len() ==
    /// D`): the running sums stay in registers instead of going through
    /// memory for every row; same additions in the same order.
    fn sum_dense_rows<const D: usize>(data: &[f32], rows: &[u32], x: &mut [f32]) {
        const AHEAD: usize = 8;
        let mut acc: [f32; D] = x.try_into().expect("D floats");
        for (j, &r) in rows.iter().enumerate() {
            if let Some(&next) = rows.get(j + AHEAD) {
                prefetch(data, next as usize * D);
            }
            let r = r as usize;
            let row: &[f32; D] = data[r * D..(r + 1) * D].try_into().expect("D floats");
            for (a, b) in acc.iter_mut().zip(row) {
                *a += *b;
            }
        }
        x.copy_from_slice(&acc);
    }

    /// `ProductQuantizer::addcode` for a compile-time sub-vector size `D`
    /// (same operations, same order, as the generic path).
    fn sum_quant_rows<const D: usize>(&self, rows: &[u32], x: &mut [f32]) {
        let Matrix::Quant {
            pq, codes, norms, ..
        } = self
        else {
            return;
        };
        let nsubq = pq.nsubq;
        let full = nsubq - 1;
        let (head, tail) = x.split_at_mut(full * D);
        for (j, &r) in rows.iter().enumerate() {
            if let Some(&next) = rows.get(j + 8) {
                prefetch(codes, next as usize * nsubq);
            }
            let r = r as usize;
            let alpha = Self::qnorm(norms, r);
            let code = &codes[nsubq * r..nsubq * (r + 1)];
            for ((m, &c), xs) in code[..full]
                .iter()
                .enumerate()
                .zip(head.chunks_exact_mut(D))
            {
                let base = (m * KSUB + c as usize) * D;
                let cent: &[f32; D] = pq.centroids[base..base + D].try_into().expect("D floats");
                for n in 0..D {
                    xs[n] += alpha * cent[n];
                }
            }
            let cent = pq.centroid(full, code[full]);
            for (a, b) in tail.iter_mut().zip(cent) {
                *a += alpha * *b;
            }
        }
    }

    /// `x += row(i)` (`addRowToVector`; `ProductQuantizer::addcode`).
    #[inline]
    pub(super) fn add_row_to(&self, x: &mut [f32], i: usize) {
        match self {
            Matrix::Dense { cols, data, .. } => {
                let row = &data[i * cols..(i + 1) * cols];
                for (a, b) in x.iter_mut().zip(row) {
                    *a += *b;
                }
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                let alpha = Self::qnorm(norms, i);
                let code = &codes[pq.nsubq * i..pq.nsubq * (i + 1)];
                for (m, &c) in code.iter().enumerate() {
                    let cent = pq.centroid(m, c);
                    let xs = &mut x[m * pq.dsub..m * pq.dsub + cent.len()];
                    if norms.is_some() {
                        for (a, b) in xs.iter_mut().zip(cent) {
                            *a += alpha * *b;
                        }
                    } else {
                        // alpha == 1 exactly: 1 * b == b.
                        for (a, b) in xs.iter_mut().zip(cent) {
                            *a += *b;
                        }
                    }
                }
            }
        }
    }

    /// `dotRow(vec, i)`, summed sequentially in f32 like fastText
    /// (`DenseMatrix::dotRow`, `ProductQuantizer::mulcode`).
    #[inline]
    pub(super) fn dot_row(&self, v: &[f32], i: usize) -> f32 {
        match self {
            Matrix::Dense { cols, data, .. } => {
                let row = &data[i * cols..(i + 1) * cols];
                let mut d = 0.0f32;
                for (a, b) in row.iter().zip(v) {
                    d += *a * *b;
                }
                d
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                let alpha = Self::qnorm(norms, i);
                let code = &codes[pq.nsubq * i..pq.nsubq * (i + 1)];
                let mut res = 0.0f32;
                for (m, &c) in code.iter().enumerate() {
                    let cent = pq.centroid(m, c);
                    let xs = &v[m * pq.dsub..m * pq.dsub + cent.len()];
                    for (a, b) in xs.iter().zip(cent) {
                        res += *a * *b;
                    }
                }
                res * alpha
            }
        }
    }
}

/// Hint the CPU to fetch `data[at..]` into cache (no effect on results).
#[inline(always)]
pub(super) fn prefetch<T>(data: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if at < data.len() {
            let p = data[at..].as_ptr() as *const i8;
            // SAFETY: prefetching is a hint that never faults; `p` points into
            // `data`, and SSE is part of the x86_64 baseline.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p);
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (data, at);
    }
}
