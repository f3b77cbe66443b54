//! Loss-specific prediction state: softmax, hierarchical softmax (Huffman
//! tree built from the label counts as fastText builds it), one-vs-all and
//! negative sampling through fastText's sigmoid table, and the top-k heap
//! that orders tied scores as libstdc++ does.

use super::{MAX_SIGMOID, SIGMOID_TABLE_SIZE};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum LossKind {
    Hs,
    Ns,
    Softmax,
    Ova,
}

#[derive(Clone, Copy)]
pub(super) struct HsNode {
    pub(super) left: i32,
    pub(super) right: i32,
}

pub(super) enum Head {
    Softmax,
    /// One-vs-all or negative sampling: independent sigmoids through
    /// fastText's 512-entry lookup table.
    Sigmoid(Vec<f32>),
    /// Hierarchical softmax: Huffman tree over labels.
    Hs(Vec<HsNode>),
}

/// `HierarchicalSoftmaxLoss::buildTree` from `loss.cc` (label counts must be
/// in dictionary order, which fastText sorts by decreasing count).
pub(super) fn build_hs_tree(counts: &[i64]) -> Vec<HsNode> {
    let osz = counts.len();
    if osz == 0 {
        return Vec::new();
    }
    let total = 2 * osz - 1;
    let mut tree = vec![
        HsNode {
            left: -1,
            right: -1
        };
        total
    ];
    let mut count: Vec<i64> = vec![1_000_000_000_000_000; total];
    count[..osz].copy_from_slice(counts);
    let mut leaf = osz as isize - 1;
    let mut node = osz;
    for i in osz..total {
        let mut mini = [0usize; 2];
        for slot in &mut mini {
            if leaf >= 0 && count[leaf as usize] < count[node] {
                *slot = leaf as usize;
                leaf -= 1;
            } else {
                *slot = node;
                node += 1;
            }
        }
        tree[i].left = mini[0] as i32;
        tree[i].right = mini[1] as i32;
        count[i] = count[mini[0]].saturating_add(count[mini[1]]);
    }
    tree
}

pub(super) fn sigmoid_table() -> Vec<f32> {
    (0..=SIGMOID_TABLE_SIZE)
        .map(|i| {
            let x = (i as f32 * 2.0 * MAX_SIGMOID) / SIGMOID_TABLE_SIZE as f32 - MAX_SIGMOID;
            (1.0f64 / (1.0f64 + (-x).exp() as f64)) as f32
        })
        .collect()
}

#[inline]
pub(super) fn table_sigmoid(t: &[f32], x: f32) -> f32 {
    if x < -MAX_SIGMOID {
        0.0
    } else if x > MAX_SIGMOID {
        1.0
    } else {
        let i = ((x + MAX_SIGMOID) * SIGMOID_TABLE_SIZE as f32 / MAX_SIGMOID / 2.0) as usize;
        t[i.min(SIGMOID_TABLE_SIZE)]
    }
}

/// `std_log` in `loss.cc`: `log(x + 1e-5)` computed in double, stored as
/// float.
#[inline]
pub(super) fn std_log(x: f32) -> f32 {
    (x as f64 + 1e-5).ln() as f32
}

// ---------------------------------------------------------------------------
// Top-k heap. fastText keeps its candidates with `std::push_heap` /
// `std::pop_heap` / `std::sort_heap` and `comparePairs` (`l.first >
// r.first`), so equal scores come out in the order the C++ standard library's
// heap algorithms leave them. The functions below reproduce the classic
// sift-hole algorithms of GNU libstdc++ (what the PyPI wheels and the fastText
// binaries are built with) step by step, so ties are ordered identically.

type Cand = (f32, u32);

/// `comparePairs`.
#[inline]
fn cmp_pairs(l: Cand, r: Cand) -> bool {
    l.0 > r.0
}

/// Sift `value` up from `hole` towards `top` (libstdc++ `__push_heap`).
#[inline]
fn sift_up(h: &mut [Cand], mut hole: usize, top: usize, value: Cand) {
    while hole > top {
        let parent = (hole - 1) / 2;
        if !cmp_pairs(h[parent], value) {
            break;
        }
        h[hole] = h[parent];
        hole = parent;
    }
    h[hole] = value;
}

/// libstdc++ `__adjust_heap` on `h[..len]` with a hole at `hole`.
fn adjust_heap(h: &mut [Cand], mut hole: usize, len: usize, value: Cand) {
    let top = hole;
    let mut second = hole;
    while len >= 1 && second < (len - 1) / 2 {
        second = 2 * (second + 1);
        if cmp_pairs(h[second], h[second - 1]) {
            second -= 1;
        }
        h[hole] = h[second];
        hole = second;
    }
    if len >= 2 && len.is_multiple_of(2) && second == (len - 2) / 2 {
        second = 2 * (second + 1);
        h[hole] = h[second - 1];
        hole = second - 1;
    }
    sift_up(h, hole, top, value);
}

/// `std::push_heap` after `push_back(item)`.
fn heap_push(h: &mut Vec<Cand>, item: Cand) {
    h.push(item);
    let last = h.len() - 1;
    sift_up(h, last, 0, item);
}

/// `std::pop_heap` on `h[..len]`: moves the front to `h[len-1]`.
fn pop_heap_range(h: &mut [Cand], len: usize) {
    if len > 1 {
        let last = len - 1;
        let value = h[last];
        h[last] = h[0];
        adjust_heap(h, 0, last, value);
    }
}

/// push + (pop_heap + pop_back if more than `k`), as in `findKBest` / `dfs`.
#[inline]
pub(super) fn heap_offer(h: &mut Vec<Cand>, k: usize, item: Cand) {
    heap_push(h, item);
    if h.len() > k {
        let n = h.len();
        pop_heap_range(h, n);
        h.pop();
    }
}

/// `std::sort_heap`: best (highest score) first.
pub(super) fn sort_heap(h: &mut [Cand]) {
    let mut len = h.len();
    while len > 1 {
        pop_heap_range(h, len);
        len -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huffman_tree_matches_fasttext_shape() {
        // counts 5,3,1: first merge leaves 2 (1) and 1 (3) -> node 3 (4),
        // then leaf 0 (5) vs node 3 (4): node 3 then leaf 0 -> root 4.
        let t = build_hs_tree(&[5, 3, 1]);
        assert_eq!((t[3].left, t[3].right), (2, 1));
        assert_eq!((t[4].left, t[4].right), (3, 0));
    }
}
