//! One article per `.txt` file: the whole file is the text; the id is the
//! file's relative path.

use std::io::Read;

use super::{InputFile, RawFields, Records, decode_utf8, make_record, open_stream};
use crate::config::InputConfig;
use crate::doc::Provenance;
use crate::error::{Error, Result};

pub(super) fn records(file: &InputFile, cfg: &InputConfig) -> Result<Records> {
    let mut stream = open_stream(file)?;
    let mut bytes = Vec::new();
    stream
        .by_ref()
        .take(cfg.max_doc_bytes as u64 * 4 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input(&file.path, None, format!("read failed: {e}")))?;
    let (text, invalid) = decode_utf8(&bytes);
    let prov = Provenance {
        file: file.rel.clone(),
        line: None,
    };
    let raw = RawFields {
        text: Some(Ok(text)),
        invalid_utf8: invalid,
        ..Default::default()
    };
    let rec = make_record(prov, raw, &cfg.fields, cfg.max_doc_bytes, String::new);
    Ok(Box::new(std::iter::once(Ok(rec))))
}
