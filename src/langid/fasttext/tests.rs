//! Unit tests of the whole runtime: small models written in fastText's
//! binary format (softmax, hierarchical softmax, quantized, pruned), and
//! predictions compared bit for bit with a plain implementation (no memo,
//! the file's row order and `pruneidx` map, division) on real and random
//! text.

use super::dict::BucketRows;
use super::hash::{FNV_INIT, fnv_step, ft_hash, is_delim};
use super::loss::{heap_offer, sort_heap};
use super::matrix::Matrix;
use super::memo::{RowMemo, Scratch};
use super::model::FastText;
use super::reader::In;
use super::*;

/// Serializes a tiny model in fastText's binary format.
struct ModelBuilder {
    dim: usize,
    words: Vec<&'static str>,
    labels: Vec<(&'static str, i64)>,
    loss: i32,
    bucket: i32,
    minn: i32,
    maxn: i32,
    word_ngrams: i32,
}

fn push_i32(b: &mut Vec<u8>, v: i32) {
    b.extend_from_slice(&v.to_le_bytes());
}
fn push_i64(b: &mut Vec<u8>, v: i64) {
    b.extend_from_slice(&v.to_le_bytes());
}

impl ModelBuilder {
    fn header(&self, b: &mut Vec<u8>) {
        push_i32(b, MAGIC);
        push_i32(b, 12);
        for v in [
            self.dim as i32,
            5,
            5,
            1,
            5,
            self.word_ngrams,
            self.loss,
            3,
            self.bucket,
            self.minn,
            self.maxn,
            100,
        ] {
            push_i32(b, v);
        }
        b.extend_from_slice(&1e-4f64.to_le_bytes());
    }
    fn dict(&self, b: &mut Vec<u8>, pruneidx: Option<&[(i32, i32)]>) {
        push_i32(b, (self.words.len() + self.labels.len()) as i32);
        push_i32(b, self.words.len() as i32);
        push_i32(b, self.labels.len() as i32);
        push_i64(b, 100);
        push_i64(b, pruneidx.map(|p| p.len() as i64).unwrap_or(-1));
        for w in &self.words {
            b.extend_from_slice(w.as_bytes());
            b.push(0);
            push_i64(b, 10);
            b.push(0);
        }
        for (l, c) in &self.labels {
            b.extend_from_slice(l.as_bytes());
            b.push(0);
            push_i64(b, *c);
            b.push(1);
        }
        for (k, v) in pruneidx.unwrap_or(&[]) {
            push_i32(b, *k);
            push_i32(b, *v);
        }
    }
    fn dense(b: &mut Vec<u8>, rows: usize, cols: usize, f: impl Fn(usize, usize) -> f32) {
        push_i64(b, rows as i64);
        push_i64(b, cols as i64);
        for i in 0..rows {
            for j in 0..cols {
                b.extend_from_slice(&f(i, j).to_le_bytes());
            }
        }
    }
    fn build_dense(
        &self,
        inp: impl Fn(usize, usize) -> f32,
        out: impl Fn(usize, usize) -> f32,
    ) -> Vec<u8> {
        let mut b = Vec::new();
        self.header(&mut b);
        self.dict(&mut b, None);
        b.push(0);
        Self::dense(
            &mut b,
            self.words.len() + self.bucket as usize,
            self.dim,
            inp,
        );
        b.push(0);
        Self::dense(&mut b, self.labels.len(), self.dim, out);
        b
    }
}

fn base() -> ModelBuilder {
    ModelBuilder {
        dim: 2,
        words: vec!["</s>", "hello", "world"],
        labels: vec![("__label__en", 5), ("__label__fr", 3), ("__label__de", 1)],
        loss: 3,
        bucket: 0,
        minn: 0,
        maxn: 0,
        word_ngrams: 1,
    }
}

#[test]
fn softmax_prediction_by_hand() {
    let m = base();
    // words: </s>=(0,0) hello=(1,0) world=(0,1)
    let bytes = m.build_dense(
        |i, j| match (i, j) {
            (1, 0) | (2, 1) => 1.0,
            _ => 0.0,
        },
        |i, j| match (i, j) {
            (0, 0) => 3.0,
            (1, 1) => 3.0,
            _ => 0.0,
        },
    );
    let ft = FastText::from_bytes(&bytes).unwrap();
    assert_eq!(ft.labels().collect::<Vec<_>>(), ["en", "fr", "de"]);
    assert_eq!(ft.dim(), 2);
    // "hello" + </s>: hidden = (0.5, 0); scores (1.5, 0, 0).
    let p = ft.predict("hello", 3, 0.0);
    let e = 1.5f64.exp();
    let z = e + 2.0;
    assert_eq!(p[0].0, "en");
    assert!((p[0].1 as f64 - (e / z + 1e-5)).abs() < 1e-6);
    assert!((p[1].1 as f64 - (1.0 / z + 1e-5)).abs() < 1e-6);
    // Labels in text and unknown "__label__x" tokens are ignored; tabs and
    // newlines are delimiters.
    let q = ft.predict("__label__fr\tworld\n__label__zz", 1, 0.0);
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].0, "fr");
    // Threshold filters.
    assert!(ft.predict("hello", 3, 0.9).is_empty());
    // k == 0: all labels.
    assert_eq!(ft.predict("world", 0, 0.0).len(), 3);
}

