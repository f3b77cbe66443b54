//! The loaded model ([`FastText`]): loading and checking a `.bin` or `.ftz`
//! file (header, dictionary, input and output matrices) and prediction
//! (`predictLine`: tokens, word and character n-grams, hidden vector,
//! loss, top-k labels).

use std::fmt;
use std::io::{BufReader, Read};
use std::path::Path;

use super::dict::{BucketRows, IntMap, WordTable};
use super::hash::{FNV_INIT, FastMod, fnv_step, ft_hash, split_tokens};
use super::loss::{
    Head, HsNode, LossKind, build_hs_tree, heap_offer, sigmoid_table, sort_heap, std_log,
    table_sigmoid,
};
use super::matrix::Matrix;
use super::memo::{MemoRec, SCRATCH, Scratch};
use super::reader::In;
use super::{
    DEQUANTIZE_MAX_FLOATS, EOS, FastTextError, LABEL_PREFIX, MAGIC, MAX_VERSION, WORD_NGRAM_MUL,
};

/// A loaded fastText supervised model.
pub struct FastText {
    pub(super) dim: usize,
    pub(super) word_ngrams: usize,
    pub(super) bucket: u32,
    /// `% bucket` without a division.
    bucket_mod: FastMod,
    pub(super) minn: usize,
    pub(super) maxn: usize,
    pub(super) loss: LossKind,
    nwords: usize,
    /// All entry strings (words then labels) concatenated.
    arena: Vec<u8>,
    /// `offsets[i]..offsets[i+1]` is entry `i` in `arena`.
    offsets: Vec<usize>,
    /// Entry `i` is a label (`entry_type::label`).
    pub(super) is_label: Vec<bool>,
    table: WordTable,
    /// Input rows for each word entry (the word itself then its char
    /// n-grams), as fastText's `initNgrams` precomputes them.
    pub(super) sub_off: Vec<u32>,
    pub(super) sub_ids: Vec<u32>,
    /// Entry id of `</s>`, if the dictionary has it.
    eos: Option<usize>,
    /// [`ft_hash`] of `</s>`.
    eos_hash: u32,
    /// `pruneidx_size_`: negative = not pruned.
    pruneidx_size: i64,
    pub(super) pruneidx: BucketRows,
    pub(super) labels: Vec<String>,
    pub(super) input: Matrix,
    output: Matrix,
    pub(super) head: Head,
    /// The file's input matrix is product-quantized (`.ftz`).
    quantized: bool,
    /// Distinct for every model loaded in this process (keys [`RowMemo`](super::memo::RowMemo)).
    uid: u64,
}

static NEXT_UID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl fmt::Debug for FastText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FastText")
            .field("dim", &self.dim)
            .field("nwords", &self.nwords)
            .field("nlabels", &self.labels.len())
            .field("loss", &self.loss)
            .field("quantized", &self.quantized)
            .finish()
    }
}

impl FastText {
    /// Load a `.bin` or `.ftz` supervised model from a file.
    pub fn load(path: &Path) -> Result<FastText, FastTextError> {
        let f = std::fs::File::open(path).map_err(|e| FastTextError::Io {
            path: Some(path.to_path_buf()),
            source: e,
        })?;
        Self::from_reader(BufReader::with_capacity(1 << 20, f)).map_err(|e| e.with_path(path))
    }

