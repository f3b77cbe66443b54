//! Parquet shard writing.
//!
//! One fixed Arrow schema per kind of shard ([`data_schema`],
//! [`rejected_schema`]), never inferred from data. A [`ShardSet`] writes the
//! rows of one (language, split) — or the rejected rows — into zstd Parquet
//! files of at most `shard_rows` rows and about `shard_bytes` text bytes,
//! one row group per `row_group_rows` rows. Files are first written as
//! `<prefix>-NNNNN.parquet.partial`; [`ShardSet::finish`] renames them to the
//! Hugging Face layout `<prefix>-NNNNN-of-MMMMM.parquet` once the count is
//! known, and returns path, rows, bytes and sha256 of each, measured on the
//! bytes as written. Output is a pure function of the rows and settings: no
//! timestamps are written.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Float32Builder, Int32Builder, Int64Builder, LargeStringBuilder, ListBuilder,
    StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_writer::{
    ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves,
};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Version of [`data_schema`] and [`rejected_schema`], written into every
/// shard's key-value metadata as `corpusforge.schema`. Bump it whenever a
/// column is added, removed, renamed or changes type.
pub const SCHEMA_VERSION: &str = "2";

/// Schema of the release's data shards. Documented in docs/release-format.md.
pub fn data_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("text", DataType::LargeUtf8, false),
        Field::new("title", DataType::Utf8, true),
        Field::new("url", DataType::Utf8, true),
        Field::new("date", DataType::Utf8, true),
        Field::new("source", DataType::Utf8, true),
        Field::new("lang", DataType::Utf8, false),
        Field::new("lang_score", DataType::Float32, false),
        Field::new("lang_mixed", DataType::Boolean, false),
        Field::new("lang2", DataType::Utf8, true),
        Field::new("lang2_score", DataType::Float32, true),
        Field::new("script", DataType::Utf8, false),
        Field::new("n_chars", DataType::Int64, false),
        Field::new("n_words", DataType::Int64, false),
        Field::new("dup_cluster", DataType::Utf8, false),
        Field::new("dup_count", DataType::Int32, false),
        Field::new("split", DataType::Utf8, false),
        Field::new("source_file", DataType::Utf8, false),
        Field::new("source_line", DataType::Int64, true),
        Field::new("removed_lines", removed_lines_type(), true),
    ]))
}

/// `list<string>`: the lines the clean stage removed, in document order
/// (an empty list when none), or null when the build did not keep them
/// (`clean.keep_removed_lines`). The column is always present, so the
/// schema does not depend on the flag.
fn removed_lines_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

/// Schema of the `rejected/` shards. Documented in docs/release-format.md.
pub fn rejected_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("stage", DataType::Utf8, false),
        Field::new("reason", DataType::Utf8, false),
        Field::new("detail", DataType::Utf8, false),
        Field::new("dup_of", DataType::Utf8, true),
        Field::new("dup_cluster", DataType::Utf8, true),
        Field::new("dup_jaccard", DataType::Float32, true),
        Field::new("lang", DataType::Utf8, true),
        Field::new("source_file", DataType::Utf8, false),
        Field::new("source_line", DataType::Int64, true),
        Field::new("text", DataType::LargeUtf8, false),
    ]))
}

/// One row of a data shard.
pub struct DataRow<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    pub date: Option<&'a str>,
    pub source: Option<&'a str>,
    pub lang: &'a str,
    pub lang_score: f32,
    pub lang_mixed: bool,
    pub lang2: Option<&'a str>,
    pub lang2_score: Option<f32>,
    pub script: &'a str,
    pub n_chars: i64,
    pub n_words: i64,
    pub dup_cluster: &'a str,
    pub dup_count: i32,
    pub split: &'a str,
    pub source_file: &'a str,
    pub source_line: Option<i64>,
    /// Removed lines, or `None` for a null (not kept).
    pub removed_lines: Option<&'a [String]>,
}

/// One row of a rejected shard.
pub struct RejectRow<'a> {
    pub id: &'a str,
    pub stage: &'a str,
    pub reason: &'a str,
    pub detail: &'a str,
    pub dup_of: Option<&'a str>,
    pub dup_cluster: Option<&'a str>,
    pub dup_jaccard: Option<f32>,
    pub lang: Option<&'a str>,
    pub source_file: &'a str,
    pub source_line: Option<i64>,
    pub text: &'a str,
}