#[test]
fn hierarchical_softmax_sums_to_one() {
    let mut m = base();
    m.loss = 1;
    let bytes = m.build_dense(
        |i, j| (i * 2 + j) as f32 * 0.1,
        |i, j| (i as f32 - j as f32) * 0.3,
    );
    let ft = FastText::from_bytes(&bytes).unwrap();
    let p = ft.predict("hello world", 0, 0.0);
    assert_eq!(p.len(), 3);
    let total: f32 = p.iter().map(|x| x.1).sum();
    assert!((total - 1.0).abs() < 1e-3, "{total}");
    assert!(p.windows(2).all(|w| w[0].1 >= w[1].1));
}

#[test]
fn char_ngrams_count_utf8_characters() {
    let mut m = base();
    m.bucket = 1000;
    m.minn = 2;
    m.maxn = 3;
    let bytes = m.build_dense(|_, _| 0.0, |_, _| 0.0);
    let ft = FastText::from_bytes(&bytes).unwrap();
    let mut got = Vec::new();
    ft.char_ngram_rows("<éa>".as_bytes(), &mut Vec::new(), &mut got);
    let got: Vec<u32> = got.iter().map(|r| r - 3).collect();
    // n-grams: <é <éa éa éa> a>  (5 of them, in this order)
    let want: Vec<u32> = ["<é", "<éa", "éa", "éa>", "a>"]
        .iter()
        .map(|s| ft_hash(s.as_bytes()) % 1000)
        .collect();
    assert_eq!(got, want);
    // Words of the dictionary carry their own id first, </s> nothing else.
    assert_eq!(
        &ft.sub_ids[ft.sub_off[0] as usize..ft.sub_off[1] as usize],
        &[0]
    );
    // "<hello>": six 2-grams and five 3-grams.
    assert_eq!(ft.sub_off[2] - ft.sub_off[1], 1 + 6 + 5);
}

#[test]
fn quantized_model_loads_and_predicts() {
    let m = base();
    let mut b = Vec::new();
    m.header(&mut b);
    // pruned dictionary with no buckets kept
    m.dict(&mut b, Some(&[]));
    b.push(1); // quant input
    b.push(1); // qnorm
    push_i64(&mut b, 3);
    push_i64(&mut b, 2);
    push_i32(&mut b, 3); // codesize = rows * nsubq(1)
    b.extend_from_slice(&[0, 1, 2]);
    for v in [2, 1, 2, 2] {
        push_i32(&mut b, v); // dim nsubq dsub lastdsub
    }
    for c in 0..KSUB {
        b.extend_from_slice(&(c as f32).to_le_bytes());
        b.extend_from_slice(&(-(c as f32)).to_le_bytes());
    }
    b.extend_from_slice(&[1, 1, 1]); // norm codes
    for v in [1, 1, 1, 1] {
        push_i32(&mut b, v);
    }
    for c in 0..KSUB {
        b.extend_from_slice(&(c as f32 * 0.5).to_le_bytes());
    }
    b.push(0); // qout = false
    ModelBuilder::dense(&mut b, 3, 2, |i, j| if i == j { 1.0 } else { 0.0 });
    let ft = FastText::from_bytes(&b).unwrap();
    assert!(ft.is_quantized());

    // "hello" -> rows 1 (code 1: (1,-1)*0.5) and </s> row 0 (code 0: 0).
    // hidden = (0.25, -0.25); scores (0.25, -0.25, 0).
    let p = ft.predict("hello", 1, 0.0);
    let z = 0.25f64.exp() + (-0.25f64).exp() + 1.0;
    assert_eq!(p[0].0, "en");
    assert!((p[0].1 as f64 - (0.25f64.exp() / z + 1e-5)).abs() < 1e-6);
}

