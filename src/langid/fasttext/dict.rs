//! Small open-addressing maps for the dictionary (std HashMap's SipHash is
//! needlessly slow here): the word table (fastText hash -> entry id) and
//! the map from pruned bucket ids to input rows ([`BucketRows`], a rank
//! bitmap with one cache line per lookup).

/// Word table: fastText hash -> entry id, linear probing. Each slot keeps
/// the entry's hash next to its id, so a probe compares bytes against the
/// word arena only when the hashes are equal.
pub(super) struct WordTable {
    /// (hash, id); id `EMPTY` marks a free slot.
    pub(super) slots: Vec<(u32, u32)>,
    pub(super) mask: usize,
}

impl WordTable {
    pub(super) const EMPTY: u32 = u32::MAX;
}

/// i32 -> i32 map for `pruneidx` (n-gram bucket -> compact row). Keys and
/// values sit side by side, so a probe touches one cache line. Only
/// non-negative keys are stored: lookups are bucket ids (`hash % bucket`),
/// never negative, so a negative key in a file could never be found.
pub(super) struct IntMap {
    /// (key, value); key `EMPTY` marks a free slot.
    pub(super) slots: Vec<(i32, i32)>,
    pub(super) mask: usize,
}

impl IntMap {
    pub(super) const EMPTY: i32 = -1;

    pub(super) fn new(n: usize) -> IntMap {
        let cap = (n.max(1) * 2).next_power_of_two();
        IntMap {
            slots: vec![(Self::EMPTY, 0); cap],
            mask: cap - 1,
        }
    }
    #[inline]
    fn slot(&self, k: i32) -> usize {
        ((k as u32).wrapping_mul(0x9E37_79B1) as usize ^ ((k as u32) >> 16) as usize) & self.mask
    }
    pub(super) fn insert(&mut self, k: i32, v: i32) {
        if k < 0 {
            return;
        }
        let mut i = self.slot(k);
        while self.slots[i].0 != Self::EMPTY && self.slots[i].0 != k {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = (k, v);
    }
    #[inline]
    pub(super) fn get(&self, k: i32) -> Option<i32> {
        if k < 0 {
            return None;
        }
        let mut i = self.slot(k);
        loop {
            let (key, v) = self.slots[i];
            if key == k {
                return Some(v);
            }
            if key == Self::EMPTY {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }
    pub(super) fn values(&self) -> impl Iterator<Item = i32> + '_ {
        self.slots
            .iter()
            .filter(|(k, _)| *k != Self::EMPTY)
            .map(|(_, v)| *v)
    }
}

/// `pruneidx` as the prediction loop reads it: bucket id -> compact n-gram
/// row. Most n-gram buckets of a pruned model are not kept (lid.176.ftz
/// keeps 42,765 of 2,000,000), so the common answer is "absent".
///
/// Up to [`RANK_MAX_BUCKETS`] buckets: a bitmap over the buckets with
/// running counts, 384 buckets per cache line ([`RankLine`]; 333 KB for
/// lid.176), answers from one line whether a bucket is kept and its rank
/// among the kept buckets (in bucket order). The loader copies the input
/// rows of the kept buckets into that order (see [`Matrix::with_rows`](super::matrix::Matrix::with_rows)), so
/// the rank is the compact row: no second table to read. Larger bucket
/// counts keep the file's hash map, whose values are the compact rows.
pub(super) enum BucketRows {
    Rank(Vec<RankLine>),
    Map(IntMap),
}

/// [`RANK_LINE`] buckets of the rank bitmap of [`BucketRows`]: one cache
/// line.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
pub(super) struct RankLine {
    bits: [u64; 6],
    /// Kept buckets before this line.
    base: u32,
    /// Kept buckets of this line before each of its six words (at most
    /// 320).
    before: [u16; 6],
}

const _: () = assert!(std::mem::size_of::<RankLine>() == 64);

/// Buckets per [`RankLine`].
const RANK_LINE: usize = 384;

/// Largest bucket count given a rank bitmap (11 MiB of lines).
const RANK_MAX_BUCKETS: usize = 1 << 26;

impl BucketRows {
    /// From the map read from the file; keys outside `0..bucket` are never
    /// looked up (bucket ids are `hash % bucket`) and are left out. For a
    /// rank bitmap, also returns the file's compact row of each kept bucket
    /// in bucket order: the rows the input matrix must list, in that order,
    /// after its word rows.
    pub(super) fn new(map: IntMap, bucket: usize) -> (BucketRows, Option<Vec<usize>>) {
        if bucket > RANK_MAX_BUCKETS {
            return (BucketRows::Map(map), None);
        }
        let mut kept: Vec<(i32, i32)> = map
            .slots
            .iter()
            .copied()
            .filter(|&(k, _)| k != IntMap::EMPTY && (k as usize) < bucket)
            .collect();
        kept.sort_unstable();
        let mut lines = vec![RankLine::default(); bucket.div_ceil(RANK_LINE)];
        for &(k, _) in &kept {
            let k = k as usize;
            lines[k / RANK_LINE].bits[k % RANK_LINE / 64] |= 1 << (k % 64);
        }
        let mut base = 0u32;
        for line in &mut lines {
            line.base = base;
            let mut before = 0u16;
            for (w, &bits) in line.bits.iter().enumerate() {
                line.before[w] = before;
                before += bits.count_ones() as u16;
            }
            base += u32::from(before);
        }
        let order = kept.into_iter().map(|(_, v)| v as usize).collect();
        (BucketRows::Rank(lines), Some(order))
    }

    /// The compact row of bucket `id`, if kept.
    #[inline]
    pub(super) fn get(&self, id: u32) -> Option<u32> {
        match self {
            BucketRows::Rank(lines) => {
                let id = id as usize;
                let line = lines.get(id / RANK_LINE)?;
                let (w, b) = (id % RANK_LINE / 64, id % 64);
                let bits = line.bits[w];
                if (bits >> b) & 1 == 0 {
                    return None;
                }
                let below = (bits & ((1u64 << b) - 1)).count_ones();
                Some(line.base + u32::from(line.before[w]) + below)
            }
            BucketRows::Map(m) => m.get(id as i32).map(|v| v as u32),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_rows_rank_equals_map() {
        let bucket = 5000usize;
        let mut map = IntMap::new(2000);
        let mut seed = 7u32;
        for _ in 0..900 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let k = (seed >> 8) as i32 % 5400 - 200; // some out of range, some repeated
            map.insert(k, (seed >> 4) as i32 & 0xffff);
        }
        // A full line and a half (every bucket kept), and the last bucket.
        for k in 1100..1700 {
            map.insert(k, k * 3);
        }
        map.insert(bucket as i32 - 1, 77);
        let want: Vec<Option<i32>> = (0..bucket as u32 + 500)
            .map(|id| map.get(id as i32).filter(|_| (id as usize) < bucket))
            .collect();
        let (rows, order) = BucketRows::new(map, bucket);
        assert!(matches!(rows, BucketRows::Rank(_)));
        let order = order.unwrap();
        // The rank indexes the file's rows listed in bucket order.
        let got: Vec<Option<i32>> = (0..bucket as u32 + 500)
            .map(|id| rows.get(id).map(|r| order[r as usize] as i32))
            .collect();
        assert_eq!(got, want);
        assert_eq!(order.len(), want.iter().filter(|v| v.is_some()).count());
        assert!(order.len() > 1000);
    }
}