/// Column builders for one kind of row.
pub trait Rows: Send {
    type Row<'a>;
    fn schema() -> SchemaRef;
    fn new() -> Self;
    fn push(&mut self, row: &Self::Row<'_>);
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Text bytes buffered (drives shard and row-group size).
    fn bytes(&self) -> u64;
    fn finish(&mut self) -> RecordBatch;
}

pub struct DataRows {
    id: StringBuilder,
    text: LargeStringBuilder,
    title: StringBuilder,
    url: StringBuilder,
    date: StringBuilder,
    source: StringBuilder,
    lang: StringBuilder,
    lang_score: Float32Builder,
    lang_mixed: BooleanBuilder,
    lang2: StringBuilder,
    lang2_score: Float32Builder,
    script: StringBuilder,
    n_chars: Int64Builder,
    n_words: Int64Builder,
    dup_cluster: StringBuilder,
    dup_count: Int32Builder,
    split: StringBuilder,
    source_file: StringBuilder,
    source_line: Int64Builder,
    removed_lines: ListBuilder<StringBuilder>,
    len: usize,
    bytes: u64,
}

impl Rows for DataRows {
    type Row<'a> = DataRow<'a>;
    fn schema() -> SchemaRef {
        data_schema()
    }
    fn new() -> Self {
        DataRows {
            id: StringBuilder::new(),
            text: LargeStringBuilder::new(),
            title: StringBuilder::new(),
            url: StringBuilder::new(),
            date: StringBuilder::new(),
            source: StringBuilder::new(),
            lang: StringBuilder::new(),
            lang_score: Float32Builder::new(),
            lang_mixed: BooleanBuilder::new(),
            lang2: StringBuilder::new(),
            lang2_score: Float32Builder::new(),
            script: StringBuilder::new(),
            n_chars: Int64Builder::new(),
            n_words: Int64Builder::new(),
            dup_cluster: StringBuilder::new(),
            dup_count: Int32Builder::new(),
            split: StringBuilder::new(),
            source_file: StringBuilder::new(),
            source_line: Int64Builder::new(),
            removed_lines: ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
                "item",
                DataType::Utf8,
                true,
            ))),
            len: 0,
            bytes: 0,
        }
    }
    fn push(&mut self, r: &DataRow<'_>) {
        self.id.append_value(r.id);
        self.text.append_value(r.text);
        self.title.append_option(r.title);
        self.url.append_option(r.url);
        self.date.append_option(r.date);
        self.source.append_option(r.source);
        self.lang.append_value(r.lang);
        self.lang_score.append_value(r.lang_score);
        self.lang_mixed.append_value(r.lang_mixed);
        self.lang2.append_option(r.lang2);
        self.lang2_score.append_option(r.lang2_score);
        self.script.append_value(r.script);
        self.n_chars.append_value(r.n_chars);
        self.n_words.append_value(r.n_words);
        self.dup_cluster.append_value(r.dup_cluster);
        self.dup_count.append_value(r.dup_count);
        self.split.append_value(r.split);
        self.source_file.append_value(r.source_file);
        self.source_line.append_option(r.source_line);
        match r.removed_lines {
            Some(lines) => {
                for l in lines {
                    self.removed_lines.values().append_value(l);
                }
                self.removed_lines.append(true);
            }
            None => self.removed_lines.append_null(),
        }
        self.len += 1;
        self.bytes += r.text.len() as u64;
    }
    fn len(&self) -> usize {
        self.len
    }
    fn bytes(&self) -> u64 {
        self.bytes
    }
    fn finish(&mut self) -> RecordBatch {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.title.finish()),
            Arc::new(self.url.finish()),
            Arc::new(self.date.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.lang.finish()),
            Arc::new(self.lang_score.finish()),
            Arc::new(self.lang_mixed.finish()),
            Arc::new(self.lang2.finish()),
            Arc::new(self.lang2_score.finish()),
            Arc::new(self.script.finish()),
            Arc::new(self.n_chars.finish()),
            Arc::new(self.n_words.finish()),
            Arc::new(self.dup_cluster.finish()),
            Arc::new(self.dup_count.finish()),
            Arc::new(self.split.finish()),
            Arc::new(self.source_file.finish()),
            Arc::new(self.source_line.finish()),
            Arc::new(self.removed_lines.finish()),
        ];
        self.len = 0;
        self.bytes = 0;
        RecordBatch::try_new(data_schema(), cols).expect("builders match the data schema")
    }
}