/// Serialized `QuantMatrix` with pseudo-random codes and centroids.
fn quant_bytes(rows: usize, dim: usize, dsub: usize, qnorm: bool) -> Vec<u8> {
    let nsubq = dim.div_ceil(dsub);
    let lastdsub = dim - (nsubq - 1) * dsub;
    let mut seed = 12345u32;
    let mut rnd = move || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        seed >> 8
    };
    let mut b = vec![qnorm as u8];
    push_i64(&mut b, rows as i64);
    push_i64(&mut b, dim as i64);
    push_i32(&mut b, (rows * nsubq) as i32);
    for _ in 0..rows * nsubq {
        b.push(rnd() as u8);
    }
    for v in [dim, nsubq, dsub, lastdsub] {
        push_i32(&mut b, v as i32);
    }
    for _ in 0..dim * KSUB {
        b.extend_from_slice(&((rnd() % 2000) as f32 / 777.0 - 1.3).to_le_bytes());
    }
    if qnorm {
        for _ in 0..rows {
            b.push(rnd() as u8);
        }
        for v in [1, 1, 1, 1] {
            push_i32(&mut b, v);
        }
        for _ in 0..KSUB {
            b.extend_from_slice(&((rnd() % 1000) as f32 / 333.0).to_le_bytes());
        }
    }
    b
}

#[test]
fn quantized_fast_paths_are_bit_identical() {
    for (dim, dsub, qnorm) in [(8, 2, false), (7, 2, true), (9, 4, true), (5, 3, false)] {
        let bytes = quant_bytes(11, dim, dsub, qnorm);
        let load = || {
            Matrix::load_quant(
                &mut In {
                    r: &bytes[..],
                    pos: 0,
                },
                "t",
            )
            .unwrap()
        };
        let q = load();
        let d = load().dequantized(usize::MAX);
        assert!(matches!(d, Matrix::Dense { .. }));
        let rows = [0u32, 3, 10, 3, 7, 1, 9, 2, 5, 4, 6, 8];
        let mut reference = vec![0.25f32; dim];
        for &r in &rows {
            q.add_row_to(&mut reference, r as usize);
        }
        let (mut fast, mut dense) = (vec![0.25f32; dim], vec![0.25f32; dim]);
        q.sum_rows(&rows, &mut fast);
        d.sum_rows(&rows, &mut dense);
        assert_eq!(reference, fast, "dim {dim} dsub {dsub}");
        assert_eq!(reference, dense, "dim {dim} dsub {dsub}");
        let v: Vec<f32> = (0..dim).map(|i| i as f32 * 0.3 - 1.0).collect();
        let mut out = vec![0.0f32; 11];
        q.dot_rows_into(&v, &mut out);
        let one: Vec<f32> = (0..11).map(|i| q.dot_row(&v, i)).collect();
        assert_eq!(out, one);
        let mut dout = vec![0.0f32; 11];
        d.dot_rows_into(&v, &mut dout);
        let done: Vec<f32> = (0..11).map(|i| d.dot_row(&v, i)).collect();
        assert_eq!(dout, done);
    }
}

