//! Parquet files: string (or integer, for ids) columns named as in the
//! config's field map. `source_line` is the 1-based row number.

use std::fs::File;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, UInt64Type};
use arrow_array::{Array, ArrayRef, LargeStringArray, RecordBatch, StringArray, StringViewArray};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::{InputFile, RawFields, Records, make_record};
use crate::config::InputConfig;
use crate::doc::{Provenance, Record};
use crate::error::{Error, Result};

pub(super) fn records(file: &InputFile, cfg: &InputConfig) -> Result<Records> {
    let f = File::open(&file.path)
        .map_err(|e| Error::input(&file.path, None, format!("cannot open: {e}")))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| {
            Error::input(
                &file.path,
                None,
                format!("not a readable Parquet file: {e}"),
            )
        })?
        .with_batch_size(1024);
    let schema = builder.schema().clone();
    let fm = &cfg.fields;
    if schema.field_with_name(&fm.text).is_err() {
        return Err(Error::input(
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
    }
    let reader = builder
        .build()
        .map_err(|e| Error::input(&file.path, None, e.to_string()))?;
    let file = file.clone();
    let cfg = cfg.clone();
    let mut row_base = 0u64;
    let mut failed = false;
    let iter = reader.flat_map(move |batch| -> Vec<Result<Record>> {
        if failed {
            return Vec::new();
        }
        let batch = match batch {
            Ok(b) => b,
            Err(e) => {
                failed = true;
                return vec![Err(Error::input(
                    &file.path,
                    Some(row_base + 1),
                    format!("cannot decode rows: {e}"),
                ))];
            }
        };
        let out = batch_records(&batch, row_base, &file, &cfg);
        row_base += batch.num_rows() as u64;
        out.into_iter().map(Ok).collect()
    });
    Ok(Box::new(iter))
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
            let [id, title, url, date, source] = cols.each_ref().map(|c| value(c.as_ref(), i));
            let text_val = match text.as_ref() {
                None => None,
                Some(a) if a.is_null(i) => Some(Err(format!("field {:?} is null", fm.text))),
                Some(a) => match value(Some(a), i) {
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
                html: value(html.as_ref(), i),
                invalid_utf8: 0,
            };
            make_record(prov, raw, fm, cfg.max_doc_bytes, String::new)
        })
        .collect()
}

/// Value `i` of a string or integer column as a string.
fn value(col: Option<&ArrayRef>, i: usize) -> Option<String> {
    let a: &Arc<dyn Array> = col?;
    if a.is_null(i) {
        return None;
    }
    match a.data_type() {
        DataType::Utf8 => Some(
            a.as_any()
                .downcast_ref::<StringArray>()?
                .value(i)
                .to_string(),
        ),
        DataType::LargeUtf8 => Some(
            a.as_any()
                .downcast_ref::<LargeStringArray>()?
                .value(i)
                .to_string(),
        ),
        DataType::Utf8View => Some(
            a.as_any()
                .downcast_ref::<StringViewArray>()?
                .value(i)
                .to_string(),
        ),
        DataType::Int64 => Some(a.as_primitive::<Int64Type>().value(i).to_string()),
        DataType::Int32 => Some(a.as_primitive::<Int32Type>().value(i).to_string()),
        DataType::UInt64 => Some(a.as_primitive::<UInt64Type>().value(i).to_string()),
        _ => None,
    }
}
