//! One article per `.txt` file: the whole file is the text; the id is the
//! file's relative path. An empty (or whitespace-only) file is a
//! `missing_text` record; a file over `input.max_doc_bytes` is `too_large`
//! and is not read (a compressed one is read up to the limit only).

use std::io::Read;

use super::InputConfig;
use super::{
    Compression, InputFile, RawFields, Records, decode_text, make_record, open_stream, read_failed,
};
use crate::doc::{Provenance, Record, Reject, Step};
use crate::error::Result;

pub(super) fn records(file: &InputFile, cfg: &InputConfig) -> Result<Records> {
    let prov = Provenance {
        file: file.rel.clone(),
        line: None,
    };
    let too_large = |n: String| {
        super::too_large(
            prov.clone(),
            &format!("file is {n} bytes"),
            cfg.max_doc_bytes,
        )
    };
    // An oversized plain file is rejected without reading it; a compressed
    // one is read up to the limit only.
    if file.compression == Compression::None && file.bytes > cfg.max_doc_bytes as u64 {
        return Ok(Box::new(std::iter::once(Ok(too_large(
            file.bytes.to_string(),
        )))));
    }
    let stream = open_stream(file)?;
    Ok(from_reader(stream, file, cfg))
}

/// The record of a one-article stream (already decompressed).
pub(crate) fn from_reader(
    mut stream: Box<dyn Read + Send>,
    file: &InputFile,
    cfg: &InputConfig,
) -> Records {
    let prov = Provenance {
        file: file.rel.clone(),
        line: None,
    };
    let mut bytes = Vec::new();
    if let Err(e) = stream
        .by_ref()
        .take((cfg.max_doc_bytes as u64).saturating_add(1))
        .read_to_end(&mut bytes)
    {
        return Box::new(std::iter::once(Err(read_failed(file, None, &e))));
    }
    if bytes.len() > cfg.max_doc_bytes {
        let what = format!("file is more than {} bytes", cfg.max_doc_bytes);
        let rec = super::too_large(prov, &what, cfg.max_doc_bytes);
        return Box::new(std::iter::once(Ok(rec)));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        let detail = if bytes.is_empty() {
            "the file is empty".to_string()
        } else {
            format!("the file has only whitespace ({} bytes)", bytes.len())
        };
        let rec = Record::Bad {
            prov,
            id: None,
            raw: String::new(),
            reject: Reject::new(Step::Read, "missing_text", detail),
        };
        return Box::new(std::iter::once(Ok(rec)));
    }
    let (text, invalid) = decode_text(&bytes, cfg);
    let raw = RawFields {
        text: Some(Ok(text)),
        invalid_utf8: invalid,
        ..Default::default()
    };
    let rec = make_record(prov, raw, &cfg.fields, cfg.max_doc_bytes, String::new);
    Box::new(std::iter::once(Ok(rec)))
}