#[test]
fn ties_follow_libstdcxx_heap_order() {
    // Equal scores: the order must be what std::push_heap/pop_heap/
    // sort_heap (libstdc++) produce, which is not index order.
    let mut h = Vec::new();
    for i in 0..10u32 {
        heap_offer(&mut h, 3, (-11.5, i));
    }
    sort_heap(&mut h);
    let got: Vec<u32> = h.iter().map(|c| c.1).collect();
    // Reference values printed by the same loop compiled with g++/libstdc++.
    assert_eq!(got, [9, 1, 8]);
    let mut h = Vec::new();
    let sc = [
        1.0f32, 1.0, 2.0, 1.0, 2.0, 0.5, 1.0, 2.0, 1.0, 1.0, 1.0, 3.0,
    ];
    for (i, x) in sc.iter().enumerate() {
        heap_offer(&mut h, 5, (*x, i as u32));
    }
    sort_heap(&mut h);
    assert_eq!(h.iter().map(|c| c.1).collect::<Vec<_>>(), [11, 7, 4, 2, 3]);
    // Distinct scores always come out best first.
    let mut h = Vec::new();
    for (i, sc) in [0.1f32, -3.0, 2.0, 0.5, -0.2, 1.5].iter().enumerate() {
        heap_offer(&mut h, 4, (*sc, i as u32));
    }
    sort_heap(&mut h);
    assert_eq!(h.iter().map(|c| c.1).collect::<Vec<_>>(), [2, 5, 3, 0]);
}

#[test]
fn corrupt_models_never_panic() {
    let mut m = base();
    m.bucket = 7;
    m.minn = 1;
    m.maxn = 3;
    m.word_ngrams = 2;
    let good = m.build_dense(|i, j| (i + j) as f32 * 0.1, |i, j| (i * j) as f32 * 0.2);
    assert!(FastText::from_bytes(&good).is_ok());
    for pos in 0..good.len() {
        for v in [0x00u8, 0x7f, 0x80, 0xff] {
            let mut b = good.clone();
            b[pos] = v;
            if let Ok(ft) = FastText::from_bytes(&b) {
                let _ = ft.predict("hello wörld x __label__en </s> y", 0, 0.0);
                let _ = ft.predict("", 2, 0.5);
            }
        }
    }
}

/// `predict` written plainly, the way fastText reads a line: tokens
/// split byte by byte, `ft_hash` of each, a dictionary probe, the
/// character n-grams of `<token>` recomputed every time with `%`, the
/// rows added one by one with `add_row_to`. No memo, no prefetching.
/// `ft` must be loaded with `bucket_order` false, so `bucket_row` reads
/// the file's `pruneidx` map and rows are in the file's order. Fills
/// `s.heap` and `s.hidden`.
fn reference_predict(ft: &FastText, text: &[u8], k: usize, threshold: f32, s: &mut Scratch) {
    assert!(!matches!(ft.pruneidx, BucketRows::Rank(_)));
    let ngrams = |w: &[u8], rows: &mut Vec<u32>| {
        if ft.maxn == 0 || ft.bucket == 0 {
            return;
        }
        let cont = |b: u8| (b & 0xC0) == 0x80;
        for i in 0..w.len() {
            if cont(w[i]) {
                continue;
            }
            let mut h = FNV_INIT;
            let (mut j, mut n) = (i, 1);
            while j < w.len() && n <= ft.maxn {
                h = fnv_step(h, w[j]);
                j += 1;
                while j < w.len() && cont(w[j]) {
                    h = fnv_step(h, w[j]);
                    j += 1;
                }
                if n >= ft.minn
                    && !(n == 1 && (i == 0 || j == w.len()))
                    && let Some(row) = ft.bucket_row(h % ft.bucket)
                {
                    rows.push(row);
                }
                n += 1;
            }
        }
    };
    let mut rows = Vec::new();
    let mut hashes: Vec<i32> = Vec::new();
    let mut pos = 0;
    loop {
        while pos < text.len() && is_delim(text[pos]) {
            pos += 1;
        }
        let start = pos;
        while pos < text.len() && !is_delim(text[pos]) {
            pos += 1;
        }
        let tok = if start < pos { &text[start..pos] } else { EOS };
        let eos = tok == EOS;
        let h = ft_hash(tok);
        match ft.find(tok, h) {
            Some(wid) if ft.is_label[wid] => {
                if eos {
                    break;
                }
                continue;
            }
            Some(wid) => {
                rows.push(wid as u32);
                if !eos {
                    ngrams(&[b"<", tok, b">"].concat(), &mut rows);
                }
            }
            None if eos => {}
            None if tok.starts_with(LABEL_PREFIX.as_bytes()) => continue,
            None => ngrams(&[b"<", tok, b">"].concat(), &mut rows),
        }
        hashes.push(h as i32);
        if eos {
            break;
        }
    }
    if ft.bucket > 0 {
        for i in 0..hashes.len() {
            let mut h = hashes[i] as i64 as u64;
            for &hj in hashes.iter().take(i + ft.word_ngrams).skip(i + 1) {
                h = h
                    .wrapping_mul(WORD_NGRAM_MUL)
                    .wrapping_add(hj as i64 as u64);
                if let Some(row) = ft.bucket_row((h % u64::from(ft.bucket)) as u32) {
                    rows.push(row);
                }
            }
        }
    }
    s.heap.clear();
    s.hidden.clear();
    s.hidden.resize(ft.dim, 0.0);
    if rows.is_empty() {
        return;
    }
    for &r in &rows {
        ft.input.add_row_to(&mut s.hidden, r as usize);
    }
    let inv = (1.0f64 / rows.len() as f64) as f32;
    for x in s.hidden.iter_mut() {
        *x *= inv;
    }
    ft.predict_hidden(k, threshold, s);
}

