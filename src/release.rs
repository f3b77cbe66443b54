//! Reading a finished release back: its manifest and selected columns of
//! its shards. Used by `corpusforge verify` and `corpusforge inspect`.
//!
//! The manifest is read as JSON values rather than into [`crate::manifest::Manifest`]
//! so that a damaged or hand-edited manifest can still be reported on key
//! by key.

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::SchemaRef;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::error::{Error, Result};

/// `manifest.json` of a release, parsed.
pub fn read_manifest(root: &Path) -> Result<serde_json::Value> {
    let path = root.join("manifest.json");
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::output(&path, format!("not JSON: {e}")))
}

/// The shard entries (`shards` or `rejected_shards`) of a manifest.
pub fn shard_entries<'a>(m: &'a serde_json::Value, key: &str) -> Vec<&'a serde_json::Value> {
    m[key]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// One cell printed as text (`None` for null).
fn cell(col: &ArrayRef, i: usize) -> Option<String> {
    if col.is_null(i) {
        return None;
    }
    if let Some(s) = col.as_string_opt::<i32>() {
        Some(s.value(i).to_string())
    } else if let Some(s) = col.as_string_opt::<i64>() {
        Some(s.value(i).to_string())
    } else if let Some(a) = col.as_primitive_opt::<Int64Type>() {
        Some(a.value(i).to_string())
    } else if let Some(a) = col.as_primitive_opt::<Int32Type>() {
        Some(a.value(i).to_string())
    } else {
        col.as_primitive_opt::<Float32Type>()
            .map(|a| format!("{:.3}", a.value(i)))
    }
}

/// The Arrow schema and key-value metadata of a Parquet file.
pub fn file_schema(path: &Path) -> Result<(SchemaRef, Vec<(String, String)>)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let b = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| Error::output(path, format!("unreadable Parquet: {e}")))?;
    let kv = b
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    Ok((b.schema().clone(), kv))
}

/// Call `f` with the named columns of every row of a Parquet file, in
/// order, as text. Returns the number of rows.
pub fn scan(path: &Path, columns: &[&str], mut f: impl FnMut(&[Option<String>])) -> Result<u64> {
    let bad = |e: &dyn std::fmt::Display| Error::output(path, format!("unreadable Parquet: {e}"));
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(&e))?;
    let schema = builder.schema().clone();
    let mut idx = Vec::with_capacity(columns.len());
    for c in columns {
        idx.push(schema.index_of(c).map_err(|e| bad(&e))?);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), idx.iter().copied());
    let reader = builder.with_projection(mask).build().map_err(|e| bad(&e))?;
    let mut rows = 0u64;
    let mut row: Vec<Option<String>> = Vec::with_capacity(columns.len());
    for batch in reader {
        let b = batch.map_err(|e| bad(&e))?;
        let cols: Vec<ArrayRef> = columns
            .iter()
            .map(|c| {
                b.schema()
                    .index_of(c)
                    .map(|i| b.column(i).clone())
                    .map_err(|e| bad(&e))
            })
            .collect::<Result<_>>()?;
        for i in 0..b.num_rows() {
            row.clear();
            row.extend(cols.iter().map(|c| cell(c, i)));
            f(&row);
            rows += 1;
        }
    }
    Ok(rows)
}