    /// Load a model from its bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<FastText, FastTextError> {
        Self::from_reader(bytes)
    }

    /// Load a model from any reader (reads exactly the model, no more).
    pub fn from_reader<R: Read>(r: R) -> Result<FastText, FastTextError> {
        Self::read_model(r, true)
    }

    /// [`FastText::from_reader`]; `bucket_order` false keeps the file's
    /// input row order and `pruneidx` hash map (the plain layout the tests
    /// compare against).
    pub(super) fn read_model<R: Read>(r: R, bucket_order: bool) -> Result<FastText, FastTextError> {
        let mut r = In { r, pos: 0 };
        // --- header (fasttext.cc checkModel)
        let magic = r.i32("magic number")?;
        if magic != MAGIC {
            return Err(FastTextError::format(format!(
                "not a fastText model (magic number {magic}, expected {MAGIC})"
            )));
        }
        let version = r.i32("version")?;
        if !(0..=MAX_VERSION).contains(&version) {
            return Err(FastTextError::format(format!(
                "unsupported fastText file format version {version} (this runtime reads up to {MAX_VERSION})"
            )));
        }
        // --- args (args.cc Args::load)
        let dim = r.i32("args.dim")?;
        let _ws = r.i32("args.ws")?;
        let _epoch = r.i32("args.epoch")?;
        let _min_count = r.i32("args.minCount")?;
        let _neg = r.i32("args.neg")?;
        let word_ngrams = r.i32("args.wordNgrams")?;
        let loss = r.i32("args.loss")?;
        let model = r.i32("args.model")?;
        let bucket = r.i32("args.bucket")?;
        let minn = r.i32("args.minn")?;
        let mut maxn = r.i32("args.maxn")?;
        let _lr_update_rate = r.i32("args.lrUpdateRate")?;
        let _t = r.f64("args.t")?;
        if model != 3 {
            return Err(FastTextError::format(format!(
                "not a supervised model (args.model = {model}; only supervised classifiers can predict labels)"
            )));
        }
        if version == 11 {
            // fasttext.cc: old supervised models do not use char n-grams.
            maxn = 0;
        }
        let loss = match loss {
            1 => LossKind::Hs,
            2 => LossKind::Ns,
            3 => LossKind::Softmax,
            4 => LossKind::Ova,
            v => {
                return Err(FastTextError::format(format!(
                    "unknown loss function id {v}"
                )));
            }
        };
        if dim <= 0 || bucket < 0 || minn < 0 || maxn < 0 {
            return Err(FastTextError::format(format!(
                "invalid arguments: dim={dim} bucket={bucket} minn={minn} maxn={maxn}"
            )));
        }
        let dim = dim as usize;
        // --- dictionary (dictionary.cc Dictionary::load)
        let size = r.i32("dictionary size")?;
        let nwords = r.i32("dictionary nwords")?;
        let nlabels = r.i32("dictionary nlabels")?;
        let _ntokens = r.i64("dictionary ntokens")?;
        let pruneidx_size = r.i64("dictionary pruneidx size")?;
        if size < 0 || nwords < 0 || nlabels < 0 || nwords.checked_add(nlabels) != Some(size) {
            return Err(FastTextError::format(format!(
                "invalid dictionary sizes: size={size} nwords={nwords} nlabels={nlabels}"
            )));
        }
        if nlabels == 0 {
            return Err(FastTextError::format("dictionary has no labels"));
        }
        let (size, nwords, nlabels) = (size as usize, nwords as usize, nlabels as usize);
        let mut arena = Vec::new();
        let mut offsets = Vec::with_capacity(size.min(1 << 20) + 1);
        offsets.push(0);
        let mut is_label = Vec::with_capacity(size.min(1 << 20));
        let mut label_counts = Vec::with_capacity(nlabels.min(1 << 16));
        let mut labels = Vec::with_capacity(nlabels.min(1 << 16));
        let mut word = Vec::new();
        for i in 0..size {
            r.cstr(&mut word, "dictionary entry")?;
            let count = r.i64("dictionary entry count")?;
            let ty = r.u8("dictionary entry type")?;
            let label = match ty {
                0 => false,
                1 => true,
                v => {
                    return Err(FastTextError::format(format!(
                        "dictionary entry {i} has invalid type {v}"
                    )));
                }
            };
            if label != (i >= nwords) {
                return Err(FastTextError::format(format!(
                    "dictionary entry {i} is a {} but words must precede labels",
                    if label { "label" } else { "word" }
                )));
            }
            if label {
                label_counts.push(count);
                let s = String::from_utf8_lossy(&word);
                labels.push(s.strip_prefix(LABEL_PREFIX).unwrap_or(&s).to_string());
            }
            arena.extend_from_slice(&word);
            offsets.push(arena.len());
            is_label.push(label);
        }
        // Pairs are collected first so that a corrupt size cannot make us
        // allocate more than the data present.
        let mut pairs = Vec::new();
        for _ in 0..pruneidx_size.max(0) {
            let a = r.i32("pruneidx key")?;
            let b = r.i32("pruneidx value")?;
            if b < 0 {
                return Err(FastTextError::format(format!(
                    "negative pruneidx value {b}"
                )));
            }
            pairs.push((a, b));
        }
        let mut pruneidx = IntMap::new(pairs.len());
        for (a, b) in pairs {
            pruneidx.insert(a, b);
        }
        // --- input matrix
        let quant_input = r.bool("quant_input flag")?;
        let input = if quant_input {
            Matrix::load_quant(&mut r, "input matrix")?
        } else {
            Matrix::load_dense(&mut r, "input matrix")?
        };
        if !quant_input && pruneidx_size >= 0 {
            return Err(FastTextError::format(
                "invalid model: pruned dictionary with a non-quantized input matrix",
            ));
        }
        let qout = r.bool("qout flag")?;
        let output = if quant_input && qout {
            Matrix::load_quant(&mut r, "output matrix")?
        } else {
            Matrix::load_dense(&mut r, "output matrix")?
        };
        // --- shape checks, so that predict can never index out of bounds
        if input.cols() != dim || output.cols() != dim {
            return Err(FastTextError::format(format!(
                "matrix widths (input {}, output {}) differ from dim {dim}",
                input.cols(),
                output.cols()
            )));
        }
        let max_ngram_row: usize = if pruneidx_size < 0 {
            nwords + bucket as usize
        } else {
            nwords + pruneidx.values().map(|v| v as usize + 1).max().unwrap_or(0)
        };
        if input.rows() < max_ngram_row {
            return Err(FastTextError::format(format!(
                "input matrix has {} rows, need at least {max_ngram_row} (nwords {nwords} + buckets)",
                input.rows()
            )));
        }
        if output.rows() < nlabels {
            return Err(FastTextError::format(format!(
                "output matrix has {} rows, fewer than the {nlabels} labels",
                output.rows()
            )));
        }
        // Dense rows make the hot loop (adding input rows) several times
        // faster; results are bit-identical (see `dequantized`).
        let mut input = input.dequantized(DEQUANTIZE_MAX_FLOATS);
        // A rank bitmap numbers the kept buckets in bucket order: put their
        // rows in that order (copies of the same rows, see `BucketRows`).
        let pruneidx = if pruneidx_size > 0 && bucket_order {
            let (rows, order) = BucketRows::new(pruneidx, bucket as usize);
            if let Some(order) = order {
                let ngram_rows: Vec<usize> = order.iter().map(|&v| nwords + v).collect();
                input = input.with_rows(nwords, &ngram_rows);
            }
            rows
        } else if pruneidx_size > 0 {
            BucketRows::Map(pruneidx)
        } else {
            BucketRows::Map(IntMap::new(0))
        };
        let head = match loss {
            LossKind::Softmax => Head::Softmax,
            LossKind::Ns | LossKind::Ova => Head::Sigmoid(sigmoid_table()),
            LossKind::Hs => Head::Hs(build_hs_tree(&label_counts)),
        };

        let mut table = WordTable {
            slots: vec![(0, WordTable::EMPTY); (size.max(1) * 2).next_power_of_two()],
            mask: 0,
        };
        table.mask = table.slots.len() - 1;

        let mut ft = FastText {
            dim,
            word_ngrams: word_ngrams.max(0) as usize,
            bucket: bucket as u32,
            bucket_mod: FastMod::new(bucket as u32),
            minn: minn as usize,
            maxn: maxn as usize,
            loss,
            nwords,
            arena,
            offsets,
            is_label,
            table,
            eos: None,
            eos_hash: ft_hash(EOS),
            sub_off: Vec::with_capacity(nwords + 1),
            sub_ids: Vec::new(),
            pruneidx_size,
            pruneidx,
            labels,
            input,
            output,
            head,
            quantized: quant_input,
            uid: NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        for i in 0..size {
            let h = ft_hash(ft.entry(i));
            let mut s = h as usize & ft.table.mask;
            while ft.table.slots[s].1 != WordTable::EMPTY {
                if ft.entry(ft.table.slots[s].1 as usize) == ft.entry(i) {
                    return Err(FastTextError::format(format!(
                        "duplicate dictionary entry {:?}",
                        String::from_utf8_lossy(ft.entry(i))
                    )));
                }
                s = (s + 1) & ft.table.mask;
            }
            ft.table.slots[s] = (h, i as u32);
        }
        ft.eos = ft.find(EOS, ft.eos_hash);
        // dictionary.cc initNgrams: each word's rows = itself + char n-grams.
        let mut ids = Vec::new();
        let mut buf = Vec::new();
        let mut scratch = Vec::new();
        ft.sub_off.push(0);
        for i in 0..nwords {
            ids.clear();
            ids.push(i as u32);
            if ft.entry(i) != EOS {
                buf.clear();
                buf.push(b'<');
                buf.extend_from_slice(&ft.arena[ft.offsets[i]..ft.offsets[i + 1]]);
                buf.push(b'>');
                ft.char_ngram_rows(&buf, &mut scratch, &mut ids);
            }
            ft.sub_ids.extend_from_slice(&ids);
            let end = u32::try_from(ft.sub_ids.len())
                .map_err(|_| FastTextError::format("too many subword entries"))?;
            ft.sub_off.push(end);
        }
        Ok(ft)
    }

    #[inline]
    fn entry(&self, i: usize) -> &[u8] {
        &self.arena[self.offsets[i]..self.offsets[i + 1]]
    }

    /// `Dictionary::getId`.
    #[inline]
    pub(super) fn find(&self, w: &[u8], h: u32) -> Option<usize> {
        let mut s = h as usize & self.table.mask;
        loop {
            let (sh, id) = self.table.slots[s];
            if id == WordTable::EMPTY {
                return None;
            }
            if sh == h && self.entry(id as usize) == w {
                return Some(id as usize);
            }
            s = (s + 1) & self.table.mask;
        }
    }

    /// `Dictionary::pushHash`: bucket id -> input row, if any.
    #[inline]
    pub(super) fn bucket_row(&self, id: u32) -> Option<u32> {
        if self.pruneidx_size == 0 {
            None
        } else if self.pruneidx_size > 0 {
            self.pruneidx.get(id).map(|v| self.nwords as u32 + v)
        } else {
            Some(self.nwords as u32 + id)
        }
    }

    /// `Dictionary::computeSubwords` over `<word>` `w`: the bucket ids of
    /// its n-grams of `minn..=maxn` UTF-8 characters (lone `<`/`>`
    /// excluded), in order, into `ids` (cleared first).
    #[inline]
    fn char_ngram_ids(&self, w: &[u8], ids: &mut Vec<u32>) {
        ids.clear();
        if self.maxn == 0 || self.bucket == 0 {
            return;
        }
        let len = w.len();
        for i in 0..len {
            if (w[i] & 0xC0) == 0x80 {
                continue;
            }
            let mut h = FNV_INIT;
            let mut j = i;
            let mut n = 1;
            while j < len && n <= self.maxn {
                h = fnv_step(h, w[j]);
                j += 1;
                while j < len && (w[j] & 0xC0) == 0x80 {
                    h = fnv_step(h, w[j]);
                    j += 1;
                }
                if n >= self.minn && !(n == 1 && (i == 0 || j == len)) {
                    ids.push(self.bucket_mod.rem(h));
                }
                n += 1;
            }
        }
    }

    /// The input rows of the character n-grams of `<word>` `w`, in
    /// fastText's order, appended to `rows` (`ids`: scratch space).
    #[inline]
    pub(super) fn char_ngram_rows(&self, w: &[u8], ids: &mut Vec<u32>, rows: &mut Vec<u32>) {
        self.char_ngram_ids(w, ids);
        rows.extend(ids.iter().filter_map(|&id| self.bucket_row(id)));
    }

    /// Append the input rows of `tok` (not `</s>`; `key` = its
    /// [`memo_key`](super::hash::memo_key)) to `s.rows`, as `Dictionary::getLine` finds them: a
    /// word's own row and n-gram rows, an unknown token's character n-gram
    /// rows. Returns the token's [`ft_hash`], or `None` for a token that is
    /// skipped (a label, or any `__label__` token). Served from the memo
    /// when the token was seen before (the memo must belong to this model:
    /// see [`FastText::line_rows`]).
    #[inline]
    fn push_token_rows(&self, tok: &[u8], key: u64, s: &mut Scratch) -> Option<u32> {
        if let Some(e) = s.memo.get(tok, key) {
            if e.rows == MemoRec::SKIP {
                return None;
            }
            e.rows_into(&mut s.rows);
            return Some(e.hash);
        }
        let h = ft_hash(tok);
        let start = s.rows.len();
        let used = match self.find(tok, h) {
            Some(wid) if self.is_label[wid] => false,
            Some(wid) => {
                let a = self.sub_off[wid] as usize;
                let b = self.sub_off[wid + 1] as usize;
                s.rows.extend_from_slice(&self.sub_ids[a..b]);
                true
            }
            None if tok.starts_with(LABEL_PREFIX.as_bytes()) => false,
            None => {
                s.word_buf.clear();
                s.word_buf.push(b'<');
                s.word_buf.extend_from_slice(tok);
                s.word_buf.push(b'>');
                self.char_ngram_rows(&s.word_buf, &mut s.ids, &mut s.rows);
                true
            }
        };
        s.memo.insert(tok, key, h, used.then(|| &s.rows[start..]));
        used.then_some(h)
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Labels in model order, without the `__label__` prefix.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.labels.iter().map(String::as_str)
    }

    /// Whether the input matrix is product-quantized (`.ftz`).
    pub fn is_quantized(&self) -> bool {
        self.quantized
    }

    /// Top-`k` labels (without `__label__`) with probability >= `threshold`,
    /// best first, exactly as fastText's `predict` for one line; `k == 0`
    /// means all labels. Newlines in `text` are treated as spaces.
    pub fn predict(&self, text: &str, k: usize, threshold: f32) -> Vec<(String, f32)> {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => self.predict_with(text, k, threshold, &mut s),
            Err(_) => self.predict_with(text, k, threshold, &mut Scratch::new()),
        })
    }

    /// [`FastText::predict`] with caller-provided scratch buffers.
    pub fn predict_with(
        &self,
        text: &str,
        k: usize,
        threshold: f32,
        s: &mut Scratch,
    ) -> Vec<(String, f32)> {
        self.predict_ids(text.as_bytes(), k, threshold, s);
        s.heap
            .iter()
            .map(|&(score, i)| (self.labels[i as usize].clone(), score.exp()))
            .collect()
    }

    /// Like [`FastText::predict`] but returns label indices (into
    /// [`FastText::labels`]) instead of owned strings.
    pub fn predict_indices(
        &self,
        text: &str,
        k: usize,
        threshold: f32,
        s: &mut Scratch,
    ) -> Vec<(usize, f32)> {
        self.predict_ids(text.as_bytes(), k, threshold, s);
        s.heap
            .iter()
            .map(|&(score, i)| (i as usize, score.exp()))
            .collect()
    }

    /// Label string (without prefix) for an index from `predict_indices`.
    pub fn label(&self, i: usize) -> &str {
        &self.labels[i]
    }

    /// Fills `s.heap` with (log-prob, label) sorted best first.
    pub(super) fn predict_ids(&self, text: &[u8], k: usize, threshold: f32, s: &mut Scratch) {
        self.line_rows(text, s);
        self.score_rows(k, threshold, s);
    }

    /// `Dictionary::getLine` and `addWordNgrams`: the input rows of one line,
    /// in fastText's order, into `s.rows`.
    fn line_rows(&self, text: &[u8], s: &mut Scratch) {
        /// Tokens between a memo prefetch and its use.
        const AHEAD: usize = 6;
        s.word_hashes.clear();
        s.rows.clear();
        if s.memo.model != self.uid {
            s.memo.reset(self.uid);
        }
        let mut toks = std::mem::take(&mut s.toks);
        split_tokens(text, &mut toks);
        for t in toks.iter().take(AHEAD) {
            s.memo.prefetch(t.2);
        }
        for (i, &(start, len, key)) in toks.iter().enumerate() {
            if let Some(next) = toks.get(i + AHEAD) {
                s.memo.prefetch(next.2);
            }
            if let Some(h) = self.push_token_rows(&text[start..start + len], key, s) {
                s.word_hashes.push(h as i32);
            }
        }
        s.toks = toks;
        // The line's "</s>": its own row if the dictionary has it (as a
        // word), nothing else; skipped if it is a label.
        match self.eos {
            Some(wid) if self.is_label[wid] => {}
            Some(wid) => {
                let a = self.sub_off[wid] as usize;
                let b = self.sub_off[wid + 1] as usize;
                s.rows.extend_from_slice(&self.sub_ids[a..b]);
                s.word_hashes.push(self.eos_hash as i32);
            }
            None => s.word_hashes.push(self.eos_hash as i32),
        }
        // Dictionary::addWordNgrams (values sign-extended from int32).
        if self.bucket > 0 {
            let hs = &s.word_hashes;
            for i in 0..hs.len() {
                let mut h = hs[i] as i64 as u64;
                let end = hs.len().min(i + self.word_ngrams);
                for &hj in &hs[i + 1..end.max(i + 1)] {
                    h = h
                        .wrapping_mul(WORD_NGRAM_MUL)
                        .wrapping_add(hj as i64 as u64);
                    if let Some(row) = self.bucket_row((h % self.bucket as u64) as u32) {
                        s.rows.push(row);
                    }
                }
            }
        }
    }

    /// The prediction from `s.rows` (`Model::computeHidden`, then the
    /// loss's `predict`): fills `s.heap` with (log-prob, label), best first.
    fn score_rows(&self, k: usize, threshold: f32, s: &mut Scratch) {
        s.heap.clear();
        s.hidden.clear();
        s.hidden.resize(self.dim, 0.0);
        let count = s.rows.len();
        if count == 0 {
            // FastText::predict returns nothing for an empty input.
            return;
        }
        // Model::computeHidden: sum the rows in order, then scale.
        self.input.sum_rows(&s.rows, &mut s.hidden);
        // Model::computeHidden: multiply by the float reciprocal.
        let inv = (1.0f64 / count as f64) as f32;
        for x in s.hidden.iter_mut() {
            *x *= inv;
        }
        self.predict_hidden(k, threshold, s);
    }

    /// The loss's `predict` on `s.hidden`: fills `s.heap` (empty) with
    /// (log-prob, label), best first.
    pub(super) fn predict_hidden(&self, k: usize, threshold: f32, s: &mut Scratch) {
        let nlabels = self.labels.len();
        let k = if k == 0 { nlabels } else { k };
        match &self.head {
            Head::Hs(tree) => {
                let log_thr = std_log(threshold);
                self.dfs(
                    tree,
                    k,
                    log_thr,
                    2 * nlabels - 2,
                    0.0,
                    &s.hidden,
                    &mut s.heap,
                );
            }
            Head::Softmax | Head::Sigmoid(_) => {
                s.output.clear();
                s.output.resize(nlabels, 0.0);
                self.output.dot_rows_into(&s.hidden, &mut s.output);
                if let Head::Sigmoid(t) = &self.head {
                    for o in s.output.iter_mut() {
                        *o = table_sigmoid(t, *o);
                    }
                } else {
                    // SoftmaxLoss::computeOutput
                    let mut max = s.output[0];
                    for &o in s.output.iter() {
                        max = if o > max { o } else { max };
                    }
                    let mut z = 0.0f32;
                    for o in s.output.iter_mut() {
                        *o = ((*o - max) as f64).exp() as f32;
                        z += *o;
                    }
                    for o in s.output.iter_mut() {
                        *o /= z;
                    }
                }
                // Loss::findKBest
                for (i, &p) in s.output.iter().enumerate() {
                    if p < threshold {
                        continue;
                    }
                    let lp = std_log(p);
                    if s.heap.len() == k && lp < s.heap[0].0 {
                        continue;
                    }
                    heap_offer(&mut s.heap, k, (lp, i as u32));
                }
            }
        }
        sort_heap(&mut s.heap);
    }

    /// `HierarchicalSoftmaxLoss::dfs`.
    #[allow(clippy::too_many_arguments)]
    fn dfs(
        &self,
        tree: &[HsNode],
        k: usize,
        log_thr: f32,
        node: usize,
        score: f32,
        hidden: &[f32],
        heap: &mut Vec<(f32, u32)>,
    ) {
        // NaN scores compare false in C++ too, so they are never pruned here.
        if score < log_thr {
            return;
        }
        if heap.len() == k && score < heap[0].0 {
            return;
        }
        let nd = tree[node];
        if nd.left == -1 && nd.right == -1 {
            heap_offer(heap, k, (score, node as u32));
            return;
        }
        let osz = self.labels.len();
        let f = self.output.dot_row(hidden, node - osz);
        let f = (1.0f64 / (1.0f32 + (-f).exp()) as f64) as f32;
        let l = std_log((1.0f64 - f as f64) as f32);
        self.dfs(tree, k, log_thr, nd.left as usize, score + l, hidden, heap);
        self.dfs(
            tree,
            k,
            log_thr,
            nd.right as usize,
            score + std_log(f),
            hidden,
            heap,
        );
    }
}