/// Bits of what `predict_ids` left in `s`: the hidden vector and the
/// (log-probability, label) list.
fn result_bits(s: &Scratch) -> (Vec<u32>, Vec<(u32, u32)>) {
    (
        s.hidden.iter().map(|x| x.to_bits()).collect(),
        s.heap.iter().map(|&(p, l)| (p.to_bits(), l)).collect(),
    )
}

/// Compares the fast path (one scratch for all texts, so the memo
/// fills, replaces records and serves repeats) with
/// [`reference_predict`] on every text, bit for bit. Returns how many
/// texts were compared.
fn assert_same_as_reference<'a>(
    bytes: &[u8],
    what: &str,
    texts: impl Iterator<Item = &'a str>,
) -> usize {
    let fast = FastText::from_bytes(bytes).unwrap();
    let plain = FastText::read_model(bytes, false).unwrap();
    let (mut s, mut r) = (Scratch::new(), Scratch::new());
    let mut n = 0;
    for (i, t) in texts.enumerate() {
        let (k, thr) = match i % 13 {
            0 => (0, 0.0),
            5 => (3, 0.2),
            9 => (2, 0.0),
            _ => (1, 0.0),
        };
        fast.predict_ids(t.as_bytes(), k, thr, &mut s);
        reference_predict(&plain, t.as_bytes(), k, thr, &mut r);
        assert_eq!(result_bits(&s), result_bits(&r), "{what}: text {i} {t:?}");
        n += 1;
    }
    n
}

/// Random text: words from several scripts, labels, literal `</s>`,
/// tokens too long for a memo record, every delimiter, repeats.
fn random_texts(seed: u64, count: usize) -> Vec<String> {
    let mut state = seed;
    let mut rnd = move |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    const PIECES: [&str; 24] = [
        "the",
        "and",
        "hello",
        "world",
        "ab",
        "é",
        "ß",
        "ñu",
        "в",
        "мир",
        "ال",
        "عربية",
        "ة",
        "中",
        "文字",
        "😀",
        "a\u{301}",
        "x",
        "7",
        ".",
        "-",
        "__label__",
        "</s>",
        "ü",
    ];
    const DELIMS: [&str; 8] = [" ", " ", " ", "\n", "\t", "\r", "\u{b}\u{c}", "\0"];
    let vocab: Vec<String> = (0..300)
        .map(|_| {
            let most = if rnd(20) == 0 { 40 } else { 5 };
            let len = 1 + rnd(most);
            (0..len).map(|_| PIECES[rnd(PIECES.len())]).collect()
        })
        .collect();
    (0..count)
        .map(|_| {
            let mut t = String::new();
            for _ in 0..rnd(60) {
                if rnd(3) == 0 {
                    t.push_str(DELIMS[rnd(DELIMS.len())]);
                }
                match rnd(40) {
                    0 => t.push_str("</s>"),
                    1 => t.push_str("__label__en"),
                    2 => t.push_str(&"long".repeat(5 + rnd(30))),
                    _ => t.push_str(&vocab[rnd(vocab.len())]),
                }
                t.push_str(DELIMS[rnd(DELIMS.len())]);
            }
            t
        })
        .collect()
}