pub struct RejectRows {
    id: StringBuilder,
    stage: StringBuilder,
    reason: StringBuilder,
    detail: StringBuilder,
    dup_of: StringBuilder,
    dup_cluster: StringBuilder,
    dup_jaccard: Float32Builder,
    lang: StringBuilder,
    source_file: StringBuilder,
    source_line: Int64Builder,
    text: LargeStringBuilder,
    len: usize,
    bytes: u64,
}

impl Rows for RejectRows {
    type Row<'a> = RejectRow<'a>;
    fn schema() -> SchemaRef {
        rejected_schema()
    }
    fn new() -> Self {
        RejectRows {
            id: StringBuilder::new(),
            stage: StringBuilder::new(),
            reason: StringBuilder::new(),
            detail: StringBuilder::new(),
            dup_of: StringBuilder::new(),
            dup_cluster: StringBuilder::new(),
            dup_jaccard: Float32Builder::new(),
            lang: StringBuilder::new(),
            source_file: StringBuilder::new(),
            source_line: Int64Builder::new(),
            text: LargeStringBuilder::new(),
            len: 0,
            bytes: 0,
        }
    }
    fn push(&mut self, r: &RejectRow<'_>) {
        self.id.append_value(r.id);
        self.stage.append_value(r.stage);
        self.reason.append_value(r.reason);
        self.detail.append_value(r.detail);
        self.dup_of.append_option(r.dup_of);
        self.dup_cluster.append_option(r.dup_cluster);
        self.dup_jaccard.append_option(r.dup_jaccard);
        self.lang.append_option(r.lang);
        self.source_file.append_value(r.source_file);
        self.source_line.append_option(r.source_line);
        self.text.append_value(r.text);
        self.len += 1;
        self.bytes += r.text.len() as u64;
    }
    fn len(&self) -> usize {
        self.len
    }
    fn bytes(&self) -> u64 {
        self.bytes
    }
    fn finish(&mut self) -> RecordBatch {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.stage.finish()),
            Arc::new(self.reason.finish()),
            Arc::new(self.detail.finish()),
            Arc::new(self.dup_of.finish()),
            Arc::new(self.dup_cluster.finish()),
            Arc::new(self.dup_jaccard.finish()),
            Arc::new(self.lang.finish()),
            Arc::new(self.source_file.finish()),
            Arc::new(self.source_line.finish()),
            Arc::new(self.text.finish()),
        ];
        self.len = 0;
        self.bytes = 0;
        RecordBatch::try_new(rejected_schema(), cols).expect("builders match the rejected schema")
    }
}

/// A finished shard, as listed in the manifest.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct ShardInfo {
    /// Path relative to the release folder, `/`-separated.
    pub path: String,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
    pub lang: Option<String>,
    pub split: Option<String>,
}

/// Settings shared by every shard of a release.
#[derive(Clone, Debug)]
pub struct ShardSettings {
    pub shard_rows: usize,
    pub shard_bytes: u64,
    pub row_group_rows: usize,
    /// A row group is also closed once it holds this many text bytes.
    pub row_group_bytes: u64,
    /// Rows are handed to the row group's column writers, which encode and
    /// compress them, in chunks of at most this many rows or about this
    /// many text bytes, so a set being filled holds its row group
    /// compressed, not as raw rows. Chunk boundaries decide page
    /// boundaries, so they are part of the output's definition.
    pub chunk_rows: usize,
    pub chunk_bytes: u64,
    /// Encoded bytes after which a column's data page is closed; the
    /// writer checks it at the end of each batch of up to 1024 values and
    /// of each chunk.
    pub page_bytes: usize,
    pub zstd_level: i32,
    /// Key-value metadata written into every file's footer.
    pub metadata: Vec<(String, String)>,
}

