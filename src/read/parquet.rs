//! Parquet files: string (or integer, for ids) columns named as in the
//! config's field map. `source_line` is the 1-based row number.
//!
//! Only the mapped columns are decoded. String columns are read as bytes and
//! decoded here, so invalid UTF-8 written by a careless producer is repaired
//! and counted like in the other formats instead of failing the file. A file
//! whose footer or pages cannot be decoded, or without a string text
//! column, is a file error naming the file (and the first row not read);
//! a panic of the Parquet decoder on a corrupt file is turned into such an
//! error rather than ending the build.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::file::reader::ChunkReader;

use super::InputConfig;
use super::{InputFile, RawFields, Records, decode_utf8, make_record, open_file};
use crate::doc::{Provenance, Record};
use crate::error::{Error, Result};

pub(super) fn records(file: &InputFile, cfg: &InputConfig) -> Result<Records> {
    from_chunks(open_file(file)?, file, cfg)
}

/// The records of a Parquet file held by any [`ChunkReader`] (a file, or
/// bytes in memory).
pub(crate) fn from_chunks<R: ChunkReader + 'static>(
    input: R,
    file: &InputFile,
    cfg: &InputConfig,
) -> Result<Records> {
    let not_parquet = |e: String| {
        Error::bad_file(
            &file.path,
            None,
            format!("not a readable Parquet file: {e}"),
        )
    };
    let meta = guard(|| ArrowReaderMetadata::load(&input, ArrowReaderOptions::new()))
        .map_err(&not_parquet)?
        .map_err(|e| not_parquet(e.to_string()))?;
    let schema = meta.schema().clone();
    let fm = &cfg.fields;
    let names = [&fm.text, &fm.id, &fm.title, &fm.url, &fm.date, &fm.source];
    let Ok(text_field) = schema.field_with_name(&fm.text) else {
        return Err(Error::bad_file(
            &file.path,
            None,
            format!(
                "no text column {:?} (columns: {}); set input.fields.text",
                fm.text,
                schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    if as_bytes_type(text_field.data_type()).is_none() {
        return Err(Error::bad_file(
            &file.path,
            None,
            format!(
                "column {:?} has type {}, not a string column; set input.fields.text",
                fm.text,
                text_field.data_type()
            ),
        ));
    }
    // Read the mapped string columns as bytes (see the module docs).
    let hinted = Schema::new_with_metadata(
        schema
            .fields()
            .iter()
            .map(|f| match as_bytes_type(f.data_type()) {
                Some(t) if names.contains(&f.name()) => {
                    Arc::new(Field::new(f.name(), t, f.is_nullable()))
                }
                _ => f.clone(),
            })
            .collect::<Vec<_>>(),
        schema.metadata().clone(),
    );
    let options = ArrowReaderOptions::new().with_schema(Arc::new(hinted));
    let meta = match ArrowReaderMetadata::try_new(meta.metadata().clone(), options) {
        Ok(m) => m,
        // A type the hint cannot convert: read the columns as they are.
        Err(_) => meta,
    };
    let roots: Vec<usize> = meta
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| names.contains(&f.name()))
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(meta.parquet_schema(), roots);
    let reader = guard(|| {
        ParquetRecordBatchReaderBuilder::new_with_metadata(input, meta)
            .with_batch_size(1024)
            .with_projection(mask)
            .build()
    })
    .map_err(&not_parquet)?
    .map_err(|e| not_parquet(e.to_string()))?;
    let file = file.clone();
    let cfg = cfg.clone();
    let mut reader = Some(reader);
    let mut row_base = 0u64;
    let mut pending: std::vec::IntoIter<Record> = Vec::new().into_iter();
    Ok(Box::new(std::iter::from_fn(move || {
        loop {
            if let Some(r) = pending.next() {
                return Some(Ok(r));
            }
            let decode_err = |e: String| {
                Error::bad_file(
                    &file.path,
                    Some(row_base + 1),
                    format!("cannot decode rows from row {}: {e}", row_base + 1),
                )
            };
            let batch = match guard(|| reader.as_mut().and_then(|r| r.next())) {
                Ok(None) => {
                    reader = None;
                    return None;
                }
                Ok(Some(Ok(b))) => b,
                Ok(Some(Err(e))) => {
                    reader = None;
                    return Some(Err(decode_err(e.to_string())));
                }
                Err(msg) => {
                    reader = None;
                    return Some(Err(decode_err(msg)));
                }
            };
            pending = batch_records(&batch, row_base, &file, &cfg).into_iter();
            row_base += batch.num_rows() as u64;
        }
    })))
}

/// Run a call into the Parquet decoder, turning a panic (a decoder bug hit
/// by a corrupt file) into an error message.
fn guard<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("the Parquet decoder failed on this file ({msg}); the file is corrupt")
    })
}