/// A pruned, quantized model (like lid.176.ftz) with word bigrams: the
/// `pruneidx` values are out of order, two buckets share a row, some
/// keys are out of range.
fn pruned_model(loss: i32) -> Vec<u8> {
    let mut m = base();
    m.words = vec!["</s>", "hello", "world", "the", "ال", "é"];
    m.loss = loss;
    m.bucket = 997;
    m.minn = 1;
    m.maxn = 4;
    m.word_ngrams = 2;
    m.dim = 6;
    let mut pairs = Vec::new();
    let mut seed = 99u32;
    for v in 0..140 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        pairs.push(((seed >> 8) as i32 % 1100 - 50, (v * 37) % 140));
    }
    pairs.push((5, 3));
    pairs.push((6, 3));
    let mut b = Vec::new();
    m.header(&mut b);
    m.dict(&mut b, Some(&pairs));
    b.push(1); // quantized input
    b.extend_from_slice(&quant_bytes(m.words.len() + 140, m.dim, 2, true));
    b.push(0); // dense output
    ModelBuilder::dense(&mut b, m.labels.len(), m.dim, |i, j| {
        ((i * 7 + j * 3) % 11) as f32 * 0.21 - 1.0
    });
    b
}

#[test]
fn predict_equals_reference_on_synthetic_models() {
    let texts = random_texts(1, 3000);
    for loss in [1, 2, 3, 4] {
        let bytes = pruned_model(loss);
        let n = assert_same_as_reference(
            &bytes,
            &format!("pruned loss {loss}"),
            texts.iter().map(String::as_str),
        );
        assert_eq!(n, texts.len());
    }
    // Not pruned, dense, no character n-grams beyond the buckets.
    let mut m = base();
    m.bucket = 211;
    m.minn = 2;
    m.maxn = 3;
    m.word_ngrams = 3;
    let bytes = m.build_dense(
        |i, j| ((i * 13 + j * 5) % 17) as f32 * 0.07 - 0.5,
        |i, j| ((i * 3 + j) % 5) as f32 * 0.4 - 0.8,
    );
    assert_same_as_reference(&bytes, "dense", texts.iter().map(String::as_str));
}

/// lid.176.ftz where `scripts/bench.sh`, `scripts/fasttext_parity.py`
/// or `scripts/eval_langid.py` put it, and the models the parity script
/// trained (softmax, hierarchical softmax, one-vs-all; `.bin`, `.ftz`).
fn real_models() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<PathBuf> = [
        "target/bench/lid.176.ftz",
        ".cache/fasttext-parity/lid.176.ftz",
        ".cache/eval-langid/lid.176.ftz",
    ]
    .iter()
    .map(|p| root.join(p))
    .filter(|p| p.is_file())
    .take(1)
    .collect();
    if let Ok(dir) = std::fs::read_dir(root.join(".cache/fasttext-parity")) {
        let mut trained: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                (name.ends_with(".bin") || name.ends_with(".ftz")) && !name.starts_with("lid.")
            })
            .collect();
        trained.sort();
        found.extend(trained);
    }
    found
}