/// Counts bytes and hashes them on their way to the file.
struct HashingWriter {
    inner: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl Write for HashingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A shard being written: the file with its footer still to come, the
/// factory of column writers for its next row group, the row group being
/// filled, and the row groups handed to the [`Encoder`] whole and not yet
/// appended, oldest first.
struct OpenShard {
    file: SerializedFileWriter<HashingWriter>,
    factory: ArrowRowGroupWriterFactory,
    path: PathBuf,
    /// Rows and text bytes handed to row groups (the filling one included).
    rows: u64,
    text_bytes: u64,
    /// Row groups created so far (the index of the next one).
    row_groups: usize,
    filling: Option<Filling>,
    pending: VecDeque<Encoded>,
}

/// The row group being filled: its column writers, which come back from
/// the encoder once the last chunk handed to them is encoded, and the rows
/// and text bytes handed to them so far.
struct Filling {
    writers: Writers,
    rows: u64,
    bytes: u64,
}

/// The column writers of a row group, once the encoder is done with them.
type Writers = std::sync::mpsc::Receiver<parquet::errors::Result<Vec<ArrowColumnWriter>>>;

/// The column chunks of one encoded row group, once the encoder has them.
type Encoded = std::sync::mpsc::Receiver<parquet::errors::Result<Vec<ArrowColumnChunk>>>;

type Job = Box<dyn FnOnce() + Send>;

/// Where rows are encoded and compressed: on the calling thread, or on a
/// few background threads while the caller reads its work files and
/// builds the next chunks, so every core works. Only the encoding is
/// parallel: the chunks of a row group are encoded one after the other, in
/// the order they were made (each job first waits for the column writers
/// from the job before it, which the FIFO queue started earlier, so no
/// job waits for one that cannot run), and each shard appends its row
/// groups to its file in the order they were made, on the caller's
/// thread, so the bytes written are the same with any number of threads.
/// Memory stays bounded: a shard keeps at most `Encoder::max_pending`
/// row groups closed and not yet appended, and the queue of jobs not yet
/// started holds at most one per thread.
pub struct Encoder {
    tx: Option<std::sync::mpsc::SyncSender<Job>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Encoder {
    /// Encode on the calling thread.
    pub fn inline() -> Self {
        Encoder {
            tx: None,
            threads: Vec::new(),
        }
    }

    /// Encode on `threads` background threads; inline when `threads` is 0
    /// or no thread can be started.
    pub fn new(threads: usize) -> Self {
        if threads == 0 {
            return Self::inline();
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(threads);
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("parquet-encoder-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for the next job.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            match spawned {
                Ok(h) => handles.push(h),
                Err(_) => break,
            }
        }
        if handles.is_empty() {
            return Self::inline();
        }
        Encoder {
            tx: Some(tx),
            threads: handles,
        }
    }

    /// Row groups one shard may have handed over and not yet appended
    /// before the caller waits for the oldest.
    fn max_pending(&self) -> usize {
        self.threads.len() + 1
    }

    fn run(&self, job: Job) {
        match &self.tx {
            Some(tx) => {
                if let Err(std::sync::mpsc::SendError(job)) = tx.send(job) {
                    // every thread is gone (they panicked): do the work here
                    job();
                }
            }
            None => job(),
        }
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        self.tx.take();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Encode and compress `batch` with `writers` (the column writers of the
/// row group being filled, from the shard's [`ArrowRowGroupWriterFactory`]):
/// what `ArrowWriter::write` does with a batch, without the file.
fn write_chunk(
    schema: &SchemaRef,
    writers: &mut [ArrowColumnWriter],
    batch: &RecordBatch,
) -> parquet::errors::Result<()> {
    let mut next = writers.iter_mut();
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        for leaf in compute_leaves(field.as_ref(), column)? {
            let w = next.next().ok_or_else(|| {
                parquet::errors::ParquetError::General("more leaves than column writers".into())
            })?;
            w.write(&leaf)?;
        }
    }
    Ok(())
}

/// The column writers from `previous`, once its job is done.
fn writers_back(previous: Writers) -> parquet::errors::Result<Vec<ArrowColumnWriter>> {
    previous.recv().unwrap_or_else(|_| {
        Err(parquet::errors::ParquetError::General(
            "the Parquet encoder thread failed".into(),
        ))
    })
}

/// The shards of one (language, split), or of the rejected rows.
pub struct ShardSet<R: Rows> {
    root: PathBuf,
    /// Relative prefix, e.g. `data/eng_Latn/train` or `rejected/rejected`.
    prefix: String,
    lang: Option<String>,
    split: Option<String>,
    settings: ShardSettings,
    buf: R,
    open: Option<OpenShard>,
    encoder: Arc<Encoder>,
    /// (partial path, rows, bytes, sha256) of closed shards.
    closed: Vec<(PathBuf, u64, u64, String)>,
}

impl<R: Rows> ShardSet<R> {
    pub fn new(
        root: &Path,
        prefix: String,
        lang: Option<String>,
        split: Option<String>,
        settings: ShardSettings,
    ) -> Self {
        ShardSet {
            root: root.to_path_buf(),
            prefix,
            lang,
            split,
            settings,
            buf: R::new(),
            open: None,
            encoder: Arc::new(Encoder::inline()),
            closed: Vec::new(),
        }
    }

    /// Encode row groups with `encoder` (shared by the sets of one task).
    pub fn with_encoder(mut self, encoder: Arc<Encoder>) -> Self {
        self.encoder = encoder;
        self
    }

    pub fn push(&mut self, row: &R::Row<'_>) -> Result<()> {
        self.buf.push(row);
        let (rows, bytes) = (self.buf.len() as u64, self.buf.bytes());
        let open = self.open.as_ref();
        let (shard_rows, shard_bytes) = open.map_or((0, 0), |o| (o.rows, o.text_bytes));
        let (rg_rows, rg_bytes) = open
            .and_then(|o| o.filling.as_ref())
            .map_or((0, 0), |f| (f.rows, f.bytes));
        let s = &self.settings;
        if shard_rows + rows >= s.shard_rows as u64 || shard_bytes + bytes >= s.shard_bytes {
            self.end_row_group()?;
            self.close_shard()?;
        } else if rg_rows + rows >= s.row_group_rows as u64 || rg_bytes + bytes >= s.row_group_bytes
        {
            self.end_row_group()?;
        } else if rows >= s.chunk_rows as u64 || bytes >= s.chunk_bytes {
            self.hand_over_chunk()?;
        }
        Ok(())
    }

    /// Append the row groups the encoder has finished, oldest first,
    /// without waiting. A writer filling many sets calls this now and then
    /// so that encoded row groups do not wait in memory for their set's
    /// next flush; the bytes written are the same whenever it is called.
    pub fn append_ready(&mut self) -> Result<()> {
        match self.open.as_mut() {
            Some(open) => append_finished(open),
            None => Ok(()),
        }
    }

    fn properties(&self) -> WriterProperties {
        let level = ZstdLevel::try_new(self.settings.zstd_level).unwrap_or_default();
        WriterProperties::builder()
            .set_compression(Compression::ZSTD(level))
            .set_data_page_size_limit(self.settings.page_bytes)
            .set_max_row_group_row_count(Some(self.settings.row_group_rows.max(1)))
            .set_column_dictionary_enabled(ColumnPath::from("text"), false)
            .set_key_value_metadata(Some(
                self.settings
                    .metadata
                    .iter()
                    .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
                    .collect(),
            ))
            .build()
    }

    /// Hand the buffered rows to the encoder as the next chunk of the row
    /// group being filled (opening the shard and starting the row group
    /// if need be). Does not wait for the encoder.
    fn hand_over_chunk(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if self.open.is_none() {
            self.open = Some(self.open_shard()?);
        }
        let open = self.open.as_mut().expect("opened above");
        let mut filling = match open.filling.take() {
            Some(f) => f,
            None => {
                let writers = open
                    .factory
                    .create_column_writers(open.row_groups)
                    .map_err(|e| Error::output(&open.path, e.to_string()))?;
                open.row_groups += 1;
                let (tx, rx) = std::sync::mpsc::sync_channel(1);
                let _ = tx.send(Ok(writers));
                Filling {
                    writers: rx,
                    rows: 0,
                    bytes: 0,
                }
            }
        };
        let bytes = self.buf.bytes();
        let batch = self.buf.finish();
        let rows = batch.num_rows() as u64;
        open.rows += rows;
        open.text_bytes += bytes;
        filling.rows += rows;
        filling.bytes += bytes;
        let previous = filling.writers;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.encoder.run(Box::new(move || {
            let done = writers_back(previous).and_then(|mut writers| {
                write_chunk(&R::schema(), &mut writers, &batch)?;
                Ok(writers)
            });
            let _ = tx.send(done);
        }));
        filling.writers = rx;
        open.filling = Some(filling);
        Ok(())
    }

    /// Hand the buffered rows over as the last chunk of the row group
    /// being filled, and the row group to the encoder to close; append the
    /// oldest closed row groups while too many are pending.
    fn end_row_group(&mut self) -> Result<()> {
        self.hand_over_chunk()?;
        let max_pending = self.encoder.max_pending();
        let Some(open) = self.open.as_mut() else {
            return Ok(());
        };
        let Some(filling) = open.filling.take() else {
            return Ok(());
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.encoder.run(Box::new(move || {
            let done = writers_back(filling.writers)
                .and_then(|writers| writers.into_iter().map(ArrowColumnWriter::close).collect());
            let _ = tx.send(done);
        }));
        open.pending.push_back(rx);
        while open.pending.len() > max_pending {
            append_oldest(open)?;
        }
        Ok(())
    }

    /// A new `.partial` shard file with its Parquet writer.
    fn open_shard(&mut self) -> Result<OpenShard> {
        let idx = self.closed.len();
        let path = self
            .root
            .join(format!("{}-{idx:05}.parquet.partial", self.prefix));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        // Column chunks arrive as large writes that pass the buffer by; it
        // gathers the small ones (page headers, footer). A task has a shard
        // open per output group, so it stays small.
        let sink = HashingWriter {
            inner: BufWriter::with_capacity(64 << 10, file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        // ArrowWriter sets up the file as it always does (magic, the Arrow
        // schema in the footer metadata); its row groups are then made here.
        let (file, factory) = ArrowWriter::try_new(sink, R::schema(), Some(self.properties()))
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(|e| Error::output(&path, e.to_string()))?;
        Ok(OpenShard {
            file,
            factory,
            path,
            rows: 0,
            text_bytes: 0,
            row_groups: 0,
            filling: None,
            pending: VecDeque::new(),
        })
    }

    fn close_shard(&mut self) -> Result<()> {
        if let Some(mut open) = self.open.take() {
            debug_assert!(open.filling.is_none(), "the row group was ended first");
            while !open.pending.is_empty() {
                append_oldest(&mut open)?;
            }
            let path = open.path;
            let mut sink = open
                .file
                .into_inner()
                .map_err(|e| Error::output(&path, e.to_string()))?;
            sink.flush().map_err(|e| Error::io(&path, e))?;
            let sha = hex(&sink.hasher.finalize());
            self.closed.push((path, open.rows, sink.bytes, sha));
        }
        Ok(())
    }

    /// Close the last shard and rename all to `-NNNNN-of-MMMMM.parquet`.
    pub fn finish(mut self) -> Result<Vec<ShardInfo>> {
        self.end_row_group()?;
        self.close_shard()?;
        let total = self.closed.len();
        let mut out = Vec::with_capacity(total);
        for (i, (partial, rows, bytes, sha256)) in self.closed.into_iter().enumerate() {
            let rel = format!("{}-{i:05}-of-{total:05}.parquet", self.prefix);
            let dest = self.root.join(&rel);
            std::fs::rename(&partial, &dest).map_err(|e| Error::io(&dest, e))?;
            out.push(ShardInfo {
                path: rel,
                rows,
                bytes,
                sha256,
                lang: self.lang.clone(),
                split: self.split.clone(),
            });
        }
        Ok(out)
    }
}

/// Wait for the oldest pending row group of `open` and append it to the
/// file.
fn append_oldest(open: &mut OpenShard) -> Result<()> {
    let Some(rx) = open.pending.pop_front() else {
        return Ok(());
    };
    let chunks = rx
        .recv()
        .map_err(|_| Error::output(&open.path, "the Parquet encoder thread failed"))?;
    append_chunks(open, chunks)
}

/// Append the oldest pending row groups of `open` that are already
/// encoded, without waiting; stops at the first that is not.
fn append_finished(open: &mut OpenShard) -> Result<()> {
    loop {
        let chunks = match open.pending.front().map(|rx| rx.try_recv()) {
            None | Some(Err(std::sync::mpsc::TryRecvError::Empty)) => return Ok(()),
            Some(Err(std::sync::mpsc::TryRecvError::Disconnected)) => {
                return Err(Error::output(
                    &open.path,
                    "the Parquet encoder thread failed",
                ));
            }
            Some(Ok(chunks)) => chunks,
        };
        open.pending.pop_front();
        append_chunks(open, chunks)?;
    }
}

/// Append one encoded row group to the file.
fn append_chunks(
    open: &mut OpenShard,
    chunks: parquet::errors::Result<Vec<ArrowColumnChunk>>,
) -> Result<()> {
    let path = &open.path;
    let chunks = chunks.map_err(|e| Error::output(path, e.to_string()))?;
    let mut rg = open
        .file
        .next_row_group()
        .map_err(|e| Error::output(path, e.to_string()))?;
    for chunk in chunks {
        chunk
            .append_to_row_group(&mut rg)
            .map_err(|e| Error::output(path, e.to_string()))?;
    }
    rg.close().map_err(|e| Error::output(path, e.to_string()))?;
    Ok(())
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// sha256 and size of a file.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = std::io::Read::read(&mut f, &mut buf).map_err(|e| Error::io(path, e))?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex(&h.finalize()), n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_settings() -> ShardSettings {
        ShardSettings {
            shard_rows: 700,
            shard_bytes: 1 << 40,
            row_group_rows: 128,
            row_group_bytes: 8 << 20,
            chunk_rows: 50,
            chunk_bytes: 1 << 20,
            // small pages, so that chunk boundaries change page boundaries
            page_bytes: 1024,
            zstd_level: 1,
            metadata: vec![("k".into(), "v".into())],
        }
    }

    /// Id and text of test row `i`.
    fn id_and_text(i: usize) -> (String, String) {
        (format!("doc-{i}"), format!("text {i} ").repeat(i % 37 + 1))
    }

    fn reject_row<'a>(i: usize, id: &'a str, text: &'a str) -> RejectRow<'a> {
        RejectRow {
            id,
            stage: "filter",
            reason: "too_short",
            detail: "",
            dup_of: None,
            dup_cluster: None,
            dup_jaccard: None,
            lang: Some("eng_Latn"),
            source_file: "a.jsonl",
            source_line: Some(i as i64),
            text,
        }
    }

    fn write_all(root: &Path, encoder: Encoder) -> Vec<ShardInfo> {
        write_all_ready_every(root, encoder, 0)
    }

    /// [`write_all`], calling `append_ready` after every `every` rows (0:
    /// never).
    fn write_all_ready_every(root: &Path, encoder: Encoder, every: usize) -> Vec<ShardInfo> {
        write_all_with(root, encoder, every, test_settings())
    }

    fn write_all_with(
        root: &Path,
        encoder: Encoder,
        every: usize,
        settings: ShardSettings,
    ) -> Vec<ShardInfo> {
        let encoder = Arc::new(encoder);
        let mut set: ShardSet<RejectRows> =
            ShardSet::new(root, "rejected/rejected".into(), None, None, settings)
                .with_encoder(encoder);
        for i in 0..2000 {
            let (id, text) = id_and_text(i);
            set.push(&reject_row(i, &id, &text)).unwrap();
            if every > 0 && i % every == 0 {
                set.append_ready().unwrap();
            }
        }
        set.finish().unwrap()
    }

    /// Appending finished row groups early, at any moment, changes no byte.
    #[test]
    fn appending_ready_row_groups_early_writes_the_same_shards() {
        let a = tempfile::tempdir().unwrap();
        let reference = write_all(a.path(), Encoder::inline());
        for (threads, every) in [(1, 1), (2, 1), (2, 7), (5, 3), (2, 128)] {
            let b = tempfile::tempdir().unwrap();
            let shards = write_all_ready_every(b.path(), Encoder::new(threads), every);
            assert_eq!(reference.len(), shards.len());
            for (x, y) in reference.iter().zip(&shards) {
                assert_eq!(x.sha256, y.sha256, "{threads} threads, every {every}");
                let fa = std::fs::read(a.path().join(&x.path)).unwrap();
                let fb = std::fs::read(b.path().join(&y.path)).unwrap();
                assert!(
                    fa == fb,
                    "{} differs ({threads} threads, every {every})",
                    x.path
                );
            }
        }
    }

    /// Encoding on background threads writes the same bytes as inline.
    #[test]
    fn background_encoder_writes_the_same_shards() {
        let a = tempfile::tempdir().unwrap();
        let inline = write_all(a.path(), Encoder::inline());
        assert_eq!(inline.len(), 3, "2000 rows in shards of 700");
        for threads in [1, 2, 5] {
            let b = tempfile::tempdir().unwrap();
            let background = write_all(b.path(), Encoder::new(threads));
            assert_eq!(inline.len(), background.len());
            for (x, y) in inline.iter().zip(&background) {
                assert_eq!(
                    (&x.path, x.rows, x.bytes, &x.sha256),
                    (&y.path, y.rows, y.bytes, &y.sha256),
                    "{threads} threads"
                );
                let fa = std::fs::read(a.path().join(&x.path)).unwrap();
                let fb = std::fs::read(b.path().join(&y.path)).unwrap();
                assert!(fa == fb, "{} differs with {threads} threads", x.path);
            }
        }
    }

    /// The row groups made from the column writers are the bytes
    /// `ArrowWriter` writes when each chunk is written to it and each row
    /// group flushed, whether chunks end by rows or by text bytes, and the
    /// file reads back with every row.
    #[test]
    fn shards_are_the_bytes_of_arrow_writer() {
        let by_rows = test_settings();
        let by_bytes = ShardSettings {
            chunk_rows: usize::MAX,
            chunk_bytes: 3000,
            ..test_settings()
        };
        let mut first = Vec::new();
        for settings in [by_rows, by_bytes] {
            let dir = tempfile::tempdir().unwrap();
            let shards = write_all_with(dir.path(), Encoder::new(2), 0, settings.clone());
            first = std::fs::read(dir.path().join(&shards[0].path)).unwrap();

            let set: ShardSet<RejectRows> =
                ShardSet::new(dir.path(), "x".into(), None, None, settings.clone());
            let mut w =
                ArrowWriter::try_new(Vec::new(), RejectRows::schema(), Some(set.properties()))
                    .unwrap();
            let mut rows = RejectRows::new();
            let mut writes = 0;
            // the first shard holds rows 0..700, in row groups of 128
            // handed over in chunks
            for i in 0..700 {
                let (id, text) = id_and_text(i);
                rows.push(&reject_row(i, &id, &text));
                let end_of_group = (i + 1) % 128 == 0 || i == 699;
                if end_of_group
                    || rows.len() >= settings.chunk_rows
                    || rows.bytes() >= settings.chunk_bytes
                {
                    w.write(&rows.finish()).unwrap();
                    writes += 1;
                }
                if end_of_group {
                    w.flush().unwrap();
                }
            }
            assert!(
                writes > 2 * 6,
                "{writes} chunks: more than two per row group"
            );
            let reference = w.into_inner().unwrap();
            assert!(reference == first, "row groups differ from ArrowWriter's");
        }

        // The chunks matter: the same rows written a row group at a time
        // make other pages.
        let settings = test_settings();
        let set: ShardSet<RejectRows> =
            ShardSet::new(Path::new("."), "x".into(), None, None, settings.clone());
        let mut w =
            ArrowWriter::try_new(Vec::new(), RejectRows::schema(), Some(set.properties())).unwrap();
        let mut rows = RejectRows::new();
        for i in 0..700 {
            let (id, text) = id_and_text(i);
            rows.push(&reject_row(i, &id, &text));
            if (i + 1) % 128 == 0 || i == 699 {
                w.write(&rows.finish()).unwrap();
                w.flush().unwrap();
            }
        }
        assert!(w.into_inner().unwrap() != first, "chunking changed no page");

        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            bytes::Bytes::from(first),
        )
        .unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 6);
        let n: usize = reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(n, 700);
    }
}
