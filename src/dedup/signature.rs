//! A document's MinHash signature ([`Signature`]) and the Jaccard estimate
//! between two signatures ([`jaccard`]). Computing signatures is
//! [`super::minhash`]'s job, storing many of them [`super::sigtable`]'s;
//! both use this module, which uses neither.

/// `bands * rows` minimum hash values, each < 2^61. Band `i` is
/// `self.0[i * rows .. (i + 1) * rows]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature(pub Box<[u64]>);

impl Signature {
    /// Share of positions where both signatures agree: an unbiased estimate of
    /// the Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        jaccard(&self.0, &other.0)
    }
}

/// Share of positions where `a` and `b` agree (0 when empty).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / n as f64
}
