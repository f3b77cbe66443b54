//! One article per `.txt` file: the whole file is the text; the id is the
//! file's relative path.

use std::io::Read;

use super::{Compression, InputFile, RawFields, Records, decode_text, make_record, open_stream};
use crate::config::InputConfig;
use crate::doc::Provenance;
use crate::error::{Error, Result};

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
    let mut stream = open_stream(file)?;
    let mut bytes = Vec::new();
    stream
        .by_ref()
        .take(cfg.max_doc_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input(&file.path, None, format!("read failed: {e}")))?;
    if bytes.len() > cfg.max_doc_bytes {
        let n = format!("more than {}", cfg.max_doc_bytes);
        return Ok(Box::new(std::iter::once(Ok(too_large(n)))));
    }
    let (text, invalid) = decode_text(&bytes, cfg);
    let raw = RawFields {
        text: Some(Ok(text)),
        invalid_utf8: invalid,
        ..Default::default()
    };
    let rec = make_record(prov, raw, &cfg.fields, cfg.max_doc_bytes, String::new);
    Ok(Box::new(std::iter::once(Ok(rec))))
}