/// Lines of the real corpora (../shared/corpora): every line of every
/// `text`, at most `per_file` lines per file, plus every 50th text
/// whole (newlines are delimiters).
fn corpus_lines(per_file: usize) -> Option<Vec<String>> {
    use std::io::BufRead;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    let sets = std::fs::read_dir(&dir).ok()?;
    let mut files: Vec<PathBuf> = sets
        .filter_map(|set| std::fs::read_dir(set.ok()?.path()).ok())
        .flatten()
        .filter_map(|f| f.ok().map(|f| f.path()))
        .filter(|p| p.to_string_lossy().ends_with(".jsonl.gz"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in &files {
        let f = flate2::read::MultiGzDecoder::new(std::fs::File::open(path).ok()?);
        let mut taken = 0;
        for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(&line.ok()?).ok()?;
            let Some(text) = v["text"].as_str() else {
                continue;
            };
            if i % 50 == 0 {
                out.push(text.to_string());
            }
            for l in text.lines() {
                out.push(l.to_string());
                taken += 1;
            }
            if taken >= per_file {
                break;
            }
        }
    }
    Some(out)
}

#[test]
fn predict_equals_reference_on_real_models_and_text() {
    let models = real_models();
    if models.is_empty() {
        eprintln!(
            "skipped: no lid.176.ftz in target/bench/ or .cache/ (scripts/bench.sh or \
             scripts/fasttext_parity.py fetch it)"
        );
        return;
    }
    let mut texts = random_texts(2, 20_000);
    match corpus_lines(25_000) {
        Some(lines) => texts.extend(lines),
        None => eprintln!("no ../shared/corpora: random text only"),
    }
    for path in &models {
        let bytes = std::fs::read(path).unwrap();
        let n = assert_same_as_reference(
            &bytes,
            &path.display().to_string(),
            texts.iter().map(String::as_str),
        );
        eprintln!("{}: {n} texts bit-identical", path.display());
    }
}

#[test]
fn row_memo_changes_no_prediction() {
    let mut m = base();
    m.bucket = 97;
    m.minn = 1;
    m.maxn = 3;
    m.word_ngrams = 2;
    let bytes = m.build_dense(
        |i, j| ((i * 7 + j * 3) % 11) as f32 * 0.05 - 0.2,
        |i, j| ((i * 5 + j) % 7) as f32 * 0.1 - 0.3,
    );
    let ft = FastText::from_bytes(&bytes).unwrap();
    let other = FastText::from_bytes(&bytes).unwrap();
    let texts: Vec<String> = (0..300)
        .map(|i| {
            format!(
                "hello wörld tok{} __label__en x{} hello {} world",
                i % 17,
                i % 5,
                "ab".repeat(i % 40)
            )
        })
        .collect();
    let mut reused = Scratch::new();
    for t in &texts {
        let fresh = ft.predict_with(t, 0, 0.0, &mut Scratch::new());
        assert_eq!(ft.predict_with(t, 0, 0.0, &mut reused), fresh, "{t}");
        // Another model with the same scratch starts its own memo.
        assert_eq!(other.predict_with(t, 0, 0.0, &mut reused), fresh, "{t}");
    }
    // More distinct tokens than the memo keeps: records are replaced,
    // same results.
    let mut reused = Scratch::new();
    let many: String = (0..2 * RowMemo::SETS * RowMemo::WAYS)
        .map(|i| format!("w{i} "))
        .collect();
    let fresh = ft.predict_with(&many, 3, 0.0, &mut Scratch::new());
    assert_eq!(ft.predict_with(&many, 3, 0.0, &mut reused), fresh);
    assert_eq!(ft.predict_with(&many, 3, 0.0, &mut reused), fresh);
    // Tokens too long for a record are computed every time.
    let long = format!("{} {}", "x".repeat(200), "é".repeat(40));
    let fresh = ft.predict_with(&long, 3, 0.0, &mut Scratch::new());
    assert_eq!(ft.predict_with(&long, 3, 0.0, &mut reused), fresh);
    assert_eq!(ft.predict_with(&long, 3, 0.0, &mut reused), fresh);
}

#[test]
fn literal_eos_ends_the_line() {
    let m = base();
    let bytes = m.build_dense(
        |i, j| if i == j + 1 { 1.0 } else { 0.0 },
        |i, j| if i == j { 2.0 } else { 0.0 },
    );
    let ft = FastText::from_bytes(&bytes).unwrap();
    // fastText stops reading at the first "</s>": what follows is ignored.
    assert_eq!(
        ft.predict("hello </s> world world", 3, 0.0),
        ft.predict("hello", 3, 0.0)
    );
}

#[test]
fn model_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<FastText>();
}

#[test]
fn errors_are_descriptive() {
    let e = FastText::from_bytes(b"nope").unwrap_err().to_string();
    assert!(e.contains("not a fastText model"), "{e}");
    let m = base();
    let bytes = m.build_dense(|_, _| 0.0, |_, _| 0.0);
    for cut in [3, 20, 70, bytes.len() - 1] {
        let e = FastText::from_bytes(&bytes[..cut]).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{cut}: {e}");
    }
    let e = FastText::load(Path::new("/nonexistent/model.ftz"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/model.ftz"), "{e}");
}