/// The byte-array type to read a string column as; `None` for columns that
/// hold no strings.
fn as_bytes_type(t: &DataType) -> Option<DataType> {
    match t {
        DataType::Utf8 | DataType::Binary => Some(DataType::Binary),
        DataType::LargeUtf8 | DataType::LargeBinary => Some(DataType::LargeBinary),
        DataType::Utf8View | DataType::BinaryView => Some(DataType::BinaryView),
        DataType::Dictionary(_, v) => as_bytes_type(v).map(|_| DataType::Binary),
        _ => None,
    }
}

fn batch_records(
    batch: &RecordBatch,
    base: u64,
    file: &InputFile,
    cfg: &InputConfig,
) -> Vec<Record> {
    let fm = &cfg.fields;
    let col = |name: &str| batch.column_by_name(name).cloned();
    let cols = [
        col(&fm.id),
        col(&fm.title),
        col(&fm.url),
        col(&fm.date),
        col(&fm.source),
    ];
    let text = col(&fm.text);
    let html = col(&fm.html).filter(|_| !fm.html.is_empty());
    (0..batch.num_rows())
        .map(|i| {
            let prov = Provenance {
                file: file.rel.clone(),
                line: Some(base + i as u64 + 1),
            };
            let mut invalid = 0;
            let mut get = |c: Option<&ArrayRef>| {
                let (s, n) = value(c, i)?;
                invalid += n;
                Some(s)
            };
            let [id, title, url, date, source] = cols.each_ref().map(|c| get(c.as_ref()));
            let text_val = match text.as_ref() {
                None => None,
                Some(a) if a.is_null(i) => Some(Err(format!("field {:?} is null", fm.text))),
                Some(a) => match get(Some(a)) {
                    Some(s) => Some(Ok(s)),
                    None => Some(Err(format!(
                        "column {:?} has type {}, not a string",
                        fm.text,
                        a.data_type()
                    ))),
                },
            };
            let raw = RawFields {
                id,
                text: text_val,
                title,
                url,
                date,
                source,
                html: get(html.as_ref()),
                invalid_utf8: invalid,
            };
            make_record(prov, raw, fm, cfg.max_doc_bytes, String::new)
        })
        .collect()
}

/// Value `i` of a string, byte or integer column as a string, and the
/// number of invalid UTF-8 sequences replaced in it.
fn value(col: Option<&ArrayRef>, i: usize) -> Option<(String, u32)> {
    let a: &ArrayRef = col?;
    if a.is_null(i) {
        return None;
    }
    let bytes = |b: &[u8]| Some(decode_utf8(b));
    let int = |s: String| Some((s, 0));
    match a.data_type() {
        DataType::Binary => bytes(a.as_binary::<i32>().value(i)),
        DataType::LargeBinary => bytes(a.as_binary::<i64>().value(i)),
        DataType::BinaryView => bytes(a.as_binary_view().value(i)),
        DataType::Utf8 => int(a.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => int(a.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => int(a.as_string_view().value(i).to_string()),
        DataType::Dictionary(k, _) => {
            let key = match k.as_ref() {
                DataType::Int8 => a.as_dictionary::<Int8Type>().keys().value(i) as usize,
                DataType::Int16 => a.as_dictionary::<Int16Type>().keys().value(i) as usize,
                DataType::Int32 => a.as_dictionary::<Int32Type>().keys().value(i) as usize,
                DataType::Int64 => a.as_dictionary::<Int64Type>().keys().value(i) as usize,
                DataType::UInt8 => a.as_dictionary::<UInt8Type>().keys().value(i) as usize,
                DataType::UInt16 => a.as_dictionary::<UInt16Type>().keys().value(i) as usize,
                DataType::UInt32 => a.as_dictionary::<UInt32Type>().keys().value(i) as usize,
                DataType::UInt64 => a.as_dictionary::<UInt64Type>().keys().value(i) as usize,
                _ => return None,
            };
            let values = a.as_any_dictionary().values().clone();
            (key < values.len()).then_some(())?;
            value(Some(&values), key)
        }
        DataType::Int8 => int(a.as_primitive::<Int8Type>().value(i).to_string()),
        DataType::Int16 => int(a.as_primitive::<Int16Type>().value(i).to_string()),
        DataType::Int32 => int(a.as_primitive::<Int32Type>().value(i).to_string()),
        DataType::Int64 => int(a.as_primitive::<Int64Type>().value(i).to_string()),
        DataType::UInt8 => int(a.as_primitive::<UInt8Type>().value(i).to_string()),
        DataType::UInt16 => int(a.as_primitive::<UInt16Type>().value(i).to_string()),
        DataType::UInt32 => int(a.as_primitive::<UInt32Type>().value(i).to_string()),
        DataType::UInt64 => int(a.as_primitive::<UInt64Type>().value(i).to_string()),
        _ => None,
    }
}
